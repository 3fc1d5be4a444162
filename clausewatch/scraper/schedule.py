"""Politeness at scale: a per-host limit and delay, concurrency across hosts, and conditional requests.

`fetch_all` runs `fetch_one` over many items with a pool of worker threads. At most `per_host` requests
run against one host at a time, and a host is asked again only `delay` seconds after its previous request
finished; different hosts proceed in parallel, so 1,000 documents over 100 hosts take about the time of
the busiest host's queue, not the sum.

The HTTP cache (`<workspace>/.clausewatch/http-cache.json`) keeps each document's ETag / Last-Modified so
an unchanged document costs a 304. A validator is only used while the declaration is unchanged.
"""

from __future__ import annotations

import json
import os
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar
from urllib.parse import urlsplit

from clausewatch.errors import ConfigError, FetchError, StatusError
from clausewatch.models import Document, Snapshot, Source
from clausewatch.scraper.browser import fetch_with_browser, find_chromium
from clausewatch.scraper.fetch import RetryPolicy, fetch
from clausewatch.scraper.robots import RobotsCache

if TYPE_CHECKING:
    import requests

T = TypeVar("T")
R = TypeVar("R")


def host_of(url: str) -> str:
    """The politeness key of a URL: its host and port (`example.com:443`)."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{(parts.hostname or '').lower()}:{port}"


class HostScheduler(Generic[T]):
    """Hands out items so that each host sees at most `per_host` requests at once, `delay` apart."""

    def __init__(self, items: Iterable[T], key: Callable[[T], str], per_host: int, delay: float) -> None:
        self._queues: dict[str, deque[T]] = {}
        for item in items:
            self._queues.setdefault(key(item), deque()).append(item)
        self._key = key
        self._per_host = max(1, per_host)
        self._delay = max(0.0, delay)
        self._active: dict[str, int] = dict.fromkeys(self._queues, 0)
        self._ready_at: dict[str, float] = dict.fromkeys(self._queues, 0.0)
        self._order = deque(self._queues)
        self._cond = threading.Condition()
        self.cancelled = False

    def acquire(self) -> T | None:
        """The next item whose host is free, waiting if needed; None when nothing is left."""
        with self._cond:
            while not self.cancelled and self._order:
                now = time.monotonic()
                wake = self._pick(now)
                if isinstance(wake, float):
                    self._cond.wait(timeout=max(0.0, wake - now) if wake != float("inf") else None)
                    continue
                return wake
            return None

    def _pick(self, now: float) -> T | float:
        """Pop an item from the first ready host (round robin), or return when to look again."""
        wake = float("inf")
        for _ in range(len(self._order)):
            host = self._order[0]
            self._order.rotate(-1)
            if self._active[host] >= self._per_host:
                continue
            if self._ready_at[host] > now:
                wake = min(wake, self._ready_at[host])
                continue
            item = self._queues[host].popleft()
            if not self._queues[host]:
                self._order.remove(host)
            self._active[host] += 1
            return item
        return wake

    def release(self, item: T) -> None:
        """Mark `item`'s request finished: its host becomes available after the delay."""
        host = self._key(item)
        with self._cond:
            self._active[host] -= 1
            self._ready_at[host] = time.monotonic() + self._delay
            self._cond.notify_all()

    def cancel(self) -> None:
        with self._cond:
            self.cancelled = True
            self._cond.notify_all()


def fetch_all(
    items: Iterable[T],
    fetch_one: Callable[[T], R],
    *,
    key: Callable[[T], str],
    per_host: int = 1,
    delay: float = 1.0,
    workers: int = 32,
) -> Generator[tuple[T, R | Exception], None, None]:
    """Run `fetch_one` over `items` politely and concurrently; yield `(item, result or exception)`
    as each finishes. Closing the iterator early stops handing out new items."""
    items = list(items)
    scheduler: HostScheduler[T] = HostScheduler(items, key, per_host, delay)
    results: queue.Queue[tuple[T, R | Exception]] = queue.Queue()

    def work() -> None:
        while (item := scheduler.acquire()) is not None:
            outcome: R | Exception
            try:
                outcome = fetch_one(item)
            except Exception as exc:  # noqa: BLE001 - one failing document never stops the run
                outcome = exc
            finally:
                scheduler.release(item)
            results.put((item, outcome))

    threads = [threading.Thread(target=work, daemon=True, name=f"fetch-{n}")
               for n in range(max(1, min(workers, len(items))))]
    for thread in threads:
        thread.start()
    try:
        for _ in items:
            yield results.get()
    finally:
        scheduler.cancel()


@dataclass(frozen=True, slots=True)
class CacheEntry:
    """The validators of the last response recorded (or confirmed unchanged) for one document."""

    url: str
    etag: str = ""
    last_modified: str = ""
    declaration_sha256: str = ""


def conditional_headers(entry: CacheEntry | None, *, url: str, declaration_sha256: str) -> dict[str, str]:
    """`If-None-Match` / `If-Modified-Since` for a document, when its cache entry still applies."""
    if entry is None or entry.url != url or entry.declaration_sha256 != declaration_sha256:
        return {}
    headers = {}
    if entry.etag:
        headers["If-None-Match"] = entry.etag
    if entry.last_modified:
        headers["If-Modified-Since"] = entry.last_modified
    return headers


def cache_entry(url: str, headers: dict[str, str], declaration_sha256: str) -> CacheEntry | None:
    """The entry to keep for a response's headers, or None when it carries no validator."""
    lower = {name.lower(): value for name, value in headers.items()}
    etag, modified = lower.get("etag", ""), lower.get("last-modified", "")
    if not etag and not modified:
        return None
    return CacheEntry(url=url, etag=etag, last_modified=modified, declaration_sha256=declaration_sha256)


def load_http_cache(path: Path) -> dict[str, CacheEntry]:
    """The cache file's entries by document key; a missing or unreadable file is an empty cache."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    entries = {}
    for key, value in data.get("documents", {}).items():
        if isinstance(value, dict) and isinstance(value.get("url"), str):
            fields = {name: str(value.get(name, "")) for name in CacheEntry.__dataclass_fields__}
            entries[key] = CacheEntry(**fields)
    return entries


def save_http_cache(path: Path, entries: dict[str, CacheEntry]) -> None:
    """Write the cache atomically (a temporary file renamed over the old one)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        payload = {"version": 1, "documents": {key: asdict(entry) for key, entry in sorted(entries.items())}}
        tmp.write_text(json.dumps(payload, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        raise ConfigError(f"cannot write the HTTP cache '{path}': {exc}",
                          fix="check that the workspace's .clausewatch/ folder is writable") from exc


# --- One source, politely: robots.txt, conditional request, browser when needed -------------------------

BOT_STATUSES = frozenset({403, 429, 503})
ROBOTS_MAX_BYTES = 512 * 1024
BROWSER_MIN_TIMEOUT = 15.0
"""A page with scripts needs longer than a plain fetch: the browser's page-load timeout is at least this."""
DEFAULT_DELAY = 1.0
"""Seconds between two requests to the same host."""


@dataclass
class Politeness:
    """What a run shares between its fetches: robots.txt answers, validators, limits and timeouts."""

    allow_private: bool = False
    timeout: float = 30.0
    """Read timeout of plain fetches, and the page-load timeout of the browser (seconds)."""
    per_host: int = 1
    """Requests in flight to one host at a time."""
    delay: float = DEFAULT_DELAY
    """Seconds between two requests to the same host."""
    http_cache: dict[str, CacheEntry] | None = None
    """Validators by document key (None: no conditional requests)."""
    robots: RobotsCache | None = None
    """The run's robots.txt answers (made on first use)."""
    browser_fallback: bool = True
    """Retry 403/429/503 answers with the headless browser."""


def fetch_source(document: Document, source: Source, session: requests.Session,
                 politeness: Politeness) -> Snapshot:
    """Fetch one page of `document`: robots.txt first, then plain HTTP (conditional when the document's
    validators apply) or the browser for `executable` pages, and the browser again on a bot block."""

    robots_cache(politeness, session).check(source.url, ignore=bool(document.robots_ignore_reason),
                                            reason=document.robots_ignore_reason, where=document.key)
    timeout = politeness.timeout
    if source.executable:
        timeout = max(timeout, BROWSER_MIN_TIMEOUT)
        return fetch_with_browser(source.url, allow_private=politeness.allow_private, timeout=timeout)
    entry = (politeness.http_cache or {}).get(document.key) if len(document.sources) == 1 else None
    validators = conditional_headers(entry, url=source.url, declaration_sha256=document.declaration_sha256)
    try:
        return fetch(source.url, allow_private=politeness.allow_private, session=session,
                     timeout=(min(10.0, timeout), timeout), etag=validators.get("If-None-Match"),
                     last_modified=validators.get("If-Modified-Since"))
    except StatusError as exc:
        if exc.status not in BOT_STATUSES:
            raise
        blocked = exc
    return _browser_fallback(document, source, politeness, blocked)


def _browser_fallback(document: Document, source: Source, politeness: Politeness,
                      blocked: StatusError) -> Snapshot:
    """A bot block answered by plain HTTP: try once with the browser; still blocked → `bot-wall`."""

    detail = f"the server answered {blocked.status} to plain HTTP"
    if politeness.browser_fallback and find_chromium() is not None:
        try:
            return fetch_with_browser(source.url, allow_private=politeness.allow_private,
                                      timeout=max(politeness.timeout, BROWSER_MIN_TIMEOUT))
        except StatusError as exc:
            detail += f" and {exc.status} to the headless browser"
        except FetchError as exc:
            detail += f"; the headless browser failed too ({exc.reason}: {exc.problem})"
    else:
        detail += " (no headless browser to retry with)"
    raise FetchError(
        f"{document.key}: '{source.url}' is behind bot protection: {detail}",
        url=source.url, reason="bot-wall",
        fix="retry later; if it persists, track the document from another URL or ask the site to allow "
        "the Clausewatch user agent",
    )


def robots_cache(politeness: Politeness, session: requests.Session) -> RobotsCache:
    """The run's robots.txt cache, made on first use with a small, guarded fetch of robots.txt."""
    if politeness.robots is None:

        def fetch_text(url: str) -> tuple[int, str]:
            try:
                snapshot = fetch(url, allow_private=politeness.allow_private, session=session,
                                 timeout=(min(10.0, politeness.timeout), politeness.timeout),
                                 max_bytes=ROBOTS_MAX_BYTES, retry=RetryPolicy(retries=1, backoff=0.5))
            except StatusError as exc:
                return exc.status, ""
            return snapshot.status, snapshot.content.decode("utf-8", "replace")

        politeness.robots = RobotsCache(fetch_text)
    return politeness.robots
