"""The portal registry and the office registry on URL shapes and office-name forms met in the wild.

tests/fixtures/reference/url_shapes.csv lists the URL shapes of Beijing report pages (and of
pages that only look like them) seen in stored copies of the portals: each shape is filled with
generated ids and dates, each report is given generated titles in the forms real titles take,
and the crawler's verdict (``explain``) must accept it for its district, year and office, or
refuse it. The office forms are generated for every office the registry holds.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

from scrapers.crawl.explain import explain
from scrapers.crawl.portals import read_registry
from scrapers.crawl.titles import split_title, year_in_text
from scrapers.offices import OfficeRegistry, local_stem

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "reference"
with open(FIXTURES / "url_shapes.csv", encoding="utf-8", newline="") as _fh:
    SHAPES = list(csv.DictReader(_fh))
OFFICES = OfficeRegistry.load()
PORTALS = read_registry()


def _years(text: str) -> list[int]:
    first, _, last = text.partition("-")
    return list(range(int(first), int(last or first) + 1))


def _fill(shape: str, year: int, rng: random.Random) -> str:
    month = rng.randint(1, 3)
    day = rng.randint(10, 28)
    values = {"Y": str(year), "YM": f"{year + 1}{month:02d}", "YMD": f"{year + 1}{month:02d}{day}",
              "h32": "%032x" % rng.getrandbits(128), "h24": "%024x" % rng.getrandbits(96)}
    for width in range(1, 8):
        values[f"n{width}"] = str(rng.randint(10 ** (width - 1), 10**width - 1))
    return shape.format(**values)


def _titles(district: str, printed: str, year: int) -> list[str]:
    """The forms report titles take: district first or not, year first or last, 年 or 年度 or
    neither, the district in brackets after the name."""
    return [
        f"北京市{district}区{printed}{year}年政府信息公开工作年度报告",
        f"{year}年北京市{district}区{printed}政府信息公开工作年度报告",
        f"{district}区{printed}{year}年度政府信息公开工作年度报告",
        f"{printed}（{district}区）{year}年政府信息公开工作年度报告",
        f"北京市{district}区{printed}{year}政府信息公开工作年度报告",
    ]


REPORTS = [s for s in SHAPES if s["expect"] == "report"]
REFUSED = [s for s in SHAPES if s["expect"] == "refused"]


@pytest.mark.parametrize("shape", REPORTS, ids=[f"{s['district']}-{s['note'][:12]}" for s in REPORTS])
def test_a_report_of_a_seen_shape_is_taken_for_its_district_year_and_office(shape):
    rng = random.Random(shape["shape"])
    for year in rng.sample(_years(shape["years"]), k=min(2, len(_years(shape["years"])))):
        url = _fill(shape["shape"], year, rng)
        for title in _titles(shape["district"], shape["printed"], year):
            got = explain(url, title, offices=OFFICES)
            assert got.accepted, (url, title, got.reason)
            assert (got.district, got.year) == (shape["district"], year), (url, title)
            office = OFFICES.by_id.get(got.office_id)
            assert office is not None, (title, got.office_id, got.office_name)
            assert office.normalised_name == shape["office"], (title, office)
        if shape["year_in_url"]:
            # without a title the year comes from the URL alone (a list link cut short)
            assert explain(url, None, offices=OFFICES).year == int(shape["year_in_url"].format(Y=year))


@pytest.mark.parametrize("shape", REFUSED, ids=[f"{s['district']}-{s['note'][:12]}" for s in REFUSED])
def test_a_look_alike_of_a_seen_shape_is_refused(shape):
    rng = random.Random(shape["shape"])
    url = _fill(shape["shape"], 2021, rng)
    for title in _titles(shape["district"], shape["printed"], 2021):
        got = explain(url, title, offices=OFFICES)
        assert not got.accepted, (url, got.reason)


def test_the_registry_enumerates_every_org_id_seen_in_a_shape():
    """西城's parametric pages exist per org id and year; an id seen in a report URL is tried for every year."""
    xicheng = next(p for p in PORTALS if p.portal == "www.bjxch.gov.cn")
    urls = set(xicheng.enumerate_urls(xicheng.enumerate_ids, (2018, 2024)))
    for org in ("165", "170", "194", "360", "377", "379"):
        assert f"https://www.bjxch.gov.cn/zt/xxgkzl/gknbxq/pnidpv{org}pntypepvnbpnnfpv2018.html" in urls
    tongzhou = next(p for p in PORTALS if p.portal == "www.bjtzh.gov.cn")
    assert "http://www.bjtzh.gov.cn/tzzfxxgk/c109616ne/" in tongzhou.enumerate_urls(tongzhou.enumerate_ids, ())


# -- office-name forms -----------------------------------------------------------------------------

CURRENT = [o for o in OFFICES.offices if not o.valid_to and o.office_type != "district_government"]


def test_every_registered_office_is_found_under_each_form_of_its_name():
    misses = []
    for office in CURRENT:
        district = OFFICES.short_name(office.district_code)
        printed = f"{district}区"
        core = office.office_name.removeprefix("北京市").removeprefix(printed)
        forms = [office.office_name, printed + core, f"北京市{printed}{core}", core,
                 f"{core}（{printed}）", f"{core}(北京市{printed})", office.normalised_name]
        if office.office_type in ("subdistrict", "town"):
            forms.append(f"北京市{printed}人民政府{core}")
        for form in forms:
            got = OFFICES.resolve(form, district, 2023)
            if got.office_id != office.office_id:
                misses.append((form, got.office_id))
    assert not misses, misses[:10]
    assert len(CURRENT) > 800


def test_a_district_in_brackets_after_the_name_is_the_names_district():
    got = OFFICES.resolve("民政局（朝阳区）", None, 2020)
    assert (got.office_id, got.district) == ("110105-d-mzj", "朝阳")
    # the printed district wins over the one the page was found under, as it does when printed first
    assert OFFICES.resolve("民政局(北京市朝阳区)", "东城", 2020).district == "朝阳"
    # a bracket that names no district is part of the name
    assert OFFICES.resolve("民政局（试行）", None, 2020).method == "discovered"


LOCAL = [o for o in CURRENT if o.office_type in ("subdistrict", "town") and not o.normalised_name.endswith("筹备处")]


SUBDISTRICT_FORMS = ("街道办事处", "街道", "地区办事处", "地区", "社区")
TOWN_FORMS = ("镇人民政府", "镇政府", "镇", "地区办事处", "地区", "乡人民政府", "乡")


def test_a_subdistrict_or_town_is_found_whichever_suffix_a_title_gives_it():
    """街道办事处 vs 街道 vs 地区办事处; 镇人民政府 vs 镇 vs 地区办事处 vs 乡: one body, one registry row."""
    misses = []
    for office in LOCAL:
        district = OFFICES.short_name(office.district_code)
        stem = local_stem(office.normalised_name)
        for suffix in SUBDISTRICT_FORMS if office.office_type == "subdistrict" else TOWN_FORMS:
            got = OFFICES.resolve(stem + suffix, district, 2023)
            if got.office_id != office.office_id:
                misses.append((district, stem + suffix, got.office_id))
    assert not misses, misses[:10]
    assert len(LOCAL) > 300


def test_a_town_is_never_the_subdistrict_of_its_stem():
    """丰台 had 卢沟桥街道 beside 卢沟桥乡 and 长辛店街道 beside 长辛店镇: a 镇 or 乡 the registry
    lacks is discovered, not filed under the 街道 of the same stem, and the other way round."""
    wrong = []
    for office in LOCAL:
        district = OFFICES.short_name(office.district_code)
        stem = local_stem(office.normalised_name)
        other = ("镇人民政府", "乡") if office.office_type == "subdistrict" else ("街道办事处", "社区")
        for suffix in other:
            got = OFFICES.resolve(stem + suffix, district, 2023)
            if got.is_registered and got.office.office_type != office.office_type:
                wrong.append((district, stem + suffix, got.office_id))
    assert not wrong, wrong[:10]
    assert OFFICES.resolve("北京市丰台区卢沟桥乡人民政府", None, 2019).method == "discovered"


@pytest.mark.parametrize("printed, district, year, office_id", [
    ("西城区广内街道办事处", "西城", 2018, "110102017"),
    ("广外街道", "西城", 2022, "110102020"),
    # before the 2010 merger the same short name is 宣武区's 街道
    ("广内街道办事处", "西城", 2009, "110104-s-guanganmennei"),
    ("北京市东城区人民政府外事办公室", "东城", 2021, "110101-d-wb"),
    ("北京市东城区城市综合管理委员会", "东城", 2017, "110101-d-csglw"),
])
def test_short_and_former_names_seen_in_titles_resolve_to_their_office(printed, district, year, office_id):
    got = OFFICES.resolve(printed, district, year)
    assert got.office_id == office_id, got


@pytest.mark.parametrize("year", [2019, 2020, 2024])
def test_a_title_year_printed_without_its_nian_is_the_year_not_part_of_the_name(year):
    parts = split_title(f"北京市西城区人民防空办公室{year}政府信息公开工作年度报告", OFFICES.printed_districts)
    assert (parts.year, parts.district, parts.office) == (year, "西城区", "人民防空办公室")
    # a list link of that title is of that year too (the crawl skips links of years not asked for)
    assert year_in_text(f"北京市西城区人民防空办公室{year}政府信息公开工作年度报告") == year
