"""Politeness: robots.txt, per-host limits and delays with concurrency across hosts, conditional requests."""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest

from clausewatch.errors import FetchError, StatusError
from clausewatch.scraper.fetch import RetryPolicy, fetch
from clausewatch.scraper.robots import RobotsCache, parse_robots, robots_url
from clausewatch.scraper.schedule import (
    CacheEntry,
    cache_entry,
    conditional_headers,
    fetch_all,
    host_of,
    load_http_cache,
    save_http_cache,
)

ROBOTS = """User-agent: *
Disallow: /private/

User-agent: Clausewatch
Disallow: /no-bots/
Allow: /no-bots/terms
"""


def fetch_text_from(server_url_fetch):  # noqa: ANN001, ANN201 - small adapter
    def fetch_text(url: str) -> tuple[int, str]:
        try:
            snapshot = server_url_fetch(url)
        except StatusError as exc:
            return exc.status, ""
        return snapshot.status, snapshot.content.decode("utf-8", "replace")

    return fetch_text


def loopback_fetch(url: str):  # noqa: ANN201
    return fetch(url, allow_private=True, timeout=(1.0, 1.0), retry=RetryPolicy(retries=0))


def test_robots_txt_is_obeyed_and_fetched_once_per_host(http_server) -> None:
    http_server.set("/robots.txt", ROBOTS, content_type="text/plain")
    cache = RobotsCache(fetch_text_from(loopback_fetch))
    cache.check(http_server.url("/terms"))
    cache.check(http_server.url("/no-bots/terms"))  # the longer Allow wins (RFC 9309)
    cache.check(http_server.url("/private/x"))  # our own group replaces the `*` group
    with pytest.raises(FetchError) as info:
        cache.check(http_server.url("/no-bots/privacy"), where="acme/privacy")
    assert info.value.reason == "robots"
    assert "acme/privacy" in info.value.problem and "robots: ignore" in (info.value.fix or "")
    other = RobotsCache(fetch_text_from(loopback_fetch), agent="SomeBot")
    with pytest.raises(FetchError):
        other.check(http_server.url("/private/x"))
    assert http_server.hits("/robots.txt") == 2  # once per cache (one per run)


def test_a_declared_override_with_a_reason_skips_robots(http_server) -> None:
    http_server.set("/robots.txt", "User-agent: *\nDisallow: /\n", content_type="text/plain")
    cache = RobotsCache(fetch_text_from(loopback_fetch))
    cache.check(http_server.url("/terms"), ignore=True, reason="terms must be public by law (DSA art. 14)")
    with pytest.raises(FetchError):
        cache.check(http_server.url("/terms"), ignore=True, reason="  ")


def test_missing_robots_allows_and_server_errors_disallow(http_server) -> None:
    cache = RobotsCache(fetch_text_from(loopback_fetch))
    cache.check(http_server.url("/terms"))  # /robots.txt is a 404 on the test server
    assert parse_robots(503, "").can_fetch("Clausewatch", "http://x/terms") is False
    assert parse_robots(500, "User-agent: *\nAllow: /\n").can_fetch("Clausewatch", "http://x/terms") is False
    assert parse_robots(404, "").can_fetch("Clausewatch", "http://x/terms") is True
    assert parse_robots(403, "User-agent: *\nDisallow: /\n").can_fetch("Clausewatch", "http://x/terms") is True
    assert robots_url("https://Example.com:8443/a/b?c=d") == "https://Example.com:8443/robots.txt"


WILDCARDS = """User-agent: *
Disallow: /*.pdf$
Disallow: /private/
Allow: /private/terms
Disallow: /legal/*/draft

User-agent: clausewatch
Disallow: /*.pdf$
Disallow: /archive*
Allow: /archive/terms$
"""


@pytest.mark.parametrize(("agent", "path", "allowed"), [
    ("SomeBot", "/terms.pdf", False),             # `*` then `$`: the path ends in .pdf
    ("SomeBot", "/docs/v2/terms.pdf", False),
    ("SomeBot", "/terms.pdf?x", True),            # `$` anchors the end: a query follows
    ("SomeBot", "/terms.pdf/page", True),
    ("SomeBot", "/terms.html", True),
    ("SomeBot", "/private/x", False),
    ("SomeBot", "/private/terms", True),          # the longer Allow beats the shorter Disallow
    ("SomeBot", "/private/terms/old", True),
    ("SomeBot", "/legal/2024/draft", False),      # `*` in the middle
    ("SomeBot", "/legal/draft", True),
    ("Clausewatch", "/terms.pdf", False),
    ("Clausewatch", "/private/x", True),          # our own group replaces `*`, case-insensitively
    ("Clausewatch", "/archive/2024", False),
    ("Clausewatch", "/archive/terms", True),      # longest match wins: `/archive/terms$` over `/archive*`
    ("Clausewatch", "/archive/terms/2024", False),
])
def test_rfc_9309_wildcards_longest_match_and_our_group(agent: str, path: str, allowed: bool) -> None:
    assert parse_robots(200, WILDCARDS).can_fetch(agent, f"https://acme.example{path}") is allowed


def test_an_allow_wins_a_tie_and_an_empty_disallow_allows() -> None:
    tie = parse_robots(200, "User-agent: *\nDisallow: /terms\nAllow: /terms\n")
    assert tie.can_fetch("Clausewatch", "https://acme.example/terms") is True
    empty = parse_robots(200, "User-agent: Clausewatch\nDisallow:\n\nUser-agent: *\nDisallow: /\n")
    assert empty.can_fetch("Clausewatch", "https://acme.example/terms") is True
    assert empty.can_fetch("OtherBot", "https://acme.example/terms") is False


def test_the_cache_applies_wildcard_rules(http_server) -> None:
    http_server.set("/robots.txt", "User-agent: *\nDisallow: /*.pdf$\n", content_type="text/plain")
    cache = RobotsCache(fetch_text_from(loopback_fetch))
    cache.check(http_server.url("/terms.html"))
    cache.check(http_server.url("/terms.pdf?download=1"))
    with pytest.raises(FetchError) as info:
        cache.check(http_server.url("/terms.pdf"))
    assert info.value.reason == "robots" and "disallows Clausewatch" in info.value.problem


def test_an_unreachable_robots_txt_refuses_this_run() -> None:
    def unreachable(url: str) -> tuple[int, str]:
        raise FetchError(f"cannot connect to '{url}'", url=url, reason="connection")

    with pytest.raises(FetchError) as info:
        RobotsCache(unreachable).check("http://example.invalid/terms")
    assert info.value.reason == "robots" and "could not be read" in info.value.problem


def run_tracked(items, *, per_host: int, delay: float, latency: float, fail: set[str] = frozenset()):  # noqa: ANN001, ANN201
    """Run fetch_all over `(host, n)` items recording concurrency and request times per host."""
    lock = threading.Lock()
    active: Counter[str] = Counter()
    peak: Counter[str] = Counter()
    starts: dict[str, list[float]] = {}
    ends: dict[str, list[float]] = {}

    def fetch_one(item: tuple[str, int]) -> str:
        host = item[0]
        with lock:
            active[host] += 1
            peak[host] = max(peak[host], active[host])
            starts.setdefault(host, []).append(time.monotonic())
        time.sleep(latency)
        with lock:
            active[host] -= 1
            ends.setdefault(host, []).append(time.monotonic())
        if f"{item[0]}/{item[1]}" in fail:
            raise FetchError("boom", reason="connection")
        return f"{item[0]}/{item[1]}"

    began = time.monotonic()
    results = list(fetch_all(items, fetch_one, key=lambda item: item[0], per_host=per_host, delay=delay,
                             workers=16))
    return results, peak, starts, ends, time.monotonic() - began


def test_hosts_run_concurrently_but_each_host_one_at_a_time() -> None:
    items = [(f"host{h}", n) for h in range(10) for n in range(4)]
    results, peak, _, _, wall = run_tracked(items, per_host=1, delay=0.0, latency=0.05)
    assert sorted(item for item, _ in results) == sorted(items)
    assert max(peak.values()) == 1
    assert wall < 40 * 0.05 / 3, f"{wall:.2f}s: fetching is not concurrent across hosts"


def test_per_host_delay_and_limit_are_respected() -> None:
    items = [("slow", n) for n in range(4)] + [("pair", n) for n in range(6)]
    _, peak, starts, ends, _ = run_tracked(items, per_host=2, delay=0.1, latency=0.02)
    assert peak["pair"] == 2 and peak["slow"] == 2
    for host in ("slow", "pair"):
        # with 2 slots, request k+2 starts at least `delay` after request k ended
        gaps = [s - e for s, e in zip(sorted(starts[host])[2:], sorted(ends[host]), strict=False)]
        assert min(gaps) >= 0.09, (host, gaps)


def test_failures_are_yielded_not_raised_and_early_close_stops() -> None:
    items = [("a", n) for n in range(3)] + [("b", 0)]
    results, *_ = run_tracked(items, per_host=1, delay=0.0, latency=0.01, fail={"a/1"})
    outcomes = dict(results)
    assert isinstance(outcomes[("a", 1)], FetchError) and outcomes[("b", 0)] == "b/0"
    calls: list[int] = []
    iterator = fetch_all(range(50), lambda n: calls.append(n) or n, key=lambda n: "one", delay=0.05)
    next(iterator)
    iterator.close()
    time.sleep(0.2)
    assert len(calls) < 5


def test_http_cache_makes_an_unchanged_document_a_304(http_server, tmp_path) -> None:
    validators = {"ETag": '"v1"', "Last-Modified": "Wed, 01 Jan 2025 00:00:00 GMT"}
    http_server.set("/terms", "<p>Terms</p>", headers=validators)
    first = fetch(http_server.url("/terms"), allow_private=True)
    entry = cache_entry(first.final_url, validators, "d1")
    assert entry is not None
    path = tmp_path / ".clausewatch" / "http-cache.json"
    save_http_cache(path, {"acme/terms": entry})
    loaded = load_http_cache(path)
    assert loaded == {"acme/terms": entry}
    headers = conditional_headers(loaded["acme/terms"], url=first.final_url, declaration_sha256="d1")
    assert headers == {"If-None-Match": '"v1"', "If-Modified-Since": "Wed, 01 Jan 2025 00:00:00 GMT"}

    def not_modified(request) -> None:  # noqa: ANN001
        if request.headers.get("If-None-Match") == '"v1"':
            request.send_response(304)
            request.send_header("ETag", '"v1"')
            request.end_headers()

    http_server.handle("/terms", not_modified)
    second = fetch(http_server.url("/terms"), allow_private=True, etag=headers["If-None-Match"])
    assert second.status == 304 and second.content == b""
    assert conditional_headers(entry, url=first.final_url, declaration_sha256="changed") == {}
    assert conditional_headers(None, url=first.final_url, declaration_sha256="d1") == {}


def test_a_corrupt_cache_file_is_an_empty_cache(tmp_path) -> None:
    path = tmp_path / "http-cache.json"
    path.write_text("{not json", encoding="utf-8")
    assert load_http_cache(path) == {}
    assert cache_entry("http://x/", {"Content-Type": "text/html"}, "d") is None
    assert host_of("https://Example.com/a") == "example.com:443"
    assert host_of("http://127.0.0.2:8080/a") == "127.0.0.2:8080"
    assert isinstance(CacheEntry(url="u"), CacheEntry)
