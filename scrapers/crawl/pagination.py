"""The other pages of a paginated list, where links alone do not reach them.

Two conventions need more than following links:
- TRS WCM lists write their page count in script: ``createPageHTML(5, 0, "index", "html")``
  (or ``var countPage = 5`` … ``createPageHTML(countPage, currentPage, "index", "html")``);
  page 1 is ``index.html``, page n+1 is ``index_n.html``.
- A "尾页"/"末页" link names the last page while the list shows only a few page numbers;
  every page between is the same URL with another number (``index_9.html``, ``?page=12``).
下一页 links and numbered page links are ordinary links: the crawler follows them anyway.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

MAX_PAGES = 1000  # a list claiming more is broken; do not walk into it
_CREATE_PAGE = re.compile(r"createPageHTML\s*\(([^)]*)\)")
_VAR_INT = r"(?:var|let|const)?\s*{name}\s*=\s*['\"]?(\d+)"
_LAST_WORDS = ("尾页", "末页", "最后一页")
_NEXT_WORDS = ("下一页", "下页", "后一页")
_PAGE_EXTS = ("html", "shtml", "htm", "jsp", "php", "aspx")


def trs_page_urls(url: str, html: str) -> list[str]:
    """List pages a TRS ``createPageHTML`` call announces, the first page included."""
    m = _CREATE_PAGE.search(html)
    if not m:
        return []
    args = [a.strip() for a in m.group(1).split(",")]
    strings = [a[1:-1] for a in args if len(a) >= 2 and a[0] == a[-1] and a[0] in "'\""]
    count = None
    for arg in args:
        if arg.isdigit():
            count = int(arg)
            break
        if re.fullmatch(r"[A-Za-z_]\w*", arg):
            var = re.search(_VAR_INT.format(name=re.escape(arg)), html)
            if var:
                count = int(var.group(1))
                break
    if not count or count < 2:
        return []
    path = urlsplit(url).path
    current_ext = path.rsplit(".", 1)[-1] if "." in path.rsplit("/", 1)[-1] else "html"
    ext = next((s for s in strings if s in _PAGE_EXTS), current_ext)
    # the file name is the string just before the extension (a div id may come first)
    names = [s for s in strings[: strings.index(ext)] if re.fullmatch(r"[\w-]+", s)] if ext in strings else []
    name = names[-1] if names else "index"
    count = min(count, MAX_PAGES)
    return [urljoin(url, f"{name}.{ext}")] + [urljoin(url, f"{name}_{n}.{ext}") for n in range(1, count)]


def last_page_urls(url: str, links: list[tuple[str, str]]) -> list[str]:
    """Every page up to the one a 尾页/末页 link names, numbered like that link.

    ``links`` are (absolute URL, link text). The last number after the final slash of the
    last page's URL is the page number (``index_9.html``, ``list?page=12``); pages from the
    one 下一页 names (else 1) up to it are produced with the rest of the URL unchanged.
    """
    labels = [(href, re.sub(r"\s+", "", text or "")) for href, text in links]
    # one range per URL shape, however many 尾页 links repeat it (a hostile list has 10,000)
    lasts: dict[tuple[str, str], int] = {}
    firsts: dict[tuple[str, str], int] = {}
    for href, label in labels:
        span = page_number(href) if label in _LAST_WORDS or label in _NEXT_WORDS else None
        if span is None:
            continue
        shape = (href[: span[0]], href[span[1]:])
        number = int(href[span[0]:span[1]])
        if label in _LAST_WORDS:
            lasts[shape] = max(lasts.get(shape, 0), number)
        else:
            firsts[shape] = number
    out: list[str] = []
    for shape, last in lasts.items():
        first = firsts.get(shape, 1)
        last = min(last, first + MAX_PAGES - 1)
        out.extend(shape[0] + str(n) + shape[1] for n in range(first, last + 1))
    return list(dict.fromkeys(u for u in out if u != url))


def page_number(href: str) -> tuple[int, int] | None:
    """Where the page number sits in a list URL: the last number after its final slash."""
    tail = href.rfind("/")
    numbers = [m for m in re.finditer(r"\d+", href) if m.start() > tail]
    return (numbers[-1].start(), numbers[-1].end()) if numbers else None
