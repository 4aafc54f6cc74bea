"""Report documents in raw: each distinct byte string once, each version of a report once.

The rule for a version and its id lives here; the archive loader (``archives.py``) applies it
in bulk, ``register_document`` one document at a time."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb


@dataclass(slots=True)
class DocumentMeta:
    report_url: str
    source_url: str
    origin: str  # crawl | local
    portal: str | None = None
    district: str | None = None
    district_code: str | None = None
    category: str | None = None
    title: str | None = None
    office_hint: str | None = None
    year_hint: int | None = None
    published_date: str | None = None
    media_type: str | None = None


def sha256_hex(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def document_id(report_url: str, sha256: str, version: int) -> str:
    """A version's id: the version's number is part of it, so bytes that come back (A -> B -> A)
    are a new version, and the same history gives the same ids in every warehouse."""
    return hashlib.sha256(f"{report_url}\n{sha256}\n{version}".encode()).hexdigest()[:32]


def store_blob(con: duckdb.DuckDBPyConnection, body: bytes, now: datetime | None = None) -> str:
    """Keep the bytes once, whatever URL they came from; returns their sha256."""
    digest = sha256_hex(body)
    # a key lookup first: a plain insert is cheaper than an insert that resolves a conflict
    if con.execute("select 1 from raw.blobs where sha256 = ?", [digest]).fetchone() is None:
        con.execute(
            "insert into raw.blobs (sha256, size, body, first_seen_at) values (?, ?, ?, ?)",
            [digest, len(body), body, now or datetime.now(timezone.utc)],
        )
    return digest


def register_document(
    con: duckdb.DuckDBPyConnection, body: bytes, meta: DocumentMeta, now: datetime | None = None
) -> tuple[str, bool]:
    """Add a version of a report unless these bytes are already its latest version.

    Returns (sha256, is_new_version). An unchanged re-fetch adds nothing; changed bytes
    become a new version and the old one stays.
    """
    now = now or datetime.now(timezone.utc)
    digest = store_blob(con, body, now)
    latest = con.execute(
        "select sha256, count(*) over () from raw.documents where report_url = ? order by fetched_at desc limit 1",
        [meta.report_url],
    ).fetchone()
    if latest and latest[0] == digest:
        return digest, False
    version = (latest[1] if latest else 0) + 1
    con.execute(
        """
        insert into raw.documents (document_id, report_url, source_url, sha256, origin, portal, district,
            district_code, category, title, office_hint, year_hint, published_date, media_type, fetched_at)
        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        on conflict do nothing
        """,
        [
            document_id(meta.report_url, digest, version), meta.report_url, meta.source_url, digest, meta.origin, meta.portal, meta.district,
            meta.district_code, meta.category, meta.title, meta.office_hint, meta.year_hint,
            meta.published_date, meta.media_type, now,
        ],
    )
    return digest, True


def local_files(folder: str | Path) -> list[Path]:
    """The report files under a folder, in a stable order (the archive's walk: see scrapers.archive.local)."""
    from scrapers.archive.local import walk_folder

    return [c.path for c in walk_folder(folder)]


def ingest_folder(folder: str | Path, db: str | Path | None = None, archive: str | Path | None = None) -> dict[str, int]:
    """Archive the folder's new report files (scrapers.archive.local), then load every archive
    file not loaded yet into the warehouse: what `xxgk run --from` does, without Dagster."""
    from scrapers.archive.local import archive_folder
    from scrapers.load.archives import load_archives
    from scrapers.settings import archive_path

    folder_archive = archive_path(archive, db)
    summary = archive_folder(folder, folder_archive)
    load_archives(folder_archive, db)
    return summary.counts()
