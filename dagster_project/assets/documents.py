"""Documents: crawled from the portals (one partition per district) or read from a folder into
the archive, then loaded from the archive into raw.

The crawl and the folder write WARC files only, so district crawls run side by side; the one
step that writes the warehouse is `raw_documents`, in the writer pool."""

from urllib.parse import urlsplit

import dagster as dg

from dagster_project.partitions import district_partitions
from dagster_project.resources import CrawlSettings, Warehouse

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


@dg.asset(group_name="ingest", kinds={"python", "warc"})
def local_documents(context: dg.AssetExecutionContext, config: LocalFolderConfig, warehouse: Warehouse) -> dg.MaterializeResult:
    """Report files from a local folder (any mix of HTML, text, PDF and Word) written into the
    archive as WARC resource records with their file:// URI: how researchers load reports they
    already have. Files the archive holds unchanged (size and mtime) are not read again."""
    from scrapers.archive.local import archive_folder

    if not config.folder:
        context.log.info("no folder configured; nothing to archive")
        return dg.MaterializeResult(metadata={"files": 0})
    summary = archive_folder(config.folder, warehouse.archive)
    for line in summary.skipped:
        context.log.warning(line)
    return dg.MaterializeResult(metadata={
        **summary.counts(), "skipped": len(summary.skipped), "archive_file": summary.archive_file or "",
        "folder": dg.MetadataValue.path(config.folder), "archive": dg.MetadataValue.path(str(warehouse.archive)),
    })


@dg.asset(group_name="ingest", deps=[local_documents, "portal_crawl"], pool=WRITER_POOL, kinds={"python", "duckdb"})
def raw_documents(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """Every archive file not loaded yet, loaded into raw.fetches, raw.blobs, raw.documents and
    raw.discovered_offices (raw.archive_files says which were; loading twice changes nothing)."""
    from scrapers.load.archives import load_archives

    summary = load_archives(warehouse.archive, warehouse.path)
    for line in summary.failed:
        context.log.warning(line)
    if not summary.changed:
        context.log.info(f"nothing new in {warehouse.archive}")
    else:
        context.log.info(f"loaded {summary.files} archive files: {summary.new_versions} new document versions")
    return dg.MaterializeResult(metadata={**{k: v for k, v in summary.to_dict().items() if k != "failed"},
                                          "failed": dg.MetadataValue.json(summary.failed)})


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
        "archive_files": dg.MetadataValue.json(summary.get("files", [])),
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
        retry_policy=retry_policy,
        # the districts of one run (a tick, or `xxgk run`) are crawled together, in parallel
        backfill_policy=dg.BackfillPolicy.single_run(),
        kinds={"python", "warc"},
    )
    def portal_crawl(
        context: dg.AssetExecutionContext, config: PortalCrawlConfig, warehouse: Warehouse, crawl_settings: CrawlSettings
    ) -> dg.MaterializeResult:
        """One district's portal crawled: list pages, report pages and attachments fetched
        politely, every attempt and every report found written to the archive (WARC files of
        their own, so districts crawl in parallel; `raw_documents` loads them)."""
        from scrapers.crawl.run import crawl

        districts = list(context.partition_keys)
        summary = crawl(
            districts=districts,
            years=crawl_settings.report_years or None,
            registry=crawl_settings.registry_path,
            db=warehouse.path,
            archive=warehouse.archive,
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
