"""Resources: where the warehouse is, how to crawl, and the dbt CLI.

Their values come from one resolved `Settings` (scrapers/settings.py) when the definitions are
built; each field can still be changed per run in the launchpad (`resources:` in the run config).
"""

import os
from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource
from packaging.version import Version

from dagster_project.builds import DBT_START_FLAGS
from dagster_project.project import dbt_project
from scrapers.settings import DBT_DIR, DEFAULT_WAIT_S, Settings, dbt_environment


class Warehouse(dg.ConfigurableResource):
    """The DuckDB file every asset reads and writes, and the archive of WARC files the crawl
    writes and the loader reads (the warehouse is derived from it)."""

    db_path: str
    archive_dir: str = ""  # empty: archive/ beside the warehouse file
    wait_s: float = DEFAULT_WAIT_S  # how long a step waits for another process to release the file

    @property
    def path(self) -> Path:
        return Path(self.db_path)

    @property
    def archive(self) -> Path:
        return Path(self.archive_dir) if self.archive_dir else self.path.parent / "archive"

    @property
    def dbt_target(self) -> Path:
        return Settings(db=self.path).dbt_target

    @property
    def log_dir(self) -> Path:
        return Settings(db=self.path).log_dir

    def export_env(self) -> None:
        # dbt-duckdb reads its profile in this process's environment
        os.environ.update(dbt_environment(self.path))


class CrawlSettings(dg.ConfigurableResource):
    """How the portals are crawled: which registry, which report years, how politely."""

    registry: str
    years: list[int] = []  # report years to look for; empty: every year
    rate: float = 1.0  # requests per second per host, 0 = no limit

    @property
    def registry_path(self) -> Path:
        return Path(self.registry)

    @property
    def report_years(self) -> list[int]:
        return list(self.years)

    @property
    def requests_per_second(self) -> float:
        return self.rate


class DbtCli(DbtCliResource):
    """dagster-dbt's resource without the two things it does before every build that this
    project does not need: a `dbt --version` subprocess (1.7 s; the dbt that runs is the
    dbt-core installed beside us) and an in-process dbt adapter with the project's macros
    loaded, which serves only column metadata that no asset here asks for."""

    @cached_property
    def _cli_version(self) -> Version:
        return Version(installed_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):
        return None


def default_resources(settings: Settings | None = None) -> dict:
    """The resources of one resolved set of settings (from the environment when none is given)."""
    settings = settings or Settings.resolve()
    return {
        "warehouse": Warehouse(db_path=str(settings.db), archive_dir=str(settings.archive), wait_s=settings.wait_s),
        "crawl_settings": CrawlSettings(registry=str(settings.registry), years=list(settings.years), rate=settings.rate),
        "dbt": DbtCli(project_dir=dbt_project, profiles_dir=str(DBT_DIR), global_config_flags=list(DBT_START_FLAGS)),
    }
