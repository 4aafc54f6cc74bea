"""Values the warehouse cannot hold, caught at parse time rather than at load time.

raw.cells.value and raw.checks' sides are decimal(20, 4): 16 digits before the point.
raw.cells.value_normalised is decimal(24, 6), raw.parses.year an integer. A printed
number past these is a misread or a hostile cell, never a real count; left in, it fails
the cast of the whole load. The cell is dropped and named, so the parse is `partial`
and the rest of the report loads.
"""

from __future__ import annotations

import math

from scrapers.parse.model import Parse

# The exclusive upper bounds of the columns' absolute values (see raw_schema.sql).
VALUE_LIMIT = 10**16
NORMALISED_LIMIT = 10**18
YEAR_LIMIT = 2**31


def _fits(value, limit: int) -> bool:
    if type(value) is int:  # nearly every cell: a count
        return -limit < value < limit
    if value is None:
        return True
    if isinstance(value, float) and not math.isfinite(value):
        return False
    return abs(value) < limit


def _cell_name(table: str, cell) -> str:
    if table == "requests":
        key = f"{cell.row}/{cell.column}"
    elif table == "appeals":
        key = f"{cell.proceeding}/{cell.result}"
    elif table == "proactive":
        key = f"{cell.item}/{cell.measure}"
    elif table == "narrative":
        key = cell.measure
    else:
        key = f"{cell.table}:{cell.label}/{cell.column}"
    where = f" at {cell.loc}" if cell.loc else ""
    return f"{table} {key}{where}"


def _all_fit(values: list, limit: int) -> bool:
    """Whether every value fits: for counts alone (nearly every table), two comparisons."""
    if not values:
        return True
    if set(map(type, values)) == {int}:
        return -limit < min(values) and max(values) < limit
    return all(_fits(v, limit) for v in values)


def enforce_bounds(parse: Parse) -> Parse:
    """Drop every cell and check whose number the warehouse columns cannot hold, naming each
    in `problems`; an `ok` parse that lost one becomes `partial`."""
    dropped = False
    for table in ("requests", "appeals", "proactive", "narrative", "extra"):
        cells = getattr(parse, table)
        amounts = table == "proactive"  # the one kind of cell with a value in 万元 as well
        if _all_fit([c.value for c in cells], VALUE_LIMIT) and (
                not amounts or _all_fit([c.value_wan_yuan for c in cells], NORMALISED_LIMIT)):
            continue
        kept = []
        for cell in cells:
            normalised = cell.value_wan_yuan if amounts else None
            if _fits(cell.value, VALUE_LIMIT) and _fits(normalised, NORMALISED_LIMIT):
                kept.append(cell)
                continue
            dropped = True
            parse.problems.append(
                f"{_cell_name(table, cell)}: {cell.raw[:40]!r} is beyond what the warehouse holds "
                f"(16 digits); cell left out"
            )
        setattr(parse, table, kept)
    if not (_all_fit([c.left for c in parse.checks], VALUE_LIMIT) and _all_fit([c.right for c in parse.checks], VALUE_LIMIT)):
        checks = []
        for check in parse.checks:
            if _fits(check.left, VALUE_LIMIT) and _fits(check.right, VALUE_LIMIT):
                checks.append(check)
            else:
                dropped = True
                parse.problems.append(f"check {check.name}: a side is beyond what the warehouse holds; check left out")
        parse.checks = checks
    if parse.year is not None and not _fits(parse.year, YEAR_LIMIT):
        parse.problems.append(f"year {parse.year} is not a year; left out")
        parse.year = None
        dropped = True
    if dropped and parse.status == "ok":
        parse.status = "partial"
    return parse
