"""Read what the crawler needs from one HTML page, in one parse: links, pictures, title, date,
whether the report is inline."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html
from lxml import etree

from scrapers.crawl.titles import clean_title, is_report_title

ATTACHMENT_EXTS = (".pdf", ".docx", ".doc", ".wps", ".xlsx", ".xls", ".et", ".ofd")
# the order in which attachments serve as a report's source: structure first
SOURCE_PREFERENCE = (".docx", ".pdf", ".doc", ".wps", ".xlsx", ".xls", ".et", ".ofd")
# words of the report body itself; an attachment-only page has none of them
_BODY_MARKERS = ("主动公开", "依申请", "行政复议", "行政诉讼", "申请情况", "予以公开")
# the section headings of a report (2019/2021 templates and the pre-2019 boiler-plate): a list
# page's menus may say 主动公开 and 依申请公开, only a report body numbers them as sections
_SECTION_RE = re.compile(
    r"[一二三四五六七]\s*[、.．]\s*(总体情况|概述|主动公开|政府信息主动公开|收到和处理|依申请公开|"
    r"(?:政府信息公开|因政府信息公开)[^，。]{0,12}行政复议|存在的主要问题|存在的不足|其他需要报告)"
)
_DATE_TEXT = re.compile(
    r"(?:发布(?:时间|日期)|成文日期|日期|时间)\s*[:：]\s*(20\d{2})\s*[-/年.]\s*(\d{1,2})\s*[-/月.]\s*(\d{1,2})"
)
_DATE_URL = re.compile(r"/t(20\d{2})(\d{2})(\d{2})_\d+")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*>", re.S)
_TITLE_SEPARATORS = re.compile(r"\s*(?:[-_|｜—]+)\s*")


@dataclass
class Link:
    url: str
    text: str


@dataclass(frozen=True)
class PageImage:
    """An `<img>` of a page: its src as written, the absolute URL, the size its attributes declare."""

    src: str
    url: str
    width: int | None = None
    height: int | None = None


@dataclass
class Page:
    url: str
    titles: list[str] = field(default_factory=list)  # candidates, most specific first
    primary_titles: int = 0  # how many of them are the page's own (meta, h1, <title>)
    links: list[Link] = field(default_factory=list)
    images: list[PageImage] = field(default_factory=list)  # in page order
    published: str | None = None
    has_report_body: bool = False
    report_sections: int = 0  # distinct numbered report sections in the body (一、总体情况 …)
    text: str = ""

    def report_title(self, anchor: str | None = None) -> str | None:
        """The report title: the page's own, else the link text that led here, else a heading."""
        own = next((t for t in self.titles[: self.primary_titles] if is_report_title(t)), None)
        if own:
            return own
        if anchor and is_report_title(anchor):
            return clean_title(anchor)
        return next((t for t in self.titles[self.primary_titles:] if is_report_title(t)), None)

    def attachments(self) -> list[Link]:
        return [l for l in self.links if is_attachment(l.url)]


def is_attachment(url: str) -> bool:
    return urlsplit(url).path.lower().endswith(ATTACHMENT_EXTS)


def attachment_rank(url: str) -> int:
    path = urlsplit(url).path.lower()
    return next((i for i, ext in enumerate(SOURCE_PREFERENCE) if path.endswith(ext)), len(SOURCE_PREFERENCE))


@functools.lru_cache(maxsize=8192)
def _absolute(base: str, href: str) -> str:
    """The link's absolute URL without its fragment; a site's menus repeat on every page."""
    return urldefrag(urljoin(base, href))[0]


def _pixels(value: str | None) -> int | None:
    m = re.match(r"\s*(\d+)\s*(?:px)?\s*$", value or "")
    return int(m.group(1)) if m else None


def _iso(y: str, m: str, d: str) -> str | None:
    month, day = int(m), int(d)
    if 1 <= month <= 12 and 1 <= day <= 31:
        return f"{int(y):04d}-{month:02d}-{day:02d}"
    return None


def parse_page(url: str, html: str) -> Page:
    """Links (absolute, fragment-free), title candidates, publication date and inline-report flag."""
    page = Page(url=url)
    try:
        doc = lxml.html.document_fromstring(_XML_DECL.sub("", html) or "<html></html>")
    except (etree.ParserError, ValueError):
        return page
    base = url
    for b in doc.iter("base"):
        if b.get("href"):
            base = urljoin(url, b.get("href").strip())
            break
    for el in doc.iter("a", "iframe", "area"):
        href = (el.get("href") if el.tag != "iframe" else el.get("src")) or ""
        href = href.strip()
        if not href or href.startswith(("javascript:", "mailto:", "tel:", "#")):
            continue
        visible = clean_title(el.text_content()) if el.tag != "iframe" else ""
        # a list may cut the visible text short and keep the whole title in the title attribute
        text = clean_title(el.get("title") or "") or visible
        if len(visible) > len(text):
            text = visible
        page.links.append(Link(_absolute(base, href), text))
    for el in doc.iter("img"):
        src = (el.get("src") or "").strip()
        if src:
            page.images.append(PageImage(src, _absolute(base, src), _pixels(el.get("width")), _pixels(el.get("height"))))

    # the page's own title first (TRS meta, h1, <title>); headings and "title" classes after,
    # since a sidebar of related reports may hold other reports' titles
    titles: list[str] = []
    for name in ("ArticleTitle", "articletitle", "title"):
        titles.extend(doc.xpath(f'//meta[@name="{name}"]/@content'))
    titles.extend(el.text_content() for el in doc.iter("h1"))
    for el in doc.iter("title"):
        # "<report title>_<site name>": the parts, not the whole
        titles.extend(_TITLE_SEPARATORS.split(el.text_content()))
    page.primary_titles = len([t for t in dict.fromkeys(clean_title(t) for t in titles) if t and len(t) < 200])
    titles.extend(el.text_content() for el in doc.iter("h2", "h3"))
    titles.extend(
        el.text_content()
        for el in doc.xpath('//*[contains(@class, "title") or contains(@id, "title")]')
        if el.tag not in ("html", "head", "body", "a")
    )
    page.titles = [t for t in dict.fromkeys(clean_title(t) for t in titles) if t and len(t) < 200]

    for name in ("PubDate", "pubdate", "firstpublishedtime", "publishdate"):
        for content in doc.xpath(f'//meta[@name="{name}"]/@content'):
            m = re.match(r"\s*(20\d{2})[-/.](\d{1,2})[-/.](\d{1,2})", content)
            if m:
                page.published = _iso(*m.groups())
                break
        if page.published:
            break
    body = doc.find("body")
    text = (body if body is not None else doc).text_content()
    page.text = text
    if not page.published:
        m = _DATE_TEXT.search(text) or _DATE_URL.search(url)
        if m:
            page.published = _iso(*m.groups())
    page.has_report_body = sum(marker in text for marker in _BODY_MARKERS) >= 2
    page.report_sections = len({m.group(1) for m in _SECTION_RE.finditer(text)})
    return page


def year_in_body(text: str) -> int | None:
    """The report year the body states ("…编制的2011年度政府信息公开年度报告", "统计期限自2016年1月1日")."""
    m = re.search(r"编制的\s*(20\d{2})\s*年度", text) or re.search(r"统计期限自\s*(20\d{2})\s*年", text)
    return int(m.group(1)) if m else None
