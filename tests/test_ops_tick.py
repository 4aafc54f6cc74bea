"""A tick as the daemon runs it: documents arrive in one run, the sensor launches one build
when something is new, and a tick with nothing new builds nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import pytest

from dagster_project.location import build_definitions
from scrapers.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures"

pytestmark = pytest.mark.slow


def _success_event(instance: dg.DagsterInstance, run_id: str):
    [record] = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.RUN_SUCCESS).records
    return record.event_log_entry.dagster_event


def _evaluate(sensor, instance, result, repo):
    run = instance.get_run_by_id(result.run_id)
    with dg.build_run_status_sensor_context(
        sensor_name=sensor.name, dagster_instance=instance, dagster_run=run,
        dagster_event=_success_event(instance, result.run_id), repository_def=repo,
    ) as ctx:
        return sensor(ctx)


def _marts_built(result: dg.ExecuteInProcessResult) -> int:
    return sum(e.asset_key.path[0] == "marts" for e in result.get_asset_materialization_events())


def test_a_tick_with_nothing_new_runs_no_build(tmp_path, monkeypatch):
    from dagster_project.resources import DbtCli

    calls = []
    real_cli = DbtCli.cli

    def counting_cli(self, args, **kwargs):
        calls.append(list(args))
        return real_cli(self, args, **kwargs)

    monkeypatch.setattr(DbtCli, "cli", counting_cli)
    folder = tmp_path / "inbox"
    folder.mkdir()
    shutil.copy(FIXTURES / "corpus" / "seed" / "000_3cfb3787871ff2e9.txt", folder)
    settings = Settings.resolve(db=tmp_path / "xxgk.duckdb", env={})
    defs = build_definitions(settings)
    repo = defs.get_repository_def()
    sensor = {s.name: s for s in repo.sensor_defs}["build_after_documents"]
    ingest, build = defs.resolve_job_def("ingest_folder"), defs.resolve_job_def("build_warehouse")
    config = {"ops": {"local_documents": {"config": {"folder": str(folder)}}}}
    with dg.instance_for_test() as instance:
        first = ingest.execute_in_process(run_config=config, instance=instance)
        request = _evaluate(sensor, instance, first, repo)
        assert isinstance(request, dg.RunRequest) and request.run_key == first.run_id
        built = build.execute_in_process(instance=instance, tags=request.tags)
        assert built.success and _marts_built(built) > 0 and len(calls) == 1

        again = ingest.execute_in_process(run_config=config, instance=instance)
        skipped = _evaluate(sensor, instance, again, repo)
        assert isinstance(skipped, dg.SkipReason) and "fetched nothing new" in skipped.skip_message

        # and a build launched anyway (from the UI) starts no dbt: nothing it reads changed
        idle = build.execute_in_process(instance=instance)
        assert idle.success and _marts_built(idle) == 0
        logs = [entry.user_message for entry in instance.all_logs(idle.run_id)]
        assert any("warehouse up to date" in m for m in logs)
        assert len(calls) == 1
