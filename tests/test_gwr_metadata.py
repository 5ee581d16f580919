"""Metadata on the gwr corpus, labelled by its SOURCES.csv (issuer, year of delivery) and tuned to by no rule.

A State Council or Party congress report speaks for the nation and names places as topics (武汉 in 2020, 汶川
in 2008): it gets no region. A provincial government's report gets its province, a district's its district.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from analysis.parse.meta import infer_metadata
from analysis.parse.outline import split_sections
from analysis.read.report import read_report

GWR = Path(__file__).resolve().parents[2] / "shared" / "gwr-corpus"
pytestmark = pytest.mark.skipif(not (GWR / "SOURCES.csv").exists(), reason="../shared/gwr-corpus is not here")
NATIONAL = ("国务院", "中国共产党全国代表大会")


def _rows() -> list[dict]:
    with open(GWR / "SOURCES.csv", encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if (GWR / r["file"]).exists()]


@pytest.fixture(scope="module")
def inferred() -> list[tuple[dict, dict]]:
    out = []
    for row in _rows():
        text = read_report(GWR / row["file"]).text
        out.append((row, infer_metadata(text, split_sections(text), file=row["file"])))
    return out


def test_reports_that_speak_for_the_nation_get_no_region(inferred):
    national = [(r["file"], m["region"]) for r, m in inferred if r["unit"] in NATIONAL]
    assert len(national) >= 60
    assert [(f, region) for f, region in national if region] == []


def test_a_provincial_or_district_government_gets_its_own_place(inferred):
    local = [(r, m) for r, m in inferred if r["unit"] not in NATIONAL]
    assert len(local) >= 35
    wrong = [(r["file"], r["unit"], m["province"], m["city"], m["county"]) for r, m in local
             if not m["province"] or not (r["unit"].startswith(m["province"][:2])
                                           or (m["city"] and m["city"][:2] in r["unit"]))]
    assert wrong == []


def test_no_unit_is_a_word_ending_in_a_body_suffix(inferred):
    units = {m["unit"] for _, m in inferred if m["unit"]}
    assert not [u for u in units if u.endswith(("布局", "格局", "大局"))]
    assert "国务院政府" not in units        # 国务院 + 政府工作报告: the organ issued it


GWR_YEAR_FLOOR = 0.88
"""Share of government work reports dated to the year before their delivery (SOURCES.csv's year); only rises."""


def test_a_government_work_report_is_dated_to_the_year_it_reviews(inferred):
    reports = [(r, m) for r, m in inferred if r["kind"] == "gwr"]
    assert len(reports) >= 100
    right = [m["year"] == int(r["year"]) - 1 for r, m in reports]
    assert sum(right) / len(right) >= GWR_YEAR_FLOOR
