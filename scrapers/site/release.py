"""The marts as files: `xxgk release DIR` (a versioned data release) and `xxgk export DIR`.

One writer for both. A release holds every mart as Parquet (typed) and as CSV (UTF-8 with a
BOM, so Excel opens it as UTF-8; lists as JSON arrays; timestamps in ISO 8601 UTC; text
quoted, so that "" (empty text) and an empty field (NULL) differ), a
Frictionless `datapackage.json` whose types and descriptions come from the warehouse itself
(dbt persists its docs as DuckDB comments: `persist_docs`), a README with the counts and the
caveats, a codebook of every column in words, and SHA-256 checksums of every file.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from scrapers.load.warehouse import connect
from scrapers.settings import warehouse_path

BOM = "\ufeff".encode()
DATA_FOLDER = "data"
CHECKSUMS = "SHA256SUMS"


class ExportError(RuntimeError):
    """The warehouse cannot be exported (missing, or not built yet)."""


@dataclass(frozen=True)
class Column:
    name: str
    duckdb_type: str
    description: str


@dataclass(frozen=True)
class Mart:
    name: str
    description: str
    columns: list[Column]
    rows: int


@dataclass
class Release:
    folder: Path
    version: str
    created: str
    marts: list[Mart] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # relative path -> sha256


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _open_marts(db: str | Path | None) -> tuple[Path, duckdb.DuckDBPyConnection]:
    path = warehouse_path(db)
    if not path.exists():
        raise ExportError(f"no warehouse at {path}: build it first with `xxgk run`")
    return path, connect(path, read_only=True)


def read_marts(con: duckdb.DuckDBPyConnection) -> list[Mart]:
    """Every table of the marts schema with its columns, types and persisted descriptions."""
    tables = con.execute(
        "select table_name, coalesce(comment, '') from duckdb_tables() "
        "where schema_name = 'marts' and not temporary order by table_name"
    ).fetchall()
    marts = []
    for table, description in tables:
        columns = [
            Column(name, data_type, comment or "")
            for name, data_type, comment in con.execute(
                "select column_name, data_type, comment from duckdb_columns() "
                "where schema_name = 'marts' and table_name = ? order by column_index",
                [table],
            ).fetchall()
        ]
        rows = con.execute(f'select count(*) from marts."{table}"').fetchone()[0]
        marts.append(Mart(table, description.strip(), columns, rows))
    return marts


def frictionless_type(duckdb_type: str) -> str:
    """The Table Schema type a DuckDB column is written as in the release's CSV."""
    t = duckdb_type.upper()
    if t.endswith("[]") or t.startswith(("STRUCT", "MAP")) or t == "JSON":
        return "array" if t.endswith("[]") else "object"
    if t in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT"):
        return "integer"
    if t in ("DOUBLE", "FLOAT", "REAL") or t.startswith("DECIMAL"):
        return "number"
    if t == "BOOLEAN":
        return "boolean"
    if t == "DATE":
        return "date"
    if t.startswith("TIMESTAMP"):
        return "datetime"
    return "string"


def _csv_expression(column: Column) -> str:
    """How a column is spelled in CSV: JSON for nested values, ISO 8601 UTC for timestamps."""
    quoted = '"' + column.name.replace('"', '""') + '"'
    kind = frictionless_type(column.duckdb_type)
    if kind in ("array", "object"):
        return f"to_json({quoted})::varchar as {quoted}"
    if kind == "datetime":
        zone = " at time zone 'UTC'" if "TIME ZONE" in column.duckdb_type.upper() else ""
        return f"strftime({quoted}{zone}, '%Y-%m-%dT%H:%M:%S.%fZ') as {quoted}"
    return quoted


def _write_atomically(final: Path, write) -> None:
    """Write beside the final name and rename into place: a failed write never leaves a
    truncated file where a complete one is expected."""
    partial = final.with_name(f".{final.name}.partial")
    write(partial)
    os.replace(partial, final)


def write_mart(con: duckdb.DuckDBPyConnection, mart: Mart, folder: Path, fmt: str) -> Path:
    """One mart as one file, `<folder>/<mart>.parquet` or `.csv`."""
    final = folder / f"{mart.name}.{fmt}"
    if fmt == "parquet":
        _write_atomically(final, lambda p: con.execute(
            f'copy marts."{mart.name}" to {_sql_string(str(p))} (format parquet, compression zstd)'))
    elif fmt == "csv":
        select = ", ".join(_csv_expression(c) for c in mart.columns)
        # text is always quoted, so that an empty text ("", e.g. a cell printed blank) stays
        # apart from NULL (an empty field)
        texts = [c.name for c in mart.columns if frictionless_type(c.duckdb_type) in ("string", "array", "object")]
        quote = ", force_quote (" + ", ".join('"' + n.replace('"', '""') + '"' for n in texts) + ")" if texts else ""

        def write_csv(p: Path) -> None:
            body = p.with_name(p.name + ".body")
            con.execute(f'copy (select {select} from marts."{mart.name}") to {_sql_string(str(body))} '
                        f"(format csv, header true{quote})")
            with open(p, "wb") as out, open(body, "rb") as src:
                out.write(BOM)
                shutil.copyfileobj(src, out, 1 << 20)
            body.unlink()

        _write_atomically(final, write_csv)
    else:
        raise ExportError(f"unknown format {fmt!r}: choose parquet or csv")
    return final


def export_marts(db: str | Path | None, out_dir: str | Path, fmt: str = "parquet") -> dict[str, int]:
    """Every mart as out_dir/<mart>.<fmt> (no data package); returns rows per mart."""
    if fmt not in ("parquet", "csv"):
        raise ExportError(f"unknown format {fmt!r}: choose parquet or csv")
    path, con = _open_marts(db)
    try:
        marts = read_marts(con)
        if not marts:
            raise ExportError(f"{path} has no marts yet: run `xxgk run` (or dbt build) first")
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        for mart in marts:
            write_mart(con, mart, out, fmt)
        return {m.name: m.rows for m in marts}
    finally:
        con.close()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def datapackage(marts: list[Mart], version: str, created: str) -> dict:
    """The Frictionless Data Package describing the release's CSV files."""
    return {
        "profile": "tabular-data-package",
        "name": "xxgk-marts",
        "title": "xxgk: government information-disclosure annual reports (政府信息公开工作年度报告) as data",
        "description": "The marts of the xxgk warehouse: one resource per table, as CSV (UTF-8 with BOM); "
                       "the same tables as Parquet beside them (xxgk:parquet).",
        "version": version,
        "created": created,
        "resources": [
            {
                "name": mart.name,
                "path": f"{DATA_FOLDER}/{mart.name}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8-sig",
                "description": mart.description,
                "xxgk:rows": mart.rows,
                "xxgk:parquet": f"{DATA_FOLDER}/{mart.name}.parquet",
                "schema": {
                    "fields": [
                        {"name": c.name, "type": frictionless_type(c.duckdb_type), "description": c.description,
                         "xxgk:duckdb_type": c.duckdb_type}
                        for c in mart.columns
                    ]
                },
            }
            for mart in marts
        ],
    }


README_TEMPLATE = """# xxgk data release {version}

Created {created} from the warehouse `{warehouse}`.
{coverage}
Every table of the warehouse's `marts` schema, twice: `data/<table>.parquet` (typed; read with
DuckDB, pandas, R arrow) and `data/<table>.csv` (UTF-8 with a byte-order mark, so Excel opens
it correctly; lists are JSON arrays; timestamps are ISO 8601 in UTC; an empty field is NULL,
while `""` is an empty text, e.g. the `raw` of a cell the report printed blank).
`{codebook}` lists every column of every table with what its values mean, for reading
beside a spreadsheet; `datapackage.json` says the same as a Frictionless Data Package;
`{checksums}` holds the SHA-256 of every file (`sha256sum -c {checksums}`).

Start with `office_year_summary`: one row per office and year. Its rates are NULL where
their inputs are doubtful, with the reason beside them (`grant_rate_reason` …);
`figures_quality = 'sound'` keeps the rows whose figures break nothing.

| table | rows | what |
|---|---:|---|
{table_rows}

## Before you add numbers up

- The `fct_` tables hold every report, and an office sometimes has two for one year (a
  report posted as a page and again as an attachment, a copy under another address). To add
  up across offices, keep the rows whose report has `dim_report.is_primary`, or use
  `office_year_summary`, which holds the primary report only.
- Pre-2019 measures, with how each compares with the 2019+ tables, are in
  `dim_narrative_measure`; what each column of every table means is in `{codebook}`.
- A cell printed blank is 0 with its `raw` text `""`; a total printed blank beside non-zero
  parts is 0 too, and breaks its row's identity: `qa_identity_violations` lists each such
  report with both sides, and `figures_quality` is then `identities_broken`.
- Figures from before 2019 (`fct_narrative`, `figures_source = 'pre2019_statement'`) are
  what the reports state in sentences under the 2008 regulations; they compare only loosely
  with the standard tables of 2019 on.
- A report missing from `publication_coverage` (`report_found` false) is missing from this
  release: a portal not crawled yet or a report not recognised, not proof that the office
  published none.
- `district` is empty for reports from outside Beijing's registry.

## Licence

The code that made this release (xxgk) is under the Apache License 2.0. The figures are
read from annual reports that Chinese government bodies publish under the 政府信息公开条例;
the reports carry no licence of their own, and whether they are free of copyright as
official documents of state organs (Copyright Law of the PRC, art. 5) has not been settled
for this kind of report. No licence is claimed here for the data: every row names the report
it came from (`dim_report.source_url`, `sha256`), so check the source before you republish.
"""

CODEBOOK = "CODEBOOK.md"
SUMMARY_LIMIT = 200
# where a long sentence may be cut for the README's table: after a clause, never inside a word
_CLAUSE_END = re.compile(r"[,;:)，；：、）]\s*|\s+")
_SENTENCE_END = re.compile(r"(?<=[.。])(?:\s|$)")


def _first_sentence(text: str, limit: int = SUMMARY_LIMIT) -> str:
    """A description's first sentence on one line, for a Markdown table cell: a sentence
    longer than `limit` ends with "…" at the last clause or word boundary before it."""
    line = " ".join(text.split())
    end = _SENTENCE_END.search(line)
    sentence = line[: end.start()] if end else line
    if len(sentence) > limit:
        cuts = [m.start() for m in _CLAUSE_END.finditer(sentence, 0, limit) if m.start() > limit // 2]
        sentence = sentence[: cuts[-1] if cuts else limit].rstrip(" ,;:，；：、") + " …"
    return sentence.replace("|", "/")


def _markdown_cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "/")


def codebook(marts: list[Mart], version: str) -> str:
    """Every table and column in words: what a row is, each column's type and meaning. A
    description of several paragraphs or holding a table (the rate reasons) is given whole
    below its table, where Markdown can show it."""
    out = [f"# Codebook of xxgk data release {version}", "",
           "Each table below is `data/<table>.csv` (and `.parquet`). Types: `integer`, `number` "
           "(a decimal), `string` (text), `boolean` (true/false), `date` (YYYY-MM-DD), `datetime` "
           "(ISO 8601, UTC), `array` (a JSON list). An empty field is NULL (no value).", ""]
    for mart in marts:
        out += [f"## `{mart.name}` ({mart.rows:,} rows)", "", mart.description.strip(), "",
                "| column | type | meaning |", "|---|---|---|"]
        notes = []
        for column in mart.columns:
            text = column.description.strip()
            long = "\n\n" in text or any(line.lstrip().startswith("|") for line in text.splitlines())
            meaning = _first_sentence(text) + " (more below)" if long else _markdown_cell(text)
            out.append(f"| `{column.name}` | {frictionless_type(column.duckdb_type)} | {meaning} |")
            if long:
                notes += [f"#### `{mart.name}.{column.name}`", "", text, ""]
        out.append("")
        out += notes
    return "\n".join(out).rstrip() + "\n"


def _coverage(con: duckdb.DuckDBPyConnection) -> str:
    """One sentence on what the release covers, from dim_report; empty without it."""
    try:
        reports, offices, first, last, districts, ok = con.execute(
            "select count(*), count(distinct office_id), min(year), max(year), count(distinct district), "
            "count(*) filter (where status = 'ok') from marts.dim_report").fetchone()
    except duckdb.Error:
        return ""
    if not reports:
        return "\nIt holds no report yet.\n"
    years = f"{first}" if first == last else f"{first}–{last}"
    return (f"\nIt holds {reports:,} reports of {offices:,} offices in {districts:,} districts, "
            f"on the years {years}; {ok:,} were read with certainty (`status = 'ok'`), the others "
            f"are `partial` or worse, with the reasons in `dim_report.problems`.\n")


def write_release(db: str | Path | None, out_dir: str | Path, now: datetime | None = None) -> Release:
    """Write the release into out_dir: data/, datapackage.json, README.md, SHA256SUMS."""
    now = now or datetime.now(timezone.utc)
    created = now.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    release = Release(Path(out_dir), now.strftime("%Y.%m.%d"), created)
    path, con = _open_marts(db)
    try:
        release.marts = read_marts(con)
        if not release.marts:
            raise ExportError(f"{path} has no marts yet: run `xxgk run` (or dbt build) first")
        data = release.folder / DATA_FOLDER
        data.mkdir(parents=True, exist_ok=True)
        for mart in release.marts:
            for fmt in ("parquet", "csv"):
                write_mart(con, mart, data, fmt)
        coverage = _coverage(con)
    finally:
        con.close()

    package = datapackage(release.marts, release.version, created)
    _write_atomically(release.folder / "datapackage.json", lambda p: p.write_text(
        json.dumps(package, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"))
    table_rows = "\n".join(f"| `{m.name}` | {m.rows:,} | {_first_sentence(m.description)} |" for m in release.marts)
    readme = README_TEMPLATE.format(version=release.version, created=created, warehouse=path.name,
                                    coverage=coverage, codebook=CODEBOOK, checksums=CHECKSUMS,
                                    table_rows=table_rows)
    _write_atomically(release.folder / "README.md", lambda p: p.write_text(readme, encoding="utf-8"))
    book = codebook(release.marts, release.version)
    _write_atomically(release.folder / CODEBOOK, lambda p: p.write_text(book, encoding="utf-8"))

    names = ["README.md", CODEBOOK, "datapackage.json"] + [
        f"{DATA_FOLDER}/{m.name}.{fmt}" for m in release.marts for fmt in ("csv", "parquet")]
    release.files = {name: _sha256(release.folder / name) for name in names}
    _write_atomically(release.folder / CHECKSUMS, lambda p: p.write_text(
        "".join(f"{digest}  {name}\n" for name, digest in release.files.items()), encoding="utf-8"))
    return release


def release_from_cli(args) -> int:
    """`xxgk release [--db DB] DIR`."""
    release = write_release(args.db, args.dir)
    width = max(len(m.name) for m in release.marts)
    for mart in release.marts:
        print(f"{mart.name:<{width}}  {mart.rows:>10,} rows")
    print(f"release {release.version}: {len(release.files)} files in {release.folder} (checksums in {CHECKSUMS})")
    return 0


def export_from_cli(args) -> int:
    """`xxgk export [--format parquet|csv] [--db DB] DIR`: the release's files without its package."""
    counts = export_marts(args.db, args.dir, args.format)
    width = max(len(t) for t in counts)
    for table, rows in counts.items():
        print(f"{table:<{width}}  {rows:>10,} rows  ->  {Path(args.dir) / f'{table}.{args.format}'}")
    return 0
