"""Writers that render a report's rows the ways people and tools turn report pages into text.

Each writer takes the rows an extractor read from a real HTML/PDF/Word report (or generated
rows) and returns text: one cell per line (with or without a trailing " |", with "|||"
filler lines for merged cells, or the filler on the last cell's line), a Markdown table whose
cells hold line breaks, one cell per paragraph, "|" on its own line after each cell,
"label | v | v |" rows (with a CMS's filler columns, or 信息内容 headers cut to their first
line), tab-separated rows, Markdown pipe tables, a grid table, a flipbook page with vertical
table 四 headers, a page in traditional characters. Blank cells are kept the way each rendering keeps them.
"""

from __future__ import annotations

import re
import textwrap

from scrapers.extract.model import Row

# A group of rows of one table, or a paragraph of text.
Block = tuple[str, list[list[str]]]


def blocks(rows: list[Row]) -> list[Block]:
    out: list[Block] = []
    table_key = None
    for row in rows:
        if row.kind == "table":
            key = re.sub(r"\s*row \d+$", "", row.loc)
            if out and out[-1][0] == "table" and key == table_key:
                out[-1][1].append(list(row.texts))
            else:
                out.append(("table", [list(row.texts)]))
            table_key = key
        else:
            table_key = None
            out.append(("text", [[" ".join(t for t in row.texts if t)]]))
    return out


def _width(table: list[list[str]]) -> int:
    return max(len(r) for r in table)


def _row_lines(bs: list[Block], lines_of_row, end: str = "\n") -> str:
    """Text blocks as their line, each table row as the lines `lines_of_row(row, width)` gives,
    each line ended by `end`."""
    out = []
    for kind, rows in bs:
        if kind == "text":
            out.append(rows[0][0])
            continue
        width = _width(rows)
        for r in rows:
            out += lines_of_row(r, width)
    return end.join(out) + end


def _cells_piped(r: list[str], width: int) -> list[str]:
    cells = [f"{c} |" if c else " |" for c in r]
    if len(r) < width - 1:
        # what merged cells leave behind (one "|" alone would be a blank cell)
        cells.append("|" * (width - len(r)))
    return cells


def cell_per_line_pipe(bs: list[Block]) -> str:
    return _row_lines(bs, _cells_piped)


def cell_per_line(bs: list[Block]) -> str:
    out = []
    for kind, rows in bs:
        if kind == "text":
            out.append(rows[0][0])
            continue
        for r in rows:
            out += [c for c in r]  # a blank cell is an empty line
    return "\n".join(out) + "\n"


def cell_per_paragraph(bs: list[Block]) -> str:
    out = []
    for kind, rows in bs:
        if kind == "text":
            out.append(rows[0][0])
            continue
        for r in rows:
            out += [c if c else "\u3000" for c in r]
    return "\n\n".join(out) + "\n"


def pipe_after_cell(bs: list[Block]) -> str:
    out = []
    for kind, rows in bs:
        if kind == "text":
            out.append(rows[0][0])
            continue
        for r in rows:
            for c in r:
                out += [c, "|"] if c else ["|"]
    return "\n".join(out) + "\n"


def pipe_rows(bs: list[Block]) -> str:
    out = []
    for kind, rows in bs:
        if kind == "text":
            out.append(rows[0][0])
            continue
        for r in rows:
            out.append(" | ".join(c if c else " " for c in r) + " |")
    return "\n".join(out) + "\n"


def _filler_inline(r: list[str], width: int) -> list[str]:
    cells = [f"{c} |" if c else " |" for c in r]
    if len(r) < width - 1:
        cells[-1] += " " + "|" * (width - len(r))
    return cells


def cell_per_line_pipe_filler_inline(bs: list[Block]) -> str:
    """A cell per line with a trailing " |", the filler of merged cells kept on the line of the
    row's last cell ("0 | ||")."""
    return _row_lines(bs, _filler_inline)


def _opened(r: list[str], width: int) -> list[str]:
    cells = [f" {c}  | " for c in r]
    if len(r) < width - 1:
        cells[-1] += "|" * (width - len(r))
    return ["| ", *cells]


def cell_per_line_row_opened(bs: list[Block]) -> str:
    """A Markdown table whose cells hold line breaks, as a page-text store prints it: each row
    opened by a "| " line, each cell on a line of its own between spaces and a " | ", short
    rows' filler after their last cell."""
    return _row_lines(bs, _opened)


def pipe_rows_filler(bs: list[Block]) -> str:
    """"label | v | v | ||" rows: each row padded with the filler of the columns a CMS's table
    keeps empty at its right edge, and of the cells merged into a short row."""
    return _row_lines(bs, lambda r, width: [" | ".join(c if c else " " for c in r) + " | " + "|" * (width - len(r) + 2)])


def _to_traditional() -> dict[int, str]:
    from scrapers.seeds import read_seed

    table: dict[int, str] = {}
    for row in read_seed("traditional_simplified"):
        trad, simp = row["traditional"], row["simplified"]
        if len(trad) == 1 and ord(simp) not in table:
            table[ord(simp)] = trad
    return table


def traditional(bs: list[Block]) -> str:
    """The whole page in traditional characters, as zh-TW mirror sites print reports: a cell
    per line with a trailing " |"."""
    return cell_per_line_pipe(bs).translate(_to_traditional())


def header_cells_cut(bs: list[Block], keep: int = 3) -> str:
    """"label | v | v |" rows whose 信息内容 header cells kept only their first line ("本年新"):
    a store that drops what a cell wraps onto its second line."""
    cut = []
    for kind, rows in bs:
        if kind == "table":
            rows = [[r[0], *(c[:keep] for c in r[1:])] if r and "信息内容" in r[0].replace(" ", "") else r for r in rows]
        cut.append((kind, rows))
    return pipe_rows(cut)


def tabs(bs: list[Block]) -> str:
    return _row_lines(bs, lambda r, _width: ["\t".join(r)])


def markdown(bs: list[Block]) -> str:
    out = []
    for kind, rows in bs:
        if kind == "text":
            out += [rows[0][0], ""]
            continue
        width = _width(rows)
        for k, r in enumerate(rows):
            out.append("| " + " | ".join([*r, *[""] * (width - len(r))]) + " |")
            if k == 0:
                out.append("|" + "---|" * width)
        out.append("")
    return "\n".join(out) + "\n"


def grid(bs: list[Block], wrap: int = 8) -> str:
    """A grid table: cells wrapped over several lines inside their column, rules between rows."""
    out = []
    for kind, rows in bs:
        if kind == "text":
            out.append(rows[0][0])
            continue
        width = _width(rows)
        padded = [[*r, *[""] * (width - len(r))] for r in rows]
        wrapped = [[textwrap.wrap(c, wrap) or [""] for c in r] for r in padded]
        cols = [max(len(line) for r in wrapped for line in r[k]) for k in range(width)]
        rule = "+" + "+".join("-" * (w + 2) for w in cols) + "+"
        out.append(rule)
        for r in wrapped:
            height = max(len(c) for c in r)
            for h in range(height):
                out.append("|" + "|".join(f" {(c[h] if h < len(c) else ''):<{w}} " for c, w in zip(r, cols)) + "|")
            out.append(rule)
    return "\n".join(out) + "\n"


def flipbook(bs: list[Block]) -> str:
    """Table 四's header cells printed vertically (a character per line), as flipbook pages
    do; every other table a row per line with tabs."""
    out = []
    for kind, rows in bs:
        if kind == "text":
            out.append(rows[0][0])
            continue
        appeals = any("复议" in c for r in rows for c in r) and any("诉讼" in c for r in rows for c in r)
        for r in rows:
            if appeals and not any(re.fullmatch(r"\d+", c.strip()) for c in r):
                out += [ch for c in r for ch in c if not ch.isspace()]
            else:
                out.append("\t".join(r))
    return "\n".join(out) + "\n"


def table_on_a_line(bs: list[Block]) -> str:
    """A whole table on one line, its cells separated by one space: what a page-text store that
    collapses a block's whitespace keeps. Blank cells vanish."""
    out = []
    for kind, rows in bs:
        out.append(rows[0][0] if kind == "text" else " ".join(c for r in rows for c in r if c))
    return "\n".join(out) + "\n"


def table_on_a_line_tabs(bs: list[Block]) -> str:
    """A whole table on one tab-separated line (a spreadsheet paste that lost its row breaks)."""
    out = []
    for kind, rows in bs:
        out.append(rows[0][0] if kind == "text" else "\t".join(c for r in rows for c in r))
    return "\n".join(out) + "\n"


WRITERS = {
    "cell_per_line_pipe": cell_per_line_pipe,
    "cell_per_line": cell_per_line,
    "cell_per_paragraph": cell_per_paragraph,
    "pipe_after_cell": pipe_after_cell,
    "pipe_rows": pipe_rows,
    "tabs": tabs,
    "markdown": markdown,
    "grid": grid,
    "flipbook": flipbook,
    "cell_per_line_pipe_filler_inline": cell_per_line_pipe_filler_inline,
    "cell_per_line_row_opened": cell_per_line_row_opened,
    "pipe_rows_filler": pipe_rows_filler,
    "traditional": traditional,
    "header_cells_cut": header_cells_cut,
}

# Layouts that lose where a table's rows end: their numbers and order survive, not every cell.
COLLAPSED_WRITERS = {"table_on_a_line": table_on_a_line, "table_on_a_line_tabs": table_on_a_line_tabs}


def plain(bs: list[Block]) -> str:
    """A plain table (pandoc's default for text): columns padded with spaces, no rules inside
    rows, so a blank cell is only more space and vanishes for a reader that splits on it."""
    out = []
    for kind, rows in bs:
        if kind == "text":
            out.append(rows[0][0])
            continue
        width = _width(rows)
        padded = [[*r, *[""] * (width - len(r))] for r in rows]
        cols = [max(len(r[k]) for r in padded) for k in range(width)]
        out.append("  ".join("-" * w for w in cols))
        out += ["  ".join(f"{c:<{w}}" for c, w in zip(r, cols)).rstrip() for r in padded]
        out.append("  ".join("-" * w for w in cols))
    return "\n".join(out) + "\n"


def spanned_blocks(html: bytes, bs: list[Block]) -> list[Block]:
    """The blocks of an HTML report with its tables as pandoc lays them out: a cell spanning
    columns is followed by empty columns, a cell spanning rows leaves empty cells below it."""
    import lxml.html

    from scrapers.extract.decode import decode_bytes

    root = lxml.html.document_fromstring(decode_bytes(html)[0])
    tables = [t for t in root.iter("table") if next(t.iterancestors("table"), None) is None]
    grids = []
    for table in tables:
        grid_rows: list[list[str]] = []
        below: dict[int, int] = {}  # column -> rows still covered by a rowspan
        for tr in table.iter("tr"):
            row: list[str] = []
            col = 0
            for td in [c for c in tr if isinstance(c.tag, str) and c.tag in ("td", "th")]:
                while below.get(col, 0) > 0:
                    below[col] -= 1
                    row.append("")
                    col += 1
                text = " ".join(" ".join(td.itertext()).replace("\xa0", " ").split())
                span, down = int(td.get("colspan", 1)), int(td.get("rowspan", 1))
                for k in range(span):
                    row.append(text if k == 0 else "")
                    if down > 1:
                        below[col + k] = down - 1
                col += span
            while below.get(col, 0) > 0:
                below[col] -= 1
                row.append("")
                col += 1
            grid_rows.append(row)
        grids.append(grid_rows)
    out, it = [], iter(grids)
    for kind, rows in bs:
        out.append((kind, next(it, rows)) if kind == "table" else (kind, rows))
    return out


def docx_bytes(bs: list[Block]) -> bytes:
    """The report as a Word file: paragraphs, and each table a Word table (short rows padded)."""
    import io

    from docx import Document

    doc = Document()
    for kind, rows in bs:
        if kind == "text":
            doc.add_paragraph(rows[0][0])
            continue
        width = _width(rows)
        table = doc.add_table(rows=len(rows), cols=width)
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                table.cell(r, c).text = text
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# The same reports as web pages, the ways portals' CMSs print them.

def _html_table(rows: list[list[str]], cell) -> str:
    return "<table border='1'>" + "".join("<tr>" + "".join(cell(c) for c in r) + "</tr>" for r in rows) + "</table>"


def _html_body(bs: list[Block], table) -> str:
    return "".join(f"<p>{html_escape(rows[0][0])}</p>" if kind == "text" else table(rows) for kind, rows in bs)


def html_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _plain_cell(text: str) -> str:
    return f"<td>{html_escape(text)}</td>"


def _styled_cell(text: str) -> str:
    # a Word-exported or rich-editor cell: paragraphs, spans, a no-break space around the text
    return (f"<td width='60' valign='center' style='border:solid windowtext 1.0pt'><p class='MsoNormal' "
            f"align='center'><span style='font-size:10.5pt;font-family:仿宋_GB2312'>&nbsp;{html_escape(text)}"
            "<o:p></o:p></span></p></td>")


def _split_table(rows: list[list[str]]) -> str:
    # a CMS that breaks a long table over two pages of one article
    k = max(1, len(rows) // 2)
    return _html_table(rows[:k], _plain_cell) + "<p style='page-break-before:always'>&nbsp;</p>" + _html_table(rows[k:], _plain_cell)


def _page(body: str) -> str:
    return f"<html><head><meta charset='utf-8'><title>政府信息公开工作年度报告</title></head><body>{body}</body></html>"


def html_plain(bs: list[Block]) -> str:
    return _page(_html_body(bs, lambda rows: _html_table(rows, _plain_cell)))


def html_styled(bs: list[Block]) -> str:
    return _page("<div class='TRS_Editor'><div class='Section1'>" + _html_body(bs, lambda rows: _html_table(rows, _styled_cell)) + "</div></div>")


def html_frame(bs: list[Block]) -> str:
    """The article inside the portal's layout table, beside a navigation column."""
    nav = "<ul><li><a href='/'>首页</a></li><li><a href='/xxgk/'>政府信息公开</a></li></ul>"
    body = _html_body(bs, lambda rows: _html_table(rows, _plain_cell))
    return _page(f"<table width='100%'><tr><td width='200'>{nav}</td><td><table><tr><td>{body}</td></tr></table></td></tr></table>")


def html_split(bs: list[Block]) -> str:
    return _page(_html_body(bs, _split_table))


def html_pre(bs: list[Block]) -> str:
    """A report posted as plain text in a <pre>: tab-separated rows."""
    return _page("<pre>" + html_escape(tabs(bs)) + "</pre>")


def html_pipe_paragraphs(bs: list[Block]) -> str:
    """A table pasted into the editor as text: a paragraph per "label | v | v |" row."""
    return _page("".join(f"<p>{html_escape(line)}</p>" for line in pipe_rows(bs).splitlines()))


def html_xhtml(bs: list[Block]) -> str:
    """An XHTML page of an older CMS: an XML declaration naming its encoding, a DOCTYPE, a namespace."""
    body = _html_body(bs, lambda rows: _html_table(rows, _plain_cell))
    return ('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
            '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml">'
            f"<head><title>政府信息公开工作年度报告</title></head><body>{body}</body></html>")


def html_cell_paragraphs(bs: list[Block]) -> str:
    """A table flattened by the editor into a paragraph per cell, a blank cell an empty one."""
    cells = [html_escape(rows[0][0]) if kind == "text" else None for kind, rows in bs]
    out = []
    for (kind, rows), text in zip(bs, cells):
        if kind == "text":
            out.append(f"<p>{text}</p>")
            continue
        out += [f"<p>{html_escape(c)}</p>" if c else "<p>&nbsp;</p>" for r in rows for c in r]
    return _page("".join(out))


def html_traditional(bs: list[Block]) -> str:
    """The plain page in traditional characters, as a zh-TW mirror of the portal serves it."""
    return html_plain(bs).translate(_to_traditional())


def html_filler_paragraphs(bs: list[Block]) -> str:
    """A table pasted into the editor as text, a paragraph per cell with the filler of merged
    cells on the line of a row's last cell ("0 | ||")."""
    return _page("".join(f"<p>{html_escape(line)}</p>" for line in cell_per_line_pipe_filler_inline(bs).splitlines()))


HTML_WRITERS = {"html_traditional": html_traditional, "html_filler_paragraphs": html_filler_paragraphs, "html_plain": html_plain, "html_styled": html_styled, "html_frame": html_frame, "html_split": html_split,
                "html_pre": html_pre, "html_pipe_paragraphs": html_pipe_paragraphs, "html_xhtml": html_xhtml,
                "html_cell_paragraphs": html_cell_paragraphs}


# ---------------------------------------------------------------------------------------------
# More ways tools turn a report into text: a spreadsheet's CSV export, pdftotext's -layout
# columns, cells wrapped over lines, page breaks inside a table, dashes and units in cells,
# full-width digits, a browser's copy, pandoc and html2text tables; and two that lose cells
# (a store that drops empty cells, a reader that goes down each column).

def _is_number(text: str) -> bool:
    from scrapers.parse.values import read_value

    return bool(text.strip()) and read_value(text) is not None


def _broken(text: str, width: int) -> list[str]:
    """A cell's text broken into lines of `width` characters, as a narrow cell wraps it."""
    return [text[k : k + width] for k in range(0, len(text), width)] or [""]


def csv_export(bs: list[Block]) -> str:
    """A spreadsheet saved as CSV: every row padded to the sheet's width, a cell holding a comma,
    a quote or a line break (a long cell broken by hand) quoted."""
    import csv
    import io

    out = io.StringIO()
    for kind, rows in bs:
        if kind == "text":
            out.write(rows[0][0] + "\n")
            continue
        width = _width(rows)
        writer = csv.writer(out, lineterminator="\n")
        for r in rows:
            cells = ["\n".join(_broken(c, 14)) if len(c) > 20 else c for c in r]
            writer.writerow([*cells, *[""] * (width - len(r))])
    return out.getvalue()


def _display_width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pdf_layout(bs: list[Block], centred: bool) -> str:
    """pdftotext -layout: columns kept apart by runs of spaces; a cell longer than its column
    wraps over lines, the row's other cells on its middle line (`centred`, a cell centred
    vertically) or its first. A blank cell is only spacing."""
    out = []
    for kind, rows in bs:
        if kind == "text":
            out.append(rows[0][0])
            continue
        width = _width(rows)
        wrapped = [[_broken(c, 12) if len(c) > 12 else [c] for c in [*r, *[""] * (width - len(r))]] for r in rows]
        cols = [max(_display_width(piece) for r in wrapped for piece in r[k]) for k in range(width)]
        for r in wrapped:
            height = max(len(c) for c in r)
            for h in range(height):
                fields = []
                for c, w in zip(r, cols):
                    at = (height - len(c)) // 2 if centred else 0
                    piece = c[h - at] if 0 <= h - at < len(c) else ""
                    fields.append(piece + " " * (w - _display_width(piece)))
                out.append("   ".join(fields).rstrip())
    return "\n".join(out) + "\n"


def pdf_layout_centred(bs: list[Block]) -> str:
    return _pdf_layout(bs, centred=True)


def pdf_layout_top(bs: list[Block]) -> str:
    return _pdf_layout(bs, centred=False)


def cell_per_line_wrapped(bs: list[Block]) -> str:
    """A cell per line, a long cell's text broken over two or three lines where it wrapped."""
    out = []
    for kind, rows in bs:
        if kind == "text":
            out.append(rows[0][0])
            continue
        for r in rows:
            for c in r:
                # each line of the cell wraps on its own: a break where the wrap falls is no empty
                # line (which this layout prints for a blank cell)
                out += [part for line in c.split("\n") for part in (_broken(line, 18) if len(line) > 18 else [line])]
    return "\n".join(out) + "\n"


def _header_rows(rows: list[list[str]]) -> list[list[str]]:
    """The rows a table repeats at the top of each page: its header rows, where the header is
    the whole table's (table 二's blocks each have their own 信息内容 header: none repeats)."""
    if any("信息内容" in c for r in rows for c in r):
        return []
    head = []
    for r in rows:
        if any(_is_number(c) for c in r):
            break
        head.append(r)
    return head[:3]


def page_breaks(bs: list[Block], every: int = 9) -> str:
    """"label | v | v |" rows of a PDF's pages: every few rows the page's footer ("第 3 页 共 8 页"),
    the report's title as the running head of the next page, and the table's header again."""
    out = []
    title = next((rows[0][0] for kind, rows in bs if kind == "text" and "报告" in rows[0][0]), "政府信息公开工作年度报告")
    page = 1
    for kind, rows in bs:
        if kind == "text":
            out.append(rows[0][0])
            continue
        head = _header_rows(rows)
        for k, r in enumerate(rows):
            if k and k % every == 0 and k >= len(head):
                page += 1
                out += [f"第 {page} 页 共 12 页", "", title[:40]]
                out += [" | ".join(c if c else " " for c in h) + " |" for h in head]
            out.append(" | ".join(c if c else " " for c in r) + " |")
    return "\n".join(out) + "\n"


def page_numbers_cell_per_line(bs: list[Block], every: int = 7) -> str:
    """A cell per line ending " |", a "- 5 -" page number and the table's header repeated every
    few rows."""
    out = []
    page = 2
    for kind, rows in bs:
        if kind == "text":
            out.append(rows[0][0])
            continue
        width = _width(rows)
        head = _header_rows(rows)
        for k, r in enumerate(rows):
            if k and k % every == 0 and k >= len(head):
                out.append(f"- {page} -")
                page += 1
                for h in head:
                    out += _cells_piped(h, width)
            out += _cells_piped(r, width)
    return "\n".join(out) + "\n"


def dash_blanks(bs: list[Block]) -> str:
    """Tab-separated rows whose blank cells print a dash, as many reports fill empty cells."""
    dashes = ["—", "-", "/", "——"]
    out = []
    for kind, rows in bs:
        if kind == "text":
            out.append(rows[0][0])
            continue
        for n, r in enumerate(rows):
            numbered = any(_is_number(c) for c in r)
            out.append("\t".join(dashes[n % len(dashes)] if numbered and not c.strip() else c for c in r))
    return "\n".join(out) + "\n"


def units_in_cells(bs: list[Block]) -> str:
    """"label | v |" rows whose counts carry a unit, some after a space ("3件", "12 件")."""
    out = []
    for kind, rows in bs:
        if kind == "text":
            out.append(rows[0][0])
            continue
        for r in rows:
            cells = [f"{c}{' ' if k % 2 else ''}件" if re.fullmatch(r"\d+", c.strip()) else c for k, c in enumerate(r)]
            out.append(" | ".join(c if c else " " for c in cells) + " |")
    return "\n".join(out) + "\n"


def fullwidth_digits(bs: list[Block]) -> str:
    """Tab-separated rows in full-width digits (０-９), as some Word documents type them."""
    return tabs(bs).translate(str.maketrans("0123456789", "０１２３４５６７８９"))


def zeros_in_words(bs: list[Block]) -> str:
    """A cell per paragraph, every 0 printed 零."""
    return cell_per_paragraph([(kind, [[("零" if kind == "table" and c.strip() == "0" else c) for c in r] for r in rows])
                               for kind, rows in bs])


def browser_copy(bs: list[Block]) -> str:
    """A browser's copy of a web table: tab-separated cells, a tab after each row's last cell,
    Windows line ends."""
    return _row_lines(bs, lambda r, _width: ["\t".join(r) + "\t"], end="\r\n")


def markdown_aligned(bs: list[Block]) -> str:
    """pandoc's pipe table: an alignment row (|:---:|), a long cell's line breaks kept as <br>."""
    out = []
    for kind, rows in bs:
        if kind == "text":
            out += [rows[0][0], ""]
            continue
        width = _width(rows)
        for k, r in enumerate(rows):
            cells = ["<br>".join(_broken(c, 12)) if len(c) > 16 else c for c in [*r, *[""] * (width - len(r))]]
            out.append("| " + " | ".join(cells) + " |")
            if k == 0:
                out.append("|" + "|".join(":---:" if j else ":---" for j in range(width)) + "|")
        out.append("")
    return "\n".join(out) + "\n"


def html2text_table(bs: list[Block]) -> str:
    """html2text's table: cells between " | " without outer pipes, a "---|---" rule under the
    first row, bold headings."""
    out = []
    for kind, rows in bs:
        if kind == "text":
            out += [f"**{rows[0][0]}**" if len(rows[0][0]) < 30 else rows[0][0], ""]
            continue
        width = _width(rows)
        for k, r in enumerate(rows):
            out.append(" | ".join([*r, *[""] * (width - len(r))]))
            if k == 0:
                out.append("|".join(["---"] * width))
        out.append("")
    return "\n".join(out) + "\n"


WRITERS.update({
    "cell_per_line_wrapped": cell_per_line_wrapped,
    "page_breaks": page_breaks,
    "units_in_cells": units_in_cells,
    "fullwidth_digits": fullwidth_digits,
    "zeros_in_words": zeros_in_words,
    "browser_copy": browser_copy,
})

# Layouts read in full for most reports but not all (a pdftotext column that a wrapped cell
# leaves empty, a dash beside a broken total, a header cut at a page break): what is read
# is right, what is not is named.
NAMED_MISS_WRITERS = {
    "values_first": lambda bs: values_first(bs),
    "wechat_paragraphs": lambda bs: wechat_paragraphs(bs),
    "csv_export": csv_export,
    "pdf_layout_centred": pdf_layout_centred,
    "pdf_layout_top": pdf_layout_top,
    "page_numbers_cell_per_line": page_numbers_cell_per_line,
    "dash_blanks": dash_blanks,
    "markdown_aligned": markdown_aligned,
    "html2text_table": html2text_table,
}


def blanks_dropped(bs: list[Block]) -> str:
    """A cell per line from a page-text store that drops empty cells: a blank cell vanishes."""
    out = []
    for kind, rows in bs:
        out += [rows[0][0]] if kind == "text" else [c for r in rows for c in r if c.strip()]
    return "\n".join(out) + "\n"


def column_major(bs: list[Block]) -> str:
    """A cell per line in the order of an extractor that reads a table down its columns: every
    row's labels first, then each column of numbers top to bottom (the columns counted from
    the right, where a table's numbers stand), a blank cell an empty line. Which row a number
    is in, only the count of lines says."""
    out = []
    for kind, rows in bs:
        if kind == "text":
            out.append(rows[0][0])
            continue
        numbered = [r for r in rows if any(_is_number(c) for c in r)]
        out += [c for r in rows for c in r if c.strip() and not _is_number(c)]
        depth = max((len(r) - next(k for k, c in enumerate(r) if _is_number(c)) for r in numbered), default=0)
        for col in range(depth, 0, -1):
            out += [r[-col] if _is_number(r[-col]) or not r[-col].strip() else "" for r in numbered if len(r) >= col]
    return "\n".join(out) + "\n"


# Layouts that lose where a cell stood: what they read must be right, and they read less.
LOSSY_WRITERS = {"blanks_dropped": blanks_dropped, "column_major": column_major}


# ---------------------------------------------------------------------------------------------
# Web pages as editors and office suites write them: Word's "Save as Web Page", a WPS sheet,
# <thead> rows of <th>, a grid of <div>s, a table per section, numbers boxed in one-cell tables,
# table 三's labels spanning rows, markup and invisible characters inside cells, a CMS template
# in a <script> beside the table it fills.

_NUMBER = re.compile(r"[\d,.]+")


def _cells_table(rows: list[list[str]], cell, open_tag: str = "<table border='1'>", tail: str = "") -> str:
    return open_tag + "".join("<tr>" + "".join(cell(c, k) for k, c in enumerate(r)) + "</tr>" for r in rows) + tail + "</table>"


def html_word(bs: list[Block]) -> str:
    """Word's "Save as Web Page": Office namespaces, the document settings in a conditional
    comment, MsoNormal paragraphs and mso- styles in every cell, <o:p> marks, a blank cell's
    &nbsp;, and the row of empty cells Word adds under each table for misaligned columns."""
    def cell(c, k):
        inner = (f"<span lang=EN-US style='font-size:10.5pt;mso-bidi-font-size:11.0pt'>{html_escape(c)}<o:p></o:p></span>"
                 if c else "<span lang=EN-US><o:p>&nbsp;</o:p></span>")
        return (f"<td width=57 valign=top style='width:42.5pt;border:solid windowtext 1.0pt;mso-border-alt:solid windowtext .5pt'>"
                f"<p class=MsoNormal align=center style='text-align:center'>{inner}</p></td>")

    def table(rows):
        ghost = "<![if !supportMisalignedColumns]><tr height=0>" + "<td width=57 style='border:none'></td>" * _width(rows) + "</tr><![endif]>"
        return "<div align=center>" + _cells_table(rows, cell, "<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 "
                                                    "style='border-collapse:collapse;mso-table-layout-alt:fixed'>", ghost) + "</div>"

    body = "".join(f"<p class=MsoNormal style='text-indent:32.0pt'><span style='font-family:仿宋_GB2312'>{html_escape(rows[0][0])}"
                   "<span lang=EN-US><o:p></o:p></span></span></p>" if kind == "text" else table(rows) for kind, rows in bs)
    return ("<html xmlns:o='urn:schemas-microsoft-com:office:office' xmlns:w='urn:schemas-microsoft-com:office:word' "
            "xmlns='http://www.w3.org/TR/REC-html40'><head><meta http-equiv=Content-Type content='text/html; charset=utf-8'>"
            "<meta name=ProgId content=Word.Document><!--[if gte mso 9]><xml><w:WordDocument><w:View>Print</w:View>"
            "</w:WordDocument></xml><![endif]--><style><!-- p.MsoNormal {margin:0cm;} --></style></head>"
            f"<body lang=ZH-CN><div class=WordSection1>{body}</div></body></html>")


def html_wps_sheet(bs: list[Block]) -> str:
    """A WPS spreadsheet saved as a web page: x:num and x:str cells, <col> widths, the hidden
    row of empty cells under each sheet."""
    def cell(c, k):
        if not c:
            return "<td class=xl66></td>"
        return f"<td class=xl67 x:num>{c}</td>" if _NUMBER.fullmatch(c) else f"<td class=xl65 x:str>{html_escape(c)}</td>"

    def table(rows):
        w = _width(rows)
        return _cells_table(rows, cell, f"<table border=0 cellpadding=0 cellspacing=0 style='border-collapse:collapse'><col width=72 span={w}>",
                            "<![if supportMisalignedColumns]><tr style='display:none'>" + "<td width=72></td>" * w + "</tr><![endif]>")

    return ("<html xmlns:x='urn:schemas-microsoft-com:office:excel'><head><meta http-equiv=Content-Type content='text/html; charset=utf-8'>"
            "<meta name=Generator content='WPS Office ET'></head><body>" + _html_body(bs, table) + "</body></html>")


def _head_rows(rows: list[list[str]]) -> int:
    """How many rows open a table before its first number (none if no row holds one)."""
    k = next((k for k, r in enumerate(rows) if any(_NUMBER.fullmatch(c) for c in r)), 0)
    return k


def html_thead(bs: list[Block]) -> str:
    """A table whose header rows are a <thead> of <th> cells, a caption naming the unit, and a
    <tfoot> note under the <tbody>."""
    def table(rows):
        k = _head_rows(rows)
        head = "".join("<tr>" + "".join(f"<th scope='col'>{html_escape(c)}</th>" for c in r) + "</tr>" for r in rows[:k])
        body = "".join("<tr>" + "".join(_plain_cell(c) for c in r) + "</tr>" for r in rows[k:])
        return ("<table class='table table-bordered'><caption>单位：件</caption>" + (f"<thead>{head}</thead>" if head else "")
                + f"<tbody>{body}</tbody><tfoot><tr><td colspan='3'>注：数据统计至12月31日</td></tr></tfoot></table>")
    return _page(_html_body(bs, table))


def html_div_grid(bs: list[Block]) -> str:
    """A mobile template's table without <table>: <div>s styled display:table, table-row and
    table-cell, an empty <div> for a blank cell."""
    def table(rows):
        return "<div style='display:table;border-collapse:collapse'>" + "".join(
            "<div style='display: table-row'>" + "".join(f"<div style='display:table-cell;border:1px solid'>{html_escape(c)}</div>" for c in r)
            + "</div>" for r in rows) + "</div>"
    return _page("<div class='article'>" + _html_body(bs, table) + "</div>")


_SECTION = re.compile(r"^\s*([一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|第二十条)")


def html_section_tables(bs: list[Block]) -> str:
    """Each table cut into a <table> per section, before every row a section label opens
    (三、, （三）, 第二十条第（五）项), as editors rebuild a table pasted in pieces."""
    def table(rows):
        parts: list[list[list[str]]] = [[]]
        for r in rows:
            if parts[-1] and r and _SECTION.match(r[0]):
                parts.append([])
            parts[-1].append(r)
        return "".join(_html_table(p, _plain_cell) for p in parts)
    return _page(_html_body(bs, table))


def html_boxed_numbers(bs: list[Block]) -> str:
    """Every number in a one-cell table of its own inside its cell, the article in the portal's
    layout table."""
    def cell(c, k):
        return f"<td><table width='100%'><tr><td align='center'>{c}</td></tr></table></td>" if _NUMBER.fullmatch(c) else _plain_cell(c)
    body = _html_body(bs, lambda rows: _cells_table(rows, cell))
    return _page(f"<table width='980'><tr><td class='main'><table width='100%'><tr><td>{body}</td></tr></table></td></tr></table>")


_LEVELS = [re.compile(r"^\s*[一二三四五六七八九十]+、"), re.compile(r"^\s*[（(][一二三四五六七八九十]+[）)]"), re.compile(r"^\s*\d+\s*[.．、]")]


def _level(label: str) -> int | None:
    return next((k for k, p in enumerate(_LEVELS) if p.match(label)), None)


def _padded_rows(rows: list[list[str]], width: int) -> str:
    return "".join("<tr>" + "".join(f"<td>{html_escape(c) if c else '&nbsp;'}</td>" for c in r)
                   + (f"<td colspan='{width - len(r)}'>&nbsp;</td>" if len(r) < width else "") + "</tr>" for r in rows)


def _spanned_table(rows: list[list[str]]) -> str:
    """Table 三 as the template draws it: under its header rows, its labels in three columns
    (三、, （三）, 1.), each spanning the rows down to the next label of its level or above, and
    across to the next label's column or the numbers. A table whose rows are not so labelled is
    written plainly, a short row padded with one blank spanning cell."""
    head = _head_rows(rows)
    labelled = []
    for r in rows[head:]:
        k = next((k for k, c in enumerate(r) if not c or _NUMBER.fullmatch(c)), len(r))
        levels = [_level(c) for c in r[:k]]
        if not levels or None in levels or levels != sorted(set(levels)):
            labelled = []
            break
        labelled.append((levels, r[:k], r[k:]))
    width = _width(rows)
    if not any(len(levels) > 1 for levels, _, _ in labelled):
        return "<table border='1'>" + _padded_rows(rows, width) + "</table>"
    out = []
    for i, (levels, labels, values) in enumerate(labelled):
        tds = []
        for j, (level, label) in enumerate(zip(levels, labels)):
            down = next((k for k in range(i + 1, len(labelled)) if min(labelled[k][0]) <= level), len(labelled)) - i
            across = (levels[j + 1] if j + 1 < len(levels) else len(_LEVELS)) - level
            attrs = (f" rowspan='{down}'" if down > 1 else "") + (f" colspan='{across}'" if across > 1 else "")
            tds.append(f"<td{attrs}>{html_escape(label)}</td>")
        tds += [f"<td>{html_escape(v) if v else '&nbsp;'}</td>" for v in values]
        out.append("<tr>" + "".join(tds) + "</tr>")
    return "<table border='1' cellspacing='0'>" + _padded_rows(rows[:head], width) + "".join(out) + "</table>"


def html_spans(bs: list[Block]) -> str:
    return _page(_html_body(bs, _spanned_table))


def html_cell_markup(bs: list[Block]) -> str:
    """Cells as rich editors leave them: a long label broken by <br>, numbers in <font> and
    <strong>, in a <p><span>, or cut into two spans (1<span>2</span>)."""
    def cell(c, k):
        if _NUMBER.fullmatch(c):
            if len(c) > 1 and k % 3 == 0:
                return f"<td><span style='font-family:Times New Roman'>{c[0]}</span><span>{c[1:]}</span></td>"
            return f"<td><font face='宋体' size='2'><strong>{c}</strong></font></td>" if k % 3 == 1 else f"<td><p><span lang='EN-US'>{c}</span></p></td>"
        if len(c) > 6:
            return f"<td>{html_escape(c[: len(c) // 2])}<br>{html_escape(c[len(c) // 2 :])}</td>"
        return _plain_cell(c)
    return _page(_html_body(bs, lambda rows: _cells_table(rows, cell)))


def html_invisible(bs: list[Block]) -> str:
    """Characters a page does not show, left by editors in its cells: zero-width spaces (as
    characters and as &#8203;), BOMs, soft hyphens inside labels; and full-width digits."""
    fullwidth = str.maketrans("0123456789", "０１２３４５６７８９")

    def cell(c, k):
        if _NUMBER.fullmatch(c):
            return "<td>" + [f"&#8203;{c}", f"{c}\u200b", c.translate(fullwidth), f"\ufeff{c}&nbsp;"][k % 4] + "</td>"
        if len(c) > 4:
            return f"<td>{html_escape(c[:2])}&shy;{html_escape(c[2:])}</td>"
        return f"<td>{html_escape(c)}&#x200B;</td>"
    return _page(_html_body(bs, lambda rows: _cells_table(rows, cell)))


def html_script_template(bs: list[Block]) -> str:
    """A CMS page that keeps the template of each table in a <script type='text/template'>
    (other numbers, a placeholder's) before the table it printed."""
    def table(rows):
        other = [[str(int(c) + 7) if c.isdigit() else c for c in r] for r in rows]
        return "<script type='text/template' id='tpl'>" + _html_table(other, _plain_cell) + "</script>" + _html_table(rows, _plain_cell)
    return _page(_html_body(bs, table))


HTML_WRITERS.update({
    "html_word": html_word,
    "html_wps_sheet": html_wps_sheet,
    "html_thead": html_thead,
    "html_div_grid": html_div_grid,
    "html_section_tables": html_section_tables,
    "html_boxed_numbers": html_boxed_numbers,
    "html_spans": html_spans,
    "html_cell_markup": html_cell_markup,
    "html_invisible": html_invisible,
    "html_script_template": html_script_template,
})


def html_flex_rows(bs: list[Block]) -> str:
    """Each table row a display:flex <div> of <span> cells. A grid of one row is no different
    from a page's flex header: a report whose rows are one-row tables is not read as a table."""
    def table(rows):
        return "<div class='grid'>" + "".join("<div style='display:flex'>" + "".join(f"<span style='flex:1'>{html_escape(c)}</span>" for c in r)
                                              + "</div>" for r in rows) + "</div>"
    return _page(_html_body(bs, table))


def html_class_rows(bs: list[Block]) -> str:
    """A table as a <ul> per row and an <li> per cell, laid out by the site's stylesheet: the
    page's markup does not say it is a grid, so its rows are lines and its blank cells vanish."""
    def table(rows):
        return "<div class='tablebox'>" + "".join("<ul class='tr'>" + "".join(f"<li>{html_escape(c)}</li>" for c in r) + "</ul>" for r in rows) + "</div>"
    return _page(_html_body(bs, table))


def html_textarea(bs: list[Block]) -> str:
    """The tables only as escaped markup inside a hidden <textarea> (a CMS's editor field): not shown."""
    return _page(_html_body(bs, lambda rows: "<textarea style='display:none' name='content'>" + html_escape(_html_table(rows, _plain_cell)) + "</textarea>"))


def html_iframe_srcdoc(bs: list[Block]) -> str:
    """The tables inside <iframe srcdoc>: a document of its own, not read with the page."""
    return _page(_html_body(bs, lambda rows: '<iframe srcdoc="' + _html_table(rows, _plain_cell).replace("&", "&amp;").replace('"', "&quot;") + '"></iframe>'))


# Web pages whose tables are read for some reports, or none: what is read is right, and a
# page missing cells is partial or failed and says so.
HTML_NAMED_MISS_WRITERS = {"html_flex_rows": html_flex_rows, "html_class_rows": html_class_rows,
                           "html_textarea": html_textarea, "html_iframe_srcdoc": html_iframe_srcdoc}


def _values_start(r: list[str]) -> int:
    """Where the row's run of values (numbers and blanks) at its end starts."""
    k = len(r)
    while k > 0 and (_is_number(r[k - 1]) or not r[k - 1].strip()):
        k -= 1
    return k


def _values_first(r: list[str], width: int) -> list[str]:
    """A row's run of values moved before its labels, as a site that prints the label last."""
    k = _values_start(r)
    if k == 0 or k == len(r):
        return ["\t".join(r)]
    return ["\t".join([*r[k:], *r[:k]])]


def values_first(bs: list[Block]) -> str:
    """Tab-separated rows that print each row's values first and its labels last
    ("5	1	0	0	0	0	6	（一）予以公开")."""
    return _row_lines(bs, _values_first)


def wechat_paragraphs(bs: list[Block]) -> str:
    """A WeChat post's copy of the tables: a paragraph per row, the label after a ▲ in one and
    the row's numbers parted by 丨 in the next; a blank cell prints nothing between its bars."""
    return _row_lines(bs, _wechat_row, end="\n\n").removesuffix("\n")


def _wechat_row(r: list[str], width: int) -> list[str]:
    k = _values_start(r)
    label = "".join(c for c in r[:k] if c.strip())
    return [*(["▲" + label] if label else []),
            *(["丨".join(c.strip() for c in r[k:])] if k < len(r) and any(_is_number(c) for c in r[k:]) else [])]


_APPLICANT_NAMES = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
_RESULT_NAMES = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
_PROCEEDING_NAMES = ["行政复议", "行政诉讼（未经复议直接起诉）", "行政诉讼（复议后起诉）"]


def _listed(r: list[str], width: int) -> list[str]:
    """Table 三's row as a reprint lists it, "label：自然人5件，商业企业1件，…，总计6件。", table 四's
    as a sentence per proceeding; a row with a blank cell, and every other row, as its
    tab-separated line."""
    k = _values_start(r)
    cells = r[k:]
    # a sentence has no line breaks; a dash or a blank is no count a list would print
    label = " ".join(c.replace("\n", "") for c in r[:k] if c.strip())
    if not all(re.fullmatch(r"[\d,]+", c.strip()) for c in cells):
        return ["\t".join(r)]
    if k == 0 and len(cells) == 15:
        # table 四's row: a sentence per proceeding
        return [f"{p}：" + "，".join(f"{n}{c.strip()}件" for n, c in zip(_RESULT_NAMES, cells[5 * j: 5 * j + 5])) + "。"
                for j, p in enumerate(_PROCEEDING_NAMES)]
    if k == 0 or len(cells) != len(_APPLICANT_NAMES):
        return ["\t".join(r)]
    return [label + "：" + "，".join(f"{n}{c.strip()}件" for n, c in zip(_APPLICANT_NAMES, cells)) + "。"]


def listed_rows(bs: list[Block]) -> str:
    """A reprint that turns tables 三 and 四 into lists, a sentence per row (per proceeding)."""
    return _row_lines(bs, _listed)


WRITERS["listed_rows"] = listed_rows


def _row_per_printed_line(r: list[str], width: int) -> list[list[str]]:
    """A row whose label is long, as a PDF converted to a web page or Word file makes a table
    row of each printed line: the label's head beside the numbers, its tail alone in a row of
    blank cells below."""
    k = _values_start(r)
    label = r[k - 1] if k else ""
    if k == 0 or len(label) < 8 or not any(_is_number(c) for c in r[k:]):
        return [r]
    cut = len(label) * 2 // 3
    return [[*r[: k - 1], label[:cut], *r[k:]], [*([""] * (k - 1)), label[cut:], *([""] * (len(r) - k))]]


def html_row_per_printed_line(bs: list[Block]) -> str:
    return _page(_html_body(bs, lambda rows: _html_table([p for r in rows for p in _row_per_printed_line(r, len(r))], _plain_cell)))


HTML_WRITERS["html_row_per_printed_line"] = html_row_per_printed_line
