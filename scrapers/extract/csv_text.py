"""A spreadsheet's CSV export saved or pasted as text ("规章,0,0,5"; a cell holding a comma or a
line break quoted): its blocks of rows rewritten as the tab-separated lines that the text
reader takes for table rows, each quoted cell's line breaks joined as a wrapped cell's are.

A block is told from prose that happens to use ASCII commas by what a spreadsheet writes and
prose never does: three or more records in a row with the same number of fields (an export pads
every row to the sheet's width), many of them empty or numbers.
"""

from __future__ import annotations

import csv
import re

from scrapers.extract.cell_text import join_wrapped

MIN_RECORDS = 3
MIN_FIELDS = 3
# a quoted cell spans at most this many lines (a header cell wrapped by hand)
MAX_LINES_PER_RECORD = 6
# of a block's fields, at least this share is empty or a number: a table's, not a sentence's
MIN_TABULAR_SHARE = 0.3
_NUMBERISH = re.compile(r"[+\-]?[\d,.]*")


def _records(lines: list[str]) -> list[tuple[int, int, list[str] | None]]:
    """(first line, line after the last, fields or None) for each record, in order."""
    out = []
    k = 0
    while k < len(lines):
        line = lines[k]
        if "," not in line or "\t" in line or "|" in line:
            out.append((k, k + 1, None))
            k += 1
            continue
        j = k + 1
        record = line
        # an odd number of quotes leaves a quoted cell open: it goes on on the next line
        while record.count('"') % 2 and j < len(lines) and j - k < MAX_LINES_PER_RECORD:
            record += "\n" + lines[j]
            j += 1
        if record.count('"') % 2 or record.count(",") < MIN_FIELDS - 1:
            out.append((k, k + 1, None))
            k += 1
            continue
        fields = next(csv.reader([record.replace("\n", "\x00")]), [])
        out.append((k, j, [f.replace("\x00", "\n") for f in fields]))
        k = j
    return out


def _tabular(block: list[list[str]]) -> bool:
    fields = [f.strip() for r in block for f in r]
    plain = sum(1 for f in fields if _NUMBERISH.fullmatch(f))
    return plain >= MIN_TABULAR_SHARE * len(fields)


def csv_as_tabs(text: str) -> str:
    """`text` with every CSV block's records as tab-separated lines; other lines as they were."""
    if text.count(",") < MIN_RECORDS * (MIN_FIELDS - 1):
        return text
    lines = text.split("\n")
    records = _records(lines)
    out: list[str] = []
    k = 0
    changed = False
    while k < len(records):
        first, _, fields = records[k]
        width = len(fields) if fields else 0
        j = k
        while j < len(records) and records[j][2] is not None and len(records[j][2]) == width:
            j += 1
        block = [r[2] for r in records[k:j]]
        if width >= MIN_FIELDS and j - k >= MIN_RECORDS and _tabular(block):
            out += ["\t".join(join_wrapped(f.split("\n")) for f in r) for r in block]
            changed = True
            k = j
            continue
        out += lines[first : records[k][1]]
        k += 1
    return "\n".join(out) if changed else text
