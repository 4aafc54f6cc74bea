"""A PDF page's text layer: every character with its box, in top-down page coordinates.

The page's text comes in one pdfium call; each character's box takes one more (pdfium has no
bulk call for boxes), and a second only where the loose box looks inflated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pypdfium2 as pdfium

from scrapers.extract import pdfium_calls as calls


@dataclass(slots=True)
class Char:
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



# A glyph with no Unicode mapping: pdfium gives it as a private-use code, U+FFFD or NUL.
_UNMAPPED = re.compile("[\x00\ue000-\uf8ff\ufffd]")


def unmapped_count(chars: list[Char]) -> int:
    """How many of the characters are unmapped glyphs (each character's text is one code
    point, so one search of their joined text counts them)."""
    return len(_UNMAPPED.findall("".join([c.text for c in chars])))




# Codes pdfium puts in a text page that are not characters of the content (line ends, the
# byte-order mark, its "unknown" placeholder).
_NOT_TEXT = frozenset((0x0D, 0x0A, 0xFFFE, 0x02))


def _page_codes(raw_textpage, count: int) -> list[int]:
    """The Unicode code of every character index, read in one call where pdfium's text and
    its character list line up (they nearly always do), else one call per character."""
    buffer = calls.ffi.new("unsigned short[]", count + 1)
    written = calls.page_text(raw_textpage, 0, count, buffer) if count else 0
    get_unicode, handle = calls.char_unicode, raw_textpage
    if written - 1 == count:
        codes = calls.ffi.unpack(buffer, count)
        # the lengths agree; a few samples confirm the indices do too
        if all(codes[i] == get_unicode(handle, i) for i in range(0, count, max(count // 8, 1))):
            return codes
    return [get_unicode(handle, i) for i in range(count)]


def read_chars(page: pdfium.PdfPage) -> list[Char]:
    """The page's characters with their boxes, in top-down coordinates: the text in one call,
    then one box call per character (a second only where the loose box looks wrong)."""
    width, height = page.get_size()
    left, bottom, _right, top = page.get_cropbox()
    textpage = page.get_textpage()
    chars: list[Char] = []
    # whether a high surrogate was kept: only then can one be left unpaired
    surrogates = False
    try:
        raw_textpage = calls.handle(textpage.raw)
        codes = _page_codes(raw_textpage, calls.count_chars(raw_textpage))
        box = calls.ffi.new("FS_RECTF *")
        box_ref = box
        # the box's four floats (left, top, right, bottom) read in one unpacking, not four field reads
        box_floats = memoryview(calls.ffi.buffer(box)).cast("f")
        # the glyph's own box: left, right, bottom, top
        tight = calls.ffi.new("double[4]")
        tight_refs = [tight + k for k in range(4)]
        loose_box = calls.loose_char_box
        tight_box = calls.char_box
        is_generated = calls.char_is_generated
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
            b_left, b_top, b_right, b_bottom = box_floats
            # max(box width, box height), spelt out: this runs for every character
            loose_side = b_top - b_bottom
            if not loose_side > b_right - b_left:
                loose_side = b_right - b_left
            if loose_side > 40.0 or loose_side <= 0:
                if not tight_box(raw_textpage, i, *tight_refs):
                    continue
                tight_left, tight_right, tight_bottom, tight_top = tight
                tight_side = max(tight_right - tight_left, tight_top - tight_bottom)
                inflated = loose_side > max(4 * tight_side, 40.0) or loose_side <= 0
            else:
                inflated = False
            if inflated:
                x0, x1 = tight_left - left, tight_right - left
                y0, y1 = top - tight_top, top - tight_bottom
            else:
                x0, x1 = b_left - left, b_right - left
                y0, y1 = top - b_top, top - b_bottom
            # hidden text outside the visible page (a known trick of some generators)
            if x1 < 0 or x0 > width or y1 < 0 or y0 > height:
                continue
            if 0xD800 <= code <= 0xDBFF:
                surrogates = True
            text = chr(code)
            append(Char(text, x0, y0, x1, y1, text.isspace(), (x0 + x1) / 2, (y0 + y1) / 2))
    finally:
        textpage.close()
    if surrogates:
        for char in chars:
            if 0xD800 <= ord(char.text[0]) <= 0xDFFF:  # a surrogate left unpaired
                char.text = "\ufffd"
    return chars

