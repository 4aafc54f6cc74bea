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
"""

from __future__ import annotations

import bisect
import ctypes
import re
import time
import zlib
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import attrgetter

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from scrapers.extract.cell_text import is_wide, join_wrapped
from scrapers.extract.model import Cell, Extracted, Row

MAX_PAGES = 200
TIME_BUDGET_SECONDS = 30.0

# Bounds on hostile files, each far above what a report needs. pdfium expands form XObjects
# recursively when it loads a page: forms nested 24 deep, each drawing the next twice, make
# it allocate gigabytes and abort. Report generators nest forms two or three deep.
MAX_FORM_DEPTH = 12
# pdfium inflates a page's content streams whole when it loads the page. A report's content
# streams inflate to a few megabytes; a stream past this is a decompression bomb.
MAX_INFLATED_STREAM = 256 * 1024 * 1024
# Streams smaller than this cannot inflate past the cap (deflate expands at most ~1032x).
INFLATE_CHECK_FROM = MAX_INFLATED_STREAM // 1032
# Table detection pairs every horizontal rule with every vertical one and then tests every
# grid box: a 1000x1000 grid of lines is hours of work. A report's table has tens of rules.
MAX_RULE_PAIRS = 250_000
MAX_GRID_BOXES = 20_000

# Lines closer than this (points) are the same rule: cell rectangles of adjacent cells are
# drawn 0.2-0.5 pt apart, and rules are up to 2 pt thick.
SNAP = 3.0
# A rule must cover this share of a cell side to separate two cells.
RULED_SHARE = 0.5
# Text lines split into cells at gaps wider than this many character heights.
CELL_GAP_EMS = 1.5
# A page is a scanned image when it has fewer characters than this and images cover most of it.
SCAN_MAX_CHARS = 20
SCAN_MIN_IMAGE_SHARE = 0.5
# Pictures smaller than this share of the page (logos, seals) are not counted as possible tables.
MIN_PICTURE_SHARE = 0.05
# Text whose characters are mostly unmapped glyphs (private use area, U+FFFD) is unreadable.
GARBLED_SHARE = 0.3

_PAGE_NUMBER = re.compile(r"^[-—–－]?\s*(第\s*)?\d{1,3}\s*(页)?\s*[-—–－]?$|^\d{1,3}\s*/\s*\d{1,3}$")


@dataclass(slots=True)
class _Char:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    # a real space in the content stream: a word break
    space: bool = False
    # the centre, stored: every character is placed in a cell and a line by it
    cx: float = 0.0
    cy: float = 0.0

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass(slots=True)
class _Edge:
    # a horizontal rule at y=pos from lo to hi, or a vertical one at x=pos
    pos: float
    lo: float
    hi: float


@dataclass
class _Table:
    xs: list[float]
    ys: list[float]
    # cells as (col0, row0, col1, row1) grid spans, end exclusive
    cells: list[tuple[int, int, int, int]]
    texts: dict[tuple[int, int, int, int], list[_Char]] = field(default_factory=dict)
    # the emitted cells of each grid row with their spans, to join cells cut by a page break
    emitted: dict[int, list[tuple[Cell, tuple[int, int, int, int]]]] = field(default_factory=dict)
    # grid box (column, row) -> the cell covering it; built on first use
    owner: dict[tuple[int, int], tuple[int, int, int, int]] | None = None

    @property
    def box(self) -> tuple[float, float, float, float]:
        return self.xs[0], self.ys[0], self.xs[-1], self.ys[-1]


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


# ---------------------------------------------------------------------------
# Hostile structure, checked on the raw bytes before pdfium sees them

_OBJ = re.compile(rb"(\d+)\s+\d+\s+obj\b")
_REF = re.compile(rb"(\d+)\s+\d+\s+R\b")
_FORM = re.compile(rb"/Subtype\s*/Form\b")
_XOBJECTS = re.compile(rb"/XObject\s*(<<(?:[^<>]|<<[^<>]*>>)*>>|\d+\s+\d+\s+R)")
_RESOURCES_REF = re.compile(rb"/Resources\s+(\d+)\s+\d+\s+R")
_STREAM = re.compile(rb"stream\r?\n")
# an object's dictionary is read up to this many bytes: enough for any real one
_DICT_WINDOW = 4096


def hostile_structure(data: bytes) -> str | None:
    """Why pdfium must not load this PDF (form XObjects nested too deep, a content stream that
    inflates past the cap), or None. A cheap scan of the bytes: what it cannot see (objects
    inside compressed object streams) is left to the worker's memory limit."""
    if b"/Form" in data:
        depth = _form_depth(data)
        if depth > MAX_FORM_DEPTH:
            return f"hostile PDF: form XObjects nested more than {MAX_FORM_DEPTH} deep; not opened"
    return _stream_bomb(data)


def _object_dicts(data: bytes) -> dict[int, bytes]:
    """Each object's number and the start of its body, up to its stream or its end."""
    found: dict[int, bytes] = {}
    for m in _OBJ.finditer(data):
        window = data[m.end() : m.end() + _DICT_WINDOW]
        cut = min((i for i in (window.find(b"stream"), window.find(b"endobj")) if i >= 0), default=len(window))
        found[int(m.group(1))] = window[:cut]
    return found


_OBJECT_STREAM = re.compile(rb"/Type\s*/ObjStm\b")
_FIRST = re.compile(rb"/First\s+(\d+)")
_FLATE_ONLY = re.compile(rb"/Filter\s*(/FlateDecode|\[\s*/FlateDecode\s*\])")
# object streams hold dictionaries: a few hundred kilobytes inflated at most
MAX_OBJECT_STREAM = 16 * 1024 * 1024


def _object_stream_dicts(data: bytes, dicts: dict[int, bytes]) -> dict[int, bytes]:
    """The objects packed in Flate-compressed object streams (PDF 1.5), where a scan of the
    file's bytes cannot see them; each stream inflated only up to MAX_OBJECT_STREAM."""
    found: dict[int, bytes] = {}
    for m in _OBJ.finditer(data):
        head = dicts.get(int(m.group(1)), b"")
        if not _OBJECT_STREAM.search(head) or not _FLATE_ONLY.search(head):
            continue
        first = _FIRST.search(head)
        start = _STREAM.search(data, m.end(), m.end() + _DICT_WINDOW + 16)
        if first is None or start is None:
            continue
        try:
            content = zlib.decompressobj().decompress(data[start.end() : data.find(b"endstream", start.end())],
                                                      MAX_OBJECT_STREAM)
        except zlib.error:
            continue
        offset = int(first.group(1))
        numbers = [int(v) for v in content[:offset].split()]
        pairs = list(zip(numbers[0::2], numbers[1::2]))
        for i, (number, at) in enumerate(pairs):
            end = pairs[i + 1][1] if i + 1 < len(pairs) else len(content) - offset
            found[number] = content[offset + at : offset + min(end, at + _DICT_WINDOW)]
    return found


def _form_depth(data: bytes) -> int:
    """The longest chain of forms drawing forms, following the XObject resources of each form
    (direct, or one indirect dictionary away, in the file or in an object stream); a cycle
    counts as too deep."""
    dicts = _object_dicts(data)
    if b"/ObjStm" in data:
        dicts.update(_object_stream_dicts(data, dicts))

    def xobject_refs(body: bytes) -> list[int]:
        m = _RESOURCES_REF.search(body)
        if m:  # resources in an object of their own
            body = body + dicts.get(int(m.group(1)), b"")
        refs: list[int] = []
        for x in _XOBJECTS.finditer(body):
            value = x.group(1)
            if not value.startswith(b"<<"):
                value = dicts.get(int(_REF.match(value).group(1)), b"")
            refs.extend(int(r.group(1)) for r in _REF.finditer(value))
        return refs

    forms = {number for number, body in dicts.items() if _FORM.search(body)}
    children = {number: [r for r in xobject_refs(dicts[number]) if r in forms] for number in forms}
    depth: dict[int, int] = {}
    deepest = 0
    for root in forms:
        if root in depth:
            continue
        # iterative depth-first walk: a hostile chain must not exhaust Python's stack either
        stack: list[tuple[int, int]] = [(root, 0)]
        on_path: set[int] = set()
        while stack:
            node, child_index = stack.pop()
            if child_index == 0:
                if node in on_path:
                    return MAX_FORM_DEPTH + 1
                on_path.add(node)
            kids = children[node]
            if child_index < len(kids):
                stack.append((node, child_index + 1))
                kid = kids[child_index]
                if kid in on_path:
                    return MAX_FORM_DEPTH + 1
                if kid not in depth:
                    stack.append((kid, 0))
                continue
            depth[node] = 1 + max((depth[k] for k in kids), default=0)
            on_path.discard(node)
            deepest = max(deepest, depth[node])
            if deepest > MAX_FORM_DEPTH:
                return deepest
    return deepest


def _stream_bomb(data: bytes) -> str | None:
    """A Flate stream that inflates past MAX_INFLATED_STREAM, found by inflating it into a
    small buffer that is thrown away (bounded memory, ~0.2 s for the cap's worth)."""
    for m in _STREAM.finditer(data):
        end = data.find(b"endstream", m.end())
        if end < 0:
            end = len(data)
        if end - m.end() < INFLATE_CHECK_FROM:
            continue
        head = data[max(0, m.start() - _DICT_WINDOW) : m.start()]
        head = head[head.rfind(b"obj") + 1 :]
        # images are not decoded to read text; only what pdfium inflates on page load matters
        if b"FlateDecode" not in head or b"/Image" in head:
            continue
        inflater = zlib.decompressobj()
        total = 0
        chunk = data[m.end() : end]
        try:
            while chunk and total <= MAX_INFLATED_STREAM:
                total += len(inflater.decompress(chunk, 1 << 20))
                chunk = inflater.unconsumed_tail
        except zlib.error:
            continue  # pdfium will report the stream as corrupt, or cope with it
        if total > MAX_INFLATED_STREAM:
            return (
                f"hostile PDF: a {(end - m.end()) / 1048576:.1f} MB compressed stream inflates past "
                f"{MAX_INFLATED_STREAM / 1048576:.0f} MB (decompression bomb); not opened"
            )
    return None


class _OutOfTime(Exception):
    """The document's time budget ran out inside a page."""


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
    previous_table: tuple[_Table, list[Row], int] | None = None
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
            chars = _read_chars(page)
            horizontal, vertical, image_boxes = _read_drawing(page)
            image_share, pictures = _image_cover(page, image_boxes)
            result.images += pictures
            visible = [c for c in chars if not c.space]
            char_total += len(visible)
            garbled_total += sum(1 for c in visible if _is_unmapped(c.text))
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
            tables = _find_tables((horizontal, vertical), page_no, result.problems, deadline)
            rows, last_table = _page_rows(chars, tables, page_no, page.get_height(), previous_table)
            result.rows.extend(rows)
            previous_table = last_table
        except _OutOfTime:
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

    result.text = "\n".join("\t".join(c.text for c in row.cells if c.text) for row in result.rows)
    result.title = _title(result.rows)
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


def _is_unmapped(text: str) -> bool:
    code = ord(text[0]) if text else 0
    return 0xE000 <= code <= 0xF8FF or code == 0xFFFD or code == 0


# ---------------------------------------------------------------------------
# Reading the page


# Codes pdfium puts in a text page that are not characters of the content (line ends, the
# byte-order mark, its "unknown" placeholder).
_NOT_TEXT = frozenset((0x0D, 0x0A, 0xFFFE, 0x02))


def _page_codes(raw_textpage, count: int) -> list[int]:
    """The Unicode code of every character index, read in one call where pdfium's text and
    its character list line up (they nearly always do), else one call per character."""
    buffer = (ctypes.c_ushort * (count + 1))()
    written = pdfium_c.FPDFText_GetText(raw_textpage, 0, count, buffer) if count else 0
    if written - 1 == count:
        codes = list(array("H", bytes(buffer))[:count])
        # the lengths agree; a few samples confirm the indices do too
        if all(codes[i] == pdfium_c.FPDFText_GetUnicode(raw_textpage, i) for i in range(0, count, max(count // 8, 1))):
            return codes
    return [pdfium_c.FPDFText_GetUnicode(raw_textpage, i) for i in range(count)]


def _read_chars(page: pdfium.PdfPage) -> list[_Char]:
    """The page's characters with their boxes, in top-down coordinates: the text in one call,
    then one box call per character (a second only where the loose box looks wrong)."""
    width, height = page.get_size()
    left, bottom, _right, top = page.get_cropbox()
    textpage = page.get_textpage()
    chars: list[_Char] = []
    try:
        raw_textpage = textpage.raw
        codes = _page_codes(raw_textpage, pdfium_c.FPDFText_CountChars(raw_textpage))
        box = pdfium_c.FS_RECTF()
        box_ref = ctypes.byref(box)
        tight_left, tight_right, tight_bottom, tight_top = (ctypes.c_double() for _ in range(4))
        tight_refs = [ctypes.byref(v) for v in (tight_left, tight_right, tight_bottom, tight_top)]
        loose_box = pdfium_c.FPDFText_GetLooseCharBox
        tight_box = pdfium_c.FPDFText_GetCharBox
        is_generated = pdfium_c.FPDFText_IsGenerated
        append = chars.append
        for i, code in enumerate(codes):
            if code in _NOT_TEXT:
                continue
            # pdfium inserts spaces and line breaks between words it infers: not content
            if code == 0x20 and is_generated(raw_textpage, i):
                continue
            # characters beyond the BMP (rare place-name characters) come as UTF-16 surrogate pairs
            if 0xDC00 <= code <= 0xDFFF:
                if chars and len(chars[-1].text) == 1 and 0xD800 <= ord(chars[-1].text) <= 0xDBFF:
                    high = ord(chars[-1].text)
                    chars[-1].text = chr(0x10000 + ((high - 0xD800) << 10) + (code - 0xDC00))
                continue
            if not loose_box(raw_textpage, i, box_ref):
                continue
            # The loose box (the font's full height) keeps a line's characters on one band, but
            # pdfium inflates it to hundreds of points for vertically set glyphs: fall back to the
            # glyph's own box there. Only a loose side over 40 pt can be inflated.
            loose_side = max(box.right - box.left, box.top - box.bottom)
            if loose_side > 40.0 or loose_side <= 0:
                if not tight_box(raw_textpage, i, *tight_refs):
                    continue
                tight_side = max(tight_right.value - tight_left.value, tight_top.value - tight_bottom.value)
                inflated = loose_side > max(4 * tight_side, 40.0) or loose_side <= 0
            else:
                inflated = False
            if inflated:
                x0, x1 = tight_left.value - left, tight_right.value - left
                y0, y1 = top - tight_top.value, top - tight_bottom.value
            else:
                x0, x1 = box.left - left, box.right - left
                y0, y1 = top - box.top, top - box.bottom
            # hidden text outside the visible page (a known trick of some generators)
            if x1 < 0 or x0 > width or y1 < 0 or y0 > height:
                continue
            text = chr(code)
            append(_Char(text, x0, y0, x1, y1, text.isspace(), (x0 + x1) / 2, (y0 + y1) / 2))
    finally:
        textpage.close()
    for char in chars:
        if 0xD800 <= ord(char.text[0]) <= 0xDFFF:  # a surrogate left unpaired
            char.text = "\ufffd"
    return chars


def _image_cover(page: pdfium.PdfPage, boxes: list[tuple[float, float, float, float]]) -> tuple[float, int]:
    """The share of the page that images cover, and how many are big enough to hold a table."""
    width, height = page.get_size()
    left, bottom, _right, top = page.get_cropbox()
    page_area = width * height or 1.0
    covered = 0.0
    pictures = 0
    for x0, y0, x1, y1 in boxes:
        area = max(0.0, min(x1, left + width) - max(x0, left)) * max(0.0, min(y1, top) - max(y0, bottom))
        covered += area
        # logos and seals are small; a picture of a table fills a good part of the page
        if area >= MIN_PICTURE_SHARE * page_area:
            pictures += 1
    return min(1.0, covered / page_area), pictures


def _read_drawing(page: pdfium.PdfPage) -> tuple[list[_Edge], list[_Edge], list[tuple[float, float, float, float]]]:
    """Horizontal and vertical rules drawn on the page (top-down coordinates), and the boxes
    of its top-level images (PDF coordinates), in one pass over the page objects."""
    left, _bottom, _right, top = page.get_cropbox()
    horizontal: list[_Edge] = []
    vertical: list[_Edge] = []
    raw_page = page.raw
    identity = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    # text objects (most of a page's objects) are left out as they are met, unstacked
    get_object, get_type, text_kind = pdfium_c.FPDFPage_GetObject, pdfium_c.FPDFPageObj_GetType, pdfium_c.FPDF_PAGEOBJ_TEXT
    stack = [
        (obj, identity)
        for obj in (get_object(raw_page, i) for i in range(pdfium_c.FPDFPage_CountObjects(raw_page)))
        if get_type(obj) != text_kind
    ]
    matrix = pdfium_c.FS_MATRIX()
    x = ctypes.c_float()
    y = ctypes.c_float()
    x_ref, y_ref = ctypes.byref(x), ctypes.byref(y)
    get_segment, get_point = pdfium_c.FPDFPath_GetPathSegment, pdfium_c.FPDFPathSegment_GetPoint
    segment_type, segment_closes = pdfium_c.FPDFPathSegment_GetType, pdfium_c.FPDFPathSegment_GetClose
    moveto, lineto = pdfium_c.FPDF_SEGMENT_MOVETO, pdfium_c.FPDF_SEGMENT_LINETO
    budget = 200_000  # segments: a page of vector art is not a table
    images: list[tuple[float, float, float, float]] = []
    bounds = [ctypes.c_float() for _ in range(4)]
    while stack:
        obj, parent = stack.pop()
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            # scanners often wrap the page image in a form: map its box through the form's matrix
            if pdfium_c.FPDFPageObj_GetBounds(obj, *bounds):
                x0, y0, x1, y1 = (v.value for v in bounds)
                corners = [_apply(parent, x, y) for x, y in ((x0, y0), (x1, y1), (x0, y1), (x1, y0))]
                xs_, ys_ = [c[0] for c in corners], [c[1] for c in corners]
                images.append((min(xs_), min(ys_), max(xs_), max(ys_)))
            continue
        if kind == pdfium_c.FPDF_PAGEOBJ_FORM:
            if pdfium_c.FPDFPageObj_GetMatrix(obj, matrix):
                own = _compose((matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f), parent)
                for j in range(pdfium_c.FPDFFormObj_CountObjects(obj)):
                    stack.append((pdfium_c.FPDFFormObj_GetObject(obj, j), own))
            continue
        if kind != pdfium_c.FPDF_PAGEOBJ_PATH:
            continue
        if not pdfium_c.FPDFPageObj_GetMatrix(obj, matrix):
            continue
        transform = _compose((matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f), parent)
        count = pdfium_c.FPDFPath_CountSegments(obj)
        budget -= count
        if budget < 0:
            break
        points: list[tuple[float, float]] = []
        start: tuple[float, float] | None = None
        segments: list[tuple[tuple[float, float], tuple[float, float]]] = []
        # four pdfium calls a segment and cell boxes of five segments each: the loop is kept tight
        ta, tb, tc, td, te, tf = transform
        for j in range(count):
            segment = get_segment(obj, j)
            if not get_point(segment, x_ref, y_ref):
                continue
            px, py = x.value, y.value
            point = (ta * px + tc * py + te, tb * px + td * py + tf)
            kind_of_segment = segment_type(segment)
            if kind_of_segment == moveto or not points:
                start = point
            elif kind_of_segment == lineto:
                segments.append((points[-1], point))
            points.append(point)
            if segment_closes(segment) and start is not None:
                segments.append((point, start))
        if not points:
            continue
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        span_x, span_y = max(xs) - min(xs), max(ys) - min(ys)
        # a rule drawn as a thin filled rectangle: one line along its middle
        if span_x <= SNAP and span_y > SNAP:
            segments = [((sum(xs) / len(xs), min(ys)), (sum(xs) / len(xs), max(ys)))]
        elif span_y <= SNAP and span_x > SNAP:
            segments = [((min(xs), sum(ys) / len(ys)), (max(xs), sum(ys) / len(ys)))]
        for (ax, ay), (bx, by) in segments:
            if abs(ay - by) < 1.0 and abs(ax - bx) > SNAP:
                horizontal.append(_Edge(top - (ay + by) / 2, min(ax, bx) - left, max(ax, bx) - left))
            elif abs(ax - bx) < 1.0 and abs(ay - by) > SNAP:
                vertical.append(_Edge((ax + bx) / 2 - left, top - max(ay, by), top - min(ay, by)))
    return horizontal, vertical, images


def _compose(inner: tuple, outer: tuple) -> tuple:
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _apply(m: tuple, x: float, y: float) -> tuple[float, float]:
    return (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])


# ---------------------------------------------------------------------------
# Ruled tables


def _find_tables(
    edges: tuple[list[_Edge], list[_Edge]], page_no: int = 0, problems: list[str] | None = None,
    deadline: float = float("inf"),
) -> list[_Table]:
    horizontal, vertical = (_merge_collinear(e) for e in edges)
    if not horizontal or not vertical:
        return []
    if len(horizontal) * len(vertical) > MAX_RULE_PAIRS:
        if problems is not None:
            problems.append(
                f"page {page_no}: {len(horizontal)} horizontal and {len(vertical)} vertical rules are no report's "
                f"table (limit {MAX_RULE_PAIRS} pairs); its text is read as lines"
            )
        return []
    # rules that touch belong to one table
    parent = list(range(len(horizontal) + len(vertical)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, h in enumerate(horizontal):
        if time.monotonic() > deadline:
            raise _OutOfTime
        for j, v in enumerate(vertical):
            if h.lo - SNAP <= v.pos <= h.hi + SNAP and v.lo - SNAP <= h.pos <= v.hi + SNAP:
                a, b = find(i), find(len(horizontal) + j)
                if a != b:
                    parent[a] = b
    groups: dict[int, tuple[list[_Edge], list[_Edge]]] = {}
    for i, h in enumerate(horizontal):
        groups.setdefault(find(i), ([], []))[0].append(h)
    for j, v in enumerate(vertical):
        groups.setdefault(find(len(horizontal) + j), ([], []))[1].append(v)
    tables = []
    for hs, vs in groups.values():
        table = _grid(hs, vs, deadline)
        if table is None and problems is not None and _boxes(hs, vs) > MAX_GRID_BOXES:
            problems.append(
                f"page {page_no}: a grid of {_boxes(hs, vs)} boxes is no report's table (limit {MAX_GRID_BOXES}); "
                "its text is read as lines"
            )
        if table is not None:
            tables.append(table)
    tables.sort(key=lambda t: t.ys[0])
    return tables


def _merge_collinear(edges: list[_Edge]) -> list[_Edge]:
    """Rules snapped to shared positions, with touching pieces on one position joined."""
    merged: list[_Edge] = []
    for edge in sorted(edges, key=lambda e: (e.pos, e.lo)):
        merged.append(_Edge(edge.pos, edge.lo, edge.hi))
    positions = _cluster([e.pos for e in merged])
    for e in merged:
        e.pos = positions[e.pos]
    merged.sort(key=lambda e: (e.pos, e.lo))
    joined: list[_Edge] = []
    for e in merged:
        last = joined[-1] if joined else None
        if last is not None and last.pos == e.pos and e.lo <= last.hi + SNAP:
            last.hi = max(last.hi, e.hi)
        else:
            joined.append(e)
    return joined


def _cluster(values: list[float]) -> dict[float, float]:
    """Each value mapped to the mean of its run of values no more than SNAP apart."""
    mapping: dict[float, float] = {}
    run: list[float] = []
    for value in sorted(set(values)):
        if run and value - run[-1] > SNAP:
            mean = sum(run) / len(run)
            mapping.update((v, mean) for v in run)
            run = []
        run.append(value)
    if run:
        mean = sum(run) / len(run)
        mapping.update((v, mean) for v in run)
    return mapping


class _RuleIndex:
    """Rules sorted by position: which of them lie within SNAP of a position is a bisection,
    not a scan of every rule (a grid tests each of its boxes' sides)."""

    def __init__(self, edges: list[_Edge]) -> None:
        self.edges = sorted(edges, key=lambda e: e.pos)
        self.positions = [e.pos for e in self.edges]

    def covered(self, pos: float, lo: float, hi: float) -> bool:
        """Whether rules at `pos` cover at least RULED_SHARE of the span lo..hi."""
        length = hi - lo
        if length <= 0:
            return True
        covered = 0.0
        start = bisect.bisect_left(self.positions, pos - SNAP)
        end = bisect.bisect_right(self.positions, pos + SNAP)
        for e in self.edges[start:end]:
            covered += max(0.0, min(hi, e.hi) - max(lo, e.lo))
        return covered >= RULED_SHARE * length


def _boxes(horizontal: list[_Edge], vertical: list[_Edge]) -> int:
    xs = set(_cluster([v.pos for v in vertical]).values())
    ys = set(_cluster([h.pos for h in horizontal]).values())
    return max(len(xs) - 1, 0) * max(len(ys) - 1, 0)


def _grid(horizontal: list[_Edge], vertical: list[_Edge], deadline: float = float("inf")) -> _Table | None:
    """The table's cells: grid boxes between rules, merged where no rule separates them."""
    xs = sorted(set(_cluster([v.pos for v in vertical]).values()))
    ys = sorted(set(_cluster([h.pos for h in horizontal]).values()))
    # one column of boxes is ruled paper or a frame around text lines, not a table
    if len(xs) < 3 or len(ys) < 2:
        return None
    if (len(xs) - 1) * (len(ys) - 1) > MAX_GRID_BOXES:
        return None
    ncols, nrows = len(xs) - 1, len(ys) - 1
    ruled_h, ruled_v = _RuleIndex(horizontal), _RuleIndex(vertical)
    parent = list(range(ncols * nrows))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for r in range(nrows):
        if time.monotonic() > deadline:
            raise _OutOfTime
        for c in range(ncols):
            here = r * ncols + c
            if c + 1 < ncols and not ruled_v.covered(xs[c + 1], ys[r], ys[r + 1]):
                parent[find(here)] = find(here + 1)
            if r + 1 < nrows and not ruled_h.covered(ys[r + 1], xs[c], xs[c + 1]):
                parent[find(here)] = find(here + ncols)
    spans: dict[int, list[int]] = {}
    for r in range(nrows):
        for c in range(ncols):
            root = find(r * ncols + c)
            box = spans.setdefault(root, [c, r, c + 1, r + 1, 0])
            box[0], box[1] = min(box[0], c), min(box[1], r)
            box[2], box[3] = max(box[2], c + 1), max(box[3], r + 1)
            box[4] += 1
    cells = []
    for c0, r0, c1, r1, count in spans.values():
        # an L-shaped region is outside the table's outline, not a cell
        if count != (c1 - c0) * (r1 - r0):
            continue
        sides = (
            (ruled_h.covered(ys[r0], xs[c0], xs[c1]), r0 == 0),
            (ruled_h.covered(ys[r1], xs[c0], xs[c1]), r1 == nrows),
            (ruled_v.covered(xs[c0], ys[r0], ys[r1]), c0 == 0),
            (ruled_v.covered(xs[c1], ys[r0], ys[r1]), c1 == ncols),
        )
        missing = [outer for ruled, outer in sides if not ruled]
        # a table continued from the previous page may lack its top rule; otherwise a box
        # that is not closed lies outside the table
        if len(missing) > 1 or (missing and not missing[0]):
            continue
        cells.append((c0, r0, c1, r1))
    # one box is a frame or a highlight, not a table
    if len(cells) < 2:
        return None
    cells.sort(key=lambda s: (s[1], s[0]))
    return _Table(xs=xs, ys=ys, cells=cells)


def _cell_of(table: _Table, char: _Char) -> tuple[int, int, int, int] | None:
    """The cell holding the character's centre: a lookup in the grid, not a scan of the cells."""
    x, y = char.cx, char.cy
    xs, ys = table.xs, table.ys
    if not (xs[0] <= x <= xs[-1] and ys[0] <= y <= ys[-1]):
        return None
    if table.owner is None:
        table.owner = {
            (c, r): span
            for span in table.cells
            for c in range(span[0], span[2])
            for r in range(span[1], span[3])
        }
    column = min(bisect.bisect_right(xs, x) - 1, len(xs) - 2)
    row = min(bisect.bisect_right(ys, y) - 1, len(ys) - 2)
    return table.owner.get((column, row))


# ---------------------------------------------------------------------------
# Rows


def _page_rows(
    chars: list[_Char],
    tables: list[_Table],
    page_no: int,
    page_height: float,
    previous: tuple[_Table, list[Row], int] | None,
) -> tuple[list[Row], tuple[_Table, list[Row], int] | None]:
    free: list[_Char] = []
    for char in chars:
        for table in tables:
            span = _cell_of(table, char)
            if span is not None:
                table.texts.setdefault(span, []).append(char)
                break
        else:
            free.append(char)

    items: list[tuple[float, int, Row]] = []
    for order, line in enumerate(_lines(free)):
        row = _text_row(line, page_no)
        if row is None:
            continue
        # page numbers in the margins are furniture, not content
        if (row.top < page_height * 0.1 or row.bottom > page_height * 0.9) and _PAGE_NUMBER.match(
            "".join(row.texts).strip()
        ):
            continue
        items.append((row.top, order, row))

    last_table = previous
    for t_index, table in enumerate(tables, start=1):
        table_rows = _table_rows(table, page_no, t_index)
        if not table_rows:
            continue
        if t_index == 1 and previous is not None and not [i for i in items if i[0] < table.ys[0]]:
            _join_split_cells(previous, table, table_rows)
        for order, row in enumerate(table_rows):
            items.append((row.top, 100_000 + order, row))
        last_table = (table, table_rows, page_no)
    items.sort(key=lambda item: (item[0], item[1]))
    rows = [row for _top, _order, row in items if any(c.text for c in row.cells)]
    if tables and last_table is not None and last_table[2] == page_no:
        # a table continues on the next page only if nothing follows it here
        table = last_table[0]
        if any(row.kind == "text" and row.top > table.ys[-1] for row in rows):
            last_table = None
    elif not tables:
        last_table = None
    return rows, last_table


def _table_rows(table: _Table, page_no: int, t_index: int) -> list[Row]:
    by_row: dict[int, list[tuple[int, int, int, int]]] = {}
    for span in table.cells:
        by_row.setdefault(span[1], []).append(span)
    rows = []
    for r in sorted(by_row):
        spans = sorted(by_row[r], key=lambda s: s[0])
        cells = [Cell(_cell_text(table.texts.get(s, [])), round(table.xs[s[0]], 1), round(table.xs[s[2]], 1)) for s in spans]
        table.emitted[r] = list(zip(cells, spans))
        bottom = min(table.ys[s[3]] for s in spans)
        # a box across the whole table holds a caption or a heading ("第二十条第（一）项"), not data
        full_width = len(spans) == 1 and spans[0][0] == 0 and spans[0][2] == len(table.xs) - 1
        rows.append(
            Row(
                cells=cells,
                loc=f"page {page_no} table {t_index} row {len(rows) + 1}",
                kind="text" if full_width else "table",
                page=page_no,
                top=round(table.ys[r], 1),
                bottom=round(bottom, 1),
            )
        )
    return rows


def _join_split_cells(previous: tuple[_Table, list[Row], int], table: _Table, rows: list[Row]) -> None:
    """A cell cut by a page break: its text on the new page joins the cell it started in.

    When a table runs onto the next page, a label cell open at the bottom of the page (the
    group label "（四）无 / 法提供", or a long row label) goes on in the same column of the
    first row on the next page. Word draws a rule at the break either way, so geometry
    cannot tell a cut cell from a new one: the text does. A new cell starts with an item
    marker ("（五）", "3.") or is a number; a continuation is words without a marker.
    """
    old_table = previous[0]
    if not old_table.emitted or not table.emitted:
        return
    last_rule = len(old_table.ys) - 1
    open_cells = [
        cell
        for pairs in old_table.emitted.values()
        for cell, span in pairs
        if span[3] == last_rule and _has_words(cell.text)
    ]
    first_row = table.emitted[min(table.emitted)]
    for new_cell, _span in first_row:
        if not _has_words(new_cell.text) or _ITEM_MARKER.match(new_cell.text):
            continue
        for old_cell in open_cells:
            if abs((new_cell.x0 or 0) - (old_cell.x0 or 0)) <= SNAP and abs((new_cell.x1 or 0) - (old_cell.x1 or 0)) <= SNAP:
                old_cell.text = old_cell.text + new_cell.text
                new_cell.text = ""
                break


_ITEM_MARKER = re.compile(r"^\s*([（(]\s*[一二三四五六七八九十\d]+\s*[)）]|[一二三四五六七八九十]+\s*[、.．]|\d+\s*[、.．])")


def _has_words(text: str) -> bool:
    """Whether a cell holds words (Chinese text), not only a number."""
    stripped = text.strip()
    return bool(stripped) and not stripped[0].isdigit() and any(is_wide(ch) for ch in stripped)


def _cell_text(chars: list[_Char]) -> str:
    if not chars:
        return ""
    return join_wrapped([_line_text(line) for line in _lines(chars)])


_BY_CENTRE_THEN_LEFT = attrgetter("cy", "x0")
_BY_LEFT = attrgetter("x0")


def _lines(chars: list[_Char]) -> list[list[_Char]]:
    """Characters grouped into visual lines, top to bottom, each left to right."""
    lines: list[list[_Char]] = []
    # the band (top, bottom) of the line being built; comparisons inline: this runs per character
    top = bottom = 0.0
    for char in sorted(chars, key=_BY_CENTRE_THEN_LEFT):
        if char.space and not lines:
            continue
        if lines:
            c_top, c_bottom = char.top, char.bottom
            overlap = (bottom if bottom < c_bottom else c_bottom) - (top if top > c_top else c_top)
            height = c_bottom - c_top
            if height < 0.1:
                height = 0.1
            band = bottom - top
            if overlap >= 0.5 * (band if band < height else height):
                lines[-1].append(char)
                if c_top < top:
                    top = c_top
                if c_bottom > bottom:
                    bottom = c_bottom
                continue
        lines.append([char])
        top, bottom = char.top, char.bottom
    return [sorted(line, key=_BY_LEFT) for line in lines]


def _line_text(line: list[_Char]) -> str:
    """A line's text with spaces only where they separate words (never between Chinese characters)."""
    out: list[str] = []
    previous: _Char | None = None
    pending_space = False
    for char in line:
        if char.space:
            pending_space = True
            continue
        if previous is not None:
            gap = char.x0 - previous.x1
            wide_pair = is_wide(previous.text) and is_wide(char.text)
            if not wide_pair and (pending_space or gap > 0.25 * max(char.height, previous.height)):
                out.append(" ")
        out.append(char.text)
        previous = char
        pending_space = False
    return "".join(out)


def _text_row(line: list[_Char], page_no: int) -> Row | None:
    visible = [c for c in line if not c.space]
    if not visible:
        return None
    height = sorted(c.height for c in visible)[len(visible) // 2]
    pieces: list[list[_Char]] = [[]]
    previous: _Char | None = None
    for char in line:
        if previous is not None and not char.space and char.x0 - previous.x1 > CELL_GAP_EMS * height:
            pieces.append([])
        pieces[-1].append(char)
        if not char.space:
            previous = char
    cells = []
    for piece in pieces:
        shown = [c for c in piece if not c.space]
        if shown:
            cells.append(Cell(_line_text(piece).strip(), round(shown[0].x0, 1), round(shown[-1].x1, 1)))
    top = min(c.top for c in visible)
    return Row(
        cells=cells,
        loc=f"page {page_no} y {top:.0f}",
        kind="text",
        page=page_no,
        top=round(top, 1),
        bottom=round(max(c.bottom for c in visible), 1),
    )


def _title(rows: list[Row]) -> str | None:
    """The report's title from its first lines: up to the line naming the report (…年度报告)."""
    lines = []
    for row in rows[:4]:
        if row.kind != "text":
            break
        lines.append("".join(row.texts))
        if "报告" in lines[-1]:
            return "".join(lines).replace(" ", "") if len(lines) > 1 else lines[0]
    return lines[0] if lines else None
