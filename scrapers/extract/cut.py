"""A copy cut off mid-way: what its last bytes cannot vouch for.

Page-text stores and excerpts keep a page's first bytes, so a copy may stop inside a number
("行政许可 44" of 447228), inside a table row or inside a cell. A number the text ends in, with
nothing after it, may be the start of a longer one; a field or cell the copy stops in may have
lost its text. They are left out (and said), so the parse is partial rather than wrong.
"""

from __future__ import annotations

import re

# digits, with the decimal point or thousands separators a number may carry, ending the text
_CUT_NUMBER = re.compile(r"(?<![\d.,，])\d[\d.,，]*$")
_SEPARATORS = " \t\u3000\xa0"
# a cell opened after the last of these (a cell or row closed, a row or table opened or
# closed) is the cell the page ends inside
_AFTER_A_CELL = (b"</td", b"</th", b"<tr", b"</tr", b"<table", b"</table")


def _drop_cut_number(text: str) -> tuple[str, str | None]:
    """The text without the number it ends in, and that number (None when it ends otherwise)."""
    if not text or not text[-1].isdigit():
        return text, None
    m = _CUT_NUMBER.search(text)
    if m is None:
        return text, None
    return text[: m.start()], m.group()


def trim_cut_line(text: str) -> tuple[str, str | None]:
    """A text whose last line has no line end stops where the copy was cut: the number it ends
    in is left out (returned), and so are the empty field it ends with (a tab or spaces after
    "60\\t60" is where the next cell was, not a blank cell) and a table row or grid rule it
    opened with "|" or "+" and did not close (the row's cells lost their wrapped text)."""
    if not text or text[-1] in "\n\r":
        return text, None
    start = text.rfind("\n") + 1
    last = text[start:].strip(_SEPARATORS)
    if last[:1] in ("|", "+") and (len(last) == 1 or last[-1] != last[0]):
        return text[:start], None
    text, number = _drop_cut_number(text.rstrip(_SEPARATORS))
    return text.rstrip(_SEPARATORS), number


def ends_inside_cell(markup: bytes) -> bool:
    """True when the page's last table tag opens a cell: the copy stops inside that cell."""
    # a number cell is short: a cell the copy stops in holds at most a few KB before the cut
    tail = markup[-4096:].lower()
    unfinished = tail.rfind(b"<")
    if unfinished > tail.rfind(b">"):
        # cut inside a tag: the page stops where that tag began ("<td><table width='1": in the cell)
        tail = tail[:unfinished]
    opened = max(tail.rfind(b"<td"), tail.rfind(b"<th"))
    return opened >= 0 and opened > max(tail.rfind(t) for t in _AFTER_A_CELL)


def ends_inside_element(markup: bytes) -> bool:
    """True when the page stops inside an element it opened: in its text, in a tag, or right
    after an opening tag (a whole page ends with a closing tag, a comment or a declaration)."""
    tail = markup[-4096:].rstrip()
    if not tail.endswith(b">"):
        return True  # in text or inside a tag
    opened = tail.rfind(b"<")
    return opened >= 0 and tail[opened + 1: opened + 2] not in (b"/", b"!", b"?")


def cut_number_problem(number: str) -> str:
    return f"the text ends inside a number ({number}…): the copy is cut there, and that number is not read"
