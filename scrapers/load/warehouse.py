"""The DuckDB warehouse file: open it (one writer at a time) and create the raw schema."""

from __future__ import annotations

import random
import time
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path
from typing import Iterator

import duckdb

from scrapers.settings import warehouse_path

RAW_DDL = files("scrapers.load").joinpath("raw_schema.sql").read_text(encoding="utf-8")


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc)
    return "lock" in text.lower() and ("Conflicting" in text or "Could not set lock" in text)


def connect(db: str | Path | None = None, *, read_only: bool = False, timeout_s: float = 600.0):
    """Open the warehouse, waiting while another process holds the file.

    DuckDB lets one process write a file at a time and refuses every other open while it
    does; writers here keep their connections short, so waiting with jittered backoff
    lets overlapping runs take turns instead of failing.
    """
    path = warehouse_path(db)
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout_s
    delay = 0.05
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.IOException as exc:
            if not _is_lock_error(exc) or time.monotonic() > deadline:
                raise
            time.sleep(delay * (0.5 + random.random()))
            # short waits: writers here hold the file for milliseconds, not seconds
            delay = min(delay * 2, 0.25)
    if not read_only:
        con.execute(RAW_DDL)
    return con


@contextmanager
def transaction(db: str | Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short read-write session: one transaction, committed on success, then closed."""
    con = connect(db)
    try:
        con.execute("begin")
        yield con
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        con.close()
