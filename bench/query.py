"""Query benchmark: cold store load and every analysis call a dashboard page makes, under random filters.

``python -m bench.query --reports N[,N2…] [--seed S] [--runs 30] [--work DIR]`` ensures the store of the synthetic
corpus (``bench.build.ensure_store``), times the cold open in a fresh subprocess (imports, ``store.load``,
``with_themes``: what the dashboard does on first open), then calls every function the pages call ``--runs`` times
with seeded random filters (year ranges, periods, levels, regions, units, kinds, two-group comparisons, KWIC queries
from frequent terms) and prints ``name=value`` lines: ``q_<func>_p50_ms``, ``q_<func>_p95_ms``, ``worst_p95_ms``,
``worst_query``, ``cold_load_s``, ``cold_load_rss_mb``, ``rss_mb`` (peak). With several N the lines are prefixed
``n<N>_`` and ``growth_<big>_over_<small>_<name>`` lines follow; each N is then measured in its own interpreter,
so that its RSS is its own.

Answers are checked (exit 1 on a wrong one: theme hits, term counts and KWIC matches of small subsets recomputed a
second, simple way; invariants on every call), never times.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import random
import resource
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bench.build import WORK, ensure_store

ROOT = Path(__file__).resolve().parent.parent
COLD_SCRIPT = """
import json, resource, sys, time
t0 = time.perf_counter()
from analysis import store
from analysis.words.themes import load_codebook, with_themes
tables = with_themes(store.load(sys.argv[1]), load_codebook())
t1 = time.perf_counter()
print(json.dumps({"open_s": t1 - t0, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "documents": len(tables.documents)}))
"""


class WrongAnswer(Exception):
    """A query returned an answer that the simple recomputation or an invariant contradicts."""


@dataclasses.dataclass(frozen=True)
class Case:
    """The arguments of one run: a sidebar filter, two groups, a KWIC query, a report and a theme."""

    flt: Any
    a: Any
    b: Any
    year_a: int | None
    year_b: int | None
    year_base: Any
    query: str
    docs: tuple[str, ...]
    theme: str
    by_freq: str
    by_dist: str
    weighting: str
    top: int
    export: str


# ------------------------------------------------------------------------------------------------ random cases


def random_filter(rng: random.Random, documents: pd.DataFrame, *, kinds: bool = True):
    """A sidebar-like filter: each field set with some probability from the values in the data."""
    from analysis.query.filters import Filter
    from analysis.schema import KINDS

    kw: dict[str, Any] = {}
    years = sorted({int(y) for y in documents["year"].dropna()})
    if years and rng.random() < 0.5:
        lo, hi = sorted(rng.sample(years, 2) if len(years) > 1 else [years[0], years[0]])
        kw["year_from"], kw["year_to"] = lo, hi
    for field, column, p, most in (("levels", "unit_level", 0.3, 2), ("regions", "region", 0.3, 3),
                                   ("units", "unit", 0.15, 3), ("periods", "period", 0.15, 1)):
        values = sorted({str(v) for v in documents[column].dropna()})
        if values and rng.random() < p:
            kw[field] = tuple(rng.sample(values, rng.randint(1, min(most, len(values)))))
    if kinds and rng.random() < 0.25:
        kw["kinds"] = tuple(rng.sample(list(KINDS), rng.randint(1, 3)))
    return Filter(**kw)


def make_cases(tables, n: int, seed: int, frequent: list[str]) -> list[Case]:
    """``n`` seeded cases; the first has the empty filter (the page as first opened)."""
    from analysis.export import EXPORTS
    from analysis.query.filters import Filter

    rng = random.Random(seed)
    docs = tables.documents
    years = sorted({int(y) for y in docs["year"].dropna()})
    units = sorted({str(u) for u in docs["unit"].dropna()})
    levels = sorted({str(v) for v in docs["unit_level"].dropna()})
    exports = [e for e in EXPORTS if e not in ("similarity", "boilerplate")]
    cases = []
    for i in range(n):
        flt = Filter() if i == 0 else random_filter(rng, docs)
        chosen = flt.apply(docs)
        if chosen.empty:
            flt, chosen = Filter(), docs
        base = dataclasses.replace(flt, year_from=None, year_to=None, years=())
        dim = rng.choice(["years", "units", "levels"])
        pool = {"years": years, "units": units, "levels": levels}[dim]
        va, vb = sorted(rng.sample(pool, 2)) if len(pool) > 1 else (pool[0], pool[0])
        a, b = (dataclasses.replace(base if dim == "years" else flt, **{dim: (v,)}) for v in (va, vb))
        ya, yb = sorted(rng.sample(years, 2)) if len(years) > 1 else (years[0], years[0])
        query = rng.choice(frequent) if rng.random() < 0.8 else "|".join(rng.sample(frequent, 2))
        ids = list(chosen["doc_id"])
        picked = tuple(rng.sample(ids, min(len(ids), rng.choice([1, 2, 3]))))
        cases.append(Case(flt=flt, a=a, b=b, year_a=ya, year_b=yb, year_base=base, query=query, docs=picked,
                          theme=rng.choice(list(tables.codebook.ids)), by_freq=rng.choice(["all", "year", "unit"]),
                          by_dist=rng.choice(["unit", "document"]), weighting=rng.choice(["count", "per_10k"]),
                          top=rng.choice([10, 30, 50, 100]), export=rng.choice(exports)))
    return cases


def frequent_terms(tables, k: int = 200) -> list[str]:
    """The ``k`` most frequent multi-character terms of the corpus (KWIC queries are drawn from them)."""
    from analysis.query import index

    idx = index.term_index(tables)
    order = np.argsort(-idx.corpus, kind="stable")
    return [str(t) for t in idx.vocab[order] if len(str(t)) >= 2][:k]


# ------------------------------------------------------------------------------------------------ the queries


def _profile(t, docs):
    from analysis.tables import views
    from analysis.words.themes import section_theme_profile

    secs = views.doc_slice(t.sections, docs)   # as the structure and compare pages cut them
    return secs, section_theme_profile(views.doc_slice(t.theme_hits, docs), secs, by="subtree", codebook=t.codebook)


def _outline(t, c: Case):
    from analysis.tables import views

    _, prof = _profile(t, c.docs[:1])
    return views.outline_rows(t.sections, prof, c.docs[0], t.codebook.names())


def _aligned(t, c: Case):
    from analysis.tables import views
    from analysis.tables.kwic import document_texts

    secs, prof = _profile(t, c.docs)
    document_texts(secs)
    return views.aligned_sections(t.sections, list(c.docs), by="theme", profile=prof)


def _rank_shift(t, c: Case):
    from analysis.tables import keyness

    if c.year_a == c.year_b:
        return None
    return keyness.rank_shift(t, c.year_a, c.year_b, top=c.top, flt=c.year_base)


def _export(t, c: Case):
    """The data page's export table: its first rows and its length (the whole table is made on a download)."""
    from analysis import export
    from analysis.query.filters import Filter

    groups = (Filter(years=(c.year_a,)), Filter(years=(c.year_b,))) if c.year_a != c.year_b else None
    if export.EXPORTS[c.export].needs == "groups" and groups is None:
        return None
    try:
        return export.preview_table(c.export, t, c.flt, query=c.query, groups=groups)
    except ValueError as err:   # a comparison group without reports: the page shows the message
        if "has no terms" in str(err):
            return None
        raise


def download_figures(t) -> dict[str, float]:
    """A download as big as the page offers: the CSV of the first ``EXCEL_MAX_ROWS`` TERMS rows (or all of
    them), made as the download button makes it; its rows, seconds and rows per second."""
    from analysis import export

    rows = min(export.preview_table("terms", t, rows=0).total, export.EXCEL_MAX_ROWS)
    started = time.perf_counter()
    frame = export.preview_table("terms", t, rows=rows).frame
    data = export.export_csv(frame, labels=export.labels_for("terms"))
    seconds = time.perf_counter() - started
    lines = data.count(b"\r\n") - 1
    if lines != rows:
        raise WrongAnswer(f"download: {lines} CSV lines for {rows} TERMS rows")
    return {"download_csv_rows": rows, "download_csv_s": seconds, "download_csv_rows_per_s": rows / seconds,
            "download_csv_mb": len(data) / 2**20}


def _term_shift(t, c: Case):
    from analysis.tables import keyness

    try:
        return keyness.term_shift(t, c.a, c.b)
    except ValueError as err:   # a group without reports: the page shows the message
        if "has no terms" in str(err):
            return None
        raise


def queries() -> dict[str, Callable[[Any, Case], Any]]:
    """Query name → a call as a page makes it (modules looked up at call time, so tests can patch them)."""
    from analysis.tables import cloud, coverage, explore, keyness, kwic, maps, reuse, views

    return {
        "theme_frequency": lambda t, c: coverage.theme_frequency(t, c.flt, by=c.by_freq, weighting=c.weighting),
        "theme_coverage": lambda t, c: coverage.theme_coverage(t, c.flt),
        "kind_coverage": lambda t, c: coverage.kind_coverage(t, c.flt),
        "theme_shift": lambda t, c: coverage.theme_shift(t, c.flt, by="year" if c.top < 50 else "unit_year"),
        "ledger": lambda t, c: coverage.ledger(t, c.flt),
        "plan_followup": lambda t, c: coverage.plan_followup(t, c.flt),
        "distinctive_preview": lambda t, c: keyness.distinctive_preview(t, by=c.by_dist, top=10, flt=c.flt,
                                                                        rows=SHOW_ROWS),
        "rank_shift": _rank_shift,
        "term_shift": _term_shift,
        "term_timeline": lambda t, c: keyness.term_timeline(t, flt=c.flt),
        "top_terms": lambda t, c: keyness.top_terms(t, c.flt, top=c.top, weighting=c.weighting),
        "wordcloud_frequencies": lambda t, c: keyness.wordcloud_frequencies(t, c.flt, top=200),
        "kwic": lambda t, c: kwic.kwic(t, c.query, flt=c.flt, window=30, top=1000),
        "boilerplate": lambda t, c: reuse.boilerplate(t, c.flt),
        "export_preview": _export,
        "filter_apply": lambda t, c: c.flt.apply(t.documents),
        "corpus_counts": lambda t, c: views.corpus_counts(c.flt.apply(t.documents)),
        "ledger_grid": lambda t, c: views.ledger_grid(coverage.ledger(t, c.flt)),
        "theme_passages": lambda t, c: views.theme_passages(t.sections, c.docs[0], c.theme, t.codebook),
        "outline_rows": _outline,
        "aligned_sections": _aligned,
        "word_trend": lambda t, c: explore.word_trend(t, c.query, c.flt, by=None if c.top < 50 else "unit"),
        "passages_word": lambda t, c: explore.passages(t, c.flt, query=c.query, group={"year": c.year_a}),
        "passages_theme": lambda t, c: explore.passages(t, c.flt, theme=c.theme, group={"year": c.year_a}),
        "passages_cell": lambda t, c: explore.passages(t, c.flt, theme=c.theme, group={"doc_id": c.docs[0]}),
        "cooccurrence": lambda t, c: maps.cooccurrence(t, c.flt, top=max(c.top, 20) if c.top <= 50 else 40),
        "correspondence": _correspondence,
        "cloud_terms": lambda t, c: cloud.cloud_terms(t, c.flt, top=200, exclude=("工作", "宣传")),
    }


def _correspondence(t, c: Case):
    from analysis.tables import maps

    try:
        return maps.correspondence(t, c.flt, rows="unit" if c.top < 50 else "year",
                                   columns="themes" if c.weighting == "count" else "terms")
    except ValueError as err:   # fewer than 3 groups under the filter: the page says so
        if "至少需要" in str(err):
            return None
        raise


SHOW_ROWS = 5_000
"""Rows a page table shows (``ui.SHOW_ROWS``; ui imports Streamlit, so the figure is repeated here)."""


def clicks() -> dict[str, Callable[[Any, Case], Any]]:
    """Calls a page makes only when a download button is clicked (timed, printed as ``click_<name>_p50_ms`` and
    ``_p95_ms``, and not counted in ``worst_p95_ms``, which is about what a filter change costs)."""
    from analysis import briefing
    from analysis.tables import keyness

    return {"distinctive": lambda t, c: keyness.distinctive(t, by=c.by_dist, top=10, flt=c.flt),
            "briefing_content": lambda t, c: briefing.briefing(t, c.flt),
            "briefing_docx_no_charts": lambda t, c: briefing.briefing_docx(briefing.briefing(t, c.flt), charts={})}


# ------------------------------------------------------------------------------------------------ checks


NON_NEGATIVE = ("hits", "count", "n_docs", "n_reports", "n_units", "chars", "n_a", "n_b", "n_sections", "plan_hits", "next_hits",
                "heading_hits", "body_hits", "count_a", "count_b")


def check_invariants(name: str, t, c: Case, result: Any) -> None:
    """Raise WrongAnswer when a result breaks a rule that holds for any filter."""
    if isinstance(result, pd.DataFrame):
        for col in NON_NEGATIVE:
            if col in result.columns and len(result) and (pd.to_numeric(result[col], errors="coerce") < 0).any():
                raise WrongAnswer(f"{name}: negative {col} under {c.flt}")
    if name == "ledger":
        want = len(c.flt.apply(t.documents))
        if int(result["n_docs"].sum()) != want:
            raise WrongAnswer(f"ledger: {int(result['n_docs'].sum())} reports, the filter selects {want} ({c.flt})")
    if name == "theme_frequency" and c.by_freq == "all" and len(result):
        want = len(c.flt.apply(t.documents))
        if set(result["n_reports"]) != {want}:
            raise WrongAnswer(f"theme_frequency: n_reports {set(result['n_reports'])} != {want} selected ({c.flt})")
    if name == "kind_coverage":
        docs = set(c.flt.apply(t.documents)["doc_id"])
        if set(result["doc_id"]) != docs:
            raise WrongAnswer(f"kind_coverage: rows for {len(set(result['doc_id']))} reports, {len(docs)} selected")
    if name in ("passages_word", "passages_theme", "passages_cell"):
        check_passages(name, t, c, result)
    if name == "wordcloud_frequencies" and any(v <= 0 for v in result.values()):
        raise WrongAnswer("wordcloud_frequencies: a count that is not positive")


def check_passages(name: str, t, c: Case, result: pd.DataFrame) -> None:
    """A click's passages are as many as the number clicked: the trend point's matches, the bar's or cell's hits."""
    from analysis.tables import coverage, explore

    if name == "passages_word":
        trend = explore.word_trend(t, c.query, c.flt).set_index("year")
        want = int(trend["count"].get(c.year_a, 0) or 0) if c.year_a in trend.index else 0
    elif name == "passages_theme":
        tf = coverage.theme_frequency(t, c.flt, by="year")
        row = tf[(tf["year"] == c.year_a) & (tf["theme"] == c.theme)]
        want = int(row["hits"].sum())
    else:
        cov = coverage.theme_coverage(t, c.flt)
        row = cov[(cov["doc_id"] == c.docs[0]) & (cov["theme"] == c.theme)]
        want = int(row["hits"].sum())
    if len(result) != want:
        raise WrongAnswer(f"{name}: {len(result)} passages, the chart's number is {want} ({c.flt})")


def _subset_sections(t, flt) -> pd.DataFrame:
    ids = set(flt.apply(t.documents)["doc_id"])
    secs = t.sections[t.sections["doc_id"].isin(ids)]
    if flt.kinds:
        secs = secs[secs["kind"].isin(flt.kinds)]
    return secs


def reference_term_counts(t, flt) -> Counter:
    """Term → count in the filter's sections, summed row by row from the TERMS rows of its reports (the simple
    way; the rows as the data page exports them, read from the store's file)."""
    from analysis import export

    wanted = set(_subset_sections(t, flt)["section_id"])
    out: Counter = Counter()
    sub = export.export_table("terms", t, dataclasses.replace(flt, kinds=()))
    for sid, term, n in zip(sub["section_id"], sub["term"], sub["count"], strict=True):
        if sid in wanted:
            out[str(term)] += int(n)
    return out


def check_subset(t, flt, query: str, results: dict[str, Any]) -> None:
    """Compare the answers for a small subset with a second, simple computation; raise WrongAnswer."""
    from analysis.words.themes import code_sections

    secs = _subset_sections(t, flt)
    ref_hits = code_sections(secs, t.codebook).groupby("theme")["hits"].sum()
    tf = results["theme_frequency"]
    got = tf.set_index("theme")["hits"]
    for theme in t.codebook.ids:
        if int(got.get(theme, 0)) != int(ref_hits.get(theme, 0)):
            raise WrongAnswer(f"theme_frequency: {theme} has {int(got.get(theme, 0))} hits under {flt}, "
                              f"recounted {int(ref_hits.get(theme, 0))}")
    ref_terms = reference_term_counts(t, flt)
    tt = results["top_terms"]
    got_terms = dict(zip(tt["term"].astype(str), tt["count"].astype(int), strict=True))
    if got_terms != dict(ref_terms):
        diff = next(iter(set(got_terms.items()) ^ set(ref_terms.items())), None)
        raise WrongAnswer(f"top_terms: counts under {flt} differ from the TERMS rows (e.g. {diff})")
    cloud = results["wordcloud_frequencies"]
    if any(ref_terms.get(k) != v for k, v in cloud.items()) or (
            cloud and len(cloud) < len(ref_terms) and min(cloud.values()) < sorted(ref_terms.values())[-len(cloud)]):
        raise WrongAnswer(f"wordcloud_frequencies: not the top terms of {flt} with their counts")
    words = query.split("|")
    # KWIC finds a word in either script: count it in the texts' Simplified form
    from analysis.read.script import to_simplified

    want = sum(to_simplified(str(text)).count(to_simplified(w)) for text in secs["text"].fillna("") for w in words)
    got_kwic = len(results["kwic"])
    if got_kwic != want:
        raise WrongAnswer(f"kwic: {got_kwic} matches of {query!r} under {flt}, str.count (Simplified) finds {want}")
    kc = results["kind_coverage"]
    secs = _subset_sections(t, dataclasses.replace(flt, kinds=()))
    own = secs.assign(n=secs["text"].fillna("").str.len()).groupby("doc_id")["n"].sum()
    got_chars = kc.groupby("doc_id")["chars"].sum()
    if not own.reindex(got_chars.index, fill_value=0).astype(int).equals(got_chars.astype(int)):
        raise WrongAnswer(f"kind_coverage: characters per report under {flt} differ from the sections' texts")


def run_checks(t, seed: int, frequent: list[str], *, subsets: int = 3) -> None:
    """Check the answers on ``subsets`` small subsets (one unit each, some with a kind)."""
    from analysis.query.filters import Filter
    from analysis.tables import coverage, keyness, kwic

    rng = random.Random(seed + 1)
    units = sorted({str(u) for u in t.documents["unit"].dropna()})
    for i in range(subsets):
        flt = Filter(units=(rng.choice(units),), kinds=(("achievements", "plans")[i % 2],) if i else ())
        query = rng.choice(frequent)
        results = {"theme_frequency": coverage.theme_frequency(t, flt, by="all", weighting="count"),
                   "top_terms": keyness.top_terms(t, flt, top=None),
                   "wordcloud_frequencies": keyness.wordcloud_frequencies(t, flt, top=50),
                   "kwic": kwic.kwic(t, query, flt=flt, window=5),
                   "kind_coverage": coverage.kind_coverage(t, dataclasses.replace(flt, kinds=()))}
        check_subset(t, flt, query, results)


# ------------------------------------------------------------------------------------------------ measuring


def cold_open(store_dir: Path) -> dict[str, float]:
    """Open the store in a fresh interpreter as the dashboard does; wall time (with interpreter start) and RSS."""
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", COLD_SCRIPT, str(store_dir)], cwd=ROOT, capture_output=True,
                          text=True, check=False)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{store_dir}: cold open failed:\n{proc.stderr[-2000:]}")
    info = json.loads(proc.stdout.strip().splitlines()[-1])
    return {"cold_load_s": wall, "cold_open_in_process_s": info["open_s"], "cold_load_rss_mb": info["rss_mb"]}


def describe(name: str, case: Case) -> str:
    """A case in a few words for the progress line: the filter's fields that are set, and the query's choice."""
    flt = {k: v for k, v in dataclasses.asdict(case.flt).items() if v not in (None, ())}
    shown = ", ".join(f"{k}={v if len(str(v)) < 40 else str(v)[:37] + '...'}" for k, v in flt.items()) or "all reports"
    extra = {"export_preview": f"export={case.export}", "distinctive_preview": f"by={case.by_dist}",
             "distinctive": f"by={case.by_dist}", "theme_frequency": f"by={case.by_freq}"}.get(name)
    return f"{extra}; {shown}" if extra else shown


def progress(message: str) -> None:
    """One line on stderr (a national-scale run takes many minutes): the message and this process's RSS now/peak."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{time.strftime('%H:%M:%S')} {message} (rss {rss_now_mb():,.0f} MB, peak {peak:,.0f} MB)", file=sys.stderr,
          flush=True)


def rss_now_mb() -> float:
    """The resident set size of this process now, in MB (Linux /proc)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def measure(n: int, *, seed: int = 0, runs: int = 30, work: Path = WORK, only: set[str] | None = None,
            jobs: int | None = None, budget_s: float = 30.0) -> dict[str, float | int | str]:
    """Every figure for the store of ``n`` reports (see the module docstring); raises WrongAnswer.

    A query stops being timed once its runs took ``budget_s`` seconds (at least one run); ``q_<name>_runs`` then
    says how many were made.
    """
    from analysis import store
    from analysis.words.themes import load_codebook, with_themes

    dst = ensure_store(n, seed=seed, work=work, jobs=jobs)
    out: dict[str, float | int | str] = {"reports": n}
    out.update(cold_open(dst))
    started = time.perf_counter()
    t = with_themes(store.load(dst), load_codebook())
    out["load_s"] = time.perf_counter() - started
    out["documents"] = len(t.documents)
    progress(f"n={n} loaded in {out['load_s']:.1f} s")
    frequent = frequent_terms(t)
    cases = make_cases(t, runs, seed, frequent)
    times: dict[str, list[float]] = {}
    on_click = clicks()
    for name, call in {**queries(), **on_click}.items():
        if only and name not in only:
            continue
        times[name] = []
        for case in cases:
            if sum(times[name]) > budget_s:
                break
            if name in ("outline_rows", "aligned_sections", "theme_passages") and not case.docs:
                continue
            started = time.perf_counter()
            try:
                result = call(t, case)
            except Exception as err:   # a crash is a wrong answer
                raise WrongAnswer(f"{name} raised {type(err).__name__}: {err} under {case.flt}") from err
            times[name].append(time.perf_counter() - started)
            check_invariants(name, t, case, result)
        slowest = int(np.argmax(times[name])) if times[name] else None
        progress(f"n={n} {name}: {len(times[name])} runs, slowest {max(times[name], default=0):.2f} s"
                 + ("" if slowest is None else f" ({describe(name, cases[slowest])})"))
    run_checks(t, seed, frequent)
    if not only or "export_preview" in only:
        out.update(download_figures(t))
    worst, worst_name = -1.0, ""
    for name, values in times.items():
        if not values:
            continue
        p50, p95 = (float(np.percentile(values, q)) * 1000 for q in (50, 95))
        tag = "click" if name in on_click else "q"
        out[f"{tag}_{name}_p50_ms"], out[f"{tag}_{name}_p95_ms"] = p50, p95
        if len(values) < len(cases):
            out[f"{tag}_{name}_runs"] = len(values)
        if tag == "q" and p95 > worst:
            worst, worst_name = p95, name
    out["worst_p95_ms"], out["worst_query"] = worst, worst_name
    out["rss_now_mb"] = rss_now_mb()
    out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    del t
    gc.collect()
    return out


# ------------------------------------------------------------------------------------------------ printing


def size_label(n: int) -> str:
    """1000 → '1k', 10000 → '10k', 200 → '200'."""
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else str(n)


def format_value(value: float | str) -> str:
    if isinstance(value, (int, str)):
        return str(value)
    return f"{value:.3f}" if abs(value) < 100 else f"{value:.1f}"


GROWTH_SKIP = ("reports", "documents", "worst_query")


def format_figures(per_n: dict[int, dict[str, float | int | str]]) -> list[str]:
    """``name=value`` lines: unprefixed for one N; ``n<N>_`` prefixed plus growth lines for several."""
    sizes = sorted(per_n)
    if len(sizes) == 1:
        return [f"{k}={format_value(v)}" for k, v in per_n[sizes[0]].items()]
    lines = [f"n{n}_{k}={format_value(v)}" for n in sizes for k, v in per_n[n].items()]
    small = sizes[0]
    for big in sizes[1:]:
        for k, v in per_n[big].items():
            base = per_n[small].get(k)
            if k in GROWTH_SKIP or k.endswith("_runs") or isinstance(v, str) or not isinstance(base, (int, float)) or not base:
                continue
            lines.append(f"growth_{size_label(big)}_over_{size_label(small)}_{k}={v / base:.2f}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.query", description=__doc__.splitlines()[0])
    parser.add_argument("--reports", required=True, help="N or a comma list (1000,10000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runs", type=int, default=30, help="random filters per query")
    parser.add_argument("--work", default=str(WORK), help="scratch folder for corpus and stores (bench/out)")
    parser.add_argument("--only", default="", help="comma list of query names to time (all when empty)")
    parser.add_argument("--jobs", type=int, default=None, help="processes for building a missing store")
    parser.add_argument("--budget-s", type=float, default=30.0, help="stop timing a query after this many seconds")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)   # one N's figures, for measure_apart
    args = parser.parse_args(argv)
    sizes = sorted({int(x) for x in args.reports.split(",") if x.strip()})
    only = {x.strip() for x in args.only.split(",") if x.strip()} or None
    per_n = {}
    try:
        for n in sizes:
            if len(sizes) > 1:
                per_n[n] = measure_apart(n, argv_for(args, n))
            else:
                per_n[n] = measure(n, seed=args.seed, runs=args.runs, work=Path(args.work), only=only,
                                   jobs=args.jobs, budget_s=args.budget_s)
    except WrongAnswer as err:
        print(f"wrong answer: {err}", file=sys.stderr)
        return 1
    print(json.dumps(per_n[sizes[0]]) if args.json else "\n".join(format_figures(per_n)))
    return 0


def argv_for(args: argparse.Namespace, n: int) -> list[str]:
    """The command line that measures one size ``n`` with the other options of ``args``."""
    out = ["--reports", str(n), "--seed", str(args.seed), "--runs", str(args.runs), "--work", str(args.work),
           "--budget-s", str(args.budget_s), "--json"]
    if args.only:
        out += ["--only", args.only]
    if args.jobs is not None:
        out += ["--jobs", str(args.jobs)]
    return out


def measure_apart(n: int, argv: list[str]) -> dict[str, float | int | str]:
    """``measure`` for one size in a fresh interpreter, so each size's ``rss_mb`` is its own (a process that
    measured a smaller store first keeps some of that memory) and the sizes do not warm each other's caches."""
    proc = subprocess.run([sys.executable, "-m", "bench.query", *argv], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                          check=False)                       # its progress and any wrong answer go to our stderr
    if proc.returncode == 1:
        raise WrongAnswer(f"at n={n} (the line above)")
    if proc.returncode != 0:
        raise RuntimeError(f"bench.query at n={n} failed with exit code {proc.returncode}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    sys.exit(main())
