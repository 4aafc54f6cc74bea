"""Recognising reports and reading their office and year; pagination rules; the portal and office registries.

Titles are the forms real Beijing pages print (formats_and_portals.md §3.4).
"""

from __future__ import annotations

import pytest

from crawl_mirror import FIXTURES
from scrapers.offices import OfficeRegistry
from scrapers.crawl.pages import parse_page
from scrapers.crawl.pagination import last_page_urls, trs_page_urls
from scrapers.crawl.portals import RegistryError, read_registry, select_portals
from scrapers.crawl.titles import is_report_title, may_be_report_link, split_title, year_in_text

OFFICES = OfficeRegistry.load()
DISTRICTS = OFFICES.printed_districts


@pytest.mark.parametrize(
    "title, year, district, office",
    [
        ("北京市东城区人民政府东四街道办事处2025年政府信息公开工作年度报告", 2025, "东城区", "东四街道"),
        ("北京市东城区城市管理委员会2025年政府信息公开工作年度报告", 2025, "东城区", "城市管理委员会"),
        ("北京市西城区什刹海街道2022年政府信息公开工作年度报告", 2022, "西城区", "什刹海街道"),
        ("西长安街街道2018年政府信息公开年度报告", 2018, None, "西长安街街道"),
        ("西城区新街口街道办事处2018年政府信息公开工作年度报告", 2018, "西城区", "新街口街道"),
        ("2014年北京市朝阳区东湖街道办事处筹备处政府信息公开工作年度报告", 2014, "朝阳区", "东湖街道办事处筹备处"),
        ("2017年北京市朝阳区政府信息公开工作年度报告", 2017, "朝阳区", "区人民政府"),
        ("北京市通州区宋庄镇人民政府2022年政府信息公开工作年度报告", 2022, "通州区", "宋庄镇"),
        ("北京市大兴区天宫院街道 2017年政府信息公开工作年度报告", 2017, "大兴区", "天宫院街道"),
        ("丰台区宛平城地区办事处 2017年政府信息公开工作年度报告", 2017, "丰台区", "宛平城地区"),
        ("北京市石景山区人民政府2017年政府信息公开工作年度报告", 2017, "石景山区", "区人民政府"),
        ("门头沟区民政局2009年政府信息公开年报", 2009, "门头沟区", "民政局"),
        ("2008年北京市朝阳区机关后勤服务中心信息公开工作年度报告", 2008, "朝阳区", "机关后勤服务中心"),
        ("北京市密云县信访办公室2009年政府信息公开工作年度报告", 2009, "密云县", "信访办公室"),
        ("《北京市密云区大城子镇人民政府2025年政府信息公开工作年度报告》", 2025, "密云区", "大城子镇"),
        # the year in Chinese digits, as some offices print it
        ("北京市朝阳区教育委员会二〇一九年政府信息公开工作年度报告", 2019, "朝阳区", "教育委员会"),
        ("二○一二年北京市怀柔区雁栖镇政府信息公开工作年度报告", 2012, "怀柔区", "雁栖镇"),
        ("北京市西城区民政局二零二一年度政府信息公开工作年度报告", 2021, "西城区", "民政局"),
    ],
)
def test_real_titles_give_year_district_and_office(title, year, district, office):
    assert is_report_title(title)
    parts = split_title(title, DISTRICTS)
    assert (parts.year, parts.district, parts.normalised) == (year, district, office)


@pytest.mark.parametrize(
    "title",
    [
        "东城区2023年政务公开工作要点",
        "北京市东城区政府信息公开指南",
        "西城区政府信息公开目录",
        "关于2023年政府信息公开工作年度报告编制工作的说明",
        "关于做好2023年度政府信息公开工作年度报告编制和发布工作的通知",
        "北京市东城区2023年政府信息公开工作年度报告（图解）",
        "北京市东城区2023年政府信息公开工作要点",
        # a home page's menu names the 年报 column with the report words alone
        "政府信息公开年报",
        "政府信息公开工作年度报告",
    ],
)
def test_look_alikes_are_not_reports(title):
    assert not is_report_title(title)
    assert not may_be_report_link(title)


def test_a_title_cut_short_by_the_list_is_worth_a_look():
    assert may_be_report_link("北京市东城区人民政府东华门街道办事处2023年政府信息公开工…")
    assert not may_be_report_link("东城区人民政府2023年工作…")


def test_years_of_sub_column_labels_but_not_of_ranges():
    assert year_in_text("2023年") == 2023 and year_in_text("2009年度") == 2009 and year_in_text("2019") == 2019
    assert year_in_text("往年年报（2008-2017年）") is None
    assert year_in_text("北京市大兴区亦庄镇2019年政府信息公开工作年度报告") == 2019


def test_trs_create_page_html_announces_every_list_page():
    html = (FIXTURES / "dongcheng/zfxxgkzl/zfxxgknb/2023nb/dcqjd2023/index.html").read_text(encoding="utf-8")
    base = "http://h/zfxxgkzl/zfxxgknb/2023nb/dcqjd2023/"
    assert trs_page_urls(base, html) == [base + "index.html", base + "index_1.html", base + "index_2.html"]
    # the variant that names its count in a variable, with a div id first
    script = 'var countPage = 4//共多少页\ncreatePageHTML("page_div", countPage, 0, "index", "shtml", 60);'
    assert trs_page_urls(base + "index.shtml", script)[-1] == base + "index_3.shtml"
    assert trs_page_urls(base, 'createPageHTML(1, 0, "index", "html");') == []


def test_last_page_link_fills_in_the_pages_between():
    links = [("http://h/l/index.html?page=2", "下一页"), ("http://h/l/index.html?page=6", "尾页")]
    assert last_page_urls("http://h/l/index.html", links) == [f"http://h/l/index.html?page={n}" for n in range(2, 7)]
    trs = [("http://h/l/index_5.html", "末页")]
    assert last_page_urls("http://h/l/index.html", trs) == [f"http://h/l/index_{n}.html" for n in range(1, 6)]


def test_detail_page_title_wins_over_related_links():
    path = FIXTURES / "dongcheng/zfxxgkzl/zfxxgknb/2023nb/dcqjd2023/202401/t20240116_3500101.html"
    page = parse_page("http://h/x/t20240116_3500101.html", path.read_text(encoding="utf-8"))
    assert page.report_title() == "北京市东城区人民政府东华门街道办事处2023年政府信息公开工作年度报告"
    assert page.published == "2024-01-16" and page.has_report_body


def test_attachment_page_has_no_report_body():
    path = FIXTURES / "daxing/bjsdxqrmzf/zwfw/zfxxgk/dxqzf69/2019n/xzjd13/730971/index.html"
    page = parse_page("http://h/d/730971/index.html", path.read_text(encoding="utf-8"))
    assert not page.has_report_body
    assert [l.url for l in page.attachments()] == ["http://h/d/730971/P020200120a.pdf", "http://h/d/730971/P020200120b.docx"]


@pytest.mark.parametrize(
    "name, codes, year, office_id",
    [
        ("大栅栏街道", ["110102"], 2009, "110104-s-dashilan"),  # before the 2010 merger: 宣武区
        ("大栅栏街道", ["110102"], 2019, "110102013"),
        ("天坛街道", ["110101"], 2009, "110103-s-tiantan"),
        ("东四街道", ["110101"], 2009, "110101006"),
        ("将台乡", ["110105"], 2019, "110105023"),  # 乡 and 地区办事处 are one body
        ("鲁谷社区", ["110107"], 2019, "110107011"),
        ("区人民政府", ["110118"], 2009, "110228-gov"),  # 密云县 until 2015
        ("区人民政府", ["110118"], 2020, "110118-gov"),
        ("信访办公室", ["110228", "110118"], 2009, "110118-d-xfb"),
        ("东湖街道办事处筹备处", ["110105"], 2014, "110105043-cbc"),
        ("文化和旅游局", ["110101"], 2023, "110101-d-whlyj"),  # created by the 2019 reform
        ("文化委员会", ["110101"], 2017, "110101-d-whw"),  # its predecessor
        ("卫生和计划生育委员会", ["110115"], 2018, "110115-d-wjwold"),
        ("宛平城地区", ["110106"], 2017, "110106-t-wanpingcheng"),  # before it became 宛平街道
        ("冬奥会城市运行保障指挥部", ["110101"], 2021, None),
    ],
)
def test_offices_match_the_registry_in_their_year(name, codes, year, office_id):
    office = OFFICES.match(name, codes, year)
    assert (office.office_id if office else None) == office_id


def test_office_registry_holds_the_343_townships():
    local = [o for o in OFFICES.offices if o.office_type in ("subdistrict", "town") and len(o.office_id) == 9]
    assert len(local) == 343
    assert len({o.district_code for o in OFFICES.offices if o.office_type == "district_government" and not o.valid_to}) == 16


def test_registry_has_all_16_districts_and_selects_by_name_or_code():
    portals = read_registry()
    assert len({p.district_code for p in portals}) == 16
    assert {p.district for p in select_portals(portals, ["朝阳区"])} == {"朝阳"}
    assert {p.district for p in select_portals(portals, ["110102"])} == {"西城"}
    xicheng = select_portals(portals, ["西城"])[0]
    assert xicheng.enumeration_id("https://www.bjxch.gov.cn/zt/xxgkzl/gknbxq/pnidpv290pntypepvnbpnnfpv2022.html") == "290"
    assert xicheng.enumerate_urls({"197"}, (2025,)) == ["https://www.bjxch.gov.cn/zt/xxgkzl/gknbxq/pnidpv197pntypepvnbpnnfpv2025.html"]
    assert xicheng.in_scope("https://www.bjxch.gov.cn/zt/xxgkzl/gknbxqx/pnidpv843089.html")
    assert not xicheng.in_scope("https://www.bjxch.gov.cn/zt/xxgkzl/ml.html")


def test_a_broken_registry_row_is_named(tmp_path):
    bad = tmp_path / "portals.csv"
    bad.write_text("district,district_code,portal,start_url,allowed_hosts,scope\n"
                   "东城,110101,h,http://h/a/,h,/a/(\n", encoding="utf-8")
    with pytest.raises(RegistryError, match=r"row 1: scope"):
        read_registry(bad)
    bad.write_text("district,district_code,portal,start_url,allowed_hosts,detail_pattern\n"
                   "朝阳,110105,h,http://h/a/,h,/a/[0-9a-f]{24,32}\\.html$\n", encoding="utf-8")
    with pytest.raises(RegistryError, match=r"row 1: more values than columns"):
        read_registry(bad)
    bad.write_text("district,portal\n东城,h\n", encoding="utf-8")
    with pytest.raises(RegistryError, match="missing columns"):
        read_registry(bad)


def test_only_a_page_with_numbered_report_sections_counts_as_an_inline_report():
    """A column page titled like a report, whose menu says 主动公开 and 依申请公开, is a list;
    海淀's column page that prints the report's sections is the report (discover.py)."""
    menu = ('<html><head><title>政府信息公开工作年度报告</title></head><body><ul><li>主动公开</li><li>依申请公开</li>'
            '<li>行政复议</li></ul><a href="a.html">北京市海淀区人民政府2023年政府信息公开工作年度报告</a></body></html>')
    inline = menu.replace("</ul>", "</ul><p>一、总体情况</p><p>二、主动公开政府信息情况</p>"
                                    "<p>三、收到和处理政府信息公开申请情况</p><p>四、政府信息公开行政复议、行政诉讼情况</p>")
    assert parse_page("http://x/", menu).report_sections == 0
    assert parse_page("http://x/", inline).report_sections == 4


def test_ten_thousand_last_page_links_are_one_range_not_ten_million_urls():
    """Regression (issue 17): every 尾页 link of a hostile list expanded to its own range."""
    import time

    from scrapers.crawl.pagination import MAX_PAGES

    links = [(f"http://x/list/index_{n}.html", "尾页") for n in range(5_000, 15_000)]
    started = time.perf_counter()
    urls = last_page_urls("http://x/list/index.html", links)
    assert time.perf_counter() - started < 1.0
    assert len(urls) == MAX_PAGES and urls[0] == "http://x/list/index_1.html"
