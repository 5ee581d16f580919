"""One report in, its rows of every table out: read → clean → outline → metadata → masks → figures → terms."""

from __future__ import annotations

import bisect
import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis import schema
from analysis.parse.figures import find_figures
from analysis.parse.masks import blank_masks, find_masks
from analysis.parse.meta import infer_metadata
from analysis.parse.outline import assign_kinds, outline_records, to_frame
from analysis.read.report import read_report
from analysis.read.script import to_simplified
from analysis.words.terms import term_columns


@dataclass(frozen=True)
class ReportTables:
    """The rows one report contributes to each table."""

    documents: pd.DataFrame
    sections: pd.DataFrame
    terms: pd.DataFrame
    figures: pd.DataFrame
    redactions: pd.DataFrame


def doc_id_for(text: str) -> str:
    """Stable document id: the first 16 hex digits of the SHA-1 of the cleaned text."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def outline_and_metadata(text: str, *, doc_id: str, file: str, manifest_row: dict | None = None):
    """The SECTIONS table and the metadata dict; kinds are decided once the report's year is known."""
    records, meta = _records_and_metadata(text, doc_id=doc_id, file=file, manifest_row=manifest_row)
    return to_frame(records), meta


def _records_and_metadata(text: str, *, doc_id: str, file: str, manifest_row: dict | None) -> tuple[list, dict]:
    records = assign_kinds(outline_records(text, doc_id=doc_id))
    meta = infer_metadata(text, records, file=file, manifest_row=manifest_row)
    if meta["year"] is not None:
        assign_kinds(records, report_year=int(meta["year"]))
    return records, meta


Columns = dict[str, dict[str, list]]
"""Table name -> column name -> values: one report's rows in the shape the store writes (no DataFrame per report)."""


def report_columns(text: str, *, file: str, format: str = "txt", encoding: str = "utf-8",
                   manifest_row: dict | None = None, segmenter=None, codebook=None,
                   removed: dict[str, int] | None = None) -> Columns:
    """Every table's rows for one cleaned report text, as columns (what ``process_text`` makes frames of).

    The masks are found once: the redactions come from them, figures reuse them, and terms are counted on the
    text with every mask blanked (offsets unchanged), cut at the section boundaries.

    Args:
        text: the cleaned text (offsets in every table refer to it).
        file: the report's path relative to the source folder.
        manifest_row: fields a person wrote down; they override inference.
        segmenter: an ``analysis.parse.segment.Segmenter``; None for the shared default one.
        codebook: an ``analysis.words.themes.Codebook``: also code the sections' themes (``theme_hits``).
        removed: the web debris removed before cleaning, characters per kind (``RawReport.removed``).
    Returns:
        documents, sections, terms, figures and redactions (and theme_hits with a codebook), each a dict of
        column lists in contract order.
    """
    doc_id = doc_id_for(text)
    records, meta = _records_and_metadata(text, doc_id=doc_id, file=file, manifest_row=manifest_row)
    doc = {"doc_id": doc_id, "file": file, **meta, "chars": len(text), "n_sections": len(records),
           "format": format, "encoding": encoding, **removed_columns(removed)}
    doc["year"] = None if doc.get("year") is None else int(doc["year"])
    starts = [r["start"] for r in records]
    ids = [r["section_id"] for r in records]

    def section_of(offset: int) -> str:
        return ids[max(bisect.bisect_right(starts, offset) - 1, 0)]

    masks = find_masks(text)
    # figures are read in Simplified script (offsets unchanged) and shown as written
    figures = [{"doc_id": doc_id, "section_id": section_of(f.start), **f._asdict(), "text": text[f.start:f.end]}
               for f in find_figures(to_simplified(text), segmenter=segmenter, masks=masks)]
    redactions = [{"doc_id": doc_id, "section_id": section_of(m.start), **m._asdict()} for m in masks]
    blanked = blank_masks(text, masks)
    terms = term_columns(((doc_id, r["section_id"], blanked[r["start"]:r["end"]]) for r in records),
                         segmenter=segmenter, blanked=True)
    out = {"documents": {c: [doc.get(c)] for c in schema.DOCUMENTS},
           "sections": _columns(records, schema.SECTIONS), "terms": terms,
           "figures": _columns(figures, schema.FIGURES), "redactions": _columns(redactions, schema.REDACTIONS)}
    if codebook is not None:
        from analysis.words.themes import document_theme_columns

        out["theme_hits"] = document_theme_columns(
            doc_id, [(r["section_id"], r["start"], r["end"], r["heading"]) for r in records], text, blanked, codebook)
    return out


def removed_columns(removed: dict[str, int] | None) -> dict:
    """The documents columns ``removed_chars`` and ``removed`` ('html=12 pinyin=6') of the debris counts."""
    removed = removed or {}
    return {"removed_chars": sum(removed.values()),
            "removed": " ".join(f"{k}={v}" for k, v in removed.items() if v)}


def process_text(text: str, *, file: str, format: str = "txt", encoding: str = "utf-8",
                 manifest_row: dict | None = None, segmenter=None) -> ReportTables:
    """Build every table's rows for one cleaned report text.

    Args:
        text: the cleaned text (offsets in every table refer to it).
        file: the report's path relative to the source folder.
        manifest_row: fields a person wrote down; they override inference.
    Returns:
        a ReportTables with one DOCUMENTS row and its SECTIONS, TERMS, FIGURES and REDACTIONS rows.
    """
    return frames(report_columns(text, file=file, format=format, encoding=encoding, manifest_row=manifest_row,
                                 segmenter=segmenter))


def process_file(path: str | Path, *, root: str | Path | None = None, manifest_row: dict | None = None,
                 segmenter=None, codebook=None) -> Columns:
    """Read one report file and build its rows as columns; raises ``UnreadableReport`` naming the file."""
    path = Path(path)
    rel = path.relative_to(root).as_posix() if root else path.name
    raw = read_report(path)
    return report_columns(raw.text, file=rel, format=raw.format, encoding=raw.encoding,
                          manifest_row=manifest_row, segmenter=segmenter, codebook=codebook, removed=raw.removed)


def process_report(path: str | Path, *, root: str | Path | None = None, manifest_row: dict | None = None,
                   segmenter=None) -> ReportTables:
    """Read one report file and build its rows; raises ``UnreadableReport`` naming the file."""
    return frames(process_file(path, root=root, manifest_row=manifest_row, segmenter=segmenter))


def frames(columns: Columns) -> ReportTables:
    """The DataFrames of one report's columns, with the contract's dtypes."""
    return ReportTables(**{name: schema.frame(columns[name], schema.TABLES[name])
                           for name in ("documents", "sections", "terms", "figures", "redactions")})


def _columns(rows: list[dict], table: dict) -> dict[str, list]:
    return {c: [r[c] for r in rows] for c in table}


INSPECT_KEYS = ("file", "title", "year", "period", "unit", "unit_level", "region", "sources", "evidence",
                "sections", "errors", "confidence", "province", "city", "county")


def inspect_report(path: str | Path) -> dict:
    """One report's metadata with sources and evidence, and its outline: the stable ``inspect --json`` shape.

    Errors (unreadable file …) are listed under ``errors`` instead of raised.
    """
    from analysis.errors import UnreadableReport

    out: dict = dict.fromkeys(INSPECT_KEYS)
    out.update(file=str(path), sources={}, evidence={}, sections=[], errors=[], confidence={})
    try:
        raw = read_report(path)
    except UnreadableReport as err:
        out["errors"].append(str(err))
        return out
    sections, meta = outline_and_metadata(raw.text, doc_id=doc_id_for(raw.text), file=str(path))
    for f in ("title", "year", "period", "unit", "unit_level", "region"):
        out[f] = meta[f]
        out["sources"][f] = meta[f"{f}_source"]
        out["evidence"][f] = meta[f"{f}_evidence"]
        if f"{f}_confidence" in meta:
            out["confidence"][f] = meta[f"{f}_confidence"]
    out.update(province=meta["province"], city=meta["city"], county=meta["county"])
    out["sections"] = [dict(path=r.path, level=int(r.level), marker=r.marker, heading=r.heading, kind=r.kind,
                            start=int(r.start), end=int(r.end)) for r in sections.itertuples()]
    return out
