"""Where a report's tables 二, 三 and 四 are: from their section headings."""

from __future__ import annotations

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


def _heading_rows(texts: list[str | None], keys: tuple[str, ...]) -> list[int]:
    return [i for i, text in enumerate(texts) if text is not None and any(k in text for k in keys)]


# a row holding none of the headings' first characters is no heading: it is never normalised
_HEADING_CHARS = {k[0] for keys in _HEADINGS.values() for k in keys}


def find_sections(rows: list[Row]) -> Sections:
    """Where tables 二, 三 and 四 are: from their section headings, which survive every
    format; a report without headings gets the whole document for each table."""
    n = len(rows)
    # a heading is short: longer rows are not normalised at all
    texts: list[str | None] = []
    for row in rows:
        raw = "".join([c.text for c in row.cells])
        if len(raw) > 80 or _HEADING_CHARS.isdisjoint(raw):
            texts.append(None)
            continue
        text = normalise(raw)
        texts.append(text if len(text) <= 40 else None)
    pro = _heading_rows(texts, _HEADINGS["proactive"])
    pro_start = pro[0] if pro else 0
    req = [i for i in _heading_rows(texts, _HEADINGS["requests"]) if i >= pro_start]
    req_start = req[0] if req else None
    app = [i for i in _heading_rows(texts, _HEADINGS["appeals"]) if req_start is None or i > req_start]
    app_start = app[0] if app else None
    ends = [i for i in _heading_rows(texts, _HEADINGS["end"]) if app_start is not None and i > app_start]

    proactive = (pro_start, req_start if req_start is not None else (app_start if app_start is not None else n))
    requests = (req_start if req_start is not None else 0, app_start if app_start is not None else n)
    appeals = (app_start, ends[0] if ends else n) if app_start is not None else (requests[0], n)
    return Sections(proactive, requests, appeals)
