"""Layouts that real page-text stores gave us for 2019+ reports, in small cases of our own words
and numbers: header cells cut to their first line, the filler of merged cells on a cell's line,
rows opened by a "|" of their own, whole pages in traditional characters. Each is read where
the template says where a cell is, and left unread (named) where it does not."""

from __future__ import annotations

import pytest

from renderings import _to_traditional
from scrapers.parse.appeals_table import _trim_layout_blanks
from scrapers.parse.report import parse_document
from scrapers.parse.stream import Item
from scrapers.parse.values import Value, read_value


def _parse(text: str, name: str = "x.txt"):
    return parse_document(text.encode("utf-8"), name)


def _proactive(parse) -> dict[tuple[str, str], float]:
    return {(c.item, c.measure): c.value for c in parse.proactive}


HEAD = "2020年某街道办事处政府信息公开工作年度报告\n二、主动公开政府信息情况\n"


@pytest.mark.parametrize("sep", [" | ", " "], ids=["pipes", "spaces"])
def test_header_cells_cut_to_their_first_line_are_placed_by_the_one_block_that_fits(sep):
    # "本年新" begins both 本年新制作数量 and 本年新公开数量: the third cell and the template's
    # (一) block place them
    text = HEAD + "\n".join(sep.join(r) for r in [
        ["第二十条第（一）项"],
        ["信息内容", "本年新", "本年新", "对外公开总数量"],
        ["规章", "4", "3", "12"],
        ["规范性文件", "7", "6", "31"],
    ]) + "\n"
    got = _proactive(_parse(text))
    assert got[("regulation", "new_made")] == 4
    assert got[("regulation", "new_published")] == 3
    assert got[("normative_document", "total_published")] == 31


def test_a_cut_header_two_blocks_fit_is_not_read():
    # "本年" begins 本年处理决定数量 and 本年收费金额: a one-cell header that either could be
    text = HEAD + ("第二十条第（一）项 |\n信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |\n规章 | 1 | 0 | 5 |\n"
                   "第二十条第（五）项 |\n信息内容 | 本年 |\n行政许可 | 9 |\n")
    parse = _parse(text)
    assert ("administrative_license", "decisions") not in _proactive(parse)
    assert parse.status == "partial"
    assert any("administrative_license" in p for p in parse.problems)


def test_filler_of_merged_cells_on_a_cells_line_is_no_cell():
    text = HEAD + "\n".join([
        "第二十条第（五）项 | |||", "信息内容 |", "本年处理决定数量 | ||",
        "行政许可 |", "17 | ||",
        "第二十条第（八）项 | |||", "信息内容 |", "本年收费金额（单位：万元） | ||",
        "行政事业性收费 |", " | ||",
    ]) + "\n"
    got = _proactive(_parse(text))
    assert got[("administrative_license", "decisions")] == 17
    # the blank cell before the filler is a blank cell
    assert got[("administrative_fee", "amount")] == 0


def test_a_pipe_only_paragraph_of_a_page_is_filler():
    # a web page's paragraphs: "3 |", "3 |", "|||||||" is two numbers and filler, not seven
    # cells; which columns the two numbers stand in the text does not say
    rows = ["三、收到和处理政府信息公开申请情况", "一、本年新收政府信息公开申请数量 |", "3 |", "3 |", "|||||||",
            "二、上年结转政府信息公开申请数量 |", "0 |", "0 |", "0 |", "0 |", "0 |", "0 |", "0 |"]
    page = "<html><body>" + "".join(f"<p>{r}</p>" for r in rows) + "</body></html>"
    parse = _parse(page, "x.html")
    got = {(c.row, c.column) for c in parse.requests}
    assert not any(row == "new_received" for row, _ in got)
    assert ("carried_over", "total") in got


ROW_OPENED_FOUR = """四、政府信息公开行政复议、行政诉讼情况
| 
 行政复议  | 
 行政诉讼  | |||||||||
| 
 结果维持  | 
 结果纠正  | 
 其他结果  | 
 尚未审结  | 
 总计  | 
 未经复议直接起诉  | 
 复议后起诉  | ||||||
| 
 3  | 
   | 
   | 
 1  | 
 4  | 
 2  | 
   | 
   | 
   | 
 2  | 
   | 
   | 
   | 
   | 
   | 
五、存在的主要问题及改进情况
"""


def test_table_four_of_rows_opened_by_a_pipe_is_read_in_place():
    parse = _parse("2022年某局政府信息公开工作年度报告\n" + ROW_OPENED_FOUR)
    got = {(c.proceeding, c.result): c.value for c in parse.appeals}
    assert got[("review", "upheld")] == 3
    assert got[("review", "pending")] == 1
    assert got[("review", "total")] == 4
    assert got[("litigation_direct", "upheld")] == 2
    assert got[("litigation_direct", "total")] == 2
    assert got[("litigation_after_review", "total")] == 0


def _items(values: list[int | None]) -> list[Item]:
    return [Item(Value(0, "", True, None) if v is None else Value(v, str(v), False, None), "line 1") for v in values]


def test_table_four_blanks_at_both_ends_are_cut_where_the_identities_say():
    # one blank too many, at either end: only the cut after the first keeps every total
    values = _items([None, 3, None, None, 1, 4, 2, None, None, None, 2, None, None, None, None, None])
    cut = _trim_layout_blanks(values)
    assert [v.value.number for v in cut][:5] == [3, 0, 0, 1, 4]


ROW_OPENED_TWO = "".join(f"| \n{''.join(f' {c}  | ' + chr(10) for c in row)}" for row in [
    ["第二十条第（一）项"], ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
    ["规章", "0", "0", "2"], ["行政规范性文件", "3", "1", "14"]])


def test_table_four_blanks_at_both_ends_no_cut_keeps_the_totals_is_not_read():
    values = _items([None, 3, None, None, 1, 9, 2, None, None, None, 5, None, None, None, None, None])
    assert _trim_layout_blanks(values) is None
    broken = ROW_OPENED_FOUR.replace(" 4  | ", " 9  | ")
    parse = _parse("2022年某局政府信息公开工作年度报告\n" + broken)
    # too few rows to tell the layout: which blank is the row's opener only the identities could say
    assert parse.appeals == [] and parse.status != "ok"
    # rows opened by "|" before table 二's labels tell it: the fifteen cells are read as printed,
    # the broken total with them, and the check says so
    parse = _parse("2022年某局政府信息公开工作年度报告\n二、主动公开政府信息情况\n" + ROW_OPENED_TWO + broken)
    assert {(c.proceeding, c.result): c.value for c in parse.appeals}[("review", "total")] == 9
    assert any(not c.passed for c in parse.checks)
    assert _proactive(parse)[("normative_document", "in_force")] == 14


def test_a_page_in_traditional_characters_reads_as_its_simplified_text():
    simplified = (HEAD + "第二十条第（五）项 |\n信息内容 | 上一年项目数量 | 本年增/减 | 处理决定数量 |\n"
                  "行政许可 | 12 | 减少4 | 无 |\n其他对外管理服务事项 | 5 | 增加2 | 38 |\n")
    traditional = simplified.translate(_to_traditional())
    assert traditional != simplified
    got = _proactive(_parse(traditional))
    assert got == _proactive(_parse(simplified))
    assert got[("administrative_license", "change")] == -4
    assert got[("administrative_license", "decisions")] == 0
    assert got[("other_external_service", "decisions")] == 38


def test_values_fold_traditional_characters():
    assert read_value("減少4").number == -4
    assert read_value("無").blank
    assert read_value("規章") is None


def test_a_mirror_that_prints_pinyin_after_characters_reads_and_a_garbled_cell_is_not_a_row():
    # mirror sites of portals annotate some characters with their pinyin: "內(nèi)容", "數(shù)量"
    text = ("2021年某局政府信息公開工作年度報告\n二、主動(dòng)公開政府信息情況\n"
            "第二十條第(五)項(xiàng) | |||\n信息內(nèi)容 |\n本年處理決定數(shù)量 | ||\n行政許可 |\n6 | ||\n"
            "第二十條第(一)項(xiàng) | |||\n信息內(nèi)容 |\n本年制發(fā)件數(shù) |\n本年廢止件數(shù) |\n現(xiàn)行有效件數(shù) |\n"
            "規(guī)章 |\n1 |\n? 0 |\n3 |\n")
    parse = _parse(text)
    got = _proactive(parse)
    assert got[("administrative_license", "decisions")] == 6
    # the garbled cell keeps its place in its row and is not read, named; it is no row of its
    # own, and the row's other cells are where they were printed
    assert ("regulation", "repealed") not in got
    assert (got[("regulation", "issued")], got[("regulation", "in_force")]) == (1, 3)
    assert parse.extra == []
    assert any("regulation.repealed prints '? 0'" in p for p in parse.problems)


def test_a_pages_paragraph_of_a_blank_cell_and_filler_is_the_blank_cell():
    rows = ["二、主动公开政府信息情况", "第二十条第（八）项 | |||", "信息内容 |", "本年收费金额（单位：万元） | ||",
            "行政事业性收费 |", " | ||", "第二十条第（五）项 | |||", "信息内容 |", "本年处理决定数量 | ||", "行政许可 |", "7 | ||"]
    page = "<html><body>" + "".join(f"<p>{r}</p>" for r in rows) + "</body></html>"
    got = {(c.item, c.measure): (c.value, c.raw) for c in _parse(page, "x.html").proactive}
    assert got[("administrative_fee", "amount")] == (0, "")
    assert got[("administrative_license", "decisions")] == (7, "7")


# --- layouts of a second round: pdftotext, CSV, wrapped cells, numerals --------------------

from scrapers.extract.csv_text import csv_as_tabs  # noqa: E402


def _requests(parse) -> dict[tuple[str, str], int]:
    return {(c.row, c.column): c.value for c in parse.requests}


def test_a_spreadsheets_csv_export_reads_as_table_rows():
    # a quoted cell holds a line break and a comma; every record has the sheet's four fields
    text = HEAD + ('第二十条第（一）项,,,\n信息内容,"本年新制\n作数量",本年新公开数量,对外公开总数量\n'
                   '规章,0,0,"1,204"\n规范性文件,3,2,47\n')
    got = _proactive(_parse(text))
    assert got[("regulation", "total_published")] == 1204
    assert got[("normative_document", "new_published")] == 2


def test_prose_with_ascii_commas_is_not_a_csv_block():
    prose = ("2022年,我局共收到申请12件,办结11件,结转1件。\n全年主动公开信息356条,其中,政策文件41条,"
             "规划计划5条。\n年内,召开专题会议3次,开展培训2次,覆盖人员80人次。\n")
    assert csv_as_tabs(prose) == prose


def test_a_count_printed_as_a_numeral_zero_is_a_printed_zero():
    v = read_value("零")
    assert v.number == 0 and not v.blank
    # 一 stays a dash look-alike, as before: the numerals are not read as counts
    assert read_value("一").blank


def test_a_number_split_from_its_unit_by_a_space_is_one_value():
    text = HEAD + "第二十条第（一）项\n信息内容\n本年制发件数\n本年废止件数\n现行有效件数\n规章\n1 件\n0 件\n6 件\n"
    got = _proactive(_parse(text))
    assert got[("regulation", "issued")] == 1 and got[("regulation", "in_force")] == 6


def test_a_label_wrapped_over_three_lines_takes_the_numbers_of_its_middle_line():
    # pdftotext -layout of a vertically centred cell: the numbers beside the label's middle line
    text = HEAD + ("                 第二十条第（五）项\n   信息内容    上一年项目数量    本年增/减    处理决定数量\n"
                   "   行政许可          20              0              77\n  其他对外管理服务\n"
                   "                     9             -2              40\n       事项\n")
    got = _proactive(_parse(text))
    assert got[("other_external_service", "prior_year_items")] == 9
    assert got[("other_external_service", "change")] == -2
    assert got[("administrative_license", "decisions")] == 77


def test_header_cells_wrapped_in_columns_are_joined_column_by_column():
    text = HEAD + ("              第二十条第（一）项\n              本年制发    本年废止    现行有效\n   信息内容\n"
                   "                件数        件数        件数\n     规章         2           0           9\n")
    got = _proactive(_parse(text))
    assert got == {("regulation", "issued"): 2, ("regulation", "repealed"): 0, ("regulation", "in_force"): 9}


REQ = "2021年某局政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n"


def test_a_wrapped_label_with_its_numbers_on_the_first_line_is_joined_to_its_rest():
    # "逾期不补" / "正、…": neither line names the row, the join does
    text = REQ + ("       （五）不予处理  1.信访举报投诉类申请        2   0   0   0   0   0   2\n"
                  "       （六）其他处理  1.申请人无正当理由逾期不补   4   1   0   0   0   0   5\n"
                  "                       正、行政机关不再处理其政府\n                       信息公开申请\n"
                  "                       2.申请人逾期未按收费通知要   0   0   0   0   0   0   0\n"
                  "                       求缴纳费用、行政机关不再处\n                       理其政府信息公开申请\n"
                  "                       3.其他                       1   0   0   0   0   0   1\n")
    got = _requests(_parse(text))
    assert [got[("other_no_correction", c)] for c in ("natural_person", "commercial_enterprise", "total")] == [4, 1, 5]
    assert got[("other_unpaid_fee", "total")] == 0
    assert got[("other_misc", "total")] == 1


def test_the_rest_of_a_wrapped_label_is_never_a_row_that_opens_with_its_number():
    # Regression: "2、申请人逾期未按收费通" after the rest of row 1's label ("不补正…") was read as
    # row 1 with row 2's numbers
    text = REQ + ("（六）其他处理 1、申请人无正当理由逾期   5   0   0   0   0   0   5\n不补正、行政机关不再处理\n"
                  "其政府信息公开申请\n2、申请人逾期未按收费通   3   0   0   0   0   0   3\n知要求缴纳费用、行政机关\n"
                  "不再处理其政府信息公开申请\n3、其他   0   0   0   0   0   0   0\n")
    got = _requests(_parse(text))
    assert got[("other_no_correction", "total")] == 5
    assert got[("other_unpaid_fee", "total")] == 3


def test_a_dash_is_none_where_the_rows_total_holds_and_unread_where_it_breaks():
    # "—" in a count cell: the row's 总计 is the sum of its parts with the dashes as 0, so they
    # are 0; beside a total that breaks, a dash may hide a lost number, so it is not read
    text = REQ + ("一、本年新收政府信息公开申请数量 | 6 | — | — | — | 1 | — | 7 |\n"
                  "二、上年结转政府信息公开申请数量 | 2 | — | — | — | — | — | 5 |\n"
                  "（一）予以公开 | 8 | — | — | — | 1 | — | 9 |\n四、政府信息公开行政复议、行政诉讼情况\n")
    parse = _parse(text)
    got = _requests(parse)
    assert got[("new_received", "commercial_enterprise")] == 0 and got[("new_received", "total")] == 7
    assert ("carried_over", "commercial_enterprise") not in got
    assert got[("carried_over", "natural_person")] == 2 and got[("carried_over", "total")] == 5
    assert parse.status == "partial" and any("dashes" in p for p in parse.problems)


def test_a_count_with_its_share_beside_it_is_the_count():
    assert read_value("6（37.5%）").number == 6
    assert read_value("1,204 (12.5％)").number == 1204
    # a share alone, or brackets with no share in them, are no count
    assert read_value("37.5%") is None
    assert read_value("6（%）") is None
    assert read_value("（5%）") is None


def test_bars_part_cells_only_where_a_line_prints_two_or_more():
    from scrapers.extract.text import bars_as_pipes

    assert bars_as_pipes("5丨1丨0\n某丨局") == "5|1|0\n某丨局"
    assert bars_as_pipes("｜（一）予以公开｜5｜") == "|（一）予以公开|5|"
    # a line already parted by "|" keeps its bars as text
    assert bars_as_pipes("| 某丨局丨办 | 3 |") == "| 某丨局丨办 | 3 |"


T3_2021 = "2021年某区体育局政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n"


def test_table_three_with_applicant_types_as_rows_is_not_read():
    """Outcomes as the columns: the last header cell (结转下年度继续办理) followed by the 自然人
    row reads like a wrapped label with its values; the table is named transposed instead."""
    head = ["申请人", "本年新收", "上年结转", "予以公开", "部分公开", "本机关不掌握相关政府信息", "总计", "结转下年度继续办理"]
    rows = [["自然人", 9, 1, 4, 2, 3, 9, 1], ["商业企业", 2, 0, 1, 0, 1, 2, 0], ["科研机构", 0, 0, 0, 0, 0, 0, 0],
            ["总计", 11, 1, 5, 2, 4, 11, 1]]
    text = (T3_2021 + "\t".join(head) + "\n" + "".join("\t".join(map(str, r)) + "\n" for r in rows)
            + "四、政府信息公开行政复议、行政诉讼情况\n")
    parse = _parse(text)
    assert not parse.requests
    assert any("transposed" in p for p in parse.problems), parse.problems


def test_each_rows_numbers_in_the_paragraph_after_its_label_are_that_rows():
    """A reprint's paragraph per label, then the row's numbers between bars: label first."""
    rows = [("一、本年新收政府信息公开申请数量", "4丨1丨0丨0丨0丨0丨5"), ("二、上年结转政府信息公开申请数量", "1丨0丨0丨0丨0丨0丨1")]
    text = T3_2021 + "\n\n".join(f"▲{label}\n\n{nums}" for label, nums in rows) + "\n\n四、政府信息公开行政复议、行政诉讼情况\n"
    got = {(c.row, c.column): c.value for c in _parse(text).requests}
    assert got[("new_received", "natural_person")] == 4 and got[("new_received", "total")] == 5
    assert got[("carried_over", "total")] == 1


LISTED = "（一）予以公开：自然人5件，商业企业1件，科研机构0件，社会公益组织0件，法律服务机构0件，其他0件，总计6件。\n"


def test_a_row_listed_as_its_columns_is_read_only_with_every_column_in_order():
    head = T3_2021 + "一、本年新收政府信息公开申请数量：自然人6件，商业企业1件，科研机构0件，社会公益组织0件，法律服务机构0件，其他0件，总计7件。\n"
    tail = "四、政府信息公开行政复议、行政诉讼情况\n"
    got = {(c.row, c.column): c.value for c in _parse(head + LISTED + tail).requests}
    assert got[("granted", "natural_person")] == 5 and got[("granted", "commercial_enterprise")] == 1
    assert got[("granted", "total")] == 6
    # a column left out, or two swapped: which number is whose the list still says, but not
    # the template's order, so the row is not read as one
    dropped = LISTED.replace("科研机构0件，", "")
    swapped = LISTED.replace("自然人5件，商业企业1件", "商业企业1件，自然人5件")
    for text in (dropped, swapped):
        got = {(c.row, c.column) for c in _parse(head + text + tail).requests}
        assert not any(row == "granted" for row, _ in got)


def test_a_list_cut_inside_its_last_number_is_not_read():
    """A store that keeps the first bytes stops in "总计16件": the 1 it kept is no total."""
    row = "一、本年新收政府信息公开申请数量：自然人12件，商业企业3件，科研机构0件，社会公益组织0件，法律服务机构1件，其他0件，总计16件。"
    parse = _parse(T3_2021 + row[: row.index("总计") + 3])
    assert not parse.requests
    assert parse.status != "ok"


T4_2021 = "2021年某区体育局政府信息公开工作年度报告\n四、政府信息公开行政复议、行政诉讼情况\n"


def test_table_four_a_row_per_proceeding_is_read_only_with_the_three_in_order():
    rows = ["行政复议\t2\t1\t0\t0\t3", "行政诉讼（未经复议直接起诉）\t0\t0\t1\t0\t1", "行政诉讼（复议后起诉）\t1\t0\t0\t0\t1"]
    got = {(c.proceeding, c.result): c.value for c in _parse(T4_2021 + "\n".join(rows) + "\n五、存在的主要问题及改进情况\n").appeals}
    assert got[("review", "upheld")] == 2 and got[("review", "total")] == 3
    assert got[("litigation_direct", "other")] == 1 and got[("litigation_after_review", "upheld")] == 1
    # two proceedings swapped, or one left out: not the template's order, not read
    for shown in ([rows[1], rows[0], rows[2]], rows[:2]):
        parse = _parse(T4_2021 + "\n".join(shown) + "\n五、存在的主要问题及改进情况\n")
        assert not parse.appeals


def _dash_joined_table(short: bool) -> tuple[str, dict[tuple[str, str], int]]:
    """Table 三 (2021) as a site prints it with each sub-row's label joined to its group's name by
    a dash ("不予公开-属于国家秘密", "其他处理-其他"), the group rows left out; `short` as one site
    shortened the labels of （六） and （七）."""
    from scrapers.parse.requests_table import COLUMNS
    from scrapers.seeds import read_seed

    shortened = {"other_no_correction": "逾期不补正", "other_unpaid_fee": "逾期未缴费", "other_misc": "其他"}
    lines = ["2021年，本机关政府信息公开工作情况如下。", "三、收到和处理政府信息公开申请情况",
             "| 项目 | 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计 |",
             "|---|---|---|---|---|---|---|---|"]
    want = {}
    for n, r in enumerate(r for r in read_seed("request_rows") if r["in_2021"] == "true" and r["code"] != "other"):
        code = r["code"]
        own = r["label_zh"].split(".", 1)[1] if r["label_zh"][0].isdigit() else r["label_zh"]
        if r["label_zh"][0].isdigit():
            own = shortened[code] if short and code in shortened else own
            label = f"{r['category_zh']}-{own}"
        else:
            label = "办理结果总计" if short and code == "processed_total" else own
        values = [(n * 7 + k) % 5 for k in range(len(COLUMNS) - 1)]
        values.append(sum(values))
        want.update({(code, col): v for col, v in zip(COLUMNS, values)})
        lines.append(f"| {label} | " + " | ".join(map(str, values)) + " |")
    return "\n".join(lines) + "\n", want


@pytest.mark.parametrize("short", [False, True], ids=["template labels", "shortened labels"])
def test_sub_row_labels_joined_to_their_group_by_a_dash_name_their_own_row(short):
    # the group's name is the longer variant ("其他处理" names the 2019 row （六）), and won by length
    text, want = _dash_joined_table(short)
    parse = _parse(text)
    got = {(c.row, c.column): c.value for c in parse.requests}
    assert got == want, sorted(k for k in want if got.get(k) != want[k])[:8]
