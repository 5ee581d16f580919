"""Issuing unit, level and region: every rule on made-up sentences (no dev report's words)."""

from __future__ import annotations

import pytest

from analysis.parse import places
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


# ---- towns and streets: the gazetteer below cpca (analysis/resources/towns.tsv) -------------------------------

def test_a_town_named_by_the_issuer_resolves_to_its_county_city_and_province():
    meta = infer("千灯镇宣传办2022年宣传工作总结\n一、工作回顾\n今年以来，我镇扎实推进宣传思想工作。")
    assert (meta["province"], meta["city"], meta["county"]) == ("江苏省", "苏州市", "昆山市")
    assert meta["region"].endswith("千灯镇")
    assert meta["region_confidence"] == "medium"      # the gazetteer, not the text, says where the town is


def test_a_town_name_many_counties_share_says_no_place():
    assert len(places.towns()["城关镇"]) > 1
    meta = infer("城关镇宣传办2022年宣传工作总结\n一、工作回顾\n今年以来，我镇扎实推进宣传思想工作。")
    assert meta["province"] is None and meta["region"] == "城关镇"


def test_a_shared_town_name_is_resolved_by_a_place_the_text_names():
    divisions, _, _ = places.gazetteer()
    county = next(divisions[c] for c in places.towns()["城关镇"] if c in divisions)
    assert places.town_path("城关镇") is None
    assert places.town_path("城关镇", county) == places.path(county)
    assert places.town_path("城关镇", divisions[county.code[:2] + "0000"]) in (None, places.path(county))


def test_a_town_of_a_county_newer_than_the_gazetteer_resolves_to_its_city():
    divisions, _, _ = places.gazetteer()
    town, code = next((t, cs[0]) for t, cs in places.towns().items() if len(cs) == 1 and cs[0] not in divisions
                      and cs[0][:4] + "00" in divisions)
    assert places.town_path(town) == places.path(divisions[code[:4] + "00"])


def test_the_towns_table_is_written_from_the_division_tables_streets(tmp_path):
    streets = tmp_path / "streets.csv"
    streets.write_text("code,name,areaCode,provinceCode,cityCode\n"
                       "320583108,\"千灯镇\",320583,32,3205\n"
                       "320583400,\"开发区\",320583,32,3205\n"       # not a town or street: left out
                       "421224100,\"城关镇\",421224,42,4212\n"
                       "421224201,\"大畈乡\",421224,42,4212\n", encoding="utf-8")
    out = tmp_path / "towns.tsv"
    assert places.write_towns(str(streets), str(out)) == 3
    rows = [line.split("\t") for line in out.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    assert rows == [["320583", "千灯镇"], ["421224", "城关镇 大畈乡"]]


# ---- local outlets: a place heading the name of the report's own media or platform ---------------------------

@pytest.mark.parametrize("text,written", [
    ("通过“赣州干部网络学院”组织学习。", "赣州干部网络学院"),         # quoted
    ("在《武威日报》刊发稿件。", "武威日报"),
    ("组织网警、通山好门户等网站负责人开会。", "通山好门户"),           # listed before 等网站
    ("开设“恩施发布”“利川云”专栏。", "恩施发布"),
])
def test_a_place_heading_a_local_outlets_name_is_found(text, written):
    assert written in [h.written for h in places.outlet_places(text)]


@pytest.mark.parametrize("text", [
    "发布“合作大会青岛倡议发布”。",      # too much between the place and the outlet word
    "举办“东湖论坛”。",                  # a forum, not an outlet
    "用好“学习强国”、人民网、新华网。",  # national outlets name no place
    "转发“香港发布”内容。",              # Hong Kong, Macao and Taiwan are topics, not where the issuer is
])
def test_no_outlet_place_from_other_names(text):
    assert places.outlet_places(text) == []


def test_a_place_known_only_from_an_outlet_is_said_with_low_confidence():
    loc = locate("我县通过“湖南干部网络学院”组织党员干部学习。")
    assert loc.province == "湖南省" and loc.outlet
    meta = infer("宣传工作汇报\n今年以来，我县通过“湖南干部网络学院”组织党员干部学习。")
    assert meta["province"] == "湖南省" and meta["region_confidence"] == "low"
    assert "待核对" in meta["region_evidence"]
    assert locate("我县组织党员干部学习。") is None                 # without the outlet: no place


def test_an_outlet_adds_to_places_named_elsewhere():
    loc = locate("2023年，通山县宣传工作扎实推进，“通山发布”推送稿件。")
    assert loc.county == "通山县" and not loc.outlet


# ---- former names: divisions renamed, merged or abolished since 1980 (analysis/resources/former_places.tsv) ----

@pytest.mark.parametrize("unit,expected", [
    ("襄樊市委宣传部", ("湖北省", "襄阳市", None)),        # renamed: its successor city, for filtering across years
    ("崇安区委宣传部", ("江苏省", "无锡市", "崇安区")),    # merged away: the county as written, under its city
    ("南汇县委宣传部", ("上海市", None, "南汇县")),
    ("哲里木盟委宣传部", ("内蒙古自治区", "哲里木盟", None)),  # an abolished prefecture: its province
])
def test_a_former_division_resolves_to_where_it_is_now(unit, expected):
    meta = infer(f"{unit}2005年宣传工作总结\n一、工作回顾\n今年以来，全面推进宣传思想工作。")
    assert (meta["province"], meta["city"], meta["county"]) == expected


@pytest.mark.parametrize("text", ["优化公园区域布局，建设城市绿地。", "市区两级联动，新区建设加快。"])
def test_no_former_division_from_an_ordinary_word(text):
    assert locate(text) is None


def test_the_former_places_table_is_written_from_the_yearly_division_table(tmp_path):
    head = ("year,province_name,city_name,county_name,province_adcode,city_adcode,county_adcode,province_id,city_id,"
            "county_id,province_short,city_short,county_short,rank\n")
    rows = [
        "1990,湖北省,襄樊市,襄阳县,420000,420600,420621,420000,420600,420607,湖北,襄樊,襄阳,3",
        "2009,湖北省,襄樊市,襄阳县,420000,420600,420621,420000,420600,420607,湖北,襄樊,襄阳,3",
        "1985,河南省,开封地区,巩县,410000,412400,412422,410000,412400,410185,河南,开封,巩,3",
        "1990,河南省,郑州市,巩县,410000,410100,410122,410000,410100,410185,河南,郑州,巩,3",
        "1990,山西省,阳泉市,郊区,140000,140300,140311,140000,140300,140311,山西,阳泉,郊区,3",
        "1990,安徽省,铜陵市,东郊区,340000,340700,340711,340000,340700,340711,安徽,铜陵,东郊,3",
        "1990,黑龙江省,牡丹江市,东郊区,230000,231000,231011,230000,231000,231011,黑龙江,牡丹江,东郊,3",
        "1990,湖南省,长沙市,公园区,430000,430100,430111,430000,430100,430111,湖南,长沙,公园,3",
        "1990,湖北省,咸宁地区,通山县,420000,422300,422324,420000,421200,421224,湖北,咸宁,通山,3",
    ]
    src = tmp_path / "location_year.csv"
    src.write_text(head + "\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "former.tsv"
    places.write_former_places(str(src), str(out))
    lines = {tuple(line.split("\t")) for line in out.read_text(encoding="utf-8").splitlines()
             if not line.startswith("#")}
    assert ("襄樊市", "1", "420600", "1990-2009") in lines          # a city whose code lives on
    assert ("巩县", "2", "410100", "1985-1990") in lines             # the city of its last year
    names = {line[0] for line in lines}
    assert "郊区" not in names and "东郊区" not in names             # a generic name; a name of two provinces
    assert "公园区" not in names                                     # an ordinary word with a suffix
    assert "通山县" not in names                                     # a current name is cpca's


# ---- the nation's voice; organs and words that only look like bodies ---------------------------------------------

def test_a_report_speaking_for_the_nation_names_places_as_topics():
    national = ("各位代表：\n一、过去一年的工作\n我国经济稳中有进。全国各族人民团结奋斗，武汉市、武汉市民众抗击疫情，"
                "湖北省经济恢复。我国对外开放扩大。")
    assert infer(national)["region"] is None
    local = "一、过去一年的工作\n我县经济稳中有进，全县干部群众支援武汉市、湖北省抗击疫情。我国对外开放扩大。"
    assert infer(local)["province"] == "湖北省"
    titled = "武汉市2020年宣传工作总结\n我国经济稳中有进。我国对外开放扩大。"   # the issuer's own title still counts
    assert infer(titled)["city"] == "武汉市"


def test_a_national_organ_issues_its_government_work_report():
    meta = infer("2012年国务院政府工作报告\n各位代表：\n一、过去一年工作回顾\n正文。")
    assert meta["unit"] == "国务院"


def test_a_national_organ_in_a_body_is_not_the_issuer():
    assert infer("宣传工作总结\n今年以来，国务院部署新任务，我县认真落实。")["unit"] != "国务院"


@pytest.mark.parametrize("text", ["工作总结\n推进开放。自贸试验区建设布局进一步完善。", "工作总结\n过去一年，新发展格局加快构建。"])
def test_a_word_ending_in_局_is_no_bureau(text):
    assert infer(text)["unit"] is None


def test_a_one_line_copy_keeps_its_byline_and_opening_subject():
    byline = infer("2015年宣传工作总结 千灯镇宣传办 (2015年12月23日) 2015年以来，我镇宣传工作扎实推进。")
    assert byline["unit"] == "千灯镇宣传办"
    subject = infer("宣传思想工作总结 2021年，县委宣传部坚持以习近平新时代中国特色社会主义思想为指导。")
    assert subject["unit"] == "县委宣传部"


@pytest.mark.parametrize("title", ["2019年1-6月某镇宣传工作总结", "某镇1至6月份宣传工作总结"])
def test_a_span_of_months_in_a_title_is_not_part_of_the_issuer(title):
    meta = infer(f"{title}\n一、主要工作\n今年以来，我镇扎实工作。")
    assert meta["unit"] == "某镇" and meta["period"] == "H1"
