"""PDF pre-checks on the raw bytes, before pdfium sees them: structures that make pdfium
allocate gigabytes or abort (form XObjects nested deep, a content stream that inflates past
any report's size).
"""

from __future__ import annotations

import re
import zlib

# Bounds on hostile files, each far above what a report needs. pdfium expands form XObjects
# recursively when it loads a page: forms nested 24 deep, each drawing the next twice, make
# it allocate gigabytes and abort. Report generators nest forms two or three deep.
MAX_FORM_DEPTH = 12
# pdfium inflates a page's content streams whole when it loads the page. A report's content
# streams inflate to a few megabytes; a stream past this is a decompression bomb.
MAX_INFLATED_STREAM = 256 * 1024 * 1024
# Streams smaller than this cannot inflate past the cap (deflate expands at most ~1032x).
INFLATE_CHECK_FROM = MAX_INFLATED_STREAM // 1032

_OBJ = re.compile(rb"(\d+)\s+\d+\s+obj\b")
_REF = re.compile(rb"(\d+)\s+\d+\s+R\b")
_FORM = re.compile(rb"/Subtype\s*/Form\b")
_XOBJECTS = re.compile(rb"/XObject\s*(<<(?:[^<>]|<<[^<>]*>>)*>>|\d+\s+\d+\s+R)")
_RESOURCES_REF = re.compile(rb"/Resources\s+(\d+)\s+\d+\s+R")
_STREAM = re.compile(rb"stream\r?\n")
# an object's dictionary is read up to this many bytes: enough for any real one
_DICT_WINDOW = 4096


def hostile_structure(data: bytes) -> str | None:
    """Why pdfium must not load this PDF (form XObjects nested too deep, a content stream that
    inflates past the cap), or None. A cheap scan of the bytes: what it cannot see (objects
    inside compressed object streams) is left to the worker's memory limit."""
    if b"/Form" in data:
        depth = _form_depth(data)
        if depth > MAX_FORM_DEPTH:
            return f"hostile PDF: form XObjects nested more than {MAX_FORM_DEPTH} deep; not opened"
    return _stream_bomb(data)


def _object_dicts(data: bytes) -> dict[int, bytes]:
    """Each object's number and the start of its body, up to its stream or its end."""
    found: dict[int, bytes] = {}
    for m in _OBJ.finditer(data):
        window = data[m.end() : m.end() + _DICT_WINDOW]
        cut = min((i for i in (window.find(b"stream"), window.find(b"endobj")) if i >= 0), default=len(window))
        found[int(m.group(1))] = window[:cut]
    return found


_OBJECT_STREAM = re.compile(rb"/Type\s*/ObjStm\b")
_FIRST = re.compile(rb"/First\s+(\d+)")
_FLATE_ONLY = re.compile(rb"/Filter\s*(/FlateDecode|\[\s*/FlateDecode\s*\])")
# object streams hold dictionaries: a few hundred kilobytes inflated at most
MAX_OBJECT_STREAM = 16 * 1024 * 1024


def _object_stream_dicts(data: bytes, dicts: dict[int, bytes]) -> dict[int, bytes]:
    """The objects packed in Flate-compressed object streams (PDF 1.5), where a scan of the
    file's bytes cannot see them; each stream inflated only up to MAX_OBJECT_STREAM."""
    found: dict[int, bytes] = {}
    for m in _OBJ.finditer(data):
        head = dicts.get(int(m.group(1)), b"")
        if not _OBJECT_STREAM.search(head) or not _FLATE_ONLY.search(head):
            continue
        first = _FIRST.search(head)
        start = _STREAM.search(data, m.end(), m.end() + _DICT_WINDOW + 16)
        if first is None or start is None:
            continue
        try:
            content = zlib.decompressobj().decompress(data[start.end() : data.find(b"endstream", start.end())],
                                                      MAX_OBJECT_STREAM)
        except zlib.error:
            continue
        offset = int(first.group(1))
        numbers = [int(v) for v in content[:offset].split()]
        pairs = list(zip(numbers[0::2], numbers[1::2]))
        for i, (number, at) in enumerate(pairs):
            end = pairs[i + 1][1] if i + 1 < len(pairs) else len(content) - offset
            found[number] = content[offset + at : offset + min(end, at + _DICT_WINDOW)]
    return found


def _form_depth(data: bytes) -> int:
    """The longest chain of forms drawing forms, following the XObject resources of each form
    (direct, or one indirect dictionary away, in the file or in an object stream); a cycle
    counts as too deep."""
    dicts = _object_dicts(data)
    if b"/ObjStm" in data:
        dicts.update(_object_stream_dicts(data, dicts))

    def xobject_refs(body: bytes) -> list[int]:
        m = _RESOURCES_REF.search(body)
        if m:  # resources in an object of their own
            body = body + dicts.get(int(m.group(1)), b"")
        refs: list[int] = []
        for x in _XOBJECTS.finditer(body):
            value = x.group(1)
            if not value.startswith(b"<<"):
                value = dicts.get(int(_REF.match(value).group(1)), b"")
            refs.extend(int(r.group(1)) for r in _REF.finditer(value))
        return refs

    forms = {number for number, body in dicts.items() if _FORM.search(body)}
    children = {number: [r for r in xobject_refs(dicts[number]) if r in forms] for number in forms}
    depth: dict[int, int] = {}
    deepest = 0
    for root in forms:
        if root in depth:
            continue
        # iterative depth-first walk: a hostile chain must not exhaust Python's stack either
        stack: list[tuple[int, int]] = [(root, 0)]
        on_path: set[int] = set()
        while stack:
            node, child_index = stack.pop()
            if child_index == 0:
                if node in on_path:
                    return MAX_FORM_DEPTH + 1
                on_path.add(node)
            kids = children[node]
            if child_index < len(kids):
                stack.append((node, child_index + 1))
                kid = kids[child_index]
                if kid in on_path:
                    return MAX_FORM_DEPTH + 1
                if kid not in depth:
                    stack.append((kid, 0))
                continue
            depth[node] = 1 + max((depth[k] for k in kids), default=0)
            on_path.discard(node)
            deepest = max(deepest, depth[node])
            if deepest > MAX_FORM_DEPTH:
                return deepest
    return deepest


def _stream_bomb(data: bytes) -> str | None:
    """A Flate stream that inflates past MAX_INFLATED_STREAM, found by inflating it into a
    small buffer that is thrown away (bounded memory, ~0.2 s for the cap's worth)."""
    for m in _STREAM.finditer(data):
        end = data.find(b"endstream", m.end())
        if end < 0:
            end = len(data)
        if end - m.end() < INFLATE_CHECK_FROM:
            continue
        head = data[max(0, m.start() - _DICT_WINDOW) : m.start()]
        head = head[head.rfind(b"obj") + 1 :]
        # images are not decoded to read text; only what pdfium inflates on page load matters
        if b"FlateDecode" not in head or b"/Image" in head:
            continue
        inflater = zlib.decompressobj()
        total = 0
        chunk = data[m.end() : end]
        try:
            while chunk and total <= MAX_INFLATED_STREAM:
                total += len(inflater.decompress(chunk, 1 << 20))
                chunk = inflater.unconsumed_tail
        except zlib.error:
            continue  # pdfium will report the stream as corrupt, or cope with it
        if total > MAX_INFLATED_STREAM:
            return (
                f"hostile PDF: a {(end - m.end()) / 1048576:.1f} MB compressed stream inflates past "
                f"{MAX_INFLATED_STREAM / 1048576:.0f} MB (decompression bomb); not opened"
            )
    return None

