"""The template's identities (勾稽关系), checked on every parse with both sides kept.

This module owns the identities: the parse checks them here, and the table readers use the
same list to place a row whose blank cells vanished. A failed check does not change a printed
number: the warehouse keeps what was published and lists the violation.
"""

from __future__ import annotations

from dataclasses import dataclass

from scrapers.parse.appeals_table import PROCEEDINGS, RESULT_PARTS, RESULT_TOTAL
from scrapers.parse.model import AppealCell, Check, RequestCell
from scrapers.parse.requests_table import APPLICANTS, COLUMNS, OUTCOME_CODES, ROLE, TOTAL_COLUMN


@dataclass(frozen=True, slots=True)
class Identity:
    name: str
    left: tuple[tuple[str, str], ...]
    right: tuple[tuple[str, str], ...]
    # a missing cell on the right counts 0 (an outcome row the table left out)
    missing_is_zero: bool = False


def request_identities(rows: list[str]) -> list[Identity]:
    """Table 三's identities over the rows given, in printed order, as (row, column) cells:
    each row's 总计 is the sum of its applicants; （七）总计 is the sum of the outcomes; 一+二 =
    （七）+四."""
    out = [Identity(f"requests.row_total.{r}", ((r, TOTAL_COLUMN),), tuple((r, c) for c in APPLICANTS)) for r in rows]
    outcomes = [r for r in rows if r in OUTCOME_CODES]
    totals = [r for r in rows if ROLE.get(r) == "total"]
    inputs = [r for r in rows if ROLE.get(r) == "input"]
    forward = [r for r in rows if ROLE.get(r) == "forward"]
    for total in totals:
        if outcomes:
            out += [Identity(f"requests.outcome_total.{c}", ((total, c),), tuple((r, c) for r in outcomes), True)
                    for c in COLUMNS]
        if len(inputs) == 2 and forward:
            out += [Identity(f"requests.balance.{c}", tuple((r, c) for r in inputs),
                             ((total, c), *((f, c) for f in forward))) for c in COLUMNS]
    return out


def appeal_identities() -> list[Identity]:
    """Table 四: each proceeding's 总计 is the sum of its results."""
    return [Identity(f"appeals.total.{p}", ((p, RESULT_TOTAL),), tuple((p, r) for r in RESULT_PARTS), True)
            for p in PROCEEDINGS]


def _evaluate(identities: list[Identity], grid: dict[tuple[str, str], int]) -> list[Check]:
    checks = []
    for ident in identities:
        if not all(cell in grid for cell in ident.left):
            continue
        if not ident.missing_is_zero and not all(cell in grid for cell in ident.right):
            continue
        left = sum(grid[cell] for cell in ident.left)
        right = sum(grid.get(cell, 0) for cell in ident.right)
        checks.append(Check(ident.name, left == right, left, right))
    return checks


def check_requests(cells: list[RequestCell]) -> list[Check]:
    grid = {(c.row, c.column): c.value for c in cells}
    rows = list(dict.fromkeys(c.row for c in cells))
    return _evaluate(request_identities(rows), grid)


def check_appeals(cells: list[AppealCell]) -> list[Check]:
    grid = {(c.proceeding, c.result): c.value for c in cells}
    present = [p for p in PROCEEDINGS if any(k[0] == p for k in grid)]
    return _evaluate([i for i in appeal_identities() if i.left[0][0] in present], grid)
