"""`xxgk docs`: build the dbt docs site of the warehouse and serve it on localhost."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from scrapers.settings import DBT_DIR, DEFAULT_WAIT_S, dbt_environment, warehouse_path

# dbt opened the file between our wait and its own open: ask again this soon
RETRY_S = 0.5


class DocsError(RuntimeError):
    """dbt could not build the docs site."""


def build_docs(db: str | Path | None = None, target_dir: str | Path | None = None, wait_s: float = DEFAULT_WAIT_S) -> Path:
    """Run `dbt docs generate` against the warehouse; returns the folder holding the site.

    The catalog (column types, row counts) is read from the warehouse file, so build the
    warehouse first; the descriptions come from the project alone. `--static` also writes
    static_index.html, one file that opens without a server. dbt opens the file for writing,
    which DuckDB refuses while another process holds it: like a build, this takes its turn
    and waits up to `wait_s` (then WarehouseBusy), saying who holds the file.
    """
    from scrapers.load.warehouse import WarehouseBusy, exclusive_turn, holder, is_lock_conflict, wait_until_free

    path = warehouse_path(db)
    target = Path(target_dir) if target_dir else DBT_DIR / "target"
    env = {**os.environ, **dbt_environment(path)}
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    dbt = Path(sys.executable).with_name("dbt")
    deadline = time.monotonic() + wait_s
    with exclusive_turn(path, timeout_s=wait_s):
        while True:
            wait_until_free(path, timeout_s=max(0.0, deadline - time.monotonic()))
            # dbt in a process of its own: it releases the warehouse file when it ends, so
            # serving the site never holds a lock the pipeline would wait for.
            proc = subprocess.run(
                [str(dbt), "docs", "generate", "--static",
                 "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR),
                 "--target-path", str(target), "--log-path", str(target / "logs"), "--quiet"],
                env=env, capture_output=True, text=True,
            )
            if proc.returncode == 0:
                return target
            output = proc.stdout + proc.stderr
            if not is_lock_conflict(output):
                detail = output.strip().splitlines()[-5:]
                raise DocsError("dbt docs generate failed: " + " / ".join(detail))
            if time.monotonic() >= deadline:
                raise WarehouseBusy(f"{path} is held by {holder(path, output)}; gave up after {wait_s:.0f} s "
                                    "(close that process, or wait longer with --wait SECONDS)")
            time.sleep(RETRY_S)


def docs_from_cli(args, wait_s: float = DEFAULT_WAIT_S) -> int:
    """`xxgk docs [--db DB] [--port 8080] [--no-serve] [--wait SECONDS]`."""
    site = build_docs(args.db, wait_s=wait_s)
    print(f"docs site built in {site} (static_index.html opens without a server)", flush=True)
    if args.no_serve:
        return 0
    from scrapers.site.server import serve_until_stopped

    return serve_until_stopped(site, args.port, "xxgk docs")
