"""What a document is, from its bytes: portals serve Word files named .html, HTML named .doc,
PDFs without an extension. The file name only breaks ties the content leaves open.

Formats: html | pdf | docx | xlsx | zip | doc | wps | xls | rtf | image | text | binary.
"""

from __future__ import annotations

import io
import re
import zipfile
from itertools import islice

from scrapers.extract.decode import decode_sample, strip_padding

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Stream names in an OLE2 (compound file) directory are UTF-16LE.
_OLE_WORD = "WordDocument".encode("utf-16-le")
_OLE_WORKBOOK = ("Workbook".encode("utf-16-le"), "Book\x00".encode("utf-16-le"))
# Kingsoft WPS Writer files are Word-compatible compound files; some carry WPS's own streams.
_OLE_WPS = ("WpsCustomData".encode("utf-16-le"), "Kingsoft".encode("utf-16-le"))
_IMAGE_MAGIC = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",
    b"GIF87a",
    b"GIF89a",
    b"BM",
    b"II*\x00",
    b"MM\x00*",
)
_HTML_TAG = re.compile(
    r"<\s*(!doctype\s+html|html|head|body|meta|title|table|div|p|span|br|script|style|link)[\s>/]", re.I
)
# A text file may hold a few control characters (form feeds from PDF-to-text, stray NULs);
# a binary file is full of them.
_MAX_CONTROL_SHARE = 0.02
_SAMPLE = 64 * 1024


def sniff_format(data: bytes, name: str | None = None) -> str:
    """The document's format from its content; `name`'s extension only breaks ties."""
    ext = _extension(name)
    head = data[:_SAMPLE]
    if not head:
        return "text" if ext in ("txt", "md") else "binary"
    # PDF allows junk before the header; readers look in the first kilobyte
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _sniff_zip(data, ext)
    if head.startswith(_OLE_MAGIC):
        return _sniff_ole(data, ext)
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if head.startswith(_IMAGE_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return "image"
    text = _decode_sample(head)
    if text is None:
        return "binary"
    if _looks_like_html(text, ext):
        return "html"
    return "text"


def _extension(name: str | None) -> str:
    if not name:
        return ""
    tail = name.rsplit("/", 1)[-1].split("?", 1)[0]
    return tail.rsplit(".", 1)[-1].lower() if "." in tail else ""


def _sniff_zip(data: bytes, ext: str) -> str:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        # a cut-off Office file still holds its entries' local headers
        if b"word/document.xml" in data or (ext == "docx" and b"[Content_Types].xml" in data):
            return "docx"
        if b"xl/workbook.xml" in data or (ext == "xlsx" and b"[Content_Types].xml" in data):
            return "xlsx"
        return "zip"
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "[Content_Types].xml" in names and _WORD_MAIN.search(_read_small(data, "[Content_Types].xml")):
        # a main part named otherwise (word/document2.xml), found through the package's parts list
        return "docx"
    if "[Content_Types].xml" in names and ext in ("docx", "xlsx"):
        return ext
    return "zip"


# the main-part content types of a Word document, macro-enabled document and their templates
_WORD_MAIN = re.compile(rb"(wordprocessingml\.(document|template)|ms-word\.(document|template)\.macroEnabled(Template)?)\.main\+xml")


def _read_small(data: bytes, member: str, limit: int = 1 << 20) -> bytes:
    """A small member of a zip, or nothing when it is large (a parts list is a few kilobytes)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(member)
        return archive.read(info) if info.file_size <= limit else b""


def _sniff_ole(data: bytes, ext: str) -> str:
    """Compound files hold .doc, .wps and .xls alike: the stream names tell them apart."""
    if any(marker in data for marker in _OLE_WPS):
        return "wps"
    if _OLE_WORD in data:
        return "wps" if ext == "wps" else "doc"
    if any(marker in data for marker in _OLE_WORKBOOK):
        return "xls"
    if ext in ("doc", "wps", "xls"):
        return ext
    return "binary"


# Bytes that are control characters in every text encoding read here (UTF-8 and GB18030 never
# use them inside a multi-byte character); tab, line ends, form feed and ^Z are text's own.
_CONTROL_BYTES = bytes(b for b in range(32) if chr(b) not in "\t\n\r\f\v\x1a")
_CONTROL_CHARS = re.compile("[%s\ufffd]" % re.escape(_CONTROL_BYTES.decode("ascii")))


def _decode_sample(head: bytes) -> str | None:
    """The sample as text if it is text: UTF-16 with a BOM, UTF-8, GB18030 or the two mixed
    line by line, with few control characters. Trailing NUL padding is not content."""
    head = strip_padding(head)
    text = decode_sample(head)
    if text is None:
        return None
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        control = len(_CONTROL_CHARS.findall(text))
    else:
        # counted in C: bytes deleted by translate, plus replacement characters from a mixed decode
        control = len(head) - len(head.translate(None, _CONTROL_BYTES)) + text.count("\ufffd")
    if control > _MAX_CONTROL_SHARE * max(len(text), 1):
        return None
    return text


_LEADING_BLANKS = re.compile("[\ufeff \t\r\n]*")
# The page's opening, matched without lowering the text: str.lower maps every CJK character
# through the Unicode case tables, and no character outside ASCII lowers to a letter of these
# words (only İ and the Kelvin sign lower to ASCII letters, i and k, which none holds), so
# ASCII case-folding finds what lowering would.
_PAGE_START = re.compile(r"<!doctype html|<html|<\?xml", re.I | re.A)
_DOCTYPE = re.compile(r"<!doctype html", re.I | re.A)
_HTML_ELEMENT = re.compile(r"<html", re.I | re.A)


def opens_as_page(text: str) -> bool:
    """Whether the text opens as a page does: a doctype, <html> or an XML declaration after the
    leading blanks, and a doctype in its first kilobyte or <html> in its first four."""
    skip = _LEADING_BLANKS.match(text).end()
    return bool(_PAGE_START.match(text, skip) and (_DOCTYPE.search(text, skip, skip + 1024) or _HTML_ELEMENT.search(text, 0, 4096)))


def _looks_like_html(text: str, ext: str) -> bool:
    if opens_as_page(text):
        return True
    sample = text[:_SAMPLE]
    # Markdown and text copied from web pages carry stray line breaks ("<br>") without being
    # pages: under those names, only block structure (paragraphs, tables) makes HTML
    if ext in ("md", "txt", "csv"):
        return sum(1 for tag in _HTML_TAG.findall(sample) if tag.lower() in ("p", "div", "table", "span")) >= 10
    # elsewhere three tags are as many as the answer needs
    tags = sum(1 for _ in islice(_HTML_TAG.finditer(sample), 3))
    if tags >= 3 and text.count("<") > 5:
        return True
    # a fragment with one or two tags: the extension decides
    return tags > 0 and ext in ("html", "htm", "shtml", "xhtml", "jsp", "asp", "aspx", "php")
