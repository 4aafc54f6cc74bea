"""Format detection from content: portals mislabel files, so the name only breaks ties."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import pytest
from docx import Document

from hypothesis import given
from hypothesis import strategies as st

from scrapers.extract.sniff import opens_as_page, sniff_format

FIXTURES = Path(__file__).parent / "fixtures"
PDF = (FIXTURES / "corpus" / "docs" / "jiangsu-hongze-district-gov-2023.pdf").read_bytes()
HTML = (FIXTURES / "corpus" / "docs" / "shanghai-general-office-2019.html").read_bytes()
TEXT = "二、主动公开政府信息情况\n信息内容\t本年新制作数量\t本年新公开数量\n规章\t0\t0\t0\n" * 20


def _docx() -> bytes:
    out = io.BytesIO()
    document = Document()
    document.add_paragraph("2019年政府信息公开工作年度报告")
    document.save(out)
    return out.getvalue()


def _zip(names: list[str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return out.getvalue()


def _compound_file(stream: str) -> bytes:
    """The start of an OLE2 compound file with one directory entry named `stream`."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    entry = stream.encode("utf-16-le").ljust(64, b"\0") + b"\0" * 64
    return header + b"\0" * 512 + entry + b"\0" * 384


@pytest.mark.parametrize("name", ["report.pdf", "report.html", "download.do?id=3", None])
def test_pdf_whatever_the_name(name):
    assert sniff_format(PDF, name) == "pdf"


def test_pdf_with_junk_before_the_header():
    assert sniff_format(b"\r\n\xef\xbb\xbf" + PDF) == "pdf"


@pytest.mark.parametrize("name", ["report.docx", "report.doc", "report.zip", None])
def test_docx_by_its_parts(name):
    assert sniff_format(_docx(), name) == "docx"


def test_other_zips():
    assert sniff_format(_zip(["xl/workbook.xml", "[Content_Types].xml"])) == "xlsx"
    assert sniff_format(_zip(["a.pdf", "b.pdf"]), "attachments.zip") == "zip"


def test_compound_files_by_stream_names():
    assert sniff_format(_compound_file("WordDocument"), None) == "doc"
    assert sniff_format(_compound_file("WordDocument"), "report.wps") == "wps"
    assert sniff_format(_compound_file("Workbook"), "report.doc") == "xls"
    assert sniff_format(_compound_file("Unknown"), "report.wps") == "wps"
    assert sniff_format(_compound_file("Unknown"), None) == "binary"


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030", "utf-16"])
@pytest.mark.parametrize("name", ["report.html", "report.txt", "report.pdf", None])
def test_html_in_any_encoding_and_name(encoding, name):
    page = HTML.decode("utf-8").replace('charset="utf-8"', "")
    assert sniff_format(page.encode(encoding), name) == "html"


def test_html_fragment_needs_the_extension():
    fragment = "<p>二〇一九年政府信息公开工作年度报告</p>".encode()
    assert sniff_format(fragment, "report.html") == "html"
    assert sniff_format(fragment, None) == "text"


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030", "utf-16"])
def test_text_in_any_encoding(encoding):
    assert sniff_format(TEXT.encode(encoding), "report.pdf") == "text"


def test_text_cut_inside_a_character_is_still_text():
    data = TEXT.encode("utf-8")
    assert sniff_format(data[: data.index("主".encode()) + 1]) == "text"


def test_markdown_with_stray_tags_is_text():
    md = "| 规章 | 0 | 0 |<br>\n| 规范性文件 | 1 | 2 |<br>\n<br><br><br>\n" * 5
    assert sniff_format(md.encode(), "report.md") == "text"


def test_images_and_rtf():
    assert sniff_format(b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "table.html") == "image"
    assert sniff_format(b"\xff\xd8\xff\xe0" + b"\0" * 100) == "image"
    assert sniff_format(b"GIF89a" + b"\0" * 100) == "image"
    assert sniff_format(rb"{\rtf1\ansi 2019}", "report.doc") == "rtf"


def test_binary_garbage_and_empty():
    assert sniff_format(random.Random(3).randbytes(10_000), "report.txt") == "binary"
    assert sniff_format(b"", None) == "binary"
    # text with NULs sprinkled through it (UTF-16 without a BOM, a broken export) is not text
    assert sniff_format("政府信息公开".encode("utf-16-le") * 100) == "binary"


def test_dispatch_gives_each_unreadable_format_its_status(monkeypatch, tmp_path):
    from scrapers.extract.dispatch import extract_document

    monkeypatch.setenv("PATH", str(tmp_path))  # no converters
    # an image is read by OCR; one whose bytes are not a picture fails with the reason
    image = extract_document(b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "table.png")
    assert (image.format, image.status) == ("image", "failed") and "not a readable image" in image.problems[0]
    archive = extract_document(_zip(["a.pdf"]), "attachments.zip")
    assert (archive.format, archive.status) == ("zip", "unsupported_format")
    rtf = extract_document(rb"{\rtf1\ansi 2019}", "report.doc")
    assert (rtf.format, rtf.status, rtf.problems) == ("rtf", "unsupported_format", ["RTF: no converter installed (libreoffice)"])



def _opens_lowered(text: str) -> bool:
    """What a page's opening is, by its first definition: the text lowered, then searched."""
    skip = len(text) - len(text.lstrip("\ufeff \t\r\n"))
    start = text[skip : skip + 1024].lower()
    return start.startswith(("<!doctype html", "<html", "<?xml")) and ("<!doctype html" in start or "<html" in text[:4096].lower())


# the openings in any case, blanks, CJK text long enough to push a word past the first
# kilobyte, and the characters outside ASCII that lower to ASCII letters (İ to i̇, the Kelvin
# sign to k) or change case oddly (ǅ)
_OPENING_PIECES = ["<!doctype html", "<!DOCTYPE HTML", "<!DocType Html", "<HtMl", "<html", "<?XML", "<?xml", "\ufeff", " ",
                   "\n", "中", "İ", "\u212a", "ǅ", "<p>", "<!doctype", " html", "<ht", "ml", "中" * 1100]


@given(st.lists(st.sampled_from(_OPENING_PIECES), max_size=12))
def test_a_page_opening_is_found_case_blind_exactly_where_the_lowered_text_shows_it(pieces):
    # the sniff reads the opening in ASCII case only, never lowering the text (str.lower of a
    # kilobyte of CJK was a third of its time): no character outside ASCII lowers into its words
    text = "".join(pieces)
    assert opens_as_page(text) == _opens_lowered(text)
