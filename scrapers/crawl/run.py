"""Crawl the registry's portals into the archive (WARC files): the function the CLI and the Dagster assets call.

One crawl is a few small parts, each with one job: the archive gate answers for URLs from the
archive or the network (``gate.py``), the tally counts and shows progress (``tally.py``), the
report sink writes what the walks find (``reports.py``), and one ``PortalWalk`` per start
point walks its column (``discover.py``) through those three. The crawl never opens the
warehouse: ``scrapers.load.archives`` loads what it wrote.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

from scrapers.crawl.discover import PortalWalk
from scrapers.crawl.fetch import Fetcher, FetchConfig
from scrapers.crawl.gate import DEFAULT_LIST_MAX_AGE, ArchiveGate
from scrapers.crawl.portals import Portal, RegistryError, read_registry, select_portals
from scrapers.crawl.reports import ReportSink
from scrapers.crawl.store import CrawlStore
from scrapers.crawl.tally import CrawlSummary, CrawlTally, PortalStatus
from scrapers.offices import OfficeRegistry
from scrapers.settings import archive_path

__all__ = ["DEFAULT_LIST_MAX_AGE", "CrawlSummary", "PortalStatus", "crawl", "crawl_from_cli"]

log = logging.getLogger(__name__)

MAX_PORTAL_THREADS = 8


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
    tally = CrawlTally(progress)
    try:
        fetcher = Fetcher(fetch_config)
        gate = ArchiveGate(store, fetcher, tally, refresh=refresh, list_max_age=list_max_age)
        sink = ReportSink(store, tally)
        registry_of_offices = OfficeRegistry.load(offices)
        wanted = tuple(sorted(set(years))) if years else None

        def walk(portal: Portal) -> None:
            tally.status(portal)
            if progress:
                tally.line(portal, f"crawling {portal.start_url}")
            try:
                PortalWalk(portal, wanted, pages=gate, tally=tally, reports=sink, offices=registry_of_offices).run()
            except Exception as exc:  # one broken portal must not stop the others
                log.exception("portal %s failed", portal.key)
                tally.crawler_error(portal, exc)
            if progress:
                status = tally.status(portal)
                if status.reachable is False:
                    tally.line(portal, f"UNREACHABLE — {status.message}")
                else:
                    tally.line(portal, f"done: {status.pages} pages fetched, {status.reports} reports, {status.failures} failures")

        with tally.bar if progress else contextlib.nullcontext(), \
                ThreadPoolExecutor(max_workers=max(1, min(MAX_PORTAL_THREADS, len(portals))), thread_name_prefix="crawl") as pool:
            for future in [pool.submit(walk, p) for p in portals]:
                future.result()
    finally:
        written = store.close()
    summary = tally.summary
    summary.host_notes = dict(fetcher.notes)
    summary.elapsed_s = time.monotonic() - started
    summary.archive = str(store.folder)
    summary.files = [p.name for p in written]
    return summary


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
