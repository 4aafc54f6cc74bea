"""Ruled tables: rules -> grids -> cells, shared by PDF pages (drawn rules) and OCR'd pictures
(rules found in the pixels).

Rules that touch form one table; the grid's boxes merge where no rule separates them, and the
merged regions are the cells. Positions are in points, top-down.
"""

from __future__ import annotations

import bisect
import time
from operator import itemgetter
from collections.abc import Callable
from dataclasses import dataclass, field

from scrapers.extract.model import Cell, Row

# Table detection pairs every horizontal rule with every vertical one and then tests every
# grid box: a 1000x1000 grid of lines is hours of work. A report's table has tens of rules.
MAX_RULE_PAIRS = 250_000
MAX_GRID_BOXES = 20_000

# Lines closer than this (points) are the same rule: cell rectangles of adjacent cells are
# drawn 0.2-0.5 pt apart, and rules are up to 2 pt thick.
SNAP = 3.0
# A rule must cover this share of a cell side to separate two cells.
RULED_SHARE = 0.5


@dataclass(slots=True)
class Edge:
    # a horizontal rule at y=pos from lo to hi, or a vertical one at x=pos
    pos: float
    lo: float
    hi: float


@dataclass
class Table:
    xs: list[float]
    ys: list[float]
    # cells as (col0, row0, col1, row1) grid spans, end exclusive
    cells: list[tuple[int, int, int, int]]
    # what was placed in each cell: PDF characters or OCR boxes (anything with a centre cx, cy)
    texts: dict[tuple[int, int, int, int], list] = field(default_factory=dict)
    # the emitted cells of each grid row with their spans, to join cells cut by a page break
    emitted: dict[int, list[tuple[Cell, tuple[int, int, int, int]]]] = field(default_factory=dict)
    # grid box (column, row) -> the cell covering it; built on first use
    owner: dict[tuple[int, int], tuple[int, int, int, int]] | None = None
    # the table's side rules run on past its first (last) horizontal rule to the page's edge
    # of content: a row cut by a page break that draws no rule at the cut (a browser's print)
    open_top: bool = False
    open_bottom: bool = False

    @property
    def box(self) -> tuple[float, float, float, float]:
        return self.xs[0], self.ys[0], self.xs[-1], self.ys[-1]



class OutOfTime(Exception):
    """The document's time budget ran out inside a page."""


def find_tables(
    edges: tuple[list[Edge], list[Edge]], page_no: int = 0, problems: list[str] | None = None,
    deadline: float = float("inf"),
) -> list[Table]:
    horizontal, vertical = (_merge_collinear(e) for e in edges)
    if not horizontal or not vertical:
        return []
    if len(horizontal) * len(vertical) > MAX_RULE_PAIRS:
        if problems is not None:
            problems.append(
                f"page {page_no}: {len(horizontal)} horizontal and {len(vertical)} vertical rules are no report's "
                f"table (limit {MAX_RULE_PAIRS} pairs); its text is read as lines"
            )
        return []
    # rules that touch belong to one table
    parent = list(range(len(horizontal) + len(vertical)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    # the vertical rules by position: those a horizontal rule can reach are a bisection away
    # (which pairs are joined, not the order they are joined in, makes the tables)
    by_pos = sorted(range(len(vertical)), key=lambda j: vertical[j].pos)
    positions = [vertical[j].pos for j in by_pos]
    for i, h in enumerate(horizontal):
        if time.monotonic() > deadline:
            raise OutOfTime
        for k in range(bisect.bisect_left(positions, h.lo - SNAP), bisect.bisect_right(positions, h.hi + SNAP)):
            j = by_pos[k]
            v = vertical[j]
            if v.lo - SNAP <= h.pos <= v.hi + SNAP:
                a, b = find(i), find(len(horizontal) + j)
                if a != b:
                    parent[a] = b
    groups: dict[int, tuple[list[Edge], list[Edge]]] = {}
    for i, h in enumerate(horizontal):
        groups.setdefault(find(i), ([], []))[0].append(h)
    for j, v in enumerate(vertical):
        groups.setdefault(find(len(horizontal) + j), ([], []))[1].append(v)
    tables = []
    for hs, vs in groups.values():
        table = _grid(hs, vs, deadline)
        if table is None and problems is not None and _boxes(hs, vs) > MAX_GRID_BOXES:
            problems.append(
                f"page {page_no}: a grid of {_boxes(hs, vs)} boxes is no report's table (limit {MAX_GRID_BOXES}); "
                "its text is read as lines"
            )
        if table is not None:
            tables.append(table)
    tables.sort(key=lambda t: t.ys[0])
    return tables


def _merge_collinear(edges: list[Edge]) -> list[Edge]:
    """Rules snapped to shared positions, with touching pieces on one position joined."""
    # (pos, lo, hi) tuples sorted by (pos, lo) as the rules came (a stable sort), then snapped
    pieces = sorted([(e.pos, e.lo, e.hi) for e in edges], key=_POS_LO)
    positions = _cluster([p[0] for p in pieces])
    pieces = sorted([(positions[pos], lo, hi) for pos, lo, hi in pieces], key=_POS_LO)
    joined: list[Edge] = []
    last: Edge | None = None
    for pos, lo, hi in pieces:
        if last is not None and last.pos == pos and lo <= last.hi + SNAP:
            last.hi = max(last.hi, hi)
        else:
            last = Edge(pos, lo, hi)
            joined.append(last)
    return joined


_POS_LO = itemgetter(0, 1)


def _cluster(values: list[float]) -> dict[float, float]:
    """Each value mapped to the mean of its run of values no more than SNAP apart."""
    mapping: dict[float, float] = {}
    run: list[float] = []
    for value in sorted(set(values)):
        if run and value - run[-1] > SNAP:
            mean = sum(run) / len(run)
            mapping.update((v, mean) for v in run)
            run = []
        run.append(value)
    if run:
        mean = sum(run) / len(run)
        mapping.update((v, mean) for v in run)
    return mapping


class _RuleIndex:
    """Rules sorted by position: which of them lie within SNAP of a position is a bisection,
    not a scan of every rule (a grid tests each of its boxes' sides), done once a position."""

    def __init__(self, edges: list[Edge]) -> None:
        self.edges = sorted(edges, key=lambda e: e.pos)
        self.positions = [e.pos for e in self.edges]
        self.near: dict[float, list[tuple[float, float]]] = {}

    def covered(self, pos: float, lo: float, hi: float) -> bool:
        """Whether rules at `pos` cover at least RULED_SHARE of the span lo..hi."""
        length = hi - lo
        if length <= 0:
            return True
        near = self.near.get(pos)
        if near is None:
            start = bisect.bisect_left(self.positions, pos - SNAP)
            end = bisect.bisect_right(self.positions, pos + SNAP)
            near = self.near[pos] = [(e.lo, e.hi) for e in self.edges[start:end]]
        covered = 0.0
        for e_lo, e_hi in near:
            # max(0, min(hi, e_hi) - max(lo, e_lo)), spelt out: this runs for every side of every box
            overlap = (e_hi if e_hi < hi else hi) - (e_lo if e_lo > lo else lo)
            if overlap > 0.0:
                covered += overlap
        return covered >= RULED_SHARE * length


def _boxes(horizontal: list[Edge], vertical: list[Edge]) -> int:
    xs = set(_cluster([v.pos for v in vertical]).values())
    ys = set(_cluster([h.pos for h in horizontal]).values())
    return max(len(xs) - 1, 0) * max(len(ys) - 1, 0)


def _grid(horizontal: list[Edge], vertical: list[Edge], deadline: float = float("inf")) -> Table | None:
    """The table's cells: grid boxes between rules, merged where no rule separates them."""
    xs = sorted(set(_cluster([v.pos for v in vertical]).values()))
    ys = sorted(set(_cluster([h.pos for h in horizontal]).values()))
    open_top, open_bottom = _open_ends(vertical, ys)
    if open_top is not None:
        ys.insert(0, open_top)
    if open_bottom is not None:
        ys.append(open_bottom)
    # one column of boxes is ruled paper or a frame around text lines, not a table
    if len(xs) < 3 or len(ys) < 2:
        return None
    if (len(xs) - 1) * (len(ys) - 1) > MAX_GRID_BOXES:
        return None
    ncols, nrows = len(xs) - 1, len(ys) - 1
    ruled_h, ruled_v = _RuleIndex(horizontal), _RuleIndex(vertical)
    parent = list(range(ncols * nrows))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    # whether each box side is ruled, asked once: the rule at ys[k] along column c is
    # across[k][c], the rule at xs[k] along row r is down[k][r]; the regions are joined by them
    # and a one-box cell is closed by them (a cell spanning boxes asks for its own sides)
    across = []
    for y in ys:
        if time.monotonic() > deadline:
            raise OutOfTime
        across.append([ruled_h.covered(y, xs[c], xs[c + 1]) for c in range(ncols)])
    down = []
    for x in xs:
        if time.monotonic() > deadline:
            raise OutOfTime
        down.append([ruled_v.covered(x, ys[r], ys[r + 1]) for r in range(nrows)])
    for r in range(nrows):
        if time.monotonic() > deadline:
            raise OutOfTime
        below = across[r + 1]
        for c in range(ncols):
            here = r * ncols + c
            if c + 1 < ncols and not down[c + 1][r]:
                parent[find(here)] = find(here + 1)
            if r + 1 < nrows and not below[c]:
                parent[find(here)] = find(here + ncols)
    # each region's bounding boxes and box count; the boxes come row by row, top down, so a
    # region's first box has its top row and its latest box its bottom row
    spans: dict[int, list[int]] = {}
    for r in range(nrows):
        if time.monotonic() > deadline:
            raise OutOfTime
        for c in range(ncols):
            root = find(r * ncols + c)
            box = spans.get(root)
            if box is None:
                spans[root] = [c, r, c + 1, r + 1, 1]
                continue
            if c < box[0]:
                box[0] = c
            if c >= box[2]:
                box[2] = c + 1
            box[3] = r + 1
            box[4] += 1
    cells = []
    for c0, r0, c1, r1, count in spans.values():
        # a grid near the caps has tens of thousands of regions, each tested on four sides
        if time.monotonic() > deadline:
            raise OutOfTime
        # an L-shaped region is outside the table's outline, not a cell
        if count != (c1 - c0) * (r1 - r0):
            continue
        if c1 - c0 == 1:
            top, bottom = across[r0][c0], across[r1][c0]
        else:
            top, bottom = ruled_h.covered(ys[r0], xs[c0], xs[c1]), ruled_h.covered(ys[r1], xs[c0], xs[c1])
        if r1 - r0 == 1:
            left, right = down[c0][r0], down[c1][r0]
        else:
            left, right = ruled_v.covered(xs[c0], ys[r0], ys[r1]), ruled_v.covered(xs[c1], ys[r0], ys[r1])
        sides = ((top, r0 == 0), (bottom, r1 == nrows), (left, c0 == 0), (right, c1 == ncols))
        missing = [outer for ruled, outer in sides if not ruled]
        # a table continued from the previous page may lack its top rule; otherwise a box
        # that is not closed lies outside the table
        if len(missing) > 1 or (missing and not missing[0]):
            continue
        cells.append((c0, r0, c1, r1))
    # one box is a frame or a highlight, not a table
    if len(cells) < 2:
        return None
    cells.sort(key=lambda s: (s[1], s[0]))
    return Table(xs=xs, ys=ys, cells=cells, open_top=open_top is not None, open_bottom=open_bottom is not None)


def _open_ends(vertical: list[Edge], ys: list[float]) -> tuple[float | None, float | None]:
    """Where the table's rules end beyond its first and last horizontal rule (None where they
    do not): a row cut by a page break is closed by no rule when the tool draws none at the cut,
    but its column rules, the outer two at least, still run to the cut."""
    if not ys:
        return None, None
    above = [v.lo for v in vertical if v.lo < ys[0] - SNAP]
    below = [v.hi for v in vertical if v.hi > ys[-1] + SNAP]
    top = min(above) if above else None
    bottom = max(below) if below else None
    # the cut is one line across the table: two rules at least end on it
    if top is not None and sum(1 for lo in above if lo - top <= SNAP) < 2:
        top = None
    if bottom is not None and sum(1 for hi in below if bottom - hi <= SNAP) < 2:
        bottom = None
    return top, bottom


def _owners(table: Table) -> dict[tuple[int, int], tuple[int, int, int, int]]:
    """Grid box (column, row) -> the cell covering it, built once a table."""
    if table.owner is None:
        table.owner = {
            (c, r): span
            for span in table.cells
            for c in range(span[0], span[2])
            for r in range(span[1], span[3])
        }
    return table.owner


def place_in_cells(items: list, tables: list[Table]) -> list:
    """Each item (a character, an OCR box) put in the table cell holding its centre, in
    `table.texts`; the items outside every table are returned, in order. The cell is a lookup
    in the grid (a bisection of the rules, then the box's owner), not a scan of the cells."""
    free = []
    if not tables:
        return list(items)
    # each table's outline and grid read once: this runs for every character
    grids = [
        (t.texts, t.xs, t.ys, t.xs[0], t.xs[-1], t.ys[0], t.ys[-1], len(t.xs) - 2, len(t.ys) - 2, _owners(t))
        for t in tables
    ]
    bisect_right = bisect.bisect_right
    for item in items:
        x, y = item.cx, item.cy
        for texts, xs, ys, left, right, top, bottom, last_column, last_row, owner in grids:
            if not (left <= x <= right and top <= y <= bottom):
                continue
            column = bisect_right(xs, x) - 1
            row = bisect_right(ys, y) - 1
            span = owner.get((column if column < last_column else last_column, row if row < last_row else last_row))
            if span is not None:
                texts.setdefault(span, []).append(item)
                break
        else:
            free.append(item)
    return free


def grid_rows(table: Table, page_no: int, t_index: int, cell: Callable[[tuple[int, int, int, int]], Cell]) -> list[Row]:
    """The table's rows: one Row per grid row where cells start, with `cell(span)` for each cell
    starting there, left to right (a cell spanning rows appears once, in its first row)."""
    by_row: dict[int, list[tuple[int, int, int, int]]] = {}
    for span in table.cells:
        by_row.setdefault(span[1], []).append(span)
    rows = []
    for r in sorted(by_row):
        spans = sorted(by_row[r], key=lambda s: s[0])
        cells = [cell(s) for s in spans]
        table.emitted[r] = list(zip(cells, spans))
        # a box across the whole table holds a caption or a heading ("第二十条第（一）项"), not data
        full_width = len(spans) == 1 and spans[0][0] == 0 and spans[0][2] == len(table.xs) - 1
        rows.append(
            Row(
                cells=cells,
                loc=f"page {page_no} table {t_index} row {len(rows) + 1}",
                kind="text" if full_width else "table",
                page=page_no,
                top=round(table.ys[r], 1),
                bottom=round(min(table.ys[s[3]] for s in spans), 1),
            )
        )
    return rows
