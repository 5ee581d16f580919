"""Counts of what the texts hold, per document and section kind: substrings found in one pass over every text,
and the codebook's theme hits.

- ``phrase_counts(tables, words)``: non-overlapping substring counts of each word, as ``str.count`` counts them,
  cut from ``substring_rows`` (every text decoded a chunk at a time into UTF-32 code points, candidates found
  through a bigram table, all in numpy).
- ``theme_cube(tables, ids)``: THEME_HITS summed into a documents × kinds × themes cube.

Both are cached per loaded table (``analysis.query.cache.cached``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.query.cache import cached, rows_in, section_codes
from analysis.schema import KINDS


def theme_cube(tables: Any, theme_ids: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """THEME_HITS summed per document, kind and theme ([documents, kinds, themes]) and characters [documents, kinds].

    Cached per theme-hits table and theme list.
    """
    def build() -> tuple[np.ndarray, np.ndarray]:
        docs, sec_doc, sec_kind = section_codes(tables)
        hits = tables.theme_hits
        row = rows_in(hits["section_id"], tables.sections["section_id"])
        theme = rows_in(hits["theme"], pd.Series(list(theme_ids), dtype=object))
        ok = (row >= 0) & (theme >= 0)
        ok[ok] &= sec_doc[row[ok]] >= 0
        n_docs, n_kinds, n_themes = len(docs), len(KINDS), len(theme_ids)
        cell = (sec_doc[row[ok]] * n_kinds + sec_kind[row[ok]]) * n_themes + theme[ok]
        cube = np.bincount(cell, weights=hits["hits"].to_numpy(np.int64)[ok], minlength=n_docs * n_kinds * n_themes)
        own = tables.sections["text"].fillna("").str.len().to_numpy(dtype=np.int64)
        keep = sec_doc >= 0
        chars = np.bincount(sec_doc[keep] * n_kinds + sec_kind[keep], weights=own[keep], minlength=n_docs * n_kinds)
        return (cube.astype(np.int64).reshape(n_docs, n_kinds, n_themes),
                chars.astype(np.int64).reshape(n_docs, n_kinds))

    per_book = cached("themes", tables, tables.theme_hits, dict)
    if theme_ids not in per_book:
        per_book[theme_ids] = build()
    return per_book[theme_ids]


def phrase_counts(tables: Any, words: tuple[str, ...]) -> np.ndarray:
    """Substring counts of each word per document and section kind: an int32 array [documents, kinds, words].

    Counts are non-overlapping occurrences in each section's own text (as ``str.count``); a word never spans two
    sections. Every text is read once for all the words (``substring_rows``). Cached per sections table and word
    list.
    """
    def build() -> np.ndarray:
        docs, sec_doc, sec_kind = section_codes(tables)
        cell = np.where(sec_doc >= 0, sec_doc.astype(np.int64) * len(KINDS) + sec_kind, -1)
        out = np.zeros((len(words), len(docs) * len(KINDS)), dtype=np.int32)
        for w, rows in enumerate(substring_rows(arrow_texts(tables.sections["text"]), words)):
            cells = cell[rows]
            out[w] = np.bincount(cells[cells >= 0], minlength=out.shape[1])
        return np.ascontiguousarray(out.T.reshape(len(docs), len(KINDS), len(words)))

    per_words = cached("phrases", tables, tables.sections, dict)
    if words not in per_words:
        per_words[words] = build()
    return per_words[words]


def arrow_texts(texts: pd.Series) -> pa.ChunkedArray:
    """A text column as an Arrow array: the chunks pandas holds when the column is Arrow-backed, as the store loads
    it (``pa.array`` would join them into one copy: 4.5 GB of text at national scale)."""
    held = texts.array.__arrow_array__() if hasattr(texts.array, "__arrow_array__") else None
    column = held if isinstance(held, pa.ChunkedArray) else pa.array(texts, from_pandas=True)
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        column = column.cast(pa.large_string())
    return column if isinstance(column, pa.ChunkedArray) else pa.chunked_array([column])


PHRASE_CHUNK_CHARS = 1 << 24
"""Characters decoded into code points at once by ``substring_rows`` (64 MB of UTF-32)."""


_BIGRAM_BITS = 24


def substring_rows(texts: pa.ChunkedArray, words: tuple[str, ...] | list[str]) -> list[np.ndarray]:
    """For each word, the row of every non-overlapping occurrence of it in the texts (as ``str.count`` counts).

    One pass over all texts for all the words: the texts are decoded a chunk at a time into UTF-32 code points;
    positions whose first two characters open some word (a hashed bigram table, then an exact check) are
    candidates, and each word's candidates are checked character by character, all in numpy. A match never spans
    two rows; null texts never match; an empty word matches nothing.

    Args:
        texts: the texts (string or large_string), nulls allowed.
        words: the words.
    Returns:
        one int64 array of row numbers per word (a row repeated once per occurrence, ascending).

    Example:
        >>> [r.tolist() for r in substring_rows(pa.chunked_array([["aaa", "ba", None]]), ["aa", "a"])]
        [[0], [0, 0, 0, 1]]
    """
    codes = [np.frombuffer(w.encode("utf-32-le"), dtype=np.uint32) for w in words]
    multi = [w for w, c in enumerate(codes) if len(c) >= 2]
    single = [w for w, c in enumerate(codes) if len(c) == 1]
    found: list[list[np.ndarray]] = [[] for _ in words]
    if not multi and not single:
        return [np.zeros(0, dtype=np.int64) for _ in words]
    mask = np.uint32((1 << _BIGRAM_BITS) - 1)
    table = np.zeros(1 << _BIGRAM_BITS, dtype=bool)
    bigram = np.array([(int(codes[w][0]) << 21) | int(codes[w][1]) for w in multi], dtype=np.uint64)
    for w in multi:
        table[((int(codes[w][0]) << 8) ^ int(codes[w][1])) & int(mask)] = True
    uniq, which = np.unique(bigram, return_inverse=True)
    by_bigram = [[multi[i] for i in np.flatnonzero(which == b)] for b in range(len(uniq))]
    overlapping = {w for w in multi if _self_overlapping(words[w])}
    pad = np.zeros(max(len(c) for c in codes) + 1, dtype=np.uint32)
    row0 = 0
    for chunk in texts.chunks:
        for rows, arr in _code_point_chunks(chunk, row0):
            starts = rows[1]
            n = len(arr)
            arr = np.concatenate((arr, pad))
            if multi and n > 1:
                h = arr[:n - 1] << np.uint32(8)
                h ^= arr[1:n]
                h &= mask
                pos = np.flatnonzero(table[h])
                del h
                key = (arr[pos].astype(np.uint64) << np.uint64(21)) | arr[pos + 1]
                j = np.minimum(np.searchsorted(uniq, key), len(uniq) - 1)
                ok = uniq[j] == key
                pos, j = pos[ok], j[ok]
                order = np.argsort(j, kind="stable")
                pos, j = pos[order], j[order]
                bounds = np.searchsorted(j, np.arange(len(uniq) + 1))
                for b in np.flatnonzero(np.diff(bounds)):
                    at = pos[bounds[b]:bounds[b + 1]]
                    for w in by_bigram[b]:
                        p = at
                        for k in range(2, len(codes[w])):
                            p = p[arr[p + k] == codes[w][k]]
                        if len(p):
                            found[w].append(_rows_of(p, len(codes[w]), starts, rows[0], w in overlapping))
            for w in single:
                p = np.flatnonzero(arr[:n] == codes[w][0])
                if len(p):
                    found[w].append(_rows_of(p, 1, starts, rows[0], False))
        row0 += len(chunk)
    return [np.sort(np.concatenate(f)) if f else np.zeros(0, dtype=np.int64) for f in found]


def _self_overlapping(word: str) -> bool:
    """Whether two occurrences of ``word`` can overlap (a proper prefix is also a suffix)."""
    return any(word[:k] == word[-k:] for k in range(1, len(word)))


def _code_point_chunks(chunk: pa.Array, row0: int):
    """((row numbers, char starts [rows + 1]), UTF-32 code points) of runs of rows, ~PHRASE_CHUNK_CHARS each."""
    if chunk.null_count:
        chunk = pc.if_else(chunk.is_valid(), chunk, pa.scalar("", type=chunk.type))   # nulls as empty texts
    lengths = pc.utf8_length(chunk).to_numpy(zero_copy_only=False).astype(np.int64)
    wide = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
    offsets = np.frombuffer(chunk.buffers()[1], dtype=wide)[chunk.offset:chunk.offset + len(chunk) + 1]
    data = memoryview(chunk.buffers()[2]) if len(chunk) else memoryview(b"")
    cum = np.concatenate(([0], np.cumsum(lengths)))
    lo = 0
    while lo < len(chunk):
        hi = max(int(np.searchsorted(cum, cum[lo] + PHRASE_CHUNK_CHARS, side="right")) - 1, lo + 1)
        text = bytes(data[offsets[lo]:offsets[hi]]).decode("utf-8")
        arr = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        yield (np.arange(row0 + lo, row0 + hi), cum[lo:hi + 1] - cum[lo]), arr
        lo = hi


def _rows_of(pos: np.ndarray, length: int, starts: np.ndarray, rows: np.ndarray, overlapping: bool) -> np.ndarray:
    """The rows of the matches at ``pos`` (ascending) that lie within one row; greedy non-overlapping if asked."""
    row = np.searchsorted(starts, pos, side="right") - 1
    keep = (np.searchsorted(starts, pos + length - 1, side="right") - 1) == row
    pos, row = pos[keep], row[keep]
    if overlapping and len(pos):
        keep = np.zeros(len(pos), dtype=bool)
        last_row, last_end = -1, -1
        for i, (p, r) in enumerate(zip(pos.tolist(), row.tolist(), strict=True)):
            if r != last_row or p >= last_end:
                keep[i] = True
                last_row, last_end = r, p + length
        row = row[keep]
    return rows[row]
