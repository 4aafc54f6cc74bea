"""The fingerprint that lets a build with nothing new skip dbt: what moves it and what does not."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from dagster_project import builds
from dagster_project.project import dbt_project
from scrapers.load.warehouse import connect


@pytest.fixture()
def warehouse(tmp_path):
    db = tmp_path / "xxgk.duckdb"
    connect(db).close()  # the raw schema, empty
    return db


def _insert_parse(db, sha: str) -> None:
    con = connect(db)
    con.execute("insert into raw.parses values (?, 'v', 2023, 'o', '2021', 'ok', 'html', '[]', ?)",
                [sha, datetime.now(timezone.utc)])
    con.close()


def _insert_fetch(db, n: int) -> None:
    con = connect(db)
    con.execute("insert into raw.fetches (fetch_id, request_url, fetched_at) values (?, 'http://x/', ?)",
                [f"f{n}", datetime.now(timezone.utc)])
    con.close()


def test_the_sources_that_count_are_those_a_stored_model_reads():
    manifest = json.loads(open(dbt_project.manifest_path, encoding="utf-8").read())
    counted = builds.stored_sources(manifest)
    assert {"documents", "parses", "cells", "checks"} <= counted
    # the crawl's log feeds a staging view only
    assert "fetches" not in counted and "fetches" in {s["name"] for s in manifest["sources"].values()}


def test_a_new_parse_moves_the_fingerprint_and_a_fetch_log_row_does_not(warehouse):
    def current():
        con = connect(warehouse, read_only=True)
        try:
            return builds.fingerprint(con)
        finally:
            con.close()

    empty = current()
    _insert_fetch(warehouse, 1)
    assert current() == empty
    _insert_parse(warehouse, "a" * 64)
    moved = current()
    assert moved != empty and current() == moved


def test_up_to_date_only_after_a_recorded_build_of_the_same_state(warehouse):
    assert builds.up_to_date(warehouse)[0] is False  # no marts yet
    con = connect(warehouse)
    con.execute("create schema marts; create table marts.t as select 1 as x")
    con.close()
    current, fingerprint = builds.up_to_date(warehouse)
    assert current is False and fingerprint
    builds.record_build(warehouse, fingerprint, "run-1", 1.0)
    assert builds.up_to_date(warehouse) == (True, fingerprint)
    _insert_parse(warehouse, "b" * 64)
    assert builds.up_to_date(warehouse)[0] is False


def test_the_build_history_stays_short(warehouse, monkeypatch):
    monkeypatch.setattr(builds, "KEPT_BUILDS", 3)
    for n in range(5):
        builds.record_build(warehouse, f"fingerprint-{n}", f"run-{n}", 1.0)
    con = connect(warehouse, read_only=True)
    kept = [r for (r,) in con.execute("select run_id from raw.builds order by built_at").fetchall()]
    last = builds.last_fingerprint(con)
    con.close()
    assert kept == ["run-2", "run-3", "run-4"] and last == "fingerprint-4"


def test_a_change_to_the_project_or_a_seed_moves_the_fingerprint(tmp_path, monkeypatch):
    project, seeds = tmp_path / "dbt", tmp_path / "seeds"
    (project / "models").mkdir(parents=True)
    seeds.mkdir()
    (project / "models" / "m.sql").write_text("select 1")
    (seeds / "s.csv").write_text("code\na\n")
    monkeypatch.setattr(builds, "DBT_DIR", project)
    monkeypatch.setattr(builds, "SEEDS_DIR", seeds)
    first = builds.project_hash()
    (seeds / "s.csv").write_text("code\na\nb\n")
    second = builds.project_hash()
    (project / "models" / "m.sql").write_text("select 2")
    assert len({first, second, builds.project_hash()}) == 3



def test_a_reparse_moves_its_cells_and_checks_though_their_counts_stay(warehouse):
    con = connect(warehouse)
    con.execute("insert into raw.parses values ('a', 'v', 2023, 'o', '2021', 'ok', 'html', '[]', now())")
    con.execute("insert into raw.cells (sha256, parser_version, table_name, row_code, column_code, value) "
                "values ('a', 'v', 'requests', 'granted', 'total', 1)")
    before = builds.raw_parts(con, {"parses", "cells", "checks", "documents"})
    # the loader's re-parse: the parse row and its cells replaced, as many as before
    con.execute("update raw.parses set parsed_at = parsed_at + interval 1 hour")
    con.execute("update raw.cells set value = 2")
    after = builds.raw_parts(con, {"parses", "cells", "checks", "documents"})
    con.close()
    assert after["cells"] == before["cells"] and after["parses"] != before["parses"]
    assert builds.moved_tables(after, before) == {"parses", "cells", "checks"}
    assert builds.moved_tables(after, after) == set()
    assert builds.moved_tables(after, {}) == set(after)
