"""The code location: `dagster dev` in the repository root loads these (workspace.yaml)."""

from __future__ import annotations

import dagster as dg

from dagster_project.assets.dbt import warehouse_models
from dagster_project.assets.documents import local_documents, portal_crawl
from dagster_project.assets.parses import parsed_reports
from dagster_project.resources import default_resources

defs = dg.Definitions(
    assets=[local_documents, portal_crawl, parsed_reports, warehouse_models],
    resources=default_resources(),
)
