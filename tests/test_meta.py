"""The year a report covers and its office, on every corpus document of both eras."""

from __future__ import annotations

import json
import re
from pathlib import Path

import lxml.html
import pytest

from scrapers.parse.meta import find_office, find_year

FIXTURES = Path(__file__).parent / "fixtures"


def plain_text(path: Path) -> str:
    """The text of a corpus document: HTML as its paragraphs, one a line; anything else as it is."""
    raw = path.read_text(encoding="utf-8")
    if path.suffix != ".html":
        return raw
    root = lxml.html.fromstring(raw)
    for el in root.iter("p", "tr", "br", "div", "h1", "h2", "h3", "li"):
        el.tail = "\n" + (el.tail or "")
    return root.text_content()


def golds(folder: str) -> list[tuple[str, Path, dict]]:
    out = []
    for gold_path in sorted((FIXTURES / folder / "gold").glob("*.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        if gold["doc"].endswith(".pdf"):  # the PDFs' text layers have golds of their own
            continue
        out.append((gold_path.stem, (gold_path.parent / gold["doc"]).resolve(), gold))
    return out


CASES = golds("corpus/pre2019") + golds("corpus")


@pytest.mark.parametrize("name,doc,gold", CASES, ids=[c[0] for c in CASES])
def test_year_is_the_gold_year(name, doc, gold):
    assert find_year(plain_text(doc)) == gold["year"]


@pytest.mark.parametrize("name,doc,gold", CASES, ids=[c[0] for c in CASES])
def test_office_is_the_gold_office(name, doc, gold):
    assert find_office(plain_text(doc)) == gold["office"]


_CHINESE_DIGITS = "〇一二三四五六七八九"


def in_chinese_digits(text: str, zero: str = "〇") -> str:
    """Every year of the reports' era as some reports print it: 二〇一九年."""
    digits = _CHINESE_DIGITS.replace("〇", zero)
    return re.sub(r"(20[0-2]\d)(?=\s*年)", lambda m: "".join(digits[int(d)] for d in m.group(1)), text)


@pytest.mark.parametrize("zero", ["〇", "○", "零"])
@pytest.mark.parametrize("name,doc,gold", CASES, ids=[c[0] for c in CASES])
def test_years_printed_in_chinese_digits_give_the_same_year_and_office(name, doc, gold, zero):
    text = in_chinese_digits(plain_text(doc), zero)
    assert (find_year(text), find_office(text)) == (gold["year"], gold["office"])


def test_every_2019_and_later_gold_document_is_covered():
    # the PDFs are read through their pdfplumber text layer; each other document directly
    assert len(golds("corpus")) == 6
    assert {g["year"] for _, _, g in golds("corpus")} == {2019, 2023, 2024}


def test_a_fragment_without_title_or_period_has_no_year_and_no_office():
    text = (FIXTURES / "corpus" / "docs" / "jiangsu-huaian-city-gov-2024-table3-fragment.txt").read_text(encoding="utf-8")
    assert find_year(text) is None
    assert find_office(text) is None


# --- the year --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "title,year",
    [
        ("2023年政府信息公开工作年度报告", 2023),
        ("北京市东城区城市管理委员会2025年政府信息公开工作年度报告", 2025),
        ("2019年度北京市大兴区亦庄镇政府信息公开工作年度报告", 2019),
        ("西长安街街道2018年政府信息公开年度报告", 2018),
        ("北京市大兴区天宫院街道 2017年政府信息公开工作年度报告", 2017),
        ("2019年上海市人民政府办公厅政府信息公开工作年度报告_上海市人民政府", 2019),
    ],
)
def test_year_from_the_title(title, year):
    assert find_year("正文没有年份。", title=title) == year


def test_year_of_the_report_not_of_its_publication():
    # a report on 2023 published in 2024 prints 2024 dates: they are not the year it covers
    text = (
        "发布日期:2024-01-20\n本报告所列数据的统计期限自2023年1月1日起至2023年12月31日止。\n"
        "2024年,我局将继续做好政府信息公开工作。公开2024年部门预算。"
    )
    assert find_year(text) == 2023
    # a 2008 report re-posted in 2018
    assert find_year((FIXTURES / "corpus" / "pre2019" / "docs" / "chaoyang-jghqfwzx-2008.txt").read_text(encoding="utf-8")) == 2008


def test_year_from_the_statistics_period_with_spaces_and_without_the_year_at_the_end():
    assert find_year("本报告所列数据的统计期限，自 2019 年 1 月 1 日起至 12 月 31 日止。") == 2019


def test_year_from_the_preamble():
    assert find_year("本报告是由北京市东城区审计局编制的2009年度政府信息公开年度报告。") == 2009


def test_title_wins_over_a_conflicting_mention_in_the_text():
    text = "2019年上海市人民政府办公厅政府信息公开工作年度报告\n…对照2018年政府信息公开工作年度报告提出的问题…"
    assert find_year(text) == 2019


def test_no_year_when_none_is_stated():
    assert find_year("我局认真贯彻落实《条例》,政府信息公开工作运行正常。") is None


# --- the office ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "title,office",
    [
        ("北京市东城区人民政府东四街道办事处2025年政府信息公开工作年度报告", "北京市东城区人民政府东四街道办事处"),
        ("2014年北京市朝阳区东湖街道办事处筹备处政府信息公开工作年度报告", "北京市朝阳区东湖街道办事处筹备处"),
        ("丰台区宛平城地区办事处 2017年政府信息公开工作年度报告", "丰台区宛平城地区办事处"),
        ("北京市石景山区人民政府2017年政府信息公开工作年度报告", "北京市石景山区人民政府"),
        ("2008年北京市朝阳区机关后勤服务中心信息公开工作年度报告", "北京市朝阳区机关后勤服务中心"),
    ],
)
def test_office_from_the_title(title, office):
    assert find_office("正文。", title=title) == office


def test_title_split_over_two_lines():
    assert find_office("洪泽区人民政府\n2023 年政府信息公开工作年度报告\n正文。") == "洪泽区人民政府"
    assert find_office("正文\n2024 年上海市科委政府信息公开工作\n年度报告\n根据…") == "上海市科委"


def test_title_office_is_completed_from_the_preamble_never_replaced():
    # the preamble adds the city the title left out
    mentougou = (FIXTURES / "corpus" / "pre2019" / "docs" / "mentougou-mzj-2009.txt").read_text(encoding="utf-8")
    assert "门头沟区民政局2009年政府信息公开年报" in mentougou
    assert find_office(mentougou) == "北京市门头沟区民政局"
    # the drafting office of the preamble (…人民政府办公室) is not the office of the report
    assert find_office("洪泽区人民政府\n2023年政府信息公开工作年度报告\n本报告由淮安市洪泽区人民政府办公室根据…编制。") == "洪泽区人民政府"


def test_town_title_whose_government_is_shared_with_the_tail():
    # "…榆垡镇政府信息公开工作年度报告": the sign-off "…榆垡镇政府" says where the name ends
    text = "2016年北京市大兴区榆垡镇政府信息公开工作年度报告\n正文。\n北京市大兴区榆垡镇政府"
    assert find_office(text) == "北京市大兴区榆垡镇政府"
    assert find_office("2016年北京市大兴区榆垡镇政府信息公开工作年度报告\n正文。") == "北京市大兴区榆垡镇"


def test_subdistrict_named_in_full_by_the_text():
    text = "本报告由西城区展览路街道编制。如有疑问,请联系:展览路街道办事处办公室。"
    assert find_office(text) == "西城区展览路街道办事处"
    assert find_office("本报告由西城区展览路街道编制。") == "西城区展览路街道"


def test_office_from_the_contact_sentence_without_its_inner_unit():
    assert find_office("如有疑问,请与宣武区政府大栅栏街道办事处信息公开办公室联系。") == "宣武区政府大栅栏街道办事处"
    # a person or a bare unit is not an office
    assert find_office("如对报告有任何疑问,请联系:王延章,联系电话:84272228") is None
    assert find_office("如对本报告有任何疑问,请联系:综合法制科,电话6402.1371。") is None


def test_office_named_only_in_passing_needs_to_be_repeated():
    once = "公开北京市朝阳区人民政府香河园街道办事处2018年度部门决算。"
    assert find_office(once) is None
    assert find_office(once + "完善《北京市朝阳区人民政府香河园街道办事处保密审查办法》。") == (
        "北京市朝阳区人民政府香河园街道办事处"
    )


def test_no_office_is_invented():
    assert find_office("我局认真贯彻落实《条例》,2019年共收到申请3件。") is None


# --- the year from the opening sentences, when the text has no title -------------------------

# The first lines of real page-text copies that lost their title (text-renderings corpus).
TONGZHOU_JU_2019 = (
    "依据《中华人民共和国政府信息公开条例》第五十条之规定,制作本报告。\n一、总体情况\n"
    "2019年,我局高度重视政府信息公开工作,严格按照通州区政务公开工作要点开展工作。全年主动公开政府信息224条,较去年下降7.8%。\n"
    "二、主动公开政府信息情况\n信息内容 |\n本年新制作数量 |\n"
)
TAOJIANG_2020 = (
    "一、总体情况\n2020年,县审计局认真贯彻执行《中华人民共和国政府信息公开条例》,从审计工作实际出发,精心组织。"
    "2020年全年主动公开政府信息共26条。截止2020年12月31日历年累计公开26条。\n"
)


@pytest.mark.parametrize(
    "text,year",
    [
        (TONGZHOU_JU_2019, 2019),
        (TAOJIANG_2020, 2020),
        ("一、总体情况\n2024年,丰台区园林绿化局认真贯彻落实政务公开工作要求。", 2024),
        ("2019年度,区信访办政府信息主动公开和依申请公开办理情况如下:", 2019),
        ("一、总体情况\n(一)主动公开\n2021年全年,我委共主动公开政府信息35条。", 2021),
    ],
)
def test_year_from_the_opening_sentence(text, year):
    assert find_year(text) == year


def test_year_from_a_flipbook_page_title():
    assert find_year("正文没有年份。", title="Page 9 - 2020年报") == 2020
    assert find_year("Page 9 - 2020年报\n三、收到和处理政府信息公开申请情况") == 2020


# Sentences a report prints that carry a year it does not cover; each opens a sentence or line.
YEAR_DECOYS = [
    "发布日期:{pub}年1月20日",
    "{pub}年1月20日",
    "{pub}年3月15日,本报告在区政府网站发布。",
    "2007年国务院公布《中华人民共和国政府信息公开条例》。",
    "2019年修订的《中华人民共和国政府信息公开条例》施行后,我局组织学习。",
    "2019年5月15日起施行修订后的《条例》。",
    "2008年5月1日《条例》正式施行。",
]
PLAN_DECOYS = [
    "五、{next}年工作计划\n{next}年,我局将继续深化政务公开。",
    "六、存在的主要问题及改进情况\n{next}年,我局将加强培训。",
    "{next}年,我局计划进一步完善公开目录。",
]


@pytest.mark.parametrize("year", [2019, 2020, 2023])
@pytest.mark.parametrize("decoy", YEAR_DECOYS)
@pytest.mark.parametrize("plan", PLAN_DECOYS)
def test_opening_year_beats_publication_dates_statutes_and_next_year_plans(year, decoy, plan):
    # decoys before the opening sentence and a plan after it: only the opening year is the period
    opening = f"{year}年,我局高度重视政府信息公开工作。全年主动公开政府信息12条。"
    text = "\n".join([decoy.format(pub=year + 1), "一、总体情况", opening, plan.format(next=year + 1)])
    assert find_year(text) == year


@pytest.mark.parametrize("decoy", YEAR_DECOYS + PLAN_DECOYS)
def test_decoys_alone_give_no_year(decoy):
    assert find_year(decoy.format(pub=2021, next=2021)) is None


def test_a_year_end_date_is_read_only_when_no_opening_sentence_states_the_year():
    assert find_year("一、总体情况\n截至2020年底,累计公开信息26条。") == 2020
    assert find_year("截至2021年1月底,累计公开信息26条。") is None


def test_last_years_report_named_among_the_problems_is_not_the_year():
    text = (
        "一、总体情况\n2019年,我局认真贯彻落实《条例》。\n五、存在的主要问题及改进情况\n"
        "对照2018年政府信息公开工作年度报告提出的问题,我局逐项整改。"
    )
    assert find_year(text) == 2019
    # named in the opening, the report's own name is read
    assert find_year("本报告是由北京市东城区审计局编制的2009年度政府信息公开年度报告。\n五、存在的不足及改进措施\n无。") == 2009


def test_year_of_an_opening_sentence_with_its_subject_first():
    assert find_year("三、政府信息依申请公开情况\n本局2017年共受理信息公开申请10件。") == 2017
    assert find_year("我局2018年工作计划如下。") is None


def test_full_names_are_found_where_the_pattern_alone_finds_them():
    # the finder tries only the positions a name can start at (up to 14 characters before a
    # 人民政府); on texts dense with the names' parts it finds what the whole search finds
    import random

    from scrapers.parse.meta import _FULL_NAME, _full_names

    rnd = random.Random(14)
    parts = [*"北京市朝阳区县人民政府街道办事处地区镇乡中文", "人民政府", "街道办事处", "北京市", "大兴区", "榆垡镇"]
    for _ in range(3000):
        text = "".join(rnd.choice(parts) for _ in range(rnd.randint(0, 30)))
        assert list(_full_names(text)) == [m.group(0) for m in _FULL_NAME.finditer(text)], text


def test_a_sentence_taken_for_a_title_does_not_name_the_office():
    # a file that opens with its prose gives its first sentence as the title: its words before
    # the year ("由…编制的") are no office's name
    text = ("本报告是根据《中华人民共和国政府信息公开条例》要求，由北京市东城区建设委员会编制的2014年度政府信息公开年度报告。\n"
            "一、概述\n我委2014年共主动公开政府信息23条。\n")
    title = "本报告是根据《中华人民共和国政府信息公开条例》要求，由北京市东城区建设委员会编制的2014年度政府信息公开年度报告。"
    assert find_office(text, title) == "北京市东城区建设委员会"
    assert find_office(text, "由北京市东城区建设委员会编制的2014年度政府信息公开年度报告") == "北京市东城区建设委员会"


@pytest.mark.parametrize("title", ["北京市通州区人民防空办公室2020政府信息公开工作年度报告",
                                   "北京市通州区人民防空办公室2020年度政府信息公开工作年度报告"])
def test_a_title_year_without_its_nian_still_splits_year_and_office(title):
    text = f"{title}\n一、总体情况\n本年度，我办依法做好政府信息公开工作。\n"
    assert (find_year(text, title), find_office(text, title)) == (2020, "北京市通州区人民防空办公室")


@pytest.mark.parametrize("bracket", ["（{y}年度）", "（{y}年）", "（{y}）", "({y}年度)"])
@pytest.mark.parametrize("name,doc,gold", CASES, ids=[c[0] for c in CASES])
def test_the_year_in_brackets_after_the_title(name, doc, gold, bracket):
    """"…政府信息公开工作年度报告（2023年度）": the year after the title's name, in brackets, the
    only place the text states it."""
    title = f"{gold['office']}政府信息公开工作年度报告{bracket.format(y=gold['year'])}"
    text = f"{title}\n一、总体情况\n本机关认真贯彻落实《中华人民共和国政府信息公开条例》。\n"
    assert (find_year(text), find_office(text)) == (gold["year"], gold["office"])
    assert find_year("正文", title) == gold["year"]


@pytest.mark.parametrize("shape", ["{o}关于{y}年政府信息公开工作的年度报告", "{o}关于{y}年度政府信息公开工作情况的报告",
                                   "{o}{y}年政府信息公开工作情况报告", "{o}政府信息公开工作{y}年度报告",
                                   "{o}{y}年度政务公开工作年度报告", "{o}{y}年政府信息公开工作年报"])
@pytest.mark.parametrize("name,doc,gold", CASES, ids=[c[0] for c in CASES])
def test_titles_worded_otherwise_give_the_year_and_the_office(name, doc, gold, shape):
    title = shape.format(o=gold["office"], y=gold["year"])
    text = f"{title}\n一、总体情况\n本机关认真贯彻落实《中华人民共和国政府信息公开条例》。\n"
    assert (find_year(text), find_office(text)) == (gold["year"], gold["office"])
    assert (find_year("正文", title), find_office("正文", title)) == (gold["year"], gold["office"])
