"""The text as it stood after each published change, at `/<service>/<document>/as-of/<date>/`."""

from __future__ import annotations

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
    assert "until the next change, [2026-03-02](../2026-03-02/index.md)" in first
    # After 2026-03-02 the page only changed a link, then flipped back to the first text (a blink).
    assert "2 later recordings" in second and "flipped back to a text recorded earlier (1 time)" in second


def test_as_of_pages_are_not_indexed_for_search(pages: dict) -> None:
    assert _meta(pages[f"{TERMS}/as-of/2026-03-02/index.md"])["search_exclude"] is True


def test_index_lists_every_date_newest_first(pages: dict) -> None:
    index = pages[f"{TERMS}/as-of/index.md"]
    assert index.index("[2026-03-02]") < index.index("[2026-03-01]")
    assert "(2026-03-01/index.md)" in index


def test_document_timeline_links_the_texts(pages: dict) -> None:
    assert "[text as of then](as-of/2026-03-02/index.md)" in pages[f"{TERMS}/index.md"]


def test_older_texts_are_named_with_their_archive_commit(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr("clausewatch.site.asof.AS_OF_LIMIT", 1)
    monkeypatch.setattr("clausewatch.site.asof.AS_OF_LIMIT", 1)
    pages = generate_site(make_workspace(tmp_path))
    assert f"{TERMS}/as-of/2026-03-01/index.md" not in pages
    index = pages[f"{TERMS}/as-of/index.md"]
    assert "- 2026-03-01: [the change of that day](../2026-03-01/index.md)" in index
    assert ":archive/acme/terms-of-service.md`" in index
    document = pages[f"{TERMS}/index.md"]
    assert "[text as of then](as-of/2026-03-02/index.md)" in document
    assert "as-of/2026-03-01/index.md" not in document
