"""Table 四: administrative reconsideration and litigation, fifteen cells in one printed row.

The template prints the three proceedings (复议, 未经复议直接起诉, 复议后起诉) each with
five results in a fixed order under a three-level header; the values after the header are
read in that order, whatever lines they are spread over (a flipbook prints the header
vertically, a page-text copy one cell per line), and only when all fifteen cells are there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import combinations, product

from scrapers.extract.model import Row
from scrapers.parse import labels
from scrapers.parse.prose import fold_characters
from scrapers.parse.model import AppealCell
from scrapers.parse.stream import Item, Line, doubtful_cells, read_lines
from scrapers.parse.values import Value
from scrapers.seeds import read_seed

PROCEEDINGS = [r["code"] for r in sorted(read_seed("appeal_proceedings"), key=lambda r: int(r["sort_order"]))]
_RESULTS = sorted(read_seed("appeal_results"), key=lambda r: int(r["sort_order"]))
RESULTS = [r["code"] for r in _RESULTS]
RESULT_PARTS = [r["code"] for r in _RESULTS if r["is_total"] != "true"]
RESULT_TOTAL = next(r["code"] for r in _RESULTS if r["is_total"] == "true")
CELLS = [(p, r) for p in PROCEEDINGS for r in RESULTS]
# words the section's rows print wherever the table is (CJK words that NFKC leaves alone)
TABLE_WORDS = ("行政复议", "诉讼")
_DIGIT = re.compile(r"[0-9０-９]")


@dataclass
class AppealsResult:
    cells: list[AppealCell] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    uncertain: bool = False
    found: bool = False


def _place_by_x(rows: list[Row], start: int, line: Line) -> list[tuple[int, Item]] | None:
    """Where extraction dropped blank cells (unruled PDFs), put each printed number under the
    result header it stands beneath. Needs the fifteen result headers with their x positions."""
    headers = [
        c for r in rows[start:line.index] for c in r.cells
        if c.x0 is not None and c.x1 is not None and labels.match("appeal_result", c.text)[0] is not None
    ]
    headers.sort(key=lambda c: c.x0)
    items = line.printed
    if len(headers) != len(CELLS) or any(v.cell is None or v.cell.x0 is None for v in items):
        return None
    placed: dict[int, Item] = {}
    for item in items:
        middle = (item.cell.x0 + item.cell.x1) / 2
        under = [k for k, h in enumerate(headers) if h.x0 <= middle <= h.x1]
        if len(under) != 1 or under[0] in placed:
            return None
        placed[under[0]] = item
    return sorted(placed.items(), key=lambda kv: kv[0])


def _segment_readings(segment: list[int]) -> dict[tuple[int, ...], tuple[int, ...]]:
    """The ways one proceeding's printed values fill its five cells with total = sum of parts."""
    width, total = len(RESULTS), RESULTS.index(RESULT_TOTAL)
    parts = [RESULTS.index(r) for r in RESULT_PARTS]
    out: dict[tuple[int, ...], tuple[int, ...]] = {}
    if len(segment) > width:
        return out
    for positions in combinations(range(width), len(segment)):
        row = [0] * width
        for p, v in zip(positions, segment):
            row[p] = v
        if row[total] == sum(row[k] for k in parts):
            out.setdefault(tuple(row), positions)
    return out


def place_by_identities(printed: list[int]) -> list[int] | None:
    """Where the printed values of a row that lost its blank cells stand among the fifteen, when
    exactly one reading keeps every proceeding's total the sum of its results; else None."""
    width = len(RESULTS)
    readings: dict[tuple[int, ...], list[int]] = {}
    k = len(printed)
    for a in range(k + 1):
        for b in range(a, k + 1):
            segments = [printed[:a], printed[a:b], printed[b:]]
            options = [_segment_readings(seg) for seg in segments]
            for combo in product(*(o.items() for o in options)):
                row = tuple(v for values, _ in combo for v in values)
                positions = [p * width + q for p, (_, pos) in enumerate(combo) for q in pos]
                readings.setdefault(row, positions)
                if len(readings) > 1:
                    return None
    return next(iter(readings.values())) if len(readings) == 1 else None


def read_appeals(rows: list[Row], start: int, end: int, lines: list[Line] | None = None,
                 followed: bool = True) -> AppealsResult:
    """`followed`: the document goes on after the section (it was not cut inside table 四)."""
    result = AppealsResult()
    # CJK words that NFKC leaves alone: the raw text says whether the table is here, or
    # the text folded to simplified where it is printed in traditional characters
    header = "".join([c.text for row in rows[start:end] for c in row.cells])
    header = "".join(header.split())
    if not all(word in header for word in TABLE_WORDS) and not all(word in fold_characters(header) for word in TABLE_WORDS):
        return result
    region = lines if lines is not None else read_lines(rows, start, end)
    candidates = [ln for ln in region if len(ln.printed) >= 1 and len(ln.values) >= 10 and
                  labels.match_run("request_row", ln.labels)[0] is None]
    if not candidates and (rows_of := _proceeding_rows(region)) is not None:
        return _emit(result, rows_of, rows_of[0].loc)
    if not candidates:
        # after the fifteen result headers, the one run of numbers that lost its blank cells
        headed = [k for k, ln in enumerate(region)
                  if sum(1 for p in ln.labels if labels.match("appeal_result", p)[0]) >= len(RESULTS) * 2]
        short = [ln for ln in region[headed[0]:] if ln.printed and not any(v.kept_blank for v in ln.values)] if headed else []
        if followed and len(short) == 1 and labels.match_run("request_row", short[0].labels)[0] is None:
            return _placed(result, short[0])
        result.problems.append("table 四: no row of numbers found; appeals (review, litigation) not read")
        result.uncertain = True
        return result
    line = candidates[0]
    values = _trim_layout_blanks(list(line.values))
    if values is None:
        result.problems.append(
            f"table 四: {line.loc} prints more than 15 cells, and which blank ones are layout the "
            "identities do not tell; appeals (review, litigation) not read"
        )
        result.uncertain = True
        return result
    if len(values) < len(CELLS):
        placed = _place_by_x(rows, start, line)
        if placed is not None:
            result.problems.append(f"table 四: {line.loc} prints {len(values)} numbers; blank cells placed by the headers' positions")
            by_position = dict(placed)
            # (a doubtful or garbled cell keeps its place, and is named and not read by _emit)
            return _emit(result, [by_position.get(k) or Item(Value(0, "", True, None), line.loc) for k in range(len(CELLS))], line.loc)
        if followed and not any(v.kept_blank for v in values):
            return _placed(result, line)
    if len(values) != len(CELLS):
        result.problems.append(
            f"table 四: {line.loc} prints {len(values)} cells where 15 were expected "
            "(blank cells lost, or the text cut); appeals (review, litigation) not read"
        )
        result.uncertain = True
        return result
    return _emit(result, values, line.loc)


def _keeps_totals(values: list[Item]) -> bool:
    width, total = len(RESULTS), RESULTS.index(RESULT_TOTAL)
    parts = [RESULTS.index(r) for r in RESULT_PARTS]
    return all(values[p * width + total].value.number == sum(values[p * width + k].value.number for k in parts)
               for p in range(len(PROCEEDINGS)))


def _trim_layout_blanks(values: list[Item]) -> list[Item] | None:
    """The fifteen cells of a row printed with more: the blank cells beyond them are layout
    (merged cells, a row's opening "|", empty columns) at either end. Where blanks stand at
    both ends, the cut is the one that keeps every proceeding's total the sum of its results;
    None when more than one cut, differing in what they read, does (or none does)."""
    n = len(CELLS)
    extra = len(values) - n
    if extra <= 0:
        return values
    cuts = [values[front : front + n] for front in range(extra + 1)
            if all(v.kept_blank for v in values[:front]) and all(v.kept_blank for v in values[front + n :])]
    if not cuts:
        # printed values beyond the fifteen: the row is not table 四's as printed
        return values
    if len(cuts) == 1:
        return cuts[0]
    readings = {tuple(v.value.number for v in cut): cut for cut in cuts if _keeps_totals(cut)}
    return next(iter(readings.values())) if len(readings) == 1 else None


def _placed(result: AppealsResult, line: Line) -> AppealsResult:
    garbled = [p for p in line.labels if _DIGIT.search(p)] + [v.value.raw for v in line.values if v.value.garbled]
    if garbled:
        # a cell the line holds but could not read as a number ("x10") is no blank cell: the
        # identities would place the others around a hole that is not 0
        result.problems.append(
            f"table 四: {line.loc} holds cells that are not numbers ({', '.join(garbled[:3])}); "
            "appeals (review, litigation) not read"
        )
        result.uncertain = True
        return result
    printed = [int(v.value.number) for v in line.values]
    positions = place_by_identities(printed) if all(v.value.number == int(v.value.number) for v in line.values) else None
    if positions is None:
        result.problems.append(
            f"table 四: {line.loc} prints {len(printed)} cells where 15 were expected, and the identities "
            "leave more than one reading; appeals (review, litigation) not read"
        )
        result.uncertain = True
        return result
    taken = dict(zip(positions, line.values))
    values = [taken.get(p, Item(Value(0, "", True, None), line.loc)) for p in range(len(CELLS))]
    result.problems.append(f"table 四: {line.loc} prints {len(printed)} cells; blank cells placed by the template's identities")
    return _emit(result, values, line.loc)


def _proceeding_rows(region: list[Line]) -> list[Item] | None:
    """The fifteen cells of a table 四 printed a row per proceeding ("行政复议 1 0 0 1 2",
    "行政诉讼（未经复议直接起诉）：结果维持0件，…"): each proceeding's label once, in the
    template's order, with its five values; None for any other table."""
    found: list[tuple[str, list[Item]]] = []
    for line in region:
        if not line.labels or not line.values:
            continue
        code = labels.match_run("appeal_proceeding", line.labels[-1:])[0]
        if code is None:
            continue
        if len(line.values) != len(RESULTS) or any(v.kept_blank for v in line.values):
            return None
        found.append((code, list(line.values)))
    if [code for code, _ in found] != PROCEEDINGS:
        return None
    return [v for _, values in found for v in values]


def _emit(result: AppealsResult, values: list[Item], loc: str) -> AppealsResult:
    if any(v.value.number != int(v.value.number) or v.value.number < 0 for v in values):
        result.problems.append(f"table 四: {loc} holds a value that is not a count; appeals not read")
        result.uncertain = True
        return result
    result.found = True
    skip = doubtful_cells(values, lambda k: f"appeals {CELLS[k][0]}.{CELLS[k][1]}", result.problems)
    if skip:
        result.uncertain = True
    for k, ((proceeding, res), v) in enumerate(zip(CELLS, values)):
        if k not in skip:
            result.cells.append(AppealCell(proceeding, res, int(v.value.number), v.value.raw, v.loc))
    return result
