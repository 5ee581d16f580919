"""Who issued a report and where: its unit (通山县委, 零陵区委宣传部, XX街道党工委), level and place.

The unit is the issuer as the report names itself, in this order: the issuing part of the title (before its year
or topic), a byline under the title, the subject of an opening clause (``2023年，*区宣传部在…``), and a masked
place the report calls itself by (``我镇`` … ``xx镇``). Never the superior of ``在区委的正确领导下`` or ``按照市委
宣传部…``, never an addressee line (``县委宣传部：``), never a bare level (市, 县, 乡镇) or a person (县委常委, 部长).

Matching runs on a Simplified copy of the text with the same offsets (``analysis.read.script``), so a Traditional
report resolves the same way; the unit and the region are given as the report writes them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from analysis.parse import places
from analysis.parse.numerals import ascii_years
from analysis.read.script import to_simplified


def _words(text: str) -> frozenset[str]:
    """A word list written as one space-separated string."""
    return frozenset(text.split())


BODY = (r"委宣传部|宣传部|宣扬部|宣传科|宣传办|网信办|文明办|精神文明办|办公室|党工委|党委|党组|党支部|工委|镇委|政府|局|中心"
        r"|矿区|街道|社区|集团|公司|学院|学校|大学|中学|小学|医院|出版社|报社|电视台|新区|高新区|开发区")
BODY_END = re.compile(rf"(?:{BODY}|[镇乡县区市省旗委])$")
MASK = r"(?:[xX×*＊]+|某+|_+)"
ADMIN = "省市县区旗州盟镇乡"
# Issuers that name no one: a bare level or a template's placeholder level (县区, 乡镇), or a person's post.
BARE = _words("省 市 县 区 镇 乡 旗 街道 乡镇 县区 县市区 市县 区县 社区 村 矿区 全县 全市 全区 全镇 全省 中心 局 委 本局 我局"
                " 宣传部门 单位 部门 县委 市委 区委 省委 我们 政府 人民政府 中央人民政府 国务院 自治区 自治州 自治县")
PERSON = re.compile(r"常委|书记|部长|主任|局长|镇长|县长|市长|区长|个人|述职|发言|讲话|致辞")
MONTHS = r"\d{1,2}\s*[-－—~～至到]\s*\d{1,2}\s*月份?"
"""A span of months in a title (1-6月, 1至9月份): a period, not part of the issuer."""
TOPIC = re.compile(MONTHS + r"|关于|上半年|下半年|第[一二三四]季度|[一二三四]季度|宣传思想|宣传工作|宣传文化|意识形态|精神文明建设|年度|年终|乡村"
                   r"|文明城市|创建|工作|全年|落实|新时代|网络|疫情|总结|计划|情况|汇报|报告|综述|范文|材料")
LEADING = re.compile(r"^(?:\d+[、.．]\s*)?(?:(?:19|20)[\dxX*]{2}\s*年?度?|[xX*_]{2,4}\s*年度?|年度?)?\s*"
                     rf"(?:上半年|下半年|第?[一二三四]季度|年度|年终|{MONTHS})?")
LEVELS = [  # (pattern over an issuer, level), first match wins
    (r"学校|大学|学院|中学|小学|公司|集团|医院|银行|出版社|局|中心|协会|学会|报社|电视台|政府办公室|机关|矿", "organisation"),
    (r"街道|社区|乡镇|[镇乡村]|苏木", "township"),
    (r"[县旗]", "county"),
    (r"(?<!自治)区", "district"),
    (r"[市州盟]", "city"),
    (r"省", "province"),
]
SELF_REF = [  # self-references in the body: 我县, 全区, 县委宣传部 …
    (r"[我全本]省|省委宣传部|以省委名义", "province"),
    (r"[我全本]市|市委宣传部", "city"),
    (r"[我全本][县旗]|县委宣传部", "county"),
    (r"[我全本](?<!自治)区|区委宣传部", "district"),
    (r"[我全本](?:镇|乡|街道|街)|(?:镇|乡)党委|街道党(?:工委|校)", "township"),
    (r"[我全本](?:校|院|局|中心|公司)|学校|我单位|科室|文明单位|(?:^|[。，,\n])(?:中心|本局|我局)(?:的|把|以|紧紧|坚持|高度|组织|通过)",
     "organisation"),
]
ADDRESSEE = re.compile(r"^[^\n。，,]{2,20}[:：]\s*$", re.MULTILINE)
SUPERIOR_BEFORE = re.compile(r"(?:在|按照|根据|经|由|向|对|和|与|受|为|及|同|跟|给|从|把|以|将|被)$")
NAME_CHAR = r"(?:(?![的和在与及对为把将被由向从高重视提升不断开展围绕抓按据是了着过紧全我本各其该并等做加强推进深化营造筑牢])[\u4e00-\u9fa5])"
"""A character of a place or body name: not a verb or function word (提升…城乡, 在镇…, 不断提高全镇)."""
CLAUSE_SUBJECT = re.compile(
    r"(?:^|[。；;，,\n：:）)】 \u3000])\s*(?:(?:19|20)\d{2}\s*年(?:上半年|度)?|今年以来|今年|上半年|一年(?:以)?来)?\s*[，,]?\s*"
    rf"我?((?:[省市县区镇乡]?{MASK})?{NAME_CHAR}{{0,10}}?(?:{BODY}|[镇乡县区市旗]))"
    r"(?=[在以紧坚始认把高全深立围继结制紧聚扎积严按于及宣精意文构强切不大着充进主加通认是对])")
TEMPLATE = _words("县区 县市区 市县 区县 乡镇 县市 市区")
SPEECH = re.compile(r"(?:^|\n)\s*同志们[：:，,]|下面[，,]?我|我就\S{0,30}(?:总结|回顾)")
"""A speech: its speaker, not a body, is the author."""


@dataclass(frozen=True)
class Issuer:
    unit: str | None
    unit_source: str | None
    unit_evidence: str | None
    level: str | None
    level_source: str | None
    level_evidence: str | None
    region: str | None
    region_source: str | None
    region_evidence: str | None
    province: str | None
    city: str | None
    county: str | None
    confidence: dict


HAN = re.compile(r"[\u4e00-\u9fff]")


def simplified(text: str) -> str:
    """The text in Simplified characters with ASCII digits and letters, and a year written in Chinese numerals in
    digits (二〇一五年 → 2015年), offset for offset (``analysis.read.script.to_simplified``, then
    ``analysis.parse.numerals.ascii_years``)."""
    return ascii_years(to_simplified(text))


def as_written(name: str, text: str, simple: str) -> str:
    """A Simplified name or phrase in the script the report uses (郑州 → 鄭州): the same span of the text when the
    phrase is one span of the Simplified form (offsets hold: one character for one), else character by character,
    script only (a composed path; a digit folded from 二〇 stays a digit)."""
    if simple == text:
        return name
    at = simple.find(name)
    if at >= 0:
        return text[at: at + len(name)]
    if not HAN.search(name):
        return name
    a = np.frombuffer(simple.encode("utf-32-le"), dtype=np.uint32)
    b = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    seen = {chr(s): chr(t) for s, t in zip(a[a != b].tolist(), b[a != b].tolist(), strict=True)
            if 0x4E00 <= s <= 0x9FFF and 0x4E00 <= t <= 0x9FFF}
    return "".join(seen.get(ch, ch) for ch in name)


def _clean(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _is_name(unit: str) -> bool:
    """A unit that names someone: not a bare level, a template placeholder or a lone mask."""
    u = _clean(unit)
    core = re.sub(rf"^{MASK}$", "", u)
    place = re.sub(rf"(?:{BODY})$", "", u)
    return (bool(core) and u not in BARE and u.lstrip("我全本") not in BARE and bool(BODY_END.search(u))
            and place not in TEMPLATE and not NOT_A_BUREAU.search(u) and bool(NAME_START.match(u)))


NAME_START = re.compile(r"[\u4e00-\u9fa5A-Za-z0-9xX×*＊_]")
"""A name starts with a character, a letter or a mask, never with a bracket or a quote (【精品】宣传部)."""


NOT_A_BUREAU = re.compile(r"[布格大全结时僵开败骗棋变残定破]局$")
"""局 ending a word that is no bureau: 布局, 格局, 大局, 开局 (自贸试验区建设布局进一步完善)."""
NATIONAL_ORGANS = frozenset({"国务院", "中共中央", "中央人民政府"})
"""Named as the issuer only by a title (2010年国务院政府工作报告); in a body they are the superior or a topic."""


TITLE_FRAME = re.compile(r"^(?:【[^】]{1,6}】|\[[^\]]{1,6}\])+(?=.)")
"""A site's tag before a title: 【精品】, [推荐]."""
TITLE_MARKS = "【】[]《》“”\"「」『』〖〗"
"""Brackets and quotes a web copy puts around its title: 【2021年某镇工作总结】."""


def title_issuer(title: str) -> str:
    """The issuing part of a title: what stands before its year or topic ('市委宣传部', '县', 'xx镇')."""
    t = LEADING.sub("", TITLE_FRAME.sub("", _clean(title)).strip(TITLE_MARKS), count=1)
    m = re.search(r"(?:19|20)[\dxX*]{2}年?|[xX*_]{2}年", t)
    head = t[: m.start()] if m else t
    if not BODY_END.search(head) or TOPIC.search(head):
        topic = TOPIC.search(head)
        head = head[: topic.start()] if topic else head
    return head.replace("自治区", "")


def find_unit(text: str, simple: str, title: str | None, title_end: int) -> tuple:
    """(unit, source, evidence, confidence): the issuer as the report names itself; None rather than a guess."""
    stitle = simplified(title) if title else ""
    if stitle and PERSON.search(title_issuer(stitle)):
        return None, None, None, None  # a person's speech or summary: no body issued it
    if stitle:
        head = title_issuer(stitle)
        if head.endswith("政府") and head[:-2] in NATIONAL_ORGANS:
            head = head[:-2]  # 国务院 + 政府工作报告: the document is the government work report
        if _is_name(head) or head in NATIONAL_ORGANS:
            start = _clean(stitle).find(head)
            return _clean(title)[start: start + len(head)], "title", title, "high"
    after = simple[title_end: title_end + 40].lstrip()
    byline = re.split(r"\n|[ \t\u3000]{1,}", after, maxsplit=1)[0].strip()  # a line, or a one-line copy's next words
    if byline and len(byline) <= 15 and _is_name(byline) and not re.search(r"[，。,:：；]", byline):
        start = simple.find(byline, title_end)
        return text[start: start + len(byline)], "body", byline, "high"
    if SPEECH.search(simple[:300]):
        return None, None, None, None  # a speech: the speaker, not a body, is its author
    opening = ADDRESSEE.sub(lambda m: " " * len(m.group(0)), simple[:800])
    for m in CLAUSE_SUBJECT.finditer(opening):
        unit = m.group(1)
        if not _is_name(unit) or SUPERIOR_BEFORE.search(opening[: m.start(1)].rstrip("我")):
            continue
        if re.fullmatch(r"[\u4e00-\u9fa5]{4,}[镇乡县区市旗]", unit) and not places.find_places(unit):
            continue  # a long run of words ending in 区 (有效处置局部地区) is no place
        end = m.end(1)
        more = re.match(rf"(?:{BODY})+", opening[end:])  # *区 + 宣传部
        end += more.end() if more else 0
        return _clean(text[m.start(1): end]), "body", _clean(text[max(0, m.start(1) - 6): end + 6]), "medium"
    return _masked_self(text, simple)


def _masked_self(text: str, simple: str) -> tuple:
    """A masked place the report calls itself by: 我镇 … xx镇 (xx镇委 when written so)."""
    best: dict[str, list[re.Match]] = {}
    for m in re.finditer(rf"{MASK}(?:[镇乡县区旗]|街道)(委)?", simple):
        kind = m.group(0).rstrip("委").lstrip("xX×*＊某_")
        if not re.search(rf"[我全本]{kind}|{kind}党(?:工)?委|{kind}党校", simple):
            continue
        best.setdefault(_clean(m.group(0)).rstrip("委"), []).append(m)
    if not best:
        return None, None, None, None
    place = max(best, key=lambda u: (len(best[u]), -best[u][0].start()))
    m = next((m for m in best[place] if m.group(1)), best[place][0])  # 'X镇委' when it is written so
    return _clean(text[m.start(): m.end()]), "body", _clean(text[max(0, m.start() - 6): m.end() + 6]), "low"


def unit_level(unit: str | None) -> str | None:
    if not unit:
        return None
    u = simplified(unit)
    for pattern, level in LEVELS:
        if re.search(pattern, u):
            return level
    return None


def find_level(simple: str, title: str | None, unit: str | None, unit_source: str | None,
               unit_confidence: str | None = "high") -> tuple:
    """(level, source, evidence, confidence): from the unit, else the title's issuing part, else the body's
    self-references (我县, 全区, 争创文明单位)."""
    if unit:
        level = unit_level(unit)
        if level:
            return level, unit_source, unit, unit_confidence
    if title:
        head = title_issuer(simplified(title))
        level = unit_level(head)
        if level:
            return level, "title", title, "high"
    head = ADDRESSEE.sub("", simple[:3000])
    scores: dict[str, int] = {}
    first: dict[str, str] = {}
    for pattern, level in SELF_REF:
        for m in re.finditer(pattern, head):
            scores[level] = scores.get(level, 0) + (5 if m.group(0) in ("文明单位", "科室") else 1)
            first.setdefault(level, head[max(0, m.start() - 6): m.end() + 6].strip())
    if not scores:
        return None, None, None, None
    ranked = sorted(scores.values(), reverse=True)
    level = max(scores, key=lambda k: scores[k])
    confidence = "medium" if len(ranked) == 1 or ranked[0] >= 2 * ranked[1] else "low"
    return level, "body", first[level], confidence


PLACE_CHARS = 3000
"""Places are looked for in the report's opening (where it says who and where it is) and in its unit and title."""
TOWNSHIP = re.compile(r"([\u4e00-\u9fa5]{2,4}?(?:街道|镇|乡))")


NATIONAL_SELF = re.compile(r"我国|全国各族人民|各位代表")
LOCAL_SELF = re.compile(r"[我全本](?:省|市|县|区|州|盟|旗|镇|乡|街道|社区)(?![长委级场])")


def national_voice(simple: str) -> bool:
    """Whether a text speaks for the nation (我国, 全国各族人民, 各位代表) more often than it calls itself by a
    place below it (我省, 全市, 本县, 我镇 …): a State Council or Party congress report, a central body's summary."""
    national = len(NATIONAL_SELF.findall(simple))
    return national > 0 and national > len(LOCAL_SELF.findall(simple))


def find_region(text: str, simple: str, title: str | None, unit: str | None) -> tuple:
    """(region, source, evidence, confidence, province, city, county): the issuer's place, resolved.

    ``region`` is the resolved path as the report writes it (湖北省咸宁市通山县; a Traditional report's in
    Traditional characters), ending with the issuer's town or street when the unit names a real one.
    """
    strong = " ".join(s for s in (simplified(unit or ""), title_issuer(simplified(title)) if title else "") if s)
    loc = places.locate(simple[:PLACE_CHARS], strong=strong)
    if loc is not None and not loc.strong and national_voice(simple[:PLACE_CHARS]):
        loc = None  # a report that speaks for the nation names places as topics (武汉 in an epidemic year)
    township = None
    if unit:
        m = TOWNSHIP.match(simplified(_clean(unit)))
        if m and not re.search(MASK, m.group(1)) and not m.group(1).startswith(("乡镇", "街道")):
            township = m.group(1)
    if township is None:  # a real street or town the report names beside calling itself 我街道/我镇
        for m in re.finditer(rf"(?<![\u4e00-\u9fa5])({NAME_CHAR}{{2,4}}?)(街道|镇)(?=[0-9０-９]{{4}}[ \t\u3000]*年|党|办事处|宣传|新时代)",
                             simple):
            name = m.group(1)
            if re.search(rf"[我全本]{m.group(2)}", simple) and not re.search(r"[乡城某]", name):
                township = m.group(0)
                break
    if loc is None and township is None:
        return None, None, None, None, None, None, None
    province, city, county = (loc.province, loc.city, loc.county) if loc else (None, None, None)
    town = places.town_path(township, loc.division if loc else None) if township else None
    if town is not None and (loc is None or loc.division.rank < 2):  # the town's county (and city) below the place
        province, city, county = town
    parts = [p for p in (province, city, county) if p]
    if township:
        parts.append(township)
    region = "".join(dict.fromkeys(parts))
    region = as_written(region, text, simple)
    evidence = "、".join(x for x in ((loc.evidence if loc else None), township) if x)
    source = "title" if (title and any(n in simplified(title) for n in evidence.split("、"))) else "body"
    conflict = loc.rival if loc else None
    if conflict:
        evidence += f"（另有：{conflict}）"
        confidence = "low"
    elif loc and loc.outlet and town is None:
        evidence += "（仅见于当地媒体或平台名，待核对）"
        confidence = "low"
    elif loc is None and town is not None:
        confidence = "medium"  # a town of that name is in one county only: the gazetteer, not the text, says where
    elif (loc and loc.strong) or (township and unit and township in simplified(unit)):
        confidence = "high"
    else:
        confidence = "medium" if (loc is None or loc.score >= 2) else "low"
    return region, source, evidence, confidence, province, city, county


def resolve_region(region: str) -> tuple:
    """A region a person wrote (manifest.csv): (region, 'manifest', None, 'high', province, city, county)."""
    loc = places.locate(simplified(region), strong=simplified(region))
    if loc is None:
        return region, "manifest", None, "high", None, None, None
    return region, "manifest", None, "high", loc.province, loc.city, loc.county
