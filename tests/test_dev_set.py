"""Accuracy of ``inspect`` on the hand-labelled dev set (../shared/dev), scored as ../shared/tools/score_inspect.py does.

Every rate the scorer prints has a floor here. The floors only rise: each is the score the parser reached when
it was last raised (rows marked score_year=no are not scored for year or period; headings are compared as a
prefix, since the excerpts are cut).
"""

from __future__ import annotations

import csv
import importlib.util
import re
from pathlib import Path

import pytest

from analysis.parse.meta import infer_metadata
from analysis.parse.outline import split_sections
from analysis.read.clean import clean_web
from analysis.read.report import clean_text, read_report
from analysis.read.script import to_simplified
from analysis.store.pipeline import inspect_report

SHARED = Path(__file__).resolve().parents[2] / "shared"
DEV = SHARED / "dev"
SCORER = SHARED / "tools" / "score_inspect.py"

# The floor under each rate (score_inspect.py's names). Raise a floor when the parser improves; never lower it.
FLOORS = {
    "year_period": 0.96,
    "year": 0.98,
    "period": 0.96,
    "level": 0.98,
    "top": 0.98,
    "l2": 1.00,
    "unit": 0.93,
    "place": 0.95,
    "province": 0.96,
}

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


@pytest.fixture(scope="module")
def units():
    path = DEV / "units.csv"
    if not path.exists():
        return {}
    with open(path, encoding="utf-8") as fh:
        return {row["file"]: row for row in csv.DictReader(fh)}


def rate(hits: list[bool]) -> float:
    return sum(hits) / len(hits)


def _hits(results, units, scorer) -> dict[str, list[bool]]:
    """Per-rate hit lists, with the same rules as score_inspect.py."""
    hits: dict[str, list[bool]] = {key: [] for key in FLOORS}
    for r, out in results:
        expected_year, got_year = r["year"].strip() or None, out["year"]
        got_year = str(got_year) if got_year not in (None, "") else None
        expected_period, got_period = r["period"].strip() or None, out["period"] or None
        hits["level"].append((out["unit_level"] or "unknown") == (r["unit_level"].strip() or "unknown"))
        if r.get("score_year", "yes") != "no":
            hits["year"].append(expected_year == got_year)
            hits["period"].append(expected_period == got_period)
            hits["year_period"].append(expected_year == got_year and expected_period == got_period)
        for key, column, level in (("top", "top_headings", 1), ("l2", "first_l2_headings", 2)):
            expected = scorer.split(r.get(column))
            if expected:
                hits[key].append(scorer.heads(out["sections"], level)[: len(expected)] == expected)
        u = units.get(r["file"])
        if u is None:
            continue
        want = {scorer.unit_norm(x) for x in [u["unit"], *u.get("unit_alt", "").split(" | ")] if scorer.unit_norm(x)}
        got_unit = scorer.unit_norm(out.get("unit"))
        region = re.sub(r"\s+", "", out.get("region") or "")
        hits["unit"].append(got_unit in want if want else not got_unit)
        hits["place"].append(scorer.core(u["region"]) in region if u["region"] else not region)
        if u["region_province"]:
            hits["province"].append(scorer.core(u["region_province"]) in region)
        elif not u["region"]:
            hits["province"].append(not region)
    return hits


def test_dev_set_every_report_inspects_without_errors(results):
    assert all(not out["errors"] for _, out in results)


@pytest.mark.parametrize("key", list(FLOORS))
def test_dev_set_rate_holds_its_floor(key, results, units, scorer, record_property):
    hits = _hits(results, units, scorer)[key]
    if not hits:
        pytest.skip(f"no labels for {key}")
    record_property(key, rate(hits))
    print(f"dev {key}: {rate(hits):.2f} ({sum(hits)}/{len(hits)})")
    assert rate(hits) >= FLOORS[key]


def test_dev_set_inspect_keys_are_stable(results):
    keys = ["file", "title", "year", "period", "unit", "unit_level", "region", "sources", "evidence",
            "sections", "errors"]
    for _, out in results:
        assert list(out)[: len(keys)] == keys
        assert all(set(s) >= {"path", "level", "marker", "heading", "kind", "start", "end"} for s in out["sections"])


CN_NUMERALS = str.maketrans("0123456789", "〇一二三四五六七八九")
FIELDS_READ = ("year", "period", "unit", "unit_level", "province", "city", "county")
COPIES = {  # how web copies of one report differ: none of it changes what the report is
    "traditional": lambda t: _s2t().convert(t),
    "ascii punctuation": lambda t: t.translate(str.maketrans("，：；（）！？", ",:;()!?")),
    "full-width digits": lambda t: t.translate(str.maketrans("0123456789", "０１２３４５６７８９")),
    "years in Chinese numerals": lambda t: re.sub(r"((?:19|20)\d{2})(?=年)", lambda m: m.group(1).translate(CN_NUMERALS), t),
    "a space before 年": lambda t: re.sub(r"((?:19|20)\d{2})年", r"\1 年", t),
    "no-break spaces": lambda t: clean_text(t.replace(" ", "\u00a0")),
    "blank lines": lambda t: t.replace("\n", "\n\n"),
    "indented": lambda t: "\n".join("\u3000\u3000" + line for line in t.split("\n")),
    "behind a site header": lambda t: clean_web("当前位置：首页 » 工作总结\n发布时间：2021-03-02 09:15  来源：本站\n" + t)[0],
    "hard-wrapped": lambda t: "\n".join(line[i: i + 36] for line in t.split("\n") for i in range(0, len(line) or 1, 36)),
}


def _s2t():
    import opencc  # opencc-python-reimplemented: its converter is slow but exact; fine for 65 excerpts

    return opencc.OpenCC("s2t")


def _fields(text: str) -> dict:
    meta = infer_metadata(text, split_sections(text))
    return {k: to_simplified(meta[k]) if isinstance(meta[k], str) else meta[k] for k in FIELDS_READ}


@pytest.mark.parametrize("copy", list(COPIES))
def test_a_copy_of_every_dev_report_gives_the_same_metadata(copy):
    changed = []
    for path in sorted((DEV / "reports").glob("*.txt")):
        text = read_report(path).text
        before, after = _fields(text), _fields(COPIES[copy](text))
        changed += [(path.name, k, before[k], after[k]) for k in FIELDS_READ if before[k] != after[k]]
    assert changed == []


def _first_line(t: str, frame: str) -> str:
    head, _, rest = t.partition("\n")
    return frame.replace("T", head) + "\n" + rest


TITLE_FRAMES = {  # how a site dresses a title; a report with no title word may lose its unit, never change it
    "bracketed": "【T】",
    "tagged": "【精品】T",
    "in book marks": "《T》",
    "with a site name": "T_某某范文网",
    "with a dashed site name": "T - 百度文库",
}


@pytest.mark.parametrize("frame", list(TITLE_FRAMES))
def test_a_dressed_title_never_changes_what_the_metadata_says(frame):
    changed, lost = [], []
    for path in sorted((DEV / "reports").glob("*.txt")):
        text = read_report(path).text
        before, after = _fields(text), _fields(_first_line(text, TITLE_FRAMES[frame]))
        changed += [(path.name, k, before[k], after[k]) for k in FIELDS_READ
                    if after[k] is not None and before[k] != after[k]]
        lost += [(path.name, k) for k in FIELDS_READ if after[k] is None and before[k] is not None]
    assert changed == []
    assert len(lost) <= 2
