"""The command line, through ``main([...])``: build on the seeds, inspect one report, and the docs it generates."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from analysis import cli
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
    assert (seeds_copy.parent / "data" / "manifest.json").is_file()


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
    assert not (tmp_path / "data" / "manifest.json").exists()


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
