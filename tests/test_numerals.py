"""Numbers as report prose prints them."""

import re

import pytest

from scrapers.parse.numerals import NUMBER, NotANumber, arabic_years, read_number


@pytest.mark.parametrize(
    "text,value",
    [
        ("0", 0), ("141", 141), ("1,234", 1234), ("12,789", 12789), ("33.3", 33.3), ("1.2万", 12000),
        ("零", 0), ("〇", 0), ("两", 2), ("十", 10), ("十二", 12), ("二十", 20), ("一百零五", 105),
        ("两千三百", 2300), ("三万五千", 35000), ("二〇一〇", 2010),
    ],
)  # fmt: skip
def test_read_number(text, value):
    assert read_number(text) == value
    assert type(read_number(text)) is type(value)


@pytest.mark.parametrize("text", ["", "abc", "1,23", "3件"])
def test_not_a_number_is_a_clear_error(text):
    with pytest.raises(NotANumber):
        read_number(text)


@pytest.mark.parametrize(
    "text,found",
    [
        ("占总数的33.3%", None),  # a percentage is not a number here
        ("同意公开1件", "1"),
        ("共1,234条", "1,234"),
        ("3,4件", "3"),  # a comma between two numbers is not a thousands separator
        ("咨询零人次", "零"),
    ],
)
def test_number_fragment(text, found):
    m = re.search(NUMBER, text)
    assert (m.group(0) if m else None) == found


@pytest.mark.parametrize("text, expected", [
    ("二〇一九年政府信息公开", "2019年政府信息公开"),
    ("截至二○一二年底", "截至2012年底"),
    ("二零二一 年度", "2021 年度"),
    # a count, not a year: no 年 after it, or not of the 2000s
    ("受理申请二〇一件", "受理申请二〇一件"),
    ("二〇一九件", "二〇一九件"),
    ("一九九九年", "一九九九年"),
])
def test_years_in_chinese_digits_are_written_in_arabic_ones_and_nothing_else(text, expected):
    got = arabic_years(text)
    assert got == expected and len(got) == len(text)
