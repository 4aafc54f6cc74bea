"""`xxgk release`: read back by DuckDB and by Python's csv module, the rows are the marts';
the datapackage validates with `frictionless validate`; the checksums hold."""

from __future__ import annotations

import csv
import hashlib
import json
import subprocess
import sys
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from scrapers.site.release import ExportError, frictionless_type, write_release


@pytest.fixture(scope="module")
def release(site_warehouse, tmp_path_factory):
    out = tmp_path_factory.mktemp("release")
    rel = write_release(site_warehouse[1], out, now=datetime(2026, 12, 1, 12, tzinfo=timezone.utc))
    return site_warehouse[1], out, rel


def marts(db) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: con.execute(f'select count(*) from marts."{t}"').fetchone()[0] for (t,) in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'marts'").fetchall()}
    finally:
        con.close()


def test_every_mart_is_released_twice(release):
    db, out, rel = release
    counts = marts(db)
    assert {m.name: m.rows for m in rel.marts} == counts
    assert sum(counts.values()) > 0
    for table in counts:
        assert (out / "data" / f"{table}.csv").is_file() and (out / "data" / f"{table}.parquet").is_file()


def test_parquet_holds_exactly_the_marts_rows(release):
    db, out, _ = release
    con = duckdb.connect(str(db), read_only=True)
    try:
        for table in marts(db):
            path = str(out / "data" / f"{table}.parquet")
            for a, b in ((f'marts."{table}"', f"read_parquet('{path}')"), (f"read_parquet('{path}')", f'marts."{table}"')):
                assert con.execute(f"select count(*) from (select * from {a} except all select * from {b})").fetchone()[0] == 0, table
    finally:
        con.close()


def _typed(text: str, kind: str):
    """A CSV field read the way the datapackage says it is typed."""
    if text == "":
        return None
    return {
        "integer": int, "number": Decimal, "boolean": {"true": True, "false": False}.__getitem__,
        "array": json.loads, "object": json.loads,
        "date": lambda t: datetime.strptime(t, "%Y-%m-%d").date(),
        "datetime": lambda t: datetime.strptime(t, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc),
    }.get(kind, str)(text)


def _comparable(value):
    # Python's csv module reads "" and an empty field alike; test_csv_keeps_empty_text_apart_from_null
    # checks the difference with a reader that sees it
    if value == "":
        return None
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value.normalize()
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc)
    return value


def test_csv_read_by_python_gives_the_marts_rows(release):
    db, out, _ = release
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    con = duckdb.connect(str(db), read_only=True)
    try:
        for resource in package["resources"]:
            raw = (out / resource["path"]).read_bytes()
            assert raw.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
            with open(out / resource["path"], encoding="utf-8-sig", newline="") as f:
                reader = csv.reader(f)
                header = next(reader)
                fields = resource["schema"]["fields"]
                assert header == [f["name"] for f in fields]
                got = sorted((tuple(_comparable(_typed(v, f["type"])) for v, f in zip(row, fields)) for row in reader), key=repr)
            cur = con.execute(f'select * from marts."{resource["name"]}"')
            want = sorted((tuple(_comparable(v) for v in row) for row in cur.fetchall()), key=repr)
            assert got == want, resource["name"]
    finally:
        con.close()


def test_lists_are_json_arrays_not_python_reprs(release):
    _, out, _ = release
    with open(out / "data" / "dim_report.csv", encoding="utf-8-sig", newline="") as f:
        problems = [row["problems"] for row in csv.DictReader(f)]
    assert any(p not in ("", "[]") for p in problems)
    for p in problems:
        assert p == "" or isinstance(json.loads(p), list)
        assert "['" not in p


def test_csv_keeps_empty_text_apart_from_null(release):
    db, out, _ = release
    con = duckdb.connect(str(db), read_only=True)
    try:
        for table, column in (("fct_requests", "raw"), ("dim_report", "district")):
            path = str(out / "data" / f"{table}.csv")
            count = f"count(*) filter (where {column} = ''), count(*) filter (where {column} is null)"
            want = con.execute(f"select {count} from marts.{table}").fetchone()
            got = con.execute(f"select {count} from read_csv('{path}', allow_quoted_nulls = false, "
                              f"types = {{'{column}': 'VARCHAR'}})").fetchone()
            assert got == want, table
        # the corpus has cells printed blank (raw '') and reports outside the registry (no district)
        assert con.execute("select count(*) from marts.fct_requests where raw = ''").fetchone()[0] > 0
        assert con.execute("select count(*) from marts.dim_report where district is null").fetchone()[0] > 0
    finally:
        con.close()


def test_csv_read_by_duckdb(release):
    db, out, _ = release
    con = duckdb.connect()
    try:
        for table, rows in marts(db).items():
            path = str(out / "data" / f"{table}.csv")
            assert con.execute(f"select count(*) from read_csv('{path}')").fetchone()[0] == rows
            first = con.execute(f"select * from read_csv('{path}') limit 0").description[0][0]
            assert not first.startswith("\ufeff"), table
    finally:
        con.close()


def test_datapackage_validates_with_frictionless(release):
    _, out, _ = release
    frictionless = Path(sys.executable).with_name("frictionless")
    proc = subprocess.run([str(frictionless), "validate", "--json", str(out / "datapackage.json")],
                          capture_output=True, text=True, timeout=120)
    report = json.loads(proc.stdout)
    assert proc.returncode == 0 and report["valid"], proc.stdout[-2000:]
    assert len(report["tasks"]) == len(marts(release[0]))


def test_datapackage_describes_every_column(release):
    _, out, _ = release
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert package["version"] == "2026.12.01"
    for resource in package["resources"]:
        assert resource["description"]
        for field in resource["schema"]["fields"]:
            assert field["description"].strip(), (resource["name"], field["name"])
    summary = next(r for r in package["resources"] if r["name"] == "office_year_summary")
    types = {f["name"]: f["type"] for f in summary["schema"]["fields"]}
    assert (types["grant_rate"], types["year"], types["figures_quality"]) == ("number", "integer", "string")
    report = next(r for r in package["resources"] if r["name"] == "dim_report")
    assert {f["name"]: f["type"] for f in report["schema"]["fields"]}["problems"] == "array"


def test_checksums_cover_every_file(release):
    _, out, _ = release
    listed = {}
    for line in (out / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ", 1)
        listed[name] = digest
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and p.name != "SHA256SUMS"}
    assert set(listed) == files
    for name, digest in listed.items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest, name


def test_readme_gives_counts_date_and_licence(release):
    db, out, _ = release
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert "2026-12-01T12:00:00Z" in readme and "Apache License 2.0" in readme
    assert "No licence is claimed here for the data" in readme
    for table, rows in marts(db).items():
        assert f"| `{table}` | {rows:,} |" in readme


def test_duckdb_types_map_to_table_schema_types():
    assert [frictionless_type(t) for t in ("VARCHAR", "BIGINT", "INTEGER", "DOUBLE", "DECIMAL(20,4)", "BOOLEAN",
                                           "DATE", "TIMESTAMP WITH TIME ZONE", "VARCHAR[]", "JSON")] == [
        "string", "integer", "integer", "number", "number", "boolean", "date", "datetime", "array", "object"]


def test_a_missing_warehouse_is_a_clear_error(tmp_path):
    with pytest.raises(ExportError, match="no warehouse"):
        write_release(tmp_path / "nothing.duckdb", tmp_path / "out")


def test_codebook_lists_every_column_in_words(release):
    db, out, rel = release
    book = (out / "CODEBOOK.md").read_text(encoding="utf-8")
    sections = {part.split("`", 1)[0]: part for part in book.split("\n## `")[1:]}
    for mart in rel.marts:
        assert f"## `{mart.name}` ({mart.rows:,} rows)" in book
        for column in mart.columns:
            row = next(line for line in sections[mart.name].splitlines() if line.startswith(f"| `{column.name}` | "))
            assert row.split(" | ")[1] == frictionless_type(column.duckdb_type)
            assert len(row.split(" | ")[2]) > 5, (mart.name, column.name)
    # the rate reasons are a table inside a description: given whole below, where Markdown shows it
    assert "#### `office_year_summary.grant_rate_reason`" in book
    assert "| `blank_total` |" in book


def test_readme_summaries_end_at_a_sentence_or_an_ellipsis(release):
    _, out, rel = release
    readme = (out / "README.md").read_text(encoding="utf-8")
    for mart in rel.marts:
        cell = next(line for line in readme.splitlines() if line.startswith(f"| `{mart.name}` |")).split(" | ")[2].removesuffix(" |")
        assert cell.endswith((".", "。", " …")), cell
    assert "dim_report.is_primary" in readme and "It holds " in readme


def test_a_long_first_sentence_is_cut_between_words():
    from scrapers.site.release import _first_sentence

    words = "one row per office and year, with its figures and rates, " * 8
    cut = _first_sentence(words + "then more. Second sentence.", limit=100)
    assert cut.endswith(" …") and len(cut) <= 102
    assert words.startswith(cut[:-2]) and cut[:-2].split()[-1] in words.split() + ["year", "rates"]
    assert _first_sentence("Short. Second.") == "Short."
    assert _first_sentence("A | B, version 2.1 of it.") == "A / B, version 2.1 of it."
