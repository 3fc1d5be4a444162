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
