"""The crawler on the portal shapes the real report URLs show (real_report_urls.csv), and its budgets.

The pages are written into a temporary folder and served by tests/crawl_mirror.py on 127.0.0.1:
- the municipal aggregator (www.beijing.gov.cn/gongkai/zfxxgk/zfxxgknb/{Y}nb/qzf/…), one
  registry row per district whose title filter picks its reports, a 解读 beside them;
- 海淀's start column that shows the latest report inline and links the earlier ones;
- 丰台's one-column-per-office CMS (c100059 → c100285r, c100289, c100167), a duplicate link
  with ``?from=list``, a news column that leads to a guide, and an office the registry lacks;
- 通州's per-year × category columns (c109595, c109611, c109612, c109617fb, c109617fbd);
- 大兴's year folders with a number (2023n62) and with no year at all (2291822 = 2025);
- a crawler trap (pages that link new pages) and a list with 10,000 尾页 links.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
import pytest

from crawl_mirror import Mirror, crawl_and_load as crawl
from scrapers.crawl.fetch import FetchConfig
from scrapers.settings import SEEDS_DIR

CONFIG = FetchConfig(connect_timeout=1.0, read_timeout=1.0, backoff_base=0.01, max_bytes=1_000_000)


def body(office: str, year: int) -> str:
    return (
        f"<div class='TRS_Editor'><p>一、总体情况</p><p>{year}年，{office}依法做好主动公开和依申请公开工作。</p>"
        "<p>二、主动公开政府信息情况</p><p>三、收到和处理政府信息公开申请情况</p>"
        "<p>四、政府信息公开行政复议、行政诉讼情况</p><p>予以公开3件。</p></div>"
    )


def report(title: str, office: str, year: int, extra: str = "") -> str:
    return (f"<html><head><meta charset='utf-8'><title>{title}_门户网站</title></head><body><h1>{title}</h1>"
            f"{body(office, year)}{extra}</body></html>")


def listing(links: list[tuple[str, str]], extra: str = "") -> str:
    items = "".join(f'<li><a href="{href}" title="{text}">{text}</a></li>' for href, text in links)
    return f"<html><head><meta charset='utf-8'><title>政府信息公开年报</title></head><body><ul>{items}</ul>{extra}</body></html>"


AGG = "/gongkai/zfxxgk/zfxxgknb"
HD = "/jbdt/auto10489_51767/zfwj_59297/zfwj_59339"
DX = "/bjsdxqrmzf/zwfw/zfxxgk/dxqzf69"
T = "政府信息公开工作年度报告"

PAGES = {
    "aggregator": {
        f"{AGG}/index.html": listing([("2017nb/", "2017年"), ("2022nb/", "2022年")]),
        f"{AGG}/2017nb/index.html": listing([("qzf/", "区政府")]),
        f"{AGG}/2017nb/qzf/index.html": listing([
            ("202102/t20210224_2287570.html", f"北京市西城区人民政府2017年{T}"),
            ("202102/t20210223_2287386.html", f"北京市石景山区人民政府2017年{T}"),
            ("202102/t20210225_2287999.html", f"北京市西城区人民政府2017年{T}解读"),
        ]),
        f"{AGG}/2017nb/qzf/202102/t20210224_2287570.html": report(f"北京市西城区人民政府2017年{T}", "西城区", 2017),
        f"{AGG}/2017nb/qzf/202102/t20210223_2287386.html": report(f"北京市石景山区人民政府2017年{T}", "石景山区", 2017),
        f"{AGG}/2017nb/qzf/202102/t20210225_2287999.html": report(f"北京市西城区人民政府2017年{T}解读", "西城区", 2017),
        f"{AGG}/2022nb/index.html": listing([("qzf/", "区政府")]),
        f"{AGG}/2022nb/qzf/index.html": listing([("202303/t20230308_2931728.html", f"北京市平谷区人民政府2022年{T}")]),
        f"{AGG}/2022nb/qzf/202303/t20230308_2931728.html": report(f"北京市平谷区人民政府2022年{T}", "平谷区", 2022),
    },
    "haidian": {
        # the column page is the latest report, with links to the earlier ones and to its 解读
        f"{HD}/index.html": report(f"北京市海淀区人民政府2024年{T}", "海淀区", 2024, listing([
            ("../zfwj_59340/", f"北京市海淀区人民政府2023年{T}"),
            ("../zfwj_59341/", f"北京市海淀区人民政府2024年{T}的问答解读"),
        ])),
        "/jbdt/auto10489_51767/zfwj_59297/zfwj_59340/index.html": report(f"北京市海淀区人民政府2023年{T}", "海淀区", 2023),
        "/jbdt/auto10489_51767/zfwj_59297/zfwj_59341/index.html": report(f"北京市海淀区人民政府2024年{T}的问答解读", "海淀区", 2024),
    },
    "fengtai": {
        "/ftq/c100059/index.html": listing([
            ("202003/bb7531cde4d74a10854521ebbe8b8e2e.shtml", f"北京市丰台区人民政府2019年{T}"),
            ("../c100285r/", "卢沟桥街道"), ("../c100289/", "宛平城地区"), ("../c100167/", "区园林绿化局"),
            ("../c100777/", "冬奥保障办"), ("../c100001/", "政务动态"),
        ]),
        "/ftq/c100059/202003/bb7531cde4d74a10854521ebbe8b8e2e.shtml": report(f"北京市丰台区人民政府2019年{T}", "丰台区", 2019),
        "/ftq/c100285r/index.html": listing([
            ("202201/3c1229e98cc1466f835377335e14ac00.shtml", f"北京市丰台区人民政府卢沟桥街道办事处 2021年{T}"),
            ("202201/3c1229e98cc1466f835377335e14ac00.shtml?from=list", f"北京市丰台区人民政府卢沟桥街道办事处 2021年{T}"),
        ]),
        "/ftq/c100285r/202201/3c1229e98cc1466f835377335e14ac00.shtml":
            report(f"北京市丰台区人民政府卢沟桥街道办事处2021年{T}", "卢沟桥街道", 2021),
        "/ftq/c100289/index.html": listing([("201802/13e9c6df60f74e97adbdd2f3c9cd45c3.shtml", f"丰台区宛平城地区办事处 2017年{T}")]),
        "/ftq/c100289/201802/13e9c6df60f74e97adbdd2f3c9cd45c3.shtml": report(f"丰台区宛平城地区办事处2017年{T}", "宛平城地区", 2017),
        "/ftq/c100167/index.html": listing([("202501/af2cc080923340118db5c1934457de64.shtml", f"北京市丰台区园林绿化局2024年{T}")]),
        "/ftq/c100167/202501/af2cc080923340118db5c1934457de64.shtml": report(f"北京市丰台区园林绿化局2024年{T}", "园林绿化局", 2024),
        "/ftq/c100777/index.html": listing([("202201/0123456789abcdef0123456789abcdef.shtml",
                                             f"北京市丰台区冬奥会城市运行保障指挥部办公室2021年{T}")]),
        "/ftq/c100777/202201/0123456789abcdef0123456789abcdef.shtml":
            report(f"北京市丰台区冬奥会城市运行保障指挥部办公室2021年{T}", "指挥部办公室", 2021),
        "/ftq/c100001/index.html": listing([("202301/fedcba9876543210fedcba9876543210.shtml", "北京市丰台区政府信息公开指南")]),
    },
    "tongzhou": {
        "/tzzfxxgk/c109595/index.html": listing([
            ("202009/1314827.shtml", f"北京市通州区2015年{T}"),
            ("../c109611/", "2018年区政府部门"), ("../c109612/", "2018年街道"),
            ("../c109617fb/", "2021年乡镇"), ("../c109617fbd/", "2022年乡镇"),
        ]),
        "/tzzfxxgk/c109595/202009/1314827.shtml": report(f"北京市通州区2015年{T}", "通州区", 2015),
        "/tzzfxxgk/c109611/index.html": listing([("202011/1321358.shtml", f"北京市通州区住房和城乡建设委员会2018年{T}")]),
        "/tzzfxxgk/c109611/202011/1321358.shtml": report(f"北京市通州区住房和城乡建设委员会2018年{T}", "住建委", 2018),
        "/tzzfxxgk/c109612/index.html": listing([("201901/1300001.shtml", f"北京市通州区人民政府中仓街道办事处2018年{T}")]),
        "/tzzfxxgk/c109612/201901/1300001.shtml": report(f"北京市通州区人民政府中仓街道办事处2018年{T}", "中仓街道", 2018),
        "/tzzfxxgk/c109617fb/index.html": listing([("202201/1509100.shtml", f"北京市通州区张家湾镇人民政府2021年{T}")]),
        "/tzzfxxgk/c109617fb/202201/1509100.shtml": report(f"北京市通州区张家湾镇人民政府2021年{T}", "张家湾镇", 2021),
        "/tzzfxxgk/c109617fbd/index.html": listing([
            ("202301/1636626.shtml", f"北京市通州区宋庄镇人民政府2022年{T}"),
            ("202301/1636627.shtml", f"北京市通州区永乐店镇人民政府2022年{T}"),
        ]),
        "/tzzfxxgk/c109617fbd/202301/1636626.shtml": report(f"北京市通州区宋庄镇人民政府2022年{T}", "宋庄镇", 2022),
        "/tzzfxxgk/c109617fbd/202301/1636627.shtml": report(f"北京市通州区永乐店镇人民政府2022年{T}", "永乐店镇", 2022),
    },
    "daxing": {
        f"{DX}/index.html": listing([("2023n62/", "2023年"), ("2291822/", "2025年度报告")]),
        f"{DX}/2023n62/index.html": listing([("qzfbm7/", "区政府部门")]),
        f"{DX}/2023n62/qzfbm7/index.html": listing([("2127090/", f"北京市大兴区城市管理委员会2023年{T}")]),
        f"{DX}/2023n62/qzfbm7/2127090/index.html": report(f"北京市大兴区城市管理委员会2023年{T}", "城市管理委员会", 2023),
        f"{DX}/2291822/index.html": listing([("2291824/", "镇")]),
        # the 2025 report's title carries no year: the folder says it (year_folders)
        f"{DX}/2291822/2291824/index.html": listing([("2293322/", f"北京市大兴区安定镇人民政府{T}")]),
        f"{DX}/2291822/2291824/2293322/index.html": report(f"北京市大兴区安定镇人民政府{T}", "安定镇", 2025),
    },
    "trap": {
        "/start/index.html": listing([("../maze/", "更多")]),
        # 10,000 尾页 links: one pagination pattern, not ten million URLs
        "/pager/index.html": listing([(f"list_{n}.html", "尾页") for n in range(100_000, 110_000)]),
    },
}
EXPECTED = {
    ("西城", 2017, "区人民政府"), ("石景山", 2017, "区人民政府"), ("平谷", 2022, "区人民政府"),
    ("海淀", 2024, "区人民政府"), ("海淀", 2023, "区人民政府"),
    ("丰台", 2019, "区人民政府"), ("丰台", 2021, "卢沟桥街道"), ("丰台", 2017, "宛平城地区"), ("丰台", 2024, "园林绿化局"),
    ("丰台", 2021, "冬奥会城市运行保障指挥部办公室"),
    ("通州", 2015, "区人民政府"), ("通州", 2018, "住房和城乡建设委员会"), ("通州", 2018, "中仓街道"),
    ("通州", 2021, "张家湾镇"), ("通州", 2022, "宋庄镇"), ("通州", 2022, "永乐店镇"),
    ("大兴", 2023, "城市管理委员会"), ("大兴", 2025, "安定镇"),
}
ROWS = {  # site -> (district, start path, rows of seeds/portals.csv it stands for)
    "aggregator": [("西城", f"{AGG}/"), ("石景山", f"{AGG}/"), ("平谷", f"{AGG}/")],
    "haidian": [("海淀", f"{HD}/")],
    "fengtai": [("丰台", "/ftq/c100059/")],
    "tongzhou": [("通州", "/tzzfxxgk/c109595/")],
    "daxing": [("大兴", f"{DX}/index.html")],
}


def _write_sites(root: Path) -> None:
    for site, pages in PAGES.items():
        for path, html in pages.items():
            target = root / site / path.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(html, encoding="utf-8")
        spec = {"traps": ["/maze/"]} if site == "trap" else {}
        (root / site / "site.json").write_text(json.dumps(spec), encoding="utf-8")


def _registry(m: Mirror, target: Path, trap_budget: dict | None = None, traps=("/start/", "/pager/")) -> Path:
    """The registry rows of the mirrored shapes, from seeds/portals.csv, pointed at the mirror."""
    with open(SEEDS_DIR / "portals.csv", encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields, seeds = reader.fieldnames, list(reader)
    rows = []
    for site, wanted in ROWS.items():
        for district, path in wanted:
            aggregator = site == "aggregator"
            row = next(r for r in seeds if r["district"] == district and (r["portal"] == "www.beijing.gov.cn") == aggregator
                       and urlsplit(r["start_url"]).path == path)
            rows.append({**row, "start_url": m.base(site) + path, "portal": m.host(site), "allowed_hosts": m.host(site)})
    if trap_budget is not None:
        base = next(r for r in seeds if r["district"] == "顺义")
        for path in traps:
            rows.insert(0, {**base, "start_url": m.base("trap") + path, "portal": m.host("trap"),
                            "allowed_hosts": m.host("trap"), "scope": "/", "detail_pattern": "", "title_filter": "",
                            **trap_budget})
    with open(target, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return target


@pytest.fixture(scope="module")
def shapes(tmp_path_factory):
    root = tmp_path_factory.mktemp("shapes")
    _write_sites(root)
    with Mirror(root=root, sites=tuple(PAGES), faults=False) as m:
        yield m, root


def _documents(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("select district, year_hint, office_hint, report_url, title from raw.documents").fetchall()
    finally:
        con.close()


def test_real_shapes_give_every_report_once_and_no_decoy(shapes, tmp_path):
    m, root = shapes
    m.reset_log()
    db = tmp_path / "w.duckdb"
    summary = crawl(registry=_registry(m, tmp_path / "portals.csv"), db=db, rate=0, progress=False, config=CONFIG)

    docs = _documents(db)
    assert {(d, y, o) for d, y, o, _, _ in docs} == EXPECTED
    assert len(docs) == len(EXPECTED) == summary.reports_found  # one report per document
    assert not [t for *_, t in docs if t.endswith(("解读", "指南"))]
    # the duplicate link with ?from=list is the same page: fetched once, recorded without the query
    asked = m.requests_to("fengtai")
    assert not [p for p in asked if "from=list" in p]
    assert asked.count("/ftq/c100285r/202201/3c1229e98cc1466f835377335e14ac00.shtml") == 1
    assert not [u for *_, u, _ in docs if "?" in u]
    # 海淀's start page is the 2024 report and still led to 2023's
    assert (m.base("haidian") + f"{HD}/") in {u for *_, u, _ in docs}
    # the aggregator's column is read once for its three districts
    agg = m.requests_to("aggregator")
    assert len(agg) == len(set(agg))
    # the office the registry lacks is flagged; the others are registry rows
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("select district, normalised_name from raw.discovered_offices").fetchall() == [
            ("丰台", "冬奥会城市运行保障指挥部办公室")]
    finally:
        con.close()
    assert not any(s.budgets for s in summary.portals.values())


def test_a_trap_and_a_pager_bomb_stop_at_the_budget_and_the_crawl_goes_on(shapes, tmp_path):
    m, root = shapes
    m.reset_log()
    db = tmp_path / "w.duckdb"
    budget = {"max_depth": "30", "max_pages": "25", "max_pattern_urls": "40"}
    summary = crawl(registry=_registry(m, tmp_path / "portals.csv", budget), db=db, rate=0, progress=False, config=CONFIG)

    trap = next(s for s in summary.portals.values() if s.start_url.endswith("/start/"))
    pager = next(s for s in summary.portals.values() if s.start_url.endswith("/pager/"))
    assert trap.pages <= 25 and trap.budgets["max_pages"] > 0
    assert len(m.requests_to("trap")) <= 25 + 40 + 5  # both start points together, robots.txt included
    assert pager.budgets["max_pattern_urls"] > 0 and pager.pages <= 25
    assert summary.skipped["budget_max_pages"] == trap.budgets["max_pages"] + pager.budgets.get("max_pages", 0)
    assert "budget max_pages reached" in summary.render()
    # the portals after them were crawled in full
    assert {(d, y, o) for d, y, o, _, _ in _documents(db)} == EXPECTED


def test_depth_budget_stops_a_trap_by_its_depth(shapes, tmp_path):
    m, root = shapes
    m.reset_log()
    summary = crawl(registry=_registry(m, tmp_path / "portals.csv", {"max_depth": "3"}, traps=("/start/",)), districts=["顺义"],
                    db=tmp_path / "w.duckdb", rate=0, progress=False, config=CONFIG)
    trap = next(s for s in summary.portals.values() if s.start_url.endswith("/start/"))
    # start (0) → maze (1) → a, b (2) → 4 pages (3); the 8 links below are over the budget
    assert trap.pages == 1 + 1 + 2 + 4 and trap.budgets["max_depth"] == 8
