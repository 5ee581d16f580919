"""Query: takes the loaded tables and a Filter;
gives filtered sums fast, from cached indexes (term counts, per-group counts, text and theme counts)."""
