"""A copy cut off anywhere never yields a wrong number.

Page-text stores keep a page's first bytes, so a copy may stop inside a table, inside a row,
even inside a number ("…行政许可 44" of 447228). Every rendering of the gold reports
(tests/renderings.py) and the gold HTML and text documents themselves (pre-2019 ones too) are cut inside, right
after and just after their numbers; the parse of each prefix may lack cells, but every cell it
reads equals the gold, and a parse that says `ok` has every gold cell.
"""

from __future__ import annotations

import re

import pytest

from gold import gold_cells, gold_files, load_gold, parse_cells
from renderings import HTML_WRITERS, WRITERS
from scrapers.parse.report import parse_document
from test_renderings import SOURCES, source

NUMBER = re.compile(rb"\d+(?:\.\d+)?")
PER_DOCUMENT = 10  # numbers cut at, spread over the document


def cut_points(data: bytes) -> list[int]:
    """Inside, at the end of, and one byte after numbers spread over the document, and at
    evenly spaced bytes (inside labels, rules, markup, characters)."""
    spans = [m.span() for m in NUMBER.finditer(data) if m.end() - m.start() >= 2]
    picked = spans[:: max(1, len(spans) // PER_DOCUMENT)] + spans[-2:]
    points = {p for start, end in picked for p in (start + 1, end - 1, end, end + 1)}
    step = max(1, len(data) // PER_DOCUMENT)
    points |= {p + d for p in range(step, len(data), step) for d in (0, 1)}
    return sorted(p for p in points if 0 < p < len(data))


def wrong_cells(data: bytes, name: str, gold: dict) -> list[str]:
    parse = parse_document(data, name).to_json()
    got, want = parse_cells(parse), gold_cells(gold)
    wrong = [f"{'/'.join(k)}={v} want {want[k]}" for k, v in got.items()
             if k in want and abs(float(v) - float(want[k])) > 1e-9]
    if parse["status"] == "ok":
        wrong += [f"{'/'.join(k)} missing from an ok parse" for k in want if k not in got]
    return wrong


ALL_WRITERS = {**WRITERS, **HTML_WRITERS}


@pytest.mark.parametrize("writer", sorted(ALL_WRITERS))
@pytest.mark.parametrize("name", SOURCES)
def test_cut_rendering_never_reads_a_wrong_number(name, writer):
    bs, gold = source(name)
    data = ALL_WRITERS[writer](bs).encode("utf-8")
    suffix = "html" if writer in HTML_WRITERS else "txt"
    for cut in cut_points(data):
        wrong = wrong_cells(data[:cut], f"{name}.{writer}.{suffix}", gold)
        assert not wrong, (cut, data[:cut][-60:].decode("utf-8", "replace"), wrong[:5])


# the tables of the gold reports and the statements of the pre-2019 ones
GOLD_DOCUMENTS = [p for p in gold_files() if load_gold(p)[0].suffix.lower() in {".html", ".htm", ".txt", ".md"}]


@pytest.mark.parametrize("path", GOLD_DOCUMENTS, ids=lambda p: p.stem)
def test_cut_document_never_reads_a_wrong_number(path):
    doc, gold = load_gold(path)
    data = doc.read_bytes()
    for cut in cut_points(data):
        wrong = wrong_cells(data[:cut], doc.name, gold)
        assert not wrong, (cut, data[:cut][-60:].decode("utf-8", "replace"), wrong[:5])
