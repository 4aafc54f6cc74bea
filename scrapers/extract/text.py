"""Plain text, Markdown and text copied from PDFs: one row per line.

Tab-separated lines keep their empty fields (they are blank table cells); Markdown table
lines are split on "|"; other lines are split on runs of whitespace, as text layers of
PDFs separate cells by spaces.
"""

from __future__ import annotations

import re

from scrapers.extract.csv_text import csv_as_tabs
from scrapers.extract.cut import cut_number_problem, trim_cut_line
from scrapers.extract.decode import decode_bytes, drop_invisible
from scrapers.extract.model import Cell, Extracted, Row

# A long report is about 60,000 characters and 1,000 lines; past these bounds a file is not a
# report, and reading all of it (49 MB of "1 1 1" is 25 million cells) costs gigabytes.
MAX_CHARS = 2_000_000
MAX_ROWS = 20_000
MAX_CELLS_PER_ROW = 200
# how the problem that says fields were left out begins (the table gate reads it: a line's lost
# fields are text its rows no longer hold)
CUT_FIELDS = "line(s) cut to their first"

_MD_RULE = re.compile(r"^\|?\s*:?-{3,}")
# From a line's first non-space character to its end; every character str.splitlines breaks
# at is a space character, so none is a line's first.
_FIRST_LINE = re.compile(r"\S[^\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]*")
_WS = re.compile(r"[ \u3000\xa0]+")


def is_rule_line(stripped: str) -> bool:
    """A Markdown table's rule line (`stripped`: the line stripped, not empty): no row of its own."""
    # a Markdown rule starts with one of "|:-"
    return stripped[0] in "|:-" and _MD_RULE.match(stripped) is not None


def split_line(line: str, stripped: str | None = None) -> tuple[list[str], str]:
    """A line's fields and the kind of row they form (`stripped`: the line stripped, if at hand)."""
    if stripped is None:
        stripped = line.strip()
    if stripped.startswith("|") and stripped.count("|") >= 2:
        inner = stripped[1:-1] if stripped.endswith("|") else stripped[1:]
        return [f.strip() for f in inner.split("|")], "table"
    if "\t" in line:
        return [f.strip() for f in line.rstrip("\r\n").split("\t")], "table"
    # stripped has no space at either end, so only an empty line gives an empty field; a line
    # without a space (a label, a number: most lines of a page's text) is one field
    if "\u3000" in stripped or "\xa0" in stripped:
        return _WS.split(stripped), "text"
    if " " not in stripped:
        return ([stripped] if stripped else []), "text"
    # spaces alone: str.split is _WS.split's result without the empty fields a run leaves
    fields = stripped.split(" ")
    return (fields if "" not in fields else [f for f in fields if f]), "text"


def rows_from_text(text: str, problems: list[str] | None = None) -> list[Row]:
    """One row per non-empty line, at most MAX_ROWS rows of at most MAX_CELLS_PER_ROW cells;
    what is left out is said in `problems`."""
    rows = []
    wide = 0
    for n, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        # (is_rule_line's first test inlined: every line passes here)
        if not stripped or (stripped[0] in "|:-" and is_rule_line(stripped)):
            continue
        if len(rows) == MAX_ROWS:
            if problems is not None:
                problems.append(f"only the first {MAX_ROWS} lines were read (up to line {n - 1}): no report is longer")
            break
        fields, kind = split_line(line, stripped)
        if len(fields) > MAX_CELLS_PER_ROW:
            wide += 1
            fields = fields[:MAX_CELLS_PER_ROW]
        rows.append(Row(list(map(Cell, fields)), f"line {n}", kind))
    if wide and problems is not None:
        problems.append(f"{wide} {CUT_FIELDS} {MAX_CELLS_PER_ROW} fields: no report's table is that wide")
    return rows


# The bars reprints draw a table's rules with in place of "|": the full-width bar, and the CJK
# stroke 丨 that WeChat posts set between cells ("5丨1丨0丨0丨0丨0丨6").
_BARS = re.compile(r"[｜丨]")


def bars_as_pipes(text: str) -> str:
    """`text` with the bars of a line that prints two or more of them (cells parted by bars,
    not a character of a name) as "|"; a line that has "|" already keeps its bars."""
    if "｜" not in text and "丨" not in text:
        return text
    lines = text.split("\n")
    for k, line in enumerate(lines):
        if "|" not in line and len(_BARS.findall(line)) >= 2:
            lines[k] = _BARS.sub("|", line)
    return "\n".join(lines)


def extract_text(data: bytes) -> Extracted:
    problems: list[str] = []
    # a character takes at most 4 bytes: decode no more than the cap can use, cut at a line end
    window = MAX_CHARS * 4
    cut = len(data) > window
    if cut:
        end = data.rfind(b"\n", 0, window)
        data = data[: end + 1 if end > 0 else window]
    text, _ = decode_bytes(data)
    text = drop_invisible(text.replace("\r\n", "\n").replace("\r", "\n"))
    if len(text) > MAX_CHARS:
        cut = True
        end = text.rfind("\n", 0, MAX_CHARS)
        text = text[: end + 1 if end > 0 else MAX_CHARS]
    if cut:
        problems.append(f"text cut after {len(text):,} characters: no report is that long")
    text, lost = trim_cut_line(text)
    # a spreadsheet's CSV export: its rows as the tab-separated rows a table's copy prints
    text = csv_as_tabs(text)
    text = bars_as_pipes(text)
    if lost:
        problems.append(cut_number_problem(lost))
    # the first line with any text, found without splitting the whole text once more
    first_line = _FIRST_LINE.search(text)
    first = first_line.group().rstrip() if first_line else None
    return Extracted(format="text", rows=rows_from_text(text, problems), text=text, title=first, problems=problems)
