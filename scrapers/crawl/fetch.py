"""The one HTTP layer every crawl request goes through.

Polite by default: a descriptive User-Agent, robots.txt obeyed (RFC 9309 through protego, read
again after 24 hours, parsed up to 500 KiB), one request per second per host (crawl-delay
honoured when longer, up to a cap), one wall-clock deadline per request that covers connect,
headers and body (a timer shuts the socket, so a page that trickles bytes cannot hold the
crawl), retries with exponential
backoff and jitter on connection errors, timeouts, truncated bodies, 429 and 5xx (Retry-After
honoured up to a cap), bodies streamed up to a size limit, redirects followed by hand so that
loops, hops off the allowed hosts and hop counts are caught. Each finished attempt is handed
to ``on_attempt`` so that the caller can keep it, failures included.
"""

from __future__ import annotations

import dataclasses
import email.utils
import heapq
import itertools
import random
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable
from urllib.parse import urljoin, urlsplit

import requests
from protego import Protego
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

# HTTP headers are Latin-1: the name says in English what the crawler is for
USER_AGENT = (
    "xxgk-crawler/0.1 (open-source archive of government information-disclosure annual reports; "
    "obeys robots.txt; 1 request/s per host)"
)
RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524})
# failures worth another attempt: the next one may well succeed
RETRYABLE_ERRORS = frozenset({"timeout", "connection", "truncated", "dns"})
# failures that say the host itself cannot be reached
HOST_ERRORS = frozenset({"timeout", "connection", "dns"})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass
class FetchConfig:
    user_agent: str = USER_AGENT
    rate: float = 1.0  # requests per second per host; 0 turns the limit off
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    # one deadline per request for connect, headers and body together: a slow drip must end too
    total_timeout: float = 60.0
    retries: int = 3
    timeout_retries: int = 1  # a URL that timed out is asked again at most this often per crawl
    backoff_base: float = 1.0
    backoff_cap: float = 30.0
    retry_after_cap: float = 120.0
    max_bytes: int = 50 * 1024 * 1024
    max_redirects: int = 10
    respect_robots: bool = True
    robots_max_age: float = 24 * 3600.0  # RFC 9309 2.4: a cached robots.txt is used for at most 24 h
    robots_max_bytes: int = 500 * 1024  # RFC 9309 2.5: parse at least 500 KiB; the rest is dropped
    robots_error_retry: float = 600.0  # after a 5xx robots.txt: everything disallowed, asked again after this
    crawl_delay_cap: float = 10.0  # a Crawl-delay longer than this is honoured as this, and reported
    host_failure_limit: int = 2  # URLs in a row failing with connection errors before a host counts as down


@dataclass
class Attempt:
    """One finished request: a response (any status) or a failure with its reason."""

    request_url: str
    final_url: str | None = None
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    error: str | None = None  # reason code: timeout, connection, dns, truncated, too_large, http_500 …
    detail: str | None = None
    elapsed_ms: float = 0.0
    fetched_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    not_modified: bool = False

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")


@dataclass
class Response:
    """The answer to one URL as the crawl uses it, whether fetched now (``attempts`` holds the
    tries that went over the wire, the last one answering) or read back from the archive
    (``replayed``, no attempts). A failure is a Response with ``error`` set."""

    url: str  # as asked
    status: int | None
    final_url: str
    body: bytes | None
    headers: dict[str, str]
    error: str | None  # reason code: timeout, connection, http_404, not_modified_without_copy …
    detail: str | None = None
    charset: str | None = None  # the one that decoded the page, when it is one
    replayed: bool = False
    attempts: tuple[Attempt, ...] = ()
    decoded: str | None = None  # the page's text, when it was decoded already

    @property
    def last(self) -> Attempt:
        return self.attempts[-1]

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")

    @property
    def ok(self) -> bool:
        return self.error is None and self.body is not None and self.status is not None and (
            200 <= self.status < 300 or self.status == 304)

    @property
    def is_html(self) -> bool:
        return looks_html(self.content_type, self.body)

    @property
    def text(self) -> str:
        if self.decoded is None:
            body = self.body or b""
            if self.charset:
                try:
                    self.decoded = body.decode(self.charset)
                except (UnicodeDecodeError, LookupError):
                    self.decoded = None
            if self.decoded is None:
                self.decoded, self.charset = decode_html(body, self.content_type)
        return self.decoded

    def but(self, **changes) -> "Response":
        return dataclasses.replace(self, **changes)

    def without_body(self) -> "Response":
        """What a crawl remembers of an answer it gave: no body, text or attempts."""
        return dataclasses.replace(self, body=None, decoded=None, attempts=())


def looks_html(content_type: str | None, body: bytes | None) -> bool:
    """Whether a response is a page to read links from: by its type, else by its first byte."""
    ctype = (content_type or "").lower()
    if "html" in ctype or "xml" in ctype:
        return True
    if ctype.startswith(("application/", "image/", "audio/", "video/")):
        return False
    return (body or b"")[:512].lstrip()[:1] == b"<"


_in_flight = threading.local()


class _Watchdog:
    """One thread that ends the requests whose time is up, for every request of the process: a
    timer thread per request would cost a thread start (and its wake-ups) per request."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._due: list[tuple[float, int, "_Deadline"]] = []  # a heap, earliest first
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def watch(self, deadline: "_Deadline", seconds: float) -> None:
        entry = (time.monotonic() + seconds, next(self._order), deadline)
        with self._cond:
            heapq.heappush(self._due, entry)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="fetch-deadlines", daemon=True)
                self._thread.start()
            if self._due[0] is entry:  # deadlines come in time order: the thread rarely needs waking
                self._cond.notify()

    def _run(self) -> None:
        with self._cond:
            while True:
                if not self._due:
                    self._cond.wait()
                    continue
                now = time.monotonic()
                if self._due[0][0] > now:
                    self._cond.wait(self._due[0][0] - now)
                    continue
                _at, _n, deadline = heapq.heappop(self._due)
                again = deadline.expire()
                if again is not None:
                    heapq.heappush(self._due, (now + again, next(self._order), deadline))


_WATCHDOG = _Watchdog()


class _Deadline:
    """The wall-clock limit of one request: when it passes, the socket of the request in flight
    is shut down, which ends a blocked connect, header read or body read at once. Socket
    timeouts alone cannot do this: they bound the gap between two bytes, not the whole answer."""

    _RECHECK = 0.05  # the request may still be connecting when time is up: look again shortly

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.expired = False
        self._conn = None
        self._done = False
        self._lock = threading.Lock()

    def __enter__(self) -> "_Deadline":
        _in_flight.deadline = self
        _WATCHDOG.watch(self, self.seconds)
        return self

    def __exit__(self, *_exc) -> None:
        with self._lock:
            self._done = True
        _in_flight.deadline = None

    def attach(self, conn) -> None:
        with self._lock:
            self._conn = conn
            if self.expired:
                self._shut()

    def expire(self) -> float | None:
        """Time is up: shut the request's socket. Returns when to look again if it has none yet."""
        with self._lock:
            if self._done:
                return None
            self.expired = True
            return None if self._shut() else self._RECHECK

    def _shut(self) -> bool:
        sock = getattr(self._conn, "sock", None)
        if sock is None:
            return False
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        return True


class _DeadlineHTTPPool(HTTPConnectionPool):
    def _make_request(self, conn, *args, **kwargs):
        deadline = getattr(_in_flight, "deadline", None)
        if deadline is not None:
            deadline.attach(conn)
        return super()._make_request(conn, *args, **kwargs)


class _DeadlineHTTPSPool(HTTPSConnectionPool):
    def _make_request(self, conn, *args, **kwargs):
        deadline = getattr(_in_flight, "deadline", None)
        if deadline is not None:
            deadline.attach(conn)
        return super()._make_request(conn, *args, **kwargs)


class _DeadlineAdapter(HTTPAdapter):
    """requests' adapter with connection pools that hand each connection to the request's deadline."""

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _DeadlineHTTPPool, "https": _DeadlineHTTPSPool}


class HostLimiter:
    """Per-host spacing of requests; hosts are independent so threads crawl them in parallel."""

    def __init__(self, rate: float):
        self.interval = 1.0 / rate if rate and rate > 0 else 0.0
        self._next: dict[str, float] = {}
        self._interval: dict[str, float] = {}
        self._lock = threading.Lock()

    def set_min_interval(self, host: str, seconds: float) -> None:
        with self._lock:
            self._interval[host] = max(seconds, self._interval.get(host, 0.0))

    def defer(self, host: str, seconds: float) -> None:
        """Hold every request to the host back (after a 429 or a server error)."""
        with self._lock:
            self._next[host] = max(self._next.get(host, 0.0), time.monotonic() + seconds)

    def wait(self, host: str) -> None:
        with self._lock:
            now = time.monotonic()
            at = max(now, self._next.get(host, 0.0))
            if self.interval:
                self._next[host] = at + max(self.interval, self._interval.get(host, 0.0))
        if at > now:
            time.sleep(at - now)


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", re.I)


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """The page text and the charset that decoded it, by the one decoder documents use too
    (`scrapers.extract.decode`): a declared charset is trusted only if the bytes decode under
    it, since portals serve GBK pages declared as UTF-8."""
    from scrapers.extract.decode import decode_bytes

    m = _HEADER_CHARSET.search(content_type or "")
    return decode_bytes(body, m.group(1) if m else None)


def short_detail(detail: str | None) -> str:
    """The innermost cause of a urllib3 error, without the pool and retry wrapping."""
    if not detail:
        return ""
    m = re.search(r"Caused by \w+\(([\"'])(.*)\1\)\)$", detail)
    text = m.group(2) if m else detail
    inner = re.search(r"\): (.*)$", text)
    return (inner.group(1) if inner else text).strip("\"' ")[:200]


def _reason(exc: Exception) -> str:
    """A short reason code for a requests exception."""
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "truncated"
    if isinstance(exc, requests.exceptions.ContentDecodingError):
        return "truncated"
    if isinstance(exc, (requests.exceptions.Timeout,)):
        return "timeout"
    if isinstance(exc, requests.exceptions.TooManyRedirects):
        return "redirect_loop"
    text = repr(exc)
    if "NameResolutionError" in text or "Name or service not known" in text or "getaddrinfo" in text:
        return "dns"
    if "Read timed out" in text or "ReadTimeoutError" in text:
        return "timeout"
    if isinstance(exc, requests.exceptions.ConnectionError):
        return "connection"
    if isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema)):
        return "bad_url"
    return "error"


def _answer(url: str, attempts: list[Attempt]) -> Response:
    """The Response of a fetch: what its last attempt got."""
    last = attempts[-1]
    return Response(url, last.status, last.final_url or url, last.body, last.headers, last.error, last.detail,
                    attempts=tuple(attempts))


class Fetcher:
    """Fetch URLs politely; thread-safe, one requests Session per thread."""

    def __init__(self, config: FetchConfig | None = None, clock: Callable[[], float] = time.time):
        self.config = config or FetchConfig()
        self.limiter = HostLimiter(self.config.rate)
        self.clock = clock  # wall-clock seconds, for the age of robots.txt (tests freeze it)
        self._local = threading.local()
        # origin -> (rules: a parser, None = allow all, False = disallow all; when they were read)
        self._robots: dict[str, tuple[Protego | None | bool, float]] = {}
        self._robots_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()
        self._host_failures: dict[str, int] = {}
        self._timeouts: dict[str, int] = {}  # URL -> attempts of this crawl that ran out of time
        self.down_hosts: dict[str, str] = {}  # host -> the reason it was given up
        # what the crawl should tell its operator: host -> what robots.txt asked and what we did
        self.notes: dict[str, str] = {}

    # -- sessions -------------------------------------------------------------------------
    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers["User-Agent"] = self.config.user_agent
            session.headers["Accept-Language"] = "zh-CN,zh;q=0.9"
            adapter = _DeadlineAdapter()
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            # redirects and retries are handled here, hop by hop
            session.max_redirects = self.config.max_redirects
            # proxies, CA bundle and client certificate come from the environment as usual,
            # but are worked out once per host instead of on every request
            session.trust_env = False
            self._local.session = session
            self._local.environment = {}
        return session

    def _environment(self, session: requests.Session, url: str) -> dict:
        parts = urlsplit(url)
        key = (parts.scheme, parts.netloc)
        settings = self._local.environment.get(key)
        if settings is None:
            session.trust_env = True
            settings = session.merge_environment_settings(url, {}, None, None, None)
            session.trust_env = False
            settings.pop("stream", None)
            # only what differs from the session's defaults: requests merges each one given anew
            # on every request
            settings = {k: v for k, v in settings.items() if v not in ({}, None) and not (k == "verify" and v is True)}
            self._local.environment[key] = settings
        return settings

    # -- one attempt ------------------------------------------------------------------------
    def _attempt(self, url: str, headers: dict[str, str], allow: Callable[[str], bool] | None,
                 max_bytes: int | None = None) -> Attempt:
        cfg = self.config
        started = time.monotonic()
        attempt = Attempt(request_url=url)
        current, seen = url, {url}
        deadline: _Deadline | None = None
        try:
            for _hop in range(cfg.max_redirects + 1):
                self.limiter.wait(urlsplit(current).netloc.lower())
                session = self._session()
                if deadline is None:
                    # the deadline starts when the host's turn comes, not while waiting for it
                    deadline = _Deadline(cfg.total_timeout).__enter__()
                resp = session.get(
                    current, headers=headers or None, stream=True, allow_redirects=False,
                    timeout=(cfg.connect_timeout, cfg.read_timeout), **self._environment(session, current),
                )
                attempt.final_url = current
                attempt.status = resp.status_code
                attempt.headers = {k.lower(): v for k, v in resp.headers.items()}
                if resp.status_code in _REDIRECTS and resp.headers.get("location"):
                    target = urljoin(current, resp.headers["location"])
                    resp.close()
                    if target in seen:
                        attempt.error, attempt.detail = "redirect_loop", f"{current} -> {target}"
                        return attempt
                    if allow is not None and not allow(target):
                        attempt.error, attempt.detail = "redirect_offsite", target
                        return attempt
                    seen.add(target)
                    current = target
                    continue
                attempt.body = self._read_body(resp, attempt, self._body_limit(current, max_bytes))
                if deadline.expired:
                    # the shut socket can look like the end of a close-delimited body
                    attempt.body = None
                    attempt.error, attempt.detail = "timeout", f"no complete answer within {cfg.total_timeout:g} s"
                elif resp.status_code == 304:
                    attempt.not_modified = True
                elif attempt.error is None and not 200 <= resp.status_code < 300:
                    attempt.error = f"http_{resp.status_code}"
                return attempt
            attempt.error, attempt.detail = "redirect_loop", f"more than {cfg.max_redirects} redirects"
            return attempt
        except requests.RequestException as exc:
            if deadline is not None and deadline.expired:
                attempt.error, attempt.detail = "timeout", f"no complete answer within {cfg.total_timeout:g} s"
            else:
                attempt.error, attempt.detail = _reason(exc), str(exc)[:500]
            return attempt
        finally:
            if deadline is not None:
                deadline.__exit__(None, None, None)
            # when the answer came (after any wait for the host's turn)
            attempt.fetched_at = datetime.now(timezone.utc)
            attempt.elapsed_ms = (time.monotonic() - started) * 1000

    def _body_limit(self, url: str, max_bytes: int | None) -> tuple[int, bool]:
        """(bytes, whether to keep a cut body): robots.txt is read up to its cap and kept."""
        if urlsplit(url).path == "/robots.txt":
            return self.config.robots_max_bytes, True
        return min(self.config.max_bytes, max_bytes or self.config.max_bytes), False

    def _read_body(self, resp: requests.Response, attempt: Attempt, limit_and_cut: tuple[int, bool]) -> bytes | None:
        limit, keep_cut = limit_and_cut
        try:
            declared = int(resp.headers.get("content-length") or 0)
        except ValueError:
            declared = 0
        if declared > limit and not keep_cut:
            resp.close()
            attempt.error, attempt.detail = "too_large", f"Content-Length {declared} > {limit}"
            return None
        chunks, size = [], 0
        try:
            for chunk in resp.iter_content(64 * 1024):
                size += len(chunk)
                if size > limit:
                    if keep_cut:
                        chunks.append(chunk[: len(chunk) - (size - limit)])
                        attempt.detail = f"cut at {limit} bytes"
                        break
                    attempt.error, attempt.detail = "too_large", f"more than {limit} bytes"
                    return None
                chunks.append(chunk)
        finally:
            resp.close()
        return b"".join(chunks)

    # -- the public call ----------------------------------------------------------------------
    def fetch(
        self,
        url: str,
        *,
        on_attempt: Callable[[Attempt], None] | None = None,
        allow: Callable[[str], bool] | None = None,
        validators: dict[str, str] | None = None,
        max_bytes: int | None = None,
    ) -> Response:
        """GET a URL with retries; every attempt goes to ``on_attempt`` as it finishes.

        ``allow`` vets redirect targets; ``validators`` (etag, last-modified of a stored copy)
        make the request conditional, so that an unchanged page answers 304; ``max_bytes``
        lowers the size limit for this URL (a picture's cap).
        """
        cfg = self.config
        host = urlsplit(url).netloc.lower()
        headers = {}
        if validators:
            if validators.get("etag"):
                headers["If-None-Match"] = validators["etag"]
            if validators.get("last-modified"):
                headers["If-Modified-Since"] = validators["last-modified"]
        attempts: list[Attempt] = []
        if host in self.down_hosts:
            attempt = Attempt(request_url=url, error="host_unreachable", detail=self.down_hosts[host])
            if on_attempt:
                on_attempt(attempt)
            return _answer(url, [attempt])
        with self._lock:
            timed_out = self._timeouts.get(url, 0)
        if timed_out > cfg.timeout_retries:
            # a URL that has used up its deadline twice would hold the host's turn for nothing
            attempt = Attempt(request_url=url, error="timeout", detail=f"gave up: timed out {timed_out} times in this crawl")
            if on_attempt:
                on_attempt(attempt)
            return _answer(url, [attempt])
        for n in range(cfg.retries + 1):
            attempt = self._attempt(url, headers, allow, max_bytes)
            attempts.append(attempt)
            if on_attempt:
                on_attempt(attempt)
            retryable = attempt.error in RETRYABLE_ERRORS or (
                attempt.status in RETRYABLE_STATUS and not attempt.not_modified and attempt.error not in ("too_large",)
            )
            if attempt.error == "timeout":
                with self._lock:
                    timed_out = self._timeouts[url] = self._timeouts.get(url, 0) + 1
                retryable = timed_out <= cfg.timeout_retries
            if not retryable or n == cfg.retries:
                break
            delay = retry_after_seconds(attempt.headers.get("retry-after")) if attempt.status in (429, 503) else None
            if delay is None:
                delay = min(cfg.backoff_cap, cfg.backoff_base * 2**n) * (0.5 + random.random())
            self.limiter.defer(host, min(delay, cfg.retry_after_cap))
        self._note_host(host, attempts[-1])
        return _answer(url, attempts)

    def _note_host(self, host: str, attempt: Attempt) -> None:
        with self._lock:
            if attempt.error in HOST_ERRORS:
                self._host_failures[host] = self._host_failures.get(host, 0) + 1
                if self._host_failures[host] >= self.config.host_failure_limit:
                    self.down_hosts.setdefault(host, f"{attempt.error} ({short_detail(attempt.detail)})")
            elif attempt.status is not None:
                self._host_failures[host] = 0

    def mark_down(self, host: str, reason: str) -> None:
        with self._lock:
            self.down_hosts.setdefault(host.lower(), reason)

    # -- robots.txt -------------------------------------------------------------------------
    def robots_allowed(self, url: str, load: Callable[[str], Response]) -> bool:
        """Whether robots.txt lets us fetch the URL; ``load`` fetches (or replays) robots.txt.

        Per RFC 9309: a 4xx robots.txt allows everything; an unreachable one (5xx, network
        failure) disallows everything, and is asked for again after ``robots_error_retry``;
        rules that were read are used for ``robots_max_age`` (24 h) and then read again.
        """
        if not self.config.respect_robots:
            return True
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc.lower()}"
        with self._lock:
            lock = self._robots_locks.setdefault(key, threading.Lock())
        with lock:
            cached = self._robots.get(key)
            if cached is None or self.clock() - cached[1] >= self._robots_lifetime(cached[0]):
                self._robots[key] = (self._read_robots(key, parts.netloc.lower(), load), self.clock())
            rules = self._robots[key][0]
        if rules is None:
            return True
        if rules is False:
            return False
        return rules.can_fetch(url, self.config.user_agent)

    def _robots_lifetime(self, rules: Protego | None | bool) -> float:
        return self.config.robots_error_retry if rules is False else self.config.robots_max_age

    def _read_robots(self, origin: str, host: str, load: Callable[[str], Response]) -> Protego | None | bool:
        cfg = self.config
        result = load(f"{origin}/robots.txt")
        status = result.status
        if result.ok and result.body is not None:
            body = result.body[: cfg.robots_max_bytes]
            if len(result.body) > cfg.robots_max_bytes or (result.detail or "").startswith("cut at"):
                self._note(host, f"robots.txt over {cfg.robots_max_bytes // 1024} KiB: read its first {cfg.robots_max_bytes // 1024} KiB")
            parser = Protego.parse(body.decode("utf-8", "replace"))
            delay = parser.crawl_delay(cfg.user_agent)
            if delay and self.limiter.interval:
                honoured = min(float(delay), cfg.crawl_delay_cap)
                if float(delay) > cfg.crawl_delay_cap:
                    self._note(host, f"Crawl-delay {float(delay):g} s capped at {cfg.crawl_delay_cap:g} s")
                self.limiter.set_min_interval(host, honoured)
            return parser
        if status is not None and 400 <= status < 500 and status != 429:
            return None
        if result.error in HOST_ERRORS or result.error == "host_unreachable":
            self.mark_down(host, f"{result.error} ({short_detail(result.detail)})")
        self._note(host, f"robots.txt unavailable ({result.error or status}): nothing fetched from the host for "
                         f"{cfg.robots_error_retry:g} s, then asked again")
        return False

    def _note(self, host: str, text: str) -> None:
        with self._lock:
            self.notes[host] = text
