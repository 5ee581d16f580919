"""KWIC concordance: matches, context, offsets in the cleaned document, masks as written, filters."""

from __future__ import annotations

import re
import time
from types import SimpleNamespace

import pandas as pd
import pytest

from analysis.query.filters import Filter
from analysis.schema import assert_table
from analysis.tables.kwic import KWIC, document_texts, kwic, kwic_count, parse_query
from tests.analysis_fixtures import tables as fixture_tables


@pytest.mark.parametrize("query, terms", [
    ("二十大", ["二十大"]),
    ("疫情防控 复工复产", ["复工复产", "疫情防控"]),
    ("清朗|网络舆情｜清朗", ["网络舆情", "清朗"]),
    ("  文明  ", ["文明"]),
])
def test_parse_query_splits_on_spaces_and_bars(query, terms):
    assert parse_query(query) == terms


@pytest.mark.parametrize("query", ["", "  ", "|"])
def test_parse_query_empty_is_an_error(query):
    with pytest.raises(ValueError, match="empty"):
        parse_query(query)


def test_kwic_offsets_point_at_the_match_in_the_document():
    t = fixture_tables()
    texts = document_texts(t.sections)
    df = kwic(t, "宣传", window=5)
    assert_table(df, KWIC, "kwic")
    assert len(df) == sum(text.count("宣传") for text in texts.values())
    for row in df.itertuples():
        text = texts[row.doc_id]
        assert text[row.start:row.end] == row.match == "宣传"
        assert text[row.start - len(row.left):row.start].replace("\n", " ") == row.left
        assert text[row.end:row.end + len(row.right)].replace("\n", " ") == row.right
        assert len(row.left) == min(5, row.start) and len(row.right) <= 5
        sec = t.sections.set_index("section_id").loc[row.section_id]
        assert sec["start"] <= row.start < sec["end"] and row.path == sec["path"]


def test_kwic_or_query_and_document_order():
    df = kwic(fixture_tables(), "演出|二十大", window=3)
    assert df["match"].tolist() == ["演出", "演出", "二十大"]
    assert df["doc_id"].tolist() == ["d2", "d3", "d4"]
    assert df["file"].tolist() == ["d2.txt", "d3.txt", "d4.txt"]


def test_kwic_shows_masks_as_written():
    df = kwic(fixture_tables(), "惠民演出", window=3)
    d3 = df[df["doc_id"] == "d3"].iloc[0]
    assert d3["right"] == "**场"
    assert kwic(fixture_tables(), "XX有礼")["match"].tolist() == ["XX有礼"]


def test_kwic_context_crosses_lines_as_spaces():
    df = kwic(fixture_tables(), "文明城市创建成效", window=10)
    assert df.iloc[0]["left"] == "。一、工作开展情况 "   # from the preamble, across a line break


def test_kwic_filter_by_kind_and_year():
    t = fixture_tables()
    assert kwic(t, "文明城市", flt=Filter(kinds=("plans",)))["section_id"].tolist() == ["d1/2"]
    assert kwic(t, "文明城市", flt=Filter(years=(2021,)))["doc_id"].tolist() == ["d2"]
    assert kwic(t, "不存在").empty and list(kwic(t, "不存在").columns) == list(KWIC)


def test_kwic_top_limits_rows():
    assert len(kwic(fixture_tables(), "宣传", top=2)) == 2


def test_kwic_is_linear_in_corpus_size():
    def corpus(n: int):
        text = "开展主题宣传活动，推进文明实践。" * 50
        secs = pd.DataFrame([{"section_id": f"d{i}/0", "doc_id": f"d{i}", "path": "0", "heading": "", "kind": "preamble",
                              "start": 0, "end": len(text), "text": text} for i in range(n)])
        docs = pd.DataFrame([{"doc_id": f"d{i}", "file": f"d{i}.txt", "unit": "u", "unit_level": "city",
                              "region": None, "year": 2023, "period": "annual"} for i in range(n)])
        return SimpleNamespace(documents=docs, sections=secs, terms=None)

    def timed(n: int) -> float:
        t = corpus(n)
        start = time.perf_counter()
        assert len(kwic(t, "宣传 文明")) == 100 * n
        return time.perf_counter() - start

    timed(20)
    small, large = min(timed(50) for _ in range(2)), min(timed(400) for _ in range(2))
    assert large < small * 8 * 3   # 8× the corpus: well under quadratic growth (64×)


# ------------------------------------------------------------------------------------------------ against the plain scan


def plain_kwic(tables, query: str, *, flt: Filter, window: int = 30, top: int | None = None):
    """Every selected section scanned in its rebuilt document (the simple computation, no skipping)."""
    from analysis.tables.keyness import select_sections

    pattern = re.compile("|".join(re.escape(t) for t in parse_query(query)))
    chosen = select_sections(tables, flt)
    texts = document_texts(tables.sections.loc[tables.sections["doc_id"].isin(set(chosen["doc_id"]))])
    files = tables.documents.set_index("doc_id")["file"]
    order = {d: i for i, d in enumerate(tables.documents["doc_id"])}
    chosen = chosen.assign(_o=chosen["doc_id"].map(order)).sort_values(["_o", "start"], kind="mergesort")
    rows = []
    for sec in chosen.itertuples(index=False):
        text = texts[sec.doc_id]
        for m in pattern.finditer(text, int(sec.start), int(sec.end)):
            s, e = m.start(), m.end()
            rows.append({"doc_id": sec.doc_id, "file": files.get(sec.doc_id), "section_id": sec.section_id,
                         "path": sec.path, "heading": sec.heading, "start": s, "end": e,
                         "left": text[max(0, s - window):s].replace("\n", " "), "match": m.group(),
                         "right": text[e:e + window].replace("\n", " ")})
    out = pd.DataFrame(rows[:top] if top is not None else rows, columns=list(KWIC))
    return out.astype({"start": "int64", "end": "int64"})


def many_docs(n: int = 40):
    """``n`` small reports, the query in some; d5 has a gap and an overlap, d7 a null text (not tiled)."""
    docs, secs = [], []
    for i in range(n):
        parts = ["前言部分。\n", f"一、工作{'宣传' if i % 3 == 0 else '建设'}情况\n", "文明实践，宣传到位。" if i % 4 else "无关。"]
        start = 0
        for j, text in enumerate(parts):
            if i == 5 and j == 1:
                start += 2          # a gap
            if i == 5 and j == 2:
                start -= 1          # an overlap
            secs.append({"section_id": f"d{i}/{j}", "doc_id": f"d{i}", "path": str(j), "heading": "",
                         "kind": ("preamble", "achievements", "plans")[j], "start": start,
                         "end": start + len(text), "text": None if (i == 7 and j == 2) else text})
            start += len(text)
        docs.append({"doc_id": f"d{i}", "file": f"d{i}.txt", "unit": "u", "unit_level": "city" if i % 2 else "county",
                     "region": None, "year": 2020 + i % 3, "period": "annual"})
    return SimpleNamespace(documents=pd.DataFrame(docs).iloc[::-1].reset_index(drop=True),
                           sections=pd.DataFrame(secs), terms=None)


@pytest.mark.parametrize("query", ["宣传", "宣传|实践", "到位。\n一", "工作", "不存在"])
@pytest.mark.parametrize("flt", [Filter(), Filter(kinds=("plans",)), Filter(levels=("city",), years=(2021,))])
@pytest.mark.parametrize("top", [None, 1, 7, 30])
def test_kwic_equals_the_plain_scan(query, flt, top):
    t = many_docs()
    pd.testing.assert_frame_equal(kwic(t, query, flt=flt, window=4, top=top),
                                  plain_kwic(t, query, flt=flt, window=4, top=top))


@pytest.mark.parametrize("query", ["宣传", "宣传|实践", "到位。\n一", "工作", "不存在", "a.b"])
@pytest.mark.parametrize("flt", [Filter(), Filter(kinds=("plans",)), Filter(levels=("city",), years=(2021,))])
def test_kwic_count_is_the_number_of_lines(query, flt):
    """The page said 共 1000 处 where there were 1,382: the count is that of every line, not of those shown."""
    t = many_docs()
    assert kwic_count(t, query, flt=flt) == len(plain_kwic(t, query, flt=flt))


@pytest.mark.parametrize("query", ["二十大", "宣传 文明", "的"])
def test_kwic_count_on_the_seeds(seed_tables, query):
    from analysis.words.themes import load_codebook, with_themes

    themed = with_themes(seed_tables, load_codebook())
    for flt in (Filter(), Filter(kinds=("achievements",)), Filter(themes=(load_codebook().ids[0],))):
        assert kwic_count(themed, query, flt=flt) == len(kwic(themed, query, flt=flt)) > 0
