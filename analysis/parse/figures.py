"""Stated quantities: '发稿805篇', '近500支志愿服务队伍', '举行*次集中学习', each with its measure word and object.

A figure is a number (Arabic, Chinese or a numeric redaction mask) followed by a measure word (篇/起/次/人 …)
or scaled by 万/亿. Decisions (tested in ``tests/test_figures.py``):

- Not counts: dates and years (3月25日, 2023年), times (10时), ordinals (第三届), percentages (85%,
  百分之八十, 个百分点), ratios (3倍), ages (60岁: 岁 is not a measure word), anniversaries (100周年),
  plenums and congresses (十九届六中全会, 二十大), five-year plans (十四五), section markers (一、 1.),
  codes (5G, PM2.5), document numbers (〔2023〕5号), numbers inside quotes or titles (“四个意识”,
  《…100个…》: names, not statements), numbered slogans (四个意识, 八项规定) and a lone 一 (一批, 一次: an
  article, not a count).
- A number scaled by 万/亿 with no measure word is still a figure: '20余万志愿者' → value 200000,
  measure '' and object 志愿者.
- ``value`` is scaled: '1.6万元' → 16000 with measure 元; a mask has value None and ``is_masked`` True.
- ``approx`` is one word from a closed list: a suffix (余/多/左右/以上/以下) wins over an adjacent prefix
  (近/约/超/逾/达/共/累计 …), which wins over a total marker earlier in the clause (累计/共计/总计/合计).
- ``object`` is a best-effort phrase: the noun after the measure word ('近500支志愿服务队伍' → 志愿服务队伍),
  else the words before the number in the same clause, after the last verb or function word
  ('现累计发稿X万多条次' → 发稿). None when the clause shows neither.
- ``text`` is the quantity as written, approximators included: '近500支', '805篇', '3.5亿元'.
- A range ('3-5场', '3至5个') gives one figure, its upper end, with the measure word.

Every pattern is possessive or bounded, so the scan is linear in the text length.
"""

from __future__ import annotations

import bisect
import re
from typing import NamedTuple

import pandas as pd

from analysis.errors import value_invalid_msg
from analysis.parse.masks import find_masks
from analysis.parse.measures import (
    MEASURE_WORDS,
    NON_MEASURE_COMPOUNDS,
    index_words,
    word_at,
)
from analysis.parse.numerals import cn_to_int
from analysis.parse.segment import get_segmenter

SCALES = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
APPROX_AFTER: tuple[str, ...] = ("左右", "以上", "以下", "上下")
"""Approximators written after the measure word: '2000人左右'."""
APPROX_PREFIXES: tuple[str, ...] = ("不少于", "将近", "接近", "大约", "超过", "多达", "高达", "达到", "共计", "累计",
                                    "总计", "合计", "不足", "不到", "至少", "突破", "近", "约", "超", "逾", "达", "共",
                                    "上")
"""Approximators written right before the number, longest first ('上' only before a bare 百/千/万: 上百)."""
TOTAL_MARKERS: tuple[str, ...] = ("累计", "共计", "总计", "合计")
"""Total markers that may stand earlier in the clause: '累计发放3.5亿元'."""
NOT_COUNT_UNITS: tuple[str, ...] = ("个百分点", "百分点", "周年", "周岁", "%", "％", "‰", "岁", "倍", "年", "月", "日",
                                    "号", "时", "点", "分之")
"""What a number followed by one of these is: a percentage, age, date, time or anniversary, not a count."""
NUMBERED_SLOGAN_HEADS: tuple[str, ...] = ("意识", "自信", "维护", "确立", "全面", "务必", "代表", "伟大", "明确",
                                          "坚持", "必须", "结合", "规定", "一体", "一百年", "区分", "必由", "禁令")
"""'四个意识', '八项规定', '五位一体': a small Chinese numeral, 个/项/位 and one of these is a slogan."""

_CN_DIGITS = "〇零一二两三四五六七八九"
_CN_RUN = "〇零一二两三四五六七八九十百千万亿萬億"
_MASK_CHARS = r"\*＊Xx×_＿"
_SPACE = " \u3000\u00a0"
_NON_CJK = re.compile(r"[^\u4e00-\u9fff]")
_FUNCTION_TOKENS = frozenset((
    # function words, scope and time words
    "的", "了", "在", "和", "与", "及", "以及", "等", "是", "为", "被", "把", "将", "对", "向", "从", "到", "于", "由",
    "共", "已", "已经", "现", "有", "共有", "其中", "分别", "目前", "截至", "截至目前", "今年", "全年", "上半年",
    "下半年", "年内", "当年", "以来", "先后", "此外", "同时", "并", "还", "也", "都", "均", "又", "再", "仅", "就",
    "即", "中", "上", "下", "内", "全市", "全区", "全县", "全省", "全镇", "全旗", "全州", "我市", "我区", "我县",
    "我省", "我镇", "我旗", "各级", "各类", "直接",
    # approximators and total markers
    "近", "约", "超", "超过", "逾", "达", "达到", "多达", "高达", "将近", "接近", "大约", "不少", "不少于", "不足",
    "不到", "至少", "突破", "累计", "共计", "总计", "合计",
))
_VERB_TOKENS = frozenset((
    # verbs that introduce or follow a count
    "开展", "举办", "举行", "组织", "召开", "参加", "参与", "进行", "接受", "受到", "获得", "荣获", "获", "入选",
    "实现", "完成", "作", "做", "斩获", "荣登", "位居", "成立", "覆盖", "受益", "惠及", "吸引", "带动", "提供",
    "刊播", "刊发", "播发", "刊登", "推出", "发布", "转载", "上报", "报送", "推送", "印发", "制定", "建成", "建立",
    "组建", "培育", "打造", "推荐", "评选", "表彰", "邀请", "安排", "新增", "新建", "招募", "筹集", "吸引",
))
_COUNTED_VERBS = frozenset(("刊播", "刊发", "播发", "刊登", "推出", "发布", "转载", "上报", "报送", "推送", "印发", "发放"))
"""Verbs whose count is of the items they produce: '累计转载两万余条' → object 转载 (as '发稿805篇' → 发稿)."""
_STOP_TOKENS = _FUNCTION_TOKENS | _VERB_TOKENS
_BEFORE_MAX = 8
_AFTER_MAX = 10
_MEETING_AFTER = ("全会", "全体会议", "全委会", "党代会", "代表大会")

FIGURE_RE = re.compile(
    rf"(?=[0-9０-９{_CN_RUN}{_MASK_CHARS}])(?<![0-9０-９A-Za-z.．{_CN_RUN}{_MASK_CHARS}])"
    r"(?P<num>[0-9０-９]++(?:,[0-9]{3}(?![0-9]))*+(?:[.．][0-9０-９]++)?+"
    rf"|[{_CN_RUN}]++|[{_MASK_CHARS}]++)"
    r"(?P<scale1>[万萬亿億])?+(?P<suf>余|餘|多)?+(?P<scale2>[万萬亿億])?+"
    rf"(?P<space>[{_SPACE}])?+[（(]?+"
    rf"(?P<measure>{'|'.join(map(re.escape, MEASURE_WORDS))})?+"
)
_QUOTE_RE = re.compile(r"“[^“”\n]{0,40}”|《[^《》\n]{0,60}》|「[^「」\n]{0,40}」")
_PLENUM_RE = re.compile(r"[届屆](?:[一二三四五六七八九十]+[中次]|中央|全国|人大|政协|委员会|[省市县区]委)")
_FIVE_YEAR_RE = re.compile(r"十[一二三四五六七八九]五")


_MEASURE_INDEX = index_words(MEASURE_WORDS)
_COMPOUND_INDEX = index_words(NON_MEASURE_COMPOUNDS)


class Figure(NamedTuple):
    """One stated quantity; offsets refer to the text given to ``find_figures``."""

    start: int
    end: int
    text: str
    value: float | None
    measure: str
    object: str | None
    approx: str | None
    is_masked: bool


def measure_at(text: str, pos: int) -> str | None:
    """The measure word starting at ``pos`` (longest first), or None when none does or it opens a compound.

    >>> measure_at("5场次活动", 1), measure_at("XX人民", 2)
    ('场次', None)
    """
    word = word_at(text, pos, _MEASURE_INDEX)
    compound = word and word_at(text, pos, _COMPOUND_INDEX)
    return None if compound and len(compound) > len(word) else word


def find_figures(text: str, *, segmenter=None, masks: list | None = None) -> list[Figure]:
    """Every stated quantity in ``text`` with its measure word, counted object and approximator, in order.

    Args:
        text: a cleaned report text (or any snippet).
        segmenter: an ``analysis.parse.segment.Segmenter`` used to cut the object phrase into words; None for the
            shared default one.
        masks: ``analysis.parse.masks.find_masks(text)`` when already found; None to find them here.
    Returns:
        Figure tuples sorted by ``start``; see the module docstring for what is and is not a count.

    >>> [(f.value, f.measure, f.object, f.approx) for f in find_figures("组建近500支志愿服务队伍。")]
    [(500.0, '支', '志愿服务队伍', '近')]
    """
    masks = {m.start: m for m in (find_masks(text) if masks is None else masks)}
    quotes = [(q.start(), q.end()) for q in _QUOTE_RE.finditer(text)]
    quote_starts = [q[0] for q in quotes]
    seg = None
    out: list[Figure] = []
    for m in FIGURE_RE.finditer(text):
        if m["measure"] is None and m["scale1"] is None and m["scale2"] is None:
            continue  # a bare number: no count (the cheap test first; _counted_measure says the same)
        if _inside(quotes, quote_starts, m.start()):
            continue
        measure = _counted_measure(text, m, masks)
        if measure is None:
            continue
        if seg is None:
            seg = segmenter if segmenter is not None else get_segmenter()
        out.append(_figure(text, m, seg, measure))
    return out


def _measure(text: str, m: re.Match) -> str | None:
    return m["measure"] and measure_at(text, m.start("measure"))


def _number_end(m: re.Match) -> int:
    return max(m.end("num"), m.end("scale1"), m.end("suf"), m.end("scale2"))


def _counted_measure(text: str, m: re.Match, masks: dict) -> str | None:
    """The measure word of a count ('' when only 万/亿 scale it); None for ordinals, percentages, dates, plenums,
    codes, slogans and idioms: numbers that are not counts."""
    num, start = m["num"], m.start()
    if num[0] in "*＊Xx×_＿":
        mask = masks.get(start)
        if mask is None or mask.end != m.end("num") or mask.kind != "numeric":
            return None
    measure = _measure(text, m)
    if measure is None and m["scale1"] is None and m["scale2"] is None:
        return None
    before = text[max(0, start - 3):start].rstrip(_SPACE)
    if before.endswith(("第", "分之")):
        return None
    end = _number_end(m)
    if text[end:end + 4].lstrip(_SPACE).startswith(NOT_COUNT_UNITS):
        return None
    if measure in ("届", "屆") and _PLENUM_RE.match(text, m.start("measure")):
        return None
    if measure and text.startswith(_MEETING_AFTER, m.end("measure")):
        return None  # 八次全会, 三次党代会: a meeting's number
    if num[0] in _CN_RUN and not _cn_run_is_count(text, m, measure):
        return None
    return measure or ""


def _cn_run_is_count(text: str, m: re.Match, measure: str | None) -> bool:
    """A Chinese numeral counts unless it is a lone 一, a bare 千/万 of an idiom, a five-year plan or a slogan."""
    run, start = m["num"], m.start()
    if cn_to_int(run.replace("萬", "万").replace("億", "亿")) is None or run == "一" or _FIVE_YEAR_RE.fullmatch(run):
        return False
    if text[max(0, start - 1):start] in ("数", "几"):
        return False  # 数百名, 几十个: no number is stated
    if not any(ch in _CN_DIGITS for ch in run) and run != "十":
        before = text[max(0, start - 1):start]
        if before not in ("近", "上", "逾", "超", "约", "达"):
            return False  # 千家万户, 万人空巷; but 近百场, 上千人, 十项
    return not (measure in ("个", "项", "位", "個", "項")
                and text.startswith(NUMBERED_SLOGAN_HEADS, m.end("measure")))


def _figure(text: str, m: re.Match, seg, measure: str) -> Figure:
    """The Figure of a count ``m`` whose measure word is ``measure`` ('' for none)."""
    start, is_masked = m.start(), m["num"][0] in "*＊Xx×_＿"
    end = m.end("measure") if measure else _number_end(m)
    after = next((w for w in APPROX_AFTER if measure and text.startswith(w, end)), None)
    clause = _clause_before(text, start)
    tokens = seg.segment(clause) if clause else []
    prefix = _adjacent_prefix(clause, tokens, m["num"])
    if prefix:
        tokens = tokens[:-1] if tokens and tokens[-1] == prefix else seg.segment(clause[:-len(prefix)])
    total = next((t for t in TOTAL_MARKERS if t in tokens), None)
    approx = m["suf"] or after or prefix or total
    text_start = start - len(prefix) if prefix else start
    text_end = end + len(after) if after else end
    value = None if is_masked else _value(m["num"], m["scale1"], m["scale2"])
    obj = _object_after(text, text_end, seg) or _object_before(tokens)
    return Figure(text_start, text_end, text[text_start:text_end], value, measure, obj, approx, is_masked)


def _adjacent_prefix(clause: str, tokens: list[str], num: str) -> str | None:
    """The approximator right before the number: a whole token when it is one character ('签约' is not 约)."""
    if clause[-1:] not in _PREFIX_LAST:
        return None
    for p in APPROX_PREFIXES:
        if not clause.endswith(p):
            continue
        if p == "上" and num[0] not in "百千万":
            continue
        if len(p) > 1 or clause == p or (tokens and tokens[-1] == p):
            return p
    return None


def _clause_before(text: str, start: int, *, limit: int = 16) -> str:
    """The CJK characters right before ``start`` (spaces skipped), back to the first other character."""
    window = text[max(0, start - limit):start].rstrip(_SPACE)
    cut = [c.end() for c in _NON_CJK.finditer(window)]
    return window[cut[-1]:] if cut else window


def _object_after(text: str, end: int, seg) -> str | None:
    """The noun phrase right after the quantity: its leading words up to a verb or function word."""
    run = _NON_CJK.split(text[end:end + _AFTER_MAX + 6].lstrip(_SPACE), maxsplit=1)[0]
    run = run.removeprefix("的")
    out = ""
    for tok in seg.segment(run) if run else []:
        if tok in _STOP_TOKENS or len(out) + len(tok) > _AFTER_MAX:
            break
        out += tok
    return out or None


def _object_before(tokens: list[str]) -> str | None:
    """The words before the number in its clause, back to a verb, function word or approximator.

    A clause that ends with a publishing verb ('累计转载两万余条') gives that verb, as '发稿805篇' gives 发稿.
    """
    if tokens and tokens[-1] in _COUNTED_VERBS:
        return tokens[-1]
    out = ""
    for tok in reversed(tokens):
        if tok in _STOP_TOKENS or len(out) + len(tok) > _BEFORE_MAX:
            break
        out = tok + out
    return out if len(out) >= 2 else None


_HALF_WIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")
_PREFIX_LAST = frozenset(p[-1] for p in APPROX_PREFIXES)


def _value(num: str, scale1: str | None, scale2: str | None) -> float | None:
    num = num.replace(",", "").translate(_HALF_WIDTH)
    if num[0].isdigit():
        value = float(num)
    else:
        n = cn_to_int(num.replace("萬", "万").replace("億", "亿"))
        if n is None:
            return None
        value = float(n)
    for s in (scale1, scale2):
        if s:
            value *= SCALES[s]
    return value


def _inside(spans: list[tuple[int, int]], starts: list[int], pos: int) -> bool:
    i = bisect.bisect_right(starts, pos) - 1
    return i >= 0 and spans[i][0] < pos < spans[i][1]


BY_FIGURES = ("document", "section")


def figures_summary(figures: pd.DataFrame, *, by: str = "document") -> pd.DataFrame:
    """How many figures each document (or section) states, and the share of them that is redacted.

    Args:
        figures: a FIGURES table.
        by: "document" (one row per doc_id) or "section" (one row per doc_id and section_id).
    Returns:
        doc_id[, section_id], n_figures, n_masked, share_masked (0–1).

    >>> figures_summary(figures_table)[["doc_id", "n_figures", "share_masked"]]  # doctest: +SKIP
    """
    if by not in BY_FIGURES:
        raise ValueError(value_invalid_msg("by", by, BY_FIGURES))
    keys = ["doc_id"] if by == "document" else ["doc_id", "section_id"]
    if figures.empty:
        return pd.DataFrame({**{k: pd.Series([], dtype="object") for k in keys},
                             "n_figures": pd.Series([], dtype="int64"), "n_masked": pd.Series([], dtype="int64"),
                             "share_masked": pd.Series([], dtype="float64")})
    masked = figures["is_masked"].astype(bool)
    out = (figures.assign(_m=masked.astype("int64")).groupby(keys, sort=True)
           .agg(n_figures=("_m", "size"), n_masked=("_m", "sum")).reset_index())
    out["n_figures"] = out["n_figures"].astype("int64")
    out["n_masked"] = out["n_masked"].astype("int64")
    out["share_masked"] = out["n_masked"] / out["n_figures"]
    return out
