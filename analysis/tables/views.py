"""Small pure helpers the dashboard pages need beside the analysis tables (no Streamlit here).

Counts and sentences for the overview, the ledger as a unit × year grid, one colour per theme, the passages
behind a theme cell, a report's outline as rows, sections of several reports aligned by kind or theme,
boilerplate marks in plain text, and the safe handling of uploaded reports and word lists.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
import unicodedata
import weakref
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal, NamedTuple

import numpy as np
import pandas as pd

from analysis.errors import BadCodebook
from analysis.read.report import SUPPORTED
from analysis.schema import KIND_ZH, Column

NO_UNIT = "（未署名单位）"
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf", "#393b79", "#ad494a", "#637939", "#843c39")
"""One colour per theme in codebook order (the same on every page)."""
MARK_OPEN, MARK_CLOSE = "【", "】"
MAX_UPLOAD_BYTES = 20_000_000
RESOURCE_FILES = {"codebook": "codebook.yaml", "userdict": "userdict.txt", "stopwords": "stopwords.txt",
                  "synonyms": "synonyms.txt", "acronyms": "acronyms.txt"}
RESOURCE_LABELS = {"codebook": "主题词典", "userdict": "用户词典", "stopwords": "停用词", "synonyms": "同义词表",
                   "acronyms": "保留的外文缩写"}
CJK_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", "C:/Windows/Fonts/msyh.ttc", "C:/Windows/Fonts/simhei.ttf",
    "/System/Library/Fonts/PingFang.ttc", "/Library/Fonts/Arial Unicode.ttf",
)

PASSAGES = {
    "path": Column("str", "the section's outline position", "路径", outline_path=True),
    "heading": Column("str", "the section's heading", "段落标题"),
    "left": Column("str", "text before the match", "左文"),
    "match": Column("str", "the keyword or phrase matched", "关键词"),
    "right": Column("str", "text after the match", "右文"),
}
OUTLINE = {
    "path": Column("str", "outline position", "路径", outline_path=True),
    "level": Column("int64", "depth", "层级深度"),
    "heading": Column("str", "heading, indented by depth", "标题"),
    "kind": Column("str", "kind of section (Chinese)", "类型"),
    "dominant_theme": Column("str", "dominant theme of the section with its children", "主导主题"),
    "chars": Column("int64", "characters with its children", "字数"),
}


# ------------------------------------------------------------------------------------------------- overview


def corpus_counts(documents: pd.DataFrame) -> dict[str, int]:
    """Reports, distinct named units, distinct years and characters of a DOCUMENTS table.

    Args:
        documents: a DOCUMENTS table (already filtered).
    Returns:
        {"reports", "units", "years", "chars"} → int.

    Example:
        >>> corpus_counts(flt.apply(tables.documents))["reports"]
        5
    """
    return {"reports": len(documents), "units": int(documents["unit"].dropna().nunique()),
            "years": int(documents["year"].dropna().nunique()), "chars": int(documents["chars"].sum())}


def ledger_grid(ledger: pd.DataFrame, *, value: str = "n_docs") -> pd.DataFrame:
    """The LEDGER as a unit × year grid: a cell with no report is NaN (never 0).

    Args:
        ledger: a LEDGER table (``analysis.tables.coverage.ledger``).
        value: the column summed into each cell ("n_docs" or "chars").
    Returns:
        a DataFrame indexed by unit (unnamed units as NO_UNIT), one column per year (as text), float cells.
    """
    led = ledger[ledger["year"].notna()].assign(unit=ledger["unit"].fillna(NO_UNIT),
                                                year=ledger["year"].astype("Int64").astype(str))
    if led.empty:
        return pd.DataFrame(dtype="float64")
    grid = led.pivot_table(index="unit", columns="year", values=value, aggfunc="sum")
    return grid.astype("float64").sort_index(axis=1)


def theme_palette(theme_ids: Iterable[str]) -> dict[str, str]:
    """Theme id (or name) → colour, in order, cycling through PALETTE."""
    return {t: PALETTE[i % len(PALETTE)] for i, t in enumerate(theme_ids)}


def _pct(x: float) -> str:
    return f"{x * 100:.1f}%"


def theme_shift_sentences(shift: pd.DataFrame, *, n: int = 3) -> pd.DataFrame:
    """The biggest rises and falls of theme share from the previous year to the latest year, as Chinese sentences.

    Args:
        shift: a THEME_SHIFT table by year (``analysis.tables.coverage.theme_shift(tables, flt)``).
        n: rises and falls each.
    Returns:
        columns direction ("上升"/"下降"), theme_name, year, prev_year, delta_share, sentence; empty when no year
        has a previous year.
    """
    cols = ["direction", "theme_name", "year", "prev_year", "delta_share", "sentence"]
    have = shift[shift["prev_year"].notna() & shift["delta_share"].notna()]
    if have.empty:
        return pd.DataFrame(columns=cols)
    latest = have[have["year"] == have["year"].max()]
    rows = []
    for direction, part in (("上升", latest[latest["delta_share"] > 0].nlargest(n, "delta_share")),
                            ("下降", latest[latest["delta_share"] < 0].nsmallest(n, "delta_share"))):
        for r in part.itertuples(index=False):
            verb = "升至" if direction == "上升" else "降至"
            before = r.share - r.delta_share
            rows.append({"direction": direction, "theme_name": r.theme_name, "year": int(r.year),
                         "prev_year": int(r.prev_year), "delta_share": float(r.delta_share),
                         "sentence": f"{r.theme_name}在主题命中中的占比由{int(r.prev_year)}年的{_pct(before)}"
                                     f"{verb}{int(r.year)}年的{_pct(r.share)}"
                                     f"（{r.delta_share * 100:+.1f}个百分点）。"})
    return pd.DataFrame(rows, columns=cols)


def _term_support(r: Any, year_a: int, year_b: int, matched: bool | None) -> str:
    if not hasattr(r, "n_reports_a"):
        return ""
    how = "" if matched is None else ("同口径：" if matched else "未按同口径：")
    return f"；{how}{year_a}年 {r.n_reports_a} 份、{year_b}年 {r.n_reports_b} 份报告"


def support_note(table: pd.DataFrame) -> str:
    """"依据 N 份报告、M 个单位、C 字。" for a table of one group (its n_reports, n_units, chars columns)."""
    if table.empty or "n_reports" not in table:
        return "没有报告。"
    row = table.iloc[0]
    return f"依据 {int(row['n_reports']):,} 份报告、{int(row['n_units']):,} 个单位、{int(row['chars']):,} 字。"


def theme_change_sentences(changes: pd.DataFrame, label_a: str, label_b: str, *, n: int = 3) -> list[str]:
    """The overview's theme sentences: the ``n`` largest changes by |z| (``coverage.theme_change``), each with the
    support behind it.

    Args:
        changes: THEME_SHIFT rows of a two-group comparison, sorted by |z| (``coverage.theme_change``).
        label_a, label_b: how the groups are named ("2022年", "2023年").
    Returns:
        Chinese sentences, e.g. "理论武装：每万字命中由2022年的3.1次升至2023年的5.0次（z = 2.4；同口径：两年各 6 份
        报告、6 个单位）。"
    """
    out = []
    for r in changes.head(n).itertuples(index=False):
        verb = "升至" if r.delta_per_10k > 0 else "降至"
        how = "同口径" if bool(getattr(r, "matched", False)) else "未按同口径"
        if r.n_reports_a == r.n_reports_b and r.n_units_a == r.n_units_b:
            who = f"两年各 {r.n_reports_a} 份报告、{r.n_units_a} 个单位"
        else:
            who = (f"{label_a} {r.n_reports_a} 份报告（{r.n_units_a} 个单位）、{label_b} {r.n_reports_b} 份报告"
                   f"（{r.n_units_b} 个单位）")
        out.append(f"{r.theme_name}：每万字命中由{label_a}的{r.per_10k_a:.1f}次{verb}{label_b}的{r.per_10k_b:.1f}次"
                   f"（z = {r.z:.1f}；{how}：{who}）。")
    return out


def term_shift_sentences(shift: pd.DataFrame, year_a: int, year_b: int, *, n: int = 3,
                         min_count: int = 3, matched: bool | None = None) -> pd.DataFrame:
    """The terms that rose and fell most between two years (by log-odds z), as Chinese sentences.

    Args:
        shift: a TERM_SHIFT table with A = ``year_a`` and B = ``year_b``.
        year_a: the earlier year.
        year_b: the later year.
        n: rises and falls each.
        min_count: a term needs at least this many occurrences in A and B together.
        matched: whether A and B were matched (同口径); the sentence says so when given.
    Returns:
        columns direction, term, z, per_10k_a, per_10k_b, sentence (each naming the reports behind it when the
        table carries n_reports_a/n_reports_b).
    """
    cols = ["direction", "term", "z", "per_10k_a", "per_10k_b", "sentence"]
    df = shift[(shift["n_a"] + shift["n_b"]) >= min_count]
    rows = []
    for direction, part in (("上升", df[df["z"] > 0].nlargest(n, "z")), ("下降", df[df["z"] < 0].nsmallest(n, "z"))):
        for r in part.itertuples(index=False):
            verb = "升至" if direction == "上升" else "降至"
            note = "，为新出现的词" if r.is_new else ("，此后不再出现" if r.is_dropped else "")
            rows.append({"direction": direction, "term": r.term, "z": float(r.z), "per_10k_a": float(r.per_10k_a),
                         "per_10k_b": float(r.per_10k_b),
                         "sentence": f"“{r.term}”每万字出现次数由{year_a}年的{r.per_10k_a:.1f}次{verb}"
                                     f"{year_b}年的{r.per_10k_b:.1f}次{note}"
                                     f"（z = {r.z:.1f}{_term_support(r, year_a, year_b, matched)}）。"})
    return pd.DataFrame(rows, columns=cols)


# ------------------------------------------------------------------------------------------- themes, outline


def theme_passages(sections: pd.DataFrame, doc_id: str, theme: str, codebook, *, window: int = 20) -> pd.DataFrame:
    """Every counted match of one theme in one report, with context and section path (the hits of a heatmap cell):
    matches in sections below the theme's minimum of evidence are not hits, so they are not listed.

    Args:
        sections: a SECTIONS table.
        doc_id: the report.
        theme: the theme id.
        codebook: the codebook that coded the sections.
        window: characters of context on each side.
    Returns:
        a PASSAGES table in document order.
    """
    from analysis.words.themes import section_matches

    secs = doc_slice(sections, [doc_id]).sort_values("start", kind="stable")
    rows = []
    for sec in secs.itertuples(index=False):
        text = sec.text if isinstance(sec.text, str) else ""
        heading = sec.heading if isinstance(sec.heading, str) else ""
        for _, s, e, _, _ in (m for m in section_matches(text, heading, codebook) if m[0] == theme and m[4]):
            rows.append({"path": sec.path, "heading": sec.heading, "left": _flat(text[max(0, s - window):s]),
                         "match": text[s:e], "right": _flat(text[e:e + window])})
    return pd.DataFrame(rows, columns=list(PASSAGES))


_DOC_ROWS: dict[int, tuple[weakref.ref, tuple[pd.Index, np.ndarray, np.ndarray]]] = {}


def doc_rows(sections: pd.DataFrame, doc_ids: Iterable[str]) -> np.ndarray:
    """Positions of the rows of these documents in ``sections``, in table order (as ``doc_id.isin(doc_ids)``).

    The rows of every document are found once per sections table (cached while the table lives), so a call
    costs the size of the answer, not of the table. The table must not be changed in place afterwards.

    Args:
        sections: a table with a ``doc_id`` column.
        doc_ids: the documents (unknown ids select nothing).
    Returns:
        an int64 array of row positions (for ``sections.iloc``).
    """
    key = id(sections)
    hit = _DOC_ROWS.get(key)
    if hit is None or hit[0]() is not sections:
        codes, uniques = pd.factorize(sections["doc_id"])
        order = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
        value = (pd.Index(uniques, dtype=object), order, bounds)
        _DOC_ROWS[key] = (weakref.ref(sections, lambda _, k=key: _DOC_ROWS.pop(k, None)), value)
        hit = _DOC_ROWS[key]
    index, order, bounds = hit[1]
    where = index.get_indexer(pd.Index(list(dict.fromkeys(doc_ids)), dtype=object))
    parts = [order[bounds[i]:bounds[i + 1]] for i in where if i >= 0]
    return np.sort(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)


def doc_slice(table: pd.DataFrame, doc_ids: Iterable[str]) -> pd.DataFrame:
    """The rows of these documents (as ``table[table.doc_id.isin(doc_ids)]``, index kept), found with ``doc_rows``.

    A table keeps each document's rows together, so they are cut out as slices rather than gathered row by row
    (gathering from a large Arrow-backed table costs time in proportion to the table).

    Args:
        table: a table with a ``doc_id`` column (SECTIONS, THEME_HITS, FIGURES …).
        doc_ids: the documents.
    Returns:
        those rows, in table order.
    """
    rows = doc_rows(table, doc_ids)
    if not len(rows):
        return table.iloc[:0]
    cuts = np.flatnonzero(np.diff(rows) != 1) + 1
    starts, ends = np.r_[rows[0], rows[cuts]], np.r_[rows[cuts - 1], rows[-1]] + 1
    if len(starts) == 1:
        return table.iloc[int(starts[0]):int(ends[0])]
    if len(starts) > 64:
        return table.iloc[rows]
    return pd.concat([table.iloc[int(a):int(b)] for a, b in zip(starts, ends, strict=True)])


def _flat(text: str) -> str:
    return text.replace("\r", " ").replace("\n", " ")


def outline_rows(sections: pd.DataFrame, profile: pd.DataFrame, doc_id: str,
                 theme_names: dict[str, str]) -> pd.DataFrame:
    """One report's outline as rows: path, depth, indented heading, kind, dominant theme and length.

    Args:
        sections: a SECTIONS table.
        profile: a SECTION_PROFILE table by subtree (``section_theme_profile(..., by="subtree")``).
        doc_id: the report.
        theme_names: theme id → Chinese name.
    Returns:
        an OUTLINE table in document order (the preamble first).
    """
    secs = doc_slice(sections, [doc_id]).sort_values("start", kind="stable")
    dom = profile.set_index("section_id")["dominant_theme"] if len(profile) else pd.Series(dtype=object)
    out = pd.DataFrame({
        "path": secs["path"].astype(str).to_numpy(),
        "level": secs["level"].astype("int64").to_numpy(),
        "heading": [("　" * max(int(lv) - 1, 0)) + (str(_none(m) or "") + str(_none(h) or "")).strip()
                    for lv, m, h in zip(secs["level"], secs["marker"], secs["heading"], strict=True)],
        "kind": secs["kind"].map(KIND_ZH).fillna("").to_numpy(),
        "dominant_theme": [theme_names.get(dom.get(s), "") if isinstance(dom.get(s), str) else ""
                           for s in secs["section_id"]],
        "chars": secs["chars"].astype("int64").to_numpy(),
    })
    return out


def short_label(text: str, width: int = 14) -> str:
    """``text`` cut to ``width`` characters with "…" (axis labels; the full text goes in the hover)."""
    text = str(text)
    return text if len(text) <= width else text[: width - 1] + "…"


# ------------------------------------------------------------------------------------------- side by side


def aligned_sections(sections: pd.DataFrame, doc_ids: Sequence[str], *, by: Literal["kind", "theme"] = "kind",
                     profile: pd.DataFrame | None = None) -> dict[str, dict[str, pd.DataFrame]]:
    """Top-level sections of several reports grouped by kind (or dominant theme) for reading side by side.

    Args:
        sections: a SECTIONS table.
        doc_ids: the reports, in column order.
        by: "kind" (achievements, problems, plans …) or "theme" (needs ``profile`` by subtree).
        profile: a SECTION_PROFILE table by subtree; its dominant_theme groups sections when by="theme".
    Returns:
        group → doc_id → that report's sections of the group (section_id, path, heading, start, span_end),
        groups in kind order (or theme order of first appearance); a report without the group has an empty frame.
    """
    secs = doc_slice(sections, doc_ids)
    secs = secs[secs["level"] <= 1]
    if by == "theme":
        if profile is None:
            raise ValueError("by='theme' needs a section profile")
        secs = secs.merge(profile[["section_id", "dominant_theme"]], on="section_id", how="left")
        key = secs["dominant_theme"].fillna("（无主题）")
        order = list(dict.fromkeys(key))
    else:
        key = secs["kind"]
        order = [k for k in KIND_ZH if k in set(key)]
    secs = secs.assign(_group=key.to_numpy())
    cols = ["section_id", "path", "heading", "start", "span_end"]
    out: dict[str, dict[str, pd.DataFrame]] = {}
    for group in order:
        part = secs[secs["_group"] == group]
        out[group] = {d: part[part["doc_id"] == d].sort_values("start")[cols].reset_index(drop=True)
                      for d in doc_ids}
    return out


def mark_spans(text: str, spans: Iterable[tuple[int, int]], *, open_mark: str = MARK_OPEN,
               close_mark: str = MARK_CLOSE) -> str:
    """``text`` with each span wrapped in marks (overlapping spans merged): plain-text highlighting.

    Args:
        text: the text.
        spans: (start, end) offsets into ``text``; clipped to it.
    Returns:
        the marked text.
    """
    merged: list[list[int]] = []
    for s, e in sorted((max(0, int(s)), min(len(text), int(e))) for s, e in spans):
        if e <= s:
            continue
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    out, pos = [], 0
    for s, e in merged:
        out += [text[pos:s], open_mark, text[s:e], close_mark]
        pos = e
    out.append(text[pos:])
    return "".join(out)


def spans_in(boilerplate: pd.DataFrame, doc_id: str, start: int, end: int, *,
             min_chars: int = 4) -> list[tuple[int, int]]:
    """The BOILERPLATE occurrences of one report inside [start, end), as offsets relative to ``start``.

    A passage that crosses the section's edge is clipped; a clipped piece shorter than ``min_chars`` is left out.
    """
    bp = boilerplate[(boilerplate["doc_id"] == doc_id) & (boilerplate["end"] > start) & (boilerplate["start"] < end)]
    spans = [(max(int(s), start) - start, min(int(e), end) - start) for s, e in zip(bp["start"], bp["end"])]
    return [(s, e) for s, e in spans if e - s >= min_chars]


# --------------------------------------------------------------------------------------------------- uploads


class Saved(NamedTuple):
    """What happened to one uploaded file: status is saved / same / kept_beside / refused."""

    name: str
    status: str
    reason: str = ""


_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*\ud800-\udfff]')
MAX_NAME_BYTES = 200
"""Longest uploaded file name kept, in UTF-8 bytes (file systems take 255 bytes, not characters: a Chinese
character takes three), with room for a ``_N`` suffix."""


def safe_filename(name: str, *, max_chars: int = 120, max_bytes: int = MAX_NAME_BYTES) -> str:
    """A plain base name for an uploaded file: no folders, no control, reserved or unpaired surrogate characters,
    no leading dots, at most ``max_chars`` characters and ``max_bytes`` UTF-8 bytes (the extension is kept).

    Args:
        name: the name the browser sent (may hold a path such as ``../../x.txt`` or ``C:\\a\\b.txt``).
        max_chars: longest result in characters.
        max_bytes: longest result in UTF-8 bytes.
    Returns:
        the safe name; "report" + extension when nothing is left.
    """
    base = re.split(r"[\\/]", str(name))[-1]
    base = _UNSAFE.sub("_", base).strip().lstrip(".").strip()
    stem, ext = os.path.splitext(base)
    ext = ext.lower()
    if len(ext.encode("utf-8")) > 16:          # not an extension anyone uses: keep it in the stem (then refused)
        stem, ext = base, ""
    stem = stem.strip(" ._") or "report"
    stem = stem[: max(1, max_chars - len(ext))]
    room = max(1, max_bytes - len(ext.encode("utf-8")))
    stem = stem.encode("utf-8")[:room].decode("utf-8", "ignore").rstrip(" ._") or "report"
    return stem + ext


def save_upload(folder: str | Path, name: str, data: bytes, *, max_bytes: int = MAX_UPLOAD_BYTES) -> Saved:
    """Save one uploaded report into ``folder`` without ever overwriting a different existing file (or a link).

    Args:
        folder: the source folder.
        name: the uploaded file's name.
        data: its bytes.
        max_bytes: larger files are refused.
    Returns:
        Saved(name written or refused, status, reason): "saved"; "same" when an identical file is there;
        "kept_beside" when a different file, a folder or a link had the name (the new one gets a ``_2``…
        suffix); "refused" with the reason (type, size, or the file system's error in Chinese).
    """
    safe = safe_filename(name)
    ext = os.path.splitext(safe)[1]
    if ext not in SUPPORTED:
        return Saved(safe, "refused", f"不支持的文件类型“{ext or '无扩展名'}”：只接受 .txt、.docx、.pdf")
    if len(data) > max_bytes:
        return Saved(safe, "refused", f"文件过大（{len(data):,} 字节，上限 {max_bytes:,} 字节）")
    if not data:
        return Saved(safe, "refused", "文件为空")
    folder = Path(folder)
    stem = os.path.splitext(safe)[0]
    candidate, n, status = safe, 1, "saved"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        while True:
            target = folder / candidate
            if not os.path.lexists(target):         # a dangling link "does not exist" but holds the name
                try:
                    _atomic_write(target, data, exclusive=True)
                    return Saved(candidate, status)
                except FileExistsError:             # a file appeared meanwhile: never overwrite
                    pass
            elif target.is_file() and not target.is_symlink() and target.read_bytes() == data:
                return Saved(candidate, "same")
            n += 1
            candidate, status = f"{stem}_{n}{ext}", "kept_beside"
    except OSError as err:
        return Saved(candidate, "refused", f"无法保存：{err.strerror or type(err).__name__}")


def save_uploads(folder: str | Path, files: Iterable[tuple[str, bytes]], **kwargs) -> list[Saved]:
    """``save_upload`` for each (name, bytes) of a batch: every file gets its own result, whatever happens to
    the others."""
    return [save_upload(folder, name, data, **kwargs) for name, data in files]


def _atomic_write(target: Path, data: bytes, *, exclusive: bool = False) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".upload-", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        if exclusive:
            os.link(tmp, target)  # fails if a file appeared meanwhile: never overwrite
            os.unlink(tmp)
        else:
            os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def validate_resource(kind: str, data: bytes, *, name: str = "") -> None:
    """Raise BadCodebook (naming the file, line and reason) when an uploaded word list or codebook is unusable.

    Args:
        kind: "codebook", "userdict", "stopwords", "synonyms" or "acronyms".
        data: the uploaded bytes.
        name: the uploaded file's name (shown in the message).
    """
    if kind not in RESOURCE_FILES:
        raise ValueError(f"kind={kind!r} is not valid; options are: {', '.join(map(repr, RESOURCE_FILES))}")
    shown = name or RESOURCE_FILES[kind]
    if not data.strip():
        raise BadCodebook(shown, None, "文件为空")
    from analysis.parse.segment import load_synonyms, load_userdict, load_wordlist
    from analysis.words.themes import load_codebook

    loader = {"codebook": load_codebook, "userdict": load_userdict, "stopwords": load_wordlist,
              "synonyms": load_synonyms, "acronyms": load_wordlist}[kind]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / RESOURCE_FILES[kind]
        path.write_bytes(data)
        try:
            loader(path)
        except BadCodebook as err:
            raise BadCodebook(shown, err.line, err.reason) from None


def resource_path(kind: str, folder: str | Path) -> Path:
    """The word list or codebook of ``kind`` in ``folder``, or the shipped one when the folder has none."""
    local = Path(folder) / RESOURCE_FILES[kind]
    return local if local.is_file() else Path(__file__).resolve().parent.parent / "resources" / RESOURCE_FILES[kind]


def replace_resource(kind: str, data: bytes, folder: str | Path, *, name: str = "") -> Path:
    """Validate an uploaded codebook / user dictionary / stopword list, then atomically replace the old one.

    A bad file raises BadCodebook and the old file stays as it was.

    Returns:
        the path written.
    """
    validate_resource(kind, data, name=name)
    target = Path(folder) / RESOURCE_FILES[kind]
    target.parent.mkdir(parents=True, exist_ok=True)
    _atomic_write(target, data)
    return target


def find_cjk_font(candidates: Sequence[str] = CJK_FONTS) -> str | None:
    """The first installed font file that has Chinese glyphs (for the word cloud), or None."""
    env = os.environ.get("REPORTLENS_FONT")
    for path in ([env] if env else []) + list(candidates):
        if path and Path(path).is_file():
            return path
    return None


def manifest_frame(documents: pd.DataFrame, rows: dict[str, dict]) -> pd.DataFrame:
    """One editable row per report file: the manifest's values where given, else what was inferred.

    Args:
        documents: a DOCUMENTS table (the loaded reports).
        rows: ``read_manifest(folder)[0]``.
    Returns:
        columns file, title, unit, unit_level, region, year (Int64), period; one row per file, sorted by file.
    """
    from analysis.store.manifest import MANIFEST_COLUMNS

    out: dict[str, dict] = {}
    for rec in documents.to_dict("records"):
        out[rec["file"]] = {c: _none(rec.get(c)) for c in MANIFEST_COLUMNS}
    for file, row in rows.items():
        base = out.setdefault(file, {c: None for c in MANIFEST_COLUMNS})
        base.update({c: v for c, v in row.items() if v is not None and c in MANIFEST_COLUMNS})
        base["file"] = file
    df = pd.DataFrame(list(out.values()), columns=list(MANIFEST_COLUMNS))
    df["year"] = pd.array([None if _none(y) is None else int(y) for y in df["year"]], dtype="Int64")
    for c in MANIFEST_COLUMNS:
        if c != "year":
            df[c] = df[c].astype(object).where(df[c].notna(), None)
    return df.sort_values("file", kind="stable").reset_index(drop=True)


def manifest_rows(edited: pd.DataFrame, shown: pd.DataFrame, existing: dict[str, dict], *,
                  typed: bool = True) -> list[dict]:
    """Rows for ``write_manifest`` after editing: a cell the user changed is written, other cells keep what the
    manifest already said (so inferred values are not frozen into the manifest unless edited).

    Args:
        edited: the frame after ``st.data_editor``.
        shown: the frame given to the editor (``manifest_frame``).
        existing: the manifest's rows (``read_manifest(folder)[0]``).
        typed: years as int (False: as edited, for ``manifest_edits`` to check).
    Returns:
        one dict per file that has any value, in file order.
    """
    before = {rec["file"]: rec for rec in shown.to_dict("records")}
    rows = []
    for rec in edited.to_dict("records"):
        file = _none(rec.get("file"))
        if file is None:
            continue
        old, given = before.get(file, {}), existing.get(file, {})
        row = {"file": file}
        for col, value in rec.items():
            if col == "file":
                continue
            value, was = _none(value), _none(old.get(col))
            row[col] = value if value != was else _none(given.get(col))
            if typed and col == "year" and row[col] is not None:
                row[col] = int(row[col])
        if any(v is not None for k, v in row.items() if k != "file"):
            rows.append(row)
    return rows


MAX_CELL_CHARS = 300
"""Longest title, unit or region the metadata editor saves."""


def manifest_edits(edited: pd.DataFrame, shown: pd.DataFrame,
                   existing: dict[str, dict]) -> tuple[list[dict], list[str]]:
    """``manifest_rows`` checked on the server before anything is written: a year must be a whole year in the
    manifest's range, a level or period one of its codes, a title, unit or region one line of at most
    ``MAX_CELL_CHARS``. A refused cell keeps what the manifest said; each refusal is a Chinese sentence naming the
    file, the column, the value and why.

    Returns:
        (rows for ``write_manifest``, refusals).
    """
    from analysis.schema import LEVELS, PERIODS
    from analysis.store.manifest import YEAR_RANGE

    lo, hi = YEAR_RANGE
    rows = manifest_rows(edited, shown, existing, typed=False)
    refused = []
    labels = {"title": "标题", "unit": "单位", "region": "地区", "unit_level": "层级", "year": "年份", "period": "时段"}
    for row in rows:
        given = existing.get(row["file"], {})
        for col, value in list(row.items()):
            if col == "file" or value is None or value == given.get(col):
                continue
            why = None
            if col == "year":
                year = _whole_number(value)
                if year is None:
                    why = f"须为整数年份（{lo}–{hi}）"
                elif not lo <= year <= hi:
                    why = f"须在 {lo}–{hi} 之间"
                else:
                    row[col] = year
            elif col in ("unit_level", "period"):
                options = LEVELS if col == "unit_level" else PERIODS
                if value not in options:
                    why = "须为下拉列表中的一项"
            else:
                text = str(value)
                if len(text) > MAX_CELL_CHARS:
                    why = f"过长（{len(text)} 个字符，上限 {MAX_CELL_CHARS}）"
                elif any(unicodedata.category(c).startswith("C") for c in text):
                    why = "含换行或控制字符"
                else:
                    row[col] = text.strip()
            if why:
                row[col] = given.get(col)
                shown_value = str(value) if len(str(value)) <= 40 else str(value)[:40] + "…"
                refused.append(f"{row['file']}：{labels[col]}“{shown_value}”未保存，{why}；保留原值。")
    rows = [r for r in rows if any(v is not None for k, v in r.items() if k != "file")]
    return rows, refused


def _whole_number(value) -> int | None:
    """``value`` as a whole number (2023, 2023.0, "2023"); None for anything else (2020.7, "abc", True)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return int(number) if math.isfinite(number) and number.is_integer() else None


def pending_edits(files: Sequence[str] | None, state: object, pending: dict[str, dict]) -> dict[str, dict]:
    """The metadata editor's unsaved edits by file: ``pending`` updated with the editor's ``state`` (its
    ``edited_rows``: row position → changes) read against ``files``, the files of the rows it showed. Kept by
    file, an edit survives a change of the report list (the editor's rows are positions, and it starts afresh
    when its rows change)."""
    pending = {file: dict(changes) for file, changes in pending.items()}
    edited_rows = state.get("edited_rows") if isinstance(state, dict) else None
    if files is None or not isinstance(edited_rows, dict):
        return pending
    for position, changes in edited_rows.items():
        try:
            file = files[int(position)]
        except (ValueError, IndexError):
            continue
        if isinstance(changes, dict):
            pending.setdefault(file, {}).update(changes)
    return pending


def with_edits(shown: pd.DataFrame, pending: dict[str, dict]) -> pd.DataFrame:
    """The editor's frame with the pending edits of its files put in (columns it has only)."""
    frame = shown.copy()
    where = {file: i for i, file in enumerate(frame["file"])}
    for file, changes in pending.items():
        if file in where:
            for col, value in changes.items():
                if col in frame.columns and col != "file":
                    if col == "year":
                        value = _whole_number(value) if value is not None else None
                        if value is None and changes.get(col) is not None:
                            continue
                    frame.iloc[where[file], frame.columns.get_loc(col)] = value
    return frame


def _none(value):
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, str) and not value.strip():
        return None
    return value


class Preview(NamedTuple):
    """The head of an export table, and how long the whole table is."""

    frame: pd.DataFrame          # the table's first rows (at most the ``rows`` asked for)
    total: int | None            # the whole table's rows; None when only known to be more than ``len(frame)``
    full: pd.DataFrame | None    # the whole table when it was computed anyway (small tables), else None


def export_note(shown: int, total: int | None, cap: int) -> str:
    """The caption under an export table's first rows: how long the whole table is and what the download holds.

    Args:
        shown: rows shown on the page.
        total: rows of the whole table; None when only known to be more than ``shown``.
        cap: the most rows a download holds (an Excel sheet's).
    Example:
        >>> export_note(1000, 48210, 1_048_575)
        '共 48,210 行，下表显示前 1,000 行；下载包含全部行。'
    """
    if total is None:
        return f"下表显示前 {shown:,} 行（表格更长）；下载包含全部行，至多 {cap:,} 行（Excel 工作表上限）。"
    if total <= shown:
        return f"共 {total:,} 行。"
    if total > cap:
        return f"共 {total:,} 行，下表显示前 {shown:,} 行。"
    return f"共 {total:,} 行，下表显示前 {shown:,} 行；下载包含全部行。"


def escape_markdown(text: str) -> str:
    """``text`` to be shown as itself inside Markdown (captions, subheaders, messages): every ASCII punctuation
    character backslash-escaped, as CommonMark reads any of them, so a unit, theme or file name never becomes a
    link, an image, emphasis, code, a heading, a list, HTML, LaTeX, a colour or an autolink."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\g<0>", str(text))


_MARKDOWN_PUNCTUATION = re.compile(r"[!-/:-@\[-`{-~]")


__all__ = ["OUTLINE", "PALETTE", "PASSAGES", "Preview", "Saved", "aligned_sections", "corpus_counts", "doc_rows",
           "doc_slice", "escape_markdown", "export_note", "find_cjk_font", "ledger_grid", "manifest_edits",
           "manifest_frame", "manifest_rows", "mark_spans", "outline_rows", "pending_edits", "replace_resource",
           "safe_filename", "save_upload", "save_uploads", "short_label", "spans_in", "term_shift_sentences",
           "theme_palette", "theme_passages", "theme_shift_sentences", "validate_resource", "with_edits"]
