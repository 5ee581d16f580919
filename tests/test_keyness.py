"""Keyness (log-odds with a Dirichlet prior, G²), rank shift, term timeline, distinctive and top terms."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.parse.masks import MASK_RE
from analysis.query.filters import Filter
from analysis.schema import assert_table
from analysis.tables.keyness import (
    DISTINCTIVE,
    RANK_SHIFT,
    TERM_SHIFT,
    TERM_TIMELINE,
    TOP_TERMS,
    chi2_sf_1df,
    distinctive,
    rank_shift,
    term_shift,
    term_timeline,
    top_terms,
    wordcloud_frequencies,
)
from tests.analysis_fixtures import tables as fixture_tables

A, B = Filter(years=(2020,)), Filter(years=(2023,))


def mini_tables(counts: dict[str, dict[str, int]], years: dict[str, int], chars: dict[str, int] | None = None):
    """One section per document, of ``chars`` characters, with the given term counts."""
    docs, secs, terms = [], [], []
    for doc_id, year in years.items():
        n = (chars or {}).get(doc_id, 1000)
        docs.append({"doc_id": doc_id, "file": f"{doc_id}.txt", "unit": "甲", "unit_level": "city", "region": None,
                     "year": year, "period": "annual", "chars": n})
        secs.append({"section_id": f"{doc_id}/0", "doc_id": doc_id, "path": "0", "kind": "preamble", "heading": "",
                     "start": 0, "end": n, "text": "字" * n})
        terms += [{"doc_id": doc_id, "section_id": f"{doc_id}/0", "term": t, "count": c}
                  for t, c in counts.get(doc_id, {}).items() if c]
    documents = pd.DataFrame(docs).astype({"year": "Int64"})
    return SimpleNamespace(documents=documents, sections=pd.DataFrame(secs),
                           terms=pd.DataFrame(terms, columns=["doc_id", "section_id", "term", "count"]))


TINY = mini_tables({"x": {"疫情": 3, "宣传": 5}, "y": {"二十大": 2, "宣传": 4, "疫情": 1}}, {"x": 2020, "y": 2023},
                   chars={"x": 400, "y": 500})


def hand_g2(y_a: float, y_b: float, n_a: float, n_b: float) -> float:
    observed = [[y_b, y_a], [n_b - y_b, n_a - y_a]]
    rows, cols, total = [y_a + y_b, n_a + n_b - y_a - y_b], [n_b, n_a], n_a + n_b
    g2 = 0.0
    for i in range(2):
        for j in range(2):
            o, e = observed[i][j], rows[i] * cols[j] / total
            g2 += o * math.log(o / e) if o else 0.0
    return 2 * g2


@pytest.mark.parametrize("term, y_a, y_b", [("疫情", 3, 1), ("宣传", 5, 4), ("二十大", 0, 2)])
def test_term_shift_matches_hand_computed_z_and_g2(term, y_a, y_b):
    # background (corpus) counts: 疫情 4, 宣传 9, 二十大 2 (15 in all); with alpha0 = 15, alpha_w = the count
    alpha = {"疫情": 4.0, "宣传": 9.0, "二十大": 2.0}[term]
    alpha0, n_a, n_b = 15.0, 8.0, 7.0
    delta = math.log((y_b + alpha) / (n_b + alpha0 - y_b - alpha)) - math.log((y_a + alpha) / (n_a + alpha0 - y_a - alpha))
    z = delta / math.sqrt(1 / (y_b + alpha) + 1 / (y_a + alpha))
    g2 = hand_g2(y_a, y_b, n_a, n_b) * (1 if y_b / n_b > y_a / n_a else -1)
    row = term_shift(TINY, A, B, alpha0=alpha0).set_index("term").loc[term]
    assert row["delta"] == pytest.approx(delta, abs=1e-9)
    assert row["z"] == pytest.approx(z, abs=1e-9)
    assert row["g2"] == pytest.approx(g2, abs=1e-9)
    assert row["p"] == pytest.approx(math.erfc(math.sqrt(abs(g2) / 2)), abs=1e-12)
    assert (row["n_a"], row["n_b"]) == (y_a, y_b)
    assert row["per_10k_a"] == pytest.approx(y_a * 10_000 / 400)
    assert row["per_10k_b"] == pytest.approx(y_b * 10_000 / 500)


def test_term_shift_flags_new_and_dropped_terms():
    df = term_shift(TINY, A, B).set_index("term")
    assert_table(df.reset_index(), TERM_SHIFT, "term_shift")
    assert df.loc["二十大", "is_new"] and not df.loc["二十大", "is_dropped"]
    assert not df.loc["宣传", "is_new"] and not df.loc["宣传", "is_dropped"]
    dropped = term_shift(TINY, B, A).set_index("term")
    assert dropped.loc["二十大", "is_dropped"] and not dropped.loc["二十大", "is_new"]


def test_term_shift_sorted_by_z_and_top_keeps_both_ends():
    full = term_shift(TINY, A, B)
    assert full["z"].is_monotonic_decreasing
    cut = term_shift(TINY, A, B, top=1)
    assert cut["term"].tolist() == [full["term"].iloc[0], full["term"].iloc[-1]]


def test_term_shift_group_without_reports_is_an_error():
    with pytest.raises(ValueError, match="group B"):
        term_shift(TINY, A, Filter(years=(1999,)))


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(st.sampled_from("甲乙丙丁戊己"), st.integers(0, 30), min_size=1),
       st.dictionaries(st.sampled_from("甲乙丙丁戊己"), st.integers(0, 30), min_size=1),
       st.sampled_from(["corpus", "pooled", "uniform"]), st.floats(0.5, 5000))
def test_term_shift_swap_negates_scores(left, right, prior, alpha0):
    if not any(left.values()) or not any(right.values()) or len({t for d in (left, right) for t, c in d.items() if c}) < 2:
        return   # an empty group is an error; a one-term vocabulary leaves the log-odds undefined
    t = mini_tables({"x": left, "y": right}, {"x": 2020, "y": 2023})
    ab = term_shift(t, A, B, prior=prior, alpha0=alpha0).set_index("term").sort_index()
    ba = term_shift(t, B, A, prior=prior, alpha0=alpha0).set_index("term").sort_index()
    for col in ("delta", "z", "g2"):
        assert ab[col].to_numpy() == pytest.approx(-ba[col].to_numpy(), abs=1e-9)
    assert (ab["n_a"] == ba["n_b"]).all() and (ab["is_new"] == ba["is_dropped"]).all()


def test_term_shift_of_a_group_with_itself_is_zero():
    df = term_shift(TINY, A, A)
    assert df["delta"].abs().max() == pytest.approx(0, abs=1e-12)
    assert df["g2"].abs().max() == pytest.approx(0, abs=1e-12)


@pytest.mark.parametrize("x, p", [(0.0, 1.0), (3.841458820694124, 0.05), (6.634896601021214, 0.01)])
def test_chi2_sf_1df_known_quantiles(x, p):
    assert chi2_sf_1df(x) == pytest.approx(p, abs=1e-12)


def test_rank_shift_ranks_and_changes():
    df = rank_shift(fixture_tables(), 2020, 2021, top=3)
    assert_table(df, RANK_SHIFT, "rank_shift")
    rows = df.set_index("term")
    # 2020 (d1): 疫情 2, 防控 2, then five terms once; 2021 (d2, d3): 文明城市 and 志愿服务 lead with the others
    assert rows.loc["疫情", "rank_a"] == 1 and pd.isna(rows.loc["疫情", "rank_b"]) and rows.loc["疫情", "is_dropped"]
    assert (rows.loc["志愿服务", "rank_a"], rows.loc["志愿服务", "rank_b"], rows.loc["志愿服务", "rank_change"]) == (3, 1, 2)
    assert rows.loc["阅读", "is_new"] and pd.isna(rows.loc["阅读", "rank_a"])
    assert rows.loc["疫情", "per_10k_a"] == pytest.approx(2 * 10_000 / _chars(2020))


def test_rank_shift_unknown_year_lists_the_valid_ones():
    with pytest.raises(ValueError, match="2020, 2021, 2023"):
        rank_shift(fixture_tables(), 2020, 2019)


def _chars(year: int) -> int:
    t = fixture_tables()
    ids = set(t.documents.loc[t.documents["year"] == year, "doc_id"])
    return int(t.sections.loc[t.sections["doc_id"].isin(ids), "text"].str.len().sum())


def test_term_timeline_first_and_last_year():
    df = term_timeline(fixture_tables(), dictionary=["二十大", "志愿服务", "理论学习中心组", "从未出现"])
    assert_table(df, TERM_TIMELINE, "term_timeline")
    rows = df.set_index("term")
    assert "从未出现" not in rows.index
    assert (rows.loc["二十大", "first_year"], rows.loc["二十大", "last_year"], rows.loc["二十大", "n_docs"]) == (2023, 2023, 1)
    assert (rows.loc["志愿服务", "first_year"], rows.loc["志愿服务", "last_year"]) == (2020, 2021)
    assert rows.loc["理论学习中心组", "n_years"] == 2 and rows.loc["理论学习中心组", "years"] == "2020,2021"


def test_term_timeline_reads_a_jieba_user_dictionary(tmp_path):
    path = tmp_path / "userdict.txt"
    path.write_text("# comment\n二十大 2000 nz\n文明城市 nz\n\n不存在的词\n", encoding="utf-8")
    df = term_timeline(fixture_tables(), dictionary=path, include_absent=True)
    assert df["term"].tolist() == ["文明城市", "二十大", "不存在的词"]
    assert pd.isna(df["first_year"].iloc[-1]) and df["n_docs"].iloc[-1] == 0


def test_term_timeline_respects_the_filter():
    df = term_timeline(fixture_tables(), dictionary=["志愿服务"], flt=Filter(kinds=("plans",)))
    assert (df["first_year"].iloc[0], df["last_year"].iloc[0]) == (2020, 2020)


@pytest.mark.parametrize("measure", ["tfidf", "logodds"])
def test_distinctive_per_document(measure):
    df = distinctive(fixture_tables(), by="document", top=2, measure=measure)
    assert_table(df, DISTINCTIVE, "distinctive")
    assert df.groupby("group")["rank"].max().max() <= 2
    firsts = df[df["rank"] == 1].set_index("group")["term"]
    assert firsts["d1"] in {"疫情", "防控"}   # the pandemic terms are d1's own
    assert df.loc[df["group"] == "d1", "group_label"].iloc[0] == "d1.txt"


def test_distinctive_per_unit_puts_district_terms_first():
    df = distinctive(fixture_tables(), by="unit", top=None, measure="logodds")
    district = df[df["group"] == "乙区委宣传部"]
    assert set(district.head(3)["term"]) == {"惠民", "演出", "阅读"}
    assert (district["z"] > 0).all()


def test_distinctive_unknown_by_lists_the_valid_ones():
    with pytest.raises(ValueError, match="'unit'"):
        distinctive(fixture_tables(), by="colour")


def test_top_terms_overall_and_per_year():
    t = fixture_tables()
    overall = top_terms(t, top=3)
    assert_table(overall, TOP_TERMS, "top_terms")
    assert overall["count"].tolist() == [2, 2, 2] and set(overall["group"]) == {"全部"}
    by_year = top_terms(t, by="year", top=None, weighting="per_10k")
    row = by_year[(by_year["group"] == "2020") & (by_year["term"] == "疫情")].iloc[0]
    assert row["rank"] == 1 and row["per_10k"] == pytest.approx(2 * 10_000 / _chars(2020))
    assert by_year.loc[by_year["group"] == "2021", "count"].sum() == 7


def test_top_terms_kind_filter():
    df = top_terms(fixture_tables(), Filter(kinds=("plans",)), top=None)
    assert set(df["term"]) == {"文明城市", "志愿服务", "文艺"}


# ---------------------------------------------------------------------------------------------- on the seeds


def test_term_shift_seeds_2020_to_2023(seed_tables):
    df = term_shift(seed_tables, Filter(years=(2020,)), Filter(years=(2023,)))
    rows = df.set_index("term")
    # jieba keeps 党的二十大 whole (user dictionary); the synonym list counts it as 二十大: one term that rises
    assert "二十大" in df.head(20)["term"].tolist() and "党的二十大" not in rows.index
    assert rows.loc["二十大", "z"] > 0 and rows.loc["二十大", "g2"] > 0 and rows.loc["二十大", "is_new"]
    assert "疫情防控" in df.tail(5)["term"].tolist()
    assert rows.loc["疫情防控", "z"] < -1.96 and rows.loc["疫情防控", "g2"] < 0 and rows.loc["疫情防控", "p"] < 0.05


def test_wordcloud_frequencies_seeds_have_no_masks_or_stopwords(seed_tables):
    from analysis.parse.segment import DEFAULT_STOPWORDS, load_wordlist

    freqs = wordcloud_frequencies(seed_tables, top=500)
    assert len(freqs) == min(500, seed_tables.terms["term"].nunique())
    stop = load_wordlist(DEFAULT_STOPWORDS)
    assert not [t for t in freqs if MASK_RE.search(t) or t in stop]
    assert list(freqs.values()) == sorted(freqs.values(), reverse=True)


def test_rank_shift_seeds(seed_tables):
    df = rank_shift(seed_tables, 2022, 2023, top=20)
    assert df["rank_a"].notna().sum() >= 20 and df["rank_b"].notna().sum() >= 20
    assert ((df["rank_a"] <= 20) | (df["rank_b"] <= 20)).all()


def test_term_timeline_seeds(seed_tables):
    df = term_timeline(seed_tables).set_index("term")
    assert df.loc["二十大", "last_year"] == 2023
    assert df["n_docs"].between(1, 5).all()
