"""Which links a walk fetches first: those that lead to the 年报 column.

A row that starts from a district's home page (its 年报 column not known) meets thousands of
news, notice and service pages one or two links down, and the 政府信息公开 → 年报 column three or
four links down; fetched in the order found, the page budget is spent on the news. So the
frontier is best-first: a link scores the highest weight of the hints (``seeds/walk_hints.csv``:
words of its text, patterns of its URL path) it matches; a link found on a page inherits that
page's score when its URL lies below the page's folder, one less when it does not; the
pagination of a list that held report links scores as a report link. Equal scores keep the
breadth-first order (fewest links from the start first, then the order found), so a walk
inside a known 年报 column, where every link inherits the same score, is breadth-first as
before. The order changes what is fetched before a budget bites, never what a link is.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from scrapers.settings import SEEDS_DIR

HINTS = SEEDS_DIR / "walk_hints.csv"


@dataclass(frozen=True)
class LinkHints:
    text: tuple[tuple[str, int], ...]
    path: tuple[tuple[re.Pattern, int], ...]

    @property
    def top(self) -> int:
        """The score of a report link: the highest any hint gives."""
        return max((w for _, w in self.text + self.path), default=0)

    def own(self, url: str, text: str) -> int:
        """What the link itself says: the highest weight of the hints it matches."""
        path = urlsplit(url).path.lower()
        words = max((w for word, w in self.text if word in text), default=0)
        return max(words, max((w for p, w in self.path if p.search(path)), default=0))

    def score(self, url: str, text: str, page_url: str, page_score: int) -> int:
        """A link's score on a page of ``page_score``: its own, or what it inherits from the page."""
        folder = _folder(page_url)
        below = folder != "/" and urlsplit(url).path.startswith(folder)
        return max(self.own(url, text), page_score if below else page_score - 1, 0)


def _folder(url: str) -> str:
    path = urlsplit(url).path or "/"
    return path[: path.rfind("/") + 1]


@functools.lru_cache(maxsize=4)
def read_hints(path: str | Path = HINTS) -> LinkHints:
    """The hints of ``path``; a bad row is a one-line ValueError naming it."""
    text, paths = [], []
    with open(path, encoding="utf-8", newline="") as fh:
        for n, row in enumerate(csv.DictReader(fh), start=2):
            if row.get(None):
                raise ValueError(f"{path} line {n}: more values than columns (an unquoted comma in a note?)")
            field, pattern, weight = (row.get(k, "").strip() for k in ("field", "pattern", "weight"))
            if field not in ("text", "path") or not pattern or not weight.isdigit():
                raise ValueError(f"{path} line {n}: needs field text|path, a pattern and a whole-number weight")
            if field == "text":
                text.append((pattern, int(weight)))
            else:
                try:
                    paths.append((re.compile(pattern), int(weight)))
                except re.error as exc:
                    raise ValueError(f"{path} line {n}: pattern {pattern!r} is not a valid regex: {exc}") from exc
    return LinkHints(tuple(text), tuple(paths))
