"""OCR: pixels -> rows of cells, for image files and PDF pages without a usable text layer.

RapidOCR (PP-OCR detection and recognition models, shipped inside the `rapidocr` wheel, run
by onnxruntime on the CPU) reads each text box with its polygon and confidence. This module
places the boxes: where the picture has ruling lines, the ruled grid says which boxes belong
to which cell (the same grid rule as a ruled PDF, `grid.find_tables`), and a ruled cell
without a box is a blank cell; elsewhere boxes on one line make a text row. The rows then go
to the same template reader as every other format.

Every OCR'd cell keeps its box as its `loc` ("page 3 box x=.. y=.. w=.. h=..": points for a
PDF page, pixels for an image file) and its recognition confidence, so the parse can name
the cells it doubts: a ruled cell with marks but no text, or a box running over a rule, has
confidence 0. A cell that must be a number has the usual glyph confusions (O for 0, l for 1,
S for 5, B for 8) corrected, and every correction is recorded in the problems.

Callers: `extract_image` (an image file), `extract_images` (pictures read in order as the
pages of one document), `extract_page_with_pictures` (an HTML page and the bodies of its
`<img>`, which the crawler fetches) and `PdfPageReader` (the hook `pdf.extract_pdf` calls for
a page without text).
"""

from __future__ import annotations

import functools
import io
import logging
import math
import re
import statistics
import time
import unicodedata
import warnings
from dataclasses import dataclass, field

import numpy as np

from scrapers.extract.cell_text import join_wrapped
from scrapers.extract.grid import SNAP, Edge, find_tables, grid_rows, place_in_cells
from scrapers.extract.layout import is_margin_page_number, text_of, title_of, visual_lines
from scrapers.extract.model import Cell, Extracted, Row

log = logging.getLogger(__name__)

# Header dimensions above this are refused before a byte is decoded (a 50,000 x 50,000 px PNG
# would need 7.5 GB); a 600 dpi A3 scan is 70 MP.
MAX_PIXELS = 80_000_000
# Recognition needs no more than this width, and no more than OCR_PIXELS in all; larger
# pictures are scaled down first, which also bounds the memory of one page.
MAX_SIDE = 2600
OCR_PIXELS = 30_000_000
# Pictures taller than this are read in bands (a long screenshot of a report page).
TILE_HEIGHT = 2000
TILE_OVERLAP = 200
# PDF pages are rendered at this resolution: 150 dpi makes 10.5 pt text about 22 px high,
# well inside what the recognition model was trained on.
PDF_DPI = 150
# Per document: pages read by OCR, and seconds spent on them (about 5 s a page on one core).
MAX_OCR_PAGES = 60
TIME_BUDGET_SECONDS = 420.0
# onnxruntime threads per OCR engine (one engine per process).
THREADS = 1
# An image file is scaled so its width maps to an A4 page (595 pt): the grid's tolerances are
# in points, like a PDF's.
A4_WIDTH_PT = 595.0
# Skew beyond this is not a scan or a photo of a page but a picture at an angle: left alone.
MAX_SKEW_DEGREES = 10.0
# Boxes on one line outside a table are separate cells when further apart than this many
# box heights.
CELL_GAP_EMS = 0.3
# A ruled cell without a box but with this share of dark pixels holds something unread.
INK_SHARE = 0.01

_CONFUSABLE_DIGITS = str.maketrans({"O": "0", "o": "0", "D": "0", "Q": "0", "〇": "0", "l": "1", "I": "1", "|": "1",
                                    "i": "1", "S": "5", "s": "5", "B": "8", "Z": "2", "z": "2"})
_NUMBERISH = re.compile(r"^[\dOoDQ〇lI|iSsBZz.,]+$")


class OcrUnavailable(RuntimeError):
    """The OCR engine cannot be loaded (not installed, or its model files are missing)."""


@functools.cache
def _engine():
    """One RapidOCR engine per process: loading the models takes about a second."""
    try:
        from pathlib import Path

        import rapidocr
        from rapidocr import RapidOCR
    except ImportError as exc:  # pragma: no cover - the dependency is pinned
        raise OcrUnavailable(f"rapidocr is not installed: {exc}") from exc
    # The models ship in the wheel; naming their folder keeps the engine from looking elsewhere.
    models = Path(rapidocr.__file__).parent / "models"
    if not any(models.glob("*det*.onnx")) or not any(models.glob("*rec*.onnx")):
        raise OcrUnavailable(f"the OCR models are missing from {models}")
    return RapidOCR(
        params={
            "Global.log_level": "warning",
            "Global.model_root_dir": str(models),
            # the text of a report is upright; the direction classifier would only cost time
            "Global.use_cls": False,
            # bands and pages are at most TILE_HEIGHT x MAX_SIDE: nothing for the engine to shrink
            "Global.max_side_len": max(MAX_SIDE, TILE_HEIGHT),
            # most boxes are one number: padding each to 320 px for recognition wastes a third of the time
            "Rec.rec_img_shape": [3, 48, 160],
            # boxes are found on the page scaled to 1280 px (a 150 dpi A4 page is 1754 px high);
            # each box is then read from the full-resolution pixels: 15% less time, same text
            "Det.limit_type": "max",
            "Det.limit_side_len": 1280,
            # one thread per process: parses run in parallel worker processes, and onnxruntime's
            # spinning thread pool loses more than it gains on a shared core
            "EngineConfig.onnxruntime.intra_op_num_threads": THREADS,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        }
    )


# ---------------------------------------------------------------------------
# Boxes


@dataclass(slots=True)
class _Box:
    text: str
    score: float
    # axis-aligned box in the deskewed image, pixels
    x0: float
    y0: float
    x1: float
    y1: float
    # and in points, for the grid
    scale: float = 1.0
    # the detector's quadrilateral (4 x 2, pixels), kept to straighten a page without rules
    polygon: np.ndarray | None = None
    # never a space: a box is read text (layout.visual_lines skips spaces that start a line)
    space: bool = False

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    # what the grid lookup and the line grouping read: the centre in points, the band in pixels
    @property
    def top(self) -> float:
        return self.y0

    @property
    def bottom(self) -> float:
        return self.y1

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2 * self.scale

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2 * self.scale


@dataclass
class PageResult:
    rows: list[Row] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    boxes: int = 0
    skew_degrees: float = 0.0


def _recognise(gray: np.ndarray) -> list[_Box]:
    """The text boxes of a page. A long picture (a screenshot of a whole web page) is read in
    overlapping bands of TILE_HEIGHT: the detector would otherwise shrink it until its text is
    too small to read, or need gigabytes to see it whole. A box belongs to the band whose
    middle part holds its centre, so none is read twice."""
    height = gray.shape[0]
    if height <= TILE_HEIGHT:
        return _recognise_tile(gray, 0)
    boxes = []
    step = TILE_HEIGHT - TILE_OVERLAP
    starts = list(range(0, height - TILE_OVERLAP, step))
    for i, start in enumerate(starts):
        keep_from = start + TILE_OVERLAP / 2 if i else 0
        keep_to = start + step + TILE_OVERLAP / 2 if i + 1 < len(starts) else height
        for box in _recognise_tile(gray[start : start + TILE_HEIGHT], start):
            if keep_from <= (box.y0 + box.y1) / 2 < keep_to:
                boxes.append(box)
    return boxes


def _read_crop(gray: np.ndarray) -> tuple[str, float] | None:
    """Recognition alone on a cell the detector found nothing in: a thin "1" in a blurred
    photo is often missed by the detector and read well once it is pointed at."""
    if gray.size == 0 or min(gray.shape) < 8:
        return None
    output = _engine()(gray, use_det=False, use_cls=False, use_rec=True)
    if not output.txts:
        return None
    text = unicodedata.normalize("NFKC", output.txts[0]).strip()
    return (text, float(output.scores[0])) if text else None


def _recognise_tile(gray: np.ndarray, offset: int) -> list[_Box]:
    # the engine keeps the last call's steps: name them every time
    output = _engine()(gray, use_det=True, use_cls=False, use_rec=True)
    if output.boxes is None or output.txts is None:
        return []
    boxes = []
    for polygon, text, score in zip(output.boxes, output.txts, output.scores):
        text = unicodedata.normalize("NFKC", text).strip()
        if not text:
            continue
        quad = np.asarray(polygon, dtype=float) + [0.0, offset]
        xs, ys = quad[:, 0], quad[:, 1]
        boxes.append(_Box(text, float(score), float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max()), polygon=quad))
    return boxes


def _text_skew(boxes: list[_Box]) -> float | None:
    """The skew in degrees from the slant of long text boxes, for a page without rules."""
    angles, weights = [], []
    for b in boxes:
        if b.polygon is None or len(b.polygon) != 4:
            continue
        (x0, y0), (x1, y1) = b.polygon[0], b.polygon[1]
        length = math.hypot(x1 - x0, y1 - y0)
        # a line of several characters: its top edge says how the page lies
        if length < 3 * max(b.height, 1.0) * 0.5 or x1 <= x0:
            continue
        angle = math.degrees(math.atan2(y1 - y0, x1 - x0))
        if abs(angle) <= MAX_SKEW_DEGREES:
            angles.append(angle)
            weights.append(length)
    if len(angles) < 3:
        return None
    order = np.argsort(angles)
    cumulative = np.cumsum(np.asarray(weights)[order])
    return float(np.asarray(angles)[order][np.searchsorted(cumulative, cumulative[-1] / 2)])


def _straighten(boxes: list[_Box], matrix: np.ndarray) -> None:
    """Boxes mapped through a rotation: the page is turned in coordinates, not in pixels."""
    for b in boxes:
        if b.polygon is None:
            continue
        turned = np.hstack([b.polygon, np.ones((len(b.polygon), 1))]) @ matrix.T
        b.x0, b.y0 = float(turned[:, 0].min()), float(turned[:, 1].min())
        b.x1, b.y1 = float(turned[:, 0].max()), float(turned[:, 1].max())
        b.polygon = turned


# ---------------------------------------------------------------------------
# Ruling lines and skew


def _binary(gray: np.ndarray) -> np.ndarray:
    import cv2

    # adaptive, not global: shaded header cells and the uneven light of a photo stay white
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15)


def _skew_angle(binary: np.ndarray) -> float | None:
    """The page's skew in degrees from its long, nearly horizontal rules; None without rules."""
    import cv2

    width = binary.shape[1]
    lines = cv2.HoughLinesP(binary, 1, np.pi / 1800, threshold=200, minLineLength=width // 4, maxLineGap=4)
    if lines is None:
        return None
    angles, weights = [], []
    for x1, y1, x2, y2 in np.asarray(lines).reshape(-1, 4):
        length = math.hypot(x2 - x1, y2 - y1)
        angle = math.degrees(math.atan2(y2 - y1, x2 - x1))
        if abs(angle) <= MAX_SKEW_DEGREES:
            angles.append(angle)
            weights.append(length)
    if not angles:
        return None
    order = np.argsort(angles)
    cumulative = np.cumsum(np.asarray(weights)[order])
    # the length-weighted median: a few stray strokes do not tilt the page
    return float(np.asarray(angles)[order][np.searchsorted(cumulative, cumulative[-1] / 2)])


def _rotate(gray: np.ndarray, degrees: float) -> tuple[np.ndarray, np.ndarray]:
    """The image turned by `degrees` about its centre on a white ground, and the inverse map."""
    import cv2

    height, width = gray.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    turned = cv2.warpAffine(gray, matrix, (width, height), flags=cv2.INTER_LINEAR, borderValue=255)
    return turned, cv2.invertAffineTransform(matrix)


def _rules(binary: np.ndarray, boxes: list[_Box], text_height: float, scale: float):
    """Horizontal and vertical rules as the PDF reader's edges (points). A stroke of a
    character can pass for a short rule; it lies inside its text box, where a rule runs on
    past the box, so pieces inside a box are dropped (wiping the boxes instead would cut the
    rules that run through them)."""
    import cv2


    height, width = binary.shape
    # a rule is longer than a character is high; rows are at least a text line high
    span = max(12, int(text_height * 1.2))
    horizontal_mask = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(span, width // 60), 1)))
    vertical_mask = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, span)))
    # scans break thin rules into dashes: bridge gaps of a few pixels
    horizontal_mask = cv2.dilate(horizontal_mask, cv2.getStructuringElement(cv2.MORPH_RECT, (7, 1)))
    vertical_mask = cv2.dilate(vertical_mask, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 7)))
    extents = np.array([(b.x0 - 2, b.y0 - 2, b.x1 + 2, b.y1 + 2) for b in boxes]) if boxes else np.zeros((0, 4))

    def inside_a_box(x: int, y: int, w: int, h: int) -> bool:
        return bool(np.any((extents[:, 0] <= x) & (extents[:, 1] <= y) & (extents[:, 2] >= x + w) & (extents[:, 3] >= y + h)))

    horizontal, vertical = [], []
    count, _labels, stats, _centroids = cv2.connectedComponentsWithStats(horizontal_mask, connectivity=8)
    for x, y, w, h, _area in stats[1:count].tolist():
        if w >= 2 * span and h <= max(8, w // 10) and not inside_a_box(x, y, w, h):
            horizontal.append(Edge((y + h / 2) * scale, (x + 3) * scale, (x + w - 3) * scale))
    count, _labels, stats, _centroids = cv2.connectedComponentsWithStats(vertical_mask, connectivity=8)
    for x, y, w, h, _area in stats[1:count].tolist():
        if h >= span and w <= max(8, h // 4) and not inside_a_box(x, y, w, h):
            vertical.append(Edge((x + w / 2) * scale, (y + 3) * scale, (y + h - 3) * scale))
    _close_open_ends(horizontal, vertical, span * scale)
    return horizontal, vertical, horizontal_mask | vertical_mask


def _close_open_ends(horizontal: list, vertical: list, min_gap: float) -> None:
    """A table cut by the page (continued on the next, or from the previous) has no rule
    across its open end, only its column rules running on: close it where they stop."""

    if len(vertical) < 3:
        return
    for end, pick, beyond in (("bottom", max, lambda y, h: y > h + min_gap), ("top", min, lambda y, h: y < h - min_gap)):
        edge = pick(v.hi if end == "bottom" else v.lo for v in vertical)
        reaching = [v for v in vertical if abs((v.hi if end == "bottom" else v.lo) - edge) <= SNAP]
        if len(reaching) < 3:
            continue
        lo, hi = min(v.pos for v in reaching), max(v.pos for v in reaching)
        across = [h.pos for h in horizontal if h.lo <= lo + SNAP and h.hi >= hi - SNAP]
        if not across or beyond(edge, pick(across)):
            horizontal.append(Edge(edge, lo, hi))


# ---------------------------------------------------------------------------
# One page


def read_page(gray: np.ndarray, page_no: int, *, scale: float, unit: str = "px") -> PageResult:
    """The rows of one page image (8-bit grayscale). `scale` converts pixels to points;
    `unit` says what the locs count: "pt" for a PDF page, "px" for an image file."""
    import cv2

    result = PageResult()
    binary = _binary(gray)
    skew = _skew_angle(binary)
    inverse = None
    if skew is not None and abs(skew) >= 0.1:
        gray, inverse = _rotate(gray, skew)
        binary = _binary(gray)
        result.skew_degrees = round(skew, 2)
    boxes = _recognise(gray)
    result.boxes = len(boxes)
    if not boxes:
        result.problems.append(f"page {page_no}: OCR found no text")
        return result
    if inverse is None:
        # no rules to go by: the text lines say how the page is turned
        text_skew = _text_skew(boxes)
        if text_skew is not None and abs(text_skew) >= 0.3:
            height, width = gray.shape
            matrix = cv2.getRotationMatrix2D((width / 2, height / 2), text_skew, 1.0)
            _straighten(boxes, matrix)
            inverse = cv2.invertAffineTransform(matrix)
            result.skew_degrees = round(text_skew, 2)
    for b in boxes:
        b.scale = scale
    text_height = statistics.median(b.height for b in boxes)
    horizontal, vertical, rule_mask = _rules(binary, boxes, text_height, scale)

    tables = find_tables((horizontal, vertical))

    def loc(x0: float, y0: float, x1: float, y1: float) -> str:
        if inverse is not None:
            corners = np.array([[x0, y0, 1], [x1, y0, 1], [x0, y1, 1], [x1, y1, 1]], dtype=float) @ inverse.T
            x0, y0 = corners[:, 0].min(), corners[:, 1].min()
            x1, y1 = corners[:, 0].max(), corners[:, 1].max()
        k = scale if unit == "pt" else 1.0
        return f"page {page_no} box x={x0 * k:.0f} y={y0 * k:.0f} w={(x1 - x0) * k:.0f} h={(y1 - y0) * k:.0f}"

    free = place_in_cells(boxes, tables)

    items: list[tuple[float, int, Row]] = []
    ink = cv2.bitwise_and(binary, cv2.bitwise_not(rule_mask))
    for t_index, table in enumerate(tables):
        rows = _table_rows(table, gray, ink, scale, page_no, t_index + 1, loc, result.problems)
        items.extend((row.top or 0.0, 100_000 + order, row) for order, row in enumerate(rows))
    page_height = gray.shape[0] * scale
    for order, line in enumerate(visual_lines(free, min_height=1.0)):
        row = _text_row(line, page_no, scale, loc)
        if is_margin_page_number(row, page_height):
            continue
        items.append((row.top or 0.0, order, row))
    items.sort(key=lambda item: (item[0], item[1]))
    result.rows = [row for _top, _order, row in items]
    _correct_numbers(result.rows, result.problems)
    return result


def _table_rows(table, gray, ink, scale, page_no, t_index, loc, problems) -> list[Row]:
    def cell(s: tuple[int, int, int, int]) -> Cell:
        x0, x1 = table.xs[s[0]], table.xs[s[2]]
        y0, y1 = table.ys[s[1]], table.ys[s[3]]
        found = table.texts.get(s, [])
        if found:
            lines = visual_lines(found, min_height=1.0)
            text = join_wrapped([_join_line(line) for line in lines])
            bx0, by0 = min(b.x0 for b in found), min(b.y0 for b in found)
            bx1, by1 = max(b.x1 for b in found), max(b.y1 for b in found)
            confidence = min(b.score for b in found)
            where = loc(bx0, by0, bx1, by1)
            # a box running well over the cell's rules holds text of a neighbour too
            over = max(0.0, x0 - bx0 * scale) + max(0.0, bx1 * scale - x1)
            if over > 0.3 * (bx1 - bx0) * scale:
                problems.append(f"{where}: the text {text!r} runs over its cell's rules; doubtful")
                confidence = min(confidence, 0.0)
            return Cell(text, round(x0, 1), round(x1, 1), loc=where, confidence=round(confidence, 3))
        # a ruled cell with no box is blank, unless it holds marks the OCR did not read
        px0, py0, px1, py1 = (int(v / scale) for v in (x0, y0, x1, y1))
        inner = ink[py0 + 4 : py1 - 3, px0 + 4 : px1 - 3]
        where = loc(px0, py0, px1, py1)
        if inner.size and np.count_nonzero(inner) > INK_SHARE * inner.size:
            second = _read_crop(gray[py0 + 3 : py1 - 2, px0 + 3 : px1 - 2])
            # only a number is taken this way: a seal or a smudge read as a word is not a cell
            if second is not None and _NUMBERISH.match(second[0]) and any(ch.isdigit() for ch in second[0]):
                problems.append(f"{where}: the detector missed {second[0]!r}; read from the cell alone")
                return Cell(second[0], round(x0, 1), round(x1, 1), loc=where, confidence=round(second[1], 3))
            problems.append(f"{where}: a cell with marks that OCR could not read")
            return Cell("", round(x0, 1), round(x1, 1), loc=where, confidence=0.0)
        return Cell("", round(x0, 1), round(x1, 1), loc=where, confidence=1.0)

    return [row for row in grid_rows(table, page_no, t_index, cell) if any(c.text for c in row.cells)]


def _join_line(line: list[_Box]) -> str:
    return join_wrapped([b.text for b in line])


def _text_row(line: list[_Box], page_no: int, scale: float, loc) -> Row:
    height = statistics.median(b.height for b in line)
    pieces: list[list[_Box]] = [[]]
    for b in line:
        # the detector already split the line where the print leaves a gap: each box is a
        # cell unless it nearly touches the one before
        if pieces[-1] and b.x0 - pieces[-1][-1].x1 > CELL_GAP_EMS * height:
            pieces.append([])
        pieces[-1].append(b)
    cells = []
    for piece in pieces:
        x0, y0 = min(b.x0 for b in piece), min(b.y0 for b in piece)
        x1, y1 = max(b.x1 for b in piece), max(b.y1 for b in piece)
        cells.append(Cell(_join_line(piece), round(x0 * scale, 1), round(x1 * scale, 1), loc=loc(x0, y0, x1, y1),
                          confidence=round(min(b.score for b in piece), 3)))
    top = min(b.y0 for b in line) * scale
    return Row(cells=cells, loc=f"page {page_no} y {top:.0f}", kind="text", page=page_no,
               top=round(top, 1), bottom=round(max(b.y1 for b in line) * scale, 1))


def _correct_numbers(rows: list[Row], problems: list[str]) -> None:
    """Glyph confusions fixed only in cells that must hold a number: every character is a
    digit or a look-alike and at least one real digit is there, or the cell stands in a
    table column whose other cells are all numbers."""
    # every non-empty table cell, with its column: (table, x0)
    table_cells = [
        (cell, (row.loc.rsplit(" row ", 1)[0], cell.x0 or 0.0), cell.text.replace(" ", ""))
        for row in rows
        if row.kind == "table"
        for cell in row.cells
        if cell.text.replace(" ", "")
    ]
    numeric_columns: dict[tuple[str, float], list[bool]] = {}
    for _cell, column_key, text in table_cells:
        numeric_columns.setdefault(column_key, []).append(text.replace(",", "").isdigit())
    for cell, column_key, text in table_cells:
        if text.replace(",", "").replace(".", "", 1).isdigit() or not _NUMBERISH.match(text):
            continue
        # this cell's own entry is a False among them
        column = numeric_columns[column_key]
        others = len(column) - 1
        numbers_around = sum(column) >= 2 and 3 * sum(column) >= 2 * others
        if not (any(ch.isdigit() for ch in text) or numbers_around):
            continue
        fixed = text.translate(_CONFUSABLE_DIGITS)
        problems.append(f"{cell.loc}: OCR read {cell.text!r} where a number must be; read as {fixed}")
        cell.text = fixed


# ---------------------------------------------------------------------------
# Documents


class Budget:
    """Pages and seconds of OCR left for one document."""

    def __init__(self, max_pages: int = MAX_OCR_PAGES, seconds: float = TIME_BUDGET_SECONDS):
        self.max_pages = max_pages
        self.seconds = seconds
        self.pages = 0
        self.spent = 0.0
        self.problems: list[str] = []
        self.stopped = False

    def allows(self, page_no: int) -> bool:
        if self.stopped:
            return False
        if self.pages >= self.max_pages:
            self.problems.append(f"OCR stopped at page {page_no}: the limit of {self.max_pages} OCR pages per document is reached")
            self.stopped = True
        elif self.spent > self.seconds:
            self.problems.append(f"OCR stopped at page {page_no}: the time budget of {self.seconds:g} s per document is spent")
            self.stopped = True
        return not self.stopped

    def spend(self, seconds: float) -> None:
        self.pages += 1
        self.spent += seconds


def _fit(gray: np.ndarray) -> tuple[np.ndarray, float]:
    """The image scaled down to MAX_SIDE wide and OCR_PIXELS in all, and the factor applied."""
    import cv2

    height, width = gray.shape
    factor = min(1.0, MAX_SIDE / width, math.sqrt(OCR_PIXELS / (width * height)))
    if factor < 1.0:
        gray = cv2.resize(gray, (max(1, int(width * factor)), max(1, int(height * factor))), interpolation=cv2.INTER_AREA)
    return gray, factor


class PdfPageReader:
    """What `pdf.extract_pdf` calls for each page without a usable text layer: renders the
    page with pypdfium2 and reads it. Returns None once the document's OCR budget is spent."""

    def __init__(self, budget: Budget | None = None, dpi: int = PDF_DPI):
        self.budget = budget or Budget()
        self.dpi = dpi
        self.pages_read: list[int] = []

    @property
    def problems(self) -> list[str]:
        return self.budget.problems

    def __call__(self, page, page_no: int) -> list[Row] | None:
        if not self.budget.allows(page_no):
            return None
        started = time.monotonic()
        try:
            width, height = page.get_size()
            # the resolution cap holds for any page size: a poster-sized page is rendered coarser
            scale = min(self.dpi / 72, MAX_SIDE / max(width, 1.0), math.sqrt(OCR_PIXELS / max(width * height, 1.0)))
            bitmap = page.render(scale=scale, grayscale=True)
            gray = np.array(bitmap.to_numpy(), copy=True)
            bitmap.close()
            if gray.ndim == 3:
                gray = gray[:, :, 0]
            page_result = read_page(gray, page_no, scale=1 / scale, unit="pt")
        except OcrUnavailable as exc:
            self.budget.problems.append(f"page {page_no} needs OCR, which is not available: {exc}")
            self.budget.stopped = True
            return None
        finally:
            self.budget.spend(time.monotonic() - started)
        self.pages_read.append(page_no)
        self.budget.problems.extend(page_result.problems)
        return page_result.rows


def image_size(data: bytes) -> tuple[int, int, int]:
    """Width, height and frame count from the image's header, without decoding its pixels."""
    from PIL import Image

    # PIL's own guard refuses to open a huge image without saying how big it is; only the
    # header is read here (nothing is decoded), and our cap is checked on what it says
    guard = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None
    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.width, image.height, getattr(image, "n_frames", 1)
    finally:
        Image.MAX_IMAGE_PIXELS = guard


def extract_image(data: bytes, name: str | None = None, *, budget: Budget | None = None) -> Extracted:
    """An image file (PNG, JPEG, GIF, BMP, TIFF, WebP; every frame of a multi-page TIFF is a page)."""
    return extract_images([data], [name], budget=budget)


def extract_images(bodies: list[bytes], names: list[str | None] | None = None, *, budget: Budget | None = None) -> Extracted:
    """Pictures read in order as the pages of one document: an image file, or the table
    images of an HTML report page (its `<img>` bodies, fetched by the crawler). Never raises."""
    from PIL import Image, UnidentifiedImageError

    budget = budget or Budget()
    result = Extracted(format="image-ocr")
    names = names or [None] * len(bodies)
    page_no = 0
    for data, name in zip(bodies, names):
        label = name.rsplit("/", 1)[-1] if name else f"image {page_no + 1}"
        try:
            size = image_size(data)
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
            result.problems.append(f"{label}: not a readable image ({exc})")
            continue
        if size[0] * size[1] > MAX_PIXELS:
            result.problems.append(
                f"{label}: image too large to OCR ({size[0]} x {size[1]} px; the cap is {MAX_PIXELS / 1e6:.0f} megapixels); not decoded"
            )
            continue
        width, _height, frames = size
        for frame in range(frames):
            page_no += 1
            if not budget.allows(page_no):
                break
            started = time.monotonic()
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                    with Image.open(io.BytesIO(data)) as image:
                        image.seek(frame)
                        # JPEG can decode straight to a smaller size: no full-size copy in memory
                        image.draft("L", (MAX_SIDE, int(MAX_SIDE * image.height / max(image.width, 1))))
                        gray = np.asarray(_flatten(image))
                gray, factor = _fit(gray)
                page_result = read_page(gray, page_no, scale=A4_WIDTH_PT / gray.shape[1], unit="px")
                if factor < 1.0 or gray.shape[1] != width:
                    # locs count the pixels of the image as published
                    ratio = width / gray.shape[1]
                    for row in page_result.rows:
                        for cell in row.cells:
                            cell.loc = _rescale_loc(cell.loc, ratio)
            except OcrUnavailable as exc:
                result.format = "image"
                result.status = "needs_ocr"
                result.problems.append(f"the document is an image and OCR is not available: {exc}")
                return result
            except (OSError, ValueError, SyntaxError, EOFError) as exc:
                result.problems.append(f"{label}: the image cannot be decoded ({exc})")
                continue
            finally:
                budget.spend(time.monotonic() - started)
            result.rows.extend(page_result.rows)
            result.problems.extend(page_result.problems)
    result.problems.extend(budget.problems)
    if not result.rows:
        if not budget.pages:
            result.format = "image"  # nothing was decoded, let alone read
        result.status = "failed"
        if not result.problems:
            result.problems.append("OCR found no text in the image")
        return result
    result.text = text_of(result.rows)
    result.title = title_of(result.rows)
    return result


def _flatten(image):
    """8-bit grayscale on white: transparent pixels are paper, not ink."""
    from PIL import Image

    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        ground = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(ground, rgba)
    return image.convert("L")


_LOC_NUMBERS = re.compile(r"(x|y|w|h)=(\d+)")


def _rescale_loc(loc: str | None, ratio: float) -> str | None:
    if loc is None:
        return None
    return _LOC_NUMBERS.sub(lambda m: f"{m[1]}={round(int(m[2]) * ratio)}", loc)


def extract_page_with_pictures(html: bytes, pictures: dict[str, bytes], *, budget: Budget | None = None) -> Extracted:
    """An HTML report page whose tables are pictures: the page's own rows, with the rows OCR
    reads from each `<img>` put where the picture stands. `pictures` maps an `<img src>` as
    written in the page to the image's bytes (the crawler fetches them); a picture it lacks
    is named in the problems. The format is "html-ocr" once a picture was read."""
    import lxml.html
    from lxml import etree

    from scrapers.extract.decode import decode_bytes
    from scrapers.extract.html import extract_html

    page = extract_html(html)
    if page.status or not pictures:
        return page
    try:
        root = lxml.html.document_fromstring(decode_bytes(html)[0])
    except (etree.ParserError, ValueError):
        return page
    budget = budget or Budget()
    # where each picture stands: after as much of the page's text as precedes it
    spoken = [len(_squeeze("".join(row.texts))) for row in page.rows]
    ends = list(np.cumsum(spoken)) if spoken else []
    inserts: list[tuple[int, list[Row]]] = []
    for number, img in enumerate(root.iter("img"), start=1):
        src = (img.get("src") or "").strip()
        if src not in pictures:
            if src:
                page.problems.append(f"picture {number} ({src}) was not fetched: its content is not read")
            continue
        before = len(_squeeze("".join(img.xpath("preceding::text()[not(ancestor::script or ancestor::style or ancestor::head)]"))))
        at = int(np.searchsorted(ends, before, side="right")) if ends else 0
        read = extract_images([pictures[src]], [src], budget=budget)
        page.problems.extend(p for p in read.problems if p not in page.problems)
        # each picture is its own page 1: name it by its place in the page instead
        for row in read.rows:
            row.loc = row.loc.replace("page ", f"picture {number} page ", 1)
            for cell in row.cells:
                cell.loc = cell.loc.replace("page ", f"picture {number} page ", 1) if cell.loc else cell.loc
        inserts.append((at, read.rows))
    if not any(rows for _, rows in inserts):
        return page
    # from the last picture back, so earlier insertion points stay where they were
    for at, rows in reversed(inserts):
        page.rows[at:at] = rows
    page.format = "html-ocr"
    page.text = text_of(page.rows)
    return page


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)
