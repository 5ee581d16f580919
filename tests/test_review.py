"""The 待核对 review queue without Streamlit: which reports wait, what accepting and editing write."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import store
from analysis.store import manifest
from analysis.tables import review

CONFLICT = "2019年某区宣传部工作总结及工作计划\n在区委的领导下扎实推进。\n一、2017年工作亮点\n组织学习12次。\n"
CLEAR = "2021年某县宣传工作总结\n2021年，全县宣传工作扎实推进。\n一、主要工作\n组织学习12次。\n"


@pytest.fixture
def folder(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a_conflict.txt").write_text(CONFLICT, encoding="utf-8")
    (src / "b_clear.txt").write_text(CLEAR, encoding="utf-8")
    return src


def documents(src, tmp_path):
    store.build(src, tmp_path / "data", progress=False)
    return store.load(tmp_path / "data").documents


def test_a_conflicting_field_waits_with_its_evidence_and_a_clear_report_does_not(folder, tmp_path):
    docs = documents(folder, tmp_path)
    queue = review.review_queue(docs)
    assert list(queue.columns) == list(review.REVIEW)
    assert queue[["file", "field", "value", "confidence"]].values.tolist() == [["a_conflict.txt", "year", "2017", "low"]]
    assert "2019" in queue["evidence"].iloc[0]  # the title's contradicting year is shown
    assert review.pending_reports(docs) == 1
    # the store keeps every field's confidence and the places' columns (the export and the queue read them)
    assert {f"{f}_confidence" for f in review.FIELDS} | {"province", "city", "county"} <= set(docs.columns)


def test_accepting_writes_the_inferred_value_and_the_report_leaves_the_queue(folder, tmp_path):
    docs = documents(folder, tmp_path)
    review.accept(folder, review.review_queue(docs), "a_conflict.txt")
    rows, problems = manifest.read_manifest(folder)
    assert problems == [] and rows["a_conflict.txt"]["year"] == 2017
    assert rows["a_conflict.txt"]["period"] is None  # only the queued field is written
    docs = documents(folder, tmp_path)
    assert docs.set_index("file").loc["a_conflict.txt", "year_source"] == "manifest"
    assert review.review_queue(docs).empty and review.pending_reports(docs) == 0


def test_an_edit_is_saved_and_other_manifest_rows_are_kept(folder, tmp_path):
    manifest.write_manifest(folder, [{"file": "b_clear.txt", "unit": "某县委宣传部"}])
    queue = review.review_queue(documents(folder, tmp_path))
    edited = queue.assign(value=["2018年"])
    review.save(folder, edited, queue)
    rows, _ = manifest.read_manifest(folder)
    assert rows["a_conflict.txt"]["year"] == 2018 and rows["b_clear.txt"]["unit"] == "某县委宣传部"


@pytest.mark.parametrize("value", ["公元前", "", None])
def test_a_bad_edit_names_the_file_and_writes_nothing(folder, tmp_path, value):
    queue = review.review_queue(documents(folder, tmp_path))
    with pytest.raises(review.BadReviewValue, match="a_conflict.txt"):
        review.save(folder, queue.assign(value=[value]), queue)
    assert not (folder / manifest.MANIFEST_NAME).exists()


def test_manifest_fields_and_null_fields_never_wait(folder, tmp_path):
    manifest.write_manifest(folder, [{"file": "a_conflict.txt", "year": 2017}])
    (folder / "c_multi.txt").write_text("某县近三年宣传工作总结\n现将有关情况总结如下。\n一、主要工作\n正文。\n",
                                       encoding="utf-8")
    docs = documents(folder, tmp_path)
    multi = docs.set_index("file").loc["c_multi.txt"]
    assert multi["year_confidence"] == "low" and pd.isna(multi["year"])
    assert review.review_queue(docs).empty



def test_periods_and_levels_wait_by_their_chinese_labels_and_are_written_as_codes(tmp_path):
    docs = pd.DataFrame([{"file": "a.txt", "year": 2021, "year_confidence": "high", "year_source": "title",
                          "period": "annual", "period_confidence": "low", "period_source": "body",
                          "period_evidence": "全年", "unit": None, "unit_level": "county",
                          "unit_level_confidence": "low", "unit_level_source": "body", "unit_level_evidence": "我县",
                          "region": None}])
    queue = review.review_queue(docs)
    assert dict(zip(queue["field"], queue["value"], strict=True)) == {"period": "全年", "unit_level": "县级"}
    review.accept(tmp_path, queue, "a.txt")
    rows, problems = manifest.read_manifest(tmp_path)
    assert problems == [] and (rows["a.txt"]["period"], rows["a.txt"]["unit_level"]) == ("annual", "county")
