"""Tests of analysis/tables/views.py: the dashboard's pure helpers (no Streamlit)."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.errors import BadCodebook
from analysis.tables import views
from analysis.tables.coverage import LEDGER
from analysis.words.themes import load_codebook


def _docs() -> pd.DataFrame:
    return pd.DataFrame({"doc_id": ["a", "b", "c"], "file": ["a.txt", "b.txt", "c.txt"],
                         "title": [None, "标题", None], "unit": ["市委宣传部", "市委宣传部", None],
                         "unit_level": ["city", "city", "district"], "region": [None, None, None],
                         "year": pd.array([2020, 2023, 2023], dtype="Int64"), "period": ["H1", "H1", "annual"],
                         "chars": [100, 250, 50]})


def test_corpus_counts_counts_named_units_and_distinct_years():
    assert views.corpus_counts(_docs()) == {"reports": 3, "units": 1, "years": 2, "chars": 400}


def test_ledger_grid_absent_cell_is_nan_not_zero():
    led = pd.DataFrame({"unit": ["市委宣传部", "市委宣传部", None], "year": pd.array([2020, 2023, 2023], dtype="Int64"),
                        "period": ["H1", "H1", "annual"], "n_docs": [1, 1, 2], "doc_ids": ["a", "b", "c,d"],
                        "chars": [100, 250, 50]})[list(LEDGER)]
    grid = views.ledger_grid(led)
    assert list(grid.columns) == ["2020", "2023"]
    assert grid.loc["市委宣传部", "2020"] == 1
    assert grid.loc[views.NO_UNIT, "2023"] == 2
    assert math.isnan(grid.loc[views.NO_UNIT, "2020"])


def test_theme_palette_same_colour_for_same_position_and_cycles():
    pal = views.theme_palette([f"t{i}" for i in range(len(views.PALETTE) + 1)])
    assert pal["t0"] == views.PALETTE[0] == pal[f"t{len(views.PALETTE)}"]
    assert len(set(list(pal.values())[: len(views.PALETTE)])) == len(views.PALETTE)


def test_theme_shift_sentences_picks_latest_year_and_states_numbers():
    shift = pd.DataFrame({"year": [2022, 2022, 2023, 2023], "theme": ["x", "y", "x", "y"],
                          "theme_name": ["疫情防控", "理论武装", "疫情防控", "理论武装"], "hits": [9, 1, 1, 9],
                          "hits_per_10k": [1.0] * 4, "share": [0.9, 0.1, 0.1, 0.9],
                          "prev_year": pd.array([None, None, 2022, 2022], dtype="Int64"),
                          "delta_share": [None, None, -0.8, 0.8], "delta_per_10k": [None] * 4})
    out = views.theme_shift_sentences(shift, n=1)
    assert out["direction"].tolist() == ["上升", "下降"]
    rise, fall = out["sentence"].tolist()
    assert rise == "理论武装在主题命中中的占比由2022年的10.0%升至2023年的90.0%（+80.0个百分点）。"
    assert "疫情防控" in fall and "降至2023年的10.0%" in fall


def test_theme_shift_sentences_empty_without_a_previous_year():
    shift = pd.DataFrame({"year": [2023], "theme": ["x"], "theme_name": ["x"], "hits": [1], "hits_per_10k": [1.0],
                          "share": [1.0], "prev_year": pd.array([None], dtype="Int64"), "delta_share": [None],
                          "delta_per_10k": [None]})
    assert views.theme_shift_sentences(shift).empty


def test_term_shift_sentences_marks_new_terms_and_respects_min_count():
    ts = pd.DataFrame({"term": ["二十大", "疫情防控", "偶见"], "n_a": [0, 30, 0], "n_b": [12, 1, 1],
                       "per_10k_a": [0.0, 20.0, 0.0], "per_10k_b": [8.0, 0.5, 0.6], "z": [3.0, -4.0, 1.0],
                       "is_new": [True, False, True], "is_dropped": [False, False, False]})
    out = views.term_shift_sentences(ts, 2020, 2023, n=2, min_count=3)
    assert out["term"].tolist() == ["二十大", "疫情防控"]
    assert out["sentence"].iloc[0] == "“二十大”每万字出现次数由2020年的0.0次升至2023年的8.0次，为新出现的词（z = 3.0）。"
    supported = ts.assign(n_reports_a=4, n_reports_b=5)
    line = views.term_shift_sentences(supported, 2020, 2023, n=1, matched=True)["sentence"].iloc[0]
    assert line.endswith("（z = 3.0；同口径：2020年 4 份、2023年 5 份报告）。")


def test_theme_passages_lists_each_hit_of_the_theme_with_its_section():
    cb = load_codebook()
    theme = cb.themes[0]
    word = theme.keywords[0]
    secs = pd.DataFrame({"doc_id": ["d", "d", "e"], "section_id": ["d/0", "d/1", "e/0"], "path": ["0", "1", "0"],
                         "heading": [None, "一、标题", None], "start": [0, 10, 0],
                         "text": ["开头", f"一、标题\n前文{word}后文{word}", word]})
    out = views.theme_passages(secs, "d", theme.id, cb, window=2)
    assert len(out) == 2
    assert set(out["match"]) == {word} and set(out["path"]) == {"1"}
    assert out["left"].iloc[0] == "前文"


def test_outline_rows_indents_children_and_names_the_dominant_theme():
    secs = pd.DataFrame({"doc_id": ["d"] * 3, "section_id": ["d/0", "d/1", "d/1.1"], "path": ["0", "1", "1.1"],
                         "level": [0, 1, 2], "marker": [None, "一、", "（一）"], "heading": [None, "成效", "理论"],
                         "kind": ["preamble", "achievements", "achievements"], "start": [0, 5, 9],
                         "chars": [5, 30, 20]})
    prof = pd.DataFrame({"section_id": ["d/1", "d/1.1"], "dominant_theme": ["theory", None]})
    out = views.outline_rows(secs, prof, "d", {"theory": "理论武装"})
    assert out["heading"].tolist() == ["", "一、成效", "　（一）理论"]
    assert out["kind"].tolist() == ["导语", "工作成效", "工作成效"]
    assert out["dominant_theme"].tolist() == ["", "理论武装", ""]


def test_aligned_sections_gives_every_report_every_group():
    secs = pd.DataFrame({"doc_id": ["a", "a", "b"], "section_id": ["a/1", "a/2", "b/1"], "path": ["1", "2", "1"],
                         "level": [1, 1, 1], "heading": ["成效", "计划", "成效"],
                         "kind": ["achievements", "plans", "achievements"], "start": [0, 10, 0],
                         "span_end": [10, 20, 8]})
    out = views.aligned_sections(secs, ["a", "b"], by="kind")
    assert list(out) == ["achievements", "plans"]
    assert out["plans"]["b"].empty and out["plans"]["a"]["heading"].tolist() == ["计划"]
    with pytest.raises(ValueError, match="profile"):
        views.aligned_sections(secs, ["a", "b"], by="theme")


@pytest.mark.parametrize(("spans", "expected"), [
    ([(0, 2)], "【ab】cdef"),
    ([(1, 3), (2, 5)], "a【bcde】f"),
    ([(4, 99), (-3, 1)], "【a】bcd【ef】"),
    ([(3, 3)], "abcdef"),
])
def test_mark_spans_wraps_and_merges(spans, expected):
    assert views.mark_spans("abcdef", spans) == expected


@given(st.text(max_size=30), st.lists(st.tuples(st.integers(-5, 40), st.integers(-5, 40)), max_size=5))
def test_mark_spans_only_adds_marks(text, spans):
    marked = views.mark_spans(text, spans, open_mark="\x01", close_mark="\x02")
    assert marked.replace("\x01", "").replace("\x02", "") == text.replace("\x01", "").replace("\x02", "") or \
        "\x01" in text or "\x02" in text


def test_spans_in_is_relative_to_the_section_and_drops_slivers():
    bp = pd.DataFrame({"doc_id": ["a", "a", "b", "a"], "start": [5, 50, 5, 38], "end": [15, 60, 15, 45]})
    assert views.spans_in(bp, "a", 10, 40) == [(0, 5)]
    assert views.spans_in(bp, "a", 10, 40, min_chars=1) == [(0, 5), (28, 30)]


@pytest.mark.parametrize(("name", "expected"), [
    ("../../etc/passwd.txt", "passwd.txt"),
    ("C:\\Users\\x\\报告.DOCX", "报告.docx"),
    (".hidden.txt", "hidden.txt"),
    ("a<b>:c|d?.pdf", "a_b__c_d.pdf"),
    ("..", "report"),
    ("/", "report"),
])
def test_safe_filename_keeps_a_plain_base_name(name, expected):
    assert views.safe_filename(name) == expected


@given(st.text(max_size=80))
def test_safe_filename_never_leaves_the_folder(name):
    safe = views.safe_filename(name)
    assert "/" not in safe and "\\" not in safe and not safe.startswith(".") and safe


def test_save_upload_never_overwrites_a_different_file(tmp_path):
    (tmp_path / "r.txt").write_bytes(b"old")
    same = views.save_upload(tmp_path, "r.txt", b"old")
    beside = views.save_upload(tmp_path, "../r.txt", b"new")
    again = views.save_upload(tmp_path, "r.txt", b"new")
    assert same == views.Saved("r.txt", "same")
    assert beside == views.Saved("r_2.txt", "kept_beside")
    assert again == views.Saved("r_2.txt", "same")
    assert (tmp_path / "r.txt").read_bytes() == b"old" and (tmp_path / "r_2.txt").read_bytes() == b"new"


@pytest.mark.parametrize(("name", "data", "reason"), [
    ("x.exe", b"MZ", "不支持的文件类型"),
    ("x.txt", b"", "文件为空"),
    ("x.txt", b"a" * 11, "文件过大"),
])
def test_save_upload_refuses_with_a_reason(tmp_path, name, data, reason):
    saved = views.save_upload(tmp_path, name, data, max_bytes=10)
    assert saved.status == "refused" and reason in saved.reason
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize(("kind", "data", "reason"), [
    ("stopwords", "的\n两个 词\n".encode(), "one word a line"),
    ("userdict", "二十大 0\n".encode(), "frequency 0"),
    ("codebook", b"themes: [", "up.txt"),
    ("codebook", b"  \n", "文件为空"),
])
def test_replace_resource_refuses_a_bad_file_and_keeps_the_old(tmp_path, kind, data, reason):
    old = tmp_path / views.RESOURCE_FILES[kind]
    old.write_bytes(b"old\n")
    with pytest.raises(BadCodebook, match=reason) as info:
        views.replace_resource(kind, data, tmp_path, name="up.txt")
    assert str(info.value).startswith("up.txt")
    assert old.read_bytes() == b"old\n"


def test_replace_resource_writes_a_valid_file(tmp_path):
    path = views.replace_resource("stopwords", "的\n了\n".encode(), tmp_path)
    assert path.read_text(encoding="utf-8") == "的\n了\n"


def test_manifest_rows_writes_only_edited_cells_and_given_ones():
    docs = _docs()
    existing = {"a.txt": {"file": "a.txt", "title": None, "unit": "市委宣传部", "unit_level": None, "region": None,
                          "year": 2020, "period": None}}
    shown = views.manifest_frame(docs, existing)
    edited = shown.copy()
    edited.loc[edited["file"] == "b.txt", "region"] = "某市"
    rows = {r["file"]: r for r in views.manifest_rows(edited, shown, existing)}
    assert set(rows) == {"a.txt", "b.txt"}
    assert rows["a.txt"]["year"] == 2020 and rows["a.txt"]["unit_level"] is None   # inferred value not frozen
    assert rows["b.txt"]["region"] == "某市" and rows["b.txt"]["unit"] is None


def test_manifest_frame_has_one_row_per_file_with_manifest_values_first():
    existing = {"a.txt": {"file": "a.txt", "unit": "改名单位", "year": 2021}, "gone.txt": {"file": "gone.txt"}}
    df = views.manifest_frame(_docs(), existing)
    assert df["file"].tolist() == ["a.txt", "b.txt", "c.txt", "gone.txt"]
    assert df.loc[0, "unit"] == "改名单位" and df.loc[0, "year"] == 2021


def test_escape_markdown_escapes_syntax():
    assert views.escape_markdown("**a** [x](y)") == "\\*\\*a\\*\\* \\[x\\]\\(y\\)"


def test_find_cjk_font_prefers_the_environment(tmp_path, monkeypatch):
    font = tmp_path / "f.ttf"
    font.write_bytes(b"x")
    monkeypatch.setenv("REPORTLENS_FONT", str(font))
    assert views.find_cjk_font(()) == str(font)
    monkeypatch.delenv("REPORTLENS_FONT")
    assert views.find_cjk_font((str(tmp_path / "missing.ttf"),)) is None


# -- doc_rows: the cached per-document row lookup ---------------------------------------------------------------


@given(st.lists(st.sampled_from(["a", "b", "c", None]), max_size=30),
       st.lists(st.sampled_from(["a", "b", "c", "zz"]), max_size=4))
def test_doc_rows_equals_isin(ids, wanted):
    secs = pd.DataFrame({"doc_id": pd.array(ids, dtype="str"), "n": range(len(ids))})
    got = views.doc_rows(secs, wanted)
    assert got.tolist() == [i for i, d in enumerate(ids) if d in set(wanted)]
    assert views.doc_rows(secs, wanted).tolist() == got.tolist()   # from the cache


def test_doc_rows_is_built_per_table():
    first = pd.DataFrame({"doc_id": ["a", "b", "a"]})
    second = pd.DataFrame({"doc_id": ["b", "b", "a", "c"]})
    assert views.doc_rows(first, ["a"]).tolist() == [0, 2]
    assert views.doc_rows(second, ["a"]).tolist() == [2]
    assert views.doc_rows(second, ["b", "c"]).tolist() == [0, 1, 3]


def test_outline_and_aligned_sections_keep_each_report_apart():
    secs = pd.DataFrame({"doc_id": ["a", "b", "a", "b"], "section_id": ["a/0", "b/0", "a/1", "b/1"],
                         "path": ["0", "0", "1", "1"], "level": [0, 0, 1, 1], "marker": [None, None, "一、", "一、"],
                         "heading": [None, None, "甲", "乙"], "kind": ["preamble", "preamble", "plans", "plans"],
                         "start": [0, 0, 5, 7], "span_end": [5, 7, 9, 12], "chars": [5, 7, 4, 5]})
    prof = pd.DataFrame({"section_id": ["a/1", "b/1"], "dominant_theme": ["theory", "news"]})
    out = views.outline_rows(secs, prof, "b", {"theory": "理论武装", "news": "新闻"})
    assert out["heading"].tolist() == ["", "一、乙"] and out["dominant_theme"].tolist() == ["", "新闻"]
    groups = views.aligned_sections(secs, ["b", "a"], by="theme", profile=prof)
    assert list(groups) == ["（无主题）", "theory", "news"]
    assert groups["news"]["b"]["heading"].tolist() == ["乙"] and groups["news"]["a"].empty


@given(st.lists(st.sampled_from(["a", "b", "c"]), max_size=30), st.lists(st.sampled_from(["a", "b", "zz"]), max_size=3),
       st.booleans())
def test_doc_slice_equals_isin_selection(ids, wanted, grouped):
    ids = sorted(ids) if grouped else ids
    table = pd.DataFrame({"doc_id": pd.array(ids, dtype="str"), "n": range(len(ids))}, index=range(100, 100 + len(ids)))
    pd.testing.assert_frame_equal(views.doc_slice(table, wanted), table[table["doc_id"].isin(wanted)])


@pytest.mark.parametrize("shown, total, want", [
    (5, 5, "共 5 行。"),
    (1000, 48210, "共 48,210 行，下表显示前 1,000 行；下载包含全部行。"),
    (1000, 2_000_000, "共 2,000,000 行，下表显示前 1,000 行。"),
    (1000, None, "下表显示前 1,000 行（表格更长）；下载包含全部行，至多 1,048,575 行（Excel 工作表上限）。"),
])
def test_export_note_says_how_long_the_table_is_and_what_the_download_holds(shown, total, want):
    assert views.export_note(shown, total, 1_048_575) == want


# ---------------------------------------------------------------------------------------------------- upload names


def test_a_long_chinese_upload_name_is_cut_to_what_the_file_system_takes(tmp_path):
    name = "关于" + "宣传思想文化工作" * 25 + "的总结.txt"                     # 205 characters, 613 bytes
    saved = views.save_upload(tmp_path, name, "一、工作".encode())
    assert saved.status == "saved" and saved.name.endswith(".txt")
    assert len(saved.name.encode("utf-8")) <= views.MAX_NAME_BYTES and (tmp_path / saved.name).is_file()
    again = views.save_upload(tmp_path, name, "一、不同".encode())          # the same long name: beside it
    assert again.status == "kept_beside" and len(again.name.encode("utf-8")) <= 255


def test_a_dangling_symlink_of_the_same_name_is_not_overwritten_and_the_file_is_kept_beside(tmp_path):
    (tmp_path / "r.txt").symlink_to(tmp_path / "nowhere.txt")
    saved = views.save_upload(tmp_path, "r.txt", b"new")
    assert saved == views.Saved("r_2.txt", "kept_beside") and (tmp_path / "r_2.txt").read_bytes() == b"new"
    assert (tmp_path / "r.txt").is_symlink() and not (tmp_path / "nowhere.txt").exists()


@pytest.mark.parametrize("name", ["a\x00b.txt", "\x00.txt", "报告\x00\x00.txt", "a\ud800.txt", "a" * 300 + ".txt"])
def test_odd_upload_names_are_saved_under_a_safe_name(tmp_path, name):
    saved = views.save_upload(tmp_path, name, b"x")
    assert saved.status == "saved" and "\x00" not in saved.name and (tmp_path / saved.name).read_bytes() == b"x"
    saved.name.encode("utf-8")


def test_every_file_of_a_batch_gets_its_own_result_even_when_one_fails(tmp_path, monkeypatch):
    real = views._atomic_write

    def failing(target, data, **kw):
        if target.name.startswith("坏"):
            raise OSError(28, "No space left on device")
        return real(target, data, **kw)

    monkeypatch.setattr(views, "_atomic_write", failing)
    results = views.save_uploads(tmp_path, [("好.txt", b"a"), ("坏.txt", b"b"), ("也好.txt", b"c")])
    assert [(r.name, r.status) for r in results] == [("好.txt", "saved"), ("坏.txt", "refused"), ("也好.txt", "saved")]
    assert "No space left on device" in results[1].reason


# ---------------------------------------------------------------------------------------------------- metadata edits


def _editor_frames():
    shown = pd.DataFrame({"file": ["a.txt", "b.txt"], "title": [None, "乙"], "unit": ["甲单位", None],
                          "unit_level": [None, "city"], "region": [None, None],
                          "year": pd.array([2021, None], dtype="Int64"), "period": [None, "H1"]})
    return shown, shown.copy()


@pytest.mark.parametrize("year,reason", [(2020.7, "整数"), (-1, "1949"), (0, "1949"), (1800, "1949"), ("abc", "整数"),
                                         (2101, "2100")])
def test_a_bad_year_in_the_editor_is_refused_with_a_reason_and_the_old_value_kept(year, reason):
    shown, edited = _editor_frames()
    edited["year"] = edited["year"].astype(object)
    edited.loc[0, "year"] = year
    edited.loc[1, "unit"] = "新单位"
    rows, refused = views.manifest_edits(edited, shown, {"a.txt": {"year": 2019}})
    assert {r["file"]: r.get("year") for r in rows}["a.txt"] == 2019          # the manifest's value stays
    assert {r["file"]: r.get("unit") for r in rows}["b.txt"] == "新单位"      # the good edit is saved
    assert len(refused) == 1 and "a.txt" in refused[0] and "年份" in refused[0] and reason in refused[0]


@pytest.mark.parametrize("column,value", [("unit_level", "galaxy"), ("period", "Q9"), ("unit", "甲\n乙"),
                                          ("title", "长" * 301)])
def test_other_bad_cells_are_refused_too(column, value):
    shown, edited = _editor_frames()
    edited.loc[0, column] = value
    rows, refused = views.manifest_edits(edited, shown, {})
    assert all(r.get(column) != value for r in rows) and len(refused) == 1 and "a.txt" in refused[0]


def test_a_good_edit_is_saved_as_it_was_typed():
    shown, edited = _editor_frames()
    edited["year"] = edited["year"].astype(object)
    edited.loc[1, "year"] = 2023.0
    edited.loc[1, "unit_level"] = "county"
    rows, refused = views.manifest_edits(edited, shown, {})
    assert refused == [] and {r["file"]: (r["year"], r["unit_level"]) for r in rows}["b.txt"] == (2023, "county")


def test_pending_edits_follow_their_file_when_the_report_list_changes():
    shown, _ = _editor_frames()
    pending = views.pending_edits(["a.txt", "b.txt"], {"edited_rows": {1: {"unit": "乙单位"}}}, {})
    grown = pd.concat([shown.iloc[:1], shown.iloc[:1].assign(file="aa.txt"), shown.iloc[1:]], ignore_index=True)
    frame = views.with_edits(grown, pending)
    assert frame.set_index("file").loc["b.txt", "unit"] == "乙单位"
    assert frame.set_index("file").loc["aa.txt", "unit"] == "甲单位"
