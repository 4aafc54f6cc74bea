"""PDF reports: text lines and ruled tables as rows, from pdfium's characters and path objects.

pdfium gives every character with its box and every drawn path (in about 30 ms for a
six-page report, ~15x faster than pdfplumber). Tables in these reports are drawn with
ruling lines or cell rectangles; the ruled grid, not the text's baselines, says which
words belong to which cell. That matters because the table-三 numbers of many reports sit
a few points above their multi-line labels, and labels and headers wrap inside their
cells ("商业企 / 业", "（三）不 / 予公开").

A table row becomes one Row of kind "table" with a Cell per ruled cell that STARTS in that
row, left to right, with its x0/x1: a cell spanning several rows (the vertical
"三、本年度办理结果", the group label "（三）不予公开") appears once, in its first row, as an
HTML rowspan cell does. Text outside tables becomes one Row of kind "text" per visual
line, split into cells at wide gaps.

This module reads the document page by page and decides what the whole says (scanned,
garbled, cut by the budget); each step has its own module:
  pdf_guard       hostile structure, checked on the bytes before pdfium opens them
  pdf_text_layer  the characters and their boxes
  pdf_drawing     the rules and the images of a page
  grid            rules -> ruled tables -> cells (shared with OCR)
  pdf_rows        characters -> table rows and text lines
  layout          visual lines, margin page numbers, title and text (shared with OCR)
  pdfium_calls    the pdfium getters the per-object and per-character loops call
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pypdfium2 as pdfium

from scrapers.extract.grid import OutOfTime, Table, find_tables
from scrapers.extract.model import Extracted, Row
from scrapers.extract.pdf_drawing import image_cover, read_drawing
# re-exported: callers check a PDF's structure before anything opens it
from scrapers.extract.pdf_guard import MAX_FORM_DEPTH, MAX_INFLATED_STREAM, hostile_structure  # noqa: F401
from scrapers.extract.layout import text_of, title_of
from scrapers.extract.pdf_rows import page_rows
from scrapers.extract.pdf_text_layer import read_chars, unmapped_count

MAX_PAGES = 200
TIME_BUDGET_SECONDS = 30.0
# A page is a scanned image when it has fewer characters than this and images cover most of it.
SCAN_MAX_CHARS = 20
SCAN_MIN_IMAGE_SHARE = 0.5
# Text whose characters are mostly unmapped glyphs (private use area, U+FFFD) is unreadable.
GARBLED_SHARE = 0.3


def extract_pdf(
    data: bytes,
    *,
    max_pages: int = MAX_PAGES,
    time_budget: float = TIME_BUDGET_SECONDS,
    ocr_page: Callable[[pdfium.PdfPage, int], list[Row] | None] | None = None,
) -> Extracted:
    """The rows and text of a PDF report. Never raises; problems become a status and reasons.

    `ocr_page(page, page_no)`, when given, reads a page that has no usable text layer (a scan)
    and returns its rows, or None when it cannot; the format is then "pdf-ocr". A text layer,
    where there is one, always wins. The time OCR takes is not counted in `time_budget`."""
    hostile = hostile_structure(data)
    if hostile:
        return Extracted(format="pdf", status="failed", problems=[hostile])
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        message = str(exc)
        if "password" in message.lower():
            return Extracted(format="pdf", status="failed", problems=["encrypted PDF: it needs a password to open"])
        reason = re.search(r"PDFium: ([^)]*)", message)
        return Extracted(
            format="pdf",
            status="failed",
            problems=[f"corrupt or truncated PDF: pdfium cannot load it ({reason.group(1) if reason else message})"],
        )
    except Exception as exc:  # pdfium's loader can fail on anything malformed
        return Extracted(format="pdf", status="failed", problems=[f"unreadable PDF: {exc!r}"])
    try:
        return _extract_document(pdf, max_pages=max_pages, time_budget=time_budget, ocr_page=ocr_page)
    except Exception as exc:
        return Extracted(format="pdf", status="failed", problems=[f"PDF extraction failed: {exc!r}"])
    finally:
        pdf.close()



def _extract_document(pdf: pdfium.PdfDocument, *, max_pages: int, time_budget: float, ocr_page=None) -> Extracted:
    started = time.monotonic()
    # OCR's own budget is separate: the time it takes moves this deadline
    deadline = started + time_budget
    ocr_pages: list[int] = []
    result = Extracted(format="pdf")
    page_count = len(pdf)
    if page_count == 0:
        result.status = "failed"
        result.problems.append("PDF has no pages")
        return result
    if page_count > max_pages:
        result.problems.append(f"PDF has {page_count} pages; read only the first {max_pages}")
    scanned_pages: list[int] = []
    char_total = 0
    garbled_total = 0
    previous_table: tuple[Table, list[Row], int] | None = None
    timed_out = False
    index = -1
    for index in range(min(page_count, max_pages)):
        if time.monotonic() > deadline:
            result.problems.append(f"stopped after {index} of {page_count} pages: time budget of {time_budget:g} s spent")
            timed_out = True
            index -= 1
            break
        page = pdf[index]
        try:
            page_no = index + 1
            chars = read_chars(page)
            horizontal, vertical, image_boxes = read_drawing(page)
            image_share, pictures = image_cover(page, image_boxes)
            result.images += pictures
            visible = [c for c in chars if not c.space]
            char_total += len(visible)
            garbled_total += unmapped_count(visible)
            if page_needs_ocr(len(visible), image_share):
                scanned_pages.append(page_no)
                if ocr_page is not None:
                    ocr_started = time.monotonic()
                    ocr_rows = ocr_page(page, page_no)
                    deadline += time.monotonic() - ocr_started
                    if ocr_rows is not None:
                        ocr_pages.append(page_no)
                        result.rows.extend(ocr_rows)
                        previous_table = None
                        continue
            tables = find_tables((horizontal, vertical), page_no, result.problems, deadline)
            rows, last_table = page_rows(chars, tables, page_no, page.get_height(), previous_table)
            result.rows.extend(rows)
            previous_table = last_table
        except OutOfTime:
            result.problems.append(f"stopped on page {index + 1} of {page_count}: time budget of {time_budget:g} s spent")
            timed_out = True
            index -= 1
            break
        finally:
            page.close()

    pages_read = index + 1
    result.pages_needing_ocr = scanned_pages
    if timed_out and not result.rows:
        result.status = "failed"
        return result
    if ocr_pages:
        result.format = "pdf-ocr"
        scanned_pages = [p for p in scanned_pages if p not in ocr_pages]
    if char_total == 0 and not ocr_pages:
        result.status = "needs_ocr"
        what = f"scanned images on {len(scanned_pages)} of {pages_read} pages" if scanned_pages else "no images either"
        result.problems.append(f"PDF has no text layer ({what}): it needs OCR")
        result.rows = []
        return result
    if char_total and garbled_total / char_total > GARBLED_SHARE and ocr_page is not None:
        # the text layer is there but maps no glyph to a character: read the pages instead
        rows = _ocr_every_page(pdf, pages_read, ocr_page)
        if rows:
            result.format = "pdf-ocr"
            result.rows = rows
            result.problems.append(f"PDF text layer is unreadable ({garbled_total} of {char_total} characters unmapped): read by OCR")
            garbled_total = 0
    if char_total and garbled_total / char_total > GARBLED_SHARE:
        result.status = "needs_ocr"
        result.problems.append(
            f"PDF text layer is unreadable: {garbled_total} of {char_total} characters have no Unicode mapping; it needs OCR"
        )
        result.rows = []
        return result
    if scanned_pages and not ocr_pages and len(scanned_pages) * 2 >= pages_read:
        result.status = "needs_ocr"
        result.problems.append(
            f"PDF is scanned: pages {_page_list(scanned_pages)} of {pages_read} are images without text; it needs OCR"
        )
    elif scanned_pages:
        result.problems.append(f"PDF pages {_page_list(scanned_pages)} are images without text (their content needs OCR)")

    result.text = text_of(result.rows)
    result.title = title_of(result.rows)
    return result


def page_needs_ocr(visible_chars: int, image_share: float) -> bool:
    """A page that is a picture: (almost) no characters, and images cover most of it."""
    return visible_chars < SCAN_MAX_CHARS and image_share >= SCAN_MIN_IMAGE_SHARE


def _ocr_every_page(pdf: pdfium.PdfDocument, pages: int, ocr_page) -> list[Row]:
    rows: list[Row] = []
    for index in range(pages):
        page = pdf[index]
        try:
            page_rows = ocr_page(page, index + 1)
        finally:
            page.close()
        if page_rows is None:
            break
        rows.extend(page_rows)
    return rows


def _page_list(pages: list[int]) -> str:
    return ", ".join(str(p) for p in pages[:20]) + (" ..." if len(pages) > 20 else "")

