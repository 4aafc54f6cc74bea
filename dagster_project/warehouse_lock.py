"""Turns at the DuckDB file for the one writer that cannot wait on DuckDB's lock: dbt.

DuckDB refuses every open while another process holds the file. The Python writers wait for
their turn (`scrapers.load.warehouse.connect` retries with backoff) and hold the file briefly;
dbt-duckdb opens it once when a build starts, keeps it to the end, and fails outright if the
file is taken at that moment. So a build takes an exclusive advisory lock next to the file
(serialising builds between processes, and any writer that honours the same lock), waits until
DuckDB itself would let it in, and starts again if it still lost the race at its first open.
"""

import fcntl
import os
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class WarehouseBusy(TimeoutError):
    """The warehouse stayed taken longer than the caller was willing to wait."""


def lock_path(db: Path) -> Path:
    return db.with_name(db.name + ".lock")


@contextmanager
def exclusive_turn(db: Path, timeout_s: float = 3600.0) -> Iterator[None]:
    """Hold `<db>.lock` exclusively (fcntl): the kernel drops it when the process ends, even on
    SIGKILL, so a killed build never leaves the warehouse locked."""
    db.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path(db), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout_s
        delay = 0.05
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise WarehouseBusy(f"{lock_path(db)} held by another build for over {timeout_s:.0f} s") from None
                time.sleep(delay * (0.5 + random.random()))
                delay = min(delay * 2, 2.0)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def wait_until_free(db: Path, timeout_s: float = 600.0) -> None:
    """Return once DuckDB would open the file (nobody holds it), or raise WarehouseBusy."""
    from scrapers.load.warehouse import connect

    if not db.exists():
        return
    try:
        connect(db, read_only=True, timeout_s=timeout_s).close()
    except Exception as exc:  # duckdb.IOException once connect's own deadline has passed
        if "lock" in str(exc).lower():
            raise WarehouseBusy(f"{db} stayed locked by another process for over {timeout_s:.0f} s") from exc
        raise


def is_lock_conflict(message: str) -> bool:
    """Whether an error text is DuckDB refusing the file because another process holds it."""
    return "Could not set lock on file" in message or "Conflicting lock is held" in message
