"""Parse one report document: extract rows, read tables 二/三/四 (or a pre-2019 report's
statements), check the identities, and decide how sure the parse is."""

from __future__ import annotations

import logging
from pathlib import Path

from scrapers.extract.model import Extracted
from scrapers.parse.appeals_table import read_appeals
from scrapers.parse.bounds import enforce_bounds
from scrapers.parse.checks import check_appeals, check_requests
from scrapers.parse.gate import may_hold_tables
from scrapers.parse.model import Parse
from scrapers.parse.proactive_table import read_proactive
from scrapers.parse.requests_table import read_requests
from scrapers.parse.rows import find_sections
from scrapers.parse.stream import read_lines, stream_rows

log = logging.getLogger(__name__)


def _extract(data: bytes, name: str | None, pictures: dict[str, bytes] | None = None) -> Extracted:
    if pictures:
        # an HTML page and the pictures it shows (the crawler fetched them): OCR reads them in place
        from scrapers.extract.ocr import extract_page_with_pictures

        return extract_page_with_pictures(data, pictures)
    from scrapers.extract.dispatch import extract_document

    return extract_document(data, name)


def _blank_totals(parse: Parse) -> bool:
    """A blank 总计 beside non-zero parts is more likely a lost number than a zero: say so."""
    from scrapers.parse.requests_table import APPLICANTS, TOTAL_COLUMN

    found = False
    grid = {(c.row, c.column): c for c in parse.requests}
    for (row, col), cell in grid.items():
        if col != TOTAL_COLUMN or cell.raw.strip() != "":
            continue
        parts = sum(grid[(row, c)].value for c in APPLICANTS if (row, c) in grid)
        if parts:
            parse.problems.append(f"row {row}: 总计 is blank while its applicant cells add up to {parts}")
            found = True
    return found


def _read_tables(parse: Parse, ext: Extracted) -> bool:
    # most of a pre-2019 report is prose: its text shows the readers would find nothing
    return may_hold_tables(ext) and read_tables(parse, ext)


def read_tables(parse: Parse, ext: Extracted) -> bool:
    """Tables 二/三/四 read into `parse`; False, and `parse` untouched, when none was found."""
    rows = stream_rows(ext)
    sections = find_sections(rows)
    streams: dict[tuple[int, int], list] = {}  # a report without headings gives one region thrice

    def lines(region: tuple[int, int]) -> list:
        if region not in streams:
            streams[region] = read_lines(rows, *region)
        return streams[region]

    proactive = read_proactive(rows, *sections.proactive, lines=lines(sections.proactive))
    requests = read_requests(rows, *sections.requests, lines=lines(sections.requests),
                             followed=sections.requests[1] < len(rows))
    appeals = read_appeals(rows, *sections.appeals, lines=lines(sections.appeals),
                           followed=sections.appeals[1] < len(rows))
    found = [proactive.found, requests.found, appeals.found]
    if not any(found):
        # no standard table at all: the report is read another way, without these readers' notes
        return False
    parse.proactive, parse.requests, parse.appeals = proactive.cells, requests.cells, appeals.cells
    parse.extra = [*proactive.extra, *requests.extra]
    parse.problems += [*proactive.problems, *requests.problems, *appeals.problems]
    if proactive.template:
        parse.table_templates["proactive"] = proactive.template
    if requests.template:
        parse.table_templates["requests"] = requests.template
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


def _read_narrative(parse: Parse, ext: Extracted, pre2019: bool) -> None:
    """`pre2019`: the text looks like a report of the 2008 条例 era (narrative.looks_pre2019)."""
    from scrapers.parse.narrative import parse_narrative
    from scrapers.parse.stat_table import parse_stat_table

    if not (pre2019 or (parse.year is not None and parse.year <= 2018)):
        if ext.images:
            parse.status = "needs_ocr"
            parse.problems.append(f"no table 二, 三 or 四 in the text, and the document has {ext.images} picture(s): the tables are probably images")
            return
        parse.status = "failed"
        parse.problems.append("no table 二, 三 or 四 found, and the text is not a pre-2019 report")
        return
    parse.template = "pre2019"
    result = parse_narrative(ext.text, parse.year)
    rows = stream_rows(ext)
    problems = list(result.problems)
    table = {c.measure: c for c in parse_stat_table(rows, problems)}
    problems += [f"{measure} left out: the table row {row!r} states it, and no 统计表 row was read for it"
                 for measure, row in result.table_rows.items() if measure not in table]
    # the sentences and the 统计表 state one figure twice: kept when they agree, left out when not
    cells = []
    for cell in result.cells:
        other = table.pop(cell.measure, None)
        if other is not None and other.value != cell.value:
            problems.append(f"{cell.measure} left out: the text states {cell.value} ({cell.loc}) and the 统计表 {other.value} ({other.loc})")
            continue
        cells.append(cell)
    parse.narrative = [*cells, *table.values()]
    parse.problems += problems
    if not parse.narrative:
        parse.status = "failed"
        parse.problems.append("pre-2019 report: no statistic stated")
    else:
        # a statement left out (ambiguous, contradicted, unreadable) is a figure the parse lacks
        parse.status = "partial" if result.truncated or problems else "ok"
        if result.truncated:
            parse.problems.append("the text is cut off before the report's last sections")


def parse_document(data: bytes, name: str | None = None, pictures: dict[str, bytes] | None = None) -> Parse:
    """The parse of one document's bytes (and of the pictures it shows, by their src). Never
    raises: failures become a status and problems."""
    parse = Parse()
    try:
        ext = _extract(data, name, pictures) if pictures else _extract(data, name)
        parse.format = ext.format
        parse.problems += ext.problems
        if ext.status:
            parse.status = ext.status
            return parse
        from scrapers.parse.meta import find_office, find_year
        from scrapers.parse.narrative import looks_pre2019

        parse.year = find_year(ext.text, ext.title)
        parse.office = find_office(ext.text, ext.title)
        if parse.year is None:
            parse.problems.append("the year the report covers was not found")
        # A report of the 2008 条例 era is read by its statements and its 统计表, whose rows
        # (其中：涉及国家秘密) the 2019 template readers would take for fragments of table 三.
        pre2019 = looks_pre2019(ext.text)
        if pre2019 or not _read_tables(parse, ext):
            _read_narrative(parse, ext, pre2019)
        if parse.year is None and parse.status == "ok":
            parse.status = "partial"
    except Exception as exc:  # one broken document must never stop a run
        log.exception("parse failed for %s", name)
        parse.status = "failed"
        parse.problems.append(f"parser error: {type(exc).__name__}: {exc}")
    return enforce_bounds(parse)


def parse_file(path: str | Path) -> Parse:
    """Parse a file on disk; its type and size are checked before it is read."""
    from scrapers.extract.dispatch import read_document_file

    data, problem = read_document_file(path)
    if problem is not None:
        return Parse(status="failed", problems=[problem])
    return parse_document(data, name=str(path))
