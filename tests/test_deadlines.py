"""Deadlines that hold against servers that answer too slowly on purpose, and what servers say is shown
safely: real loopback servers, the real command line in a subprocess (so a hang is a failed test, not
a stuck suite).

- a server trickling its headers one byte every 0.3 s, another trickling its body: `track --timeout 1`
  ends within seconds (a whole fetch may take 4 read timeouts), both documents fail with `timeout`,
  nothing is recorded; before, every byte restarted the read timeout (past 200 s for the headers);
- a body cut short by the deadline is never taken for the whole page (a body without Content-Length
  simply ends when the socket is shut down);
- an HTTP reason phrase carrying terminal escapes reaches neither the terminal (`track`, `status`) nor
  the run report.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from conftest import LocalServer

from clausewatch.commands.init import init_workspace
from clausewatch.errors import FetchError
from clausewatch.scraper.fetch import fetch

TRICKLE = 0.3


def trickle_headers(request: BaseHTTPRequestHandler) -> None:
    request.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Slow: ")
    _drip(request)


def trickle_body(request: BaseHTTPRequestHandler) -> None:
    request.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n"
                        b"<main><h1>Terms</h1><p>These terms govern your use of the slow service.</p>")
    _drip(request)


def _drip(request: BaseHTTPRequestHandler, seconds: float = 120.0) -> None:
    """One byte every TRICKLE seconds until the client hangs up (or `seconds` pass)."""
    end = time.monotonic() + seconds
    try:
        while time.monotonic() < end:
            request.wfile.write(b"a")
            request.wfile.flush()
            time.sleep(TRICKLE)
    except OSError:
        pass
    request.close_connection = True


@pytest.fixture
def servers() -> Iterator[tuple[LocalServer, LocalServer]]:
    """Two servers (two ports: two hosts, fetched in parallel)."""
    pair = (LocalServer(), LocalServer())
    for server in pair:
        server.start()
    try:
        yield pair
    finally:
        for server in pair:
            server.stop()


def cli(*args: str, timeout: float = 90) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "clausewatch", *args], capture_output=True, text=True,
                          env=env, timeout=timeout, check=False)


@pytest.mark.slow
def test_trickling_headers_and_body_end_at_the_deadline(tmp_path: Path,
                                                        servers: tuple[LocalServer, LocalServer]) -> None:
    headers, body = servers
    headers.handle("/terms", trickle_headers)
    body.handle("/terms", trickle_body)
    root = init_workspace(tmp_path / "ws")
    (root / "services" / "slow.yml").write_text(
        f"documents:\n  headers:\n    url: {headers.url('/terms')}\n  body:\n    url: {body.url('/terms')}\n",
        encoding="utf-8")
    began = time.monotonic()
    run = cli("--root", str(root), "track", "--timeout", "1", "--host-delay", "0", "--allow-private-addresses")
    elapsed = time.monotonic() - began
    assert run.returncode == 1, run.stderr
    assert elapsed < 30, f"track took {elapsed:.0f} s against a deadline of 4 s per fetch"
    report = json.loads((root / ".clausewatch" / "runs" / "latest.json").read_text(encoding="utf-8"))
    assert sorted((f["key"], f["reason"]) for f in report["failed"]) == [
        ("slow/body", "timeout"), ("slow/headers", "timeout")]
    assert report["recorded"] == []
    assert "took longer than its limit of 4 s" in run.stderr


def test_a_body_cut_short_by_the_deadline_is_not_a_page(http_server: LocalServer) -> None:
    http_server.handle("/terms", trickle_body)
    began = time.monotonic()
    with pytest.raises(FetchError) as caught:
        fetch(http_server.url("/terms"), allow_private=True, timeout=(1.0, 0.5))
    assert caught.value.reason == "timeout"
    assert time.monotonic() - began < 10


def test_a_reason_phrase_with_terminal_escapes_is_shown_harmless(tmp_path: Path,
                                                                 http_server: LocalServer) -> None:
    def evil(request: BaseHTTPRequestHandler) -> None:
        request.wfile.write(b"HTTP/1.1 500 \x1b]0;pwned\x07\x1b[2J\x9b31mServer trouble\r\n"
                            b"Content-Length: 0\r\nConnection: close\r\n\r\n")

    http_server.handle("/terms", evil)
    root = init_workspace(tmp_path / "ws")
    (root / "services" / "evil.yml").write_text(f"documents:\n  terms:\n    url: {http_server.url('/terms')}\n",
                                                encoding="utf-8")
    track = cli("--root", str(root), "track", "--host-delay", "0", "--allow-private-addresses")
    status = cli("--root", str(root), "status")
    report = (root / ".clausewatch" / "runs" / "latest.json").read_text(encoding="utf-8")
    stored = json.loads(report)["failed"][0]["message"]
    for output in (track.stdout + track.stderr, status.stdout + status.stderr, stored):
        assert not any(ch in output for ch in "\x1b\x07\x9b"), output
    assert "Server trouble" in status.stdout and "500" in status.stdout
