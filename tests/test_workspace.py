"""The workspace: reports, store and word lists in one folder; a store is never rebuilt from another folder."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from analysis.errors import OtherSource
from analysis.store import workspace
from analysis.store.core import MANIFEST_JSON, build, is_stale, snapshot_dir
from tests.test_store import _snapshot, calls, src  # noqa: F401 - fixtures: the fake pipeline, a report folder

ROOT = Path(__file__).resolve().parent.parent


def test_a_store_records_its_folder_and_refuses_another(src, tmp_path, calls):  # noqa: F811
    dst = tmp_path / "store"
    build(src, dst, progress=False)
    assert json.loads((snapshot_dir(dst) / MANIFEST_JSON).read_text(encoding="utf-8"))["source"] == str(src.resolve())
    other = tmp_path / "other"
    other.mkdir()
    (other / "x.txt").write_text("一、另一份", encoding="utf-8")
    before = _snapshot(dst)
    assert is_stale(other, dst)
    with pytest.raises(OtherSource) as err:
        build(other, dst, progress=False)
    message = str(err.value)
    assert str(src.resolve()) in message and str(other.resolve()) in message and "REPORTLENS_SOURCE" in message
    assert _snapshot(dst) == before      # nothing of the store was touched


def test_a_workspace_moved_as_a_whole_still_builds(src, tmp_path, calls):  # noqa: F811
    build(src, src.parent / "store", progress=False)
    moved = tmp_path.parent / f"{tmp_path.name}-moved"
    shutil.move(tmp_path, moved)
    try:
        result = build(moved / "src", moved / "store", progress=False)
        assert result.unchanged == 3
    finally:
        shutil.move(moved, tmp_path)


def test_a_store_recording_no_folder_is_refused_when_most_reports_are_missing(src, tmp_path, calls):  # noqa: F811
    dst = tmp_path / "store"
    build(src, dst, progress=False)
    manifest = json.loads((snapshot_dir(dst) / MANIFEST_JSON).read_text(encoding="utf-8"))
    for key in ("source", "source_from_store"):
        del manifest[key]
    (snapshot_dir(dst) / MANIFEST_JSON).write_text(json.dumps(manifest), encoding="utf-8")
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(src / "a.txt", other / "a.txt")       # one of its three reports
    with pytest.raises(OtherSource):
        build(other, dst, progress=False)
    assert build(src, dst, progress=False).unchanged == 3    # its own folder: built, and now recorded
    assert json.loads((snapshot_dir(dst) / MANIFEST_JSON).read_text(encoding="utf-8"))["source"] == str(src.resolve())


def test_locate_puts_every_folder_in_the_home_unless_a_variable_moves_it(tmp_path):
    ws = workspace.locate({}, tmp_path / "ws")
    assert (ws.reports, ws.store, ws.resources) == (tmp_path / "ws/reports", tmp_path / "ws/store",
                                                    tmp_path / "ws/resources")
    ws = workspace.locate({"REPORTLENS_HOME": str(tmp_path / "h"), "REPORTLENS_DATA": str(tmp_path / "d")}, "x")
    assert ws.reports == tmp_path / "h/reports" and ws.store == tmp_path / "d" and ws.own == {"reports", "resources"}


def test_prepare_fills_a_new_workspace_once(tmp_path):
    ws = workspace.locate({}, tmp_path / "ws")
    filled = workspace.prepare(ws, samples=ROOT / "seeds", shipped=ROOT / "analysis" / "resources")
    assert filled == [ws.reports, ws.resources]
    assert sorted(p.name for p in ws.reports.iterdir()) == sorted(p.name for p in (ROOT / "seeds").iterdir())
    assert sorted(p.name for p in ws.resources.iterdir()) == sorted(workspace.WORD_LISTS)
    for p in ws.reports.iterdir():
        p.unlink()                                        # a user who removed every report keeps an empty folder
    assert workspace.prepare(ws, samples=ROOT / "seeds", shipped=ROOT / "analysis" / "resources") == []
    assert list(ws.reports.iterdir()) == [] and not list(tmp_path.glob("ws/.*"))


def test_prepare_leaves_folders_set_by_variables_alone(tmp_path):
    ws = workspace.locate({"REPORTLENS_SOURCE": str(tmp_path / "mine")}, tmp_path / "ws")
    assert workspace.prepare(ws, samples=ROOT / "seeds", shipped=ROOT / "analysis" / "resources") == [ws.resources]
    assert not (tmp_path / "mine").exists()
