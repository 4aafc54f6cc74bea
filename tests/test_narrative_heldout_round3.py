"""Pre-2019 statements held out from the vocabularies (round 3): the 统计表 labels of the
outcomes written as sentences (同意公开答复…件), a 统计表 copied as lines with leaders, counts in
宗, appeals said to be none after another clause, and fees stated in parts.

Each case is written in our own words after a form of the held-out batches, in other wordings
and numbers, so that a rule fitted to one batch sentence fails here.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scrapers.parse.narrative import parse_narrative
from scrapers.parse.report import parse_document
from test_narrative_generated import UNITS_OF, phrase, printed_number

OUTCOMES = ["granted", "partially_granted", "denied", "not_exist", "not_held", "unclear"]


def read(text: str, year: int | None = None) -> dict[str, int | float]:
    return {c.measure: c.value for c in parse_narrative(text, year).cells}


# --- an outcome's answers, as the 统计表 labels them ----------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("本年度同意公开答复7件。", {"granted": 7}),
        ("其中不同意公开答复2件。", {"denied": 2}),
        ("同意部分公开答复数:3件", {"partially_granted": 3}),
        ("申请信息不存在答复6件。", {"not_exist": 6}),
        ("不属于本行政机关公开答复11件。", {"not_held": 11}),
        ("2014年共收到政府信息公开申请52件,答复50件,其中同意公开答复31件,不同意公开答复4件,申请信息不存在答复15件。",
         {"requests_received": 52, "requests_answered": 50, "granted": 31, "denied": 4, "not_exist": 15}),
    ],
)
def test_an_outcomes_answers_are_that_outcome_not_the_requests_answered(text, expected):
    r = parse_narrative(text, 2014)
    assert {c.measure: c.value for c in r.cells} == expected
    assert r.problems == []


@pytest.mark.parametrize("text", ["属于已主动公开范围答复3件。", "告知作出更改补充答复2件。"])
def test_the_answers_of_an_outcome_the_vocabulary_lacks_are_not_the_requests_answered(text):
    assert "requests_answered" not in read(text, 2014)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_generated_outcome_answers_read_as_the_outcome(data):
    measure = data.draw(st.sampled_from(OUTCOMES))
    value = data.draw(st.integers(0, 900))
    words = data.draw(phrase(measure))
    label = data.draw(st.sampled_from(["答复", "答复数", "答复的"]))
    text = f"{words}{label}{data.draw(printed_number(value))}件。"
    assert read(text, 2015) == {measure: value}, text


def test_a_body_not_holding_the_information_is_not_one_that_withholds_it():
    # "本单位不公开" is a refusal; "本单位不掌握" is information the body does not hold
    assert read("本单位不公开3件,本单位不掌握2件。", 2013) == {"denied": 3, "not_held": 2}


# --- a 统计表 copied as lines with leaders ---------------------------------------------------------


LEADERS = ["……", "………………", "......", "..........", "·········", "．．．．．．"]


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_generated_label_leader_value_lines_read_as_the_measure(data):
    measure = data.draw(st.sampled_from(["proactive_items", "requests_received", "requests_answered", "reviews", "lawsuits", *OUTCOMES]))
    value = data.draw(st.integers(0, 5000))
    words = data.draw(phrase(measure))
    unit = data.draw(st.sampled_from(UNITS_OF[measure]))
    number = data.draw(printed_number(value)).strip()
    text = f"{words}{data.draw(st.sampled_from(['', '数']))}{data.draw(st.sampled_from(LEADERS))}{number}{unit}\n"
    assert read(text, 2013) == {measure: value}, text


def test_a_table_of_leader_lines_in_a_report():
    text = (
        "某县水务局2013年政府信息公开工作年度报告\n本报告根据《中华人民共和国政府信息公开条例》编制。\n"
        "五、存在的不足及改进措施\n无。\n附表:政府信息公开情况统计表\n"
        "一、主动公开政府信息数…………………………421条\n二、收到申请数……………9件\n其中:当面申请数……………2件\n"
        "三、申请答复数……………9件\n其中:同意公开答复数…………6件\n不同意公开答复数…………1件\n"
        "四、行政复议数量……………0件\n五、依申请公开信息收取的费用……………0元\n"
    )
    parse = parse_document(text.encode("utf-8"), "report.txt")
    assert {c.measure: c.value for c in parse.narrative} == {
        "proactive_items": 421, "requests_received": 9, "requests_answered": 9, "granted": 6, "denied": 1, "reviews": 0, "fees_yuan": 0,
    }  # fmt: skip
    assert parse.status == "ok", parse.problems


def test_a_decimal_point_is_still_no_leader():
    # the fraction of a number is not a number of its own: 0.35万元 is 3500 元, never 35
    assert read("全年收取复制费用0.35万元。", 2012) == {"fees_yuan": 3500}


# --- counts in 宗 (Guangdong), the requests named before their verb -------------------------------


def test_every_count_of_requests_in_zong():
    text = "本年度受理信息公开申请6宗,答复6宗,其中同意公开4宗,不予公开1宗,信息不存在1宗。"
    assert read(text, 2016) == {"requests_received": 6, "requests_answered": 6, "granted": 4, "denied": 1, "not_exist": 1}


@pytest.mark.parametrize("text", ["2015年度政府信息公开申请收到27件。", "全年信息公开申请受理27件,均已答复。"])
def test_the_requests_named_first_then_received(text):
    assert read(text, 2015) == {"requests_received": 27}


# --- appeals said to be none after another clause --------------------------------------------------


@pytest.mark.parametrize("text", [
    "全年未接到有关政府信息公开的投诉,亦无行政复议和行政诉讼。",
    "本年度没有收到群众举报,也无行政复议、行政诉讼案件发生。",
])  # fmt: skip
def test_also_none_of_the_appeals(text):
    assert read(text, 2012) == {"reviews": 0, "lawsuits": 0}


# --- fees stated in parts --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("全年收取检索费40元、复制费25元,共计65元。", 65),
        ("本年度收取复印费18元,邮寄费12元,合计30元。", 30),
        ("共收取费用310元,其中检索费200元、复制费110元。", 310),
        ("收取检索、复制费用共计90元。", 90),
    ],
)
def test_fees_in_parts_read_their_total(text, expected):
    r = parse_narrative(text, 2014)
    assert {c.measure: c.value for c in r.cells} == {"fees_yuan": expected}
    assert r.problems == []


@pytest.mark.parametrize("text", ["全年收取检索费40元、复制费25元。", "收取检索费40元,收取复制费25元。"])
def test_fees_in_parts_without_their_total_are_left_out_with_a_problem(text):
    r = parse_narrative(text, 2014)
    assert r.cells == []
    assert any("fees_yuan" in p and "parts" in p for p in r.problems)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(1, 900), min_size=2, max_size=3), st.sampled_from(["共计", "合计", "总计"]), st.booleans())
def test_generated_fee_parts_read_the_total_or_nothing(parts, total_word, with_total):
    kinds = ["检索费", "复制费", "邮寄费"]
    listed = "、".join(f"{k}{v}元" for k, v in zip(kinds, parts))
    text = f"全年收取{listed}" + (f",{total_word}{sum(parts)}元。" if with_total else "。")
    assert read(text, 2015) == ({"fees_yuan": sum(parts)} if with_total else {}), text


# --- a part of the year, or a time before it ---------------------------------------------------------


@pytest.mark.parametrize("text", [
    "1月至10月,本局共受理政府信息公开申请17件。",
    "2016年1-9月,全区主动公开政府信息2,140条。",
    "3月1日至11月30日,共接待咨询260人次。",
    "上半年主动公开政府信息410条。",
    "第三季度受理申请6件。",
    "前三季度共答复申请21件。",
    "11月份收取复制费用35元。",
    "《条例》施行之前,我局已主动公开政府信息3,000余条。",
])  # fmt: skip
def test_a_part_of_the_year_is_not_the_years_figure(text):
    r = parse_narrative(text, 2016)
    assert r.cells == []
    assert r.notes, "set aside with a note"


@pytest.mark.parametrize("text, year, expected", [
    ("5月1日至12月31日,我局共主动公开政府信息318条。", 2008, {"proactive_items": 318}),
    ("1月至12月,共受理申请19件。", 2013, {"requests_received": 19}),
    ("4月至6月开展了专项检查,全年受理申请12件。", 2013, {"requests_received": 12}),
])  # fmt: skip
def test_months_to_december_or_a_clause_of_the_whole_year_is_the_years_figure(text, year, expected):
    assert read(text, year) == expected


def test_from_may_to_december_is_the_whole_period_only_in_2008():
    text = "5月1日至12月31日,共受理政府信息公开申请8件。"
    assert read(text, 2008) == {"requests_received": 8}
    assert read(text, 2012) == {}


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_generated_months_ending_before_december_set_the_figure_aside(data):
    measure = data.draw(st.sampled_from(["proactive_items", "requests_received", "requests_answered", "reviews", "consultations"]))
    first = data.draw(st.integers(1, 10))
    last = data.draw(st.integers(first + 1, 12))
    dash = data.draw(st.sampled_from(["至", "到", "-", "—"]))
    months = data.draw(st.sampled_from([f"{first}月{dash}{last}月", f"{first}{dash}{last}月"]))
    value = data.draw(st.integers(1, 900))
    unit = data.draw(st.sampled_from(UNITS_OF[measure]))
    text = f"{months},{data.draw(phrase(measure))}{data.draw(printed_number(value))}{unit}。"
    assert read(text, 2014) == ({measure: value} if last == 12 and first == 1 else {}), text
