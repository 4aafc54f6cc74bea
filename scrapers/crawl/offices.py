"""Match the office a report names to the office registry (seeds/offices.csv).

Offices are kept per district with validity dates, because 2008–2018 reports come from
bodies that later merged (宣武区 and 崇文区 into 西城区 and 东城区 in 2010) or changed form
(密云县 and 延庆县 became 区 in 2015). An office no row matches is reported as discovered.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from scrapers.settings import SEEDS_DIR

DEFAULT_OFFICES = SEEDS_DIR / "offices.csv"
# The suffixes by which titles name the same 街道/乡镇 differently (地区办事处 and 乡 are one body,
# 石景山 writes 鲁谷社区 for 鲁谷街道).
_LOCAL_SUFFIX_RE = re.compile(r"(?:街道|地区|社区|镇|乡)$")


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


class OfficeRegistry:
    def __init__(self, offices: list[Office]):
        self.offices = offices
        self._by_name: dict[tuple[str, str], list[Office]] = {}
        self._by_stem: dict[tuple[str, str], list[Office]] = {}
        for o in offices:
            self._by_name.setdefault((o.district_code, o.normalised_name), []).append(o)
            if o.office_type in ("subdistrict", "town"):
                self._by_stem.setdefault((o.district_code, local_stem(o.normalised_name)), []).append(o)
        governments = [o for o in offices if o.office_type == "district_government"]
        self._governments: dict[str, list[Office]] = {}
        # printed district name (东城区, 密云县) -> its code
        self.district_codes: dict[str, str] = {}
        for o in governments:
            self._governments.setdefault(o.district_code, []).append(o)
            self.district_codes[o.office_name.removeprefix("北京市").removesuffix("人民政府")] = o.district_code
        self.predecessors = self._find_predecessors()

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
    def load(cls, path: str | Path | None = None) -> "OfficeRegistry":
        with open(path or DEFAULT_OFFICES, encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        return cls([
            Office(
                office_id=r["office_id"], district=r["district"], district_code=r["district_code"],
                office_name=r["office_name"], normalised_name=r["normalised_name"], office_type=r["office_type"],
                valid_from=r.get("valid_from") or "", valid_to=r.get("valid_to") or "",
                discovered=(r.get("discovered") or "").lower() == "true",
            )
            for r in rows
        ])

    def short_name(self, district_code: str) -> str | None:
        """The short district name (东城) of a district code."""
        return next((o.district for o in self._governments.get(district_code, [])), None)

    @property
    def printed_districts(self) -> tuple[str, ...]:
        return tuple(self.district_codes)

    def _candidates(self, district_code: str, name: str) -> list[Office]:
        if name in ("区人民政府", "县人民政府"):
            return self._governments.get(district_code, [])
        found = self._by_name.get((district_code, name))
        if found:
            return found
        if _LOCAL_SUFFIX_RE.search(name):
            return self._by_stem.get((district_code, local_stem(name)), [])
        return []

    def match(self, name: str, district_codes: list[str], year: int | None) -> Office | None:
        """The registry office of that name, looking in the given districts first.

        An office valid in the report year wins, looking also in the districts that preceded
        the given ones (a 2009 大栅栏 report found on 西城's portal belongs to 宣武区); failing
        that, the office of that name in the given districts whatever its dates.
        """
        primary = list(dict.fromkeys(c for c in district_codes if c))
        order = primary + [p for c in primary for p in self.predecessors.get(c, []) if p not in primary]
        fallback = None
        for code in order:
            for office in self._candidates(code, name):
                if office.valid_in(year):
                    return office
                if fallback is None and code in primary:
                    fallback = office
        return fallback
