"""A built change page in headless Chromium: commentary next to its clause, the Add commentary link."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from test_commentary import CLAUSE_SITE, REPO_URL, commentary_site

from clausewatch.commentary.parse import parse_commentary
from clausewatch.site.serve import make_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
NEXT_CLAUSE = "disputes-are-settled-by-binding-arbitration"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The built commentary site on http://127.0.0.1:<free port>/."""
    _, site = commentary_site(tmp_path_factory.mktemp("browser"))
    server = make_server(site, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def page_data(served: str) -> dict:
    """What the browser sees on the change page (read once: one Chromium launch for the module)."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page()
            dialogs: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(served + "acme/terms-of-service/2026-03-02/", wait_until="load")
            data = page.evaluate(POSITIONS, [CLAUSE_SITE, NEXT_CLAUSE])
            data["dialogs"] = dialogs
            data["lost_visible"] = page.get_by_text("could not be found in this version").is_visible()
        finally:
            browser.close()
    return data


POSITIONS = """([clause, next]) => {
  const top = (el) => el ? el.getBoundingClientRect().top + window.scrollY : null;
  const boxes = [...document.querySelectorAll('.admonition.commentary')];
  const hostile = boxes.find((b) => b.querySelector('.admonition-title').textContent.includes('Hostile'));
  const links = [...document.querySelectorAll('a.cw-add-commentary, .cw-card-tools a')];
  const clauseLink = links.find((a) => a.href.includes('-' + clause + '.md&'));
  return {
    clauseTop: top(document.getElementById(clause)),
    nextTop: top(document.getElementById(next)),
    commentaryTop: top(hostile),
    commentaryVisible: !!hostile && hostile.offsetParent !== null,
    commentaryText: hostile ? hostile.innerText : '',
    clauseLinkTop: top(clauseLink),
    clauseLinkText: clauseLink ? clauseLink.textContent : '',
    clauseLinkHref: clauseLink ? clauseLink.href : '',
    changeLinkHref: (links.find((a) => a.textContent.includes('on this whole change')) || {}).href || '',
    scripts: [...document.scripts].map((s) => s.src || s.textContent.slice(0, 80)),
  };
}"""


def test_commentary_shows_next_to_its_clause(page_data: dict) -> None:
    assert page_data["commentaryVisible"]
    assert page_data["clauseTop"] < page_data["commentaryTop"] < page_data["nextTop"]
    assert "Commentary by Ada Lovelace" in page_data["commentaryText"]
    assert "<script>alert('xss')</script>" in page_data["commentaryText"]  # shown as text...
    assert page_data["dialogs"] == []  # ...and never run
    assert not [s for s in page_data["scripts"] if "alert" in s]


def test_lost_commentary_is_announced(page_data: dict) -> None:
    assert page_data["lost_visible"]


def test_add_commentary_link_carries_the_prefilled_file(page_data: dict) -> None:
    assert page_data["clauseLinkText"] == "Suggest commentary"  # in the card's tools line (issue 13)
    assert page_data["clauseTop"] < page_data["clauseLinkTop"] < page_data["nextTop"]
    parts = urlsplit(page_data["clauseLinkHref"])
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{REPO_URL}/new/main"
    query = parse_qs(parts.query)
    path = f"commentary/acme/terms-of-service/2026-03-02-{CLAUSE_SITE}.md"
    assert query["filename"] == [path]
    item, errors = parse_commentary(path, query["value"][0])
    assert errors == [] and item is not None
    assert (item.service, item.document, item.change, item.clause) == (
        "acme", "terms-of-service", "2026-03-02", CLAUSE_SITE)
    assert item.quote and item.quote.startswith("You grant Acme a perpetual")
    change = parse_qs(urlsplit(page_data["changeLinkHref"]).query)
    assert change["filename"] == ["commentary/acme/terms-of-service/2026-03-02.md"]
