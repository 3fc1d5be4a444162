"""Issue 13 in headless Chromium: search that ranks the right change, pictures that work, pages everyone
can read (axe-core), every text on the site, commentary from the page, and the small things.

One fixture history is recorded in a real git archive and built with a real `clausewatch build`
(generate → mkdocs build --strict → nh3 → Pagefind), with the repository's URL set as the workflows
set it, and served from 127.0.0.1. The history adds a phrase on one day and removes it later, renames a
term (a deletion meeting an insertion), has two changes on one day, non-substantive recordings in
between, an imported version (attribution) and a commentary. axe-core comes from npm, pinned in
tests/axe/package-lock.json (`npm ci`, run by scripts/test or here when missing). Screenshots at 1280
and 390 px go to tests/artifacts/.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import yaml
from browser_kit import (
    ARTIFACTS,
    SIZES,
    chromium,
    environment,
    new_workspace,
    open_page,
    require_chromium,
    serve_folder,
)

from clausewatch.archive.write import record_version
from clausewatch.models import Provenance
from clausewatch.site.asof import AS_OF_LIMIT
from clausewatch.site.build import build_site

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE_DIR = Path(__file__).resolve().parent / "axe"
AXE_JS = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
REPO_URL = "https://github.com/clausewatch/archive"
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
PHRASE = "harvest voiceprints"
KEY = "vocalo/terms-of-service"

_BASE = """Last updated: January 2, 2026

# Vocalo Terms of Service

## 1. Permitted Use

You may use the Service for personal communication.

## 2. Your recordings

You own the recordings you make with Vocalo. We store them to run the Service for you.
{licence}
## 3. Termination

We may close accounts that break these terms, after telling you why.

## 4. Governing law

These terms are governed by the laws of Ireland.
"""
LICENCE = ("\n## 2a. Voice licence\n\nYou allow Vocalo to harvest voiceprints from your recordings to train "
           "speech models for any purpose.\n")


def _texts() -> list[tuple[str, timedelta, str]]:
    """(text, time after START, imported_from) of each recorded version, oldest first."""
    v1 = _BASE.format(licence="")
    v2 = _BASE.format(licence=LICENCE)
    v2b = v2.replace("for personal communication", "for **personal** communication")  # formatting only
    v3 = v2.replace("after telling you why", "without notice")  # same day as v4: change 2 of that day
    v4 = v3.replace(LICENCE, "").replace("## 1. Permitted Use", "## 1. Permitted Uses")
    v5 = v4.replace("laws of Ireland", "laws of Delaware")
    return [(v1, timedelta(0), "OpenTermsArchive/contrib-versions@0123456789ab"), (v2, timedelta(days=30), ""),
            (v2b, timedelta(days=31), ""), (v3, timedelta(days=60, hours=1), ""),
            (v4, timedelta(days=60, hours=5), ""), (v5, timedelta(days=90), "")]


COMMENTARY = """---
service: vocalo
document: terms-of-service
change: {day}
clause: {clause}
quote: You allow Vocalo to harvest voiceprints
title: Vocalo takes a licence to your voice
authors:
  - Ada Lovelace
status: published
---

The new clause lets Vocalo use your voice to train speech models.
"""


class Site:
    def __init__(self, root: Path, base: str) -> None:
        self.root, self.base = root, base

    def url(self, path: str) -> str:
        return self.base + path.lstrip("/")

    def versions(self) -> list[dict]:
        return json.loads((self.root / "data" / KEY / "index.json").read_text("utf-8"))["versions"]

    def change_paths(self) -> list[str]:
        return [v["path"] for v in self.versions() if v["class"] == "substantive"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    require_chromium()
    root = tmp_path_factory.mktemp("findable") / "ws"
    workspace, archive = new_workspace(root)
    names = {"service_name": "Vocalo", "document_name": "Terms of Service"}
    for text, after, imported in _texts():
        when = START + after
        provenance = Provenance("https://vocalo.example/terms", when, 200, "ef" * 32, imported_from=imported)
        record_version(archive, "vocalo", "terms-of-service", text, provenance, names=names)
    day = (START + timedelta(days=30)).date().isoformat()
    folder = root / "commentary" / "vocalo" / "terms-of-service"
    folder.mkdir(parents=True)
    (folder / f"{day}.md").write_text(COMMENTARY.format(day=day, clause="voice-licence"), encoding="utf-8")
    with environment({"CLAUSEWATCH_REPO_URL": REPO_URL, "CLAUSEWATCH_SITE_URL": None}):
        site_dir = build_site(workspace, root / "site")
    with serve_folder(site_dir) as base:
        yield Site(site_dir, base)


@pytest.fixture(scope="module")
def browser(site: Site) -> Iterator[object]:
    with chromium() as browser:
        yield browser


def _open(browser: object, site: Site, path: str, width: int = 1280) -> object:
    return open_page(browser, site.url(path), width, failed_responses=True)


def _search(page: object, query: str) -> object:
    box = page.locator("header #cw-search input")
    box.fill(query)
    results = page.locator("#cw-search .cw-search__result")
    results.first.wait_for(timeout=15000)
    page.wait_for_timeout(400)  # the debounced search settles: the list is for the whole query
    return results


# --- 1. Search that ranks by what changed ---------------------------------------------------------


def test_a_phrase_a_change_added_finds_that_change_first(browser, site: Site) -> None:
    added, _same_day, removed, _law = site.change_paths()
    page = _open(browser, site, "/")
    results = _search(page, PHRASE)
    first = results.first.locator("a.cw-search__link").first
    hrefs = [results.nth(i).locator("a.cw-search__link").first.get_attribute("href")
             for i in range(results.count())]
    assert (first.get_attribute("href") or "").rstrip("/").endswith(added.rstrip("/")), hrefs
    assert any(h and h.rstrip("/").endswith(removed.rstrip("/")) for h in hrefs), "deleted words stay findable"
    title = results.first.locator(".cw-search__title").first.inner_text()
    assert title == f"Vocalo — Terms of Service · change of {added.strip('/')[-10:]}", title
    subs = results.first.locator(".cw-search__subs a.cw-search__link")
    assert any("Voice licence" in subs.nth(i).inner_text() for i in range(subs.count())), "the clause heading"
    assert page.errors == []


def test_snippets_part_deleted_and_inserted_words(browser, site: Site) -> None:
    page = _open(browser, site, "/")
    results = _search(page, "Permitted")
    excerpts = " ".join(results.nth(i).inner_text() for i in range(results.count()))
    assert "Permitted" in excerpts
    assert "UseUses" not in excerpts and "Use Uses" in excerpts.replace("  ", " "), excerpts
    assert "inserted:" not in excerpts and "deleted:" not in excerpts


def test_boilerplate_is_not_searched(browser, site: Site) -> None:
    page = _open(browser, site, "/")
    for query in ("ODC-BY", "Provenance", "contrib-versions", "Evidence", "Suggest"):
        page.locator("header #cw-search input").fill(query)
        page.wait_for_timeout(1200)
        assert page.locator("#cw-search .cw-search__result").count() == 0, query
        assert page.locator("#cw-search [role=status]").inner_text() == f"No results for “{query}”"


def test_search_box_is_named_reachable_and_closes(browser, site: Site) -> None:
    """Our search UI (search.js): a named box that "/" focuses, a status line in a live region; with five
    results no "Load more results"; Escape and an emptied query close the results."""
    page = _open(browser, site, "/")
    box = page.locator("header #cw-search input")
    assert box.get_attribute("aria-label") == "Search texts, changes and commentary"
    assert box.get_attribute("placeholder") == "Search texts, changes, commentary"
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.matches('header #cw-search input')")
    results = _search(page, "Vocalo")
    status = page.locator("#cw-search [role=status]")
    assert status.get_attribute("aria-live") == "polite"
    assert status.inner_text() == f"{results.count()} results for “Vocalo”"
    assert results.count() <= 5
    assert not page.locator("#cw-search button", has_text="Load more results").is_visible()
    page.keyboard.press("Tab")  # into the results: Escape there too clears and goes back to the box
    assert page.evaluate("document.activeElement.matches('#cw-search .cw-search__result a')")
    page.keyboard.press("Escape")
    assert box.input_value() == "" and not page.locator("#cw-search .cw-search__drawer").is_visible()
    assert page.evaluate("document.activeElement.matches('header #cw-search input')")
    _search(page, PHRASE)
    box.fill("")
    page.wait_for_timeout(500)
    assert not page.locator("#cw-search .cw-search__drawer").is_visible()
    assert page.locator("#cw-search .cw-search__result").count() == 0
    assert page.errors == []


@pytest.fixture(scope="module")
def busy_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A second, small site: one document whose twelve changes each add a clause naming zeppelins, so a
    search finds thirteen pages (twelve changes and the current text)."""
    require_chromium()
    root = tmp_path_factory.mktemp("busy") / "ws"
    workspace, archive = new_workspace(root)
    text = "# Zeppo Terms\n\n## 1. Use\n\nUse the service kindly.\n"
    for number in range(13):
        if number:
            text += f"\n## {number + 1}. Airships {number}\n\nRule {number}: zeppelins may land on roof {number}.\n"
        when = START + timedelta(days=10 * number)
        provenance = Provenance("https://zeppo.example/terms", when, 200, "ab" * 32)
        record_version(archive, "zeppo", "terms", text, provenance,
                       names={"service_name": "Zeppo", "document_name": "Terms"})
    with environment({"CLAUSEWATCH_REPO_URL": REPO_URL, "CLAUSEWATCH_SITE_URL": None}):
        site_dir = build_site(workspace, root / "site")
    with serve_folder(site_dir) as base:
        yield Site(site_dir, base)


def test_load_more_results_adds_five_and_moves_focus_to_them(browser, busy_site: Site) -> None:
    page = _open(browser, busy_site, "/")
    results = _search(page, "zeppelins")
    assert page.locator("#cw-search [role=status]").inner_text() == "13 results for “zeppelins”"
    assert results.count() == 5
    more = page.locator("#cw-search button", has_text="Load more results")
    for before, after in ((5, 10), (10, 13)):
        more.click()
        results.nth(after - 1).wait_for()
        assert results.count() == after
        assert page.evaluate(f"document.activeElement === document.querySelectorAll('#cw-search "
                             f".cw-search__result')[{before}].querySelector('a')"), "focus on the first new result"
    assert not more.is_visible()
    titles = [results.nth(i).locator(".cw-search__title").inner_text() for i in range(results.count())]
    assert len(set(titles)) == 13 and all(t.startswith("Zeppo — Terms · ") for t in titles), titles
    assert page.errors == []


@pytest.mark.parametrize("url", ["javascript:document.title='owned'", "//evil.example/x", "https://evil.example/x"])
def test_search_results_never_run_page_text_or_leave_the_site(browser, site: Site, url: str) -> None:
    """A tampered index (a result's URL elsewhere, HTML in its metadata and text) gives text and links
    within the site only (or none): only Pagefind's <mark>s become elements."""
    page = _open(browser, site, "/")

    def tamper(route) -> None:  # noqa: ANN001 (Playwright's Route)
        response = route.fetch()
        data = json.loads(gzip.decompress(response.body())[len(b"pagefind_dcd"):])
        data["url"] = url
        data["meta"]["service_name"] = "<img src=x class=cw-evil>Vocalo"
        data["content"] = data["content"].replace("harvest", "<img src=x class=cw-evil>harvest")
        route.fulfill(response=response, body=gzip.compress(b"pagefind_dcd" + json.dumps(data).encode()))

    page.context.route("**/*.pf_fragment", tamper)
    results = _search(page, PHRASE)
    assert "<img src=x class=cw-evil>Vocalo" in results.first.locator(".cw-search__title").inner_text()
    assert page.locator("#cw-search img, .cw-evil").count() == 0
    links = page.locator("#cw-search a.cw-search__link")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert hrefs and all(href is None or urljoin(page.url, href).startswith(site.base) for href in hrefs), hrefs
    assert set(page.evaluate("[...document.querySelectorAll('#cw-search .cw-search__excerpt *')]"
                             ".map(e => e.tagName)")) <= {"MARK"}


@pytest.mark.parametrize("width", sorted(SIZES))
def test_search_results_read_at_every_width(browser, site: Site, width: int) -> None:
    """The results sit inside the screen at 1280 and 390 px; screenshots for review."""
    page = _open(browser, site, f"{KEY}/", width)
    _search(page, PHRASE)
    drawer = page.locator("#cw-search .cw-search__drawer").bounding_box()
    assert drawer["x"] >= 0 and drawer["x"] + drawer["width"] <= width, drawer
    assert drawer["width"] >= min(width * 0.9, 500), drawer
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"findable-search-{width}.png"))
    assert page.errors == []


# --- 2. Pictures that work --------------------------------------------------------------------------


def test_timeline_is_inline_its_marks_link_each_change_and_agree_with_their_class(browser, site: Site) -> None:
    page = _open(browser, site, f"{KEY}/")
    assert page.locator("article img[src$='.svg']").count() == 0
    marks = page.locator("article .cw-picture svg a.cw-mark")
    published = [v for v in site.versions() if v["path"]]
    assert marks.count() == len(published)
    for i, version in enumerate(published):
        tip = marks.nth(i).locator("title").text_content()
        assert tip.startswith(version["observed_at"][:10])
        assert ("first record" in tip) == (version["class"] == "first")
        assert ("substantive" in tip) == (version["class"] == "substantive")
    groups = page.locator("article .cw-picture svg g.cw-mark")
    others = [v for v in site.versions() if not v["path"]]
    assert groups.count() == len(others) >= 1
    for i in range(groups.count()):
        tip = groups.nth(i).locator("title").text_content()
        assert "substantive" not in tip and "first record" not in tip, tip
    shapes = {marks.nth(i).locator(":scope > :last-child").evaluate("e => e.tagName") for i in range(marks.count())}
    assert shapes == {"rect", "circle"}  # first record and substantive change told by shape
    marks.nth(1).click()
    page.wait_for_url(f"**{published[1]['path']}")
    assert page.errors == []


@pytest.mark.parametrize("width", sorted(SIZES))
def test_timeline_reads_at_every_width(browser, site: Site, width: int) -> None:
    page = _open(browser, site, f"{KEY}/", width)
    legend = page.locator("article .cw-picture ul.cw-legend li")
    assert legend.count() >= 3
    for i in range(legend.count()):
        item = legend.nth(i)
        assert item.is_visible()
        size = float(item.evaluate("e => getComputedStyle(e).fontSize").rstrip("px"))
        box = item.bounding_box()
        assert size >= 12 and box["x"] >= 0 and box["x"] + box["width"] <= width, (size, box)
    ticks = page.locator("article .cw-picture svg text").first
    assert ticks.bounding_box()["height"] >= 10, "tick labels keep a readable size"
    frame = page.locator("article .cw-picture-frame").first.bounding_box()
    chart = page.locator("article .cw-picture-frame svg").first.bounding_box()
    assert chart["x"] + chart["width"] <= frame["x"] + frame["width"] + 1, \
        "the newest end of the timeline shows first, also where the picture scrolls sideways"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"findable-document-{width}.png"))
    page.locator("article .cw-picture").screenshot(path=str(ARTIFACTS / f"findable-timeline-{width}.png"))


def test_topic_chart_is_inline_with_links(browser, site: Site) -> None:
    page = _open(browser, site, "topics/ai-training/")
    links = page.locator("article .cw-picture svg a.cw-mark")
    assert links.count() >= 1 and page.locator("article img[src$='chart.svg']").count() == 0
    href = links.first.get_attribute("href")
    response = page.request.get(urljoin(page.url, href))
    assert response.ok
    assert page.errors == []


# --- 3. Readable by everyone ------------------------------------------------------------------------


def _axe(page: object) -> list[dict]:
    if not AXE_JS.is_file():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("axe-core is not installed and npm is missing: install npm, then run scripts/test")
        done = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--silent"], cwd=AXE_DIR,
                              capture_output=True, text=True, timeout=300, check=False)
        if done.returncode != 0 or not AXE_JS.is_file():
            pytest.fail(f"could not install axe-core with `npm ci` in {AXE_DIR}: {done.stderr.strip()[-500:]}")
    page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate("""() => axe.run(document, {runOnly: {type: 'tag', values:
        ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})""")
    return [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("kind", ["home", "service", "document", "change", "topic", "search"])
def test_axe_finds_no_serious_or_critical_violation(browser, site: Site, kind: str) -> None:
    added = site.change_paths()[0]
    path = {"home": "/", "service": "vocalo/", "document": f"{KEY}/", "change": added,
            "topic": "topics/ai-training/", "search": "/"}[kind]
    found = []
    for width in sorted(SIZES):
        page = _open(browser, site, path, width)
        if kind == "search":
            _search(page, PHRASE)
        found += [dict(v, width=width) for v in _axe(page)]
        page.context.close()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"axe-{kind}.json").write_text(json.dumps(found, indent=1), encoding="utf-8")
    assert found == []


def _contrast(rgb1: list[float], rgb2: list[float]) -> float:
    def luminance(rgb: list[float]) -> float:
        c = [x / 255 for x in rgb[:3]]
        c = [x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4 for x in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]

    high, low = sorted((luminance(rgb1), luminance(rgb2)), reverse=True)
    return (high + 0.05) / (low + 0.05)


STYLE = """(sel) => { const e = document.querySelector(sel); const s = getComputedStyle(e);
  const rgb = (c) => c.match(/[\\d.]+/g).map(Number);
  return {line: s.textDecorationLine, deco: rgb(s.textDecorationColor), color: rgb(s.color),
          bg: rgb(s.backgroundColor), page: rgb(getComputedStyle(document.body).backgroundColor),
          label: getComputedStyle(e, '::before').content, labelWidth: getComputedStyle(e, '::before').width,
          labelClip: getComputedStyle(e, '::before').clipPath, text: e.textContent}; }"""


def test_diffs_do_not_rely_on_colour(browser, site: Site) -> None:
    page = _open(browser, site, site.change_paths()[2])
    for selector, line, label in (("article ins", "underline", "inserted: "), ("article del", "line-through",
                                                                              "deleted: ")):
        style = page.evaluate(STYLE, selector)
        assert line in style["line"], style
        # a label for screen readers, visually hidden, from the stylesheet: never in the text (search, copies)
        assert style["label"] == f'"{label}"' and style["labelWidth"] == "1px", style
        assert style["labelClip"] == "inset(50%)" and label not in style["text"], style
        # and the accessibility tree, which screen readers read, holds it before the words
        spoken = page.locator(selector).first.aria_snapshot()
        assert f"{label}{style['text'].strip()[:20]}" in " ".join(spoken.split()), spoken
        assert _contrast(style["color"], style["bg"]) >= 4.5, style
        assert _contrast(style["deco"], style["bg"]) >= 3 and _contrast(style["deco"], style["page"]) >= 3, style
        assert len(style["bg"]) == 3 or style["bg"][3] == 1  # an opaque highlight: the ratios are what shows


def test_focus_is_visible_everywhere(browser, site: Site) -> None:
    page = _open(browser, site, site.change_paths()[0])
    seen = 0
    for _ in range(40):
        page.keyboard.press("Tab")
        state = page.evaluate("""() => { const e = document.activeElement; if (!e || e === document.body)
            return null; const s = getComputedStyle(e);
            return {tag: e.tagName, cls: String(e.className && e.className.baseVal !== undefined ?
              e.className.baseVal : e.className), outline: s.outlineStyle, width: parseFloat(s.outlineWidth),
              shadow: s.boxShadow}; }""")
        if state is None:
            continue
        seen += 1
        visible = (state["outline"] not in ("none", "") and state["width"] >= 1) or state["shadow"] != "none"
        assert visible, state
    assert seen >= 20
    page.locator("header #cw-search input").focus()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the search box shows its focus"


def test_topic_tags_look_like_links(browser, site: Site) -> None:
    page = _open(browser, site, "/")
    tag = page.locator("article a.cw-topic-link").first
    style = tag.evaluate("e => ({deco: getComputedStyle(e).textDecorationLine, color: getComputedStyle(e).color,"
                         " border: getComputedStyle(e).borderTopStyle})")
    plain = page.locator("article li").first.evaluate("e => getComputedStyle(e).color")
    assert "underline" in style["deco"] and style["color"] != plain and style["border"] != "none", style


# --- 4. Every text on the site ------------------------------------------------------------------------


def test_every_change_has_its_text_the_newest_as_light_pages(browser, site: Site) -> None:
    """Every published version's text is one click from the timeline: the newest AS_OF_LIMIT as light
    pages of the site, older ones as their file at their commit in the archive repository."""
    page = _open(browser, site, f"{KEY}/")
    links = page.locator("article a", has_text="text as of then")
    published = [v for v in site.versions() if v["path"]]
    assert links.count() == len(published) > AS_OF_LIMIT
    hrefs = {links.nth(i).get_attribute("href") for i in range(links.count())}
    archived = {f"{REPO_URL}/blob/{v['commit']}/archive/{KEY}.md" for v in published[:-AS_OF_LIMIT]}
    assert archived <= hrefs, hrefs
    base = page.url
    on_site = sorted(href for href in hrefs - archived)
    assert len(on_site) == AS_OF_LIMIT and all("as-of/" in href for href in on_site)
    for href in on_site:
        assert page.request.get(urljoin(base, href)).ok, href
    oldest_page = published[-AS_OF_LIMIT]["path"].rstrip("/").rsplit("/", 1)[-1]  # the text before the last change
    page.goto(urljoin(base, f"as-of/{oldest_page}/"))
    toc = page.locator(".md-sidebar--secondary")
    assert toc.count() == 0 or toc.is_hidden(), "no clause list in the sidebar"
    text = page.locator("article .cw-text")
    assert text.count() == 1 and "laws of Ireland" in text.inner_text()  # the last change made it Delaware
    assert "laws of Delaware" not in text.inner_text() and "text as of then" not in page.locator("article").inner_text()


# --- 5. Commentary from the page ------------------------------------------------------------------------


def test_each_card_suggests_commentary_prefilled(browser, site: Site) -> None:
    page = _open(browser, site, site.change_paths()[0])
    assert "clausewatch annotate" not in page.locator("body").inner_text()
    link = page.locator(".cw-card-tools a", has_text="Suggest commentary").first
    anchor = page.locator(".cw-card-tools").first.locator("button").get_attribute("data-cw-anchor")
    parts = urlsplit(link.get_attribute("href"))
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{REPO_URL}/new/main"
    query = parse_qs(parts.query)
    day = site.change_paths()[0].strip("/")[-10:]
    front = yaml.safe_load(query["value"][0].split("---")[1])
    clause = front["clause"]
    assert query["filename"] == [f"commentary/vocalo/terms-of-service/{day}-{clause}.md"]
    assert (front["service"], front["document"], str(front["change"])) == ("vocalo", "terms-of-service", day)
    # the clause of the card whose words changed (the card's own anchor is its heading's)
    inside = page.evaluate("""([card, clause]) => { const a = document.getElementById(card),
        c = document.getElementById(clause), tools = document.querySelector('.cw-card-tools');
        return !!c && (a === c || (a.compareDocumentPosition(c) & Node.DOCUMENT_POSITION_FOLLOWING) > 0) &&
               (c.compareDocumentPosition(tools) & Node.DOCUMENT_POSITION_FOLLOWING) > 0; }""", [anchor, clause])
    assert inside, (anchor, clause)
    assert front["quote"].startswith("You allow Vocalo to harvest voiceprints")


def test_footer_nav_and_commentary_index(browser, site: Site) -> None:
    page = _open(browser, site, "/")
    footer = page.locator("footer")
    assert footer.locator(f"a[href='{REPO_URL}']").count() == 1
    assert footer.locator("a[href$='CONTRIBUTING.md']").count() == 1
    page.locator("nav.md-nav--primary a", has_text="Commentary").first.click()
    page.wait_for_url("**/commentary/")
    entry = page.locator("article li", has_text="Vocalo takes a licence").first
    text = entry.inner_text()
    assert "Vocalo — Terms of Service" in text and "vocalo/terms-of-service" not in text
    hrefs = [entry.locator("a").nth(i).get_attribute("href") for i in range(entry.locator("a").count())]
    day = site.change_paths()[0].strip("/")[-10:]
    assert hrefs[0].endswith(f"/{day}/#_commentary-{day}") and hrefs[1].endswith(f"/{day}/"), hrefs
    assert "clause" in text
    entry.locator("a").first.click()
    page.wait_for_url(f"**#_commentary-{day}")  # no page-side eval: the CSP forbids it
    # the commentary sits in the card of the clause it explains
    order = page.evaluate(f"""() => {{ const c = document.getElementById('_commentary-{day}');
        const cards = [...document.querySelectorAll('article h3[id]')].filter((h) =>
          h.compareDocumentPosition(c) & Node.DOCUMENT_POSITION_FOLLOWING);
        return cards.length ? cards[cards.length - 1].textContent : ''; }}""")
    assert "Voice licence" in order, order
    assert page.errors == []


# --- 6. The small things ---------------------------------------------------------------------------------


def test_titles(browser, site: Site) -> None:
    page = _open(browser, site, "/")
    assert page.title() == "Clausewatch"
    same_day = site.change_paths()[2]
    page.goto(site.url(same_day))
    day = same_day.strip("/").rsplit("/", 1)[-1][:10]
    assert f"change 2 of {day}" in page.locator("h1").inner_text()
    assert not re.search(r"\d{4}-\d\d-\d\d-\d", page.title())


@pytest.mark.parametrize("width", sorted(SIZES))
def test_no_gaps_under_headings_and_dates_on_one_line(browser, site: Site, width: int) -> None:
    for path in (f"{KEY}/", site.change_paths()[2], f"{KEY}/as-of/"):
        page = _open(browser, site, path, width)
        gaps = page.evaluate("""() => [...document.querySelectorAll('article :is(h1,h2,h3,h4,h5,h6)')].map((h) => {
            const r = document.createRange(); const parts = [...h.childNodes].filter((n) =>
              !(n.classList && n.classList.contains('headerlink')));
            if (!parts.length) return 0; r.setStartBefore(parts[0]); r.setEndAfter(parts[parts.length - 1]);
            return h.getBoundingClientRect().height - r.getBoundingClientRect().height; })""")
        assert max(gaps) < 12, (path, gaps)  # the heading's own padding at most, never a line for its ¶
        lines = page.evaluate("""() => [...document.querySelectorAll('article .cw-date')].map((e) =>
            new Set([...e.getClientRects()].map((r) => Math.round(r.top))).size)""")
        assert lines and set(lines) == {1}, (path, lines)
        if path == f"{KEY}/":
            facts = page.locator("article p.cw-doc-facts").first.inner_text()
            assert facts.rstrip().endswith("UTC."), facts
            credit = page.locator("article p.cw-attribution").inner_text()
            assert credit.startswith("Versions imported from"), credit
        if width == 390 or path == f"{KEY}/":
            name = "document" if path == f"{KEY}/" else "change" if "as-of" not in path else "as-of"
            page.screenshot(path=str(ARTIFACTS / f"findable-{name}-{width}-top.png"))
        page.context.close()


@pytest.mark.parametrize("width", sorted(SIZES))
def test_screenshots(browser, site: Site, width: int) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for name, path in (("home", "/"), ("document", f"{KEY}/"), ("change", site.change_paths()[0])):
        page = _open(browser, site, path, width)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(ARTIFACTS / f"issue13-{name}-{width}.png"), full_page=True)
        assert page.errors == []
        page.context.close()
