"""A fault-injection HTTP server on loopback: every way a terms page can go wrong, one path each.

    server = FaultServer().start()            # 127.0.0.1, a free port (or FaultServer(host="127.0.0.7"))
    server.url("/terms")                      # a good page; server.round += 1 changes every page's text
    ...
    server.stop()

Paths (each serves the same fictional service's terms unless it is a fault):

    /terms, /privacy, /doc/*  good pages; their text changes with `round` (clause 3 names the round);
                            they carry an ETag and answer a matching If-None-Match with 304
    /timeout                headers never come (sleeps `hang` seconds)
    /reset                  the connection is reset (RST) before any answer
    /flaky                  502 for the first `flaky_failures` requests, then the good page
    /bot-403, /bot-429      bot blocks (the 429 with `Retry-After: 0`)
    /challenge              a Cloudflare "Just a moment..." challenge with status 200
    /login                  a sign-in form with status 200
    /truncated              Content-Length promises more than is sent, then the connection closes
    /endless                a chunked body that never ends
    /loop-a, /loop-b        a redirect loop
    /wrong-charset          UTF-8 bytes labelled `charset=iso-8859-1`
    /latin1-no-charset      windows-1252 bytes, no charset anywhere
    /gzip-bomb              `Content-Encoding: gzip`, 32 KiB on the wire, 32 MiB decompressed
    /terms.pdf              a PDF (application/pdf) with the terms
    /js-only                the terms are written by a script (empty without JavaScript)
    /redesign               the terms in <main>; from `redesign_round` on, <main> holds only the menu
    /shrinking              the terms; from `redesign_round` on, only two of their six clauses
    /unstable               the terms plus a visitor counter that changes on every request
    /robots.txt             disallows /no-robots/ for everyone
    /no-robots/terms        a good page that robots.txt forbids
"""

from __future__ import annotations

import hashlib
import socket
import struct
import threading
import time
import zlib
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SERVICE_NAME = "Faulty Cloud"
MENU = """<nav><ul><li><a href="/">Home</a></li><li><a href="/products">Products</a></li>
<li><a href="/pricing">Pricing</a></li><li><a href="/about">About us</a></li>
<li><a href="/contact">Contact</a></li></ul></nav>"""


def terms_text(round_: int, title: str = "Terms of Service") -> list[str]:
    """The clauses of the fictional terms in a given round (clause 3 changes every round)."""
    return [
        f"{title}",
        f"1. These terms govern your use of {SERVICE_NAME}, a file storage service for small teams.",
        "2. You keep every right you hold in the files you upload; we only host them for you.",
        f"3. This is revision {round_} of the terms; we announce every revision thirty days ahead.",
        "4. We may suspend accounts that send spam or malware, after a warning by email.",
        "5. Either party may end the agreement at any time; you can export your files for 60 days.",
        "6. These terms are governed by the law of the place where you live.",
    ]


def terms_html(round_: int, title: str = "Terms of Service", *, charset: str = "utf-8",
               meta: bool = True, extra: str = "") -> str:
    """A full page: menu, then the terms in <main>."""
    head = f'<meta charset="{charset}">' if meta else ""
    lines = terms_text(round_, title)
    body = f"<h1>{lines[0]}</h1>" + "".join(f"<p>{line}</p>" for line in lines[1:]) + extra
    return f"<!DOCTYPE html><html><head>{head}<title>{title}</title></head><body>{MENU}<main>{body}</main>" \
           f"<footer>© {SERVICE_NAME}</footer></body></html>"


CHALLENGE = """<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title></head><body>
<main><h1>faulty.example</h1><h2>Checking if the site connection is secure</h2>
<p>faulty.example needs to review the security of your connection before proceeding.</p></main>
<script>window._cf_chl_opt={cvId: '3'};</script>
<script src="/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1"></script></body></html>"""
LOGIN = """<!DOCTYPE html><html><head><title>Sign in</title></head><body><main>
<h1>Sign in to continue</h1><form action="/session" method="post"><input type="email" name="login">
<input type="password" name="password"><button>Sign in</button></form>
<p><a href="/reset-password">Forgot your password?</a></p></main></body></html>"""
JS_ONLY = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Terms</title></head><body>
<main id="terms"></main><noscript>Please enable JavaScript.</noscript>
<script>const lines = %s; document.getElementById('terms').innerHTML =
  '<h1>' + lines[0] + '</h1>' + lines.slice(1).map(l => '<p>' + l + '</p>').join('');</script>
</body></html>"""
ROBOTS = "User-agent: *\nDisallow: /no-robots/\n"


@cache
def gzip_bomb(size: int = 32 * 1024 * 1024) -> bytes:
    """`size` zero bytes, gzip-compressed (about a thousandth of the size)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"\0" * (1024 * 1024)
    return b"".join(compressor.compress(chunk) for _ in range(size // len(chunk))) + compressor.flush()


def make_pdf(lines: list[str]) -> bytes:
    """A minimal valid one-page PDF showing `lines` in Helvetica (hand-built: no PDF writer needed)."""
    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    ops = ["BT", "/F1 11 Tf", "14 TL", "50 780 Td"] + [f"({escape(line)}) Tj T*" for line in lines] + ["ET"]
    stream = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


class FaultServer:
    """A threaded HTTP server on loopback serving the faults above; `round` changes the good pages."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, hang: float = 5.0,
                 latency: float = 0.0) -> None:
        self.round = 1
        self.hang = hang
        self.latency = latency
        self.flaky_failures = 1
        self.redesign_round = 2
        self.hits: dict[str, int] = {}
        self.not_modified = 0
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer((host, port), _make_handler(self))
        self._httpd.daemon_threads = True
        self.host, self.port = host, self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def start(self) -> FaultServer:
        gzip_bomb()  # made once, before any client waits for it
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def count(self, path: str) -> int:
        with self._lock:
            self.hits[path] = self.hits.get(path, 0) + 1
            return self.hits[path]


def _make_handler(server: FaultServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            path = self.path.split("?", 1)[0]
            hit = server.count(path)
            if server.latency:
                time.sleep(server.latency)
            route = ROUTES.get(path) or (_good if path.startswith("/doc/") else None)
            if route is None:
                self.send(404, b"<h1>Not found</h1>")
            else:
                route(self, server, hit)

        def send(self, status: int, body: bytes, content_type: str = "text/html; charset=utf-8",
                 headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            """Silent."""

    return Handler


def _good(request, server: FaultServer, hit: int) -> None:  # noqa: ANN001 (the handler class is local)
    """The terms, with an ETag; `If-None-Match` with the current one gets a 304."""
    title = "Privacy Policy" if request.path.startswith("/privacy") else "Terms of Service"
    body = terms_html(server.round, title).encode("utf-8")
    etag = f'"{hashlib.sha256(body).hexdigest()[:16]}"'
    if request.headers.get("If-None-Match") == etag:
        with server._lock:
            server.not_modified += 1
        request.send_response(304)
        request.send_header("ETag", etag)
        request.send_header("Content-Length", "0")
        request.end_headers()
        return
    request.send(200, body, headers={"ETag": etag})


def _shrinking(request, server: FaultServer, hit: int) -> None:  # noqa: ANN001
    """Round 1: the terms; later rounds: only the title and the first two clauses (a drastic shrink)."""
    if server.round < server.redesign_round:
        _good(request, server, hit)
        return
    lines = terms_text(server.round)
    body = f"<h1>{lines[0]}</h1><p>{lines[1]}</p><p>{lines[2]}</p>"
    request.send(200, f"<!DOCTYPE html><html><body><main>{body}</main></body></html>".encode())


def _timeout(request, server: FaultServer, hit: int) -> None:  # noqa: ANN001
    time.sleep(server.hang)
    request.close_connection = True


def _reset(request, server: FaultServer, hit: int) -> None:  # noqa: ANN001
    request.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    request.connection.close()
    request.close_connection = True


def _flaky(request, server: FaultServer, hit: int) -> None:  # noqa: ANN001
    if hit <= server.flaky_failures:
        request.send(502, b"<h1>Bad gateway</h1>")
    else:
        _good(request, server, hit)


def _bot_403(request, server: FaultServer, hit: int) -> None:  # noqa: ANN001
    request.send(403, CHALLENGE.encode())


def _bot_429(request, server: FaultServer, hit: int) -> None:  # noqa: ANN001
    request.send(429, b"<h1>Too Many Requests</h1>", headers={"Retry-After": "0"})


def _challenge(request, server: FaultServer, hit: int) -> None:  # noqa: ANN001
    request.send(200, CHALLENGE.encode())


def _login(request, server: FaultServer, hit: int) -> None:  # noqa: ANN001
    request.send(200, LOGIN.encode())


def _truncated(request, server: FaultServer, hit: int) -> None:  # noqa: ANN001
    body = terms_html(server.round).encode()
    request.send_response(200)
    request.send_header("Content-Type", "text/html; charset=utf-8")
    request.send_header("Content-Length", str(len(body) * 3))
    request.end_headers()
    request.wfile.write(body)
    request.wfile.flush()
    request.close_connection = True


def _endless(request, server: FaultServer, hit: int) -> None:  # noqa: ANN001
    request.send_response(200)
    request.send_header("Content-Type", "text/html; charset=utf-8")
    request.send_header("Transfer-Encoding", "chunked")
    request.end_headers()
    chunk = b"<p>" + b"more terms " * 6000 + b"</p>"
    try:
        for _ in range(100_000):  # ~6.6 GB: far beyond any size cap
            request.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
    except OSError:
        pass  # the client hung up, as it should
    request.close_connection = True


def _loop(request, server: FaultServer, hit: int) -> None:  # noqa: ANN001
    target = "/loop-b" if request.path.startswith("/loop-a") else "/loop-a"
    request.send(302, b"", headers={"Location": target})


def _wrong_charset(request, server: FaultServer, hit: int) -> None:  # noqa: ANN001
    page = terms_html(server.round, "Conditions générales", meta=False,
                      extra="<p>Résiliation à tout moment.</p>")
    request.send(200, page.encode("utf-8"), content_type="text/html; charset=iso-8859-1")


def _latin1(request, server: FaultServer, hit: int) -> None:  # noqa: ANN001
    page = terms_html(server.round, "Conditions générales", meta=False,
                      extra="<p>Résiliation à tout moment, préavis d’un mois, données conservées.</p>")
    request.send(200, page.encode("windows-1252"), content_type="text/html")


def _gzip_bomb(request, server: FaultServer, hit: int) -> None:  # noqa: ANN001
    request.send(200, gzip_bomb(), headers={"Content-Encoding": "gzip"})


def _pdf(request, server: FaultServer, hit: int) -> None:  # noqa: ANN001
    request.send(200, make_pdf(terms_text(server.round)), content_type="application/pdf")


def _js_only(request, server: FaultServer, hit: int) -> None:  # noqa: ANN001
    import json

    request.send(200, (JS_ONLY % json.dumps(terms_text(server.round))).encode())


def _redesign(request, server: FaultServer, hit: int) -> None:  # noqa: ANN001
    if server.round < server.redesign_round:
        _good(request, server, hit)
        return
    lines = terms_text(server.round)
    legal = f"<h1>{lines[0]}</h1>" + "".join(f"<p>{line}</p>" for line in lines[1:])
    page = f"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body><main>{MENU}</main>" \
           f"<div class='legal'>{legal}</div></body></html>"
    request.send(200, page.encode())


def _unstable(request, server: FaultServer, hit: int) -> None:  # noqa: ANN001
    """The terms with a changing "visitors" counter inside <main>: an unstable selector."""
    request.send(200, terms_html(server.round, extra=f"<p>You are visitor number {hit}.</p>").encode())


def _robots(request, server: FaultServer, hit: int) -> None:  # noqa: ANN001
    request.send(200, ROBOTS.encode(), content_type="text/plain")


ROUTES = {
    "/terms": _good,
    "/privacy": _good,
    "/no-robots/terms": _good,
    "/timeout": _timeout,
    "/reset": _reset,
    "/flaky": _flaky,
    "/bot-403": _bot_403,
    "/bot-429": _bot_429,
    "/challenge": _challenge,
    "/login": _login,
    "/truncated": _truncated,
    "/endless": _endless,
    "/loop-a": _loop,
    "/loop-b": _loop,
    "/wrong-charset": _wrong_charset,
    "/latin1-no-charset": _latin1,
    "/gzip-bomb": _gzip_bomb,
    "/terms.pdf": _pdf,
    "/js-only": _js_only,
    "/redesign": _redesign,
    "/shrinking": _shrinking,
    "/unstable": _unstable,
    "/robots.txt": _robots,
}
