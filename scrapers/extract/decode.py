"""Bytes to text: declared charsets are often wrong on these portals, so verify them."""

from __future__ import annotations

import re

from charset_normalizer import from_bytes

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
# GBK and GB2312 are subsets of GB18030; decoding with the superset never loses a character.
_SUPERSETS = {"gbk": "gb18030", "gb2312": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030"}


def _normalise(name: str) -> str:
    name = name.strip().lower()
    return _SUPERSETS.get(name, name)


def declared_charset(data: bytes) -> str | None:
    m = _META_CHARSET.search(data[:4096])
    return _normalise(m.group(1).decode("ascii", "ignore")) if m else None


def decode_bytes(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode a document: BOM, then the declared charset if it decodes cleanly, then
    strict UTF-8, then GB18030, then detection. Returns (text, charset used)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace"), "utf-16"
    candidates = [c for c in (declared and _normalise(declared), declared_charset(data)) if c]
    for charset in [*candidates, "utf-8", "gb18030"]:
        try:
            return data.decode(charset), charset
        except (UnicodeDecodeError, LookupError):
            continue
    best = from_bytes(data[:200_000]).best()
    if best is not None:
        return data.decode(best.encoding, "replace"), best.encoding
    return data.decode("utf-8", "replace"), "utf-8"
