"""Shared fixtures: a real HTTP server on 127.0.0.1 whose pages each test sets.

    def test_something(http_server):
        http_server.set("/terms", "<h1>Terms</h1>")                 # 200, text/html; charset=utf-8
        http_server.set("/gone", "nope", status=404)
        http_server.set("/latin", "é".encode("latin-1"), headers={"Content-Type": "text/html"})
        http_server.redirect("/old", "/terms")                       # 302 to a path or a full URL
        http_server.handle("/custom", lambda request: ...)           # full control (fault injection)
        fetch(http_server.url("/terms"), allow_private=True)
        assert http_server.hits("/terms") == 1

A handler given to `handle()` receives the `BaseHTTPRequestHandler` and writes the whole response itself
(status line, headers, body — or nothing at all, to simulate a reset). Routes match the full path with
its query string first, then the path alone; anything else is a 404.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

Handler = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Page:
    """One canned response."""

    body: bytes
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class RequestRecord:
    """What the server saw: method, path (with query) and headers."""

    method: str
    path: str
    headers: dict[str, str]


class LocalServer:
    """A threaded http.server on 127.0.0.1 and a free port; tests set its routes while it runs."""

    def __init__(self) -> None:
        self._routes: dict[str, Page | Handler] = {}
        self._lock = threading.Lock()
        self.requests: list[RequestRecord] = []
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._httpd.daemon_threads = True
        self.port: int = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "/") -> str:
        """The absolute URL of `path` on this server."""
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def set(
        self,
        path: str,
        body: str | bytes,
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
        content_type: str = "text/html; charset=utf-8",
    ) -> None:
        """Serve `body` at `path` (str bodies are UTF-8 encoded); `headers` override `content_type`."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        all_headers = {"Content-Type": content_type, **(headers or {})}
        with self._lock:
            self._routes[path] = Page(data, status, all_headers)

    def redirect(self, path: str, location: str, *, status: int = 302) -> None:
        """Answer `path` with a redirect to `location` (a path on this server or any URL)."""
        target = self.url(location) if location.startswith("/") else location
        self.set(path, b"", status=status, headers={"Location": target})

    def handle(self, path: str, handler: Handler) -> None:
        """Let `handler(request)` write the whole response for `path` (status, headers, body)."""
        with self._lock:
            self._routes[path] = handler

    def remove(self, path: str) -> None:
        """Forget `path` (it then answers 404)."""
        with self._lock:
            self._routes.pop(path, None)

    def hits(self, path: str) -> int:
        """How many requests asked for `path` (compared without the query string)."""
        with self._lock:
            return sum(1 for r in self.requests if r.path.split("?", 1)[0] == path.split("?", 1)[0])

    def route_for(self, path: str) -> Page | Handler | None:
        with self._lock:
            return self._routes.get(path) or self._routes.get(path.split("?", 1)[0])

    def record(self, request: RequestRecord) -> None:
        with self._lock:
            self.requests.append(request)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


def _make_handler(server: LocalServer) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            self._answer(send_body=True)

        def do_HEAD(self) -> None:  # noqa: N802
            self._answer(send_body=False)

        def _answer(self, *, send_body: bool) -> None:
            server.record(RequestRecord(self.command, self.path, dict(self.headers.items())))
            route = server.route_for(self.path)
            if route is None:
                route = Page(b"<h1>Not found</h1>", 404, {"Content-Type": "text/html; charset=utf-8"})
            if callable(route):
                route(self)
                return
            self.send_response(route.status)
            for name, value in route.headers.items():
                self.send_header(name, value)
            if "Content-Length" not in route.headers:
                self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            if send_body:
                self.wfile.write(route.body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            """Silence the per-request log lines."""

    return _Handler


@pytest.fixture
def http_server() -> Iterator[LocalServer]:
    """A fresh local HTTP server per test, stopped afterwards."""
    server = LocalServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
