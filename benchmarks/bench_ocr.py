"""OCR throughput: pages per second per core, and seconds per typical report.

Makes image-only copies of the three Jiangsu PDF reports under tests/fixtures (every page
rendered at 150 dpi with pypdfium2, the text layer dropped: what a scanned report is), and
parses each through the whole path (`parse_document`: render, deskew, OCR, grid, template
reader). The OCR engine runs one thread, so CPU seconds are seconds of one core; wall-clock
seconds are printed beside them, since other jobs on the machine stretch those.

    .venv/bin/python benchmarks/bench_ocr.py [--rounds 1] [--long PAGES] [--json]

`--long N` also parses an N-page scan (the reports' pages repeated) and prints the peak
memory, which must stay flat: pages are rendered and read one at a time.

Goals: ≥ 0.2 pages/s per core; a typical 5-8 page scanned report in under a minute.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from scans import image_pdf, render_pages  # noqa: E402
from scrapers.extract.ocr import _engine  # noqa: E402
from scrapers.parse.report import parse_document  # noqa: E402

REPORTS = sorted((REPO / "tests" / "fixtures" / "corpus" / "docs").glob("jiangsu-*.pdf"))
GOALS = {"pages_per_second_per_core": 0.2, "seconds_per_report": 60.0}


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(rounds: int, long_pages: int) -> dict:
    scans = []
    for path in REPORTS:
        pages = render_pages(path.read_bytes(), dpi=150)
        scans.append((path.name, len(pages), image_pdf(pages)))
    _engine()  # the models load once per process, not per report
    per_report = []
    for _ in range(rounds):
        for name, pages, data in scans:
            cpu, wall = time.process_time(), time.monotonic()
            parse = parse_document(data, name)
            per_report.append(
                {"report": name, "pages": pages, "status": parse.status, "format": parse.format,
                 "cpu_s": round(time.process_time() - cpu, 2), "wall_s": round(time.monotonic() - wall, 2)}
            )
    pages = sum(r["pages"] for r in per_report)
    cpu = sum(r["cpu_s"] for r in per_report)
    result = {
        "reports": len(per_report),
        "pages": pages,
        "pages_per_second_per_core": round(pages / cpu, 3),
        "seconds_per_report": round(cpu / len(per_report), 1),
        "wall_seconds_per_report": round(sum(r["wall_s"] for r in per_report) / len(per_report), 1),
        "peak_rss_mib": round(_peak_mib()),
        "per_report": per_report,
    }
    if long_pages:
        pages_all = [p for path in REPORTS for p in render_pages(path.read_bytes(), dpi=150)]
        repeated = (pages_all * (long_pages // len(pages_all) + 1))[:long_pages]
        data = image_pdf(repeated)
        del pages_all, repeated
        before = _peak_mib()
        cpu = time.process_time()
        parse = parse_document(data, "long-scan.pdf")
        result["long_scan"] = {
            "pages": long_pages,
            "status": parse.status,
            "cpu_s": round(time.process_time() - cpu, 1),
            "peak_rss_mib_before": round(before),
            "peak_rss_mib_after": round(_peak_mib()),
            "stopped": [p for p in parse.problems if p.startswith("OCR stopped")],
        }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--long", type=int, default=0, metavar="PAGES")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = measure(args.rounds, args.long)
    if args.json:
        print(json.dumps(result, indent=1))
        return
    for r in result["per_report"]:
        print(f"{r['report']:45} {r['pages']} pages  {r['cpu_s']:6.1f} s CPU  {r['wall_s']:6.1f} s wall  {r['status']}")
    print(f"OCR: {result['pages_per_second_per_core']} pages/s per core (goal ≥ {GOALS['pages_per_second_per_core']}), "
          f"{result['seconds_per_report']} s CPU per report (goal < {GOALS['seconds_per_report']:g}), "
          f"{result['wall_seconds_per_report']} s wall; peak memory {result['peak_rss_mib']} MiB")
    if "long_scan" in result:
        long = result["long_scan"]
        print(f"{long['pages']}-page scan: {long['cpu_s']} s CPU, {long['status']}, peak memory "
              f"{long['peak_rss_mib_before']} -> {long['peak_rss_mib_after']} MiB; {long['stopped']}")


if __name__ == "__main__":
    main()
