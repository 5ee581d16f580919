"""Web debris out before parsing: HTML, pinyin glosses, viewer chunk numbers, site headers and footers (made-up text)."""

from __future__ import annotations

import pytest

from analysis.read.clean import clean_web, strip_chunk_numbers, strip_footers
from analysis.read.report import read_report
from analysis.store.pipeline import process_file


def test_html_tags_go_and_the_text_inside_stays():
    text, removed = clean_web('<p>2010<span class="x">年</span>，<b>1、</b>理论学习扎实</p><p>二、存在问题</p>')
    assert text == "\n2010年，1、理论学习扎实\n二、存在问题"
    assert removed == {"html": len('<p><span class="x"></span><b></b></p><p></p>') - 2}


def test_script_style_comments_and_entities():
    text, removed = clean_web("<div><script>var a=1;</script><!-- ad -->宣传&nbsp;工作&amp;总结&#12290;</div>")
    assert text == "\n宣传\u00a0工作&总结。"
    assert removed["html"] > 0


def test_angle_brackets_that_are_not_html_are_kept():
    for s in ("学习<十九大>精神", "比例a<b时", "网址 www.example.com/a&b"):
        assert clean_web(s) == (s, {})


def test_pinyin_glosses_after_characters_go():
    text, removed = clean_web("實現(xiàn)目標，風(fēng)水梁鎮(zhèn)工作總結(jié)")
    assert text == "實現目標，風水梁鎮工作總結"
    assert removed == {"pinyin": len("(xiàn)(fēng)(zhèn)(jié)")}


def test_brackets_that_are_not_pinyin_are_kept():
    for s in ("学习(试行)办法", "文件(pdf)下载", "英文(Report)", "数量(2)项"):
        assert clean_web(s)[0] == s


def test_viewer_chunk_numbers_go_even_inside_words():
    chunk = "理论武装工作紧扣时代主旋律为经济社会发展凝聚思想共识各项工作齐头并进亮点频现" * 3
    pieces = [chunk[:100], chunk[:100], chunk[:100], chunk[:37]]
    viewed = "".join(f"{i + 1}、{p}" if i == 0 else f"\n{i + 1}、{p}" for i, p in enumerate(pieces))
    text, n = strip_chunk_numbers(viewed)
    assert text == "".join(pieces) and n == len(viewed) - len(text)
    inline = pieces[0] + "2、" + pieces[1] + "3、" + pieces[2]  # numbers inline, no break
    assert strip_chunk_numbers("1、" + inline)[0] == "".join(pieces[:3])


def test_real_numbered_items_are_not_chunk_numbers():
    items = "1、抓好中心组学习。正文内容较长一些。\n2、深化群众教育。正文。\n3、做强正面宣传，正文内容又长了很多很多很多。\n"
    assert strip_chunk_numbers(items * 3) == (items * 3, 0)
    assert strip_chunk_numbers("1、" + "甲" * 120 + "2、" + "乙" * 120) == ("1、" + "甲" * 120 + "2、" + "乙" * 120, 0)


def test_wikisource_licence_and_news_site_lines_go():
    body = "各位代表：\n现在，我代表政府向大会报告工作。\n一、过去一年工作回顾\n正文。"
    wiki = body + "\n\n本作品是中华人民共和国的\n法律\n、\n法规\n，属于\n公有领域\n。\n\nPublic domain\nPublic domain\nfalse\nfalse"
    assert clean_web(wiki)[0].rstrip() == body
    news = ("您的位置:\n首页\n>\n来源：某某日报\n2026-02-03 09:02:33\n【字号：加大 还原 减小】\n下载 打印 全屏 收藏\n" + body
            + "\n扫一扫在手机打开当前页\n编辑：张某\n相关报道：")
    text, removed = clean_web(news)
    assert text.strip() == body and removed["footer"] == len(news) - len(text)


@pytest.mark.parametrize("header", [
    "首页 > 范文 > 工作总结",
    "当前位置：首页 » 工作总结 » 宣传工作总结",
    "文章 › 总结 › 宣传部",
    "发布时间：2021-03-02 09:15  来源：本站  浏览次数：1024",
    "【字体：大 中 小】",
])
def test_a_site_header_before_the_title_goes(header):
    body = "2021年县委宣传部工作总结\n一、工作回顾\n正文。"
    assert clean_web(header + "\n" + body)[0] == body


def test_a_line_of_the_report_with_an_arrow_is_kept():
    text = "一、工作情况\n满意度>90%\n正文。"
    assert clean_web(text)[0] == text


def test_a_report_sentence_about_an_editor_is_kept():
    lines = ["一、工作情况"] + [f"正文第{i}段。" for i in range(20)] + ["编辑：负责稿件审核的同志"] + [f"续文第{i}段。" for i in range(20)]
    text = "\n".join(lines)
    assert strip_footers(text) == (text, 0)


def test_removed_characters_reach_the_documents_row(tmp_path):
    path = tmp_path / "r.txt"
    path.write_text("<p>工作總結(jié)</p>\n一、工作情况\n正文。\n扫一扫在手机打开当前页\n", encoding="utf-8")
    raw = read_report(path)
    assert raw.text == "工作總結\n一、工作情况\n正文。" and raw.removed_chars == 6 + 5 + 12  # <p> becomes a line break; a footer line goes with its break
    doc = process_file(path, root=tmp_path)["documents"]
    assert doc["removed_chars"] == [raw.removed_chars]
    assert doc["removed"] == ["html=6 pinyin=5 footer=12"]
    assert doc["chars"] == [len(raw.text)]
