"""A parse as text for people: the tables as printed grids, then checks and problems."""

from __future__ import annotations

from scrapers.parse.model import Parse
from scrapers.parse.requests_table import COLUMNS


def _grid(title: str, rows: list[str], cols: list[str], values: dict[tuple[str, str], object]) -> list[str]:
    width = max([len(r) for r in rows] + [10])
    out = [title, " " * width + " " + " ".join(f"{c[:10]:>10}" for c in cols)]
    for r in rows:
        out.append(f"{r:<{width}} " + " ".join(f"{str(values.get((r, c), '')):>10}" for c in cols))
    return out


def render_text(parse: Parse) -> str:
    lines = [
        f"office:   {parse.office or '(not named)'}",
        f"year:     {parse.year or '(not found)'}",
        f"template: {parse.template}    format: {parse.format}    status: {parse.status}",
        "",
    ]
    if parse.proactive:
        items = list(dict.fromkeys(c.item for c in parse.proactive))
        measures = list(dict.fromkeys(c.measure for c in parse.proactive))
        lines += _grid("table 二 (proactive)", items, measures, {(c.item, c.measure): c.value for c in parse.proactive})
        lines.append("")
    if parse.requests:
        rows = list(dict.fromkeys(c.row for c in parse.requests))
        lines += _grid("table 三 (requests)", rows, COLUMNS, {(c.row, c.column): c.value for c in parse.requests})
        lines.append("")
    if parse.appeals:
        procs = list(dict.fromkeys(c.proceeding for c in parse.appeals))
        results = list(dict.fromkeys(c.result for c in parse.appeals))
        lines += _grid("table 四 (appeals)", procs, results, {(c.proceeding, c.result): c.value for c in parse.appeals})
        lines.append("")
    if parse.narrative:
        lines.append("pre-2019 statements")
        lines += [f"  {c.measure:<20} {c.value:>10}{' (approx.)' if c.approximate else ''}  « {c.raw[:60]} »" for c in parse.narrative]
        lines.append("")
    failed = [c for c in parse.checks if not c.passed]
    lines.append(f"checks: {len(parse.checks) - len(failed)}/{len(parse.checks)} passed")
    lines += [f"  FAILED {c.name}: {c.left} != {c.right}" for c in failed]
    if parse.problems:
        lines.append("problems:")
        lines += [f"  - {p}" for p in parse.problems]
    return "\n".join(lines) + "\n"
