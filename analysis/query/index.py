"""The term index: TERMS summed per document, section kind and term, as integer codes, and the filtered term sums
it answers.

``term_index(tables)`` is built once per loaded table (``analysis.query.cache.cached``), sorted by document, term,
kind, with one sort of packed integer keys per block of rows from the stored dictionary codes, read from the store's
terms file a block at a time, so the TERMS table is never held whole. Beside the rows it keeps each document's
characters per kind, the corpus totals per term and kind, and each term's documents per exact set of kinds.

A filter becomes a boolean mask over documents (``doc_mask``) and kinds (``kind_mask``). Term counts and document
counts (``term_sums``, ``term_counts``) are sparse products (scipy) of the index as a (document × term) matrix, its
own arrays uncopied, with the selection; under a kind filter, ``numpy.bincount`` sums over the smaller side: the
selected rows, or the totals minus the rest. ``document_pairs`` and ``distinct_terms`` read documents' rows.

Only filters without ``themes`` use the index (``usable``; a theme filter selects single sections, and callers fall
back to the section tables). Answers equal those of the section-level computation.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from scipy import sparse

from analysis.errors import MixedDictionaries
from analysis.query.cache import cached, codes_and_values, filled_codes, ranked, recode, rows_in, section_codes, spans
from analysis.query.filters import Filter
from analysis.schema import KINDS


@dataclass(frozen=True)
class TermIndex:
    """TERMS per (document, kind, term) as codes; ``chars[doc, kind]`` the characters of each kind's sections.

    Rows are sorted by document, term, kind; the rows of document ``d`` are ``doc_start[d]:doc_start[d + 1]``.
    """

    doc_ids: pd.Index          # document codes (positions in tables.documents)
    vocab: np.ndarray          # term codes → term (object array, in sorted order)
    doc: np.ndarray            # int32, one per row
    kind: np.ndarray           # int8
    term: np.ndarray           # int32
    count: np.ndarray          # float64 (whole numbers: bincount weights without a cast)
    chars: np.ndarray          # int64 [n_docs, n_kinds]
    corpus: np.ndarray         # int64 [vocab]: every term's count over the whole corpus
    doc_start: np.ndarray      # int64 [n_docs + 1]: where each document's rows start
    first: np.ndarray          # bool, one per row: the first row of its (document, term)
    corpus_docs: np.ndarray    # int64 [vocab]: documents using each term
    kind_corpus: np.ndarray    # float64 [kinds, vocab]: every term's count over each kind's sections
    doc_pairs: np.ndarray      # int64 [n_docs]: each document's distinct terms (its rows marked ``first``)
    kind_set_docs: np.ndarray  # int32 [vocab, 2 ** kinds]: documents using each term in exactly each set of kinds
    kind_terms: np.ndarray     # int64 [n_docs, n_kinds]: each document's distinct terms in each kind's sections
    occurrences: np.ndarray    # float64 [n_docs, n_kinds]: term occurrences in each document's sections of each kind


def term_index(tables: Any) -> TermIndex:
    """The cached TermIndex of ``tables`` (built on first use)."""
    return cached("terms", tables, terms_key(tables), lambda: _build_term_index(tables))


def _section_chars(tables: Any, sec_doc: np.ndarray, sec_kind: np.ndarray, n_docs: int) -> np.ndarray:
    """Characters of the sections' own texts per [document, kind]."""
    own = tables.sections["text"].fillna("").str.len().to_numpy(dtype=np.int64)
    keep = sec_doc >= 0
    flat = np.bincount(sec_doc[keep].astype(np.int64) * len(KINDS) + sec_kind[keep], weights=own[keep],
                       minlength=n_docs * len(KINDS))
    return flat.astype(np.int64).reshape(n_docs, len(KINDS))


def _sum_by_key(key: np.ndarray, count: np.ndarray, n_keys: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct keys in ascending order and the sum of ``count`` for each (non-negative int64 inputs).

    ``key`` is used up (overwritten in place, to keep the peak memory of a national corpus down).
    """
    key_bits = max(int(n_keys - 1).bit_length(), 1)
    count_bits = max(int(count.max()).bit_length(), 1) if len(count) else 1
    if key_bits + count_bits <= 62 and (not len(count) or count.min() >= 0):
        packed = key                        # key and count in one int64: one sort instead of an argsort
        packed <<= count_bits
        packed |= count
        packed.sort()
        key = packed >> count_bits
        count = packed & ((1 << count_bits) - 1)
        del packed
    else:
        order = np.argsort(key, kind="stable")
        key, count = key[order], count[order]
    if not len(key):
        return key, count
    starts = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
    return key[starts], np.add.reduceat(count, starts)


TERM_INDEX_CHUNK = 1 << 20
"""TERMS rows summed at a time when the term index is built (the peak memory of the build grows with this)."""


def terms_file(tables: Any) -> Any:
    """The store's ``TermsFile`` the tables read TERMS from (``analysis.store.load``), or None for tables that hold
    their TERMS DataFrame."""
    return getattr(tables, "terms_file", None)


def has_terms(tables: Any) -> bool:
    """Whether the tables have TERMS, without reading a store's terms table."""
    return terms_file(tables) is not None or getattr(tables, "terms", None) is not None


def terms_key(tables: Any) -> Any:
    """What caches over TERMS are kept with (and dropped with): the store's file, else the DataFrame."""
    source = terms_file(tables)
    return source if source is not None else tables.terms


def _terms_blocks(tables: Any) -> tuple[Any, Any, Iterator[tuple[np.ndarray, ...]]]:
    """The TERMS section ids and words as their stored codes index them, and (section codes, word codes, counts)
    blocks of about ``TERM_INDEX_CHUNK`` rows in table order: read from the store's file when there is one (the
    table is then never held whole), else sliced from the DataFrame. A file's blocks raise MixedDictionaries
    when a batch's dictionary differs from the first's."""
    source, size = terms_file(tables), TERM_INDEX_CHUNK
    if source is None or source.loaded:
        terms = tables.terms
        sec_codes, sec_values = codes_and_values(terms["section_id"])
        term_codes, words = codes_and_values(terms["term"])
        counts = terms["count"].to_numpy()
        return sec_values, words, ((sec_codes[lo:lo + size], term_codes[lo:lo + size], counts[lo:lo + size])
                                   for lo in range(0, len(terms), size))
    batches = source.batches(["section_id", "term", "count"], size)
    first = next(batches, None)
    if first is None:
        return np.zeros(0, dtype=object), np.zeros(0, dtype=object), iter(())
    sec_dict, term_dict = first.column(0).dictionary, first.column(1).dictionary
    held = [first]
    del first

    def blocks() -> Iterator[tuple[np.ndarray, ...]]:
        batch = held.pop()                       # no batch is kept once its block is summed
        while batch is not None:
            sec, term, count = batch.columns
            block = filled_codes(sec), filled_codes(term), count.to_numpy(zero_copy_only=False)
            del batch, sec, term, count
            yield block
            batch = next(batches, None)

    return sec_dict, term_dict, blocks()


def _build_term_index(tables: Any) -> TermIndex:
    """The TermIndex: TERMS rows summed per (document, term, kind), a block of whole documents' rows at a time.

    A block's sums come sorted by (document, term, kind). When TERMS keeps each document's rows together in
    DOCUMENTS order (as the store writes it), the blocks follow each other in that order and are only joined,
    a field at a time; otherwise the joined rows are summed once more.
    """
    try:
        return _index_from_blocks(tables, *_terms_blocks(tables))
    except MixedDictionaries:
        terms_file(tables).frame()                                        # read whole: the DataFrame unifies them
        return _index_from_blocks(tables, *_terms_blocks(tables))
    finally:
        pa.default_memory_pool().release_unused()                        # the batches' buffers, back to the system


def _index_from_blocks(tables: Any, sec_values: Any, words: Any,
                       blocks: Iterator[tuple[np.ndarray, ...]]) -> TermIndex:
    """The TermIndex of ``_terms_blocks``' output (section ids and words: Arrow or object arrays)."""
    docs, sec_doc, sec_kind = section_codes(tables)
    n_docs, n_kinds = len(docs), len(KINDS)
    term_rank, vocab = ranked(words)
    n_terms = max(len(vocab), 1)
    n_keys = n_docs * n_terms * n_kinds
    where = rows_in(sec_values, tables.sections["section_id"])          # each distinct id → its SECTIONS row
    del sec_values, words                                                # the file's dictionaries: not kept
    owner = np.where(where >= 0, sec_doc[where], -1)
    base = np.where(owner >= 0, owner.astype(np.int64) * (n_terms * n_kinds) + sec_kind[where], -1)
    base, owner = np.append(base, -1), np.append(owner, -1)               # code -1 (a null id) → -1
    # each block's sums are written into arrays as long as the TERMS table (an index row sums one or more TERMS
    # rows): pages past the index's length are never touched, so they take no memory, and no block is held to be
    # joined at the end
    fields = _Fields(terms_rows(tables))
    in_order, last = True, -1
    runs = Runs()                  # the rows' runs of one section, for the export of the file's rows
    for sec, term_codes, counts in _whole_documents(blocks, owner):
        runs.add(sec)
        key = base[sec]
        term = recode(term_codes, term_rank)
        ok = (key >= 0) & (term >= 0)
        term *= n_kinds
        key += term
        del term
        key, count = _sum_by_key(key[ok], counts[ok].astype(np.int64), n_keys)
        if len(key):
            in_order &= bool(key[0] > last)
            last = int(key[-1])
        fields.append(count, *_split_key(key, n_terms, n_kinds))
        del key, count
    count, doc, term, kind = fields.done()
    source = terms_file(tables)
    if source is not None and not source.loaded:     # the blocks were the file's rows, in order
        found = runs.result(where)
        cached(FILE_RUNS, tables, source, lambda: found)
        del found
    del runs
    if not in_order:                                                     # a document's rows in two chunks
        key = (doc.astype(np.int64) * n_terms + term) * n_kinds + kind
        key, total = _sum_by_key(key, count.astype(np.int64), n_keys)
        count = total.astype(np.float64)
        doc, term, kind = _split_key(key, n_terms, n_kinds)
        del key, total
    first = _firsts(doc, term)
    n_vocab = len(vocab)
    kind_corpus = _sliced_bincount(len(doc), lambda r: kind[r].astype(np.int64) * n_vocab + term[r],
                                   n_kinds * n_vocab, lambda r: count[r]).reshape(n_kinds, n_vocab)
    occurrences = _sliced_bincount(len(doc), lambda r: doc[r].astype(np.int64) * n_kinds + kind[r],
                                   n_docs * n_kinds, lambda r: count[r]).reshape(n_docs, n_kinds)
    return TermIndex(doc_ids=docs, vocab=vocab, doc=doc, kind=kind, term=term, count=count,
                     chars=_section_chars(tables, sec_doc, sec_kind, n_docs),
                     corpus=kind_corpus.sum(axis=0).astype(np.int64),
                     doc_start=np.searchsorted(doc, np.arange(n_docs + 1)).astype(np.int64), first=first,
                     corpus_docs=_sliced_bincount(len(doc), lambda r: term[r][first[r]], n_vocab).astype(np.int64),
                     kind_corpus=kind_corpus, occurrences=occurrences,
                     doc_pairs=_sliced_bincount(len(doc), lambda r: doc[r][first[r]], n_docs).astype(np.int64),
                     kind_set_docs=_kind_set_docs(term, kind, first, n_vocab),
                     kind_terms=_sliced_bincount(len(doc), lambda r: doc[r].astype(np.int64) * n_kinds + kind[r],
                                                 n_docs * n_kinds).astype(np.int64).reshape(n_docs, n_kinds))


class Runs:
    """Runs of equal keys in blocks of per-row keys given one after another, a run going on across blocks counted
    once (``add`` each block, then ``result``)."""

    def __init__(self) -> None:
        self.starts: list[np.ndarray] = []
        self.keys: list[np.ndarray] = []
        self.n, self.previous = 0, None

    def add(self, key: np.ndarray) -> None:
        if len(key):
            begin = np.flatnonzero(np.concatenate(([self.previous is None or key[0] != self.previous],
                                                   key[1:] != key[:-1])))
            self.starts.append(begin + self.n)
            self.keys.append(key[begin])
            self.n, self.previous = self.n + len(key), key[-1]

    def result(self, owner_of: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(``owner_of[key]`` of each run, -1 for key -1; its first row; its length)."""
        start = np.concatenate(self.starts) if self.starts else np.zeros(0, dtype=np.int64)
        owner = np.append(owner_of, -1)[np.concatenate(self.keys) if self.keys else np.zeros(0, dtype=np.int64)]
        return owner.astype(np.int64), start.astype(np.int64), np.diff(np.append(start, self.n)).astype(np.int64)


def code_runs(blocks: Iterable[np.ndarray], owner_of) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(SECTIONS row of each run, -1 when unknown; its first row; its length) of the runs of equal keys in blocks
    of per-row keys; ``owner_of()[key]`` is a key's SECTIONS row (asked once the blocks are read), key -1 is
    unknown."""
    runs = Runs()
    for key in blocks:
        runs.add(key)
    return runs.result(owner_of())


FILE_RUNS = "export_runs_file"
"""The cache of the terms file's runs of one section (``export.section_runs``), filled by the term index's build."""


class _Fields:
    """The index's (count float64, doc int32, term int32, kind int8) columns, filled a block at a time into arrays
    of ``capacity`` rows allocated up front (grown if a block would not fit)."""

    DTYPES = (np.float64, np.int32, np.int32, np.int8)

    def __init__(self, capacity: int):
        self.columns = [np.empty(capacity, dtype=dtype) for dtype in self.DTYPES]
        self.n = 0

    def append(self, *values: np.ndarray) -> None:
        end = self.n + len(values[0])
        if end > len(self.columns[0]):
            self.columns = [np.concatenate([column[:self.n], np.empty(end - self.n + len(column), column.dtype)])
                            for column in self.columns]
        for column, part in zip(self.columns, values, strict=True):
            column[self.n:end] = part
        self.n = end

    def done(self) -> list[np.ndarray]:
        """The filled rows (views: the untouched rest of each array is never resident)."""
        return [column[:self.n] for column in self.columns]


def terms_rows(tables: Any) -> int:
    """The TERMS table's rows, without reading a store's terms table."""
    source = terms_file(tables)
    return source.num_rows if source is not None else len(tables.terms)


def _sliced_bincount(n: int, keys, length: int, weights=None) -> np.ndarray:
    """``np.bincount(keys(rows), weights(rows), minlength=length)`` summed over slices of ``range(n)``
    (``TERM_INDEX_CHUNK`` rows at a time, so that no temporary spans every index row); float64."""
    out = np.zeros(length)
    for lo in range(0, n, TERM_INDEX_CHUNK):
        rows = slice(lo, lo + TERM_INDEX_CHUNK)
        out += np.bincount(keys(rows), weights=None if weights is None else weights(rows), minlength=length)
    return out


def _split_key(key: np.ndarray, n_terms: int, n_kinds: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(doc int32, term int32, kind int8) of packed keys ``(doc * n_terms + term) * n_kinds + kind``; ``key`` is
    used up (divided in place)."""
    kind = (key % n_kinds).astype(np.int8)
    key //= n_kinds
    term = (key % n_terms).astype(np.int32)
    key //= n_terms
    return key.astype(np.int32), term, kind


def _whole_documents(blocks: Iterable[tuple[np.ndarray, ...]], owner: np.ndarray) -> Iterator[tuple[np.ndarray, ...]]:
    """The (section codes, …) blocks re-cut so that a document whose rows are together is not split between two:
    each block's rows of its last document are held back and put before the next block's. ``owner`` maps a
    section code to its document (the last entry, for code -1, is -1)."""
    carry: tuple[np.ndarray, ...] | None = None
    for block in blocks:
        if carry is not None:
            block = tuple(np.concatenate((held, new)) for held, new in zip(carry, block, strict=True))
        if not len(block[0]):
            continue
        doc = owner[block[0]]
        change = np.flatnonzero(doc != doc[-1])
        cut = int(change[-1]) + 1 if len(change) else 0
        if cut:
            yield tuple(a[:cut] for a in block)
        carry = tuple(a[cut:] for a in block)
    if carry is not None and len(carry[0]):
        yield carry


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
    return (all(not f.themes for f in filters) and has_terms(tables)
            and {"kind", "text", "section_id"} <= set(tables.sections.columns))


def term_sums(tables: Any, flt: Filter, *, n_docs: bool = False) -> tuple[np.ndarray, np.ndarray | None, int]:
    """Every term's count in the sections ``flt`` selects, optionally the documents using it, and their characters.

    Without a kind filter the sums are sparse matrix products over the index; with one, the smaller side is
    summed: the selected documents' rows, or the kinds' corpus totals minus the other documents' rows.

    Args:
        tables: the tables.
        flt: the filter (no themes).
        n_docs: also count the selected documents using each term.
    Returns:
        (float64 counts [vocab] (whole numbers), int64 document counts [vocab] or None, characters)
    """
    idx = term_index(tables)
    docs, kinds = doc_mask(tables.documents, flt), kind_mask(flt)
    chars = int(idx.chars[docs][:, kinds].sum())
    n_terms = len(idx.vocab)
    doc_len = np.diff(idx.doc_start)
    if kinds.all():
        if docs.all():
            return idx.corpus.astype(np.float64), idx.corpus_docs.copy() if n_docs else None, chars
        # sparse (terms × documents) · selection products over the index arrays: one compiled pass each, no row
        # copies (the counts of a (document, term)'s kinds add up; its first row alone is 1 for the documents)
        counts = (term_matrix(idx, kinds).T @ docs.astype(np.float64))[:n_terms]
        used = None
        if n_docs:       # whole numbers below 2 ** 24 are exact in float32: the uint8 data is widened only to that
            weight = docs.astype(np.float32 if len(docs) < 1 << 24 else np.float64)
            used = np.rint(used_matrix(idx, kinds, None).T @ weight)[:n_terms].astype(np.int64)
        return counts, used, chars
    flip = int(doc_len[docs].sum()) * 2 > len(idx.doc)   # the kinds' totals minus the rest
    rows = np.repeat(~docs if flip else docs, doc_len) & kinds[idx.kind]
    term = idx.term[rows]
    counts = np.bincount(term, weights=idx.count[rows], minlength=n_terms)
    used = np.bincount(term[_firsts(idx.doc[rows], term)], minlength=n_terms) if n_docs else None
    if flip:
        counts = idx.kind_corpus[kinds].sum(axis=0) - counts
        used = None if used is None else kind_docs(idx, kinds) - used
    return counts, used, chars


def kind_docs(idx: TermIndex, kinds: np.ndarray) -> np.ndarray:
    """Every term's documents over the whole corpus that use it in sections of the selected kinds: int64 [vocab],
    a sum of the few columns of ``kind_set_docs`` whose kind sets meet the selection."""
    mask = int(np.dot(kinds.astype(np.int64), 1 << np.arange(len(kinds))))
    return idx.kind_set_docs[:, [s for s in range(idx.kind_set_docs.shape[1]) if s & mask]].sum(axis=1, dtype=np.int64)


def _kind_set_docs(term: np.ndarray, kind: np.ndarray, first: np.ndarray, n_vocab: int) -> np.ndarray:
    """Documents per term and exact set of kinds using it (bit k set: kind k): int32 [vocab, 2 ** kinds], summed
    over slices of whole (document, term) runs."""
    n_sets = 1 << len(KINDS)
    out = np.zeros(max(n_vocab, 1) * n_sets, dtype=np.int64)
    lo, n = 0, len(term)
    while lo < n:
        hi = min(lo + TERM_INDEX_CHUNK, n)
        while hi < n and not first[hi]:             # a run's rows (one per kind) stay in one slice
            hi += 1
        starts = np.flatnonzero(first[lo:hi])
        bits = np.bitwise_or.reduceat(np.left_shift(np.uint8(1), kind[lo:hi].astype(np.uint8)), starts)
        out += np.bincount(term[lo:hi][starts].astype(np.int64) * n_sets + bits, minlength=len(out))
        lo = hi
    return out.astype(np.int32).reshape(-1, n_sets)


def term_counts(tables: Any, flt: Filter) -> tuple[pd.Series, int]:
    """Term → count in the sections ``flt`` selects (terms with a count only) and their characters."""
    counts, _, chars = term_sums(tables, flt)
    vocab = term_index(tables).vocab
    used = np.flatnonzero(counts)
    series = pd.Series(counts[used].astype(np.int64), index=pd.Index(vocab[used], name="term", dtype=object),
                       name="count")
    return series, chars


def corpus_counts(tables: Any) -> pd.Series:
    """Term → count over every section (the corpus prior of the keyness measures)."""
    idx = term_index(tables)
    used = np.flatnonzero(idx.corpus)
    return pd.Series(idx.corpus[used], index=pd.Index(idx.vocab[used], name="term", dtype=object), name="count")


def term_matrix(idx: TermIndex, kinds: np.ndarray) -> sparse.csr_matrix:
    """Documents × terms: the occurrences in the selected kinds' sections, over the index arrays (not copied when
    every kind is selected; a (document, term) with several kinds is several entries, which products sum)."""
    data = idx.count if kinds.all() else np.where(kinds[idx.kind], idx.count, 0.0)
    return index_matrix(idx, data)


def index_matrix(idx: TermIndex, data: np.ndarray) -> sparse.csr_matrix:
    indptr = idx.doc_start.astype(np.int32 if len(idx.term) < 2**31 else np.int64)
    return sparse.csr_matrix((data, idx.term, indptr), shape=(len(indptr) - 1, max(len(idx.vocab), 1)), copy=False)


def used_matrix(idx: TermIndex, kinds: np.ndarray, counts: sparse.csr_matrix | None) -> sparse.csr_matrix:
    """Documents × terms: 1 where the document uses the term in the selected kinds' sections (``counts``: the
    ``term_matrix`` of those kinds, needed only when some kinds are left out)."""
    if kinds.all():          # a (document, term)'s first row is 1, its other kinds' rows 0 (uint8: no copy here)
        return index_matrix(idx, idx.first.view(np.uint8))
    used = counts.copy()
    used.sum_duplicates()
    used.eliminate_zeros()
    used.data[:] = 1.0
    return used


def _doc_rows(idx: TermIndex, docs: np.ndarray) -> np.ndarray:
    """The index rows of the documents ``docs`` (positions), one document after another in that order."""
    return spans(idx.doc_start[docs], np.diff(idx.doc_start)[docs])


PAIR_CHUNK_ROWS = 1 << 20
"""Index rows read at a time by ``document_pairs`` (its arrays stay a few MB, reused instead of mapped afresh)."""


def document_pairs(tables: Any, flt: Filter, docs: np.ndarray):
    """The (document, term) pairs of the documents ``docs`` in the kinds ``flt`` selects, a chunk of whole documents
    at a time, documents in the order given.

    Args:
        tables: the tables.
        flt: the filter (its kinds are used; the documents are ``docs``).
        docs: document positions (rows of ``tables.documents``).
    Yields:
        (int64 document, int32 term code, float64 count) arrays, one entry per pair, each document's pairs by term.
    """
    idx = term_index(tables)
    kinds = kind_mask(flt)
    lengths = np.diff(idx.doc_start)[docs]
    chunk = (np.cumsum(lengths) - lengths) // PAIR_CHUNK_ROWS
    bounds = np.concatenate(([0], np.flatnonzero(np.diff(chunk)) + 1, [len(docs)])) if len(docs) else [0]
    for lo, hi in itertools.pairwise(bounds):
        part = docs[lo:hi]
        rows = _doc_rows(idx, part)
        if kinds.all():
            term, count = idx.term[rows], idx.count[rows]
            at = np.flatnonzero(idx.first[rows])
            doc = np.repeat(part.astype(np.int64), idx.doc_pairs[part])
        else:
            rows = rows[kinds[idx.kind[rows]]]
            term, count, rows_doc = idx.term[rows], idx.count[rows], idx.doc[rows]
            at = np.flatnonzero(_firsts(rows_doc, term))
            doc = rows_doc[at].astype(np.int64)
        yield doc, term[at], np.add.reduceat(count, at) if len(at) else count[at]


def distinct_terms(tables: Any, flt: Filter, docs: np.ndarray, at_most: int | None = None) -> np.ndarray:
    """The distinct terms of each document ``docs`` (positions) in the section kinds ``flt`` keeps, or ``at_most``
    where there are more (int64).

    Each index row is one (document, term, kind), so a document's rows of one kind are its distinct terms there:
    the most of them over the kinds kept is a lower bound, and only documents where it is under ``at_most`` have
    their rows read.
    """
    idx = term_index(tables)
    kinds = kind_mask(flt)
    docs = np.asarray(docs, dtype=np.int64)
    if kinds.all():
        out = idx.doc_pairs[docs].copy()
    else:
        out = idx.kind_terms[docs][:, kinds].max(axis=1)
        exact = np.ones(len(docs), dtype=bool) if at_most is None else out < at_most
        if exact.any():
            rows = _doc_rows(idx, docs[exact])
            rows = rows[kinds[idx.kind[rows]]]
            doc, term = idx.doc[rows], idx.term[rows]
            found = np.bincount(doc[_firsts(doc, term)], minlength=len(idx.doc_ids))
            out[exact] = found[docs[exact]]
    return out if at_most is None else np.minimum(out, at_most)


def _firsts(doc: np.ndarray, term: np.ndarray) -> np.ndarray:
    """True at the first of each run of equal (document, term)."""
    first = np.ones(len(doc), dtype=bool)
    if len(doc):
        first[1:] = (doc[1:] != doc[:-1]) | (term[1:] != term[:-1])
    return first
