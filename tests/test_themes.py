"""Tests of analysis.words.themes: the codebook file and its validation, matching, section profiles."""

from __future__ import annotations

import dataclasses
import textwrap
import time

import pandas as pd
import pytest
from analysis_fixtures import sections, tables
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.errors import BadCodebook
from analysis.schema import assert_table
from analysis.words.themes import (
    DEFAULT_CODEBOOK,
    HEADING_WEIGHT,
    SECTION_PROFILE,
    THEME_HITS,
    Codebook,
    ThemedTables,
    code_sections,
    codebook_hash,
    load_codebook,
    match_themes,
    section_theme_profile,
    with_themes,
)

AREAS = ("理论武装", "新闻舆论", "网络与网信", "意识形态", "精神文明", "文化文艺", "文旅与文化产业", "对外宣传",
         "文化市场", "队伍与党建", "疫情防控")


def _write(tmp_path, body: str):
    path = tmp_path / "codebook.yaml"
    path.write_text(textwrap.dedent(body).lstrip("\n"), encoding="utf-8")
    return path


def _codebook(tmp_path, themes: str):
    return load_codebook(_write(tmp_path, "version: t\nthemes:\n" + textwrap.dedent(themes)))


def _section(text: str, heading: str = "", sid: str = "x/1") -> pd.DataFrame:
    return pd.DataFrame({"doc_id": ["x"], "section_id": [sid], "heading": [heading], "text": [text]})


# -- the shipped codebook ------------------------------------------------------------------------------------


def test_load_codebook_shipped_covers_the_eleven_areas():
    cb = load_codebook()
    assert cb.version
    assert [t.name for t in cb.themes] == list(AREAS)
    for theme in cb.themes:
        assert len(theme.keywords) + len(theme.phrases) + len(theme.strong) + len(theme.cues) >= 15, theme.id
        assert theme.description and theme.id.isascii()


def test_load_codebook_default_is_the_shipped_file():
    assert load_codebook() == load_codebook(DEFAULT_CODEBOOK)


# -- validation ----------------------------------------------------------------------------------------------

VALID = """\
  - id: a
    name: 甲
    description: d
    keywords: [文明城市, 志愿服务]
"""


# VALID is lines 3-6 of the file (after "version" and "themes"); a second entry starts at line 7.
@pytest.mark.parametrize(("themes", "line", "words"), [
    (VALID + "  - id: b\n    name: 乙\n    colour: red\n    keywords: [宣讲]\n", 9,
     ["theme 'b'", "unknown field 'colour'", "valid fields: id, name"]),
    (VALID + "  - id: b\n    name: 乙\n    keywords: []\n", 9, ["theme 'b'", "empty theme"]),
    (VALID + "  - id: b\n    name: 乙\n", 7, ["theme 'b'", "empty theme"]),
    (VALID + "  - id: b\n    name: 乙\n    keywords: [宣讲,\n      志愿服务]\n", 10,
     ["theme 'b'", "'志愿服务'", "already in theme 'a'", "line 6"]),
    (VALID + "  - id: a\n    name: 乙\n    keywords: [宣讲]\n", 7, ["theme 'a'", "duplicate id", "line 3"]),
    (VALID + "  - id: b\n    keywords: [宣讲]\n", 7, ["theme 'b'", "missing field 'name'"]),
    (VALID + "  - id: 乙\n    name: 乙\n    keywords: [宣讲]\n", 7, ["ascii"]),
    (VALID + "  - id: b\n    name: 乙\n    keywords: [XX有礼]\n", 9, ["redaction mask"]),
    (VALID + "  - id: b\n    name: 乙\n    keywords: [宣讲, 宣讲]\n", 9, ["listed twice"]),
    (VALID + "  - name: 乙\n    keywords: [宣讲]\n", 7, ["theme at line 7", "missing field 'id'"]),
])
def test_load_codebook_bad_entry_names_entry_and_line(tmp_path, themes, line, words):
    with pytest.raises(BadCodebook) as err:
        _codebook(tmp_path, themes)
    assert err.value.line == line
    assert err.value.path.endswith("codebook.yaml")
    for word in words:
        assert word in err.value.reason
    assert str(err.value).startswith(f"{err.value.path}:{line}: ")


@pytest.mark.parametrize(("body", "line", "word"), [
    ("version: 1\nthemes:\n  - id: a\n    keywords: [宣讲\n", 5, "not valid YAML"),
    ("version: 1\nthemes:\n  - id: a\n   name: x\n", 4, "not valid YAML"),
    ("version: 1\ncolour: red\nthemes: []\n", 2, "unknown field 'colour'"),
    ("themes:\n  - id: a\n    name: x\n    keywords: [宣讲]\n", 1, "'version'"),
    ("version: 1\nthemes: []\n", 2, "non-empty list"),
    ("- a\n- b\n", 1, "mapping"),
])
def test_load_codebook_bad_file(tmp_path, body, line, word):
    with pytest.raises(BadCodebook) as err:
        load_codebook(_write(tmp_path, body))
    assert err.value.line == line
    assert word in err.value.reason


def test_load_codebook_missing_file_names_it(tmp_path):
    with pytest.raises(BadCodebook, match="nowhere.yaml"):
        load_codebook(tmp_path / "nowhere.yaml")


def test_codebook_hash_follows_content_not_path(tmp_path):
    a = _codebook(tmp_path, VALID)
    b = dataclasses.replace(a, path="elsewhere.yaml")
    c = dataclasses.replace(a, themes=(dataclasses.replace(a.themes[0], keywords=("文明城市",)),))
    assert codebook_hash(a) == codebook_hash(b)
    assert codebook_hash(a) != codebook_hash(c)
    assert codebook_hash(load_codebook()) != codebook_hash(a)


# -- matching ------------------------------------------------------------------------------------------------

THEMES = """\
  - id: civ
    name: 精神文明
    keywords: [志愿服务, 志愿服务队, 文明城市, 好人]
    exclude: [做好人, 好人民]
  - id: theory
    name: 理论武装
    keywords: [理论学习中心组, 宣讲]
    phrases: [入脑入心]
  - id: ext
    name: 对外宣传
    keywords: [外宣]
    phrases: [讲好…故事]
"""


@pytest.mark.parametrize(("text", "expected"), [
    ("组建志愿服务队开展志愿服务", {"civ": 2}),               # 志愿服务 inside 志愿服务队 counts once
    ("市委理论学习中心组开展集中学习", {"theory": 1}),         # one phrase, however jieba splits it
    ("文明**城市创建", {}),                                  # a mask never joins a keyword
    ("做好人民群众工作，切实做好人员保障", {}),                 # exclusions suppress 好人
    ("评选身边好人，做好人民群众工作", {"civ": 1}),
    ("讲好中国故事，讲好**故事，外宣有力", {"ext": 3}),          # a gap phrase spans a short gap, even a mask
    ("讲好。故事", {}),                                      # but not across a clause end
    ("宣讲入脑入心，宣讲志愿服务", {"theory": 3, "civ": 1}),
])
def test_match_themes_counts(tmp_path, text, expected):
    cb = _codebook(tmp_path, THEMES)
    got: dict[str, int] = {}
    for theme, start, end in match_themes(text, cb):
        got[theme] = got.get(theme, 0) + 1
        assert "*" not in text[start:end] or text[start:start + 2] == "讲好"
    assert got == expected


def test_code_sections_splits_heading_and_body_hits(tmp_path):
    cb = _codebook(tmp_path, THEMES)
    secs = pd.concat([_section("（一）宣讲入脑入心。开展宣讲活动，组建志愿服务队。", heading="宣讲入脑入心"),
                      _section("没有主题。", sid="x/2")], ignore_index=True)
    hits = code_sections(secs, cb)
    assert_table(hits, THEME_HITS, "theme_hits")
    rows = {r.theme: (r.hits, r.heading_hits, r.body_hits) for r in hits.itertuples()}
    assert rows == {"theory": (3, 2, 1), "civ": (1, 0, 1)}
    assert list(hits["section_id"].unique()) == ["x/1"]


def test_code_sections_on_fixtures_finds_expected_themes():
    hits = code_sections(sections())
    got = hits.groupby("section_id")["theme"].apply(set).to_dict()
    assert got["d1/1.1"] == {"epidemic"}
    assert got["d4/1"] == {"news", "cyber"}
    assert "civilisation" in got["d2/1"]


def test_code_sections_does_not_mutate_input():
    secs = sections()
    before = secs.copy()
    code_sections(secs)
    pd.testing.assert_frame_equal(secs, before)


_fragments = st.sampled_from(["志愿服务", "志愿服务队", "文明", "城市", "好人", "做好人民", "宣讲", "讲好", "故事",
                              "入脑", "入心", "外宣", "X", "**", "，", "的", "理论学习中心组"])


@settings(max_examples=60, deadline=None)
@given(st.lists(_fragments, max_size=20).map("".join))
def test_match_themes_repeated_text_doubles_hits(text):
    """Matches never cross a clause end, so a text repeated after 。 has exactly twice the hits."""
    cb = load_codebook()
    once = len(match_themes(text, cb))
    assert len(match_themes(text + "。" + text, cb)) == 2 * once


def test_code_sections_is_fast_on_a_long_text():
    text = "组建志愿服务队开展志愿服务，市委理论学习中心组学习，网络舆情处置及时，做好人民群众工作。" * 8000
    started = time.perf_counter()
    hits = code_sections(_section(text))
    assert time.perf_counter() - started < 5  # ~350k characters; a quadratic matcher takes minutes
    assert int(hits.loc[hits["theme"] == "civilisation", "hits"].item()) == 2 * 8000


# -- profiles ------------------------------------------------------------------------------------------------


def test_section_theme_profile_heading_weighs_more(tmp_path):
    cb = _codebook(tmp_path, THEMES)
    secs = _section("（一）宣讲。志愿服务，文明城市。", heading="宣讲").assign(kind="achievements", chars=17)
    prof = section_theme_profile(code_sections(secs, cb), secs, codebook=cb)
    assert_table(prof, {k: v for k, v in SECTION_PROFILE.items() if "<" not in k}, "profile")
    row = prof.iloc[0]
    assert row["dominant_theme"] == "theory"  # 1 heading hit × 3 beats 2 body hits
    assert row["weight"] == HEADING_WEIGHT + 2
    assert row["share_theory"] == pytest.approx(3 / 5)
    assert row["share_civ"] == pytest.approx(2 / 5)
    assert row["share_ext"] == 0
    flat = section_theme_profile(code_sections(secs, cb), secs, codebook=cb, heading_weight=1)
    assert flat.iloc[0]["dominant_theme"] == "civ"


def test_section_theme_profile_subtree_adds_descendants():
    secs = sections()
    hits = code_sections(secs)
    own = section_theme_profile(hits, secs).set_index("section_id")
    tree = section_theme_profile(hits, secs, by="subtree").set_index("section_id")
    assert pd.isna(own.loc["d1/1", "dominant_theme"])  # its own text is only the heading 上半年工作情况
    assert tree.loc["d1/1", "weight"] == own.loc["d1/1.1", "weight"] + own.loc["d1/1.2", "weight"]
    assert tree.loc["d1/1", "chars"] == secs.set_index("section_id").loc["d1/1", "chars"]
    assert tree.loc["d1/1.1", "dominant_theme"] == own.loc["d1/1.1", "dominant_theme"] == "epidemic"


def test_section_theme_profile_sections_without_hits_have_no_dominant_theme():
    secs = sections()
    prof = section_theme_profile(code_sections(secs), secs)
    assert len(prof) == len(secs)
    row = prof.set_index("section_id").loc["d2/0"]
    assert pd.isna(row["dominant_theme"]) and row["weight"] == 0
    shares = prof.filter(like="share_")
    sums = shares.sum(axis=1)
    assert ((sums - 1).abs() < 1e-9)[prof["weight"] > 0].all()


def test_section_theme_profile_bad_by():
    with pytest.raises(ValueError, match="'subtree'"):
        section_theme_profile(code_sections(sections()), sections(), by="chapter")


def test_with_themes_adds_hits_and_keeps_other_tables():
    base = tables()
    themed = with_themes(base)
    assert isinstance(themed, ThemedTables) and isinstance(themed.codebook, Codebook)
    pd.testing.assert_frame_equal(themed.theme_hits, code_sections(base.sections))
    assert themed.documents is base.documents and themed.terms is base.terms
    with pytest.raises(AttributeError):
        _ = themed.figures
    assert with_themes(themed).base is base


# ---------------------------------------------------------------------------------------------------- limits


@pytest.mark.parametrize("text,reason", [
    ("version: 1\nthemes: " + "[" * 50_000 + "]" * 50_000 + "\n", "嵌套过深"),
    ("version: 1\nthemes:\n  - id: a\n    name: 甲\n    keywords: " + "{a: " * 5000 + "1" + "}" * 5000 + "\n", "嵌套过深"),
    ("version: 1\nthemes:\n" + "".join(f"  - id: t{i}\n    name: 主题{i}\n    keywords: [词{i}甲, 词{i}乙]\n"
                                       for i in range(40_000)), "过大"),
    ("version: 1\nthemes:\n  - id: a\n    name: 甲\n    keywords: [" + ", ".join(f"词{i}" for i in range(6000))
     + "]\n", "关键词过多"),
])
def test_a_codebook_too_big_or_too_deep_is_refused_with_a_reason(tmp_path, text, reason):
    path = tmp_path / "codebook.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BadCodebook, match=reason):
        load_codebook(path)
