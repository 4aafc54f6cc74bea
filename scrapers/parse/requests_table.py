"""Table 三: requests received and how they were handled, by applicant type.

The reader follows the template's sequence of row labels through the stream of lines
(`stream.read_lines`): a labelled line with the seven values is its row. Where a layout
detached numbers from their labels (PDF text layers print a wrapped label's numbers above
it; broken Markdown loses labels), every label-less run of seven numbers between two
labelled rows is given, in order, to the template rows missing between them, and only when
their counts agree. Where a row's blank cells vanished ("26 26"), its numbers are placed
only when the template's identities leave exactly one reading. Anything else is reported,
never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations
from operator import mul

from scrapers.extract.model import Row
from scrapers.parse import labels
from scrapers.parse.model import ExtraCell, RequestCell
from scrapers.parse.stream import Item, Line, doubtful_cells, mend_wrapped_labels, read_lines, runs_after_labels, values_before_labels
from scrapers.parse.values import Value
from scrapers.seeds import read_seed

_APPLICANTS = sorted(read_seed("applicant_types"), key=lambda r: int(r["sort_order"]))
COLUMNS = [r["code"] for r in _APPLICANTS]
APPLICANTS = [r["code"] for r in _APPLICANTS if r["is_total"] != "true"]
TOTAL_COLUMN = next(r["code"] for r in _APPLICANTS if r["is_total"] == "true")
_TOTAL_INDEX = COLUMNS.index(TOTAL_COLUMN)
_PART_INDEXES = [COLUMNS.index(c) for c in APPLICANTS]
_ROWS = sorted(read_seed("request_rows"), key=lambda r: int(r["sort_order"]))
OUTCOME_CODES = {r["code"] for r in _ROWS if r["role"] == "outcome"}
ROLE = {r["code"]: r["role"] for r in _ROWS}
# The 2021 format prints some 2019 rows as a header over sub-rows of their own (（六）其他处理
# over its 1-3): the sub-rows are the codes only the 2021 format has.
_SUB_ROWS = [r for r in _ROWS if r["in_2021"] == "true" and r["in_2019"] != "true"]
_HEADED = {r["category"] for r in _SUB_ROWS}
SUB_ROW_CODES = tuple(r["code"] for r in _SUB_ROWS)
HEADER_CODES = {r["code"] for r in _ROWS if r["in_2019"] == "true" and r["in_2021"] == "true" and r["category"] in _HEADED}
_TEMPLATE = {
    "2019": [r["code"] for r in _ROWS if r["in_2019"] == "true"],
    "2021": [r["code"] for r in _ROWS if r["in_2021"] == "true" and r["code"] not in HEADER_CODES],
}


def template_rows(split_other: bool) -> list[str]:
    """The data rows of table 三 in printed order: (六) is one row, or three in the 2021 format."""
    return list(_TEMPLATE["2021" if split_other else "2019"])


@dataclass
class RequestsResult:
    cells: list[RequestCell] = field(default_factory=list)
    extra: list[ExtraCell] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    uncertain: bool = False
    found: bool = False
    split_other: bool = False
    # the template is stated only when the table shows its （六） rows
    template: str | None = None
    rows_read: int = 0
    rows_expected: int = 0


@lru_cache(maxsize=64)
def _context(previous: str | None) -> frozenset[str]:
    ctx = set()
    if previous and (previous in HEADER_CODES or previous in SUB_ROW_CODES):
        ctx.add("other")
    if previous in OUTCOME_CODES:
        ctx.add("outcome")
    return frozenset(ctx)


def _seven(line: Line, problems: list[str]) -> list[Item] | None:
    """The row's seven values, after dropping layout blanks; a printed 法人 subtotal column
    is checked against its parts and dropped."""
    values = _trim(line.values)
    n = len(COLUMNS)
    if len(values) == n + 1 and not values[1].value.blank:
        subtotal, parts = values[1].value.number, sum(v.value.number for v in values[2:7])
        if subtotal == parts:
            problems.append(f"{line.loc}: a 法人或其他组织 subtotal column ({subtotal}) was checked and dropped")
            return [values[0], *values[2:]]
    return values if len(values) == n else None


def _trim(values: list[Item]) -> list[Item]:
    """Drop the blanks a layout put around a row's values (merged label cells before them,
    padding after them): of the ways to drop them from either end, the first whose row total
    is the sum of its parts, or else as many from the front as possible."""
    n = len(COLUMNS)
    excess = len(values) - n
    if excess <= 0:
        return values
    lead = next((k for k, v in enumerate(values) if not v.kept_blank), len(values))
    tail = next((k for k, v in enumerate(reversed(values)) if not v.kept_blank), len(values))
    ways = [(i, excess - i) for i in range(min(excess, lead), -1, -1) if excess - i <= tail]
    if not ways:
        i = min(excess, lead)
        return values[i:]
    total, parts = _TOTAL_INDEX, _PART_INDEXES
    for i, j in ways:
        row = values[i : len(values) - j]
        if row[total].value.number == sum(row[k].value.number for k in parts):
            return row
    i, j = ways[0]
    return values[i : len(values) - j]


def _is_orphan(line: Line) -> bool:
    """A run of numbers whose label was printed apart: no label, or only fragments of a
    vertical or group label."""
    if not line.labels:
        return True
    text = labels.normalise(line.label)
    return len(text) <= 2 or all(ch in _NOISE for ch in text) or labels.match("request_group", line.label)[0] is not None


# Characters of vertically printed merged labels ("三、本年度办理结果" one per line) and list markers.
_NOISE = set("三四本年度办理结果、()（）不予公开无法提供处理其他")


@lru_cache(maxsize=8)
def _identities(order: tuple[str, ...]) -> dict[str, tuple[tuple[tuple[int, ...], frozenset[str], tuple, tuple], ...]]:
    """Table 三's identities (owned by checks.py) by the rows they involve: for each row, each
    identity as the weight it gives every cell of the row (+1 on the left, -1 on the right), the
    other rows it needs, and their (row, column index) cells on either side. Cached, as a report
    follows one of two templates' row orders."""
    from scrapers.parse.checks import request_identities

    index = {c: k for k, c in enumerate(COLUMNS)}
    by_row: dict[str, list] = {}
    for identity in request_identities(list(order)):
        left = [(r, index[c]) for r, c in identity.left]
        right = [(r, index[c]) for r, c in identity.right]
        for code in dict.fromkeys(r for r, _ in left + right):
            weights = [0] * len(COLUMNS)
            for r, k in left:
                if r == code:
                    weights[k] += 1
            for r, k in right:
                if r == code:
                    weights[k] -= 1
            others_left = tuple((r, k) for r, k in left if r != code)
            others_right = tuple((r, k) for r, k in right if r != code)
            needs = frozenset(r for r, _ in others_left + others_right)
            by_row.setdefault(code, []).append((tuple(weights), needs, others_left, others_right))
    return {code: tuple(rules) for code, rules in by_row.items()}


def place_by_identities(known: dict[str, list[int]], code: str, printed: list[int], width: int,
                        identities) -> list[int] | None:
    """Where the `printed` values go (their positions, in order; the other cells blank) in a row
    of `width` cells, when exactly one reading satisfies every identity whose cells are all
    known (`identities`: `_identities(order)`); None if there are several readings or none.
    Zeros may go anywhere a blank could: readings that differ only in where a 0 stands are one
    reading."""
    # only the identities that involve this row and whose other cells are all known can decide;
    # each as a weight per cell of this row (+1 on the left, -1 on the right) and what the known
    # cells add up to (right minus left): a reading holds when its weighted sum makes that up
    rules = [
        (weights.__getitem__, sum(known[r][k] for r, k in right) - sum(known[r][k] for r, k in left))
        for weights, needs, left, right in identities.get(code, ())
        if needs.issubset(known)
    ]
    readings: dict[tuple[int, ...], tuple[int, ...]] = {}
    for positions in combinations(range(width), len(printed)):
        for weight, target in rules:
            if sum(map(mul, map(weight, positions), printed)) != target:
                break
        else:
            row = [0] * width
            for p, v in zip(positions, printed):
                row[p] = v
            readings.setdefault(tuple(row), positions)
            if len(readings) > 1:
                return None
    return list(next(iter(readings.values()))) if len(readings) == 1 else None


def _adds_up(values: list[Item]) -> bool:
    return values[_TOTAL_INDEX].value.number == sum(values[k].value.number for k in _PART_INDEXES)


def _row_named(pieces: list[str]) -> str | None:
    return labels.match_run("request_row", pieces, continued=True)[0]


def _prints_values_first(region: list[Line], followed: bool) -> bool:
    """Whether the table prints each row's values before its label: a row's worth of values
    stands before the first template row's label, and the last template row's label has none
    after it (unless the text stops inside the table). A table printed label first has only
    header words before its first row, and its last row's values after that row's label."""
    named = [k for k, ln in enumerate(region) if ln.labels and _row_named(ln.labels) is not None]
    if not named:
        return False
    before = [v for ln in region[: named[0]] for v in ln.values]
    # the first row's own label may share its line with the header words and those values
    first = region[named[0]]
    if _row_named(first.labels[-1:]) is None:
        return False
    if len(before) < len(COLUMNS) or all(v.kept_blank for v in before):
        return False  # header cells left blank are no row's values
    return not region[named[-1]].printed or not followed


def _transposed(region: list[Line]) -> bool:
    """Whether applicant types label the rows ("自然人 12 2 5 …", outcomes as the columns): two
    or more lines whose own label is an applicant type alone print a run of values. The total
    column's name is no applicant type here: a stray 合计 or 总计 before a run of numbers (a
    note, a header cell) is in any table."""
    types = set()
    for line in region:
        if not line.labels or len(line.printed) < 2:
            continue
        own = line.labels[-1]
        code = labels.match("applicant_type", own)[0]
        if code is not None and code != TOTAL_COLUMN and labels.match("request_row", own)[0] is None:
            types.add(code)
    return len(types) >= 2


def read_requests(rows: list[Row], start: int, end: int, lines: list[Line] | None = None,
                  followed: bool = True) -> RequestsResult:
    """`followed`: the document goes on after the section (it was not cut inside table 三)."""
    result = RequestsResult()
    region = lines if lines is not None else read_lines(rows, start, end)
    if _prints_values_first(region, followed):
        region = values_before_labels(region, _row_named)
        result.problems.append("table 三 prints each row's values before its label; read in that order")
    elif not any(ln.values for ln in region if ln.labels and _row_named(ln.labels) is not None):
        # no row's label has values after it on its line: each row's values are the run after it
        region = runs_after_labels(region)
    if _transposed(region):
        result.problems.append("table 三 prints applicant types as rows (the table transposed); not read")
        # found, and unread: the report says why rather than that there is no table
        result.found = result.uncertain = True
        return result
    region = mend_wrapped_labels(region, _row_named, labels.opens_with_enumerator, numbered=True)
    last_with_values = max((k for k, ln in enumerate(region) if ln.values), default=-1)

    # The 2021 format prints (六) as three rows; so does any report that kept them.
    plain = [labels.match_run("request_row", ln.labels, continued=True) for ln in region]
    codes = [code for code, _ in plain]
    split_other = any(c in SUB_ROW_CODES for c in codes)
    result.split_other = split_other
    order = template_rows(split_other)
    position = {code: i for i, code in enumerate(order)}

    anchors: list[tuple[int, str, list[Item], Line]] = []  # (doc index, code, values, line)
    orphans: list[tuple[int, list[Item], Line]] = []
    short: dict[str, tuple[int, Line]] = {}  # rows printed with fewer values: blanks that vanished
    cut_short: set[str] = set()  # rows printed with too few values to read
    previous: str | None = None
    for k, line in enumerate(region):
        context = _context(previous)
        if not line.labels:
            code, ambiguous = None, False
        elif context:
            code, ambiguous = labels.match_run("request_row", line.labels, context, continued=True)
        else:
            code, ambiguous = plain[k]
        if code in HEADER_CODES and split_other and not line.values:
            code = None  # the (六) header of the three sub-rows
        seven = _seven(line, result.problems) if line.values else None
        if seven is not None and not followed and k == last_with_values and not _adds_up(seven):
            # the text stops in this row: what looks like its seven values may be the start of a row
            result.problems.append(f"{line.loc}: the text stops in row {code or line.label[:20]}; not read")
            result.uncertain = True
            continue
        if code and code in position:
            previous = code
            if seven is not None:
                anchors.append((line.index, code, seven, line))
            elif line.printed:
                followed = any(c in position and position[c] > position[code] for c in codes[k + 1:])
                # a garbled cell's number is unknown: no identity can place the row's values
                if followed and len(line.values) < len(COLUMNS) and not any(v.kept_blank or v.value.garbled for v in line.values):
                    short[code] = (line.index, line)
                else:
                    result.problems.append(
                        f"{line.loc}: row {code} prints {len(line.values)} values where {len(COLUMNS)} were expected; not read"
                    )
                    result.uncertain = True
                    cut_short.add(code)
            continue
        if code in HEADER_CODES and split_other and seven is not None:
            # a (六) subtotal printed beside its three sub-rows: kept as an extra row
            for col, v in zip(COLUMNS, seven):
                result.extra.append(ExtraCell("requests", "（六）其他处理 subtotal", col, v.value.number, v.value.raw, v.loc))
            continue
        if seven is None:
            if ambiguous:
                result.problems.append(f"{line.loc}: label '{line.label}' matches more than one row")
            elif (code is None and line.printed and anchors and k and anchors[-1][3] is region[k - 1]
                  and not _adds_up(anchors[-1][2])):
                # numbers under a word that names no row, right after a row that breaks its
                # total: a line of furniture ("注") may have cut that row, whose seven values
                # then began one cell early (a layout's blank first) or ended one short
                _at, cut, _values, before = anchors.pop()
                result.problems.append(f"{before.loc}: row {cut} breaks its 总计 and is followed by numbers under "
                                       f"'{line.label[:20]}'; it may be cut there, not read")
                result.uncertain = True
            continue
        if not any(not v.kept_blank for v in seven):
            continue  # blank cells of a header or a note: nothing printed
        if _is_orphan(line):
            orphans.append((line.index, seven, line))
        else:
            label = line.labels[-1]
            result.problems.append(f"{line.loc}: row '{label}' is not in the template; kept as an extra row")
            for col, v in zip(COLUMNS, seven):
                result.extra.append(ExtraCell("requests", label, col, v.value.number, v.value.raw, v.loc))

    if not anchors and not short:
        return result
    result.found = True
    if any(c in HEADER_CODES or c in SUB_ROW_CODES for c in codes):
        result.template = "2021" if split_other else "2019"

    # Labelled rows must follow the template's order; a repeat with the same numbers is a
    # copy of the table (pages often print it twice), anything else is a conflict.
    by_code: dict[str, list[Item]] = {}
    kept: list[tuple[int, str, list[Item]]] = []
    for idx, code, seven, _line in anchors:
        if code in by_code:
            if [v.value.number for v in by_code[code]] != [v.value.number for v in seven]:
                result.problems.append(f"row {code} is printed twice with different numbers; the first is kept")
                result.uncertain = True
            continue
        if kept and position[code] < position[kept[-1][1]]:
            result.problems.append(f"row {code} is printed out of the template's order; not read")
            result.uncertain = True
            continue
        by_code[code] = seven
        kept.append((idx, code, seven))

    assigned: dict[str, tuple[list[Item], str | None]] = {code: (seven, None) for _idx, code, seven in kept}
    bounds = [(start - 1, -1), *[(idx, position[code]) for idx, code, _ in kept], (end, len(order))]
    for (lo_idx, lo_pos), (hi_idx, hi_pos) in zip(bounds, bounds[1:]):
        missing = order[lo_pos + 1 : hi_pos]
        between = [o for o in orphans if lo_idx < o[0] < hi_idx]
        if len(between) != len(missing):
            # rows printed with too few values keep them when the runs fit the other rows
            missing = [c for c in missing if c not in short]
        if not missing:
            if between:
                result.problems.append(
                    f"{len(between)} unlabelled row(s) of numbers near {between[0][2].loc} fit no template row; ignored"
                )
            continue
        if len(between) == len(missing):
            for code, (_idx, seven, line) in zip(missing, between):
                if (code in short or code in cut_short) and not _adds_up(seven):
                    # the run may as well be the rest of the row's own values, cut from them by
                    # a line of furniture ("746 | 12 |" / "注" / "0 | 0 | 10 | 1 | 769 |"): a run
                    # that breaks the row's total does not replace what the row printed
                    short.pop(code, None)
                    result.problems.append(
                        f"row {code} prints too few values beside its label, and the unlabelled run of {len(COLUMNS)} "
                        f"near {line.loc} whose 总计 is not the sum of its parts may be the rest of them; not read"
                    )
                    result.uncertain = True
                    continue
                if code in short:
                    stray = short.pop(code)[1]
                    result.problems.append(
                        f"{stray.loc}: row {code} prints {len(stray.values)} value(s) beside its label, ignored: "
                        f"an unlabelled run of {len(COLUMNS)} fills the row"
                    )
                assigned[code] = (seven, "label printed apart; placed by template order")
        else:
            if not any(c in HEADER_CODES or c in SUB_ROW_CODES for c in codes):
                # the table stops before （六）: its rows are those of either template
                missing = ["/".join([c, *SUB_ROW_CODES]) if c in HEADER_CODES else c for c in missing]
            result.problems.append(
                f"rows {', '.join(missing)} not found"
                + (f" ({len(between)} unlabelled rows of numbers there, {len(missing)} rows missing)" if between else "")
            )
            result.uncertain = True

    if short:
        known = {c: [int(v.value.number) for v in s] for c, (s, _) in assigned.items()}
        rules = _identities(tuple(order))
        for code, (_idx, line) in short.items():
            printed = [int(v.value.number) for v in line.values]
            positions = place_by_identities(known, code, printed, len(COLUMNS), rules)
            if positions is None:
                result.problems.append(
                    f"{line.loc}: row {code} prints {len(printed)} values where {len(COLUMNS)} were expected, "
                    "and the identities leave more than one reading; not read"
                )
                result.uncertain = True
                continue
            taken = dict(zip(positions, line.values))
            items = [taken.get(p, Item(Value(0, "", True, None), line.loc)) for p in range(len(COLUMNS))]
            assigned[code] = (items, "blank cells lost; placed by the template's identities")
            result.problems.append(
                f"{line.loc}: row {code} prints {len(printed)} values; its blank cells were placed by the template's identities"
            )

    # a table that prints its zeros as "0" leaves no cell blank for a zero: a row all of whose
    # cells are blank there has lost its numbers (a label's wrapped tail taken for its row, a
    # row the copy emptied) as likely as it has none
    prints_zeros = any(not v.value.blank and v.value.number == 0 for seven, _ in assigned.values() for v in seven)
    for code in order:
        if code not in assigned:
            continue
        seven, note = assigned[code]
        if prints_zeros and all(v.kept_blank for v in seven):
            result.problems.append(f"{seven[0].loc}: row {code} prints no number (every cell blank) where the table prints its zeros; not read")
            result.uncertain = True
            continue
        skip = doubtful_cells(seven, lambda k: f"{code}.{COLUMNS[k]}", result.problems)
        dashes = {k for k, v in enumerate(seven) if v.value.blank and v.value.raw.strip()}
        if dashes and not _adds_up(seven):
            # a dash is read as none only where the row's total then holds: beside a total that
            # breaks, it may stand for a number the page lost as well as for a zero
            result.problems.append(f"{seven[min(dashes)].loc}: row {code} prints dashes and its 总计 is not the sum of its parts; "
                                   "the dashed cells are not read")
            skip |= dashes
        if skip:
            result.uncertain = True
        for k, (col, v) in enumerate(zip(COLUMNS, seven)):
            if k in skip:
                continue
            value = v.value
            number = value.number
            if type(number) is not int:
                number = int(number) if number == int(number) else None
            if number is None or number < 0:
                result.problems.append(f"{v.loc}: {code}.{col} prints '{value.raw}', not a count; not read")
                result.uncertain = True
                continue
            result.cells.append(RequestCell(code, col, number, value.raw, f"{v.loc} ({note})" if note else v.loc))
    result.rows_read = len(assigned)
    result.rows_expected = len(order)
    return result
