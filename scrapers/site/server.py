"""A folder of static files served on localhost: the data site (`xxgk site --serve`) and the
dbt docs (`xxgk docs`)."""

from __future__ import annotations

import functools
import sys
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        pass


def serve(folder: str | Path, port: int = 8000, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """An HTTP server for the folder, bound to localhost only (call serve_forever on it)."""
    return ThreadingHTTPServer((host, port), functools.partial(_QuietHandler, directory=str(folder)))


def serve_until_stopped(folder: str | Path, port: int, prog: str) -> int:
    """Serve the folder until Ctrl-C; a port that cannot be taken is one line and exit 1."""
    try:
        server = serve(folder, port)
    except OSError as exc:
        print(f"{prog}: cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"serving on http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
