"""Where a report's tables 二, 三 and 四 are: from their section headings."""

from __future__ import annotations

import re
from dataclasses import dataclass

from scrapers.extract.model import Row
from scrapers.parse.labels import normalise
from scrapers.seeds import read_seed

@dataclass(slots=True)
class Sections:
    proactive: tuple[int, int] | None
    requests: tuple[int, int] | None
    appeals: tuple[int, int] | None


def _words(kind: str) -> dict[str, tuple[str, ...]]:
    """seeds/section_words.csv's words of one kind, by section, normalised as rows are."""
    out: dict[str, tuple[str, ...]] = {}
    for r in sorted(read_seed("section_words"), key=lambda r: int(r["sort_order"])):
        if r["kind"] == kind:
            out[r["section"]] = (*out.get(r["section"], ()), normalise(r["text_zh"]))
    return out


# The sections' headings, by section ("end": the section after table 四).
_HEADINGS = _words("heading")
# Where a heading is missing (a copy that lost it, a heading worded otherwise, a picture), a
# table starts at its own first words: its header's first cell or its first row's label. Each
# is printed in no sentence, so a report's prose is not taken for its table.
_TABLE_STARTS = _words("table_start")
# table 四's header opens above its first 结果维持, with the name of the first proceeding
_APPEALS_HEADER = _words("header_start")["appeals"][0]
_HEADER_ROWS = 40  # a cell per line prints its 15 columns' header cells one per row


def _table_start(rows: list[Row], section: str, after: int, before: int) -> int | None:
    """The first row in rows[after:before] that opens `section`'s table by its own words."""
    keys = _TABLE_STARTS[section]
    for i in range(after, before):
        cells = rows[i].cells
        if not cells:
            continue
        head = cells[0].text[:60]
        if any(k[0] in head for k in keys):
            text = normalise(head)
            if any(k in text for k in keys):
                return i
    return None


def _appeals_start(rows: list[Row], after: int) -> int | None:
    """Where table 四 starts without its heading: its header's first row, above its first 结果维持."""
    i = _table_start(rows, "appeals", after, len(rows))
    if i is None:
        return None
    above = [j for j in range(max(after, i - _HEADER_ROWS), i) if rows[j].cells and _APPEALS_HEADER in rows[j].cells[0].text[:60]]
    return above[-1] if above else i


def _heading_rows(texts: list[tuple[int, str]], keys: re.Pattern) -> list[int]:
    return [i for i, text in texts if keys.search(text)]


# each section's headings as one pattern: a row is its heading when it holds any of them
_HEADING_KEYS = {section: re.compile("|".join(map(re.escape, keys))) for section, keys in _HEADINGS.items()}
# and every heading in one: the rows without any are no section's
_ANY_HEADING = re.compile("|".join(map(re.escape, (k for keys in _HEADINGS.values() for k in keys))))


# a row holding none of the headings' first characters is no heading: it is never normalised
_HEADING_CHARS = re.compile("[" + "".join(sorted({re.escape(k[0]) for keys in _HEADINGS.values() for k in keys})) + "]")


def find_sections(rows: list[Row]) -> Sections:
    """Where tables 二, 三 and 四 are: from their section headings, which survive every
    format; a report without headings gets the whole document for each table."""
    n = len(rows)
    # the rows that hold a heading, normalised: a heading is short, longer rows are not
    # normalised at all
    texts: list[tuple[int, str]] = []
    for i, row in enumerate(rows):
        cells = row.cells
        if not cells:  # an empty line of text
            continue
        raw = cells[0].text if len(cells) == 1 else "".join([c.text for c in cells])
        if len(raw) > 80 or not _HEADING_CHARS.search(raw):
            continue
        text = normalise(raw)
        # a heading is no sentence: a line of prose that ends one sentence and starts the next
        # ("降低行政复议、行政诉讼发生率和纠错率。三是…") names a section without being its heading
        if len(text) <= 40 and _ANY_HEADING.search(text) and "。" not in text.rstrip("。"):
            texts.append((i, text))
    pro = _heading_rows(texts, _HEADING_KEYS["proactive"])
    req = [i for i in _heading_rows(texts, _HEADING_KEYS["requests"]) if not pro or i >= pro[0]]
    app = [i for i in _heading_rows(texts, _HEADING_KEYS["appeals"]) if not req or i > req[0]]
    # a section without its heading starts where its table does, between its neighbours
    pro_start = pro[0] if pro else (_table_start(rows, "proactive", 0, req[0] if req else (app[0] if app else n)) or 0)
    req_start = req[0] if req else _table_start(rows, "requests", pro_start, app[0] if app else n)
    app_start = app[0] if app else _appeals_start(rows, req_start if req_start is not None else pro_start)
    ends = [i for i in _heading_rows(texts, _HEADING_KEYS["end"]) if app_start is not None and i > app_start]

    proactive = (pro_start, req_start if req_start is not None else (app_start if app_start is not None else n))
    requests = (req_start if req_start is not None else 0, app_start if app_start is not None else n)
    appeals = (app_start, ends[0] if ends else n) if app_start is not None else (requests[0], n)
    return Sections(proactive, requests, appeals)
