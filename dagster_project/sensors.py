"""Sensors: a drop folder for report files that were not crawled (sent by email, downloaded by
hand, from portals the registry does not cover). Files put there are loaded like `xxgk run --from`."""

import hashlib
import os
from pathlib import Path

import dagster as dg

from dagster_project.jobs import ingest_folder
from scrapers.archive.local import walk_folder
from scrapers.settings import warehouse_path


def inbox_path() -> Path:
    """$XXGK_INBOX, else inbox/ next to the warehouse file (data/inbox/ by default)."""
    chosen = os.environ.get("XXGK_INBOX")
    return Path(chosen).expanduser().resolve() if chosen else warehouse_path().parent / "inbox"


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


@dg.sensor(
    job=ingest_folder,
    minimum_interval_seconds=300,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Loads the report files of the inbox folder ($XXGK_INBOX or data/inbox/) whenever they change.",
)
def local_inbox(context: dg.SensorEvaluationContext):
    folder = inbox_path()
    fingerprint = folder_fingerprint(folder)
    if fingerprint is None:
        return dg.SkipReason(f"no report files in {folder}")
    if fingerprint == context.cursor:
        return dg.SkipReason(f"nothing changed in {folder}")
    context.update_cursor(fingerprint)
    # files the archive holds unchanged are recognised by size and mtime and add nothing
    return dg.RunRequest(
        run_key=fingerprint,
        run_config={"ops": {"local_documents": {"config": {"folder": str(folder)}}}},
        tags={"xxgk/trigger": "local_inbox"},
    )


all_sensors = [local_inbox]
