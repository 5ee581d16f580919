"""ReportLens dashboard: `streamlit run dashboard.py` (the seeds' store is built first when missing or stale)."""

from __future__ import annotations

import streamlit as st

import ui

PAGES = (
    ("pages/overview.py", "总览"),
    ("pages/themes.py", "主题"),
    ("pages/structure.py", "结构"),
    ("pages/shifts.py", "变化"),
    ("pages/terms.py", "词语"),
    ("pages/compare.py", "对读"),
    ("pages/trend.py", "走势"),
    ("pages/maps.py", "关联"),
    ("pages/briefing.py", "简报"),
    ("pages/data.py", "数据"),
)

st.set_page_config(page_title="ReportLens 宣传工作报告对读", layout="wide")
ui.chinese_chrome()
nav = st.navigation([st.Page(path, title=title, default=i == 0) for i, (path, title) in enumerate(PAGES)])
try:
    result = ui.build_store()
    if result is not None and len(result.problems):
        st.sidebar.warning(f"{len(result.problems)} 个文件未能载入，详见“数据”页。")
    ui.sidebar_filter(ui.tables().documents)
except Exception as err:  # noqa: BLE001 - any failure here is shown in Chinese; the data page still opens
    ui.show_error(err)
    if nav.title != "数据":
        st.stop()
title = getattr(nav, "title", "数据")     # a page run outside a session (a spawned process importing __main__) has none
if title != "数据" and ui.nothing_selected(title):   # the filter matches no report: say so, draw nothing
    st.stop()
nav.run()
