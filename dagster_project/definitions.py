"""The code location: `dagster dev` in the repository root loads these (workspace.yaml)."""

import dagster as dg

from dagster_project.assets.dbt import warehouse_models
from dagster_project.assets.documents import local_documents, portal_crawl, raw_documents
from dagster_project.assets.exports import mart_exports
from dagster_project.assets.parses import parsed_reports
from dagster_project.checks import parse_checks
from dagster_project.jobs import all_jobs
from dagster_project.resources import default_resources
from dagster_project.schedules import all_schedules
from dagster_project.sensors import all_sensors

defs = dg.Definitions(
    assets=[local_documents, portal_crawl, raw_documents, parsed_reports, warehouse_models, mart_exports],
    asset_checks=parse_checks,
    jobs=all_jobs,
    schedules=all_schedules,
    sensors=all_sensors,
    resources=default_resources(),
)
