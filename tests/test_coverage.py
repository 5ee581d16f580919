"""Tests of analysis.tables.coverage on the hand-made tables (exact values) and on the five seeds (done-when checks)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from analysis_fixtures import FixtureTables, tables
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.query.filters import Filter
from analysis.schema import KINDS, assert_table
from analysis.tables import coverage
from analysis.tables.coverage import (
    KIND_COVERAGE,
    LEDGER,
    PLAN_FOLLOWUP,
    THEME_COVERAGE,
    THEME_FREQUENCY,
    THEME_GAPS,
    THEME_SHIFT,
    kind_coverage,
    kind_slots,
    ledger,
    mask_absent,
    plan_followup,
    section_cube,
    theme_coverage,
    theme_frequency,
    theme_gaps,
    theme_section_cube,
    theme_shift,
)
from analysis.words.themes import load_codebook, section_theme_profile, with_themes

ROOT = Path(__file__).resolve().parent.parent
N_THEMES = len(load_codebook().themes)


@pytest.fixture(scope="module")
def fx():
    """The hand-made tables with theme hits."""
    return with_themes(tables())


def _row(df: pd.DataFrame, **where) -> pd.Series:
    mask = np.ones(len(df), dtype=bool)
    for col, value in where.items():
        mask &= (df[col] == value).to_numpy()
    assert mask.sum() == 1, where
    return df[mask].iloc[0]


# -- theme_frequency -----------------------------------------------------------------------------------------


def test_theme_frequency_by_document_exact_values(fx):
    tf = theme_frequency(fx)
    assert_table(tf, {k: v for k, v in THEME_FREQUENCY.items() if k not in ("unit_level", "region")}, "tf")
    assert len(tf) == 4 * N_THEMES
    row = _row(tf, doc_id="d1", theme="epidemic")
    chars = int(fx.documents.set_index("doc_id").loc["d1", "chars"])
    d1_total = int(fx.theme_hits.loc[fx.theme_hits["doc_id"] == "d1", "hits"].sum())
    # 5 in section 1.1 (heading 1 + body 4); the preamble's 统筹疫情防控和经济社会发展 is a stock phrase (excluded)
    assert row["hits"] == 5
    assert row["chars"] == chars
    assert row["hits_per_10k"] == pytest.approx(5 * 10_000 / chars)
    assert row["share"] == pytest.approx(5 / d1_total)
    d1 = tf[tf["doc_id"] == "d1"]
    assert d1["value"].is_monotonic_decreasing  # sorted by value within the document
    assert d1.iloc[0]["theme"] == "theory"  # 1.2's six theory hits outnumber 1.1's five epidemic hits


def test_theme_frequency_by_year_pools_the_year(fx):
    tf = theme_frequency(fx, by="year", weighting="per_10k")
    row = _row(tf, year=2021, theme="culture")
    assert (row["n_reports"], row["n_units"], row["hits"]) == (2, 2, 4)  # d2 plans 2 + d3 2
    assert row["chars"] == fx.documents.query("year == 2021")["chars"].sum()
    assert row["value"] == row["hits_per_10k"]
    shares = tf.groupby("year")["share"].sum()
    assert np.allclose(shares, 1.0)


def test_theme_frequency_filter_kinds_and_themes(fx):
    tf = theme_frequency(fx, Filter(kinds=("plans",), themes=("civilisation", "culture")), by="unit_year")
    assert set(tf["theme"]) == {"civilisation", "culture"}
    assert _row(tf, unit="甲市委宣传部", year=2020, theme="civilisation")["hits"] == 2
    assert _row(tf, unit="甲市委宣传部", year=2020, theme="civilisation")["chars"] == 37  # the plans section only
    assert _row(tf, unit="乙区委宣传部", year=2021, theme="culture")["hits"] == 0  # d3 has no plans


def test_theme_frequency_computes_hits_when_tables_have_none(fx):
    pd.testing.assert_frame_equal(theme_frequency(tables(), by="year"), theme_frequency(fx, by="year"))


@pytest.mark.parametrize("kwargs", [{"by": "month"}, {"weighting": "tfidf"}])
def test_theme_frequency_bad_option_lists_valid(fx, kwargs):
    with pytest.raises(ValueError, match="options are"):
        theme_frequency(fx, **kwargs)


# -- coverage and gaps ---------------------------------------------------------------------------------------


def test_theme_coverage_character_shares(fx):
    cov = theme_coverage(fx)
    assert_table(cov, THEME_COVERAGE, "theme_coverage")
    d1 = cov[cov["doc_id"] == "d1"].set_index("theme")
    total = fx.documents.set_index("doc_id").loc["d1", "chars"]
    # 1.1 is dominated by epidemic: 41 characters (the preamble's stock phrase is no evidence)
    assert d1.loc["epidemic", "chars"] == 41
    assert d1.loc["epidemic", "share_chars"] == pytest.approx(41 / total)
    assert d1.loc["cyber", "share_chars"] == 0 and d1.loc["cyber", "is_present"]  # mentioned, never dominant
    assert (cov.groupby("doc_id")["share_chars"].sum() <= 1 + 1e-9).all()
    assert (cov["is_present"] == (cov["hits"] > 0)).all()


def test_theme_gaps_lists_untouched_themes(fx):
    gaps = theme_gaps(fx)
    assert_table(gaps, THEME_GAPS, "theme_gaps")
    d3 = set(gaps.loc[gaps["doc_id"] == "d3", "theme"])
    assert d3 == set(load_codebook().ids) - {"culture", "theory"}
    assert gaps.loc[gaps["doc_id"] == "d3", "theme_name"].notna().all()


def test_kind_coverage_shares(fx):
    kc = kind_coverage(fx)
    assert_table(kc, KIND_COVERAGE, "kind_coverage")
    assert len(kc) == 4 * 5
    assert np.allclose(kc.groupby("doc_id")["share_chars"].sum(), 1.0)
    plans = _row(kc, doc_id="d1", kind="plans")
    assert (plans["n_sections"], plans["chars"]) == (1, 37)
    only = kind_coverage(fx, Filter(kinds=("plans",)))
    assert set(only["kind"]) == {"plans"} and _row(only, doc_id="d1")["share_chars"] == plans["share_chars"]


# -- ledger and absent reports -------------------------------------------------------------------------------


def test_ledger_lists_existing_reports(fx):
    led = ledger(fx)
    assert_table(led, LEDGER, "ledger")
    assert list(zip(led["unit"], led["year"], led["period"], led["doc_ids"], strict=True)) == [
        ("乙区委宣传部", 2021, "annual", "d3"), ("甲市委宣传部", 2020, "H1", "d1"),
        ("甲市委宣传部", 2021, "annual", "d2"), ("甲市委宣传部", 2023, "annual", "d4")]
    assert led["n_docs"].sum() == 4


def test_mask_absent_wide_grid(fx):
    tf = theme_frequency(fx, by="unit_year")
    wide = tf.pivot_table(index="unit", columns="year", values="hits", aggfunc="sum", fill_value=0)
    assert wide.loc["乙区委宣传部", 2020] == 0  # the naive pivot invents a zero
    masked = mask_absent(wide, ledger(fx))
    assert np.isnan(masked.loc["乙区委宣传部", 2020]) and np.isnan(masked.loc["乙区委宣传部", 2023])
    assert masked.loc["乙区委宣传部", 2021] == wide.loc["乙区委宣传部", 2021]
    assert masked.loc["甲市委宣传部"].notna().all()


def test_mask_absent_long_grid(fx):
    tf = theme_frequency(fx, by="unit_year")
    full = pd.MultiIndex.from_product([tf["unit"].unique(), [2020, 2021, 2023], tf["theme"].unique()],
                                      names=["unit", "year", "theme"])
    grid = tf.set_index(["unit", "year", "theme"]).reindex(full).fillna({"hits": 0}).reset_index()
    masked = mask_absent(grid[["unit", "year", "theme", "hits"]], ledger(fx))
    absent = masked[(masked["unit"] == "乙区委宣传部") & (masked["year"] != 2021)]
    assert len(absent) == 2 * N_THEMES and absent["hits"].isna().all()
    assert masked.loc[masked["unit"] == "甲市委宣传部", "hits"].notna().all()


def test_no_theme_of_an_absent_report_shows_as_zero(fx):
    present = set(zip(ledger(fx)["unit"], ledger(fx)["year"], strict=True))
    for df in (theme_frequency(fx, by="unit_year"), theme_shift(fx, by="unit_year")):
        assert set(zip(df["unit"], df["year"], strict=True)) <= present


# -- shifts ---------------------------------------------------------------------------------------------------


def test_theme_shift_from_previous_available_year(fx):
    sh = theme_shift(fx, by="unit_year")
    assert_table(sh, {k: v for k, v in THEME_SHIFT.items() if "_a" not in k and "_b" not in k}, "theme_shift")
    news = sh[(sh["unit"] == "甲市委宣传部") & (sh["theme"] == "news")].set_index("year")
    assert pd.isna(news.loc[2020, "prev_year"]) and pd.isna(news.loc[2020, "delta_share"])
    assert news.loc[2023, "prev_year"] == 2021  # 2022 has no report: compare with the last one there is
    assert news.loc[2023, "delta_share"] == pytest.approx(news.loc[2023, "share"] - news.loc[2021, "share"])
    assert news.loc[2023, "delta_per_10k"] == pytest.approx(
        news.loc[2023, "hits_per_10k"] - news.loc[2021, "hits_per_10k"])
    by_year = theme_shift(fx, by="year")
    assert sorted(by_year["year"].unique()) == [2020, 2021, 2023]
    assert (by_year.loc[by_year["year"] == 2023, "prev_year"] == 2021).all()


def test_theme_shift_groups_positive_where_b_uses_more(fx):
    sh = theme_shift(fx, groups=(Filter(years=(2020,)), Filter(years=(2023,)))).set_index("theme")
    assert sh.loc["epidemic", "delta_share"] < 0 < sh.loc["news", "delta_share"]
    assert sh.loc["epidemic", "delta_per_10k"] == pytest.approx(-sh.loc["epidemic", "per_10k_a"])
    assert len(sh) == N_THEMES


_filters = st.builds(Filter, years=st.lists(st.sampled_from([2020, 2021, 2023]), max_size=2).map(tuple),
                     units=st.lists(st.sampled_from(["甲市委宣传部", "乙区委宣传部"]), max_size=1).map(tuple),
                     kinds=st.lists(st.sampled_from(["achievements", "plans"]), max_size=1).map(tuple))


@settings(max_examples=25, deadline=None)
@given(_filters)
def test_theme_shift_group_compared_with_itself_shifts_by_zero(fx, flt):
    sh = theme_shift(fx, groups=(flt, flt))
    assert (sh["delta_share"].fillna(0) == 0).all() and (sh["delta_per_10k"].fillna(0) == 0).all()
    assert (sh["share_a"].fillna(-1) == sh["share_b"].fillna(-1)).all()


# -- plans against achievements ------------------------------------------------------------------------------


def test_plan_followup_statuses(fx):
    pf = plan_followup(fx)
    assert_table(pf, PLAN_FOLLOWUP, "plan_followup")
    assert pf.attrs["reason"] is None
    first = pf[pf["doc_id"] == "d1"].set_index("theme")
    assert set(first["next_doc_id"]) == {"d2"}
    assert first["status"].to_dict() == {"news": "new", "cyber": "silent", "civilisation": "delivered"}
    second = pf[pf["doc_id"] == "d2"].set_index("theme")
    assert set(second["next_doc_id"]) == {"d4"}  # the next AVAILABLE report (2023), d3 is another unit
    assert second.loc["culture", "status"] == "silent"
    assert "d3" not in set(pf["doc_id"]) | set(pf["next_doc_id"])


def test_plan_followup_different_units_says_why(fx):
    pf = plan_followup(fx, Filter(years=(2020, 2021), levels=("district",)))
    assert pf.empty and list(pf.columns) == list(PLAN_FOLLOWUP)
    assert "同一单位" in pf.attrs["reason"]


def test_plan_followup_does_not_pair_generic_unit_names():
    t = tables()
    docs = t.documents.assign(unit="市委宣传部", region=None)
    pf = plan_followup(type(t)(docs, t.sections, t.terms))
    assert pf.empty and pf.attrs["reason"]


def test_coverage_functions_do_not_mutate_inputs(fx):
    before = {n: getattr(fx, n).copy() for n in ("documents", "sections", "theme_hits")}
    for fn in (theme_frequency, theme_coverage, kind_coverage, theme_gaps, ledger, theme_shift, plan_followup):
        fn(fx, Filter(years=(2021, 2023)))
    for name, df in before.items():
        pd.testing.assert_frame_equal(getattr(fx, name), df)


# -- the seeds ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    """The five seed reports built into a store and loaded, with theme hits."""
    try:
        from analysis import store
    except ImportError as err:  # pragma: no cover - while the loader is being written
        pytest.skip(f"analysis.store is not importable yet: {err}")
    dst = tmp_path_factory.mktemp("store")
    store.build(ROOT / "seeds", dst, progress=False)
    return with_themes(store.load(dst))


def _doc(seeds, prefix: str) -> str:
    docs = seeds.documents
    return docs.loc[docs["file"].str.startswith(prefix), "doc_id"].item()


def test_seeds_epidemic_is_a_top_theme_of_2020_and_near_zero_in_2023(seeds):
    tf = theme_frequency(seeds, by="document", weighting="per_10k")
    top2 = list(tf[tf["doc_id"] == _doc(seeds, "001")]["theme"][:2])
    assert "epidemic" in top2
    for prefix in ("000", "002"):
        row = _row(tf, doc_id=_doc(seeds, prefix), theme="epidemic")
        assert row["share"] < 0.02 and row["hits_per_10k"] < 3
    sh = theme_shift(seeds, groups=(Filter(years=(2020,)), Filter(years=(2023,)))).set_index("theme")
    assert sh["delta_share"].idxmin() == "epidemic"


def test_seeds_absent_reports_are_never_zero(seeds):
    led = ledger(seeds)
    assert led["n_docs"].sum() == 5
    tf = theme_frequency(seeds, by="unit_year")
    wide = tf.pivot_table(index="unit", columns="year", values="hits", aggfunc="sum", fill_value=0)
    masked = mask_absent(wide, led)
    present = set(zip(led["unit"], led["year"], strict=True))
    for unit in masked.index:
        for year in masked.columns:
            assert np.isnan(masked.loc[unit, year]) == ((unit, year) not in present)


def test_seeds_plan_followup_does_not_pair_different_units(seeds):
    pf = plan_followup(seeds)
    assert pf.empty and "同一单位" in pf.attrs["reason"]


def test_seeds_every_table_has_rows(seeds):
    n_docs = len(seeds.documents)
    assert len(theme_frequency(seeds)) == n_docs * N_THEMES
    assert len(theme_coverage(seeds)) == n_docs * N_THEMES
    assert len(kind_coverage(seeds)) == n_docs * 5
    gaps = theme_gaps(seeds)
    assert set(gaps["doc_id"]) <= set(seeds.documents["doc_id"])
    assert "epidemic" in set(gaps.loc[gaps["doc_id"] == _doc(seeds, "000"), "theme"])
    assert len(theme_shift(seeds)) == seeds.documents["year"].nunique() * N_THEMES


# -- cached cubes (the fast paths must equal the section-level computation) ---------------------------------


def _plain(monkeypatch, fn, *args, **kwargs):
    """``fn`` computed from the section tables, bypassing the cached cubes."""
    with monkeypatch.context() as m:
        m.setattr(coverage, "_indexed", lambda *_a, **_k: False)
        return fn(*args, **kwargs)


@pytest.mark.parametrize(("kinds", "want"), [
    ((), [True] * 6),
    (("plans",), [k == "plans" for k in KINDS] + [False]),
    (("achievements", "other"), [k in ("achievements", "other") for k in KINDS] + [False]),
])
def test_kind_slots_cases(kinds, want):
    assert kind_slots(Filter(kinds=kinds)).tolist() == want


def _section_sums(t) -> pd.DataFrame:
    secs = t.sections.assign(n=t.sections["text"].fillna("").str.len())
    return secs.groupby(["doc_id", "kind"]).agg(n_sections=("section_id", "size"), chars=("n", "sum"))


def test_section_cube_equals_section_sums(fx):
    cube = section_cube(fx)
    want = _section_sums(fx)
    for i, doc in enumerate(fx.documents["doc_id"]):
        for k, kind in enumerate(KINDS):
            got = (int(cube.n_sections[i, k]), int(cube.chars[i, k]))
            assert got == tuple(int(v) for v in want.reindex([(doc, kind)]).fillna(0).iloc[0]), (doc, kind)
    assert cube.n_sections[:, coverage.OTHER_SLOT].sum() == 0
    assert section_cube(fx) is cube   # cached


def test_section_cube_counts_unknown_kinds_in_other_slot(fx):
    t = FixtureTables(fx.documents, fx.sections.assign(kind=fx.sections["kind"].where(
        fx.sections.index != 0, None)), fx.terms)
    cube = section_cube(t)
    assert cube.n_sections[0, coverage.OTHER_SLOT] == 1
    assert cube.n_sections.sum() == len(t.sections)


def test_theme_section_cube_dominant_equals_profile(fx):
    cube = theme_section_cube(fx, fx.codebook.ids)
    prof = section_theme_profile(fx.theme_hits, fx.sections, codebook=fx.codebook)
    ids = np.asarray(fx.codebook.ids, dtype=object)
    got = [ids[d] if d >= 0 else None for d in cube.dominant]
    assert got == [None if pd.isna(v) else v for v in prof["dominant_theme"]]
    per_doc = fx.theme_hits.groupby(["doc_id", "theme"])["hits"].sum()
    for i, doc in enumerate(fx.documents["doc_id"]):
        for j, theme in enumerate(ids):
            assert cube.hits[i, :, j].sum() == per_doc.get((doc, theme), 0)


@settings(max_examples=15, deadline=None)
@given(_filters, st.lists(st.sampled_from(["epidemic", "news", "civilisation"]), max_size=2).map(tuple))
def test_indexed_tables_equal_plain_computation_on_fixture(fx, flt, themes):
    import dataclasses

    flt = dataclasses.replace(flt, themes=themes)
    with pytest.MonkeyPatch.context() as mp:
        for fn in (theme_coverage, kind_coverage, plan_followup):
            got, want = fn(fx, flt), _plain(mp, fn, fx, flt)
            pd.testing.assert_frame_equal(got, want)
            assert got.attrs == want.attrs


def test_indexed_tables_equal_plain_computation_on_seeds(seeds, monkeypatch):
    years = sorted(int(y) for y in seeds.documents["year"].dropna().unique())
    one_unit = SimpleNamespace(documents=seeds.documents.assign(unit="北京市委宣传部", region="北京市"),
                               sections=seeds.sections, terms=seeds.terms, theme_hits=seeds.theme_hits,
                               codebook=seeds.codebook)
    for t in (seeds, one_unit):
        for flt in (Filter(), Filter(kinds=("achievements",)), Filter(years=tuple(years[-2:])),
                    Filter(kinds=("plans", "other"), themes=("epidemic", "network"))):
            for fn in (theme_coverage, kind_coverage, plan_followup):
                got, want = fn(t, flt), _plain(monkeypatch, fn, t, flt)
                pd.testing.assert_frame_equal(got, want)
                assert got.attrs == want.attrs
    assert len(plan_followup(one_unit)) > 0


@settings(max_examples=20, deadline=None)
@given(_filters)
def test_section_mask_equals_apply_sections(fx, flt):
    keep = coverage.section_mask(fx, flt)
    want = set(flt.apply_sections(fx.sections, fx.documents)["section_id"])
    assert set(fx.sections.loc[keep, "section_id"]) == want


@pytest.mark.parametrize("flt", [Filter(themes=("news",)), Filter(kinds=("nonsense",))])
def test_section_mask_declines_what_the_cube_cannot_answer(fx, flt):
    assert coverage.section_mask(fx, flt) is None


def test_theme_shift_groups_equal_restricted_tables(fx):
    groups = (Filter(years=(2020, 2021), kinds=("achievements",)), Filter(units=("甲市委宣传部",)))
    got = theme_shift(fx, Filter(kinds=("achievements", "plans")), groups=groups)
    for g, suffix in zip(groups, ("a", "b"), strict=True):
        docs = g.apply(fx.documents)
        restricted = SimpleNamespace(documents=docs, sections=Filter(kinds=g.kinds).apply_sections(fx.sections, docs),
                                     terms=fx.terms, theme_hits=fx.theme_hits, codebook=fx.codebook)
        want = theme_frequency(restricted, Filter(kinds=("achievements", "plans")), by="all").set_index("theme")
        assert got.set_index("theme")[f"hits_{suffix}"].to_dict() == want["hits"].to_dict()
        assert got.set_index("theme")[f"share_{suffix}"].to_dict() == want["share"].to_dict()


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["甲", "乙", None]), st.sampled_from([2020, 2021, None]),
                          st.sampled_from(["H1", "annual", None]), st.integers(0, 50)), min_size=1, max_size=12))
def test_ledger_equals_grouped_join(rows):
    docs = pd.DataFrame({"doc_id": [f"d{i:02d}" for i in range(len(rows))][::-1],
                         "unit": pd.array([r[0] for r in rows], dtype="str"),
                         "year": pd.array([r[1] for r in rows], dtype="Int64"),
                         "period": pd.array([r[2] for r in rows], dtype="str"), "chars": [r[3] for r in rows]})
    want = (docs.sort_values("doc_id").groupby(["unit", "year", "period"], dropna=False, sort=True)
            .agg(n_docs=("doc_id", "size"), doc_ids=("doc_id", ",".join), chars=("chars", "sum")).reset_index())
    want["year"] = want["year"].astype("Int64")
    want = want[list(LEDGER)].astype({"n_docs": "int64", "chars": "int64"})
    pd.testing.assert_frame_equal(ledger(SimpleNamespace(documents=docs)), want)


# ------------------------------------------------------------------------------------------- chart row limits


def test_largest_rows_keeps_the_heaviest_rows_in_grid_order():
    grid = pd.DataFrame({"2021": [1, np.nan, 3, 1], "2022": [np.nan, 5, 1, 0]}, index=["甲", "乙", "丙", "丁"])
    assert coverage.largest_rows(grid, limit=2).index.tolist() == ["乙", "丙"]
    assert coverage.largest_rows(grid, limit=3).index.tolist() == ["甲", "乙", "丙"]  # 甲 and 丁 tie: the earlier
    assert coverage.largest_rows(grid, limit=9) is grid


def test_largest_rows_default_limit_is_chart_rows(monkeypatch):
    grid = pd.DataFrame({"n": range(10)}, index=[f"u{i}" for i in range(10)])
    monkeypatch.setattr(coverage, "CHART_ROWS", 3)
    assert coverage.largest_rows(grid).index.tolist() == ["u7", "u8", "u9"]


def test_largest_groups_ranks_by_weight_and_keeps_every_row_of_a_kept_group():
    df = pd.DataFrame({"unit": ["甲", "甲", "乙", None, None, "丙"], "hits": [1, 1, 5, 2, 2, 0]})
    kept = coverage.largest_groups(df, "unit", weight="hits", limit=2)
    assert kept["unit"].fillna("-").tolist() == ["乙", "-", "-"]   # the missing units form one group
    by_rows = coverage.largest_groups(df, "unit", limit=2)   # no weight: the most rows
    assert by_rows["unit"].fillna("-").tolist() == ["甲", "甲", "-", "-"]
    assert coverage.largest_groups(df, "unit", limit=4) is df
