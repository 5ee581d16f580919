"""The store: incremental, crash-safe, versioned builds, checked with a small fake pipeline (and the seeds)."""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import os
import shutil
import sys
import types
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import schema
from analysis.errors import StoreCorrupt, UnreadableReport
from analysis.store import core as store
from analysis.store import pieces
from analysis.store.pipeline import ReportTables

# ---------------------------------------------------------------------------------------------------- fake pipeline
# Module-level so that worker processes (jobs > 1) can import them by name.


class FakeSegmenter:
    dictionary_hash = "dict-1"


def fake_get_segmenter(*_args, **_kwargs) -> FakeSegmenter:
    return FakeSegmenter()


def fake_list_reports(folder):
    folder = Path(folder)
    paths, problems = [], []
    for p in sorted(folder.rglob("*")):
        if p.is_file() and not p.name.startswith("."):
            if p.suffix == ".txt":
                paths.append(p)
            elif p.name != "manifest.csv":
                problems.append((p, f"unsupported file type {p.suffix!r}"))
    return paths, problems


def fake_process_report(path, *, root=None, manifest_row=None, segmenter=None, codebook=None) -> ReportTables:
    """One document row, one section per line, one term row per line, one figure per digit run."""
    path = Path(path)
    rel = path.relative_to(root).as_posix()
    text = path.read_text(encoding="utf-8")
    if not text.strip():
        raise UnreadableReport(str(path), "empty file")
    if "BOOM" in text:
        raise RuntimeError("the parser fell over")
    doc_id = hashlib.sha1(text.encode()).hexdigest()[:16]
    row = dict.fromkeys(schema.DOCUMENTS) | {"doc_id": doc_id, "file": rel, "chars": len(text), "format": "txt",
                                             "encoding": "utf-8", "n_sections": text.count("\n") + 1,
                                             "removed_chars": 0, "removed": ""}
    row["year"] = (manifest_row or {}).get("year")
    lines = text.split("\n")
    sections = pd.DataFrame([
        dict.fromkeys(schema.SECTIONS) | {"section_id": f"{doc_id}/{i + 1}", "doc_id": doc_id, "path": str(i + 1),
                                          "level": 1, "kind": "other", "start": 0, "end": len(line),
                                          "span_end": len(line), "chars": len(line), "text": line}
        for i, line in enumerate(lines)])
    terms = pd.DataFrame([{"doc_id": doc_id, "section_id": f"{doc_id}/{i + 1}", "term": line[:2], "count": 1}
                          for i, line in enumerate(lines) if line])
    return ReportTables(documents=pd.DataFrame([row]), sections=sections,
                        terms=terms if len(terms) else schema.empty_frame(schema.TERMS),
                        figures=schema.empty_frame(schema.FIGURES), redactions=schema.empty_frame(schema.REDACTIONS))


@pytest.fixture
def calls(monkeypatch) -> list[str]:
    """Install the fake pipeline; the list collects the files it processed, in order."""
    seen: list[str] = []

    def counting(path, **kw):
        seen.append(Path(path).name)
        return fake_process_report(path, **kw)

    monkeypatch.setattr(store, "process_file", counting)
    monkeypatch.setattr(store, "list_reports", fake_list_reports)
    monkeypatch.setattr(store, "get_segmenter", fake_get_segmenter)
    return seen


@pytest.fixture
def src(tmp_path) -> Path:
    folder = tmp_path / "src"
    folder.mkdir()
    for name, text in {"a.txt": "一、甲\n内容1", "b.txt": "二、乙\n内容2\n内容3", "c.txt": "三、丙"}.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _snapshot(dst: Path) -> dict[str, tuple[int, bytes]]:
    """Every file of the store (the lock file aside) with its modification time and bytes."""
    return {p.relative_to(dst).as_posix(): (p.stat().st_mtime_ns, p.read_bytes()) for p in sorted(dst.rglob("*"))
            if p.is_file() and p.name != ".build.lock"}


def _at(dst: Path, name: str) -> Path:
    """A file of the store's current snapshot."""
    return store.snapshot_dir(dst) / name


# ---------------------------------------------------------------------------------------------------- build


def test_build_writes_every_table_and_manifest_last(src, tmp_path, calls):
    dst = tmp_path / "data"
    result = store.build(src, dst)
    assert (result.loaded, result.unchanged, result.failed, result.removed, result.wrote) == (3, 0, 0, 0, True)
    assert sorted(p.name for p in dst.iterdir()) == [".build.lock", "CURRENT", "snapshots"]
    folder = store.snapshot_dir(dst)
    assert [p.name for p in (dst / "snapshots").iterdir()] == [folder.name]
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted([f"{t}.parquet" for t in store.TABLE_NAMES] + ["manifest.json"])
    mtimes = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    assert mtimes["manifest.json"] == max(mtimes.values())
    assert (dst / "CURRENT").stat().st_mtime_ns >= mtimes["manifest.json"]
    tables = store.load(dst)
    for name in store.TABLE_NAMES:
        schema.assert_table(getattr(tables, name), store.CONTRACTS[name], name)
    assert tables.documents["file"].tolist() == ["a.txt", "b.txt", "c.txt"]
    assert len(tables.sections) == 6
    assert tables.version == store.version(dst)
    manifest = json.loads(_at(dst, "manifest.json").read_text(encoding="utf-8"))
    assert manifest["schema_version"] == schema.SCHEMA_VERSION
    assert manifest["pipeline_version"] == store.PIPELINE_VERSION
    assert manifest["dictionary_hash"] == "dict-1"
    assert manifest["files"]["a.txt"]["sha256"] == hashlib.sha256((src / "a.txt").read_bytes()).hexdigest()


def test_build_again_writes_nothing(src, tmp_path, calls):
    dst = tmp_path / "data"
    store.build(src, dst)
    before = _snapshot(dst)
    calls.clear()
    result = store.build(src, dst)
    assert (result.loaded, result.unchanged, result.wrote) == (0, 3, False)
    assert calls == []
    assert _snapshot(dst) == before


def test_build_changed_file_only_reprocessed(src, tmp_path, calls):
    dst = tmp_path / "data"
    store.build(src, dst)
    v1 = store.version(dst)
    (src / "b.txt").write_text("二、乙改\n新内容", encoding="utf-8")
    calls.clear()
    result = store.build(src, dst)
    assert calls == ["b.txt"]
    assert (result.loaded, result.unchanged) == (1, 2)
    assert store.version(dst) != v1
    tables = store.load(dst)
    assert tables.documents["file"].tolist() == ["a.txt", "b.txt", "c.txt"]
    assert "新内容" in tables.sections["text"].tolist()
    assert "内容3" not in tables.sections["text"].tolist()


def test_build_incremental_equals_fresh_build(src, tmp_path, calls):
    store.build(src, tmp_path / "inc")
    (src / "a.txt").write_text("一、甲改", encoding="utf-8")
    (src / "d.txt").write_text("四、丁", encoding="utf-8")
    store.build(src, tmp_path / "inc")
    store.build(src, tmp_path / "fresh")
    for name in store.TABLE_NAMES:
        assert _at(tmp_path / "inc", f"{name}.parquet").read_bytes() == _at(tmp_path / "fresh", f"{name}.parquet")\
            .read_bytes(), name
    assert store.version(tmp_path / "inc") == store.version(tmp_path / "fresh")


def test_build_manifest_row_change_reprocesses_that_file(src, tmp_path, calls):
    dst = tmp_path / "data"
    store.build(src, dst)
    (src / "manifest.csv").write_text("file,year\nc.txt,2021\n", encoding="utf-8")
    calls.clear()
    result = store.build(src, dst)
    assert calls == ["c.txt"]
    assert result.problems.empty
    docs = store.load(dst).documents.set_index("file")
    assert docs.loc["c.txt", "year"] == 2021
    assert pd.isna(docs.loc["a.txt", "year"])


@pytest.mark.parametrize("change", ["dictionary", "pipeline"])
def test_build_dictionary_or_pipeline_change_reprocesses_all(src, tmp_path, calls, monkeypatch, change):
    dst = tmp_path / "data"
    store.build(src, dst)
    if change == "dictionary":
        monkeypatch.setattr(FakeSegmenter, "dictionary_hash", "dict-2")
    else:
        monkeypatch.setattr(store, "PIPELINE_VERSION", store.PIPELINE_VERSION + "-next")
    calls.clear()
    result = store.build(src, dst)
    assert sorted(calls) == ["a.txt", "b.txt", "c.txt"]
    assert (result.loaded, result.unchanged) == (3, 0)


def test_build_removed_file_rows_dropped(src, tmp_path, calls):
    dst = tmp_path / "data"
    store.build(src, dst)
    (src / "a.txt").unlink()
    result = store.build(src, dst)
    assert (result.loaded, result.unchanged, result.removed) == (0, 2, 1)
    tables = store.load(dst)
    assert tables.documents["file"].tolist() == ["b.txt", "c.txt"]
    assert set(tables.sections["doc_id"]) == set(tables.documents["doc_id"])
    assert set(tables.terms["doc_id"]) == set(tables.documents["doc_id"])


def test_build_bad_reports_become_problems(src, tmp_path, calls):
    (src / "empty.txt").write_text("", encoding="utf-8")
    (src / "crash.txt").write_text("BOOM", encoding="utf-8")
    (src / "notes.xyz").write_text("?", encoding="utf-8")
    result = store.build(src, tmp_path / "data")
    assert (result.loaded, result.failed) == (3, 3)
    got = {(r.path, r.stage, r.reason) for r in result.problems.itertuples()}
    assert got == {("crash.txt", "parse", "RuntimeError: the parser fell over"),
                   ("empty.txt", "read", "empty file"),
                   ("notes.xyz", "read", "unsupported file type '.xyz'")}
    schema.assert_table(result.problems, schema.PROBLEMS)
    pd.testing.assert_frame_equal(store.load(tmp_path / "data").problems.astype(object),
                                  result.problems.astype(object))


def test_build_bad_manifest_cells_are_problems(src, tmp_path, calls):
    (src / "manifest.csv").write_text("file,year,period\na.txt,1800,H1\ngone.txt,2020,\n", encoding="utf-8")
    result = store.build(src, tmp_path / "data")
    got = [(r.path, r.stage) for r in result.problems.itertuples()]
    assert got == [("manifest.csv", "manifest"), ("manifest.csv:2", "manifest")]
    assert "gone.txt" in result.problems["reason"].iloc[0]
    assert result.failed == 0 and result.loaded == 3


def test_build_same_text_twice_is_a_problem(src, tmp_path, calls):
    (src / "z.txt").write_text((src / "a.txt").read_text(encoding="utf-8"), encoding="utf-8")
    dst = tmp_path / "data"
    result = store.build(src, dst)
    assert [(r.path, r.stage, r.reason) for r in result.problems.itertuples()] == [
        ("z.txt", "store", "same text as a.txt")]
    assert store.load(dst).documents["file"].tolist() == ["a.txt", "b.txt", "c.txt"]
    again = store.build(src, dst)
    assert (again.wrote, again.failed) == (False, 1)
    (src / "a.txt").unlink()
    third = store.build(src, dst)
    assert third.problems.empty
    assert store.load(dst).documents["file"].tolist() == ["b.txt", "c.txt", "z.txt"]


def test_build_failed_table_write_keeps_old_store(src, tmp_path, calls, monkeypatch):
    dst = tmp_path / "data"
    store.build(src, dst)
    before = _snapshot(dst)
    old = store.load(dst)
    (src / "a.txt").write_text("一、全新\n内容", encoding="utf-8")
    real = store._write_table
    written = []

    def failing(fh, name, parts):
        written.append(name)
        if len(written) == 3:
            raise OSError("disk full")
        return real(fh, name, parts)

    monkeypatch.setattr(store, "_write_table", failing)
    with pytest.raises(OSError, match="disk full"):
        store.build(src, dst)
    assert _snapshot(dst) == before
    pd.testing.assert_frame_equal(store.load(dst).documents, old.documents)


def test_build_failed_replace_leaves_no_temp_files(src, tmp_path, calls, monkeypatch):
    dst = tmp_path / "data"
    store.build(src, dst)
    before = _snapshot(dst)
    (src / "c.txt").write_text("三、变了", encoding="utf-8")

    def fail(*args):
        raise OSError("no space")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        store.build(src, dst)
    assert _snapshot(dst) == before


def test_build_strict_with_problems_writes_nothing(src, tmp_path, calls):
    dst = tmp_path / "data"
    store.build(src, dst)
    before = _snapshot(dst)
    (src / "empty.txt").write_text("", encoding="utf-8")
    (src / "a.txt").write_text("一、变", encoding="utf-8")
    result = store.build(src, dst, strict=True)
    assert result.wrote is False and len(result.problems) == 1
    assert _snapshot(dst) == before


def test_build_prints_nothing_without_a_terminal(src, tmp_path, calls, capsys):
    store.build(src, tmp_path / "data")
    assert capsys.readouterr() == ("", "")


def test_build_missing_source_names_it(tmp_path, calls):
    with pytest.raises(UnreadableReport, match="nope: no such folder"):
        store.build(tmp_path / "nope", tmp_path / "data")


@pytest.mark.parametrize("threads", [1, 3], ids=["fork", "spawn"])
def test_build_jobs_gives_the_same_store(src, tmp_path, monkeypatch, threads):
    monkeypatch.setattr(store.threading, "active_count", lambda: threads)  # one thread: the pool forks
    monkeypatch.setattr(store, "process_file", fake_process_report)
    monkeypatch.setattr(store, "list_reports", fake_list_reports)
    monkeypatch.setattr(store, "get_segmenter", fake_get_segmenter)
    (src / "crash.txt").write_text("BOOM", encoding="utf-8")
    one = store.build(src, tmp_path / "one")
    two = store.build(src, tmp_path / "two", jobs=2)
    assert (two.loaded, two.failed) == (one.loaded, one.failed) == (3, 1)
    assert store.version(tmp_path / "one") == store.version(tmp_path / "two")


def test_spawned_workers_never_run_the_parents_main_script(src, tmp_path, monkeypatch):
    """Under Streamlit ``__main__`` is dashboard.py; a spawned worker that ran it set up a workspace of its own."""
    script = tmp_path / "main_script.py"
    script.write_text("raise SystemExit('the main script ran in a build worker')\n", encoding="utf-8")
    main = types.ModuleType("__main__")
    main.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", main)
    monkeypatch.setattr(store.threading, "active_count", lambda: 3)  # threads: the pool spawns
    monkeypatch.setattr(store, "process_file", fake_process_report)
    monkeypatch.setattr(store, "list_reports", fake_list_reports)
    monkeypatch.setattr(store, "get_segmenter", fake_get_segmenter)
    result = store.build(src, tmp_path / "data", jobs=2)
    assert (result.loaded, result.failed) == (3, 0)
    assert sys.modules["__main__"] is main


@pytest.mark.parametrize("progress", [False, True])
def test_build_leaves_no_thread_behind(src, tmp_path, monkeypatch, progress):
    """A build started after another in the same process still forks its workers (a thread left running, such
    as tqdm's monitor, would make it spawn them: each then imports and loads its dictionaries again)."""
    import threading

    monkeypatch.setattr(store, "process_file", fake_process_report)
    monkeypatch.setattr(store, "list_reports", fake_list_reports)
    monkeypatch.setattr(store, "get_segmenter", fake_get_segmenter)
    before = set(threading.enumerate())
    store.build(src, tmp_path / "one", progress=progress)
    assert set(threading.enumerate()) <= before


_edits = st.lists(st.tuples(st.sampled_from(["a.txt", "b.txt", "c.txt", "d.txt"]),
                            st.sampled_from([None, "", "BOOM", "一、甲", "二、乙\n内容", "一、甲\n新"])),
                  min_size=1, max_size=4)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_edits, min_size=1, max_size=3), st.sampled_from([None, 0, 600]))
def test_build_incremental_always_equals_fresh(tmp_path_factory, monkeypatch, rounds, budget):
    """Whatever files are added, changed, emptied, broken or removed between builds, the incremental store has
    the same bytes as a store built from scratch, whether its new reports were held in memory or written to disk
    (budget 0: all of them; 600 bytes: the first one held, the rest written)."""
    real_pieces = pieces.Pieces
    monkeypatch.setattr(store, "Pieces", lambda folder: real_pieces(folder, budget))
    monkeypatch.setattr(store, "process_file", fake_process_report)
    monkeypatch.setattr(store, "list_reports", fake_list_reports)
    monkeypatch.setattr(store, "get_segmenter", fake_get_segmenter)
    base = tmp_path_factory.mktemp("prop")
    src = base / "src"
    src.mkdir()
    (src / "a.txt").write_text("一、甲", encoding="utf-8")
    store.build(src, base / "inc")
    for i, edits in enumerate(rounds):
        for name, text in edits:
            if text is None:
                (src / name).unlink(missing_ok=True)
            else:
                (src / name).write_text(text, encoding="utf-8")
        store.build(src, base / "inc")
        assert [p.name for p in (base / "inc").iterdir() if p.is_dir()] == ["snapshots"]  # no pieces left
        fresh = base / f"fresh{i}"
        monkeypatch.setattr(store, "Pieces", real_pieces)
        store.build(src, fresh)
        monkeypatch.setattr(store, "Pieces", lambda folder: real_pieces(folder, budget))
        for name in store.TABLE_NAMES:
            assert _at(base / "inc", f"{name}.parquet").read_bytes() == _at(fresh, f"{name}.parquet").read_bytes()
        assert store.version(base / "inc") == store.version(fresh)


@pytest.mark.parametrize("jobs", [1, 2])
def test_build_writing_reports_to_disk_gives_the_same_store(src, tmp_path, monkeypatch, calls, jobs):
    """A national build cannot hold every report's tables in memory: past the budget they go to disk until the
    tables are written. The store is the same, and nothing of the pieces is left behind."""
    for i in range(6):
        (src / f"n{i}.txt").write_text(f"{i}、第{i}\n内容{i}\n{'长' * i}", encoding="utf-8")
    store.build(src, tmp_path / "held")
    seen = []
    real_add = store.Pieces.add

    def add(self, tables):
        handle = real_add(self, tables)
        seen.append((self.spilled, isinstance(handle["terms"], range)))
        return handle

    monkeypatch.setattr(pieces, "SPILL_BUDGET", 0)
    monkeypatch.setattr(store.Pieces, "add", add)
    store.build(src, tmp_path / "disk", jobs=jobs)
    assert seen and all(spilled and on_disk for spilled, on_disk in seen)
    for name in store.TABLE_NAMES:
        assert _at(tmp_path / "disk", f"{name}.parquet").read_bytes() == _at(tmp_path / "held", f"{name}.parquet")\
            .read_bytes(), name
    assert sorted(p.name for p in store.snapshot_dir(tmp_path / "disk").iterdir()) == sorted(
        p.name for p in store.snapshot_dir(tmp_path / "held").iterdir())


@pytest.mark.skipif(os.name == "nt", reason="a dead build's folder is kept on Windows")
def test_a_killed_builds_pieces_are_removed_by_the_next_build_that_needs_the_disk(src, tmp_path, monkeypatch, calls):
    import subprocess
    import sys

    dst = tmp_path / "data"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True).stdout.strip()
    left = dst / f".pieces-{dead}-abc"
    left.mkdir(parents=True)
    (left / "terms.arrow").write_bytes(b"x" * 100)
    running = dst / f".pieces-{os.getppid()}-def"     # a live process's build: not touched
    running.mkdir()
    monkeypatch.setattr(pieces, "SPILL_BUDGET", 0)
    store.build(src, dst)
    assert not left.exists() and running.exists()
    assert sorted(p.name for p in dst.iterdir() if p.is_dir()) == [running.name, "snapshots"]


def _sorted_dictionary_reference(values: list) -> pa.DictionaryArray:
    """A dictionary column as the store wants it, made another way: the used values in code-point order
    (UTF-8 byte order), int32 codes."""
    cats = sorted({v for v in values if v is not None})
    codes = [cats.index(v) if v is not None else None for v in values]
    return pa.DictionaryArray.from_arrays(pa.array(codes, pa.int32()), pa.array(cats, pa.string()))


@pytest.mark.parametrize("cuts", [[], [1], [2, 5], [1, 2, 3, 4, 5, 6, 7]])
def test_written_tables_equal_writing_the_whole_table_at_once(monkeypatch, cuts):
    """Streamed a part at a time (in row groups of 3, dictionary strings encoded 4 rows at a time), a table has
    the bytes pyarrow writes for the whole table in one call; old rows arriving dictionary-encoded (with entries
    no kept row uses) change nothing."""
    monkeypatch.setattr(pieces, "ROW_GROUP_ROWS", 3)
    monkeypatch.setattr(pieces, "DICTIONARY_BLOCK_ROWS", 4)
    words = ["政治", "宣传", "文明", "网络", "宣传", "政治", "é", "宣传", "a"]
    whole = pa.table({"doc_id": [f"d{i // 3}" for i in range(9)], "term": words, "count": list(range(9))})
    schema_ = whole.schema
    bounds = [0, *cuts, 9]
    parts = [whole.slice(lo, hi - lo) for lo, hi in itertools.pairwise(bounds)]
    stored = pa.array(["zz", *words])    # old rows read from a store: codes into its dictionary (entry 0 unused)
    for i in range(min(len(parts) - 1, 2)):  # the first one or two parts, followed by plain ones
        term = pa.DictionaryArray.from_arrays(
            pa.array([["zz", *words].index(w) for w in parts[i]["term"].to_pylist()], pa.int32()), stored)
        parts[i] = parts[i].set_column(1, pa.field("term", term.type), term)
    options = {"compression": "zstd", "store_schema": False, "dictionary_pagesize_limit": 1 << 30}

    plain = io.BytesIO()
    pieces.write_parquet(plain, parts, schema_)
    want = io.BytesIO()
    pq.write_table(whole, want, row_group_size=3, **options)
    assert plain.getvalue() == want.getvalue()
    assert pq.read_metadata(io.BytesIO(plain.getvalue())).num_row_groups == 3

    coded = io.BytesIO()
    pieces.write_parquet(coded, parts, schema_, ("doc_id", "term"))
    encoded = pa.table({"doc_id": _sorted_dictionary_reference(whole["doc_id"].to_pylist()),
                        "term": _sorted_dictionary_reference(words), "count": whole["count"]})
    want = io.BytesIO()
    pq.write_table(encoded, want, row_group_size=9, **options)
    assert coded.getvalue() == want.getvalue()


def test_dictionary_table_keeps_its_blocks_sharing_one_dictionary(monkeypatch):
    """The terms table is built a block of rows at a time and written from those blocks: no column is joined into a
    second copy (at 100k reports one copy is gigabytes); every block of a column shares the one sorted dictionary."""
    monkeypatch.setattr(pieces, "DICTIONARY_BLOCK_ROWS", 4)
    words = ["政治", "宣传", "文明", "网络", "宣传", "政治", "é", "宣传", "a"]
    whole = pa.table({"term": words, "count": list(range(9))})
    table = pieces._dictionary_table(iter([whole.slice(0, 5), whole.slice(5)]), whole.schema, ("term",))
    assert [len(c) for c in table["term"].chunks] == [5, 4] and table["count"].num_chunks == 2
    first = table["term"].chunks[0].dictionary
    assert first.to_pylist() == sorted(set(words))
    assert all(c.dictionary is first or c.dictionary.equals(first) for c in table["term"].chunks)
    assert table["term"].to_pylist() == words and table["count"].to_pylist() == list(range(9))


def test_empty_tables_are_written_as_pyarrow_writes_them():
    schema_ = pa.schema([("doc_id", pa.string()), ("count", pa.int64())])
    options = {"compression": "zstd", "store_schema": False, "dictionary_pagesize_limit": 1 << 30}
    for dictionary, group in (((), pieces.ROW_GROUP_ROWS), (("doc_id",), 1)):
        got, want = io.BytesIO(), io.BytesIO()
        pieces.write_parquet(got, [], schema_, dictionary)
        table = schema_.empty_table()
        if dictionary:
            table = pa.table({"doc_id": pa.DictionaryArray.from_arrays(pa.array([], pa.int32()), pa.array([], pa.string())),
                              "count": pa.array([], pa.int64())})
        pq.write_table(table, want, row_group_size=group, **options)
        assert got.getvalue() == want.getvalue(), dictionary


def test_kept_rows_of_a_document_found_in_two_places_are_joined_in_their_order():
    table = pa.table({"doc_id": ["a", "a", "b", "a", "c", "b"], "n": [1, 2, 3, 4, 5, 6]})
    regrouped, runs = store._doc_runs(table)
    got = {doc: regrouped.slice(lo, hi - lo)["n"].to_pylist() for doc, (lo, hi) in runs.items()}
    assert got == {"a": [1, 2, 4], "b": [3, 6], "c": [5]}
    coded = pa.table({"doc_id": pa.chunked_array([pa.array(["x", "x", "y"]).dictionary_encode()]), "n": [1, 2, 3]})
    assert store._doc_runs(coded)[1] == {"x": (0, 2), "y": (2, 3)}


# ---------------------------------------------------------------------------------------------------- load, version


def test_load_missing_store(tmp_path):
    with pytest.raises(StoreCorrupt, match="no store here"):
        store.load(tmp_path / "nothing")
    assert store.version(tmp_path / "nothing") is None


def test_load_corrupt_manifest(src, tmp_path, calls):
    dst = tmp_path / "data"
    store.build(src, dst)
    _at(dst, "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(StoreCorrupt, match="manifest"):
        store.load(dst)
    (dst / "CURRENT").write_text("{not json", encoding="utf-8")
    with pytest.raises(StoreCorrupt, match="CURRENT: unreadable pointer"):
        store.load(dst)
    assert store.version(dst) is None


def test_load_table_changed_by_hand(src, tmp_path, calls):
    dst = tmp_path / "data"
    store.build(src, dst)
    _at(dst, "terms.parquet").write_bytes(b"garbage")
    with pytest.raises(StoreCorrupt, match=r"terms\.parquet: does not match manifest"):
        store.load(dst)


def test_load_missing_columns_named(src, tmp_path, calls):
    dst = tmp_path / "data"
    store.build(src, dst)
    path = _at(dst, "sections.parquet")
    pq.write_table(pq.read_table(path).drop_columns(["heading", "kind"]), path)
    manifest = json.loads(_at(dst, "manifest.json").read_text(encoding="utf-8"))
    manifest["tables"]["sections"] = hashlib.sha256(path.read_bytes()).hexdigest()
    _at(dst, "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(StoreCorrupt, match="sections: missing columns heading, kind"):
        store.load(dst)


def test_load_other_schema_version(src, tmp_path, calls):
    dst = tmp_path / "data"
    store.build(src, dst)
    manifest = json.loads(_at(dst, "manifest.json").read_text(encoding="utf-8"))
    manifest["schema_version"] = schema.SCHEMA_VERSION + 1
    _at(dst, "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(StoreCorrupt, match="schema version"):
        store.load(dst)


def test_load_dtypes_follow_the_contract(src, tmp_path, calls):
    (src / "manifest.csv").write_text("file,year\na.txt,2021\n", encoding="utf-8")
    store.build(src, tmp_path / "data")
    tables = store.load(tmp_path / "data")
    assert str(tables.documents["year"].dtype) == "Int64"
    assert str(tables.documents["chars"].dtype) == "int64"
    assert str(tables.figures["is_masked"].dtype) == "bool"


def test_build_corrupt_store_is_rebuilt(src, tmp_path, calls):
    dst = tmp_path / "data"
    store.build(src, dst)
    _at(dst, "sections.parquet").write_bytes(b"garbage")
    calls.clear()
    result = store.build(src, dst)
    assert result.loaded == 3 and result.wrote
    assert len(store.load(dst).sections) == 6


# ---------------------------------------------------------------------------------------------------- is_stale


def test_is_stale_tracks_the_source_folder(src, tmp_path, calls):
    dst = tmp_path / "data"
    assert store.is_stale(src, dst)
    store.build(src, dst)
    assert not store.is_stale(src, dst)
    (src / "d.txt").write_text("四、丁", encoding="utf-8")
    assert store.is_stale(src, dst)
    store.build(src, dst)
    assert not store.is_stale(src, dst)
    st = (src / "a.txt").stat()
    os.utime(src / "a.txt", ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert store.is_stale(src, dst)
    result = store.build(src, dst)
    assert result.unchanged == 4 and not store.is_stale(src, dst)


@pytest.mark.parametrize("change", ["dictionary", "pipeline"])
def test_is_stale_when_dictionaries_or_pipeline_change(src, tmp_path, calls, monkeypatch, change):
    store.build(src, tmp_path / "data")
    if change == "dictionary":
        monkeypatch.setattr(FakeSegmenter, "dictionary_hash", "dict-2")
    else:
        monkeypatch.setattr(store, "PIPELINE_VERSION", store.PIPELINE_VERSION + "-next")
    assert store.is_stale(src, tmp_path / "data")


def test_is_stale_ignores_a_store_inside_the_source(src, calls):
    dst = src / "data"
    store.build(src, dst)
    assert not store.is_stale(src, dst)
    result = store.build(src, dst)
    assert result.problems.empty and not result.wrote


# ---------------------------------------------------------------------------------------------------- the seeds


@pytest.fixture(scope="module")
def seeds_store(tmp_path_factory) -> Path:
    root = Path(__file__).resolve().parent.parent
    dst = tmp_path_factory.mktemp("seeds_store")
    store.build(root / "seeds", dst)
    return dst


def test_seeds_build_loads_all_five(seeds_store):
    tables = store.load(seeds_store)
    assert tables.problems.empty
    docs = tables.documents.set_index("file")
    assert len(docs) == 5
    assert docs["year"].tolist() == [2023, 2020, 2023, 2022, 2022]
    assert docs["period"].tolist() == ["H1", "H1", "annual", "annual", "annual"]
    assert docs.loc["002_f8c08a2de05a6de6.txt", "title"] == "2023年市政府宣传工作总结"
    assert set(tables.sections["doc_id"]) == set(docs["doc_id"])
    assert not tables.terms["term"].str.contains(r"[*＊]|^[Xx]+$").any()


# ---------------------------------------------------------------------------------------------------- themes, no-op


def test_build_stores_theme_hits_of_its_codebook(src, tmp_path, calls):
    from analysis.words.themes import code_sections, codebook_hash, load_codebook, with_themes

    dst = tmp_path / "data"
    (src / "d.txt").write_text("一、理论武装\n组织理论学习中心组学习12次，开展志愿服务。", encoding="utf-8")
    store.build(src, dst)
    tables = store.load(dst)
    codebook = load_codebook()
    assert tables.codebook_hash == codebook_hash(codebook)
    expected = code_sections(tables.sections, codebook)
    pd.testing.assert_frame_equal(tables.theme_hits, expected)
    assert len(expected) > 0
    themed = with_themes(tables, codebook)
    assert themed.theme_hits is tables.theme_hits  # reused, not coded again


def test_codebook_change_makes_the_store_stale_and_recodes(src, tmp_path, calls):
    from analysis.words.themes import load_codebook

    dst = tmp_path / "data"
    (src / "d.txt").write_text("一、理论武装\n组织理论学习中心组学习12次。", encoding="utf-8")
    store.build(src, dst)
    book = tmp_path / "codebook.yaml"
    book.write_text("version: 1\nthemes:\n  - id: study\n    name: 学习\n    keywords: [学习]\n", encoding="utf-8")
    load_codebook(book)  # a valid codebook
    assert not store.is_stale(src, dst)
    assert store.is_stale(src, dst, codebook=book)
    store.build(src, dst, codebook=book)
    assert not store.is_stale(src, dst, codebook=book)
    hits = store.load(dst).theme_hits
    assert set(hits["theme"]) == {"study"} and hits["hits"].sum() == 2


def test_noop_build_reads_no_table_and_touch_only_rewrites_the_manifest(src, tmp_path, calls, monkeypatch):
    dst = tmp_path / "data"
    store.build(src, dst)
    tables_before = {p.name: p.read_bytes() for p in store.snapshot_dir(dst).glob("*.parquet")}

    def no_read(*args, **kwargs):
        raise AssertionError("a no-change build read the tables")

    monkeypatch.setattr(store, "_old_tables", no_read)
    calls.clear()
    assert store.build(src, dst).wrote is False
    os.utime(src / "a.txt", ns=(1_000_000_000, 1_000_000_000))  # touched, same bytes
    result = store.build(src, dst)
    assert calls == [] and (result.loaded, result.unchanged) == (0, 3)
    assert {p.name: p.read_bytes() for p in store.snapshot_dir(dst).glob("*.parquet")} == tables_before
    assert not store.is_stale(src, dst)


def test_terms_load_as_categoricals_that_sort_and_group_like_strings(src, tmp_path, calls):
    dst = tmp_path / "data"
    (src / "d.txt").write_text("一、乙甲\n丙\n甲乙\n乙甲", encoding="utf-8")
    store.build(src, dst)
    terms = store.load(dst).terms
    for c in store.CATEGORIES["terms"]:
        assert isinstance(terms[c].dtype, pd.CategoricalDtype)
        assert terms[c].cat.categories.is_monotonic_increasing
    plain = terms.astype({c: "str" for c in store.CATEGORIES["terms"]})
    assert terms.sort_values("term")["term"].astype(str).tolist() == plain.sort_values("term")["term"].tolist()
    grouped = terms.groupby("term", observed=True)["count"].sum()
    assert grouped.index.astype(str).tolist() == plain.groupby("term")["count"].sum().index.tolist()
    assert pq.read_metadata(_at(dst, "terms.parquet")).num_row_groups == 1


def test_terms_count_loads_narrow_and_sums_like_the_stored_int64(src, tmp_path, calls):
    dst = tmp_path / "data"
    (src / "d.txt").write_text("一、乙甲乙甲\n丙\n甲乙", encoding="utf-8")
    store.build(src, dst)
    terms = store.load(dst).terms
    stored = pq.read_table(_at(dst, "terms.parquet")).column("count").to_numpy()
    assert str(terms["count"].dtype) == store.NARROW["terms"]["count"]
    assert terms["count"].to_numpy().tolist() == stored.tolist()
    assert int(terms["count"].sum()) == int(stored.sum())


def test_plain_tables_are_cut_into_row_groups_that_load_in_order(monkeypatch, src, tmp_path, calls):
    monkeypatch.setattr(pieces, "ROW_GROUP_ROWS", 2)
    dst = tmp_path / "data"
    store.build(src, dst)
    assert pq.read_metadata(_at(dst, "sections.parquet")).num_row_groups > 1
    sections = store.load(dst).sections
    assert sections.to_dict("records") == pq.read_table(_at(dst, "sections.parquet")).to_pandas().astype(
        {c: sections[c].dtype for c in sections.columns}).to_dict("records")


def test_version_and_staleness_follow_a_rebuild_at_once(src, tmp_path, calls):
    dst = tmp_path / "data"
    store.build(src, dst)
    first = store.version(dst)
    assert not store.is_stale(src, dst)
    (src / "a.txt").write_text("一、新的工作\n全新内容。", encoding="utf-8")
    assert store.is_stale(src, dst)
    store.build(src, dst)
    assert store.version(dst) != first
    assert store.version(dst) == json.loads(_at(dst, "manifest.json").read_text(encoding="utf-8"))["version"]
    assert not store.is_stale(src, dst)


def test_stamp_covers_nested_files_in_path_order_and_skips_hidden_and_the_store(tmp_path):
    src = tmp_path / "src"
    for rel in ("a-b.txt", "a/b.txt", "a/c/d.docx", ".hidden/x.txt", "a/.y.txt", "z.txt"):
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_text(rel, encoding="utf-8")
    dst = src / "data"
    dst.mkdir()
    (dst / "manifest.json").write_text("{}", encoding="utf-8")
    h = hashlib.sha256()
    for path in sorted(src.rglob("*")):   # what the stamp has always digested
        rel = path.relative_to(src)
        if path.is_file() and not any(p.startswith(".") for p in rel.parts) and dst not in path.parents:
            h.update(f"{rel.as_posix()}\0{path.stat().st_size}\0{path.stat().st_mtime_ns}\n".encode())
    assert store._stamp(src, dst) == h.hexdigest()[:16]
    (src / "a" / "c" / "d.docx").write_text("changed", encoding="utf-8")
    assert store._stamp(src, dst) != h.hexdigest()[:16]


def test_build_uses_the_given_word_lists_and_an_edit_makes_the_store_stale(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text("一、网络文明建设\n今年推进网络文明建设和融媒体中心建设。", encoding="utf-8")
    stop = tmp_path / "stopwords.txt"
    stop.write_text("推进\n", encoding="utf-8")
    dst = tmp_path / "data"
    store.build(src, dst, stopwords=stop)
    terms = set(store.load(dst).terms["term"].astype(str))
    assert "推进" not in terms and "建设" in terms
    assert not store.is_stale(src, dst, stopwords=stop)
    assert store.is_stale(src, dst)   # the shipped stopwords are another list
    stop.write_text("推进\n建设\n", encoding="utf-8")
    assert store.is_stale(src, dst, stopwords=stop)
    store.build(src, dst, stopwords=stop)
    assert "建设" not in set(store.load(dst).terms["term"].astype(str))


# ---------------------------------------------------------------------------------------------------- the terms file


def test_load_leaves_the_terms_table_on_disk_until_it_is_asked_for(seed_store):
    tables = store.load(seed_store)
    assert not tables.terms_file.loaded
    assert tables.terms_file.num_rows == pq.read_metadata(_at(seed_store, "terms.parquet")).num_rows > 0
    terms = tables.terms
    assert tables.terms_file.loaded and tables.terms is terms           # read once
    stored = pq.read_table(_at(seed_store, "terms.parquet")).to_pandas()
    assert terms.astype({c: str for c in store.CATEGORIES["terms"]}).astype({"count": "int64"}).equals(
        stored.astype({c: str for c in store.CATEGORIES["terms"]}))


@pytest.mark.parametrize("plain", [0, 1 << 20])     # rows read from the dictionary codes, or as plain strings
@pytest.mark.parametrize("batch", [1 << 21, 7])
def test_terms_take_reads_the_rows_at_the_positions_asked(seed_store, monkeypatch, batch, plain):
    real = store.TermsFile.batches
    monkeypatch.setattr(store.TermsFile, "batches", lambda self, columns, batch_size=0: real(self, columns, batch))
    monkeypatch.setattr(store, "PLAIN_BATCH_ROWS", batch)
    monkeypatch.setattr(store, "PLAIN_TAKE_ROWS", plain)
    whole = store.load(seed_store).terms
    picks = [[], [0], [3, 4, 5, 40], list(range(0, len(whole), 11)), [len(whole) - 1]]
    for positions in picks:
        tables = store.load(seed_store)
        got = tables.terms_file.take(positions)
        assert not tables.terms_file.loaded
        want = whole.iloc[positions].reset_index(drop=True)
        pd.testing.assert_frame_equal(got, want, check_categorical=False)      # the same values and dtypes
        for c in store.CATEGORIES["terms"]:              # categories in lexical order: sorts as the strings sort
            assert isinstance(got[c].dtype, pd.CategoricalDtype) and got[c].cat.categories.is_monotonic_increasing
    for bad in ([5, 3], [-1], [len(whole)]):                          # never a silently shorter table
        with pytest.raises(ValueError, match="ascending row numbers"):
            store.load(seed_store).terms_file.take(bad)


def test_a_terms_file_replaced_after_the_load_is_refused_naming_it(src, tmp_path, calls):
    dst = tmp_path / "data"
    store.build(src, dst)
    tables = store.load(dst)
    path = _at(dst, "terms.parquet")
    copy = tmp_path / "copy.parquet"
    copy.write_bytes(path.read_bytes())
    os.replace(copy, path)                                       # same bytes, another file: as a build replaces it
    for read in (lambda: tables.terms, lambda: tables.terms_file.take([0]),
                 lambda: next(tables.terms_file.batches(["term"]))):
        with pytest.raises(StoreCorrupt, match=r"terms\.parquet: replaced since the store was loaded"):
            read()
    assert len(store.load(dst).terms) == len(pq.read_table(path))  # loaded again, it reads


def _terms_with_two_dictionaries(dst: Path) -> None:
    """Rewrite the store's terms as two row groups whose dictionaries differ (as another writer may), with the
    manifest's digest updated."""
    path = _at(dst, "terms.parquet")
    table = pq.read_table(path)
    half = len(table) // 2
    with pq.ParquetWriter(path, table.schema) as writer:
        for part in (table.slice(0, half), table.slice(half)):
            writer.write_table(part)                             # each row group its own dictionary
    manifest = json.loads(_at(dst, "manifest.json").read_text(encoding="utf-8"))
    manifest["tables"]["terms"] = hashlib.sha256(path.read_bytes()).hexdigest()
    _at(dst, "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def test_a_terms_file_with_two_dictionaries_is_read_whole_where_batches_would_mix_them(seeds_dir, tmp_path):
    from types import SimpleNamespace

    from analysis import export
    from analysis.errors import MixedDictionaries
    from analysis.query import index
    from analysis.query.filters import Filter

    dst = tmp_path / "data"
    store.build(seeds_dir, dst, progress=False)
    want = store.load(dst)
    plain = SimpleNamespace(documents=want.documents, sections=want.sections, terms=want.terms)
    _terms_with_two_dictionaries(dst)
    tables = store.load(dst)
    with pytest.raises(MixedDictionaries):
        list(tables.terms_file.batches(["section_id", "term"], batch_size=len(want.terms) // 2 + 1))
    got, expected = index._build_term_index(tables), index._build_term_index(plain)
    assert tables.terms_file.loaded
    assert all(np.array_equal(getattr(got, f), getattr(expected, f)) for f in ("doc", "term", "kind", "count"))
    again = store.load(dst)
    flt = Filter(kinds=("achievements",))
    pd.testing.assert_frame_equal(export.export_table("terms", again, flt).astype({"count": "int64"}),
                                  export.export_table("terms", plain, flt).astype({"count": "int64"}))


# ---------------------------------------------------------------------------------------------------- commits, lock


def _hold_lock_in_another_process(dst: Path):
    """A child process that holds the store's lock until its stdin closes; returns it once it holds the lock."""
    import subprocess
    import sys

    code = ("import sys; from analysis.store import snapshot\n"
            f"with snapshot.lock({str(dst)!r}):\n    print('held', flush=True); sys.stdin.read()\n")
    child = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                             cwd=Path(__file__).resolve().parents[1])
    assert child.stdout.readline().strip() == "held"
    return child


def test_a_second_build_waits_for_the_first_or_says_the_store_is_busy(src, tmp_path, calls):
    import threading

    from analysis.errors import StoreBusy

    dst = tmp_path / "data"
    holder = _hold_lock_in_another_process(dst)
    try:
        with pytest.raises(StoreBusy, match="另一个构建正在写入这个数据仓库"):
            store.build(src, dst, wait=False)
        assert store.version(dst) is None and calls == []
        waited, done = [], threading.Event()
        worker = threading.Thread(target=lambda: (store.build(src, dst, on_wait=lambda: waited.append(1)),
                                                  done.set()))
        worker.start()
        assert not done.wait(0.5) and waited == [1]           # waiting for the other build
    finally:
        holder.stdin.close()
        holder.wait(10)
    worker.join(30)
    assert done.is_set() and store.load(dst).documents["file"].tolist() == ["a.txt", "b.txt", "c.txt"]


def test_sessions_that_find_the_same_stale_store_share_one_build(src, tmp_path, calls):
    import threading

    dst = tmp_path / "data"
    results = []
    start = threading.Barrier(4)

    def session():
        start.wait()
        results.append(store.refresh(src, dst))

    threads = [threading.Thread(target=session) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(calls) == ["a.txt", "b.txt", "c.txt"]     # each report processed once
    assert sum(r is not None for r in results) == 1
    assert not store.is_stale(src, dst)


def test_from_scratch_processes_every_report_again(src, tmp_path, calls):
    dst = tmp_path / "data"
    store.build(src, dst)
    before = store.load(dst)
    calls.clear()
    result = store.build(src, dst, from_scratch=True)
    assert sorted(calls) == ["a.txt", "b.txt", "c.txt"] and result.loaded == 3
    pd.testing.assert_frame_equal(store.load(dst).documents, before.documents)


def _legacy(dst: Path) -> None:
    """Turn the store into the earlier layout: tables and manifest.json in the folder itself, no pointer."""
    folder = store.snapshot_dir(dst)
    for path in folder.iterdir():
        os.replace(path, dst / path.name)
    shutil.rmtree(dst / "snapshots")
    (dst / "CURRENT").unlink()


def test_a_store_of_the_earlier_layout_loads_and_the_next_build_moves_it_into_a_snapshot(src, tmp_path, calls):
    dst = tmp_path / "data"
    store.build(src, dst)
    want = store.load(dst)
    _legacy(dst)
    (dst / ".terms.parquet.k2j4x9.tmp").write_bytes(b"x" * 1000)     # a killed build's temporary file
    assert store.snapshot_dir(dst) == dst
    old = store.load(dst)
    pd.testing.assert_frame_equal(old.sections, want.sections)
    assert store.version(dst) == want.version and not store.is_stale(src, dst)
    terms = old.terms_file
    calls.clear()
    result = store.build(src, dst)
    assert calls == [] and result.wrote                      # nothing processed again; the layout changed
    assert sorted(p.name for p in dst.iterdir()) == [".build.lock", "CURRENT", "snapshots"]
    pd.testing.assert_frame_equal(store.load(dst).sections, want.sections)
    assert len(terms.frame()) == len(want.terms)             # the loaded store's terms: the same file, moved


def test_the_next_build_removes_what_killed_builds_left(src, tmp_path, calls):
    dst = tmp_path / "data"
    store.build(src, dst)
    current = store.snapshot_dir(dst)
    dead = dst / "snapshots" / "20260101T000000-deadbeef"            # a killed build's half-written snapshot
    dead.mkdir()
    (dead / "terms.parquet").write_bytes(b"x" * 1000)
    for name in (".CURRENT.abcd1234.tmp", ".sections.parquet.zz81.tmp", ".manifest.json.q1.tmp"):
        (dst / name).write_bytes(b"x")
    (src / "a.txt").write_text("一、又改了", encoding="utf-8")
    store.build(src, dst)
    assert sorted(p.name for p in dst.iterdir()) == [".build.lock", "CURRENT", "snapshots"]
    assert [p.name for p in (dst / "snapshots").iterdir()] == [store.snapshot_dir(dst).name]
    assert store.snapshot_dir(dst) != current


def test_a_touch_only_build_keeps_the_loaded_terms_readable(src, tmp_path, calls):
    dst = tmp_path / "data"
    store.build(src, dst)
    tables = store.load(dst)
    os.utime(src / "a.txt", ns=(1_000_000_000, 1_000_000_000))
    assert store.build(src, dst).wrote
    assert len(tables.terms) == len(store.load(dst).terms)  # the same file, linked into the new snapshot


# ---------------------------------------------------------------------------------------------------- bad names


@pytest.mark.skipif(os.name == "nt" or sys.platform == "darwin", reason="needs a file system that keeps raw bytes")
def test_a_file_name_that_is_not_utf8_is_a_problem_naming_it_and_the_rest_loads(seeds_copy, tmp_path):
    root = os.fsencode(seeds_copy)
    gbk = "报告二〇二三.txt".encode("gb18030")                   # as a Windows zip unpacks on Linux
    with open(os.path.join(root, gbk), "wb") as fh:
        fh.write((seeds_copy / "001_375888be8f029476.txt").read_bytes() + b"x")
    os.mkdir(os.path.join(root, "子目录".encode("gb18030")))
    with open(os.path.join(root, "子目录".encode("gb18030"), b"a.txt"), "wb") as fh:
        fh.write("一、工作".encode())
    dst = tmp_path / "data"
    result = store.build(seeds_copy, dst, progress=False)
    assert result.loaded == 5
    bad = result.problems[result.problems["path"].str.contains("\ufffd")]
    assert len(bad) == 2, result.problems
    assert all("不是有效的 UTF-8" in reason for reason in bad["reason"])
    assert any("报告二〇二三.txt" in reason for reason in bad["reason"])     # the name read as GBK, as a hint
    assert not store.is_stale(seeds_copy, dst)
    assert len(store.load(dst).documents) == 5


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc and trims glibc's heap")
def test_release_memory_hands_a_large_reports_parse_back_to_the_system(seeds_copy, tmp_path):
    """The dashboard parses uploads in the server process: what a large report took must not stay there."""
    import subprocess

    code = f"""
import sys
from pathlib import Path
from analysis import store
def rss():
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS")) // 1024
src = Path({str(seeds_copy)!r})
store.build(src, {str(tmp_path / "data")!r}, progress=False)
before = rss()
base = (src / "001_375888be8f029476.txt").read_text(encoding="utf-8")
(src / "big.txt").write_text("\\n".join(base + f"第{{i}}次。" for i in range(100)), encoding="utf-8")
assert store.build(src, {str(tmp_path / "data")!r}, progress=False).loaded == 1
grown = rss()
store.release_memory()
print(before, grown, rss())
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1]).stdout.split()
    before, grown, after = map(int, out)
    assert grown - before > 20, "the large report took too little memory to tell"
    assert after - before < (grown - before) / 2, (before, grown, after)
