"""What a printed cell reads as: a number, a blank, no number (a label), or a number the copy
garbled, which keeps its place in the row and is never read."""

from __future__ import annotations

import pytest

from scrapers.parse.values import read_value


@pytest.mark.parametrize("text", ["1O", "l2", "3*", "5?", "2O19", "?", "？", "\ufffd", "1\ufffd", "No.1", "5²", "12¹", "3①", "5 ①"])
def test_a_garbled_number_keeps_its_place_and_reads_as_none(text):
    value = read_value(text)
    assert value is not None and value.garbled and not value.blank


@pytest.mark.parametrize("text", ["1.", "(1)", "（1）", "1、", "（一）", "A", "*", "x", "O", "12:30", "3/5", "予以公开", "①", "²"])
def test_a_label_or_its_list_number_is_no_value(text):
    assert read_value(text) is None


@pytest.mark.parametrize(("text", "number"), [("12", 12), ("1,234", 1234), ("５", 5), ("１２", 12), ("3件", 3), ("—", 0), ("〇", 0), ("增加3", 3)])
def test_numbers_and_blanks_read_as_before(text, number):
    value = read_value(text)
    assert value is not None and value.number == number and not value.garbled
