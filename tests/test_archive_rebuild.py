"""The warehouse is derived data: deleted, it is rebuilt from the archive alone, mart for mart."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from crawl_mirror import Mirror
from test_crawl import CONFIG

from dagster_project.cli import main
from dagster_project.run import run_pipeline
from scrapers.crawl.fetch import FetchConfig
from scrapers.crawl.run import crawl
from scrapers.settings import SEEDS_DIR

pytestmark = pytest.mark.slow

REPORTS = Path(__file__).parent / "fixtures" / "reports"
# when the parse ran: the one thing a rebuild cannot give back (version_key hashes it)
PARSE_TIME = {"parsed_at", "version_key"}


def marts_hash(db: Path) -> dict[str, str]:
    """Per mart, a hash of its rows in a stable order (every column but the parse time)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        for (table,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
        ).fetchall():
            columns = [f'"{c}"' for (c,) in con.execute(
                "select column_name from information_schema.columns where table_schema = 'marts' and table_name = ? "
                "order by ordinal_position", [table]).fetchall() if c not in PARSE_TIME]
            rows = sorted(map(repr, con.execute(f'select {", ".join(columns)} from marts."{table}"').fetchall()))
            out[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
        return out
    finally:
        con.close()


def test_deleted_warehouse_rebuilt_from_the_archive_has_the_same_marts(tmp_path, monkeypatch, capsys):
    db, archive = tmp_path / "wh" / "xxgk.duckdb", tmp_path / "archive"
    folder = tmp_path / "reports"
    folder.mkdir()
    for name in sorted(p.name for p in REPORTS.iterdir())[:6]:
        shutil.copy(REPORTS / name, folder / name)
    # a crawled district and a local folder, in the same archive
    with Mirror(sites=("daxing",), faults=False) as mirror:
        registry = mirror.write_registry(tmp_path / "portals.csv", SEEDS_DIR / "portals.csv")
        crawled = crawl(districts=["大兴"], registry=registry, archive=archive, rate=0, progress=False,
                        config=FetchConfig(**CONFIG))
    assert crawled.reports_found == 6
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(Path(__file__).parent.parent / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("XXGK_DB", str(db))  # the CLI sets it; restored after the test
    with dg.instance_for_test() as instance:
        report = run_pipeline(from_dir=str(folder), db=db, archive=archive, instance=instance)
    assert report["success"], report
    before = marts_hash(db)
    con = duckdb.connect(str(db), read_only=True)
    documents = con.execute("select origin, count(*) from raw.documents group by 1 order by 1").fetchall()
    assert documents == [("crawl", 6), ("local", 6)]
    assert con.execute("select count(*) from marts.dim_report").fetchone()[0] > 0
    con.close()

    db.unlink()
    capsys.readouterr()
    assert main(["rebuild", "--archive", str(archive), "--db", str(db)]) == 0

    out = capsys.readouterr().out
    assert "FAILED" not in out and f"warehouse: {db}" in out
    assert marts_hash(db) == before
    assert not db.with_name(db.name + ".rebuild").exists()
    # a folder without archives does not replace the warehouse with an empty one
    assert main(["rebuild", "--archive", str(tmp_path / "mistyped"), "--db", str(db)]) == 2
    assert marts_hash(db) == before
