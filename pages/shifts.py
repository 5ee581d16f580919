"""变化: theme share over years per unit, rank shift of top terms, new/dropped terms, log-odds scatter, timeline."""

import numpy as np
import plotly.express as px
import streamlit as st

import ui
from analysis.schema import LEVEL_ZH
from analysis.tables import coverage, keyness, labels, support, views

FACETS = 12
# Most unit panels the theme-share chart draws (the table under it keeps every unit).
DIMS = {"years": ("年份", "year"), "units": ("单位", "unit"), "levels": ("层级", "unit_level")}


def draw() -> None:
    st.title("变化")
    flt, t = ui.current_filter(), ui.tables()
    matched = st.toggle("同口径（年度比较只比相同单位、相同时段的报告）", value=True, key="sh_matched")
    sh = ui.run(coverage.theme_shift, flt, by="unit_year", matched=matched)
    sh = sh.assign(unit=sh["unit"].fillna(views.NO_UNIT))
    drawn = coverage.largest_groups(sh, "unit", weight="hits", limit=FACETS)
    drawn = labels.years_with_gaps(drawn, by=["unit", "theme_name"], values=["share"])
    fig = px.line(drawn, x="year", y="share", color="theme_name", facet_col="unit", facet_col_wrap=2, markers=True,
                  color_discrete_map=ui.palette(), labels={"year": "年份", "share": "占比", "theme_name": "主题",
                                                           "unit": "单位"})
    ui.x_axis(fig, drawn, "year")
    fig.update_yaxes(tickformat=".0%")
    fig.for_each_annotation(lambda a: a.update(text=a.text.split("=", 1)[-1]))
    ui.chart(fig, "各单位主题占比的年度变化", key="sh_units", height=260 * ((drawn["unit"].nunique() + 1) // 2) + 80)
    ui.caption(flt, "占比 = 该主题命中 ÷ 全部主题命中；没有报告的年份留空。"
               + ("同口径：表中的变化只在该单位前后两年时段相同（如全年对全年）时计算。" if matched else
                  "未按同口径：前后两年时段不同（如上半年对全年）也计算变化。")
               + ui.rows_note(drawn["unit"].nunique(), sh["unit"].nunique(), "个单位", "主题命中最多的"))
    ui.show_table(sh, "主题年度变化", columns=coverage.THEME_SHIFT, key="sh_units_t", hide=("theme",))

    st.subheader("两组比较")
    dim = st.radio("比较维度", list(DIMS), format_func=lambda d: DIMS[d][0], horizontal=True, key="sh_dim")
    col = DIMS[dim][1]
    values = sorted({int(v) if dim == "years" else str(v) for v in flt.apply(t.documents)[col].dropna()})
    if len(values) < 2:
        st.info(f"当前筛选下{DIMS[dim][0]}不足两个，无法比较。")
        return
    fmt = (lambda v: LEVEL_ZH.get(v, v)) if dim == "levels" else str
    c1, c2, c3 = st.columns([2, 2, 1])
    va = c1.selectbox("A 组", values, index=0, format_func=fmt, key="sh_a")
    vb = c2.selectbox("B 组（正值 = B 组用得更多）", values, index=len(values) - 1, format_func=fmt, key="sh_b")
    top = c3.number_input("前 N 个词", 5, 100, 20, key="sh_top")
    base = ui.replace_filter(flt, year_from=None, year_to=None) if dim == "years" else flt
    a, b = ui.replace_filter(base, **{dim: (va,)}), ui.replace_filter(base, **{dim: (vb,)})
    rank_base = base
    if matched and dim == "years":
        m = support.matched_filters(t.documents, a, b)
        a, b = m.a, m.b
        rank_base = ui.replace_filter(base, units=m.a.units, periods=m.a.periods)
        st.caption(m.note_zh())
    names = (f"A 组（{fmt(va)}）", f"B 组（{fmt(vb)}）")
    for warning in support.comparison_warnings(t.documents, a, b, names=names, matched=matched and dim == "years"):
        st.warning(views.escape_markdown(warning))
    st.caption(support.pair_note(t.documents, a, b, names))
    if min(support.support(t.documents, f)["n_reports"] for f in (a, b)) == 0:
        st.info("有一组没有可比的报告；可关闭“同口径”或换两组再比较。")
        return
    ts = ui.run(keyness.term_shift, a, b)
    ts = ts.assign(freq=np.log10(ts["n_a"] + ts["n_b"]))
    shown = ts.reindex(ts["z"].abs().sort_values(ascending=False).index).head(300)
    fig = px.scatter(shown, x="freq", y="z", hover_name="term", color=np.sign(shown["z"]).map({1: "B 组多用",
                     -1: "A 组多用", 0: "持平"}), hover_data={"n_a": True, "n_b": True, "freq": False},
                     text=shown["term"].where(shown.index.isin(shown.head(int(top)).index), ""),
                     labels={"freq": "总频次（常用对数，次）", "z": "对数优势比 Z 值", "n_a": "A组频次", "n_b": "B组频次",
                             "color": ""})
    fig.update_traces(textposition="top center")
    ui.chart(fig, f"词语对比：{fmt(va)} → {fmt(vb)}（Z 值）", key="sh_scatter", height=520)
    ui.caption(flt, views.escape_markdown(f"A 组：{a.describe_zh()}；B 组：{b.describe_zh()}"))
    ui.show_table(shown.drop(columns=["freq"]), "词语变化", columns=keyness.TERM_SHIFT, key="sh_ts_t", height=300)
    new, gone = st.columns(2)
    with new:
        st.markdown("**B 组新出现的词**")
        ui.show_table(ts[ts["is_new"]].nlargest(int(top), "n_b")[["term", "n_b", "per_10k_b"]], "新出现词语",
                      columns=keyness.TERM_SHIFT, key="sh_new_t")
    with gone:
        st.markdown("**B 组不再出现的词**")
        ui.show_table(ts[ts["is_dropped"]].nlargest(int(top), "n_a")[["term", "n_a", "per_10k_a"]], "消失词语",
                      columns=keyness.TERM_SHIFT, key="sh_gone_t")
    if dim == "years":
        st.subheader(f"高频词排名：{va} → {vb}")
        rs = ui.run(keyness.rank_shift, int(va), int(vb), top=int(top), flt=rank_base)
        ui.show_table(rs, "高频词排名变化", columns=keyness.RANK_SHIFT, key="sh_rank_t", height=320)

    st.subheader("提法时间线（用户词典中的官方提法）")
    userdict = ui.word_lists()["userdict"]
    timeline = ui.run(keyness.term_timeline, flt=flt, dictionary=str(userdict) if userdict else None)
    ui.show_table(timeline, "提法时间线", columns=keyness.TERM_TIMELINE,
                  key="sh_tl_t", height=320)
    ui.caption(flt)


ui.ensure_entry()
ui.guard(draw)
