"""结构: achievements / problems / plans share per report, each report's outline as a tree, section × theme."""

import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

import ui
from analysis.schema import KIND_ZH
from analysis.tables import coverage, views
from analysis.words.themes import section_theme_profile

BARS = 40   # reports drawn in the chart (the table under it lists every one)


def draw() -> None:
    st.title("结构")
    flt, t = ui.current_filter(), ui.tables()
    raw = ui.weighting() == "count"
    kc = ui.run(coverage.kind_coverage, flt)
    files, names_of = t.documents.set_index("doc_id")["file"], ui.report_labels()
    kc = kc.assign(file=kc["doc_id"].map(files), report=kc["doc_id"].map(names_of), kind_zh=kc["kind"].map(KIND_ZH))
    y, unit = ("chars", "字") if raw else ("share_chars", "占篇幅")
    shown = kc[kc["doc_id"].isin(kc["doc_id"].drop_duplicates().head(BARS))]     # one readable bar per report
    fig = px.bar(shown, y="report", x=y, color="kind_zh", orientation="h", hover_data={"n_sections": True, "file": True},
                 category_orders={"kind_zh": list(KIND_ZH.values())}, labels={"report": "报告", y: unit, "kind_zh": "段落类型"})
    fig.update_layout(barmode="stack", xaxis_tickformat=None if raw else ".0%", yaxis_autorange="reversed")
    ui.chart(fig, f"各报告的成效、问题、计划篇幅（{unit}）", key="st_kinds")
    ui.caption(flt, ui.rows_note(shown["doc_id"].nunique(), kc["doc_id"].nunique(), "份报告", "前"))
    ui.show_table(kc.drop(columns=["kind_zh"]), "段落类型篇幅", columns=coverage.KIND_COVERAGE, key="st_kinds_t",
                  extra={"report": "报告"})

    st.subheader("报告提纲")
    docs = [d for d in files.index if d in set(kc["doc_id"])]
    if not docs:
        st.info("当前筛选没有报告。")
        return
    doc = st.selectbox("报告", docs, format_func=names_of.get, key="st_doc")
    secs = views.doc_slice(t.sections, [doc])
    prof = section_theme_profile(views.doc_slice(t.theme_hits, [doc]), secs, by="subtree", codebook=t.codebook)
    rows = views.outline_rows(t.sections, prof, doc, t.codebook.names())
    for top in rows[rows["level"] <= 1].itertuples(index=False):
        label = f"{top.heading[:40] or top.kind} · {top.kind} · 主导主题：{top.dominant_theme or '无'} · {top.chars:,}字"
        with st.expander(views.escape_markdown(label)):
            kids = rows[rows["path"].str.startswith(top.path + ".")]
            st.dataframe(kids.rename(columns={c: v.label_zh for c, v in views.OUTLINE.items()}), hide_index=True)
    ui.show_table(rows, "报告提纲", columns=views.OUTLINE, key="st_outline_t", height=200)

    st.subheader("段落 × 主题")
    top = prof.merge(secs[["section_id", "level", "path", "heading"]], on="section_id")
    top = top[top["level"] == 1]
    names = t.codebook.names()
    grid = top[[f"share_{k}" for k in names]].rename(columns=lambda c: names[c.removeprefix("share_")])
    labels = [views.short_label(f"{p} {h}", 18) for p, h in zip(top["path"], top["heading"], strict=True)]
    fig = go.Figure(go.Heatmap(z=grid.to_numpy(), x=list(grid.columns), y=labels, colorscale="Greens", zmin=0,
                               customdata=[[h] * grid.shape[1] for h in top["heading"]], colorbar=dict(tickformat=".0%"),
                               hovertemplate="%{customdata}<br>%{x}：%{z:.0%}<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    ui.chart(fig, "一级段落的主题构成（占比）", key="st_heat", height=160 + 36 * len(top))
    ui.caption(flt, "报告：" + views.escape_markdown(f"{names_of[doc]}（{files[doc]}）"))
    ui.show_table(grid.assign(段落=[f"{p} {h}" for p, h in zip(top["path"], top["heading"], strict=True)]),
                  "段落主题构成", key="st_heat_t")


ui.ensure_entry()
ui.guard(draw)
