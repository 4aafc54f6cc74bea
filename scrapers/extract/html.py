"""HTML report pages: table rows as rows of cells, everything else as lines of text.

Cells are taken one per <td>/<th> as printed, without expanding colspan or rowspan: the
parser matches rows by their labels and reads values left to right, so a repeated cell
would count a number twice.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from scrapers.extract.decode import decode_bytes
from scrapers.extract.model import Cell, Extracted, Row

_BLOCK = {
    "p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "tr", "section",
    "article", "header", "footer", "blockquote", "pre", "dd", "dt", "center", "hr",
}
_SKIP = {"script", "style", "noscript", "template", "head", "title"}
_WS = re.compile(r"\s+")


def _clean(text: str) -> str:
    return _WS.sub(" ", text.replace("\xa0", " ").replace("\u3000", " ")).strip()


def _cell_text(cell) -> str:
    return _clean(" ".join(t for t in cell.itertext() if t))


def _table_rows(table, table_no: int) -> list[Row]:
    rows = []
    for r, tr in enumerate(table.iter("tr"), start=1):
        # rows of a nested table belong to that table, which is emitted on its own
        if next(tr.iterancestors("table"), None) is not table:
            continue
        cells = [Cell(_cell_text(td)) for td in tr if isinstance(td.tag, str) and td.tag in ("td", "th")]
        if cells:
            rows.append(Row(cells=cells, loc=f"table {table_no} row {r}", kind="table"))
    return rows


def extract_html(data: bytes) -> Extracted:
    text, _ = decode_bytes(data)
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        return Extracted(format="html", status="failed", problems=[f"unreadable HTML: {exc}"])

    rows: list[Row] = []
    lines: list[str] = []
    buf: list[str] = []
    tables = 0

    def flush() -> None:
        line = _clean("".join(buf))
        buf.clear()
        if line:
            lines.append(line)
            rows.append(Row(cells=[Cell(f) for f in line.split(" ")], loc=f"text line {len(lines)}"))

    walker = etree.iterwalk(root, events=("start", "end"))
    for event, el in walker:
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if tag in _SKIP:
                walker.skip_subtree()
                continue
            if tag == "table":
                flush()
                tables += 1
                table_rows = _table_rows(el, tables)
                rows.extend(table_rows)
                lines.extend("\t".join(row.texts) for row in table_rows)
                walker.skip_subtree()
                continue
            if tag in _BLOCK:
                flush()
            if el.text and tag:
                buf.append(el.text)
        else:
            if tag in _BLOCK or tag == "table":
                flush()
            if el.tail:
                buf.append(el.tail)
    flush()

    images = sum(1 for _ in root.iter("img"))
    title_el = root.find(".//title")
    title = _clean(title_el.text_content()) if title_el is not None else None
    return Extracted(format="html", rows=rows, text="\n".join(lines), title=title or (lines[0] if lines else None), images=images)
