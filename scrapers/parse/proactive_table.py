"""Table 二: proactive disclosure, printed as blocks of 信息内容 headers and item rows.

Each header row names its block's measures; each item row's values are read left to
right under them (real tables give data cells other colspans than their headers).
The measures printed tell the template: 本年新制作数量… is 2019, 本年制发件数… is 2021.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from scrapers.extract.model import Row
from scrapers.parse import labels
from scrapers.parse.model import ExtraCell, ProactiveCell
from scrapers.parse.stream import Item, Line, doubtful_cells, mend_wrapped_labels, read_lines, values_before_labels
from scrapers.parse.values import Value
from scrapers.seeds import read_seed

_MEASURE_TEMPLATE = {r["code"]: r["template"] for r in read_seed("proactive_measures")}
_MEASURE_UNIT = {r["code"]: r["unit"] for r in read_seed("proactive_measures")}

def _expected() -> dict[str, dict[str, list[str]]]:
    """The cells each template prints, from seeds/proactive_grid.csv."""
    grid = sorted(read_seed("proactive_grid"), key=lambda r: int(r["sort_order"]))
    out: dict[str, dict[str, list[str]]] = {}
    for template in ("2019", "2021"):
        for r in grid:
            if r[f"in_{template}"] == "true":
                out.setdefault(template, {}).setdefault(r["item"], []).append(r["measure"])
    return out


EXPECTED = _expected()
# the word of the header row over each block of items: no measure, so no cell, without it
HEADER_WORD = "信息内容"


@dataclass
class ProactiveResult:
    cells: list[ProactiveCell] = field(default_factory=list)
    extra: list[ExtraCell] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    template: str | None = None
    uncertain: bool = False
    found: bool = False


def _item(pieces: list[str]) -> tuple[str | None, int]:
    """The item the end of a label run names and how many pieces it took; a piece that names an
    item of its own is never joined to the next (a sub-row's label is not a continuation)."""
    code, _ = labels.match_run("proactive_item", pieces)
    if code is None:
        return None, 0
    for n in range(1, min(4, len(pieces)) + 1):
        if labels.match("proactive_item", "".join(pieces[-n:]))[0] == code:
            return code, n
    return code, 1


def _header_unit(text: str) -> str | None:
    if "万元" in text:
        return "wan_yuan"
    if "元" in text:
        return "yuan"
    return None


# cached: a pure function of the header's text, which recurs in every report of a template
@lru_cache(maxsize=256)
def _header(cells_text: str) -> tuple[tuple[str, str | None], ...]:
    """The measures a 信息内容 header names, in printed order, with a unit where printed."""
    hits = labels.find_all("proactive_measure", cells_text)
    norm = labels.normalise(cells_text)
    measures = []
    for k, (pos, code, variant) in enumerate(hits):
        tail_end = hits[k + 1][0] if k + 1 < len(hits) else len(norm)
        measures.append((code, _header_unit(norm[pos:tail_end]) if code == "amount" else None))
    return tuple(measures)


@lru_cache(maxsize=1)
def _blocks() -> tuple[tuple[str, ...], ...]:
    """The measure sequences a 信息内容 header can print: one per item family and template."""
    return tuple(dict.fromkeys(tuple(ms) for by_item in EXPECTED.values() for ms in by_item.values()))


@lru_cache(maxsize=1)
def _measure_labels() -> dict[str, tuple[str, ...]]:
    """Each measure's printed forms, normalised: its template label(s) and its variants."""
    out: dict[str, list[str]] = {}
    for r in read_seed("proactive_measures"):
        out.setdefault(r["code"], []).extend(labels.normalise(t) for t in r["label_zh"].split(" / "))
    for v in labels.variants("proactive_measure"):
        out.setdefault(v.code, []).append(v.text)
    return {code: tuple(texts) for code, texts in out.items()}


def _cut_header(cells: tuple[str, ...]) -> tuple[tuple[str, str | None], ...] | None:
    """The measures of a header whose cells were cut short ("本年新 | 本年新 | 对外公开总数量": a
    wrapped header cell kept only its first line): where every named cell names one measure
    and each nameless cell begins a measure's printed form, the one template block that fits
    them all position by position. None when no block, or more than one, fits. A line of text
    keeps its cells apart only by spacing: they are tried split there too."""
    found = _cut_header_cells(cells)
    if found is None and any(len(c.split()) > 1 for c in cells):
        found = _cut_header_cells(tuple(w for c in cells for w in c.split()))
    return found


@lru_cache(maxsize=256)
def _cut_header_cells(cells: tuple[str, ...]) -> tuple[tuple[str, str | None], ...] | None:
    named: list[str | None] = []
    for cell in cells:
        hits = labels.find_all("proactive_measure", cell)
        if len(hits) > 1:
            return None
        named.append(hits[0][1] if hits else None)
    if None not in named:
        return None
    forms = _measure_labels()
    fits = [block for block in _blocks() if len(block) == len(cells) and all(
        m == n if n is not None else len(c := labels.normalise(cell)) >= 2 and any(f.startswith(c) for f in forms.get(m, ()))
        for m, n, cell in zip(block, named, cells))]
    if len(fits) != 1:
        return None
    return tuple((m, _header_unit(labels.normalise(cell)) if m == "amount" else None) for m, cell in zip(fits[0], cells))


def _wrapped_header(pieces: list[str]) -> tuple[tuple[str, str | None], ...] | None:
    """The measures of a header whose cells wrapped onto two or three lines, each line a piece
    whose spacing parts the columns ("本年制发 本年废止 现行有效" over "件数 件数 件数", the
    信息内容 cell centred between them): the lines joined column by column, where every line
    has the same number of columns and each joined column names one measure."""
    rows = [p.split() for p in pieces if p.strip()]
    if not 2 <= len(rows) <= 3 or len({len(r) for r in rows}) != 1 or len(rows[0]) < 2:
        return None
    columns = ["".join(col) for col in zip(*rows)]
    found = [_header(c) for c in columns]
    if any(len(m) != 1 for m in found):
        return None
    return tuple(m[0] for m in found)


def _plain(value) -> int | float:
    """Counts as int; amounts as printed (a decimal stays a float even when it ends in .0)."""
    return value if isinstance(value, int) else float(value)


def _wan_yuan(value, unit: str | None) -> float | None:
    if unit == "wan_yuan":
        return float(value)
    if unit == "yuan":
        return float(Decimal(value) / Decimal(10000))
    return None


def _values(line: Line, width: int) -> list[Item]:
    """The row's values under its `width` headers. Blank cells beyond them are layout (merged
    cells, pandoc's empty columns after a colspan) when every header has a printed value."""
    if len(line.values) > width and len(line.printed) == width:
        return line.printed
    values = list(line.values)
    while len(values) > width and values[-1].kept_blank:
        values.pop()
    while len(values) > width and values[0].kept_blank:
        values.pop(0)
    return values


def _prints_values_first(region: list[Line]) -> bool:
    """Whether the table prints each row's values before its label: values stand between every
    信息内容 header that names no item and the item label after it (the first row's, printed
    before its label), and the last item's label has none after it. A table printed label
    first has only header words between a header and its first item, and its last row's
    values after that row's label."""
    blocks = 0
    last_item: Line | None = None
    before: int | None = None  # values since a header that named no item, until an item
    for line in region:
        pieces = [labels.normalise(p) for p in line.labels]
        head = max((k for k, p in enumerate(pieces) if HEADER_WORD in p), default=None)
        if head is not None and _item(line.labels[head + 1 :])[0] is None:
            # the stream runs on a label printed with no values after it into the next header
            if any(_item([p])[0] is not None for p in line.labels[:head]):
                if before is not None:
                    if not before:
                        return False  # an item right under a header, with no values before it
                    blocks += 1
                last_item = None
            elif before is not None:
                return False  # a header with no item under it
            before = len(line.printed)
            continue
        # an item's label, or one the stream ran on into the next 第二十条 clause
        if any(_item([p])[0] is not None for p in line.labels) or (line.labels and _item(line.labels)[0] is not None):
            if before is not None:
                if not before:
                    return False
                blocks += 1
                before = None
            last_item = line
        elif before is not None:
            before += len(line.printed)
    return blocks > 0 and last_item is not None and not last_item.printed


def read_proactive(rows: list[Row], start: int, end: int, lines: list[Line] | None = None) -> ProactiveResult:
    result = ProactiveResult()
    measures: tuple[tuple[str, str | None], ...] = ()
    seen: set[tuple[str, str]] = set()
    # an item printed without numbers, over sub-rows of its own (北京: 其他对外管理服务事项 over
    # 行政检查, 行政确认): its cells are the sums of the sub-rows
    group: tuple[str, Line, list[tuple[str, list[Item], Line]]] | None = None

    def emit(item: str, values: list[Item], loc: str, raws: list[str] | None = None) -> None:
        skip = doubtful_cells(values, lambda k: f"proactive {item}.{measures[k][0]}", result.problems)
        if skip:
            result.uncertain = True
        for k, ((measure, header_unit), v) in enumerate(zip(measures, values)):
            if (item, measure) in seen or k in skip:
                continue
            seen.add((item, measure))
            unit = v.value.unit or header_unit or (_MEASURE_UNIT.get(measure) if measure != "amount" else None)
            raw = raws[k] if raws else v.value.raw
            result.cells.append(
                ProactiveCell(item, measure, _plain(v.value.number), raw, unit,
                              _wan_yuan(v.value.number, unit) if measure == "amount" else None, loc or v.loc)
            )

    def close_group() -> None:
        nonlocal group
        if group is None:
            return
        item, head, subs = group
        group = None
        if not subs:
            # no sub-rows followed: the row's blank cells are its values, as in tables 三 and 四
            blanks = _values(head, len(measures))
            if head.values and len(blanks) == len(measures):
                emit(item, blanks, "")
            return
        width = len(measures)
        if any(len(vals) != width for _, vals, _ in subs):
            result.problems.append(f"{head.loc}: table 二 row {item} has sub-rows of different widths; not read")
            result.uncertain = True
            return
        sums = []
        for k in range(width):
            number = sum(vals[k].value.number for _, vals, _ in subs)
            sums.append(Item(Value(number, str(number), False, next((v[k].value.unit for _, v, _ in subs if v[k].value.unit), None)), subs[0][2].loc))
        names = ", ".join(label for label, _, _ in subs)
        result.problems.append(f"{head.loc}: table 二 row {item} prints no numbers of its own; read as the sum of its sub-rows ({names})")
        emit(item, sums, subs[0][2].loc, ["+".join(vals[k].value.raw.strip() or "0" for _, vals, _ in subs) for k in range(width)])

    region = lines if lines is not None else read_lines(rows, start, end)
    if _prints_values_first(region):
        region = values_before_labels(region, lambda p: _item(p)[0])
        result.problems.append("table 二 prints each row's values before its label; read in that order")
    for line in mend_wrapped_labels(region, lambda p: _item(p)[0], labels.opens_with_enumerator):
        pieces = [labels.normalise(p) for p in line.labels]
        head = max((k for k, p in enumerate(pieces) if HEADER_WORD in p), default=None)
        if head is not None:
            close_group()
            after = line.labels[head + 1 :]
            item, taken = _item(after)
            # the header's own piece as printed where it can be: its spacing may part its cells
            raw = line.labels[head]
            own = raw.split(HEADER_WORD, 1)[1] if HEADER_WORD in raw else pieces[head].split(HEADER_WORD, 1)[1]
            header_cells = (own, *after[: len(after) - taken])
            measures = _header("".join(header_cells))
            cut = _cut_header(tuple(c for c in header_cells if labels.normalise(c)))
            if cut is not None:
                measures = cut
            clause = max((k for k, p in enumerate(pieces[:head]) if "第二十条" in p), default=-1)
            wrapped = _wrapped_header([*line.labels[clause + 1 : head], own, *header_cells[1:]])
            if wrapped is not None and len(wrapped) > len(measures):
                measures = wrapped
            if item is None:
                continue
        else:
            if any("第二十条" in p for p in pieces):
                continue
            item, taken = _item(line.labels)
        if not line.printed:
            if item is not None:
                # numbers of its own or its sub-rows' sums: the rows after it tell
                close_group()
                group = (item, line, [])
            continue
        label = line.labels[-1] if line.labels else ""
        if item is None and not line.labels and group is not None and not group[2] and measures:
            # the item's numbers printed apart from its label (a PDF cell centred beside a
            # label wrapped over three lines: "其他对外管理服务" / "12 -1 334" / "事项")
            item, group = group[0], None
        if item is None and len(line.labels) > 1:
            # an item label with no numbers, then the first of its sub-rows
            parent = next((c for p in reversed(line.labels[:-1]) if (c := labels.match("proactive_item", p)[0])), None)
            if parent is not None:
                close_group()
                group = (parent, line, [])
        if item is None:
            norm = labels.normalise(label)
            # a row's label names something: a garbled cell ("? 0") names nothing
            if (measures and norm and len(norm) <= 20 and any(ch.isalpha() for ch in norm)
                    and labels.match("proactive_item", label)[1] is False):
                values = _values(line, len(measures))
                result.problems.append(f"{line.loc}: table 二 row '{label}' is not in the template; kept as an extra row")
                for (measure, _), v in zip(measures, values):
                    result.extra.append(ExtraCell("proactive", label, measure, v.value.number, v.value.raw, v.loc))
                if group is not None:
                    group[2].append((label, values, line))
            continue
        close_group()
        if not measures:
            result.problems.append(f"{line.loc}: table 二 row {item} has no 信息内容 header above it; not read")
            result.uncertain = True
            continue
        values = _values(line, len(measures))
        if len(values) != len(measures):
            result.problems.append(
                f"{line.loc}: table 二 row {item} prints {len(values)} values under {len(measures)} headers; not read"
            )
            result.uncertain = True
            continue
        emit(item, values, "")
    close_group()
    result.found = bool(result.cells)
    templates = {_MEASURE_TEMPLATE.get(c.measure) for c in result.cells} - {"both", None}
    if len(templates) == 1:
        result.template = templates.pop()
    elif len(templates) > 1:
        result.problems.append("table 二 mixes the 2019 and 2021 columns")
        result.uncertain = True
    elif result.cells:
        # only measures both templates share: the 2021 fee amount, or the 2019 procurement amount
        items = {c.item for c in result.cells}
        result.template = "2019" if items & (set(EXPECTED["2019"]) - set(EXPECTED["2021"])) else "2021"
    if result.template:
        expected = EXPECTED[result.template]
        missing = [f"{i}.{m}" for i, ms in expected.items() for m in ms if (i, m) not in seen]
        if missing:
            result.problems.append(f"table 二: {len(missing)} cells not found ({', '.join(missing)})")
            result.uncertain = True
    return result
