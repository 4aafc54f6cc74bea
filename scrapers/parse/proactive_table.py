"""Table 二: proactive disclosure, printed as blocks of 信息内容 headers and item rows.

Each header row names its block's measures; each item row's values are read left to
right under them (real tables give data cells other colspans than their headers).
The measures printed tell the template: 本年新制作数量… is 2019, 本年制发件数… is 2021.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from scrapers.extract.model import Row
from scrapers.parse import labels
from scrapers.parse.model import ExtraCell, ProactiveCell
from scrapers.parse.rows import is_page_number, split_row
from scrapers.seeds import read_seed

_MEASURE_TEMPLATE = {r["code"]: r["template"] for r in read_seed("proactive_measures")}
_MEASURE_UNIT = {r["code"]: r["unit"] for r in read_seed("proactive_measures")}
EXPECTED = {
    "2019": {
        "regulation": ["new_made", "new_published", "total_published"],
        "normative_document": ["new_made", "new_published", "total_published"],
        "administrative_license": ["prior_year_items", "change", "decisions"],
        "other_external_service": ["prior_year_items", "change", "decisions"],
        "administrative_penalty": ["prior_year_items", "change", "decisions"],
        "administrative_coercion": ["prior_year_items", "change", "decisions"],
        "administrative_fee": ["prior_year_items", "change"],
        "centralized_procurement": ["projects", "amount"],
    },
    "2021": {
        "regulation": ["issued", "repealed", "in_force"],
        "normative_document": ["issued", "repealed", "in_force"],
        "administrative_license": ["decisions"],
        "administrative_penalty": ["decisions"],
        "administrative_coercion": ["decisions"],
        "administrative_fee": ["amount"],
    },
}


@dataclass
class ProactiveResult:
    cells: list[ProactiveCell] = field(default_factory=list)
    extra: list[ExtraCell] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    template: str | None = None
    uncertain: bool = False
    found: bool = False


def _header_unit(text: str) -> str | None:
    if "万元" in text:
        return "wan_yuan"
    if "元" in text:
        return "yuan"
    return None


def _header(cells_text: str) -> list[tuple[str, str | None]]:
    """The measures a 信息内容 header names, in printed order, with a unit where printed."""
    hits = labels.find_all("proactive_measure", cells_text)
    norm = labels.normalise(cells_text)
    measures = []
    for k, (pos, code, variant) in enumerate(hits):
        tail_end = hits[k + 1][0] if k + 1 < len(hits) else len(norm)
        measures.append((code, _header_unit(norm[pos:tail_end]) if code == "amount" else None))
    return measures


def _plain(value) -> int | float:
    """Counts as int; amounts as printed (a decimal stays a float even when it ends in .0)."""
    return value if isinstance(value, int) else float(value)


def _wan_yuan(value, unit: str | None) -> float | None:
    if unit == "wan_yuan":
        return float(value)
    if unit == "yuan":
        return float(Decimal(value) / Decimal(10000))
    return None


def read_proactive(rows: list[Row], start: int, end: int) -> ProactiveResult:
    result = ProactiveResult()
    measures: list[tuple[str, str | None]] = []
    seen: set[tuple[str, str]] = set()
    for i in range(start, end):
        row = rows[i]
        if is_page_number(row):
            continue
        joined = "".join(row.texts)
        norm = labels.normalise(joined)
        if "信息内容" in norm:
            measures = _header(norm.split("信息内容", 1)[1])
            continue
        if "第二十条" in norm:
            continue
        s = split_row(row, i)
        if not s.values or not s.has_label:
            continue
        item, ambiguous = labels.match("proactive_item", s.label)
        values = list(s.values)
        while len(values) > len(measures) and values[-1].blank and values[-1].raw.strip() == "":
            values.pop()
        if item is None:
            if measures and not ambiguous and len(norm) <= 20:
                result.problems.append(f"{row.loc}: table 二 row '{s.label}' is not in the template; kept as an extra row")
                for (measure, _), v in zip(measures, values):
                    result.extra.append(ExtraCell("proactive", s.label, measure, v.number, v.raw, row.loc))
            continue
        if not measures:
            result.problems.append(f"{row.loc}: table 二 row {item} has no 信息内容 header above it; not read")
            result.uncertain = True
            continue
        if len(values) != len(measures):
            result.problems.append(
                f"{row.loc}: table 二 row {item} prints {len(values)} values under {len(measures)} headers; not read"
            )
            result.uncertain = True
            continue
        for (measure, header_unit), v in zip(measures, values):
            if (item, measure) in seen:
                continue
            seen.add((item, measure))
            unit = v.unit or header_unit or (_MEASURE_UNIT.get(measure) if measure != "amount" else None)
            result.cells.append(
                ProactiveCell(item, measure, _plain(v.number), v.raw, unit,
                              _wan_yuan(v.number, unit) if measure == "amount" else None, row.loc)
            )
    result.found = bool(result.cells)
    templates = {_MEASURE_TEMPLATE.get(c.measure) for c in result.cells} - {"both", None}
    if len(templates) == 1:
        result.template = templates.pop()
    elif len(templates) > 1:
        result.problems.append("table 二 mixes the 2019 and 2021 columns")
        result.uncertain = True
    elif result.cells:
        # only measures both templates share: the 2021 fee amount, or the 2019 procurement amount
        items = {c.item for c in result.cells}
        result.template = "2019" if items & {"centralized_procurement", "other_external_service"} else "2021"
    if result.template:
        expected = EXPECTED[result.template]
        missing = [f"{i}.{m}" for i, ms in expected.items() for m in ms if (i, m) not in seen]
        if missing:
            result.problems.append(f"table 二: {len(missing)} cells not found ({', '.join(missing[:6])}{'…' if len(missing) > 6 else ''})")
            result.uncertain = True
    return result
