"""Crawl the registry's portals into the archive (WARC files): the function the CLI and the Dagster assets call.

A crawl resumes by design: a URL an earlier crawl settled (a body the archive holds, or a
definitive 4xx) is read back from the archive instead of fetched, so a crawl killed midway
and run again fetches only what it had not got and ends with the same archive. ``refresh``
fetches again, conditionally (ETag / Last-Modified), so unchanged pages answer 304. The
crawl never opens the warehouse: ``scrapers.load.archives`` loads what it wrote.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

from scrapers.crawl.discover import PortalWalk, document_meta
from scrapers.crawl.fetch import Attempt, Fetcher, FetchConfig, FetchResult, decode_html
from scrapers.crawl.portals import Portal, RegistryError, read_registry, select_portals
from scrapers.crawl.store import CrawlStore, StoredFetch
from scrapers.offices import OfficeRegistry
from scrapers.progress import Progress
from scrapers.settings import archive_path

# How long a list page read before stands for the list: shorter than the daily schedule, longer
# than any crawl, so a crash rerun replays lists and the next day's crawl asks for them again.
DEFAULT_LIST_MAX_AGE = timedelta(hours=12)

log = logging.getLogger(__name__)

MAX_PORTAL_THREADS = 8
PROGRESS_EVERY = 100  # pages between progress lines of a portal


@dataclass
class PortalStatus:
    district: str
    portal: str
    start_url: str
    reachable: bool | None = None
    message: str = ""
    pages: int = 0
    reports: int = 0
    failures: int = 0
    budgets: dict[str, int] = field(default_factory=dict)  # budget that bit -> URLs not followed

    def to_dict(self) -> dict:
        return {**self.__dict__, "budgets": dict(self.budgets)}


@dataclass
class CrawlSummary:
    pages_fetched: int = 0  # responses with a body, from the network, this crawl
    not_modified: int = 0  # conditional re-fetches answered 304
    replayed: int = 0  # pages read back from the archive instead of fetched
    requests: int = 0  # HTTP attempts made
    new_versions: int = 0  # report documents whose bytes were new
    not_found: int = 0  # enumerated (id, year) pages that do not exist
    reports: dict[str, dict[int, int]] = field(default_factory=dict)  # district -> year -> reports
    failures: Counter = field(default_factory=Counter)  # URLs given up, by reason
    retried: Counter = field(default_factory=Counter)  # failed attempts that were tried again, by reason
    skipped: Counter = field(default_factory=Counter)  # links not followed, by reason
    portals: dict[str, PortalStatus] = field(default_factory=dict)
    discovered_offices: list[dict] = field(default_factory=list)
    host_notes: dict[str, str] = field(default_factory=dict)  # what a host's robots.txt asked and what was done
    elapsed_s: float = 0.0
    archive: str = ""  # the archive folder
    files: list[str] = field(default_factory=list)  # the WARC files this crawl wrote

    @property
    def reports_found(self) -> int:
        return sum(n for years in self.reports.values() for n in years.values())

    def to_dict(self) -> dict:
        return {
            "pages_fetched": self.pages_fetched,
            "not_modified": self.not_modified,
            "replayed": self.replayed,
            "requests": self.requests,
            "reports_found": self.reports_found,
            "reports": {d: {str(y): n for y, n in sorted(ys.items(), key=lambda kv: kv[0] or 0)} for d, ys in sorted(self.reports.items())},
            "new_versions": self.new_versions,
            "not_found": self.not_found,
            "failures": dict(sorted(self.failures.items())),
            "retried": dict(sorted(self.retried.items())),
            "skipped": dict(sorted(self.skipped.items())),
            "portals": {k: v.to_dict() for k, v in self.portals.items()},
            "discovered_offices": list(self.discovered_offices),
            "host_notes": dict(sorted(self.host_notes.items())),
            "elapsed_s": round(self.elapsed_s, 3),
            "archive": self.archive,
            "files": list(self.files),
        }

    def render(self) -> str:
        lines = [
            f"pages fetched {self.pages_fetched} (304 unchanged {self.not_modified}, read back from the archive "
            f"{self.replayed}), requests {self.requests}",
            f"reports found {self.reports_found}, new versions {self.new_versions}",
        ]
        for district, years in sorted(self.reports.items()):
            per_year = ", ".join(f"{y or '?'}: {n}" for y, n in sorted(years.items(), key=lambda kv: kv[0] or 0))
            lines.append(f"  {district}: {per_year}")
        if self.failures:
            lines.append("failures: " + ", ".join(f"{k} {v}" for k, v in sorted(self.failures.items())))
        if self.retried:
            lines.append("retried: " + ", ".join(f"{k} {v}" for k, v in sorted(self.retried.items())))
        if self.discovered_offices:
            lines.append(f"offices not in the registry: {len(self.discovered_offices)}")
        for host, note in sorted(self.host_notes.items()):
            lines.append(f"  {host}: {note}")
        for status in self.portals.values():
            state = {True: "reachable", False: "UNREACHABLE", None: "not contacted"}[status.reachable]
            budgets = "".join(f"; budget {k} reached ({v} URLs not followed)" for k, v in sorted(status.budgets.items()))
            lines.append(f"  [{status.district} {status.portal}] {state}: {status.message}{budgets}")
        return "\n".join(lines)


@dataclass
class GetResult:
    url: str
    status: int | None
    final_url: str
    body: bytes | None
    content_type: str | None
    charset: str | None
    error: str | None
    replayed: bool = False
    _text: str | None = None
    detail: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.body is not None and self.status is not None and (200 <= self.status < 300 or self.status == 304)

    @property
    def is_html(self) -> bool:
        ctype = (self.content_type or "").lower()
        if "html" in ctype or "xml" in ctype:
            return True
        head = (self.body or b"")[:512].lstrip().lower()
        return not ctype.startswith(("application/", "image/")) and head.startswith((b"<!doctype", b"<html", b"<"))

    @property
    def text(self) -> str:
        if self._text is None:
            body = self.body or b""
            if self.charset:
                try:
                    self._text = body.decode(self.charset)
                except (UnicodeDecodeError, LookupError):
                    self._text = None
            if self._text is None:
                self._text, self.charset = decode_html(body, self.content_type)
        return self._text


def _reason(error: str | None) -> str:
    return (error or "unknown").split(":", 1)[0]


class CrawlSession:
    """State shared by the portal walks of one crawl: fetcher, store, registry, summary."""

    def __init__(self, store: CrawlStore, fetcher: Fetcher, offices: OfficeRegistry, refresh: bool, progress: bool,
                 list_max_age: timedelta = DEFAULT_LIST_MAX_AGE):
        self.store = store
        self.list_max_age = list_max_age
        self.fetcher = fetcher
        self.offices = offices
        self.refresh = refresh
        self.progress = progress
        self.bar = Progress("crawl", unit="pages")  # drawn only on a terminal, while the crawl runs
        self.summary = CrawlSummary()
        self.stored: dict[str, StoredFetch] = store.conclusive_fetches()
        self.this_run: dict[str, GetResult] = {}  # URL -> its outcome in this crawl (bodies dropped)
        self._lock = threading.Lock()
        self._print_lock = threading.Lock()
        self._url_locks: dict[str, threading.Lock] = {}
        self._reported: set[str] = set()
        self._discovered: set[tuple[str, str]] = set()

    # -- fetching ------------------------------------------------------------------------------
    def _replay(self, stored: StoredFetch) -> GetResult:
        if not stored.ok:
            return GetResult(stored.url, stored.status, stored.final_url or stored.url, None, stored.headers.get("content-type"),
                             stored.charset, f"http_{stored.status}", replayed=True)
        body = self.store.body(stored.sha256)
        return GetResult(stored.url, stored.status, stored.final_url or stored.url, body,
                         stored.headers.get("content-type"), stored.charset, None if body is not None else "blob_missing",
                         replayed=True)

    def _fresh(self, stored: StoredFetch, listing: bool) -> bool:
        """Whether a settled response may stand in for asking again. Report pages and files do
        for good (a changed one is found by --refresh); list pages, and enumerated pages that did
        not exist yet, only for list_max_age: that is how a scheduled crawl sees new reports,
        while a rerun right after a crash still asks only for what it had not got."""
        if not listing and stored.ok:
            return True
        if stored.fetched_at is None:
            return True
        return datetime.now(timezone.utc) - stored.fetched_at < self.list_max_age

    def get(self, url: str, portal: Portal, *, enumerated: bool = False, listing: bool = False) -> GetResult:
        """The URL's response: read back if an earlier crawl (or this one) settled it and it is
        still fresh, else fetched (conditionally, when we hold a body)."""
        with self._lock:
            lock = self._url_locks.setdefault(url, threading.Lock())
        with lock:
            done = self.this_run.get(url)
            stored = self.stored.get(url)
            if done is not None:
                # asked again in this crawl (another start point shares the page): same answer
                return self._replay(stored) if stored is not None and done.error is None else done
            if stored is not None and not self.refresh and self._fresh(stored, listing or enumerated):
                result = self._replay(stored)
                with self._lock:
                    self.summary.replayed += 1
                self.this_run[url] = GetResult(url, result.status, result.final_url, None, result.content_type,
                                               result.charset, result.error, replayed=True)
                return result
            result = self._fetch(url, portal, stored, enumerated)
            self.this_run[url] = GetResult(url, result.status, result.final_url, None, result.content_type,
                                           result.charset, result.error, detail=result.detail)
            return result

    def _fetch(self, url: str, portal: Portal, stored: StoredFetch | None, enumerated: bool) -> GetResult:
        is_robots = urlsplit(url).path == "/robots.txt"
        if not is_robots and not self.fetcher.robots_allowed(url, lambda robots_url: self._robots_result(robots_url, portal)):
            attempt = Attempt(request_url=url, error="robots_disallowed")
            if urlsplit(url).netloc.lower() in self.fetcher.down_hosts:
                attempt.error, attempt.detail = "host_unreachable", self.fetcher.down_hosts[urlsplit(url).netloc.lower()]
            self._record(attempt, portal, None)
            self._count_final(portal, attempt.error, enumerated)
            return GetResult(url, None, url, None, None, None, attempt.error)
        texts: dict[int, tuple[str, str]] = {}
        digests: dict[int, str | None] = {}

        def on_attempt(attempt: Attempt) -> None:
            decoded = None
            if attempt.body is not None and attempt.error is None and not attempt.not_modified and _looks_html(attempt):
                decoded = decode_html(attempt.body, attempt.content_type)
                texts[id(attempt)] = decoded
            digests[id(attempt)] = self._record(
                attempt, portal, decoded[1] if decoded else None, stored.sha256 if attempt.not_modified and stored else None,
                validators,
            )

        validators = stored.validators if stored is not None and stored.ok else None
        fetched = self.fetcher.fetch(url, on_attempt=on_attempt, allow=portal.host_allowed, validators=validators)
        last = fetched.last
        with self._lock:
            for attempt in fetched.attempts[:-1]:
                self.summary.retried[_reason(attempt.error)] += 1
        if last.not_modified and stored is not None and stored.ok:
            with self._lock:
                self.summary.not_modified += 1
            result = self._replay(stored)
            result.replayed = False
            return result
        if last.not_modified:
            # a 304 to a request that was not conditional, or for a copy we no longer hold:
            # there is no body to stand for the page, so it is a failure, never an empty version
            self._count_final(portal, "not_modified_without_copy", enumerated)
            return GetResult(url, last.status, last.final_url or url, None, last.content_type, None,
                             "not_modified_without_copy", detail="HTTP 304 but no stored copy of the page")
        if not fetched.ok:
            self._count_final(portal, last.error, enumerated)
            if last.status is not None and 400 <= last.status < 500 and last.status not in (408, 429):
                self.stored[url] = StoredFetch(url, last.final_url, last.status, None, last.headers, None)
            return GetResult(url, last.status, last.final_url or url, None, last.content_type, None, last.error or "unknown",
                             detail=last.detail)
        text, charset = texts.get(id(last), (None, None))
        digest = digests.get(id(last))
        self.stored[url] = StoredFetch(url, last.final_url, last.status, digest, last.headers, charset)
        with self._lock:
            self.summary.pages_fetched += 1
            status = self._status(portal)
            status.pages += 1
            pages = status.pages
        self.bar.advance()
        self.bar.note(f"{portal.district} {url}")
        if self.progress and pages % PROGRESS_EVERY == 0:
            self._progress_line(portal, f"{pages} pages, {status.reports} reports")
        return GetResult(url, last.status, last.final_url or url, last.body, last.content_type, charset, None, _text=text)

    def _robots_result(self, robots_url: str, portal: Portal) -> FetchResult:
        """robots.txt through the same path as every page: kept, and read back on a rerun."""
        # asked again like a list page (RFC 9309: a cached robots.txt is good for 24 h at most)
        got = self.get(robots_url, portal, listing=True)
        attempt = Attempt(request_url=robots_url, final_url=got.final_url, status=got.status,
                          error=None if got.ok else got.error, detail=got.detail)
        return FetchResult(robots_url, [attempt], got.body)

    def _record(self, attempt: Attempt, portal: Portal, charset: str | None, sha256: str | None = None,
                validators: dict[str, str] | None = None) -> str | None:
        digest = self.store.record_attempt(attempt, portal=portal, charset=charset, sha256=sha256, validators=validators)
        if attempt.status is not None or attempt.error not in ("robots_disallowed", "host_unreachable"):
            with self._lock:
                self.summary.requests += 1
        return digest

    def _count_final(self, portal: Portal, error: str | None, enumerated: bool) -> None:
        reason = _reason(error)
        with self._lock:
            if enumerated and reason == "http_404":
                self.summary.not_found += 1
                return
            self.summary.failures[reason] += 1
            self._status(portal).failures += 1

    # -- what the walks report -------------------------------------------------------------------
    def _status(self, portal: Portal) -> PortalStatus:
        status = self.summary.portals.get(portal.key)
        if status is None:
            status = self.summary.portals[portal.key] = PortalStatus(portal.district, portal.portal, portal.start_url)
        return status

    def note_start(self, portal: Portal, result: GetResult) -> None:
        with self._lock:
            status = self._status(portal)
            if result.ok and result.replayed:
                # nothing was asked of the portal: whether it is up today is unknown
                status.message = "not contacted: start page read back from the archive (--refresh fetches again)"
            elif result.ok:
                status.reachable = True
                status.message = f"start page fetched (HTTP {result.status})"
            else:
                status.reachable = False
                host = urlsplit(portal.start_url).netloc.lower()
                why = self.fetcher.down_hosts.get(host) or result.error or "no response"
                status.message = f"start page not reachable: {why}"

    def count_skip(self, portal: Portal, reason: str) -> None:
        with self._lock:
            self.summary.skipped[reason] += 1

    def count_budget(self, portal: Portal, budget: str, count: int = 1) -> None:
        with self._lock:
            budgets = self._status(portal).budgets
            if budget not in budgets:
                log.warning("%s: budget %s reached", portal.key, budget)
            budgets[budget] = budgets.get(budget, 0) + count
            self.summary.skipped[f"budget_{budget}"] += count

    def count_failure(self, portal: Portal, reason: str, url: str) -> None:
        log.warning("%s: %s at %s", portal.key, reason, url)
        with self._lock:
            self.summary.failures[reason] += 1
            self._status(portal).failures += 1

    def register_report(self, portal: Portal, facts: dict, report_url: str, source_url: str, body: bytes, media: str | None) -> None:
        new = self.store.register(body, document_meta(portal, facts, report_url, source_url, media), portal)
        with self._lock:
            if new:
                self.summary.new_versions += 1
            if report_url in self._reported:
                return
            self._reported.add(report_url)
            years = self.summary.reports.setdefault(facts["district"], {})
            years[facts["year"]] = years.get(facts["year"], 0) + 1
            self._status(portal).reports += 1

    def discovered(self, portal: Portal, code: str, district: str, name: str, printed: str, office_type: str,
                   title: str, report_url: str, year: int | None) -> None:
        with self._lock:
            if (code, name) in self._discovered:
                return
            self._discovered.add((code, name))
            self.summary.discovered_offices.append(
                {"district": district, "district_code": code, "normalised_name": name, "office_type": office_type,
                 "title": title, "report_url": report_url}
            )
        self.store.note_discovered_office(
            portal=portal, district_code=code, district=district, normalised_name=name, office_name=printed,
            office_type=office_type, title=title, report_url=report_url, year=year,
        )

    def _progress_line(self, portal: Portal, text: str) -> None:
        with self._print_lock:
            sys.stderr.write(f"[{portal.district} {portal.portal}] {text}\n")
            sys.stderr.flush()


def _looks_html(attempt: Attempt) -> bool:
    ctype = (attempt.content_type or "").lower()
    if "html" in ctype:
        return True
    if ctype.startswith(("application/", "image/", "audio/", "video/")):
        return False
    return (attempt.body or b"")[:256].lstrip()[:1] == b"<"


def crawl(
    districts: list[str] | None = None,
    years: list[int] | None = None,
    registry: str | Path | None = None,
    db: str | Path | None = None,
    refresh: bool = False,
    rate: float = 1.0,
    progress: bool = True,
    *,
    archive: str | Path | None = None,
    config: FetchConfig | None = None,
    offices: str | Path | None = None,
    list_max_age: timedelta = DEFAULT_LIST_MAX_AGE,
) -> CrawlSummary:
    """Crawl the registry's portals (all, or those of ``districts``) for reports on ``years``.

    ``rate`` is requests per second per host (0 = no limit); ``config`` overrides the other
    fetch settings (timeouts, retries, size limit); ``offices`` is the office registry CSV;
    list pages older than ``list_max_age`` are asked for again (conditionally) to find new reports.
    What is fetched goes to the archive folder (``archive``, else $XXGK_ARCHIVE, else `archive/`
    beside the warehouse file ``db``). Unreachable portals end with a message in the summary,
    not an exception.
    """
    started = time.monotonic()
    portals = select_portals(read_registry(registry), districts)
    if districts and not portals:
        raise RegistryError(f"no registry row for {', '.join(districts)}")
    fetch_config = dataclasses.replace(config or FetchConfig(), rate=rate)
    store = CrawlStore(archive_path(archive, db))
    try:
        session = CrawlSession(store, Fetcher(fetch_config), OfficeRegistry.load(offices), refresh, progress, list_max_age)
        wanted = tuple(sorted(set(years))) if years else None

        def walk(portal: Portal) -> None:
            session._status(portal)
            if progress:
                session._progress_line(portal, f"crawling {portal.start_url}")
            try:
                PortalWalk(session, portal, wanted).run()
            except Exception as exc:  # one broken portal must not stop the others
                log.exception("portal %s failed", portal.key)
                with session._lock:
                    status = session._status(portal)
                    status.message = f"crawl stopped by an error: {exc!r}"[:300]
                    session.summary.failures["crawler_error"] += 1
            if progress:
                status = session.summary.portals[portal.key]
                if status.reachable is False:
                    session._progress_line(portal, f"UNREACHABLE — {status.message}")
                else:
                    session._progress_line(portal, f"done: {status.pages} pages fetched, {status.reports} reports, {status.failures} failures")

        with session.bar if progress else contextlib.nullcontext(), \
                ThreadPoolExecutor(max_workers=max(1, min(MAX_PORTAL_THREADS, len(portals))), thread_name_prefix="crawl") as pool:
            for future in [pool.submit(walk, p) for p in portals]:
                future.result()
    finally:
        written = store.close()
    session.summary.host_notes = dict(session.fetcher.notes)
    session.summary.elapsed_s = time.monotonic() - started
    session.summary.archive = str(store.folder)
    session.summary.files = [p.name for p in written]
    return session.summary


def crawl_from_cli(args) -> int:
    """`xxgk crawl`: progress per portal on stderr, the summary on stdout; 0 even if portals are down."""
    try:
        summary = crawl(
            districts=list(getattr(args, "district", None) or []) or None,
            years=list(getattr(args, "year", None) or []) or None,
            registry=getattr(args, "registry", None),
            db=getattr(args, "db", None),
            archive=getattr(args, "archive", None),
            refresh=bool(getattr(args, "refresh", False)),
            rate=float(getattr(args, "rate", 1.0) if getattr(args, "rate", None) is not None else 1.0),
            progress=True,
        )
    except RegistryError as exc:
        print(f"xxgk crawl: {exc}", file=sys.stderr)
        return 2
    print(summary.render())
    print(f"archive: {summary.archive} ({len(summary.files)} new WARC files; `xxgk run` loads them into the warehouse)")
    return 0
