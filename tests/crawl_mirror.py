"""Serve the recorded portal mirror (tests/fixtures/portals) on 127.0.0.1, with injected faults.

Each site runs its own server (its own host:port, so per-host limits and allowed hosts are
real); one more server stands for every off-site host and counts what reaches it, which must
be nothing. A site's ``site.json`` holds its faults (per path, the behaviour of the first
attempts: 500, 503, 429 with Retry-After, 304 unasked, timeout, reset, truncate), its routes (redirects,
generated oversized bodies) and its traps (path prefixes under which every page links two new
pages). A path with a query is stored as ``path@query``.
"""

from __future__ import annotations

import csv
import hashlib
import json
import socket
import struct
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from crawl_hostsite import DistrictSite

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "portals"
SITES = ("dongcheng", "xicheng", "daxing", "chaoyang")  # fangshan (a whole generated host) is crawled on its own
# the registry rows of seeds/portals.csv each site mirrors (district, start path)
SITE_DISTRICTS = {"dongcheng": "东城", "xicheng": "西城", "daxing": "大兴", "chaoyang": "朝阳", "fangshan": "房山"}
CONTENT_TYPES = {
    ".html": "text/html", ".shtml": "text/html", ".htm": "text/html", ".txt": "text/plain",
    ".png": "image/png", ".pdf": "application/pdf", ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
TIMEOUT_SLEEP = 1.5  # longer than the tests' read timeout


def _etag(body: bytes) -> str:
    return '"%s"' % hashlib.sha1(body).hexdigest()[:16]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address) -> None:
        # clients that gave up (timeouts, size limits) leave broken pipes behind: expected here
        pass


class Mirror:
    def __init__(self, root: Path = FIXTURES, sites: tuple[str, ...] = SITES, faults: bool = True):
        self.root = root
        self.sites = sites
        self.faults_on = faults
        self.hits: Counter = Counter()  # (site, path?query) -> requests
        self.attempts: Counter = Counter()  # per fault path, attempts seen
        self.log: list[tuple[str, str]] = []
        self.overrides: dict[tuple[str, str], bytes] = {}  # (site, path) -> bytes served instead of the file
        self._lock = threading.Lock()
        self._servers: dict[str, _Server] = {}
        self.specs = {site: json.loads((root / site / "site.json").read_text(encoding="utf-8")) for site in sites}
        # a whole district site is generated from its spec rather than stored page by page
        self.generated = {site: DistrictSite(spec["generated"]) for site, spec in self.specs.items() if "generated" in spec}

    # -- lifecycle ---------------------------------------------------------------------------------
    def __enter__(self) -> "Mirror":
        for site in (*self.sites, "offsite"):
            server = _Server(("127.0.0.1", 0), self._handler(site))
            self._servers[site] = server
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        for server in self._servers.values():
            server.shutdown()
            server.server_close()

    def host(self, site: str) -> str:
        return f"127.0.0.1:{self._servers[site].server_address[1]}"

    def base(self, site: str) -> str:
        return f"http://{self.host(site)}"

    def requests_to(self, site: str) -> list[str]:
        with self._lock:
            return [path for s, path in self.log if s == site]

    def reset_log(self) -> None:
        with self._lock:
            self.log.clear()
            self.hits.clear()

    # -- the registry a test crawls with -------------------------------------------------------------
    def write_registry(self, target: Path, seeds: Path, sites: tuple[str, ...] | None = None) -> Path:
        """seeds/portals.csv's rows for the mirrored districts, pointed at the mirror's hosts."""
        with open(seeds, encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            fields = reader.fieldnames
            rows = list(reader)
        out = []
        for site in sites or self.sites:
            district = SITE_DISTRICTS[site]
            row = next(r for r in rows if r["district"] == district)
            parts = urlsplit(row["start_url"])
            row = dict(row)
            row["start_url"] = f"{self.base(site)}{parts.path}" + (f"?{parts.query}" if parts.query else "")
            row["portal"] = self.host(site)
            row["allowed_hosts"] = self.host(site)
            if row.get("enumerate_template", "").startswith("http"):
                row["enumerate_template"] = self.base(site) + urlsplit(row["enumerate_template"]).path
            out.append(row)
        with open(target, "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=fields)
            writer.writeheader()
            writer.writerows(out)
        return target

    # -- serving -------------------------------------------------------------------------------------
    def _handler(self, site: str):
        mirror = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out as separate writes

            def log_message(self, *args) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # noqa: N802
                parts = urlsplit(self.path)
                key = parts.path + (f"?{parts.query}" if parts.query else "")
                with mirror._lock:
                    mirror.hits[(site, key)] += 1
                    mirror.log.append((site, key))
                if site == "offsite":
                    return self._send(404, b"off-site", "text/plain")
                spec = mirror.specs[site]
                fault = None
                if mirror.faults_on and key in spec.get("faults", {}):
                    with mirror._lock:
                        n = mirror.attempts[(site, key)]
                        mirror.attempts[(site, key)] += 1
                    plan = spec["faults"][key]
                    fault = plan[n] if n < len(plan) else None
                route = spec.get("routes", {}).get(key)
                if fault in ("500", "503"):
                    return self._send(int(fault), b"<html><body>Service Unavailable</body></html>", "text/html")
                if fault == "429":
                    return self._send(429, b"slow down", "text/plain", {"Retry-After": "1"})
                if fault == "304":
                    # a server that answers 304 to a request that was not conditional
                    return self._send(304, b"", "text/html")
                if fault == "timeout":
                    time.sleep(TIMEOUT_SLEEP)
                if fault == "reset":
                    # RST instead of FIN: the client sees a connection reset
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.close_connection = True
                    self.connection.close()
                    return None
                if route and "redirect" in route:
                    return self._send(302, b"", "text/html", {"Location": route["redirect"]})
                if route and "size" in route:
                    return self._send_generated(route["size"], route.get("content_type", "application/octet-stream"))
                trap = next((t for t in spec.get("traps", ()) if parts.path.startswith(t)), None)
                if trap is not None:
                    # a crawler trap: every page links two pages never seen before
                    stem = parts.path.rstrip("/")
                    links = "".join(f'<a href="{stem}/{c}/">{c}</a>' for c in ("a", "b"))
                    return self._send(200, f"<html><body>{links}</body></html>".encode(), "text/html; charset=utf-8")
                body = mirror._body(site, parts.path, parts.query)
                if body is None:
                    return self._send(404, b"<html><body>404 Not Found</body></html>", "text/html")
                ctype = CONTENT_TYPES.get(Path(parts.path if not parts.path.endswith("/") else "x.html").suffix, "application/octet-stream")
                if ctype == "text/html":
                    ctype += "; charset=" + spec.get("charset", {}).get(parts.path, "utf-8")
                if fault == "truncate":
                    return self._send_truncated(body, ctype)
                if self.headers.get("If-None-Match") == _etag(body):
                    return self._send(304, b"", ctype)
                return self._send(200, body, ctype)

            def _send(self, status: int, body: bytes, ctype: str, headers: dict | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                if status in (200, 304):
                    self.send_header("ETag", _etag(body) if status == 200 else self.headers.get("If-None-Match", ""))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def _send_truncated(self, body: bytes, ctype: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)

            def _send_generated(self, size: int, ctype: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Transfer-Encoding", "chunked")  # no Content-Length: the limit must bite while streaming
                self.end_headers()
                chunk = b"%PDF-1.4\n" + b"0" * 65527
                sent = 0
                try:
                    while sent < size:
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                        sent += len(chunk)
                    self.wfile.write(b"0\r\n\r\n")
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

            def do_HEAD(self) -> None:  # noqa: N802
                self._send(405, b"", "text/plain")

        return Handler

    def _body(self, site: str, path: str, query: str) -> bytes | None:
        if (site, path) in self.overrides and not query:
            return self.overrides[site, path]
        if site in self.generated and path != "/robots.txt":
            body = None if query else self.generated[site].body(path)
            return body.replace(b"{{OFFSITE}}", self.host("offsite").encode()) if body is not None else None
        rel = path.lstrip("/")
        if not rel or rel.endswith("/"):
            rel += "index.html"
        if query:
            rel += "@" + query
        target = (self.root / site / rel).resolve()
        if self.root.resolve() not in target.parents or not target.is_file() or target.name == "site.json":
            return None
        return target.read_bytes().replace(b"{{OFFSITE}}", self.host("offsite").encode())


def crawl_and_load(**kwargs):
    """Crawl into the archive (beside the warehouse file unless `archive` is given), then load
    it: the raw tables the tests read."""
    from scrapers.crawl.run import crawl
    from scrapers.load.archives import load_archives

    summary = crawl(**kwargs)
    load_archives(kwargs.get("archive"), kwargs["db"])
    return summary
