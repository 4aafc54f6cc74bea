"""What a page break prints into a text copy of a paginated report: the page number ("- 3 -",
"— 4 —", "第3页", "第 3 页 共 8 页") and the 续表 a table continued on the next page opens with.
A text copy of a PDF keeps them wherever the page broke: between two halves of a sentence,
between a table row's lines, between a label and its values. They are never content, and each
reader leaves them out by this one rule.

A bare number ("3") is a page number only where its place on the page says so (the margins:
extract.layout); in a text copy it cannot be told from a cell's value.
"""

from __future__ import annotations

import re

_DASH = "[-—–－]{1,2}"
_N = r"[ \t]*\d{1,3}[ \t]*"
_OF = r"[ \t]*[/，,]?[ \t]*"
# the shapes, as a pattern other patterns are built from (no anchors, no groups that capture)
PAGE_NUMBER = rf"(?:{_DASH}{_N}{_DASH}|第{_N}页(?:{_OF}共{_N}页)?|共{_N}页{_OF}第{_N}页)"
_CONTINUED = r"(?:[(（][ \t]*续(?:上)?表[ \t]*[)）]|续(?:上)?表)"
_LINE = re.compile(rf"[ \t]*(?:{PAGE_NUMBER}|{_CONTINUED})[ \t]*")
# what such a line's first character is: the test most lines fail without a regex
FIRST_CHARACTERS = "-—–－第共续(（"


def is_page_break_mark(text: str) -> bool:
    """`text` (a line, or a row's cells joined by spaces) is a page number or a 续表 and nothing else."""
    return _LINE.fullmatch(text) is not None
