"""Bad inputs, all at once: a report folder full of them, built with the command line and opened on every page.

``python -m bench.attack`` copies the seeds into a scratch folder and adds bad inputs: file names that are not
UTF-8, too long, with Markdown or HTML; texts that are empty, binary, UTF-16 without a BOM, too long, zip-bomb-like
or broken .docx files, links that dangle or lead outside; a manifest.csv with stray quotes, huge lines, NULs and
units that are Markdown, HTML and formula attacks. It builds the folder (``python -m analysis build``) and opens
every page (Streamlit's AppTest). An input survived when the build ran to its end and listed the input as a problem
with a reason, or loaded it, and no page raised. Prints ``inputs_tried``, ``inputs_survived``, ``build_exit``,
``pages_opened`` and ``page_exceptions``. Not run in CI.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORT = "一、工作情况\n（一）理论武装。组织学习12次。\n二、存在问题\n一是力量不足。\n三、下一步计划\n（一）加强学习。\n"
ATTACK_UNITS = ["![x](http://127.0.0.1:9/x.png)宣传部", "[a](http://x)", '<a href="http://x">县委</a>', "<b>市委</b>",
                "=HYPERLINK(\"http://x\",\"点\")", "@SUM(1,1)*cmd|' /C calc'!A0", "+cmd|' /C calc'!A0",
                "宣传部$(touch pwned)", "宣传部`touch pwned`"]


def _docx(body: str) -> bytes:
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", f'<w:document xmlns:w="{w}"><w:body>{body}</w:body></w:document>')
    return buf.getvalue()


def bad_inputs(folder: Path) -> list[str]:
    """Write the bad inputs into ``folder``; returns what each is (one entry per input)."""
    raw = os.fsencode(folder)
    made = []

    def put(name: str | bytes, data: bytes, what: str) -> None:
        path = os.path.join(raw, name if isinstance(name, bytes) else os.fsencode(name))
        with open(path, "wb") as fh:
            fh.write(data)
        made.append(what)

    put("宣传部总结.txt".encode("gb18030"), REPORT.encode(), "GBK file name")
    put("报告".encode("gb18030") + b"\xff.txt", REPORT.encode() + b"1", "undecodable file name")
    put("关于" + "宣传思想文化工作" * 10 + ".txt", REPORT.encode() + b"2", "long Chinese file name (90 chars)")
    put("![x](http:__127.0.0.1:9_x.png).txt", REPORT.encode() + b"3", "Markdown image file name")
    put("<a href=x>点</a>.txt".replace("/", "_"), REPORT.encode() + b"4", "HTML file name")
    put("empty.txt", b"", "empty file")
    put("binary.txt", bytes(range(256)) * 64, "binary .txt")
    put("utf16le.txt", REPORT.encode("utf-16-le"), "UTF-16 LE without BOM")
    put("utf16be.txt", (REPORT + "4").encode("utf-16-be"), "UTF-16 BE without BOM")
    put("huge.txt", ("宣传思想文化工作取得新成效。" * 160_000).encode(), "2.2M-character .txt")
    put("notzip.docx", b"PK\x03\x04 not really", "corrupt .docx")
    put("legacy.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), "legacy Word file")
    put("bigpart.docx", _docx("<w:p><w:r><w:t>" + "宣" * 7_000_000 + "</w:t></w:r></w:p>"), ".docx of 21 MB XML")
    put("doctype.docx", _docx('<!DOCTYPE x [<!ENTITY a "b">]><w:p/>'), ".docx with an entity declaration")
    put("notpdf.pdf", b"%PDF-1.7 broken", "corrupt .pdf")
    put("notes.xyz", b"hi", "unsupported type")
    os.symlink(folder / "nowhere.txt", folder / "dangling.txt")
    made.append("dangling link")
    os.symlink("/etc/passwd", folder / "outside.txt")
    made.append("link outside the folder")
    manifest = (folder / "manifest.csv").read_text(encoding="utf-8-sig").splitlines()
    lines = [f"x{i}.txt,标题,{ATTACK_UNITS[i % len(ATTACK_UNITS)]},,,2021,annual" for i in range(3000)]
    lines[100] = 'x100.txt,"没有闭合的引号,单位,,,2021,annual'
    lines[200] = "x200.txt," + "长" * 200_000 + ",,,,,"
    lines[300] = "x300.txt,\x00,,,,,"
    lines[400] = "x400.txt,t,u,galaxy,,2020.7,Q9"
    (folder / "manifest.csv").write_text("\n".join(manifest + lines) + "\n", encoding="utf-8")
    made += ["manifest: unterminated quote", "manifest: 200,000-character line", "manifest: NUL",
             "manifest: bad level, year and period"]
    rows = manifest[1:]
    for i, line in enumerate(rows):                  # the seeds' own rows get attack units
        cells = line.split(",")
        cells[2] = ATTACK_UNITS[i % len(ATTACK_UNITS)].replace(",", "，").replace('"', "“")
        rows[i] = ",".join(cells)
    (folder / "manifest.csv").write_text("\n".join([manifest[0], *rows] + lines) + "\n", encoding="utf-8")
    made += [f"unit name attack: {u[:20]}" for u in ATTACK_UNITS[:len(rows)]]
    return made


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="reportlens-attack-"))
    try:
        src, dst = work / "reports", work / "store"
        shutil.copytree(ROOT / "seeds", src)
        made = bad_inputs(src)
        rows = (src / "manifest.csv").read_text(encoding="utf-8").splitlines()[:-3000]
        build = subprocess.run([sys.executable, "-m", "analysis", "build", str(src), "--out", str(dst), "--jobs", "2",
                                "--no-progress"], check=False, cwd=ROOT, capture_output=True, text=True)
        listed = build.stderr.count("\n")
        from streamlit.testing.v1 import AppTest

        os.environ.update(REPORTLENS_SOURCE=str(src), REPORTLENS_DATA=str(dst),
                          REPORTLENS_HOME=str(work / "home"))
        from tests.test_pages import page_paths

        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300).run()
        exceptions = 0
        for path, _ in page_paths():
            at.switch_page(path).run()
            exceptions += len(at.exception)
        from analysis import store

        tables = store.load(dst)
        files = [n for n in os.listdir(os.fsencode(src)) if n != b"manifest.csv"]
        problems = tables.problems[tables.problems["stage"] != "manifest"]
        accounted = len(tables.documents) + problems["path"].nunique()
        manifest_lines = set(tables.problems.loc[tables.problems["stage"] == "manifest", "path"])
        crashed = build.returncode != 0 or "Traceback" in build.stderr
        survived = 0 if crashed or exceptions or accounted != len(files) or not all(
            f"manifest.csv:{n}" in manifest_lines for n in (len(rows) + 101, len(rows) + 201, len(rows) + 301,
                                                            len(rows) + 401)) else len(made)
        print(f"inputs_tried={len(made)}\ninputs_survived={survived}\nbuild_exit={build.returncode}\n"
              f"files={len(files)}\nfiles_loaded_or_listed={accounted}\nproblem_lines={listed}\n"
              f"pages_opened={len(page_paths())}\npage_exceptions={exceptions}\n"
              f"pwned_file={(ROOT / 'pwned').exists() or (work / 'pwned').exists()}")
        print(build.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
