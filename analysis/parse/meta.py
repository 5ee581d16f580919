"""Infer a report's title, unit, level, region, year and period, each with its source and evidence phrase.

Sources, strongest first: the manifest a person wrote, the title, the first headings, the political
calendar (plenums and campaigns the report names) and the body. A plan for the next year never dates a
report, and a masked year (20xx, ____年) gives nothing rather than a guess.
"""

from __future__ import annotations

import functools
import math
import re

import pandas as pd

from analysis.parse.outline import find_title

FIELDS = ("title", "unit", "unit_level", "region", "year", "period")
YEAR = r"((?:19|20)\d{2})\s*年"
YEAR_RE = re.compile(YEAR)
PLAN_AFTER = re.compile(r"计划|計劃|打算|安排|要点|要點|思路|规划|規劃|设想")
SUMMARY_WORDS = re.compile(r"总结|總結|小结|小結|汇报|匯報|综述|綜述|情况|情況|回顾|回顧")
SPEECH_START = re.compile(r"^同志们[：:，,]", re.MULTILINE)
MEETING_DATE = re.compile(r"((?:19|20)\d{2})\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日")
SPEECH = re.compile(r"会议上的|會議上的|讲话|講話|发言|發言")

# (pattern, typical year, earliest, latest): the political calendar of DOMAIN.md and before.
CALENDAR = [
    (r"抗冰救灾|迎奥运|奥运会|汶川|改革开放30周年", 2008, 2008, 2008),
    (r"新中国成立60周年|建国60周年", 2009, 2009, 2009),
    (r"建党90周年|建黨90周年|十七届六中全会", 2011, 2011, 2012),
    (r"喜迎党的十八大|迎接党的十八大", 2012, 2012, 2012),
    (r"学习贯彻党的十八大精神|十八届二中全会", 2013, 2013, 2013),
    (r"群众路线教育实践活动|十八届三中全会", 2014, 2013, 2014),
    (r"三严三实", 2015, 2015, 2015),
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
    (17, 1): (2007, 10), (17, 2): (2008, 2), (17, 3): (2008, 10), (17, 4): (2009, 9), (17, 5): (2010, 10),
    (17, 6): (2011, 10), (17, 7): (2012, 11),
    (18, 1): (2012, 11), (18, 2): (2013, 2), (18, 3): (2013, 11), (18, 4): (2014, 10), (18, 5): (2015, 10),
    (18, 6): (2016, 10), (18, 7): (2017, 10),
    (19, 1): (2017, 10), (19, 2): (2018, 1), (19, 3): (2018, 2), (19, 4): (2019, 10), (19, 5): (2020, 10),
    (19, 6): (2021, 11), (19, 7): (2022, 10),
    (20, 1): (2022, 10), (20, 2): (2023, 2), (20, 3): (2024, 7),
    (20, 4): (2025, 9),  # held in October 2025; DOMAIN.md dates the reports naming it to 2025
}
CONGRESS = {"十七": 17, "十八": 18, "十九": 19, "二十": 20}
PLENUM_RE = re.compile(r"(十七|十八|十九|二十)届((?:[一二三四五六七]中(?:全会)?[、和及与,，]?)+)全会")

H1_WORDS = re.compile(r"上半年|上半年度|半年工作|半年总结|半年總結")
H2_WORDS = re.compile(r"下半年(?:工作)?(?:总结|總結|小结)")
QUARTER = re.compile(r"(?:第)?([一二三四1-4])季度")
ANNUAL_WORDS = re.compile(r"年度|全年|年终|年終|一年来|一年以来|一年來|一年以來|过去一年|過去一年|年初至今|年初以来|一年的工作")
BODY_H1 = re.compile(r"(?:^|[。；\n])\s*(?:今年)?上半年[，,以来共已]|上半年已|上半年共|上半年以来")
STRONG_BODY_YEAR = re.compile(r"(?:^|[。；\n】])\s*" + YEAR + r"\s*(?:以来|來|，|,|上半年|度|是|全年)|现将\s*" + YEAR)

LEVEL_TITLE = [  # (pattern over the title's issuing part, level), first match wins
    (r"学校|學校|大学|学院|中学|小学|公司|集团|医院|银行|出版社|局|中心|协会|学会|报社|电视台", "organisation"),
    (r"街道|社区|乡镇|鄉鎮|[镇鎮乡鄉]|苏木", "township"),
    (r"[县縣旗]", "county"),
    (r"(?<!自治)区|區", "district"),
    (r"市", "city"),
    (r"省", "province"),
]
SELF_REF = [  # self-references in the body: 我县, 全区, 县委宣传部 …
    (r"[我全本](?:省)|省委宣传部|以省委名义", "province"),
    (r"[我全本]市|市委宣传部", "city"),
    (r"[我全本](?:县|縣|旗)|(?:县|縣)委宣(?:传|傳)部", "county"),
    (r"[我全本](?<!自治)区|[我全本]區|区委宣传部", "district"),
    (r"[我全本](?:镇|鎮|乡|鄉|街道|街)|(?:镇|乡)党委", "township"),
    (r"[我全本](?:校|院|局|中心|公司)|学校|我单位|(?:^|[。，,\n])(?:中心|本局|我局)(?:的|把|以|紧紧|坚持|高度|组织|通过)",
     "organisation"),
]
ADDRESSEE = re.compile(r"^[^\n。，,]{2,20}[:：]\s*$", re.MULTILINE)  # "县委宣传部：" names the receiver, not the issuer


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
    title, _ = find_title(text)
    guesses = {"title": (title, "title", title)}  # only the fields the manifest leaves open are inferred
    if "year" not in given or "period" not in given:
        guesses["year"] = _year(text, title, sections)
    if "period" not in given:
        guesses["period"] = _period(text, title, sections, guesses["year"][0])
    for field, infer in (("unit_level", _level), ("unit", _unit), ("region", _region)):
        if field not in given:
            guesses[field] = infer(text, title)
    out: dict = {}
    for f in FIELDS:
        if f in given:
            value = int(given[f]) if f == "year" else given[f]
            out.update({f: value, f"{f}_source": "manifest", f"{f}_evidence": None})
        else:
            value, source, evidence = guesses[f]
            if f == "unit_level" and value is None:
                value = "unknown"
            out.update({f: value, f"{f}_source": source if value not in (None, "unknown") else None,
                        f"{f}_evidence": evidence if value not in (None, "unknown") else None})
    return out


def _missing(value) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def _norm(s: str) -> str:
    """Full-width digits as ASCII, and the PDF spaces between digits and 年 removed ('２０２４ 年' → '2024年')."""
    return re.sub(r"(?<=\d)\s+(?=[\d年])", "", s.translate(FULLWIDTH_DIGITS))


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


def _year(text: str, title: str | None, sections: list[dict]) -> tuple:
    meeting = None
    if title and not SPEECH.search(title):
        hit = _year_from(title)
        if hit:
            return hit[0], "title", title
    elif title or SPEECH_START.search(text[:600]):
        meeting = _year_from(title or "") or _meeting_date(text)
    for row in [r for r in sections if 1 <= r["level"] <= 2][:6]:
        if row["kind"] == "plans":
            continue
        hit = _year_from(row["heading"])
        if hit:
            return hit[0], "heading", (row["marker"] or "") + row["heading"]
    opening = _norm(_opening(text))
    m = STRONG_BODY_YEAR.search(opening)
    if m:
        year = int(m.group(1) or m.group(2))
        return year, "body", m.group(0).strip("。；\n ")
    cal = calendar_year(text)
    if cal:
        return cal
    if meeting:  # a speech at a meeting early in the year reviews the year before
        return meeting[0] - 1, "title" if title and meeting[1] in title else "body", meeting[1]
    years = _body_years(text, sections)
    if years:
        year, phrase = years
        return year, "body", phrase
    return None, None, None


def _meeting_date(text: str) -> tuple[int, str] | None:
    """The date line under a speech's title: '（2019年1月10日）'."""
    m = MEETING_DATE.search(_norm(text[:300]))
    return (int(m.group(1)), m.group(0)) if m else None


def _opening(text: str, limit: int = 600) -> str:
    """The report's opening: where it says which year it reviews."""
    return text[:limit]


def calendar_year(text: str) -> tuple[int, str, str] | None:
    """Date a report by the latest plenum or campaign it names, narrowed by markers that ended earlier."""
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
            year = y + 1 if month >= 10 else y
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
            y = int(m.group(1))
            counts[y] = counts.get(y, 0) + 1
            first.setdefault(y, body[max(0, m.start() - 6): m.end() + 8])
    if not counts:
        return None
    y = max(counts, key=lambda k: (counts[k], k))
    return y, first[y]


def _period(text: str, title: str | None, sections: list[dict], year: int | None) -> tuple:
    if title:
        hit = _period_words(title, year_named=bool(YEAR_RE.search(_norm(title))))
        if hit:
            return hit, "title", title
    for row in [r for r in sections if r["level"] == 1][:3]:
        if row["kind"] == "plans":
            continue
        hit = _period_words(row["heading"], year_named=bool(YEAR_RE.search(_norm(row["heading"]))))
        if hit:
            return hit, "heading", (row["marker"] or "") + row["heading"]
    body = "".join(r["text"] for r in sections if r["kind"] != "plans")
    m = ANNUAL_WORDS.search(body) or re.search(r"现将\s*(?:19|20)\d{2}\s*年", _norm(body))
    if m:
        return "annual", "body", _around(body, m)
    m = BODY_H1.search(body)
    if m:
        return "H1", "body", _around(body, m)
    plans = _norm("".join(r["text"] for r in sections if r["kind"] == "plans"))
    if year and re.search(rf"{year + 1}\s*年", plans):
        m = re.search(rf"{year + 1}\s*年", plans)
        return "annual", "body", _around(plans, m)
    if re.search(r"下半年", plans):
        m = re.search(r"下半年", plans)
        return "H1", "body", _around(plans, m)
    return None, None, None


def _around(s: str, m: re.Match, width: int = 8) -> str:
    return s[max(0, m.start() - width): m.end() + width].strip()


def _period_words(phrase: str, *, year_named: bool) -> str | None:
    p = phrase
    if H2_WORDS.search(p):
        return "H2"
    if H1_WORDS.search(p.replace("下半年", "")):
        return "H1"
    q = QUARTER.search(p)
    if q and "前三季度" not in p:
        return "Q" + str("一二三四".find(q.group(1)) + 1 if q.group(1) in "一二三四" else q.group(1))
    if ANNUAL_WORDS.search(p):
        return "annual"
    if year_named and re.search(r"总结|總結|小结|小結|汇报|匯報|综述|綜述|工作情况|工作情況|回顾|回顧|报告|報告", p):
        return "annual"
    return None


def _level(text: str, title: str | None) -> tuple:
    if title:
        issuer = _issuer(title)
        for pattern, level in LEVEL_TITLE:
            m = re.search(pattern, issuer)
            if m:
                return level, "title", title
    head = ADDRESSEE.sub("", text[:3000])
    scores: dict[str, int] = {}
    first: dict[str, str] = {}
    for pattern, level in SELF_REF:
        for m in re.finditer(pattern, head):
            scores[level] = scores.get(level, 0) + 1
            first.setdefault(level, _around(head, m, 6))
    if not scores:
        return None, None, None
    level = max(scores, key=lambda k: scores[k])
    return level, "body", first[level]


TOPIC = re.compile(r"关于|關於|上半年|下半年|宣传思想|宣傳思想|宣传工作|宣傳工作|意识形态|意識形態|精神文明|年度|乡村|文明城市|工作"
                   r"|全年|落实")
UNIT_END = re.compile(r"(?:宣传部|宣傳部|网信办|文明办|政府|党委|党组|委|局|中心|办公室|街道|社区|[镇鎮乡鄉县縣区區市省旗]"
                      r"|学校|學校|大学|学院|中学|小学|公司|集团|出版社|电视台)$")
BODY_UNIT = re.compile(r"(?:^|[，。,\n])\s*([*X\u4e00-\u9fa5]{0,6}?(?:委宣传部|宣传部|宣傳部|网信办|文明办))")


def _issuer(title: str) -> str:
    """The part of a title that names the issuing body: before the year or the topic ('市委宣传部', '县')."""
    t = re.sub(r"^[\s*X×x]+", "", _norm(title))
    t = re.sub(r"^(?:19|20)[\dxX]{2}\s*年(?:度)?", "", t)
    m = re.search(r"(?:19|20)[\dxX]{2}\s*年", t)
    head = t[: m.start()] if m else t
    topic = TOPIC.search(head)
    return (head[: topic.start()] if topic else head).replace("自治区", "").strip()


def _unit(text: str, title: str | None) -> tuple:
    """The issuing body as the title or the opening names it; None rather than a guess."""
    issuer = _issuer(title) if title else ""
    if issuer and UNIT_END.search(issuer) and len(issuer) <= 20:
        return issuer, "title", title
    m = BODY_UNIT.search(ADDRESSEE.sub("", text[:400]))
    if m:
        return m.group(1), "body", _around(text[:400], m, 0)
    return None, None, None


@functools.lru_cache(maxsize=1)
def _cpca():
    import cpca

    return cpca


@functools.lru_cache(maxsize=8192)
def _places(s: str) -> tuple:
    """cpca's (province, city, county) for a string; cached: a unit's titles repeat year after year.

    ``cpca.transform`` wraps each answer in a one-row DataFrame (~5 ms a call, ~8% of the pipeline); the record it
    is made from comes from ``cpca._get_one_addr`` (~0.2 ms), used when the pinned cpca has it. Both give the same
    places (``tests/test_meta.py`` checks that on every seed and dev report).
    """
    cpca = _cpca()
    one = getattr(cpca, "_get_one_addr", None)
    row = one(s, False, {}) if one is not None else cpca.transform([s]).iloc[0]
    return tuple(row.get(k) for k in ("省", "市", "区"))


def _region(text: str, title: str | None) -> tuple:
    """The province of the first named place (county, city) in the title or the opening; null when masked."""
    for source, s in (("title", title or ""), ("body", text[:300])):
        if not s:
            continue
        if not re.search(r"[\u4e00-\u9fa5]{1,6}(?:省|市|县|區|区|旗|州)", s):
            continue
        province, city, county = _places(re.sub(r"[0-9０-９]", "", s))
        if isinstance(province, str) and (isinstance(county, str) or isinstance(city, str)):
            named = county if isinstance(county, str) else city
            short = re.sub(r"(市|县|区|旗)$", "", named)
            if short and short in s:
                return province, source, named
    return None, None, None
