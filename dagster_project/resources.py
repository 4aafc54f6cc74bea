"""Resources: where the warehouse is, how to crawl, and the dbt CLI."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource

from dagster_project.project import dbt_project
from scrapers.settings import warehouse_path


class Warehouse(dg.ConfigurableResource):
    """The DuckDB file every asset writes; empty means $XXGK_DB or data/xxgk.duckdb."""

    db_path: str = ""

    @property
    def path(self) -> Path:
        return warehouse_path(self.db_path or None)

    def export_env(self) -> None:
        # dbt reads the warehouse path from XXGK_DB (dbt/profiles.yml)
        os.environ["XXGK_DB"] = str(self.path)


class CrawlSettings(dg.ConfigurableResource):
    """How the crawl behaves: registry file, years, politeness, refresh."""

    registry: str = ""
    years: list[int] = []
    rate: float = 1.0
    refresh: bool = False


def default_resources(db: str | None = None, crawl: CrawlSettings | None = None) -> dict:
    return {
        "warehouse": Warehouse(db_path=str(warehouse_path(db))),
        "crawl_settings": crawl or CrawlSettings(),
        "dbt": DbtCliResource(project_dir=dbt_project, profiles_dir=str(dbt_project.profiles_dir)),
    }
