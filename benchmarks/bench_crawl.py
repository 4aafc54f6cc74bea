"""CPU the crawler spends per request, against the local mirror with rate limits off, as a ratio
to the floor: a bare `requests` loop asking the same server for the same URLs.

The mirror (tests/fixtures/portals, faults off) runs in a child process so that only the
crawler's own work is counted: HTTP client, charset detection, HTML parsing, discovery and
what it stores. ``--copies N`` serves N copies of the portal shapes (each on its own ports, so
the portals are crawled in parallel) to amortise the fixed start-up costs. Runs alternate
crawl and floor, and the figures are medians.

    .venv/bin/python benchmarks/bench_crawl.py [--copies 10] [--runs 3]

``--hostwalk`` instead walks the generated district site (tests/fixtures/portals/fangshan) with
房山's home-page row and its own budgets (5 links, 5,000 pages), best-first and in the order
found (no hints: the breadth-first walk of before), and prints pages fetched in all and before
the last report, and reports found of those served.
"""

from __future__ import annotations

import argparse
import csv
import inspect
import json
import statistics
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
        rows, fields, mirrors = [], None, []
        for i in range(copies):
            mirror = stack.enter_context(Mirror(faults=False))
            mirrors.append(mirror)
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
        # each line asks for the URLs requested since the last one (or ends the server)
        for _line in sys.stdin:
            urls = [f"http://{m.host(site)}{path}" for m in mirrors for site, path in m.log]
            for m in mirrors:
                m.log.clear()
            print(json.dumps(urls), flush=True)


def bare_loop(urls: list[str]) -> float:
    """The floor: CPU seconds for one requests.Session to GET every URL and read its body."""
    import requests

    session = requests.Session()
    cpu = time.process_time()
    for url in urls:
        session.get(url, timeout=10, allow_redirects=False).content
    return time.process_time() - cpu


def run_crawl(registry: Path, work: Path, run: int):
    from scrapers.crawl.fetch import FetchConfig
    from scrapers.crawl.run import crawl

    where = {"db": work / f"run{run}.duckdb"}
    if "archive" in inspect.signature(crawl).parameters:  # the crawl writes an archive, not the warehouse
        where = {"archive": work / f"archive{run}"}
    return crawl(registry=registry, rate=0, progress=False, config=FetchConfig(max_bytes=1_000_000, backoff_base=0.01), **where)


def hostwalk() -> None:
    """The whole-host row on the generated site, with and without the walk's hints."""
    import contextlib
    from unittest import mock

    from crawl_mirror import Mirror
    from scrapers.crawl import discover
    from scrapers.crawl.priority import LinkHints

    with Mirror(sites=("fangshan",), faults=False) as mirror:
        served = mirror.generated["fangshan"].reports
        sources = {r["source"] for r in served}
        for label, hints in (("in the order found", LinkHints((), ())), ("best-first", None)):
            work = Path(tempfile.mkdtemp(prefix="bench-hostwalk-"))
            registry = mirror.write_registry(work / "portals.csv", REPO / "seeds" / "portals.csv")
            mirror.reset_log()
            patch = mock.patch.object(discover, "read_hints", lambda: hints) if hints else contextlib.nullcontext()
            wall = time.perf_counter()
            with patch:
                summary = run_crawl(registry, work, 0)
            wall = time.perf_counter() - wall
            asked = mirror.requests_to("fangshan")
            at = [i for i, path in enumerate(asked, start=1) if path in sources]
            last = at[-1] if len(at) == len(sources) else None
            print(f"{label}: {len(asked)} requests ({summary.pages_fetched} pages with a body) in {wall:.1f} s wall; "
                  f"reports found {summary.reports_found} of {len(served)} served; last report after "
                  f"{last if last else '-'} requests")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--hostwalk", action="store_true", help="walk the generated district site instead")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.hostwalk:
        hostwalk()
        return 0
    if args.serve:
        serve(Path(args.serve), args.copies)
        return 0

    work = Path(tempfile.mkdtemp(prefix="bench-crawl-"))
    registry = work / "portals.csv"
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(registry), "--copies", str(args.copies)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )

    def requested() -> list[str]:
        child.stdin.write("log\n")
        child.stdin.flush()
        return json.loads(child.stdout.readline())

    try:
        assert child.stdout.readline().strip() == "ready"
        crawler, floor = [], []
        for run in range(args.runs):
            requested()  # forget what came before
            cpu, wall = time.process_time(), time.perf_counter()
            summary = run_crawl(registry, work, run)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            urls = requested()
            bare = bare_loop(urls)
            requested()
            crawler.append(cpu * 1000 / len(urls))
            floor.append(bare * 1000 / len(urls))
            print(f"run {run + 1}: {len(urls)} requests ({summary.pages_fetched} pages with a body, "
                  f"{summary.reports_found} reports) in {wall:.2f} s wall; crawler {crawler[-1]:.2f} ms CPU per "
                  f"request, bare requests loop {floor[-1]:.2f} ms, ratio {crawler[-1] / floor[-1]:.2f}x")
        c, f = statistics.median(crawler), statistics.median(floor)
        # each run's ratio is to the floor measured right after it, on the same machine load
        ratio = statistics.median(a / b for a, b in zip(crawler, floor))
        print(f"crawler CPU per request: median {c:.2f} ms, floor (bare requests loop, same URLs) {f:.2f} ms; "
              f"median of the runs' ratios {ratio:.2f}x over {args.runs} runs (goal <= 2x)")
    finally:
        child.stdin.close()
        child.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
