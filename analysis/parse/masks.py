"""Redaction masks: the ``*``/``X``/``xx``/``20xx``/``____`` marks that published copies put for names and numbers.

A mask is a run of ``*`` or ``＊``; a run of ``X``/``x``/``×`` (or full-width ``Ｘ``/``ｘ``) that is not part of a
Latin word, code, URL or formula; a masked year (``20xx``, ``202x``); or two or more underscores (``____``, ``＿＿``).

Not masks (general rules, tested in ``tests/test_masks.py``):

- x next to a Latin letter or digit: words and codes (Xbox, TEXT, XIV, x86, 415X), products and phrases where
  a space joins it to a Latin word (iPhone X), URLs and e-mail (www.xxx.com, xxx@qq.com), X-ray;
- × or x between or after digits: multiplication (7×24小时, 2×35万千瓦, 4×4);
- x joined by ``+`` in a formula (1+N+X, “双领+X”), and a single × closing a quoted policy name after a word
  (“数据要素×”, like “人工智能+”);
- X in established compounds (X光, X射线, X线, X型, X形, X轴, 染色体) and Roman-numeral centuries (XX世纪);
- a ``*`` between two digits (7*24小时) is multiplication.

Each mask is classified: ``numeric`` when it stands for a number, i.e. it is a masked year, follows 第 (an
ordinal), or stands before a measure word (``analysis.parse.measures.MEASURE_WORDS``), 余/多/万/亿/千/百, a date or
time unit (年/月/日/号/时/分/秒), %, 倍, 岁 or 周年 (a decimal part such as ``X.X%`` and a bracket such as
``**（场）次`` may sit between); otherwise ``name`` (places, brands, titles: ``**区``, ``XX有礼``, ``“*”``, ``《*》``,
``***理论学习中心组``, ``党的xx大``, ``xx届四中全会``). Words that merely start with a measure character are not
measure words (``XX篇章``, ``**日报``, ``*、*项目``, ``**人民``: see ``analysis.parse.measures.NON_MEASURE_COMPOUNDS``).
"""

from __future__ import annotations

import re
from typing import NamedTuple

import pandas as pd

from analysis.errors import value_invalid_msg
from analysis.parse.measures import APPROX_SUFFIXES, MEASURE_WORDS, NON_MEASURE_COMPOUNDS, index_words, word_at

_LATIN = "A-Za-z\u00c0-\u024f"
_X = "Xx×Ｘｘ"

MASK_RE = re.compile(
    rf"(?=[2\*＊_＿{_X}])(?:"  # a quick first-character test, then the alternatives
    # masked years: 20xx, 20XX, 202x
    rf"(?<![0-9{_LATIN}])20(?:[0-9][xX×]|[xX×]{{2}})(?![0-9{_LATIN}])"
    # *, **, ***, ＊＊ (a run between two digits is multiplication: 7*24)
    r"|(?<![0-9\*＊])[\*＊]++|(?<![\*＊])[\*＊]++(?![0-9])"
    # ____, ＿＿
    r"|(?<!_)_{2,}+|(?<!＿)＿{2,}+"
    # X, XX, xx, xxx, XXXX, ××: not in a Latin word, code, URL, formula or compound
    rf"|(?<![0-9{_LATIN}+＋{_X}])(?<![0-9A-WYZa-wyz\u00c0-\u024f][.@/\-])(?<![{_LATIN}] )[{_X}]++"
    rf"(?![0-9{_LATIN}+＋])(?![.@/\-](?![{_X}]+(?![{_LATIN}]))[{_LATIN}0-9])(?! [{_LATIN}])"
    r"(?!光|射线|线|型|形|轴|染色体|世纪)(?!(?<=[\u4e00-\u9fff]×)[”’\"」』]))"
)
"""Every redaction mask; ``find_masks`` adds the numeric/name kind."""

_NUMERIC_FOLLOWERS = index_words((*MEASURE_WORDS, *APPROX_SUFFIXES, "万", "萬", "亿", "億", "千", "百", "年", "月",
                                  "日", "号", "時", "时", "分", "秒", "%", "％", "‰", "倍", "岁", "周年"))
_COMPOUNDS = index_words(NON_MEASURE_COMPOUNDS)
_NAME_FOLLOWER_RE = re.compile(r"届[一二三四五六七八九十]中全会|大")
_SKIP_BEFORE_FOLLOWER_RE = re.compile(rf"[ \u3000\u00a0]{{0,2}}(?:[.．][0-9{_X}\*＊]+)?[（(]?")


class Mask(NamedTuple):
    """One redaction mask; offsets refer to the text given to ``find_masks``."""

    start: int
    end: int
    mask: str
    kind: str  # 'numeric' or 'name'


def find_masks(text: str) -> list[Mask]:
    """Every redaction mask in ``text``, in order, classified as numeric or name.

    Args:
        text: a cleaned report text (or any snippet).
    Returns:
        Mask tuples (start, end, mask, kind), kind 'numeric' or 'name'.

    >>> [(m.mask, m.kind) for m in find_masks("举行*次集中学习，打造“*”宣讲品牌")]
    [('*', 'numeric'), ('*', 'name')]
    """
    return [Mask(m.start(), m.end(), m.group(), classify_mask(text, m.start(), m.end()))
            for m in MASK_RE.finditer(text)]


def classify_mask(text: str, start: int, end: int) -> str:
    """'numeric' when the mask at ``text[start:end]`` stands for a number, else 'name' (see the module docstring)."""
    mask = text[start:end]
    if mask.startswith("20") and len(mask) == 4:
        return "numeric"
    if text[max(0, start - 3):start].rstrip(" \u3000\u00a0").endswith("第"):
        return "numeric"
    pos = _SKIP_BEFORE_FOLLOWER_RE.match(text, end).end()
    if word_at(text, pos, _COMPOUNDS) or _NAME_FOLLOWER_RE.match(text, pos):
        return "name"
    return "numeric" if word_at(text, pos, _NUMERIC_FOLLOWERS) else "name"


def blank_masks(text: str, masks: list[Mask] | None = None) -> str:
    """The text with every mask replaced by spaces of the same length (offsets unchanged).

    Args:
        text: any text.
        masks: ``find_masks(text)`` when already found (saves a scan); None to find them.
    Returns:
        a text of the same length, equal to ``text`` outside the masks.
    """
    if masks is None:
        out = MASK_RE.sub(_spaces, text)
    else:
        parts, pos = [], 0
        for m in masks:
            parts += (text[pos:m.start], " " * (m.end - m.start))
            pos = m.end
        parts.append(text[pos:])
        out = "".join(parts)
    return out


def _spaces(m: re.Match) -> str:
    return " " * (m.end() - m.start())


BY_REDACTIONS = ("section", "document")


def count_redactions(redactions: pd.DataFrame, *, by: str = "section") -> pd.DataFrame:
    """How many masks of each kind every section (or document) has.

    Args:
        redactions: a REDACTIONS table.
        by: "section" (one row per doc_id, section_id and kind) or "document" (per doc_id and kind).
    Returns:
        doc_id, section_id (absent for by="document"), kind, n; sorted by the keys.

    >>> count_redactions(tables.redactions, by="document")  # doctest: +SKIP
    """
    if by not in BY_REDACTIONS:
        raise ValueError(value_invalid_msg("by", by, BY_REDACTIONS))
    keys = ["doc_id", "section_id", "kind"] if by == "section" else ["doc_id", "kind"]
    if redactions.empty:
        return pd.DataFrame({**{k: pd.Series([], dtype="object") for k in keys}, "n": pd.Series([], dtype="int64")})
    out = redactions.groupby(keys, sort=True).size().rename("n").reset_index()
    out["n"] = out["n"].astype("int64")
    return out
