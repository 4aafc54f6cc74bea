"""Split a row into its printed label and its run of values, and find the report's sections."""

from __future__ import annotations

import re
from dataclasses import dataclass

from scrapers.extract.model import Row
from scrapers.parse.labels import normalise
from scrapers.parse.values import Value, read_value

_PAGE_NUMBER = re.compile(r"^[-—–]\s*\d{1,3}\s*[-—–]$")
# Characters of vertically printed merged labels ("三、本年度办理结果" one per line) and
# list markers: a row whose label is only these carries no label of its own.
_NOISE = set("三四本年度办理结果、()（）不予公开无法提供处理其他") 


@dataclass(slots=True)
class SplitRow:
    label: str
    values: list[Value]
    row: Row
    index: int

    @property
    def has_label(self) -> bool:
        return bool(normalise(self.label))

    @property
    def noise_label(self) -> bool:
        """True when the label is only fragments of vertical or merged text."""
        text = normalise(self.label)
        return len(text) <= 2 or all(ch in _NOISE for ch in text)


def split_row(row: Row, index: int) -> SplitRow:
    """The label is everything before the trailing run of values (numbers and blanks)."""
    cells = row.cells
    k = len(cells)
    while k > 0:
        text = cells[k - 1].text
        if text.strip() == "" and row.kind != "table":
            k -= 1
            continue
        if read_value(text) is None:
            break
        k -= 1
    values = [v for c in cells[k:] if (v := read_value(c.text)) is not None and (row.kind == "table" or c.text.strip())]
    label = " ".join(c.text for c in cells[:k]).strip()
    return SplitRow(label, values, row, index)


def is_page_number(row: Row) -> bool:
    return bool(_PAGE_NUMBER.match(" ".join(row.texts).strip()))


def row_text(row: Row) -> str:
    return normalise("".join(row.texts))


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


def _heading_rows(rows: list[Row], keys: tuple[str, ...]) -> list[int]:
    hits = []
    for i, row in enumerate(rows):
        text = row_text(row)
        if len(text) <= 40 and any(k in text for k in keys):
            hits.append(i)
    return hits


def find_sections(rows: list[Row]) -> Sections:
    """Where tables 二, 三 and 四 are: from their section headings, which survive every
    format; a report without headings gets the whole document for each table."""
    n = len(rows)
    pro = _heading_rows(rows, _HEADINGS["proactive"])
    pro_start = pro[0] if pro else 0
    req = [i for i in _heading_rows(rows, _HEADINGS["requests"]) if i >= pro_start]
    req_start = req[0] if req else None
    app = [i for i in _heading_rows(rows, _HEADINGS["appeals"]) if req_start is None or i > req_start]
    app_start = app[0] if app else None
    ends = [i for i in _heading_rows(rows, _HEADINGS["end"]) if app_start is not None and i > app_start]

    proactive = (pro_start, req_start if req_start is not None else (app_start if app_start is not None else n))
    requests = (req_start if req_start is not None else 0, app_start if app_start is not None else n)
    appeals = (app_start, ends[0] if ends else n) if app_start is not None else (requests[0], n)
    return Sections(proactive, requests, appeals)
