"""Theme coverage tables: how much of each report, unit and year goes to each area of work, and what changed.

Convention (shared by the analysis modules): each function takes ``tables`` — any object with attributes
``documents``, ``sections``, ``terms`` and optionally ``theme_hits`` and ``codebook`` (see
``analysis.words.themes.with_themes``, which codes the sections once) — then a ``Filter``, then keyword-only options.
Theme hits are computed from ``tables.sections`` when ``tables`` has none (or when another ``codebook`` is given).

The filter selects documents (years, periods, units, levels, regions) and sections (``kinds``); ``themes`` limits
which theme rows are returned (shares are still of all themes). Rates are normalised by length:
``hits_per_10k`` is hits per 10,000 characters of the selected sections' own text (which tiles the documents),
and shares are of the group's theme hits or characters. Raw counts stay beside them.

Absent is not zero: a unit × year with no report has no row here, and ``mask_absent`` turns such cells of any
grid into NaN using the ``ledger``.
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from analysis.parse.masks import MASK_RE
from analysis.query import index
from analysis.query.cache import cached, rows_in
from analysis.query.filters import ALL_REPORTS, Filter
from analysis.query.search import theme_cube
from analysis.schema import KINDS, Column
from analysis.words.themes import HEADING_WEIGHT, Codebook, code_sections, load_codebook, section_theme_profile

BY_KEYS = {"document": ["doc_id", "unit", "year", "period"], "unit_year": ["unit", "year"], "year": ["year"],
           "unit": ["unit"], "level": ["unit_level"], "region": ["region"], "all": []}
PERIOD_ORDER = {"Q1": 1, "Q2": 2, "H1": 2.5, "Q3": 3, "H2": 4, "Q4": 4.5, "annual": 5}

_KEYS = {"doc_id": Column("str", "the document", "文档编号"), "unit": Column("str", "issuing unit", "单位"),
         "unit_level": Column("str", "unit level", "层级"), "region": Column("str", "place name", "地区"),
         "year": Column("Int64", "year the report covers", "年份"), "period": Column("str", "H1/annual …", "时段")}
_THEME = {"theme": Column("str", "theme id", "主题编号"), "theme_name": Column("str", "theme name", "主题")}

THEME_FREQUENCY = {
    **_KEYS, **_THEME,
    "n_reports": Column("int64", "reports in the group", "报告数"),
    "n_units": Column("int64", "distinct issuing units among them (reports without a unit not counted)", "单位数"),
    "chars": Column("int64", "characters of the group's selected sections", "字数"),
    "hits": Column("int64", "theme keyword matches", "命中次数"),
    "hits_per_10k": Column("float64", "hits per 10,000 characters", "每万字命中"),
    "share": Column("float64", "share of the group's theme hits (all themes)", "主题占比"),
    "value": Column("float64", "hits or hits_per_10k, as weighting= chose", "数值"),
}
THEME_COVERAGE = {
    "doc_id": _KEYS["doc_id"], "unit": _KEYS["unit"], "year": _KEYS["year"], "period": _KEYS["period"], **_THEME,
    "chars": Column("int64", "characters in sections whose dominant theme it is", "主导段落字数"),
    "share_chars": Column("float64", "those characters as a share of the document's selected characters",
                          "篇幅占比"),
    "hits": Column("int64", "theme keyword matches in the document", "命中次数"),
    "is_present": Column("bool", "the theme is mentioned at all (counted once per document)", "是否涉及"),
}
KIND_COVERAGE = {
    "doc_id": _KEYS["doc_id"], "unit": _KEYS["unit"], "year": _KEYS["year"], "period": _KEYS["period"],
    "kind": Column("str", "preamble/achievements/problems/plans/other", "段落类型"),
    "n_sections": Column("int64", "sections of that kind", "段落数"),
    "chars": Column("int64", "characters of that kind", "字数"),
    "share_chars": Column("float64", "share of the document's characters", "篇幅占比"),
}
THEME_GAPS = {"doc_id": _KEYS["doc_id"], "unit": _KEYS["unit"], "year": _KEYS["year"], "period": _KEYS["period"],
              **_THEME}
LEDGER = {
    "unit": _KEYS["unit"], "year": _KEYS["year"], "period": _KEYS["period"],
    "n_docs": Column("int64", "reports of that unit, year and period", "报告数"),
    "doc_ids": Column("str", "their document ids, comma-separated", "文档编号"),
    "chars": Column("int64", "their characters", "字数"),
}
THEME_SHIFT = {
    "unit": _KEYS["unit"], "year": _KEYS["year"], **_THEME,
    "hits": THEME_FREQUENCY["hits"], "hits_per_10k": THEME_FREQUENCY["hits_per_10k"],
    "share": THEME_FREQUENCY["share"],
    "prev_year": Column("Int64", "the previous year with a report (same unit for by=unit_year)", "上一年份"),
    "delta_share": Column("float64", "share minus the previous year's (or B minus A for groups)", "占比变化"),
    "delta_per_10k": Column("float64", "hits_per_10k minus the previous year's (or B minus A)", "每万字变化"),
    "hits_a": Column("int64", "group A's hits (groups only)", "A组命中"),
    "hits_b": Column("int64", "group B's hits (groups only)", "B组命中"),
    "share_a": Column("float64", "group A's share (groups only)", "A组占比"),
    "share_b": Column("float64", "group B's share (groups only)", "B组占比"),
    "per_10k_a": Column("float64", "group A's hits per 10k (groups only)", "A组每万字"),
    "per_10k_b": Column("float64", "group B's hits per 10k (groups only)", "B组每万字"),
    "z": Column("float64", "size-aware change of the rate: log rate ratio ÷ its standard error (+ = more)",
                "变化Z值"),
    "matched": Column("bool", "the comparison kept only units and periods present on both sides (同口径)", "同口径"),
    "n_reports": Column("int64", "reports behind the row (by year or unit × year)", "报告数"),
    "n_units": Column("int64", "their units", "单位数"),
    "chars": Column("int64", "their selected characters", "字数"),
    "n_reports_a": Column("int64", "group A's reports (groups only)", "A组报告数"),
    "n_units_a": Column("int64", "group A's units (groups only)", "A组单位数"),
    "chars_a": Column("int64", "group A's selected characters (groups only)", "A组字数"),
    "n_reports_b": Column("int64", "group B's reports (groups only)", "B组报告数"),
    "n_units_b": Column("int64", "group B's units (groups only)", "B组单位数"),
    "chars_b": Column("int64", "group B's selected characters (groups only)", "B组字数"),
}
PLAN_FOLLOWUP = {
    "unit": _KEYS["unit"],
    "doc_id": Column("str", "the earlier report (with the plans)", "计划报告"),
    "year": Column("Int64", "its year", "计划年份"), "period": Column("str", "its period", "计划时段"),
    "next_doc_id": Column("str", "the unit's next report", "后续报告"),
    "next_year": Column("Int64", "its year", "后续年份"), "next_period": Column("str", "its period", "后续时段"),
    **_THEME,
    "plan_hits": Column("int64", "theme hits in the earlier report's plans sections", "计划命中"),
    "next_hits": Column("int64", "theme hits in the next report's achievements sections", "成效命中"),
    "status": Column("str", "delivered / silent (planned, not reported) / new (reported, not planned)", "落实情况"),
}
STATUS_ZH = {"delivered": "已落实", "silent": "未提及", "new": "新增"}
REASON_ATTR = "reason"


def _resolve(tables: Any, codebook: Codebook | None) -> tuple[pd.DataFrame, Codebook]:
    own = getattr(tables, "codebook", None)
    cb = codebook or own or load_codebook()
    hits = getattr(tables, "theme_hits", None)
    if hits is None or (codebook is not None and own is not None and own != codebook) or (own is None and codebook):
        hits = code_sections(tables.sections, cb)
    return hits, cb


def _select(tables: Any, *filters: Filter) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The documents matching every filter and their sections of the chosen kinds (theme filters ignored)."""
    docs, secs = tables.documents, tables.sections
    for flt in filters:
        docs = flt.apply(docs)
        secs = Filter(kinds=flt.kinds).apply_sections(secs, docs)
    secs = secs.assign(own_chars=secs["text"].fillna("").str.len().astype("int64"))
    return docs, secs


def _theme_rows(df: pd.DataFrame, flt: Filter, cb: Codebook) -> pd.DataFrame:
    df = df[df["theme"].isin(flt.themes)] if flt.themes else df
    return df.assign(theme_name=df["theme"].map(cb.names()))


# ------------------------------------------------------------------------------------------------ cached cubes

OTHER_SLOT = len(KINDS)
"""The kind slot of sections whose kind is none of ``KINDS`` (counted only when a filter names no kind)."""


@dataclass(frozen=True)
class SectionCube:
    """Per document (DOCUMENTS row) and kind slot (``KINDS`` then ``OTHER_SLOT``): sections and own characters."""

    unique: bool             # document and section ids are unique (else the cube is empty and unused)
    sec_doc: np.ndarray      # int64, each SECTIONS row's DOCUMENTS position (-1: not in DOCUMENTS)
    sec_slot: np.ndarray     # int64, each SECTIONS row's kind slot
    n_sections: np.ndarray   # int64 [documents, slots]
    chars: np.ndarray        # int64 [documents, slots]


@dataclass(frozen=True)
class ThemeCube:
    """Per document, kind slot and theme (codebook order): theme hits, and own characters of the sections the
    theme dominates (``section_theme_profile(..., by="section")``)."""

    hits: np.ndarray             # int64 [documents, slots, themes]
    dominant_chars: np.ndarray   # int64 [documents, slots, themes]
    dominant: np.ndarray         # int64, each SECTIONS row's dominant theme (-1: none)


def kind_slots(flt: Filter) -> np.ndarray:
    """A boolean array over the kind slots: the section kinds ``flt`` keeps (as ``Filter.apply_sections``)."""
    if not flt.kinds:
        return np.ones(OTHER_SLOT + 1, dtype=bool)
    return np.array([k in flt.kinds for k in KINDS] + [False], dtype=bool)


def _indexed(tables: Any, hits: pd.DataFrame | None = None) -> bool:
    """Whether the cached cubes answer: unique document and section ids (and the tables' own theme hits)."""
    if hits is not None and hits is not getattr(tables, "theme_hits", None):
        return False
    secs, docs = tables.sections, tables.documents
    return ({"doc_id", "section_id", "kind", "text"} <= set(secs.columns) and "doc_id" in docs.columns
            and section_cube(tables).unique)



def section_mask(tables: Any, flt: Filter) -> np.ndarray | None:
    """The SECTIONS rows ``flt`` selects as a boolean array (as ``Filter.apply_sections``), from the cached cube.

    Args:
        tables: documents and sections.
        flt: the filter.
    Returns:
        the mask, or None when the cube cannot answer (a theme filter, a kind outside ``KINDS``, repeated ids).
    """
    if flt.themes or not set(flt.kinds) <= set(KINDS) or not _indexed(tables):
        return None
    cube = section_cube(tables)
    keep = np.append(index.doc_mask(tables.documents, flt), False)[cube.sec_doc]
    return keep & kind_slots(flt)[cube.sec_slot] if flt.kinds else keep

def _bincount(keys: np.ndarray, weights: np.ndarray | None, size: int) -> np.ndarray:
    if weights is None:
        return np.bincount(keys, minlength=size).astype(np.int64)
    return np.rint(np.bincount(keys, weights=weights.astype(np.float64), minlength=size)).astype(np.int64)


def section_cube(tables: Any) -> SectionCube:
    """The cached SectionCube of ``tables`` (built once per documents and sections tables).

    Args:
        tables: documents and sections.
    Returns:
        the SectionCube (empty, ``unique`` False, when document or section ids repeat); ``cube.chars[doc, slot]`` equals the summed ``len(text)`` of that document's sections.
    """
    def build() -> SectionCube:
        secs = tables.sections
        n_docs, n_slots = len(tables.documents), OTHER_SLOT + 1
        if not (tables.documents["doc_id"].is_unique and secs["section_id"].is_unique):
            none = np.zeros(0, dtype=np.int64)
            return SectionCube(False, none, none, none.reshape(0, n_slots), none.reshape(0, n_slots))
        sec_doc = rows_in(secs["doc_id"], tables.documents["doc_id"])
        codes = pd.Categorical(secs["kind"], categories=list(KINDS)).codes.astype(np.int64)
        sec_slot = np.where(codes < 0, OTHER_SLOT, codes)
        own = secs["text"].fillna("").str.len().to_numpy(dtype=np.int64)
        ok = sec_doc >= 0
        key = sec_doc[ok] * n_slots + sec_slot[ok]
        return SectionCube(unique=True, sec_doc=sec_doc, sec_slot=sec_slot,
                           n_sections=_bincount(key, None, n_docs * n_slots).reshape(n_docs, n_slots),
                           chars=_bincount(key, own[ok], n_docs * n_slots).reshape(n_docs, n_slots))

    return cached("coverage_sections", tables, tables.sections, build)


def theme_section_cube(tables: Any, theme_ids: tuple[str, ...]) -> ThemeCube:
    """The cached ThemeCube of ``tables.theme_hits`` for these themes (built once per hits table and theme list).

    Args:
        tables: documents, sections and theme_hits (unique ids).
        theme_ids: the themes, in codebook order (hits of other themes are left out).
    Returns:
        the ThemeCube.
    """
    def build() -> ThemeCube:
        sec = section_cube(tables)
        hits, n_docs, n_slots, n_themes = tables.theme_hits, len(tables.documents), OTHER_SLOT + 1, len(theme_ids)
        row = rows_in(hits["section_id"], tables.sections["section_id"])
        theme = pd.Index(list(theme_ids), dtype=object).get_indexer(hits["theme"].astype(object))
        ok = (row >= 0) & (theme >= 0)
        ok[ok] = sec.sec_doc[row[ok]] >= 0
        row, theme = row[ok].astype(np.int64), theme[ok].astype(np.int64)
        cell = (sec.sec_doc[row] * n_slots + sec.sec_slot[row]) * n_themes + theme
        size = n_docs * n_slots * n_themes
        hit_cube = _bincount(cell, hits["hits"].to_numpy(dtype=np.int64)[ok], size)
        weight = (hits["heading_hits"].to_numpy(dtype=np.float64) * HEADING_WEIGHT
                  + hits["body_hits"].to_numpy(dtype=np.float64))[ok]
        pair, where = np.unique(row * max(n_themes, 1) + theme, return_inverse=True)
        summed = np.bincount(where, weights=weight, minlength=len(pair))
        pair_row, pair_theme = np.divmod(pair, max(n_themes, 1))
        order = np.lexsort((pair_theme, -summed, pair_row))   # per section: heaviest first, then codebook order
        first = order[np.r_[True, pair_row[order][1:] != pair_row[order][:-1]]] if len(order) else order
        first = first[summed[first] > 0]
        dominant = np.full(len(tables.sections), -1, dtype=np.int64)
        dominant[pair_row[first]] = pair_theme[first]
        own = tables.sections["text"].fillna("").str.len().to_numpy(dtype=np.int64)
        has = (dominant >= 0) & (sec.sec_doc >= 0)
        dom_cell = (sec.sec_doc[has] * n_slots + sec.sec_slot[has]) * n_themes + dominant[has]
        return ThemeCube(hits=hit_cube.reshape(n_docs, n_slots, n_themes),
                         dominant_chars=_bincount(dom_cell, own[has], size).reshape(n_docs, n_slots, n_themes),
                         dominant=dominant)

    per_list = cached("coverage_themes", tables, tables.theme_hits, dict)
    key = (tuple(theme_ids), HEADING_WEIGHT)
    if key not in per_list:
        per_list[key] = build()
    return per_list[key]


def theme_frequency(tables: Any, flt: Filter = ALL_REPORTS, *, by: str = "document",
                    weighting: Literal["count", "per_10k"] = "count",
                    codebook: Codebook | None = None) -> pd.DataFrame:
    """Theme hits per group, per 10,000 characters and as a share of the group's theme hits.

    Args:
        tables: documents, sections (and optionally theme_hits, codebook).
        flt: which documents and section kinds; ``themes`` limits the rows returned.
        by: "document", "unit_year", "year", "unit", "level", "region" or "all".
        weighting: "count" (value = hits) or "per_10k" (value = hits_per_10k); rows sort by value within a group.
        codebook: the codebook; the tables' or the shipped one when None.
    Returns:
        a THEME_FREQUENCY table: one row per group and theme (every theme, zeros included, for groups that exist).

    Example:
        >>> tf = theme_frequency(tables, Filter(years=(2020,)), by="year", weighting="per_10k")
        >>> tf.iloc[0][["theme_name", "hits_per_10k"]].tolist()
        ['疫情防控', 31.2]
    """
    if by not in BY_KEYS:
        raise ValueError(f"by={by!r} is not valid; options are: {', '.join(map(repr, BY_KEYS))}")
    if weighting not in ("count", "per_10k"):
        raise ValueError(f"weighting={weighting!r} is not valid; options are: 'count', 'per_10k'")
    hits, cb = _resolve(tables, codebook)
    return _frequency(tables, hits, cb, flt, by=by, weighting=weighting)


def _frequency(tables: Any, hits: pd.DataFrame, cb: Codebook, flt: Filter, *, by: str, weighting: str,
               extra: Filter | None = None) -> pd.DataFrame:
    """``theme_frequency`` with the hits resolved; ``extra`` also restricts documents and kinds (a group)."""
    if extra is not None and not (hits is getattr(tables, "theme_hits", None) and index.usable(tables, flt)):
        tables = _Themed(tables, hits, cb, extra=extra)
        extra = None
    if hits is getattr(tables, "theme_hits", None) and index.usable(tables, flt):
        grid, docs = _fast_grid(tables, flt, cb, extra)
    else:
        docs, secs = _select(tables, flt)
        per_doc = hits[hits["section_id"].isin(secs["section_id"])].groupby(["doc_id", "theme"])["hits"].sum()
        chars = secs.groupby("doc_id")["own_chars"].sum()
        grid = pd.MultiIndex.from_product([docs["doc_id"], list(cb.ids)],
                                          names=["doc_id", "theme"]).to_frame(index=False)
        grid["hits"] = per_doc.reindex(pd.MultiIndex.from_frame(grid)).fillna(0).astype("int64").to_numpy()
        grid["chars"] = grid["doc_id"].map(chars).fillna(0).astype("int64")
    keys = BY_KEYS[by]
    extra_cols = [k for k in keys if k != "doc_id"]
    grid = grid.merge(docs[["doc_id", *extra_cols, *(["unit"] if "unit" not in extra_cols else [])]].rename(
        columns={} if "unit" in extra_cols else {"unit": "_unit"}), on="doc_id", how="left")
    unit_col = "unit" if "unit" in extra_cols else "_unit"
    out = (grid.groupby([*keys, "theme"], dropna=False, sort=False)
           .agg(n_reports=("doc_id", "nunique"), n_units=(unit_col, "nunique"), chars=("chars", "sum"),
                hits=("hits", "sum")).reset_index())
    out["n_units"] = out["n_units"].astype("int64")
    out["hits_per_10k"] = np.where(out["chars"] > 0, out["hits"] * 10_000 / out["chars"].where(out["chars"] > 0), 0.0)
    total = out.groupby(keys, dropna=False)["hits"].transform("sum") if keys else out["hits"].sum()
    out["share"] = (out["hits"] / pd.Series(total, index=out.index).where(lambda s: s > 0)).fillna(0.0)
    out["value"] = (out["hits"] if weighting == "count" else out["hits_per_10k"]).astype("float64")
    out = _theme_rows(out, flt, cb)
    out = out.sort_values([*keys, "value"], ascending=[True] * len(keys) + [False], kind="stable")
    cols = [*keys, "theme", "theme_name", "n_reports", "n_units", "chars", "hits", "hits_per_10k", "share", "value"]
    return out[cols].reset_index(drop=True)


def _fast_grid(tables: Any, flt: Filter, cb: Codebook, extra: Filter | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(doc_id, theme, hits, chars) for every selected document and theme, from the cached theme cube."""
    cube, chars = theme_cube(tables, cb.ids)
    mask = index.doc_mask(tables.documents, flt)
    kinds = index.kind_mask(flt)
    if extra is not None:
        mask, kinds = mask & index.doc_mask(tables.documents, extra), kinds & index.kind_mask(extra)
    chosen = np.flatnonzero(mask)
    docs = tables.documents.iloc[chosen].reset_index(drop=True)
    n, k = len(chosen), len(cb.ids)
    grid = pd.DataFrame({"doc_id": np.repeat(docs["doc_id"].to_numpy(dtype=object), k),
                         "theme": np.tile(np.asarray(cb.ids, dtype=object), n),
                         "hits": cube[chosen][:, kinds, :].sum(axis=1).reshape(-1).astype("int64"),
                         "chars": np.repeat(chars[chosen][:, kinds].sum(axis=1), k).astype("int64")})
    return grid, docs


def theme_coverage(tables: Any, flt: Filter = ALL_REPORTS, *, codebook: Codebook | None = None) -> pd.DataFrame:
    """Per document and theme: the share of characters in sections it dominates, and whether it appears at all.

    Args:
        tables: documents, sections (and optionally theme_hits, codebook).
        flt: which documents and section kinds; ``themes`` limits the rows returned.
        codebook: the codebook; the tables' or the shipped one when None.
    Returns:
        a THEME_COVERAGE table: one row per selected document and theme.

    Example:
        >>> cov = theme_coverage(tables)
        >>> cov[cov.is_present].groupby("doc_id").size()   # themes touched per report
    """
    hits, cb = _resolve(tables, codebook)
    if set(flt.kinds) <= set(KINDS) and _indexed(tables, hits):
        chosen, slots = np.flatnonzero(index.doc_mask(tables.documents, flt)), kind_slots(flt)
        docs = tables.documents.iloc[chosen].reset_index(drop=True)
        cube = theme_section_cube(tables, cb.ids)
        dominant = cube.dominant_chars[chosen][:, slots, :].sum(axis=1)
        n_hits = cube.hits[chosen][:, slots, :].sum(axis=1)
        total = section_cube(tables).chars[chosen][:, slots].sum(axis=1)
        out = pd.MultiIndex.from_product([docs["doc_id"], list(cb.ids)],
                                         names=["doc_id", "theme"]).to_frame(index=False)
        out["chars"] = dominant.reshape(-1).astype("int64")
        denom = np.repeat(total, len(cb.ids)).astype("float64")
        out["share_chars"] = np.divide(out["chars"].to_numpy(dtype="float64"), denom, out=np.zeros(len(out)),
                                       where=denom > 0)
        out["hits"] = n_hits.reshape(-1).astype("int64")
        return _coverage_rows(out, docs, flt, cb)
    return _theme_coverage_plain(tables, hits, cb, flt)


def _theme_coverage_plain(tables: Any, hits: pd.DataFrame, cb: Codebook, flt: Filter) -> pd.DataFrame:
    """``theme_coverage`` computed from the section tables (the reference the cached cubes must equal)."""
    docs, secs = _select(tables, flt)
    prof = section_theme_profile(hits[hits["section_id"].isin(secs["section_id"])], secs, codebook=cb)
    dom = prof.groupby(["doc_id", "dominant_theme"])["chars"].sum()
    n_hits = hits[hits["section_id"].isin(secs["section_id"])].groupby(["doc_id", "theme"])["hits"].sum()
    total = secs.groupby("doc_id")["own_chars"].sum()
    out = pd.MultiIndex.from_product([docs["doc_id"], list(cb.ids)], names=["doc_id", "theme"]).to_frame(index=False)
    idx = pd.MultiIndex.from_frame(out)
    out["chars"] = dom.reindex(idx).fillna(0).astype("int64").to_numpy()
    denom = out["doc_id"].map(total).astype("float64")
    out["share_chars"] = (out["chars"] / denom.where(denom > 0)).fillna(0.0)
    out["hits"] = n_hits.reindex(idx).fillna(0).astype("int64").to_numpy()
    return _coverage_rows(out, docs, flt, cb)


def _coverage_rows(out: pd.DataFrame, docs: pd.DataFrame, flt: Filter, cb: Codebook) -> pd.DataFrame:
    """The THEME_COVERAGE rows from per (doc_id, theme) chars, share_chars and hits: both paths end here."""
    out["is_present"] = out["hits"] > 0
    out = out.merge(docs[["doc_id", "unit", "year", "period"]], on="doc_id", how="left")
    return _theme_rows(out, flt, cb)[list(THEME_COVERAGE)].reset_index(drop=True)


def theme_gaps(tables: Any, flt: Filter = ALL_REPORTS, *, codebook: Codebook | None = None) -> pd.DataFrame:
    """The themes a report does not mention at all (in its selected sections).

    Args:
        tables: documents, sections (and optionally theme_hits, codebook).
        flt: which documents and section kinds; ``themes`` limits the themes considered.
        codebook: the codebook; the tables' or the shipped one when None.
    Returns:
        a THEME_GAPS table: one row per selected document and untouched theme.

    Example:
        >>> theme_gaps(tables, Filter(years=(2023,)))["theme_name"].value_counts()
    """
    cov = theme_coverage(tables, flt, codebook=codebook)
    return cov.loc[~cov["is_present"], list(THEME_GAPS)].reset_index(drop=True)


def kind_coverage(tables: Any, flt: Filter = ALL_REPORTS) -> pd.DataFrame:
    """Per document and kind of section: characters and their share of the document.

    Args:
        tables: documents and sections.
        flt: which documents; ``kinds`` limits the rows returned (shares stay of the whole document).
    Returns:
        a KIND_COVERAGE table: one row per selected document and kind (all five kinds, zeros included).

    Example:
        >>> kc = kind_coverage(tables, Filter(kinds=("plans",)))
        >>> kc.sort_values("share_chars").tail(1)
    """
    if _indexed(tables):
        chosen = np.flatnonzero(index.doc_mask(tables.documents, flt))
        docs = tables.documents.iloc[chosen].reset_index(drop=True)
        cube = section_cube(tables)
        n_sections, chars = cube.n_sections[chosen][:, :len(KINDS)], cube.chars[chosen][:, :len(KINDS)]
    else:
        docs, secs = _select(tables, dataclasses.replace(flt, kinds=()))
        agg = secs.groupby(["doc_id", "kind"]).agg(n_sections=("section_id", "size"), chars=("own_chars", "sum"))
        keys = pd.MultiIndex.from_product([docs["doc_id"], list(KINDS)], names=["doc_id", "kind"])
        agg = agg.reindex(keys).fillna(0).astype("int64")
        n_sections, chars = agg["n_sections"].to_numpy(), agg["chars"].to_numpy()
    out = pd.MultiIndex.from_product([docs["doc_id"], list(KINDS)], names=["doc_id", "kind"]).to_frame(index=False)
    out["n_sections"] = np.asarray(n_sections, dtype="int64").reshape(-1)
    out["chars"] = np.asarray(chars, dtype="int64").reshape(-1)
    total = out.groupby("doc_id")["chars"].transform("sum").astype("float64")
    out["share_chars"] = (out["chars"] / total.where(total > 0)).fillna(0.0)
    out = out.merge(docs[["doc_id", "unit", "year", "period"]], on="doc_id", how="left")
    if flt.kinds:
        out = out[out["kind"].isin(flt.kinds)]
    return out[list(KIND_COVERAGE)].reset_index(drop=True)


def ledger(tables: Any, flt: Filter = ALL_REPORTS) -> pd.DataFrame:
    """Which unit × year × period reports exist, so an absent report is never read as a zero.

    Args:
        tables: documents.
        flt: which documents.
    Returns:
        a LEDGER table: one row per unit, year and period that has at least one report.

    Example:
        >>> led = ledger(tables)
        >>> mask_absent(grid, led)   # absent unit × year cells become NaN
    """
    docs = flt.apply(tables.documents).sort_values("doc_id")
    groups = docs.groupby(["unit", "year", "period"], dropna=False, sort=True)
    out = groups.agg(n_docs=("doc_id", "size"), chars=("chars", "sum")).reset_index()
    number = groups.ngroup().to_numpy()   # each report's group, numbered in the output's order
    order = np.argsort(number, kind="stable")
    ids = docs["doc_id"].astype(object).to_numpy()[order].tolist()
    bounds = np.searchsorted(number[order], np.arange(len(out) + 1)).tolist()
    out.insert(len(out.columns) - 1, "doc_ids", [",".join(ids[lo:hi]) for lo, hi in itertools.pairwise(bounds)])
    out["year"] = out["year"].astype("Int64")
    return out[list(LEDGER)].astype({"n_docs": "int64", "chars": "int64"})


CHART_ROWS = 40
"""Most rows (units, reports) a chart with one row or panel per unit or report draws. Beyond it a chart is
unreadable and takes seconds to draw in a browser; the table under the chart keeps every row."""


def largest_rows(grid: pd.DataFrame, *, limit: int | None = None) -> pd.DataFrame:
    """The ``limit`` rows of a wide grid with the largest row sums (NaN counts as 0), in the grid's own order.

    Args:
        grid: rows (units, reports) × columns (years, themes) of counts.
        limit: how many rows to keep; CHART_ROWS when None.
    Returns:
        ``grid`` itself when it has at most ``limit`` rows, else its ``limit`` heaviest rows (ties: earlier first).

    Example:
        >>> shown = largest_rows(views.ledger_grid(ledger(tables)))   # the 40 units with most reports
    """
    limit = CHART_ROWS if limit is None else limit
    if len(grid) <= limit:
        return grid
    weight = grid.sum(axis=1, numeric_only=True).to_numpy()
    keep = np.sort(np.argsort(-weight, kind="stable")[:limit])
    return grid.iloc[keep]


def largest_groups(df: pd.DataFrame, by: str, *, weight: str | None = None, limit: int | None = None) -> pd.DataFrame:
    """The rows of a long table whose ``by`` value is among the ``limit`` values with the largest total ``weight``
    (row count when None); missing ``by`` values form one group.

    Args:
        df: a long table (e.g. THEME_SHIFT by unit and year).
        by: the column naming a chart's row or panel.
        weight: the column summed to rank the values.
        limit: how many values to keep; CHART_ROWS when None.
    Returns:
        ``df`` itself when it has at most ``limit`` values, else the rows of the heaviest ``limit`` values
        (ties: the value met first), in ``df``'s order.
    """
    limit = CHART_ROWS if limit is None else limit
    codes, uniques = pd.factorize(df[by], use_na_sentinel=False)   # codes in order of first appearance
    if len(uniques) <= limit:
        return df
    w = df[weight].to_numpy(dtype="float64") if weight else np.ones(len(df))
    totals = np.bincount(codes, weights=w, minlength=len(uniques))
    chosen = np.zeros(len(uniques), dtype=bool)
    chosen[np.argsort(-totals, kind="stable")[:limit]] = True
    return df[chosen[codes]]


def mask_absent(grid: pd.DataFrame, ledger: pd.DataFrame) -> pd.DataFrame:
    """Turn the cells of unit × year (× period) combinations that have no report into NaN (never 0).

    Args:
        grid: a long table with some of the columns unit, year, period (its other numeric columns are masked),
            or a wide table with units as the index and years as the columns.
        ledger: a LEDGER table.
    Returns:
        a copy of ``grid`` with absent cells set to NaN.

    Example:
        >>> wide = freq.pivot_table(index="unit", columns="year", values="hits", fill_value=0)
        >>> mask_absent(wide, ledger(tables))   # a unit's missing year shows NaN, not 0
    """
    keys = [k for k in ("unit", "year", "period") if k in grid.columns]
    if keys:
        present = set(_key_tuples(ledger, keys))
        absent = np.array([k not in present for k in _key_tuples(grid, keys)], dtype=bool)
        out = grid.copy()
        for col in out.columns.difference(keys):
            if pd.api.types.is_numeric_dtype(out[col]) and not pd.api.types.is_bool_dtype(out[col]):
                out[col] = out[col].astype("float64").mask(absent)
        return out
    present = set(_key_tuples(ledger, ["unit", "year"]))
    out = grid.astype("float64")
    for unit in out.index:
        for year in out.columns:
            if (_na(unit), _na(int(year) if _na(year) is not None else None)) not in present:
                out.loc[unit, year] = np.nan
    return out


def _na(value: Any) -> Any:
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else value


def _key_tuples(df: pd.DataFrame, keys: list[str]) -> list[tuple]:
    cols = [[_na(v) if k != "year" or _na(v) is None else int(v) for v in df[k]] for k in keys]
    return list(zip(*cols, strict=True))


def theme_shift(tables: Any, flt: Filter = ALL_REPORTS, *, by: Literal["year", "unit_year"] = "year",
                groups: tuple[Filter, Filter] | None = None, codebook: Codebook | None = None,
                matched: bool = False) -> pd.DataFrame:
    """Theme share and rate by year (or unit × year) with the change from the previous available year.

    Args:
        tables: documents, sections (and optionally theme_hits, codebook).
        flt: which documents and section kinds; ``themes`` limits the rows returned.
        by: "year" or "unit_year" (the previous year is then the same unit's previous report year).
        groups: (A, B) to compare two filters instead: deltas are B minus A, positive where B gives a theme more.
        codebook: the codebook; the tables' or the shipped one when None.
        matched: 同口径. By year, each year is compared with the previous one on the units with reports in both
            years and the same kinds of period (``analysis.tables.support.matched_filters``): the row's hits,
            share and support are that year's matched reports. By unit × year, a change is given only where
            the unit's periods are the same as in its previous year. With groups, A and B are matched.
    Returns:
        a THEME_SHIFT table (prev_year/deltas/z null for a first year; share_a/share_b … only with groups), with
        the support of every row (n_reports, n_units, chars; ``_a``/``_b`` with groups) and ``z``, the change of
        the rate per 10,000 characters divided by its standard error.

    Example:
        >>> sh = theme_shift(tables, by="year", matched=True)
        >>> sh[sh.theme == "epidemic"][["year", "share", "delta_share", "z", "n_reports"]]
    """
    hits, cb = _resolve(tables, codebook)
    themed = _Themed(tables, hits, cb)
    if groups is not None:
        return _theme_pair(tables, themed, hits, cb, flt, *groups, matched=matched)
    if by not in ("year", "unit_year"):
        raise ValueError(f"by={by!r} is not valid; options are: 'year', 'unit_year'")
    freq = theme_frequency(themed, flt, by=by, codebook=cb)
    freq = freq[freq["year"].notna()]
    keys = ["unit"] if by == "unit_year" else []
    freq = freq.sort_values([*keys, "theme", "year"], kind="stable")
    prev = freq.groupby([*keys, "theme"], dropna=False)
    out = freq[[*keys, "year", "theme", "theme_name", "hits", "hits_per_10k", "share"]].copy()
    out["prev_year"] = prev["year"].shift(1).astype("Int64")
    out["delta_share"] = out["share"] - prev["share"].shift(1)
    out["delta_per_10k"] = out["hits_per_10k"] - prev["hits_per_10k"].shift(1)
    out["z"] = rate_z(prev["hits"].shift(1), prev["chars"].shift(1), freq["hits"], freq["chars"])
    out["matched"] = matched
    for col in ("n_reports", "n_units", "chars"):
        out[col] = freq[col].astype("int64")
    if matched and by == "unit_year":
        docs = flt.apply(tables.documents)
        kinds = docs.groupby(["unit", "year"])["period"].agg(lambda p: frozenset(p.dropna()))
        mine = [kinds.get((u, y)) for u, y in zip(out["unit"], out["year"])]
        before = [kinds.get((u, p)) if p is not pd.NA else None for u, p in zip(out["unit"], out["prev_year"])]
        unlike = np.array([b is None or m != b for m, b in zip(mine, before)])
        out.loc[unlike, ["prev_year", "delta_share", "delta_per_10k", "z"]] = None
        out["prev_year"] = out["prev_year"].astype("Int64")
    if matched and by == "year":
        out = _matched_years(tables, themed, hits, cb, flt, out)
    order = {t: i for i, t in enumerate(cb.ids)}
    return out.sort_values([*keys, "year", "theme"], key=lambda s: s.map(order) if s.name == "theme" else s,
                           kind="stable").reset_index(drop=True)


def rate_z(hits_a: Any, chars_a: Any, hits_b: Any, chars_b: Any) -> np.ndarray:
    """z of the change of a rate (hits per character) from A to B: the log rate ratio over its standard error,
    with 0.5 added to each count (Poisson; a group with few characters gets a small z however large its change).
    Null where a side has no characters."""
    ha, ca, hb, cbb = (pd.to_numeric(pd.Series(np.asarray(v, dtype="float64")), errors="coerce").to_numpy()
                       for v in (hits_a, chars_a, hits_b, chars_b))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.log(((hb + 0.5) / cbb) / ((ha + 0.5) / ca)) / np.sqrt(1 / (ha + 0.5) + 1 / (hb + 0.5))
    return np.where((ca > 0) & (cbb > 0), z, np.nan)


def _theme_pair(tables: Any, themed: Any, hits: pd.DataFrame, cb: Codebook, flt: Filter, a: Filter, b: Filter, *,
                matched: bool) -> pd.DataFrame:
    if matched:
        from analysis.tables.support import matched_filters

        m = matched_filters(flt.apply(tables.documents), a, b)
        a, b = m.a, m.b
    fa = _frequency(themed, hits, cb, flt, by="all", weighting="count", extra=a)
    fb = _frequency(themed, hits, cb, flt, by="all", weighting="count", extra=b)
    sup = ["n_reports", "n_units", "chars"]
    out = fa[["theme", "theme_name", "share", "hits_per_10k", "hits", *sup]].merge(
        fb[["theme", "share", "hits_per_10k", "hits", *sup]], on="theme", how="left", sort=False, suffixes=("_a", "_b"))
    empty = (out["n_reports_a"] == 0) | (out["n_reports_b"] == 0)
    frame = pd.DataFrame({
        "theme": out["theme"], "theme_name": out["theme_name"], "hits_a": out["hits_a"], "hits_b": out["hits_b"],
        "share_a": out["share_a"], "share_b": out["share_b"],
        "per_10k_a": out["hits_per_10k_a"], "per_10k_b": out["hits_per_10k_b"],
        "delta_share": (out["share_b"] - out["share_a"]).where(~empty),
        "delta_per_10k": (out["hits_per_10k_b"] - out["hits_per_10k_a"]).where(~empty),
        "z": rate_z(out["hits_a"], out["chars_a"], out["hits_b"], out["chars_b"]), "matched": matched})
    for col in sup:
        for side in ("a", "b"):
            frame[f"{col}_{side}"] = out[f"{col}_{side}"].fillna(0).astype("int64")
    return frame


def _matched_years(tables: Any, themed: Any, hits: pd.DataFrame, cb: Codebook, flt: Filter,
                   out: pd.DataFrame) -> pd.DataFrame:
    """Replace each year's row (after the first) by the matched comparison with the previous year."""
    years = sorted(int(y) for y in out["year"].dropna().unique())
    parts = [out[out["year"] == years[0]]] if years else []
    for prev, year in itertools.pairwise(years):
        pair = _theme_pair(tables, themed, hits, cb, flt, Filter(years=(prev,)), Filter(years=(year,)), matched=True)
        pair = pair[pair["theme"].isin(set(out["theme"]))]
        parts.append(pd.DataFrame({
            "year": pd.array([year] * len(pair), dtype="Int64"), "theme": pair["theme"],
            "theme_name": pair["theme_name"], "hits": pair["hits_b"], "hits_per_10k": pair["per_10k_b"],
            "share": pair["share_b"], "prev_year": pd.array([prev] * len(pair), dtype="Int64"),
            "delta_share": pair["delta_share"], "delta_per_10k": pair["delta_per_10k"], "z": pair["z"],
            "matched": True, "n_reports": pair["n_reports_b"], "n_units": pair["n_units_b"],
            "chars": pair["chars_b"]}))
    return pd.concat(parts, ignore_index=True)[list(out.columns)] if parts else out


def theme_change(tables: Any, a: Filter, b: Filter, flt: Filter = ALL_REPORTS, *, matched: bool = True,
                 min_reports: int = 3, codebook: Codebook | None = None) -> pd.DataFrame:
    """The overview's biggest theme changes from A to B: the groups comparison (matched by default), ranked by
    |z| and kept only when both sides have at least ``min_reports`` reports (none otherwise).

    Returns:
        THEME_SHIFT rows of ``theme_shift(groups=(a, b), matched=matched)`` sorted by |z|, largest first.
    """
    pair = theme_shift(tables, flt, groups=(a, b), matched=matched, codebook=codebook)
    if pair.empty or int(pair["n_reports_a"].iloc[0]) < min_reports or int(pair["n_reports_b"].iloc[0]) < min_reports:
        return pair.iloc[0:0]
    pair = pair[pair["z"].notna() & ((pair["hits_a"] + pair["hits_b"]) > 0)]
    return pair.reindex(pair["z"].abs().sort_values(ascending=False, kind="stable").index).reset_index(drop=True)


class _Themed:
    """Tables restricted by an extra filter, with their theme hits (internal)."""

    def __init__(self, tables: Any, hits: pd.DataFrame, codebook: Codebook, *, extra: Filter | None = None):
        docs, secs = tables.documents, tables.sections
        if extra is not None:
            docs, secs = extra.apply(docs), Filter(kinds=extra.kinds).apply_sections(secs, extra.apply(docs))
        self.documents, self.sections, self.theme_hits, self.codebook = docs, secs, hits, codebook
        self.terms_file = index.terms_file(tables)       # a store's TERMS stay unread until asked for
        self._tables = tables

    @property
    def terms(self) -> pd.DataFrame | None:
        return getattr(self._tables, "terms", None)


def plan_followup(tables: Any, flt: Filter = ALL_REPORTS, *, codebook: Codebook | None = None) -> pd.DataFrame:
    """For each unit's consecutive reports, mark each planned theme delivered, silent, or new in the next report.

    A theme is planned when the earlier report's plans sections mention it, and reported when the next
    report's achievements sections do: delivered = planned and reported, silent = planned only, new = reported
    only. Reports are paired only within one unit (same unit name and region), in year and period order, and
    only when the unit is identifiable: its region is known or its name starts with a place name. A generic
    name such as 市委宣传部 with no region, or a masked one (XX市委宣传部), may be any city's, so it is not paired.

    Args:
        tables: documents, sections (and optionally theme_hits, codebook).
        flt: which documents; ``themes`` limits the themes considered (``kinds`` is ignored).
        codebook: the codebook; the tables' or the shipped one when None.
    Returns:
        a PLAN_FOLLOWUP table. When there are no rows, ``df.attrs["reason"]`` says why in Chinese
        (e.g. every report is from a different unit); otherwise it is None.

    Example:
        >>> pf = plan_followup(tables)
        >>> pf.attrs["reason"] or pf.status.value_counts()
    """
    hits, cb = _resolve(tables, codebook)
    indexed = _indexed(tables, hits)
    if indexed:
        chosen = np.flatnonzero(index.doc_mask(tables.documents, flt))
        docs, known = tables.documents.iloc[chosen].reset_index(drop=True), _identifiable_flags(tables)[chosen]
    else:
        docs = flt.apply(tables.documents)
        known = np.array([_identifiable(u, r) for u, r in zip(docs["unit"], docs["region"], strict=True)],
                         dtype=bool)
    docs = docs[known].copy()
    docs["_order"] = docs["period"].map(PERIOD_ORDER).fillna(5)
    docs = docs[docs["year"].notna()].sort_values(["unit", "region", "year", "_order", "doc_id"], na_position="first")
    if indexed:
        out, n_pairs = _followup_indexed(tables, docs, cb, flt)
    else:
        out, n_pairs = _followup_plain(hits, tables.sections, docs, cb, flt)
    out = out.astype({"year": "Int64", "next_year": "Int64", "plan_hits": "int64", "next_hits": "int64"})
    if out.empty:
        out.attrs[REASON_ATTR] = (
            "所选报告中没有可确认为同一单位的前后两期报告（单位不同，或单位名称不含地名、被遮盖且地区未知，"
            "或缺少年份），不对不同单位的计划与成效配对"
            if n_pairs == 0 else "同一单位的前后报告中没有可对照的计划段落或成效段落")
    else:
        out.attrs[REASON_ATTR] = None
    return out


def _followup_plain(hits: pd.DataFrame, sections: pd.DataFrame, docs: pd.DataFrame, cb: Codebook,
                    flt: Filter) -> tuple[pd.DataFrame, int]:
    """PLAN_FOLLOWUP rows and the number of pairs, summed from the hits row by row (the reference)."""
    secs = sections[["section_id", "doc_id", "kind"]]
    kind_hits = hits.merge(secs[["section_id", "kind"]], on="section_id", how="left")
    kind_hits = kind_hits[kind_hits["theme"].isin(flt.themes)] if flt.themes else kind_hits
    by_kind = kind_hits.groupby(["doc_id", "kind", "theme"])["hits"].sum()
    rows, n_pairs = [], 0
    for _, unit_docs in docs.groupby(["unit", "region"], dropna=False, sort=False):
        recs = unit_docs.to_dict("records")
        for early, late in itertools.pairwise(recs):
            n_pairs += 1
            plan = _theme_counts(by_kind, early["doc_id"], "plans")
            done = _theme_counts(by_kind, late["doc_id"], "achievements")
            for theme in [t for t in cb.ids if t in plan or t in done]:
                status = "delivered" if theme in plan and theme in done else ("silent" if theme in plan else "new")
                rows.append({"unit": early["unit"], "doc_id": early["doc_id"], "year": early["year"],
                             "period": early["period"], "next_doc_id": late["doc_id"], "next_year": late["year"],
                             "next_period": late["period"], "theme": theme, "theme_name": cb.names()[theme],
                             "plan_hits": plan.get(theme, 0), "next_hits": done.get(theme, 0), "status": status})
    out = pd.DataFrame(rows, columns=list(PLAN_FOLLOWUP)).astype(
        {"year": "Int64", "next_year": "Int64", "plan_hits": "int64", "next_hits": "int64"})
    return out, n_pairs


def _pairs(docs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Positions (in ``docs``, sorted by unit, region, year, period) of each report and the unit's next one."""
    unit = docs["unit"].astype(object).to_numpy()
    region = docs["region"].astype(object).where(docs["region"].notna(), None).to_numpy()
    same = (unit[1:] == unit[:-1]) & np.array([a == b for a, b in zip(region[1:], region[:-1], strict=True)],
                                              dtype=bool)
    early = np.flatnonzero(same)
    return early, early + 1


def _followup_indexed(tables: Any, docs: pd.DataFrame, cb: Codebook, flt: Filter) -> tuple[pd.DataFrame, int]:
    """PLAN_FOLLOWUP rows and the number of pairs, from the cached theme cube."""
    early, late = _pairs(docs)
    where = pd.Index(tables.documents["doc_id"]).get_indexer(docs["doc_id"])
    cube = theme_section_cube(tables, cb.ids).hits
    plan = cube[where[early], KINDS.index("plans"), :]
    done = cube[where[late], KINDS.index("achievements"), :]
    if flt.themes:
        wanted = np.array([t in flt.themes for t in cb.ids], dtype=bool)
        plan, done = plan * wanted, done * wanted
    pair, theme = np.nonzero((plan > 0) | (done > 0))
    if not len(pair):
        return pd.DataFrame([], columns=list(PLAN_FOLLOWUP)), len(early)
    a, b = early[pair], late[pair]
    p, d = plan[pair, theme], done[pair, theme]

    def col(name: str, at: np.ndarray) -> pd.Series:
        return docs[name].iloc[at].reset_index(drop=True)

    ids = pd.array(list(cb.ids), dtype="str")
    names = pd.array([cb.names()[t] for t in cb.ids], dtype="str")
    status = np.where((p > 0) & (d > 0), 0, np.where(p > 0, 1, 2))
    out = pd.DataFrame({"unit": col("unit", a), "doc_id": col("doc_id", a), "year": col("year", a),
                        "period": col("period", a), "next_doc_id": col("doc_id", b), "next_year": col("year", b),
                        "next_period": col("period", b), "theme": ids[theme], "theme_name": names[theme],
                        "plan_hits": p.astype("int64"), "next_hits": d.astype("int64"),
                        "status": pd.array(["delivered", "silent", "new"], dtype="str")[status]},
                       columns=list(PLAN_FOLLOWUP))
    return out, len(early)


GENERIC_UNIT_START = tuple("市区县省旗州盟镇乡村") + ("全市", "全区", "全县", "我市", "我区", "我县", "本市")


def _identifiable_flags(tables: Any) -> np.ndarray:
    """``_identifiable`` of every DOCUMENTS row (cached per documents table)."""
    docs = tables.documents
    return cached("coverage_identifiable", tables, docs, lambda: np.array(
        [_identifiable(u, r) for u, r in zip(docs["unit"], docs["region"], strict=True)], dtype=bool))


def _identifiable(unit: Any, region: Any) -> bool:
    """A unit that names one body: a known region, or a name that starts with a place name and has no mask."""
    if _na(unit) is None or not str(unit).strip() or MASK_RE.search(str(unit)):
        return False
    return _na(region) is not None or not str(unit).startswith(GENERIC_UNIT_START)


def _theme_counts(by_kind: pd.Series, doc_id: str, kind: str) -> dict[str, int]:
    try:
        sub = by_kind.loc[(doc_id, kind)]
    except KeyError:
        return {}
    return {t: int(n) for t, n in sub.items() if n > 0}


__all__ = ["KIND_COVERAGE", "LEDGER", "PLAN_FOLLOWUP", "STATUS_ZH", "THEME_COVERAGE", "THEME_FREQUENCY",
           "THEME_GAPS", "THEME_SHIFT", "kind_coverage", "ledger", "mask_absent", "plan_followup",
           "theme_coverage", "theme_frequency", "theme_gaps", "theme_shift"]
