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


# each table's title, its field on the parse, and the two fields that place a cell in its grid
_TABLES = (
    ("table 二 (proactive)", "proactive", "item", "measure"),
    ("table 三 (requests)", "requests", "row", "column"),
    ("table 四 (appeals)", "appeals", "proceeding", "result"),
)


def render_text(parse: Parse) -> str:
    lines = [
        f"office:   {parse.office or '(not named)'}",
        f"year:     {parse.year or '(not found)'}",
        f"template: {parse.template}    format: {parse.format}    status: {parse.status}",
        "",
    ]
    for title, table, outer, inner in _TABLES:
        cells = getattr(parse, table)
        if not cells:
            continue
        rows = list(dict.fromkeys(getattr(c, outer) for c in cells))
        # table 三's columns in the template's order, whichever of them the report printed
        cols = COLUMNS if table == "requests" else list(dict.fromkeys(getattr(c, inner) for c in cells))
        lines += _grid(title, rows, cols, {(getattr(c, outer), getattr(c, inner)): c.value for c in cells})
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
