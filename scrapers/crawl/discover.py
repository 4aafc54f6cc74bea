"""Walk one portal's 年报 column: sub-columns, list pages, detail pages, attachments.

From the start URL every link is sorted: off the registry's hosts, or out of the column's
scope (unless its link text is a full report title: then a leaf, fetched, never walked) →
never followed; a detail page (the registry's detail pattern, or link text that
reads as a report title) → fetched and judged by its own title; an attachment → fetched only
from a report's page (or when the list links the report file itself); anything else in scope
→ a list page or sub-column, walked in turn. Look-alikes (工作要点, 指南, 目录, notices) are
skipped by their link text and again by their page title. Enumerable portals add every
(id, year) page of their template, ids taken from the registry and from links seen.

One report, one document. raw.documents keeps versions per report_url (a new version when
the bytes change), so each report has exactly one source:
- report_url is the detail page; source_url is that page when the report is inline (its
  text has the report's sections), else its best attachment (.docx, then .pdf, .doc, .wps,
  .xlsx, .xls). A list that links a report file directly makes the file both.
- every attachment of a report page is still fetched and kept in raw.fetches/raw.blobs
  (an inline report's PDF copy, the other formats of an attached one); registering them as
  documents of the same report_url would flip its "latest version" on every crawl.
- a report whose every attachment failed is counted as ``report_source_missing`` and is
  registered by a later crawl that gets one.
- a list page that carries a report body itself (海淀's column shows its latest report inline)
  is registered as that report and still walked as a list.
- every URL is made canonical (``canonical_url``) before it is queued or recorded, so a link
  with ``?from=list`` is the page without it.
- a report that is its page has the page's pictures fetched and listed with it
  (``pictures.py``): its tables may be images, which the parse hands to OCR.

The walk is best-first (``priority.py``): links whose text or path names the disclosure work,
and the pages below them, are fetched before the rest, so a row that starts from a district's
home page reaches its 年报 column before the news columns spend its page budget.

Budgets bound every walk (the registry's ``max_depth``, ``max_pages``, ``max_bytes``,
``max_pattern_urls``): a crawler trap or a list announcing 10,000 pages stops at the budget,
the excess is counted in the portal's status, and the crawl goes on with the next portal.
"""

from __future__ import annotations

import re
import heapq
import itertools
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from scrapers.crawl.fetch import Response
from scrapers.crawl.pages import Page, attachment_rank, is_attachment, parse_page, year_in_body
from scrapers.crawl.pagination import page_number, last_page_urls, trs_page_urls
from scrapers.crawl.pictures import PicturePolicy
from scrapers.crawl.portals import Portal, canonical_url
from scrapers.crawl.priority import read_hints
from scrapers.crawl.reports import DiscoveredOffice, Picture, ReportFacts
from scrapers.crawl.titles import clean_title, is_decoy, is_report_title, may_be_report_link, split_title, year_in_text
from scrapers.offices import OfficeRegistry

_MEDIA_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".doc": "application/msword",
    ".wps": "application/vnd.ms-works",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Visit:
    url: str
    kind: str  # list | detail | file (a report file linked straight from a list)
    anchor: str = ""
    year: int | None = None  # the year its sub-column or link names
    enumerated: bool = False
    depth: int = 0  # links from the start URL; a list's own pages share its depth
    score: int = 0  # how surely it leads to reports (priority.py): higher is fetched first


@dataclass(frozen=True)
class LinkVerdict:
    """What the walk does with a link: ``kind`` list | detail | file, or None with the reason."""
    kind: str | None
    reason: str
    year: int | None = None


# A folder named like a host (/gate/big5/www.beijing.gov.cn/…): a translation gateway or mirror
# serving another page's copy, never a report of its own.
_HOST_FOLDER = re.compile(r"/(?:[a-z0-9-]+\.)+[a-z]{2,}/", re.IGNORECASE)


def _through_a_gateway(url: str) -> bool:
    return _HOST_FOLDER.search(urlsplit(url).path) is not None


def classify_link(portal: Portal, url: str, text: str = "", wanted=lambda year: True) -> LinkVerdict:
    """How the walk treats a link of ``portal`` with that text: the one rule, used by the walk
    and by ``explain``. ``wanted`` says whether a year is asked for."""
    if not portal.host_allowed(url):
        return LinkVerdict(None, "offsite")
    if is_attachment(url):
        # a list that links the report file itself: the file is the report
        if is_report_title(text) and wanted(year_in_text(text)):
            return LinkVerdict("file", "report file linked from a list", year_in_text(text))
        return LinkVerdict(None, "attachment")
    if not portal.in_scope(url):
        # The scope keeps the walk inside the report column; a page a column links under a full
        # report title is a leaf, never walked, wherever the CMS filed it (departments' reports
        # often live under their own section's path).
        if (text and is_report_title(text) and not is_decoy(text) and wanted(year_in_text(text))
                and (portal.title_filter is None or portal.title_filter.search(clean_title(text)))
                and not _through_a_gateway(url)):
            return LinkVerdict("detail", "report page outside the scope, linked with a report title", year_in_text(text))
        return LinkVerdict(None, "out_of_scope")
    if text and is_decoy(text):
        return LinkVerdict(None, "decoy")
    year = portal.year_in_url(url) or year_in_text(text) or None
    if not wanted(year):
        return LinkVerdict(None, "year_not_wanted", year)
    if portal.is_detail(url) if portal.detail_pattern is not None else may_be_report_link(text):
        return LinkVerdict("detail", "detail page", year)
    return LinkVerdict("list", "list page", year)


def _media_type(url: str, content_type: str | None) -> str | None:
    path = urlsplit(url).path.lower()
    for ext, media in _MEDIA_TYPES.items():
        if path.endswith(ext):
            return media
    return (content_type or "").split(";")[0].strip() or None


class Pages(Protocol):
    """Where the walk gets its pages (the crawl's archive gate)."""

    def get(self, url: str, portal: Portal, *, enumerated: bool = False, listing: bool = False,
            max_bytes: int | None = None) -> Response: ...

    def down_reason(self, url: str) -> str | None: ...


class WalkTally(Protocol):
    """What the walk counts (the crawl's tally)."""

    def start_page(self, portal: Portal, ok: bool, replayed: bool, status_code: int | None, why: str) -> None: ...

    def skip(self, portal: Portal, reason: str) -> None: ...

    def budget(self, portal: Portal, budget: str, count: int = 1) -> None: ...

    def failure(self, portal: Portal, reason: str, url: str) -> None: ...


class Reports(Protocol):
    """Where the walk puts what it found (the crawl's report sink)."""

    def report(self, portal: Portal, facts: ReportFacts, report_url: str, source_url: str, body: bytes,
               media: str | None, pictures: tuple[Picture, ...] = ()) -> None: ...

    def office(self, portal: Portal, office: DiscoveredOffice) -> None: ...


class PortalWalk:
    """One start point of the registry, walked to the end: pages from ``pages``, counts to
    ``tally``, reports to ``reports``."""

    def __init__(self, portal: Portal, years: tuple[int, ...] | None, *, pages: Pages, tally: WalkTally,
                 reports: Reports, offices: OfficeRegistry, pictures: PicturePolicy | None = None):
        self.pages_from = pages
        self.tally = tally
        self.reports = reports
        self.offices = offices
        self.pictures = pictures or PicturePolicy()
        self.portal = portal
        self.years = set(years) if years else None
        # best-first: (start page first, -score, depth, order found, visit); equal scores are
        # walked breadth-first
        self.queue: list[tuple[bool, int, int, int, Visit]] = []
        self._order = itertools.count()
        self.hints = read_hints()
        self.seen: set[str] = set()
        self.known_ids: set[str] = set(portal.enumerate_ids)
        self.enumeration_years = tuple(sorted(self.years)) if self.years else portal.years
        self.pages = 0
        self.bytes = 0
        self.pattern_urls: dict[tuple[str, str], int] = {}  # pagination shape -> URLs generated

    # -- budgets -------------------------------------------------------------------------------
    def _over(self, budget: str, count: int = 1) -> None:
        """A budget bit: count what it cost, once per URL not followed."""
        self.tally.budget(self.portal, budget, count)

    def _pattern_allows(self, url: str) -> bool:
        """Whether one more URL may come from the pagination pattern ``url`` has (the URL with
        its page number taken out): a list with 10,000 尾页 links is one pattern, not 10M URLs."""
        span = page_number(url)
        shape = (url[: span[0]], url[span[1]:]) if span else (url, "")
        n = self.pattern_urls.get(shape, 0)
        if n >= self.portal.max_pattern_urls:
            return False
        self.pattern_urls[shape] = n + 1
        return True

    # -- queue ---------------------------------------------------------------------------------
    def _push(self, visit: Visit, start: bool = False) -> None:
        visit = Visit(canonical_url(visit.url), visit.kind, visit.anchor, visit.year, visit.enumerated, visit.depth,
                      visit.score)
        if visit.url in self.seen:
            return
        if visit.depth > self.portal.max_depth:
            self._over("max_depth")
            return
        self.seen.add(visit.url)
        heapq.heappush(self.queue, (not start, -visit.score, visit.depth, next(self._order), visit))

    def _wanted_year(self, year: int | None) -> bool:
        return year is None or self.years is None or year in self.years

    def _enumerate(self, ids) -> None:
        for url in self.portal.enumerate_urls(ids, self.enumeration_years):
            kind = "detail" if self.portal.is_detail(url) else "list"
            if self._pattern_allows(url):
                # the registry's template names 年报 pages: as sure as a report link
                self._push(Visit(url, kind, year=self.portal.year_in_url(url), enumerated=True, depth=1,
                                 score=self.hints.top))
            else:
                self._over("max_pattern_urls")

    # -- the walk ------------------------------------------------------------------------------
    def run(self) -> None:
        portal = self.portal
        self._push(Visit(portal.start_url, "detail" if portal.is_detail(portal.start_url) else "list",
                         score=self.hints.own(portal.start_url, "")), start=True)
        if portal.enumerate_template:
            self._enumerate(self.known_ids)
        first = True
        while self.queue:
            if self.pages >= portal.max_pages or self.bytes >= portal.max_bytes:
                self._over("max_pages" if self.pages >= portal.max_pages else "max_bytes", len(self.queue))
                self.queue.clear()
                break
            visit = heapq.heappop(self.queue)[-1]
            result = self.pages_from.get(visit.url, portal, enumerated=visit.enumerated, listing=visit.kind == "list")
            self.pages += 1
            self.bytes += len(result.body or b"")
            if first:
                why = self.pages_from.down_reason(portal.start_url) or result.error or "no response"
                self.tally.start_page(portal, result.ok, result.replayed, result.status, why)
                first = False
                if not result.ok:
                    return
            if not result.ok:
                continue
            if visit.kind == "file":
                self._register_file(visit, result)
                continue
            if not result.is_html:
                continue
            page = parse_page(result.final_url, result.text)
            if visit.kind == "detail":
                verdict = self._judge_detail(visit, page, result)
                # a page the pattern calls a detail page but that holds no report is a
                # look-alike: its links lead out of the column
                if verdict == "report" or (verdict == "other" and portal.detail_pattern is not None):
                    continue
            elif page.report_sections >= 3 and page.report_title(visit.anchor):
                # a column page that shows a report inline is that report, and still a list
                self._judge_detail(visit, page, result)
            self._follow_links(visit, page, result.text)

    def _follow_links(self, visit: Visit, page: Page, html: str) -> None:
        portal = self.portal
        links = [(l.url, l.text) for l in page.links]
        generated = []
        for url in trs_page_urls(page.url, html) + last_page_urls(page.url, links):
            url = canonical_url(url)
            # every page of a list announces the same pages again: only new ones cost the budget
            if url in self.seen:
                continue
            if self._pattern_allows(url):
                generated.append(url)
            else:
                self._over("max_pattern_urls")
        hints = self.hints
        # the other pages of a list that held reports are as sure to hold reports
        held_reports = any(is_report_title(t) for _, t in links)
        paging = max(visit.score, hints.top) if held_reports else visit.score
        candidates = [(u, t, visit.depth + 1, hints.score(u, t, page.url, visit.score)) for u, t in links]
        candidates += [(u, "", visit.depth, paging) for u in generated]
        new_ids: set[str] = set()
        for url, text, depth, score in candidates:
            url = canonical_url(url)
            enum_id = portal.enumeration_id(url)
            if enum_id and enum_id not in self.known_ids:
                new_ids.add(enum_id)
            verdict = classify_link(portal, url, text, self._wanted_year)
            if verdict.kind is None:
                if verdict.reason in ("offsite", "out_of_scope", "decoy"):
                    self.tally.skip(portal, verdict.reason)
                continue
            if verdict.kind == "file":
                self._push(Visit(url, "file", anchor=text, year=visit.year, depth=depth, score=score))
            else:
                self._push(Visit(url, verdict.kind, anchor=text, year=verdict.year or visit.year, depth=depth, score=score))
        if new_ids:
            self.known_ids |= new_ids
            self._enumerate(new_ids)

    # -- reports -------------------------------------------------------------------------------
    def _judge_detail(self, visit: Visit, page: Page, result: Response) -> str:
        """Register the page's report if it is one: "report", "list" (a column of reports) or "other"."""
        title = page.report_title(visit.anchor)
        report_links = sum(1 for l in page.links if not is_attachment(l.url) and is_report_title(l.text))
        if not page.has_report_body and report_links >= 2:
            return "list"
        if not title:
            self.tally.skip(self.portal, "not_a_report")
            return "other"
        facts = self._facts(title, visit, page)
        if facts is None:
            return "report"
        attachments = sorted(
            {l.url: l for l in page.attachments() if self.portal.host_allowed(l.url)}.values(),
            key=lambda l: attachment_rank(l.url),
        )
        fetched = []
        for link in attachments:
            got = self._get(canonical_url(link.url))
            if got.ok and got.body is not None:
                fetched.append(got)
        pictures: tuple[Picture, ...] = ()
        if page.has_report_body or not attachments:
            source_url, body, media = visit.url, result.body, "text/html"
            # the report is this page: its tables may be pictures, which OCR reads
            pictures = self.pictures.fetch(page.images, self.portal, self._get)
        elif fetched:
            best = fetched[0]
            source_url, body, media = best.url, best.body, _media_type(best.url, best.content_type)
        else:
            self.tally.failure(self.portal, "report_source_missing", visit.url)
            return "report"
        self.reports.report(self.portal, facts, visit.url, source_url, body, media, pictures)
        return "report"

    def _get(self, url: str, max_bytes: int | None = None) -> Response:
        """A page the walk needs beside its queue (an attachment, a picture): counted in its budgets."""
        got = self.pages_from.get(url, self.portal, max_bytes=max_bytes)
        self.pages += 1
        self.bytes += len(got.body or b"")
        return got

    def _register_file(self, visit: Visit, result: Response) -> None:
        facts = self._facts(clean_title(visit.anchor), visit, None)
        if facts is not None:
            self.reports.report(self.portal, facts, visit.url, visit.url, result.body,
                                _media_type(visit.url, result.content_type))

    def _facts(self, title: str, visit: Visit, page: Page | None) -> ReportFacts | None:
        """District, office, year and category of a report, or None if it is not wanted here."""
        portal, registry = self.portal, self.offices
        if portal.title_filter and not portal.title_filter.search(title):
            return None
        parts = split_title(title, registry.printed_districts)
        year = parts.year or portal.year_in_url(visit.url) or visit.year or (year_in_body(page.text) if page else None)
        if not self._wanted_year(year):
            return None
        match = registry.resolve(parts.printed_office, portal.district_code, year)
        code = match.district_code or portal.district_code
        district = match.district or registry.short_name(code) or portal.district
        if not match.is_registered:
            self.reports.office(portal, DiscoveredOffice(
                district_code=code, district=district, normalised_name=match.normalised_name,
                office_name=parts.office or match.normalised_name, office_type=match.office_type, title=title,
                report_url=visit.url, year=year))
        return ReportFacts(
            title=title, year=year, district=district, district_code=code, office=match.normalised_name,
            category=match.office_type, published=page.published if page else None,
            office_id=match.office_id if match.is_registered else None,
        )
