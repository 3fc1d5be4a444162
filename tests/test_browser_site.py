"""The built site in headless Chromium: permanent URLs, clause anchors, search, feeds, citations,
redirects, and no request outside the site.

One small demo-like workspace is built once for the module (a real git archive written with
`record_version`, a real `clausewatch build`: generate → mkdocs build --strict → sanitize → Pagefind)
and served from 127.0.0.1. Screenshots go to tests/artifacts/ (gitignored) for a person to look at.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import shutil
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin

import feedparser
import pytest
from browser_kit import expect

from clausewatch.archive.read import open_archive
from clausewatch.archive.write import init_repository, record_version
from clausewatch.models import Provenance
from clausewatch.site.build import SKELETON_DIR, build_site
from clausewatch.workspace import Workspace

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]
START = datetime(2026, 1, 12, 8, 0, tzinfo=UTC)
PHRASE = "binding arbitration in Delaware"

TERMS_V1 = """Last updated: January 2, 2026

# Terms of Service

## 1. Your content

You own the content you upload to Acme Cloud. We only host it to run the service for you.

## 2. Disputes

Disputes are settled by the courts of your country of residence.

## 3. Changes to these terms

We tell you 30 days before these terms change, by e-mail and on this page.
"""

TERMS_V2 = """Last updated: January 2, 2026

# Terms of Service

## 1. Definitions

"Content" means anything you upload, write or record while using Acme Cloud.

## 2. Your content

You own the content you upload to Acme Cloud. We only host it to run the service for you.

You grant Acme a perpetual, worldwide, sublicensable licence to use your content to train machine
learning and artificial intelligence models.

## 3. Disputes

Disputes are settled by binding arbitration in Delaware. You waive any right to a class action.

## 4. Changes to these terms

We tell you 30 days before these terms change, by e-mail and on this page.
"""

PRIVACY_V1 = """# Privacy Policy

## Data we collect

Your e-mail address and the content you upload.
"""


def _record(workspace: Workspace, key: str, text: str, when: datetime, **names: str) -> None:
    service, document = key.split("/")
    provenance = Provenance(source_url=f"https://{service}.example/{document}", fetched_at=when,
                            http_status=200, snapshot_sha256="ab" * 32)
    record_version(open_archive(workspace.archive), service, document, text, provenance,
                   snapshot=text.encode("utf-8"), names=names)


def _make_workspace(root: Path) -> Workspace:
    init_repository(root)
    shutil.copytree(SKELETON_DIR, root, dirs_exist_ok=True)
    (root / "archive").mkdir()
    workspace = Workspace(root)
    names = {"service_name": "Acme Cloud", "document_name": "Terms of Service"}
    _record(workspace, "acme/terms-of-service", TERMS_V1, START, **names)
    _record(workspace, "acme/terms-of-service", TERMS_V2, START + timedelta(days=47, hours=3), **names)
    _record(workspace, "acme/privacy-policy", PRIVACY_V1, START + timedelta(hours=1),
            service_name="Acme Cloud", document_name="Privacy Policy")
    # URLs published by an earlier build under an old slug, and the move that replaced it
    (root / "site-urls.txt").write_text("acme/tos/\nacme/tos/2026-02-28/\nacme/old-page/\n", encoding="utf-8")
    (root / "redirects.yml").write_text("acme/tos/: acme/terms-of-service/\n", encoding="utf-8")
    return workspace


class _Site:
    def __init__(self, root: Path, base: str, build_seconds: float) -> None:
        self.root = root
        self.base = base
        self.build_seconds = build_seconds

    def url(self, path: str) -> str:
        return self.base + path.lstrip("/")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Site]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    root = tmp_path_factory.mktemp("browser-site")
    workspace = _make_workspace(root / "ws")
    started = time.perf_counter()
    site_dir = build_site(workspace, root / "ws" / "site")
    seconds = time.perf_counter() - started
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield _Site(site_dir, f"http://127.0.0.1:{server.server_address[1]}/", seconds)
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base class's name)
        pass


@pytest.fixture(scope="module")
def browser(site: _Site) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: object, site: _Site) -> Iterator[object]:
    """A fresh page that records every request and every console error (CSP violations included)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    tab = context.new_page()
    tab.requests = []
    tab.errors = []
    tab.on("request", lambda request: tab.requests.append(request.url))
    tab.on("console", lambda message: message.type == "error" and tab.errors.append(message.text))
    tab.on("pageerror", lambda error: tab.errors.append(str(error)))
    tab.on("response", lambda response: response.status >= 400 and tab.errors.append(
        f"{response.status} {response.url}"))
    yield tab
    context.close()


def _change_path(site: _Site) -> str:
    data = json.loads((site.root / "data" / "acme" / "terms-of-service" / "index.json").read_text("utf-8"))
    return next(v["path"] for v in data["versions"] if v["class"] == "substantive")


def test_change_page_opens_by_its_permanent_url_and_clause_anchors_work(page, site: _Site) -> None:
    path = _change_path(site)
    assert path == "/acme/terms-of-service/2026-02-28/"  # the observation day, UTC
    page.goto(site.url(path))
    assert page.title().startswith("Acme Cloud")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "change-page.png"), full_page=True)
    clause = page.locator("article [id]").filter(has_text="binding arbitration").last
    clause_id = clause.get_attribute("id")
    assert clause_id and not clause_id.startswith("_")
    page.goto(site.url(f"{path}#{clause_id}"))
    target = page.locator(f"[id='{clause_id}']")
    target.wait_for()
    assert target.is_visible() and "arbitration" in target.inner_text()
    assert _in_view(page, clause_id)
    page.goto(site.url(path))  # now follow the key-changes entry to the clause's card
    assert page.evaluate("location.hash") == ""
    entry = page.locator("#key-changes a.cw-key-link").filter(has_text="Disputes").first
    card = (entry.get_attribute("href") or "").lstrip("#")
    entry.click()
    page.wait_for_url(f"**#{card}")  # no page-side eval: the CSP forbids it
    assert _in_view(page, card) and "Disputes" in page.locator(f"[id='{card}']").inner_text()
    assert page.errors == []


def test_search_for_a_clause_phrase_lands_on_the_clause(page, site: _Site) -> None:
    page.goto(site.url("/"))
    box = page.locator("header #cw-search input")
    box.fill(PHRASE)
    result = page.locator("#cw-search a.cw-search__link[href*='#']").filter(has_text="Disputes")
    result.first.wait_for(timeout=15000)
    href = result.first.get_attribute("href")
    assert href and "/acme/terms-of-service/" in href
    result.first.click()
    page.wait_for_load_state("load")
    fragment = page.evaluate("location.hash.slice(1)")
    assert fragment, page.url
    assert PHRASE in " ".join(_card_text(page, fragment).split())
    assert page.errors == []


def _in_view(page, element_id: str) -> bool:
    """The element is on screen (scrolled to, or as near as the page's end allows)."""
    top = page.evaluate(f"document.getElementById('{element_id}').getBoundingClientRect().top")
    return 0 <= top < page.viewport_size["height"]


def _card_text(page, anchor: str) -> str:
    """The text of a clause card: its heading and what follows until the next card."""
    return page.evaluate(
        """(id) => { const h = document.getElementById(id); let text = h.innerText, n = h.nextElementSibling;
        while (n && !/^H[1-3]$/.test(n.tagName)) { text += " " + n.innerText; n = n.nextElementSibling; }
        return text; }""", anchor)


def test_subscribe_link_points_to_a_valid_feed_with_the_change(page, site: _Site) -> None:
    page.goto(site.url("acme/terms-of-service/"))
    link = page.locator("article a[href$='.atom.xml']").first
    href = link.get_attribute("href")
    assert href
    response = page.request.get(urljoin(page.url, href))
    assert response.ok
    feed = feedparser.parse(response.body())
    assert not feed.bozo and feed.version.startswith("atom")
    assert any("2026-02-28" in entry.link for entry in feed.entries)
    alternate = page.locator("head link[rel~='alternate'][type='application/atom+xml']")
    assert alternate.count() >= 1


def test_pages_make_no_request_outside_the_site(page, site: _Site) -> None:
    for path in ("acme/", "acme/terms-of-service/", _change_path(site), "topics/", "topics/arbitration/",
                 "/"):
        page.goto(site.url(path))
        page.wait_for_load_state("networkidle")
    page.locator("header #cw-search input").fill("licence")
    page.locator("#cw-search .cw-search__result").first.wait_for(timeout=15000)
    outside = [url for url in page.requests if not url.startswith(site.base) and not url.startswith("data:")]
    assert outside == []
    assert any("/pagefind/" in url for url in page.requests)  # the search really ran, locally
    assert page.errors == []  # a Content-Security-Policy violation is reported as a console error
    csp = page.locator("head meta[http-equiv='Content-Security-Policy']").get_attribute("content")
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "connect-src 'self'" in csp


def test_cite_this_change_copies_the_citation(page, site: _Site, browser: object) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.base.rstrip("/"))
    page.goto(site.url(_change_path(site)))
    facts = page.locator("#facts")
    assert "web.archive.org/web/20260228" in facts.inner_html()
    assert facts.bounding_box()["y"] < 400, "the fact box sits under the title"
    block = page.locator("#cite-this-change")
    block.locator("summary").click()
    plain = page.locator("pre.cw-cite-plain").inner_text()
    assert "https://acme.example/terms-of-service" in plain and "2026-02-28 11:00 UTC" in plain
    page.locator("#cite-this-change button.cw-copy").first.click()
    # a locator assertion, not wait_for_function: polling a string evaluates it in the page, which the
    # site's CSP (no 'unsafe-eval') refuses when the first check comes too early (a loaded machine)
    expect(page.locator("#cite-this-change button.cw-copy").first).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == plain
    assert "not-updated" in facts.inner_text() or "did not" in facts.inner_text()  # stale "Last updated"


def test_timeline_svg_is_shown_and_screenshotted(page, site: _Site) -> None:
    page.goto(site.url("acme/terms-of-service/"))
    picture = page.locator("article .cw-picture svg.cw-chart")  # inline (issue 13): its marks are links
    picture.wait_for()
    assert picture.bounding_box()["width"] > 300 and picture.locator("a.cw-mark").count() >= 2
    ARTIFACTS.mkdir(exist_ok=True)
    picture.screenshot(path=str(ARTIFACTS / "timeline.png"))
    page.goto(site.url("acme/terms-of-service/timeline.svg"))
    assert page.locator("svg circle").count() >= 2
    page.screenshot(path=str(ARTIFACTS / "timeline-svg.png"))


def test_redirect_pages_send_old_urls_to_the_new_ones(page, site: _Site) -> None:
    page.goto(site.url("acme/tos/2026-02-28/"))
    page.wait_for_url("**/acme/terms-of-service/2026-02-28/")
    assert page.title().startswith("Acme Cloud")
    page.goto(site.url("acme/old-page/"))
    page.wait_for_url(site.url("acme/"))
    registry = (site.root.parent / "site-urls.txt").read_text(encoding="utf-8")
    assert "acme/terms-of-service/2026-02-28/" in registry and "acme/tos/" in registry


def test_build_figures(site: _Site) -> None:
    files = [p for p in site.root.rglob("*") if p.is_file()]
    size = sum(p.stat().st_size for p in files)
    ARTIFACTS.mkdir(exist_ok=True)
    figures = {"build_seconds": round(site.build_seconds, 2), "files": len(files), "bytes": size}
    (ARTIFACTS / "browser-site-build.json").write_text(json.dumps(figures, indent=1))
    assert 0 < size < 20_000_000 and site.build_seconds < 120


def test_after_an_incremental_rebuild_search_finds_the_new_change(page, site: _Site) -> None:
    """Runs last: records one more version, rebuilds (only changed pages; the new page is indexed
    into pagefind-recent/, which the search box merges) and searches a phrase only it has."""
    workspace = Workspace(site.root.parent)
    when = START + timedelta(days=90)
    newer = TERMS_V2 + "\n## 9. Zebra clause\n\nQuokka telemetry is shared with zebras.\n"
    _record(workspace, "acme/terms-of-service", newer, when,
            service_name="Acme Cloud", document_name="Terms of Service")
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        build_site(workspace, site.root, timings=True)
    assert "incremental" in stderr.getvalue()
    page.goto(site.url("/"))
    page.locator("header #cw-search input").fill("quokka telemetry")
    result = page.locator("#cw-search a.cw-search__link")
    result.first.wait_for(timeout=15000)
    hrefs = [result.nth(i).get_attribute("href") or "" for i in range(result.count())]
    assert any(f"/acme/terms-of-service/{when:%Y-%m-%d}/" in href for href in hrefs), hrefs
    assert page.errors == []
