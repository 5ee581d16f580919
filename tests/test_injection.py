"""User strings (unit, theme, file names, report text) reach the page as text: never Markdown, HTML or plotly
markup, whatever they hold."""

from __future__ import annotations

import re

import plotly.graph_objects as go
import pytest

from analysis.tables import charts, views

ATTACKS = ["![x](http://127.0.0.1:9/x.png)", "[a](http://x)", '<a href="http://x">点我</a>', "<b>粗</b>",
           "<img src=x onerror=alert(1)>", ":red[红]", "$x^2$", "**粗**", "`code`", "# 标题", "> 引用",
           "1. 列表", "- 列表", "| a | b |", "\\[a](http://x)", "&lt;a href=x&gt;", "<span style='font-size:90px'>"]


@pytest.mark.parametrize("text", [*ATTACKS, "http://evil.example/登录", "www.evil.example", "a\n# b\n---"])
def test_escaped_markdown_has_every_ascii_punctuation_escaped(text):
    """CommonMark takes a backslash-escaped ASCII punctuation character as itself: with every one escaped no link,
    image, emphasis, code, heading, list, table, HTML, LaTeX, colour or autolink can form."""
    out = views.escape_markdown(text)
    shown, i = [], 0
    while i < len(out):
        if out[i] == "\\":
            assert i + 1 < len(out) and out[i + 1] in PUNCTUATION, out
            shown.append(out[i + 1])
            i += 2
        else:
            assert out[i] not in PUNCTUATION, out
            shown.append(out[i])
            i += 1
    assert "".join(shown) == text


PUNCTUATION = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def _strings(obj):
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for value in obj.values():
            yield from _strings(value)
    elif isinstance(obj, (list, tuple)):
        for value in obj:
            yield from _strings(value)


def test_a_figure_made_safe_holds_no_markup_from_its_labels_and_keeps_its_own_line_breaks():
    units = ATTACKS
    fig = go.Figure(go.Bar(x=units, y=list(range(len(units))), name=units[2], text=units, hovertext=units,
                           customdata=units, hovertemplate=f"单位={units[2]}<br>%{{x}}<br>%{{y}}<extra></extra>"))
    fig.add_trace(go.Heatmap(x=["2021", "2022"], y=units[:3], z=[[1, 2]] * 3))
    fig.update_layout(title=dict(text=f"{units[3]}的主题"), xaxis=dict(categoryarray=units, categoryorder="array"),
                      annotations=[dict(text=units[2] + "<br>第二行", x=0, y=0)])
    safe = charts.unmarked(fig.to_plotly_json())
    tags = [s for s in _strings(safe) if re.search(r"<(?!br\s*/?>|/?extra>)", s, re.IGNORECASE)]
    assert tags == []
    assert safe["layout"]["annotations"][0]["text"].endswith("<br>第二行")
    assert safe["data"][0]["hovertemplate"].endswith("点我&lt;/a><br>%{x}<br>%{y}<extra></extra>")
    assert safe["data"][0]["x"] == safe["layout"]["xaxis"]["categoryarray"]        # categories still match
    assert charts.unmarked(safe) == safe                                           # idempotent
    assert charts.unmarked({"text": charts.esc("<b>x</b>")}) == {"text": charts.esc("<b>x</b>")}


def test_tables_offer_only_the_apps_formula_safe_downloads():
    """Streamlit's own table toolbar writes cells as they are (``=HYPERLINK(…)``, ``@SUM``, ``+cmd|…``): it is
    switched off for every table and the metadata editor; each table has the app's CSV/Excel downloads instead."""
    import tomllib
    from pathlib import Path

    from streamlit import config

    path = Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml"
    assert tomllib.loads(path.read_text(encoding="utf-8"))["client"]["disableDataExport"] is True
    assert "client.disableDataExport" in config._config_options_template      # an option this Streamlit reads


@pytest.mark.parametrize("cell", ["=HYPERLINK(\"http://x\",\"点\")", "@SUM(1,1)*cmd|' /C calc'!A0", "+cmd|' /C calc'!A0",
                                  "-2+3", "\t=1", "\r=1"])
def test_the_apps_csv_download_is_formula_safe(cell):
    import pandas as pd

    from analysis.export import export_csv

    text = export_csv(pd.DataFrame({"单位": [cell]})).decode("utf-8-sig")
    value = text.splitlines()[1].strip('"')
    assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value
