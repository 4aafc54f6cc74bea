"""Web pages whose tables are read for some reports or for none (a flex row per table row, a
grid laid out by the site's stylesheet, tables inside a <textarea> or an <iframe srcdoc>):
every gold source rendered so parses to no wrong cell, and a parse missing a cell is not `ok`.
The layouts read in full are in HTML_WRITERS (tests/test_renderings.py)."""

from __future__ import annotations

import pytest

from gold import gold_cells, parse_cells
from renderings import HTML_NAMED_MISS_WRITERS
from scrapers.parse.report import parse_document
from test_renderings import SOURCES, judge, source


@pytest.mark.parametrize("writer", sorted(HTML_NAMED_MISS_WRITERS))
def test_web_page_layout_read_in_part_is_never_wrong(writer):
    read_in_full = 0
    for name in SOURCES:
        bs, gold = source(name)
        parse = parse_document(HTML_NAMED_MISS_WRITERS[writer](bs).encode("utf-8"), "x.html").to_json()
        got, want = parse_cells(parse), gold_cells(gold)
        wrong = {k: (got[k], v) for k, v in want.items() if k in got and abs(float(got[k]) - float(v)) > 1e-9}
        assert not wrong, (name, wrong)
        if set(want) <= set(got):
            read_in_full += 1
        elif parse["status"] == "failed":
            # nothing printed, and the problem says why
            assert not got and parse["problems"], (name, parse["problems"][:3])
        else:
            assert parse["status"] == "partial" and not judge(parse, gold), (name, judge(parse, gold)[:4], parse["problems"][:4])
    if writer in ("html_flex_rows", "html_class_rows"):
        # the rows are on the page: reports whose tables have several rows (and, for a grid the
        # markup does not name, no blank cells) are read in full
        assert read_in_full >= 4, read_in_full
