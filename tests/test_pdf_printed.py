"""Every 2019+ gold report printed to PDF by Chromium in the shapes other tools' PDFs take (see
tests/pdf_printed.py) parses to its gold, or is `partial` with the missing cells named: never a
wrong number. Ruled shapes keep every cell, so they must read every cell."""

from __future__ import annotations

import shutil
import subprocess
from functools import lru_cache

import pypdfium2 as pdfium
import pytest

from gold import CORPUS, gold_cells, load_gold, parse_cells
from pdf_printed import CHROMIUM, CHROMIUM_ARGS, CJK_FONT, SHAPES, print_pdf, spanned_blocks
from scrapers.extract.dispatch import extract_document
from scrapers.parse.report import parse_document
from test_renderings import SOURCES, judge

# With no rules, a blank cell is only space: which column a lone number is in is not printed.
LOSSY_SHAPES = {"borderless"}


@lru_cache(maxsize=None)
def _blocks(name: str):
    doc, gold = load_gold(CORPUS / "gold" / f"{name}.json")
    data = doc.read_bytes()
    rows = extract_document(data, doc.name).rows
    return spanned_blocks(rows, data if doc.suffix == ".html" else None), gold


@pytest.fixture(scope="module")
def printer():
    """Prints a (source, shape) once per worker, on first use."""
    if not CHROMIUM.exists():
        pytest.fail("no /usr/bin/chromium: install Debian's chromium (.ci/run does it)")
    fonts = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True).stdout if shutil.which("fc-list") else ""
    if CJK_FONT not in fonts:
        pytest.fail(f"no CJK font {CJK_FONT!r} (`fc-list :lang=zh`): install fonts-wqy-zenhei (.ci/run does it)")
    from playwright.sync_api import sync_playwright

    printed: dict[tuple[str, str], bytes] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()

        def pdf(name: str, shape: str) -> bytes:
            if (name, shape) not in printed:
                printed[name, shape] = print_pdf(page, _blocks(name)[0], SHAPES[shape])
            return printed[name, shape]

        yield pdf
        browser.close()


@pytest.mark.parametrize("shape", sorted(SHAPES))
@pytest.mark.parametrize("name", SOURCES)
def test_printed_pdf_reads_the_gold(printer, name, shape):
    gold = _blocks(name)[1]
    parse = parse_document(printer(name, shape), f"{name}.{shape}.pdf").to_json()
    assert parse["format"] == "pdf"
    assert not judge(parse, gold), (parse["status"], judge(parse, gold)[:8], parse["problems"][:8])
    if shape not in LOSSY_SHAPES:
        missing = sorted(k for k in gold_cells(gold) if k not in parse_cells(parse))
        assert not missing, (missing[:6], parse["problems"][:6])


def _page_texts(data: bytes) -> list[str]:
    pdf = pdfium.PdfDocument(data)
    try:
        return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    finally:
        pdf.close()


def test_the_shapes_are_what_they_say(printer):
    """The paged shape breaks table 三 over pages and prints its header on each, with a
    page number in the footer; the narrow one wraps a label that the landscape one does not."""
    name = "jiangsu-hongze-district-gov-2023"
    pages = _page_texts(printer(name, "paged"))
    with_header = [k for k, text in enumerate(pages) if "申请人情况" in text]
    assert len(with_header) >= 2 and with_header == list(range(with_header[0], with_header[0] + len(with_header))), with_header
    assert all(f"- {k + 1} -" in text for k, text in enumerate(pages))
    label = "本机关不掌握相关政府信息"
    assert label not in "".join(_page_texts(printer(name, "narrow")))
    assert label in "".join(_page_texts(printer(name, "landscape")))
    pdf = pdfium.PdfDocument(printer(name, "landscape"))
    try:
        width, height = pdf[0].get_size()
    finally:
        pdf.close()
    assert width > height
