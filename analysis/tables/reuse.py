"""Text reuse between reports: how alike two reports are, and the long passages they share word for word."""

from __future__ import annotations

import bisect
import math
import re
from collections import defaultdict
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pyarrow as pa

from analysis.parse.masks import MASK_RE
from analysis.query.cache import cached, spans
from analysis.query.filters import Filter
from analysis.schema import Column
from analysis.tables.coverage import section_cube, section_mask
from analysis.tables.keyness import EVERYTHING, select_sections, select_terms
from analysis.tables.kwic import document_texts

SIMILARITY = {
    "doc_a": Column("str", "one report", "文档A"),
    "doc_b": Column("str", "the other report", "文档B"),
    "file_a": Column("str", "file of doc_a", "文件A"),
    "file_b": Column("str", "file of doc_b", "文件B"),
    "cosine": Column("float64", "cosine similarity of their TF-IDF term vectors (0–1)", "余弦相似度"),
    "n_shared_terms": Column("int64", "distinct terms both use", "共有词数"),
}

BOILERPLATE = {
    "passage_id": Column("int64", "the passage (1 = shared by most reports, then longest)", "共用段编号"),
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
    found = maximal_matches(segments, min_chars)
    files = dict(zip(tables.documents["doc_id"].to_numpy(dtype=object).tolist(),
                     tables.documents["file"].to_numpy(dtype=object).tolist(), strict=True))
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
    from analysis.tables.views import doc_slice

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
    tiles, own = cached("reuse_tiling", tables, tables.sections, lambda: _tiling(tables, cube.sec_doc))
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
    keep = section_mask(tables, flt) if {"start", "end"} <= set(tables.sections.columns) else None
    return _segments_plain(tables, flt) if keep is None else _segments_indexed(tables, keep)


def _segments_plain(tables, flt: Filter) -> list[tuple[str, int, str, list[int], list[str]]]:
    """``_segments`` from the selected SECTIONS rows and their reports' rebuilt texts (any filter)."""
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


def _segments_indexed(tables, keep: np.ndarray) -> list[tuple[str, int, str, list[int], list[str]]]:
    """``_segments`` for the SECTIONS rows ``keep`` marks, read through the cached per-document layout.

    Only the selected sections' texts are taken from the Arrow column (a report whose sections do not tile it is
    rebuilt whole, as ``document_texts`` does), in DOCUMENTS order then start.
    """
    from analysis.tables.kwic import _layout, _rebuild

    lay = _layout(tables)
    per_row = keep[lay.order]
    if not per_row.any():
        return []
    sel = lay.order[per_row]
    sel_doc = np.repeat(np.arange(len(lay.doc_start) - 1), np.diff(lay.doc_start))[per_row]
    own = lay.texts.take(pa.array(sel)).to_pylist()
    ids = tables.sections["section_id"].take(sel).to_numpy(dtype=object).tolist()
    doc_ids = tables.documents["doc_id"].to_numpy(dtype=object)
    whole: dict[int, str] = {}
    for d in np.unique(sel_doc[~lay.tiles[sel_doc]]).tolist():     # reports to rebuild from all their sections
        rows = lay.order[lay.doc_start[d]:lay.doc_start[d + 1]]
        whole[d] = _rebuild(lay.start[rows].tolist(), [t or "" for t in lay.texts.take(pa.array(rows)).to_pylist()])
    out: list[tuple[str, int, str, list[int], list[str]]] = []
    parts: list[str] = []                 # the current segment's texts (of a tiled report)
    cur_doc, cur_start, cur_len = -1, 0, -1

    def close() -> None:
        if out and parts:
            out[-1] = (out[-1][0], out[-1][1], "".join(parts), out[-1][3], out[-1][4])

    for d, start, end, text, sid in zip(sel_doc.tolist(), lay.start[sel].tolist(), lay.end[sel].tolist(), own, ids,
                                        strict=True):
        if d == cur_doc and cur_start + cur_len == start:
            out[-1][3].append(start)
            out[-1][4].append(sid)
            if d in whole:
                cur_text = whole[d][cur_start:end]
                out[-1] = (out[-1][0], cur_start, cur_text, out[-1][3], out[-1][4])
                cur_len = len(cur_text)
            else:
                parts.append(text or "")
                cur_len += len(text or "")
            continue
        close()
        parts = []
        cur_doc, cur_start = d, start
        if d in whole:
            cur_text = whole[d][start:end]
        else:
            cur_text = text or ""
            parts = [cur_text]
        cur_len = len(cur_text)
        out.append((str(doc_ids[d]), start, cur_text, [start], [sid]))
    close()
    return out


def maximal_matches(segments, k: int) -> dict[str, set[tuple[int, int]]]:
    """Text → (segment, position) occurrences of every maximal common substring (≥ k chars) between segments of
    two reports: the answer of ``_maximal_matches`` computed on arrays.

    k-grams are hashed (a polynomial over the UTF-32 code points) and sorted; a k-gram found 2 to
    ``MAX_SEED_OCCURRENCES`` times gives a seed for each pair of its occurrences in two reports (checked
    character by character, so a hash collision never pairs two different k-grams). A seed with no seed just before
    it on its diagonal starts a run; each run is stretched backwards and forwards, all runs at once.

    Args:
        segments: (doc_id, start, text, section starts, section ids) tuples, as ``_segments`` makes them.
        k: the seed length (``min_chars``).
    Returns:
        passage text → the set of (segment, offset in the segment's text) where it occurs.
    """
    texts = [seg[2] for seg in segments]
    lengths = np.array([len(t) for t in texts], dtype=np.int64)
    found: dict[str, set[tuple[int, int]]] = defaultdict(set)
    if not len(texts) or lengths.max(initial=0) < k:
        return found
    seg_off = np.concatenate(([0], np.cumsum(lengths)))
    arr = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
    arr = np.concatenate((arr, np.zeros(k + 1, dtype=np.uint32)))
    n = int(seg_off[-1])
    seg_of = np.repeat(np.arange(len(texts)), lengths)
    valid = np.flatnonzero(np.arange(n) + k <= seg_off[1:][seg_of])      # k-grams inside one segment
    h = np.zeros(len(valid), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):
            h *= np.uint64(0x100000001B3)
            h ^= arr[valid + j].astype(np.uint64)
    order = np.argsort(h, kind="stable")
    h, g = h[order], valid[order]
    start = np.flatnonzero(np.r_[True, h[1:] != h[:-1]])
    size = np.diff(np.r_[start, len(h)])
    group_size = np.zeros(n + 1, dtype=np.int64)          # per position: occurrences of the k-gram starting there
    group_size[g] = np.repeat(size, size)
    ok = (size >= 2) & (size <= MAX_SEED_OCCURRENCES)
    start, size = start[ok], size[ok]
    member = spans(start, size)
    group = np.repeat(np.arange(len(start)), size)
    if not len(member):
        return found
    # a pair (x, y) of one k-gram extends the run of (x - 1, y - 1) when the characters before them are equal and
    # that k-gram is a seed too: occurrences are classed by the character before them (each its own class when
    # none is, or its k-gram is too frequent to seed), and only pairs of two classes start a run
    gm = g[member]
    before = (gm > seg_off[seg_of[gm]]) & (group_size[np.maximum(gm - 1, 0)] <= MAX_SEED_OCCURRENCES)
    klass = np.where(before, arr[np.maximum(gm - 1, 0)].astype(np.int64), -1 - gm)
    order = np.lexsort((gm, klass, group))
    member, group, klass = member[order], group[order], klass[order]
    new_class = np.r_[True, (group[1:] != group[:-1]) | (klass[1:] != klass[:-1])]
    class_end = np.r_[np.flatnonzero(new_class)[1:], len(member)][np.cumsum(new_class) - 1]
    group_end = np.searchsorted(group, group, side="right")
    later = group_end - class_end
    x = np.repeat(np.arange(len(member)), later)
    y = spans(class_end, later)
    gx, gy = g[member[x]], g[member[y]]
    swap = gx > gy                                        # (x, y) in text order, as the plain index lists them
    gx, gy = np.where(swap, gy, gx), np.where(swap, gx, gy)
    doc_codes = pd.factorize(pd.Series([seg[0] for seg in segments], dtype=object))[0]
    sx, sy = seg_of[gx], seg_of[gy]
    keep = doc_codes[sx] != doc_codes[sy]
    for j in range(k):
        keep &= arr[gx + j] == arr[gy + j]
    gx, gy, sx, sy = gx[keep], gy[keep], sx[keep], sy[keep]
    if not len(gx):
        return found
    i, jj = gx - seg_off[sx], gy - seg_off[sy]
    length = np.full(len(i), k, dtype=np.int64)
    x0, y0 = seg_off[sx] + i, seg_off[sy] + jj
    seed_x, seed_y = i, jj
    digest = _substring_digest(arr[:n])
    back = _longest_equal(digest, x0, y0, np.zeros(len(i), dtype=np.int64), np.minimum(i, jj), backwards=True)
    i, jj, length = i - back, jj - back, length + back
    length = _longest_equal(digest, x0 - back, y0 - back, length,
                            np.minimum(lengths[sx] - i, lengths[sy] - jj), backwards=False)
    x0, y0 = seg_off[sx] + i, seg_off[sy] + jj
    text_digest = _digest_of(digest, x0, length)
    last = np.maximum(x0 + length, 0)
    exact = ((text_digest == _digest_of(digest, y0, length))
             & ((i == 0) | (jj == 0) | (arr[np.maximum(x0 - 1, 0)] != arr[np.maximum(y0 - 1, 0)]))
             & ((i + length == lengths[sx]) | (jj + length == lengths[sy]) | (arr[last] != arr[y0 + length])))
    if exact.all():
        # every occurrence once, grouped by its text's digest; each compared with its group's first text
        occ_digest, occ_len = np.r_[text_digest, text_digest], np.r_[length, length]
        occ_seg, occ_pos = np.r_[sx, sy], np.r_[i, jj]
        order = np.lexsort((occ_pos, occ_seg, occ_len, occ_digest))
        occ_digest, occ_len, occ_seg, occ_pos = (v[order] for v in (occ_digest, occ_len, occ_seg, occ_pos))
        new_occ = np.r_[True, (occ_digest[1:] != occ_digest[:-1]) | (occ_len[1:] != occ_len[:-1])
                        | (occ_seg[1:] != occ_seg[:-1]) | (occ_pos[1:] != occ_pos[:-1])]
        new_text = np.r_[True, (occ_digest[1:] != occ_digest[:-1]) | (occ_len[1:] != occ_len[:-1])][new_occ]
        passage, where = "", set()
        for first, seg, pos, size_ in zip(new_text.tolist(), occ_seg[new_occ].tolist(), occ_pos[new_occ].tolist(),
                                          occ_len[new_occ].tolist(), strict=True):
            if first:
                passage = texts[seg][pos:pos + size_]
                where = found[passage]
            elif texts[seg][pos:pos + size_] != passage:
                exact[:] = False                          # two texts share a digest: the exact way below
                break
            where.add((seg, pos))
        if exact.all():
            return found
        found.clear()
    for r, (s_x, p_x, s_y, p_y, size_) in enumerate(zip(sx.tolist(), i.tolist(), sy.tolist(), jj.tolist(),
                                                         length.tolist(), strict=True)):
        text_x, text_y = texts[s_x], texts[s_y]
        passage = text_x[p_x:p_x + size_]
        if not (passage == text_y[p_y:p_y + size_] and (not p_x or not p_y or text_x[p_x - 1] != text_y[p_y - 1])
                and (p_x + size_ == len(text_x) or p_y + size_ == len(text_y)
                     or text_x[p_x + size_] != text_y[p_y + size_])):
            p_x, p_y, passage = _extend(text_x, text_y, int(seed_x[r]), int(seed_y[r]), k)   # a hash collision
        where = found[passage]
        where.add((s_x, p_x))
        where.add((s_y, p_y))
    return found


_BASE = np.uint64(0x100000001B3)
_BASE_INV = np.uint64(pow(0x100000001B3, -1, 1 << 64))


def _substring_digest(arr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Prefix sums G[t] = Σ_{s<t} c[s]·B⁻ˢ and powers Bᵗ (mod 2⁶⁴): the digest of [a, a+L) is (G[a+L] − G[a])·Bᵃ."""
    n = len(arr)
    with np.errstate(over="ignore"):
        inv = np.cumprod(np.r_[np.uint64(1), np.full(max(n - 1, 0), _BASE_INV, dtype=np.uint64)],
                         dtype=np.uint64)[:n]
        prefix = np.r_[np.uint64(0), np.cumsum(arr.astype(np.uint64) * inv, dtype=np.uint64)]
        power = np.cumprod(np.r_[np.uint64(1), np.full(n, _BASE, dtype=np.uint64)], dtype=np.uint64)
    return prefix, power


def _digest_of(digest: tuple[np.ndarray, np.ndarray], at: np.ndarray, size: np.ndarray) -> np.ndarray:
    prefix, power = digest
    with np.errstate(over="ignore"):
        return (prefix[at + size] - prefix[at]) * power[at]


def _longest_equal(digest, x: np.ndarray, y: np.ndarray, lo: np.ndarray, hi: np.ndarray, *,
                   backwards: bool) -> np.ndarray:
    """Per pair, the largest L in [lo, hi] whose L characters after x and y (before them when ``backwards``) have
    equal digests, by binary search (lengths up to ``lo`` are known equal)."""
    lo, hi = lo.astype(np.int64).copy(), np.maximum(hi.astype(np.int64), lo)
    active = np.flatnonzero(lo < hi)
    while len(active):
        mid = (lo[active] + hi[active] + 1) // 2
        if backwards:
            same = _digest_of(digest, x[active] - mid, mid) == _digest_of(digest, y[active] - mid, mid)
        else:
            same = _digest_of(digest, x[active], mid) == _digest_of(digest, y[active], mid)
        lo[active] = np.where(same, mid, lo[active])
        hi[active] = np.where(same, hi[active], mid - 1)
        active = active[lo[active] < hi[active]]
    return lo


def _extend(text_x: str, text_y: str, i: int, j: int, k: int) -> tuple[int, int, str]:
    """The maximal common substring through the equal k characters at i and j (character by character)."""
    while i > 0 and j > 0 and text_x[i - 1] == text_y[j - 1]:
        i, j = i - 1, j - 1
    length = k
    while i + length < len(text_x) and j + length < len(text_y) and text_x[i + length] == text_y[j + length]:
        length += 1
    return i, j, text_x[i:i + length]


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
    """The id of the last section starting at or before ``offset`` (``starts`` ascending; the first otherwise)."""
    return ids[max(bisect.bisect_right(starts, offset) - 1, 0)]
