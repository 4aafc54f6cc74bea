"""Nothing new, nothing built: the fingerprint of what a dbt build reads, kept in `raw.builds`.

A build reads the raw tables, the seeds and the dbt project. After each successful build its
fingerprint is written to `raw.builds`; the next build compares first and does not start dbt
when nothing changed. Only the sources that feed a table or incremental model count (read from
dbt's manifest): a source read by views alone (the crawl's log, `raw.fetches`) changes no
stored model. The raw tables are append-only or rewritten with a new timestamp (a re-parse
replaces cells and checks together with its `raw.parses` row), so a row count and the newest
timestamp per table see every change without reading the rows; the project's files are hashed
(a few hundred small files).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from scrapers.settings import DBT_DIR, SEEDS_DIR

BUILDS_DDL = """
create table if not exists raw.builds (
    fingerprint varchar not null,
    built_at    timestamptz not null,
    run_id      varchar,
    seconds     double
)
"""

KEPT_BUILDS = 100
PROJECT_GLOBS = ("models/**/*", "macros/**/*", "tests/**/*", "dbt_project.yml", "profiles.yml")


def project_hash() -> str:
    """The dbt project and the seeds as dbt reads them: a change to either is a change."""
    digest = hashlib.sha256()
    paths = {p for g in PROJECT_GLOBS for p in DBT_DIR.glob(g)} | set(SEEDS_DIR.glob("*.csv"))
    for path in sorted(p for p in paths if p.is_file()):
        digest.update(str(path.relative_to(path.anchor)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


STORED = ("table", "incremental", "snapshot")


def stored_sources(manifest: dict) -> set[str]:
    """The raw tables (dbt sources) upstream of a model dbt stores: a change to any of them
    changes what a build would write."""
    nodes, children = manifest["nodes"], manifest["child_map"]
    found = set()
    for unique_id, source in manifest["sources"].items():
        todo, seen = list(children.get(unique_id, [])), set()
        while todo:
            child = todo.pop()
            if child in seen:
                continue
            seen.add(child)
            node = nodes.get(child, {})
            if node.get("resource_type") == "model" and node.get("config", {}).get("materialized") in STORED:
                found.add(source["identifier"] or source["name"])
                break
            todo += children.get(child, [])
    return found


# dbt's manifest as dagster-dbt's DbtProject places it (project.py), named here so that the
# fingerprint can be taken without importing Dagster (the no-change fast path)
MANIFEST = DBT_DIR / "target" / "manifest.json"


def _manifest_sources() -> set[str]:
    return stored_sources(json.loads(MANIFEST.read_text(encoding="utf-8")))


def raw_fingerprint(con: duckdb.DuckDBPyConnection, tables: set[str] | None = None) -> str:
    """Row count and newest timestamp of each raw table a stored model reads."""
    columns = con.execute(
        """
        select t.table_name, list(c.column_name order by c.column_name) filter (where c.data_type like 'TIMESTAMP%')
        from information_schema.tables t
        join information_schema.columns c using (table_schema, table_name)
        where t.table_schema = 'raw' and t.table_type = 'BASE TABLE' and t.table_name <> 'builds'
        group by 1 order by 1
        """
    ).fetchall()
    wanted = _manifest_sources() if tables is None else tables
    parts = []
    for table, stamps in columns:
        if table not in wanted:
            continue
        newest = ", ".join(f'max("{c}")::varchar' for c in stamps or [])
        row = con.execute(f'select count(*){", " + newest if newest else ""} from raw."{table}"').fetchone()
        parts.append(f"{table}={row}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    return hashlib.sha256(f"{raw_fingerprint(con)}\n{project_hash()}".encode()).hexdigest()


def last_fingerprint(con: duckdb.DuckDBPyConnection) -> str | None:
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'raw' and table_name = 'builds'"
    ).fetchone()[0]
    if not exists:
        return None
    row = con.execute("select fingerprint from raw.builds order by built_at desc limit 1").fetchone()
    return row[0] if row else None


def marts_exist(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute("select count(*) from information_schema.tables where table_schema = 'marts'").fetchone()[0])


def up_to_date(db: Path) -> tuple[bool, str | None]:
    """(whether the last successful build saw exactly what the warehouse holds now, the
    current fingerprint). A missing warehouse or one without marts is never up to date."""
    from scrapers.load.warehouse import connect

    if not Path(db).exists():
        return False, None
    con = connect(db, read_only=True)
    try:
        return up_to_date_on(con)
    finally:
        con.close()


def up_to_date_on(con: duckdb.DuckDBPyConnection) -> tuple[bool, str]:
    """`up_to_date`, asked on an open connection."""
    current = fingerprint(con)
    return (marts_exist(con) and last_fingerprint(con) == current), current


def record_build(db: Path, built_fingerprint: str, run_id: str | None, seconds: float) -> None:
    """Remember a successful build (the fingerprint taken before it started: a write that
    landed during the build makes the next run build again)."""
    from scrapers.load.warehouse import connect

    con = connect(db)
    try:
        con.execute(BUILDS_DDL)
        con.execute("insert into raw.builds values (?, ?, ?, ?)",
                    [built_fingerprint, datetime.now(timezone.utc), run_id, seconds])
        # only the last build is compared with; a short history shows how long builds take
        con.execute(f"delete from raw.builds where built_at not in "
                    f"(select built_at from raw.builds order by built_at desc limit {KEPT_BUILDS})")
    finally:
        con.close()
