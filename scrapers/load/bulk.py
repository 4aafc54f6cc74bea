"""Bulk inserts: rows go into DuckDB as one Arrow table per statement, never one statement a row.

`executemany` costs DuckDB a statement per row (about 0.6 ms a cell row); an Arrow table of
the same rows is one scan. Every writer of the raw schema inserts through here.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

import duckdb
import pyarrow as pa


def insert_rows(
    con: duckdb.DuckDBPyConnection, table: str, columns: Sequence[str], rows: Sequence[Sequence], *,
    on_conflict_do_nothing: bool = False, on_conflict: str | None = None,
) -> int:
    """Insert `rows` (tuples in the order of `columns`) into `table` in one statement
    (`on_conflict`: the statement's ON CONFLICT clause, when a held row may be updated).

    DuckDB casts each Arrow column to the table's type, so a value the column cannot hold
    fails the statement: callers range-check values before they get here."""
    if not rows:
        return 0
    data = pa.table({name: [row[i] for row in rows] for i, name in enumerate(columns)})
    name = f"_bulk_{table.replace('.', '_')}"
    con.register(name, data)
    try:
        cols = ", ".join(columns)
        conflict = f" on conflict {on_conflict}" if on_conflict else " on conflict do nothing" if on_conflict_do_nothing else ""
        con.execute(f"insert into {table} ({cols}) select {cols} from {name}{conflict}")
    finally:
        # after a failed insert the transaction is aborted and unregistering fails too: the
        # insert's own error (a cast, a constraint) is the one to report
        with contextlib.suppress(duckdb.Error):
            con.unregister(name)
    return len(rows)
