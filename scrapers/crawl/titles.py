"""Recognise annual-report titles and read year, district and office from them.

Real titles put the year last ("北京市东城区人民政府东四街道办事处2025年政府信息公开工作年度报告")
or first ("2014年北京市朝阳区东湖街道办事处筹备处政府信息公开工作年度报告"), sometimes drop 工作
or write 年报 ("门头沟区民政局2009年政府信息公开年报"). Look-alikes in the same columns are
work plans (工作要点), guides (指南), catalogues (目录), readings of a report (…年度报告解读) and
notices about one (关于…的通知).

A title is judged by its shape: its kind is the word it ends with (after trailing brackets
and dates), so "…卫生和计划生育委员会2018年度…年度报告" is a report and "…年度报告的问答解读"
is not. A word inside an office's name (计划生育, 机构编制, 发展和改革) never makes a decoy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scrapers.offices import clean_name, normalise_office
from scrapers.parse.numerals import arabic_years

# A report title names the disclosure work and ends in a report word.
_REPORT_RE = re.compile(r"信息公开(?:工作)?(?:年度)?(?:工作)?(?:报告|年报)|信息公开.{0,12}年度报告")
# The kinds of document a title may end with that are not a report: about a report, or
# another disclosure document.
DECOY_KINDS = (
    "要点", "指南", "目录", "通知", "说明", "公告", "解读", "图解", "意见", "方案", "计划", "规划",
    "征集", "问卷", "考核", "评议结果", "统计表", "发布会", "介绍", "通报", "公示", "制度", "办法",
    "规定", "决定", "函", "批复", "汇编", "清单", "动态", "新闻", "会议",
)
_REPORT_KINDS = ("报告", "年报")
# the report words alone ("政府信息公开年报", "政府信息公开工作年度报告") name a site's 年报 column,
# never one report: a report's title names its office or its year besides them
_COLUMN_NAME_RE = re.compile(r"(?:政府)?信息公开(?:工作)?(?:年度)?(?:工作)?(?:报告|年报)")
# what a list or page appends after the title itself: "（2018年3月）", "[PDF]", "2024-01-19"
_TRAILER_RE = re.compile(
    r"(?:[（(【\[][^（(【\[]{0,20}[）)】\]]|\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?|\.(?:pdf|docx?|wps))$", re.I
)
_YEAR_RE = re.compile(r"(20\d{2})\s*年度?")
# the year right before the report words may lack its 年 ("…人民防空办公室2020政府信息公开…")
_TAIL_RE = re.compile(r"(?:(20\d{2})\s*(?:年度?)?)?\s*(?:政府)?信息公开.*$")
_HEAD_YEAR_RE = re.compile(r"^\s*(20\d{2})\s*年度?")
_TRUNCATED = ("…", "...", "..")


def clean_title(title: str | None) -> str:
    """The title without spaces and wrapping brackets, its year in Arabic digits ("二〇一九年")."""
    return arabic_years(clean_name(title))


def title_kind(title: str | None) -> str:
    """The title without what a list appends to it (brackets, dates), whose end names its kind."""
    t = clean_title(title)
    while True:
        m = _TRAILER_RE.search(t)
        if not m or m.start() == 0:
            return t
        inner = m.group(0).strip("（()）【】[]")
        # "…年度报告（图解）": a bracket that names a kind of its own is the title's kind
        if inner.endswith(DECOY_KINDS):
            return inner
        t = t[: m.start()]


def is_decoy(title: str) -> bool:
    """A title whose own kind is not a report: it ends with 解读, 指南, 要点, 通知, 计划 …"""
    return title_kind(title).endswith(DECOY_KINDS)


def is_report_title(title: str | None) -> bool:
    """A whole annual-report title, not a look-alike: it names the disclosure work and ends as a report."""
    t = title_kind(title)
    return bool(t) and bool(_REPORT_RE.search(t)) and t.endswith(_REPORT_KINDS) and not _COLUMN_NAME_RE.fullmatch(t)


def may_be_report_link(text: str | None) -> bool:
    """Link text worth following to a detail page: a report title, or one the list cut short."""
    t = clean_title(text)
    if not t or is_decoy(t):
        return False
    if is_report_title(t):
        return True
    return t.endswith(_TRUNCATED) and ("信息公开" in t or "年度报告" in t or "年报" in t)


def year_in_text(text: str | None) -> int | None:
    """The report year a report title or a year sub-column's label ("2023年", "2009年度") names.

    Other link text ("往年年报（2008-2017年）", "2023年第一季度") names no report year.
    """
    t = clean_title(text)
    label = re.fullmatch(r"(20\d{2})(?:年度?)?(?:年报)?", t)
    if label:
        return int(label.group(1))
    if not is_report_title(t):
        return None
    years = {m.group(1) for m in re.finditer(r"(20\d{2})\s*年", t)}
    if not years:
        tail = _TAIL_RE.search(t)
        years = {tail.group(1)} if tail and tail.group(1) else set()
    return int(years.pop()) if len(years) == 1 else None


@dataclass(frozen=True)
class TitleParts:
    year: int | None
    district: str | None  # as printed with its suffix, e.g. 东城区, 密云县, 宣武区
    office: str  # as printed, without district, year and the report words
    normalised: str  # comparable name: 东四街道, 宋庄镇, 将台地区, 区人民政府

    @property
    def printed_office(self) -> str:
        """The office as the title names it, with its district: what the office registry resolves."""
        return f"{self.district or ''}{self.office}" or "区人民政府"


def split_title(title: str, districts: tuple[str, ...] = ()) -> TitleParts:
    """Year, district and office of a report title.

    ``districts`` are the printed district names to look for (东城区, 密云县 …); the longest
    that the title names right after 北京市 (or at its start) wins.
    """
    t = clean_title(title)
    year = None
    head = _HEAD_YEAR_RE.match(t)
    if head:
        year = int(head.group(1))
        t = t[head.end():]
    tail = _TAIL_RE.search(t)
    if tail:
        if tail.group(1) and year is None:
            year = int(tail.group(1))
        t = t[: tail.start()]
    t = re.sub(r"^北京市", "", t)
    district = None
    for name in sorted(districts, key=len, reverse=True):
        if t.startswith(name):
            district, t = name, t[len(name):]
            break
    if year is None:
        year = year_in_text(title)
    return TitleParts(year=year, district=district, office=t, normalised=normalise_office(t, district))
