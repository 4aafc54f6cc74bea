"""The pictures of a report page, fetched so that OCR can read tables printed as images.

Only pages registered as reports have their `<img>` fetched, through the same gate as every
page (host rules, robots.txt, the host's rate, the walk's budgets). Icons, logos and buttons
are left out by name or by the size the page declares, and after fetching by their pixel size;
a page gives at most ``max_count`` pictures of at most ``max_bytes`` each. What is kept is
recorded with the report (src as written -> URL and sha256, or why it failed), and the parse
step hands the bodies to ``scrapers.extract.ocr.extract_page_with_pictures``.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from scrapers.crawl.fetch import Response
from scrapers.crawl.pages import PageImage
from scrapers.crawl.portals import Portal, canonical_url
from scrapers.crawl.reports import Picture

# names of page furniture, never a table
_FURNITURE = re.compile(
    r"logo|icon|favicon|banner|btn|button|arrow|share|qrcode|qr_|ewm|erweima|weixin|wechat|weibo|spacer|blank|"
    r"loading|print|close|search", re.I)
_PICTURE_EXTS = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp", ".tif", ".tiff")


@dataclass(frozen=True)
class PicturePolicy:
    """Which `<img>` of a report page are fetched for OCR, and how many."""

    max_count: int = 20  # per page: a page of 200 thumbnails is not a report's tables
    max_bytes: int = 10 * 1024 * 1024  # per picture
    min_side: int = 64  # px: a declared or read side below this is an icon
    min_area: int = 120 * 60  # px²: the smallest table picture is a few rows wide

    def furniture(self, image: PageImage) -> str | None:
        """Why a picture is page furniture rather than content, judged before fetching it."""
        name = PurePosixPath(urlsplit(image.url).path).name
        if _FURNITURE.search(name) or _FURNITURE.search(image.src.rsplit("/", 1)[-1]):
            return "icon_by_name"
        if any(side is not None and side < self.min_side for side in (image.width, image.height)):
            return "icon_by_declared_size"
        ext = PurePosixPath(name).suffix.lower()
        if ext and ext not in _PICTURE_EXTS and not ext.startswith((".jsp", ".php", ".asp", ".do")):
            return "not_a_picture"
        return None

    def too_small(self, body: bytes) -> bool:
        """Whether the fetched picture is an icon by its pixel size (read from its header only)."""
        from PIL import Image

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with Image.open(io.BytesIO(body)) as image:
                    width, height = image.size
        except Exception:  # not a picture PIL knows: OCR will say so
            return False
        return min(width, height) < self.min_side or width * height < self.min_area

    def fetch(self, images: Iterable[PageImage], portal: Portal, get: Callable[..., Response]) -> tuple[Picture, ...]:
        """The page's content pictures: each fetched (``get(url, max_bytes=)``) and recorded,
        with the failures; furniture left out, and recorded as skipped so that the parse does
        not count it as content it could not read."""
        pictures: list[Picture] = []
        seen: set[str] = set()
        fetched = 0
        for image in images:
            if image.src in seen:
                continue
            seen.add(image.src)
            url = canonical_url(image.url)
            if not url.startswith(("http://", "https://")):
                # a data: URI or another scheme: content the crawl does not read, so it is named
                pictures.append(Picture(image.src[:200], url[:200], error="not_fetchable"))
                continue
            why = self.furniture(image)
            if why is not None:
                pictures.append(Picture(image.src, url, skipped=why))
                continue
            if not portal.host_allowed(url):
                # content we may not fetch: the report cannot be read whole
                pictures.append(Picture(image.src, url, error="offsite"))
                continue
            if fetched >= self.max_count:
                pictures.append(Picture(image.src, url, error=f"over the {self.max_count} pictures of a page"))
                continue
            fetched += 1
            got = get(url, max_bytes=self.max_bytes)
            if not got.ok or not got.body:
                pictures.append(Picture(image.src, url, error=got.error or "empty"))
            elif self.too_small(got.body):
                pictures.append(Picture(image.src, url, skipped="icon_by_size"))
            else:
                from scrapers.load.documents import sha256_hex

                pictures.append(Picture(image.src, url, sha256=sha256_hex(got.body)))
        return tuple(pictures)
