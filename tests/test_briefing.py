"""简报: the CLI writes a Word file from the seeds that opens with python-docx and holds headings, numbers, charts."""

from __future__ import annotations

import io
import subprocess
import sys

import docx
import pytest

from analysis import briefing
from analysis.query.filters import Filter
from analysis.words.themes import with_themes

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def themed(seed_tables):
    return with_themes(seed_tables)


def texts(document) -> str:
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_cli_briefing_writes_a_valid_docx_from_the_seeds(seed_store, seed_tables, tmp_path, project_root):
    out = tmp_path / "简报.docx"
    proc = subprocess.run([sys.executable, "-m", "analysis", "briefing", "--data", str(seed_store), "--out", str(out)],
                          cwd=project_root, capture_output=True, text=True, check=False, timeout=300)
    assert proc.returncode == 0, proc.stderr
    document = docx.Document(str(out))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings == [briefing.TITLE, *briefing.HEADINGS]
    body = texts(document)
    assert "本简报依据 5 份报告（3 个单位" in body
    assert "筛选条件：全部报告。" in body
    assert len(document.inline_shapes) == 2                       # the theme mix and the year-over-year chart
    images = [r.target_part.blob for r in document.part.rels.values() if "image" in r.reltype]
    assert len(images) == 2 and all(b.startswith(PNG) for b in images)
    appendix = document.tables[-1]
    assert len(appendix.rows) == 1 + 5
    assert {row.cells[0].text for row in appendix.rows[1:]} == set(seed_tables.documents["file"])


def test_cli_briefing_takes_the_export_filter_flags(seed_store, tmp_path, project_root):
    out = tmp_path / "b.docx"
    proc = subprocess.run([sys.executable, "-m", "analysis", "briefing", "--data", str(seed_store), "--year", "2022",
                           "--out", str(out)], cwd=project_root, capture_output=True, text=True, check=False, timeout=300)
    assert proc.returncode == 0, proc.stderr
    body = texts(docx.Document(str(out)))
    assert "筛选条件：年份：2022。" in body and "本简报依据 2 份报告" in body
    assert "无法比较年度变化" in body
    bad = subprocess.run([sys.executable, "-m", "analysis", "briefing", "--data", str(seed_store), "--year", "1999",
                          "--out", str(tmp_path / "x.docx")], cwd=project_root, capture_output=True, text=True, check=False)
    assert bad.returncode == 2 and not (tmp_path / "x.docx").exists()
    wrong = subprocess.run([sys.executable, "-m", "analysis", "briefing", "--data", str(seed_store),
                            "--out", str(tmp_path / "x.pdf")], cwd=project_root, capture_output=True, text=True, check=False)
    assert wrong.returncode == 2 and ".docx" in wrong.stderr


def test_briefing_sentences_name_their_support(themed):
    content = briefing.briefing(themed, Filter())
    assert content.n_reports == 5 and content.n_units == 3 and content.years == [2020, 2022, 2023]
    top = content.mix.iloc[0]
    assert f"每万字 {top['hits_per_10k']:.1f} 次" in content.mix_sentence and "5 份报告" in content.mix_sentence
    assert all("份报告" in s for s in content.trend_sentences[:-1])
    assert content.trend_sentences[-1].startswith("注意")          # two reports a year: the caveat is said
    assert len(content.reports) == 5


def test_matplotlib_draws_the_same_charts_without_a_browser(themed):
    content = briefing.briefing(themed, Filter())
    figs = briefing.figures(content)
    assert set(figs) == {"mix", "trend"}
    for fig in figs.values():
        assert briefing._matplotlib_png(fig).startswith(PNG)
    data = briefing.briefing_docx(content, charts={k: briefing._matplotlib_png(f) for k, f in figs.items()})
    assert len(docx.Document(io.BytesIO(data)).inline_shapes) == 2


def test_user_strings_reach_the_document_as_text(themed):
    content = briefing.briefing(themed, Filter())
    content.reports.loc[0, "单位"] = "=HYPERLINK(\"x\")<b>粗</b>"
    data = briefing.briefing_docx(content, charts={})
    assert "=HYPERLINK(\"x\")<b>粗</b>" in texts(docx.Document(io.BytesIO(data)))
