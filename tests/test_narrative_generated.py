"""Generated pre-2019 statements: sentences composed from the seed vocabularies, with decoys.

Each case picks a few measures, writes one sentence per measure from its words in
seeds/narrative_measure_words.csv (a verb, some modifiers, an object), filler from
seeds/narrative_qualifiers.csv, a number in one of the ways reports print numbers, a unit the
measure takes in seeds/narrative_units.csv and half- or full-width punctuation (or, for the
measures reports often state as none, a zero statement: "未收到…申请"); then adds decoys
that state another number for the same measure: a running total, a share, a change on the year
before, a subset. The parse must return exactly the year's figures, and say ok.
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scrapers.parse.narrative import MEASURES as ALL_MEASURES
from scrapers.parse.narrative import load_vocabulary, parse_narrative
from scrapers.seeds import read_seed

VOCABULARY = load_vocabulary()
WORDS = read_seed("narrative_measure_words")
# measures a running total or a subset can be given for (staff are counted at a date)
FLOWS = {m for q in VOCABULARY.qualifiers if q.kind == "cumulative" for m in q.measures}
SUBSETS = {m for q in VOCABULARY.qualifiers if q.kind == "subset" for m in q.measures}
# the filler words every measure takes that are plain words (not the bracket pattern); an
# outcome's own ("答复") is no filler of the other measures
FILLER = [w for q in VOCABULARY.qualifiers if q.kind == "filler" and set(q.measures) == set(ALL_MEASURES)
          for w in q.regex.pattern.split("|") if re.fullmatch(r"[\u4e00-\u9fff]+", w)]
# words that change what a number is; a generated filler must not be one of them
FILLER = [w for w in FILLER if w not in ("约", "近", "逾", "超过", "将近", "多达")]
UNITS_OF = {m: sorted(u for u, (ms, factor) in VOCABULARY.units.items() if m in ms and factor == 1) for m in {r["measure"] for r in WORDS}}
MEASURES = sorted(m for m in UNITS_OF if UNITS_OF[m])
SUBJECTS = ["", "我局", "本单位", "全区", "我街道", "区信访办", "本机关"]
CHINESE_DIGITS = "零一二三四五六七八九"


def words(cell: str) -> list[str]:
    return [w for w in cell.split("|")]


def chinese(n: int) -> str:
    """A number under 100 as reports write it in characters: 零, 七, 十二, 三十, 四十五."""
    if n < 10:
        return CHINESE_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CHINESE_DIGITS[tens]) + "十" + (CHINESE_DIGITS[ones] if ones else "")


@st.composite
def printed_number(draw, value: int) -> str:
    """value as one of the ways a report prints it."""
    forms = [str(value), f" {value} "]
    if value >= 1000:
        forms += [f"{value:,}", f"{value:,}".replace(",", "，")]
    forms.append(str(value).translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"}))  # full-width digits
    if value < 100:
        forms.append(chinese(value))
    return draw(st.sampled_from(forms))


@st.composite
def phrase(draw, measure: str, position: str = "before") -> str:
    rows = [r for r in WORDS if r["measure"] == measure and r["position"] == position]
    row = draw(st.sampled_from(rows))
    verb = draw(st.sampled_from(words(row["verbs"]))) if row["verbs"] else ""
    modifiers = [w for w in words(row["modifiers"]) if w] if verb else []
    chosen = draw(st.lists(st.sampled_from(modifiers), max_size=2)) if modifiers else []
    obj = draw(st.sampled_from(words(row["objects"]))) if row["objects"] else ""
    return verb + "".join(chosen) + obj


@st.composite
def statement(draw, measure: str, value: int, year: int) -> str:
    """One clause stating value for measure, as a report of year would."""
    unit = draw(st.sampled_from(UNITS_OF[measure]))
    number = draw(printed_number(value))
    has_after = any(r["measure"] == measure and r["position"] == "after" for r in WORDS)
    subject = draw(st.sampled_from(SUBJECTS))
    when = draw(st.sampled_from(["", f"{year}年", f"{year}年度", "本年度", "全年"]))
    if has_after and draw(st.booleans()):
        # "配备了1名兼职工作人员": the words follow the unit
        return f"{subject}{when}配备了{number}{unit}{draw(phrase(measure, 'after'))}"
    filler = "".join(draw(st.lists(st.sampled_from(FILLER), max_size=2)))
    note = draw(st.sampled_from(["", "(不包含链接信息)", "(含网站)"]))
    around = [r for r in WORDS if r["measure"] == measure and r["position"] == "before" and r["verbs"] and r["objects"] and "" not in words(r["objects"])]
    if around and draw(st.booleans()):
        # "收到12起政府信息依申请公开": the verb before the number, the object after its unit
        row = draw(st.sampled_from(around))
        modifiers = [w for w in words(row["modifiers"]) if w]
        middle = "".join(draw(st.lists(st.sampled_from(modifiers), max_size=1))) if modifiers else ""
        return f"{subject}{when}{draw(st.sampled_from(words(row['verbs'])))}{number}{unit}{middle}{draw(st.sampled_from(words(row['objects'])))}"
    return f"{subject}{when}{draw(phrase(measure))}{filler}{number}{unit}{note}"


NEGATIONS = ["未", "没有", "暂无", "暂未", "尚未", "均未"]


@st.composite
def zero_statement(draw, measure: str) -> str:
    """A sentence that states measure is zero in words ("本年度未收到政府信息公开申请")."""
    neg = draw(st.sampled_from(NEGATIONS))
    when = draw(st.sampled_from(["", "本年度", "2012年,我局", "全年"]))
    if measure == "requests_received":
        row = next(r for r in WORDS if r["measure"] == measure and r["position"] == "before")
        verb = draw(st.sampled_from([w for w in words(row["verbs"]) if not w.startswith("共")]))  # 未共收, 未共有: no one writes them
        middle = draw(st.sampled_from(["", "政府信息公开", "群众的政府信息公开", "任何"]))
        return f"{when}{neg}{verb}{middle}申请"
    if measure in ("reviews", "lawsuits"):
        word = "行政复议" if measure == "reviews" else "行政诉讼"
        verb = draw(st.sampled_from(["发生", "收到", "出现", "产生"]))
        cause = draw(st.sampled_from(["", "因政府信息公开申请", "针对本机关政府信息公开的"]))
        return f"{when}{neg}{verb}{cause}{'提起' if measure == 'lawsuits' else ''}{word}的情况"
    return f"{when}{neg}收取{draw(st.sampled_from(['', '任何']))}{draw(st.sampled_from(['检索、复印、邮递等', '政府信息公开', '']))}费用"


ZERO_MEASURES = ["requests_received", "reviews", "lawsuits", "fees_yuan"]


@st.composite
def decoy(draw, measure: str, value: int, year: int) -> tuple[str, str]:
    """(kind, a sentence giving another number for measure that is not the year's figure)."""
    unit = draw(st.sampled_from(UNITS_OF[measure]))
    other = value + draw(st.integers(1, 500))
    kinds = ["share", "change"]
    if measure in FLOWS:
        kinds += ["since", "as_of", "running"]
    if measure in SUBSETS:
        kinds += ["subset", "subset_clause"]
    kind = draw(st.sampled_from(kinds))
    words_ = draw(phrase(measure))
    sentence = {
        "share": f"{words_}占总数的{draw(st.integers(1, 99))}.{draw(st.integers(0, 9))}%",
        "change": draw(st.sampled_from(["比上年增加", "同比减少", "较去年增长了", "与上年相比多"])) + f"{other - value}{unit}",
        "since": f"自2008年以来历年累计{words_}{other}{unit}",
        "as_of": f"截至{year}年12月31日,{words_}{other}{unit}",
        "running": draw(st.sampled_from(["目前总计", "历年累计", "至今已累计", "截至目前,累计"])) + f"{words_}{other}{unit}",
        "subset": f"其中重点领域{words_}{max(value - 1, 0)}{unit}",
        "subset_clause": f"其中,网上{words_}{max(value - 1, 0)}{unit}",
    }[kind]
    return kind, sentence


@st.composite
def report(draw) -> tuple[str, dict[str, int]]:
    year = draw(st.integers(2008, 2018))
    chosen = draw(st.lists(st.sampled_from(MEASURES), min_size=1, max_size=4, unique=True))
    comma, stop = draw(st.sampled_from([(",", "。"), ("，", "。"), (",", ";"), ("，", "；")]))
    sentences, expected = [], {}
    for measure in chosen:
        if measure in ZERO_MEASURES and draw(st.integers(0, 3)) == 0:
            expected[measure] = 0
            sentences.append(draw(zero_statement(measure)) + stop)
            continue
        value = draw(st.integers(0, 30000) if measure not in ("staff_fulltime", "staff_parttime") else st.integers(0, 60))
        expected[measure] = value
        s = draw(statement(measure, value, year))
        if draw(st.booleans()):
            kind, d = draw(decoy(measure, value, year))
            # a change or a share follows the figure in its sentence; a running total or a subset
            # is a sentence (or clause) of its own
            s = s + comma + d if kind in ("share", "change", "subset_clause") else s + stop + d
        sentences.append(s + stop)
    return "\n".join(sentences), expected


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(report())
def test_generated_statements_read_exactly_the_years_figures(case):
    text, expected = case
    result = parse_narrative(text)
    assert {c.measure: c.value for c in result.cells} == expected, (text, result.problems, result.notes)
    assert result.problems == [], text


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(MEASURES), st.integers(0, 30000), st.integers(2008, 2018), st.data())
def test_a_decoy_alone_is_never_read_as_the_measure(measure, value, year, data):
    kind, sentence = data.draw(decoy(measure, value, year))
    if kind in ("share", "change"):
        return  # these only make sense after a figure, tested above
    got = {c.measure: c.value for c in parse_narrative(sentence + "。").cells}
    assert measure not in got, sentence


REPORT_ALPHABET = st.sampled_from(list("主动公开政府信息条件申请收到受理答复行政复议诉讼未没有累计截至其中占%,，。;\n 0123456789零一两十百年度本局名人次元万余"))


@settings(max_examples=200, deadline=None)
@given(st.text(REPORT_ALPHABET, max_size=120))
def test_any_text_of_report_words_parses_without_error_and_raws_are_printed(text):
    result = parse_narrative(text)
    for cell in result.cells:
        assert cell.raw and cell.raw in text
    assert len({c.measure for c in result.cells}) == len(result.cells)
