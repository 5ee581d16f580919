"""One report in, its rows of every table out: read → clean → outline → metadata → masks → figures → terms."""

from __future__ import annotations

import bisect
import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis import schema
from analysis.figures import find_figures
from analysis.io import read_report
from analysis.masks import find_masks
from analysis.meta import infer_metadata
from analysis.outline import assign_kinds, outline_records, to_frame
from analysis.terms import count_terms


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
    records = assign_kinds(outline_records(text, doc_id=doc_id))
    meta = infer_metadata(text, records, file=file, manifest_row=manifest_row)
    if meta["year"] is not None:
        assign_kinds(records, report_year=int(meta["year"]))
    return to_frame(records), meta


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
    doc_id = doc_id_for(text)
    sections, meta = outline_and_metadata(text, doc_id=doc_id, file=file, manifest_row=manifest_row)
    doc = {"doc_id": doc_id, "file": file, **meta, "chars": len(text), "n_sections": len(sections),
           "format": format, "encoding": encoding}
    documents = pd.DataFrame([{c: doc.get(c) for c in schema.DOCUMENTS}])
    documents["year"] = documents["year"].astype("Int64")
    starts = sections["start"].tolist()
    ids = sections["section_id"].tolist()

    def section_of(offset: int) -> str:
        return ids[max(bisect.bisect_right(starts, offset) - 1, 0)]

    figures = _rows([{"doc_id": doc_id, "section_id": section_of(f.start), **f._asdict()}
                     for f in find_figures(text)], schema.FIGURES)
    redactions = _rows([{"doc_id": doc_id, "section_id": section_of(m.start), **m._asdict()}
                        for m in find_masks(text)], schema.REDACTIONS)
    terms = count_terms(sections, segmenter=segmenter)
    return ReportTables(documents, sections, terms, figures, redactions)


def process_report(path: str | Path, *, root: str | Path | None = None, manifest_row: dict | None = None,
                   segmenter=None) -> ReportTables:
    """Read one report file and build its rows; raises ``UnreadableReport`` naming the file."""
    path = Path(path)
    rel = path.relative_to(root).as_posix() if root else path.name
    raw = read_report(path)
    return process_text(raw.text, file=rel, format=raw.format, encoding=raw.encoding,
                        manifest_row=manifest_row, segmenter=segmenter)


def _rows(rows: list[dict], table: dict) -> pd.DataFrame:
    if not rows:
        return schema.empty_frame(table)
    return pd.DataFrame(rows, columns=list(table))


INSPECT_KEYS = ("file", "title", "year", "period", "unit", "unit_level", "region", "sources", "evidence",
                "sections", "errors")


def inspect_report(path: str | Path) -> dict:
    """One report's metadata with sources and evidence, and its outline: the stable ``inspect --json`` shape.

    Errors (unreadable file …) are listed under ``errors`` instead of raised.
    """
    from analysis.errors import UnreadableReport

    out: dict = dict.fromkeys(INSPECT_KEYS)
    out.update(file=str(path), sources={}, evidence={}, sections=[], errors=[])
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
    out["sections"] = [dict(path=r.path, level=int(r.level), marker=r.marker, heading=r.heading, kind=r.kind,
                            start=int(r.start), end=int(r.end)) for r in sections.itertuples()]
    return out
