"""Tests of analysis.query.filters: selecting documents and sections, URL round trip, CLI spec, Chinese description."""

from __future__ import annotations

import pandas as pd
import pytest
from analysis_fixtures import documents, sections
from hypothesis import given
from hypothesis import strategies as st

from analysis.query.filters import FILTER_KEYS, Filter, validate_filter


@pytest.mark.parametrize(("flt", "expected"), [
    (Filter(), {"d1", "d2", "d3", "d4"}),
    (Filter(years=(2021,)), {"d2", "d3"}),
    (Filter(year_from=2021), {"d2", "d3", "d4"}),
    (Filter(year_to=2021), {"d1", "d2", "d3"}),
    (Filter(year_from=2021, year_to=2021), {"d2", "d3"}),
    (Filter(levels=("district",)), {"d3"}),
    (Filter(levels=("市级",)), {"d1", "d2", "d4"}),
    (Filter(periods=("H1",)), {"d1"}),
    (Filter(units=("甲市委宣传部",), years=(2021, 2023)), {"d2", "d4"}),
    (Filter(regions=("乙区",)), {"d3"}),
    (Filter(regions=("丙县",)), set()),
])
def test_apply_selects_documents(flt, expected):
    assert flt.doc_ids(documents()) == expected
    assert set(flt.apply(documents())["doc_id"]) == expected


def test_apply_year_filter_drops_undated_documents():
    docs = documents()
    docs.loc[0, "year"] = pd.NA
    assert "d1" not in Filter(year_to=2030).doc_ids(docs)
    assert "d1" in Filter().doc_ids(docs)


def test_apply_does_not_mutate_input():
    docs = documents()
    before = docs.copy()
    Filter(years=(2021,)).apply(docs)
    pd.testing.assert_frame_equal(docs, before)


def test_apply_sections_by_kind():
    out = Filter(years=(2020,), kinds=("plans",)).apply_sections(sections(), documents())
    assert list(out["section_id"]) == ["d1/2"]


def test_apply_sections_by_theme_uses_dominant_theme_or_hits():
    profile = pd.DataFrame({"section_id": ["d1/1.1", "d1/1.2"], "dominant_theme": ["epidemic", "theory"]})
    out = Filter(themes=("theory",)).apply_sections(sections(), documents(), section_themes=profile)
    assert list(out["section_id"]) == ["d1/1.2"]
    hits = pd.DataFrame({"section_id": ["d1/1.1", "d1/1.2", "d2/1"], "theme": ["epidemic", "theory", "theory"],
                         "hits": [2, 1, 0]})
    out = Filter(themes=("theory",)).apply_sections(sections(), documents(), section_themes=hits)
    assert list(out["section_id"]) == ["d1/1.2"]


def test_apply_sections_theme_without_themes_raises():
    with pytest.raises(ValueError, match="section_themes"):
        Filter(themes=("theory",)).apply_sections(sections(), documents())


def test_filter_normalises_and_is_hashable():
    a = Filter(units=("B", "A", "A", " "), years=(2021, 2020), periods=("上半年",))
    assert a == Filter(units=("A", "B"), years=(2020, 2021), periods=("H1",))
    assert len({a, Filter(units=("A", "B"), years=(2020, 2021), periods=("H1",))}) == 1


def test_filter_rejects_inverted_range():
    with pytest.raises(ValueError, match="year_from=2023 is after year_to=2020"):
        Filter(year_from=2023, year_to=2020)


@pytest.mark.parametrize(("spec", "expected"), [
    ("year=2020,2021;level=city", Filter(years=(2020, 2021), levels=("city",))),
    ("year=2020-2023", Filter(year_from=2020, year_to=2023)),
    ("unit=甲市委宣传部；period=上半年", Filter(units=("甲市委宣传部",), periods=("H1",))),
    ("kind=plans;theme=epidemic,theory", Filter(kinds=("plans",), themes=("epidemic", "theory"))),
    ("year_from=2021", Filter(year_from=2021)),
    ("", Filter()),
])
def test_parse_spec(spec, expected):
    assert Filter.parse(spec) == expected


@pytest.mark.parametrize("spec", ["colour=red", "year", "year=twenty", "year_from=2020,2021"])
def test_parse_bad_spec_raises(spec):
    with pytest.raises(ValueError) as err:
        Filter.parse(spec)
    if spec in ("colour=red", "year"):
        assert all(k in str(err.value) for k in FILTER_KEYS)


@pytest.mark.parametrize(("flt", "expected"), [
    (Filter(), "全部报告"),
    (Filter(year_from=2022, year_to=2023, levels=("city",)), "年份：2022–2023；层级：市级"),
    (Filter(years=(2020, 2023), units=("甲", "乙")), "年份：2020、2023；单位：乙、甲"),
    (Filter(year_from=2021, kinds=("plans",)), "年份：2021年起；段落类型：工作计划"),
])
def test_describe_zh(flt, expected):
    assert flt.describe_zh() == expected


def test_describe_zh_theme_names():
    assert Filter(themes=("epidemic",)).describe_zh(theme_names={"epidemic": "疫情防控"}) == "主题：疫情防控"


def test_to_query_only_set_keys():
    assert Filter(years=(2020,), units=("a,b",)).to_query() == {"year": "2020", "unit": "a\\,b"}
    assert Filter().to_query() == {}


def test_from_query_ignores_other_keys_and_takes_lists():
    assert Filter.from_query({"page": "terms", "year": ["2020", "2021"]}) == Filter(years=(2020, 2021))


def test_validate_filter_lists_valid_values():
    validate_filter(Filter(years=(2021,), units=("乙区委宣传部",)), documents())
    with pytest.raises(ValueError, match="2020, 2021, 2023"):
        validate_filter(Filter(years=(2019,)), documents())
    with pytest.raises(ValueError, match="乙区委宣传部"):
        validate_filter(Filter(units=("丙",)), documents())
    with pytest.raises(ValueError, match="'plans'"):
        validate_filter(Filter(kinds=("wishes",)), documents())
    with pytest.raises(ValueError, match="'theory'"):
        validate_filter(Filter(themes=("x",)), documents(), themes=["theory"])


_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=8)
_years = st.integers(min_value=1990, max_value=2040)


@st.composite
def filters(draw):
    lo = draw(st.none() | _years)
    hi = draw(st.none() | _years)
    if lo is not None and hi is not None and lo > hi:
        lo, hi = hi, lo
    tup = st.lists(_text, max_size=3).map(tuple)
    return Filter(year_from=lo, year_to=hi, years=tuple(draw(st.lists(_years, max_size=3))), periods=draw(tup),
                  units=draw(tup), levels=draw(tup), regions=draw(tup), kinds=draw(tup), themes=draw(tup))


@given(filters())
def test_from_query_to_query_round_trip(flt):
    assert Filter.from_query(flt.to_query()) == flt
