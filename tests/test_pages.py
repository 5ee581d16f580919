"""AppTest of dashboard.py and every page on a tmp copy of the seeds: no exception, the numbers shown equal the
analysis functions' for the same Filter, a filter change changes them, and every download starts with the BOM."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from analysis import schema, store
from analysis.query.filters import Filter
from analysis.tables import coverage, keyness, kwic, reuse, views
from analysis.words.themes import with_themes

ROOT = Path(__file__).resolve().parent.parent
ENTRY = str(ROOT / "dashboard.py")
BOM = b"\xef\xbb\xbf"
REPORT = """2024年某区委宣传部工作总结
今年以来，区委宣传部坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻党的二十大精神。
一、主要工作成效
（一）理论武装走深走实。组织理论学习中心组学习12次，开展宣讲活动80余场。
（二）新闻舆论引导有力。在省级以上媒体发稿300篇，网络舆情处置及时。
二、存在的问题
一是基层宣讲队伍力量不足；二是网络阵地建设有待加强。
三、下一步工作计划
（一）持续深化理论武装。（二）加强网络生态治理。
"""


def page_paths() -> list[tuple[str, str]]:
    """(path, title) of every page in dashboard.py's navigation, read from its PAGES literal."""
    tree = ast.parse((ROOT / "dashboard.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "PAGES":
            return [tuple(x) for x in ast.literal_eval(node.value)]
    raise AssertionError("dashboard.py has no PAGES")


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """A tmp copy of the seeds with its store built once (tests copy it again before changing anything)."""
    base = tmp_path_factory.mktemp("dash")
    shutil.copytree(ROOT / "seeds", base / "src")
    shutil.copytree(ROOT / "analysis" / "resources", base / "res")
    store.build(base / "src", base / "data")
    return base


@pytest.fixture
def env(built, tmp_path, monkeypatch) -> Path:
    """A private copy of source, store and word lists, with the dashboard pointed at it by the env vars."""
    for name in ("src", "data", "res"):
        shutil.copytree(built / name, tmp_path / name)
    monkeypatch.setenv("REPORTLENS_SOURCE", str(tmp_path / "src"))
    monkeypatch.setenv("REPORTLENS_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("REPORTLENS_RESOURCES", str(tmp_path / "res"))
    return tmp_path


def _handed_downloads(monkeypatch) -> dict[str, object]:
    """file name → what each download button was given (bytes, or the function that makes them on click)."""
    from streamlit.delta_generator import DeltaGenerator

    handed: dict[str, object] = {}
    monkeypatch.setattr(DeltaGenerator, "download_button",
                        lambda self, label, data, *, file_name, **kw: handed.__setitem__(file_name, data))
    return handed


@pytest.fixture
def downloads(monkeypatch) -> dict[str, object]:
    """file name → what each download button was given: bytes, or the function that makes them on click."""
    return _handed_downloads(monkeypatch)


def made(data) -> bytes:
    """A download's bytes (made now when the button makes them on click)."""
    return data() if callable(data) else data


@pytest.fixture
def server_mode():
    """Streamlit as a running server is after its first run: st.navigation has switched the legacy pages/ mode
    off. AppTest switches it back on before every run (then ``ui.ensure_entry`` reruns, which drops button clicks
    and uploads of that run), so tests that click or upload keep it off."""
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    with mock.patch.object(PagesManager, "__init__", init):
        yield


def tables(env: Path):
    return with_themes(store.load(env / "data"))


def open_page(path: str) -> AppTest:
    at = AppTest.from_file(ENTRY, default_timeout=90).run()
    if path != page_paths()[0][0]:
        at.switch_page(path).run()
    return at


def ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def shown(at: AppTest, key: str) -> pd.DataFrame:
    return at.container(key).dataframe[0].value


def set_units(at: AppTest, units: list[str]) -> AppTest:
    at.multiselect(key="f_units").set_value(units)
    return at.run()


# --------------------------------------------------------------------------------------------------- smoke


def test_every_page_runs_without_exception(env):
    """dashboard.py opens the first page, then each page of its navigation in one session (as a user clicks)."""
    at = AppTest.from_file(ENTRY, default_timeout=90).run()
    for path, title in page_paths():
        if path != page_paths()[0][0]:
            at.switch_page(path).run()
        ok(at)
        assert at.title[0].value == title, path
        assert at.sidebar.multiselect(key="f_units").options, path  # the sidebar filter is drawn on every page


def test_dashboard_builds_a_missing_store_first(env):
    shutil.rmtree(env / "data")
    at = AppTest.from_file(ENTRY, default_timeout=90).run()
    ok(at)
    assert store.version(env / "data") is not None
    assert at.metric[0].value == "5"


def test_filter_lives_in_the_url_and_comes_back_from_it(env):
    at = open_page("pages/overview.py")
    set_units(at, ["市委宣传部"])
    assert at.query_params["unit"] == ["市委宣传部"] or at.query_params["unit"] == "市委宣传部"
    again = AppTest.from_file(ENTRY, default_timeout=90)
    again.query_params.update({"unit": "市委宣传部", "year_from": "2023", "bogus": "1"})
    again.run()
    ok(again)
    assert again.multiselect(key="f_units").value == ["市委宣传部"]
    assert again.metric[0].value == "1"
    assert "年份：2023年起；单位：市委宣传部" in " ".join(c.value for c in again.caption)


def test_unknown_url_value_is_dropped_with_a_note(env):
    at = AppTest.from_file(ENTRY, default_timeout=90)
    at.query_params["unit"] = "不存在的单位"
    at.run()
    ok(at)
    assert "不存在的单位" in at.sidebar.warning[0].value
    assert at.metric[0].value == "5"


# ---------------------------------------------------------------------------------------------- behaviour


def test_overview_numbers_equal_the_analysis_and_follow_the_filter(env, downloads):
    t = tables(env)
    at = open_page("pages/overview.py")
    ok(at)
    counts = views.corpus_counts(t.documents)
    assert [m.value for m in at.metric] == [f"{counts[k]:,}" for k in ("reports", "units", "years", "chars")]
    grid = views.ledger_grid(coverage.ledger(t, Filter()))
    np.testing.assert_array_equal(shown(at, "ov_ledger_t")[list(grid.columns)].to_numpy(float), grid.to_numpy())
    mix = coverage.theme_frequency(t, Filter(), by="all", weighting="per_10k")
    assert shown(at, "ov_mix_t")["数值"].tolist() == pytest.approx(mix["value"].tolist())
    assert downloads and all(made(data).startswith(BOM) for name, data in downloads.items() if name.endswith(".csv"))
    set_units(at, ["市政府"])
    assert at.metric[0].value == "1"
    mix = coverage.theme_frequency(t, Filter(units=("市政府",)), by="all", weighting="per_10k")
    assert shown(at, "ov_mix_t")["数值"].tolist() == pytest.approx(mix["value"].tolist())


def test_overview_biggest_changes_are_matched_by_default_and_name_their_support(env):
    from analysis.tables import changes

    t = tables(env)
    at = open_page("pages/overview.py")
    ok(at)
    assert at.toggle(key="ov_matched").value is True
    found = changes.latest_changes(t, Filter(), matched=True)
    assert found.years == (2022, 2023) and found.sentences == []  # no unit has reports in both years
    captions = " ".join(c.value for c in at.caption)
    assert "同口径：只比两组都有报告的 0 个单位" in captions and "至少需要 3 份可比报告" in captions
    at.toggle(key="ov_matched").set_value(False).run()
    ok(at)
    pooled = changes.latest_changes(t, Filter(), matched=False)
    assert [x.value for x in at.warning] == pooled.warnings
    assert any(w.startswith("2022年只有 2 份报告") for w in pooled.warnings)


def test_themes_page_shows_theme_frequency_and_the_passages_of_a_cell(env, downloads):
    t = tables(env)
    at = open_page("pages/themes.py")
    ok(at)
    freq = coverage.theme_frequency(t, Filter(), by="year", weighting="per_10k")
    assert shown(at, "th_freq_t")["每万字命中"].tolist() == pytest.approx(freq["hits_per_10k"].tolist())
    cov = coverage.theme_coverage(t, Filter())
    doc, theme = at.selectbox(key="th_doc").value, at.selectbox(key="th_theme").value
    hits = int(cov[(cov.doc_id == doc) & (cov.theme == theme)]["hits"].iloc[0])
    assert len(shown(at, "th_kwic_t")) == hits
    at.toggle(key="f_raw_counts").set_value(True).run()
    at.select_slider(key="f_years").set_range(2022, 2023).run()
    freq = coverage.theme_frequency(t, Filter(year_from=2022, year_to=2023), by="year", weighting="count")
    assert shown(at, "th_freq_t")["数值"].tolist() == pytest.approx(freq["value"].tolist())
    csv = made(downloads["主题频次.csv"])
    assert csv.startswith(BOM) and "每万字命中" in csv.decode("utf-8-sig").splitlines()[0]


def test_structure_page_kind_shares_equal_kind_coverage(env, downloads):
    t = tables(env)
    at = open_page("pages/structure.py")
    ok(at)
    kc = coverage.kind_coverage(t, Filter())
    assert shown(at, "st_kinds_t")["篇幅占比"].tolist() == pytest.approx(kc["share_chars"].tolist())
    assert len(at.expander) >= 3
    set_units(at, ["区委宣传部"])
    kc = coverage.kind_coverage(t, Filter(units=("区委宣传部",)))
    assert len(shown(at, "st_kinds_t")) == len(kc) == 5
    assert all(made(data).startswith(BOM) for name, data in downloads.items() if name.endswith(".csv"))


def _path_cells(data) -> list[str]:
    """The 路径 column of a CSV download, as its cells are written."""
    import csv
    import io

    return [row["路径"] for row in csv.DictReader(io.StringIO(made(data).decode("utf-8-sig")))]


def test_outline_paths_show_as_written_and_download_as_text_for_excel(env, downloads, monkeypatch):
    """Excel read a downloaded path 1.10 as the number 1.1: the CSV writes 1·10; the page shows 1.10."""
    from tests.excel_mimic import DEEP_REPORT, excel_converts

    (env / "src" / "deep.txt").write_text(DEEP_REPORT, encoding="utf-8")
    at = open_page("pages/structure.py")
    ok(at)
    doc = tables(env).documents.set_index("file").loc["deep.txt", "doc_id"]
    at.selectbox(key="st_doc").set_value(doc).run()
    ok(at)
    assert "1.10" in set(shown(at, "st_outline_t")["路径"])
    at, handed = _export_page(monkeypatch, "sections")
    assert "1.10" in set(shown(at, "dt_export_t")["路径"])
    for name, data in [("报告提纲.csv", downloads["报告提纲.csv"]), ("段落.csv", handed["段落.csv"])]:
        cells = _path_cells(data)
        changed = {c: excel_converts(c) for c in cells if excel_converts(c) and not c.isdigit()}
        assert not changed, f"{name}: Excel turns {len(changed)} path cells into numbers or dates: {changed}"
        assert "1·10" in cells and "1·10·1" in cells, name


def test_shifts_page_compares_matched_years_by_default(env):
    from analysis.tables.support import matched_filters

    t = tables(env)
    at = open_page("pages/shifts.py")
    ok(at)
    assert at.toggle(key="sh_matched").value is True
    a, b = at.selectbox(key="sh_a").value, at.selectbox(key="sh_b").value
    m = matched_filters(t.documents, Filter(years=(a,)), Filter(years=(b,)))
    assert m.units == ("市委宣传部",) and m.periods == ("H1",)  # 2020 H1 against 2023 H1 of the same unit
    ts = keyness.term_shift(t, m.a, m.b)
    top = ts.reindex(ts["z"].abs().sort_values(ascending=False).index).head(300)
    assert shown(at, "sh_ts_t")["Z值"].tolist() == pytest.approx(top["z"].tolist())
    rs = keyness.rank_shift(t, a, b, top=20, flt=Filter(units=m.units, periods=m.periods))
    assert shown(at, "sh_rank_t")["词语"].tolist() == rs["term"].tolist()
    captions = " ".join(c.value for c in at.caption)
    assert "同口径：只比两组都有报告的 1 个单位" in captions and "A 组（2020）：1 份报告、1 个单位" in captions
    assert any("只有 1 份可比报告" in w.value for w in at.warning)
    sh = coverage.theme_shift(t, Filter(), by="unit_year", matched=True)
    assert shown(at, "sh_units_t")["同口径"].all() and len(shown(at, "sh_units_t")) == len(sh)


def test_shifts_page_scores_equal_term_shift_of_the_two_groups(env):
    t = tables(env)
    at = open_page("pages/shifts.py")
    at.toggle(key="sh_matched").set_value(False).run()
    ok(at)
    a, b = at.selectbox(key="sh_a").value, at.selectbox(key="sh_b").value
    ts = keyness.term_shift(t, Filter(years=(a,)), Filter(years=(b,)))
    top = ts.reindex(ts["z"].abs().sort_values(ascending=False).index).head(300)
    assert shown(at, "sh_ts_t")["Z值"].tolist() == pytest.approx(top["z"].tolist())
    rs = keyness.rank_shift(t, a, b, top=20)
    assert shown(at, "sh_rank_t")["词语"].tolist() == rs["term"].tolist()
    at.selectbox(key="sh_a").set_value(2022).run()
    ts = keyness.term_shift(t, Filter(years=(2022,)), Filter(years=(b,)))
    assert shown(at, "sh_ts_t")["Z值"].iloc[0] == pytest.approx(ts.loc[ts["z"].abs().idxmax(), "z"])


def test_terms_page_top_terms_and_kwic_equal_the_analysis(env, downloads):
    t = tables(env)
    at = open_page("pages/terms.py")
    ok(at)
    assert at.image or at.warning  # a word cloud, or the missing-font warning
    if at.image:
        cloud = made(downloads["词云词频.csv"]).decode("utf-8-sig").splitlines()
        assert cloud[1:] == [f"{k},{v}" for k, v in keyness.wordcloud_frequencies(t, Filter(), top=200).items()]
    tt = keyness.top_terms(t, Filter(), top=30, weighting="per_10k")
    assert shown(at, "tm_top_t")["词语"].tolist() == tt["term"].tolist()
    at.text_input(key="tm_query").set_value("疫情防控").run()
    hits = kwic.kwic(t, "疫情防控", top=1000)
    assert len(shown(at, "tm_kwic_t")) == len(hits) > 0
    set_units(at, ["市政府"])
    assert len(shown(at, "tm_kwic_t")) == len(kwic.kwic(t, "疫情防控", flt=Filter(units=("市政府",)), top=1000))


def test_terms_page_kwic_counts_every_line_puts_the_keyword_first_and_downloads_them_all(env, downloads):
    """It said 共 1000 处 where there were more, its CSV held 1,000 rows, and the keyword sat after five columns."""
    from analysis.tables.labels import kwic_sorted

    t, query = tables(env), "的 工 作 宣 传 文 化"
    total = kwic.kwic_count(t, query)
    assert total > 1000
    at = open_page("pages/terms.py")
    at.text_input(key="tm_query").set_value(query).run()
    ok(at)
    table = shown(at, "tm_kwic_t")
    assert len(table) == 1000 and list(table.columns[:4]) == ["左文", "关键词", "右文", "报告"]
    assert f"共 {total:,} 行" in " ".join(c.value for c in at.caption)
    name = f"关键词上下文_{views.safe_filename(query)}.csv"
    whole = pd.read_csv(__import__("io").BytesIO(made(downloads[name])), encoding="utf-8-sig", keep_default_na=False)
    assert len(whole) == total and set(whole["报告"]) <= set(ui_labels(t))
    at.radio(key="tm_kwic_by").set_value("left").run()
    by_left = kwic_sorted(kwic.kwic(t, query, window=30), "left")
    assert shown(at, "tm_kwic_t")["左文"].tolist() == by_left["left"].head(1000).tolist()


def ui_labels(t) -> list[str]:
    from analysis.tables.labels import report_labels

    return report_labels(t.documents).tolist()


def _charts(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def _values(data) -> list:
    """A plotly array as a list (plotly writes numeric arrays as base64 typed arrays)."""
    if isinstance(data, dict) and "bdata" in data:
        import base64

        return np.frombuffer(base64.b64decode(data["bdata"]), dtype=data["dtype"]).tolist()
    return list(data)


def test_every_axis_title_stands_off_its_tick_labels(env):
    """Rotated Chinese axis titles overlapped the tick labels: on every chart of every page an axis with a title
    keeps it a set distance from its tick labels (``title.standoff``) and the margin grows to fit both
    (``automargin``; plotly places a title without a standoff by a formula that ignores long labels)."""
    at = AppTest.from_file(ENTRY, default_timeout=90).run()
    titled = []
    for path, title in page_paths():
        if path != page_paths()[0][0]:
            at.switch_page(path).run()
        ok(at)
        for spec in _charts(at):
            chart = spec["layout"].get("title", {}).get("text", "")
            for name, axis in spec["layout"].items():
                if re.fullmatch(r"[xy]axis\d*", name) and (axis.get("title") or {}).get("text"):
                    titled.append((title, chart, name, axis.get("automargin"), axis["title"].get("standoff")))
    assert len({t[0] for t in titled}) >= 5, titled                      # the charts of most pages have titles
    close = [t for t in titled if t[3] is not True or (t[4] or 0) < 10]
    assert not close, f"{len(close)} of {len(titled)} axis titles not stood off (page, chart, axis, automargin, standoff): {close}"


def _year_traces(spec: dict) -> list[list]:
    return [_values(trace["x"]) for trace in spec["data"] if trace.get("x") is not None]


@pytest.mark.parametrize("path, index", [("pages/themes.py", 0), ("pages/themes.py", 1), ("pages/shifts.py", 0)])
def test_year_charts_order_years_as_numbers_and_leave_missing_years_as_gaps(env, path, index):
    """The seeds cover 2020, 2022 and 2023: 2021 is a gap on a numeric axis, never a neighbour of 2020."""
    at = open_page(path)
    ok(at)
    spec = _charts(at)[index]
    assert spec["layout"]["xaxis"]["type"] == "linear"
    assert spec["layout"]["yaxis"]["title"]["standoff"] >= 10     # the rotated title clears the tick labels
    for x in _year_traces(spec):
        assert all(isinstance(v, int) for v in x) and x == sorted(x)
    if spec["data"][0]["type"] == "scatter":       # lines: the missing year is drawn as a break
        y = dict(zip(_values(spec["data"][0]["x"]), _values(spec["data"][0]["y"]), strict=True))
        assert 2021 in y and (y[2021] is None or np.isnan(y[2021]))


def test_report_charts_label_reports_by_unit_year_period_without_collisions(env):
    t = tables(env)
    names = set(ui_labels(t))
    at = open_page("pages/themes.py")
    ok(at)
    heat = _charts(at)[2]["data"][0]
    heat["y"] = _values(heat["y"])
    assert len(heat["y"]) == len(set(heat["y"])) == 5 and set(heat["y"]) <= names
    assert not any(".txt" in y for y in heat["y"])
    at.switch_page("pages/structure.py").run()
    ok(at)
    bars = {x for trace in _charts(at)[0]["data"] for x in _values(trace["y"])}
    assert bars == names and {trace["orientation"] for trace in _charts(at)[0]["data"]} == {"h"}


@pytest.mark.parametrize("path", ["pages/themes.py", "pages/compare.py"])
def test_a_filter_matching_nothing_says_so_in_chinese_and_draws_nothing(env, path):
    """It drew blank axes, a table headed "index / empty", and 对读 said "No options to select"."""
    at = open_page(path)
    set_units(at, ["市政府"])                                     # 2023 only
    at.select_slider(key="f_years").set_range(2020, 2022).run()
    ok(at)
    note = at.warning[0].value
    assert "没有匹配的报告" in note and "去掉“年份”条件可得 1 份报告" in note and "去掉“单位”条件可得 3 份报告" in note
    assert not at.get("plotly_chart") and not at.dataframe and all(m.key != "cp_docs" for m in at.multiselect)


def test_sidebar_offers_only_values_within_the_other_fields(env):
    at = open_page("pages/overview.py")
    at.multiselect(key="f_levels").set_value(["district"]).run()
    ok(at)
    assert at.multiselect(key="f_units").options == ["区委宣传部"]


def test_top_terms_chart_labels_every_bar(env):
    at = open_page("pages/terms.py")
    ok(at)
    spec = next(c for c in _charts(at) if c["layout"]["title"]["text"].startswith("高频词"))
    bars = _values(spec["data"][0]["y"])
    assert len(bars) == 30 and spec["layout"]["yaxis"]["dtick"] == 1 and spec["layout"]["height"] >= 22 * 30


def test_raw_counts_come_back_from_the_url(env):
    """显示原始次数 was not kept in the URL (the browser test checks 按单位 and the URL's update)."""
    at = AppTest.from_file(ENTRY, default_timeout=90)
    at.query_params["f_raw_counts"] = "true"
    at.run()
    ok(at)
    assert at.toggle(key="f_raw_counts").value is True and "（次）" in " ".join(s.value for s in at.subheader) + \
        json.dumps([json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")],
                   ensure_ascii=False)


def test_shares_show_as_percentages_and_p_values_in_scientific_notation(env):
    at = open_page("pages/themes.py")
    config = {k: v for d in at.dataframe for k, v in json.loads(d.proto.columns).items()}
    assert config["主题占比"]["type_config"]["format"] == "percent"
    at.switch_page("pages/shifts.py").run()
    config = {k: v for d in at.dataframe for k, v in json.loads(d.proto.columns).items()}
    assert config["P值"]["type_config"]["format"] == "scientific"


def test_ledger_draws_every_year_of_its_range_with_missing_years_blank(env):
    at = open_page("pages/overview.py")
    ok(at)
    heat = _charts(at)[0]["data"][0]
    assert _values(heat["x"]) == ["2020", "2021", "2022", "2023"]
    z = heat["z"]
    if isinstance(z, dict):
        z = np.array(_values(z), dtype=float).reshape([int(n) for n in str(z["shape"]).split(",")])
    z = np.array(z, dtype=float)
    assert np.isnan(z[:, 1]).all() and not np.isnan(z[:, [0, 2, 3]]).all()   # 2021: no report, a blank column


@pytest.mark.parametrize("early", [False, True], ids=["seeds", "a 1990 report too"])
def test_ledger_counts_are_drawn_at_a_readable_size_or_not_at_all(env, early):
    """At 153 reports (1952–2026) the ledger's cell labels were too small to read: plotly shrinks a heatmap's
    labels to fit its cells unless their size is set. A cell's label is its bare count at a set size of 12 px or
    more, and a ledger of more than 30 years (cells too narrow for a label at that size) draws none (hover only)."""
    if early:
        (env / "src" / "old.txt").write_text("1990年某县委宣传部工作总结\n一、主要工作成效\n（一）理论学习。组织学习12次。\n"
                                           "二、存在的问题\n宣讲力量不足。\n", encoding="utf-8")
    at = open_page("pages/overview.py")
    ok(at)
    heat = next(c for c in _charts(at) if c["layout"]["title"]["text"].startswith("报告台账"))["data"][0]
    years = _values(heat["x"])
    assert years[0] == ("1990" if early else "2020")
    if not heat.get("texttemplate"):
        assert len(years) > 30, "a ledger of few years labels its cells"
        return
    size = (heat.get("textfont") or {}).get("size")
    assert size is not None and size >= 12, f"cell labels sized to fit their cells (textfont.size={size})"
    assert len(years) <= 30, f"{len(years)} year columns: too narrow for a label of {size} px"
    texts = [t for row in heat["text"] for t in row if t]
    assert texts and all(t.isdigit() for t in texts), texts[:5]        # bare counts: 3, not 3 篇


def test_compare_page_marks_shared_text_and_lists_figures(env):
    t = tables(env)
    at = open_page("pages/compare.py")
    ok(at)
    chosen = at.multiselect(key="cp_docs").value
    bp = reuse.boilerplate(t, Filter())
    assert len(shown(at, "cp_bp_t")) == int(bp["doc_id"].isin(chosen).sum())
    assert any(views.MARK_OPEN in x.value for x in at.text)
    for doc in chosen:
        assert len(shown(at, f"cp_fig_{doc}")) == int((t.figures["doc_id"] == doc).sum())


def test_data_page_uploads_builds_and_never_overwrites(env, server_mode):
    at = open_page("pages/data.py")
    ok(at)
    existing = min((env / "src").glob("*.txt"))
    before = existing.read_bytes()
    at.file_uploader(key="dt_files").set_value([("新报告.txt", REPORT.encode("utf-8"), "text/plain"),
                                                (existing.name, REPORT.encode("utf-8") + b"x", "text/plain")])
    at.button(key="dt_save").click().run()
    ok(at)
    assert existing.read_bytes() == before
    assert (env / "src" / "新报告.txt").is_file()
    assert (env / "src" / f"{existing.stem}_2.txt").is_file()
    results = shown(at, "dt_saved")
    assert results["结果"].tolist() == ["已保存", "同名文件内容不同，已另存"]
    assert "新报告.txt" in set(shown(at, "dt_docs_t")["文件"])
    assert at.metric == [] and not (ROOT / "seeds" / "新报告.txt").exists()


def test_data_page_lists_problem_files_in_chinese(env):
    """The reasons read "no text layer (scanned PDF?)", "empty file" and the stage "read"."""
    (env / "src" / "空白.txt").write_bytes(b"")
    (env / "src" / "扫描件.pdf").write_bytes(b"not a pdf")
    at = open_page("pages/data.py")
    ok(at)
    table = shown(at, "dt_problems_t")
    assert set(table["阶段"]) == {"读取"}
    assert set(table["原因"]) == {"空文件", "不是 PDF 文件（缺少 %PDF- 文件头）"}


def test_an_upload_outside_the_filter_widens_it_and_says_so(env, server_mode):
    """The filter stayed at 至2022年 and the uploaded 2024 report was hidden on every page."""
    at = open_page("pages/data.py")
    at.select_slider(key="f_years").set_range(2020, 2022).run()
    at.file_uploader(key="dt_files").set_value([("新报告.txt", REPORT.encode("utf-8"), "text/plain")])
    at.button(key="dt_save").click().run()
    ok(at)
    assert "已放宽筛选，以显示刚上传的报告：年份至 2024 年" in " ".join(w.value for w in at.sidebar.warning)
    assert at.select_slider(key="f_years").value[-1] == 2024
    at.switch_page("pages/overview.py").run()
    assert at.metric[0].value == "6"


def test_saving_metadata_confirms_it(env, server_mode):
    at = open_page("pages/data.py")
    at.button(key="dt_meta").click().run()
    ok(at)
    assert any("元数据已保存" in t.value for t in at.toast)


def test_data_page_refuses_a_bad_word_list_and_keeps_the_old(env, downloads, server_mode):
    at = open_page("pages/data.py")
    old = (env / "res" / "stopwords.txt").read_bytes()
    at.file_uploader(key="dt_up_stopwords").set_value(("stop.txt", "的\n两个 词\n".encode(), "text/plain"))
    at.button(key="dt_rep_stopwords").click().run()
    message = at.error[0].value.replace("\\", "")  # shown as Markdown with its syntax escaped
    assert "stop.txt:2" in message and "one word a line" in message and "保留原文件" in message
    assert (env / "res" / "stopwords.txt").read_bytes() == old
    assert downloads["stopwords.txt"] == old


def _export_page(monkeypatch, table: str) -> tuple[AppTest, dict[str, object]]:
    """The data page with ``table`` chosen for export, and what its download buttons were given."""
    handed = _handed_downloads(monkeypatch)
    at = open_page("pages/data.py")
    at.selectbox(key="dt_table").set_value(table).run()
    ok(at)
    return at, handed


def test_data_page_exports_any_table_with_a_bom(env, monkeypatch):
    t = tables(env)
    at, handed = _export_page(monkeypatch, "similarity")
    assert len(shown(at, "dt_export_t")) == len(reuse.similarity(t, Filter()))
    csv = handed["报告相似度.csv"]()
    assert csv.startswith(BOM) and csv.decode("utf-8-sig").startswith("文档A,文档B")


@pytest.mark.parametrize("table", ["sections", "boilerplate"])
def test_data_page_shows_tables_whose_headers_once_repeated(env, monkeypatch, table):
    """段落 had two 序号 headers and 共用段落 two 段落编号: the page failed and drew nothing after the table."""
    at, _ = _export_page(monkeypatch, table)
    header = list(shown(at, "dt_export_t").columns)
    assert len(set(header)) == len(header) and len(header) > 5
    assert at.subheader[-1].value == "主题词典与词表"   # the rest of the page is drawn


def test_data_page_previews_a_long_table_and_downloads_all_of_it_on_click(env, monkeypatch):
    from analysis import export

    t = tables(env)
    at, handed = _export_page(monkeypatch, "terms")
    assert len(t.terms) > export.PREVIEW_ROWS
    assert len(shown(at, "dt_export_t")) == export.PREVIEW_ROWS
    assert f"共 {len(t.terms):,} 行，下表显示前 {export.PREVIEW_ROWS:,} 行" in " ".join(c.value for c in at.caption)
    make = handed["词语.csv"]
    assert callable(make)   # the whole table is made only when the button is clicked
    whole = pd.read_csv(__import__("io").BytesIO(make()), encoding="utf-8-sig")
    count = schema.TERMS["count"].label_zh
    assert len(whole) == len(t.terms) and int(whole[count].sum()) == int(t.terms["count"].sum())


def test_data_page_offers_the_cli_command_for_a_table_longer_than_excel(env, monkeypatch):
    import ui

    monkeypatch.setattr(ui, "EXCEL_MAX_ROWS", 100)
    at, handed = _export_page(monkeypatch, "terms")
    assert "超过 Excel" in at.info[0].value
    command = at.code[0].value
    assert command.startswith("python -m analysis export terms --data ") and str(env / "data") in command
    assert "词语.csv" not in handed and "词语.xlsx" not in handed


def test_a_long_table_sends_its_first_rows_and_downloads_them_all(env, downloads, monkeypatch):
    import ui

    monkeypatch.setattr(ui, "SHOW_ROWS", 3)
    tt = keyness.top_terms(tables(env), Filter(), top=30, weighting="per_10k")
    at = open_page("pages/terms.py")
    ok(at)
    assert shown(at, "tm_top_t")["词语"].tolist() == tt["term"].tolist()[:3]
    assert f"共 {len(tt)} 行，下表显示前 3 行；下载包含全部行。" in [c.value for c in at.caption]
    csv = pd.read_csv(__import__("io").BytesIO(made(downloads["高频词.csv"])), encoding="utf-8-sig")
    assert csv["词语"].tolist() == tt["term"].tolist()


def test_terms_page_distinctive_by_report_shows_its_first_rows_and_downloads_the_whole_table(env, downloads,
                                                                                            monkeypatch):
    import ui

    monkeypatch.setattr(ui, "SHOW_ROWS", 4)
    whole = keyness.distinctive(tables(env), by="document", top=10, flt=Filter(units=("市政府", "县委宣传部")))
    assert len(whole) > 4
    at = open_page("pages/terms.py")
    at.radio(key="tm_by").set_value("document").run()
    set_units(at, ["市政府", "县委宣传部"])
    ok(at)
    term = schema.labels_zh(keyness.DISTINCTIVE)["term"]
    assert shown(at, "tm_dist_t")[term].tolist() == whole["term"].tolist()[:4]
    assert f"共 {len(whole)} 行，下表显示前 4 行；下载包含全部行。" in [c.value for c in at.caption]
    csv = pd.read_csv(__import__("io").BytesIO(made(downloads["特色词.csv"])), encoding="utf-8-sig")
    assert csv[term].tolist() == whole["term"].tolist() and "group" not in csv.columns


def test_report_text_is_never_shown_as_html():
    pages = [ROOT / "dashboard.py", ROOT / "ui.py", *sorted((ROOT / "pages").glob("*.py"))]
    for path in pages:
        text = path.read_text(encoding="utf-8").replace("st.html(CHROME_CSS)", "")   # the project's static CSS
        assert not re.search(r"unsafe_allow_html\s*=\s*True|st\.html\(", text), path


def test_no_page_writes_a_docstring_onto_the_page():
    """Streamlit's magic writes any bare string of a page script (a constant's docstring showed as English text)."""
    for path in [ROOT / "dashboard.py", *sorted((ROOT / "pages").glob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            body = getattr(node, "body", None)
            for i, stmt in enumerate(body if isinstance(body, list) else []):
                bare = isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
                assert not (bare and i > 0 and isinstance(stmt.value.value, str)), (path.name, stmt.lineno)


def test_every_page_is_listed_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Dashboard", 1)
    assert len(section) == 2, "README.md has no '## Dashboard' section"
    for path, title in page_paths():
        assert title in section[1], f"{title} ({path}) is not in the README's Dashboard section"


def test_pages_stay_thin():
    for path, _ in page_paths():
        assert len((ROOT / path).read_text(encoding="utf-8").splitlines()) <= 100, path


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """Only REPORTLENS_HOME set (as a user who runs the README's command, but in a tmp folder)."""
    for name in ("REPORTLENS_SOURCE", "REPORTLENS_DATA", "REPORTLENS_RESOURCES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REPORTLENS_HOME", str(tmp_path / "ws"))
    return tmp_path / "ws"


def test_first_start_fills_the_workspace_and_uploads_land_in_it(home, server_mode):
    seeds = sorted(p.name for p in (ROOT / "seeds").iterdir())
    at = open_page("pages/data.py")
    ok(at)
    assert sorted(p.name for p in (home / "reports").iterdir()) == seeds
    assert store.version(home / "store") is not None and len(shown(at, "dt_docs_t")) == 5
    assert (home / "resources" / "stopwords.txt").is_file()
    at.file_uploader(key="dt_files").set_value([("新报告.txt", REPORT.encode("utf-8"), "text/plain")])
    at.button(key="dt_save").click().run()
    ok(at)
    assert (home / "reports" / "新报告.txt").is_file()
    assert sorted(p.name for p in (ROOT / "seeds").iterdir()) == seeds


def test_a_store_of_another_folder_is_never_rebuilt_from_the_workspace(home, built, tmp_path, monkeypatch):
    """REPORTLENS_DATA alone pointing at a store built elsewhere: an error naming both folders, the store kept."""
    shutil.copytree(built / "src", tmp_path / "theirs")
    store.build(tmp_path / "theirs", tmp_path / "their_store")
    before = {p: p.read_bytes() for p in (tmp_path / "their_store").rglob("*") if p.is_file()}
    monkeypatch.setenv("REPORTLENS_DATA", str(tmp_path / "their_store"))
    at = AppTest.from_file(ENTRY, default_timeout=90).run()
    assert not at.exception
    message = at.error[0].value.replace("\\", "")
    assert str((tmp_path / "theirs").resolve()) in message and str((home / "reports").resolve()) in message
    assert "REPORTLENS_SOURCE" in message
    assert {p: p.read_bytes() for p in (tmp_path / "their_store").rglob("*") if p.is_file()} == before


def test_env_vars_keep_tests_out_of_the_repo(env):
    assert os.environ["REPORTLENS_SOURCE"].startswith(str(env))


def test_overview_ledger_chart_draws_the_busiest_units_and_the_table_keeps_all(env, monkeypatch):
    monkeypatch.setattr(coverage, "CHART_ROWS", 2)
    t = tables(env)
    grid = views.ledger_grid(coverage.ledger(t, Filter()))
    at = open_page("pages/overview.py")
    ok(at)
    heatmap = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    assert heatmap["y"] == coverage.largest_rows(grid, limit=2).index.tolist()
    assert len(shown(at, "ov_ledger_t")) == len(grid) > 2
    assert f"图中只画出报告最多的 2 个单位（共 {len(grid):,} 个单位）" in " ".join(c.value for c in at.caption)


def test_excel_download_is_written_when_clicked_and_holds_the_table(monkeypatch):
    import io

    import openpyxl

    import ui

    handed = _handed_downloads(monkeypatch)
    df = pd.DataFrame({"单位": ["甲", "=1+1"], "篇数": [1, 2]})
    ui.downloads(df, "台账", key="k")
    assert callable(handed["台账.csv"]) and callable(handed["台账.xlsx"])   # made on click, not on each rerun
    assert handed["台账.csv"]().startswith(BOM)
    sheet = openpyxl.load_workbook(io.BytesIO(handed["台账.xlsx"]())).active
    rows = list(sheet.values)
    assert rows[0] == ("单位", "篇数") and [r[1] for r in rows[1:]] == [1, 2]
    assert sheet["A3"].value == "=1+1" and sheet["A3"].data_type == "s"   # formula-safe: a text cell


def test_dashboard_rebuilds_the_store_with_the_edited_stopwords(env):
    before = store.load(env / "data")
    top = keyness.top_terms(with_themes(before), Filter(), top=1)["term"].iloc[0]
    stopwords = env / "res" / "stopwords.txt"
    stopwords.write_text(stopwords.read_text(encoding="utf-8") + f"\n{top}\n", encoding="utf-8")
    at = AppTest.from_file(ENTRY, default_timeout=90).run()
    ok(at)
    assert store.version(env / "data") != before.version
    assert top not in set(store.load(env / "data").terms["term"].astype(str))


def test_shifts_timeline_follows_the_edited_user_dictionary(env):
    (env / "res" / "userdict.txt").write_text("意识形态 100 n\n文明实践 100 n\n未出现的提法 100 n\n", encoding="utf-8")
    at = open_page("pages/shifts.py")
    ok(at)
    expected = keyness.term_timeline(tables(env), dictionary=env / "res" / "userdict.txt")
    assert set(shown(at, "sh_tl_t")["词语"]) == set(expected["term"]) == {"意识形态", "文明实践"}


def test_data_page_codebook_audit_lists_the_driving_entry_first(env):
    from analysis.tables import audit

    t = tables(env)
    at = open_page("pages/data.py")
    ok(at)
    whole = shown(at, "dt_audit_t")
    expected = audit.codebook_audit(t.sections, t.codebook)
    assert len(whole) == len(expected) and whole["词条"].tolist() == expected["entry"].tolist()
    at.selectbox(key="dt_audit_theme").set_value("theory").run()
    ok(at)
    one = shown(at, "dt_audit_t")
    theory = expected[expected["theme"] == "theory"]
    assert one["词条"].tolist() == theory["entry"].tolist()
    assert one["命中次数"].is_monotonic_decreasing and one["命中次数"].iloc[0] == theory["hits"].max()


def test_themes_page_warns_about_years_with_few_reports(env):
    from analysis.tables import support

    t = tables(env)
    at = open_page("pages/themes.py")
    ok(at)
    tf = coverage.theme_frequency(t, Filter(), by="year")
    expected = support.group_warnings(tf.drop_duplicates("year"), "year")
    assert [w.value for w in at.warning] == expected
    assert "2020（1 份）" in expected[0] and "2022（2 份）" in expected[0]


def test_terms_page_each_word_count_sits_with_the_chart_it_drives(env, downloads):
    """The cloud's count sits among the cloud's controls; the top-terms count comes after the cloud and drives the
    bar chart (a count above the cloud that does not drive it read as if it did)."""
    at = open_page("pages/terms.py")
    ok(at)
    keys = [getattr(e, "key", None) for e in at.main.slider]
    assert keys.index("tm_cloud_n") < keys.index("tm_top")
    if at.image:
        at.slider(key="tm_cloud_n").set_value(50).run()
        assert len(made(downloads["词云词频.csv"]).decode("utf-8-sig").splitlines()) - 1 <= 50
    at.slider(key="tm_top").set_value(10).run()
    assert len(shown(at, "tm_top_t")) == 10
    assert "高频词" in at.slider(key="tm_top").label
