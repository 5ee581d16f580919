"""Readers: bytes → decoded text → clean text; hard-wrapped lines; listing a folder's reports."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.errors import UnreadableReport
from analysis.read.report import (
    SUPPORTED,
    RawReport,
    clean_text,
    decode_bytes,
    display_width,
    list_reports,
    looks_hard_wrapped,
    odd_share,
    read_report,
    unwrap_lines,
)

SHARED = Path(__file__).resolve().parents[1].parent / "shared"

# A short synthetic report with the noise real copies carry: a leading no-break space, a paywall marker,
# full-width and ASCII punctuation mixed, an ideographic-space indent.
SAMPLE = ("\u00a0某县委宣传部2023年工作总结\n\n##paidbegin##\n一、工作情况\n"
          "\u3000\u3000（一）强化理论武装。全年开展学习12次，覆盖干部300余人；“学习强国”活跃度高!\n"
          "(二)壮大主流舆论：发稿X万多条次。\n二、存在问题\n##paidend##\n")
CLEAN = ("某县委宣传部2023年工作总结\n\n一、工作情况\n（一）强化理论武装。全年开展学习12次，覆盖干部300余人；"
         "“学习强国”活跃度高!\n(二)壮大主流舆论：发稿X万多条次。\n二、存在问题")
GB18030_ONLY = "㐀"  # CJK extension A: in GB18030 (four bytes), not in GBK


def _bom(name: str, bom: bytes):
    return lambda text: bom + text.encode(name)


ENCODINGS = [
    # (id, encode function, text, expected encoding name)
    ("utf-8", lambda t: t.encode("utf-8"), SAMPLE, "utf-8"),
    ("utf-8-bom", lambda t: t.encode("utf-8-sig"), SAMPLE, "utf-8-sig"),
    ("gbk", lambda t: t.encode("gbk"), SAMPLE.replace("\u00a0", "\u3000"), "gb18030"),  # GBK has no U+00A0
    ("gb18030", lambda t: t.encode("gb18030"), SAMPLE.replace("存在问题", "存在问题" + GB18030_ONLY), "gb18030"),
    ("utf-16-le-bom", _bom("utf-16-le", b"\xff\xfe"), SAMPLE, "utf-16"),
    ("utf-16-be-bom", _bom("utf-16-be", b"\xfe\xff"), SAMPLE, "utf-16"),
    ("utf-32-le-bom", _bom("utf-32-le", b"\xff\xfe\x00\x00"), SAMPLE, "utf-32"),
    ("utf-32-be-bom", _bom("utf-32-be", b"\x00\x00\xfe\xff"), SAMPLE, "utf-32"),
]
NEWLINES = [("lf", "\n"), ("crlf", "\r\n"), ("cr", "\r")]


@pytest.mark.parametrize("newline", [n for _, n in NEWLINES], ids=[i for i, _ in NEWLINES])
@pytest.mark.parametrize("encode,text,expected_encoding", [e[1:] for e in ENCODINGS], ids=[e[0] for e in ENCODINGS])
def test_read_report_encodings_round_trip(tmp_path, encode, text, expected_encoding, newline):
    path = tmp_path / "report.txt"
    path.write_bytes(encode(text.replace("\n", newline)))
    raw = read_report(path)
    expected = CLEAN + (GB18030_ONLY if GB18030_ONLY in text else "")
    assert raw == RawReport(path=str(path), text=expected, format="txt", encoding=expected_encoding)


def test_decode_bytes_gbk_is_not_read_as_utf8():
    text, encoding = decode_bytes("一、工作情况".encode("gbk"))
    assert (text, encoding) == ("一、工作情况", "gb18030")


@pytest.mark.parametrize("data,reason", [
    (b"", "empty file"),
    (b" \r\n\t \n", "empty file"),
    (b"\xef\xbb\xbf  \n", "empty file"),
    ("\u3000\u00a0\n".encode("utf-8"), "empty file"),
    (b"\xff\xfe" + " \n".encode("utf-16-le"), "empty file"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "binary file, not text"),
    (b"PK\x03\x04\x14\x00\x06\x00", "binary file, not text"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(8), "binary file, not text"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file, not text"),
    (b"\x7fELF\x02\x01\x01", "binary file, not text"),
    ("工作总结".encode() + b"\x00\x00abc", "binary file, not text"),
    (b"abc \x80\x80 def", "bytes are neither UTF-8 nor GB18030 (byte 4)"),
    ("caf\u00e9 au lait".encode("latin-1"), "bytes are neither UTF-8 nor GB18030 (byte 3)"),
    (b"\xff\xfe\x00\xd8", "not valid UTF-16"),  # a lone surrogate after the BOM
])
def test_decode_bytes_refuses(data, reason):
    with pytest.raises(UnreadableReport) as info:
        decode_bytes(data, path="dir/r.txt")
    assert str(info.value).startswith("dir/r.txt: ")
    assert reason in info.value.reason


def test_decode_bytes_names_the_byte_where_the_likelier_decoder_stopped():
    data = "宣传工作总结".encode("gbk") + b"\x80"  # valid GBK up to byte 12, invalid for UTF-8 at byte 0
    with pytest.raises(UnreadableReport, match=r"\(byte 12\)"):
        decode_bytes(data)


@pytest.mark.parametrize("data", [
    b"\xaa\xa1" * 50,  # GBK user-defined area: decodes to private-use characters
    "工作总结".encode("gbk") + b"\x01\x02\x03\x04\x05" * 10,  # controls, and not UTF-8
], ids=["private-use", "controls"])
def test_decode_bytes_refuses_odd_gb18030(data):
    with pytest.raises(UnreadableReport, match="neither UTF-8 nor GB18030 text"):
        decode_bytes(data)


def test_decode_bytes_accepts_a_rare_private_use_character():
    data = ("宣传思想文化工作总结" * 5).encode("gbk") + b"\xaa\xa1"
    text, encoding = decode_bytes(data)
    assert encoding == "gb18030" and text.startswith("宣传思想")


@pytest.mark.parametrize("text,share", [("abc\tdef\n", 0.0), ("一二\uE000\x01", 0.5), ("", 0.0)])
def test_odd_share(text, share):
    assert odd_share(text) == share


# ---------------------------------------------------------------------------------------------------------------
# clean_text

@pytest.mark.parametrize("raw,expected", [
    ("a\r\nb\rc\n", "a\nb\nc"),
    ("\u00a0一、工作情况", "一、工作情况"),
    ("2023\u202f年", "2023年"),
    ("2019年工作总结\u00a0\u00a02019年，我县扎实工作。", "2019年工作总结  2019年，我县扎实工作。"),  # &nbsp; parts words
    ("宣\u200b传\u200c工\u200d作\u2060总\ufeff结", "宣传工作总结"),
    ("\u3000\u3000正文第一段。\n\t\t正文第二段。", "正文第一段。\n正文第二段。"),
    ("中\u3000间的空格保留", "中\u3000间的空格保留"),
    ("行尾空格   \n下一行\u3000 ", "行尾空格\n下一行"),
    ("##paidbegin##\n一、工作情况\n##PaidEnd##\n二、问题", "一、工作情况\n二、问题"),
    ("前文##paidbegin##后文", "前文后文"),
    ("  ##paidbegin##  \n正文", "正文"),
    ("\n\n\n  \n标题\n正文", "标题\n正文"),
    ("一段\n\n\n\n二段\n \n\u3000\n三段", "一段\n\n二段\n\n三段"),
    ("标点：全角，半角,混用;照旧!（一）(二)", "标点：全角，半角,混用;照旧!（一）(二)"),
    ("正文。\n\n  \t\n", "正文。"),
])
def test_clean_text_cases(raw, expected):
    assert clean_text(raw) == expected


NOISY = st.lists(st.sampled_from(
    list("一、（）。，ab #paidbeginend PAID") + ["\n", "\r", "\r\n", "\t", "\u3000", "\u00a0", "\u202f", "\u200b",
                                             "\ufeff", "\u2060", "##paidbegin##", "##paidend##", "\f", "\x85"]),
    max_size=60).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(NOISY, st.text(max_size=80)))
def test_clean_text_idempotent(text):
    once = clean_text(text)
    assert clean_text(once) == once


@settings(max_examples=200, deadline=None)
@given(NOISY)
def test_clean_text_leaves_no_noise(text):
    out = clean_text(text)
    assert "\r" not in out and "\n\n\n" not in out
    assert "##paidbegin##" not in out.lower() and "##paidend##" not in out.lower()
    assert not any(ch in out for ch in "\u00a0\u202f\u200b\ufeff\u2060")
    assert all(line == line.strip(" \t\u3000") for line in out.split("\n"))
    assert out == out.strip()


# ---------------------------------------------------------------------------------------------------------------
# Hard-wrapped lines

PARAGRAPHS = [
    "某区委宣传部2024年工作总结",
    "一、工作开展情况",
    ("今年以来，我们坚持以习近平新时代中国特色社会主义思想为指导，围绕中心服务大局，扎实推进理论武装、新闻宣传、"
    "文明创建和文化惠民等各项工作，取得了明显成效，为全区高质量发展提供了有力的思想保证和舆论支持。"),
    ("（一）强化理论武装。全年组织区委理论学习中心组集中学习若干次，开展基层宣讲活动若干场次，受众人数持续增加，"
    "理论宣讲的覆盖面和影响力进一步扩大，广大干部群众的思想认同不断增强"),
    "1.完善学习制度。制定学习计划和督查办法，推动学习制度化、规范化、常态化，形成了上下联动的良好工作格局。",
    "二、存在问题",
    ("对照上级要求和群众期待，我们的工作仍存在一些不足，主要是基层宣传力量相对薄弱，部分活动形式较为单一，"
    "网络宣传的传播力和影响力还有待进一步提高。"),
]


def hard_wrap(paragraphs: list[str], width: int) -> str:
    """Break every paragraph into lines of ``width`` characters, as a PDF page does."""
    lines = []
    for para in paragraphs:
        lines.extend(para[i:i + width] for i in range(0, len(para), width))
    return "\n".join(lines)


@pytest.mark.parametrize("width", [18, 25, 32])
def test_unwrap_lines_rejoins_hard_wrapped_paragraphs(width):
    wrapped = hard_wrap(PARAGRAPHS, width)
    assert looks_hard_wrapped(wrapped)
    assert unwrap_lines(wrapped) == "\n".join(PARAGRAPHS)


def test_unwrap_lines_keeps_headings_at_line_starts_after_a_full_open_line():
    # The paragraph before （一） does not end with 。 and its last line is full: the marker still starts a line.
    wrapped = hard_wrap(PARAGRAPHS, 25)
    out = unwrap_lines(wrapped).split("\n")
    assert any(line.startswith("（一）强化理论武装") for line in out)
    assert any(line.startswith("1.完善学习制度") for line in out)
    assert "一、工作开展情况" in out and "二、存在问题" in out


@pytest.mark.parametrize("marker", ["一、", "（二）", "(三)", "四是", "第一，", "2.", "3、", "(4)", "㈤", "【"])
def test_unwrap_lines_never_joins_an_outline_marker(marker):
    body = "这是一个足够长的句子用来填满整行而且没有句末标点符号继续写下去"
    lines = [body[:20]] * 7 + [marker + "后续内容"]
    out = unwrap_lines("\n".join(lines))
    assert out.endswith("\n" + marker + "后续内容")


def test_unwrap_lines_puts_a_space_between_ascii_words():
    lines = ["The report covers the work of the propaganda", "department in the first half of the year and",
             "the plans for the second half of the year in", "detail, with figures for every district and",
             "county office that took part in the survey.", "Plans"]
    out = unwrap_lines("\n".join(lines))
    assert out.startswith("The report covers the work of the propaganda department in the")
    assert out.endswith("survey.\nPlans")


@pytest.mark.parametrize("text", [
    "\n".join(PARAGRAPHS),                       # one paragraph per line
    "\n\n".join(PARAGRAPHS),
    hard_wrap(PARAGRAPHS[:2], 10),               # too few lines
    "标题\n一、工作情况\n（一）学习\n（二）宣讲\n二、问题\n三、打算\n四、其他",  # short lines only
])
def test_unwrap_lines_unchanged_when_not_hard_wrapped(text):
    assert not looks_hard_wrapped(text)
    assert unwrap_lines(text) == text


def test_looks_hard_wrapped_false_when_full_lines_end_sentences():
    # Equal-length lines that each end with 。 are paragraphs, not a page width.
    lines = ["这是一段完整的话，长度相同而且以句号结束。"] * 10
    assert not looks_hard_wrapped("\n".join(lines))


@pytest.mark.parametrize("line,width", [("abc", 3), ("一、", 4), ("2024 年", 7), ("ＡＢ", 4), ("", 0)])
def test_display_width(line, width):
    assert display_width(line) == width


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(alphabet="宣传工作总结。，a1 ", min_size=1, max_size=30), min_size=1, max_size=15))
def test_unwrap_lines_only_removes_line_breaks(lines):
    text = clean_text("\n".join(lines))
    out = unwrap_lines(text)
    assert out.replace("\n", "").replace(" ", "") == text.replace("\n", "").replace(" ", "")


DEV = SHARED / "dev" / "reports"


@pytest.mark.skipif(not DEV.is_dir(), reason="../shared/dev/reports is not present")
def test_looks_hard_wrapped_dev_reports():
    # The labellers note PDF copies with "Hard line breaks mid-word" (every line, or throughout): exactly those.
    with open(DEV.parent / "labels.csv", encoding="utf-8") as fh:
        expected = {r["file"] for r in csv.DictReader(fh) if "hard line breaks mid-word" in r["notes"].lower()}
    assert len(expected) >= 2
    flagged = {p.name for p in sorted(DEV.glob("*.txt")) if looks_hard_wrapped(read_report(p).text)}
    assert flagged == expected
    text = unwrap_lines(read_report(DEV / "065.txt").text)
    assert "\n一、强化价值引领" in text and "\n(一)核心价值观宣传教育实现全域覆盖。" in text


SEEDS = Path(__file__).resolve().parents[1] / "seeds"


@pytest.mark.skipif(not SEEDS.is_dir(), reason="seeds/ is not present")
def test_read_report_seeds_are_clean_and_not_wrapped():
    for path in sorted(SEEDS.glob("*.txt")):
        raw = read_report(path)
        assert raw.encoding == "utf-8"
        assert raw.text == clean_text(raw.text)
        assert "paidbegin" not in raw.text.lower() and "\u00a0" not in raw.text
        assert not looks_hard_wrapped(raw.text)


# ---------------------------------------------------------------------------------------------------------------
# read_report

@pytest.mark.parametrize("name,reason", [
    ("report.doc", "unsupported file type '.doc': use .txt, .docx or .pdf"),
    ("report.wps", "unsupported file type '.wps': use .txt, .docx or .pdf"),
    ("README", "unsupported file type (no extension): use .txt, .docx or .pdf"),
])
def test_read_report_unsupported_extension(tmp_path, name, reason):
    path = tmp_path / name
    path.write_bytes(b"text")
    with pytest.raises(UnreadableReport) as info:
        read_report(path)
    assert str(info.value) == f"{path}: {reason}"


def test_read_report_extension_is_case_insensitive(tmp_path):
    path = tmp_path / "REPORT.TXT"
    path.write_bytes("一、工作情况\r\n".encode("gbk"))
    assert read_report(path).text == "一、工作情况"


def test_read_report_missing_file(tmp_path):
    with pytest.raises(UnreadableReport, match=r"missing\.txt: no such file"):
        read_report(tmp_path / "missing.txt")


def test_read_report_folder_named_like_a_report(tmp_path):
    (tmp_path / "odd.txt").mkdir()
    with pytest.raises(UnreadableReport, match="is a folder"):
        read_report(tmp_path / "odd.txt")


def test_read_report_refuses_a_file_over_max_bytes(tmp_path):
    path = tmp_path / "big.txt"
    path.write_bytes("宣传".encode() * 100)
    assert read_report(path, max_bytes=600).text == "宣传" * 100
    with pytest.raises(UnreadableReport) as info:
        read_report(path, max_bytes=599)
    assert str(info.value).startswith(f"{path}: file too large (600 bytes; the limit is 599)")


def test_read_report_text_that_cleans_to_nothing(tmp_path):
    path = tmp_path / "paywall.txt"
    path.write_text("##paidbegin##\n##paidend##\n", encoding="utf-8")
    with pytest.raises(UnreadableReport, match="no text left after cleaning"):
        read_report(path)


def test_read_report_binary_with_txt_extension(tmp_path):
    path = tmp_path / "disguised.txt"
    path.write_bytes(b"%PDF-1.4\n...")
    with pytest.raises(UnreadableReport) as info:
        read_report(path)
    assert str(info.value) == f"{path}: binary file, not text (PDF signature)"


# ---------------------------------------------------------------------------------------------------------------
# list_reports

def test_list_reports_folder(tmp_path):
    src = tmp_path / "src"
    outside = tmp_path / "outside"
    (src / "b" / "deeper").mkdir(parents=True)
    (src / ".git").mkdir()
    outside.mkdir()
    for rel in ("a.txt", "b/c.docx", "b/deeper/d.PDF", "z.txt", "manifest.csv", "b/notes.doc", ".hidden.txt",
                ".git/config.txt"):
        (src / rel).write_text("x", encoding="utf-8")
    (outside / "secret.txt").write_text("x", encoding="utf-8")
    os.symlink(outside / "secret.txt", src / "leak.txt")
    os.symlink(outside, src / "leakdir")
    os.symlink(src / "a.txt", src / "b" / "alias.txt")
    os.symlink(src / "gone.txt", src / "broken.txt")

    paths, problems = list_reports(src)

    assert [p.relative_to(src).as_posix() for p in paths] == [
        "a.txt", "b/alias.txt", "b/c.docx", "b/deeper/d.PDF", "z.txt"]
    assert problems == [
        (str(src / "b" / "notes.doc"), "unsupported file type '.doc': use .txt, .docx or .pdf"),
        (str(src / "broken.txt"), "broken symlink"),
        (str(src / "leak.txt"), "symlink leads outside the source folder"),
        (str(src / "leakdir"), "symlink leads outside the source folder"),
    ]


def test_list_reports_nested_manifest_is_a_problem(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "manifest.csv").write_text("file\n", encoding="utf-8")
    paths, problems = list_reports(tmp_path)
    assert paths == [] and problems == [(str(tmp_path / "sub" / "manifest.csv"),
                                         "unsupported file type '.csv': use .txt, .docx or .pdf")]


def test_supported_extensions():
    assert SUPPORTED == (".txt", ".docx", ".pdf")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom_is_read(tmp_path, codec):
    """Notepad's "Unicode" without its byte-order mark: NUL bytes alternate with the ASCII characters."""
    path = tmp_path / "report.txt"
    path.write_bytes(SAMPLE.encode(codec))
    raw = read_report(path)
    assert raw.text == CLEAN and raw.encoding == codec


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom_or_any_ascii_is_read(codec):
    text = "一、工作情况。二、存在问题。三、下一步工作打算。理论武装走深走实，宣传思想文化工作全面加强。" * 3
    assert decode_bytes(text.encode(codec)) == (text, codec)


@pytest.mark.parametrize("data", [bytes(range(256)) * 8, b"\x00\x01" * 200, "工作总结".encode() + b"\x00\x00abc",
                                  "abc\n".encode("utf-16-le") + b"\x00\xd8" + b"\x00\x00" * 5])
def test_binary_with_nul_bytes_is_still_refused(data):
    with pytest.raises(UnreadableReport, match="binary file|neither"):
        decode_bytes(data)
