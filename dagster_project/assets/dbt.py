"""The dbt models as assets: staging, intermediate and marts, with dbt tests as asset checks."""

import random
import time
from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, dbt_assets

from dagster_project.assets.documents import WRITER_POOL
from dagster_project.builds import record_build, up_to_date
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


def build_models(context: dg.AssetExecutionContext, dbt: DbtCli, warehouse: Warehouse) -> Iterator[Any]:
    """`dbt build`, started again while another process held the file at its first open.

    The marts' outputs are held back until dbt has exited (it keeps the file open to the end)
    and then carry their row counts."""
    deadline = time.monotonic() + warehouse.wait_s
    delay = 1.0
    while True:
        wait_until_free(warehouse.path, timeout_s=max(1.0, deadline - time.monotonic()))
        # dbt's log beside the warehouse, not in the target folder, rotated by dbt itself
        args = ["build", "--log-path", str(warehouse.log_dir), "--log-file-max-bytes", str(DBT_LOG_MAX_BYTES)]
        invocation = dbt.cli(args, context=context, raise_on_error=False, target_path=warehouse.dbt_target)
        held: list[Any] = []
        emitted = False
        with Progress("dbt build", total=_nodes_to_build(context), unit="nodes") as bar:
            for event in invocation.stream():
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
    """`dbt build` of the selected models, seeds and tests, into the same DuckDB file; not
    started at all when nothing it reads changed since the last successful build."""
    warehouse.export_env()
    with exclusive_turn(warehouse.path, timeout_s=warehouse.wait_s):
        current, fingerprint = up_to_date(warehouse.path)
        if current:
            context.log.info("warehouse up to date: nothing dbt reads changed since the last build; dbt not started")
            return
        started = time.monotonic()
        yield from build_models(context, dbt, warehouse)
        # a full build only: a subset leaves the other models as they were
        if fingerprint and context.is_subset is False:
            record_build(warehouse.path, fingerprint, context.run.run_id, time.monotonic() - started)
