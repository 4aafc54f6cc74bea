"""OCR: pictures of real reports read back to their gold, and the geometry that places the boxes.

The scanned copies are made here from the Jiangsu PDF fixtures (pages rendered with pypdfium2,
the text layer dropped); the geometry tests draw ruled grids and give the placer boxes where
a recogniser would, so they run without the model.
"""

from __future__ import annotations

import io
import json
import socket
import struct
import zlib

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw

from gold import CORPUS, gold_cells, load_gold, parse_cells
from scans import degrade, image_pdf, render_pages
from scrapers.extract import ocr
from scrapers.extract.dispatch import extract_document
from scrapers.parse.report import parse_document

HONGZE = "jiangsu-hongze-district-gov-2023"


def _hongze():
    doc, gold = load_gold(CORPUS / "gold" / f"{HONGZE}.json")
    return doc.read_bytes(), gold


def _wrong_cells(parse: dict, gold: dict, only_tables: tuple[str, ...] | None = None) -> dict:
    got, want = parse_cells(parse), gold_cells(gold)
    if only_tables:
        want = {k: v for k, v in want.items() if k[0] in only_tables}
    return {k: (got.get(k), v) for k, v in want.items() if got.get(k) is None or abs(float(got[k]) - float(v)) > 1e-9}


def _assert_gold(parse: dict, gold: dict, text_parse: dict, exact: bool = True) -> None:
    """The gold; `ok` only when every cell is right. An identity that a picture breaks is
    doubtful (a misread digit or a misprint): the parse is partial and names it."""
    wrong = _wrong_cells(parse, gold)
    extra = set(parse_cells(parse)) - set(gold_cells(gold))
    assert not extra, sorted(extra)[:10]
    assert (parse["year"], parse["office"], parse["template"]) == (gold["year"], gold["office"], gold["template"])
    new_problems = [p for p in parse["problems"] if p not in text_parse["problems"]]
    if exact:
        assert not wrong, f"{len(wrong)} cells differ (got, want): {dict(list(wrong.items())[:8])} {new_problems[:8]}"
    if wrong:
        assert parse["status"] == "partial"
        for table, outer, inner in wrong:
            assert any(outer in p or inner in p for p in new_problems), f"{(table, outer, inner)} is wrong and not named"
    # what the OCR parse doubts beyond the text parse: identities broken as printed, nothing else
    broken = {c["name"] for c in text_parse["checks"] if not c["passed"]}
    for problem in new_problems:
        assert problem.startswith("OCR: ") and (wrong or problem.split()[1] in broken), problem
    assert parse["status"] == ("partial" if broken or wrong else "ok"), parse["problems"]


# ---------------------------------------------------------------------------
# Real reports, scanned in the test


@pytest.fixture(scope="module")
def hongze_pages():
    data, gold = _hongze()
    return render_pages(data, dpi=150), gold, parse_document(data, "report.pdf").to_json()


@pytest.mark.slow
@pytest.mark.parametrize("copy", ["clean", "phone"])
def test_image_only_pdf_of_a_real_report_reads_back_to_its_gold(hongze_pages, copy):
    pages, gold, text_parse = hongze_pages
    if copy == "phone":
        # turned 2 degrees, out of focus, JPEG at quality 50: a phone photo of each printed page
        data = image_pdf([degrade(p, degrees=2.0, blur=0.8) for p in pages], jpeg_quality=50)
    else:
        data = image_pdf(pages)
    assert not pdfium.PdfDocument(data)[0].get_textpage().get_text_range().strip()  # no text layer at all
    parse = parse_document(data, "scan.pdf").to_json()
    assert parse["format"] == "pdf-ocr"
    _assert_gold(parse, gold, text_parse)


@pytest.mark.slow
def test_a_scanned_page_among_text_pages_is_read_and_the_text_layer_wins(hongze_pages):
    pages, gold, text_parse = hongze_pages
    data, _ = _hongze()
    # pages 1-3 keep their text layer; page 4 (the end of table 三 and all of table 四) and 5 are scans
    mixed = pdfium.PdfDocument.new()
    mixed.import_pages(pdfium.PdfDocument(data), [0, 1, 2])
    mixed.import_pages(pdfium.PdfDocument(image_pdf(pages[3:])))
    out = io.BytesIO()
    mixed.save(out)
    calls = []
    real_read_page = ocr.read_page

    def spy(gray, page_no, **kw):
        calls.append(page_no)
        return real_read_page(gray, page_no, **kw)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ocr, "read_page", spy)
        parse = parse_document(out.getvalue(), "mixed.pdf").to_json()
    assert calls == [4, 5]
    assert parse["format"] == "pdf-ocr"
    _assert_gold(parse, gold, text_parse)


@pytest.mark.slow
def test_xxgk_parse_png_json(hongze_pages, tmp_path, capsys):
    from dagster_project.cli import main

    pages, gold, _ = hongze_pages
    png = tmp_path / "page.png"
    pages[3].save(png)
    assert main(["parse", str(png), "--json"]) == 0
    parse = json.loads(capsys.readouterr().out)
    assert parse["format"] == "image-ocr"
    # one page of four: table 四 whole, the end of table 三; the rest is missing, so never ok
    assert parse["status"] == "partial"
    assert not _wrong_cells(parse, gold, only_tables=("appeals",))
    got = parse_cells(parse)
    want = gold_cells(gold)
    assert all(got[k] == want[k] for k in got if k[0] == "requests"), "a cell read from the picture differs from the gold"


# ---------------------------------------------------------------------------
# Bounds


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims width x height pixels, with a few bytes of image data."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + chunk(b"IEND", b"")


def test_a_bomb_sized_png_ends_in_a_clear_status_without_decoding():
    import resource
    import time

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    result = extract_document(_png_header_only(50_000, 50_000), "bomb.png")
    assert time.monotonic() - started < 2
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000  # KiB: nothing was decoded
    assert result.status == "failed" and result.rows == []
    assert "50000 x 50000 px" in result.problems[0] and "too large" in result.problems[0]


def test_bytes_that_are_not_a_picture_fail_with_the_reason():
    result = extract_document(b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "table.png")
    assert result.status == "failed" and "not a readable image" in result.problems[0]


def test_the_page_budget_stops_ocr_with_a_reason(monkeypatch):
    monkeypatch.setattr(ocr, "read_page", lambda gray, page_no, **kw: ocr.PageResult(rows=[]))
    reader = ocr.PdfPageReader(budget=ocr.Budget(max_pages=2))
    document = pdfium.PdfDocument(image_pdf([Image.new("L", (60, 80), 255)] * 4))
    results = [reader(document[i], i + 1) for i in range(4)]
    assert results == [[], [], None, None]
    assert reader.problems == ["OCR stopped at page 3: the limit of 2 OCR pages per document is reached"]


# ---------------------------------------------------------------------------
# Geometry, with boxes given where a recogniser would find them

CELL_W, CELL_H, LEFT, TOP = 150, 44, 100, 200


def _grid_picture(rows: int, cols: int, merged: set[tuple[int, int]] = frozenset(), size=(1000, 700)) -> Image.Image:
    """A ruled table; `merged` names (column, row) boxes whose bottom rule is left out."""
    picture = Image.new("L", size, 255)
    draw = ImageDraw.Draw(picture)
    bottom = TOP + rows * CELL_H
    for c in range(cols + 1):
        draw.line([(LEFT + c * CELL_W, TOP), (LEFT + c * CELL_W, bottom)], fill=0, width=2)
    for r in range(rows + 1):
        for c in range(cols):
            if r and (c, r - 1) in merged:
                continue
            draw.line([(LEFT + c * CELL_W, TOP + r * CELL_H), (LEFT + (c + 1) * CELL_W, TOP + r * CELL_H)], fill=0, width=2)
    return picture


def _box(text: str, col: int, row: int, score: float = 0.99) -> ocr._Box:
    x = LEFT + col * CELL_W + 40
    y = TOP + row * CELL_H + 10
    return ocr._Box(text, score, x, y, x + 12 * max(1, len(text)), y + 24)


def _read(picture: Image.Image, boxes: list[ocr._Box], monkeypatch, second_look=None) -> ocr.PageResult:
    monkeypatch.setattr(ocr, "_recognise", lambda gray: [ocr._Box(b.text, b.score, b.x0, b.y0, b.x1, b.y1) for b in boxes])
    monkeypatch.setattr(ocr, "_read_crop", lambda gray: second_look)
    return ocr.read_page(np.asarray(picture), 1, scale=0.5)


def test_ruled_cells_with_and_without_boxes(monkeypatch):
    picture = _grid_picture(3, 4)
    boxes = [_box("自然人", 1, 0), _box("总计", 3, 0), _box("新收", 0, 1), _box("21", 1, 1), _box("21", 3, 1),
             _box("结转", 0, 2), _box("0", 1, 2, score=0.62), _box("0", 3, 2)]
    result = _read(picture, boxes, monkeypatch)
    assert [r.kind for r in result.rows] == ["table"] * 3
    assert [r.texts for r in result.rows] == [["", "自然人", "", "总计"], ["新收", "21", "", "21"], ["结转", "0", "", "0"]]
    blank = result.rows[1].cells[2]
    assert blank.confidence == 1.0 and blank.loc == "page 1 box x=401 y=245 w=150 h=44"
    assert result.rows[2].cells[1].confidence == 0.62
    assert result.rows[1].cells[1].loc == "page 1 box x=290 y=254 w=24 h=24"
    assert not result.problems


def test_a_ruled_cell_with_unread_marks_is_doubtful_not_blank(monkeypatch):
    picture = _grid_picture(2, 3)
    ImageDraw.Draw(picture).rectangle([LEFT + 2 * CELL_W + 50, TOP + CELL_H + 12, LEFT + 2 * CELL_W + 70, TOP + CELL_H + 32], fill=0)
    result = _read(picture, [_box("新收", 0, 0), _box("5", 1, 1)], monkeypatch)
    smudged = result.rows[-1].cells[2]
    assert smudged.text == "" and smudged.confidence == 0.0
    assert any("could not read" in p for p in result.problems)
    # a second look at the cell alone that reads a word does not make it a cell either
    assert _read(picture, [_box("新收", 0, 0), _box("5", 1, 1)], monkeypatch, second_look=("印", 0.8)).rows[-1].cells[2].text == ""
    # but a number the detector missed is read from the cell, with its own confidence
    again = _read(picture, [_box("新收", 0, 0), _box("5", 1, 1)], monkeypatch, second_look=("1", 0.97))
    assert (again.rows[-1].cells[2].text, again.rows[-1].cells[2].confidence) == ("1", 0.97)
    assert any("detector missed '1'" in p for p in again.problems)


def test_a_cell_spanning_rows_comes_once_in_its_first_row(monkeypatch):
    picture = _grid_picture(3, 3, merged={(0, 1)})
    boxes = [_box("（三）不予公开", 0, 1), _box("1", 1, 1), _box("2", 2, 1), _box("3", 1, 2), _box("4", 2, 2), _box("a", 1, 0)]
    result = _read(picture, boxes, monkeypatch)
    assert [r.texts for r in result.rows] == [["", "a", ""], ["（三）不予公开", "1", "2"], ["3", "4"]]


@pytest.mark.parametrize("degrees", [-3.0, 1.5, 4.0])
def test_a_turned_page_is_deskewed_by_its_rules(monkeypatch, degrees):
    picture = _grid_picture(4, 4).rotate(degrees, resample=Image.BICUBIC, fillcolor=255)
    boxes = [_box(str(10 * r + c), c, r) for r in range(4) for c in range(4)]
    result = _read(picture, boxes, monkeypatch)
    assert result.skew_degrees == pytest.approx(-degrees, abs=0.15)
    assert [r.texts for r in result.rows] == [[str(10 * r + c) for c in range(4)] for r in range(4)]


def test_a_table_cut_by_the_page_is_closed_where_its_column_rules_stop(monkeypatch):
    picture = _grid_picture(3, 4)
    # erase the bottom rule: the table goes on on the next page
    ImageDraw.Draw(picture).rectangle([LEFT - 3, TOP + 3 * CELL_H - 2, LEFT + 4 * CELL_W + 3, TOP + 3 * CELL_H + 2], fill=255)
    boxes = [_box(str(c), c, r) for r in range(3) for c in range(4)]
    result = _read(picture, boxes, monkeypatch)
    assert [r.kind for r in result.rows] == ["table"] * 3
    assert result.rows[-1].texts == ["0", "1", "2", "3"]


def test_ocr_confusions_corrected_only_where_a_number_must_be(monkeypatch):
    picture = _grid_picture(4, 3)
    # a label of letters stays a label; in a column of numbers, a lone "O" is a 0
    boxes = [_box("信息内容", 0, 0), _box("数量", 1, 0), _box("件数", 2, 0),
             _box("行政处罚", 0, 1), _box("l0", 1, 1), _box("7", 2, 1),
             _box("SOS", 0, 2), _box("4", 1, 2), _box("O", 2, 2),
             _box("行政许可", 0, 3), _box("1B", 1, 3), _box("3", 2, 3)]
    result = _read(picture, boxes, monkeypatch)
    assert [r.texts for r in result.rows] == [["信息内容", "数量", "件数"], ["行政处罚", "10", "7"], ["SOS", "4", "0"],
                                              ["行政许可", "18", "3"]]
    assert sorted(p.split(": ", 1)[1] for p in result.problems) == [
        "OCR read '1B' where a number must be; read as 18",
        "OCR read 'O' where a number must be; read as 0",
        "OCR read 'l0' where a number must be; read as 10",
    ]


def test_lines_outside_a_table_are_text_rows_split_at_gaps(monkeypatch):
    boxes = [ocr._Box("一、本年新收政府信息公开申请数量", 0.99, 100, 100, 500, 124), ocr._Box("21", 0.99, 560, 101, 584, 125),
             ocr._Box("0", 0.99, 640, 100, 652, 124), ocr._Box("- 3 -", 0.9, 480, 660, 520, 684)]
    result = _read(Image.new("L", (1000, 700), 255), boxes, monkeypatch)
    # the page number in the bottom margin is furniture
    assert [(r.kind, r.texts) for r in result.rows] == [("text", ["一、本年新收政府信息公开申请数量", "21", "0"])]


# ---------------------------------------------------------------------------
# The engine


def test_the_engine_loads_its_models_from_the_wheel_and_never_the_network(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("OCR tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    ocr._engine.cache_clear()
    data, _ = _hongze()
    # table 四's row of values on page 4, cut out of the page
    page = render_pages(data, dpi=150, pages=[4])[0]
    strip = page.crop((160, 910, 1080, 990))
    boxes = ocr._recognise(np.asarray(strip))
    assert [b.text for b in sorted(boxes, key=lambda b: b.x0)] == ["10", "1"] + ["0"] * 8 + ["5"] + ["0"] * 4
    assert all(b.score > 0.9 for b in boxes)


def test_a_turned_page_without_rules_is_straightened_by_its_text_lines(monkeypatch):
    import cv2

    # three lines of label and numbers, as the detector sees them on a page turned 3 degrees
    matrix = cv2.getRotationMatrix2D((500, 350), -3.0, 1.0)
    lines = [("一、本年新收政府信息公开申请数量", "21", "0", "21"), ("二、上年结转政府信息公开申请数量", "3", "0", "3"),
             ("四、结转下年度继续办理", "5", "1", "6")]
    boxes = []
    for r, (label, *numbers) in enumerate(lines):
        y = 200 + 40 * r
        for text, x0, x1 in [(label, 60, 460), *[(n, 560 + 110 * i, 584 + 110 * i) for i, n in enumerate(numbers)]]:
            quad = np.array([[x0, y, 1], [x1, y, 1], [x1, y + 24, 1], [x0, y + 24, 1]], dtype=float) @ matrix.T
            xs, ys = quad[:, 0], quad[:, 1]
            boxes.append(ocr._Box(text, 0.99, xs.min(), ys.min(), xs.max(), ys.max(), polygon=quad))
    monkeypatch.setattr(ocr, "_recognise", lambda gray: boxes)
    result = ocr.read_page(np.full((700, 1000), 255, dtype=np.uint8), 1, scale=0.5)
    assert result.skew_degrees == pytest.approx(3.0, abs=0.1)
    assert [r.texts for r in result.rows] == [list(line) for line in lines]


def test_an_html_page_whose_table_is_a_picture_reads_it_in_its_place(hongze_pages):
    """The Shanghai page with its table 四 replaced by a picture of another report's table 四."""
    pages, hongze_gold, _ = hongze_pages
    html = (CORPUS / "docs" / "shanghai-general-office-2019.html").read_text(encoding="utf-8")
    start = html.index("<table", html.index("四、政府信息公开行政复议"))
    end = html.index("</table>", start) + len("</table>")
    html = html[:start] + '<p><img src="/images/t4.png"></p>' + html[end:]
    picture = io.BytesIO()
    pages[3].crop((150, 670, 1090, 995)).save(picture, "PNG")
    ext = ocr.extract_page_with_pictures(html.encode(), {"/images/t4.png": picture.getvalue()})
    assert ext.format == "html-ocr"
    heading = next(i for i, r in enumerate(ext.rows) if "行政复议、行政诉讼情况" in "".join(r.texts))
    first_ocr = next(i for i, r in enumerate(ext.rows) if r.loc.startswith("picture 1"))
    assert first_ocr == heading + 1  # the picture stands right under its heading

    from scrapers.parse import report

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(report, "_extract", lambda data, name: ext)
        parse = report.parse_document(b"", "page.html").to_json()
    shanghai_gold = load_gold(CORPUS / "gold" / "shanghai-general-office-2019.json")[1]
    assert not _wrong_cells(parse, hongze_gold, only_tables=("appeals",))
    assert not _wrong_cells(parse, shanghai_gold, only_tables=("requests", "proactive"))
    assert {c["loc"].split(" page")[0] for c in parse["tables"]["appeals"]} == {"picture 1"}


def test_a_picture_the_crawler_did_not_fetch_is_named():
    html = "<html><body><p>三、收到和处理政府信息公开申请情况</p><p><img src='t3.png'></p></body></html>"
    ext = ocr.extract_page_with_pictures(html.encode(), {"other.png": b"\x89PNG\r\n\x1a\n"})
    assert ext.format == "html" and ext.problems == ["picture 1 (t3.png) was not fetched: its content is not read"]


def test_a_box_running_over_a_rule_is_doubtful(monkeypatch):
    picture = _grid_picture(2, 4)
    # the detector took two neighbouring numbers for one box across the rule between them
    straddling = ocr._Box("3 4", 0.98, LEFT + 2 * CELL_W - 30, TOP + CELL_H + 10, LEFT + 2 * CELL_W + 30, TOP + CELL_H + 34)
    result = _read(picture, [_box("新收", 0, 1), _box("a", 1, 0), straddling], monkeypatch)
    cell = next(c for c in result.rows[-1].cells if c.text == "3 4")
    assert cell.confidence == 0.0 and any("runs over" in p for p in result.problems)
