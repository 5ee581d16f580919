"""简报: a one-click Chinese Word briefing of the current selection, with a preview of what it says."""

import streamlit as st

import ui
from analysis import briefing


def draw() -> None:
    st.title("简报")
    flt = ui.current_filter()
    content = ui.run(briefing.briefing, flt)
    st.text(f"筛选条件：{content.scope}")
    st.text(content.overview)
    tables = ui.tables()
    st.download_button("生成并下载简报（Word）", lambda: briefing.briefing_docx(briefing.briefing(tables, flt)),
                       file_name="简报.docx", key="br_docx", on_click="ignore", type="primary",
                       mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    st.caption("简报含筛选范围、报告数、主题构成与年度变化图（各附一句说明及其依据的报告数）、各单位特色词和所用报告清单；"
               "生成约需 10 秒。也可在命令行生成（筛选参数与导出命令相同）：")
    st.code("python -m analysis briefing --out 简报.docx", language="bash")
    st.subheader("简报要点预览")
    for line in [content.mix_sentence, *content.trend_sentences]:
        st.text("· " + line)
    if not content.distinctive.empty:
        ui.show_table(content.distinctive, "各单位特色词", key="br_dist",
                      extra={"unit": "单位", "n_docs": "报告数", "terms": "特色词"}, height=240)
    ui.show_table(content.reports, "所用报告清单", key="br_reports", height=240)


ui.ensure_entry()
ui.guard(draw)
