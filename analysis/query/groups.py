"""Sparse group sums: the (group, term) counts of a filtered selection, and each group's best rows.

``group_counts(tables, flt, groups)`` sums the term index (``analysis.query.index``) per group of documents (units,
years, reports …): groups of one document each take the document's rows as they are; other groupings are one
sparse product, (groups × documents) · (documents × terms). The sums over every document of the last few
groupings are kept (``WHOLE_GROUPINGS``), so a selection of most of the corpus is those sums less the few
documents left out. ``top_per_group`` keeps each group's ``top`` rows by score without sorting them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from analysis.query import index
from analysis.query.cache import cached
from analysis.query.filters import Filter
from analysis.schema import KINDS


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
    idx = index.term_index(tables)
    docs, kinds = index.doc_mask(tables.documents, flt), index.kind_mask(flt)
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
        parts = list(index.document_pairs(tables, flt, chosen))
        doc, term, count = ((np.concatenate(column) for column in zip(*parts)) if parts else
                            (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32), np.zeros(0)))
        del parts
        group, used = codes[doc], np.ones(len(doc), dtype=np.int64) if n_docs else np.zeros(0, dtype=np.int64)
    else:
        counts = index.term_matrix(idx, kinds)
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
                used = _canonical(pick @ index.used_matrix(idx, kinds, counts), True).data.astype(np.int64)
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
    idx = index.term_index(tables)
    kept = cached("whole_groups", tables, index.terms_key(tables), dict)
    key = codes.tobytes()
    if key not in kept:
        docs = np.flatnonzero(codes >= 0)
        whole = _canonical(_pick(codes, docs, np.arange(n_groups), len(idx.doc_start) - 1)
                           @ index.term_matrix(idx, np.ones(len(KINDS), dtype=bool)), True)
        while len(kept) >= WHOLE_GROUPINGS:
            kept.pop(next(iter(kept)))
        kept[key] = whole if whole.nnz <= WHOLE_MAX_SHARE * len(idx.term) else None
    return kept[key]


def _canonical(summed: sparse.csr_matrix, ordered: bool) -> sparse.csr_matrix:
    """A product's entries without zeros (kinds left out leave explicit zeros), terms sorted when ``ordered``."""
    summed.eliminate_zeros()
    if ordered:
        summed.sort_indices()
    return summed


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
