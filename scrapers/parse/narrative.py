"""Statistics of the 2008–2018 reports: the figures they state in sentences, and the Beijing 统计表.

Before the 2019 template, reports printed no fixed tables: "共主动公开政府信息141条",
"全区共主动公开各类信息10381件", "同意公开1件,占总数的33.3%", "未发生…行政复议的情况". A
statement is read by its meaning, from vocabularies that are data in seeds/:
  narrative_units.csv          the units a number of each measure carries (条, 件, 项, 人次, 名, 元 …)
  narrative_measure_words.csv  each measure's words: verbs, modifiers and objects, composed into
                               one phrase that stands before the number, right after its unit
                               ("配备了1名兼职工作人员"), or around it ("收到12起…依申请公开")
  narrative_qualifiers.csv     the words that make a number something else (a running total, a
                               share, a change, an average, another year's figure, a part of the
                               year, a subset, one of several parts the sentence sums), the filler
                               allowed between a measure's words and its number, and the words
                               naming the report's own year
  narrative_patterns.csv       statements without a number (zero: "未收到…申请"; ambiguous: left
                               out with a problem) and the markers of the two eras (looks_pre2019)
A number is read in its clause: the text from the clause start (or the number before it) to the
number is its lead. The measure is the one whose words end the lead, followed by filler only
(the longer words win when two measures claim a number); a qualifier in the lead sets the number
aside with a note. When one sentence gives the year's figure and another a running total, the
year's figure is the measure. A measure stated with two values, a number two measures claim
equally, and a measure's words followed by a number that cannot be read (no unit, a unit it is
never counted in, words between them the vocabularies do not know) are problems: the report is
then `partial`, never silently complete.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from scrapers.parse.meta import find_year
from scrapers.parse.model import NarrativeCell
from scrapers.parse.numerals import ARABIC, CHINESE, CHINESE_NUMERAL_CHARS, NotANumber, read_number
from scrapers.parse.prose import Prose, headings, normalise, sentences
from scrapers.seeds import read_seed

log = logging.getLogger(__name__)

# The measure codes: a contract with the warehouse, kept with their labels in seeds/narrative_measures.csv.
MEASURES = tuple(row["code"] for row in read_seed("narrative_measures"))
_KINDS = ("zero", "ambiguous", "pre2019_marker", "post2019_marker")
_QUALIFIER_KINDS = (
    "cumulative", "cumulative_unless_annual", "cumulative_since", "annual", "share", "change", "average", "other_year", "subset", "superset",
    "year_part", "part_of_year", "total", "filler", "approximate",
)  # fmt: skip
_CLAUSE_BREAK = re.compile(r"[,;:。!?\n]")
_YEAR_END = re.compile(r"(?<!\d)20\d{2}$")
# The last section of a report of either era: 存在的(主要)问题/不足及改进措施, 其他需要报告的事项.
_CLOSING_HEADING = re.compile(r"(?:不足|问题|改进|其他需要报告)")
# "5500余条", "300多件": the printed number is approximate
_APPROX_SUFFIX = "(?P<approx>余|多)?"


# Compared by identity: the seed's rows are loaded once, and the caches below, keyed on all of
# them, would otherwise hash every row's regex and note for every sentence.
@dataclass(frozen=True, slots=True, eq=False)
class Pattern:
    measures: tuple[str, ...]
    kind: str
    regex: re.Pattern
    note: str


@dataclass(frozen=True, slots=True)
class Phrase:
    """A measure's words, composed from one row of narrative_measure_words.csv."""

    measure: str
    position: str  # before: the words end the number's lead; after: they follow its unit; around
    regex: re.Pattern
    # the words alone, wherever they stand in the lead: with unknown words between them and the
    # number, a statement the parser sees and cannot read
    core: re.Pattern
    unless: re.Pattern | None
    note: str
    # position around: the verb ends the lead and the object starts the text after the unit
    # ("收到12起政府信息依申请公开"); composed from every before row with a verb and an object
    tail: re.Pattern | None = None
    # words the phrase cannot match without: one word of each group stands in the sentence
    needs: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True, slots=True)
class Qualifier:
    kind: str
    scope: str  # lead, lead_end, sentence, gap, clause_before, after, number
    measures: tuple[str, ...]
    regex: re.Pattern
    note: str


# Compared by identity, like Pattern: it keys the cache of the phrases chosen per sentence,
# and its dicts could not be hashed.
@dataclass(frozen=True, slots=True, eq=False)
class Vocabulary:
    units: dict[str, tuple[tuple[str, ...], int]]  # unit -> (measures, factor)
    phrases: tuple[Phrase, ...]
    qualifiers: tuple[Qualifier, ...]
    token: re.Pattern  # a number, perhaps approximate, and its unit if one follows
    filler_only: re.Pattern  # a lead of nothing but filler ("共计"): the measure's words are in the clause before
    # every word some phrase needs (Phrase.needs), longest first
    words: tuple[str, ...] = ()
    # the qualifiers of each (kind, scope), in the seed's order: a lookup asks for one pair
    qualifiers_of: dict[tuple[str, str], tuple[Qualifier, ...]] = field(default_factory=dict)


@dataclass
class NarrativeResult:
    cells: list[NarrativeCell] = field(default_factory=list)
    # each statement left out because it is ambiguous, contradicted or unreadable, with why
    problems: list[str] = field(default_factory=list)
    # the text is cut off before its closing section: the report is partial
    truncated: bool = False
    # numbers read and set aside as not the measure (running totals, subsets, changes), with why
    notes: list[str] = field(default_factory=list)
    # measures a table row printed as text states, left to the 统计表 reader (a problem if it reads none)
    table_rows: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class _Found:
    measure: str
    value: int | float
    approximate: bool
    sentence: tuple[int, int]
    span: tuple[int, int]
    length: int = 0  # how many characters of the measure's words matched: the longer, the surer


def _measures(cell: str, where: str) -> tuple[str, ...]:
    cell = cell.strip()
    measures = MEASURES if cell == "*" else tuple(m for m in cell.split("|") if m)
    for m in measures:
        if m not in MEASURES:
            raise ValueError(f"{where}: unknown measure {m!r}")
    return measures


def _compile(source: str, where: str) -> re.Pattern:
    try:
        return re.compile(source)
    except re.error as exc:
        raise ValueError(f"{where}: bad regex: {exc}") from exc


@lru_cache(maxsize=1)
def load_patterns() -> tuple[Pattern, ...]:
    """The rows of seeds/narrative_patterns.csv, compiled; a bad row is an error naming it."""
    patterns = []
    for i, row in enumerate(read_seed("narrative_patterns"), start=2):
        where = f"narrative_patterns.csv line {i}"
        kind = row["kind"].strip()
        if kind not in _KINDS:
            raise ValueError(f"{where}: unknown kind {kind!r}")
        measures = _measures(row["measure"], where)
        if kind in ("zero", "ambiguous") and not measures:
            raise ValueError(f"{where}: kind {kind} needs a measure")
        patterns.append(Pattern(measures, kind, _compile(row["pattern"], where), row["note"]))
    return tuple(patterns)


@lru_cache(maxsize=4)
def _statement_patterns(patterns: tuple[Pattern, ...]) -> tuple[Pattern, ...]:
    return tuple(p for p in patterns if p.kind in ("zero", "ambiguous"))


@lru_cache(maxsize=4)
def _any_statement(patterns: tuple[Pattern, ...]) -> re.Pattern:
    """One regex that finds where any zero or ambiguous statement could be."""
    return re.compile("|".join(f"(?:{p.regex.pattern})" for p in _statement_patterns(patterns)) or "(?!)")


@lru_cache(maxsize=4)
def _statement_starts(patterns: tuple[Pattern, ...]) -> re.Pattern | None:
    """The characters every zero or ambiguous statement starts with, as one class (None when
    a pattern's start is not a known set of characters). An alternation of a dozen patterns is
    tried at every position of a sentence; the class is scanned for in one quick pass, and
    most sentences hold none of its characters."""
    chars: set[str] = set()
    for p in _statement_patterns(patterns):
        first = _first_characters(p.regex)
        if first is None:
            return None
        chars |= first
    return re.compile("[" + "".join(map(re.escape, sorted(chars))) + "]") if chars else None


@dataclass(frozen=True, slots=True)
class _Statements:
    """The zero and ambiguous statements and the two searches that tell where one may stand,
    looked up once per report: a cache keyed on the seed's rows hashes all of them each time."""

    patterns: tuple[Pattern, ...]
    any: re.Pattern
    starts: re.Pattern | None


@lru_cache(maxsize=4)
def _statements(patterns: tuple[Pattern, ...]) -> _Statements:
    return _Statements(_statement_patterns(patterns), _any_statement(patterns), _statement_starts(patterns))


def _first_characters(regex: re.Pattern) -> frozenset[str] | None:
    """The characters a match of regex must start with, read from the parsed pattern; None
    when they are not a plain set (a start that may be empty, a class by category, a flag)."""
    try:
        from re import _constants as c, _parser

        parsed = _parser.parse(regex.pattern, regex.flags)
        repeats = (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT)
    except (ImportError, AttributeError, re.error):  # the parser is the standard library's own
        return None
    if parsed.state.flags & (re.IGNORECASE | re.VERBOSE):
        return None

    def first(items) -> frozenset[str] | None:
        for op, av in items:
            if op is c.LITERAL:
                return frozenset(chr(av))
            if op is c.IN:
                out = set()
                for kind, value in av:
                    if kind is c.LITERAL:
                        out.add(chr(value))
                    elif kind is c.RANGE and value[1] - value[0] < 1024:
                        out.update(map(chr, range(value[0], value[1] + 1)))
                    else:  # a negated class, a category
                        return None
                return frozenset(out)
            if op is c.BRANCH:
                alternatives = [first(alternative) for alternative in av[1]]
                return None if any(a is None for a in alternatives) else frozenset().union(*alternatives)
            if op is c.SUBPATTERN and not av[1] and not av[2]:
                return first(av[3])
            if op in repeats and av[0] >= 1:
                return first(av[2])
            return None  # an assertion, an anchor, an optional start, a backreference
        return None  # an empty pattern: it matches anywhere

    return first(parsed)


def _words(cell: str) -> str:
    """A |-list of literal words as a regex alternation, longest first ("" makes it optional)."""
    words = cell.split("|")
    optional = any(not w.strip() for w in words)
    words = sorted({w.strip() for w in words if w.strip()}, key=len, reverse=True)
    alternation = "|".join(re.escape(w) for w in words)
    if not words:
        return ""
    return f"(?:{alternation})" + ("?" if optional else "")


def _required(cell: str) -> tuple[str, ...]:
    """Words one of which stands wherever the alternation _words makes of a |-list matches; ()
    when it is optional or empty. A word holding another ("主动公开信息", "信息") adds nothing."""
    words = cell.split("|")
    if any(not w.strip() for w in words):
        return ()
    words = {w.strip() for w in words}
    return tuple(sorted((w for w in words if not any(o != w and o in w for o in words)), key=len, reverse=True))


@lru_cache(maxsize=1)
def load_vocabulary() -> Vocabulary:
    """The units, measure words and qualifiers of seeds/, compiled; a bad row is an error naming it."""
    units: dict[str, tuple[tuple[str, ...], int]] = {}
    for i, row in enumerate(read_seed("narrative_units"), start=2):
        where = f"narrative_units.csv line {i}"
        try:
            factor = int(row["factor"] or 1)
        except ValueError as exc:
            raise ValueError(f"{where}: factor {row['factor']!r} is not a whole number") from exc
        units[row["unit"].strip()] = (_measures(row["measures"], where), factor)

    qualifiers = []
    for i, row in enumerate(read_seed("narrative_qualifiers"), start=2):
        where = f"narrative_qualifiers.csv line {i}"
        kind, scope = row["kind"].strip(), row["scope"].strip()
        if kind not in _QUALIFIER_KINDS:
            raise ValueError(f"{where}: unknown kind {kind!r}")
        if scope not in ("lead", "lead_end", "sentence", "gap", "clause_before", "after", "number"):
            raise ValueError(f"{where}: unknown scope {scope!r}")
        qualifiers.append(Qualifier(kind, scope, _measures(row["measures"], where), _compile(row["pattern"], where), row["note"]))
    def tail_of(measure: str | None) -> str:
        """The filler a measure's words may have before its number, to the lead's end: every
        measure's, and its own ("同意公开答复5件": an outcome's answers are that outcome)."""
        filler = "|".join(f"(?:{q.regex.pattern})" for q in qualifiers
                          if q.kind == "filler" and (measure in q.measures if measure else len(q.measures) == len(MEASURES)))  # fmt: skip
        return f"(?:{filler})*$" if filler else "$"

    phrases = []
    for i, row in enumerate(read_seed("narrative_measure_words"), start=2):
        where = f"narrative_measure_words.csv line {i}"
        (measure,) = _measures(row["measure"], where) or ("",)
        tail = tail_of(measure)
        position = row["position"].strip()
        if position not in ("before", "after"):
            raise ValueError(f"{where}: position must be before or after, not {position!r}")
        verbs, modifiers, objects = _words(row["verbs"]), _words(row["modifiers"]), _words(row["objects"])
        if not (verbs or objects):
            raise ValueError(f"{where}: a measure's words need verbs or objects")
        core = verbs + (f"{modifiers}*" if verbs and modifiers else "") + objects if verbs else objects
        lookbehind = "".join(f"(?<!{re.escape(w.strip())})" for w in row["not_after"].split("|") if w.strip())
        source = f"{lookbehind}(?:{core}){tail}" if position == "before" else f"^(?:{core})"
        unless = _compile(row["unless"], where) if row["unless"].strip() else None
        # core is verbs, modifiers, objects in a row: a required list is a word the match holds
        needed_verbs, needed_objects = _required(row["verbs"]), _required(row["objects"])
        needs = tuple(group for group in (needed_verbs, needed_objects) if group)
        phrases.append(Phrase(measure, position, _compile(source, where), _compile(lookbehind + core, where), unless, row["note"],
                              needs=needs))  # fmt: skip
        optional_object = any(not w.strip() for w in row["objects"].split("|"))
        if position == "before" and verbs and objects and not optional_object:
            around_tail = f"^{modifiers}*{objects}" if modifiers else f"^{objects}"
            phrases.append(
                Phrase(measure, "around", _compile(f"{lookbehind}{verbs}{tail}", where), _compile(f"{lookbehind}{verbs}", where),
                       unless, row["note"], _compile(around_tail, where), needs)  # fmt: skip
            )

    unit_alternation = "|".join(re.escape(u) for u in sorted(units, key=len, reverse=True))
    # A Chinese numeral counts only with a unit after it: 一 and 两 are in too many words (统一, 一是).
    # A number starts after no digit, nor a digit's decimal point or comma (a leader of dots "数......12件" is no point),
    # and has no digit a space away: "配备了2 0名" is a number a line break cut ("2" / "0名"), or two, and
    # neither "2" nor "0" is the figure.
    # The lookahead first: every number starts with a digit or a numeral, and one class test per
    # character rejects the rest of the text faster than both alternatives would.
    token = re.compile(
        rf"(?=[\d{CHINESE_NUMERAL_CHARS}])"
        rf"(?P<n>(?<!\d)(?<!\d[.,])(?<!\d ){ARABIC}万?(?![\d%‰、]|\.\d| \d)|{CHINESE}(?=(?:余|多)?(?:{unit_alternation})))"
        rf"{_APPROX_SUFFIX}(?P<unit>{unit_alternation})?"
    )
    words = tuple(sorted({w for p in phrases for group in p.needs for w in group}, key=len, reverse=True))
    qualifiers_of: dict[tuple[str, str], tuple[Qualifier, ...]] = {}
    for q in qualifiers:
        qualifiers_of[q.kind, q.scope] = (*qualifiers_of.get((q.kind, q.scope), ()), q)
    return Vocabulary(units, tuple(phrases), tuple(qualifiers), token, re.compile(f"^{tail_of(None)}"), words, qualifiers_of)


@lru_cache(maxsize=1024)
def _phrases_for(vocabulary: Vocabulary, present: frozenset[str]) -> tuple[Phrase, ...]:
    """The phrases that can match in a sentence holding the words `present`, in the seed's order.

    A sentence holds a handful of the vocabulary's words, and most phrases need one it lacks:
    trying only the rest reads the same claims for a fraction of the searches."""
    return tuple(p for p in vocabulary.phrases if all(not present.isdisjoint(group) for group in p.needs))


def parse_narrative(text: str, year: int | None = None) -> NarrativeResult:
    """The measures a pre-2019 report states in its sentences. year, the year the report covers
    when known, tells another year's figure in the same sentence ("2010年…120件,2011年…150件")."""
    prose = normalise(text)
    statements = _statements(load_patterns())
    vocabulary = load_vocabulary()
    result = NarrativeResult(truncated=is_truncated(prose))
    found: list[_Found] = []
    for start, end in sentences(prose):
        found.extend(_read_sentence(prose, start, end, statements, vocabulary, result, year))

    # A number two measures both claim ("…同意部分公开…") belongs to the one whose words are the
    # longer match; when neither is, to none for certain.
    by_span: dict[tuple[int, int], list[_Found]] = {}
    for f in found:
        if f.span[0] != f.span[1]:
            by_span.setdefault(f.span, []).append(f)
    dropped: set[int] = set()
    for span, claims in sorted(by_span.items()):
        if len({f.measure for f in claims}) < 2:
            continue
        longest = max(f.length for f in claims)
        winners = {f.measure for f in claims if f.length == longest}
        if len(winners) > 1:
            result.problems.append(
                f"{' / '.join(sorted(winners))} left out: one number read as several measures in "
                f"{prose.source(*claims[0].sentence)!r}"
            )
        dropped.update(id(f) for f in claims if f.length < longest or len(winners) > 1)
    found = [f for f in found if id(f) not in dropped]

    for measure in MEASURES:
        mine = [f for f in found if f.measure == measure]
        if not mine:
            continue
        values = {f.value for f in mine}
        # two numbers of one measure in one sentence are two categories of it ("不属于本机关公开1件,
        # 非本机关掌握1件"), not the figure said twice: their sum is not stated, so neither is read
        spans_by_sentence: dict[tuple[int, int], set[tuple[int, int]]] = {}
        for f in mine:
            if f.span[0] != f.span[1]:
                spans_by_sentence.setdefault(f.sentence, set()).add(f.span)
        twice = next((sentence for sentence, spans in spans_by_sentence.items() if len(spans) > 1), None)
        if twice is not None:
            result.problems.append(f"{measure} left out: two numbers of it in one sentence {prose.source(*twice)!r}")
            continue
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
    prose: Prose, start: int, end: int, statements: _Statements, vocabulary: Vocabulary, result: NarrativeResult,
    year: int | None = None,
) -> list[_Found]:
    sentence = prose.text[start:end]
    found: list[_Found] = []
    # spans of statements that speak of a measure without stating it, by measure
    vetoes: dict[str, list[tuple[int, int, str]]] = {}
    # most sentences state nothing without a number: one search tells, before every pattern's own
    starts = statements.starts
    may_state = starts is None or starts.search(sentence) is not None
    stated = statements.patterns if may_state and statements.any.search(sentence) else ()
    for p in stated:
        if p.kind == "ambiguous":
            for m in p.regex.finditer(sentence):
                for measure in p.measures:
                    vetoes.setdefault(measure, []).append((m.start(), m.end(), p.note))

    def vetoed(measure: str, a: int, b: int) -> bool:
        return any(v[0] < b and a < v[1] for v in vetoes.get(measure, ()))

    zero_measures: set[str] = set()
    for p in stated:
        if p.kind != "zero":
            continue
        for m in p.regex.finditer(sentence):
            for measure in p.measures:
                if vetoed(measure, m.start(), m.end()):
                    continue
                zero_measures.add(measure)
                found.append(_Found(measure, 0, False, (start, end), (start + m.start(), start + m.start())))

    previous_end = 0
    found_tokens: list[int] = []
    figures = 0  # numbers with a unit so far in the sentence (a year "2012年" is none)
    running_totals: set[str] = set()  # measures this sentence gave a running total for
    parts: dict[str, Qualifier] = {}  # measures this sentence gave a part of, another part or the total after it
    totalled: set[str] = set()  # measures of parts whose total the sentence states
    phrases = None
    for t in vocabulary.token.finditer(sentence):
        if phrases is None:
            # the words are tested in the sentence: short, where the whole text would cost a
            # scan of the report per word
            present = frozenset(filter(sentence.__contains__, vocabulary.words))
            phrases = _phrases_for(vocabulary, present)
            if not phrases:
                # no phrase can claim or half-claim a number here: none of them is read or unread
                break
            breaks = [m.start() for m in _CLAUSE_BREAK.finditer(sentence)]
        t_start, t_end = t.span()
        # the clause around the number: from after the last break before it to the first after it
        # (breaks are in order)
        i = bisect_left(breaks, t_start)
        clause_start = breaks[i - 1] + 1 if i else 0
        i = bisect_left(breaks, t_end, i)
        clause_end = breaks[i] if i < len(breaks) else len(sentence)
        lead_start = max(clause_start, previous_end)
        previous_end = t_end
        lead = sentence[lead_start:t_start]
        tail = sentence[t_end:clause_end]
        unit = t["unit"]
        claims, loose = _claims(lead, tail, unit, phrases)
        if not claims and lead_start == clause_start > 0 and vocabulary.filler_only.match(lead):
            # "主动公开政府信息,共计122条": the words end the clause before, the number has only filler
            before = max([b + 1 for b in breaks if b < clause_start - 1], default=0)
            if before >= previous_clause_token_end(found_tokens, clause_start):
                lead_start = before
                lead = sentence[before : clause_start - 1] + lead
                claims, loose = _claims(lead, tail, unit, phrases)
        found_tokens.append(t_end)
        figures += unit is not None
        year_part = total = False
        if not claims and running_totals:
            # "…共主动公开政府信息615条,今年新增94条": the year's part of the running total the
            # sentence just gave, in words of the year alone (新增 there is no change on last year)
            clause = sentence[clause_start:t_start]  # whole: a year "2015年" is a number that ends a lead
            claims = [
                (m, 0, (-1, -1)) for m in sorted(running_totals)
                if _has(vocabulary, "year_part", "lead", m, clause) and not _other_year(vocabulary, m, clause, year)
            ]  # fmt: skip
            year_part = bool(claims)
        if not claims and parts:
            # "收取检索费120元、复制费86元,共计206元": the total of the parts the sentence just
            # listed, with nothing but the word of a sum before it
            claims = [(m, 0, (-1, -1)) for m in sorted(parts) if _has(vocabulary, "total", "lead", m, lead)]
            totalled.update(m for m, _, _ in claims)
            total = bool(claims)
        if not claims:
            # a measure the sentence already states zero for ("…行政复议、提起行政诉讼的案件0件")
            loose = [c for c in loose if c[0] not in zero_measures]
            _unread(prose, start, end, sentence, lead, unit, loose, vocabulary, vetoed, lead_start, result)
            continue
        measures_here = {c[0] for c in claims}
        # "依申请公开收费为0。": nought is nought in any unit, when the clause ends on it
        bare_zero = unit is None and t["n"] == "0" and not t["approx"] and not tail.strip()
        if unit is None and not bare_zero:
            # "主动公开政府信息共32." : the measure's words and a number without its unit
            for measure in sorted(measures_here - zero_measures):
                result.problems.append(
                    f"{measure} left out: a number without a unit in {prose.source(start, end)!r}"
                )
            continue
        try:
            value = read_number(t["n"])
        except NotANumber:
            continue
        measures_of_unit, factor = (MEASURES, 1) if bare_zero else vocabulary.units[unit]
        if not measures_here & set(measures_of_unit):
            # "主动公开政府信息141个": the measure's words, and a unit it is never counted in
            result.problems.append(
                f"{' / '.join(sorted(measures_here))} left out: {unit} is not a unit of it in {prose.source(start, end)!r}"
            )
            continue
        for measure, length, phrase_span in claims:
            if measure not in measures_of_unit:
                continue
            a, b = (lead_start + phrase_span[0], lead_start + phrase_span[1]) if phrase_span[0] >= 0 else (t_end, t_end + length)
            if vetoed(measure, a, b):
                continue
            # a year is a number, so a lead starts after it ("2015年主动公开803条": at 年); the
            # words naming a year see it
            dated_lead = sentence[lead_start - 4 : t_start] if lead[:1] == "年" and _YEAR_END.search(sentence, 0, lead_start) else lead
            # the sentence's first figure may take its year from an earlier clause ("2012年,全局累计…12条")
            year_words = sentence[:t_start] if figures == 1 else dated_lead
            reason = None if year_part else _qualified(
                measure, sentence, lead, vocabulary, year_words,
                _clause_before(sentence, breaks, clause_start, found_tokens), measure in running_totals,
                sentence[:t_start], year, dated_lead,
            )  # fmt: skip
            if reason:
                kind, note = reason
                if kind.startswith("cumulative"):
                    running_totals.add(measure)
                result.notes.append(f"{measure}: {sentence[lead_start:t_end]!r} set aside: {note}")
                continue
            # the last of the parts has none after it, and is a part all the same
            part = None if total else _has(vocabulary, "subset", "after", measure, sentence[t_end:]) or parts.get(measure)
            if part:
                parts[measure] = part
                result.notes.append(f"{measure}: {sentence[lead_start:t_end]!r} set aside: {part.note}")
                continue
            wider = _has(vocabulary, "superset", "after", measure, sentence[t_end:])
            if wider:
                # "受理行政复议案件23件,其中涉及政府信息公开的5件": the text states the part in
                # words the measure does not claim, so the report lacks the figure
                result.problems.append(f"{measure} left out: {wider.note} in {prose.source(start, end)!r}")
                continue
            v = value * factor
            if isinstance(v, float):
                v = round(v, 2)
                v = int(v) if v.is_integer() else v
            if measure != "fees_yuan" and not isinstance(v, int):
                result.problems.append(f"{measure} left out: {t.group(0)!r} is not a whole number in {prose.source(start, end)!r}")
                continue
            approximate = (
                bool(t["approx"]) or _has(vocabulary, "approximate", "lead_end", measure, lead) is not None
                or _has(vocabulary, "approximate", "number", measure, t["n"]) is not None
            )  # fmt: skip
            found.append(_Found(measure, v, approximate, (start, end), (start + t.start("n"), start + t.end("n")), length))
    for measure in sorted(parts.keys() - totalled):
        # the parts only ("收取检索费120元、复制费86元"): the figure is their sum, which the text does not print
        result.problems.append(f"{measure} left out: stated in parts and not their total in {prose.source(start, end)!r}")
    for measure, hits in vetoes.items():
        for _, _, note in hits:
            result.problems.append(f"{measure} left out: {note}: {prose.source(start, end)!r}")
    return found


def previous_clause_token_end(token_ends: list[int], clause_start: int) -> int:
    """Where the last number before clause_start ends (0 when none): a lead never reaches past it."""
    return max((e for e in token_ends if e < clause_start), default=0)


def _claims(
    lead: str, tail: str, unit: str | None, phrases: tuple[Phrase, ...]
) -> tuple[list[tuple[str, int, tuple[int, int]]], list[tuple[str, tuple[int, int]]]]:
    """The measures whose words claim one number: (measure, length of the words, their span in
    lead, or (-1, -1) after the unit); and, apart, the measures whose words stand in the lead with
    words the vocabularies do not know between them and the number. phrases: the vocabulary's
    phrases that can match in the sentence (_phrases_for)."""
    claims, loose = [], []
    for phrase in phrases:
        if phrase.unless is not None and phrase.unless.search(lead):
            continue
        if phrase.position == "before":
            m = phrase.regex.search(lead)
            if m:
                claims.append((phrase.measure, m.end() - m.start(), m.span()))
            else:
                m = phrase.core.search(lead)
                if m:
                    loose.append((phrase.measure, m.span()))
        elif phrase.position == "around":
            if unit is None:
                continue
            m = phrase.regex.search(lead)
            after = m and phrase.tail.match(tail)
            if after:
                claims.append((phrase.measure, m.end() - m.start() + after.end(), m.span()))
        elif unit is not None:
            m = phrase.regex.match(tail)
            if m:
                claims.append((phrase.measure, m.end(), (-1, -1)))
    return claims, loose


# Between a 统计表 row's label and its value: the label's last characters (数), then only cell
# separators and the unit column's word.
_TABLE_ROW_GAP = re.compile(r"[^|\t]{0,4}(?:\s*[|\t]\s*(?:[件条人次元万份个项名]{1,2}\s*)?)+")


def _unread(prose, start, end, sentence, lead, unit, loose, vocabulary, vetoed, lead_start, result) -> None:
    """A measure's words before a number of its unit that no phrase reads: a problem, unless a
    qualifier says what the number is (a subset, a running total…)."""
    if unit is None:
        return
    measures_of_unit = vocabulary.units[unit][0]
    for measure in sorted({m for m, _ in loose}):
        span = next(sp for m, sp in loose if m == measure)
        if measure not in measures_of_unit or vetoed(measure, lead_start + span[0], lead_start + span[1]):
            continue
        reason = _qualified(measure, sentence, lead, vocabulary, None, "")
        if reason:
            result.notes.append(f"{measure}: {lead!r} set aside: {reason[1]}")
            continue
        gap = lead[span[1]:]
        if gap.count("(") > gap.count(")"):
            # the number stands in a note in brackets after the measure's words: a 统计表 label's
            # counting rule ("主动公开政府信息数(不同渠道和方式公开相同信息计1条)"), not its figure
            result.notes.append(f"{measure}: {lead!r} set aside: a number inside a note in brackets")
            continue
        if _TABLE_ROW_GAP.fullmatch(gap):
            # cells apart ("收到申请数 | 件 | 17 件"): a 统计表 row as text, the table reader's to read
            result.notes.append(f"{measure}: {lead!r} set aside: a row of a table, read by the 统计表 reader")
            result.table_rows.setdefault(measure, prose.source(start, end))
            continue
        result.problems.append(f"{measure} left out: words between the measure and its number are not known in {prose.source(start, end)!r}")


def _matches(vocabulary: Vocabulary, kind: str, scope: str, measure: str, text: str) -> Iterator[tuple[Qualifier, re.Match]]:
    """The qualifiers of this kind and scope for the measure that match in text, with the match."""
    for q in vocabulary.qualifiers_of.get((kind, scope), ()):
        if measure in q.measures and (m := q.regex.search(text)) is not None:
            yield q, m


def _has(vocabulary: Vocabulary, kind: str, scope: str, measure: str, text: str) -> Qualifier | None:
    return next((q for q, _m in _matches(vocabulary, kind, scope, measure, text)), None)


def _named_years(m: re.Match) -> set[int]:
    """The years N of the groups year_N that matched."""
    return {int(name[5:]) for name, v in m.groupdict().items() if name.startswith("year_") and v is not None}


def _clause_before(sentence: str, breaks: list[int], clause_start: int, token_ends: list[int]) -> str:
    """The clause before the one starting at clause_start, when it holds no number ("其中,")."""
    if clause_start == 0:
        return ""
    before = max([b + 1 for b in breaks if b < clause_start - 1], default=0)
    if any(before < e <= clause_start for e in token_ends[:-1]):
        return ""
    return sentence[before : clause_start - 1]


def _qualified(
    measure: str,
    sentence: str,
    lead: str,
    vocabulary: Vocabulary,
    year_words: str | None = None,
    clause_before: str = "",
    after_running_total: bool = False,
    before: str | None = None,
    year: int | None = None,
    dated_lead: str | None = None,
) -> tuple[str, str] | None:
    """(kind, why) the number a lead ends with is not the year's figure of measure, or None when it is.

    year_words is where words naming the report's year cancel a weak running-total word (累计):
    the lead, or for a sentence's first figure everything before it. clause_before is the clause
    before the lead's when it holds no number: "其中," there makes a subset too. The part of a
    running total that names the year ("累计…5928条,其中,本年度新增…2110条") is the year's figure.
    before is the sentence up to the number, where a sentence-scope pattern is looked for (the
    whole sentence when not given): "…,截至2012年12月30日,…共主动公开政府信息615条,今年新增94条".
    year is the report's: a lead naming other years and not it gives another year's figure;
    dated_lead is the lead with the year printed just before it (the lead when none)."""
    annual = _has(vocabulary, "annual", "lead", measure, lead)
    since = _since(vocabulary, measure, sentence if before is None else before, year)
    # a span from a start in the report's own year ("自2008年5月1日《条例》施行以来" of a 2008
    # report) is that year: no running total, whatever its words
    first_year = since is not None and since[1]
    for kind, scope, text in (
        ("cumulative", "lead", "" if first_year else lead), ("share", "lead_end", lead), ("change", "lead_end", lead),
        ("change", "lead", lead), ("average", "lead", lead), ("subset", "lead", lead),
        ("subset", "clause_before", clause_before),
    ):  # fmt: skip
        if kind == "subset" and after_running_total and annual:
            continue
        q = _has(vocabulary, kind, scope, measure, text)
        if q:
            return kind, q.note
    q = _other_year(vocabulary, measure, lead if dated_lead is None else dated_lead, year)
    if q:
        return q.kind, q.note
    # a year that opens the sentence scopes its clauses ("2010年,本局受理申请120件" of a 2011
    # report): years printed before the number, none the report's, make it another year's
    q = _other_year(vocabulary, measure, sentence if before is None else before, year, printed_only=True)
    if q:
        return q.kind, q.note
    # months, a half or a quarter before the number ("1月至11月,…受理申请20件"): a part of the
    # year, unless the number's own clause names the whole year
    q = _part_of_year(vocabulary, measure, sentence if before is None else before, year)
    if q and not _has(vocabulary, "annual", "lead", measure, lead):
        return q.kind, q.note
    if first_year:
        return None
    if not _has(vocabulary, "annual", "lead", measure, lead if year_words is None else year_words):
        if since is not None:
            return since[0].kind, since[0].note
        q = _has(vocabulary, "cumulative_unless_annual", "lead", measure, lead) or _has(
            vocabulary, "cumulative_unless_annual", "sentence", measure, sentence if before is None else before
        )
        if q:
            return q.kind, q.note
    return None


def _since(vocabulary: Vocabulary, measure: str, before: str, year: int | None) -> tuple[Qualifier, bool] | None:
    """(the cumulative_since qualifier, whether its start is in the report's year) for a span
    from a start to now in the sentence before the number. The start's year is the pattern's
    group "year", or N for a group named year_N that matched (the 条例 took effect in 2008, so
    "《条例》施行以来" starts then); a start in another year, or with the report's year
    unknown, is a running total."""
    for q, m in _matches(vocabulary, "cumulative_since", "sentence", measure, before):
        starts = {int(m["year"])} if m.groupdict().get("year") else _named_years(m)
        return q, year is not None and year in starts
    return None


def _part_of_year(vocabulary: Vocabulary, measure: str, before: str, year: int | None) -> Qualifier | None:
    """The part_of_year qualifier that makes a number a part of the year, or of a time before
    it. A group year_N that matches names the year N in which the span is the report's whole
    period (5月至12月 in 2008, the 条例 taking effect on 1 May)."""
    for q, m in _matches(vocabulary, "part_of_year", "sentence", measure, before):
        if year is None or year not in _named_years(m):
            return q
    return None


def _other_year(vocabulary: Vocabulary, measure: str, lead: str, year: int | None,
                printed_only: bool = False) -> Qualifier | None:
    """The other_year qualifier that makes the lead's number another year's figure: words of
    the year before (上年度), or years printed (group "year") none of which is the report's own;
    printed_only: the printed years alone. Without the report's year, a printed year tells nothing."""
    for q in vocabulary.qualifiers_of.get(("other_year", "lead"), ()):
        if measure not in q.measures:
            continue
        if "year" not in q.regex.groupindex:
            if printed_only:
                continue
            if q.regex.search(lead):
                return q
            continue
        printed = {int(m["year"]) for m in q.regex.finditer(lead)}
        if year is not None and printed and year not in printed:
            return q
    return None


def is_truncated(prose: Prose) -> bool:
    """True when the text stops before the report's closing section (cut-off copies and excerpts).

    The contents paragraph names the closing section too ("…存在的不足及改进措施"), so only a
    heading line counts: one that starts like a section (五、 / (二)) and names it."""
    return not any(_CLOSING_HEADING.search(line) for _, line in headings(prose))


def looks_pre2019(text: str) -> bool:
    """True for a report of the 2008 条例 era: its boiler-plate, and none of the 2019/2021 tables."""
    prose = normalise(text)
    patterns = load_patterns()
    post2019 = [p.regex for p in patterns if p.kind == "post2019_marker"]
    # the lines as printed first: a 2019+ report's table labels stand whole in them, and the
    # wrapped lines (joined only where a reader needs them) need not be joined to tell
    if prose.unjoined is not None and any(r.search(prose.unjoined.text) for r in post2019):
        return False
    folded = prose.text
    if any(r.search(folded) for r in post2019):
        return False
    year = find_year(text)
    if year is not None and year > 2018:
        # the 2008 boiler-plate outlived the 条例 in some 2019+ reports written as prose
        return False
    if any(p.regex.search(folded) for p in patterns if p.kind == "pre2019_marker"):
        return True
    return year is not None
