"""Traditional → Simplified script for analysis, one character to one character so that offsets hold.

Terms, theme coding, figures and KWIC search work on the Simplified form of a report; the reader, KWIC contexts
and exports show the text as written. The conversion uses OpenCC's own t2s data (the ``opencc`` package's
TSCharacters and TSPhrases dictionaries): each character is mapped to its first Simplified form, and a phrase of
TSPhrases whose Simplified form has the same length is mapped as a whole (瞭解 → 了解). OpenCC's converter itself
is not called on the text: it is pure Python at about 80,000 characters a second, and a phrase may change the
length (which would move every offset after it); a character table runs at string-translate speed (~7M characters
a second here), and a text with no Traditional character is returned as it is after a set of its characters is
checked (~10M a second).

``script_pattern`` makes a search find a word in both scripts: each character becomes the class of its Simplified
form and every Traditional form that maps to it (宣传 → [宣][传傳]).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path


@functools.cache
def _dictionaries() -> tuple[dict[int, str], dict[str, str], re.Pattern | None, dict[str, str]]:
    """(char table t→s, phrases t→s of equal length, a regex of those phrases, s → every form) from OpenCC's data."""
    import opencc

    folder = Path(opencc.__file__).parent / "dictionary"
    chars: dict[int, str] = {}
    forms: dict[str, set[str]] = {}
    for line in (folder / "TSCharacters.txt").read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) != 2 or len(parts[0]) != 1:
            continue
        simple = parts[1].split(" ")[0]
        if len(simple) != 1 or simple == parts[0]:
            continue
        chars[ord(parts[0])] = simple
        forms.setdefault(simple, {simple}).add(parts[0])
    phrases: dict[str, str] = {}
    for line in (folder / "TSPhrases.txt").read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 2:
            simple = parts[1].split(" ")[0]
            if len(simple) == len(parts[0]) and simple != parts[0].translate(chars):
                phrases[parts[0]] = simple
    pattern = re.compile("|".join(sorted(map(re.escape, phrases), key=len, reverse=True))) if phrases else None
    return chars, phrases, pattern, {s: "".join(sorted(v)) for s, v in forms.items()}


@functools.cache
def _traditional() -> frozenset[str]:
    return frozenset(map(chr, _dictionaries()[0]))


def has_traditional(text: str) -> bool:
    """Whether the text holds a character whose Simplified form differs (a set of its characters: C speed)."""
    return not _traditional().isdisjoint(set(text))


def to_simplified(text: str) -> str:
    """The Simplified form of ``text``, of the same length (so every offset into it holds for the text as written).

    Example:
        >>> to_simplified("宣傳思想工作總結")
        '宣传思想工作总结'
    """
    if not has_traditional(text):
        return text
    chars, phrases, pattern, _ = _dictionaries()
    out = text.translate(chars)
    if pattern is not None and pattern.search(text):
        pieces, at = [], 0
        for m in pattern.finditer(text):
            pieces += [out[at:m.start()], phrases[m.group()]]
            at = m.end()
        out = "".join(pieces) + out[at:]
    if len(out) != len(text):  # pragma: no cover - every mapping above is one character to one
        out = "".join(chars.get(ord(ch), ch) for ch in text)
    return out


def script_pattern(term: str) -> str:
    """A regex source that finds ``term`` written in either script (each character: its Simplified and Traditional
    forms).

    Example:
        >>> re.findall(script_pattern("宣傳"), "宣传 宣傳")
        ['宣传', '宣傳']
    """
    forms = _dictionaries()[3]
    out = []
    for ch in to_simplified(term):
        variants = forms.get(ch, ch)
        out.append(re.escape(ch) if len(variants) == 1 else "[" + re.escape(variants) + "]")
    return "".join(out)
