"""词语: word cloud, top terms, distinctive terms per unit / report, and a KWIC search box."""

import pandas as pd
import plotly.express as px
import streamlit as st

import ui
from analysis import export
from analysis.tables import cloud, keyness, kwic, labels, views
from analysis.tables.views import Preview

KWIC_ROWS = 1000   # lines shown; the count and the download have them all
KWIC_ORDER = {"position": "按出现位置", "left": "按左文", "right": "按右文"}


def word_cloud(flt) -> None:
    """The word cloud with its controls; the words left out live in the address bar (``cloud_x``)."""
    if "tm_cloud_x" not in st.session_state:
        st.session_state["tm_cloud_x"] = st.query_params.get("cloud_x", "")
    c1, c2, c3, c4 = st.columns([2, 1, 1, 3])
    n_words = c1.slider("词云词数", 20, 300, 200, step=10, key="tm_cloud_n")
    shape = c2.selectbox("形状", list(cloud.SHAPES), format_func=cloud.SHAPES.get, key="tm_cloud_shape")
    by_theme = c3.toggle("按主题着色", key="tm_cloud_theme")
    exclude = cloud.parse_words(c4.text_input("去除的词（空格或顿号分隔，保存在链接中）", key="tm_cloud_x"))
    if exclude:
        st.query_params["cloud_x"] = "、".join(exclude)
    elif "cloud_x" in st.query_params:
        del st.query_params["cloud_x"]
    freqs = ui.run(cloud.cloud_terms, flt, top=int(n_words), exclude=tuple(exclude))
    font = views.find_cjk_font()
    if not freqs:
        st.info("当前筛选下没有词语。")
        return
    if font is None:
        st.warning("未找到中文字体，无法绘制词云（Debian: apt-get install fonts-wqy-microhei；或设置 REPORTLENS_FONT）。")
        return
    colours = None
    if by_theme:
        t = ui.tables()
        names, palette = t.codebook.names(), ui.palette()
        colours = {w: palette[names[th]] for w, th in cloud.term_themes(freqs, t.codebook).items() if th}
    png, svg = ui.wordcloud_files(tuple(freqs.items()), font, shape, tuple(sorted((colours or {}).items())), by_theme)
    st.image(png, caption=f"词云（前 {len(freqs)} 个词，字号按出现次数" + ("；颜色为主题，灰色为不属于任何主题" if by_theme else "") + "）")
    b1, b2, _ = st.columns([1, 1, 4])
    b1.download_button("下载词云 PNG", png, file_name="词云.png", mime="image/png", key="tm_cloud_png", on_click="ignore")
    b2.download_button("下载词云 SVG", svg, file_name="词云.svg", mime="image/svg+xml", key="tm_cloud_svg",
                       on_click="ignore")
    ui.downloads(pd.DataFrame(list(freqs.items()), columns=["词语", "频次"]), "词云词频", key="tm_cloud")


def draw() -> None:
    st.title("词语")
    flt = ui.current_filter()
    word_cloud(flt)
    ui.caption(flt, "已去除停用词、遮盖符和数字。")

    weighting = ui.weighting()
    top = st.slider("高频词图显示前 N 个词", 10, 100, 30, step=5, key="tm_top")   # the cloud has its own count
    tt = ui.run(keyness.top_terms, flt, top=int(top), weighting=weighting)
    value, unit = ("count", "次") if weighting == "count" else ("per_10k", "次/每万字")
    fig = px.bar(tt, x=value, y="term", orientation="h", labels={value: unit, "term": "词语", "n_docs": "报告数"},
                 hover_data={"n_docs": True, "count": True})
    fig.update_layout(yaxis=dict(autorange="reversed"), height=max(360, 18 * len(tt)))
    ui.chart(fig, f"高频词（前 {int(top)} 个，{unit}）", key="tm_top_bar")
    ui.caption(flt)
    ui.show_table(tt, "高频词", columns=keyness.TOP_TERMS, key="tm_top_t", height=260)

    st.subheader("特色词")
    by = st.radio("按", ["unit", "document"], format_func={"unit": "单位", "document": "报告"}.get, horizontal=True,
                  key="tm_by")
    dist = ui.run(keyness.distinctive_preview, by=by, top=10, flt=flt, rows=ui.SHOW_ROWS)   # the rows shown
    whole = lambda: export.download_table(dist, "distinctive", ui.tables(), flt, top=10, by=by)  # made on click
    ui.show_export(dist, whole, "特色词", columns=keyness.DISTINCTIVE, key="tm_dist_t", hide=("group",), height=320,
                   command=export.cli_command("distinctive", flt, top=10, by=by, data=ui.data_dir()))
    ui.caption(flt, "TF-IDF 排序：该组常用而其他组少用的词；Z 值为与其余报告相比的对数优势。")

    st.subheader("关键词上下文")
    query = st.text_input("检索词（多个词用空格或 | 分隔）", value="二十大", key="tm_query")
    if query.strip():
        order = st.radio("排序", list(KWIC_ORDER), format_func=KWIC_ORDER.get, horizontal=True, key="tm_kwic_by")
        total = ui.run(kwic.kwic_count, query, flt=flt)
        hits = ui.run(kwic.kwic, query, flt=flt, window=30, top=None if order != "position" else KWIC_ROWS)
        hits = labels.kwic_lines(hits, ui.report_labels(), order)
        whole = lambda: labels.kwic_lines(kwic.kwic(ui.tables(), query, flt=flt, window=30, top=export.EXCEL_MAX_ROWS),
                                          ui.report_labels(), order)     # every line, made when clicked
        ui.show_export(Preview(hits.head(KWIC_ROWS), total, None), whole, f"关键词上下文_{views.safe_filename(query)}",
                       columns=kwic.KWIC, key="tm_kwic_t", hide=("doc_id", "section_id"), extra={"report": "报告"},
                       right_aligned=("left",), command=export.cli_command("kwic", flt, query=query, data=ui.data_dir()))
        st.caption(f"共 {total:,} 处。左文右对齐、关键词居中；“按左文”从紧挨关键词的字排起。")

ui.ensure_entry()
ui.guard(draw)
