"""A word cloud people can steer: how many words, which to leave out, its shape, colour by theme; PNG and SVG.

``cloud_terms`` picks the words (the selection's most frequent terms, left-out words removed first, so asking for
100 words gives 100); ``term_themes`` gives each word the theme whose keyword it holds; ``render`` draws them with
the ``wordcloud`` package in one of ``SHAPES`` (masks made here: a rectangle, a circle, an ellipse, a diamond),
and ``to_png``/``to_svg`` give the files.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from typing import Any

import numpy as np

from analysis.query.filters import Filter
from analysis.tables.keyness import EVERYTHING, wordcloud_frequencies
from analysis.words.themes import match_themes

SHAPES = {"rectangle": "矩形", "circle": "圆形", "ellipse": "椭圆", "diamond": "菱形"}
NO_THEME_COLOUR = "#8c8c8c"
_SPLIT = re.compile(r"[\s,，、;；|｜]+")


def parse_words(text: str | Iterable[str] | None) -> list[str]:
    """Words to leave out from what a user typed (spaces, commas, 、 or | between them), in order, no repeats."""
    if text is None:
        return []
    items = _SPLIT.split(text) if isinstance(text, str) else [str(t).strip() for t in text]
    return list(dict.fromkeys(w for w in items if w))


def cloud_terms(tables: Any, flt: Filter = EVERYTHING, *, top: int = 150,
                exclude: Iterable[str] = ()) -> dict[str, int]:
    """The ``top`` most frequent terms of the selection and their counts, the words in ``exclude`` left out."""
    if top < 1:
        raise ValueError("词数至少为 1")
    drop = set(exclude)
    freqs = wordcloud_frequencies(tables, flt, top=top + len(drop))
    return dict([(t, c) for t, c in freqs.items() if t not in drop][:top])


def term_themes(terms: Iterable[str], codebook: Any) -> dict[str, str | None]:
    """Each term's theme id: the theme with the longest keyword match inside the term (None when none)."""
    out: dict[str, str | None] = {}
    for term in terms:
        found = sorted(match_themes(term, codebook), key=lambda m: (-(m[2] - m[1]), m[1]))
        out[term] = found[0][0] if found else None
    return out


def mask(shape: str, width: int = 900, height: int = 450) -> np.ndarray | None:
    """The mask of a shape (255 = outside, where no word goes), None for the rectangle."""
    if shape not in SHAPES:
        raise ValueError(f"形状无效：{shape}（可选：{'、'.join(SHAPES.values())}）")
    if shape == "rectangle":
        return None
    y, x = np.ogrid[:height, :width]
    cx, cy = (width - 1) / 2, (height - 1) / 2
    if shape == "circle":
        r = min(width, height) / 2
        inside = (x - cx) ** 2 + (y - cy) ** 2 <= r ** 2
    elif shape == "ellipse":
        inside = ((x - cx) / (width / 2)) ** 2 + ((y - cy) / (height / 2)) ** 2 <= 1
    else:
        inside = np.abs(x - cx) / (width / 2) + np.abs(y - cy) / (height / 2) <= 1
    return np.where(inside, 0, 255).astype(np.uint8)


def render(freqs: dict[str, int], font: str, *, shape: str = "rectangle", colours: dict[str, str] | None = None,
           width: int = 900, height: int = 450) -> Any:
    """A ``wordcloud.WordCloud`` of ``freqs`` (seeded: the same words give the same picture).

    Args:
        freqs: term → count.
        font: a CJK font file.
        shape: a key of ``SHAPES``.
        colours: term → colour (words missing from it are grey); the default palette when None.
    """
    from wordcloud import WordCloud

    if not freqs:
        raise ValueError("没有可绘制的词语")
    shape_mask = mask(shape, width, height)
    kw: dict[str, Any] = {"colormap": "tab10"}
    if colours is not None:
        kw = {"color_func": lambda word, *a, **k: colours.get(word, NO_THEME_COLOUR)}
    return WordCloud(font_path=font, width=width, height=height, background_color="white", mask=shape_mask,
                     prefer_horizontal=1.0, random_state=7, max_words=len(freqs), **kw
                     ).generate_from_frequencies(freqs)


def to_png(cloud: Any) -> bytes:
    out = io.BytesIO()
    cloud.to_image().save(out, format="PNG")
    return out.getvalue()


def to_svg(cloud: Any) -> bytes:
    """The cloud as SVG text (words as text in the CJK font's family, so it stays sharp and editable)."""
    return cloud.to_svg(embed_font=False).encode("utf-8")


__all__ = ["SHAPES", "cloud_terms", "mask", "parse_words", "render", "term_themes", "to_png", "to_svg"]
