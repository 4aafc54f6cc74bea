"""What a run did, as its summary prints it: read from the warehouse without Dagster, so the
no-change fast path (nochange.py) and the full run (run.py) end with the same lines."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

FIRST_FAILURES = 5  # failed files named in the summary; the rest are counted


def mart_counts(db: str | Path, con=None) -> dict[str, int]:
    """Rows of every mart (asked on `con` when given)."""
    from scrapers.load.warehouse import connect

    own = con is None
    con = connect(db, read_only=True) if own else con
    try:
        tables = con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
        ).fetchall()
        return {t: con.execute(f'select count(*) from marts."{t}"').fetchone()[0] for (t,) in tables}
    finally:
        if own:
            con.close()


# the reports the identity check names: those whose own tables break an identity of the template
_VIOLATING = "select count(distinct report_id) from marts.qa_identity_violations where severity = 'strict'"


def violating_reports(con) -> int | None:
    """Reports breaking an identity of their template, as the QA mart holds them (None before
    the first build). Read from the mart, not from the Dagster check, because the check runs
    only when dbt does and the summary is printed either way."""
    import duckdb

    try:
        return con.execute(_VIOLATING).fetchone()[0]
    except duckdb.CatalogException:
        return None


def portal_line(state: dict) -> str:
    where = f"{state['district']} {state['portal']}"
    if state.get("reachable") is False:
        return f"{where}: UNREACHABLE ({state.get('message', '')}); the warehouse keeps what earlier crawls fetched"
    return f"{where}: {state.get('pages', 0)} pages fetched, {state.get('reports', 0)} reports, {state.get('failures', 0)} failures"


@dataclass
class RunReport:
    """What `xxgk run` did, for its summary and for tests."""

    db: str
    runs: dict[str, str] = field(default_factory=dict)  # job -> Dagster run id
    steps: dict[str, bool] = field(default_factory=dict)
    error: str | None = None  # the first failing step's one line
    documents: dict = field(default_factory=dict)
    portals: list[dict] = field(default_factory=list)
    unreachable: list[str] = field(default_factory=list)
    parses: dict = field(default_factory=dict)
    failed_files: list[tuple[str, str]] = field(default_factory=list)
    violations: int | None = None
    dbt_built: bool = False
    up_to_date: bool = False
    exports: str | None = None
    marts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def success(self) -> bool:
        return self.error is None

    def __getitem__(self, key: str):  # reports were dicts once; tests still read them so
        return self.success if key == "success" else getattr(self, key)


def failed_parses(db: Path, since: float) -> list[tuple[str, str]]:
    """(file or URL, first problem) of the parses of this run that failed."""
    from datetime import datetime, timezone

    from scrapers.load.warehouse import connect

    con = connect(db, read_only=True)
    try:
        rows = con.execute(
            """
            select min(d.source_url), any_value(p.problems::varchar) from raw.parses p join raw.documents d using (sha256)
            where p.status = 'failed' and p.parsed_at >= ? group by p.sha256 order by 1
            """,
            [datetime.fromtimestamp(since, timezone.utc)],
        ).fetchall()
    finally:
        con.close()
    out = []
    for url, problems in rows:
        try:
            first = (json.loads(problems or "[]") or ["no reason recorded"])[0]
        except ValueError:
            first = problems or ""
        out.append((url.removeprefix("file://"), str(first)[:160]))
    return out


def summary_lines(report: RunReport) -> list[str]:
    """The end of a run: what changed, what failed and why, where things are."""
    lines = [portal_line(state) for state in report.portals]
    docs = report.documents
    if "files" in docs:
        lines.append(f"documents: {docs.get('files', 0)} files, {docs.get('new_versions', 0)} new or changed, "
                     f"{docs.get('unchanged', 0)} unchanged, {docs.get('unreadable', 0)} unreadable, {docs.get('too_large', 0)} too large")
    elif docs:
        lines.append(f"documents: {docs.get('new_versions', 0)} new or changed versions crawled")
    if report.unreachable:
        lines.append(f"unreachable: {', '.join(report.unreachable)} (the warehouse holds what earlier crawls fetched from them)")
    if report.parses:
        by_status = report.parses.get("by_status") or {}
        statuses = ", ".join(f"{n} {s}" for s, n in sorted(by_status.items())) or "nothing new"
        lines.append(f"parses: {report.parses.get('parsed', 0)} new ({statuses})")
    for name, why in report.failed_files[:FIRST_FAILURES]:
        lines.append(f"  failed: {name}: {why}")
    if len(report.failed_files) > FIRST_FAILURES:
        lines.append(f"  ... and {len(report.failed_files) - FIRST_FAILURES} more failed parses")
    if report.violations is not None:
        lines.append(f"identity violations: {report.violations} reports break an identity of their template")
    if report.up_to_date:
        lines.append("warehouse up to date: nothing dbt reads changed, no dbt build")
    elif report.dbt_built:
        lines.append("dbt build: done")
    if report.marts:
        lines.append("marts: " + ", ".join(f"{t} {n:,}" for t, n in report.marts.items()))
    lines.append(f"warehouse: {report.db}")
    if report.exports:
        lines.append(f"exports: {report.exports}")
    if report.runs:
        lines.append("dagster runs: " + ", ".join(f"{job} {run_id[:8]}" for job, run_id in report.runs.items()))
    else:
        lines.append("dagster runs: none (nothing would change)")
    lines.append(f"{'done' if report.success else 'FAILED'} in {report.seconds:.1f} s")
    return lines
