"""What positioned text shares once it is on a page, whether it came from a PDF's text layer
or from OCR boxes: grouping into visual lines, the page numbers in the margins, and the
document's title and plain text from its rows.

Items are anything with `top`, `bottom`, `cy` (its centre), `x0` and `space` (a real space,
which never starts a line).
"""

from __future__ import annotations

import re
from operator import attrgetter

from scrapers.extract.model import Row
from scrapers.extract.page_numbers import PAGE_NUMBER

# in the margins a page number may be a bare number too, or "3/8": its place says what it is
_PAGE_NUMBER = re.compile(rf"^(?:{PAGE_NUMBER}|[-—–－]?\s*(第\s*)?\d{{1,3}}\s*(页)?\s*[-—–－]?|\d{{1,3}}\s*/\s*\d{{1,3}})$")


_BY_CENTRE_THEN_LEFT = attrgetter("cy", "x0")
_BY_LEFT = attrgetter("x0")


def visual_lines(chars: list, min_height: float = 0.1) -> list[list]:
    """Characters (or OCR boxes) grouped into visual lines, top to bottom, each left to right: a
    character joins the line whose band (its first character's top and bottom) it overlaps by
    half the lower of the two heights, its own height counted as at least `min_height`."""
    if len(chars) == 1:
        # most table cells hold one character (a "0"): it is its line, unless it is a space
        return [] if chars[0].space else [list(chars)]
    lines: list[list] = []
    # the band (top, bottom) of the line being built; comparisons inline: this runs per character
    top = bottom = 0.0
    for char in sorted(chars, key=_BY_CENTRE_THEN_LEFT):
        if char.space and not lines:
            continue
        if lines:
            c_top, c_bottom = char.top, char.bottom
            overlap = (bottom if bottom < c_bottom else c_bottom) - (top if top > c_top else c_top)
            height = c_bottom - c_top
            if height < min_height:
                height = min_height
            band = bottom - top
            if overlap >= 0.5 * (band if band < height else height):
                # the band stays its first character's: widened by each character that joins,
                # a label centred beside two lines of the next cell chained them into one
                lines[-1].append(char)
                continue
        lines.append([char])
        top, bottom = char.top, char.bottom
    return [sorted(line, key=_BY_LEFT) for line in lines]


def is_margin_page_number(row: Row, page_height: float) -> bool:
    """A page number in the top or bottom tenth of the page: furniture, not content."""
    return ((row.top or 0.0) < page_height * 0.1 or (row.bottom or 0.0) > page_height * 0.9) and bool(
        _PAGE_NUMBER.match("".join(row.texts).strip())
    )


def text_of(rows: list[Row]) -> str:
    """The document's plain text: a line per row, its non-empty cells separated by tabs."""
    return "\n".join("\t".join(c.text for c in row.cells if c.text) for row in rows)


def title_of(rows: list[Row]) -> str | None:
    """The report's title from its first lines: up to the line naming the report (…年度报告)."""
    lines = []
    for row in rows[:4]:
        if row.kind != "text":
            break
        lines.append("".join(row.texts))
        if "报告" in lines[-1]:
            return "".join(lines).replace(" ", "") if len(lines) > 1 else lines[0]
    return lines[0] if lines else None
