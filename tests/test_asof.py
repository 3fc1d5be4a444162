"""The text as it stood after each published change, at `/<service>/<document>/as-of/<date>/`."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from site_workspace import make_workspace

from clausewatch.site.generate import generate_site

TERMS = "acme/terms-of-service"


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return generate_site(make_workspace(tmp_path_factory.mktemp("asof")))


def _meta(page: str) -> dict:
    return yaml.safe_load(page.split("---\n")[1])


def test_each_published_version_has_its_text_page(pages: dict) -> None:
    first, second = pages[f"{TERMS}/as-of/2026-03-01/index.md"], pages[f"{TERMS}/as-of/2026-03-02/index.md"]
    assert "perpetual, worldwide licence" in second and "perpetual" not in first
    assert "binding arbitration" in second and "courts of your country" in first


def test_pages_say_how_long_the_wording_stood(pages: dict) -> None:
    first, second = pages[f"{TERMS}/as-of/2026-03-01/index.md"], pages[f"{TERMS}/as-of/2026-03-02/index.md"]
    assert 'until the next change, [<span class="cw-date">2026-03-02</span>](../2026-03-02/index.md)' in first
    # After 2026-03-02 the page only changed a link, then flipped back to the first text (a blink).
    assert ("2 later recordings since: 1 changed only links, 1 flipped back to a text recorded earlier"
            in second)


def test_later_recordings_are_those_between_this_change_and_the_next(pages: dict) -> None:
    """Every as-of page counts the unpublished recordings between its version and the next published
    one (the data API lists them all): once the count was the length of the next page's link."""
    versions = json.loads(pages[f"data/{TERMS}/index.json"])["versions"]
    published = [i for i, v in enumerate(versions) if v["path"]]
    checked = 0
    for number, index in enumerate(published):
        end = published[number + 1] if number + 1 < len(published) else len(versions)
        slug = versions[index]["path"].rstrip("/").rsplit("/", 1)[-1]
        page = pages[f"{TERMS}/as-of/{slug}/index.md"]
        found = re.search(r"(\d+) later recordings? (before the next change|since)", page)
        between = end - index - 1
        assert (int(found.group(1)) if found else 0) == between, (slug, between)
        assert not found or (found.group(2) == "since") == (end == len(versions))
        checked += 1
    assert checked == len(published) >= 2


def test_as_of_pages_are_light_and_not_indexed_for_search(pages: dict) -> None:
    page = pages[f"{TERMS}/as-of/2026-03-02/index.md"]
    assert _meta(page)["search_exclude"] is True and _meta(page)["hide"] == ["toc"]
    text = page.split('<div class="cw-text">', 1)[1]
    # the text once, as one raw HTML block (MkDocs reads no Markdown in it), clause anchors kept
    assert page.count('<div class="cw-text">') == 1 and "\n\n" not in text.strip()
    assert 'id="' in text and "{ #" not in text and "{: #" not in text


def test_index_lists_every_date_newest_first(pages: dict) -> None:
    index = pages[f"{TERMS}/as-of/index.md"]
    assert index.index("(2026-03-02/index.md)") < index.index("(2026-03-01/index.md)")
    assert "(../2026-03-01/index.md)" in index  # and the change of that day
    assert "git show" not in index


def test_document_timeline_links_the_texts(pages: dict) -> None:
    assert "[text as of then](as-of/2026-03-02/index.md)" in pages[f"{TERMS}/index.md"]


def test_every_published_version_has_its_text_page_within_the_limit(pages: dict) -> None:
    versions = json.loads(pages[f"data/{TERMS}/index.json"])["versions"]
    slugs = [v["path"].rstrip("/").rsplit("/", 1)[-1] for v in versions if v["path"]]
    assert len(slugs) >= 2
    document = pages[f"{TERMS}/index.md"]
    for slug in slugs:
        assert f"{TERMS}/as-of/{slug}/index.md" in pages
        assert f"[text as of then](as-of/{slug}/index.md)" in document


def test_older_texts_link_their_file_in_the_archive_repository(tmp_path, monkeypatch) -> None:
    """Only the newest AS_OF_LIMIT texts get a page (the site's 1 GB budget: a page for each of the
    bundle's 11,000 published versions is 900 MB of text); every older one is linked to its recorded
    file at its commit on the code host, from the index and the document's timeline."""
    from datetime import timedelta

    from site_workspace import START, TERMS_V2, record

    from clausewatch.site.asof import AS_OF_LIMIT

    workspace = make_workspace(tmp_path)
    commits = {}
    for n in range(3):  # three more substantive changes, a month apart: five published texts
        when = START + timedelta(days=30 * (n + 1))
        commits[when.date().isoformat()] = record(
            workspace, TERMS, TERMS_V2 + f"\n## 9. Fees\n\nWe may charge {n + 2} euros a month.\n", when)
    monkeypatch.setenv("CLAUSEWATCH_REPO_URL", "https://github.com/clausewatch/archive")
    pages = generate_site(workspace)
    slugs = sorted(p.split("/")[3] for p in pages if re.fullmatch(rf"{TERMS}/as-of/[^/]+/index\.md", p))
    assert slugs == ["2026-03-31", "2026-04-30", "2026-05-30"][-AS_OF_LIMIT:]  # the newest of five
    index, document = pages[f"{TERMS}/as-of/index.md"], pages[f"{TERMS}/index.md"]
    versions = json.loads(pages[f"data/{TERMS}/index.json"])["versions"]
    oldest = next(v for v in versions if v["path"])
    archived = (f"(<https://github.com/clausewatch/archive/blob/{oldest['commit']}/archive/{TERMS}.md>)")
    assert f"[the text in the archive]{archived}" in index and f"[text as of then]{archived}" in document
    for slug in slugs:
        assert f"({slug}/index.md)" in index and f"[text as of then](as-of/{slug}/index.md)" in document
    assert "git show" not in index


def test_a_new_version_leaves_the_older_as_of_pages_as_they_were(tmp_path) -> None:
    """A rebuild after one new version rewrites the as-of page it follows, never all of them (not even
    when the new version comes with other names: each page is named as its own version was)."""
    from datetime import timedelta

    from site_workspace import START, TERMS_V2, record

    workspace = make_workspace(tmp_path)
    before = generate_site(workspace)
    record(workspace, TERMS, TERMS_V2 + "\n## 9. New\n\nWe may train models on your content.\n",
           START + timedelta(days=30))  # recorded without names
    after = generate_site(workspace)
    changed = sorted(p for p in before if "/as-of/20" in p and p in after and before[p] != after[p])
    assert changed == [f"{TERMS}/as-of/2026-03-02/index.md"]  # the latest one: "until the next change"
