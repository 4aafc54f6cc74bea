"""Checks on the parses, read from raw before dbt runs.

Two kinds of trouble look alike in a table of numbers and must not be confused: a report whose
own totals disagree (the office printed it so; the warehouse keeps what was published) is a
WARN, while a document the pipeline failed to parse at all is an ERROR.
"""

import dagster as dg

from dagster_project.assets.documents import WRITER_POOL
from dagster_project.assets.parses import parsed_reports
from dagster_project.resources import Warehouse
from scrapers.load.warehouse import connect
from scrapers.parse.model import PARSER_VERSION

LISTED = 50  # rows of a failing check's table in the UI; the counts cover all of them

# The latest version of every report, with the identities its current parse fails.
_VIOLATIONS = """
with latest as (
    select * from raw.documents
    qualify row_number() over (partition by report_url order by fetched_at desc, document_id) = 1
),
checked as (
    select sha256, list(name order by name) filter (where not passed) as failed
    from raw.checks where parser_version = $v group by sha256
)
select coalesce(l.district, '(local files)') as district, l.report_url, l.source_url, p.office, p.year,
       c.failed
from latest l
join checked c using (sha256)
left join raw.parses p on p.sha256 = l.sha256 and p.parser_version = $v
order by district, p.year, p.office, l.report_url
"""

# Latest document versions the pipeline did not parse, or whose parse ended in a parser error.
_BROKEN = """
with latest as (
    select * from raw.documents
    qualify row_number() over (partition by report_url order by fetched_at desc, document_id) = 1
)
select coalesce(l.district, '(local files)') as district, l.report_url, l.source_url,
       case when p.sha256 is null then 'not parsed' else 'parser error' end as trouble,
       coalesce(cast(p.problems as varchar), '') as problems
from latest l
left join raw.parses p on p.sha256 = l.sha256 and p.parser_version = $v
where p.sha256 is null or cast(p.problems as varchar) like '%parser error:%'
order by district, l.report_url
"""


def _link(url: str | None, text: str) -> str:
    return f"[{text}]({url})" if url and url.startswith("http") else text


def _table(header: list[str], rows: list[list[str]]) -> dg.MetadataValue:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c).replace("|", "/") for c in row) + " |" for row in rows[:LISTED]]
    if len(rows) > LISTED:
        lines.append(f"| … {len(rows) - LISTED} more |" + " |" * (len(header) - 1))
    return dg.MetadataValue.md("\n".join(lines))


@dg.asset_check(asset=parsed_reports, pool=WRITER_POOL, description=(
    "Every report's tables satisfy the template's identities (totals equal the sum of their parts). "
    "Fails with WARN severity: a violation is in the published report, and the warehouse keeps it."
))
def reports_satisfy_identities(warehouse: Warehouse) -> dg.AssetCheckResult:
    con = connect(warehouse.path, read_only=True)
    try:
        rows = con.execute(_VIOLATIONS, {"v": PARSER_VERSION}).fetchall()
    finally:
        con.close()
    by_district: dict[str, dict[str, int]] = {}
    violating = []
    for district, report_url, source_url, office, year, failed in rows:
        counts = by_district.setdefault(district, {"reports": 0, "violating": 0})
        counts["reports"] += 1
        if failed:
            counts["violating"] += 1
            violating.append([district, office or "?", year or "?", _link(source_url or report_url, "source"), ", ".join(failed)])
    return dg.AssetCheckResult(
        passed=not violating,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "reports_checked": len(rows),
            "reports_violating": len(violating),
            "by_district": dg.MetadataValue.json(by_district),
            "violations": _table(["district", "office", "year", "document", "identities failed"], violating),
        },
    )


@dg.asset_check(asset=parsed_reports, pool=WRITER_POOL, description=(
    "Every document's latest version has a parse of the current parser version, and no parse ended "
    "in a parser error. Fails with ERROR severity: this is the pipeline breaking, not the source."
))
def every_document_parsed(warehouse: Warehouse) -> dg.AssetCheckResult:
    con = connect(warehouse.path, read_only=True)
    try:
        rows = con.execute(_BROKEN, {"v": PARSER_VERSION}).fetchall()
        documents = con.execute("select count(distinct report_url) from raw.documents").fetchone()[0]
    finally:
        con.close()
    return dg.AssetCheckResult(
        passed=not rows,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "documents": documents,
            "not_parsed": sum(r[3] == "not parsed" for r in rows),
            "parser_errors": sum(r[3] == "parser error" for r in rows),
            "broken": _table(
                ["district", "document", "trouble", "problems"],
                [[d, _link(s or u, "source"), t, p[:200]] for d, u, s, t, p in rows],
            ),
        },
    )


parse_checks = [reports_satisfy_identities, every_document_parsed]
