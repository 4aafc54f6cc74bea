"""One entry point for any document: refuse what is too big, sniff the format, call its extractor.

Nothing raised inside an extractor reaches the caller: a crawl of thousands of reports
must not stop on one broken file, so every failure becomes a status and a reason.
"""

from __future__ import annotations

import logging
import os
import stat

from scrapers.extract.decode import drop_invisible
from scrapers.extract.model import Extracted
from scrapers.extract.sniff import sniff_format

log = logging.getLogger(__name__)

# Reports are 10 KB - 5 MB; anything past this is not a report (or is a trap).
MAX_BYTES = 50 * 1024 * 1024


def read_document_file(path: str | os.PathLike, max_bytes: int = MAX_BYTES) -> tuple[bytes | None, str | None]:
    """A file's bytes, or why they were not read: only regular files are read, and only up to
    the cap. The type is checked on the opened descriptor (opened non-blocking, so a FIFO
    cannot hang the open), because /dev/zero reads for ever and a FIFO blocks."""
    name = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        return None, f"cannot read {name}: {exc.strerror or exc}"
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None, f"not a regular file ({_file_kind(info.st_mode)}): {name} not read"
        if info.st_size > max_bytes:
            return None, _too_big(info.st_size, max_bytes).problems[0]
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb") as handle:
            fd = -1
            # at most one byte past the cap: the file may have grown since fstat
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        return None, f"cannot read {name}: {exc.strerror or exc}"
    finally:
        if fd >= 0:
            os.close(fd)
    if len(data) > max_bytes:
        return None, _too_big(len(data), max_bytes).problems[0]
    return data, None


def _file_kind(mode: int) -> str:
    for test, kind in ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return kind
    return "not a plain file"


def extract_path(path: str | os.PathLike, max_bytes: int = MAX_BYTES) -> Extracted:
    """Extract a file, checking its type and size before reading any of it."""
    data, problem = read_document_file(path, max_bytes)
    if problem is not None:
        return Extracted(format="unknown", status="failed", problems=[problem])
    return extract_document(data, str(path), max_bytes=max_bytes)


def extract_document(data: bytes, name: str | None = None, max_bytes: int = MAX_BYTES) -> Extracted:
    """The rows and text of one document, whatever its format. Never raises."""
    if len(data) > max_bytes:
        return _too_big(len(data), max_bytes)
    fmt = "unknown"
    try:
        fmt = sniff_format(data, name)
        return _extract(fmt, data, name)
    except Exception as exc:  # a bug or a library's surprise on hostile input: report it, carry on
        log.exception("extraction of %s (%s) failed", name or "document", fmt)
        return Extracted(format=fmt, status="failed", problems=[f"{fmt} extraction failed: {exc!r}"])


def _too_big(size: int, max_bytes: int) -> Extracted:
    return Extracted(
        format="unknown",
        status="failed",
        problems=[f"file too large: {size / 1048576:.1f} MB is over the {max_bytes / 1048576:.0f} MB limit; not parsed"],
    )


def _shown(ext: Extracted) -> Extracted:
    """A Word or office document's rows and text without the characters a page does not show
    (text pasted from a web page keeps its zero-width spaces); the text and HTML extractors
    drop them before they split their lines."""
    text = drop_invisible(ext.text)
    if text is not ext.text:
        ext.text = text
        for row in ext.rows:
            for cell in row.cells:
                cell.text = drop_invisible(cell.text)
        if ext.title:
            ext.title = drop_invisible(ext.title)
    return ext


def _extract(fmt: str, data: bytes, name: str | None) -> Extracted:
    if fmt == "pdf":
        from scrapers.extract.ocr import PdfPageReader
        from scrapers.extract.pdf import extract_pdf

        # pages without a text layer are read by OCR, within one budget for the document
        reader = PdfPageReader()
        result = extract_pdf(data, ocr_page=reader)
        result.problems.extend(reader.problems)
        return result
    if fmt == "docx":
        from scrapers.extract.docx import extract_docx

        return _shown(extract_docx(data))
    if fmt in ("doc", "wps", "xls", "xlsx", "rtf"):
        from scrapers.extract.legacy import extract_legacy

        return _shown(extract_legacy(data, fmt))
    if fmt == "html":
        from scrapers.extract.html import extract_html

        return extract_html(data)
    if fmt == "text":
        from scrapers.extract.text import extract_text

        return extract_text(data)
    if fmt == "image":
        from scrapers.extract.ocr import extract_image

        return extract_image(data, name)
    if fmt == "zip":
        return Extracted(
            format="zip",
            status="unsupported_format",
            problems=["a zip archive that is not a Word document: unpack it and parse its files one by one"],
        )
    return Extracted(
        format="unknown",
        status="failed",
        problems=[f"not a readable document: binary content of no known format (starts with {data[:8].hex(' ')})"],
    )
