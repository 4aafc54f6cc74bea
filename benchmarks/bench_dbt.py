"""Time `dbt build` on a synthetic warehouse the size of a national corpus.

Generates, with DuckDB SQL, the raw schema of N reports (default 100,000) with the variety of
the real corpus: both templates (2019 and 2021, some 2021 reports printing （六） as one row),
pre-2019 reports with a handful of stated measures, crawled and local documents, reports with
two or three versions and bytes read by two parser versions, non-ok parses without cells,
two reports for one office-year, and tables that break their identities as printed. Then:

1. `dbt build` on the fresh warehouse (every incremental model built in full),
2. with nothing changed, five times in turn (`--runs`; medians: this machine is shared):
   the bare `dbt build`; the pipeline's selection build (`builds.plan`: `state:modified+` and
   the raw tables that changed, against the state the last build left in `raw.builds`, dbt
   started as the dbt asset starts it); and each one's floor, dbt started the same way on a
   selection of nothing,
3. the pipeline's own no-change path: the fingerprint of what dbt reads compared with the one
   the last successful build recorded in `raw.builds` (`dagster_project/builds.py`), after
   which `xxgk run` starts no dbt at all (median of five),
4. after 1% of the reports got a new version (the incremental path): the bare `dbt build`,
   then, on the same warehouse put back and given the same versions, the selection build; the
   two builds' marts are compared row for row (hashed),

each timed end to end (the dbt process, parse included).

    .venv/bin/python benchmarks/bench_dbt.py [--reports 100000] [--runs 5] [--no-change-only] [--db PATH] [--json]

Goals: a full build under 60 s and a no-change selection build under 5 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scrapers.load.warehouse import connect  # noqa: E402
from dagster_project import builds  # noqa: E402
from scrapers.settings import DBT_DIR, SEEDS_DIR  # noqa: E402

GOALS = {"full build": 60.0, "selection build, no change": 5.0, "no-change run (no dbt call)": 5.0}
LAST_REPORT_YEAR = 2025

# Share of reports in each year: Beijing publishes about 1,000 reports a year since 2019 and
# fewer before (small offices skipped, or consolidated reports).
YEAR_WEIGHTS_SQL = "case when year >= 2019 then 3 else 1 end"


def generate_raw(db: Path, reports: int) -> dict[str, int]:
    """Write a synthetic raw schema of `reports` reports into `db`; returns row counts."""
    con = connect(db)
    try:
        con.execute("set preserve_insertion_order = false")
        con.execute("set enable_progress_bar = false")
        con.execute(f"create or replace temp table seed_request_rows as select * from read_csv('{SEEDS_DIR / 'request_rows.csv'}', all_varchar = true)")
        con.execute(f"create or replace temp table seed_applicants as select * from read_csv('{SEEDS_DIR / 'applicant_types.csv'}', all_varchar = true)")
        con.execute(f"create or replace temp table seed_grid as select * from read_csv('{SEEDS_DIR / 'proactive_grid.csv'}', all_varchar = true)")
        con.execute(f"create or replace temp table seed_offices as select * from read_csv('{SEEDS_DIR / 'offices.csv'}', all_varchar = true)")
        con.execute(f"create or replace temp table seed_narrative as select * from read_csv('{SEEDS_DIR / 'narrative_measures.csv'}', all_varchar = true)")

        # Offices: the registry's current ones, then synthetic 街道/镇/委办局 in the 16 districts,
        # as many as the reports need for one report per office and year.
        con.execute(
            """
            create or replace temp table districts as
            select row_number() over (order by district_code) - 1 as d, district, district_code
            from seed_offices
            where office_type = 'district_government' and valid_to is null
            """
        )
        years = LAST_REPORT_YEAR - 2008 + 1
        offices_needed = reports // years + 50
        con.execute(
            f"""
            create or replace temp table office_pool as
            with registry as (
                select office_name as printed, district from seed_offices where valid_to is null
            ),
            synthetic as (
                select
                    '北京市' || districts.district || '区'
                    || ['', '人民政府'][1 + (i % 2)]
                    || '第' || i || ['街道办事处', '镇人民政府', '地区办事处', '委员会', '局'][1 + (i % 5)] as printed,
                    districts.district
                from range({offices_needed}) as t(i)
                join districts on districts.d = i % 16
            )
            select row_number() over () - 1 as o, * from (select * from registry union all select * from synthetic)
            """
        )
        n_offices = con.execute("select count(*) from office_pool").fetchone()[0]

        # Reports: each office reports once a year; 3% of reports are a second copy of an
        # office-year (another URL); a third are local files (no district, file:// URLs).
        con.execute(
            f"""
            create or replace temp table reports as
            with numbered as (
                select
                    i,
                    2008 + (i % {years}) as year,
                    (i // {years}) % {n_offices} as o,
                    hash(i, 'dup') % 100 < 3 as is_copy
                from range({reports}) as t(i)
            )
            select
                numbered.i,
                numbered.year,
                case when hash(i, 'origin') % 3 = 0 then 'local' else 'crawl' end as origin,
                office_pool.printed as office,
                office_pool.district,
                case
                    when numbered.year < 2019 then 'pre2019'
                    when numbered.year < 2021 then '2019'
                    else '2021'
                end as template,
                -- 2021 reports that print （六） as one row, like 洪泽 2023
                numbered.year >= 2021 and hash(i, 'six') % 10 = 0 as prints_one_other,
                case
                    when hash(i, 'status') % 100 < 85 then 'ok'
                    when hash(i, 'status') % 100 < 93 then 'partial'
                    when hash(i, 'status') % 100 < 97 then 'needs_ocr'
                    when hash(i, 'status') % 100 < 98 then 'unsupported_format'
                    else 'failed'
                end as status,
                -- versions: 10% have two, 2% three
                case when hash(i, 'v') % 100 < 2 then 3 when hash(i, 'v') % 100 < 12 then 2 else 1 end as versions
            from numbered
            join office_pool
                on office_pool.o = case when numbered.is_copy then (numbered.o + 1) % {n_offices} else numbered.o end
            """
        )
        con.execute(
            """
            create or replace temp table versions as
            select
                reports.*,
                v,
                md5('report' || i) as report_key,
                md5('bytes' || i || '/' || v) as sha256,
                timestamp '2026-01-01 00:00:00+00' + to_days(cast(v * 30 + i % 20 as integer)) as fetched_at
            from reports, range(1, reports.versions + 1) as t(v)
            """
        )
        con.execute(
            """
            insert into raw.documents
            select
                substr(sha256, 1, 32),
                case when origin = 'local' then 'file:///reports/' || report_key || '.html'
                     else 'https://www.bj' || hash(district) % 1000 || '.gov.cn/gknb/' || year || '/' || report_key || '.html' end,
                case when origin = 'local' then 'file:///reports/' || report_key || '.html'
                     else 'https://www.bj' || hash(district) % 1000 || '.gov.cn/gknb/' || year || '/' || report_key || '.html' end,
                sha256, origin,
                case when origin = 'crawl' then 'www.bj' || hash(district) % 1000 || '.gov.cn' end,
                case when origin = 'crawl' then district end,
                null, null,
                office || year || '年政府信息公开工作年度报告',
                case when origin = 'crawl' then office end,
                case when origin = 'crawl' then year end,
                case when origin = 'crawl' then make_date(year + 1, 1 + i % 4, 1 + i % 28) end,
                'text/html',
                fetched_at
            from versions
            """
        )
        # Parses: the newest parser version everywhere, and 5% of the bytes read by an older one too.
        con.execute(
            """
            create or replace temp table parses as
            select versions.*, pv
            from versions, (select unnest(['1', '2']) as pv)
            where pv = '2' or hash(sha256) % 20 = 0
            """
        )
        con.execute(
            """
            insert into raw.parses
            select sha256, pv, year, office, template, status, 'html',
                   case when status = 'ok' then '[]' else '["synthetic: ' || status || '"]' end,
                   fetched_at + interval 1 hour
            from parses
            """
        )
        con.execute("create or replace temp table with_cells as select * from parses where status in ('ok', 'partial')")

        # Table 三: outcome cells first (mostly small counts, many zeros), then the input rows
        # and totals computed from them so that the identities hold, except where a report
        # breaks one on purpose (a row total off by one, as printed).
        con.execute(
            """
            create or replace temp table outcome_parts as
            select
                p.sha256, p.pv, r.code as row_code, a.code as column_code,
                case when hash(p.sha256, r.code, a.code) % 4 = 0 then hash(p.sha256, r.code, a.code, 'v') % 30 else 0 end as value
            from with_cells as p
            join seed_request_rows as r
                on r.role = 'outcome'
                and case
                    when p.template = '2019' or p.prints_one_other then r.in_2019 = 'true'
                    else r.in_2021 = 'true' and r.code <> 'other'
                end
            join seed_applicants as a on a.is_total = 'false'
            where p.template in ('2019', '2021')
            """
        )
        con.execute(
            """
            create or replace temp table request_parts as
            with processed as (
                select sha256, pv, column_code, sum(value) as value from outcome_parts group by all
            ),
            inputs as (
                select sha256, pv, column_code,
                       value as processed,
                       least(hash(sha256, column_code, 'co') % 3, value) as carried_over,
                       hash(sha256, column_code, 'cf') % 3 as carried_forward
                from processed
            )
            select * from outcome_parts
            union all select sha256, pv, 'processed_total', column_code, processed from inputs
            union all select sha256, pv, 'carried_over', column_code, carried_over from inputs
            union all select sha256, pv, 'carried_forward', column_code, carried_forward from inputs
            union all select sha256, pv, 'new_received', column_code, processed - carried_over + carried_forward from inputs
            """
        )
        con.execute(
            """
            insert into raw.cells
            select sha256, pv, 'requests', row_code, column_code, value, cast(value as varchar), null, null, false,
                   'table 3 row ' || row_code
            from request_parts
            union all
            select sha256, pv, 'requests', row_code, 'total',
                   sum(value) + case when hash(sha256, row_code, 'bad') % 400 = 0 then 1 else 0 end,
                   cast(sum(value) as varchar), null, null, false, 'table 3 row ' || row_code
            from request_parts
            group by sha256, pv, row_code
            """
        )
        # Table 四: three proceedings × four results and their totals (1% printed wrong).
        con.execute(
            """
            insert into raw.cells
            with parts as (
                select p.sha256, p.pv, pr.proceeding, r.result,
                       case when hash(p.sha256, pr.proceeding, r.result) % 5 = 0 then hash(p.sha256, pr.proceeding, r.result, 'v') % 8 else 0 end as value
                from with_cells as p,
                     (select unnest(['review', 'litigation_direct', 'litigation_after_review']) as proceeding) as pr,
                     (select unnest(['upheld', 'corrected', 'other', 'pending']) as result) as r
                where p.template in ('2019', '2021')
            )
            select sha256, pv, 'appeals', proceeding, result, value, cast(value as varchar), null, null, false, 'table 4'
            from parts
            union all
            select sha256, pv, 'appeals', proceeding, 'total',
                   case when hash(sha256, proceeding, 'bad') % 100 = 0 then 0 else sum(value) end,
                   cast(sum(value) as varchar), null, null, false, 'table 4'
            from parts
            group by sha256, pv, proceeding
            """
        )
        # Table 二: the template's cells of proactive_grid; amounts in 万元, a few printed in 元.
        con.execute(
            """
            insert into raw.cells
            select p.sha256, p.pv, 'proactive', g.item, g.measure,
                   case when g.measure = 'amount' then (hash(p.sha256, g.item) % 100000) / 100.0
                        when g.measure = 'change' then cast(hash(p.sha256, g.item, g.measure) % 7 as integer) - 3
                        else hash(p.sha256, g.item, g.measure) % 50 end,
                   'x',
                   case when g.measure = 'amount' then case when hash(p.sha256) % 10 = 0 then 'yuan' else 'wan_yuan' end
                        when g.measure = 'decisions' then 'decisions' when g.measure = 'projects' then 'projects' else 'items' end,
                   case when g.measure = 'amount' then (hash(p.sha256, g.item) % 100000) / 100.0 end,
                   false, 'table 2'
            from with_cells as p
            join seed_grid as g
                on (p.template = '2019' and g.in_2019 = 'true') or (p.template = '2021' and g.in_2021 = 'true')
            """
        )
        # Pre-2019: a handful of stated measures per report, some approximate (余).
        con.execute(
            """
            insert into raw.cells
            select p.sha256, p.pv, 'narrative', n.code, '', hash(p.sha256, n.code) % 300,
                   '共…' || hash(p.sha256, n.code) % 300 || '件', null, null, hash(p.sha256, n.code) % 50 = 0, 'line 12'
            from with_cells as p
            join seed_narrative as n on hash(p.sha256, n.code, 'stated') % 3 = 0
            where p.template = 'pre2019'
            """
        )
        # The parser's checks (scrapers/parse/checks.py), as many per parse as it makes: per
        # row of table 三 its total and its smallest cell, per column the outcome total and the
        # balance, per proceeding of table 四 the same two; the totals printed wrong above fail.
        con.execute(
            """
            insert into raw.checks
            with request_rows as (
                select sha256, pv, row_code, sum(value) as value,
                       hash(sha256, row_code, 'bad') % 400 = 0 as is_broken
                from request_parts group by all
            ),
            columns as (
                select distinct sha256, pv, column_code from request_parts
            ),
            appeal_rows as (
                select p.sha256, p.pv, pr.proceeding, hash(p.sha256, pr.proceeding, 'bad') % 100 = 0 as is_broken
                from with_cells as p,
                     (select unnest(['review', 'litigation_direct', 'litigation_after_review']) as proceeding) as pr
                where p.template in ('2019', '2021')
            )
            select sha256, pv, 'requests.row_total.' || row_code, not is_broken, value + is_broken::integer, value,
                   'requests_row_total', 'requests', row_code, 'total', '总计', 'sum of the parts'
            from request_rows
            union all
            select sha256, pv, 'requests.non_negative.' || row_code, true, 0, 0,
                   'requests_non_negative', 'requests', row_code, null, 'smallest cell of the row', '0'
            from request_rows
            union all
            select sha256, pv, 'requests.' || identity || '.' || column_code, true, 1, 1,
                   'requests_' || identity, 'requests', 'processed_total', column_code, 'left', 'right'
            from columns, (select unnest(['outcome_total', 'balance']) as identity)
            union all
            select sha256, pv, 'appeals.total.' || proceeding, not is_broken, 1 - is_broken::integer, 1,
                   'appeals_row_total', 'appeals', proceeding, 'total', '总计', 'sum of the results'
            from appeal_rows
            union all
            select sha256, pv, 'appeals.non_negative.' || proceeding, true, 0, 0,
                   'appeals_non_negative', 'appeals', proceeding, null, 'smallest cell of the row', '0'
            from appeal_rows
            """
        )
        counts = {
            table: con.execute(f"select count(*) from raw.{table}").fetchone()[0]
            for table in ("documents", "parses", "cells", "checks")
        }
        counts["reports"] = con.execute("select count(distinct report_url) from raw.documents").fetchone()[0]
        return counts
    finally:
        con.close()


def add_new_versions(db: Path, share_per_mille: int = 10) -> int:
    """Give 1% of the reports a new version: new bytes, parsed, cells changed by one."""
    con = connect(db)
    try:
        con.execute("begin")
        con.execute(
            f"""
            create temp table bumped as
            select d.*, md5(d.sha256 || 'next') as next_sha
            from raw.documents as d
            qualify row_number() over (partition by report_url order by fetched_at desc) = 1
                and hash(report_url, 'bump') % 1000 < {share_per_mille}
            """
        )
        con.execute(
            """
            insert into raw.documents
            select substr(next_sha, 1, 32), report_url, source_url, next_sha, origin, portal, district, district_code,
                   category, title, office_hint, year_hint, published_date, media_type, fetched_at + interval 90 day
            from bumped
            """
        )
        con.execute(
            """
            insert into raw.parses
            select b.next_sha, p.parser_version, p.year, p.office, p.template, p.status, p.format, p.problems,
                   p.parsed_at + interval 90 day
            from bumped as b join raw.parses as p on p.sha256 = b.sha256 and p.parser_version = '2'
            """
        )
        con.execute(
            """
            insert into raw.cells
            select b.next_sha, c.parser_version, c.table_name, c.row_code, c.column_code, c.value, c.raw, c.unit,
                   c.value_normalised, c.approximate, c.location
            from bumped as b join raw.cells as c on c.sha256 = b.sha256 and c.parser_version = '2'
            """
        )
        con.execute(
            """
            insert into raw.checks
            select b.next_sha, c.* exclude (sha256)
            from bumped as b join raw.checks as c on c.sha256 = b.sha256 and c.parser_version = '2'
            """
        )
        bumped = con.execute("select count(*) from bumped").fetchone()[0]
        con.execute("commit")
        return bumped
    finally:
        con.close()


VARS = {"last_report_year": LAST_REPORT_YEAR}


def dbt_build(db: Path, work: Path, *extra: str, pipeline: bool = False) -> tuple[float, str, int]:
    """One `dbt build` in its own process; returns (seconds, dbt's last line, nodes run).

    Bare: dbt's defaults, text logs. `pipeline`: started as the pipeline's dbt asset starts it
    (dagster-dbt's JSON log lines, builds.DBT_START_FLAGS)."""
    _match_offices(db)
    env = dict(os.environ, XXGK_DB=str(db), DBT_SEND_ANONYMOUS_USAGE_STATS="false", DO_NOT_TRACK="1")
    if pipeline:
        env["DBT_LOG_FORMAT"] = "json"
    dbt = Path(sys.executable).with_name("dbt")
    command = [
        str(dbt), *(builds.DBT_START_FLAGS if pipeline else ()), "build",
        "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR),
        "--target-path", str(work / "target"), "--log-path", str(work / "logs"),
        "--vars", json.dumps(VARS), *extra,
    ]
    started = time.perf_counter()
    proc = subprocess.run(command, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    lines = [_message(line) for line in proc.stdout.splitlines() if line.strip()]
    summary = next((line for line in reversed(lines) if "PASS=" in line or "Nothing to do" in line),
                   lines[-1] if lines else "")
    if proc.returncode != 0:
        sys.stderr.write("\n".join(lines)[-4000:] + proc.stderr[-2000:])
        raise SystemExit(f"dbt build failed ({proc.returncode})")
    ran = len(json.loads((work / "target" / "run_results.json").read_text(encoding="utf-8"))["results"])
    return elapsed, summary.split("  ", 1)[-1].strip(), ran


def _match_offices(db: Path) -> None:
    """What the parse step does before dbt: the offices matched in Python."""
    from scrapers.offices import match_offices

    con = connect(db)
    try:
        match_offices(con)
    finally:
        con.close()


def _message(line: str) -> str:
    """The text of one of dbt's log lines, JSON or not."""
    if line.startswith("{"):
        try:
            return json.loads(line)["info"]["msg"]
        except (ValueError, KeyError):
            pass
    return line


def selection_build(db: Path, work: Path) -> tuple[float, str, int, str]:
    """What the pipeline's dbt asset runs (assets/dbt.py): the plan of builds.py, its selection
    against the state the last build left in raw.builds, dbt started the pipeline's way; the
    build is recorded as the asset records it. Returns (seconds, dbt's last line, nodes run,
    the plan's reason)."""
    _match_offices(db)
    started = time.perf_counter()
    plan = builds.plan(db, VARS)
    assert plan.select is not None, f"the pipeline would build in full: {plan.reason}"
    args = plan.state_args(work / "state")
    planned = time.perf_counter() - started
    # dbt_build matches the offices again before its clock starts (nothing to match by then)
    seconds, line, ran = dbt_build(db, work, *args, pipeline=True)
    started = time.perf_counter()
    builds.record_build(db, plan.fingerprint, "bench", seconds, raw_tables=plan.raw_tables,
                        manifest=work / "target" / "manifest.json", cli_vars=VARS)
    return planned + seconds + time.perf_counter() - started, line, ran, plan.reason


def _slowest_nodes(work: Path, count: int = 8) -> list[tuple[str, float]]:
    """The nodes of the last build that took longest (dbt's run_results.json)."""
    results = json.loads((work / "target" / "run_results.json").read_text(encoding="utf-8"))["results"]
    timed = sorted(((r["unique_id"].split(".")[-1], r["execution_time"]) for r in results), key=lambda r: -r[1])
    return timed[:count]


def _runs(values: list[float]) -> str:
    return ", ".join(f"{v:.1f}" for v in values) + " s"


def _mart_digest(db: Path) -> dict[str, tuple[int, int]]:
    """Each mart's row count and an order-free hash of its rows."""
    con = connect(db, read_only=True)
    try:
        tables = [t for (t,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' order by 1").fetchall()]
        return {t: con.execute(f'select count(*), coalesce(sum(hash(m)), 0) from marts."{t}" as m').fetchone()
                for t in tables}
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--db", help="where to write the synthetic warehouse (default: a temporary folder)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--runs", type=int, default=5, help="no-change rebuilds to take the median of (0: none)")
    parser.add_argument("--no-change-only", action="store_true",
                        help="stop after the no-change rebuilds (a 1M-report run needs only the full build)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="xxgk-bench-") as tmp:
        work = Path(tmp)
        db = Path(args.db) if args.db else work / "bench.duckdb"
        if db.exists():
            db.unlink()
        started = time.perf_counter()
        counts = generate_raw(db, args.reports)
        generated = time.perf_counter() - started

        figures: dict[str, float] = {}
        notes: dict[str, str] = {}
        figures["full build"], notes["full build"], _ = dbt_build(db, work)
        print(f"full build {figures['full build']:.1f} s", file=sys.stderr, flush=True)
        slowest = _slowest_nodes(work)
        # the largest child so far is that dbt process (the raw schema was made in this one)
        notes["full build"] += f"; peak RSS of dbt {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:,.0f} MiB"
        # the state the pipeline's dbt asset records after a build (assets/dbt.py)
        full_plan = builds.plan(db, VARS)
        builds.record_build(db, full_plan.fingerprint, "bench", figures["full build"], raw_tables=full_plan.raw_tables,
                            manifest=work / "target" / "manifest.json", cli_vars=VARS)
        # Four builds in turn, each with nothing changed: the bare `dbt build`, the pipeline's
        # selection build, and each one's floor, dbt started the same way on a selection of
        # nothing (start, project parse, manifest: the part of any build no model or test can
        # remove).
        bare, bare_floor, selected, selected_floor = [], [], [], []
        for _ in range(args.runs):
            bare.append(dbt_build(db, work))
            slowest = _slowest_nodes(work)
            bare_floor.append(dbt_build(db, work, "--select", "tag:no-such-tag")[0])
            selected.append(selection_build(db, work))
            selected_floor.append(dbt_build(db, work, "--select", "tag:no-such-tag", pipeline=True)[0])
        if bare:
            rerun, floor = statistics.median(s for s, *_ in bare), statistics.median(bare_floor)
            figures["bare no-change build"] = rerun
            notes["bare no-change build"] = (
                f"runs {_runs([s for s, *_ in bare])}, {bare[-1][2]} nodes; floor (dbt on an empty selection) "
                f"{floor:.1f} s (runs {_runs(bare_floor)}), ratio {rerun / floor:.1f}; {bare[-1][1]}")
            rerun, floor = statistics.median(s for s, *_ in selected), statistics.median(selected_floor)
            figures["selection build, no change"] = rerun
            notes["selection build, no change"] = (
                f"runs {_runs([s for s, *_ in selected])}, {selected[-1][2]} nodes; floor (dbt started the "
                f"pipeline's way on an empty selection) {floor:.1f} s (runs {_runs(selected_floor)}), "
                f"ratio {rerun / floor:.2f}; {selected[-1][3]}; {selected[-1][1]}")
        if args.no_change_only:
            return _print(args, counts, generated, figures, notes, 0, slowest, _mart_counts(db))
        # what `xxgk run` does when nothing is new: compare fingerprints, start no dbt
        checks = []
        for _ in range(5):
            t0 = time.perf_counter()
            current, _ = builds.up_to_date(db)
            checks.append(time.perf_counter() - t0)
            assert current, "the fingerprint moved without a change"
        figures["no-change run (no dbt call)"] = statistics.median(checks)
        notes["no-change run (no dbt call)"] = "fingerprint checks " + ", ".join(f"{c * 1000:.0f}" for c in checks) + " ms"

        # 1% new versions, built both ways from the same warehouse at the same path (so that
        # dbt's partial parse stays valid): the bare build on it, the result set aside; the
        # warehouse put back, the same versions added, the selection build on it.
        before = work / "before-change.duckdb"
        shutil.copy(db, before)
        bumped = add_new_versions(db)
        assert not builds.up_to_date(db)[0], "new versions left the fingerprint unchanged"
        seconds, line, ran = dbt_build(db, work)
        figures["bare build after 1% new versions"] = seconds
        notes["bare build after 1% new versions"] = f"{ran} nodes; {line}"
        bare_marts = _mart_digest(db)
        os.replace(before, db)
        assert add_new_versions(db) == bumped
        seconds, line, ran, reason = selection_build(db, work)
        figures["selection build after 1% new versions"] = seconds
        same = _mart_digest(db) == bare_marts
        notes["selection build after 1% new versions"] = (
            f"{ran} nodes ({reason}); marts {'equal to' if same else 'DIFFERENT FROM'} the bare build's; {line}")
        assert same, "the selection build's marts differ from the bare build's"
        marts = _mart_counts(db)
    return _print(args, counts, generated, figures, notes, bumped, slowest, marts)


def _mart_counts(db: Path) -> dict[str, int]:
    con = connect(db, read_only=True)
    try:
        return {
            t: con.execute(f'select count(*) from marts."{t}"').fetchone()[0]
            for (t,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
            ).fetchall()
        }
    finally:
        con.close()


def _print(args, counts, generated, figures, notes, bumped, slowest, marts) -> int:
    if args.json:
        print(json.dumps({"raw": counts, "generated_s": generated, "new_versions": bumped,
                          "seconds": figures, "marts": marts}, indent=1))
        return 0
    print(f"synthetic raw schema: {counts['reports']:,} reports, {counts['documents']:,} document versions, "
          f"{counts['parses']:,} parses, {counts['cells']:,} cells ({generated:.1f} s to generate)")
    print("marts: " + ", ".join(f"{t} {n:,}" for t, n in marts.items()))
    for step, seconds in figures.items():
        goal = GOALS.get(step)
        verdict = "" if goal is None else ("  goal < %.0f s: %s" % (goal, "met" if seconds < goal else "MISSED"))
        print(f"{step:40s} {seconds:6.1f} s{verdict}   [{notes[step]}]")
    if "selection build after 1% new versions" in figures:
        print(f"({bumped:,} reports got a new version before the last build)")
    print("slowest nodes of the last build: " + ", ".join(f"{n} {t:.2f} s" for n, t in slowest))
    return 0


if __name__ == "__main__":
    sys.exit(main())
