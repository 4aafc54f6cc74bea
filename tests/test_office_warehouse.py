"""Offices and duplicates in the warehouse: Python matches (raw.office_matches), dbt joins.

Built on three gold reports as the crawl records them (a district, a title's office hint):
香河园 2019 found twice (its page and the same bytes behind ``?from=list``, the copy fetched
later), 通州's 信访办 (an abbreviation of 信访办公室) and an office the registry lacks.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from scrapers.load.warehouse import connect
from scrapers.offices import Alias, OfficeRegistry, match_offices
from test_dbt_warehouse import FETCHED_AT, FIXTURES, add_parse, query, read_gold, run_dbt

pytestmark = pytest.mark.slow

XIANGHEYUAN = read_gold(FIXTURES / "gold" / "beijing-chaoyang-xiangheyuan-2019.json")
PAGE = "http://www.bjchy.gov.cn/zfxxgk/gknb/402880e56f0e4c9a016f9b2d8c7e0a15.html"
XINFANG = {**XIANGHEYUAN, "office": "北京市通州区信访办", "year": 2019}
UNKNOWN = {**XIANGHEYUAN, "office": "北京市通州区冬奥会城市运行保障指挥部办公室", "year": 2021}


def _crawled(con, url: str, sha256: str, gold: dict, district: str, code: str, days: int = 0) -> None:
    con.execute(
        """insert into raw.documents (document_id, report_url, source_url, sha256, origin, district, district_code,
                                      title, office_hint, year_hint, fetched_at)
           values (?, ?, ?, ?, 'crawl', ?, ?, ?, ?, ?, ?)""",
        [hashlib.sha256(f"{url}\n{sha256}".encode()).hexdigest()[:32], url, url, sha256, district, code,
         f"{gold['office']}{gold['year']}年政府信息公开工作年度报告", gold["office"], gold["year"],
         FETCHED_AT + timedelta(days=days)],
    )
    if not con.execute("select count(*) from raw.parses where sha256 = ?", [sha256]).fetchone()[0]:
        add_parse(con, sha256, gold, "1", FETCHED_AT)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    work = tmp_path_factory.mktemp("offices")
    db = work / "xxgk.duckdb"
    con = connect(db)
    try:
        _crawled(con, PAGE, "xhy", XIANGHEYUAN, "朝阳", "110105")
        _crawled(con, "http://www.bjtzh.gov.cn/tzzfxxgk/c109616/202009/1314732.shtml", "xfb", XINFANG, "通州", "110112")
        _crawled(con, "http://www.bjtzh.gov.cn/tzzfxxgk/c109777/202201/1500000.shtml", "wdo", UNKNOWN, "通州", "110112")
    finally:
        con.close()
    first = run_dbt(db, work, "build")
    # the same bytes found again under a tracking query, a day later: an incremental build
    con = connect(db)
    try:
        _crawled(con, PAGE + "?from=list", "xhy", XIANGHEYUAN, "朝阳", "110105", days=1)
    finally:
        con.close()
    second = run_dbt(db, work, "build")
    return db, first, second


def test_builds_pass(warehouse):
    _, first, second = warehouse
    assert first.success and second.success


def test_the_same_bytes_under_two_urls_are_one_report_with_both(warehouse):
    db = warehouse[0]
    rows = query(db, "select report_url, report_urls from marts.dim_report where office_id = '110105006'")
    assert rows == [(PAGE, [PAGE, PAGE + "?from=list"])]
    # the facts count it once: one report's table 三
    reports = query(db, "select count(distinct report_id) from marts.fct_requests where office_id = '110105006'")
    assert reports == [(1,)]
    assert query(db, "select count(*) from marts.dim_report") == [(3,)]


def test_offices_come_from_the_python_match(warehouse):
    db = warehouse[0]
    got = dict(query(db, "select printed_office, office_id from marts.dim_report"))
    assert got["北京市通州区信访办"] == "110112-d-xfb"  # the alias 信访办 → 信访办公室
    assert got[XIANGHEYUAN["office"]] == "110105006"
    unknown = got[UNKNOWN["office"]]
    assert unknown.startswith("discovered-110112-")
    methods = dict(query(db, "select printed_name, method from raw.office_matches where district_code is not null"))
    assert methods == {"北京市通州区信访办": "alias", XIANGHEYUAN["office"]: "name", UNKNOWN["office"]: "discovered"}
    # the office only discovered is in coverage for the year it published, and said to be
    assert query(db, "select year, report_found, is_registered from marts.publication_coverage where office_id = ?",
                 [unknown]) == [(2021, True, False)]


def test_dim_office_counts_departments_of_every_district(warehouse):
    db = warehouse[0]
    counts = dict(query(db, """select district, count(*) from marts.dim_office
                               where is_registered and office_type = 'department' and valid_to is null group by 1"""))
    assert len(counts) == 16 and min(counts.values()) >= 25


def test_a_changed_registry_matches_every_name_again(warehouse, tmp_path):
    import shutil

    db = tmp_path / "copy.duckdb"
    shutil.copy(warehouse[0], db)
    registry = OfficeRegistry.load()
    con = connect(db)
    try:
        assert match_offices(con, registry) == 0  # nothing new, nothing matched
        changed = OfficeRegistry(registry.offices, registry.aliases + [
            Alias("110112", "冬奥会城市运行保障指挥部办公室", "政府办公室")])
        written = match_offices(con, changed)
        rows = con.execute("select count(*), count(distinct registry_version) from raw.office_matches").fetchone()
        office = con.execute("select office_id from raw.office_matches where printed_name = ?", [UNKNOWN["office"]]).fetchone()
    finally:
        con.close()
    assert written == rows[0] and rows[1] == 1
    assert office == ("110112-d-bgs",)
