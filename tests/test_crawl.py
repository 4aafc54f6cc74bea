"""The crawler end to end against the recorded mirror of three portal shapes (tests/fixtures/portals).

The mirror serves 东城 (TRS, createPageHTML paging, year and category sub-columns, back years),
西城 (parametric pages enumerated per office and year, pre-2019 back catalogue), 大兴 (reports
as PDF/DOCX attachments, ?page= lists with 下一页/尾页) and 朝阳 (one flat column of opaque hex ids,
years only in titles; see test_crawl_chaoyang.py) from the rows of seeds/portals.csv, with
decoys and injected faults. Nothing here touches the internet.
"""

from __future__ import annotations

import argparse
import hashlib
import socket
from collections import Counter
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from crawl_mirror import SITES, Mirror, crawl_and_load
from scrapers.crawl.fetch import FetchConfig
from scrapers.crawl.run import crawl_from_cli
from scrapers.crawl.store import CrawlStore
from scrapers.load.archives import load_archives
from scrapers.settings import SEEDS_DIR

# Every report the mirror holds: (district of the office, year, office as normalised, source file type).
EXPECTED = {
    ("东城", 2023, "区人民政府", "html"),
    ("东城", 2023, "城市管理委员会", "html"),
    ("东城", 2023, "文化和旅游局", "html"),
    ("东城", 2023, "东华门街道", "html"),
    ("东城", 2023, "景山街道", "html"),  # behind a 429 with Retry-After
    ("东城", 2023, "交道口街道", "html"),  # behind a timeout
    ("东城", 2023, "东四街道", "html"),  # GBK bytes declared UTF-8
    ("东城", 2023, "朝阳门街道", "html"),  # on list page 3 of createPageHTML
    ("东城", 2023, "建国门街道", "html"),
    ("东城", 2022, "和平里街道", "html"),
    ("东城", 2022, "天坛街道", "html"),
    ("东城", 2009, "审计局", "html"),  # back year, re-posted in 2023
    ("崇文", 2009, "天坛街道", "html"),  # before 崇文 merged into 东城
    ("西城", 2025, "金融街街道", "html"),
    ("西城", 2024, "金融街街道", "html"),  # not linked: enumerated
    ("西城", 2023, "金融街街道", "html"),
    ("西城", 2025, "什刹海街道", "html"),  # behind a connection reset
    ("西城", 2022, "什刹海街道", "html"),
    ("西城", 2025, "政务服务管理局", "html"),
    ("西城", 2018, "西长安街街道", "html"),  # org id only in the registry
    ("西城", 2008, "什刹海街道", "html"),
    ("宣武", 2009, "大栅栏街道", "html"),  # found on 西城's portal, office of 宣武区
    ("大兴", 2019, "亦庄地区", "docx"),  # .pdf and .docx attached (the .docx truncated once)
    ("大兴", 2019, "榆垡镇", "docx"),  # its other attachment is oversized
    ("大兴", 2019, "天宫院街道", "pdf"),
    ("大兴", 2019, "长子营镇", "pdf"),  # the list links the PDF itself
    ("大兴", 2019, "发展和改革委员会", "docx"),
    ("大兴", 2018, "长子营镇", "html"),  # inline report with a PDF copy attached
    # 朝阳: opaque hex ids, the year only in titles (first or last), a script-only pager
    ("朝阳", 2025, "朝外街道", "html"),
    ("朝阳", 2024, "区人民政府", "html"),
    ("朝阳", 2023, "麦子店街道", "html"),  # on list page 1 of 3
    ("朝阳", 2021, "将台地区", "html"),  # year first: "2021年北京市朝阳区将台地区办事处…"
    ("朝阳", 2019, "审计局", "html"),
    ("朝阳", 2017, "区人民政府", "html"),  # "2017年北京市朝阳区政府信息公开工作年度报告"
    ("朝阳", 2016, "审计局", "html"),
    ("朝阳", 2014, "东湖街道办事处筹备处", "html"),  # a 筹备处 is its own body
}
DECOY_WORDS = ("要点", "指南", "目录", "说明", "图解")

CONFIG = dict(connect_timeout=1.0, read_timeout=0.5, backoff_base=0.01, max_bytes=1_000_000, retry_after_cap=2.0)


def _config() -> FetchConfig:
    return FetchConfig(**CONFIG)


crawl = crawl_and_load


@pytest.fixture()
def mirror():
    with Mirror() as m:
        yield m


@pytest.fixture()
def calm_mirror():
    with Mirror(faults=False) as m:
        yield m


def _registry(m: Mirror, tmp_path: Path) -> Path:
    return m.write_registry(tmp_path / "portals.csv", SEEDS_DIR / "portals.csv")


def _documents(db: Path) -> set[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("select district, year_hint, office_hint, source_url from raw.documents").fetchall()
    finally:
        con.close()
    kinds = {".docx": "docx", ".pdf": "pdf"}
    return {(d, y, o, next((k for ext, k in kinds.items() if s.endswith(ext)), "html")) for d, y, o, s in rows}


def _query(db: Path, sql: str, params=()) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def test_finds_every_report_and_no_decoy_despite_faults(mirror, tmp_path):
    db = tmp_path / "w.duckdb"
    summary = crawl(registry=_registry(mirror, tmp_path), db=db, rate=0, progress=False, config=_config())

    assert _documents(db) == EXPECTED
    titles = [t for (t,) in _query(db, "select title from raw.documents")]
    assert not [t for t in titles if any(w in t for w in DECOY_WORDS)]
    assert summary.reports_found == len(EXPECTED) == summary.new_versions
    assert summary.reports["西城"] == {2025: 3, 2024: 1, 2023: 1, 2022: 1, 2018: 1, 2008: 1}

    # every injected fault is counted, under its own reason
    assert summary.retried == {"http_500": 2, "http_429": 1, "timeout": 1, "connection": 1, "truncated": 2}
    assert summary.failures == {"too_large": 1, "redirect_loop": 1, "robots_disallowed": 1}
    assert summary.skipped["offsite"] > 0 and summary.skipped["decoy"] >= 5
    assert mirror.requests_to("offsite") == []
    assert all(s.reachable for s in summary.portals.values())

    # the GBK page declared UTF-8 was read as GB18030, its title intact
    rows = _query(db, "select charset from raw.fetches where request_url like '%t20240117_3500104.html' and status = 200")
    assert rows == [("gb18030",)]
    assert ("北京市东城区人民政府东四街道办事处2023年政府信息公开工作年度报告",) in _query(db, "select title from raw.documents")

    # Retry-After: 1 was honoured before the second attempt
    times = [t for (t,) in _query(db, "select fetched_at from raw.fetches where request_url like '%t20240116_3500102.html' order by fetched_at")]
    assert len(times) == 2 and times[1] - times[0] >= timedelta(seconds=0.9)

    # every failure is in raw.fetches with its reason; the oversized body was not kept
    errors = dict(_query(db, "select split_part(error, ':', 1), count(*) from raw.fetches where error is not null group by 1"))
    assert errors["too_large"] == 1 and errors["redirect_loop"] == 1 and errors["http_500"] == 2
    assert _query(db, "select max(size) from raw.blobs")[0][0] < 1_000_000

    # every office is in the registry (东城's 文化和旅游局 since the 2019 departments were added);
    # an office the registry lacks is flagged in test_crawl_real_shapes.py
    assert _query(db, "select district, normalised_name from raw.discovered_offices") == []


def test_rerun_fetches_only_what_failed_and_adds_no_copy(mirror, tmp_path):
    db = tmp_path / "w.duckdb"
    registry = _registry(mirror, tmp_path)
    crawl(registry=registry, db=db, rate=0, progress=False, config=_config())
    before = _query(db, "select count(*) from raw.documents")[0][0], _query(db, "select count(*) from raw.blobs")[0][0]
    mirror.reset_log()

    again = crawl(registry=registry, db=db, rate=0, progress=False, config=_config())

    assert again.pages_fetched == 0 and again.new_versions == 0
    assert all(s.reachable is None and "not contacted" in s.message for s in again.portals.values())
    assert again.reports_found == len(EXPECTED)
    assert _documents(db) == EXPECTED
    assert (_query(db, "select count(*) from raw.documents")[0][0], _query(db, "select count(*) from raw.blobs")[0][0]) == before
    # only what never succeeded is asked again: the redirect loop and the oversized file
    asked = {path for site in SITES for path in mirror.requests_to(site)}
    assert asked == {"/zfxxgkzl/zfxxgknb/old/index.html", "/zfxxgkzl/zfxxgknb/old/index2.html",
                     "/bjsdxqrmzf/zwfw/zfxxgk/dxqzf69/2019n/xzjd13/730972/P020200121s.pdf"}


def test_refresh_asks_conditionally_and_keeps_changed_reports_as_new_versions(calm_mirror, tmp_path):
    db = tmp_path / "w.duckdb"
    registry = _registry(calm_mirror, tmp_path)
    crawl(districts=["东城"], registry=registry, db=db, rate=0, progress=False, config=_config())
    page = calm_mirror.root / "dongcheng" / "zfxxgkzl/zfxxgknb/2023nb/dcqjd2023/202401/t20240116_3500101.html"
    changed = page.read_bytes().replace("坚持以公开为常态".encode(), "坚持以公开为常态（修订）".encode())
    calm_mirror.overrides["dongcheng", "/zfxxgkzl/zfxxgknb/2023nb/dcqjd2023/202401/t20240116_3500101.html"] = changed

    again = crawl(districts=["东城"], registry=registry, db=db, rate=0, progress=False, refresh=True, config=_config())

    assert again.not_modified > 10  # unchanged pages answered 304 to If-None-Match
    assert again.new_versions == 1
    versions = _query(db, "select count(*), count(distinct sha256) from raw.documents where report_url like '%t20240116_3500101.html'")
    assert versions == [(2, 2)]
    assert _query(db, "select count(*) from raw.fetches where not_modified")[0][0] == again.not_modified


class Killed(BaseException):
    """Stands for the process dying: not an error the crawler may catch."""


def test_killed_crawl_rerun_ends_with_the_same_raw_data(calm_mirror, tmp_path, monkeypatch):
    registry = _registry(calm_mirror, tmp_path)
    whole, interrupted = tmp_path / "whole.duckdb", tmp_path / "interrupted.duckdb"
    archive = tmp_path / "interrupted-archive"
    crawl(registry=registry, db=whole, archive=tmp_path / "whole-archive", rate=0, progress=False, config=_config())

    original = CrawlStore.record_attempt
    calls = {"n": 0}

    def dying(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] > 40:
            raise Killed()
        return original(self, *args, **kwargs)

    monkeypatch.setattr(CrawlStore, "record_attempt", dying)
    with pytest.raises(Killed):
        crawl(registry=registry, db=interrupted, archive=archive, rate=0, progress=False, config=_config())
    monkeypatch.setattr(CrawlStore, "record_attempt", original)
    load_archives(archive, interrupted)
    kept = {u for (u,) in _query(interrupted, "select request_url from raw.fetches where status = 200 and error is null")}
    assert 0 < len(kept) < 40
    calm_mirror.reset_log()

    crawl(registry=registry, db=interrupted, archive=archive, rate=0, progress=False, config=_config())

    # the rerun asked for nothing the killed crawl had kept
    asked = {calm_mirror.base(site) + path for site in SITES for path in calm_mirror.requests_to(site)}
    assert asked and not asked & kept
    same = [
        "select report_url, source_url, sha256, district, year_hint, office_hint, title from raw.documents",
        "select sha256, size from raw.blobs",
        "select request_url, final_url, status, sha256 from raw.fetches where status is not null and error is null",
    ]
    for sql in same:
        assert set(_query(interrupted, sql)) == set(_query(whole, sql)), sql
        assert len(_query(interrupted, sql)) == len(_query(whole, sql)), sql


def test_years_select_sub_columns_and_enumeration(calm_mirror, tmp_path):
    db = tmp_path / "w.duckdb"
    summary = crawl(years=[2009], registry=_registry(calm_mirror, tmp_path), db=db, rate=0, progress=False, config=_config())

    assert _documents(db) == {row for row in EXPECTED if row[1] == 2009}
    asked = calm_mirror.requests_to("dongcheng") + calm_mirror.requests_to("xicheng")
    assert not [p for p in asked if "/2023nb/" in p or "/2022nb/" in p or "nfpv2025" in p]
    assert summary.reports == {"东城": {2009: 1}, "崇文": {2009: 1}, "宣武": {2009: 1}}


def _closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def test_unreachable_portal_ends_in_a_message_per_portal(calm_mirror, tmp_path, capsys, monkeypatch):
    import scrapers.crawl.run as run

    monkeypatch.setattr(run, "FetchConfig", _config)  # the CLI's defaults, with test-sized timeouts
    registry = _registry(calm_mirror, tmp_path)
    dead = f"127.0.0.1:{_closed_port()}"
    with open(registry, "a", encoding="utf-8") as fh:
        fh.write(f"顺义,110113,{dead},http://{dead}/gongkai/zfxxgk/zfxxgknb/,{dead},unreachable on purpose,,,,,,,\n")
    args = argparse.Namespace(district=["顺义", "大兴"], year=[], registry=str(registry), db=str(tmp_path / "w.duckdb"),
                              refresh=False, rate=0.0)

    assert crawl_from_cli(args) == 0

    out, err = capsys.readouterr()
    assert "[顺义" in err and "UNREACHABLE" in err and "connection" in err
    assert "[大兴" in err and "done:" in err
    assert "reports found 6" in out
    load_archives(None, tmp_path / "w.duckdb")
    rows = _query(tmp_path / "w.duckdb", "select error from raw.fetches where request_url like ?", [f"http://{dead}/%"])
    assert rows and all(e.startswith(("connection", "host_unreachable")) for (e,) in rows)


KILLED_CRAWL = """
import sys
from scrapers.crawl.fetch import FetchConfig
from scrapers.crawl.run import crawl
crawl(registry=sys.argv[1], db=sys.argv[2], archive=sys.argv[3], rate=25, progress=False,
      config=FetchConfig(connect_timeout=1.0, read_timeout=0.5, backoff_base=0.01, max_bytes=1_000_000))
"""


def test_process_killed_with_sigkill_loses_nothing_committed(calm_mirror, tmp_path):
    """Regression guard for the real thing: kill -9 midway leaves an open WARC file, which the rerun
    cuts after its last whole record and resumes from; it ends with the same raw data."""
    import os
    import signal
    import subprocess
    import sys
    import time

    registry = _registry(calm_mirror, tmp_path)
    whole, killed = tmp_path / "whole.duckdb", tmp_path / "killed.duckdb"
    archive = tmp_path / "killed-archive"
    crawl(registry=registry, db=whole, archive=tmp_path / "whole-archive", rate=0, progress=False, config=_config())
    calm_mirror.reset_log()

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    child = subprocess.Popen([sys.executable, "-c", KILLED_CRAWL, str(registry), str(killed), str(archive)], env=env)
    deadline = time.monotonic() + 20
    while len(calm_mirror.requests_to("dongcheng")) < 15 and time.monotonic() < deadline:
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL
    first = sum(len(calm_mirror.requests_to(site)) for site in SITES)
    assert first < 100  # it really was cut short
    assert list(archive.glob("*.warc.gz.open"))  # and left its files unclosed

    calm_mirror.reset_log()
    crawl(registry=registry, db=killed, archive=archive, rate=0, progress=False, config=_config())

    for sql in (
        "select report_url, source_url, sha256, district, year_hint, office_hint, title from raw.documents",
        "select sha256, size from raw.blobs",
        "select request_url, final_url, status, sha256 from raw.fetches where status is not null and error is null",
    ):
        assert sorted(_query(killed, sql)) == sorted(_query(whole, sql)), sql


def test_start_points_sharing_a_column_fetch_each_page_once(calm_mirror, tmp_path):
    """Like the municipal aggregator rows of 房山, 顺义, 昌平 and 延庆: one column, a title filter each."""
    import csv

    registry = _registry(calm_mirror, tmp_path)
    with open(registry, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields, rows = reader.fieldnames, [r for r in reader if r["district"] == "东城"]
    rows = [{**rows[0], "title_filter": "东华门"}, {**rows[0], "title_filter": "景山"}]
    with open(registry, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    db = tmp_path / "w.duckdb"

    summary = crawl(registry=registry, db=db, rate=0, progress=False, config=_config())

    assert _documents(db) == {("东城", 2023, "东华门街道", "html"), ("东城", 2023, "景山街道", "html")}
    asked = calm_mirror.requests_to("dongcheng")
    assert len(asked) == len(set(asked))
    assert [s.reports for s in summary.portals.values()] == [1, 1]


def test_a_later_crawl_asks_for_list_pages_again_and_finds_new_reports(calm_mirror, tmp_path):
    """Regression: a scheduled crawl replayed every list page from the warehouse, so it never
    saw a report published after the first crawl."""
    db = tmp_path / "w.duckdb"
    registry = _registry(calm_mirror, tmp_path)
    first = crawl(districts=["东城"], registry=registry, db=db, rate=0, progress=False, config=_config())
    column = "zfxxgkzl/zfxxgknb/2023nb/dcqjd2023"
    listing = (calm_mirror.root / "dongcheng" / column / "index.html").read_text(encoding="utf-8")
    report = (calm_mirror.root / "dongcheng" / column / "202401" / "t20240116_3500101.html").read_text(encoding="utf-8")
    new_title = "北京市东城区人民政府和平里街道办事处2023年政府信息公开工作年度报告"
    calm_mirror.overrides["dongcheng", f"/{column}/index.html"] = listing.replace(
        '<ul class="list">', f'<ul class="list"><li><a href="./202402/t20240220_3600001.html" title="{new_title}">{new_title}</a></li>'
    ).encode()
    calm_mirror.overrides["dongcheng", f"/{column}/202402/t20240220_3600001.html"] = report.replace("东华门街道", "和平里街道").encode()

    # within the freshness window (a rerun after a crash) the lists are read back
    rerun = crawl(districts=["东城"], registry=registry, db=db, rate=0, progress=False, config=_config())
    assert rerun.new_versions == 0 and rerun.pages_fetched == 0

    later = crawl(districts=["东城"], registry=registry, db=db, rate=0, progress=False, config=_config(),
                  list_max_age=timedelta(0))
    assert later.new_versions == 1
    assert later.reports_found == first.reports_found + 1
    assert _query(db, "select count(*) from raw.documents where title = ?", [new_title]) == [(1,)]


def test_a_304_without_a_stored_copy_is_a_failure_never_an_empty_version(calm_mirror, tmp_path):
    """A server that answers 304 to a request that carried no validators leaves nothing to
    stand for the page: the URL fails as not_modified_without_copy, no report is made of an
    empty body, and the next crawl asks for the page again and gets the report."""
    db = tmp_path / "w.duckdb"
    registry = _registry(calm_mirror, tmp_path)
    path = "/zfxxgkzl/zfxxgknb/2023nb/dcqjd2023/202401/t20240116_3500101.html"
    calm_mirror.faults_on = True
    calm_mirror.specs["dongcheng"] = {**calm_mirror.specs["dongcheng"], "faults": {path: ["304"]}}

    first = crawl(districts=["东城"], registry=registry, db=db, rate=0, progress=False, config=_config())

    assert first.failures["not_modified_without_copy"] == 1
    assert calm_mirror.hits["dongcheng", path] == 1  # a 304 is an answer, not a fault to retry
    assert _query(db, "select count(*) from raw.documents where report_url like ?", [f"%{path}"]) == [(0,)]
    assert _query(db, "select status, not_modified, sha256 from raw.fetches where request_url like ?", [f"%{path}"]) \
        == [(304, True, None)]
    empty = hashlib.sha256(b"").hexdigest()
    assert _query(db, "select count(*) from raw.documents where sha256 = ?", [empty]) == [(0,)]

    again = crawl(districts=["东城"], registry=registry, db=db, rate=0, progress=False, config=_config())

    assert again.failures == first.failures - Counter(not_modified_without_copy=1) and again.new_versions == 1
    assert calm_mirror.hits["dongcheng", path] == 2
    assert _query(db, "select count(*) from raw.documents where report_url like ?", [f"%{path}"]) == [(1,)]
