"""Browser timing: from a sidebar filter change in Chromium to the chart redrawn, over the store of N reports.

``python -m bench.browser --reports N [--seed S] [--changes 10]`` ensures the store (``bench.build.ensure_store``),
starts ``streamlit run dashboard.py`` on it (REPORTLENS_SOURCE = corpus, REPORTLENS_DATA = store), opens the
overview page in Chromium (/usr/bin/chromium via playwright), then changes the sidebar level filter ``--changes``
times and times each change until the app's run state is ``notRunning`` with a plotly chart present. Prints
``browser_first_open_s``, ``browser_filter_p50_ms`` and ``browser_filter_p95_ms``.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np

from bench.build import WORK, corpus_dir, ensure_store

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("REPORTLENS_CHROMIUM", "/usr/bin/chromium")
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
RUNNING = "[data-testid='stApp'][data-test-script-state='running']"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(src: Path, dst: Path, log_path: Path, *, env: dict | None = None,
                 timeout: float = 120) -> tuple[subprocess.Popen, str]:
    """``streamlit run dashboard.py`` on a free port over ``src`` and ``dst`` (plus ``env``); returns the process
    and its URL once /_stcore/health answers ok. Raises RuntimeError with the server log's end otherwise."""
    port = free_port()
    env = {**os.environ, "REPORTLENS_SOURCE": str(src), "REPORTLENS_DATA": str(dst), **(env or {})}
    log = open(log_path, "wb")  # noqa: SIM115 - the process owns it until it is stopped
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true",
                             "--server.port", str(port), "--server.fileWatcherType", "none"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}:\n{_tail(log_path)}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.read().strip() == b"ok":
                    return proc, url
        except OSError:
            time.sleep(0.3)
    stop_server(proc)
    raise RuntimeError(f"streamlit did not answer /_stcore/health within {timeout:.0f} s:\n{_tail(log_path)}")


def stop_server(proc: subprocess.Popen) -> None:
    """Terminate the server, and kill it when it does not stop within 10 s."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def _tail(path: Path, chars: int = 3000) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")[-chars:]
    except OSError:
        return ""


def _redrawn(pg, timeout_ms: float) -> None:
    pg.wait_for_selector(IDLE, timeout=timeout_ms)
    pg.wait_for_selector(".js-plotly-plot", timeout=timeout_ms)


def measure(n: int, *, seed: int = 0, changes: int = 10, work: Path = WORK) -> dict[str, float]:
    """Open the overview page, then time ``changes`` sidebar filter changes until the chart is redrawn."""
    from playwright.sync_api import sync_playwright

    dst = ensure_store(n, seed=seed, work=work)
    src = corpus_dir(n, seed=seed, work=work)
    proc, url = start_server(src, dst, Path(work) / f"browser-{n}.log")
    out: dict[str, float] = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                        args=["--no-sandbox", "--disable-gpu"])
            pg = browser.new_page(viewport={"width": 1440, "height": 1600})
            started = time.perf_counter()
            pg.goto(url + "/")
            _redrawn(pg, 600_000)
            out["browser_first_open_s"] = time.perf_counter() - started
            box = pg.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").nth(1)   # 层级
            times = []
            for i in range(changes):
                box.locator("input").click()
                started = time.perf_counter()
                if i % 2 == 0:
                    pg.keyboard.press("ArrowDown")
                    pg.keyboard.press("Enter")
                else:
                    pg.keyboard.press("Backspace")
                pg.keyboard.press("Escape")
                try:
                    pg.wait_for_selector(RUNNING, timeout=2_000)
                except Exception:   # noqa: BLE001, S110 - a fast rerun may finish before we look
                    pass
                _redrawn(pg, 600_000)
                times.append(time.perf_counter() - started)
            browser.close()
    finally:
        stop_server(proc)
    out["browser_filter_p50_ms"] = float(np.percentile(times, 50)) * 1000
    out["browser_filter_p95_ms"] = float(np.percentile(times, 95)) * 1000
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.browser", description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--changes", type=int, default=10)
    parser.add_argument("--work", default=str(WORK))
    args = parser.parse_args(argv)
    figures = measure(args.reports, seed=args.seed, changes=args.changes, work=Path(args.work))
    print("\n".join(f"{k}={v:.3f}" for k, v in figures.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
