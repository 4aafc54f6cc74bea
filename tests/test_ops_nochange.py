"""The no-change fast path of `xxgk run --from`: it says "up to date" only where the full run
would change nothing, and ends with the full run's own summary."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import dagster as dg
import pytest

from dagster_project import nochange
from dagster_project.run import run_pipeline
from dagster_project.summary import summary_lines
from scrapers.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures"
EXTRA = FIXTURES / "reports" / "shanghai-general-office-2019.html"

pytestmark = pytest.mark.slow  # the shared warehouse is built by the full run, with dbt


@pytest.fixture()
def warehouse(folder_warehouse):
    """The shared warehouse (conftest.py), put back as it was after each test."""
    try:
        yield folder_warehouse.settings, folder_warehouse.folder
    finally:
        folder_warehouse.restore()


def test_nothing_new_ends_with_the_full_runs_own_summary(warehouse):
    settings, folder = warehouse
    fast = nochange.unchanged_run(settings, folder)
    assert fast is not None and fast.up_to_date
    with dg.instance_for_test() as instance:
        full = run_pipeline(settings, from_dir=str(folder), instance=instance)
    assert full.success and full.up_to_date and not full.dbt_built
    # all but the Dagster run ids and the time
    assert summary_lines(fast)[:-2] == summary_lines(full)[:-2]
    assert "documents: 2 files, 0 new or changed, 2 unchanged, 0 unreadable, 0 too large" in summary_lines(fast)
    # the shared warehouse holds one report that breaks identities: both count it alike
    assert fast.violations == full.violations == 1
    assert summary_lines(fast)[-2] == "dagster runs: none (nothing would change)"


def test_only_files_whose_size_or_mtime_moved_are_hashed(warehouse, monkeypatch):
    import scrapers.load.documents as documents

    settings, folder = warehouse
    hashed = []
    real = documents.sha256_hex
    monkeypatch.setattr(documents, "sha256_hex", lambda body: hashed.append(len(body)) or real(body))
    touched = sorted(folder.iterdir())[0]
    os.utime(touched, ns=(touched.stat().st_atime_ns, touched.stat().st_mtime_ns + 10**9))
    assert nochange.unchanged_run(settings, folder) is not None  # touched, not changed
    assert hashed == [touched.stat().st_size]


def _reason(settings, folder) -> str | None:
    return nochange.would_change(settings, folder)[0]


def test_a_new_file_runs_the_pipeline(warehouse):
    settings, folder = warehouse
    shutil.copy(EXTRA, folder)
    assert _reason(settings, folder) == "the folder holds new or changed files"
    assert nochange.unchanged_run(settings, folder) is None


def test_a_changed_file_of_the_same_size_runs_the_pipeline(warehouse):
    settings, folder = warehouse
    path = sorted(folder.iterdir())[0]
    data = bytearray(path.read_bytes())
    data[-2:] = b"  " if data[-2:] != b"  " else b"\n\n"
    stat = path.stat()
    path.write_bytes(bytes(data))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    assert path.stat().st_size == stat.st_size
    assert _reason(settings, folder) == "the folder holds new or changed files"


def test_an_archive_file_not_loaded_runs_the_pipeline(warehouse, tmp_path):
    from scrapers.archive.local import archive_folder

    settings, folder = warehouse
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(EXTRA, other)
    # archived (by a run that died before loading it), the folder itself unchanged
    assert archive_folder(other, settings.archive).new_versions == 1
    assert _reason(settings, folder) == "1 archive files are not loaded yet"


def test_an_archive_file_left_open_runs_the_pipeline(warehouse):
    settings, folder = warehouse
    (settings.archive / "20260101T000000000000Z-local-dead.warc.gz.open").write_bytes(b"")
    assert _reason(settings, folder).startswith("an archive file was left open")


def test_a_new_parser_version_runs_the_pipeline(warehouse, monkeypatch):
    import scrapers.load.parses as parses

    settings, folder = warehouse
    monkeypatch.setattr(parses, "PARSER_VERSION", parses.PARSER_VERSION + "-next")
    assert _reason(settings, folder) == "2 document versions have no current parse (none of this parser version, or a picture came after it)"


def test_an_office_name_without_its_match_runs_the_pipeline(warehouse):
    from scrapers.load.warehouse import connect

    settings, folder = warehouse
    con = connect(settings.db)
    con.execute("delete from raw.office_matches where rowid = (select min(rowid) from raw.office_matches)")
    con.close()
    assert _reason(settings, folder) == "1 office names would be matched again"


def test_a_build_that_failed_after_the_parses_runs_the_pipeline(warehouse):
    """What a run whose dbt build failed leaves: the new file archived, loaded, parsed and
    matched, and no build recorded for it."""
    from scrapers.load.documents import ingest_folder
    from scrapers.load.parses import IN_PROCESS, parse_pending
    from scrapers.load.warehouse import transaction
    from scrapers.offices import match_offices

    settings, folder = warehouse
    shutil.copy(EXTRA, folder)
    ingest_folder(folder, settings.db, settings.archive)
    assert parse_pending(settings.db, limits=IN_PROCESS).parsed == 1
    with transaction(settings.db) as con:
        match_offices(con)
    assert _reason(settings, folder) == "what dbt reads changed since the last successful build"


def test_no_warehouse_runs_the_pipeline(warehouse, tmp_path):
    settings, folder = warehouse
    assert _reason(Settings.resolve(db=tmp_path / "none.duckdb", env={}), folder) == "no warehouse yet"
