"""The template's identities (勾稽关系), checked on every parse with both sides kept.

A failed check does not change a printed number: the warehouse keeps what was published
and lists the violation.
"""

from __future__ import annotations

from scrapers.parse.model import AppealCell, Check, RequestCell
from scrapers.parse.requests_table import COLUMNS, OUTCOME_CODES

APPLICANTS = [c for c in COLUMNS if c != "total"]


def check_requests(cells: list[RequestCell]) -> list[Check]:
    grid = {(c.row, c.column): c.value for c in cells}
    rows = list(dict.fromkeys(c.row for c in cells))
    checks = []
    for row in rows:
        if all((row, col) in grid for col in COLUMNS):
            parts = sum(grid[(row, col)] for col in APPLICANTS)
            checks.append(Check(f"requests.row_total.{row}", parts == grid[(row, "total")], grid[(row, "total")], parts))
    outcomes = [r for r in rows if r in OUTCOME_CODES]
    if "processed_total" in rows and outcomes:
        for col in COLUMNS:
            left = grid.get(("processed_total", col))
            right = sum(grid.get((r, col), 0) for r in outcomes)
            if left is not None:
                checks.append(Check(f"requests.outcome_total.{col}", left == right, left, right))
    if all(r in rows for r in ("new_received", "carried_over", "processed_total", "carried_forward")):
        for col in COLUMNS:
            left = grid[("new_received", col)] + grid[("carried_over", col)]
            right = grid[("processed_total", col)] + grid[("carried_forward", col)]
            checks.append(Check(f"requests.balance.{col}", left == right, left, right))
    return checks


def check_appeals(cells: list[AppealCell]) -> list[Check]:
    grid = {(c.proceeding, c.result): c.value for c in cells}
    checks = []
    for proceeding in dict.fromkeys(c.proceeding for c in cells):
        if (proceeding, "total") in grid:
            parts = sum(grid.get((proceeding, r), 0) for r in ("upheld", "corrected", "other", "pending"))
            checks.append(Check(f"appeals.total.{proceeding}", parts == grid[(proceeding, "total")], grid[(proceeding, "total")], parts))
    return checks
