"""Hostile and broken input: each ends in a clear status and reason, quickly, in bounded
memory, and never as an exception to the caller.

The large inputs (a zip bomb, a 200 MB file) are made here at run time, never committed.
"""

from __future__ import annotations

import hashlib
import io
import random
import struct
import time
import tracemalloc
import zlib
from pathlib import Path

import pypdfium2 as pdfium

from scrapers.extract.dispatch import MAX_BYTES, extract_document, extract_path

FIXTURES = Path(__file__).parent / "fixtures"
SECONDS = 3.0


def timed(call, *args, **kwargs):
    started = time.perf_counter()
    result = call(*args, **kwargs)
    elapsed = time.perf_counter() - started
    assert elapsed < SECONDS, f"took {elapsed:.2f} s"
    return result


# ---------------------------------------------------------------------------
# Builders


def _rc4(key: bytes, data: bytes) -> bytes:
    state = list(range(256))
    j = 0
    for i in range(256):
        j = (j + state[i] + key[i % len(key)]) % 256
        state[i], state[j] = state[j], state[i]
    out = bytearray()
    i = j = 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + state[i]) % 256
        state[i], state[j] = state[j], state[i]
        out.append(byte ^ state[(state[i] + state[j]) % 256])
    return bytes(out)


_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def encrypted_pdf(user_password: bytes = b"user", owner_password: bytes = b"owner") -> bytes:
    """A one-page PDF under the standard security handler (revision 2, RC4 40-bit), built by the
    book (PDF 1.7 §7.6.3, algorithms 1-4) so that a reader opens it with the user password."""
    def padded(password: bytes) -> bytes:
        return (password + _PAD)[:32]

    file_id = hashlib.md5(b"xxgk-test").digest()
    permissions = -4
    owner_key = hashlib.md5(padded(owner_password)).digest()[:5]
    o_entry = _rc4(owner_key, padded(user_password))
    key = hashlib.md5(padded(user_password) + o_entry + struct.pack("<i", permissions) + file_id).digest()[:5]
    u_entry = _rc4(key, _PAD)

    def object_key(number: int) -> bytes:
        return hashlib.md5(key + number.to_bytes(3, "little") + (0).to_bytes(2, "little")).digest()[:10]

    content = _rc4(object_key(4), b"BT /F1 24 Tf 72 720 Td (2024 nian) Tj ET")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P %d >>"
        % (o_entry.hex().encode(), u_entry.hex().encode(), permissions),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Encrypt 6 0 R /ID [<%s> <%s>] >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, file_id.hex().encode(), file_id.hex().encode(), xref)
    return bytes(out)


def zip_bomb(megabytes: int) -> bytes:
    """A .docx-looking zip whose word/document.xml inflates to `megabytes` MB of zeros.

    Deflate output after a full flush is self-contained, so one compressed megabyte of zeros
    (about 1 KB) repeated N times is a valid stream of N MB: the bomb is built in milliseconds.
    """
    megabyte = b"\0" * (1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(megabyte) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeats = megabytes
    final = zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    bomb = block * repeats + final
    size = len(megabyte) * repeats
    # the CRC is left 0: nothing may ever inflate this far to check it
    entries = [
        ("[Content_Types].xml", b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'),
        ("word/document.xml", None),
    ]
    out = bytearray()
    central = bytearray()
    for name, plain in entries:
        raw_name = name.encode()
        if plain is None:
            payload, usize, crc = bomb, size, 0
        else:
            c = zlib.compressobj(9, zlib.DEFLATED, -15)
            payload, usize, crc = c.compress(plain) + c.flush(), len(plain), zlib.crc32(plain)
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(payload), usize, len(raw_name), 0)
        out += raw_name + payload
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(payload), usize,
                               len(raw_name), 0, 0, 0, 0, 0, offset) + raw_name
    start = len(out)
    out += central
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), start, 0)
    return bytes(out)


# ---------------------------------------------------------------------------
# Cases


def test_truncated_html_is_read_as_far_as_it_goes():
    page = (FIXTURES / "corpus" / "docs" / "shanghai-general-office-2019.html").read_bytes()
    # cut inside a tag and inside a multi-byte character
    cut = page[: page.index(b"<td", len(page) // 2) + 2] + "申".encode()[:2]
    result = timed(extract_document, cut, "page.html")
    assert result.format == "html"
    assert result.status is None, result.problems
    assert "主动公开政府信息情况" in result.text


def test_corrupt_pdf_fails_with_reason():
    pdf = (FIXTURES / "corpus" / "docs" / "jiangsu-hongze-district-gov-2024.pdf").read_bytes()
    for broken in (pdf[: len(pdf) // 2], b"%PDF-1.7\n" + random.Random(7).randbytes(5000)):
        result = timed(extract_document, broken, "report.pdf")
        assert (result.format, result.status) == ("pdf", "failed")
        assert "corrupt or truncated PDF" in result.problems[0]


def test_encrypted_pdf_fails_as_encrypted():
    data = encrypted_pdf()
    # the PDF is genuinely encrypted: it opens with its password, and only with it
    document = pdfium.PdfDocument(data, password="user")
    assert "2024" in document[0].get_textpage().get_text_range()
    document.close()
    result = timed(extract_document, data, "report.pdf")
    assert (result.format, result.status) == ("pdf", "failed")
    assert result.problems == ["encrypted PDF: it needs a password to open"]


def test_zip_bomb_posing_as_docx_is_refused_unopened():
    bomb = zip_bomb(1024)
    assert len(bomb) < 2 * 1024 * 1024
    tracemalloc.start()
    try:
        result = timed(extract_document, bomb, "report.docx")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (result.format, result.status) == ("docx", "failed")
    assert "zip bomb suspected" in result.problems[0] and "1024 MB uncompressed" in result.problems[0]
    assert peak < 20 * 1024 * 1024


def test_ratio_bomb_under_the_size_cap_is_refused():
    # 64 MB of zeros: under the total cap, but no Word XML deflates 1000x
    result = timed(extract_document, zip_bomb(64), "report.docx")
    assert result.status == "failed" and "inflates" in result.problems[0]


def test_file_over_the_cap_is_refused_before_reading(tmp_path):
    huge = tmp_path / "report.pdf"
    with open(huge, "wb") as handle:
        # sparse: 200 MB on paper, nothing on disk
        handle.truncate(200 * 1024 * 1024)
    tracemalloc.start()
    try:
        result = timed(extract_path, huge)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.status == "failed"
    assert result.problems == ["file too large: 200.0 MB is over the 50 MB limit; not parsed"]
    assert peak < 1024 * 1024


def test_bytes_over_the_cap_are_refused_without_parsing():
    result = timed(extract_document, b"%PDF-1.7\n" + b"\0" * MAX_BYTES, "report.pdf")
    assert result.status == "failed" and result.problems[0].startswith("file too large")


def test_binary_garbage_fails_with_reason():
    garbage = random.Random(11).randbytes(100_000)
    result = timed(extract_document, garbage, "report.html")
    assert (result.format, result.status) == ("unknown", "failed")
    assert result.problems[0].startswith("not a readable document: binary content")


def test_missing_file_fails_with_reason(tmp_path):
    result = extract_path(tmp_path / "absent.pdf")
    assert result.status == "failed" and "cannot read" in result.problems[0]


def test_extractor_bug_never_reaches_the_caller(monkeypatch):
    import scrapers.extract.pdf as pdf_module

    def explode(data: bytes, **options):
        raise RuntimeError("boom")

    monkeypatch.setattr(pdf_module, "extract_pdf", explode)
    result = extract_document((FIXTURES / "corpus" / "docs" / "jiangsu-hongze-district-gov-2024.pdf").read_bytes())
    assert (result.format, result.status) == ("pdf", "failed")
    assert "boom" in result.problems[0]


def test_truncated_docx_fails_with_reason():
    from docx import Document

    out = io.BytesIO()
    document = Document()
    document.add_paragraph("2024年政府信息公开工作年度报告")
    document.save(out)
    for name in ("report.docx", None):
        result = timed(extract_document, out.getvalue()[:5000], name)
        assert (result.format, result.status) == ("docx", "failed")
        assert result.problems[0].startswith("not a valid .docx")
