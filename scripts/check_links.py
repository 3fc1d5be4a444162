#!/usr/bin/env python3
"""Internal link check of a built site: every local href/src resolves to a file, every #anchor to an id.

    python scripts/check_links.py site            # exit 0 when every internal link works, 1 otherwise
    python scripts/check_links.py site --no-anchors

External links (http:, https:, mailto:, ...) are not fetched: the site must not depend on them, and a
link checker that goes online belongs in a separate, weekly job. Pagefind's own folder is skipped.
"""

from __future__ import annotations

import argparse
import posixpath
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

LINK_ATTRIBUTES = {"a": "href", "link": "href", "script": "src", "img": "src", "source": "src",
                   "iframe": "src"}
SKIP_FOLDERS = ("pagefind/",)


@dataclass(frozen=True, slots=True)
class BrokenLink:
    page: str
    """The page holding the link, relative to the site folder."""
    link: str
    problem: str

    def __str__(self) -> str:
        return f"{self.page}: {self.link}: {self.problem}"


class _PageParser(HTMLParser):
    """Collects the ids of a page and its local links (with the base of `<base href>` ignored)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for key in ("id", "name"):
            if values.get(key) and (key == "id" or tag == "a"):
                self.ids.add(values[key] or "")
        wanted = LINK_ATTRIBUTES.get(tag)
        if wanted and values.get(wanted):
            self.links.append(values[wanted] or "")


def parse_page(path: Path) -> _PageParser:
    parser = _PageParser()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return parser


def _is_external(link: str) -> bool:
    parts = urlsplit(link)
    return bool(parts.scheme) or link.startswith("//")


def resolve(site: Path, page: str, link: str) -> tuple[str, str] | None:
    """The site-relative file a local link points at and its fragment, or None for an external link."""
    if _is_external(link):
        return None
    parts = urlsplit(link)
    target = unquote(parts.path)
    if not target:
        return page, parts.fragment
    base = "" if target.startswith("/") else posixpath.dirname(page)
    joined = posixpath.normpath(posixpath.join(base, target.lstrip("/")))
    if joined == ".":
        joined = ""
    candidate = site / joined if joined else site
    if candidate.is_dir() or target.endswith("/"):
        joined = posixpath.join(joined, "index.html") if joined else "index.html"
    return joined, parts.fragment


def check_site(site: Path, *, anchors: bool = True) -> list[BrokenLink]:
    """Every broken internal link of the built site in `site`."""
    pages = {
        path.relative_to(site).as_posix(): path
        for path in sorted(site.rglob("*.html"))
        if not path.relative_to(site).as_posix().startswith(SKIP_FOLDERS)
    }
    parsed = {rel: parse_page(path) for rel, path in pages.items()}
    broken: list[BrokenLink] = []
    for rel, page in parsed.items():
        for link in page.links:
            found = resolve(site, rel, link)
            if found is None:
                continue
            target, fragment = found
            if target.startswith("../") or target == "..":
                broken.append(BrokenLink(rel, link, "points outside the site"))
            elif not (site / target).is_file():
                broken.append(BrokenLink(rel, link, f"'{target}' does not exist"))
            elif anchors and fragment and target in parsed and unquote(fragment) not in parsed[target].ids:
                broken.append(BrokenLink(rel, link, f"no id '{fragment}' in '{target}'"))
    return broken


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="the built site folder (e.g. site/)")
    parser.add_argument("--no-anchors", action="store_true", help="do not check #fragments")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        print(f"{args.site}: no index.html: build the site first (clausewatch build)", file=sys.stderr)
        return 2
    broken = check_site(args.site, anchors=not args.no_anchors)
    for item in broken:
        print(item, file=sys.stderr)
    pages = sum(1 for _ in args.site.rglob("*.html"))
    print(f"{pages} pages checked, {len(broken)} broken internal link(s)", file=sys.stderr)
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
