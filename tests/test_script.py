"""Analysis in Simplified script: terms, themes, figures and KWIC agree on a Traditional report and its Simplified
form, while texts are shown as written (made-up reports; OpenCC's own converter makes the Traditional copy)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from opencc import OpenCC

from analysis.read.script import has_traditional, script_pattern, to_simplified
from analysis.store import build, load
from analysis.tables.kwic import kwic

SHARED = Path(__file__).resolve().parents[2] / "shared"

REPORT = """区委宣传部2023年宣传思想文化工作总结
2023年，全区宣传思想文化工作坚持围绕中心、服务大局，取得了明显成效。
一、工作开展情况
（一）理论武装扎实深入。组织理论学习中心组集中学习12次，开展理论宣讲320场，发放学习资料5000余册。
（二）新闻宣传有声有色。在中央和省级媒体发稿805篇，网络舆情处置及时，网评员队伍不断壮大。
（三）文明创建持续推进。开展志愿服务活动150余场，评选道德模范10名，推进移风易俗。
二、存在问题
一是基层宣传力量薄弱。二是网络意识形态阵地管理有待加强。
三、下一步工作打算
继续抓好理论学习，深化新时代文明实践中心建设，讲好发展故事。
"""


def test_conversion_keeps_every_offset_and_matches_opencc():
    traditional = OpenCC("s2t").convert(REPORT)
    assert traditional != REPORT and has_traditional(traditional) and not has_traditional(REPORT)
    simple = to_simplified(traditional)
    assert len(simple) == len(traditional)
    assert simple == OpenCC("t2s").convert(traditional) == REPORT
    assert to_simplified(REPORT) is REPORT  # nothing to convert: the same string back


@pytest.mark.parametrize("name", ["014.txt", "015.txt", "044.txt"])
def test_dev_traditional_reports_convert_as_opencc_does(name):
    path = SHARED / "dev" / "reports" / name
    if not path.exists():
        pytest.skip("../shared/dev is not beside the project")
    text = path.read_text(encoding="utf-8")
    assert to_simplified(text) == OpenCC("t2s").convert(text)


def test_script_pattern_finds_both_scripts():
    for query in ("宣传", "宣傳"):
        assert re.findall(script_pattern(query), "宣传工作 宣傳工作") == ["宣传", "宣傳"]
    assert re.fullmatch(script_pattern("发展"), "發展") and re.fullmatch(script_pattern("a.b"), "a.b")
    assert not re.fullmatch(script_pattern("a.b"), "axb")


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    src = tmp_path_factory.mktemp("src")
    (src / "simplified.txt").write_text(REPORT, encoding="utf-8")
    (src / "traditional.txt").write_text(OpenCC("s2t").convert(REPORT), encoding="utf-8")
    out = tmp_path_factory.mktemp("store")
    build(src, out, progress=False)
    tables = load(out)
    ids = dict(zip(tables.documents["file"], tables.documents["doc_id"], strict=True))
    return tables, ids["simplified.txt"], ids["traditional.txt"]


def _per_doc(df, doc_id, columns):
    rows = df[df["doc_id"] == doc_id]
    return sorted(tuple(r) for r in rows.assign(section_id=rows["section_id"].str.split("/").str[1])[columns]
                  .itertuples(index=False))


def test_traditional_report_gives_the_terms_and_theme_hits_of_its_simplified_form(both):
    tables, simple, trad = both
    terms = tables.terms.astype({"term": str, "section_id": str, "doc_id": str})
    cols = ["section_id", "term", "count"]
    assert _per_doc(terms, trad, cols) == _per_doc(terms, simple, cols) != []
    assert not any(has_traditional(t) for t in terms["term"])
    hits = ["section_id", "theme", "hits", "heading_hits", "body_hits"]
    assert _per_doc(tables.theme_hits, trad, hits) == _per_doc(tables.theme_hits, simple, hits) != []
    figs = ["start", "end", "value", "measure", "object"]
    assert _per_doc(tables.figures.assign(section_id=""), trad, figs) == _per_doc(
        tables.figures.assign(section_id=""), simple, figs) != []


def test_texts_are_shown_as_written(both):
    tables, _, trad = both
    secs = tables.sections[tables.sections["doc_id"] == trad]
    assert "".join(secs["text"]) == OpenCC("s2t").convert(REPORT).strip()
    assert "工作開展情況" in set(secs["heading"])
    figs = tables.figures[tables.figures["doc_id"] == trad]
    assert "805篇" in set(figs["text"]) and all(t in "".join(secs["text"]) for t in figs["text"])


@pytest.mark.parametrize("query", ["宣传思想", "宣傳思想"])
def test_kwic_query_in_either_script_finds_both(both, query):
    tables, simple, trad = both
    df = kwic(tables, query, window=4)
    assert set(df["doc_id"]) == {simple, trad}
    assert set(df["match"]) == {"宣传思想", "宣傳思想"}  # each as written
    assert (df[df["doc_id"] == trad]["left"].str.contains("傳|區|會|區委", regex=True)).any()
