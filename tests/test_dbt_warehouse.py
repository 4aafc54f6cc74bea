"""The dbt warehouse on the gold corpus.

raw rows are made from the gold files of the real reports (tests/fixtures/warehouse: the
values each document prints, in the shape ../shared/tools/score_parser.py reads), the way
`xxgk run --from DIR` loads them; one `dbt build` fills a temporary DuckDB, and the marts are
checked against the gold values and against identities computed here, in Python, from the
same gold files. A second warehouse follows a report through new versions and re-parses and
compares the incremental tables with a full refresh.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import threading
import urllib.request
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pytest

from scrapers.load.warehouse import connect
from scrapers.seeds import read_seed
from site_corpus import LAST_REPORT_YEAR, run_dbt  # noqa: F401 - test_office_warehouse imports run_dbt from here

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).parent / "fixtures" / "warehouse"
PARSER_VERSION = "1"
FETCHED_AT = datetime(2026, 3, 1, tzinfo=timezone.utc)


# ---------------------------------------------------------------------------------------
# raw rows from gold files, as the pipeline would load them


def gold_files() -> list[Path]:
    return sorted((FIXTURES / "gold").glob("*.json")) + sorted((FIXTURES / "pre2019").glob("*.json"))


def read_gold(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def report_url(path: Path) -> str:
    """What `xxgk run --from DIR` records for the gold file's document: a file:// URI."""
    return f"file:///corpus/{path.parent.name}/{Path(read_gold(path)['doc']).name}"


def report_id(path: Path) -> str:
    return hashlib.md5(report_url(path).encode()).hexdigest()


def gold_cell_rows(sha256: str, gold: dict, parser_version: str = PARSER_VERSION) -> list[tuple]:
    """raw.cells rows for a gold file, in the shape scrapers.load.parses writes them."""
    units = {m["code"]: m["unit"] for m in read_seed("proactive_measures")}
    rows = []
    for table in ("requests", "appeals", "proactive"):
        for outer, inner in (gold.get(table) or {}).items():
            for code, value in inner.items():
                unit = units.get(code) if table == "proactive" else None
                normalised = value if unit == "wan_yuan" else None
                rows.append((sha256, parser_version, table, outer, code, value, str(value), unit, normalised,
                             False, f"gold {table}/{outer}/{code}"))
    for measure, value in (gold.get("narrative") or {}).items():
        rows.append((sha256, parser_version, "narrative", measure, "", value, str(value), None, None, False,
                     f"gold narrative/{measure}"))
    return rows


def load_version(con, url: str, gold: dict, sha256: str, fetched_at: datetime,
                 parser_version: str = PARSER_VERSION, parsed_at: datetime | None = None) -> None:
    """One version of a report at `url`: its document row, its parse and its cells."""
    con.execute(
        """insert into raw.documents (document_id, report_url, source_url, sha256, origin, title, fetched_at)
           values (?, ?, ?, ?, 'local', ?, ?) on conflict do nothing""",
        [hashlib.sha256(f"{url}\n{sha256}".encode()).hexdigest()[:32], url, url, sha256,
         Path(url).stem, fetched_at],
    )
    add_parse(con, sha256, gold, parser_version, parsed_at or fetched_at)


def check_gold(gold: dict) -> list:
    """The parser's own checks (scrapers.parse.checks, the one owner of the identities) on the
    cells of a gold file."""
    from scrapers.parse.checks import check_appeals, check_requests
    from scrapers.parse.model import AppealCell, RequestCell

    requests = [RequestCell(row, column, value, str(value))
                for row, cols in (gold.get("requests") or {}).items() for column, value in cols.items()]
    appeals = [AppealCell(proceeding, result, value, str(value))
               for proceeding, cols in (gold.get("appeals") or {}).items() for result, value in cols.items()]
    return [*check_requests(requests), *check_appeals(appeals)]


def gold_check_rows(sha256: str, gold: dict, parser_version: str = PARSER_VERSION) -> list[tuple]:
    """raw.checks rows for a gold file, as scrapers.load.parses writes them."""
    return [(sha256, parser_version, c.name, c.passed, c.left, c.right, c.identity, c.table, c.row_code,
             c.column_code, c.left_side, c.right_side)
            for c in check_gold(gold)]


def add_parse(con, sha256: str, gold: dict, parser_version: str, parsed_at: datetime) -> None:
    for table in ("parses", "cells", "checks"):
        con.execute(f"delete from raw.{table} where sha256 = ? and parser_version = ?", [sha256, parser_version])
    con.execute(
        "insert into raw.parses values (?, ?, ?, ?, ?, 'ok', 'gold', '[]', ?)",
        [sha256, parser_version, gold.get("year"), gold.get("office"), gold.get("template"), parsed_at],
    )
    cells = gold_cell_rows(sha256, gold, parser_version)
    if cells:
        con.executemany("insert into raw.cells values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", cells)
    checks = gold_check_rows(sha256, gold, parser_version)
    if checks:
        con.executemany("insert into raw.checks values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", checks)


def load_gold_into_raw(db: Path, paths: list[Path]) -> None:
    con = connect(db)
    try:
        for path in paths:
            load_version(con, report_url(path), read_gold(path), hashlib.sha256(path.read_bytes()).hexdigest(),
                         FETCHED_AT)
    finally:
        con.close()


# ---------------------------------------------------------------------------------------
# dbt, in this process


def statuses(result) -> dict[str, tuple[str, int | None]]:
    return {r.node.name: (str(r.status), r.failures) for r in result.result.results}


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def mart_snapshot(db: Path) -> dict[str, list[tuple]]:
    tables = [t for (t,) in query(db, "select table_name from information_schema.tables "
                                      "where table_schema = 'marts' order by 1")]
    return {t: query(db, f'select * from marts."{t}" order by all') for t in tables}


@pytest.fixture(scope="module")
def gold_warehouse(tmp_path_factory):
    work = tmp_path_factory.mktemp("dbt-gold")
    db = work / "xxgk.duckdb"
    load_gold_into_raw(db, gold_files())
    result = run_dbt(db, work, "build")
    return db, work, result


# ---------------------------------------------------------------------------------------
# the identities, computed here from the gold files (an oracle independent of
# scrapers/parse/checks.py, which wrote raw.checks, and of the SQL that reports them)

REQUEST_ROWS = {r["code"]: r for r in read_seed("request_rows")}
PARTS = [a["code"] for a in read_seed("applicant_types") if a["is_total"] != "true"]
COLUMNS = PARTS + ["total"]
RESULTS = [r["code"] for r in read_seed("appeal_results") if r["is_total"] != "true"]
COMMON_OUTCOMES = [c for c, r in REQUEST_ROWS.items()
                   if r["role"] == "outcome" and r["category"] != "other"]
SUB_ROWS = [c for c, r in REQUEST_ROWS.items() if r["harmonised_outcome"] and r["harmonised_outcome"] != c]


def expected_violations(gold: dict) -> set[tuple]:
    """(identity, row, column, left, right) of every identity the gold values break.

    An identity is checked only where every cell it involves is in the gold file; a cell the
    gold leaves out (as the 上海市科委 file does on purpose) is unknown, not 0.
    """
    req = gold.get("requests") or {}
    found = set()

    def cell(row, col):
        return (req.get(row) or {}).get(col)

    for row, cols in req.items():
        if "total" in cols and all(p in cols for p in PARTS):
            right = sum(cols[p] for p in PARTS)
            if cols["total"] != right:
                found.add(("requests_row_total", row, "total", cols["total"], right))
        present = [v for v in (cols.get(c) for c in COLUMNS) if v is not None]
        if present and min(present) < 0:
            found.add(("requests_non_negative", row, None, min(present), 0))
    for col in COLUMNS:
        one_row = cell("other", col) is not None
        subs = [cell(s, col) for s in SUB_ROWS]
        common = [cell(o, col) for o in COMMON_OUTCOMES]
        total = cell("processed_total", col)
        if total is not None and None not in common and (one_row or None not in subs):
            right = sum(common) + (cell("other", col) if one_row else 0) + sum(s for s in subs if s is not None)
            if total != right:
                found.add(("requests_outcome_total", "processed_total", col, total, right))
        sides = [cell(r, col) for r in ("new_received", "carried_over", "processed_total", "carried_forward")]
        if None not in sides and sides[0] + sides[1] != sides[2] + sides[3]:
            found.add(("requests_balance", None, col, sides[0] + sides[1], sides[2] + sides[3]))
    for proceeding, cols in (gold.get("appeals") or {}).items():
        if "total" in cols and all(r in cols for r in RESULTS):
            right = sum(cols[r] for r in RESULTS)
            if cols["total"] != right:
                found.add(("appeals_row_total", proceeding, "total", cols["total"], right))
    return found


# ---------------------------------------------------------------------------------------
# the gold warehouse


def test_build_passes_though_the_sources_break_identities(gold_warehouse):
    """The sources' own faults are listed (qa_identity_violations, and Dagster's WARN check on
    it), never a failing or warning dbt test: those are the pipeline's faults."""
    db, _, result = gold_warehouse
    by_node = statuses(result)
    assert result.success, {n: s for n, s in by_node.items() if s[0] not in ("success", "pass")}
    failing = {n: s for n, s in by_node.items() if s[0] not in ("success", "pass", "no-op")}  # no-op: the exposure
    assert not failing, failing
    assert query(db, "select count(*) from marts.qa_identity_violations")[0][0] > 0, \
        "the gold corpus holds identity violations"
    unit_tests = [r for r in result.result.results if r.node.resource_type == "unit_test"]
    assert len(unit_tests) >= 4 and all(str(r.status) == "pass" for r in unit_tests)


@pytest.mark.parametrize("path", gold_files(), ids=lambda p: p.stem)
def test_marts_hold_the_gold_values(gold_warehouse, path):
    db = gold_warehouse[0]
    gold, rid = read_gold(path), report_id(path)
    report = query(db, "select year, template, status, source_url, printed_office from marts.dim_report "
                       "where report_id = ?", [rid])
    assert report == [(gold["year"], gold["template"], "ok", report_url(path), gold["office"])]
    got = {("requests", o, a): v for o, a, v in query(
        db, "select outcome, applicant_type, value from marts.fct_requests where report_id = ? and not is_derived",
        [rid])}
    got |= {("appeals", p, r): v for p, r, v in query(
        db, "select proceeding, result, value from marts.fct_appeals where report_id = ?", [rid])}
    got |= {("proactive", i, m): float(v) for i, m, v in query(
        db, "select item, measure, value from marts.fct_proactive where report_id = ? and is_printed", [rid])}
    got |= {("narrative", m, ""): float(v) for m, v in query(
        db, "select measure, value from marts.fct_narrative where report_id = ?", [rid])}
    want = {}
    for table in ("requests", "appeals", "proactive"):
        for outer, inner in (gold.get(table) or {}).items():
            for code, value in inner.items():
                want[(table, outer, code)] = float(value) if table == "proactive" else value
    for measure, value in (gold.get("narrative") or {}).items():
        want[("narrative", measure, "")] = float(value)
    assert got == want


def test_qa_lists_exactly_the_violations_of_the_sources(gold_warehouse):
    db = gold_warehouse[0]
    want = {(report_id(p), *v) for p in gold_files() for v in expected_violations(read_gold(p))}
    assert want, "the oracle must find the violations the gold notes describe"
    got = {(rid, identity, row, col, float(left), float(right)) for rid, identity, row, col, left, right in query(
        db, "select report_id, identity, row_code, column_code, left_value, right_value "
            "from marts.qa_identity_violations where severity = 'strict'")}
    assert got == {(rid, i, r, c, float(lv), float(rv)) for rid, i, r, c, lv, rv in want}
    per_report = dict(query(db, "select report_id, identity_violations from marts.dim_report"))
    for path in gold_files():
        assert per_report[report_id(path)] == len(expected_violations(read_gold(path))), path.stem


def test_each_violation_points_at_its_printed_cell_and_document(gold_warehouse):
    """An analyst goes from a broken identity to the cell in the document in one query: the
    left side's location and printed text, where that side is one cell, and the source."""
    db = gold_warehouse[0]
    urls = {report_id(p): report_url(p) for p in gold_files()}
    rows = query(db, "select report_id, table_name, row_code, column_code, left_value, left_location, left_raw, "
                     "source_url from marts.qa_identity_violations where severity = 'strict'")
    assert rows
    for rid, table, row, col, left, location, raw, url in rows:
        assert url == urls[rid]
        if row is None or col is None:  # a balance or non-negative check spans a row or a column
            assert (location, raw) == (None, None)
        else:
            assert (location, raw) == (f"gold {table}/{row}/{col}", str(int(left)))


@pytest.mark.parametrize("model, column, seed", [
    ("fct_proactive", "item", "proactive_items"), ("fct_proactive", "measure", "proactive_measures"),
    ("fct_appeals", "proceeding", "appeal_proceedings"), ("fct_appeals", "result", "appeal_results"),
])
def test_a_coded_column_without_a_dimension_names_every_code(model, column, seed):
    """The release carries no seeds: a reader of fct_proactive or fct_appeals learns what each
    code means from the column's description alone."""
    import yaml

    spec = yaml.safe_load((Path(__file__).parents[1] / "dbt/models/marts/facts" / f"{model}.yml").read_text(encoding="utf-8"))
    text = next(c["description"] for c in spec["models"][0]["columns"] if c["name"] == column)
    missing = [row["code"] for row in read_seed(seed) if not re.search(rf"(?<![a-z_]){row['code']}(?![a-z_])", text)]
    assert not missing, (model, column, missing)


def test_the_parser_checks_a_negative_count_and_never_a_missing_cell():
    """scrapers/parse/checks.py against the oracle on a report with a negative count and an
    outcome row left out: the negative is listed on its row's smallest cell, and the
    identities that would need the missing cell are not evaluated (it is unknown, not 0)."""
    gold = read_gold(XIANGHEYUAN)
    gold["requests"]["granted"]["natural_person"] = -3
    del gold["requests"]["denied_state_secret"]["legal_service_org"]
    failed = {(c.identity, c.row_code, c.column_code, c.left, c.right)
              for c in check_gold(gold) if not c.passed}
    assert failed == expected_violations(gold)
    assert ("requests_non_negative", "granted", None, -3, 0) in failed
    evaluated = {(c.identity, c.row_code, c.column_code) for c in check_gold(gold)}
    assert ("requests_outcome_total", "processed_total", "legal_service_org") not in evaluated
    assert ("requests_row_total", "denied_state_secret", "total") not in evaluated
    assert ("requests_outcome_total", "processed_total", "natural_person") in evaluated


def test_other_rolls_up_and_keeps_its_grain(gold_warehouse):
    db = gold_warehouse[0]
    for path in gold_files():
        requests = read_gold(path).get("requests") or {}
        if not requests:
            continue
        rows = {(o, a): (v, raw, derived) for o, a, v, raw, derived in query(
            db, "select outcome, applicant_type, value, raw, is_derived from marts.fct_requests "
                "where report_id = ? and outcome = 'other'", [report_id(path)])}
        for col in COLUMNS:
            if "other" in requests:  # printed as one row: kept as printed, nothing derived
                assert rows[("other", col)] == (requests["other"][col], str(requests["other"][col]), False)
            else:  # printed as （六）1–3: their sum, derived, with no printed text
                assert rows[("other", col)] == (sum(requests[s][col] for s in SUB_ROWS), None, True)


def test_table_two_is_one_list_with_nulls_where_the_template_lacks_a_cell(gold_warehouse):
    db = gold_warehouse[0]
    grid = read_seed("proactive_grid")
    for path in gold_files():
        gold = read_gold(path)
        rows = query(db, "select item, measure, value, in_template from marts.fct_proactive where report_id = ?",
                     [report_id(path)])
        if not gold.get("proactive"):
            assert rows == []
            continue
        assert len(rows) == len(grid)
        in_template = {(g["item"], g["measure"]) for g in grid if g[f"in_{gold['template']}"] == "true"}
        for item, measure, value, flagged in rows:
            assert flagged == ((item, measure) in in_template)
            printed = (gold["proactive"].get(item) or {}).get(measure)
            assert (value is None) == (printed is None), (item, measure)


def test_offices_resolve_to_the_registry_including_historical_ones(gold_warehouse):
    db = gold_warehouse[0]
    registry = read_seed("offices")
    for path in sorted((FIXTURES / "pre2019").glob("*.json")):
        gold = read_gold(path)
        office_id, district, registered = query(
            db, "select office_id, district, is_office_registered from marts.dim_report where report_id = ?",
            [report_id(path)])[0]
        assert registered, (path.stem, gold["office"])
        office = next(o for o in registry if o["office_id"] == office_id)
        year_end = date(gold["year"], 12, 31).isoformat()
        # the office matched is one that existed when the report was due
        assert not office["valid_from"] or office["valid_from"] <= year_end, (path.stem, office)
        assert not office["valid_to"] or year_end < office["valid_to"], (path.stem, office)
        assert district == office["district"]
    # non-Beijing reports name offices the registry lacks: they get an office of their own
    for path in sorted((FIXTURES / "gold").glob("shanghai-*.json")):
        office_id, registered = query(db, "select office_id, is_office_registered from marts.dim_report "
                                          "where report_id = ?", [report_id(path)])[0]
        assert office_id.startswith("discovered-") and not registered
        assert query(db, "select is_registered from marts.dim_office where office_id = ?", [office_id]) == [(False,)]


def test_office_year_summary_spans_both_eras_with_the_source_of_its_figures(gold_warehouse):
    db = gold_warehouse[0]
    years = {y for (y,) in query(db, "select distinct year from marts.office_year_summary")}
    assert years == set(range(2008, LAST_REPORT_YEAR + 1))
    measures = {m["code"]: m["summary_column"] for m in read_seed("narrative_measures")}
    for path in gold_files():
        gold = read_gold(path)
        row = query(db, "select figures_source, received, processed, granted, unable, reviews, proactive_items "
                        "from marts.office_year_summary where report_id = ?", [report_id(path)])
        if not row:  # the other copy of an office-year (a PDF and its text layer) speaks for it
            assert query(db, "select is_primary, reports_in_office_year from marts.dim_report "
                             "where report_id = ?", [report_id(path)]) == [(False, 2)]
            continue
        source, received, processed, granted, unable, reviews, proactive_items = row[0]
        if gold["template"] == "pre2019":
            stated = gold["narrative"]
            assert source == "pre2019_statement"

            def stated_sum(column):
                values = [v for m, v in stated.items() if measures[m] == column]
                return sum(values) if values else None

            assert (received, processed, granted, unable, reviews, proactive_items) == (
                stated_sum("received"), stated_sum("processed"), stated_sum("granted"),
                stated_sum("unable"), stated_sum("reviews"), stated_sum("proactive_items"))
        else:
            req = gold["requests"]
            assert source == "standard_tables"
            assert (received, processed, granted, reviews, proactive_items) == (
                req["new_received"]["total"], req["processed_total"]["total"], req["granted"]["total"],
                gold["appeals"]["review"]["total"], None)
            assert unable == sum(req[c]["total"] for c in REQUEST_ROWS if REQUEST_ROWS[c]["category"] == "unable")
    # registry offices without reports still have their years, marked as such
    assert query(db, "select count(*) from marts.office_year_summary where figures_source = 'no_report' "
                     "and report_id is null and received is null")[0][0] > 0


def test_publication_coverage_uses_the_statutory_deadlines(gold_warehouse):
    db = gold_warehouse[0]
    assert query(db, "select count(*) from marts.publication_coverage where not is_registered and not report_found") == [(0,)]
    rows = query(db, "select office_type, year, deadline from marts.publication_coverage where is_registered")
    assert rows
    for office_type, year, deadline in rows:
        if year <= 2018:
            assert deadline == date(year + 1, 3, 31)
        elif office_type == "district_government":
            assert deadline == date(year + 1, 3, 31)
        else:
            assert deadline == date(year + 1, 1, 31)
    # every registry office, every year it existed (宣武's offices end in 2010)
    registry = read_seed("offices")
    expected = sum(
        1 for o in registry for y in range(2008, LAST_REPORT_YEAR + 1)
        if (not o["valid_from"] or o["valid_from"] <= f"{y}-12-31") and (not o["valid_to"] or f"{y}-12-31" < o["valid_to"])
    )
    assert len(rows) == expected
    found = query(db, "select count(*) from marts.publication_coverage where report_found and is_registered")[0][0]
    primary_registered = query(db, "select count(*) from marts.dim_report where is_primary and is_office_registered "
                                   "and year between 2008 and ?", [LAST_REPORT_YEAR])[0][0]
    assert found == primary_registered


def test_export_writes_every_mart(gold_warehouse, tmp_path):
    from scrapers.site.release import export_marts

    db = gold_warehouse[0]
    for fmt in ("parquet", "csv"):
        counts = export_marts(db, tmp_path / fmt, fmt)
        tables = {t for (t,) in query(db, "select table_name from information_schema.tables "
                                          "where table_schema = 'marts'")}
        assert set(counts) == tables
        con = duckdb.connect()
        for table, rows in counts.items():
            assert rows == query(db, f'select count(*) from marts."{table}"')[0][0]
            reader = "read_parquet" if fmt == "parquet" else "read_csv_auto"
            assert con.execute(f"select count(*) from {reader}(?)", [str(tmp_path / fmt / f"{table}.{fmt}")]
                               ).fetchone()[0] == rows
        con.close()


def test_export_of_a_missing_warehouse_is_a_clear_error(tmp_path):
    from scrapers.site.release import ExportError, export_marts

    with pytest.raises(ExportError, match="no warehouse"):
        export_marts(tmp_path / "nothing.duckdb", tmp_path / "out")


def test_docs_describe_every_model_and_column_and_are_served(gold_warehouse):
    from dagster_project.docs import build_docs
    from scrapers.site.server import serve

    db, work, _ = gold_warehouse
    site = build_docs(db, work / "docs")
    manifest = json.loads((site / "manifest.json").read_text(encoding="utf-8"))
    catalog = json.loads((site / "catalog.json").read_text(encoding="utf-8"))
    undocumented = []
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model":
            continue
        if not node["description"].strip():
            undocumented.append(node["name"])
        built = catalog["nodes"].get(node["unique_id"], {}).get("columns", {})
        for column in built:
            if not (node["columns"].get(column.lower()) or {}).get("description", "").strip():
                undocumented.append(f"{node['name']}.{column}")
    assert undocumented == []
    assert any(e["name"] == "analysts_office_year_summary" for e in manifest["exposures"].values())
    # the release ships every mart: a new one is declared where its readers are
    marts = {n["unique_id"] for n in manifest["nodes"].values()
             if n["resource_type"] == "model" and n["config"].get("schema") == "marts"}
    release = next(e for e in manifest["exposures"].values() if e["name"] == "data_release")
    assert marts and set(release["depends_on"]["nodes"]) == marts
    server = serve(site, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.server_address[1]}/index.html", timeout=10) as r:
            assert r.status == 200 and b"dbt" in r.read()
    finally:
        server.shutdown()
        server.server_close()


def test_a_broken_pipeline_fails_the_build(gold_warehouse, tmp_path):
    """A cell counted twice, or a fact whose report is gone, is the pipeline's fault: error."""
    db, work, _ = gold_warehouse
    broken = tmp_path / "broken.duckdb"
    shutil.copy(db, broken)
    con = duckdb.connect(str(broken))
    con.execute("insert into marts.fct_requests select * from marts.fct_requests limit 1")
    con.execute("insert into marts.fct_appeals select * replace ('no-such-report' as report_id) "
                "from marts.fct_appeals limit 1")
    con.close()
    result = run_dbt(broken, work, "test", "--select", "fct_requests", "fct_appeals")
    failed = {n for n, (s, _) in statuses(result).items() if s == "fail"}
    assert not result.success
    assert any(n.startswith("primary_key_fct_requests") for n in failed), failed
    assert any(n.startswith("matches_parsed_cells_fct_requests") for n in failed), failed
    assert any(n.startswith("relationships_fct_appeals_report_id") for n in failed), failed


# ---------------------------------------------------------------------------------------
# versions, re-parses and the incremental path: the gold warehouse, then changes, then an
# incremental `dbt build`, compared with a full refresh of the same raw data

HUAIAN = FIXTURES / "gold" / "jiangsu-huaian-city-gov-2024.json"
XIANGHEYUAN = FIXTURES / "gold" / "beijing-chaoyang-xiangheyuan-2019.json"
SJJ = FIXTURES / "pre2019" / "chaoyang-sjj-2010.json"
XIANGHEYUAN_2020 = "file:///corpus/more/xiangheyuan-2020.txt"


@pytest.fixture(scope="module")
def evolved_warehouse(gold_warehouse, tmp_path_factory):
    work = tmp_path_factory.mktemp("dbt-evolved")
    db = work / "xxgk.duckdb"
    shutil.copy(gold_warehouse[0], db)
    # a corrected version of 淮安's report at the same URL: one sub-row cell and its totals
    corrected = read_gold(HUAIAN)
    for col in ("natural_person", "total"):
        for row in ("other_misc", "processed_total", "new_received"):
            corrected["requests"][row][col] += 1
    # 香河园's bytes re-read by parser version 2, which reads one cell differently
    reparsed = read_gold(XIANGHEYUAN)
    reparsed["requests"]["granted"]["natural_person"] = 7
    # 香河园's next report, whose 上年结转 does not continue 2019's 结转下年度
    next_year = read_gold(XIANGHEYUAN)
    next_year["year"] = 2020
    next_year["requests"]["carried_over"]["total"] = next_year["requests"]["carried_forward"]["total"] + 2
    con = connect(db)
    try:
        load_version(con, report_url(HUAIAN), corrected, "huaian-v2", FETCHED_AT + timedelta(days=30))
        add_parse(con, hashlib.sha256(XIANGHEYUAN.read_bytes()).hexdigest(), reparsed, "2",
                  FETCHED_AT + timedelta(days=31))
        # 审计局 2010: a new version that states nothing any more (the page was emptied)
        load_version(con, report_url(SJJ), {**read_gold(SJJ), "narrative": {}}, "sjj-v2",
                     FETCHED_AT + timedelta(days=32))
        load_version(con, XIANGHEYUAN_2020, next_year, "xhy-2020", FETCHED_AT + timedelta(days=33))
    finally:
        con.close()
    result = run_dbt(db, work, "build")
    return db, work, result, corrected, next_year


def test_a_new_version_wins_and_history_stays(evolved_warehouse):
    db, _, result, corrected, _ = evolved_warehouse
    assert result.success
    rid = report_id(HUAIAN)
    assert query(db, "select version_number, is_current from intermediate.int_report_versions_ranked "
                     "where report_id = ? order by 1", [rid]) == [(1, False), (2, True)]
    assert query(db, "select sha256, version_count from marts.dim_report where report_id = ?", [rid]) == [
        ("huaian-v2", 2)]
    assert query(db, "select value from marts.fct_requests where report_id = ? and outcome = 'other' "
                     "and applicant_type = 'total'", [rid]) == [
        (sum(corrected["requests"][s]["total"] for s in SUB_ROWS),)]
    assert query(db, "select count(distinct sha256) from marts.fct_requests where report_id = ?", [rid]) == [(1,)]
    # both versions' harmonised sums stay in the history
    assert query(db, "select count(distinct sha256) from intermediate.int_requests_rolled_up "
                     "where sha256 in (?, 'huaian-v2')", [hashlib.sha256(HUAIAN.read_bytes()).hexdigest()]) == [(2,)]
    # a newer parser's reading of the same bytes replaces the older one
    assert query(db, "select parser_version, value from marts.fct_requests where report_id = ? "
                     "and outcome = 'granted' and applicant_type = 'natural_person'",
                 [report_id(XIANGHEYUAN)]) == [("2", 7)]
    # a version without statements empties the report's facts
    assert query(db, "select count(*) from marts.fct_narrative where report_id = ?", [report_id(SJJ)]) == [(0,)]


def test_the_year_chain_is_a_soft_identity(evolved_warehouse):
    """二、上年结转 of year N against 四、结转下年度 of N−1, for the same office."""
    db, _, _, _, next_year = evolved_warehouse
    assert query(db, "select report_id, severity, left_value, right_value from marts.qa_identity_violations "
                     "where identity = 'requests_year_chain'") == [
        (hashlib.md5(XIANGHEYUAN_2020.encode()).hexdigest(), "soft",
         next_year["requests"]["carried_over"]["total"], next_year["requests"]["carried_forward"]["total"])]
    assert query(db, "select left_location from marts.qa_identity_violations "
                     "where identity = 'requests_year_chain'") == [("gold requests/carried_over/total",)]


def test_a_build_tests_the_facts_of_the_reports_it_built(evolved_warehouse):
    """The facts' tests of a `dbt build` read the reports that build stamped (the rest were
    tested when they were written): after the incremental build, exactly the four reports
    that changed."""
    db = evolved_warehouse[0]
    stamps = query(db, "select invocation_id, list(report_id order by report_id) "
                       "from intermediate.int_reports_office_resolved group by 1 order by count(*)")
    assert len(stamps) == 2
    changed = [report_id(HUAIAN), report_id(XIANGHEYUAN), report_id(SJJ),
               hashlib.md5(XIANGHEYUAN_2020.encode()).hexdigest()]
    assert stamps[0][1] == sorted(changed)


def test_an_incremental_build_equals_a_full_refresh(evolved_warehouse, tmp_path):
    db, work, _, _, _ = evolved_warehouse
    rebuilt = tmp_path / "rebuilt.duckdb"
    shutil.copy(db, rebuilt)
    assert run_dbt(rebuilt, work, "build", "--full-refresh").success
    assert mart_snapshot(rebuilt) == mart_snapshot(db)


# ---------------------------------------------------------------------------------------
# builds narrowed to what changed (dagster_project/builds.py, as the dbt asset runs them): the
# gold warehouse again, built by a copy of the project whose seeds may change, each build
# selected by the pipeline's plan and recorded as the asset records it

VARS = {"last_report_year": LAST_REPORT_YEAR}
DEADLINES_2008 = "2008,2018,,3,31,"


def ran(result) -> set[str]:
    return {r.node.unique_id for r in result.result.results}


def downstream(manifest: dict, roots: set[str]) -> set[str]:
    found, todo = set(), list(roots)
    while todo:
        node = todo.pop()
        for child in manifest["child_map"].get(node, []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


@pytest.fixture(scope="module")
def narrowed(gold_warehouse, tmp_path_factory):
    from dagster_project import builds
    from scrapers.load.warehouse import transaction
    from scrapers.offices import match_offices
    from scrapers.settings import DBT_DIR, SEEDS_DIR

    work = tmp_path_factory.mktemp("dbt-narrowed")
    project = work / "project" / "dbt"  # seed-paths is ../seeds
    shutil.copytree(DBT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    shutil.copytree(SEEDS_DIR, project.parent / "seeds")
    db = work / "xxgk.duckdb"
    shutil.copy(gold_warehouse[0], db)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(builds, "DBT_DIR", project)
        mp.setattr(builds, "SEEDS_DIR", project.parent / "seeds")
        mp.setattr(builds, "MANIFEST", work / "target" / "manifest.json")

        def build(on: Path = db):
            with transaction(on) as con:  # the parse step matches the offices before dbt's asset plans
                match_offices(con)
            plan = builds.plan(on, VARS)
            result = run_dbt(on, work, "build", *plan.state_args(work / "state"), project_dir=project)
            assert result.success, statuses(result)
            builds.record_build(on, plan.fingerprint, "test", 0.0, raw_tables=plan.raw_tables,
                                manifest=work / "target" / "manifest.json", cli_vars=VARS)
            return plan, result

        # gold_warehouse's build was this project's full build: the state it would have left is
        # the manifest parsed here, against this file
        run_dbt(db, work, "parse", project_dir=project)
        first = builds.plan(db, VARS)
        builds.record_build(db, first.fingerprint, "gold", 0.0, raw_tables=first.raw_tables,
                            manifest=work / "target" / "manifest.json", cli_vars=VARS)
        steps = {"first": (first, None), "unchanged": build()}
        con = connect(db)
        try:
            load_version(con, report_url(HUAIAN), read_gold(HUAIAN), "huaian-v2", FETCHED_AT + timedelta(days=30))
        finally:
            con.close()
        steps["new version"] = build()
        seed = project.parent / "seeds" / "statutory_deadlines.csv"
        text = seed.read_text(encoding="utf-8")
        assert DEADLINES_2008 in text
        seed.write_text(text.replace(DEADLINES_2008, "2008,2018,,3,30,"), encoding="utf-8")
        steps["seed"] = build()
        # the same raw rows in a new file, built in full
        scratch = work / "scratch.duckdb"
        connect(scratch).close()
        con = duckdb.connect(str(scratch))
        try:
            con.execute(f"attach '{db}' as narrowed (read_only)")
            for table in ("documents", "parses", "cells", "checks", "fetches"):
                con.execute(f"insert into raw.{table} select * from narrowed.raw.{table}")
        finally:
            con.close()
        steps["from scratch"] = build(scratch)
        manifest = json.loads((work / "target" / "manifest.json").read_text(encoding="utf-8"))
        yield {"db": db, "scratch": scratch, "manifest": manifest, **steps}


def test_without_state_a_build_is_full(narrowed):
    assert narrowed["first"][0].select is None and "no state" in narrowed["first"][0].reason
    plan, result = narrowed["from scratch"]
    assert plan.select is None and "no state" in plan.reason
    built = {n for n in ran(result) if n.split(".")[0] in ("model", "seed")}
    assert built == {n for n, node in narrowed["manifest"]["nodes"].items() if node["resource_type"] in ("model", "seed")}


def test_with_nothing_changed_dbt_selects_nothing(narrowed):
    plan, result = narrowed["unchanged"]
    assert plan.up_to_date and plan.select == ("state:modified+",) and plan.reason == "no raw table changed"
    assert ran(result) == set()


def test_new_raw_rows_rebuild_what_they_feed_and_nothing_else(narrowed):
    plan, result = narrowed["new version"]
    assert not plan.up_to_date
    assert plan.select == ("state:modified+", "source:raw.cells+", "source:raw.checks+", "source:raw.documents+",
                           "source:raw.parses+")
    manifest = narrowed["manifest"]
    fed = downstream(manifest, {f"source.xxgk.raw.{t}" for t in ("cells", "checks", "documents", "parses")})
    assert ran(result) <= fed
    assert {"model.xxgk.int_reports_office_resolved", "model.xxgk.fct_requests", "model.xxgk.dim_report"} <= ran(result)
    assert not any(n.startswith("seed.") for n in ran(result))
    db = narrowed["db"]
    assert query(db, "select sha256, version_count from marts.dim_report where report_id = ?", [report_id(HUAIAN)]) == [
        ("huaian-v2", 2)]


def test_a_seed_change_rebuilds_its_dependents_and_nothing_else(narrowed):
    plan, result = narrowed["seed"]
    assert plan.select == ("state:modified+",) and plan.reason == "no raw table changed"
    built = {n for n in ran(result) if n.split(".")[0] in ("model", "seed")}
    assert built == {"seed.xxgk.statutory_deadlines", "model.xxgk.publication_coverage"}
    deadlines = query(narrowed["db"], "select distinct deadline from marts.publication_coverage where year = 2010")
    assert deadlines == [(date(2011, 3, 30),)]


def test_the_marts_after_narrowed_builds_equal_a_full_build_from_scratch(narrowed):
    assert mart_snapshot(narrowed["db"]) == mart_snapshot(narrowed["scratch"])


def test_what_dbt_state_cannot_see_makes_a_full_build(narrowed, tmp_path, monkeypatch):
    from dagster_project import builds

    db = tmp_path / "xxgk.duckdb"
    shutil.copy(narrowed["db"], db)
    assert builds.plan(db, VARS).select == ("state:modified+",)
    assert builds.plan(db, {"last_report_year": LAST_REPORT_YEAR - 1}).reason == "the dbt vars changed"
    with monkeypatch.context() as mp:
        mp.setattr(builds, "dbt_versions", lambda: "dbt-core 9.9.9, dbt-duckdb 9.9.9")
        assert builds.plan(db, VARS).select is None
    with monkeypatch.context() as mp:
        mp.setattr(builds, "profile_hash", lambda: "another profile")
        assert builds.plan(db, VARS).reason == "the dbt profile changed"
    con = duckdb.connect(str(db))
    con.execute("drop table marts.office_year_summary")
    con.close()
    plan = builds.plan(db, VARS)
    assert plan.select is None and "marts.office_year_summary" in plan.reason


def test_dagster_records_only_what_a_narrowed_build_built(gold_warehouse, tmp_path):
    """The dbt asset's narrowed build through Dagster: a model dbt did not build is not
    materialised, a test dbt did not run is not an evaluated check."""
    import dagster as dg

    from dagster_project import builds
    from dagster_project.assets.dbt import translator, warehouse_models
    from dagster_project.project import dbt_project
    from dagster_project.resources import default_resources
    from scrapers.settings import Settings

    db = tmp_path / "xxgk.duckdb"
    shutil.copy(gold_warehouse[0], db)
    run_dbt(db, tmp_path / "gold", "parse")  # the state gold_warehouse's full build left, against this file
    first = builds.plan(db)
    builds.record_build(db, first.fingerprint, "gold", 0.0, raw_tables=first.raw_tables,
                        manifest=tmp_path / "gold" / "target" / "manifest.json")
    con = connect(db)
    try:
        load_version(con, report_url(HUAIAN), read_gold(HUAIAN), "huaian-v2", FETCHED_AT + timedelta(days=30))
    finally:
        con.close()
    settings = Settings.resolve(db=db, registry=tmp_path / "none.csv", archive=tmp_path / "archive")
    with dg.DagsterInstance.ephemeral() as instance:
        # every model and every check of the op, as the pipeline's jobs run it (the dbt tests of
        # the sources are checks of the asset that writes raw, outside this op's assets)
        whole = dg.AssetSelection.assets(*warehouse_models.keys) | dg.AssetSelection.checks(*warehouse_models.check_keys)
        result = dg.materialize([warehouse_models], selection=whole, resources=default_resources(settings),
                                instance=instance)
        assert result.success
        materialised = {e.asset_key for e in result.get_asset_materialization_events()}
        checked = {(e.asset_key, e.check_name) for e in result.get_asset_check_evaluations()}
    manifest = json.loads(Path(dbt_project.manifest_path).read_text(encoding="utf-8"))
    results = json.loads((settings.dbt_target / "run_results.json").read_text(encoding="utf-8"))["results"]
    built = {r["unique_id"] for r in results if r["unique_id"].split(".")[0] in ("model", "seed")}
    tested = {r["unique_id"] for r in results if r["unique_id"].startswith("test.")}
    assert built and not any(n.startswith("seed.") for n in built)
    assert materialised == {translator.get_asset_key(manifest["nodes"][n]) for n in built}
    assert len(checked) == len(tested) and checked <= {(k.asset_key, k.name) for k in warehouse_models.check_keys}
    assert len(warehouse_models.keys) > len(materialised)
    assert builds.plan(db).up_to_date  # and the build was recorded
