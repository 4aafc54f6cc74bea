"""A document's rows as one stream of labels and values, cut into template rows at the labels.

Renderings keep the order of a table's labels and numbers and lose its rows: a page-text copy
puts every cell on its own line or paragraph, pipes stand alone on lines, group labels share a
line with their first sub-row. So the readers of tables 二/三/四 do not read physical rows; they
read `Line`s: a run of label pieces and the values printed after it, up to the next label.

What keeps a physical row whole: a row that prints a label and its values together is closed
(values on later lines start a new, label-less line), and a row of several numbers without a
label is a run of its own (PDF text layers print a wrapped label's numbers above or below it;
the readers place such runs by the template's order). Blank cells are values where the
rendering kept them: an empty table cell, an empty `|  |` field, a `|` after a `|`, and in
line-per-cell text an empty line more than the text's usual spacing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from scrapers.extract.model import Cell, Extracted, Row
from scrapers.extract.page_numbers import FIRST_CHARACTERS as BREAK_MARK_STARTS
from scrapers.extract.page_numbers import is_page_break_mark
from scrapers.extract.text import MAX_ROWS, is_rule_line, split_line
from scrapers.parse.values import MIN_CONFIDENCE, UNITS, Value, read_value
from scrapers.seeds import read_seed

_MD_RULE = re.compile(r"^\|?\s*:?-{3,}")
_GRID_RULE = re.compile(r"^\+[-=+:]+\+$")
# a cell's closing "|", spacing, then a run of pipes with nothing between them, ending the line
_TRAILING_FILLER = re.compile(r"\|[ \t\u3000\xa0]+\|{2,}[ \t\u3000\xa0]*$")
# the value of a cell a rendering left blank (immutable: one serves every such cell)
_BLANK = Value(0, "", True, None)


@dataclass(slots=True)
class Item:
    """One printed value in the stream, with where it was read and how sure the reader was."""

    value: Value
    loc: str
    confidence: float | None = None
    cell: Cell | None = None

    @property
    def kept_blank(self) -> bool:
        return self.value.blank and self.value.raw.strip() == ""

    @property
    def doubtful(self) -> bool:
        return (self.confidence is not None and self.confidence < MIN_CONFIDENCE) or self.value.garbled


@dataclass(slots=True)
class Line:
    """A template row as printed: its label pieces in order and the values after them."""

    labels: list[str]
    values: list[Item] = field(default_factory=list)
    index: int = 0  # the document row where the line starts
    row: Row | None = None  # the physical row of its values (x positions of PDF cells)
    closed: bool = False

    @property
    def label(self) -> str:
        return "".join(self.labels)

    @property
    def loc(self) -> str:
        if self.values:
            return self.values[0].loc
        return self.row.loc if self.row is not None else ""

    @property
    def printed(self) -> list[Item]:
        """The values without the blanks a rendering left around them."""
        return [v for v in self.values if not v.kept_blank]


def is_page_break_row(row: Row) -> bool:
    """A row that is a page number or a 续表 and nothing else (extract.page_numbers)."""
    cells = row.cells
    if not cells or not cells[0].text or cells[0].text.lstrip()[:1] not in BREAK_MARK_STARTS:
        return False
    return is_page_break_mark(" ".join(row.texts).strip())


def _row_openers(lines: list[str]) -> set[int]:
    """The lines (1-based) that open a row of a Markdown table whose cells hold line breaks,
    as page-text stores print it ("0  | " / "| " / " 规章  | " / " 0  | "): a "|" alone at the
    start of its line, after a cell's closing "|" and before the next row's first cell. A "|"
    alone there is a blank cell in text that closes each cell with " |" (a row ending in a blank
    cell prints the same lines), so they are openers only where such "|" lines stand before
    labels far more often than before values: in every row, not only after a blank."""
    before_label: list[int] = []
    before_value: list[int] = []
    indented = cells = 0  # lines of a cell and its closing "|", and how many start with spacing
    prev = ""  # the last non-empty line, stripped
    for k, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped != "|" and stripped.endswith("|") and stripped.count("|") == 1:
            cells += 1
            indented += line[0] in " \t\u3000"
        # an opener starts its line; such text indents its cells, a blank one too ("   | ")
        if stripped == "|" and line[0] == "|" and prev.endswith("|") and prev.strip("| \t"):
            j = k + 1
            while j < len(lines) and not lines[j].strip():
                j += 1
            nxt = lines[j].strip() if j < len(lines) else ""
            cell = nxt.strip("| \t")
            if cell and nxt.endswith("|") and "|" not in cell and read_value(cell) is None:
                before_label.append(k + 1)
            else:
                before_value.append(k + 1)
        prev = stripped
    if len(before_label) < 3 or len(before_label) < 2 * len(before_value):
        return set()
    if indented * 2 > cells:
        # the cells are indented and the openers are not: a row of numbers is opened too
        return {*before_label, *before_value}
    return set(before_label)


def text_rows(text: str, extracted: list[Row] | None = None) -> list[Row]:
    """The rows of a text document, as the text extractor numbers them, keeping what the
    stream needs and the extractor drops: empty lines (kind "empty"), pipe-only filler lines of
    merged cells (dropped here), grid-table rules (kind "rule"), and `|`-separated lines
    without a leading `|` (kind "pipe", the raw line in one cell). `extracted`: the text
    extractor's rows of this same text, if at hand."""
    lines = text.splitlines()
    # the text extractor's own rows, one per line it kept, in order: where they are what this
    # reading needs, they are not split again
    kept = iter(extracted or ())
    room = MAX_ROWS if extracted else 0
    # "label | v | v |" rows: a line that starts with "|" there starts with a blank cell, not a border
    piped = [s for ln in lines if "|" in ln and ln.count("|") >= 2 and (s := ln.strip()).replace("|", "").strip()]
    open_rows = sum(1 for ln in piped if not ln.startswith("|")) > len(piped) / 2
    # a "|" alone is rare but for these layouts: the survey runs only where one is printed
    openers = _row_openers(lines) if "\n|\n" in text or "\n| \n" in text else set()
    ruled = False
    rows: list[Row] = []
    append = rows.append
    for n, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped:
            append(Row([], f"line {n}", "empty"))
            continue
        own = None
        first = stripped[0]
        # (is_rule_line's first test inlined: every line passes here)
        if room and not (first in "|:-" and is_rule_line(stripped)):
            own = next(kept, None)
            room -= 1
        if "|" in stripped:
            if not stripped.strip("| \t") and stripped.count("|") >= 2:
                if _TRAILING_FILLER.match(stripped):
                    # a blank cell's "|", and the filler of merged cells after it
                    append(Row([Cell("|")], f"line {n}", "pipe"))
                continue  # the filler of merged cells: pipes alone
            if first == "|" and _MD_RULE.match(stripped):
                continue
            if n in openers:
                continue
            if open_rows or not (first == "|" and stripped.count("|") >= 2):
                append(Row([Cell(stripped)], f"line {n}", "pipe"))
                continue
        elif first == "+" and _GRID_RULE.match(stripped.replace(" ", "")):
            append(Row([], f"line {n}", "rule"))
            ruled = True
            continue
        elif first in "-:" and _MD_RULE.match(stripped):
            continue
        if own is None:
            fields, kind = split_line(line, stripped)
            own = Row([Cell(f) for f in fields], f"line {n}", kind)
        append(own)
    return _merge_grid_rows(rows) if ruled else rows


def stream_rows(ext: Extracted) -> list[Row]:
    """The rows the stream reads: a text document's as `text_rows` keeps them, and a line of
    text (of any format) that prints several template rows one after another split into one each."""
    text = ext.format == "text"
    rows = text_rows(ext.text, ext.rows) if text else ext.rows
    out: list[Row] = []
    for row in rows:
        kind, cells = row.kind, row.cells
        if kind == "text" and len(cells) > 1 and (head := cells[0].text[:1]) and head in BREAK_MARK_STARTS and is_page_break_row(row):
            # "第 3 页 共 8 页" split at its spaces: one row, which the stream leaves out whole
            # (its pieces would be read as a label and the values 3 and 8)
            out.append(Row([Cell(" ".join(row.texts))], row.loc, kind))
            continue
        if kind == "text" and any("：" in c.text or ":" in c.text for c in cells) and (
                listed := _listed_row(row)) is not None:
            out.append(listed)
            continue
        if kind == "text" and len(cells) == 1 and "|" in (line := cells[0].text):
            if not text and line.count("|") >= 2 and not line.strip("| \t\u3000\xa0"):
                # the filler of merged cells, a paragraph of its own (as text_rows reads a line)
                if not _TRAILING_FILLER.match(line.strip()):
                    continue
                row = Row([Cell("|")], row.loc, kind)  # a blank cell's "|", then the filler
        elif kind == "text" and len(cells) == 1:
            # a line the extractor kept whole (a Word paragraph): its fields at the spaces, as
            # the text extractor splits a line ("（一）予以公开 5 0 0 0 0 0 5")
            fields, _ = split_line(line)
            if len(fields) > 1:
                row = Row([Cell(f) for f in fields], row.loc, kind)
        # a page's, a PDF's or a Word table's row is one row of the table it was printed in;
        # a line of text, or a text's tab-separated line, may hold a whole table
        if len(row.cells) > 1 and (kind == "text" or (text and kind == "table")) and (
                tail := _label_after_values(row)) is not None:
            out.extend(tail)
        elif len(row.cells) > 2 and (kind == "text" or (text and kind == "table")):
            out.extend(_printed_rows(row))
        else:
            out.append(row)
    return out


# "（一）予以公开：自然人5件，商业企业1件，…，总计6件。": a row listed as its columns' names
# and values after its label
_LISTED = re.compile(r"^(?P<label>[^：:]+)[：:](?P<body>[^：:]+?)[。；;]?$")
_LISTED_CELL = re.compile(r"^(?P<name>\D+?)(?P<value>[+-]?\d[\d,]*(?:\.\d+)?(?:件|项|个|人次|次)?)$")


@lru_cache(maxsize=1)
def column_orders() -> tuple[tuple[str, ...], ...]:
    """The column headers of tables 三 and 四 in the template's order, as normalised labels."""
    from scrapers.parse.labels import normalise

    return tuple(
        tuple(normalise(r["label_zh"]) for r in sorted(read_seed(seed), key=lambda r: int(r["sort_order"])))
        for seed in ("applicant_types", "appeal_results")
    )


def _listed_row(row: Row) -> Row | None:
    """A row printed as a list of its columns ("label：自然人5件，商业企业1件，…"): its label and
    values as a table row prints them, only where the names are every column of table 三 or 四,
    in the template's order (a list that leaves a column out or reorders them is not read so)."""
    from scrapers.parse.labels import normalise

    m = _LISTED.match(" ".join(c.text for c in row.cells).strip())
    if m is None:
        return None
    names, values = [], []
    # (a "," before three digits is a thousands separator: "总计16,381件")
    for part in re.split(r"[，、；;]|,(?!\d{3}(?!\d))", m["body"].replace(" ", "")):
        cell = _LISTED_CELL.match(part)
        if cell is None:
            return None
        names.append(normalise(cell["name"]))
        values.append(cell["value"])
    if tuple(names) not in column_orders():
        return None
    # a list that gives its counts a unit and leaves one without was cut inside that number
    # ("…其他0件，总计10" / "5件。", a line wrapped at a fixed width): it is not read so
    with_unit = [not v[-1].isdigit() for v in values]
    if any(with_unit) and not all(with_unit):
        return None
    # the label's pieces as spacing parts them (a group label, then its row's own)
    return Row([*(Cell(p) for p in m["label"].split()), *(Cell(v) for v in values)], row.loc, "table")


@lru_cache(maxsize=1)
def _units() -> tuple[str, ...]:
    return tuple(r["unit"] for r in read_seed("narrative_units"))


def _label_after_values(row: Row) -> list[Row] | None:
    """A row that prints its values first and its labels last ("3	0	…	（三）不予公开	1.属于国家秘密"):
    the values as a row of their own, then the labels, in the order printed; None for any other row."""
    cells = row.cells
    # the first label; the cells before it are the values (blank ones too, in a table row)
    k = next((k for k, c in enumerate(cells) if c.text.strip() and read_value(c.text) is None), 0)
    if k == 0 or cells[k].text.strip().startswith(_units()) or not any(c.text.strip() for c in cells[:k]):
        return None  # "2 件": a number and its unit, parted at a space
    if any(read_value(c.text) is not None and c.text.strip() for c in cells[k:]) or any("|" in c.text for c in cells[k:]):
        return None
    return [Row(cells[:k], row.loc, row.kind), Row([c for c in cells[k:] if c.text.strip()], row.loc, row.kind)]


def _printed_rows(row: Row) -> list[Row]:
    """A row that prints several rows one after another ("规章 0 0 0 行政规范性文件 3 1 20", a
    whole table collapsed onto one line or paragraph): a row per label and the values after it.
    Text after a number that starts with a unit ("13 件；规划计划文件 2 件") is prose, not a
    label: no row starts with 件. Values before the line's first label stay with that label's
    row, as a row read alone would take them."""
    cells = row.cells
    if any("|" in c.text for c in cells):
        return [row]  # pipe fields: the stream's pipe reading takes their labels and values in turn
    kinds = [read_value(c.text) is not None for c in cells]
    starts = [0]
    labelled = printed = False
    for k in range(1, len(cells)):
        if not kinds[k - 1]:
            labelled, printed = True, False
        elif cells[k - 1].text:
            printed = True
        if not kinds[k] and labelled and printed and not cells[k].text.startswith(_units()):
            starts.append(k)
            labelled = printed = False
    if len(starts) == 1:
        return [row]
    return [Row(cells[a:b], row.loc, row.kind) for a, b in zip(starts, [*starts[1:], len(cells)])]


def _merge_grid_rows(rows: list[Row]) -> list[Row]:
    """A grid table wraps a cell over several lines between its rules: join them column-wise."""
    from scrapers.extract.cell_text import join_wrapped

    out: list[Row] = []
    k = 0
    while k < len(rows):
        row = rows[k]
        if row.kind != "rule":
            out.append(row)
            k += 1
            continue
        j = k + 1
        # a page number or 续表 printed between a row's lines (the page broke inside the row) is not
        # one of them: the row's lines go on after it
        while j < len(rows) and (rows[j].kind == "table" or (rows[j].kind == "text" and is_page_break_row(rows[j]))):
            j += 1
        block = [r for r in rows[k + 1 : j] if r.kind == "table"]
        # the last block may have no closing rule: the text stops inside that row, and the
        # line it stops in may have lost its last cells (its wrapped text is lost with them)
        cut = j == len(rows)
        if cut and len(block) > 1 and len(block[-1].cells) < len(block[0].cells):
            block = block[:-1]
        if block and (cut or rows[j].kind == "rule") and len({len(r.cells) for r in block}) == 1:
            columns = zip(*(r.texts for r in block))
            out.append(Row(cells=[Cell(join_wrapped(list(col))) for col in columns], loc=block[0].loc, kind="table"))
            k = j
        else:
            out.extend(block)
            k = j
    return out


# "一、本年新收政府信息公开申请数量：8": a row's first value glued to its label by a colon, in
# one cell (a reprint's "label：value", a tab row whose first tab became a colon)
_GLUED = re.compile(r"^(?P<label>.*[\u3400-\u9fff）)])\s*[：:]\s*(?P<value>[^：:]+)$")


def _glued(text: str) -> tuple[str, Value] | None:
    """A label and the value glued to it by a colon, or None."""
    if "：" not in text and ":" not in text:
        return None
    m = _GLUED.match(text)
    if m is None:
        return None
    value = read_value(m["value"])
    return (m["label"], value) if value is not None and not value.blank else None


def _split(row: Row) -> tuple[list[str], list[Item]]:
    """A row read the way a table row prints: its label is everything before the trailing run of
    values; blank cells count in a real table and are spacing in a line of text."""
    cells = row.cells
    k = len(cells)
    table = row.kind == "table"
    if k == 1:
        # most rows of line-per-cell text: a label or a value alone
        cell = cells[0]
        text = cell.text
        if not table and not text.strip():
            return [], []
        value = read_value(text)
        if value is None:
            text = text.strip()
            if (glued := _glued(text)) is not None:
                return [glued[0]], [Item(glued[1], cell.loc or row.loc, cell.confidence, cell)]
            return ([text] if text else []), []
        return [], [Item(value, cell.loc or row.loc, cell.confidence, cell)]
    values: list[Item] = []
    while k > 0:
        cell = cells[k - 1]
        if not table and not cell.text.strip():
            k -= 1
            continue
        value = read_value(cell.text)
        if value is None and not table and k > 1 and cell.text in UNITS:
            # "2 件": a line of text split at its spaces parts a number from its unit
            value = read_value(cells[k - 2].text + cell.text)
            if value is not None:
                k -= 1
                cell = cells[k - 1]
        if value is None:
            break
        values.append(Item(value, cell.loc or row.loc, cell.confidence, cell))
        k -= 1
    glued = None
    if k > 0 and (glued := _glued(cells[k - 1].text.strip())) is not None:
        values.append(Item(glued[1], cells[k - 1].loc or row.loc, cells[k - 1].confidence, cells[k - 1]))
    values.reverse()
    labels = [text for c in cells[:k] if (text := c.text.strip())]
    if glued is not None:
        labels[-1] = glued[0]
    if not table and len(labels) > 1:
        labels = [" ".join(labels)]
    return labels, values


def _pipe_tokens(row: Row, after_pipe: bool) -> tuple[list[tuple[bool, object]], bool]:
    """Tokens of a `|`-separated line, (True, label) or (False, Item); a field empty between two
    pipes is a blank cell, also when the first pipe ended the line before."""
    pipe_row = row.kind == "pipe"
    cells = row.cells
    line = cells[0].text if pipe_row or len(cells) == 1 else " ".join([c.text for c in cells])
    loc = row.loc
    # the two lines of pipe-after-cell text: a cell, and a pipe alone
    if "|" not in line:
        text = line.strip()
        if not text:
            return [], False
        value = read_value(text)
        if value is None and (glued := _glued(text)) is not None:
            return [(True, glued[0]), (False, Item(glued[1], loc))], False
        return [(False, Item(value, loc)) if value is not None else (True, text)], False
    if line == "|":
        return ([(False, Item(_BLANK, loc))] if after_pipe else []), True
    # (the run's last two pipes end the line: most lines are no filler, without a search)
    filler = _TRAILING_FILLER.search(line) if line.rstrip().endswith("||") else None
    if filler is not None:
        # the filler of merged cells kept on a cell's line ("0 | ||"): no cells of its own
        line = line[: filler.start() + 1]
        if line.strip() == "|":
            return ([(False, Item(_BLANK, loc))] if after_pipe else []), True
    pieces = line.split("|")
    tokens: list[tuple[bool, object]] = []
    last = len(pieces) - 1
    for k, piece in enumerate(pieces):
        text = piece.strip()
        if not text:
            # a field between two pipes is a blank; the ends of a line are not fields
            inner = 0 < k < last
            opens = k == 0 and last > 0 and (after_pipe or (pipe_row and last >= 2))
            if inner or opens:
                tokens.append((False, Item(Value(0, piece, True, None), loc)))
            continue
        value = read_value(text)
        if value is None and (glued := _glued(text)) is not None:
            tokens += [(True, glued[0]), (False, Item(glued[1], loc))]
            continue
        tokens.append((False, Item(value, loc)) if value is not None else (True, text))
    return tokens, line.rstrip().endswith("|")


def _survey(region: list[Row]) -> tuple[int, int, int]:
    """One pass over a region: its lines of text that hold a `|`, its lines of text, and how
    many empty lines the text puts between two cells: 0 (a cell per line) or 1 (a cell per
    paragraph), whichever is more common, or 2 or 3 where no cell follows fewer (a copy that
    doubled every line break of a cell per paragraph: 3 between two cells, 7 around a blank)."""
    pipe_text = texts = 0
    runs = [0, 0, 0, 0, 0]  # how often a cell follows 0, 1, 2, 3, or 4+ empty lines
    gap = 0
    for row in region:
        kind = row.kind
        if kind == "empty":
            gap += 1
            continue
        runs[gap if gap < 4 else 4] += 1
        gap = 0
        if kind == "pipe":
            pipe_text += 1
            texts += 1
        elif kind == "text":
            texts += 1
            for cell in row.cells:
                if "|" in cell.text:
                    pipe_text += 1
                    break
    unit = 1 if runs[1] > runs[0] else 0
    wide = 3 if runs[3] > runs[2] else 2
    if runs[wide] > runs[0] + runs[1]:
        unit = wide
    return pipe_text, texts, unit


def read_lines(rows: list[Row], start: int, end: int) -> list[Line]:
    """The lines of rows[start:end] in printed order."""
    region = rows[start:end]
    pipe_text, texts, gap_unit = _survey(region)
    pipe_mode = pipe_text * 3 >= texts and pipe_text > 0
    lines: list[Line] = []
    cur: Line | None = None
    after_pipe = False
    empties = 0
    after_break = False

    i = start - 1
    for row in region:
        i += 1
        kind = row.kind
        if kind == "empty":
            empties += 1
            continue
        cells = row.cells
        # a page break's mark starts with a dash, 第, 共, 续 or a bracket: the others are none, without a look
        if kind == "rule" or (cells and (head := cells[0].text) and head[0] in BREAK_MARK_STARTS and is_page_break_row(row)):
            # the empty lines around a page number may be the page break's spacing or blank
            # cells: neither side's count says which, so none is a blank cell here. A row the
            # break cut then prints fewer values than its columns, which its reader places by
            # the identities or names; counted, they would have moved its values along.
            empties = 0
            after_break = kind != "rule"
            continue
        if after_break:
            empties, after_break = 0, False
        if empties and not pipe_mode and cur is not None and not cur.closed and cur.labels:
            # empty lines beyond the usual spacing are cells the rendering left blank
            blanks = (empties - gap_unit) // (gap_unit + 1) if empties > gap_unit else 0
            cur.values.extend(Item(_BLANK, row.loc) for _ in range(blanks))
        empties = 0

        if kind == "pipe" or (pipe_mode and kind == "text"):
            tokens, after_pipe = _pipe_tokens(row, after_pipe)
            if not tokens:
                continue
            has_label = False
            n_values = 0
            for is_label, _tok in tokens:
                if is_label:
                    has_label = True
                else:
                    n_values += 1
            if not has_label and n_values >= 2:
                # a row of numbers printed apart from its label: a run of its own
                cur = Line([], [tok for _, tok in tokens], i, row, True)  # type: ignore[misc]
                lines.append(cur)
                continue
            for is_label, tok in tokens:
                if is_label:
                    if cur is None or cur.values or cur.closed:
                        cur = Line([tok], [], i, row)  # type: ignore[list-item]
                        lines.append(cur)
                    else:
                        cur.labels.append(tok)  # type: ignore[arg-type]
                else:
                    if cur is None or cur.closed:
                        cur = Line([], [], i, row)
                        lines.append(cur)
                    if not cur.values:
                        cur.row = row
                    cur.values.append(tok)  # type: ignore[arg-type]
            if has_label and n_values >= 2:
                # `label | v | v |`: the row is whole on its line
                cur.closed = True  # type: ignore[union-attr]
            continue

        after_pipe = False
        labels, values = _split(row)
        if not values:
            if labels:
                if cur is None or cur.values or cur.closed:
                    cur = Line(labels, [], i, row)
                    lines.append(cur)
                else:
                    cur.labels.extend(labels)
            continue
        if not labels:
            if len(values) >= 2:
                # a row of numbers printed apart from its label: a run of its own
                cur = Line([], values, i, row, True)
                lines.append(cur)
                continue
        elif cur is None or cur.values or cur.closed:
            cur = Line(labels, [], i, row)
            lines.append(cur)
        else:
            cur.labels.extend(labels)
        if cur is None or cur.closed:
            cur = Line([], [], i, row)
            lines.append(cur)
        if not cur.values:
            cur.row = row
        cur.values.extend(values)
        glued_only = (len(values) == 1 and (cell := values[0].cell) is not None and ("：" in cell.text or ":" in cell.text)
                      and cell.text.strip() != values[0].value.raw.strip())
        if labels and (not pipe_mode or len(values) >= 2) and not glued_only:
            # a row that prints its label and its values together is whole; one whose first
            # value is glued to its label in a cell of its own ("…数量：8") goes on below it
            cur.closed = True
    if empties and not pipe_mode and cur is not None and not cur.closed and cur.labels and end < len(rows):
        blanks = (empties - gap_unit) // (gap_unit + 1) if empties > gap_unit else 0
        cur.values.extend(Item(_BLANK, rows[end - 1].loc) for _ in range(blanks))
    return lines


def values_before_labels(lines: list[Line], names: Callable[[list[str]], str | None]) -> list[Line]:
    """The lines re-cut for a layout that prints each row's values before its label ("3 | 0 | … |
    （一）予以公开", a cell-per-line copy that lists a row's numbers, then its label): the values
    printed since the last label go to the first row a run of label pieces names (`names`);
    pieces after it, which the stream ran on because no value stood between them, start a run
    of their own (a row printed with no values keeps none). A run that names no row before any
    value of its own (header words, a group label over its first row) joins the next run, whose
    values follow it; the values after the last label are a run of their own."""
    out: list[Line] = []
    pending: list[Item] = []
    row: Row | None = None

    def take(pieces: list[str], index: int) -> None:
        nonlocal pending
        if out and out[-1].labels and not out[-1].values:
            out[-1].labels.extend(pieces)
            out[-1].values, out[-1].row = pending, row
        else:
            out.append(Line(list(pieces), pending, index, row, True))
        pending = []

    for line in lines:
        if line.labels:
            pieces = list(line.labels)
            cut = next((k + 1 for k in range(len(pieces)) if names(pieces[: k + 1]) is not None), len(pieces))
            take(pieces[:cut], line.index)
            rest = pieces[cut:]
            while rest:
                cut = next((k + 1 for k in range(len(rest)) if names(rest[: k + 1]) is not None), len(rest))
                out.append(Line(rest[:cut], [], line.index, None, True))
                rest = rest[cut:]
            pending, row = list(line.values), line.row
        else:
            if not pending:
                row = line.row
            pending = [*pending, *line.values]
    if pending:
        out.append(Line([], pending, lines[-1].index, row, True))
    return out


def runs_after_labels(lines: list[Line]) -> list[Line]:
    """The lines with each run of values printed apart right after a label that has none (a
    reprint that puts a row's label in one paragraph and its numbers, parted by bars, in the
    next) joined to that label."""
    out: list[Line] = []
    for line in lines:
        prev = out[-1] if out else None
        if not line.labels and line.values and prev is not None and prev.labels and not prev.values:
            out[-1] = Line(list(prev.labels), list(line.values), prev.index, line.row, True)
        else:
            out.append(line)
    return out


def _joins(first: list[str], then: list[str]) -> list[list[str]]:
    """The ways two runs of label pieces may be one label wrapped over lines: run on ("2.其他法律行政法"
    + "规禁止公开"), or, where spacing parts a line into columns (a PDF's merged group cell beside
    its rows: "（三）不 4.保护第三方合法" over "予公开 权益"), each line's last column run on."""
    ways = [["".join([*first, *then])]]
    head, tail = first[-1].split(), " ".join(then).split()
    if head and tail and (len(head) > 1 or len(tail) > 1):
        ways.append([*first[:-1], *head[:-1], *tail[:-1], head[-1] + tail[-1]])
    return ways


def _continuations(lines: list[Line], j: int, limit: int = 2) -> list[tuple[int, int]]:
    """Where the label pieces after a line are, (line, piece), up to `limit`: pieces of label-only
    lines, and the leading pieces of the next line with values (its last piece is its own label).
    A line whose cells are all blank prints no values: a table row that holds only the wrapped
    tail of the label above it ("3.补正后申请内 | 25 | …" over "容仍不明确 | | …", as a PDF
    converted to a web page or Word file makes a row of each printed line)."""
    out: list[tuple[int, int]] = []
    while j < len(lines) and len(out) < limit and lines[j].labels:
        line = lines[j]
        valued = any(not v.kept_blank for v in line.values)
        free = len(line.labels) - (1 if valued else 0)
        out += [(j, p) for p in range(min(free, limit - len(out)))]
        if valued:
            break
        j += 1
    return out


def mend_wrapped_labels(lines: list[Line], names: Callable[[list[str]], str | None],
                        opens_row: Callable[[str], bool], numbered: bool = False) -> list[Line]:
    """Lines whose label a layout wrapped over lines with the row's numbers on its first or middle
    line (a PDF cell centred vertically: "其他对外管理服务" / "12 -1 334" / "事项"), joined into one.
    `names`: the code a run of label pieces names, or None; `opens_row`: a piece starts a row's
    own label (its list number). A join is taken only where the break fell inside the label: the
    line's own last column names no row, the piece carried over opens no row (and names none,
    unless `numbered`: every row of the template opens with its list number, so a piece without
    one starts none: "不补正、行政机关不再处理" under "1、申请人无正当理由逾期"), and the join names
    a row the line alone did not."""
    out: list[Line] = []
    lines = list(lines)
    k = 0
    while k < len(lines):
        line = lines[k]
        k += 1
        own = line.labels[-1].split()[-1] if line.labels and line.labels[-1].split() else ""
        if not own or names([own]) is not None:
            out.append(line)
            continue
        numbers = line
        if not line.values:
            # the numbers on the middle line, between the label's pieces
            if k < len(lines) and not lines[k].labels and lines[k].values:
                numbers = lines[k]
                k += 1
            else:
                out.append(line)
                continue
        pieces = list(line.labels)
        mended = None
        for j, p in _continuations(lines, k):
            piece = lines[j].labels[p]
            alone = names([piece])
            # a run of numbers between two labels may be either's: it goes to no label that
            # names a row by itself (the readers place such runs by the template's order)
            if opens_row(piece) or (alone is not None and (not numbered or numbers is not line)):
                break
            before = names(["".join(pieces)])
            joined = next((w for w in _joins(pieces, [piece]) if names(w) not in (None, before)
                           and alone in (None, names(w))), None)
            if joined is not None:
                rest = lines[j].labels[p + 1:]
                # what stands between the carried piece and the next row's own label is carried too
                q = next((n for n, r in enumerate(rest) if opens_row(r)), None)
                if q and all(names([r]) is None for r in rest[:q]):
                    joined, rest = ["".join([*joined, *rest[:q]])], rest[q:]
                mended = Line(joined, numbers.values, line.index, numbers.row, numbers.closed or numbers is not line)
                if rest or lines[j].values:
                    lines[j] = Line(rest, lines[j].values, lines[j].index, lines[j].row, lines[j].closed)
                    k = j
                else:
                    k = j + 1
                break
            pieces.append(piece)
        if mended is None:
            out.append(line)
            if numbers is not line:
                out.append(numbers)
        else:
            out.append(mended)
    return out


def doubtful_cells(items: list[Item], name: Callable[[int], str], problems: list[str]) -> set[int]:
    """Positions of values whose reader was unsure (OCR below MIN_CONFIDENCE), each named by
    `name(position)`."""
    out = set()
    for k, item in enumerate(items):
        if item.value.garbled:
            problems.append(f"{item.loc}: {name(k)} prints '{item.value.raw}', which is no number; not read")
            out.add(k)
        elif item.confidence is not None and item.confidence < MIN_CONFIDENCE:  # Item.doubtful inlined: every cell of every table passes here
            problems.append(
                f"{item.loc}: {name(k)} reads '{item.value.raw}' with confidence {item.confidence:.2f} "
                f"(below {MIN_CONFIDENCE}); not read"
            )
            out.add(k)
    return out
