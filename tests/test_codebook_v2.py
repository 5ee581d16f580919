"""Codebook v2: minimum evidence, strong terms, cue keywords, list clauses, the audit and its command."""

from __future__ import annotations

import textwrap

import pandas as pd
import pytest

from analysis import cli, store
from analysis.errors import BadCodebook
from analysis.schema import assert_table
from analysis.tables.audit import AUDIT, codebook_audit
from analysis.words.themes import code_sections, load_codebook, section_matches, section_themes

THEMES = """
  - id: staff
    name: 队伍
    min_hits: 2
    strong: [宣传干部队伍]
    keywords: [队伍建设, 党建]
    cues:
      培训: [宣传, 新闻, 业务]
  - id: news
    name: 新闻
    keywords: [新闻发布, 发稿]
  - id: theory
    name: 理论
    keywords: [理论武装]
  - id: cyber
    name: 网信
    keywords: [网络舆情]
"""


@pytest.fixture
def cb(tmp_path):
    path = tmp_path / "codebook.yaml"
    path.write_text("version: t\nthemes:\n" + textwrap.dedent(THEMES), encoding="utf-8")
    return load_codebook(path)


def _bad(tmp_path, themes: str, match: str):
    path = tmp_path / "bad.yaml"
    path.write_text("version: t\nthemes:\n" + textwrap.dedent(themes), encoding="utf-8")
    with pytest.raises(BadCodebook, match=match):
        load_codebook(path)


def test_minimum_evidence_two_body_hits_or_a_heading_or_a_strong_term(cb):
    assert section_themes("加强党建。", "", cb) == []  # one body hit of a min_hits 2 theme
    assert section_themes("加强党建，抓好队伍建设。", "", cb) == ["staff"]
    assert section_themes("（一）队伍建设。其他内容。", "（一）队伍建设。", cb) == ["staff"]  # a heading hit
    assert section_themes("建强宣传干部队伍。", "", cb) == ["staff"]  # strong alone
    assert section_themes("召开新闻发布会。", "", cb) == ["news"]  # min_hits 1 (the default)


def test_cue_keyword_counts_only_with_a_cue_in_its_clause(cb):
    assert section_themes("开展职业技能培训，开展宣传活动。党建引领。", "", cb) == []  # 宣传 in another clause
    assert section_themes("开展宣传业务培训。党建引领。", "", cb) == ["staff"]
    assert [m[3] for m in section_matches("举办新闻培训班", "", cb)] == ["培训"]


def test_a_clause_listing_three_themes_is_no_evidence(cb):
    listed = "推动理论武装、新闻发布、网络舆情和党建工作全面进步。"
    assert section_themes(listed, "", cb) == []
    assert section_themes("推动理论武装。完善新闻发布。", "", cb) == ["news", "theory"]


def test_build_rows_follow_the_evidence_rule(cb):
    secs = pd.DataFrame({"doc_id": ["d", "d"], "section_id": ["d/1", "d/2"], "heading": ["", ""],
                         "text": ["加强党建。", "加强党建，抓好队伍建设。"]})
    hits = code_sections(secs, cb)
    assert hits[["section_id", "theme", "hits"]].values.tolist() == [["d/2", "staff", 2]]


@pytest.mark.parametrize(("themes", "match"), [
    ("  - id: a\n    name: A\n    keywords: [甲]\n    min_hits: 0\n", "min_hits"),
    ("  - id: a\n    name: A\n    keywords: [甲]\n    cues: [乙]\n", "cues"),
    ("  - id: a\n    name: A\n    keywords: [甲]\n    cues:\n      培训: []\n", "cue word"),
    ("  - id: a\n    name: A\n    strong: [讲好…故事]\n", "strong"),
    ("  - id: a\n    name: A\n    keywords: [甲]\n    strong: [甲]\n", "listed twice"),
    (("  - id: a\n    name: A\n    keywords: [甲]\n  - id: b\n    name: B\n    keywords: [乙]\n    cues:\n"
     "      甲: [丙]\n"), "already in theme 'a'"),
])
def test_new_fields_are_validated_with_their_line(tmp_path, themes, match):
    _bad(tmp_path, themes, match)


@pytest.mark.parametrize(("text", "theme"), [
    ("1985年，南非当局推行种族隔离政策，我国政府予以谴责。", "epidemic"),
    ("发行长期建设国债五百亿元，发行地方政府专项债券。", "market"),
    ("加大招商引资力度，建设产业园区，推进招商引资项目落地。", "tourism"),
    ("坚决纠正文山会海、公文旅行等形式主义问题，防止公文旅行。", "tourism"),
    ("要统筹疫情防控和经济社会发展，推动高质量发展。", "epidemic"),
    ("开展职业技能培训，培训农民工十万人次。", "staff"),
])
def test_shipped_codebook_ignores_known_false_friends(text, theme):
    assert theme not in section_themes(text, "", load_codebook())


def test_audit_puts_the_driving_entry_first(cb):
    secs = pd.DataFrame({"doc_id": ["a", "b", "b"], "section_id": ["a/1", "b/1", "b/2"], "heading": ["", "", ""],
                         "text": ["召开新闻发布会，发稿10篇。", "发稿20篇，发稿30篇。", "加强党建。"]})
    audit = codebook_audit(secs, cb)
    assert_table(audit, AUDIT, "audit")
    news = audit[audit["theme"] == "news"]
    assert news["entry"].tolist() == ["发稿", "新闻发布"]
    assert news["hits"].tolist() == [3, 1] and news["n_reports"].tolist() == [2, 1]
    assert news["share"].tolist() == pytest.approx([0.75, 0.25])
    assert "【发稿】" in news["samples"].iloc[0]
    staff = audit[audit["theme"] == "staff"].iloc[0]
    assert (staff["entry"], staff["hits"], staff["weak_hits"]) == ("党建", 0, 1)  # below the minimum
    every = codebook_audit(secs, cb, everything=True)
    assert {"宣传干部队伍", "培训", "理论武装"} <= set(every["entry"])


def test_codebook_audit_command_on_a_store(tmp_path, project_root, capsys):
    out = tmp_path / "data"
    store.build(project_root / "seeds", out, progress=False)
    target = tmp_path / "audit.csv"
    assert cli.main(["codebook", "audit", "--data", str(out), "--theme", "theory", "--csv", str(target)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("理论武装 (theory): ") and "【" in text
    data = target.read_bytes()
    assert data.startswith("\ufeff主题编号".encode())
    assert cli.main(["codebook", "audit", "--data", str(out), "--theme", "nope"]) == 2
    assert cli.main(["codebook", "audit", "--data", str(tmp_path / "none")]) == 1
    assert "no store here" in capsys.readouterr().err


GWR = __import__("pathlib").Path(__file__).resolve().parents[2] / "shared" / "gwr-corpus" / "raw"


@pytest.mark.skipif(not GWR.is_dir(), reason="../shared/gwr-corpus is not here")
def test_government_work_reports_false_friends_are_no_theme_evidence():
    """On the real government work reports: 种族隔离 is no epidemic work, 发行 of bonds no publishing, 招商引资,
    产业园 and 公文旅行 no tourism (each was a driver of v1's hits)."""
    cb = load_codebook()
    friends = {"epidemic": ("种族隔离",), "market": ("发行",), "tourism": ("招商引资", "产业园", "公文旅行")}
    seen = 0
    for path in sorted(GWR.rglob("*.txt")):
        for para in path.read_text(encoding="utf-8", errors="replace").split("\n"):
            if not any(w in para for words in friends.values() for w in words):
                continue
            seen += 1
            for theme, start, end, entry, _ in section_matches(para, "", cb):
                for word in friends.get(theme, ()):
                    at = [i for i in range(len(para)) if para.startswith(word, i)]
                    assert not any(i <= start and end <= i + len(word) for i in at), (path.name, theme, entry,
                                                                                     para[start - 6:end + 6])
    assert seen > 50


def test_the_build_codes_whole_documents_as_section_by_section(tmp_path, project_root):
    """The build matches each document once (``document_theme_columns``); the evidence rule, cues and list
    clauses give the same rows as coding each section alone (``code_sections``)."""
    out = tmp_path / "data"
    store.build(project_root / "seeds", out, progress=False)
    t = store.load(out)
    cols = ["section_id", "theme", "hits", "heading_hits", "body_hits"]
    built = t.theme_hits[cols].sort_values(cols[:2]).reset_index(drop=True)
    alone = code_sections(t.sections, load_codebook())[cols].sort_values(cols[:2]).reset_index(drop=True)
    pd.testing.assert_frame_equal(built.astype({"section_id": object, "theme": object}),
                                  alone.astype({"section_id": object, "theme": object}), check_dtype=False)
    assert len(built) > 20
