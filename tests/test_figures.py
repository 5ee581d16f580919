"""Stated quantities: value, measure word, object and approximator; what is not a count; linear time; summaries."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import schema
from analysis.parse.figures import MEASURE_WORDS, Figure, figures_summary, find_figures


def one(text: str) -> Figure:
    result = find_figures(text)
    assert len(result) == 1, result
    return result[0]


# snippet → (value, measure, object (a set when several are right), approx, is_masked)
@pytest.mark.parametrize(("text", "value", "measure", "obj", "approx", "is_masked"), [
    ("发稿805篇。", 805, "篇", {"发稿"}, None, False),
    ("其他负面网络舆情58起。", 58, "起", {"负面网络舆情", "其他负面网络舆情"}, None, False),
    ("征集作品11000余件。", 11000, "件", {"征集作品", "作品"}, "余", False),
    ("组织近500支志愿服务队伍。", 500, "支", {"志愿服务队伍"}, "近", False),
    ("动员20余万志愿者参与。", 200_000, "", {"志愿者"}, "余", False),
    ("开展学习活动四次。", 4, "次", {"学习活动"}, None, False),
    ("现累计发稿X万多条次。", None, "条次", {"发稿"}, "多", True),
    ("举行*次集中学习。", None, "次", {"集中学习"}, None, True),
    ("筹集帮扶资金1.6万元。", 16_000, "元", {"帮扶资金"}, None, False),
    ("累计发放3.5亿元。", 350_000_000, "元", {"发放"}, "累计", False),
    ("开展惠民演出超300场。", 300, "场", {"惠民演出"}, "超", False),
    ("服务群众约2000人次。", 2000, "人次", {"服务群众", "群众"}, "约", False),
    ("受众*余人。", None, "人", {"受众"}, "余", True),
    ("举办讲座近百场。", 100, "场", {"讲座"}, "近", False),
    ("吸引上千人参加。", 1000, "人", None, "上", False),
    ("转载两万余条，", 20_000, "条", {"转载"}, "余", False),
    ("宣讲三十余万人次。", 300_000, "人次", {"宣讲"}, "余", False),
    ("参加培训2000人左右。", 2000, "人", {"培训"}, "左右", False),
    ("共签约**个文旅项目。", None, "个", {"文旅项目"}, None, True),
    ("制定十项措施。", 10, "项", {"措施"}, None, False),
    ("招募志愿者1,200名。", 1200, "名", {"志愿者"}, None, False),
    ("新增会员１２人。", 12, "人", {"会员"}, None, False),
    ("中心组集中学习 20 次，", 20, "次", {"集中学习", "中心组集中学习"}, None, False),
    ("發布信息1.2萬餘篇。", 12_000, "篇", {"信息", "發布信息"}, "餘", False),
    ("演出x場，", None, "場", {"演出"}, None, True),
])
def test_find_figures_examples(text, value, measure, obj, approx, is_masked):
    fig = one(text)
    assert fig.value == (None if value is None else pytest.approx(value))
    assert fig.measure == measure
    assert (fig.object is None) if obj is None else (fig.object in obj), fig.object
    assert fig.approx == approx
    assert fig.is_masked is is_masked
    assert text[fig.start:fig.end] == fig.text


@pytest.mark.parametrize(("text", "quantity"), [
    ("组织近500支志愿服务队伍。", "近500支"),
    ("发稿805篇。", "805篇"),
    ("累计发放3.5亿元。", "3.5亿元"),
    ("参加培训2000人左右。", "2000人左右"),
    ("现累计发稿X万多条次。", "X万多条次"),
])
def test_find_figures_text_is_the_quantity(text, quantity):
    assert one(text).text == quantity


@pytest.mark.parametrize("text", [
    # dates, years, times
    "3月25日召开会议", "2023年工作总结", "7月1日", "上半年", "二〇二三年", "上午10时", "下午3点半",
    # ordinals and section markers
    "第三届文明城市", "位列第一", "第 5 名", "一、工作情况", "（二）理论武装", "一是强化学习", "1.围绕中心",
    "(3)宣传", "2、新闻",
    # percentages and ratios
    "增长85%", "占比百分之八十", "提高2个百分点", "增长3倍", "同比增长12.5％",
    # codes and document numbers
    "建成5G基站", "PM2.5浓度", "宣发〔2023〕5号文件", "x86服务器", "7×24小时服务",
    # ages and anniversaries
    "60岁以上老人", "年满18周岁", "庆祝建党100周年", "建党102周年",
    # plenums, congresses, plans, slogans, names
    "十九届六中全会", "党的二十大", "十四五时期", "“十四五”规划", "二十届三中全会", "十三届八次全会",
    "增强四个意识", "落实八项规定", "五位一体", "两个确立", "两位数增长",
    # inside quotes and titles
    "“万名干部进万家”活动", "《关于建设100个示范点的通知》",
    # idioms, articles and vague amounts
    "千家万户", "推出一批精品", "一次次", "数百名志愿者", "几十个", "百花齐放",
    # masks that are names or years
    "**区委", "20xx年", "打造“*”品牌", "第xx届",
])
def test_find_figures_not_counts(text):
    assert find_figures(text) == []


def test_find_figures_several_in_order():
    text = "2023年3月，全市举办活动12场，参与群众5000余人，其中第三届读书节吸引*万人次，占85%。"
    result = find_figures(text)
    assert [(f.text, f.value, f.measure, f.approx, f.is_masked) for f in result] == [
        ("12场", 12, "场", None, False),
        ("5000余人", 5000, "人", "余", False),
        ("*万人次", None, "人次", None, True),
    ]
    assert [f.start for f in result] == sorted(f.start for f in result)


def test_find_figures_masked_name_is_not_a_figure():
    assert [f.text for f in find_figures("**区举办**场活动")] == ["**场"]


def test_find_figures_long_adversarial_line():
    # about 2 MB on one line: digit runs, separators, masks and Chinese numerals with no count, then one count
    noise = ("1234567890" * 30 + ",000.5." + "*" * 20 + "xX×" + "一二三四五六七八九十" * 5 + "，") * 4000
    text = noise + "累计发稿805篇"
    assert len(text) > 1_500_000
    result = find_figures(text)
    assert [(f.start, f.text, f.value, f.object) for f in result] == [(len(noise) + 4, "805篇", 805.0, "发稿")]


def test_find_figures_long_digit_run():
    text = "9" * 2_000_000 + "次"  # one huge number with a measure word: still one figure
    result = find_figures(text)
    assert len(result) == 1 and result[0].start == 0 and result[0].measure == "次"


def test_figure_fields_match_figures_table():
    assert set(Figure._fields) | {"doc_id", "section_id"} == set(schema.FIGURES)


def test_measure_words_longest_first_and_complete():
    lengths = [len(w) for w in MEASURE_WORDS]
    assert lengths == sorted(lengths, reverse=True)
    assert len(set(MEASURE_WORDS)) == len(MEASURE_WORDS)
    for word in ("个", "次", "场", "名", "人", "篇", "条", "期", "家", "所", "支", "场次", "人次", "件", "起", "项",
                 "万元", "条次", "元"):
        assert word in MEASURE_WORDS


TEXT_ALPHABET = st.sampled_from(list("0123456789.,万亿余多近约超第年月日%个次场人篇名元发稿活动一二三十百*Xx“”《》，。 "))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=TEXT_ALPHABET, max_size=60))
def test_find_figures_invariants(text):
    result = find_figures(text)
    assert [f.start for f in result] == sorted(f.start for f in result)
    for f in result:
        assert 0 <= f.start < f.end <= len(text)
        assert text[f.start:f.end] == f.text
        assert f.is_masked == (f.value is None)
        assert f.measure == "" or f.measure in MEASURE_WORDS


def test_find_figures_seed_disclosed_numbers(shared_dir):
    path = shared_dir / "seeds" / "000_03e71e4c0e7fb2f2.txt"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    result = find_figures(path.read_text(encoding="utf-8"))
    opinion = [f for f in result if f.value == 58 and f.measure == "起"]
    assert len(opinion) == 1 and "网络舆情" in opinion[0].object
    assert sum(f.is_masked for f in result) > sum(not f.is_masked for f in result)  # this copy hides most numbers


def figures_table() -> pd.DataFrame:
    return pd.DataFrame({
        "doc_id": ["a", "a", "a", "b"],
        "section_id": ["a/1", "a/1", "a/2", "b/1"],
        "is_masked": [True, False, True, False],
    })


def test_figures_summary_by_document():
    out = figures_summary(figures_table())
    assert list(out.columns) == ["doc_id", "n_figures", "n_masked", "share_masked"]
    assert out.to_dict("records") == [
        {"doc_id": "a", "n_figures": 3, "n_masked": 2, "share_masked": pytest.approx(2 / 3)},
        {"doc_id": "b", "n_figures": 1, "n_masked": 0, "share_masked": 0.0},
    ]


def test_figures_summary_by_section():
    out = figures_summary(figures_table(), by="section")
    assert list(out.columns) == ["doc_id", "section_id", "n_figures", "n_masked", "share_masked"]
    assert out[["section_id", "n_figures", "n_masked"]].values.tolist() == [["a/1", 2, 1], ["a/2", 1, 1],
                                                                             ["b/1", 1, 0]]
    assert out["n_figures"].sum() == len(figures_table())


def test_figures_summary_empty_table():
    out = figures_summary(schema.empty_frame(schema.FIGURES))
    assert list(out.columns) == ["doc_id", "n_figures", "n_masked", "share_masked"] and out.empty


def test_figures_summary_bad_by_names_the_options():
    with pytest.raises(ValueError, match="by='year'.*'document', 'section'"):
        figures_summary(figures_table(), by="year")
