"""Throughput of extraction and of the full parse, per core, by format.

Reads the real report documents under tests/fixtures (HTML pages, text and Markdown,
PDFs, Word files; anything that is not a full report is skipped, duplicates are counted
once), sniffs their format from content, and runs each format's documents round after round in this one
process, so the figures are reports per second on one core.

    .venv/bin/python benchmarks/bench_parse.py [--seconds 2] [--json]

Goals: ≥ 200 reports/s for HTML and text, ≥ 10 reports/s for PDF.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scrapers.extract.dispatch import extract_document  # noqa: E402
from scrapers.extract.sniff import sniff_format  # noqa: E402

FIXTURES = REPO / "tests" / "fixtures"
SUFFIXES = {".html", ".htm", ".txt", ".md", ".pdf", ".docx"}
GOALS = {"html": 200, "text": 200, "pdf": 10}


# Words every full report uses (its 主动公开, 依申请 and 复议/诉讼 sections), and that listing
# pages, robots.txt and the crawler tests' stub reports lack: only real reports are timed.
REPORT_WORDS = ("政府信息公开", "主动公开", "行政复议")


def report_documents() -> dict[str, list[tuple[str, bytes]]]:
    by_format: dict[str, list[tuple[str, bytes]]] = {}
    seen: set[str] = set()
    for path in sorted(FIXTURES.rglob("*")):
        if not path.is_file() or path.suffix.lower() not in SUFFIXES or path.name.lower() == "readme.md":
            continue
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if digest in seen:
            continue
        seen.add(digest)
        text = extract_document(data, path.name).text
        if not all(word in text for word in REPORT_WORDS):
            continue
        by_format.setdefault(sniff_format(data, path.name), []).append((str(path.relative_to(REPO)), data))
    return by_format


def rate(work, documents: list[tuple[str, bytes]], seconds: float) -> float:
    """Documents per second of `work`, over whole rounds of all documents, for at least `seconds`."""
    for name, data in documents:  # warm-up: imports, seeds, caches
        work(data, name)
    done = 0
    started = time.perf_counter()
    while True:
        for name, data in documents:
            work(data, name)
        done += len(documents)
        elapsed = time.perf_counter() - started
        if elapsed >= seconds:
            return done / elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=2.0, help="minimum time per measurement")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    try:
        from scrapers.parse.report import parse_document
    except ImportError:
        parse_document = None

    results = []
    for fmt, documents in sorted(report_documents().items()):
        row = {
            "format": fmt,
            "documents": len(documents),
            "kilobytes": round(sum(len(d) for _n, d in documents) / len(documents) / 1024, 1),
            "extract_per_s": round(rate(extract_document, documents, args.seconds), 1),
            "parse_per_s": None,
            "goal_per_s": GOALS.get(fmt),
        }
        if parse_document is not None:
            try:
                row["parse_per_s"] = round(rate(parse_document, documents, args.seconds), 1)
            except NotImplementedError:
                pass
        results.append(row)

    if args.json:
        print(json.dumps(results, indent=1))
        return 0
    print(f"{'format':<8}{'docs':>6}{'avg KB':>9}{'extract/s':>12}{'parse/s':>10}{'goal/s':>9}")
    for row in results:
        parse = "-" if row["parse_per_s"] is None else f"{row['parse_per_s']:.1f}"
        goal = "" if row["goal_per_s"] is None else str(row["goal_per_s"])
        print(f"{row['format']:<8}{row['documents']:>6}{row['kilobytes']:>9}{row['extract_per_s']:>12.1f}{parse:>10}{goal:>9}")
    print("(one process, one core; reports per second over whole rounds of the documents)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
