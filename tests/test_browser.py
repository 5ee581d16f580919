"""The dashboard in a real browser: `streamlit run dashboard.py` on a tmp copy of the seeds, driven by Playwright
with Debian's Chromium. Screenshots of every page go to tests/artifacts/ (ignored by git).

Run with `pytest -m browser`; skipped when Chromium or the playwright package is missing.
"""

from __future__ import annotations

import ast
import os
import shutil
from pathlib import Path

import pytest

from tests.browser_checks import (
    CHART_LABELS_JS,
    CUT_BUTTONS_JS,
    TITLE_OVERLAPS_JS,
    VISIBLE_TEXT_JS,
    corpus,
    dashboard,
    data_words,
    english_words,
    label_collisions,
)

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
BIG = 150
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = os.environ.get("REPORTLENS_CHROMIUM", "/usr/bin/chromium")
BOM = b"\xef\xbb\xbf"
# Markup that reading leaves in a report's text (HTML tags it knows, <script> and <img> among them, are cleaned
# out before parsing: analysis.read.clean), and that a browser would run if a page rendered it as HTML.
XSS_SCRIPT = "<svg onload=alert('xss')>"
XSS_IMG = "<details open ontoggle=alert('img')>"

pytestmark = pytest.mark.browser

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
if not Path(CHROMIUM).is_file():
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)", allow_module_level=True)


def pages() -> list[tuple[str, str]]:
    tree = ast.parse((ROOT / "dashboard.py").read_text(encoding="utf-8"))
    node = next(n for n in tree.body if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "PAGES")
    return [tuple(x) for x in ast.literal_eval(node.value)]


def url_of(base: str, path: str) -> str:
    """The address of a page: the first is the root, the others their file name (st.Page's default url_path)."""
    return base + "/" if path == pages()[0][0] else f"{base}/{Path(path).stem}"


def write_reports(src: Path) -> None:
    """A report whose text holds HTML (first in file order) and nothing else from outside the project."""
    (src / "0-xss.txt").write_text(
        f"2024年某区宣传工作总结\n导语：测试页面不执行报告里的标记 {XSS_SCRIPT} 与 {XSS_IMG}。\n"
        "一、主要工作成效\n（一）理论武装。组织学习12次。\n二、存在的问题\n宣讲力量不足。\n"
        "三、下一步工作计划\n加强网络生态治理。\n", encoding="utf-8")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`streamlit run dashboard.py` on a free port over tmp folders; yields the base URL; stopped in finally."""
    base = tmp_path_factory.mktemp("browser")
    shutil.copytree(ROOT / "seeds", base / "src")
    write_reports(base / "src")
    with dashboard(base, ROOT) as url:
        yield url, base


@pytest.fixture(scope="module")
def big_server(tmp_path_factory):
    """The dashboard on a store of the seeds, ../shared/dev and the gwr corpus (built once, in a tmp folder)."""
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent: the large store is built from ../shared/dev and ../shared/gwr-corpus")
    from analysis.store import build, load
    from analysis.words.themes import load_codebook, with_themes

    base = tmp_path_factory.mktemp("big")
    n = corpus(base / "src", ROOT, SHARED)
    assert n >= BIG, n
    build(base / "src", base / "data", progress=False)
    words = data_words(with_themes(load(base / "data"), load_codebook()))
    with dashboard(base, ROOT) as url:
        yield url, words


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                              args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 2000}, accept_downloads=True, locale="zh-CN")
    pg = context.new_page()
    pg.outside = []  # requests to anything but the local server: the app must work offline (no CDN)
    pg.on("request", lambda r: None if r.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:"))
          else pg.outside.append(r.url))
    pg.dialogs = []
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    try:
        yield pg
    finally:
        context.close()


def settle(pg, timeout: float = 90_000) -> None:
    """Wait until the script has run (the app's own run state) and no spinner/progress is left."""
    pg.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout)
    pg.wait_for_timeout(400)
    pg.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout)


def open_page(pg, url: str, title: str) -> None:
    pg.goto(url)
    pg.get_by_role("heading", name=title, exact=True).first.wait_for(timeout=120_000)
    settle(pg)


def test_every_page_loads_and_is_screenshotted(server, page):
    url, _ = server
    ARTIFACTS.mkdir(exist_ok=True)
    for path, title in pages():
        open_page(page, url_of(url, path), title)
        assert page.locator("[data-testid='stException']").count() == 0, path
        page.wait_for_timeout(600)  # let plotly finish drawing before the picture
        page.screenshot(path=str(ARTIFACTS / f"{Path(path).stem}.png"), full_page=True)
        if path == pages()[0][0]:
            assert page.locator(".js-plotly-plot .main-svg").count() > 0  # a plotly chart is drawn
    assert page.outside == []


def test_every_page_on_a_large_store_is_chinese_and_its_labels_never_collide(big_server, page):
    """At 150+ reports: no exception, no English word outside data cells, no two rows or ticks with one label, no
    button label cut, no axis title over a tick label."""
    url, words = big_server
    ARTIFACTS.mkdir(exist_ok=True)
    problems = []
    for path, title in pages():
        open_page(page, url_of(url, path), title)
        page.wait_for_timeout(800)  # let plotly finish drawing
        page.screenshot(path=str(ARTIFACTS / f"big_{Path(path).stem}.png"), full_page=True)
        if page.locator("[data-testid='stException']").count():
            problems.append(f"{title}: exception {page.locator('[data-testid=stException]').first.inner_text()[:300]}")
        english = english_words(page.evaluate(VISIBLE_TEXT_JS), words)
        if english:
            problems.append(f"{title}: English on the page {english}")
        problems += [f"{title}: {c}" for c in label_collisions(page.evaluate(CHART_LABELS_JS))]
        problems += [f"{title}: button label cut: {b}" for b in page.evaluate(CUT_BUTTONS_JS)]
        problems += [f"{title}: {o}" for o in page.evaluate(TITLE_OVERLAPS_JS)]
    assert not problems, "\n".join(problems)


def test_filter_change_shows_in_the_url_and_survives_a_reload(server, page):
    url, _ = server
    open_page(page, url + "/", "总览")
    units = page.get_by_test_id("stSidebar").get_by_test_id("stMultiSelect").filter(has_text="单位")
    units.locator("input").click()
    page.get_by_role("option", name="市政府", exact=True).click()
    page.keyboard.press("Escape")
    page.wait_for_url(lambda u: "unit=" in u, timeout=30_000)
    settle(page)
    assert page.get_by_test_id("stMetricValue").first.inner_text() == "1"
    page.reload()
    settle(page)
    page.get_by_role("heading", name="总览", exact=True).wait_for()
    assert "unit=" in page.url
    assert page.get_by_test_id("stMetricValue").first.inner_text() == "1"
    assert "市政府" in units.inner_text()


def test_grouping_and_raw_counts_live_in_the_url(server, page):
    """按单位 and 显示原始次数 were lost on a reload or a shared link."""
    url, _ = server
    open_page(page, url + "/themes", "主题")
    page.get_by_text("按单位", exact=True).click()
    page.wait_for_url(lambda u: "th_by=unit" in u, timeout=30_000)
    settle(page)
    page.goto(page.url + "&f_raw_counts=true")
    settle(page)
    page.get_by_role("heading", name="主题", exact=True).wait_for()
    assert page.get_by_role("radio", name="按单位").is_checked(), page.url
    assert page.get_by_test_id("stSidebar").locator("input[type=checkbox]").first.is_checked()


def test_download_buttons_keep_their_whole_label_in_narrow_columns(server, page):
    """Side by side in 对读's columns the buttons read "下…" / "下."."""
    url, _ = server
    page.set_viewport_size({"width": 900, "height": 1600})
    open_page(page, url + "/compare", "对读")
    page.locator("[data-testid='stDownloadButton']").nth(2).wait_for(timeout=60_000)   # drawn below the fold last
    cut = page.evaluate(CUT_BUTTONS_JS)
    page.screenshot(path=str(ARTIFACTS / "compare_narrow.png"), full_page=False)
    assert not cut, f"{len(cut)} button labels do not fit their buttons: {cut}"


def test_csv_download_starts_with_the_bom(server, page):
    url, _ = server
    open_page(page, url + "/", "总览")
    with page.expect_download() as info:
        page.locator(".st-key-ov_ledger_t").get_by_role("button", name="下载 CSV").click()
    assert info.value.suggested_filename == "报告台账.csv"
    data = Path(info.value.path()).read_bytes()
    assert data.startswith(BOM)
    assert data.decode("utf-8-sig").startswith("单位,")


def test_report_markup_shows_as_text(server, page):
    url, _ = server
    open_page(page, url + "/compare", "对读")
    assert page.get_by_text(XSS_SCRIPT, exact=False).count() > 0
    assert page.get_by_text(XSS_IMG, exact=False).count() > 0
    assert page.locator("svg[onload]").count() == 0 and page.locator("details[ontoggle]").count() == 0
    page.wait_for_timeout(500)
    assert page.dialogs == []
    page.screenshot(path=str(ARTIFACTS / "compare_markup.png"), full_page=False)


def test_uploaded_docx_appears_in_the_document_list(server, page, tmp_path):
    from docx import Document

    url, base = server
    doc = Document()
    for line in ("2024年某街道宣传工作总结", "一、主要工作成效", "组织开展理论宣讲20场，发布稿件50篇。",
                 "二、存在的问题", "宣传阵地建设不足。", "三、下一步工作计划", "深化新时代文明实践。"):
        doc.add_paragraph(line)
    path = tmp_path / "街道总结.docx"
    doc.save(path)
    open_page(page, url + "/data", "数据")

    def choose_file() -> None:
        page.get_by_test_id("stFileUploader").first.locator("input[type=file]").set_input_files(str(path))
        page.get_by_text("街道总结.docx").first.wait_for(timeout=30_000)
        page.wait_for_timeout(1500)  # the upload finishes, then the script reruns with the file
        settle(page)

    choose_file()
    done = page.get_by_text("解析完成")
    try:
        for _ in range(5):  # a click that lands while the upload is still being registered finds no file: again
            if not page.get_by_text("街道总结.docx").count():   # a rerun on a loaded machine dropped the choice
                choose_file()
            page.get_by_role("button", name="保存并解析").click()
            page.wait_for_timeout(800)
            settle(page)  # the save and the build run to their end, however loaded the machine is
            if done.count() or (base / "src" / "街道总结.docx").is_file():
                break
            page.wait_for_timeout(1500)
        done.first.wait_for(timeout=60_000)
    except sync_api.TimeoutError:
        log = (base / "server.log").read_text(encoding="utf-8", errors="replace")[-3000:]
        pytest.fail(f"no 解析完成 after the clicks; the page says:\n{page.locator('body').inner_text()[:3000]}"
                    f"\n--- server log ---\n{log}")
    finally:
        page.screenshot(path=str(ARTIFACTS / "data_after_upload.png"), full_page=True)
    settle(page)
    assert (base / "src" / "街道总结.docx").is_file()
    docs = page.locator(".st-key-dt_docs_t")
    docs.scroll_into_view_if_needed()
    with page.expect_download() as info:
        docs.get_by_role("button", name="下载 CSV").click()
    listed = Path(info.value.path()).read_bytes().decode("utf-8-sig")
    assert "街道总结.docx" in listed
    page.screenshot(path=str(ARTIFACTS / "data_after_upload.png"), full_page=True)


def test_a_low_confidence_report_is_reviewed_accepted_and_leaves_the_queue(server, page):
    """The 待核对 list: a report whose site-made title contradicts its heading waits; one click writes the value."""
    url, base = server
    name = "0-review.txt"
    (base / "src" / name).write_text("2019年某区宣传部工作总结及工作计划\n在区委的领导下扎实推进。\n"
                                     "一、2017年工作亮点\n组织学习12次。\n", encoding="utf-8")
    open_page(page, url + "/", "总览")          # the stale store is rebuilt with the new report
    assert page.get_by_text("待核对：1 份报告", exact=False).count() == 1
    open_page(page, url + "/data", "数据")
    queue = page.locator(".st-key-dt_review")
    queue.scroll_into_view_if_needed()
    queue.get_by_text(name).first.wait_for(timeout=30_000, state="attached")  # grid cells: canvas + hidden cells
    page.screenshot(path=str(ARTIFACTS / "data_review_queue.png"), full_page=True)
    page.locator(".st-key-dt_review_accept").get_by_role("button").click()
    page.wait_for_timeout(800)
    settle(page)
    page.get_by_text("没有待核对的报告", exact=False).first.wait_for(timeout=60_000)
    assert page.locator(".st-key-dt_review").count() == 0
    rows = (base / "src" / "manifest.csv").read_bytes().decode("utf-8-sig").splitlines()
    assert any(r.startswith(f"{name},") and r.split(",")[5] == "2017" for r in rows), rows
