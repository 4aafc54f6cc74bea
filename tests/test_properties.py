"""Generated tables 三 and 四 whose values satisfy the template's identities, written out by every
renderings writer: the parse returns exactly the generated values.

The generator varies what real reports vary: zeros printed as 0, blank, "—", "无", "-" or "/",
large numbers with thousands separators, the label variants of seeds/label_variants.csv,
labels broken over lines, group labels merged into their first sub-row or printed on a row of
their own, and the 2019 or the 2021 layout of （六）.
"""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from renderings import WRITERS
from scrapers.parse.appeals_table import CELLS
from scrapers.parse.report import parse_document
from scrapers.parse.requests_table import APPLICANTS, COLUMNS, OUTCOME_CODES, ROLE, template_rows
from scrapers.seeds import read_seed

# no shrinking: a failure prints its generated tables, and a passing run stays fast
SETTINGS = settings(max_examples=25, phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

LABEL = {r["code"]: r["label_zh"] for r in read_seed("request_rows")}
CATEGORY = {r["code"]: r["category_zh"] for r in read_seed("request_rows")}
VARIANTS: dict[str, list[str]] = {}
for r in read_seed("label_variants"):
    if r["dimension"] == "request_row" and r["match"] == "contains" and not r["note"]:
        VARIANTS.setdefault(r["code"], []).append(r["variant"])
GROUP = {"denied": "（三）不予公开", "unable": "（四）无法提供", "not_processed": "（五）不予处理", "other": "（六）其他处理"}
ZERO = st.sampled_from(["0", "", "—", "无", "-", "/", "0", "0"])
HEADERS = [
    ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况"],
    ["自然人", "法人或其他组织", "总计"],
    ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"],
]
APPEAL_HEADERS = [
    ["行政复议", "行政诉讼"],
    ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉", "复议后起诉"],
    ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2,
]


@st.composite
def number(draw, big: bool = False) -> int:
    if draw(st.booleans()):
        return 0
    return draw(st.integers(1, 99_999 if big else 60))


@st.composite
def printed(draw, value: int) -> str:
    if value == 0:
        return draw(ZERO)
    if value >= 1000 and draw(st.booleans()):
        return f"{value:,}"
    return str(value)


@st.composite
def label(draw, code: str) -> str:
    """The seed's label, a printed variant of it, in full- or half-width punctuation, maybe broken."""
    text = LABEL[code]
    if code in VARIANTS and draw(st.integers(0, 3)) == 0:
        prefix = text.split("、")[0] + "、" if "、" in text[:3] else ""
        text = prefix + draw(st.sampled_from(VARIANTS[code]))
    if draw(st.booleans()):
        text = text.replace("（", "(").replace("）", ")").replace("，", ",")
    if len(text) > 6 and draw(st.integers(0, 3)) == 0:
        cut = draw(st.integers(3, len(text) - 2))
        text = text[:cut] + "\n" + text[cut:]
    return text


@st.composite
def tables(draw):
    split_other = draw(st.booleans())
    order = template_rows(split_other)
    big = draw(st.booleans())
    grid: dict[str, list[int]] = {}
    outcomes = [r for r in order if r in OUTCOME_CODES]
    for row in outcomes:
        parts = [draw(number(big)) for _ in APPLICANTS]
        grid[row] = [*parts, sum(parts)]
    total = [sum(grid[r][k] for r in outcomes) for k in range(len(COLUMNS))]
    grid["processed_total"] = total
    forward_parts = [draw(number(big)) for _ in APPLICANTS]
    grid["carried_forward"] = [*forward_parts, sum(forward_parts)]
    carried_parts = [draw(st.integers(0, total[k] + forward_parts[k])) for k in range(len(APPLICANTS))]
    grid["carried_over"] = [*carried_parts, sum(carried_parts)]
    new_parts = [total[k] + forward_parts[k] - carried_parts[k] for k in range(len(APPLICANTS))]
    grid["new_received"] = [*new_parts, sum(new_parts)]

    appeals = []
    for _ in range(3):
        parts = [draw(number(big)) for _ in range(4)]
        appeals += [*parts, sum(parts)]

    merge = draw(st.booleans())  # group labels merged into their first sub-row
    rows: list[list[str]] = [list(h) for h in HEADERS]
    seen_groups: set[str] = set()
    for row in order:
        cells = [draw(printed(v)) for v in grid[row]]
        lab = draw(label(row))
        group = next((g for g, zh in GROUP.items() if ROLE[row] == "outcome" and CATEGORY[row] == zh[3:]), None)
        if group and group not in seen_groups and (group != "other" or split_other):
            seen_groups.add(group)
            if merge:
                rows.append([GROUP[group], lab, *cells])
                continue
            rows.append([GROUP[group]])
        rows.append([lab, *cells])
    four = [list(h) for h in APPEAL_HEADERS] + [[draw(printed(v)) for v in appeals]]
    return grid, appeals, rows, four


def document(rows: list[list[str]], four: list[list[str]], keep_breaks: bool) -> list:
    def fix(r):
        return r if keep_breaks else [c.replace("\n", "") for c in r]

    return [
        ("text", [["2023年某区某局政府信息公开工作年度报告"]]),
        ("text", [["三、收到和处理政府信息公开申请情况"]]),
        ("table", [fix(r) for r in rows]),
        ("text", [["四、政府信息公开行政复议、行政诉讼情况"]]),
        ("table", [fix(r) for r in four]),
        ("text", [["五、存在的主要问题及改进情况"]]),
        ("text", [["无。"]]),
    ]


# a cell of a table row cannot hold a line break in these renderings
ONE_LINE_CELLS = {"markdown", "tabs", "pipe_rows", "flipbook"}


def _around(text: str, rows: list[str]) -> str:
    for line_no, line in enumerate(text.splitlines()):
        if any(v in line for r in rows for v in VARIANTS.get(r, [])):
            return "\n".join(text.splitlines()[max(0, line_no - 12): line_no + 12])
    return text[:1500]


@SETTINGS
@given(tables())
def test_generated_tables_read_exactly_through_every_writer(generated):
    grid, appeals, rows, four = generated
    want_requests = {(row, col): v for row, values in grid.items() for col, v in zip(COLUMNS, values)}
    want_appeals = dict(zip(CELLS, appeals))
    for name, writer in sorted(WRITERS.items()):
        text = writer(document(rows, four, keep_breaks=name not in ONE_LINE_CELLS))
        parse = parse_document(text.encode("utf-8"), "generated.txt")
        got_requests = {(c.row, c.column): c.value for c in parse.requests}
        got_appeals = {(c.proceeding, c.result): c.value for c in parse.appeals}
        diff = sorted({r for (r, c), v in want_requests.items() if got_requests.get((r, c)) != v})
        assert not diff, (name, diff, parse.problems[:6], _around(text, diff))
        assert got_appeals == want_appeals, (name, parse.problems[:6])
        assert [c for c in parse.checks if not c.passed] == [], name


@SETTINGS
@given(tables())
def test_generated_tables_with_vanished_blanks_are_never_wrong(generated):
    """A plain table loses its blank cells to spacing, a table collapsed onto one line its rows'
    ends too: rows whose numbers the identities cannot place are left out and named, the parse
    is partial; no cell is ever read wrong."""
    from renderings import COLLAPSED_WRITERS, plain

    grid, appeals, rows, four = generated
    want = {(row, col): v for row, values in grid.items() for col, v in zip(COLUMNS, values)}
    for writer in (plain, *COLLAPSED_WRITERS.values()):
        parse = parse_document(writer(document(rows, four, keep_breaks=False)).encode("utf-8"), "generated.txt")
        got = {(c.row, c.column): c.value for c in parse.requests}
        assert {k: v for k, v in got.items() if want.get(k) != v} == {}, (writer.__name__, parse.problems[:6])
        missing = {row for row, _ in set(want) - set(got)}
        text = " ".join(parse.problems)
        assert all(row in text for row in missing), (writer.__name__, sorted(missing), parse.problems[:6])
        if missing:
            assert parse.status == "partial", writer.__name__
    got_appeals = {(c.proceeding, c.result): c.value for c in parse.appeals}
    assert all(dict(zip(CELLS, appeals))[k] == v for k, v in got_appeals.items())
