"""Archives into raw: every WARC file not loaded yet becomes rows of raw.fetches, raw.blobs,
raw.documents, raw.document_pictures and raw.discovered_offices, and a row of raw.archive_files.

Idempotent: a file is known by name, size and sha256 (read from its index, not by hashing it
again), so loading twice changes nothing. In bulk: one connection for the whole load, one
transaction per batch of files (about ``BATCH_BYTES`` of WARC), rows through Arrow
(``bulk.insert_rows``); a batch that fails is loaded again file by file, so one bad file
costs only itself. Files are loaded in the order they were begun (their names start with
their UTC time), the order the version rule of ``documents.py`` needs to give the same ids
in a warehouse loaded tick by tick and in one rebuilt from the archive at once.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from scrapers.archive.index import archive_files, read_index
from scrapers.archive.warc import iter_records, recover, restored_headers
from scrapers.load.documents import document_id
from scrapers.settings import archive_path

log = logging.getLogger(__name__)

BATCH_BYTES = 64 * 1024 * 1024

FETCH_COLUMNS = ("fetch_id", "portal", "district", "request_url", "final_url", "status", "headers", "content_type",
                 "charset", "sha256", "fetched_at", "elapsed_ms", "not_modified", "error")
BLOB_COLUMNS = ("sha256", "size", "body", "first_seen_at")
DOCUMENT_COLUMNS = ("document_id", "report_url", "source_url", "sha256", "origin", "portal", "district", "district_code",
                    "category", "title", "office_hint", "year_hint", "published_date", "media_type", "fetched_at")
OFFICE_COLUMNS = ("district_code", "normalised_name", "district", "office_name", "office_type", "title", "report_url",
                  "year", "portal", "first_seen_at")
FILE_COLUMNS = ("name", "size", "sha256", "records", "loaded_at")
PICTURE_COLUMNS = ("sha256", "src", "url", "picture_sha256", "error", "skipped", "loaded_at")
# a picture that came with a later crawl of the same page replaces the failure held for it
PICTURE_ARRIVED = (
    "(sha256, src) do update set url = excluded.url, picture_sha256 = excluded.picture_sha256, "
    "error = null, skipped = null, loaded_at = excluded.loaded_at "
    "where raw.document_pictures.picture_sha256 is null and excluded.picture_sha256 is not null"
)
META_FIELDS = ("report_url", "source_url", "origin", "portal", "district", "district_code", "category", "title",
               "office_hint", "year_hint", "published_date", "media_type")


@dataclass
class LoadSummary:
    files: int = 0  # archive files loaded now
    already_loaded: int = 0
    fetches: int = 0
    blobs: int = 0
    new_versions: int = 0
    offices: int = 0
    failed: list[str] = field(default_factory=list)  # one line per file that could not be loaded
    elapsed_s: float = 0.0

    @property
    def changed(self) -> bool:
        return self.files > 0

    def to_dict(self) -> dict:
        return {"files": self.files, "already_loaded": self.already_loaded, "fetches": self.fetches,
                "blobs": self.blobs, "new_versions": self.new_versions, "offices": self.offices,
                "failed": list(self.failed), "elapsed_s": round(self.elapsed_s, 3)}


@dataclass
class _Rows:
    """What a batch of files adds, before it is written."""

    fetches: list[tuple] = field(default_factory=list)
    blobs: dict[str, tuple] = field(default_factory=dict)
    documents: list[dict] = field(default_factory=list)  # in record order; versions decided at write time
    offices: list[tuple] = field(default_factory=list)
    files: list[tuple] = field(default_factory=list)
    pictures: list[tuple] = field(default_factory=list)


def _read_file(path: Path, head: dict, rows: _Rows) -> None:
    count = 0
    for rec in iter_records(path):
        count += 1
        kind = rec.fields.get("kind")
        f = rec.fields
        if kind == "fetch" and rec.rec_type in ("response", "revisit"):
            headers = restored_headers(rec.http)
            holds = rec.rec_type == "response" and not f.get("no_body") and not f.get("confirms")
            sha = f.get("confirms") or (None if f.get("no_body") else rec.payload_sha256)
            if holds:
                rows.blobs.setdefault(sha, (sha, len(rec.payload), rec.payload, rec.date))
            status = int(rec.http.get_statuscode()) if rec.http else None
            rows.fetches.append((
                rec.record_id, f.get("portal"), f.get("district"), f.get("request_url") or rec.uri, rec.uri, status,
                json.dumps(headers, ensure_ascii=False) if headers else None, headers.get("content-type"),
                f.get("charset"), sha, rec.date, f.get("elapsed_ms"), bool(f.get("not_modified")), f.get("error"),
            ))
        elif kind == "fetch-error":
            rows.fetches.append((
                rec.record_id, f.get("portal"), f.get("district"), f.get("request_url") or rec.uri, None, None, None,
                None, f.get("charset"), None, rec.date, f.get("elapsed_ms"), False, f.get("error"),
            ))
        elif kind == "report":
            meta = json.loads(rec.payload)
            rows.documents.append({**{k: meta.get(k) for k in META_FIELDS}, "sha256": f["sha256"], "at": rec.date})
            rows.pictures.extend((f["sha256"], p["src"], p["url"], p.get("sha256"), p.get("error"), p.get("skipped"))
                                 for p in meta.get("pictures") or ())
        elif kind == "office":
            o = json.loads(rec.payload)
            rows.offices.append((o["district_code"], o["normalised_name"], o.get("district"), o.get("office_name"),
                                 o.get("office_type"), o.get("title"), o.get("report_url"), o.get("year"),
                                 o.get("portal"), rec.date))
        elif kind == "file":
            sha = rec.payload_sha256
            if rec.rec_type == "resource":
                rows.blobs.setdefault(sha, (sha, len(rec.payload), rec.payload, rec.date))
            rows.documents.append({
                "report_url": rec.uri, "source_url": rec.uri, "origin": "local", "title": f.get("title"),
                "media_type": f.get("media_type"), "sha256": sha, "at": rec.date,
            })
    rows.files.append((path.name, head["size"], head["sha256"], count, datetime.now(timezone.utc)))


def _existing(con: duckdb.DuckDBPyConnection, table: str, column: str, keys: list[str]) -> set[str]:
    """Which of ``keys`` the table holds already: one join against the keys as an Arrow table."""
    import pyarrow as pa

    if not keys:
        return set()
    con.register("_keys", pa.table({"k": keys}))
    try:
        return {k for (k,) in con.execute(f"select k from _keys semi join {table} on {column} = k").fetchall()}
    finally:
        con.unregister("_keys")


def _versions(con: duckdb.DuckDBPyConnection, documents: list[dict]) -> list[tuple]:
    """The documents rows of a batch: the version rule of documents.py applied in record order."""
    import pyarrow as pa

    urls = sorted({d["report_url"] for d in documents})
    state: dict[str, tuple[str, int]] = {}
    if urls:
        con.register("_urls", pa.table({"u": urls}))
        try:
            for url, sha, n in con.execute(
                "select report_url, arg_max(sha256, fetched_at), count(*) from raw.documents "
                "where report_url in (select u from _urls) group by report_url"
            ).fetchall():
                state[url] = (sha, n)
        finally:
            con.unregister("_urls")
    rows = []
    for d in documents:
        latest = state.get(d["report_url"])
        if latest and latest[0] == d["sha256"]:
            continue
        version = (latest[1] if latest else 0) + 1
        state[d["report_url"]] = (d["sha256"], version)
        rows.append((
            document_id(d["report_url"], d["sha256"], version), d["report_url"], d["source_url"], d["sha256"],
            d["origin"], d.get("portal"), d.get("district"), d.get("district_code"), d.get("category"), d.get("title"),
            d.get("office_hint"), d.get("year_hint"), d.get("published_date"), d.get("media_type"), d["at"],
        ))
    return rows


def _write(con: duckdb.DuckDBPyConnection, rows: _Rows, summary: LoadSummary) -> None:
    # Arrow only where rows are written: asking what is loaded (a no-change run) needs none
    from scrapers.load.bulk import insert_rows

    con.execute("begin")
    try:
        held = _existing(con, "raw.blobs", "sha256", list(rows.blobs))
        blobs = [row for sha, row in rows.blobs.items() if sha not in held]
        # blobs in slices: one Arrow table of every body of a batch would double its memory
        for i in range(0, len(blobs), 256):
            insert_rows(con, "raw.blobs", BLOB_COLUMNS, blobs[i:i + 256])
        insert_rows(con, "raw.fetches", FETCH_COLUMNS, rows.fetches, on_conflict_do_nothing=True)
        documents = _versions(con, rows.documents)
        insert_rows(con, "raw.documents", DOCUMENT_COLUMNS, documents, on_conflict_do_nothing=True)
        insert_rows(con, "raw.discovered_offices", OFFICE_COLUMNS, _first_per_key(rows.offices), on_conflict_do_nothing=True)
        now = datetime.now(timezone.utc)
        pictures = [(*row, now) for row in _best_picture_per_key(rows.pictures)]
        insert_rows(con, "raw.document_pictures", PICTURE_COLUMNS, pictures, on_conflict=PICTURE_ARRIVED)
        insert_rows(con, "raw.archive_files", FILE_COLUMNS, rows.files)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    summary.files += len(rows.files)
    summary.fetches += len(rows.fetches)
    summary.blobs += len(blobs)
    summary.new_versions += len(documents)
    summary.offices += len(rows.offices)


def _best_picture_per_key(pictures: list[tuple]) -> list[tuple]:
    """One row per (page, src): the first fetched one, else the first (a batch may hold several
    crawls of one page, and an insert may not touch one key twice)."""
    best: dict[tuple, tuple] = {}
    for row in pictures:
        held = best.get(row[:2])
        if held is None or (held[3] is None and row[3] is not None):
            best[row[:2]] = row
    return list(best.values())


def _first_per_key(offices: list[tuple]) -> list[tuple]:
    seen, out = set(), []
    for row in offices:
        if row[:2] not in seen:
            seen.add(row[:2])
            out.append(row)
    return out


def pending_files(con: duckdb.DuckDBPyConnection | None, folder: Path, summary: LoadSummary) -> list[tuple[Path, dict]]:
    """The archive's closed files that raw.archive_files does not hold, oldest first
    (``con`` None: a warehouse that holds none)."""
    loaded = {} if con is None else {
        name: (size, sha) for name, size, sha in con.execute("select name, size, sha256 from raw.archive_files").fetchall()}
    pending = []
    for path in archive_files(folder):
        try:
            head, _ = read_index(path)
        except Exception as exc:  # an unreadable file costs only itself
            summary.failed.append(f"{path.name}: cannot be indexed ({exc}); not loaded")
            continue
        known = loaded.get(path.name)
        if known == (head["size"], head["sha256"]):
            summary.already_loaded += 1
        elif known is not None:
            summary.failed.append(f"{path.name}: differs from the file of that name loaded before; not loaded")
        else:
            pending.append((path, head))
    return pending


def unloaded_files(archive: str | Path | None = None, db: str | Path | None = None) -> list[str]:
    """The names of the archive files the warehouse has not loaded, read without a write
    transaction: what a tick asks to know whether there is anything to load."""
    summary = LoadSummary()
    pending = [p.name for p, _ in _pending_read_only(archive_path(archive, db), db, summary)]
    for line in summary.failed:  # as load_archives says them: they are never loaded
        log.warning("%s", line)
    return pending


def _pending_read_only(folder: Path, db: str | Path | None, summary: LoadSummary) -> list[tuple[Path, dict]]:
    from scrapers.load.warehouse import connect
    from scrapers.settings import warehouse_path

    if not archive_files(folder):
        return []
    if not warehouse_path(db).exists():
        return pending_files(None, folder, summary)
    con = connect(db, read_only=True)
    try:
        has_table = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'raw' and table_name = 'archive_files'"
        ).fetchone()[0]
        return pending_files(con if has_table else None, folder, summary)
    finally:
        con.close()


def load_archives(archive: str | Path | None = None, db: str | Path | None = None, *,
                  batch_bytes: int = BATCH_BYTES) -> LoadSummary:
    """Load every archive file not loaded yet into the warehouse ``db``. With nothing to load,
    the warehouse is only read."""
    from scrapers.load.warehouse import connect

    started = time.monotonic()
    folder = archive_path(archive, db)
    summary = LoadSummary()
    if folder.is_dir():
        recover(folder)  # files whose crawl was killed: their whole records are loaded
    if not _pending_read_only(folder, db, summary):
        # nothing new: no write transaction, no schema DDL, no checkpoint
        for line in summary.failed:
            log.warning("%s", line)
        summary.elapsed_s = time.monotonic() - started
        return summary
    summary = LoadSummary()  # counted again below, under the write connection
    con = connect(db)
    try:
        pending = pending_files(con, folder, summary)
        batch: list[tuple[Path, dict]] = []
        size = 0
        for item in pending:
            batch.append(item)
            size += item[1]["size"]
            if size >= batch_bytes:
                _load_batch(con, batch, summary)
                batch, size = [], 0
        if batch:
            _load_batch(con, batch, summary)
    finally:
        con.close()
    for line in summary.failed:
        log.warning("%s", line)
    summary.elapsed_s = time.monotonic() - started
    return summary


def _load_batch(con: duckdb.DuckDBPyConnection, batch: list[tuple[Path, dict]], summary: LoadSummary) -> None:
    try:
        rows = _Rows()
        for path, head in batch:
            _read_file(path, head, rows)
        _write(con, rows, summary)
        return
    except Exception as exc:
        if len(batch) == 1:
            first_line = (str(exc).splitlines() or [""])[0][:300]
            summary.failed.append(f"{batch[0][0].name}: {type(exc).__name__}: {first_line}; not loaded")
            return
    for item in batch:
        _load_batch(con, [item], summary)
