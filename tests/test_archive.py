"""The archive: WARC files written by the crawl and by local folders, their index, their
recovery after a kill, and the loader that turns them into the raw tables."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path
from urllib.parse import unquote_to_bytes, urlsplit

import duckdb
import pytest

from crawl_mirror import Mirror
from test_crawl import CONFIG, EXPECTED

from scrapers.archive.index import entries_of_file, index_path, read_index
from scrapers.archive.local import archive_folder
from scrapers.archive.warc import OPEN_SUFFIX, WarcFile, iter_records, recover
from scrapers.crawl.fetch import Attempt, FetchConfig
from scrapers.crawl.portals import Portal
from scrapers.crawl.run import crawl
from scrapers.crawl.store import CrawlStore
from scrapers.load.archives import load_archives, unloaded_files
from scrapers.settings import SEEDS_DIR

REPORTS = Path(__file__).parent / "fixtures" / "reports"
RAW_TABLES = ("fetches", "blobs", "documents", "discovered_offices", "archive_files")


def _rows(db: Path, table: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        columns = [c for (c,) in con.execute(
            "select column_name from information_schema.columns where table_schema = 'raw' and table_name = ?", [table]
        ).fetchall() if c != "loaded_at"]
        return sorted(con.execute(f"select {', '.join(columns)} from raw.{table}").fetchall(), key=repr)
    finally:
        con.close()


def _portal(n: int = 1) -> Portal:
    return Portal(district="东城", district_code="110101", portal=f"测试门户{n}", start_url="http://example.org/",
                  allowed_hosts=frozenset({"example.org"}), row=n)


def _attempt(url: str, body: bytes | None, status: int | None = 200, **kw) -> Attempt:
    headers = {"content-type": "text/html; charset=utf-8", "etag": '"%s"' % hashlib.sha1(body or b"").hexdigest()[:8]}
    return Attempt(request_url=url, final_url=url if status else None, status=status, headers=headers if status else {},
                   body=body, **kw)


# -- the crawl's records ----------------------------------------------------------------------

def test_a_body_fetched_twice_is_stored_once_as_a_revisit(tmp_path):
    archive, db = tmp_path / "archive", tmp_path / "w.duckdb"
    store = CrawlStore(archive)
    page = "<html>同一页</html>".encode()
    store.record_attempt(_attempt("http://example.org/a.html", page), portal=_portal())
    store.record_attempt(_attempt("http://example.org/b.html", page), portal=_portal())
    store.record_attempt(_attempt("http://example.org/c.html", None, status=None, error="timeout", detail="read\nline two"),
                         portal=_portal())
    store.record_attempt(_attempt("http://example.org/robots.txt", None, status=None, error="robots_disallowed"),
                         portal=_portal())
    [warc] = store.close()

    records = list(iter_records(warc))
    kinds = [r.rec_type for r in records]
    assert kinds == ["warcinfo", "response", "request", "revisit", "request", "request", "metadata", "metadata"]
    revisit = records[3]
    digest = hashlib.sha256(page).hexdigest()
    assert revisit.payload_sha256 == digest and revisit.payload is None
    assert revisit.warc_headers.get_header("WARC-Profile").endswith("/revisit/identical-payload-digest")
    assert revisit.warc_headers.get_header("WARC-Refers-To-Target-URI") == "http://example.org/a.html"
    assert revisit.warc_headers.get_header("WARC-Payload-Digest").startswith("sha256:")

    load_archives(archive, db)
    assert _rows(db, "blobs") == [(digest, len(page), page, records[1].date)]
    fetches = {url: (status, sha, error) for url, status, sha, error in duckdb.connect(str(db), read_only=True).execute(
        "select request_url, status, sha256, error from raw.fetches").fetchall()}
    assert fetches == {
        "http://example.org/a.html": (200, digest, None),
        "http://example.org/b.html": (200, digest, None),
        "http://example.org/c.html": (None, None, "timeout: read\nline two"),  # any text survives the header block
        "http://example.org/robots.txt": (None, None, "robots_disallowed"),
    }


def test_a_file_without_its_index_is_indexed_by_reading_it_the_same_way(tmp_path):
    store = CrawlStore(tmp_path)
    store.record_attempt(_attempt("http://example.org/a.html", b"<html>a</html>"), portal=_portal())
    store.record_attempt(_attempt("http://example.org/gone.html", b"not here", status=404, error="http_404"), portal=_portal())
    [warc] = store.close()
    written = read_index(warc)

    index_path(warc).unlink()
    assert read_index(warc) == written
    assert written[1] == entries_of_file(warc) and len(written[1]) == 2
    assert written[0]["sha256"] == hashlib.sha256(warc.read_bytes()).hexdigest()


def test_a_killed_writer_leaves_a_file_cut_after_its_last_whole_record(tmp_path):
    store = CrawlStore(tmp_path / "archive")
    for n in range(5):
        store.record_attempt(_attempt(f"http://example.org/{n}.html", f"<html>{n}</html>".encode() * 50), portal=_portal())
    [warc] = store.close()
    whole = list(iter_records(warc))
    # the same bytes cut inside the last record, as a kill -9 in the middle of a write leaves them
    killed = tmp_path / "killed"
    killed.mkdir()
    cut = killed / ("20260101T000000000000Z-crawl-x" + OPEN_SUFFIX)
    cut.write_bytes(warc.read_bytes()[: whole[-1].offset + whole[-1].length // 2])
    live = WarcFile(killed, "20260101T000000000001Z-crawl-y", {"software": "xxgk"})  # still being written

    assert recover(killed) == [killed / "20260101T000000000000Z-crawl-x.warc.gz"]
    recovered = list(iter_records(killed / "20260101T000000000000Z-crawl-x.warc.gz"))
    assert [r.record_id for r in recovered] == [r.record_id for r in whole[:-1]]
    assert live.open_path.exists()  # a file its writer still holds is left alone
    live.close(keep_empty=True)

    summary = load_archives(killed, tmp_path / "w.duckdb")
    assert summary.files == 2 and not summary.failed


# -- loading ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def mirror():
    with Mirror(faults=False) as m:
        yield m


@pytest.fixture(scope="module")
def crawled(mirror, tmp_path_factory):
    """大兴 and 东城 of the mirror crawled once into an archive."""
    root = tmp_path_factory.mktemp("crawled")
    registry = mirror.write_registry(root / "portals.csv", SEEDS_DIR / "portals.csv")
    summary = crawl(districts=["大兴", "东城"], registry=registry, archive=root / "archive", rate=0, progress=False,
                    config=FetchConfig(**CONFIG))
    return root / "archive", registry, summary


def test_loading_an_archive_twice_changes_nothing(crawled, tmp_path):
    archive, _, summary = crawled
    db = tmp_path / "w.duckdb"
    assert unloaded_files(archive, db) == sorted(summary.files)
    first = load_archives(archive, db)
    assert first.files == len(summary.files) == 2 and first.new_versions == summary.new_versions
    assert unloaded_files(archive, db) == []
    before = {t: _rows(db, t) for t in RAW_TABLES}
    assert {(d, y, o) for d, y, o in duckdb.connect(str(db), read_only=True).execute(
        "select district, year_hint, office_hint from raw.documents").fetchall()} == {
        row[:3] for row in EXPECTED if row[0] in ("大兴", "东城", "崇文")}

    again = load_archives(archive, db)

    assert again.files == 0 and again.already_loaded == 2
    assert {t: _rows(db, t) for t in RAW_TABLES} == before
    # and a warehouse loaded from the same archive elsewhere holds the very same rows, ids included
    other = tmp_path / "other.duckdb"
    load_archives(archive, other)
    assert {t: _rows(other, t) for t in RAW_TABLES} == before
    # in batches of one file each, too
    batched = tmp_path / "batched.duckdb"
    assert load_archives(archive, batched, batch_bytes=1).files == 2
    assert {t: _rows(batched, t) for t in RAW_TABLES} == before


def test_a_refresh_records_304s_that_point_at_the_bodies_held(crawled, mirror, tmp_path):
    archive, registry, first = crawled
    copy = tmp_path / "archive"
    shutil.copytree(archive, copy)
    db = tmp_path / "w.duckdb"
    load_archives(copy, db)
    blobs = _rows(db, "blobs")

    rerun = crawl(districts=["大兴"], registry=registry, archive=copy, rate=0, progress=False, config=FetchConfig(**CONFIG))
    # read back: only what failed before (the oversized attachment) is asked again
    assert rerun.pages_fetched == 0 and rerun.new_versions == 0 and rerun.requests == len(rerun.files) == 1
    again = crawl(districts=["大兴"], registry=registry, archive=copy, rate=0, progress=False, refresh=True,
                  config=FetchConfig(**CONFIG))
    assert again.not_modified > 5 and again.new_versions == 0 and len(again.files) == 1

    loaded = load_archives(copy, db)
    assert loaded.files == 2 and loaded.blobs == 0 and _rows(db, "blobs") == blobs
    con = duckdb.connect(str(db), read_only=True)
    confirmed = con.execute(
        "select count(*), count(b.sha256) from raw.fetches f left join raw.blobs b using (sha256) where f.not_modified"
    ).fetchone()
    assert confirmed == (again.not_modified, again.not_modified)


# -- local folders (#17) ------------------------------------------------------------------------

def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    for name in sorted(os.listdir(REPORTS))[:2]:
        shutil.copy(REPORTS / name, folder / name)
    return folder


def test_a_file_name_that_is_not_utf8_is_stored_losslessly(tmp_path):
    folder = _folder(tmp_path)
    raw_name = "北京市2023年报告".encode("gb18030") + b".txt"  # GBK bytes: not UTF-8
    (folder / os.fsdecode(raw_name)).write_bytes((REPORTS / sorted(os.listdir(REPORTS))[0]).read_bytes() + b"\n")
    db = tmp_path / "w.duckdb"

    summary = archive_folder(folder, tmp_path / "archive")
    load_archives(tmp_path / "archive", db)

    assert summary.new_versions == 3 and not summary.skipped
    urls = [u for (u,) in duckdb.connect(str(db), read_only=True).execute("select report_url from raw.documents").fetchall()]
    [odd] = [u for u in urls if "%" in u]
    assert unquote_to_bytes(urlsplit(odd).path) == os.fsencode(folder) + b"/" + raw_name


def test_symlinks_out_of_the_folder_fifos_and_unreadable_files_cost_only_themselves(tmp_path, monkeypatch):
    import scrapers.archive.local as local

    folder = _folder(tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("PASSWORD=hunter2 不应入库", encoding="utf-8")
    (folder / "leak.txt").symlink_to(secret)
    (folder / "inside.txt").symlink_to(folder / sorted(os.listdir(REPORTS))[0])
    os.mkfifo(folder / "pipe.txt")
    (folder / "bad.pdf").write_bytes(b"%PDF-1.4 unreadable")
    real_read = local._read

    def read(target, limit):
        if target.name == "bad.pdf":
            raise PermissionError(13, "Permission denied")
        return real_read(target, limit)

    monkeypatch.setattr(local, "_read", read)
    db = tmp_path / "w.duckdb"

    summary = archive_folder(folder, tmp_path / "archive")
    load_archives(tmp_path / "archive", db)

    lines = "\n".join(summary.skipped)
    assert "leak.txt: a symlink to" in lines and "outside the folder; refused" in lines
    assert "pipe.txt: a FIFO; skipped" in lines
    assert "bad.pdf: cannot be read (Permission denied)" in lines
    assert summary.unreadable == 1 and summary.new_versions == 2  # the two reports; the inside link is one of them
    blobs = [body for (body,) in duckdb.connect(str(db), read_only=True).execute("select body from raw.blobs").fetchall()]
    assert len(blobs) == 2 and not any(b"hunter2" in bytes(b) for b in blobs)


def test_a_folder_with_nothing_new_writes_nothing_and_reads_no_file(tmp_path, monkeypatch):
    import scrapers.archive.local as local

    folder, archive, db = _folder(tmp_path), tmp_path / "archive", tmp_path / "w.duckdb"
    archive_folder(folder, archive)
    load_archives(archive, db)
    files = sorted(archive.iterdir())

    def no_read(target, limit):
        raise AssertionError(f"{target} read again")

    with monkeypatch.context() as mp:
        mp.setattr(local, "_read", no_read)
        again = archive_folder(folder, archive)
    assert again.counts() == {"files": 2, "new_versions": 0, "unchanged": 2, "unreadable": 0, "too_large": 0}
    assert sorted(archive.iterdir()) == files and load_archives(archive, db).files == 0

    # touched but the same bytes: hashed, still unchanged; changed bytes: a new version
    first, second = sorted(folder.iterdir())
    os.utime(first, ns=(1, 1))
    second.write_bytes(second.read_bytes() + "\n（更正）".encode())
    later = archive_folder(folder, archive)
    assert (later.unchanged, later.new_versions) == (1, 1)
    assert load_archives(archive, db).new_versions == 1
    versions = duckdb.connect(str(db), read_only=True).execute(
        "select count(*) from raw.documents where report_url = ?", [second.as_uri()]).fetchone()[0]
    assert versions == 2


def test_the_inbox_fingerprint_takes_the_same_files_and_any_name(tmp_path):
    from dagster_project.sensors import folder_fingerprint

    folder = _folder(tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    os.mkfifo(empty / "pipe.txt")
    assert folder_fingerprint(empty) is None  # a FIFO is no report (and is not opened)
    before = folder_fingerprint(folder)
    (folder / os.fsdecode(b"\xb1\xa8\xb8\xe6.txt")).write_bytes(b"x")

    after = folder_fingerprint(folder)
    assert after and after != before


def test_a_corrupt_archive_file_costs_only_itself(crawled, tmp_path):
    archive, _, summary = crawled
    copy = tmp_path / "archive"
    shutil.copytree(archive, copy)
    (copy / "00000000T000000000000Z-crawl-broken.warc.gz").write_bytes(b"\x1f\x8b not a gzip member at all")

    loaded = load_archives(copy, tmp_path / "w.duckdb")

    assert loaded.files == 2 and loaded.new_versions == summary.new_versions
    assert len(loaded.failed) == 1 and loaded.failed[0].startswith("00000000T000000000000Z-crawl-broken.warc.gz: ")
