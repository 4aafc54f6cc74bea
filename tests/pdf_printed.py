"""The gold reports printed to PDF by Chromium, in the shapes PDFs of other tools take.

A report's rows (as an extractor read them from its real HTML, PDF or text) become one web
page whose tables keep their merged cells: from the HTML's own colspan/rowspan, or, for a PDF,
from the cells' x positions (a ruled cell appears once, in the row it starts in, so a column
range a row leaves uncovered belongs to a cell above). A text source has neither, and each of
its rows is printed as it was read. The page is then printed with `page.pdf()` in a shape:
every cell ruled, no rules at all, a long table over two pages with its header repeated and
page numbers in the footer, narrow columns that wrap their labels, A4 landscape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from renderings import html_escape
from scrapers.extract.model import Row
# the system Chromium and how the site's tests start it (never a browser Playwright downloads)
from test_site import CHROMIUM, CHROMIUM_ARGS  # noqa: F401
# the installed CJK font (fonts-wqy-zenhei); `fc-list :lang=zh` names it
CJK_FONT = "WenQuanYi Zen Hei"

# A printed cell: its text and how many columns and rows it spans.
Span = tuple[str, int, int]
Block = tuple[str, list]


@dataclass(frozen=True)
class Shape:
    css: str
    landscape: bool = False
    # repeat the header rows on every page, page numbers in the footer
    paged: bool = False


_BASE = f"body {{ font-family: '{CJK_FONT}'; font-size: 10.5pt; }} table {{ border-collapse: collapse; margin: 6pt 0; }}"
_RULED = " td { border: 1px solid black; padding: 2pt 4pt; }"
SHAPES = {
    "ruled": Shape(_BASE + _RULED),
    "borderless": Shape(_BASE + " td { padding: 2pt 6pt; }"),
    # tall rows: table 三 runs onto a second page, where its header rows are printed again
    "paged": Shape(_BASE + _RULED + " thead { display: table-header-group; } td { padding: 7pt 4pt; }"
                   " tr { break-inside: avoid; }", paged=True),
    # every column as narrow as its longest word allows: labels wrap over two or three lines
    "narrow": Shape(_BASE + _RULED + " table { width: 1%; } td { max-width: 5.5em; }"),
    "landscape": Shape(_BASE + _RULED + " table { width: 100%; }", landscape=True),
}


def _table_key(row: Row) -> str:
    # a text source's table rows are lines ("line 40"): consecutive ones are one table
    return "lines" if row.loc.startswith("line ") else re.sub(r"\s*row \d+$", "", row.loc)


def spanned_blocks(rows: list[Row], html: bytes | None = None) -> list[Block]:
    """The report's text lines and its tables as rows of (text, colspan, rowspan)."""
    out: list[Block] = []
    groups: list[list[Row]] = []
    key = None
    for row in rows:
        if row.kind == "table":
            if out and out[-1][0] == "table" and _table_key(row) == key:
                groups[-1].append(row)
            else:
                groups.append([row])
                out.append(("table", groups[-1]))
            key = _table_key(row)
        else:
            key = None
            out.append(("text", " ".join(t for t in row.texts if t)))
    out = _join_page_split(out)
    html_tables = iter(_html_spans(html)) if html else None
    blocks: list[Block] = []
    for kind, content in out:
        if kind == "text":
            blocks.append((kind, content))
        elif html_tables is not None:
            blocks.append((kind, next(html_tables)))
        elif all(c.x0 is not None for r in content for c in r.cells):
            blocks.append((kind, _geometric_spans(content)))
        else:
            blocks.append((kind, [[(c.text, 1, 1) for c in r.cells] for r in content]))
    return blocks


def _join_page_split(out: list[Block]) -> list[Block]:
    """A PDF source's table that its page break cut in two, one table again: the piece right
    after a table, with the same column edges, whose first row's leading blank cells are the
    merged label cells the break cut (they go on from the row above)."""
    joined: list[Block] = []
    for kind, content in out:
        if (kind == "table" and joined and joined[-1][0] == "table" and content[0].cells[0].x0 is not None
                and all(abs(a - b) <= 3.0 for a, b in zip(_edges(joined[-1][1]), _edges(content)))):
            first = content[0]
            lead = next((k for k, c in enumerate(first.cells) if c.text), 0)
            trimmed = Row(cells=first.cells[lead:], loc=first.loc, kind=first.kind)
            joined[-1] = ("table", [*joined[-1][1], trimmed, *content[1:]])
            continue
        joined.append((kind, content))
    return joined


def _edges(rows: list[Row]) -> tuple:
    return min(c.x0 for r in rows for c in r.cells), max(c.x1 for r in rows for c in r.cells)


def _html_spans(html: bytes) -> list[list[list[Span]]]:
    import lxml.html

    from scrapers.extract.decode import decode_bytes

    root = lxml.html.document_fromstring(decode_bytes(html)[0])
    tables = []
    for table in root.iter("table"):
        if next(table.iterancestors("table"), None) is not None:
            continue
        tables.append([
            [(" ".join(" ".join(td.itertext()).replace("\xa0", " ").split()), int(td.get("colspan", 1)), int(td.get("rowspan", 1)))
             for td in tr if isinstance(td.tag, str) and td.tag in ("td", "th")]
            for tr in table.iter("tr")
        ])
    return tables


def _geometric_spans(rows: list[Row], snap: float = 3.0) -> list[list[Span]]:
    """A ruled PDF table's merged cells from its cells' x ranges: column boundaries are every
    cell edge; a cell spans the rows below it until one of them has a cell in its range."""
    edges: list[float] = []
    for x in sorted({e for r in rows for c in r.cells for e in (c.x0, c.x1)}):
        if not edges or x - edges[-1] > snap:
            edges.append(x)

    def column(x: float) -> int:
        return min(range(len(edges)), key=lambda k: abs(edges[k] - x))

    placed = [[(c.text, column(c.x0), column(c.x1)) for c in r.cells] for r in rows]
    out = []
    for r, cells in enumerate(placed):
        printed = []
        for text, c0, c1 in cells:
            down = 1
            while r + down < len(placed) and not any(a < c1 and b > c0 for _t, a, b in placed[r + down]):
                down += 1
            printed.append((text, c1 - c0, down))
        out.append(printed)
    return out


def page_html(blocks: list[Block], shape: Shape) -> str:
    body = []
    for kind, content in blocks:
        if kind == "text":
            body.append(f"<p>{html_escape(content)}</p>")
            continue
        # the rows before the first one with a number are the table's header
        head = 0
        while head < len(content) and not any(re.fullmatch(r"[\d.,]+", t.strip()) for t, _c, _r in content[head]):
            head += 1
        if head == len(content):
            head = 0

        def tr(cells: list[Span]) -> str:
            return "<tr>" + "".join(
                f"<td{f' colspan={c}' if c > 1 else ''}{f' rowspan={r}' if r > 1 else ''}>{html_escape(t)}</td>"
                for t, c, r in cells) + "</tr>"

        rows = [tr(cells) for cells in content]
        if shape.paged and head:
            body.append(f"<table><thead>{''.join(rows[:head])}</thead><tbody>{''.join(rows[head:])}</tbody></table>")
        else:
            body.append(f"<table>{''.join(rows)}</table>")
    return (f"<html><head><meta charset='utf-8'><style>{shape.css}</style></head>"
            f"<body>{''.join(body)}</body></html>")


FOOTER = ("<div style='font-size:9pt; width:100%; text-align:center; font-family:\"" + CJK_FONT + "\"'>"
          "- <span class='pageNumber'></span> -</div>")


def print_pdf(page, blocks: list[Block], shape: Shape) -> bytes:
    """The blocks printed by Chromium (a Playwright page) to an A4 PDF in the shape."""
    page.set_content(page_html(blocks, shape))
    options = {"format": "A4", "landscape": shape.landscape, "print_background": False,
               "margin": {"top": "20mm", "bottom": "20mm", "left": "18mm", "right": "18mm"}}
    if shape.paged:
        options.update(display_header_footer=True, header_template="<span></span>", footer_template=FOOTER)
    return page.pdf(**options)
