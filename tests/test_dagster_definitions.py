"""The code location without running the pipeline: the graph, the pools, the schedules, the
instance config, and the pieces that keep overlapping and killed runs safe."""

import os
import shutil
import subprocess
import sys
import textwrap
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb
import pytest

from dagster_project.definitions import defs
from dagster_project.partitions import registry_districts

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def graph():
    return defs.get_repository_def().asset_graph


def test_definitions_validate():
    # the Python equivalent of `dagster definitions validate -m dagster_project.definitions`
    dg.Definitions.validate_loadable(defs)


def test_the_graph_is_one_line_from_portal_to_export(graph):
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert {"portal_crawl", "local_documents", "parsed_reports", "mart_exports", "marts/fct_requests"} <= keys
    # dbt reads every raw table as a source mapped to the asset that writes them
    assert not any(k.startswith("raw/") and k[4:] in {"documents", "parses", "cells", "checks", "fetches"} for k in keys)
    for key in graph.get_all_asset_keys():
        if key.path[0] == "staging":
            assert dg.AssetKey("parsed_reports") in graph.get(key).parent_keys, key
    upstream_of_export = graph.get(dg.AssetKey("mart_exports")).parent_keys
    marts = {k for k in graph.get_all_asset_keys() if k.path[0] == "marts"}
    assert marts and upstream_of_export == marts
    # and the export is reached from the crawl
    ancestors = graph.get_ancestor_asset_keys(dg.AssetKey("mart_exports"))
    assert dg.AssetKey("portal_crawl") in ancestors


def test_the_crawl_is_partitioned_by_the_registry_districts(graph):
    partitions = graph.get(dg.AssetKey("portal_crawl")).partitions_def
    keys = partitions.get_partition_keys()
    assert keys == registry_districts()
    assert len(keys) == 16 and "朝阳" in keys and len(set(keys)) == len(keys)


def test_every_step_that_opens_the_warehouse_is_in_the_writer_pool(graph):
    # the crawl and the folder write the archive only, so they run side by side
    archive_writers = {dg.AssetKey("portal_crawl"), dg.AssetKey("local_documents")}
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if node.is_materializable:
            assert node.pools == (set() if key in archive_writers else {"duckdb_writer"}), key
    from dagster_project.checks import parse_checks

    assert {c.node_def.pool for c in parse_checks} == {"duckdb_writer"}


def test_identity_checks_and_dbt_tests_are_asset_checks(graph):
    checks = {(c.asset_key.to_user_string(), c.name) for c in graph.asset_check_keys}
    assert ("parsed_reports", "reports_satisfy_identities") in checks
    assert ("parsed_reports", "every_document_parsed") in checks
    # dbt tests on models, and dbt source tests on the asset the sources map to
    assert any(a.startswith("marts/") for a, _ in checks)
    assert any(a == "parsed_reports" and n.startswith("source_") for a, n in checks)


def test_crawl_retries_in_schedules_but_not_in_xxgk_run():
    from dagster_project.assets.documents import build_portal_crawl, portal_crawl

    policy = portal_crawl.op.retry_policy
    assert policy is not None and policy.max_retries >= 1 and policy.delay >= 30
    assert build_portal_crawl(retry_policy=None).op.retry_policy is None


def test_the_scheduled_job_covers_crawl_to_export():
    job = defs.resolve_job_def("refresh_district")
    selected = {k.to_user_string() for k in job.asset_layer.selected_asset_keys}
    assert {"portal_crawl", "parsed_reports", "marts/fct_requests", "mart_exports"} <= selected
    assert "local_documents" not in selected


def test_crawl_settings_fall_back_to_the_environment_field_by_field(monkeypatch, tmp_path):
    from dagster_project.resources import CrawlSettings

    registry = tmp_path / "portals.csv"
    monkeypatch.setenv("XXGK_REGISTRY", str(registry))
    monkeypatch.setenv("XXGK_YEARS", "2023, 2024")
    monkeypatch.setenv("XXGK_RATE", "0.5")
    seen = {}

    @dg.asset
    def probe(crawl_settings: CrawlSettings):
        seen.update(registry=crawl_settings.registry_path, years=crawl_settings.report_years,
                    rate=crawl_settings.requests_per_second)

    # a launchpad override of the rate leaves the registry and the years to the environment
    result = dg.materialize([probe], resources={"crawl_settings": CrawlSettings()}, instance=dg.DagsterInstance.ephemeral(),
                            run_config={"resources": {"crawl_settings": {"config": {"rate": 0.0}}}})
    assert result.success
    assert seen == {"registry": registry, "years": [2023, 2024], "rate": 0.0}
    assert CrawlSettings().requests_per_second == 0.5


# -- schedules -------------------------------------------------------------------------------

def _ticks(schedule: dg.ScheduleDefinition, year: int) -> list[datetime]:
    from dagster._utils.schedules import cron_string_iterator

    tz = schedule.execution_timezone
    start = datetime(year - 1, 12, 31, 12, tzinfo=ZoneInfo(tz)).timestamp()
    ticks = []
    crons = schedule.cron_schedule if isinstance(schedule.cron_schedule, list) else [schedule.cron_schedule]
    for cron in crons:
        for tick in cron_string_iterator(start, cron, tz):
            if tick.year > year:
                break
            ticks.append(tick)
    return sorted(ticks)


def _season(year: int) -> set[date]:
    first, last = date(year, 1, 15), date(year, 4, 15)
    return {first + timedelta(days=i) for i in range((last - first).days + 1)}


@pytest.mark.parametrize("year", [2027, 2028])  # 2028 is a leap year
def test_daily_in_the_publication_season_and_weekly_outside(year):
    from dagster_project.schedules import in_season, off_season_weekly, publication_season_daily, yearly_full_recrawl

    daily = {t.date() for t in _ticks(publication_season_daily, year)}
    assert daily == _season(year)
    weekly = [t.date() for t in _ticks(off_season_weekly, year)]
    assert all(d.weekday() == 0 for d in weekly)
    # every off-season Monday has a tick the schedule acts on, and in-season ticks are skipped
    acted = [d for d in weekly if not in_season(d)]
    mondays = [date(year, 1, 1) + timedelta(days=i) for i in range(366)]
    mondays = [d for d in mondays if d.year == year and d.weekday() == 0 and d not in _season(year)]
    assert acted == mondays
    yearly = [t for t in _ticks(yearly_full_recrawl, year)]
    assert [(t.month, t.day) for t in yearly] == [(1, 1)]
    assert all(t.utcoffset() == timedelta(hours=8) and t.hour == 3 for t in _ticks(publication_season_daily, year))


def test_schedule_runs_one_crawl_per_district_and_refresh_once_a_year():
    from dagster_project.schedules import off_season_weekly, publication_season_daily, yearly_full_recrawl

    tz = ZoneInfo("Asia/Shanghai")
    repo = defs.get_repository_def()

    def evaluate(schedule: dg.ScheduleDefinition, when: datetime):
        # the context is closed after each tick: an open one leaves its instance current for later tests
        with dg.build_schedule_context(instance=instance, scheduled_execution_time=when, repository_def=repo) as ctx:
            return schedule.evaluate_tick(ctx)

    with dg.instance_for_test() as instance:
        requests = evaluate(publication_season_daily, datetime(2027, 2, 10, 3, tzinfo=tz)).run_requests
        assert sorted(r.partition_key for r in requests) == sorted(registry_districts())
        assert all(r.run_config["ops"]["portal_crawl"]["config"]["refresh"] is False for r in requests)

        skipped = evaluate(off_season_weekly, datetime(2027, 1, 18, 3, tzinfo=tz))  # a Monday in the season
        assert not skipped.run_requests and "publication season" in skipped.skip_message
        assert len(evaluate(off_season_weekly, datetime(2027, 4, 19, 3, tzinfo=tz)).run_requests) == len(registry_districts())

        requests = evaluate(yearly_full_recrawl, datetime(2028, 1, 1, 1, tzinfo=tz)).run_requests
        assert len(requests) == len(registry_districts())
        assert all(r.run_config["ops"]["portal_crawl"]["config"]["refresh"] is True for r in requests)
        assert all(r.tags["xxgk/trigger"] == "yearly_full_recrawl" for r in requests)


def test_the_inbox_sensor_loads_a_folder_once_per_change(tmp_path, monkeypatch):
    from dagster_project.sensors import local_inbox

    inbox = tmp_path / "inbox"
    monkeypatch.setenv("XXGK_INBOX", str(inbox))
    repo = defs.get_repository_def()

    def tick(cursor):
        with dg.instance_for_test() as instance:
            with dg.build_sensor_context(instance=instance, cursor=cursor, repository_def=repo) as ctx:
                result = local_inbox.evaluate_tick(ctx)
                return result, ctx.cursor

    result, cursor = tick(None)
    assert not result.run_requests and "no report files" in result.skip_message
    inbox.mkdir()
    shutil.copy(REPO / "tests" / "fixtures" / "reports" / "beijing-chaoyang-xiangheyuan-2019.txt", inbox)
    result, cursor = tick(None)
    [request] = result.run_requests
    assert local_inbox.job_name == "ingest_folder"
    assert request.run_config["ops"]["local_documents"]["config"]["folder"] == str(inbox.resolve())
    result, same = tick(cursor)
    assert not result.run_requests and same == cursor
    (inbox / "another.txt").write_text("2020年政府信息公开工作年度报告", encoding="utf-8")
    result, changed = tick(cursor)
    assert len(result.run_requests) == 1 and changed != cursor


# -- the instance ----------------------------------------------------------------------------

def test_instance_config_limits_the_writer_pool_and_runs_per_district(tmp_path):
    shutil.copy(REPO / "dagster_home" / "dagster.yaml", tmp_path / "dagster.yaml")
    instance = dg.DagsterInstance.from_config(str(tmp_path))
    try:
        config = instance.get_concurrency_config()
        assert config.pool_config.default_pool_limit == 1
        limits = config.run_queue_config.tag_concurrency_limits
        assert {"key": "dagster/partition", "value": {"applyLimitPerUniqueValue": True}, "limit": 1} in limits
        assert instance.run_monitoring_enabled
    finally:
        instance.dispose()


def test_a_killed_xxgk_run_gives_back_its_pool_slot():
    """Regression: a SIGKILLed `xxgk run` kept its slot of the writer pool, and the next run
    waited for it forever."""
    from dagster_project.run import HOST_TAG, PID_TAG, release_abandoned_runs

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    with dg.instance_for_test(overrides={"concurrency": {"pools": {"default_limit": 1}}}) as instance:
        tags = {HOST_TAG: os.uname().nodename, PID_TAG: str(dead.pid)}
        run = instance.create_run_for_job(dg.GraphDefinition("g").to_job(), tags=tags, status=dg.DagsterRunStatus.STARTED)
        alive = instance.create_run_for_job(
            dg.GraphDefinition("g").to_job(), tags={**tags, PID_TAG: str(os.getpid())}, status=dg.DagsterRunStatus.STARTED
        )
        storage = instance.event_log_storage
        storage.initialize_concurrency_limit_to_default("duckdb_writer")
        assert storage.claim_concurrency_slot("duckdb_writer", run.run_id, "portal_crawl").is_claimed
        assert not storage.claim_concurrency_slot("duckdb_writer", "other", "parsed_reports").is_claimed  # waits

        assert release_abandoned_runs(instance) == [run.run_id]
        assert instance.get_run_by_id(run.run_id).status == dg.DagsterRunStatus.FAILURE
        assert instance.get_run_by_id(alive.run_id).status == dg.DagsterRunStatus.STARTED
        # the run that was waiting behind the dead one gets the slot
        assert storage.claim_concurrency_slot("duckdb_writer", "other", "parsed_reports").is_claimed


# -- the writer lock -------------------------------------------------------------------------

HOLD = textwrap.dedent("""
    import sys, time, duckdb
    con = duckdb.connect(sys.argv[1])
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
""")


def test_waiting_for_the_file_outlasts_another_process_holding_it(tmp_path):
    from dagster_project.warehouse_lock import wait_until_free

    db = tmp_path / "x.duckdb"
    duckdb.connect(str(db)).close()
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(db), "1.5"], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    started = time.monotonic()
    with pytest.raises(duckdb.IOException, match="lock"):
        duckdb.connect(str(db))
    wait_until_free(db, timeout_s=30)
    assert time.monotonic() - started > 0.5
    duckdb.connect(str(db)).close()  # now it opens
    holder.wait()


def test_builds_take_the_warehouse_in_turn_across_processes(tmp_path):
    from dagster_project.warehouse_lock import WarehouseBusy, exclusive_turn

    db = tmp_path / "x.duckdb"
    other = textwrap.dedent("""
        import sys, time
        from pathlib import Path
        from dagster_project.warehouse_lock import exclusive_turn
        with exclusive_turn(Path(sys.argv[1]), timeout_s=1):
            print("in", flush=True)
            time.sleep(1.0)
    """)
    with exclusive_turn(db):
        proc = subprocess.Popen([sys.executable, "-c", other, str(db)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        out, err = proc.communicate(timeout=30)
        assert proc.returncode != 0 and "WarehouseBusy" in err  # it gave up while we held the turn
    proc = subprocess.Popen([sys.executable, "-c", other, str(db)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "in"
    with pytest.raises(WarehouseBusy):
        with exclusive_turn(db, timeout_s=0.3):
            pass
    proc.wait()
    proc = subprocess.Popen([sys.executable, "-c", "import os, signal, sys, time\n"
                             "from pathlib import Path\nfrom dagster_project.warehouse_lock import exclusive_turn\n"
                             "with exclusive_turn(Path(sys.argv[1])):\n    print('in', flush=True); time.sleep(60)", str(db)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "in"
    proc.kill()
    proc.wait()
    with exclusive_turn(db, timeout_s=2):  # the kernel dropped the killed holder's lock
        pass
