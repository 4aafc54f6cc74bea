"""The pdfium functions of the loops over a page's objects, path segments and characters,
declared with plain handles.

pypdfium2's generated bindings type each handle as a pointer to an opaque struct: every call
checks its arguments against those types and wraps each handle it returns in a new ctypes
object, which costs as much as pdfium's own work in these small getters. A report's pages make
tens of thousands of such calls, so these loops call the same C functions declared with
`c_void_p` handles (plain ints in Python). Everything else goes through pypdfium2 as usual.
"""

from __future__ import annotations

import ctypes
from ctypes import POINTER, c_double, c_float, c_int, c_uint, c_ulong, c_void_p

import pypdfium2.raw as pdfium_c


def handle(pointer) -> int | None:
    """The address behind a pypdfium2 handle (a page, a text page), for the functions below."""
    return ctypes.cast(pointer, c_void_p).value


def _plain(function, restype, *argtypes):
    return ctypes.CFUNCTYPE(restype, *argtypes)(ctypes.cast(function, c_void_p).value)


# page objects
count_objects = _plain(pdfium_c.FPDFPage_CountObjects, c_int, c_void_p)
get_object = _plain(pdfium_c.FPDFPage_GetObject, c_void_p, c_void_p, c_int)
object_type = _plain(pdfium_c.FPDFPageObj_GetType, c_int, c_void_p)
form_count_objects = _plain(pdfium_c.FPDFFormObj_CountObjects, c_int, c_void_p)
form_get_object = _plain(pdfium_c.FPDFFormObj_GetObject, c_void_p, c_void_p, c_ulong)
object_matrix = _plain(pdfium_c.FPDFPageObj_GetMatrix, c_int, c_void_p, POINTER(pdfium_c.FS_MATRIX))
object_bounds = _plain(pdfium_c.FPDFPageObj_GetBounds, c_int, c_void_p, *(POINTER(c_float),) * 4)
# path segments
count_segments = _plain(pdfium_c.FPDFPath_CountSegments, c_int, c_void_p)
get_segment = _plain(pdfium_c.FPDFPath_GetPathSegment, c_void_p, c_void_p, c_int)
segment_point = _plain(pdfium_c.FPDFPathSegment_GetPoint, c_int, c_void_p, POINTER(c_float), POINTER(c_float))
segment_type = _plain(pdfium_c.FPDFPathSegment_GetType, c_int, c_void_p)
segment_closes = _plain(pdfium_c.FPDFPathSegment_GetClose, c_int, c_void_p)
# characters of a text page
loose_char_box = _plain(pdfium_c.FPDFText_GetLooseCharBox, c_int, c_void_p, c_int, POINTER(pdfium_c.FS_RECTF))
char_box = _plain(pdfium_c.FPDFText_GetCharBox, c_int, c_void_p, c_int, *(POINTER(c_double),) * 4)
char_is_generated = _plain(pdfium_c.FPDFText_IsGenerated, c_int, c_void_p, c_int)
char_unicode = _plain(pdfium_c.FPDFText_GetUnicode, c_uint, c_void_p, c_int)
