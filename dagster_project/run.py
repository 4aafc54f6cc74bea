"""`xxgk run`: materialise the whole graph headless, the same assets `dagster dev` shows.

One run per district crawls its portal (or one run registers a local folder), then one run
parses what is new, builds the dbt models with their tests and writes the exports. A portal
that cannot be reached is reported and the warehouse is built from what there is.
"""

import argparse
import os
import socket
import sys
from pathlib import Path

import dagster as dg

from scrapers.settings import warehouse_path

# The console shows what each step did; `XXGK_LOG_LEVEL=DEBUG` shows every Dagster event too.
LOGGING = {"loggers": {"console": {"config": {"log_level": os.environ.get("XXGK_LOG_LEVEL", "INFO")}}}}

# Runs of `xxgk run` carry their process, so that a later run can tell one that was killed.
HOST_TAG = "xxgk/host"
PID_TAG = "xxgk/pid"


def mart_counts(db: str | Path) -> dict[str, int]:
    from scrapers.load.warehouse import connect

    con = connect(db, read_only=True)
    try:
        tables = con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
        ).fetchall()
        return {t: con.execute(f'select count(*) from marts."{t}"').fetchone()[0] for (t,) in tables}
    finally:
        con.close()


def _process_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:  # a killed child its parent has not reaped yet still answers kill(0)
        return "\nState:\tZ" in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


def release_abandoned_runs(instance: dg.DagsterInstance) -> list[str]:
    """Mark failed the runs of `xxgk run` on this machine whose process is gone (killed, or the
    machine went down), and free the pool slots they held: without a daemon nobody else does,
    and the next run would wait for those slots forever."""
    statuses = [dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING]
    released = []
    for run in instance.get_runs(filters=dg.RunsFilter(statuses=statuses, tags={HOST_TAG: socket.gethostname()})):
        pid = int(run.tags.get(PID_TAG) or 0)
        if pid and pid != os.getpid() and _process_gone(pid):
            instance.report_run_failed(run, message=f"its process ({pid}) ended without finishing the run")
            instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
            released.append(run.run_id)
    return released


def _graph(registry: Path):
    """The assets and checks of the code location, with the crawl partitioned by this registry's
    districts and without the schedule's retry delays: the command reports an unreachable
    portal at once instead of waiting minutes to try again."""
    from dagster_project.assets.dbt import warehouse_models
    from dagster_project.assets.documents import build_portal_crawl, local_documents, raw_documents
    from dagster_project.assets.exports import mart_exports
    from dagster_project.assets.parses import parsed_reports
    from dagster_project.checks import parse_checks
    from dagster_project.partitions import registry_districts

    partitions = dg.StaticPartitionsDefinition(registry_districts(registry))
    crawl = build_portal_crawl(retry_policy=None, partitions_def=partitions)
    return [local_documents, crawl, raw_documents, parsed_reports, warehouse_models, mart_exports, *parse_checks], partitions


def _portal_states(result: dg.ExecuteInProcessResult) -> tuple[list[dict], str | None]:
    """The crawl's state per start point, from its materialisation or from its failure."""
    metadata = {}
    for event in result.get_asset_materialization_events():
        metadata = event.materialization.metadata
    error = None
    for failure in result.get_step_failure_events():
        data = failure.step_failure_data
        if data.user_failure_data is not None:
            metadata = data.user_failure_data.metadata
        error = data.error.message.strip().splitlines()[0] if data.error else "failed"
    states = metadata.get("portal_states")
    return (list(states.value) if states is not None else []), error


def _portal_line(state: dict) -> str:
    where = f"{state['district']} {state['portal']}"
    if state.get("reachable") is False:
        return f"{where}: UNREACHABLE ({state.get('message', '')}); the warehouse keeps what earlier crawls fetched"
    return f"{where}: {state.get('pages', 0)} pages fetched, {state.get('reports', 0)} reports, {state.get('failures', 0)} failures"


def run_pipeline(
    from_dir: str | None = None,
    districts: list[str] | None = None,
    years: list[int] | None = None,
    registry: str | None = None,
    db: str | Path | None = None,
    refresh: bool = False,
    rate: float = 1.0,
    instance: dg.DagsterInstance | None = None,
    archive: str | Path | None = None,
    documents: bool = True,
) -> dict:
    """Documents (a crawl of the registry's portals, or a local folder) -> parses -> dbt build ->
    exports. Returns what each step reported; a portal that cannot be reached does not stop the rest.
    ``documents=False`` fetches and archives nothing: the warehouse is built from the archive alone."""
    from dagster_project.resources import CrawlSettings, default_resources, registry_path

    db = warehouse_path(db)
    registry_file = registry_path(registry)
    resources = default_resources(str(db), CrawlSettings(registry=str(registry_file), years=years or [], rate=rate),
                                  archive=str(archive) if archive else None)
    assets, partitions = _graph(registry_file)
    local_documents, portal_crawl = assets[0], assets[1]
    instance = instance or dg.DagsterInstance.get()
    tags = {HOST_TAG: socket.gethostname(), PID_TAG: str(os.getpid())}
    report: dict = {"db": str(db), "steps": {}, "portals": [], "unreachable": []}

    for run_id in release_abandoned_runs(instance):
        print(f"run {run_id}: its process is gone; marked failed and its pool slot freed", file=sys.stderr)

    # a district's crawl that failed only because its portals did not answer
    unreachable_only: set[str] = set()
    if not documents:
        pass
    elif from_dir:
        result = dg.materialize(
            assets, selection=[local_documents], resources=resources, instance=instance, tags=tags,
            run_config={**LOGGING, "ops": {"local_documents": {"config": {"folder": str(Path(from_dir).resolve())}}}},
            raise_on_error=False,
        )
        report["steps"]["local_documents"] = result.success
    else:
        known = partitions.get_partition_keys()
        for asked in districts or known:
            district = asked if asked in known else asked.strip().removesuffix("区")
            step = f"portal_crawl[{district}]"
            if district not in known:
                print(f"{asked}: not in the portal registry {registry_file}; skipped", file=sys.stderr)
                report["steps"][step] = False
                continue
            result = dg.materialize(
                assets, selection=[portal_crawl], partition_key=district, resources=resources, instance=instance,
                tags=tags, run_config={**LOGGING, "ops": {"portal_crawl": {"config": {"refresh": refresh}}}}, raise_on_error=False,
            )
            states, error = _portal_states(result)
            for state in states:
                print(_portal_line(state), flush=True)
                if state.get("reachable") is False:
                    report["unreachable"].append(state["portal"])
            if error and not states:
                print(f"{district}: crawl failed: {error}", flush=True)
            if not result.success and states and all(s.get("reachable") is False for s in states):
                unreachable_only.add(step)
            report["portals"] += states
            report["steps"][step] = result.success

    from dagster_project.assets.dbt import warehouse_models

    # the load and everything after it, and every dbt model (seeds and their models too)
    build_selection = dg.AssetSelection.assets("raw_documents").downstream() | dg.AssetSelection.assets(warehouse_models)
    result = dg.materialize(
        assets, selection=build_selection, resources=resources, instance=instance,
        tags=tags, run_config=LOGGING, raise_on_error=False,
    )
    report["steps"]["parse_build_export"] = result.success
    report["marts"] = mart_counts(db) if db.exists() else {}
    # An unreachable portal is the world failing, not the pipeline: the warehouse is still built.
    report["unreachable_steps"] = sorted(unreachable_only)
    report["success"] = all(ok or step in unreachable_only for step, ok in report["steps"].items())
    return report


def rebuild_pipeline(archive: str | Path | None = None, db: str | Path | None = None,
                     instance: dg.DagsterInstance | None = None) -> dict:
    """A new warehouse from the archive alone: built beside the target under a temporary name
    (load every archive file, parse, dbt build, export) and moved over it only when it succeeded,
    so a failed rebuild leaves the old file as it was."""
    from scrapers.settings import archive_path

    target = warehouse_path(db)
    folder = archive_path(archive, target)
    building = target.with_name(target.name + ".rebuild")
    for leftover in (building, building.with_name(building.name + ".wal")):
        leftover.unlink(missing_ok=True)
    report = run_pipeline(db=building, archive=folder, documents=False, instance=instance)
    if report["success"]:
        os.replace(building, target)
        report["db"] = str(target)
    report["archive"] = str(folder)
    return report


def rebuild_from_cli(args: argparse.Namespace) -> int:
    from scrapers.archive.index import archive_files
    from scrapers.settings import archive_path

    folder = archive_path(args.archive, args.db)
    if not archive_files(folder):
        # an empty warehouse must not replace a full one because of a mistyped folder
        print(f"xxgk rebuild: no WARC files in {folder}; the warehouse is left as it is", file=sys.stderr)
        return 2
    report = rebuild_pipeline(archive=folder, db=args.db)
    return _print_report(report)


def run_from_cli(args: argparse.Namespace) -> int:
    report = run_pipeline(
        from_dir=args.from_dir, districts=args.district or None, years=args.year or None,
        registry=args.registry, db=args.db, refresh=args.refresh, rate=args.rate, archive=args.archive,
    )
    return _print_report(report)


def _print_report(report: dict) -> int:
    print(f"warehouse: {report['db']}")
    for step, ok in report["steps"].items():
        state = "ok" if ok else "portal unreachable" if step in report["unreachable_steps"] else "FAILED (see the Dagster run log)"
        print(f"  {step:<32} {state}")
    for table, n in report["marts"].items():
        print(f"  marts.{table:<30} {n:>8} rows")
    if report["unreachable"]:
        print(f"unreachable: {', '.join(report['unreachable'])} (the warehouse holds what earlier crawls fetched from them)")
    return 0 if report["success"] else 1
