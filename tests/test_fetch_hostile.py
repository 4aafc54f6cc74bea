"""Hostile servers against the HTTP layer: pages that trickle, robots.txt that lies or is huge.

Every server here is a real socket on 127.0.0.1 that misbehaves on purpose; each test is bounded
by the deadline it checks.
"""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter

import pytest

from scrapers.crawl.fetch import Fetcher, FetchConfig, Response

QUICK = dict(connect_timeout=1.0, read_timeout=5.0, backoff_base=0.01, retry_after_cap=0.1, rate=0, retries=3)


class Trickler:
    """A server whose answers are scripted per path: `(head, body, seconds between bytes)`;
    it also counts the requests per path."""

    def __init__(self, routes: dict[str, tuple[bytes, bytes, float]]):
        self.routes = routes
        self.hits: Counter = Counter()
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.2)
        self._stop = threading.Event()
        self.port = self._sock.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "Trickler":
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join(5)
        self._sock.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (socket.timeout, OSError):
                continue
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            try:
                request = conn.recv(65536).decode("latin-1")
                path = request.split(" ", 2)[1]
                self.hits[path] += 1
                head, body, gap = self.routes.get(path, (b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", b"", 0.0))
                for piece in (head, body):
                    if gap:
                        for i in range(len(piece)):
                            if self._stop.is_set():
                                return
                            conn.sendall(piece[i : i + 1])
                            time.sleep(gap)
                    else:
                        conn.sendall(piece)
            except OSError:
                pass


def ok(body: bytes, extra: str = "") -> bytes:
    return f"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {len(body)}\r\n{extra}Connection: close\r\n\r\n".encode()


def test_trickled_headers_end_at_the_deadline():
    head = ok(b"x" * 10)
    with Trickler({"/slow": (head, b"x" * 10, 0.2)}) as server:
        fetcher = Fetcher(FetchConfig(**QUICK, total_timeout=1.0))
        started = time.monotonic()
        result = fetcher.fetch(f"{server.base}/slow")
        took = time.monotonic() - started
    assert result.error == "timeout" and "within 1 s" in result.last.detail
    # one retry for a timeout, each bounded by the deadline (plus a little backoff)
    assert len(result.attempts) == 2 and took < 3.5


def test_trickled_body_without_length_is_not_taken_for_a_whole_body():
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n"
    with Trickler({"/drip": (head, b"<html>" + b"a" * 200, 0.02)}) as server:
        fetcher = Fetcher(FetchConfig(**QUICK, total_timeout=0.8, timeout_retries=0))
        started = time.monotonic()
        result = fetcher.fetch(f"{server.base}/drip")
        took = time.monotonic() - started
    assert result.error == "timeout" and result.body is None
    assert len(result.attempts) == 1 and took < 2.0


def test_a_url_that_timed_out_is_asked_again_at_most_once_per_crawl():
    with Trickler({"/slow": (ok(b"y" * 5), b"y" * 5, 0.5), "/fine": (ok(b"fine"), b"fine", 0.0)}) as server:
        fetcher = Fetcher(FetchConfig(**QUICK, total_timeout=0.5))
        first = fetcher.fetch(f"{server.base}/slow")
        again = fetcher.fetch(f"{server.base}/slow")  # another list page links it too
        fine = fetcher.fetch(f"{server.base}/fine")
        hits = server.hits["/slow"]
    assert first.error == again.error == "timeout"
    assert hits == 2 and "gave up" in again.last.detail
    assert fine.ok and fine.body == b"fine"  # the rest of the host is still crawled


def robots_loader(fetcher: Fetcher, counter: Counter):
    def load(url: str) -> Response:
        counter[url] += 1
        return fetcher.fetch(url)

    return load


def test_crawl_delay_is_capped_and_reported():
    robots = b"User-agent: *\nCrawl-delay: 3600\nDisallow: /private/\n"
    with Trickler({"/robots.txt": (ok(robots), robots, 0.0), "/a": (ok(b"a"), b"a", 0.0)}) as server:
        fetcher = Fetcher(FetchConfig(**dict(QUICK, rate=100), crawl_delay_cap=0.3))
        load = robots_loader(fetcher, Counter())
        assert fetcher.robots_allowed(f"{server.base}/a", load)
        assert not fetcher.robots_allowed(f"{server.base}/private/x", load)
        fetcher.fetch(f"{server.base}/a")
        started = time.monotonic()
        fetcher.fetch(f"{server.base}/a")
        gap = time.monotonic() - started
    assert 0.25 <= gap < 2.0  # the cap, not an hour
    assert "Crawl-delay 3600 s capped at 0.3 s" in fetcher.notes["127.0.0.1:%d" % server.port]


def test_robots_is_read_again_after_24_hours():
    now = [1_000_000.0]
    robots = b"User-agent: *\nDisallow: /old/\n"
    with Trickler({"/robots.txt": (ok(robots), robots, 0.0)}) as server:
        fetcher = Fetcher(FetchConfig(**QUICK), clock=lambda: now[0])
        counter: Counter = Counter()
        load = robots_loader(fetcher, counter)
        assert not fetcher.robots_allowed(f"{server.base}/old/page", load)
        now[0] += 23 * 3600
        assert not fetcher.robots_allowed(f"{server.base}/old/page", load)
        assert sum(counter.values()) == 1
        server.routes["/robots.txt"] = (ok(b"User-agent: *\nDisallow: /new/\n"), b"User-agent: *\nDisallow: /new/\n", 0.0)
        now[0] += 2 * 3600  # 25 h after the first read
        assert fetcher.robots_allowed(f"{server.base}/old/page", load)
        assert not fetcher.robots_allowed(f"{server.base}/new/page", load)
    assert sum(counter.values()) == 2


def test_huge_robots_is_cut_at_500_kib_and_stays_cheap():
    rules = b"User-agent: *\nDisallow: /secret/\n"
    filler = b"".join(b"Disallow: /x%07d/\n" % i for i in range(400_000))  # about 7 MB
    body = rules + filler
    with Trickler({"/robots.txt": (ok(body), body, 0.0)}) as server:
        fetcher = Fetcher(FetchConfig(**QUICK))
        load = robots_loader(fetcher, Counter())
        assert not fetcher.robots_allowed(f"{server.base}/secret/a", load)
        started = time.monotonic()
        for i in range(50):
            fetcher.robots_allowed(f"{server.base}/page{i}", load)
        per_url = (time.monotonic() - started) / 50
    assert per_url < 0.05
    assert "over 500 KiB" in fetcher.notes["127.0.0.1:%d" % server.port]


def test_robots_server_error_disallows_for_a_while_then_asks_again():
    now = [0.0]
    error = b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    with Trickler({"/robots.txt": (error, b"", 0.0)}) as server:
        fetcher = Fetcher(FetchConfig(**dict(QUICK, retries=0), robots_error_retry=600), clock=lambda: now[0])
        counter: Counter = Counter()
        load = robots_loader(fetcher, counter)
        assert not fetcher.robots_allowed(f"{server.base}/a", load)
        assert "robots.txt unavailable" in fetcher.notes["127.0.0.1:%d" % server.port]
        now[0] += 60
        assert not fetcher.robots_allowed(f"{server.base}/a", load)
        assert sum(counter.values()) == 1
        good = b"User-agent: *\nDisallow:\n"
        server.routes["/robots.txt"] = (ok(good), good, 0.0)
        now[0] += 600
        assert fetcher.robots_allowed(f"{server.base}/a", load)
    assert sum(counter.values()) == 2


@pytest.mark.parametrize("gap", [0.0])
def test_a_normal_page_is_unchanged_by_the_deadline(gap):
    with Trickler({"/p": (ok(b"hello"), b"hello", gap)}) as server:
        result = Fetcher(FetchConfig(**QUICK, total_timeout=5)).fetch(f"{server.base}/p")
    assert result.ok and result.body == b"hello"
