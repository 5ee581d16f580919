"""The PROBLEMS table in Chinese: each stage and reason as the dashboard and the exports show them.

The reading and building code words its reasons in English (the CLI's ``build`` prints them as they are); a
reason is put into Chinese here, by the pattern of its wording, with the file names, numbers and signatures it
quotes kept. A reason no pattern knows is shown as it is.
"""

from __future__ import annotations

import re

import pandas as pd

STAGE_ZH = {"read": "读取", "parse": "解析", "manifest": "清单", "store": "入库"}

_REASONS: tuple[tuple[str, str], ...] = (
    (r"empty file", "空文件"),
    (r"bytes are not valid (\S+) after its byte-order mark.*", r"文件开头标明 \1 编码，但内容不是 \1"),
    (r"binary file, not text \(NUL bytes\)", "二进制文件，不是文本（含空字节）"),
    (r"binary file, not text \((.+) signature\)", r"二进制文件，不是文本（\1 文件头）"),
    (r"bytes are neither UTF-8 nor GB18030.*", "既不是 UTF-8 也不是 GB18030 编码的文本"),
    (r"unsupported file type (\S+|\(no extension\)): use \.txt, \.docx or \.pdf",
     r"不支持的文件类型 \1：请使用 .txt、.docx 或 .pdf"),
    (r"no text left after cleaning", "清理后没有剩下正文"),
    (r"is a folder, not a file", "是文件夹，不是文件"),
    (r"file too large \(([\d,]+) bytes; the limit is ([\d,]+)\)", r"文件过大（\1 字节，上限 \2 字节）"),
    (r"file too large \(more than ([\d,]+) bytes\)", r"文件过大（超过 \1 字节）"),
    (r"no such file", "文件不存在"),
    (r"no such folder", "文件夹不存在"),
    (r"permission denied", "没有读取权限"),
    (r"cannot read file \((.*)\)", "无法读取文件"),
    (r"cannot list folder \((.*)\)", "无法列出文件夹"),
    (r"broken symlink", "快捷链接已失效"),
    (r"symlink leads outside the source folder", "快捷链接指向报告文件夹之外"),
    (r"not a regular file", "不是普通文件"),
    (r"password-protected or legacy Word file.*", "加密或旧版（.doc）Word 文件：请在 Word 中另存为不加密码的 .docx"),
    (r"corrupt \.docx.*", "损坏的 .docx 文件，无法打开"),
    (r"not a Word document \(no (.+) in the zip\)", r"不是 Word 文档（压缩包中没有 \1）"),
    (r"no text in document", "文档中没有文字"),
    (r"refused: (.+) expands (\d+)-fold.*", r"拒收：\1 解压后膨胀 \2 倍（疑似压缩炸弹）"),
    (r"refused: the document parts expand to ([\d,]+) bytes.*", r"拒收：文档解压后达 \1 字节，超过上限"),
    (r"refused: (.+) has a DOCTYPE/ENTITY declaration", r"拒收：\1 含有 DOCTYPE/ENTITY 声明"),
    (r"cannot read \.pdf: pypdfium2 is not installed", "无法读取 PDF：未安装 pypdfium2"),
    (r"not a PDF file \(no %PDF- header\)", "不是 PDF 文件（缺少 %PDF- 文件头）"),
    (r"encrypted PDF.*", "加密的 PDF（需要密码）：请另存为不加密码的文件"),
    (r"corrupt PDF.*", "损坏的 PDF 文件，无法打开"),
    (r"PDF has no pages", "PDF 没有页面"),
    (r"no text layer \(scanned PDF\?\)", "没有文字层（可能是扫描件，请先做文字识别）"),
    (r"same text as (.+)", r"与 \1 的正文相同（重复的报告，未重复计入）"),
    (r"(.+): no such report in the folder", r"清单列出的 \1 不在报告文件夹中"),
    (r"cannot read the manifest.*", "无法读取 manifest.csv：请另存为 UTF-8 编码的 CSV"),
    (r"no 'file' column; columns are: (.+)", r"缺少 file 列；可用的列：\1"),
    (r"unknown column (.+) ignored; columns are: (.+)", r"未知的列 \1 已忽略；可用的列：\2"),
    (r"(.+) is listed twice; this row is ignored", r"\1 重复列出，本行已忽略"),
    (r"unit_level=(.+) is not valid; options are: .*", r"层级 \1 无效（可用：省级、市级、县级、区级、乡镇街道、单位、未知）"),
    (r"period=(.+) is not valid; options are: .*", r"时段 \1 无效（可用：上半年、下半年、一至四季度、全年）"),
    (r"year=(.+) is not valid; options are: .*", r"年份 \1 无效（应为 1949–2100 的整年）"),
    (r"[A-Za-z_]+(Error|Exception): .*", "解析时出错（程序错误，请把该文件报告给维护者）"),
)
_COMPILED = tuple((re.compile(pattern, re.DOTALL), zh) for pattern, zh in _REASONS)


def reason_zh(reason: str | None) -> str | None:
    """A problem's reason in Chinese (as it is when no pattern knows it).

    Example:
        >>> reason_zh("no text layer (scanned PDF?)")
        '没有文字层（可能是扫描件，请先做文字识别）'
    """
    if not isinstance(reason, str):
        return reason
    for pattern, zh in _COMPILED:
        match = pattern.fullmatch(reason.strip())
        if match:
            return match.expand(zh)
    return reason


def problems_zh(problems: pd.DataFrame) -> pd.DataFrame:
    """A PROBLEMS table with its stage and reason in Chinese (the file names as they are)."""
    out = problems.copy()
    if "stage" in out:
        out["stage"] = out["stage"].map(lambda s: STAGE_ZH.get(s, s))
    if "reason" in out:
        out["reason"] = out["reason"].map(reason_zh)
    return out


__all__ = ["STAGE_ZH", "problems_zh", "reason_zh"]
