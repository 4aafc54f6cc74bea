"""`xxgk run`: materialise the whole graph headless, the same assets `dagster dev` shows."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import dagster as dg

from scrapers.settings import warehouse_path


def _all_assets() -> list:
    from dagster_project.assets.dbt import warehouse_models
    from dagster_project.assets.documents import local_documents, portal_crawl
    from dagster_project.assets.parses import parsed_reports

    return [local_documents, portal_crawl, parsed_reports, warehouse_models]


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


def run_pipeline(
    from_dir: str | None = None,
    districts: list[str] | None = None,
    years: list[int] | None = None,
    registry: str | None = None,
    db: str | Path | None = None,
    refresh: bool = False,
    rate: float = 1.0,
    instance: dg.DagsterInstance | None = None,
) -> dict:
    """Documents (a crawl of the registry's portals, or a local folder) -> parses -> dbt build.
    Returns what each step reported; a portal that cannot be reached does not stop the rest."""
    from dagster_project.partitions import district_partitions
    from dagster_project.resources import CrawlSettings, default_resources

    db = warehouse_path(db)
    crawl_settings = CrawlSettings(registry=registry or "", years=years or [], rate=rate, refresh=refresh)
    resources = default_resources(str(db), crawl_settings)
    assets = _all_assets()
    local_documents, portal_crawl, parsed_reports, warehouse_models = assets
    instance = instance or dg.DagsterInstance.get()
    report: dict = {"db": str(db), "steps": {}}

    if from_dir:
        result = dg.materialize(
            assets, selection=[local_documents], resources=resources, instance=instance,
            run_config={"ops": {"local_documents": {"config": {"folder": str(Path(from_dir).resolve())}}}},
            raise_on_error=False,
        )
        report["steps"]["local_documents"] = result.success
    else:
        wanted = districts or district_partitions.get_partition_keys()
        for district in wanted:
            if district not in district_partitions.get_partition_keys():
                print(f"{district}: not in the portal registry; skipped", file=sys.stderr)
                continue
            result = dg.materialize(
                assets, selection=[portal_crawl], partition_key=district, resources=resources,
                instance=instance, raise_on_error=False,
            )
            report["steps"][f"portal_crawl[{district}]"] = result.success

    result = dg.materialize(
        assets, selection=[parsed_reports, warehouse_models], resources=resources, instance=instance,
        raise_on_error=False,
    )
    report["steps"]["parse_and_build"] = result.success
    report["marts"] = mart_counts(db) if db.exists() else {}
    report["success"] = all(report["steps"].values())
    return report


def run_from_cli(args: argparse.Namespace) -> int:
    report = run_pipeline(
        from_dir=args.from_dir, districts=args.district or None, years=args.year or None,
        registry=args.registry, db=args.db, refresh=args.refresh, rate=args.rate,
    )
    print(f"warehouse: {report['db']}")
    for step, ok in report["steps"].items():
        print(f"  {step:<32} {'ok' if ok else 'FAILED (see the Dagster run log)'}")
    for table, n in report["marts"].items():
        print(f"  marts.{table:<30} {n:>8} rows")
    return 0 if report["success"] else 1
