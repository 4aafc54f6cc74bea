"""Which office published a report: the one owner of office names and their matching.

A report names its office in its title or text ("北京市朝阳区人民政府香河园街道办事处",
"北京市通州区信访办", "2014年北京市朝阳区东湖街道办事处筹备处…"). This module turns such a name
into a comparable one (``normalise_office``) and matches it to the office registry
(seeds/offices.csv) with its aliases (seeds/office_aliases.csv). The crawl calls it for
titles; ``match_offices(con)`` calls it for every (district, name, year) the warehouse holds
and writes the answers to raw.office_matches, which dbt joins. Nothing else matches names.

Offices are kept per district with validity dates, because 2008–2018 reports come from
bodies that later merged (宣武区 and 崇文区 into 西城区 and 东城区 in 2010), were re-formed
(the 2019 institutional reform: 卫生和计划生育委员会 → 卫生健康委员会 …) or changed form
(密云县 and 延庆县 became 区 in 2015). An office no row matches is "discovered".
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from scrapers.settings import SEEDS_DIR

DEFAULT_OFFICES = SEEDS_DIR / "offices.csv"
DEFAULT_ALIASES = SEEDS_DIR / "office_aliases.csv"
# The suffixes by which titles name the same 街道/乡镇 differently (地区办事处 and 乡 are one body,
# 石景山 writes 鲁谷社区 for 鲁谷街道).
_LOCAL_SUFFIX_RE = re.compile(r"(?:街道|地区|社区|镇|乡)$")
# Which registry rows a 街道/乡镇 name may stand for by its stem alone. A 地区办事处 is either
# (方庄地区办事处 is a 街道, 金盏地区办事处 a 乡); a 镇 or 乡 is never a 街道 of the same stem:
# 丰台 had 卢沟桥街道 beside 卢沟桥乡 and 长辛店街道 beside 长辛店镇, two bodies each.
_STEM_KINDS = {"subdistrict": ("subdistrict",), "town": ("town",)}
_SPACE_RE = re.compile(r"[\s\u3000\xa0]+")
# The printed district a name may start with (朝阳区, 密云县); the registry says which exist.
_PRINTED_DISTRICT_RE = re.compile(r"^(.{2,4}?[区县])")
# ... or end with in brackets, as lists across districts print it ("民政局（朝阳区）").
_BRACKETED_DISTRICT_RE = re.compile(r"[（(](?:北京市)?(.{2,4}?[区县])[)）]$")
GOVERNMENT = "区人民政府"
COUNTY_GOVERNMENT = "县人民政府"
# The district government's general office: its own department report from 2019, and before
# that often the signature of the district's consolidated report (office_aliases.csv says when).
GENERAL_OFFICE = "政府办公室"


def clean_name(text: str | None) -> str:
    """Whitespace and the brackets a CMS wraps around a name or title, removed."""
    if not text:
        return ""
    return _SPACE_RE.sub("", text).strip("《》「」“”\"'·-—_|")


def normalise_office(raw: str, district: str | None = None) -> str:
    """Drop the forms of address that vary between titles of the same office.

    A district government is 区人民政府 (县人民政府 before 2015 in 密云/延庆); 街道办事处 → 街道;
    地区办事处 → 地区; 镇/乡人民政府 → 镇/乡; a 筹备处 keeps its full name: it is a different body.
    The general office (区政府办公室, 人民政府办公室) is 政府办公室.
    """
    name = clean_name(raw).strip("，,：:（）()")
    if name in ("办公室", "政府办公室", "人民政府办公室", "区政府办公室", "区人民政府办公室", "县政府办公室"):
        return GENERAL_OFFICE
    name = re.sub(r"^(?:人民政府|政府)", "", name)
    if name.endswith("筹备处"):
        return name
    if name in ("", "人民政府", "政府", "区", "区政府", "县政府", GOVERNMENT, COUNTY_GOVERNMENT):
        return COUNTY_GOVERNMENT if (district or "").endswith("县") or name.startswith("县") else GOVERNMENT
    # departments print their district again as 区 (区科信局, 区政务服务管理局)
    name = re.sub(r"^区(?=.{3,})", "", name)
    for suffix, keep in (("街道办事处", "街道"), ("地区办事处", "地区"), ("办事处", "")):
        if name.endswith(suffix):
            return name[: -len(suffix)] + keep
    m = re.fullmatch(r"(.+?[镇乡])(?:人民)?政府", name)
    if m:
        return m.group(1)
    return name


def local_stem(name: str) -> str:
    return _LOCAL_SUFFIX_RE.sub("", name)


def office_type_of(name: str) -> str:
    """The kind of office a normalised name denotes, for offices the registry lacks."""
    if name.endswith("人民政府") and len(name) <= 5:
        return "district_government"
    if name.endswith(("街道", "社区", "筹备处")):
        return "subdistrict"
    if name.endswith(("镇", "乡", "地区")):
        return "town"
    return "department"


def discovered_id(district_code: str | None, name: str) -> str:
    """A stable id for an office the registry lacks: its district and comparable name."""
    return f"discovered-{district_code or 'unknown'}-{hashlib.md5(name.encode('utf-8')).hexdigest()[:10]}"


@dataclass(frozen=True)
class Office:
    office_id: str
    district: str
    district_code: str
    office_name: str
    normalised_name: str
    office_type: str
    valid_from: str = ""
    valid_to: str = ""
    discovered: bool = False

    def valid_in(self, year: int | None) -> bool:
        """Whether the office existed at the end of the report year (when its report was due)."""
        if year is None:
            return True
        day = f"{year}-12-31"
        return (not self.valid_from or self.valid_from <= day) and (not self.valid_to or day < self.valid_to)


@dataclass(frozen=True)
class Alias:
    """Another name for an office: in one district or (district_code empty) in all, for report years."""
    district_code: str
    alias: str
    normalised_name: str
    first_year: int | None = None
    last_year: int | None = None

    def applies(self, district_code: str, year: int | None) -> bool:
        if self.district_code and self.district_code != district_code:
            return False
        if year is None:
            return self.first_year is None and self.last_year is None
        return (self.first_year is None or year >= self.first_year) and (self.last_year is None or year <= self.last_year)


@dataclass(frozen=True)
class Match:
    """How a printed name resolved: the office (registered or discovered) and by which rule."""
    office_id: str | None
    office_name: str
    normalised_name: str
    office_type: str
    district: str | None
    district_code: str | None
    method: str  # name | stem | alias | discovered | unnamed
    office: Office | None = None

    @property
    def is_registered(self) -> bool:
        return self.office is not None


def _year(text: str | None) -> int | None:
    return int(text) if text and text.strip() else None


class OfficeRegistry:
    def __init__(self, offices: list[Office], aliases: list[Alias] | None = None):
        self.offices = offices
        self.aliases = aliases or []
        self.by_id = {o.office_id: o for o in offices}
        self._by_name: dict[tuple[str, str], list[Office]] = {}
        self._by_stem: dict[tuple[str, str], list[Office]] = {}
        for o in offices:
            self._by_name.setdefault((o.district_code, o.normalised_name), []).append(o)
            if o.office_type in ("subdistrict", "town"):
                self._by_stem.setdefault((o.district_code, local_stem(o.normalised_name)), []).append(o)
        self._aliases: dict[str, list[Alias]] = {}
        for a in self.aliases:
            self._aliases.setdefault(a.alias, []).append(a)
        governments = [o for o in offices if o.office_type == "district_government"]
        self._governments: dict[str, list[Office]] = {}
        # printed district name (东城区, 密云县) -> its code
        self.district_codes: dict[str, str] = {}
        for o in governments:
            self._governments.setdefault(o.district_code, []).append(o)
            self.district_codes[o.office_name.removeprefix("北京市").removesuffix("人民政府")] = o.district_code
        # short name (东城, 密云) -> the current district's code (密云区 over 密云县)
        self.short_codes: dict[str, str] = {}
        for o in sorted(governments, key=lambda g: g.valid_to or "9999"):
            self.short_codes[o.district] = o.district_code
        self.predecessors = self._find_predecessors()
        # the other way round: a name printed with a former district (密云县) may be an office
        # the registry keeps under its successor (密云区)
        self.successors: dict[str, list[str]] = {}
        for successor, former in self.predecessors.items():
            for code in former:
                self.successors.setdefault(code, []).append(successor)
        # changes whenever a row of either seed changes: raw.office_matches is then matched again
        self.fingerprint = hashlib.sha256(
            "\n".join(sorted(map(repr, offices)) + sorted(map(repr, self.aliases))).encode("utf-8")
        ).hexdigest()[:16]

    def _find_predecessors(self) -> dict[str, list[str]]:
        """District codes whose offices passed to another district on a date (宣武 → 西城, 密云县 → 密云区).

        Read from the data: an office that ends on the day a same-named office (or the district
        government) of another district begins links the two districts.
        """
        starts: dict[tuple[str, str], set[str]] = {}
        for o in self.offices:
            if o.valid_from:
                key = f"gov:{o.district}" if o.office_type == "district_government" else o.normalised_name
                starts.setdefault((key, o.valid_from), set()).add(o.district_code)
        links: dict[str, list[str]] = {}
        for o in self.offices:
            if not o.valid_to:
                continue
            key = f"gov:{o.district}" if o.office_type == "district_government" else o.normalised_name
            for successor in starts.get((key, o.valid_to), ()):
                if successor != o.district_code and o.district_code not in links.setdefault(successor, []):
                    links[successor].append(o.district_code)
        return links

    @classmethod
    def load(cls, path: str | Path | None = None, aliases: str | Path | None = None) -> "OfficeRegistry":
        with open(path or DEFAULT_OFFICES, encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        alias_path = Path(aliases) if aliases else (Path(path).parent / "office_aliases.csv" if path else DEFAULT_ALIASES)
        alias_rows = []
        if alias_path.is_file():
            with open(alias_path, encoding="utf-8", newline="") as fh:
                alias_rows = list(csv.DictReader(fh))
        return cls(
            [
                Office(
                    office_id=r["office_id"], district=r["district"], district_code=r["district_code"],
                    office_name=r["office_name"], normalised_name=r["normalised_name"], office_type=r["office_type"],
                    valid_from=r.get("valid_from") or "", valid_to=r.get("valid_to") or "",
                    discovered=(r.get("discovered") or "").lower() == "true",
                )
                for r in rows
            ],
            [
                Alias(district_code=(r.get("district_code") or "").strip(), alias=r["alias"].strip(),
                      normalised_name=r["normalised_name"].strip(),
                      first_year=_year(r.get("first_year")), last_year=_year(r.get("last_year")))
                for r in alias_rows
            ],
        )

    def short_name(self, district_code: str) -> str | None:
        """The short district name (东城) of a district code."""
        return next((o.district for o in self._governments.get(district_code, [])), None)

    def code_of(self, district: str | None) -> str | None:
        """The code of a district given as code, short name (东城) or printed name (东城区)."""
        if not district:
            return None
        if district in self._governments:
            return district
        return self.district_codes.get(district) or self.short_codes.get(district.removesuffix("区"))

    @property
    def printed_districts(self) -> tuple[str, ...]:
        return tuple(self.district_codes)

    def _candidates(self, district_code: str, name: str) -> list[Office]:
        if name in (GOVERNMENT, COUNTY_GOVERNMENT):
            return self._governments.get(district_code, [])
        found = self._by_name.get((district_code, name))
        if found:
            return found
        if _LOCAL_SUFFIX_RE.search(name):
            kinds = _STEM_KINDS[office_type_of(name)] if not name.endswith("地区") else ("subdistrict", "town")
            return [o for o in self._by_stem.get((district_code, local_stem(name)), []) if o.office_type in kinds]
        return []

    def alias_of(self, name: str, district_code: str, year: int | None) -> str | None:
        """The registry name an alias stands for in that district and report year, if it is one."""
        return self._alias_target(name, district_code, year)

    def _alias_target(self, name: str, district_code: str, year: int | None) -> str | None:
        for alias in sorted(self._aliases.get(name, ()), key=lambda a: not a.district_code):
            if alias.applies(district_code, year):
                return alias.normalised_name
        return None

    def match(self, name: str, district_codes: list[str], year: int | None) -> Office | None:
        """The registry office of that (normalised) name, looking in the given districts first.

        An alias valid for the district and year is read first (区政府办公室 signing a pre-2019
        district report is the district government). An office valid in the report year wins,
        looking also in the districts that preceded the given ones (a 2009 大栅栏 report found
        on 西城's portal belongs to 宣武区); failing that, the office of that name in the given
        districts whatever its dates.
        """
        found = self._match(name, district_codes, year)
        return found[0] if found else None

    def _match(self, name: str, district_codes: list[str], year: int | None) -> tuple[Office, str] | None:
        primary = list(dict.fromkeys(c for c in district_codes if c))
        lineage = [p for c in primary for p in self.predecessors.get(c, []) + self.successors.get(c, [])]
        order = primary + [p for p in dict.fromkeys(lineage) if p not in primary]
        names = []
        for code in primary or [""]:
            target = self._alias_target(name, code, year)
            if target and target not in names:
                names.append(target)
        names.append(name)
        fallback = None
        for candidate_name in names:
            method = "alias" if candidate_name != name else "name"
            for code in order:
                for office in self._candidates(code, candidate_name):
                    how = method if office.normalised_name == candidate_name or office.office_type == "district_government" else "stem"
                    if office.valid_in(year):
                        return office, how
                    if fallback is None and code in primary:
                        fallback = (office, how)
        return fallback

    def _match_anywhere(self, name: str, year: int | None) -> tuple[Office, str] | None:
        """A name without a district (a local file that prints none): the office of the one
        district that has it; several districts have a 民政局, so it stays unmatched."""
        hits: dict[str, tuple[Office, str]] = {}
        for code in self._governments:
            found = self._match(name, [code], year)
            if found and found[0].district_code == code:
                hits[found[0].office_id] = found
        return next(iter(hits.values())) if len(hits) == 1 else None

    def resolve(self, printed: str | None, district: str | None = None, year: int | None = None) -> Match:
        """The office a printed name stands for, in the district given (code or name) if any.

        The name may carry its own district ("北京市朝阳区…"): that district is searched first.
        Without any district a name is matched only where a single district has it.
        """
        cleaned = re.sub(r"^北京市", "", clean_name(printed))
        printed_district = None
        m = _BRACKETED_DISTRICT_RE.search(cleaned)
        if m and m.group(1) in self.district_codes:
            printed_district, cleaned = m.group(1), cleaned[: m.start()]
        m = _PRINTED_DISTRICT_RE.match(cleaned)
        if m and m.group(1) in self.district_codes:
            printed_district, cleaned = m.group(1), cleaned[len(m.group(1)):]
        printed_code = self.district_codes[printed_district] if printed_district else None
        given_code = self.code_of(district)
        name = normalise_office(cleaned, printed_district)
        if not clean_name(printed):
            return Match(None, "", "", "", self.short_name(given_code or ""), given_code, "unnamed")
        codes = [c for c in (printed_code, given_code) if c]
        found = self._match(name, codes, year) if codes else self._match_anywhere(name, year)
        if found:
            office, how = found
            return Match(office.office_id, office.office_name, office.normalised_name, office.office_type,
                         office.district, office.district_code, how, office)
        code = printed_code or given_code
        return Match(discovered_id(code, name), cleaned or name, name, office_type_of(name),
                     self.short_name(code or ""), code, "discovered")


# -- the warehouse side: one table of answers that dbt joins ---------------------------------------

MATCH_COLUMNS = (
    "district_code", "printed_name", "year", "office_id", "is_registered", "office_name", "normalised_name",
    "office_type", "district", "resolved_district_code", "method", "registry_version", "matched_at",
)
# Every (district, printed name, year) a report of the warehouse may be resolved under, in the
# form dbt computes it (int_reports_office_resolved): the district the crawl found it in (NULL
# for local files, whose office is known only from their text), the office its parse names else
# the crawl's hint from the title, the year its parse names else the crawl's hint. Every parse
# counts, not only the newest: dbt picks the parse, Python has the answer for each.
_NAMES_SQL = """
with documents as (
    select sha256, nullif(trim(district_code), '') as district_code,
           nullif(trim(office_hint), '') as office_hint, year_hint
    from raw.documents
),
parses as (
    select sha256, nullif(trim(office), '') as office, year from raw.parses
)
select distinct d.district_code, coalesce(p.office, d.office_hint) as printed_name, coalesce(p.year, d.year_hint) as year
from documents d left join parses p using (sha256)
where coalesce(p.office, d.office_hint) is not null
union
select district_code, office_hint, year_hint from documents where office_hint is not null
"""


# The names match_offices has no answer for under the registry of this fingerprint ($1).
_PENDING_SQL = f"""
select names.* from ({_NAMES_SQL}) names
anti join (select * from raw.office_matches where registry_version = $1) m
    on m.district_code is not distinct from names.district_code
    and m.printed_name = names.printed_name
    and m.year is not distinct from names.year
"""


def offices_to_match(con, registry: OfficeRegistry | None = None) -> int:
    """How many rows `match_offices` would delete or write now (0: it would change nothing),
    read without writing."""
    registry = registry or OfficeRegistry.load()
    stale = con.execute("select count(*) from raw.office_matches where registry_version <> ?",
                        [registry.fingerprint]).fetchone()[0]
    return stale + con.execute(f"select count(*) from ({_PENDING_SQL})", [registry.fingerprint]).fetchone()[0]


def match_offices(con, registry: OfficeRegistry | None = None) -> int:
    """Fill raw.office_matches for every office name the raw tables hold; return rows written.

    The loader calls it after each load, before dbt. A name already matched under the current
    registry is not matched again; when the seeds change (another fingerprint), every name is
    matched again, so the warehouse never joins an answer of an older registry.
    """
    from scrapers.load.bulk import insert_rows
    from scrapers.load.warehouse import RAW_DDL

    registry = registry or OfficeRegistry.load()
    con.execute(RAW_DDL)
    con.execute("delete from raw.office_matches where registry_version <> ?", [registry.fingerprint])
    pending = con.execute(_PENDING_SQL, [registry.fingerprint]).fetchall()
    now = datetime.now(timezone.utc)
    rows = []
    for code, printed, year in pending:
        m = registry.resolve(printed, code, year)
        rows.append((code, printed, year, m.office_id, m.is_registered, m.office_name or None, m.normalised_name or None,
                     m.office_type or None, m.district, m.district_code, m.method, registry.fingerprint, now))
    return insert_rows(con, "raw.office_matches", MATCH_COLUMNS, rows)
