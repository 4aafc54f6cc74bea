"""The dbt models as assets: staging, intermediate and marts, with dbt tests as asset checks."""

import json
import random
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, dbt_assets

from dagster_project import builds
from dagster_project.assets.documents import WRITER_POOL
from dagster_project.project import dbt_project, ensure_manifest
from dagster_project.resources import DbtCli, Warehouse
from dagster_project.summary import mart_counts
from scrapers.load.warehouse import WarehouseBusy, exclusive_turn, is_lock_conflict, wait_until_free
from scrapers.progress import Progress


DBT_LOG_MAX_BYTES = 2_000_000  # dbt keeps five rotated files of this size


class LayeredTranslator(DagsterDbtTranslator):
    """Models are keyed and grouped by their schema (staging, intermediate, marts), so the
    asset graph shows the warehouse's layers; sources keep their mapped upstream keys."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] in ("model", "seed", "snapshot"):
            return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        return dbt_resource_props.get("schema") or super().get_group_name(dbt_resource_props)


translator = LayeredTranslator(settings=DagsterDbtTranslatorSettings(
        enable_asset_checks=True,
        enable_source_tests_as_checks=True,
        # every raw table is written by the one `parsed_reports` asset (and the crawl before it)
        enable_duplicate_source_asset_keys=True,
    ))


def _mart_of(context: dg.AssetExecutionContext, event: Any) -> str | None:
    """The mart table an event materialises, if it is a mart's output."""
    if not isinstance(event, dg.Output):
        return None
    path = context.asset_key_for_output(event.output_name).path
    return path[-1] if path[0] == "marts" else None


def _nodes_to_build(context: dg.AssetExecutionContext) -> int:
    """Models, seeds and tests of this selection: what the progress bar counts to."""
    return len(context.selected_asset_keys) + len(context.selected_asset_check_keys)


def _invoke(context: dg.AssetExecutionContext, dbt: DbtCli, warehouse: Warehouse, args: list[str],
            selection: list[str]) -> tuple[Any, Iterator[Any]]:
    """Start dbt; (the invocation, its Dagster events).

    Without a selection of our own, dagster-dbt selects what the run asked for. With one, it is
    dbt's alone: dagster-dbt would add its own `--select` (every model of the op), which dbt
    unites with ours, so dbt is started without the context and its events are turned into this
    op's outputs and check results by dagster-dbt's own translation, with the context: a model
    dbt did not build yields nothing and is not reported as materialised."""
    common = dict(raise_on_error=False, target_path=warehouse.dbt_target)
    if not selection:
        invocation = dbt.cli(args, context=context, **common)
        return invocation, invocation.stream()
    manifest = json.loads(Path(dbt_project.manifest_path).read_text(encoding="utf-8"))
    invocation = dbt.cli([*args, *selection], manifest=manifest, dagster_dbt_translator=translator, **common)
    events = (event for raw in invocation.stream_raw_events()
              for event in raw.to_default_asset_events(manifest=manifest, dagster_dbt_translator=translator,
                                                       context=context, target_path=invocation.target_path,
                                                       project=dbt_project))
    return invocation, events


def build_models(context: dg.AssetExecutionContext, dbt: DbtCli, warehouse: Warehouse,
                 selection: list[str] | None = None) -> Iterator[Any]:
    """`dbt build` (of `selection`, dbt's arguments, when given), started again while another
    process held the file at its first open.

    The marts' outputs are held back until dbt has exited (it keeps the file open to the end)
    and then carry their row counts."""
    deadline = time.monotonic() + warehouse.wait_s
    delay = 1.0
    while True:
        wait_until_free(warehouse.path, timeout_s=max(1.0, deadline - time.monotonic()))
        # dbt's log beside the warehouse, not in the target folder, rotated by dbt itself
        # unit tests check the models' SQL on fixed inputs, not the data: the test suite runs
        # them (tests/test_dbt_warehouse.py), a warehouse's build need not, every time
        args = ["build", "--log-path", str(warehouse.log_dir), "--log-file-max-bytes", str(DBT_LOG_MAX_BYTES),
                "--exclude-resource-type", "unit_test"]
        invocation, events = _invoke(context, dbt, warehouse, args, selection or [])
        held: list[Any] = []
        emitted = False
        # a narrowed build's size is known to dbt only
        with Progress("dbt build", total=None if selection else _nodes_to_build(context), unit="nodes") as bar:
            for event in events:
                bar.advance()
                if held or _mart_of(context, event):
                    held.append(event)
                else:
                    emitted = True
                    yield event
        error = invocation.get_error()
        if error is not None and not emitted and not held and is_lock_conflict(str(error)):
            if time.monotonic() > deadline:
                raise WarehouseBusy(f"dbt could not open {warehouse.path} for {warehouse.wait_s:.0f} s") from error
            context.log.info(f"another process took {warehouse.path} as dbt started; trying again in {delay:.0f} s")
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 30.0)
            continue
        counts = mart_counts(warehouse.path) if held else {}
        for event in held:
            table = _mart_of(context, event)
            if table in counts:
                event = event.with_metadata({**event.metadata, "dagster/row_count": dg.MetadataValue.int(counts[table])})
            yield event
        if error is not None:
            raise error
        return


@dbt_assets(manifest=ensure_manifest(), project=dbt_project, dagster_dbt_translator=translator, pool=WRITER_POOL)
def warehouse_models(context: dg.AssetExecutionContext, dbt: DbtCli, warehouse: Warehouse):
    """`dbt build` of the selected models, seeds and tests, into the same DuckDB file: not
    started at all when nothing it reads changed since the last successful build, and
    narrowed to what changed since then (builds.plan) when the run asks for every model."""
    warehouse.export_env()
    with exclusive_turn(warehouse.path, timeout_s=warehouse.wait_s):
        plan = builds.plan(warehouse.path) if warehouse.path.exists() else None
        if plan is not None and plan.up_to_date:
            context.log.info("warehouse up to date: nothing dbt reads changed since the last build; dbt not started")
            return
        whole = context.is_subset is False
        started = time.monotonic()
        # the state's manifest is read from raw.builds and lives in a file only while dbt runs
        with tempfile.TemporaryDirectory(prefix="xxgk-dbt-state-") as state_dir:
            selection = []
            if plan is not None and whole:
                context.log.info(f"dbt build {'of what changed' if plan.select else 'in full'}: {plan.reason}")
                selection = plan.state_args(Path(state_dir))
            yield from build_models(context, dbt, warehouse, selection)
        # a build of every model, or of every model that changed; a subset leaves the others as they were
        if plan is not None and whole:
            builds.record_build(warehouse.path, plan.fingerprint, context.run.run_id, time.monotonic() - started,
                                raw_tables=plan.raw_tables, manifest=warehouse.dbt_target / "manifest.json")
