"""A row that takes a whole host from its home page (房山, 顺义, 昌平, 延庆: their 年报 column not
known) on a generated district site (tests/fixtures/portals/fangshan, tests/crawl_hostsite.py):
thousands of news pages one or two links from the home page, the 政府信息公开 → 年报 column three
links down, reports as HTML pages, as pages with a PDF attached and as PDFs a list links.

The site holds more pages than the row's budget (5,000), so the walk always ends at it; these
tests give it a smaller page budget because the walk's order does not depend on the budget: what
is found in the first 250 pages is found in the first 5,000 (``benchmarks/bench_crawl.py
--hostwalk`` walks the row's own budgets).
"""

from __future__ import annotations

import csv
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
import pytest

from crawl_mirror import Mirror, crawl_and_load as crawl
from scrapers.crawl import discover
from scrapers.crawl.fetch import FetchConfig
from scrapers.crawl.portals import read_registry
from scrapers.crawl.priority import LinkHints, read_hints
from scrapers.settings import SEEDS_DIR

CONFIG = FetchConfig(connect_timeout=1.0, read_timeout=1.0, backoff_base=0.01, max_bytes=1_000_000)
PAGE_BUDGET = 250


@pytest.fixture(scope="module")
def site():
    with Mirror(sites=("fangshan",), faults=False) as m:
        yield m


def _registry(m: Mirror, target: Path) -> Path:
    m.write_registry(target, SEEDS_DIR / "portals.csv")
    with open(target, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields, rows = reader.fieldnames, list(reader)
    with open(target, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows({**r, "max_pages": str(PAGE_BUDGET)} for r in rows)
    return target


def _walk(m: Mirror, tmp_path: Path):
    m.reset_log()
    db = tmp_path / "w.duckdb"
    summary = crawl(registry=_registry(m, tmp_path / "portals.csv"), db=db, rate=0, progress=False, config=CONFIG)
    con = duckdb.connect(str(db), read_only=True)
    try:
        docs = con.execute("select title, year_hint, report_url, source_url from raw.documents").fetchall()
    finally:
        con.close()
    return summary, docs, m.requests_to("fangshan")


def _last_report_at(asked: list[str], served: list[dict]) -> int | None:
    """How many requests the walk made up to the one that completed its last report."""
    sources = {r["source"] for r in served}
    at = [i for i, path in enumerate(asked, start=1) if path in sources]
    return at[-1] if len(at) == len(sources) else None


def test_the_home_page_row_keeps_the_budgets_it_is_proved_with():
    row = next(p for p in read_registry() if p.district == "房山" and p.portal == "www.bjfsh.gov.cn")
    assert [s.pattern for s in row.scope] == ["/"] and row.detail_pattern is None
    assert (row.max_depth, row.max_pages) == (5, 5000)


def test_every_report_of_a_whole_host_and_nothing_else_inside_the_budget(site, tmp_path):
    served = site.generated["fangshan"].reports
    summary, docs, asked = _walk(site, tmp_path)

    # every report, each once, from its own source, with its year; no decoy or column page
    assert sorted((t, y) for t, y, _, _ in docs) == sorted((r["title"], r["year"]) for r in served)
    assert {urlsplit(s).path for *_, s in docs} == {r["source"] for r in served}
    assert {r["form"] for r in served} == {"html", "pdf", "file"}
    assert summary.reports_found == len(served)

    # the walk ended at its page budget, with the news it never reached counted, and says how
    # much of it the reports needed
    status = next(iter(summary.portals.values()))
    assert status.budgets["max_pages"] > 0 and len(asked) <= PAGE_BUDGET + 1  # and robots.txt
    assert 0 < status.last_report_page < PAGE_BUDGET // 4
    assert f"last report after {status.last_report_page} of {status.pages} pages" in summary.render()
    assert summary.skipped["decoy"] > 0 and summary.skipped["offsite"] > 0
    assert site.requests_to("offsite") == [] and not any(p.startswith("/search/") for p in asked)
    # the trap is bounded by the depth budget (5 links from the home page)
    assert all(p.count("/") <= 3 + 4 for p in asked if p.startswith("/hdjl/rl/"))

    # best first: nothing but the disclosure tree was fetched before the last report
    last = _last_report_at(asked, served)
    assert last is not None
    before = asked[:last]
    assert [p for p in before if not p.startswith("/zwgk/") and p not in ("/", "/robots.txt")] == []
    assert not any(p.startswith("/zwgk/fdzdgknr/") for p in before)  # the 年报 column outranks its siblings


def test_walked_in_the_order_found_the_budget_goes_to_the_news(site, tmp_path, monkeypatch):
    # with no hints every link scores alike and the walk is breadth-first, as it was before the
    # hints: the news columns one or two links from the home page take the whole budget
    monkeypatch.setattr(discover, "read_hints", lambda: LinkHints((), ()))
    served = site.generated["fangshan"].reports
    summary, docs, asked = _walk(site, tmp_path)
    assert docs == [] and summary.reports_found == 0
    assert _last_report_at(asked, served) is None
    assert sum(p.startswith("/xwzx/") for p in asked) > PAGE_BUDGET // 2


def test_a_link_scores_by_its_words_and_by_the_page_it_is_on():
    hints = read_hints()
    top = hints.top
    home = "https://h/"
    assert hints.own("https://h/zwgk/ndbg/", "政府信息公开年报") == top
    assert hints.own("https://h/zfxxgkzl/zfxxgknb/", "") == top  # the path alone
    assert hints.own("https://h/xwzx/zwyw/", "政务要闻") == 0
    # on the home page (folder /) nothing is below: a news column scores nothing
    assert hints.score("https://h/xwzx/zwyw/", "政务要闻", home, 0) == 0
    # below a scored page's folder a link inherits its score; beside it, one less
    assert hints.score("https://h/zwgk/ndbg/2023/", "2023年", "https://h/zwgk/ndbg/index.html", top) == top
    assert hints.score("https://h/c100279/", "街道", "https://h/c100226/index.html", top) == top - 1
    assert hints.score("https://h/xwzx/zwyw/", "政务要闻", "https://h/zwgk/ndbg/2023/qzf/t1.html", 1) == 0


def test_a_bad_hints_file_is_a_one_line_reason(tmp_path):
    bad = tmp_path / "hints.csv"
    bad.write_text("field,pattern,weight,note\npath,(unclosed,3,x\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"line 2: pattern '\(unclosed' is not a valid regex"):
        read_hints(bad)
    bad.write_text("field,pattern,weight,note\ntext,年报,3,a note, with a comma\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 2: more values than columns"):
        read_hints(bad)
    bad.write_text("field,pattern,weight,note\nanchor,年报,3,x\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 2: needs field text"):
        read_hints(bad)
