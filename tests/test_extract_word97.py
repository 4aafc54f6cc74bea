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
