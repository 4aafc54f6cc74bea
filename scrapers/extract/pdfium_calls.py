"""The pdfium functions of the loops over a page's objects, path segments and characters,
called through cffi.

pypdfium2's generated ctypes bindings type each handle as a pointer to an opaque struct: every
call checks its arguments against those types and wraps each handle it returns in a new
ctypes object, which costs as much as pdfium's own work in these small getters. A report's
pages make ten thousand such calls, so these loops call the same C functions (the ones
pypdfium2 loaded: their addresses, not a second copy of the library) through cffi's function
pointers with `void *` handles, whose calls cost about two thirds of a plain-typed ctypes
call. Everything else goes through pypdfium2 as usual.
"""

from __future__ import annotations

import ctypes

import cffi
import pypdfium2.raw as pdfium_c

ffi = cffi.FFI()
# FS_MATRIX and FS_RECTF as fpdfview.h declares them
ffi.cdef("""
typedef struct { float a; float b; float c; float d; float e; float f; } FS_MATRIX;
typedef struct { float left; float top; float right; float bottom; } FS_RECTF;
""")


def handle(pointer):
    """A pypdfium2 handle (a page, a text page) as a `void *` for the functions below."""
    return ffi.cast("void *", ctypes.cast(pointer, ctypes.c_void_p).value or 0)


def _plain(function, signature: str):
    return ffi.cast(signature, ctypes.cast(function, ctypes.c_void_p).value)


# page objects
count_objects = _plain(pdfium_c.FPDFPage_CountObjects, "int (*)(void *)")
get_object = _plain(pdfium_c.FPDFPage_GetObject, "void *(*)(void *, int)")
object_type = _plain(pdfium_c.FPDFPageObj_GetType, "int (*)(void *)")
form_count_objects = _plain(pdfium_c.FPDFFormObj_CountObjects, "int (*)(void *)")
form_get_object = _plain(pdfium_c.FPDFFormObj_GetObject, "void *(*)(void *, unsigned long)")
object_matrix = _plain(pdfium_c.FPDFPageObj_GetMatrix, "int (*)(void *, FS_MATRIX *)")
object_bounds = _plain(pdfium_c.FPDFPageObj_GetBounds, "int (*)(void *, float *, float *, float *, float *)")
# path segments
count_segments = _plain(pdfium_c.FPDFPath_CountSegments, "int (*)(void *)")
get_segment = _plain(pdfium_c.FPDFPath_GetPathSegment, "void *(*)(void *, int)")
segment_point = _plain(pdfium_c.FPDFPathSegment_GetPoint, "int (*)(void *, float *, float *)")
segment_type = _plain(pdfium_c.FPDFPathSegment_GetType, "int (*)(void *)")
segment_closes = _plain(pdfium_c.FPDFPathSegment_GetClose, "int (*)(void *)")
# characters of a text page
count_chars = _plain(pdfium_c.FPDFText_CountChars, "int (*)(void *)")
page_text = _plain(pdfium_c.FPDFText_GetText, "int (*)(void *, int, int, unsigned short *)")
loose_char_box = _plain(pdfium_c.FPDFText_GetLooseCharBox, "int (*)(void *, int, FS_RECTF *)")
char_box = _plain(pdfium_c.FPDFText_GetCharBox, "int (*)(void *, int, double *, double *, double *, double *)")
char_is_generated = _plain(pdfium_c.FPDFText_IsGenerated, "int (*)(void *, int)")
char_unicode = _plain(pdfium_c.FPDFText_GetUnicode, "unsigned int (*)(void *, int)")
