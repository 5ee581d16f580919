"""Small hand-made tables shared by the analysis-core tests (documents, sections, terms).

Four synthetic reports, written for the tests (no text copied from real reports):

| doc | unit | level | year | period | what it is about |
|---|---|---|---|---|---|
| d1 | 甲市委宣传部 | city | 2020 | H1 | pandemic publicity, theory study; plans: civilisation, cyberspace |
| d2 | 甲市委宣传部 | city | 2021 | annual | civilisation (delivered), news; plans: culture |
| d3 | 乙区委宣传部 | district | 2021 | annual | culture, theory study; a masked name |
| d4 | 甲市委宣传部 | city | 2023 | annual | news, cyberspace, 二十大; no plans section |

``tables()`` returns an object with attributes ``documents``, ``sections``, ``terms`` (the ``Tables`` convention).
Section ``text`` is the section's own text (children excluded); ``start``/``end`` are offsets in a notional
document made by concatenating the texts in order, ``chars`` covers the section with its descendants.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

DOCS = [
    # doc_id, unit, level, region, year, period
    ("d1", "甲市委宣传部", "city", "甲市", 2020, "H1"),
    ("d2", "甲市委宣传部", "city", "甲市", 2021, "annual"),
    ("d3", "乙区委宣传部", "district", "乙区", 2021, "annual"),
    ("d4", "甲市委宣传部", "city", "甲市", 2023, "annual"),
]

# doc_id, path, parent path, kind, heading, text (own text, heading included at its start)
SECTIONS = [
    ("d1", "0", None, "preamble", "", "今年以来，全市宣传系统统筹疫情防控和经济社会发展。"),
    ("d1", "1", None, "achievements", "一、上半年工作情况", "一、上半年工作情况\n"),
    ("d1", "1.1", "1", "achievements", "（一）疫情防控宣传有力有序。",
     "（一）疫情防控宣传有力有序。开展新冠肺炎疫情防控宣传，发布防疫知识，助力复工复产。"),
    ("d1", "1.2", "1", "achievements", "（二）理论武装走深走实。",
     "（二）理论武装走深走实。组织理论学习中心组集中学习*次，开展宣讲活动。"),
    ("d1", "2", None, "plans", "二、下半年工作计划",
     "二、下半年工作计划\n深化文明城市创建，开展志愿服务活动；加强网络舆情监测。"),
    ("d2", "0", None, "preamble", "", "一年来，我们围绕中心服务大局。"),
    ("d2", "1", None, "achievements", "一、工作开展情况",
     "一、工作开展情况\n文明城市创建成效明显，志愿服务队伍不断壮大。主题宣传有声有色，新闻发布及时。"),
    ("d2", "2", None, "plans", "二、2022年工作计划", "二、2022年工作计划\n繁荣文艺创作，开展惠民演出。"),
    ("d3", "0", None, "preamble", "", "全区宣传思想文化工作取得新成效。"),
    ("d3", "1", None, "achievements", "一、主要工作",
     "一、主要工作\n开展惠民演出**场，推进全民阅读。理论学习中心组学习常态化。XX有礼品牌叫响。"),
    ("d4", "0", None, "preamble", "", "全年工作以学习宣传贯彻党的二十大精神为主线。"),
    ("d4", "1", None, "achievements", "一、2023年工作情况",
     "一、2023年工作情况\n主题宣传浓墨重彩，新闻发布会召开*场。网络舆情处置及时，清朗行动深入开展。"),
]

TERMS = [
    # doc_id, path, term, count
    ("d1", "1.1", "疫情", 2), ("d1", "1.1", "防控", 2), ("d1", "1.1", "复工复产", 1),
    ("d1", "1.2", "理论", 1), ("d1", "1.2", "宣讲", 1), ("d1", "2", "文明城市", 1), ("d1", "2", "志愿服务", 1),
    ("d2", "1", "文明城市", 1), ("d2", "1", "志愿服务", 1), ("d2", "1", "新闻", 1), ("d2", "2", "文艺", 1),
    ("d3", "1", "惠民", 1), ("d3", "1", "演出", 1), ("d3", "1", "阅读", 1),
    ("d4", "0", "二十大", 1), ("d4", "1", "新闻", 1), ("d4", "1", "舆情", 1), ("d4", "1", "清朗", 1),
]


@dataclass(frozen=True)
class FixtureTables:
    """The ``Tables`` convention: attributes documents, sections, terms (theme_hits added by with_themes)."""

    documents: pd.DataFrame
    sections: pd.DataFrame
    terms: pd.DataFrame


def sections() -> pd.DataFrame:
    """A SECTIONS table of the four reports."""
    rows, offsets = [], {}
    for doc_id, path, parent, kind, heading, text in SECTIONS:
        start = offsets.get(doc_id, 0)
        offsets[doc_id] = start + len(text)
        level = 0 if path == "0" else path.count(".") + 1
        marker = heading.split("、")[0] + "、" if level == 1 else (heading[:3] if level == 2 else "")
        rows.append({"section_id": f"{doc_id}/{path}", "doc_id": doc_id,
                     "parent_id": f"{doc_id}/{parent}" if parent else None, "path": path, "level": level,
                     "marker_type": "preamble" if level == 0 else ("cn_dun" if level == 1 else "cn_paren"),
                     "ordinal": None if level == 0 else int(path.split(".")[-1]), "marker": marker,
                     "heading": heading, "kind": kind, "start": start, "end": start + len(text),
                     "span_end": start + len(text), "chars": len(text), "text": text})
    df = pd.DataFrame(rows)
    # a parent's span and chars include its children
    for i, row in df.iterrows():
        kids = df[(df["doc_id"] == row["doc_id"]) & df["path"].str.startswith(row["path"] + ".")]
        if len(kids):
            df.loc[i, "span_end"] = int(kids["end"].max())
            df.loc[i, "chars"] = int(row["chars"] + kids["chars"].sum())
    df["ordinal"] = df["ordinal"].astype("Int64")
    return df


def documents() -> pd.DataFrame:
    """A DOCUMENTS table of the four reports (chars = the sum of their sections' own text)."""
    secs = sections()
    own = secs.assign(n=secs["text"].str.len()).groupby("doc_id")["n"].sum()
    rows = []
    for doc_id, unit, level, region, year, period in DOCS:
        rows.append({"doc_id": doc_id, "file": f"{doc_id}.txt", "title": None, "unit": unit, "unit_level": level,
                     "region": region, "year": year, "period": period, "chars": int(own[doc_id]),
                     "n_sections": int((secs["doc_id"] == doc_id).sum()), "format": "txt", "encoding": "utf-8"})
    df = pd.DataFrame(rows)
    df["year"] = df["year"].astype("Int64")
    return df


def terms() -> pd.DataFrame:
    """A TERMS table of the four reports."""
    return pd.DataFrame([{"doc_id": d, "section_id": f"{d}/{p}", "term": t, "count": c} for d, p, t, c in TERMS])


def tables() -> FixtureTables:
    """documents, sections and terms of the four reports."""
    return FixtureTables(documents(), sections(), terms())
