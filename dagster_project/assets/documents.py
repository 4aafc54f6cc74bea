"""Documents into raw: crawled from the portals (one partition per district) or read from a folder."""

import dagster as dg

from dagster_project.partitions import district_partitions
from dagster_project.resources import CrawlSettings, Warehouse
from scrapers.load.documents import ingest_folder

# Every asset that writes the DuckDB file runs in this pool (limit 1 in dagster_home/dagster.yaml).
WRITER_POOL = "duckdb_writer"


class LocalFolderConfig(dg.Config):
    folder: str = ""


@dg.asset(group_name="ingest", pool=WRITER_POOL, kinds={"python", "duckdb"})
def local_documents(context: dg.AssetExecutionContext, config: LocalFolderConfig, warehouse: Warehouse) -> dg.MaterializeResult:
    """Report files from a local folder (any mix of HTML, text, PDF and Word), registered as
    documents with their file:// URI: how researchers load reports they already have."""
    if not config.folder:
        context.log.info("no folder configured; nothing to ingest")
        return dg.MaterializeResult(metadata={"files": 0})
    counts = ingest_folder(config.folder, warehouse.path)
    return dg.MaterializeResult(metadata={**counts, "folder": config.folder})


@dg.asset(
    group_name="ingest",
    partitions_def=district_partitions,
    pool=WRITER_POOL,
    retry_policy=dg.RetryPolicy(max_retries=2, delay=60, backoff=dg.Backoff.EXPONENTIAL),
    tags={"dagster/concurrency_key": "portal"},
    kinds={"python", "duckdb"},
)
def portal_crawl(context: dg.AssetExecutionContext, warehouse: Warehouse, crawl_settings: CrawlSettings) -> dg.MaterializeResult:
    """One district's portal crawled: list pages, report pages and attachments fetched
    politely, every response kept in raw.fetches and raw.blobs, reports in raw.documents."""
    from scrapers.crawl.run import crawl

    district = context.partition_key
    summary = crawl(
        districts=[district],
        years=crawl_settings.years or None,
        registry=crawl_settings.registry or None,
        db=warehouse.path,
        refresh=crawl_settings.refresh,
        rate=crawl_settings.rate,
        progress=False,
    )
    return dg.MaterializeResult(metadata={k: dg.MetadataValue.json(v) if isinstance(v, (dict, list)) else v
                                          for k, v in summary.to_dict().items()})
