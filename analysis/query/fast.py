"""Derived, cached indexes over the loaded tables, so filtered queries do not rescan the big tables.

Built once per loaded table (cached on the DataFrame's identity, dropped with it) and then reused by every call:

- ``term_index(tables)``: TERMS summed per document, section kind and term, as integer codes (sorted by document,
  term, kind; built with one sort of packed integer keys per block of rows from the stored dictionary codes,
  read from the store's terms file a block at a time, so the TERMS table is never held whole), plus each
  document's characters per kind, the corpus totals per term and kind, and each term's documents per exact set
  of kinds. A filter becomes a boolean mask over documents and kinds. Term counts and document counts are sparse
  products (scipy) of the index as a (document × term) matrix, its own arrays uncopied, with the selection
  (``term_sums``; under a kind filter, ``numpy.bincount`` sums over the smaller side: the selected rows, or the
  totals minus the rest), and per group with a (group × document) selection (``group_counts``);
  ``top_per_group`` keeps each group's best rows without sorting them all.
- ``theme_cube(tables, ids)``: THEME_HITS summed into a documents × kinds × themes cube.
- ``phrase_counts(tables, words)``: substring counts per document, kind and word.

Only filters without ``themes`` use the indexes (a theme filter selects single sections; callers fall back to
the section tables). Answers equal those of the section-level computation.
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from scipy import sparse

from analysis.errors import MixedDictionaries
from analysis.query.filters import Filter
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


def _kind_codes(kinds: pd.Series) -> np.ndarray:
    codes = pd.Categorical(kinds, categories=list(KINDS)).codes.astype(np.int16)
    return np.where(codes < 0, KINDS.index("other"), codes).astype(np.int8)


def term_index(tables: Any) -> TermIndex:
    """The cached TermIndex of ``tables`` (built on first use)."""
    return _cached("terms", tables, terms_key(tables), lambda: _build_term_index(tables))


def _section_codes(tables: Any) -> tuple[pd.Index, np.ndarray, np.ndarray]:
    """The DOCUMENTS ids, and each SECTIONS row's document (position, -1 when unknown) and kind code."""
    secs = tables.sections
    return (pd.Index(tables.documents["doc_id"]), rows_in(secs["doc_id"], tables.documents["doc_id"]),
            _kind_codes(secs["kind"]))


def value_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of a column's values (-1 for nulls) and the distinct values in sorted order.

    A categorical column gives its codes without hashing its rows (the store loads TERMS' words and ids so).

    Args:
        values: a column of strings, plain or categorical.
    Returns:
        (int64 codes, one per row; object array of the values the codes index, sorted)

    Example:
        >>> value_codes(pd.Series(["b", "a", "b"]))
        (array([1, 0, 1]), array(['a', 'b'], dtype=object))
    """
    stored, values_as_stored = _codes_and_values(values)
    rank, cats = _ranked(values_as_stored)
    return _recode(stored, rank), cats


def _ranked(values: Any) -> tuple[np.ndarray | None, np.ndarray]:
    """(the map from a position in ``values`` (strings: Index, array or Arrow array) to its rank, None when they
    are in order; the values, sorted)."""
    index = pd.Index(values.to_numpy(zero_copy_only=False) if isinstance(values, pa.Array) else values, dtype=object)
    cats = np.asarray(index, dtype=object)
    if index.is_monotonic_increasing and not index.has_duplicates:
        return None, cats
    order = np.argsort(cats, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank, cats[order]


def _recode(stored: np.ndarray, rank: np.ndarray | None) -> np.ndarray:
    """int64 sorted codes (-1 for nulls) of stored codes, given the rank of each stored code (``_ranked``)."""
    codes = stored.astype(np.int64)
    if rank is not None:
        codes = np.where(codes >= 0, rank[codes], -1)
    return codes


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
        sec_codes, sec_values = _codes_and_values(terms["section_id"])
        term_codes, words = _codes_and_values(terms["term"])
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


def _codes_and_values(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A column's codes as stored (-1 for nulls) and the values they index (a categorical's categories)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return np.asarray(values.array.codes), np.asarray(values.cat.categories, dtype=object)
    codes, uniques = pd.factorize(values)
    return codes, np.asarray(uniques, dtype=object)


def rows_in(values: Any, column: pd.Series) -> np.ndarray:
    """The row of each of ``values`` in ``column`` (unique strings), -1 where absent: hashed by Arrow, so the
    section ids of a national corpus (millions) never become Python strings."""
    found = pc.index_in(_strings(values), value_set=_strings(column))
    return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


def _strings(values: Any) -> pa.Array:
    if isinstance(values, pa.Array):
        return values if values.type == pa.string() else values.cast(pa.string())
    if isinstance(values, pd.Series) and not isinstance(values.dtype, pd.CategoricalDtype):
        return pa.array(values, type=pa.string(), from_pandas=True)
    return pa.array(np.asarray(values, dtype=object), type=pa.string(), from_pandas=True)


def filled_codes(column: pa.DictionaryArray) -> np.ndarray:
    """A dictionary array's codes, -1 where null."""
    codes = column.indices.to_numpy(zero_copy_only=False)
    if column.null_count:
        codes = np.where(column.is_null().to_numpy(zero_copy_only=False), -1, codes)
    return codes


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
    docs, sec_doc, sec_kind = _section_codes(tables)
    n_docs, n_kinds = len(docs), len(KINDS)
    term_rank, vocab = _ranked(words)
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
        term = _recode(term_codes, term_rank)
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
        _cached(FILE_RUNS, tables, source, lambda: found)
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
        counts = (_term_matrix(idx, kinds).T @ docs.astype(np.float64))[:n_terms]
        used = None
        if n_docs:       # whole numbers below 2 ** 24 are exact in float32: the uint8 data is widened only to that
            weight = docs.astype(np.float32 if len(docs) < 1 << 24 else np.float64)
            used = np.rint(_used_matrix(idx, kinds, None).T @ weight)[:n_terms].astype(np.int64)
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


@dataclass(frozen=True)
class GroupCounts:
    """(group, term) counts of a selection as codes: each group's pairs in one run, sorted by term (in any order
    from ``group_counts(..., ordered=False)``).

    ``names[group]`` is a group's name (groups sort by name), ``vocab[term]`` a term; ``chars[g]`` the characters
    of group g's selected sections and ``has_docs[g]`` whether the filter selects any of its documents.
    """

    group: np.ndarray          # int64, one per (group, term)
    term: np.ndarray           # int32 or int64
    count: np.ndarray          # float64 (whole numbers): occurrences
    n_docs: np.ndarray         # int64: documents of the group using the term
    names: np.ndarray          # object [groups]
    vocab: np.ndarray          # object [terms]
    chars: np.ndarray          # int64 [groups]
    has_docs: np.ndarray       # bool [groups]


def group_counts(tables: Any, flt: Filter, groups: pd.Series, *, n_docs: bool = True,
                 ordered: bool = True) -> GroupCounts:
    """The (group, term) counts and document counts of the sections ``flt`` selects, without a row per TERMS row.

    Groups of one document each take the document's rows as they are; other groupings are one sparse product,
    (groups × documents) · (documents × terms), over the index arrays (scipy's compiled sparse sums: about five
    times numpy's dense bincounts for the units of the 10k corpus).

    Args:
        tables: the tables.
        flt: the filter (no themes).
        groups: the group of each DOCUMENTS row (same order as ``tables.documents``).
        n_docs: also count each pair's documents (else ``n_docs`` is empty).
        ordered: each group's pairs sorted by term; without it they come in any order within their group's run
            (``top_per_group(..., tie=term)`` ranks them as if sorted).
    Returns:
        a GroupCounts (pairs with at least one selected occurrence row).
    """
    if n_docs and not ordered:
        raise ValueError("n_docs=True needs ordered=True")
    idx = term_index(tables)
    docs, kinds = doc_mask(tables.documents, flt), kind_mask(flt)
    codes, names = pd.factorize(groups.astype(object), sort=True)
    codes = codes.astype(np.int64)
    names = np.asarray(names, dtype=object)
    docs &= codes >= 0
    n_groups = len(names)
    chosen = np.flatnonzero(docs)
    per_doc = idx.chars[chosen][:, kinds].sum(axis=1)
    chars = np.bincount(codes[chosen], weights=per_doc, minlength=n_groups).astype(np.int64)
    docs_per_group = np.bincount(codes[chosen], minlength=n_groups)
    if docs_per_group.max(initial=0) <= 1:
        # each group one document: its pairs are the document's
        parts = list(document_pairs(tables, flt, chosen))
        doc, term, count = ((np.concatenate(column) for column in zip(*parts)) if parts else
                            (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32), np.zeros(0)))
        del parts
        group, used = codes[doc], np.ones(len(doc), dtype=np.int64) if n_docs else np.zeros(0, dtype=np.int64)
    else:
        counts = _term_matrix(idx, kinds)
        rest = np.flatnonzero(~docs & (codes >= 0))
        rows_of = np.diff(idx.doc_start)
        whole = None
        if kinds.all() and not n_docs and rows_of[rest].sum() < rows_of[chosen].sum():
            whole = _whole_groups(tables, codes, n_groups)
        used = np.zeros(0, dtype=np.int64)
        if whole is not None:
            # most of the corpus: the cached sums of every document less those of the few left out
            summed = _canonical(whole - _pick(codes, rest, np.arange(n_groups), counts.shape[0]) @ counts, ordered)
            present = np.arange(n_groups)
        else:
            present = np.flatnonzero(docs_per_group)          # the selected groups, numbered 0.. in the product
            pick = _pick(codes, chosen, present, counts.shape[0])
            summed = _canonical(pick @ counts, ordered)
            if n_docs:
                used = _canonical(pick @ _used_matrix(idx, kinds, counts), True).data.astype(np.int64)
        group = present[np.repeat(np.arange(len(present)), np.diff(summed.indptr))]
        term, count = summed.indices, summed.data
    return GroupCounts(group=np.asarray(group, dtype=np.int64), term=np.asarray(term),
                       count=np.asarray(count, dtype=np.float64), n_docs=used,
                       names=names, vocab=idx.vocab, chars=chars, has_docs=docs_per_group > 0)


def _pick(codes: np.ndarray, docs: np.ndarray, groups: np.ndarray, n_docs: int) -> sparse.csr_matrix:
    """Groups × documents: 1 where document ``docs[i]`` belongs to group ``groups[j]`` (row j); ``codes`` are the
    documents' group codes."""
    row = np.full(int(codes.max(initial=-1)) + 1, -1, dtype=np.int64)
    row[groups] = np.arange(len(groups))
    return sparse.csr_matrix((np.ones(len(docs)), (row[codes[docs]], docs)), shape=(len(groups), n_docs))


WHOLE_GROUPINGS = 4
"""Groupings whose whole-corpus (group, term) sums ``_whole_groups`` keeps (the last ones asked for)."""
WHOLE_MAX_SHARE = 1 / 3
"""``_whole_groups`` keeps a grouping's sums only when they have at most this share of the index's entries."""


def _whole_groups(tables: Any, codes: np.ndarray, n_groups: int) -> sparse.csr_matrix | None:
    """Every document's occurrences summed per group (groups × terms, all kinds, terms sorted), cached per grouping
    for the selections of most of the corpus; None (also remembered) when that would hold more than
    ``WHOLE_MAX_SHARE`` of the index's entries (groupings of a report or two each)."""
    idx = term_index(tables)
    kept = _cached("whole_groups", tables, terms_key(tables), dict)
    key = codes.tobytes()
    if key not in kept:
        docs = np.flatnonzero(codes >= 0)
        whole = _canonical(_pick(codes, docs, np.arange(n_groups), len(idx.doc_start) - 1)
                           @ _term_matrix(idx, np.ones(len(KINDS), dtype=bool)), True)
        while len(kept) >= WHOLE_GROUPINGS:
            kept.pop(next(iter(kept)))
        kept[key] = whole if whole.nnz <= WHOLE_MAX_SHARE * len(idx.term) else None
    return kept[key]


def _term_matrix(idx: TermIndex, kinds: np.ndarray) -> sparse.csr_matrix:
    """Documents × terms: the occurrences in the selected kinds' sections, over the index arrays (not copied when
    every kind is selected; a (document, term) with several kinds is several entries, which products sum)."""
    data = idx.count if kinds.all() else np.where(kinds[idx.kind], idx.count, 0.0)
    return _index_matrix(idx, data)


def _index_matrix(idx: TermIndex, data: np.ndarray) -> sparse.csr_matrix:
    indptr = idx.doc_start.astype(np.int32 if len(idx.term) < 2**31 else np.int64)
    return sparse.csr_matrix((data, idx.term, indptr), shape=(len(indptr) - 1, max(len(idx.vocab), 1)), copy=False)


def _used_matrix(idx: TermIndex, kinds: np.ndarray, counts: sparse.csr_matrix | None) -> sparse.csr_matrix:
    """Documents × terms: 1 where the document uses the term in the selected kinds' sections (``counts``: the
    ``_term_matrix`` of those kinds, needed only when some kinds are left out)."""
    if kinds.all():          # a (document, term)'s first row is 1, its other kinds' rows 0 (uint8: no copy here)
        return _index_matrix(idx, idx.first.view(np.uint8))
    used = counts.copy()
    used.sum_duplicates()
    used.eliminate_zeros()
    used.data[:] = 1.0
    return used


def _canonical(summed: sparse.csr_matrix, ordered: bool) -> sparse.csr_matrix:
    """A product's entries without zeros (kinds left out leave explicit zeros), terms sorted when ``ordered``."""
    summed.eliminate_zeros()
    if ordered:
        summed.sort_indices()
    return summed


def spans(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The positions ``start, start + 1, … start + length - 1`` of each (start, length), one span after another.

    Example:
        >>> spans(np.array([5, 0]), np.array([2, 3]))
        array([5, 6, 0, 1, 2])
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    return np.arange(int(lengths.sum()), dtype=np.int64) + np.repeat(np.asarray(starts, dtype=np.int64)
                                                                     - (np.cumsum(lengths) - lengths), lengths)


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


def group_term_counts(tables: Any, flt: Filter, groups: pd.Series) -> tuple[pd.DataFrame, pd.Series]:
    """(group, term, count, n_docs) rows for the selected sections, and characters per group.

    Args:
        tables: the tables.
        flt: the filter (no themes).
        groups: the group of each DOCUMENTS row (same order as ``tables.documents``).
    Returns:
        the counts (sorted by group, then term) and a Series group → characters (groups with documents).
    """
    gc = group_counts(tables, flt, groups)
    order = np.argsort(gc.group, kind="stable")
    out = pd.DataFrame({"group": gc.names[gc.group[order]], "term": gc.vocab[gc.term[order]],
                        "count": gc.count[order].astype(np.int64), "n_docs": gc.n_docs[order]})
    chars = pd.Series(gc.chars[gc.has_docs], index=gc.names[gc.has_docs], dtype="int64")
    return out, chars


def top_per_group(group: np.ndarray, score: np.ndarray, top: int | None,
                  tie: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the ``top`` highest scores of each group, and their ranks, as a stable sort would give them.

    Each group's rows must form one run (runs in any order); the answer is in ascending group order and, within a
    group, by score descending, equal scores in their order and NaN last, as
    ``sort_values([group, score], ascending=[True, False], kind="mergesort")`` orders them. Large inputs are cut
    before sorting to the rows scoring at least each group's ``top``-th score (a partial sort per group when the
    groups are long, as a report's terms are), or at or above the histogram bucket that holds it (many short
    groups).

    Args:
        group: int group codes, one run per group.
        score: the float scores.
        top: rows kept per group; all when None.
        tie: equal scores in this key's order instead of the rows' (term codes: the order of rows sorted by term,
            without sorting them).
    Returns:
        (positions in group, then rank order; ranks from 1)
    """
    n = len(group)
    candidates = np.arange(n)
    if top is not None and n > 50_000:
        starts = np.flatnonzero(np.concatenate(([True], group[1:] != group[:-1])))
        if len(starts) <= RUN_LOOP_MAX and len(starts) * RUN_LOOP_MIN_ROWS <= n:
            candidates = _run_candidates(score, starts, n, top)
        else:
            candidates = _histogram_candidates(score, starts, n, top)
    keys = (-score[candidates], group[candidates])
    order = candidates[np.lexsort(keys if tie is None else (tie[candidates], *keys))]
    g = group[order]
    starts = np.flatnonzero(np.concatenate(([True], g[1:] != g[:-1]))) if len(g) else np.zeros(0, dtype=np.int64)
    rank = np.arange(len(g)) - np.repeat(starts, np.diff(np.append(starts, len(g)))) + 1
    if top is not None:
        keep = rank <= top
        order, rank = order[keep], rank[keep]
    return order, rank.astype(np.int64)


RUN_LOOP_MAX = 200_000
RUN_LOOP_MIN_ROWS = 64
"""``top_per_group`` partitions each run on its own when there are at most RUN_LOOP_MAX runs of RUN_LOOP_MIN_ROWS
rows or more on average (a report's or a unit's terms); shorter runs go through one histogram over all rows."""


def _run_candidates(score: np.ndarray, starts: np.ndarray, n: int, top: int) -> np.ndarray:
    """The rows of each run scoring at least the run's ``top``-th highest score (ties kept; NaN only when a run has
    fewer than ``top`` numbers), found with one partial sort per run."""
    ends = np.append(starts[1:], n)
    short = (ends - starts) <= top
    parts = [np.arange(lo, hi) for lo, hi in zip(starts[short].tolist(), ends[short].tolist(), strict=True)]
    for lo, hi in zip(starts[~short].tolist(), ends[~short].tolist(), strict=True):
        seg = score[lo:hi]
        kth = -np.partition(-seg, top - 1)[top - 1]        # NaN sorts last: the top-th highest number
        parts.append(np.arange(lo, hi) if np.isnan(kth) else np.flatnonzero(seg >= kth) + lo)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _histogram_candidates(score: np.ndarray, starts: np.ndarray, n: int, top: int) -> np.ndarray:
    """The rows at or above each run's histogram bucket holding its ``top``-th score (all rows when a score is
    not finite)."""
    lo, hi = np.minimum.reduceat(score, starts), np.maximum.reduceat(score, starts)
    if not (np.isfinite(lo).all() and np.isfinite(hi).all()):      # NaN and ±inf reach the minimum or maximum
        return np.arange(n)
    n_buckets = 256
    which = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, n)))
    span = hi - lo
    scale = np.where(span > 1e-300, (n_buckets - 1) / np.where(span > 1e-300, span, 1.0), 0.0)
    cell = score - lo[which]
    cell *= scale[which]                                   # monotone in score within a group
    cell = cell.astype(np.int64)
    np.clip(cell, 0, n_buckets - 1, out=cell)
    cell += which * n_buckets
    hist = np.bincount(cell, minlength=len(starts) * n_buckets)
    from_top = np.cumsum(hist.reshape(len(starts), n_buckets)[:, ::-1], axis=1)
    reached = from_top >= top
    cut = np.where(reached.any(axis=1), n_buckets - 1 - reached.argmax(axis=1), 0)
    return np.flatnonzero(cell >= (cut + np.arange(len(starts)) * n_buckets)[which])


def theme_cube(tables: Any, theme_ids: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """THEME_HITS summed per document, kind and theme ([documents, kinds, themes]) and characters [documents, kinds].

    Cached per theme-hits table and theme list.
    """
    def build() -> tuple[np.ndarray, np.ndarray]:
        docs, sec_doc, sec_kind = _section_codes(tables)
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

    per_book = _cached("themes", tables, tables.theme_hits, dict)
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
        docs, sec_doc, sec_kind = _section_codes(tables)
        cell = np.where(sec_doc >= 0, sec_doc.astype(np.int64) * len(KINDS) + sec_kind, -1)
        out = np.zeros((len(words), len(docs) * len(KINDS)), dtype=np.int32)
        for w, rows in enumerate(substring_rows(arrow_texts(tables.sections["text"]), words)):
            cells = cell[rows]
            out[w] = np.bincount(cells[cells >= 0], minlength=out.shape[1])
        return np.ascontiguousarray(out.T.reshape(len(docs), len(KINDS), len(words)))

    per_words = _cached("phrases", tables, tables.sections, dict)
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


__all__ = [
    "PHRASE_CHUNK_CHARS",
    "GroupCounts",
    "TermIndex",
    "arrow_texts",
    "corpus_counts",
    "doc_mask",
    "group_counts",
    "group_term_counts",
    "kind_mask",
    "phrase_counts",
    "substring_rows",
    "term_counts",
    "term_index",
    "term_sums",
    "theme_cube",
    "top_per_group",
    "usable",
    "value_codes",
]
