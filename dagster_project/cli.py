"""`xxgk`: the command line. Imports are lazy so that `xxgk parse` starts fast."""

from __future__ import annotations

import argparse
import json
import os
import sys

DESCRIPTION = """\
xxgk: a warehouse of Chinese government information-disclosure annual reports.

The pipeline runs crawl -> fetch -> extract -> parse -> load -> dbt build into one DuckDB
file (default data/xxgk.duckdb; $XXGK_DB or --db to change it)."""


def _quiet_environment(db: str | None) -> None:
    """Point dbt and Dagster at the chosen warehouse and keep them off the network."""
    from scrapers.settings import REPO_ROOT, warehouse_path

    os.environ["XXGK_DB"] = str(warehouse_path(db))
    os.environ.setdefault("DAGSTER_HOME", str(REPO_ROOT / "dagster_home"))
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")


def cmd_parse(args: argparse.Namespace) -> int:
    from scrapers.parse.report import parse_file

    parse = parse_file(args.path)
    if args.json:
        json.dump(parse.to_json(), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        from scrapers.parse.render import render_text

        sys.stdout.write(render_text(parse))
    return 0


def cmd_crawl(args: argparse.Namespace) -> int:
    if args.explain:
        from scrapers.crawl.explain import explain_from_cli

        return explain_from_cli(args)
    _quiet_environment(args.db)
    from scrapers.crawl.run import crawl_from_cli

    return crawl_from_cli(args)


def cmd_run(args: argparse.Namespace) -> int:
    _quiet_environment(args.db)
    from dagster_project.run import run_from_cli

    return run_from_cli(args)


def cmd_rebuild(args: argparse.Namespace) -> int:
    _quiet_environment(args.db)
    from dagster_project.run import rebuild_from_cli

    return rebuild_from_cli(args)


def cmd_docs(args: argparse.Namespace) -> int:
    _quiet_environment(args.db)
    from dagster_project.docs import docs_from_cli

    return docs_from_cli(args)


def cmd_export(args: argparse.Namespace) -> int:
    _quiet_environment(args.db)
    from scrapers.site.release import export_from_cli

    return export_from_cli(args)


def cmd_release(args: argparse.Namespace) -> int:
    _quiet_environment(args.db)
    from scrapers.site.release import release_from_cli

    return release_from_cli(args)


def cmd_site(args: argparse.Namespace) -> int:
    _quiet_environment(args.db)
    from scrapers.site.build import site_from_cli

    return site_from_cli(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="xxgk", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("parse", help="parse one report file (HTML, PDF, Word or text) and print its tables")
    p.add_argument("path", help="the report file; its format is detected from its content")
    p.add_argument("--json", action="store_true", help="print the parse as JSON (the documented contract)")
    p.set_defaults(func=cmd_parse)

    def add_selection(p: argparse.ArgumentParser) -> None:
        p.add_argument("--district", action="append", default=[], help="only this district (e.g. 朝阳); repeatable")
        p.add_argument("--year", action="append", type=int, default=[], help="only reports on this year; repeatable")
        p.add_argument("--registry", help="portal registry CSV (default seeds/portals.csv)")
        p.add_argument("--db", help="the DuckDB warehouse file (default $XXGK_DB or data/xxgk.duckdb)")
        p.add_argument("--archive", help="the archive folder of WARC files (default $XXGK_ARCHIVE or archive/ beside the warehouse)")

    p = sub.add_parser("crawl", help="crawl the portals of the registry into the raw schema")
    add_selection(p)
    p.add_argument("--refresh", action="store_true", help="fetch again what was fetched before")
    p.add_argument("--rate", type=float, default=1.0, help="requests per second per host (default 1.0)")
    p.add_argument("--explain", metavar="URL", help="print how the crawler treats URL (JSON), without the network")
    p.add_argument("--title", help="with --explain: the link text or page title of URL")
    p.set_defaults(func=cmd_crawl)

    p = sub.add_parser("run", help="the main job: crawl (or --from DIR) -> parse -> load -> dbt build")
    add_selection(p)
    p.add_argument("--from", dest="from_dir", help="ingest a local folder of report files instead of crawling")
    p.add_argument("--refresh", action="store_true", help="crawl again what was fetched before")
    p.add_argument("--rate", type=float, default=1.0, help="requests per second per host (default 1.0)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("rebuild", help="recreate the whole warehouse from the archive alone (load, parse, dbt build)")
    p.add_argument("--archive", help="the archive folder of WARC files (default $XXGK_ARCHIVE or archive/ beside the warehouse)")
    p.add_argument("--db", help="the DuckDB warehouse file to recreate")
    p.set_defaults(func=cmd_rebuild)

    p = sub.add_parser("docs", help="build the dbt docs site and serve it on localhost")
    p.add_argument("--db", help="the DuckDB warehouse file")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--no-serve", action="store_true", help="only build the site")
    p.set_defaults(func=cmd_docs)

    p = sub.add_parser("export", help="write the marts as Parquet or CSV files")
    p.add_argument("dir", help="output folder")
    p.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    p.add_argument("--db", help="the DuckDB warehouse file")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("release", help="write a versioned data release: every mart as Parquet and CSV, datapackage.json, checksums")
    p.add_argument("dir", help="output folder")
    p.add_argument("--db", help="the DuckDB warehouse file")
    p.set_defaults(func=cmd_release)

    p = sub.add_parser("site", help="build the static data site (charts, report pages) from the marts")
    p.add_argument("--db", help="the DuckDB warehouse file")
    p.add_argument("--out", help="output folder (default: site/ next to the warehouse, data/site/)")
    p.add_argument("--serve", action="store_true", help="then serve it on http://127.0.0.1:PORT")
    p.add_argument("--port", type=int, default=8000)
    p.set_defaults(func=cmd_site)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
