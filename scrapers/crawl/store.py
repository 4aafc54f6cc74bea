"""The crawl's side of the warehouse: every attempt into raw.fetches, bytes into raw.blobs, reports
into raw.documents, each in its own short transaction.

DuckDB lets one process hold the file at a time and opening it costs tens of milliseconds,
so the connection stays open while responses keep coming and is closed as soon as the
crawl pauses (idle) or has held the file for ``hold_seconds``; other processes waiting in
``scrapers.load.warehouse.connect`` then get their turn. A crash loses nothing committed.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from scrapers.crawl.fetch import Attempt
from scrapers.load.documents import DocumentMeta, register_document, sha256_hex, store_blob
from scrapers.load.warehouse import connect


@dataclass(frozen=True)
class StoredFetch:
    """The latest conclusive response for a URL: a body we hold, or a definitive 4xx."""

    url: str
    final_url: str | None
    status: int
    sha256: str | None
    headers: dict[str, str]
    charset: str | None
    fetched_at: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.sha256 is not None and (200 <= self.status < 300 or self.status == 304)

    @property
    def validators(self) -> dict[str, str]:
        return {k: self.headers[k] for k in ("etag", "last-modified") if self.headers.get(k)}


def is_conclusive(status: int | None, error: str | None, sha256: str | None) -> bool:
    """Whether a past response settles the URL: a body, or a 4xx that retrying would not change."""
    if status is None:
        return False
    if (200 <= status < 300 and error is None and sha256) or (status == 304 and sha256):
        return True
    return 400 <= status < 500 and status not in (408, 429)


class CrawlStore:
    def __init__(self, db: str | Path | None, *, hold_seconds: float = 2.0, idle_seconds: float = 0.2,
                 gap_seconds: float = 0.25):
        self.db = db
        self.hold_seconds = hold_seconds
        self.gap_seconds = gap_seconds
        self.idle_seconds = idle_seconds
        self._lock = threading.RLock()
        self._con = None
        self._opened_at = 0.0
        self._last_used = 0.0
        self._blobs: set[str] | None = None  # sha256 of the bodies raw.blobs holds, loaded on first write
        self._closed = threading.Event()
        self._reaper = threading.Thread(target=self._close_when_idle, name="crawl-store-reaper", daemon=True)
        self._reaper.start()

    # -- connection lifetime ------------------------------------------------------------------
    def _connection(self):
        if self._con is None:
            self._con = connect(self.db)
            self._opened_at = time.monotonic()
        return self._con

    def _release(self, force: bool = False) -> None:
        if self._con is not None and (force or time.monotonic() - self._opened_at > self.hold_seconds):
            self._con.close()
            self._con = None

    def _close_when_idle(self) -> None:
        while not self._closed.wait(self.idle_seconds / 2):
            with self._lock:
                if self._con is not None and time.monotonic() - self._last_used > self.idle_seconds:
                    self._release(force=True)

    def close(self) -> None:
        self._closed.set()
        with self._lock:
            self._release(force=True)

    def _run(self, work):
        """One transaction: committed before returning, rolled back on any error."""
        with self._lock:
            con = self._connection()
            con.execute("begin")
            try:
                result = work(con)
                con.execute("commit")
            except BaseException:
                con.execute("rollback")
                raise
            finally:
                self._last_used = time.monotonic()
                if self.hold_seconds <= 0:
                    self._release(force=True)
            if time.monotonic() - self._opened_at > self.hold_seconds:
                self._release(force=True)
                # a moment with the file free, long enough for a writer in another process
                # polling scrapers.load.warehouse.connect to get in
                time.sleep(self.gap_seconds)
            return result

    # -- reads ----------------------------------------------------------------------------------
    def conclusive_fetches(self) -> dict[str, StoredFetch]:
        """What earlier crawls settled, per request URL (the latest body, else the latest 4xx)."""
        rows = self._run(lambda con: con.execute(
            """
            select request_url, final_url, status, headers, sha256, charset, error, fetched_at
            from raw.fetches where status is not null
            order by fetched_at
            """
        ).fetchall())
        found: dict[str, StoredFetch] = {}
        for url, final_url, status, headers, sha, charset, error, _at in rows:
            if not is_conclusive(status, error, sha):
                continue
            stored = StoredFetch(url, final_url, status, sha, json.loads(headers) if headers else {}, charset, _at)
            previous = found.get(url)
            # a later 4xx does not erase a body we hold; a later body replaces anything
            if previous is None or stored.ok or not previous.ok:
                found[url] = stored
        return found

    def body(self, sha256: str) -> bytes | None:
        row = self._run(lambda con: con.execute("select body from raw.blobs where sha256 = ?", [sha256]).fetchone())
        return bytes(row[0]) if row else None

    # -- writes ---------------------------------------------------------------------------------
    def record_attempt(
        self, attempt: Attempt, *, portal: str | None, district: str | None, charset: str | None = None,
        sha256: str | None = None,
    ) -> str | None:
        """One row in raw.fetches (its body in raw.blobs); returns the body's sha256.

        A 304 carries no body: ``sha256`` is then the stored copy it confirms.
        """

        def work(con):
            digest = sha256
            if attempt.body is not None and not attempt.not_modified:
                if self._blobs is None:
                    self._blobs = {row[0] for row in con.execute("select sha256 from raw.blobs").fetchall()}
                digest = sha256_hex(attempt.body)
                # most bodies a crawl meets twice (404 pages, re-fetches) are stored already:
                # skipping the conflicting insert halves the cost of such a write
                if digest not in self._blobs:
                    store_blob(con, attempt.body, attempt.fetched_at)
            con.execute(
                """
                insert into raw.fetches (fetch_id, portal, district, request_url, final_url, status, headers,
                    content_type, charset, sha256, fetched_at, elapsed_ms, not_modified, error)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    uuid.uuid4().hex, portal, district, attempt.request_url, attempt.final_url, attempt.status,
                    json.dumps(attempt.headers, ensure_ascii=False) if attempt.headers else None,
                    attempt.content_type, charset, digest, attempt.fetched_at, round(attempt.elapsed_ms, 3),
                    attempt.not_modified,
                    None if attempt.error is None else f"{attempt.error}: {attempt.detail}" if attempt.detail else attempt.error,
                ],
            )
            return digest

        digest = self._run(work)
        if digest and self._blobs is not None:
            self._blobs.add(digest)
        return digest

    def register(self, body: bytes, meta: DocumentMeta) -> bool:
        """Register a report version; True when these bytes are a new version of the report."""
        return self._run(lambda con: register_document(con, body, meta)[1])

    def note_discovered_office(
        self, *, district_code: str, district: str, normalised_name: str, office_name: str, office_type: str,
        title: str, report_url: str, year: int | None, portal: str,
    ) -> None:
        self._run(lambda con: con.execute(
            """
            insert into raw.discovered_offices (district_code, normalised_name, district, office_name, office_type,
                title, report_url, year, portal, first_seen_at)
            values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing
            """,
            [district_code, normalised_name, district, office_name, office_type, title, report_url, year, portal,
             datetime.now(timezone.utc)],
        ))
