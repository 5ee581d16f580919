"""Plotly figures of the explore views (the pages draw them; every label passes through ``esc``).

Each point carries ``customdata`` that a click hands back to the page: the trend's (year, group, count, reports),
the network's (term, count, sections, reports, community), the map's (label, total, support, side).
"""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analysis.tables.views import PALETTE

MAX_SERIES = 10
"""Lines a trend chart draws (the groups with most matches); the table lists them all."""


def esc(value) -> str:
    """A user string as plotly text (plotly reads a few HTML tags in labels): shown as written, never as markup."""
    return html.escape(str(value))


_TAG_START = re.compile(r"<(?!br\s*/?>|/?extra>)", re.IGNORECASE)


def unmarked(figure):
    """A plotly figure's JSON (``fig.to_plotly_json()``) with no markup left in its strings but line breaks:
    plotly reads ``<a href>``, ``<b>``, ``<span style>`` … in every label, tick, legend entry, hover text and
    template, and labels are unit, theme and file names (plotly express writes them into the hover templates too).
    Each ``<`` that does not open ``<br>`` or a template's ``<extra>`` becomes ``&lt;`` (shown as ``<``).
    Idempotent, and leaves text made with ``esc`` as it is."""
    if isinstance(figure, str):
        return _TAG_START.sub("&lt;", figure)
    if isinstance(figure, dict):
        return {k: unmarked(v) for k, v in figure.items()}
    if isinstance(figure, (list, tuple)):
        return [unmarked(v) for v in figure]
    if isinstance(figure, np.ndarray) and figure.dtype == object:
        return np.array([unmarked(v) for v in figure.ravel()], dtype=object).reshape(figure.shape)
    return figure


def trend_figure(trend: pd.DataFrame, value: str, unit: str) -> tuple[go.Figure, int, int]:
    """Lines of a WORD_TREND table by group (gaps where a year has no report), each point labelled with its
    reports. Returns (figure, lines drawn, groups)."""
    totals = trend.groupby("group")["count"].sum().sort_values(ascending=False, kind="stable")
    shown = list(totals.index[:MAX_SERIES])
    fig = go.Figure()
    for group in shown:
        part = trend[trend["group"] == group]
        fig.add_trace(go.Scatter(
            x=part["year"].astype("int64"), y=part[value].astype("float64"), mode="lines+markers+text",
            name=esc(group), text=[f"{n}篇" if n else "" for n in part["n_docs"]], textposition="top center",
            customdata=np.stack([part["year"].astype("int64"), np.full(len(part), group, dtype=object),
                                 part["count"].fillna(0).astype("int64"), part["n_docs"]], axis=1),
            hovertemplate=f"{esc(group)}<br>%{{x}}年：%{{y:.2f}} {unit}<br>%{{customdata[2]}} 次，"
                          "%{customdata[3]} 份报告<extra></extra>"))
    fig.update_xaxes(title="年份", dtick=1, tickformat="d")
    fig.update_yaxes(title=unit, rangemode="tozero")
    return fig, len(shown), len(totals)


def network_figure(nodes: pd.DataFrame, edges: pd.DataFrame) -> go.Figure:
    """Edges as grey lines, nodes sized by frequency and coloured by community, labelled with their term."""
    pos = nodes.set_index("term")[["x", "y"]]
    xs: list = []
    ys: list = []
    for e in edges.itertuples(index=False):
        xs += [pos.at[e.source, "x"], pos.at[e.target, "x"], None]
        ys += [pos.at[e.source, "y"], pos.at[e.target, "y"], None]
    fig = go.Figure(go.Scatter(x=xs, y=ys, mode="lines", line=dict(width=1, color="#b0b0b0"), hoverinfo="skip",
                               showlegend=False))
    size = 12 + 38 * np.sqrt(nodes["count"] / max(int(nodes["count"].max()), 1))
    fig.add_trace(go.Scatter(
        x=nodes["x"], y=nodes["y"], mode="markers+text", text=[esc(t) for t in nodes["term"]],
        textposition="top center", showlegend=False, hovertext=[esc(t) for t in nodes["term"]],
        marker=dict(size=size, color=[PALETTE[(c - 1) % len(PALETTE)] for c in nodes["community"]], opacity=0.85,
                    line=dict(width=1, color="white")),
        customdata=np.stack([nodes["term"], nodes["count"], nodes["n_sections"], nodes["n_docs"],
                             nodes["community"]], axis=1),
        hovertemplate="%{hovertext}<br>频次 %{customdata[1]}，%{customdata[2]} 个段落，%{customdata[3]} 份报告"
                      "<br>社群 %{customdata[4]}<extra></extra>"))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def ca_figure(points: pd.DataFrame, inertia: tuple[float, ...], row_name: str, col_name: str) -> go.Figure:
    """The correspondence map: groups as circles (with their reports), columns as diamonds, sized by mass."""
    fig = go.Figure()
    for side, symbol, name in (("row", "circle", row_name), ("column", "diamond", col_name)):
        part = points[points["side"] == side]
        support = ([f"，{n} 份报告" for n in part["n_docs"]] if side == "row" else [""] * len(part))
        fig.add_trace(go.Scatter(
            x=part["x"], y=part["y"], mode="markers+text", name=name, text=[esc(v) for v in part["label"]],
            textposition="top center", marker=dict(symbol=symbol, size=8 + 40 * np.sqrt(part["mass"])),
            hovertext=[esc(v) for v in part["label"]],
            customdata=np.stack([part["label"], part["total"], np.array(support, dtype=object),
                                 np.full(len(part), side, dtype=object)], axis=1),
            hovertemplate="%{hovertext}<br>%{customdata[1]} 次%{customdata[2]}<extra></extra>"))
    fig.update_xaxes(title=f"维度1（{inertia[0]:.1%}）", zeroline=True)
    fig.update_yaxes(title=f"维度2（{inertia[1]:.1%}）", zeroline=True)
    return fig


__all__ = ["MAX_SERIES", "ca_figure", "esc", "network_figure", "trend_figure"]
