"""The portal registry: one row per start point, read from seeds/portals.csv or any CSV with its columns.

What differs between portals is data in the registry, never a branch in code:
- ``scope``: space-separated regexes a URL's path (with its query) must match from its start
  to be part of the column; default: the start URL's folder.
- ``detail_pattern``: regex searched in a URL's path that marks a detail page (a report candidate).
- ``year_pattern``: regex whose first group is the report year written in a URL (``/2009nb/``).
- ``enumerate_template``: a URL (relative to the start URL) with ``{id}`` and/or ``{year}``; every id
  in ``enumerate_ids`` or seen in a link matching the template is tried for every year.
- ``years``: the years the portal carries (``2008-2025`` or ``2019 2020``), used for enumeration.
- ``title_filter``: regex a report title must match (aggregator columns that carry other districts).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from scrapers.settings import SEEDS_DIR

DEFAULT_REGISTRY = SEEDS_DIR / "portals.csv"
REQUIRED_COLUMNS = ("district", "district_code", "portal", "start_url", "allowed_hosts")


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


def portal_from_row(values: dict[str, str], row: int) -> Portal:
    if values.get(None):
        raise RegistryError(f"row {row}: more values than columns (an unquoted comma, as in a regex {{m,n}}?)")
    get = lambda k: (values.get(k) or "").strip()  # noqa: E731
    missing = [c for c in REQUIRED_COLUMNS if not get(c)]
    if missing:
        raise RegistryError(f"row {row}: empty {', '.join(missing)}")
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
    except OSError as exc:
        raise RegistryError(f"cannot read registry {source}: {exc}") from exc
    return [portal_from_row(values, i) for i, values in enumerate(rows, start=1)]


def select_portals(portals: list[Portal], districts: list[str] | None) -> list[Portal]:
    """The rows of the named districts (short name 朝阳, full name 朝阳区 or code 110105)."""
    if not districts:
        return portals
    wanted = {d.strip().removesuffix("区").removesuffix("县") for d in districts} | {d.strip() for d in districts}
    return [p for p in portals if p.district in wanted or p.district_code in wanted]
