"""A report page whose table is a picture: the crawler fetches the page's `<img>` (never its
icons), archives them with the report, and the parse hands them to OCR, so the table's cells
reach the marts marked `is_ocr`. A picture that could not be fetched is named and the report
is `partial`, never guessed.

The page is a real report (上海市政府办公厅 2019) served on 东城's mirror in place of one of its
report pages; its table 四 is a picture of another real report's table 四 (洪泽 2023),
rendered here from the report's PDF, so that the cells OCR reads are known from its gold.
"""

from __future__ import annotations

import functools
import io
from datetime import timedelta
from pathlib import Path

import dagster as dg
import pytest

from crawl_mirror import FIXTURES as MIRROR_ROOT
from crawl_mirror import Mirror
from gold import CORPUS, load_gold
from scans import render_pages
from test_crawl import CONFIG, _query

from scrapers.settings import SEEDS_DIR, Settings

DETAIL = "/zfxxgkzl/zfxxgknb/2023nb/dcqjd2023/202401/t20240116_3500101.html"
FOLDER = DETAIL.rsplit("/", 1)[0]
LOGO = "/images/logo_bjdch.png"
SHANGHAI = CORPUS / "docs" / "shanghai-general-office-2019.html"


def _page(table_four: str) -> bytes:
    """The Shanghai report with ``table_four`` in place of its table 四, and the site's logo."""
    html = SHANGHAI.read_text(encoding="utf-8")
    start = html.index("<table", html.index("四、政府信息公开行政复议"))
    end = html.index("</table>", start) + len("</table>")
    html = html[:start] + table_four + html[end:]
    return (f'<div class="header"><img src="{LOGO}" width="180" height="40"></div>' + html).encode()


def _picture_of_table_four() -> bytes:
    pdf, _ = load_gold(CORPUS / "gold" / "jiangsu-hongze-district-gov-2023.json")
    [page] = render_pages(pdf.read_bytes(), dpi=150, pages=[4])
    out = io.BytesIO()
    page.crop((150, 670, 1090, 995)).save(out, "PNG")
    return out.getvalue()


def _page_sha(db: Path) -> str:
    [(sha,)] = _query(db, "select sha256 from raw.documents where report_url like ?", [f"%{DETAIL}"])
    return sha


@pytest.mark.slow
def test_a_picture_table_is_fetched_archived_and_read_by_ocr_into_the_marts(tmp_path, monkeypatch):
    import scrapers.crawl.run as crawl_run
    from dagster_project.run import run_pipeline
    from scrapers.crawl.fetch import FetchConfig

    monkeypatch.setattr(crawl_run, "FetchConfig", functools.partial(FetchConfig, **CONFIG))
    with Mirror(sites=("dongcheng",), faults=False) as mirror:
        mirror.overrides["dongcheng", DETAIL] = _page('<p><img src="t4.png" alt="表四"></p>')
        mirror.overrides["dongcheng", f"{FOLDER}/t4.png"] = _picture_of_table_four()
        mirror.overrides["dongcheng", LOGO] = _picture_of_table_four()  # a logo is left out by its name
        registry = mirror.write_registry(tmp_path / "portals.csv", SEEDS_DIR / "portals.csv")
        settings = Settings.resolve(db=tmp_path / "xxgk.duckdb", registry=registry, rate=0, env={})
        with dg.instance_for_test() as instance:
            report = run_pipeline(settings, districts=["东城"], instance=instance)
        assert report.success, report.error
        assert mirror.hits["dongcheng", f"{FOLDER}/t4.png"] == 1 and mirror.hits["dongcheng", LOGO] == 0

    db = settings.db
    sha = _page_sha(db)
    pictures = _query(db, "select src, picture_sha256 is not null, error, skipped from raw.document_pictures "
                          "where sha256 = ? order by src", [sha])
    assert pictures == [(LOGO, False, None, "icon_by_name"), ("t4.png", True, None, None)]
    assert _query(db, "select count(*) from raw.blobs b join raw.document_pictures p on b.sha256 = p.picture_sha256") == [(1,)]

    hongze = load_gold(CORPUS / "gold" / "jiangsu-hongze-district-gov-2023.json")[1]["appeals"]
    rows = _query(db, "select a.proceeding, a.result, a.value, a.is_ocr from marts.fct_appeals a "
                      "join marts.dim_report r using (report_id) where r.format = 'html-ocr'")
    assert {(p, r): v for p, r, v, _ in rows} == {(p, r): v for p, inner in hongze.items() for r, v in inner.items()}
    assert all(is_ocr for *_, is_ocr in rows)
    [(problems,)] = _query(db, "select problems from raw.parses where sha256 = ?", [sha])
    assert LOGO not in problems  # furniture left out on purpose is not content missed


def test_a_picture_that_failed_to_fetch_is_named_and_the_report_is_partial(tmp_path):
    """A report read whole from its text (朝阳's, served on 东城's mirror), and one picture on it
    answers 404: the text alone reads `ok`; the picture it could not see makes it `partial`.
    When a later crawl gets the picture, the page is read again with it."""
    from scrapers.crawl.fetch import FetchConfig
    from scrapers.crawl.run import crawl
    from scrapers.load.archives import load_archives
    from scrapers.load.parses import IN_PROCESS, parse_pending
    from scrapers.parse.report import parse_document

    text_report = (MIRROR_ROOT / "chaoyang" / "zfxxgk" / "gknb" / "5e240ef6ab75c16cfc17f3d3.html").read_bytes()
    assert parse_document(text_report, "page.html").status == "ok"
    html = text_report.replace(b"</body>", b'<p><img src="missing-t4.png"></p></body>', 1)
    assert html != text_report
    db, archive = tmp_path / "xxgk.duckdb", tmp_path / "archive"
    with Mirror(sites=("dongcheng",), faults=False) as mirror:
        mirror.overrides["dongcheng", DETAIL] = html
        registry = mirror.write_registry(tmp_path / "portals.csv", SEEDS_DIR / "portals.csv")

        def crawl_once(**kw):
            return crawl(districts=["东城"], registry=registry, archive=archive, rate=0, progress=False,
                         config=FetchConfig(**CONFIG), **kw)

        summary = crawl_once()
        assert mirror.hits["dongcheng", f"{FOLDER}/missing-t4.png"] == 1
        assert summary.failures["http_404"] >= 1 and summary.pictures == 0
        load_archives(archive, db)
        parse_pending(db, limits=IN_PROCESS)

        sha = _page_sha(db)
        assert _query(db, "select src, error from raw.document_pictures where sha256 = ? and skipped is null", [sha]) \
            == [("missing-t4.png", "http_404")]
        [(status, fmt, problems, first_parse)] = _query(
            db, "select status, format, problems, parsed_at from raw.parses where sha256 = ?", [sha])
        assert (status, fmt) == ("partial", "html")
        assert "picture missing-t4.png could not be fetched (http_404): its content is not read" in problems

        # the next day's crawl (a 404 is asked again after a day; here, at once) gets the picture:
        # the page is the same version, recorded again with it; the loader replaces the failure
        # and the page is read again, with the picture
        mirror.overrides["dongcheng", f"{FOLDER}/missing-t4.png"] = _blank_picture()
        assert crawl_once(list_max_age=timedelta(0)).pictures == 1
        load_archives(archive, db)
        assert _query(db, "select count(*) from raw.documents where sha256 = ?", [sha]) == [(1,)]
        assert _query(db, "select error, picture_sha256 is not null from raw.document_pictures "
                          "where sha256 = ? and skipped is null", [sha]) == [(None, True)]
        parse_pending(db, limits=IN_PROCESS)
        [(parsed_at, problems)] = _query(db, "select parsed_at, problems from raw.parses where sha256 = ?", [sha])
        assert parsed_at > first_parse and "could not be fetched" not in problems

        # read with it, the page is not read again, and a crawl that gets nothing new records nothing
        crawl_once(list_max_age=timedelta(0))
        load_archives(archive, db)
        parse_pending(db, limits=IN_PROCESS)
        assert _query(db, "select parsed_at from raw.parses where sha256 = ?", [sha]) == [(parsed_at,)]
        assert _query(db, "select count(*) from raw.documents where sha256 = ?", [sha]) == [(1,)]


def _blank_picture() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (400, 200), "white").save(out, "PNG")
    return out.getvalue()


def test_which_pictures_of_a_page_are_fetched():
    """Furniture is left out before any request; what cannot be fetched is a failure; a page
    gives at most max_count pictures; a fetched icon is left out by its pixel size."""
    from PIL import Image

    from scrapers.crawl.fetch import Response
    from scrapers.crawl.pages import PageImage
    from scrapers.crawl.pictures import PicturePolicy
    from scrapers.crawl.portals import Portal

    def png(width: int, height: int) -> bytes:
        out = io.BytesIO()
        Image.new("L", (width, height), 255).save(out, "PNG")
        return out.getvalue()

    bodies = {"http://example.org/a/t3.png": png(900, 300), "http://example.org/a/t4.png": png(900, 300),
              "http://example.org/a/dot.png": png(16, 16)}
    asked = []

    def get(url: str, max_bytes: int | None = None) -> Response:
        asked.append((url, max_bytes))
        body = bodies.get(url)
        return Response(url, 200 if body else 404, url, body, {}, None if body else "http_404")

    portal = Portal(district="东城", district_code="110101", portal="p", start_url="http://example.org/",
                    allowed_hosts=frozenset({"example.org"}), row=1)
    images = [PageImage("/img/logo.png", "http://example.org/img/logo.png"),
              PageImage("t3.png", "http://example.org/a/t3.png"),
              PageImage("arrow.gif", "http://example.org/a/arrow.gif"),
              PageImage("s.png", "http://example.org/a/s.png", width=20, height=20),
              PageImage("data:image/png;base64,AAAA", "data:image/png;base64,AAAA"),
              PageImage("http://cdn.example.com/t.png", "http://cdn.example.com/t.png"),
              PageImage("dot.png", "http://example.org/a/dot.png"),
              PageImage("gone.png", "http://example.org/a/gone.png"),
              PageImage("t4.png", "http://example.org/a/t4.png"),
              PageImage("t3.png", "http://example.org/a/t3.png")]  # the same picture twice
    got = {p.src: p for p in PicturePolicy(max_count=3, max_bytes=1000).fetch(images, portal, get)}

    assert {src for src, p in got.items() if p.skipped} == {"/img/logo.png", "arrow.gif", "s.png", "dot.png"}
    assert got["t3.png"].sha256 is not None and got["dot.png"].skipped == "icon_by_size"
    assert {src: p.error for src, p in got.items() if p.error} == {
        "data:image/png;base64,AAAA": "not_fetchable", "http://cdn.example.com/t.png": "offsite",
        "gone.png": "http_404", "t4.png": "over the 3 pictures of a page"}
    assert asked == [(u, 1000) for u in ("http://example.org/a/t3.png", "http://example.org/a/dot.png",
                                         "http://example.org/a/gone.png")]
