"""Read the reference CSVs in seeds/ (the same files dbt loads as seeds)."""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from scrapers.settings import SEEDS_DIR


@lru_cache(maxsize=None)
def read_seed(name: str, seeds_dir: Path = SEEDS_DIR) -> tuple[dict[str, str], ...]:
    """Rows of seeds/<name>.csv as dicts, cached: seeds are read-only reference data."""
    with open(seeds_dir / f"{name}.csv", encoding="utf-8", newline="") as fh:
        return tuple(csv.DictReader(fh))
