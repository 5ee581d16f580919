"""KWIC concordance: every place a term or phrase occurs, with its left and right context and where it is."""

from __future__ import annotations

import re

import pandas as pd

from analysis.filters import Filter
from analysis.keyness import EVERYTHING, select_sections
from analysis.schema import Column

KWIC = {
    "doc_id": Column("str", "the document", "文档编号"),
    "file": Column("str", "the report file", "文件"),
    "section_id": Column("str", "the section holding the match", "段落编号"),
    "path": Column("str", "the section's outline position ('2.3.1')", "路径"),
    "heading": Column("str", "the section's heading", "段落标题"),
    "start": Column("int64", "offset of the match in the cleaned document", "起始"),
    "end": Column("int64", "end offset of the match", "结束"),
    "left": Column("str", "up to `window` characters before the match (line breaks shown as spaces)", "左文"),
    "match": Column("str", "the text matched, as written", "关键词"),
    "right": Column("str", "up to `window` characters after the match (line breaks shown as spaces)", "右文"),
}

_SPLIT = re.compile(r"[\s|｜]+")


def parse_query(query: str) -> list[str]:
    """The terms of a query: several terms separated by spaces or ``|`` mean "any of them".

    Args:
        query: ``"二十大"`` or ``"疫情防控 复工复产"`` or ``"清朗|网络舆情"``.
    Returns:
        the distinct terms, longest first (so a longer term wins where two start at one place).
    """
    terms = [t for t in _SPLIT.split(query or "") if t]
    if not terms:
        raise ValueError("the query is empty: give a term or phrase (several separated by spaces or |)")
    return sorted(dict.fromkeys(terms), key=lambda t: (-len(t), t))


def document_texts(sections: pd.DataFrame) -> dict[str, str]:
    """doc_id → the cleaned document rebuilt from its sections' own texts (placed at their ``start`` offsets)."""
    out: dict[str, str] = {}
    ordered = sections.sort_values(["doc_id", "start"], kind="mergesort")
    for doc_id, group in ordered.groupby("doc_id", sort=False):
        parts: list[str] = []
        length = 0
        for start, text in zip(group["start"], group["text"].fillna("")):
            start = int(start)
            if start > length:  # a gap (not expected: own texts tile the document)
                parts.append(" " * (start - length))
                length = start
            elif start < length:
                text = text[length - start:]
            parts.append(text)
            length += len(text)
        out[str(doc_id)] = "".join(parts)
    return out


def kwic(tables, query: str, *, flt: Filter = EVERYTHING, window: int = 30, top: int | None = None) -> pd.DataFrame:
    """Every occurrence of the query in the selected sections, with context (masks shown as written).

    A plain substring search (no tokenisation), one regular-expression pass over each selected section,
    so the time is linear in the size of the corpus. Offsets are in the cleaned document: section start +
    offset within the section's own text. Context may reach into neighbouring sections.

    Args:
        tables: the loader's tables.
        query: a term or phrase; several separated by spaces or ``|`` mean OR.
        flt: the filter (documents, kinds of section, themes).
        window: characters of context on each side.
        top: at most this many rows (in document order); all when None.
    Returns:
        a KWIC table in document order (documents as in the DOCUMENTS table, then offset).

    Example:
        >>> df = kwic(tables, "二十大", window=10)
        >>> df[["left", "match", "right"]].head(2)
    """
    if window < 0:
        raise ValueError(f"window={window!r} must be zero or more")
    pattern = re.compile("|".join(re.escape(t) for t in parse_query(query)))
    chosen = select_sections(tables, flt)
    wanted = set(chosen["doc_id"])
    texts = document_texts(tables.sections.loc[tables.sections["doc_id"].isin(wanted)])
    files = tables.documents.set_index("doc_id")["file"]
    order = {d: i for i, d in enumerate(tables.documents["doc_id"])}
    chosen = chosen.assign(_order=chosen["doc_id"].map(order)).sort_values(["_order", "start"], kind="mergesort")
    rows: list[dict] = []
    for sec in chosen.itertuples(index=False):
        text = texts[sec.doc_id]
        for m in pattern.finditer(text, int(sec.start), int(sec.end)):
            s, e = m.start(), m.end()
            rows.append({"doc_id": sec.doc_id, "file": files.get(sec.doc_id), "section_id": sec.section_id,
                         "path": sec.path, "heading": sec.heading, "start": s, "end": e,
                         "left": _flat(text[max(0, s - window):s]), "match": m.group(),
                         "right": _flat(text[e:e + window])})
            if top is not None and len(rows) >= top:
                break
        if top is not None and len(rows) >= top:
            break
    out = pd.DataFrame(rows, columns=list(KWIC))
    return out.astype({"start": "int64", "end": "int64"})


def _flat(text: str) -> str:
    """Line breaks as spaces (same length, so the context lines up)."""
    return text.replace("\r", " ").replace("\n", " ")
