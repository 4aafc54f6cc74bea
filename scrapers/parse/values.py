"""Read one printed cell as a number: blanks and dashes are 0, units and signs are kept."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from decimal import Decimal, InvalidOperation

from scrapers.parse.prose import fold_characters

# What reports print for "nothing": read as 0, the raw text kept to tell it from a printed 0.
BLANKS = {"", "-", "—", "–", "－", "——", "/", "／", "无", "\\", "―", "一"}
# A zero printed as a numeral ("零", "〇"): a printed 0, not a blank.
ZEROS = {"零", "〇"}
# the units a value may carry, longest first where one ends another
UNITS = ("万元", "元", "件", "条", "项", "个", "人次", "次")
_NUMBER = re.compile(r"^(?P<sign>--|[+-]?)(?P<num>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d+))?"
                     rf"(?P<unit>{'|'.join(UNITS)})?$")


# What a value is made of once NFKC-normalised: digits, signs, separators, units, blanks. A
# field holding anything else is not a value.
_VALUE_CHARS = re.escape("".join(sorted(set("+-−,." + "".join(BLANKS) + "".join(UNITS)))))
_MAYBE_VALUE = re.compile(rf"[\s|][\d{_VALUE_CHARS}]+(?![^\s|])")


def may_print_a_value(text: str) -> bool:
    """False only when no field of `text` (NFKC-normalised) can read as a value, however its
    lines are cut into fields at spacing, tabs and `|`."""
    return _MAYBE_VALUE.search("\n" + text) is not None


# Below this recognition confidence (OCR) a cell is doubtful: left out, named, the parse partial.
MIN_CONFIDENCE = 0.8


@dataclass(frozen=True, slots=True)
class Value:
    number: int | Decimal
    raw: str
    blank: bool
    unit: str | None  # wan_yuan | yuan | None
    # a cell that stands where a number stands and prints none the reader can read ("1O",
    # "3*", "?"): it keeps its place in the row, and its number (0) is never read
    garbled: bool = False


# A number the copy garbled: digits run into letters or marks ("1O", "l2", "3*", "5?", "2O19"),
# or a lone question mark or undecodable character. It has no word, so it is no label; a row's
# list number ("1.", "(1)", "1、") holds no letter or mark, so it is none.
_GARBLED = re.compile(r"^(?:[?\ufffd]+|(?=[0-9A-Za-z?*#.,'\ufffd]*\d)(?=[0-9A-Za-z?*#.,'\ufffd]*[A-Za-z?*#\ufffd])[0-9A-Za-z?*#.,'\ufffd]{2,12})$")


# 本年增/减 printed in words: "增加3", "减少2", "持平"
_CHANGE = re.compile(r"^(?P<word>增加|增长|新增|增|减少|下降|减)(?P<num>\d+)(?:件|项|个)?$")
_NO_CHANGE = {"持平", "不变", "无变化", "没有变化"}


def _change_in_words(t: str, raw: str) -> Value | None:
    if t in _NO_CHANGE:
        return Value(0, raw, False, None)
    m = _CHANGE.match(t)
    if not m:
        return None
    number = int(m["num"])
    return Value(-number if m["word"] in ("减少", "下降", "减") else number, raw, False, None)


# a count with its share beside it ("6（37.5%）", "6 (37.5%)"): the count is the cell's value
_SHARE = re.compile(r"^(?P<count>[^()%]+?)\((?:\d+(?:\.\d+)?)%\)$")


@lru_cache(maxsize=1 << 16)
def read_value(text: str) -> Value | None:
    """The cell's value, or None when the cell is not a number (a label, a note)."""
    raw = text
    if not text.isascii() and any(unicodedata.category(c) == "No" for c in text):
        # a superscript or circled number ("5²", "12¹", "3①") is a footnote's mark or a list's
        # number, which NFKC would make a digit of the number ("5²" read 52): beside digits the
        # cell is garbled, alone it is no number
        return Value(0, raw, False, None, True) if any(c.isdecimal() for c in text) else None
    t = unicodedata.normalize("NFKC", text).strip().replace(" ", "")
    if not t.isascii():
        # a page in traditional characters prints 無 and 減少4 for 无 and 减少4
        t = fold_characters(t)
    if t in BLANKS:
        return Value(0, raw, True, None)
    if t in ZEROS:
        return Value(0, raw, False, None)
    m = _NUMBER.match(t.replace("−", "-"))
    if not m and t.endswith("%)") and (share := _SHARE.match(t)):
        m = _NUMBER.match(share["count"])
    if not m:
        changed = _change_in_words(t, raw)
        if changed is None and _GARBLED.match(t):
            return Value(0, raw, False, None, True)
        return changed
    digits = m["num"].replace(",", "")
    if m["frac"] is not None:
        try:
            number: int | Decimal = Decimal(f"{digits}.{m['frac']}")
        except InvalidOperation:
            return None
    else:
        number = int(digits)
    # "--253" (a doubled minus, as some reports print a decrease) reads as one minus
    if m["sign"] in ("-", "--"):
        number = -number
    unit = {"万元": "wan_yuan", "元": "yuan"}.get(m["unit"] or "")
    return Value(number, raw, False, unit)
