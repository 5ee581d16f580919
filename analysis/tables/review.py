"""The 待核对 review queue: reports whose metadata a person should check before it is compared.

A field waits for review when inference gave it a value with low confidence: the cues were weak (a guess from
the most frequent year in the body) or contradicted each other (a site-made title against the body; the
conflict is in the evidence). A field a person wrote in ``manifest.csv`` never waits. Accepting writes the
inferred value into ``manifest.csv`` (``analysis.store.manifest.write_manifest``, the metadata editor's writer);
an edit writes the person's value instead. The next build then takes the field from the manifest, so the report
leaves the queue. A null field is not queued: saying "unknown" is already the safe answer.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis import schema
from analysis.errors import ReportLensError
from analysis.schema import Column
from analysis.store import manifest

FIELDS = ("year", "period", "unit", "unit_level", "region")
FIELD_ZH = {"year": "年份", "period": "时段", "unit": "单位", "unit_level": "层级", "region": "地区"}
SOURCE_ZH = schema.SOURCE_ZH

REVIEW = {
    "file": Column("str", "the report file", "文件"),
    "field": Column("str", "the field to check: year/period/unit/unit_level/region", "字段"),
    "field_zh": Column("str", "the field's Chinese name", "字段名"),
    "value": Column("str", "the inferred value (edit it to correct it)", "推断值"),
    "confidence": Column("str", "high/medium/low", "置信度"),
    "source": Column("str", "where the value came from: title/heading/calendar/body", "来源"),
    "evidence": Column("str", "the phrase that decided it, and any conflicting cue", "依据"),
}


class BadReviewValue(ReportLensError):
    """An edited value the manifest cannot hold (a year outside 1949–2100, an unknown period …)."""


def review_queue(documents: pd.DataFrame) -> pd.DataFrame:
    """One row per report and field that waits for review (low confidence, not from the manifest), by file.

    Args:
        documents: a DOCUMENTS table.
    Returns:
        a REVIEW table.
    """
    rows = []
    for rec in documents.sort_values("file", kind="stable").to_dict("records"):
        for f in FIELDS:
            value = rec.get(f)
            if _missing(value) or rec.get(f"{f}_confidence") != "low" or rec.get(f"{f}_source") == "manifest":
                continue
            rows.append({"file": rec["file"], "field": f, "field_zh": FIELD_ZH[f], "value": _text(f, value),
                         "confidence": "low", "source": rec.get(f"{f}_source"), "evidence": rec.get(f"{f}_evidence")})
    return pd.DataFrame(rows, columns=list(REVIEW)).astype(object)


def pending_reports(documents: pd.DataFrame) -> int:
    """How many reports wait for review (the overview's count)."""
    return int(review_queue(documents)["file"].nunique())


def accept(folder: str | Path, queue: pd.DataFrame, file: str) -> Path:
    """Write a report's queued values, as inferred, into ``folder/manifest.csv``; returns the path written."""
    return save(folder, queue[queue["file"] == file], queue)


def save(folder: str | Path, edited: pd.DataFrame, queue: pd.DataFrame) -> Path:
    """Write the given queue rows' values (edited or as inferred) into ``folder/manifest.csv``.

    Other reports' rows and the other cells of these reports' rows are kept as the manifest had them.

    Args:
        folder: the report folder (where manifest.csv lives).
        edited: queue rows (``review_queue``'s columns), their ``value`` possibly changed by a person.
        queue: the queue as shown (to know which rows are queue rows at all).
    Raises:
        BadReviewValue: naming the file and field when a value cannot be stored (nothing is written then).
    """
    rows, _ = manifest.read_manifest(folder)
    known = set(zip(queue["file"], queue["field"], strict=True))
    for rec in edited.to_dict("records"):
        file, field = rec["file"], rec["field"]
        if (file, field) not in known:
            continue
        value = _parse(file, field, rec.get("value"))
        row = rows.setdefault(file, {c: None for c in manifest.MANIFEST_COLUMNS} | {"file": file})
        row[field] = value
    return manifest.write_manifest(folder, rows)


def _parse(file: str, field: str, value) -> object:
    """The manifest's typed value for a cell a person gave (Chinese labels accepted), or BadReviewValue."""
    text = "" if _missing(value) else str(value).strip()
    if not text:
        raise BadReviewValue(f"{file}: {FIELD_ZH[field]}为空，未保存（要清除推断值请在元数据表中修改）")
    row, problems = manifest._parse_row({"file": file, field: text})
    if problems:
        raise BadReviewValue(f"{file}: {FIELD_ZH[field]}无效（{problems[0]}），未保存")
    return row[field]


def _text(field: str, value) -> str:
    """A value as the queue shows it: a year as digits, a period or level by its Chinese label (全年, 县级)."""
    if field == "year":
        return str(int(value))
    labels = {"period": schema.PERIOD_ZH, "unit_level": schema.LEVEL_ZH}.get(field, {})
    return labels.get(value, str(value))


def _missing(value) -> bool:
    return value is None or value == "" or (not isinstance(value, str) and bool(pd.isna(value)))

