"""CPU the crawler spends per page, against the local mirror with rate limits off.

The mirror (tests/fixtures/portals, faults off) runs in a child process so that only the
crawler's own work is counted: HTTP client, charset detection, HTML parsing, discovery,
and the DuckDB writes. ``--copies N`` serves N copies of the three portal shapes (each on
its own ports, so N×3 portals crawled in parallel) to amortise the fixed start-up costs.

    .venv/bin/python benchmarks/bench_crawl.py [--copies 10] [--runs 3]
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))


def serve(registry: Path, copies: int) -> None:
    """Child process: start the mirrors, write one registry for all of them, serve until stdin closes."""
    from contextlib import ExitStack

    from crawl_mirror import Mirror

    with ExitStack() as stack:
        rows, fields = [], None
        for i in range(copies):
            mirror = stack.enter_context(Mirror(faults=False))
            part = registry.with_suffix(f".{i}.csv")
            mirror.write_registry(part, REPO / "seeds" / "portals.csv")
            with open(part, encoding="utf-8", newline="") as fh:
                reader = csv.DictReader(fh)
                fields = reader.fieldnames
                rows.extend(reader)
        with open(registry, "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)
        print("ready", flush=True)
        sys.stdin.read()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(Path(args.serve), args.copies)
        return 0

    from scrapers.crawl.fetch import FetchConfig
    from scrapers.crawl.run import crawl

    work = Path(tempfile.mkdtemp(prefix="bench-crawl-"))
    registry = work / "portals.csv"
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(registry), "--copies", str(args.copies)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert child.stdout.readline().strip() == "ready"
        results = []
        for run in range(args.runs):
            db = work / f"run{run}.duckdb"
            cpu, wall = time.process_time(), time.perf_counter()
            summary = crawl(registry=registry, db=db, archive=work / f"archive{run}", rate=0, progress=False, config=FetchConfig(max_bytes=1_000_000, backoff_base=0.01))
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            pages = summary.requests
            results.append(cpu * 1000 / pages)
            print(f"run {run + 1}: {pages} requests ({summary.pages_fetched} pages with a body, "
                  f"{summary.reports_found} reports) in {wall:.2f} s wall, {cpu:.2f} s CPU = "
                  f"{cpu * 1000 / pages:.2f} ms CPU per request")
        best = min(results)
        print(f"crawler CPU per page: {best:.2f} ms (best of {args.runs}; goal < 5 ms)")
    finally:
        child.stdin.close()
        child.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
