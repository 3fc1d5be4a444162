"""Change pages that read like a redline (issue 12), in headless Chromium on a real restructure.

A fixture history (tests/redline_fixture.py: a 42-section rewrite hiding a perpetual, sublicensable
licence to customer content for machine learning) is recorded in a real git archive and built with a
real `clausewatch build` (site_url set, as the scheduled workflow sets it). Then:
- the key-changes box is in the first screen at 1280 and 390 px and names the licence clause first;
- no literal `**` or `](` is left in the visible text of any page of the built site;
- a rewritten clause shows its old and new text as two blocks (side by side wide, stacked on phones);
- "Cite this clause" copies an absolute URL with the clause's anchor.
Screenshots at both widths go to tests/artifacts/.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from browser_kit import (
    ARTIFACTS,
    SIZES,
    chromium,
    environment,
    expect,
    new_workspace,
    open_page,
    require_chromium,
    serve_folder,
)
from redline_fixture import terms_v1, terms_v2

from clausewatch.archive.write import record_version
from clausewatch.models import Provenance
from clausewatch.site.build import build_site

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SITE_URL = "https://clausewatch.example/watch/"
CHANGE = "parlo/terms-of-service/2023-03-31/"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    require_chromium()
    root = tmp_path_factory.mktemp("redline") / "ws"
    workspace, archive = new_workspace(root)
    names = {"service_name": "Parlo", "document_name": "Terms of Service"}
    for text, when in ((terms_v1(), datetime(2022, 6, 1, 8, tzinfo=UTC)),
                       (terms_v2(), datetime(2023, 3, 31, 14, 5, tzinfo=UTC))):
        provenance = Provenance("https://parlo.example/terms", when, 200, "cd" * 32)
        record_version(archive, "parlo", "terms-of-service", text, provenance, names=names)
    with environment({"CLAUSEWATCH_SITE_URL": SITE_URL}):
        site_dir = build_site(workspace, root / "site")
    with serve_folder(site_dir) as base:
        yield site_dir, base


@pytest.fixture(scope="module")
def browser(site: tuple[Path, str]) -> Iterator[object]:
    with chromium() as browser:
        yield browser


def _open(browser: object, base: str, width: int, path: str = CHANGE) -> object:
    return open_page(browser, base + path, width, permissions=["clipboard-read", "clipboard-write"])


@pytest.mark.parametrize("width", sorted(SIZES))
def test_key_changes_open_the_page_and_name_the_licence_first(site, browser, width: int) -> None:
    _site_dir, base = site
    page = _open(browser, base, width)
    box = page.locator("#key-changes")
    top = box.bounding_box()["y"]
    assert top < SIZES[width], f"key changes start at {top} px, below the first screen ({SIZES[width]} px)"
    first = box.locator("li").first
    assert "Customer License Grant" in first.inner_text()
    assert "machine learning" in first.inner_text() and "AI and machine" in first.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"redline-change-{width}.png"))
    page.screenshot(path=str(ARTIFACTS / f"redline-change-{width}-full.png"), full_page=True)
    anchor = first.locator("a.cw-key-link").get_attribute("href")
    first.locator("a.cw-key-link").click()
    page.wait_for_url(f"**{anchor}")  # no page-side eval: the CSP forbids it
    card = page.locator(f"[id='{anchor.lstrip('#')}']")
    assert "Customer License Grant" in card.inner_text()
    assert 0 <= card.bounding_box()["y"] < SIZES[width]
    assert page.errors == []


@pytest.mark.parametrize("width", sorted(SIZES))
def test_a_rewritten_clause_is_two_blocks(site, browser, width: int) -> None:
    _site_dir, base = site
    page = _open(browser, base, width)
    rewrite = page.locator(".cw-rewrite").filter(has_text="binding individual arbitration").first
    before, after = rewrite.locator(".cw-rewrite-before"), rewrite.locator(".cw-rewrite-after")
    assert "courts of the Customer" in before.inner_text() and "binding individual arbitration" in after.inner_text()
    first, second = before.bounding_box(), after.bounding_box()
    if width >= 1000:
        assert abs(first["y"] - second["y"]) < 2 and second["x"] > first["x"] + first["width"] - 1, "side by side"
    else:
        assert second["y"] >= first["y"] + first["height"] - 1, "stacked on a phone"
    rewrite.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"redline-rewrite-{width}.png"))


def test_cite_this_clause_copies_an_absolute_url_with_its_anchor(site, browser) -> None:
    _site_dir, base = site
    page = _open(browser, base, 1280)
    anchor = page.locator("#key-changes a.cw-key-link").first.get_attribute("href").lstrip("#")
    button = page.locator(f"button.cw-cite-clause[data-cw-anchor='{anchor}']")
    button.click()
    panel = page.locator(".cw-clause-cite").first
    plain = panel.locator("pre.cw-cite-text").first.inner_text()
    expected = f"{SITE_URL}{CHANGE}#{anchor}"
    assert expected in plain and "machine learning" in plain or "license" in plain.lower()
    assert plain.startswith("Clausewatch. ")
    panel.locator("button.cw-copy").first.click()
    expect(page.locator(".cw-clause-cite button.cw-copy").first).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == plain and expected in copied
    bibtex = panel.locator("pre.cw-cite-text").nth(1).inner_text()
    assert f"\\url{{{expected}}}" in bibtex and bibtex.count("{") == bibtex.count("}")
    assert page.errors == []


class _Visible(HTMLParser):
    """The text a reader sees: no scripts, styles, code or attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.skip = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "code", "pre", "textarea", "svg"):
            self.skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "code", "pre", "textarea", "svg") and self.skip:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def test_no_markdown_syntax_is_left_in_any_visible_text(site, browser) -> None:
    site_dir, base = site
    pages = [p for p in site_dir.rglob("*.html") if "pagefind" not in p.parts]
    assert len(pages) > 8
    for path in pages:
        reader = _Visible()
        reader.feed(path.read_text(encoding="utf-8"))
        text = "".join(reader.parts)
        assert "**" not in text and "](" not in text, path
    for path in (CHANGE, "parlo/terms-of-service/"):  # and as the browser renders it
        page = _open(browser, base, 1280, path)
        shown = page.evaluate("document.body.innerText")
        assert "Customer License Grant" in shown
        assert "**" not in shown and "](" not in shown
