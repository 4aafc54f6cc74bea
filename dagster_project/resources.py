"""Resources: where the warehouse is, how to crawl, and the dbt CLI.

Each knob has an environment variable, so `dagster dev` and the daemon pick it up without code
changes, and each can be set per run in the launchpad (`resources:` in the run config).
"""

import os
from pathlib import Path
from typing import Optional

import dagster as dg
from dagster_dbt import DbtCliResource

from dagster_project.project import dbt_project
from scrapers.settings import SEEDS_DIR, archive_path, warehouse_path


class Warehouse(dg.ConfigurableResource):
    """The DuckDB file every asset reads and writes; empty means $XXGK_DB or data/xxgk.duckdb.
    The archive folder the crawl writes and the loader reads; empty means $XXGK_ARCHIVE or
    archive/ beside the warehouse file."""

    db_path: str = ""
    archive_dir: str = ""

    @property
    def path(self) -> Path:
        return warehouse_path(self.db_path or None)

    @property
    def archive(self) -> Path:
        return archive_path(self.archive_dir or None, self.path)

    def export_env(self) -> None:
        # dbt reads the warehouse path from XXGK_DB (dbt/profiles.yml)
        os.environ["XXGK_DB"] = str(self.path)


# An empty field falls back to its environment variable when the run starts (not when the code
# location loads), so a launchpad override of one field keeps the others as the deployment set them.
class CrawlSettings(dg.ConfigurableResource):
    """How the portals are crawled: which registry, which report years, how politely."""

    registry: str = ""  # the portal registry CSV; empty: $XXGK_REGISTRY or seeds/portals.csv
    years: list[int] = []  # report years to look for; empty: $XXGK_YEARS ("2023 2024") or every year
    rate: Optional[float] = None  # requests per second per host, 0 = no limit; empty: $XXGK_RATE or 1.0

    @property
    def registry_path(self) -> Path:
        return registry_path(self.registry or None)

    @property
    def report_years(self) -> list[int]:
        return list(self.years) or [int(y) for y in os.environ.get("XXGK_YEARS", "").replace(",", " ").split()]

    @property
    def requests_per_second(self) -> float:
        return self.rate if self.rate is not None else float(os.environ.get("XXGK_RATE", "1.0"))


def registry_path(explicit: str | os.PathLike | None = None) -> Path:
    """The portal registry: an explicit path wins, then $XXGK_REGISTRY, then seeds/portals.csv."""
    chosen = explicit or os.environ.get("XXGK_REGISTRY") or SEEDS_DIR / "portals.csv"
    return Path(chosen).expanduser().resolve()


def default_resources(db: str | None = None, crawl: CrawlSettings | None = None, archive: str | None = None) -> dict:
    """The code location's resources: values given here win, empty ones come from the environment
    (XXGK_DB, XXGK_ARCHIVE, XXGK_REGISTRY, XXGK_YEARS, XXGK_RATE) when a run starts."""
    return {
        "warehouse": Warehouse(db_path=str(warehouse_path(db)) if db else "",
                               archive_dir=str(archive_path(archive, db)) if archive else ""),
        "crawl_settings": crawl or CrawlSettings(),
        "dbt": DbtCliResource(project_dir=dbt_project, profiles_dir=str(dbt_project.profiles_dir)),
    }
