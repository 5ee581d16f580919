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
