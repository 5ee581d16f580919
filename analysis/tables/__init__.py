"""Tables: takes the loaded tables, a Filter and the codebook;
gives the analysis tables (coverage, keyness, KWIC, reuse) and the pages' view helpers."""
