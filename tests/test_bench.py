"""The corpus generator and the build benchmark at a tiny size: deterministic corpora, every figure printed, and
a wrong answer (not a slow one) fails the run. CI also runs both benchmarks at N = 200 (see .ci/run)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from bench import build as bench_build
from bench.corpus import MANIFEST_COLUMNS, SHARED, generate

pytestmark = pytest.mark.skipif(not (SHARED / "seeds").is_dir(), reason="../shared is not beside the repository")


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.suffix in (".txt", ".csv")}


def test_corpus_is_deterministic_and_has_a_manifest(tmp_path):
    a = generate(24, tmp_path / "a", seed=3, docx_every=6)
    b = generate(24, tmp_path / "b", seed=3, docx_every=6)
    c = generate(24, tmp_path / "c", seed=4, docx_every=6)
    assert _files(a) == _files(b) != _files(c)
    with open(a / "manifest.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 24 and tuple(rows[0]) == MANIFEST_COLUMNS
    assert {r["file"] for r in rows} == {p.name for p in a.iterdir() if p.suffix in (".txt", ".docx")}
    assert sum(r["file"].endswith(".docx") for r in rows) == 4
    assert all(2013 <= int(r["year"]) <= 2025 and r["period"] in ("H1", "annual") for r in rows)
    assert len({r["unit_level"] for r in rows}) >= 2
    assert len({(r["unit"], r["year"], r["period"]) for r in rows}) == 24   # no unit reports a period twice
    for unit in {r["unit"] for r in rows}:   # each unit: H1 and annual of consecutive years
        years = sorted({int(r["year"]) for r in rows if r["unit"] == unit})
        assert years == list(range(years[0], years[-1] + 1))


def test_corpus_reports_look_like_reports(tmp_path):
    from analysis.store.pipeline import process_report

    folder = generate(40, tmp_path / "c", seed=1, docx_every=0)
    for path in sorted(folder.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        assert 3_000 <= len(text) <= 30_000, path.name
        tables = process_report(path, root=folder)
        tops = tables.sections[tables.sections["level"] == 1]
        assert len(tops) >= 2 and set(tops["kind"]) & {"achievements", "problems", "plans"}
        assert len(tables.terms) > 100 and len(tables.figures) > 0


def test_build_benchmark_prints_every_figure(tmp_path, capsys):
    assert bench_build.main(["--reports", "8,10", "--jobs", "2", "--work", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    figures = dict(line.split("=", 1) for line in out.splitlines())
    for n in (8, 10):
        for name in ("build_vs_jieba", "build_vs_segmenter", "parallel_speedup", "noop_rebuild_share",
                     "one_file_rebuild_s", "peak_rss_mb", "jieba_chars_per_s"):
            assert float(figures[f"n{n}_{name}"]) > 0, name
        assert int(figures[f"n{n}_documents"]) + int(figures[f"n{n}_failed"]) == n
    assert float(figures["growth_10_over_8_build_s"]) > 0
    assert all(re.fullmatch(r"[a-z0-9_]+=[-0-9.e+]+", line) for line in out.splitlines())


def test_build_benchmark_fails_on_a_wrong_answer(tmp_path, monkeypatch, capsys):
    from analysis.store import core as store

    real = store.process_file

    def miscounting(path, **kwargs):  # a pipeline that counts every term once too often
        cols = real(path, **kwargs)
        cols["terms"]["count"] = [c + 1 for c in cols["terms"]["count"]]
        return cols

    monkeypatch.setattr(store, "process_file", miscounting)
    assert bench_build.main(["--reports", "4", "--jobs", "1", "--work", str(tmp_path)]) == 1
    assert "wrong answer" in capsys.readouterr().err


def test_growth_and_size_labels():
    assert bench_build.size_label(1000) == "1k" and bench_build.size_label(200) == "200"
    lines = bench_build.growth_lines({1000: {"build_s": 2.0}, 10000: {"build_s": 21.0}}, ("build_s",))
    assert lines == ["growth_10k_over_1k_build_s=10.500"]
    with pytest.raises(Exception, match="positive report counts"):
        bench_build.parse_sizes("0")
