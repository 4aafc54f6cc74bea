"""`xxgk export`: write the marts as Parquet or CSV files for people who do not use DuckDB."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import duckdb

from scrapers.load.warehouse import connect
from scrapers.settings import warehouse_path

FORMATS = {
    "parquet": ("parquet", "(format parquet, compression zstd)"),
    "csv": ("csv", "(format csv, header true)"),
}


class ExportError(RuntimeError):
    """The warehouse cannot be exported (missing, or not built yet)."""


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def export_marts(db: str | Path | None, out_dir: str | Path, fmt: str = "parquet") -> dict[str, int]:
    """Write every table of the marts schema to out_dir/<table>.<fmt>; returns rows per table.

    Each file is written beside its final name and renamed into place, so a failed export
    never leaves a truncated file where a complete one is expected; an export run twice gives
    the same files.
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    path = warehouse_path(db)
    if not path.exists():
        raise ExportError(f"no warehouse at {path}: build it first with `xxgk run`")
    suffix, options = FORMATS[fmt]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    con = connect(path, read_only=True)
    try:
        tables = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'marts' and table_type = 'BASE TABLE' order by table_name"
            ).fetchall()
        ]
        if not tables:
            raise ExportError(f"{path} has no marts yet: run `xxgk run` (or dbt build) first")
        counts: dict[str, int] = {}
        for table in tables:
            final = out / f"{table}.{suffix}"
            partial = out / f".{table}.{suffix}.partial"
            con.execute(f'copy marts."{table}" to {_sql_string(str(partial))} {options}')
            os.replace(partial, final)
            counts[table] = con.execute(f'select count(*) from marts."{table}"').fetchone()[0]
        return counts
    finally:
        con.close()


def export_from_cli(args) -> int:
    """`xxgk export [--format parquet|csv] [--db DB] DIR`."""
    try:
        counts = export_marts(args.db, args.dir, args.format)
    except (ExportError, duckdb.Error, OSError) as exc:
        print(f"xxgk export: {exc}", file=sys.stderr)
        return 1
    width = max(len(t) for t in counts)
    for table, rows in counts.items():
        print(f"{table:<{width}}  {rows:>10,} rows  ->  {Path(args.dir) / f'{table}.{FORMATS[args.format][0]}'}")
    return 0
