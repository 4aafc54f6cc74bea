"""What a page break prints in a text copy (a page number, a 续表), by the one rule every reader shares."""

from __future__ import annotations

import pytest

from scrapers.extract.page_numbers import is_page_break_mark
from scrapers.parse.prose import normalise


@pytest.mark.parametrize("text", ["- 3 -", "—4—", "-12-", "－７－".replace("７", "7"), "-- 5 --", "第3页", "第 3 页",
                                  "第 3 页 共 8 页", "第3页/共8页", "第3页，共8页", "共8页 第3页", "  - 3 -  ", "续表", "（续表）", "(续表)", "续上表"])
def test_page_number_shapes(text):
    assert is_page_break_mark(text)


# a bare number, a dash before a number, a clause, a count: a text copy cannot tell them from
# content (a bare number is a page number only in a PDF's margins, by its place)
@pytest.mark.parametrize("text", ["3", "-3", "3-", "3/8", "第三条", "第3条", "5件", "共8件", "第3页的表格", "- 3 - 4", "- 1234 -", "续表一", "续表如下"])
def test_what_is_no_page_number(text):
    assert not is_page_break_mark(text)


def test_normalise_drops_every_shape_of_page_number_line():
    text = "本机关共收到申请\n第 3 页 共 8 页\n15件。\n共8页 第4页\n其中"
    assert "页" not in normalise(text).text
