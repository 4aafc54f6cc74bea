"""The shared HTTP layer: charsets, retries, Retry-After, size and redirect limits, robots.txt, per-host spacing."""

from __future__ import annotations

import threading
import time
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone

import pytest

from crawl_mirror import FIXTURES, Mirror
from scrapers.crawl.fetch import Fetcher, FetchConfig, Response, HostLimiter, decode_html, retry_after_seconds

GBK_PAGE = FIXTURES / "dongcheng/zfxxgkzl/zfxxgknb/2023nb/dcqjd2023/202401/t20240117_3500104.html"
UTF8_PAGE = FIXTURES / "dongcheng/zfxxgkzl/zfxxgknb/2023nb/dcqjd2023/202401/t20240116_3500101.html"
FAST = dict(connect_timeout=1.0, read_timeout=0.5, backoff_base=0.01, max_bytes=1_000_000, retry_after_cap=2.0, rate=0)


def test_gbk_page_declared_utf8_decodes_as_gb18030():
    body = GBK_PAGE.read_bytes()
    assert b'charset=utf-8' in body  # the page lies about itself, as some portals' pages do
    text, charset = decode_html(body, "text/html; charset=utf-8")
    assert charset == "gb18030"
    assert "东四街道办事处2023年政府信息公开工作年度报告" in text


def test_declared_charset_is_used_when_it_fits():
    body = UTF8_PAGE.read_bytes()
    assert decode_html(body, "text/html; charset=UTF-8")[1] == "utf-8"
    gbk = "<html><head><meta charset=gb2312></head><body>北京市东城区政府信息公开工作年度报告</body></html>".encode("gbk")
    text, charset = decode_html(gbk, "text/html")
    assert charset == "gb18030" and "东城区" in text


def test_undeclared_chinese_is_detected():
    body = ("<html><body>" + "北京市西城区金融街街道2025年政府信息公开工作年度报告。本年度报告根据条例编制。" * 5 + "</body></html>").encode("gb18030")
    text, _ = decode_html(body, None)
    assert "金融街街道" in text


def test_retry_after_reads_seconds_and_dates():
    assert retry_after_seconds("7") == 7.0
    later = datetime.now(timezone.utc) + timedelta(seconds=30)
    assert 25 <= retry_after_seconds(format_datetime(later, usegmt=True)) <= 30
    assert retry_after_seconds("soon") is None


def test_limiter_spaces_one_host_and_leaves_others_free():
    limiter = HostLimiter(rate=20)  # 50 ms apart
    started = time.monotonic()
    for _ in range(5):
        limiter.wait("a")
    assert time.monotonic() - started >= 0.19
    started = time.monotonic()
    limiter.wait("b")  # another host does not wait for "a"
    assert time.monotonic() - started < 0.03


def test_limiter_off_at_rate_zero_but_deferral_holds():
    limiter = HostLimiter(rate=0)
    started = time.monotonic()
    for _ in range(50):
        limiter.wait("a")
    assert time.monotonic() - started < 0.05
    limiter.defer("a", 0.2)
    started = time.monotonic()
    limiter.wait("a")
    assert time.monotonic() - started >= 0.18


@pytest.fixture()
def mirror():
    with Mirror() as m:
        yield m


def test_retries_500_then_succeeds_and_reports_every_attempt(mirror):
    fetcher = Fetcher(FetchConfig(**FAST))
    seen = []
    result = fetcher.fetch(mirror.base("dongcheng") + "/zfxxgkzl/zfxxgknb/2023nb/dcqjd2023/index_1.html", on_attempt=seen.append)
    assert result.ok and result.status == 200
    assert [a.status for a in seen] == [500, 500, 200]
    assert [a.error for a in seen] == ["http_500", "http_500", None]
    assert "createPageHTML(3, 1" in result.body.decode()


def test_honours_retry_after_on_429(mirror):
    fetcher = Fetcher(FetchConfig(**FAST))
    seen = []
    started = time.monotonic()
    result = fetcher.fetch(mirror.base("dongcheng") + "/zfxxgkzl/zfxxgknb/2023nb/dcqjd2023/202401/t20240116_3500102.html", on_attempt=seen.append)
    assert result.ok and [a.status for a in seen] == [429, 200]
    assert time.monotonic() - started >= 0.95


def test_gives_up_after_the_last_retry():
    cfg = FetchConfig(**{**FAST, "retries": 2})
    fetcher = Fetcher(cfg)
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    result = fetcher.fetch(f"http://127.0.0.1:{port}/x.html")
    assert not result.ok and result.error == "connection" and len(result.attempts) == 3


def test_size_limit_bites_while_streaming(mirror):
    fetcher = Fetcher(FetchConfig(**FAST))
    result = fetcher.fetch(mirror.base("daxing") + "/bjsdxqrmzf/zwfw/zfxxgk/dxqzf69/2019n/xzjd13/730972/P020200121s.pdf")
    assert result.error == "too_large" and result.body is None and len(result.attempts) == 1


def test_redirect_loop_and_offsite_redirect_are_caught(mirror):
    fetcher = Fetcher(FetchConfig(**FAST))
    loop = fetcher.fetch(mirror.base("dongcheng") + "/zfxxgkzl/zfxxgknb/old/index.html")
    assert loop.error == "redirect_loop" and len(loop.attempts) == 1
    mirror.specs["dongcheng"]["routes"]["/away.html"] = {"redirect": mirror.base("offsite") + "/x.html"}
    away = fetcher.fetch(mirror.base("dongcheng") + "/away.html", allow=lambda url: url.startswith(mirror.base("dongcheng")))
    assert away.error == "redirect_offsite" and mirror.requests_to("offsite") == []


def test_truncated_body_is_retried(mirror):
    fetcher = Fetcher(FetchConfig(**FAST))
    seen = []
    url = mirror.base("daxing") + "/bjsdxqrmzf/zwfw/zfxxgk/dxqzf69/2019n/xzjd13/730971/P020200120b.docx"
    result = fetcher.fetch(url, on_attempt=seen.append)
    assert [a.error for a in seen] == ["truncated", None]
    assert result.body == (FIXTURES / "daxing/bjsdxqrmzf/zwfw/zfxxgk/dxqzf69/2019n/xzjd13/730971/P020200120b.docx").read_bytes()


def test_conditional_request_answers_304(mirror):
    fetcher = Fetcher(FetchConfig(**FAST))
    url = mirror.base("xicheng") + "/zt/xxgkzl/zfxxgknb.html"
    first = fetcher.fetch(url)
    again = fetcher.fetch(url, validators={"etag": first.headers["etag"]})
    assert again.status == 304 and again.last.not_modified and again.ok


def test_robots_txt_is_obeyed_and_loaded_once(mirror):
    fetcher = Fetcher(FetchConfig(**FAST))
    loads = []

    def load(url: str) -> Response:
        loads.append(url)
        return fetcher.fetch(url)

    base = mirror.base("dongcheng")
    assert fetcher.robots_allowed(base + "/zfxxgkzl/zfxxgknb/index.html", load)
    assert not fetcher.robots_allowed(base + "/zfxxgkzl/zfxxgknb/internal/index.html", load)
    assert loads == [base + "/robots.txt"]


def test_unreachable_robots_txt_means_host_down():
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    fetcher = Fetcher(FetchConfig(**{**FAST, "retries": 0}))
    assert not fetcher.robots_allowed(f"http://127.0.0.1:{port}/a.html", fetcher.fetch)
    assert f"127.0.0.1:{port}" in fetcher.down_hosts
    later = fetcher.fetch(f"http://127.0.0.1:{port}/b.html")
    assert later.error == "host_unreachable" and later.last.status is None


def test_hosts_are_fetched_in_parallel(mirror):
    """Two hosts at 5 requests/s each: 6 requests take about 0.4 s together, not 1 s one after another."""
    fetcher = Fetcher(FetchConfig(**{**FAST, "rate": 5}))
    urls = {
        "dongcheng": mirror.base("dongcheng") + "/zfxxgkzl/zfxxgknb/index.html",
        "xicheng": mirror.base("xicheng") + "/zt/xxgkzl/zfxxgknb.html",
    }

    def three(url: str) -> None:
        for _ in range(3):
            assert fetcher.fetch(url).ok

    started = time.monotonic()
    threads = [threading.Thread(target=three, args=(u,)) for u in urls.values()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    assert 0.38 <= elapsed < 0.9
