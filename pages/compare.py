"""对读: two or three reports side by side, aligned by kind or theme, shared boilerplate marked, figures, plans."""

import streamlit as st

import ui
from analysis.schema import FIGURES, KIND_ZH
from analysis.tables import coverage, reuse, views
from analysis.tables.kwic import document_texts
from analysis.words.themes import section_theme_profile

WHOLE_SELECTION_CHARS = 200_000
# Up to this many selected characters, shared text is sought in every selected report; beyond, only among the
# reports being compared (comparing a whole large selection takes seconds to minutes).


def draw() -> None:
    st.title("对读")
    flt, t = ui.current_filter(), ui.tables()
    docs = flt.apply(t.documents)
    files, names_of = docs.set_index("doc_id")["file"], ui.report_labels()
    chosen = st.multiselect("选择 2–3 份报告", list(files.index), default=list(files.index[:2]), max_selections=3,
                            format_func=names_of.get, key="cp_docs", select_all=False)
    if len(chosen) < 2:
        st.info("请至少选择两份报告。")
        return
    by = st.radio("对齐方式", ["kind", "theme"], format_func={"kind": "按段落类型", "theme": "按主导主题"}.get,
                  horizontal=True, key="cp_by")
    secs = views.doc_slice(t.sections, chosen)
    prof = section_theme_profile(views.doc_slice(t.theme_hits, chosen), secs, by="subtree",
                                 codebook=t.codebook)
    groups = views.aligned_sections(t.sections, chosen, by=by, profile=prof)
    names = {**KIND_ZH, **t.codebook.names()}
    texts = document_texts(secs)
    size = reuse.selected_chars(t, flt)
    if size is not None and size <= WHOLE_SELECTION_CHARS:
        bp, scope = ui.run(reuse.boilerplate, flt), "所选范围内其他报告"
    else:   # a large selection: only the reports being compared (the time no longer grows with the corpus)
        bp, scope = ui.run(reuse.boilerplate_among, tuple(chosen), flt), "对读的其他报告"
    st.caption(f"{views.MARK_OPEN}…{views.MARK_CLOSE} 内是与{scope}逐字相同的文字（至少 12 字）。")
    for group, per_doc in groups.items():
        st.subheader(names.get(group, group))
        for doc, col in zip(chosen, st.columns(len(chosen)), strict=True):
            col.markdown(f"**{views.escape_markdown(names_of[doc])}**")
            box = col.container(height=320)
            if per_doc[doc].empty:
                box.caption("（此报告没有这一部分）")
            for s in per_doc[doc].itertuples(index=False):
                body = texts[doc][int(s.start):int(s.span_end)]
                box.text(views.mark_spans(body, views.spans_in(bp, doc, int(s.start), int(s.span_end))))
    shared = bp[bp["doc_id"].isin(chosen)]
    st.subheader("共用文字")
    ui.show_table(shared, "共用文字", columns=reuse.BOILERPLATE, key="cp_bp_t", height=240,
                  hide=("doc_id", "section_id"))
    ui.caption(flt)

    st.subheader("数字")
    for doc, col in zip(chosen, st.columns(len(chosen)), strict=True):
        with col:
            st.caption(views.escape_markdown(f"{names_of[doc]}（{files[doc]}）"))
            figs = views.doc_slice(t.figures, [doc])
            ui.show_table(figs[["text", "value", "measure", "object", "approx"]], f"数字_{names_of[doc]}",
                          columns=FIGURES, key=f"cp_fig_{doc}", height=260)

    st.subheader("计划与次年成效")
    pf = ui.run(coverage.plan_followup, flt)
    pairs = pf[pf["doc_id"].isin(chosen) | pf["next_doc_id"].isin(chosen)]
    if pairs.empty:
        st.info(pf.attrs.get("reason") or "所选报告没有同一单位的前后两期报告，不对不同单位配对。")
    else:
        pairs = pairs.assign(status=pairs["status"].map(coverage.STATUS_ZH))
        ui.show_table(pairs, "计划落实", columns=coverage.PLAN_FOLLOWUP, key="cp_pf_t", hide=("theme",))
    ui.caption(flt)


ui.ensure_entry()
ui.guard(draw)
