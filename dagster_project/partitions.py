"""Partitions: one per district of the portal registry ($XXGK_REGISTRY or seeds/portals.csv)."""

import csv

import dagster as dg

from dagster_project.resources import registry_path


def registry_districts(path=None) -> list[str]:
    """The registry's districts in file order, each once (a district may have several start points)."""
    try:
        with open(registry_path(path), encoding="utf-8-sig", newline="") as fh:
            return list(dict.fromkeys(row["district"] for row in csv.DictReader(fh) if row.get("district")))
    except (FileNotFoundError, KeyError):
        return []


district_partitions = dg.StaticPartitionsDefinition(registry_districts())
