"""Documents into raw: crawled from the portals (one partition per district) or read from a folder."""

from urllib.parse import urlsplit

import dagster as dg

from dagster_project.partitions import district_partitions
from dagster_project.resources import CrawlSettings, Warehouse
from scrapers.load.documents import ingest_folder

# Every step that opens the DuckDB file runs in this pool (limit 1 in dagster_home/dagster.yaml):
# within an instance the steps of overlapping runs take the file in turn.
WRITER_POOL = "duckdb_writer"

# A portal that does not answer is tried again after about 1 and 2 minutes (the crawler has
# already retried each request); the next scheduled run tries again after that.
CRAWL_RETRY_POLICY = dg.RetryPolicy(max_retries=2, delay=60, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS)


class LocalFolderConfig(dg.Config):
    folder: str = ""


class PortalCrawlConfig(dg.Config):
    refresh: bool = False  # fetch again (conditionally) what earlier crawls settled


class PortalsUnreachable(dg.Failure):
    """No start point of the district answered; what the crawl recorded is kept."""


@dg.asset(group_name="ingest", pool=WRITER_POOL, kinds={"python", "duckdb"})
def local_documents(context: dg.AssetExecutionContext, config: LocalFolderConfig, warehouse: Warehouse) -> dg.MaterializeResult:
    """Report files from a local folder (any mix of HTML, text, PDF and Word), registered as
    documents with their file:// URI: how researchers load reports they already have."""
    if not config.folder:
        context.log.info("no folder configured; nothing to ingest")
        return dg.MaterializeResult(metadata={"files": 0})
    counts = ingest_folder(config.folder, warehouse.path)
    return dg.MaterializeResult(metadata={**counts, "folder": dg.MetadataValue.path(config.folder)})


def crawl_metadata(summary: dict) -> dict:
    """What an operator reads after a crawl: counts, failures by reason, and each start point
    with a link to it."""
    portals = summary.get("portals", {})
    return {
        "documents_fetched": summary.get("pages_fetched", 0),
        "not_modified": summary.get("not_modified", 0),
        "read_back": summary.get("replayed", 0),
        "requests": summary.get("requests", 0),
        "reports_found": summary.get("reports_found", 0),
        "new_versions": summary.get("new_versions", 0),
        "failures": dg.MetadataValue.json(summary.get("failures", {})),
        "reports_by_year": dg.MetadataValue.json(summary.get("reports", {})),
        "unreachable": [p["portal"] for p in portals.values() if p.get("reachable") is False],
        "discovered_offices": len(summary.get("discovered_offices", [])),
        "elapsed_s": summary.get("elapsed_s", 0.0),
        "portal_states": dg.MetadataValue.json(list(portals.values())),
        # the start points as links, to open the column the crawl walked
        **{f"start {p['portal']}": dg.MetadataValue.url(p["start_url"]) for p in portals.values()},
    }


def build_portal_crawl(
    retry_policy: dg.RetryPolicy | None = CRAWL_RETRY_POLICY,
    partitions_def: dg.PartitionsDefinition = district_partitions,
) -> dg.AssetsDefinition:
    """The crawl asset. `xxgk run` builds it without retries, so that an unreachable portal is
    reported at once while scheduled runs wait and try again, and with the partitions of the
    registry it was given."""

    @dg.asset(
        name="portal_crawl",
        group_name="ingest",
        partitions_def=partitions_def,
        pool=WRITER_POOL,
        retry_policy=retry_policy,
        # the districts of one run (a tick, or `xxgk run`) are crawled together, in parallel
        backfill_policy=dg.BackfillPolicy.single_run(),
        kinds={"python", "duckdb"},
    )
    def portal_crawl(
        context: dg.AssetExecutionContext, config: PortalCrawlConfig, warehouse: Warehouse, crawl_settings: CrawlSettings
    ) -> dg.MaterializeResult:
        """One district's portal crawled: list pages, report pages and attachments fetched
        politely, every response kept in raw.fetches and raw.blobs, reports in raw.documents."""
        from scrapers.crawl.run import crawl

        districts = list(context.partition_keys)
        summary = crawl(
            districts=districts,
            years=crawl_settings.report_years or None,
            registry=crawl_settings.registry_path,
            db=warehouse.path,
            refresh=config.refresh,
            rate=crawl_settings.requests_per_second,
            progress=True,
        ).to_dict()
        metadata = crawl_metadata(summary)
        portals = summary.get("portals", {}).values()
        for p in portals:
            context.log.info(f"{p['district']} {p['portal']}: {p.get('message', '')}")
        if portals and all(p.get("reachable") is False for p in portals):
            hosts = ", ".join(sorted({urlsplit(p["start_url"]).netloc for p in portals}))
            raise PortalsUnreachable(description=f"{', '.join(districts)}: no start point answered ({hosts})", metadata=metadata)
        return dg.MaterializeResult(metadata=metadata)

    return portal_crawl


portal_crawl = build_portal_crawl()
