"""`xxgk`: the command line. Imports are lazy: `--help`, `--version`, `parse` and a `run --from`
with nothing new never import Dagster or dbt (tests/test_cli.py checks).

Each subcommand is one block below: an `add_<name>` function that declares its options (with
one example in its --help) and the function that runs it. A block reports a user's mistake by
raising `UsageError` (exit 2) and a run that failed by raising `RunFailed` (exit 1); `main`
turns those, and the known errors of the layers below, into one line on stderr. The traceback
is shown only with `--debug` or XXGK_LOG_LEVEL=DEBUG.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
from pathlib import Path

DESCRIPTION = """\
xxgk: a warehouse of Chinese government information-disclosure annual reports.

The pipeline runs crawl -> parse -> load -> dbt build into one DuckDB file (default
data/xxgk.duckdb; $XXGK_DB or --db to change it).

exit codes: 0 done, 1 the run failed (a step failed, or the warehouse stayed held by another
process), 2 a usage mistake (a missing path, an unknown district or year, an unreadable
registry, a warehouse that cannot be written or does not exist yet)."""

EXIT_FAILED = 1
EXIT_USAGE = 2


class UsageError(Exception):
    """The command was asked for something that cannot be done as asked (exit 2)."""


class RunFailed(Exception):
    """The command ran and a step of it failed (exit 1)."""


def _debug(args: argparse.Namespace | None = None) -> bool:
    from scrapers.settings import debug_wanted

    return bool(getattr(args, "debug", False)) or debug_wanted()


def _quiet_environment() -> None:
    """Keep dbt and Dagster off the network (they read these themselves)."""
    for name, value in (("DAGSTER_DISABLE_TELEMETRY", "1"), ("DBT_SEND_ANONYMOUS_USAGE_STATS", "false"), ("DO_NOT_TRACK", "1")):
        os.environ.setdefault(name, value)


def _settings(args: argparse.Namespace):
    """The run's settings, resolved once from the options and the environment."""
    from scrapers.load.warehouse import set_wait
    from scrapers.settings import Settings, SettingsError

    try:
        settings = Settings.resolve(
            db=getattr(args, "db", None), registry=getattr(args, "registry", None),
            archive=getattr(args, "archive", None), rate=getattr(args, "rate", None),
            years=getattr(args, "year", None) or None, wait=getattr(args, "wait", None),
        )
    except SettingsError as exc:
        raise UsageError(str(exc)) from None
    set_wait(settings.wait_s)
    return settings


def _writable(db: Path) -> None:
    """A warehouse that cannot be written is a usage mistake, found before any work starts."""
    folder = db.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    target = db if db.exists() else folder
    if not folder.is_dir() or not os.access(target, os.W_OK) or not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"cannot write the warehouse {db}: {folder} is not a writable folder (choose another --db)")
    if not db.exists():
        try:  # os.access says yes to root on a read-only mount: ask the file system
            db.parent.mkdir(parents=True, exist_ok=True)
            probe = db.with_name(f".{db.name}.probe")
            probe.touch()
            probe.unlink()
        except OSError as exc:
            raise UsageError(f"cannot write the warehouse {db}: {exc.strerror} (choose another --db)") from None


def _built_warehouse(args: argparse.Namespace):
    """The settings of a command that reads a built warehouse (docs, export, release, site);
    `args.db` becomes the resolved path the layer's entry point reads."""
    settings = _settings(args)
    if not settings.db.exists():
        raise UsageError(f"no warehouse at {settings.db}: build the warehouse first (`xxgk run`, or `make run`)")
    args.db = str(settings.db)
    return settings


def _registry_districts(registry: Path) -> list[str]:
    from dagster_project.partitions import registry_districts

    try:
        with open(registry, encoding="utf-8-sig") as fh:
            header = fh.readline()
    except OSError as exc:
        raise UsageError(f"cannot read the portal registry {registry}: {exc.strerror} (check --registry)") from None
    known = registry_districts(registry)
    if "district" not in header or not known:
        raise UsageError(f"{registry} is not a portal registry: no district column or no rows (see seeds/portals.csv)")
    from scrapers.crawl.portals import RegistryError, read_registry

    try:  # the registry's own checks (UTF-8, districts, patterns) before any run starts
        read_registry(registry)
    except RegistryError as exc:
        raise UsageError(str(exc) if str(registry) in str(exc) else f"{registry}: {exc}") from None
    return known


def _districts(asked: list[str], known: list[str], registry: Path) -> list[str]:
    """The asked districts as the registry names them (朝阳区 -> 朝阳); an unknown one is a mistake."""
    chosen = []
    for name in asked:
        district = name if name in known else name.strip().removesuffix("区")
        if district not in known:
            raise UsageError(f"unknown district {name!r}: {registry} lists {', '.join(known)}")
        chosen.append(district)
    return chosen


def _folder(path: str) -> Path:
    folder = Path(path).expanduser()
    if not folder.exists():
        raise UsageError(f"no such folder: {path}")
    if not folder.is_dir():
        raise UsageError(f"{path} is a file; --from takes a folder of report files")
    return folder.resolve()


def _common(p: argparse.ArgumentParser, *, wait: bool = True) -> None:
    p.add_argument("--db", metavar="PATH", help="the DuckDB warehouse file (default $XXGK_DB or data/xxgk.duckdb)")
    if wait:
        p.add_argument("--wait", type=float, metavar="SECONDS",
                       help="how long to wait while another process holds the warehouse (default $XXGK_WAIT or 600)")
    p.add_argument("--debug", action="store_true", help="show Dagster's event log and tracebacks")


def _parser(sub, name: str, help_text: str, example: str) -> argparse.ArgumentParser:
    return sub.add_parser(name, help=help_text, description=help_text, epilog=f"example:\n  {example}",
                          formatter_class=argparse.RawDescriptionHelpFormatter)


def _selection(p: argparse.ArgumentParser) -> None:
    p.add_argument("--district", action="append", default=[], help="only this district (e.g. 朝阳); repeatable")
    p.add_argument("--year", action="append", type=int, default=[], help="only reports on this year; repeatable")
    p.add_argument("--registry", metavar="FILE", help="portal registry CSV (default $XXGK_REGISTRY or seeds/portals.csv)")
    p.add_argument("--rate", type=float, help="requests per second per host (default $XXGK_RATE or 1.0; 0 = no limit)")
    p.add_argument("--refresh", action="store_true", help="fetch again (conditionally) what was fetched before")
    p.add_argument("--archive", metavar="DIR", help="the crawl archive folder (default $XXGK_ARCHIVE or archive/ beside the warehouse)")


# -- xxgk parse ---------------------------------------------------------------------------

def add_parse(sub) -> None:
    p = _parser(sub, "parse", "parse one report file (HTML, PDF, Word or text) and print its tables",
                "xxgk parse tests/fixtures/corpus/seed/000_3cfb3787871ff2e9.txt --json | head")
    p.add_argument("path", help="the report file; its format is detected from its content")
    p.add_argument("--json", action="store_true", help="print the parse as JSON (the documented contract)")
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    p.set_defaults(func=cmd_parse)


def cmd_parse(args: argparse.Namespace) -> int:
    path = Path(args.path)
    if not path.exists():
        raise UsageError(f"no such file: {args.path}")
    if path.is_dir():
        raise UsageError(f"{args.path} is a folder; `xxgk parse` takes one report file (`xxgk run --from` takes a folder)")
    # the parse's own problems say why a worker failed; the pool's notice would say it twice
    pool_log = logging.getLogger("scrapers.load.parses")
    level = pool_log.level
    pool_log.setLevel(logging.DEBUG if _debug(args) else logging.ERROR)
    try:
        parse = _parse_isolated(path)
    finally:
        pool_log.setLevel(level)
    if args.json:
        json.dump(parse.to_json(), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        from scrapers.parse.render import render_text

        sys.stdout.write(render_text(parse))
    sys.stdout.flush()
    if parse.status in ("failed", "unsupported_format"):
        reason = (parse.problems or [parse.status])[0]
        print(f"xxgk parse: {args.path}: {parse.status}: {reason}", file=sys.stderr)
        return EXIT_FAILED
    return 0


def _parse_isolated(path: Path):
    """The file parsed as the pipeline parses a document: its type and size checked before it
    is read, then parsed in a worker process under the pipeline's memory, CPU and wall-clock
    limits (scrapers.load.parses), so a hostile file costs a failed parse, not the command."""
    import dataclasses
    import tempfile

    from scrapers.extract.dispatch import read_document_file
    from scrapers.load import parses
    from scrapers.parse.model import Parse

    data, problem = read_document_file(path)
    if problem is not None:
        return Parse(status="failed", problems=[problem])
    limits = dataclasses.replace(parses.LIMITS, workers=1)
    with tempfile.TemporaryDirectory(prefix="xxgk-parse-") as spool:
        # the bytes that passed the checks, not the path again: it may have been swapped since
        copy = Path(spool) / "document"
        copy.write_bytes(data)
        del data
        with parses.open_pool(limits) as pool:
            return parses.parse_isolated(pool, [("document", str(copy), str(path))], limits)["document"]


# -- xxgk crawl ---------------------------------------------------------------------------

def add_crawl(sub) -> None:
    p = _parser(sub, "crawl", "crawl the portals of the registry into the archive (no warehouse build)",
                "xxgk crawl --district 朝阳 --year 2023 --rate 1\n  xxgk crawl --explain URL --title TITLE")
    _selection(p)
    p.add_argument("--explain", metavar="URL", help="print how the crawler treats URL (JSON), without the network")
    p.add_argument("--title", help="with --explain: the link text or page title of URL")
    _common(p)
    p.set_defaults(func=cmd_crawl)


def cmd_crawl(args: argparse.Namespace) -> int:
    if args.explain:
        from scrapers.crawl.explain import explain_from_cli

        return explain_from_cli(args)
    return _run(args, build=False)


# -- xxgk run -----------------------------------------------------------------------------

def add_run(sub) -> None:
    p = _parser(sub, "run", "the main job: crawl (or --from DIR) -> parse -> load -> dbt build -> exports",
                "xxgk run --from tests/fixtures/reports --db /tmp/xxgk.duckdb")
    _selection(p)
    p.add_argument("--from", dest="from_dir", metavar="DIR", help="ingest a local folder of report files instead of crawling")
    _common(p)
    p.set_defaults(func=cmd_run)


def cmd_run(args: argparse.Namespace) -> int:
    return _run(args, build=True)


def _run(args: argparse.Namespace, build: bool) -> int:
    settings = _settings(args)
    from_dir = _folder(args.from_dir) if getattr(args, "from_dir", None) else None
    districts = None
    if not from_dir:
        known = _registry_districts(settings.registry)
        districts = _districts(args.district, known, settings.registry) or None
    _writable(settings.db)
    report = None
    if build and from_dir:
        from dagster_project.nochange import unchanged_run

        report = unchanged_run(settings, from_dir)
    if report is None:
        from dagster_project.run import run_pipeline

        report = run_pipeline(settings, from_dir=str(from_dir) if from_dir else None, districts=districts,
                              refresh=args.refresh, debug=_debug(args), build=build)
    from dagster_project.summary import summary_lines

    for line in summary_lines(report):
        print(line)
    if not report.success:
        raise RunFailed(report.error)
    return 0


# -- xxgk rebuild -------------------------------------------------------------------------

def add_rebuild(sub) -> None:
    p = _parser(sub, "rebuild", "recreate the whole warehouse from the archive alone (load, parse, dbt build)",
                "xxgk rebuild --archive data/archive --db /tmp/xxgk.duckdb")
    p.add_argument("--archive", metavar="DIR", help="the archive folder of WARC files (default $XXGK_ARCHIVE or archive/ beside the warehouse)")
    _common(p)
    p.set_defaults(func=cmd_rebuild)


def cmd_rebuild(args: argparse.Namespace) -> int:
    from scrapers.archive.index import archive_files

    settings = _settings(args)
    if not archive_files(settings.archive):
        # an empty warehouse must not replace a full one because of a mistyped folder
        raise UsageError(f"no WARC files in {settings.archive}; the warehouse is left as it is (check --archive)")
    _writable(settings.db)
    from dagster_project.run import rebuild_pipeline
    from dagster_project.summary import summary_lines

    report = rebuild_pipeline(settings, debug=_debug(args))
    for line in summary_lines(report):
        print(line)
    if not report.success:
        raise RunFailed(report.error)
    return 0


# -- xxgk docs ----------------------------------------------------------------------------

def add_docs(sub) -> None:
    p = _parser(sub, "docs", "build the dbt docs site and serve it on localhost", "xxgk docs --port 8080 --wait 60")
    p.add_argument("--port", type=int, default=8080, help="serve on http://127.0.0.1:PORT (default 8080)")
    p.add_argument("--no-serve", action="store_true",
                   help="only build the site (dbt/target/static_index.html opens without a server)")
    _common(p)
    p.set_defaults(func=cmd_docs)


def cmd_docs(args: argparse.Namespace) -> int:
    settings = _built_warehouse(args)
    from dagster_project.docs import docs_from_cli

    return docs_from_cli(args, wait_s=settings.wait_s)


# -- xxgk export --------------------------------------------------------------------------

def add_export(sub) -> None:
    p = _parser(sub, "export", "write the marts as Parquet or CSV files", "xxgk export --format csv /tmp/marts")
    p.add_argument("dir", help="output folder")
    p.add_argument("--format", choices=("parquet", "csv"), default="parquet",
                   help="parquet (typed; the default) or csv (UTF-8 with a BOM, for Excel)")
    _common(p)
    p.set_defaults(func=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    _built_warehouse(args)
    from scrapers.site.release import export_from_cli

    return export_from_cli(args)


# -- xxgk release -------------------------------------------------------------------------

def add_release(sub) -> None:
    p = _parser(sub, "release", "write a versioned data release: every mart as Parquet and CSV, datapackage.json, "
                "a codebook, a README and checksums",
                "xxgk release /tmp/xxgk-release")
    p.add_argument("dir", help="output folder")
    _common(p, wait=False)
    p.set_defaults(func=cmd_release)


def cmd_release(args: argparse.Namespace) -> int:
    _built_warehouse(args)
    from scrapers.site.release import release_from_cli

    return release_from_cli(args)


# -- xxgk site ----------------------------------------------------------------------------

def add_site(sub) -> None:
    p = _parser(sub, "site", "build the static data site (charts, report pages with every number's source) from the marts",
                "xxgk site --serve")
    p.add_argument("--out", metavar="DIR", help="output folder (default: site/ next to the warehouse, data/site/)")
    p.add_argument("--serve", action="store_true", help="then serve it on http://127.0.0.1:PORT")
    p.add_argument("--port", type=int, default=8000, help="with --serve: the port (default 8000)")
    _common(p, wait=False)
    p.set_defaults(func=cmd_site)


def cmd_site(args: argparse.Namespace) -> int:
    _built_warehouse(args)
    from scrapers.site.build import site_from_cli

    return site_from_cli(args)


# -- the command --------------------------------------------------------------------------

COMMANDS = [add_parse, add_crawl, add_run, add_rebuild, add_docs, add_export, add_release, add_site]


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("xxgk")
    except PackageNotFoundError:
        return "unknown"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        """A usage mistake in one line, with where to look."""
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="xxgk", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="example:\n  xxgk run --from tests/fixtures/reports    (each command: xxgk COMMAND --help)",
    )
    parser.add_argument("--version", action="version", version=f"xxgk {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in COMMANDS:
        add(sub)
    return parser


def _setup_logging(debug: bool) -> None:
    """Our own notices (waiting for the warehouse) as plain lines on stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("xxgk: %(message)s"))
    logger = logging.getLogger("xxgk")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.DEBUG if debug else logging.INFO)
    logger.propagate = False
    if not debug:
        import warnings

        warnings.filterwarnings("ignore")
        # Dagster's own notices (a check that emitted no result on a skipped build) stay in the run log
        logging.getLogger("dagster").setLevel(logging.ERROR)


def _known_error(exc: BaseException) -> int | None:
    """The exit code of an error a layer below raises for a user's mistake or a busy file."""
    from scrapers.crawl.portals import RegistryError
    from scrapers.load.warehouse import WarehouseBusy, WarehouseError

    if isinstance(exc, WarehouseBusy):
        return EXIT_FAILED
    # what the readers of a built warehouse raise when they cannot finish (a module that is
    # not imported raised nothing: no need to import the site's templates to ask)
    for module, name in (("scrapers.site.build", "SiteError"), ("scrapers.site.release", "ExportError"),
                         ("dagster_project.docs", "DocsError")):
        failed = getattr(sys.modules.get(module), name, None)
        if failed is not None and isinstance(exc, failed):
            return EXIT_FAILED
    if isinstance(exc, (WarehouseError, RegistryError)):
        return EXIT_USAGE
    return None


_SENTENCE_END = re.compile(r"[.!?。](?=\s|$)")


def one_line(exc: BaseException, limit: int = 400) -> str:
    """An error's message as one line for stderr. Its first line, unless that line stops
    mid-sentence (dagster-dbt's "The dbt CLI process with command" / `dbt parse` / "failed
    with exit code 2. … the dbt debug log: PATH."): then its first sentences, up to `limit`."""
    text = str(exc).strip()
    if not text:
        return type(exc).__name__
    lines = text.splitlines()
    first = lines[0].strip()
    if len(lines) == 1 or first.endswith((".", ":", ")", "!", "?", "。", "）")):
        return first
    flat = " ".join(text.split())
    cut = len(first)
    for end in _SENTENCE_END.finditer(flat, len(first)):
        if end.end() > limit:
            break
        cut = end.end()
    return flat[:cut] if cut > len(first) else first


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    debug = _debug(args)
    _setup_logging(debug)
    _quiet_environment()
    prog = f"xxgk {args.command}"
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except RunFailed as exc:
        print(f"{prog}: FAILED: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:
        # the reader went away (`| head`): stop quietly, and keep Python's own flush at exit quiet
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if debug:
            raise
        code = _known_error(exc)
        line = one_line(exc)
        if code is None:
            print(f"{prog}: {type(exc).__name__}: {line} (run again with --debug for the traceback)", file=sys.stderr)
            return EXIT_FAILED
        print(f"{prog}: {line}", file=sys.stderr)
        return code


if __name__ == "__main__":
    sys.exit(main())
