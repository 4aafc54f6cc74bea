"""The whole graph in-process: a real report travels from a folder through Dagster, the
parser and dbt into the marts of a temporary DuckDB file."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest


FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def warehouse(folder_warehouse):
    return folder_warehouse.db, folder_warehouse.report, folder_warehouse.folder


def test_definitions_load():
    from dagster_project.definitions import defs

    repo = defs.get_repository_def()
    keys = {k.to_user_string() for k in repo.asset_graph.get_all_asset_keys()}
    assert {"local_documents", "portal_crawl", "parsed_reports", "marts/fct_requests"} <= keys


def test_seed_report_reaches_the_marts(warehouse):
    db, report, _ = warehouse
    assert report["success"], report
    con = duckdb.connect(str(db), read_only=True)
    rows = dict(
        con.execute(
            """
            select outcome, value from marts.fct_requests join marts.dim_report using (report_id)
            where source_url like '%/000_3cfb3787871ff2e9.txt'
              and applicant_type = 'natural_person' and outcome in ('new_received', 'granted', 'processed_total')
            """
        ).fetchall()
    )
    con.close()
    assert rows == {"new_received": 8, "granted": 8, "processed_total": 8}


def test_second_ingest_and_parse_add_nothing(warehouse):
    from scrapers.load.documents import ingest_folder
    from scrapers.load.parses import parse_pending

    db, _, folder = warehouse
    counts = ingest_folder(folder, db)
    assert counts == {"files": 2, "new_versions": 0, "unchanged": 2, "unreadable": 0, "too_large": 0}
    assert parse_pending(db).parsed == 0


def test_bytes_that_come_back_are_a_new_version(tmp_path):
    """Regression: a report whose bytes went A -> B -> A kept B as its latest version."""
    from datetime import datetime, timedelta, timezone

    from scrapers.load.documents import DocumentMeta, register_document
    from scrapers.load.warehouse import transaction

    db = tmp_path / "w.duckdb"
    meta = DocumentMeta(report_url="https://example.org/r.html", source_url="https://example.org/r.html", origin="crawl")
    start = datetime(2026, 1, 20, tzinfo=timezone.utc)
    outcomes = []
    for day, body in enumerate([b"A", b"B", b"A", b"A"]):
        with transaction(db) as con:
            outcomes.append(register_document(con, body, meta, now=start + timedelta(days=day))[1])
    assert outcomes == [True, True, True, False]
    con = duckdb.connect(str(db), read_only=True)
    latest = con.execute("select sha256 from raw.documents order by fetched_at desc limit 1").fetchone()[0]
    con.close()
    assert latest == hashlib.sha256(b"A").hexdigest()
