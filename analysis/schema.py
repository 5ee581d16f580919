"""Table contracts: each table maps column -> (dtype, meaning, label_zh).

Producers say "Returns: a SECTIONS table"; tests call ``assert_table(df, SECTIONS)``.
Columns are English snake_case; Chinese labels live only in ``label_zh`` (pages, CSV headers).
"""

from __future__ import annotations

from typing import NamedTuple

SCHEMA_VERSION = 1

LEVELS = ("province", "city", "county", "district", "township", "organisation", "unknown")
PERIODS = ("H1", "H2", "Q1", "Q2", "Q3", "Q4", "Q1-Q3", "annual")
CONFIDENCES = ("high", "medium", "low")
KINDS = ("preamble", "achievements", "problems", "plans", "other")
SOURCES = ("manifest", "title", "heading", "calendar", "body")

LEVEL_ZH = {"province": "省级", "city": "市级", "county": "县级", "district": "区级",
            "township": "乡镇街道", "organisation": "单位", "unknown": "未知"}
PERIOD_ZH = {"H1": "上半年", "H2": "下半年", "Q1": "一季度", "Q2": "二季度", "Q3": "三季度",
             "Q4": "四季度", "Q1-Q3": "前三季度", "annual": "全年"}
CONFIDENCE_ZH = {"high": "高", "medium": "中", "low": "低"}
SOURCE_ZH = {"manifest": "清单", "title": "标题", "heading": "小标题", "calendar": "政治日历", "body": "正文"}
KIND_ZH = {"preamble": "导语", "achievements": "工作成效", "problems": "问题不足",
           "plans": "工作计划", "other": "其他"}


class Column(NamedTuple):
    dtype: str
    meaning: str
    label_zh: str
    outline_path: bool = False
    """The column holds outline paths ('2.3.1'): a CSV writes them as 2·3·1 (Excel reads 1.10 as the number 1.1)."""


def _table(**cols: tuple) -> dict[str, Column]:
    return {name: Column(*spec) for name, spec in cols.items()}


_EVIDENCE = {}
for _f, _zh in (("title", "标题"), ("unit", "单位"), ("unit_level", "层级"), ("region", "地区"),
                ("year", "年份"), ("period", "时段")):
    _EVIDENCE[f"{_f}_source"] = ("str", f"where {_f} came from: manifest/title/heading/calendar/body",
                                 f"{_zh}来源")
    _EVIDENCE[f"{_f}_evidence"] = ("str", f"the phrase that decided {_f}", f"{_zh}依据")
_CONFIDENCE = {f"{_f}_confidence": ("str", (f"how sure the {_f} is: high/medium/low (low: weak or conflicting cues, "
                                           "shown in the evidence); null when the field is null and nothing conflicts"),
                                    f"{_zh}置信度")
               for _f, _zh in (("year", "年份"), ("period", "时段"), ("unit", "单位"), ("unit_level", "层级"),
                               ("region", "地区"))}

DOCUMENTS = _table(
    doc_id=("str", "stable id: hash of the cleaned text", "文档编号"),
    file=("str", "path of the report relative to the source folder", "文件"),
    title=("str", "the report's own title line(s); null when it starts with its body", "标题"),
    unit=("str", "issuing unit as named (may be masked or null)", "单位"),
    unit_level=("str", "province/city/county/district/township/organisation/unknown", "层级"),
    region=("str", ("the issuer's place as the report writes it, resolved to its full path (湖北省咸宁市通山县); "
                   "null when masked or absent"), "地区"),
    year=("Int64", "year the report covers; null when it cannot be known", "年份"),
    period=("str", "H1/H2/Q1–Q4/Q1-Q3/annual; null when unknown", "时段"),
    chars=("int64", "characters of the cleaned text", "字数"),
    n_sections=("int64", "outline nodes, preamble included", "段落数"),
    format=("str", "txt/docx/pdf", "格式"),
    encoding=("str", "the text encoding decided from the bytes", "编码"),
    removed_chars=("int64", ("characters of web debris removed before parsing (HTML tags and entities, pinyin "
                             "glosses, viewer chunk numbers, site headers and footers); offsets exclude them"), "清除字数"),
    removed=("str", "the removed characters per kind, 'html=12 pinyin=6'; empty when nothing was removed", "清除内容"),
    **_EVIDENCE,
    **_CONFIDENCE,
    province=("str", "the region's province (gazetteer name, Simplified); null when unknown", "省"),
    city=("str", "the region's city or prefecture; null when unknown", "市"),
    county=("str", "the region's county or district; null when unknown", "县区"),
)

SECTIONS = _table(
    section_id=("str", "doc_id + '/' + path", "段落编号"),
    doc_id=("str", "the document", "文档编号"),
    parent_id=("str", "the parent section; null at level 1 and for the preamble", "上级段落"),
    path=("str", "outline position, '2.3.1'; '0' for the preamble", "路径", True),
    level=("int64", "depth in the outline tree: 0 preamble, 1 top level, 2 its children …", "层级深度"),
    marker_type=("str", ("cn_dun 一、 / cn_paren （一） / cn_shi 一是 / cn_di 第一， / num 1. / "
                         "num_paren (1) / circled ㈠ / bracket 【】 / dash —— / plain (unnumbered line) / runin (unnumbered "
                         "run-in head) / preamble"), "序号类型"),
    ordinal=("Int64", "the number the marker stands for (一 → 1)", "序数"),
    marker=("str", "the marker as written ('一、', '(二)', '三是')", "序号"),
    heading=("str", "level 1: the heading line; deeper: the clause up to the first 。 or ；", "标题"),
    kind=("str", "preamble/achievements/problems/plans/other, of its top-level section", "类型"),
    start=("int64", "offset of the section's own text in the cleaned document", "起始"),
    end=("int64", "end of the section's own text (where its first child or the next section starts)", "结束"),
    span_end=("int64", "end of the section with all its descendants", "整体结束"),
    chars=("int64", "characters of the section with its descendants", "字数"),
    text=("str", "the section's own text (excluding children); in order they tile the document", "正文"),
)

TERMS = _table(
    doc_id=("str", "the document", "文档编号"),
    section_id=("str", "the section (own text only)", "段落编号"),
    term=("str", "a jieba token after stopwords, masks, digits and punctuation are removed", "词语"),
    count=("int64", "occurrences in the section's own text", "频次"),
)

FIGURES = _table(
    doc_id=("str", "the document", "文档编号"),
    section_id=("str", "the section holding the figure", "段落编号"),
    start=("int64", "offset in the cleaned document", "起始"),
    end=("int64", "end offset", "结束"),
    text=("str", "the quantity as written ('805篇', '近500支'); the counted object is in object", "原文"),
    value=("float64", "the number, scaled by 万/亿; null when masked", "数值"),
    measure=("str", "the measure word (篇/起/次/人 …)", "量词"),
    object=("str", "what is counted, where the clause shows it", "对象"),
    approx=("str", "近/余/多/约/超/累计 … or null", "约数"),
    is_masked=("bool", "the number is redacted", "是否遮盖"),
)

REDACTIONS = _table(
    doc_id=("str", "the document", "文档编号"),
    section_id=("str", "the section holding the mask", "段落编号"),
    start=("int64", "offset in the cleaned document", "起始"),
    end=("int64", "end offset", "结束"),
    mask=("str", "the mask as written ('**', 'XX', '20xx', '____')", "遮盖符"),
    kind=("str", "numeric (before a measure word or 余/万/多/个) or name", "类别"),
)

PROBLEMS = _table(
    path=("str", "the input file", "文件"),
    stage=("str", "read/parse/manifest/store", "阶段"),
    reason=("str", "why it was not loaded", "原因"),
)

TABLES = {"documents": DOCUMENTS, "sections": SECTIONS, "terms": TERMS, "figures": FIGURES,
          "redactions": REDACTIONS, "problems": PROBLEMS}


def assert_table(df, table: dict[str, Column], name: str = "table") -> None:
    """Raise ``ValueError`` naming the table and its missing columns."""
    missing = [c for c in table if c not in df.columns]
    if missing:
        raise ValueError(f"{name}: missing columns {', '.join(missing)}")


def empty_frame(table: dict[str, Column]):
    """A zero-row DataFrame with the table's columns and dtypes."""
    import pandas as pd

    return pd.DataFrame({c: pd.Series([], dtype=_pandas_dtype(col.dtype)) for c, col in table.items()})


def frame(data: dict[str, list] | list[dict], table: dict[str, Column]):
    """A DataFrame with the table's columns in contract order and its integer and bool dtypes, from column lists
    or row dicts (zero rows give ``empty_frame``)."""
    import pandas as pd

    cols = list(table)
    df = pd.DataFrame.from_records(data, columns=cols) if isinstance(data, list) else pd.DataFrame(data, columns=cols)
    if df.empty:
        return empty_frame(table)
    for c, col in table.items():
        if col.dtype in ("int64", "Int64", "bool"):
            df[c] = df[c].astype(col.dtype)
    return df


def _pandas_dtype(dtype: str) -> str:
    return {"str": "object", "int64": "int64", "Int64": "Int64", "float64": "float64", "bool": "bool"}[dtype]


def labels_zh(table: dict[str, Column]) -> dict[str, str]:
    """Column -> Chinese label, for page tables and CSV headers."""
    return {c: col.label_zh for c, col in table.items()}
