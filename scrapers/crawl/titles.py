"""Recognise annual-report titles and read year, district and office from them.

Real titles put the year last ("北京市东城区人民政府东四街道办事处2025年政府信息公开工作年度报告")
or first ("2014年北京市朝阳区东湖街道办事处筹备处政府信息公开工作年度报告"), sometimes drop 工作
or write 年报 ("门头沟区民政局2009年政府信息公开年报"). Look-alikes in the same columns are
work plans (工作要点), guides (指南), catalogues (目录) and notices about a report (关于…的通知).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A report title names the disclosure work and ends in a report word.
_REPORT_RE = re.compile(r"信息公开(?:工作)?(?:年度)?(?:工作)?(?:报告|年报)|信息公开.{0,12}年度报告")
# Words that mark a page about a report, or another kind of disclosure document.
DECOY_WORDS = (
    "工作要点", "要点", "指南", "目录", "关于", "通知", "说明", "公告", "解读", "图解", "意见", "方案",
    "计划", "征集", "问卷", "考核", "评议结果", "统计表", "编制", "报送", "发布会", "专栏介绍",
)
_YEAR_RE = re.compile(r"(20\d{2})\s*年度?")
_TAIL_RE = re.compile(r"(?:(20\d{2})\s*年度?)?\s*(?:政府)?信息公开.*$")
_HEAD_YEAR_RE = re.compile(r"^\s*(20\d{2})\s*年度?")
_SPACE_RE = re.compile(r"[\s\u3000\xa0]+")
_TRUNCATED = ("…", "...", "..")


def clean_title(text: str | None) -> str:
    """Whitespace and brackets a CMS wraps around a title, removed."""
    if not text:
        return ""
    text = _SPACE_RE.sub("", text)
    return text.strip("《》「」“”\"'·-—_|")


def is_decoy(title: str) -> bool:
    t = clean_title(title)
    return any(w in t for w in DECOY_WORDS)


def is_report_title(title: str | None) -> bool:
    """A whole annual-report title, not a look-alike."""
    t = clean_title(title)
    return bool(t) and bool(_REPORT_RE.search(t)) and not is_decoy(t)


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
    return int(years.pop()) if len(years) == 1 else None


@dataclass(frozen=True)
class TitleParts:
    year: int | None
    district: str | None  # as printed with its suffix, e.g. 东城区, 密云县, 宣武区
    office: str  # as printed, without district, year and the report words
    normalised: str  # comparable name: 东四街道, 宋庄镇, 将台地区, 区人民政府


def normalise_office(raw: str, district: str | None = None) -> str:
    """Drop the forms of address that vary between titles of the same office.

    A district government is 区人民政府 (县人民政府 before 2015 in 密云/延庆); 街道办事处 → 街道;
    地区办事处 → 地区; 镇/乡人民政府 → 镇/乡; a 筹备处 keeps its full name: it is a different body.
    """
    name = clean_title(raw).strip("，,：:（）()")
    name = re.sub(r"^(?:人民政府|政府)", "", name)
    if name.endswith("筹备处"):
        return name
    if name in ("", "人民政府", "政府", "区", "区政府", "县政府", "区人民政府", "县人民政府"):
        return "县人民政府" if (district or "").endswith("县") or name.startswith("县") else "区人民政府"
    for suffix, keep in (("街道办事处", "街道"), ("地区办事处", "地区"), ("办事处", "")):
        if name.endswith(suffix):
            return name[: -len(suffix)] + keep
    m = re.fullmatch(r"(.+?[镇乡])人民政府", name)
    if m:
        return m.group(1)
    return name


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
