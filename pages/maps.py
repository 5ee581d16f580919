"""关联: the co-occurrence network of the selection's top terms and the correspondence map of groups × work."""

import streamlit as st

import ui
from analysis.tables import charts, explore, maps

ROWS_ZH = {"unit": "单位", "year": "年份", "level": "层级"}
COLS_ZH = {"themes": "主题", "terms": "高频词"}


def network(flt) -> None:
    st.subheader("共现网络")
    c1, c2, c3 = st.columns(3)
    top = c1.slider("词数", 10, 100, 40, step=5, key="ex_net_top")
    threshold = c2.slider("关联度阈值", 0.02, 0.8, 0.15, step=0.01, key="ex_net_min")
    measure = c3.radio("关联度", list(maps.MEASURES), format_func={"jaccard": "杰卡德系数", "dice": "戴斯系数"}.get,
                       horizontal=True, key="ex_net_measure")
    net = ui.run(maps.cooccurrence, flt, top=int(top), measure=measure, threshold=float(threshold))
    if net.nodes.empty:
        st.info("当前筛选下没有词语。")
        return
    points = ui.chart(charts.network_figure(net.nodes, net.edges),
                      f"高频词共现网络（{len(net.nodes)} 个词，{len(net.edges)} 条连线）", key="ex_net", height=640,
                      select=True)
    ui.caption(flt, "同一段落中出现的词相连；点越大词频越高，颜色表示社群（按模块度划分）；点击词查看其原文。")
    left, right = st.columns(2)
    with left:
        ui.show_table(net.nodes.drop(columns=["x", "y"]), "共现网络_词语", columns=maps.NODES, key="ex_net_nodes",
                      height=260)
    with right:
        ui.show_table(net.edges, "共现网络_连线", columns=maps.EDGES, key="ex_net_edges", height=260)
    term = next((p["customdata"][0] for p in points if p.get("customdata") is not None), None)
    if term:
        ui.show_passages(ui.run(explore.passages, flt, query=term), f"“{term}”", key="ex_net_p")


def correspondence(flt) -> None:
    st.subheader("对应分析")
    c1, c2 = st.columns(2)
    rows = c1.radio("行", list(ROWS_ZH), format_func=ROWS_ZH.get, horizontal=True, key="ex_ca_rows")
    cols = c2.radio("列", list(COLS_ZH), format_func=COLS_ZH.get, horizontal=True, key="ex_ca_cols")
    try:
        result = ui.run(maps.correspondence, flt, rows=rows, columns=cols)
    except ValueError as err:
        st.info(str(err))
        return
    a, b = result.inertia[:2]
    fig = charts.ca_figure(result.points, result.inertia, ROWS_ZH[rows], COLS_ZH[cols])
    points = ui.chart(fig, f"对应分析：{ROWS_ZH[rows]} × {COLS_ZH[cols]}", key="ex_ca", height=620, select=True)
    dropped = (f"另有 {result.dropped_rows} 个{ROWS_ZH[rows]}因次数太少或超出前 60 个未画出。"
               if result.dropped_rows else "")
    ui.caption(flt, f"{ROWS_ZH[rows]}靠近某{COLS_ZH[cols]}表示偏重它，彼此靠近的{ROWS_ZH[rows]}侧重相近；"
                    f"两个维度解释了 {a + b:.1%} 的差异。点击{COLS_ZH[cols]}查看原文。{dropped}")
    ui.show_table(result.points, "对应分析", columns=maps.CA_POINTS, key="ex_ca_t", height=260)
    picked = next((p["customdata"] for p in points if p.get("customdata") is not None
                   and p["customdata"][3] == "column"), None)
    if picked is None:
        return
    if cols == "themes":
        theme = {v: k for k, v in ui.tables().codebook.names().items()}.get(picked[0])
        found = ui.run(explore.passages, flt, theme=theme)
        clicked = None if result.dropped_rows else float(picked[1])
    else:
        found, clicked = ui.run(explore.passages, flt, query=picked[0]), None
    ui.show_passages(found, f"“{picked[0]}”", key="ex_ca_p", clicked=clicked)


def draw() -> None:
    st.title("关联")
    flt = ui.current_filter()
    network(flt)
    correspondence(flt)


ui.ensure_entry()
ui.guard(draw)
