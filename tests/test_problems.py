"""Problem reasons in Chinese: every reason a real build gives for bad files reads in Chinese."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from analysis.store.core import build
from analysis.tables.problems import STAGE_ZH, problems_zh, reason_zh

ROOT = Path(__file__).resolve().parent.parent
FORMATS = {"txt", "doc", "docx", "pdf", "csv", "xyz", "UTF", "GB", "PDF", "Word", "DOCTYPE", "ENTITY", "NUL", "file",
           "manifest", "zip"}
COLUMNS = {"file", "title", "unit", "level", "region", "year", "period", "colour", "planet",
           "sometimes"}  # and the bad values a user typed   # manifest.csv's own columns


def test_every_reason_of_a_build_over_bad_files_reads_in_chinese(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(ROOT / "seeds", src)
    (src / "empty.txt").write_bytes(b"")
    (src / "notes.xyz").write_text("hi", encoding="utf-8")
    (src / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (src / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    (src / "old.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    (src / "fake.pdf").write_bytes(b"not a pdf at all")
    (src / "copy.txt").write_bytes((src / "000_03e71e4c0e7fb2f2.txt").read_bytes())
    manifest = (src / "manifest.csv").read_text(encoding="utf-8-sig").splitlines()
    manifest[0] += ",colour"
    manifest += ["missing.txt,,,,,1800,,", "empty.txt,,,planet,,,sometimes,"]
    (src / "manifest.csv").write_text("\n".join(manifest) + "\n", encoding="utf-8")
    problems = build(src, tmp_path / "store", progress=False).problems
    assert len(problems) >= 9
    shown = problems_zh(problems)
    for row in shown.itertuples(index=False):
        names = re.findall(r"[\w.-]+\.(?:txt|docx|pdf|xyz|csv)", row.reason)   # file names quoted as they are
        text = re.sub("|".join(map(re.escape, [row.path, *names])), "", row.reason)
        words = set(re.findall(r"[A-Za-z]{2,}", text)) - FORMATS - COLUMNS
        assert not words, (row.path, row.reason)
        assert row.stage in STAGE_ZH.values()


def test_unknown_reasons_are_shown_as_they_are():
    assert reason_zh("something new") == "something new" and reason_zh(None) is None
    assert reason_zh("same text as a/b.txt") == "与 a/b.txt 的正文相同（重复的报告，未重复计入）"
