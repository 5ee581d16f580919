"""The outline parser: levels by depth, headings, kinds, tiling, and the shapes real reports take."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.parse.outline import classify_kind, find_title, split_sections

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def tops(df):
    return [(r.marker, r.heading, r.kind) for r in df[df["level"] == 1].itertuples()]


def headings(df, level):
    return [r.heading for r in df[df["level"] == level].itertuples()]


def test_split_sections_basic_tree():
    text = ("导语，概括全年工作。\n一、工作开展情况\n（一）强化理论武装。正文一。一是读书班。二是宣讲。\n（二）壮大主流舆论；正文二。\n"
            "二、存在问题\n一是基层力量薄弱；\n二是网络舆情处置能力不足。\n三、下一步工作打算\n一是抓学习。")
    df = split_sections(text, doc_id="d")
    assert "".join(df["text"]) == text
    assert tops(df) == [("一、", "工作开展情况", "achievements"), ("二、", "存在问题", "problems"),
                        ("三、", "下一步工作打算", "plans")]
    assert headings(df, 2) == ["强化理论武装", "壮大主流舆论", "基层力量薄弱", "网络舆情处置能力不足", "抓学习"]
    assert headings(df, 3) == ["读书班", "宣讲"]
    row = df.set_index("path").loc["1.1.2"]
    assert row["parent_id"] == "d/1.1" and row["kind"] == "achievements" and row["marker"] == "二是"
    assert df.iloc[0]["path"] == "0" and df.iloc[0]["kind"] == "preamble"


def test_split_sections_span_and_chars():
    text = "一、甲\n（一）乙。丙。\n（二）丁。\n二、戊\n己。"
    df = split_sections(text).set_index("path")
    assert text[df.loc["1", "start"]:df.loc["1", "span_end"]] == "一、甲\n（一）乙。丙。\n（二）丁。\n"
    assert df.loc["1", "chars"] == df.loc["1", "span_end"] - df.loc["1", "start"]
    assert df.loc["1", "text"] == "一、甲\n"


@pytest.mark.parametrize("name,expected_tops,n_level2", [
    ("000", [("2023年上半年工作完成情况", "achievements"), ("当前工作存在的问题", "problems"),
             ("下一步工作打算", "plans")], 11),
    ("001", [("上半年工作总结", "achievements"), ("下半年工作安排", "plans")], 10),
    ("002", [("2023年工作情况", "achievements"), ("问题与不足", "problems"), ("2024年工作安排", "plans")], 17),
    ("003", [("工作进展情况", "achievements"), ("存在问题", "problems"), ("下一步工作打算", "plans"),
             ("围绕学习宣传党的二十大精神，做好2023年宣传思想文化工作", "plans")], 20),
    ("004", [("工作开展情况", "achievements"), ("存在问题", "problems"), ("下一步工作措施", "plans")], 13),
])
def test_split_sections_seeds(name, expected_tops, n_level2):
    from analysis.read.report import read_report

    path = next(SEEDS.glob(f"{name}_*.txt"))
    text = read_report(path).text
    df = split_sections(text)
    assert [(h, k) for _, h, k in tops(df)] == expected_tops
    assert (df["level"] == 2).sum() == n_level2
    assert "".join(df["text"]) == text


def test_split_sections_nested_di_then_shi():
    text = "一、工作情况\n（一）落实责任制。第一，建立机制。一是制定办法。二是定期研判。第二，加强阵地管理。\n（二）文明创建。"
    df = split_sections(text)
    assert headings(df, 3) == ["建立机制", "加强阵地管理"]
    assert headings(df, 4) == ["制定办法", "定期研判"]


@pytest.mark.parametrize("text,expected_l1,expected_l2", [
    # ASCII brackets, (一)、 and ㈠
    ("一、工作情况\n(一)强化理论武装。正文。\n(二)、壮大舆论。正文。", ["工作情况"], ["强化理论武装", "壮大舆论"]),
    ("一、工作情况\n㈠强化理论武装。正文。\n㈡壮大舆论。正文。", ["工作情况"], ["强化理论武装", "壮大舆论"]),
    # the report starts at （一）: those are level 1
    ("导语。\n（一）强化理论武装。一是读书。\n（二）壮大舆论。", ["强化理论武装", "壮大舆论"], ["读书"]),
    # 一是 as the top level, 1. below it
    ("导语。\n一是文明创建。\n1.评选好人。\n2.道德讲堂。\n二是志愿服务。", ["文明创建", "志愿服务"], ["评选好人", "道德讲堂"]),
    # a whole report on one line: headings inline, separated by spaces only
    ("导语如下: 一、总体情况 (一)强化组织领导,压实主体责任 县委高度重视意识形态工作并作出部署安排，将其纳入重要议事日程，与经济社会发展同部署、同落实、同检查、同考核，形成了党委统一领导、党政齐抓共管、宣传部门组织协调的工作格局。" + "各级党组织认真落实主体责任，层层传导压力。" * 30 + " (二)加强理论武装,筑牢思想根基 "
     "坚持学习", ["总体情况"], ["强化组织领导,压实主体责任", "加强理论武装,筑牢思想根基"]),
    # a level-2 heading on the same line as its level-1 heading
    ("导语。\n一、压实工作责任,阵地更加牢固 (一)落实主体责任。\n一是坚持领导。", ["压实工作责任,阵地更加牢固"],
     ["落实主体责任"]),
    # yearbook style 【】 run-in heads
    ("【概况】2020年，全县网信工作有序开展。\n【组织领导】召开会议2次。\n【舆论引导】上报快报14期。",
     ["【概况】", "【组织领导】", "【舆论引导】"], []),
    # unnumbered headings, one split over two lines, between paragraphs
    (("2022年宣传思想文化工作综述\n过去一年，全市宣传战线坚持围绕中心。\n凝聚思想伟力\n筑牢理论根基\n旗帜引领方向，思想凝聚力量。我市坚持学习。\n"
      "壮大主流舆论\n我市加强新闻宣传，发稿数量大幅增加。"), ["凝聚思想伟力筑牢理论根基", "壮大主流舆论"], []),
    # Traditional characters
    ("導語。\n一、2021年工作總結\n(一)紮實開展理論學習。正文。", ["2021年工作總結"], ["紮實開展理論學習"]),
])
def test_split_sections_real_shapes(text, expected_l1, expected_l2):
    df = split_sections(text)
    assert headings(df, 1) == expected_l1
    assert headings(df, 2)[: len(expected_l2)] == expected_l2
    assert "".join(df["text"]) == text


def test_split_sections_shi_inside_sentence_is_not_heading():
    text = "一、工作情况\n（一）理论学习。做到学习一是一、二是二，扎实推进，并统一是非标准。\n（二）新闻宣传。"
    df = split_sections(text)
    assert headings(df, 3) == []
    assert headings(df, 2) == ["理论学习", "新闻宣传"]


def test_split_sections_markers_in_preamble_stay_there():
    text = "总体上有三个特点：一是早部署；二是抓落实；三是重实效。\n一、工作情况\n正文。\n二、存在问题\n不足。"
    df = split_sections(text)
    assert headings(df, 1) == ["工作情况", "存在问题"]
    assert df.iloc[0]["kind"] == "preamble" and "三是重实效" in df.iloc[0]["text"]


def test_split_sections_contents_block_is_folded_into_preamble():
    text = ("目录\n一、工作情况\n二、存在问题\n三、下一步打算\n一、工作情况\n今年以来，我们做了很多工作。\n二、存在问题\n力量不足。\n"
            "三、下一步打算\n继续努力。")
    df = split_sections(text)
    assert headings(df, 1) == ["工作情况", "存在问题", "下一步打算"]
    assert df[df["level"] == 1].iloc[0]["start"] == text.index("一、工作情况\n今年")


def test_split_sections_second_part_restarting_numbering_is_kept():
    text = "一、工作情况\n（一）学习。正文很多很多。\n（二）宣传。正文。\n二、下一步打算\n（一）继续学习。\n（二）继续宣传。"
    df = split_sections(text)
    assert headings(df, 2) == ["学习", "宣传", "继续学习", "继续宣传"]


def test_split_sections_level1_heading_stops_at_sentence_end():
    df = split_sections("一、工作开展情况。今年以来，我们做了很多工作，取得了显著成效。\n二、存在问题")
    assert headings(df, 1) == ["工作开展情况", "存在问题"]


def test_split_sections_hard_wrapped_heading_joined_across_lines():
    body = "我市始终将思想道德建设作为文明城市创建的灵魂工程，推\n" * 8
    text = ("市2025年度文明城市建设工作总结\n" + body + "一、强化价值引领，筑牢城市文明之魂\n" + body +
            "(一)核心价值观宣传教育实\n现全域覆盖。我市坚持将社会主义核心价值观\n" + body)
    df = split_sections(text)
    assert headings(df, 1) == ["强化价值引领，筑牢城市文明之魂"]
    assert headings(df, 2) == ["核心价值观宣传教育实现全域覆盖"]


def test_split_sections_empty_and_flat_texts():
    assert split_sections("").shape[0] == 1
    df = split_sections("只有一段正文，没有任何标题。")
    assert df["path"].tolist() == ["0"] and df["text"].tolist() == ["只有一段正文，没有任何标题。"]


def test_split_sections_flood_of_markers_is_linear():
    # 20,000 一是-like items and brackets: must finish (a quadratic parser would take minutes) and stay lossless
    text = "一、工作情况\n" + "".join(f"（{'一二三四五六七八九十'[i % 10]}）项目。" for i in range(20000))
    text += "一是" * 20000 + "(" * 50000
    df = split_sections(text)
    assert "".join(df["text"]) == text


def test_split_sections_long_single_line():
    text = ("意识形态工作扎实推进，成效明显，" * 70000)[:2_000_000]
    df = split_sections(text)
    assert len(df) == 1 and df.iloc[0]["text"] == text


@pytest.mark.parametrize("heading,year,kind", [
    ("2023年上半年工作完成情况", 2023, "achievements"),
    ("当前工作存在的问题", 2023, "problems"),
    ("问题与不足", None, "problems"),
    ("下一步工作打算", None, "plans"),
    ("2024年工作安排", 2023, "plans"),
    ("围绕学习宣传党的二十大精神，做好2023年宣传思想文化工作", 2022, "plans"),
    ("下半年工作安排", 2020, "plans"),
    ("2022年工作總結", 2022, "achievements"),
    ("筑牢思想根基", 2023, None),
])
def test_classify_kind(heading, year, kind):
    assert classify_kind(heading, report_year=year) == kind


@pytest.mark.parametrize("text,title", [
    ("市委宣传部上半年工作总结\n及下半年工作计划\n\n上半年，市委宣传部深入贯彻。", "市委宣传部上半年工作总结及下半年工作计划"),
    ("上半年，全市宣传思想文化工作坚持以习近平新时代中国特色社会主义思想为指导。\n一、工作", None),
    ("一、工作开展情况\n（一）学习。", None),
    ("在2016年全县宣传工作会议上的讲话\nXX县委常委、宣传部长 XXX\n（2016年2月20日）\n同志们：", "在2016年全县宣传工作会议上的讲话"),
    ("2021年县委宣传部工作总结\n作者：张三\n2021年12月20日\n一、主要工作", "2021年县委宣传部工作总结"),
    ("县委宣传部：\n今年以来，中心的宣传工作稳步推进。", None),
    ("市 2025 年度深化全国文明城市建设工作情况\n的总结报告\n2025 年，在市委的领导下。", "市 2025 年度深化全国文明城市建设工作情况的总结报告"),
    ("镇2022年工作总结及2023年工作计划 镇2022年工作总结及2023年工作计划(4050字) XX镇宣传思想文化工作在区委宣传部的正确领导下，聚焦使命任务。",
     "镇2022年工作总结及2023年工作计划"),
])
def test_find_title(text, title):
    assert find_title(text)[0] == title


# --- the tiling property on generated outlines -------------------------------------------------------------

CN = "一二三四五六七八九十"
body_text = st.text(alphabet=st.sampled_from(list("学习宣传工作推进，。；：、一二是（）()1.*X\n 　【】")), max_size=40)


@st.composite
def outlines(draw):
    """A report built from a random outline: 一、 → （一） → 一是 items with random bodies."""
    parts = [draw(body_text)]
    expected = []
    for i in range(draw(st.integers(0, 4))):
        heading = draw(st.text(alphabet="理论武装新闻舆论文明创建", min_size=1, max_size=8))
        parts.append(f"\n{CN[i]}、{heading}\n")
        expected.append(heading)
        for j in range(draw(st.integers(0, 3))):
            parts.append(f"（{CN[j]}）小标题{j}。" + draw(body_text).replace("\n", ""))
            for k in range(draw(st.integers(0, 3))):
                parts.append(f"{CN[k]}是事项。" + draw(body_text).replace("\n", ""))
            parts.append("\n")
    return "".join(parts), expected


@settings(max_examples=200, deadline=None)
@given(outlines())
def test_split_sections_tiles_generated_outlines(case):
    text, _headings = case
    df = split_sections(text)
    assert "".join(df["text"]) == text
    assert df["start"].is_monotonic_increasing and df["path"].is_unique
    assert (df["end"] > df["start"]).all() or len(df) == 1
    levels = dict(zip(df["path"], df["level"]))
    for path, level in levels.items():
        assert level == (0 if path == "0" else path.count(".") + 1)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*"一二三四五是、（）()【】1.。；：\n 　第，概况学习", "十一", "一、", "（二）", "三是"]),
                max_size=150).map("".join))
def test_split_sections_tiles_any_text(text):
    df = split_sections(text)
    assert "".join(df["text"]) == text
