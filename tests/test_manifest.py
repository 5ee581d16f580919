"""manifest.csv: reading (encodings, bad cells as problems), atomic writing, round trip, and the seeds' manifest."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import schema
from analysis.store.manifest import MANIFEST_COLUMNS, read_manifest, write_manifest

HEADER = ",".join(MANIFEST_COLUMNS)


def _write(folder, text: str, encoding: str = "utf-8") -> None:
    (folder / "manifest.csv").write_bytes(text.encode(encoding))


def test_read_manifest_absent_gives_nothing(tmp_path):
    assert read_manifest(tmp_path) == ({}, [])


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_read_manifest_encodings(tmp_path, encoding):
    _write(tmp_path, f"{HEADER}\r\na.txt,区委宣传部工作总结,区委宣传部,district,,2022,annual\r\n", encoding)
    rows, problems = read_manifest(tmp_path)
    assert problems == []
    assert rows == {"a.txt": {"file": "a.txt", "title": "区委宣传部工作总结", "unit": "区委宣传部",
                              "unit_level": "district", "region": None, "year": 2022, "period": "annual"}}


def test_read_manifest_empty_cells_mean_not_given(tmp_path):
    _write(tmp_path, f"{HEADER}\na.txt,,,,,,\n")
    rows, problems = read_manifest(tmp_path)
    assert problems == []
    assert rows["a.txt"] == dict.fromkeys(MANIFEST_COLUMNS) | {"file": "a.txt"}


@pytest.mark.parametrize(("column", "value", "valid"), [
    ("unit_level", "town", "township"),
    ("period", "H3", "annual"),
    ("year", "1900", "1949"),
    ("year", "2200", "2100"),
    ("year", "二〇二二", "1949"),
])
def test_read_manifest_bad_cell_is_a_problem(tmp_path, column, value, valid):
    cells = {"file": "a.txt", "unit": "市政府", "unit_level": "city", "year": "2023", "period": "H1"}
    cells[column] = value
    _write(tmp_path, f"{HEADER}\nok.txt,,,,,2020,\n" + ",".join(cells.get(c, "") for c in MANIFEST_COLUMNS) + "\n")
    rows, problems = read_manifest(tmp_path)
    assert len(problems) == 1
    where, reason = problems[0]
    assert where == "manifest.csv:3"
    assert column in reason and repr(value) in reason and valid in reason
    assert rows["a.txt"][column] is None
    assert rows["a.txt"]["unit"] == "市政府"
    assert rows["ok.txt"]["year"] == 2020


def test_read_manifest_chinese_labels_accepted(tmp_path):
    _write(tmp_path, f"{HEADER}\na.txt,,,市级,,2023年,上半年\n")
    rows, problems = read_manifest(tmp_path)
    assert problems == []
    assert (rows["a.txt"]["unit_level"], rows["a.txt"]["year"], rows["a.txt"]["period"]) == ("city", 2023, "H1")


@pytest.mark.parametrize(("text", "expected"), [
    (f"{HEADER}\na.txt,,,,,,\na.txt,,,,,2020,\n", ("manifest.csv:3", "listed twice")),
    (f"{HEADER}\n,T,,,,,\n", ("manifest.csv:2", "'file' cell is empty")),
    ("name,year\na.txt,2020\n", ("manifest.csv:1", "no 'file' column")),
    (f"{HEADER},notes\na.txt,,,,,,,hi\n", ("manifest.csv:1", "unknown column 'notes'")),
])
def test_read_manifest_structure_problems(tmp_path, text, expected):
    _write(tmp_path, text)
    _, problems = read_manifest(tmp_path)
    assert [(where, expected[1] in reason) for where, reason in problems] == [(expected[0], True)]


def test_read_manifest_windows_paths_normalised(tmp_path):
    _write(tmp_path, f"{HEADER}\nsub\\a.txt,,,,,,\n./b.txt,,,,,,\n")
    rows, _ = read_manifest(tmp_path)
    assert sorted(rows) == ["b.txt", "sub/a.txt"]


def test_write_manifest_excel_friendly_and_round_trip(tmp_path):
    rows = {"a.txt": {"file": "a.txt", "title": "标题，含逗号\"引号\"", "unit": None, "unit_level": "city",
                      "region": None, "year": 2021, "period": "annual"}}
    path = write_manifest(tmp_path, rows)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf" + HEADER.encode())
    assert read_manifest(tmp_path) == (rows, [])
    assert [p.name for p in tmp_path.iterdir()] == ["manifest.csv"]


def test_write_manifest_failure_keeps_the_old_file(tmp_path, monkeypatch):
    _write(tmp_path, f"{HEADER}\nold.txt,,,,,2020,\n")
    before = (tmp_path / "manifest.csv").read_bytes()

    def fail(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        write_manifest(tmp_path, [{"file": "new.txt"}])
    assert (tmp_path / "manifest.csv").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["manifest.csv"]


_cell = st.one_of(st.none(), st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zs", "Zl", "Zp")),
                                     min_size=1, max_size=12))
_row = st.fixed_dictionaries({
    "file": st.from_regex(r"[a-z0-9_]{1,8}\.(txt|docx|pdf)", fullmatch=True),
    "title": _cell, "unit": _cell, "region": _cell,
    "unit_level": st.one_of(st.none(), st.sampled_from(schema.LEVELS)),
    "year": st.one_of(st.none(), st.integers(1949, 2100)),
    "period": st.one_of(st.none(), st.sampled_from(schema.PERIODS)),
})


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(st.lists(_row, max_size=5, unique_by=lambda r: r["file"]))
def test_write_manifest_read_manifest_round_trip(tmp_path, rows):
    write_manifest(tmp_path, rows)
    assert read_manifest(tmp_path) == ({r["file"]: r for r in rows}, [])


# Ground truth from the issue: year, period, level and title of each seed.
SEEDS = [
    ("000_03e71e4c0e7fb2f2.txt", 2023, "H1", "city", None),
    ("001_375888be8f029476.txt", 2020, "H1", "city", "市委宣传部上半年工作总结及下半年工作计划"),
    ("002_f8c08a2de05a6de6.txt", 2023, "annual", "city", "2023年市政府宣传工作总结"),
    ("003_f3c8e2966af04a86.txt", 2022, "annual", "district", "2022年区宣传思想文化工作总结及2023年工作计划"),
    ("004_c5100d4220f051c5.txt", 2022, "annual", "district", None),
]


def test_seeds_manifest_matches_the_issue(seeds_dir):
    rows, problems = read_manifest(seeds_dir)
    assert problems == []
    assert sorted(rows) == sorted(p.name for p in seeds_dir.glob("*.txt"))
    got = [(f, r["year"], r["period"], r["unit_level"], r["title"]) for f, r in sorted(rows.items())]
    assert got == SEEDS


@pytest.mark.parametrize("file", [s[0] for s in SEEDS if s[4]])
def test_seeds_manifest_titles_are_in_the_text(seeds_dir, file):
    rows, _ = read_manifest(seeds_dir)
    head = "".join((seeds_dir / file).read_text(encoding="utf-8").split()[:3])
    assert head.startswith(rows[file]["title"])


def test_a_stray_quote_in_a_long_manifest_is_reported_on_its_line_and_the_other_rows_load(tmp_path):
    lines = [HEADER] + [f"r{i}.txt,标题{i},单位{i},,,2021,annual" for i in range(3000)]
    lines[1500] = 'r1499.txt,"标题1499,单位1499,,,2021,annual'          # a quote never closed
    _write(tmp_path, "\n".join(lines) + "\n")
    rows, problems = read_manifest(tmp_path)
    assert len(rows) == 2999 and "r1499.txt" not in rows and rows["r1500.txt"]["unit"] == "单位1500"
    assert [where for where, _ in problems] == ["manifest.csv:1501"]
    assert "引号" in problems[0][1]


def test_a_short_unterminated_quote_no_longer_swallows_the_next_row(tmp_path):
    _write(tmp_path, f'{HEADER}\na.txt,"区委,区委宣传部,,,2022,annual\nb.txt,乙,乙单位,,,2023,annual\n')
    rows, problems = read_manifest(tmp_path)
    assert set(rows) == {"b.txt"} and rows["b.txt"]["year"] == 2023
    assert [where for where, _ in problems] == ["manifest.csv:2"]


@pytest.mark.parametrize("line", ['a.txt,"x"y,,,,,', "a.txt," + "长" * 200_000 + ",,,,,", 'a.txt,"x\x00",,,,,'])
def test_any_broken_manifest_line_is_a_problem_never_an_exception(tmp_path, line):
    _write(tmp_path, f"{HEADER}\n{line}\nb.txt,乙,,,,,\n")
    rows, problems = read_manifest(tmp_path)
    assert "b.txt" in rows and [where for where, _ in problems] == ["manifest.csv:2"]


def test_write_manifest_keeps_each_row_on_one_line(tmp_path):
    write_manifest(tmp_path, [{"file": "a.txt", "title": "上半年\n工作总结", "unit": '区委"宣传部"'}])
    rows, problems = read_manifest(tmp_path)
    assert problems == [] and rows["a.txt"]["title"] == "上半年 工作总结" and rows["a.txt"]["unit"] == '区委"宣传部"'
