"""Click-through and any word's trend: the passages behind a number on a chart, and how often any string is used.

- ``passages(tables, flt, theme=… | query=…, group=…)``: every theme hit or query match in the selected sections of
  the reports of one group (a bar, a heatmap cell, a line point), with report, section path and context. Their
  number is the number the chart shows for that group (theme hits; query matches).
- ``word_trend(tables, query, flt, by=…)``: a query's matches per 10,000 characters by year (and by unit or level
  as a second grouping), each point with its reports; years without reports are rows with no value (a gap).
- ``query_pattern(query)``: the regular expression a query stands for. Several words separated by spaces or ``|``
  mean any of them (the longest first, as KWIC); ``…`` (or ``...``) inside a phrase stands for a short gap inside
  one clause, as in the codebook (``讲好…故事``).

Counting reads every section's text once per query (Arrow's RE2 ``count_substring_regex``) and is cached per loaded
table; the passages of a point are then looked for only in the sections the count found, with Python's ``re`` and
the same expression (leftmost-first, non-overlapping in both), so a point's passages are exactly its count.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from analysis.query import index
from analysis.query.cache import cached, section_codes
from analysis.query.filters import Filter
from analysis.query.search import arrow_texts
from analysis.schema import LEVEL_ZH, PERIOD_ZH, Column
from analysis.tables.keyness import EVERYTHING
from analysis.tables.labels import report_labels
from analysis.words.themes import GAP_RE, match_themes

NO_UNIT = "（未署名单位）"
ALL_GROUPS = "全部"
GROUP_COLUMNS = {"year": "year", "unit": "unit", "level": "unit_level", "region": "region", "period": "period",
                 "document": "doc_id"}
"""A chart's grouping → the DOCUMENTS column that holds it."""
KEPT_PATTERNS = 32
"""Queries whose per-section counts are kept per loaded table (the least recently used go first): 4 bytes a section
each, 1.2 MB at 10k reports."""
_GAP = re.compile(r"…+|\.{3,}")
_SPLIT = re.compile(r"[\s|｜]+")

PASSAGES = {
    "doc_id": Column("str", "the report", "文档编号"),
    "report": Column("str", "the report for people: unit, year, period", "报告"),
    "file": Column("str", "the report file", "文件"),
    "path": Column("str", "the section's outline position ('2.3.1')", "路径", outline_path=True),
    "heading": Column("str", "the section's heading", "段落标题"),
    "left": Column("str", "text before the match (within the section)", "左文"),
    "match": Column("str", "the text matched, as written", "命中文字"),
    "right": Column("str", "text after the match (within the section)", "右文"),
}

WORD_TREND = {
    "year": Column("Int64", "year the reports cover", "年份"),
    "group": Column("str", "the second grouping's value ('全部' without one)", "分组"),
    "n_docs": Column("int64", "reports in the group and year (0: no report, a gap)", "报告数"),
    "n_docs_using": Column("int64", "of them, reports using the query", "使用报告数"),
    "chars": Column("int64", "characters of their selected sections", "字数"),
    "count": Column("Int64", "matches of the query (blank: no report)", "次数"),
    "per_10k": Column("float64", "matches per 10,000 characters (blank: no report)", "每万字"),
}


# ------------------------------------------------------------------------------------------------ the query


def query_pattern(query: str) -> str:
    """The regular expression (Python ``re`` and RE2 alike) of a query.

    Args:
        query: one or more words or phrases, separated by spaces or ``|``; ``…`` inside one is a short gap.
    Returns:
        the alternatives, longest first, each escaped, gaps as ``GAP_RE``.

    Example:
        >>> re.findall(query_pattern("讲好…故事 外宣"), "讲好中国故事，做好外宣")
        ['讲好中国故事', '外宣']
    """
    parts = [p for p in _SPLIT.split(query or "") if p]
    alternatives = []
    for part in parts:
        pieces = [p for p in _GAP.split(part) if p]
        if pieces:
            alternatives.append(GAP_RE.join(re.escape(p) for p in pieces))
    if not alternatives:
        raise ValueError("检索词为空：请输入词语或短语（多个用空格或 | 分隔，…表示中间可隔几个字）")
    alternatives = sorted(dict.fromkeys(alternatives), key=lambda a: (-len(a), a))
    return "|".join(alternatives)


def section_counts(tables: Any, pattern: str) -> np.ndarray:
    """Matches of ``pattern`` in each SECTIONS row's own text (int32, one per row), cached per table and pattern."""
    per_pattern = cached("explore_counts", tables, tables.sections, dict)
    if pattern in per_pattern:
        per_pattern[pattern] = per_pattern.pop(pattern)      # the most recently used last
    else:
        texts = arrow_texts(tables.sections["text"])
        counts = pc.fill_null(pc.count_substring_regex(texts, pattern), 0)
        per_pattern[pattern] = counts.to_numpy(zero_copy_only=False).astype(np.int32)
        while len(per_pattern) > KEPT_PATTERNS:
            per_pattern.pop(next(iter(per_pattern)))
    return per_pattern[pattern]


def _layout(tables: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each SECTIONS row's document (position, -1 unknown), kind code, and own characters (cached)."""
    def build():
        _, sec_doc, sec_kind = section_codes(tables)
        chars = pc.fill_null(pc.utf8_length(arrow_texts(tables.sections["text"])), 0)
        return sec_doc, sec_kind, chars.to_numpy(zero_copy_only=False).astype(np.int64)

    return cached("explore_layout", tables, tables.sections, build)


def group_mask(documents: pd.DataFrame, group: Mapping[str, Any] | None) -> np.ndarray:
    """A boolean per DOCUMENTS row: the reports of one group, e.g. ``{"year": 2022, "unit": None}`` (None: the
    value is missing, as the unsigned reports of a chart's "（未署名单位）" bar)."""
    keep = np.ones(len(documents), dtype=bool)
    for key, value in (group or {}).items():
        column = GROUP_COLUMNS.get(key, key)
        if column not in documents.columns:
            raise ValueError(f"分组字段无效：{key}")
        values = documents[column]
        if value is None or (isinstance(value, float) and np.isnan(value)):
            keep &= values.isna().to_numpy(dtype=bool)
        elif column == "year":
            keep &= (pd.to_numeric(values, errors="coerce") == int(value)).fillna(False).to_numpy(dtype=bool)
        else:
            keep &= (values == value).fillna(False).to_numpy(dtype=bool)
    return keep


def _selected_rows(tables: Any, flt: Filter, group: Mapping[str, Any] | None) -> np.ndarray:
    """A boolean per SECTIONS row: the sections of the reports ``flt`` and ``group`` select, of the kinds kept."""
    sec_doc, sec_kind, _ = _layout(tables)
    docs = index.doc_mask(tables.documents, flt) & group_mask(tables.documents, group)
    ok = sec_doc >= 0
    out = np.zeros(len(sec_doc), dtype=bool)
    out[ok] = docs[sec_doc[ok]] & index.kind_mask(flt)[sec_kind[ok]]
    return out


# ------------------------------------------------------------------------------------------------ passages


def passages(tables: Any, flt: Filter = EVERYTHING, *, theme: str | None = None, query: str | None = None,
             group: Mapping[str, Any] | None = None, window: int = 20) -> pd.DataFrame:
    """The passages behind one number of a chart: each theme hit (``theme``) or query match (``query``) in the
    selected sections of the group's reports, in report and text order.

    Args:
        tables: the themed tables (``with_themes``) for ``theme``; any tables for ``query``.
        flt: the page's filter (reports and section kinds; a theme filter is not applied here, as the charts
            count every section of the kinds kept).
        theme: a theme id: its hits, as the theme charts count them (``theme_frequency``'s ``hits``).
        query: a word query (``query_pattern``): its matches, as ``word_trend`` counts them.
        group: the clicked group, e.g. ``{"year": 2022}``, ``{"doc_id": "…"}``, ``{"unit": None}``.
        window: characters of context on each side (within the section).
    Returns:
        a PASSAGES table; its length is the clicked number of hits or matches.
    """
    if (theme is None) == (query is None):
        raise ValueError("passages needs one of theme= or query=")
    rows = _selected_rows(tables, flt, group)
    if query is not None:
        pattern = query_pattern(query)
        rows &= section_counts(tables, pattern) > 0
        regex = re.compile(pattern)

        def find(text: str) -> list[tuple[int, int]]:
            return [m.span() for m in regex.finditer(text)]
    else:
        hits = tables.theme_hits
        with_theme = set(hits.loc[(hits["theme"] == theme) & (hits["hits"] > 0), "section_id"])
        rows &= tables.sections["section_id"].isin(with_theme).to_numpy(dtype=bool)
        codebook = tables.codebook

        def find(text: str) -> list[tuple[int, int]]:
            return sorted((s, e) for t, s, e in match_themes(text, codebook) if t == theme)

    secs = tables.sections.iloc[np.flatnonzero(rows)]
    docs = tables.documents.drop_duplicates("doc_id").set_index("doc_id")
    labels = report_labels(tables.documents)
    order = pd.Series(np.arange(len(docs)), index=docs.index)
    secs = secs.assign(_doc=secs["doc_id"].map(order)).sort_values(["_doc", "start"], kind="stable")
    out = []
    for sec in secs[["doc_id", "path", "heading", "text"]].itertuples(index=False):
        text = sec.text if isinstance(sec.text, str) else ""
        for s, e in find(text):
            out.append((sec.doc_id, labels.get(sec.doc_id), docs["file"].get(sec.doc_id), sec.path, sec.heading,
                        _flat(text[max(0, s - window):s]), text[s:e], _flat(text[e:e + window])))
    return pd.DataFrame(out, columns=list(PASSAGES))


def _flat(text: str) -> str:
    return text.replace("\r", " ").replace("\n", " ")


# ------------------------------------------------------------------------------------------------ word trend


def word_trend(tables: Any, query: str, flt: Filter = EVERYTHING, *,
               by: Literal["unit", "level", "region", "period"] | None = None) -> pd.DataFrame:
    """A query's frequency per 10,000 characters by year (and by ``by``), with the reports behind each point.

    Matches are counted in the selected sections' own texts (non-overlapping, as KWIC finds them); characters are
    those sections' characters. Every year from the selection's first to its last is a row of every group; a
    year without reports has ``n_docs`` 0 and no value, so a line shows a gap instead of a fall to zero. Reports
    without a year are left out (they have no place on a time axis).

    Args:
        tables: the tables.
        query: words or phrases (``query_pattern``).
        flt: reports and section kinds.
        by: a second grouping (``unit``, ``level``, ``region``, ``period``) or None.
    Returns:
        a WORD_TREND table sorted by group, then year.

    Example:
        >>> word_trend(tables, "讲好…故事", by="level")[["year", "group", "per_10k", "n_docs"]]
    """
    if by is not None and by not in ("unit", "level", "region", "period"):
        raise ValueError(f"by={by!r} is not valid; options are: 'unit', 'level', 'region', 'period'")
    counts = section_counts(tables, query_pattern(query))
    sec_doc, _, chars = _layout(tables)
    rows = _selected_rows(tables, flt, None) & (sec_doc >= 0)
    n = len(tables.documents)
    doc_count = np.bincount(sec_doc[rows], weights=counts[rows], minlength=n).astype(np.int64)
    doc_chars = np.bincount(sec_doc[rows], weights=chars[rows], minlength=n).astype(np.int64)
    chosen = index.doc_mask(tables.documents, flt) & (np.bincount(sec_doc[rows], minlength=n) > 0)
    docs = tables.documents.loc[chosen, ["doc_id", "year", "unit", "unit_level", "region", "period"]]
    frame = pd.DataFrame({"year": pd.to_numeric(docs["year"], errors="coerce").to_numpy(),
                          "count": doc_count[chosen], "chars": doc_chars[chosen]})
    frame["group"] = _group_values(docs, by)
    frame = frame.dropna(subset=["year"])
    cols = list(WORD_TREND)
    if frame.empty:
        return _typed(pd.DataFrame(columns=cols))
    frame["year"] = frame["year"].astype("int64")
    frame["using"] = (frame["count"] > 0).astype("int64")
    agg = frame.groupby(["group", "year"], sort=True).agg(n_docs=("count", "size"), n_docs_using=("using", "sum"),
                                                            chars=("chars", "sum"), count=("count", "sum"))
    years = np.arange(frame["year"].min(), frame["year"].max() + 1)
    full = pd.MultiIndex.from_product([sorted(frame["group"].unique()), years], names=["group", "year"])
    out = agg.reindex(full).reset_index()
    out[["n_docs", "n_docs_using", "chars"]] = out[["n_docs", "n_docs_using", "chars"]].fillna(0).astype("int64")
    out["count"] = out["count"].astype("Int64")
    out["per_10k"] = np.where(out["chars"] > 0, out["count"].astype("float64") * 10_000 / out["chars"].clip(lower=1),
                              np.nan)
    return _typed(out[cols])


def _group_values(docs: pd.DataFrame, by: str | None) -> np.ndarray:
    if by is None:
        return np.full(len(docs), ALL_GROUPS, dtype=object)
    column = GROUP_COLUMNS[by]
    names = {"level": LEVEL_ZH, "period": PERIOD_ZH}.get(by, {})
    fill = {"unit": NO_UNIT}.get(by, "未知")
    return docs[column].map(lambda v: fill if pd.isna(v) else names.get(v, v)).to_numpy(dtype=object)


def group_of(by: str | None, shown: Any) -> dict[str, Any]:
    """The ``passages`` group of a trend point's second-grouping value as shown (``NO_UNIT``/"未知" → missing;
    levels and periods back to their codes)."""
    if by is None or shown == ALL_GROUPS:
        return {}
    codes = {"level": {v: k for k, v in LEVEL_ZH.items()}, "period": {v: k for k, v in PERIOD_ZH.items()}}
    if shown in (NO_UNIT, "未知"):
        return {by: None}
    return {by: codes.get(by, {}).get(shown, shown)}


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    types = {"year": "Int64", "group": "object", "n_docs": "int64", "n_docs_using": "int64", "chars": "int64",
             "count": "Int64", "per_10k": "float64"}
    return df.astype(types).reset_index(drop=True)


__all__ = ["PASSAGES", "WORD_TREND", "group_mask", "group_of", "passages", "query_pattern", "section_counts", "word_trend"]
