"""The dashboard's shared frame (the only non-page module importing streamlit).

Folders from the environment, the store built when missing or stale, cached tables and analysis results keyed
on the store's version, the sidebar Filter ↔ URL, charts with Chinese labels and PNG download, tables with CSV and
.xlsx downloads of exactly what is shown, and Chinese error messages.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analysis import export, store
from analysis.errors import BadCodebook, OtherSource, ReportLensError, StoreCorrupt, UnreadableReport
from analysis.export import EXCEL_MAX_ROWS, Preview, export_csv, export_xlsx, outline_columns
from analysis.query.facets import empty_note, facet_options, widen
from analysis.query.filters import FILTER_KEYS, Filter
from analysis.schema import CONFIDENCE_ZH, KIND_ZH, KINDS, LEVEL_ZH, PERIOD_ZH, PROBLEMS, Column, labels_zh
from analysis.store.workspace import Workspace, locate, prepare
from analysis.tables import charts, views
from analysis.tables.labels import labels_of, number_formats
from analysis.tables.problems import problems_zh
from analysis.tables.views import escape_markdown, theme_palette

ROOT = Path(__file__).resolve().parent
FONT = "WenQuanYi Micro Hei, Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"
ERRORS_ZH: dict[type, str] = {
    UnreadableReport: "报告无法读取", BadCodebook: "主题词典或词表有误（已保留原文件）",
    OtherSource: "数据仓库与报告文件夹不符（未改动数据仓库）",
    StoreCorrupt: "数据仓库损坏或版本不符，请到“数据”页重新构建", ReportLensError: "处理出错",
    ValueError: "参数无效", OSError: "文件读写失败", KeyError: "缺少数据",
}
WEIGHT_KEY = "f_raw_counts"
CODES_ZH = export.CODES_ZH
"""Coded columns shown (and downloaded) in Chinese."""


# ------------------------------------------------------------------------------------------------ folders, store


def workspace() -> Workspace:
    """The folders the dashboard works in: ``$REPORTLENS_HOME`` (default ``./workspace``) with ``reports/``,
    ``store/`` and ``resources/``, each replaced by ``$REPORTLENS_SOURCE`` / ``_DATA`` / ``_RESOURCES`` when set."""
    return locate(os.environ, ROOT / "workspace")


def source_dir() -> Path:
    """The report folder (uploads and manifest.csv go here): the workspace's ``reports/``."""
    return workspace().reports


def data_dir() -> Path:
    """The store folder: the workspace's ``store/``."""
    return workspace().store


def resources_dir() -> Path:
    """Codebook, user dictionary and stopwords (the data page edits them): the workspace's ``resources/``."""
    return workspace().resources


def word_lists() -> dict[str, Path | None]:
    """The codebook, user dictionary and stopwords the store is built with: the files in ``resources_dir()``
    (the shipped ones where a file is missing)."""
    res = resources_dir()
    return {kind: (res / name if (res / name).is_file() else None)
            for kind, name in (("codebook", "codebook.yaml"), ("userdict", "userdict.txt"),
                               ("stopwords", "stopwords.txt"))}


def build_store(*, force: bool = False, from_scratch: bool = False, reveal: list[str] | None = None,
                done: str | None = None) -> store.BuildResult | None:
    """Build the store when missing or stale (or ``force``; every report again with ``from_scratch``), with a
    progress bar; None when it was up to date. One build at a time: a session that finds another session building
    says so and waits for it, then builds only what is still stale (``store.refresh``).

    ``reveal``: files just uploaded; when the sidebar's filter hides any of them it is widened to show them (from
    the next run on) and the sidebar says what was widened. ``done``: a confirmation shown (as a toast) on the
    next run, after the page reruns."""
    prepare(workspace(), samples=ROOT / "seeds", shipped=ROOT / "analysis" / "resources")   # first start
    src, dst = source_dir(), data_dir()
    words = word_lists()
    if not (force or from_scratch) and not store.is_stale(src, dst, **words):
        return None
    from analysis.read.report import list_reports

    n = len(list_reports(src)[0]) if src.is_dir() else 0
    bar = st.progress(0.05, text=f"正在读取并解析 {n} 份报告（首次加载分词词典约需 10 秒）…")
    waiting = lambda: bar.progress(0.05, text="另一位用户正在更新数据仓库，等其完成后继续…")
    try:
        result = store.refresh(src, dst, force=force, from_scratch=from_scratch, on_wait=waiting, **words)
    finally:
        bar.progress(1.0, text="解析完成")
        bar.empty()
        store.release_memory()       # a large upload's parse must not stay in the server's memory
    load_tables.clear()
    if done:
        st.session_state["done_note"] = done
    if reveal:
        widened, note = widen(current_filter(), tables().documents, reveal)
        if note:
            for key in [k for k, _, _ in _WIDGETS.values()] + ["f_years"]:
                st.session_state.pop(key, None)     # seeded again from the widened filter on the next run
            st.session_state["filter"], st.session_state["f_url_note"] = widened, note
    return result


def rebuild_button() -> None:
    """The data page's rebuild: every report processed again (after "数据仓库损坏或版本不符"), one build at a time."""
    if st.button("重新构建数据仓库", key="dt_rebuild", help="重新解析全部报告；数据仓库损坏或版本不符时使用"):
        result = build_store(from_scratch=True)
        st.session_state["dt_rebuilt"] = result.loaded if result is not None else 0
        st.rerun()
    if "dt_rebuilt" in st.session_state:
        st.success(f"已重新构建：载入 {st.session_state.pop('dt_rebuilt')} 份报告。")


def edit_metadata(shown: pd.DataFrame, existing: dict[str, dict], *, column_config: dict) -> None:
    """The data page's metadata editor and its save button.

    Unsaved edits are kept by file (``views.pending_edits``), so another session adding or removing a report does
    not drop them or move them to another row; on save every cell is checked on the server
    (``views.manifest_edits``) and what was refused is said, in Chinese, after the rebuild.
    """
    from analysis.store.manifest import write_manifest

    pending = views.pending_edits(st.session_state.get("dt_editor_files"), st.session_state.get("dt_editor"),
                                  st.session_state.get("dt_pending", {}))
    st.session_state["dt_pending"] = pending
    frame = views.with_edits(shown, pending)
    st.session_state["dt_editor_files"] = frame["file"].tolist()
    edited = st.data_editor(frame.set_axis(frame["file"].tolist()), hide_index=True, key="dt_editor",
                            disabled=["file"], placeholder="", column_config=column_config)  # rows keyed by file
    if st.button("保存元数据并重新解析", key="dt_meta"):
        rows, refused = views.manifest_edits(edited.reset_index(drop=True), shown, existing)
        write_manifest(source_dir(), rows)
        for key in ("dt_pending", "dt_editor_files", "dt_editor"):
            st.session_state.pop(key, None)
        st.session_state["dt_refused"] = refused
        build_store(force=True, done="元数据已保存到 manifest.csv，报告已重新解析。")
        st.rerun()
    for text in st.session_state.pop("dt_refused", []):
        st.error(escape_markdown(text))


@st.cache_resource(show_spinner=False, max_entries=4)
def load_tables(store_dir: str, version: str) -> store.Tables:
    """Every table of the store (cached on the store's version). A resource, not data: cached data is pickled and
    copied on every read, which for a national-scale store means gigabytes; the analysis functions never change
    the tables they are given."""
    return store.load(store_dir)


@st.cache_resource(show_spinner=False, max_entries=4)
def _themed(store_dir: str, version: str, codebook_stamp: tuple) -> Any:
    from analysis.words.themes import load_codebook, with_themes

    return with_themes(load_tables(store_dir, version), load_codebook(codebook_stamp[0]))


def _codebook_stamp() -> tuple:
    path = resources_dir() / "codebook.yaml"
    st_ = path.stat()
    return (str(path), st_.st_mtime_ns, st_.st_size)


def tables() -> Any:
    """The store's tables with theme hits and codebook (``analysis.words.themes.with_themes``), cached."""
    dst = data_dir()
    version = store.version(dst)
    if version is None:
        raise StoreCorrupt(str(dst), "还没有数据仓库")
    return _themed(str(dst), version, _codebook_stamp())


@st.cache_data(show_spinner=False, max_entries=512)
def _compute(name: str, store_dir: str, version: str, codebook_stamp: tuple, args: tuple, kwargs: tuple) -> Any:
    module, _, func = name.rpartition(".")
    fn = getattr(importlib.import_module(module), func)
    return fn(_themed(store_dir, version, codebook_stamp), *args, **dict(kwargs))


def run(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``func(tables, *args, **kwargs)`` for an ``analysis`` function, cached on the store version and arguments."""
    dst = data_dir()
    return _compute(f"{func.__module__}.{func.__name__}", str(dst), store.version(dst) or "", _codebook_stamp(),
                    args, tuple(sorted(kwargs.items())))


@st.cache_resource(show_spinner=False, max_entries=16)
def wordcloud_files(freqs: tuple[tuple[str, int], ...], font: str, shape: str = "rectangle",
                    colours: tuple[tuple[str, str], ...] = (), by_theme: bool = False) -> tuple[bytes, bytes]:
    """A word cloud of (term, count) pairs as PNG and SVG bytes, drawn with a CJK font (cached: drawing takes a
    second); ``by_theme`` colours words by ``colours`` (term → colour, the rest grey)."""
    from analysis.tables import cloud

    drawn = cloud.render(dict(freqs), font, shape=shape, colours=dict(colours) if by_theme else None)
    return cloud.to_png(drawn), cloud.to_svg(drawn)


# ------------------------------------------------------------------------------------------------ filter ↔ URL


_WIDGETS = {"periods": ("f_periods", "时段", PERIOD_ZH), "levels": ("f_levels", "层级", LEVEL_ZH),
            "regions": ("f_regions", "地区", None), "units": ("f_units", "单位", None),
            "kinds": ("f_kinds", "段落类型", KIND_ZH)}


def filter_options(documents: pd.DataFrame) -> dict[str, list]:
    """The values each sidebar widget offers (from the data)."""
    return {"years": sorted({int(y) for y in documents["year"].dropna()}),
            "periods": sorted({str(v) for v in documents["period"].dropna()}, key=list(PERIOD_ZH).index),
            "levels": sorted({str(v) for v in documents["unit_level"].dropna()}, key=list(LEVEL_ZH).index),
            "regions": sorted({str(v) for v in documents["region"].dropna()}),
            "units": sorted({str(v) for v in documents["unit"].dropna()}),
            "kinds": list(KINDS)}


def _url_filter() -> Filter:
    try:
        return Filter.from_query(st.query_params.to_dict())
    except ValueError as err:
        st.session_state["f_url_note"] = f"链接中的筛选条件无效，已忽略：{err}"
        return Filter()


def _seed_widgets(options: dict[str, list]) -> tuple[int, int] | None:
    """Give each sidebar widget missing from the session its value from the last filter or, first, the URL.

    Unknown values (not in the data) are dropped with a note.
    Returns:
        the year range to start the year slider with (its state is not set through the Session State API).
    """
    years = options["years"]
    keys = [k for k, _, _ in _WIDGETS.values()] + ["f_years"]
    if all(k in st.session_state for k in keys):
        return (years[0], years[-1]) if years else None
    flt = st.session_state.get("filter") or _url_filter()
    dropped = []
    for field, (key, _, _) in _WIDGETS.items():
        values = getattr(flt, field)
        if key not in st.session_state:
            st.session_state[key] = [v for v in values if v in options[field]]
            dropped += [str(v) for v in values if v not in options[field]]
    if dropped:
        st.session_state["f_url_note"] = "链接中的以下筛选值在数据中不存在，已忽略：" + "、".join(dropped)
    if not years:
        return None
    lo = flt.year_from if flt.year_from is not None else min(flt.years, default=years[0])
    hi = flt.year_to if flt.year_to is not None else max(flt.years, default=years[-1])
    pick = [y for y in years if lo <= y <= hi] or years
    return (pick[0], pick[-1])


CHROME_CSS = ROOT / "assets" / "chrome_zh.css"
"""The project's own style sheet: Streamlit's widget texts in Chinese (no user text ever goes into it)."""


def chinese_chrome() -> None:
    """Load ``CHROME_CSS`` (a static file of the project) so Streamlit's own texts read in Chinese."""
    st.html(CHROME_CSS)


def sidebar_filter(documents: pd.DataFrame) -> Filter:
    """Draw the sidebar filter (options from the data), keep it in the URL and return it."""
    options = filter_options(documents)
    year_seed = _seed_widgets(options)
    sb = st.sidebar
    sb.header("筛选")
    years = options["years"]
    year_from = year_to = None
    if len(years) > 1:
        lo, hi = sb.select_slider("年份范围", options=years, value=year_seed, key="f_years")
        year_from = lo if lo != years[0] else None   # an open end keeps "2022年起" open for later reports
        year_to = hi if hi != years[-1] else None
    elif years:
        sb.caption(f"年份：{years[0]}年")
    current = Filter(year_from=year_from, year_to=year_to, **{
        f: tuple(st.session_state.get(k) or ()) for f, (k, _, _) in _WIDGETS.items() if f != "kinds"})
    within = facet_options(documents, current)    # values that select something within the other fields
    chosen = {}
    for field, (key, label, names) in _WIDGETS.items():
        opts = [v for v in options[field] if field not in within or v in within[field]]
        fmt = (lambda v, n=names: n.get(v, v)) if names else str
        chosen[field] = tuple(sb.multiselect(label, opts, key=key, format_func=fmt, placeholder="全部",
                                             disabled=not opts, help=None if opts else "数据中没有此项",
                                             select_all=False))
    sb.toggle("显示原始次数（默认每万字）", key=WEIGHT_KEY, bind="query-params")
    note = st.session_state.pop("f_url_note", None)
    if note:
        sb.warning(note)
    done = st.session_state.pop("done_note", None)
    if done:
        st.toast(done, icon="✅")
    flt = Filter(year_from=year_from, year_to=year_to, **chosen)
    _write_url(flt)
    st.session_state["filter"] = flt
    return flt


def url_radio(label: str, options: list[str], *, key: str, format_func: Callable[[str], str]) -> str:
    """A horizontal radio whose choice is kept in the URL (``?key=value``; the first option is left out), so a
    reload or a shared link shows the same view."""
    wanted = st.query_params.get(key)
    if key not in st.session_state and wanted in options:
        st.session_state[key] = wanted
    value = st.radio(label, options, format_func=format_func, horizontal=True, key=key)
    if value == options[0]:
        if key in st.query_params:
            del st.query_params[key]
    elif st.query_params.get(key) != value:
        st.query_params[key] = value
    return value


def nothing_selected(title: str) -> bool:
    """When the sidebar's filter matches no report: the page's title and a Chinese note of what matched nothing
    and which condition to drop (``facets.empty_note``); True then (the page is not drawn)."""
    note = empty_note(tables().documents, current_filter())
    if note is None:
        return False
    st.title(title)
    st.warning(note)
    return True


def _write_url(flt: Filter) -> None:
    wanted = flt.to_query()
    current = st.query_params.to_dict()
    for key in FILTER_KEYS:
        if key in current and key not in wanted:
            del st.query_params[key]
    for key, value in wanted.items():
        if current.get(key) != value:
            st.query_params[key] = value


def current_filter() -> Filter:
    """The sidebar's filter of this run (drawn by dashboard.py)."""
    return st.session_state.get("filter", Filter())


def weighting() -> str:
    """"per_10k" by default, "count" when the sidebar's raw-count toggle is on."""
    return "count" if st.session_state.get(WEIGHT_KEY) else "per_10k"


def unit_label() -> str:
    """The unit of the current weighting, for axis titles."""
    return "次" if weighting() == "count" else "次/每万字"


def caption(flt: Filter | None = None, extra: str = "") -> None:
    """The filter in words under a chart or table."""
    flt = flt or current_filter()
    names = tables().codebook.names()
    st.caption(f"筛选：{escape_markdown(flt.describe_zh(theme_names=names))}" + (f"　{extra}" if extra else ""))


# ------------------------------------------------------------------------------------------------ drawing


def rows_note(drawn: int, total: int, noun: str, which: str) -> str:
    """The caption note of a chart that draws only some of its table's rows ("" when it draws them all)."""
    if drawn >= total:
        return ""
    return f"　图中只画出{which} {drawn} {noun}（共 {total:,} {noun}），下表列出全部。"


def report_labels() -> pd.Series:
    """Each report's name for people (unit · year · period, distinct), by doc_id: ``labels.report_labels``."""
    return run(labels_of)


def x_axis(fig: go.Figure, df: pd.DataFrame, by: str) -> None:
    """A chart's x axis: years as numbers in order (missing years as gaps, ticks on whole years), else categories."""
    if by != "year" or df.empty:
        fig.update_xaxes(type="category")
        return
    span = int(df["year"].max()) - int(df["year"].min()) + 1
    fig.update_xaxes(type="linear", tickformat="d", tick0=int(df["year"].min()), dtick=max(1, -(-span // 12)))


def palette() -> dict[str, str]:
    """Theme name → colour, the same on every page."""
    cb = tables().codebook
    return theme_palette([cb.names()[t] for t in cb.ids])


def chart(fig: go.Figure, title: str, *, key: str, height: int | None = None, select: bool = False) -> list[dict]:
    """A plotly chart with the project's layout and a PNG download named by its title (the modebar camera).

    ``select``: a click on a bar, point or cell selects it (Streamlit's selection event); returns the selected
    points (each with ``customdata`` as the figure set it), else [].
    """
    fig.update_layout(title=dict(text=title, x=0.0), font=dict(family=FONT, size=13), height=height,
                      legend=dict(title=None), margin=dict(l=90, r=20, t=60, b=80), hoverlabel=dict(font_family=FONT))
    fig.update_xaxes(automargin=True, title_standoff=12)
    fig.update_yaxes(automargin=True, title_standoff=12)
    bars = [t for t in fig.data if t.type == "bar" and t.orientation == "h" and t.y is not None and len(t.y)
            and isinstance(t.y[0], str)]
    if bars:      # one label per bar (plotly otherwise labels every second bar of a long list)
        n = len({v for t in bars for v in t.y})
        fig.update_yaxes(dtick=1)
        fig.update_layout(height=max(height or 0, 120 + 22 * n))
    config = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "filename": title, "scale": 2}}
    safe = charts.unmarked(fig.to_plotly_json())    # labels are user strings: no plotly markup but line breaks
    if not select:
        st.plotly_chart(safe, key=key, config=config, theme=None)
        return []
    event = st.plotly_chart(safe, key=key, config=config, theme=None, on_select="rerun", selection_mode="points")
    return list(getattr(getattr(event, "selection", None), "points", None) or [])


def clickable_cells(fig: go.Figure, x: list, y: list, customdata: list, hover: list[str]) -> None:
    """Make a heatmap's cells clickable: Streamlit gets no selection from heatmaps, so an invisible marker sits on
    each cell centre (the heatmap's own hover is switched off; the markers carry the hover text)."""
    for trace in fig.data:
        trace.update(hoverinfo="skip", hovertemplate=None)
    fig.add_trace(go.Scatter(x=x, y=y, mode="markers", customdata=customdata, hovertext=hover,
                             hovertemplate="%{hovertext}<extra></extra>", showlegend=False,
                             marker=dict(size=28, symbol="square", opacity=0.0)))
    fig.update_layout(hovermode="closest", hoverdistance=60, clickmode="event+select")


def show_passages(found: pd.DataFrame, what: str, *, key: str, clicked: float | None = None) -> None:
    """The passages behind a clicked number, their count (and the number clicked), with CSV/Excel downloads."""
    from analysis.tables.explore import PASSAGES

    with st.container(key=f"{key}_box"):
        note = f"（点击的数字：{clicked:g}）" if clicked is not None else ""
        st.text(f"{what}：原文 {len(found)} 处{note}")
    show_table(found, "原文", columns=PASSAGES, key=key, hide=("doc_id",), height=300)


def shown_frame(df: pd.DataFrame, *, columns: dict[str, Column] | None = None, hide: tuple[str, ...] = (),
                extra: dict[str, str] | None = None) -> pd.DataFrame:
    """``df`` as a page shows and downloads it: ``hide`` dropped, coded values and headers in Chinese."""
    shown = df.drop(columns=[c for c in hide if c in df.columns])
    if columns is PROBLEMS:                  # stages and reasons in Chinese
        shown = problems_zh(shown)
    shown = shown.assign(**{c: shown[c].map(lambda v, m=m: m.get(v, v)) for c, m in CODES_ZH.items()
                            if c in shown.columns})
    labels = {**(labels_zh(columns) if columns else {}), "file": "文件", **(extra or {})}
    return shown.rename(columns={c: labels.get(c, c) for c in shown.columns})


def show_table(df: pd.DataFrame, name: str, *, columns: dict[str, Column] | None = None,
               key: str, height: int | None = None, hide: tuple[str, ...] = (),
               extra: dict[str, str] | None = None, blank_help: str | None = None) -> pd.DataFrame:
    """Show a table with Chinese headers and offer exactly it as CSV and .xlsx; returns the shown frame.

    ``columns`` (a table contract) and ``extra`` (column → label) give the headers; ``hide`` drops columns;
    missing values are blank cells, and ``blank_help`` is the hover note of the columns that have them.
    """
    shown = shown_frame(df, columns=columns, hide=hide, extra=extra)
    with st.container(key=key):
        view = shown.head(SHOW_ROWS)
        notes = {c: st.column_config.Column(help=blank_help) for c in view.columns
                 if blank_help and view[c].isna().any()}
        notes.update(_number_config(df, shown, columns, extra))
        st.dataframe(view, hide_index=True, height=height or "auto", placeholder="", column_config=notes or None)
        if len(shown) > len(view):
            st.caption(views.export_note(len(view), len(shown), EXCEL_MAX_ROWS))
        downloads(shown, name, key=key, paths=_paths(columns, extra))
    return shown


def _paths(columns: dict[str, Column] | None, extra: dict[str, str] | None) -> list[str]:
    """The headers of a shown table's outline-path columns (its CSV writes them as 2·3·1)."""
    return outline_columns(columns, {**labels_zh(columns), **(extra or {})}) if columns else []


def _number_config(df: pd.DataFrame, shown: pd.DataFrame, columns: dict[str, Column] | None,
                   extra: dict[str, str] | None) -> dict[str, Any]:
    """Column configs that show shares as percentages and p-values as 4e-31 (by the columns' own names)."""
    labels = {**(labels_zh(columns) if columns else {}), "file": "文件", **(extra or {})}
    return {labels.get(c, c): st.column_config.NumberColumn(format=fmt)
            for c, fmt in number_formats(df.columns).items() if labels.get(c, c) in shown.columns}


SHOW_ROWS = 5_000
"""Rows of a table a page sends to the browser; the download holds them all (at national scale a table by report
has hundreds of thousands)."""


def downloads(df: pd.DataFrame | Callable[[], pd.DataFrame], name: str, *, key: str, paths: Collection[str] = ()) -> None:
    """CSV (UTF-8 with BOM, formula-safe) and .xlsx download buttons for ``df`` as shown, or for the table a
    function gives. Both files are made when their button is clicked, not on every rerun (a CSV of a table by
    report at national scale takes about a second; an .xlsx of thousands of rows several). ``paths``: the columns
    holding outline paths (the CSV writes 1.10 as 1·10, which Excel keeps as text; the workbook as written)."""
    fetch = df if callable(df) else (lambda: df)
    left, right, _ = st.columns([1, 1, 4])
    left.download_button("下载 CSV", lambda: export_csv(fetch(), paths=paths), file_name=f"{name}.csv", mime="text/csv",
                         key=f"{key}_csv", on_click="ignore")
    right.download_button("下载 Excel", lambda: export_xlsx(fetch()), file_name=f"{name}.xlsx", key=f"{key}_xlsx",
                          mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                          on_click="ignore")


def show_export(preview: Preview, fetch: Callable[[], pd.DataFrame], name: str, *, columns: dict[str, Column],
                key: str, command: str, hide: tuple[str, ...] = (), height: int = 300,
                extra: dict[str, str] | None = None, right_aligned: tuple[str, ...] = ()) -> None:
    """A table's first rows, its length, and downloads of the whole table (made when clicked, from ``fetch()``).

    A table longer than an Excel sheet (``EXCEL_MAX_ROWS``) gets no download: the note gives ``command``, the CLI
    line that writes it to a file. ``hide`` drops columns from what is shown and downloaded; ``extra`` labels
    columns outside the contract; ``right_aligned`` columns are shown flush right (a KWIC line's left context).
    """
    with st.container(key=key):
        view = shown_frame(preview.frame, columns=columns, hide=hide, extra=extra)
        labels = {**labels_zh(columns), **(extra or {})}
        config = {labels.get(c, c): st.column_config.TextColumn(alignment="right") for c in right_aligned}
        config.update(_number_config(preview.frame, view, columns, extra))
        st.dataframe(view, hide_index=True, height=height, placeholder="", column_config=config or None)
        st.caption(views.export_note(len(preview.frame), preview.total, EXCEL_MAX_ROWS))
        if preview.total is not None and preview.total > EXCEL_MAX_ROWS:
            st.info("表格超过 Excel 工作表的行数上限，网页不提供下载。请缩小筛选范围，或在命令行导出：")
            st.code(command, language="bash")
            return
        downloads(lambda: shown_frame(fetch(), columns=columns, hide=hide, extra=extra), name, key=key,
                  paths=_paths(columns, extra))


def review_queue() -> None:
    """The 数据 page's 待核对 list (``analysis.tables.review``): low-confidence fields with their evidence, accepted
    with one click or edited, and written to manifest.csv; the store is then rebuilt and the report leaves it."""
    from analysis.tables import review

    st.subheader("待核对")
    queue = review.review_queue(tables().documents)
    if queue.empty:
        st.caption("没有待核对的报告：年份、时段、单位、层级和地区都有把握，或已在元数据表中写明。")
        return
    st.caption(f"{queue['file'].nunique()} 份报告有把握不大或互相矛盾的字段，依据列出线索与冲突。"
               "「接受推断值」把所选报告的推断值写入元数据表；也可先在表中修改推断值，再点「保存修改」。")
    shown = queue.assign(confidence=queue["confidence"].map(CONFIDENCE_ZH), source=queue["source"].map(review.SOURCE_ZH))
    edited = st.data_editor(shown, hide_index=True, key="dt_review", disabled=[c for c in queue if c != "value"],
                            column_config={**{c: col.label_zh for c, col in review.REVIEW.items()}, "field": None})
    c1, c2, c3 = st.columns([3, 1, 1])
    file = c1.selectbox("报告", list(dict.fromkeys(queue["file"])), key="dt_review_file")
    accept, save = c2.button("接受推断值", key="dt_review_accept", type="primary"), c3.button("保存修改", key="dt_review_save")
    if not (accept or save):
        return
    try:
        review.accept(source_dir(), queue, file) if accept else review.save(source_dir(), edited, queue)
    except ReportLensError as err:
        show_error(err)
        return
    build_store(force=True)
    st.rerun()


def show_error(err: BaseException) -> None:
    """A Chinese message for ``err`` chosen by its class, with the original reason as text."""
    title = next((zh for cls, zh in ERRORS_ZH.items() if isinstance(err, cls)), "出错了")
    st.error(f"{title}：{escape_markdown(str(err))}")


def guard(draw: Callable[[], None]) -> None:
    """Run a page body; expected errors become a Chinese message instead of a traceback."""
    try:
        draw()
    except (ReportLensError, ValueError, OSError, KeyError) as err:
        show_error(err)


def replace_filter(flt: Filter, **changes: Any) -> Filter:
    """``flt`` with some fields replaced (e.g. two groups of a comparison)."""
    return dataclasses.replace(flt, **changes)


def ensure_entry() -> None:
    """Hand the run back to dashboard.py when Streamlit ran a page on its own.

    A project with a ``pages/`` folder counts as a legacy multipage app until ``st.navigation`` is first called,
    so a deep link on a fresh server (or an AppTest rerun) may run ``pages/x.py`` without the entry script and
    its sidebar. Switching the legacy mode off and rerunning lets dashboard.py draw the frame and open the page.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def codebook_audit(t: Any, flt: Filter) -> None:
    """The 数据 page's 主题词典体检 panel: per theme the entries driving its hits (``analysis.tables.audit``)."""
    from analysis.tables import audit

    st.subheader("主题词典体检")
    names = t.codebook.names()
    theme = st.selectbox("主题", [None, *names], format_func=lambda k: "全部主题" if k is None else names[k],
                         key="dt_audit_theme")
    show_table(run(audit.audit_selection, flt, theme=theme), "主题词典体检", columns=audit.AUDIT, key="dt_audit_t",
               hide=("theme",), height=320)
    caption(flt, "每个主题按命中次数列出词条：命中最多的词条排在最前。占比大而示例不属于该主题的词条，应在主题词典中"
                 "改为短语、加排除词或提示词。未计入命中 = 所在段落证据不足（未达最少命中数）。")
