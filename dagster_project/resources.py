"""Resources: where the warehouse is, how to crawl, and the dbt CLI.

Each knob has an environment variable, so `dagster dev` and the daemon pick it up without code
changes, and each can be overridden per run in the launchpad (`resources:` in the run config).
"""

import os
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource

from dagster_project.project import dbt_project
from scrapers.settings import SEEDS_DIR, warehouse_path


class Warehouse(dg.ConfigurableResource):
    """The DuckDB file every asset reads and writes; empty means $XXGK_DB or data/xxgk.duckdb."""

    db_path: str = ""

    @property
    def path(self) -> Path:
        return warehouse_path(self.db_path or None)

    def export_env(self) -> None:
        # dbt reads the warehouse path from XXGK_DB (dbt/profiles.yml)
        os.environ["XXGK_DB"] = str(self.path)


class CrawlSettings(dg.ConfigurableResource):
    """How the portals are crawled: which registry, which report years, how politely."""

    registry: str = ""  # the portal registry CSV; empty means $XXGK_REGISTRY or seeds/portals.csv
    years: list[int] = []  # report years to look for; empty means every year a portal carries
    rate: float = 1.0  # requests per second per host (0 turns the limit off)

    @property
    def registry_path(self) -> Path:
        return registry_path(self.registry or None)


def registry_path(explicit: str | os.PathLike | None = None) -> Path:
    """The portal registry: an explicit path wins, then $XXGK_REGISTRY, then seeds/portals.csv."""
    chosen = explicit or os.environ.get("XXGK_REGISTRY") or SEEDS_DIR / "portals.csv"
    return Path(chosen).expanduser().resolve()


def _env_years() -> list[int]:
    return [int(y) for y in os.environ.get("XXGK_YEARS", "").replace(",", " ").split()]


def default_resources(db: str | None = None, crawl: CrawlSettings | None = None) -> dict:
    """The resources of the code location, read from the environment: XXGK_DB, XXGK_REGISTRY,
    XXGK_YEARS (e.g. "2023 2024") and XXGK_RATE."""
    return {
        "warehouse": Warehouse(db_path=str(warehouse_path(db))),
        "crawl_settings": crawl
        or CrawlSettings(
            registry=str(registry_path()),
            years=_env_years(),
            rate=float(os.environ.get("XXGK_RATE", "1.0")),
        ),
        "dbt": DbtCliResource(project_dir=dbt_project, profiles_dir=str(dbt_project.profiles_dir)),
    }
