"""Word files in the shapes real editors write and docx_bytes does not, built with zipfile from a
report's blocks (tests/renderings.py: blocks): tracked changes, content controls, custom XML and
smart tags, fields, text boxes, layout frames, split tables, grid offsets, split runs, hidden
text, comments, WPS and Strict packages, a main part named otherwise, macro-enabled and template
content types, imported HTML parts, and Word 2003's merges. SHAPES maps each name to its writer."""
from __future__ import annotations

import io
import re
import zipfile
from xml.sax.saxutils import escape

W_T = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_T = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
W_S = "http://purl.oclc.org/ooxml/wordprocessingml/main"
R_S = "http://purl.oclc.org/ooxml/officeDocument/relationships"
MAIN_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_CT = "application/vnd.ms-word.document.macroEnabled.main+xml"
DOTX_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
EXTRA_NS = ('xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
            'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
            'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
            'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
            'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
            'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" mc:Ignorable="w14"')
WPS_NS = ('xmlns:wpsCustomData="http://www.wps.cn/officeDocument/2013/wpsCustomData" '
          'xmlns:wpc="http://schemas.microsoft.com/office/word/2010/wordprocessingCanvas" '
          'xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml" '
          'xmlns:wne="http://schemas.microsoft.com/office/word/2006/wordml"')
NUM = re.compile(r"[\d,.]+")


def is_num(t):
    return bool(NUM.fullmatch(t)) and any(ch.isdigit() for ch in t)


def other(t):
    """A different number of the same shape: what a deletion or a hidden run would hold."""
    digits = re.sub(r"\D", "", t)
    return str(int(digits) + 7) if digits else "9"


def run(text, rpr=""):
    if not text:
        return ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def para(inner, ppr=""):
    return f"<w:p>{ppr}{inner}</w:p>"


def tc(inner_p, tcpr=""):
    return f"<w:tc>{'<w:tcPr>' + tcpr + '</w:tcPr>' if tcpr else ''}{inner_p or '<w:p/>'}</w:tc>"


def tbl(rows_xml, width, tblpr=""):
    grid = "".join('<w:gridCol w:w="1200"/>' for _ in range(width))
    return f'<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/>{tblpr}</w:tblPr><w:tblGrid>{grid}</w:tblGrid>{rows_xml}</w:tbl>'


def width(rows):
    return max(len(r) for r in rows)


def document(bs, cell=None, text=None, table=None, row=None):
    """Body XML: `text(s)` gives a paragraph's XML, `cell(s, r, c)` a cell's paragraph XML,
    `row(cells_xml, r, rows)` a row, `table(rows, ti)` a whole table (overrides the others)."""
    cell = cell or (lambda s, r, c: para(run(s)))
    text = text or (lambda s: para(run(s)))
    row = row or (lambda cells, r, rows: f"<w:tr>{cells}</w:tr>")
    out, ti = [], 0
    for kind, rows in bs:
        if kind == "text":
            out.append(text(rows[0][0]))
            continue
        if table is not None:
            out.append(table(rows, ti))
        else:
            w = width(rows)
            xml = "".join(row("".join(tc(cell(s, r, c)) for c, s in enumerate(rw + [""] * (w - len(rw)))), r, rows)
                          for r, rw in enumerate(rows))
            out.append(tbl(xml, w))
        ti += 1
        out.append("<w:p/>")
    return "".join(out)


def package(body, main="word/document.xml", ct=MAIN_CT, strict=False, ns_extra="", parts=None, doc_rels="", overrides=""):
    w = W_S if strict else W_T
    r = R_S if strict else R_T
    reltype = (R_S if strict else R_T) + "/officeDocument"
    xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="{w}" xmlns:r="{r}" {EXTRA_NS} {ns_extra}>'
           f'<w:body>{body}<w:sectPr/></w:body></w:document>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Default Extension="htm" ContentType="application/xhtml+xml"/>'
                   f'<Override PartName="/{main}" ContentType="{ct}"/>{overrides}</Types>')
        z.writestr("_rels/.rels",
                   '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   f'<Relationship Id="rId1" Type="{reltype}" Target="{main}"/></Relationships>')
        d, f = main.rsplit("/", 1) if "/" in main else ("", main)
        z.writestr((d + "/" if d else "") + "_rels/" + f + ".rels",
                   '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   f'{doc_rels}</Relationships>')
        z.writestr(main, xml)
        for name, data in (parts or {}).items():
            z.writestr(name, data)
    return buf.getvalue()


# ------------------------------------------------------------------------------- the shapes

def plain_ooxml(bs):
    return package(document(bs))


def _del(s):
    return f'<w:del w:id="1" w:author="a" w:date="2024-01-01T00:00:00Z"><w:r><w:delText xml:space="preserve">{escape(s)}</w:delText></w:r></w:del>'


def _ins(s):
    return f'<w:ins w:id="2" w:author="a" w:date="2024-01-01T00:00:00Z">{run(s)}</w:ins>'


def tracked_ins_del(bs):
    def cell(s, r, c):
        if is_num(s):
            return para(_del(other(s)) + _ins(s)) if (r + c) % 2 else para(_ins(s) + _del(other(s)))
        return para(run(s[:2]) + _del("原") + _ins(s[2:]))

    def text(s):
        m = re.search(r"\d+", s)
        if not m:
            return para(run(s) + _del("（草稿）"))
        return para(run(s[:m.start()]) + _del(other(m.group())) + _ins(m.group()) + run(s[m.end():]))

    def row(cells, r, rows):
        # a tracked-deleted row of old figures after each row with figures
        old = ""
        if any(is_num(x) for x in rows[r]):
            w = width(rows)
            dels = "".join(tc(para(_del(other(x) if is_num(x) else x))) for x in rows[r] + [""] * (w - len(rows[r])))
            old = f'<w:tr><w:trPr><w:del w:id="3" w:author="a" w:date="2024-01-01T00:00:00Z"/></w:trPr>{dels}</w:tr>'
        return f"<w:tr>{cells}</w:tr>{old}"
    return package(document(bs, cell=cell, text=text, row=row))


def tracked_move(bs):
    def mv(s):
        return (f'<w:moveFromRangeStart w:id="5" w:name="move1" w:author="a"/><w:moveFrom w:id="6" w:author="a">{run(other(s))}</w:moveFrom>'
                f'<w:moveFromRangeEnd w:id="5"/><w:moveToRangeStart w:id="7" w:name="move1" w:author="a"/>'
                f'<w:moveTo w:id="8" w:author="a">{run(s)}</w:moveTo><w:moveToRangeEnd w:id="7"/>')

    def cell(s, r, c):
        return para(mv(s)) if is_num(s) else para(run(s))

    def text(s):
        m = re.search(r"\d+", s)
        return para(run(s[:m.start()]) + mv(m.group()) + run(s[m.end():])) if m else para(run(s))
    return package(document(bs, cell=cell, text=text))


def content_controls(bs):
    sdt = lambda x: f'<w:sdt><w:sdtPr><w:id w:val="1"/></w:sdtPr><w:sdtContent>{x}</w:sdtContent></w:sdt>'

    def table(rows, ti):
        w = width(rows)
        mode = ti % 3
        xml = ""
        for r, rw in enumerate(rows):
            cells = ""
            for c, s in enumerate(rw + [""] * (w - len(rw))):
                inner = para(sdt(run(s))) if (mode == 0 and c % 2) else para(run(s))
                cells += sdt(tc(inner)) if mode == 2 or (mode == 0 and c == 0) else tc(inner)
            xml += sdt(f"<w:tr>{cells}</w:tr>") if mode == 1 else f"<w:tr>{cells}</w:tr>"
        t = tbl(xml, w)
        return sdt(t) if mode == 0 else t
    return package(document(bs, table=table, text=lambda s: sdt(para(run(s)))))


def custom_xml_smart_tags(bs):
    cx = lambda x: f'<w:customXml w:uri="urn:report" w:element="cell">{x}</w:customXml>'
    st = lambda x: f'<w:smartTag w:uri="urn:schemas-microsoft-com:office:smarttags" w:element="chmetcnv">{x}</w:smartTag>'

    def table(rows, ti):
        w = width(rows)
        xml = ""
        for r, rw in enumerate(rows):
            cells = ""
            for c, s in enumerate(rw + [""] * (w - len(rw))):
                inner = para(st(run(s)) if is_num(s) else cx(run(s)))
                cells += cx(tc(inner)) if (r + c) % 3 == 0 else tc(inner)
            xml += cx(f"<w:tr>{cells}</w:tr>") if r % 2 else f"<w:tr>{cells}</w:tr>"
        return cx(tbl(xml, w)) if ti % 2 else tbl(xml, w)
    return package(document(bs, table=table, text=lambda s: cx(para(st(run(s))))))


def fields(bs):
    def fld(s, k):
        if k % 2:
            return f'<w:fldSimple w:instr=" =SUM(LEFT) \\# &quot;0&quot; ">{run(s)}</w:fldSimple>'
        return ('<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> = 3 + 41 </w:instrText></w:r>'
                '<w:r><w:fldChar w:fldCharType="separate"/></w:r>' + run(s) + '<w:r><w:fldChar w:fldCharType="end"/></w:r>')

    def cell(s, r, c):
        return para(fld(s, r + c)) if is_num(s) else para(run(s))

    def text(s):
        return para(f'<w:hyperlink r:id="rIdH" w:history="1">{run(s[:6])}</w:hyperlink>{run(s[6:])}'
                    '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE 12 </w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>')
    rels = '<Relationship Id="rIdH" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="http://x.gov.cn/2" TargetMode="External"/>'
    return package(document(bs, cell=cell, text=text), doc_rels=rels)


def _textbox(inner):
    return ('<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="1" behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1">'
            '<wp:simplePos x="0" y="0"/><wp:extent cx="5000000" cy="3000000"/><wp:docPr id="1" name="Text Box 1"/>'
            '<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp><wps:txbx>'
            f'<w:txbxContent>{inner}</w:txbxContent></wps:txbx><wps:bodyPr/></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>'
            f'<mc:Fallback><w:pict><v:shape id="tb1" type="#_x0000_t202"><v:textbox><w:txbxContent>{inner}</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback>'
            '</mc:AlternateContent></w:r>')


def text_boxes(bs):
    return package(document(bs, text=lambda s: para(_textbox(para(run(s))))))


def textbox_tables(bs):
    def table(rows, ti):
        w = width(rows)
        xml = "".join("<w:tr>" + "".join(tc(para(run(s))) for s in rw + [""] * (w - len(rw))) + "</w:tr>" for rw in rows)
        return para(_textbox(tbl(xml, w) + "<w:p/>"))
    return package(document(bs, table=table))


def layout_table(bs):
    inner = document(bs)
    return package(tbl(f"<w:tr>{tc(inner)}</w:tr>", 1))


def nested_in_cell(bs):
    """Each table inside the second cell of a two-cell frame row, its caption in the first."""
    def table(rows, ti):
        w = width(rows)
        xml = "".join("<w:tr>" + "".join(tc(para(run(s))) for s in rw + [""] * (w - len(rw))) + "</w:tr>" for rw in rows)
        return tbl(f"<w:tr>{tc(para(run('')))}{tc(tbl(xml, w) + '<w:p/>')}</w:tr>", 2)
    return package(document(bs, table=table))


def _header_count(rows):
    n = 0
    for rw in rows:
        if any(is_num(s) for s in rw):
            break
        n += 1
    return min(n, 3)


def split_tables(bs):
    def table(rows, ti):
        w = width(rows)
        h = _header_count(rows)
        def tr(rw, head):
            pr = "<w:trPr><w:tblHeader/></w:trPr>" if head else ""
            return f"<w:tr>{pr}" + "".join(tc(para(run(s))) for s in rw + [""] * (w - len(rw))) + "</w:tr>"
        cut = h + (len(rows) - h) // 2
        if len(rows) - h < 4:
            return tbl("".join(tr(rw, i < h) for i, rw in enumerate(rows)), w)
        first = "".join(tr(rw, i < h) for i, rw in enumerate(rows[:cut]))
        second = "".join(tr(rw, True) for rw in rows[:h]) + "".join(tr(rw, False) for rw in rows[cut:])
        return tbl(first, w) + para('<w:r><w:br w:type="page"/></w:r>') + tbl(second, w)
    return package(document(bs, table=table))


def grid_before_after(bs):
    def table(rows, ti):
        w = width(rows)
        xml = ""
        for rw in rows:
            lead = 0
            while lead < len(rw) - 1 and rw[lead] == "" and lead < 1:
                lead += 1
            cells = rw[lead:]
            after = w - lead - len(cells)
            pr = (f'<w:gridBefore w:val="{lead}"/>' if lead else "") + (f'<w:gridAfter w:val="{after}"/>' if after else "")
            xml += f"<w:tr>{'<w:trPr>' + pr + '</w:trPr>' if pr else ''}" + "".join(tc(para(run(s))) for s in cells) + "</w:tr>"
        return tbl(xml, w)
    return package(document(bs, table=table))


def split_runs(bs):
    def runs(s):
        noise = '<w:proofErr w:type="spellStart"/><w:bookmarkStart w:id="9" w:name="_GoBack"/><w:bookmarkEnd w:id="9"/>'
        return noise.join(f'<w:r w:rsidR="00A1"><w:rPr><w:rFonts w:hint="eastAsia"/></w:rPr><w:t>{escape(ch)}</w:t></w:r>' if ch != " "
                          else '<w:r><w:t xml:space="preserve"> </w:t></w:r>' for ch in s)
    return package(document(bs, cell=lambda s, r, c: para(runs(s)), text=lambda s: para(runs(s))))


def tabs_breaks(bs):
    def cell(s, r, c):
        if is_num(s):
            return para(f'<w:r><w:t xml:space="preserve">  {s} </w:t></w:r>')
        if len(s) > 6 and not s[len(s) // 2 - 1].isdigit() and not s[len(s) // 2].isdigit():
            k = len(s) // 2
            return para(f'<w:r><w:t>{escape(s[:k])}</w:t><w:br/><w:t>{escape(s[k:])}</w:t></w:r>')
        return para(run(s))

    def text(s):
        return para(f'<w:r><w:tab/></w:r>{run(s)}')
    return package(document(bs, cell=cell, text=text))


FW = {ord(d): chr(0xFF10 + int(d)) for d in "0123456789"}


def fullwidth(bs):
    return package(document(bs, cell=lambda s, r, c: para(run(s.translate(FW))), text=lambda s: para(run(s.translate(FW)))))


def symbols(bs):
    sym = '<w:r><w:sym w:font="Wingdings" w:char="F0A8"/></w:r>'
    def cell(s, r, c):
        if s and not is_num(s):
            return para(sym + run(s) + '<w:r><w:softHyphen/><w:noBreakHyphen/></w:r>')
        return para(run(s))
    return package(document(bs, cell=cell, text=lambda s: para(sym + run(s))))


def hidden_text(bs):
    vanish = '<w:rPr><w:vanish/></w:rPr>'
    def cell(s, r, c):
        return para(run(other(s), vanish) + run(s)) if is_num(s) else para(run(s))
    return package(document(bs, cell=cell))


def comments_footnotes(bs):
    def cell(s, r, c):
        if is_num(s) and (r + c) % 3 == 0:
            return para('<w:commentRangeStart w:id="0"/>' + run(s) + '<w:commentRangeEnd w:id="0"/><w:r><w:commentReference w:id="0"/></w:r>')
        return para(run(s))

    def text(s):
        return para(run(s) + '<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteReference w:id="1"/></w:r>')
    parts = {"word/comments.xml": f'<w:comments xmlns:w="{W_T}"><w:comment w:id="0" w:author="a"><w:p><w:r><w:t>原为35件</w:t></w:r></w:p></w:comment></w:comments>',
             "word/footnotes.xml": f'<w:footnotes xmlns:w="{W_T}"><w:footnote w:id="1"><w:p><w:r><w:t>共计99件，数据截至12月31日</w:t></w:r></w:p></w:footnote></w:footnotes>'}
    rels = ('<Relationship Id="rIdC" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments" Target="comments.xml"/>'
            '<Relationship Id="rIdF" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes" Target="footnotes.xml"/>')
    return package(document(bs, cell=cell, text=text), parts=parts, doc_rels=rels)


def wps(bs):
    parts = {"customXml/item1.xml": '<s:customData xmlns="http://www.wps.cn/officeDocument/2013/wpsCustomData" xmlns:s="http://www.wps.cn/officeDocument/2013/wpsCustomData"><customSectProps><customSectPr/></customSectProps></s:customData>',
             "docProps/custom.xml": '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"><property name="KSOProductBuildVer"><vt:lpwstr xmlns:vt="x">2052-11.1.0</vt:lpwstr></property></Properties>'}
    def table(rows, ti):
        w = width(rows)
        xml = "".join('<w:tr><w:tblPrEx><w:tblBorders/></w:tblPrEx>' + "".join(tc(para(run(s, '<w:rPr><w:rFonts w:hint="eastAsia"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr>')), '<w:vAlign w:val="center"/>') for s in rw + [""] * (w - len(rw))) + "</w:tr>" for rw in rows)
        return tbl(xml, w, '<w:tblLayout w:type="fixed"/>')
    return package(document(bs, table=table), ns_extra=WPS_NS, parts=parts)


def strict(bs):
    return package(document(bs), strict=True)


def main_elsewhere(bs):
    return package(document(bs), main="word/document2.xml")


def docm(bs):
    return package(document(bs), ct=DOCM_CT)


def dotx(bs):
    return package(document(bs), ct=DOTX_CT)


def alt_chunk(bs):
    """The paragraphs in Word XML, each table an embedded HTML part (altChunk), as HTML-to-Word tools write."""
    parts: dict[str, bytes] = {}
    rels: list[str] = []

    def table(rows, ti):
        n = len(rels) + 1
        html = "<html><body><table border='1'>" + "".join("<tr>" + "".join(f"<td>{escape(s)}</td>" for s in rw) + "</tr>" for rw in rows) + "</table></body></html>"
        parts[f"word/chunk{n}.htm"] = html.encode("utf-8")
        rels.append(f'<Relationship Id="rIdA{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/aFChunk" Target="chunk{n}.htm"/>')
        return f'<w:altChunk r:id="rIdA{n}"/>'
    body = document(bs, table=table)
    return package(body, parts=parts, doc_rels="".join(rels))


SHAPES = {f.__name__: f for f in [plain_ooxml, tracked_ins_del, tracked_move, content_controls, custom_xml_smart_tags, fields,
                                  text_boxes, textbox_tables, layout_table, nested_in_cell, split_tables, grid_before_after,
                                  split_runs, tabs_breaks, fullwidth, symbols, hidden_text, comments_footnotes, wps, strict,
                                  main_elsewhere, docm, dotx, alt_chunk]}


def html_span_tables(html: bytes):
    import lxml.html
    from scrapers.extract.decode import decode_bytes
    root = lxml.html.document_fromstring(decode_bytes(html)[0])
    out = []
    for t in root.iter("table"):
        if next(t.iterancestors("table"), None) is not None:
            continue
        rows = []
        for tr in t.iter("tr"):
            rows.append([(" ".join(" ".join(td.itertext()).replace("\xa0", " ").split()), int(td.get("rowspan", 1)), int(td.get("colspan", 1)))
                         for td in tr if isinstance(td.tag, str) and td.tag in ("td", "th")])
        out.append(rows)
    return out


def merged(bs, span_tables, old_style=False):
    """Tables with their spans as Word writes them: gridSpan (or Word 2003's hMerge) and vMerge."""
    it = iter(span_tables)

    def table(rows, ti):
        spans = next(it)
        below = {}  # col -> (rows left, colspan)
        grid_rows = []
        for tr in spans:
            col, cells = 0, []
            queue = list(tr)
            while queue or any(k >= col for k in below):
                if col in below:
                    left, cs = below[col]
                    cells.append(("", "continue", cs))
                    if left - 1:
                        below[col] = (left - 1, cs)
                    else:
                        del below[col]
                    col += cs
                    continue
                if not queue:
                    break
                text, rs, cs = queue.pop(0)
                cells.append((text, "restart" if rs > 1 else None, cs))
                if rs > 1:
                    below[col] = (rs - 1, cs)
                col += cs
            grid_rows.append(cells)
        w = max(sum(c[2] for c in r) for r in grid_rows)
        xml = ""
        for r in grid_rows:
            cx = ""
            for text, vm, cs in r:
                vpr = ('<w:vMerge w:val="restart"/>' if vm == "restart" else "<w:vMerge/>") if vm else ""
                if cs > 1 and old_style:
                    cx += tc(para(run(text)), '<w:hMerge w:val="restart"/>' + vpr)
                    cx += "".join(tc("<w:p/>", "<w:hMerge/>" + vpr) for _ in range(cs - 1))
                else:
                    cx += tc(para(run(text)), (f'<w:gridSpan w:val="{cs}"/>' if cs > 1 else "") + vpr)
            xml += f"<w:tr>{cx}</w:tr>"
        return tbl(xml, w)
    return package(document(bs, table=table))


def _rtf_text(s):
    return "".join(ch if ord(ch) < 128 and ch not in "\\{}" else (f"\\{ch}" if ch in "\\{}" else f"\\u{ord(ch) if ord(ch) < 32768 else ord(ch) - 65536}?") for ch in s)


def rtf(bs):
    out = [r"{\rtf1\ansi\ansicpg936\deff0{\fonttbl{\f0 SimSun;}}"]
    for kind, rows in bs:
        if kind == "text":
            out.append(r"\pard " + _rtf_text(rows[0][0]) + r"\par")
            continue
        w = width(rows)
        for rw in rows:
            out.append(r"\trowd" + "".join(rf"\cellx{1200 * (i + 1)}" for i in range(w)))
            out.append("".join(r"\pard\intbl " + _rtf_text(s) + r"\cell" for s in rw + [""] * (w - len(rw))) + r"\row")
        out.append(r"\pard\par")
    out.append("}")
    return "\n".join(out).encode("ascii")
