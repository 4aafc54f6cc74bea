"""HTML report pages: table rows as rows of cells, everything else as lines of text.

Cells are taken one per <td>/<th> as printed, without expanding colspan or rowspan: the
parser matches rows by their labels and reads values left to right, so a repeated cell
would count a number twice. A grid drawn with CSS (display:table-row or flex rows) is read the
same way, and a one-cell box around a number inside a cell is that cell's text.
"""

from __future__ import annotations

import re

from lxml import etree

from scrapers.extract.cut import cut_number_problem, ends_inside_cell, ends_inside_element, trim_cut_line
from scrapers.extract.decode import INVISIBLE, decode_bytes, strip_padding
from scrapers.extract.model import Cell, Extracted, Row
from scrapers.extract.text import split_line

_BLOCK = {
    "p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "tr", "section",
    "article", "header", "footer", "blockquote", "pre", "dd", "dt", "center", "hr",
    "td", "th",  # the cells of a layout table; a data table's cells are read as its rows
}
_ENDS_A_LINE = frozenset((*_BLOCK, "table"))
_SKIP = {"script", "style", "noscript", "template", "head", "title"}
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# The characters a page does not show (decode.INVISIBLE), as characters or as the entities
# editors write them as ("&#8203;12", "不予&shy;公开").
_INVISIBLE = re.compile(
    f"[{INVISIBLE}]"
    r"|&(?:#(?:[xX]0*(?:[aA][dD]|200[bBcCdD]|2060|[fF][eE][fF][fF])(?![0-9a-fA-F])|0*(?:173|820[345]|8288|65279)(?![0-9]));?"
    r"|shy;|ZeroWidthSpace;|zwn?j;|NoBreak;)"
)
# the decoded text goes to libxml2 as UTF-8 under this parser: lxml would otherwise hand it
# the str's own buffer in UTF-16 or UCS-4, which libxml2 converts to UTF-8 first, slower
_UTF8_PARSER = etree.HTMLParser(encoding="utf-8")
_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _clean(text: str) -> str:
    # runs of whitespace to one space, the ends stripped: str.split() takes every character
    # str.isspace() does, the no-break and ideographic spaces (U+00A0, U+3000) too
    return " ".join(text.split())


def _cell_text(cell) -> str:
    if not len(cell):
        # most cells hold their text and nothing else (no child, comment or break): itertext
        # would yield that one text, at the cost of an iterator object per cell
        text = cell.text
        return " ".join(text.split()) if text else ""
    # empty text nodes only add spaces, which the whitespace pass folds away
    return " ".join(" ".join(cell.itertext()).split())


def _is_empty(p) -> bool:
    """A paragraph with no text and no picture (most paragraphs open with their text)."""
    text = p.text
    if text and not text.isspace():
        return False
    return not any(t.strip() for t in p.itertext()) and p.find(".//img") is None


def _table_rows(table, table_no: int, lines: list[str], boxed: bool = False) -> list[Row]:
    """The rows of a table that holds no other table but boxes (one that does is a layout
    table); each row's cell texts, tab-separated, go to `lines`. A box's row is not one of them:
    its text is its cell's."""
    rows = []
    trs = table.iter("tr")
    if boxed:
        trs = [tr for tr in trs if next(tr.iterancestors("table")) is table]
    for r, tr in enumerate(trs, start=1):
        # the cells chosen by lxml, by tag, without a Python str for every child's tag
        texts = list(map(_cell_text, tr.iterchildren("td", "th")))
        if texts:
            rows.append(Row(list(map(Cell, texts)), f"table {table_no} row {r}", "table"))
            lines.append("\t".join(texts))
    return rows


_GRID_CONTAINERS = frozenset(("div", "section", "ul", "ol"))
# a grid cell holds a word or a number, at most in one paragraph: one holding a table or more
# blocks is a column of the page
_BLOCKS_INSIDE = ".//table|.//p|.//div|.//li|.//h1|.//h2|.//h3|.//h4|.//br"
_DISPLAY = re.compile(r"display\s*:\s*([a-z-]+)", re.I)
# a page that styles nothing as a row has no CSS grid: most pages, spared the look at each <div>
_GRID_ROW_STYLE = re.compile(r"display\s*:\s*(?:table-row|flex)", re.I)
def _display(el) -> str | None:
    style = el.get("style")
    if not style:
        return None
    m = _DISPLAY.search(style)
    return m.group(1).lower() if m else None


def _css_rows(el) -> list | None:
    """The rows of a grid drawn with CSS instead of <table> (a container whose children are all
    display:table-row or display:flex, two at least holding several cells): each row's element
    children are its cells. None for any other element."""
    children = [c for c in el if isinstance(c.tag, str)]
    if len(children) < 2:
        return None
    shown = [_display(c) for c in children]
    if not all(d in ("table-row", "flex") for d in shown):
        return None
    grid = [[c for c in row if isinstance(c.tag, str)] for row in children]
    # a page's columns drawn with flex (a navigation beside the article) are no grid: the
    # article's blocks would be one cell
    if sum(len(cells) > 1 for cells in grid) < 2 or any(len(cell.xpath(_BLOCKS_INSIDE)) > 1 for cells in grid for cell in cells):
        return None
    return grid


# a one-cell table inside a cell holding no more than this: a number or a word in a box
_BOX_TEXT = 30


def _is_box(table) -> bool:
    """A table of one cell holding a short text and no table: a box a CMS draws around a number
    inside a cell, that cell's text, not a table of its own."""
    cells = table.xpath(".//td|.//th")
    return len(cells) <= 1 and table.find(".//table") is None and len(" ".join(table.itertext()).strip()) <= _BOX_TEXT


def _is_layout(table) -> bool:
    """A table that holds a table other than a box: a page's frame, whose cells are blocks."""
    return any(not _is_box(inner) for inner in table.iter("table") if inner is not table)


def extract_html(data: bytes) -> Extracted:
    decoded, charset = decode_bytes(data)
    problems: list[str] = []
    text, lost = trim_cut_line(decoded)
    shown, hidden = _INVISIBLE.subn("", text)
    if hidden:
        text = shown
    if lost:
        problems.append(cut_number_problem(lost))
    try:
        # lxml.etree's HTML parser, not lxml.html's: lxml.html looks up a Python element class
        # for every element it makes, a fifth of the time on a long report
        # an XHTML page opens with an XML declaration naming the encoding it was sent in; the
        # text is decoded already, and goes to libxml2 as UTF-8 without it (lxml refuses a str
        # that keeps one, and libxml2 would believe its charset over the bytes it is given)
        text = _XML_DECLARATION.sub("", text, count=1)
        if charset == "utf-8" and text is decoded:
            # the bytes decoded strictly as UTF-8 and nothing was taken off: encoding the
            # text again would give back these very bytes
            markup = strip_padding(data)
        else:
            # decode_bytes never leaves a lone surrogate, so the text always encodes
            markup = text.encode("utf-8")
        root = etree.fromstring(markup, _UTF8_PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        return Extracted(format="html", status="failed", problems=[f"unreadable HTML: {exc}"])
    if root is None:
        return Extracted(format="html", status="failed", problems=["unreadable HTML: Document is empty"])
    # A comment or processing instruction is not shown, the text after it is ("共计5<!-- -->0件"
    # reads 共计50件): they go, their tails joined to the text before. iterwalk never yields
    # them, so their tails were lost, and a number cut by one was read as its first digits.
    etree.strip_tags(root, etree.Comment, etree.ProcessingInstruction)
    # A footnote's mark after a number ("5<sup>1</sup>") is no digit of it, and the cell's text
    # would run the two together ("5 1", read 51): it is kept as the superscript it is shown as
    for sup in root.iter("sup"):
        text = sup.text
        if text and text.strip().isdecimal():
            sup.text = text.translate(_SUPERSCRIPTS)

    rows: list[Row] = []
    lines: list[str] = []
    buf: list[str] = []
    tables = 0
    grids = _GRID_ROW_STYLE.search(text) is not None
    grid_row = None  # the last row of the last CSS grid read

    def flush() -> None:
        # called where buf holds text: every block boundary is one, and most have none
        line = " ".join("".join(buf).split())  # _clean, inlined: a page flushes at every block
        buf.clear()
        if line:
            lines.append(line)
            rows.append(Row(list(map(Cell, line.split(" "))), f"text line {len(lines)}"))

    walker = etree.iterwalk(root, events=("start", "end"))
    for event, el in walker:
        # lxml builds a new str each time .tag, .text or .tail is read: each is read once
        tag = el.tag
        if not isinstance(tag, str):  # comments and processing instructions
            tag = ""
        if event == "start":
            if tag in _SKIP:
                walker.skip_subtree()
                continue
            if tag == "table":
                if buf:
                    flush()
                boxed = el.find(".//table") is not None
                if boxed and _is_layout(el):
                    # a layout table (a CMS page's frame around the report): its cells are the
                    # page's blocks, and the tables inside them are the report's tables
                    continue
                tables += 1
                rows += _table_rows(el, tables, lines, boxed)
                walker.skip_subtree()
                continue
            if grids and tag in _GRID_CONTAINERS and len(el) > 1:
                grid = _css_rows(el)
                if grid is not None:
                    if buf:
                        flush()
                    tables += 1
                    for r, cells in enumerate(grid, start=1):
                        texts = list(map(_cell_text, cells))
                        rows.append(Row(list(map(Cell, texts)), f"table {tables} row {r}", "table"))
                        lines.append("\t".join(texts))
                    grid_row = rows[-1]
                    walker.skip_subtree()
                    continue
            if tag == "pre":
                # preformatted text keeps its lines and its tab-separated fields (a report
                # posted as plain text): read it the way the text extractor reads a file
                if buf:
                    flush()
                for raw in "".join(el.itertext()).splitlines():
                    stripped = raw.strip()
                    if stripped:
                        fields, kind = split_line(raw, stripped)
                        lines.append(stripped if kind == "text" else "\t".join(fields))
                        rows.append(Row(cells=[Cell(f) for f in fields], loc=f"text line {len(lines)}", kind=kind))
                walker.skip_subtree()
                continue
            if buf and tag in _BLOCK:
                flush()
            if tag == "p" and _is_empty(el):
                # an empty paragraph: where a page prints a table a cell per paragraph, a blank
                # cell; the stream tells blanks from spacing as it does in text (a paragraph
                # that holds a picture is the picture's place, not a blank)
                rows.append(Row([], f"after text line {len(lines)}", "empty"))
            if tag:
                text = el.text
                if text:
                    buf.append(text)
        else:
            if buf and tag in _ENDS_A_LINE:
                flush()
            tail = el.tail
            if tail:
                buf.append(tail)
    if buf:
        flush()
    # a grid's cells are <div>s, whose opening the cut test for table cells cannot tell: a copy
    # cut while the page's last grid was being written stops in that grid's last cell
    grid_last = grid_row is not None and bool(rows) and rows[-1] is grid_row
    if ends_inside_cell(data) or (grid_last and ends_inside_element(data)):
        last = next((r for r in reversed(rows) if r.kind == "table"), None)
        if last is not None and last.cells:
            gone = last.cells.pop()
            problems.append(f"{last.loc}: the page ends inside this row's last cell ({gone.text or 'blank'} so far); that cell is not read")

    images = sum(1 for _ in root.iter("img"))
    title_el = root.find(".//title")
    title = _clean("".join(title_el.itertext())) if title_el is not None else None
    return Extracted(format="html", rows=rows, text="\n".join(lines), title=title or (lines[0] if lines else None), images=images,
                     problems=problems)
