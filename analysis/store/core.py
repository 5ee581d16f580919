"""The data store: every table as Parquet in one snapshot folder, plus ``manifest.json`` that says what they were
built from, and a pointer (``CURRENT``) to the snapshot that is the store (``analysis.store.snapshot``).

``build(src, dst)`` is incremental (only new or changed reports are processed), crash-safe (a new snapshot is
written and synced, then the pointer is switched with one ``os.replace``), takes the store's lock (one build at a
time) and writes nothing when nothing changed. ``version(dst)`` reads only the pointer, so it is a cheap cache key;
``load(dst)`` returns the tables.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import functools
import hashlib
import json
import multiprocessing
import os
import shutil
import stat
import sys
import threading
import time
import types
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis import schema
from analysis.errors import MixedDictionaries, OtherSource, ReportLensError, StoreCorrupt, UnreadableReport
from analysis.parse.segment import get_segmenter
from analysis.read.report import list_reports
from analysis.store import snapshot
from analysis.store.manifest import MANIFEST_NAME, read_manifest
from analysis.store.pieces import Pieces, parquet_bytes, remove_stale, string_codes, write_parquet
from analysis.store.pipeline import ReportTables, process_file
from analysis.words.themes import THEME_HITS, Codebook, code_sections, codebook_hash, load_codebook

PIPELINE_VERSION = "6"
"""Bump when a change to the pipeline changes its output: every report is then processed again."""

MANIFEST_JSON = "manifest.json"
REPORT_TABLES = ("documents", "sections", "terms", "figures", "redactions", "theme_hits")
TABLE_NAMES = (*REPORT_TABLES, "problems")
CONTRACTS = {**schema.TABLES, "theme_hits": THEME_HITS}
"""Every stored table's columns: the report tables of ``analysis.schema`` plus the theme hits of the codebook."""

_ARROW_TYPES = {"str": pa.string(), "int64": pa.int64(), "Int64": pa.int64(), "float64": pa.float64(),
                "bool": pa.bool_()}


@dataclass(frozen=True)
class BuildResult:
    """What one ``build`` did: report counts, the problems table and whether any file was written."""

    loaded: int
    unchanged: int
    failed: int
    removed: int
    seconds: float
    problems: pd.DataFrame
    wrote: bool


@dataclass(frozen=True)
class Tables:
    """Every table of a store, and the store's ``version`` (a cache key that changes with any rebuild).

    ``terms`` is read from ``terms_file`` when first asked for: the pages answer from the term index
    (``analysis.query.index``), which is built from the file a few columns and rows at a time, so the TERMS table (tens of
    millions of rows at national scale) is held whole only when something asks for it.
    """

    documents: pd.DataFrame
    sections: pd.DataFrame
    terms_file: TermsFile
    figures: pd.DataFrame
    redactions: pd.DataFrame
    theme_hits: pd.DataFrame
    problems: pd.DataFrame
    version: str
    codebook_hash: str | None = None
    """The digest of the codebook ``theme_hits`` was coded with (``analysis.words.themes.codebook_hash``)."""

    @property
    def terms(self) -> pd.DataFrame:
        return self.terms_file.frame()


PLAIN_TAKE_ROWS = 1 << 20
"""``TermsFile.take`` reads rows before this one without the file's dictionaries (see there)."""
PLAIN_BATCH_ROWS = 1 << 16
"""Rows per batch of that plain read (it stops at the batch holding the last row asked for)."""


class TermsFile:
    """The store's terms table on disk, checked against its digest when the store was loaded.

    ``frame()`` reads it whole once (as ``load`` reads the other tables); ``batches`` and ``take`` read columns or
    rows without holding the table. Every read first checks that the file is the one checked at load (same inode,
    size and modification time), so a build that replaced it since is a StoreCorrupt, never a mix of two stores.
    """

    def __init__(self, path: Path, digest: str | None, identity: tuple[int, int, int], num_rows: int,
                 store: Path | None = None):
        self.path, self.digest, self.identity, self.num_rows = path, digest, identity, num_rows
        self.store = store
        """The store folder: when a build replaced the snapshot but kept this file (a hard link), it is found there."""
        self._frame: pd.DataFrame | None = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        """Whether ``frame()`` has read the table."""
        return self._frame is not None

    def frame(self) -> pd.DataFrame:
        """The whole table as ``load`` gives the others (categorical ids and words, 32-bit counts), read once."""
        with self._lock:
            if self._frame is None:
                self._check()
                self._frame = _load_frame(self.path, self.digest, "terms")
            return self._frame

    def batches(self, columns: list[str], batch_size: int = 1 << 21) -> Iterator[pa.RecordBatch]:
        """The table's ``columns`` in file order, ``batch_size`` rows at a time; id and word columns come
        dictionary-encoded, every batch with the file's whole dictionary (equal, not always the same buffers: the
        store writes the whole dictionary in each row group). MixedDictionaries when a batch's differs."""
        self._check()
        with _parquet_file(self.path, None, categories=CATEGORIES["terms"], verified=True) as parquet:
            first: dict[int, pa.Array] = {}
            for batch in parquet.iter_batches(batch_size=batch_size, columns=columns):
                for i, column in enumerate(batch.columns):
                    if (pa.types.is_dictionary(column.type)
                            and not first.setdefault(i, column.dictionary).equals(column.dictionary)):
                        raise MixedDictionaries(str(self.path))
                yield batch
                del batch
                pa.default_memory_pool().release_unused()   # the pool keeps a batch's buffers otherwise

    def take(self, positions: np.ndarray) -> pd.DataFrame:
        """The rows at ``positions`` (ascending row numbers of the table), in the dtypes of ``frame()`` (ids and
        words categorical; the categories may hold values of rows not taken).

        Rows among the first ``PLAIN_TAKE_ROWS`` are read as plain strings: decoding the file's dictionaries (the
        section ids: one per section of the corpus) costs more than the rows (0.2-0.4 s against ~0.03 s for a
        page of rows at 10k reports). Rows further on are read as dictionary codes, which are cheaper to pass.
        """
        positions = np.asarray(positions, dtype=np.int64)
        if len(positions) and (positions[0] < 0 or positions[-1] >= self.num_rows or (np.diff(positions) < 0).any()):
            raise ValueError(f"{self.path}: positions must be ascending row numbers under {self.num_rows}")
        if self._frame is not None:
            return self._frame.iloc[positions].reset_index(drop=True)
        names = list(CONTRACTS["terms"])
        plain = bool(len(positions)) and positions[-1] < PLAIN_TAKE_ROWS
        parts: list[list[pa.Array]] = []
        offset = 0
        for batch in (self._plain_batches(names) if plain else self.batches(names)):
            # the first batch even when no row is wanted: it gives the dtypes
            lo, hi = np.searchsorted(positions, [offset, offset + batch.num_rows])
            if hi > lo or not parts:
                taken = batch.take(pa.array(positions[lo:hi] - offset, type=pa.int64())).columns
                if parts and not plain:          # the first batch's dictionaries (equal): each batch's copy is let go
                    taken = [pa.DictionaryArray.from_arrays(a.indices, first.dictionary)
                             if pa.types.is_dictionary(a.type) else a for a, first in zip(taken, parts[0])]
                parts.append(taken)
            offset += batch.num_rows
            if hi == len(positions):
                break
        if not parts:
            return schema.empty_frame(schema.TERMS).astype(NARROW["terms"])
        columns = ((c, pa.chunked_array([p[i] for p in parts])) for i, c in enumerate(names))
        if plain:
            columns = ((c, pa.chunked_array([column.combine_chunks().dictionary_encode()])
                        if c in CATEGORIES["terms"] else column) for c, column in columns)
        return _to_pandas(columns, "terms")

    def _plain_batches(self, columns: list[str]) -> Iterator[pa.RecordBatch]:
        """The table's ``columns`` in file order, ``PLAIN_BATCH_ROWS`` rows at a time, ids and words as strings."""
        self._check()
        with _parquet_file(self.path, None, verified=True) as parquet:
            yield from parquet.iter_batches(batch_size=PLAIN_BATCH_ROWS, columns=columns)

    def _check(self) -> None:
        if _same_file(self.path, self.identity):
            return
        if self.store is not None:          # the snapshot was replaced: the new one may hold this very file
            with contextlib.suppress(StoreCorrupt):
                folder = snapshot.current(self.store)
                if folder is not None and _same_file(folder / self.path.name, self.identity):
                    self.path = folder / self.path.name
                    return
        raise StoreCorrupt(str(self.path), "replaced since the store was loaded (a build ran); load it again")


# ---------------------------------------------------------------------------------------------------- build


def build(src: str | Path, dst: str | Path, *, progress: bool | None = None, strict: bool = False,
          jobs: int = 1, codebook: str | Path | None = None, userdict: str | Path | None = None,
          stopwords: str | Path | None = None, from_scratch: bool = False, wait: bool = True,
          on_wait: Callable[[], object] | None = None) -> BuildResult:
    """Build (or bring up to date) the store in ``dst`` from the reports in ``src``.

    A report is processed again only when its bytes, its manifest.csv row, the dictionaries, the codebook or
    PIPELINE_VERSION changed; other rows are kept from the existing tables, and rows of removed files are dropped.
    A file whose size and modification time are those of the last build is taken as unchanged without reading it;
    when nothing changed at all, only the manifest is read. Bad files do not stop the build: each becomes a row of
    the PROBLEMS table.

    Args:
        src: folder of reports (and an optional manifest.csv).
        dst: store folder; created when missing.
        progress: show a progress bar on stderr; None shows it only when stderr is a terminal.
        strict: when any problem is found, write nothing (the old store stays as it was).
        jobs: processes for parsing; 1 parses in this process.
        codebook: the codebook YAML the ``theme_hits`` table is coded with; None for the shipped one.
        userdict: the jieba user dictionary the terms are segmented with; None for the shipped one.
        stopwords: the stopword list; None for the shipped one.
        from_scratch: process every report again, whatever the store holds.
        wait: when another build holds the store's lock, wait for it (``on_wait()`` is called first); False
            raises StoreBusy instead.
    Returns:
        a BuildResult (its ``problems`` is a PROBLEMS table).

    Example:
        >>> result = build("seeds", "data")
        >>> result.loaded + result.unchanged
        5
    """
    src, dst = Path(src), Path(dst)
    if not src.is_dir():
        raise UnreadableReport(str(src), "no such folder")
    with snapshot.lock(dst, wait=wait, on_wait=on_wait):
        return _build(src, dst, progress=progress, strict=strict, jobs=jobs, codebook=codebook, userdict=userdict,
                      stopwords=stopwords, from_scratch=from_scratch)


def _build(src: Path, dst: Path, *, progress: bool | None, strict: bool, jobs: int, codebook: str | Path | None,
           userdict: str | Path | None, stopwords: str | Path | None, from_scratch: bool) -> BuildResult:
    """``build`` holding the store's lock."""
    started = time.perf_counter()
    clean(dst)
    stamp = _stamp(src, dst)
    try:
        folder = snapshot.current(dst)
    except StoreCorrupt:
        folder = None
    old = previous = _read_manifest_json(folder)
    if from_scratch:
        old = None
    segmenter = get_segmenter(userdict, stopwords=stopwords)
    book = load_codebook(codebook)
    settings = {"schema_version": schema.SCHEMA_VERSION, "pipeline_version": PIPELINE_VERSION,
                "dictionary_hash": str(segmenter.dictionary_hash), "codebook_hash": codebook_hash(book)}
    check_source(src, dst, previous)
    if old is not None and any(old.get(k) != v for k, v in settings.items()):
        old = None
    settings.update(source_record(src, dst))

    paths, io_problems = list_reports(src)
    rel_paths = sorted({_relative(p, src) for p in paths} - {MANIFEST_NAME})
    rel_paths = [r for r in rel_paths if not _inside(src / r, dst)]
    problems = [(rel, "read", reason) for p, reason in io_problems
                if (rel := _relative(p, src)) != MANIFEST_NAME and not _inside(src / rel, dst)]
    manifest_rows, manifest_problems = read_manifest(src)
    problems += [(where, "manifest", reason) for where, reason in manifest_problems]
    present = set(rel_paths) | {p for p, _, _ in problems}
    problems += [(MANIFEST_NAME, "manifest", f"{file}: no such report in the folder")
                 for file in manifest_rows if file not in present]

    entries, todo = _plan(src, rel_paths, manifest_rows, old)
    if old is not None and not todo and set(entries) == set(old.get("files") or {}):
        unchanged = _unchanged(dst, folder, old, entries, problems, settings=settings, stamp=stamp,
                               started=started)
        if unchanged is not None:
            return unchanged
    old_tables = _old_tables(folder, old)
    if old_tables is None and old is not None:
        old = None
        entries, todo = _plan(src, rel_paths, manifest_rows, old)
    with Pieces(dst) as pieces:
        outcomes = _run(todo, src=src, manifest_rows=manifest_rows, segmenter=segmenter, codebook=book, jobs=jobs,
                        progress=sys.stderr.isatty() if progress is None else progress, pieces=pieces,
                        segmenter_factory=functools.partial(get_segmenter, userdict, stopwords=stopwords))
        layout, loaded, unchanged, report_problems = _assemble(rel_paths, entries, outcomes)
        problems += report_problems
        problems_df = _problems_frame(problems)
        failed = len({p for p, stage, _ in problems if stage != "manifest"})
        removed = len(set((previous or {}).get("files") or {}) - set(rel_paths))
        wrote = False
        if not (strict and problems):
            parts = {name: functools.partial(_parts, name, layout, pieces, old_tables) for name in REPORT_TABLES}
            parts["problems"] = lambda: iter([_to_arrow(problems_df, schema.PROBLEMS)])
            wrote = _commit(dst, parts, folder=folder, old=previous, settings=settings, entries=entries,
                            stamp=stamp)
    return BuildResult(loaded=loaded, unchanged=unchanged, failed=failed, removed=removed,
                       seconds=time.perf_counter() - started, problems=problems_df, wrote=wrote)


def _plan(src: Path, rel_paths: list[str], manifest_rows: dict[str, dict],
          old: dict | None) -> tuple[dict[str, dict], list[str]]:
    """Each file's manifest entry (reused from ``old`` when its inputs are unchanged) and the files to process."""
    old_files = (old or {}).get("files", {})
    entries: dict[str, dict] = {}
    todo: list[str] = []
    for rel in rel_paths:
        prev = old_files.get(rel, {})
        try:
            st = (src / rel).stat()
            seen = [st.st_size, st.st_mtime_ns]
            same = prev.get("seen") == seen and prev.get("sha256")
            digest = prev["sha256"] if same else hashlib.sha256((src / rel).read_bytes()).hexdigest()
        except OSError as err:
            seen, digest = None, f"unreadable: {err}"
        entry = {"sha256": digest, "seen": seen, "row": _row_hash(manifest_rows.get(rel)), "status": None,
                 "doc_id": None, "problems": []}
        if prev.get("sha256") == digest and prev.get("row") == entry["row"] and prev.get("status") in (
                "loaded", "duplicate", "unreadable"):
            entry.update(status=prev["status"], doc_id=prev.get("doc_id"), problems=prev.get("problems", []))
        else:
            todo.append(rel)
        entries[rel] = entry
    # A duplicate is kept as it was only while the file it repeats keeps its text unchanged and loaded.
    for rel in rel_paths:
        entry = entries[rel]
        if entry["status"] == "duplicate" and not any(
                entries[o]["status"] == "loaded" and entries[o]["doc_id"] == entry["doc_id"] and o < rel
                for o in rel_paths):
            entry.update(status=None, doc_id=None, problems=[])
            todo.append(rel)
    return entries, sorted(todo)


def _assemble(rel_paths: list[str], entries: dict[str, dict],
              outcomes: dict) -> tuple[list[tuple[str, dict | None]], int, int, list]:
    """The documents of the new store in file order, each with the handle of its new tables in ``Pieces`` (None:
    its rows are kept from the old store); a repeated text keeps its first file.

    Updates each entry's status and problems. Returns (layout, loaded, unchanged, problems).
    """
    layout: list[tuple[str, dict | None]] = []
    holders: dict[str, str] = {}
    problems: list[tuple[str, str, str]] = []
    loaded = unchanged = 0
    for rel in rel_paths:
        entry = entries[rel]
        outcome = outcomes.pop(rel, None)
        if outcome is not None:
            entry["status"], entry["doc_id"], entry["problems"] = outcome[0], outcome[1], outcome[2]
        if entry["status"] in ("loaded", "duplicate"):
            first = holders.setdefault(entry["doc_id"], rel)
            if first != rel:
                entry.update(status="duplicate", problems=[["store", f"same text as {first}"]])
            else:
                entry.update(status="loaded", problems=[])
                layout.append((entry["doc_id"], outcome[3] if outcome is not None else None))
                if outcome is not None:
                    loaded += 1
                else:
                    unchanged += 1
        problems += [(rel, stage, reason) for stage, reason in entry["problems"]]
    return layout, loaded, unchanged, problems


def _parts(name: str, layout: list[tuple[str, dict | None]], pieces: Pieces,
           old_tables: dict[str, pa.Table] | None) -> Iterator[pa.Table]:
    """Table ``name``'s rows, a document at a time in ``layout`` order: new rows from ``pieces``, kept ones from the
    old store's table."""
    runs: dict[str, tuple[int, int]] = {}
    old = None
    if old_tables is not None and any(handle is None for _, handle in layout):
        old, runs = _doc_runs(old_tables[name])
    for doc_id, handle in layout:
        if handle is not None:
            yield pieces.get(handle, name)
        elif doc_id in runs:
            start, stop = runs[doc_id]
            yield old.slice(start, stop - start)


def _doc_runs(table: pa.Table) -> tuple[pa.Table, dict[str, tuple[int, int]]]:
    """The table with each document's rows together (regrouped, in their order, only when they are not), and where
    each document's rows are."""
    codes, values = string_codes(table["doc_id"])          # the store's terms: their codes, no strings
    codes = codes.astype(np.int64)
    starts = np.flatnonzero(np.concatenate(([True], codes[1:] != codes[:-1]))) if len(codes) else codes
    if len(np.unique(codes[starts])) < len(starts):                     # a document in two places
        order = np.argsort(codes, kind="stable")
        table, codes = table.take(pa.array(order)), codes[order]
        starts = np.flatnonzero(np.concatenate(([True], codes[1:] != codes[:-1])))
    stops = np.append(starts[1:], len(codes)).tolist()
    ids = values.take(pa.array(np.maximum(codes[starts], 0))).to_pylist()
    return table, {doc: (start, stop) for doc, start, stop, code in zip(ids, starts.tolist(), stops, codes[starts])
                   if code >= 0}


def _run(todo: list[str], *, src: Path, manifest_rows: dict, segmenter, codebook: Codebook, jobs: int,
         progress: bool, pieces: Pieces, segmenter_factory: Callable = get_segmenter) -> dict:
    """Process every file in ``todo``; returns rel -> (status, doc_id, problems, handle of its tables in ``pieces``
    or None).

    With ``jobs`` > 1 the files go to a pool of processes in small chunks. The pool forks when this process runs a
    single thread (the workers then share the warmed segmenter), and spawns otherwise (e.g. under Streamlit).
    """
    forking = jobs > 1 and threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods()
    outcomes: dict[str, tuple] = {}
    bar = _progress_bar()(total=len(todo), disable=not progress or not todo, file=sys.stderr, unit="report", leave=False)
    tasks = [(str(src / rel), str(src), manifest_rows.get(rel)) for rel in todo]
    try:
        if jobs <= 1 or len(todo) <= 1:
            for rel, task in zip(todo, tasks):
                outcomes[rel] = _kept(pieces, _process_one(process_file, task, segmenter=segmenter, codebook=codebook))
                bar.update()
        else:
            if forking and hasattr(segmenter, "segment"):
                segmenter.segment("预热")  # build the tokenizer once, here: the forked workers inherit it
            size = max(1, min(16, len(todo) // (jobs * 8)))
            chunks = [(todo[i:i + size], tasks[i:i + size]) for i in range(0, len(todo), size)]
            ctx = multiprocessing.get_context("fork" if forking else "spawn")
            with concurrent.futures.ProcessPoolExecutor(
                    max_workers=jobs, mp_context=ctx, initializer=_init_worker,
                    initargs=(process_file, (lambda: segmenter) if forking else segmenter_factory, codebook,
                              os.getpid())) as pool:
                with contextlib.nullcontext() if forking else _main_script_hidden():  # workers start on submit
                    futures = {pool.submit(_process_chunk, chunk_tasks): rels for rels, chunk_tasks in chunks}
                for future in concurrent.futures.as_completed(futures):
                    rels = futures.pop(future)    # the future holds its result: let both go once kept
                    try:
                        outcomes.update((rel, _kept(pieces, outcome)) for rel, outcome in zip(rels, future.result()))
                    except Exception as err:  # noqa: BLE001 - a dead worker fails its reports, not the build
                        outcomes.update((rel, ("failed", None, [["parse", f"{type(err).__name__}: {err}"]], None))
                                        for rel in rels)
                    bar.update(len(rels))
    finally:
        bar.close()
    return outcomes


@contextlib.contextmanager
def _main_script_hidden() -> Iterator[None]:
    """While spawned workers start, ``__main__`` is a bare module: multiprocessing would have each of them run the
    parent's main script again (under Streamlit, dashboard.py: a second workspace set-up and build per worker)."""
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


def _kept(pieces: Pieces, outcome: tuple) -> tuple:
    """The outcome with its tables handed to ``pieces`` (replaced by their handle)."""
    return outcome if outcome[3] is None else (*outcome[:3], pieces.add(outcome[3]))


def _progress_bar() -> type:
    """tqdm without its monitor thread: a thread left behind would make the next build in this process spawn its
    workers (slow to start: each imports and loads its dictionaries) instead of forking them."""
    from tqdm import tqdm

    class Bar(tqdm):
        monitor_interval = 0

    return Bar


_WORKER: dict = {}


def _init_worker(func: Callable, segmenter_factory: Callable, codebook: Codebook, parent: int | None = None) -> None:
    """Pool initializer: the pipeline function, one segmenter and the codebook for this worker process, which ends
    when the build's process ``parent`` ends (``_die_with_parent``)."""
    if parent is not None:
        _die_with_parent(parent)
    _WORKER.update(func=func, segmenter=segmenter_factory(), codebook=codebook)


PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """End this worker when the process ``parent`` ends, however it ends (kill -9, SIGTERM, a crash): a worker left
    behind holds its memory (hundreds of MB with its dictionaries) and waits forever on a queue nobody writes.

    On Linux the kernel sends SIGKILL when the parent dies (``prctl(PR_SET_PDEATHSIG)``); elsewhere a daemon thread
    polls the parent's id. Either way a parent already gone before this ran ends the worker at once."""
    import signal

    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
                if os.getppid() != parent:
                    os._exit(1)
                return

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="reportlens-parent-watch").start()


def _process_chunk(tasks: list[tuple]) -> list[tuple]:
    """Pool entry point: ``_process_one`` for each task of a chunk."""
    return [_process_one(_WORKER["func"], task, segmenter=_WORKER["segmenter"], codebook=_WORKER["codebook"])
            for task in tasks]


def _process_one(func: Callable, task: tuple, *, segmenter, codebook: Codebook) -> tuple:
    """One report through ``func`` (``process_file``: columns, or ``ReportTables``); any failure becomes a problem
    of this report only."""
    path, root, manifest_row = task
    try:
        result = func(path, root=root, manifest_row=manifest_row, segmenter=segmenter, codebook=codebook)
        if isinstance(result, ReportTables):  # frames (a stand-in pipeline): code the themes here
            frames = {name: getattr(result, name) for name in REPORT_TABLES if name != "theme_hits"}
            frames["theme_hits"] = code_sections(result.sections, codebook)
            arrow = {name: _to_arrow(df, CONTRACTS[name]) for name, df in frames.items()}
        else:
            arrow = {name: pa.Table.from_pydict(result[name], schema=_arrow_schema(CONTRACTS[name]))
                     for name in REPORT_TABLES}
        if arrow["documents"].num_rows != 1:
            raise ValueError(f"documents: expected 1 row, got {arrow['documents'].num_rows}")
        doc_id = str(arrow["documents"]["doc_id"][0])
    except UnreadableReport as err:
        return ("unreadable", None, [["read", err.reason]], None)
    except Exception as err:  # noqa: BLE001 - one bad report must not stop the others
        return ("failed", None, [["parse", f"{type(err).__name__}: {err}"]], None)
    return ("loaded", doc_id, [], arrow)


# ---------------------------------------------------------------------------------------------------- writing


def _commit(dst: Path, parts: dict[str, Callable[[], Iterator[pa.Table]]], *, folder: Path | None,
            old: dict | None, settings: dict, entries: dict, stamp: str) -> bool:
    """Write each table from its parts into a new snapshot folder (two at a time: Arrow frees the GIL), then publish
    it (``_publish``); returns whether the store changed. ``folder`` and ``old`` are the current snapshot and its
    manifest (None when there is none)."""
    new = snapshot.new_snapshot(dst)
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
            futures = {name: pool.submit(_write_new, new, name, parts[name]) for name in TABLE_ORDER}
        failures = [f.exception() for f in futures.values() if f.exception() is not None]
        if failures:
            raise failures[0]
        digests = {name: futures[name].result() for name in TABLE_NAMES}
        return _publish(dst, new, folder=folder, old=old, digests=digests, settings=settings, entries=entries,
                        stamp=stamp)
    except BaseException:
        _discard(dst, new)
        raise


def _discard(dst: Path, new: Path) -> None:
    """Remove the snapshot folder ``new`` of a build that failed, unless it became the store."""
    with contextlib.suppress(StoreCorrupt):
        if snapshot.current(dst) == new:
            return
    shutil.rmtree(new, ignore_errors=True)


TABLE_ORDER = ("terms", "sections", "theme_hits", "figures", "redactions", "documents", "problems")
"""The order tables are written in: the biggest first, so the two longest writes overlap."""


def _write_new(folder: Path, name: str, parts: Callable[[], Iterator[pa.Table]]) -> str:
    """Table ``name`` written from ``parts()`` into the new snapshot ``folder``; its SHA-256."""
    path = folder / f"{name}.parquet"
    snapshot.write_file(path, lambda fh: _write_table(fh, name, parts()))
    return _file_digest(path)


def _write_table(fh, name: str, parts: Iterator[pa.Table]) -> None:
    write_parquet(fh, parts, _arrow_schema(CONTRACTS[name]), CATEGORIES.get(name, ()))


def _manifest_text(*, settings: dict, entries: dict, digests: dict, stamp: str) -> tuple[str, dict]:
    """manifest.json's text and its head (``HEAD_KEYS``, which the pointer repeats)."""
    manifest = {**settings, "files": entries, "tables": digests}
    content = {k: v for k, v in manifest.items() if k not in ("source", "source_from_store")}   # not where it is
    manifest["version"] = hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False)
                                         .encode("utf-8")).hexdigest()[:16]
    manifest["stamp"] = stamp
    text = json.dumps(manifest, sort_keys=True, ensure_ascii=False, indent=1) + "\n"
    return text, {k: manifest[k] for k in HEAD_KEYS if k in manifest}


def _publish(dst: Path, new: Path, *, folder: Path | None, old: dict | None, digests: dict, settings: dict,
             entries: dict, stamp: str) -> bool:
    """Complete the snapshot ``new`` and make it the store; False (and ``new`` removed) when it would say exactly
    what the current one says.

    Tables missing from ``new`` or equal to the current snapshot's are hard links to the current one's files (the
    same file: a loaded store's terms stay readable). Then manifest.json is written, the folder synced, the pointer
    switched, and what the previous builds left removed.
    """
    text, head = _manifest_text(settings=settings, entries=entries, digests=digests, stamp=stamp)
    old_digests = (old or {}).get("tables") or {}
    same = {name for name in TABLE_NAMES if folder is not None and old_digests.get(name) == digests[name]
            and _file_digest(folder / f"{name}.parquet") == digests[name]}
    if (folder is not None and folder != dst and same == set(TABLE_NAMES)
            and _read_text(folder / MANIFEST_JSON) == text):
        shutil.rmtree(new, ignore_errors=True)
        return False
    for name in TABLE_NAMES:
        path = new / f"{name}.parquet"
        if name in same:
            if path.exists():
                snapshot.remove_file(path)
            snapshot.link_file(folder / f"{name}.parquet", path)
        elif not path.exists():
            raise StoreCorrupt(str(path), "a table of the new store was not written")
    snapshot.write_file(new / MANIFEST_JSON, lambda fh: fh.write(text.encode("utf-8")))
    snapshot.sync_dir(new)
    snapshot.sync_dir(new.parent)
    snapshot.switch(dst, new, head)
    clean(dst)
    return True


def clean(dst: Path) -> list[Path]:
    """Remove what earlier builds left in the store folder ``dst``: replaced or half-written snapshots, temporary
    files, an earlier layout's files once a snapshot is the store, and the pieces of killed builds. Hold the lock."""
    if not dst.is_dir():
        return []
    return snapshot.clean(dst, tuple(f"{name}.parquet" for name in TABLE_NAMES)) + remove_stale(dst)


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _unchanged(dst: Path, folder: Path | None, old: dict, entries: dict, problems: list, *, settings: dict,
               stamp: str, started: float) -> BuildResult | None:
    """The build when no report needs processing and the file set is the same: no table is read or written (only
    a new manifest.json, beside links to the same tables, when a file was touched); None when the problems table
    would change (then build as usual)."""
    problems = problems + [(rel, stage, reason) for rel, e in entries.items() for stage, reason in e["problems"]]
    problems_df = _problems_frame(problems)
    digest = hashlib.sha256(parquet_bytes(_to_arrow(problems_df, CONTRACTS["problems"]))).hexdigest()
    if folder is None or digest != old["tables"].get("problems"):
        return None
    if any(_file_digest(folder / f"{name}.parquet") != old["tables"].get(name) for name in TABLE_NAMES):
        return None  # a table was changed by hand or a build was cut short: build as usual
    text, _ = _manifest_text(settings=settings, entries=entries, digests=old["tables"], stamp=stamp)
    wrote = False
    if folder == dst or _read_text(folder / MANIFEST_JSON) != text:
        new = snapshot.new_snapshot(dst)
        try:
            wrote = _publish(dst, new, folder=folder, old=old, digests=old["tables"], settings=settings,
                             entries=entries, stamp=stamp)
        except BaseException:
            _discard(dst, new)
            raise
    return BuildResult(loaded=0, unchanged=sum(e["status"] == "loaded" for e in entries.values()),
                       failed=len({p for p, stage, _ in problems if stage != "manifest"}), removed=0,
                       seconds=time.perf_counter() - started, problems=problems_df, wrote=wrote)


def _file_digest(path: Path) -> str | None:
    try:
        with path.open("rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return None


# ---------------------------------------------------------------------------------------------------- tables


def _arrow_schema(table: dict[str, schema.Column]) -> pa.Schema:
    return pa.schema([(c, _ARROW_TYPES[col.dtype]) for c, col in table.items()])


def _to_arrow(df: pd.DataFrame, table: dict[str, schema.Column]) -> pa.Table:
    """The table's columns, in contract order and types, without pandas metadata (so bytes are reproducible)."""
    out = pa.Table.from_pandas(df[list(table)], schema=_arrow_schema(table), preserve_index=False)
    return out.replace_schema_metadata(None)


def _to_pandas(columns: Iterable[tuple[str, pa.ChunkedArray]], name: str) -> pd.DataFrame:
    """The DataFrame in contract dtypes from (name, column) pairs, each converted and let go before the next.
    Dictionary columns become categoricals; integer columns take the ``NARROW`` dtype where one is given."""
    data = {}
    for c, column in columns:
        cat = _categorical(column) if pa.types.is_dictionary(column.type) else None
        data[c] = cat if cat is not None else column.to_pandas()
        del column
    df = pd.DataFrame(data, copy=False)
    narrow = NARROW.get(name, {})
    for c, col in CONTRACTS[name].items():
        if col.dtype in ("int64", "Int64", "float64", "bool"):
            df[c] = df[c].astype(narrow.get(c, col.dtype))
        elif isinstance(df[c].dtype, pd.CategoricalDtype) and not df[c].cat.categories.is_monotonic_increasing:
            cats = df[c].cat.categories  # written by an older build: put the categories in lexical order
            df[c] = df[c].cat.reorder_categories(pd.Index(sorted(cats), dtype=cats.dtype))
    return df


def _categorical(column: pa.ChunkedArray) -> pd.Categorical | None:
    """A dictionary column whose chunks share one dictionary (one Parquet row group) as a pandas Categorical, built
    from the codes directly: ``to_pandas`` would compare the dictionaries of every chunk first, which takes seconds
    for the section ids of the national-scale terms table. None when the chunks have different dictionaries."""
    first = _shared_dictionary(column)
    if first is None:
        return None
    chunks = column.chunks
    codes = np.concatenate([chunk.indices.to_numpy(zero_copy_only=False) for chunk in chunks])
    if column.null_count:
        codes = np.where(pa.chunked_array([c.is_null() for c in chunks]).to_numpy(zero_copy_only=False), -1, codes)
    return pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(pd.Index(first.to_pandas())))


def _shared_dictionary(column: pa.ChunkedArray) -> pa.Array | None:
    """The dictionary every chunk of a dictionary column shares (as when read from one row group); None when the
    chunks have different dictionaries or there are none."""
    chunks = column.chunks
    if not chunks or any(not _same_array(chunk.dictionary, chunks[0].dictionary) for chunk in chunks[1:]):
        return None
    return chunks[0].dictionary


def _same_array(a: pa.Array, b: pa.Array) -> bool:
    same_buffers = [x.address if x else 0 for x in a.buffers()] == [x.address if x else 0 for x in b.buffers()]
    return (same_buffers and len(a) == len(b) and a.offset == b.offset) or a.equals(b)


def _single_chunk(table: pa.Table) -> pa.Table:
    """The table with each dictionary column whose chunks share one dictionary as a single chunk (its codes
    concatenated): later concatenation then unifies that dictionary once, not once per chunk."""
    columns = []
    for column in table.columns:
        shared = _shared_dictionary(column) if pa.types.is_dictionary(column.type) and column.num_chunks > 1 else None
        if shared is not None:
            codes = pa.concat_arrays([chunk.indices for chunk in column.chunks])
            column = pa.chunked_array([pa.DictionaryArray.from_arrays(codes, shared)])
        columns.append(column)
    return pa.table(columns, names=table.column_names)


def _problems_frame(problems: list[tuple[str, str, str]]) -> pd.DataFrame:
    stages = {"manifest": 0, "read": 1, "parse": 2, "store": 3}
    rows = sorted(set(problems), key=lambda p: (p[0] != MANIFEST_NAME and not p[0].startswith(MANIFEST_NAME + ":"),
                                                p[0], stages.get(p[1], 9), p[2]))
    if not rows:
        return schema.empty_frame(schema.PROBLEMS)
    return pd.DataFrame(rows, columns=list(schema.PROBLEMS))


# ---------------------------------------------------------------------------------------------------- reading


def version(dst: str | Path) -> str | None:
    """The store's version digest from its pointer alone; None when there is no readable store.

    Example:
        >>> version("data")
        '3f1c2a9b0d4e5f61'
    """
    return _manifest_head(Path(dst)).get("version")


HEAD_KEYS = ("version", "schema_version", "pipeline_version", "dictionary_hash", "codebook_hash", "stamp", "source",
             "source_from_store")
_HEADS: dict[tuple, dict] = {}


def _manifest_head(dst: Path) -> dict:
    """The manifest's ``HEAD_KEYS`` ({} when there is no readable store), from the pointer ``CURRENT`` that repeats
    them (a store of the earlier layout: from its manifest.json), kept by the file's identity: the dashboard asks
    on every rerun, and at national scale manifest.json (one entry per report) takes tens of milliseconds to
    parse. A build replaces the file (a new inode and mtime), so a cached head is never stale."""
    path = dst / snapshot.POINTER
    if not path.exists():
        path = dst / MANIFEST_JSON
    try:
        info = path.stat()
    except OSError:
        return {}
    key = (str(path.resolve()), info.st_ino, info.st_mtime_ns, info.st_size)
    if key not in _HEADS:
        if path.name == snapshot.POINTER:
            try:
                head = snapshot.read_pointer(dst) or {}
            except StoreCorrupt:
                head = {}
        else:
            head = _read_manifest_json(dst) or {}
        if len(_HEADS) > 8:
            _HEADS.clear()
        _HEADS[key] = {k: head[k] for k in HEAD_KEYS if k in head}
    return _HEADS[key]


def snapshot_dir(dst: str | Path) -> Path | None:
    """The folder holding the store's tables and manifest.json (the snapshot the pointer names; ``dst`` itself
    for a store of the earlier layout); None when there is no store."""
    return snapshot.current(Path(dst))


LOAD_ATTEMPTS = 3
"""Times ``load`` tries when a build switches the store while it reads (the previous snapshot is then removed)."""


def load(dst: str | Path) -> Tables:
    """Every table of the store in ``dst``.

    Args:
        dst: the store folder written by ``build``.
    Returns:
        Tables: DOCUMENTS, SECTIONS, TERMS, FIGURES, REDACTIONS and PROBLEMS tables, and the version.
    Raises:
        StoreCorrupt: naming the file and the reason (missing, unreadable, other schema, missing columns).

    Example:
        >>> tables = load("data")
        >>> tables.documents[["file", "year"]].head(2)
    """
    dst = Path(dst)
    for attempt in range(LOAD_ATTEMPTS):
        folder = snapshot.current(dst)
        if folder is None:
            raise StoreCorrupt(str(dst / MANIFEST_JSON), "no store here; run `python -m analysis build SOURCE --out "
                                                         "DIR`")
        try:
            return _load_snapshot(dst, folder)
        except StoreCorrupt:
            with contextlib.suppress(StoreCorrupt):
                if attempt + 1 < LOAD_ATTEMPTS and snapshot.current(dst) != folder:
                    continue  # a build switched the store while it was read: read the new one
            raise
    raise AssertionError("unreachable")


def _load_snapshot(dst: Path, folder: Path) -> Tables:
    manifest_path = folder / MANIFEST_JSON
    if not manifest_path.is_file():
        raise StoreCorrupt(str(manifest_path), "the store's manifest is missing; rebuild the store")
    manifest = _read_manifest_json(folder)
    if manifest is None or not isinstance(manifest.get("tables"), dict) or "version" not in manifest:
        raise StoreCorrupt(str(manifest_path), "unreadable manifest; rebuild the store")
    if manifest.get("schema_version") != schema.SCHEMA_VERSION:
        raise StoreCorrupt(str(manifest_path), f"schema version {manifest.get('schema_version')!r}, "
                                               f"this ReportLens reads {schema.SCHEMA_VERSION}; rebuild the store")
    def one(name: str) -> pd.DataFrame | TermsFile:
        path, digest = folder / f"{name}.parquet", manifest["tables"].get(name)
        return _terms_file(path, digest, dst) if name == "terms" else _load_frame(path, digest, name)

    big_first = sorted(TABLE_NAMES, key=lambda n: -_size(folder / f"{n}.parquet"))
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:  # Parquet frees the GIL
        frames = dict(zip(big_first, pool.map(one, big_first)))
    pa.default_memory_pool().release_unused()  # hand the decoding buffers back to the system
    frames["terms_file"] = frames.pop("terms")
    return Tables(**frames, version=manifest["version"], codebook_hash=manifest.get("codebook_hash"))


def _terms_file(path: Path, digest: str | None, store: Path | None = None) -> TermsFile:
    """The terms table checked (digest, columns) but not read; StoreCorrupt when it changes while checked."""
    before = _identity(path)
    with _parquet_file(path, digest) as parquet:
        rows = parquet.metadata.num_rows
    if _identity(path) != before:
        raise StoreCorrupt(str(path), "replaced while the store was loaded (a build ran); load it again")
    return TermsFile(path, digest, before, rows, store)


def _identity(path: Path) -> tuple[int, int, int]:
    """(inode, size, modification time) of a file; a build replaces a table with a new file, so this changes."""
    try:
        info = path.stat()
    except OSError as err:
        raise StoreCorrupt(str(path), f"cannot read the table ({type(err).__name__}); rebuild the store") from None
    return info.st_ino, info.st_size, info.st_mtime_ns


def _same_file(path: Path, identity: tuple[int, int, int]) -> bool:
    try:
        return _identity(path) == identity
    except StoreCorrupt:
        return False


CATEGORIES = {"terms": ("doc_id", "section_id", "term")}
"""Columns stored dictionary-encoded (dictionary in lexical order) that ``load`` gives as pandas categoricals, so
sorting and grouping give what the plain strings give. The terms table has tens of millions of rows at national
scale and its ids and words repeat: as categoricals it takes a quarter of the memory and loads several times
faster."""
NARROW = {"terms": {"count": "int32"}}
"""Integer columns ``load`` gives in a narrower dtype than the contract's int64: a term's count in one section fits in
32 bits, and at national scale the terms table has tens of millions of rows (a 32-bit count saves 8 bytes in 20)."""


def _read_table(path: Path, digest: str | None, *, categories: tuple[str, ...] = ()) -> pa.Table:
    with _parquet_file(path, digest, categories=categories) as parquet:
        return parquet.read()


def _load_frame(path: Path, digest: str | None, name: str) -> pd.DataFrame:
    """One table as a DataFrame. A table with dictionary columns is read and converted one column at a time, so
    that its Arrow form and its pandas form are never both whole in memory (at national scale the terms table
    is the biggest)."""
    categories = CATEGORIES.get(name, ())
    with _parquet_file(path, digest, categories=categories) as parquet:
        if not categories:
            arrow = parquet.read()
            return _to_pandas(((c, arrow[c]) for c in arrow.column_names), name)
        return _to_pandas(((c, parquet.read(columns=[c])[c]) for c in parquet.schema_arrow.names), name)


@contextlib.contextmanager
def _parquet_file(path: Path, digest: str | None, *, categories: tuple[str, ...] = (),
                  verified: bool = False) -> Iterator[pq.ParquetFile]:
    """The table's file, checked against its manifest digest (unless the caller ``verified`` it) and for the
    contract's columns, open for reading; any failure is a StoreCorrupt naming the file."""
    try:
        mapped = pa.memory_map(str(path))  # one open file: what is hashed is what is read, even if a build replaces it
        blob = mapped.read_buffer()
    except OSError as err:
        raise StoreCorrupt(str(path), f"cannot read the table ({type(err).__name__}); rebuild the store") from None
    try:
        if not verified and hashlib.sha256(memoryview(blob)).hexdigest() != digest:
            raise StoreCorrupt(str(path), "does not match manifest.json (changed by hand or a build was cut short); "
                                          "rebuild the store")
        try:
            parquet = pq.ParquetFile(blob, read_dictionary=list(categories) or None)
        except (pa.ArrowException, OSError) as err:
            raise StoreCorrupt(str(path), f"not a Parquet table ({err})") from None
        missing = [c for c in CONTRACTS[path.stem] if c not in parquet.schema_arrow.names]
        if missing:
            raise StoreCorrupt(str(path), f"{path.stem}: missing columns {', '.join(missing)}")
        try:
            yield parquet
        except (pa.ArrowException, OSError) as err:
            raise StoreCorrupt(str(path), f"not a Parquet table ({err})") from None
    finally:
        del blob
        mapped.close()  # the file is not held open (on Windows a later build must be able to replace it)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _read_manifest_json(folder: Path | None) -> dict | None:
    """The manifest.json in ``folder`` (a snapshot, or a store of the earlier layout); None when unreadable."""
    if folder is None:
        return None
    try:
        data = json.loads((folder / MANIFEST_JSON).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _old_tables(folder: Path | None, old: dict | None) -> dict[str, pa.Table] | None:
    """The existing report tables, or None when there are none or they cannot be trusted (then all is rebuilt)."""
    if folder is None or old is None or not isinstance(old.get("tables"), dict) \
            or not isinstance(old.get("files"), dict):
        return None
    try:
        return {name: _single_chunk(_read_table(folder / f"{name}.parquet", old["tables"].get(name),
                                                categories=CATEGORIES.get(name, ())))
                for name in REPORT_TABLES}
    except ReportLensError:
        return None


# ---------------------------------------------------------------------------------------------------- source


def source_record(src: str | Path, dst: str | Path) -> dict[str, str]:
    """What manifest.json records of the folder a store is built from: its absolute path, and its path seen from
    the store (so a workspace moved as a whole, reports and store together, still matches)."""
    src_real, dst_real = os.path.realpath(src), os.path.realpath(dst)
    return {"source": src_real, "source_from_store": Path(os.path.relpath(src_real, dst_real)).as_posix()}


def built_from(dst: str | Path, manifest: dict | None = None) -> str | None:
    """The report folder the store in ``dst`` was built from (None when it records none)."""
    manifest = _manifest_head(Path(dst)) if manifest is None else manifest
    return manifest.get("source")


def check_source(src: str | Path, dst: str | Path, manifest: dict | None = None) -> None:
    """Raise ``OtherSource`` when the store in ``dst`` was built from another folder than ``src``.

    A store records its folder (``source_record``); it matches when ``src`` is that folder, or lies where the
    folder lay relative to the store. A store of an older version records none: it matches unless most of its
    reports are missing from ``src`` (a store of another folder would otherwise be rebuilt without a word).

    Args:
        src: the report folder a build is asked to read.
        dst: the store folder.
        manifest: the store's manifest.json as read (read from ``dst`` when None).
    """
    dst = Path(dst)
    if manifest is None:
        with contextlib.suppress(StoreCorrupt):
            manifest = _read_manifest_json(snapshot.current(dst))
    manifest = manifest or {}
    if not manifest:
        return
    recorded = manifest.get("source")
    here = source_record(src, dst)
    if recorded is not None:
        if recorded == here["source"] or manifest.get("source_from_store") == here["source_from_store"]:
            return
        raise OtherSource(str(dst), recorded, here["source"])
    files = list(manifest.get("files") or {})
    if files and sum((Path(src) / f).is_file() for f in files) * 2 < len(files):
        raise OtherSource(str(dst), f"另一个文件夹（{len(files)} 份报告，大多不在 {here['source']} 中）",
                          here["source"])


def release_memory() -> None:
    """Hand the memory a build or a parse freed back to the system: Python's and Arrow's freed blocks stay in the
    process otherwise (a server that parsed a large upload kept 1.3 GB). Call it after a build in a long-lived
    process (the dashboard)."""
    import ctypes
    import gc

    gc.collect()
    pa.default_memory_pool().release_unused()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6").malloc_trim(0)


# ---------------------------------------------------------------------------------------------------- staleness


def refresh(src: str | Path, dst: str | Path, *, codebook: str | Path | None = None,
            userdict: str | Path | None = None, stopwords: str | Path | None = None, force: bool = False,
            from_scratch: bool = False, on_wait: Callable[[], object] | None = None,
            progress: bool | None = False) -> BuildResult | None:
    """Build the store when it is stale (``is_stale``), or always with ``force`` or ``from_scratch``; None when it
    was up to date. Staleness is checked again once the lock is held, so callers that find the same stale store
    at once (the dashboard's sessions) share one build: the others wait (``on_wait()`` is called first) and build
    nothing unless something changed meanwhile, or they asked for ``force``/``from_scratch``."""
    words = {"codebook": codebook, "userdict": userdict, "stopwords": stopwords}
    if not (force or from_scratch) and not is_stale(src, dst, **words):
        return None
    with snapshot.lock(dst, on_wait=on_wait):
        if not (force or from_scratch) and not is_stale(src, dst, **words):
            return None
        return build(src, dst, progress=progress, from_scratch=from_scratch, **words)


def is_stale(src: str | Path, dst: str | Path, *, codebook: str | Path | None = None,
             userdict: str | Path | None = None, stopwords: str | Path | None = None) -> bool:
    """Whether ``build(src, dst, codebook=…, userdict=…, stopwords=…)`` may change something: no store, another schema/pipeline
    version, edited word lists or codebook, or report files added, removed, resized or touched since the last
    build (sizes and modification times; no report is read).

    Example:
        >>> if is_stale("seeds", "data"):
        ...     build("seeds", "data")
    """
    manifest = _manifest_head(Path(dst))
    if manifest.get("schema_version") != schema.SCHEMA_VERSION:
        return True
    here = source_record(src, dst)
    if manifest.get("source") not in (None, here["source"]) and manifest.get("source_from_store") != here[
            "source_from_store"]:
        return True   # built from another folder: the build says so (OtherSource)
    if manifest.get("pipeline_version") != PIPELINE_VERSION:
        return True
    if manifest.get("dictionary_hash") != str(get_segmenter(userdict, stopwords=stopwords).dictionary_hash):
        return True
    try:
        if manifest.get("codebook_hash") != codebook_hash(load_codebook(codebook)):
            return True
    except ReportLensError:
        return True  # a bad codebook: the build names the problem
    return manifest.get("stamp") != _stamp(Path(src), Path(dst))


def _stamp(src: Path, dst: Path) -> str:
    """A digest of every file's relative path, size and mtime under ``src`` (hidden files and ``dst`` left out).

    Walked with ``os.walk`` (a national-scale folder is checked on every dashboard rerun), in the order of the
    paths' parts, as ``sorted(src.rglob("*"))`` gives them."""
    h = hashlib.sha256()
    dst_real = os.path.realpath(dst)
    found = []
    for root, dirs, files in os.walk(src):
        dirs[:] = [d for d in dirs if not d.startswith(".") and os.path.realpath(os.path.join(root, d)) != dst_real]
        rel_root = os.path.relpath(root, src)
        parts = () if rel_root == "." else tuple(Path(rel_root).parts)
        for name in files:
            if name.startswith("."):
                continue
            full = os.path.join(root, name)
            try:
                info = os.stat(full)
            except OSError:
                continue
            if stat.S_ISREG(info.st_mode):
                found.append(((*parts, name), info.st_size, info.st_mtime_ns))
    for parts, size, mtime in sorted(found):
        h.update(f"{'/'.join(parts)}\0{size}\0{mtime}\n".encode("utf-8", "surrogateescape"))  # any file name
    return h.hexdigest()[:16]


def _relative(path: str | Path, src: Path) -> str:
    path = Path(path)
    if not path.is_absolute() and not path.exists():
        path = src / path
    return Path(os.path.relpath(path.absolute(), src.absolute())).as_posix()


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.absolute().relative_to(folder.absolute())
    except ValueError:
        return False
    return True


def _row_hash(row: dict | None) -> str | None:
    if not row:
        return None
    return hashlib.sha256(json.dumps(row, sort_keys=True, ensure_ascii=False, default=str)
                          .encode("utf-8")).hexdigest()[:16]
