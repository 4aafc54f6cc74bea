"""Parse one report document: extract rows, read tables 二/三/四 (or a pre-2019 report's
statements), check the identities, and decide how sure the parse is."""

from __future__ import annotations

import logging
from pathlib import Path

from scrapers.extract.model import Extracted
from scrapers.parse.appeals_table import read_appeals
from scrapers.parse.checks import check_appeals, check_requests
from scrapers.parse.model import Parse
from scrapers.parse.proactive_table import read_proactive
from scrapers.parse.requests_table import read_requests
from scrapers.parse.rows import find_sections

log = logging.getLogger(__name__)


def _extract(data: bytes, name: str | None) -> Extracted:
    from scrapers.extract.dispatch import extract_document

    return extract_document(data, name)


def _blank_totals(parse: Parse) -> bool:
    """A blank 总计 beside non-zero parts is more likely a lost number than a zero: say so."""
    found = False
    grid = {(c.row, c.column): c for c in parse.requests}
    for (row, col), cell in grid.items():
        if col != "total" or cell.raw.strip() != "":
            continue
        parts = sum(grid[(row, c)].value for c in ("natural_person", "commercial_enterprise", "research_institution",
                                                   "social_welfare_org", "legal_service_org", "other_org") if (row, c) in grid)
        if parts:
            parse.problems.append(f"row {row}: 总计 is blank while its applicant cells add up to {parts}")
            found = True
    return found


def _read_tables(parse: Parse, ext: Extracted) -> bool:
    rows = ext.rows
    sections = find_sections(rows)
    proactive = read_proactive(rows, *sections.proactive)
    requests = read_requests(rows, *sections.requests)
    appeals = read_appeals(rows, *sections.appeals)
    found = [proactive.found, requests.found, appeals.found]
    if not any(found):
        # no standard table at all: the report is read another way, without these readers' notes
        return False
    parse.proactive, parse.requests, parse.appeals = proactive.cells, requests.cells, appeals.cells
    parse.extra = [*proactive.extra, *requests.extra]
    parse.problems += [*proactive.problems, *requests.problems, *appeals.problems]
    if proactive.template:
        parse.table_templates["proactive"] = proactive.template
    if requests.found:
        parse.table_templates["requests"] = "2021" if requests.split_other else "2019"
    parse.template = proactive.template or parse.table_templates.get("requests", "unknown")
    parse.checks = [*check_requests(parse.requests), *check_appeals(parse.appeals)]
    blank_totals = _blank_totals(parse)

    missing = [name for name, ok in zip(("table 二", "table 三", "table 四"), found) if not ok]
    for name in missing:
        if not any(p.startswith(name) for p in parse.problems):
            parse.problems.append(f"{name} not found")
    uncertain = proactive.uncertain or requests.uncertain or appeals.uncertain or bool(missing) or blank_totals
    if parse.format.endswith("-ocr"):
        # a picture read by OCR has no text to fall back on: an identity it breaks may be a
        # misread digit as well as a misprint, so its cells are doubtful, never trusted
        broken = [c for c in parse.checks if not c.passed]
        for check in broken:
            parse.problems.append(f"OCR: {check.name} does not hold ({check.left} vs {check.right}); one of its cells may be misread")
        uncertain = uncertain or bool(broken)
    parse.status = "partial" if uncertain else "ok"
    return True


def _read_narrative(parse: Parse, ext: Extracted) -> None:
    from scrapers.parse.narrative import looks_pre2019, parse_narrative, parse_stat_table

    if not (looks_pre2019(ext.text) or (parse.year is not None and parse.year <= 2018)):
        if ext.images:
            parse.status = "needs_ocr"
            parse.problems.append(f"no table 二, 三 or 四 in the text, and the document has {ext.images} picture(s): the tables are probably images")
            return
        parse.status = "failed"
        parse.problems.append("no table 二, 三 or 四 found, and the text is not a pre-2019 report")
        return
    parse.template = "pre2019"
    result = parse_narrative(ext.text)
    stated = {c.measure for c in result.cells}
    from_table = [c for c in parse_stat_table(ext.rows) if c.measure not in stated]
    parse.narrative = [*result.cells, *from_table]
    parse.problems += result.problems
    if not parse.narrative:
        parse.status = "failed"
        parse.problems.append("pre-2019 report: no statistic stated")
    else:
        # a sentence left out as ambiguous is a statement the parse could not read
        parse.status = "partial" if result.truncated or result.problems else "ok"
        if result.truncated:
            parse.problems.append("the text is cut off before the report's last sections")


def parse_document(data: bytes, name: str | None = None) -> Parse:
    """The parse of one document's bytes. Never raises: failures become a status and problems."""
    parse = Parse()
    try:
        ext = _extract(data, name)
        parse.format = ext.format
        parse.problems += ext.problems
        if ext.status:
            parse.status = ext.status
            return parse
        from scrapers.parse.meta import find_office, find_year

        parse.year = find_year(ext.text, ext.title)
        parse.office = find_office(ext.text, ext.title)
        if parse.year is None:
            parse.problems.append("the year the report covers was not found")
        if not _read_tables(parse, ext):
            _read_narrative(parse, ext)
        if parse.year is None and parse.status == "ok":
            parse.status = "partial"
    except Exception as exc:  # one broken document must never stop a run
        log.exception("parse failed for %s", name)
        parse.status = "failed"
        parse.problems.append(f"parser error: {type(exc).__name__}: {exc}")
    return parse


def parse_file(path: str | Path) -> Parse:
    """Parse a file on disk; its size is checked before it is read."""
    from scrapers.extract.dispatch import MAX_BYTES

    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        return Parse(status="failed", problems=[f"cannot read {path}: {exc.strerror}"])
    if size > MAX_BYTES:
        return Parse(status="failed", problems=[f"file is {size} bytes, over the {MAX_BYTES}-byte limit; not parsed"])
    return parse_document(path.read_bytes(), name=str(path))
