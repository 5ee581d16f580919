"""Build benchmark: bare jieba against the full store build on the same cleaned texts, in one run.

``python -m bench.build --reports N [--jobs J] [--seed S] [--work DIR]`` generates (or reuses) a corpus under
``bench/out/`` (git-ignored), reads and cleans every report once, then times bare ``jieba.lcut``, the segmenter
``analysis.parse.segment`` makes, ``analysis.store.build`` in one process and on J processes, a no-change rebuild and a
rebuild after one file changed. Prints ``name=value`` lines; exits 1 when the store holds a wrong answer.
"""

from __future__ import annotations

import argparse
import csv
import logging
import os
import resource
import shutil
import sys
import time
from pathlib import Path

from bench.corpus import generate

WORK = Path(__file__).resolve().parent / "out"


class WrongAnswer(Exception):
    """The store does not hold what the corpus says it should."""


def corpus_dir(n: int, *, seed: int = 0, work: Path = WORK) -> Path:
    """The corpus folder for ``n`` reports and ``seed``, generated unless a complete one is there.

    Args:
        n: number of reports.
        seed: the generator's seed.
        work: the benchmark's scratch folder.
    Returns:
        the folder with the reports and manifest.csv.
    """
    folder = Path(work) / f"corpus-{n}-s{seed}"
    manifest = folder / "manifest.csv"
    if manifest.is_file():
        with open(manifest, encoding="utf-8", newline="") as fh:
            if sum(1 for _ in csv.DictReader(fh)) == n:
                return folder
    shutil.rmtree(folder, ignore_errors=True)
    return generate(n, folder, seed=seed)


def ensure_store(n: int, *, seed: int = 0, work: Path = WORK, jobs: int | None = None) -> Path:
    """A built store for the corpus of ``n`` reports (built on all cores unless ``jobs``; up to date otherwise)."""
    from analysis import store

    src = corpus_dir(n, seed=seed, work=work)
    dst = Path(work) / f"store-{n}-s{seed}"
    store.build(src, dst, jobs=jobs or os.cpu_count() or 1, progress=False)
    return dst


def read_texts(src: Path) -> list[str]:
    """Every report of ``src`` read and cleaned by ``analysis.read.report.read_report`` (unreadable ones left out)."""
    from analysis.errors import UnreadableReport
    from analysis.read.report import list_reports, read_report

    paths, _ = list_reports(src)
    texts = []
    for path in sorted(paths):
        if Path(path).name == "manifest.csv":
            continue
        try:
            texts.append(read_report(path).text)
        except UnreadableReport:
            continue
    return texts


def _rate(func, texts: list[str]) -> float:
    """Characters per second of ``func`` applied to every text."""
    started = time.perf_counter()
    for text in texts:
        func(text)
    return sum(map(len, texts)) / max(time.perf_counter() - started, 1e-9)


def _timed(func, *args, **kwargs):
    started = time.perf_counter()
    result = func(*args, **kwargs)
    return result, time.perf_counter() - started


def check_store(dst: Path, n: int, result, *, src: Path | None = None, sample: int = 3) -> int:
    """Raise WrongAnswer unless the store holds what the corpus says; returns the document count.

    Checks: documents plus failed reports make ``n``; with ``src``, every document's unit, year and period are its
    manifest.csv row's, and for the first ``sample`` documents the stored terms and theme hits equal those the
    pipeline gives for the file on its own (``analysis.store.pipeline.process_report``, ``analysis.words.themes``).
    """
    import pandas as pd

    from analysis import store
    from analysis.errors import ReportLensError
    from analysis.store.pipeline import process_report
    from analysis.words.themes import code_sections, load_codebook

    try:
        tables = store.load(dst)
    except ReportLensError as err:
        raise WrongAnswer(str(err)) from None
    docs = len(tables.documents)
    if docs + result.failed != n or docs == 0:
        raise WrongAnswer(f"{dst}: {docs} documents + {result.failed} failed != {n} reports")
    if tables.terms.empty or tables.sections.empty or tables.theme_hits.empty:
        raise WrongAnswer(f"{dst}: no terms, sections or theme hits")
    if src is None:
        return docs
    with open(src / "manifest.csv", encoding="utf-8", newline="") as fh:
        truth = {row["file"]: row for row in csv.DictReader(fh)}
    for row in tables.documents.itertuples():
        want = truth[row.file]
        if (row.unit, str(row.year), row.period) != (want["unit"], want["year"], want["period"]):
            raise WrongAnswer(f"{row.file}: stored {row.unit} {row.year} {row.period}, manifest says "
                              f"{want['unit']} {want['year']} {want['period']}")
    codebook = load_codebook()
    for row in tables.documents.head(sample).itertuples():
        alone = process_report(src / row.file, root=src, manifest_row=truth[row.file])
        stored = tables.terms[tables.terms["doc_id"] == row.doc_id].reset_index(drop=True)
        if not stored.astype(alone.terms.dtypes.to_dict()).equals(alone.terms.reset_index(drop=True)):
            raise WrongAnswer(f"{row.file}: the stored terms differ from the pipeline's on the file alone")
        hits = tables.theme_hits[tables.theme_hits["doc_id"] == row.doc_id].reset_index(drop=True)
        expected = code_sections(alone.sections, codebook)
        if not pd.Series(hits["hits"].to_numpy()).equals(pd.Series(expected["hits"].to_numpy())):
            raise WrongAnswer(f"{row.file}: the stored theme hits differ from coding its sections again")
    return docs


def run(n: int, *, jobs: int, seed: int = 0, work: Path = WORK) -> dict[str, float | int]:
    """Run every measurement once; returns the figures by name (see the module docstring)."""
    import jieba

    from analysis import store
    from analysis.parse.segment import get_segmenter

    logging.getLogger("jieba").setLevel(logging.WARNING)
    src = corpus_dir(n, seed=seed, work=work)
    texts = read_texts(src)
    chars = sum(map(len, texts))
    out: dict[str, float | int] = {"reports": n, "chars": chars, "cpus": os.cpu_count() or 1}

    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    # jieba over every text once: the odd-numbered texts before the build, the even-numbered after it, so a drift
    # in the machine's speed (other tenants, clocks) during the run weighs on both sides alike
    first, second = texts[1::2], texts[0::2]
    jieba_s = sum(map(len, first)) / _rate(tokenizer.lcut, first) if first else 0.0
    segmenter = get_segmenter()
    segmenter.segment("预热")
    out["segmenter_chars_per_s"] = _rate(segmenter.segment, texts)

    single, parallel = Path(work) / f"bench-single-{n}", Path(work) / f"bench-parallel-{n}"
    for folder in (single, parallel):
        shutil.rmtree(folder, ignore_errors=True)
    result, full_s = _timed(store.build, src, single, jobs=1, progress=False)
    jieba_s += sum(map(len, second)) / _rate(tokenizer.lcut, second)
    out["jieba_chars_per_s"] = chars / jieba_s
    docs = check_store(single, n, result, src=src)
    out["documents"] = docs
    out["failed"] = result.failed
    out["build_s"] = full_s
    out["build_chars_per_s"] = chars / full_s
    out["build_vs_jieba"] = out["build_chars_per_s"] / out["jieba_chars_per_s"]
    out["build_vs_segmenter"] = out["build_chars_per_s"] / out["segmenter_chars_per_s"]

    result_p, parallel_s = _timed(store.build, src, parallel, jobs=jobs, progress=False)
    if check_store(parallel, n, result_p) != docs or store.version(parallel) != store.version(single):
        raise WrongAnswer(f"{parallel}: the parallel build's tables differ from the single-process build's")
    out["jobs"] = jobs
    out["parallel_build_s"] = parallel_s
    out["parallel_speedup"] = full_s / parallel_s

    noop, noop_s = _timed(store.build, src, single, jobs=1, progress=False)
    if noop.loaded or noop.wrote:
        raise WrongAnswer(f"no-change rebuild loaded {noop.loaded} reports, wrote files: {noop.wrote}")
    out["noop_rebuild_s"] = noop_s
    out["noop_rebuild_share"] = noop_s / full_s

    changed = next(p for p in sorted(src.glob("*.txt")))
    original = changed.read_bytes()
    try:
        changed.write_bytes(original + "\n今年以来，宣传工作持续加强。\n".encode())
        one, one_s = _timed(store.build, src, single, jobs=1, progress=False)
    finally:
        changed.write_bytes(original)
        os.utime(changed)
    if one.loaded != 1:
        raise WrongAnswer(f"rebuild after one changed file loaded {one.loaded} reports, not 1")
    out["one_file_rebuild_s"] = one_s
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["peak_rss_workers_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return out


def format_figures(figures: dict[str, float | int]) -> list[str]:
    """``name=value`` lines: integers as they are, rates rounded, ratios and seconds to 3 decimals."""
    lines = []
    for name, value in figures.items():
        if isinstance(value, int):
            lines.append(f"{name}={value}")
        elif name.endswith("chars_per_s"):
            lines.append(f"{name}={value:.0f}")
        else:
            lines.append(f"{name}={value:.3f}")
    return lines


GROWTH = ("build_s", "parallel_build_s", "noop_rebuild_s", "one_file_rebuild_s", "peak_rss_mb", "build_chars_per_s")
"""Figures whose growth from the smallest to the largest N is printed."""


def size_label(n: int) -> str:
    """1000 → '1k', 10000 → '10k', 200 → '200'."""
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else str(n)


def growth_lines(by_n: dict[int, dict[str, float | int]], names: tuple[str, ...]) -> list[str]:
    """``growth_<big>_over_<small>_<name>=ratio`` for each name, from the smallest to the largest N."""
    if len(by_n) < 2:
        return []
    small, big = min(by_n), max(by_n)
    tag = f"growth_{size_label(big)}_over_{size_label(small)}"
    return [f"{tag}_{name}={by_n[big][name] / by_n[small][name]:.3f}" for name in names
            if by_n[small].get(name) and name in by_n[big]]


def parse_sizes(text: str) -> list[int]:
    """'1000,10000' → [1000, 10000]; every size a positive integer."""
    sizes = [int(x) for x in text.split(",") if x.strip()]
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"expected positive report counts such as 1000,10000, got {text!r}")
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.build", description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=parse_sizes, required=True, help="report count, or a list: 1000,10000")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes of the parallel build")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work", default=str(WORK), help="scratch folder for corpus and stores (bench/out)")
    args = parser.parse_args(argv)
    by_n: dict[int, dict[str, float | int]] = {}
    for n in args.reports:
        try:
            by_n[n] = run(n, jobs=args.jobs, seed=args.seed, work=Path(args.work))
        except WrongAnswer as err:
            print(f"wrong answer: {err}", file=sys.stderr)
            return 1
        prefix = f"n{n}_" if len(args.reports) > 1 else ""
        print("\n".join(prefix + line for line in format_figures(by_n[n])), flush=True)
    lines = growth_lines(by_n, GROWTH)
    if lines:
        print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
