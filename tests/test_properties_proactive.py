"""Generated tables 二 of both templates, written out by every renderings writer: the parse returns
exactly the generated values, and a collapsed copy never a wrong one.

The generator varies what real reports vary: the 2019 template (本年新制作数量…, 上一年项目数量,
a signed 本年增/减, 采购总金额) or the 2021 one (本年制发件数…, 本年收费金额 in 万元 with decimals), zeros
printed as 0, blank, "—" or "/", thousands separators, signed changes printed "+3", "3", "-2",
"增加3", "减少2" or "持平",
each 第二十条 clause on a row of its own above its header.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from renderings import COLLAPSED_WRITERS, WRITERS
from scrapers.parse.report import parse_document

# (clause, header, [(item, printed label, [measures])]) in printed order, per template
LAYOUT = {
    "2019": [
        ("第二十条第（一）项", ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"],
         [("regulation", "规章", ["new_made", "new_published", "total_published"]),
          ("normative_document", "规范性文件", ["new_made", "new_published", "total_published"])]),
        ("第二十条第（五）项", ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
         [("administrative_license", "行政许可", ["prior_year_items", "change", "decisions"]),
          ("other_external_service", "其他对外管理服务事项", ["prior_year_items", "change", "decisions"])]),
        ("第二十条第（六）项", ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
         [("administrative_penalty", "行政处罚", ["prior_year_items", "change", "decisions"]),
          ("administrative_coercion", "行政强制", ["prior_year_items", "change", "decisions"])]),
        ("第二十条第（八）项", ["信息内容", "上一年项目数量", "本年增/减"],
         [("administrative_fee", "行政事业性收费", ["prior_year_items", "change"])]),
        ("第二十条第（九）项", ["信息内容", "采购项目数量", "采购总金额"],
         [("centralized_procurement", "政府集中采购", ["projects", "amount"])]),
    ],
    "2021": [
        ("第二十条第（一）项", ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
         [("regulation", "规章", ["issued", "repealed", "in_force"]),
          ("normative_document", "行政规范性文件", ["issued", "repealed", "in_force"])]),
        ("第二十条第（五）项", ["信息内容", "本年处理决定数量"], [("administrative_license", "行政许可", ["decisions"])]),
        ("第二十条第（六）项", ["信息内容", "本年处理决定数量"],
         [("administrative_penalty", "行政处罚", ["decisions"]), ("administrative_coercion", "行政强制", ["decisions"])]),
        ("第二十条第（八）项", ["信息内容", "本年收费金额（单位：万元）"], [("administrative_fee", "行政事业性收费", ["amount"])]),
    ],
}
ZERO = st.sampled_from(["0", "0", "0", "—", "/", ""])


@st.composite
def value(draw, measure: str):
    """(value, printed) of one cell."""
    if measure == "amount":
        if draw(st.booleans()):
            return 0, draw(ZERO)
        cents = draw(st.integers(1, 9_999_999))
        number = Decimal(cents) / 100
        return float(number), f"{number:.2f}" if draw(st.booleans()) else f"{number:,.2f}"
    if measure == "change":
        n = draw(st.integers(-40, 40))
        words = draw(st.booleans())  # 增加3, 减少2, 持平
        if n == 0:
            return 0, draw(st.sampled_from(["持平", "不变"])) if words else draw(ZERO)
        if words:
            return n, f"{'增加' if n > 0 else '减少'}{abs(n)}"
        return n, f"+{n}" if n > 0 and draw(st.booleans()) else str(n)
    if draw(st.booleans()):
        return 0, draw(ZERO)
    n = draw(st.integers(1, 99_999))
    return n, f"{n:,}" if n >= 1000 and draw(st.booleans()) else str(n)


@st.composite
def proactive_tables(draw):
    template = draw(st.sampled_from(sorted(LAYOUT)))
    want: dict[tuple[str, str], object] = {}
    rows: list[list[str]] = []
    for clause, header, items in LAYOUT[template]:
        rows.append([clause])
        rows.append(list(header))
        for item, printed_label, measures in items:
            cells = []
            for measure in measures:
                v, text = draw(value(measure))
                want[(item, measure)] = v
                cells.append(text)
            rows.append([printed_label, *cells])
    return template, want, rows


def document(rows: list[list[str]]) -> list:
    return [
        ("text", [["2023年某区某局政府信息公开工作年度报告"]]),
        ("text", [["二、主动公开政府信息情况"]]),
        ("table", rows),
        ("text", [["三、收到和处理政府信息公开申请情况"]]),
        ("text", [["五、存在的主要问题及改进情况"]]),
    ]


SETTINGS = settings(max_examples=25, deadline=None, derandomize=True, print_blob=True,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _parses(rows: list[list[str]], writers: dict):
    """(writer, parse, its table 二 cells) of the document written by each writer."""
    for name, writer in sorted(writers.items()):
        parse = parse_document(writer(document(rows)).encode("utf-8"), "generated.txt")
        yield name, parse, {(c.item, c.measure): c.value for c in parse.proactive}


@SETTINGS
@given(proactive_tables())
def test_generated_table_two_reads_exactly_through_every_writer(generated):
    template, want, rows = generated
    for name, parse, got in _parses(rows, WRITERS):
        wrong = {k: (got.get(k), v) for k, v in want.items() if k not in got or abs(got[k] - v) > 1e-9}
        assert not wrong, (name, template, wrong, parse.problems[:6])
        assert parse.table_templates.get("proactive") == template, (name, parse.table_templates)


@SETTINGS
@given(proactive_tables())
def test_generated_table_two_collapsed_onto_a_line_is_never_wrong(generated):
    """Blank cells vanish with the spaces: what is read is right, what is not is named."""
    template, want, rows = generated
    for name, parse, got in _parses(rows, COLLAPSED_WRITERS):
        assert {k: v for k, v in got.items() if k not in want or abs(want[k] - v) > 1e-9} == {}, (name, template, parse.problems[:6])
        missing = {item for item, _ in set(want) - set(got)}
        text = " ".join(parse.problems)
        assert all(item in text for item in missing) or "table 二" in text, (name, sorted(missing), parse.problems[:6])
