"""Words that are one word (the synonym list) and tokens that are no words (Latin junk) in the terms table."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from analysis.errors import BadCodebook
from analysis.parse.segment import (
    DEFAULT_USERDICT,
    RESOURCES,
    Segmenter,
    get_segmenter,
    is_latin_junk,
    load_synonyms,
)
from analysis.tables import views
from analysis.words.terms import count_terms, segment


def _terms(text: str, segmenter=None) -> dict[str, int]:
    secs = pd.DataFrame({"doc_id": ["d"], "section_id": ["d/0"], "text": [text]})
    t = count_terms(secs, segmenter=segmenter)
    return dict(zip(t["term"], t["count"], strict=True))


def test_variants_are_counted_as_one_term():
    got = _terms("深入学习党的二十大精神，宣讲二十大报告。理论学习中心组学习，中心组成员交流。")
    assert got["二十大"] == 2 and "党的二十大" not in got
    assert got["理论学习中心组"] == 2 and "中心组" not in got
    assert segment("党的二十大") == ["二十大"]


def test_latin_junk_is_no_term_but_acronyms_are():
    got = _terms("Public domain false xi ng 3f2a9c0e1b2d4f5a6b7c8d9e0f1a2b3c 建设APP和LED屏，5G基站，二维码。")
    assert {"Public", "domain", "false", "xi", "ng", "3f2a9c0e1b2d4f5a6b7c8d9e0f1a2b3c"}.isdisjoint(got)
    assert {"APP", "LED", "5G", "二维码"} <= set(got)
    assert is_latin_junk("Domain") and not is_latin_junk("app", frozenset({"APP"})) and not is_latin_junk("LED屏")


def test_shipped_variants_segment_whole():
    seg = get_segmenter()
    for variant in load_synonyms(RESOURCES / "synonyms.txt"):
        assert seg.segment(variant) == [variant], variant
        assert variant in seg.segment(f"我们{variant}工作"), variant


@pytest.mark.parametrize(("body", "match"), [
    ("二十大\n", "expected 'term variant"),
    ("二十大 党的二十大\n十九大 党的二十大\n", "listed twice"),
    ("二十大 党的二十大\n党的二十大 中共二十大\n", "is a variant of"),
    ("二十大 党的二十大\n十九大 二十大\n", "is a term itself"),
])
def test_bad_synonym_lists_name_the_line(tmp_path, body, match):
    path = tmp_path / "synonyms.txt"
    path.write_text("# comment\n" + body, encoding="utf-8")
    with pytest.raises(BadCodebook, match=match) as err:
        load_synonyms(path)
    assert err.value.line >= 2
    with pytest.raises(BadCodebook):
        views.validate_resource("synonyms", path.read_bytes(), name="synonyms.txt")


def test_an_edited_list_beside_the_user_dictionary_changes_the_terms_and_the_hash(tmp_path):
    shutil.copy(DEFAULT_USERDICT, tmp_path / "userdict.txt")
    before = Segmenter(tmp_path / "userdict.txt")
    (tmp_path / "synonyms.txt").write_text("宣讲活动 宣讲\n", encoding="utf-8")
    (tmp_path / "acronyms.txt").write_text("domain\n", encoding="utf-8")
    after = Segmenter(tmp_path / "userdict.txt")
    assert after.dictionary_hash != before.dictionary_hash
    got = _terms("开展宣讲。Public domain。", segmenter=after)
    assert got.get("宣讲活动") == 1 and "宣讲" not in got and "domain" in got and "Public" not in got
    cached = get_segmenter(tmp_path / "userdict.txt")
    (tmp_path / "synonyms.txt").write_text("宣讲工作 宣讲\n", encoding="utf-8")
    assert get_segmenter(tmp_path / "userdict.txt") is not cached  # an edit gives a new segmenter
