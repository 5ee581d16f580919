"""Infer a report's title, unit, level, region, year and period, each with its source and evidence phrase.

Sources, strongest first: the manifest a person wrote, the title, the first headings, the political
calendar (plenums and campaigns the report names) and the body. A plan for the next year never dates a
report, and a masked year (20xx, ____年) gives nothing rather than a guess.
"""

from __future__ import annotations

import math
import re

import pandas as pd

from analysis.parse import issuer
from analysis.parse.numerals import ascii_years
from analysis.parse.outline import find_title, split_sections
from analysis.read.report import unwrap_lines
from analysis.read.script import has_traditional

FIELDS = ("title", "unit", "unit_level", "region", "year", "period")
CONFIDENCE_FIELDS = ("year", "period", "unit", "unit_level", "region")
"""The fields inferred with a confidence (high/medium/low; null when the field is null and nothing conflicts)."""
YEAR = r"((?:19|20)\d{2})\s*年"
YEAR_RE = re.compile(YEAR)
PLAN_AFTER = re.compile(r"计划|計劃|打算|安排|要点|要點|思路|规划|規劃|设想")
SUMMARY_WORDS = re.compile(r"总结|總結|小结|小結|汇报|匯報|综述|綜述|情况|情況|回顾|回顧")
SPEECH_START = re.compile(r"^同志们[：:，,]", re.MULTILINE)
MEETING_DATE = re.compile(r"((?:19|20)\d{2})\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日")
SPEECH = re.compile(r"会议上的|會議上的|讲话|講話|发言|發言|政府工作报告|政府工作報告|代表大会上的报告")
"""A title of a speech or a report delivered at a meeting: its year is the meeting's, not the year reviewed."""
MEETING_REPORT = re.compile(r"政府工作报告|政府工作報告|代表大会上的报告")
"""Delivered at the people's congress early in the year, a government work report reviews the year before."""

# (pattern, typical year, earliest, latest): the political calendar of DOMAIN.md and before.
CALENDAR = [
    (r"保持共产党员先进性教育|先进性教育(?:活动)?|保持党员先进性", 2005, 2005, 2006),
    (r"八荣八耻", 2006, 2006, 2008),
    (r"抗冰救灾|迎奥运|改革开放30周年", 2008, 2008, 2008),
    (r"汶川(?:特大)?地震|抗震救灾", 2008, 2008, 2011),  # recovery is reported on for years (not 奥运会: every 4 years)
    (r"新中国成立60周年|建国60周年", 2009, 2009, 2009),
    (r"建党90周年|建黨90周年|十七届六中全会", 2011, 2011, 2012),
    (r"喜迎党的十八大|迎接党的十八大", 2012, 2012, 2012),
    (r"学习贯彻党的十八大精神|十八届二中全会", 2013, 2013, 2013),
    (r"群众路线教育实践活动|十八届三中全会", 2014, 2013, 2014),
    (r"三严三实", 2015, 2015, 2015),
    (r"四个全面”?战略布局", 2015, 2015, 2022),
    (r"两学一做|建党95周年", 2016, 2016, 2017),
    (r"喜迎十九大|迎接党的十九大", 2017, 2017, 2017),
    (r"改革开放40周年|学习宣传贯彻党的十九大精神", 2018, 2018, 2018),
    (r"新中国成立70周年|不忘初心、牢记使命”?主题教育", 2019, 2019, 2019),
    (r"新冠肺炎|决战脱贫攻坚|决胜全面建成小康社会", 2020, 2020, 2020),
    (r"疫情防控", 2020, 2020, 2022),
    (r"党史学习教育|黨史學習教育|建党100周年|建党一百周年|建党百年|十四五”?开局", 2021, 2021, 2021),
    (r"喜迎二十大|迎接党的二十大|二十大胜利召开|谈治国理政》第四卷", 2022, 2022, 2022),
    (r"学习(?:宣传)?贯彻党的二十大精神|建党102周年|习近平新时代中国特色社会主义思想主题教育", 2023, 2022, 2027),
    (r"党纪学习教育|新中国成立75周年", 2024, 2024, 2025),
    (r"十五五", 2025, 2025, 2026),
]
CALENDAR_RE = [(re.compile(p), y, lo, hi) for p, y, lo, hi in CALENDAR]

# Plenums of the Central Committee: (congress, plenum) -> (year, month). A report names the latest one held
# before it was written; one held in October or later dates the reports of the following year.
PLENUMS = {
    (16, 1): (2002, 11), (16, 2): (2003, 2), (16, 3): (2003, 10), (16, 4): (2004, 9), (16, 5): (2005, 10),
    (16, 6): (2006, 10), (16, 7): (2007, 10),
    (17, 1): (2007, 10), (17, 2): (2008, 2), (17, 3): (2008, 10), (17, 4): (2009, 9), (17, 5): (2010, 10),
    (17, 6): (2011, 10), (17, 7): (2012, 11),
    (18, 1): (2012, 11), (18, 2): (2013, 2), (18, 3): (2013, 11), (18, 4): (2014, 10), (18, 5): (2015, 10),
    (18, 6): (2016, 10), (18, 7): (2017, 10),
    (19, 1): (2017, 10), (19, 2): (2018, 1), (19, 3): (2018, 2), (19, 4): (2019, 10), (19, 5): (2020, 10),
    (19, 6): (2021, 11), (19, 7): (2022, 10),
    (20, 1): (2022, 10), (20, 2): (2023, 2), (20, 3): (2024, 7),
    (20, 4): (2025, 9),  # held in October 2025; DOMAIN.md dates the reports naming it to 2025
}
CONGRESS = {"十六": 16, "十七": 17, "十八": 18, "十九": 19, "二十": 20}
PLENUM_RE = re.compile(r"(十六|十七|十八|十九|二十)届((?:[一二三四五六七]中(?:全会)?[、和及与,，]?)+)全会")

H1_WORDS = re.compile(r"上半年|上半年度|半年工作|半年总结|半年總結")
H2_WORDS = re.compile(r"下半年(?:工作)?(?:总结|總結|小结)")
QUARTER = re.compile(r"(?:第)?([一二三四1-4])季度|(?<![\d.])([1-9]|1[0-2])\s*[-－—~至]\s*(3|6|9|12)\s*月")
ANNUAL_WORDS = re.compile(r"年度|全年|年终|年終|一年来|一年以来|一年來|一年以來|过去一年|過去一年|年初至今|年初以来|一年的工作")
BODY_ANNUAL = re.compile(r"(?<![\d０-９xX*_年])年度|全年|年终|年終|一年来|一年以来|一年來|一年以來|过去一年|過去一年|年初至今|年初以来|一年的工作")
"""Annual cues in a body (not 2020年度: '2020年度学习安排' names a year's document, not the span covered)."""
BODY_H1 = re.compile(r"(?:^|[。；\n])\s*(?:今年)?上半年[，,以来共已]|上半年已|上半年共|上半年以来")
STRONG_BODY_YEAR = re.compile(r"(?:^|[。；\n】])\s*" + YEAR + r"\s*(?:以来|來|，|,|上半年|度|是|全年)|现将\s*" + YEAR)



def infer_metadata(text: str, sections: pd.DataFrame | list[dict], *, file: str = "",
                   manifest_row: dict | None = None) -> dict:
    """Every document field with its source and evidence: the manifest first, inference for the rest.

    Args:
        text: the cleaned report text.
        sections: its SECTIONS table (from ``split_sections``), or that table's rows as dicts.
        manifest_row: fields a person wrote down (empty values mean "not given").
    Returns:
        a dict with title, unit, unit_level, region, year, period and ``<field>_source``/``<field>_evidence``.
    """
    given = {k: v for k, v in (manifest_row or {}).items() if k in FIELDS and not _missing(v)}
    if isinstance(sections, pd.DataFrame):
        sections = sections.to_dict("records")
    unwrapped = unwrap_lines(text)  # a copy of a PDF broken at the page width: its title and sentences made whole
    if unwrapped != text:
        text, sections = unwrapped, split_sections(unwrapped).to_dict("records")
    # Every rule reads the Simplified form (one character for one, so offsets hold); what it quotes as evidence
    # is given back in the report's own script.
    simple = issuer.simplified(text)
    stitle, title_end = find_title(simple)
    title = issuer.as_written(stitle, text, simple) if stitle else None
    fold = issuer.simplified if has_traditional(text) else ascii_years  # a section row is folded as its text was
    ssections = sections if simple == text else [_simplified_row(r, fold, text, simple) for r in sections]
    guesses = {"title": (title, "title", title)}  # only the fields the manifest leaves open are inferred
    if "year" not in given or "period" not in given:
        cues = _period(simple, stitle, ssections, None)
        guesses["year"] = _year(simple, stitle, ssections, period=given.get("period") or cues[0])
        if guesses["year"][0] is None and guesses["year"][1] == "body":  # several years: no single period either
            cues = (None, "body", guesses["year"][2], "low")
        elif cues[0] is None:
            cues = _period(simple, stitle, ssections, guesses["year"][0])
        guesses["period"] = cues
        for f in ("year", "period"):
            value, source, evidence, *rest = guesses[f]
            if evidence and simple != text:
                guesses[f] = (value, source, issuer.as_written(evidence, text, simple), *rest)
    unit = given.get("unit")
    if "unit" not in given:
        guesses["unit"] = issuer.find_unit(text, simple, title, title_end)
        unit = guesses["unit"][0]
    if "unit_level" not in given:
        guesses["unit_level"] = issuer.find_level(
            simple, title, unit, "manifest" if "unit" in given else guesses["unit"][1],
            "high" if "unit" in given else guesses["unit"][3])
    if "region" in given:
        region = issuer.resolve_region(str(given["region"]))
    else:
        region = issuer.find_region(text, simple, title, unit)
        guesses["region"] = region[:4]
    out: dict = {}
    for f in FIELDS:
        if f in given:
            value = int(given[f]) if f == "year" else given[f]
            out.update({f: value, f"{f}_source": "manifest", f"{f}_evidence": None})
            confidence = "high"
        else:
            value, source, evidence, *rest = guesses[f]
            confidence = rest[0] if rest else None
            if f == "unit_level" and value is None:
                value = "unknown"
            known = value not in (None, "unknown")
            out.update({f: value, f"{f}_source": source if known else None,
                        f"{f}_evidence": evidence if known or confidence == "low" else None})
            confidence = confidence if known or confidence == "low" else None
        if f in CONFIDENCE_FIELDS:
            out[f"{f}_confidence"] = confidence
    out.update(province=region[-3], city=region[-2], county=region[-1])
    return out


def _simplified_row(row: dict, fold, text: str, simple: str) -> dict:
    """A section row with its marker, heading and text read as the rules read the report (``fold``): the same
    spans of the folded report when the row is a span of this text (offsets hold: one character for one)."""
    out = dict(row)
    body, start, end = row.get("text"), row.get("start"), row.get("end")
    spans = isinstance(body, str) and start is not None and end is not None and text[int(start): int(end)] == body
    for k in ("text", "marker", "heading"):
        value = row.get(k)
        if not isinstance(value, str) or not value:
            continue
        at = (0 if k == "text" else body.find(value)) if spans else -1
        out[k] = simple[int(start) + at: int(start) + at + len(value)] if at >= 0 else fold(value)
    return out


def _missing(value) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


def _norm(s: str) -> str:
    """Full-width digits and Chinese-numeral years as ASCII (二○○九年 → 2009年), and the PDF spaces between digits
    and 年 removed ('２０２４ 年' → '2024年'); the length only changes where spaces are removed."""
    return re.sub(r"(?<=\d)\s+(?=[\d年])", "", ascii_years(s))


def _year_from(phrase: str) -> tuple[int, str] | None:
    """The first year in a title or heading that is not the year of a plan ('2024年工作安排')."""
    p = _norm(phrase)
    for m in YEAR_RE.finditer(p):
        rest = p[m.end(): m.end() + 14]
        nxt = YEAR_RE.search(rest)
        rest = rest[: nxt.start()] if nxt else rest
        if PLAN_AFTER.search(rest) and not SUMMARY_WORDS.search(rest):
            continue  # '2023年工作计划': the year of a plan
        return int(m.group(1)), p[max(0, m.start() - 4): m.end() + 10]
    return None


def _year(text: str, title: str | None, sections: list[dict], period: str | None = None) -> tuple:
    """(year, source, evidence, confidence): the body's own statement over a site-made title, null for a multi-year
    report; a contradiction between cues is kept in the evidence and lowers the confidence."""
    multi = _multi_year(text, title)
    if multi:
        return None, "body", multi, "low"
    meeting = None
    title_hit = None
    if title and not SPEECH.search(title):
        title_hit = _year_from(title)
    elif title or SPEECH_START.search(text[:600]):
        meeting = _year_from(title or "") or _meeting_date(text)
    heading_hit = None
    for row in [r for r in sections if 1 <= r["level"] <= 2][:6]:
        if row["kind"] == "plans":
            continue
        hit = _year_from(row["heading"])
        if hit:
            heading_hit = (hit[0], (row["marker"] or "") + row["heading"])
            break
    cal = calendar_year(text, period=period)
    if title_hit and heading_hit and heading_hit[0] != title_hit[0]:
        # a site-made title against the report's own heading: the heading wins, the conflict is shown
        return heading_hit[0], "heading", f"{heading_hit[1]}（标题：{title}）", "low"
    if title_hit or heading_hit:
        year, source, evidence = (title_hit[0], "title", title) if title_hit else (heading_hit[0], "heading",
                                                                                  heading_hit[1])
        return year, source, evidence, _against_calendar(year, cal)
    opening = _norm(_opening(text))
    m = STRONG_BODY_YEAR.search(opening)
    if m:
        year = int(m.group(1) or m.group(2))
        return year, "body", m.group(0).strip("。；\n "), _against_calendar(year, cal)
    if meeting and title and MEETING_REPORT.search(title):  # the campaigns it names span years past and planned
        return meeting[0] - 1, "title", title, "medium"
    if cal:
        return (*cal, "medium")
    if meeting:  # a speech at a meeting early in the year reviews the year before
        return (meeting[0] - 1, "title" if title and meeting[1] in title else "body", meeting[1], "medium")
    years = _body_years(text, sections)
    if years:
        year, phrase = years
        return year, "body", phrase, "low"
    return None, None, None, None


MULTI_YEAR = re.compile(r"((?:19|20)\d{2})\s*年?\s*(?:至|到|—|－|-|–|~|～)\s*((?:19|20)\d{2})\s*年")
MULTI_TITLE = re.compile(r"近[两二三四五几]年|[两二三四五几]年来|近年来|五年|十年")
DECLARED = re.compile(r"(?:现将|我就)[^。；\n]{0,60}?(?:总结|汇报|报告|通报|回顾)(?:如下)?")


def _multi_year(text: str, title: str | None) -> str | None:
    """The phrase that says a report covers several years (2023年至2025年上半年, 近三年), or None."""
    if title and (MULTI_TITLE.search(title) or MULTI_YEAR.search(_norm(title))):
        return title
    for m in DECLARED.finditer(_norm(text[:3000])):
        span = MULTI_YEAR.search(m.group(0))
        if span and span.group(1) != span.group(2):
            return m.group(0)
    return None


def _against_calendar(year: int, cal: tuple | None) -> str:
    """'high' unless the political calendar names events of another year (a re-dated template): then 'low'."""
    if cal and abs(cal[0] - year) >= 2:
        return "low"
    return "high"


def _meeting_date(text: str) -> tuple[int, str] | None:
    """The date line under a speech's title: '（2019年1月10日）'."""
    m = MEETING_DATE.search(_norm(text[:300]))
    return (int(m.group(1)), m.group(0)) if m else None


def _opening(text: str, limit: int = 600) -> str:
    """The report's opening: where it says which year it reviews."""
    return text[:limit]


def calendar_year(text: str, *, period: str | None = None) -> tuple[int, str, str] | None:
    """Date a report by the latest plenum or campaign it names, narrowed by markers that ended earlier.

    A plenum held in October or later is the latest one named by the next year's reports, and by a year-end
    (annual) report of its own year.
    """
    t = text.replace("黨", "党").replace("屆", "届").replace("習", "习")
    hits = []
    for rx, year, lo, hi in CALENDAR_RE:
        m = rx.search(t)
        if m:
            hits.append((year, lo, hi, m.group(0)))
    for m in PLENUM_RE.finditer(t):
        congress = CONGRESS[m.group(1)]
        latest = max(cn for cn in (" 一二三四五六七".find(c) for c in re.findall(r"([一二三四五六七])中", m.group(2))))
        if (congress, latest) in PLENUMS:
            y, month = PLENUMS[(congress, latest)]
            year = y + 1 if month >= 10 and period != "annual" else y
            hits.append((year, y, y + 2, m.group(0)))
    if not hits:
        return None
    year = max(h[0] for h in hits)
    min_hi = min(h[2] for h in hits)
    max_lo = max(h[1] for h in hits)
    evidence = [h[3] for h in hits if h[0] == year]
    if year > min_hi >= max_lo:
        year = min_hi
        evidence.append(next(h[3] for h in hits if h[2] == min_hi))
    return year, "calendar", " + ".join(dict.fromkeys(evidence))


def _body_years(text: str, sections: list[dict]) -> tuple[int, str] | None:
    """The most frequent year named outside plans sections (not a plan year, a masked year or a speech date)."""
    meeting_line = (_meeting_date(text) or (None, ""))[1] if SPEECH_START.search(text[:600]) else ""
    counts: dict[int, int] = {}
    first: dict[int, str] = {}
    for row in sections:
        if row["kind"] == "plans":
            continue
        body = _norm(row["text"] if row["level"] or not meeting_line else row["text"].replace(meeting_line, ""))
        for m in YEAR_RE.finditer(body):
            rest = body[m.end(): m.end() + 8]
            if PLAN_AFTER.search(rest[:6]) and "工作计划" not in rest:
                continue
            if re.match(r"\d{1,2}月\d{1,2}日", rest) or body[max(0, m.start() - 1): m.start()] in ("到", "至"):
                continue  # a date (posted, held) or a target year ('到2025年'): not the span covered
            y = int(m.group(1))
            counts[y] = counts.get(y, 0) + 1
            first.setdefault(y, body[max(0, m.start() - 6): m.end() + 8])
    if not counts:
        return None
    y = max(counts, key=lambda k: (counts[k], k))
    return y, first[y]


SPEECH_REVIEW = re.compile(r"(?:简要|简单)?(?:总结|回顾)(?:一下)?(?:上年|去年|过去的?一年)")
HEADING_LINE = re.compile(r"^\s*(?:[㈠-㈩]、?|[（(][一二三四五六七八九十]+[）)]、?|[一二三四五六七八九十]+、)?\s*"
                          r"([^\n。；，,]{0,12}?(?:上半年|下半年|前三季度|[一二三四]季度|全年|年度)[^\n。；，,]{0,6}?"
                          r"(?:工作)?(?:总结|小结|回顾|完成情况|开展情况|工作情况))\s*[:：]?\s*$", re.MULTILINE)
RANGE_MONTHS = re.compile(r"(?<![\d.])1\s*[-－—~至到]\s*(6|9|3|12)\s*月|截至\s*(6|9|3)\s*月底|截止\s*(6|9|3)\s*月底")
PLAN_WORDS = re.compile(r"计划|安排|方案|意见|要点|规划|目标|打算|思路")


def _period(text: str, title: str | None, sections: list[dict], year: int | None) -> tuple:
    """(period, source, evidence, confidence), every cue weighed by rank; the body's own statement of its span
    outranks a title, and a contradiction lowers the confidence."""
    cues = _period_cues(text, title, sections)
    if not cues:
        plans = _norm("".join(r["text"] for r in sections if r["kind"] == "plans"))
        if year and re.search(rf"{year + 1}\s*年", plans):
            m = re.search(rf"{year + 1}\s*年", plans)
            return "annual", "body", _around(plans, m), "low"
        if re.search(r"下半年", plans):
            m = re.search(r"下半年", plans)
            return "H1", "body", _around(plans, m), "low"
        return None, None, None, None
    cues.sort(key=lambda c: -c[0])
    rank, value, source, evidence = cues[0]
    others = [c for c in cues[1:] if c[1] != value and c[0] >= 2]
    if others:
        other = others[0]
        return value, source, f"{evidence}（另有：{other[1]} {other[3]}）", "low"
    return value, source, evidence, "high" if rank >= 4 else "medium"


def _period_cues(text: str, title: str | None, sections: list[dict]) -> list[tuple]:
    """(rank, period, source, evidence) of every cue to the span a report covers."""
    cues: list[tuple] = []
    head = _norm(text[:1500])
    m = SPEECH_REVIEW.search(head[:600])
    if m:
        cues.append((6, "annual", "body", _around(head, m)))
    for m in HEADING_LINE.finditer(head):
        if title and m.group(1) in _norm(title):
            continue  # the title's own line
        value = _period_words(m.group(1), year_named=False)
        if value:
            cues.append((5.5, value, "heading", m.group(0).strip()))
            break
    for row in [r for r in sections if r["level"] == 1][:3]:
        if row["kind"] == "plans":
            continue
        words = row["heading"]
        value = _period_words(words, year_named=bool(YEAR_RE.search(_norm(words))))
        if value:
            explicit = _period_words(words, year_named=False)
            cues.append((5.5 if explicit else 3, value, "heading", (row["marker"] or "") + words))
            break
    for m in DECLARED.finditer(head):
        value = _declared(m.group(0))
        if value:
            cues.append((5, value, "body", m.group(0)))
            break
    if title:
        t = _norm(title)
        explicit = _period_words(t, year_named=False)
        value = explicit or _period_words(t, year_named=bool(re.search(r"(?:(?:19|20)[\dxX*]{2}|[xX*_]{2,4})\s*年", t)))
        if value:
            cues.append((4.5 if explicit else 3, value, "title", title))
    if not title or not any(c[2] == "title" for c in cues):
        for line in head.split("\n")[:3]:  # a title line the title finder left out ('2020 年…工作总结 正文…')
            chunk = re.split(r"\s{1,}(?=\S)", _norm(line.strip()), maxsplit=1)[0]
            if len(chunk) <= 40 and re.search(r"(?:19|20)\d{2}年", chunk) and re.search(r"总结|小结$", chunk):
                value = _period_words(chunk, year_named=True)
                if value:
                    cues.append((3, value, "title", chunk))
                    break
    body = "".join(r["text"] for r in sections if r["kind"] != "plans")
    for m in BODY_ANNUAL.finditer(body):
        if _about_plan(body, m):
            continue
        cues.append((2, "annual", "body", _around(body, m)))
        break
    m = BODY_H1.search(body)
    if m:
        cues.append((2, "H1", "body", _around(body, m)))
    m = RANGE_MONTHS.search(_norm(body))
    if m:
        month = next(g for g in m.groups() if g)
        value = {"3": "Q1", "6": "H1", "9": "Q1-Q3", "12": "annual"}[month]
        cues.append((2.5, value, "body", _around(_norm(body), m)))
    return cues


def _about_plan(body: str, m: re.Match) -> bool:
    """Whether a 全年/年度 names a plan or a cited document ('年度工作计划', '《…2020年度…安排》'), not the span."""
    after = re.split(r"[，。；,;\n]", body[m.end(): m.end() + 14], maxsplit=1)[0]
    opened = body.rfind("《", max(0, m.start() - 40), m.start())
    return bool(PLAN_WORDS.search(after)) or (opened >= 0 and "》" not in body[opened: m.start()])


def _declared(clause: str) -> str | None:
    """The span a '现将…总结如下' clause names: 现将上半年工作… → H1, 现将20xx年工作情况… → annual."""
    explicit = _period_words(clause, year_named=False)
    if explicit:
        return explicit
    if re.search(r"(?:(?:19|20)[\dxX*]{2}|[xX*_]{2,4})\s*年(?:度)?(?:的)?(?:[^上下第前]|$)", clause) or re.search(
            r"一年|全年", clause):
        return "annual"
    return None


def _around(s: str, m: re.Match, width: int = 8) -> str:
    return s[max(0, m.start() - width): m.end() + width].strip()


def _period_words(phrase: str, *, year_named: bool) -> str | None:
    p = phrase
    if H2_WORDS.search(p):
        return "H2"
    if H1_WORDS.search(p.replace("下半年", "")):
        return "H1"
    if re.search(r"前三季度|1\s*[-－—~至]\s*9\s*月", p):
        return "Q1-Q3"
    q = QUARTER.search(p)
    if q:
        if q.group(1):
            return "Q" + str("一二三四".find(q.group(1)) + 1 if q.group(1) in "一二三四" else q.group(1))
        span = (int(q.group(2)), int(q.group(3)))
        value = {(1, 3): "Q1", (4, 6): "Q2", (7, 9): "Q3", (10, 12): "Q4", (1, 6): "H1", (7, 12): "H2",
                 (1, 12): "annual"}.get(span)
        if value:
            return value
    if ANNUAL_WORDS.search(p):
        return "annual"
    if year_named and re.search(r"总结|總結|小结|小結|综述|綜述|工作情况|工作情況|回顾|回顧", p):
        return "annual"
    return None
