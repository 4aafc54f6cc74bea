"""Throughput of extraction and of the full parse, per core, by format, against the bare library.

Reads the real report documents under tests/fixtures (HTML pages, text and Markdown, PDFs,
Word files; anything that is not a full report is skipped, duplicates are counted once),
sniffs their format from content, and adds the renderings of tests/renderings.py (the real
HTML/PDF/text reports written one cell per line, as pipe rows, a grid table…, and into .docx
files). Each format's
documents run round after round in this one process; every figure is the median of several
runs, in reports per second of CPU time (so other jobs on the machine do not count).

The floor is the bare library doing the same work as our extractor, on the same bytes: for
HTML, lxml's parse with every table cell's text collected into rows and the text outside
tables; for PDF, pypdfium2's text of each page and every character's box (what the grid places
characters by); for text, decode + split into lines + a number regex; for DOCX, a raw walk of
word/document.xml to paragraph and cell texts; for .doc (Word 97–2003), olefile opening the
compound file and reading the streams the reader reads, with the text decoded (no Python library
reads the Word inside further: what it costs beyond that is ours). Two ratios are printed: extraction alone over the
floor, and the full parse (extraction, tables, identities, year and office, pre-2019 statements)
over the floor. Each run times the floor, the extraction and the parse one after the other, and
a ratio is the median of the runs' own ratios, so a machine whose load changes between runs
still compares like with like. `--seconds` is the CPU time of each of the three.

    .venv/bin/python benchmarks/bench_parse.py [--seconds 1] [--runs 5] [--json] [--formats html text]

Goals (#10, #14), as full-parse ratios: HTML ≥ 800 reports/s and ≤ 2.5× its floor; text ≥ 400/s
and ≤ 10×; PDF ≥ 30/s and ≤ 1.5×; DOCX ≤ 1.5×; renderings ≥ 400/s.
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
SUFFIXES = {".html", ".htm", ".txt", ".md", ".pdf", ".docx", ".doc"}
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
    from renderings import WRITERS
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
# Each floor is the least work the bare library needs to yield what our extractor yields (the
# cells of every table row, and the text outside them), written the way its users write it.

_NUMBER = re.compile(r"\d+")


def floor_html(data: bytes, _name: str) -> None:
    """lxml's parse, every table row's cell texts, and the text outside tables."""
    from lxml import etree

    root = etree.fromstring(data, etree.HTMLParser())
    if root is None:
        return
    [[" ".join(td.itertext()) for td in tr if td.tag in ("td", "th")] for tr in root.iter("tr")]
    root.xpath("//text()[not(ancestor::table)]")


def floor_pdf(data: bytes, _name: str) -> None:
    """pypdfium2's text of each page in one call, and each character's box (the grid places
    every character by it): one pdfium call per character, none fewer exists."""
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    pdf = pdfium.PdfDocument(data)
    box = pdfium_c.FS_RECTF()
    box_ref = ctypes.byref(box)
    loose_box = pdfium_c.FPDFText_GetLooseCharBox
    for page in pdf:
        textpage = page.get_textpage()
        textpage.get_text_range()
        raw = textpage.raw
        [(box.left, box.top, box.right, box.bottom) for i in range(textpage.count_chars()) if loose_box(raw, i, box_ref)]
        textpage.close()
        page.close()
    pdf.close()


def floor_text(data: bytes, _name: str) -> None:
    """Decode, split into lines, and find the numbers of each."""
    for line in data.decode("utf-8", errors="replace").splitlines():
        _NUMBER.findall(line)


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def floor_docx(data: bytes, _name: str) -> None:
    """A raw walk of word/document.xml: each paragraph's text and each table row's cell texts."""
    from xml.etree.ElementTree import iterparse

    rows: list[list[str]] = []
    cells: list[str] = []
    texts: list[str] = []
    tables = 0
    with zipfile.ZipFile(io.BytesIO(data)) as z, z.open("word/document.xml") as fh:
        for event, elem in iterparse(fh, events=("start", "end")):
            tag = elem.tag
            if event == "start":
                tables += tag == _W + "tbl"
            elif tag == _W + "t":
                texts.append(elem.text or "")
            elif tag == _W + "p" and not tables:
                rows.append(["".join(texts)])
                texts = []
            elif tag == _W + "tc":
                cells.append("".join(texts))
                texts = []
            elif tag == _W + "tr":
                rows.append(cells)
                cells = []
            elif tag == _W + "tbl":
                tables -= 1


def floor_doc(data: bytes, _name: str) -> None:
    """olefile opens the compound file and reads the Word, table and data streams; the Word
    stream's text decoded as UTF-16 (the encoding of a Chinese report's pieces)."""
    import olefile

    with olefile.OleFileIO(io.BytesIO(data)) as ole:
        word = ole.openstream("WordDocument").read()
        for name in ("1Table", "Data"):
            if ole.exists(name):
                ole.openstream(name).read()
    word[1024:].decode("utf-16-le", errors="replace")


FLOORS = {"html": floor_html, "pdf": floor_pdf, "text": floor_text, "docx": floor_docx, "doc": floor_doc,
          "renderings": floor_text}


def _rounds(work, documents: list[tuple[str, bytes]], seconds: float) -> float:
    """Documents per CPU second of `work` over whole rounds of all documents lasting at least `seconds`."""
    done = 0
    started = time.process_time()
    while True:
        for name, data in documents:
            work(data, name)
        done += len(documents)
        elapsed = time.process_time() - started
        if elapsed >= seconds:
            return done / elapsed


def measure(works: dict, documents: list[tuple[str, bytes]], seconds: float, runs: int) -> dict[str, list[float]]:
    """Each work's rate in every run. A run times the works one after the other, so the floor
    and our code meet the same load on a shared machine and each run's ratio is a fair one."""
    for work in works.values():  # warm-up: imports, seeds, caches
        for name, data in documents:
            work(data, name)
    rates: dict[str, list[float]] = {key: [] for key in works}
    for _ in range(runs):
        for key, work in works.items():
            rates[key].append(_rounds(work, documents, seconds / runs / len(works)))
    return rates


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=2.5, help="CPU time of each measurement, over all its runs")
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement; the median is reported")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--formats", nargs="+", metavar="FORMAT",
                        help="only these formats (html, text, pdf, docx, doc, renderings); all by default")
    args = parser.parse_args(argv)

    from scrapers.parse.report import parse_document

    groups = dict(sorted(report_documents().items()))
    wanted = set(args.formats or [*groups, "renderings", "docx"])
    if "renderings" in wanted:
        groups["renderings"] = rendering_documents()
    if "docx" in wanted:
        groups.setdefault("docx", []).extend(word_documents())
    groups = {fmt: docs for fmt, docs in groups.items() if fmt in wanted}
    results = []
    for fmt, documents in groups.items():
        floor = FLOORS.get(fmt)
        works = {"extract": extract_document, "parse": parse_document, **({"floor": floor} if floor else {})}
        rates = measure(works, documents, args.seconds * len(works), args.runs)
        floor_rate = statistics.median(rates["floor"]) if floor else None
        extract_rate = statistics.median(rates["extract"])
        parse_rate = statistics.median(rates["parse"])

        def ratio(key):
            # the median of each run's own ratio: robust to the load changing between runs
            return round(statistics.median(f / r for f, r in zip(rates["floor"], rates[key])), 2) if floor else None

        results.append({
            "format": fmt,
            "documents": len(documents),
            "kilobytes": round(sum(len(d) for _n, d in documents) / len(documents) / 1024, 1),
            "floor_per_s": round(floor_rate, 1) if floor_rate else None,
            "extract_per_s": round(extract_rate, 1),
            "extract_ratio": ratio("extract"),
            "parse_per_s": round(parse_rate, 1),
            "ratio": ratio("parse"),
            "goal_per_s": GOALS.get(fmt),
            "max_ratio": MAX_RATIO.get(fmt),
        })

    if args.json:
        print(json.dumps(results, indent=1))
        return 0
    print(f"{'format':<11}{'docs':>5}{'avg KB':>8}{'floor/s':>9}{'extract/s':>11}{'ratio':>7}"
          f"{'parse/s':>9}{'ratio':>7}{'goal/s':>8}{'max':>6}")
    for row in results:
        goal = "" if row["goal_per_s"] is None else str(row["goal_per_s"])
        floor = "-" if row["floor_per_s"] is None else f"{row['floor_per_s']:.0f}"
        most = "" if row["max_ratio"] is None else f"{row['max_ratio']}x"

        def times(value):
            return "-" if value is None else f"{value:.1f}x"

        print(f"{row['format']:<11}{row['documents']:>5}{row['kilobytes']:>8}{floor:>9}{row['extract_per_s']:>11.1f}"
              f"{times(row['extract_ratio']):>7}{row['parse_per_s']:>9.1f}{times(row['ratio']):>7}{goal:>8}{most:>6}")
    print(f"(one process, one core; reports per CPU second, median of {args.runs} runs; ratio = our time / "
          "the floor's time on the same bytes, the median of each run's own ratio (a run times the floor, "
          "the extraction and the full parse one after the other))")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
