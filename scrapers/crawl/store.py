"""The crawl's side of the archive: every attempt, every report found and every office discovered
written as WARC records, one file per run and start point; what earlier crawls settled read
back from the archive's index. The crawl never opens the warehouse (``scrapers.load`` does).

A body the archive already holds is written as a ``revisit`` record pointing at its first
copy, so each body is stored once however often it is fetched.
"""

from __future__ import annotations

import dataclasses
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from scrapers.archive.index import ArchiveIndex, Located
from scrapers.archive.warc import WarcFile, read_record, warc_date
from scrapers.crawl.fetch import Attempt
from scrapers.crawl.portals import Portal
from scrapers.load.documents import DocumentMeta, sha256_hex

# attempts the crawl decided not to send: no request record
NOT_SENT = frozenset({"robots_disallowed", "host_unreachable"})


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


def error_text(attempt: Attempt) -> str | None:
    if attempt.error is None:
        return None
    return f"{attempt.error}: {attempt.detail}" if attempt.detail else attempt.error


def run_stamp(at: datetime | None = None) -> str:
    """The start of a file's name: its UTC time, so names sort in the order files were begun."""
    return (at or datetime.now(timezone.utc)).strftime("%Y%m%dT%H%M%S%fZ")


class CrawlStore:
    """The archive as one crawl run sees it; thread-safe (portals are walked in parallel)."""

    def __init__(self, archive: str | Path):
        self.folder = Path(archive)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.index = ArchiveIndex.load(self.folder)
        self.run_id = uuid.uuid4().hex[:8]
        self.started = run_stamp()
        self._lock = threading.RLock()
        self._files: dict[str, WarcFile] = {}
        self._bodies: dict[str, Located] = dict(self.index.bodies)
        self._reports: dict[str, str] = dict(self.index.reports)
        self._report_pictures: dict[str, frozenset[str]] = dict(self.index.report_pictures)
        self._offices: set[tuple[str, str]] = set(self.index.offices)
        self.written: list[Path] = []

    # -- files ------------------------------------------------------------------------------------
    def _file(self, portal: Portal) -> WarcFile:
        warc = self._files.get(portal.key)
        if warc is None:
            name = f"{self.started}-crawl-{portal.district_code}-{portal.row}-{self.run_id}"
            warc = self._files[portal.key] = WarcFile(self.folder, name, {
                "software": "xxgk", "format": "WARC File Format 1.1", "portal": portal.portal,
                "district": portal.district, "start-url": portal.start_url, "registry-row": str(portal.row),
            })
        return warc

    def close(self) -> list[Path]:
        """Close every file of the run (files with nothing in them are removed)."""
        with self._lock:
            for warc in self._files.values():
                path = warc.close()
                if path is not None:
                    self.written.append(path)
            self._files.clear()
        return self.written

    # -- reads ------------------------------------------------------------------------------------
    def conclusive_fetches(self) -> dict[str, StoredFetch]:
        """What earlier crawls settled, per request URL (the latest body, else the latest 4xx)."""
        found: dict[str, StoredFetch] = {}
        for entry in sorted(self.index.fetches, key=lambda e: e["at"]):
            if not is_conclusive(entry["status"], entry["err"], entry["sha"]):
                continue
            stored = StoredFetch(entry["url"], entry["final"], entry["status"], entry["sha"], dict(entry["h"]),
                                 entry["charset"], datetime.fromisoformat(entry["at"]))
            previous = found.get(entry["url"])
            # a later 4xx does not erase a body we hold; a later body replaces anything
            if previous is None or stored.ok or not previous.ok:
                found[entry["url"]] = stored
        return found

    def body(self, sha256: str) -> bytes | None:
        with self._lock:
            where = self._bodies.get(sha256)
            if where is None:
                return None
            path = where.path
            if not path.exists():  # written by this run to a file closed (renamed) since
                path = path.with_name(path.name.removesuffix(".open"))
            try:
                return read_record(path, where.offset).payload
            except (OSError, StopIteration, ValueError):
                return None

    # -- writes -----------------------------------------------------------------------------------
    def record_attempt(
        self, attempt: Attempt, *, portal: Portal, charset: str | None = None, sha256: str | None = None,
        validators: dict[str, str] | None = None,
    ) -> str | None:
        """The attempt as WARC records (request, then response, revisit or the failure); returns
        the body's sha256. A 304 carries no body: ``sha256`` is then the stored copy it confirms."""
        fields = {
            "kind": "fetch", "request_url": attempt.request_url, "portal": portal.portal, "district": portal.district,
            "charset": charset, "elapsed_ms": round(attempt.elapsed_ms, 3), "error": error_text(attempt),
        }
        fields = {k: v for k, v in fields.items() if v is not None}
        at = attempt.fetched_at
        with self._lock:
            warc = self._file(portal)
            if attempt.status is None:
                if attempt.error not in NOT_SENT:
                    warc.request(attempt.request_url, at, _request_headers(validators))
                warc.metadata(attempt.request_url, at, {"attempt": {**fields, "fetched_at": at.isoformat()}},
                              {**fields, "kind": "fetch-error"})
                return None
            url = attempt.final_url or attempt.request_url
            digest = None
            if attempt.not_modified:
                digest = sha256
                written = warc.response(url, at, attempt.status, attempt.headers, b"",
                                        {**fields, "not_modified": True, **({"confirms": sha256} if sha256 else {"no_body": True})})
            elif attempt.body is None:
                written = warc.response(url, at, attempt.status, attempt.headers, b"", {**fields, "no_body": True})
            else:
                digest = sha256_hex(attempt.body)
                held = self._bodies.get(digest)
                if held is not None:
                    written = warc.revisit(url, at, digest, held.uri, held.date, attempt.status, attempt.headers, fields)
                else:
                    written = warc.response(url, at, attempt.status, attempt.headers, attempt.body, fields, digest)
                    self._bodies[digest] = Located(warc.open_path, written.offset, url, warc_date(at))
            warc.request(attempt.request_url, at, _request_headers(validators), concurrent_to=written.record_id)
            return digest

    def register(self, body: bytes, meta: DocumentMeta, portal: Portal, pictures: list[dict] | None = None) -> str | None:
        """A report found: a metadata record when these bytes are a new version of the report
        (not the latest the archive holds), with the pictures of its page: "version".

        The same version is recorded again when its page now gives a picture the archive did
        not have with it (one that failed last time): "pictures"; the loader then has it, and
        the page is read again with it. None when nothing was recorded."""
        digest = sha256_hex(body)
        fetched = frozenset(p["sha256"] for p in pictures or () if p.get("sha256"))
        url = meta.report_url
        with self._lock:
            same = self._reports.get(url) == digest
            held = self._report_pictures.get(url, frozenset()) if same else frozenset()
            if same and fetched <= held:
                return None
            self._reports[url] = digest
            self._report_pictures[url] = held | fetched
            data = {**dataclasses.asdict(meta), "sha256": digest}
            if pictures:
                data["pictures"] = pictures
            self._file(portal).metadata(url, datetime.now(timezone.utc), data,
                                        {"kind": "report", "report_url": url, "sha256": digest,
                                         "pictures": sorted(fetched)})
            return "pictures" if same else "version"

    def note_discovered_office(
        self, *, portal: Portal, district_code: str, district: str, normalised_name: str, office_name: str,
        office_type: str, title: str, report_url: str, year: int | None,
    ) -> None:
        with self._lock:
            if (district_code, normalised_name) in self._offices:
                return
            self._offices.add((district_code, normalised_name))
            data = {"district_code": district_code, "normalised_name": normalised_name, "district": district,
                    "office_name": office_name, "office_type": office_type, "title": title, "report_url": report_url,
                    "year": year, "portal": portal.portal}
            self._file(portal).metadata(report_url, datetime.now(timezone.utc), data,
                                        {"kind": "office", "district_code": district_code, "normalised_name": normalised_name})


def _request_headers(validators: dict[str, str] | None) -> dict[str, str]:
    """The conditional headers a request carried (the rest are the fetcher's fixed ones)."""
    headers = {}
    if validators and validators.get("etag"):
        headers["If-None-Match"] = validators["etag"]
    if validators and validators.get("last-modified"):
        headers["If-Modified-Since"] = validators["last-modified"]
    return headers
