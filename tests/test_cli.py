"""The command line, through ``main([...])``: build on the seeds, inspect one report, and the docs it generates."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from analysis import cli, store
from analysis.store.pipeline import INSPECT_KEYS

SUMMARY = re.compile(r"^loaded (\d+), unchanged (\d+), failed (\d+), removed (\d+) in \d+\.\d\d s$", re.MULTILINE)


def _build(capsys, *args: str) -> tuple[int, tuple[int, ...], str]:
    code = cli.main(["build", *map(str, args), "--no-progress"])
    out, err = capsys.readouterr()
    match = SUMMARY.search(out)
    assert match, out
    return code, tuple(int(n) for n in match.groups()), err


def _mtimes(folder) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}


# ---------------------------------------------------------------------------------------------------- build


def test_build_seeds_twice_second_run_writes_nothing(seeds_copy, tmp_path, capsys):
    data = tmp_path / "data"
    code, counts, err = _build(capsys, seeds_copy, "--out", data)
    assert (code, counts, err) == (0, (5, 0, 0, 0), "")
    before = _mtimes(data)
    code, counts, _ = _build(capsys, seeds_copy, "--out", data)
    assert (code, counts) == (0, (0, 5, 0, 0))
    assert _mtimes(data) == before
    (seeds_copy / "003_f3c8e2966af04a86.txt").write_text("一、工作情况\n（一）新闻宣传。发稿805篇。\n",
                                                         encoding="utf-8")
    code, counts, _ = _build(capsys, seeds_copy, "--out", data)
    assert (code, counts) == (0, (1, 4, 0, 0))
    (seeds_copy / "004_c5100d4220f051c5.txt").unlink()
    code, counts, err = _build(capsys, seeds_copy, "--out", data)
    assert (code, counts) == (0, (0, 4, 0, 1))
    assert "004_c5100d4220f051c5.txt" in err  # still named in manifest.csv


def test_build_defaults_are_seeds_and_data(seeds_copy, capsys, monkeypatch):
    monkeypatch.chdir(seeds_copy.parent)
    code, counts, _ = _build(capsys)
    assert (code, counts) == (0, (5, 0, 0, 0))
    assert store.version(seeds_copy.parent / "data") is not None


BAD_FILES = {
    "empty.txt": b"",
    "binary.txt": bytes(range(256)) * 8,
    "badbytes.txt": b"\x80\xff\xfe\x81" * 64,
    "notes.xyz": "一、这不是报告".encode(),
}


@pytest.fixture
def messy(seeds_copy):
    for name, blob in BAD_FILES.items():
        (seeds_copy / name).write_bytes(blob)
    return seeds_copy


def test_build_bad_files_listed_rest_loaded(messy, tmp_path, capsys):
    code, counts, err = _build(capsys, messy, "--out", tmp_path / "data")
    assert code == 0
    assert counts[:3] == (5, 0, len(BAD_FILES))
    lines = err.splitlines()
    for name in BAD_FILES:
        assert [line for line in lines if re.match(rf"{re.escape(name)}: \S", line)], (name, err)


def test_build_strict_fails_on_any_problem(messy, tmp_path, capsys):
    code, _, err = _build(capsys, messy, "--out", tmp_path / "data", "--strict")
    assert code == 1
    assert "--strict" in err
    assert store.version(tmp_path / "data") is None


def test_build_only_bad_files_fails(tmp_path, capsys):
    src = tmp_path / "bad"
    src.mkdir()
    for name, blob in BAD_FILES.items():
        (src / name).write_bytes(blob)
    code, counts, err = _build(capsys, src, "--out", tmp_path / "data")
    assert code == 1
    assert counts[:2] == (0, 0)
    assert all(name in err for name in BAD_FILES)


def test_build_missing_folder(tmp_path, capsys):
    code = cli.main(["build", str(tmp_path / "nope"), "--out", str(tmp_path / "data")])
    assert code == 1
    assert "nope: no such folder" in capsys.readouterr().err


def test_build_unwritable_store_names_it(seeds_copy, tmp_path, capsys):
    (tmp_path / "data").write_text("a file in the way", encoding="utf-8")
    code = cli.main(["build", str(seeds_copy), "--out", str(tmp_path / "data")])
    assert code == 1
    assert re.search(r"^error: .*data: cannot write the store", capsys.readouterr().err, re.MULTILINE)


# ---------------------------------------------------------------------------------------------------- inspect


def test_inspect_json_has_the_stable_keys(seeds_dir, capsys):
    path = seeds_dir / "002_f8c08a2de05a6de6.txt"
    assert cli.main(["inspect", str(path), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert tuple(result) == INSPECT_KEYS
    assert (result["year"], result["period"], result["unit_level"]) == (2023, "annual", "city")
    assert result["errors"] == []
    top = [s for s in result["sections"] if s["level"] == 1]
    assert top and top[0]["marker"] == "一、"


def test_inspect_text_shows_metadata_and_indented_outline(seeds_dir, capsys):
    path = seeds_dir / "003_f3c8e2966af04a86.txt"
    assert cli.main(["inspect", str(path), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert cli.main(["inspect", str(path)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^year: 2022 +\[\w+", out, re.MULTILINE)
    for s in result["sections"]:
        line = f"{'  ' * s['level']}{s['path']} {s['marker'] or ''}".rstrip()
        assert any(row.startswith(line) and row.endswith(f"[{s['kind']}]") for row in out.splitlines()), line


def test_inspect_unreadable_file_reports_errors_in_json(tmp_path, capsys):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert cli.main(["inspect", str(path), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["errors"] and "empty.txt" in result["errors"][0]


def test_inspect_missing_file_exits_2(tmp_path, capsys):
    assert cli.main(["inspect", str(tmp_path / "nope.txt")]) == 2
    assert "nope.txt: no such file" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------------- help and docs


def _commands() -> dict:
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return sub.choices


@pytest.mark.parametrize("name", sorted(_commands()))
def test_every_command_has_help_with_an_example(name):
    text = _commands()[name].format_help()
    assert re.search(r"^Example: python -m analysis " + re.escape(name), text, re.MULTILINE), text


def test_top_level_help_hides_schema_doc(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    out = capsys.readouterr().out
    assert "build" in out and "inspect" in out
    assert "schema-doc" not in out


@pytest.mark.parametrize("name", sorted(set(_commands()) - set(cli.HIDDEN_COMMANDS)))
def test_readme_documents_every_command(project_root, name):
    assert f"python -m analysis {name}" in (project_root / "README.md").read_text(encoding="utf-8")


def test_readme_tables_section_is_generated(project_root, capsys):
    assert cli.main(["schema-doc"]) == 0
    generated = capsys.readouterr().out
    readme = (project_root / "README.md").read_text(encoding="utf-8")
    assert "## Tables" in readme
    assert generated in readme, "README.md is stale: paste `python -m analysis schema-doc` under ## Tables"


def test_readme_run_and_test_commands(project_root):
    readme = (project_root / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("# ReportLens\n")
    blocks = re.findall(r"```(?:bash|sh)?\n(.*?)```", readme, re.DOTALL)
    assert blocks[:2] == [
        "python3 -m venv .venv && .venv/bin/pip install -r requirements.txt && .venv/bin/streamlit run dashboard.py\n",
        "bash .ci/run\n"]


def test_python_dash_m_analysis_runs(project_root, tmp_path):
    shutil.copytree(project_root / "seeds", tmp_path / "seeds")
    proc = subprocess.run([sys.executable, "-m", "analysis", "build", "seeds", "--out", "data"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, check=False,
                          env={**os.environ, "PYTHONPATH": str(project_root)})
    assert proc.returncode == 0, proc.stderr
    assert SUMMARY.search(proc.stdout).group(1) == "5"


def test_build_word_list_options_reach_the_terms(tmp_path, capsys):
    from analysis import store

    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text("一、网络文明\n建好文明实践站点，加强舆论工作。", encoding="utf-8")
    (tmp_path / "stop.txt").write_text("舆论\n", encoding="utf-8")
    (tmp_path / "dict.txt").write_text("文明实践站点 100 n\n", encoding="utf-8")
    code, _, _ = _build(capsys, src, "--out", tmp_path / "data", "--stopwords", tmp_path / "stop.txt",
                        "--userdict", tmp_path / "dict.txt")
    terms = set(store.load(tmp_path / "data").terms["term"].astype(str))
    assert code == 0 and "文明实践站点" in terms and "舆论" not in terms
    code, _, _ = _build(capsys, src, "--out", tmp_path / "plain")
    plain = set(store.load(tmp_path / "plain").terms["term"].astype(str))
    assert "文明实践站点" not in plain and "舆论" in plain   # the shipped lists give other terms


def test_build_force_processes_every_report_again(seeds_copy, tmp_path, capsys):
    data = tmp_path / "data"
    _build(capsys, seeds_copy, "--out", data)
    assert _build(capsys, seeds_copy, "--out", data)[1] == (0, 5, 0, 0)
    code, counts, _ = _build(capsys, seeds_copy, "--out", data, "--force")
    assert (code, counts) == (0, (5, 0, 0, 0))


def test_build_waits_for_another_build_of_the_same_store_and_says_so(seeds_copy, tmp_path):
    data = tmp_path / "data"
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    holder = subprocess.Popen(
        [sys.executable, "-c", ("import sys; from analysis.store import snapshot\n"
                                f"with snapshot.lock({str(data)!r}):\n    print('held', flush=True); sys.stdin.read()")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=root)
    assert holder.stdout.readline().strip() == "held"
    build = subprocess.Popen([sys.executable, "-m", "analysis", "build", str(seeds_copy), "--out", str(data),
                              "--no-progress"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=root)
    watchdog = threading.Timer(120, build.kill)
    watchdog.start()
    try:
        said = build.stderr.readline()                   # the first thing it says: that it waits
        assert "另一个构建正在写入这个数据仓库" in said and build.poll() is None
    finally:
        holder.stdin.close()
        holder.wait(10)
    out, _ = build.communicate(timeout=120)
    watchdog.cancel()
    assert build.returncode == 0 and "loaded 5" in out


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["kill", "term"])
def test_build_workers_end_when_the_build_is_killed(seeds_copy, tmp_path, signum):
    texts = [p.read_text(encoding="utf-8") for p in sorted(seeds_copy.glob("*.txt"))]
    for i in range(60):                                   # enough work for the workers to be busy when killed
        (seeds_copy / f"copy{i:02d}.txt").write_text(texts[i % len(texts)] + f"\n第{i}份。", encoding="utf-8")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    build = subprocess.Popen([sys.executable, "-m", "analysis", "build", str(seeds_copy), "--out",
                              str(tmp_path / "data"), "--jobs", "2", "--no-progress"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=root)
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while len(workers) < 2 and time.monotonic() < deadline and build.poll() is None:
        time.sleep(0.05)
        workers = _children(build.pid)
    assert len(workers) >= 2, "the build started no workers"
    os.kill(build.pid, signum)
    build.wait(10)
    deadline = time.monotonic() + 10
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [w for w in workers if _alive(w)]
    for w in left:
        os.kill(w, signal.SIGKILL)
    assert not left, "workers outlived the killed build"
