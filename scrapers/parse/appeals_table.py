"""Table 四: administrative reconsideration and litigation, fifteen cells in one printed row.

The template prints the three proceedings (复议, 未经复议直接起诉, 复议后起诉) each with
five results in a fixed order under a three-level header; the data row is read in that
order once the header has been seen, and only when all fifteen cells are there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from scrapers.extract.model import Row
from scrapers.parse import labels
from scrapers.parse.model import AppealCell
from scrapers.parse.rows import is_page_number, row_text, split_row
from scrapers.seeds import read_seed

PROCEEDINGS = [r["code"] for r in sorted(read_seed("appeal_proceedings"), key=lambda r: int(r["sort_order"]))]
RESULTS = [r["code"] for r in sorted(read_seed("appeal_results"), key=lambda r: int(r["sort_order"]))]
CELLS = [(p, r) for p in PROCEEDINGS for r in RESULTS]


@dataclass
class AppealsResult:
    cells: list[AppealCell] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    uncertain: bool = False
    found: bool = False


def _place_by_x(rows: list[Row], start: int, data_index: int, values_row: Row) -> list[tuple[int, object]] | None:
    """Where extraction dropped blank cells (unruled PDFs), put each printed number under the
    result header it stands beneath. Needs the fifteen result headers with their x positions."""
    from scrapers.parse.values import read_value

    headers = [
        c for r in rows[start:data_index] for c in r.cells
        if c.x0 is not None and c.x1 is not None and labels.match("appeal_result", c.text)[0] is not None
    ]
    headers.sort(key=lambda c: c.x0)
    if len(headers) != len(CELLS) or any(c.x0 is None for c in values_row.cells):
        return None
    placed: dict[int, object] = {}
    for cell in values_row.cells:
        value = read_value(cell.text)
        if value is None or not cell.text.strip():
            continue
        middle = (cell.x0 + cell.x1) / 2
        under = [k for k, h in enumerate(headers) if h.x0 <= middle <= h.x1]
        if len(under) != 1 or under[0] in placed:
            return None
        placed[under[0]] = value
    return sorted(placed.items())


def read_appeals(rows: list[Row], start: int, end: int) -> AppealsResult:
    result = AppealsResult()
    header = "".join(row_text(rows[i]) for i in range(start, min(end, len(rows))))
    if not ("行政复议" in header and "诉讼" in header):
        return result
    candidates = []
    for i in range(start, end):
        if is_page_number(rows[i]):
            continue
        s = split_row(rows[i], i)
        numbers = [v for v in s.values if not (v.blank and v.raw.strip() == "" and rows[i].kind != "table")]
        if len(numbers) >= 10 and not s.label.strip():
            candidates.append((s, numbers))
    if not candidates:
        result.problems.append("table 四: no row of numbers found")
        result.uncertain = True
        return result
    s, values = candidates[0]
    while len(values) > len(CELLS) and values[-1].blank and values[-1].raw.strip() == "":
        values = values[:-1]
    if len(values) < len(CELLS):
        placed = _place_by_x(rows, start, s.index, s.row)
        if placed is not None:
            result.found = True
            result.problems.append(f"table 四: {s.row.loc} prints {len(values)} numbers; blank cells placed by the headers' positions")
            by_position = dict(placed)
            for k, (proceeding, res) in enumerate(CELLS):
                v = by_position.get(k)
                result.cells.append(AppealCell(proceeding, res, int(v.number) if v else 0, v.raw if v else "", s.row.loc))
            return result
    if len(values) != len(CELLS):
        result.problems.append(
            f"table 四: {s.row.loc} prints {len(values)} cells where 15 were expected "
            "(blank cells lost in extraction); not read"
        )
        result.uncertain = True
        return result
    if any(v.number != int(v.number) or v.number < 0 for v in values):
        result.problems.append(f"table 四: {s.row.loc} holds a value that is not a count; not read")
        result.uncertain = True
        return result
    result.found = True
    for (proceeding, res), v in zip(CELLS, values):
        result.cells.append(AppealCell(proceeding, res, int(v.number), v.raw, s.row.loc))
    return result
