"""The hard cases of real reports, each on a real document of the corpus altered the way
portals and converters alter them."""

from __future__ import annotations

import re

import pytest

from gold import CORPUS
from scrapers.parse.report import parse_document

SHANGHAI = (CORPUS / "docs" / "shanghai-general-office-2019.html").read_bytes()
SEED = (CORPUS / "seed" / "000_3cfb3787871ff2e9.txt").read_bytes()
HONGZE_TEXT = (CORPUS / "docs" / "jiangsu-hongze-district-gov-2023.pdfplumber.txt").read_bytes()


def cells(parse, table="requests"):
    key = {"requests": ("row", "column"), "appeals": ("proceeding", "result"), "proactive": ("item", "measure")}[table]
    return {(getattr(c, key[0]), getattr(c, key[1])): c for c in getattr(parse, table)}


def page(body: str, charset: str = "utf-8") -> str:
    return f'<html><head><meta charset="{charset}"><title>t</title></head><body>{body}</body></html>'


def shanghai_text() -> str:
    return SHANGHAI.decode("utf-8")


# --- HTML -------------------------------------------------------------------------------


def test_html_rowspan_colspan_and_blank_cells():
    parse = parse_document(SHANGHAI, "x.html")
    got = cells(parse)
    # "三、本年度办理结果" is a rowspan cell in front of （一）: the row is still granted
    assert got[("granted", "natural_person")].value == 258
    # &nbsp; cells read as 0, the raw text kept blank so a printed 0 can be told apart
    assert got[("new_received", "research_institution")].value == 0
    assert got[("new_received", "research_institution")].raw.strip() == ""
    assert parse.table_templates == {"proactive": "2019", "requests": "2019"}


def test_html_in_gbk_with_a_wrong_charset_declaration():
    gbk = shanghai_text().encode("gb18030")
    declared_utf8 = page(shanghai_text(), "utf-8").encode("gb18030")
    for data in (page(shanghai_text(), "gbk").encode("gb18030"), gbk, declared_utf8):
        assert cells(parse_document(data, "x.html"))[("processed_total", "total")].value == 805


def test_html_labels_broken_inside_cells_and_nested_markup():
    html = shanghai_text()
    html = html.replace("<p>一、本年新收政府信息公开申请数量</p>", "<p>一、本年新收<br>政府信息<span>公开申请</span>数量</p>")
    html = html.replace('<p align="center">821</p>', '<p align="center"><span><b>8</b>21</span></p>')
    html = html.replace("<p>（七）总计</p>", "<p>（七）<br/>总 计</p>")
    got = cells(parse_document(html.encode(), "x.html"))
    assert got[("new_received", "natural_person")].value == 821
    assert got[("processed_total", "total")].value == 805


def test_html_one_table_per_block_of_table_two():
    html = shanghai_text()
    # split the single table 二 into one table per 第二十条 block, as many portals print it
    html = re.sub(r'(<tr><td colspan="5"><p align="center">第二十条第（[五六八九]）项)', r"</table><table>\1", html)
    parse = parse_document(html.encode(), "x.html")
    got = cells(parse, "proactive")
    assert got[("centralized_procurement", "amount")].value == 251000
    assert got[("centralized_procurement", "amount")].unit == "yuan"
    assert got[("centralized_procurement", "amount")].value_wan_yuan == pytest.approx(25.1)
    assert got[("regulation", "total_published")].value == 524


def test_html_unknown_extra_rows_are_kept_not_shifted():
    html = shanghai_text().replace(
        "<tr><td><p>其他对外管理服务事项</p>",
        '<tr><td><p>行政检查</p></td><td colspan="2"><p>7</p></td><td><p>1</p></td><td><p>9</p></td></tr>'
        "<tr><td><p>其他对外管理服务事项</p>",
    )
    parse = parse_document(html.encode(), "x.html")
    got = cells(parse, "proactive")
    assert got[("other_external_service", "decisions")].value == 0
    assert [(e.label, e.column, e.value) for e in parse.extra] == [
        ("行政检查", "prior_year_items", 7), ("行政检查", "change", 1), ("行政检查", "decisions", 9)
    ]
    assert any("行政检查" in p for p in parse.problems)


def test_html_legal_person_subtotal_column_is_checked_and_dropped():
    html = shanghai_text().replace(
        '<td colspan="3"><p>一、本年新收政府信息公开申请数量</p></td><td><p align="center">821</p></td>',
        '<td colspan="3"><p>一、本年新收政府信息公开申请数量</p></td><td><p align="center">821</p></td><td>38</td>',
    )
    parse = parse_document(html.encode(), "x.html")
    got = cells(parse)
    assert got[("new_received", "commercial_enterprise")].value == 35
    assert got[("new_received", "total")].value == 859
    assert any("subtotal" in p for p in parse.problems)


def test_html_image_tables_need_ocr():
    html = page("<p>2023年某街道政府信息公开工作年度报告</p><p>二、主动公开政府信息情况</p><p><img src='t2.png'></p>"
                "<p>三、收到和处理政府信息公开申请情况</p><p><img src='t3.png'></p>")
    parse = parse_document(html.encode(), "x.html")
    assert parse.status == "needs_ocr"
    assert not parse.requests


def test_truncated_html_is_partial_not_invented():
    data = SHANGHAI[: SHANGHAI.index("（五）不予处理".encode())]
    parse = parse_document(data, "x.html")
    assert parse.status == "partial"
    assert "processed_total" not in {c.row for c in parse.requests}


# --- plain text -------------------------------------------------------------------------


def test_text_row_without_leading_tabs_and_blank_table_four():
    parse = parse_document(SEED, "seed.txt")
    got = cells(parse)
    # "3. 危及“三安全一稳定”" is printed without the leading tabs of its neighbours
    assert got[("denied_safety_stability", "total")].value == 0
    appeals = cells(parse, "appeals")
    assert len(appeals) == 15
    assert appeals[("review", "total")].raw == "" and appeals[("review", "total")].value == 0


def test_text_numbers_printed_above_their_labels():
    got = cells(parse_document(HONGZE_TEXT, "x.txt"))
    assert got[("partially_granted", "total")].value == 4
    assert got[("denied_state_secret", "total")].value == 1
    assert got[("unable_not_held", "total")].value == 10
    assert got[("unable_needs_creation", "total")].value == 3


def test_text_lost_row_is_reported_not_filled_by_a_neighbour():
    lines = HONGZE_TEXT.decode().splitlines()
    # drop the numbers of 4.保护第三方合法权益: its label stays, its values are gone
    lines = [ln for ln in lines if not ln.startswith("度 4.保护第三方合法权益")]
    parse = parse_document("\n".join(lines).encode(), "x.txt")
    assert ("denied_third_party", "total") not in cells(parse)
    assert cells(parse)[("denied_internal_affairs", "total")].value == 0
    assert parse.status == "partial"


def test_text_2021_table_two_with_2019_style_table_three():
    parse = parse_document(HONGZE_TEXT, "x.txt")
    assert parse.template == "2021"
    assert parse.table_templates == {"proactive": "2021", "requests": "2019"}
    assert ("other", "total") in cells(parse)


def test_identity_violations_are_kept_as_printed():
    parse = parse_document(HONGZE_TEXT, "x.txt")
    failed = {c.name: (c.left, c.right) for c in parse.checks if not c.passed}
    assert failed == {"appeals.total.review": (0, 11), "appeals.total.litigation_after_review": (0, 5)}
    assert cells(parse, "appeals")[("review", "total")].value == 0


def test_signed_change_values():
    text = SEED.decode().replace("行政许可\t0\t0\t0", "行政许可\t12\t-2\t40").replace("行政处罚\t0\t0\t0", "行政处罚\t3\t+1\t5")
    got = cells(parse_document(text.encode(), "x.txt"), "proactive")
    assert got[("administrative_license", "change")].value == -2
    assert got[("administrative_penalty", "change")].value == 1


def test_garbage_is_failed_not_a_crash():
    parse = parse_document(b"\x00\x01\x02garbage" * 100, "x.bin")
    assert parse.status in ("failed", "unsupported_format")
    assert parse.problems


def test_pdf_table_four_with_dropped_blank_cells_is_placed_by_header_positions():
    """An unruled PDF drops blank cells: the numbers go under the headers they stand beneath."""
    from scrapers.extract.dispatch import extract_document
    from scrapers.parse.report import _read_tables
    from scrapers.parse.model import Parse

    pdf = (CORPUS / "docs" / "jiangsu-hongze-district-gov-2023.pdf").read_bytes()
    ext = extract_document(pdf, "x.pdf")
    data_row = next(r for r in ext.rows if len(r.cells) == 15 and [c.text for c in r.cells][:2] == ["10", "1"])
    # as if 行政复议's five cells had been printed blank and dropped, and the row were plain text
    data_row.cells = data_row.cells[5:]
    data_row.kind = "text"
    parse = Parse()
    _read_tables(parse, ext)
    got = cells(parse, "appeals")
    assert len(got) == 15
    assert got[("review", "upheld")].value == 0 and got[("review", "upheld")].raw == ""
    assert got[("litigation_after_review", "upheld")].value == 5
    assert any("placed by the headers' positions" in p for p in parse.problems)


def test_word_report_parses_through_the_same_readers():
    from test_extract_docx import seed_like_report

    parse = parse_document(seed_like_report(), "report.bin")  # the format comes from the bytes
    assert parse.format == "docx"
    assert (parse.year, parse.office) == (2019, "北京市朝阳区人民政府香河园街道办事处")
    got = cells(parse)
    assert got[("new_received", "natural_person")].value == 8
    assert got[("processed_total", "total")].value == 8
    assert cells(parse, "appeals")[("litigation_direct", "total")].raw == "0"
    # the fixture prints only some rows of table 三: the rest are reported missing, not invented
    assert parse.status == "partial"
    assert ("denied_third_party", "total") not in got
