"""A build killed (SIGKILL) at any file event leaves the whole previous store or the whole new one.

Each build runs in a forked child whose file-system calls (files opened for writing, fsync, rename/replace, link,
unlink, mkdir, rmtree) are counted; the child kills itself at event k, for every k of the build in turn. After
each kill the store must load as the previous or the new one, and the next build must bring it to the new one and
leave nothing behind. The small fake pipeline of test_store keeps it fast; the writer is the real one.
"""

from __future__ import annotations

import builtins
import contextlib
import io
import os
import shutil
import signal
import threading
from pathlib import Path

import pandas as pd
import pytest

from analysis.store import core as store
from tests.test_store import calls, src  # noqa: F401 - fixtures: the fake pipeline and its source folder

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the crash test forks")

WRITE_MODES = set("wxa+")


def _count_file_events(kill_at: int | None, counter: list[int]) -> None:
    """Count every file-system call that writes (in this process); SIGKILL this process at call ``kill_at``."""
    lock = threading.Lock()

    def hit() -> None:
        with lock:
            counter[0] += 1
            n = counter[0]
        if n == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    def wrap(module, name, when=lambda *a, **k: True):
        real = getattr(module, name)

        def counted(*args, **kwargs):
            if when(*args, **kwargs):
                hit()
            return real(*args, **kwargs)

        setattr(module, name, counted)

    writes = lambda file, mode="r", *a, **k: bool(WRITE_MODES & set(mode))
    creates = lambda path, flags, *a, **k: bool(flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
    wrap(builtins, "open", writes)
    wrap(io, "open", writes)
    wrap(os, "open", creates)
    for name in ("replace", "rename", "link", "unlink", "remove", "rmdir", "mkdir"):
        wrap(os, name)
    wrap(shutil, "rmtree")
    os.fsync = lambda fd: hit()    # an event, not a disk flush: a killed process's writes stay in the page cache


def _build_in_child(source: Path, dst: Path, kill_at: int | None) -> tuple[int, int]:
    """Build ``source`` into ``dst`` in a forked child killed at file event ``kill_at`` (None: never); returns
    (the signal that ended it or 0, the events counted when it ran to the end)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        code = 3
        try:
            os.close(read)
            counter = [0]
            _count_file_events(kill_at, counter)
            store.build(source, dst, progress=False)
            os.write(write, str(counter[0]).encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read, "rb") as fh:
        events = fh.read().decode() or "0"
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return os.WTERMSIG(status), int(events)
    assert os.WEXITSTATUS(status) == 0, "the build failed (not killed)"
    return 0, int(events)


@contextlib.contextmanager
def _no_fsync():
    """fsync as a no-op (this test kills processes, it does not cut the power): the checks run faster."""
    real = os.fsync
    os.fsync = lambda fd: None
    try:
        yield
    finally:
        os.fsync = real


def _frames(dst: Path) -> dict[str, pd.DataFrame]:
    tables = store.load(dst)
    return {name: getattr(tables, name).astype(str).reset_index(drop=True) for name in store.TABLE_NAMES}


def _same(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> bool:
    return all(a[name].equals(b[name]) for name in store.TABLE_NAMES)


def _files(dst: Path) -> list[str]:
    """Every file and folder under the store, with the one snapshot's name replaced by SNAP."""
    folder = store.snapshot_dir(dst)
    return sorted(p.relative_to(dst).as_posix().replace(folder.name, "SNAP") if folder != dst else
                  p.relative_to(dst).as_posix() for p in dst.rglob("*"))


def _kill_everywhere(source: Path, base: Path | None, tmp_path: Path, before: dict | None) -> tuple[int, int]:
    """Kill a build of ``source`` over a copy of the store ``base`` at each of its file events; check each time.
    Returns (kill points tried, kill points where the store was intact)."""
    fresh, probe = tmp_path / "fresh", tmp_path / "probe"
    assert _build_in_child(source, fresh, None)[0] == 0              # the new store, built from nothing
    after = _frames(fresh)
    if base is not None:
        shutil.copytree(base, probe, symlinks=True)
    signum, total = _build_in_child(source, probe, None)              # the build to kill, counted
    assert signum == 0 and total > 5 and _same(_frames(probe), after)
    tried = intact = 0
    for k in range(1, total + 1):
        dst = tmp_path / f"k{k}"
        if base is not None:
            shutil.copytree(base, dst, symlinks=True)
        signum, _ = _build_in_child(source, dst, k)
        assert signum == signal.SIGKILL, f"event {k} of {total} was not reached"
        tried += 1
        try:
            now = _frames(dst)
        except store.StoreCorrupt:
            assert before is None, f"killed at event {k} of {total}: the previous store does not load"
            now = None
        assert now is None or _same(now, after) or (before is not None and _same(now, before)), \
            f"killed at event {k} of {total}: the store is neither the previous one nor the new one"
        intact += 1
        with _no_fsync():
            result = store.build(source, dst, progress=False)   # the next build repairs and cleans up
        assert result.problems.empty
        assert _same(_frames(dst), after), f"killed at event {k}: the next build did not give the new store"
        assert _files(dst) == _files(fresh), f"killed at event {k}: the next build left files behind"
        shutil.rmtree(dst)
    return tried, intact


def _changed(folder: Path, base: Path) -> None:
    (folder / "a.txt").write_text("一、改过\n新内容", encoding="utf-8")       # changed, added, removed
    (folder / "d.txt").write_text("四、丁\n内容4", encoding="utf-8")
    (folder / "c.txt").unlink()


def _touched(folder: Path, base: Path) -> None:
    os.utime(folder / "b.txt", ns=(1_000_000_000, 1_000_000_000))       # same bytes: only the manifest changes


def _earlier_layout(folder: Path, base: Path) -> None:
    from tests.test_store import _legacy

    _legacy(base)                                      # the store as the previous version wrote it: no snapshot


@pytest.mark.parametrize("change", [_changed, _touched, _earlier_layout], ids=["changed", "touched", "earlier-layout"])
def test_a_build_killed_at_any_file_event_leaves_the_previous_or_the_new_store(src, tmp_path, calls,  # noqa: F811
                                                                               change):
    base = tmp_path / "base"
    store.build(src, base)
    before = _frames(base)
    change(src, base)
    tried, intact = _kill_everywhere(src, base, tmp_path, before)
    assert tried == intact > 10


def test_a_first_build_killed_at_any_file_event_leaves_no_store_or_the_whole_store(src, tmp_path, calls):  # noqa: F811
    tried, intact = _kill_everywhere(src, None, tmp_path, None)
    assert tried == intact > 10
