"""Read the numbers that report prose prints: Arabic with thousands separators, or Chinese numerals.

Pre-2019 reports state their figures in sentences ("共主动公开政府信息1,234条", "咨询零人次",
"配备了两名兼职人员", "5500余条"). The parser finds the number with NUMBER (a regex fragment)
and turns its text into a value with read_number.
"""

from __future__ import annotations

import re

_DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
CHINESE_NUMERAL_CHARS = "".join(_DIGITS) + "".join(_UNITS) + "万"

# Thousands groups only where they are well formed ("1,234" but not "3,4"), so that a comma
# between two clauses ("同意公开1件,2件…") is never read as a separator.
ARABIC = r"(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?"
# A numeral holds a digit or 十 ("十件", "两万"): 万 alone is the unit 万元's, never 10,000.
CHINESE = rf"(?=[{CHINESE_NUMERAL_CHARS}]*?[{''.join(_DIGITS)}十])[{CHINESE_NUMERAL_CHARS}]+"
# An Arabic number may carry a 万 multiplier ("1.2万条"); a percentage is never a number here, and
# a number never starts inside another one ("20091名" is a lost date glued to a count, not 91).
NUMBER = rf"(?:(?<![\d.])(?<!\d,){ARABIC}万?|{CHINESE})(?![\d.%‰])"


# A year of the reports' era printed in Chinese digits ("二〇一二年", "二○一九年度", "二零二一年").
_CHINESE_YEAR = re.compile(r"二[〇○零]([〇○零一二三四五六七八九]{2})(?=\s*年)")


def arabic_years(text: str) -> str:
    """The text with its years in Chinese digits written in Arabic ones, keeping its length
    (and so every offset): a title's or a sentence's year is then read like any other."""
    if "二〇" not in text and "二○" not in text and "二零" not in text:
        return text
    return _CHINESE_YEAR.sub(lambda m: "20" + "".join(str(_DIGITS[c]) for c in m.group(1)), text)


class NotANumber(ValueError):
    """The text is not a number this module can read."""


def read_number(text: str) -> int | float:
    """The value of a printed number: "1,234" -> 1234, "33.3" -> 33.3, "两" -> 2, "一百零五" -> 105."""
    s = text.strip()
    if not s:
        raise NotANumber("empty number")
    multiplier = 1
    if s.endswith("万") and re.fullmatch(ARABIC + "万", s):
        s, multiplier = s[:-1], 10000
    if re.fullmatch(ARABIC, s):
        plain = s.replace(",", "")
        value = float(plain) * multiplier if "." in plain else int(plain) * multiplier
        return int(value) if isinstance(value, float) and value.is_integer() else value
    if re.fullmatch(CHINESE, s):
        return _read_chinese(s)
    raise NotANumber(f"not a number: {text!r}")


def _read_chinese(s: str) -> int:
    # Digit strings ("二〇一〇") are read digit by digit; positional numerals ("一百零五") by unit.
    if all(c in _DIGITS for c in s):
        if len(s) == 1:
            return _DIGITS[s]
        return int("".join(str(_DIGITS[c]) for c in s))
    total = 0
    if "万" in s:
        high, _, s = s.partition("万")
        total += (_read_chinese(high) if high else 1) * 10000
        if not s:
            return total
    section = digit = 0
    for c in s:
        if c in _DIGITS:
            digit = _DIGITS[c]
        elif c in _UNITS:
            # "十二" has no digit before 十: it means 1×10
            section += (digit or 1) * _UNITS[c]
            digit = 0
        else:
            raise NotANumber(f"not a Chinese numeral: {s!r}")
    return total + section + digit
