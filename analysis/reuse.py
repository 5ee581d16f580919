"""Text reuse between reports: how alike two reports are, and the long passages they share word for word."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from types import SimpleNamespace

import numpy as np
import pandas as pd

from analysis import fast
from analysis.coverage import section_cube, section_mask
from analysis.filters import Filter
from analysis.keyness import EVERYTHING, select_sections, select_terms
from analysis.kwic import document_texts
from analysis.masks import MASK_RE
from analysis.schema import Column

SIMILARITY = {
    "doc_a": Column("str", "one report", "文档A"),
    "doc_b": Column("str", "the other report", "文档B"),
    "file_a": Column("str", "file of doc_a", "文件A"),
    "file_b": Column("str", "file of doc_b", "文件B"),
    "cosine": Column("float64", "cosine similarity of their TF-IDF term vectors (0–1)", "余弦相似度"),
    "n_shared_terms": Column("int64", "distinct terms both use", "共有词数"),
}

BOILERPLATE = {
    "passage_id": Column("int64", "the passage (1 = shared by most reports, then longest)", "段落编号"),
    "passage": Column("str", "the shared text, as written", "共有文字"),
    "chars": Column("int64", "its length in characters", "字数"),
    "n_docs": Column("int64", "reports containing it", "报告数"),
    "doc_id": Column("str", "a report where it occurs", "文档编号"),
    "file": Column("str", "that report's file", "文件"),
    "section_id": Column("str", "the section where this occurrence starts", "段落编号"),
    "start": Column("int64", "offset of this occurrence in the cleaned document", "起始"),
    "end": Column("int64", "end offset of this occurrence", "结束"),
}

# Characters that carry no content: punctuation, symbols and spaces (masks are removed separately).
_NOISE = re.compile(r"[\W_]+")
MAX_BOILERPLATE_CHARS = 2_000_000
"""The most characters ``boilerplate`` compares in one call: its k-gram index grows with the selection and its
pairing with the square of the reports sharing a passage, so a larger selection returns no rows and says why."""
REASON_ATTR = "reason"
MAX_SEED_OCCURRENCES = 200
"""k-grams that occur more often than this (runs of one character, separators) are not used as seeds."""


def similarity(tables, flt: Filter = EVERYTHING) -> pd.DataFrame:
    """Report-to-report cosine similarity over TF-IDF term vectors.

    Weights: w = count · idf, idf = ln((1 + N) / (1 + df)) + 1 over the N selected reports; vectors are
    L2-normalised, so the cosine is their dot product (a sparse dict product: no matrix library needed).

    Args:
        tables: the loader's tables.
        flt: the filter.
    Returns:
        a SIMILARITY table, one row per pair of selected reports, most similar first.

    Example:
        >>> df = similarity(tables)
        >>> df.iloc[0][["file_a", "file_b", "cosine"]]
    """
    terms, _ = select_terms(tables, flt)
    counts = terms.groupby(["doc_id", "term"])["count"].sum()
    docs = [d for d in tables.documents["doc_id"] if d in flt.doc_ids(tables.documents)]
    n = len(docs)
    df = counts.groupby(level="term").size()
    vectors: dict[str, dict[str, float]] = {}
    for doc in docs:
        row = counts.loc[doc] if doc in counts.index.get_level_values(0) else pd.Series(dtype="int64")
        vec = {t: c * (math.log((1 + n) / (1 + df[t])) + 1) for t, c in row.items()}
        norm = math.sqrt(sum(v * v for v in vec.values()))
        vectors[doc] = {t: v / norm for t, v in vec.items()} if norm else {}
    files = tables.documents.set_index("doc_id")["file"]
    rows = []
    for i, a in enumerate(docs):
        for b in docs[i + 1:]:
            va, vb = vectors[a], vectors[b]
            small, large = (va, vb) if len(va) <= len(vb) else (vb, va)
            shared = [t for t in small if t in large]
            rows.append({"doc_a": a, "doc_b": b, "file_a": files[a], "file_b": files[b],
                         "cosine": min(1.0, sum(small[t] * large[t] for t in shared)),
                         "n_shared_terms": len(shared)})
    out = pd.DataFrame(rows, columns=list(SIMILARITY)).astype({"cosine": "float64", "n_shared_terms": "int64"})
    return out.sort_values(["cosine", "doc_a", "doc_b"], ascending=[False, True, True], kind="mergesort",
                           ignore_index=True)


def boilerplate(tables, flt: Filter = EVERYTHING, *, min_chars: int = 12) -> pd.DataFrame:
    """Long passages that two or more reports share word for word, with every place each occurs.

    Every k-gram of characters (k = ``min_chars``) found in two reports is a seed; seeds of one pair of
    reports on one diagonal (same offset difference) that follow each other form one maximal common
    substring, so a passage is reported once, not as all its sub-n-grams. Passages made only of masks,
    punctuation and spaces are skipped. Texts are the selected sections, merged where they are contiguous.

    Args:
        tables: the loader's tables.
        flt: the filter (documents, kinds of section, themes).
        min_chars: the shortest passage reported.
    Returns:
        a BOILERPLATE table, one row per occurrence, passages shared by most reports first, then longest. When the
        selection holds more than ``MAX_BOILERPLATE_CHARS`` characters it is empty and ``df.attrs["reason"]`` says
        why in Chinese (otherwise it is None).

    Example:
        >>> df = boilerplate(tables, min_chars=15)
        >>> df.drop_duplicates("passage_id")[["passage", "n_docs"]].head()
    """
    if min_chars < 2:
        raise ValueError(f"min_chars={min_chars!r} must be at least 2")
    total = selected_chars(tables, flt)
    if total is not None and total > MAX_BOILERPLATE_CHARS:
        return _refused(total)
    segments = _segments(tables, flt)
    total = sum(len(seg[2]) for seg in segments)
    if total > MAX_BOILERPLATE_CHARS:
        return _refused(total)
    found = _maximal_matches(segments, min_chars)
    files = tables.documents.set_index("doc_id")["file"]
    rows = []
    for text, where in found.items():
        if not _has_content(text):
            continue
        docs = {segments[s][0] for s, _ in where}
        if len(docs) < 2:
            continue
        for seg, pos in where:
            doc_id, seg_start, _, starts, ids = segments[seg]
            offset = seg_start + pos
            rows.append({"passage": text, "chars": len(text), "n_docs": len(docs), "doc_id": doc_id,
                         "file": files.get(doc_id), "section_id": _section_at(starts, ids, offset),
                         "start": offset, "end": offset + len(text)})
    out = pd.DataFrame(rows, columns=[c for c in BOILERPLATE if c != "passage_id"])
    out = out.sort_values(["n_docs", "chars", "passage", "doc_id", "start"],
                          ascending=[False, False, True, True, True], kind="mergesort", ignore_index=True)
    ids = {p: i + 1 for i, p in enumerate(dict.fromkeys(out["passage"]))}
    out.insert(0, "passage_id", out["passage"].map(ids).astype("int64"))
    out.attrs[REASON_ATTR] = None
    return out.astype({"chars": "int64", "n_docs": "int64", "start": "int64", "end": "int64"})


def boilerplate_among(tables, doc_ids: tuple[str, ...], flt: Filter = EVERYTHING, *,
                      min_chars: int = 12) -> pd.DataFrame:
    """``boilerplate`` among these reports only (the two or three a reader compares), within the filter.

    Only the given reports' sections are read, so the time depends on them, not on the size of the corpus.

    Args:
        tables: the loader's tables.
        doc_ids: the reports (ids not in the tables are ignored).
        flt: the filter (documents, kinds of section, themes) applied to those reports.
        min_chars: the shortest passage reported.
    Returns:
        a BOILERPLATE table, as ``boilerplate`` on tables that hold only these reports.
    """
    from analysis.views import doc_slice

    wanted = list(dict.fromkeys(doc_ids))
    docs = tables.documents
    part = SimpleNamespace(documents=docs[docs["doc_id"].isin(wanted)].reset_index(drop=True),
                           sections=doc_slice(tables.sections, wanted).reset_index(drop=True))
    for name in ("theme_hits", "section_themes"):
        if getattr(tables, name, None) is not None:
            setattr(part, name, getattr(tables, name))
    return boilerplate(part, flt, min_chars=min_chars)


def selected_chars(tables, flt: Filter) -> int | None:
    """Characters ``boilerplate`` would compare for ``flt``, from cached section lengths; None when unknown.

    Exact when every selected report's sections tile it (each starts where the previous ended, the first at 0,
    ``end - start`` its own text's length), as the pipeline writes them; None otherwise (or for theme filters).

    Args:
        tables: the loader's tables.
        flt: the filter.
    Returns:
        the number of characters, or None.
    """
    keep = section_mask(tables, flt)
    if keep is None or not {"start", "end"} <= set(tables.sections.columns):
        return None
    cube = section_cube(tables)
    tiles, own = fast._cached("reuse_tiling", tables, tables.sections, lambda: _tiling(tables, cube.sec_doc))
    chosen = np.unique(cube.sec_doc[keep])
    if not tiles[chosen].all():
        return None
    return int(own[keep].sum())


def _tiling(tables, sec_doc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Whether each document's sections tile it (per DOCUMENTS row), and each section's own text length."""
    secs = tables.sections
    own = secs["text"].fillna("").str.len().to_numpy(dtype=np.int64)
    start = pd.to_numeric(secs["start"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    end = pd.to_numeric(secs["end"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    order = np.lexsort((start, sec_doc))
    doc, start, end, size = sec_doc[order], start[order], end[order], own[order]
    first = np.r_[True, doc[1:] != doc[:-1]] if len(doc) else np.zeros(0, dtype=bool)
    previous_end = np.r_[np.nan, end[:-1]] if len(doc) else end
    good = (end - start == size) & np.where(first, start == 0, start == previous_end)
    tiles = np.ones(len(tables.documents) + 1, dtype=bool)   # the last slot: sections of unknown documents
    np.logical_and.at(tiles, np.where(doc >= 0, doc, len(tables.documents)), good)
    return tiles[:-1], own


def _refused(total: int) -> pd.DataFrame:
    out = pd.DataFrame({c: pd.Series([], dtype="int64" if col.dtype == "int64" else "object")
                        for c, col in BOILERPLATE.items()})
    out.attrs[REASON_ATTR] = (f"所选报告共 {total:,} 字，超过逐字比对的上限 {MAX_BOILERPLATE_CHARS:,} 字；"
                              "请缩小筛选范围（如限定单位或年份）后再查看共用文字")
    return out


def _segments(tables, flt: Filter) -> list[tuple[str, int, str, list[int], list[str]]]:
    """(doc_id, start, text, section starts, section ids) of each run of contiguous selected sections."""
    chosen = select_sections(tables, flt)
    texts = document_texts(tables.sections.loc[tables.sections["doc_id"].isin(set(chosen["doc_id"]))])
    order = {d: i for i, d in enumerate(tables.documents["doc_id"])}
    chosen = chosen.assign(_order=chosen["doc_id"].map(order)).sort_values(["_order", "start"], kind="mergesort")
    out: list[tuple[str, int, str, list[int], list[str]]] = []
    for sec in chosen.itertuples(index=False):
        start, end = int(sec.start), int(sec.end)
        if out and out[-1][0] == sec.doc_id and out[-1][1] + len(out[-1][2]) == start:
            doc_id, seg_start, _, starts, ids = out[-1]
            out[-1] = (doc_id, seg_start, texts[doc_id][seg_start:end], starts + [start], ids + [sec.section_id])
        else:
            out.append((sec.doc_id, start, texts[sec.doc_id][start:end], [start], [sec.section_id]))
    return out


def _maximal_matches(segments, k: int) -> dict[str, set[tuple[int, int]]]:
    """Text → (segment, position) occurrences of every maximal common substring (≥ k chars) between segments of two reports."""
    index: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for s, (_, _, text, _, _) in enumerate(segments):
        for i in range(len(text) - k + 1):
            index[text[i:i + k]].append((s, i))
    seeds: dict[tuple[int, int], set[tuple[int, int]]] = defaultdict(set)   # (seg_x, seg_y) → {(i, j)}
    for occurrences in index.values():
        if len(occurrences) < 2 or len(occurrences) > MAX_SEED_OCCURRENCES:
            continue
        for x, (sx, i) in enumerate(occurrences):
            for sy, j in occurrences[x + 1:]:
                if segments[sx][0] != segments[sy][0]:
                    seeds[(sx, sy)].add((i, j))
    found: dict[str, set[tuple[int, int]]] = defaultdict(set)
    for (sx, sy), pairs in seeds.items():
        text_x, text_y = segments[sx][2], segments[sy][2]
        for i, j in pairs:
            if (i - 1, j - 1) in pairs:
                continue   # inside a run: the run's first seed covers it
            while i > 0 and j > 0 and text_x[i - 1] == text_y[j - 1]:
                i, j = i - 1, j - 1
            length = k
            while i + length < len(text_x) and j + length < len(text_y) and text_x[i + length] == text_y[j + length]:
                length += 1
            passage = text_x[i:i + length]
            found[passage].update(((sx, i), (sy, j)))
    return found


def _has_content(text: str) -> bool:
    return bool(_NOISE.sub("", MASK_RE.sub("", text)))


def _section_at(starts: list[int], ids: list[str], offset: int) -> str:
    best = ids[0]
    for start, sid in zip(starts, ids):
        if start <= offset:
            best = sid
    return best
