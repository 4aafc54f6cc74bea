"""Throughput of extraction and of the full parse, per core, by format, against the bare library.

Reads the real report documents under tests/fixtures (HTML pages, text and Markdown, PDFs,
Word files; anything that is not a full report is skipped, duplicates are counted once),
sniffs their format from content, and adds the renderings of tests/renderings.py (the real
HTML/PDF/text reports written one cell per line, as pipe rows, a grid table…, and into .docx
files). Each format's
documents run round after round in this one process; every figure is the median of several
runs, in reports per second of CPU time (so other jobs on the machine do not count).

The floor is what the bare library does with the same bytes, and the ratio is parse time over
floor time: lxml's parse for HTML, pypdfium2's text extraction for PDF, decode + split into
lines + a number regex for text, a raw walk of word/document.xml for DOCX.

    .venv/bin/python benchmarks/bench_parse.py [--seconds 1] [--runs 5] [--json]

Goals (#10, #14): HTML ≥ 800 reports/s and ≤ 2.5× lxml; text ≥ 400/s and ≤ 10× the floor;
PDF ≥ 30/s and ≤ 1.5× pypdfium2; DOCX ≤ 1.5× the XML walk.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import re
import statistics
import sys
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from scrapers.extract.dispatch import extract_document  # noqa: E402
from scrapers.extract.sniff import sniff_format  # noqa: E402

FIXTURES = REPO / "tests" / "fixtures"
SUFFIXES = {".html", ".htm", ".txt", ".md", ".pdf", ".docx"}
GOALS = {"html": 800, "text": 400, "pdf": 30, "renderings": 400}
MAX_RATIO = {"html": 2.5, "text": 10.0, "pdf": 1.5, "docx": 1.5, "renderings": 10.0}

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


def rendering_documents() -> list[tuple[str, bytes]]:
    """The real reports the renderings harness uses, written by each of its writers."""
    from renderings import WRITERS, blocks
    from test_renderings import SOURCES, source

    docs = []
    for name in SOURCES:
        bs, _ = source(name)
        docs += [(f"{name}.{w}.txt", writer(bs).encode("utf-8")) for w, writer in sorted(WRITERS.items())]
    return docs


def word_documents() -> list[tuple[str, bytes]]:
    """The same reports written into .docx files (the fixtures hold no real Word report)."""
    from renderings import docx_bytes
    from test_renderings import SOURCES, source

    return [(f"{name}.docx", docx_bytes(source(name)[0])) for name in SOURCES]


# --- the bare libraries on the same bytes ---------------------------------------------------

_NUMBER = re.compile(r"\d+")


def floor_html(data: bytes, _name: str) -> None:
    import lxml.html

    lxml.html.document_fromstring(data)


def floor_pdf(data: bytes, _name: str) -> None:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    for page in pdf:
        page.get_textpage().get_text_range()


def floor_text(data: bytes, _name: str) -> None:
    for line in data.decode("utf-8", errors="replace").splitlines():
        _NUMBER.findall(line)


def floor_docx(data: bytes, _name: str) -> None:
    from xml.etree.ElementTree import iterparse

    with zipfile.ZipFile(io.BytesIO(data)) as z, z.open("word/document.xml") as fh:
        for _event, _elem in iterparse(fh):
            pass


FLOORS = {"html": floor_html, "pdf": floor_pdf, "text": floor_text, "docx": floor_docx, "renderings": floor_text}


def rate(work, documents: list[tuple[str, bytes]], seconds: float, runs: int) -> float:
    """The median over `runs` of documents per CPU second of `work`, each run whole rounds of all
    documents for at least seconds/runs."""
    for name, data in documents:  # warm-up: imports, seeds, caches
        work(data, name)
    rates = []
    for _ in range(runs):
        done = 0
        started = time.process_time()
        while True:
            for name, data in documents:
                work(data, name)
            done += len(documents)
            elapsed = time.process_time() - started
            if elapsed >= seconds / runs:
                rates.append(done / elapsed)
                break
    return statistics.median(rates)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=2.5, help="CPU time per measurement (all runs)")
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement; the median is reported")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    from scrapers.parse.report import parse_document

    groups = dict(sorted(report_documents().items()))
    groups["renderings"] = rendering_documents()
    groups.setdefault("docx", []).extend(word_documents())
    results = []
    for fmt, documents in groups.items():
        parse_rate = rate(parse_document, documents, args.seconds, args.runs)
        floor = FLOORS.get(fmt)
        floor_rate = rate(floor, documents, args.seconds, args.runs) if floor else None
        results.append({
            "format": fmt,
            "documents": len(documents),
            "kilobytes": round(sum(len(d) for _n, d in documents) / len(documents) / 1024, 1),
            "extract_per_s": round(rate(extract_document, documents, args.seconds, args.runs), 1),
            "parse_per_s": round(parse_rate, 1),
            "floor_per_s": round(floor_rate, 1) if floor_rate else None,
            "ratio": round(floor_rate / parse_rate, 2) if floor_rate else None,
            "goal_per_s": GOALS.get(fmt),
            "max_ratio": MAX_RATIO.get(fmt),
        })

    if args.json:
        print(json.dumps(results, indent=1))
        return 0
    print(f"{'format':<11}{'docs':>5}{'avg KB':>8}{'extract/s':>11}{'parse/s':>9}{'goal/s':>8}"
          f"{'floor/s':>10}{'ratio':>7}{'max':>6}")
    for row in results:
        goal = "" if row["goal_per_s"] is None else str(row["goal_per_s"])
        floor = "-" if row["floor_per_s"] is None else f"{row['floor_per_s']:.0f}"
        ratio = "-" if row["ratio"] is None else f"{row['ratio']:.1f}x"
        most = "" if row["max_ratio"] is None else f"{row['max_ratio']}x"
        print(f"{row['format']:<11}{row['documents']:>5}{row['kilobytes']:>8}{row['extract_per_s']:>11.1f}"
              f"{row['parse_per_s']:>9.1f}{goal:>8}{floor:>10}{ratio:>7}{most:>6}")
    print(f"(one process, one core; reports per CPU second, median of {args.runs} runs; "
          "ratio = parse time / the bare library's time on the same bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
