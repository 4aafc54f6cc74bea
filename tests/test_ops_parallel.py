"""One `xxgk run` crawls the districts of a tick in parallel, each portal at its own polite rate:
it takes about as long as the slowest portal, not the sum, and builds the same warehouse as
crawling the districts one after another."""

from __future__ import annotations

import functools

import dagster as dg
import duckdb
import pytest

from crawl_mirror import SITE_DISTRICTS, SITES, Mirror
from test_crawl import CONFIG
from test_dagster_pipeline import snapshot

from dagster_project.partitions import registry_districts
from dagster_project.run import run_pipeline
from scrapers.settings import SEEDS_DIR, Settings

pytestmark = pytest.mark.slow

RATE = 4.0  # requests per second per portal
# two report years: every portal still has reports for them, and its crawl at 4 requests/s takes
# 2-12 s instead of up to 26 s for every year (西城 enumerates each office's page of each year)
YEARS = (2019, 2023)


def _crawl_seconds(instance: dg.DagsterInstance, district: str) -> float:
    [record] = instance.fetch_materializations(dg.AssetKey("portal_crawl"), limit=1).records
    assert record.asset_materialization.partition == district or district == "*"
    return record.asset_materialization.metadata["elapsed_s"].value


def test_districts_crawl_in_parallel_and_build_what_a_serial_crawl_builds(tmp_path, monkeypatch):
    import scrapers.crawl.run as crawl_run
    from scrapers.crawl.fetch import FetchConfig

    monkeypatch.setattr(crawl_run, "FetchConfig", functools.partial(FetchConfig, **CONFIG))
    with Mirror(faults=False) as mirror:
        registry = mirror.write_registry(tmp_path / "portals.csv", SEEDS_DIR / "portals.csv")
        districts = [SITE_DISTRICTS[s] for s in SITES]

        serial = Settings.resolve(db=tmp_path / "serial" / "xxgk.duckdb", registry=registry, rate=RATE, years=YEARS, env={})
        single: dict[str, float] = {}
        with dg.DagsterInstance.ephemeral() as instance:
            for district in districts:
                report = run_pipeline(serial, districts=[district], instance=instance, build=False)
                assert report.success, report.error
                single[district] = _crawl_seconds(instance, district)
            assert run_pipeline(serial, instance=instance).success  # what is left: replays, then the build

        parallel = Settings.resolve(db=tmp_path / "parallel" / "xxgk.duckdb", registry=registry, rate=RATE, years=YEARS,
                                    env={})
        with dg.DagsterInstance.ephemeral() as instance:
            report = run_pipeline(parallel, instance=instance)
            assert report.success, report.error
            order = registry_districts(registry)
            assert list(report.runs)[0] == f"crawl_portals[{order[0]}..{order[-1]}]" and len(order) == 4  # one run, all four
            together = _crawl_seconds(instance, "*")

    slowest = max(single.values())
    assert together <= 1.5 * slowest, (together, single)
    assert together < 0.75 * sum(single.values()), (together, single)
    assert snapshot(parallel.db) == snapshot(serial.db)
    # every portal gave reports of those years: the marts compared are not empty
    con = duckdb.connect(str(parallel.db), read_only=True)
    try:
        portals, reports = con.execute("select count(distinct portal), count(*) from raw.documents").fetchone()
        assert portals == 4 and reports >= 12
        assert con.execute("select count(*) from marts.dim_report where year not in (2019, 2023)").fetchone() == (0,)
    finally:
        con.close()
