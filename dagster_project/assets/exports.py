"""The marts as Parquet files: what analysts download without touching DuckDB."""

from pathlib import Path

import dagster as dg

from dagster_project.assets.dbt import warehouse_models
from dagster_project.assets.documents import WRITER_POOL
from dagster_project.resources import Warehouse

MART_KEYS = sorted((k for k in warehouse_models.keys if k.path[0] == "marts"), key=lambda k: k.path)


class ExportConfig(dg.Config):
    folder: str = ""  # empty means exports/ next to the warehouse file (data/exports/ by default)
    format: str = "parquet"  # or csv, or release (Parquet + CSV + datapackage.json, as `xxgk release`)


def export_folder(config: ExportConfig, warehouse: Warehouse) -> Path:
    return Path(config.folder).expanduser().resolve() if config.folder else warehouse.path.parent / "exports"


# The export reads the file, and a reader blocks writers of other processes as much as a
# writer does: it takes its turn in the same pool.
@dg.asset(group_name="exports", deps=MART_KEYS, pool=WRITER_POOL, kinds={"python", "parquet"})
def mart_exports(context: dg.AssetExecutionContext, config: ExportConfig, warehouse: Warehouse) -> dg.MaterializeResult:
    """Every mart written as one file per table (Parquet by default) into the export folder,
    or, with format release, the whole data release of `xxgk release`."""
    from scrapers.site.release import export_marts, write_release

    folder = export_folder(config, warehouse)
    if config.format == "release":
        rows = {m.name: m.rows for m in write_release(warehouse.path, folder).marts}
    else:
        rows = export_marts(warehouse.path, folder, config.format)
    context.log.info(f"exported {len(rows)} marts to {folder}")
    return dg.MaterializeResult(metadata={
        "folder": dg.MetadataValue.path(str(folder)),
        "format": config.format,
        "tables": len(rows),
        "rows": dg.MetadataValue.json(rows),
        "dagster/row_count": sum(rows.values()),
    })
