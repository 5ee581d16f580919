"""Split a cleaned report into its outline: 一、/（一）/一是/第一，/1./(1)/㈠/【】 and unnumbered headings.

The tree is built from the markers as the report uses them, not from a fixed ranking: a marker type seen for
the first time opens a level below the current one, a type already open closes everything below it. The
usual ranks (一、 > （一） > 一是/第一/1. > (1)) only decide which open levels a more important marker closes.
Each node's own text runs from its marker to the next node, so the nodes tile the document.

Layouts of real (web) reports handled by general rules, each tested with made-up text in tests/test_outline_layouts.py:
a marker glued to the end of an unpunctuated heading (一、工作情况1.创建… / …情况（一）…), a heading that runs into its
body (it ends where its closing result meets the body's subject: …不断加强我镇坚持…), unnumbered level-1 lines (with one
comma or a final 。) above 1、 items, ——dash items, 【】 heads with run-in items after them, a top marker at the end
of a lead line, unnumbered run-in heads opening a paragraph (强化融合宣传。正文…), a lead sentence standing where the
first heading should be, and headings broken by a page width.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

import pandas as pd

from analysis import schema
from analysis.parse.numerals import cn_to_int
from analysis.read.report import looks_hard_wrapped
from analysis.read.script import to_simplified

CN = "一二三四五六七八九十"
MARKER_RE = re.compile(
    rf"(?=[（(㈠-㈩第{CN}\d【—])"  # a quick first-character test, then the alternatives
    rf"(?:(?P<cn_paren>[（(] ?(?P<cp>[{CN}]{{1,3}}) ?[）)][、，,．.]?)"
    r"|(?P<num_paren>[（(](?P<np>\d{1,2})[）)][、，,．.]?)"
    r"|(?P<circled>(?P<ci>[㈠-㈩])[、．.]?)"
    rf"|(?P<cn_di>第(?P<cd>[{CN}]{{1,3}})[，,、：:])"
    rf"|(?P<cn_shi>(?P<cs>[{CN}]{{1,3}})是(?![的否不]))"
    rf"|(?P<cn_dun>(?P<cu>[{CN}]{{1,3}})(?:[、．]|\.(?!\d)))"
    r"|(?P<num>(?P<nu>\d{1,2})(?:[、．]|\.(?![\d.])))"
    r"|(?P<bracket>【(?P<br>[\u4e00-\u9fff]{2,12})】)"
    r"|(?P<dash>——(?P<da>)(?=[\u4e00-\u9fff“])))"
)
ORDINAL_GROUP = {"cn_paren": "cp", "num_paren": "np", "circled": "ci", "cn_di": "cd", "cn_shi": "cs",
                 "cn_dun": "cu", "num": "nu", "bracket": "br", "dash": "da"}
# Usual importance: a marker closes open levels of strictly less important types (higher rank).
RANK = {"plain": 0, "bracket": 1, "cn_dun": 1, "cn_paren": 2, "circled": 2, "cn_di": 3, "cn_shi": 3,
        "num": 3, "dash": 4, "num_paren": 4, "runin": 2.5}
# Which markers may stand where: at a line start, after a sentence end or colon, after a space run.
AFTER_SPACE = {"cn_dun", "cn_paren", "circled", "bracket"}
SENTENCE_END = "。；！？!?;"
COLONS = "：:"
SPACES = " \t\u3000"
QUOTES = "”’\"」』)）"
CLAUSE_END = "。；！？;!?"
MAX_HEADING = 80
UNNUMBERED = ("plain", "bracket", "dash", "runin")  # headings without an ordinal: any number of siblings
RUN_TOGETHER = 150  # a line this long runs paragraphs together: a space after a word ends a heading

KIND_WORDS = (
    ("problems", ("存在问题", "存在的问题", "问题与不足", "问题和不足", "不足之处", "薄弱环节", "短板", "差距",
                  "困难和问题", "问题及原因", "存在不足", "不足与", "主要问题")),
    ("plans", ("下一步", "工作安排", "工作打算", "工作措施", "工作计划", "工作思路", "下半年", "明年", "努力方向",
               "工作重点", "工作要点", "几点建议", "意见建议", "工作设想", "今后", "计划", "打算")),
    ("achievements", ("工作情况", "工作总结", "完成情况", "进展情况", "开展情况", "工作回顾", "主要做法",
                      "主要成效", "工作成效", "取得成效", "总体情况", "基本情况", "主要工作", "工作开展", "上半年工作",
                      "成绩", "回顾", "做法", "成效", "概况")),
)
YEAR_RE = re.compile(r"((?:19|20)\d{2})\s*年")
CJK_RE = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class _Node:
    kind: str  # marker type
    ordinal: int | None
    start: int
    marker: str
    head_start: int  # where the heading text starts
    level: int = 0
    parent: _Node | None = None
    children: list[_Node] = field(default_factory=list)
    heading: str = ""
    head_end: int | None = None  # fixed heading end (plain headings)
    where: str = "line"  # what stands before the marker: line / sentence / colon / space
    restart: bool = False  # a list that starts again at 1 (a new part, or a contents block)
    marker_text: str = ""  # a 【】 heading as written


def split_sections(text: str, *, doc_id: str = "doc", report_year: int | None = None) -> pd.DataFrame:
    """Split a cleaned report text into outline nodes.

    Args:
        text: the cleaned report text (offsets refer to it).
        doc_id: the document id, prefixed to each section_id.
        report_year: the year the report covers, if known: a top-level heading naming a later year is a plan.
    Returns:
        a SECTIONS table in document order: the preamble (text before the first heading, when there is any) and
        one row per heading, whose own texts concatenated give ``text`` back.

    Example:
        >>> df = split_sections("导语。\\n一、工作情况\\n（一）学习。正文。\\n二、存在问题\\n一是不足。")
        >>> df[["path", "level", "marker", "heading", "kind"]].values.tolist()[1]
        ['1', 1, '一、', '工作情况', 'achievements']
    """
    records = assign_kinds(outline_records(text, doc_id=doc_id), report_year=report_year)
    return to_frame(records)


def outline_records(text: str, *, doc_id: str = "doc") -> list[dict]:
    """The rows of ``split_sections`` as plain dicts, kinds not yet decided (see ``assign_kinds``).

    The build works on these and makes one DataFrame per table at the end: far cheaper than a frame per report.
    """
    title_end = find_title(text)[1]
    wrapped = looks_hard_wrapped(text)
    cands = _candidates(text, title_end, wrapped)
    nodes = _build_tree(cands)
    intro = _intro_sentences(nodes)
    if intro:
        cands = [c for c in cands if id(c) not in intro]
        nodes = _build_tree(cands)
    lead = _lead_sentence(text, nodes, title_end)
    if lead is not None:
        nodes = _build_tree(sorted([*cands, lead], key=lambda n: n.start))
    nodes = _drop_contents_block(nodes, text)
    for node, nxt in itertools.zip_longest(nodes, nodes[1:]):
        node.heading = _heading(text, node, wrapped, nxt.start if nxt else len(text))
    return _records(text, nodes, doc_id)


def find_title(text: str) -> tuple[str | None, int]:
    """The report's own title lines and the offset where they end (0 when it starts with its body).

    A title is a short leading line with no sentence punctuation that reads like a title (总结/计划/报告/汇报/
    综述/小结/要点/情况/材料 …); a next line continues it only when it starts with a connective (及/和/的/暨/与).
    A byline or a date after the title is not part of it.
    """
    pos, parts, end = 0, [], 0
    while True:
        nl = text.find("\n", pos)
        line = text[pos:] if nl < 0 else text[pos:nl]
        stripped = line.strip()
        if not stripped and not parts and nl >= 0 and pos < 200:
            pos = nl + 1
            continue
        head = _title_part(stripped, first=not parts) if stripped else None
        if head is None:
            break
        parts.append(head)
        end = pos + line.find(head) + len(head)
        if len(head) < len(stripped) or not _continues(text, nl):
            break  # a second line joins only when it starts with a connective: 及下半年工作计划, 的总结报告
        pos = nl + 1
    title = "".join(parts) or None
    return title, end if title else 0


TITLE_WORDS = re.compile(r"总结|總結|计划|計劃|报告|報告|汇报|匯報|综述|綜述|小结|小結|要点|要點|情况|情況|材料|打算|安排"
                         r"|讲话|講話|范文|述职|总体|工作|综合|通报")


SITE_SUFFIX = re.compile(r"[ \t\u3000]*[_|｜—–-]+[ \t\u3000]*[^_|｜—–\-\s]{1,15}?"
                         r"(?:网|网站|文库|文档|范文|资料|百科|首页|频道|专题|文秘|写作)$")
"""A web page's site name after its title: 工作总结_某某范文网, 工作总结 - 百度文库."""


def _title_part(line: str, *, first: bool) -> str | None:
    # one-line documents: the title is the first space-separated chunk
    chunk = re.split(r"[ \t\u3000]{1,}(?=[^\s年月日度])", line, maxsplit=1)[0] if len(line) > 60 else line  # not in 2019 年
    chunk = SITE_SUFFIX.sub("", chunk)
    if len(chunk) > 60 or any(ch in chunk for ch in "。；;！？!?") or chunk.endswith(("：", ":")):
        return None
    marker = MARKER_RE.match(chunk)
    if marker and marker.lastgroup != "bracket":
        return None
    if first and not TITLE_WORDS.search(chunk):
        return None
    if not first and (len(chunk) > 30 or re.search(r"\d{4}\s*年\s*\d{1,2}\s*月", chunk)):
        return None
    if chunk.count("，") + chunk.count(",") > 1:
        return None
    return chunk


def _continues(text: str, nl: int) -> bool:
    """A next line that starts with a connective (及/和/的/暨/与) continues a split title."""
    if nl < 0:
        return False
    nxt = text[nl + 1: nl + 40].lstrip(" \t\u3000")
    return bool(nxt) and nxt[0] in "及和的暨与之" and "\n" in text[nl + 1: nl + 40]


def _candidates(text: str, title_end: int, wrapped: bool) -> list[_Node]:
    """Every marker at a place a heading may start, plus unnumbered heading lines, in order."""
    found: list[_Node] = []
    for m in MARKER_RE.finditer(text, title_end):
        start = m.start()
        kind = m.lastgroup
        if start > title_end and text[start - 1] not in _BEFORE_MARKER:
            where = "glued" if _glued(text, m, found) else None  # mid-sentence, unless it ends a heading
        else:
            where = _boundary(text, start, title_end)
            if where == "space" and kind not in AFTER_SPACE and _glued(text, m, found):
                where = "glued"  # 一、工作情况 1.创建…: the heading's first item after a space
        if where is None or (where == "space" and kind not in AFTER_SPACE):
            continue
        if kind == "bracket" and where not in ("line", "space"):
            continue
        if kind == "dash" and where not in ("line", "sentence"):
            continue
        raw = m.group(ORDINAL_GROUP[kind])
        ordinal = _ordinal(kind, raw)
        head_start = m.end()
        while head_start < len(text) and text[head_start] in SPACES:
            head_start += 1
        marker = "" if kind == "bracket" else m.group(kind)
        found.append(_Node(kind, ordinal, m.start(), marker, head_start, where=where,
                           marker_text=m.group(kind) if kind == "bracket" else ""))
    found = [c for c in found if c.where != "glued" or _has_sibling(c, found)]
    found.extend(_plain_headings(text, title_end, wrapped))
    found.extend(_run_in_heads(text, title_end, list(found), wrapped))
    found.sort(key=lambda n: n.start)
    return found


GLUED_KINDS = ("num", "cn_paren", "num_paren", "circled")
GLUED_REACH = 40


def _glued(text: str, m: re.Match, found: list[_Node]) -> bool:
    """A first-of-its-list marker glued to the end of a heading that has no punctuation: 一、工作情况1.创建…

    The heading before it must start on the same line at most GLUED_REACH characters earlier, with no clause
    end or comma between (so the marker cannot be inside a sentence of the body).
    """
    kind = m.lastgroup
    if kind not in GLUED_KINDS or _ordinal(kind, m.group(ORDINAL_GROUP[kind])) != 1 or not found:
        return False
    prev = found[-1]
    if prev.kind == kind or not 0 < m.start() - prev.head_start <= GLUED_REACH:
        return False
    between = text[prev.head_start:m.start()]
    return len(CJK_RE.findall(between)) >= 2 and not re.search(r"[\n。；;！？!?，,：:]", between)


def _has_sibling(node: _Node, found: list[_Node]) -> bool:
    """A glued first 1. counts only when its list goes on (a later 2.); a glued （一） always counts."""
    if node.kind in ("cn_paren", "circled"):
        return True  # （一） after a word is no body wording (a cut excerpt may not show its sibling)
    return any(c.kind == node.kind and c.ordinal == 2 and c.start > node.start for c in found)


_BEFORE_MARKER = frozenset(SPACES + "\n" + QUOTES + SENTENCE_END + COLONS + "】")
"""The characters that may stand right before a marker at a boundary (see ``_boundary``)."""


def _boundary(text: str, pos: int, floor: int) -> str | None:
    """What stands before a marker: 'line' (line start), 'sentence' (。；), 'colon' or 'space'; else None."""
    i, spaced = pos - 1, False
    while i >= floor and text[i] in SPACES:
        i, spaced = i - 1, True
    if i < floor or text[i] == "\n":
        return "line"
    j = i
    while j >= floor and j > i - 3 and text[j] in QUOTES:
        j -= 1
    ch = text[j] if j >= floor else "\n"
    if ch in SENTENCE_END or ch == "】":
        return "sentence"
    if ch in COLONS:
        return "colon"
    return "space" if spaced else None


def _ordinal(kind: str, raw: str) -> int | None:
    if kind in ("bracket", "dash"):
        return None
    if kind in ("num", "num_paren"):
        return int(raw)
    if kind == "circled":
        return ord(raw) - ord("㈠") + 1
    return cn_to_int(raw)


PLAIN_EXCLUDE = re.compile(r"^(作者|来源|發布|发布|时间|日期|编辑|责任编辑|附件|联系人|电话)|\d{4}\s*年\s*\d{1,2}\s*月"
                           r"|[县市区镇乡省州旗司校院厅]\S{0,12}(部|委|局|办|中心|政府|公司|学校|办公室|支部|党委|党组)$")


def _plain_headings(text: str, title_end: int, wrapped: bool) -> list[_Node]:
    """Unnumbered heading lines: short, no sentence punctuation (a final 。 with one comma is allowed: see
    ``_is_plain``), between body paragraphs.

    Only looked for when the report has no 一、 or 【】 headings at line starts (then they would be noise).
    Consecutive such lines form one heading (a couplet split over two lines).
    """
    if re.search(rf"(?m)^[{SPACES}]*(?:[{CN}]{{1,3}}[、．]|【)", text[title_end:]):
        return []
    lines = [(m.start(), m.group()) for m in re.finditer(r"[^\n]+", text) if m.start() >= title_end]
    widths = sorted(len(s) for _, s in lines)
    limit = 0.8 * widths[int(len(widths) * 0.9)] if wrapped and widths else 30
    out: list[_Node] = []
    prev_body_end = True  # the title (or the start) counts as a paragraph end
    i = 0
    while i < len(lines):
        start, line = lines[i]
        s = line.strip()
        if _is_plain(s, limit) and prev_body_end and i + 1 < len(lines):
            j = i
            while (j + 1 < len(lines) and _is_plain(lines[j + 1][1].strip(), limit) and j - i < 1
                   and not s.endswith("。") and not lines[j + 1][1].strip().endswith("。")):
                j += 1
            end = lines[j][0] + len(lines[j][1])
            if j + 1 < len(lines) and len(lines[j + 1][1].strip()) > len(s):
                offset = start + (len(line) - len(line.lstrip()))
                out.append(_Node("plain", None, offset, "", offset, head_end=end))
                i = j + 1
                prev_body_end = False
                continue
        prev_body_end = s.endswith(tuple(CLAUSE_END + "。") + ("”", "\"", "）", ")"))
        i += 1
    return out


RUN_IN_AT = re.compile(r"[ \t\u3000]*(?P<head>[^\n。；;！？!?：:]{4,24}?)。(?=[^\n])")
HEAD_GAP = re.compile(r"[^\s，,、：:；;。“‘《（(”’][ \t\u3000]+")
BODY_START = re.compile(r"(?:我|全|今年|去年|明年|年初|年内|年底|上半年|下半年|一年来|半年来|近年|近期|目前|当前|截至|截止|在|根据|按照"
                        r"|通过|为了|为|同时|此外|另外|其中|自|从|由于|经过|针对|对|各|共|先后|累计|这|该|本|特此|现将|总之|综上"
                        r"|随着|如|但|并|还|要|将|已|均|此|其|以|于|据|总体|总的|主要|下面|一是|二是|过去|刚刚|那"
                        r"|[^，,]{1,4}(?:年|月|天)来|[^，,]{1,4}以来)")
NOT_HEAD = re.compile(r"是|要|了|将|会|很|极|必须|应当|应该|我们|我国|他们|自己|^[^\u4e00-\u9fff“]")
"""Words of a statement, not a heading (X是Y, 要…, …了), and a clause opening with anything but a character or “."""


def _run_in_heads(text: str, title_end: int, heads: list[_Node], wrapped: bool) -> list[_Node]:
    """Unnumbered run-in heads: a paragraph that opens with a short heading-like clause ending in 。 then its body.

    中心组学习不断完善。正文… — at a line start (or after a space run on a line of run-together paragraphs). The
    clause is 4–24 characters, at most one comma, no digits; it does not open with a subject, a time or a
    connective (我镇, 今年, 根据, 同时 …: those open a body sentence).
    """
    out = []
    taken = {c.start for c in heads}
    starts = [0] if title_end == 0 else []
    nl = text.find("\n", title_end)
    while nl >= 0:
        starts.append(nl + 1)
        nl = text.find("\n", nl + 1)
    starts += _gaps_after_heads(text, heads)
    for at in sorted(set(starts)):
        m = RUN_IN_AT.match(text, at)
        if m is None:
            continue
        head = m.group("head")
        start = m.start("head")
        if start in taken or head.count("，") + head.count(",") > 1 or re.search(r"[\d０-９]", head):
            continue
        simple = to_simplified(head)
        if BODY_START.match(simple) or NOT_HEAD.search(simple) or MARKER_RE.match(head) or len(CJK_RE.findall(head)) < 4:
            continue
        if wrapped and not _paragraph_start(text, m.start()):
            continue  # a line start in a hard-wrapped text is no paragraph start
        out.append(_Node("runin", None, start, "", start, head_end=m.end("head"), where="line"))
    return out


def _gaps_after_heads(text: str, heads: list[_Node]) -> list[int]:
    """Where a numbered heading on a line of run-together paragraphs ends at a space run (一、总体情况 强化…。): the
    position after the run's first space (at most GLUED_REACH characters into the heading, no punctuation)."""
    out = []
    for c in heads:
        if c.kind in ("plain", "runin") or len(_line_at(text, c.start)) <= RUN_TOGETHER:
            continue
        gap = HEAD_GAP.search(text, c.head_start, c.head_start + GLUED_REACH + 2)
        if gap and not re.search(r"[\n。；;！？!?，,：:]", text[c.head_start:gap.start() + 1]):
            out.append(gap.start() + 2)
    return out


def _paragraph_start(text: str, pos: int) -> bool:
    """In a hard-wrapped text: the line before ends a sentence or is blank."""
    before = text[:pos].rstrip(SPACES)
    if not before.endswith("\n"):
        return True
    prev = before[:-1].rstrip(SPACES + QUOTES)
    return not prev or prev.endswith("\n") or prev[-1] in CLAUSE_END


def _line_at(text: str, pos: int) -> str:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return text[start:] if end < 0 else text[start:end]


def _is_plain(s: str, limit: float) -> bool:
    """A line that may be an unnumbered heading: short, no sentence punctuation, at most one comma; one that ends
    with 。 must have its comma (the couplet shape 立足理论根本，提高政治素养。), else it is a short sentence."""
    body = s.removesuffix("。")
    commas = body.count("，") + body.count(",")
    return (2 <= len(s) <= limit and len(CJK_RE.findall(s)) >= 2 and not any(ch in body for ch in "。；;：:！？!?、")
            and commas <= 1 and (body == s or commas == 1)
            and not MARKER_RE.match(s) and not PLAIN_EXCLUDE.search(s))


def _build_tree(cands: list[_Node]) -> list[_Node]:
    """Accept the candidates that continue or open a list; nest by first appearance, close by rank."""
    stack: list[_Node] = []
    accepted: list[_Node] = []
    for c in cands:  # a tree may be built again from the same candidates
        c.parent, c.children, c.level, c.restart = None, [], 0, False
    top_types = _top_candidates(cands)
    for c in cands:
        where = c.where
        if not stack and c.kind not in top_types:
            continue  # markers before the first top-level heading stay in the preamble
        idx = next((i for i, n in enumerate(stack) if n.kind == c.kind), None)
        if idx is not None:
            prev = stack[idx].ordinal
            step = 2 if where == "line" else 1  # a line-start marker may skip one number (a lost item)
            if c.kind in UNNUMBERED or (
                    prev is not None and c.ordinal is not None and prev < c.ordinal <= prev + step):
                ok = True
            elif c.ordinal == 1 and where == "line":
                ok = True  # a list that starts again (a new part, or a contents block before the body)
                c.restart = True
            else:
                ok = False
            if not ok:
                continue
            del stack[idx:]
        else:
            first_ok = c.ordinal in (None, 1) or (where == "line" and c.ordinal == 2)
            if not first_ok:
                continue
            while stack and RANK[stack[-1].kind] > RANK[c.kind]:
                stack.pop()
        c.parent = stack[-1] if stack else None
        c.level = len(stack) + 1
        if c.parent:
            c.parent.children.append(c)
        stack.append(c)
        accepted.append(c)
    return accepted


def _intro_sentences(nodes: list[_Node]) -> set[int]:
    """Run-in heads that only open their section: the first child, childless, and the next node a numbered heading
    at their level (一、工作情况 / 坚持围绕中心。正文 / （一）…): the sentence introduces the list, it heads nothing."""
    out = set()
    for node, nxt in itertools.pairwise(nodes):
        first = node.parent is None or node.parent.children[0] is node
        if (node.kind == "runin" and first and not node.children and nxt.level == node.level
                and nxt.kind not in UNNUMBERED and RANK[nxt.kind] < RANK["runin"]):
            out.add(id(node))
    return out


LEAD_MAX = 120


def _lead_sentence(text: str, nodes: list[_Node], title_end: int) -> _Node | None:
    """A lead sentence standing where the first level-1 heading should be: an outline that opens with item
    markers (1、 一是 第一，) at line starts, right after a paragraph of one sentence that follows the preamble's
    own paragraph. That sentence becomes an unnumbered level-1 heading above the items.
    """
    if not nodes or nodes[0].kind not in ("num", "cn_shi", "cn_di") or nodes[0].where != "line":
        return None
    before = text[title_end:nodes[0].start].rstrip("\n" + SPACES)
    nl = before.rfind("\n")
    if nl < 0 or not before[:nl].strip():
        return None  # no preamble paragraph before it
    sentence = before[nl + 1:]
    offset = title_end + nl + 1
    if not sentence.endswith("。") or sentence.count("。") != 1 or not 6 <= len(sentence) <= LEAD_MAX:
        return None
    if BODY_START.match(to_simplified(sentence)) or re.search(r"如下[：:]?。$", sentence):
        return None  # 现将…汇报如下。 introduces the items, it does not head them
    return _Node("plain", None, offset, "", offset, head_end=offset + len(sentence) - 1)


def _top_candidates(cands: list[_Node]) -> set[str]:
    """The marker types that may open the outline: the most important type seen at a line start."""
    line_kinds = [c.kind for c in cands if c.ordinal in (None, 1, 2) and (
        c.where == "line" or (c.ordinal == 1 and c.kind in AFTER_SPACE))]
    pool = line_kinds or [c.kind for c in cands if c.ordinal in (None, 1)]
    if not pool:
        return set()
    best = min(RANK[k] for k in pool)
    return {k for k in pool if RANK[k] == best}


def _drop_contents_block(nodes: list[_Node], text: str) -> list[_Node]:
    """A run of bare top-level headings that starts again at 一 later is a contents block: fold it away."""
    tops = [n for n in nodes if n.level == 1]
    restart = next((i for i, n in enumerate(tops) if n.restart), None)
    if restart is None:
        return nodes
    block = tops[:restart]
    following = {id(n) for n in nodes}
    nxt = {id(a): b.start for a, b in itertools.pairwise(nodes)}
    bare = all(not n.children and len(text[n.start:nxt.get(id(n), len(text))].strip()) <= MAX_HEADING
               and "。" not in text[n.start:nxt.get(id(n), len(text))] for n in block)
    if not bare:
        return nodes
    drop = {id(n) for n in block} & following
    return [n for n in nodes if id(n) not in drop]


def _heading(text: str, node: _Node, wrapped: bool, next_start: int) -> str:
    if node.head_end is not None:
        return re.sub(r"\s*\n\s*", "", text[node.head_start:node.head_end]).strip().removesuffix("。")
    if node.kind == "bracket":
        return node.marker_text
    end = min(len(text), node.head_start + MAX_HEADING * 2, next_start)
    segment = text[node.head_start:end]
    nl = segment.find("\n")
    line = segment if nl < 0 else segment[:nl]
    if wrapped and nl >= 0 and (node.level > 1 or (node.where != "line" and _broken_at_width(
            text, node.start, nl + node.head_start))):
        line = re.sub(r"\n", "", segment)
    stop = len(line)
    for ch in CLAUSE_END:
        k = line.find(ch)
        if 0 <= k < stop:
            stop = k
    line_start = text.rfind("\n", 0, node.start) + 1
    line_end = text.find("\n", node.start)
    if node.where == "space" or (len(text) if line_end < 0 else line_end) - line_start > RUN_TOGETHER:
        for gap in re.finditer(rf"[^\s，,、：:；;“‘《（(][{SPACES}]+(?=\S)", line[:stop]):
            if line[gap.start()] in "”’" and _short_clause(line[gap.end():stop]) and stop < len(line):
                continue  # a space after a closing quote inside the heading: the clause ends soon after
            stop = gap.start() + 1
            break
    stop = min(stop, MAX_HEADING)
    if stop > RUN_ON_MIN:
        body = RUN_ON_BODY.search(to_simplified(line), 6, stop)
        if body:
            stop = body.start()
    return line[:stop].strip()


RUN_ON_MIN = 30
RESULT_ENDS = ("加强", "增强", "提升", "提高", "推进", "深化", "完善", "有效", "有力", "扎实", "走实", "走深", "落实",
               "巩固", "丰富", "拓展", "健全", "优化", "显著", "明显", "突出", "规范", "活跃", "浓厚", "良好", "有序",
               "见效", "深入", "创新", "发展", "繁荣", "壮大", "夯实", "筑牢", "凸显", "彰显", "成效", "亮点", "不断")
RUN_ON_BODY = re.compile(rf"(?<=(?:{'|'.join(RESULT_ENDS)}))"
                         r"(?:我(?:镇|县|区|市|局|乡|街道|们|单位|部|委|校|院|公司|省|旗)|今年|全(?:镇|县|区|市|乡|省|旗))")
"""Where a heading that runs into its body ends: the heading's closing result (不断加强, 扎实有效, 走深走实) is
followed right away, with no punctuation, by the body's subject (我镇, 今年, 全区): 一、…不断加强我镇坚持…"""


def _broken_at_width(text: str, start: int, line_end: int) -> bool:
    """A level-1 heading that starts inside a line of a hard-wrapped text and that the page width broke: no
    clause end and the line as long as most of the text's lines."""
    line_start = text.rfind("\n", 0, start) + 1
    line = text[line_start:line_end]
    if any(ch in line[start - line_start:] for ch in CLAUSE_END):
        return False
    lengths = sorted(len(x) for x in text.split("\n") if x.strip())
    return bool(lengths) and len(line) >= 0.8 * lengths[len(lengths) // 2]


def _short_clause(s: str) -> bool:
    """A short rest of a heading clause: no more than 30 characters, no digits."""
    return len(s) <= 30 and not re.search(r"\d", s)


def classify_kind(heading: str, *, report_year: int | None = None) -> str | None:
    """The kind a top-level heading names (achievements/problems/plans), or None when it names none."""
    h = to_simplified(heading)
    years = [int(y) for y in YEAR_RE.findall(h)]
    if report_year and any(y > report_year for y in years):
        return "plans"
    for kind, words in KIND_WORDS:
        if any(w in h for w in words):
            return kind
    if re.search(r"做好\S*(?:19|20)\d{2}\s*年", h):
        return "plans"
    return None




def assign_kinds(records: list[dict], *, report_year: int | None = None) -> list[dict]:
    """Each top-level section's kind from its heading, inherited by its descendants (records change in place).

    Topical headings (naming no kind) before any problems or plans section are achievements, after one "other".
    The preamble keeps kind "preamble". Returns the records.
    """
    kind, seen_other = "other", False
    for row in records:  # document order: a top-level row comes before its descendants
        if row["level"] == 0:
            row["kind"] = "preamble"
            continue
        if row["level"] == 1:
            kind = classify_kind(row["heading"], report_year=report_year)
            if kind is None:
                kind = "other" if seen_other else "achievements"
            seen_other = seen_other or kind in ("problems", "plans")
        row["kind"] = kind
    return records


def to_frame(records: list[dict]) -> pd.DataFrame:
    """A SECTIONS table from section records (of one report or many)."""
    return schema.frame(records, schema.SECTIONS)


def _records(text: str, nodes: list[_Node], doc_id: str) -> list[dict]:
    rows = []
    first = nodes[0].start if nodes else len(text)
    if first > 0 or not nodes:
        rows.append({"section_id": f"{doc_id}/0", "doc_id": doc_id, "parent_id": None, "path": "0", "level": 0,
                     "marker_type": "preamble", "ordinal": None, "marker": "", "heading": "", "kind": "preamble",
                     "start": 0, "end": first, "span_end": first, "chars": first, "text": text[:first]})
    index = {id(n): i for i, n in enumerate(nodes)}
    paths: dict[int, str] = {}
    counters: dict[int | None, int] = {}
    ends = [n.start for n in nodes[1:]] + [len(text)]
    for node, end in zip(nodes, ends):
        key = id(node.parent) if node.parent else None
        counters[key] = counters.get(key, 0) + 1
        path = (paths[id(node.parent)] + "." if node.parent else "") + str(counters[key])
        paths[id(node)] = path
        span_end = ends[index[id(_last_descendant(node))]]
        rows.append({"section_id": f"{doc_id}/{path}", "doc_id": doc_id,
                     "parent_id": f"{doc_id}/{paths[id(node.parent)]}" if node.parent else None,
                     "path": path, "level": node.level, "marker_type": node.kind, "ordinal": node.ordinal,
                     "marker": node.marker, "heading": node.heading, "kind": None, "start": node.start, "end": end,
                     "span_end": span_end, "chars": span_end - node.start, "text": text[node.start:end]})
    return rows


def _last_descendant(node: _Node) -> _Node:
    while node.children:
        node = node.children[-1]
    return node
