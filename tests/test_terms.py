"""Terms: user dictionary, word lists, the term filter, segment and count_terms."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import schema
from analysis.errors import BadCodebook
from analysis.parse.segment import (
    DEFAULT_OFFICIALESE,
    DEFAULT_STOPWORDS,
    DEFAULT_USERDICT,
    Segmenter,
    get_segmenter,
    load_userdict,
    load_wordlist,
    term_is_valid,
)
from analysis.words.terms import count_terms, segment

# Phrases the issue names: each must come out of jieba as one token.
OFFICIAL_PHRASES = [
    "习近平新时代中国特色社会主义思想", "意识形态工作责任制", "新时代文明实践中心", "社会主义核心价值观", "扫黄打非",
    "理论学习中心组", "网评员", "二十大", "十九届六中全会", "学习强国", "主题教育", "党的二十大", "二十届三中全会",
    "党史学习教育", "新时代文明实践", "文明城市", "志愿服务", "融媒体中心", "农家书屋", "非物质文化遗产", "网络舆情",
    "清朗", "学习贯彻", "两个确立", "两个维护", "四个意识",
]
MASK_CHARS = set("*＊Xx×Ｘｘ_＿")


@pytest.fixture(scope="module")
def seg() -> Segmenter:
    return get_segmenter()


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------------------------------- user dictionary
def test_load_userdict_shipped_has_enough_unique_entries():
    entries = load_userdict(DEFAULT_USERDICT)
    words = [e.word for e in entries]
    assert len(words) >= 150
    assert len(set(words)) == len(words)
    assert set(OFFICIAL_PHRASES) <= set(words)


def test_load_userdict_shipped_entries_have_no_spaces_or_punctuation():
    for entry in load_userdict(DEFAULT_USERDICT):
        assert term_is_valid(entry.word) or entry.word == "十四五" or entry.word == "十五五", entry.word
        assert not any(ch in entry.word for ch in "、，。；：“”（）() "), entry.word


def test_segmenter_keeps_every_userdict_entry_whole(seg):
    broken = []
    for entry in load_userdict(DEFAULT_USERDICT):
        w = entry.word
        alone = seg.segment(w)
        in_sentence = seg.segment(f"今年以来，我们围绕{w}开展了系列活动，取得新成效。")
        if alone != [w] or w not in in_sentence:
            broken.append((w, alone, in_sentence))
    assert broken == []


@pytest.mark.parametrize("phrase", OFFICIAL_PHRASES)
def test_segment_keeps_official_phrase_whole(seg, phrase):
    assert seg.fold(phrase) in segment(f"上半年，全区深入学习{phrase}，效果明显。", segmenter=seg)  # a variant: its term


def test_segmenter_uses_its_own_tokenizer(seg):
    import jieba

    assert seg.segment("意识形态工作责任制") == ["意识形态工作责任制"]
    assert jieba.lcut("意识形态工作责任制") != ["意识形态工作责任制"]


def test_segmenter_custom_userdict_is_used(tmp_path):
    userdict = _write(tmp_path / "u.txt", "# a made-up brand\n清风廉韵 2000 nz\n")
    custom = get_segmenter(userdict)
    assert custom.segment("清风廉韵") == ["清风廉韵"]
    assert get_segmenter().segment("清风廉韵") != ["清风廉韵"]


@pytest.mark.parametrize(("text", "line", "reason"), [
    ("好词 100 nz\n坏词 1x\n", 2, "neither a positive integer"),
    ("好词 100 nz\n\n# note\n坏词 10 NZ\n", 4, "neither a positive integer"),
    ("坏词 1 nz extra\n", 1, "expected 'word [freq] [tag]'"),
    ("好词 100\n坏词 0\n", 2, "frequency 0"),
    ("好词 100\n其他\n好词 5\n", 3, "listed twice (first on line 1)"),
    (b"\xe5\xa5\xbd\n\xff\xfe\n".decode("latin-1"), 2, "not UTF-8"),
])
def test_load_userdict_bad_line_raises(tmp_path, text, line, reason):
    path = tmp_path / "userdict.txt"
    path.write_bytes(text.encode("latin-1") if "not UTF-8" in reason else text.encode("utf-8"))
    with pytest.raises(BadCodebook) as err:
        load_userdict(path)
    assert err.value.line == line
    assert reason in err.value.reason
    assert str(err.value).startswith(f"{path}:{line}: ")


def test_load_userdict_accepts_jieba_forms(tmp_path):
    path = _write(tmp_path / "u.txt", "\ufeff词一\n词二 30\n词三 nz\n词四 40 n\n")
    assert [tuple(e) for e in load_userdict(path)] == [
        ("词一", None, None), ("词二", 30, None), ("词三", None, "nz"), ("词四", 40, "n")]


def test_segmenter_bad_userdict_raises_when_made(tmp_path):
    with pytest.raises(BadCodebook, match="u.txt:1"):
        Segmenter(_write(tmp_path / "u.txt", "坏词 1 2 3\n"))


# ---------------------------------------------------------------------------------------------- word lists
def test_load_wordlist_ignores_comments_and_blank_lines(tmp_path):
    path = _write(tmp_path / "w.txt", "# comment\n\n我们\n  通过  \n#又一条\n我们\n")
    assert load_wordlist(path) == frozenset({"我们", "通过"})


def test_load_wordlist_two_words_on_a_line_raises(tmp_path):
    path = _write(tmp_path / "w.txt", "我们\n通过 进行\n")
    with pytest.raises(BadCodebook) as err:
        load_wordlist(path)
    assert (err.value.path, err.value.line) == (str(path), 2)


def test_load_wordlist_missing_file_raises(tmp_path):
    with pytest.raises(BadCodebook, match="nope.txt"):
        load_wordlist(tmp_path / "nope.txt")


def test_shipped_wordlists_are_large_and_disjoint():
    stop, official = load_wordlist(DEFAULT_STOPWORDS), load_wordlist(DEFAULT_OFFICIALESE)
    assert len(stop) >= 300
    assert {"进一步", "加强", "深入", "推进", "工作", "积极", "切实", "全面", "扎实", "持续"} <= official
    assert stop.isdisjoint(official)
    assert official.isdisjoint(e.word for e in load_userdict(DEFAULT_USERDICT))


# ----------------------------------------------------------------------------------------------- term filter
@pytest.mark.parametrize(("term", "expected"), [
    ("意识形态", True), ("LED", True), ("5G", True), ("多元", True), ("条件", True), ("党的二十大", True),
    ("", False), (" ", False), ("\n", False), ("，", False), ("——", False), ("……", False), ("“”", False),
    ("2023", False), ("２０２３", False), ("3.5", False), ("50%", False), ("2023年", False), ("805篇", False),
    ("58起", False), ("三次", False), ("万人次", False), ("余人", False), ("一季度", False), ("第一", False),
    ("a", False), ("X", False), ("XX", False), ("xx", False), ("**", False), ("＊＊", False), ("__", False),
    ("XX60", False), ("20XX", False), ("0x", False),
    ("党", False),
])
def test_term_is_valid(term, expected):
    assert term_is_valid(term) is expected


def test_term_is_valid_min_chars_one_keeps_single_cjk_not_single_latin():
    assert term_is_valid("党", min_chars=1)
    assert not term_is_valid("a", min_chars=1)
    assert not term_is_valid("，", min_chars=1)
    assert not term_is_valid("3", min_chars=1)


# --------------------------------------------------------------------------------------------------- segment
def test_segment_drops_punctuation_digits_letters_and_stopwords(seg):
    terms = segment("2023年上半年，我们举办了12场次a活动（共805篇），发稿２０２３条！网评员队伍", segmenter=seg)
    assert "网评员" in terms and "发稿" in terms
    assert all(term_is_valid(t) for t in terms)
    assert not {"我们", "2023", "2023年", "12", "a", "805", "场次"} & set(terms)


@pytest.mark.parametrize("text", [
    "**区举行*次集中学习，受众*余人", "XX有礼品牌深入人心", "xx镇宣传委员", "20xx年工作总结", "发稿X万多条次",
    "“*”宣讲品牌", "《*》专栏", "***理论学习中心组", "＊＊区融媒体中心", "____镇综合文化站",
])
def test_segment_never_returns_masks(seg, text):
    terms = segment(text, segmenter=seg)
    assert terms, text
    assert not any(MASK_CHARS & set(t) for t in terms)


_CJK = st.sampled_from(list("宣传思想文化工作理论学习中心组网评员文明实践志愿服务党的二十大精神区市县镇年月日人次篇"))
_OTHER = st.sampled_from(list("，。、；：“”（）《》0123456789 \n"))
_MASK = st.sampled_from(["*", "**", "***", "****", "＊＊", "X", "XX", "XXXX", "x", "xx", "20xx年", "202x年", "____"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(_CJK, _CJK, _OTHER, _MASK), max_size=40))
def test_segment_masks_never_reach_terms(seg, pieces):
    text = "".join(pieces)
    for terms in (segment(text, segmenter=seg), segment(text, segmenter=seg, min_chars=1, drop_officialese=False)):
        assert not any(MASK_CHARS & set(t) for t in terms), (text, terms)


def test_segment_officialese_switch(seg):
    text = "进一步加强意识形态工作，扎实推进网评员队伍建设。"
    dropped = segment(text, segmenter=seg)
    kept = segment(text, segmenter=seg, drop_officialese=False)
    assert "工作" in kept and "加强" in kept
    assert not {"工作", "加强", "进一步", "扎实"} & set(dropped)
    assert {"意识形态", "网评员"} <= set(dropped)
    assert set(dropped) < set(kept)


def test_segment_min_chars(seg):
    assert "书" not in segment("农家书屋里的书", segmenter=seg)
    assert "书" in segment("农家书屋里的书", segmenter=seg, min_chars=1)
    assert "农家书屋" not in segment("农家书屋里的书", segmenter=seg, min_chars=5)


def test_segment_user_dictionary_numerals_survive(seg):
    assert "十四五" in segment("“十四五”开局之年", segmenter=seg)


def test_segment_default_segmenter_matches_explicit(seg):
    text = "认真落实意识形态工作责任制，组织理论学习中心组学习。"
    assert segment(text) == segment(text, segmenter=seg)


# ------------------------------------------------------------------------------------------- segmenter cache
def test_get_segmenter_is_cached():
    assert get_segmenter() is get_segmenter()
    assert get_segmenter(DEFAULT_USERDICT) is get_segmenter()


def test_get_segmenter_edited_list_gives_new_hash(tmp_path):
    stop = _write(tmp_path / "stop.txt", "我们\n")
    first = get_segmenter(stopwords=stop)
    assert get_segmenter(stopwords=stop) is first
    assert first.dictionary_hash != get_segmenter().dictionary_hash
    _write(stop, "我们\n通过\n")
    os.utime(stop, ns=(1, 1))
    second = get_segmenter(stopwords=stop)
    assert second is not first
    assert second.dictionary_hash != first.dictionary_hash
    assert "通过" in second.stopwords


def test_segmenter_dictionary_hash_is_sha1_of_files(tmp_path):
    a = Segmenter()
    assert a.dictionary_hash == Segmenter().dictionary_hash
    assert len(a.dictionary_hash) == 40 and int(a.dictionary_hash, 16) >= 0


def test_segmenter_pickles_without_its_tokenizer(seg):
    import pickle

    copy = pickle.loads(pickle.dumps(seg))
    assert copy.dictionary_hash == seg.dictionary_hash
    assert copy.segment("网评员队伍") == seg.segment("网评员队伍")


def test_segmenter_is_silent(capfd):
    logging.getLogger("jieba").setLevel(logging.DEBUG)
    fresh = Segmenter()
    assert fresh.segment("网评员") == ["网评员"]
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")


# ----------------------------------------------------------------------------------------------- count_terms
def _sections(rows: list[tuple[str, str, str | None]]) -> pd.DataFrame:
    frame = schema.empty_frame(schema.SECTIONS).reindex(range(len(rows)))
    frame["doc_id"] = [r[0] for r in rows]
    frame["section_id"] = [r[1] for r in rows]
    frame["text"] = [r[2] for r in rows]
    return frame


def test_count_terms_three_sections(seg):
    sections = _sections([
        ("d1", "d1/0", "网评员，理论学习中心组！网评员。"),
        ("d1", "d1/1", "扫黄打非、农家书屋、扫黄打非、扫黄打非；农家书屋"),
        ("d2", "d2/0", "“学习强国”与**区的“清朗”，工作。"),
    ])
    terms = count_terms(sections, segmenter=seg)
    schema.assert_table(terms, schema.TERMS, "terms")
    expected = pd.DataFrame({
        "doc_id": ["d1", "d1", "d1", "d1", "d2", "d2"],
        "section_id": ["d1/0", "d1/0", "d1/1", "d1/1", "d2/0", "d2/0"],
        "term": ["网评员", "理论学习中心组", "扫黄打非", "农家书屋", "学习强国", "清朗"],
        "count": [2, 1, 3, 2, 1, 1],
    })
    assert terms[["doc_id", "section_id", "term"]].astype(str).values.tolist() == \
        expected[["doc_id", "section_id", "term"]].values.tolist()
    assert terms["count"].tolist() == expected["count"].tolist()
    assert str(terms["count"].dtype) == "int64"


def test_count_terms_officialese_switch(seg):
    sections = _sections([("d1", "d1/0", "工作工作，网评员。")])
    assert "工作" not in set(count_terms(sections, segmenter=seg)["term"])
    kept = count_terms(sections, segmenter=seg, drop_officialese=False)
    assert dict(zip(kept["term"], kept["count"])) == {"工作": 2, "网评员": 1}


@pytest.mark.parametrize("rows", [[], [("d1", "d1/0", "")], [("d1", "d1/0", None)], [("d1", "d1/0", "，。**")]])
def test_count_terms_empty_input(seg, rows):
    terms = count_terms(_sections(rows), segmenter=seg)
    assert terms.empty
    assert list(terms.columns) == list(schema.TERMS)


def test_count_terms_missing_column_raises(seg):
    with pytest.raises(ValueError, match="sections: missing columns text"):
        count_terms(pd.DataFrame({"doc_id": ["d"], "section_id": ["d/0"]}), segmenter=seg)


def test_count_terms_does_not_mutate_input(seg):
    sections = _sections([("d1", "d1/0", "网评员")])
    before = sections.copy()
    count_terms(sections, segmenter=seg)
    pd.testing.assert_frame_equal(sections, before)


# ------------------------------------------------------------------------------------------------ real seeds
def test_segment_seeds_have_domain_terms(seg, shared_dir):
    seeds = sorted((shared_dir / "seeds").glob("*.txt"))
    if not seeds:
        pytest.skip(f"no seeds in {shared_dir / 'seeds'}")
    terms = set()
    for path in seeds:
        found = segment(path.read_text(encoding="utf-8"), segmenter=seg)
        assert all(term_is_valid(t) or t in seg.words for t in found)
        assert not any(MASK_CHARS & set(t) for t in found)
        terms.update(found)
    assert {"意识形态工作责任制", "理论学习中心组"} & terms
