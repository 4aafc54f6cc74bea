"""Jobs: the named units a schedule, a sensor, the UI or `xxgk run` launches.

A tick is one `crawl_portals` run over every district (the portals crawled in parallel within
it), then one `build_warehouse` run when it fetched something new. Selections name assets, so
steps added between the documents and the parses (the archive loader) join `build_warehouse`.
"""

import dagster as dg

DOCUMENT_ASSETS = ("portal_crawl", "local_documents")

crawl_portals = dg.define_asset_job(
    "crawl_portals",
    selection=dg.AssetSelection.assets("portal_crawl"),
    description="Crawl the portals of the selected districts (all of them in one run, in parallel).",
)

# A folder of report files (run config: ops.local_documents.config.folder).
ingest_folder = dg.define_asset_job(
    "ingest_folder",
    selection=dg.AssetSelection.assets("local_documents"),
    description="Write the report files of a local folder into the archive (the build loads them).",
)

build_warehouse = dg.define_asset_job(
    "build_warehouse",
    # everything but the documents: the seeds, the archive loader, the parses, dbt, the exports
    selection=dg.AssetSelection.all() - dg.AssetSelection.assets(*DOCUMENT_ASSETS),
    description="Parse what is new, build the dbt models with their tests (unless nothing changed) and write the exports.",
)

all_jobs = [crawl_portals, ingest_folder, build_warehouse]
