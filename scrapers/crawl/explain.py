"""`xxgk crawl --explain URL [--title TITLE]`: how the crawler treats one link, without the network.

Operators use it to see why a report was missed; the tests run it on every real report URL.
It applies the walk's own rules (``classify_link``, the title rules, the office registry) to
each registry row whose hosts hold the URL and prints the verdict of the row that takes it.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from scrapers.crawl.discover import classify_link
from scrapers.crawl.pages import is_attachment
from scrapers.crawl.portals import Portal, RegistryError, canonical_url, read_registry, select_portals
from scrapers.crawl.titles import is_decoy, is_report_title, split_title, title_kind
from scrapers.offices import OfficeRegistry

_REASONS = {
    "offsite": "host {host} is not among the row's allowed_hosts",
    "out_of_scope": "path is outside the row's scope ({scope})",
    "attachment": "an attachment: fetched only from a report page, or when a list links it with a report title",
    "decoy": "the link text is not a report (its kind: {kind})",
}


@dataclass
class Explanation:
    url: str
    district: str | None
    portal: str | None  # the registry row (district:host#row)
    accepted: bool
    reason: str
    year: int | None
    office_id: str | None
    office_name: str | None

    def to_dict(self) -> dict:
        return asdict(self)


def _judge(portal: Portal, url: str, title: str, offices: OfficeRegistry) -> Explanation:
    parts = split_title(title, offices.printed_districts) if title else None
    year = (parts.year if parts else None) or portal.year_in_url(url)

    def verdict(accepted: bool, reason: str, office=None) -> Explanation:
        return Explanation(url, portal.district, portal.key, accepted, reason, year,
                           office.office_id if office else None, office.office_name if office else None)

    link = classify_link(portal, url, title)
    if link.kind is None and link.reason != "attachment":
        host = url.split("/")[2] if "//" in url else url
        scope = " ".join(p.pattern for p in portal.scope)
        return verdict(False, _REASONS[link.reason].format(host=host, scope=scope, kind=title_kind(title)))
    if link.kind == "list" and not title and portal.detail_pattern is None:
        # list and report pages share one shape on this portal: the page's own title decides
        link = type(link)("detail", "detail page", link.year)
    if link.kind == "list" and url != canonical_url(portal.start_url):
        return verdict(False, "a list page: walked for links, not taken as a report"
                       + (" (it does not match the row's detail_pattern)" if portal.detail_pattern else ""))
    if title:
        if is_decoy(title) or not is_report_title(title):
            return verdict(False, f"the title is not a report title (its kind: {title_kind(title)})")
        if portal.title_filter and not portal.title_filter.search(title):
            return verdict(False, f"the title does not match the row's title_filter ({portal.title_filter.pattern})")
        office = offices.resolve(parts.printed_office, portal.district_code, year)
        what = "a report page" if not is_attachment(url) else "a report file"
        how = f"office matched by {office.method}" if office.is_registered else "office not in the registry (it goes to raw.discovered_offices)"
        where = "in scope" if portal.in_scope(url) else f"outside the row's scope ({' '.join(p.pattern for p in portal.scope)}), a leaf the walk fetches, never walks"
        return Explanation(url, office.district or portal.district, portal.key, True,
                           f"{what}: {where}; the title is a report title; {how}", year, office.office_id, office.office_name)
    if url == canonical_url(portal.start_url):
        return verdict(True, "the start page: walked as a list, and registered as a report when it carries one inline")
    if is_attachment(url):
        return verdict(True, "an attachment in scope: taken as a report's source when its page or list link is a report")
    unchecked = f"; the row's title_filter ({portal.title_filter.pattern}) needs the title" if portal.title_filter else ""
    how = "matches the row's detail_pattern" if portal.detail_pattern else "in scope (the row tells reports by their titles)"
    return verdict(True, f"a report page candidate: {how}; no title given, so the page's own title decides{unchecked}")


def explain(url: str, title: str | None = None, registry: str | Path | None = None,
            districts: list[str] | None = None, offices: OfficeRegistry | None = None) -> Explanation:
    """The verdict of the registry row that takes ``url`` (the first that accepts it, a row
    whose title filter matches the title first), else of the first row on the URL's host."""
    url = canonical_url(url)
    title = (title or "").strip()
    offices = offices or OfficeRegistry.load()
    portals = select_portals(read_registry(registry), districts)
    if districts and not portals:
        raise RegistryError(f"no registry row for {', '.join(districts)}")
    on_host = [p for p in portals if p.host_allowed(url)]
    if not on_host:
        return Explanation(url, None, None, False, "no registry row allows this host", None, None, None)
    verdicts = [_judge(p, url, title, offices) for p in on_host]
    accepted = [v for v in verdicts if v.accepted]
    if title:
        # rows with a title filter that matched are more specific than rows without one
        filtered = [v for v, p in zip(verdicts, on_host) if v.accepted and p.title_filter is not None]
        accepted = filtered or accepted
    return (accepted or verdicts)[0]


def explain_from_cli(args) -> int:
    try:
        result = explain(args.explain, getattr(args, "title", None), getattr(args, "registry", None),
                         list(getattr(args, "district", None) or []) or None)
    except RegistryError as exc:
        print(f"xxgk crawl: {exc}", file=sys.stderr)
        return 2
    json.dump(result.to_dict(), sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0
