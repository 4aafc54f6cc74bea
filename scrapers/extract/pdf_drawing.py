"""A PDF page's drawing: the horizontal and vertical rules its tables are drawn with, and the
boxes of its images (a scanned page, a table pasted as a picture).
"""

from __future__ import annotations

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from scrapers.extract import pdfium_calls as calls
from scrapers.extract.grid import SNAP, Edge

# Pictures smaller than this share of the page (logos, seals) are not counted as possible tables.
MIN_PICTURE_SHARE = 0.05


def image_cover(page: pdfium.PdfPage, boxes: list[tuple[float, float, float, float]]) -> tuple[float, int]:
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


def read_drawing(page: pdfium.PdfPage) -> tuple[list[Edge], list[Edge], list[tuple[float, float, float, float]]]:
    """Horizontal and vertical rules drawn on the page (top-down coordinates), and the boxes
    of its top-level images (PDF coordinates), in one pass over the page objects."""
    left, _bottom, _right, top = page.get_cropbox()
    horizontal: list[Edge] = []
    vertical: list[Edge] = []
    identity = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    # text objects (most of a page's objects) are left out as they are met, unstacked; the type
    # of each object is asked once, and travels with it on the stack
    get_object, get_type, text_kind = calls.get_object, calls.object_type, pdfium_c.FPDF_PAGEOBJ_TEXT
    raw_page = calls.handle(page.raw)
    stack = []
    for i in range(calls.count_objects(raw_page)):
        obj = get_object(raw_page, i)
        kind = get_type(obj)
        if kind != text_kind:
            stack.append((obj, identity, kind))
    ffi = calls.ffi
    matrix = ffi.new("FS_MATRIX *")
    matrix_ref = matrix
    # a segment's point: pdfium writes x and y into the two floats
    point = ffi.new("float[2]")
    x_ref, y_ref = point, point + 1
    get_segment, get_point = calls.get_segment, calls.segment_point
    segment_type, segment_closes = calls.segment_type, calls.segment_closes
    moveto, lineto = pdfium_c.FPDF_SEGMENT_MOVETO, pdfium_c.FPDF_SEGMENT_LINETO
    image_kind, form_kind, path_kind = pdfium_c.FPDF_PAGEOBJ_IMAGE, pdfium_c.FPDF_PAGEOBJ_FORM, pdfium_c.FPDF_PAGEOBJ_PATH
    budget = 200_000  # segments: a page of vector art is not a table
    images: list[tuple[float, float, float, float]] = []
    bounds = ffi.new("float[4]")
    bounds_refs = [bounds + k for k in range(4)]
    while stack:
        obj, parent, kind = stack.pop()
        if kind == image_kind:
            # scanners often wrap the page image in a form: map its box through the form's matrix
            if calls.object_bounds(obj, *bounds_refs):
                x0, y0, x1, y1 = bounds
                corners = [_apply(parent, x, y) for x, y in ((x0, y0), (x1, y1), (x0, y1), (x1, y0))]
                xs_, ys_ = [c[0] for c in corners], [c[1] for c in corners]
                images.append((min(xs_), min(ys_), max(xs_), max(ys_)))
            continue
        if kind == form_kind:
            if calls.object_matrix(obj, matrix_ref):
                own = _compose((matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f), parent)
                for j in range(calls.form_count_objects(obj)):
                    child = calls.form_get_object(obj, j)
                    stack.append((child, own, get_type(child)))
            continue
        if kind != path_kind:
            continue
        if not calls.object_matrix(obj, matrix_ref):
            continue
        transform = _compose((matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f), parent)
        count = calls.count_segments(obj)
        budget -= count
        if budget < 0:
            break
        # the path's points as two coordinate lists, its straight segments as (ax, ay, bx, by)
        xs: list[float] = []
        ys: list[float] = []
        segments: list[tuple[float, float, float, float]] = []
        # the points a figure could be closed from, with their figure's start: asked below
        closable: list[tuple] = []
        start_x = start_y = 0.0
        # three pdfium calls a segment and cell boxes of five segments each: the loop is kept tight
        ta, tb, tc, td, te, tf = transform
        for j in range(count):
            segment = get_segment(obj, j)
            if not get_point(segment, x_ref, y_ref):
                continue
            px, py = point
            qx, qy = ta * px + tc * py + te, tb * px + td * py + tf
            if not xs:
                # the first point starts a figure, whatever its kind: its kind is not asked
                start_x, start_y = qx, qy
            else:
                kind_of_segment = segment_type(segment)
                if kind_of_segment == moveto:
                    start_x, start_y = qx, qy
                elif kind_of_segment == lineto:
                    segments.append((xs[-1], ys[-1], qx, qy))
            xs.append(qx)
            ys.append(qy)
            # closing a figure draws a line back to its start; from the start itself (a figure's
            # first point, the last point of a rectangle) that line has no length
            if qx != start_x or qy != start_y:
                closable.append((segment, qx, qy, start_x, start_y))
        if not xs:
            continue
        min_x, max_x, min_y, max_y = min(xs), max(xs), min(ys), max(ys)
        span_x, span_y = max_x - min_x, max_y - min_y
        # a rule drawn as a thin filled rectangle: one line along its middle
        if span_x <= SNAP and span_y > SNAP:
            middle = sum(xs) / len(xs)
            segments = [(middle, min_y, middle, max_y)]
        elif span_y <= SNAP and span_x > SNAP:
            middle = sum(ys) / len(ys)
            segments = [(min_x, middle, max_x, middle)]
        elif closable and not (span_x <= SNAP and span_y <= SNAP):
            _add_closing_lines(segments, closable, segment_closes)
        for ax, ay, bx, by in segments:
            if abs(ay - by) < 1.0 and abs(ax - bx) > SNAP:
                # min() and max() of the two ends, spelt out
                horizontal.append(Edge(top - (ay + by) / 2, (bx if bx < ax else ax) - left, (bx if bx > ax else ax) - left))
            elif abs(ax - bx) < 1.0 and abs(ay - by) > SNAP:
                vertical.append(Edge((ax + bx) / 2 - left, top - (by if by > ay else ay), top - (by if by < ay else ay)))
    return horizontal, vertical, images


def _add_closing_lines(segments: list[tuple], closable: list[tuple], segment_closes) -> None:
    """The lines that close figures, where they could make a rule: pdfium is asked whether a
    point closes its figure only where the line back to the start would be a rule (level or
    upright, longer than SNAP) that the path does not already draw. A rectangle's closing
    lines retrace its own sides (a rule drawn twice is the same rule), and a diagonal is no
    rule, so a cell box costs no such question; a path too small or too thin to hold a rule
    in both directions is read without them."""
    present = set(segments)
    for segment, qx, qy, start_x, start_y in closable:
        line = (qx, qy, start_x, start_y)
        dx, dy = abs(qx - start_x), abs(qy - start_y)
        if not ((dy < 1.0 and dx > SNAP) or (dx < 1.0 and dy > SNAP)):
            continue
        if line in present or (start_x, start_y, qx, qy) in present:
            continue
        if segment_closes(segment):
            segments.append(line)
            present.add(line)


def _compose(inner: tuple, outer: tuple) -> tuple:
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _apply(m: tuple, x: float, y: float) -> tuple[float, float]:
    return (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])

