"""The explore views in a real browser on a store of 150 reports: click a chart's cell, bar or point and the
passages behind it open below it, as many as the number clicked; the word trend, the network and correspondence
map, the steerable word cloud and the 简报 download work.

The 150 reports are the benchmark's synthetic corpus (``bench.corpus``: real paragraphs from ../shared, assembled
at run time). Run with `pytest -m browser`; skipped without Chromium, playwright or ../shared.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests import test_browser
from tests.browser_checks import dashboard
from tests.test_browser import ARTIFACTS, CHROMIUM, open_page, settle

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
if not Path(CHROMIUM).is_file():
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)", allow_module_level=True)

ROOT = Path(__file__).resolve().parent.parent
REPORTS = 150
COUNT = re.compile(r"原文 (\d+) 处（点击的数字：(\d+)）")
browser, page = test_browser.browser, test_browser.page   # Chromium and a fresh page, as the other browser tests


@pytest.fixture(scope="module")
def server(tmp_path_factory, shared_dir):
    from bench.corpus import generate

    base = tmp_path_factory.mktemp("explore")
    generate(REPORTS, base / "src", seed=3, shared=shared_dir)
    with dashboard(base, ROOT) as url:
        yield url, base


def click_point(pg, chart_key: str, want, *, selector: str = ".scatterlayer .trace") -> list:
    """Click the first point of the chart whose customdata satisfies ``want``; returns that customdata.

    Points are found through plotly's own data (``gd.data``) and clicked where plotly drew them."""
    gd = pg.locator(f".st-key-{chart_key} .js-plotly-plot")
    gd.wait_for(timeout=60_000)
    data = gd.evaluate("g => g.data.map(t => ({type: t.type, cd: t.customdata || null}))")
    for t, trace in enumerate(data):
        if not trace["cd"] or trace["type"] not in ("scatter", "bar"):
            continue
        for i, cd in enumerate(trace["cd"]):
            if cd is not None and want(cd):
                layer = ".barlayer .trace" if trace["type"] == "bar" else selector
                index = sum(1 for u in data[:t] if u["type"] == trace["type"])
                mark = gd.locator(layer).nth(index).locator("path.point" if trace["type"] != "bar" else "path")
                mark.nth(i).scroll_into_view_if_needed()
                mark.nth(i).click(force=True)
                pg.wait_for_timeout(800)
                settle(pg)
                return cd
    raise AssertionError(f"no point of {chart_key} fits")


def passages_count(pg, key: str) -> tuple[int, int | None]:
    box = pg.locator(f".st-key-{key}_box")
    box.wait_for(timeout=60_000)
    text = box.inner_text()
    m = COUNT.search(text)
    if m:
        return int(m.group(1)), int(m.group(2))
    return int(re.search(r"原文 (\d+) 处", text).group(1)), None


def no_exception(pg) -> None:
    assert pg.locator("[data-testid='stException']").count() == 0
    assert pg.locator("[data-testid='stAlertContentError']").count() == 0


def test_the_store_has_at_least_150_reports(server, page):
    url, _ = server
    open_page(page, url + "/", "总览")
    assert int(page.get_by_test_id("stMetricValue").first.inner_text().replace(",", "")) >= REPORTS


def test_clicking_a_heatmap_cell_opens_as_many_passages_as_its_number(server, page):
    url, _ = server
    open_page(page, url + "/themes", "主题")
    _, _, hits = click_point(page, "th_heat", lambda cd: cd[2] is not None and cd[2] > 0)
    shown, clicked = passages_count(page, "th_cell")
    assert shown == clicked == hits > 0
    no_exception(page)
    page.screenshot(path=str(ARTIFACTS / "themes_cell_passages.png"), full_page=False)


def test_clicking_a_theme_bar_opens_its_passages(server, page):
    url, _ = server
    open_page(page, url + "/themes", "主题")
    _, _, hits = click_point(page, "th_bar", lambda cd: cd[2] is not None and 0 < cd[2] < 400)[:3]
    shown, clicked = passages_count(page, "th_click")
    assert shown == clicked == hits
    no_exception(page)


def test_word_trend_point_opens_its_passages(server, page):
    url, _ = server
    open_page(page, url + "/trend", "走势")
    page.get_by_label(re.compile("词语或短语")).fill("宣传 网络舆情")
    page.keyboard.press("Enter")
    page.wait_for_timeout(500)
    settle(page)
    cd = click_point(page, "ex_trend", lambda cd: cd[2] > 0)
    shown, clicked = passages_count(page, "ex_trend_p")
    assert shown == clicked == cd[2]
    no_exception(page)
    page.screenshot(path=str(ARTIFACTS / "trend_passages.png"), full_page=True)


def test_network_and_correspondence_map_draw_and_open_passages(server, page):
    url, _ = server
    open_page(page, url + "/maps", "关联")
    assert page.locator(".st-key-ex_net .js-plotly-plot").count() == 1
    assert page.locator(".st-key-ex_ca .js-plotly-plot").count() == 1
    term = click_point(page, "ex_net", lambda cd: len(cd) == 5)[0]
    shown, _ = passages_count(page, "ex_net_p")
    assert shown > 0 and term in page.locator(".st-key-ex_net_p_box").inner_text()
    cd = click_point(page, "ex_ca", lambda cd: cd[3] == "column" and cd[1] > 0)
    shown, clicked = passages_count(page, "ex_ca_p")
    if clicked is not None:
        assert shown == clicked == cd[1]
    no_exception(page)
    page.screenshot(path=str(ARTIFACTS / "maps.png"), full_page=True)


def test_word_cloud_left_out_words_live_in_the_url(server, page):
    url, _ = server
    open_page(page, url + "/terms", "词语")
    assert page.get_by_test_id("stImage").count() >= 1
    page.get_by_label(re.compile("去除的词")).fill("工作、宣传")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda u: "cloud_x=" in u, timeout=30_000)
    settle(page)
    with page.expect_download() as info:
        page.get_by_role("button", name="下载词云 SVG").click()
    svg = Path(info.value.path()).read_text(encoding="utf-8")
    assert svg.startswith("<svg") and ">工作<" not in svg and ">宣传<" not in svg
    page.reload()
    settle(page)
    assert page.get_by_label(re.compile("去除的词")).input_value() == "工作、宣传"


def test_briefing_button_downloads_a_word_file(server, page):
    import docx

    from analysis.briefing import HEADINGS

    url, _ = server
    open_page(page, url + "/briefing", "简报")
    with page.expect_download(timeout=120_000) as info:
        page.get_by_role("button", name="生成并下载简报（Word）").click()
    assert info.value.suggested_filename == "简报.docx"
    document = docx.Document(info.value.path())
    assert [p.text for p in document.paragraphs if p.style.name.startswith("Heading")] == list(HEADINGS)
    assert f"本简报依据 {REPORTS} 份报告" in "\n".join(p.text for p in document.paragraphs)
    assert len(document.inline_shapes) == 2
