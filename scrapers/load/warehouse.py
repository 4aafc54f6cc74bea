"""The DuckDB warehouse file: open it, wait for it, take turns at it, create the raw schema.

DuckDB lets one process write a file at a time and refuses every other open (readers too)
while it does. The Python writers here keep their connections short, so a writer that finds
the file taken waits with jittered backoff instead of failing; dbt-duckdb opens the file once
per build and fails outright if it is taken, so a build first takes `<db>.lock` (`filelock`),
which serialises builds between processes, and then waits until DuckDB itself would let it in.

Whoever waits says so: within 2 s, who holds the file (the process named by the kernel's lock
table, else by DuckDB's refusal, else "another process") and how to stop waiting, then every
10 s. The wait is bounded (`--wait SECONDS`, `set_wait`) and ends in `WarehouseBusy`.
"""

from __future__ import annotations

import logging
import os
import random
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import duckdb
from filelock import FileLock, Timeout

from scrapers.settings import DEFAULT_WAIT_S, warehouse_path

RAW_DDL = files("scrapers.load").joinpath("raw_schema.sql").read_text(encoding="utf-8")

log = logging.getLogger("xxgk.warehouse")

FIRST_NOTICE_S = 1.0  # the first "waiting for" line comes this soon (the promise is 2 s)
NOTICE_EVERY_S = 10.0


class WarehouseError(RuntimeError):
    """The warehouse cannot be used as asked: missing, not writable, not a DuckDB file."""


class WarehouseBusy(WarehouseError, TimeoutError):
    """Another process held the warehouse for longer than this one was willing to wait."""


@dataclass
class WaitPolicy:
    """How long this process waits for the file, and where it says that it waits."""

    seconds: float = DEFAULT_WAIT_S
    notify: Callable[[str], None] = log.warning


_policy = WaitPolicy()


def set_wait(seconds: float | None = None, notify: Callable[[str], None] | None = None) -> None:
    """Set how long every connection of this process waits for the file (`--wait`), and
    where the waiting lines go."""
    if seconds is not None:
        _policy.seconds = seconds
    if notify is not None:
        _policy.notify = notify


def lock_path(db: Path) -> Path:
    return db.with_name(db.name + ".lock")


def is_lock_conflict(message: str) -> bool:
    """Whether an error text is DuckDB refusing the file because another process holds it."""
    return "Could not set lock on file" in message or "Conflicting lock is held" in message


def _describe_pid(pid: int) -> str:
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        command = " ".join(" ".join(a.decode(errors="replace").split()) for a in argv if a)[:120]
    except OSError:
        command = ""
    return f"PID {pid} ({command})" if command else f"PID {pid}"


def _pids_locking(path: Path) -> list[int]:
    """The processes the kernel says hold a lock on the file (Linux's /proc/locks)."""
    try:
        st = path.stat()
        table = Path("/proc/locks").read_text()
    except OSError:
        return []
    wanted = st.st_ino
    pids = []
    for line in table.splitlines():
        fields = line.split()
        # "1: POSIX  ADVISORY  WRITE 1234 08:01:5678 0 EOF"; blocked waiters are marked "->"
        if len(fields) < 6 or "->" in fields[1]:
            continue
        try:
            pid, inode = int(fields[4]), int(fields[5].rsplit(":", 1)[1])
        except (ValueError, IndexError):
            continue
        if inode == wanted and pid != os.getpid() and pid not in pids:
            pids.append(pid)
    return pids


def holder(db: Path, refusal: str = "") -> str:
    """Who holds the warehouse: from the kernel's lock table, else DuckDB's refusal, else a shrug."""
    pids = _pids_locking(db) or _pids_locking(lock_path(db))
    if not pids:
        found = re.search(r"\(PID (\d+)\)", refusal)
        pids = [int(found.group(1))] if found else []
    return ", ".join(_describe_pid(p) for p in pids) if pids else "another process"


class _Waiting:
    """Says within 2 s, then every 10 s, that this process waits and for whom."""

    def __init__(self, db: Path, timeout_s: float, what: str):
        self.db, self.timeout_s, self.what = db, timeout_s, what
        self.started = time.monotonic()
        self.next_notice = self.started + FIRST_NOTICE_S

    @property
    def waited(self) -> float:
        return time.monotonic() - self.started

    def expired(self) -> bool:
        return self.waited >= self.timeout_s

    def tick(self, refusal: str = "") -> None:
        now = time.monotonic()
        if now < self.next_notice:
            return
        self.next_notice = now + NOTICE_EVERY_S
        _policy.notify(
            f"waiting for {self.db} ({self.what}): held by {holder(self.db, refusal)}; "
            f"{self.waited:.0f} s of {self.timeout_s:.0f} s (--wait SECONDS to change, Ctrl-C to stop)"
        )

    def give_up(self, refusal: str = "") -> WarehouseBusy:
        return WarehouseBusy(
            f"{self.db} is held by {holder(self.db, refusal)}; gave up after {self.waited:.0f} s "
            "(close that process, or wait longer with --wait SECONDS)"
        )

    def sleep(self, delay: float) -> None:
        remaining = self.timeout_s - self.waited
        time.sleep(max(0.0, min(delay * (0.5 + random.random()), remaining, max(0.05, self.next_notice - time.monotonic()))))


def _open_error(path: Path, exc: Exception, read_only: bool) -> WarehouseError:
    text = str(exc)
    if "Permission denied" in text or "Read-only file system" in text:
        return WarehouseError(f"cannot {'read' if read_only else 'write'} {path}: permission denied (choose another --db)")
    if "not a valid DuckDB database" in text or "Invalid Input Error" in text:
        return WarehouseError(f"{path} is not a DuckDB warehouse file")
    return WarehouseError(f"cannot open {path}: {text.splitlines()[0] if text else type(exc).__name__}")


def connect(db: str | Path | None = None, *, read_only: bool = False, timeout_s: float | None = None):
    """Open the warehouse, waiting (up to `timeout_s`, default `set_wait`'s) while another
    process holds the file; a read-only open of a missing file is an error, not a new file."""
    path = warehouse_path(db)
    if read_only and not path.exists():
        raise WarehouseError(f"no warehouse at {path}: build it first with `xxgk run`")
    if not read_only:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WarehouseError(f"cannot create the folder of {path}: {exc.strerror}") from exc
    waiting = _Waiting(path, _policy.seconds if timeout_s is None else timeout_s, "read" if read_only else "write")
    delay = 0.05
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.IOException as exc:
            if not is_lock_conflict(str(exc)):
                raise _open_error(path, exc, read_only) from exc
            if waiting.expired():
                raise waiting.give_up(str(exc)) from None
            waiting.tick(str(exc))
            waiting.sleep(delay)
            # short waits: writers here hold the file for milliseconds, not seconds
            delay = min(delay * 2, 0.25)
        except duckdb.Error as exc:
            raise _open_error(path, exc, read_only) from exc
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


@contextmanager
def exclusive_turn(db: Path, timeout_s: float | None = None) -> Iterator[None]:
    """Hold `<db>.lock` exclusively: the kernel drops it when the process ends, even on SIGKILL,
    so a killed build never leaves the warehouse locked."""
    db = Path(db)
    try:
        db.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WarehouseError(f"cannot create the folder of {db}: {exc.strerror}") from exc
    lock = FileLock(lock_path(db))
    waiting = _Waiting(db, _policy.seconds if timeout_s is None else timeout_s, "another build")
    while True:
        try:
            lock.acquire(timeout=min(0.25, max(0.0, waiting.timeout_s - waiting.waited)))
            break
        except Timeout:
            if waiting.expired():
                raise waiting.give_up() from None
            waiting.tick()
        except PermissionError as exc:
            raise WarehouseError(f"cannot write {lock_path(db)}: permission denied (choose another --db)") from exc
    try:
        yield
    finally:
        lock.release()


def wait_until_free(db: Path, timeout_s: float | None = None) -> None:
    """Return once DuckDB would open the file (nobody holds it), or raise WarehouseBusy."""
    if Path(db).exists():
        connect(db, read_only=True, timeout_s=timeout_s).close()
