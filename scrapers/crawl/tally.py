"""What a crawl counts, per portal and in all: the crawl's summary, and the progress it shows.

The walks of one crawl run in parallel threads, so every count goes through one lock here;
nothing else of the crawl keeps counts.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections import Counter
from dataclasses import dataclass, field

from scrapers.crawl.portals import Portal
from scrapers.progress import Progress

log = logging.getLogger(__name__)

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
    # pages fetched when its last report was found: how much of a budget a row needs (a row
    # that starts from a home page is narrowed by it)
    last_report_page: int = 0

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
    pictures: int = 0  # pictures of report pages kept for OCR
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
            "pictures": self.pictures,
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
            f"reports found {self.reports_found}, new versions {self.new_versions}"
            + (f", pictures for OCR {self.pictures}" if self.pictures else ""),
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
            last = f"; last report after {status.last_report_page} of {status.pages} pages" if status.budgets and status.reports else ""
            lines.append(f"  [{status.district} {status.portal}] {state}: {status.message}{budgets}{last}")
        return "\n".join(lines)


def reason_code(error: str | None) -> str:
    """The code of an error ("http_404: Not Found" -> "http_404")."""
    return (error or "unknown").split(":", 1)[0]


class CrawlTally:
    """The counts of one crawl, per portal and in all, and the progress lines and bar that show
    them; thread-safe."""

    def __init__(self, progress: bool):
        self.summary = CrawlSummary()
        self.progress = progress
        self.bar = Progress("crawl", unit="pages")  # drawn only on a terminal, while the crawl runs
        self._lock = threading.Lock()
        self._print_lock = threading.Lock()
        self._reported: set[str] = set()

    def status(self, portal: Portal) -> PortalStatus:
        with self._lock:
            return self._status(portal)

    def _status(self, portal: Portal) -> PortalStatus:
        status = self.summary.portals.get(portal.key)
        if status is None:
            status = self.summary.portals[portal.key] = PortalStatus(portal.district, portal.portal, portal.start_url)
        return status

    # -- what the archive gate counts --------------------------------------------------------------
    def replayed(self) -> None:
        with self._lock:
            self.summary.replayed += 1

    def not_modified(self) -> None:
        with self._lock:
            self.summary.not_modified += 1

    def requests(self, sent: int, retried: list[str]) -> None:
        """Attempts that reached the wire; ``retried`` the error codes of those tried again."""
        with self._lock:
            self.summary.requests += sent
            for reason in retried:
                self.summary.retried[reason] += 1

    def page(self, portal: Portal, url: str) -> None:
        """A page with a body came from the network."""
        with self._lock:
            self.summary.pages_fetched += 1
            status = self._status(portal)
            status.pages += 1
            pages, reports = status.pages, status.reports
        self.bar.advance()
        self.bar.note(f"{portal.district} {url}")
        if self.progress and pages % PROGRESS_EVERY == 0:
            self.line(portal, f"{pages} pages, {reports} reports")

    def gave_up(self, portal: Portal, error: str | None, enumerated: bool) -> None:
        """A URL ended without a usable answer (an enumerated page that does not exist is not a failure)."""
        reason = reason_code(error)
        with self._lock:
            if enumerated and reason == "http_404":
                self.summary.not_found += 1
                return
            self.summary.failures[reason] += 1
            self._status(portal).failures += 1

    # -- what the walks count ----------------------------------------------------------------------
    def start_page(self, portal: Portal, ok: bool, replayed: bool, status_code: int | None, why: str) -> None:
        with self._lock:
            status = self._status(portal)
            if ok and replayed:
                # nothing was asked of the portal: whether it is up today is unknown
                status.message = "not contacted: start page read back from the archive (--refresh fetches again)"
            elif ok:
                status.reachable = True
                status.message = f"start page fetched (HTTP {status_code})"
            else:
                status.reachable = False
                status.message = f"start page not reachable: {why}"

    def skip(self, portal: Portal, reason: str) -> None:
        with self._lock:
            self.summary.skipped[reason] += 1

    def budget(self, portal: Portal, budget: str, count: int = 1) -> None:
        with self._lock:
            budgets = self._status(portal).budgets
            if budget not in budgets:
                log.warning("%s: budget %s reached", portal.key, budget)
            budgets[budget] = budgets.get(budget, 0) + count
            self.summary.skipped[f"budget_{budget}"] += count

    def failure(self, portal: Portal, reason: str, url: str) -> None:
        log.warning("%s: %s at %s", portal.key, reason, url)
        with self._lock:
            self.summary.failures[reason] += 1
            self._status(portal).failures += 1

    def crawler_error(self, portal: Portal, exc: BaseException) -> None:
        with self._lock:
            self._status(portal).message = f"crawl stopped by an error: {exc!r}"[:300]
            self.summary.failures["crawler_error"] += 1

    # -- what the report sink counts ---------------------------------------------------------------
    def report(self, portal: Portal, report_url: str, district: str, year: int | None, new_version: bool,
               pictures: int) -> None:
        with self._lock:
            # pictures: those archived with the report in this crawl (a new version's, or ones
            # that failed before)
            self.summary.new_versions += new_version
            self.summary.pictures += pictures
            if report_url in self._reported:
                return
            self._reported.add(report_url)
            years = self.summary.reports.setdefault(district, {})
            years[year] = years.get(year, 0) + 1
            status = self._status(portal)
            status.reports += 1
            status.last_report_page = status.pages

    def office(self, entry: dict) -> None:
        with self._lock:
            self.summary.discovered_offices.append(entry)

    # -- progress ----------------------------------------------------------------------------------
    def line(self, portal: Portal, text: str) -> None:
        with self._print_lock:
            sys.stderr.write(f"[{portal.district} {portal.portal}] {text}\n")
            sys.stderr.flush()
