"""Word 97–2003 binary files (.doc, and Kingsoft .wps files saved in the same format): their
paragraphs and table rows, read from the file itself.

Reports of 2008–2015 were often published as .doc attachments, and a machine that crawls the
portals rarely has LibreOffice or antiword. olefile opens the compound file; what no Python
library reads is the Word binary inside it ([MS-DOC]): the text is the piece table's pieces in
character-position order, and a table is known only from the paragraph properties of its
marks: a cell ends in a 0x07 mark inside a table (sprmPFInTable), a row in a 0x07 mark that is
a table-terminating paragraph (sprmPFTtp), whose properties also hold the row's cell edges and
merges (sprmTDefTable, sprmTVertMerge).

Rows follow the .docx reader's contract: one Cell per cell that starts in the row, left to
right, with x0/x1 in points from the row's cell edges; a cell continuing a vertical or
horizontal merge shows nothing of its own and is left out; a one-cell row (a frame) is read as
the paragraphs it holds. When the paragraph properties cannot be read, the text is still read,
one row per paragraph, and the lost table structure is said in `problems`.

Anything this reader does not take (Word 6/95 files, encrypted files) is a one-line reason,
and the caller tries an installed converter.
"""

from __future__ import annotations

import bisect
import io
import re
import struct
import sys
from array import array
from dataclasses import dataclass, field

from scrapers.extract.cell_text import join_wrapped
from scrapers.extract.docx import word_title
from scrapers.extract.model import Cell, Extracted, Row

# Bounds: a report is tens of thousands of characters; hostile files claim billions.
MAX_CHARACTERS = 5_000_000
MAX_PIECES = 100_000
MAX_FKP_PAGES = 20_000
MAX_ROWS = 50_000

_FIB_IDENT = 0xA5EC
_NFIB_WORD97 = 0x00C1
_F_ENCRYPTED = 0x0100
_F_WHICH_TABLE_STREAM = 0x0200
_COMPRESSED = 0x40000000
# FibRgFcLcb97 pairs (fc, lcb) by index
_FC_PLCF_BTE_PAPX = 13
_FC_CLX = 33
_FKP_SIZE = 512

_SPRM_P_IN_TABLE = 0x2416
_SPRM_P_TTP = 0x2417
_SPRM_P_ITAP = 0x6649
_SPRM_P_HUGE_PAPX = 0x6646
_SPRM_P_CHG_TABS = 0xC615
_SPRM_T_DEF_TABLE = 0xD608
_SPRM_T_DEF_TABLE10 = 0xD606
_SPRM_T_VERT_MERGE = 0xD62B
# operand sizes by spra (the sprm's top three bits); 6 is variable
_OPERAND_SIZE = {0: 1, 1: 1, 2: 2, 3: 4, 4: 2, 5: 2, 7: 3}

# control characters of the main text: paragraph and cell marks, field delimiters, breaks,
# anchors of pictures and drawn objects
_SPECIAL = re.compile("[\x00-\x1f]")
_FIELD_BEGIN, _FIELD_SEPARATOR, _FIELD_END = "\x13", "\x14", "\x15"
_PICTURE_ANCHORS = "\x01\x08"


class Word97Error(ValueError):
    """The file is not one this reader takes; the message is the one-line reason."""


@dataclass
class _Paragraph:
    in_table: bool = False
    ttp: bool = False
    itap: int = 0
    # from a row-ending paragraph: the cell edges (twips) and each cell's merge flags
    centers: tuple[int, ...] = ()
    merges: dict[int, tuple[int, int]] = field(default_factory=dict)  # itc -> (horizontal, vertical)


_PLAIN = _Paragraph()


def extract_word97(data: bytes, fmt: str = "doc") -> Extracted:
    """The rows and text of a Word 97–2003 file; raises Word97Error with the reason when it is
    not one this reader takes (the caller may then try a converter)."""
    import olefile

    if data[:8] != olefile.MAGIC:
        raise Word97Error("not an OLE compound file")
    try:
        # a file object: olefile takes short bytes for a file name
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception as exc:  # olefile raises OSError, struct.error, IndexError… on a broken container
        raise Word97Error(f"broken compound file: {exc}") from exc
    with ole:
        if not ole.exists("WordDocument"):
            raise Word97Error("no WordDocument stream")
        try:
            word = ole.openstream("WordDocument").read()
            fib = _Fib.read(word)
            table_name = "1Table" if fib.which_table else "0Table"
            if not ole.exists(table_name):
                raise Word97Error(f"the {table_name} stream the file names is missing")
            table = ole.openstream(table_name).read()
            data_stream = ole.openstream("Data").read() if ole.exists("Data") else b""
            text, pieces = _main_text(word, table, fib)
        except (struct.error, IndexError, OSError) as exc:  # offsets and sizes that point outside the file
            raise Word97Error(f"broken Word structure: {exc}") from exc
    problems: list[str] = []
    try:
        runs = _paragraph_runs(word, table, data_stream, fib)
    except (struct.error, IndexError, Word97Error) as exc:
        runs = None
        problems.append(f"{fmt}: paragraph properties unreadable ({exc}): tables read as lines of text")
    reader = _Reader(problems)
    for para, mark, cp in _paragraphs(text):
        props = _PLAIN if runs is None else runs.at(_fc_of(pieces, cp))
        reader.paragraph(para, mark, props, structured=runs is not None)
        if reader.full:
            break
    reader.close()
    rows = reader.rows
    return Extracted(format=fmt, rows=rows, text="\n".join("\t".join(r.texts) for r in rows), title=word_title(rows),
                     problems=problems, images=sum(text.count(c) for c in _PICTURE_ANCHORS))


@dataclass
class _Fib:
    which_table: bool
    characters: int
    pairs: tuple[tuple[int, int], ...]

    @classmethod
    def read(cls, word: bytes) -> "_Fib":
        if len(word) < 0x200:
            raise Word97Error("WordDocument stream too short for a file information block")
        ident, nfib = struct.unpack_from("<HH", word, 0)
        if ident != _FIB_IDENT:
            raise Word97Error(f"not a Word file (identifier {ident:#06x})")
        flags = struct.unpack_from("<H", word, 0x0A)[0]
        if flags & _F_ENCRYPTED:
            raise Word97Error("encrypted or password-protected")
        if nfib < _NFIB_WORD97 - 1:
            raise Word97Error(f"Word 6/95 format (nFib {nfib}), older than Word 97")
        offset = 32
        csw = struct.unpack_from("<H", word, offset)[0]
        offset += 2 + 2 * csw
        cslw = struct.unpack_from("<H", word, offset)[0]
        characters = struct.unpack_from("<I", word, offset + 2 + 12)[0]  # FibRgLw97.ccpText
        offset += 2 + 4 * cslw
        count = struct.unpack_from("<H", word, offset)[0]
        offset += 2
        if offset + 8 * count > len(word):
            raise Word97Error("file information block runs past its stream")
        pairs = tuple(struct.unpack_from("<II", word, offset + 8 * i) for i in range(count))
        if count <= _FC_CLX:
            raise Word97Error("file information block has no piece table")
        if characters > MAX_CHARACTERS:
            raise Word97Error(f"claims {characters} characters of text, over the {MAX_CHARACTERS} limit")
        return cls(bool(flags & _F_WHICH_TABLE_STREAM), characters, pairs)


def _main_text(word: bytes, table: bytes, fib: _Fib) -> tuple[str, list[tuple[int, int, int, int]]]:
    """The main document's text (character positions 0..ccpText) and its pieces as (first cp,
    end cp, fc of the first character, bytes per character)."""
    fc, lcb = fib.pairs[_FC_CLX]
    clx = table[fc:fc + lcb]
    if len(clx) < lcb or not lcb:
        raise Word97Error("the piece table lies outside its stream")
    pos = 0
    while pos < len(clx) and clx[pos] == 0x01:  # Prc: formatting the pieces may refer to
        pos += 3 + struct.unpack_from("<H", clx, pos + 1)[0]
    if pos + 5 > len(clx) or clx[pos] != 0x02:
        raise Word97Error("no piece table in the file's table stream")
    size = struct.unpack_from("<I", clx, pos + 1)[0]
    plc = clx[pos + 5:pos + 5 + size]
    n = (len(plc) - 4) // 12
    if n <= 0 or n > MAX_PIECES:
        raise Word97Error(f"a piece table of {n} pieces")
    cps = struct.unpack_from(f"<{n + 1}I", plc, 0)
    parts: list[str] = []
    pieces: list[tuple[int, int, int, int]] = []
    for i in range(n):
        start, end = cps[i], min(cps[i + 1], fib.characters)
        if start >= end:
            continue
        raw = struct.unpack_from("<I", plc, 4 * (n + 1) + 8 * i + 2)[0]
        count = end - start
        if raw & _COMPRESSED:
            at, width = (raw & ~_COMPRESSED) // 2, 1
        else:
            at, width = raw, 2
        chunk = word[at:at + width * count]
        if len(chunk) < width * count:
            raise Word97Error("a piece of the text lies outside the file")
        if width == 1:
            parts.append(chunk.decode("cp1252", errors="replace"))
        else:
            piece = chunk.decode("utf-16-le", errors="replace")
            if len(piece) != count:
                # a character outside the BMP (a rare name's 𠀀) is two positions of the file: kept
                # as its two code units, so positions stay the file's, and joined when its
                # paragraph is read
                units = array("H", chunk)
                if sys.byteorder != "little":
                    units.byteswap()
                piece = "".join(map(chr, units))
            parts.append(piece)
        pieces.append((start, end, at, width))
    return "".join(parts), pieces


def _fc_of(pieces: list[tuple[int, int, int, int]], cp: int) -> int:
    for start, end, fc, width in pieces:
        if start <= cp < end:
            return fc + (cp - start) * width
    return -1


class _Runs:
    """Paragraph properties by file position, from the FKP pages."""

    def __init__(self, starts: list[int], ends: list[int], props: list[_Paragraph]):
        self.starts, self.ends, self.props = starts, ends, props

    def at(self, fc: int) -> _Paragraph:
        i = bisect.bisect_right(self.starts, fc) - 1
        if i >= 0 and fc < self.ends[i]:
            return self.props[i]
        return _PLAIN


def _paragraph_runs(word: bytes, table: bytes, data_stream: bytes, fib: _Fib) -> _Runs:
    fc, lcb = fib.pairs[_FC_PLCF_BTE_PAPX]
    plc = table[fc:fc + lcb]
    n = (len(plc) - 4) // 8
    if n <= 0 or n > MAX_FKP_PAGES:
        raise Word97Error(f"{n} paragraph property pages")
    pages = struct.unpack_from(f"<{n}I", plc, 4 * (n + 1))
    runs: list[tuple[int, int, _Paragraph]] = []
    known: dict[bytes, _Paragraph] = {}  # a document's paragraphs share a few property sets
    for pn in pages:
        page = word[(pn & 0x3FFFFF) * _FKP_SIZE:][:_FKP_SIZE]
        if len(page) < _FKP_SIZE:
            raise Word97Error("a paragraph property page lies outside the file")
        crun = page[511]
        fcs = struct.unpack_from(f"<{crun + 1}I", page, 0)
        for i in range(crun):
            offset = page[4 * (crun + 1) + 13 * i]
            props = _papx(page, 2 * offset, data_stream, known) if offset else _PLAIN
            runs.append((fcs[i], fcs[i + 1], props))
    runs.sort(key=lambda r: r[0])
    return _Runs([r[0] for r in runs], [r[1] for r in runs], [r[2] for r in runs])


def _papx(page: bytes, offset: int, data_stream: bytes, known: dict[bytes, _Paragraph]) -> _Paragraph:
    cb = page[offset]
    if cb:
        grpprl = page[offset + 1:offset + 2 * cb]
    else:
        grpprl = page[offset + 2:offset + 2 + 2 * page[offset + 1]]
    props = known.get(grpprl)
    if props is None:
        props = known[grpprl] = _Paragraph()
        _apply_sprms(props, grpprl, 2, data_stream)  # after the style index
    return props


def _apply_sprms(props: _Paragraph, grpprl: bytes, i: int, data_stream: bytes) -> None:
    end = len(grpprl)
    while i + 2 <= end:
        sprm = struct.unpack_from("<H", grpprl, i)[0]
        i += 2
        spra = sprm >> 13
        if spra != 6:
            size = _OPERAND_SIZE[spra]
        elif sprm in (_SPRM_T_DEF_TABLE, _SPRM_T_DEF_TABLE10):
            size = struct.unpack_from("<H", grpprl, i)[0] + 1
        elif sprm == _SPRM_P_CHG_TABS and grpprl[i] == 255:
            deleted = grpprl[i + 1]
            added = grpprl[i + 2 + 4 * deleted]
            size = 3 + 4 * deleted + 3 * added
        else:
            size = grpprl[i] + 1
        operand = grpprl[i:i + size]
        if len(operand) < size:
            raise Word97Error(f"property {sprm:#06x} runs past its paragraph's properties")
        i += size
        if sprm == _SPRM_P_IN_TABLE:
            props.in_table = bool(operand[0])
        elif sprm == _SPRM_P_TTP:
            props.ttp = bool(operand[0])
        elif sprm == _SPRM_P_ITAP:
            props.itap = struct.unpack_from("<i", operand)[0]
        elif sprm == _SPRM_T_DEF_TABLE:
            _def_table(props, operand)
        elif sprm == _SPRM_T_VERT_MERGE and len(operand) >= 3:
            horizontal, _ = props.merges.get(operand[1], (0, 0))
            props.merges[operand[1]] = (horizontal, operand[2])
        elif sprm == _SPRM_P_HUGE_PAPX:
            # the properties are too long for their page: they lie in the Data stream
            at = struct.unpack_from("<I", operand)[0]
            if at + 2 <= len(data_stream):
                count = struct.unpack_from("<H", data_stream, at)[0]
                _apply_sprms(props, data_stream[at + 2:at + 2 + count], 0, data_stream)


def _def_table(props: _Paragraph, operand: bytes) -> None:
    """sprmTDefTable: the row's cell count, its cell edges (twips) and each cell's TC80, whose
    first word holds the horizontal (bits 0-1) and vertical (bits 5-6) merge."""
    cells = operand[2]
    centers_end = 3 + 2 * (cells + 1)
    if cells == 0 or centers_end > len(operand):
        return
    props.centers = struct.unpack_from(f"<{cells + 1}h", operand, 3)
    for itc in range(cells):
        at = centers_end + 20 * itc
        if at + 2 > len(operand):
            break
        flags = struct.unpack_from("<H", operand, at)[0]
        props.merges[itc] = (flags & 0x3, (flags >> 5) & 0x3)


def _paragraphs(text: str):
    """(text, mark, cp of the mark) for every paragraph of the main text: field instructions left
    out, field results kept, line and page breaks as line ends, anchors dropped."""
    fields: list[bool] = []  # one per open field: True while in its instruction
    hidden = False
    parts: list[str] = []
    pos = 0
    for m in _SPECIAL.finditer(text):
        at = m.start()
        if not hidden:
            parts.append(text[pos:at])
        pos = at + 1
        ch = text[at]
        if ch == "\r" or ch == "\x07":
            yield _joined(parts), ch, at
            parts = []
        elif ch == _FIELD_BEGIN:
            fields.append(True)
        elif ch == _FIELD_SEPARATOR:
            if fields:
                fields[-1] = False
        elif ch == _FIELD_END:
            if fields:
                fields.pop()
        elif not hidden:
            if ch in "\x0b\x0c":
                parts.append("\n")
            elif ch == "\t":
                parts.append("\t")
            elif ch == "\x1e":  # non-breaking hyphen
                parts.append("-")
        hidden = any(fields)
    if not hidden:
        parts.append(text[pos:])
    tail = _joined(parts)
    if tail.strip():
        yield tail, "\r", len(text)


def _joined(parts: list[str]) -> str:
    text = "".join(parts)
    if _SURROGATE.search(text):
        # the two code units of a character outside the BMP become the character; a lone one, "?"
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", errors="replace")
    return text


_SURROGATE = re.compile("[\ud800-\udfff]")


class _Reader:
    """Paragraphs in, rows out, in document order."""

    def __init__(self, problems: list[str]):
        self.rows: list[Row] = []
        self.problems = problems
        self.paragraphs = 0
        self.tables = 0
        self.table_rows = 0
        self.cells: list[str] = []
        self.lines: list[str] = []
        self.in_table = False
        self.full = False

    def paragraph(self, text: str, mark: str, props: _Paragraph, structured: bool) -> None:
        if structured and mark == "\x07" and props.ttp:
            self._row(props)
        elif structured and (props.in_table or props.itap > 0):
            # a cell's paragraph; a nested table's marks are paragraphs of the outer cell
            self.lines.extend(text.split("\n"))
            if mark == "\x07":
                self.cells.append(join_wrapped([ln.replace("\t", " ") for ln in self.lines]))
                self.lines = []
        else:
            self._end_table()
            self._text(text)
        if len(self.rows) >= MAX_ROWS and not self.full:
            self.full = True
            self.problems.append(f"only the first {MAX_ROWS} rows were read: no report is longer")

    def close(self) -> None:
        if self.cells or self.lines:
            # a row the file never ended: its cells, unplaced
            self.cells.extend([join_wrapped(self.lines)] if self.lines else [])
            self._row(_PLAIN)
        self._end_table()

    def _text(self, text: str) -> None:
        self.paragraphs += 1
        for line in text.split("\n"):
            fields = [f.strip() for f in line.split("\t")]
            if any(fields):
                self.rows.append(Row(cells=[Cell(f) for f in fields] if len(fields) > 1 else [Cell(fields[0])],
                                     loc=f"paragraph {self.paragraphs}", kind="text"))

    def _end_table(self) -> None:
        self.in_table = False

    def _row(self, props: _Paragraph) -> None:
        texts, self.cells, self.lines = self.cells, [], []
        if len(texts) == 1:
            # a one-cell row is a frame around content, not a row of data
            self._end_table()
            self._text(texts[0])
            return
        if not self.in_table:
            self.in_table = True
            self.tables += 1
            self.table_rows = 0
        self.table_rows += 1
        placed = len(props.centers) == len(texts) + 1
        edges = [round((c - props.centers[0]) / 20, 1) for c in props.centers] if placed else []
        cells: list[Cell] = []
        for itc, text in enumerate(texts):
            horizontal, vertical = props.merges.get(itc, (0, 0)) if placed else (0, 0)
            if vertical == 1 or horizontal in (2, 3):
                # continues a merge begun above or to the left: nothing of its own
                if horizontal in (2, 3) and cells and cells[-1].x1 is not None:
                    cells[-1].x1 = edges[itc + 1]
                continue
            cells.append(Cell(text, edges[itc] if placed else None, edges[itc + 1] if placed else None))
        if any(c.text for c in cells):
            self.rows.append(Row(cells=cells, loc=f"table {self.tables} row {self.table_rows}", kind="table"))
