"""The crawler on 朝阳's portal shape (tests/fixtures/portals/chaoyang, written by make_mirror.py).

www.bjchy.gov.cn keeps every report in one column, /zfxxgk/gknb/, under opaque hex ids (24-hex for
migrated back years, 32-hex 402880… for new items): no year and no office in any URL, so the list
must be walked and years come from titles, which put the year first ("2014年北京市朝阳区…") as often
as last. The list's pager exists only in script (createPageHTML with a div id and countPage).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import duckdb
import pytest

from crawl_mirror import Mirror
from test_crawl import CONFIG, EXPECTED, crawl

from scrapers.crawl.fetch import FetchConfig
from scrapers.settings import SEEDS_DIR

CHAOYANG = {row[:3] for row in EXPECTED if row[0] == "朝阳"}
# look-alikes in the column, each at a detail URL of the same shape as a report's
DECOYS = {
    "/zfxxgk/gknb/4028805a8a7b6c5d018b9e0f1a2b3c4d.html": "2023年北京市朝阳区政务公开工作要点",
    "/zfxxgk/gknb/402880e5701a2b3c01702c3d4e5f6071.html": "关于2019年政府信息公开工作年度报告的说明",
    # the list cuts this one's title short: only its own page says 图解
    "/zfxxgk/gknb/402880e57c9d8e7f017d0a1b2c3d4e5f.html": "2021年北京市朝阳区政府信息公开工作年度报告图解",
}


@pytest.fixture(scope="module")
def mirror():
    with Mirror(sites=("chaoyang",), faults=False) as m:
        yield m


def _crawl(mirror: Mirror, tmp_path: Path, years=None):
    registry = mirror.write_registry(tmp_path / "portals.csv", SEEDS_DIR / "portals.csv")
    db = tmp_path / "w.duckdb"
    summary = crawl(registry=registry, db=db, years=years, rate=0, progress=False, config=FetchConfig(**CONFIG))
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            "select district, district_code, year_hint, office_hint, category, title, report_url from raw.documents"
        ).fetchall()
        discovered = con.execute("select count(*) from raw.discovered_offices").fetchone()[0]
    finally:
        con.close()
    return summary, rows, discovered


def test_every_report_of_the_flat_column_with_its_year_from_the_title(mirror, tmp_path):
    mirror.reset_log()
    summary, rows, discovered = _crawl(mirror, tmp_path)

    assert {(d, y, o) for d, _, y, o, *_ in rows} == CHAOYANG
    assert len(rows) == len(CHAOYANG) == summary.reports_found
    assert {code for _, code, *_ in rows} == {"110105"}
    by_title = {title: (year, office, category) for _, _, year, office, category, title, _ in rows}
    # year first and year last, the district government, a 筹备处 kept apart from its 街道
    assert by_title["2014年北京市朝阳区东湖街道办事处筹备处政府信息公开工作年度报告"] == (2014, "东湖街道办事处筹备处", "subdistrict")
    assert by_title["2017年北京市朝阳区政府信息公开工作年度报告"] == (2017, "区人民政府", "district_government")
    assert by_title["北京市朝阳区人民政府朝外街道办事处2025年政府信息公开工作年度报告"] == (2025, "朝外街道", "subdistrict")
    assert by_title["2021年北京市朝阳区将台地区办事处政府信息公开工作年度报告"] == (2021, "将台地区", "town")
    assert discovered == 0  # every office is in seeds/offices.csv
    # both id shapes, and no URL that carries a year
    ids = {Path(url).stem for *_, url in rows}
    assert {len(i) for i in ids} == {24, 32}

    # no decoy became a report; the cut-short one was read and judged by its own title
    assert not {title for _, _, _, _, _, title, _ in rows} & set(DECOYS.values())
    asked = mirror.requests_to("chaoyang")
    assert "/zfxxgk/gknb/402880e57c9d8e7f017d0a1b2c3d4e5f.html" in asked
    assert summary.skipped["decoy"] >= 3 and summary.skipped["offsite"] > 0
    # the pages the script pager announces, and only those
    assert {p for p in asked if "/index" in p} == {"/zfxxgk/gknb/index.html", "/zfxxgk/gknb/index_1.html", "/zfxxgk/gknb/index_2.html"}
    assert mirror.requests_to("offsite") == []
    assert len(asked) == len(set(asked))


@pytest.mark.parametrize("years", [[2014, 2024], [2017]])
def test_years_select_reports_although_no_url_names_one(mirror, tmp_path, years):
    mirror.reset_log()
    summary, rows, _ = _crawl(mirror, tmp_path, years=years)

    assert {(d, y, o) for d, _, y, o, *_ in rows} == {row for row in CHAOYANG if row[1] in years}
    assert summary.reports == {"朝阳": {y: 1 for y in years}}
    # link text names the year: other years' reports are never fetched; only a cut-short
    # link without one is read to learn it
    details = {p for p in mirror.requests_to("chaoyang") if not p.startswith(("/robots", "/zfxxgk/gknb/index")) and p != "/zfxxgk/gknb/"}
    assert details == {urlsplit(url).path for *_, url in rows} | {"/zfxxgk/gknb/402880e57c9d8e7f017d0a1b2c3d4e5f.html"}
