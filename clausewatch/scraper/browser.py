"""Headless-browser fetch: for documents that need scripts, and as a fallback on bot-blocking statuses.

Playwright drives the system's Chromium (no browser is downloaded at install time): the executable is
`$CLAUSEWATCH_CHROMIUM`, else `chromium` or `chromium-browser` on the PATH. Without one, the document
fails with reason `no-browser` and the rest of the run goes on.

One browser serves the whole process (`BrowserWorker`, on its own thread: Playwright's sync API is
bound to the thread that started it); each page gets a fresh context, and the browser closes when idle.

Every request the page makes passes through a route check: only http(s) (plus inline `data:`/`blob:`),
and unless `allow_private`, no host that resolves to a private, loopback or link-local address —
the same rule as the plain fetcher, applied to the page's subresources too. Chromium follows the
redirects of a continued request without routing them again, so routed requests are fetched through
Playwright hop by hop (`max_redirects=0`), each hop checked, and handed to the page. Service workers
are blocked (they would bypass routing) and WebSockets are closed. A residual risk remains: names are
resolved again by the driver after our check, so a DNS answer that changes in between (rebinding) is
not caught here as it is by the plain fetcher's socket check.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import queue
import shutil
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from clausewatch.errors import FetchError, StatusError
from clausewatch.models import Snapshot
from clausewatch.scraper.fetch import DEFAULT_MAX_BYTES, is_public_address, user_agent

LAUNCH_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)
_INLINE_SCHEMES = frozenset({"data", "blob", "about"})
MAX_REDIRECTS = 10
LAUNCH_TIMEOUT = 30.0
"""Seconds Chromium may take to start (a loaded machine is slow to start it)."""


def find_chromium() -> str | None:
    """The Chromium executable to use, or None when there is none."""
    configured = os.environ.get("CLAUSEWATCH_CHROMIUM", "").strip()
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


def no_browser_error(url: str, detail: str) -> FetchError:
    return FetchError(
        f"cannot fetch '{url}' with a browser: {detail}",
        url=url,
        reason="no-browser",
        fix="install Chromium (`apt-get install chromium`) or set CLAUSEWATCH_CHROMIUM to its executable",
    )


class RequestGuard:
    """Decides, per request URL, whether the page may load it; remembers what it refused."""

    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private
        self.refused: list[str] = []
        self._verdicts: dict[str, bool] = {}

    def allows(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in _INLINE_SCHEMES:
            return True
        if parts.scheme not in ("http", "https") or not parts.hostname:
            self.refused.append(url)
            return False
        if self.allow_private:
            return True
        host = parts.hostname
        if host not in self._verdicts:
            self._verdicts[host] = _resolves_publicly(host, parts.port or 443)
        if not self._verdicts[host]:
            self.refused.append(url)
        return self._verdicts[host]


def _resolves_publicly(host: str, port: int) -> bool:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return False
    return bool(infos) and all(is_public_address(str(info[4][0])) for info in infos)


def fetch_with_browser(
    url: str,
    *,
    allow_private: bool = False,
    timeout: float = 30.0,
    max_bytes: int = DEFAULT_MAX_BYTES,
    guard: RequestGuard | None = None,
) -> Snapshot:
    """Load `url` in headless Chromium, let its scripts run, and return the rendered HTML as a Snapshot.

    `guard` decides which requests the page may make (default: `RequestGuard(allow_private)`).
    """
    executable = find_chromium()
    if executable is None:
        raise no_browser_error(url, "no Chromium executable found")
    try:
        from playwright.sync_api import Error as PlaywrightError
    except ImportError as exc:
        raise no_browser_error(url, f"Playwright is not installed ({exc})") from exc
    guard = guard or RequestGuard(allow_private)
    if not guard.allows(url):
        raise _refused_error(url, url)
    def job(browser: Any) -> Snapshot:
        return _load(browser, url, guard, timeout, max_bytes)

    try:
        try:
            return shared_browser(executable).run(job)
        except WorkerClosed:  # it went idle between lookup and submit: once more with a new one
            return shared_browser(executable).run(job)
    except PlaywrightError as exc:
        raise _browser_error(url, exc, guard) from exc


class WorkerClosed(RuntimeError):
    """The shared browser worker stopped before it could take a job."""


class BrowserWorker:
    """One Chromium for the whole process, driven from its own thread.

    Playwright's sync API works only in the thread that started it, and a launch costs a second or
    two: fetches from any thread queue here and share one browser (a fresh context per page). The
    worker closes the browser after `IDLE_SECONDS` without work, and at interpreter exit.
    """

    def __init__(self, executable: str) -> None:
        self.executable = executable
        self.closed = False
        self._last_job = time.monotonic()
        self._jobs: queue.Queue[tuple[Callable[[Any], Snapshot], Future[Snapshot]]] = queue.Queue()
        self._thread = threading.Thread(target=self._serve, daemon=True, name="clausewatch-browser")
        self._thread.start()

    def run(self, job: Callable[[Any], Snapshot]) -> Snapshot:
        """Run `job(browser)` on the worker's thread and return (or raise) its result."""
        done: Future[Snapshot] = Future()
        with _WORKER_LOCK:
            if self.closed:
                raise WorkerClosed("the browser worker is closed")
            self._jobs.put((job, done))
        return done.result()

    def stop(self) -> None:
        with _WORKER_LOCK:
            self.closed = True
        self._thread.join(timeout=LAUNCH_TIMEOUT)

    def _serve(self) -> None:
        from playwright.sync_api import sync_playwright

        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=self.executable, args=list(LAUNCH_ARGS),
                                                     timeout=LAUNCH_TIMEOUT * 1000)
                try:
                    while (item := self._next()) is not None:
                        job, done = item
                        try:
                            done.set_result(job(browser))
                        except Exception as exc:  # noqa: BLE001 - handed to the waiting caller
                            done.set_exception(exc)
                        self._last_job = time.monotonic()
                        if not browser.is_connected():
                            break
                finally:
                    self._close()
                    browser.close()
        except Exception as exc:  # noqa: BLE001 - a failed launch fails every waiting fetch
            self._close()
            self._fail_waiting(exc)

    def _next(self) -> tuple[Callable[[Any], Snapshot], Future[Snapshot]] | None:
        """The next job; None once stopped or idle for `IDLE_SECONDS` (jobs queued before that are served)."""
        while True:
            try:
                return self._jobs.get(timeout=0.2)
            except queue.Empty:
                pass
            with _WORKER_LOCK:
                if self.closed or time.monotonic() - self._last_job > IDLE_SECONDS:
                    self.closed = True
                    try:
                        return self._jobs.get_nowait()
                    except queue.Empty:
                        return None

    def _close(self) -> None:
        with _WORKER_LOCK:
            self.closed = True
        self._fail_waiting(WorkerClosed("the browser closed"))

    def _fail_waiting(self, exc: Exception) -> None:
        while True:
            try:
                _, done = self._jobs.get_nowait()
            except queue.Empty:
                return
            done.set_exception(exc)


_WORKER_LOCK = threading.Lock()
_WORKER: BrowserWorker | None = None
IDLE_SECONDS = 20.0


def shared_browser(executable: str) -> BrowserWorker:
    """The process's browser worker, started (again) when there is none or it closed."""
    global _WORKER
    with _WORKER_LOCK:
        if _WORKER is None or _WORKER.closed or _WORKER.executable != executable:
            _WORKER = BrowserWorker(executable)
        return _WORKER


@atexit.register
def _stop_shared_browser() -> None:
    if _WORKER is not None:
        _WORKER.stop()


def _load(browser: Any, url: str, guard: RequestGuard, timeout: float, max_bytes: int) -> Snapshot:
    """Open one page, navigate, wait for the network to settle, and capture the result."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    context = browser.new_context(user_agent=f"{browser_agent(browser.version)}", service_workers="block",
                                  java_script_enabled=True, accept_downloads=False)
    refused_navigations: list[str] = []

    def check_route(route: Any) -> None:
        request = route.request
        if not guard.allows(request.url):
            if request.is_navigation_request():
                refused_navigations.append(request.url)
            route.abort("blockedbyclient")
        elif urlsplit(request.url).scheme in _INLINE_SCHEMES:
            route.continue_()
        else:
            _fetch_checked(route, guard, refused_navigations, timeout)

    context.route("**/*", check_route)
    context.route_web_socket("**/*", lambda socket_route: socket_route.close())
    page = context.new_page()
    statuses: list[tuple[str, int, str]] = []
    page.on("response", lambda r: statuses.append((r.url, r.status, r.headers.get("content-type", "")))
            if r.request.is_navigation_request() and r.frame == page.main_frame else None)
    page.goto(url, timeout=timeout * 1000, wait_until="load")
    try:
        page.wait_for_load_state("networkidle", timeout=min(timeout, 10.0) * 1000)
    except PlaywrightTimeout:
        pass  # pages that poll forever never go idle: take what has rendered
    html = page.content().encode("utf-8")
    final_url = page.url
    context.close()
    if refused_navigations:
        raise _refused_error(url, refused_navigations[0])
    if len(html) > max_bytes:
        raise FetchError(f"the page rendered from '{url}' is larger than {max_bytes:,} bytes", url=url,
                         reason="too-large", fix="check that the URL is the document itself")
    status = statuses[-1][1] if statuses else 200
    if not 200 <= status < 300:
        raise StatusError(status, "(in the browser)", final_url)
    return Snapshot(url=url, final_url=final_url, status=status,
                    fetched_at=datetime.now(UTC).replace(microsecond=0), content=html,
                    content_type="text/html; charset=utf-8", sha256=hashlib.sha256(html).hexdigest())


def _fetch_checked(route: Any, guard: RequestGuard, refused: list[str], timeout: float) -> None:
    """Fetch a routed request ourselves, checking every redirect hop (Chromium follows redirects of a
    continued request without routing them again, so they must not reach the browser unchecked)."""
    request, url = route.request, route.request.url
    response = route.fetch(max_redirects=0, timeout=timeout * 1000)
    hops = 0
    while 300 <= response.status < 400 and response.headers.get("location") and hops < MAX_REDIRECTS:
        target = urljoin(url, response.headers["location"])
        if not guard.allows(target):
            if request.is_navigation_request():
                refused.append(target)
            route.abort("blockedbyclient")
            return
        url, hops = target, hops + 1
        response = route.fetch(url=url, max_redirects=0, timeout=timeout * 1000)
    if hops == 0:
        route.fulfill(response=response)
    elif hops >= MAX_REDIRECTS:
        route.abort("failed")
    else:
        route.fulfill(status=302, headers={"Location": url}, body="")


def browser_agent(version: str) -> str:
    """A Chromium user agent that still names the project (honest, and recognisable in server logs)."""
    return (f"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            f"HeadlessChrome/{version} Safari/537.36 {user_agent()}")


def _refused_error(url: str, refused: str) -> FetchError:
    return FetchError(
        f"refusing to fetch '{refused}' (for '{url}') in the browser: not a public http(s) address",
        url=url,
        reason="private-address",
        fix="declare a public URL (use --allow-private-addresses only for local tests and the demo)",
    )


def _browser_error(url: str, exc: Exception, guard: RequestGuard) -> FetchError:
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if guard.refused and urlsplit(guard.refused[0]).netloc == urlsplit(url).netloc:
        return _refused_error(url, guard.refused[0])
    if "Timeout" in type(exc).__name__ or "Timeout" in message:
        return FetchError(f"the browser timed out loading '{url}': {message}", url=url, reason="timeout",
                          fix="retry later; if it persists the page never finishes loading")
    if "Executable doesn't exist" in message or "Failed to launch" in message:
        return no_browser_error(url, message)
    if "net::ERR_BLOCKED_BY_CLIENT" in message and guard.refused:
        return _refused_error(url, guard.refused[0])
    return FetchError(f"the browser could not load '{url}': {message}", url=url, reason="connection",
                      fix="check the URL in a browser; retry later")
