"""One filter value for the CLI, every analysis function and every dashboard page.

A ``Filter`` is plain, hashable data (a frozen dataclass of tuples), so it can be a cache key. It selects
documents by year (a set of years and/or a range), period, unit, unit level and region, and sections by kind
and theme. Empty tuples mean "all". It round-trips through a URL query (``to_query``/``from_query``), is parsed
from the CLI's ``--groups`` syntax (``parse("year=2020,2021;level=city")``) and describes itself in Chinese
(``describe_zh``) for chart captions and CSV exports.

Values are normalised on construction: strings are stripped, empty strings dropped, duplicates removed and
tuples sorted, so ``Filter(units=("B", "A")) == Filter(units=("A", "B"))``. Levels, periods and kinds may be
given by their Chinese label (``市级`` → ``city``, ``上半年`` → ``H1``, ``工作计划`` → ``plans``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from analysis.errors import value_invalid_msg
from analysis.schema import KIND_ZH, KINDS, LEVEL_ZH, PERIOD_ZH

FILTER_KEYS = ("year", "year_from", "year_to", "period", "unit", "level", "region", "kind", "theme")

# query/spec key -> dataclass field
_KEY_FIELD = {"year": "years", "year_from": "year_from", "year_to": "year_to", "period": "periods",
              "unit": "units", "level": "levels", "region": "regions", "kind": "kinds", "theme": "themes"}
_TUPLE_FIELDS = ("years", "periods", "units", "levels", "regions", "kinds", "themes")
_ZH_TO_CODE = {"levels": {v: k for k, v in LEVEL_ZH.items()}, "periods": {v: k for k, v in PERIOD_ZH.items()},
               "kinds": {v: k for k, v in KIND_ZH.items()}}
_LABEL_ZH = {"levels": LEVEL_ZH, "periods": PERIOD_ZH, "kinds": KIND_ZH}
_DESCRIBE = (("periods", "时段"), ("units", "单位"), ("levels", "层级"), ("regions", "地区"), ("kinds", "段落类型"),
             ("themes", "主题"))


@dataclass(frozen=True)
class Filter:
    """Which documents (and which of their sections) an analysis looks at; empty tuples mean "all".

    Example:
        >>> flt = Filter(years=(2023,), levels=("city",))
        >>> flt.describe_zh()
        '年份：2023；层级：市级'
    """

    year_from: int | None = None
    year_to: int | None = None
    years: tuple[int, ...] = ()
    periods: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("year_from", "year_to"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, _to_year(value, name))
        if self.year_from is not None and self.year_to is not None and self.year_from > self.year_to:
            raise ValueError(f"year_from={self.year_from} is after year_to={self.year_to}")
        for name in _TUPLE_FIELDS:
            value = getattr(self, name)
            if isinstance(value, (str, int)):
                value = (value,)
            if name == "years":
                norm = tuple(sorted({_to_year(v, "year") for v in value}))
            else:
                codes = _ZH_TO_CODE.get(name, {})
                norm = tuple(sorted({codes.get(s, s) for s in (str(v).strip() for v in value) if s}))
            object.__setattr__(self, name, norm)

    # -- selecting ---------------------------------------------------------------------------------
    def is_empty(self) -> bool:
        """True when the filter selects everything."""
        return self == Filter()

    def apply(self, documents: pd.DataFrame) -> pd.DataFrame:
        """The DOCUMENTS rows matching the years, periods, units, levels and regions (a new frame).

        Args:
            documents: a DOCUMENTS table.
        Returns:
            a DOCUMENTS table with the matching rows, index reset.
        """
        keep = pd.Series(True, index=documents.index)
        year = pd.to_numeric(documents["year"], errors="coerce") if "year" in documents else None
        if year is not None:
            if self.years:
                keep &= year.isin(self.years).fillna(False).astype(bool)
            if self.year_from is not None:
                keep &= (year >= self.year_from).fillna(False).astype(bool)
            if self.year_to is not None:
                keep &= (year <= self.year_to).fillna(False).astype(bool)
        for name, column in (("periods", "period"), ("units", "unit"), ("levels", "unit_level"),
                             ("regions", "region")):
            wanted = getattr(self, name)
            if wanted:
                keep &= documents[column].isin(wanted).fillna(False).astype(bool)
        return documents.loc[keep].reset_index(drop=True)

    def doc_ids(self, documents: pd.DataFrame) -> set[str]:
        """The ids of the matching documents."""
        return set(self.apply(documents)["doc_id"])

    def apply_sections(self, sections: pd.DataFrame, documents: pd.DataFrame, *,
                       section_themes: pd.DataFrame | None = None) -> pd.DataFrame:
        """The SECTIONS rows of matching documents, of the chosen kinds and themes (a new frame).

        Args:
            sections: a SECTIONS table.
            documents: a DOCUMENTS table (decides which documents match).
            section_themes: needed when ``themes`` is set: either a profile with ``section_id`` and
                ``dominant_theme`` (a section matches by its dominant theme, see
                ``analysis.words.themes.section_theme_profile``) or THEME_HITS (``section_id``, ``theme``, ``hits``:
                a section matches when it has a hit of any chosen theme).
        Returns:
            a SECTIONS table with the matching rows, index reset.
        """
        keep = sections["doc_id"].isin(self.doc_ids(documents))
        if self.kinds:
            keep &= sections["kind"].isin(self.kinds).fillna(False).astype(bool)
        if self.themes:
            if section_themes is None:
                raise ValueError("a theme filter needs section_themes (from analysis.words.themes.code_sections)")
            if "dominant_theme" in section_themes:
                hit = section_themes["dominant_theme"].isin(self.themes)
            else:
                hit = section_themes["theme"].isin(self.themes) & (section_themes["hits"] > 0)
            keep &= sections["section_id"].isin(set(section_themes.loc[hit, "section_id"]))
        return sections.loc[keep].reset_index(drop=True)

    # -- serialising -------------------------------------------------------------------------------
    def to_query(self) -> dict[str, str]:
        """The filter as URL query parameters (only the set ones); ``from_query`` reverses it."""
        out: dict[str, str] = {}
        for key in FILTER_KEYS:
            value = getattr(self, _KEY_FIELD[key])
            if value is None or value == ():
                continue
            if isinstance(value, tuple):
                out[key] = ",".join(_escape(str(v)) for v in value)
            else:
                out[key] = str(value)
        return out

    @classmethod
    def from_query(cls, mapping: Mapping[str, str | Iterable[str]]) -> Filter:
        """A filter from URL query parameters; keys outside ``FILTER_KEYS`` are ignored (other page state).

        Args:
            mapping: key → value, where a value is ``"a,b"`` (``\\,`` for a literal comma) or a list of them.
        Returns:
            the Filter.
        """
        kwargs: dict[str, object] = {}
        for key in FILTER_KEYS:
            if key not in mapping:
                continue
            raw = mapping[key]
            parts = [raw] if isinstance(raw, str) else list(raw)
            values = [v for p in parts for v in _split(str(p))]
            _put(kwargs, key, values)
        return cls(**kwargs)

    @classmethod
    def parse(cls, spec: str) -> Filter:
        """A filter from the CLI's group syntax ``key=value[,value…][;key=value…]``.

        ``year`` also takes a range ``2020-2023``. Unknown keys raise ``ValueError`` listing the valid ones.

        Example:
            >>> Filter.parse("year=2020,2021;level=city")
            Filter(year_from=None, year_to=None, years=(2020, 2021), periods=(), units=(), levels=('city',), ...)
        """
        kwargs: dict[str, object] = {}
        for clause in filter(None, (c.strip() for c in re.split(r"[;；]", spec or ""))):
            key, sep, raw = clause.partition("=")
            key = key.strip()
            if not sep or key not in FILTER_KEYS:
                raise ValueError(value_invalid_msg("filter key", key if sep else clause, FILTER_KEYS))
            values = [v for v in _split(raw.replace("，", ",")) if v.strip()]
            if key == "year" and len(values) == 1 and re.fullmatch(r"\s*\d{4}\s*[-–~]\s*\d{4}\s*", values[0]):
                lo, hi = re.findall(r"\d{4}", values[0])
                kwargs["year_from"], kwargs["year_to"] = int(lo), int(hi)
                continue
            _put(kwargs, key, values)
        return cls(**kwargs)

    def describe_zh(self, *, theme_names: Mapping[str, str] | None = None) -> str:
        """A Chinese description for captions and exports: ``"年份：2022–2023；层级：市级"``, ``"全部报告"`` if empty.

        Args:
            theme_names: theme id → Chinese name, to show names instead of ids.
        """
        parts = []
        years = self._describe_years()
        if years:
            parts.append(f"年份：{years}")
        for name, label in _DESCRIBE:
            values = getattr(self, name)
            if not values:
                continue
            names = (theme_names or {}) if name == "themes" else _LABEL_ZH.get(name, {})
            parts.append(f"{label}：" + "、".join(names.get(v, v) for v in values))
        return "；".join(parts) if parts else "全部报告"

    def _describe_years(self) -> str:
        bits = []
        if self.years:
            bits.append("、".join(str(y) for y in self.years))
        if self.year_from is not None and self.year_to is not None:
            bits.append(f"{self.year_from}–{self.year_to}")
        elif self.year_from is not None:
            bits.append(f"{self.year_from}年起")
        elif self.year_to is not None:
            bits.append(f"至{self.year_to}年")
        return "，".join(bits)


ALL_REPORTS = Filter()  # the empty filter: every report (a safe default argument, Filter is immutable)


def validate_filter(flt: Filter, documents: pd.DataFrame, *, themes: Iterable[str] | None = None) -> None:
    """Raise ``ValueError`` listing the valid values when the filter names a value the data does not have.

    Args:
        flt: the filter.
        documents: a DOCUMENTS table (the valid years, periods, units, levels and regions come from it).
        themes: the valid theme ids (a codebook's); themes are not checked when None.
    """
    for name, column, key in (("years", "year", "year"), ("periods", "period", "period"), ("units", "unit", "unit"),
                              ("levels", "unit_level", "level"), ("regions", "region", "region")):
        valid = sorted({int(v) if name == "years" else str(v) for v in documents[column].dropna()})
        _check(key, getattr(flt, name), valid)
    _check("kind", flt.kinds, KINDS)
    if themes is not None:
        _check("theme", flt.themes, sorted(themes))


def _check(key: str, values: tuple, valid: Iterable) -> None:
    valid = list(valid)
    bad = [v for v in values if v not in valid]
    if bad:
        raise ValueError(value_invalid_msg(key, bad[0] if len(bad) == 1 else bad, valid))


def _put(kwargs: dict[str, object], key: str, values: list[str]) -> None:
    name = _KEY_FIELD[key]
    if name in _TUPLE_FIELDS:
        kwargs[name] = tuple(values)
    elif values:
        if len(values) > 1:
            raise ValueError(f"{key} takes one year, got {','.join(values)}")
        kwargs[name] = _to_year(values[0], key)


def _to_year(value: object, name: str) -> int:
    try:
        if isinstance(value, float) and not value.is_integer():
            raise ValueError
        return int(str(value).strip()) if not isinstance(value, (int, float)) else int(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}={value!r} is not a year (expected e.g. 2023)") from None


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace(",", "\\,")


def _split(raw: str) -> list[str]:
    """Split on unescaped commas and undo the escaping."""
    out, buf, i = [], [], 0
    while i < len(raw):
        ch = raw[i]
        if ch == "\\" and i + 1 < len(raw):
            buf.append(raw[i + 1])
            i += 2
            continue
        if ch == ",":
            out.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
        i += 1
    out.append("".join(buf))
    return out


__all__ = ["ALL_REPORTS", "FILTER_KEYS", "Filter", "validate_filter"]
