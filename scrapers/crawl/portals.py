"""The portal registry: one row per start point, read from seeds/portals.csv or any CSV with its columns.

What differs between portals is data in the registry, never a branch in code:
- ``scope``: space-separated regexes a URL's path (with its query) must match from its start
  to be part of the column; default: the start URL's folder.
- ``detail_pattern``: regex searched in a URL's path that marks a detail page (a report candidate).
- ``year_pattern``: regex whose first group is the report year written in a URL (``/2009nb/``).
- ``enumerate_template``: a URL (relative to the start URL) with ``{id}`` and/or ``{year}``; every id
  in ``enumerate_ids`` or seen in a link matching the template is tried for every year.
- ``years``: the years the portal carries (``2008-2025`` or ``2019 2020``), used for enumeration.
- ``year_folders``: ``folder=year`` pairs for CMS folders whose names are opaque numbers
  (大兴's ``/2291822/`` holds the 2025 reports): a URL through that folder is of that year.
- ``title_filter``: regex a report title must match (aggregator columns that carry other districts).
- ``max_depth``, ``max_pages``, ``max_bytes``, ``max_pattern_urls``: the walk's budgets per crawl
  (links from the start URL; pages fetched; bytes fetched; URLs generated from one pagination
  pattern); empty means the defaults below.

The registry is checked when read: UTF-8, every district and code one of seeds/districts.csv,
every regex valid, templates with only ``{id}`` and ``{year}``; a bad row is a one-line
``RegistryError`` naming its row and column.
"""

from __future__ import annotations

import csv
import re
import string
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from scrapers.settings import SEEDS_DIR

DEFAULT_REGISTRY = SEEDS_DIR / "portals.csv"
DISTRICTS = SEEDS_DIR / "districts.csv"
REQUIRED_COLUMNS = ("district", "district_code", "portal", "start_url", "allowed_hosts")
TEMPLATE_FIELDS = {"id", "year"}
# The walk's budgets when a row leaves them empty. Depth counts links from the start URL (a
# list's own pages share its depth); a real 年报 column is 3–5 links deep.
DEFAULT_BUDGET = {"max_depth": 8, "max_pages": 20_000, "max_bytes": 2_000_000_000, "max_pattern_urls": 1000}
# Query parameters that say where a link was clicked, not what the page shows
# (``?from=list``, ``utm_source``): dropped so that one page has one URL.
TRACKING_PARAMS = re.compile(r"^(?:from|source|utm_\w+|spm|share|isappinstalled|_t|timestamp)$", re.I)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str) -> str:
    """One spelling per page: lower-case scheme and host, no default port, no fragment, no
    tracking parameters; a query that selects content (``?page=2``, ``?id=…``) is kept as is."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port is None or _DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        kept = [(k, v) for k, v in pairs if not TRACKING_PARAMS.match(k)]
        query = query if len(kept) == len(pairs) else urlencode(kept)
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


def known_districts(path: str | Path = DISTRICTS) -> dict[str, str]:
    """District code -> short name (东城), current and former (宣武, 密云县), from seeds/districts.csv."""
    with open(path, encoding="utf-8", newline="") as fh:
        return {r["district_code"]: r["district"] for r in csv.DictReader(fh)}


class RegistryError(ValueError):
    """The registry file is missing columns or holds a row that cannot be used."""


@dataclass(frozen=True)
class Portal:
    district: str
    district_code: str
    portal: str
    start_url: str
    allowed_hosts: frozenset[str]
    notes: str = ""
    scope: tuple[re.Pattern, ...] = ()
    detail_pattern: re.Pattern | None = None
    year_pattern: re.Pattern | None = None
    enumerate_template: str = ""
    enumerate_ids: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    title_filter: re.Pattern | None = None
    year_folders: tuple[tuple[str, int], ...] = ()
    max_depth: int = DEFAULT_BUDGET["max_depth"]
    max_pages: int = DEFAULT_BUDGET["max_pages"]
    max_bytes: int = DEFAULT_BUDGET["max_bytes"]
    max_pattern_urls: int = DEFAULT_BUDGET["max_pattern_urls"]
    row: int = 0
    _enumerate_re: re.Pattern | None = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> str:
        """A stable name for the start point: district, host and row (a district may have several)."""
        return f"{self.district}:{self.portal}#{self.row}"

    def host_allowed(self, url: str) -> bool:
        return urlsplit(url).netloc.lower() in self.allowed_hosts

    def in_scope(self, url: str) -> bool:
        """Inside the registry's hosts and the column's path scope."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.netloc.lower() not in self.allowed_hosts:
            return False
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        return any(p.match(target) for p in self.scope)

    def is_detail(self, url: str) -> bool:
        return bool(self.detail_pattern and self.detail_pattern.search(urlsplit(url).path))

    def year_in_url(self, url: str) -> int | None:
        path = urlsplit(url).path
        for folder, year in self.year_folders:
            if f"/{folder}/" in path:
                return year
        if not self.year_pattern:
            return None
        m = self.year_pattern.search(url)
        return int(m.group(1)) if m else None

    def enumeration_id(self, url: str) -> str | None:
        """The id a link carries when it has the shape of the enumeration template."""
        if not self._enumerate_re or "{id}" not in self.enumerate_template:
            return None
        m = self._enumerate_re.match(url)
        return m.group("id") if m else None

    def enumerate_urls(self, ids: set[str] | tuple[str, ...], years: tuple[int, ...]) -> list[str]:
        """Every (id, year) page of the template, in a stable order."""
        if not self.enumerate_template:
            return []
        template = urljoin(self.start_url, self.enumerate_template)
        id_list = sorted(ids) if "{id}" in template else [""]
        year_list = sorted(years) if "{year}" in template else [0]
        return [template.format(id=i, year=y) for i in id_list for y in year_list]


def _parse_years(text: str, row: int) -> tuple[int, ...]:
    years: set[int] = set()
    for token in text.replace(",", " ").split():
        m = re.fullmatch(r"(\d{4})(?:-(\d{4}))?", token)
        if not m:
            raise RegistryError(f"row {row}: years token {token!r} is neither YYYY nor YYYY-YYYY")
        first, last = int(m.group(1)), int(m.group(2) or m.group(1))
        years.update(range(first, last + 1))
    return tuple(sorted(years))


def _compile(text: str, column: str, row: int) -> re.Pattern | None:
    if not text:
        return None
    try:
        return re.compile(text)
    except re.error as exc:
        raise RegistryError(f"row {row}: {column} {text!r} is not a valid regex: {exc}") from exc


def _template_regex(template: str) -> re.Pattern:
    pattern = re.escape(template).replace(r"\{id\}", r"(?P<id>[0-9A-Za-z_]+?)").replace(r"\{year\}", r"(?P<year>\d{4})")
    # http and https serve the same pages on these portals
    pattern = re.sub(r"^https?", "https?", pattern)
    return re.compile(pattern + "$")


def _check_template(template: str, row: int) -> None:
    try:
        fields = {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}
    except ValueError as exc:
        raise RegistryError(f"row {row}: enumerate_template {template!r} is not a template: {exc}") from exc
    unknown = fields - TEMPLATE_FIELDS
    if unknown:
        raise RegistryError(
            f"row {row}: enumerate_template {template!r} has placeholder {{{sorted(unknown)[0]}}}; only {{id}} and {{year}} exist"
        )


def _budget(text: str, column: str, row: int) -> int:
    if not text:
        return DEFAULT_BUDGET[column]
    if not text.isdigit() or int(text) < 1:
        raise RegistryError(f"row {row}: {column} {text!r} is not a positive whole number")
    return int(text)


def _year_folders(text: str, row: int) -> tuple[tuple[str, int], ...]:
    pairs = []
    for token in text.split():
        m = re.fullmatch(r"([^=/\s]+)=(\d{4})", token)
        if not m:
            raise RegistryError(f"row {row}: year_folders token {token!r} is not folder=YYYY")
        pairs.append((m.group(1), int(m.group(2))))
    return tuple(pairs)


def portal_from_row(values: dict[str, str], row: int, districts: dict[str, str] | None = None) -> Portal:
    if values.get(None):
        raise RegistryError(f"row {row}: more values than columns (an unquoted comma, as in a regex {{m,n}}?)")
    get = lambda k: (values.get(k) or "").strip()  # noqa: E731
    missing = [c for c in REQUIRED_COLUMNS if not get(c)]
    if missing:
        raise RegistryError(f"row {row}: empty {', '.join(missing)}")
    if districts is not None:
        code, name = get("district_code"), get("district")
        if code not in districts:
            raise RegistryError(f"row {row}: district_code {code!r} is not a Beijing district (seeds/districts.csv)")
        if districts[code] != name.removesuffix("区").removesuffix("县"):
            raise RegistryError(f"row {row}: district {name!r} is not the district of code {code} ({districts[code]})")
    start = get("start_url")
    parts = urlsplit(start)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise RegistryError(f"row {row}: start_url {start!r} is not an http(s) URL")
    hosts = {h.lower() for h in get("allowed_hosts").split()} | {parts.netloc.lower()}
    scope_text = get("scope")
    if scope_text:
        scope = tuple(_compile(s, "scope", row) for s in scope_text.split())
    else:
        folder = parts.path.rsplit("/", 1)[0] + "/"
        scope = (re.compile(re.escape(folder)),)
    template = get("enumerate_template")
    if template:
        _check_template(template, row)
    return Portal(
        district=get("district"),
        district_code=get("district_code"),
        portal=get("portal"),
        start_url=start,
        allowed_hosts=frozenset(hosts),
        notes=get("notes"),
        scope=scope,
        detail_pattern=_compile(get("detail_pattern"), "detail_pattern", row),
        year_pattern=_compile(get("year_pattern"), "year_pattern", row),
        enumerate_template=template,
        enumerate_ids=tuple(get("enumerate_ids").split()),
        years=_parse_years(get("years"), row),
        title_filter=_compile(get("title_filter"), "title_filter", row),
        year_folders=_year_folders(get("year_folders"), row),
        max_depth=_budget(get("max_depth"), "max_depth", row),
        max_pages=_budget(get("max_pages"), "max_pages", row),
        max_bytes=_budget(get("max_bytes"), "max_bytes", row),
        max_pattern_urls=_budget(get("max_pattern_urls"), "max_pattern_urls", row),
        row=row,
        _enumerate_re=_template_regex(urljoin(start, template)) if template else None,
    )


def read_registry(path: str | Path | None = None) -> list[Portal]:
    """The registry's rows as Portals; a malformed file or row raises RegistryError naming it."""
    source = Path(path) if path else DEFAULT_REGISTRY
    try:
        with open(source, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            absent = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
            if absent:
                raise RegistryError(f"{source}: missing columns {', '.join(absent)}")
            rows = list(reader)
    except UnicodeDecodeError as exc:
        raise RegistryError(f"{source}: not UTF-8 (byte {exc.start}: {exc.reason}); save the registry as UTF-8") from None
    except csv.Error as exc:
        raise RegistryError(f"{source}: not a CSV file: {exc}") from None
    except OSError as exc:
        raise RegistryError(f"cannot read registry {source}: {exc}") from exc
    districts = known_districts()
    return [portal_from_row(values, i, districts) for i, values in enumerate(rows, start=1)]


def select_portals(portals: list[Portal], districts: list[str] | None) -> list[Portal]:
    """The rows of the named districts (short name 朝阳, full name 朝阳区 or code 110105)."""
    if not districts:
        return portals
    wanted = {d.strip().removesuffix("区").removesuffix("县") for d in districts} | {d.strip() for d in districts}
    return [p for p in portals if p.district in wanted or p.district_code in wanted]
