"""Links in scraped text stay readable links when they are http(s), and inert text otherwise."""

from __future__ import annotations

import lxml.html
import markdown
import pytest

from clausewatch.site.escape import markdown_inline as escape_inline

EXTENSIONS = ["attr_list", "admonition", "toc", "pymdownx.details"]


def _html(line: str) -> str:
    return markdown.markdown(escape_inline(line), extensions=EXTENSIONS)


def test_an_http_link_stays_a_link_with_its_text() -> None:
    html = _html("Read our [Privacy Policy](https://acme.example/privacy?a=1&b=2) too.")
    assert '<a href="https://acme.example/privacy?a=1&amp;b=2">Privacy Policy</a>' in html


@pytest.mark.parametrize(
    "line",
    [
        "[click](javascript:alert(1))",
        "[click](data:text/html,<script>alert(1)</script>)",
        "[x](https://e.example/\"onmouseover=alert(1))",
        "[<img src=x onerror=alert(1)>](https://e.example/)",
        "[x](https://e.example/){ onclick=alert(1) }",
        "{++[x](https://e.example/)++}",
    ],
)
def test_hostile_links_never_become_live(line: str) -> None:
    tree = lxml.html.fragment_fromstring(_html(line), create_parent="div")
    for element in tree.iter():
        assert element.tag in {"div", "p", "a"}, f"live <{element.tag}> from {line!r}"
        assert not [name for name in element.attrib if name.startswith("on")], line
        href = element.get("href")
        assert href is None or href.startswith("https://e.example/"), href


def test_non_http_link_keeps_its_text_only() -> None:
    assert _html("[write to us](mailto:a@b.example)") == "<p>write to us</p>"
