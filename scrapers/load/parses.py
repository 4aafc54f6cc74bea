"""Parse the documents in raw that have no parse of the current parser version, and load the results.

Every document is parsed in a worker process with an address-space limit, a CPU-time limit
and a wall-clock deadline (pebble's ProcessPool: a task that overruns is stopped, a worker
that dies fails only its own task and is replaced). A hostile file can make pdfium allocate
gigabytes and abort, or table detection run for minutes; in a worker that costs one
`failed` parse with the reason, never the batch or the run.

Bodies go from the warehouse to a spool folder one at a time and each worker reads its own,
so a batch holds one body per worker in memory. Results go in with one transaction per
batch, rows as Arrow tables (scrapers.load.bulk); a batch whose write fails is written again
document by document, and the document that cannot be written becomes a failed parse.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import resource
import signal
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

import duckdb
from pebble import ProcessExpired, ProcessPool

from scrapers.load.bulk import insert_rows
from scrapers.load.warehouse import connect
from scrapers.parse.model import PARSER_VERSION, Parse

log = logging.getLogger(__name__)

GIB = 1024**3


@dataclass(frozen=True)
class Limits:
    """What one document may cost. Reports parse in well under a second and 200 MB; these
    bounds are an order of magnitude above the worst real report."""

    # the machine has two cores; 0 parses in this process, unisolated (a debugger, a monkeypatch)
    workers: int = 2
    memory_bytes: int = 2 * GIB
    cpu_seconds: int = 60
    deadline_seconds: float = 60.0
    # a PDF or a picture may need OCR, which reads a page in seconds (its own budget: 420 s)
    ocr_seconds: int = 480

    def for_document(self, head: bytes, name: str | None) -> "Limits":
        """The limits of one document, by the format its first bytes show: only the formats that
        can need OCR get its time; every other document keeps the short deadline."""
        from scrapers.extract.sniff import sniff_format

        if sniff_format(head, name) in ("pdf", "image"):
            return self.for_ocr()
        return self

    def for_ocr(self) -> "Limits":
        return replace(self, cpu_seconds=max(self.cpu_seconds, self.ocr_seconds),
                       deadline_seconds=max(self.deadline_seconds, float(self.ocr_seconds)))

    @property
    def memory_label(self) -> str:
        return f"{self.memory_bytes / GIB:g} GiB" if self.memory_bytes >= GIB else f"{self.memory_bytes / 1048576:g} MiB"


LIMITS = Limits()
IN_PROCESS = Limits(workers=0)
BATCH = 50


@dataclass
class ParseSummary:
    parsed: int = 0
    by_status: Counter = field(default_factory=Counter)
    by_template: Counter = field(default_factory=Counter)
    failed_checks: int = 0
    cells: int = 0
    # (sha256, reason) of each failed parse, for the run's log and metadata
    failures: list[tuple[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "parsed": self.parsed,
            "by_status": dict(self.by_status),
            "by_template": dict(self.by_template),
            "failed_checks": self.failed_checks,
            "cells": self.cells,
            "failures": [list(f) for f in self.failures],
        }

    def add(self, sha256: str, parse: Parse, cells: int) -> None:
        if parse.status == "failed":
            self.failures.append((sha256, parse.problems[-1] if parse.problems else "no reason given"))
        self.parsed += 1
        self.cells += cells
        self.by_status[parse.status] += 1
        self.by_template[parse.template] += 1
        self.failed_checks += sum(not c.passed for c in parse.checks)


# ---------------------------------------------------------------------------
# Rows

PARSE_COLUMNS = ("sha256", "parser_version", "year", "office", "template", "status", "format", "problems", "parsed_at")
CELL_COLUMNS = ("sha256", "parser_version", "table_name", "row_code", "column_code", "value", "raw", "unit",
                "value_normalised", "approximate", "location")
CHECK_COLUMNS = ("sha256", "parser_version", "name", "passed", "left_value", "right_value", "identity",
                 "table_name", "row_code", "column_code", "left_side", "right_side")


def _cell_rows(sha256: str, parse: Parse) -> list[tuple]:
    v = PARSER_VERSION
    rows = []
    for c in parse.requests:
        rows.append((sha256, v, "requests", c.row, c.column, c.value, c.raw, None, None, False, c.loc))
    for c in parse.appeals:
        rows.append((sha256, v, "appeals", c.proceeding, c.result, c.value, c.raw, None, None, False, c.loc))
    for c in parse.proactive:
        rows.append((sha256, v, "proactive", c.item, c.measure, c.value, c.raw, c.unit, c.value_wan_yuan, False, c.loc))
    for c in parse.narrative:
        rows.append((sha256, v, "narrative", c.measure, "", c.value, c.raw, None, None, c.approximate, c.loc))
    for c in parse.extra:
        rows.append((sha256, v, "extra", f"{c.table}:{c.label}", c.column, c.value, c.raw, None, None, False, c.loc))
    return rows


def _cell_count(parse: Parse) -> int:
    return len(parse.requests) + len(parse.appeals) + len(parse.proactive) + len(parse.narrative) + len(parse.extra)


def _insert(con: duckdb.DuckDBPyConnection, parses: list[tuple[str, Parse]], now: datetime) -> int:
    """Replace these documents' parses of the current parser version: three deletes and three
    bulk inserts, whatever the number of documents."""
    v = PARSER_VERSION
    shas = [sha for sha, _ in parses]
    # cells and checks are only ever written with their parse: no parse replaced, nothing to delete
    replaced = con.execute(
        "delete from raw.parses where parser_version = ? and sha256 in (select unnest(?)) returning sha256", [v, shas]
    ).fetchall()
    if replaced:
        for table in ("raw.cells", "raw.checks"):
            con.execute(f"delete from {table} where parser_version = ? and sha256 in (select unnest(?))",
                        [v, [r[0] for r in replaced]])
    insert_rows(con, "raw.parses", PARSE_COLUMNS, [
        (sha, v, p.year, p.office, p.template, p.status, p.format, json.dumps(p.problems, ensure_ascii=False), now)
        for sha, p in parses
    ])
    cells = [row for sha, p in parses for row in _cell_rows(sha, p)]
    insert_rows(con, "raw.cells", CELL_COLUMNS, cells)
    insert_rows(con, "raw.checks", CHECK_COLUMNS, [
        (sha, v, c.name, c.passed, c.left, c.right, c.identity, c.table, c.row_code, c.column_code,
         c.left_side, c.right_side)
        for sha, p in parses for c in p.checks
    ])
    return len(cells)


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:200] if text else ''}"


def write_parses(con: duckdb.DuckDBPyConnection, parses: list[tuple[str, Parse]], now: datetime | None = None) -> list[tuple[str, Parse]]:
    """Write a batch in one transaction; if that fails, write it document by document, and
    record a document that still cannot be written as a failed parse saying why. Returns
    what was written (the failed parse in place of a document that could not be)."""
    now = now or datetime.now(timezone.utc)
    try:
        con.execute("begin")
        _insert(con, parses, now)
        con.execute("commit")
        return parses
    except Exception as exc:  # a cast, a constraint or a bug: retried one by one below
        con.execute("rollback")
        if len(parses) == 1:
            return [_write_failure(con, *parses[0], exc, now)]
        log.warning("writing a batch of %d parses failed (%s); writing them one by one", len(parses), _short(exc))
    written = []
    for sha, parse in parses:
        try:
            con.execute("begin")
            _insert(con, [(sha, parse)], now)
            con.execute("commit")
            written.append((sha, parse))
        except Exception as exc:
            con.execute("rollback")
            written.append(_write_failure(con, sha, parse, exc, now))
    return written


def _write_failure(con, sha: str, parse: Parse, exc: BaseException, now: datetime) -> tuple[str, Parse]:
    log.warning("parse of %s could not be written: %s", sha[:12], _short(exc))
    failed = Parse(status="failed", format=parse.format, problems=[f"the parse could not be loaded: {_short(exc)}"])
    try:
        con.execute("begin")
        _insert(con, [(sha, failed)], now)
        con.execute("commit")
    except Exception as again:  # the warehouse itself refuses: nothing more to do for this one
        con.execute("rollback")
        log.error("not even the failure of %s could be written: %s", sha[:12], _short(again))
    return sha, failed


# ---------------------------------------------------------------------------
# Workers


def _limit_worker(memory_bytes: int) -> None:
    """Runs once in each new worker, before any document."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    # a worker that aborts under the memory limit must not then write gigabytes of core
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _parse_in_worker(path: str, name: str | None, cpu_seconds: int, memory_label: str,
                     pictures: dict[str, str] | None = None) -> Parse:
    # RLIMIT_CPU counts the process's whole life, and a worker parses many documents: the
    # limit is moved to this document's start plus its allowance
    usage = resource.getrusage(resource.RUSAGE_SELF)
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = int(usage.ru_utime + usage.ru_stime) + cpu_seconds
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))

    from scrapers.parse.report import parse_document

    try:
        data = Path(path).read_bytes()
        parse = parse_document(data, name=name, pictures=_read_pictures(pictures))
    except MemoryError:
        return Parse(status="failed", problems=[f"exceeded the {memory_label} memory limit while parsing"])
    # parse_document turns every exception into a problem; out of memory is the limit, say so
    if parse.status == "failed" and any("MemoryError" in p for p in parse.problems):
        parse.problems.append(f"exceeded the {memory_label} memory limit while parsing")
    return parse


def _read_pictures(pictures: dict[str, str] | None) -> dict[str, bytes] | None:
    """The spooled pictures of a page, by their src."""
    return {src: Path(path).read_bytes() for src, path in pictures.items()} if pictures else None


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _failure_reason(exc: BaseException, limits: Limits) -> str:
    if isinstance(exc, FutureTimeout):
        return f"over the {limits.deadline_seconds:g} s deadline: the worker was stopped"
    if isinstance(exc, ProcessExpired):
        code = exc.exitcode
        if code is not None and code < 0:
            number = -code
            why = {
                signal.SIGXCPU: f"over the {limits.cpu_seconds} s CPU-time limit",
                signal.SIGABRT: f"a library aborted, typically out of memory under the {limits.memory_label} limit",
                signal.SIGSEGV: f"a library crashed, typically out of memory under the {limits.memory_label} limit",
                signal.SIGKILL: "killed from outside (the kernel's OOM killer or an operator)",
            }.get(number)
            return f"worker killed by signal {number} ({_signal_name(number)}" + (f": {why})" if why else ")")
        return f"worker exited with code {code}"
    if isinstance(exc, MemoryError):
        return f"exceeded the {limits.memory_label} memory limit"
    return f"worker failed: {_short(exc)}"


def _context():
    # forkserver: workers fork from a clean server process, not from a parent that runs
    # Dagster's and DuckDB's threads (forking those can deadlock); the parser is imported
    # once in the server, so a replaced worker starts in milliseconds
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["scrapers.parse.report", "scrapers.extract.dispatch", "scrapers.extract.pdf"])
    return ctx


def open_pool(limits: Limits = LIMITS) -> ProcessPool:
    return ProcessPool(max_workers=limits.workers, initializer=_limit_worker, initargs=(limits.memory_bytes,),
                       context=_context())


class _Workers:
    """The pool of a parse run, reopened if it breaks (its workers cannot start), so a broken
    pool costs one batch, not the rest of the run."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.pool: ProcessPool | None = None

    def parse(self, items: list[tuple[str, str, str | None]], pictures: dict[str, dict[str, str]] | None = None) -> dict[str, Parse]:
        pictures = pictures or {}
        if self.limits.workers <= 0:
            return {sha: _parse_here(path, name, pictures.get(sha)) for sha, path, name in items}
        if self.pool is not None and not self.pool.active:
            log.warning("the parse worker pool broke; starting a new one")
            self.pool.stop()
            self.pool.join()
            self.pool = None
        if self.pool is None:
            self.pool = open_pool(self.limits)
        return parse_isolated(self.pool, items, self.limits, pictures)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool.join()


@contextmanager
def _workers(limits: Limits) -> Iterator[_Workers]:
    workers = _Workers(limits)
    try:
        yield workers
    finally:
        workers.close()


def _parse_here(path: str, name: str | None, pictures: dict[str, str] | None = None) -> Parse:
    from scrapers.parse.report import parse_document

    return parse_document(Path(path).read_bytes(), name=name, pictures=_read_pictures(pictures))


def parse_isolated(pool: ProcessPool, items: list[tuple[str, str, str | None]], limits: Limits = LIMITS,
                   pictures: dict[str, dict[str, str]] | None = None) -> dict[str, Parse]:
    """Parse spooled files [(sha256, path, name)] in the pool, with the spooled pictures of each
    page ({sha256: {src: path}}); a task that dies or overruns is a failed parse with the reason,
    and the others go on."""
    pictures = pictures or {}
    futures = {}
    for sha, path, name in items:
        with open(path, "rb") as handle:
            own = limits.for_document(handle.read(8192), name)
        if pictures.get(sha):
            own = limits.for_ocr()  # the page's pictures are read by OCR
        futures[sha] = (own, pool.submit(_parse_in_worker, own.deadline_seconds, path, name, own.cpu_seconds,
                                         own.memory_label, pictures.get(sha)))
    results: dict[str, Parse] = {}
    for sha, (own, future) in futures.items():
        try:
            results[sha] = future.result()
        except Exception as exc:  # the worker's death, its deadline, or an error pickling the result
            reason = _failure_reason(exc, own)
            log.warning("parse of %s failed in its worker: %s", sha[:12], reason)
            results[sha] = Parse(status="failed", problems=[f"isolated parse failed: {reason}"])
    return results


# ---------------------------------------------------------------------------
# Batches


def pending_documents(db: str | Path | None, refresh: bool = False, *,
                      con: duckdb.DuckDBPyConnection | None = None) -> list[tuple[str, str]]:
    """(sha256, a source URL) of every document version without a parse of this parser version,
    or whose page got a picture after that parse (asked on `con` when given: a read-only look
    that writes nothing)."""
    own = con is None
    con = connect(db) if own else con
    try:
        query = "select d.sha256, min(d.source_url) from raw.documents d"
        if not refresh:
            query += (" anti join (select p.sha256 from raw.parses p where p.parser_version = $v and not exists ("
                      "select 1 from raw.document_pictures i where i.sha256 = p.sha256 and i.loaded_at > p.parsed_at)) p"
                      " on p.sha256 = d.sha256")
        return con.execute(query + " group by 1 order by 1", {"v": PARSER_VERSION} if not refresh else {}).fetchall()
    finally:
        if own:
            con.close()


@dataclass
class _PagePictures:
    """The pictures a page of the batch shows, as the crawl left them."""

    spooled: dict[str, str] = field(default_factory=dict)  # src -> spooled file
    failed: dict[str, str] = field(default_factory=dict)  # src -> why it is not there
    skipped: set[str] = field(default_factory=set)  # page furniture, left out on purpose


def _spool_pictures(con: duckdb.DuckDBPyConnection, shas: list[str], folder: Path) -> dict[str, _PagePictures]:
    """Copy the pictures of the batch's pages to files, beside their pages."""
    found: dict[str, _PagePictures] = {}
    rows = con.execute(
        "select p.sha256, p.src, p.picture_sha256, p.error, p.skipped, b.sha256 is not null "
        "from raw.document_pictures p left join raw.blobs b on b.sha256 = p.picture_sha256 "
        "where p.sha256 in (select unnest(?)) order by p.sha256, p.src", [shas]).fetchall()
    for number, (sha, src, picture, error, skipped, held) in enumerate(rows):
        page = found.setdefault(sha, _PagePictures())
        if skipped:
            page.skipped.add(src)
        elif error or not picture:
            page.failed[src] = error or "not fetched"
        elif not held:
            page.failed[src] = "its bytes are not in raw.blobs"
        else:
            path = folder / f"{sha}.picture{number}"
            path.write_bytes(con.execute("select body from raw.blobs where sha256 = ?", [picture]).fetchone()[0])
            page.spooled[src] = str(path)
    return found


def _account_for_pictures(parse: Parse, pictures: _PagePictures) -> Parse:
    """A picture the crawl could not get is content the parse did not read: named, and the
    report never called complete. Furniture left out on purpose is not named."""
    if parse.status == "failed":
        return parse
    left_out = set(pictures.failed) | pictures.skipped
    # the extractor names every <img> it was not given; the crawl's own reason replaces that line
    parse.problems = [p for p in parse.problems
                      if not any(p.startswith("picture ") and f"({src}) was not fetched" in p for src in left_out)]
    for src, why in sorted(pictures.failed.items()):
        parse.problems.append(f"picture {src} could not be fetched ({why}): its content is not read")
    if pictures.failed and parse.status == "ok":
        parse.status = "partial"
    return parse


def _spool(con: duckdb.DuckDBPyConnection, chunk: list[tuple[str, str]], folder: Path) -> tuple[list, dict[str, Parse]]:
    """Copy the batch's bodies to files, one body in memory at a time."""
    items, missing = [], {}
    for sha, url in chunk:
        row = con.execute("select body from raw.blobs where sha256 = ?", [sha]).fetchone()
        if row is None:
            missing[sha] = Parse(status="failed", problems=["the document's bytes are not in raw.blobs"])
            continue
        path = folder / sha
        path.write_bytes(row[0])
        del row
        items.append((sha, str(path), url))
    return items, missing


def parse_pending(db: str | Path | None = None, refresh: bool = False, batch: int = BATCH,
                  limits: Limits = LIMITS) -> ParseSummary:
    """Parse what has no parse yet, in batches: each batch's bodies are spooled, parsed in
    isolated workers outside any lock, then written in one short transaction, so a crash
    loses at most one batch and a hostile document costs only itself."""
    summary = ParseSummary()
    todo = pending_documents(db, refresh)
    if not todo:
        return summary
    from scrapers.progress import Progress

    formats: Counter = Counter()
    with tempfile.TemporaryDirectory(prefix="xxgk-parse-") as spool, _workers(limits) as workers, \
            Progress("parsing", total=len(todo), unit="documents") as bar:
        folder = Path(spool)
        for start in range(0, len(todo), batch):
            chunk = todo[start : start + batch]
            con = connect(db)
            try:
                items, parses = _spool(con, chunk, folder)
                pictures = _spool_pictures(con, [sha for sha, _path, _name in items], folder)
            finally:
                con.close()
            parses.update(workers.parse(items, {sha: p.spooled for sha, p in pictures.items() if p.spooled}))
            for sha, page in pictures.items():
                parses[sha] = _account_for_pictures(parses[sha], page)
            for path in folder.iterdir():
                path.unlink(missing_ok=True)
            ordered = [(sha, parses[sha]) for sha, _url in chunk]
            con = connect(db)
            try:
                written = write_parses(con, ordered)
            finally:
                con.close()
            for sha, parse in written:
                summary.add(sha, parse, _cell_count(parse))
                formats[parse.format if parse.status != "failed" else "failed"] += 1
            bar.advance(len(chunk))
            bar.note(", ".join(f"{n} {f}" for f, n in formats.most_common()))
    return summary
