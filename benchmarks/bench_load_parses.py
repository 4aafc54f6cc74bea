"""Loading parses against the floor: a bulk load of the same rows, measured in the same run.

The real reports under tests/fixtures/reports are parsed once; their parses are loaded as
`--documents` document versions (the reports repeated under distinct hashes) by
`write_parses` in batches of 50, the way `parse_pending` loads them (deletes of earlier
parses, row building, one transaction per batch). The floor inserts the same rows, already
built, with one `insert_rows` per table in one transaction. Each round loads both into fresh
warehouse files, alternating; the figures are medians over the rounds.

    .venv/bin/python benchmarks/bench_load_parses.py [--documents 1000] [--rounds 5]

Goal (#14): loading parses ≤ 3x the bulk load of the same rows.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scrapers.load.bulk import insert_rows  # noqa: E402
from scrapers.load.parses import (  # noqa: E402
    BATCH, CELL_COLUMNS, CHECK_COLUMNS, PARSE_COLUMNS, _cell_rows, write_parses,
)
from scrapers.load.warehouse import connect  # noqa: E402
from scrapers.parse.model import PARSER_VERSION  # noqa: E402
from scrapers.parse.report import parse_file  # noqa: E402

GOAL = 3.0


def corpus_parses(documents: int) -> list:
    files = sorted(p for p in (REPO / "tests" / "fixtures" / "reports").iterdir() if p.is_file())
    parsed = [parse_file(p) for p in files]
    return [(hashlib.sha256(f"{i}".encode()).hexdigest(), parsed[i % len(parsed)]) for i in range(documents)]


def floor_rows(parses: list) -> tuple[list, list, list]:
    now = datetime.now(timezone.utc)
    v = PARSER_VERSION
    return (
        [(s, v, p.year, p.office, p.template, p.status, p.format, json.dumps(p.problems, ensure_ascii=False), now)
         for s, p in parses],
        [row for s, p in parses for row in _cell_rows(s, p)],
        [(s, v, c.name, c.passed, c.left, c.right) for s, p in parses for c in p.checks],
    )


def load_ours(db: Path, parses: list) -> float:
    con = connect(db)
    try:
        started = time.perf_counter()
        for start in range(0, len(parses), BATCH):
            write_parses(con, parses[start : start + BATCH])
        return time.perf_counter() - started
    finally:
        con.close()


def load_floor(db: Path, rows: tuple[list, list, list]) -> float:
    con = connect(db)
    try:
        started = time.perf_counter()
        con.execute("begin")
        for table, columns, data in zip(("raw.parses", "raw.cells", "raw.checks"),
                                        (PARSE_COLUMNS, CELL_COLUMNS, CHECK_COLUMNS), rows):
            insert_rows(con, table, columns, data)
        con.execute("commit")
        return time.perf_counter() - started
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)

    parses = corpus_parses(args.documents)
    rows = floor_rows(parses)
    ours, floor, ratios = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(args.rounds + 1):
            a = load_ours(Path(tmp) / f"ours{n}.duckdb", parses)
            b = load_floor(Path(tmp) / f"floor{n}.duckdb", rows)
            if n == 0:  # warm-up: imports, DuckDB's first file
                continue
            ours.append(a)
            floor.append(b)
            ratios.append(a / b)
    ratio = statistics.median(ratios)
    print(f"{args.documents} parses, {len(rows[1])} cell rows, {len(rows[2])} checks, batches of {BATCH}")
    print(f"  write_parses   median {statistics.median(ours) * 1000:8.1f} ms  "
          f"({statistics.median(ours) / args.documents * 1000:.2f} ms per document)")
    print(f"  bulk floor     median {statistics.median(floor) * 1000:8.1f} ms")
    print(f"  ratio          median {ratio:.2f}x (rounds {min(ratios):.2f}-{max(ratios):.2f}); "
          f"goal <= {GOAL:g}x: {'met' if ratio <= GOAL else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
