"""The explore pages (AppTest): what they show is what the analysis functions give, and it follows the filter."""

from __future__ import annotations

import pytest

from analysis import briefing
from analysis.query.filters import Filter
from analysis.tables import cloud, explore, maps
from tests import test_pages
from tests.test_pages import made, ok, open_page, set_units, shown, tables

built, env, downloads = test_pages.built, test_pages.env, test_pages.downloads   # the page tests' fixtures


def test_trend_page_table_is_word_trend_and_follows_the_filter(env):
    t = tables(env)
    at = open_page("pages/trend.py")
    ok(at)
    want = explore.word_trend(t, "二十大", Filter())
    got = shown(at, "ex_trend_t")
    assert got["次数"].fillna(-1).astype(int).tolist() == want["count"].fillna(-1).astype(int).tolist()
    assert got["报告数"].tolist() == want["n_docs"].tolist()
    at.text_input(key="ex_query").set_value("讲好…故事 网络").run()
    at.radio(key="ex_by").set_value("level").run()
    ok(at)
    want = explore.word_trend(t, "讲好…故事 网络", Filter(), by="level")
    assert shown(at, "ex_trend_t")["分组"].tolist() == want["group"].tolist()
    set_units(at, ["市政府"])
    want = explore.word_trend(t, "讲好…故事 网络", Filter(units=("市政府",)), by="level")
    assert shown(at, "ex_trend_t")["报告数"].tolist() == want["n_docs"].tolist()


def test_maps_page_tables_are_the_network_and_the_map(env):
    t = tables(env)
    at = open_page("pages/maps.py")
    ok(at)
    net = maps.cooccurrence(t, Filter(), top=40, threshold=0.15)
    assert shown(at, "ex_net_nodes")["词语"].tolist() == net.nodes["term"].tolist()
    assert len(shown(at, "ex_net_edges")) == len(net.edges)
    at.radio(key="ex_ca_rows").set_value("year").run()
    ok(at)
    ca = maps.correspondence(t, Filter(), rows="year")
    assert shown(at, "ex_ca_t")["名称"].tolist() == ca.points["label"].tolist()


def test_maps_page_says_why_a_map_cannot_be_drawn(env):
    at = open_page("pages/maps.py")
    at.radio(key="ex_ca_rows").set_value("level").run()   # the seeds have two levels: no map
    ok(at)
    assert any("至少需要 3 个分组" in i.value for i in at.info)


def test_terms_page_cloud_leaves_out_words_and_keeps_them_in_the_url(env, downloads):
    t = tables(env)
    at = open_page("pages/terms.py")
    if not at.image:
        pytest.skip("no CJK font for the word cloud")
    at.text_input(key="tm_cloud_x").set_value("工作，宣传").run()
    ok(at)
    assert at.query_params["cloud_x"] in ("工作、宣传", ["工作、宣传"])
    words = made(downloads["词云词频.csv"]).decode("utf-8-sig").splitlines()[1:]
    want = cloud.cloud_terms(t, Filter(), top=200, exclude=("工作", "宣传"))
    assert words == [f"{k},{v}" for k, v in want.items()] and not any(w.startswith(("工作,", "宣传,")) for w in words)
    at.toggle(key="tm_cloud_theme").set_value(True).run()
    at.selectbox(key="tm_cloud_shape").set_value("circle").run()
    ok(at)
    assert at.image


def test_briefing_page_previews_the_briefing(env):
    t = tables(env)
    at = open_page("pages/briefing.py")
    ok(at)
    content = briefing.briefing(t, Filter())
    texts = [x.value for x in at.text]
    assert content.overview in texts and "· " + content.mix_sentence in texts
    assert len(shown(at, "br_reports")) == content.n_reports


def test_trend_words_live_in_the_url(env):
    at = open_page("pages/trend.py")
    at.text_input(key="ex_query").set_value("文明实践").run()
    ok(at)
    assert at.query_params["q"] in ("文明实践", ["文明实践"])
