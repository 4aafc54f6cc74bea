"""`xxgk run` end to end against the crawler's local replay of four portals (东城, 西城, 大兴, 朝阳)
and one portal that does not answer: the marts it builds, the metadata and checks Dagster
records, a second run, a run killed mid-crawl and restarted by two overlapping runs.

One materialisation is shared by the module; nothing here touches the internet.
"""

import functools
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from crawl_mirror import FIXTURES as MIRROR_FIXTURES
from crawl_mirror import SITE_DISTRICTS, SITES, Mirror
from test_crawl import CONFIG, EXPECTED  # the mirror's reports, and fetch settings sized for tests

from dagster_project.run import run_pipeline, summary_lines
from scrapers.settings import REPO_ROOT, SEEDS_DIR, Settings

pytestmark = pytest.mark.slow

DISTRICTS = tuple(SITE_DISTRICTS[site] for site in SITES)

# A subprocess `xxgk run` with the crawler's test-sized timeouts, as test_crawl sets them.
RUNNER = f"""
import functools, sys
import scrapers.crawl.run as crawl_run
from scrapers.crawl.fetch import FetchConfig
crawl_run.FetchConfig = functools.partial(FetchConfig, **{CONFIG!r})
from dagster_project.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _query(db: Path, sql: str, params=()) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def snapshot(db: Path) -> dict[str, Counter]:
    """Every mart and the raw tables that hold data (not the fetch log), row by row, without
    the columns that record when something happened."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables where table_schema = 'marts'"
            " or (table_schema = 'raw' and table_name in ('documents', 'blobs', 'parses', 'cells', 'checks'))"
        ).fetchall()
        out = {}
        for schema, table in tables:
            columns = [
                f'"{c}"' for c, t in con.execute(
                    "select column_name, data_type from information_schema.columns where table_schema = ? and table_name = ?",
                    [schema, table],
                ).fetchall()
                # version_key hashes parsed_at, so it is a time too
                if not t.startswith(("TIMESTAMP", "BLOB")) and c != "version_key"
            ]
            rows = con.execute(f'select {", ".join(columns)} from {schema}."{table}"').fetchall()
            out[f"{schema}.{table}"] = Counter(map(repr, rows))
        return out
    finally:
        con.close()


@pytest.fixture(scope="module")
def mirror():
    with Mirror(faults=False) as m:
        yield m


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("dagster_pipeline")


@pytest.fixture(scope="module")
def registry(mirror, workdir):
    """The mirror's portals, and 顺义 on a port where nothing listens."""
    path = mirror.write_registry(workdir / "portals.csv", SEEDS_DIR / "portals.csv")
    dead = f"127.0.0.1:{_closed_port()}"
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(f"顺义,110113,{dead},http://{dead}/gongkai/zfxxgk/zfxxgknb/,{dead},unreachable on purpose,,,,,,,\n")
    return path, dead


@pytest.fixture(scope="module")
def instance():
    # in memory: an on-disk event log spends half of a run's time in fsync; the subprocess runs
    # below use real instances
    inst = dg.DagsterInstance.ephemeral()
    yield inst
    inst.dispose()


@pytest.fixture(scope="module")
def fast_fetch():
    import scrapers.crawl.run as crawl_run
    from scrapers.crawl.fetch import FetchConfig

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(crawl_run, "FetchConfig", functools.partial(FetchConfig, **CONFIG))
        yield


def _run(registry_file: Path, db: Path, instance):
    report = run_pipeline(Settings.resolve(registry=registry_file, db=db, rate=0), instance=instance)
    return report, "\n".join(summary_lines(report))


def _latest(instance, key: str, partition: str | None = None) -> dict:
    records = instance.fetch_materializations(dg.AssetKey(key.split("/")), limit=50).records
    for record in records:
        m = record.asset_materialization
        if partition is None or m.partition == partition:
            return {k: v.value for k, v in m.metadata.items()}
    raise AssertionError(f"no materialisation of {key} {partition or ''}")


def _check(instance, asset: str, name: str):
    key = dg.AssetCheckKey(dg.AssetKey(asset.split("/")), name)
    record = instance.event_log_storage.get_latest_asset_check_execution_by_key([key])[key]
    return record.event.dagster_event.event_specific_data


@pytest.fixture(scope="module")
def first(mirror, registry, workdir, instance, fast_fetch):
    db = workdir / "whole" / "xxgk.duckdb"
    started = time.monotonic()
    report, output = _run(registry[0], db, instance)
    # one run crawled every district: each partition's materialisation carries the run's figures
    metadata = {d: _latest(instance, "portal_crawl", d) for d in DISTRICTS}
    assert all(m == metadata[DISTRICTS[0]] for m in metadata.values())
    return {"db": db, "report": report, "output": output, "crawl": metadata[DISTRICTS[0]], "seconds": time.monotonic() - started}


@pytest.fixture(scope="module")
def second(first, mirror, registry, instance, fast_fetch):
    db = first["db"]
    before = snapshot(db)
    settled = {u for (u,) in _query(db, "select request_url from raw.fetches where status = 200 and error is null")}
    mirror.reset_log()
    report, output = _run(registry[0], db, instance)
    asked = {mirror.base(site) + path for site in SITES for path in mirror.requests_to(site)}
    metadata = _latest(instance, "portal_crawl", DISTRICTS[0])
    return {"before": before, "after": snapshot(db), "settled": settled, "asked": asked, "report": report, "crawl": metadata}


# -- one full run --------------------------------------------------------------------------

def test_a_full_run_builds_the_marts_from_the_portals(first):
    report, db = first["report"], first["db"]
    assert report["success"], report
    reports = _query(db, "select district, year, office_name from marts.dim_report where origin = 'crawl'")
    # every report the mirror holds, found on its portal, under its office, and nothing else
    assert len(reports) == report["marts"]["dim_report"] == len(EXPECTED)
    for district, year, office, _ in EXPECTED:
        assert [r for r in reports if r[0] == district and r[1] == year and office in r[2]], (district, year, office)
    assert report["marts"]["fct_proactive"] > 0 and report["marts"]["office_year_summary"] > 0


def _fixture_text(mirror: Mirror, url: str) -> str | None:
    for site in SITES:
        if url.startswith(mirror.base(site)):
            path = MIRROR_FIXTURES / site / url[len(mirror.base(site)):].lstrip("/")
            raw = path.read_bytes()
            try:
                return raw.decode("utf-8")
            except UnicodeDecodeError:
                return raw.decode("gb18030")
    return None


def test_numbers_printed_on_the_portal_pages_reach_the_marts(first, mirror):
    rows = _query(first["db"], """
        select r.source_url, p.measure, p.value from marts.fct_proactive p join marts.dim_report r using (report_id)
        where p.item = 'normative_document' and p.measure in ('issued', 'repealed', 'in_force')
    """)
    found = {(url, measure): value for url, measure, value in rows}
    checked = 0
    for url in {u for u, _ in found}:
        text = _fixture_text(mirror, url)
        printed = text and re.search(r"行政规范性文件</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td>", text)
        if not printed:
            continue
        issued, repealed, in_force = map(int, printed.groups())
        assert (found[(url, "issued")], found[(url, "repealed")], found[(url, "in_force")]) == (issued, repealed, in_force), url
        checked += 1
    # the mirror's report pages (its PDF and Word attachments are too small to hold the tables)
    assert checked >= 18


def test_an_unreachable_portal_is_named_and_the_rest_is_built(first, registry):
    _, dead = registry
    report, output = first["report"], first["output"]
    assert report["unreachable"] == [dead]
    assert re.search(rf"顺义 {re.escape(dead)}: UNREACHABLE \(.*connection", output), output
    for district in DISTRICTS:
        assert re.search(rf"^{district} 127\.0\.0\.1:\d+: \d+ pages fetched, \d+ reports", output, re.M), output
    # the crawl of the others succeeded, and the warehouse was built from it
    assert all(report["steps"].values()) and "build_warehouse" in report["steps"], report["steps"]


def test_each_materialisation_says_what_it_did(first, instance):
    crawl = first["crawl"]
    assert crawl["reports_found"] == crawl["new_versions"] == len(EXPECTED)
    assert crawl["documents_fetched"] > 0 and crawl["unreachable"] == [first["report"]["unreachable"][0]]
    # the mirror's dead ends without faults injected (see test_crawl), each under its reason, and
    # the unreachable portal crawled in the same run
    assert Counter(crawl["failures"]) == {"redirect_loop": 1, "robots_disallowed": 1, "too_large": 1,
                                          "connection": 1, "host_unreachable": 1}
    assert sum(k.startswith("start ") and str(v).startswith("http://127.0.0.1") for k, v in crawl.items()) >= len(DISTRICTS)

    parsed = _latest(instance, "parsed_reports")
    assert parsed["parsed"] == sum(parsed["by_status"].values()) == len(EXPECTED)
    db = first["db"]
    for table, n in first["report"]["marts"].items():
        meta = _latest(instance, f"marts/{table}")
        if "dagster/row_count" in meta or n:
            assert meta["dagster/row_count"] == n, table
    exports = _latest(instance, "mart_exports")
    assert exports["rows"] == first["report"]["marts"]
    for table, n in exports["rows"].items():
        files = list(Path(exports["folder"]).glob(f"{table}.*"))
        assert len(files) == 1
        assert _query(db, f"select count(*) from read_parquet('{files[0]}')")[0][0] == n


def test_identity_checks_and_dbt_tests_are_recorded_as_checks(first, instance):
    parsed = _check(instance, "marts/dim_report", "every_document_parsed")
    assert parsed.passed and parsed.severity == dg.AssetCheckSeverity.ERROR
    identities = _check(instance, "marts/qa_identity_violations", "reports_satisfy_identities")
    assert identities.severity == dg.AssetCheckSeverity.WARN
    checked = identities.metadata["reports_checked"].value
    violating = identities.metadata["reports_violating"].value
    by_district = identities.metadata["by_district"].value
    # the mirror's simplified tables carry no identity (tests/test_dagster_checks.py has real ones)
    assert checked == sum(c["reports"] for c in by_district.values())
    assert identities.passed == (violating == 0)
    # the same count the warehouse's QA mart holds
    strict = _query(first["db"], "select count(distinct report_id) from marts.qa_identity_violations where severity = 'strict'")[0][0]
    assert violating == strict
    # every dbt test on a mart ran as an asset check of that mart, and passed
    from dagster_project.definitions import defs

    keys = [k for k in defs.get_repository_def().asset_graph.asset_check_keys if k.asset_key.path == ["marts", "dim_report"]]
    records = instance.event_log_storage.get_latest_asset_check_execution_by_key(keys)
    assert keys and set(records) == set(keys)
    assert all(r.status.value == "SUCCEEDED" for r in records.values()), {k.name: r.status for k, r in records.items()}


# -- a second run ------------------------------------------------------------------------------

def test_a_second_run_changes_nothing_and_fetches_nothing_new(second):
    assert second["report"]["success"], second["report"]
    assert second["after"] == second["before"]
    assert second["crawl"]["new_versions"] == 0 and second["crawl"]["documents_fetched"] == 0, second["crawl"]
    # and the warehouse was not built again
    assert second["report"]["up_to_date"] and not second["report"]["dbt_built"]
    # whatever reached the portals again had failed the first time (the redirect loop)
    assert not second["asked"] & second["settled"]


# -- killed, then two runs at once -------------------------------------------------------------

def _xxgk_run(registry_file: Path, db: Path, home: Path) -> subprocess.Popen:
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    env.pop("XXGK_DB", None)
    return subprocess.Popen(
        [sys.executable, "-c", RUNNER, "run", "--registry", str(registry_file), "--db", str(db), "--rate", "0"],
        cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def _home(name: str) -> Path:
    """A DAGSTER_HOME with the project's instance config, on tmpfs where there is one: SQLite's
    fsyncs on every event otherwise double the time of a run."""
    shm = Path("/dev/shm")
    path = Path(tempfile.mkdtemp(prefix=f"xxgk-{name}-", dir=shm if shm.is_dir() else None))
    shutil.copy(REPO_ROOT / "dagster_home" / "dagster.yaml", path / "dagster.yaml")
    return path


@pytest.fixture(scope="module")
def interrupted(second, mirror, registry, workdir):
    """A run killed with SIGKILL while it crawls, then the same command twice at once: one with
    the killed run's instance (its pool slot must come back), one with an instance of its own
    (so the two only meet at the DuckDB file)."""
    db = workdir / "interrupted" / "xxgk.duckdb"
    db.parent.mkdir()
    home = _home("a")
    mirror.reset_log()
    killed = _xxgk_run(registry[0], db, home)
    deadline = time.monotonic() + 60
    while len(mirror.log) < 15 and killed.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert killed.poll() is None, killed.stdout.read()
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    # what the killed run left behind: its archive files, unclosed, and no slot of the writer
    # pool (the crawl writes the archive only)
    kept = len(list((db.parent / "archive").glob("*.warc.gz.open")))
    instance = dg.DagsterInstance.from_config(str(home))
    try:
        held = [s.run_id for s in instance.event_log_storage.get_concurrency_info("duckdb_writer").claimed_slots]
    finally:
        instance.dispose()

    started = time.monotonic()
    other_home = _home("b")
    runs = [_xxgk_run(registry[0], db, home), _xxgk_run(registry[0], db, other_home)]
    outputs = [p.communicate(timeout=240)[0] for p in runs]
    yield {"db": db, "kept": kept, "held": held, "runs": runs, "outputs": outputs, "seconds": time.monotonic() - started}
    shutil.rmtree(home, ignore_errors=True)
    shutil.rmtree(other_home, ignore_errors=True)


def test_a_killed_run_started_again_ends_with_the_same_warehouse(interrupted, first):
    assert interrupted["kept"] > 0  # it was killed after it had archived part of the crawl
    assert interrupted["held"] == []  # and a crawl holds no slot of the writer pool
    assert "marked failed and its pool slot freed" in interrupted["outputs"][0], interrupted["outputs"][0]
    assert snapshot(interrupted["db"]) == snapshot(first["db"])


def test_two_overlapping_runs_both_finish_without_a_lock_error(interrupted):
    for run, output in zip(interrupted["runs"], interrupted["outputs"]):
        assert run.returncode == 0, output
        assert "Could not set lock" not in output and "Conflicting lock" not in output, output
        assert "dagster runs: crawl_portals" in output and "build_warehouse" in output and "FAILED" not in output
