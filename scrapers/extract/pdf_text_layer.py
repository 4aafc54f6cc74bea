"""A PDF page's text layer: every character with its box, in top-down page coordinates.

The page's text comes in one pdfium call; each character's box takes one more (pdfium has no
bulk call for boxes), and a second only where the loose box looks inflated.
"""

from __future__ import annotations

import re
from itertools import repeat
from typing import NamedTuple

import numpy as np

import pypdfium2 as pdfium

from scrapers.extract import pdfium_calls as calls


class Char(NamedTuple):
    """A character and its box. A named tuple: a page's characters are made in one C-level
    pass over their columns (tuple.__new__), two thousand to a report's page set."""

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
    then one box call per character (a second only where the loose box looks wrong). The boxes
    land in one array and are tested and moved to page coordinates as arrays; only the
    characters kept become Char objects."""
    width, height = page.get_size()
    left, bottom, _right, top = page.get_cropbox()
    textpage = page.get_textpage()
    try:
        raw_textpage = calls.handle(textpage.raw)
        codes = _page_codes(raw_textpage, calls.count_chars(raw_textpage))
        is_generated = calls.char_is_generated
        # pdfium inserts spaces and line breaks between words it infers: not content
        candidates = [
            i for i, code in enumerate(codes) if code not in _NOT_TEXT and not (code == 0x20 and is_generated(raw_textpage, i))
        ]
        # characters beyond the BMP (rare place-name characters) come as UTF-16 surrogate pairs;
        # a low surrogate has no box of its own: it joins the character before it
        paired = any(0xD800 <= codes[i] <= 0xDFFF for i in candidates) if max(codes, default=0) >= 0xD800 else False
        boxed = [i for i in candidates if not 0xDC00 <= codes[i] <= 0xDFFF] if paired else candidates
        kept, x0, top_, x1, bottom_ = _boxes(raw_textpage, boxed, left, top, width, height)
    finally:
        textpage.close()
    texts = list(map(chr, [codes[i] for i in kept]))
    cx, cy = (x0 + x1) / 2, (top_ + bottom_) / 2
    columns = zip(texts, x0.tolist(), top_.tolist(), x1.tolist(), bottom_.tolist(), map(str.isspace, texts), cx.tolist(), cy.tolist())
    chars = list(map(tuple.__new__, repeat(Char), columns))
    if paired:
        _pair_surrogates(chars, kept, [i for i in candidates if 0xDC00 <= codes[i] <= 0xDFFF], codes)
    return chars


def _boxes(raw_textpage, indices: list[int], left: float, top: float, width: float, height: float):
    """The characters at `indices` that have a box on the visible page: their indices, and
    their x0, top, x1 and bottom as arrays in top-down page coordinates."""
    ffi = calls.ffi
    count = len(indices)
    rects = ffi.new("FS_RECTF[]", max(count, 1))
    loose_box = calls.loose_char_box
    ok = np.array([loose_box(raw_textpage, i, rects + k) for k, i in enumerate(indices)], dtype=bool)
    # left, top, right, bottom of each loose box, as the doubles Python reads the floats as
    box = np.frombuffer(ffi.buffer(rects), dtype=np.float32)[: 4 * count].reshape(count, 4).astype(np.float64)
    b_left, b_top, b_right, b_bottom = box[:, 0], box[:, 1], box[:, 2], box[:, 3]
    x0, x1 = b_left - left, b_right - left
    y0, y1 = top - b_top, top - b_bottom
    # The loose box (the font's full height) keeps a line's characters on one band, but pdfium
    # inflates it to hundreds of points for vertically set glyphs: fall back to the glyph's own
    # box there. Only a loose side over 40 pt (or none) can be inflated.
    high, wide = b_top - b_bottom, b_right - b_left
    loose_side = np.where(high > wide, high, wide)
    suspect = np.flatnonzero(ok & ((loose_side > 40.0) | (loose_side <= 0)))
    if len(suspect):
        tight = ffi.new("double[4]")
        tight_refs = [tight + k for k in range(4)]
        for k in suspect.tolist():
            if not calls.char_box(raw_textpage, indices[k], *tight_refs):
                ok[k] = False
                continue
            tight_left, tight_right, tight_bottom, tight_top = tight
            side = float(loose_side[k])
            tight_side = max(tight_right - tight_left, tight_top - tight_bottom)
            if side > max(4 * tight_side, 40.0) or side <= 0:
                x0[k], x1[k] = tight_left - left, tight_right - left
                y0[k], y1[k] = top - tight_top, top - tight_bottom
    # hidden text outside the visible page (a known trick of some generators)
    keep = np.flatnonzero(ok & ~((x1 < 0) | (x0 > width) | (y1 < 0) | (y0 > height)))
    return [indices[k] for k in keep.tolist()], x0[keep], y0[keep], x1[keep], y1[keep]


def _pair_surrogates(chars: list[Char], kept: list[int], lows: list[int], codes: list[int]) -> None:
    """Each low surrogate joins the character kept before it when that is a high surrogate
    still alone; a surrogate left unpaired is unreadable."""
    k = -1
    for i in lows:
        while k + 1 < len(chars) and kept[k + 1] < i:
            k += 1
        if k >= 0:
            previous = chars[k]
            if len(previous.text) == 1 and 0xD800 <= ord(previous.text) <= 0xDBFF:
                pair = chr(0x10000 + ((ord(previous.text) - 0xD800) << 10) + (codes[i] - 0xDC00))
                chars[k] = previous._replace(text=pair)
    for k, char in enumerate(chars):
        if 0xD800 <= ord(char.text[0]) <= 0xDFFF:
            chars[k] = char._replace(text="\ufffd")
