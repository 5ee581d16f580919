"""Report labels, years with gaps, KWIC sort orders and number formats (analysis.tables.labels)."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.tables.labels import kwic_sorted, p_value, percent, report_labels, years_with_gaps


def _docs(rows):
    return pd.DataFrame(rows, columns=["doc_id", "file", "unit", "year", "period", "region"]).astype({"year": "Int64"})


def test_labels_name_unit_year_period_and_never_the_file():
    docs = _docs([("a", "000_03e71e4c0e7fb2f2.txt", "市委宣传部", 2023, "H1", None),
                  ("b", "001_375888be8f029476.txt", None, None, None, None)])
    assert report_labels(docs).to_dict() == {"a": "市委宣传部 · 2023年 · 上半年", "b": "单位不详 · 年份不详"}


def test_labels_that_would_collide_get_a_short_distinct_suffix_in_file_order():
    docs = _docs([("x", "b.txt", "区委宣传部", 2022, "annual", None), ("y", "a.txt", "区委宣传部", 2022, "annual", None),
                  ("z", "c.txt", "区委宣传部", 2022, "annual", "海淀区"), ("w", "d.txt", "区委宣传部", 2023, "annual", None)])
    labels = report_labels(docs)
    assert labels.is_unique
    assert labels["y"] == "区委宣传部 · 2022年 · 全年（1）" and labels["x"] == "区委宣传部 · 2022年 · 全年（2）"
    assert labels["z"] == "区委宣传部 · 2022年 · 全年 · 海淀区" and labels["w"] == "区委宣传部 · 2023年 · 全年"


def test_labels_of_file_names_sharing_a_long_prefix_stay_distinct():
    """The old axis labels cut file names to 13 characters: 40 reports drew as 10 rows."""
    docs = _docs([(f"d{i}", f"gwr_state-council_{1980 + i}.txt", "国务院", 1980 + i, "annual", None) for i in range(40)])
    assert report_labels(docs).nunique() == 40


def test_years_with_gaps_orders_numerically_and_leaves_missing_years_empty():
    df = pd.DataFrame({"year": ["2023", "1952", "2020", None], "theme": ["t", "t", "u", "t"], "share": [.1, .2, .3, .4]})
    out = years_with_gaps(df, by=["theme"], values=["share"])
    t = out[out["theme"] == "t"]
    assert t["year"].tolist() == list(range(1952, 2024))
    assert t.set_index("year")["share"].dropna().to_dict() == {1952: .2, 2023: .1}
    assert out[out["theme"] == "u"]["share"].notna().sum() == 1 and out["year"].dtype == "int64"


def test_kwic_sorted_by_the_left_context_reads_outwards_from_the_keyword():
    hits = pd.DataFrame({"left": ["甲乙丙", "丙乙甲", "子丙"], "match": ["词"] * 3, "right": ["b", "a", "c"]})
    # the character nearest the keyword first: 丙 (甲乙丙), 丙 then 子 (子丙), 甲 (丙乙甲)
    assert kwic_sorted(hits, "left")["left"].tolist() == ["甲乙丙", "子丙", "丙乙甲"]
    assert kwic_sorted(hits, "right")["right"].tolist() == ["a", "b", "c"]
    with pytest.raises(ValueError, match="position"):
        kwic_sorted(hits, "nonsense")


@pytest.mark.parametrize("p, text", [(4e-31, "<0.001"), (0.0004, "<0.001"), (0.0123, "0.012"), (float("nan"), "")])
def test_p_value_reads_as_people_write_it(p, text):
    assert p_value(p) == text


def test_percent():
    assert percent(0.2213) == "22.1%" and percent(float("nan")) == ""
