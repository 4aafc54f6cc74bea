"""Local folders into the archive: each new report file a WARC ``resource`` record (file:// URI).

A file the archive's index already holds with the same size and mtime is not read again; one
whose size or mtime changed is hashed, and only new bytes are written (bytes the archive
holds under another name become a ``revisit``). A folder with nothing new writes no file and
opens no database, so a rerun costs a walk and a few stats.

What the walk lets in: regular files, and symlinks that resolve to a regular file inside the
folder. Symlinks leading out of it, FIFOs, devices, sockets and symlinked directories are
skipped with a one-line reason; one unreadable file costs only itself. Names are bytes to
the OS: a name that is not UTF-8 reaches the file:// URI percent-encoded, losslessly.
"""

from __future__ import annotations

import logging
import mimetypes
import os
import stat
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from scrapers.archive.index import ArchiveIndex, Located
from scrapers.archive.warc import OPEN_SUFFIX, WarcFile, warc_date

log = logging.getLogger(__name__)

# Larger files are not reports (a report with its tables is well under 20 MB); they are counted, not stored.
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
# pictures too: scanned reports and table screenshots are read by OCR
REPORT_SUFFIXES = frozenset({".html", ".htm", ".shtml", ".txt", ".md", ".pdf", ".docx", ".doc", ".wps",
                             ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp"})


@dataclass
class FolderSummary:
    files: int = 0  # report files considered
    new_versions: int = 0  # written to the archive
    unchanged: int = 0
    unreadable: int = 0
    too_large: int = 0
    skipped: list[str] = field(default_factory=list)  # one line per entry not taken, with the reason
    archive_file: str | None = None

    def counts(self) -> dict[str, int]:
        return {"files": self.files, "new_versions": self.new_versions, "unchanged": self.unchanged,
                "unreadable": self.unreadable, "too_large": self.too_large}


def display_name(path: Path | str) -> str:
    """A file name fit for a line of text: bytes that are not UTF-8 shown as \\xNN escapes."""
    return os.fsencode(str(path)).decode("utf-8", "backslashreplace")


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device file"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a directory"
    return "not a regular file"


@dataclass(frozen=True)
class Candidate:
    path: Path  # where it was found (what the line names)
    target: Path  # the regular file it is (itself, or what its symlink resolves to)
    size: int
    mtime_ns: int


def walk_folder(folder: str | Path, skipped: list[str] | None = None) -> list[Candidate]:
    """The report files under a folder, in a stable order, by the rules above."""
    root = Path(folder).resolve()
    skipped = skipped if skipped is not None else []
    found: list[Candidate] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        here = Path(dirpath)
        for name in list(dirnames):
            if (here / name).is_symlink():
                # os.walk does not descend into them; say so, since the files there are not read
                skipped.append(f"{display_name(here / name)}: a symlink to a directory; not followed")
        for name in sorted(filenames):
            path = here / name
            if path.suffix.lower() not in REPORT_SUFFIXES:
                continue
            try:
                st = path.lstat()
                target = path
                if stat.S_ISLNK(st.st_mode):
                    target = Path(os.path.realpath(path))
                    if os.path.commonpath([root, target]) != str(root):
                        skipped.append(f"{display_name(path)}: a symlink to {display_name(target)}, outside the folder; refused")
                        continue
                    st = target.stat()
                if not stat.S_ISREG(st.st_mode):
                    skipped.append(f"{display_name(path)}: {_kind(st.st_mode)}; skipped")
                    continue
            except OSError as exc:
                skipped.append(f"{display_name(path)}: cannot be read ({exc.strerror or exc}); skipped")
                continue
            found.append(Candidate(path, target, st.st_size, st.st_mtime_ns))
    return found


def _read(target: Path, limit: int) -> bytes:
    """The file's bytes, opened without following a symlink swapped in since the walk, and
    without blocking should it have become a FIFO."""
    fd = os.open(target, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise OSError(f"{_kind(mode)} now")
        chunks, size = [], 0
        while chunk := os.read(fd, 1 << 20):
            size += len(chunk)
            if size > limit:
                raise OSError(f"grew past {limit} bytes")
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def file_uri(path: Path) -> str:
    """The report URL of a local file: its absolute file:// URI (any byte percent-encoded)."""
    return path.absolute().as_uri()


def _new_files(folder: Path, index: ArchiveIndex, summary: FolderSummary) -> Iterator[tuple[Candidate, str, bytes, str]]:
    """(candidate, file URI, bytes, sha256) of each report file the archive does not hold as
    it is now, counting the others in ``summary``: the one rule for what a folder adds, which
    `archive_folder` writes and `folder_unchanged` asks about. A file whose size and mtime the
    index holds is not read; one whose bytes are this file's latest in the archive is touched,
    not changed."""
    from scrapers.load.documents import sha256_hex

    files = dict(index.files)  # and what this walk wrote: a link inside the folder meets its file again
    for cand in walk_folder(folder, summary.skipped):
        summary.files += 1
        uri = file_uri(cand.target)
        known = files.get(uri)
        if known and known["size"] == cand.size and known["mtime"] == cand.mtime_ns:
            summary.unchanged += 1
            continue
        if cand.size > MAX_DOCUMENT_BYTES:
            summary.too_large += 1
            summary.skipped.append(f"{display_name(cand.path)}: {cand.size} bytes, over {MAX_DOCUMENT_BYTES}; skipped")
            continue
        try:
            body = _read(cand.target, MAX_DOCUMENT_BYTES)
        except OSError as exc:
            summary.unreadable += 1
            summary.skipped.append(f"{display_name(cand.path)}: cannot be read ({exc.strerror or exc}); skipped")
            continue
        digest = sha256_hex(body)
        if known and known["sha"] == digest:
            summary.unchanged += 1
            continue
        yield cand, uri, body, digest
        files[uri] = {"size": cand.size, "mtime": cand.mtime_ns, "sha": digest}


def folder_unchanged(folder: str | Path, archive: str | Path) -> FolderSummary | None:
    """The summary `archive_folder` would give if it had nothing to write (its skipped lines
    not logged yet), or None as soon as one file is new or changed (or the archive holds a
    file left open, which its next reader recovers). Writes nothing."""
    archive = Path(archive)
    if archive.is_dir() and any(archive.glob("*" + OPEN_SUFFIX)):
        return None
    summary = FolderSummary()
    if not Path(folder).is_dir():
        summary.skipped.append(f"{display_name(folder)}: not a folder")
        return summary
    if next(_new_files(Path(folder), ArchiveIndex.load(archive), summary), None) is not None:
        return None
    return summary


def archive_folder(folder: str | Path, archive: str | Path, *, index: ArchiveIndex | None = None) -> FolderSummary:
    """Write the folder's new report files into one new WARC file of the archive."""
    folder = Path(folder)
    archive = Path(archive)
    summary = FolderSummary()
    if not folder.is_dir():
        summary.skipped.append(f"{display_name(folder)}: not a folder")
        return summary
    index = index or ArchiveIndex.load(archive)
    bodies: dict[str, Located] = dict(index.bodies)
    warc: WarcFile | None = None
    try:
        for cand, uri, body, digest in _new_files(folder, index, summary):
            if warc is None:
                name = f"{datetime.now(timezone.utc).strftime('%Y%m%dT%H%M%S%fZ')}-local-{uuid.uuid4().hex[:8]}"
                warc = WarcFile(archive, name, {"software": "xxgk", "format": "WARC File Format 1.1",
                                                "folder": display_name(folder.resolve())})
            at = datetime.now(timezone.utc)
            fields = {"kind": "file", "size": cand.size, "mtime_ns": cand.mtime_ns,
                      "title": display_name(cand.path.stem), "media_type": mimetypes.guess_type(cand.path.name)[0]}
            held = bodies.get(digest)
            if held is not None:
                warc.revisit(uri, at, digest, held.uri, held.date, None, None, fields)
            else:
                written = warc.resource(uri, at, body, fields["media_type"] or "application/octet-stream", fields, digest)
                bodies[digest] = Located(warc.open_path, written.offset, uri, warc_date(at))
            summary.new_versions += 1
    finally:
        if warc is not None:
            path = warc.close()
            summary.archive_file = path.name if path else None
    for line in summary.skipped:
        log.warning("%s", line)
    return summary
