"""The code location: `dagster dev` in the repository root loads these (workspace.yaml)."""

from dagster_project.location import build_definitions
from scrapers.settings import Settings

defs = build_definitions(Settings.resolve())
