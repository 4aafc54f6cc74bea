"""Whether a document can hold any of tables 二, 三 and 四: a test far cheaper than reading them.

Most of the text of a pre-2019 report is prose: the readers of tables 二/三/四 would build its
stream of lines and match every line's labels to find nothing. Each reader finds a table only
where its own words are printed, and these words come from the readers' own rules:

- table 二 has a cell only under a header that holds `proactive_table.HEADER_WORD`;
- table 三's first row is named by a label holding a variant that needs no context
  (`labels.unconditional_texts`; a context comes only from a row matched before);
- table 四 is read only where `appeals_table.TABLE_WORDS` are printed, and only from printed
  values (`values.may_print_a_value`).

A label the readers match is a run of consecutive non-empty cells, joined and normalised; the
cells are the document's text cut at spacing, tabs and `|`, and the rows the stream skips
between two cells of a run are page numbers. So the document's text, normalised and without
spacing, `|`, digits and dashes, holds every such run's text without the same characters.
Where a text document's lines are reshaped before the readers see them (Markdown rules dropped
whole, grid tables joined column-wise, fields past the cap left out) the test says yes.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from scrapers.extract.model import Extracted
from scrapers.extract.text import CUT_FIELDS
from scrapers.parse import labels
from scrapers.parse.appeals_table import TABLE_WORDS
from scrapers.parse.proactive_table import HEADER_WORD
from scrapers.parse.prose import fold_characters
from scrapers.parse.stream import column_orders
from scrapers.parse.values import may_print_a_value

# what normalising a label drops, what cuts a line into cells, and what a page number between
# two pieces of a label is made of (spacing goes first, by str.split: far cheaper)
_APART = re.compile(rf"[{labels.DROP_CHARS}|\d\-—–]+")
# what only a reshaped text document prints: a Markdown rule (its line is dropped whole) and
# a grid table's rule (its rows' cells are joined over lines)
_RESHAPED = re.compile(r"---|\+ *[-=+:]")
# two line ends with nothing but spacing between (every character str.splitlines breaks at is
# spacing), or spacing alone before the first
_EMPTY_LINE = re.compile(r"^\s|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029][^\S\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]*[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def _squeeze(text: str) -> str:
    """`text` normalised and without what may stand between two pieces of a label."""
    return _APART.sub("", "".join(fold_characters(unicodedata.normalize("NFKC", text)).split()))


# 公開: what every report printed in traditional characters prints, and no other does
_TRADITIONAL_MARK = "開"


@lru_cache(maxsize=1)
def _words() -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """Table 二's header word, table 三's row words and table 四's words, squeezed."""
    rows = tuple(dict.fromkeys(w for t in labels.unconditional_texts("request_row") if (w := _squeeze(t))))
    return _squeeze(HEADER_WORD), rows, tuple(map(_squeeze, TABLE_WORDS))


def may_hold_tables(ext: Extracted) -> bool:
    """False only when none of the readers of tables 二/三/四 can find a table in `ext`."""
    if ext.format == "text":
        text = ext.text
    else:
        text = "\n".join([c.text for row in ext.rows for c in row.cells])
    header, rows, appeals = _words()
    # the header word as printed is the header word normalised: most reports say yes here
    if header in text:
        return True
    if ext.format == "text" and (_RESHAPED.search(text) or any(CUT_FIELDS in p for p in ext.problems)):
        return True
    text = unicodedata.normalize("NFKC", text)
    if _TRADITIONAL_MARK in text:
        # as labels are normalised: traditional characters folded to simplified, a mirror's
        # pinyin dropped (a pass over the whole text, so only where there are any)
        text = labels.PINYIN.sub("", fold_characters(text))
    squeezed = _APART.sub("", "".join(text.split()))
    if header in squeezed:
        return True
    if may_print_a_value(text) or _lists_values(text):
        return any(w in squeezed for w in rows) or all(w in squeezed for w in appeals)
    # table 三's row may be seven blank cells; table 四 needs a printed value
    return any(w in squeezed for w in rows) and _may_keep_blanks(ext, text)


def _lists_values(text: str) -> bool:
    """Whether a row may be listed as its columns' names and values ("自然人5件，商业企业1件，…",
    read by `stream._listed_row`): a list's first column name with a number right after it."""
    return _LIST_START.search(text) is not None


_LIST_START = re.compile(rf"(?:{'|'.join(order[0] for order in column_orders())})\s*[+-]?\d")


def _may_keep_blanks(ext: Extracted, text: str) -> bool:
    """Whether the stream may hold a blank value: an empty table cell or `|  |` field, or in
    text an empty line (line-per-cell renderings print a blank cell as one)."""
    if "|" in text:
        return True
    if ext.format == "text":
        return "\t" in text or _EMPTY_LINE.search(text) is not None
    return any(row.kind == "table" and not all(c.text.strip() for c in row.cells) for row in ext.rows)
