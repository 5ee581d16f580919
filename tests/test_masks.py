"""Redaction masks: what is a mask, numeric or name, blanking, and counts per section or document."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import schema
from analysis.parse import figures, masks
from analysis.parse.masks import MASK_RE, Mask, blank_masks, count_redactions, find_masks


def found(text: str) -> list[tuple[str, str]]:
    return [(m.mask, m.kind) for m in find_masks(text)]


@pytest.mark.parametrize(("text", "expected"), [
    # numeric: before a measure word, 余/多/万/亿, a date unit, %, or after 第
    ("举行*次集中学习", [("*", "numeric")]),
    ("受众*余人", [("*", "numeric")]),
    ("现累计发稿X万多条次", [("X", "numeric")]),
    ("宣讲**场次", [("**", "numeric")]),
    ("组建****个网评员队伍", [("****", "numeric")]),
    ("开展专题研讨xx次", [("xx", "numeric")]),
    ("参与人数达xxxx余人", [("xxxx", "numeric")]),
    ("××处农家书屋", [("××", "numeric")]),
    ("协议总投资XXX亿元", [("XXX", "numeric")]),
    ("增长X.X%", [("X", "numeric"), ("X", "numeric")]),
    ("开展法制讲座**（场）次", [("**", "numeric")]),
    ("获奖 xx 件作品", [("xx", "numeric")]),
    ("位居全国第 x，", [("x", "numeric")]),
    ("x月xx日", [("x", "numeric"), ("xx", "numeric")]),
    ("20xx年工作总结", [("20xx", "numeric")]),
    ("202x年宣传工作总结", [("202x", "numeric")]),
    ("20XX年", [("20XX", "numeric")]),
    ("合唱队___支", [("___", "numeric")]),
    ("演出＊＊场", [("＊＊", "numeric")]),
    ("演出ＸＸ场", [("ＸＸ", "numeric")]),
    ("組織x場比賽", [("x", "numeric")]),
    # name: places, brands, titles, leaders, congresses
    ("**区委紧紧围绕", [("**", "name")]),
    ("践行XX有礼", [("XX", "name")]),
    ("打造“*”宣讲品牌", [("*", "name")]),
    ("推出了《*》《*》", [("*", "name"), ("*", "name")]),
    ("发挥***理论学习中心组的作用", [("***", "name")]),
    ("学习贯彻xxx思想", [("xxx", "name")]),
    ("学习党的xx大精神", [("xx", "name")]),
    ("党的xx届四中全会精神", [("xx", "name")]),
    ("xx 篇章", [("xx", "name")]),
    ("在《**日报》刊发", [("**", "name")]),
    ("讲好**故事", [("**", "name")]),
    ("其中*、*项目已投入试营业", [("*", "name"), ("*", "name")]),
    ("**人民广场", [("**", "name")]),
    ("在***APP上开设专栏", [("***", "name")]),
    ("填写单位：____", [("____", "name")]),
    ("以“X”行动为抓手", [("X", "name")]),
    ("×社区", [("×", "name")]),
])
def test_find_masks_classification(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize("text", [
    "Xbox游戏机", "TEXT文本", "XIV届", "XX世纪末", "访问xxx.com了解", "网址www.xxx.com", "邮箱xxx@qq.com",
    "拍X光片", "X射线检测", "X型结构", "坐标X轴", "提供7×24小时服务", "大唐2×35万千瓦机组", "“4×4”现代化产业",
    "“1+N+X”规划体系", "“双尖双领+X”项目", "实施“数据要素×”行动", "415X产业集群", "x86服务器",
    "iPhone X手机", "X-ray", "实现(xiàn)", "PM_2.5浓度", "7*24小时", "第Ⅹ章", "制作MV", "5G基站",
])
def test_find_masks_not_masks(text):
    assert find_masks(text) == []
    assert blank_masks(text) == text


def test_find_masks_offsets_and_mask_text():
    text = "今年以来，**区举办活动*次，参与XX人。"
    result = find_masks(text)
    assert [text[m.start:m.end] for m in result] == [m.mask for m in result] == ["**", "*", "XX"]
    assert all(isinstance(m, Mask) for m in result)
    assert [m.start for m in result] == sorted(m.start for m in result)


def test_find_masks_fields_match_redactions_table():
    assert set(Mask._fields) | {"doc_id", "section_id"} == set(schema.REDACTIONS)


def test_masks_use_the_figures_measure_words():
    assert masks.MEASURE_WORDS is figures.MEASURE_WORDS
    # every measure word makes a following mask numeric, unless it opens a compound such as 篇章
    for word in figures.MEASURE_WORDS:
        assert found(f"开展XX{word}，")[0][1] == "numeric", word


MASK_ALPHABET = st.sampled_from(list("*＊Xx×Ｘ_＿2020年次个区有礼光AaBx.@+- “”《》、，。0123456789"))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=MASK_ALPHABET, max_size=40))
def test_blank_masks_keeps_length_and_removes_every_mask(text):
    blanked = blank_masks(text)
    assert len(blanked) == len(text)
    inside = set()
    for m in find_masks(text):
        assert blanked[m.start:m.end] == " " * (m.end - m.start)
        inside.update(range(m.start, m.end))
    assert all(blanked[i] == text[i] for i in range(len(text)) if i not in inside)
    # Not asserted: find_masks(blanked) == []. A blank can bring a lone X into a mask's shape ("×.X" → " .X"),
    # and keeping the text outside the masks unchanged matters more (a lone X is never a term).


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=MASK_ALPHABET, max_size=40))
def test_find_masks_agrees_with_mask_re(text):
    assert [(m.start, m.end) for m in find_masks(text)] == [(m.start(), m.end()) for m in MASK_RE.finditer(text)]
    assert all(m.kind in ("numeric", "name") for m in find_masks(text))


def test_find_masks_seeds_are_classified(shared_dir):
    seeds = sorted((shared_dir / "seeds").glob("*.txt"))
    assert seeds, "no seeds in ../shared/seeds"
    total = 0
    for path in seeds:
        text = path.read_text(encoding="utf-8")
        for m in find_masks(text):
            total += 1
            assert m.kind in ("numeric", "name")
            assert set(m.mask) <= set("*＊Xx×Ｘｘ_＿") or m.mask.startswith("20"), (path.name, m)
    assert total > 100
    first = (shared_dir / "seeds" / "000_03e71e4c0e7fb2f2.txt").read_text(encoding="utf-8")
    by_pos = {m.start: m for m in find_masks(first)}
    held = first.index("举行*次") + 2
    brand = first.index("“*”宣讲品牌") + 1
    assert by_pos[held].kind == "numeric"
    assert by_pos[brand].kind == "name"


def test_find_masks_dev_reports_never_touch_latin_words(shared_dir):
    reports = sorted((shared_dir / "dev" / "reports").glob("*.txt"))
    if not reports:
        pytest.skip("no dev reports in ../shared/dev/reports")
    latin = set("ABCDEFGHIJKLMNOPQRSTUVWYZabcdefghijklmnopqrstuvwyz")
    for path in reports:
        text = path.read_text(encoding="utf-8")
        for m in find_masks(text):
            neighbours = text[max(0, m.start - 1):m.start] + text[m.end:m.end + 1]
            assert not set(neighbours) & latin, (path.name, text[m.start - 5:m.end + 5])


def redactions_table() -> pd.DataFrame:
    return pd.DataFrame({
        "doc_id": ["a", "a", "a", "a", "b"],
        "section_id": ["a/0", "a/1", "a/1", "a/1", "b/2"],
        "start": [1, 10, 20, 30, 5],
        "end": [3, 11, 22, 31, 7],
        "mask": ["**", "*", "XX", "*", "**"],
        "kind": ["name", "numeric", "name", "numeric", "numeric"],
    })


def test_count_redactions_by_section():
    out = count_redactions(redactions_table())
    assert list(out.columns) == ["doc_id", "section_id", "kind", "n"]
    assert out.to_dict("records") == [
        {"doc_id": "a", "section_id": "a/0", "kind": "name", "n": 1},
        {"doc_id": "a", "section_id": "a/1", "kind": "name", "n": 1},
        {"doc_id": "a", "section_id": "a/1", "kind": "numeric", "n": 2},
        {"doc_id": "b", "section_id": "b/2", "kind": "numeric", "n": 1},
    ]


def test_count_redactions_by_document():
    out = count_redactions(redactions_table(), by="document")
    assert list(out.columns) == ["doc_id", "kind", "n"]
    assert out.to_dict("records") == [
        {"doc_id": "a", "kind": "name", "n": 2},
        {"doc_id": "a", "kind": "numeric", "n": 2},
        {"doc_id": "b", "kind": "numeric", "n": 1},
    ]
    assert out["n"].sum() == len(redactions_table())


def test_count_redactions_empty_table():
    out = count_redactions(schema.empty_frame(schema.REDACTIONS), by="document")
    assert list(out.columns) == ["doc_id", "kind", "n"] and out.empty


def test_count_redactions_bad_by_names_the_options():
    with pytest.raises(ValueError, match="by='unit'.*'section', 'document'"):
        count_redactions(redactions_table(), by="unit")
