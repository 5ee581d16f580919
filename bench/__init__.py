"""Benchmarks for issue 6: a synthetic national-scale corpus, the build benchmark and the query benchmark."""
