"""Partitions: one per district of the portal registry (seeds/portals.csv decides them)."""

from __future__ import annotations

import dagster as dg

from scrapers.seeds import read_seed


def _districts() -> list[str]:
    try:
        return list(dict.fromkeys(r["district"] for r in read_seed("portals")))
    except FileNotFoundError:
        return []


district_partitions = dg.StaticPartitionsDefinition(_districts())
