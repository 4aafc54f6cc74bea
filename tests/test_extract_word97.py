"""Word 97–2003 files read by the direct reader (no converter installed): the gold reports
written as .doc read their gold, table by table, and broken or cut files end in a one-line
reason, never an exception."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from gold import CORPUS, gold_cells, load_gold, parse_cells
from scrapers.extract.dispatch import extract_document
from scrapers.extract.word97 import Word97Error, extract_word97
from scrapers.parse.report import parse_document
from test_renderings import judge

WORD97 = Path(__file__).parent / "fixtures" / "word97"
DOCS = sorted(WORD97.glob("*.doc"))


def _gold(doc: Path) -> dict:
    for folder in (CORPUS / "gold", CORPUS / "pre2019" / "gold"):
        path = folder / f"{doc.stem}.json"
        if path.exists():
            return load_gold(path)[1]
    raise AssertionError(f"no gold for {doc.name}")


@pytest.fixture(autouse=True)
def no_converters(monkeypatch, tmp_path):
    # the direct reader alone: an installed antiword or LibreOffice must not be what reads these
    monkeypatch.setenv("PATH", str(tmp_path))


def test_every_fixture_has_its_gold():
    assert len(DOCS) == 5 and all(_gold(d) for d in DOCS)


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.stem)
def test_doc_reads_its_gold(doc):
    gold = _gold(doc)
    parse = parse_document(doc.read_bytes(), doc.name).to_json()
    assert parse["format"] == "doc" and parse["year"] == gold["year"]
    assert not judge(parse, gold), (judge(parse, gold)[:6], parse["problems"][:6])
    # the tables are read whole: every gold cell, not only the ones a partial parse may name
    missing = sorted(k for k in gold_cells(gold) if k not in parse_cells(parse))
    assert not missing, (missing[:6], parse["problems"][:6])


def test_merged_cells_are_left_out_and_cells_carry_their_edges():
    ext = extract_document((WORD97 / "shanghai-general-office-2019.doc").read_bytes(), "x.doc")
    assert ext.status is None and ext.problems == []
    rows = {r.texts[0]: r for r in ext.rows if r.kind == "table" and r.texts}
    # 三、本年度办理结果 spans the rows of its results: only its first row shows it
    first = rows["三、本年度办理结果"]
    assert first.texts[1] == "（一）予以公开" and first.texts[2:] == ["258", "12", "", "", "1", "1", ""]
    assert rows["（二）部分公开（区分处理的，只计这一情形，不计其他情形）"].texts[1:2] == ["3"]
    # edges run left to right without gaps, in points from the table's left edge
    for row in ext.rows:
        if row.kind == "table":
            edges = [(c.x0, c.x1) for c in row.cells]
            assert all(x0 is not None and x0 < x1 for x0, x1 in edges)
            assert all(a[1] <= b[0] + 0.2 for a, b in zip(edges, edges[1:]))


def test_paragraphs_and_title_are_read_as_the_docx_reader_reads_them():
    import io

    from docx import Document

    from scrapers.extract.docx import extract_docx

    source = (Path(__file__).parent / "fixtures" / "reports" / "dongcheng-jw-2014.txt").read_text(encoding="utf-8")
    lines = [line.strip() for line in source.splitlines() if line.strip()]
    document = Document()
    for line in lines:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    word = extract_docx(out.getvalue())
    ext = extract_word97((WORD97 / "dongcheng-jw-2014.doc").read_bytes())
    assert ext.format == "doc" and [r.texts[0] for r in ext.rows] == lines
    assert (ext.title, ext.text) == (word.title, word.text)
    # it opens with a URL line and prose: no title line, so the office is the preamble's, not a
    # sentence's "由北京市东城区建设委员会编制的"
    assert ext.title is None
    assert parse_document((WORD97 / "dongcheng-jw-2014.doc").read_bytes(), "x.doc").office == "北京市东城区建设委员会"


def test_a_title_is_short_lines_up_to_the_one_naming_the_report():
    from scrapers.extract.docx import word_title
    from scrapers.extract.model import Cell, Row

    def rows(*lines):
        return [Row(cells=[Cell(line)], loc=f"paragraph {i}") for i, line in enumerate(lines, 1)]

    assert word_title(rows("北京市西城区展览路街道办事处", "2014年政府信息公开工作年度报告", "一、概述")) == \
        "北京市西城区展览路街道办事处2014年政府信息公开工作年度报告"
    assert word_title(rows("2020年政府信息公开年报")) == "2020年政府信息公开年报"
    assert word_title(rows("本报告由北京市西城区展览路街道编制，是2014年度的政府信息公开工作年度报告。")) is None
    assert word_title(rows("一、概述", "二、主动公开", "三、依申请公开", "四、复议", "2014年度报告")) is None


def _fib_flag(data: bytes, flag: int) -> bytes:
    """The file with a flag of the Word file information block set (found by its identifier)."""
    at = data.index(struct.pack("<H", 0xA5EC) + data[data.index(struct.pack("<H", 0xA5EC)) + 2:][:2])
    flags = struct.unpack_from("<H", data, at + 0x0A)[0] | flag
    return data[:at + 0x0A] + struct.pack("<H", flags) + data[at + 0x0C:]


def test_an_encrypted_file_is_a_reason():
    data = _fib_flag((WORD97 / "dongcheng-jw-2014.doc").read_bytes(), 0x0100)
    with pytest.raises(Word97Error, match="encrypted"):
        extract_word97(data)
    result = extract_document(data, "report.doc")
    assert result.status == "unsupported_format"
    assert result.problems[0] == "legacy Word .doc: not a Word 97–2003 file this reader takes (encrypted or password-protected)"
    assert result.problems[1] == "legacy Word .doc: no converter installed (antiword or libreoffice)"


@pytest.mark.parametrize("doc", DOCS[:2], ids=lambda p: p.stem)
def test_cut_and_damaged_files_end_in_a_reason(doc):
    """Cut anywhere, or with a run of bytes overwritten anywhere, a .doc is read or refused with
    one line: never an exception, never a crash of the run."""
    data = doc.read_bytes()
    step = len(data) // 23
    for at in range(512, len(data), step):
        for damaged in (data[:at], data[:at] + b"\xff" * 64 + data[at + 64:], data[:at] + b"\0" * 512 + data[at + 512:]):
            result = extract_document(damaged, "report.doc")
            if result.status is not None:
                assert result.status == "unsupported_format" and len(result.problems) == 2, result.problems
                assert all("\n" not in p for p in result.problems)
            parse_document(damaged, "report.doc")  # never raises


# --- what LibreOffice never writes, but Word does: built byte by byte from [MS-DOC] -------------

def _word_stream(ccp_text: int, clx_fc: int, clx_lcb: int, body: dict[int, bytes], size: int = 4096) -> bytes:
    """A WordDocument stream: a Word 97 file information block whose piece table is at
    (clx_fc, clx_lcb) of the table stream, and `body` bytes placed at their offsets."""
    word = bytearray(size)
    struct.pack_into("<HH", word, 0, 0xA5EC, 0x00C1)
    struct.pack_into("<H", word, 0x0A, 0x0200)  # the 1Table stream
    struct.pack_into("<H", word, 32, 14)  # csw, then FibRgW97
    struct.pack_into("<H", word, 62, 22)  # cslw, then FibRgLw97
    struct.pack_into("<I", word, 64 + 12, ccp_text)
    struct.pack_into("<H", word, 152, 93)  # cbRgFcLcb, then the (fc, lcb) pairs
    struct.pack_into("<II", word, 154 + 33 * 8, clx_fc, clx_lcb)
    for at, data in body.items():
        word[at:at + len(data)] = data
    return bytes(word)


def _clx(pieces: list[tuple[int, int, bool]]) -> bytes:
    """A piece table: (first cp, file offset, compressed) per piece, ending at the last cp given."""
    cps = [cp for cp, _, _ in pieces]
    pcds = b"".join(struct.pack("<HIH", 0, (at * 2) | 0x40000000 if compressed else at, 0) for _, at, compressed in pieces[:-1])
    plc = struct.pack(f"<{len(cps)}I", *cps) + pcds
    return b"\x02" + struct.pack("<I", len(plc)) + plc


def test_pieces_in_any_order_compressed_or_not_and_characters_beyond_the_bmp():
    from scrapers.extract import word97

    first, second, third = "一、总体情况\r", "Report 2019\r", "由𠀀街道编制\r"
    units = len(third.encode("utf-16-le")) // 2  # 𠀀 takes two positions
    # the file holds the pieces out of text order (a fast save): third, first, then second compressed
    body = {1024: third.encode("utf-16-le"), 1100: first.encode("utf-16-le"), 1200: second.encode("cp1252")}
    ends = [0, len(first), len(first) + len(second), len(first) + len(second) + units]
    clx = _clx([(ends[0], 1100, False), (ends[1], 1200, True), (ends[2], 1024, False), (ends[3], 0, False)])
    word = _word_stream(ends[3], 0, len(clx), body)
    fib = word97._Fib.read(word)
    text, pieces = word97._main_text(word, clx, fib)
    paragraphs = list(word97._paragraphs(text))
    assert [p for p, _, _ in paragraphs] == ["一、总体情况", "Report 2019", "由𠀀街道编制"]
    # each mark's file position is where the file holds it
    marks = [word97._fc_of(pieces, cp) for _, _, cp in paragraphs]
    assert marks == [1100 + 2 * (len(first) - 1), 1200 + len(second) - 1, 1024 + 2 * (units - 1)]


def test_a_piece_outside_the_file_is_a_reason():
    from scrapers.extract import word97

    clx = _clx([(0, 4000, False), (200, 0, False)])
    word = _word_stream(200, 0, len(clx), {})
    with pytest.raises(Word97Error, match="outside the file"):
        word97._main_text(word, clx, word97._Fib.read(word))


def _tc80(horizontal: int = 0, vertical: int = 0) -> bytes:
    return struct.pack("<H", horizontal | vertical << 5) + b"\0" * 18


def test_row_properties_word_writes_merges_tabs_and_long_properties():
    from scrapers.extract import word97

    centers = (-108, 1332, 2772, 4212, 5652)  # twips; the first edge left of the margin
    cells = len(centers) - 1
    tdef_body = bytes([cells]) + struct.pack(f"<{len(centers)}h", *centers) + _tc80() + _tc80(1) + _tc80(2) + _tc80()
    grpprl = (struct.pack("<H", 0)  # the style index
              + struct.pack("<HB", 0x2416, 1) + struct.pack("<HB", 0x2417, 1)
              # a tab change in its long form (255): deleted tabs with their close zones, added tabs
              + struct.pack("<HBB", 0xC615, 255, 1) + struct.pack("<hh", 720, 50) + b"\x01" + struct.pack("<h", 1440) + b"\x00"
              + struct.pack("<HH", 0xD608, len(tdef_body) + 1) + tdef_body
              # a vertical merge set apart from the cell's TC80: cell 3 continues the one above
              + struct.pack("<HBBB", 0xD62B, 2, 3, 1))
    props = word97._Paragraph()
    word97._apply_sprms(props, grpprl, 2, b"")
    assert props.in_table and props.ttp and props.centers == centers
    assert props.merges == {0: (0, 0), 1: (1, 0), 2: (2, 0), 3: (0, 1)}

    reader = word97._Reader([])
    for text in ("行政许可", "5", "", "7"):
        reader.paragraph(text, "\x07", word97._Paragraph(in_table=True), structured=True)
    reader.paragraph("", "\x07", props, structured=True)
    (row,) = reader.rows
    # cell 2 is merged into cell 1, which spans both; cell 3 continues a vertical merge
    assert [(c.text, c.x0, c.x1) for c in row.cells] == [("行政许可", 0.0, 72.0), ("5", 72.0, 216.0)]

    # properties too long for their page lie in the Data stream (sprmPHugePapx)
    data = b"\0" * 16 + struct.pack("<H", len(grpprl) - 2) + grpprl[2:]
    huge = word97._Paragraph()
    word97._apply_sprms(huge, struct.pack("<H", 0) + struct.pack("<HI", 0x6646, 16), 2, data)
    assert huge == props


def test_properties_cut_short_are_a_reason():
    from scrapers.extract import word97

    with pytest.raises(Word97Error, match="runs past"):
        word97._apply_sprms(word97._Paragraph(), struct.pack("<HH", 0, 0xD608) + b"\x40\x00\x03", 2, b"")
