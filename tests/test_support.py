"""Support beside every comparison and 同口径 (matched) comparisons, on small hand-made tables.

The corpus: 2022 pools the State Council (国务院, little theory work) with the Party Congress (党代会, much theory
work); 2023 has the State Council alone, which gives theory more room than it did in 2022. Pooled, theory falls
from 2022 to 2023 (the Congress left); matched (the State Council against itself), it rises.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pytest

from analysis.export import EXPORTS, export_table
from analysis.query.filters import Filter
from analysis.tables import coverage, keyness, views
from analysis.tables.support import (
    NO_MATCH,
    SUPPORT,
    comparison_warnings,
    group_support,
    group_warnings,
    matched_filters,
)
from analysis.words.themes import with_themes

THEORY, NEWS = "落实第一议题制度。", "召开新闻发布会。"
# doc_id, unit, level, year, period, text
DOCS = [
    ("s22", "国务院", "province", 2022, "annual", NEWS * 3 + THEORY),
    ("c22", "党代会", "province", 2022, "annual", THEORY * 3 + NEWS),
    ("s23", "国务院", "province", 2023, "annual", NEWS * 3 + THEORY * 2),
]


@dataclass(frozen=True)
class Tiny:
    documents: pd.DataFrame
    sections: pd.DataFrame
    terms: pd.DataFrame


def tiny(docs=DOCS) -> Tiny:
    documents = pd.DataFrame([{"doc_id": d, "file": f"{d}.txt", "title": None, "unit": u, "unit_level": lv,
                               "region": None, "year": y, "period": p, "chars": len(t), "n_sections": 1,
                               "format": "txt", "encoding": "utf-8"} for d, u, lv, y, p, t in docs])
    documents["year"] = documents["year"].astype("Int64")
    sections = pd.DataFrame([{"section_id": f"{d}/0", "doc_id": d, "parent_id": None, "path": "0", "level": 0,
                              "marker_type": "preamble", "ordinal": None, "marker": "", "heading": "",
                              "kind": "preamble", "start": 0, "end": len(t), "span_end": len(t), "chars": len(t),
                              "text": t} for d, _, _, _, _, t in docs])
    sections["ordinal"] = sections["ordinal"].astype("Int64")
    terms = pd.DataFrame([{"doc_id": d, "section_id": f"{d}/0", "term": term, "count": t.count(term)}
                          for d, _, _, _, _, t in docs for term in ("第一议题", "新闻发布会") if term in t])
    return Tiny(documents, sections, terms)


def _theory(shift: pd.DataFrame, year: int) -> pd.Series:
    return shift[(shift["theme"] == "theory") & (shift["year"] == year)].iloc[0]


def test_pooled_and_matched_shifts_have_opposite_signs():
    t = with_themes(tiny())
    pooled = _theory(coverage.theme_shift(t, by="year"), 2023)
    matched = _theory(coverage.theme_shift(t, by="year", matched=True), 2023)
    assert pooled["delta_share"] == pytest.approx(0.4 - 0.5)  # 4 of 8 hits in 2022, 2 of 5 in 2023
    assert matched["delta_share"] == pytest.approx(0.4 - 0.25)  # the State Council: 1 of 4 → 2 of 5
    assert pooled["delta_share"] < 0 < matched["delta_share"]
    assert (pooled["n_reports"], matched["n_reports"]) == (1, 1) and not pooled["matched"] and matched["matched"]
    first = _theory(coverage.theme_shift(t, by="year", matched=True), 2022)  # the first year: pooled, no change
    assert first["n_reports"] == 2 and pd.isna(first["delta_share"])


def test_matched_groups_keep_only_units_and_periods_on_both_sides():
    docs = tiny().documents
    m = matched_filters(docs, Filter(years=(2022,)), Filter(years=(2023,)))
    assert m.units == ("国务院",) and m.periods == ("annual",)
    assert set(m.a.apply(docs)["doc_id"]) == {"s22"} and set(m.b.apply(docs)["doc_id"]) == {"s23"}
    assert (m.dropped_a, m.dropped_b) == (1, 0)
    assert "1 个单位" in m.note_zh() and "A 组去掉 1 份" in m.note_zh()
    # an H1 report does not match an annual one: nothing is left, and both sides select nothing
    h1 = tiny([*DOCS[:2], ("s23", "国务院", "province", 2023, "H1", NEWS)]).documents
    m = matched_filters(h1, Filter(years=(2022,)), Filter(years=(2023,)))
    assert m.units == () and m.a.units == (NO_MATCH,)
    assert m.a.apply(h1).empty and m.b.apply(h1).empty


def test_pair_shift_carries_both_groups_support():
    t = with_themes(tiny())
    pair = coverage.theme_shift(t, groups=(Filter(years=(2022,)), Filter(years=(2023,))))
    row = pair[pair["theme"] == "theory"].iloc[0]
    assert (row["n_reports_a"], row["n_units_a"], row["n_reports_b"], row["n_units_b"]) == (2, 2, 1, 1)
    assert row["chars_a"] == len(DOCS[0][5]) + len(DOCS[1][5]) and row["chars_b"] == len(DOCS[2][5])
    matched = coverage.theme_shift(t, groups=(Filter(years=(2022,)), Filter(years=(2023,))), matched=True)
    assert matched[matched["theme"] == "theory"].iloc[0]["n_reports_a"] == 1


def test_a_one_report_group_is_warned_about_in_words():
    docs = tiny().documents
    warnings = comparison_warnings(docs, Filter(years=(2022,)), Filter(years=(2023,)), names=("2022年", "2023年"))
    assert any("2023年只有 1 份报告" in w for w in warnings)
    assert any("2022年只有 2 份报告" in w for w in warnings)  # 2 reports: still under 3
    sup = group_support(docs, ["year"])
    assert sup.set_index("year")["n_reports"].to_dict() == {2022: 2, 2023: 1}
    assert "2023（1 份）" in group_warnings(sup, "year")[0]


def test_composition_warnings_name_what_differs():
    docs = tiny([*DOCS, ("x23", "某市委宣传部", "city", 2023, "H1", NEWS), ("y23", "某县委", "county", 2023, "H1", NEWS)
                 ]).documents
    warnings = comparison_warnings(docs, Filter(years=(2022,)), Filter(years=(2023,)))
    levels = next(w for w in warnings if w.startswith("两组层级构成不同"))
    assert "A 组省级2份" in levels and "市级1份" in levels
    assert any(w.startswith("两组时段构成不同") and "上半年2份" in w for w in warnings)
    assert any(w.startswith("两组单位重合不到一半") for w in warnings) is False  # 1 shared of the 2 in A
    far = comparison_warnings(docs, Filter(units=("党代会",)), Filter(units=("某市委宣传部", "某县委")))
    assert any(w.startswith("两组单位重合不到一半：共同单位 0 个") for w in far)


def test_overview_changes_need_support_and_rank_by_z():
    t = with_themes(tiny())
    a, b = Filter(years=(2022,)), Filter(years=(2023,))
    assert coverage.theme_change(t, a, b).empty  # one matched report a side: below the minimum of 3
    assert not coverage.theme_change(t, a, b, min_reports=1).empty
    many = tiny([(f"{d}{i}", f"{u}{i}", lv, y, p, text) for i in range(3) for d, u, lv, y, p, text in DOCS])
    changes = coverage.theme_change(with_themes(many), a, b)
    assert changes["z"].abs().is_monotonic_decreasing and set(changes["theme"]) == {"theory", "news"}
    lines = views.theme_change_sentences(changes, "2022年", "2023年")
    assert len(lines) == 2 and lines[0].startswith(changes["theme_name"].iloc[0])
    assert "同口径" in lines[0] and "两年各 3 份报告、3 个单位" in lines[0] and "z = " in lines[0]


GROUPED = {"theme_frequency": {"by": "year"}, "theme_shift": {"by": "year"}, "term_shift": {"groups": True},
           "rank_shift": {"groups": True}, "top_terms": {"by": "year"}, "distinctive": {"by": "year"}}


@pytest.mark.parametrize("name", sorted(GROUPED))
def test_every_grouped_export_has_the_n_columns(name):
    t = with_themes(tiny())
    opts = dict(GROUPED[name])
    if opts.pop("groups", False):
        opts["groups"] = (Filter(years=(2022,)), Filter(years=(2023,)))
    table = export_table(name, t, Filter(), **opts)
    suffixes = ("_a", "_b") if "groups" in opts else ("",)
    for col in SUPPORT:
        for suffix in suffixes:
            assert f"{col}{suffix}" in table.columns, (name, col)
            assert f"{col}{suffix}" in EXPORTS[name].columns, (name, col)
            assert (table[f"{col}{suffix}"] > 0).all()
    if name != "theme_shift":
        return
    pair = export_table(name, t, Filter(), groups=(Filter(years=(2022,)), Filter(years=(2023,))))
    assert {f"{c}_{s}" for c in SUPPORT for s in "ab"} <= set(pair.columns)


def test_term_shift_support_counts_reports_not_terms():
    t = tiny()
    ts = keyness.term_shift(t, Filter(years=(2022,)), Filter(years=(2023,)))
    assert set(ts["n_reports_a"]) == {2} and set(ts["n_reports_b"]) == {1} and set(ts["n_units_a"]) == {2}


def test_overview_changes_compare_like_with_like_and_say_so():
    from analysis.tables.changes import latest_changes

    many = with_themes(tiny([(f"{d}{i}", f"{u}{i}", lv, y, p, text) for i in range(3) for d, u, lv, y, p, text in DOCS]))
    matched = latest_changes(many, Filter())
    theory = next(s for s in matched.sentences if s.startswith("理论武装"))
    assert "升至" in theory and "同口径：两年各 3 份报告、3 个单位" in theory  # the State Councils gave theory more
    pooled = latest_changes(many, Filter(), matched=False)
    theory = next(s for s in pooled.sentences if s.startswith("理论武装"))
    assert "降至" in theory and "2022年 6 份报告（6 个单位）、2023年 3 份报告（3 个单位）" in theory
    assert any("两组单位重合" in w for w in pooled.warnings) is False and "未按同口径" in pooled.note
    assert latest_changes(with_themes(tiny()), Filter()).sentences == []  # 1 matched report a year: no conclusion


def test_exports_compare_like_for_like_on_request():
    t = with_themes(tiny())
    groups = (Filter(years=(2022,)), Filter(years=(2023,)))
    for name in ("term_shift", "rank_shift", "theme_shift"):
        pooled = export_table(name, t, Filter(), groups=groups)
        matched = export_table(name, t, Filter(), groups=groups, matched=True)
        assert (set(pooled["n_reports_a"]), set(matched["n_reports_a"])) == ({2}, {1}), name
    by_year = export_table("theme_shift", t, Filter(), by="year", matched=True)
    assert by_year["matched"].all() and _theory(by_year, 2023)["delta_share"] > 0
