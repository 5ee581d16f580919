"""Theme codebook and theme coding of sections: which areas of propaganda work each section talks about.

The codebook (``analysis/resources/codebook.yaml``, versioned, editable) lists themes with keywords, phrases and
exclusions. ``code_sections`` counts theme hits in each section's own cleaned text by substring matching (so a
phrase matches even where jieba would split it), on the text with redaction masks blanked (masks never match).
Within one theme, overlapping matches at one place count once: each theme is one compiled regex built as a
character trie (longest match first) and scanned left to right without overlaps, which is linear in the text.

``section_theme_profile`` gives each section a dominant theme, weighting heading hits ``HEADING_WEIGHT`` (3)
times body hits, because a heading states what the section is about while the body mentions many things.

Convention shared by ``analysis.tables.coverage`` and the other analysis modules: functions that need several tables
take ``tables`` (any object with attributes ``documents``, ``sections``, ``terms``; optionally ``theme_hits`` and
``codebook``) then a ``Filter``; ``with_themes(tables, codebook)`` adds ``theme_hits`` once so pages reuse it.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NamedTuple

import pandas as pd
import yaml

from analysis.errors import BadCodebook
from analysis.parse.masks import MASK_RE, blank_masks
from analysis.read.script import to_simplified
from analysis.schema import Column

DEFAULT_CODEBOOK = Path(__file__).parent.parent / "resources" / "codebook.yaml"
HEADING_WEIGHT = 3
GAP = "…"
GAP_RE = r"[^。；！？!?;\n]{0,12}?"  # what "…" in a phrase stands for: a short gap inside one clause
THEME_FIELDS = ("id", "name", "description", "keywords", "phrases", "exclude", "strong", "cues", "min_hits")
TOP_FIELDS = ("version", "min_hits", "themes")
CLAUSE_END = "。；！？!?;，,\n"  # a cue must stand between the same two of these as its keyword
DEFAULT_MIN_HITS = 1
ID_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")

THEME_HITS = {
    "doc_id": Column("str", "the document", "文档编号"),
    "section_id": Column("str", "the section (own text only)", "段落编号"),
    "theme": Column("str", "theme id from the codebook", "主题"),
    "hits": Column("int64", "keyword/phrase matches of the theme (heading + body)", "命中次数"),
    "heading_hits": Column("int64", "matches in the section's heading", "标题命中"),
    "body_hits": Column("int64", "matches in the rest of the section's own text", "正文命中"),
}

SECTION_PROFILE = {
    "doc_id": Column("str", "the document", "文档编号"),
    "section_id": Column("str", "the section", "段落编号"),
    "kind": Column("str", "preamble/achievements/problems/plans/other", "类型"),
    "chars": Column("int64", "characters: own text (by=section) or with descendants (by=subtree)", "字数"),
    "weight": Column("float64", f"heading hits × {HEADING_WEIGHT} + body hits, all themes", "主题权重"),
    "dominant_theme": Column("str", "the theme with the largest weight; null without hits", "主导主题"),
    "dominant_share": Column("float64", "the dominant theme's share of the weight", "主导主题占比"),
    "share_<theme>": Column("float64", "one column per theme: its share of the section's weight", "主题占比"),
}


@dataclass(frozen=True)
class Theme:
    """One theme of the codebook; ``line`` is where its entry starts in the file (1-based)."""

    id: str
    name: str
    description: str = ""
    keywords: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    strong: tuple[str, ...] = ()
    cues: tuple[tuple[str, tuple[str, ...]], ...] = ()
    min_hits: int = DEFAULT_MIN_HITS
    line: int = 0


@dataclass(frozen=True)
class Codebook:
    """A loaded, validated codebook."""

    version: str
    themes: tuple[Theme, ...]
    path: str = ""

    @property
    def ids(self) -> tuple[str, ...]:
        """Theme ids in file order."""
        return tuple(t.id for t in self.themes)

    def names(self) -> dict[str, str]:
        """Theme id → Chinese name."""
        return {t.id: t.name for t in self.themes}


def load_codebook(path: str | Path | None = None) -> Codebook:
    """Read and validate a codebook YAML file.

    Args:
        path: the YAML file; the shipped ``analysis/resources/codebook.yaml`` when None.
    Returns:
        a Codebook. Raises ``BadCodebook(path, line, reason)`` naming the entry and line for bad YAML, an
        unknown field, a duplicate id, a theme without keywords, or a keyword listed in two themes.

    Example:
        >>> cb = load_codebook()
        >>> cb.names()["epidemic"]
        '疫情防控'
    """
    path = Path(path) if path is not None else DEFAULT_CODEBOOK
    try:
        stat = path.stat()
    except OSError as err:
        raise BadCodebook(str(path), None, f"cannot read the codebook: {err.strerror or err}") from None
    return _load_cached(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=8)
def _load_cached(path: str, mtime_ns: int, size: int) -> Codebook:
    """Parse once per file version (the Codebook is immutable, so sharing it is safe)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise BadCodebook(path, None, f"cannot read the codebook: {err}") from None
    if len(text) > MAX_CODEBOOK_CHARS:
        raise BadCodebook(path, None, f"主题词典过大（{len(text):,} 个字符，上限 {MAX_CODEBOOK_CHARS:,}）："
                                      "请只保留主题、关键词和说明")
    depth, line = _flow_depth(text)
    if depth > MAX_DEPTH:
        raise BadCodebook(path, line, f"嵌套过深（超过 {MAX_DEPTH} 层括号）：主题词典只需两层（主题列表和关键词列表）")
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise BadCodebook(path, line, f"not valid YAML: {getattr(err, 'problem', None) or err}") from None
    except RecursionError:
        raise BadCodebook(path, None, "嵌套过深：主题词典只需两层（主题列表和关键词列表）") from None
    book = _build(root, path)
    entries = sum(len(t.keywords) + len(t.phrases) + len(t.exclude) + len(t.strong) + len(t.cues)
                  for t in book.themes)
    if entries > MAX_ENTRIES:
        raise BadCodebook(path, None, f"关键词过多（{entries:,} 个，上限 {MAX_ENTRIES:,}）：每个关键词都要在每个段落里"
                                      "查找，过多会拖慢构建")
    return book


MAX_CODEBOOK_CHARS = 500_000
"""The longest codebook read (the shipped one has about 10,000 characters): a 10 MB codebook slowed a 22-report
build from 0.3 s to 18 s."""
MAX_DEPTH = 8
"""Deepest nesting of flow brackets (``[`` ``{``) accepted: a codebook needs two; PyYAML recurses once per level."""
MAX_ENTRIES = 5_000
"""Most keywords, phrases, exclusions, strong keywords and cues in all (the shipped codebook has a few hundred)."""


def _flow_depth(text: str) -> tuple[int, int | None]:
    """The deepest nesting of ``[``/``{`` outside quotes and comments, and the line where it is first reached."""
    depth = deepest = 0
    where = None
    for number, line in enumerate(text.split("\n"), start=1):
        quote = None
        for i, ch in enumerate(line):
            if quote:
                if ch == quote:
                    quote = None
            elif ch in "'\"":
                quote = ch
            elif ch == "#" and (i == 0 or line[i - 1].isspace()):
                break
            elif ch in "[{":
                depth += 1
                if depth > deepest:
                    deepest, where = depth, number
                if depth > MAX_DEPTH:
                    return depth, where
            elif ch in "]}":
                depth = max(0, depth - 1)
    return deepest, where


def _build(root: Any, path: str) -> Codebook:
    def fail(node: Any, reason: str) -> BadCodebook:
        return BadCodebook(path, node.start_mark.line + 1 if node is not None else None, reason)

    if not isinstance(root, yaml.MappingNode):
        raise fail(root, "the codebook must be a mapping with 'version' and 'themes'")
    top = _mapping(root, TOP_FIELDS, "top level", fail)
    if "version" not in top:
        raise fail(root, "missing top-level field 'version'")
    if "themes" not in top or not isinstance(top["themes"], yaml.SequenceNode) or not top["themes"].value:
        raise fail(top.get("themes", root), "'themes' must be a non-empty list of theme entries")
    default_min = _min_hits(top.get("min_hits"), DEFAULT_MIN_HITS, "top level", fail)
    themes, ids, owner = [], {}, {}
    for node in top["themes"].value:
        if not isinstance(node, yaml.MappingNode):
            raise fail(node, "each theme must be a mapping with id, name, description, keywords")
        named = [v.value for k, v in node.value if getattr(k, "value", None) == "id" and isinstance(v, yaml.ScalarNode)]
        label = f"theme '{named[0]}'" if named else f"theme at line {node.start_mark.line + 1}"
        fields = _mapping(node, THEME_FIELDS, label, fail)
        tid = _scalar(fields.get("id"), "id", node, fail, label)
        if not ID_RE.match(tid):
            raise fail(fields["id"], f"{label}: id must be ascii letters, digits or _ (starting with a letter)")
        if tid in ids:
            raise fail(fields["id"], f"{label}: duplicate id (first defined at line {ids[tid]})")
        ids[tid] = node.start_mark.line + 1
        lists = {f: _strings(fields.get(f), f, label, fail) for f in ("keywords", "phrases", "exclude", "strong")}
        cues = _cues(fields.get("cues"), label, fail)
        if not lists["keywords"] and not lists["strong"]:
            raise fail(fields.get("keywords", node), f"{label}: empty theme (no keywords)")
        for value, vnode in lists["keywords"] + lists["phrases"] + lists["strong"] + [(k, n) for k, _, n in cues]:
            if value in owner and owner[value][0] != tid:
                raise fail(vnode, f"{label}: keyword '{value}' is already in theme '{owner[value][0]}' "
                                  f"(line {owner[value][1]})")
            if value in owner:
                raise fail(vnode, f"{label}: keyword '{value}' is listed twice")
            owner[value] = (tid, vnode.start_mark.line + 1)
        for value, vnode in lists["strong"]:
            if GAP in value:
                raise fail(vnode, f"{label}: strong entry '{value}' must be a plain keyword (no '{GAP}')")
        themes.append(Theme(
            id=tid, name=_scalar(fields.get("name"), "name", node, fail, label),
            description=_scalar(fields["description"], "description", node, fail, label)
            if "description" in fields else "",
            keywords=tuple(v for v, _ in lists["keywords"]), phrases=tuple(v for v, _ in lists["phrases"]),
            exclude=tuple(v for v, _ in lists["exclude"]), strong=tuple(v for v, _ in lists["strong"]),
            cues=tuple((k, c) for k, c, _ in cues),
            min_hits=_min_hits(fields.get("min_hits"), default_min, label, fail), line=node.start_mark.line + 1))
    return Codebook(version=_scalar(top["version"], "version", root, fail), themes=tuple(themes), path=path)


def _min_hits(node: Any, default: int, label: str, fail) -> int:
    if node is None:
        return default
    value = str(node.value).strip() if isinstance(node, yaml.ScalarNode) else ""
    if not value.isdigit() or not 1 <= int(value) <= 20:
        raise fail(node, f"{label}: 'min_hits' must be a whole number from 1 to 20")
    return int(value)


def _cues(node: Any, label: str, fail) -> list[tuple[str, tuple[str, ...], Any]]:
    """``cues:`` as (keyword, its cue words, node): a mapping of keyword to a list of cue words."""
    if node is None or (isinstance(node, yaml.ScalarNode) and node.value in ("", "~", "null")):
        return []
    if not isinstance(node, yaml.MappingNode):
        raise fail(node, f"{label}: 'cues' must be a mapping of keyword: [cue words]")
    out = []
    for key, value in node.value:
        word = str(key.value).strip() if isinstance(key, yaml.ScalarNode) else ""
        if not word or GAP in word or MASK_RE.search(word):
            raise fail(key, f"{label}: cue keyword '{word}' must be a plain non-empty text without masks")
        words = _strings(value, f"cues of '{word}'", label, fail)
        if not words:
            raise fail(value, f"{label}: keyword '{word}' in 'cues' needs at least one cue word")
        out.append((word, tuple(w for w, _ in words), key))
    return out


def _mapping(node: Any, allowed: tuple[str, ...], where: str, fail) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in node.value:
        name = key.value if isinstance(key, yaml.ScalarNode) else str(key)
        if name not in allowed:
            raise fail(key, f"{where}: unknown field '{name}' (valid fields: {', '.join(allowed)})")
        if name in out:
            raise fail(key, f"{where}: field '{name}' given twice")
        out[name] = value
    return out


def _scalar(node: Any, field: str, parent: Any, fail, label: str = "theme") -> str:
    if node is None:
        raise fail(parent, f"{label}: missing field '{field}'")
    if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
        raise fail(node, f"{label}: '{field}' must be a non-empty text")
    return str(node.value).strip()


def _strings(node: Any, field: str, label: str, fail) -> list[tuple[str, Any]]:
    if node is None or (isinstance(node, yaml.ScalarNode) and node.value in ("", "~", "null")):
        return []
    if not isinstance(node, yaml.SequenceNode):
        raise fail(node, f"{label}: '{field}' must be a list")
    out = []
    for item in node.value:
        value = str(item.value).strip() if isinstance(item, yaml.ScalarNode) else ""
        if not value or value == GAP:
            raise fail(item, f"{label}: {field} entries must be non-empty texts")
        if MASK_RE.search(value.replace(GAP, "")):
            raise fail(item, f"{label}: '{value}' contains a redaction mask character and could never match")
        out.append((value, item))
    return out


def codebook_hash(codebook: Codebook) -> str:
    """A stable 16-hex digest of the codebook's content (version and themes; not its path or line numbers)."""
    content = {"version": codebook.version,
               "themes": [{f: getattr(t, f) for f in THEME_FIELDS} for t in codebook.themes]}
    return hashlib.sha1(json.dumps(content, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()[:16]


def _trie_pattern(words: list[str]) -> str:
    """A regex that matches any of ``words``, longest first, as a character trie (one branch per character)."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        alts = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(trie)


def _theme_regex(entries: list[str]) -> re.Pattern | None:
    literal = [e for e in entries if GAP not in e]
    gapped = [GAP_RE.join(re.escape(p) for p in e.split(GAP) if p) for e in entries if GAP in e]
    alts = gapped + ([_trie_pattern(literal)] if literal else [])
    if not alts:
        return None
    firsts = "".join(sorted({e.lstrip(GAP)[0] for e in entries if e.lstrip(GAP)}))
    # One character-class test per position before the alternatives: far faster than trying each branch.
    return re.compile(f"(?=[{re.escape(firsts)}])(?:{'|'.join(alts)})")


class _Matcher(NamedTuple):
    theme: str
    pattern: re.Pattern | None
    exclude: re.Pattern | None
    cues: dict[str, re.Pattern]
    strong: frozenset[str]
    min_hits: int
    exclude_len: int = 0  # the longest text an exclusion can match

    def spans(self, clean: str):
        """(start, end, strong) of each of this theme's matches that counts: not inside an exclusion, and a
        cue keyword only with one of its cues in the same clause."""
        if self.pattern is None:
            return
        excl, reach = self.exclude, self.exclude_len
        for m in self.pattern.finditer(clean):
            start, end = m.span()
            # an exclusion overlapping the match starts at most ``reach`` characters before it: look only there
            if excl is not None and any(e.start(1) < end and start < e.end(1)
                                        for e in excl.finditer(clean, max(0, start - reach), end + reach)):
                continue
            word = m.group()
            cue = self.cues.get(word)
            if cue is not None and not cue.search(clean, _clause_start(clean, start), _clause_end(clean, end)):
                continue
            yield start, end, word in self.strong

    def counts(self, heading_hits: int, body_hits: int, strong: bool) -> bool:
        """Minimum evidence: a heading hit, a strong keyword, or ``min_hits`` matches in the body."""
        return heading_hits > 0 or strong or body_hits >= self.min_hits


_CLAUSE_RE = re.compile(f"[{re.escape(CLAUSE_END)}]")


CLAUSE_REACH = 200  # a cue is looked for at most this far from its keyword (a clause is rarely longer)


def _clause_start(text: str, pos: int) -> int:
    lo = max(0, pos - CLAUSE_REACH)
    return max(lo, max(text.rfind(ch, lo, pos) for ch in CLAUSE_END) + 1)


def _clause_end(text: str, pos: int) -> int:
    m = _CLAUSE_RE.search(text, pos, pos + CLAUSE_REACH)
    return m.start() if m else min(len(text), pos + CLAUSE_REACH)


@functools.lru_cache(maxsize=16)
def _matchers(codebook: Codebook) -> tuple[_Matcher, ...]:
    out = []
    for t in codebook.themes:
        excl = _theme_regex(list(t.exclude))
        cues = {word: re.compile("|".join(re.escape(c) for c in sorted(words, key=len, reverse=True)))
                for word, words in t.cues}
        reach = max((len(e.replace(GAP, "")) + 12 * e.count(GAP) for e in t.exclude), default=0)
        out.append(_Matcher(t.id, _theme_regex(list(t.keywords) + list(t.phrases) + list(t.strong) + list(cues)),
                            re.compile(f"(?=({excl.pattern}))") if excl else None, cues, frozenset(t.strong),
                            t.min_hits, reach))
    return tuple(out)


LIST_THEMES = 3  # a clause naming this many themes is a list of work areas: its matches are no evidence


def _spans(clean: str, matchers: tuple[_Matcher, ...]) -> list[tuple[int, int, int, bool]]:
    """(matcher index, start, end, strong) of every match that counts, by position; matches in a clause that
    names ``LIST_THEMES`` or more themes ("理论武装、舆论引导、精神文明创建和文化建设") are dropped. The text is matched in
    Simplified script (offsets unchanged), so the codebook finds its words in Traditional reports too."""
    clean = to_simplified(clean)
    found = sorted((start, k, end, strong) for k, m in enumerate(matchers) for start, end, strong in m.spans(clean))
    if len({k for _, k, _, _ in found}) < LIST_THEMES:
        return [(k, start, end, strong) for start, k, end, strong in found]
    bounds = [m.start() for m in _CLAUSE_RE.finditer(clean)]
    clause = [bisect.bisect_left(bounds, start) for start, _, _, _ in found]
    themes_in: dict[int, set[int]] = {}
    for c, (_, k, _, _) in zip(clause, found):
        themes_in.setdefault(c, set()).add(k)
    return [(k, start, end, strong) for c, (start, k, end, strong) in zip(clause, found)
            if len(themes_in[c]) < LIST_THEMES]


def match_themes(text: str, codebook: Codebook, *, blanked: bool = False) -> list[tuple[str, int, int]]:
    """Every theme match in ``text`` as ``(theme, start, end)``, masks blanked, exclusions and cues applied.

    ``blanked``: the text's masks are blanked already (``analysis.parse.masks.blank_masks``), as in the build.
    A match is evidence; whether a section counts for a theme is ``section_themes``'s question.

    Example:
        >>> match_themes("组织志愿服务队开展宣讲", load_codebook())
        [('theory', 9, 11), ('civilisation', 2, 6)]
    """
    clean = text if blanked else blank_masks(text)
    matchers = _matchers(codebook)
    return [(matchers[k].theme, start, end) for k, start, end, _ in sorted(_spans(clean, matchers))]


def section_themes(text: str, heading: str | None, codebook: Codebook | None = None) -> list[str]:
    """The themes a section substantively covers by the codebook's evidence rule, in codebook order.

    Args:
        text: the section's own text (marker and heading first); heading: its heading ("" or None: none).
    Example:
        >>> section_themes("（一）加强网络舆情管理。建立网评员队伍", "加强网络舆情管理", load_codebook())
        ['cyber']
    """
    codebook = codebook or load_codebook()
    text = text if isinstance(text, str) else ""
    h0 = text.find(heading) if heading else -1
    h1 = h0 + len(heading) if h0 >= 0 else -1
    return [codebook.ids[k] for k in _section_counts(blank_masks(text), h0, h1, _matchers(codebook))]


def section_matches(text: str, heading: str | None, codebook: Codebook) -> list[tuple[str, int, int, str, bool]]:
    """Every match in a section as ``(theme, start, end, entry, counts)``: ``entry`` is the codebook entry that
    matched (a keyword, strong term, cue keyword or phrase as written); ``counts`` is whether the section counts
    for that theme (its evidence reaches the minimum). What ``codebook audit`` tallies.
    """
    text = text if isinstance(text, str) else ""
    h0 = text.find(heading) if heading else -1
    h1 = h0 + len(heading) if h0 >= 0 else -1
    clean = blank_masks(text)
    matchers = _matchers(codebook)
    spans = _spans(clean, matchers)
    counted = _counted(spans, h0, h1, matchers)
    return [(matchers[k].theme, start, end, _entry(codebook.themes[k], to_simplified(clean[start:end])), k in counted)
            for k, start, end, _ in sorted(spans)]


def _entry(theme: Theme, matched: str) -> str:
    """The entry of ``theme`` that produced the match ``matched``."""
    if matched in theme.keywords or matched in theme.strong or any(matched == w for w, _ in theme.cues):
        return matched
    for phrase in theme.phrases:
        if phrase == matched or (GAP in phrase and _gapped(phrase).fullmatch(matched)):
            return phrase
    return matched


@functools.lru_cache(maxsize=512)
def _gapped(phrase: str) -> re.Pattern:
    return re.compile(GAP_RE.join(re.escape(p) for p in phrase.split(GAP) if p))


def _section_counts(clean: str, h0: int, h1: int, matchers: tuple[_Matcher, ...]) -> dict[int, tuple[int, int]]:
    """{matcher index: (heading hits, body hits)} of the themes whose evidence reaches the minimum."""
    return _counted(_spans(clean, matchers), h0, h1, matchers)


def _counted(spans: list[tuple[int, int, int, bool]], h0: int, h1: int,
             matchers: tuple[_Matcher, ...]) -> dict[int, tuple[int, int]]:
    counts: dict[int, list[int]] = {}
    for k, start, _, strong in spans:
        slot = counts.setdefault(k, [0, 0, 0])
        slot[0 if h0 <= start < h1 else 1] += 1
        slot[2] |= strong
    return {k: (h, b) for k, (h, b, strong) in sorted(counts.items()) if matchers[k].counts(h, b, bool(strong))}


def code_sections(sections: pd.DataFrame, codebook: Codebook | None = None) -> pd.DataFrame:
    """Count theme hits in each section's own text, split into heading and body hits.

    Args:
        sections: a SECTIONS table (``text`` is the section's own text, starting with its marker and heading).
        codebook: the codebook; the shipped one when None.
    Returns:
        a THEME_HITS table: one row per section and theme with at least one hit.

    Example:
        >>> hits = code_sections(tables.sections)
        >>> hits.groupby("theme")["hits"].sum().idxmax()
        'news'
    """
    codebook = codebook or load_codebook()
    cols = theme_hit_columns(zip(sections["doc_id"], sections["section_id"], sections["heading"], sections["text"],
                                 strict=True), codebook)
    out = pd.DataFrame(cols, columns=list(THEME_HITS))
    for col in ("hits", "heading_hits", "body_hits"):
        out[col] = out[col].astype("int64")
    return out


def theme_hit_columns(sections: Iterable[tuple], codebook: Codebook) -> dict[str, list]:
    """THEME_HITS rows of sections as column lists, in section order and then codebook order (``code_sections``;
    the build codes whole documents with ``document_theme_columns``).

    Args:
        sections: (doc_id, section_id, heading, own text) per section.
        codebook: the codebook.
    Returns:
        {"doc_id": [...], "section_id": [...], "theme": [...], "hits": [...], "heading_hits": [...],
        "body_hits": [...]}.
    """
    cols: dict[str, list] = {c: [] for c in THEME_HITS}
    matchers = _matchers(codebook)
    for doc_id, section_id, heading, text in sections:
        text = text if isinstance(text, str) else ""
        h0 = text.find(heading) if isinstance(heading, str) and heading else -1
        h1 = h0 + len(heading) if h0 >= 0 else -1
        for k, (h, b) in _section_counts(blank_masks(text), h0, h1, matchers).items():
            for c, v in zip(THEME_HITS, (doc_id, section_id, codebook.ids[k], h + b, h, b)):
                cols[c].append(v)
    return cols


def document_theme_columns(doc_id: str, sections: list[tuple[str, int, int, str | None]], text: str, clean: str,
                           codebook: Codebook) -> dict[str, list]:
    """THEME_HITS rows of one whole document, matched once over its text instead of section by section.

    Gives the rows ``theme_hit_columns`` gives for the same sections (no keyword or phrase crosses a section
    boundary: they hold no line break or sentence end), in section order and then codebook order.

    Args:
        doc_id: the document.
        sections: (section_id, start, end, heading) per section, in order, tiling the text.
        text: the cleaned text; ``clean``: the same with its masks blanked.
        codebook: the codebook.
    """
    starts = [start for _, start, _, _ in sections]
    heads = []
    for _, start, end, heading in sections:
        h0 = text.find(heading, start, end) if isinstance(heading, str) and heading else -1
        heads.append((h0, h0 + len(heading) if h0 >= 0 else -1))
    counts: list[dict[str, list[int]]] = [{} for _ in sections]
    matchers = _matchers(codebook)
    for k, pos, _, strong in _spans(clean, matchers):
        i = max(bisect.bisect_right(starts, pos) - 1, 0)
        slot = counts[i].setdefault(k, [0, 0, 0])
        slot[0 if heads[i][0] <= pos < heads[i][1] else 1] += 1
        slot[2] |= strong
    cols: dict[str, list] = {c: [] for c in THEME_HITS}
    for (section_id, _, _, _), found in zip(sections, counts):
        for k in sorted(found):
            h, b, strong = found[k]
            if matchers[k].counts(h, b, bool(strong)):
                for c, v in zip(THEME_HITS, (doc_id, section_id, matchers[k].theme, h + b, h, b)):
                    cols[c].append(v)
    return cols


def section_theme_profile(theme_hits: pd.DataFrame, sections: pd.DataFrame, *,
                          by: Literal["section", "subtree"] = "section", heading_weight: float = HEADING_WEIGHT,
                          codebook: Codebook | None = None) -> pd.DataFrame:
    """Each section's dominant theme and its shares of all themes (heading hits weigh ``heading_weight``×).

    Args:
        theme_hits: a THEME_HITS table (from ``code_sections``).
        sections: the SECTIONS table it was coded from.
        by: "section" uses each section's own text; "subtree" adds the hits of all its descendants.
        heading_weight: weight of a heading hit relative to a body hit.
        codebook: decides the share columns and their order; the themes seen in ``theme_hits`` when None.
    Returns:
        a SECTION_PROFILE table: one row per section, ``share_<theme>`` columns for every theme.

    Example:
        >>> prof = section_theme_profile(code_sections(secs), secs, by="subtree")
        >>> prof.loc[prof.section_id == "d1/1", "dominant_theme"].item()
        'epidemic'
    """
    if by not in ("section", "subtree"):
        raise ValueError(f"by={by!r} is not valid; options are: 'section', 'subtree'")
    themes = list(codebook.ids) if codebook else sorted(set(theme_hits["theme"]))
    hits = theme_hits.assign(weight=theme_hits["heading_hits"] * heading_weight + theme_hits["body_hits"])
    if by == "subtree":
        path = hits["section_id"].str.split("/", n=1).str[1]
        hits = hits.assign(anc=path.map(_ancestors)).explode("anc")
        hits["section_id"] = hits["doc_id"] + "/" + hits["anc"]
    wide = (hits.pivot_table(index="section_id", columns="theme", values="weight", aggfunc="sum", fill_value=0)
            .reindex(columns=themes, fill_value=0).astype("float64"))
    out = sections[["doc_id", "section_id", "kind"]].copy()
    own = sections["text"].fillna("").str.len()
    out["chars"] = (sections["chars"] if by == "subtree" else own).astype("int64").to_numpy()
    wide = wide.reindex(out["section_id"]).fillna(0.0)
    total = wide.sum(axis=1)
    out["weight"] = total.to_numpy()
    has = total.to_numpy() > 0
    out["dominant_theme"] = pd.Series(wide.idxmax(axis=1).to_numpy() if len(themes) else None,
                                      dtype="object").where(has, None)
    out["dominant_share"] = (wide.max(axis=1) / total.where(total > 0)).to_numpy() if len(themes) else float("nan")
    shares = wide.div(total.where(total > 0), axis=0).fillna(0.0)
    for theme in themes:
        out[f"share_{theme}"] = shares[theme].to_numpy()
    return out.reset_index(drop=True)


def _ancestors(path: str) -> list[str]:
    parts = str(path).split(".")
    return [".".join(parts[:i]) for i in range(len(parts), 0, -1)]


@dataclass(frozen=True)
class ThemedTables:
    """Tables plus their theme hits and codebook; other attributes (figures, redactions …) come from ``base``."""

    base: Any
    theme_hits: pd.DataFrame
    codebook: Codebook

    @property
    def documents(self) -> pd.DataFrame:
        return self.base.documents

    @property
    def sections(self) -> pd.DataFrame:
        return self.base.sections

    @property
    def terms(self) -> pd.DataFrame:
        return self.base.terms

    def __getattr__(self, name: str) -> Any:
        if name == "base":
            raise AttributeError(name)
        return getattr(self.base, name)


def with_themes(tables: Any, codebook: Codebook | None = None) -> Any:
    """The same tables with ``theme_hits`` (and ``codebook``) added, so pages code the sections once.

    Args:
        tables: an object with ``documents``, ``sections``, ``terms`` (e.g. ``analysis.store.load(dst)``); its
            ``theme_hits`` are reused when its ``codebook_hash`` is this codebook's.
        codebook: the codebook; the shipped one when None.
    Returns:
        the tables with ``theme_hits`` (a THEME_HITS table) and ``codebook`` attributes.

    Example:
        >>> t = with_themes(store.load("data/"))
        >>> t.theme_hits.columns.tolist()[:3]
        ['doc_id', 'section_id', 'theme']
    """
    codebook = codebook or load_codebook()
    stored = getattr(tables, "theme_hits", None)
    if stored is not None and getattr(tables, "codebook_hash", None) == codebook_hash(codebook):
        hits = stored  # coded by the build with this very codebook
    else:
        hits = code_sections(tables.sections, codebook)
    if dataclasses.is_dataclass(tables) and {"theme_hits", "codebook"} <= {f.name for f in
                                                                           dataclasses.fields(tables)}:
        return dataclasses.replace(tables, theme_hits=hits, codebook=codebook)
    if isinstance(tables, ThemedTables):
        tables = tables.base
    return ThemedTables(base=tables, theme_hits=hits, codebook=codebook)


__all__ = ["DEFAULT_CODEBOOK", "HEADING_WEIGHT", "SECTION_PROFILE", "THEME_HITS", "Codebook", "Theme",
           "ThemedTables", "code_sections", "codebook_hash", "load_codebook", "match_themes",
           "section_matches", "section_theme_profile", "section_themes", "with_themes"]
