"""Table 三: requests received and how they were handled, by applicant type.

Rows are found by their labels. Where a layout detached numbers from their labels (PDF
text layers print a multi-line label's numbers above it; broken Markdown loses labels),
the rows still come in template order: every label-less run of seven numbers between two
labelled rows is given, in order, to the template rows missing between them, and only
when their counts agree. Anything else is reported, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from scrapers.extract.model import Row
from scrapers.parse import labels
from scrapers.parse.model import ExtraCell, RequestCell
from scrapers.parse.rows import SplitRow, is_page_number, split_row
from scrapers.seeds import read_seed

COLUMNS = [r["code"] for r in sorted(read_seed("applicant_types"), key=lambda r: int(r["sort_order"]))]
_ROWS = sorted(read_seed("request_rows"), key=lambda r: int(r["sort_order"]))
OTHER_SPLIT = ("other_no_correction", "other_unpaid_fee", "other_misc")
OUTCOME_CODES = {r["code"] for r in _ROWS if r["role"] == "outcome"}


def template_rows(split_other: bool) -> list[str]:
    """The data rows of table 三 in printed order: (六) is one row, or three in the 2021 format."""
    codes = [r["code"] for r in _ROWS]
    return [c for c in codes if c != "other"] if split_other else [c for c in codes if c not in OTHER_SPLIT]


@dataclass
class RequestsResult:
    cells: list[RequestCell] = field(default_factory=list)
    extra: list[ExtraCell] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    uncertain: bool = False
    found: bool = False
    split_other: bool = False
    rows_read: int = 0
    rows_expected: int = 0


def _context(previous: str | None) -> frozenset[str]:
    ctx = set()
    if previous and previous.startswith("other"):
        ctx.add("other")
    if previous in OUTCOME_CODES:
        ctx.add("outcome")
    return frozenset(ctx)


def _seven(split: SplitRow, problems: list[str]) -> list | None:
    """The row's seven values, after dropping layout blanks; a printed 法人 subtotal column
    is checked against its parts and dropped."""
    values = list(split.values)
    while len(values) > len(COLUMNS) and values[0].blank and values[0].raw.strip() == "":
        values.pop(0)
    while len(values) > len(COLUMNS) and values[-1].blank and values[-1].raw.strip() == "":
        values.pop()
    if len(values) == len(COLUMNS) + 1 and not values[1].blank:
        subtotal, parts = values[1].number, sum(v.number for v in values[2:7])
        if subtotal == parts:
            problems.append(f"{split.row.loc}: a 法人或其他组织 subtotal column ({subtotal}) was checked and dropped")
            return [values[0], *values[2:]]
    return values if len(values) == len(COLUMNS) else None


def _match_broken_label(region: list[SplitRow], k: int, label_run: list[str], context) -> tuple[str | None, bool]:
    """A label broken over lines: join it with the label-only lines just above or below."""
    s = region[k]
    after = []
    for nxt in region[k + 1 : k + 3]:
        if nxt.values or not nxt.has_label:
            break
        after.append(nxt.label)
    for joined in ("".join([*label_run, s.label]), "".join([s.label, *after]), "".join([*label_run, s.label, *after])):
        code, ambiguous = labels.match("request_row", joined, context)
        if code or ambiguous:
            return code, ambiguous
    return None, False


def read_requests(rows: list[Row], start: int, end: int) -> RequestsResult:
    result = RequestsResult()
    region = [split_row(rows[i], i) for i in range(start, end) if not is_page_number(rows[i])]

    # The 2021 format prints (六) as three rows; so does any report that kept them.
    split_other = any(
        labels.match("request_row", s.label)[0] in ("other_no_correction", "other_unpaid_fee") for s in region
    )
    result.split_other = split_other
    order = template_rows(split_other)
    position = {code: i for i, code in enumerate(order)}

    anchors: list[tuple[int, str, list]] = []  # (doc index, code, values)
    orphans: list[tuple[int, list, SplitRow]] = []
    previous: str | None = None
    label_run: list[str] = []  # label-only lines just above: the start of a label broken over lines
    for k, s in enumerate(region):
        code, ambiguous = labels.match("request_row", s.label, _context(previous)) if s.has_label else (None, False)
        if code is None and s.values and s.has_label and not s.noise_label:
            code, ambiguous = _match_broken_label(region, k, label_run, _context(previous))
        if code == "other" and split_other and not s.values:
            code = None  # the (六) header of the three sub-rows
        label_run = [s.label] if not s.values and s.has_label else []
        seven = _seven(s, result.problems) if s.values else None
        if code and code in position:
            previous = code
            if seven is not None:
                anchors.append((s.index, code, seven))
            elif s.values and len(s.values) >= 3:
                result.problems.append(
                    f"{s.row.loc}: row {code} prints {len(s.values)} values where 7 were expected; not read"
                )
                result.uncertain = True
            continue
        if code == "other" and split_other and seven is not None:
            # a (六) subtotal printed beside its three sub-rows: kept as an extra row
            for col, v in zip(COLUMNS, seven):
                result.extra.append(ExtraCell("requests", "（六）其他处理 subtotal", col, v.number, v.raw, s.row.loc))
            continue
        if seven is None:
            if ambiguous:
                result.problems.append(f"{s.row.loc}: label '{s.label}' matches more than one row")
            continue
        if not s.has_label or s.noise_label or labels.match("request_group", s.label)[0] is not None:
            orphans.append((s.index, seven, s))
        else:
            result.problems.append(f"{s.row.loc}: row '{s.label}' is not in the template; kept as an extra row")
            for col, v in zip(COLUMNS, seven):
                result.extra.append(ExtraCell("requests", s.label, col, v.number, v.raw, s.row.loc))

    if not anchors:
        return result
    result.found = True

    # Labelled rows must follow the template's order; a repeat with the same numbers is a
    # copy of the table (pages often print it twice), anything else is a conflict.
    by_code: dict[str, tuple[int, list]] = {}
    kept: list[tuple[int, str, list]] = []
    for idx, code, seven in anchors:
        if code in by_code:
            if [v.number for v in by_code[code][1]] != [v.number for v in seven]:
                result.problems.append(f"row {code} is printed twice with different numbers; the first is kept")
                result.uncertain = True
            continue
        if kept and position[code] < position[kept[-1][1]]:
            result.problems.append(f"row {code} is printed out of the template's order; not read")
            result.uncertain = True
            continue
        by_code[code] = (idx, seven)
        kept.append((idx, code, seven))

    assigned: dict[str, tuple[list, str]] = {code: (seven, rows[idx].loc) for idx, code, seven in kept}
    bounds = [(start - 1, -1), *[(idx, position[code]) for idx, code, _ in kept], (end, len(order))]
    for (lo_idx, lo_pos), (hi_idx, hi_pos) in zip(bounds, bounds[1:]):
        missing = order[lo_pos + 1 : hi_pos]
        between = [o for o in orphans if lo_idx < o[0] < hi_idx]
        if not missing:
            if between:
                result.problems.append(
                    f"{len(between)} unlabelled row(s) of numbers near {between[0][2].row.loc} fit no template row; ignored"
                )
            continue
        if len(between) == len(missing):
            for code, (idx, seven, s) in zip(missing, between):
                assigned[code] = (seven, f"{s.row.loc} (label printed apart; placed by template order)")
        else:
            result.problems.append(
                f"rows {', '.join(missing)} not found"
                + (f" ({len(between)} unlabelled rows of numbers there, {len(missing)} rows missing)" if between else "")
            )
            result.uncertain = True

    for code in order:
        if code not in assigned:
            continue
        seven, loc = assigned[code]
        for col, v in zip(COLUMNS, seven):
            if v.number != int(v.number) or v.number < 0:
                result.problems.append(f"{loc}: {code}.{col} prints '{v.raw}', not a count; not read")
                result.uncertain = True
                continue
            result.cells.append(RequestCell(code, col, int(v.number), v.raw, loc))
    result.rows_read = len(assigned)
    result.rows_expected = len(order)
    return result
