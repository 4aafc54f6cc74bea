"""Every 2019+ gold document, rendered by the test into each shape people and tools turn report
pages into, parses to its gold, or is `partial` with the gold's missing cells named: never `ok`
with a wrong cell. Plus the four real page-text excerpts of tests/fixtures/text-renderings."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gold import CORPUS, gold_cells, load_gold, parse_cells
from renderings import COLLAPSED_WRITERS, HTML_WRITERS, html_plain, LOSSY_WRITERS, NAMED_MISS_WRITERS, WRITERS, blocks, docx_bytes, grid, html_escape, plain, spanned_blocks, values_first
from scrapers.extract.dispatch import extract_document
from scrapers.parse.report import parse_document

FIXTURES = Path(__file__).parent / "fixtures"
# the real reports whose tables the extractors read as tables (HTML, PDF, tab-separated text)
SOURCES = [
    "shanghai-general-office-2019",
    "jiangsu-hongze-district-gov-2023",
    "jiangsu-hongze-district-gov-2024",
    "jiangsu-huaian-city-gov-2024",
    "beijing-chaoyang-xiangheyuan-2019",
]


@lru_cache(maxsize=None)
def source(name: str) -> tuple[list, dict]:
    doc, gold = load_gold(CORPUS / "gold" / f"{name}.json")
    ext = extract_document(doc.read_bytes(), doc.name)
    return blocks(ext.rows), gold


def named(key: tuple, problems: list[str]) -> bool:
    """A missing gold cell is named when a problem names its row, item or table."""
    table, outer, inner = key
    text = " ".join(problems)
    if table == "appeals":
        return "table 四" in text or f"{outer}.{inner}" in text
    return re.search(rf"\b{re.escape(outer)}\b", text) is not None


def judge(parse_json: dict, gold: dict) -> list[str]:
    """What is wrong with a parse against the gold: wrong cells always, missing cells unless
    the parse is partial and names them."""
    got = parse_cells(parse_json)
    wrong = []
    for key, want in gold_cells(gold).items():
        have = got.get(key)
        if have is None:
            if parse_json["status"] == "ok" or not named(key, parse_json["problems"]):
                wrong.append(f"{'/'.join(key)} missing, not named")
        elif abs(float(have) - float(want)) > 1e-9:
            wrong.append(f"{'/'.join(key)}={have} want {want}")
    return wrong


@pytest.mark.parametrize("writer", sorted([*WRITERS, *NAMED_MISS_WRITERS]))
@pytest.mark.parametrize("name", SOURCES)
def test_rendering_reads_the_gold(name, writer):
    bs, gold = source(name)
    text = {**WRITERS, **NAMED_MISS_WRITERS}[writer](bs)
    parse = parse_document(text.encode("utf-8"), f"{name}.{writer}.txt").to_json()
    assert not judge(parse, gold), (parse["status"], judge(parse, gold)[:8], parse["problems"][:8])


@pytest.mark.parametrize("page", ["txt", "html"])
@pytest.mark.parametrize("writer", sorted(COLLAPSED_WRITERS))
@pytest.mark.parametrize("name", SOURCES)
def test_collapsed_table_is_read_row_by_row_and_never_wrong(name, writer, page):
    """A table collapsed onto one line of text, or one paragraph of a web page: each label takes
    the values after it. Blank cells that vanished leave their rows to the identities, or named."""
    bs, gold = source(name)
    text = COLLAPSED_WRITERS[writer](bs)
    if page == "html":
        text = "<html><body>" + "".join(f"<p>{html_escape(line)}</p>" for line in text.splitlines()) + "</body></html>"
    parse = parse_document(text.encode("utf-8"), f"{name}.{writer}.{page}").to_json()
    assert not judge(parse, gold), (parse["status"], judge(parse, gold)[:8], parse["problems"][:8])
    got, want = parse_cells(parse), gold_cells(gold)
    blanks_in_rows = any(c == "" for kind, rows in bs if kind == "table" for r in rows
                         if any(re.fullmatch(r"[\d,.]+", c) for c in r) for c in r)
    # the rows survive: nearly every cell is read, unless blank cells vanished with the spaces
    # (a page folds a paragraph's tabs into spaces too)
    if (writer == "table_on_a_line_tabs" and page == "txt") or not blanks_in_rows:
        assert sum(k in got for k in want) >= 0.7 * len(want), parse["problems"][:8]


# Renderings that keep every cell (blank ones too) must read every cell exactly.
LOSSLESS = {"cell_per_line_pipe", "pipe_after_cell", "pipe_rows", "tabs", "markdown", "grid", "flipbook",
            "cell_per_line", "cell_per_paragraph", "cell_per_line_pipe_filler_inline", "cell_per_line_row_opened",
            "pipe_rows_filler", "traditional", "header_cells_cut", "cell_per_line_wrapped", "page_breaks",
            "units_in_cells", "fullwidth_digits", "zeros_in_words", "browser_copy", "listed_rows"}


@pytest.mark.parametrize("writer", sorted(LOSSLESS))
@pytest.mark.parametrize("name", SOURCES)
def test_lossless_rendering_reads_every_cell(name, writer):
    bs, gold = source(name)
    parse = parse_document(WRITERS[writer](bs).encode("utf-8"), "x.txt").to_json()
    got = parse_cells(parse)
    missing = sorted(k for k in gold_cells(gold) if k not in got)
    assert not missing, (missing[:6], parse["problems"][:6])


@pytest.mark.parametrize("writer", sorted(LOSSY_WRITERS))
@pytest.mark.parametrize("name", SOURCES)
def test_lossy_rendering_is_never_wrong(name, writer):
    """A store that drops empty cells, a reader that goes down each column: a cell whose place
    the text no longer tells is missing, never moved into another's place; and a parse that
    misses a cell is never `ok`."""
    bs, gold = source(name)
    parse = parse_document(LOSSY_WRITERS[writer](bs).encode("utf-8"), "x.txt").to_json()
    got, want = parse_cells(parse), gold_cells(gold)
    wrong = {k: (got[k], v) for k, v in want.items() if k in got and abs(float(got[k]) - float(v)) > 1e-9}
    assert not wrong, wrong
    if set(want) - set(got):
        assert parse["status"] != "ok"
    blanks_in_rows = any(c == "" for kind, rows in bs if kind == "table" for r in rows
                         if any(re.fullmatch(r"[\d,.]+", c) for c in r) for c in r)
    if writer == "blanks_dropped" and not blanks_in_rows:
        # nothing to drop: every cell is where it was
        assert not set(want) - set(got), parse["problems"][:6]


@pytest.mark.parametrize("name", SOURCES)
def test_values_first_rendering_reads_the_rows(name):
    """A site that prints each row's values before its label: tables 二 and 三 are re-cut in
    that order. A row whose cells are all blank prints no value to say where it starts, so it
    may be missed (named); what is read is right."""
    bs, gold = source(name)
    parse = parse_document(values_first(bs).encode("utf-8"), "x.txt").to_json()
    assert not judge(parse, gold), (parse["status"], judge(parse, gold)[:8], parse["problems"][:8])
    got, want = parse_cells(parse), gold_cells(gold)
    for table in ("proactive", "requests"):
        cells = [k for k in want if k[0] == table]
        assert sum(k in got for k in cells) >= 0.6 * len(cells), (table, parse["problems"][:8])


@pytest.mark.parametrize("fraction", [0.3, 0.5, 0.7, 0.9])
@pytest.mark.parametrize("name", SOURCES)
def test_values_first_rendering_cut_is_never_wrong(name, fraction):
    """Cut inside a values-first table (a store keeps the first bytes): the values after the
    last label shown are a row whose label is lost, read as nothing."""
    bs, gold = source(name)
    data = values_first(bs).encode("utf-8")
    start = data.find("三、收到和处理".encode())
    end = data.find("四、政府信息公开行政复议".encode())
    cut = data[: start + int((end - start) * fraction)].decode("utf-8", "ignore")
    parse = parse_document(cut.encode("utf-8"), "x.txt").to_json()
    got, want = parse_cells(parse), gold_cells(gold)
    wrong = {k: (got[k], v) for k, v in want.items() if k in got and abs(float(got[k]) - float(v)) > 1e-9}
    assert not wrong, (wrong, parse["problems"][:6])
    assert parse["status"] != "ok"


@pytest.mark.parametrize("name", SOURCES)
def test_word_rendering_reads_every_cell(name):
    """The same tables written into a .docx go through the Word extractor and the same stream."""
    bs, gold = source(name)
    parse = parse_document(docx_bytes(bs), "x.docx").to_json()
    assert parse["format"] == "docx"
    assert not judge(parse, gold), (judge(parse, gold)[:6], parse["problems"][:6])
    assert not set(gold_cells(gold)) - set(parse_cells(parse)), parse["problems"][:6]


def _line(loc: str) -> int:
    return int(re.match(r"line (\d+)", loc).group(1))


# the line-per-cell layouts of real page-text stores, each cut the way excerpts are
CUT_WRITERS = ["cell_per_line_pipe", "cell_per_line_pipe_filler_inline", "cell_per_line_row_opened", "traditional"]


@pytest.mark.parametrize("writer", CUT_WRITERS)
@pytest.mark.parametrize("fraction", [0.35, 0.55, 0.8])
@pytest.mark.parametrize("name", SOURCES)
def test_text_cut_mid_table(name, fraction, writer):
    """Rows shown in full are read; the rest is partial, never invented."""
    bs, gold = source(name)
    full_text = WRITERS[writer](bs)
    full = parse_document(full_text.encode(), "x.txt")
    lines = full_text.splitlines()
    cut = int(len(lines) * fraction)
    cut_text = "\n".join(lines[:cut]) + "\n" + lines[cut][: len(lines[cut]) // 2]
    parse = parse_document(cut_text.encode(), "x.txt")
    assert parse.status == "partial"
    assert not judge(parse.to_json(), gold)
    got = {(c.row, c.column) for c in parse.requests}
    rows: dict[str, int] = {}
    for c in full.requests:
        rows[c.row] = max(rows.get(c.row, 0), _line(c.loc))
    # a row whose last cell is before the cut, and which is followed by a row label, is whole
    shown = [r for r, last in rows.items() if last < cut - 1]
    for row in shown[:-1]:
        assert all((row, col) in got for col in ("natural_person", "total")), (row, parse.problems[:5])


@pytest.mark.parametrize("writer", [grid, plain], ids=["grid", "plain"])
def test_pandoc_layout_of_html_with_spans(writer):
    """pandoc's grid and plain tables of the HTML page: colspans add empty columns, rowspans
    empty cells below; a plain table loses its blank cells to spacing."""
    doc, gold = load_gold(CORPUS / "gold" / "shanghai-general-office-2019.json")
    bs, _ = source("shanghai-general-office-2019")
    text = writer(spanned_blocks(doc.read_bytes(), bs))
    parse = parse_document(text.encode("utf-8"), "x.txt").to_json()
    assert not judge(parse, gold), (judge(parse, gold)[:6], parse["problems"][:6])
    if writer is grid:
        assert not set(gold_cells(gold)) - set(parse_cells(parse))


# --- the four real excerpts ---------------------------------------------------------------

EXCERPTS = sorted((FIXTURES / "text-renderings" / "gold").glob("*.json"))


@pytest.mark.parametrize("gold_path", EXCERPTS, ids=lambda p: p.stem)
def test_real_excerpt_reads_every_gold_cell(gold_path):
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    doc = (gold_path.parent / gold["doc"]).resolve()
    parse = parse_document(doc.read_bytes(), doc.name).to_json()
    got, want = parse_cells(parse), gold_cells(gold)
    wrong = {k: (got.get(k), v) for k, v in want.items() if got.get(k) is None or abs(float(got[k]) - float(v)) > 1e-9}
    assert not wrong, wrong
    assert parse["template"] == gold["template"]
    # cut mid-table: partial, and nothing read beyond the gold's cells shown in full
    assert parse["status"] == "partial"
    assert set(got) - set(want) == set(), sorted(set(got) - set(want))[:6]
    # table 三's template is stated only when its （六） rows are shown, and none of these shows them
    assert "requests" not in parse["table_templates"]


@pytest.mark.parametrize("writer", sorted(HTML_WRITERS))
@pytest.mark.parametrize("name", SOURCES)
def test_web_page_rendering_reads_every_cell(name, writer):
    """The same tables as portals print them: plain, rich-editor cells, inside the site's layout
    table, a table broken over two pages, posted as text in a <pre>, pasted as pipe rows, XHTML,
    a paragraph per cell; and each again with the empty paragraphs editors put between blocks."""
    bs, gold = source(name)
    page = HTML_WRITERS[writer](bs)
    spaced = page.replace("</p>", "</p><p>&nbsp;</p>").replace("<table", "<p><br/></p><table")
    for html in (page, spaced):
        parse = parse_document(html.encode("utf-8"), "x.html").to_json()
        assert parse["format"] == "html"
        assert not judge(parse, gold), (judge(parse, gold)[:6], parse["problems"][:6])
        assert not set(gold_cells(gold)) - set(parse_cells(parse)), parse["problems"][:6]


_PAGE_NUMBERS = st.sampled_from(["- {n} -", "—{n}—", "-{n}-", "－{n}－", "第{n}页", "第 {n} 页 共 {m} 页", "第{n}页/共{m}页", "共{m}页 第{n}页"])


@given(name=st.sampled_from(SOURCES), writer=st.sampled_from(sorted(WRITERS)), shape=_PAGE_NUMBERS,
       n=st.integers(1, 120), where=st.floats(0.05, 0.95), spaced=st.booleans())
def test_page_number_anywhere_in_a_rendering_is_never_read(name, writer, shape, n, where, spaced):
    """A text copy of a paginated report keeps the page number where the page broke, between
    a row's lines or between a label and its values, alone or with blank lines around it: it is
    never a value, and a row it cuts is read whole or named."""
    bs, gold = source(name)
    lines = WRITERS[writer](bs).split("\n")
    k = int(len(lines) * where)
    number = shape.format(n=n, m=n + 3)
    text = "\n".join([*lines[:k], *(["", number, ""] if spaced else [number]), *lines[k:]])
    parse = parse_document(text.encode("utf-8"), f"{name}.{writer}.txt").to_json()
    assert not judge(parse, gold), (k, number, parse["status"], judge(parse, gold)[:6], parse["problems"][:6])


# what else a printed page adds where it breaks: the running title, a browser's print stamp and
# the page's address, the 续表 over a table's next part
_FURNITURE = st.sampled_from(["北京市朝阳区{y}年政府信息公开工作年度报告", "{y}/3/30 下午3:25", "{y}/1/31 10:15",
                              "http://www.bjchy.gov.cn/affair/xxgk/report/8a24fe8.html {n}/6", "续表", "（续表）"])


@given(name=st.sampled_from(SOURCES), writer=st.sampled_from(sorted(WRITERS)), shape=_FURNITURE,
       n=st.integers(1, 6), where=st.floats(0.05, 0.95))
def test_page_furniture_anywhere_in_a_rendering_is_never_wrong(name, writer, shape, n, where):
    """A line of a page's furniture that lands inside a table (between a row's lines too) costs
    at most the row it cuts, named: its cells are never moved, and a label's cut tail is never
    read as a row of blanks."""
    bs, gold = source(name)
    lines = WRITERS[writer](bs).split("\n")
    k = int(len(lines) * where)
    text = "\n".join([*lines[:k], shape.format(y=gold["year"] + 1, n=n), *lines[k:]])
    parse = parse_document(text.encode("utf-8"), f"{name}.{writer}.txt").to_json()
    assert not judge(parse, gold), (k, shape, parse["status"], judge(parse, gold)[:6], parse["problems"][:6])


@pytest.mark.parametrize("name", SOURCES)
def test_furniture_between_the_lines_of_a_wrapped_grid_row_is_never_wrong(name):
    """Between every two lines of every wrapped row of a grid table, in turn, a line of page
    furniture: the row's label is cut in two, and its tail, beside blank cells, is never read as
    the row it names."""
    bs, gold = source(name)
    lines = grid(bs).split("\n")
    shapes = ["续表", "- 3 -", "北京市朝阳区2020年政府信息公开工作年度报告", "2020/3/30 下午3:25"]
    inside = [k for k in range(1, len(lines)) if lines[k - 1].startswith("|") and lines[k].startswith("|")]
    assert len(inside) > 10
    for n, k in enumerate(inside):
        text = "\n".join([*lines[:k], shapes[n % len(shapes)], *lines[k:]])
        parse = parse_document(text.encode("utf-8"), f"{name}.grid.txt").to_json()
        assert not judge(parse, gold), (k, lines[k - 1], shapes[n % len(shapes)], judge(parse, gold)[:6], parse["problems"][:6])


_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"


def _sprinkle(text: str, seed: int) -> str:
    """`text` with a character no page shows after about one character in eight, inside numbers
    and labels alike (as text copied from a web page keeps its editor's zero-width spaces)."""
    import random

    rng = random.Random(seed)
    return "".join(c + (rng.choice(_INVISIBLE) if c != "\n" and rng.random() < 0.125 else "") for c in text)


@settings(max_examples=40)
@given(name=st.sampled_from(SOURCES), writer=st.sampled_from(sorted(WRITERS)), seed=st.integers(0, 2**16))
def test_characters_no_page_shows_change_nothing(name, writer, seed):
    bs, _gold = source(name)
    text = WRITERS[writer](bs)
    clean = parse_document(text.encode("utf-8"), f"{name}.{writer}.txt").to_json()
    sprinkled = parse_document(_sprinkle(text, seed).encode("utf-8"), f"{name}.{writer}.txt").to_json()
    assert parse_cells(sprinkled) == parse_cells(clean)
    assert (sprinkled["status"], sprinkled["year"], sprinkled["office"]) == (clean["status"], clean["year"], clean["office"])


@pytest.mark.parametrize("name", SOURCES)
def test_characters_no_page_shows_change_nothing_in_a_word_file(name):
    bs, gold = source(name)
    sprinkled = [(kind, [[_sprinkle(c, k) for c in r] for k, r in enumerate(rows)]) for kind, rows in bs]
    parse = parse_document(docx_bytes(sprinkled), f"{name}.docx").to_json()
    assert parse_cells(parse) == parse_cells(parse_document(docx_bytes(bs), f"{name}.docx").to_json())
    assert not judge(parse, gold)


# and the marks of footnotes, which NFKC would make digits of the number ("5²" → 52)
_GARBLES = st.sampled_from(["{v}O", "l{v}", "{v}*", "{v}?", "?", "\ufffd", "{v}¹", "{v}²", "{v}①", "{v} ③"])


@given(name=st.sampled_from(SOURCES), writer=st.sampled_from(sorted(WRITERS)), garble=_GARBLES,
       picks=st.lists(st.floats(0.0, 1.0, exclude_max=True), min_size=1, max_size=4))
def test_a_garbled_number_is_named_never_read_and_moves_nothing(name, writer, garble, picks):
    """Numbers the copy garbled ("1O", "3*", "?") or marked with a footnote ("5²", "12①"),
    anywhere in a table: each keeps its cell's
    place, is named and not read, and every other cell reads as it did."""
    bs, gold = source(name)
    text = WRITERS[writer](bs)
    # the numbers that are a cell of their own (a line, a field between pipes, tabs or spaces)
    numbers = list(re.finditer(r"(?m)(?:^|(?<=[|\t ]))\d+(?=[|\t ]|$)", text))
    for at in sorted({int(p * len(numbers)) for p in picks}, reverse=True):
        m = numbers[at]
        text = text[: m.start()] + garble.format(v=m.group()) + text[m.end():]
    parse = parse_document(text.encode("utf-8"), f"{name}.{writer}.txt").to_json()
    assert not judge(parse, gold), (garble, parse["status"], judge(parse, gold)[:6], parse["problems"][:6])


@pytest.mark.parametrize("writer", sorted(LOSSLESS))
@pytest.mark.parametrize("name", SOURCES)
def test_a_copy_that_doubles_every_line_break_reads_every_cell(name, writer):
    """A store that writes each line as a paragraph (every line break doubled): a cell per
    paragraph then has 3 empty lines between two cells and 7 around a blank one, and a grid
    row's lines stand apart."""
    bs, gold = source(name)
    parse = parse_document(WRITERS[writer](bs).replace("\n", "\n\n").encode("utf-8"), f"{name}.{writer}.txt").to_json()
    assert not judge(parse, gold), (judge(parse, gold)[:6], parse["problems"][:6])
    assert not set(gold_cells(gold)) - set(parse_cells(parse)), parse["problems"][:6]


@pytest.mark.parametrize("width", [60, 80])
@pytest.mark.parametrize("writer", sorted(WRITERS))
@pytest.mark.parametrize("name", SOURCES)
def test_a_copy_wrapped_at_a_fixed_width_is_never_wrong(name, writer, width):
    """A store that wraps long lines at a fixed width, through labels and numbers alike
    ("总计10" / "5件。"): what the wrap cut is named or mended, never read short."""
    import textwrap

    bs, gold = source(name)
    text = "\n".join(textwrap.fill(line, width, drop_whitespace=False, replace_whitespace=False) if len(line) > width else line
                     for line in WRITERS[writer](bs).split("\n"))
    parse = parse_document(text.encode("utf-8"), f"{name}.{writer}.txt").to_json()
    assert not judge(parse, gold), (judge(parse, gold)[:6], parse["problems"][:6])


@pytest.mark.parametrize("name", SOURCES)
def test_a_footnote_mark_after_a_number_in_a_web_page_is_no_digit_of_it(name):
    """"5<sup>1</sup>": the cell is named and not read, never read as 51; the row's other cells
    read as they did."""
    bs, gold = source(name)
    page = html_plain(bs)
    cells = list(re.finditer(r"<td>(\d+)</td>", page))
    marked = {m.start() for m in cells[len(cells) // 3 :: max(1, len(cells) // 5)]}
    for m in reversed(cells):
        if m.start() in marked:
            page = page[: m.start()] + f"<td>{m.group(1)}<sup>1</sup></td>" + page[m.end():]
    parse = parse_document(page.encode("utf-8"), "x.html").to_json()
    assert not judge(parse, gold), (judge(parse, gold)[:6], parse["problems"][:6])
    assert sum("which is no number" in p for p in parse["problems"]) >= len(marked) - 1


_HEADING_LINE = re.compile(r"(?m)^.*(主动公开政府信息情况|收到和处理政府信息公开申请情况|行政复议、?和?行政诉讼情况).*$")
# headings as reports word them otherwise than the template, which no heading key holds
_REWORDED = {"主动公开政府信息情况": "主动公开情况", "收到和处理政府信息公开申请情况": "依申请公开政府信息办理情况",
             "政府信息公开行政复议、行政诉讼情况": "因政府信息公开被申请行政复议、提起行政诉讼情况"}


@pytest.mark.parametrize("how", ["dropped", "reworded"])
@pytest.mark.parametrize("writer", sorted(LOSSLESS - {"flipbook"}))
@pytest.mark.parametrize("name", SOURCES)
def test_tables_are_found_by_their_own_first_words_when_headings_are_missing(name, writer, how):
    """A copy that lost the section headings (a picture, a heading set apart from the text), or
    a report that words them its own way: each table starts where its header or first row does,
    and is read in full; a line of prose naming a section is no heading."""
    bs, gold = source(name)
    text = WRITERS[writer](bs)
    if how == "dropped":
        text = _HEADING_LINE.sub("", text)
    else:
        for heading, words in _REWORDED.items():
            text = text.replace(heading, words)
    parse = parse_document(text.encode("utf-8"), f"{name}.{writer}.txt").to_json()
    assert not judge(parse, gold), (judge(parse, gold)[:6], parse["problems"][:6])
    assert not set(gold_cells(gold)) - set(parse_cells(parse)), parse["problems"][:6]


def _glued(bs: list, colon: str) -> list:
    """Each table row's first value glued to its label by a colon, in one cell ("…数量：8")."""
    from renderings import _is_number, _values_start

    out = []
    for kind, rows in bs:
        if kind == "table":
            glued = []
            for r in rows:
                k = _values_start(r)
                if 0 < k < len(r) and _is_number(r[k]) and r[k - 1].strip() and r[k - 1].strip()[-1] > "\u3400":
                    r = [*r[: k - 1], r[k - 1] + colon + r[k], *r[k + 1:]]
                glued.append(r)
            rows = glued
        out.append((kind, rows))
    return out


@pytest.mark.parametrize("colon", ["：", ":"])
@pytest.mark.parametrize("writer", sorted(LOSSLESS))
@pytest.mark.parametrize("name", SOURCES)
def test_a_first_value_glued_to_its_label_by_a_colon_is_read(name, writer, colon):
    """"一、本年新收政府信息公开申请数量：8" then the row's other values: the 8 is the row's first
    value, not part of its label (which had moved the row's numbers one column to the left)."""
    bs, gold = source(name)
    parse = parse_document(WRITERS[writer](_glued(bs, colon)).encode("utf-8"), f"{name}.{writer}.txt").to_json()
    assert not judge(parse, gold), (judge(parse, gold)[:6], parse["problems"][:6])
    if writer != "cell_per_line_wrapped":  # a wrapped label's last piece glued to a value: named
        assert not set(gold_cells(gold)) - set(parse_cells(parse)), parse["problems"][:6]


# short words a copy sets inside a table: a note's mark, a table's number, its unit, 续表 (总计
# and 合计 are no stray words: alone on a line they name table 三's total row)
_STRAY_WORDS = st.sampled_from(["注", "表3", "续", "单位：件", "（单位：件）", "续表", "（续表）"])


@given(name=st.sampled_from(SOURCES), writer=st.sampled_from(sorted(WRITERS)), word=_STRAY_WORDS,
       where=st.floats(0.2, 0.9))
def test_a_stray_word_inside_a_table_is_never_wrong(name, writer, word, where):
    """A short word on a line of its own among a table's cells (between a row's values too):
    the row it cuts is read whole or named, never filled from the run after the word."""
    bs, gold = source(name)
    lines = WRITERS[writer](bs).split("\n")
    k = int(len(lines) * where)
    parse = parse_document("\n".join([*lines[:k], word, *lines[k:]]).encode("utf-8"), f"{name}.{writer}.txt").to_json()
    assert not [w for w in judge(parse, gold) if "want" in w], (k, word, judge(parse, gold)[:6], parse["problems"][:6])


@pytest.mark.parametrize("name", SOURCES)
def test_a_stray_total_word_does_not_make_table_three_transposed(name):
    """A 合计 on a line of its own before a run of numbers: one name of the total column is no
    table printed with applicant types as its rows."""
    bs, _gold = source(name)
    lines = WRITERS["cell_per_line_pipe"](bs).split("\n")
    k = int(len(lines) * 0.55)
    parse = parse_document("\n".join([*lines[:k], "合计", *lines[k:]]).encode("utf-8"), f"{name}.txt").to_json()
    assert "transposed" not in " ".join(parse["problems"]) and parse["tables"]["requests"]
