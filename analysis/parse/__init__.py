"""Parse: takes a report's clean text;
gives its outline of sections, metadata with evidence, redaction masks, figures and the word segmenter."""
