"""Every analysis table by name, filtered, as Excel-safe CSV or .xlsx; and the ``export`` CLI subcommand.

``EXPORTS`` maps an export name to an ``ExportSpec``: a function ``(tables, flt, *, query, groups, codebook,
top, by) -> DataFrame`` and the output table's contract (column → Column, for Chinese headers).
``export_csv`` writes UTF-8 with a BOM, CRLF line ends (as Excel expects), neutralises formula-like text
cells (a leading ``'`` before ``= + - @``, tab or CR) and writes outline paths as 2·3·1 (``csv_path``: Excel reads
1.10 as the number 1.1); ``export_xlsx`` writes every text as a text cell (never a formula, 1.10 kept as written).
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import io
import math
import os
import shlex
import sys
import tempfile
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from analysis import schema
from analysis.errors import MixedDictionaries, ReportLensError, value_invalid_msg
from analysis.query import index
from analysis.query.cache import cached, filled_codes, rows_in, spans
from analysis.query.filters import Filter, validate_filter
from analysis.schema import Column
from analysis.tables.coverage import section_cube, section_mask
from analysis.tables.keyness import (
    BY_VALUES,
    DISTINCTIVE,
    RANK_SHIFT,
    TERM_SHIFT,
    TERM_TIMELINE,
    TOP_TERMS,
    distinctive,
    distinctive_preview,
    group_keys,
    rank_shift,
    select_sections,
    term_shift,
    term_timeline,
    top_terms,
)
from analysis.tables.kwic import KWIC, kwic
from analysis.tables.reuse import BOILERPLATE, SIMILARITY, boilerplate, similarity
from analysis.tables.support import GROUP_SUPPORT, SUPPORT, group_support, matched_filters, support
from analysis.tables.views import Preview

DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
FORMATS = (".csv", ".xlsx")


class ExportSpec(NamedTuple):
    """One exportable table: how to compute it and its columns (for Chinese headers and the README)."""

    func: Callable[..., pd.DataFrame]
    columns: dict[str, Column]
    title_zh: str
    needs: str = ""   # "query" or "groups" when the table cannot be made without them


# ------------------------------------------------------------------------------------------------ registry


def _loader_table(name: str) -> Callable[..., pd.DataFrame]:
    def run(tables, flt: Filter, **_: Any) -> pd.DataFrame:
        if name == "documents":
            return flt.apply(tables.documents)
        keep = _kept_sections(tables, flt)
        if keep is not None:
            positions = np.flatnonzero(keep) if name == "sections" else _head_in_sections(tables, name, keep, None)[0]
            return rows_at(tables, name, positions)
        secs = select_sections(tables, flt)
        if name == "sections":
            return secs
        table = getattr(tables, name)
        return table.loc[table["section_id"].isin(set(secs["section_id"]))].reset_index(drop=True)
    return run


def rows_at(tables, name: str, positions: np.ndarray) -> pd.DataFrame:
    """The rows at ``positions`` (ascending) of the table ``name``; a store's TERMS are read from its file (only
    those rows: the table is not held whole)."""
    source = index.terms_file(tables) if name == "terms" else None
    if source is not None:
        return source.take(positions)
    table = getattr(tables, name)
    if len(positions) == len(table) and np.array_equal(positions, np.arange(len(table))):
        return table.reset_index(drop=True)                # every row: no copy (pandas copies on write)
    return table.iloc[positions].reset_index(drop=True)


def _kept_sections(tables, flt: Filter) -> np.ndarray | None:
    """The SECTIONS rows ``flt`` selects as a boolean array: from the cached section cube, or for a theme filter
    from the ids ``select_sections`` gives; None when section ids repeat (the plain selection answers then)."""
    keep = section_mask(tables, flt)
    if keep is None and flt.themes and section_cube(tables).unique:
        keep = tables.sections["section_id"].isin(set(select_sections(tables, flt)["section_id"])).to_numpy(bool)
    return keep


def rows_in_sections(tables, name: str, keep: np.ndarray) -> np.ndarray:
    """Which rows of the table ``name`` (terms, figures, redactions) lie in the sections ``keep`` marks.

    From the table's runs of one section (cached); a row whose section is not in SECTIONS is never kept.

    Args:
        tables: the loader's tables (unique section ids).
        name: the table's attribute name.
        keep: a boolean array over the SECTIONS rows.
    Returns:
        a boolean array over the table's rows.
    """
    rows = np.zeros(int(section_runs(tables, name)[2].sum()), dtype=bool)
    rows[_head_in_sections(tables, name, keep, None)[0]] = True
    return rows


def section_runs(tables, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The rows of the table ``name`` as runs of one section, in table order (cached); a store's TERMS are read
    from its file, the section ids only, a batch at a time.

    Returns:
        (SECTIONS row of each run, -1 when its section is not in SECTIONS; the run's first row; its length)
    """
    source = index.terms_file(tables) if name == "terms" else None
    if source is not None:       # found by the term index's build when it ran first (it reads the same ids)
        return cached(index.FILE_RUNS, tables, source, lambda: _file_runs(tables, source))
    table = getattr(tables, name)
    return cached(f"export_runs_{name}", tables, table, lambda: _frame_runs(tables.sections, table))


def _frame_runs(sections: pd.DataFrame, table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    column = table["section_id"]
    if isinstance(column.dtype, pd.CategoricalDtype):       # runs of one code; each code's SECTIONS row
        key, owner_of = column.cat.codes.to_numpy(), rows_in(column.cat.categories, sections["section_id"])
    else:                                                   # runs of one SECTIONS row
        key, owner_of = rows_in(column, sections["section_id"]), np.arange(len(sections))
    return index.code_runs([key], lambda: owner_of)


def _file_runs(tables, source) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``section_runs`` of a store's terms file, read a batch of section ids at a time."""
    owner_of: list[np.ndarray] = []

    def keys() -> Iterator[np.ndarray]:
        for batch in source.batches(["section_id"]):
            column = batch.column(0)
            if not owner_of:
                owner_of.append(rows_in(column.dictionary, tables.sections["section_id"]))
            yield filled_codes(column)
    try:
        return index.code_runs(keys(), lambda: owner_of[0] if owner_of else np.zeros(0, dtype=np.int64))
    except MixedDictionaries:
        return _frame_runs(tables.sections, source.frame())


def _head_in_sections(tables, name: str, keep: np.ndarray, rows: int | None) -> tuple[np.ndarray, int]:
    """The first ``rows`` rows (positions; all when None) of the table ``name`` in the sections ``keep`` marks,
    and how many rows those sections hold, from the table's runs (no array over every row)."""
    owner, start, length = section_runs(tables, name)
    kept = np.append(keep, False)[owner]
    start, length = start[kept], length[kept]
    total = int(length.sum())
    if rows is None:
        return spans(start, length), total
    upto = int(np.searchsorted(np.cumsum(length), rows)) + 1
    return spans(start[:upto], length[:upto])[:rows], total


def _distinctive_kw(by: str | None, top: int | None) -> dict[str, Any]:
    """The distinctive export's grouping and terms per group: by report and 20 unless given."""
    return {"by": by or "document", "top": top or 20}


def _merge(base: Filter, group: Filter) -> Filter:
    """The group's fields where it sets them, the base filter's elsewhere."""
    empty = Filter()
    changes = {f.name: getattr(group, f.name) for f in dataclasses.fields(Filter)
               if getattr(group, f.name) != getattr(empty, f.name)}
    return dataclasses.replace(base, **changes)


def _need_groups(groups) -> tuple[Filter, Filter]:
    if not groups or len(groups) != 2:
        raise ValueError("this table compares two groups: give --groups A B (e.g. --groups year=2020 year=2023)")
    return groups[0], groups[1]


def _term_shift(tables, flt, *, groups=None, top=None, **_):
    a, b = _need_groups(groups)
    return term_shift(tables, _merge(flt, a), _merge(flt, b), top=top)


def _rank_shift(tables, flt, *, groups=None, top=None, **_):
    if groups:
        a, b = _need_groups(groups)
        years = [g.years for g in (a, b)]
        if any(len(y) != 1 for y in years):
            raise ValueError("rank_shift compares two years: give --groups year=YYYY year=YYYY")
        year_a, year_b = years[0][0], years[1][0]
    elif len(flt.years) == 2:
        year_a, year_b = flt.years
    else:
        raise ValueError("rank_shift compares two years: give --groups year=YYYY year=YYYY")
    rest = dataclasses.replace(flt, years=(), year_from=None, year_to=None)
    return rank_shift(tables, year_a, year_b, top=top or 20, flt=rest)


def _kwic(tables, flt, *, query=None, top=None, **_):
    if not query:
        raise ValueError("kwic needs a term: give --query TERM")
    return kwic(tables, query, flt=flt, top=top)


def _d1(name: str) -> Callable[..., pd.DataFrame]:
    """A table of ``analysis.tables.coverage`` (imported when used)."""
    def run(tables, flt: Filter, *, codebook=None, by=None, groups=None, matched=False, **_: Any) -> pd.DataFrame:
        from analysis.tables import coverage

        func = getattr(coverage, name)
        kwargs: dict[str, Any] = {}
        if name not in ("kind_coverage", "ledger"):
            kwargs["codebook"] = codebook
        if name in ("theme_frequency", "theme_shift") and by:
            kwargs["by"] = by
        if name == "theme_shift" and groups:
            kwargs["groups"] = (_merge(flt, groups[0]), _merge(flt, groups[1]))
        if matched:
            kwargs["matched"] = True
        return func(tables, flt, **kwargs)
    return run


def _group_support(df: pd.DataFrame, tables, flt: Filter, by: str | None) -> pd.DataFrame:
    """A term table by group with each group's n_reports, n_units and chars (of the reports ``flt`` selects)."""
    docs = flt.apply(tables.documents)
    if by is None:
        return df.assign(**support(tables.documents, flt))
    keyed = docs.merge(group_keys(docs, by)[["doc_id", "group"]], on="doc_id")
    sup = group_support(keyed, ["group"]).set_index("group")
    out = df.copy()
    for col in SUPPORT:
        out[col] = out["group"].astype(object).map(sup[col]).fillna(0).astype("int64")
    return out


def _d1_columns(name: str) -> dict[str, Column]:
    try:
        from analysis.tables import coverage
    except ImportError:
        return {}
    return getattr(coverage, name.upper(), {})


EXPORTS: dict[str, ExportSpec] = {
    "documents": ExportSpec(_loader_table("documents"), schema.DOCUMENTS, "报告"),
    "sections": ExportSpec(_loader_table("sections"), schema.SECTIONS, "段落"),
    "terms": ExportSpec(_loader_table("terms"), schema.TERMS, "词语"),
    "figures": ExportSpec(_loader_table("figures"), schema.FIGURES, "数字"),
    "redactions": ExportSpec(_loader_table("redactions"), schema.REDACTIONS, "遮盖"),
    "theme_frequency": ExportSpec(_d1("theme_frequency"), _d1_columns("theme_frequency"), "主题频次"),
    "theme_coverage": ExportSpec(_d1("theme_coverage"), _d1_columns("theme_coverage"), "主题篇幅"),
    "kind_coverage": ExportSpec(_d1("kind_coverage"), _d1_columns("kind_coverage"), "段落类型篇幅"),
    "theme_gaps": ExportSpec(_d1("theme_gaps"), _d1_columns("theme_gaps"), "未涉及主题"),
    "ledger": ExportSpec(_d1("ledger"), _d1_columns("ledger"), "报告台账"),
    "theme_shift": ExportSpec(_d1("theme_shift"), _d1_columns("theme_shift"), "主题变化"),
    "term_shift": ExportSpec(_term_shift, TERM_SHIFT, "词语变化", "groups"),
    "rank_shift": ExportSpec(_rank_shift, RANK_SHIFT, "高频词排名变化", "groups"),
    "term_timeline": ExportSpec(lambda t, f, **_: term_timeline(t, flt=f), TERM_TIMELINE, "提法首末年份"),
    "distinctive": ExportSpec(lambda t, f, *, by=None, top=None, **_: _group_support(distinctive(
        t, flt=f, **_distinctive_kw(by, top)), t, f, _distinctive_kw(by, top).get("by", "document")),
        {**DISTINCTIVE, **GROUP_SUPPORT}, "特色词"),
    "top_terms": ExportSpec(lambda t, f, *, by=None, top=None, **_: _group_support(
        top_terms(t, f, by=by, top=top or 50), t, f, by), {**TOP_TERMS, **GROUP_SUPPORT}, "高频词"),
    "plan_followup": ExportSpec(_d1("plan_followup"), _d1_columns("plan_followup"), "计划落实"),
    "similarity": ExportSpec(lambda t, f, **_: similarity(t, f), SIMILARITY, "报告相似度"),
    "boilerplate": ExportSpec(lambda t, f, **_: boilerplate(t, f), BOILERPLATE, "共用段落"),
    "kwic": ExportSpec(_kwic, KWIC, "关键词上下文", "query"),
}


def export_table(name: str, tables, flt: Filter = Filter(), *, query: str | None = None,  # noqa: B008
                 groups: tuple[Filter, Filter] | None = None, codebook=None, top: int | None = None,
                 by: str | None = None, matched: bool = False) -> pd.DataFrame:
    """Compute one table by its export name.

    Args:
        name: a key of ``EXPORTS``.
        tables: the loader's tables.
        flt: the filter every table is restricted to.
        query: the term(s) for ``kwic``.
        groups: the two filters (A, B) of a comparison; each is merged over ``flt``; scores are positive
            where B uses a term more.
        codebook: the theme codebook (the shipped one when None).
        top: a limit for the tables that take one (term_shift, rank_shift, distinctive, top_terms, kwic).
        by: the grouping for the tables that take one (distinctive, top_terms, theme_frequency, theme_shift).
        matched: 同口径: the two groups keep only units with reports on both sides and the same periods
            (``analysis.tables.support.matched_filters``); theme_shift by year compares each year with the
            previous one that way.
    Returns:
        the table named by ``name`` (its contract is ``EXPORTS[name].columns``).

    Example:
        >>> df = export_table("term_shift", tables, groups=(Filter(years=(2020,)), Filter(years=(2023,))))
        >>> export_csv(df, labels=labels_for("term_shift"))[:3]
        b'\\xef\\xbb\\xbf'
    """
    if name not in EXPORTS:
        raise ValueError(value_invalid_msg("table", name, EXPORTS))
    if by is not None and by not in BY_VALUES:
        raise ValueError(value_invalid_msg("by", by, BY_VALUES))
    wanted = [flt, *(groups or ())]
    if any(f.themes for f in wanted) and getattr(tables, "theme_hits", None) is None:
        from analysis.words.themes import with_themes

        tables = with_themes(tables, codebook)
    if matched and groups:
        m = matched_filters(tables.documents, _merge(flt, groups[0]), _merge(flt, groups[1]))
        flt, groups = dataclasses.replace(flt, units=m.units or m.a.units, periods=m.a.periods), (m.a, m.b)
    if matched and name == "theme_shift" and not groups:
        return EXPORTS[name].func(tables, flt, codebook=codebook, by=by, matched=True)
    return EXPORTS[name].func(tables, flt, query=query, groups=groups, codebook=codebook, top=top, by=by)


PREVIEW_ROWS = 1000
"""Rows of an export table the data page shows before its download."""
EXCEL_MAX_ROWS = 1_048_575
"""Data rows an Excel worksheet holds (1,048,576 less the header row). Excel cuts a longer CSV when it opens it,
so the dashboard offers no download of a longer table and names the CLI command that writes it instead."""


def preview_table(name: str, tables, flt: Filter = Filter(), *, query: str | None = None,  # noqa: B008
                  groups: tuple[Filter, Filter] | None = None, codebook=None, top: int | None = None,
                  by: str | None = None, rows: int = PREVIEW_ROWS) -> Preview:
    """The first ``rows`` rows of ``export_table(name, …)`` and its length, without building a long table.

    TERMS, SECTIONS, FIGURES and REDACTIONS rows are counted from the filter's mask and only the first ``rows``
    are copied (the TERMS table of a national corpus has tens of millions of rows). A KWIC search stops after
    ``rows + 1`` lines, so its total is known only when it is short. Other tables are computed whole (they are
    short: one row per theme, report, term or pair) and given in ``full``.

    Args:
        name, tables, flt, query, groups, codebook, top, by: as ``export_table``.
        rows: how many rows to give.
    Returns:
        Preview: ``frame`` equals ``export_table(…).head(rows)``.

    Example:
        >>> p = preview_table("terms", tables, Filter(years=(2023,)), rows=5)
        >>> len(p.frame), p.total
        (5, 48210)
    """
    if rows < 0:
        raise ValueError(f"rows={rows!r} must be zero or more")
    keep = _kept_sections(tables, flt) if name in ("sections", "terms", "figures", "redactions") else None
    if keep is not None:
        head, total = ((np.flatnonzero(keep)[:rows], int(np.count_nonzero(keep))) if name == "sections"
                       else _head_in_sections(tables, name, keep, rows))
        return Preview(rows_at(tables, name, head), total, None)
    if name == "kwic":
        limit = rows + 1 if top is None else min(top, rows + 1)
        found = export_table(name, tables, flt, query=query, groups=groups, codebook=codebook, top=limit, by=by)
        whole = len(found) < limit or (top is not None and limit == top)
        return Preview(found.head(rows), len(found) if whole else None, found if whole else None)
    if name == "distinctive" and not flt.themes:
        kw = _distinctive_kw(by, top)
        p = distinctive_preview(tables, rows=rows, flt=flt, **kw)
        return Preview(_group_support(p.frame, tables, flt, kw["by"]), p.total,
                       None if p.full is None else _group_support(p.full, tables, flt, kw["by"]))
    full = export_table(name, tables, flt, query=query, groups=groups, codebook=codebook, top=top, by=by)
    return Preview(full.head(rows), len(full), full)


def download_table(preview: Preview, name: str, tables, flt: Filter = Filter(), *,  # noqa: B008
                   query: str | None = None, groups: tuple[Filter, Filter] | None = None, top: int | None = None,
                   by: str | None = None) -> pd.DataFrame:
    """The whole table a preview was cut from, as the data page's download holds it: ``preview.full`` when it was
    computed whole, else ``export_table`` again with the preview's arguments (a KWIC search stops at
    ``EXCEL_MAX_ROWS`` lines)."""
    if preview.full is not None:
        return preview.full
    if name == "kwic":
        top = EXCEL_MAX_ROWS if top is None else min(top, EXCEL_MAX_ROWS)
    return export_table(name, tables, flt, query=query, groups=groups, top=top, by=by)


def cli_command(name: str, flt: Filter = Filter(), *, query: str | None = None,  # noqa: B008
                groups: tuple[Filter, Filter] | None = None, data: str | Path = "data",
                out: str | None = None, top: int | None = None, by: str | None = None) -> str:
    """The ``python -m analysis export`` command line that writes the table ``name`` under ``flt`` to a file.

    The dashboard shows it when a table is too long to download (``EXCEL_MAX_ROWS``). Every value is quoted for a
    POSIX shell (``shlex.quote``): it may hold ``$()``, backticks, quotes or line breaks.

    Example:
        >>> cli_command("terms", Filter(year_from=2020, year_to=2023, levels=("county",)))
        'python -m analysis export terms --data data --year 2020-2023 --level county --out terms.csv'
    """
    parts = ["python", "-m", "analysis", "export", name, "--data", _quote(str(data))]
    if flt.year_from is not None or flt.year_to is not None:
        lo = flt.year_from if flt.year_from is not None else 1000    # the CLI takes a range of two 4-digit years
        hi = flt.year_to if flt.year_to is not None else 9999
        parts += ["--year", f"{lo}-{hi}"]
    for key, value in flt.to_query().items():
        if key in ("year_from", "year_to"):
            continue
        parts += [f"--{key}", _quote(value)]
    if query:
        parts += ["--query", _quote(query)]
    if groups:
        parts += ["--groups", *(_quote(";".join(f"{k}={v}" for k, v in g.to_query().items())) for g in groups)]
    if top is not None:
        parts += ["--top", str(int(top))]
    if by is not None:
        parts += ["--by", _quote(by)]
    parts += ["--out", _quote(out or f"{name}.csv")]
    return " ".join(parts)


def _quote(value: str) -> str:
    """``value`` as one word of a POSIX shell, whatever it holds (``$()``, backticks, quotes, line breaks): unit
    names and queries come from reports and users, and the line is pasted into a terminal."""
    return shlex.quote(value)


def labels_for(name: str) -> dict[str, str]:
    """Column → Chinese header of an export table."""
    return schema.labels_zh(EXPORTS[name].columns) if name in EXPORTS else {}


# ------------------------------------------------------------------------------------------------- writers


BOOL_ZH = {True: "是", False: "否"}
LANGS = ("zh", "en")
MARKER_ZH = {"cn_dun": "一、", "cn_paren": "（一）", "cn_shi": "一是", "cn_di": "第一，", "num": "1.", "num_paren": "(1)",
             "circled": "㈠", "bracket": "【】", "plain": "无序号", "preamble": "导语"}
SOURCE_ZH = schema.SOURCE_ZH
CODES_ZH: dict[str, dict[str, str]] = {
    "kind": {**schema.KIND_ZH, "numeric": "数字遮盖", "name": "名称遮盖"}, "period": schema.PERIOD_ZH,
    "next_period": schema.PERIOD_ZH, "unit_level": schema.LEVEL_ZH, "marker_type": MARKER_ZH,
    **{f"{f}_source": SOURCE_ZH for f in ("title", "unit", "unit_level", "region", "year", "period")},
    **{f"{f}_confidence": schema.CONFIDENCE_ZH for f in ("year", "period", "unit", "unit_level", "region")},
}
"""Coded columns as the UI and the Chinese exports write them (district → 区级, annual → 全年, preamble → 导语)."""


def localise(df: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """``df`` with its coded columns in Chinese (``CODES_ZH``; the plans' follow-up status too) for ``lang="zh"``;
    as it is for ``"en"``."""
    if lang not in LANGS:
        raise ValueError(value_invalid_msg("lang", lang, LANGS))
    if lang == "en":
        return df
    from analysis.tables.coverage import STATUS_ZH

    codes = {**CODES_ZH, "status": STATUS_ZH}
    changes = {c: df[c].astype(object).map(lambda v, m=m: m.get(v, v) if isinstance(v, str) else v)
               for c, m in codes.items() if c in df.columns}
    return df.assign(**changes) if changes else df


def rounded(value: float) -> float:
    """A float as far as it means something: 4 decimals, or 3 significant digits below 0.0001 (a p-value of
    4e-31 stays 4e-31 rather than 0.0000000000000000000000000000004 or 0)."""
    if value == 0 or not math.isfinite(value):
        return value
    return float(f"{value:.3g}") if abs(value) < 1e-4 else round(value, 4)


CSV_PATH_SEPARATOR = "\u00b7"
"""Joins the levels of an outline path in a CSV: the middle dot (1·10, 2·3·1), which no spreadsheet reads as a
number, date or time; a CSV cell has no text type, and a formula (="1.10") or an invisible mark is not wanted."""


def csv_path(text: str) -> str:
    """An outline path as a CSV cell: "1.10" → "1·10", "2.3.1" → "2·3·1"; a one-level "1" and any other text stay
    as they are (Excel reads 1.10 as the number 1.1 and 1-10, 1/10 as dates)."""
    parts = text.split(".")
    return CSV_PATH_SEPARATOR.join(parts) if len(parts) > 1 and all(p.isdigit() for p in parts) else text


def outline_columns(columns: dict[str, Column], labels: dict[str, str] | None = None) -> list[str]:
    """The columns of a table contract that hold outline paths (``Column.outline_path``), by name, or by their
    header in ``labels`` when given (a page's table is renamed to its headers before it is written)."""
    return [(labels or {}).get(c, c) for c, col in columns.items() if col.outline_path]


def neutralise(text: str) -> str:
    """A leading ``'`` before text Excel would read as a formula (``= + - @``, tab, CR)."""
    return "'" + text if text.startswith(DANGEROUS_START) else text


def _cell(value: Any, *, lang: str = "zh", guard: bool = True) -> Any:
    """A cell value as Python data: None for missing, numbers as numbers (floats ``rounded``), booleans as 是/否
    (``lang="zh"``), text neutralised (``guard``; an .xlsx keeps the text and writes it as a text cell)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, str):
        text = value.replace("\x00", "")
        return neutralise(text) if guard else text
    if hasattr(value, "item") and not isinstance(value, (list, tuple)):
        value = value.item()  # numpy scalar
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, bool):
        return BOOL_ZH[value] if lang == "zh" else value
    if isinstance(value, float):
        return rounded(value)
    if isinstance(value, int):
        return value
    text = str(value)
    return neutralise(text) if guard else text


def _text(value: Any, lang: str = "zh") -> str:
    value = _cell(value, lang=lang)
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def export_csv(df: pd.DataFrame, *, labels: dict[str, str] | None = None, lang: str = "zh",
               paths: Collection[str] = ()) -> bytes:
    """The table as CSV bytes for Excel: UTF-8 with a BOM, CRLF line ends, formula-like text neutralised.

    Missing values are empty cells; numbers are written as numbers (a negative number is not neutralised), floats
    ``rounded``; booleans as 是/否 (True/False with ``lang="en"``); outline paths as 2·3·1 (``csv_path``).

    Args:
        df: any DataFrame (its index is not written).
        labels: column → header (e.g. ``labels_for(name)``); columns without one keep their name.
        paths: the columns of ``df`` that hold outline paths (``outline_columns`` of its contract).
    Returns:
        the CSV file's bytes.

    Example:
        >>> export_csv(pd.DataFrame({"term": ["=1+1"]}), labels={"term": "词语"})
        b"\\xef\\xbb\\xbf\\xe8\\xaf\\x8d\\xe8\\xaf\\xad\\r\\n'=1+1\\r\\n"
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([neutralise(str((labels or {}).get(c, c))) for c in df.columns])
    columns = [_categorical_texts(df.iloc[:, i]) for i in range(df.shape[1])]
    wanted = set(paths)
    outline = [c in wanted for c in df.columns]
    for lo in range(0, len(df), CSV_CHUNK_ROWS):
        part = df.iloc[lo:lo + CSV_CHUNK_ROWS]
        cells = (_column_texts(part.iloc[:, i], texts, lang) for i, texts in enumerate(columns))
        writer.writerows(zip(*([csv_path(t) for t in c] if o else c for c, o in zip(cells, outline, strict=True)),
                             strict=True))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


CSV_CHUNK_ROWS = 100_000
"""Rows turned into text at a time by ``export_csv`` (the cells of a chunk are Python strings until written)."""


def _categorical_texts(column: pd.Series) -> np.ndarray | None:
    """For a categorical column, the text of each category the column uses (others left empty) and "" last for
    code -1; None for other columns."""
    if not isinstance(column.dtype, pd.CategoricalDtype):
        return None
    cats = column.cat.categories
    texts = np.full(len(cats) + 1, "", dtype=object)
    used = np.unique(column.cat.codes.to_numpy())
    used = used[used >= 0]
    texts[used] = [_text(v) for v in cats[used]]
    return texts


def _column_texts(column: pd.Series, categories: np.ndarray | None = None, lang: str = "zh") -> list[str]:
    """Every cell of a column as ``_text`` writes it, worked out a column at a time: a categorical's categories
    once each (``categories``, from ``_categorical_texts``), whole numbers and float64 (whose ``str`` is Python's
    ``repr``) by NumPy; other cells one by one."""
    dtype = column.dtype
    if categories is not None:
        return categories[column.cat.codes.to_numpy()].tolist()
    if isinstance(dtype, np.dtype) and dtype.kind in "iu":
        return column.to_numpy().astype(str).tolist()
    if isinstance(dtype, np.dtype) and dtype == np.float64:
        values = column.to_numpy()
        small = (np.abs(values) < 1e-4) & (values != 0)
        texts = np.round(values, 4).astype(str)
        if small.any():
            texts[small] = [repr(rounded(float(v))) for v in values[small]]
        return np.where(np.isnan(values), "", texts).tolist()
    return [_text(v, lang) for v in column.tolist()]


def export_xlsx(df: pd.DataFrame, *, labels: dict[str, str] | None = None, sheet: str = "数据",
                lang: str = "zh") -> bytes:
    """The table as an .xlsx workbook: one sheet, Chinese headers in bold, the header row frozen, columns as wide
    as their text (up to ``XLSX_MAX_WIDTH``), every text a text cell (so formula-like text is never a formula and
    needs no visible guard, and an outline path "1.10" stays 1.10, not 1·10 as in a CSV), floats ``rounded``,
    booleans as 是/否.

    Args:
        df: any DataFrame (its index is not written).
        labels: column → header; columns without one keep their name.
        sheet: the sheet's title.
    Returns:
        the workbook's bytes.

    Example:
        >>> book = openpyxl.load_workbook(io.BytesIO(export_xlsx(df, labels=labels_for("kwic"))))
        >>> [c.value for c in book.active[1]][:2]
        ['文档编号', '文件']
    """
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    ws = book.active
    ws.title = sheet[:31]
    headers = [str((labels or {}).get(c, c)) for c in df.columns]
    widths = [_width(h) for h in headers]
    for row_values in ([headers], (list(r) for r in df.itertuples(index=False, name=None))):
        for values in row_values:
            ws.append([None] * len(values))
            for col, value in enumerate(values, start=1):
                value = _cell(value, lang=lang, guard=False) if values is not headers else value
                cell = ws.cell(row=ws.max_row, column=col)
                if isinstance(value, str):
                    cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
                    cell.data_type = "s"
                else:
                    cell.value = value
                if ws.max_row <= XLSX_WIDTH_ROWS:
                    widths[col - 1] = max(widths[col - 1], _width(value))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(XLSX_MAX_WIDTH, width + 2)
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


XLSX_MAX_WIDTH = 60
XLSX_WIDTH_ROWS = 1000
"""Rows whose text sets the columns' widths (a long table is not measured to its end)."""


def _width(value: Any) -> int:
    """Characters of width the value takes in Excel (a Chinese character takes two)."""
    if value is None:
        return 0
    text = str(value)
    return len(text) + sum(1 for ch in text if ord(ch) > 0x2E80)


def write_export(df: pd.DataFrame, path: str | Path, *, labels: dict[str, str] | None = None,
                 lang: str = "zh", paths: Collection[str] = ()) -> Path:
    """Write the table to ``path`` as .csv or .xlsx (by its extension), atomically (temporary file, then rename).

    Args:
        df: the table.
        path: the output file; its extension decides the format.
        labels: column → header.
        paths: the columns holding outline paths (a CSV writes them as 2·3·1; a workbook as written).
    Returns:
        the path written.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(value_invalid_msg("output extension", suffix or path.name, FORMATS))
    data = (export_csv(df, labels=labels, lang=lang, paths=paths) if suffix == ".csv"
            else export_xlsx(df, labels=labels, lang=lang))
    return write_bytes_atomically(data, path)


def write_bytes_atomically(data: bytes, path: str | Path) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename it into place: the file
    is either the old one or the whole new one, never half written.

    Returns:
        the path written.
    """
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


# ----------------------------------------------------------------------------------------------------- CLI

_FLAG_KEYS = (("year", "years: 2023, 2020,2021 or a range 2020-2023"), ("unit", "issuing units"),
              ("region", "regions"), ("level", "unit levels (city, district … or 市级 …)"),
              ("period", "periods (H1, annual … or 上半年 …)"), ("kind", "section kinds (plans, achievements …)"),
              ("theme", "theme ids of the codebook"))


def add_export_command(subparsers) -> argparse.ArgumentParser:
    """Add the ``export`` subcommand to an argparse subparsers object; it runs ``run_export``."""
    p = subparsers.add_parser(
        "export", help="export any analysis table, filtered, as CSV or Excel（导出表格）",
        description="Compute TABLE from the data store, restricted by the filter options, and write it as CSV "
                    "(UTF-8 with BOM, formula-like cells neutralised) or .xlsx by the --out extension; CSV goes "
                    f"to stdout without --out. Tables: {', '.join(EXPORTS)}.",
        epilog="Example: python -m analysis export term_shift --groups year=2020 year=2023 --top 20 --out shift.xlsx")
    p.add_argument("table", metavar="TABLE", help="the table's export name (see above)")
    for key, meaning in _FLAG_KEYS:
        p.add_argument(f"--{key}", action="append", default=[], metavar="VALUE",
                       help=f"{meaning}; repeat or separate with commas")
    p.add_argument("--query", metavar="TERM", help="kwic: term(s), several separated by spaces or |")
    p.add_argument("--groups", nargs=2, metavar=("A", "B"),
                   help="two filters key=value[,value…][;key=value…]; scores are positive where B is higher")
    p.add_argument("--top", type=int, metavar="N", help="a limit (terms per group, rows of kwic …)")
    p.add_argument("--by", choices=BY_VALUES, help="grouping for distinctive, top_terms, theme tables")
    p.add_argument("--matched", action="store_true",
                   help="同口径: compare only units with reports in both groups (or years) and the same periods")
    p.add_argument("--codebook", metavar="YAML", help="theme codebook (default: the shipped one)")
    p.add_argument("--data", default="data", metavar="DATA_DIR", help="the data store (default: data)")
    p.add_argument("--out", metavar="FILE", help="output .csv or .xlsx (default: CSV to stdout)")
    p.add_argument("--lang", choices=LANGS, default="zh",
                   help="zh (default): Chinese headers, codes and 是/否, as the dashboard writes them; en: column "
                        "names, codes and True/False")
    p.set_defaults(func=run_export)
    return p


register = add_export_command
"""The hook ``analysis.cli`` calls for its extension modules."""


def filter_from_args(args: argparse.Namespace) -> Filter:
    """The Filter the ``--year/--unit/…`` options describe (values may be repeated or comma-separated)."""
    clauses = [f"{key}={','.join(getattr(args, key))}" for key, _ in _FLAG_KEYS if getattr(args, key, None)]
    return Filter.parse(";".join(clauses))


def run_export(args: argparse.Namespace) -> int:
    """Run ``export``: 0 on success, 2 for a bad table, filter or option, 1 when the store cannot be read."""
    if args.table not in EXPORTS:
        return _fail(value_invalid_msg("table", args.table, EXPORTS), 2)
    try:
        flt = filter_from_args(args)
        groups = tuple(Filter.parse(g) for g in args.groups) if args.groups else None
        if args.out and Path(args.out).suffix.lower() not in FORMATS:
            raise ValueError(value_invalid_msg("--out extension", Path(args.out).suffix or args.out, FORMATS))
        if args.top is not None and args.top < 1:
            raise ValueError(f"--top={args.top} must be at least 1")
    except ValueError as err:
        return _fail(str(err), 2)
    try:
        from analysis.store import load

        tables = load(args.data)
        codebook = None
        if args.codebook or any(f.themes for f in (flt, *(groups or ()))):
            from analysis.words.themes import load_codebook

            codebook = load_codebook(args.codebook)
    except ReportLensError as err:
        return _fail(str(err), 1)
    try:
        for f in (flt, *(groups or ())):
            validate_filter(f, tables.documents, themes=codebook.ids if codebook else None)
        df = export_table(args.table, tables, flt, query=args.query, groups=groups, codebook=codebook,
                          top=args.top, by=args.by, matched=args.matched)
    except ValueError as err:
        return _fail(str(err), 2)
    lang = getattr(args, "lang", "zh")
    labels = labels_for(args.table) if lang == "zh" else None
    df = localise(df, lang)
    paths = outline_columns(EXPORTS[args.table].columns)
    if args.out:
        write_export(df, args.out, labels=labels, lang=lang, paths=paths)
        print(f"{args.table}: {len(df)} rows → {args.out}", file=sys.stderr)
    else:
        sys.stdout.buffer.write(export_csv(df, labels=labels, lang=lang, paths=paths))
        sys.stdout.buffer.flush()
    return 0


def _fail(message: str, code: int) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


__all__ = [
    "BOOL_ZH",
    "CODES_ZH",
    "EXCEL_MAX_ROWS",
    "EXPORTS",
    "LANGS",
    "PREVIEW_ROWS",
    "ExportSpec",
    "Preview",
    "add_export_command",
    "cli_command",
    "csv_path",
    "download_table",
    "export_csv",
    "export_table",
    "export_xlsx",
    "labels_for",
    "localise",
    "neutralise",
    "outline_columns",
    "preview_table",
    "register",
    "rounded",
    "rows_in_sections",
    "run_export",
    "write_export",
]
