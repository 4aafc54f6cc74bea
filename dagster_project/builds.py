"""Nothing new, nothing built; something new, only what it feeds: the state of the last
successful dbt build, kept in `raw.builds` inside the warehouse it describes.

A build reads the raw tables, the seeds and the dbt project. After each successful build its
fingerprint is written to `raw.builds`; the next build compares first and does not start dbt
when nothing changed. Only the sources that feed a table or incremental model count (read from
dbt's manifest): a source read by views alone (the crawl's log, `raw.fetches`) changes no
stored model. The raw tables are append-only or rewritten with a new timestamp (a re-parse
replaces cells and checks together with its `raw.parses` row), so a row count and the newest
timestamp per table see every change without reading the rows; the project's files are hashed
(a few hundred small files).

When something did change, the build is narrowed the dbt way: the same row keeps the manifest
that build wrote and each raw table's part of the fingerprint, and the next build selects
`state:modified+` (models, macros, tests, seeds' CSVs, against that manifest) plus
`source:raw.<table>+` for each raw table whose part moved. What dbt's state comparison does not
see (its own version, the profile, the vars, a relation dropped from the file) makes a full
build instead. The state lives in the warehouse file, not in a target folder that may have
served another file: a copied warehouse carries it, a rebuilt one starts without.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timezone
from importlib.metadata import version as installed_version
from pathlib import Path

import duckdb
import yaml

from scrapers.settings import DBT_DIR, SEEDS_DIR

BUILDS_DDL = """
create table if not exists raw.builds (
    fingerprint varchar not null,
    built_at    timestamptz not null,
    run_id      varchar,
    seconds     double
);
-- the state a selected build compares with (NULL: none; the next build is a full one)
alter table raw.builds add column if not exists raw_tables json;
alter table raw.builds add column if not exists manifest varchar;
alter table raw.builds add column if not exists dbt_version varchar;
alter table raw.builds add column if not exists profile_hash varchar;
alter table raw.builds add column if not exists dbt_vars json;
"""

KEPT_BUILDS = 100
PROJECT_GLOBS = ("models/**/*", "macros/**/*", "tests/**/*", "dbt_project.yml", "profiles.yml")

# Flags that make a dbt start cheaper without changing what it builds: the relation cache is
# filled by one query per schema, which a build that selects a few models does not need (each
# model asks for its own relation), and the file log keeps what an operator reads (the nodes,
# their timings, the errors) without every statement dbt sends at debug level.
DBT_START_FLAGS = ("--no-populate-cache", "--log-level-file", "info")

# The raw tables written only together with another one, in its transaction, and without a
# timestamp of their own: when the other moves, they count as moved (a re-parse may replace its
# cells by as many new ones).
WRITTEN_WITH = {"parses": ("cells", "checks")}


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


def source_selectors(manifest: dict) -> dict[str, str]:
    """dbt's name (`raw.cells`) of the source read from each raw table."""
    return {(s["identifier"] or s["name"]): f"{s['source_name']}.{s['name']}" for s in manifest["sources"].values()}


# dbt's manifest as dagster-dbt's DbtProject places it (project.py), named here so that the
# fingerprint can be taken without importing Dagster (the no-change fast path)
MANIFEST = DBT_DIR / "target" / "manifest.json"


def _project_manifest() -> dict:
    return json.loads(MANIFEST.read_text(encoding="utf-8"))


def raw_parts(con: duckdb.DuckDBPyConnection, tables: set[str] | None = None) -> dict[str, str]:
    """Row count and newest timestamp of each raw table a stored model reads, by table."""
    columns = con.execute(
        """
        select t.table_name, list(c.column_name order by c.column_name) filter (where c.data_type like 'TIMESTAMP%')
        from information_schema.tables t
        join information_schema.columns c using (table_schema, table_name)
        where t.table_schema = 'raw' and t.table_type = 'BASE TABLE' and t.table_name <> 'builds'
        group by 1 order by 1
        """
    ).fetchall()
    wanted = stored_sources(_project_manifest()) if tables is None else tables
    parts = {}
    for table, stamps in columns:
        if table not in wanted:
            continue
        newest = ", ".join(f'max("{c}")::varchar' for c in stamps or [])
        parts[table] = str(con.execute(f'select count(*){", " + newest if newest else ""} from raw."{table}"').fetchone())
    return parts


def _hash_parts(parts: dict[str, str]) -> str:
    return hashlib.sha256("\n".join(f"{table}={part}" for table, part in parts.items()).encode()).hexdigest()


def _fingerprint_of(parts: dict[str, str]) -> str:
    return hashlib.sha256(f"{_hash_parts(parts)}\n{project_hash()}".encode()).hexdigest()


def fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    return _fingerprint_of(raw_parts(con))


def _builds_exist(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute(
        "select count(*) from information_schema.tables where table_schema = 'raw' and table_name = 'builds'"
    ).fetchone()[0])


def last_fingerprint(con: duckdb.DuckDBPyConnection) -> str | None:
    if not _builds_exist(con):
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


# ---------------------------------------------------------------------------------------
# what the next build selects


def dbt_versions() -> str:
    """The dbt that builds: another one may parse, name or compare nodes differently."""
    return f"dbt-core {installed_version('dbt-core')}, dbt-duckdb {installed_version('dbt-duckdb')}"


def profile_hash() -> str:
    return hashlib.sha256((DBT_DIR / "profiles.yml").read_bytes()).hexdigest()


def dbt_vars(cli_vars: dict | None = None) -> dict:
    """The vars a build renders with: the project's, those given on the command line, and the
    calendar year, which macros/report_years.sql reads when last_report_year is not given.
    dbt's state comparison sees none of them."""
    project = yaml.safe_load((DBT_DIR / "dbt_project.yml").read_text(encoding="utf-8")).get("vars") or {}
    return {"project": project, "cli": dict(cli_vars or {}), "calendar_year": date.today().year}


@dataclass(frozen=True)
class BuildPlan:
    """What the next build does, and why. `select` is None for a full build (every node of the
    project, or of the subset Dagster asked for); otherwise dbt's selection, to be run with
    `--state` pointing at `manifest` written to a folder (`state_args`)."""

    fingerprint: str
    raw_tables: dict[str, str]
    up_to_date: bool
    select: tuple[str, ...] | None
    reason: str
    manifest: str | None = None

    def state_args(self, state_dir: Path) -> list[str]:
        """dbt's arguments for this plan, the state manifest written into state_dir."""
        if self.select is None:
            return []
        state_dir.mkdir(parents=True, exist_ok=True)
        (state_dir / "manifest.json").write_text(self.manifest, encoding="utf-8")
        return ["--select", " ".join(self.select), "--state", str(state_dir)]


def _missing_relations(con: duckdb.DuckDBPyConnection, manifest: dict) -> list[str]:
    """The models and seeds of the project that the warehouse holds no relation for."""
    held = {(s.lower(), t.lower()) for s, t in con.execute(
        "select table_schema, table_name from information_schema.tables").fetchall()}
    return sorted(f"{n['schema']}.{n['alias']}" for n in manifest["nodes"].values()
                  if n["resource_type"] in ("model", "seed") and n["config"].get("materialized") != "ephemeral"
                  and (n["schema"].lower(), n["alias"].lower()) not in held)


def _last_state(con: duckdb.DuckDBPyConnection) -> dict | None:
    if not _builds_exist(con):
        return None
    names = {c for (c,) in con.execute("select column_name from information_schema.columns "
                                       "where table_schema = 'raw' and table_name = 'builds'").fetchall()}
    if "manifest" not in names:  # a warehouse of a release that kept no state
        return None
    row = con.execute("select raw_tables, manifest, dbt_version, profile_hash, dbt_vars from raw.builds "
                      "order by built_at desc limit 1").fetchone()
    if row is None or row[1] is None:
        return None
    return {"raw_tables": json.loads(row[0]), "manifest": row[1], "dbt_version": row[2],
            "profile_hash": row[3], "dbt_vars": json.loads(row[4])}


def moved_tables(parts: dict[str, str], before: dict[str, str]) -> set[str]:
    """The raw tables whose part of the fingerprint differs from the last build's, and those
    written with them."""
    moved = {table for table, part in parts.items() if before.get(table) != part}
    return moved | {t for table in moved for t in WRITTEN_WITH.get(table, ())}


def plan_on(con: duckdb.DuckDBPyConnection, cli_vars: dict | None = None) -> BuildPlan:
    """The plan of the next build of the warehouse open on con."""
    project = _project_manifest()
    parts = raw_parts(con, stored_sources(project))
    current = _fingerprint_of(parts)
    fresh = marts_exist(con) and last_fingerprint(con) == current

    def full(reason: str) -> BuildPlan:
        return BuildPlan(current, parts, fresh, None, reason)

    state = _last_state(con)
    if state is None:
        return full("no state of an earlier build in this warehouse")
    if state["dbt_version"] != dbt_versions():
        return full(f"the last build ran {state['dbt_version']}, this is {dbt_versions()}")
    if state["profile_hash"] != profile_hash():
        return full("the dbt profile changed")
    if state["dbt_vars"] != json.loads(json.dumps(dbt_vars(cli_vars))):  # compared as stored: JSON
        return full("the dbt vars changed")
    if missing := _missing_relations(con, project):
        return full(f"{len(missing)} relations are missing ({', '.join(missing[:3])})")
    moved = moved_tables(parts, state["raw_tables"])
    names = source_selectors(project)
    select = ("state:modified+", *(f"source:{names[t]}+" for t in sorted(moved) if t in names))
    reason = f"raw tables changed: {', '.join(sorted(moved))}" if moved else "no raw table changed"
    return BuildPlan(current, parts, fresh, select, reason, state["manifest"])


def plan(db: Path, cli_vars: dict | None = None) -> BuildPlan:
    """`plan_on` a read-only connection to db (which must exist)."""
    from scrapers.load.warehouse import connect

    con = connect(db, read_only=True)
    try:
        return plan_on(con, cli_vars)
    finally:
        con.close()


def record_build(db: Path, built_fingerprint: str, run_id: str | None, seconds: float, *,
                 raw_tables: dict[str, str] | None = None, manifest: Path | None = None,
                 cli_vars: dict | None = None) -> None:
    """Remember a successful build (the fingerprint taken before it started: a write that
    landed during the build makes the next run build again). With the raw tables' parts taken
    with that fingerprint and the manifest the build wrote, the next build can be narrowed to
    what changed; without, it is a full one."""
    from scrapers.load.warehouse import connect

    state = raw_tables is not None and manifest is not None and Path(manifest).exists()
    con = connect(db)
    try:
        con.execute(BUILDS_DDL)
        con.execute("begin")
        # one manifest kept: only the newest build is compared with
        con.execute("update raw.builds set manifest = null where manifest is not null")
        con.execute(
            "insert into raw.builds (fingerprint, built_at, run_id, seconds, raw_tables, manifest, dbt_version, "
            "profile_hash, dbt_vars) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [built_fingerprint, datetime.now(timezone.utc), run_id, seconds,
             json.dumps(raw_tables) if state else None,
             Path(manifest).read_text(encoding="utf-8") if state else None,
             dbt_versions() if state else None, profile_hash() if state else None,
             json.dumps(dbt_vars(cli_vars)) if state else None])
        # a short history shows how long builds take
        con.execute(f"delete from raw.builds where built_at not in "
                    f"(select built_at from raw.builds order by built_at desc limit {KEPT_BUILDS})")
        con.execute("commit")
    finally:
        con.close()
