"""One report in, its rows of every table out: the seeds with and without the manifest, and inspect's shape."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import schema
from analysis.read.report import read_report
from analysis.store.manifest import read_manifest
from analysis.store.pipeline import INSPECT_KEYS, doc_id_for, inspect_report, process_report

EXPECTED = {  # from the issue: what a person reading the seeds writes down
    "000": (2023, "H1", "city", ["2023年上半年工作完成情况", "当前工作存在的问题", "下一步工作打算"]),
    "001": (2020, "H1", "city", ["上半年工作总结", "下半年工作安排"]),
    "002": (2023, "annual", "city", ["2023年工作情况", "问题与不足", "2024年工作安排"]),
    "003": (2022, "annual", "district", ["工作进展情况", "存在问题", "下一步工作打算",
                                         "围绕学习宣传党的二十大精神，做好2023年宣传思想文化工作"]),
    "004": (2022, "annual", "district", ["工作开展情况", "存在问题", "下一步工作措施"]),
}


@pytest.fixture(scope="module")
def seed_paths(seeds_dir):
    return {p.name[:3]: p for p in sorted(seeds_dir.glob("*.txt"))}


@pytest.fixture(scope="module")
def manifest(seeds_dir):
    rows, problems = read_manifest(seeds_dir)
    assert problems == []
    return rows


@pytest.mark.parametrize("with_manifest", [False, True])
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_process_report_seeds(name, with_manifest, seed_paths, manifest, seeds_dir):
    path = seed_paths[name]
    row = manifest[path.name] if with_manifest else None
    tables = process_report(path, root=seeds_dir, manifest_row=row)
    doc = tables.documents.iloc[0]
    year, period, level, tops = EXPECTED[name]
    assert (doc["year"], doc["period"], doc["unit_level"]) == (year, period, level)
    expected_source = "manifest" if with_manifest else None
    if with_manifest:
        assert doc["year_source"] == doc["period_source"] == doc["unit_level_source"] == expected_source
    else:
        assert doc["year_source"] in ("title", "heading", "calendar", "body") and doc["year_evidence"]
    sections = tables.sections
    assert sections[sections["level"] == 1]["heading"].tolist() == tops
    assert "".join(sections["text"]) == read_report(path).text
    assert doc["doc_id"] == doc_id_for(read_report(path).text) and doc["file"] == path.name
    for name_, table in schema.TABLES.items():
        if name_ != "problems":
            schema.assert_table(getattr(tables, name_), table, name_)


def test_process_report_rows_point_at_their_sections(seed_paths, seeds_dir):
    tables = process_report(seed_paths["000"], root=seeds_dir)
    ids = set(tables.sections["section_id"])
    for table in (tables.terms, tables.figures, tables.redactions):
        assert set(table["section_id"]) <= ids
    text = read_report(seed_paths["000"]).text
    for r in tables.redactions.itertuples():
        assert text[r.start:r.end] == r.mask
    assert not tables.terms["term"].str.contains(r"[*Xx×_]").any()


def test_inspect_report_shape(seed_paths):
    out = inspect_report(seed_paths["001"])
    assert tuple(out) == INSPECT_KEYS and out["errors"] == []
    assert out["title"] == "市委宣传部上半年工作总结及下半年工作计划"
    assert out["sources"]["period"] == "heading" and out["evidence"]["period"] == "一、上半年工作总结"
    assert out["confidence"]["period"] == "high" and out["province"] is None  # the title agrees; no place named
    assert out["sections"][0] == {"path": "0", "level": 0, "marker": "", "heading": "", "kind": "preamble",
                                  "start": 0, "end": out["sections"][1]["start"]}
    assert [s["kind"] for s in out["sections"] if s["level"] == 1] == ["achievements", "plans"]


def test_inspect_report_lists_errors_instead_of_raising(tmp_path):
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    out = inspect_report(bad)
    assert out["sections"] == [] and len(out["errors"]) == 1 and "empty.txt" in out["errors"][0]


def test_report_columns_code_themes_as_code_sections_does(seed_paths):
    from analysis.store.pipeline import report_columns
    from analysis.words.themes import code_sections, load_codebook

    codebook = load_codebook()
    for path in seed_paths.values():
        text = read_report(path).text
        cols = report_columns(text, file=path.name, codebook=codebook)
        sections = pd.DataFrame(cols["sections"])
        expected = code_sections(sections, codebook)
        got = pd.DataFrame(cols["theme_hits"], columns=list(expected.columns)).astype(expected.dtypes.to_dict())
        pd.testing.assert_frame_equal(got, expected)
        assert len(got) > 0


def test_report_columns_terms_equal_count_terms_per_section(seed_paths):
    from analysis.store.pipeline import report_columns
    from analysis.words.terms import count_terms

    for path in seed_paths.values():
        text = read_report(path).text
        cols = report_columns(text, file=path.name)
        expected = count_terms(pd.DataFrame(cols["sections"]))
        pd.testing.assert_frame_equal(pd.DataFrame(cols["terms"]).astype({"count": "int64"}), expected)
