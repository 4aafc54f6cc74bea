"""The archive's index: one JSON-lines file beside each WARC, and the folder's index read from them.

The first line describes the WARC (its size and sha256, so the loader can tell a file it
loaded without reading it); each further line is one record that a crawl resuming, or a
folder ingested again, needs to know about: a response (its URL, status, validators, where
its body is), a report found, an office discovered, a local file (its size, mtime, sha256).
The entry of a record is a function of the record alone (``entry_of``): the writer indexes
what it writes with it, and a file without its index (a crawl killed before closing) is
indexed by reading it with the same function.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from scrapers.archive.warc import OPEN_SUFFIX, SUFFIX, Record, iter_records, recover, restored_headers

log = logging.getLogger(__name__)

INDEX_SUFFIX = ".idx.jsonl"
INDEX_VERSION = 1
# the response headers a resumed crawl needs: what to replay, and what to ask conditionally with
KEPT_HEADERS = ("content-type", "etag", "last-modified")


def index_path(warc: Path) -> Path:
    return warc.with_name(warc.name + INDEX_SUFFIX)


def entry_of(record: Record) -> dict | None:
    """What the index keeps of a record, or None for records nobody looks up."""
    fields = record.fields
    kind = fields.get("kind")
    at = record.date.isoformat()
    # a 304 confirms a body held elsewhere; a failure may have no body at all
    holds_body = record.rec_type in ("response", "resource") and not fields.get("no_body") and not fields.get("confirms")
    if kind == "fetch" and record.rec_type in ("response", "revisit"):
        headers = restored_headers(record.http)
        return {
            "t": "fetch", "url": fields.get("request_url") or record.uri, "final": record.uri,
            "status": record.http.get_statuscode() and int(record.http.get_statuscode()) if record.http else None,
            "sha": fields.get("confirms") or (None if fields.get("no_body") else record.payload_sha256),
            "err": fields.get("error"), "charset": fields.get("charset"), "at": at,
            "h": {k: headers[k] for k in KEPT_HEADERS if headers.get(k)},
            "body": record.offset if holds_body else None, "date": record.warc_headers.get_header("WARC-Date"),
        }
    if kind == "report":
        return {"t": "report", "url": fields["report_url"], "sha": fields["sha256"], "at": at,
                "pics": fields.get("pictures", [])}
    if kind == "office":
        return {"t": "office", "code": fields["district_code"], "name": fields["normalised_name"]}
    if kind == "file":
        return {"t": "file", "uri": record.uri, "size": fields["size"], "mtime": fields["mtime_ns"],
                "sha": record.payload_sha256, "at": at, "body": record.offset if holds_body else None,
                "date": record.warc_headers.get_header("WARC-Date")}
    return None


def entries_of_file(path: Path) -> list[dict]:
    return [e for e in (entry_of(r) for r in iter_records(path, payloads=False)) if e is not None]


def write_index(warc: Path, size: int, sha256: str, entries: list[dict]) -> None:
    target = index_path(warc)
    # two processes may index the same file at once (a crawl and the loader): each its own temp
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(json.dumps({"warc": warc.name, "size": size, "sha256": sha256, "version": INDEX_VERSION}) + "\n")
        for entry in entries:
            fh.write(json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n")
    tmp.replace(target)


def read_index(warc: Path) -> tuple[dict, list[dict]]:
    """The file's description and entries; rebuilt (and written) when missing or unreadable."""
    path = index_path(warc)
    try:
        with open(path, encoding="utf-8") as fh:
            head = json.loads(fh.readline())
            if head.get("version") == INDEX_VERSION and head.get("size") == warc.stat().st_size:
                return head, [json.loads(line) for line in fh if line.strip()]
    except (OSError, ValueError):
        pass
    import hashlib

    data = warc.read_bytes()
    write_index(warc, len(data), hashlib.sha256(data).hexdigest(), entries_of_file(warc))
    return read_index(warc)


def archive_files(folder: Path) -> list[Path]:
    """The closed WARC files of the archive, oldest first (names start with their UTC time)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*" + SUFFIX) if not p.name.endswith(OPEN_SUFFIX))


@dataclass
class Located:
    """Where a body is: the record holding it, and its URI and date for a revisit's pointer."""

    path: Path
    offset: int
    uri: str
    date: str


@dataclass
class ArchiveIndex:
    """Everything the archive's indexes say, in the order the records were written."""

    folder: Path
    fetches: list[dict] = field(default_factory=list)
    bodies: dict[str, Located] = field(default_factory=dict)
    reports: dict[str, str] = field(default_factory=dict)  # report URL -> sha256 of its latest version
    # report URL -> the pictures its latest version was recorded with (their sha256s)
    report_pictures: dict[str, frozenset[str]] = field(default_factory=dict)
    offices: set[tuple[str, str]] = field(default_factory=set)
    files: dict[str, dict] = field(default_factory=dict)  # file:// URI -> its latest entry

    @classmethod
    def load(cls, folder: str | Path) -> "ArchiveIndex":
        folder = Path(folder)
        index = cls(folder)
        if folder.is_dir():
            recover(folder)
        for warc in archive_files(folder):
            try:
                _head, entries = read_index(warc)
            except Exception as exc:  # one unreadable file costs only itself
                log.warning("%s: cannot be indexed (%s); left out", warc.name, exc)
                continue
            for entry in entries:
                index.add(warc, entry)
        return index

    def add(self, warc: Path, entry: dict) -> None:
        kind = entry["t"]
        if entry.get("body") is not None and entry.get("sha") and entry["sha"] not in self.bodies:
            uri = entry.get("final") or entry.get("uri") or ""
            self.bodies[entry["sha"]] = Located(warc, entry["body"], uri, entry.get("date") or "")
        if kind == "fetch":
            self.fetches.append(entry)
        elif kind == "report":
            url, pictures = entry["url"], frozenset(entry.get("pics", ()))
            if self.reports.get(url) == entry["sha"]:
                pictures |= self.report_pictures.get(url, frozenset())
            self.reports[url] = entry["sha"]
            self.report_pictures[url] = pictures
        elif kind == "office":
            self.offices.add((entry["code"], entry["name"]))
        elif kind == "file":
            self.files[entry["uri"]] = entry
