"""KWIC concordance: every place a term or phrase occurs, with its left and right context and where it is."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.query import index
from analysis.query.cache import cached, rows_in, spans
from analysis.query.filters import Filter
from analysis.query.search import arrow_texts
from analysis.read.script import script_pattern
from analysis.schema import Column
from analysis.tables.keyness import EVERYTHING, select_sections

KWIC = {
    "doc_id": Column("str", "the document", "文档编号"),
    "file": Column("str", "the report file", "文件"),
    "section_id": Column("str", "the section holding the match", "段落编号"),
    "path": Column("str", "the section's outline position ('2.3.1')", "路径", outline_path=True),
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
        out[str(doc_id)] = _rebuild(group["start"].tolist(), group["text"].fillna("").tolist())
    return out


def _rebuild(starts: list[int], texts: list[str]) -> str:
    """One document from its sections' starts and own texts, in start order (gaps filled with spaces)."""
    parts: list[str] = []
    length = 0
    for start, text in zip(starts, texts, strict=True):
        start = int(start)
        if start > length:  # a gap (not expected: own texts tile the document)
            parts.append(" " * (start - length))
            length = start
        elif start < length:
            text = text[length - start:]
        parts.append(text)
        length += len(text)
    return "".join(parts)


@dataclass(frozen=True)
class _Layout:
    """The SECTIONS table arranged per document (cached per sections table)."""

    order: np.ndarray       # SECTIONS rows sorted by document (DOCUMENTS order), then start
    doc_start: np.ndarray   # [documents + 1]: where each document's rows start in ``order``
    start: np.ndarray       # int64 per SECTIONS row
    end: np.ndarray
    tiles: np.ndarray       # bool per document: its own texts tile it (a match lies in one section's text)
    kinds: pd.Index         # the distinct section kinds
    kind_code: np.ndarray   # per SECTIONS row: its kind's position in ``kinds`` (len(kinds) for a null kind)
    doc_kinds: np.ndarray   # [documents, len(kinds) + 1]: how many sections of each kind a document has
    texts: pa.ChunkedArray  # the own texts


def _layout(tables) -> _Layout:
    def build() -> _Layout:
        secs = tables.sections
        docs = tables.documents["doc_id"]
        sec_doc = rows_in(secs["doc_id"], docs)
        start = secs["start"].to_numpy(dtype=np.int64)
        end = secs["end"].to_numpy(dtype=np.int64)
        texts = arrow_texts(secs["text"])                                  # no copy of an Arrow column
        length = pc.fill_null(pc.utf8_length(texts), 0).to_numpy(zero_copy_only=False).astype(np.int64)
        order = np.lexsort((start, sec_doc))
        order = order[sec_doc[order] >= 0]
        doc_start = np.searchsorted(sec_doc[order], np.arange(len(docs) + 1))
        s, n = start[order], length[order]
        ok = (end[order] == s + n)
        nxt = np.ones(len(order), dtype=bool)       # the next section of the document starts where this one ends
        if len(order):
            same = sec_doc[order][1:] == sec_doc[order][:-1]
            nxt[:-1] = ~same | (s[1:] == s[:-1] + n[:-1])
        first = np.zeros(len(order), dtype=bool)
        first[doc_start[:-1][np.diff(doc_start) > 0]] = True
        ok &= nxt & (~first | (s == 0))
        kinds = pd.Categorical(secs["kind"])
        kind_code = np.where(kinds.codes < 0, len(kinds.categories), kinds.codes).astype(np.int64)
        width = len(kinds.categories) + 1
        doc_kinds = np.bincount(sec_doc[order] * width + kind_code[order], minlength=len(docs) * width)
        doc_kinds = doc_kinds.reshape(len(docs), width)
        bad = np.bincount(sec_doc[order][~ok], minlength=len(docs)) if len(order) else np.zeros(len(docs))
        return _Layout(order=order, doc_start=doc_start, start=start, end=end, tiles=bad == 0, texts=texts,
                       kinds=kinds.categories, kind_code=kind_code, doc_kinds=doc_kinds)

    return cached("kwic_layout", tables, tables.sections, build)


def _kind_ok(lay: _Layout, flt: Filter) -> np.ndarray:
    """A boolean per kind slot of the layout: the kinds ``flt`` keeps (every slot, null too, when it names none)."""
    if not flt.kinds:
        return np.ones(len(lay.kinds) + 1, dtype=bool)
    return np.append(lay.kinds.isin(flt.kinds), False)


def kwic(tables, query: str, *, flt: Filter = EVERYTHING, window: int = 30, top: int | None = None) -> pd.DataFrame:
    """Every occurrence of the query in the selected sections, with context (masks shown as written).

    A plain substring search (no tokenisation) in either script: a query written in Simplified or Traditional
    characters finds the word written either way (``analysis.read.script.script_pattern``; the match and its
    context are shown as written). One regular-expression pass over each selected section,
    so the time is linear in the size of the corpus. Offsets are in the cleaned document: section start +
    offset within the section's own text. Context may reach into neighbouring sections. Documents are searched
    in order, a batch at a time (sections without the query are skipped in Arrow before any Python string is
    made), and the search stops once ``top`` rows are found.

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
    terms = [script_pattern(t) for t in parse_query(query)]  # either script finds both (宣传 / 宣傳)
    pattern = re.compile("|".join(terms))
    lay = _layout(tables)
    kind_ok = _kind_ok(lay, flt)
    themed = _themed_rows(tables, flt)
    doc_list = _wanted_docs(tables, lay, flt, kind_ok)
    return _kwic_frame(tables, _scan(lay, terms, pattern, doc_list, kind_ok, themed, window=window, top=top))


def _themed_rows(tables, flt: Filter) -> np.ndarray | None:
    """A boolean per SECTIONS row: sections with a hit of a theme ``flt`` names (as select_sections); None
    without a theme filter."""
    if not flt.themes:
        return None
    return tables.sections["section_id"].isin(set(select_sections(tables, flt)["section_id"])).to_numpy(bool)


def _wanted_docs(tables, lay: _Layout, flt: Filter, kind_ok: np.ndarray) -> np.ndarray:
    """The DOCUMENTS rows ``flt`` selects that have a section of a kind it keeps."""
    return np.flatnonzero(index.doc_mask(tables.documents, flt) & (lay.doc_kinds[:, kind_ok].sum(axis=1) > 0))


def kwic_count(tables, query: str, *, flt: Filter = EVERYTHING) -> int:
    """How many lines ``kwic(tables, query, flt=flt)`` has, without making them: the page says the true count
    when it shows only the first lines.

    Matches are counted in Arrow over the selected sections' own texts (a match lies in one section's own text
    of a report whose sections tile it); the few reports whose sections do not tile are scanned as ``kwic`` does.

    Example:
        >>> kwic_count(tables, "二十大") == len(kwic(tables, "二十大"))
        True
    """
    terms = parse_query(query)
    pattern = re.compile("|".join(re.escape(t) for t in terms))
    lay = _layout(tables)
    kind_ok = _kind_ok(lay, flt)
    themed = _themed_rows(tables, flt)
    docs = _wanted_docs(tables, lay, flt, kind_ok)
    lo, hi = lay.doc_start[docs], lay.doc_start[docs + 1]
    rows = lay.order[spans(lo, hi - lo)]
    sel = kind_ok[lay.kind_code[rows]] & np.repeat(lay.tiles[docs], hi - lo)
    if themed is not None:
        sel &= themed[rows]
    texts = lay.texts.take(pa.array(rows[sel], type=pa.int64()))
    counted = pc.sum(pc.count_substring_regex(texts, pattern.pattern)).as_py() or 0 if len(texts) else 0
    untiled = docs[~lay.tiles[docs]]
    return int(counted) + len(_scan(lay, terms, pattern, untiled, kind_ok, themed, window=0, top=None))


def _scan(lay: _Layout, terms: list[str], pattern: re.Pattern, doc_list: np.ndarray, kind_ok: np.ndarray,
          themed: np.ndarray | None, *, window: int, top: int | None) -> list[tuple]:
    """The KWIC hits (section row, start, end, left, match, right) in the documents ``doc_list``, in order."""
    hits: list[tuple[int, int, int, str, str, str]] = []   # (section row, start, end, left, match, right)
    batch, at = 16, 0
    while at < len(doc_list) and (top is None or len(hits) < top):
        chunk = doc_list[at:at + batch]
        at += len(chunk)
        batch = min(batch * 4, 4096)
        lo, hi = lay.doc_start[chunk], lay.doc_start[chunk + 1]
        pos = spans(lo, hi - lo)
        rows = lay.order[pos]
        sel = kind_ok[lay.kind_code[rows]]
        if themed is not None:
            sel &= themed[rows]
        found = np.zeros(len(rows), dtype=bool)
        texts = lay.texts.take(pa.array(rows[sel]))
        for term in terms:
            match = pc.match_substring(texts, term) if term == re.escape(term) else (
                pc.match_substring_regex(texts, term))
            found[np.flatnonzero(sel)] |= pc.fill_null(match, False).to_numpy(zero_copy_only=False)
        owner = np.repeat(np.arange(len(chunk)), hi - lo)
        candidate = np.bincount(owner[found], minlength=len(chunk)) > 0
        candidate |= ~lay.tiles[chunk] & (np.bincount(owner[sel], minlength=len(chunk)) > 0)
        scan = sel & (found | ~lay.tiles[chunk][owner])   # a tiled report's match lies in a section holding it
        picked = np.flatnonzero(candidate)
        ends = np.cumsum(hi - lo)
        parts = [np.arange(ends[i] - (hi[i] - lo[i]), ends[i]) for i in picked]
        where = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        pulled = lay.texts.take(pa.array(rows[where])).to_pylist()      # one Arrow take for the batch
        offset = 0
        for i in picked:
            a, b = int(ends[i] - (hi[i] - lo[i])), int(ends[i])
            doc_rows = rows[a:b]
            text = _rebuild(lay.start[doc_rows].tolist(), [t or "" for t in pulled[offset:offset + b - a]])
            offset += b - a
            for r in doc_rows[scan[a:b]]:
                for m in pattern.finditer(text, int(lay.start[r]), int(lay.end[r])):
                    s, e = m.start(), m.end()
                    hits.append((int(r), s, e, _flat(text[max(0, s - window):s]), m.group(),
                                 _flat(text[e:e + window])))
                    if top is not None and len(hits) >= top:
                        break
                if top is not None and len(hits) >= top:
                    break
            if top is not None and len(hits) >= top:
                break
    return hits


def _kwic_frame(tables, hits: list[tuple]) -> pd.DataFrame:
    """The KWIC table of (section row, start, end, left, match, right) hits."""
    if not hits:
        return pd.DataFrame([], columns=list(KWIC)).astype({"start": "int64", "end": "int64"})
    secs = tables.sections
    rows = np.array([h[0] for h in hits], dtype=np.int64)
    files = tables.documents.drop_duplicates("doc_id").set_index("doc_id")["file"]

    def col(name: str) -> np.ndarray:
        return secs[name].iloc[rows].to_numpy(dtype=object)

    doc_ids = col("doc_id")
    out = pd.DataFrame({
        "doc_id": doc_ids, "file": files.reindex(doc_ids).to_numpy(dtype=object), "section_id": col("section_id"),
        "path": col("path"), "heading": col("heading"), "start": [h[1] for h in hits],
        "end": [h[2] for h in hits], "left": [h[3] for h in hits], "match": [h[4] for h in hits],
        "right": [h[5] for h in hits]}, columns=list(KWIC))
    return out.astype({"start": "int64", "end": "int64"})


def _flat(text: str) -> str:
    """Line breaks as spaces (same length, so the context lines up)."""
    return text.replace("\r", " ").replace("\n", " ")
