"""`xxgk site`: the static data site, from a read-only warehouse connection to a folder of files.

Every page is plain HTML that opens from file:// without a server or the internet: the one
copy of plotly.min.js (from the plotly package) and the search index sit in assets/, the
charts' data is inline, and the stored documents are copied into documents/.
"""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path

import duckdb
import jinja2
from plotly.offline import get_plotlyjs

from scrapers.load.warehouse import connect
from scrapers.settings import warehouse_path
from scrapers.site import charts, pages


# reports whose cells are read in one go: a few queries per batch, and memory for one batch
REPORT_BATCH = 500


class SiteError(RuntimeError):
    """The site cannot be built (no warehouse, or no marts in it)."""


@dataclass
class Site:
    folder: Path
    pages: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # page kind -> count
    documents: int = 0


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("scrapers.site", "templates"),
                             autoescape=jinja2.select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined)
    env.filters["num"] = lambda v: "" if v is None else (f"{v:,}" if isinstance(v, int) else f"{v:,.0f}")
    env.filters["pct"] = lambda v: "" if v is None else f"{v:.1%}"
    env.filters["linkable"] = pages.linkable
    env.globals.update(status_labels=pages.STATUS_LABELS, reason_labels=pages.REASON_LABELS,
                       quality_labels=pages.QUALITY_LABELS)
    return env


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def document_name(sha256: str, media_type: str | None) -> str:
    return f"{sha256}.{pages.MEDIA_EXTENSIONS.get((media_type or '').split(';')[0].strip(), 'bin')}"


def build_site(con: duckdb.DuckDBPyConnection, out: str | Path, now: datetime | None = None) -> Site:
    """Write the whole site into out (its previous pages are replaced)."""
    site = Site(Path(out))
    env = _environment()
    built = (now or datetime.now(timezone.utc)).strftime("%Y-%m-%d %H:%M UTC")
    folder = site.folder
    for sub in ("district", "office", "report"):
        shutil.rmtree(folder / sub, ignore_errors=True)
    assets = folder / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    _write(assets / "plotly.min.js", get_plotlyjs())
    for name in ("site.css", "site.js"):
        _write(assets / name, resources.files("scrapers.site").joinpath("static", name).read_text(encoding="utf-8"))

    districts = pages.read_districts(con)
    coverage = pages.coverage(con)
    summaries = pages.summaries(con)
    violations = pages.violations(con)
    offices = pages.offices(con)
    reports = pages.reports(con)
    versions = pages.versions(con)
    labels = pages.read_labels(con)
    office_by_id = {o["office_id"]: o for o in offices}

    def render(kind: str, path: str, template: str, **context) -> None:
        depth = path.count("/")
        html = env.get_template(template).render(root="../" * depth, built=built, districts=districts, **context)
        _write(folder / path, html)
        site.pages[kind] += 1

    # coverage heat maps, one per district
    by_district: dict[str, list[dict]] = defaultdict(list)
    for c in coverage:
        by_district[pages.district_key(c["district_code"])].append(c)
    years = sorted({c["year"] for c in coverage}) or sorted({r["year"] for r in reports if r["year"]})

    def heatmap(key: str, root: str) -> str:
        rows = by_district.get(key, [])
        names, seen = [], set()
        for c in rows:
            if c["office_name"] not in seen:
                seen.add(c["office_name"])
                names.append(c["office_name"])
        states = {(c["office_name"], c["year"]): c["timeliness"] for c in rows}
        links = {(c["office_name"], c["year"]): f"{root}report/{c['report_id']}.html" for c in rows if c["report_id"]}
        fig = charts.coverage_heatmap(names, years, states, links,
                                      f"{districts.names.get(key, key)}：报告覆盖 coverage ({len(names)} offices)")
        return charts.to_div(fig, f"coverage-{key}")

    found = defaultdict(int)
    for c in coverage:
        found[pages.district_key(c["district_code"])] += c["timeliness"] != "missing"
    district_cards = [
        {"key": key, "name": districts.names[key], "offices": len({c["office_id"] for c in by_district.get(key, [])}),
         "found": found.get(key, 0),
         "reports": sum(1 for r in reports if pages.district_key(r["district_code"]) == key)}
        for key in districts.order
    ]
    totals = pages.yearly_totals(con)
    render("home", "index.html", "home.html",
           cards=district_cards, totals=totals,
           totals_chart=charts.to_div(charts.totals_by_year(totals), "totals-by-year") if totals else "",
           heatmaps=[(card, heatmap(card["key"], "")) for card in district_cards if card["key"] in by_district],
           report_count=len(reports), violation_count=sum(1 for v in violations if v["severity"] == "strict"))

    # district pages
    summaries_by_district: dict[str, list[dict]] = defaultdict(list)
    for s in summaries:
        summaries_by_district[pages.district_key(s["district_key_code"])].append(s)
    for key in districts.order:
        rows = summaries_by_district.get(key, [])
        per_office: dict[str, list[dict]] = defaultdict(list)
        for s in rows:
            per_office[s["office_id"]].append(s)
        ranked = []
        for office_id, years_of in per_office.items():
            latest = max(years_of, key=lambda s: s["year"])
            ranked.append({"office": office_by_id.get(office_id, {"office_id": office_id, "office_name": latest["office_name"]}),
                           "years": [s["year"] for s in years_of], "latest": latest,
                           # NULL where no year states it: an unstated figure is not a 0
                           "received": sum(stated) if (stated := [s["received"] for s in years_of
                                                                    if s["received"] is not None]) else None,
                           "violations": sum(s["identity_violations"] or 0 for s in years_of)})
        ranked.sort(key=lambda o: (o["received"] is None, -(o["received"] or 0), o["office"]["office_name"]))
        top = ranked[:12]
        received = {o["office"]["office_name"]: [(s["year"], s["received"]) for s in per_office[o["office"]["office_id"]]]
                    for o in top}
        rates = {o["office"]["office_name"]: [(s["year"], s["grant_rate"]) for s in per_office[o["office"]["office_id"]]]
                 for o in top}
        trends = []
        if rows:
            trends = [charts.to_div(charts.office_trends(received, "本年新收申请 Requests received", "件 requests"),
                                    f"trend-received-{key}"),
                      charts.to_div(charts.office_trends(rates, "予以公开率 Grant rate (NULL where doubtful)",
                                                         "grant rate", percent=True), f"trend-grant-{key}")]
        render("district", f"district/{key}.html", "district.html",
               key=key, name=districts.names[key], ranked=ranked, trends=trends,
               heatmap=heatmap(key, "../") if key in by_district else "",
               violations=[v for v in violations if pages.district_key(v["district_code"]) == key])

    # office pages
    summaries_by_office: dict[str, list[dict]] = defaultdict(list)
    for s in summaries:
        summaries_by_office[s["office_id"]].append(s)
    coverage_by_office: dict[str, list[dict]] = defaultdict(list)
    for c in coverage:
        coverage_by_office[c["office_id"]].append(c)
    reports_by_office: dict[str, list[dict]] = defaultdict(list)
    for r in reports:
        reports_by_office[r["office_id"]].append(r)
    for office in offices:
        oid = office["office_id"]
        render("office", f"office/{oid}.html", "office.html", office=office,
               district_key=pages.district_key(office["district_code"]),
               years=sorted(summaries_by_office.get(oid, []), key=lambda s: s["year"]),
               record=sorted(coverage_by_office.get(oid, []), key=lambda c: c["year"]),
               reports=reports_by_office.get(oid, []))

    # report pages and the stored documents
    documents = folder / "documents"
    documents.mkdir(exist_ok=True)
    violations_by_report: dict[str, list[dict]] = defaultdict(list)
    for v in violations:
        violations_by_report[v["report_id"]].append(v)
    def report_page(report: dict, cells: dict[str, dict]) -> None:
        rid = report["report_id"]
        for version in versions.get(rid, []):
            target = documents / document_name(version["sha256"], version["media_type"])
            if not target.exists():
                body = pages.blob(con, version["sha256"])
                if body is not None:
                    target.write_bytes(body)
                    site.documents += 1
            version["document"] = f"../documents/{target.name}" if target.exists() else None
        report_violations = violations_by_report.get(rid, [])
        broken = pages.broken_cells(report_violations)
        render("report", f"report/{rid}.html", "report.html", report=report,
               office=office_by_id.get(report["office_id"]),
               district_key=pages.district_key(report["district_code"]),
               document=f"../documents/{document_name(report['sha256'], report['media_type'])}",
               versions=versions.get(rid, []),
               others=[r for r in reports_by_office.get(report["office_id"], []) if r["report_id"] != rid],
               requests=pages.request_table(report, cells["requests"], labels, broken) if cells["requests"] else None,
               appeals=pages.appeal_table(report, cells["appeals"], labels, broken) if cells["appeals"] else None,
               proactive=pages.proactive_table(report, cells["proactive"], labels, broken) if cells["proactive"] else None,
               narrative=pages.narrative_rows(report, cells["narrative"], labels, broken) if cells["narrative"] else None,
               violations=report_violations)

    for start in range(0, len(reports), REPORT_BATCH):
        batch = reports[start:start + REPORT_BATCH]
        cells = pages.report_cells(con, [r["report_id"] for r in batch])
        for report in batch:
            report_page(report, cells[report["report_id"]])

    # search: a client-side index of office names and aliases (a script, since file:// pages
    # cannot fetch a JSON file)
    index = [
        {"name": o["office_name"], "aliases": sorted({*(o["published_names"] or []), o["normalised_name"] or ""} - {"", o["office_name"]}),
         "district": o["district"] or "", "type": o["office_type"], "reports": o["reports"] or 0,
         "url": f"office/{o['office_id']}.html"}
        for o in offices
    ]
    _write(assets / "search-index.js", "window.XXGK_SEARCH = " + json.dumps(index, ensure_ascii=False) + ";\n")
    render("search", "search.html", "search.html", office_count=len(index))
    return site


def site_from_db(db: str | Path | None, out: str | Path | None = None) -> Site:
    """The site of the warehouse db, into out (default: site/ beside the warehouse file)."""
    path = warehouse_path(db)
    out = out or path.parent / "site"
    if not path.exists():
        raise SiteError(f"no warehouse at {path}: build it first with `xxgk run`")
    con = connect(path, read_only=True)
    try:
        if not con.execute("select count(*) from duckdb_tables() where schema_name = 'marts'").fetchone()[0]:
            raise SiteError(f"{path} has no marts yet: run `xxgk run` (or dbt build) first")
        return build_site(con, out)
    finally:
        con.close()


def site_from_cli(args) -> int:
    """`xxgk site [--db DB] [--out DIR] [--serve] [--port 8000]`."""
    site = site_from_db(args.db, args.out)
    counts = ", ".join(f"{n} {kind}" for kind, n in site.pages.items())
    index = (site.folder / "index.html").resolve()
    print(f"site: {counts} pages, {site.documents} stored documents -> {index.as_uri()}")
    if args.serve:
        from scrapers.site.server import serve_until_stopped

        return serve_until_stopped(site.folder, args.port, "xxgk site")
    return 0
