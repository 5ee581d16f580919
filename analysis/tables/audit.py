"""Codebook audit: which entry of each theme drives its hits, with sample passages.

``codebook_audit(sections, codebook)`` matches every section with the codebook and tallies, per theme and entry
(keyword, strong term, cue keyword, phrase), the matches in sections that count for the theme: its hits, its
share of the theme's hits, the sections and reports it appears in, and a few passages. Sorted so that the entry
driving most of a theme's hits comes first: an analyst sees 发行 (of bonds) driving 文化市场 and fixes the YAML.
Matches in sections that do not reach the theme's minimum of evidence are counted apart (``weak_hits``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.query.filters import Filter
from analysis.schema import Column
from analysis.words.themes import Codebook, load_codebook, section_matches

AUDIT = {
    "theme": Column("str", "theme id", "主题编号"),
    "theme_name": Column("str", "theme name", "主题"),
    "entry": Column("str", "the codebook entry that matched (keyword, strong term, cue keyword or phrase)", "词条"),
    "kind": Column("str", "strong / keyword / cue / phrase", "词条类型"),
    "hits": Column("int64", "matches in sections that count for the theme", "命中次数"),
    "share": Column("float64", "the entry's share of the theme's hits", "占主题命中比例"),
    "sections": Column("int64", "sections where it matched and the section counts for the theme", "段落数"),
    "n_reports": Column("int64", "reports of those sections", "报告数"),
    "weak_hits": Column("int64", "matches in sections below the theme's minimum of evidence (not counted)",
                        "未计入命中"),
    "samples": Column("str", "up to three passages, the match in 【】", "示例"),
}
KIND_ZH = {"strong": "强词", "keyword": "关键词", "cue": "需提示词", "phrase": "短语"}
WINDOW = 14


def _kind(theme: Any, entry: str) -> str:
    if entry in theme.strong:
        return "strong"
    if any(entry == w for w, _ in theme.cues):
        return "cue"
    return "phrase" if entry in theme.phrases else "keyword"


def codebook_audit(sections: pd.DataFrame, codebook: Codebook | None = None, *, samples: int = 3,
                   everything: bool = False) -> pd.DataFrame:
    """Per theme and entry: hits, share of the theme's hits, sections, reports, weak hits and sample passages.

    Args:
        sections: a SECTIONS table (doc_id, section_id, heading, text).
        codebook: the codebook; the shipped one when None.
        samples: passages kept per entry (from different reports where possible).
        everything: also list entries that never matched (hits 0), so dead keywords show.
    Returns:
        an AUDIT table, themes in codebook order, within a theme by hits (most first).

    Example:
        >>> audit = codebook_audit(tables.sections)
        >>> audit.loc[audit.theme == "market", ["entry", "hits", "share"]].head(1)
    """
    codebook = codebook or load_codebook()
    themes = {t.id: t for t in codebook.themes}
    tally: dict[tuple[str, str], dict] = {}
    for doc_id, section_id, heading, text in zip(sections["doc_id"], sections["section_id"], sections["heading"],
                                                 sections["text"], strict=True):
        if not isinstance(text, str) or not text:
            continue
        for theme, start, end, entry, counts in section_matches(text, heading if isinstance(heading, str) else "",
                                                                codebook):
            slot = tally.setdefault((theme, entry), {"hits": 0, "weak": 0, "sections": set(), "docs": set(),
                                                     "samples": [], "sample_docs": set()})
            if not counts:
                slot["weak"] += 1
                continue
            slot["hits"] += 1
            slot["sections"].add(section_id)
            slot["docs"].add(doc_id)
            if len(slot["samples"]) < samples and doc_id not in slot["sample_docs"]:
                slot["sample_docs"].add(doc_id)
                left = text[max(0, start - WINDOW):start].replace("\n", " ")
                right = text[end:end + WINDOW].replace("\n", " ")
                slot["samples"].append(f"…{left}【{text[start:end]}】{right}…")
    if everything:
        for t in codebook.themes:
            for entry in (*t.strong, *t.keywords, *(w for w, _ in t.cues), *t.phrases):
                tally.setdefault((t.id, entry), {"hits": 0, "weak": 0, "sections": set(), "docs": set(),
                                                 "samples": []})
    rows = []
    for (theme, entry), slot in tally.items():
        if not (slot["hits"] or slot["weak"] or everything):
            continue
        rows.append({"theme": theme, "theme_name": themes[theme].name, "entry": entry,
                     "kind": _kind(themes[theme], entry), "hits": slot["hits"], "sections": len(slot["sections"]),
                     "n_reports": len(slot["docs"]), "weak_hits": slot["weak"],
                     "samples": " / ".join(slot["samples"])})
    out = pd.DataFrame(rows, columns=[c for c in AUDIT if c != "share"])
    total = out.groupby("theme")["hits"].transform("sum") if len(out) else out["hits"]
    out.insert(5, "share", (out["hits"] / total.where(total > 0)).fillna(0.0).astype("float64"))
    order = {t: i for i, t in enumerate(codebook.ids)}
    out = out.assign(_o=out["theme"].map(order)).sort_values(["_o", "hits", "weak_hits", "entry"],
                                                              ascending=[True, False, False, True])
    out = out.drop(columns="_o").reset_index(drop=True)
    for col in ("hits", "sections", "n_reports", "weak_hits"):
        out[col] = out[col].astype("int64")
    return out


def audit_selection(tables: Any, flt: Filter | None = None, *, theme: str | None = None) -> pd.DataFrame:
    """``codebook_audit`` of the sections of the reports ``flt`` selects, with the tables' codebook (the 数据 page's
    panel); only ``theme``'s rows when given."""
    from analysis.tables.views import doc_slice

    docs = (flt or Filter()).apply(tables.documents)
    out = codebook_audit(doc_slice(tables.sections, docs["doc_id"]), getattr(tables, "codebook", None))
    return out[out["theme"] == theme].reset_index(drop=True) if theme else out


def format_audit(audit: pd.DataFrame, *, top: int = 5) -> str:
    """The CLI's text: per theme its hits, then its ``top`` entries with hits, share, reports and a passage."""
    lines = []
    for theme, rows in audit.groupby("theme", sort=False):
        total = int(rows["hits"].sum())
        lines.append(f"{rows['theme_name'].iloc[0]} ({theme}): {total} hits, {int(rows['weak_hits'].sum())} "
                     f"below the minimum of evidence")
        for r in rows.head(top).itertuples():
            sample = r.samples.split(" / ")[0] if r.samples else ""
            lines.append(f"  {r.entry} [{KIND_ZH[r.kind]}] {r.hits} hits ({r.share:.0%}), {r.n_reports} reports"
                         + (f"  {sample}" if sample else ""))
    return "\n".join(lines)


__all__ = ["AUDIT", "audit_selection", "codebook_audit", "format_audit"]
