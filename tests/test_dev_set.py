"""Accuracy of ``inspect`` on the hand-labelled dev set (../shared/dev), scored as ../shared/tools/score_inspect.py does.

Fails below 90% for year+period together (rows marked score_year=no are not scored for year) and below 95% for
exact top-level headings (compared as a prefix, since the excerpts are cut).
"""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import pytest

from analysis.pipeline import inspect_report

SHARED = Path(__file__).resolve().parents[2] / "shared"
DEV = SHARED / "dev"
SCORER = SHARED / "tools" / "score_inspect.py"

pytestmark = pytest.mark.skipif(not (DEV / "labels.csv").exists() or not SCORER.exists(),
                                reason="../shared/dev or its scorer is not beside the project")


@pytest.fixture(scope="module")
def scorer():
    spec = importlib.util.spec_from_file_location("score_inspect", SCORER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def results():
    with open(DEV / "labels.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [(row, inspect_report(DEV / "reports" / row["file"])) for row in rows]


def rate(hits: list[bool]) -> float:
    return sum(hits) / len(hits)


def test_dev_set_every_report_inspects_without_errors(results):
    assert all(not out["errors"] for _, out in results)


def test_dev_set_year_and_period(results, record_property):
    scored = [(r, out) for r, out in results if r.get("score_year", "yes") != "no"]
    hits = [(str(out["year"]) if out["year"] is not None else "") == r["year"].strip()
            and (out["period"] or "") == r["period"].strip() for r, out in scored]
    record_property("year_period", rate(hits))
    print(f"dev year+period accuracy: {rate(hits):.2f} ({sum(hits)}/{len(hits)})")
    assert rate(hits) >= 0.90


def test_dev_set_top_level_headings(results, scorer, record_property):
    hits = []
    for r, out in results:
        expected = scorer.split(r.get("top_headings"))
        if expected:
            got = scorer.heads(out["sections"], 1)
            hits.append(got[: len(expected)] == expected)
    record_property("top", rate(hits))
    print(f"dev top-level heading accuracy: {rate(hits):.2f} ({sum(hits)}/{len(hits)})")
    assert rate(hits) >= 0.95


def test_dev_set_unit_level(results):
    hits = [(out["unit_level"] or "unknown") == (r["unit_level"].strip() or "unknown") for r, out in results]
    assert rate(hits) >= 0.85


def test_dev_set_inspect_keys_are_stable(results):
    keys = ["file", "title", "year", "period", "unit", "unit_level", "region", "sources", "evidence",
            "sections", "errors"]
    for _, out in results:
        assert list(out) == keys
        assert all(set(s) == {"path", "level", "marker", "heading", "kind", "start", "end"} for s in out["sections"])
