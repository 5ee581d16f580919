"""AppTest of the dashboard under bad input and attack: a corrupt store, bad names, bad manifests and uploads."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from analysis import store
from tests import test_pages as pages

built, env, server_mode = pages.built, pages.env, pages.server_mode     # fixtures
ok, open_page, shown, ENTRY = pages.ok, pages.open_page, pages.shown, pages.ENTRY


def _errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


@pytest.mark.usefixtures("server_mode")
def test_a_corrupt_store_is_rebuilt_from_the_data_page(env):
    (store.snapshot_dir(env / "data") / "sections.parquet").write_bytes(b"garbage")
    at = open_page("pages/data.py")
    assert any("重新构建" in e for e in _errors(at)) and not at.exception
    at.button(key="dt_rebuild").click().run()
    ok(at)
    assert any("已重新构建：载入 5 份报告" in s.value for s in at.success)
    assert len(store.load(env / "data").documents) == 5


def test_a_report_whose_name_is_not_utf8_is_listed_and_every_page_opens(env):
    import os

    with open(os.path.join(os.fsencode(env / "src"), "宣传部总结.txt".encode("gb18030")), "wb") as fh:
        fh.write("一、工作情况\n组织学习。".encode())
    at = AppTest.from_file(ENTRY, default_timeout=90).run()
    for path, _ in pages.page_paths():
        at.switch_page(path).run()
        assert not at.exception, (path, [e.value for e in at.exception])
    problems = shown(at, "dt_problems_t")
    assert problems["文件"].str.contains("\ufffd").any() and problems["原因"].str.contains("UTF-8").any()


def test_a_broken_manifest_is_reported_per_line_and_the_editor_still_opens(env):
    manifest = env / "src" / "manifest.csv"
    lines = manifest.read_text(encoding="utf-8-sig").splitlines()
    lines += [f'x{i}.txt,"标题{i},单位,,,2021,annual' if i == 1500 else f"x{i}.txt,标题{i},单位,,,2021,annual"
              for i in range(3000)]
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    at = open_page("pages/data.py")
    assert not at.exception, [e.value for e in at.exception]
    assert at.button(key="dt_meta"), "the metadata editor's save button is not drawn"
    assert any("引号不成对" in w.value for w in at.warning)


UNIT_ATTACKS = ["![x](http://127.0.0.1:9/x.png)宣传部", "[点我](http://x)区委", '<a href="http://x">县委</a>',
                "<b>市委</b>宣传部"]


def test_unit_and_theme_names_reach_every_page_as_text(env):
    """Units from the manifest and a theme name from the codebook, each a Markdown or HTML attack: no page shows
    them as a link, an image or markup, in text or in a chart."""
    import json
    import re

    from analysis.store.manifest import read_manifest, write_manifest

    rows, _ = read_manifest(env / "src")
    for row, unit in zip(rows.values(), UNIT_ATTACKS + UNIT_ATTACKS):
        row["unit"] = unit
    write_manifest(env / "src", rows)
    book = env / "res" / "codebook.yaml"
    book.write_text(re.sub(r"name: [^\n]+", "name: '[主题](http://x)<b>b</b>'", book.read_text(encoding="utf-8"),
                           count=1), encoding="utf-8")
    at = AppTest.from_file(ENTRY, default_timeout=90).run()
    raw = [re.escape(a) for a in UNIT_ATTACKS] + [re.escape("[主题](http://x)")]
    for path, _ in pages.page_paths():
        at.switch_page(path).run()
        assert not at.exception, (path, [e.value for e in at.exception])
        texts = [e.value for kind in ("caption", "subheader", "markdown", "warning", "info", "success", "error",
                                      "header", "title") for e in getattr(at, kind)]
        for text in texts:
            assert not any(re.search(a, text) for a in raw), (path, text)
        for chart in at.get("plotly_chart"):
            spec = json.loads(chart.proto.spec)
            strings = json.dumps({k: v for k, v in spec.items() if k != "config"}, ensure_ascii=False)
            assert "<a " not in strings and "<b>" not in strings, (path, strings[:300])


@pytest.mark.usefixtures("server_mode")
def test_an_upload_batch_with_odd_names_gives_every_file_a_result(env):
    from tests.test_pages import REPORT

    at = open_page("pages/data.py")
    long_name = "关于" + "宣传思想文化工作" * 25 + "的总结.txt"
    at.file_uploader(key="dt_files").set_value([("好.txt", REPORT.encode(), "text/plain"),
                                                (long_name, REPORT.encode() + b"1", "text/plain"),
                                                ("坏\x00名.txt", REPORT.encode() + b"2", "text/plain"),
                                                ("说明.exe", b"MZ", "application/octet-stream")])
    at.button(key="dt_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    results = shown(at, "dt_saved")
    assert results["结果"].tolist() == ["已保存", "已保存", "已保存", "拒收"]
    assert len(store.load(env / "data").documents) == 8


@pytest.mark.usefixtures("server_mode")
def test_metadata_edits_are_checked_on_the_server_and_kept_by_file(env):
    from analysis.store.manifest import read_manifest

    before, _ = read_manifest(env / "src")
    files = sorted(store.load(env / "data").documents["file"])
    at = open_page("pages/data.py")
    at.session_state["dt_pending"] = {files[0]: {"unit": "第一行\n![x](http://x)"}, files[1]: {"unit": "新的单位"}}
    at.run()
    ok(at)
    (env / "src" / "0_新报告.txt").write_text(pages.REPORT, encoding="utf-8")   # another session adds a report
    at.run()
    at.button(key="dt_meta").click().run()
    assert not at.exception, [e.value for e in at.exception]
    after, _ = read_manifest(env / "src")
    assert after[files[1]]["unit"] == "新的单位"                              # the pending edit kept its file
    assert after.get(files[0], {}).get("unit") == before.get(files[0], {}).get("unit")
    said = [e.value.replace("\\", "") for e in at.error]
    assert any(files[0] in text and "含换行" in text for text in said), said
