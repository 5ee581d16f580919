"""A build's report tables, from one piece per report to Parquet files, without holding every report at once.

``Pieces`` keeps each processed report's tables in memory up to a budget and appends the rest to Arrow IPC files
(lz4), one file per table, in a folder it removes when closed. ``write_parquet`` streams a table's pieces, in
document order, into a Parquet file: plain tables a row group at a time; tables with dictionary columns (the
terms) as integer codes into one lexically sorted dictionary per column. The bytes equal those of
``parquet_bytes`` over the whole table, so a store does not depend on how its build held the pieces.

At national scale (10,000 reports) the pieces of a build take several GB as Arrow tables; a build that held them
all, then joined and encoded them, peaked at over 9 GB.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Self

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

ROW_GROUP_ROWS = 100_000
"""Rows per Parquet row group of the tables without dictionary columns: row groups are decoded in parallel."""
SPILL_BUDGET = 1 << 29
"""Bytes of report tables (Arrow ``nbytes``) a build holds in memory; later reports go to disk until written."""
DICTIONARY_BLOCK_ROWS = 1 << 21
"""Rows of plain strings dictionary-encoded at a time when a dictionary column is written."""
_OPTIONS = {"compression": "zstd", "store_schema": False, "dictionary_pagesize_limit": 1 << 30}


class Pieces:
    """Each report's tables, added as processed; ``add`` returns a handle, ``get(handle, name)`` the table back.

    Reports are held in memory until their tables reach ``budget`` bytes in all; after that each is appended to
    one Arrow IPC file per table in a new hidden folder under ``folder`` (created then). Use as a context
    manager: the folder is removed on exit.
    """

    def __init__(self, folder: Path, budget: int | None = None):
        self._folder = Path(folder)
        self._budget = SPILL_BUDGET if budget is None else budget
        self._held = 0
        self._dir: Path | None = None
        self._writers: dict[str, pa.ipc.RecordBatchFileWriter] = {}
        self._batches: dict[str, int] = {}
        self._readers: dict[str, pa.ipc.RecordBatchFileReader] = {}
        self._files: list[pa.NativeFile] = []

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def spilled(self) -> bool:
        """Whether any report went to disk."""
        return self._dir is not None

    def add(self, tables: dict[str, pa.Table]) -> dict[str, pa.Table] | dict[str, range]:
        """Keep one report's tables; the handle is the tables themselves (in memory) or where they were written."""
        size = sum(t.nbytes for t in tables.values())
        if self._held + size <= self._budget and not self._writers:
            self._held += size
            return tables
        return {name: self._spill(name, table) for name, table in tables.items()}

    def _spill(self, name: str, table: pa.Table) -> range:
        if self._dir is None:
            self._folder.mkdir(parents=True, exist_ok=True)
            remove_stale(self._folder)
            self._dir = Path(tempfile.mkdtemp(prefix=f".pieces-{os.getpid()}-", dir=self._folder))
        writer = self._writers.get(name)
        if writer is None:
            writer = pa.ipc.new_file(str(self._dir / f"{name}.arrow"), table.schema,
                                     options=pa.ipc.IpcWriteOptions(compression="lz4"))
            self._writers[name], self._batches[name] = writer, 0
        first = self._batches[name]
        for batch in table.to_batches():
            writer.write_batch(batch)
            self._batches[name] += 1
        return range(first, self._batches[name])

    def get(self, handle: dict, name: str) -> pa.Table:
        """Table ``name`` of the report ``add`` gave ``handle`` for."""
        where = handle[name]
        if isinstance(where, pa.Table):
            return where
        reader = self._reader(name)
        batches = [reader.get_batch(i) for i in where]
        return pa.Table.from_batches(batches, schema=reader.schema)

    def _reader(self, name: str) -> pa.ipc.RecordBatchFileReader:
        if name not in self._readers:
            writer = self._writers.pop(name, None)
            if writer is not None:
                writer.close()
            source = pa.OSFile(str(self._dir / f"{name}.arrow"))    # read, not mapped: the pages stay out of RSS
            self._files.append(source)
            self._readers[name] = pa.ipc.open_file(source)
        return self._readers[name]

    def close(self) -> None:
        """Close the written pieces' files and remove their folder."""
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()
        self._readers.clear()
        for source in self._files:
            source.close()
        self._files.clear()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None


def remove_stale(folder: Path) -> list[Path]:
    """Remove the folders of pieces that builds killed before their end left in ``folder`` (their process is gone);
    returns them."""
    gone = []
    for path in folder.glob(".pieces-*-*"):
        pid = path.name.split("-")[1]
        if path.is_dir() and pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)
            gone.append(path)
    return gone


def _alive(pid: int) -> bool:
    if pid == os.getpid() or os.name == "nt":   # on Windows os.kill(pid, 0) would end the process: keep the folder
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:          # exists but is not ours (or the platform cannot tell): leave its folder
        return True
    return True


def parquet_bytes(table: pa.Table, dictionary: tuple[str, ...] = ()) -> bytes:
    """The table as zstd Parquet. The ``dictionary`` columns are dictionary-encoded in lexical order, in one row group
    (so ``load`` reads them as categoricals without merging dictionaries); other tables are cut into row groups of
    ``ROW_GROUP_ROWS`` so that reading them uses every core."""
    buf = io.BytesIO()
    write_parquet(buf, [table], table.schema, dictionary)
    return buf.getvalue()


def write_parquet(where, parts: Iterable[pa.Table], schema: pa.Schema, dictionary: tuple[str, ...] = ()) -> int:
    """Write the rows of ``parts``, one after another, as one Parquet table to ``where`` (a path or a binary file).

    Parts are cast to ``schema``, except that a ``dictionary`` column may come dictionary-encoded (old rows read
    from a store): its codes are then used as they are. Returns the rows written.
    """
    parts = (_conformed(part, schema, dictionary) for part in parts)
    if dictionary:
        table = _dictionary_table(parts, schema, dictionary)
        pq.write_table(table, where, row_group_size=max(len(table), 1), **_OPTIONS)
        return len(table)
    rows = 0
    with pq.ParquetWriter(where, schema, **_OPTIONS) as writer:
        for group in _row_groups(parts, schema):
            writer.write_table(group, row_group_size=ROW_GROUP_ROWS)
            rows += len(group)
        if not rows:
            writer.write_table(schema.empty_table(), row_group_size=ROW_GROUP_ROWS)
    return rows


def _conformed(part: pa.Table, schema: pa.Schema, coded: tuple[str, ...] = ()) -> pa.Table:
    """The part in ``schema``'s columns and types; a ``coded`` column that holds dictionary-encoded strings stays
    so."""
    if part.schema != schema:
        fields = [part.schema.field(f.name) if f.name in coded and _string_dictionary(part.schema.field(f.name).type)
                  else f for f in schema]
        part = part.select(schema.names).cast(pa.schema(fields))
    return part.replace_schema_metadata(None)


def _string_dictionary(kind: pa.DataType) -> bool:
    return pa.types.is_dictionary(kind) and pa.types.is_string(kind.value_type)


def _row_groups(parts: Iterator[pa.Table], schema: pa.Schema) -> Iterator[pa.Table]:
    """Tables of exactly ROW_GROUP_ROWS rows (the last one shorter), each one contiguous chunk per column, as
    ``pq.write_table`` cuts a one-chunk table."""
    rest = None
    for block in _blocks(parts, ROW_GROUP_ROWS):
        joined = block if rest is None else pa.concat_tables([rest, block])
        whole = len(joined) - len(joined) % ROW_GROUP_ROWS
        for lo in range(0, whole, ROW_GROUP_ROWS):
            yield joined.slice(lo, ROW_GROUP_ROWS).combine_chunks()
        rest = joined.slice(whole).combine_chunks()
    if rest is not None and len(rest):
        yield rest


def _dictionary_table(parts: Iterator[pa.Table], schema: pa.Schema, dictionary: tuple[str, ...]) -> pa.Table:
    """One table whose ``dictionary`` columns are DictionaryArrays over the values used, in lexical order (int32
    codes); the parts' strings are encoded a block of rows at a time, so they are never all in memory. Columns stay
    in their blocks (chunks sharing one dictionary: Parquet writes them as one column chunk), so no column is ever
    held twice to be joined (at 100k reports the terms table has ~300M rows)."""
    local: dict[str, list[tuple[np.ndarray, pa.Array]]] = {c: [] for c in dictionary}
    plain: dict[str, list[pa.Array]] = {c: [] for c in schema.names if c not in dictionary}
    for block in _blocks(parts, DICTIONARY_BLOCK_ROWS):
        for c in schema.names:
            if c in plain:
                plain[c].append(block[c].combine_chunks())
                continue
            local[c].append(string_codes(block[c]))
    columns = {}
    for c in schema.names:
        if c in plain:
            columns[c] = pa.chunked_array(plain.pop(c), type=schema.field(c).type)
            continue
        columns[c] = _sorted_codes(local.pop(c))
    return pa.table(list(columns.values()), names=list(columns))


def string_codes(column: pa.ChunkedArray) -> tuple[np.ndarray, pa.Array]:
    """int32 codes (-1 for null) of a string column into a dictionary: the column's own when it is dictionary-encoded
    with one dictionary (no string is read), else one made here."""
    chunks = column.chunks
    if (_string_dictionary(column.type) and chunks
            and all(_same_values(chunk.dictionary, chunks[0].dictionary) for chunk in chunks[1:])):
        indices, dictionary = pa.chunked_array([chunk.indices for chunk in chunks]).combine_chunks(), chunks[0].dictionary
    else:
        encoded = pc.dictionary_encode(column.cast(pa.string()).combine_chunks())
        indices, dictionary = encoded.indices, encoded.dictionary
    codes = indices.fill_null(-1).to_numpy(zero_copy_only=False) if indices.null_count else \
        indices.to_numpy(zero_copy_only=False)
    return codes.astype(np.int32), dictionary


def _same_values(a: pa.Array, b: pa.Array) -> bool:
    """Whether two arrays are the same (the same buffers, or equal values)."""
    return _array_key(a) == _array_key(b) or a.equals(b)


def _array_key(a: pa.Array) -> tuple:
    return len(a), a.offset, *(x.address if x else 0 for x in a.buffers())


def _sorted_codes(parts: list[tuple[np.ndarray, pa.Array]]) -> pa.ChunkedArray:
    """Codes of every part into one dictionary of the values used, sorted, a chunk per part (each part's own codes
    let go once recoded); -1 (a null) stays null."""
    used = [d.filter(pa.array(np.bincount(codes[codes >= 0], minlength=len(d)) > 0)) for codes, d in parts]
    values = pc.unique(pa.concat_arrays(used)) if used else pa.array([], pa.string())
    values = values.take(pc.sort_indices(values))
    del used
    out = []
    ranks: dict[tuple, np.ndarray] = {}        # per dictionary: blocks of old rows share the store's
    parts.reverse()
    while parts:
        codes, d = parts.pop()
        key = _array_key(d)
        if key not in ranks:
            ranks[key] = pc.index_in(d, value_set=values).fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int32)
        rank = ranks[key]
        codes = np.where(codes >= 0, rank[np.maximum(codes, 0)], -1).astype(np.int32)
        mask = codes < 0
        indices = pa.array(codes, mask=mask) if mask.any() else pa.array(codes)
        out.append(pa.DictionaryArray.from_arrays(indices, values))
    return pa.chunked_array(out, type=pa.dictionary(pa.int32(), pa.string()))


def _blocks(parts: Iterator[pa.Table], rows: int) -> Iterator[pa.Table]:
    """The parts joined into tables of at least ``rows`` rows (the last one shorter), cut where the parts' schema
    changes (plain and dictionary-encoded strings)."""
    buffer: list[pa.Table] = []
    held = 0
    for part in parts:
        if buffer and part.schema != buffer[0].schema:
            yield pa.concat_tables(buffer)
            buffer, held = [], 0
        buffer.append(part)
        held += len(part)
        if held >= rows:
            yield pa.concat_tables(buffer)
            buffer, held = [], 0
    if buffer:
        yield pa.concat_tables(buffer)
