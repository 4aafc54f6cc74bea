"""Pre-2019 statements in the forms real reports from outside Beijing use (session 6 measurement).

Each case is written in our own words after a form seen in the wild: the same shape, other
offices and other numbers. A form is tested in several wordings so that a rule fitted to one
sentence fails here.
"""

from __future__ import annotations

import pytest

from scrapers.parse.narrative import looks_pre2019, parse_narrative


def read(text: str) -> dict[str, int | float]:
    return {c.measure: c.value for c in parse_narrative(text).cells}


# --- an outcome counted in 条 of information counts items, not requests -----------------------


@pytest.mark.parametrize(
    "text",
    [
        "2011年,本委主动公开信息318条,依申请公开信息9条,不予公开信息14条。本委收到政府信息公开申请2条。",
        "全年依申请公开政府信息5条。",
        "不予公开的信息共计21条。",
    ],
)
def test_an_outcome_in_items_of_information_is_left_out_with_a_problem(text):
    r = parse_narrative(text)
    got = {c.measure: c.value for c in r.cells}
    assert "granted" not in got and "denied" not in got
    assert any(("granted" in p or "denied" in p) and "条 is not a unit" in p for p in r.problems)


def test_an_outcome_in_requests_is_still_read():
    assert read("答复申请6件,其中同意公开4件,不予公开的申请2件。") == {"requests_answered": 6, "granted": 4, "denied": 2}


# --- a running total opened by 自…以来 or 自X年起 ------------------------------------------------


@pytest.mark.parametrize(
    "text, year_figure",
    [
        ("2013年,通过公开专栏主动公开政府信息41条。自《条例》实施以来,截至2013年12月31日,专栏主动公开政府信息906条。", 41),
        ("(一)主动公开政府信息共187条。自2011年起累计主动公开政府信息1204条。", 187),
        ("本局2015年主动公开政府信息63条;自2010年以来累计主动公开政府信息530条。", 63),
    ],
)
def test_a_total_since_a_start_is_not_the_years_figure(text, year_figure):
    r = parse_narrative(text)
    assert read(text) == {"proactive_items": year_figure}
    assert not any("different values" in p for p in r.problems)


def test_a_span_of_the_report_year_is_still_the_years_figure():
    # 自…起至…止 names the year itself, not a start of a running total
    assert read("自2015年1月1日起至2015年12月31日止,我乡主动公开信息208条。") == {"proactive_items": 208}
    assert read("2014年,全办累计主动公开政府信息27条。") == {"proactive_items": 27}


# --- zero statements ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "全年发生因政府信息公开而被申请行政复议、提起行政诉讼的案件0件。",
        "本年度因政府信息公开申请行政复议和行政诉讼的情况为0起。",
        "行政复议或行政诉讼共0件。",
    ],
)
def test_a_joint_count_of_reviews_and_lawsuits_that_is_zero_is_zero_for_both(text):
    r = parse_narrative(text)
    assert read(text) == {"reviews": 0, "lawsuits": 0}
    assert r.problems == []


def test_a_joint_count_that_is_not_zero_is_no_figure_for_either():
    got = read("全年发生因政府信息公开而被申请行政复议、提起行政诉讼的案件3件。")
    assert "reviews" not in got and "lawsuits" not in got


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2015年度未接到有关政府信息公开方面的复议、诉讼和申诉。", {"reviews": 0, "lawsuits": 0}),
        ("本年度没有发生与信息公开有关的复议和诉讼。", {"reviews": 0, "lawsuits": 0}),
        ("2012年度未收到任何形式的有关信息公开方面的咨询。", {"consultations": 0}),
        ("本年度未接待过涉及政府信息公开事项的咨询。", {"consultations": 0}),
    ],
)
def test_zero_statements_without_the_full_legal_term(text, expected):
    assert read(text) == expected


def test_review_without_government_information_named_is_not_a_zero():
    # 复议 alone, about something else: no statement about information requests
    assert read("本年度未发生复议。") == {}


@pytest.mark.parametrize("text", ["我乡2014年度无申请。", "三、依申请公开情况\n本年度暂无申请。", "依申请公开:无申请;"])
def test_a_clause_saying_only_no_request_is_zero_requests(text):
    assert read(text) == {"requests_received": 0}


@pytest.mark.parametrize("text", ["本年度无申请人提出异议。", "无申请行政复议的情况。"])
def test_no_request_words_inside_another_statement_are_not_zero_requests(text):
    assert "requests_received" not in read(text)


# --- staff -------------------------------------------------------------------------------------


def test_full_time_staff_after_a_list_mark():
    assert read("人员配置4人,其中负责人1人、专职0人,兼职3人。") == {"staff_fulltime": 0, "staff_parttime": 3}
    assert read("配备负责人1名、专职人员2名。") == {"staff_fulltime": 2}


def test_part_and_full_time_named_together_are_not_a_full_time_count():
    assert "staff_fulltime" not in read("全镇有兼职、专职人员共7名。")


# --- numbers that are not figures --------------------------------------------------------------


def test_a_list_mark_is_not_a_number_after_the_measures_words():
    r = parse_narrative("(二)公开形式 1、公开栏 2、通过网站发布主动公开的政府信息 3、发放宣传册。")
    assert r.cells == [] and r.problems == []


# --- the era -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "依据《中华人民共和国政府信息公开条例》第五十条规定,编制本报告。一、总体情况 配备了3名兼职工作人员。主动公开政府信息804条。",
        "2023年,全区共收到政府信息依申请公开822件。其中,通过网络申请610件。",
    ],
)
def test_reports_of_the_2019_rules_are_not_taken_for_pre2019(text):
    assert not looks_pre2019(text)


def test_a_pre2019_report_without_the_beijing_boilerplate_is_pre2019():
    assert looks_pre2019("2013年度谢家镇政府信息公开工作年度报告\n一、主动公开情况 2013年度我镇主动公开政府信息77件。")


# --- a nought without its unit; the office named in full ----------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("依申请公开收费为0。", {"fees_yuan": 0}),
        ("本年度收取检索、复制费用0;", {"fees_yuan": 0}),
        ("本年度共收到政府信息公开申请0。", {"requests_received": 0}),
    ],
)
def test_a_nought_ending_its_clause_needs_no_unit(text, expected):
    assert read(text) == expected


@pytest.mark.parametrize("text", ["依申请公开收费为0.5。", "本年度共收到政府信息公开申请0至", "共收取费用3。"])
def test_other_numbers_still_need_their_unit(text):
    r = parse_narrative(text)
    assert r.cells == []


def test_not_held_by_the_administrative_body_named_in_full():
    got = read("本街道共收到申请4件,其中申请公开信息不存在2件,不属于本行政机关公开1件,非本行政机关掌握1件。")
    assert got == {"requests_received": 4, "not_exist": 2}
    got = read("其中不属于本行政机关公开的3件。")
    assert got == {"not_held": 3}


@pytest.mark.parametrize("text", ["2011年度本局未发生通过任何渠道咨询政府信息公开事务的情况。", "全年未出现政府信息公开方面的咨询。"])
def test_no_consultation_happened_is_zero_consultations(text):
    assert read(text) == {"consultations": 0}


@pytest.mark.parametrize("text", ["本街道2016年度未收到网上咨询。", "全年没有接到电话咨询。", "本年度未收到网上申请。", "未接到信函申请和传真申请。"])
def test_no_consultation_or_request_by_one_channel_says_nothing_of_the_total(text):
    assert read(text) == {}


# --- parts by channel, and totals since 2008 ----------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("共接受咨询230人次,其中电话咨询150人次,现场咨询80人次。", {"consultations": 230}),
        ("全年共受理政府信息公开申请11件,网上申请6件,当面申请5件。", {"requests_received": 11}),
        ("接听群众电话咨询300余人次。", {}),
    ],
)
def test_a_count_by_one_channel_is_a_part_not_the_total(text, expected):
    assert read(text) == expected


@pytest.mark.parametrize("text", ["自2008年5月1日至今,共受理申请73件。", "自条例实施至今,累计主动公开政府信息4410条。"])
def test_a_sentence_opening_with_a_span_up_to_now_is_a_running_total(text):
    assert read(text) == {}


@pytest.mark.parametrize(
    "text, left_out",
    [
        ("全年共办理行政复议案件41件,其中涉及政府信息公开的6件。", "reviews"),
        ("本年度应诉行政诉讼案件17件,其中涉及信息公开的3件。", "lawsuits"),
        ("信访办共收到群众申请64件,其中政府信息公开申请9件。", "requests_received"),
    ],
)
def test_a_count_of_every_case_before_its_disclosure_part_is_left_out(text, left_out):
    r = parse_narrative(text)
    assert left_out not in {c.measure for c in r.cells}
    assert any(p.startswith(f"{left_out} left out") for p in r.problems)


def test_a_part_that_is_not_about_disclosure_keeps_the_total():
    assert read("收到涉及政府信息公开的行政复议4件,其中维持3件。") == {"reviews": 4}


def test_a_running_total_to_a_date_named_in_a_clause_before_the_number():
    text = "按照有关要求,截至2013年12月30日,我镇在县政府网站共主动公开政府信息702条,今年新增88条。"
    assert read(text) == {"proactive_items": 88}  # the year's part, not the running total
    assert read("按照有关要求,截至目前,2013年度主动公开政府信息共计388条。") == {"proactive_items": 388}


@pytest.mark.parametrize("text", ["全年无政府信息公开申请行政复议、提起行政诉讼的案件。", "本年度无因政府信息公开引起的行政复议和行政诉讼。"])
def test_none_in_the_year_is_zero_reviews_and_lawsuits(text):
    assert read(text) == {"reviews": 0, "lawsuits": 0}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("按照要求,截至2014年12月31日,本乡在县政府网站共主动公开政府信息733条,今年新增102条。", {"proactive_items": 102}),
        ("截至2013年底累计受理政府信息公开申请52件,本年度新增7件。", {"requests_received": 7}),
        ("累计主动公开政府信息4120条,其中2015年新增356条。", {"proactive_items": 356}),
    ],
)
def test_the_years_part_after_a_running_total_in_words_of_the_year_alone(text, expected):
    assert read(text) == expected


def test_an_addition_without_a_running_total_before_it_is_not_claimed():
    # nothing says what was added: the categories' own additions stay unread
    assert read("政府文件180条,新增31条;重点工作79条,新增17条。") == {}


@pytest.mark.parametrize(
    "text",
    [
        "根据《中华人民共和国政府信息公开条例》(国务院令第492号)要求编制本年报。一、主动公开情况 本街道全年主动公开政府信息64条。",
        "全文包括概述、主动公开情况、依申请公开情况、复议、诉讼和申诉的情况。 二、主动公开情况 城东街道全年主动公开政府信息37条。",
        "四、政府信息公开的收费及减免情况 本局未收取任何费用。",
    ],
)
def test_the_2008_boilerplate_without_a_year_is_pre2019(text):
    assert looks_pre2019(text)


def test_a_report_of_a_year_after_2018_is_never_pre2019_by_its_boilerplate():
    text = "本报告所列数据的统计期限自2020年1月1日起至2020年12月31日止。四、政府信息公开的收费及减免情况 未收取费用。"
    assert not looks_pre2019(text)
