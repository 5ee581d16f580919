"""The steerable word cloud: word count, left-out words, shapes, colour by theme, PNG and SVG."""

from __future__ import annotations

import pytest

from analysis.tables import cloud, views
from analysis.words.themes import load_codebook
from tests.analysis_fixtures import tables as fixture_tables


def test_left_out_words_are_replaced_so_the_count_holds():
    t = fixture_tables()
    every = cloud.cloud_terms(t, top=100)
    top3 = cloud.cloud_terms(t, top=3)
    assert list(top3) == list(every)[:3]
    dropped = cloud.cloud_terms(t, top=3, exclude=[next(iter(every))])
    assert len(dropped) == 3 and next(iter(every)) not in dropped and list(dropped) == list(every)[1:4]


def test_parse_words_accepts_chinese_separators():
    assert cloud.parse_words("工作， 宣传、工作|加强") == ["工作", "宣传", "加强"]
    assert cloud.parse_words(None) == []


def test_term_themes_colour_words_by_their_theme():
    themes = cloud.term_themes(["志愿服务", "网络舆情", "工作"], load_codebook())
    assert themes["志愿服务"] == "civilisation" and themes["网络舆情"] == "cyber" and themes["工作"] is None


@pytest.mark.parametrize("shape", list(cloud.SHAPES))
def test_masks_leave_words_inside_the_shape(shape):
    m = cloud.mask(shape, 200, 100)
    if shape == "rectangle":
        assert m is None
        return
    assert m[50, 100] == 0 and m[0, 0] == 255    # the centre is inside, the corner outside


def test_png_and_svg_downloads():
    font = views.find_cjk_font()
    if font is None:
        pytest.skip("no CJK font (apt-get install fonts-wqy-microhei)")
    freqs = {"宣传": 10, "志愿服务": 6, "网络舆情": 3}
    c = cloud.render(freqs, font, shape="circle", colours={"志愿服务": "#2ca02c"}, width=300, height=200)
    assert cloud.to_png(c).startswith(b"\x89PNG")
    svg = cloud.to_svg(c).decode("utf-8")
    assert svg.startswith("<svg") and all(w in svg for w in freqs) and "#2ca02c" in svg.lower()
    with pytest.raises(ValueError):
        cloud.render({}, font)
    with pytest.raises(ValueError):
        cloud.mask("star")
