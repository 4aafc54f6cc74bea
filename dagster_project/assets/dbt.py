"""The dbt models as assets: staging, intermediate and marts, with dbt tests as asset checks."""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from dagster_project.assets.documents import WRITER_POOL
from dagster_project.project import dbt_project, ensure_manifest
from dagster_project.resources import Warehouse


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


@dbt_assets(manifest=ensure_manifest(), project=dbt_project, dagster_dbt_translator=translator, pool=WRITER_POOL)
def warehouse_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse):
    """`dbt build` of the selected models, seeds and tests, into the same DuckDB file."""
    warehouse.export_env()
    yield from dbt.cli(["build"], context=context).stream()
