"""简报: a Chinese Word document of a selection for leaders, from the dashboard's button or the command line.

``briefing(tables, flt)`` gathers what the document says (``BriefingContent``: counts, the theme mix, the changes
between the last two years, distinctive terms per unit, the reports used), every sentence naming the reports behind
it; ``briefing_docx(content)`` writes it with python-docx, the charts as PNG images from plotly's static export
(kaleido, which drives the machine's Chromium or Chrome; without one, the same charts are drawn with matplotlib).

``python -m analysis briefing --out FILE.docx [--year … --unit … (the export command's filter flags)]``.
"""

from __future__ import annotations

import argparse
import io
import sys
import threading
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.errors import ReportLensError
from analysis.query.filters import Filter
from analysis.schema import LEVEL_ZH, PERIOD_ZH
from analysis.tables import coverage, keyness, views

TITLE = "宣传思想文化工作报告简报"
HEADINGS = ("一、范围", "二、概况", "三、主题构成", "四、年度变化", "五、各单位特色词", "附录：所用报告清单")
FONT_FAMILY = "WenQuanYi Micro Hei, Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"
_KALEIDO = threading.Lock()
DISTINCTIVE_UNITS = 12
"""Units listed in the distinctive terms section (those with most reports)."""


@dataclass
class BriefingContent:
    """What a briefing says, before it is written as a document (tested without Word)."""

    scope: str
    n_reports: int
    n_units: int
    years: list[int]
    chars: int
    overview: str
    mix: pd.DataFrame                       # theme_name, value (per 10k), hits, share
    mix_sentence: str
    trend: pd.DataFrame                     # year, theme_name, share, n_docs
    trend_sentences: list[str]
    distinctive: pd.DataFrame               # unit, n_docs, terms
    reports: pd.DataFrame                   # the appendix
    charts: dict[str, bytes] = field(default_factory=dict)
    chart_engine: str = ""


def briefing(tables: Any, flt: Filter = Filter()) -> BriefingContent:  # noqa: B008
    """The content of the briefing of ``flt``'s reports (themed tables: ``with_themes``)."""
    names = tables.codebook.names()
    docs = flt.apply(tables.documents)
    if docs.empty:
        raise ValueError("当前筛选下没有报告，无法生成简报")
    counts = views.corpus_counts(docs)
    years = sorted({int(y) for y in docs["year"].dropna()})
    scope = flt.describe_zh(theme_names=names) if not flt.is_empty() else "全部报告"
    unknown_year = int(docs["year"].isna().sum())
    overview = (f"本简报依据 {counts['reports']} 份报告（{counts['units']} 个单位，"
                f"{_years_text(years)}，共 {counts['chars']:,} 字）"
                + (f"，其中 {unknown_year} 份年份不明" if unknown_year else "") + "。")
    mix = coverage.theme_frequency(tables, flt, by="all", weighting="per_10k")
    mix = mix.sort_values("value", ascending=False, kind="stable").reset_index(drop=True)
    top = mix.iloc[0] if len(mix) and mix["hits"].sum() > 0 else None
    mix_sentence = ("所选报告中没有主题命中。" if top is None else
                    f"在这 {counts['reports']} 份报告中，“{top['theme_name']}”着墨最多："
                    f"每万字 {top['hits_per_10k']:.1f} 次，占全部主题命中的 {top['share'] * 100:.1f}%（共 {int(top['hits'])} 次）。")
    trend = coverage.theme_frequency(tables, flt, by="year", weighting="per_10k")
    trend = trend.dropna(subset=["year"]).astype({"year": "int64"})
    reports = _report_list(docs)
    dist = _distinctive(tables, flt, docs)
    return BriefingContent(scope=scope, n_reports=counts["reports"], n_units=counts["units"], years=years,
                           chars=counts["chars"], overview=overview, mix=mix, mix_sentence=mix_sentence,
                           trend=trend, trend_sentences=_trend_sentences(trend), distinctive=dist, reports=reports)


def _years_text(years: list[int]) -> str:
    if not years:
        return "年份不明"
    if len(years) == 1:
        return f"{years[0]} 年"
    return f"{years[0]}—{years[-1]} 年中的 {len(years)} 个年份"


def _trend_sentences(trend: pd.DataFrame, n: int = 3) -> list[str]:
    """The biggest rises and falls of theme share between the last two years with reports, naming their reports."""
    years = sorted(trend["year"].unique())
    if len(years) < 2:
        return ["所选报告只涉及一个年份（或年份不明），无法比较年度变化。"]
    y0, y1 = years[-2], years[-1]
    a = trend[trend["year"] == y0].set_index("theme_name")
    b = trend[trend["year"] == y1].set_index("theme_name")
    n0, n1 = int(a["n_reports"].max()), int(b["n_reports"].max())
    delta = (b["share"] - a["share"].reindex(b.index).fillna(0.0)).sort_values(kind="stable")
    support = f"（{y0} 年 {n0} 份报告，{y1} 年 {n1} 份报告）"
    out = []
    for theme, d in list(delta[delta > 0].sort_values(ascending=False).items())[:n]:
        out.append(f"“{theme}”占主题命中的比重由 {y0} 年的 {a['share'].get(theme, 0) * 100:.1f}% 升至 {y1} 年的 "
                   f"{b['share'][theme] * 100:.1f}%（{d * 100:+.1f} 个百分点）{support}。")
    for theme, d in list(delta[delta < 0].items())[:n]:
        out.append(f"“{theme}”占主题命中的比重由 {y0} 年的 {a['share'].get(theme, 0) * 100:.1f}% 降至 {y1} 年的 "
                   f"{b['share'][theme] * 100:.1f}%（{d * 100:+.1f} 个百分点）{support}。")
    if min(n0, n1) < 3:
        out.append(f"注意：{y0} 年或 {y1} 年的报告少于 3 份，变化可能只反映个别报告。")
    return out or [f"{y0} 年与 {y1} 年的主题构成没有变化。"]


def _distinctive(tables: Any, flt: Filter, docs: pd.DataFrame) -> pd.DataFrame:
    """Top distinctive terms (TF-IDF) of the units with most reports: unit, n_docs, terms."""
    per_unit = docs["unit"].fillna(keyness.UNKNOWN_ZH).value_counts()
    cols = ["unit", "n_docs", "terms"]
    if len(per_unit) < 2:
        return pd.DataFrame(columns=cols)
    dist = keyness.distinctive(tables, by="unit", top=8, flt=flt)
    rows = []
    for unit, n in per_unit.head(DISTINCTIVE_UNITS).items():
        terms = dist.loc[dist["group"] == unit].sort_values("rank")["term"].tolist()
        rows.append({"unit": unit, "n_docs": int(n), "terms": "、".join(terms)})
    return pd.DataFrame(rows, columns=cols)


def _report_list(docs: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({
        "文件": docs["file"].astype(str), "单位": docs["unit"].fillna("（未署名）").astype(str),
        "层级": docs["unit_level"].map(lambda v: LEVEL_ZH.get(v, "") if isinstance(v, str) else ""),
        "年份": docs["year"].map(lambda y: "" if pd.isna(y) else str(int(y))),
        "时段": docs["period"].map(lambda v: PERIOD_ZH.get(v, "") if isinstance(v, str) else ""),
        "字数": docs["chars"].astype("int64")})
    return out.sort_values(["年份", "单位", "文件"], kind="stable").reset_index(drop=True)


# ------------------------------------------------------------------------------------------------ charts


def figures(content: BriefingContent, palette: dict[str, str] | None = None) -> dict[str, Any]:
    """The briefing's plotly figures: "mix" (theme bars) and "trend" (theme share by year), when there is data."""
    import plotly.graph_objects as go

    colours = palette or views.theme_palette(list(content.mix["theme_name"]))
    out: dict[str, Any] = {}
    mix = content.mix
    if len(mix) and mix["hits"].sum() > 0:
        fig = go.Figure(go.Bar(x=mix["value"], y=mix["theme_name"], orientation="h",
                               marker_color=[colours.get(t, "#1f77b4") for t in mix["theme_name"]],
                               text=[f"{v:.1f}" for v in mix["value"]], textposition="outside"))
        fig.update_layout(title=f"主题构成（每万字命中次数，{content.n_reports} 份报告）",
                          yaxis=dict(autorange="reversed"), xaxis_title="次/每万字")
        out["mix"] = fig
    trend = content.trend
    if trend["year"].nunique() >= 2:
        fig = go.Figure()
        for theme, part in trend.groupby("theme_name", sort=False):
            fig.add_trace(go.Scatter(x=part["year"].astype(str), y=part["share"] * 100, mode="lines+markers",
                                     name=str(theme), line_color=colours.get(theme)))
        fig.update_layout(title="各主题占主题命中的比重（%）", xaxis=dict(type="category", title="年份"),
                          yaxis_title="%")
        out["trend"] = fig
    for fig in out.values():
        fig.update_layout(font=dict(family=FONT_FAMILY, size=14), width=900, height=520, template="plotly_white",
                          margin=dict(l=120, r=40, t=70, b=60))
    return out


def render_charts(figs: dict[str, Any]) -> tuple[dict[str, bytes], str]:
    """PNG bytes of each figure and the engine used: kaleido (one browser session for all), else matplotlib."""
    if not figs:
        return {}, ""
    import warnings

    try:
        import kaleido

        out = {}
        with _KALEIDO, warnings.catch_warnings():   # one browser session at a time in a process (the dashboard)
            warnings.simplefilter("ignore")   # plotly notes that its options are ignored by a running server
            kaleido.start_sync_server(silence_warnings=True)
            try:
                for name, fig in figs.items():
                    out[name] = fig.to_image(format="png", scale=2)
            finally:
                kaleido.stop_sync_server(silence_warnings=True)
        return out, "kaleido"
    except Exception:  # noqa: BLE001 - no Chrome/Chromium (or kaleido) here: draw the same charts with matplotlib
        return {name: _matplotlib_png(fig) for name, fig in figs.items()}, "matplotlib"


def _matplotlib_png(fig: Any) -> bytes:
    """The same bar or line chart drawn with matplotlib (a CJK font when one is found)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    font = views.find_cjk_font()
    prop = font_manager.FontProperties(fname=font) if font else None
    f, ax = plt.subplots(figsize=(9, 5.2), dpi=150)
    for trace in fig.data:
        if trace.type == "bar":
            ax.barh(list(trace.y)[::-1], list(trace.x)[::-1], color=list(trace.marker.color)[::-1])
        else:
            ax.plot(list(trace.x), list(trace.y), marker="o", label=trace.name, color=trace.line.color)
    if any(t.type != "bar" for t in fig.data):
        ax.legend(prop=prop, fontsize=8, ncol=2)
    ax.set_title(fig.layout.title.text or "", fontproperties=prop)
    for label in ax.get_yticklabels() + ax.get_xticklabels():
        if prop:
            label.set_fontproperties(prop)
    f.tight_layout()
    buf = io.BytesIO()
    f.savefig(buf, format="png")
    plt.close(f)
    return buf.getvalue()


# ------------------------------------------------------------------------------------------------ the document


def briefing_docx(content: BriefingContent, *, charts: dict[str, bytes] | None = None) -> bytes:
    """The briefing as .docx bytes (python-docx), charts as PNG pictures (``render_charts`` when not given)."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    if charts is None:
        charts, content.chart_engine = render_charts(figures(content))
    content.charts = charts
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "SimSun"
    style.font.size = Pt(11)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    doc.add_heading(TITLE, level=0)
    doc.add_paragraph(f"生成日期：{date.today():%Y年%m月%d日}　　数据来源：ReportLens")

    doc.add_heading(HEADINGS[0], level=1)
    doc.add_paragraph(f"筛选条件：{content.scope}。")

    doc.add_heading(HEADINGS[1], level=1)
    doc.add_paragraph(content.overview)
    _table(doc, pd.DataFrame({"项目": ["报告数", "单位数", "年份数", "总字数"],
                              "数量": [f"{content.n_reports:,} 份", f"{content.n_units:,} 个",
                                     f"{len(content.years)} 个", f"{content.chars:,} 字"]}))

    doc.add_heading(HEADINGS[2], level=1)
    if "mix" in charts:
        doc.add_picture(io.BytesIO(charts["mix"]), width=Cm(15.5))
    doc.add_paragraph(content.mix_sentence)

    doc.add_heading(HEADINGS[3], level=1)
    if "trend" in charts:
        doc.add_picture(io.BytesIO(charts["trend"]), width=Cm(15.5))
    for sentence in content.trend_sentences:
        doc.add_paragraph(sentence, style="List Bullet")

    doc.add_heading(HEADINGS[4], level=1)
    if content.distinctive.empty:
        doc.add_paragraph("所选报告只涉及一个单位，不列特色词。")
    else:
        doc.add_paragraph("各单位相对其他单位更常用的词（TF-IDF 排序；括号内为报告数）：")
        _table(doc, pd.DataFrame({"单位": [f"{u}（{n} 份）" for u, n in zip(content.distinctive["unit"],
                                                                       content.distinctive["n_docs"], strict=True)],
                                  "特色词": content.distinctive["terms"]}))

    doc.add_heading(HEADINGS[5], level=1)
    doc.add_paragraph(f"共 {len(content.reports)} 份报告。")
    _table(doc, content.reports.astype(str))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _table(doc: Any, df: pd.DataFrame) -> None:
    """A table with a header row; cells are plain text (never interpreted)."""
    table = doc.add_table(rows=1, cols=len(df.columns))
    table.style = "Table Grid"
    for cell, name in zip(table.rows[0].cells, df.columns, strict=True):
        cell.text = str(name)
    for row in df.itertuples(index=False):
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def write_briefing(tables: Any, flt: Filter, path: str | Path) -> tuple[Path, BriefingContent]:
    """Write the briefing of ``flt`` to ``path`` (a temporary file first, then renamed: never half written)."""
    from analysis.export import write_bytes_atomically

    content = briefing(tables, flt)
    path = write_bytes_atomically(briefing_docx(content), path)
    return path, content


# ------------------------------------------------------------------------------------------------ CLI


def register(subparsers) -> argparse.ArgumentParser:
    """Add the ``briefing`` subcommand (the hook ``analysis.cli`` calls)."""
    from analysis.export import _FLAG_KEYS

    p = subparsers.add_parser(
        "briefing", help="write a Chinese Word briefing of the selection（生成简报）",
        description="Write a 简报 (.docx) of the reports the filter options select: scope, counts, the theme mix and "
                    "the year-over-year changes as charts, distinctive terms per unit, and the list of reports.",
        epilog="Example: python -m analysis briefing --year 2022-2023 --level city --out 简报.docx")
    for key, meaning in _FLAG_KEYS:
        p.add_argument(f"--{key}", action="append", default=[], metavar="VALUE",
                       help=f"{meaning}; repeat or separate with commas")
    p.add_argument("--codebook", metavar="YAML", help="theme codebook (default: the shipped one)")
    p.add_argument("--data", default="data", metavar="DATA_DIR", help="the data store (default: data)")
    p.add_argument("--out", required=True, metavar="FILE.docx", help="the Word file to write")
    p.set_defaults(func=run_briefing)
    return p


def run_briefing(args: argparse.Namespace) -> int:
    """Run ``briefing``: 0 on success, 2 for a bad filter or option, 1 when the store cannot be read."""
    from analysis.export import _fail, filter_from_args
    from analysis.query.filters import validate_filter

    try:
        flt = filter_from_args(args)
        if Path(args.out).suffix.lower() != ".docx":
            raise ValueError(f"--out must end in .docx, not {args.out!r}")
    except ValueError as err:
        return _fail(str(err), 2)
    try:
        from analysis.store import load
        from analysis.words.themes import load_codebook, with_themes

        tables = with_themes(load(args.data), load_codebook(args.codebook))
    except ReportLensError as err:
        return _fail(str(err), 1)
    try:
        validate_filter(flt, tables.documents, themes=tables.codebook.ids)
        path, content = write_briefing(tables, flt, args.out)
    except ValueError as err:
        return _fail(str(err), 2)
    print(f"briefing: {content.n_reports} reports, {content.n_units} units, charts by {content.chart_engine or '-'}"
          f" → {path}", file=sys.stderr)
    return 0


__all__ = ["HEADINGS", "TITLE", "BriefingContent", "briefing", "briefing_docx", "figures", "register",
           "render_charts", "run_briefing", "write_briefing"]
