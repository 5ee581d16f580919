"""Metadata inference: year, period, level, unit, region and title, each with its source and evidence."""

from __future__ import annotations

import pytest

from analysis.parse.meta import calendar_year, infer_metadata
from analysis.parse.outline import split_sections


def infer(text, manifest_row=None):
    return infer_metadata(text, split_sections(text), manifest_row=manifest_row)


@pytest.mark.parametrize("text,year,source", [
    ("2022年区宣传思想文化工作总结及2023年工作计划\n今年以来，我区扎实推进。", 2022, "title"),
    ("区委宣传部关于2022年工作总结和2023年工作打算\n今年以来，全区扎实推进。", 2022, "title"),
    # the plan year of a heading never dates a report
    ("导语，今年以来。\n一、工作情况\n正文。\n二、2024年工作安排\n一是继续。", None, None),
    ("一、2023年上半年工作完成情况\n正文。\n二、2024年工作安排\n正文。", 2023, "heading"),
    ("年度宣传思想文化工作总结范文\n\n2020年以来,在镇党委的坚强领导下,XX镇扎实推进。", 2020, "body"),
    ("文化局2017年工作总结及2018年工作打算\n按照思路，现将2017年工作总结如下:", 2017, "title"),
    # masked years give nothing, never a guess from the mask
    ("市委宣传部202x年宣传工作总结\n一、宣传工作总结\n正文。", None, None),
    ("宣传部xx年上半年工作总结\n今年以来，各项工作稳步推进。", None, None),
    # the political calendar: the latest plenum named, narrowed by markers that ended earlier
    ("乡镇上半年宣传思想工作总结\n今年以来，我镇以贯彻党的十八大和十八届三中、四中、五中、六中全会精神为指针。", 2017, "calendar"),
    ("宣传部xx年上半年工作总结\n今年以来，以纪念建党90周年为重点。", 2011, "calendar"),
    ("一、工作开展情况\n举办党的二十大精神专题读书班，围绕学习宣传贯彻党的二十大精神、疫情防控等主题开设专栏。", 2022, "calendar"),
    ("一、工作开展情况\n深入学习贯彻党的二十大精神，推动二十届三中全会精神落地。", 2024, "calendar"),
    # relative years are not resolved ('去年' in a report written early next year)
    ("综述\n过去一年，全市宣传战线扎实工作。去年是党的二十大胜利召开之年。", 2022, "calendar"),
    ("今年以来，我县深入贯彻落实意识形态工作责任制。", None, None),
    # a speech: the title or date line names the meeting year, the review covers the year before
    ("在2016年全县宣传思想文化工作会议上的讲话\n（2016年2月20日）\n同志们：\n下面我讲两点。\n一、2015年工作回顾\n正文。", 2015, "heading"),
    ("在全市宣传思想文化工作会议上的讲话\n（2019年1月10日）\n同志们：\n下面我讲两点。\n一、过去一年工作回顾\n正文。", 2018, "body"),
    # full-width digits and PDF spaces
    ("２０２４ 年宣传思想文化工作总结材料\n２０２４ 年，全省宣传思想文化战线。", 2024, "title"),
])
def test_infer_year(text, year, source):
    meta = infer(text)
    assert meta["year"] == year
    assert meta["year_source"] == source
    if year:
        assert meta["year_evidence"]


@pytest.mark.parametrize("text,period", [
    ("市委宣传部上半年工作总结\n及下半年工作计划\n\n上半年，市委宣传部深入贯彻。", "H1"),
    ("2022年区宣传思想文化工作总结及2023年工作计划\n今年以来。", "annual"),
    ("一、2023年上半年工作完成情况\n正文。", "H1"),
    # a half-year date inside an annual report's body does not make it H1
    ("区乡村文化振兴2022年度工作总体情况汇报\n一、年度工作完成情况\n上半年打造了示范点。", "annual"),
    ("街道宣传思想文化工作经验汇报材料\n一、坚持贴近实际\n上半年已开展6次中心组学习。", "H1"),
    ("一、工作开展情况\n全年组织中心组集中学习20次。", "annual"),
    ("一、工作开展情况\n正文，年初至今迎接检查。\n二、下一步工作措施\n制定2023年实施方案。", "annual"),
    ("今年以来，我县深入贯彻落实意识形态工作责任制。", None),
    ("2023年第一季度宣传工作总结\n一季度，全区宣传工作。", "Q1"),
])
def test_infer_period(text, period):
    assert infer(text)["period"] == period


@pytest.mark.parametrize("text,level", [
    ("市委宣传部202x年宣传工作总结\n正文。", "city"),
    ("区委宣传部关于2022年工作总结\n正文。", "district"),
    ("县2023年文明城市创建工作总结\n正文。", "county"),
    ("镇关于宣传思想文化2022年工作总结\n正文。", "township"),
    ("鄉鎮2021年宣傳思想精神文明建設工作總結\n正文。", "township"),
    ("学校2020年意识形态工作总结\n正文。", "organisation"),
    ("区乡村文化振兴2022年度工作总体情况汇报\n正文。", "district"),
    ("2024年宣传思想文化工作总结材料\n2024年，全省宣传战线深入学习。我省获奖总数位居全国前列，全省旅游收入增长。", "province"),
    # an addressee line names the receiver, not the issuer
    ("县委宣传部：\n今年以来，中心的宣传工作在上级宣传部门的指导下稳步推进。中心把党员干部政治思想摆上日程。", "organisation"),
    ("当前我区宣传思想工作还存在如下问题。全区上下共同努力。", "district"),
    ("正文没有任何层级线索。", "unknown"),
])
def test_infer_unit_level(text, level):
    assert infer(text)["unit_level"] == level


def test_infer_region_from_place_name_and_null_when_masked():
    meta = infer("中共通山县委2020年落实意识形态工作责任制情况汇报\n2020年，通山县委坚决贯彻落实。")
    assert meta["region"] == "湖北省咸宁市通山县" and meta["region_evidence"] == "通山县"
    assert (meta["province"], meta["city"], meta["county"]) == ("湖北省", "咸宁市", "通山县")
    assert meta["region_confidence"] == "high"
    masked = infer("**区2022年宣传思想文化工作总结\n**区扎实推进。")
    assert masked["region"] is None and masked["province"] is None and masked["region_confidence"] is None


def test_infer_unit_from_title_and_body():
    assert infer("市委宣传部上半年工作总结\n正文。")["unit"] == "市委宣传部"
    assert infer("2023年市政府宣传工作总结\n正文。")["unit"] == "市政府"
    assert infer("上半年，市委宣传部深入贯彻落实党中央决策部署。")["unit"] == "市委宣传部"


def test_infer_metadata_manifest_overrides_and_inference_fills():
    text = "2022年区宣传思想文化工作总结及2023年工作计划\n今年以来，我区扎实推进。"
    meta = infer(text, {"year": "2021", "unit": "区委宣传部", "period": "", "region": None})
    assert (meta["year"], meta["year_source"]) == (2021, "manifest")
    assert (meta["unit"], meta["unit_source"]) == ("区委宣传部", "manifest")
    assert (meta["period"], meta["period_source"]) == ("annual", "title")
    assert (meta["unit_level"], meta["unit_level_source"]) == ("district", "manifest")  # the level of the unit given
    assert meta["year_confidence"] == "high" and meta["unit_confidence"] == "high"


def test_calendar_year_evidence_names_the_markers():
    year, source, evidence = calendar_year("全面贯彻党的十九大和十九届二中、三中、四中全会精神，统筹疫情防控")
    assert (year, source) == (2020, "calendar") and "四中" in evidence
    assert calendar_year("没有任何时代标记的文字。") is None


# ---- every rule of year and period inference, on made-up sentences


@pytest.mark.parametrize("text", [
    "县委宣传部关于近三年精神文明建设工作总结\n现将有关情况总结如下：\n一、主要做法\n正文。",
    "某区精神文明建设工作总结\n现将2021年至2023年上半年的工作情况总结报告如下：\n一、主要做法\n正文。",
])
def test_a_multi_year_report_has_no_year_and_no_period(text):
    meta = infer(text)
    assert meta["year"] is None and meta["period"] is None
    assert meta["year_confidence"] == "low" and meta["year_evidence"]


def test_a_site_title_that_contradicts_the_heading_loses_and_the_conflict_is_shown():
    meta = infer("2019年某区宣传部工作总结及工作计划\n在区委的领导下，扎实推进。\n一、2017年工作亮点\n正文。")
    assert (meta["year"], meta["year_source"], meta["year_confidence"]) == (2017, "heading", "low")
    assert "2019" in meta["year_evidence"]


def test_a_stated_year_stands_against_older_calendar_markers_with_low_confidence():
    meta = infer("2018年上半年新区宣传工作汇报\n2018年上半年，新区为迎接党的十九大胜利召开，扎实推进各项工作。")
    assert (meta["year"], meta["period"]) == (2018, "H1")
    assert meta["year_confidence"] == "high"
    redated = infer("2021年某镇宣传工作总结\n今年以来，深入开展群众路线教育实践活动，学习十八届三中全会精神。")
    assert redated["year"] == 2021 and redated["year_confidence"] == "low"


def test_a_speech_reviewing_last_year_is_annual_whatever_its_title_says():
    meta = infer("宣传工作上半年总结\n按照安排，下面，我简要总结上年宣传工作。一、2016年工作简要回顾\n全县完成了全年任务。")
    assert (meta["year"], meta["period"], meta["period_confidence"]) == (2016, "annual", "low")


def test_a_period_heading_line_outranks_a_title_year():
    text = ("2018年某矿宣传工作总结汇报\n2018年，某矿宣传工作扎实推进。\n㈠、上半年工作总结：\n"
            "一、抓好理论学习\n正文。")
    assert infer(text)["period"] == "H1"


@pytest.mark.parametrize("text,period", [
    ("20xx年我镇扎实工作，现将20xx年工作情况总结如下：\n一、抓学习\n正文。", "annual"),
    ("今年以来，我镇扎实工作。现将20xx年上半年主要工作完成情况汇报如下：\n一、抓学习\n正文。", "H1"),
    ("今年以来，我镇扎实工作。现将一年来的工作情况汇报如下。\n一、抓学习\n正文。", "annual"),
    ("某区意识形态领域4-6月分析研判报告\n一、总体情况\n正文。", "Q2"),
    ("某县二季度意识形态工作研判报告\n一、总体情况\n正文。", "Q2"),
    ("某县前三季度宣传工作总结\n一、总体情况\n正文。", "Q1-Q3"),
    ("一、总体情况\n1-9月，全县共发稿120篇。", "Q1-Q3"),
    ("一、总体情况\n1-6月，全县共发稿120篇。", "H1"),
])
def test_periods_from_the_body_statement_quarters_and_month_ranges(text, period):
    assert infer(text)["period"] == period


@pytest.mark.parametrize("text", [
    "一、工作情况\n年初制定了全年理论学习计划，组织学习。",                   # the year's plan, not the span
    "一、工作情况\n印发《2020年度中心组理论学习安排》，组织学习。",           # a cited document's year
    "2022年网络意识形态分析研判报告\n2022年，机关党组扎实推进。\n一、总体情况\n正文。",  # an analysis, not a summary
    "某街道意识形态工作情况汇报\n今年以来，我街道扎实推进。\n一、重点工作\n正文。",     # an interim report
])
def test_no_period_is_a_default(text):
    assert infer(text)["period"] is None


def test_a_plenum_held_late_in_a_year_dates_that_years_annual_report_and_the_next_years_half_year():
    annual = infer("XX年全县宣传思想工作总结\n一、宣传贯彻十六届三中、四中、五中全会精神。\n正文。")
    assert (annual["year"], annual["period"], annual["year_source"]) == (2005, "annual", "calendar")
    half = infer("乡镇上半年宣传工作总结\n今年以来，我镇贯彻十六届五中全会精神。")
    assert (half["year"], half["period"]) == (2006, "H1")


@pytest.mark.parametrize("text,year", [
    ("某县宣传工作总结\n深入开展保持共产党员先进性教育活动。", 2005),
    ("某县宣传工作总结\n围绕“四个全面”战略布局开展专题学习。", 2015),
    ("某县宣传工作总结\n开展社会主义荣辱观（八荣八耻）主题教育。", 2006),
    ("二○○九年宣传工作总结\n一、工作情况\n正文。", 2009),
])
def test_calendar_markers_and_chinese_numeral_years(text, year):
    assert infer(text)["year"] == year


@pytest.mark.parametrize("text", [
    "一、工作情况\n全县创建工作屡获好评，2023屡次获奖。",          # a garbled count, no 年
    "一、工作情况\n力争到2027年建成文明城市。",                   # a target year
    "一、工作情况\n本文发布于2023年5月12日。",                   # a posting date
])
def test_no_year_from_a_count_a_target_or_a_date(text):
    assert infer(text)["year"] is None


def test_a_government_work_report_reviews_the_year_before_its_meeting():
    meta = infer("2015年XX市政府工作报告\n各位代表：\n过去一年，全市经济稳中有进，筹办奥运会、十三五开局。\n")
    assert (meta["year"], meta["year_source"]) == (2014, "title")
    assert infer("2015年XX市政府工作报告\n各位代表：\n一、2014年工作回顾\n正文。\n二、2015年工作安排\n正文。")["year"] == 2014


def test_the_olympics_alone_date_no_report():
    assert infer("体育宣传工作总结\n一、工作回顾\n积极宣传运动员备战奥运会，营造良好氛围。")["year"] is None


def test_a_traditional_report_is_dated_as_its_simplified_copy_and_quoted_as_written():
    trad = infer("宣傳工作匯報\n一、工作回顧\n今年上半年以來，我縣深入開展黨史學習教育，慶祝建黨100周年。")
    simple = infer("宣传工作汇报\n一、工作回顾\n今年上半年以来，我县深入开展党史学习教育，庆祝建党100周年。")
    assert (trad["year"], trad["period"]) == (simple["year"], simple["period"]) == (2021, "H1")
    assert "黨" in trad["year_evidence"] and "党" in simple["year_evidence"]


@pytest.mark.parametrize("suffix", ["_某某范文网", " - 百度文库", "-第一范文网", "｜宣传文秘网"])
def test_a_site_name_after_the_title_is_not_part_of_it(suffix):
    meta = infer(f"2022年某县委宣传部工作总结{suffix}\n2022年，县委宣传部扎实工作。\n一、主要工作\n正文。")
    assert meta["title"] == "2022年某县委宣传部工作总结" and meta["unit"] == "某县委宣传部"


def test_a_year_in_chinese_numerals_reads_as_its_digits():
    meta = infer("二〇一五年某县委宣传部工作总结\n二○一五年，县委宣传部扎实工作。\n一、主要工作\n正文。")
    assert (meta["year"], meta["unit"]) == (2015, "某县委宣传部")
    assert meta["title"] == "二〇一五年某县委宣传部工作总结"          # quoted as written


def test_a_title_is_quoted_as_written_beside_years_in_other_numerals():
    meta = infer("2021年某县宣传工作总结\n一、主要工作\n二〇二〇年以来，全县扎实工作。")
    assert meta["title"] == "2021年某县宣传工作总结" and meta["year"] == 2021


def test_a_speaker_declaring_the_year_he_reviews_dates_an_annual_report():
    meta = infer("按照会议安排，我就2015年全县宣传思想文化工作进行简要总结，并对2016年工作进行安排部署。 正文。")
    assert (meta["year"], meta["period"]) == (2015, "annual")
