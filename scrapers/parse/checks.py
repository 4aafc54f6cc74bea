"""The template's identities (勾稽关系), checked on every parse with both sides kept.

This module owns the identities: the parse checks them here, the table readers use the same
list to place a row whose blank cells vanished, and the warehouse only reports what it finds
(raw.checks → marts.qa_identity_violations, dim_report's counts, the Dagster check). A failed
check does not change a printed number: the warehouse keeps what was published and lists the
violation. An identity is evaluated only where every cell it involves was read: a cell the
parser did not find is unknown, not 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from scrapers.parse.appeals_table import PROCEEDINGS, RESULT_PARTS, RESULT_TOTAL
from scrapers.parse.model import AppealCell, Check, RequestCell
from scrapers.parse.requests_table import (
    APPLICANTS, COLUMNS, OUTCOME_CODES, ROLE, SUB_ROW_CODES, TOTAL_COLUMN, template_rows,
)
from scrapers.seeds import read_seed

# The sides as the QA mart shows them: the printed labels of the template's rows and columns.
_APPLICANT_LABELS = {r["code"]: r["label_zh"] for r in read_seed("applicant_types")}
_RESULT_LABELS = {r["code"]: r["label_zh"] for r in read_seed("appeal_results")}
TOTAL_LABEL = _APPLICANT_LABELS[TOTAL_COLUMN]
REQUEST_PARTS_LABEL = " + ".join(_APPLICANT_LABELS[c] for c in APPLICANTS)
APPEAL_PARTS_LABEL = " + ".join(_RESULT_LABELS[c] for c in RESULT_PARTS)
OUTCOME_TOTAL_LABEL = "（七）总计"
OUTCOMES_LABEL = "（一）+（二）+（三）+（四）+（五）+（六）"
BALANCE_LEFT_LABEL = "一、本年新收 + 二、上年结转"
BALANCE_RIGHT_LABEL = "（七）总计 + 四、结转下年度"
SMALLEST_LABEL = "smallest cell of the row"


@dataclass(frozen=True, slots=True)
class Identity:
    name: str
    left: tuple[tuple[str, str], ...]
    right: tuple[tuple[str, str], ...]
    # what the QA mart shows: the kind of identity, the cell it is reported on, the sides' labels
    identity: str = ""
    table: str = ""
    row_code: str | None = None
    column_code: str | None = None
    left_side: str = ""
    right_side: str = ""


def request_identities(rows: list[str]) -> list[Identity]:
    """Table 三's identities over the rows given, in printed order, as (row, column) cells:
    each row's 总计 is the sum of its applicants; （七）总计 is the sum of the outcomes; 一+二 =
    （七）+四."""
    return list(_request_identities(tuple(rows)))


# cached: nearly every report prints one of the two templates' row lists
@lru_cache(maxsize=64)
def _request_identities(rows: tuple[str, ...]) -> tuple[Identity, ...]:
    out = [Identity(f"requests.row_total.{r}", ((r, TOTAL_COLUMN),), tuple((r, c) for c in APPLICANTS),
                    "requests_row_total", "requests", r, TOTAL_COLUMN, TOTAL_LABEL, REQUEST_PARTS_LABEL)
           for r in rows]
    outcomes = [r for r in rows if r in OUTCOME_CODES]
    totals = [r for r in rows if ROLE.get(r) == "total"]
    inputs = [r for r in rows if ROLE.get(r) == "input"]
    forward = [r for r in rows if ROLE.get(r) == "forward"]
    for total in totals:
        if outcomes:
            out += [Identity(f"requests.outcome_total.{c}", ((total, c),), tuple((r, c) for r in outcomes),
                             "requests_outcome_total", "requests", total, c, OUTCOME_TOTAL_LABEL, OUTCOMES_LABEL)
                    for c in COLUMNS]
        if len(inputs) == 2 and forward:
            out += [Identity(f"requests.balance.{c}", tuple((r, c) for r in inputs),
                             ((total, c), *((f, c) for f in forward)),
                             "requests_balance", "requests", None, c, BALANCE_LEFT_LABEL, BALANCE_RIGHT_LABEL)
                    for c in COLUMNS]
    return tuple(out)


@lru_cache(maxsize=1)
def _appeal_identities() -> tuple[Identity, ...]:
    """Table 四: each proceeding's 总计 is the sum of its results."""
    return tuple(Identity(f"appeals.total.{p}", ((p, RESULT_TOTAL),), tuple((p, r) for r in RESULT_PARTS),
                     "appeals_row_total", "appeals", p, RESULT_TOTAL, TOTAL_LABEL, APPEAL_PARTS_LABEL)
                 for p in PROCEEDINGS)


def _check(ident: Identity, passed: bool, left, right) -> Check:
    return Check(ident.name, passed, left, right, ident.identity, ident.table, ident.row_code, ident.column_code,
                 ident.left_side, ident.right_side)


def _evaluate(identities: tuple[tuple[Identity, frozenset[tuple[str, str]]], ...],
              grid: dict[tuple[str, str], int]) -> list[Check]:
    """Each identity whose cells (`_with_cells`) were all read."""
    checks = []
    cell = grid.__getitem__
    read = grid.keys()
    for ident, cells in identities:
        if cells <= read:
            left = sum(map(cell, ident.left))
            right = sum(map(cell, ident.right))
            checks.append(_check(ident, left == right, left, right))
    return checks


def _with_cells(identities) -> tuple[tuple[Identity, frozenset[tuple[str, str]]], ...]:
    return tuple((ident, frozenset(ident.left + ident.right)) for ident in identities)


# cached by what selects the identities: a report prints one of few row lists and proceedings
@lru_cache(maxsize=64)
def _request_checks(rows: tuple[str, ...]) -> tuple[tuple[Identity, frozenset[tuple[str, str]]], ...]:
    return _with_cells(_request_identities(rows))


@lru_cache(maxsize=8)
def _appeal_checks(proceedings: tuple[str, ...]) -> tuple[tuple[Identity, frozenset[tuple[str, str]]], ...]:
    return _with_cells(i for i in _appeal_identities() if i.left[0][0] in proceedings)


def _non_negative(table: str, grid: dict[tuple[str, str], int], rows: list[str]) -> list[Check]:
    """Every count is zero or more: one check per row, on its smallest cell (a negative count is
    a misprint or a misreading, kept as printed and listed)."""
    smallest: dict[str, int] = {}
    for (r, _), v in grid.items():
        if r not in smallest or v < smallest[r]:
            smallest[r] = v
    return [_check(_non_negative_identity(table, row), smallest[row] >= 0, smallest[row], 0) for row in rows]


@lru_cache(maxsize=256)
def _non_negative_identity(table: str, row: str) -> Identity:
    return Identity(f"{table}.non_negative.{row}", (), (), f"{table}_non_negative", table, row, None,
                    SMALLEST_LABEL, "0")


def check_requests(cells: list[RequestCell]) -> list[Check]:
    grid = {(c.row, c.column): c.value for c in cells}
    printed = list(dict.fromkeys(c.row for c in cells))
    # the template's rows, so that an outcome row the table left out makes the outcome total
    # unknown rather than a sum without it
    rows = list(dict.fromkeys([*template_rows(any(r in SUB_ROW_CODES for r in printed)), *printed]))
    return _evaluate(_request_checks(tuple(rows)), grid) + _non_negative("requests", grid, printed)


def check_appeals(cells: list[AppealCell]) -> list[Check]:
    grid = {(c.proceeding, c.result): c.value for c in cells}
    present = [p for p in PROCEEDINGS if any(k[0] == p for k in grid)]
    return (_evaluate(_appeal_checks(tuple(present)), grid)
            + _non_negative("appeals", grid, list(dict.fromkeys(c.proceeding for c in cells))))
