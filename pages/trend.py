"""走势: any word's or phrase's frequency by year (and unit or level), with the passages behind a clicked point."""

import streamlit as st

import ui
from analysis.tables import charts, explore, views

BY_ZH = {None: "不分组", "unit": "按单位", "level": "按层级"}


def draw() -> None:
    st.title("走势")
    flt = ui.current_filter()
    if "ex_query" not in st.session_state:      # the words live in the address bar (q), so a link opens the view
        st.session_state["ex_query"] = st.query_params.get("q", "二十大")
    c1, c2 = st.columns([3, 2])
    query = c1.text_input("词语或短语（多个用空格分隔；“…”表示中间隔几个字，如 讲好…故事）", key="ex_query")
    st.query_params["q"] = query
    by = c2.radio("第二分组", list(BY_ZH), format_func=BY_ZH.get, horizontal=True, key="ex_by")
    if not query.strip():
        st.info("请输入要查看的词语。")
        return
    trend = ui.run(explore.word_trend, query, flt, by=by)
    if trend.empty:
        st.info("当前筛选下没有带年份的报告。")
        return
    value, unit = ("count", "次") if ui.weighting() == "count" else ("per_10k", "次/每万字")
    fig, drawn, total = charts.trend_figure(trend, value, unit)
    points = ui.chart(fig, f"“{query.strip()}”的走势（{unit}；点上数字为报告数）", key="ex_trend", select=True)
    ui.caption(flt, "没有报告的年份断开，不画作 0；点击图中的点查看原文。" + ui.rows_note(drawn, total, "条线", "次数最多的"))
    ui.show_table(trend, f"词语走势_{views.safe_filename(query)}", columns=explore.WORD_TREND, key="ex_trend_t",
                  height=240)
    picked = next((p["customdata"] for p in points if p.get("customdata") is not None), None)
    if picked is not None:
        year, group = int(picked[0]), picked[1]
        found = ui.run(explore.passages, flt, query=query, group={"year": year, **explore.group_of(by, group)})
        ui.show_passages(found, f"{group + ' · ' if by else ''}{year}年 · {query.strip()}", key="ex_trend_p",
                         clicked=float(picked[2]))


ui.ensure_entry()
ui.guard(draw)
