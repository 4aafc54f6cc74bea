""".docx reports: paragraphs and table rows in document order, read with lxml the way
python-docx reads them (its package rules, parser options, constants and table properties),
from the main document part alone (and the HTML parts it imports with w:altChunk). Before the
walk the body is made what Word prints: moved-away and hidden text and the fallback copies of
text boxes are removed, and content controls, custom XML and smart tags are unwrapped, where
python-docx would read the first and skip a wrapped cell, shifting its row.

The zip is inspected before any part is read: a .docx is a zip archive, and a zip of a few
kilobytes can inflate to gigabytes.

Table rows follow the same contract as PDF and HTML rows: one Cell per cell that starts in
the row, left to right. A cell spanning columns (gridSpan) appears once; a cell spanning
rows (vMerge) appears in its first row only, like an HTML rowspan cell. Cells carry x0/x1
in points from the table grid's column widths, so the parser can place numbers by
position as it does for PDFs. A table nested in a cell is emitted after its row; a
one-cell table used as a layout frame is read as the body it frames.
"""

from __future__ import annotations

import io
import zipfile

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import NAMESPACE as NS
from docx.opc.constants import RELATIONSHIP_TARGET_MODE as RTM
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.oxml import parse_xml
from docx.oxml.exceptions import InvalidXmlError
from docx.oxml.ns import nsmap, qn
from lxml import etree

from scrapers.extract.cell_text import join_wrapped
from scrapers.extract.model import Cell, Extracted, Row

# A report is a few hundred kilobytes of XML; images are stored, not compressed further.
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_ENTRIES = 5_000
# Word's XML deflates 5-20x; a run of one repeated byte deflates ~1000x.
MAX_RATIO = 100
RATIO_CHECK_FROM_BYTES = 1024 * 1024
MAX_TABLE_DEPTH = 5
# lxml holds a parsed part at 5-40x its size: a 150 MB document.xml (a 47 MB docx) costs
# 6.5 GB. A report's document.xml is under 2 MB; every XML part is held to this.
MAX_XML_PART_BYTES = 16 * 1024 * 1024
# a long report has a few thousand paragraphs and table rows
MAX_ROWS = 50_000
# the longest title line: an office's full name and the report's ("北京市…街道办事处2019年政府信息公开工作年度报告")
_TITLE_MAX = 80

_W_P = qn("w:p")
_W_TBL = qn("w:tbl")
_W_SDT = qn("w:sdt")
_W_SDT_CONTENT = qn("w:sdtContent")
_W_CUSTOM_XML = qn("w:customXml")
_W_TR = qn("w:tr")
_W_TC = qn("w:tc")
_W_T = qn("w:t")
_W_TAB = qn("w:tab")
_W_BR = qn("w:br")
_W_CR = qn("w:cr")
_W_GRID_COL = qn("w:gridCol")
_W_DRAWING = qn("w:drawing")
_W_PICT = qn("w:pict")
_W_W = qn("w:w")
_W_VAL = qn("w:val")
_W_DOCUMENT = qn("w:document")
_W_BODY = qn("w:body")
_W_TBL_GRID = qn("w:tblGrid")
_W_TR_PR = qn("w:trPr")
_W_GRID_BEFORE = qn("w:gridBefore")
_W_TC_PR = qn("w:tcPr")
_W_GRID_SPAN = qn("w:gridSpan")
_W_V_MERGE = qn("w:vMerge")
_W_TR_TC = f"{_W_TR}/{_W_TC}"
_W_ALT_CHUNK = qn("w:altChunk")
# Strict OOXML (ISO 29500 Strict) names the same elements in other namespaces: its main part is
# read as the transitional one once its namespace names are mapped
_STRICT_NAMES = (
    (b"http://purl.oclc.org/ooxml/wordprocessingml/main", nsmap["w"].encode()),
    (b"http://purl.oclc.org/ooxml/officeDocument/relationships", nsmap["r"].encode()),
)
_STRICT_OFFICE_DOCUMENT = "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"
# the main parts of a document, a macro-enabled document and their templates share one schema
WORD_MAIN_TYPES = frozenset((
    CT.WML_DOCUMENT_MAIN,
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
))
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
# What Word does not print: text moved away (w:moveFrom keeps it in w:t, unlike w:del's
# w:delText), hidden runs, and the fallback copy of content an mc:Choice already holds (a text
# box is written twice). Content controls, custom XML and smart tags only wrap what they hold.
_UNPRINTED = etree.XPath(
    "//w:moveFrom | //w:r[w:rPr/w:vanish[not(@w:val) or not(@w:val='0' or @w:val='false' or @w:val='off')]]"
    " | //mc:AlternateContent[mc:Choice]/mc:Fallback",
    namespaces={"w": nsmap["w"], "mc": _MC},
)
# a text box holding a table: a table laid out on the page, not words inside a line
_TABLE_BOXES = etree.XPath("//w:txbxContent[.//w:tbl]", namespaces={"w": nsmap["w"]})
_ALT_CHUNKS = etree.XPath("//w:altChunk", namespaces={"w": nsmap["w"]})
_WRAPPERS = etree.XPath("//w:sdt | //w:customXml | //w:smartTag", namespaces={"w": nsmap["w"]})
_WRAPPER_PROPERTIES = frozenset((qn("w:sdtPr"), qn("w:sdtEndPr"), qn("w:customXmlPr"), qn("w:smartTagPr")))
# what a table's walk stops at: its rows, cells, their paragraphs and the text inside them
_TABLE_TAGS = (_W_TBL, _W_TR, _W_TC, _W_P, _W_T, _W_TAB, _W_BR, _W_CR)
_CELL_COUNT = etree.XPath("count(w:tr/w:tc)", namespaces={"w": nsmap["w"]})
# the package's parts list and relationships
_PR_RELATIONSHIP = f"{{{NS.OPC_RELATIONSHIPS}}}Relationship"
_CT_OVERRIDE = f"{{{NS.OPC_CONTENT_TYPES}}}Override"
_CT_DEFAULT = f"{{{NS.OPC_CONTENT_TYPES}}}Default"

# python-docx's own parser options (docx.oxml.parser), without its element classes: the body is
# read with plain lxml calls, and python-docx's classes look every property up again per call
_PARSER = etree.XMLParser(remove_blank_text=True, resolve_entities=False)


def zip_problem(data: bytes) -> str | None:
    """Why this zip must not be opened (a bomb, or not a zip), or None when it is safe."""
    return _checked_zip(data)[1]


def _checked_zip(data: bytes) -> tuple[zipfile.ZipFile | None, str | None]:
    """The archive, read once for its checks and its parts, or why it must not be opened."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        return None, f"not a valid .docx (zip archive unreadable: {exc})"
    problem = _bomb(archive, len(data))
    if problem:
        archive.close()
        return None, problem
    return archive, None


def _bomb(archive: zipfile.ZipFile, size: int) -> str | None:
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        return f"zip bomb suspected: {len(infos)} entries (limit {MAX_ENTRIES})"
    total = sum(info.file_size for info in infos)
    if total > MAX_UNCOMPRESSED_BYTES:
        return (
            f"zip bomb suspected: {total / 1048576:.0f} MB uncompressed "
            f"(limit {MAX_UNCOMPRESSED_BYTES / 1048576:.0f} MB) from {size / 1024:.0f} KB"
        )
    for info in infos:
        if info.file_size >= RATIO_CHECK_FROM_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            return (
                f"zip bomb suspected: {info.filename} inflates {info.file_size / max(info.compress_size, 1):.0f}x "
                f"(limit {MAX_RATIO}x)"
            )
    for info in infos:
        if info.file_size > MAX_XML_PART_BYTES and info.filename.lower().endswith((".xml", ".rels")):
            return (
                f"not a report: {info.filename} is {info.file_size / 1048576:.0f} MB of XML "
                f"(limit {MAX_XML_PART_BYTES / 1048576:.0f} MB); not opened"
            )
    return None


def extract_docx(data: bytes) -> Extracted:
    """The rows and text of a .docx. Never raises; problems become a status and reasons."""
    archive, problem = _checked_zip(data)
    if problem:
        return Extracted(format="docx", status="failed", problems=[problem])
    try:
        with archive:
            body, chunks = _main_body(archive)
    except Exception as exc:  # python-docx raises KeyError, ValueError, lxml errors... on broken packages
        return Extracted(format="docx", status="failed", problems=[f"not a readable .docx: {exc!r}"])
    reader = _BodyReader(chunks)
    reader.read_blocks(body, depth=0)
    rows = reader.rows
    text = "\n".join("\t".join(row.texts) for row in rows)
    title = word_title(rows)
    # pictures: DrawingML (w:drawing) and legacy VML (w:pict) ones
    images = sum(1 for _ in body.iter(_W_DRAWING, _W_PICT))
    return Extracted(format="docx", rows=rows, text=text, title=title, problems=reader.problems, images=images)


def word_title(rows: list[Row]) -> str | None:
    """A Word file's title: its first paragraphs before any table, joined up to the one that names
    the 报告 (or 年报). Only short lines that are not sentences count: a file that opens with its
    prose has no title line, and a sentence ("由…编制的2014年度…报告。") is not one."""
    title = ""
    for row in rows[:4]:
        line = "".join(row.texts)
        if row.kind != "text" or len(line) > _TITLE_MAX or line.rstrip().endswith(("。", "；", ";")):
            return None
        title += line
        if "报告" in line or "年报" in line:
            return title
    return None


def _main_body(archive: zipfile.ZipFile):
    """The w:body of the package's main document part, found as python-docx's Document() finds
    it: the first internal package relationship of type officeDocument, its target resolved
    against the package root, its content type from [Content_Types].xml (an override for the
    part, else the default for its extension, both matched without case) a WordprocessingML
    document. Only the three parts that takes are read: python-docx's PackageReader inflates
    and parses every part of the package (styles alone are often a megabyte) before it answers."""
    content_types = etree.fromstring(archive.read("[Content_Types].xml"), _PARSER)
    try:
        package_rels = archive.read("_rels/.rels")
    except KeyError:  # no package relationships: no main part either
        package_rels = None
    main = None
    if package_rels is not None:
        for rel in etree.fromstring(package_rels, _PARSER).iterchildren(_PR_RELATIONSHIP):
            if (rel.get("Type") in (RT.OFFICE_DOCUMENT, _STRICT_OFFICE_DOCUMENT)
                    and rel.get("TargetMode", RTM.INTERNAL) != RTM.EXTERNAL):
                main = PackURI.from_rel_ref("/", rel.get("Target"))
                break
    if main is None:
        raise KeyError(f"no relationship of type '{RT.OFFICE_DOCUMENT}'")
    overrides = {o.get("PartName").lower(): o.get("ContentType") for o in content_types.iterchildren(_CT_OVERRIDE)}
    defaults = {d.get("Extension").lower(): d.get("ContentType") for d in content_types.iterchildren(_CT_DEFAULT)}
    content_type = overrides.get(main.lower(), defaults.get(main.ext.lower()))
    if content_type is None:
        raise KeyError(f"no content type for partname '{main}' in [Content_Types].xml")
    if content_type not in WORD_MAIN_TYPES:
        raise ValueError(f"not a Word file, content type is '{content_type}'")
    blob = archive.read(main.membername)
    chunks = _alt_chunk_parts(archive, main) if b"altChunk" in blob else {}
    if b"purl.oclc.org/ooxml/" in blob[:4096]:
        for strict, transitional in _STRICT_NAMES:
            blob = blob.replace(strict, transitional)
    root = etree.fromstring(blob, _PARSER)
    if root.tag != _W_DOCUMENT:
        # only python-docx's document element has a body: its own error, word for word
        return parse_xml(blob).body, chunks
    body = _first(root, _W_BODY)
    if body is not None:
        _keep_printed(body)
    return body, chunks


def _alt_chunk_parts(archive: zipfile.ZipFile, main: PackURI) -> dict[str, bytes]:
    """The parts the main part imports whole (w:altChunk: HTML, MHT or text that HTML-to-Word
    tools embed and Word converts when it opens the file), by relationship id."""
    try:
        rels = etree.fromstring(archive.read(main.rels_uri.membername), _PARSER)
    except KeyError:
        return {}
    parts = {}
    for rel in rels.iterchildren(_PR_RELATIONSHIP):
        if rel.get("Type", "").endswith("/aFChunk") and rel.get("TargetMode", RTM.INTERNAL) != RTM.EXTERNAL:
            try:
                parts[rel.get("Id")] = archive.read(PackURI.from_rel_ref(main.baseURI, rel.get("Target")).membername)
            except KeyError:
                pass
    return parts


def _keep_printed(body) -> None:
    """The body as Word prints it, in place: unprinted text removed, and the content of a
    content control, custom XML element or smart tag put where the wrapper stood, so that a
    wrapped cell is a cell of its row and a wrapped row a row of its table. Two XPath passes
    over a body with none of these cost a fraction of the walk that follows."""
    for el in _UNPRINTED(body):
        parent = el.getparent()
        if parent is not None:
            parent.remove(el)
    # document order: an outer wrapper is opened before the ones inside it, whose parent it
    # then no longer is; each is unwrapped into whatever holds it by then
    for el in _WRAPPERS(body):
        parent = el.getparent()
        if parent is None:
            continue
        content = _first(el, _W_SDT_CONTENT) if el.tag == _W_SDT else el
        at = parent.index(el)
        children = [] if content is None else [c for c in content if c.tag not in _WRAPPER_PROPERTIES]
        for offset, child in enumerate(children):
            parent.insert(at + offset, child)
        parent.remove(el)
    # a text box's content follows the paragraph it is anchored in (in a cell: as a table
    # nested in the cell), or its rows would be read as the words of that paragraph
    for box in _TABLE_BOXES(body):
        anchor = next(box.iterancestors(_W_P), None)
        if anchor is None or anchor.getparent() is None:
            continue
        holder = anchor.getparent()
        at = holder.index(anchor) + 1
        for offset, child in enumerate(list(box)):
            holder.insert(at + offset, child)
        box.getparent().remove(box)


def _first(parent, tag):
    """parent.find(tag): its first child of that tag. lxml's find() parses its path through
    ElementPath in Python on every call (2 µs, three times a table cell); a child iterator of
    one tag is the same lookup done in C."""
    return next(parent.iterchildren(tag), None)


def _paragraph_text(p) -> str:
    """All visible text of a paragraph, including runs inside hyperlinks, fields, content
    controls and tracked insertions (python-docx's Paragraph.text skips some of these)."""
    parts = []
    for el in p.iter(_W_T, _W_TAB, _W_BR, _W_CR):
        if el.tag == _W_T:
            parts.append(el.text or "")
        elif el.tag == _W_TAB:
            parts.append("\t")
        else:
            parts.append("\n")
    return "".join(parts)


class _BodyReader:
    def __init__(self, chunks: dict[str, bytes] | None = None) -> None:
        self.chunks = chunks or {}
        self.rows: list[Row] = []
        self.problems: list[str] = []
        self.paragraphs = 0
        self.tables = 0

    def read_blocks(self, parent, depth: int) -> None:
        for child in parent.iterchildren():
            tag = child.tag
            if tag == _W_P:
                self._paragraph(child)
            elif tag == _W_TBL:
                self._table(child, depth)
            elif tag in (_W_SDT, _W_CUSTOM_XML):
                content = _first(child, _W_SDT_CONTENT) if tag == _W_SDT else child
                if content is not None:
                    self.read_blocks(content, depth)
            elif tag == _W_ALT_CHUNK:
                self._alt_chunk(child)

    def _alt_chunk(self, element) -> None:
        """An imported HTML part's rows in place, its tables numbered on from this document's.
        A part that is not HTML (MHT, RTF, plain text) is named, not read."""
        data = self.chunks.get(element.get(qn("r:id")))
        if data is None:
            self.problems.append("an imported part (w:altChunk) is missing from the package; not read")
            return
        from scrapers.extract.sniff import sniff_format

        if sniff_format(data, "chunk.htm") != "html":
            self.problems.append("an imported part (w:altChunk) is not HTML; not read")
            return
        from scrapers.extract.html import extract_html

        found = extract_html(data)
        first = self.tables
        for row in found.rows:
            if row.kind == "table":
                number, _, rest = row.loc.removeprefix("table ").partition(" ")
                if number.isdigit():
                    self.tables = max(self.tables, first + int(number))
                    row.loc = f"table {first + int(number)} {rest}"
            self.rows.append(row)
        self.problems.extend(found.problems)

    def _full(self) -> bool:
        if len(self.rows) < MAX_ROWS:
            return False
        if not self.problems or not self.problems[-1].startswith("only the first"):
            self.problems.append(f"only the first {MAX_ROWS} rows were read: no report is longer")
        return True

    def _paragraph(self, p) -> None:
        if self._full():
            return
        self.paragraphs += 1
        for line in _paragraph_text(p).split("\n"):
            fields = [f.strip() for f in line.split("\t")]
            if not any(fields):
                continue
            if len(fields) > 1:
                cells = [Cell(f) for f in fields]
            else:
                cells = [Cell(fields[0])]
            self.rows.append(Row(cells=cells, loc=f"paragraph {self.paragraphs}", kind="text"))

    def _table(self, tbl, depth: int) -> None:
        """The table's rows in one walk of its elements (lxml's iterwalk, the tags below only),
        each cell's properties read where the cell starts. Only what python-docx's tables hold
        is read: the table's own w:tr children, their w:tc children, and a cell's own w:p and
        w:tbl children; anything else met on the walk (content controls in a cell, a nested
        table's rows) has its subtree skipped. A cell's paragraph takes every w:t, w:tab, w:br
        and w:cr below it, as _paragraph_text does."""
        if depth >= MAX_TABLE_DEPTH:
            self.problems.append(f"tables nested deeper than {MAX_TABLE_DEPTH} levels were skipped")
            return
        if _CELL_COUNT(tbl) == 1:
            # a one-cell table is a frame around content, not a table of data
            self.read_blocks(tbl.find(_W_TR_TC), depth + 1)
            return
        self.tables += 1
        number = self.tables
        edges = _column_edges(tbl)
        n_edges = len(edges)
        rows = self.rows
        walk = etree.iterwalk(tbl, events=("start", "end"), tag=_TABLE_TAGS)
        skip = walk.skip_subtree
        r = 0
        tr = tc = p = None
        cells: list[Cell] = []
        nested: list = []
        lines: list[str] = []
        parts: list[str] = []
        column = span = 0
        for event, el in walk:
            if p is not None:
                # inside a cell's paragraph
                if event == "start":
                    tag = el.tag
                    if tag == _W_T:
                        parts.append(el.text or "")
                    elif tag == _W_TAB:
                        parts.append("\t")
                    elif tag == _W_BR or tag == _W_CR:
                        parts.append("\n")
                elif el is p:
                    lines.extend("".join(parts).split("\n"))
                    p = None
                continue
            if event == "end":
                if el is tc:
                    x0 = edges[column] if column < n_edges else None
                    x1 = edges[column + span] if column + span < n_edges else None
                    cells.append(Cell(join_wrapped([ln.replace("\t", " ") for ln in lines]), x0, x1))
                    column += span
                    tc = None
                elif el is tr:
                    if any(c.text for c in cells):
                        rows.append(Row(cells=cells, loc=f"table {number} row {r}", kind="table"))
                    for inner in nested:
                        self._table(inner, depth + 1)
                    tr = None
                continue
            tag = el.tag
            if el is tbl:
                continue
            parent = el.getparent()
            if tr is None:
                if tag != _W_TR or parent is not tbl:
                    skip()
                    continue
                r += 1
                if self._full():
                    return
                tr = el
                cells = []
                nested = []
                column = _grid_before(tr)
            elif tc is None:
                if tag != _W_TC or parent is not tr:
                    skip()
                    continue
                span, continued = _cell_span(el)
                if continued:
                    # a cell continuing a vertical merge shows nothing of its own
                    column += span
                    skip()
                    continue
                tc = el
                lines = []
            elif tag == _W_P and parent is tc:
                p = el
                parts = []
            else:
                if tag == _W_TBL and parent is tc:
                    nested.append(el)
                skip()


# The table properties the rows use are read as python-docx's CT_Row / CT_TcPr properties read
# them: the first such child, its w:val an int; a missing required w:val is python-docx's error.

def _decimal_val(element) -> int:
    value = element.get(_W_VAL)
    if value is None:
        raise InvalidXmlError(f"required 'w:val' attribute not present on element {element.tag}")
    return int(value)


def _cell_span(tc) -> tuple[int, bool]:
    """tcPr.grid_span and tcPr.vMerge_val, as python-docx reads them: the columns the cell
    covers (w:gridSpan, default 1), and whether it continues a vertical merge (a w:vMerge
    without w:val continues one). Children are compared by tag: a tag-filtered child iterator
    costs more to set up than a cell's few children take to walk."""
    tcPr = None
    for child in tc:
        if child.tag == _W_TC_PR:
            tcPr = child
            break
    if tcPr is None:
        return 1, False
    grid_span = merge = None
    for prop in tcPr:
        tag = prop.tag
        if tag == _W_GRID_SPAN:
            if grid_span is None:
                grid_span = prop
        elif tag == _W_V_MERGE and merge is None:
            merge = prop
    span = 1 if grid_span is None else _decimal_val(grid_span)
    return span, merge is not None and merge.get(_W_VAL, "continue") == "continue"


def _grid_before(tr) -> int:
    """tr.grid_before: the empty grid columns before the row's first cell."""
    trPr = _first(tr, _W_TR_PR)
    before = None if trPr is None else _first(trPr, _W_GRID_BEFORE)
    return 0 if before is None else _decimal_val(before)


def _column_edges(tbl) -> list[float]:
    """The x of each grid line in points, from the table grid's column widths (twentieths of a point)."""
    grid = _first(tbl, _W_TBL_GRID)
    if grid is None:
        # python-docx's tbl.tblGrid requires the grid
        raise InvalidXmlError("required ``<w:tblGrid>`` child element not present")
    edges = [0.0]
    for col in grid.iterchildren(_W_GRID_COL):
        try:
            width = int(col.get(_W_W) or 0) / 20
        except ValueError:
            return []
        edges.append(round(edges[-1] + width, 1))
    return edges if len(edges) > 1 else []
