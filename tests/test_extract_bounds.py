"""Bounds of the extractors on files inside the size limit that would still cost gigabytes,
files that are not files, and real reports that only look binary (NUL padding, mixed
encodings)."""

from __future__ import annotations

import io
import os
import random
import time
from pathlib import Path

import pytest

from scrapers.extract import docx as docx_module
from scrapers.extract.decode import decode_bytes
from scrapers.extract.dispatch import extract_document, extract_path
from scrapers.extract.sniff import sniff_format
from scrapers.extract.text import MAX_CELLS_PER_ROW, MAX_ROWS
from scrapers.parse.report import parse_document, parse_file

FIXTURES = Path(__file__).parent / "fixtures"
REPORT = FIXTURES / "corpus" / "seed" / "000_3cfb3787871ff2e9.txt"


def _tables(parse) -> list:
    return [(c.row, c.column, c.value) for c in parse.requests] + [(c.item, c.measure, c.value) for c in parse.proactive]


# ---------------------------------------------------------------------------
# One decoder for real reports that look binary


def test_nul_padded_report_is_read_as_the_report():
    data = REPORT.read_bytes()
    padded = data + b"\0" * 100_000
    assert sniff_format(padded, "report.txt") == "text"
    assert decode_bytes(padded) == (data.decode("utf-8"), "utf-8")
    expected = parse_document(data, "report.txt")
    parse = parse_document(padded, "report.txt")
    assert parse.status == expected.status == "ok"
    assert _tables(parse) == _tables(expected)


def test_report_mixing_utf8_and_gb18030_lines_is_decoded_line_by_line():
    text = REPORT.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    # the head pasted in UTF-8, the tables in GB18030, as reports assembled from pieces are
    mixed = "".join(lines[:20]).encode("utf-8") + "".join(lines[20:]).encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        mixed.decode("utf-8")
    # GB18030 reads the UTF-8 lines without an error, as nonsense
    assert mixed.decode("gb18030", "replace") != text
    assert decode_bytes(mixed) == (text, "utf-8+gb18030")
    # a page that declares GBK is not read as GBK when it is not GBK throughout
    assert decode_bytes(mixed, declared="gbk")[0] == text
    assert sniff_format(mixed, "report.txt") == "text"
    assert _tables(parse_document(mixed, "report.txt")) == _tables(parse_document(REPORT.read_bytes(), "report.txt"))


def test_pure_gb18030_report_stays_gb18030():
    data = REPORT.read_text(encoding="utf-8").encode("gb18030")
    assert decode_bytes(data) == (REPORT.read_text(encoding="utf-8"), "gb18030")


# ---------------------------------------------------------------------------
# Files inside the size limit that would cost gigabytes


def test_49_mb_of_ones_is_cut_with_a_reason():
    data = b"1 1 1\n" * (49 * 1024 * 1024 // 6)
    started = time.perf_counter()
    result = extract_document(data, "report.txt")
    assert time.perf_counter() - started < 3
    assert len(result.rows) == MAX_ROWS
    assert result.problems[0] == "text cut after 1,999,998 characters: no report is that long"
    assert result.problems[1].startswith(f"only the first {MAX_ROWS} lines were read")
    one_line = extract_document(b"1 " * (8 * 1024 * 1024), "report.txt")
    assert [len(r.cells) for r in one_line.rows] == [MAX_CELLS_PER_ROW]
    assert f"cut to their first {MAX_CELLS_PER_ROW} fields" in one_line.problems[-1]


def test_docx_with_an_oversized_xml_part_is_refused_unopened(monkeypatch):
    from docx import Document

    document = Document()
    words = random.Random(5)
    for _ in range(3000):
        document.add_paragraph(" ".join(f"{words.randrange(10**9):x}" for _ in range(12)))
    out = io.BytesIO()
    document.save(out)
    # the real cap is 16 MB; the same rule on a part of a few hundred kilobytes keeps the test small
    monkeypatch.setattr(docx_module, "MAX_XML_PART_BYTES", 256 * 1024)
    result = extract_document(out.getvalue(), "report.docx")
    assert (result.format, result.status) == ("docx", "failed")
    assert result.problems[0].startswith("not a report: word/document.xml is ")
    assert result.problems[0].endswith("MB of XML (limit 0 MB); not opened")


# ---------------------------------------------------------------------------
# Not files


@pytest.mark.parametrize("reader", [parse_file, extract_path])
def test_devices_fifos_and_folders_are_refused_before_reading(tmp_path, reader):
    fifo = tmp_path / "report.pdf"
    os.mkfifo(fifo)
    for path, kind in (("/dev/zero", "a character device"), (fifo, "a FIFO"), (tmp_path, "a directory")):
        started = time.perf_counter()
        result = reader(path)
        assert time.perf_counter() - started < 1
        assert result.status == "failed"
        assert result.problems == [f"not a regular file ({kind}): {path} not read"]
