"""How a store version is committed: a new snapshot folder, then one atomic switch of a pointer file.

A store folder holds::

    CURRENT              {"snapshot": NAME, "version": …, "stamp": …}: which snapshot is the store (its head)
    snapshots/NAME/      every table as Parquet and manifest.json, written and synced before the switch
    .build.lock          locked (flock) by the build that is writing the store

A reader reads ``CURRENT`` and then the snapshot it names. A build writes a new snapshot folder that no reader
looks at, syncs it, and then replaces ``CURRENT`` with ``os.replace`` (the commit, as a table format such as Delta
Lake or Iceberg commits a version); only then are the other snapshots removed. A build killed at any instant
leaves either the previous ``CURRENT`` with its untouched snapshot or the new one, never a mix; what it left
half-written is removed by the next build (under the lock, so never a running build's files). Tables a build did
not change are hard links to the previous snapshot's files, so a commit that changed one table writes one table.

A store of the earlier layout (tables and manifest.json directly in the folder, no ``CURRENT``) is read as it is;
the next build writes a snapshot and removes the old files.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from analysis.errors import StoreBusy, StoreCorrupt

POINTER = "CURRENT"
SNAPSHOTS = "snapshots"
LOCK_FILE = ".build.lock"
LEGACY_MANIFEST = "manifest.json"

# ---------------------------------------------------------------------------------------------------- reading


def read_pointer(dst: Path) -> dict | None:
    """The parsed ``CURRENT`` of the store in ``dst``; None when there is none. StoreCorrupt when it is there but
    unreadable or names no snapshot folder."""
    path = dst / POINTER
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as err:
        raise StoreCorrupt(str(path), f"cannot read the store's pointer ({type(err).__name__}); rebuild the store") \
            from None
    try:
        pointer = json.loads(text)
    except ValueError:
        pointer = None
    name = pointer.get("snapshot") if isinstance(pointer, dict) else None
    if not isinstance(name, str) or not name or name != Path(name).name or name.startswith("."):
        raise StoreCorrupt(str(path), "unreadable pointer to the store's snapshot; rebuild the store")
    return pointer


def current(dst: str | Path) -> Path | None:
    """The folder holding the store's tables and manifest.json: the snapshot ``CURRENT`` names, or ``dst`` itself
    for a store of the earlier layout; None when there is no store. StoreCorrupt for an unreadable pointer."""
    dst = Path(dst)
    pointer = read_pointer(dst)
    if pointer is not None:
        return dst / SNAPSHOTS / pointer["snapshot"]
    if (dst / LEGACY_MANIFEST).is_file():
        return dst
    return None


# ---------------------------------------------------------------------------------------------------- writing


def new_snapshot(dst: Path) -> Path:
    """A new, empty snapshot folder (no reader looks at it until ``switch``)."""
    name = f"{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(4)}"
    folder = dst / SNAPSHOTS / name
    folder.mkdir(parents=True)
    return folder


def write_file(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Create ``path`` (it must not exist), fill it with ``write(binary file)`` and sync it to disk."""
    with open(path, "xb") as fh:
        write(fh)
        fh.flush()
        os.fsync(fh.fileno())


def link_file(source: Path, target: Path) -> None:
    """``target`` as a hard link to ``source`` (a copy where the file system has no hard links)."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
        with open(target, "rb+") as fh:
            os.fsync(fh.fileno())


def remove_file(path: Path) -> None:
    path.unlink(missing_ok=True)


def sync_dir(path: Path) -> None:
    """Sync a folder's entries (new names in it) to disk; a no-op where folders cannot be opened (Windows)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def switch(dst: Path, folder: Path, head: dict) -> None:
    """Make the snapshot ``folder`` the store: write the new ``CURRENT`` beside the old one, sync it, and
    ``os.replace`` it over the old one (atomic). ``head`` is the manifest's head (version, stamp, …)."""
    text = json.dumps({**head, "snapshot": folder.name}, sort_keys=True, ensure_ascii=False) + "\n"
    tmp = dst / f".{POINTER}.{secrets.token_hex(4)}.tmp"
    try:
        write_file(tmp, lambda fh: fh.write(text.encode("utf-8")))
        os.replace(tmp, dst / POINTER)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    sync_dir(dst)


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def clean(dst: Path, legacy_files: tuple[str, ...]) -> list[Path]:
    """Remove what earlier builds left in ``dst``: snapshot folders other than the current one (killed builds'
    and replaced ones), temporary files, and, once a snapshot is the store, the earlier layout's files
    (``legacy_files`` and manifest.json). Call it holding the lock. Returns what was removed."""
    try:
        pointer = read_pointer(dst)
    except StoreCorrupt:
        pointer = None
    keep = pointer["snapshot"] if pointer is not None else None
    gone = []
    snapshots = dst / SNAPSHOTS
    if snapshots.is_dir():
        for path in sorted(snapshots.iterdir()):
            if path.name != keep:
                remove_tree(path) if path.is_dir() and not path.is_symlink() else remove_file(path)
                gone.append(path)
    for path in sorted(dst.glob(".*.tmp")):
        if path.is_file():
            remove_file(path)
            gone.append(path)
    if pointer is not None:
        for name in (*legacy_files, LEGACY_MANIFEST):
            if (dst / name).is_file():
                remove_file(dst / name)
                gone.append(dst / name)
    return gone


# ---------------------------------------------------------------------------------------------------- the lock


_HELD = threading.local()


@contextlib.contextmanager
def lock(dst: str | Path, *, wait: bool = True, on_wait: Callable[[], object] | None = None) -> Iterator[None]:
    """Hold the store's build lock (an exclusive ``flock`` on ``dst/.build.lock``) for the block.

    Builds into one store take it, so two never write at once (the dashboard's sessions, the command line). A
    second taker waits (``on_wait()`` is called first, e.g. to say so) or, with ``wait=False``, gets StoreBusy.
    Re-entrant within a thread. The lock ends with the process that held it, however it ends.
    """
    dst = Path(dst)
    dst.mkdir(parents=True, exist_ok=True)
    key = os.path.realpath(dst)
    held = _HELD.__dict__.setdefault("keys", set())
    if key in held:
        yield
        return
    fd = os.open(dst / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if not _try_lock(fd):
            if not wait:
                raise StoreBusy(str(dst), "另一个构建正在写入这个数据仓库，请等它结束后再试")
            if on_wait is not None:
                on_wait()
            _lock(fd)
        held.add(key)
        try:
            yield
        finally:
            held.discard(key)
    finally:
        os.close(fd)  # closing the file releases the lock


def _try_lock(fd: int) -> bool:
    if os.name == "nt":  # pragma: no cover - Windows
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _lock(fd: int) -> None:
    if os.name == "nt":  # pragma: no cover - Windows
        while not _try_lock(fd):
            time.sleep(0.2)
        return
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_EX)
