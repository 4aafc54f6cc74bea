"""Bring report prose to one comparable form, remembering where each character came from.

Report text arrives full-width or half-width, simplified or traditional (the big5 mirrors of
beijing.gov.cn), with PDF hard line breaks inside phrases ("配备了1名兼职\\n工作人员"), spaces
around numbers ("申请 21 件") and page numbers between two halves of a sentence ("- 1 -").
Patterns are written for one form only: NFKC, simplified, no quotes, no spaces next to Chinese
characters, wrapped lines joined. `Prose.offsets` maps every normalised character back to the
original text, so that a value's `raw` is the sentence as the report printed it.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from array import array
from collections.abc import Iterator
from itertools import accumulate, chain, compress
from functools import lru_cache

from scrapers.extract.page_numbers import PAGE_NUMBER
from scrapers.seeds import read_seed
from scrapers.parse.numerals import arabic_years

_CJK = r"\u3400-\u9fff\uf900-\ufaff"
# Quotation marks carry no meaning for the patterns ("“同意公开”的1件") and vary by source.
_QUOTES = "“”‘’\"「」『』"
# A line that is only a page number, as PDF text layers print them between two pages.
_PAGE_NUMBER_LINE = re.compile(rf"^[ \t]*{PAGE_NUMBER}[ \t]*(?:\n|$)", re.M)
# What a new paragraph or heading starts with: 一、 (一) 1. 1、 第一
_HEADING = r"(?:[一二三四五六七八九十]+[、.]|\([一二三四五六七八九十\d]+\)|\d{1,2}[.、](?!\d)|第[一二三四五六七八九十\d]+[章节部分条])"
HEADING_START = re.compile("^" + _HEADING)
# A section heading is a numbered line this short; a longer numbered line is a paragraph.
MAX_HEADING = 40
# A line (spaces around it) that starts like a heading; no heading starts with a space, so the
# leading spaces are the line's own, as str.strip takes them.
_HEADING_LINE = re.compile(rf"^[^\S\n]*{_HEADING}[^\n]*", re.M)
_SENTENCE_END = "。！？!?;；"
_BARE_NUMBER = re.compile(r"^\d[\d.,]*%?$")
# A wrapped line is one that the page width cut, so it is long; a short line without a full
# stop is a heading or a title and stays on its own.
MIN_WRAPPED_LINE = 16


class Prose:
    """A text in the comparable form (`text`) and the text as printed (`original`); `origin(i)`
    is the index in original of text[i].

    Worked out when first asked for: the joined text (the year and the office of most reports
    read their title lines, unjoined, and the last lines, which last_lines joins alone) and the
    way back to the printed text (most reports never ask where a character was printed, and a
    pre-2019 report asks for a few dozen: each is found by bisection in the spans each step
    deleted, not looked up in an array of every character's offset). `unjoined` is the form
    with every line kept, which a joined Prose is made from (None for that form itself).
    Compared and hashed by identity (the readers' caches are keyed on one document's Prose)."""

    __slots__ = ("_text", "original", "unjoined", "_folded", "_breaks", "_steps")

    def __init__(self, text: str | None, original: str, unjoined: Prose | None = None, folded: str | None = None):
        self._text = text
        self.original = original
        self.unjoined = unjoined
        self._folded = folded  # what the unjoined form was cut from: its steps are found in it
        self._breaks: list[int] = []  # the joined form: where the line breaks it took out stood
        self._steps: list[_Deleted] | None = None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text, self._breaks = _join_wrapped_lines(self.unjoined.text)
        return self._text

    def origin(self, i: int) -> int:
        """The index in original of text[i]."""
        steps = self._steps
        if steps is None:
            if self.unjoined is None:
                steps = _deletion_steps(self._folded)
            else:
                self.text  # noqa: B018 (the breaks come with the text)
                steps = [_Deleted([(p, p + 1) for p in self._breaks])]
            self._steps = steps
        for step in reversed(steps):  # the last deletion first, back to the first
            i = step.before(i)
        # the fold keeps every character where it was: folded indices are original ones
        return i if self.unjoined is None else self.unjoined.origin(i)

    @property
    def offsets(self) -> array:
        """origin of every character, as an int array."""
        return array("l", map(self.origin, range(len(self.text))))

    def source(self, start: int, end: int) -> str:
        """The original text behind text[start:end], as printed (line breaks included)."""
        if start >= end:
            return ""
        return self.original[self.origin(start) : self.origin(end - 1) + 1].strip()

    def line_of(self, pos: int) -> int:
        """The 1-based line of the original text where normalised position pos sits."""
        return self.original.count("\n", 0, self.origin(pos)) + 1 if self.text else 1


class _Deleted:
    """One step's deletions, as the way back from its result to its input: spans (sorted, not
    overlapping) in the input, and how many kept characters stand before each."""

    __slots__ = ("kept_before", "deleted_through")

    def __init__(self, spans: list[tuple[int, int]]):
        self.deleted_through = list(accumulate(b - a for a, b in spans))
        self.kept_before = [a - d for (a, _), d in zip(spans, [0, *self.deleted_through])]

    def before(self, i: int) -> int:
        """The input index of the result's character i: i plus what was deleted before it."""
        j = bisect.bisect_right(self.kept_before, i)
        return i + self.deleted_through[j - 1] if j else i


def may_hold(prose: Prose, char: str) -> bool:
    """Whether prose.text can hold char (one character, not a space or line break), tested
    without joining the lines: joining only takes out line breaks and puts in spaces."""
    return char in (prose._text if prose._text is not None or prose.unjoined is None else prose.unjoined.text)


def last_lines(prose: Prose, n: int) -> list[str]:
    """The last n non-empty lines of prose.text, stripped, in order. When the text is not joined
    yet, only its end is: whether a line break joins depends on the two lines beside it alone."""
    if prose._text is not None or prose.unjoined is None:
        return _last_lines(prose.text, n)
    lines = prose.unjoined.text.split("\n")
    found: list[str] = []
    pieces = [lines[-1]]  # the line being built, from its end
    for i in range(len(lines) - 2, -1, -1):
        s, next_s = lines[i].strip(), lines[i + 1].strip()
        joint = _joint(lines[i], lines[i + 1], s, next_s, _BARE_NUMBER.match(s) is not None, _BARE_NUMBER.match(next_s) is not None)
        if joint is None:
            line = "".join(reversed(pieces)).strip()
            if line:
                found.append(line)
                if len(found) == n:
                    return found[::-1]
            pieces = [lines[i]]
        else:
            pieces += (joint, lines[i])
    line = "".join(reversed(pieces)).strip()
    if line:
        found.append(line)
    return found[::-1]


def _last_lines(text: str, n: int) -> list[str]:
    """The last n non-empty lines of text, stripped, in order: read from the end, not split whole."""
    lines: list[str] = []
    end = len(text)
    while end >= 0 and len(lines) < n:
        start = text.rfind("\n", 0, end) + 1
        line = text[start:end].strip()
        if line:
            lines.append(line)
        end = start - 1
    return lines[::-1]


@lru_cache(maxsize=1)
def _traditional() -> tuple[dict[str, str], tuple[tuple[str, str], ...]]:
    chars: dict[str, str] = {}
    phrases: list[tuple[str, str]] = []
    for row in read_seed("traditional_simplified"):
        trad, simp = row["traditional"], row["simplified"]
        if len(trad) != len(simp):
            raise ValueError(f"traditional_simplified: {trad!r} and {simp!r} differ in length")
        if len(trad) == 1:
            chars[trad] = simp
        else:
            phrases.append((trad, simp))
    return chars, tuple(phrases)


class _FoldTable(dict):
    """NFKC then simplified, one character to one character (longer NFKC forms like … stay), as
    a str.translate table that learns each character the first time a text holds it: the fold
    of a document is then one pass in C, not a Python call per distinct character."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        folded = unicodedata.normalize("NFKC", ch)
        if len(folded) != 1:
            folded = ch
        folded = _traditional()[0].get(folded, folded)
        # bounded: a hostile text of a million distinct characters must not grow it for ever
        if len(self) < 1 << 17:
            self[code] = folded
        return folded


_FOLD = _FoldTable()

# Characters NFKC leaves as they are: ASCII and the CJK Unified Ideographs (and Extension A),
# which have no decomposition, and of the blocks of punctuation reports print (、。《》“”—)
# those that unicodedata says. Most of a report's characters are these, and of them only the
# traditional forms fold (test_prose checks the fold of every BMP character against unicodedata).
_NFKC_STABLE = ((0x00, 0x7F), (0x3400, 0x4DBF), (0x4E00, 0x9FFF))
_PUNCTUATION = ((0x2000, 0x206F), (0x3000, 0x303F))


@lru_cache(maxsize=1)
def _may_fold() -> re.Pattern:
    """One character class: every character the fold can change (the complement of the
    characters it cannot, minus the traditional ones)."""
    ranges = list(_NFKC_STABLE)
    ranges += [(code, code) for a, b in _PUNCTUATION for code in range(a, b + 1) if unicodedata.normalize("NFKC", chr(code)) == chr(code)]
    holes = sorted(ord(c) for c in _traditional()[0])  # the traditional characters cut the ranges
    parts = []
    for a, b in ranges:
        for code in holes[bisect.bisect_left(holes, a) : bisect.bisect_right(holes, b)]:
            if a < code:
                parts.append(f"{re.escape(chr(a))}-{re.escape(chr(code - 1))}")
            a = code + 1
        if a <= b:
            parts.append(f"{re.escape(chr(a))}-{re.escape(chr(b))}")
    return re.compile(f"[^{''.join(parts)}]")


# Past this many kinds, one translate pass costs less than a scan of the text per kind.
_MAX_REPLACED_KINDS = 24


def fold_characters(text: str) -> str:
    """NFKC, traditional -> simplified and years in Chinese digits -> Arabic, keeping the length
    (and so every offset)."""
    # A report holds a few kinds of foldable character (full-width ，：（）, traditional forms)
    # many times: one str.replace per kind is a few scans in C, where translate looks up every
    # character in a Python dict. Translate does it in one pass where there are many kinds
    # (a scan per kind would cost more) or where one fold's result is another's input
    # (replacements one after another would chain).
    changes = {c: f for c in set(_may_fold().findall(text)) if (f := _FOLD[ord(c)]) != c}
    if len(changes) <= _MAX_REPLACED_KINDS and changes.keys().isdisjoint(changes.values()):
        folded = text
        for c, f in changes.items():
            folded = folded.replace(c, f)
    else:
        folded = text.translate(_FOLD)
    for trad, simp in _traditional()[1]:
        if trad in folded:
            folded = folded.replace(trad, simp)
    return arabic_years(folded)


# What normalise deletes from the folded text, pass by pass: page-number lines; spaces beside
# a CJK character (a run of them, whole); quotes; the \r of \r\n. No deletion of a later pass
# reaches into a line start or across a line end, and the quotes and \r go after the spaces
# (a quote between a CJK character and a space keeps the space): the passes one after another
# delete what one alternation of them all would. Each pass is one search in C: a literal
# first (the line break, the space), where a character class or a ^ would be tried at every
# position of the text. The fold has made every no-break and ideographic space a space.
_PAGE_LINES = re.compile(_PAGE_NUMBER_LINE.pattern, re.M)
# what a page-number line after a line break starts with: one quick search says whether the
# text holds any (most do not), before the ^ pattern that scans every position
_PAGE_LINE_AFTER_BREAK = re.compile(r"\n[ \t]*(?:[-—–－][-—–－]?|第|共)[ \t]*\d")
# A run is tried once, from its first space (not after another): the rest of it is the same run,
# and a grid of padded cells (runs of 20 spaces) would otherwise be read again from every space.
_SPACES_BY_CJK = re.compile(rf" (?<!  )(?:(?<=[{_CJK}] ) *+| *+(?=[{_CJK}]))")
_QUOTES_AND_CR = re.compile(f"[{re.escape(_QUOTES)}\\r]")


def _has_page_lines(text: str) -> bool:
    return _PAGE_LINE_AFTER_BREAK.search(text) is not None or _PAGE_LINES.match(text) is not None


def _delete_from(text: str) -> str:
    """The folded text (every \r before a \n) without what normalise deletes."""
    if _has_page_lines(text):
        text = _PAGE_LINES.sub("", text)
    if " " in text:
        text = _SPACES_BY_CJK.sub("", text)
    # one str.replace per kind present: a scan in C each, where a class is tested char by char
    for quote in _QUOTES:
        if quote in text:
            text = text.replace(quote, "")
    return text.replace("\r", "") if "\r" in text else text


def _deletion_steps(folded: str) -> list[_Deleted]:
    """What each pass of _delete_from deleted from folded, in order: the same passes, by their spans."""
    text = folded
    steps = []
    passes = ((_PAGE_LINES, _has_page_lines(text)), (_SPACES_BY_CJK, " " in text), (_QUOTES_AND_CR, True))
    for pattern, needed in passes:
        if not needed:
            continue
        spans = [m.span() for m in pattern.finditer(text)]
        if spans:
            steps.append(_Deleted(spans))
            text = pattern.sub("", text)
    return steps


def normalise(text: str, join_lines: bool = True) -> Prose:
    """The comparable form of text; join_lines=False keeps every line (for titles).

    Cached: the year, the office, the era and the narrative of one report read the same text,
    and the joined form is made from the unjoined one."""
    # one cache key however the caller spells the flag (lru_cache keys keywords apart)
    return _normalised(text, join_lines)


@lru_cache(maxsize=8)
def _normalised(text: str, join_lines: bool) -> Prose:
    if join_lines:
        lines = _normalised(text, False)
        if "\n" not in lines.text:  # one line (a cell, a label, a title): nothing to join
            return Prose(lines.text, text, unjoined=lines)
        return Prose(None, text, unjoined=lines)  # joined when its text is first read
    folded = fold_characters(text)
    if "\r" in folded:
        folded = re.sub(r"\r(?!\n)", "\n", folded)
    return Prose(_delete_from(folded), text, folded=folded)


def _join_wrapped_lines(text: str) -> tuple[str, list[int]]:
    """The text with its wrapped lines joined, and where the line breaks it took out stood.

    A break can join only after a long line or beside a number alone on its line: those are
    found by C-level passes over all lines, and only they are tested one by one."""
    lines = text.split("\n")
    n = len(lines)
    stripped = list(map(str.strip, lines))
    bare = set(compress(range(n), map(_BARE_NUMBER.match, stripped)))
    long = compress(range(n - 1), map(MIN_WRAPPED_LINE.__le__, map(len, stripped)))
    candidates = sorted({*long, *(i for i in bare if i < n - 1), *(i - 1 for i in bare if i)})
    if not candidates:
        return text, []
    # the break after line i stands at ends[i] + i
    ends = list(accumulate(map(len, lines)))
    separators = ["\n"] * (n - 1)
    breaks: list[int] = []
    for i in candidates:
        joint = _joint(lines[i], lines[i + 1], stripped[i], stripped[i + 1], i in bare, i + 1 in bare)
        if joint is not None:
            separators[i] = joint
            if not joint:
                breaks.append(ends[i] + i)
    if not breaks and " " not in separators:
        return text, []
    separators.append("")
    return "".join(chain.from_iterable(zip(lines, separators))), breaks


def _joint(line: str, nxt: str, s: str, next_s: str, bare: bool, next_bare: bool) -> str | None:
    """What the line break between line and nxt (s and next_s stripped; bare: a number alone on
    its line) becomes: "" where the lines join, " " where they join with a space, None where it
    stays."""
    # a number alone on its line ("…主动公开政府信息\n2110\n条"): page text that put each
    # figure of a sentence in a cell of its own; never a heading, so it joins both neighbours
    if (
        (bare or next_bare)
        and s
        and s[-1] not in _SENTENCE_END
        and next_s
        and "\t" not in line
        and "\t" not in nxt
        and "|" not in line
        and "|" not in nxt
        and not HEADING_START.match(next_s)
    ):
        return ""
    if (
        len(s) >= MIN_WRAPPED_LINE
        and s[-1] not in _SENTENCE_END
        and next_s
        and nxt[:1] not in " \t"
        and "\t" not in line
        and "|" not in line
        and "\t" not in nxt
        and not HEADING_START.match(nxt)
        and not _is_heading(s)
    ):
        before, after = s[-1], nxt[0]
        if before.isascii() and before.isalnum() and after.isascii() and after.isalnum():
            return " "  # two numbers or words must not fuse into one
        return ""
    return None


_CLAUSE_MARK = re.compile(r"[,，。;；:：]")


def _is_heading(line: str) -> bool:
    """A numbered heading of one line ("四、因政府信息公开申请行政复议、提起行政诉讼的情况"):
    it never wraps into the sentence below it, long as it may be."""
    return bool(HEADING_START.match(line)) and len(line) <= MAX_HEADING and not _CLAUSE_MARK.search(line)


@lru_cache(maxsize=8)
def headings(prose: Prose) -> tuple[tuple[int, str], ...]:
    """The lines of prose.text that are numbered headings (HEADING_START, at most MAX_HEADING
    characters stripped): where each line starts, and the line stripped. Found by one search,
    for the readers that look for a section by its heading (a Prose is hashed by identity)."""
    return tuple((m.start(), line) for m in _HEADING_LINE.finditer(prose.text) if len(line := m.group().strip()) <= MAX_HEADING)


_SENTENCE = re.compile(r"[^\n。！？!?;；]+[。！？!?;；]?")


def sentences(prose: Prose) -> list[tuple[int, int]]:
    """Spans (start, end) of the sentences of prose.text: cut at full stops, semicolons and lines."""
    return list(iter_sentences(prose))


def iter_sentences(prose: Prose) -> Iterator[tuple[int, int]]:
    """The spans of sentences(), one at a time: for a reader of the first few."""
    return (m.span() for m in _SENTENCE.finditer(prose.text) if m.group(0).strip())
