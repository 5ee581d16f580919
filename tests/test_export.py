"""Export: the registry, Excel-safe CSV and .xlsx writers, atomic files and the ``export`` CLI subcommand."""

from __future__ import annotations

import csv
import io
import shutil
from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import export as export_module
from analysis import schema
from analysis.export import (
    DANGEROUS_START,
    EXPORTS,
    export_csv,
    export_table,
    export_xlsx,
    labels_for,
    neutralise,
    rows_in_sections,
    write_export,
)
from analysis.query.filters import Filter
from analysis.store import core as store_module
from analysis.tables.keyness import TERM_SHIFT as TERM_SHIFT_COLUMNS
from tests.analysis_fixtures import tables as fixture_tables
from tests.excel_mimic import DEEP_REPORT, excel_converts

SAMPLE = pd.DataFrame({
    "term": ["=1+1", "宣传,工作", "-负面"],
    "count": pd.array([3, None, 1], dtype="Int64"),
    "z": [-1.5, 0.25, float("nan")],
    "is_new": [True, False, True],
    "note": ["@x", "a\tb", '引号"内'],
})
SAMPLE_LABELS = {"term": "词语", "count": "频次"}
EXPECTED_CSV = (
    "\ufeff词语,频次,z,is_new,note\r\n"
    "'=1+1,3,-1.5,是,'@x\r\n"
    '"宣传,工作",,0.25,否,a\tb\r\n'
    "'-负面,1,,是,\"引号\"\"内\"\r\n"
)


def test_export_csv_byte_for_byte():
    data = export_csv(SAMPLE, labels=SAMPLE_LABELS)
    assert data == EXPECTED_CSV.encode("utf-8")
    assert data.startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize("text, expected", [
    ("=1+1", "'=1+1"), ("+86", "'+86"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("宣传", "宣传"), ("a=b", "a=b"), ("", ""),
])
def test_neutralise_prefixes_formula_like_text(text, expected):
    assert neutralise(text) == expected


def test_export_csv_keeps_negative_numbers_as_numbers():
    data = export_csv(pd.DataFrame({"z": [-1.25], "n": [-3]}))
    assert data == "\ufeffz,n\r\n-1.25,-3\r\n".encode()


def test_export_xlsx_has_chinese_headers_and_formula_like_text_as_text_cells():
    """The guard's apostrophe showed in the sheet: a text cell is never a formula, so the text is kept as it is."""
    book = openpyxl.load_workbook(io.BytesIO(export_xlsx(SAMPLE, labels=SAMPLE_LABELS)))
    ws = book.active
    assert [c.value for c in ws[1]] == ["词语", "频次", "z", "is_new", "note"]
    assert ws["A2"].value == "=1+1" and ws["A2"].data_type == "s"
    assert ws["B2"].value == 3 and ws["C2"].value == -1.5 and ws["D2"].value == "是"
    assert ws["B3"].value is None and ws["E4"].value == '引号"内'


def test_export_xlsx_cells_are_text_and_columns_as_wide_as_their_text():
    import zipfile

    df = pd.DataFrame({"path": ["1.10", "2.3.1"], "heading": ["坚持以习近平新时代中国特色社会主义思想为指导", "短"]})
    data = export_xlsx(df, labels={"path": "路径", "heading": "段落标题"})
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert ws["A2"].value == "1.10" and ws["A2"].data_type == "s"         # Excel read the CSV's 1.10 as 1.1
    assert ws.column_dimensions["B"].width >= 2 * 22 and 6 <= ws.column_dimensions["A"].width < 20
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet


@pytest.mark.parametrize("value, text", [(0.22134567891234, "0.2213"), (4e-31, "4e-31"), (12345.678912, "12345.6789"),
                                         (-1.5, "-1.5"), (0.0, "0.0")])
def test_csv_floats_are_rounded_to_what_means_something(value, text):
    assert export_csv(pd.DataFrame({"x": [value]})).decode("utf-8-sig").splitlines()[1] == text
    assert export_csv(pd.DataFrame({"x": pd.array([value], dtype=object)})).decode("utf-8-sig").splitlines()[1] == text


def test_export_xlsx_of_a_registered_table_uses_its_labels():
    df = export_table("kwic", fixture_tables(), query="宣传")
    ws = openpyxl.load_workbook(io.BytesIO(export_xlsx(df, labels=labels_for("kwic")))).active
    assert [c.value for c in ws[1]] == list(labels_for("kwic").values())
    assert ws.max_row == len(df) + 1 and "文档编号" in labels_for("kwic").values()


_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)


def _undo(cell: str, original: str) -> str:
    return cell[1:] if original.startswith(DANGEROUS_START) else cell


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_TEXT, _TEXT, st.integers(-10**9, 10**9)), min_size=1, max_size=6))
def test_export_csv_round_trips(rows):
    df = pd.DataFrame(rows, columns=["a", "b", "n"])
    back = pd.read_csv(io.BytesIO(export_csv(df)), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(back.columns) == ["a", "b", "n"]
    for col in ("a", "b"):
        assert [_undo(c, o) for c, o in zip(back[col], df[col])] == df[col].tolist()
    assert back["n"].astype(int).tolist() == df["n"].tolist()


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_write_export_by_extension_leaves_no_temporary_file(tmp_path, suffix):
    path = write_export(SAMPLE, tmp_path / f"out{suffix}", labels=SAMPLE_LABELS)
    data = path.read_bytes()
    assert data == (EXPECTED_CSV.encode() if suffix == ".csv" else data) and data
    if suffix == ".xlsx":
        assert openpyxl.load_workbook(path).active["A1"].value == "词语"
    assert [p.name for p in tmp_path.iterdir()] == [f"out{suffix}"]


def test_write_export_unknown_extension_lists_the_formats(tmp_path):
    with pytest.raises(ValueError, match="'.csv', '.xlsx'"):
        write_export(SAMPLE, tmp_path / "out.json")
    assert not list(tmp_path.iterdir())


def test_export_table_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match="'term_shift'"):
        export_table("nonsense", fixture_tables())


def test_registry_has_every_table_of_the_issue():
    assert set(EXPORTS) == {
        "documents", "sections", "terms", "figures", "redactions", "theme_frequency", "theme_coverage",
        "kind_coverage", "theme_gaps", "ledger", "theme_shift", "term_shift", "rank_shift", "term_timeline",
        "distinctive", "top_terms", "plan_followup", "similarity", "boilerplate", "kwic"}
    assert all(spec.columns and spec.title_zh for spec in EXPORTS.values())


def _with_loader_tables():
    t = fixture_tables()
    figures = pd.DataFrame([{"doc_id": "d3", "section_id": "d3/1", "start": 30, "end": 33, "text": "**场",
                             "value": None, "measure": "场", "object": None, "approx": None, "is_masked": True}])
    redactions = pd.DataFrame([{"doc_id": "d1", "section_id": "d1/1.2", "start": 101, "end": 102, "mask": "*",
                                "kind": "numeric"}])
    return SimpleNamespace(documents=t.documents, sections=t.sections, terms=t.terms, figures=figures,
                           redactions=redactions)


@pytest.mark.parametrize("name", list(EXPORTS))
def test_every_export_gives_its_contract_columns(name):
    groups = (Filter(years=(2020,)), Filter(years=(2021,)))
    df = export_table(name, _with_loader_tables(), Filter(), query="宣传", groups=groups)
    assert isinstance(df, pd.DataFrame)
    assert set(df.columns) <= set(EXPORTS[name].columns), set(df.columns) - set(EXPORTS[name].columns)


def test_loader_tables_are_filtered():
    t = _with_loader_tables()
    assert export_table("documents", t, Filter(levels=("district",)))["doc_id"].tolist() == ["d3"]
    assert export_table("figures", t, Filter(years=(2020,))).empty
    assert len(export_table("redactions", t, Filter(years=(2020,)))) == 1
    secs = export_table("sections", t, Filter(kinds=("plans",)))
    assert set(secs["kind"]) == {"plans"}
    terms = export_table("terms", t, Filter(kinds=("plans",)))
    assert set(terms["section_id"]) <= set(secs["section_id"]) and len(terms) == 3


def test_groups_are_merged_over_the_filter():
    t = fixture_tables()
    df = export_table("term_shift", t, Filter(units=("甲市委宣传部",)),
                      groups=(Filter(years=(2021,)), Filter(years=(2023,))))
    # only d2 (甲市, 2021) in A: d3 (乙区, 2021) is outside the base filter
    assert df.set_index("term")["n_a"].get("惠民", 0) == 0
    assert df.set_index("term").loc["文明城市", "n_a"] == 1


@pytest.mark.parametrize("name, kwargs, message", [
    ("term_shift", {}, "--groups"),
    ("rank_shift", {"groups": (Filter(years=(2020, 2021)), Filter(years=(2023,)))}, "two years"),
    ("kwic", {}, "--query"),
])
def test_export_table_missing_inputs_are_clear(name, kwargs, message):
    with pytest.raises(ValueError, match=message):
        export_table(name, fixture_tables(), **kwargs)


def test_rank_shift_takes_two_years_from_the_filter():
    df = export_table("rank_shift", fixture_tables(), Filter(years=(2020, 2021)), top=3)
    assert df.set_index("term").loc["疫情", "rank_a"] == 1


# -------------------------------------------------------------------------------------------------------- CLI


def _cli(argv):
    from analysis.cli import main

    return main(argv)


def test_cli_export_csv_to_stdout(seed_store, capsysbinary):
    code = _cli(["export", "term_shift", "--groups", "year=2020", "year=2023", "--top", "5",
                 "--data", str(seed_store)])
    out = capsysbinary.readouterr().out
    assert code == 0 and out.startswith(b"\xef\xbb\xbf")
    header = out.decode("utf-8-sig").split("\r\n")[0]
    assert header.split(",") == list(labels_for("term_shift").values())
    df = pd.read_csv(io.BytesIO(out), encoding="utf-8-sig")
    assert len(df) == 10 and "疫情防控" in df["词语"].tolist()


def test_cli_export_speaks_chinese_by_default_and_english_on_request(seed_store, capsysbinary):
    """The CLI wrote district / annual / preamble and True/False where the dashboard writes 区级 / 全年 / 导语."""
    assert _cli(["export", "documents", "--data", str(seed_store)]) == 0
    zh = pd.read_csv(io.BytesIO(capsysbinary.readouterr().out), encoding="utf-8-sig")
    assert set(zh["层级"]) == {"市级", "区级"} and set(zh["时段"]) == {"上半年", "全年"}
    assert _cli(["export", "sections", "--data", str(seed_store)]) == 0
    sections = pd.read_csv(io.BytesIO(capsysbinary.readouterr().out), encoding="utf-8-sig")
    assert "导语" in set(sections["类型"]) and "preamble" not in set(sections["类型"])
    assert _cli(["export", "term_shift", "--groups", "year=2020", "year=2023", "--data", str(seed_store)]) == 0
    shift = pd.read_csv(io.BytesIO(capsysbinary.readouterr().out), encoding="utf-8-sig", dtype=str)
    booleans = [c for c, col in TERM_SHIFT_COLUMNS.items() if col.dtype == "bool"]
    assert booleans and all(set(shift[TERM_SHIFT_COLUMNS[c].label_zh]) <= {"是", "否"} for c in booleans)
    assert _cli(["export", "documents", "--lang", "en", "--data", str(seed_store)]) == 0
    en = pd.read_csv(io.BytesIO(capsysbinary.readouterr().out), encoding="utf-8-sig")
    assert set(en["unit_level"]) == {"city", "district"} and "annual" in set(en["period"])


def test_cli_export_filtered_xlsx(seed_store, tmp_path, capsys):
    out = tmp_path / "docs.xlsx"
    code = _cli(["export", "documents", "--year", "2022", "--level", "district", "--data", str(seed_store),
                 "--out", str(out)])
    assert code == 0 and "2 rows" in capsys.readouterr().err
    ws = openpyxl.load_workbook(out).active
    assert ws["A1"].value == schema.DOCUMENTS["doc_id"].label_zh and ws.max_row == 3


def test_cli_export_kwic_query(seed_store, capsysbinary):
    assert _cli(["export", "kwic", "--query", "举旗帜", "--data", str(seed_store)]) == 0
    df = pd.read_csv(io.BytesIO(capsysbinary.readouterr().out), encoding="utf-8-sig")
    assert len(df) >= 3 and set(df["关键词"]) == {"举旗帜"}


@pytest.mark.parametrize("argv, message", [
    (["export", "nonsense"], "'term_shift'"),
    (["export", "documents", "--year", "1999"], "2020"),
    (["export", "documents", "--level", "galaxy"], "'city'"),
    (["export", "term_shift", "--groups", "colour=red", "year=2023"], "'year'"),
    (["export", "term_shift"], "--groups"),
    (["export", "documents", "--out", "x.json"], ".xlsx"),
])
def test_cli_export_errors_list_the_valid_values(seed_store, capsys, argv, message):
    code = _cli([*argv, "--data", str(seed_store)])
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.startswith("error:")


def test_cli_export_missing_store_exits_1(tmp_path, capsys):
    assert _cli(["export", "documents", "--data", str(tmp_path / "none")]) == 1
    assert "none" in capsys.readouterr().err


# -------------------------------------------------------------------------------------- cached section lookups

_LOADER_FILTERS = [Filter(), Filter(kinds=("plans",)), Filter(years=(2021, 2023), kinds=("achievements", "other")),
                   Filter(levels=("district",)), Filter(units=("甲市委宣传部",), year_from=2021)]


def _plain_loader(monkeypatch, name, t, flt):
    with monkeypatch.context() as m:
        m.setattr(export_module, "_kept_sections", lambda *_a, **_k: None)
        return export_table(name, t, flt)


@pytest.mark.parametrize("categorical", [False, True])
def test_rows_in_sections_equal_isin(categorical):
    t = _with_loader_tables()
    if categorical:
        t.terms = t.terms.astype({"section_id": "category", "doc_id": "category"})
    for keep in (np.ones(len(t.sections), dtype=bool), np.arange(len(t.sections)) % 2 == 0,
                 np.zeros(len(t.sections), dtype=bool)):
        chosen = set(t.sections.loc[keep, "section_id"])
        for name in ("terms", "figures", "redactions"):
            want = getattr(t, name)["section_id"].isin(chosen).to_numpy()
            assert rows_in_sections(t, name, keep).tolist() == want.tolist(), name


def test_rows_in_sections_never_keeps_rows_of_unknown_sections():
    t = _with_loader_tables()
    t.figures = t.figures.assign(section_id="d9/1")
    assert not rows_in_sections(t, "figures", np.ones(len(t.sections), dtype=bool)).any()


@pytest.mark.parametrize("flt", _LOADER_FILTERS)
def test_loader_tables_equal_plain_selection_on_fixture(monkeypatch, flt):
    t = _with_loader_tables()
    t.terms = t.terms.astype({"section_id": "category"})
    for name in ("sections", "terms", "figures", "redactions"):
        pd.testing.assert_frame_equal(export_table(name, t, flt), _plain_loader(monkeypatch, name, t, flt))


def test_loader_tables_equal_plain_selection_on_seeds(monkeypatch, seed_store):
    from analysis.store import load

    t = load(seed_store)
    years = sorted(int(y) for y in t.documents["year"].dropna().unique())
    from analysis.words.themes import load_codebook

    theme = load_codebook().ids[0]
    for flt in (Filter(), Filter(kinds=("plans",)), Filter(years=tuple(years[:2]), kinds=("achievements",)),
                Filter(themes=(theme,))):
        for name in ("sections", "terms", "figures", "redactions"):
            got = export_table(name, t, flt)
            pd.testing.assert_frame_equal(got, _plain_loader(monkeypatch, name, t, flt))
            assert flt != Filter() or len(got) == len(getattr(t, name))


@pytest.mark.parametrize("plain", [0, 1 << 20])      # rows read as dictionary codes, or as plain strings
@pytest.mark.parametrize("batch", [1 << 21, 13])
def test_terms_of_a_loaded_store_are_exported_from_its_file_without_reading_it_whole(monkeypatch, seed_store,
                                                                                       batch, plain):
    """A store's TERMS rows for the data page (preview, download, CLI) are read from the terms file: the rows
    in the selected sections, in table order, as the plain selection over the whole DataFrame gives them."""
    from analysis.store import TermsFile, load
    from analysis.words.themes import load_codebook

    real = TermsFile.batches
    monkeypatch.setattr(TermsFile, "batches", lambda self, columns, batch_size=0: real(self, columns, batch))
    monkeypatch.setattr(store_module, "PLAIN_BATCH_ROWS", batch)
    monkeypatch.setattr(store_module, "PLAIN_TAKE_ROWS", plain)
    whole = load(seed_store)
    loaded = SimpleNamespace(documents=whole.documents, sections=whole.sections, terms=whole.terms)
    years = sorted(int(y) for y in whole.documents["year"].dropna().unique())
    for flt in (Filter(), Filter(kinds=("plans",)), Filter(years=tuple(years[1:3]), kinds=("achievements",)),
                Filter(themes=(load_codebook().ids[0],)), Filter(years=(1999,))):
        t = load(seed_store)
        want = _plain_loader(monkeypatch, "terms", loaded, flt)
        pd.testing.assert_frame_equal(export_table("terms", t, flt), want, check_categorical=False)
        p = export_module.preview_table("terms", t, flt, rows=25)
        pd.testing.assert_frame_equal(p.frame, want.head(25), check_categorical=False)
        assert p.total == len(want)
        keep = np.isin(t.sections["section_id"], want["section_id"].astype(str))
        assert int(rows_in_sections(t, "terms", keep).sum()) == len(want)
        assert not t.terms_file.loaded, flt


@pytest.mark.parametrize("batch", [1 << 21, 13])
def test_terms_runs_found_by_the_term_index_equal_the_files_own(monkeypatch, seed_store, batch):
    """The term index's build reads the file's section ids anyway: it leaves their runs for the export, which then
    never reads the file's ids again (at national scale that read took half a minute)."""
    from analysis.query import index
    from analysis.store import TermsFile, load

    real = TermsFile.batches
    monkeypatch.setattr(TermsFile, "batches", lambda self, columns, batch_size=0: real(self, columns, batch))
    monkeypatch.setattr(index, "TERM_INDEX_CHUNK", batch)
    t = load(seed_store)
    want = export_module._file_runs(t, t.terms_file)
    index.term_index(t)
    monkeypatch.setattr(export_module, "_file_runs", lambda *_: pytest.fail("the file's ids read again"))
    got = export_module.section_runs(t, "terms")
    assert all(np.array_equal(g, w) for g, w in zip(got, want, strict=True)) and len(got[0]) > 5
    assert not t.terms_file.loaded


# ------------------------------------------------------------------------------------------- preview and CLI line

_PREVIEW_GROUPS = (Filter(years=(2022,)), Filter(years=(2023,)))


@pytest.mark.parametrize("name", list(EXPORTS))
@pytest.mark.parametrize("rows", [0, 3, 10_000])
def test_preview_is_the_head_of_the_export_and_counts_it(seed_tables, name, rows):
    """What the data page shows: the export's first rows and its length, whatever the table."""
    from analysis.words.themes import load_codebook

    theme = load_codebook().ids[0]
    for flt in (Filter(), Filter(kinds=("plans",), year_from=2022), Filter(themes=(theme,), year_from=2022)):
        kwargs = {"query": "宣传", "groups": _PREVIEW_GROUPS}
        try:
            full = export_table(name, seed_tables, flt, **kwargs)
        except ValueError:
            continue    # a comparison the seeds cannot make: the page shows the message
        p = export_module.preview_table(name, seed_tables, flt, rows=rows, **kwargs)
        pd.testing.assert_frame_equal(p.frame, full.head(rows), check_categorical=False)
        if p.total is None:     # a long KWIC is only known to be longer than what is shown
            assert name == "kwic" and len(full) > rows and p.full is None
        else:
            assert p.total == len(full)
        if p.full is not None:
            pd.testing.assert_frame_equal(p.full, full)


def test_preview_of_terms_does_not_copy_the_table(seed_tables, monkeypatch):
    """The TERMS preview is made from the mask: the whole-table path is never taken."""
    monkeypatch.setattr(export_module, "export_table", lambda *a, **k: pytest.fail("whole table built"))
    p = export_module.preview_table("terms", seed_tables, Filter(), rows=4)
    assert len(p.frame) == 4 and p.total == len(seed_tables.terms) and p.full is None


def test_preview_of_a_short_kwic_knows_its_length(seed_tables):
    full = export_table("kwic", seed_tables, query="举旗帜")
    p = export_module.preview_table("kwic", seed_tables, query="举旗帜", rows=len(full))
    assert p.total == len(full) and p.full is not None
    short = export_module.preview_table("kwic", seed_tables, query="举旗帜", rows=len(full) - 1)
    assert short.total is None and len(short.frame) == len(full) - 1
    capped = export_module.preview_table("kwic", seed_tables, query="举旗帜", rows=len(full), top=2)
    assert capped.total == 2


@pytest.mark.parametrize("flt, groups, query", [
    (Filter(), None, None),
    (Filter(year_from=2020, year_to=2023, levels=("county", "city"), kinds=("plans",)), None, None),
    (Filter(year_from=2021, units=("市委 宣传部", "甲,乙"), periods=("H1",)), None, "二十大 新时代"),
    (Filter(years=(2020, 2022), regions=("江苏",), themes=("party_building",)),
     (Filter(years=(2020,)), Filter(year_from=2021, year_to=2022, levels=("city",))), None),
])
def test_cli_command_writes_the_table_the_page_shows(tmp_path, flt, groups, query):
    """The command the page gives for a long table parses back to the same table, filter and groups."""
    import argparse
    import shlex

    line = export_module.cli_command("terms", flt, query=query, groups=groups, data=tmp_path / "my data")
    argv = shlex.split(line)
    assert argv[:4] == ["python", "-m", "analysis", "export"]
    parser = argparse.ArgumentParser()
    export_module.add_export_command(parser.add_subparsers())
    args = parser.parse_args(argv[3:])
    assert args.table == "terms" and args.data == str(tmp_path / "my data") and args.out == "terms.csv"
    got = export_module.filter_from_args(args)
    assert got == (flt if flt.year_to is not None or flt.year_from is None else replace(flt, year_to=9999))
    assert args.query == query
    assert (tuple(Filter.parse(g) for g in args.groups) if args.groups else None) == groups


@pytest.mark.parametrize("categorical", [False, True])
@pytest.mark.parametrize("rows", [0, 1, 4, 100])
def test_preview_follows_table_order_when_a_section_rows_are_scattered(categorical, rows):
    """Rows of one section need not be together (a hand-made or merged table): the head is still in table order."""
    t = _with_loader_tables()
    terms = t.terms.sample(frac=1.0, random_state=3).reset_index(drop=True)
    extra = terms.iloc[:2].assign(section_id="d9/1")      # rows of a section that SECTIONS does not have
    t.terms = pd.concat([terms.iloc[:3], extra, terms.iloc[3:]], ignore_index=True)
    if categorical:
        t.terms = t.terms.astype({"section_id": "category"})
    for flt in _LOADER_FILTERS:
        full = export_table("terms", t, flt)
        p = export_module.preview_table("terms", t, flt, rows=rows)
        pd.testing.assert_frame_equal(p.frame, full.head(rows))
        assert p.total == len(full)


def _csv_row_by_row(df: pd.DataFrame) -> bytes:
    """The CSV the simple way: every cell through ``_text``, a row at a time."""
    import csv

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([neutralise(str(c)) for c in df.columns])
    for row in df.itertuples(index=False, name=None):
        writer.writerow([export_module._text(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def test_export_csv_by_column_equals_cell_by_cell(monkeypatch):
    """Columns are turned into text a whole column (and a categorical's categories once) at a time: every dtype
    a table has gives the same bytes as writing each cell on its own, across chunk borders."""
    monkeypatch.setattr(export_module, "CSV_CHUNK_ROWS", 7)
    rng = np.random.default_rng(1)
    n = 40
    df = pd.DataFrame({
        "int": rng.integers(-1000, 1000, n), "small": rng.integers(0, 9, n).astype(np.uint8),
        "float": np.where(rng.random(n) < 0.2, np.nan, rng.standard_normal(n) * 10.0 ** rng.integers(-20, 20, n)),
        "edge": np.resize([0.1, 1e16, np.inf, -np.inf, -0.0, 1e-5], n),
        "f32": rng.standard_normal(n).astype(np.float32), "flag": rng.random(n) < 0.5,
        "nullable": pd.array(np.where(rng.random(n) < 0.3, None, rng.integers(0, 9, n)), dtype="Int64"),
        "text": pd.Series(rng.choice(["=1", "-a", "宣传", None, "a,b", 'q"x', "\tz", "x\x00y", "", "+86"], n),
                          dtype=object),
        "string": pd.Series(rng.choice(["=1", "宣传", "a\nb"], n)).astype("string"),
        "cat": pd.Categorical(rng.choice(["@x", "b", None], n), categories=["@x", "b", "unused"]),
        "cat_int": pd.Categorical(rng.integers(0, 3, n)),
        "mixed": pd.Series([1, "x", 2.5, None, True] * (n // 5), dtype=object),
    })
    assert export_csv(df) == _csv_row_by_row(df)
    assert export_csv(df.iloc[:0]) == _csv_row_by_row(df.iloc[:0])


def test_download_holds_the_whole_table_a_preview_was_cut_from(seed_tables, monkeypatch):
    for name, kwargs in (("terms", {}), ("kwic", {"query": "宣传"}), ("ledger", {})):
        full = export_table(name, seed_tables, Filter(), **kwargs)
        p = export_module.preview_table(name, seed_tables, Filter(), rows=2, **kwargs)
        pd.testing.assert_frame_equal(export_module.download_table(p, name, seed_tables, Filter(), **kwargs), full)
    monkeypatch.setattr(export_module, "EXCEL_MAX_ROWS", 3)     # a KWIC longer than a sheet stops at its last row
    p = export_module.preview_table("kwic", seed_tables, query="宣传", rows=2)
    got = export_module.download_table(p, "kwic", seed_tables, query="宣传")
    pd.testing.assert_frame_equal(got, export_table("kwic", seed_tables, query="宣传").head(3))


# ------------------------------------------------------------------------------------------- unique headers


def _table_contracts() -> dict[str, dict[str, schema.Column]]:
    """Every table contract (column → Column) a module of the analysis package defines, by module.name."""
    import importlib
    import pkgutil

    import analysis

    found = {}
    for info in pkgutil.walk_packages(analysis.__path__, "analysis."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if isinstance(value, dict) and value and all(isinstance(c, schema.Column) for c in value.values()):
                found[f"{info.name}.{name}"] = value
    return found


def test_every_table_contract_has_unique_chinese_headers():
    """Two columns with one header make the page's table fail ("Duplicate column names") and a CSV ambiguous."""
    contracts = _table_contracts()
    assert "analysis.schema.SECTIONS" in contracts and "analysis.tables.reuse.BOILERPLATE" in contracts
    for where, table in contracts.items():
        labels = [c.label_zh for c in table.values()]
        assert len(set(labels)) == len(labels), (where, sorted({x for x in labels if labels.count(x) > 1}))


@pytest.mark.parametrize("name", list(EXPORTS))
def test_every_export_writes_unique_headers(seed_tables, name):
    """The header row each export's CSV has (contract columns and any other column it gives)."""
    df = export_table(name, seed_tables, Filter(), query="宣传", groups=_PREVIEW_GROUPS)
    header = export_csv(df.head(1), labels=labels_for(name)).decode("utf-8-sig").splitlines()[0].split(",")
    assert len(set(header)) == len(header), header


@pytest.mark.parametrize("unit", ["宣传部$(touch pwned)", "宣传部`touch pwned`", "宣传部\"; touch pwned; \"",
                                  "宣传部'$(touch pwned)'", "宣传部\ntouch pwned", "宣传部$HOME\\", "-rf *"])
def test_cli_command_quotes_every_value_for_the_shell(tmp_path, unit):
    """Pasted into a shell, the suggested command passes each value as it is and runs nothing else."""
    import shlex
    import subprocess

    line = export_module.cli_command("terms", Filter(units=(unit,)), query=unit, data=tmp_path / "d $(x)")
    argv = shlex.split(line)
    assert argv[argv.index("--unit") + 1] == Filter(units=(unit,)).to_query()["unit"]
    assert argv[argv.index("--query") + 1] == unit
    echo = "printf '%s\\0' " + line.removeprefix("python ")             # the same words, printed by the shell
    out = subprocess.run(["bash", "-c", echo], cwd=tmp_path, capture_output=True, check=True).stdout
    assert out.decode().split("\0")[:-1] == argv[1:]
    assert not (tmp_path / "pwned").exists()


# --------------------------------------------------------------------------------------------- outline paths

PATH_EXPORTS = [n for n, spec in EXPORTS.items() if any(c.label_zh == "路径" for c in spec.columns.values())]
"""The exports with an outline-path column (路径), found in the registry."""


@pytest.fixture(scope="module")
def deep_store(tmp_path_factory, seeds_dir):
    """The seeds and ``DEEP_REPORT`` built into a scratch store."""
    from analysis.store import build

    base = tmp_path_factory.mktemp("deep")
    shutil.copytree(seeds_dir, base / "src")
    (base / "src" / "deep.txt").write_text(DEEP_REPORT, encoding="utf-8")
    build(base / "src", base / "data", progress=False)
    return base / "data"


@pytest.mark.parametrize("text, converted", [
    ("1", "number"), ("1.", "number"), ("1.10", "number"), ("1e5", "number"), ("1,000", "number"),
    ("10%", "number"), ("1 1/2", "number"), ("1-10", "date"), ("1/10", "date"), ("2020-1-10", "date"),
    ("1.10.2020", "date"), ("1月10日", "date"), ("1:10", "time"), ("1:10:05", "time"),
    ("宣传", None), ("1·10", None), ("2·3·1", None),
])
def test_the_excel_mimic_converts_what_excel_converts(text, converted):
    assert excel_converts(text) == converted


def test_every_outline_path_column_is_known_as_one():
    """A column headed 路径 holds outline paths: its CSV cells are written so that Excel keeps them as text."""
    assert set(PATH_EXPORTS) == {"sections", "kwic"}
    for where, table in _table_contracts().items():
        for name, col in table.items():
            assert col.outline_path == (col.label_zh == "路径"), (where, name)


@pytest.mark.parametrize("name", PATH_EXPORTS)
def test_csv_outline_paths_stay_text_when_excel_opens_them(deep_store, tmp_path, name):
    """Excel read the CSV's outline path 1.10 as the number 1.1 (and 1.2.3 as a date where dates take dots)."""
    out = tmp_path / f"{name}.csv"
    assert _cli(["export", name, "--query", "工作 学习", "--data", str(deep_store), "--out", str(out)]) == 0
    cells = [row["路径"] for row in csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig")))]
    paths = export_table(name, store_module.load(deep_store), query="工作 学习")["path"].astype(str).tolist()
    assert "1.10" in paths and "1.10.1" in paths
    changed = {c: excel_converts(c) for c in cells if excel_converts(c) and not c.isdigit()}
    assert not changed, f"Excel turns {len(changed)} path cells into numbers or dates: {changed}"
    assert cells == [p.replace(".", "·") for p in paths]     # a one-level path stays 1; nothing invisible added


def test_outline_paths_stay_as_written_in_the_workbook_and_the_english_csv(deep_store, tmp_path, capsysbinary):
    out = tmp_path / "sections.xlsx"
    assert _cli(["export", "sections", "--data", str(deep_store), "--out", str(out)]) == 0
    sheet = openpyxl.load_workbook(out).active
    column = [c.value for c in sheet[1]].index("路径") + 1
    cells = [sheet.cell(row=r, column=column) for r in range(2, sheet.max_row + 1)]
    assert "1.10" in {c.value for c in cells} and {c.data_type for c in cells} == {"s"}
    assert _cli(["export", "sections", "--lang", "en", "--data", str(deep_store)]) == 0
    en = list(csv.DictReader(io.StringIO(capsysbinary.readouterr().out.decode("utf-8-sig"))))
    assert "1·10" in {row["path"] for row in en}


@pytest.mark.parametrize("text, cell", [("1.10", "1·10"), ("2.3.1", "2·3·1"), ("1", "1"), ("0", "0"),
                                        ("宣传.1", "宣传.1"), ("1.", "1."), ("", "")])
def test_csv_path_joins_the_levels_with_a_middle_dot(text, cell):
    assert export_module.csv_path(text) == cell
