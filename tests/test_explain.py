"""`xxgk crawl --explain` on the 97 real Beijing report URLs; titles judged by their shape; the
office registry against real names; canonical URLs; registry validation at load.

tests/fixtures/reference/real_report_urls.csv is a copy of the real URLs, titles, years and
offices found in stored copies of the 16 district portals and the municipal aggregator.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from scrapers.crawl.explain import explain
from scrapers.crawl.discover import classify_link
from scrapers.crawl.portals import RegistryError, canonical_url, read_registry, select_portals
from scrapers.crawl.titles import is_decoy, is_report_title, split_title
from scrapers.offices import OfficeRegistry, local_stem, normalise_office
from scrapers.settings import SEEDS_DIR

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "reference"
with open(FIXTURES / "real_report_urls.csv", encoding="utf-8", newline="") as _fh:
    REAL = list(csv.DictReader(_fh))
OFFICES = OfficeRegistry.load()
KNOWN = [r for r in REAL if not r["office"].startswith("(")]


def _id(row: dict) -> str:
    return f"{row['district']}-{row['year'] or '?'}-{row['office']}"


def _same_office(office, row: dict) -> bool:
    """The registry row is the office the real row names: its comparable name, or for a 街道/乡镇
    the same stem (亦庄镇 is 亦庄地区: 地区办事处 and 镇 are one body)."""
    expected = normalise_office(row["office"])
    alias = OFFICES.alias_of(expected, office.district_code, int(row["year"]) if row["year"] else None)
    if office.normalised_name in (expected, alias):
        return True
    return office.office_type in ("subdistrict", "town") and local_stem(office.normalised_name) == local_stem(expected)


@pytest.mark.parametrize("row", REAL, ids=[_id(r) for r in REAL])
def test_every_real_report_url_is_accepted_for_its_district(row):
    got = explain(row["url"], row["title"] or None, districts=[row["district"]], offices=OFFICES)

    assert got.accepted, got.reason
    assert got.district == row["district"] or got.portal.startswith(row["district"])
    if row["title"]:
        assert got.year == int(row["year"])
        office = OFFICES.by_id.get(got.office_id)
        assert office is not None, f"{got.office_id} is not a registry row"
        assert office.district == row["district"] or office.district_code in OFFICES.predecessors.get(
            OFFICES.code_of(row["district"]), [])
        assert _same_office(office, row), office


@pytest.mark.parametrize("row", KNOWN, ids=[_id(r) for r in KNOWN])
def test_every_real_office_resolves_to_a_registry_row_of_its_year(row):
    year = int(row["year"]) if row["year"] else None
    match = OFFICES.resolve(row["office"], row["district"], year)

    assert match.is_registered, f"{row['office']} of {row['district']} is not in seeds/offices.csv"
    assert _same_office(match.office, row), match
    assert match.office.valid_in(year), f"{match.office_id} did not exist in {year}"


def test_explain_without_a_district_picks_the_row_by_the_title():
    # the municipal aggregator has a row per district; the title says whose report it is
    url = "https://www.beijing.gov.cn/gongkai/zfxxgk/zfxxgknb/2017nb/qzf/202102/t20210224_2287570.html"
    got = explain(url, "北京市西城区人民政府2017年政府信息公开工作年度报告", offices=OFFICES)
    assert (got.district, got.accepted, got.year, got.office_id) == ("西城", True, 2017, "110102-gov")

    other = explain(url, "北京市延庆区人民政府2017年政府信息公开工作年度报告", offices=OFFICES)
    assert other.district == "延庆" and other.office_id == "110119-gov"


@pytest.mark.parametrize(
    "url, title, reason",
    [
        ("https://www.beijing.gov.cn/gate/big5/www.beijing.gov.cn/gongkai/zfxxgk/zfxxgknb/2017nb/qzf/202102/t20210223_2287386.html",
         "北京市石景山区人民政府2017年政府信息公开工作年度报告", "scope"),
        ("https://www.bjdch.gov.cn/zfxxgkzl/zfxxgknb/2023nb/dcqjd2023/202401/t20240119_3541129.html",
         "北京市东城区2023年政府信息公开工作年度报告解读", "kind: 北京市东城区2023年政府信息公开工作年度报告解读"),
        ("https://www.example.com/report.html", "", "no registry row"),
        ("https://www.bjdch.gov.cn/zfxxgkzl/zfxxgknb/2023nb/", "", "list page"),
    ],
)
def test_explain_says_why_a_link_is_refused(url, title, reason):
    got = explain(url, title or None, offices=OFFICES)
    assert not got.accepted and reason in got.reason


def test_cli_prints_json_without_the_network(tmp_path):
    url = "http://www.bjft.gov.cn/ftq/c100285r/202201/3c1229e98cc1466f835377335e14ac00.shtml?from=list"
    out = subprocess.run(
        [sys.executable, "-m", "dagster_project.cli", "crawl", "--explain", url,
         "--title", "北京市丰台区人民政府卢沟桥街道办事处 2021年政府信息公开工作年度报告"],
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout
    got = json.loads(out)
    assert {k: got[k] for k in ("district", "accepted", "year", "office_id")} == {
        "district": "丰台", "accepted": True, "year": 2021, "office_id": "110106017"}
    assert got["url"].endswith(".shtml") and set(got) >= {"portal", "reason", "office_name"}


# -- titles -------------------------------------------------------------------------------------

# Real office names that contain words which, anywhere else in a title, would mark a look-alike.
OFFICE_NAMES_WITH_DECOY_WORDS = [
    "北京市大兴区卫生和计划生育委员会",
    "北京市东城区机构编制委员会办公室",
    "北京市西城区发展和改革委员会",
    "北京市朝阳区人口和计划生育委员会",
    "北京市海淀区规划和自然资源委员会",
    "北京市东城区人民政府办公室",
    "北京市丰台区园林绿化局",
    "北京市通州区城市管理委员会",
    "北京市怀柔区政府办公室",
]


@pytest.mark.parametrize("office", OFFICE_NAMES_WITH_DECOY_WORDS)
@pytest.mark.parametrize("year_first", [False, True])
def test_a_word_inside_an_office_name_never_makes_a_decoy(office, year_first):
    title = f"2018年{office}政府信息公开工作年度报告" if year_first else f"{office}2018年度政府信息公开工作年度报告"
    assert is_report_title(title) and not is_decoy(title)
    assert split_title(title, OFFICES.printed_districts).year == 2018


@pytest.mark.parametrize(
    "title",
    [
        "北京市海淀区人民政府2024年政府信息公开工作年度报告的问答解读",
        "《北京市东城区2023年政府信息公开工作年度报告》解读",
        "北京市卫生和计划生育委员会政府信息公开指南",
        "东城区2024年政务公开工作要点",
        "关于印发2024年政务公开工作计划的通知",
        "北京市大兴区卫生和计划生育委员会2018年政府信息公开工作计划",
        "北京市东城区2023年政府信息公开工作年度报告（图解）",
        "西长安街街道政府信息公开情况统计表(2018年度)",
    ],
)
def test_a_title_whose_own_kind_is_not_a_report_is_a_decoy(title):
    assert is_decoy(title) and not is_report_title(title)


@pytest.mark.parametrize(
    "title",
    [
        "丰台区宛平城地区办事处2017年政府信息公开工作年度报告（2018年3月）",
        "北京市东城区人民政府东四街道办事处2025年政府信息公开工作年度报告 2026-01-19",
        "北京市大兴区2018年政府信息公开年度工作报告",
    ],
)
def test_what_a_list_appends_to_a_title_does_not_change_its_kind(title):
    assert is_report_title(title) and not is_decoy(title)


def test_the_general_office_signing_before_2019_is_the_district_and_after_is_itself():
    before = OFFICES.resolve("北京市怀柔区政府办公室", "怀柔", 2016)
    after = OFFICES.resolve("北京市怀柔区政府办公室", "怀柔", 2025)
    assert (before.office_id, before.method) == ("110116-gov", "alias")
    assert after.office_id == "110116-d-bgs" and after.office_type == "department"


def test_a_name_without_a_district_matches_only_where_it_is_unique():
    assert OFFICES.resolve("北京市朝阳区香河园街道办事处", None, 2019).office_id == "110105006"
    assert OFFICES.resolve("香河园街道办事处", None, 2019).office_id == "110105006"
    assert OFFICES.resolve("民政局", None, 2019).method == "discovered"  # every district has one


def test_predecessors_and_successors_have_consecutive_dates():
    """The 2019 reform: each re-formed department ends the day its successor begins."""
    by_id = OFFICES.by_id
    pairs = 0
    for office in OFFICES.offices:
        if office.normalised_name in ("卫生和计划生育委员会", "文化委员会", "安全生产监督管理局") and office.valid_to >= "2019":
            successor = next(o for o in OFFICES.offices if o.district_code == office.district_code
                             and o.normalised_name in ("卫生健康委员会", "文化和旅游局", "应急管理局")
                             and o.valid_from and o.valid_from == office.valid_to)
            assert by_id[successor.office_id].valid_in(2019) and office.valid_in(2018)
            assert not office.valid_in(2019) and not successor.valid_in(2018)
            pairs += 1
    assert pairs >= 16 * 3


def test_every_district_has_its_departments():
    for code in {o.district_code for o in OFFICES.offices if o.office_type == "district_government" and not o.valid_to}:
        departments = [o for o in OFFICES.offices if o.district_code == code and o.office_type == "department"]
        assert len([o for o in departments if o.valid_in(2023)]) >= 25, code
        assert len([o for o in departments if o.valid_in(2012)]) >= 25, code


@pytest.mark.parametrize("title, year", [
    ("北京市朝阳区市场监督管理局2023年政府信息公开工作年度报告", 2023),
    ("北京市朝阳区生态环境局2021年政府信息公开工作年度报告", 2021),
    ("北京市公安局朝阳分局2016年政府信息公开工作年度报告", 2016),
    ("国家税务总局北京市朝阳区税务局2020年政府信息公开工作年度报告", 2020),
    ("北京市规划和自然资源委员会朝阳分局2022年政府信息公开工作年度报告", 2022),
    ("北京市工商行政管理局朝阳分局2014年政府信息公开工作年度报告", 2014),
    ("北京市朝阳区城管执法局2022年政府信息公开工作年度报告", 2022),
    ("北京市朝阳区市场监管局2024年政府信息公开工作年度报告", 2024),
    ("朝阳区人社局2020年政府信息公开工作年度报告", 2020),
    ("北京市朝阳区计生委2012年政府信息公开工作年度报告", 2012),
])
def test_bodies_every_district_has_and_their_short_names_are_registered(title, year):
    got = explain("http://www.bjchy.gov.cn/zfxxgk/gknb/5e2411a0ab75c16cfc17f94a.html", title)
    assert got.accepted and got.year == year
    assert got.office_id.startswith("110105-d-"), (got.office_id, got.office_name)
    assert OFFICES.by_id[got.office_id].valid_in(year)


@pytest.mark.parametrize("district, url", [
    ("房山", "http://www.bjfsh.gov.cn/zwgk/zfxxgknb/2019/t20200120_40001.html"),
    ("顺义", "https://www.bjshy.gov.cn/web/zwgk/zfxxgk/zfxxgknb/202301/t20230130_1234.html"),
    ("昌平", "https://www.bjchp.gov.cn/cpqzf/xxgk2671/zfxxgknb/2023nb/202401/t20240115_123456.html"),
    ("延庆", "http://www.bjyq.gov.cn/yanqing/zwgk/zfxxgk/zfxxgknb/1701234/index.html"),
])
def test_a_district_whose_column_is_not_known_is_crawled_on_its_whole_site_by_titles(district, url):
    """No report URL has been seen on these four districts' own sites: a report anywhere on the
    host is taken by its title, a reading of one is not."""
    got = explain(url, f"北京市{district}区民政局2022年政府信息公开工作年度报告")
    assert (got.district, got.accepted, got.year) == (district, True, 2022)
    assert OFFICES.by_id[got.office_id].normalised_name == "民政局"
    assert not explain(url, f"北京市{district}区民政局2022年政府信息公开工作年度报告解读").accepted


# -- URLs ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "url, canonical",
    [
        ("http://www.bjtzh.gov.cn/tzzfxxgk/c109616/202009/1314732.shtml?from=list",
         "http://www.bjtzh.gov.cn/tzzfxxgk/c109616/202009/1314732.shtml"),
        ("HTTPS://WWW.BJDCH.GOV.CN:443/zfxxgkzl/zfxxgknb/#top", "https://www.bjdch.gov.cn/zfxxgkzl/zfxxgknb/"),
        ("http://www.bjdx.gov.cn:80/a/index.html?page=2&utm_source=wx", "http://www.bjdx.gov.cn/a/index.html?page=2"),
        ("http://127.0.0.1:8765/a/index.html?page=2", "http://127.0.0.1:8765/a/index.html?page=2"),
        ("https://www.bjxch.gov.cn/zt/xxgkzl/gknbxq.html?id=150&type=nb&nf=2021",
         "https://www.bjxch.gov.cn/zt/xxgkzl/gknbxq.html?id=150&type=nb&nf=2021"),
    ],
)
def test_canonical_urls_drop_what_does_not_select_content(url, canonical):
    assert canonical_url(url) == canonical
    assert canonical_url(canonical) == canonical


# -- the registry -------------------------------------------------------------------------------

def _registry_with(tmp_path: Path, **changes) -> Path:
    with open(SEEDS_DIR / "portals.csv", encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields, rows = reader.fieldnames, list(reader)
    rows[1] = {**rows[1], **changes}
    target = tmp_path / "portals.csv"
    with open(target, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return target


def test_the_registry_covers_every_district_and_the_aggregator_for_each():
    portals = read_registry()
    with open(SEEDS_DIR / "districts.csv", encoding="utf-8", newline="") as fh:
        current = {r["district"] for r in csv.DictReader(fh) if not r["valid_to"]}
    assert {p.district for p in portals} == current and len(current) == 16
    aggregator = {p.district for p in portals if p.portal == "www.beijing.gov.cn"}
    assert aggregator == current
    assert all(p.title_filter is not None for p in portals if p.portal == "www.beijing.gov.cn")


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"district": "浦东", "district_code": "310115"}, "row 2: district_code '310115' is not a Beijing district"),
        ({"district": "东城"}, "row 2: district '东城' is not the district of code 110102 (西城)"),
        ({"enumerate_template": "gknbxq/pnidpv{org}pntypepvnbpnnfpv{year}.html"}, "row 2: enumerate_template"),
        ({"enumerate_template": "gknbxq/pnidpv{id"}, "row 2: enumerate_template"),
        ({"max_pages": "many"}, "row 2: max_pages 'many' is not a positive whole number"),
        ({"year_folders": "2291822:2025"}, "row 2: year_folders token"),
        ({"scope": "/zt/(xxgkzl"}, "row 2: scope"),
    ],
)
def test_a_bad_row_is_one_line_naming_row_and_column(tmp_path, changes, message):
    with pytest.raises(RegistryError) as err:
        read_registry(_registry_with(tmp_path, **changes))
    assert message in str(err.value) and "\n" not in str(err.value)


def test_a_registry_that_is_not_utf8_is_refused_in_one_line(tmp_path):
    target = tmp_path / "portals.csv"
    target.write_bytes((SEEDS_DIR / "portals.csv").read_text(encoding="utf-8").encode("gb18030"))
    with pytest.raises(RegistryError, match="not UTF-8"):
        read_registry(target)


def test_the_cli_reports_a_bad_registry_in_one_line_and_exit_2(tmp_path):
    bad = _registry_with(tmp_path, district_code="999999")
    run = subprocess.run([sys.executable, "-m", "dagster_project.cli", "crawl", "--registry", str(bad),
                          "--db", str(tmp_path / "w.duckdb")], capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert run.stderr.strip().count("\n") == 0 and "999999" in run.stderr


# -- a report filed outside its column ----------------------------------------------------------

OUTSIDE = "http://www.bjchy.gov.cn/affair/bmdt/202001/t20200115_123456.html"  # 朝阳's row: /zfxxgk/gknb/


def test_a_report_title_outside_the_scope_is_a_leaf_the_walk_fetches():
    got = explain(OUTSIDE, "北京市朝阳区望京街道办事处2019年政府信息公开工作年度报告", districts=["朝阳"], offices=OFFICES)
    assert (got.accepted, got.year, got.office_id) == (True, 2019, "110105026")
    assert "outside the row's scope" in got.reason and "never walks" in got.reason

    portal = next(p for p in select_portals(read_registry(), ["朝阳"]) if p.host_allowed(OUTSIDE) and not p.in_scope(OUTSIDE))
    link = classify_link(portal, OUTSIDE, "北京市朝阳区望京街道办事处2019年政府信息公开工作年度报告")
    assert (link.kind, link.year) == ("detail", 2019)


@pytest.mark.parametrize("title", [
    "",  # no link text: nothing says it is a report
    "工作动态",  # a column of another section
    "北京市朝阳区2019年政府信息公开工作年度报告解读",  # a look-alike
    "政府信息公开年报",  # a column's name, not a report's title
])
def test_outside_the_scope_anything_but_a_report_title_is_refused(title):
    portal = next(p for p in select_portals(read_registry(), ["朝阳"]) if p.host_allowed(OUTSIDE) and not p.in_scope(OUTSIDE))
    assert classify_link(portal, OUTSIDE, title).kind is None
    assert not explain(OUTSIDE, title or None, districts=["朝阳"], offices=OFFICES).accepted


def test_outside_the_scope_a_report_of_a_year_not_asked_for_is_not_fetched():
    portal = next(p for p in select_portals(read_registry(), ["朝阳"]) if p.host_allowed(OUTSIDE) and not p.in_scope(OUTSIDE))
    link = classify_link(portal, OUTSIDE, "北京市朝阳区望京街道办事处2019年政府信息公开工作年度报告", wanted=lambda y: y == 2020)
    assert link.kind is None


def test_outside_the_scope_a_gateways_copy_of_a_report_is_refused():
    copy = "http://www.bjchy.gov.cn/gate/big5/www.bjchy.gov.cn/zfxxgk/gknb/202001/t20200115_1.html"
    got = explain(copy, "北京市朝阳区望京街道办事处2019年政府信息公开工作年度报告", districts=["朝阳"], offices=OFFICES)
    assert not got.accepted and "scope" in got.reason


def test_outside_the_scope_an_aggregator_row_takes_only_its_districts_titles():
    """The municipal column lists every body's report; a row with a title filter fetches, outside
    its scope, only the reports its filter names, not those of the city's departments."""
    url = "https://www.beijing.gov.cn/gongkai/zfxxgk/zfxxgknb/2019nb/sjbm/202001/t20200120_1.html"
    rows = [p for p in select_portals(read_registry(), ["西城"]) if p.host_allowed(url) and not p.in_scope(url)]
    assert rows and all(p.title_filter is not None for p in rows)
    assert all(classify_link(p, url, "北京市教育委员会2019年政府信息公开工作年度报告").kind is None for p in rows)
    assert any(classify_link(p, url, "北京市西城区人民政府2019年政府信息公开工作年度报告").kind == "detail" for p in rows)
