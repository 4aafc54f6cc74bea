"""Sensors: one warehouse build after the documents of a tick arrived, and a drop folder for
report files that were not crawled (sent by email, downloaded by hand, from portals the
registry does not cover), loaded like `xxgk run --from`."""

import hashlib
import os
from pathlib import Path

import dagster as dg

from dagster_project.jobs import build_warehouse, crawl_portals, ingest_folder
from scrapers.archive.local import walk_folder

# What the document assets report as new in their materialisations.
NEW_KEYS = ("new_versions",)


def folder_fingerprint(folder: Path) -> str | None:
    """Changes whenever a report file is added, replaced or removed; None for an empty folder.
    The files are those the archive's walk takes (no symlink out of the folder, no FIFO), their
    names as bytes, so a name that is not UTF-8 counts like any other."""
    files = walk_folder(folder) if folder.is_dir() else []
    if not files:
        return None
    digest = hashlib.sha256()
    for found in files:
        digest.update(os.fsencode(found.path) + f"\0{found.size}\0{found.mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def new_documents(instance: dg.DagsterInstance, run_id: str) -> int | None:
    """How many new document versions a run's materialisations report; None if none says."""
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION).records
    found = None
    for record in records:
        metadata = record.event_log_entry.asset_materialization.metadata
        for key in NEW_KEYS:
            if key in metadata:
                found = (found or 0) + int(metadata[key].value)
    return found


def build_sensors(inbox: Path, running: bool, archive: Path | None = None, db: Path | None = None) -> list[dg.SensorDefinition]:
    status = dg.DefaultSensorStatus.RUNNING if running else dg.DefaultSensorStatus.STOPPED

    @dg.run_status_sensor(
        run_status=dg.DagsterRunStatus.SUCCESS,
        monitored_jobs=[crawl_portals, ingest_folder],
        request_job=build_warehouse,
        default_status=status,
        description="After a crawl or a folder ingest fetched something new: one warehouse build.",
    )
    def build_after_documents(context: dg.RunStatusSensorContext):
        run = context.dagster_run
        new = new_documents(context.instance, run.run_id)
        if new == 0 and archive is not None:
            # archive files an earlier build never loaded (it failed, or the machine went down)
            from scrapers.load.archives import unloaded_files

            new = len(unloaded_files(archive, db)) if db is not None and db.exists() else 1
        if new == 0:
            return dg.SkipReason(f"run {run.run_id} fetched nothing new: no warehouse build")
        return dg.RunRequest(run_key=run.run_id, tags={"xxgk/trigger": "build_after_documents", "xxgk/after": run.run_id})

    @dg.sensor(
        job=ingest_folder,
        minimum_interval_seconds=300,
        default_status=status,
        description=f"Loads the report files of the inbox folder ({inbox}) whenever they change.",
    )
    def local_inbox(context: dg.SensorEvaluationContext):
        fingerprint = folder_fingerprint(inbox)
        if fingerprint is None:
            return dg.SkipReason(f"no report files in {inbox}")
        if fingerprint == context.cursor:
            return dg.SkipReason(f"nothing changed in {inbox}")
        context.update_cursor(fingerprint)
        # files already loaded are recognised by their bytes and add nothing
        return dg.RunRequest(
            run_key=fingerprint,
            run_config={"ops": {"local_documents": {"config": {"folder": str(inbox)}}}},
            tags={"xxgk/trigger": "local_inbox"},
        )

    return [build_after_documents, local_inbox]
