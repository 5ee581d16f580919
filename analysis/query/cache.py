"""What the query modules share: a cache of derived values kept as long as the tables they came from, and the
integer codes that stand for ids and strings.

- ``cached(kind, tables, frame, build)``: ``build()`` once per loaded table (keyed on the DataFrame's identity,
  dropped with it); every index and cube of ``analysis.query`` and the analysis tables is kept so.
- ``value_codes``, ``rows_in``, ``filled_codes``, ``section_codes``: strings as sorted integer codes, ids as row
  positions (hashed by Arrow, so millions of ids never become Python strings).
- ``spans``: runs of positions as one array.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.schema import KINDS

_CACHE: dict[tuple, tuple[tuple[weakref.ref, ...], Any]] = {}


def cached(kind: str, tables: Any, frame: pd.DataFrame, build) -> Any:
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


def _kind_codes(kinds: pd.Series) -> np.ndarray:
    codes = pd.Categorical(kinds, categories=list(KINDS)).codes.astype(np.int16)
    return np.where(codes < 0, KINDS.index("other"), codes).astype(np.int8)


def section_codes(tables: Any) -> tuple[pd.Index, np.ndarray, np.ndarray]:
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
    stored, values_as_stored = codes_and_values(values)
    rank, cats = ranked(values_as_stored)
    return recode(stored, rank), cats


def ranked(values: Any) -> tuple[np.ndarray | None, np.ndarray]:
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


def recode(stored: np.ndarray, rank: np.ndarray | None) -> np.ndarray:
    """int64 sorted codes (-1 for nulls) of stored codes, given the rank of each stored code (``ranked``)."""
    codes = stored.astype(np.int64)
    if rank is not None:
        codes = np.where(codes >= 0, rank[codes], -1)
    return codes


def codes_and_values(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
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


def spans(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The positions ``start, start + 1, … start + length - 1`` of each (start, length), one span after another.

    Example:
        >>> spans(np.array([5, 0]), np.array([2, 3]))
        array([5, 6, 0, 1, 2])
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    return np.arange(int(lengths.sum()), dtype=np.int64) + np.repeat(np.asarray(starts, dtype=np.int64)
                                                                     - (np.cumsum(lengths) - lengths), lengths)
