"""What the browser test reads from a page: the text a person sees outside data cells, and the category labels
of every chart (for collisions). Kept apart from test_browser.py so the checks can be read on their own."""

from __future__ import annotations

import contextlib
import re
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

VISIBLE_TEXT_JS = r"""
() => {
  // Text a person sees on the page, outside data cells: dataframes, tables, code, chart data (chart titles and
  // axis titles are kept), chosen values of select boxes (tags) and icons are left out; text drawn at size 0
  // is left out and CSS ::before/::after content is read instead.
  const skip = "[data-testid='stDataFrame'], [data-testid='stTable'], [data-testid='stCode'], .js-plotly-plot, " +
               "script, style, [data-baseweb='tag'], [data-testid='stIconMaterial'], [data-testid='stDataFrameResizable']";
  const keep = ".gtitle, .g-xtitle, .g-ytitle, .g-x2title, .g-y2title, .legendtitletext, .cbtitle";
  const out = [];
  const seen = (el) => {
    const r = el.getBoundingClientRect();
    if (r.width <= 1 && r.height <= 1) return false;
    const st = window.getComputedStyle(el);
    return st.display !== "none" && st.visibility !== "hidden" && parseFloat(st.fontSize) > 0;
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const el = node.parentElement;
    if (!el || !node.textContent.trim()) continue;
    if (el.closest(skip) && !el.closest(keep)) continue;
    if (!el.closest("svg") && !seen(el)) continue;
    out.push(node.textContent.trim());
  }
  for (const el of document.body.querySelectorAll("*")) {
    if (el.closest(skip)) continue;
    for (const pseudo of ["::before", "::after"]) {
      const c = window.getComputedStyle(el, pseudo).content;
      if (c && c !== "none" && c !== "normal" && c.startsWith('"')) out.push(c.slice(1, -1));
    }
  }
  for (const el of document.querySelectorAll("input[placeholder], textarea[placeholder]")) {
    if (!el.closest(skip) && el.value === "" && seen(el)) out.push(el.getAttribute("placeholder"));
  }
  return out.join("\n");
}
"""

CHART_LABELS_JS = r"""
() => [...document.querySelectorAll('.js-plotly-plot')].map(gd => ({
  title: (gd.layout && gd.layout.title && (gd.layout.title.text || gd.layout.title)) || '',
  traces: (gd.data || []).map(t => ({type: t.type || 'scatter', orientation: t.orientation || 'v',
                                     x: Array.isArray(t.x) ? t.x : null, y: Array.isArray(t.y) ? t.y : null,
                                     grid: Array.isArray(t.z) && Array.isArray(t.z[0])})),
  ticks: [...gd.querySelectorAll('g.xaxislayer-above, g.yaxislayer-above')].map(
    g => [...g.querySelectorAll('text')].map(e => e.textContent)),
}))
"""

CUT_BUTTONS_JS = r"""
() => [...document.querySelectorAll("[data-testid='stDownloadButton'] button, [data-testid='stButton'] button")]
  .filter(b => b.getClientRects().length)
  .filter(b => {
    // the label is laid out at its whole width even where it is clipped: wider than the button, it is cut
    const label = document.createRange();
    label.selectNodeContents(b);
    const style = getComputedStyle(b);
    const inner = b.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    // or an element of the button clips it (Streamlit's label box hides its overflow behind "…")
    const clipped = [b, ...b.querySelectorAll("*")].some(e => e.scrollWidth > e.clientWidth + 1);
    return clipped || label.getBoundingClientRect().width > inner + 1;
  })
  .map(b => b.innerText)
"""
"""Buttons whose label does not fit (drawn cut, as "下…")."""

TITLE_OVERLAPS_JS = r"""
() => {
  const overlap = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
  const out = [];
  for (const gd of document.querySelectorAll(".js-plotly-plot")) {
    const chart = (gd.layout && gd.layout.title && gd.layout.title.text) || "";
    const ticks = [...gd.querySelectorAll(".xaxislayer-above text, .yaxislayer-above text")]
      .map(t => [t.textContent, t.getBoundingClientRect()]).filter(([, r]) => r.width > 0);
    for (const title of gd.querySelectorAll(".g-xtitle text, .g-ytitle text")) {
      const r = title.getBoundingClientRect();
      const hit = r.width > 0 && ticks.find(([, q]) => overlap(r, q));
      if (hit) out.push(`${chart}: axis title ${title.textContent} over tick label ${hit[0]}`);
    }
  }
  return out;
}
"""
"""Axis titles drawn over a tick label of their chart (bounding boxes)."""

ALLOWED_WORDS = {"CSV", "Excel", "PNG", "SVG", "PDF", "DOCX", "TXT", "YAML", "XLSX", "UTF", "BOM", "MB", "KB",
                 "TF", "IDF", "Word", "csv", "xlsx", "txt", "docx", "pdf", "yaml", "png", "svg"}
"""File formats, units of size and measure names that have no Chinese name (the rest must be Chinese)."""
WORD = re.compile(r"[A-Za-z]{2,}")


def english_words(text: str, data_words: set[str]) -> list[str]:
    """The English words of ``text`` that are neither ``ALLOWED_WORDS`` nor words of the data (units, titles,
    files and headings of the reports, which a page shows as they are)."""
    return sorted({w for w in WORD.findall(text) if w not in ALLOWED_WORDS and w not in data_words})


def data_words(tables) -> set[str]:
    """Latin words the store's data itself holds where a page shows it outside a data cell (captions, select
    boxes, expanders): units, regions, titles, files, headings."""
    docs = tables.documents
    values = [*docs["unit"].dropna(), *docs["region"].dropna(), *docs["title"].dropna(), *docs["file"].dropna(),
              *tables.sections["heading"].dropna()]
    return {w for v in values for w in WORD.findall(str(v))}


def label_collisions(charts: list[dict]) -> list[str]:
    """Charts where two rows, bars or ticks carry one label: a category repeated within a trace (rows merged), or a
    tick label shown twice on one axis (labels cut into a collision)."""
    found = []
    for chart in charts:
        for trace in chart["traces"]:
            if trace["type"] == "heatmap" and not trace.get("grid"):      # cells as (x, y) points: pairs
                pairs = [p for p in zip(trace["x"] or [], trace["y"] or [], strict=False) if isinstance(p[1], str)]
                repeated = [p for p, n in Counter(pairs).items() if n > 1]
                if repeated:
                    found.append(f"{chart['title']}: cells repeat {repeated[:3]}")
                continue
            if trace["type"] not in ("heatmap", "bar"):      # points: two at one place would hide each other
                pairs = [p for p in zip(trace["x"] or [], trace["y"] or [], strict=False)
                         if isinstance(p[0], str) or isinstance(p[1], str)]
                repeated = [p for p, n in Counter(pairs).items() if n > 1]
                if repeated:
                    found.append(f"{chart['title']}: points repeat {repeated[:3]}")
                continue
            axes = ("x", "y") if trace["type"] == "heatmap" else ("y",) if trace["orientation"] == "h" else ("x",)
            for axis in axes:
                values = [v for v in trace[axis] or [] if isinstance(v, str)]
                repeated = [v for v, n in Counter(values).items() if n > 1]
                if repeated:
                    found.append(f"{chart['title']}: {axis} repeats {repeated[:3]}")
        for ticks in chart["ticks"]:
            repeated = [v for v, n in Counter(t for t in ticks if t.strip()).items() if n > 1]
            if repeated:
                found.append(f"{chart['title']}: tick labels repeat {repeated[:3]}")
    return found


def corpus(dst: Path, project: Path, shared: Path) -> int:
    """Seeds, the dev set's reports and the gwr corpus (the first file of each name) copied flat into ``dst``."""
    dst.mkdir(parents=True, exist_ok=True)
    (dst / "manifest.csv").write_bytes((project / "seeds" / "manifest.csv").read_bytes())
    sources = [*sorted((project / "seeds").glob("*.txt")), *sorted((shared / "dev" / "reports").glob("*.txt")),
               *sorted((shared / "gwr-corpus").rglob("*.txt"))]
    for path in sources:
        target = dst / path.name
        if not target.exists():
            target.write_bytes(path.read_bytes())
    return len(list(dst.glob("*.txt")))


@contextlib.contextmanager
def dashboard(base: Path, project: Path) -> Iterator[str]:
    """``streamlit run dashboard.py`` over ``base/src`` (its store in ``base/data``, a copy of the shipped word lists
    in ``base/res``); yields the URL and stops the server on exit."""
    from bench.browser import start_server, stop_server

    shutil.copytree(project / "analysis" / "resources", base / "res")
    proc, url = start_server(base / "src", base / "data", base / "server.log",
                             env={"REPORTLENS_RESOURCES": str(base / "res")}, timeout=60)
    try:
        yield url
    finally:
        stop_server(proc)
