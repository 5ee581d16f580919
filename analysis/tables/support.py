"""Support and like-for-like comparisons: how many reports stand behind each group, and whether two groups are
alike enough to compare.

- ``group_support(documents, keys)``: per group the number of reports, units and characters (the ``n_reports``,
  ``n_units``, ``chars`` columns every grouped table carries; ``_a``/``_b`` for the two sides of a comparison).
- ``comparison_warnings(documents, a, b)``: Chinese sentences saying what makes a comparison unsafe: a group
  with fewer than ``MIN_REPORTS`` reports, another mix of levels or periods, units that overlap less than half.
- ``matched_filters(documents, a, b)``: the 同口径 (matched) pair: only units with reports on both sides, and only
  the kinds of period both sides have for each of them (annual with annual, H1 with H1). A year that pools the
  State Council with the Party Congress against a year of the State Council alone becomes the State Council
  against itself.

Groups are made of whole reports: ``chars`` is the reports' characters (documents.chars).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import pandas as pd

from analysis.query.filters import Filter
from analysis.schema import LEVEL_ZH, PERIOD_ZH, Column

MIN_REPORTS = 3
"""A group with fewer reports than this gets a warning, and the overview draws no conclusion from it."""
MIN_OVERLAP = 0.5
NO_MATCH = "（无可比报告）"
"""The unit (and period) a matched filter names when nothing matches, so that it selects no report."""
"""Two groups whose unit sets overlap less than this (shared units ÷ the smaller group's units) get a warning."""

SUPPORT = {
    "n_reports": Column("int64", "reports in the group", "报告数"),
    "n_units": Column("int64", "distinct issuing units among them (reports without a unit not counted)", "单位数"),
    "chars": Column("int64", "characters of those reports", "字数"),
}

GROUP_SUPPORT = {name: Column(col.dtype, f"{col.meaning}: the whole group's", f"分组{col.label_zh}")
                 for name, col in SUPPORT.items()}
"""SUPPORT for tables whose rows are (group, term) pairs, where 报告数 already counts the reports using a term."""


def pair_support_columns(meaning_a: str = "group A", meaning_b: str = "group B", *, zh_a: str = "A组",
                         zh_b: str = "B组") -> dict[str, Column]:
    """The ``n_reports_a, n_units_a, chars_a, n_reports_b …`` contract of a two-group table."""
    out = {}
    for suffix, meaning, zh in (("a", meaning_a, zh_a), ("b", meaning_b, zh_b)):
        for name, col in SUPPORT.items():
            out[f"{name}_{suffix}"] = Column(col.dtype, f"{col.meaning} ({meaning})", f"{zh}{col.label_zh}")
    return out


def _stats(docs: pd.DataFrame) -> dict[str, int]:
    return {"n_reports": len(docs), "n_units": int(docs["unit"].dropna().nunique()),
            "chars": int(pd.to_numeric(docs["chars"], errors="coerce").fillna(0).sum()) if "chars" in docs else 0}


def support(documents: pd.DataFrame, flt: Filter) -> dict[str, int]:
    """{"n_reports", "n_units", "chars"} of the reports ``flt`` selects."""
    return _stats(flt.apply(documents))


def group_support(documents: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per group of ``keys`` (document columns; null is a group of its own): n_reports, n_units, chars.

    Example:
        >>> group_support(docs, ["year"])
           year  n_reports  n_units  chars
    """
    if not keys:
        return pd.DataFrame([_stats(documents)], columns=list(SUPPORT))
    g = documents.groupby(keys, dropna=False, sort=False)
    out = g.agg(n_reports=("doc_id", "size"), n_units=("unit", "nunique"), chars=("chars", "sum")).reset_index()
    for col in SUPPORT:
        out[col] = out[col].astype("int64")
    return out


def with_support(df: pd.DataFrame, documents: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """``df`` with its groups' n_reports, n_units, chars (by ``keys``, which both frames have) added or replaced."""
    sup = group_support(documents, keys)
    base = df.drop(columns=[c for c in SUPPORT if c in df.columns])
    if not keys:
        return base.assign(**{c: int(sup[c].iloc[0]) for c in SUPPORT})
    left = base[keys].astype(object).where(base[keys].notna(), None)
    right = sup[keys].astype(object).where(sup[keys].notna(), None)
    index = {tuple(r): i for i, r in enumerate(right.itertuples(index=False, name=None))}
    rows = [index.get(tuple(r)) for r in left.itertuples(index=False, name=None)]
    for c in SUPPORT:
        values = sup[c].to_numpy()
        base[c] = pd.array([int(values[i]) if i is not None else 0 for i in rows], dtype="int64")
    return base


def with_pair_support(df: pd.DataFrame, documents: pd.DataFrame, a: Filter, b: Filter) -> pd.DataFrame:
    """``df`` with the constant columns n_reports_a, n_units_a, chars_a, n_reports_b, n_units_b, chars_b."""
    out = df.copy()
    for suffix, flt in (("a", a), ("b", b)):
        for name, value in support(documents, flt).items():
            out[f"{name}_{suffix}"] = pd.array([value] * len(out), dtype="int64")
    return out


def pair_note(documents: pd.DataFrame, a: Filter, b: Filter, names: tuple[str, str] = ("A 组", "B 组")) -> str:
    """"A 组：N 份报告、U 个单位、C 字；B 组：…" for a caption beside a two-group comparison."""
    parts = []
    for name, flt in zip(names, (a, b)):
        s = support(documents, flt)
        parts.append(f"{name}：{s['n_reports']:,} 份报告、{s['n_units']:,} 个单位、{s['chars']:,} 字")
    return "；".join(parts) + "。"


# ------------------------------------------------------------------------------------------------ warnings


def _mix(docs: pd.DataFrame, column: str, names: dict[str, str]) -> dict[str, int]:
    counts = docs[column].fillna("unknown").value_counts()
    return {names.get(k, "未知" if k == "unknown" else str(k)): int(v) for k, v in counts.items()}


def _mix_text(mix: dict[str, int]) -> str:
    return "、".join(f"{k}{v}份" for k, v in sorted(mix.items(), key=lambda kv: (-kv[1], kv[0])))


def comparison_warnings(documents: pd.DataFrame, a: Filter, b: Filter, *, names: tuple[str, str] = ("A 组", "B 组"),
                        min_reports: int = MIN_REPORTS, matched: bool = False) -> list[str]:
    """What makes comparing ``a`` with ``b`` unsafe, in Chinese sentences (empty when nothing does).

    Checks: each group has at least ``min_reports`` reports; both groups have the same mix of unit levels and of
    periods (as sets: 省级 against 市级, 全年 against 上半年); the units overlap at least ``MIN_OVERLAP`` of the
    smaller group's units. ``matched``: the filters are a matched pair (the words say "comparable reports").

    Example:
        >>> comparison_warnings(docs, Filter(years=(2025,)), Filter(years=(2026,)), names=("2025年", "2026年"))
        ['2025年只有 1 份报告（少于 3 份），差异可能只是这一份报告的写法。', ...]
    """
    da, db = a.apply(documents), b.apply(documents)
    out = []
    for name, docs in zip(names, (da, db)):
        what = "可比报告" if matched else "报告"
        if len(docs) == 0:
            out.append(f"{name}没有{what}，无法比较" + ("（两组没有共同单位或相同时段）。" if matched else "。"))
        elif len(docs) < min_reports:
            out.append(f"{name}只有 {len(docs)} 份{what}（少于 {min_reports} 份），差异可能只是个别报告的写法。")
    if len(da) == 0 or len(db) == 0:
        return out
    for column, label, zh in (("unit_level", "层级", LEVEL_ZH), ("period", "时段", PERIOD_ZH)):
        ma, mb = _mix(da, column, zh), _mix(db, column, zh)
        if set(ma) != set(mb):
            out.append(f"两组{label}构成不同：{names[0]}{_mix_text(ma)}；{names[1]}{_mix_text(mb)}。")
    ua, ub = set(da["unit"].dropna()), set(db["unit"].dropna())
    smaller = min(len(ua), len(ub))
    shared = len(ua & ub)
    if smaller and shared < MIN_OVERLAP * smaller:
        out.append(f"两组单位重合不到一半：共同单位 {shared} 个，{names[0]} {len(ua)} 个单位，{names[1]} {len(ub)} 个单位。")
    elif not smaller and (len(da) or len(db)):
        out.append("报告未署单位，无法确认两组是否为同一批单位。")
    return out


def group_warnings(support_table: pd.DataFrame, label: str, *, min_reports: int = MIN_REPORTS) -> list[str]:
    """One sentence naming the groups of a grouped table with fewer than ``min_reports`` reports (or none)."""
    few = support_table[support_table["n_reports"] < min_reports]
    if few.empty:
        return []
    shown = "、".join(f"{_label(r[label])}（{int(r['n_reports'])} 份）" for _, r in few.head(8).iterrows())
    more = f"等 {len(few)} 组" if len(few) > 8 else ""
    return [f"报告少于 {min_reports} 份的组：{shown}{more}，其数字可能只反映个别报告。"]


def _label(value: Any) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "未知"
    return str(int(value)) if isinstance(value, float) else str(value)


# ------------------------------------------------------------------------------------------------ matched


@dataclasses.dataclass(frozen=True)
class Matched:
    """The 同口径 pair: the two filters and what matching left out."""

    a: Filter
    b: Filter
    units: tuple[str, ...]
    periods: tuple[str, ...]
    dropped_a: int
    dropped_b: int

    def note_zh(self) -> str:
        """A caption: how many units and which periods the matched comparison keeps, and what it left out."""
        periods = "、".join(PERIOD_ZH.get(p, p) for p in self.periods) or "无"
        return (f"同口径：只比两组都有报告的 {len(self.units)} 个单位、相同时段（{periods}）；"
                f"A 组去掉 {self.dropped_a} 份、B 组去掉 {self.dropped_b} 份报告。")


def matched_filters(documents: pd.DataFrame, a: Filter, b: Filter) -> Matched:
    """Restrict ``a`` and ``b`` to the units with reports on both sides and, per unit, the same kinds of period.

    Units are matched by name; reports without a unit cannot be matched and are left out. A unit whose period
    kinds differ between the sides (H1 in A, annual in B) is left out: its reports do not compare like for like.
    Both filters keep their other fields (years, levels, kinds …).

    Example:
        >>> m = matched_filters(docs, Filter(years=(2022,)), Filter(years=(2023,)))
        >>> m.a.units == m.b.units
        True
    """
    da, db = a.apply(documents), b.apply(documents)
    units = set(da["unit"].dropna()) & set(db["unit"].dropna())
    periods = set(da["period"].dropna()) & set(db["period"].dropna())
    while True:
        pa = da[da["unit"].isin(units) & da["period"].isin(periods)].groupby("unit")["period"].agg(frozenset)
        pb = db[db["unit"].isin(units) & db["period"].isin(periods)].groupby("unit")["period"].agg(frozenset)
        keep = {u for u in units if u in pa.index and u in pb.index and pa[u] == pb[u]}
        kept_periods = set().union(*(pa[u] for u in keep)) if keep else set()
        if keep == units and kept_periods == periods:
            break
        units, periods = keep, kept_periods
    if not units:  # nothing matches: an impossible unit keeps both sides empty instead of unfiltered
        units, periods = {NO_MATCH}, set()
    ma = _restrict(a, units, periods)
    mb = _restrict(b, units, periods)
    return Matched(a=ma, b=mb, units=tuple(sorted(u for u in units if u != NO_MATCH)), periods=tuple(sorted(periods)),
                   dropped_a=len(da) - len(ma.apply(documents)), dropped_b=len(db) - len(mb.apply(documents)))


def _restrict(flt: Filter, units: set[str], periods: set[str]) -> Filter:
    return dataclasses.replace(flt, units=tuple(sorted(units)), periods=tuple(sorted(periods)) or (NO_MATCH,))


__all__ = ["GROUP_SUPPORT", "MIN_OVERLAP", "MIN_REPORTS", "SUPPORT", "Matched", "comparison_warnings", "group_support",
           "group_warnings", "matched_filters", "pair_note", "pair_support_columns", "support", "with_pair_support",
           "with_support"]
