"""`xxgk site`: the static site built from the shared test warehouse (tests/site_corpus.py),
opened from file:// in the system Chromium (Playwright, never `playwright install`)."""

from __future__ import annotations

import hashlib
import html
import os
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from scrapers.site.build import build_site
from scrapers.site.pages import cell_marks
from site_corpus import SHANGHAI_2019

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


@pytest.fixture(scope="module")
def site(site_warehouse, tmp_path_factory):
    folder, db = site_warehouse
    out = tmp_path_factory.mktemp("site")
    con = duckdb.connect(str(db), read_only=True)
    try:
        built = build_site(con, out)
        ids = dict(con.execute("select source_url, report_id from marts.dim_report").fetchall())
    finally:
        con.close()
    return out, built, {Path(url.removeprefix("file://")).name: rid for url, rid in ids.items()}, folder, db


def site_violations(site, name: str, table: str = "requests") -> int:
    """How many identities the warehouse says the report breaks in a table, as printed."""
    con = duckdb.connect(str(site[4]), read_only=True)
    try:
        return con.execute("select count(*) from marts.qa_identity_violations where report_id = ? "
                           "and table_name = ? and severity = 'strict'", [site[2][name], table]).fetchone()[0]
    finally:
        con.close()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("no /usr/bin/chromium: install Debian's chromium (.ci/run does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory):
    """Where page screenshots go: a temporary folder, or $XXGK_SITE_SCREENSHOTS (docs/)."""
    folder = os.environ.get("XXGK_SITE_SCREENSHOTS")
    return Path(folder) if folder else tmp_path_factory.mktemp("screenshots")


@pytest.fixture()
def page(browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.errors = []
    page.on("console", lambda msg: page.errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    yield page
    page.close()


def test_every_page_kind_is_built(site):
    out, built, ids, _, _ = site
    assert built.pages["home"] == built.pages["search"] == 1
    assert built.pages["report"] == len(ids) == 7
    assert built.pages["office"] > 300 and built.pages["district"] >= 16
    for rid in ids.values():
        assert (out / "report" / f"{rid}.html").is_file()


def test_a_pre2019_report_says_how_each_stated_figure_compares_with_the_tables(site):
    """The statements of 2008–2018 count other things than the 2019+ tables: the report page
    says, per stated measure, how far it compares (dim_narrative_measure)."""
    out, _, ids, _, db = site
    con = duckdb.connect(str(db), read_only=True)
    try:
        stated = con.execute(
            "select m.label_zh, m.comparability, m.comparability_note from marts.fct_narrative n "
            "join marts.dim_narrative_measure m using (measure) where n.report_id = ?",
            [ids["chaoyang-sjj-2010.txt"]]).fetchall()
    finally:
        con.close()
    words = {"comparable": "可比 comparable", "approximate": "大致可比 roughly comparable",
             "not_comparable": "不可比 no 2019+ counterpart"}
    page = html.unescape((out / "report" / f"{ids['chaoyang-sjj-2010.txt']}.html").read_text(encoding="utf-8"))
    assert {c for _, c, _ in stated} >= {"comparable", "approximate"}
    for label, comparability, note in stated:
        row = page[page.index(label):]
        row = row[: row.index("</tr>")]
        assert words[comparability] in row and note in row, label


def test_pages_load_nothing_from_the_network(site):
    out = site[0]
    remote = re.compile(r"""<(?:script|link|img)[^>]+(?:src|href)=["'](?:https?:)?//""", re.I)
    for html in out.rglob("*.html"):
        if html.parent.name == "documents":
            continue
        assert not remote.search(html.read_text(encoding="utf-8")), html
    assert (out / "assets" / "plotly.min.js").stat().st_size > 1_000_000


def test_home_charts_render(site, page, screenshots):
    out = site[0]
    page.goto((out / "index.html").as_uri())
    page.wait_for_selector("#totals-by-year .main-svg")
    assert page.locator("#totals-by-year .main-svg").count() >= 1
    assert page.locator("#totals-by-year .barlayer .point").count() > 0
    chaoyang = page.locator("#coverage-110105")
    assert chaoyang.locator(".main-svg").count() >= 1
    assert chaoyang.locator(".heatmaplayer image, .heatmaplayer .hm").count() >= 1
    page.screenshot(path=str(screenshots / "site-home.png"))
    assert page.errors == []


def test_report_number_shows_its_provenance(site, page, screenshots):
    out, _, ids, folder, _ = site
    page.goto((out / "report" / f"{ids[SHANGHAI_2019.name]}.html").as_uri())
    sha256 = hashlib.sha256(SHANGHAI_2019.read_bytes()).hexdigest()
    panel = page.locator("#provenance")

    # an ordinary number: 予以公开, 自然人, printed "258"
    cells = page.locator("#table-requests tr.role-outcome").filter(has_text="（一）予以公开").locator("button.cell")
    cells.first.click()
    assert panel.locator('[data-field="value"]').inner_text() == "258"
    assert panel.locator('[data-field="raw"]').inner_text() == "258"
    assert panel.locator('[data-field="sha256"]').inner_text() == sha256
    assert panel.locator('[data-field="source_url"]').inner_text() == (folder / SHANGHAI_2019.name).resolve().as_uri()
    assert panel.locator('[data-field="loc"]').inner_text().startswith("table ")
    assert panel.locator('[data-field="fetched_at"]').inner_text().startswith("20")

    # its 总计, printed blank: highlighted, with both sides of the identity it breaks
    total = cells.last
    assert "broken" in total.get_attribute("class")
    total.click()
    assert panel.locator('[data-field="raw"]').inner_text() == "(空白 blank)"
    identity = panel.locator('[data-field="identities"]').inner_text()
    assert "requests_row_total" in identity and "总计 = 0" in identity and "= 272" in identity
    # every identity the report breaks in table 三 points at one cell of its own
    assert page.locator("#table-requests button.cell.broken").count() == site_violations(site, SHANGHAI_2019.name)
    page.screenshot(path=str(screenshots / "site-report.png"))

    # the stored copy is the bytes the numbers were read from
    href = page.locator(".report-head a", has_text=sha256[:16]).get_attribute("href")
    stored = (out / "report" / href).resolve()
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == sha256
    assert page.errors == []


def test_rule_placed_cells_are_marked(site, page):
    out, _, ids, _, db = site
    name = "jiangsu-hongze-district-gov-2023.pdfplumber.txt"
    con = duckdb.connect(str(db), read_only=True)
    try:
        placed = con.execute(
            "select count(*) from (select report_id, location from marts.fct_requests where not is_derived "
            "union all select report_id, location from marts.fct_appeals "
            "union all select report_id, location from marts.fct_proactive where is_printed) "
            "where report_id = ? and location like '%placed by%'", [ids[name]]).fetchone()[0]
    finally:
        con.close()
    page.goto((out / "report" / f"{ids[name]}.html").as_uri())
    assert page.locator("button.cell.placed").count() == placed > 0
    # this table prints （六）其他处理 as one row: its 2021 sub-rows are not laid out
    assert page.locator("#table-requests th", has_text="（六）其他处理").count() == 1
    assert page.locator("#table-requests th", has_text="申请人逾期未按收费通知").count() == 0
    assert page.locator("#table-appeals button.cell.broken").count() == site_violations(site, name, "appeals") > 0
    assert page.errors == []


def test_district_and_office_pages(site, page, screenshots):
    out, _, ids, _, _ = site
    page.goto((out / "district" / "110105.html").as_uri())
    ranking = page.locator("#ranking tbody tr")
    assert ranking.count() == 5  # 香河园, 左家庄, 麦子店, 安贞 (2019) and the 审计局 (2010)
    row = page.locator("#ranking tbody tr", has_text="左家庄")
    assert "总计空白 total printed blank" in row.inner_text()
    page.wait_for_selector("#trend-received-110105 .main-svg")
    page.screenshot(path=str(screenshots / "site-district.png"), full_page=False)
    row.locator("a").first.click()
    assert "左家庄街道办事处" in page.locator("h1").inner_text()
    assert page.locator("table.years th a", has_text="2019").count() == 1
    page.screenshot(path=str(screenshots / "site-office.png"))
    assert page.errors == []


def test_search_finds_an_office_by_alias(site, page, screenshots):
    out = site[0]
    page.goto((out / "search.html").as_uri())
    page.fill("#search", "香河园")
    results = page.locator("#results li")
    assert results.count() >= 1 and "香河园街道办事处" in results.first.inner_text()
    page.screenshot(path=str(screenshots / "site-search.png"))
    results.first.locator("a").click()
    assert "香河园" in page.locator("h1").inner_text()
    assert page.errors == []


def test_cell_marks_read_the_parsers_location():
    assert cell_marks("line 12 (label printed apart; placed by template order)", False) == ["placed"]
    assert cell_marks("page 2 box 120,40,180,60", False) == ["ocr"]
    assert cell_marks("table 2 row 6", True) == ["ocr"]
    assert cell_marks("table 2 row 6", False) == []
    assert cell_marks(None, False) == []


def test_a_rebuild_replaces_the_pages(site_warehouse, tmp_path):
    con = duckdb.connect(str(site_warehouse[1]), read_only=True)
    try:
        (tmp_path / "report").mkdir()
        (tmp_path / "report" / "gone.html").write_text("stale")
        build_site(con, tmp_path)
    finally:
        con.close()
    assert not (tmp_path / "report" / "gone.html").exists()
    shutil.rmtree(tmp_path)


def _quiet_cli_environment(monkeypatch, db):
    # the command sets these for dbt and Dagster; monkeypatch restores them afterwards
    for name in ("XXGK_DB", "DAGSTER_HOME", "DAGSTER_DISABLE_TELEMETRY", "DBT_SEND_ANONYMOUS_USAGE_STATS", "DO_NOT_TRACK"):
        monkeypatch.setenv(name, str(db) if name == "XXGK_DB" else "1")


def test_site_and_release_commands(site_warehouse, tmp_path, monkeypatch, capsys):
    from dagster_project.cli import main

    db = site_warehouse[1]
    _quiet_cli_environment(monkeypatch, db)
    # no warehouse yet is a usage mistake (exit 2): build it first
    assert main(["site", "--db", str(tmp_path / "none.duckdb"), "--out", str(tmp_path / "s")]) == 2
    assert "no warehouse at" in capsys.readouterr().err
    assert main(["release", "--db", str(db), str(tmp_path / "r")]) == 0
    assert "release " in capsys.readouterr().out and (tmp_path / "r" / "datapackage.json").is_file()


def test_serve_answers_on_localhost(site):
    import threading
    import urllib.request

    from scrapers.site.server import serve

    server = serve(site[0], port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.server_address[1]}/index.html", timeout=10) as r:
            assert r.status == 200 and "totals-by-year" in r.read().decode("utf-8")
    finally:
        server.shutdown()
        server.server_close()


def test_only_document_schemes_are_linked():
    from scrapers.site.pages import linkable

    assert linkable("https://www.bjchy.gov.cn/a.html") == "https://www.bjchy.gov.cn/a.html"
    assert linkable("file:///data/r.pdf") == "file:///data/r.pdf"
    assert linkable("javascript:alert(1)") is None and linkable(None) is None
