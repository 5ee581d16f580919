"""Sidebar filter help: the values each filter field can still take within the others, and what to do when a
filter matches no report (in Chinese, for the page)."""

from __future__ import annotations

import dataclasses

import pandas as pd

from analysis.query.filters import Filter

FIELDS = {"periods": ("period", "时段"), "levels": ("unit_level", "层级"), "regions": ("region", "地区"),
          "units": ("unit", "单位")}
"""Filter field → (DOCUMENTS column, its name in Chinese), for the fields the sidebar offers values of."""


def _without(flt: Filter, field: str) -> Filter:
    if field == "years":
        return dataclasses.replace(flt, years=(), year_from=None, year_to=None)
    return dataclasses.replace(flt, **{field: ()})


def facet_options(documents: pd.DataFrame, flt: Filter) -> dict[str, list[str]]:
    """For each field of ``FIELDS``, the values reports matching the *other* fields of ``flt`` have, plus the values
    already chosen (so a choice never disappears under the user): a user is never offered a value that would
    select nothing.

    Example:
        >>> facet_options(docs, Filter(levels=("district",)))["units"]
        ['区委宣传部']
    """
    out = {}
    for field, (column, _) in FIELDS.items():
        within = _without(flt, field).apply(documents)
        values = {str(v) for v in within[column].dropna()} | {str(v) for v in getattr(flt, field)}
        out[field] = sorted(values)
    return out


def empty_note(documents: pd.DataFrame, flt: Filter) -> str | None:
    """None when ``flt`` matches a report; else one Chinese sentence saying that nothing matched and which
    condition to drop to get how many reports back.

    Example:
        >>> empty_note(docs, Filter(units=("市政府",), year_from=2024))
        '当前筛选（年份：2024年起；单位：市政府）没有匹配的报告。去掉“年份”条件可得 1 份报告。'
    """
    if len(flt.apply(documents)):
        return None
    conditions = [("years", "年份")] if (flt.years or flt.year_from is not None or flt.year_to is not None) else []
    conditions += [(field, name) for field, (_, name) in FIELDS.items() if getattr(flt, field)]
    hints = []
    for field, name in conditions:
        n = len(_without(flt, field).apply(documents))
        if n:
            hints.append(f"去掉“{name}”条件可得 {n:,} 份报告")
    text = f"当前筛选（{flt.describe_zh()}）没有匹配的报告。"
    if hints:
        return text + "；".join(hints) + "。"
    return text + "请在左侧放宽或清除筛选条件。"


__all__ = ["FIELDS", "empty_note", "facet_options"]
