"""Many browser sessions at once: every page opened by each of N concurrent Chromium sessions, on one server.

``python -m bench.sessions [--sessions 20] [--reports 0]`` copies the seeds (or, with ``--reports N``, the bench
corpus of N reports) into a scratch workspace with no store, starts ``streamlit run dashboard.py`` on it, and opens
N sessions at once (one browser context each, as N people would): each opens the first page (all of them finding
the store missing, so they share one build: the store's lock), then every page of the navigation in turn. A page
is timed from ``goto`` until the app's run state is ``notRunning``. Prints ``sessions``, ``pages_opened``,
``page_errors`` (Streamlit exceptions shown), ``slowest_page``, ``slowest_page_p50_s`` and ``slowest_page_max_s``
(the page with the highest median), ``first_open_max_s``, ``store_snapshots`` (1 when the sessions shared one
store), ``server_rss_peak_mb`` and ``server_rss_end_mb`` (the server's resident memory, sampled every 0.2 s).
Not run in CI.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from bench.browser import CHROMIUM, IDLE, start_server, stop_server

ROOT = Path(__file__).resolve().parent.parent


def page_paths() -> list[str]:
    """The URL paths of dashboard.py's pages, in navigation order ("" for the first)."""
    tree = ast.parse((ROOT / "dashboard.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "PAGES":
            paths = [Path(p).stem for p, _ in ast.literal_eval(node.value)]
            return ["", *paths[1:]]
    raise RuntimeError("dashboard.py has no PAGES")


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


async def _session(browser, url: str, paths: list[str], timings: dict[str, list[float]], errors: list[str]) -> None:
    context = await browser.new_context(viewport={"width": 1440, "height": 1200})
    context.set_default_timeout(600_000)
    page = await context.new_page()
    for path in paths:
        started = time.perf_counter()
        await page.goto(f"{url}/{path}", wait_until="commit", timeout=600_000)
        await page.wait_for_selector("[data-testid='stApp']", timeout=600_000)
        await page.wait_for_selector(IDLE, timeout=600_000)
        timings.setdefault(path or "overview", []).append(time.perf_counter() - started)
        for text in await page.locator("[data-testid='stException']").all_inner_texts():
            errors.append(f"{path}: {text[:200]}")
    await context.close()


async def _run(url: str, sessions: int, paths: list[str]) -> tuple[dict[str, list[float]], list[str]]:
    from playwright.async_api import async_playwright

    timings: dict[str, list[float]] = {}
    errors: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                          args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        await asyncio.gather(*(_session(browser, url, paths, timings, errors) for _ in range(sessions)))
        await browser.close()
    return timings, errors


def measure(sessions: int, *, reports: int = 0) -> dict[str, object]:
    work = Path(tempfile.mkdtemp(prefix="reportlens-sessions-"))
    try:
        src, dst = work / "reports", work / "store"
        if reports:
            from bench.build import corpus_dir

            shutil.copytree(corpus_dir(reports), src)
        else:
            shutil.copytree(ROOT / "seeds", src)
        proc, url = start_server(src, dst, work / "server.log", env={"REPORTLENS_HOME": str(work / "home")})
        samples: list[float] = []
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                samples.append(_rss_mb(proc.pid))
                time.sleep(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            paths = page_paths()
            timings, errors = asyncio.run(_run(url, sessions, paths))
            end_rss = _rss_mb(proc.pid)
        finally:
            done.set()
            sampler.join()
            stop_server(proc)
        snapshots = len(list((dst / "snapshots").iterdir())) if (dst / "snapshots").is_dir() else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)
    medians = {page: float(np.median(t)) for page, t in timings.items()}
    slowest = max(medians, key=medians.get)
    first = timings.get("overview", [0.0])
    return {"sessions": sessions, "pages_opened": sum(len(t) for t in timings.values()), "page_errors": len(errors),
            "slowest_page": slowest, "slowest_page_p50_s": medians[slowest],
            "slowest_page_max_s": max(timings[slowest]), "first_open_max_s": max(first),
            "store_snapshots": snapshots, "server_rss_peak_mb": max(samples, default=0.0),
            "server_rss_end_mb": end_rss, **{f"page_{p}_p50_s": m for p, m in medians.items()}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sessions", description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--reports", type=int, default=0, help="bench corpus size (0: the seeds)")
    args = parser.parse_args(argv)
    figures = measure(args.sessions, reports=args.reports)
    for key, value in figures.items():
        print(f"{key}={value:.3f}" if isinstance(value, float) else f"{key}={value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
