"""The table gate (scrapers/parse/gate.py) never skips a document the readers would read.

It is tried on every report document of the fixtures, every rendering of the gold reports, the
copies of all of them cut inside and after their numbers (tests/test_cuts.py's cut points), and
the documents' text re-cut into cells the other ways renderings cut it (a field per line, per
paragraph, per `|` or tab field): wherever the gate says a document holds no table, the readers,
run on it anyway, find none.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gold import gold_files, load_gold
from renderings import HTML_WRITERS, WRITERS
from scrapers.extract.dispatch import extract_document
from scrapers.parse.gate import may_hold_tables
from scrapers.parse.model import Parse
from scrapers.parse.report import parse_document, read_tables
from test_cuts import cut_points
from test_renderings import SOURCES, source

FIXTURES = Path(__file__).parent / "fixtures"
TEXT_SUFFIXES = {".txt", ".md", ".html", ".htm"}
PRE2019_GOLD = FIXTURES / "corpus" / "pre2019" / "gold"

# the ways renderings cut a line's fields apart, applied to every run of spacing in a text
RECUTS = {"line": "\n", "paragraph": "\n\n", "pipe": " | ", "tab": "\t"}
_SPACING = re.compile(rb"[ \t]+|\xe3\x80\x80")


# the report documents (the portals' listing pages hold no report to cut)
REPORT_FOLDERS = ("corpus", "reports", "pre2019", "text-renderings")


def _documents() -> list[tuple[str, bytes]]:
    docs = []
    for folder in REPORT_FOLDERS:
        for path in sorted((FIXTURES / folder).rglob("*")):
            if path.is_file() and path.suffix.lower() in TEXT_SUFFIXES and path.name.lower() != "readme.md":
                docs.append((str(path.relative_to(FIXTURES)), path.read_bytes()))
    for name in SOURCES:
        bs, _ = source(name)
        docs += [(f"{name}.{w}.txt", writer(bs).encode("utf-8")) for w, writer in sorted(WRITERS.items())]
        docs += [(f"{name}.{w}.html", writer(bs).encode("utf-8")) for w, writer in sorted(HTML_WRITERS.items())]
    return docs


DOCUMENTS = _documents()


@pytest.mark.parametrize("k", range(len(DOCUMENTS)), ids=lambda k: DOCUMENTS[k][0])
def test_the_gate_never_skips_a_document_the_readers_read(k):
    name, data = DOCUMENTS[k]
    html = name.endswith((".html", ".htm"))
    # an HTML page is cut at fewer points: its extraction costs ten times a text's
    copies = [(name, data), *((f"{name}@{cut}", data[:cut]) for cut in cut_points(data)[:: 4 if html else 1])]
    if not html:
        copies += [(f"{name}/{how}", _SPACING.sub(sep.encode(), data)) for how, sep in RECUTS.items()]
    suffix = Path(name).suffix
    wrong = []
    for copy, body in copies:
        ext = extract_document(body, "x" + suffix)
        if not ext.status and not may_hold_tables(ext) and read_tables(Parse(), ext):
            wrong.append(copy)
    assert not wrong, wrong[:10]


def test_prose_without_a_table_is_skipped():
    doc, _gold = load_gold(PRE2019_GOLD / "daxing-swj-2012.json")
    ext = extract_document(doc.read_bytes(), doc.name)
    assert not may_hold_tables(ext)
    assert parse_document(doc.read_bytes(), doc.name).template == "pre2019"


@pytest.mark.parametrize("text", [
    # a row's label broken over lines, a page number between its pieces
    "二、收到和处理政府信息公开申请情况\n本年\n- 3 -\n新收 | 5 | 1 | 0 | 0 | 0 | 0 | 6 |\n",
    # the label's characters cut by spacing and quotes
    "本 年 “新” 收\t5\t1\t0\t0\t0\t0\t6\n",
    # full-width digits and a compatibility form of 一 (NFKC folds both)
    "本年新收 ５ １ ０ ０ ０ ０ ６\n",
    # seven blank cells: empty lines after the label
    "一、本年新收政府信息公开申请数量\n" + "\n" * 8 + "二、上年结转\n",
    # table 四 alone: its words and a row of numbers
    "四、行政复议、行政诉讼情况\n行政复议 行政诉讼\n1 0 0 0 1 0 0 0 0 0 0 0 0 0 0\n",
    # table 二 alone: its header word
    "信息内容 本年制发件数 本年废止件数 现行有效件数\n规章 0 0 5\n",
])
def test_what_the_readers_can_read_is_never_skipped(text):
    ext = extract_document(text.encode("utf-8"), "x.txt")
    assert may_hold_tables(ext)


@pytest.mark.parametrize("reshaping", [
    "------\n",  # a Markdown rule: its line is dropped whole, whatever else it holds
    "+----+----+\n",  # a grid's rule: the cells between two rules are joined over lines
    " ".join(["正文"] * 300) + "\n",  # fields past the cap are left out of the rows
])
def test_a_text_whose_lines_are_reshaped_is_never_skipped(reshaping):
    """Where the rows are not the text cut at spacing and pipes, the text proves nothing."""
    prose = "本机关依法公开政府信息。\n"
    assert not may_hold_tables(extract_document(prose.encode("utf-8"), "x.txt"))
    assert may_hold_tables(extract_document((prose + reshaping + prose).encode("utf-8"), "x.txt"))


def test_gold_documents_are_read_the_same_with_the_gate():
    """The gate only skips: a gold document's parse is what the readers alone make of it."""
    for path in gold_files():
        doc, _gold = load_gold(path)
        data = doc.read_bytes()
        ext = extract_document(data, doc.name)
        if not may_hold_tables(ext):
            assert not read_tables(Parse(), ext), doc.name
