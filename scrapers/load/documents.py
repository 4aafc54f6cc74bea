"""Register report documents in raw: each distinct byte string once, each version of a report once."""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb

# Larger files are not reports (a report with its tables is well under 20 MB); they are counted, not stored.
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
REPORT_SUFFIXES = {".html", ".htm", ".shtml", ".txt", ".md", ".pdf", ".docx", ".doc", ".wps",
                   ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp"}


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
    # the version's number is part of the id: bytes that come back (A -> B -> A) are a new
    # version, and the same history gives the same ids in every warehouse
    version = (latest[1] if latest else 0) + 1
    document_id = hashlib.sha256(f"{meta.report_url}\n{digest}\n{version}".encode()).hexdigest()[:32]
    con.execute(
        """
        insert into raw.documents (document_id, report_url, source_url, sha256, origin, portal, district,
            district_code, category, title, office_hint, year_hint, published_date, media_type, fetched_at)
        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        on conflict do nothing
        """,
        [
            document_id, meta.report_url, meta.source_url, digest, meta.origin, meta.portal, meta.district,
            meta.district_code, meta.category, meta.title, meta.office_hint, meta.year_hint,
            meta.published_date, meta.media_type, now,
        ],
    )
    return digest, True


def local_files(folder: str | Path) -> list[Path]:
    """The report files under a folder, in a stable order."""
    root = Path(folder)
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in REPORT_SUFFIXES)


def local_meta(path: Path) -> DocumentMeta:
    uri = path.resolve().as_uri()
    return DocumentMeta(
        report_url=uri,
        source_url=uri,
        origin="local",
        title=path.stem,
        media_type=mimetypes.guess_type(path.name)[0],
    )


def ingest_folder(folder: str | Path, db: str | Path | None = None) -> dict[str, int]:
    """Register every report file under a folder as a local document (file:// URI), one short
    transaction per file so that a crash keeps what was ingested before it."""
    from scrapers.load.warehouse import transaction

    counts = {"files": 0, "new_versions": 0, "unchanged": 0, "unreadable": 0, "too_large": 0}
    for path in local_files(folder):
        counts["files"] += 1
        try:
            if path.stat().st_size > MAX_DOCUMENT_BYTES:
                counts["too_large"] += 1
                continue
            body = path.read_bytes()
        except OSError:
            counts["unreadable"] += 1
            continue
        with transaction(db) as con:
            _, is_new = register_document(con, body, local_meta(path))
        counts["new_versions" if is_new else "unchanged"] += 1
    return counts
