"""Read: takes a folder of report files (.txt, .docx, .pdf) and one file's bytes;
gives the list of reports and each one's clean, unwrapped text."""
