"""Derived, cached indexes over the loaded tables, so filtered queries do not rescan the big tables.

Built once per loaded table (cached on the DataFrame's identity, dropped with it) and then reused by every call:

- ``term_index(tables)``: TERMS summed per document, section kind and term, as integer codes (sorted by document,
  term, kind), plus each document's characters per kind. A filter becomes a boolean mask over documents and
  kinds; term counts, document counts and characters are ``numpy.bincount`` sums over the masked rows.
- ``theme_index(tables)``: THEME_HITS summed into a documents × kinds × themes cube.

Only filters without ``themes`` use the indexes (a theme filter selects single sections; callers fall back to
the section tables). Answers equal those of the section-level computation.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis.filters import Filter
from analysis.schema import KINDS

_CACHE: dict[tuple, tuple[tuple[weakref.ref, ...], Any]] = {}


def _cached(kind: str, tables: Any, frame: pd.DataFrame, build) -> Any:
    """``build()`` once per (``frame``, documents, sections) objects; dropped when ``frame`` is collected."""
    frames = (frame, tables.documents, tables.sections)
    key = (kind, *map(id, frames))
    hit = _CACHE.get(key)
    if hit is not None and all(ref() is f for ref, f in zip(hit[0], frames, strict=True)):
        return hit[1]
    value = build()
    refs = (weakref.ref(frame, lambda _, k=key: _CACHE.pop(k, None)), *(weakref.ref(f) for f in frames[1:]))
    _CACHE[key] = (refs, value)
    return value


@dataclass(frozen=True)
class TermIndex:
    """TERMS per (document, kind, term) as codes; ``chars[doc, kind]`` the characters of each kind's sections."""

    doc_ids: pd.Index          # document codes (positions in tables.documents)
    vocab: np.ndarray          # term codes → term (object array)
    doc: np.ndarray            # int32, one per row
    kind: np.ndarray           # int8
    term: np.ndarray           # int32
    count: np.ndarray          # int64
    chars: np.ndarray          # int64 [n_docs, n_kinds]
    corpus: np.ndarray         # int64 [vocab]: every term's count over the whole corpus


def _kind_codes(kinds: pd.Series) -> np.ndarray:
    codes = pd.Categorical(kinds, categories=list(KINDS)).codes.astype(np.int16)
    return np.where(codes < 0, KINDS.index("other"), codes).astype(np.int8)


def term_index(tables: Any) -> TermIndex:
    """The cached TermIndex of ``tables`` (built on first use)."""
    return _cached("terms", tables, tables.terms, lambda: _build_term_index(tables))


def _section_codes(tables: Any) -> tuple[pd.Index, pd.Index, np.ndarray, np.ndarray]:
    docs = pd.Index(tables.documents["doc_id"])
    secs = tables.sections
    sec_ids = pd.Index(secs["section_id"])
    sec_doc = docs.get_indexer(secs["doc_id"])
    return docs, sec_ids, sec_doc, _kind_codes(secs["kind"])


def _build_term_index(tables: Any) -> TermIndex:
    docs, sec_ids, sec_doc, sec_kind = _section_codes(tables)
    terms = tables.terms
    row_sec = sec_ids.get_indexer(terms["section_id"])
    ok = row_sec >= 0
    term_codes, vocab = pd.factorize(terms["term"], sort=True)
    frame = pd.DataFrame({"doc": sec_doc[row_sec[ok]].astype(np.int32), "kind": sec_kind[row_sec[ok]],
                          "term": term_codes[ok].astype(np.int32),
                          "count": terms["count"].to_numpy(dtype=np.int64)[ok]})
    frame = frame[frame["doc"] >= 0]
    agg = frame.groupby(["doc", "term", "kind"], sort=True)["count"].sum().reset_index()
    own = tables.sections["text"].fillna("").str.len().to_numpy(dtype=np.int64)
    chars = np.zeros((len(docs), len(KINDS)), dtype=np.int64)
    keep = sec_doc >= 0
    np.add.at(chars, (sec_doc[keep], sec_kind[keep]), own[keep])
    vocab_arr = np.asarray(vocab, dtype=object)
    corpus = np.bincount(agg["term"].to_numpy(), weights=agg["count"].to_numpy(), minlength=len(vocab_arr))
    return TermIndex(doc_ids=docs, vocab=vocab_arr, doc=agg["doc"].to_numpy(np.int32),
                     kind=agg["kind"].to_numpy(np.int8), term=agg["term"].to_numpy(np.int32),
                     count=agg["count"].to_numpy(np.int64), chars=chars, corpus=corpus.astype(np.int64))


def doc_mask(documents: pd.DataFrame, flt: Filter) -> np.ndarray:
    """A boolean array over the DOCUMENTS rows: True where ``flt`` selects the document (as ``Filter.apply``)."""
    keep = np.ones(len(documents), dtype=bool)
    if flt.years or flt.year_from is not None or flt.year_to is not None:
        year = pd.to_numeric(documents["year"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        known = ~np.isnan(year)
        if flt.years:
            keep &= known & np.isin(year, np.asarray(flt.years, dtype="float64"))
        if flt.year_from is not None:
            keep &= known & (year >= flt.year_from)
        if flt.year_to is not None:
            keep &= known & (year <= flt.year_to)
    for name, column in (("periods", "period"), ("units", "unit"), ("levels", "unit_level"),
                         ("regions", "region")):
        wanted = getattr(flt, name)
        if wanted:
            keep &= documents[column].isin(wanted).fillna(False).to_numpy(dtype=bool)
    return keep


def kind_mask(flt: Filter) -> np.ndarray:
    """A boolean array over ``KINDS``: the section kinds ``flt`` keeps (all when it names none)."""
    if not flt.kinds:
        return np.ones(len(KINDS), dtype=bool)
    return np.array([k in flt.kinds for k in KINDS], dtype=bool)


def usable(tables: Any, *filters: Filter) -> bool:
    """Whether the indexes answer for these filters (no theme filter; tables with terms and sections)."""
    return (all(not f.themes for f in filters) and getattr(tables, "terms", None) is not None
            and {"kind", "text", "section_id"} <= set(tables.sections.columns))


def _rows(idx: TermIndex, docs: np.ndarray, kinds: np.ndarray) -> np.ndarray:
    if kinds.all():
        return docs[idx.doc] if not docs.all() else np.ones(len(idx.doc), dtype=bool)
    return docs[idx.doc] & kinds[idx.kind]


def term_counts(tables: Any, flt: Filter) -> tuple[pd.Series, int]:
    """Term → count in the sections ``flt`` selects (terms with a count only) and their characters."""
    idx = term_index(tables)
    docs, kinds = doc_mask(tables.documents, flt), kind_mask(flt)
    rows = _rows(idx, docs, kinds)
    counts = np.bincount(idx.term[rows], weights=idx.count[rows], minlength=len(idx.vocab)).astype(np.int64)
    used = np.flatnonzero(counts)
    series = pd.Series(counts[used], index=pd.Index(idx.vocab[used], name="term", dtype=object), name="count")
    return series, int(idx.chars[docs][:, kinds].sum())


def corpus_counts(tables: Any) -> pd.Series:
    """Term → count over every section (the corpus prior of the keyness measures)."""
    idx = term_index(tables)
    used = np.flatnonzero(idx.corpus)
    return pd.Series(idx.corpus[used], index=pd.Index(idx.vocab[used], name="term", dtype=object), name="count")


def group_term_counts(tables: Any, flt: Filter, groups: pd.Series) -> tuple[pd.DataFrame, pd.Series]:
    """(group, term, count, n_docs) rows for the selected sections, and characters per group.

    Args:
        tables: the tables.
        flt: the filter (no themes).
        groups: the group of each DOCUMENTS row (same order as ``tables.documents``).
    Returns:
        the counts (sorted by group, then term) and a Series group → characters (groups with documents).
    """
    idx = term_index(tables)
    docs, kinds = doc_mask(tables.documents, flt), kind_mask(flt)
    codes, names = pd.factorize(groups.astype(object), sort=True)
    rows = np.flatnonzero(_rows(idx, docs, kinds))
    doc, term, count = idx.doc[rows], idx.term[rows], idx.count[rows]
    first = np.ones(len(rows), dtype=bool)   # first row of its (document, term): rows sort by doc, term, kind
    first[1:] = (doc[1:] != doc[:-1]) | (term[1:] != term[:-1])
    key = codes[doc].astype(np.int64) * len(idx.vocab) + term
    frame = pd.DataFrame({"key": key, "count": count, "first": first.astype(np.int64)})
    agg = frame.groupby("key", sort=True).agg(count=("count", "sum"), n_docs=("first", "sum"))
    g, t = np.divmod(agg.index.to_numpy(), len(idx.vocab))
    out = pd.DataFrame({"group": np.asarray(names, dtype=object)[g], "term": idx.vocab[t],
                        "count": agg["count"].to_numpy(np.int64), "n_docs": agg["n_docs"].to_numpy(np.int64)})
    chosen = np.flatnonzero(docs)
    per_doc = idx.chars[chosen][:, kinds].sum(axis=1)
    chars = pd.Series(per_doc, dtype="int64").groupby(np.asarray(names, dtype=object)[codes[chosen]]).sum()
    return out, chars


def theme_cube(tables: Any, theme_ids: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """THEME_HITS summed per document, kind and theme ([documents, kinds, themes]) and characters [documents, kinds].

    Cached per theme-hits table and theme list.
    """
    def build() -> tuple[np.ndarray, np.ndarray]:
        docs, sec_ids, sec_doc, sec_kind = _section_codes(tables)
        hits = tables.theme_hits
        row = sec_ids.get_indexer(hits["section_id"])
        theme = pd.Index(list(theme_ids)).get_indexer(hits["theme"])
        ok = (row >= 0) & (theme >= 0)
        ok[ok] &= sec_doc[row[ok]] >= 0
        cube = np.zeros((len(docs), len(KINDS), len(theme_ids)), dtype=np.int64)
        np.add.at(cube, (sec_doc[row[ok]], sec_kind[row[ok]], theme[ok]), hits["hits"].to_numpy(np.int64)[ok])
        own = tables.sections["text"].fillna("").str.len().to_numpy(dtype=np.int64)
        chars = np.zeros((len(docs), len(KINDS)), dtype=np.int64)
        keep = sec_doc >= 0
        np.add.at(chars, (sec_doc[keep], sec_kind[keep]), own[keep])
        return cube, chars

    per_book = _cached("themes", tables, tables.theme_hits, dict)
    if theme_ids not in per_book:
        per_book[theme_ids] = build()
    return per_book[theme_ids]


def phrase_counts(tables: Any, words: tuple[str, ...]) -> np.ndarray:
    """Substring counts of each word per document and section kind: an int64 array [documents, kinds, words].

    Counts are non-overlapping occurrences in each section's own text (as ``str.count``); a word never spans two
    sections. Cached per sections table and word list.
    """
    import re

    def build() -> np.ndarray:
        docs, _, sec_doc, sec_kind = _section_codes(tables)
        texts = tables.sections["text"].fillna("").to_numpy(dtype=object)
        out = np.zeros((len(docs), len(KINDS), len(words)), dtype=np.int64)
        for k in range(len(KINDS)):
            rows = np.flatnonzero((sec_kind == k) & (sec_doc >= 0))
            if not len(rows):
                continue
            owner = sec_doc[rows]
            parts = texts[rows]
            lengths = np.fromiter((len(p) + 1 for p in parts), dtype=np.int64, count=len(parts))
            starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
            big = "\n".join(parts)
            for w, word in enumerate(words):
                if not word or big.find(word) < 0:
                    continue
                pos = np.fromiter((m.start() for m in re.finditer(re.escape(word), big)), dtype=np.int64)
                where = owner[np.searchsorted(starts, pos, side="right") - 1]
                out[:, k, w] += np.bincount(where, minlength=len(docs))
        return out

    per_words = _cached("phrases", tables, tables.sections, dict)
    if words not in per_words:
        per_words[words] = build()
    return per_words[words]


__all__ = [
    "TermIndex",
    "corpus_counts",
    "doc_mask",
    "group_term_counts",
    "kind_mask",
    "phrase_counts",
    "term_counts",
    "term_index",
    "theme_cube",
    "usable",
]
