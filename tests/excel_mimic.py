"""What Excel makes of a CSV cell when it opens the file: a number, a date, a time, or the text as written.

A mimic of Excel's General-format guessing (as Excel 2016–365 does on opening a .csv, in the Chinese and the
European locales): plain numbers ("1", "1.", "1.10", ".5", "1e5", "1,000", "(1)", "¥1", "-1"), percentages ("10%"),
fractions ("1 1/2"), dates ("1-10", "1/10", "2020-1-10", "1.10.2020", "2.3.1" where dates are written with dots,
"1月10日", "1-Jan") and times ("1:10", "1:10:05", "1:10 PM"). It errs on the side of converting: a test that finds
no converted cell with it is safe with the real thing. ``DEEP_REPORT`` is a made-up report whose outline has a
tenth item (path 1.10).
"""

from __future__ import annotations

import re

_NUMBER = re.compile(r"""
    [(]?[-+]?[$¥€£]?[(]?                    # sign, currency, accounting parentheses
    (?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d*)?   # digits with thousands separators, a decimal point
    (?:[eE][-+]?\d+)?                       # exponent
    [)]?%?                                  # a closing parenthesis, a percent sign
""", re.VERBOSE)
_DATE = re.compile(r"\d{1,4}([-/])\d{1,2}(?:\1\d{1,4})?|\d{1,2}\.\d{1,2}\.\d{1,4}|\d{1,4}\.\d{1,2}\.\d{1,2}"
                   r"|(?:\d{1,4}年)?\d{1,2}月(?:\d{1,2}日)?|\d{1,2}[-/ ][A-Za-z]{3,9}(?:[-/ ]\d{1,4})?")
_TIME = re.compile(r"\d{1,2}:\d{1,2}(?::\d{1,2}(?:\.\d+)?)?(?:\s*[AaPp][Mm])?|\d{1,2}\s*[AaPp][Mm]")
_FRACTION = re.compile(r"\d+ \d+/\d+")


def excel_converts(text: str) -> str | None:
    """"number", "date" or "time" when Excel would turn the CSV cell ``text`` into one; None when it keeps the text."""
    cell = text.strip()
    if not cell:
        return None
    if any(ch.isdigit() for ch in cell) and (_NUMBER.fullmatch(cell) or _FRACTION.fullmatch(cell)):
        return "number"
    if _DATE.fullmatch(cell):
        return "date"
    if _TIME.fullmatch(cell):
        return "time"
    return None


NUMERALS = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"]
DEEP_REPORT = ("2023年某市委宣传部工作总结\n一、主要工作成效\n"
               + "".join(f"（{n}）第{i + 1}项工作扎实推进。组织学习{i + 3}次，开展活动{i + 10}场。\n"
                         if n != "十" else "（十）第十项工作扎实推进。一是理论学习扎实有效，组织学习5次；二是宣讲形式新颖，开展宣讲12场。\n"
                         for i, n in enumerate(NUMERALS))
               + "二、存在的问题\n基层宣讲力量不足。\n三、下一步工作计划\n加强网络生态治理。\n")
"""A report whose outline has a tenth item (1.10) with children (1.10.1) and items after it (1.11, 1.12)."""
