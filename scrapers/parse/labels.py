"""Match printed labels to canonical codes, using the variants in seeds/label_variants.csv.

Labels are compared after normalisation (NFKC folds full-width forms, traditional characters
fold to simplified as mirror sites print whole reports in them, whitespace and quotes are
dropped), by containment of a known variant, never by position. When several
codes match, the longest variant wins; a tie between different codes is ambiguous.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from scrapers.parse.prose import fold_characters
from scrapers.seeds import read_seed

# what normalisation drops (a regex class's contents): spacing, quotes, and the bullets
# reprints (WeChat posts) set before a label ("▲（一）予以公开")
DROP_CHARS = r"\s\"'“”‘’「」『』〝〞＂▲△▶►◆◇●○■□★☆•"
_DROP = re.compile(f"[{DROP_CHARS}]+")
# the pinyin that mirror sites of portals print after characters ("內(nèi)容", "件數(shù)"): a syllable
# with a tone mark in brackets, which no label holds
_TONES = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
PINYIN = re.compile(rf"\((?=[a-zü]*[{_TONES}])[a-zü{_TONES}]{{1,7}}\)")


@lru_cache(maxsize=1 << 16)
def normalise(text: str) -> str:
    # cached: a document's labels are matched piece by piece and joined, so each text comes back
    # NFKC first: the fold keeps a character whose NFKC form is longer ("㈠" is "(一)")
    folded = fold_characters(unicodedata.normalize("NFKC", text))
    if "(" in folded:
        folded = PINYIN.sub("", folded)
    return _DROP.sub("", folded)


@dataclass(frozen=True, slots=True)
class Variant:
    code: str
    text: str
    exact: bool
    context: str


@lru_cache(maxsize=None)
def variants(dimension: str) -> tuple[Variant, ...]:
    found = [
        Variant(r["code"], normalise(r["variant"]), r["match"] == "exact", r["context"] or "")
        for r in read_seed("label_variants")
        if r["dimension"] == dimension
    ]
    if not found:
        raise KeyError(f"no label variants for dimension {dimension!r} in seeds/label_variants.csv")
    # longest first, so that the most specific variant is tried first
    return tuple(sorted(found, key=lambda v: -len(v.text)))


def unconditional_texts(dimension: str) -> tuple[str, ...]:
    """The normalised texts of the variants that match without a context: a label can name a
    code only by holding one of them, until an earlier label gave it a context."""
    return tuple(v.text for v in variants(dimension) if not v.context)


_ENUMERATOR = re.compile(r"^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|\d+[.、])+")


def _strip_enumerator(label: str) -> str:
    return _ENUMERATOR.sub("", label)


# a site's label that joins its group's name to its own with a dash ("其他处理-逾期未缴费",
# "其他处理-其他"): the part after the last dash is the row's own label, and names the row
# before the group's name does (which is longer, and would win by length)
_JOINER = re.compile(r"[-—–]")


def _own_part(bare: str) -> str | None:
    if "-" not in bare and "—" not in bare and "–" not in bare:
        return None  # most labels: spared the split
    parts = _JOINER.split(bare)
    return parts[-1] if len(parts) > 1 and parts[0] and parts[-1] else None


def opens_with_enumerator(text: str) -> bool:
    """The label starts with its list number ("3.其他", "（六）其他处理", "四、结转…"): a row's
    own label, never the rest of a label wrapped from the line before."""
    return _ENUMERATOR.match(normalise(text)) is not None


def match(dimension: str, text: str, context: set[str] | frozenset[str] = frozenset()) -> tuple[str | None, bool]:
    """The code a label names, and whether the label was ambiguous.

    `context` names the conditions that hold where the label was printed (e.g. "other"
    inside the (六) block); variants that need a context only match there.
    """
    return _match(dimension, text, frozenset(context))


@lru_cache(maxsize=1 << 16)
def _match(dimension: str, text: str, context: frozenset[str]) -> tuple[str | None, bool]:
    best, ambiguous = _best(dimension, normalise(text), context)
    return (best.code if best else None), ambiguous


def match_run(dimension: str, pieces, context: frozenset[str] = frozenset(),
              *, continued: bool = False) -> tuple[str | None, bool]:
    return _match_run(dimension, tuple(pieces), frozenset(context), continued)


@lru_cache(maxsize=1 << 14)
def _match_run(dimension: str, pieces: tuple[str, ...], context: frozenset[str],
               continued: bool) -> tuple[str | None, bool]:
    """The code the end of a run of label pieces names (a label broken over lines or cells,
    group labels before it). The last piece alone wins; pieces before it join only where the
    join's variant reaches into the last piece (it was broken inside the variant), or, with
    `continued`, where the earlier piece alone already names the same code (it was broken
    after its variant: "（二）部分公开（区分处理的，" + "不计其他情形）")."""
    if not pieces:
        return None, False
    code, ambiguous = match(dimension, pieces[-1], context)
    if code or ambiguous:
        return code, ambiguous
    last = normalise(pieces[-1])
    for n in range(2, min(4, len(pieces)) + 1):
        joined = normalise("".join(pieces[-n:]))
        best, ambiguous = _best(dimension, joined, context)
        if best is None:
            if ambiguous:
                return None, True
            continue
        reaches = best.exact or joined.rfind(best.text) + len(best.text) > len(joined) - len(last)
        # a last piece that opens with its list number is a row of its own, not the earlier one's tail
        carried = continued and not opens_with_enumerator(pieces[-1])
        if reaches or (carried and match(dimension, "".join(pieces[-n:-1]), context)[0] == best.code):
            return best.code, False
        return None, False
    return None, False


def _best(dimension: str, label: str, context) -> tuple[Variant | None, bool]:
    if not label:
        return None, False
    bare = _strip_enumerator(label)
    own = _own_part(bare)
    if own is not None:
        best, ambiguous = _best(dimension, own, context)
        if best is not None or ambiguous:
            return best, ambiguous
    best = None
    for v in variants(dimension):
        if v.context and v.context not in context:
            continue
        hit = (label == v.text or bare == v.text) if v.exact else v.text in label
        if not hit:
            continue
        if best is None:
            best = v
        elif len(v.text) < len(best.text):
            break
        elif v.code != best.code:
            return None, True
    return best, False


def find_all(dimension: str, text: str) -> list[tuple[int, str, str]]:
    """Every non-overlapping variant in a run of text, in printed order: (position, code, variant)."""
    label = normalise(text)
    taken = [False] * len(label)
    hits = []
    for v in variants(dimension):
        if v.exact or v.context:
            continue
        start = label.find(v.text)
        while start >= 0:
            end = start + len(v.text)
            if not any(taken[start:end]):
                taken[start:end] = [True] * (end - start)
                hits.append((start, v.code, v.text))
            start = label.find(v.text, end)
    return sorted(hits)
