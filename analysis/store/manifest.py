"""The source folder's ``manifest.csv``: what a person wrote down about each report (it overrides inference).

Columns are ``MANIFEST_COLUMNS``; one row per report, keyed by ``file`` (its path relative to the folder).
An empty cell means "not given": inference fills it in.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from analysis import schema
from analysis.errors import value_invalid_msg

MANIFEST_COLUMNS = ("file", "title", "unit", "unit_level", "region", "year", "period")
MANIFEST_NAME = "manifest.csv"
YEAR_RANGE = (1949, 2100)

_LEVEL_FROM_ZH = {zh: level for level, zh in schema.LEVEL_ZH.items()}
_PERIOD_FROM_ZH = {zh: period for period, zh in schema.PERIOD_ZH.items()}


def read_manifest(folder: str | Path) -> tuple[dict[str, dict], list[tuple[str, str]]]:
    """Read ``folder/manifest.csv`` into one dict per report, and list what is wrong with it.

    Args:
        folder: the source folder of the reports.
    Returns:
        (rows, problems): rows maps ``file`` to a dict with every MANIFEST_COLUMNS key (None = not given,
        ``year`` an int); problems are ``("manifest.csv:LINE", reason)`` pairs; a bad cell is left out (None).
        No manifest gives ``({}, [])``.

    Example:
        >>> rows, problems = read_manifest("seeds")
        >>> rows["002_f8c08a2de05a6de6.txt"]["year"]
        2023
    """
    path = Path(folder) / MANIFEST_NAME
    if not path.is_file():
        return {}, []
    try:
        text = _decode(path.read_bytes())
    except (OSError, UnicodeDecodeError) as err:
        return {}, [(MANIFEST_NAME, f"cannot read the manifest ({type(err).__name__}): save it as UTF-8 CSV")]
    lines = _LINE_BREAK.split(text)
    header_cells, header_problem = _cells(lines[0] if lines else "")
    header = [h.strip() for h in header_cells or []]
    if header_problem or "file" not in header:
        return {}, [(f"{MANIFEST_NAME}:1", header_problem or "no 'file' column; columns are: "
                     + ", ".join(MANIFEST_COLUMNS))]
    problems = [(f"{MANIFEST_NAME}:1", f"unknown column {h!r} ignored; columns are: " + ", ".join(MANIFEST_COLUMNS))
                for h in header if h and h not in MANIFEST_COLUMNS]
    rows: dict[str, dict] = {}
    for number, line in enumerate(lines[1:], start=2):
        where = f"{MANIFEST_NAME}:{number}"
        cells, problem = _cells(line)
        if problem:
            problems.append((where, problem))
            continue
        if not any(c.strip() for c in cells):
            continue
        raw = {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(header) if h in MANIFEST_COLUMNS}
        row, row_problems = _parse_row(raw)
        problems += [(where, reason) for reason in row_problems]
        if not row["file"]:
            problems.append((where, "the 'file' cell is empty; the row is ignored"))
        elif row["file"] in rows:
            problems.append((where, f"{row['file']} is listed twice; this row is ignored"))
        else:
            rows[row["file"]] = row
    return rows, problems


_LINE_BREAK = re.compile(r"\r\n|\r|\n")
MAX_LINE_CHARS = 20_000
"""A manifest row longer than this is refused (its cells hold a title, a unit, a place: a few hundred characters)."""


def _cells(line: str) -> tuple[list[str] | None, str | None]:
    """One physical line of the manifest as cells, or the reason it is refused: every row is one line (a quote
    left open must not swallow the rows after it, as a CSV reader would, up to its field limit)."""
    if len(line) > MAX_LINE_CHARS:
        return None, f"本行过长（{len(line):,} 个字符，上限 {MAX_LINE_CHARS:,}），已忽略：是否有未闭合的引号？"
    if "\x00" in line:
        return None, "本行含 NUL 字符，已忽略：请用 Excel 或文本编辑器重新保存为 CSV"
    try:
        return next(csv.reader([line], strict=True), []), None
    except csv.Error as err:
        return None, f"引号不成对（{err}），本行已忽略：单元格内的引号要写成两个（\"\"），单元格不能换行"


def write_manifest(folder: str | Path, rows: Mapping[str, Mapping] | Iterable[Mapping]) -> Path:
    """Write ``folder/manifest.csv`` atomically, as UTF-8 with a BOM so that Excel opens it.

    Args:
        folder: the source folder of the reports.
        rows: dicts with MANIFEST_COLUMNS keys (missing or None = empty cell), or a mapping file -> such dict
            (what ``read_manifest`` returns).
    Returns:
        the path written.

    Example:
        >>> rows, _ = read_manifest("seeds")
        >>> write_manifest("seeds", rows)
        PosixPath('seeds/manifest.csv')
    """
    folder = Path(folder)
    items = [{**row, "file": row.get("file") or file} for file, row in rows.items()] if isinstance(rows, Mapping) \
        else list(rows)
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(MANIFEST_COLUMNS)
    for row in items:
        writer.writerow(["" if row.get(c) is None else " ".join(_LINE_BREAK.split(str(row.get(c))))
                         for c in MANIFEST_COLUMNS])                     # every row on one line
    target = folder / MANIFEST_NAME
    fd, tmp = tempfile.mkstemp(prefix=".manifest-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as fh:
            fh.write(buf.getvalue())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def _decode(data: bytes) -> str:
    """UTF-8 (BOM or not) first; then GB18030, as Excel on a Chinese Windows saves "CSV"."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def _parse_row(raw: dict[str, str]) -> tuple[dict, list[str]]:
    """Cells -> typed values; a bad cell becomes None and a reason."""
    row: dict = {c: (raw.get(c) or None) for c in MANIFEST_COLUMNS}
    problems: list[str] = []
    if row["file"]:
        row["file"] = row["file"].replace("\\", "/").removeprefix("./")
    for field, from_zh, allowed in (("unit_level", _LEVEL_FROM_ZH, schema.LEVELS),
                                    ("period", _PERIOD_FROM_ZH, schema.PERIODS)):
        if row[field]:
            code = from_zh.get(row[field], row[field])   # a Chinese label (区级, 上半年) or the code itself
            if code not in allowed:
                problems.append(value_invalid_msg(field, row[field], allowed))
                code = None
            row[field] = code
    if row["year"]:
        year = _parse_year(row["year"])
        if year is None:
            problems.append(f"year={row['year']!r} is not valid; options are: a whole year "
                            f"{YEAR_RANGE[0]}–{YEAR_RANGE[1]}")
        row["year"] = year
    return row, problems


def _parse_year(cell: str) -> int | None:
    text = cell.removesuffix("年").removesuffix(".0")
    if not text.isascii() or not text.isdigit():
        return None
    year = int(text)
    return year if YEAR_RANGE[0] <= year <= YEAR_RANGE[1] else None
