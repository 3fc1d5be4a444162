"""Issue 13 without a browser: what readers see when the site does not know its repository, the
Commentary page's instructions, and the home page's window title."""

from __future__ import annotations

import pytest
import yaml
from site_workspace import make_workspace

from clausewatch.site.commentary_pages import commentary_index_page, how_to_contribute
from clausewatch.site.generate import generate_site


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return generate_site(make_workspace(tmp_path_factory.mktemp("findable")))


def test_without_a_repository_readers_see_no_command_line(pages: dict) -> None:
    changes = [path for path in pages if path.count("/") == 3 and path.split("/")[2][:4].isdigit()]
    assert len(changes) >= 2
    for path in changes:
        page = str(pages[path])
        assert "clausewatch annotate" not in page and "Suggest commentary" not in page, path
    index = str(pages["commentary/index.md"])
    assert "clausewatch annotate SERVICE/DOCUMENT DATE --clause ID" in index  # the one place it is shown
    assert "Add commentary* link" not in index


def test_with_a_repository_the_commentary_page_points_to_the_editor_and_the_guide() -> None:
    page = commentary_index_page([], repo_url="https://github.com/o/r")
    assert "**Suggest commentary**" in page and "(<https://github.com/o/r/blob/HEAD/CONTRIBUTING.md>)" in page
    assert how_to_contribute("javascript:alert(1)")[0].startswith("From a clone")  # no link but http(s)


def test_home_page_asks_for_the_site_name_alone_as_its_window_title(pages: dict) -> None:
    meta = yaml.safe_load(str(pages["index.md"]).split("---\n")[1])
    assert meta["title"] == "Clausewatch" and meta["home"] is True


def test_inline_pictures_survive_the_sanitizer_and_nothing_live_does() -> None:
    from clausewatch.site.sanitize import sanitize_html

    svg = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" class="cw-chart" role="group" '
           'onload="alert(1)" style="fill:red"><title>T</title><g class="cw-mark"><title>tip</title>'
           '<polygon points="1,2 3,4 5,6" fill="#757575"/></g><a href="2026-01-05/" aria-label="x"><title>x</title>'
           '<circle cx="1" cy="2" r="3" fill="#d84315" onclick="alert(2)"/></a>'
           '<a href="javascript:alert(3)"><rect x="1" y="1" width="2" height="2"/></a>'
           '<a xlink:href="javascript:alert(4)"><line x1="0" y1="0" x2="1" y2="1" stroke="#000"/></a>'
           '<text x="1" y="2" font-size="13">2026</text><script>alert(5)</script>'
           '<foreignObject><p>hi</p></foreignObject></svg>')
    page = (f'<html><head><title>x</title></head><body><article class="md-content__inner md-typeset">{svg}'
            "</article></body></html>")
    clean = sanitize_html(page)
    for kept in ('<polygon points="1,2 3,4 5,6" fill="#757575">', '<a href="2026-01-05/" aria-label="x">',
                 '<circle cx="1" cy="2" r="3" fill="#d84315">', '<text x="1" y="2" font-size="13">2026</text>',
                 "<title>tip</title>", '<rect x="1" y="1" width="2" height="2">'):
        assert kept in clean, kept
    assert "alert" not in clean and "javascript" not in clean and "style=" not in clean
    assert "foreignObject" not in clean.lower()
