"""What every extractor produces: the document as an ordered list of rows of cells.

A table row becomes one Row with a Cell per table cell; a paragraph or a line of text
becomes a Row too (one cell, or one per tab/space-separated field). The parser reads
rows in document order and never needs to know which format they came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Cell:
    text: str
    # Page coordinates in points, where the format has them (PDF); None elsewhere.
    x0: float | None = None
    x1: float | None = None
    # Where this one cell was read, when the format knows more than its row does (an OCR box:
    # "page 2 box x=120 y=431 w=40 h=18"); the parse falls back to the row's loc.
    loc: str | None = None
    # How sure the reader of the cell is (OCR recognition confidence, 0..1); None = read from text.
    confidence: float | None = None


@dataclass(slots=True)
class Row:
    cells: list[Cell]
    # Where the row is in the document, for traceability: "table 3 row 7", "line 120", "page 2 y 431".
    loc: str
    # "table" for rows of a real table (HTML <tr>, DOCX, ruled PDF), "text" for lines of text.
    kind: str = "text"
    # Vertical position (PDF): top and bottom in points from the page top, and the page number.
    page: int | None = None
    top: float | None = None
    bottom: float | None = None

    @property
    def texts(self) -> list[str]:
        return [c.text for c in self.cells]


@dataclass(slots=True)
class Extracted:
    # html | pdf | docx | text | doc | wps | xls | image | unknown
    format: str
    rows: list[Row] = field(default_factory=list)
    # The document's plain text in reading order: for the year, the office and narratives.
    text: str = ""
    title: str | None = None
    # None when extraction worked; otherwise needs_ocr | unsupported_format | failed.
    status: str | None = None
    problems: list[str] = field(default_factory=list)
    # pictures in the document body: where no table is found, the tables may be images
    images: int = 0
    # PDF pages (1-based) that are images without a text layer: what OCR would read
    pages_needing_ocr: list[int] = field(default_factory=list)
