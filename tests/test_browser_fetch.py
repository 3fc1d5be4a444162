"""Headless fetch against the system Chromium: scripts run, refused hosts are never contacted."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from clausewatch.errors import FetchError, StatusError
from clausewatch.scraper.browser import RequestGuard, fetch_with_browser, find_chromium

pytestmark = pytest.mark.browser
needs_chromium = pytest.mark.skipif(find_chromium() is None, reason="no Chromium (apt-get install chromium)")

JS_PAGE = """<html><body><main id="terms"></main>
<script>document.getElementById('terms').innerHTML = '<h1>Terms</h1><p>Rendered ' + 'by a script.';</script>
</body></html>"""


class LoopbackOnlyGuard(RequestGuard):
    """Allows 127.0.0.1 but treats `localhost` as an internal host, to exercise the route check."""

    def __init__(self) -> None:
        super().__init__(allow_private=True)

    def allows(self, url: str) -> bool:
        if urlsplit(url).hostname == "localhost":
            self.refused.append(url)
            return False
        return super().allows(url)


@needs_chromium
def test_scripts_run_and_the_rendered_html_is_the_snapshot(http_server) -> None:
    http_server.set("/terms", JS_PAGE)
    snapshot = fetch_with_browser(http_server.url("/terms"), allow_private=True, timeout=10)
    assert snapshot.status == 200
    assert b"Rendered by a script." in snapshot.content
    assert snapshot.final_url == http_server.url("/terms")
    first = {name.lower(): value for name, value in http_server.requests[0].headers.items()}
    agent = first.get("user-agent", "")
    assert "Clausewatch/" in agent and "HeadlessChrome" in agent


@needs_chromium
def test_refused_hosts_are_never_contacted_by_the_page(http_server) -> None:
    internal = f"http://localhost:{http_server.port}"
    http_server.set("/terms", f"""<html><body><p>Terms text.</p>
        <img src="{internal}/secret.png"><script src="{internal}/secret.js"></script>
        <script>fetch('{internal}/secret-api').catch(() => {{}});</script></body></html>""")
    http_server.redirect("/moved", f"{internal}/secret-page")
    http_server.redirect("/hop1", "/hop2")
    http_server.redirect("/hop2", f"{internal}/secret-hop")
    guard = LoopbackOnlyGuard()
    snapshot = fetch_with_browser(http_server.url("/terms"), timeout=10, guard=guard)
    assert b"Terms text." in snapshot.content
    with pytest.raises(FetchError) as info:
        fetch_with_browser(http_server.url("/moved"), timeout=10, guard=LoopbackOnlyGuard())
    assert info.value.reason == "private-address"
    with pytest.raises(FetchError) as info:
        fetch_with_browser(http_server.url("/hop1"), timeout=10, guard=LoopbackOnlyGuard())
    assert info.value.reason == "private-address"
    assert http_server.hits("/hop2") == 1
    secret_hits = [r.path for r in http_server.requests if r.path.startswith("/secret")]
    assert secret_hits == []
    assert any("secret.js" in url for url in guard.refused)


@needs_chromium
def test_an_error_status_in_the_browser_is_a_status_error(http_server) -> None:
    http_server.set("/blocked", "<h1>Forbidden</h1>", status=403)
    with pytest.raises(StatusError) as info:
        fetch_with_browser(http_server.url("/blocked"), allow_private=True, timeout=10)
    assert info.value.status == 403


def test_without_private_addresses_loopback_is_refused_before_launch(http_server) -> None:
    with pytest.raises(FetchError) as info:
        fetch_with_browser(http_server.url("/terms"), allow_private=False, timeout=5)
    assert info.value.reason == "private-address"
    assert http_server.requests == []


def test_no_browser_is_a_clear_failure(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("CLAUSEWATCH_CHROMIUM", str(tmp_path / "no-such-chromium"))
    with pytest.raises(FetchError) as info:
        fetch_with_browser("http://127.0.0.1:9/terms", allow_private=True, timeout=5)
    assert info.value.reason == "no-browser"
    assert "apt-get install chromium" in (info.value.fix or "")


def test_the_guard_refuses_other_schemes_and_private_names() -> None:
    guard = RequestGuard(allow_private=False)
    assert not guard.allows("file:///etc/passwd")
    assert not guard.allows("http://127.0.0.1/x")
    assert not guard.allows("http://[::1]/x")
    assert guard.allows("data:text/plain,hello")
    assert guard.refused == ["file:///etc/passwd", "http://127.0.0.1/x", "http://[::1]/x"]
