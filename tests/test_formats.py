"""Text out of .docx (list numbering restored, guarded zip/XML) and .pdf (text layer, wrapped lines joined)."""

from __future__ import annotations

import importlib.util
import io
import zipfile
from pathlib import Path

import pytest

from analysis.errors import UnreadableReport
from analysis.read import formats
from analysis.read.formats import chinese_number, docx_text, format_number, pdf_text
from analysis.read.report import read_report

FIXTURES = Path(__file__).resolve().parent / "fixtures"
_spec = importlib.util.spec_from_file_location("make_fixtures", FIXTURES / "make_fixtures.py")
make_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_fixtures)

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def make_docx(body: str, *, numbering: str | None = None, styles: str | None = None,
              extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal .docx: just the parts the reader looks at."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", f'<w:document xmlns:w="{W_NS}" '
                   'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
                   f"<w:body>{body}</w:body></w:document>")
        if numbering is not None:
            z.writestr("word/numbering.xml", f'<w:numbering xmlns:w="{W_NS}">{numbering}</w:numbering>')
        if styles is not None:
            z.writestr("word/styles.xml", f'<w:styles xmlns:w="{W_NS}">{styles}</w:styles>')
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buf.getvalue()


def para(text: str, num_id: str | None = None, ilvl: int | None = None, style: str | None = None) -> str:
    ppr = ""
    if style:
        ppr += f'<w:pStyle w:val="{style}"/>'
    if num_id is not None:
        ppr += "<w:numPr>" + (f'<w:ilvl w:val="{ilvl}"/>' if ilvl is not None else "")
        ppr += f'<w:numId w:val="{num_id}"/></w:numPr>'
    return f"<w:p><w:pPr>{ppr}</w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"


def abstract(aid: str, *levels: tuple[str, str]) -> str:
    lvls = "".join(f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{txt}"/>'
                   f'<w:suff w:val="nothing"/></w:lvl>' for i, (fmt, txt) in enumerate(levels))
    return f'<w:abstractNum w:abstractNumId="{aid}">{lvls}</w:abstractNum>'


def num(num_id: str, aid: str, overrides: str = "") -> str:
    return f'<w:num w:numId="{num_id}"><w:abstractNumId w:val="{aid}"/>{overrides}</w:num>'


# ---------------------------------------------------------------------------------------------------------------
# The committed .docx fixture

@pytest.fixture(scope="module")
def numbered_lines() -> list[str]:
    return read_report(FIXTURES / "numbered.docx").text.split("\n")


def test_numbered_fixture_has_no_literal_markers():
    import docx

    texts = [p.text for p in docx.Document(str(FIXTURES / "numbered.docx")).paragraphs]
    assert "工作开展情况" in texts and "存在问题" in texts
    assert not any(t.startswith(("一、", "二、", "（一）", "1.")) for t in texts)


def test_docx_text_numbering_restored(numbered_lines):
    expected = {
        "工作开展情况": "一、", "强化理论武装。全年组织学习十二次。": "（一）", "中心组学习常态化": "1.",
        "基层宣讲覆盖村社": "2.", "壮大主流舆论。": "（二）", "存在问题": "二、", "基层宣传力量薄弱。": "（一）",
        "下一步工作打算": "三、",
    }
    for text, marker in expected.items():
        assert marker + text in numbered_lines
    assert numbered_lines[0] == "某区委宣传部2023年工作总结"  # an unnumbered paragraph gets no marker
    assert "全年发布稿件若干篇，形成良好氛围。" in numbered_lines


def test_docx_text_numbering_restarts_under_next_top_level(numbered_lines):
    after_second_top = numbered_lines[numbered_lines.index("二、存在问题") + 1]
    assert after_second_top == "（一）基层宣传力量薄弱。"


def test_docx_text_table_cells_in_row_order(numbered_lines):
    start = numbered_lines.index("指标")
    cells = [cell for row in make_fixtures.DOCX_TABLE for cell in row]
    assert numbered_lines[start:start + len(cells)] == cells
    # the table sits where it is in the body: after the paragraph before it, before 二、
    assert numbered_lines.index("全年发布稿件若干篇，形成良好氛围。") < start < numbered_lines.index("二、存在问题")


def test_read_report_docx_record():
    raw = read_report(FIXTURES / "numbered.docx")
    assert (raw.format, raw.encoding) == ("docx", "docx")


# ---------------------------------------------------------------------------------------------------------------
# Numbering rules on hand-made parts

CN_TOP = abstract("1", ("chineseCounting", "%1、"), ("chineseCounting", "（%2）"), ("decimal", "%2.%3"))


def lines_of(body: str, numbering: str = CN_TOP + num("1", "1"), **kw) -> list[str]:
    return docx_text(make_docx(body, numbering=numbering, **kw), path="t.docx").split("\n")


def test_docx_text_counts_past_ten():
    body = "".join(para(f"第{i}项", "1", 0) for i in range(1, 13))
    assert lines_of(body)[9:] == ["十、第10项", "十一、第11项", "十二、第12项"]


def test_docx_text_multi_level_text_uses_parent_counter():
    # As Word does: each %N is shown in its own level's format, unless the level is "legal" (w:isLgl).
    body = para("甲", "1", 0) + para("乙", "1", 1) + para("丙", "1", 1) + para("丁", "1", 2) + para("戊", "1", 2)
    assert lines_of(body) == ["一、甲", "（一）乙", "（二）丙", "二.1丁", "二.2戊"]
    legal = CN_TOP.replace('<w:lvlText w:val="%2.%3"/>', '<w:isLgl/><w:lvlText w:val="%2.%3"/>')
    assert lines_of(body, legal + num("1", "1"))[3:] == ["2.1丁", "2.2戊"]


def test_docx_text_start_override_and_separate_lists():
    numbering = CN_TOP + num("1", "1") + num("2", "1", '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="4"/>'
                                                      "</w:lvlOverride>")
    body = para("甲", "1", 0) + para("乙", "1", 0) + para("丙", "2", 0) + para("丁", "2", 0) + para("戊", "1", 0)
    assert lines_of(body, numbering) == ["一、甲", "二、乙", "四、丙", "五、丁", "三、戊"]


def test_docx_text_style_numbering():
    styles = ('<w:style w:styleId="H1"><w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style>'
              '<w:style w:styleId="H2"><w:basedOn w:val="H1"/><w:pPr><w:numPr><w:ilvl w:val="1"/></w:numPr>'
              "</w:pPr></w:style>")
    body = para("甲", style="H1") + para("乙", style="H2") + para("正文") + para("丙", style="H1")
    assert lines_of(body, styles=styles) == ["一、甲", "（一）乙", "正文", "二、丙"]


def test_docx_styles_read_only_when_a_styled_paragraph_needs_them():
    """styles.xml is parsed when a styled paragraph of a numbered document first needs it (it is often ten times
    the text's size); an unreadable styles part is then refused, and left alone when nothing needs it."""
    bad = "<w:style w:styleId=\"H1\">"   # not closed: bad XML
    body = para("甲", "1", 0) + para("正文")
    assert lines_of(body, styles=bad) == ["一、甲", "正文"]
    assert lines_of(para("甲", style="H1"), numbering="", styles=bad) == ["甲"]  # no list defined
    with pytest.raises(UnreadableReport, match="bad XML in word/styles.xml"):
        lines_of(para("甲", style="H1") + para("乙", "1", 0), styles=bad)
    evil = '<!DOCTYPE w:styles [<!ENTITY x "boom">]>'
    data = make_docx(para("甲", style="H1"), numbering=CN_TOP + num("1", "1"),
                     extra={"word/styles.xml": evil.encode() + b"<w:styles/>"})
    assert "DOCTYPE" in _refused(data).reason


@pytest.mark.parametrize("num_xml,expected", [
    (abstract("9", ("bullet", "\uf0b7")) + num("1", "9"), "项目"),
    (abstract("9", ("decimal", "%1")) + num("1", "9"), "1项目"),  # w:suff "nothing": the number touches the text
    (abstract("9", ("decimalEnclosedCircle", "%1")) + num("1", "9"), "①项目"),
    (abstract("9", ("ideographTraditional", "%1、")) + num("1", "9"), "甲、项目"),
    (abstract("9", ("chineseCountingThousand", "第%1章")) + num("1", "9"), "第一章项目"),
])
def test_docx_text_number_formats(num_xml, expected):
    assert lines_of(para("项目", "1", 0), num_xml) == [expected]


def test_docx_text_default_tab_suffix_becomes_a_space():
    numbering = ('<w:abstractNum w:abstractNumId="3"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
                 '<w:numFmt w:val="decimal"/><w:lvlText w:val="%1"/></w:lvl></w:abstractNum>' + num("1", "3"))
    assert lines_of(para("项目", "1", 0), numbering) == ["1 项目"]


def test_docx_text_empty_numbered_paragraph_takes_a_number():
    body = para("甲", "1", 0) + para("", "1", 0) + para("丙", "1", 0)
    assert lines_of(body) == ["一、甲", "", "三、丙"]


@pytest.mark.parametrize("body", [
    para("项目", "0", 0),     # numId 0 switches numbering off
    para("项目", "77", 0),    # an undefined list
    para("项目"),
])
def test_docx_text_no_number(body):
    assert lines_of(body) == ["项目"]


def test_docx_text_skips_fallback_and_deleted_text():
    body = ("<w:p><w:r><w:t>保留</w:t></w:r><w:del><w:r><w:delText>删除</w:delText></w:r></w:del>"
            "<mc:AlternateContent><mc:Choice><w:r><w:t>框</w:t></w:r></mc:Choice>"
            "<mc:Fallback><w:r><w:t>框</w:t></w:r></mc:Fallback></mc:AlternateContent>"
            "<w:r><w:tab/><w:t>尾</w:t><w:br/><w:t>次行</w:t></w:r></w:p>")
    assert lines_of(body) == ["保留框\t尾", "次行"]


@pytest.mark.parametrize("n,expected", [
    (1, "一"), (9, "九"), (10, "十"), (11, "十一"), (19, "十九"), (20, "二十"), (21, "二十一"), (99, "九十九"),
    (100, "一百"), (105, "一百零五"), (110, "一百一十"), (1010, "一千零一十"), (2003, "二千零三"),
])
def test_chinese_number(n, expected):
    assert chinese_number(n) == expected


@pytest.mark.parametrize("n,fmt,expected", [
    (3, "decimal", "3"), (3, "chineseCounting", "三"), (12, "chineseCountingThousand", "十二"),
    (2, "ideographTraditional", "乙"), (11, "ideographTraditional", "甲"), (3, "decimalEnclosedCircle", "③"),
    (21, "decimalEnclosedCircle", "(21)"), (2, "decimalEnclosedParen", "⑵"), (28, "lowerLetter", "bb"),
    (14, "upperRoman", "XIV"), (4, "lowerRoman", "iv"), (7, "decimalZero", "07"), (3, "someNewFormat", "3"),
    (12, "decimalFullWidth", "１２"), (3, "chineseLegalSimplified", "叁"),
])
def test_format_number(n, fmt, expected):
    assert format_number(n, fmt) == expected


# ---------------------------------------------------------------------------------------------------------------
# Bad .docx files

def _refused(data: bytes, name: str = "bad.docx") -> UnreadableReport:
    with pytest.raises(UnreadableReport) as info:
        docx_text(data, path=name)
    assert str(info.value).startswith(f"{name}: ")
    return info.value


def test_docx_text_password_protected_fixture():
    with pytest.raises(UnreadableReport) as info:
        read_report(FIXTURES / "locked.docx")
    assert info.value.reason == "password-protected or legacy Word file; save it as .docx without a password"
    assert str(info.value).startswith(str(FIXTURES / "locked.docx"))


@pytest.mark.parametrize("data", [b"not a zip at all", make_docx(para("正文"))[:200], b"PK\x03\x04" + bytes(40)],
                         ids=["text", "truncated", "header-only"])
def test_docx_text_corrupt_zip(data):
    assert _refused(data).reason.startswith("corrupt .docx")


def test_docx_text_zip_without_document_part():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "hi")
    assert "no word/document.xml" in _refused(buf.getvalue()).reason


@pytest.mark.parametrize("body", ["", para(""), para("  "), "<w:tbl><w:tr><w:tc>" + para("") + "</w:tc></w:tr></w:tbl>"])
def test_docx_text_no_text(body):
    assert _refused(make_docx(body)).reason == "no text in document"


def test_docx_text_rejects_doctype():
    evil = ('<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY x "boom">]>'
            f'<w:document xmlns:w="{W_NS}"><w:body>{para("&x;")}</w:body></w:document>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", evil)
    assert "DOCTYPE" in _refused(buf.getvalue()).reason


def test_docx_text_bad_xml():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w:document><unclosed>")
    assert "bad XML in word/document.xml" in _refused(buf.getvalue()).reason


def test_docx_text_refuses_a_zip_bomb_by_ratio(tmp_path):
    # 5 MB of one repeated paragraph compresses about a thousandfold.
    bomb = make_docx(para("宣传") * 120_000)
    path = tmp_path / "bomb.docx"
    path.write_bytes(bomb)
    assert len(bomb) < 100_000
    with pytest.raises(UnreadableReport) as info:
        read_report(path)
    assert str(info.value).startswith(f"{path}: refused: word/document.xml expands")
    assert "zip bomb" in info.value.reason


def test_docx_text_refuses_a_zip_bomb_by_total_size(monkeypatch):
    data = make_docx(para("宣传工作") * 50)
    assert docx_text(data, path="ok.docx").startswith("宣传工作")
    monkeypatch.setattr(formats, "MAX_UNCOMPRESSED", 1_000)
    assert "zip bomb" in _refused(data).reason


# ---------------------------------------------------------------------------------------------------------------
# PDF

def test_pdf_text_heading_at_line_start_and_paragraph_joined():
    raw = read_report(FIXTURES / "text.pdf")
    expected = [make_fixtures.PDF_TITLE]
    for heading, body in make_fixtures.PDF_SECTIONS:
        expected += [heading, body]
    assert raw.text.split("\n") == expected
    assert (raw.format, raw.encoding) == ("pdf", "pdf")


def test_pdf_text_fixture_really_wraps():
    # Without unwrapping, the fixture's paragraphs span several lines: the join above is the reader's work.
    text = pdf_text((FIXTURES / "text.pdf").read_bytes(), path="text.pdf")
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) > 2 + 1 + 2 * 2
    assert make_fixtures.PDF_SECTIONS[0][1] not in lines


def test_pdf_text_no_text_layer():
    with pytest.raises(UnreadableReport) as info:
        read_report(FIXTURES / "scanned.pdf")
    assert str(info.value) == f"{FIXTURES / 'scanned.pdf'}: no text layer (scanned PDF?)"


@pytest.mark.parametrize("data,reason", [
    (b"%PDF-1.4\nthis is not a pdf body", "corrupt PDF"),
    (b"hello, not a pdf", "not a PDF file"),
])
def test_pdf_text_bad_bytes(data, reason):
    with pytest.raises(UnreadableReport) as info:
        pdf_text(data, path="x.pdf")
    assert str(info.value).startswith("x.pdf: " + reason)


def test_pdf_text_encrypted():
    from fpdf import FPDF
    from fpdf.enums import EncryptionMethod

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(0, 10, "Work report")
    pdf.set_encryption(owner_password="owner", user_password="user", encryption_method=EncryptionMethod.RC4)
    with pytest.raises(UnreadableReport, match=r"^enc\.pdf: encrypted PDF"):
        pdf_text(bytes(pdf.output()), path="enc.pdf")


# ---------------------------------------------------------------------------------------------------- size limits


def test_a_docx_whose_text_part_is_too_big_is_refused_before_it_is_parsed(monkeypatch, tmp_path):
    from analysis.read import formats, report

    body = "".join(f"<w:p><w:r><w:t>第{i}段：宣传思想文化工作</w:t></w:r></w:p>" for i in range(2000))
    data = make_docx(body)
    monkeypatch.setattr(formats, "MAX_DOCUMENT_PART", 50_000)
    parsed = []
    monkeypatch.setattr(formats, "_parse_xml", lambda *a: parsed.append(a) or None)
    path = tmp_path / "big.docx"
    path.write_bytes(data)
    with pytest.raises(UnreadableReport, match="正文部分过大"):
        report.read_report(path)
    assert parsed == []


@pytest.mark.parametrize("ext", [".txt", ".docx"])
def test_a_report_with_more_text_than_the_limit_is_refused_naming_the_limit(monkeypatch, tmp_path, ext):
    from analysis.read import report

    text = "一、工作情况。" + "宣传思想文化工作取得新成效。" * 3000
    monkeypatch.setattr(report, "MAX_CHARS", 40_000)
    path = tmp_path / f"long{ext}"
    path.write_bytes(text.encode() if ext == ".txt" else make_docx(f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"))
    with pytest.raises(UnreadableReport, match=r"报告过长：42,007 个字符（上限 40,000）"):
        report.read_report(path)
    monkeypatch.setattr(report, "MAX_CHARS", 10_000)
    with pytest.raises(UnreadableReport, match=r"报告过长：(至少 )?\d"):
        report.read_report(path)
    monkeypatch.setattr(report, "MAX_CHARS", 50_000)
    assert len(report.read_report(path).text) == len(text)
