"""Reuse: report-to-report cosine similarity and shared boilerplate passages."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.query.filters import Filter
from analysis.schema import assert_table
from analysis.tables import reuse as reuse_module
from analysis.tables.kwic import document_texts
from analysis.tables.reuse import BOILERPLATE, SIMILARITY, boilerplate, similarity
from tests.analysis_fixtures import tables as fixture_tables


def text_tables(texts: dict[str, list[str]], terms: dict[str, dict[str, int]] | None = None):
    """Documents made of the given section texts (tiling each document), with optional term counts."""
    docs, secs, rows = [], [], []
    for i, (doc_id, parts) in enumerate(texts.items()):
        docs.append({"doc_id": doc_id, "file": f"{doc_id}.txt", "unit": "u", "unit_level": "city", "region": None,
                     "year": 2020 + i, "period": "annual"})
        start = 0
        for j, text in enumerate(parts):
            secs.append({"section_id": f"{doc_id}/{j}", "doc_id": doc_id, "path": str(j), "heading": "",
                         "kind": "plans" if j == len(parts) - 1 and j else "achievements",
                         "start": start, "end": start + len(text), "text": text})
            start += len(text)
        rows += [{"doc_id": doc_id, "section_id": f"{doc_id}/0", "term": t, "count": c}
                 for t, c in (terms or {}).get(doc_id, {}).items()]
    return SimpleNamespace(documents=pd.DataFrame(docs).astype({"year": "Int64"}), sections=pd.DataFrame(secs),
                           terms=pd.DataFrame(rows, columns=["doc_id", "section_id", "term", "count"]))


def test_similarity_matches_hand_computed_cosine():
    t = text_tables({"a": ["甲"], "b": ["乙"], "c": ["丙"]},
                    {"a": {"宣传": 2, "文明": 1}, "b": {"宣传": 1, "网络": 3}, "c": {"演出": 4}})
    df = similarity(t)
    assert_table(df, SIMILARITY, "similarity")
    idf = {term: math.log(4 / (1 + df_)) + 1 for term, df_ in {"宣传": 2, "文明": 1, "网络": 1, "演出": 1}.items()}
    va = {"宣传": 2 * idf["宣传"], "文明": idf["文明"]}
    vb = {"宣传": idf["宣传"], "网络": 3 * idf["网络"]}
    cos = va["宣传"] * vb["宣传"] / math.sqrt(sum(v * v for v in va.values())) / math.sqrt(sum(v * v for v in vb.values()))
    rows = df.set_index(["doc_a", "doc_b"])
    assert rows.loc[("a", "b"), "cosine"] == pytest.approx(cos, abs=1e-12)
    assert rows.loc[("a", "b"), "n_shared_terms"] == 1
    assert rows.loc[("a", "c"), "cosine"] == 0 and rows.loc[("b", "c"), "cosine"] == 0
    assert len(df) == 3 and df["cosine"].is_monotonic_decreasing
    assert rows.loc[("a", "b"), "file_a"] == "a.txt"


def test_similarity_identical_reports_score_one_and_filter_applies():
    t = text_tables({"a": ["x"], "b": ["y"], "c": ["z"]},
                    {"a": {"宣传": 2, "文明": 1}, "b": {"宣传": 2, "文明": 1}, "c": {"演出": 1}})
    df = similarity(t)
    assert df.iloc[0][["doc_a", "doc_b"]].tolist() == ["a", "b"]
    assert df.iloc[0]["cosine"] == pytest.approx(1.0)
    assert len(similarity(t, Filter(years=(2020, 2021)))) == 1


def test_similarity_on_fixture_pairs_every_report_once():
    df = similarity(fixture_tables())
    assert len(df) == 6 and set(zip(df["doc_a"], df["doc_b"])) == {
        ("d1", "d2"), ("d1", "d3"), ("d1", "d4"), ("d2", "d3"), ("d2", "d4"), ("d3", "d4")}
    assert df["cosine"].between(0, 1).all()


SHARED = "举措扎实、成效明显、群众满意的工作格局"   # 19 characters, written for this test


def test_boilerplate_finds_the_maximal_shared_passage_and_where_it_is():
    t = text_tables({"a": [f"今年以来，形成{SHARED}。其他内容甲"],
                     "b": ["一、概况\n", f"我们努力形成{SHARED}，另有乙"]})
    df = boilerplate(t, min_chars=8)
    assert_table(df, BOILERPLATE, "boilerplate")
    assert df["passage"].unique().tolist() == [f"形成{SHARED}"]   # maximal: not its sub-n-grams
    texts = document_texts(t.sections)
    for row in df.itertuples():
        assert texts[row.doc_id][row.start:row.end] == row.passage
    b = df[df["doc_id"] == "b"].iloc[0]
    assert b["section_id"] == "b/1" and b["start"] == len("一、概况\n") + len("我们努力")
    assert df["n_docs"].tolist() == [2, 2] and df["chars"].iloc[0] == len(SHARED) + 2


def test_boilerplate_lists_every_occurrence_and_a_third_report():
    t = text_tables({"a": [f"{SHARED}。然后{SHARED}！"], "b": [f"甲{SHARED}乙"], "c": [f"丙{SHARED[:10]}丁"]})
    df = boilerplate(t, min_chars=8)
    full = df[df["passage"] == SHARED]
    assert sorted(zip(full["doc_id"], full["start"])) == [("a", 0), ("a", len(SHARED) + 3), ("b", 1)]
    part = df[df["passage"] == SHARED[:10]]
    assert set(part["doc_id"]) == {"a", "b", "c"} and part["n_docs"].iloc[0] == 3
    assert df["passage_id"].iloc[0] == 1 and df["passage"].iloc[0] == SHARED[:10]   # most reports first


def test_boilerplate_skips_masks_and_punctuation_and_short_passages():
    t = text_tables({"a": ["甲**、XX、****、，。……——乙" + "短句相同"], "b": ["丙**、XX、****、，。……——丁" + "短句相同"]})
    assert boilerplate(t, min_chars=12).empty
    assert boilerplate(t, min_chars=4)["passage"].str.contains("短句相同").all()


def test_boilerplate_ignores_repeats_inside_one_report():
    t = text_tables({"a": [f"{SHARED}，{SHARED}"], "b": ["完全不同的文字内容" * 3]})
    assert boilerplate(t, min_chars=8).empty


def test_boilerplate_filter_by_kind():
    t = text_tables({"a": [f"甲{SHARED}", f"下一步{SHARED}"], "b": [f"乙{SHARED}", f"计划{SHARED}"]})
    df = boilerplate(t, Filter(kinds=("plans",)), min_chars=8)
    assert set(df["section_id"]) == {"a/1", "b/1"}


def test_boilerplate_min_chars_must_be_sensible():
    with pytest.raises(ValueError, match="min_chars"):
        boilerplate(fixture_tables(), min_chars=1)


# ---------------------------------------------------------------------------------------------- on the seeds


def test_boilerplate_seeds_000_and_001_share_the_mission_passage(seed_tables):
    df = boilerplate(seed_tables)
    hit = df[df["passage"].str.contains("举旗帜、聚民心、育新人、兴文化、展形象")]
    files = set(hit["file"])
    assert any(f.startswith("000_") for f in files) and any(f.startswith("001_") for f in files)
    texts = document_texts(seed_tables.sections)
    for row in hit.itertuples():
        assert texts[row.doc_id][row.start:row.end] == row.passage


def test_similarity_seeds(seed_tables):
    df = similarity(seed_tables)
    assert len(df) == 10 and df["cosine"].between(0, 1).all() and (df["cosine"] > 0).all()


# ---------------------------------------------------------------------------------- selection size, subsets


def _segment_chars(t, flt) -> int:
    return sum(len(seg[2]) for seg in reuse_module._segments(t, flt))


@pytest.mark.parametrize("flt", [Filter(), Filter(kinds=("plans",)), Filter(years=(2021,)),
                                 Filter(kinds=("achievements",), year_from=2020, year_to=2021)])
def test_selected_chars_equals_the_compared_text(flt):
    t = text_tables({"a": [f"甲{SHARED}", f"下一步{SHARED}"], "b": ["乙", "计划"], "c": ["完全不同的文字"]})
    assert reuse_module.selected_chars(t, flt) == _segment_chars(t, flt)


def test_selected_chars_on_seeds(seed_tables):
    years = sorted(int(y) for y in seed_tables.documents["year"].dropna().unique())
    for flt in (Filter(), Filter(kinds=("plans", "problems")), Filter(years=(years[-1],))):
        assert reuse_module.selected_chars(seed_tables, flt) == _segment_chars(seed_tables, flt)


def test_selected_chars_is_unknown_for_gaps_and_theme_filters():
    t = text_tables({"a": ["甲乙丙", "丁戊"], "b": ["己庚"]})
    assert reuse_module.selected_chars(t, Filter(themes=("news",))) is None
    gap = SimpleNamespace(documents=t.documents, terms=t.terms,
                          sections=t.sections.assign(start=t.sections["start"] + [0, 1, 0]))
    assert reuse_module.selected_chars(gap, Filter()) is None
    assert reuse_module.selected_chars(gap, Filter(years=(2021,))) == 2   # b alone still tiles


def test_boilerplate_refuses_a_large_selection_with_the_exact_size(monkeypatch):
    t = text_tables({"a": [f"甲{SHARED}"], "b": [f"乙{SHARED}"]})
    total = _segment_chars(t, Filter())
    monkeypatch.setattr(reuse_module, "MAX_BOILERPLATE_CHARS", total - 1)
    df = boilerplate(t, min_chars=8)
    assert df.empty and f"{total:,}" in df.attrs["reason"]
    monkeypatch.setattr(reuse_module, "MAX_BOILERPLATE_CHARS", total)
    assert not boilerplate(t, min_chars=8).empty


def test_boilerplate_among_equals_boilerplate_on_those_reports():
    t = text_tables({"a": [f"甲{SHARED}", f"下一步{SHARED}"], "b": [f"乙{SHARED}"], "c": [f"丙{SHARED}"]})
    for flt in (Filter(), Filter(kinds=("plans",)), Filter(years=(2020, 2022))):
        got = reuse_module.boilerplate_among(t, ("c", "a", "zz"), flt, min_chars=8)
        keep = t.documents["doc_id"].isin(["a", "c"])
        part = SimpleNamespace(documents=t.documents[keep].reset_index(drop=True), terms=t.terms,
                               sections=t.sections[t.sections["doc_id"].isin(["a", "c"])].reset_index(drop=True))
        want = boilerplate(part, flt, min_chars=8)
        pd.testing.assert_frame_equal(got, want)
        assert "b" not in set(got["doc_id"])


# ------------------------------------------------------------------------------------------------ fast paths

@settings(max_examples=200, deadline=None)
@given(texts=st.lists(st.text(st.sampled_from(list("ab宣传😀 ")), max_size=40), min_size=1, max_size=6),
       docs=st.lists(st.sampled_from("xyz"), min_size=6, max_size=6), k=st.integers(2, 5),
       most=st.sampled_from([2, 3, 200]), collide=st.booleans())
def test_maximal_matches_equal_the_plain_search(texts, docs, k, most, collide):
    segments = [(docs[s], 0, text, [0], [f"s{s}"]) for s, text in enumerate(texts)]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(reuse_module, "MAX_SEED_OCCURRENCES", most)
        if collide:   # digests that are sums of code points: equal for any anagram, caught by the exact check
            mp.setattr(reuse_module, "_BASE", np.uint64(1))
            mp.setattr(reuse_module, "_BASE_INV", np.uint64(1))
        got = reuse_module.maximal_matches(segments, k)
        want = reuse_module._maximal_matches(segments, k)
    assert {t: w for t, w in got.items() if w} == {t: w for t, w in want.items() if w}


FLTS = [Filter(), Filter(years=(2021,)), Filter(kinds=("plans",)), Filter(kinds=("achievements", "preamble"))]


@pytest.mark.parametrize("flt", FLTS)
def test_segments_indexed_equal_the_plain_segments(flt):
    from analysis.tables.coverage import section_mask

    t = text_tables({"a": ["共同的文字段落在这里", "其他内容", "结尾计划"], "b": ["开头", "共同的文字段落在这里"],
                     "c": ["结尾计划", "其他内容", "共同的文字段落"]})
    assert reuse_module._segments_indexed(t, section_mask(t, flt)) == reuse_module._segments_plain(t, flt)


@pytest.mark.parametrize("flt", [Filter(), Filter(years=(2022, 2023)), Filter(kinds=("plans", "achievements"))])
def test_boilerplate_seeds_fast_equals_plain(seed_tables, flt, monkeypatch):
    from analysis.tables.coverage import section_mask

    assert reuse_module._segments(seed_tables, flt) == reuse_module._segments_plain(seed_tables, flt)
    assert section_mask(seed_tables, flt) is not None
    got = boilerplate(seed_tables, flt, min_chars=15)
    monkeypatch.setattr(reuse_module, "maximal_matches", reuse_module._maximal_matches)
    monkeypatch.setattr(reuse_module, "_segments", reuse_module._segments_plain)
    want = boilerplate(seed_tables, flt, min_chars=15)
    pd.testing.assert_frame_equal(got, want)
    assert len(got)


@pytest.mark.parametrize("flt", FLTS)
def test_segments_indexed_equal_the_plain_segments_when_sections_do_not_tile(flt):
    from analysis.tables.coverage import section_mask

    t = text_tables({"a": ["共同的文字段落在这里", "其他内容", "结尾计划"], "b": ["开头", "共同的文字段落在这里", "再来"],
                     "c": ["结尾计划", "其他内容", "共同的文字段落"]})
    secs = t.sections.copy()
    gap = secs["section_id"] == "b/1"                       # a gap before b/1, and c/1 overlapping c/0
    secs.loc[gap, ["start", "end"]] += 3
    secs.loc[secs["section_id"] == "b/2", ["start", "end"]] += 3
    over = secs["section_id"].isin(["c/1", "c/2"])
    secs.loc[over, ["start", "end"]] -= 2
    t.sections = secs
    assert reuse_module._segments_indexed(t, section_mask(t, flt)) == reuse_module._segments_plain(t, flt)
