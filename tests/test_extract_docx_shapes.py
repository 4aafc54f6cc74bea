"""Every 2019+ gold report written as a .docx in the shapes Word, WPS and HTML-to-Word tools
write (tests/docx_shapes.py) reads to its gold: tracked deletions, moved-away and hidden text
are never read beside the printed figure, and what wraps a cell, row or table does not move it."""

from __future__ import annotations

from functools import lru_cache

import pytest

import docx_shapes
from gold import CORPUS, gold_cells, load_gold, parse_cells
from renderings import blocks
from scrapers.extract.dispatch import extract_document
from scrapers.extract.sniff import sniff_format
from scrapers.parse.report import parse_document

SOURCES = [
    "shanghai-general-office-2019",
    "jiangsu-hongze-district-gov-2023",
    "jiangsu-huaian-city-gov-2024",
    "beijing-chaoyang-xiangheyuan-2019",
]
# a table split at a page with its header rows repeated: the parser may miss a row it cannot
# tell from a header, which it must name
NAMED_MISS = {"split_tables"}


@lru_cache(maxsize=None)
def source(name: str):
    doc, gold = load_gold(CORPUS / "gold" / f"{name}.json")
    raw = doc.read_bytes()
    return raw, doc.suffix, blocks(extract_document(raw, doc.name).rows), gold_cells(gold)


def _score(data: bytes, name: str, want: dict, fname: str = "x.docx"):
    parse = parse_document(data, fname).to_json()
    got = parse_cells(parse)
    wrong = {k: (got[k], v) for k, v in want.items() if k in got and abs(float(got[k]) - float(v)) > 1e-9}
    missing = sorted(k for k in want if k not in got)
    return parse, wrong, missing


@pytest.mark.parametrize("shape", sorted(docx_shapes.SHAPES))
@pytest.mark.parametrize("name", SOURCES)
def test_word_shape_reads_the_gold(name, shape):
    _, _, bs, want = source(name)
    parse, wrong, missing = _score(docx_shapes.SHAPES[shape](bs), name, want)
    assert parse["format"] == "docx"
    assert not wrong, list(wrong.items())[:6]
    if shape in NAMED_MISS and missing:
        assert parse["status"] != "ok" and parse["problems"]
    else:
        assert not missing, (missing[:6], parse["problems"][:6])


@pytest.mark.parametrize("old_style", [False, True], ids=["gridspan", "hmerge"])
def test_merged_cells_as_word_writes_them(old_style):
    # the HTML report's rowspan/colspan cells as vMerge and gridSpan, or Word 2003's hMerge
    raw, _, bs, want = source("shanghai-general-office-2019")
    data = docx_shapes.merged(bs, docx_shapes.html_span_tables(raw), old_style=old_style)
    _, wrong, missing = _score(data, "shanghai-general-office-2019", want)
    assert not wrong and not missing, (list(wrong.items())[:6], missing[:6])


def test_a_word_package_is_known_by_its_parts_list_whatever_its_name():
    _, _, bs, _ = source("jiangsu-huaian-city-gov-2024")
    for shape in ("main_elsewhere", "docm", "dotx", "strict"):
        data = docx_shapes.SHAPES[shape](bs)
        assert sniff_format(data, "attachment") == "docx", shape
        assert sniff_format(data, "x.docm") == "docx", shape


def test_a_docx_that_is_an_rtf_is_named_not_read():
    # RTF is read through LibreOffice, which the test machine lacks: the parse says so
    _, _, bs, want = source("jiangsu-huaian-city-gov-2024")
    parse, wrong, _ = _score(docx_shapes.rtf(bs), "x", want)
    assert parse["format"] == "rtf" and not wrong
    assert parse["status"] in ("unsupported_format", "failed") and parse["problems"]


def test_an_imported_part_that_is_not_html_is_named():
    _, _, bs, want = source("jiangsu-huaian-city-gov-2024")
    data = docx_shapes.alt_chunk(bs)
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            body = zin.read(info.filename)
            zout.writestr(info, b"{\\rtf1 12}" if info.filename.endswith(".htm") else body)
    parse, wrong, missing = _score(out.getvalue(), "x", want)
    assert not wrong and missing and parse["status"] != "ok"
    assert any("altChunk" in p for p in parse["problems"]), parse["problems"][:4]
