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
from scrapers.settings import DEFAULT_REGISTRY

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
    assert keys == registry_districts(DEFAULT_REGISTRY)
    assert len(keys) == 16 and "朝阳" in keys and len(set(keys)) == len(keys)


def test_every_step_that_opens_the_warehouse_is_in_the_writer_pool(graph):
    # the crawl and the folder write the archive only, so they run side by side
    archive_writers = {dg.AssetKey("portal_crawl"), dg.AssetKey("local_documents")}
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if node.is_materializable:
            assert node.pools == (set() if key in archive_writers else {"duckdb_writer"}), key
    from dagster_project.checks import mart_checks

    assert {c.node_def.pool for c in mart_checks} == {"duckdb_writer"}


def test_identity_checks_and_dbt_tests_are_asset_checks(graph):
    checks = {(c.asset_key.to_user_string(), c.name) for c in graph.asset_check_keys}
    assert ("marts/qa_identity_violations", "reports_satisfy_identities") in checks
    assert ("marts/dim_report", "every_document_parsed") in checks
    # dbt tests on models, and dbt source tests on the asset the sources map to
    assert any(a.startswith("marts/") for a, _ in checks)
    assert any(a == "parsed_reports" and n.startswith("source_") for a, n in checks)


def test_crawl_retries_in_schedules_but_not_in_xxgk_run():
    from dagster_project.assets.documents import build_portal_crawl, portal_crawl

    policy = portal_crawl.op.retry_policy
    assert policy is not None and policy.max_retries >= 1 and policy.delay >= 30
    assert build_portal_crawl(retry_policy=None).op.retry_policy is None


def test_named_jobs_select_by_asset_name_not_position():
    crawl = {k.to_user_string() for k in defs.resolve_job_def("crawl_portals").asset_layer.selected_asset_keys}
    assert crawl == {"portal_crawl"}
    build = {k.to_user_string() for k in defs.resolve_job_def("build_warehouse").asset_layer.selected_asset_keys}
    assert {"parsed_reports", "marts/fct_requests", "mart_exports", "raw/offices"} <= build
    assert not build & {"portal_crawl", "local_documents"}
    # every asset is in exactly one of the three jobs
    ingest = {k.to_user_string() for k in defs.resolve_job_def("ingest_folder").asset_layer.selected_asset_keys}
    every = {k.to_user_string() for k in defs.get_repository_def().asset_graph.materializable_asset_keys}
    assert crawl | ingest | build == every and not crawl & ingest


def test_settings_are_resolved_once_explicit_then_environment_then_default(tmp_path):
    from scrapers.settings import DEFAULT_WAIT_S, Settings, SettingsError

    env = {"XXGK_DB": str(tmp_path / "env.duckdb"), "XXGK_REGISTRY": str(tmp_path / "p.csv"),
           "XXGK_YEARS": "2023, 2024", "XXGK_RATE": "0.5"}
    settings = Settings.resolve(rate=0.0, env=env)
    assert settings.db == tmp_path / "env.duckdb" and settings.registry == tmp_path / "p.csv"
    assert settings.years == (2023, 2024) and settings.rate == 0.0 and settings.wait_s == DEFAULT_WAIT_S
    # everything that belongs to a warehouse sits beside it
    assert settings.archive == tmp_path / "archive" and settings.dagster_home == tmp_path / "env.dagster"
    assert settings.dbt_target == tmp_path / "env.dbt" and settings.log_dir == tmp_path / "env.logs"
    assert Settings.resolve(db=tmp_path / "x.duckdb", env={**env, "DAGSTER_HOME": str(tmp_path / "h")}).dagster_home == tmp_path / "h"
    assert Settings.resolve(env={}).db == REPO / "data" / "xxgk.duckdb"
    assert not Settings.resolve(env={}).schedules_on and Settings.resolve(env={"XXGK_SCHEDULES": "on"}).schedules_on
    for bad in ({"XXGK_RATE": "fast"}, {"XXGK_YEARS": "1999"}, {"XXGK_WAIT": "-1"}):
        with pytest.raises(SettingsError):
            Settings.resolve(env=bad)


def test_schedules_and_sensors_are_off_until_an_operator_turns_them_on(tmp_path):
    from dagster_project.location import build_definitions
    from scrapers.settings import Settings

    for env, status in (({}, "STOPPED"), ({"XXGK_SCHEDULES": "on"}, "RUNNING")):
        built = build_definitions(Settings.resolve(db=tmp_path / "x.duckdb", env=env)).get_repository_def()
        assert {s.default_status.value for s in built.schedule_defs} == {status}
        assert {s.default_status.value for s in built.sensor_defs} == {status}
    # the module dagster dev loads, in this (test) environment
    assert {s.default_status.value for s in defs.get_repository_def().schedule_defs} == {"STOPPED"}


# -- schedules -------------------------------------------------------------------------------

def _schedules() -> list[dg.ScheduleDefinition]:
    named = {s.name: s for s in defs.get_repository_def().schedule_defs}
    return [named["off_season_weekly"], named["publication_season_daily"], named["yearly_full_recrawl"]]


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
    from dagster_project.schedules import in_season

    off_season_weekly, publication_season_daily, yearly_full_recrawl = _schedules()

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


def test_a_tick_is_one_crawl_run_over_every_district_and_refresh_once_a_year():
    off_season_weekly, publication_season_daily, yearly_full_recrawl = _schedules()
    tz = ZoneInfo("Asia/Shanghai")
    repo = defs.get_repository_def()
    districts = registry_districts(DEFAULT_REGISTRY)
    whole = {"dagster/asset_partition_range_start": districts[0], "dagster/asset_partition_range_end": districts[-1]}

    def evaluate(schedule: dg.ScheduleDefinition, when: datetime):
        # the context is closed after each tick: an open one leaves its instance current for later tests
        with dg.build_schedule_context(instance=instance, scheduled_execution_time=when, repository_def=repo) as ctx:
            return schedule.evaluate_tick(ctx)

    with dg.instance_for_test() as instance:
        [request] = evaluate(publication_season_daily, datetime(2027, 2, 10, 3, tzinfo=tz)).run_requests
        assert whole.items() <= request.tags.items() and request.partition_key is None
        assert request.run_config["ops"]["portal_crawl"]["config"]["refresh"] is False
        assert publication_season_daily.job_name == "crawl_portals"

        skipped = evaluate(off_season_weekly, datetime(2027, 1, 18, 3, tzinfo=tz))  # a Monday in the season
        assert not skipped.run_requests and "publication season" in skipped.skip_message
        assert len(evaluate(off_season_weekly, datetime(2027, 4, 19, 3, tzinfo=tz)).run_requests) == 1

        [request] = evaluate(yearly_full_recrawl, datetime(2028, 1, 1, 1, tzinfo=tz)).run_requests
        assert request.run_config["ops"]["portal_crawl"]["config"]["refresh"] is True
        assert request.tags["xxgk/trigger"] == "yearly_full_recrawl"


def test_the_inbox_sensor_loads_a_folder_once_per_change(tmp_path):
    from dagster_project.sensors import build_sensors

    inbox = tmp_path / "inbox"
    local_inbox = {s.name: s for s in build_sensors(inbox, running=False)}["local_inbox"]
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
    assert request.run_config["ops"]["local_documents"]["config"]["folder"] == str(inbox)
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


def test_a_run_record_whose_pid_now_belongs_to_another_process_is_released():
    """Regression: a run record left by a process whose PID is alive again as another process
    (after a reboot, or PID 1 of a new container) blocked every later `xxgk run` for ever."""
    from dagster_project.run import HOST_TAG, PID_TAG, PROCESS_TAG, process_identity, release_abandoned_runs

    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        mine = process_identity(live.pid)
        assert mine is not None
        boot, _started = mine.rsplit(":", 1)
        with dg.instance_for_test() as instance:
            job = dg.GraphDefinition("g").to_job()
            tags = {HOST_TAG: os.uname().nodename, PID_TAG: str(live.pid)}
            reused = instance.create_run_for_job(job, tags={**tags, PROCESS_TAG: f"{boot}:1"}, status=dg.DagsterRunStatus.STARTED)
            running = instance.create_run_for_job(job, tags={**tags, PROCESS_TAG: mine}, status=dg.DagsterRunStatus.STARTED)
            # this very process, recorded by an earlier boot (a container's PID 1 after a restart)
            me = instance.create_run_for_job(
                job, tags={**tags, PID_TAG: str(os.getpid()), PROCESS_TAG: "another-boot:5"}, status=dg.DagsterRunStatus.STARTED
            )
            assert sorted(release_abandoned_runs(instance)) == sorted([reused.run_id, me.run_id])
            assert instance.get_run_by_id(running.run_id).status == dg.DagsterRunStatus.STARTED
    finally:
        live.kill()
        live.wait()


# -- the writer lock -------------------------------------------------------------------------

HOLD = textwrap.dedent("""
    import sys, time, duckdb
    con = duckdb.connect(sys.argv[1])
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
""")


def test_waiting_for_the_file_outlasts_another_process_holding_it(tmp_path):
    from scrapers.load.warehouse import wait_until_free

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
    from scrapers.load.warehouse import WarehouseBusy, exclusive_turn

    db = tmp_path / "x.duckdb"
    other = textwrap.dedent("""
        import sys, time
        from pathlib import Path
        from scrapers.load.warehouse import exclusive_turn
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
                             "from pathlib import Path\nfrom scrapers.load.warehouse import exclusive_turn\n"
                             "with exclusive_turn(Path(sys.argv[1])):\n    print('in', flush=True); time.sleep(60)", str(db)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "in"
    proc.kill()
    proc.wait()
    with exclusive_turn(db, timeout_s=2):  # the kernel dropped the killed holder's lock
        pass
