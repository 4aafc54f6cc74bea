"""WARC files of the archive: written atomically, read record by record, recovered after a kill.

A file is written as ``NAME.warc.gz.open`` (each record its own gzip member, flushed as it is
written, the file locked with ``flock`` while a writer holds it) and renamed to
``NAME.warc.gz`` when closed, with its index beside it (``NAME.warc.gz.idx.jsonl``, see
``index.py``). A writer that was killed leaves an unlocked ``.open`` file: ``recover`` cuts it
after its last whole record and closes it like any other, so a rerun sees what it held.

Digests are sha256 (block and payload), as ``sha256:BASE32`` in the WARC headers the way
WARC tools label them; the index and the warehouse use the hex form.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import io
import json
import logging
import os
import uuid
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.utils import Digester
from warcio.warcwriter import WARCWriter

log = logging.getLogger(__name__)

SUFFIX = ".warc.gz"
OPEN_SUFFIX = ".warc.gz.open"
WARC_VERSION = "1.1"
REVISIT_PROFILE = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
# Our fields on a record, as one JSON value (ASCII, one line) so any text survives the header block.
FIELDS_HEADER = "XXGK-Fields"


def sha256_label(hex_digest: str) -> str:
    return "sha256:" + base64.b32encode(bytes.fromhex(hex_digest)).decode("ascii")


def hex_of_label(label: str | None) -> str | None:
    """The hex sha256 of a WARC digest label (base32, as written here, or hex)."""
    if not label or not label.lower().startswith("sha256:"):
        return None
    value = label.split(":", 1)[1]
    if len(value) == 64:
        return value.lower()
    try:
        return base64.b32decode(value.upper()).hex()
    except (ValueError, TypeError):
        return None


def warc_date(at: datetime) -> str:
    return _utc(at).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _utc(at: datetime) -> datetime:
    return at.astimezone(timezone.utc) if at.tzinfo else at.replace(tzinfo=timezone.utc)


def parse_warc_date(text: str) -> datetime:
    at = datetime.fromisoformat(text)
    return at if at.tzinfo else at.replace(tzinfo=timezone.utc)


class _Sha256Writer(WARCWriter):
    """warcio's writer with sha256 digests instead of its default sha1."""

    @staticmethod
    def _create_digester():
        return Digester("sha256")


# zlib's default level: warcio's level 9 costs twice the time for a few per cent on text, and
# nothing on PDFs, which are compressed already
GZIP_LEVEL = 6


# zlib's hash table for a member: its default (memLevel 8) is allocated and faulted in afresh for
# every member, which costs more than compressing a small record; a small table compresses
# small records as well, but large ones (PDFs) more slowly
SMALL_MEMBER = 64 * 1024
SMALL_MEM_LEVEL = 5


class _GzipMembers:
    """Each record its own gzip member (so a reader can start at any record's offset)."""

    def __init__(self, out: "_HashingFile"):
        self.out = out
        self._z = None
        self.expected = 0  # the payload size of the record about to be written, when known

    def write(self, data) -> int:
        if self._z is None:
            level = zlib.DEF_MEM_LEVEL if self.expected > SMALL_MEMBER else SMALL_MEM_LEVEL
            self._z = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS | 16, level)
        self.out.write(self._z.compress(data))
        return len(data)

    def flush(self) -> None:
        pass  # a member ends with its record (end_member), not when warcio flushes

    def end_member(self) -> None:
        if self._z is not None:
            self.out.write(self._z.flush())
            self._z = None
        self.expected = 0
        self.out.flush()


class _HashingFile(io.RawIOBase):
    """Counts and hashes what goes to the file, so closing it needs no second read."""

    def __init__(self, fh):
        self.fh = fh
        self.sha = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.fh.write(data)
        self.sha.update(data)
        self.size += len(data)
        return len(data)

    def tell(self) -> int:
        return self.size

    def flush(self) -> None:
        self.fh.flush()


@dataclass
class Written:
    """Where a record went: its id and its byte range in the file."""

    record_id: str
    offset: int
    length: int


class WarcFile:
    """One WARC file being written. Not thread-safe: the archive store serialises its writers."""

    def __init__(self, folder: Path, name: str, info: dict[str, str]):
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.name = name + SUFFIX
        self.open_path = folder / (name + OPEN_SUFFIX)
        self.path = folder / self.name
        self._fh = open(self.open_path, "xb")
        # held until the file is closed: recover() takes only files nobody holds
        fcntl.flock(self._fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        self._out = _HashingFile(self._fh)
        self._members = _GzipMembers(self._out)
        self._writer = _Sha256Writer(self._members, gzip=False, warc_version=WARC_VERSION)
        self.records = 0
        self.entries: list[dict] = []  # the index lines of what was written
        self.closed = False
        self._write(self._writer.create_warcinfo_record(self.name, info))

    # -- records --------------------------------------------------------------------------------
    def _write(self, record, at: datetime | None = None, fields: dict | None = None, payload_sha256: str | None = None,
               size: int = 0) -> Written:
        """Write one record and index it (``entry_of``) from what the caller knows of it: reading
        a record's headers back costs more than writing them. Records without our ``fields``
        (warcinfo, requests) are never indexed."""
        from scrapers.archive.index import entry_of

        offset = self._out.tell()
        self._members.expected = size
        self._writer.write_record(record)
        self._members.end_member()
        self.records += 1
        length = self._out.tell() - offset
        record_id = _record_uuid(record.rec_headers.get_header("WARC-Record-ID"))
        if fields is not None and at is not None:
            entry = entry_of(Record(
                rec_type=record.rec_type, record_id=record_id, uri=record.rec_headers.get_header("WARC-Target-URI") or "",
                date=_utc(at), fields=fields, http=record.http_headers, payload=None, payload_sha256=payload_sha256,
                offset=offset, length=length, warc_headers=record.rec_headers))
            if entry is not None:
                self.entries.append(entry)
        return Written(record_id, offset, length)

    def _headers(self, at: datetime, fields: dict | None, extra: dict | None = None) -> dict:
        headers = {"WARC-Date": warc_date(at)}
        if fields:
            headers[FIELDS_HEADER] = json.dumps(fields, ensure_ascii=True, separators=(",", ":"), default=str)
        headers.update(extra or {})
        return headers

    def request(self, url: str, at: datetime, headers: dict[str, str], concurrent_to: str | None = None) -> Written:
        """What was asked: the request line and the headers the attempt is known to have sent."""
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        http = StatusAndHeaders(f"GET {target} HTTP/1.1", [("Host", parts.netloc), *headers.items()],
                                protocol="", is_http_request=True)
        extra = {"WARC-Concurrent-To": f"<urn:uuid:{concurrent_to}>"} if concurrent_to else None
        return self._write(self._writer.create_warc_record(
            url, "request", http_headers=http, warc_headers_dict=self._headers(at, None, extra)))

    def response(self, url: str, at: datetime, status: int, headers: dict[str, str], body: bytes,
                 fields: dict, sha256: str | None = None) -> Written:
        """``sha256`` (hex), when the caller hashed the body already, is not computed again."""
        http = StatusAndHeaders(f"{status} {_reason_phrase(status)}", _archived_headers(headers), protocol="HTTP/1.1")
        sha256 = sha256 or hashlib.sha256(body).hexdigest()
        return self._write(self._writer.create_warc_record(
            url, "response", payload=io.BytesIO(body), length=len(body), http_headers=http,
            warc_headers_dict=self._headers(at, fields, {"WARC-Payload-Digest": sha256_label(sha256)})),
            at, fields, sha256, len(body))

    def revisit(self, url: str, at: datetime, sha256: str, refers_to_uri: str, refers_to_date: str,
                status: int | None, headers: dict[str, str] | None, fields: dict) -> Written:
        """A body the archive holds already: the response's headers and a pointer to the body."""
        http = None
        if status is not None:
            http = StatusAndHeaders(f"{status} {_reason_phrase(status)}", _archived_headers(headers or {}),
                                    protocol="HTTP/1.1")
        record = self._writer.create_revisit_record(
            url, sha256_label(sha256), refers_to_uri, refers_to_date, http_headers=http,
            warc_headers_dict=self._headers(at, fields))
        if http is None:
            record.rec_headers.replace_header("Content-Type", "application/warc-fields")
        return self._write(record, at, fields, sha256)

    def resource(self, uri: str, at: datetime, body: bytes, content_type: str, fields: dict,
                 sha256: str | None = None) -> Written:
        sha256 = sha256 or hashlib.sha256(body).hexdigest()
        return self._write(self._writer.create_warc_record(
            uri, "resource", payload=io.BytesIO(body), length=len(body), warc_content_type=content_type,
            warc_headers_dict=self._headers(at, fields, {"WARC-Payload-Digest": sha256_label(sha256)})),
            at, fields, sha256, len(body))

    def metadata(self, uri: str, at: datetime, data: dict, fields: dict) -> Written:
        body = json.dumps(data, ensure_ascii=False, default=str).encode("utf-8")
        record = self._writer.create_warc_record(
            uri, "metadata", payload=io.BytesIO(body), length=len(body), warc_content_type="application/json",
            warc_headers_dict=self._headers(at, fields))
        return self._write(record, at, fields, hex_of_label(record.rec_headers.get_header("WARC-Payload-Digest")))

    # -- closing --------------------------------------------------------------------------------
    def close(self, keep_empty: bool = False) -> Path | None:
        """Rename to its final name and write its index; a file with nothing but its warcinfo
        record is removed (a crawl that settled nothing new leaves no file)."""
        if self.closed:
            return self.path
        self.closed = True
        self._fh.flush()
        os.fsync(self._fh.fileno())
        size, digest = self._out.size, self._out.sha.hexdigest()
        if self.records <= 1 and not keep_empty:
            self.open_path.unlink()
            self._fh.close()
            return None
        from scrapers.archive.index import write_index

        write_index(self.path, size, digest, self.entries)
        os.replace(self.open_path, self.path)
        self._fh.close()  # releases the lock only once the file has its final name
        return self.path


def _record_uuid(record_id: str | None) -> str:
    text = (record_id or "").strip("<>")
    return text.removeprefix("urn:uuid:") or uuid.uuid4().hex


# Bodies are stored decoded (requests undoes gzip and chunking): headers that describe the wire
# form are kept under the prefix web archives use for them, so replay tools do not decode twice.
_WIRE_HEADERS = frozenset({"content-encoding", "transfer-encoding", "content-length"})
ORIG_PREFIX = "x-archive-orig-"


def _archived_headers(headers: dict[str, str]) -> list[tuple[str, str]]:
    return [(ORIG_PREFIX + k if k.lower() in _WIRE_HEADERS else k, v) for k, v in headers.items()]


def restored_headers(http: StatusAndHeaders | None) -> dict[str, str]:
    """The response headers as the crawl saw them (lower-case names)."""
    if http is None:
        return {}
    return {k.lower().removeprefix(ORIG_PREFIX): v for k, v in http.headers}


def _reason_phrase(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


# -- reading ------------------------------------------------------------------------------------
@dataclass
class Record:
    """One record as read back: its headers, our fields, and its payload (or None)."""

    rec_type: str
    record_id: str
    uri: str
    date: datetime
    fields: dict
    http: StatusAndHeaders | None
    payload: bytes | None
    payload_sha256: str | None  # hex, from the record's payload digest
    offset: int
    length: int
    warc_headers: StatusAndHeaders


def _member_ends(data: bytes) -> list[int]:
    """End offsets of the whole gzip members at the start of ``data``: a killed writer leaves a
    cut member at the end, which zlib reports as not finished."""
    ends, pos = [], 0
    while pos < len(data):
        d = zlib.decompressobj(zlib.MAX_WBITS | 16)
        try:
            d.decompress(data[pos:])
        except zlib.error:
            break
        if not d.eof:
            break
        pos = len(data) - len(d.unused_data)
        ends.append(pos)
    return ends


def whole_length(path: Path) -> int:
    """How many leading bytes of the file are whole gzip members (whole records)."""
    data = path.read_bytes()
    ends = _member_ends(data)
    return ends[-1] if ends else 0


def iter_records(path: Path, *, payloads: bool = True, limit: int | None = None) -> Iterator[Record]:
    """The file's records in order; ``limit`` stops at that byte (the end of the last whole record)."""
    with open(path, "rb") as fh:
        stream = fh if limit is None else io.BytesIO(fh.read(limit))
        it = ArchiveIterator(stream)
        for rec in it:
            payload = rec.content_stream().read() if payloads and rec.rec_type in ("response", "resource", "metadata") else None
            it.read_to_end(rec)
            yield _record(rec, payload, it.get_record_offset(), it.get_record_length())


def read_record(path: Path, offset: int) -> Record:
    """The record at a byte offset (from the index), with its payload."""
    with open(path, "rb") as fh:
        fh.seek(offset)
        it = ArchiveIterator(fh)
        rec = next(iter(it))
        payload = rec.content_stream().read()
        return _record(rec, payload, offset, 0)


def _record(rec, payload: bytes | None, offset: int, length: int) -> Record:
    headers = rec.rec_headers
    raw_fields = headers.get_header(FIELDS_HEADER)
    return Record(
        rec_type=rec.rec_type,
        record_id=_record_uuid(headers.get_header("WARC-Record-ID")),
        uri=headers.get_header("WARC-Target-URI") or "",
        date=parse_warc_date(headers.get_header("WARC-Date")),
        fields=json.loads(raw_fields) if raw_fields else {},
        http=rec.http_headers,
        payload=payload,
        payload_sha256=hex_of_label(headers.get_header("WARC-Payload-Digest")),
        offset=offset,
        length=length,
        warc_headers=headers,
    )


def recover(folder: Path) -> list[Path]:
    """Close the ``.open`` files nobody holds (their writer was killed): cut each after its last
    whole record, index it and give it its final name. Files still being written are left alone."""
    from scrapers.archive.index import entries_of_file, write_index

    recovered = []
    for open_path in sorted(folder.glob("*" + OPEN_SUFFIX)):
        try:
            fh = open(open_path, "r+b")
        except OSError:
            continue
        try:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a live writer
            if not open_path.exists():
                continue  # closed by its writer while we waited for the lock
            keep = whole_length(open_path)
            fh.truncate(keep)
            fh.flush()
            os.fsync(fh.fileno())
            final = open_path.with_name(open_path.name.removesuffix(".open"))
            records = list(iter_records(open_path, payloads=False)) if keep else []
            if len(records) <= 1:
                open_path.unlink()
                log.warning("%s: nothing whole after its warcinfo record; removed", open_path.name)
                continue
            data = open_path.read_bytes()
            write_index(final, len(data), hashlib.sha256(data).hexdigest(), entries_of_file(open_path))
            os.replace(open_path, final)
            log.warning("%s: its writer ended without closing it; kept %d whole records (%d bytes)",
                        final.name, len(records), keep)
            recovered.append(final)
        finally:
            fh.close()
    return recovered
