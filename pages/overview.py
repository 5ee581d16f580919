"""总览: counts, the coverage ledger (unit × year), the theme mix and the biggest changes since the previous year."""

import numpy as np
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

import ui
from analysis.tables import changes, coverage, labels, review, views


def draw() -> None:
    st.title("总览")
    flt, t = ui.current_filter(), ui.tables()
    counts = views.corpus_counts(flt.apply(t.documents))
    for col, (label, key, unit) in zip(st.columns(4), (("报告", "reports", "篇"), ("单位", "units", "个"),
                                                        ("年份", "years", "个"), ("字数", "chars", "字"))):
        col.metric(f"{label}（{unit}）", f"{counts[key]:,}")
    ui.caption(flt)
    st.caption(f"待核对：{review.pending_reports(t.documents)} 份报告的元数据把握不大或互相矛盾（见「数据」页的待核对列表）。")

    st.subheader("报告台账：单位 × 年份")
    grid = views.ledger_grid(ui.run(coverage.ledger, flt))
    drawn = labels.every_year(coverage.largest_rows(grid))    # missing years as blank columns, in order
    z = drawn.to_numpy()
    counts = np.nan_to_num(z).astype(int).astype(str)
    hover = np.where(np.isnan(z), "无报告（该单位该年份没有报告，不是 0）", np.char.add(counts, " 篇"))
    fig = go.Figure(go.Heatmap(z=z, x=list(drawn.columns), y=list(drawn.index), customdata=hover, zmin=0,
                               text=np.where(np.isnan(z), "", counts), colorscale="Blues", textfont=dict(size=13),
                               texttemplate="%{text}" if drawn.shape[1] <= 30 else "",
                               showscale=False, xgap=2, ygap=2,
                               hovertemplate="%{y}<br>%{x}年<br>报告：%{customdata}<extra></extra>"))
    fig.update_xaxes(type="category", title="年份")
    fig.update_yaxes(title="单位")
    ui.chart(fig, "报告台账（篇）", key="ov_ledger", height=140 + 40 * len(drawn))
    ui.caption(flt, "空白格表示没有这份报告，而不是 0。" + ui.rows_note(len(drawn), len(grid), "个单位", "报告最多的"))
    ui.show_table(grid.reset_index().rename(columns={"unit": "单位"}), "报告台账", key="ov_ledger_t",
                  blank_help="空白 = 该单位该年份没有报告（不是 0）")

    st.subheader("主题构成")
    tf = ui.run(coverage.theme_frequency, flt, by="all", weighting=ui.weighting())
    fig = px.bar(tf, x="value", y="theme_name", orientation="h", color="theme_name",
                 color_discrete_map=ui.palette(), hover_data={"hits": True, "share": ":.1%", "theme_name": False},
                 labels={"value": ui.unit_label(), "theme_name": "主题", "hits": "命中次数", "share": "占比"})
    fig.update_layout(showlegend=False, yaxis=dict(autorange="reversed", categoryorder="array",
                                                   categoryarray=tf["theme_name"].tolist()))
    ui.chart(fig, f"主题构成（{ui.unit_label()}）", key="ov_mix")
    ui.caption(flt, views.support_note(tf))
    ui.show_table(tf, "主题构成", columns=coverage.THEME_FREQUENCY, key="ov_mix_t", hide=("theme",))

    st.subheader("与上一年相比变化最大的主题和词语")
    matched = st.toggle("同口径（只比两年都有报告的单位、相同时段）", value=True, key="ov_matched")
    found = ui.run(changes.latest_changes, flt, matched=matched)
    for warning in found.warnings:
        st.warning(views.escape_markdown(warning))
    for line in found.sentences:
        st.text("· " + line)
    if found.years is None:
        st.info(found.note)
    else:
        ui.caption(flt, found.note)


ui.ensure_entry()
ui.guard(draw)
