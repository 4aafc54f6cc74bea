"""Asset checks on the marts they judge, after `dbt build`.

Two kinds of trouble look alike in a table of numbers and must not be confused: a report whose
own totals disagree (the office printed it so; the warehouse keeps what was published) is a
WARN on marts.qa_identity_violations, while a document the pipeline failed to parse at all is
an ERROR on marts.dim_report. Both read the marts, so "the current version of a report" is
dbt's (int_report_versions_ranked) and the identities are the parser's (raw.checks): nothing is
defined here a second time.
"""

import dagster as dg

from dagster_project.assets.documents import WRITER_POOL
from dagster_project.resources import Warehouse
from scrapers.load.warehouse import connect
from scrapers.parse.model import PARSER_VERSION

LISTED = 50  # rows of a failing check's table in the UI; the counts cover all of them
QA_MART = dg.AssetKey(["marts", "qa_identity_violations"])
REPORTS_MART = dg.AssetKey(["marts", "dim_report"])

# Every report whose current parse could be checked, with the strict identities it fails.
_VIOLATIONS = """
with failed as (
    select
        report_id,
        list(identity || coalesce(' ' || row_code, '') || coalesce(' ' || column_code, '')
             order by identity, row_code, column_code) as failed
    from marts.qa_identity_violations
    where severity = 'strict'
    group by report_id
)
select coalesce(r.district, '(local files)') as district, r.report_url, r.source_url,
       coalesce(r.office_name, r.printed_office) as office, r.year, f.failed
from marts.dim_report r
left join failed f using (report_id)
where r.identities_checked > 0
order by district, r.year, office, r.report_url
"""

# Reports whose current version has no parse of this parser version, or whose parse ended in a
# parser error; and versions fetched after the current one that were never parsed.
_BROKEN = """
select coalesce(r.district, '(local files)') as district, r.report_url, r.source_url,
       case when r.status = 'not_parsed' or r.parser_version is distinct from $v then 'not parsed'
            else 'parser error' end as trouble,
       coalesce(cast(r.problems as varchar), '') as problems
from marts.dim_report r
where r.status = 'not_parsed' or r.parser_version is distinct from $v
    or cast(r.problems as varchar) like '%parser error:%'
union all
select coalesce(r.district, '(local files)'), r.report_url, r.source_url, 'not parsed', 'a newer version is not parsed yet'
from marts.dim_report r
semi join intermediate.int_report_versions_ranked v
    on v.report_id = r.report_id and v.parser_version is null and v.first_fetched_at > r.fetched_at
where r.status <> 'not_parsed'
order by district, report_url
"""


def _link(url: str | None, text: str) -> str:
    return f"[{text}]({url})" if url and url.startswith("http") else text


def _table(header: list[str], rows: list[list[str]]) -> dg.MetadataValue:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c).replace("|", "/") for c in row) + " |" for row in rows[:LISTED]]
    if len(rows) > LISTED:
        lines.append(f"| … {len(rows) - LISTED} more |" + " |" * (len(header) - 1))
    return dg.MetadataValue.md("\n".join(lines))


def _query(warehouse: Warehouse, sql: str, params: dict | None = None) -> list[tuple]:
    con = connect(warehouse.path, read_only=True)
    try:
        return con.execute(sql, params or {}).fetchall()
    finally:
        con.close()


@dg.asset_check(asset=QA_MART, pool=WRITER_POOL, description=(
    "Every report's tables satisfy the template's identities (totals equal the sum of their parts). "
    "Fails with WARN severity: a violation is in the published report, and the warehouse keeps it."
))
def reports_satisfy_identities(warehouse: Warehouse) -> dg.AssetCheckResult:
    rows = _query(warehouse, _VIOLATIONS)
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


@dg.asset_check(asset=REPORTS_MART, pool=WRITER_POOL, description=(
    "Every report's latest version has a parse of the current parser version, and no parse ended "
    "in a parser error. Fails with ERROR severity: this is the pipeline breaking, not the source."
))
def every_document_parsed(warehouse: Warehouse) -> dg.AssetCheckResult:
    rows = _query(warehouse, _BROKEN, {"v": PARSER_VERSION})
    documents = _query(warehouse, "select count(*) from marts.dim_report")[0][0]
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


mart_checks = [reports_satisfy_identities, every_document_parsed]
