"""Redirects: lost URLs get a working redirect page; the registry round-trips; bad input is reported."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from clausewatch.errors import ConfigError
from clausewatch.site.redirects import (
    generate_redirects,
    page_paths,
    parse_moves,
    parse_registry,
    plan_redirects,
    relative_url,
    render_registry,
)

CURRENT = {"acme/", "acme/terms-of-service/", "acme/terms-of-service/2026-03-10/", "topics/ai-training/"}


def test_registry_round_trips_and_ignores_comments() -> None:
    text = render_registry(["b/", "/a/", "a/", "acme/terms/2026-01-01/"])
    assert text.splitlines()[-3:] == ["a/", "acme/terms/2026-01-01/", "b/"]
    assert parse_registry(text) == {"a/", "b/", "acme/terms/2026-01-01/"}
    assert parse_registry("# only a comment\n\n  acme/  # trailing\n") == {"acme/"}


@pytest.mark.parametrize("bad", ["../etc/", "https://evil.example/", "acme/terms", "Acme/", "a/../b/"])
def test_registry_rejects_paths_that_could_escape_or_are_not_pages(bad: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_registry(f"acme/\n{bad}\n")
    assert "site-urls.txt:2" in str(info.value) and "To fix:" in str(info.value)


def test_lost_pages_go_to_explicit_moves_then_parents_then_home() -> None:
    published = CURRENT | {"acme/tos/2026-03-10/", "acme/terms-of-service/2025-01-01/", "gone/x/",
                           "acme/tos/2026-01-01/"}
    moves = parse_moves("acme/tos/: acme/terms-of-service/\n"
                        "acme/tos/2026-03-10/: acme/tos-old/2026-03-10/\n"
                        "acme/tos-old/2026-03-10/: acme/terms-of-service/2026-03-10/\n")
    plan = plan_redirects(published, CURRENT, moves)
    assert plan == {
        "acme/terms-of-service/2025-01-01/": "acme/terms-of-service/",  # nearest existing parent
        "acme/tos/": "acme/terms-of-service/",
        "acme/tos/2026-01-01/": "acme/terms-of-service/",  # moved with its parent, then nearest page
        "acme/tos-old/2026-03-10/": "acme/terms-of-service/2026-03-10/",
        "acme/tos/2026-03-10/": "acme/terms-of-service/2026-03-10/",  # chain followed
        "gone/x/": "",  # home
    }
    assert plan_redirects(CURRENT, CURRENT, {}) == {}  # nothing lost, nothing generated


def test_move_loops_and_bad_yaml_are_reported() -> None:
    with pytest.raises(ConfigError, match="loop"):
        plan_redirects({"a/"}, set(), parse_moves("a/: b/\nb/: a/\n"))
    with pytest.raises(ConfigError, match="redirects.yml"):
        parse_moves("- a list\n")
    with pytest.raises(ConfigError, match="not a site-relative page path"):
        parse_moves("a/: javascript:alert(1)\n")


def test_redirect_page_refreshes_to_a_relative_url_with_a_canonical_link() -> None:
    pages = generate_redirects({"acme/tos/2026-03-10/"}, CURRENT, {"acme/tos/": "acme/terms-of-service/"},
                               site_url="https://watch.example/")
    assert set(pages) == {"acme/tos/2026-03-10/index.html", "acme/tos/index.html"}
    soup = BeautifulSoup(pages["acme/tos/2026-03-10/index.html"], "html.parser")
    refresh = soup.find("meta", attrs={"http-equiv": "refresh"})["content"]
    assert refresh == "0; url=../../terms-of-service/2026-03-10/"
    assert soup.find("link", rel="canonical")["href"] == "https://watch.example/acme/terms-of-service/2026-03-10/"
    assert soup.find("a")["href"] == "../../terms-of-service/2026-03-10/"
    assert relative_url("gone/x/", "") == "../../"
    assert relative_url("a/", "a/") == "./"


def test_page_paths_of_a_built_site() -> None:
    built = ["index.html", "acme/index.html", "acme/terms/2026-03-10/index.html", "Odd Folder/index.html"]
    assert page_paths(built) == {"acme/", "acme/terms/2026-03-10/"}
