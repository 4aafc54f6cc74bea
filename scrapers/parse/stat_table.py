"""The Beijing 政府信息公开情况统计表 of the 2014–2018 reports: each row's label through
seeds/pre2019_table_rows.csv to a pre-2019 measure.

A row is its label, perhaps a unit, and one value. The table is read like the 2019+ tables,
through the stream of labels and values (`stream.read_lines`), so a copy that put every cell on
a line of its own, piped its rows or collapsed them reads as the table does: a line's label is
its last label pieces (a category cell spanning rows stands before them, a label broken inside
its cell is two pieces), a unit piece after it is the unit. Blank value cells ("", "—", "/",
"无") read as 0, as in the 2019+ tables; a row with two values is left out and said, and so is a
measure that two rows give different values.
"""

from __future__ import annotations

import logging
import re
from decimal import Decimal
from functools import lru_cache

from scrapers.extract.model import Row
from scrapers.parse.model import NarrativeCell
from scrapers.parse.narrative import MEASURES
from scrapers.parse.prose import normalise
from scrapers.parse.stream import Line, read_lines
from scrapers.seeds import read_seed

log = logging.getLogger(__name__)

_ENUMERATOR = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.]|\([一二三四五六七八九十\d]+\)|\d{1,2}[.、](?!\d)|其中[:]?)+"
)
_PARENTHESES = re.compile(r"\([^()]*\)")
UNITS = ("万元", "元", "条", "件", "人次", "人", "个", "次", "项")
# a label broken over this many pieces at most (a line of a PDF cell, a wrapped line of text)
_MAX_PIECES = 3


@lru_cache(maxsize=4096)
def normalise_label(label: str) -> str:
    """A row label without its numbering, notes in brackets, spaces or line breaks."""
    s = re.sub(r"\s+", "", normalise(label).text)
    s = _ENUMERATOR.sub("", s)
    s = _PARENTHESES.sub("", s)
    return s.strip(":")


@lru_cache(maxsize=1)
def _table_rows() -> dict[str, tuple[str, str]]:
    """Normalised label variant -> (measure or "" for rows known and not mapped, unit)."""
    rows = {}
    for i, row in enumerate(read_seed("pre2019_table_rows"), start=2):
        measure = row["measure"].strip()
        if measure and measure not in MEASURES:
            raise ValueError(f"pre2019_table_rows.csv line {i}: unknown measure {measure!r}")
        rows[normalise_label(row["variant"])] = (measure, row["unit"].strip())
    return rows


def _unit(piece: str) -> str | None:
    text = re.sub(r"\s+", "", normalise(piece).text).strip("()")
    return text if text in UNITS else None


def _row_of(line: Line) -> tuple[str, str, str | None] | None:
    """(measure, printed label, printed unit) of a line whose last label is a 统计表 row."""
    pieces = [p for piece in line.labels for p in piece.split()]
    unit = _unit(pieces[-1]) if pieces else None
    if unit:
        pieces.pop()
    mapping = _table_rows()
    for n in range(1, min(_MAX_PIECES, len(pieces)) + 1):
        tail = pieces[-n:]
        if any(_unit(p) for p in tail):
            return None  # a unit inside the label: the row before lost its value
        found = mapping.get(normalise_label("".join(tail)))
        if found is not None:
            return found[0], "".join(tail), unit
    return None


def parse_stat_table(rows: list[Row], problems: list[str] | None = None) -> list[NarrativeCell]:
    """The measures of a 政府信息公开情况统计表 among the document's rows. Each row of a measure
    left out is said in `problems`, when given: the table states a figure the parse lacks."""
    problems = [] if problems is None else problems
    mapping = _table_rows()
    if not any(normalise_label(piece) in mapping for row in rows for c in row.cells for piece in c.text.split("|")):
        return []  # no label of the table whole in a cell or field: the stream would find none either
    cells: dict[str, NarrativeCell | None] = {}
    for line in read_lines(rows, 0, len(rows)):
        if not line.labels:
            continue
        found = _row_of(line)
        if found is None or not found[0]:
            continue
        measure, label, unit = found
        if not line.values:
            log.warning("统计表 row %s (%s): no value cell; left out", line.loc, label)
            continue
        numbers = [v for v in line.values if not v.value.blank]
        if len(numbers) > 1:
            raws = [v.value.raw for v in numbers]
            log.warning("统计表 row %s (%s): several values %s; left out", line.loc, label, raws)
            problems.append(f"{measure} left out: 统计表 row {line.loc} ({label}) has several values {raws}")
            continue
        value = numbers[0].value.number if numbers else 0
        if isinstance(value, Decimal):
            value = float(value)
        if measure == "fees_yuan" and (unit or _table_rows()[normalise_label(label)][1]) == "万元":
            value = round(value * 10000, 2)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        raw = " | ".join([*line.labels, *(v.value.raw for v in line.values if not v.kept_blank)])
        cell = NarrativeCell(measure=measure, value=value, raw=raw, loc=line.loc)
        if measure not in cells:
            cells[measure] = cell
        elif cells[measure] is not None and cells[measure].value != value:
            log.warning("统计表: %s is %s in %s and %s in %s; left out",
                        measure, cells[measure].value, cells[measure].loc, value, line.loc)  # fmt: skip
            problems.append(f"{measure} left out: 统计表 rows {cells[measure].loc} and {line.loc} give {cells[measure].value} and {value}")
            cells[measure] = None
    return [c for c in cells.values() if c is not None]
