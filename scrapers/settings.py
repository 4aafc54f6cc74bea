"""Where things live: the repository, the seeds and the warehouse file."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = REPO_ROOT / "seeds"
DBT_DIR = REPO_ROOT / "dbt"
DEFAULT_DB = REPO_ROOT / "data" / "xxgk.duckdb"


def warehouse_path(explicit: str | os.PathLike | None = None) -> Path:
    """The DuckDB file: an explicit path wins, then $XXGK_DB, then data/xxgk.duckdb."""
    chosen = explicit or os.environ.get("XXGK_DB") or DEFAULT_DB
    return Path(chosen).expanduser().resolve()
