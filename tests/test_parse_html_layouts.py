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


@pytest.mark.parametrize("junk", ["x", "¤", "\u2063"])
def test_a_garbled_cell_is_never_taken_for_a_blank_one(junk):
    """Every fourth number of each table row with a mark before it ("x10": a CMS's stray
    character, a mis-encoded byte): such a cell is unread, not blank, so the template's
    identities must not place the row's other numbers around it as if it were 0."""
    import re

    from renderings import _html_body, _page, html_escape

    def cell(k: int, c: str) -> str:
        mark = junk if k % 4 == 0 and re.fullmatch(r"\d+", c) else ""
        return f"<td>{mark}{html_escape(c)}</td>"

    def table(rows: list[list[str]]) -> str:
        return "<table>" + "".join("<tr>" + "".join(cell(k, c) for k, c in enumerate(r)) + "</tr>" for r in rows) + "</table>"

    for name in SOURCES:
        bs, gold = source(name)
        parse = parse_document(_page(_html_body(bs, table)).encode("utf-8"), "x.html").to_json()
        got, want = parse_cells(parse), gold_cells(gold)
        wrong = {k: (got[k], v) for k, v in want.items() if k in got and abs(float(got[k]) - float(v)) > 1e-9}
        assert not wrong, (name, wrong)
        assert parse["status"] != "ok", name
