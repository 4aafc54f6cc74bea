"""The stream reader's own rules, on small generated cases and the real corpus: OCR cells with
their own location and confidence, rows whose blank cells vanished, and the template facts
the readers take from seeds/."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gold import CORPUS, gold_files, load_gold
from scrapers.extract.model import Cell, Extracted
from scrapers.parse import appeals_table, proactive_table, requests_table
from scrapers.parse.model import Parse
from scrapers.parse.report import _read_tables, parse_document, parse_file
from scrapers.parse.values import MIN_CONFIDENCE
from scrapers.seeds import read_seed

SEED = (CORPUS / "seed" / "000_3cfb3787871ff2e9.txt").read_bytes()


def _ocr_rows(confidence: float) -> Extracted:
    """The seed report's rows as an OCR engine would give them: a box per cell."""
    from scrapers.extract.dispatch import extract_document

    ext = extract_document(SEED, "seed.txt")
    for r, row in enumerate(ext.rows):
        row.cells = [Cell(c.text, loc=f"page 1 box {r}.{k}", confidence=0.99) for k, c in enumerate(row.cells)]
    granted = next(row for row in ext.rows if "予以公开" in "".join(row.texts) and "部分" not in "".join(row.texts))
    [c for c in granted.cells if c.text.strip()][-1].confidence = confidence  # its 总计
    ext.format = "image"  # rows of an OCR engine, not of a text file
    return ext


def test_cell_loc_and_low_confidence_cell_is_named_and_left_out():
    parse = Parse()
    _read_tables(parse, _ocr_rows(MIN_CONFIDENCE - 0.3))
    cells = {(c.row, c.column): c for c in parse.requests}
    assert ("granted", "total") not in cells
    assert cells[("granted", "natural_person")].loc.startswith("page 1 box")
    assert parse.status == "partial"
    assert any("granted.total" in p and "confidence" in p for p in parse.problems)


def test_confident_ocr_cells_are_read():
    parse = Parse()
    _read_tables(parse, _ocr_rows(0.95))
    assert ("granted", "total") in {(c.row, c.column) for c in parse.requests}
    assert not any("confidence" in p for p in parse.problems)


def _table_three(rows: dict[str, str]) -> bytes:
    """A table 三 written one row per line, "label v v …", from the seed's labels."""
    labels = {r["code"]: r["label_zh"] for r in read_seed("request_rows")}
    order = requests_table.template_rows(False)
    body = "\n".join(f"{labels[c]} {rows.get(c, '0 0 0 0 0 0 0')}" for c in order)
    return ("2023年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n" + body
            + "\n四、政府信息公开行政复议、行政诉讼情况\n五、存在的主要问题及改进情况\n无\n").encode()


def test_vanished_blanks_placed_only_where_the_identities_leave_one_reading():
    # granted printed "5 5" (blanks lost); every other outcome row and the totals are whole,
    # so the column identities say where the 5s stand
    rows = {"granted": "5 5", "processed_total": "0 0 5 0 0 0 5", "new_received": "0 0 5 0 0 0 5"}
    parse = parse_document(_table_three(rows), "x.txt")
    got = {(c.row, c.column): c.value for c in parse.requests}
    assert got[("granted", "research_institution")] == 5 and got[("granted", "total")] == 5
    assert got[("granted", "natural_person")] == 0
    assert any("placed by the template's identities" in p for p in parse.problems)


def test_vanished_blanks_with_two_readings_are_not_read():
    # every row that could tell lost its blanks too: nothing says which column the 5 is in
    rows = {"granted": "5 5", "processed_total": "5 5", "new_received": "5 5"}
    parse = parse_document(_table_three(rows), "x.txt")
    got = {(c.row, c.column) for c in parse.requests}
    assert ("granted", "total") not in got and ("processed_total", "total") not in got
    assert parse.status == "partial"
    assert any("more than one reading" in p for p in parse.problems)


# --- template facts come from seeds/ -------------------------------------------------------


def test_request_template_rows_are_the_seed_flags():
    seed = sorted(read_seed("request_rows"), key=lambda r: int(r["sort_order"]))
    assert requests_table.template_rows(False) == [r["code"] for r in seed if r["in_2019"] == "true"]
    in_2021 = [r["code"] for r in seed if r["in_2021"] == "true"]
    # the 2021 format prints （六） as a header over its three sub-rows
    assert requests_table.template_rows(True) == [c for c in in_2021 if c not in requests_table.HEADER_CODES]
    assert requests_table.HEADER_CODES == {"other"}


def test_proactive_cells_expected_are_the_seed_grid():
    grid = read_seed("proactive_grid")
    for template in ("2019", "2021"):
        flat = {(i, m) for i, ms in proactive_table.EXPECTED[template].items() for m in ms}
        assert flat == {(r["item"], r["measure"]) for r in grid if r[f"in_{template}"] == "true"}


def test_codes_and_variants_agree_with_the_seeds():
    dims = {
        "request_row": {r["code"] for r in read_seed("request_rows")},
        "applicant_type": {r["code"] for r in read_seed("applicant_types")},
        "appeal_proceeding": {r["code"] for r in read_seed("appeal_proceedings")},
        "appeal_result": {r["code"] for r in read_seed("appeal_results")},
        "proactive_item": {r["code"] for r in read_seed("proactive_items")},
        "proactive_measure": {r["code"] for r in read_seed("proactive_measures")},
    }
    for r in read_seed("label_variants"):
        if r["dimension"] in dims:
            assert r["code"] in dims[r["dimension"]], r
    assert set(requests_table.COLUMNS) == dims["applicant_type"]
    assert {p for p, _ in appeals_table.CELLS} == dims["appeal_proceeding"]
    assert {r for _, r in appeals_table.CELLS} == dims["appeal_result"]


@pytest.mark.parametrize("gold_path", gold_files()[:9], ids=lambda p: p.stem)
def test_every_code_a_parse_emits_is_in_the_seeds(gold_path):
    doc, _ = load_gold(gold_path)
    parse = parse_file(doc)
    rows = {r["code"] for r in read_seed("request_rows")}
    columns = {r["code"] for r in read_seed("applicant_types")}
    grid = {(r["item"], r["measure"]) for r in read_seed("proactive_grid")}
    assert {c.row for c in parse.requests} <= rows
    assert {c.column for c in parse.requests} <= columns
    assert {(c.item, c.measure) for c in parse.proactive} <= grid


def test_table_four_placement_by_identities():
    from scrapers.parse.appeals_table import place_by_identities

    # zeros printed and blanks lost: every reading is the same fifteen zeros
    assert place_by_identities([0, 0, 0]) is not None
    # 复议 printed "2 2" and nothing else: 2 could be any of four results
    assert place_by_identities([2, 2]) is None
    # three proceedings' "x x" each: still four readings per proceeding
    assert place_by_identities([1, 1, 3, 3, 2, 2]) is None
    # all fifteen printed: one reading, in order
    assert place_by_identities([1, 0, 0, 0, 1] * 3) == list(range(15))


# --- placing a row whose blank cells vanished, against the definition --------------------


def _readings(known: dict[str, list[int]], code: str, printed: list[int], order: list[str]) -> dict[tuple[int, ...], tuple[int, ...]]:
    """Every row the printed values can make (in order, zeros elsewhere) that keeps each identity
    on this row whose other rows are known, with the first positions that make it: the
    definition, evaluated cell by cell."""
    from itertools import combinations

    from scrapers.parse.checks import request_identities

    width = len(requests_table.COLUMNS)
    column = {c: k for k, c in enumerate(requests_table.COLUMNS)}
    deciding = [i for i in request_identities(order)
                if any(r == code for r, _ in i.left + i.right) and all(r == code or r in known for r, _ in i.left + i.right)]
    # each identity's cells as (row, column index), the row's own cells read from the reading
    deciding = [([(r, column[c]) for r, c in i.left], [(r, column[c]) for r, c in i.right]) for i in deciding]
    out: dict[tuple[int, ...], tuple[int, ...]] = {}
    for positions in combinations(range(width), len(printed)):
        row = [0] * width
        for p, v in zip(positions, printed):
            row[p] = v
        grid = {**known, code: row}
        if all(sum(grid[r][k] for r, k in left) == sum(grid[r][k] for r, k in right) for left, right in deciding):
            out.setdefault(tuple(row), positions)
    return out


@st.composite
def _vanished_row(draw):
    """A table 三 whose identities hold, one of its rows printed without its blanks (and some of
    its zeros), and some of the other rows known."""
    order = requests_table.template_rows(draw(st.booleans()))
    role = requests_table.ROLE
    n = len(requests_table.APPLICANTS)
    outcomes = [r for r in order if role[r] == "outcome"]
    # the applicants' cells of every outcome row, of 二、上年结转 and of 四、结转下年度, in one draw
    drawn = iter(draw(st.lists(st.sampled_from((0, 0, 1, 2, 3)), min_size=n * (len(outcomes) + 2), max_size=n * (len(outcomes) + 2))))

    def row() -> list[int]:
        parts = [next(drawn) for _ in range(n)]
        return [*parts, sum(parts)]

    table = {r: row() for r in outcomes}
    total = [sum(col) for col in zip(*table.values())]
    carried_over, forward = row(), row()
    for r in order:
        if role[r] == "total":
            table[r] = total
        elif role[r] == "forward":
            table[r] = forward
        elif r == order[1]:
            table[r] = carried_over
    received = order[0]
    table[received] = [t + f - c for t, f, c in zip(total, forward, carried_over)]
    assert set(table) == set(order)
    code = draw(st.sampled_from(order))
    kept_zeros = draw(st.booleans())
    printed = [v for v in table[code] if v or kept_zeros]
    others = [r for r in order if r != code]
    # every other row whole (the common case), or only some of them
    whole = draw(st.booleans())
    known = {r: table[r] for r in (others if whole else draw(st.lists(st.sampled_from(others), unique=True)))}
    return order, table, code, printed, known


@settings(max_examples=100, derandomize=True, deadline=None)
@given(_vanished_row())
def test_vanished_blanks_placement_is_the_definition_and_never_wrong(case):
    order, table, code, printed, known = case
    identities = requests_table._identities(tuple(order))
    positions = requests_table.place_by_identities(known, code, printed, len(requests_table.COLUMNS), identities)
    readings = _readings(known, code, printed, order)
    assert tuple(table[code]) in readings  # the row as it was satisfies every identity
    if len(readings) != 1:
        assert positions is None
        return
    # one reading: the row as it was, its printed zeros where they first fit
    assert readings == {tuple(table[code]): tuple(positions)}


def _stream_rows(data: bytes, name: str):
    from scrapers.extract.dispatch import extract_document
    from scrapers.parse.stream import stream_rows

    return stream_rows(extract_document(data, name))


COLLAPSED = "规章 0 0 0 行政规范性文件 3 1 20\n一、本年新收政府信息公开申请数量 21 0 0 0 0 0 21 二、上年结转政府信息公开申请数量 1 0 0 0 0 0 1\n"


@pytest.mark.parametrize("fmt", ["txt", "html"])
def test_a_line_that_prints_several_rows_is_read_row_by_row(fmt):
    """A table collapsed onto one line of text or one paragraph of a page: each label takes the
    values after it, not the line's last values (which once gave 一、本年新收 the numbers of the
    line's last row)."""
    data = COLLAPSED if fmt == "txt" else "".join(f"<p>{line}</p>" for line in COLLAPSED.splitlines())
    rows = _stream_rows(data.encode("utf-8"), f"x.{fmt}")
    assert [r.texts for r in rows] == [
        ["规章", "0", "0", "0"], ["行政规范性文件", "3", "1", "20"],
        ["一、本年新收政府信息公开申请数量", "21", "0", "0", "0", "0", "0", "21"],
        ["二、上年结转政府信息公开申请数量", "1", "0", "0", "0", "0", "0", "1"],
    ]
    assert len({r.loc for r in rows}) == 2


@pytest.mark.parametrize("line", [
    "括：行政规范性文件 13 件；规划计划文件 2 件；2024 年度部门",  # a number's unit follows it: prose
    "行政复议\t\t\t\t\t行政诉讼\t\t",  # blank cells of a header are no row's values
    "2023 年，本机关共收到申请 12 件",  # values before the first label
])
def test_a_line_of_prose_or_a_header_stays_one_row(line):
    assert len(_stream_rows((line + "\n").encode("utf-8"), "x.txt")) == 1


def test_a_word_paragraph_spaced_like_a_table_row_is_read_as_its_fields():
    """Word reports type small tables as paragraphs; a spaced one reads like a line of text."""
    import io

    from docx import Document

    doc = Document()
    doc.add_paragraph("（一）予以公开 5 0 0\u30000 0 0 5")
    doc.add_paragraph("行政许可\t550")
    out = io.BytesIO()
    doc.save(out)
    rows = _stream_rows(out.getvalue(), "x.docx")
    assert [r.texts for r in rows] == [["（一）予以公开", "5", "0", "0", "0", "0", "0", "5"], ["行政许可", "550"]]
