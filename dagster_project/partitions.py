"""Partitions: one per district of the portal registry."""

import csv
from pathlib import Path

import dagster as dg

from scrapers.settings import DEFAULT_REGISTRY


def registry_districts(path: str | Path) -> list[str]:
    """The registry's districts in file order, each once (a district may have several start points)."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            return list(dict.fromkeys(row["district"] for row in csv.DictReader(fh) if row.get("district")))
    except (FileNotFoundError, KeyError):
        return []


def registry_partitions(registry: str | Path) -> dg.StaticPartitionsDefinition:
    return dg.StaticPartitionsDefinition(registry_districts(registry))


# The default registry's districts, for an asset built without a registry of its own; the
# code location builds the crawl with the partitions of the registry in use (location.py).
district_partitions = registry_partitions(DEFAULT_REGISTRY)
