"""Outline rules for the layouts of real web reports, each on made-up text (no report's words)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.parse.outline import split_sections
from analysis.read.clean import clean_web, strip_chunk_numbers
from analysis.read.report import clean_text

FILL = "各项工作有序推进，取得明显成效，群众满意度持续提高。"


def heads(text: str, level: int) -> list[str]:
    df = split_sections(text)
    assert "".join(df["text"]) == text  # every layout still tiles the text
    return [r.marker + r.heading for r in df[df["level"] == level].itertuples()]


def test_marker_glued_to_an_unpunctuated_heading_opens_its_list():
    text = "导语说明情况。现将情况汇报如下：一、文明创建工作1.争创文明单位。制定方案。2.规范小组活动。设置小组。3.举办道德讲堂。每季一次。"
    assert heads(text, 1) == ["一、文明创建工作"]
    assert heads(text, 2) == ["1.争创文明单位", "2.规范小组活动", "3.举办道德讲堂"]


def test_first_item_after_a_space_on_the_heading_line():
    text = "导语。\n一、精神文明创建工作 1.主动争创文明单位。正文。2.规范小组活动。正文。\n二、存在问题\n不足。"
    assert heads(text, 1) == ["一、精神文明创建工作", "二、存在问题"]
    assert heads(text, 2) == ["1.主动争创文明单位", "2.规范小组活动"]


def test_glued_number_needs_its_sibling():
    # a 1. after a word with no 2. later is not a list (the 1. stays in the heading's text)
    text = "导语。\n一、总体情况1.全年任务完成。\n正文内容。"
    assert heads(text, 2) == []


def test_heading_running_into_its_body_ends_where_the_subject_starts():
    text = ("导语概述全年工作。一、全年工作情况（一）坚持理论学习，思想政治建设不断加强我县坚持把理论学习作为首要任务，"
            "全年开展集中学习多次。一是组织学习。二是开展宣讲。")
    assert heads(text, 1) == ["一、全年工作情况"]
    assert heads(text, 2) == ["（一）坚持理论学习，思想政治建设不断加强"]


def test_object_after_a_verb_is_not_the_body_subject():
    text = "导语。\n一、工作情况\n（一）抓示范创建，全面夯实全区文化事业发展的基础。正文。"
    assert heads(text, 2) == ["（一）抓示范创建，全面夯实全区文化事业发展的基础"]


def test_number_inside_a_sentence_is_no_heading():
    text = "一、工作情况\n全年完成第1、2项任务，增长1.5倍。\n二、存在问题\n力量不足。"
    assert heads(text, 2) == []


def test_unnumbered_level1_lines_with_a_comma_or_a_final_stop_above_numbered_items():
    text = ("工作总结\n\n全年工作开展良好，成效明显，得到上级肯定。\n\n立足理论根本，提高干部素养。\n\n1、抓好中心组学习。正文内容较长。\n\n"
            "2、深化群众教育。正文内容较长。\n\n立足正面宣传，强化舆论引导\n\n1、媒体报道有声有色。正文内容较长。")
    assert heads(text, 1) == ["立足理论根本，提高干部素养", "立足正面宣传，强化舆论引导"]
    assert heads(text, 2) == ["1、抓好中心组学习", "2、深化群众教育", "1、媒体报道有声有色"]


def test_unit_name_line_is_no_heading_but_a_phrase_ending_like_one_is():
    text = "导语。\n构筑一体化宣传格局\n正文内容较长的一段话。\n某某县委宣传部\n落款之后的一段很长的正文内容。"
    assert heads(text, 1) == ["构筑一体化宣传格局"]


def test_dash_items_under_unnumbered_headings():
    text = ("导语一段。\n高举思想旗帜，理论深入人心\n引言一段较长的正文内容，说明这一部分的总体情况。\n——理论学习扎实深入。组织学习多次。\n"
            "——理论宣讲丰富多彩。开展宣讲多场。\n凝聚奋进力量，舆论强劲有力\n引言一段较长的正文内容，说明这一部分的总体情况。\n——主题宣传持续深化。正文。")
    assert heads(text, 1) == ["高举思想旗帜，理论深入人心", "凝聚奋进力量，舆论强劲有力"]
    assert heads(text, 2) == ["——理论学习扎实深入", "——理论宣讲丰富多彩", "——主题宣传持续深化"]


def test_run_in_items_after_a_bracket_head():
    text = "导语。\n【理论武装扎实深入】 一是持续推进学习。正文。二是兴起宣讲热潮。正文。\n【舆论引导有力】 一是做强正面宣传。正文。"
    assert heads(text, 1) == ["【理论武装扎实深入】", "【舆论引导有力】"]
    assert heads(text, 2) == ["一是持续推进学习", "二是兴起宣讲热潮", "一是做强正面宣传"]


def test_spaced_bracket_marker_and_heading_broken_by_the_page_width():
    lines = ["年社区工作总结", "今年以来，在各方面的支持下，社区坚持脚踏实", "地，扎实有序推进各项工作，现将工作总结如下：",
             "（一）强化责任担当，加强防控宣传。成立领导", "小组，统筹协调联防联控工作，严格贯彻落实上", "级工作部署，充分动员居民积极参与有效落实。",
             "综合防控措施严格落实，按照不漏户的原则排查", "重点人群，做好跟踪随访工作。 ( 二 )增强政", "治意识，抓牢意识形态工作。始终把意识形态工",
             "作摆在突出位置，定期研究部署，层层压实责任"]
    text = "\n".join(lines)
    assert heads(text, 1) == ["（一）强化责任担当，加强防控宣传", "( 二 )增强政治意识，抓牢意识形态工作"]


def test_top_marker_at_the_end_of_a_lead_line():
    text = ("工作总结\n按照会议安排，我简要总结去年工作。一、去年工作简要回顾\n去年，全县完成了各项任务。\n"
            "一是文化工程稳步推进。正文。\n二是理论武装扎实有效。正文。")
    assert heads(text, 1) == ["一、去年工作简要回顾"]
    assert heads(text, 2) == ["一是文化工程稳步推进", "二是理论武装扎实有效"]


@pytest.mark.parametrize("script", ["s", "t"])
def test_run_in_unnumbered_heads_at_paragraph_starts(script):
    text = ("导语一段。\n一、工作情况\n为做好全年工作，我局组织干部认真学习，统一思想认识。\n加强组织领导。一是成立领导小组。二是分解目标责任。\n"
            "强化阵地管理。正文内容。\n今年召开会议。正文内容。\n2023年工作成效明显。正文。\n宣传工作是重要工作。正文。")
    expected = ["加强组织领导", "强化阵地管理"]
    if script == "t":  # the same in Traditional script: 今年 / 是 still open or make a sentence
        from opencc import OpenCC

        text, expected = OpenCC("s2t").convert(text), [OpenCC("s2t").convert(h) for h in expected]
    assert heads(text, 2) == expected


def test_sentence_opening_a_section_before_its_numbered_list_is_no_head():
    text = "导语。\n一、工作情况\n坚持围绕中心。全镇正文内容。\n（一）理论武装。正文。\n（二）新闻宣传。正文。\n二、存在问题\n不足。"
    assert heads(text, 2) == ["（一）理论武装", "（二）新闻宣传"]


def test_run_in_heads_below_a_numbered_heading_hold_their_items_and_close_at_the_next_number():
    text = ("导语。\n一、工作情况\n（一）理论武装。正文。\n加强组织领导。一是成立小组。二是分解责任。\n强化阵地管理。正文。\n"
            "（二）新闻宣传。正文。")
    assert heads(text, 2) == ["（一）理论武装", "（二）新闻宣传"]
    assert heads(text, 3) == ["加强组织领导", "强化阵地管理"]
    assert heads(text, 4) == ["一是成立小组", "二是分解责任"]


def test_run_in_head_after_a_heading_on_a_one_line_report():
    body = "深入贯彻落实部署，精心谋划推动，形成浓厚氛围。" * 8
    text = f"工作总结 导语介绍全年工作情况。 一、全年工作总结 聚焦主线主题，抓实学习教育。{body} 二、存在问题 基础薄弱。"
    assert heads(text, 1) == ["一、全年工作总结", "二、存在问题"]
    assert heads(text, 2)[:1] == ["聚焦主线主题，抓实学习教育"]


def test_space_after_a_closing_quote_inside_a_heading():
    body = "全县新闻战线坚持正确导向，增强新闻宣传的吸引力和感召力。" * 6
    text = f"导语。\n一、坚持“三贴近” 唱响主旋律，营造良好氛围。{body}\n二、坚持“两手抓” 共发布标语52条，印发材料3万份。{body}"
    assert heads(text, 1) == ["一、坚持“三贴近” 唱响主旋律，营造良好氛围", "二、坚持“两手抓”"]


def test_a_only_sentence_is_a_run_in_head_of_a_report_without_numbers():
    text = "工作总结\n2023年，本部门认真贯彻落实各项部署，全面推进各项工作。\n服务发展大局，好声音成为最强音。围绕中心工作深入一线采访。\n"
    assert heads(text, 1) == ["服务发展大局，好声音成为最强音"]


def test_lead_sentence_standing_where_the_first_heading_should_be():
    text = ("工作总结\n今年以来，全区按照部署推进各项工作，取得了明显成效。\n结合实际加强理论武装，学习质量不断提高。\n"
            "1、各级中心组学习日益规范。\n正文内容。\n2、理论宣讲深入基层。\n正文内容。")
    assert heads(text, 1) == ["结合实际加强理论武装，学习质量不断提高"]
    assert heads(text, 2) == ["1、各级中心组学习日益规范", "2、理论宣讲深入基层"]


@pytest.mark.parametrize("sentence", ["现将有关情况汇报如下。", "今年以来我们做了很多工作。"])
def test_introducing_sentence_is_no_lead_heading(sentence):
    text = f"工作总结\n全区推进各项工作，取得了明显成效。\n{sentence}\n1、中心组学习规范。\n正文。\n2、宣讲深入基层。\n正文。"
    assert heads(text, 1) == ["1、中心组学习规范", "2、宣讲深入基层"]


def test_line_start_in_a_hard_wrapped_text_is_no_run_in_head():
    lines = ["（一）强化责任担当，加强宣传工作。成立领导小", "组，统筹协调联防联控工作，严格贯彻落实上级工",
             "抓实抓牢意识形态工作。动员居民积极参与有效落", "实综合防控措施，严格落实社区防控制度，按照不",
             "漏户的原则排查重点人群，做好跟踪随访工作，实", "行动态化管理，做好公共场所的管理和消毒工作。"]
    text = "\n".join(lines)
    assert heads(text, 2) == []


def test_seeds_give_the_outline_they_gave_before_the_new_layouts():
    """Golden: each seed's sections (path, level, marker, heading, kind, start, end) as the parser gave them before
    the rules for web layouts were added; their top-level headings and kinds are the ones README's and DOMAIN.md's
    tables list for the seeds."""
    import json
    from pathlib import Path

    from analysis.store.pipeline import inspect_report

    root = Path(__file__).resolve().parents[1]
    golden = json.loads((root / "tests" / "data" / "seeds_outline.json").read_text(encoding="utf-8"))
    assert len(golden) == 5
    for name, rows in golden.items():
        got = [[s["path"], s["level"], s["marker"], s["heading"], s["kind"], s["start"], s["end"]]
               for s in inspect_report(root / "seeds" / name)["sections"]]
        assert got == rows, name


@pytest.mark.parametrize("text,kinds", [
    # unnumbered level-1 lines
    (("导语一段。\n全年工作成效显著\n正文一段较长的文字，说明了全年的工作。\n存在的问题和不足\n正文一段较长的文字，说明了问题所在。\n"
      "下一步工作打算\n正文一段较长的文字，说明了明年的工作。"), ["preamble", "achievements", "problems", "plans"]),
    # 【】 heads, a topical one after the plans is "other"
    ("【工作开展情况】正文。\n【存在问题】正文。\n【工作计划】正文。\n【附件说明】正文。",
     ["achievements", "problems", "plans", "other"]),
    # Traditional script
    ("導語。\n一、工作開展情況\n正文。\n二、存在的問題\n正文。\n三、下一步工作打算\n正文。",
     ["preamble", "achievements", "problems", "plans"]),
    # headings glued on one line
    ("导语说明。现将情况汇报如下：一、主要工作情况1.学习。正文。2.宣讲。正文。二、存在问题1.力量薄弱。正文。2.阵地不足。正文。",
     ["preamble", "achievements", "problems"]),
])
def test_top_sections_of_real_layouts_get_their_kind(text, kinds):
    df = split_sections(text)
    assert df[df["level"] <= 1]["kind"].tolist() == kinds


def test_kinds_of_the_dev_sets_top_sections():
    """tests/data/dev_kinds.csv: the kind of every top section (and preamble) of the 65 dev reports, labelled by
    reading each one (file, position among the top sections, a hash of its heading, kind; no report text).
    The parser must find each labelled heading at its place and give it the labelled kind."""
    import csv
    import hashlib
    import re
    from pathlib import Path

    from analysis.store.pipeline import inspect_report

    dev = Path(__file__).resolve().parents[2] / "shared" / "dev" / "reports"
    if not dev.exists():
        pytest.skip("../shared/dev is not beside the project")
    path = Path(__file__).resolve().parent / "data" / "dev_kinds.csv"
    with open(path, encoding="utf-8") as fh:
        labels = list(csv.DictReader(fh))
    assert len({r["file"] for r in labels}) == 65
    right, misses = 0, []
    tops_of: dict[str, list] = {}
    for r in labels:
        tops = tops_of.setdefault(r["file"], [s for s in inspect_report(dev / r["file"])["sections"] if s["level"] <= 1])
        i = int(r["index"])
        got = tops[i] if i < len(tops) else None
        digest = "-" if got is None or not got["level"] else hashlib.sha1(
            re.sub(r"\s+", "", got["marker"] + got["heading"]).encode()).hexdigest()[:10]
        if got is not None and digest == r["heading_sha1"] and got["kind"] == r["kind"]:
            right += 1
        else:
            misses.append((r["file"], i, r["kind"], got and got["kind"]))
    assert right / len(labels) >= 0.98, misses


# ---------------------------------------------------------------------------------------------------------------
# Tiling on generated reports in the new layouts (hypothesis)

CN_NUM = "一二三四五六七八九十"
HEADS = ["强化理论武装，学习不断深入", "做强正面宣传", "文明创建扎实有效", "存在问题", "下一步工作打算", "网络阵地管理走深走实"]
BODIES = ["我镇坚持把学习放在首位，全年开展学习12次。", "今年以来，全县发稿805篇，网评员队伍不断壮大。",
          "组织志愿服务活动150余场，群众满意度持续提高。", "**区开展宣讲XX场。"]


@st.composite
def generated_report(draw):
    sep = draw(st.sampled_from(["\n", "\n\n", "  "]))  # paragraphs on lines, or a one-line report
    layout = draw(st.sampled_from(["numbered", "glued", "plain", "bracket", "dash", "runin"]))
    parts = [draw(st.sampled_from(BODIES))]
    for i in range(draw(st.integers(1, 4))):
        head, body = draw(st.sampled_from(HEADS)), draw(st.sampled_from(BODIES))
        items = [f"{j + 1}.{draw(st.sampled_from(HEADS))}。{draw(st.sampled_from(BODIES))}"
                 for j in range(draw(st.integers(0, 3)))]
        if layout == "numbered":
            parts.append(f"{CN_NUM[i]}、{head}{sep}（一）{head}。{body}")
        elif layout == "glued":
            parts.append(f"{CN_NUM[i]}、{head}" + "".join(items) + body)
        elif layout == "plain":
            parts.append(head + sep + body + sep.join(items))
        elif layout == "bracket":
            parts.append(f"【{head[:6]}】 一是{head}。{body}")
        elif layout == "dash":
            parts.append(head + sep + f"——{head}。{body}")
        else:
            parts.append(f"{head}。{body}")
    text = sep.join(parts)
    if draw(st.booleans()):  # a viewer's chunk numbers every `size` characters, even inside words
        size = draw(st.integers(90, 150))
        text = "".join(f"{k + 1}、{text[a:a + size]}" for k, a in enumerate(range(0, len(text), size)))
    if draw(st.booleans()):  # HTML around and inside paragraphs, with entities
        text = "".join(f"<p>{p.replace('年', '<span>年</span>', 1)}&nbsp;</p>" for p in text.split(sep))
    return text


@settings(max_examples=150, deadline=None)
@given(generated_report())
def test_sections_tile_the_cleaned_text_of_generated_reports(raw):
    text = clean_text(clean_web(raw)[0])
    df = split_sections(text)
    assert "".join(df["text"]) == text
    for row in df.itertuples():
        assert text[row.start:row.end] == row.text and row.start <= row.end <= row.span_end
        assert row.heading == row.heading.strip() and "<" not in row.heading and "&nbsp;" not in row.heading


@settings(max_examples=100, deadline=None)
@given(generated_report(), st.integers(90, 150))
def test_chunk_numbers_come_out_exactly(raw, size):
    text = clean_text(clean_web(raw)[0]).replace("\n", "")
    if len(text) < 3 * size:
        return
    chunked = "".join(f"{k + 1}、{text[a:a + size]}" for k, a in enumerate(range(0, len(text), size)))
    assert strip_chunk_numbers(chunked) == (text, len(chunked) - len(text))
