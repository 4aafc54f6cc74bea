"""Pre-2019 statements held out from the vocabularies (session 8 measurement): other years'
figures beside the report's, totals since the 条例 took effect, spans of years, averages,
counts rounded to 万, and wordings of requests, staff and fees the seeds lacked.

Each case is written in our own words after a form of the held-out batches, in other wordings
and numbers, so that a rule fitted to one batch sentence fails here.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scrapers.parse.narrative import parse_narrative
from test_narrative_generated import UNITS_OF, phrase, printed_number


def read(text: str, year: int | None = None) -> dict[str, int | float]:
    return {c.measure: c.value for c in parse_narrative(text, year).cells}


# --- another year's figure in the report's sentence --------------------------------------------


@pytest.mark.parametrize(
    "text, year, expected",
    [
        ("2012年共受理政府信息公开申请33件,2013年共受理政府信息公开申请41件。", 2013, {"requests_received": 41}),
        ("2012年共受理政府信息公开申请33件,2013年共受理政府信息公开申请41件。", 2012, {"requests_received": 33}),
        ("我委2015年主动公开政府信息1,210条,2014年为980条。", 2015, {"proactive_items": 1210}),
        ("2016年度答复申请18件;2017年度答复申请25件。", 2017, {"requests_answered": 25}),
    ],
)
def test_only_the_report_years_figure_is_read_when_a_sentence_gives_several_years(text, year, expected):
    r = parse_narrative(text, year)
    assert {c.measure: c.value for c in r.cells} == expected
    assert r.problems == []


def test_without_the_report_year_two_years_figures_are_left_out_with_a_problem():
    r = parse_narrative("2012年共受理政府信息公开申请33件,2013年共受理政府信息公开申请41件。")
    assert r.cells == [] and any("requests_received" in p for p in r.problems)


def test_a_clause_of_another_year_alone_is_not_the_figure():
    assert read("2011年度主动公开政府信息402条。", 2012) == {}
    assert read("2011年度主动公开政府信息402条。", 2011) == {"proactive_items": 402}


@pytest.mark.parametrize("text", [
    "2010年,本局受理政府信息公开申请120件。",
    "在2010年,我局共主动公开政府信息300条。",
    "二〇一〇年，本局受理政府信息公开申请120件。",
    "2010年度,全区各单位共受理政府信息公开申请120件,均已按时答复。",
])
def test_a_year_opening_the_sentence_is_the_year_of_its_figures(text):
    """The year stands in a clause of its own before the number's: it dates the sentence."""
    assert read(text, 2011) == {}
    assert read(text, 2010) != {}


def test_a_sentence_naming_the_report_year_after_another_reads_the_report_years_figure():
    text = "2010年，全区共受理政府信息公开申请120件；2011年，全区共受理申请150件。"
    assert read(text, 2011) == {"requests_received": 150}
    assert read(text, 2010) == {"requests_received": 120}


@pytest.mark.parametrize("text", ["今年受理申请15件,上年度受理申请11件。", "本年度共收到申请15件,去年收到申请11件。"])
def test_the_year_before_in_words_is_not_the_figure(text):
    assert read(text) == {"requests_received": 15}


def test_several_years_respectively_is_left_out_with_a_problem():
    r = parse_narrative("2014年、2015年分别受理政府信息公开申请20件和26件。", 2015)
    assert r.cells == [] and any("requests_received" in p for p in r.problems)


def test_the_pipeline_reads_with_the_year_of_the_report():
    from scrapers.parse.report import parse_document

    text = (
        "北京市某区某委员会2013年政府信息公开工作年度报告\n本报告根据《条例》(国务院令第492号)编制。\n"
        "一、主动公开情况\n2012年主动公开政府信息310条,2013年主动公开政府信息356条。\n"
        "二、存在的不足及改进措施\n无。\n"
    )
    p = parse_document(text.encode("utf-8"), "r.txt")
    assert p.year == 2013 and {c.measure: c.value for c in p.narrative} == {"proactive_items": 356}


YEARS = st.integers(2009, 2018)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_generated_two_years_in_one_sentence_read_the_report_years_value(data):
    measure = data.draw(st.sampled_from(["proactive_items", "requests_received", "requests_answered", "reviews", "lawsuits", "consultations"]))
    earlier = data.draw(YEARS)
    later = earlier + data.draw(st.integers(1, 3))
    unit = data.draw(st.sampled_from(UNITS_OF[measure]))
    a, b = data.draw(st.integers(1, 900)), data.draw(st.integers(1, 900))
    words = data.draw(phrase(measure))
    text = f"{earlier}年{words}{data.draw(printed_number(a))}{unit},{later}年{words}{data.draw(printed_number(b))}{unit}。"
    report_year = data.draw(st.sampled_from([earlier, later]))
    got = read(text, report_year)
    assert got == {measure: a if report_year == earlier else b}, text
    # a year in neither clause: neither number is the report's
    assert measure not in read(text, later + 1), text


# --- totals since the 条例 took effect, and spans of years ---------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "自2008年5月1日《条例》施行以来,本局共受理政府信息公开申请64件。",
        "《条例》正式实施以来,全镇共主动公开政府信息1,932条。",
        "自2008年起至今,共答复申请58件。",
    ],
)
def test_a_total_since_the_regulation_is_a_running_total_in_a_later_report(text):
    assert read(text, 2012) == {}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("自2008年5月1日《条例》施行以来,本局共受理政府信息公开申请6件。", {"requests_received": 6}),
        ("《条例》正式实施以来,全镇共主动公开政府信息193条。", {"proactive_items": 193}),
    ],
)
def test_since_the_regulation_is_the_year_itself_in_a_2008_report(text, expected):
    assert read(text, 2008) == expected


def test_after_the_regulation_took_effect_up_to_the_years_end_is_the_first_year():
    text = "《条例》正式施行后,截至12月31日,本局共受理政府信息公开申请3件。"
    assert read(text, 2008) == {"requests_received": 3}
    assert read(text, 2010) == {}


def test_since_the_regulation_with_the_year_unknown_is_never_read():
    assert read("《条例》正式实施以来,全镇共主动公开政府信息1,932条。") == {}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2010年至2012年,本局共主动公开政府信息1,504条。", {}),
        ("2011—2013年累计受理申请75件。", {}),
        ("2014年至2016年,全区累计主动公开政府信息6,410条,其中2016年主动公开2,233条。", {"proactive_items": 2233}),
    ],
)
def test_a_span_of_years_is_a_running_total(text, expected):
    assert read(text, 2016 if "2016" in text else 2013) == expected


# --- averages, rounding ------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["平均每月接待咨询30人次。", "日均受理申请2件。", "每周主动公开政府信息约10条。"])
def test_an_average_is_not_the_years_count(text):
    assert read(text) == {}


def test_a_count_in_wan_is_kept_and_flagged_approximate():
    (cell,) = parse_narrative("全年主动公开政府信息4.6万条。").cells
    assert (cell.measure, cell.value, cell.approximate) == ("proactive_items", 46000, True)
    (cell,) = parse_narrative("全年接待咨询2万人次。").cells
    assert (cell.value, cell.approximate) == (20000, True)
    # 万元 is the unit of a fee, printed exactly
    (cell,) = parse_narrative("全年收取检索、复制费用0.08万元。").cells
    assert (cell.value, cell.approximate) == (800, False)


# --- parts, joint counts ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["全年网上受理申请40件。", "通过网站提交的申请17件。", "现场查阅咨询95人次,电话咨询310人次。", "当面提出的申请6件。"],
)
def test_one_channel_with_a_verb_between_is_a_part(text):
    assert read(text) == {}


@pytest.mark.parametrize("text", ["同意公开(含部分公开)41件。", "予以公开(包括部分公开)41件。"])
def test_granted_counted_with_partly_granted_is_left_out_with_a_problem(text):
    r = parse_narrative(text)
    assert r.cells == [] and any("granted" in p for p in r.problems)


# --- wordings the seeds lacked --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("本年度政府信息公开申请件数为14件。", {"requests_received": 14}),
        ("全年新增政府信息公开申请19件。", {"requests_received": 19}),
        ("比上年新增申请4件。", {}),
        ("本年度共有政府信息公开申请16件。", {"requests_received": 16}),
        ("共有网上申请9件。", {}),
        ("本局共有工作人员6名。", {}),
        ("全年政府信息公开申请总数:62件。", {"requests_received": 62}),
        ("申请人共11人,申请件数共13件。", {"requests_received": 13}),
        ("共受理市民申请政府信息公开事项5件。", {"requests_received": 5}),
        ("各科室配备兼职信息公开员8名。", {"staff_parttime": 8}),
        ("办公室有专职信息员1名。", {"staff_fulltime": 1}),
        ("经审查,属于不予公开范围的有4件。", {"denied": 4}),
        ("共收取信息复印费、邮寄费合计二十六元。", {"fees_yuan": 26}),
    ],
)
def test_wordings_of_requests_staff_denials_and_fees(text, expected):
    assert read(text) == expected


@pytest.mark.parametrize("text", ["网上政府信息公开申请件数为9件。", "行政复议申请件数为2件。", "咨询申请件数为7件。"])
def test_a_count_of_one_channel_or_another_kind_of_application_is_not_the_requests(text):
    assert "requests_received" not in read(text)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("本年度政府信息公开申请的数量为零。", {"requests_received": 0}),
        ("本局从未向申请人收取过任何费用。", {"fees_yuan": 0}),
        ("全年没有因政府信息公开申请被申请行政复议。", {"reviews": 0}),
    ],
)
def test_zero_statements_in_other_words(text, expected):
    assert read(text) == expected


def test_a_stat_table_row_of_the_request_total_in_other_words():
    from scrapers.extract.model import Cell, Row
    from scrapers.parse.stat_table import parse_stat_table

    rows = [
        Row(cells=[Cell("（一）收到政府信息公开申请总数"), Cell("件"), Cell("27")], loc="r1", kind="table"),
        Row(cells=[Cell("1．受理申请数"), Cell("件"), Cell("27")], loc="r2", kind="table"),
    ]
    assert [(c.measure, c.value) for c in parse_stat_table(rows)] == [("requests_received", 27)]
