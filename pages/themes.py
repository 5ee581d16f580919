"""主题: theme frequency by year or unit (bar and line), the report × theme heatmap and the passages of a cell."""

import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

import ui
from analysis.tables import charts, coverage, explore, labels, support, views


def draw() -> None:
    st.title("主题")
    flt, t = ui.current_filter(), ui.tables()
    names, unit = t.codebook.names(), ui.unit_label()
    by = ui.url_radio("分组", ["year", "unit"], format_func={"year": "按年份", "unit": "按单位"}.get, key="th_by")
    tf = ui.run(coverage.theme_frequency, flt, by=by, weighting=ui.weighting())
    tf = tf if by == "year" else tf.fillna({"unit": views.NO_UNIT})
    drawn = labels.years_with_gaps(tf, by=["theme_name"], values=["value"]) if by == "year" else tf
    label = {"year": "年份", "unit": "单位"}[by]
    kw = dict(x=by, y="value", color="theme_name", color_discrete_map=ui.palette(),
              labels={by: label, "value": unit, "theme_name": "主题", "hits": "命中次数", "share": "占比",
                      "n_reports": "报告数"}, hover_data={"hits": True, "share": ":.1%", "n_reports": True},
              category_orders={"theme_name": list(names.values())},
              custom_data=[by, "theme", "hits"])
    left, right = st.columns(2)
    with left:
        fig = px.bar(drawn, barmode="group", **kw)
        ui.x_axis(fig, drawn, by)
        picked = ui.chart(fig, f"主题频次（{label}，{unit}）", key="th_bar", select=True)
    with right:
        fig = px.line(drawn, markers=True, **kw)
        ui.x_axis(fig, drawn, by)
        picked = ui.chart(fig, f"主题走势（{label}，{unit}）", key="th_line", select=True) + picked
    for warning in support.group_warnings(tf.drop_duplicates(by), by):
        st.warning(views.escape_markdown(warning))
    ui.caption(flt, "点击柱或点，查看产生该数字的原文。")
    if picked:
        group, theme, hits = picked[0]["customdata"][:3]
        value = None if group == views.NO_UNIT else (int(group) if by == "year" else group)
        ui.show_passages(ui.run(explore.passages, flt, theme=theme, group={by: value}),
                         f"{group} · {names.get(theme, theme)}", key="th_click", clicked=float(hits))
    ui.show_table(tf, "主题频次", columns=coverage.THEME_FREQUENCY, key="th_freq_t", hide=("theme",))

    st.subheader("报告 × 主题")
    cov = ui.run(coverage.theme_coverage, flt)
    files, names_of = t.documents.set_index("doc_id")["file"], ui.report_labels()
    cov = cov.assign(file=cov["doc_id"].map(files), report=cov["doc_id"].map(names_of))
    full = cov.pivot_table(index="report", columns="theme_name", values="hits", aggfunc="sum", sort=False)
    grid = coverage.largest_rows(full)
    fig = go.Figure(go.Heatmap(z=grid.to_numpy(), x=list(grid.columns), y=list(grid.index),
                               customdata=[[f] * grid.shape[1] for f in grid.index], colorscale="YlOrRd",
                               texttemplate="%{z}", colorbar=dict(title="次"),
                               hovertemplate="%{customdata}<br>%{x}：%{z} 次<extra></extra>"))
    ids, doc_of = {v: k for k, v in names.items()}, {n: d for d, n in names_of.items()}
    cells = [(c, r, [doc_of[r], ids.get(c), v], f"{charts.esc(r)}<br>{c}：{v:g} 次")
             for r, row in grid.iterrows() for c, v in row.items() if v >= 0]
    if cells:
        ui.clickable_cells(fig, *map(list, zip(*cells, strict=True)))
    cell = ui.chart(fig, "各报告的主题命中（次）", key="th_heat", height=160 + 40 * len(grid), select=True)
    if cell:
        doc, theme, hits = cell[0]["customdata"]
        ui.show_passages(ui.run(explore.passages, flt, theme=theme, group={"doc_id": doc}),
                         f"{names_of[doc]} · {names.get(theme, theme)}", key="th_cell", clicked=float(hits))
    ui.caption(flt, "点击格子（或选择下方的报告和主题），查看产生该格数字的原文。"
               + ui.rows_note(len(grid), len(full), "份报告", "主题命中最多的"))
    ui.show_table(cov, "报告主题覆盖", columns={**coverage.THEME_COVERAGE}, key="th_cov_t", hide=("theme",),
                  extra={"report": "报告"})

    c1, c2 = st.columns(2)
    doc = c1.selectbox("报告", list(files.index.intersection(cov["doc_id"])), format_func=names_of.get, key="th_doc")
    theme = c2.selectbox("主题", list(names), format_func=names.get, key="th_theme")
    if doc:
        passages = views.theme_passages(t.sections, doc, theme, t.codebook)
        st.caption(views.escape_markdown(f"{names_of[doc]}（{files[doc]}）· {names[theme]}：{len(passages)} 处"))
        ui.show_table(passages, "主题原文", columns=views.PASSAGES, key="th_kwic_t")


ui.ensure_entry()
ui.guard(draw)
