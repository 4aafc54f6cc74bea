"""Where a report's tables 二, 三 and 四 are: from their section headings."""

from __future__ import annotations

import re
from dataclasses import dataclass

from scrapers.extract.model import Row
from scrapers.parse.labels import normalise

@dataclass(slots=True)
class Sections:
    proactive: tuple[int, int] | None
    requests: tuple[int, int] | None
    appeals: tuple[int, int] | None


_HEADINGS = {
    "proactive": ("主动公开政府信息情况",),
    "requests": ("收到和处理政府信息公开申请情况", "收到和处理政府信息公开申请"),
    "appeals": ("行政复议、行政诉讼情况", "行政复议和行政诉讼情况", "行政复议和提起行政诉讼情况", "行政复议、行政诉讼"),
    "end": ("存在的主要问题及改进情况", "存在的主要问题", "其他需要报告的事项"),
}


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
        if len(text) <= 40 and _ANY_HEADING.search(text):
            texts.append((i, text))
    pro = _heading_rows(texts, _HEADING_KEYS["proactive"])
    pro_start = pro[0] if pro else 0
    req = [i for i in _heading_rows(texts, _HEADING_KEYS["requests"]) if i >= pro_start]
    req_start = req[0] if req else None
    app = [i for i in _heading_rows(texts, _HEADING_KEYS["appeals"]) if req_start is None or i > req_start]
    app_start = app[0] if app else None
    ends = [i for i in _heading_rows(texts, _HEADING_KEYS["end"]) if app_start is not None and i > app_start]

    proactive = (pro_start, req_start if req_start is not None else (app_start if app_start is not None else n))
    requests = (req_start if req_start is not None else 0, app_start if app_start is not None else n)
    appeals = (app_start, ends[0] if ends else n) if app_start is not None else (requests[0], n)
    return Sections(proactive, requests, appeals)
