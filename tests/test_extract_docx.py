""".docx extraction on a report built like the seed report (香河园 2019): its narrative, table 二
blocks, table 三 with merged group cells and table 四 with blank 行政复议 cells, saved by
python-docx as Word would lay it out (gridSpan / vMerge merges, a layout frame, a nested table).
"""

from __future__ import annotations

import io

import pytest
from docx import Document
from docx.shared import Pt

from scrapers.extract.dispatch import extract_document
from scrapers.extract.docx import extract_docx

# Table 三 of the seed report as printed: (group, sub-group, label, seven values)
REQUESTS = [
    ("一、本年新收政府信息公开申请数量", None, None, [8, 0, 0, 0, 0, 0, 8]),
    ("二、上年结转政府信息公开申请数量", None, None, [0] * 7),
    ("三、本年度办理结果", "（一）予以公开", None, [8, 0, 0, 0, 0, 0, 8]),
    ("三、本年度办理结果", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", None, [0] * 7),
    ("三、本年度办理结果", "（三）不予公开", "1.属于国家秘密", [0] * 7),
    ("三、本年度办理结果", "（三）不予公开", "2.其他法律行政法规禁止公开", [0] * 7),
    ("三、本年度办理结果", "（三）不予公开", "3.危及“三安全一稳定”", [0] * 7),
    ("三、本年度办理结果", "（四）无法提供", "1.本机关不掌握相关政府信息", [0] * 7),
    ("三、本年度办理结果", "（四）无法提供", "2.没有现成信息需要另行制作", [0] * 7),
    ("三、本年度办理结果", "（六）其他处理", None, [0] * 7),
    ("三、本年度办理结果", "（七）总计", None, [8, 0, 0, 0, 0, 0, 8]),
    ("四、结转下年度继续办理", None, None, [0] * 7),
]
APPLICANTS = ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]


def _merge_runs(table, col: int, first_row: int, labels: list[str | None]) -> None:
    """Merge each run of equal labels in a column into one vertically merged cell."""
    start = 0
    for i in range(1, len(labels) + 1):
        if i == len(labels) or labels[i] != labels[start]:
            if labels[start] is not None:
                cell = table.cell(first_row + start, col)
                if i - 1 > start:
                    cell = cell.merge(table.cell(first_row + i - 1, col))
                cell.text = labels[start]
            start = i


def _requests_table(doc) -> None:
    header_rows = 3
    table = doc.add_table(rows=header_rows + len(REQUESTS), cols=10)
    table.style = "Table Grid"
    # the header: a note over three rows and three columns, 申请人情况 over the seven columns
    note = table.cell(0, 0).merge(table.cell(2, 2))
    note.text = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    table.cell(0, 3).merge(table.cell(0, 9)).text = "申请人情况"
    table.cell(1, 3).merge(table.cell(2, 3)).text = "自然人"
    table.cell(1, 4).merge(table.cell(1, 8)).text = "法人或其他组织"
    table.cell(1, 9).merge(table.cell(2, 9)).text = "总计"
    for i, name in enumerate(APPLICANTS):
        # a header wrapped over two lines inside its cell, as the seed prints "商 业企 业"
        cell = table.cell(2, 4 + i)
        cell.text = name[:2]
        cell.add_paragraph(name[2:])
    groups = [g for g, _s, _l, _v in REQUESTS]
    for r, (group, sub, label, values) in enumerate(REQUESTS):
        row = header_rows + r
        if sub is None:
            table.cell(row, 0).merge(table.cell(row, 2))
        elif label is None:
            table.cell(row, 1).merge(table.cell(row, 2)).text = sub
        else:
            table.cell(row, 2).text = label
        for c, value in enumerate(values):
            table.cell(row, 3 + c).text = str(value)
    _merge_runs(table, 0, header_rows, groups)
    _merge_runs(table, 1, header_rows, [s if lbl else None for _g, s, lbl, _v in REQUESTS])


def seed_like_report() -> bytes:
    doc = Document()
    doc.add_paragraph("北京市朝阳区人民政府香河园街道办事处")
    doc.add_paragraph("2019年政府信息公开工作年度报告")
    doc.add_paragraph("一、总体情况")
    doc.add_paragraph("全年公开 123 条信息，受理申请 8 件。")
    doc.add_paragraph("二、主动公开政府信息情况")
    proactive = doc.add_table(rows=4, cols=4)
    proactive.cell(0, 0).merge(proactive.cell(0, 3)).text = "第二十条第（一）项"
    for c, text in enumerate(["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"]):
        proactive.cell(1, c).text = text
    for r, (item, values) in enumerate([("规章", [0, 0, 0]), ("规范性文件", [0, 2, 2])], start=2):
        proactive.cell(r, 0).text = item
        for c, value in enumerate(values, start=1):
            proactive.cell(r, c).text = str(value)
    doc.add_paragraph("三、收到和处理政府信息公开申请情况")
    # Word reports often sit inside a one-cell layout frame: table 三 here is inside one
    frame = doc.add_table(rows=1, cols=1)
    inner_doc = frame.cell(0, 0)
    inner_doc.paragraphs[0].text = "（单位：件）"
    _requests_table(inner_doc)
    doc.add_paragraph("四、政府信息公开行政复议、行政诉讼情况")
    appeals = doc.add_table(rows=4, cols=15)
    appeals.cell(0, 0).merge(appeals.cell(0, 4)).text = "行政复议"
    appeals.cell(0, 5).merge(appeals.cell(0, 14)).text = "行政诉讼"
    results = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    for c, text in enumerate(results):
        appeals.cell(1, c).merge(appeals.cell(2, c)).text = text
    appeals.cell(1, 5).merge(appeals.cell(1, 9)).text = "未经复议直接起诉"
    appeals.cell(1, 10).merge(appeals.cell(1, 14)).text = "复议后起诉"
    for c, text in enumerate(results * 2, start=5):
        appeals.cell(2, c).text = text
    # the seed leaves the 行政复议 cells blank and prints 0 for litigation
    for c in range(5, 15):
        appeals.cell(3, c).text = "0"
    doc.add_paragraph("五、存在的主要问题及改进情况")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def extracted():
    return extract_docx(seed_like_report())


def test_docx_is_recognised_and_read(extracted):
    assert extracted.status is None, extracted.problems
    assert extracted.format == "docx"
    assert extracted.title == "北京市朝阳区人民政府香河园街道办事处2019年政府信息公开工作年度报告"
    assert "受理申请 8 件" in extracted.text


def test_paragraphs_and_tables_come_in_document_order(extracted):
    texts = ["".join(r.texts) for r in extracted.rows]
    order = [next(i for i, t in enumerate(texts) if key in t) for key in (
        "二、主动公开", "规范性文件", "三、收到和处理", "（单位：件）", "本年新收", "结转下年度", "四、政府信息公开", "未经复议", "五、存在")]
    assert order == sorted(order)


def test_merged_cells_appear_once_in_their_first_row(extracted):
    rows = [r for r in extracted.rows if r.kind == "table"]
    every_cell = [c.text for r in rows for c in r.cells]
    for label in ("三、本年度办理结果", "（三）不予公开", "（四）无法提供", "申请人情况", "法人或其他组织", "行政复议"):
        assert every_cell.count(label) == 1, label
    secret = next(r for r in rows if "1.属于国家秘密" in r.texts)
    assert secret.texts == ["（三）不予公开", "1.属于国家秘密", "0", "0", "0", "0", "0", "0", "0"]
    prohibited = next(r for r in rows if "2.其他法律行政法规禁止公开" in r.texts)
    assert prohibited.texts == ["2.其他法律行政法规禁止公开", "0", "0", "0", "0", "0", "0", "0"]
    granted = next(r for r in rows if "（一）予以公开" in r.texts)
    assert granted.texts == ["三、本年度办理结果", "（一）予以公开", "8", "0", "0", "0", "0", "0", "8"]


def test_every_request_row_has_its_values(extracted):
    rows = [r for r in extracted.rows if r.kind == "table"]
    for group, sub, label, values in REQUESTS:
        key = label or sub or group
        row = next(r for r in rows if key in r.texts)
        assert [int(t) for t in row.texts[-7:]] == values, key


def test_wrapped_header_is_joined_and_columns_have_positions(extracted):
    rows = [r for r in extracted.rows if r.kind == "table"]
    header = next(r for r in rows if "商业企业" in r.texts)
    assert header.texts == APPLICANTS
    new = next(r for r in rows if "一、本年新收政府信息公开申请数量" in r.texts)
    numbers = new.cells[-7:]
    # each number lies under its header column: the x contract shared with PDF rows
    for head, cell in zip(header.cells, numbers[1:6]):
        assert head.x0 == cell.x0 and head.x1 == cell.x1
    assert all(a.x1 <= b.x0 for a, b in zip(numbers, numbers[1:]))


def test_blank_cells_are_kept(extracted):
    row = next(r for r in extracted.rows if r.kind == "table" and r.texts.count("0") == 10)
    assert row.texts == [""] * 5 + ["0"] * 10


def test_nested_table_follows_its_row():
    doc = Document()
    table = doc.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "外层"
    table.cell(0, 1).text = "1"
    nested = table.cell(0, 1).add_table(rows=1, cols=2)
    nested.cell(0, 0).text = "内层"
    nested.cell(0, 1).text = "2"
    table.cell(1, 0).text = "下一行"
    out = io.BytesIO()
    doc.save(out)
    rows = extract_docx(out.getvalue()).rows
    assert [r.texts for r in rows] == [["外层", "1"], ["内层", "2"], ["下一行", ""]]


def test_dispatch_sniffs_docx_whatever_the_name(extracted):
    data = seed_like_report()
    for name in ("report.docx", "report.html", None):
        result = extract_document(data, name)
        assert result.format == "docx" and [r.texts for r in result.rows] == [r.texts for r in extracted.rows]


def test_tracked_insertions_and_content_controls_are_read():
    doc = Document()
    doc.add_paragraph("受理申请")
    p = doc.paragraphs[0]._p
    # a number typed with track changes on lives in <w:ins>, which python-docx's text skips
    ins = p.makeelement("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}ins", {})
    run = p.makeelement("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}r", {})
    t = run.makeelement("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t", {})
    t.text = "21件"
    run.append(t)
    ins.append(run)
    p.append(ins)
    doc.paragraphs[0].runs[0].font.size = Pt(12)
    out = io.BytesIO()
    doc.save(out)
    assert extract_docx(out.getvalue()).rows[0].texts == ["受理申请21件"]


def _rewritten(data: bytes, name: str, old: bytes, new: bytes, drop: bool = False) -> bytes:
    """The package with `old` replaced by `new` in its part `name`, or without that part."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            if info.filename == name and drop:
                continue
            body = zin.read(info.filename)
            zout.writestr(info, body.replace(old, new) if info.filename == name else body)
    return out.getvalue()


def _one_paragraph_docx() -> bytes:
    out = io.BytesIO()
    document = Document()
    document.add_paragraph("2024年政府信息公开工作年度报告")
    document.save(out)
    return out.getvalue()


def test_only_a_word_main_document_is_read_as_python_docx_would_open_it():
    # the main part is found and checked as Document() does, though only that part is parsed
    data = _one_paragraph_docx()
    assert extract_docx(data).rows[0].texts == ["2024年政府信息公开工作年度报告"]
    # a template's main part is a document's: it is read (tests/test_extract_docx_shapes.py)
    template = _rewritten(data, "[Content_Types].xml", b"document.main+xml", b"template.main+xml")
    assert extract_docx(template).rows[0].texts == ["2024年政府信息公开工作年度报告"]
    sheet = _rewritten(data, "[Content_Types].xml", b"wordprocessingml.document.main+xml", b"spreadsheetml.sheet.main+xml")
    result = extract_docx(sheet)
    assert result.status == "failed" and "not a Word file" in result.problems[0]
    unlinked = _rewritten(data, "_rels/.rels", b"relationships/officeDocument", b"relationships/other")
    result = extract_docx(unlinked)
    assert result.status == "failed" and "no relationship of type" in result.problems[0]


def test_a_part_the_text_does_not_use_is_not_read():
    # only the main document part is read: a package whose styles part is missing (Document()
    # would refuse it) still gives its text, and a broken main part is still a clear failure
    data = _rewritten(_one_paragraph_docx(), "word/styles.xml", b"", b"", drop=True)
    assert extract_docx(data).rows[0].texts == ["2024年政府信息公开工作年度报告"]
    cut = _rewritten(_one_paragraph_docx(), "word/document.xml", b"</w:body>", b"")
    result = extract_docx(cut)
    assert result.status == "failed" and result.problems[0].startswith("not a readable .docx: XMLSyntaxError")


def test_a_table_is_walked_once_with_each_cell_read_as_python_docx_holds_it():
    # the one walk of a table reads: a tab and a line break inside a cell's paragraph (a space,
    # a wrapped line), a text box's words inside a cell's paragraph, a cell's second paragraph;
    # a cell continuing a vertical merge shows nothing, not even a table nested in it
    from docx.oxml.ns import qn

    doc = Document()
    table = doc.add_table(rows=2, cols=3)
    table.cell(0, 0).text = "合计"
    table.cell(0, 1).merge(table.cell(1, 1)).text = "12"
    table.cell(0, 2).text = "申请"
    table.cell(0, 2).add_paragraph("件数")
    table.cell(1, 0).text = "其他"
    table.cell(1, 2).text = "3"
    first = table.cell(0, 0).paragraphs[0]._p
    run = first.makeelement(qn("w:r"), {})
    for tag, text in (("w:tab", None), ("w:t", "处理"), ("w:br", None), ("w:t", "结果")):
        element = run.makeelement(qn(tag), {})
        element.text = text
        run.append(element)
    # a text box anchored in the paragraph: its own paragraph, inside the run
    box = run.makeelement(qn("w:txbxContent"), {})
    box_p = box.makeelement(qn("w:p"), {})
    box_r = box_p.makeelement(qn("w:r"), {})
    box_t = box_r.makeelement(qn("w:t"), {})
    box_t.text = "框"
    box_r.append(box_t)
    box_p.append(box_r)
    box.append(box_p)
    run.append(box)
    first.append(run)
    # the row-1 half of the merged cell is a vMerge continuation: a table inside it is not read
    continued = table.rows[1]._tr.findall(qn("w:tc"))[1]
    hidden = doc.add_table(rows=1, cols=2)
    hidden.cell(0, 0).text = "不读"
    hidden.cell(0, 1).text = "9"
    continued.append(hidden._tbl)
    out = io.BytesIO()
    doc.save(out)
    rows = extract_docx(out.getvalue()).rows
    assert [r.texts for r in rows] == [["合计 处理结果框", "12", "申请件数"], ["其他", "3"]]
    assert [(c.x0, c.x1) for c in rows[1].cells] == [(rows[0].cells[0].x0, rows[0].cells[0].x1), (rows[0].cells[2].x0, rows[0].cells[2].x1)]
