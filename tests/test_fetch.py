"""The fetcher against a real HTTP server on 127.0.0.1: statuses, redirects, SSRF guard, caps, retries."""

from __future__ import annotations

import gzip
import hashlib
import socket
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler

import pytest

from clausewatch.errors import FetchError, StatusError
from clausewatch.scraper import fetch as fetch_module
from clausewatch.scraper.extract import decode_content, extract_markdown
from clausewatch.scraper.fetch import RetryPolicy, fetch, is_public_address, make_session, user_agent

NO_WAIT = RetryPolicy(retries=2, backoff=0.01, max_retry_after=5)


def test_200_gives_a_snapshot_with_hash_time_and_our_user_agent(http_server) -> None:
    http_server.set("/terms", "<h1>Terms</h1>")
    before = datetime.now(UTC).replace(microsecond=0)
    snap = fetch(http_server.url("/terms"), allow_private=True)
    assert (snap.status, snap.content, snap.final_url) == (200, b"<h1>Terms</h1>", http_server.url("/terms"))
    assert snap.content_type == "text/html; charset=utf-8"
    assert snap.sha256 == hashlib.sha256(b"<h1>Terms</h1>").hexdigest()
    assert snap.fetched_at.tzinfo is not None and before <= snap.fetched_at <= datetime.now(UTC)
    agent = http_server.requests[-1].headers["User-Agent"]
    assert agent == user_agent() and agent.startswith("Clausewatch/")
    assert "(+https://github.com/clausewatch/clausewatch)" in agent


def test_404_is_a_status_error_in_the_httpx_shape_and_not_retried(http_server) -> None:
    url = http_server.url("/missing")
    with pytest.raises(StatusError) as info:
        fetch(url, allow_private=True, retry=NO_WAIT)
    assert info.value.problem == f"Client error '404 Not Found' for url '{url}'"
    assert (info.value.status, info.value.reason, info.value.url) == (404, "http-status", url)
    assert http_server.hits("/missing") == 1


def test_500_is_a_server_error_and_not_retried(http_server) -> None:
    http_server.set("/boom", "oops", status=500)
    with pytest.raises(StatusError) as info:
        fetch(http_server.url("/boom"), allow_private=True, retry=NO_WAIT)
    assert info.value.problem.startswith("Server error '500 Internal Server Error' for url ")
    assert http_server.hits("/boom") == 1


def test_loopback_refused_without_allow_private_and_nothing_is_requested(http_server) -> None:
    http_server.set("/terms", "secret")
    with pytest.raises(FetchError) as info:
        fetch(http_server.url("/terms"))
    assert info.value.reason == "private-address"
    assert "127.0.0.1" in info.value.problem and "--allow-private-addresses" in str(info.value)
    assert http_server.requests == []


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "192.168.0.1", "172.16.0.1", "169.254.169.254",
                                     "100.64.0.1", "0.0.0.0", "224.0.0.1", "::1", "fe80::1", "fc00::1",
                                     "::ffff:127.0.0.1", "240.0.0.1"])
def test_non_public_addresses(address: str) -> None:
    assert not is_public_address(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"])
def test_public_addresses(address: str) -> None:
    assert is_public_address(address)


@pytest.fixture
def loopback_counts_as_public(monkeypatch):
    """Treat 127.0.0.1 (the test server) as public, to test redirects from it; 127.0.0.2 stays private."""
    real = fetch_module.is_public_address
    monkeypatch.setattr(fetch_module, "is_public_address", lambda a: a == "127.0.0.1" or real(a))


@pytest.mark.parametrize("target", ["http://169.254.169.254/latest/meta-data/", "http://127.0.0.2:9/x",
                                    "http://[::1]:9/"])
def test_redirect_to_private_address_is_refused(http_server, loopback_counts_as_public, target) -> None:
    http_server.redirect("/go", target)
    with pytest.raises(FetchError) as info:
        fetch(http_server.url("/go"), retry=NO_WAIT)
    assert info.value.reason == "private-address"
    assert "non-public address" in info.value.problem
    assert http_server.hits("/go") == 1


def test_redirect_to_private_address_allowed_with_allow_private(http_server) -> None:
    http_server.set("/final", "<p>here</p>")
    http_server.redirect("/go", "/final", status=301)
    snap = fetch(http_server.url("/go"), allow_private=True)
    assert snap.final_url == http_server.url("/final") and snap.url == http_server.url("/go")
    assert snap.content == b"<p>here</p>"


def test_socket_guard_refuses_private_peer_even_when_dns_check_is_skipped(http_server) -> None:
    http_server.set("/terms", "secret")
    with make_session(allow_private=False) as session, pytest.raises(FetchError) as info:
        fetch(http_server.url("/terms"), allow_private=True, session=session, retry=NO_WAIT)
    assert info.value.reason == "private-address"
    assert "connected to the non-public address 127.0.0.1" in info.value.problem
    assert http_server.requests == [], "the request never left the client"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/terms", "gopher://x/"])
def test_only_http_and_https(url: str) -> None:
    with pytest.raises(FetchError) as info:
        fetch(url)
    assert info.value.reason == "scheme" and url in info.value.problem


def test_redirect_to_file_scheme_is_refused(http_server) -> None:
    http_server.redirect("/go", "file:///etc/passwd")
    with pytest.raises(FetchError) as info:
        fetch(http_server.url("/go"), allow_private=True)
    assert info.value.reason == "scheme"


def test_redirect_loop_stops_at_the_limit(http_server) -> None:
    http_server.redirect("/a", "/b")
    http_server.redirect("/b", "/a")
    with pytest.raises(FetchError) as info:
        fetch(http_server.url("/a"), allow_private=True, max_redirects=5)
    assert info.value.reason == "redirects" and "more than 5 redirects" in info.value.problem
    assert http_server.hits("/a") + http_server.hits("/b") == 6


def test_declared_size_over_the_cap_is_refused(http_server) -> None:
    http_server.set("/big", "x" * 10_000)
    with pytest.raises(FetchError) as info:
        fetch(http_server.url("/big"), allow_private=True, max_bytes=1_000)
    assert info.value.reason == "too-large" and "10,000 bytes" in info.value.problem


def _endless(request: BaseHTTPRequestHandler) -> None:
    request.send_response(200)
    request.send_header("Content-Type", "text/html")
    request.send_header("Connection", "close")
    request.end_headers()
    try:
        for _ in range(10_000):
            request.wfile.write(b"<p>more</p>" * 100)
    except (BrokenPipeError, ConnectionResetError):
        pass
    request.close_connection = True


def test_endless_body_without_length_stops_at_the_cap(http_server) -> None:
    http_server.handle("/endless", _endless)
    started = time.monotonic()
    with pytest.raises(FetchError) as info:
        fetch(http_server.url("/endless"), allow_private=True, max_bytes=200_000)
    assert info.value.reason == "too-large" and "the body kept coming" in info.value.problem
    assert time.monotonic() - started < 10, "stopped at the cap, not at the end of an 11 MB body"


def test_gzip_bomb_is_counted_after_decompression(http_server) -> None:
    bomb = gzip.compress(b"\0" * 5_000_000)
    assert len(bomb) < 10_000
    http_server.set("/bomb", bomb, headers={"Content-Encoding": "gzip"})
    with pytest.raises(FetchError) as info:
        fetch(http_server.url("/bomb"), allow_private=True, max_bytes=100_000)
    assert info.value.reason == "too-large"


def _flaky(statuses: list[int], headers: dict[str, str] | None = None):
    calls = iter(statuses)

    def handler(request: BaseHTTPRequestHandler) -> None:
        status = next(calls, 200)
        body = b"<p>ok</p>" if status == 200 else b"busy"
        request.send_response(status)
        for name, value in ({} if status == 200 else headers or {}).items():
            request.send_header(name, value)
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    return handler


@pytest.mark.parametrize("status", [502, 503, 504])
def test_transient_5xx_is_retried_with_backoff(http_server, status: int) -> None:
    http_server.handle("/flaky", _flaky([status, status]))
    slept: list[float] = []
    snap = fetch(http_server.url("/flaky"), allow_private=True, retry=NO_WAIT, sleep=slept.append)
    assert snap.content == b"<p>ok</p>" and http_server.hits("/flaky") == 3
    assert slept == [0.01, 0.02]


def test_429_honours_retry_after_capped(http_server) -> None:
    http_server.handle("/slow", _flaky([429, 429], {"Retry-After": "999"}))
    slept: list[float] = []
    fetch(http_server.url("/slow"), allow_private=True, retry=NO_WAIT, sleep=slept.append)
    assert slept == [5, 5]


def test_retries_give_up_with_the_last_status(http_server) -> None:
    http_server.handle("/down", _flaky([503] * 10, {"Retry-After": "1"}))
    slept: list[float] = []
    with pytest.raises(StatusError) as info:
        fetch(http_server.url("/down"), allow_private=True, retry=NO_WAIT, sleep=slept.append)
    assert info.value.status == 503 and http_server.hits("/down") == 3 and slept == [1, 1]


def test_connection_refused_is_retried_then_reported() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    slept: list[float] = []
    with pytest.raises(FetchError) as info:
        fetch(f"http://127.0.0.1:{port}/", allow_private=True, retry=NO_WAIT, sleep=slept.append)
    assert info.value.reason == "connection" and f"127.0.0.1:{port}" in info.value.problem
    assert len(slept) == 2


def test_read_timeout_is_reported(http_server) -> None:
    def stall(request: BaseHTTPRequestHandler) -> None:
        time.sleep(1.5)

    http_server.handle("/stall", stall)
    with pytest.raises(FetchError) as info:
        fetch(http_server.url("/stall"), allow_private=True, timeout=(2.0, 0.3), retry=NO_WAIT)
    assert info.value.reason == "timeout"


def test_conditional_request_and_304(http_server) -> None:
    def conditional(request: BaseHTTPRequestHandler) -> None:
        match = request.headers.get("If-None-Match") == '"v1"'
        request.send_response(304 if match else 200)
        request.send_header("ETag", '"v1"')
        request.send_header("Content-Length", "0" if match else "4")
        request.end_headers()
        if not match:
            request.wfile.write(b"full")

    http_server.handle("/c", conditional)
    full = fetch(http_server.url("/c"), allow_private=True)
    assert full.content == b"full" and full.etag == '"v1"' and full.last_modified == ""
    stamp = "Tue, 01 Sep 2026 00:00:00 GMT"
    snap = fetch(http_server.url("/c"), allow_private=True, etag='"v1"', last_modified=stamp)
    assert snap.status == 304 and snap.content == b"" and snap.etag == '"v1"'
    assert http_server.requests[-1].headers["If-Modified-Since"] == stamp


FRENCH = "Conditions générales d'utilisation : données, sécurité, responsabilité, délais et résiliation."


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (f"<p>{FRENCH}</p>".encode("latin-1"), "text/html; charset=ISO-8859-1"),
        (f'<meta charset="windows-1252"><p>{FRENCH}</p>'.encode("cp1252"), "text/html"),
        (f'<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"><p>{FRENCH}</p>'.encode(
            "latin-1"), "text/html"),
        (f"<p>{FRENCH}</p>".encode(), "text/html"),
        (f"<p>{FRENCH}</p>".encode("latin-1"), "text/html; charset=utf-8"),
        (f"<p>{FRENCH}</p>".encode("utf-8-sig"), "text/html; charset=latin-1"),
    ],
    ids=["header", "meta", "http-equiv", "undeclared-detected", "header-lies-detected", "bom-wins"],
)
def test_charsets(http_server, body: bytes, content_type: str) -> None:
    http_server.set("/fr", body, content_type=content_type)
    snap = fetch(http_server.url("/fr"), allow_private=True)
    assert snap.content == body
    assert extract_markdown(snap.content, content_type=snap.content_type) == FRENCH + "\n"


def test_cyrillic_without_any_declaration_is_detected() -> None:
    text = "Настоящие условия использования регулируют доступ к сервису и его использование пользователями."
    assert decode_content(f"<p>{text}</p>".encode("cp1251"), "text/html") == f"<p>{text}</p>"
