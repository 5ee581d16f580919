"""How the pages name and order things: reports by unit · year · period, years on a numeric axis with gaps,
KWIC lines sorted by either side, and numbers as people read them (22.1%, <0.001, 1e-30).

Pure functions (no Streamlit): the pages call them and draw what they give.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.schema import PERIOD_ZH

UNKNOWN_UNIT = "单位不详"
UNKNOWN_YEAR = "年份不详"
SEP = " · "


def report_labels(documents: pd.DataFrame) -> pd.Series:
    """Each report's name for people: ``unit · 2023年 · 上半年``, never its (hash-like) file name and never cut.

    Reports that would share a name are told apart by their region where it differs, else by a short suffix in
    file order (``…（1）``, ``…（2）``), so every label is
    distinct and a chart never merges two reports into one row. Unknown fields say so (``单位不详``,
    ``年份不详``); an unknown period is left out.

    Args:
        documents: a DOCUMENTS table (doc_id, file, unit, year, period).
    Returns:
        label by doc_id (in the table's order), all distinct.

    Example:
        >>> report_labels(tables.documents).head(2).tolist()
        ['市委宣传部 · 2020年 · 上半年', '市政府 · 2023年 · 全年']
    """
    if documents.empty:
        return pd.Series([], dtype=object, index=pd.Index([], name="doc_id"), name="label")
    docs = documents.drop_duplicates("doc_id")
    unit = docs["unit"].astype(object).where(docs["unit"].notna(), UNKNOWN_UNIT).astype(str).str.strip()
    unit = unit.where(unit != "", UNKNOWN_UNIT)
    year = pd.array(docs["year"], dtype="Int64")
    years = [f"{int(y)}年" if not pd.isna(y) else UNKNOWN_YEAR for y in year]
    periods = [PERIOD_ZH.get(p, "") if isinstance(p, str) else "" for p in docs["period"]]
    base = [SEP.join(x for x in parts if x) for parts in zip(unit, years, periods, strict=True)]
    counts = pd.Series(base).value_counts()
    regions = [str(r).strip() if isinstance(r, str) and str(r).strip() not in u else "" for r, u in
               zip(docs["region"] if "region" in docs else [None] * len(docs), unit, strict=True)]
    base = [f"{b}{SEP}{r}" if counts[b] > 1 and r else b for b, r in zip(base, regions, strict=True)]
    order = np.argsort(docs["file"].astype(str).to_numpy(), kind="stable")
    labels = list(base)
    counts = pd.Series(base).value_counts()
    taken = set(counts[counts == 1].index)
    seen: dict[str, int] = {}
    for i in order:                              # file order decides who is （1）
        name = base[i]
        if counts[name] == 1:
            continue
        n = seen.get(name, 0)
        while True:
            n += 1
            candidate = f"{name}（{n}）"
            if candidate not in taken:
                break
        seen[name] = n
        taken.add(candidate)
        labels[i] = candidate
    return pd.Series(labels, index=pd.Index(docs["doc_id"].to_numpy(), name="doc_id"), name="label")


def labels_of(tables) -> pd.Series:
    """``report_labels`` of a store's documents (the form the dashboard caches on the store's version)."""
    return report_labels(tables.documents)


def years_with_gaps(df: pd.DataFrame, *, year: str = "year", by: Sequence[str] = (),
                    values: Sequence[str] = ()) -> pd.DataFrame:
    """``df`` with its years as whole numbers in ascending order, and for every series (``by``) a row of missing
    ``values`` for each year of the whole range it lacks, so a line chart on a numeric axis breaks there instead
    of joining two distant years as if they were neighbours.

    Args:
        df: a table with a year column (numbers, numeric strings or nulls; rows without a year are dropped).
        year: the year column.
        by: the columns that make one series (one line).
        values: the columns left empty (NaN) in the added rows; other columns of an added row are empty too.
    Returns:
        the rows sorted by ``by`` then year; ``year`` as int64.

    Example:
        >>> years_with_gaps(pd.DataFrame({"year": ["2023", "2020"], "v": [1.0, 2.0]}), values=["v"])["year"].tolist()
        [2020, 2021, 2022, 2023]
    """
    years = pd.to_numeric(df[year], errors="coerce")
    out = df.loc[years.notna()].assign(**{year: years[years.notna()].astype("int64")})
    if out.empty:
        return out
    span = np.arange(int(out[year].min()), int(out[year].max()) + 1)
    keys = [list(k) if isinstance(k, tuple) else [k] for k in out[list(by)].drop_duplicates().itertuples(
        index=False, name=None)] if by else [[]]
    added = []
    for key in keys:
        mask = np.ones(len(out), dtype=bool)
        for col, value in zip(by, key, strict=True):
            mask &= (out[col] == value).to_numpy() if not pd.isna(value) else out[col].isna().to_numpy()
        missing = np.setdiff1d(span, out.loc[mask, year].to_numpy())
        if len(missing):
            added.append(pd.DataFrame({**{c: [v] * len(missing) for c, v in zip(by, key, strict=True)},
                                       year: missing, **{v: np.nan for v in values}}))
    if added:
        out = pd.concat([out, *added], ignore_index=True)
    return out.sort_values([*by, year], kind="stable").reset_index(drop=True)


def every_year(grid: pd.DataFrame) -> pd.DataFrame:
    """A unit × year grid (year columns as text) with a column for every year of its range, in order: a year no
    report covers is a blank column (a gap), not left out so that 2015 sits beside 2023."""
    years = pd.to_numeric(pd.Index(grid.columns), errors="coerce")
    if grid.empty or years.isna().all():
        return grid
    span = [str(y) for y in range(int(years.min()), int(years.max()) + 1)]
    return grid.reindex(columns=span)


def kwic_sorted(hits: pd.DataFrame, by: str = "position") -> pd.DataFrame:
    """KWIC lines in reading order (``position``), by the left context read from the keyword outwards
    (``left``: the characters nearest the keyword decide first), by the right context (``right``), or by the
    keyword (``match``).

    Example:
        >>> kwic_sorted(pd.DataFrame({"left": ["甲乙", "丙甲"], "match": ["x", "x"], "right": ["", ""]}), "left")["left"]
    """
    if by == "position" or hits.empty:
        return hits.reset_index(drop=True)
    if by == "left":
        key = hits["left"].fillna("").map(lambda s: s[::-1])
    elif by in ("right", "match"):
        key = hits[by].fillna("")
    else:
        raise ValueError(f"by={by!r} is not valid; options are: 'position', 'left', 'right', 'match'")
    return hits.iloc[np.argsort(key.to_numpy(dtype=str), kind="stable")].reset_index(drop=True)


def kwic_lines(hits: pd.DataFrame, names: pd.Series, by: str = "position") -> pd.DataFrame:
    """A KWIC table as the page shows it: left context · keyword · right context first, then the report (its
    label from ``names``, by doc_id), file and place; sorted by ``kwic_sorted(by)``."""
    out = kwic_sorted(hits, by).assign(report=lambda d: d["doc_id"].map(names))
    first = ["left", "match", "right", "report"]
    return out[first + [c for c in out.columns if c not in first]]


def number_formats(columns) -> dict[str, str]:
    """How a page shows number columns people misread as raw floats: shares as percentages (0.2213 → 22.13%),
    p-values in scientific notation (4e-31, never 0.000…0004); by column name."""
    out = {}
    for c in columns:
        name = str(c)
        if name == "share" or name.startswith("share_") or name.endswith("_share") or name == "share_chars":
            out[name] = "percent"
        elif name in ("p", "p_value"):
            out[name] = "scientific"
    return out


def percent(share: float | None, digits: int = 1) -> str:
    """A share as people read it: ``0.2213`` → ``22.1%`` (empty for a missing value)."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return ""
    return f"{share * 100:.{digits}f}%"


def p_value(p: float | None) -> str:
    """A p-value as people read it: ``<0.001`` below a thousandth, else three decimals (empty when missing)."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return ""
    return "<0.001" if p < 0.001 else f"{p:.3f}"


__all__ = ["SEP", "UNKNOWN_UNIT", "UNKNOWN_YEAR", "every_year", "kwic_lines", "kwic_sorted", "labels_of", "number_formats", "p_value", "percent", "report_labels",
           "years_with_gaps"]
