"""The reports a crawl finds: their facts as the walk read them, and the sink that writes each as
a metadata record of the archive (the loader turns them into raw.documents rows).
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass

from scrapers.crawl.portals import Portal
from scrapers.crawl.store import CrawlStore
from scrapers.crawl.tally import CrawlTally
from scrapers.load.documents import DocumentMeta


@dataclass(frozen=True)
class ReportFacts:
    """Whose report it is and which year's, as its title, URL and page tell."""

    title: str
    year: int | None
    district: str
    district_code: str
    office: str  # as normalised
    category: str  # the office's type
    published: str | None = None  # ISO date
    office_id: str | None = None  # when the office is in the registry


@dataclass(frozen=True)
class Picture:
    """One `<img>` of a report page, for OCR: its src as the page writes it, the URL it was asked
    at, and the body's sha256; or why it failed (``error``: the report cannot be read whole), or
    why it was left out as page furniture (``skipped``: an icon, a logo)."""

    src: str
    url: str
    sha256: str | None = None
    error: str | None = None
    skipped: str | None = None

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(frozen=True)
class DiscoveredOffice:
    """An office a report names that the registry does not hold (it goes to raw.discovered_offices)."""

    district_code: str
    district: str
    normalised_name: str
    office_name: str  # as printed
    office_type: str
    title: str
    report_url: str
    year: int | None


def document_meta(portal: Portal, facts: ReportFacts, report_url: str, source_url: str, media: str | None) -> DocumentMeta:
    """The raw.documents row of a report: where it was found, whose and which year's it is."""
    return DocumentMeta(
        report_url=report_url, source_url=source_url, origin="crawl", portal=portal.portal,
        district=facts.district, district_code=facts.district_code, category=facts.category,
        title=facts.title, office_hint=facts.office, year_hint=facts.year,
        published_date=facts.published, media_type=media,
    )


class ReportSink:
    """Writes the reports and unknown offices the walks find to the archive, once each; thread-safe."""

    def __init__(self, store: CrawlStore, tally: CrawlTally):
        self.store = store
        self.tally = tally
        self._lock = threading.Lock()
        self._discovered: set[tuple[str, str]] = set()

    def report(self, portal: Portal, facts: ReportFacts, report_url: str, source_url: str, body: bytes,
               media: str | None, pictures: tuple[Picture, ...] = ()) -> None:
        meta = document_meta(portal, facts, report_url, source_url, media)
        recorded = self.store.register(body, meta, portal, [p.to_dict() for p in pictures])
        self.tally.report(portal, report_url, facts.district, facts.year, recorded == "version",
                          sum(p.sha256 is not None for p in pictures) if recorded else 0)

    def office(self, portal: Portal, office: DiscoveredOffice) -> None:
        with self._lock:
            if (office.district_code, office.normalised_name) in self._discovered:
                return
            self._discovered.add((office.district_code, office.normalised_name))
        self.tally.office({"district": office.district, "district_code": office.district_code,
                           "normalised_name": office.normalised_name, "office_type": office.office_type,
                           "title": office.title, "report_url": office.report_url})
        self.store.note_discovered_office(
            portal=portal, district_code=office.district_code, district=office.district,
            normalised_name=office.normalised_name, office_name=office.office_name, office_type=office.office_type,
            title=office.title, report_url=office.report_url, year=office.year,
        )
