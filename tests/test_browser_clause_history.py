"""A clause's history page and who says it today (issue 16), in headless Chromium on a real build.

The fixture (tests/clause_fixture.py) is recorded in a real git archive and built with a real `clausewatch
build` (MkDocs strict: every link of the history pages, cards and current text is checked), then served
on loopback. At 1280 and 390 px: the licence clause's page lists its four events newest first, each
link lands on its change page (on the card, when it has one), the commentary on the amendment shows on
that entry; the card on a change page leads to the history; the topic page opens with the two services
that still say it. Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browser_kit import ARTIFACTS, SIZES, chromium, open_page, require_chromium, serve_folder
from clause_fixture import LICENCE_ID, record_three_services

from clausewatch.site.build import build_site

pytestmark = [pytest.mark.browser, pytest.mark.slow]

HISTORY = f"acme/terms-of-service/clauses/{LICENCE_ID}/"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_chromium()
    root = tmp_path_factory.mktemp("clause-history") / "ws"
    workspace = record_three_services(root)
    with serve_folder(build_site(workspace, root / "site")) as base:
        yield base


@pytest.fixture(scope="module")
def browser(site: str) -> Iterator[object]:
    with chromium() as browser:
        yield browser


def _open(browser: object, base: str, width: int, path: str) -> object:
    return open_page(browser, base + path, width)


@pytest.mark.parametrize("width", sorted(SIZES))
def test_the_history_lists_four_linked_events_and_the_commentary_on_the_amendment(site, browser, width) -> None:
    page = _open(browser, site, width, HISTORY)
    events = page.locator("p.cw-clause-event")
    shown = [events.nth(k).inner_text() for k in range(events.count())]
    assert [line.split(" · ")[:2] for line in shown] == [
        ["2025-05-05", "Removed"], ["2024-04-20", "Renumbered"], ["2023-03-15", "Changed"], ["2022-02-01", "Added"]]
    assert "§4 → §6" in shown[1]
    note = page.locator(".admonition.commentary")
    assert note.count() == 1 and "A promise to ask before training AI" in note.inner_text()
    changed_box, note_box = events.nth(2).bounding_box(), note.bounding_box()
    assert changed_box["y"] < note_box["y"] < events.nth(3).bounding_box()["y"]  # on the amendment's entry
    assert page.locator("ins").filter(has_text="We will ask for your consent").count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"clause-history-{width}.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"the page scrolls sideways by {overflow} px at {width} px"
    for k, (day, anchor) in enumerate([("2025-05-05", LICENCE_ID), ("2024-04-20", ""),
                                       ("2023-03-15", LICENCE_ID), ("2022-02-01", LICENCE_ID)]):
        href = events.nth(k).locator("a", has_text=f"change of {day}").get_attribute("href")
        assert href == f"../../{day}/" + (f"#{anchor}" if anchor else "")
    events.nth(2).locator("a", has_text="change of 2023-03-15").click()  # follow the amendment to its card
    page.wait_for_url(f"**/acme/terms-of-service/2023-03-15/#{LICENCE_ID}")
    card = page.locator(f"[id='{LICENCE_ID}']")
    assert "Licence to your content" in card.inner_text()
    assert 0 <= card.bounding_box()["y"] < SIZES[width]
    assert page.errors == []


def test_a_card_leads_to_its_clause_history(site, browser) -> None:
    page = _open(browser, site, 1280, "acme/terms-of-service/2025-05-05/")
    link = page.locator(f"p.cw-card-tools:has(button[data-cw-anchor='{LICENCE_ID}']) a.cw-card-link")
    assert link.inner_text() == "History of this clause"
    link.click()
    page.wait_for_url(f"**/{HISTORY}")
    assert "History of “Licence to your content”" in page.locator("h1").inner_text()
    assert page.errors == []


@pytest.mark.parametrize("width", sorted(SIZES))
def test_the_topic_page_opens_with_who_says_it_today(site, browser, width) -> None:
    page = _open(browser, site, width, "topics/content-licence/")
    today = page.locator("h2#_today")
    assert today.bounding_box()["y"] < SIZES[width] * 1.5
    rows = page.locator("h2#_today ~ ul").first.locator(":scope > li")
    texts = [rows.nth(k).inner_text() for k in range(rows.count())]
    assert len(texts) == 2 and texts[0].startswith("since 2023-09-01 · Beta Video")
    assert texts[1].startswith("since 2019-02-01 · Gamma Notes") and not any("Acme" in t for t in texts)
    picture = page.locator("img[src='adoption.svg']")
    assert picture.get_attribute("alt").startswith("When today's 2 documents started saying it")
    assert page.evaluate("document.querySelector(\"img[src='adoption.svg']\").naturalWidth") > 0
    page.screenshot(path=str(ARTIFACTS / f"who-says-it-today-{width}.png"))
    assert page.errors == []
