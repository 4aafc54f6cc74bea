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


def archive_path(explicit: str | os.PathLike | None = None, db: str | os.PathLike | None = None) -> Path:
    """The crawl archive folder (WARC files): an explicit path wins, then $XXGK_ARCHIVE, then
    `archive/` beside the warehouse file."""
    chosen = explicit or os.environ.get("XXGK_ARCHIVE")
    if chosen:
        return Path(chosen).expanduser().resolve()
    return warehouse_path(db).parent / "archive"
