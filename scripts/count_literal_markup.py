#!/usr/bin/env python3
"""Count Markdown syntax a reader sees as literal text in a built site (issue 12, point 1).

    .venv/bin/python scripts/count_literal_markup.py SITE_DIR

Counts `**` and `](` in the visible text of every built HTML page (tags stripped by an HTML parser,
`<script>`/`<style>` skipped, entities decoded) and in the HTML of every feed entry, by kind of page.
Code (`<pre>`, `<code>`) is left out: the topic rules on the methodology page, or a clause's own code
span, show such characters on purpose.
The word-diff cards of change pages (their "What changed" section and its table of contents) are
counted apart: their rendering is `clausewatch/site/diff_markdown.py`'s.
"""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

LITERALS = ("**", "](")
HIDDEN = frozenset({"script", "style", "pre", "code"})
_CHANGE_PAGE = re.compile(r"/\d{4}-\d{2}-\d{2}(?:-\d+)?/index\.html$")


class VisibleText(HTMLParser):
    """Visible text of a page, split into the diff-card part (a change page's "What changed" section and
    its table of contents) and the rest."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hidden = 0
        self.toc = 0
        self.in_cards = False
        self.heading: list[str] | None = None
        self.cards: list[str] = []
        self.rest: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in HIDDEN:
            self.hidden += 1
        elif tag == "nav" and "md-nav--secondary" in (values.get("class") or ""):
            self.toc = 1
        elif self.toc and tag == "nav":
            self.toc += 1
        elif tag == "h2":
            self.in_cards = False
            self.heading = [] if values.get("id") == "_changes" else None

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN:
            self.hidden -= 1
        elif tag == "nav" and self.toc:
            self.toc -= 1
        elif tag == "h2" and self.heading is not None:
            self.in_cards = "".join(self.heading).strip().startswith("What changed")
            self.heading = None

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        if self.heading is not None:
            self.heading.append(data)
        (self.cards if self.in_cards or self.toc else self.rest).append(data)


def page_kind(relative: str) -> str:
    if relative.startswith("topics/"):
        return "topic pages"
    if "/as-of/" in relative:
        return "as-of pages"
    if _CHANGE_PAGE.search("/" + relative):
        return "change pages"
    if relative.count("/") == 2:
        return "document pages"
    return "other pages"


def count(text: str) -> Counter[str]:
    return Counter({literal: text.count(literal) for literal in LITERALS})


def count_site(site: Path) -> dict[str, Counter[str]]:
    """Literal counts by kind of page (`… (diff cards)` apart), feeds included."""
    totals: dict[str, Counter[str]] = {}
    for path in sorted(site.rglob("*.html")):
        relative = path.relative_to(site).as_posix()
        reader = VisibleText()
        reader.feed(path.read_text(encoding="utf-8", errors="replace"))
        kind = page_kind(relative)
        totals.setdefault(kind, Counter()).update(count("".join(reader.rest)))
        if kind == "change pages":
            totals.setdefault("change pages (diff cards, not counted above)", Counter()).update(
                count("".join(reader.cards)))
        else:
            totals[kind].update(count("".join(reader.cards)))
    for path in sorted(site.glob("feeds/**/*.xml")):
        totals.setdefault("feeds", Counter()).update(count(feed_text(path)))
    return totals


def feed_text(path: Path) -> str:
    """The visible text of a feed: titles, and each entry's HTML with its tags stripped."""
    parts: list[str] = []
    for element in ET.parse(path).getroot().iter():
        name = element.tag.rsplit("}", 1)[-1]
        if name in ("content", "description", "summary") and element.text:
            reader = VisibleText()
            reader.feed(element.text)
            parts.append("".join(reader.rest))
        elif name == "title" and element.text:
            parts.append(element.text)
    return "\n".join(parts)


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not Path(argv[0]).is_dir():
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    totals = count_site(Path(argv[0]))
    for kind, counts in sorted(totals.items()):
        print(f"{kind:48} " + "  ".join(f"{literal} {counts[literal]:6}" for literal in LITERALS))
    outside = sum(sum(c.values()) for kind, c in totals.items() if "diff cards" not in kind)
    print(f"{'total outside the diff cards':48} {outside}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
