"""Statistics of the 2008–2018 reports: the figures they state in sentences, and the Beijing 统计表.

Before the 2019 template, reports printed no fixed tables: "共主动公开政府信息141条",
"共收到政府信息公开申请3件", "同意公开1件,占总数的33.3%", "未发生…行政复议的情况". The
phrasings and the measure each one states are data (seeds/narrative_patterns.csv): a row per
phrasing, a regex with {N} where the number stands. Kinds:
  count      the number in {N} is the measure's value
  zero       the sentence states the measure is zero ("未收到…申请")
  exclude    words before a number that make it something else (a running total, a subset, a change)
  ambiguous  a sentence that speaks of the measure without stating it; left out, with a problem
  pre2019_marker / post2019_marker   what tells the two eras apart (looks_pre2019)
Only what the text states is read: a value is kept when one sentence states it and no other
sentence contradicts it; two different values for one measure are both left out, with a problem.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache

from scrapers.extract.model import Row
from scrapers.parse.meta import find_year
from scrapers.parse.model import NarrativeCell
from scrapers.parse.numerals import NUMBER, NotANumber, read_number
from scrapers.parse.prose import HEADING_START, Prose, normalise, sentences
from scrapers.seeds import read_seed

log = logging.getLogger(__name__)

# The measure codes: a contract with the warehouse, kept with their labels in seeds/narrative_measures.csv.
MEASURES = tuple(row["code"] for row in read_seed("narrative_measures"))
_KINDS = ("count", "zero", "exclude", "ambiguous", "pre2019_marker", "post2019_marker")
# {N} in a pattern: the number, with the words that make it approximate ("约", "5500余")
_N = rf"(?P<pre>约|近|逾|超过)?(?P<n>{NUMBER})(?P<approx>余|多)?"
_CLAUSE_BREAK = re.compile(r"[,;:。!?\n]")
# The last section of a report of either era: 存在的(主要)问题/不足及改进措施, 其他需要报告的事项.
_CLOSING_HEADING = re.compile(r"(?:不足|问题|改进|其他需要报告)")


@dataclass(frozen=True, slots=True)
class Pattern:
    measures: tuple[str, ...]
    kind: str
    regex: re.Pattern
    note: str


@dataclass
class NarrativeResult:
    cells: list[NarrativeCell] = field(default_factory=list)
    # each statement left out because it is ambiguous or contradicted, with why
    problems: list[str] = field(default_factory=list)
    # the text is cut off before its closing section: the report is partial
    truncated: bool = False
    # numbers read and set aside as not the measure (running totals, subsets, changes), with why
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Found:
    measure: str
    value: int | float
    approximate: bool
    sentence: tuple[int, int]
    span: tuple[int, int]


@lru_cache(maxsize=1)
def load_patterns() -> tuple[Pattern, ...]:
    """The rows of seeds/narrative_patterns.csv, compiled; a bad row is an error naming it."""
    patterns = []
    for i, row in enumerate(read_seed("narrative_patterns"), start=2):
        kind, measure = row["kind"].strip(), row["measure"].strip()
        if kind not in _KINDS:
            raise ValueError(f"narrative_patterns.csv line {i}: unknown kind {kind!r}")
        measures = MEASURES if measure == "*" else tuple(m for m in measure.split("|") if m)
        for m in measures:
            if m not in MEASURES:
                raise ValueError(f"narrative_patterns.csv line {i}: unknown measure {m!r}")
        if kind in ("count", "zero", "exclude", "ambiguous") and not measures:
            raise ValueError(f"narrative_patterns.csv line {i}: kind {kind} needs a measure")
        source = row["pattern"]
        if (kind == "count") != ("{N}" in source):
            raise ValueError(f"narrative_patterns.csv line {i}: {{N}} belongs in count patterns only")
        try:
            regex = re.compile(source.replace("{N}", _N))
        except re.error as exc:
            raise ValueError(f"narrative_patterns.csv line {i}: bad regex: {exc}") from exc
        patterns.append(Pattern(measures, kind, regex, row["note"]))
    return tuple(patterns)


def parse_narrative(text: str) -> NarrativeResult:
    """The measures a pre-2019 report states in its sentences."""
    prose = normalise(text)
    patterns = load_patterns()
    result = NarrativeResult(truncated=is_truncated(prose))
    found: list[_Found] = []
    for start, end in sentences(prose):
        sentence = prose.text[start:end]
        found.extend(_read_sentence(prose, sentence, start, end, patterns, result))

    # A number two phrasings both claim ("…同意部分公开…") belongs to neither for certain.
    by_span: dict[tuple[int, int], set[str]] = {}
    for f in found:
        if f.span[0] != f.span[1]:
            by_span.setdefault(f.span, set()).add(f.measure)
    contested = {span for span, ms in by_span.items() if len(ms) > 1}
    for span in sorted(contested):
        result.problems.append(
            f"{' / '.join(sorted(by_span[span]))} left out: one number read as several measures in "
            f"{_quote(prose, found, span)}"
        )
    found = [f for f in found if f.span not in contested]

    for measure in MEASURES:
        mine = [f for f in found if f.measure == measure]
        if not mine:
            continue
        values = {f.value for f in mine}
        if len(values) > 1:
            stated = "; ".join(f"{f.value} in {prose.source(*f.sentence)!r}" for f in mine)
            result.problems.append(f"{measure} left out: the text states different values ({stated})")
            continue
        first = mine[0]
        result.cells.append(
            NarrativeCell(
                measure=measure,
                value=first.value,
                raw=prose.source(*first.sentence),
                approximate=any(f.approximate for f in mine),
                loc=f"line {prose.line_of(first.sentence[0])}",
            )
        )
    return result


def _read_sentence(
    prose: Prose, sentence: str, start: int, end: int, patterns: tuple[Pattern, ...], result: NarrativeResult
) -> list[_Found]:
    found: list[_Found] = []
    vetoes: dict[str, list[tuple[int, int, str]]] = {}
    for p in patterns:
        if p.kind == "ambiguous":
            for m in p.regex.finditer(sentence):
                for measure in p.measures:
                    vetoes.setdefault(measure, []).append((m.start(), m.end(), p.note))
    for p in patterns:
        if p.kind not in ("count", "zero"):
            continue
        for m in p.regex.finditer(sentence):
            if p.kind == "count":
                try:
                    value = read_number(m["n"])
                except NotANumber:
                    continue
                if "wan" in m.re.groupindex and m["wan"]:
                    value = value * 10000
                approximate = bool(m["pre"] or m["approx"])
                number_at = m.start("n")
                span = (start + m.start("n"), start + m.end("n"))
            else:
                value, approximate, number_at = 0, False, m.start()
                span = (start + m.start(), start + m.start())
            for measure in p.measures:
                veto = next((v for v in vetoes.get(measure, ()) if v[0] < m.end() and m.start() < v[1]), None)
                if veto:
                    continue
                reason = _excluded(measure, sentence, number_at, patterns)
                if reason:
                    result.notes.append(f"{measure}: {m.group(0)!r} set aside: {reason}")
                    continue
                found.append(_Found(measure, value, approximate, (start, end), span))
    for measure, hits in vetoes.items():
        for _, _, note in hits:
            result.problems.append(f"{measure} left out: {note}: {prose.source(start, end)!r}")
    return found


def _excluded(measure: str, sentence: str, number_at: int, patterns: tuple[Pattern, ...]) -> str | None:
    """Why the number at number_at is not the measure, from the words before it in its clause."""
    breaks = [m.end() for m in _CLAUSE_BREAK.finditer(sentence, 0, number_at)]
    clause_before = sentence[breaks[-1] if breaks else 0 : number_at]
    for p in patterns:
        if p.kind == "exclude" and measure in p.measures and p.regex.search(clause_before):
            return p.note
    return None


def _quote(prose: Prose, found: list[_Found], span: tuple[int, int]) -> str:
    f = next(f for f in found if f.span == span)
    return repr(prose.source(*f.sentence))


def is_truncated(prose: Prose) -> bool:
    """True when the text stops before the report's closing section (cut-off copies and excerpts).

    The contents paragraph names the closing section too ("…存在的不足及改进措施"), so only a
    heading line counts: one that starts like a section (五、 / (二)) and names it."""
    for line in prose.text.split("\n"):
        line = line.strip()
        if HEADING_START.match(line) and len(line) <= 40 and _CLOSING_HEADING.search(line):
            return False
    return True


def looks_pre2019(text: str) -> bool:
    """True for a report of the 2008 条例 era: its boiler-plate, and none of the 2019/2021 tables."""
    folded = normalise(text).text
    patterns = load_patterns()
    if any(p.regex.search(folded) for p in patterns if p.kind == "post2019_marker"):
        return False
    if any(p.regex.search(folded) for p in patterns if p.kind == "pre2019_marker"):
        return True
    year = find_year(text)
    return year is not None and year <= 2018


# ----------------------------------------------------------------------------------------------
# The Beijing 政府信息公开情况统计表 (2014–2018)

_ENUMERATOR = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.]|\([一二三四五六七八九十\d]+\)|\d{1,2}[.、](?!\d)|其中[:]?)+"
)
_PARENTHESES = re.compile(r"\([^()]*\)")
_UNITS = ("万元", "元", "条", "件", "人次", "人", "个", "次", "项")
_BLANK = {"", "-", "—", "–", "/", "无", "——"}


def normalise_label(label: str) -> str:
    """A row label without its numbering, notes in brackets, spaces or line breaks."""
    s = re.sub(r"\s+", "", normalise(label).text)
    s = _ENUMERATOR.sub("", s)
    s = _PARENTHESES.sub("", s)
    return s.strip(":")


@lru_cache(maxsize=1)
def _table_rows() -> dict[str, tuple[str, str]]:
    """Normalised label variant -> (measure or "" for rows known and not mapped, unit)."""
    rows = {}
    for i, row in enumerate(read_seed("pre2019_table_rows"), start=2):
        measure = row["measure"].strip()
        if measure and measure not in MEASURES:
            raise ValueError(f"pre2019_table_rows.csv line {i}: unknown measure {measure!r}")
        rows[normalise_label(row["variant"])] = (measure, row["unit"].strip())
    return rows


def parse_stat_table(rows: list[Row]) -> list[NarrativeCell]:
    """The measures of a 政府信息公开情况统计表: each row's label mapped through the seed.

    A row is label cell(s), perhaps a unit cell, and one value cell. Blank value cells ("", "—",
    "/", "无") read as 0, as in the 2019+ tables; a row with two values is left out and logged,
    and so is a measure that two rows give different values."""
    mapping = _table_rows()
    cells: dict[str, NarrativeCell | None] = {}
    for row in rows:
        texts = [c.text for c in row.cells]
        label_at = next((i for i, t in enumerate(texts) if normalise_label(t) in mapping), None)
        if label_at is None:
            continue
        measure, unit = mapping[normalise_label(texts[label_at])]
        if not measure:
            continue
        rest = [normalise(t).text.strip() for t in texts[label_at + 1 :]]
        printed_unit = next((t for t in rest if t in _UNITS), None)
        values = [t for t in rest if t not in _UNITS]
        numbers = [t for t in values if t not in _BLANK]
        if len(numbers) > 1:
            log.warning("统计表 row %s (%s): several values %s; left out", row.loc, texts[label_at], numbers)
            continue
        raw = " | ".join(t.strip() for t in texts)
        if numbers:
            try:
                value = read_number(re.sub(r"\s+", "", numbers[0]))
            except NotANumber:
                log.warning("统计表 row %s (%s): value %r is not a number; left out", row.loc, texts[label_at], numbers[0])
                continue
        elif values:
            value = 0
        else:
            log.warning("统计表 row %s (%s): no value cell; left out", row.loc, texts[label_at])
            continue
        if measure == "fees_yuan" and (printed_unit or unit) == "万元":
            value = round(value * 10000, 2)
            value = int(value) if float(value).is_integer() else value
        cell = NarrativeCell(measure=measure, value=value, raw=raw, loc=row.loc)
        if measure not in cells:
            cells[measure] = cell
        elif cells[measure] is not None and cells[measure].value != value:
            log.warning("统计表: %s is %s in %s and %s in %s; left out",
                        measure, cells[measure].value, cells[measure].loc, value, row.loc)  # fmt: skip
            cells[measure] = None
    return [c for c in cells.values() if c is not None]
