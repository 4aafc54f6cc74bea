"""Pre-2019 statements held out from the vocabularies (session 8 measurement): parts by
channel, joint counts, and wordings of requests, staff and fees the seeds lacked.

Each case is written in our own words after a form of the held-out batches, in other wordings
and numbers, so that a rule fitted to one batch sentence fails here.
"""

from __future__ import annotations

import pytest

from scrapers.parse.narrative import parse_narrative


def read(text: str) -> dict[str, int | float]:
    return {c.measure: c.value for c in parse_narrative(text).cells}


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
