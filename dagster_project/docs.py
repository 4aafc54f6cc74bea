"""`xxgk docs`: build the dbt docs site of the warehouse and serve it on localhost."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from scrapers.settings import DBT_DIR, warehouse_path


class DocsError(RuntimeError):
    """dbt could not build the docs site."""


def build_docs(db: str | Path | None = None, target_dir: str | Path | None = None) -> Path:
    """Run `dbt docs generate` against the warehouse; returns the folder holding the site.

    The catalog (column types, row counts) is read from the warehouse file, so build the
    warehouse first; the descriptions come from the project alone. `--static` also writes
    static_index.html, one file that opens without a server.
    """
    target = Path(target_dir) if target_dir else DBT_DIR / "target"
    env = dict(os.environ, XXGK_DB=str(warehouse_path(db)))
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    # dbt in a process of its own: it releases the warehouse file when it ends, so serving
    # the site never holds a lock the pipeline would wait for.
    dbt = Path(sys.executable).with_name("dbt")
    proc = subprocess.run(
        [str(dbt), "docs", "generate", "--static",
         "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR),
         "--target-path", str(target), "--log-path", str(target / "logs"), "--quiet"],
        env=env, capture_output=True, text=True,
    )
    if proc.returncode != 0:
        detail = (proc.stdout + proc.stderr).strip().splitlines()[-5:]
        raise DocsError("dbt docs generate failed: " + " / ".join(detail))
    return target


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        pass


def serve_docs(site: str | Path, port: int = 8080, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """An HTTP server for the docs site, bound to localhost only (call serve_forever on it)."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    return ThreadingHTTPServer((host, port), handler)


def docs_from_cli(args) -> int:
    """`xxgk docs [--db DB] [--port 8080] [--no-serve]`."""
    try:
        site = build_docs(args.db)
    except DocsError as exc:
        print(f"xxgk docs: {exc}", file=sys.stderr)
        return 1
    print(f"docs site built in {site} (static_index.html opens without a server)")
    if args.no_serve:
        return 0
    try:
        server = serve_docs(site, args.port)
    except OSError as exc:
        print(f"xxgk docs: cannot listen on 127.0.0.1:{args.port}: {exc}", file=sys.stderr)
        return 1
    print(f"serving on http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
