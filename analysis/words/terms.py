"""Terms: each section's terms counted into the TERMS table, with the segmenter of ``analysis.parse.segment``.

A token becomes a term when the segmenter's verdict keeps it (``analysis.parse.segment``: no mask, punctuation,
whitespace or number, at least ``min_chars`` long (2 by default: single CJK characters are mostly function words or
fragments in a term table) and on neither word list; user-dictionary words are always kept unless a word list
names them, so ``十四五`` survives the number rule; Latin tokens other than known acronyms are dropped; a synonym
list's variants are counted as its term). Texts are segmented in Simplified script
(``analysis.read.script``), so a Traditional report shares its terms with Simplified ones.
"""

from __future__ import annotations

import operator
from collections import Counter
from collections.abc import Iterable

import pandas as pd

from analysis import schema
from analysis.parse.masks import blank_masks
from analysis.parse.segment import Segmenter, get_segmenter
from analysis.read.script import to_simplified


def segment(text: str, *, segmenter: Segmenter | None = None, drop_officialese: bool = True,
            min_chars: int = 2) -> list[str]:
    """The terms of a text, in order: masks blanked, then jieba, then the term filter and word lists.

    Args:
        text: any text; masks (``**``, ``XX``, ``20xx``) are blanked before segmenting.
        segmenter: None for the shared default segmenter.
        drop_officialese: also drop the officialese filler list.
        min_chars: the shortest term kept, in characters.
    Returns:
        the kept tokens.

    Example:
        >>> segment("今年以来，**区扎实推进意识形态工作责任制落实。")
        ['意识形态工作责任制']
    """
    seg = segmenter if segmenter is not None else get_segmenter()
    verdicts = seg.verdicts(drop_officialese=drop_officialese, min_chars=min_chars)
    fold = seg.synonyms.get
    return [fold(tok, tok) for tok in seg.segment(blank_masks(to_simplified(text))) if verdicts[tok]]


_TEXT_COLUMNS = {c: schema.SECTIONS[c] for c in ("doc_id", "section_id", "text")}


def count_terms(sections: pd.DataFrame, *, segmenter: Segmenter | None = None,
                drop_officialese: bool = True) -> pd.DataFrame:
    """Count each section's terms in its own text.

    Args:
        sections: a SECTIONS table (``doc_id``, ``section_id`` and ``text`` are used).
        segmenter: None for the shared default segmenter.
        drop_officialese: also drop the officialese filler list.
    Returns:
        a TERMS table, in section order, then by count (descending), then by term.

    Example:
        >>> terms = count_terms(sections)
        >>> terms.groupby("term")["count"].sum().nlargest(10)
    """
    schema.assert_table(sections, _TEXT_COLUMNS, "sections")
    cols = term_columns(zip(sections["doc_id"], sections["section_id"], sections["text"]), segmenter=segmenter,
                        drop_officialese=drop_officialese)
    if not cols["term"]:
        return schema.empty_frame(schema.TERMS)
    return pd.DataFrame({**cols, "count": pd.array(cols["count"], dtype="int64")})


def term_columns(sections: Iterable[tuple[str, str, str]], *, segmenter: Segmenter | None = None,
                 drop_officialese: bool = True, min_chars: int = 2, blanked: bool = False) -> dict[str, list]:
    """The TERMS rows of (doc_id, section_id, text) triples as column lists: what ``count_terms`` and the build use.

    Each section's tokens are counted first, then each distinct token is checked once (far fewer checks than
    tokens). Rows come in section order, then by count (descending), then by term.

    Args:
        sections: (doc_id, section_id, own text) per section; empty or missing texts give no rows.
        segmenter: None for the shared default segmenter.
        drop_officialese: also drop the officialese filler list.
        min_chars: the shortest term kept, in characters.
        blanked: the texts already have their masks blanked (``analysis.parse.masks.blank_masks``).
    Returns:
        {"doc_id": [...], "section_id": [...], "term": [...], "count": [...]}.
    """
    seg = segmenter if segmenter is not None else get_segmenter()
    keep = seg.verdicts(drop_officialese=drop_officialese, min_chars=min_chars).__getitem__
    cut = seg.segment
    synonyms = seg.synonyms
    doc_ids: list[str] = []
    section_ids: list[str] = []
    terms: list[str] = []
    counts: list[int] = []
    for doc_id, section_id, text in sections:
        if not isinstance(text, str) or not text:
            continue
        text = to_simplified(text)  # one vocabulary for both scripts (宣傳 counts as 宣传)
        found = Counter(filter(keep, cut(text if blanked else blank_masks(text))))
        if synonyms and not synonyms.keys().isdisjoint(found):  # variants counted as their term (党的二十大 → 二十大)
            folded: Counter = Counter()
            for tok, n in found.items():
                folded[synonyms.get(tok, tok)] += n
            found = folded
        kept = sorted(found.items())  # by term
        if not kept:
            continue
        kept.sort(key=_COUNT, reverse=True)  # then by count, descending; stable, so ties stay by term
        doc_ids += [doc_id] * len(kept)
        section_ids += [section_id] * len(kept)
        words, numbers = zip(*kept)
        terms += words
        counts += numbers
    return {"doc_id": doc_ids, "section_id": section_ids, "term": terms, "count": counts}


_COUNT = operator.itemgetter(1)
