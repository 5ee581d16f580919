"""The overview's "biggest changes since the previous year", like for like.

``latest_changes(tables, flt)`` compares the last two years the filter selects: matched (同口径) by default, so
only units with reports in both years and the same kinds of period are compared; themes are ranked by the z of
their rate change (which accounts for how many characters stand behind it), terms by their log-odds z; nothing is
concluded when a side has fewer than ``MIN_REPORTS`` reports; every sentence names the reports behind it; and
the warnings say what still differs between the two years.
"""

from __future__ import annotations

import dataclasses
from typing import Any, NamedTuple

from analysis.query.filters import Filter
from analysis.tables import coverage, keyness, views
from analysis.tables.support import MIN_REPORTS, comparison_warnings, matched_filters, support


class Changes(NamedTuple):
    """What the overview shows: sentences, warnings (Chinese), a caption note, and the two years (None: fewer)."""

    sentences: list[str]
    warnings: list[str]
    note: str
    years: tuple[int, int] | None


def latest_changes(tables: Any, flt: Filter, *, matched: bool = True, n: int = 3,
                   min_reports: int = MIN_REPORTS) -> Changes:
    """The biggest theme and term changes between the last two years ``flt`` selects.

    Args:
        tables: themed tables (documents, sections, theme_hits, terms).
        flt: the page filter; its years decide the two years (the last two with reports).
        matched: compare only units and periods present in both years (同口径).
        n: rises and falls each (terms), largest changes (themes).
        min_reports: reports each year needs before anything is concluded.
    Returns:
        Changes; ``years`` is None when the filter selects fewer than two years.

    Example:
        >>> latest_changes(tables, Filter(), matched=True).sentences[0]
        '理论武装：每万字命中由2022年的3.1次升至2023年的5.0次（z = 2.4；同口径：两年各 6 份报告、6 个单位）。'
    """
    years = sorted({int(y) for y in flt.apply(tables.documents)["year"].dropna()})
    if len(years) < 2:
        return Changes([], [], "当前筛选只包含一个年份，无法计算年度变化。", None)
    ya, yb = years[-2:]
    a, b = (dataclasses.replace(flt, years=(y,), year_from=None, year_to=None) for y in (ya, yb))
    note = f"比较 {ya} 年与 {yb} 年。"
    if matched:
        m = matched_filters(tables.documents, a, b)
        a, b = m.a, m.b
        note += m.note_zh()
    else:
        note += "未按同口径：两年的全部报告直接相比，单位和时段可能不同。"
    names = (f"{ya}年", f"{yb}年")
    warnings = comparison_warnings(tables.documents, a, b, names=names, min_reports=min_reports, matched=matched)
    na, nb = support(tables.documents, a)["n_reports"], support(tables.documents, b)["n_reports"]
    if min(na, nb) < min_reports:
        return Changes([], warnings, note + f"每年至少需要 {min_reports} 份可比报告才列出变化（现为 {na} 份与 {nb} 份）。",
                       (ya, yb))
    themes = coverage.theme_change(tables, a, b, matched=False, min_reports=min_reports)
    sentences = views.theme_change_sentences(themes.assign(matched=matched), names[0], names[1], n=n)
    terms = views.term_shift_sentences(keyness.term_shift(tables, a, b), ya, yb, n=n, matched=matched)
    note += "主题按每万字命中变化的 z 值排序（字数少的组 z 值小），词语按对数优势比 Z 值排序。"
    return Changes([*sentences, *terms["sentence"]], warnings, note, (ya, yb))


__all__ = ["Changes", "latest_changes"]
