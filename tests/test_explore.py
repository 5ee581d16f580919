"""Click-through passages and any word's trend: a clicked number's passages are exactly that number."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from analysis.query.filters import Filter
from analysis.tables import coverage, explore
from analysis.words.themes import with_themes
from tests.analysis_fixtures import tables as fixture_tables


@pytest.fixture(scope="module")
def t():
    return with_themes(fixture_tables())


def test_query_pattern_gaps_and_alternatives():
    pattern = explore.query_pattern("讲好…故事 | 外宣")
    assert re.findall(pattern, "要讲好中国故事。讲好。故事不算。做好外宣") == ["讲好中国故事", "外宣"]
    assert re.findall(explore.query_pattern("二十大 党的二十大"), "学习党的二十大精神") == ["党的二十大"]
    assert re.findall(explore.query_pattern("a.b"), "axb a.b") == ["a.b"]  # not a regex wildcard
    with pytest.raises(ValueError):
        explore.query_pattern(" … ")


def test_word_trend_counts_per_year_with_gaps_and_support(t):
    trend = explore.word_trend(t, "宣传")
    texts = t.sections.merge(t.documents[["doc_id", "year"]], on="doc_id")
    expected = texts.groupby("year")["text"].apply(lambda s: sum(x.count("宣传") for x in s))
    chars = texts.groupby("year")["text"].apply(lambda s: sum(len(x) for x in s))
    assert trend["year"].tolist() == [2020, 2021, 2022, 2023]
    gap = trend.set_index("year").loc[2022]
    assert gap["n_docs"] == 0 and pd.isna(gap["count"]) and np.isnan(gap["per_10k"])
    for year in (2020, 2021, 2023):
        row = trend.set_index("year").loc[year]
        assert row["count"] == expected[year]
        assert row["per_10k"] == pytest.approx(expected[year] * 10_000 / chars[year])
    assert trend.set_index("year").loc[2021, "n_docs"] == 2


def test_word_trend_by_level_and_kind_filter(t):
    trend = explore.word_trend(t, "文明城市 惠民", Filter(kinds=("achievements",)), by="level")
    city = trend[trend["group"] == "市级"].set_index("year")
    assert city.loc[2021, "count"] == 1   # d2's achievements: 文明城市 once (its plans are left out)
    assert city.loc[2020, "count"] == 0   # d1 uses 文明城市 only in its plans
    district = trend[trend["group"] == "区级"].set_index("year")
    assert district.loc[2021, "count"] == 1 and district.loc[2021, "n_docs_using"] == 1


def test_any_string_not_only_dictionary_terms(t):
    trend = explore.word_trend(t, "有声有色")
    assert int(trend["count"].sum()) == 1


@pytest.mark.parametrize("query", ["宣传", "文明城市 志愿服务", "理论…中心组"])
def test_passages_of_a_trend_point_equal_its_count(t, query):
    trend = explore.word_trend(t, query, by="unit")
    for row in trend[trend["n_docs"] > 0].itertuples():
        group = {"year": row.year, **explore.group_of("unit", row.group)}
        found = explore.passages(t, query=query, group=group)
        assert len(found) == row.count, (row.year, row.group)
        assert all(re.fullmatch(explore.query_pattern(query), m) for m in found["match"])


def test_passages_of_a_theme_bar_equal_its_hits(t):
    flt = Filter(kinds=("achievements", "preamble"))
    tf = coverage.theme_frequency(t, flt, by="year")
    assert tf["hits"].sum() > 0
    for row in tf.itertuples():
        found = explore.passages(t, flt, theme=row.theme, group={"year": row.year})
        assert len(found) == row.hits, (row.year, row.theme)


def test_passages_of_a_report_cell_name_report_and_section(t):
    found = explore.passages(t, theme="civilisation", group={"doc_id": "d2"})
    assert set(found["match"]) == {"文明城市", "志愿服务"}
    assert (found["report"] == "甲市委宣传部 · 2021年 · 全年").all()
    assert (found["path"] == "1").all() and (found["file"] == "d2.txt").all()


def test_group_with_missing_value_selects_reports_without_it(t):
    docs = t.documents.copy()
    docs.loc[docs["doc_id"] == "d3", "unit"] = None
    mask = explore.group_mask(docs, {"unit": None})
    assert docs.loc[mask, "doc_id"].tolist() == ["d3"]
    with pytest.raises(ValueError):
        explore.group_mask(docs, {"nonsense": 1})


def test_counts_of_recent_queries_are_kept_and_old_ones_let_go(t):
    first = explore.section_counts(t, explore.query_pattern("宣传"))
    for i in range(explore.KEPT_PATTERNS):
        explore.section_counts(t, explore.query_pattern(f"词{i}"))
    again = explore.section_counts(t, explore.query_pattern("宣传"))
    assert again is not first and (again == first).all()   # recounted, the same
    assert explore.section_counts(t, explore.query_pattern("宣传")) is again
