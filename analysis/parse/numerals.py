"""Chinese numerals: 一 → 1, 十二 → 12, 二十 → 20, 一百零五 → 105, 两万 → 20000."""

from __future__ import annotations

import re

DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
          "八": 8, "九": 9, "壹": 1, "贰": 2, "叁": 3, "肆": 4, "伍": 5, "陆": 6, "柒": 7, "捌": 8, "玖": 9}
UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
BIG_UNITS = {"万": 10_000, "亿": 100_000_000}
CN_NUMERAL_CHARS = "".join(DIGITS) + "".join(UNITS) + "".join(BIG_UNITS)


def cn_to_int(text: str) -> int | None:
    """The value of a Chinese numeral, or None when ``text`` is not one.

    >>> cn_to_int("十二"), cn_to_int("二十"), cn_to_int("一百零五"), cn_to_int("三万五千")
    (12, 20, 105, 35000)
    """
    if not text or any(ch not in DIGITS and ch not in UNITS and ch not in BIG_UNITS for ch in text):
        return None
    if all(ch in DIGITS for ch in text) and len(text) > 1:  # 二〇二三 read digit by digit
        return int("".join(str(DIGITS[ch]) for ch in text))
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in DIGITS:
            digit = DIGITS[ch]
        elif ch in UNITS:
            section += (1 if digit is None else digit) * UNITS[ch]
            digit = None
        else:
            section += digit or 0
            total += (section or 1) * BIG_UNITS[ch]
            section, digit = 0, None
    return total + section + (digit or 0)


def to_number(text: str) -> float | None:
    """Arabic or Chinese digits as a number ('1.6' → 1.6, '11000' → 11000, '四' → 4)."""
    t = text.replace(",", "").replace("，", "").strip()
    try:
        return float(t)
    except ValueError:
        n = cn_to_int(t)
        return float(n) if n is not None else None


NARROW = str.maketrans({chr(0xFF10 + i): chr(0x30 + i) for i in range(10)}
                       | {chr(0xFF21 + i): chr(0x41 + i) for i in range(26)}
                       | {chr(0xFF41 + i): chr(0x61 + i) for i in range(26)})
"""Full-width digits and Latin letters (２０１０年, ＸＸ县) as ASCII; punctuation keeps its width."""
_WIDE = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
CN_YEAR = re.compile(r"[一二][〇○零OＯ0一二三四五六七八九]{3}(?=\s*年)")
"""A year in Chinese numerals: 二〇一五年, 一九九八年, 二○○九年."""
CN_DIGITS = str.maketrans("〇○零OＯ一二三四五六七八九", "00000123456789")


def ascii_years(text: str) -> str:
    """Full-width digits and letters as ASCII and a year in Chinese numerals in digits, character for character
    (二〇一五年 → 2015年), so offsets hold.

    Example:
        >>> ascii_years("二〇一五年，ＸＸ县２０１６年")
        '2015年，XX县2016年'
    """
    if _WIDE.search(text):  # a scan in C: most texts have no full-width digit or letter at all
        text = text.translate(NARROW)
    return CN_YEAR.sub(lambda m: m.group(0).translate(CN_DIGITS), text) if "年" in text else text
