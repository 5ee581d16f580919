"""Filter values within the other fields, and the note for a filter that matches nothing."""

from __future__ import annotations

import pandas as pd

from analysis.query.facets import empty_note, facet_options, widen
from analysis.query.filters import Filter

DOCS = pd.DataFrame({"doc_id": ["a", "b", "c"], "unit": ["市政府", "区委宣传部", "区委宣传部"],
                     "unit_level": ["city", "district", "district"], "region": [None, "海淀区", None],
                     "year": pd.array([2023, 2022, 2020], dtype="Int64"), "period": ["annual", "annual", "H1"]})


def test_facets_offer_only_values_that_select_something_within_the_other_fields():
    opts = facet_options(DOCS, Filter(levels=("district",)))
    assert opts["units"] == ["区委宣传部"] and opts["levels"] == ["city", "district"]
    assert opts["periods"] == ["H1", "annual"]
    assert facet_options(DOCS, Filter(year_from=2021))["periods"] == ["annual"]


def test_facets_keep_what_is_chosen():
    assert "市政府" in facet_options(DOCS, Filter(units=("市政府",), levels=("district",)))["units"]


def test_empty_note_says_what_matched_nothing_and_what_to_drop():
    assert empty_note(DOCS, Filter(units=("市政府",))) is None
    note = empty_note(DOCS, Filter(units=("市政府",), year_to=2022))
    assert note.startswith("当前筛选（") and "没有匹配的报告" in note
    assert "去掉“年份”条件可得 1 份报告" in note and "去掉“单位”条件可得 2 份报告" in note


def test_widen_shows_the_uploaded_reports_and_says_how():
    docs = DOCS.assign(file=["a.txt", "b.txt", "new.txt"])
    flt, note = widen(Filter(year_from=2021, units=("市政府",)), docs, ["new.txt"])
    assert "c" in set(flt.apply(docs)["doc_id"]) and {"a"} < set(flt.apply(docs)["doc_id"])
    assert note == "已放宽筛选，以显示刚上传的报告：年份从 2020 年起；单位加入 区委宣传部"
    assert widen(Filter(), docs, ["new.txt"]) == (Filter(), None)
