"""Jobs: what a scheduled run or a launch from the UI materialises."""

import dagster as dg

from dagster_project.partitions import district_partitions

# One district's portal crawled, then everything downstream: parses, the dbt models with their
# tests, the export. The schedules launch one run per district.
refresh_district = dg.define_asset_job(
    "refresh_district",
    selection=dg.AssetSelection.assets("portal_crawl").downstream(),
    partitions_def=district_partitions,
    description="Crawl one district's portal, parse what is new, rebuild the warehouse and the exports.",
)

# A folder of report files (run config: ops.local_documents.config.folder) through the same steps.
ingest_folder = dg.define_asset_job(
    "ingest_folder",
    selection=dg.AssetSelection.assets("local_documents").downstream(),
    description="Register the report files of a local folder, parse them, rebuild the warehouse and the exports.",
)

all_jobs = [refresh_district, ingest_folder]
