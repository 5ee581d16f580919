"""Web debris out of a report's text before it is parsed: HTML, pinyin glosses, viewer chunk numbers, site footers.

Reports copied from web pages carry what the page added around and inside the text. ``clean_web`` removes it and
counts what it removed per kind (characters), so that a document's row can say how much of the file was not the
report. Everything else is kept as written; offsets in every table refer to the text this returns (after
``analysis.read.report.clean_text``).

- HTML: tags go (the text inside them stays; a block tag such as <p>, <br>, <div>, <li> becomes a line break),
  <script>/<style> blocks and comments go with their content, entities (&nbsp; &amp; &#12290;) become their
  characters. Only text with real tags is touched: ``<十九大>`` or ``a<b`` are not HTML.
- Pinyin glosses after characters, left by a bad conversion: 實現(xiàn) → 實現. A gloss is one or two lowercase
  syllables with a tone mark (or ü) in brackets right after a Chinese character.
- Viewer chunk numbers: a document viewer cuts a text into pieces of one length and numbers them 1、 2、 3、 …,
  even inside a word. A run of at least three such numbers counting up from 1 whose gaps are equal (within a few
  characters) is removed, with the line break a viewer put before each.
- Site headers and footers: the Wikisource licence block (本作品是中华人民共和国的… / 本作品来自… to the end, when the
  end names Wikisource or the public domain; Public domain, false), news-site lines (扫一扫在手机打开当前页, 【字号：…】,
  下载 打印 全屏 收藏, 上一篇/下一篇, 打印本页/关闭窗口, ICP备案 and copyright lines anywhere; 编辑：…, 来源：…, 时间：…,
  您的位置, 首页, a breadcrumb (首页 > 范文 > 工作总结, or any two or more › » → steps), 字体 大 中 小, 收藏, 相关报道, a bare date-time only among the first or last EDGE_REACH lines, so a
  sentence of the report that mentions an editor is kept). Only lines of at most SHORT_LINE characters are tested; a
  removed line goes with its line break.
"""

from __future__ import annotations

import html
import re

REMOVED_KINDS = ("html", "pinyin", "chunk_numbers", "footer")

# ---------------------------------------------------------------------------------------------------------------
# HTML

_TAG_NAMES = ("a|abbr|b|big|blockquote|body|br|center|code|dd|div|dl|dt|em|font|h[1-6]|head|hr|html|i|img|ins|li|"
              "link|meta|nobr|ol|p|pre|s|section|small|span|strike|strong|sub|sup|table|tbody|td|tfoot|th|thead|"
              "title|tr|tt|u|ul|article|header|footer|nav|main|figure|figcaption|label|input|form|button|iframe|"
              "o:p|st1:[a-z]+|w:[a-z]+|v:[a-z]+")
_BLOCK = re.compile(r"^(?:br|p|div|li|tr|h[1-6]|table|ul|ol|dd|dt|blockquote|hr|section|article|header|footer|"
                    r"title|pre|center)$", re.IGNORECASE)
TAG_RE = re.compile(rf"<(/?)({_TAG_NAMES})(?:\s[^<>]*)?/?>", re.IGNORECASE)
SCRIPT_RE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)
ENTITY_RE = re.compile(r"&(?:[a-zA-Z][a-zA-Z0-9]{1,7}|#\d{1,6}|#[xX][0-9a-fA-F]{1,5});")

# ---------------------------------------------------------------------------------------------------------------
# Pinyin glosses

_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
_SYLLABLE = rf"[a-z{_TONED}]{{1,6}}"
PINYIN_RE = re.compile(rf"[(（](?=[^)）]{{0,13}}[{_TONED}])({_SYLLABLE}(?: ?{_SYLLABLE})?)[)）]")
_HAN = re.compile(r"[\u3400-\u9fff]")

# ---------------------------------------------------------------------------------------------------------------
# Viewer chunk numbers

MIN_CHUNKS = 3
MIN_CHUNK_GAP = 80
CHUNK_TOLERANCE = 4

# ---------------------------------------------------------------------------------------------------------------
# Headers and footers

WIKISOURCE_RE = re.compile(r"(?:(?<=\n)|^)本作品(?:是中华人民共和国的|来自|在全世界|属于公有领域)")
WIKISOURCE_TAIL = ("Public domain", "维基文库", "公有领域")
TAIL_WORDS = frozenset({"Public domain", "false", "true"})
SHORT_LINE = 120  # header and footer lines are short: longer lines are not tested
ANYWHERE_LINES = re.compile(r"^[ \t\u3000]*(?:扫一扫在手机(?:上)?打开当前页|扫一扫在手机打开|【?字号[：:].{0,20}】?"
                            r"|下载\s*打印\s*全屏\s*收藏.*|打印本页.{0,20}|关闭窗口.{0,20}|分享到[：:]?.{0,30}"
                            r"|(?:上一篇|下一篇)[：:].{0,60}|网站地图.{0,40}|.{0,30}ICP备.{0,40}|版权所有.{0,60}"
                            r"|Copyright.{0,80}|Public domain|false)[ \t\u3000]*$", re.IGNORECASE)
EDGE_LINES = re.compile(r"^[ \t\u3000]*(?:(?:责任)?编辑[：:].{0,20}|(?:文章)?来源[：:].{0,30}|作者[：:].{0,20}"
                        r"|(?:发布)?时间[：:].{0,60}|发布日期[：:].{0,30}|浏览(?:次数)?[：:].{0,20}|点击(?:数|量)?[：:].{0,20}"
                        r"|相关(?:报道|链接|阅读|新闻|文档)[：:]?.{0,10}|您的位置[：:]?.{0,40}|当前位置[：:]?.{0,40}|首页"
                        r"|[>›»|×]|【?字体[：:]?[ \t\u3000大中小]*】?|[大中小]|】|收藏|分享到.{0,10}|》》.{0,20}《《"
                        r"|\d{4}-\d{1,2}-\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?"
                        r"|(?:首页|主页|网站首页)[ \t\u3000]*(?:[>›»/→][^\n]{0,60})?"  # a breadcrumb: 首页 > 范文 > 工作总结
                        r"|(?:[^\n>›»→。，；]{1,12}[ \t\u3000]*[>›»→][ \t\u3000]*){2,6}[^\n>›»→。，；]{1,30})[ \t\u3000]*$")
EDGE_REACH = 15  # header lines are looked for among the first, footer lines among the last non-empty lines


def clean_web(text: str) -> tuple[str, dict[str, int]]:
    """Remove web debris from a decoded report text and count it.

    Args:
        text: decoded text (line breaks as LF or not yet normalised).
    Returns:
        (the text without debris, {kind: characters removed} for the kinds of REMOVED_KINDS that removed any).

    Example:
        >>> clean_web("<p>實現(xiàn)目標</p>")
        ('\\n實現目標', {'html': 6, 'pinyin': 6})
    """
    removed = dict.fromkeys(REMOVED_KINDS, 0)
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # as clean_text will: a chunk number's break is one LF
    text, removed["html"] = _strip_html(text)
    before = len(text)
    if "(" in text or "（" in text:
        text = PINYIN_RE.sub(lambda m: "" if m.start() and _HAN.match(text, m.start() - 1) else m.group(), text)
    removed["pinyin"] = before - len(text)
    text, removed["chunk_numbers"] = strip_chunk_numbers(text)
    text, removed["footer"] = strip_footers(text)
    return text, {kind: n for kind, n in removed.items() if n}


def _strip_html(text: str) -> tuple[str, int]:
    if "<" not in text and "&" not in text:
        return text, 0
    before = len(text)
    if TAG_RE.search(text):
        text = SCRIPT_RE.sub("", text)
        # a block tag becomes a line break (counted as removed: the tag's characters less the one break)
        text = TAG_RE.sub(lambda m: "\n" if _BLOCK.match(m.group(2)) and not m.group(1) or m.group(2).lower() == "br"
                          else "", text)
    removed = before - len(text)
    if ENTITY_RE.search(text):
        before = len(text)
        text = ENTITY_RE.sub(lambda m: html.unescape(m.group()), text)
        removed += before - len(text)
    return text, removed


def strip_chunk_numbers(text: str) -> tuple[str, int]:
    """Remove a document viewer's chunk numbers (1、 2、 3、 … at equal gaps) and the line breaks before them.

    A number may stand anywhere, even inside a word or a year (20 + 3、 + 23年). Returns (text, characters
    removed). A list of real items is kept: its gaps are not equal, it has fewer than three items, or its items
    are short.
    """
    if "、" not in text:
        return text, 0
    chain = _chunk_chain(_chunk_marks(text))
    if not chain:
        return text, 0
    out, pos = [], 0
    for start, end, _ in chain:
        cut = start - 1 if start > 0 and text[start - 1] == "\n" else start
        out.append(text[pos:cut])
        pos = end
    out.append(text[pos:])
    cleaned = "".join(out)
    return cleaned, len(text) - len(cleaned)


def _chunk_marks(text: str) -> list[tuple[int, int, int]]:
    """Every (start, end, number) of a 1–3 digit number before 、, the shorter readings of 123、 included."""
    marks = []
    i = text.find("、")
    while i >= 0:
        k = 0
        while k < 3 and i - k > 0 and text[i - k - 1] in _ASCII_DIGITS:
            k += 1
            if text[i - k] != "0":
                marks.append((i - k, i + 1, int(text[i - k:i])))
        i = text.find("、", i + 1)
    marks.sort()
    return marks


_ASCII_DIGITS = frozenset("0123456789")


def _chunk_chain(marks: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """The longest run 1, 2, 3, … whose gaps all equal the first within CHUNK_TOLERANCE (at least MIN_CHUNK_GAP)."""
    by_number: dict[int, list[tuple[int, int, int]]] = {}
    for mark in marks:
        by_number.setdefault(mark[2], []).append(mark)
    best: list[tuple[int, int, int]] = []
    for first in by_number.get(1, []):
        for second in by_number.get(2, []):
            gap = second[0] - first[0]
            if gap < MIN_CHUNK_GAP:
                continue
            chain = [first, second]
            while True:
                want = chain[-1][0] + gap
                nxt = [m for m in by_number.get(chain[-1][2] + 1, []) if abs(m[0] - want) <= CHUNK_TOLERANCE]
                if not nxt:
                    break
                chain.append(min(nxt, key=lambda m: abs(m[0] - want)))
            if len(chain) >= MIN_CHUNKS and len(chain) > len(best):
                best = chain
    return best


def strip_footers(text: str) -> tuple[str, int]:
    """Remove site headers and footers (see the module docstring); returns (text, characters removed)."""
    before = len(text)
    at = text.find("本作品")
    licence = WIKISOURCE_RE.search(text, at) if at >= 0 else None
    if licence and any(word in text[licence.start():] for word in WIKISOURCE_TAIL):
        text = text[:licence.start()]
    tail = text.rstrip()
    while "\n" in tail and tail[tail.rfind("\n") + 1:].strip() in TAIL_WORDS:
        tail = tail[:tail.rfind("\n")].rstrip()
    if len(tail) < len(text.rstrip()):
        text = tail
    lines = text.split("\n")
    filled = [i for i, line in enumerate(lines) if line.strip()]
    edge = set(filled[:EDGE_REACH]) | set(filled[-EDGE_REACH:])
    kept = [line for i, line in enumerate(lines) if not (
        len(line) <= SHORT_LINE and (ANYWHERE_LINES.match(line) or i in edge and EDGE_LINES.match(line)))]
    text = "\n".join(kept)
    return text, before - len(text)
