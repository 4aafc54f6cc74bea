"""The fetch-or-replay gate: every URL of a crawl is asked for here, and answered from the archive
when an earlier crawl (or this one) settled it, else from the network, each attempt archived.

A crawl resumes by design: a URL an earlier crawl settled (a body the archive holds, or a
definitive 4xx) is read back instead of fetched, so a crawl killed midway and run again
fetches only what it had not got. ``refresh`` asks again, conditionally (ETag /
Last-Modified), so unchanged pages answer 304; a 304 with no stored copy to stand for the
page is a failure (``not_modified_without_copy``), never an empty version.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from scrapers.crawl.fetch import Attempt, Fetcher, Response, decode_html, looks_html
from scrapers.crawl.portals import Portal
from scrapers.crawl.store import NOT_SENT, CrawlStore, StoredFetch
from scrapers.crawl.tally import CrawlTally, reason_code

# How long a list page read before stands for the list: shorter than the daily schedule, longer
# than any crawl, so a crash rerun replays lists and the next day's crawl asks for them again.
DEFAULT_LIST_MAX_AGE = timedelta(hours=12)


class ArchiveGate:
    """Answers for URLs, from the archive or the network; thread-safe, one per crawl."""

    def __init__(self, store: CrawlStore, fetcher: Fetcher, tally: CrawlTally, *, refresh: bool = False,
                 list_max_age: timedelta = DEFAULT_LIST_MAX_AGE):
        self.store = store
        self.fetcher = fetcher
        self.tally = tally
        self.refresh = refresh
        self.list_max_age = list_max_age
        self.stored: dict[str, StoredFetch] = store.conclusive_fetches()
        self.this_run: dict[str, Response] = {}  # URL -> its answer in this crawl, without the body
        self._lock = threading.Lock()
        self._url_locks: dict[str, threading.Lock] = {}

    def down_reason(self, url: str) -> str | None:
        """Why the URL's host was given up in this crawl, if it was."""
        return self.fetcher.down_hosts.get(urlsplit(url).netloc.lower())

    def _replay(self, stored: StoredFetch) -> Response:
        if not stored.ok:
            return Response(stored.url, stored.status, stored.final_url or stored.url, None, stored.headers,
                            f"http_{stored.status}", charset=stored.charset, replayed=True)
        body = self.store.body(stored.sha256)
        return Response(stored.url, stored.status, stored.final_url or stored.url, body, stored.headers,
                        None if body is not None else "blob_missing", charset=stored.charset, replayed=True)

    def _fresh(self, stored: StoredFetch, listing: bool) -> bool:
        """Whether a settled response may stand in for asking again. Report pages and files do
        for good (a changed one is found by --refresh); list pages, and enumerated pages that did
        not exist yet, only for list_max_age: that is how a scheduled crawl sees new reports,
        while a rerun right after a crash still asks only for what it had not got."""
        if not listing and stored.ok:
            return True
        if stored.fetched_at is None:
            return True
        return datetime.now(timezone.utc) - stored.fetched_at < self.list_max_age

    def get(self, url: str, portal: Portal, *, enumerated: bool = False, listing: bool = False,
            max_bytes: int | None = None) -> Response:
        """The URL's response: read back if an earlier crawl (or this one) settled it and it is
        still fresh, else fetched (conditionally, when we hold a body); ``max_bytes`` lowers the
        size limit of a fetch."""
        with self._lock:
            lock = self._url_locks.setdefault(url, threading.Lock())
        with lock:
            done = self.this_run.get(url)
            stored = self.stored.get(url)
            if done is not None:
                # asked again in this crawl (another start point shares the page): same answer
                return self._replay(stored) if stored is not None and done.error is None else done
            if stored is not None and not self.refresh and self._fresh(stored, listing or enumerated):
                result = self._replay(stored)
                self.tally.replayed()
            else:
                result = self._fetch(url, portal, stored, enumerated, max_bytes)
            self.this_run[url] = result.without_body()
            return result

    def _fetch(self, url: str, portal: Portal, stored: StoredFetch | None, enumerated: bool,
               max_bytes: int | None) -> Response:
        is_robots = urlsplit(url).path == "/robots.txt"
        if not is_robots and not self.fetcher.robots_allowed(url, lambda robots_url: self.get(robots_url, portal, listing=True)):
            # robots.txt is asked again like a list page (RFC 9309: good for 24 h at most)
            down = self.down_reason(url)
            attempt = Attempt(request_url=url, error="host_unreachable" if down else "robots_disallowed", detail=down)
            self.store.record_attempt(attempt, portal=portal)
            self.tally.gave_up(portal, attempt.error, enumerated)
            return Response(url, None, url, None, {}, attempt.error, attempts=(attempt,))
        decoded: dict[int, tuple[str, str]] = {}
        digests: dict[int, str | None] = {}
        validators = stored.validators if stored is not None and stored.ok else None

        def on_attempt(attempt: Attempt) -> None:
            text = None
            if attempt.body is not None and attempt.error is None and not attempt.not_modified and looks_html(attempt.content_type, attempt.body):
                text = decoded[id(attempt)] = decode_html(attempt.body, attempt.content_type)
            digests[id(attempt)] = self.store.record_attempt(
                attempt, portal=portal, charset=text[1] if text else None,
                sha256=stored.sha256 if attempt.not_modified and stored else None, validators=validators,
            )

        fetched = self.fetcher.fetch(url, on_attempt=on_attempt, allow=portal.host_allowed, validators=validators,
                                     max_bytes=max_bytes)
        last = fetched.last
        sent = sum(1 for a in fetched.attempts if a.status is not None or a.error not in NOT_SENT)
        self.tally.requests(sent, [reason_code(a.error) for a in fetched.attempts[:-1]])
        if last.not_modified and stored is not None and stored.ok:
            self.tally.not_modified()
            return self._replay(stored).but(replayed=False, attempts=fetched.attempts)
        if last.not_modified:
            # a 304 to a request that was not conditional, or for a copy we no longer hold:
            # there is no body to stand for the page, so it is a failure, never an empty version
            self.tally.gave_up(portal, "not_modified_without_copy", enumerated)
            return fetched.but(body=None, error="not_modified_without_copy",
                               detail="HTTP 304 but no stored copy of the page")
        if not fetched.ok:
            self.tally.gave_up(portal, last.error, enumerated)
            if last.status is not None and 400 <= last.status < 500 and last.status not in (408, 429):
                self.stored[url] = StoredFetch(url, last.final_url, last.status, None, last.headers, None)
            return fetched.but(body=None, error=last.error or "unknown")
        text, charset = decoded.get(id(last), (None, None))
        self.stored[url] = StoredFetch(url, last.final_url, last.status, digests.get(id(last)), last.headers, charset)
        self.tally.page(portal, url)
        return fetched.but(charset=charset, decoded=text)
