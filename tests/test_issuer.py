"""Issuing unit, level and region: every rule on made-up sentences (no dev report's words)."""

from __future__ import annotations

import pytest

from analysis.parse.meta import infer_metadata
from analysis.parse.outline import split_sections
from analysis.parse.places import locate


def infer(text):
    return infer_metadata(text, split_sections(text))


@pytest.mark.parametrize("text,unit,level", [
    # the title's issuing part, before its year or topic, masks kept
    ("xx镇2021年精神文明建设工作总结\n正文。", "xx镇", "township"),
    ("县精神文明办2019年工作总结暨2020年工作计划\n正文。", "县精神文明办", "county"),
    ("区委宣传部关于2022年工作总结和2023年工作打算\n正文。", "区委宣传部", "district"),
    ("2021年X区宣传部工作总结及工作计划\n正文。", "X区宣传部", "district"),
    ("市政府办公室2021年网络意识形态分析研判报告\n正文。", "市政府办公室", "organisation"),
    ("中共青石县委落实意识形态工作责任制情况汇报\n正文。", "中共青石县委", "county"),
    # a bare level or a template's placeholder names no one: the body's subject does
    ("县区宣传部2023年工作总结\n2023年，*区宣传部在市委的领导下扎实工作。", "*区宣传部", "district"),
    ("街道宣传思想2021年工作总结\n2021年XX街道宣传思想文化工作在街道党工委领导下推进。", "XX街道", "township"),
    ("2021年矿区宣传工作总结\n2021年，X矿矿区宣传思想工作在县委的正确领导下推进。", "X矿矿区", "organisation"),
    ("2023年度宣传工作综述\n2023年，集团党委制定宣传工作要点。", "集团党委", "organisation"),
    ("宣传工作汇报\n今年以来，我县网络舆情信息管理办公室于3月成立，认真工作。", "县网络舆情信息管理办公室", "county"),
])
def test_the_issuer_as_the_report_names_itself(text, unit, level):
    meta = infer(text)
    assert (meta["unit"], meta["unit_level"]) == (unit, level)
    assert meta["unit_confidence"] in ("high", "medium")


@pytest.mark.parametrize("text", [
    "县2023年文明城市创建工作总结\n今年以来，县紧盯目标任务。",                       # a bare 县
    "市 2025 年度文明城市建设工作情况的总结报告\n2025 年，我市扎实推进。",           # a bare 市
    "今年以来，在区委的正确领导下，按照市委宣传部的部署，我们扎实推进各项工作。",       # superiors only
    "县委宣传部：\n今年以来，中心的宣传工作在上级宣传部门的指导下稳步推进。",          # an addressee line
    "县委常委2017年全县宣传工作会议发言稿\n同志们：\n今天我们召开会议。",              # a person's speech
    "市宣传部长2022年个人工作总结\n今年以来，我市宣传工作稳步推进。",                 # a person
    "XX年全县宣传思想工作总结\n今年，我们以理论学习为重点。县委高度重视理论学习。",     # 全县, and a superior's 县委
])
def test_no_unit_is_invented(text):
    assert infer(text)["unit"] is None


def test_a_byline_under_the_title_names_the_issuer():
    meta = infer("2015年宣传工作总结\n青石镇宣传科\n（2015年12月23日）\n2015年以来，我镇宣传工作稳步推进。")
    assert (meta["unit"], meta["unit_level"]) == ("青石镇宣传科", "township")
    assert meta["region"] == "青石镇"  # a town the gazetteer does not hold: the town alone, no province


def test_a_masked_place_the_report_calls_itself_by():
    assert infer("乡镇上半年宣传工作总结\n今年以来，我镇扎实工作。制定了xx镇中心组学习计划。")["unit"] == "xx镇"
    meta = infer("今年以来，我镇宣传工作稳步推进。组织了20xx年X镇委中心组学习。")
    assert (meta["unit"], meta["unit_confidence"]) == ("X镇委", "low")


def test_traditional_script_resolves_the_same_way_and_keeps_its_script():
    meta = infer("2009年市委宣傳部工作總結\n2009年，xx市委宣傳部在鄭州市委宣傳部的領導下紮實工作。")
    assert (meta["unit"], meta["unit_level"]) == ("市委宣傳部", "city")
    assert meta["region"] == "河南省鄭州市" and (meta["province"], meta["city"]) == ("河南省", "郑州市")


@pytest.mark.parametrize("text,expected", [
    ("加快建设书香淄博，推动全民阅读。", ("山东省", "淄博市", None)),          # a short name jieba knows as a place
    ("邀请长沙专家授课，打造长沙品牌。", ("湖南省", "长沙市", None)),          # the city, not its namesake county
    ("2020年，天祝县宣传工作扎实推进，武威日报刊发稿件。", ("甘肃省", "武威市", "天祝藏族自治县")),
    ("宁夏日报刊登我县经验，宁夏电视台予以报道。", ("宁夏回族自治区", None, None)),  # a province needs two mentions
])
def test_places_resolve_to_province_city_county(text, expected):
    loc = locate(text)
    assert (loc.province, loc.city, loc.county) == expected


@pytest.mark.parametrize("text", [
    "整合资源，振兴乡村，实施惠民工程，共同富裕。",      # county names that are ordinary words
    "邀请浙江大学教授授课，规范各乡镇和县直机关。",      # inside a longer word (浙江大学, 和县直)
    "弘扬延安精神，学习遵义会议，参观井冈山。",          # the Party's history: not where the issuer is
    "学习浙江经验。",                                   # one province mention only
])
def test_no_place_from_words_history_or_a_single_province(text):
    assert locate(text) is None


def test_a_named_street_is_appended_to_its_city():
    meta = infer("白沙街道2025年宣传思想文化工作总结\n一、2025年工作回顾\n评选衡阳好人10名，服务群众。")
    assert meta["unit"] == "白沙街道"
    assert meta["region"] == "湖南省衡阳市白沙街道" and meta["province"] == "湖南省"


def test_a_work_unit_competing_for_civilised_unit_status_is_an_organisation():
    meta = infer("2021年创建文明城市情况汇报\n今年上半年以来，我们围绕全市工作，全力争创全省文明单位，科室人员积极参与。")
    assert meta["unit"] is None and meta["unit_level"] == "organisation"


def test_a_report_naming_places_all_over_says_no_single_place():
    national = "支持香港特别行政区发展。成都、西安、武汉、郑州、杭州各地推进。北京冬奥会、上海进博会成功举办。"
    assert locate(national) is None
    provincial = "全省推进：杭州市、宁波市、温州市、绍兴市、台州市各有亮点，浙江省委部署。"
    loc = locate(provincial)
    assert (loc.province, loc.city, loc.county) == ("浙江省", None, None)


def test_special_regions_only_from_the_issuers_own_name():
    assert locate("全力支持香港特别行政区、澳门特别行政区保持长期繁荣稳定。") is None
    assert locate("", strong="香港特别行政区政府").province == "香港特别行政区"


@pytest.mark.parametrize("text", [
    "2021年政府工作报告\n过去一年，我们有效处置局部地区疫情，经济稳定恢复。",   # a run of words ending in 区
    "政府工作报告\n各位代表：现在，我代表国务院，向大会报告政府工作。",        # a bare 政府
])
def test_no_unit_from_words_or_a_bare_government(text):
    assert infer(text)["unit"] is None
