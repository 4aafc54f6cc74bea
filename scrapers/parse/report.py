"""Parse one report document: detect its format, extract rows, read tables 二/三/四, check them."""

from __future__ import annotations

from pathlib import Path

from scrapers.parse.model import Parse


def parse_document(data: bytes, name: str | None = None) -> Parse:
    """The parse of one document's bytes. Never raises: failures become a status and problems."""
    raise NotImplementedError


def parse_file(path: str | Path) -> Parse:
    return parse_document(Path(path).read_bytes(), name=str(path))
