"""The result of parsing one report: the contract of `xxgk parse --json` and of raw.cells."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from decimal import Decimal
from functools import lru_cache

PARSER_VERSION = "2"

STATUSES = ("ok", "partial", "failed", "needs_ocr", "unsupported_format")
TEMPLATES = ("2019", "2021", "pre2019", "unknown")


@dataclass(slots=True)
class RequestCell:
    row: str
    column: str
    value: int
    raw: str
    loc: str = ""


@dataclass(slots=True)
class AppealCell:
    proceeding: str
    result: str
    value: int
    raw: str
    loc: str = ""


@dataclass(slots=True)
class ProactiveCell:
    item: str
    measure: str
    value: int | float
    raw: str
    # items | decisions | projects | yuan | wan_yuan: the unit as printed (header or cell)
    unit: str | None = None
    # amounts in 万元 whatever unit the report used; None for counts
    value_wan_yuan: float | None = None
    loc: str = ""


@dataclass(slots=True)
class NarrativeCell:
    measure: str
    value: int | float
    raw: str
    approximate: bool = False
    loc: str = ""


@dataclass(slots=True)
class ExtraCell:
    """A printed row or column that is not in the template, kept rather than dropped."""

    table: str
    label: str
    column: str
    value: int | float | None
    raw: str
    loc: str = ""


@dataclass(slots=True)
class Check:
    """One identity evaluated on one parse (scrapers.parse.checks), as the QA mart shows it."""

    name: str
    passed: bool
    left: int | float
    right: int | float
    identity: str = ""  # requests_row_total | requests_outcome_total | requests_balance | ...
    table: str = ""
    row_code: str | None = None
    column_code: str | None = None
    left_side: str = ""
    right_side: str = ""


@dataclass
class Parse:
    year: int | None = None
    office: str | None = None
    template: str = "unknown"
    status: str = "failed"
    format: str = "unknown"
    problems: list[str] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    requests: list[RequestCell] = field(default_factory=list)
    appeals: list[AppealCell] = field(default_factory=list)
    proactive: list[ProactiveCell] = field(default_factory=list)
    narrative: list[NarrativeCell] = field(default_factory=list)
    extra: list[ExtraCell] = field(default_factory=list)
    # the template each table was printed in (a report may mix them)
    table_templates: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict:
        def plain(v):
            return float(v) if isinstance(v, Decimal) else v

        return {
            "year": self.year,
            "office": self.office,
            "template": self.template,
            "status": self.status,
            "format": self.format,
            "parser_version": PARSER_VERSION,
            "problems": list(self.problems),
            "checks": [{k: plain(v) for k, v in _flat(c).items()} for c in self.checks],
            "table_templates": dict(self.table_templates),
            "tables": {
                "requests": [_flat(c) for c in self.requests],
                "appeals": [_flat(c) for c in self.appeals],
                "proactive": [_flat(c) for c in self.proactive],
                "narrative": [_flat(c) for c in self.narrative],
                "extra": [_flat(c) for c in self.extra],
            },
        }


@lru_cache(maxsize=16)
def _names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def _flat(cell) -> dict:
    """A cell's or check's fields by name: what dataclasses.asdict gives for these flat records
    (their values are numbers, strings and None), without its deep copy of each value."""
    return {name: getattr(cell, name) for name in _names(type(cell))}
