"""数据: upload reports, per-file problems, the document list, metadata editing, exports and word lists."""

import pandas as pd
import streamlit as st

import ui
from analysis import export
from analysis.errors import ReportLensError
from analysis.query.filters import Filter
from analysis.schema import DOCUMENTS, LEVEL_ZH, LEVELS, PERIOD_ZH, PERIODS, PROBLEMS
from analysis.store import manifest
from analysis.tables import views

STATUS_ZH = {"saved": "已保存", "same": "已存在（内容相同）", "kept_beside": "同名文件内容不同，已另存", "refused": "拒收"}


def upload() -> None:
    st.subheader("上传报告")
    files = st.file_uploader("选择 .txt / .docx / .pdf 文件（可多选，每个不超过 20 MB）", accept_multiple_files=True,
                             key="dt_files")   # no type=: Streamlit would raise on an odd name; save_upload says why
    clicked = st.button("保存并解析", key="dt_save", type="primary")
    if clicked and not files:
        st.warning("请先选择文件，并等上传完成后再点击。")
    if clicked and files:
        saved = views.save_uploads(ui.source_dir(), [(f.name, f.getvalue()) for f in files])
        st.session_state["dt_last"] = (pd.DataFrame([(s.name, STATUS_ZH[s.status], s.reason) for s in saved],
                                                    columns=["文件", "结果", "原因"]), None)   # shown even if the build fails
        st.session_state["dt_last"] = (st.session_state["dt_last"][0], ui.build_store(
            force=True, reveal=[s.name for s in saved if s.status in ("saved", "kept_beside")]))
        st.rerun()
    if "dt_last" in st.session_state:
        saved, result = st.session_state["dt_last"]
        ui.show_table(saved, "上传结果", key="dt_saved")
        if result is not None:
            st.success(f"解析完成：新载入 {result.loaded} 份，未变 {result.unchanged} 份，失败 {result.failed} 份。")


def draw() -> None:
    st.title("数据")
    ui.rebuild_button()
    upload()
    t = ui.tables()
    st.subheader("未能载入的文件")
    if t.problems.empty:
        st.caption("没有问题。")
    else:
        ui.show_table(t.problems, "问题", columns=PROBLEMS, key="dt_problems_t")

    st.subheader("报告列表与元数据")
    rows, problems = manifest.read_manifest(ui.source_dir())
    shown = views.manifest_frame(t.documents, rows)
    ui.edit_metadata(shown, rows, column_config={
        "file": "文件", "title": "标题", "unit": "单位", "region": "地区",
        "unit_level": st.column_config.SelectboxColumn("层级", options=list(LEVELS), format_func=LEVEL_ZH.get),
        "year": st.column_config.NumberColumn("年份", min_value=1949, max_value=2100, step=1, format="%d"),
        "period": st.column_config.SelectboxColumn("时段", options=list(PERIODS), format_func=PERIOD_ZH.get)})
    for where, reason in problems:
        st.warning(f"{where}：{views.escape_markdown(reason)}")
    ui.show_table(t.documents, "报告列表", columns=DOCUMENTS, key="dt_docs_t",
                  hide=tuple(c for c in DOCUMENTS if c.endswith(("_source", "_evidence"))))
    ui.review_queue()
    st.subheader("导出分析表")
    flt = ui.current_filter()
    name = st.selectbox("表", list(export.EXPORTS), format_func=lambda n: export.EXPORTS[n].title_zh,
                        key="dt_table")
    need = export.EXPORTS[name].needs
    query = st.text_input("检索词", value="二十大", key="dt_query") if need == "query" else None
    groups = None
    if need == "groups":
        c1, c2 = st.columns(2)
        groups = (Filter.parse(c1.text_input("A 组（如 year=2020）", value="year=2022", key="dt_ga")),
                  Filter.parse(c2.text_input("B 组（如 year=2023）", value="year=2023", key="dt_gb")))
    preview = export.preview_table(name, t, flt, query=query, groups=groups)
    whole = lambda: export.download_table(preview, name, t, flt, query=query, groups=groups)  # made on click
    ui.show_export(preview, whole, export.EXPORTS[name].title_zh, columns=export.EXPORTS[name].columns,
                   key="dt_export_t", command=export.cli_command(name, flt, query=query, groups=groups,
                                                                  data=ui.data_dir()))
    ui.caption(flt)
    ui.codebook_audit(t, flt)

    st.subheader("主题词典与词表")
    for kind, label in views.RESOURCE_LABELS.items():
        path = views.resource_path(kind, ui.resources_dir())
        c1, c2 = st.columns([1, 3])
        c1.download_button(f"下载{label}", path.read_bytes(), file_name=path.name, key=f"dt_dl_{kind}",
                           on_click="ignore")
        new = c2.file_uploader(f"替换{label}（先校验，不合格则保留原文件）", key=f"dt_up_{kind}")
        if c2.button(f"校验并替换{label}", key=f"dt_rep_{kind}") and new is not None:
            try:
                views.replace_resource(kind, new.getvalue(), ui.resources_dir(), name=new.name)
                c2.success(f"已替换{label}。")
            except ReportLensError as err:
                ui.show_error(err)


ui.ensure_entry()
ui.guard(draw)
