"""Words: takes sections' texts and the word lists and codebook in ``analysis/resources/``;
gives the TERMS rows of each section and the theme hits and profiles of the codebook."""
