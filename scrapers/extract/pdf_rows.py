"""A PDF page's rows: its characters placed in the ruled cells of its tables, the rest as
visual lines of text split into cells at wide gaps, top to bottom.
"""

from __future__ import annotations

import math
import re

from scrapers.extract.cell_text import WIDE_FROM, is_wide, join_wrapped
from scrapers.extract.grid import SNAP, Table, grid_rows, place_in_cells
from scrapers.extract.layout import is_margin_page_number, visual_lines
from scrapers.extract.model import Cell, Row
from scrapers.extract.pdf_text_layer import Char

# Text lines split into cells at gaps wider than this many character heights.
CELL_GAP_EMS = 1.5
# Two numbers side by side split at a narrower gap: a number has no gap inside it, so digits
# this far apart are two cells (a borderless table's columns: "21", "0").
NUMBER_GAP_EMS = 0.5
# A line with this many numbers of its own is a table's row: there a number also splits from
# the words before it at NUMBER_GAP_EMS (a borderless table's label and its first value).
ROW_NUMBERS = 2
_BARE_NUMBER = re.compile(r"^\d[\d.,]*$")


def page_rows(
    chars: list[Char],
    tables: list[Table],
    page_no: int,
    page_height: float,
    previous: tuple[Table, list[Row], int] | None,
) -> tuple[list[Row], tuple[Table, list[Row], int] | None]:
    free = place_in_cells(chars, tables)

    items: list[tuple[float, int, Row]] = []
    for order, line in enumerate(visual_lines(free)):
        row = _text_row(line, page_no)
        if row is None:
            continue
        if is_margin_page_number(row, page_height):
            continue
        items.append((row.top, order, row))

    last_table = previous
    for t_index, table in enumerate(tables, start=1):
        table_rows = _table_rows(table, page_no, t_index)
        if not table_rows:
            continue
        if t_index == 1 and previous is not None and not [i for i in items if i[0] < table.ys[0]]:
            _join_split_cells(previous, table, table_rows)
        for order, row in enumerate(table_rows):
            items.append((row.top, 100_000 + order, row))
        last_table = (table, table_rows, page_no)
    items.sort(key=lambda item: (item[0], item[1]))
    rows = [row for _top, _order, row in items if any(c.text for c in row.cells)]
    if tables and last_table is not None and last_table[2] == page_no:
        # a table continues on the next page only if nothing follows it here
        table = last_table[0]
        if any(row.kind == "text" and row.top > table.ys[-1] for row in rows):
            last_table = None
    elif not tables:
        last_table = None
    return rows, last_table


def _table_rows(table: Table, page_no: int, t_index: int) -> list[Row]:
    def cell(span: tuple[int, int, int, int]) -> Cell:
        return Cell(_cell_text(table.texts.get(span, [])), round(table.xs[span[0]], 1), round(table.xs[span[2]], 1))

    return grid_rows(table, page_no, t_index, cell)


def _join_split_cells(previous: tuple[Table, list[Row], int], table: Table, rows: list[Row]) -> None:
    """A cell cut by a page break: its text on the new page joins the cell it started in.

    When a table runs onto the next page, a label cell open at the bottom of the page (the
    group label "（四）无 / 法提供", or a long row label) goes on in the same column of the
    first row on the next page. Word draws a rule at the break either way, so geometry
    cannot tell a cut cell from a new one: the text does. A new cell starts with an item
    marker ("（五）", "3.") or is a number; a continuation is words without a marker.
    A browser draws no rule at the break: where the table is open below on the old page and
    above on the new one (grid.Table.open_bottom, open_top), geometry does tell, and every
    cell of the cut row joins its other half, numbers too.
    """
    old_table = previous[0]
    if not old_table.emitted or not table.emitted:
        return
    last_rule = len(old_table.ys) - 1
    # no rule at the cut on either side: the two rows are one row's halves, every cell of it
    whole_row = old_table.open_bottom and table.open_top
    open_cells = [
        cell
        for pairs in old_table.emitted.values()
        for cell, span in pairs
        if span[3] == last_rule and (whole_row or _has_words(cell.text))
    ]
    first_row = table.emitted[min(table.emitted)]
    # a row cut by the break leaves its short cells (a one-line number or heading) on one page
    # of the two: a first row with text in every cell is a row of its own ("信息内容" under a
    # heading, "规章" under "信息内容")
    if not whole_row and all(c.text.strip() for c, _s in first_row):
        return
    for new_cell, _span in first_row:
        if not whole_row and (not _has_words(new_cell.text) or _ITEM_MARKER.match(new_cell.text)):
            continue
        for old_cell in open_cells:
            if abs((new_cell.x0 or 0) - (old_cell.x0 or 0)) <= SNAP and abs((new_cell.x1 or 0) - (old_cell.x1 or 0)) <= SNAP:
                old_cell.text = join_wrapped([old_cell.text, new_cell.text]) if whole_row else old_cell.text + new_cell.text
                new_cell.text = ""
                break


# an item's marker, or table 二's article heading ("第二十条第（九）项"): each starts a new cell
_ITEM_MARKER = re.compile(
    r"^\s*([（(]\s*[一二三四五六七八九十\d]+\s*[)）]|[一二三四五六七八九十]+\s*[、.．]|\d+\s*[、.．]|第[一二三四五六七八九十\d]+条)"
)


def _has_words(text: str) -> bool:
    """Whether a cell holds words (Chinese text), not only a number."""
    stripped = text.strip()
    return bool(stripped) and not stripped[0].isdigit() and any(is_wide(ch) for ch in stripped)


def _cell_text(chars: list[Char]) -> str:
    if not chars:
        return ""
    if len(chars) == 1:
        # most cells hold one character (a "0"): its line, wrapped and stripped, is itself
        return "" if chars[0].space else chars[0].text
    return join_wrapped([_line_text(line) for line in visual_lines(chars)])


def _line_text(line: list[Char]) -> str:
    """A line's text with spaces only where they separate words (never between Chinese characters)."""
    pieces = _pieces(line, math.inf)
    return pieces[0][0] if pieces else ""


def _pieces(
    line: list[Char], wide_gap: float, number_gap: float = math.inf, label_gap: float = math.inf
) -> list[tuple[str, float, float]]:
    """A line cut at gaps wider than `wide_gap`, before a digit at gaps wider than `number_gap`
    after a digit and `label_gap` after any other character: each piece's text, spaced where a real space
    or a gap of a quarter of the taller character's height separates two characters (never
    between two Chinese characters), with its first character's x0 and its last one's x1."""
    pieces = []
    out: list[str] = []
    # the previous shown character's text, right edge, height and width class; spelt out (not
    # Char.height, not is_wide): this runs for every character of the document
    first_x0 = previous_x1 = previous_height = 0.0
    previous_wide = started = pending_space = False
    previous_text = ""
    # digits are looked at only past the narrower of the two number gaps
    narrow_gap = number_gap if number_gap < label_gap else label_gap
    for char in line:
        if char.space:
            pending_space = True
            continue
        text = char.text
        if started:
            gap = char.x0 - previous_x1
            if gap > wide_gap or (
                gap > narrow_gap and "0" <= text <= "9" and gap > (number_gap if "0" <= previous_text <= "9" else label_gap)
            ):
                # spaces before a wide gap were the piece's trailing spaces
                pieces.append(("".join(out), first_x0, previous_x1))
                out = []
                started = pending_space = False
        wide = ord(text[0]) > WIDE_FROM
        height = char.bottom - char.top
        if not started:
            first_x0 = char.x0
        elif not (previous_wide and wide):
            # max(height, previous height), as max() picks between them
            taller = previous_height if previous_height > height else height
            if pending_space or char.x0 - previous_x1 > 0.25 * taller:
                out.append(" ")
        out.append(text)
        previous_x1, previous_height, previous_wide, previous_text = char.x1, height, wide, text
        started = True
        pending_space = False
    if started:
        pieces.append(("".join(out), first_x0, previous_x1))
    return pieces


def _text_row(line: list[Char], page_no: int) -> Row | None:
    """A visual line outside the tables as a row, split into cells at gaps wider than
    CELL_GAP_EMS of the line's median character height."""
    visible = [c for c in line if not c.space]
    if not visible:
        return None
    height = sorted([c.bottom - c.top for c in visible])[len(visible) // 2]
    pieces = _pieces(line, CELL_GAP_EMS * height, NUMBER_GAP_EMS * height)
    if sum(1 for text, _x0, _x1 in pieces if _BARE_NUMBER.match(text.strip())) >= ROW_NUMBERS:
        pieces = _pieces(line, CELL_GAP_EMS * height, NUMBER_GAP_EMS * height, NUMBER_GAP_EMS * height)
    cells = [Cell(text.strip(), round(x0, 1), round(x1, 1)) for text, x0, x1 in pieces]
    top = min([c.top for c in visible])
    return Row(
        cells=cells,
        loc=f"page {page_no} y {top:.0f}",
        kind="text",
        page=page_no,
        top=round(top, 1),
        bottom=round(max([c.bottom for c in visible]), 1),
    )
