"""PDF extraction on the three real Jiangsu reports: every gold number must come out in the
Row of its printed label, in its printed column.

The labels are matched here with the substring variants of seeds/label_variants.csv, not
with the parser, so these tests check the extractor's rows alone.
"""

from __future__ import annotations

import csv
import json
import re
import time
import unicodedata
from pathlib import Path

import pytest

from scrapers.extract.model import Row
from scrapers.extract.pdf import extract_pdf
from scrapers.settings import SEEDS_DIR

CORPUS = Path(__file__).parent / "fixtures" / "corpus"
FIXTURES = CORPUS / "docs"
REPORTS = ["jiangsu-hongze-district-gov-2023", "jiangsu-hongze-district-gov-2024", "jiangsu-huaian-city-gov-2024"]
COLUMNS = ["natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
           "legal_service_org", "other_org", "total"]
HEADERS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace(" ", "")


def _variants(dimension: str) -> dict[str, list[tuple[str, str]]]:
    """code -> [(match, variant)]: "contains" variants match inside the row's label, "exact"
    ones a whole label cell once its item marker ("3、") is off."""
    out: dict[str, list[tuple[str, str]]] = {}
    with open(SEEDS_DIR / "label_variants.csv", encoding="utf-8") as handle:
        for rec in csv.DictReader(handle):
            if rec["dimension"] == dimension:
                out.setdefault(rec["code"], []).append((rec["match"], _norm(rec["variant"])))
    return out


_MARKER = re.compile(r"^(\d+[.、]|\([一二三四五六七八九十]+\)|[一二三四五六七八九十]+、)")


def _matches(row: Row, variants: list[tuple[str, str]]) -> bool:
    label = _label(row)
    cells = {_MARKER.sub("", _norm(c.text)) for c in row.cells if c.text and not _is_number(c.text)}
    return any(v in label if how == "contains" else v in cells for how, v in variants)


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", ""))
        return True
    except ValueError:
        return False


def _label(row: Row) -> str:
    return _norm("".join(c.text for c in row.cells if c.text and not _is_number(c.text)))


def _numbers(row: Row) -> list:
    return [c for c in row.cells if c.text and _is_number(c.text)]


def _value(text: str):
    number = float(text.replace(",", ""))
    return int(number) if number.is_integer() else number


@pytest.fixture(scope="module", params=REPORTS)
def report(request):
    name = request.param
    gold = json.loads((CORPUS / "gold" / f"{name}.json").read_text(encoding="utf-8"))
    extracted = extract_pdf((FIXTURES / f"{name}.pdf").read_bytes())
    return name, gold, extracted


def _only_row(rows: list[Row], variants: list[tuple[str, str]], width: int, what: str) -> Row:
    found = [r for r in rows if r.kind == "table" and len(_numbers(r)) == width and _matches(r, variants)]
    assert len(found) == 1, f"{what}: {len(found)} rows match {variants}: {[r.texts for r in found]}"
    return found[0]


def test_extraction_succeeds_with_text_and_title(report):
    _name, gold, extracted = report
    assert extracted.status is None, extracted.problems
    assert extracted.format == "pdf"
    assert f"{gold['year']}" in extracted.title and "年度报告" in extracted.title
    # the narrative is there for year and office detection, in reading order
    assert extracted.text.index("一、总体情况") < extracted.text.index("五、存在的主要问题")


def test_table_three_rows_hold_their_label_and_seven_numbers(report):
    name, gold, extracted = report
    variants = _variants("request_row")
    for code, expected in gold["requests"].items():
        row = _only_row(extracted.rows, variants[code], 7, f"{name} {code}")
        assert [_value(c.text) for c in _numbers(row)] == [expected[col] for col in COLUMNS], (name, code, row.texts)
        assert row.page is not None and row.top is not None and row.bottom is not None and row.top < row.bottom


def test_table_three_numbers_sit_under_their_column_headers(report):
    name, gold, extracted = report
    header_cells = {}
    for row in extracted.rows:
        for cell in row.cells:
            if _norm(cell.text) in HEADERS and cell.x0 is not None and _norm(cell.text) not in header_cells:
                header_cells[_norm(cell.text)] = cell
    assert set(header_cells) == set(HEADERS), f"{name}: headers found {sorted(header_cells)}"
    row = _only_row(extracted.rows, _variants("request_row")["new_received"], 7, name)
    for header, cell in zip(HEADERS, _numbers(row)):
        centre = (cell.x0 + cell.x1) / 2
        assert header_cells[header].x0 <= centre <= header_cells[header].x1, (name, header, cell)


def test_vertical_label_stays_out_of_row_labels(report):
    name, _gold, extracted = report
    rows = [r for r in extracted.rows if r.kind == "table"]
    # "三、本年度办理结果" is printed one character per line in a merged cell: it must come
    # out whole, once, as its own cell, never as fragments inside other labels
    holders = [c.text for r in rows for c in r.cells if "本年度办理结果" in _norm(c.text)]
    assert holders == ["三、本年度办理结果"], (name, holders)
    granted = _only_row(rows, _variants("request_row")["granted"], 7, name)
    assert [c.text for c in granted.cells[:2]] == ["三、本年度办理结果", "（一）予以公开"]


def test_labels_wrapped_inside_cells_are_joined(report):
    name, _gold, extracted = report
    labels = [_norm(c.text) for r in extracted.rows if r.kind == "table" for c in r.cells]
    for whole in ("商业企业", "(三)不予公开", "(四)无法提供", "5.要求行政机关确认或重新出具已获取信息",
                  "(二)部分公开(区分处理的,只计这一情形,不计其他情形)"):
        assert whole in labels, (name, whole)


def test_table_four_numbers_in_one_row_in_order(report):
    name, gold, extracted = report
    expected = [gold["appeals"][p][r] for p in ("review", "litigation_direct", "litigation_after_review")
                for r in ("upheld", "corrected", "other", "pending", "total")]
    found = [[_value(c.text) for c in _numbers(r)] for r in extracted.rows if len(_numbers(r)) == 15]
    assert found == [expected], name


def test_table_two_rows_have_their_numbers(report):
    name, gold, extracted = report
    variants = _variants("proactive_item")
    for item, measures in gold["proactive"].items():
        row = _only_row(extracted.rows, variants[item], len(measures), f"{name} {item}")
        assert [_value(c.text) for c in _numbers(row)] == list(measures.values()), (name, item)


def test_group_label_cut_by_page_break_is_joined():
    # Regression: 淮安's "（四）无法提供" starts at the foot of page 4 and ends on page 5.
    extracted = extract_pdf((FIXTURES / "jiangsu-huaian-city-gov-2024.pdf").read_bytes())
    cells = [(r.page, c.text) for r in extracted.rows for c in r.cells]
    assert (4, "（四）无法提供") in cells
    assert not any(text == "法提供" for _page, text in cells)


def test_page_numbers_are_not_rows():
    extracted = extract_pdf((FIXTURES / "jiangsu-hongze-district-gov-2024.pdf").read_bytes())
    assert not any(_norm("".join(r.texts)) in ("-1-", "-2-", "-3-") for r in extracted.rows)


def test_pdf_extraction_is_fast():
    # the goal is 10 PDF reports a second on one core; allow slack for a loaded CI machine
    data = [(FIXTURES / f"{name}.pdf").read_bytes() for name in REPORTS]
    started = time.perf_counter()
    for blob in data:
        extract_pdf(blob)
    assert (time.perf_counter() - started) / len(data) < 0.5


def test_narrative_inside_ruled_boxes_is_text_not_table():
    # 洪泽 prints its narrative in one-column boxes, one per line: ruled paper, not a table
    extracted = extract_pdf((FIXTURES / "jiangsu-hongze-district-gov-2023.pdf").read_bytes())
    row = next(r for r in extracted.rows if "本报告由淮安市洪泽区人民政府办公室" in "".join(r.texts))
    assert row.kind == "text" and row.page == 1


# ---------------------------------------------------------------------------
# Made-up PDFs for what the corpus lacks: unruled tables, scans, very long documents


def _pdf_with_text(pages: list[list[tuple[float, float, str]]]) -> bytes:
    """A PDF whose pages show (x, y-from-top, text) runs in Helvetica."""
    import ctypes
    import io

    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    document = pdfium.PdfDocument.new()
    for runs in pages:
        page = document.new_page(595, 842)
        for x, y, text in runs:
            obj = pdfium_c.FPDFPageObj_NewTextObj(document.raw, b"Helvetica", ctypes.c_float(12))
            encoded = (text + "\0").encode("utf-16-le")
            pdfium_c.FPDFText_SetText(obj, ctypes.cast(ctypes.c_char_p(encoded), ctypes.POINTER(pdfium_c.FPDF_WCHAR)))
            pdfium_c.FPDFPageObj_Transform(obj, 1, 0, 0, 1, x, 842 - y)
            pdfium_c.FPDFPage_InsertObject(page.raw, obj)
        page.gen_content()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _scanned_pdf(pages: int) -> bytes:
    import io

    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    document = pdfium.PdfDocument.new()
    for _ in range(pages):
        page = document.new_page(595, 842)
        bitmap = pdfium.PdfBitmap.new_native(120, 170, pdfium_c.FPDFBitmap_BGR)
        bitmap.fill_rect((255, 255, 255, 255), 0, 0, 120, 170)
        bitmap.fill_rect((0, 0, 0, 255), 10, 20, 100, 2)
        image = pdfium.PdfImage.new(document)
        image.set_bitmap(bitmap)
        image.set_matrix(pdfium.PdfMatrix().scale(595, 842))
        page.insert_obj(image)
        page.gen_content()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_unruled_line_splits_into_cells_at_wide_gaps():
    data = _pdf_with_text([[(72, 100, "Total applications"), (300, 100, "12"), (360, 100, "0"), (420, 100, "12")]])
    rows = extract_pdf(data).rows
    assert [r.kind for r in rows] == ["text"]
    assert rows[0].texts == ["Total applications", "12", "0", "12"]
    assert [c.x0 for c in rows[0].cells] == sorted(c.x0 for c in rows[0].cells)
    assert rows[0].cells[1].x0 == pytest.approx(300, abs=1)


def test_borderless_row_splits_between_numbers_and_after_its_label_at_narrow_gaps():
    # a borderless table's columns stand ~10 pt apart, under the 1.5 em of a cell gap: numbers
    # never hold a gap, so digits apart are two cells, and a line with two numbers of its own is
    # a row whose label ends where its first value starts; a line with one number is left whole
    data = _pdf_with_text([[(72, 100, "Refused"), (127, 100, "12"), (150, 100, "0"), (167, 100, "12")],
                           [(72, 130, "Total"), (112, 130, "12")],
                           [(72, 160, "Received 12 requests in 2023")]])
    rows = extract_pdf(data).rows
    assert [r.texts for r in rows] == [["Refused", "12", "0", "12"], ["Total 12"], ["Received 12 requests in 2023"]]


def test_a_character_beside_two_lines_does_not_chain_them_into_one():
    # a label centred in a tall cell, beside the two lines of the cell next to it; the lines'
    # loose boxes (the font's full height) overlap a little, as set lines' boxes do
    from scrapers.extract.layout import visual_lines
    from scrapers.extract.pdf_text_layer import Char

    def char(text, x0, top):
        return Char(text, x0, top, x0 + 12, top + 14, cx=x0 + 6, cy=top + 7)

    first = [char(t, 100 + 12 * k, 100) for k, t in enumerate("本机关")]
    second = [char(t, 100 + 12 * k, 112) for k, t in enumerate("相关")]
    beside = char("度", 40, 106)
    lines = visual_lines([*first, *second, beside])
    assert ["".join(c.text for c in line) for line in lines] == ["度本机关", "相关"]


def test_scanned_pdf_needs_ocr_and_invents_nothing():
    result = extract_pdf(_scanned_pdf(3))
    assert result.status == "needs_ocr" and result.rows == []
    assert "no text layer" in result.problems[0]
    assert result.images == 3
    assert result.pages_needing_ocr == [1, 2, 3]


def test_scanned_pages_in_a_text_pdf_are_reported():
    text = _pdf_with_text([[(72, 100, "2024 report")]])
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(text)
    document.import_pages(pdfium.PdfDocument(_scanned_pdf(1)))
    import io

    out = io.BytesIO()
    document.save(out)
    result = extract_pdf(out.getvalue())
    # one page of two is a scan: at least half the document is unread, so it needs OCR
    assert result.status == "needs_ocr" and "pages 2 of 2" in result.problems[0]
    # the pages OCR is for, for the OCR step to read only those
    assert result.pages_needing_ocr == [2]


def test_page_count_is_bounded():
    data = _pdf_with_text([[(72, 100, f"page {n}")] for n in range(1, 13)])
    result = extract_pdf(data, max_pages=10)
    assert result.problems == ["PDF has 12 pages; read only the first 10"]
    assert [r.texts for r in result.rows][-1] == ["page 10"]


def test_time_budget_stops_reading_with_a_reason():
    data = (FIXTURES / "jiangsu-huaian-city-gov-2024.pdf").read_bytes()
    result = extract_pdf(data, time_budget=0)
    assert result.status == "failed"
    assert result.problems == ["stopped after 0 of 6 pages: time budget of 0 s spent"]


def _one_line_pdf(text: bytes, font: bytes, *more: bytes) -> bytes:
    """A one-page PDF showing `text` in the font dictionary `font` (object 5; `more` are the
    objects after it)."""
    from test_isolation import pdf_file, stream

    return pdf_file([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        stream(b"BT /F1 12 Tf 72 700 Td (" + text + b") Tj ET"),
        font,
        *more,
    ])


def _pdf_with_encoded_text(text: bytes) -> bytes:
    """A one-page PDF showing `text` in Helvetica re-encoded so that A and B name private-use
    glyphs (uniE001, uniE002): what a text layer without Unicode mappings looks like."""
    return _one_line_pdf(
        text,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
        b"/Encoding << /Type /Encoding /Differences [65 /uniE001 /uniE002] >> >>",
    )


def test_text_layer_of_unmapped_glyphs_needs_ocr():
    result = extract_pdf(_pdf_with_encoded_text(b"ABABAB"))
    assert (result.status, result.rows) == ("needs_ocr", [])
    assert result.problems == ["PDF text layer is unreadable: 6 of 6 characters have no Unicode mapping; it needs OCR"]
    # 7 of 20 visible characters unmapped is past the 30% share; 6 of 20 is not, and is read as it is
    assert "7 of 20 characters" in extract_pdf(_pdf_with_encoded_text(b"ABABABA cdefghijklmno")).problems[0]
    readable = extract_pdf(_pdf_with_encoded_text(b"ABABAB cdefghijklmnop"))
    assert readable.status is None and readable.rows[0].texts == ["\ue001\ue002" * 3 + " cdefghijklmnop"]


def _pdf_mapping_to_unicode(text: bytes) -> bytes:
    """A one-page PDF showing `text` in Helvetica whose ToUnicode map sends A to U+20000 (a
    surrogate pair in pdfium's text), B to a lone high surrogate and C to a lone low one."""
    from test_isolation import stream

    cmap = (
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /T def /CMapType 2 def\n"
        b"1 begincodespacerange <00> <FF> endcodespacerange\n"
        b"3 beginbfchar <41> <D840DC00> <42> <D840> <43> <DC01> endbfchar\n"
        b"endcmap CMapName currentdict /CMap defineresource pop end end"
    )
    return _one_line_pdf(text, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>", stream(cmap))


def test_characters_beyond_the_bmp_are_one_character_and_lone_surrogates_unreadable():
    assert extract_pdf(_pdf_mapping_to_unicode(b"xAy")).rows[0].texts == ["x\U00020000y"]
    assert extract_pdf(_pdf_mapping_to_unicode(b"AA")).rows[0].texts == ["\U00020000\U00020000"]
    # a high surrogate with nothing after it is no character: counted as unmapped
    lone = extract_pdf(_pdf_mapping_to_unicode(b"xBy"))
    assert lone.status == "needs_ocr" and "1 of 3 characters have no Unicode mapping" in lone.problems[0]
