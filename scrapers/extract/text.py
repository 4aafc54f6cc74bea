"""Plain text, Markdown and text copied from PDFs: one row per line.

Tab-separated lines keep their empty fields (they are blank table cells); Markdown table
lines are split on "|"; other lines are split on runs of whitespace, as text layers of
PDFs separate cells by spaces.
"""

from __future__ import annotations

import re

from scrapers.extract.decode import decode_bytes
from scrapers.extract.model import Cell, Extracted, Row

_MD_RULE = re.compile(r"^\|?\s*:?-{3,}")
_WS = re.compile(r"[ \u3000\xa0]+")


def split_line(line: str) -> tuple[list[str], str]:
    """A line's fields and the kind of row they form."""
    stripped = line.strip()
    if stripped.startswith("|") and stripped.count("|") >= 2:
        inner = stripped[1:-1] if stripped.endswith("|") else stripped[1:]
        return [f.strip() for f in inner.split("|")], "table"
    if "\t" in line:
        return [f.strip() for f in line.rstrip("\r\n").split("\t")], "table"
    return [f for f in _WS.split(stripped) if f], "text"


def rows_from_text(text: str) -> list[Row]:
    rows = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or _MD_RULE.match(line.strip()):
            continue
        fields, kind = split_line(line)
        rows.append(Row(cells=[Cell(f) for f in fields], loc=f"line {n}", kind=kind))
    return rows


def extract_text(data: bytes) -> Extracted:
    text, _ = decode_bytes(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    first = next((ln.strip() for ln in text.splitlines() if ln.strip()), None)
    return Extracted(format="text", rows=rows_from_text(text), text=text, title=first)
