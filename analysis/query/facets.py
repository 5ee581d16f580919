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


def widen(flt: Filter, documents: pd.DataFrame, files: list[str]) -> tuple[Filter, str | None]:
    """``flt`` widened just enough to show the reports of ``files`` (a just uploaded report whose year or unit
    lies outside the filter would otherwise be hidden), and a Chinese note of what was widened (None when the
    filter showed them already).

    Example:
        >>> widen(Filter(year_to=2023), docs, ["新报告.txt"])
        (Filter(...), '已放宽筛选，以显示刚上传的报告：年份至 2024 年')
    """
    new = documents[documents["file"].isin(set(files))]
    hidden = new[~new["doc_id"].isin(set(flt.apply(documents)["doc_id"]))]
    if hidden.empty:
        return flt, None
    changes: dict = {}
    said = []
    years = sorted({int(y) for y in hidden["year"].dropna()})
    if flt.years and any(y not in flt.years for y in years):
        changes["years"] = tuple(sorted({*flt.years, *years}))
        said.append("年份加入 " + "、".join(map(str, years)))
    if flt.year_from is not None and years and years[0] < flt.year_from:
        changes["year_from"] = years[0]
        said.append(f"年份从 {years[0]} 年起")
    if flt.year_to is not None and years and years[-1] > flt.year_to:
        changes["year_to"] = years[-1]
        said.append(f"年份至 {years[-1]} 年")
    if hidden["year"].isna().any() and (flt.years or flt.year_from is not None or flt.year_to is not None):
        changes.update(years=(), year_from=None, year_to=None)
        said.append("不限年份（新报告的年份不详）")
    for field, (column, name) in FIELDS.items():
        chosen = getattr(flt, field)
        if not chosen:
            continue
        values = hidden[column]
        if values.isna().any():
            changes[field] = ()
            said.append(f"不限{name}")
        elif missing := sorted({str(v) for v in values} - set(chosen)):
            changes[field] = (*chosen, *missing)
            said.append(f"{name}加入 " + "、".join(missing))
    return dataclasses.replace(flt, **changes), "已放宽筛选，以显示刚上传的报告：" + "；".join(said)


__all__ = ["FIELDS", "empty_note", "facet_options", "widen"]
