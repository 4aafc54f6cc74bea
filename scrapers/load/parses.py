"""Parse the documents in raw that have no parse of the current parser version, and load the results."""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from scrapers.load.warehouse import connect, transaction
from scrapers.parse.model import PARSER_VERSION, Parse
from scrapers.parse.report import parse_document

log = logging.getLogger(__name__)


@dataclass
class ParseSummary:
    parsed: int = 0
    by_status: Counter = field(default_factory=Counter)
    by_template: Counter = field(default_factory=Counter)
    failed_checks: int = 0
    cells: int = 0

    def to_dict(self) -> dict:
        return {
            "parsed": self.parsed,
            "by_status": dict(self.by_status),
            "by_template": dict(self.by_template),
            "failed_checks": self.failed_checks,
            "cells": self.cells,
        }


def _cell_rows(sha256: str, parse: Parse) -> list[tuple]:
    v = PARSER_VERSION
    rows = []
    for c in parse.requests:
        rows.append((sha256, v, "requests", c.row, c.column, c.value, c.raw, None, None, False, c.loc))
    for c in parse.appeals:
        rows.append((sha256, v, "appeals", c.proceeding, c.result, c.value, c.raw, None, None, False, c.loc))
    for c in parse.proactive:
        rows.append((sha256, v, "proactive", c.item, c.measure, c.value, c.raw, c.unit, c.value_wan_yuan, False, c.loc))
    for c in parse.narrative:
        rows.append((sha256, v, "narrative", c.measure, "", c.value, c.raw, None, None, c.approximate, c.loc))
    for c in parse.extra:
        rows.append((sha256, v, "extra", f"{c.table}:{c.label}", c.column, c.value, c.raw, None, None, False, c.loc))
    return rows


def write_parse(con: duckdb.DuckDBPyConnection, sha256: str, parse: Parse, now: datetime | None = None) -> int:
    """Replace this document's parse of the current parser version (idempotent)."""
    v = PARSER_VERSION
    for table in ("raw.cells", "raw.checks", "raw.parses"):
        con.execute(f"delete from {table} where sha256 = ? and parser_version = ?", [sha256, v])
    con.execute(
        "insert into raw.parses values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [sha256, v, parse.year, parse.office, parse.template, parse.status, parse.format,
         json.dumps(parse.problems, ensure_ascii=False), now or datetime.now(timezone.utc)],
    )
    cells = _cell_rows(sha256, parse)
    if cells:
        con.executemany("insert into raw.cells values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", cells)
    if parse.checks:
        con.executemany(
            "insert into raw.checks values (?, ?, ?, ?, ?, ?)",
            [(sha256, v, c.name, c.passed, c.left, c.right) for c in parse.checks],
        )
    return len(cells)


def pending_documents(db: str | Path | None, refresh: bool = False) -> list[tuple[str, str]]:
    """(sha256, a source URL) of every document version without a parse of this parser version."""
    con = connect(db)
    try:
        query = "select d.sha256, min(d.source_url) from raw.documents d"
        if not refresh:
            query += " anti join raw.parses p on p.sha256 = d.sha256 and p.parser_version = $v"
        return con.execute(query + " group by 1 order by 1", {"v": PARSER_VERSION} if not refresh else {}).fetchall()
    finally:
        con.close()


def parse_pending(db: str | Path | None = None, refresh: bool = False, batch: int = 50) -> ParseSummary:
    """Parse what has no parse yet, in batches: each batch is read, parsed outside any
    lock, then written in one short transaction, so a crash loses at most one batch."""
    summary = ParseSummary()
    todo = pending_documents(db, refresh)
    for start in range(0, len(todo), batch):
        chunk = dict(todo[start : start + batch])
        con = connect(db)
        try:
            bodies = dict(
                con.execute("select sha256, body from raw.blobs where sha256 in (select unnest($s))", {"s": list(chunk)}).fetchall()
            )
        finally:
            con.close()
        parses = {sha: parse_document(bytes(bodies[sha]), name=url) for sha, url in chunk.items()}
        with transaction(db) as con:
            for sha, parse in parses.items():
                summary.cells += write_parse(con, sha, parse)
                summary.parsed += 1
                summary.by_status[parse.status] += 1
                summary.by_template[parse.template] += 1
                summary.failed_checks += sum(not c.passed for c in parse.checks)
    return summary
