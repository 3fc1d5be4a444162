"""The network: fetch one URL over plain HTTP(S) into a `Snapshot`, safely.

Over 400 lines on purpose: every network safety rule (address checks, deadlines, limits, retries) in
the one module that opens sockets, where a reviewer reads them together.

Rules, all enforced here:
- only `http` and `https`; an honest User-Agent naming the project and its URL;
- explicit connect/read timeouts, and a total deadline per fetch (`DEADLINE_FACTOR` times the read
  timeout) covering connecting, the headers and the body of every hop and retry: a watchdog
  (`clausewatch.scraper.deadline`) shuts the sockets down when it passes, so a server trickling one
  byte at a time cannot keep a run waiting (the read timeout alone restarts with every byte); a
  response size cap (streamed, counted after
  decompression, so a gzip bomb stops at the cap); at most `max_redirects` redirects, followed by hand;
- unless `allow_private`, no private, loopback, link-local, reserved or multicast address: checked after
  DNS resolution for the first URL and every redirect target, and again on the connected socket's peer
  address (so a DNS answer that changes between check and connect is refused too);
- retries with exponential backoff for transient failures only: connection errors, 502/503/504, and
  429 (honouring `Retry-After`, capped);
- conditional requests: `etag`/`last_modified` are sent as `If-None-Match`/`If-Modified-Since`; a 304
  answer comes back as a `Snapshot` with status 304 and no content.

Errors are `FetchError` with a `reason` ("timeout", "connection", "http-status", "too-large",
"redirects", "private-address", "scheme") or `StatusError` ("Client error '404 Not Found' for url '…'").
"""

from __future__ import annotations

import hashlib
import ipaddress
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from importlib.metadata import PackageNotFoundError, version
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import DEFAULT_POOLBLOCK, HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from clausewatch.errors import FetchError, StatusError
from clausewatch.models import Snapshot
from clausewatch.scraper.deadline import Deadline, WatchedConnection

PROJECT_URL = "https://github.com/clausewatch/clausewatch"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({429, 502, 503, 504})
DEFAULT_TIMEOUT = (10.0, 30.0)
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_REDIRECTS = 10
CHUNK = 64 * 1024
DEADLINE_FACTOR = 4
"""A whole fetch (all hops and retries, connecting, headers and body) may take this many read timeouts."""


def user_agent() -> str:
    """`Clausewatch/<version> (+https://github.com/clausewatch/clausewatch)`."""
    try:
        number = version("clausewatch")
    except PackageNotFoundError:
        number = "0"
    return f"Clausewatch/{number} (+{PROJECT_URL})"


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long to retry transient failures."""

    retries: int = 2
    backoff: float = 1.0
    """Seconds before the first retry; doubled each time."""
    max_retry_after: float = 30.0
    """Cap on a server's `Retry-After`, in seconds."""


class _PrivateAddressError(Exception):
    """Raised inside a connection when the connected peer is not a public address."""

    def __init__(self, host: str, address: str) -> None:
        self.host = host
        self.address = address
        super().__init__(f"{host} connected to non-public address {address}")


def is_public_address(address: str) -> bool:
    """True for a globally routable unicast address; False for private, loopback, link-local, etc."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


def _guard_socket(sock: socket.socket, host: str) -> socket.socket:
    peer = sock.getpeername()[0]
    if not is_public_address(peer):
        sock.close()
        raise _PrivateAddressError(host, peer)
    return sock


class _HTTPConnection(WatchedConnection, HTTPConnection):
    pass


class _HTTPSConnection(WatchedConnection, HTTPSConnection):
    pass


class _GuardedHTTPConnection(WatchedConnection, HTTPConnection):
    def _new_conn(self) -> socket.socket:
        return _guard_socket(super()._new_conn(), self.host)


class _GuardedHTTPSConnection(WatchedConnection, HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        return _guard_socket(super()._new_conn(), self.host)


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class _WatchedAdapter(HTTPAdapter):
    """An adapter whose connections are watched by the fetch's `Deadline` (loopback allowed: tests, demo)."""

    pools: dict[str, type[HTTPConnectionPool]] = {"http": _HTTPPool, "https": _HTTPSPool}

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = DEFAULT_POOLBLOCK,
                         **pool_kwargs: Any) -> None:
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(self.pools)


class _GuardedAdapter(_WatchedAdapter):
    """An adapter whose connections refuse to talk to non-public peers."""

    pools = {"http": _GuardedHTTPPool, "https": _GuardedHTTPSPool}


def make_session(*, allow_private: bool = False, pool_size: int = 32) -> requests.Session:
    """One session for a whole run: our User-Agent, no proxies from the environment, guarded sockets."""
    session = requests.Session()
    session.trust_env = False
    session.headers["User-Agent"] = user_agent()
    session.headers["Accept"] = "text/html,application/xhtml+xml,application/pdf;q=0.9,*/*;q=0.8"
    adapter_class = _WatchedAdapter if allow_private else _GuardedAdapter
    for scheme in ("http://", "https://"):
        session.mount(scheme, adapter_class(pool_connections=pool_size, pool_maxsize=pool_size))
    return session


def fetch(
    url: str,
    *,
    allow_private: bool = False,
    session: requests.Session | None = None,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_redirects: int = DEFAULT_MAX_REDIRECTS,
    etag: str | None = None,
    last_modified: str | None = None,
    retry: RetryPolicy = RetryPolicy(),  # noqa: B008 (frozen, shared safely)
    sleep: Callable[[float], None] = time.sleep,
) -> Snapshot:
    """GET `url` (following redirects by hand, each checked) and return the raw response as a Snapshot.

    A session made by `make_session(allow_private=...)` carries the socket-level guard; when `session`
    is given, its own setting applies to the socket check and `allow_private` to the DNS checks.
    """
    own = session is None
    session = session or make_session(allow_private=allow_private)
    headers = {k: v for k, v in (("If-None-Match", etag), ("If-Modified-Since", last_modified)) if v}
    try:
        with Deadline(DEADLINE_FACTOR * timeout[1]) as deadline:
            try:
                return _fetch_hops(url, session, headers, timeout, max_bytes, max_redirects, retry, sleep,
                                   allow_private, deadline)
            except (FetchError, requests.RequestException, OSError) as exc:
                if deadline.expired:
                    raise _deadline_error(url, deadline) from exc
                raise
    finally:
        if own:
            session.close()


def _fetch_hops(url: str, session: requests.Session, headers: dict[str, str], timeout: tuple[float, float],
                max_bytes: int, max_redirects: int, retry: RetryPolicy, sleep: Callable[[float], None],
                allow_private: bool, deadline: Deadline) -> Snapshot:
    current = url
    for _hop in range(max_redirects + 1):
        _check_url(current, allow_private)
        response = _get_with_retries(session, current, headers, timeout, retry, sleep, deadline)
        with response:
            location = response.headers.get("Location")
            if response.status_code in REDIRECT_STATUSES and location:
                current = urljoin(current, location)
                continue
            snapshot = _to_snapshot(url, current, response, max_bytes)
        if deadline.expired:  # a body cut short by the watchdog must never pass for the whole page
            raise _deadline_error(url, deadline)
        return snapshot
    raise FetchError(
        f"more than {max_redirects} redirects fetching '{url}' (last: '{current}')",
        url=url, reason="redirects", fix="point the declaration at the final URL, or check for a loop",
    )


def _deadline_error(url: str, deadline: Deadline) -> FetchError:
    return FetchError(f"fetching '{url}' took longer than its limit of {deadline.seconds:g} s (connecting, "
                      "headers and body together; the server may be trickling its answer)", url=url,
                      reason="timeout", fix="retry later; if it persists the server is too slow (or raise "
                      "--timeout: a fetch may take 4 times it)")


def _check_url(url: str, allow_private: bool) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(
            f"refusing to fetch '{url}': only http and https URLs are fetched",
            url=url, reason="scheme", fix="use an http(s) URL in the declaration",
        )
    if allow_private:
        return
    for address in _resolve(url, parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)):
        if not is_public_address(address):
            raise FetchError(
                f"refusing to fetch '{url}': '{parts.hostname}' resolves to the non-public address {address}",
                url=url, reason="private-address",
                fix="declare a public URL (use --allow-private-addresses only for local tests and the demo)",
            )


def _resolve(url: str, host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(
            f"cannot resolve host '{host}' of '{url}': {exc}",
            url=url, reason="connection", fix="check the URL's host name and the network",
        ) from exc
    return sorted({str(info[4][0]) for info in infos})


def _get_with_retries(
    session: requests.Session,
    url: str,
    headers: dict[str, str],
    timeout: tuple[float, float],
    retry: RetryPolicy,
    sleep: Callable[[float], None],
    deadline: Deadline | None = None,
) -> requests.Response:
    """One GET without following redirects; transient failures retried with backoff (never past the
    fetch's `deadline`)."""

    def pause(seconds: float) -> None:
        if deadline is not None and seconds >= deadline.remaining():
            raise _deadline_error(url, deadline)
        sleep(seconds)

    for attempt in range(retry.retries + 1):
        last = attempt == retry.retries
        try:
            response = session.get(url, headers=headers, timeout=timeout, stream=True, allow_redirects=False)
        except requests.ConnectionError as exc:
            if deadline is not None and deadline.expired:
                raise _deadline_error(url, deadline) from exc
            if last or isinstance(exc.__cause__, _PrivateAddressError):
                raise _connection_error(url, exc) from exc
            pause(retry.backoff * 2**attempt)
            continue
        except _PrivateAddressError as exc:
            raise _private_peer_error(url, exc) from exc
        except requests.Timeout as exc:
            raise _timeout_error(url, timeout, exc) from exc
        except requests.RequestException as exc:
            raise FetchError(f"cannot fetch '{url}': {exc}", url=url, reason="connection",
                             fix="check the URL") from exc
        if response.status_code not in RETRY_STATUSES or last:
            return response
        response.close()
        pause(_retry_delay(response, retry, attempt))
    raise AssertionError("unreachable")  # pragma: no cover


def _retry_delay(response: requests.Response, retry: RetryPolicy, attempt: int) -> float:
    """The server's Retry-After (seconds or HTTP date), capped; else exponential backoff."""
    value = response.headers.get("Retry-After", "").strip()
    if value.isdigit():
        return min(float(value), retry.max_retry_after)
    if value:
        try:
            when = parsedate_to_datetime(value)
            return max(0.0, min((when - datetime.now(UTC)).total_seconds(), retry.max_retry_after))
        except (TypeError, ValueError):
            pass
    return retry.backoff * 2**attempt


def _to_snapshot(url: str, final_url: str, response: requests.Response, max_bytes: int) -> Snapshot:
    status = response.status_code
    validators = {"etag": response.headers.get("ETag", ""),
                  "last_modified": response.headers.get("Last-Modified", "")}
    if status == 304:
        return Snapshot(url, final_url, status, datetime.now(UTC).replace(microsecond=0), b"",
                        response.headers.get("Content-Type", ""), hashlib.sha256(b"").hexdigest(),
                        **validators)
    if not 200 <= status < 300:
        raise StatusError(status, reason_phrase(response.reason, status), final_url)
    content = _read_capped(final_url, response, max_bytes)
    return Snapshot(
        url=url,
        final_url=final_url,
        status=status,
        fetched_at=datetime.now(UTC).replace(microsecond=0),
        content=content,
        content_type=response.headers.get("Content-Type", ""),
        sha256=hashlib.sha256(content).hexdigest(),
        **validators,
    )


def _read_capped(url: str, response: requests.Response, max_bytes: int) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(url, max_bytes, f"it declares {int(declared):,} bytes")
    chunks: list[bytes] = []
    total = 0
    try:
        for chunk in response.iter_content(CHUNK):
            total += len(chunk)
            if total > max_bytes:
                raise _too_large(url, max_bytes, "the body kept coming")
            chunks.append(chunk)
    except requests.Timeout as exc:
        raise FetchError(f"timed out reading the body of '{url}'", url=url, reason="timeout",
                         fix="retry later; if it persists the server is too slow") from exc
    except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError,
            requests.exceptions.ContentDecodingError) as exc:
        raise FetchError(f"the connection broke while reading '{url}': {exc}", url=url,
                         reason="connection", fix="retry later (the body was truncated)") from exc
    return b"".join(chunks)


def reason_phrase(phrase: str | bytes | None, status: int) -> str:
    """The server's reason phrase as it may be shown and stored: printable ASCII only (a phrase can carry
    terminal escapes, `\x1b]0;…\x07`), at most 80 characters; the standard phrase when nothing is left."""
    if isinstance(phrase, bytes):
        phrase = phrase.decode("latin-1")
    kept = "".join(c for c in phrase or "" if " " <= c <= "~")
    kept = " ".join(kept.split())[:80]
    return kept or _phrase(status)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _too_large(url: str, max_bytes: int, detail: str) -> FetchError:
    return FetchError(f"the response from '{url}' is larger than the cap of {max_bytes:,} bytes ({detail})",
                      url=url, reason="too-large",
                      fix="check that the URL is the document itself; raise max_bytes if it truly is")


def _connection_error(url: str, exc: requests.ConnectionError) -> FetchError:
    cause = exc.__cause__
    if isinstance(cause, _PrivateAddressError):
        return _private_peer_error(url, cause)
    if isinstance(exc, requests.ConnectTimeout):
        return FetchError(f"timed out connecting to '{url}'", url=url, reason="timeout",
                          fix="check the host is up; retry later")
    return FetchError(f"cannot connect to '{url}': {exc}", url=url, reason="connection",
                      fix="check the URL and that the server is reachable")


def _private_peer_error(url: str, exc: _PrivateAddressError) -> FetchError:
    return FetchError(
        f"refusing to fetch '{url}': '{exc.host}' connected to the non-public address {exc.address}",
        url=url, reason="private-address",
        fix="declare a public URL (use --allow-private-addresses only for local tests and the demo)",
    )


def _timeout_error(url: str, timeout: tuple[float, float], exc: requests.Timeout) -> FetchError:
    return FetchError(f"timed out fetching '{url}' (connect {timeout[0]:g}s, read {timeout[1]:g}s): {exc}",
                      url=url, reason="timeout", fix="retry later; if it persists the server is too slow")
