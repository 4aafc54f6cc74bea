"""`xxgk run`: the named jobs of the code location, executed headless.

One `crawl_portals` run crawls the selected districts in parallel (or one `ingest_folder` run
registers a local folder), then one `build_warehouse` run parses what is new, builds the dbt
models with their tests unless nothing changed, and writes the exports. A portal that cannot
be reached is reported and the warehouse is built from what there is; any other failing step
stops the steps after it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import logging.handlers
import os
import shutil
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from dagster_project.summary import RunReport, failed_parses, mart_counts, summary_lines, violating_reports  # noqa: F401 - summary_lines: the runs' callers print it
from scrapers.load.warehouse import connect
from scrapers.settings import DAGSTER_YAML, Settings

# Runs of `xxgk run` carry their process, so that a later run can tell one that was killed,
# and their warehouse, so that the UI can filter the runs of one warehouse.
HOST_TAG = "xxgk/host"
PID_TAG = "xxgk/pid"
# which process the PID was: the boot and the process's start time, since PIDs are reused
# (after a reboot, or PID 1 of every container start)
PROCESS_TAG = "xxgk/process"
WAREHOUSE_TAG = "xxgk/warehouse"


def console_logging(debug: bool) -> dict:
    """Dagster's event lines only with --debug: the command prints its own summary."""
    return {"loggers": {"console": {"config": {"log_level": "DEBUG" if debug else "CRITICAL"}}}}


class _LineLog:
    """A stdout stand-in that sends what dbt and Dagster print to a rotating log file."""

    def __init__(self, logger: logging.Logger):
        self.logger, self.pending = logger, ""

    def write(self, text: str) -> int:
        self.pending += text
        *lines, self.pending = self.pending.split("\n")
        for line in lines:
            self.logger.info(line)
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


@contextlib.contextmanager
def captured_output(settings: Settings, debug: bool):
    """Without --debug, what the steps print (dbt's 118 lines) goes to `<db>.logs/run.log`
    (1 MB, three old files kept) and the terminal gets the summary."""
    if debug:
        yield
        return
    settings.log_dir.mkdir(parents=True, exist_ok=True)
    logger = logging.getLogger(f"xxgk.runlog.{settings.warehouse_tag}")
    logger.propagate = False
    if not logger.handlers:
        handler = logging.handlers.RotatingFileHandler(settings.log_dir / "run.log", maxBytes=1_000_000, backupCount=3, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    # Dagster's own notices (a check that emitted no result on a skipped build) go to the run
    # log too: Dagster sets its logger's level itself while it runs, so it gets the handler,
    # and nothing of it reaches the terminal through the root logger
    dagster_log = logging.getLogger("dagster")
    propagate = dagster_log.propagate
    forward = _Forward(logger)
    dagster_log.propagate = False
    dagster_log.addHandler(forward)
    try:
        with contextlib.redirect_stdout(_LineLog(logger)):
            yield
    finally:
        dagster_log.removeHandler(forward)
        dagster_log.propagate = propagate


class _Forward(logging.Handler):
    """Warnings of another logger, written by the run log's handler."""

    def __init__(self, to: logging.Logger):
        super().__init__(logging.WARNING)
        self.to = to

    def emit(self, record: logging.LogRecord) -> None:
        self.to.handle(record)


def instance_for(settings: Settings) -> dg.DagsterInstance:
    """The warehouse's own Dagster instance, created with the project's instance config."""
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists():
        shutil.copy(DAGSTER_YAML, home / "dagster.yaml")
    return dg.DagsterInstance.from_config(str(home))


def process_identity(pid: int) -> str | None:
    """`<boot id>:<start time in clock ticks>` of a live process, or None when there is none
    (or this system has no /proc)."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # the command name (field 2) may hold spaces and parentheses: count fields after its ")"
    fields = stat[stat.rindex(")") + 2 :].split()
    return f"{boot}:{fields[19]}"


def _process_gone(pid: int, identity: str | None = None) -> bool:
    """Whether the process that ran a run is gone: no such PID, a zombie, or the PID now
    belongs to another process (its boot or start time differs from the one recorded)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass
    if identity is not None:
        now = process_identity(pid)
        if now is not None and now != identity:
            return True
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
        identity = run.tags.get(PROCESS_TAG)
        this_process = pid == os.getpid() and identity in (None, process_identity(pid))
        if pid and not this_process and _process_gone(pid, identity):
            instance.report_run_failed(run, message=f"its process ({pid}) ended without finishing the run")
            instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
            released.append(run.run_id)
    return released


def contiguous_blocks(selected: list[str], known: list[str]) -> list[list[str]]:
    """The selected districts as runs of neighbours in registry order: one run covers a range
    of partitions, so a selection with gaps takes one run per block."""
    wanted = set(selected)
    blocks: list[list[str]] = []
    previous = False
    for key in known:
        if key in wanted:
            if previous:
                blocks[-1].append(key)
            else:
                blocks.append([key])
        previous = key in wanted
    return blocks


def step_error(result: dg.ExecuteInProcessResult) -> tuple[str, str] | None:
    """(step, the innermost cause's first line) of a run's first failed step."""
    for failure in result.get_step_failure_events():
        data = failure.step_failure_data
        error = data.error
        while error is not None and error.cause is not None:
            error = error.cause
        if data.user_failure_data is not None and data.user_failure_data.description:
            line = data.user_failure_data.description
        elif error is not None:
            text = error.message.strip()
            line = text.splitlines()[0] if text else error.cls_name or "failed"
            # "scrapers.load.warehouse.WarehouseBusy: ..." -> the sentence after the class
            if error.cls_name and line.split(": ", 1)[0].endswith(error.cls_name) and ": " in line:
                line = line.split(": ", 1)[1]
        else:
            line = "failed"
        return failure.step_key, line
    return None


def _metadata(result: dg.ExecuteInProcessResult, key: str) -> dict:
    """The last materialisation's metadata of an asset in a run, as plain values."""
    found: dict = {}
    for event in result.get_asset_materialization_events():
        if event.asset_key.to_user_string() == key:
            found = {k: v.value for k, v in event.materialization.metadata.items()}
    return found


def _crawl_states(result: dg.ExecuteInProcessResult) -> list[dict]:
    """The crawl's state per start point, from its materialisation or from its failure."""
    metadata = _metadata(result, "portal_crawl")
    for failure in result.get_step_failure_events():
        data = failure.step_failure_data
        if data.user_failure_data is not None:
            metadata = {k: v.value for k, v in data.user_failure_data.metadata.items()}
    return list(metadata.get("portal_states") or [])


@dataclass
class _Runner:
    """The jobs of one `xxgk run`, executed in turn on one instance, filling one report."""

    defs: dg.Definitions
    settings: Settings
    instance: dg.DagsterInstance
    report: RunReport
    debug: bool

    def __post_init__(self) -> None:
        self.tags = {HOST_TAG: socket.gethostname(), PID_TAG: str(os.getpid()),
                     **({PROCESS_TAG: identity} if (identity := process_identity(os.getpid())) else {}),
                     WAREHOUSE_TAG: str(self.settings.db),
                     "xxgk/trigger": "cli"}
        self.logging = console_logging(self.debug)

    def execute(self, job: str, ops: dict | None = None, tags: dict | None = None) -> dg.ExecuteInProcessResult:
        run_config = {**self.logging, **({"ops": ops} if ops else {})}
        return self.defs.resolve_job_def(job).execute_in_process(
            run_config=run_config, instance=self.instance, tags={**self.tags, **(tags or {})}, raise_on_error=False,
        )

    def fail(self, result: dg.ExecuteInProcessResult, fallback: str) -> None:
        step, line = step_error(result) or (fallback, "failed")
        self.report.error = f"{step}: {line}"

    def ingest(self, folder: str) -> bool:
        result = self.execute("ingest_folder", {"local_documents": {"config": {"folder": str(Path(folder).resolve())}}})
        self.report.runs["ingest_folder"] = result.run_id
        self.report.steps["local_documents"] = result.success
        self.report.documents = _metadata(result, "local_documents")
        if not result.success:
            self.fail(result, "local_documents")
        return result.success

    def crawl(self, districts: list[str] | None, refresh: bool) -> bool:
        """One run per contiguous block of districts (one run for all of them, usually)."""
        from dagster_project.partitions import registry_districts
        from dagster_project.schedules import partition_range_tags

        known = registry_districts(self.settings.registry)
        new_versions = 0
        for block in contiguous_blocks(districts or known, known):
            result = self.execute("crawl_portals", {"portal_crawl": {"config": {"refresh": refresh}}}, partition_range_tags(block))
            self.report.runs[f"crawl_portals[{block[0]}..{block[-1]}]"] = result.run_id
            self.report.steps[f"portal_crawl[{','.join(block)}]"] = result.success
            states = _crawl_states(result)
            self.report.portals += states
            self.report.unreachable += [s["portal"] for s in states if s.get("reachable") is False]
            new_versions += int(_metadata(result, "portal_crawl").get("new_versions", 0))
            # an unreachable portal is the world failing, not the pipeline: the build goes on
            if not result.success and not (states and all(s.get("reachable") is False for s in states)):
                self.fail(result, "portal_crawl")
                return False
        self.report.documents = {"new_versions": new_versions}
        return True

    def build(self) -> None:
        result = self.execute("build_warehouse")
        report = self.report
        report.runs["build_warehouse"] = result.run_id
        report.steps["build_warehouse"] = result.success
        report.parses = _metadata(result, "parsed_reports")
        report.exports = _metadata(result, "mart_exports").get("folder")
        report.dbt_built = any(e.asset_key.path[0] == "marts" for e in result.get_asset_materialization_events())
        if result.success:
            report.up_to_date = not report.dbt_built
        else:
            self.fail(result, "build_warehouse")


def run_pipeline(
    settings: Settings | None = None,
    from_dir: str | None = None,
    districts: list[str] | None = None,
    refresh: bool = False,
    instance: dg.DagsterInstance | None = None,
    debug: bool = False,
    build: bool = True,
    documents: bool = True,
    **options,
) -> RunReport:
    """Documents (a crawl of the registry's portals, or a local folder) -> parses -> dbt build ->
    exports. `districts` are registry districts (the command line checks them first); a step
    that fails stops the jobs after it. Without `settings`, `options` (db, registry, rate,
    years, wait, archive) are resolved into them here. `documents=False` fetches and archives
    nothing: the warehouse is built from what the archive holds."""
    from dagster_project.location import build_definitions

    settings = settings or Settings.resolve(**options)

    started = time.time()
    own_instance = instance is None
    instance = instance or instance_for(settings)
    report = RunReport(db=str(settings.db))
    try:
        runner = _Runner(build_definitions(settings, crawl_retries=False), settings, instance, report, debug)
        with captured_output(settings, debug):
            for run_id in release_abandoned_runs(instance):
                print(f"run {run_id}: its process is gone; marked failed and its pool slot freed", file=sys.stderr)
            if not documents:
                documents_ok = True
            else:
                documents_ok = runner.ingest(from_dir) if from_dir else runner.crawl(districts, refresh)
            if documents_ok and build:
                runner.build()
        if "build_warehouse" in report.steps and settings.db.exists():
            report.failed_files = failed_parses(settings.db, started)
            with contextlib.closing(connect(settings.db, read_only=True)) as con:
                report.marts = mart_counts(settings.db, con)
                report.violations = violating_reports(con)
        return report
    finally:
        report.seconds = time.time() - started
        if own_instance:
            instance.dispose()


def rebuild_pipeline(settings: Settings, debug: bool = False, instance: dg.DagsterInstance | None = None) -> RunReport:
    """A new warehouse from the archive alone: built beside the target under a temporary name
    (load every archive file, parse, dbt build, export) and moved over it only when it
    succeeded, so a failed rebuild leaves the old file as it was. The runs go to the target's
    own Dagster history."""
    target = settings.db
    building = target.with_name(target.stem + ".rebuild" + target.suffix)
    scratch = dataclasses.replace(settings, db=building)
    for leftover in (building, building.with_name(building.name + ".wal")):
        leftover.unlink(missing_ok=True)
    try:
        report = run_pipeline(scratch, documents=False, debug=debug, instance=instance)
        if report.success:
            os.replace(building, target)
            report.db = str(target)
        return report
    finally:
        for folder in (scratch.dbt_target, scratch.log_dir):
            shutil.rmtree(folder, ignore_errors=True)
        for leftover in (building, building.with_name(building.name + ".wal")):
            leftover.unlink(missing_ok=True)
