"""The year a report covers and the office that published it, from its title and its text.

Evidence is read in order of trust. For the year: the title ("2023年政府信息公开工作年度报告",
year first or last), then the statistics period ("统计期限自2019年1月1日起至…", also with
the 年/月 lost: "自201011日起"), then the report's name in its preamble ("编制的2009年度政府信息
公开年度报告"), then the opening sentences ("2019年,我局…", before any section on plans), then
"截至2014年底". A 2023 report published in 2024 prints 2024 dates too (发布日期, 2024年预算,
"2024年,我局将…"), and every report names the 条例's years (2007年公布, 2019年修订), which is why
free-standing dates are never read. For the office: the title,
then the preamble ("由北京市大兴区商务委员会编制"), then a sign-off line, then a contact sentence
("请与…街道办事处信息公开办公室联系"), then a full name the text repeats; never a guess.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from functools import lru_cache
from itertools import islice
from typing import NamedTuple

from scrapers.parse.prose import HEADING_START, MAX_HEADING, Prose, headings, iter_sentences, last_lines, may_hold, normalise

_CJK = r"\u3400-\u9fff"
_NAME = rf"[{_CJK}()]"
# A report year: the 2008 条例 took effect on 1 May 2008; the first reports cover 2008.
_FIRST_YEAR, _LAST_YEAR = 2007, 2100

_TITLE = re.compile(
    # the year before the report's name (just before 政府信息公开 it may lack its 年: "…人民防空办公室
    # 2020政府信息公开…"), after 关于 ("…关于2023年政府信息公开工作的年度报告"), after its subject
    # ("…政府信息公开工作2023年度报告"), or in brackets after the name; 情况 and 的 as titles add them
    rf"(?:(?P<y1>20\d{{2}})年度?)?(?P<office>{_NAME}*?)(?:关于)?(?:(?P<y2>20\d{{2}})(?:年度?)?)?"
    r"(?P<gov>政府)?(?:信息|政务)公开(?:工作)?(?:(?P<y4>20\d{2})年度?)?(?:情况)?的?(?:年度)?(?:报告|年报)"
    # ("…工作年度报告（2023年度）")
    r"(?:\((?P<y3>20\d{2})(?:年度?)?\))?"
)
# the word every match of _TITLE holds ((?:信息|政务)公开): a line without it is not tried
_TITLE_WORD = "公开"
# what a title line ends with (lines are stripped: a suffix test, not a search of the line),
# or its year in brackets after it
_TITLE_ENDS = ("报告", "年报")
_YEAR_AFTER_TITLE = re.compile(r"(?:报告|年报)\(20\d{2}(?:年度?)?\)$")
# where a page title puts a site name beside the report's ("…年度报告_上海市人民政府")
_TITLE_PARTS = re.compile(r"[_|–—]| - ")
_STATISTICS_PERIOD = re.compile(r"统计(?:期限|期间|周期|时间|区间|时段|范围)[^0-9。\n]{0,10}?(?P<y>20\d{2})")
_REPORT_NAME = re.compile(r"(?P<y>20\d{2})年度?(?:政府信息|政务|信息)公开(?:工作)?(?:年度)?(?:报告|年报)")
_YEAR_END = re.compile(r"截[至止](?P<y>20\d{2})年(?:底|末|12月31日)")
# A page title that is only the year and 年报 or 年度报告 ("Page 9 - 2020年报", a flipbook's page).
_BARE_TITLE = re.compile(r"(?P<y>20\d{2})年(?:度?报告|报)")
# The first sentences of 一、总体情况 open with the year they describe ("2019年,我局…",
# "2024年,丰台区园林绿化局…", "2019年度,区信访办…"); a year followed by a month, a day, 底 or 修订
# is a date or a statute, not the period.
_OPENING_YEAR = re.compile(
    rf"(?:[一二三四五六七八九十]+[、.]|\(?[一二三四五六七八九十\d]+[).、])?(?:[我本][{_CJK}]{{1,3}}?)?(?P<y>20\d{{2}})年(?:度|全年)?"
    rf"(?:[,、]|(?=[{_CJK}])(?![月日底末初修颁公施起前后]|以前|以后|之前))"
)
# What a plan for the next year says within its first words: "2020年,我局将…", "2020年工作计划".
_FUTURE = re.compile(r"将|计划|拟|打算|展望|要点|目标|思路|安排")
# What a sentence on the 条例 itself says right after its year ("2007年国务院公布《条例》",
# "2019年修订的《条例》"); a report's own opening cites the 条例 later ("2019年,我局贯彻落实《条例》").
_STATUTE = re.compile(r"《|条例|国务院|颁布|公布|修订|出台|印发|施行")
# Where a report turns to its problems and plans: no opening sentence is read after it.
_PLANS_HEADING = re.compile(r"不足|问题|改进|计划|打算|下一步|其他需要报告|展望")
_OPENING_CHARS = 3000
_TITLE_SEPARATORS = " -–—|_:"

_PREAMBLE_OFFICE = re.compile(rf"由(?P<office>{_NAME}{{2,40}}?)(?:负责)?(?:编制|制作|撰写)")
_CONTACT_OFFICE = re.compile(
    rf"请(?:与|和)(?P<a>{_NAME}{{2,40}}?)联系|请(?:联系|联络)[:]?(?P<b>{_NAME}{{2,40}})"
)
# What the name of a public body ends with, and the inner unit a contact line may add after it.
_ORGAN_END = re.compile(
    r"(?:办事处|筹备处|人民政府|政府|委员会|局|办公室|中心|街道|镇|乡|院|馆|所|站|队|公司)$"
)
_INNER_UNIT_END = re.compile(
    r"(?:(?:政府)?信息公开(?:工作)?(?:领导小组)?(?:办公室|办|科|处|室)|政府信息公开咨询和依申请受理处"
    r"|党政办公室|综合办公室|办公室|党政办|综合办|综合科|法制科|综合法制科)$"
)
_PLACE_PREFIX = re.compile(rf"(?:[{_CJK}]{{2,3}}省)?(?:[{_CJK}]{{2,4}}市)?(?:[{_CJK}]{{1,4}}[区县])?")
# A full name with its district government, the way a 街道 or 镇 names itself in passing.
# Its city has a two-character name (北京市, 淮安市): a longer one would eat the word before it.
_FULL_NAME = re.compile(
    rf"(?:[{_CJK}]{{2}}市)?[{_CJK}]{{1,4}}?[区县]人民政府[{_CJK}]{{2,6}}?(?:街道办事处|地区办事处)"
    rf"|[{_CJK}]{{2}}市[{_CJK}]{{1,4}}?[区县][{_CJK}]{{2,5}}?[镇乡]人民政府"
)
# Every full name holds 人民政府, 2 to 14 characters after its start (a city, a district, a
# town of the longest lengths above): a name is sought only that far before each 人民政府,
# where the pattern alone would be tried, lazily and with backtracking, at every character.
_FULL_NAME_ANCHOR = "人民政府"
_FULL_NAME_REACH = (2, 14)
_SIGNATURE_LINE = re.compile(rf"{_NAME}{{4,30}}")
_HEAD_LINES = 20
_HEAD_CHARS = 6000
_MAX_TITLE = 80


def find_year(text: str, title: str | None = None) -> int | None:
    """The year the report covers, or None when neither title nor text states it."""
    prose = normalise(text)
    for candidate in _titles(prose, title):
        if candidate.year:
            return candidate.year
    # a report name after the report turns to its problems is last year's ("对照2018年…年度报告提出的问题")
    for pattern, end in ((_STATISTICS_PERIOD, len(prose.text)), (_REPORT_NAME, _plans_start(prose))):
        for m in pattern.finditer(prose.text, 0, end):
            if _FIRST_YEAR <= int(m["y"]) <= _LAST_YEAR:
                return int(m["y"])
    year = _opening_year(prose)
    if year is not None:
        return year
    for m in _YEAR_END.finditer(prose.text):
        if _FIRST_YEAR <= int(m["y"]) <= _LAST_YEAR:
            return int(m["y"])
    return None


def _plans_start(prose: Prose) -> int:
    """Where the first heading on problems or plans starts (the end of the text when none does)."""
    return next((pos for pos, line in headings(prose) if _PLANS_HEADING.search(line)), len(prose.text))


def _opening_year(prose: Prose) -> int | None:
    """The year a sentence of the report's opening starts with, before any section on plans."""
    for start, end in iter_sentences(prose):
        if start > _OPENING_CHARS:
            break
        sentence = prose.text[start:end].strip()
        if HEADING_START.match(sentence) and len(sentence) <= MAX_HEADING and _PLANS_HEADING.search(sentence):
            break
        m = _OPENING_YEAR.match(sentence)
        if not m or _FUTURE.search(sentence, m.end(), m.end() + 12) or _STATUTE.search(sentence, m.end(), m.end() + 4):
            continue
        if _FIRST_YEAR <= int(m["y"]) <= _LAST_YEAR:
            return int(m["y"])
    return None


def find_office(text: str, title: str | None = None) -> str | None:
    """The office as the report prints its name, or None when the report does not name it."""
    prose = normalise(text)
    titled = next((t for t in _titles(prose, title) if t.office), None)
    # most pages have no 由 at all: their lines are then not joined for this search
    preamble = [m["office"] for m in _PREAMBLE_OFFICE.finditer(prose.text) if _is_office_name(m["office"])] if may_hold(prose, "由") else []
    signature = _signature(prose)

    if titled is not None:
        office = titled.office
        # "…榆垡镇政府信息公开工作年度报告": the 政府 serves both words; the sign-off settles it.
        if titled.shared_gov:
            m = re.search(re.escape(office) + r"(?:人民)?政府(?!信息)", prose.text)
            if m:
                office = m.group(0)
    elif preamble:
        office = preamble[0]
        office = _complete_subdistrict(office, prose.text)
    elif signature:
        office = signature
    else:
        office = _contact_office(prose.text) or _repeated_full_name(prose.text)
        if office is None:
            return None
    # The title often drops the city ("门头沟区民政局") that the preamble prints ("北京市门头沟区民政局").
    for longer in [*preamble, *([signature] if signature else [])]:
        if len(longer) > len(office) and longer.endswith(office):
            if _PLACE_PREFIX.fullmatch(longer[: -len(office)]):
                office = longer
    return office


# a named tuple, not a frozen dataclass: a report's head gives a dozen candidates, and a frozen
# dataclass sets each field through object.__setattr__
class _Title(NamedTuple):
    year: int | None
    office: str | None
    # the title's 政府 may belong to the office too ("…榆垡镇政府信息公开…")
    shared_gov: bool


def _titles(prose: Prose, title: str | None) -> Iterator[_Title]:
    """Titles in order of trust: the one given, then a title line (or two or three) of the head.

    One at a time: the given title of most pages names both the year and the office, and the
    head's lines are then never read."""
    if title:
        yield from _given_titles(title)
    yield from _head_titles(prose)


@lru_cache(maxsize=4)
def _given_titles(title: str) -> tuple[_Title, ...]:
    """The titles in a page's title: a site's name may stand beside the report's (cached: the
    year and the office read the same)."""
    found = []
    for part in _TITLE_PARTS.split(normalise(title).text):
        t = _read_title(part.strip(), whole=False)
        if t:
            found.append(t)
    return tuple(found)


@lru_cache(maxsize=4)
def _head_titles(prose: Prose) -> tuple[_Title, ...]:
    """The title lines of the report's head (cached, a Prose is hashed by identity: the year and
    the office read the same)."""
    found = []
    # lines as printed: a title line must not be joined with the line after it
    head = normalise(prose.original[:_HEAD_CHARS], join_lines=False).text
    lines = _first_lines(head, _HEAD_LINES)
    for j, line in enumerate(lines):
        if len(line) > _MAX_TITLE or not (line.endswith(_TITLE_ENDS) or (line.endswith(")") and _YEAR_AFTER_TITLE.search(line))):
            continue
        best = None
        for span in (1, 2, 3):
            if j - span + 1 < 0:
                break
            t = _read_title("".join(lines[j - span + 1 : j + 1]))
            if t and (best is None or (t.office and not best.office)):
                best = t
            if best and best.office:
                break
        if best:
            found.append(best)
    return tuple(found)


def _first_lines(text: str, n: int) -> list[str]:
    """The first n non-empty lines of text, stripped: split off a few at a time, not whole."""
    limit = 4 * n
    pieces = text.split("\n", limit)
    if len(pieces) > limit:  # the last piece is the rest of the text, unsplit
        lines = list(islice(filter(None, map(str.strip, pieces[:limit])), n))
        if len(lines) == n:
            return lines
        pieces = text.split("\n")
    return list(islice(filter(None, map(str.strip, pieces)), n))


def _read_title(s: str, whole: bool = True) -> _Title | None:
    # a site's name beside the title ("_北京市朝阳区人民政府") is not tried from each character
    m = (_TITLE.fullmatch if whole else _TITLE.search)(s) if _TITLE_WORD in s else None
    if not m:
        bare = _BARE_TITLE.search(s)
        if bare and (bare.end() == len(s) or not whole) and (bare.start() == 0 or s[bare.start() - 1] in _TITLE_SEPARATORS) and _FIRST_YEAR <= int(bare["y"]) <= _LAST_YEAR:
            return _Title(int(bare["y"]), None, shared_gov=False)
        return None
    year = m["y1"] or m["y2"] or m["y3"] or m["y4"]
    year = int(year) if year and _FIRST_YEAR <= int(year) <= _LAST_YEAR else None
    office = m["office"] if _is_office_name(m["office"]) else None
    if year is None and office is None:
        return None
    return _Title(year, office, shared_gov=bool(m["gov"]) and office is not None and not m["y2"])


def _is_office_name(name: str | None) -> bool:
    # a sentence's words are not a name: "由…局编制的" of "本报告由…局编制的2014年度…报告。"
    return (bool(name) and len(name) >= 3 and not name.startswith(("本", "我", "该", "由"))
            and not name.endswith(("编制", "编制的")) and not _SENTENCE_MARKS.intersection(name))


_SENTENCE_MARKS = frozenset("，。；《》“”")


def _signature(prose: Prose) -> str | None:
    """A sign-off line at the end: nothing but a body's name."""
    for line in last_lines(prose, 3)[::-1]:
        if _SIGNATURE_LINE.fullmatch(line) and _ORGAN_END.search(line) and _PLACE_PREFIX.match(line).end():
            return line
    return None


def _contact_office(text: str) -> str | None:
    for m in _CONTACT_OFFICE.finditer(text):
        name = m["a"] or m["b"]
        inner = _INNER_UNIT_END.search(name)
        if inner and _ORGAN_END.search(name[: inner.start()]):
            name = name[: inner.start()]
        if _ORGAN_END.search(name) and _is_office_name(name) and not _ORGAN_END.fullmatch(name):
            return name
    return None


def _full_names(text: str) -> Iterator[str]:
    """What _FULL_NAME.finditer(text) finds: the same positions tried in the same order, but
    only those a name can start at."""
    near, far = _FULL_NAME_REACH
    at = 0  # every position before this one is tried, or inside a name found
    anchor = text.find(_FULL_NAME_ANCHOR)
    while anchor >= 0:
        for start in range(max(at, anchor - far), anchor - near + 1):
            if start < at:  # inside the name just found
                continue
            m = _FULL_NAME.match(text, start)
            if m:
                yield m.group(0)
                at = m.end()
        at = max(at, anchor - near + 1)
        anchor = text.find(_FULL_NAME_ANCHOR, anchor + 1)


def _repeated_full_name(text: str) -> str | None:
    counts = Counter(_full_names(text))
    if not counts:
        return None
    name, n = counts.most_common(1)[0]
    # one passing mention could be another body's; a name the report repeats is its own
    return name if n >= 2 else None


def _complete_subdistrict(office: str, text: str) -> str:
    """"西城区展览路街道" in the preamble names the body the text calls "展览路街道办事处"."""
    if not office.endswith("街道"):
        return office
    core = office[_PLACE_PREFIX.match(office).end() :]
    if core and core + "办事处" in text:
        return office + "办事处"
    return office

