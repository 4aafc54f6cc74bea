"""The one graph: the Definitions that `dagster dev` loads and `xxgk run` executes.

Built from one resolved `Settings`, so the crawl's partitions are the districts of the registry
in use and every resource points at the same warehouse.
"""

import dagster as dg

from dagster_project.assets.dbt import warehouse_models
from dagster_project.assets.documents import build_portal_crawl, local_documents, raw_documents
from dagster_project.assets.exports import mart_exports
from dagster_project.assets.parses import parsed_reports
from dagster_project.checks import mart_checks
from dagster_project.jobs import all_jobs
from dagster_project.partitions import registry_partitions
from dagster_project.resources import default_resources
from dagster_project.schedules import build_schedules
from dagster_project.sensors import build_sensors
from scrapers.settings import Settings


def build_definitions(settings: Settings, *, crawl_retries: bool = True) -> dg.Definitions:
    """`crawl_retries=False` (the command line) reports an unreachable portal at once instead of
    trying again after minutes, as a scheduled crawl does."""
    partitions = registry_partitions(settings.registry)
    crawl = build_portal_crawl(partitions_def=partitions, **({} if crawl_retries else {"retry_policy": None}))
    return dg.Definitions(
        assets=[local_documents, crawl, raw_documents, parsed_reports, warehouse_models, mart_exports],
        asset_checks=mart_checks,
        jobs=all_jobs,
        schedules=build_schedules(partitions.get_partition_keys(), running=settings.schedules_on),
        sensors=build_sensors(settings.inbox, running=settings.schedules_on, archive=settings.archive, db=settings.db),
        resources=default_resources(settings),
    )
