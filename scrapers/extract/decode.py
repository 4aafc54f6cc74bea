"""Bytes to text, the one charset decoder of the project (documents here, pages in the crawler).

Declared charsets are often wrong on these portals, so they are verified. Files are also
padded with NULs to a block size by some export tools, and reports assembled from pieces mix
UTF-8 lines into a GB18030 file; both are read, not refused as binary.
"""

from __future__ import annotations

import re

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
# Characters a page does not show: the soft hyphen (shown only where a line breaks), the
# zero-width space, joiners and word joiner, a BOM in the middle of the text. Editors and web
# pages leave them in cells ("\u200b12", "不予\u00ad公开"), and text copied from a page keeps
# them: a number or label holding one is not the number or label the page shows.
INVISIBLE = "\u00ad\u200b-\u200d\u2060\ufeff"
_INVISIBLE = re.compile(f"[{INVISIBLE}]")


def drop_invisible(text: str) -> str:
    """`text` without the characters a page does not show (one search where it has none)."""
    return _INVISIBLE.sub("", text) if _INVISIBLE.search(text) else text


# GBK and GB2312 are subsets of GB18030; decoding with the superset never loses a character.
_SUPERSETS = {"gbk": "gb18030", "gb2312": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030"}


def _normalise(name: str) -> str:
    name = name.strip().lower()
    return _SUPERSETS.get(name, name)


def declared_charset(data: bytes) -> str | None:
    m = _META_CHARSET.search(data[:4096])
    return _normalise(m.group(1).decode("ascii", "ignore")) if m else None


def strip_padding(data: bytes) -> bytes:
    """The bytes without trailing NUL padding (a UTF-16 text keeps the NUL of its last unit)."""
    if not data.endswith(b"\0"):
        return data
    stripped = data.rstrip(b"\0")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) and len(stripped) % 2:
        stripped += b"\0"
    return stripped


# Two CJK characters in a row encoded as UTF-8: GB18030 text rarely has this byte pattern,
# so it is the cheap sign that a file that is not UTF-8 as a whole has UTF-8 lines in it.
_UTF8_CJK_PAIR = re.compile(rb"[\xe3-\xe9][\x80-\xbf]{2}[\xe3-\xe9][\x80-\xbf]{2}")


def decode_mixed(data: bytes) -> str | None:
    """Text decoded line by line, UTF-8 where a line is UTF-8 and GB18030 elsewhere, when the
    bytes really mix the two (at least one non-ASCII line of each); None otherwise."""
    if not _UTF8_CJK_PAIR.search(data):
        return None
    parts: list[str] = []
    utf8 = gb = 0
    for line in data.splitlines(keepends=True):
        if line.isascii():
            parts.append(line.decode("ascii"))
            continue
        try:
            parts.append(line.decode("utf-8"))
            utf8 += 1
        except UnicodeDecodeError:
            parts.append(line.decode("gb18030", "replace"))
            gb += 1
    return "".join(parts) if utf8 and gb else None


def decode_bytes(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode a document: BOM, then the declared charset if it decodes cleanly, then
    strict UTF-8, then UTF-8 and GB18030 line by line, then GB18030, then detection.
    Trailing NUL padding is dropped first. Returns (text, charset used)."""
    data = strip_padding(data)
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace"), "utf-16"
    candidates = [c for c in (declared and _normalise(declared), declared_charset(data)) if c]
    for charset in [*candidates, "utf-8"]:
        if charset == "gb18030":
            # GB18030 decodes UTF-8 bytes too, as nonsense: a mixed file must not pass as GB18030
            mixed = decode_mixed(data)
            if mixed is not None:
                return mixed, "utf-8+gb18030"
        try:
            return data.decode(charset), charset
        except (UnicodeDecodeError, LookupError):
            continue
    mixed = decode_mixed(data)
    if mixed is not None:
        return mixed, "utf-8+gb18030"
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        pass
    # imported here: detection is the last resort, and the import costs ~50 ms of every start
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    if best is not None:
        return data.decode(best.encoding, "replace"), best.encoding
    return data.decode("utf-8", "replace"), "utf-8"


def decode_sample(head: bytes) -> str | None:
    """A sample's text if the bytes are text in one of the decoder's encodings (the sample
    may end inside a character), else None. Counting control characters is the caller's."""
    head = strip_padding(head)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", "replace")
    text = _decode_cut(head, "utf-8")
    if text is not None:
        return text
    mixed = decode_mixed(head)
    if mixed is not None:
        return mixed
    return _decode_cut(head, "gb18030")


def _decode_cut(head: bytes, encoding: str) -> str | None:
    """The sample decoded, allowing its last character to be cut (up to 3 bytes dropped)."""
    for cut in range(min(4, len(head))):
        try:
            return head[: len(head) - cut].decode(encoding)
        except UnicodeDecodeError as exc:
            # an error before the last few bytes is not a cut character
            if exc.start < len(head) - cut - 4:
                break
    return None
