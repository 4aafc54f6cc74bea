"""HTML pages: table cells as printed, the text outside tables as lines."""

from hypothesis import given
from hypothesis import strategies as st

from scrapers.extract.html import extract_html


def _cells(html: str) -> list[list[str]]:
    return [row.texts for row in extract_html(html.encode("utf-8")).rows if row.kind == "table"]


def test_a_cell_reads_the_same_with_or_without_children():
    page = (
        "<table><tr><td> 1  2 </td><td></td><td>商业企<br>业</td><td><!-- n -->5</td>"
        "<td><p> 3</p>\u3000</td><th>合计</th></tr></table>"
    )
    # words of different text nodes stay apart ("商业企 业"; the parser joins them later), a
    # comment adds nothing, every run of whitespace (the ideographic space too) is one space
    assert _cells(page) == [["1 2", "", "商业企 业", "5", "3", "合计"]]


def test_text_outside_tables_is_one_line_per_block_and_the_table_rows_between():
    ext = extract_html("<html><title>报告</title><body><p>一、总体<b>情况</b></p>前言<table><tr><td>a</td><td>1</td></tr></table>尾</body></html>".encode())
    assert ext.text == "一、总体情况\n前言\na\t1\n尾"
    assert ext.title == "报告"


def test_an_xhtml_page_with_an_xml_declaration_of_its_encoding_is_read():
    # lxml refuses a str that keeps the declaration: such pages (older CMSs serve XHTML) were
    # all "unreadable HTML"
    for declaration in ('<?xml version="1.0" encoding="utf-8"?>', '<?xml version="1.0"?>', '\n <?xml version="1.0" encoding="UTF-8" ?>'):
        ext = extract_html(f'{declaration}<html xmlns="http://www.w3.org/1999/xhtml"><body><p>中文</p></body></html>'.encode())
        assert ext.status is None and ext.text == "中文", declaration
    # the declaration names the page's charset; the bytes are decoded by it, not as UTF-8
    page = '<?xml version="1.0" encoding="gb2312"?><html><body><p>主动公开政府信息</p></body></html>'.encode("gbk")
    ext = extract_html(page)
    assert ext.status is None and ext.text == "主动公开政府信息"


def test_a_gbk_page_is_read_by_its_declared_charset():
    page = '<html><head><meta charset="gbk"></head><body><p>主动公开政府信息</p></body></html>'.encode("gbk")
    assert extract_html(page).text == "主动公开政府信息"


# Regression: the text after a comment was dropped outside tables (iterwalk yields no comment,
# so its tail never reached the line), and "共计5<!-- -->0件" read 共计5.
@given(st.integers(0, 10**6), st.data())
def test_a_comment_or_instruction_inside_the_text_takes_nothing_from_what_the_page_shows(number, data):
    shown = f"本年共受理申请{number}件"
    cut = data.draw(st.integers(0, len(shown)), label="cut")
    hidden = data.draw(st.sampled_from(["<!-- 正文 -->", "<!---->", "<?php echo 1; ?>"]), label="hidden")
    marked = shown[:cut] + hidden + shown[cut:]
    page = (f"<html><body><p>{marked}</p><!-- x -->{shown}<div>{marked}<span>{marked}</span></div>"
            f"<table><tr><td>{marked}</td><td>{hidden}{number}</td></tr></table></body></html>")
    ext = extract_html(page.encode("utf-8"))
    assert ext.text.split("\n") == [shown, shown, shown + shown, f"{shown}\t{number}"]



INVISIBLE = ["\u200b", "&#8203;", "&#x200B;", "\ufeff", "&#65279;", "&shy;", "\u00ad", "&ZeroWidthSpace;", "\u2060", "&zwj;"]


@given(st.integers(0, 10**6), st.data())
def test_characters_the_page_does_not_show_are_not_in_the_cell(number, data):
    # an editor's zero-width space or soft hyphen inside "12" or "不予公开": the page shows 12
    shown = str(number)
    cut = data.draw(st.integers(0, len(shown)), label="cut")
    mark = data.draw(st.sampled_from(INVISIBLE), label="mark")
    page = f"<table><tr><td>不予{mark}公开</td><td>{shown[:cut]}{mark}{shown[cut:]}</td></tr></table><p>共{mark}{shown}件</p>"
    ext = extract_html(page.encode("utf-8"))
    assert _cells(page) == [["不予公开", shown]]
    assert ext.text.split("\n")[-1] == f"共{shown}件"


def test_an_entity_that_only_begins_like_an_invisible_one_is_kept():
    # &#1730; is a letter, &#xad1; a syllable: not the soft hyphen (&#173;, &#xad;) they begin with
    assert _cells("<table><tr><td>&#1730;</td><td>&#xad1;</td><td>1&#173;2</td></tr></table>") == [["\u06c2", "\u0ad1", "12"]]


def test_a_number_boxed_in_a_one_cell_table_is_its_cell_text():
    box = "<table><tr><td>{}</td></tr></table>"
    page = f"<table><tr><td>规章</td><td>{box.format(5)}</td><td></td></tr></table>"
    assert _cells(page) == [["规章", "5", ""]]
    # a frame holding a table of several cells is still a frame: the inner table is read
    frame = f"<table><tr><td><p>前言</p><table><tr><td>规章</td><td>{box.format(5)}</td></tr></table></td></tr></table>"
    assert _cells(frame) == [["规章", "5"]]
    # a one-cell table holding a long text is a frame, not a box
    long_text = "本机关严格按照条例要求办理政府信息公开申请" * 2
    framed = f"<table><tr><td><table><tr><td>{long_text}</td></tr></table></td><td>3</td></tr></table>"
    assert [r.texts for r in extract_html(framed.encode()).rows] == [[long_text], ["3"]]


def test_a_grid_of_divs_styled_as_a_table_is_read_as_rows_of_cells():
    cell = "<div style='display:table-cell'>{}</div>"
    rows = [["信息内容", "本年新制作数量"], ["规章", ""], ["规范性文件", "3"]]
    grid = "".join("<div style='display: table-row'>" + "".join(cell.format(c) for c in r) + "</div>" for r in rows)
    assert _cells(f"<div style='display:table'>{grid}</div>") == rows  # the blank cell kept
    # rows styled display:flex, the container unstyled
    flex = "".join("<div style='display:flex'>" + "".join(f"<span>{c}</span>" for c in r) + "</div>" for r in rows)
    assert _cells(f"<div class='grid'>{flex}</div>") == rows


def test_a_lone_flex_row_or_a_block_of_paragraphs_is_text():
    # a page's header drawn with flex, or an article of paragraphs: no grid
    for page in ("<div><div style='display:flex'><span>首页</span><span>政府信息公开</span></div></div>",
                 "<div><p>一、总体情况</p><p>本年共受理申请5件</p></div>",
                 "<div><div style='display:flex'><span>a</span></div><p>b</p></div>"):
        assert _cells(page) == [], page


def test_a_page_laid_out_in_flex_columns_is_not_a_grid():
    article = "<div><p>一、总体情况</p><table><tr><td>规章</td><td>5</td></tr></table></div>"
    page = ("<div><div style='display:flex'><div>首页</div>" + article + "</div>"
            "<div style='display:flex'><span>版权所有</span><span>联系我们</span></div></div>")
    assert _cells(page) == [["规章", "5"]]
    assert "一、总体情况" in extract_html(page.encode()).text.split("\n")


def test_a_gbk_page_whose_meta_is_wrong_or_missing_is_read():
    body = "<body><table><tr><td>主动公开政府信息</td><td>12</td></tr></table></body></html>"
    for head in ("<meta charset='utf-8'>", "", "<meta http-equiv='Content-Type' content='text/html; charset=gb2312'>"):
        page = f"<html><head>{head}</head>{body}".encode("gbk")
        assert [r.texts for r in extract_html(page).rows] == [["主动公开政府信息", "12"]], head
