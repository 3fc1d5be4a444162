"""Extraction: a fetched page (bytes or text) → the document's clean Markdown. Pure.

Steps, in this order (the same as Open Terms Archive's, so its declarations mean the same here):
1. decode (`decode_content`: BOM, then the Content-Type charset, then `<meta>`, then charset-normalizer);
2. parse with BeautifulSoup + lxml; drop `script`, `style`, `noscript`, `template`, `svg`, `iframe`,
   `object`, `embed` and form controls (`input`, `button`, `select`, `textarea` — not `<form>` itself:
   some sites wrap the whole page in one);
3. make link targets absolute against `base_url`; `javascript:` links lose their target;
4. `remove`: every element matched by a CSS selector, or the contents of a range, is deleted;
5. `select`: each entry in order contributes its matches (CSS, document order) or its range's contents;
   nothing selected means the whole `<body>`;
6. convert to Markdown with markdownify (ATX headings, `-` bullets, ordered lists keep their `start`,
   `**bold**`, `*italic*`, pipe tables); images become their alt text; tidy blank lines.

A `text/plain` document skips steps 2-6: its text is recorded as it is (tidied), and selectors are refused.

A range selector is `{"startBefore"|"startAfter": css, "endBefore"|"endAfter": css}` (a dict, or its JSON
text as `Document.select` holds it). Its contents run from just before/after the first element matching
the start to just before/after the first element matching the end; partially covered ancestors are kept
as shells, as a DOM Range's `cloneContents()` does.
"""

from __future__ import annotations

import codecs
import copy
import json
import re
import time
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote, urljoin

from bs4 import BeautifulSoup, Comment, PageElement, Tag
from charset_normalizer import from_bytes
from markdownify import ATX, MarkdownConverter
from soupsieve import SelectorSyntaxError

from clausewatch.errors import ExtractError
from clausewatch.scraper.pdf import is_pdf, pdf_to_text

Selector = str | dict[str, str]
DROPPED_TAGS = ("script", "style", "noscript", "template", "svg", "iframe", "object", "embed",
                "input", "button", "select", "textarea", "link", "meta")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_URL_SAFE = ":/?#[]@!$&'*+,;=%~"
MAX_DEPTH = 200
"""Deepest element nesting read (real pages: a few dozen). Converting to Markdown recurses per level:
at about 400 levels markdownify ends in a RecursionError, and deep nesting costs quadratic time."""
MAX_SECONDS = 60
"""Longest conversion of one page to Markdown (a 20 MiB page of ordinary markup takes a few seconds)."""


def extract_markdown(
    content: bytes | str,
    *,
    select: Sequence[Selector] = (),
    remove: Sequence[Selector] = (),
    base_url: str | None = None,
    content_type: str = "text/html",
) -> str:
    """The Markdown of the document in `content`; ExtractError ("selector", "empty") when there is none."""
    text = decode_content(content, content_type) if isinstance(content, bytes) else content
    where = base_url or "the page"
    if content_type.split(";")[0].strip().lower() == "text/plain":
        markdown = _plain_text(text, select, remove, where)
    else:
        markdown = _html_to_markdown(text, select, remove, base_url, where)
    if not markdown.strip():
        raise ExtractError(
            f"the document extracted from {where} is empty"
            + (f" (select: {', '.join(map(_describe, select))})" if select else ""),
            reason="empty",
            fix="check that the page still holds the document and that the selectors point at its text",
        )
    return markdown


def _html_to_markdown(text: str, select: Sequence[Selector], remove: Sequence[Selector],
                      base_url: str | None, where: str) -> str:
    soup = BeautifulSoup(text, "lxml")
    check_depth(soup, where)
    _drop_noise(soup)
    _absolutize(soup, base_url)
    root = soup.body or soup
    for selector in remove:
        _remove(root, _parse_selector(selector), where)
    container = _select(soup, root, [_parse_selector(s) for s in select], where)
    return tidy_markdown(_Converter(deadline=time.monotonic() + MAX_SECONDS, where=where).convert_soup(container))


def check_depth(soup: BeautifulSoup, where: str) -> None:
    """ExtractError when elements nest deeper than `MAX_DEPTH` (measured without recursion, in linear
    time): the conversion to Markdown recurses once per level, and such a page is not a document."""
    stack: list[tuple[Tag, int]] = [(soup, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ExtractError(
                f"{_page(where)} nests its elements more than {MAX_DEPTH} levels deep (the limit of "
                "extraction): it is not read; real documents nest a few dozen levels",
                reason="extract", fix="open the page in a browser: if it really is the document, report it "
                "(the limit is MAX_DEPTH in clausewatch/scraper/extract.py)")
        stack.extend((child, depth + 1) for child in node.contents if isinstance(child, Tag))


def _plain_text(text: str, select: Sequence[Selector], remove: Sequence[Selector], where: str) -> str:
    """A text/plain document is recorded as it is; selectors cannot apply to it."""
    if select or remove:
        raise ExtractError(f"{where} is plain text: CSS selectors cannot apply to it", reason="selector",
                           fix="remove `select` and `remove` from this document's declaration")
    return tidy_markdown(text)


def extract_page(content: bytes, *, select: Sequence[str | dict[str, str]] = (),
                 remove: Sequence[str | dict[str, str]] = (),
                 base_url: str | None = None, content_type: str = "text/html") -> str:
    """The document text of one fetched page: PDF text for a PDF (selectors do not apply), else the
    Markdown of the HTML (`extract_markdown`)."""
    if is_pdf(content, content_type):
        return pdf_to_text(content, where=base_url or "the PDF")
    return extract_markdown(content, select=select, remove=remove, base_url=base_url,
                            content_type=content_type)


def decode_content(content: bytes, content_type: str = "") -> str:
    """Bytes → text: BOM, then the header's charset, then `<meta charset>`, then charset-normalizer."""
    for bom, encoding in _BOMS:
        if content.startswith(bom):
            return content.decode(encoding, errors="replace")
    if _mislabelled_utf8(content, content_type):
        return content.decode("utf-8")
    header = _HEADER_CHARSET.search(content_type or "")
    meta = _META_CHARSET.search(content[:4096])
    for candidate in (header.group(1) if header else None, meta.group(1).decode("ascii") if meta else None):
        codec = _known_codec(candidate)
        if codec:
            try:
                return content.decode(codec)
            except UnicodeDecodeError:
                continue
    best = from_bytes(content).best()
    if best is not None and best.encoding:
        return str(best)
    return content.decode("utf-8", errors="replace")


_SINGLE_BYTE_LABELS = frozenset({"iso8859-1", "cp1252", "ascii"})


def _mislabelled_utf8(content: bytes, content_type: str) -> bool:
    """True for non-ASCII bytes that are valid UTF-8 but labelled Latin-1/Windows-1252/ASCII: decoding
    them as labelled would record mojibake (`Ã©` for `é`); real Latin-1 text is almost never valid UTF-8."""
    header = _HEADER_CHARSET.search(content_type or "")
    label = _known_codec(header.group(1) if header else None)
    if label not in _SINGLE_BYTE_LABELS or content.isascii():
        return False
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _known_codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _page(where: str) -> str:
    return where if where == "the page" else f"the page at {where}"


def _escape_pipes(text: str) -> str:
    """A table cell's `|` as `\\|`: unescaped, it would end the cell (a column more in the record)."""
    return re.sub(r"(?<!\\)\|", r"\\|", text)


def tidy_markdown(markdown: str) -> str:
    """Strip trailing spaces, collapse runs of blank lines, end with exactly one newline."""
    lines = [line.rstrip() for line in markdown.replace("\r\n", "\n").replace("\xa0", " ").split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
    return text + "\n" if text else ""


def _drop_noise(soup: BeautifulSoup) -> None:
    for tag in soup.find_all(DROPPED_TAGS):
        tag.decompose()
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()


def _absolutize(soup: BeautifulSoup, base_url: str | None) -> None:
    base = soup.find("base", href=True)
    if base_url and isinstance(base, Tag):
        base_url = urljoin(base_url, str(base["href"]))
    for link in soup.find_all("a"):
        href = str(link.get("href", "")).strip()
        if not href or href.lower().startswith(("javascript:", "data:", "vbscript:")):
            link.attrs.pop("href", None)
        elif "/cdn-cgi/l/email-protection" in href:
            link.attrs.pop("href", None)
            link.string = "[email protected]"
        else:
            link["href"] = quote(urljoin(base_url, href) if base_url else href, safe=_URL_SAFE)


def _parse_selector(selector: Selector) -> Selector:
    if isinstance(selector, str) and selector.lstrip().startswith("{"):
        try:
            parsed: Any = json.loads(selector)
        except json.JSONDecodeError:
            return selector
        if isinstance(parsed, dict):
            return {str(k): str(v) for k, v in parsed.items()}
    return selector


def _describe(selector: Selector) -> str:
    return selector if isinstance(selector, str) else json.dumps(selector, sort_keys=True)


def _css_matches(root: Tag, css: str) -> list[Tag]:
    try:
        return list(root.select(css))
    except (SelectorSyntaxError, ValueError, NotImplementedError) as exc:
        detail = str(exc).splitlines()[0]
        raise ExtractError(f"'{css}' is not a valid CSS selector: {detail}", reason="selector",
                           fix="correct the selector (see docs/declarations.md)") from exc


def _select_css(root: Tag, css: str, where: str) -> list[Tag]:
    matches = _css_matches(root, css)
    if not matches:
        raise ExtractError(
            f"selector '{css}' matches nothing in {where}",
            reason="selector",
            fix="open the page, find the document's new container and update `select` in the declaration",
        )
    chosen = set()
    found = []
    for match in matches:
        if not any(id(parent) in chosen for parent in match.parents):
            chosen.add(id(match))
            found.append(match)
    return found


def _remove(root: Tag, selector: Selector, where: str) -> None:
    """Delete what `selector` covers; a remove selector that matches nothing removes nothing."""
    if isinstance(selector, dict):
        try:
            spans = _positions(root)
            start, end = _range_bounds(root, spans, selector, where)
        except ExtractError:
            return
        _delete_range(root, spans, start, end)
        return
    for match in _css_matches(root, selector):
        match.decompose()


def _select(soup: BeautifulSoup, root: Tag, selectors: list[Selector], where: str) -> Tag:
    if not selectors:
        return root
    container = soup.new_tag("div")
    for selector in selectors:
        if isinstance(selector, dict):
            spans = _positions(root)
            start, end = _range_bounds(root, spans, selector, where)
            piece = _clone_range(soup, root, spans, start, end)
            if isinstance(piece, Tag):
                container.extend(list(piece.contents))
        else:
            for match in _select_css(root, selector, where):
                container.append(copy.copy(match))
    return container


def _positions(root: Tag) -> dict[int, tuple[int, int]]:
    """Each node's (first, last) index in document order, by id(): its span in the tree."""
    spans: dict[int, tuple[int, int]] = {}
    order = [root, *root.descendants]
    index = {id(node): i for i, node in enumerate(order)}
    for node in reversed(order):
        first = index[id(node)]
        last = first
        if isinstance(node, Tag) and node.contents:
            last = max(spans[id(child)][1] for child in node.contents)
        spans[id(node)] = (first, last)
    return spans


def _range_bounds(root: Tag, spans: dict[int, tuple[int, int]], selector: dict[str, str],
                  where: str) -> tuple[int, int]:
    """The half-open [start, end) span of document positions a range selector covers."""

    def first(css: str) -> tuple[int, int]:
        return spans[id(_select_css(root, css, where)[0])]

    start = first(selector["startBefore"])[0] if "startBefore" in selector else \
        first(selector["startAfter"])[1] + 1
    end = first(selector["endBefore"])[0] if "endBefore" in selector else first(selector["endAfter"])[1] + 1
    if start >= end:
        raise ExtractError(
            f"range selector {_describe(selector)} is empty in {where}: its end comes before its start",
            reason="selector",
            fix="update the range's start/end selectors in the declaration to the page's current order",
        )
    return start, end


def _clone_range(soup: BeautifulSoup, node: PageElement, spans: dict[int, tuple[int, int]], start: int,
                 end: int) -> PageElement | None:
    """A copy of `node` holding only what lies in [start, end); partially covered tags become shells."""
    first, last = spans[id(node)]
    if last < start or first >= end:
        return None
    if start <= first and last < end:
        return copy.copy(node)
    if not isinstance(node, Tag):
        return None
    shell = soup.new_tag(node.name)
    shell.attrs = dict(node.attrs)
    for child in list(node.contents):
        piece = _clone_range(soup, child, spans, start, end)
        if piece is not None:
            shell.append(piece)
    return shell


def _delete_range(node: Tag, spans: dict[int, tuple[int, int]], start: int, end: int) -> None:
    for child in list(node.contents):
        first, last = spans[id(child)]
        if last < start or first >= end:
            continue
        if start <= first and last < end:
            child.extract()
        elif isinstance(child, Tag):
            _delete_range(child, spans, start, end)


class _Converter(MarkdownConverter):
    """markdownify with our conventions: ATX headings, `-` bullets, images as alt text, plain line breaks,
    `|` escaped in table cells; and a deadline (`MAX_SECONDS` per page), checked at every element."""

    def __init__(self, *, deadline: float = float("inf"), where: str = "the page", **options: Any) -> None:
        super().__init__(heading_style=ATX, bullets="-", strong_em_symbol="*", escape_underscores=False,
                         table_infer_header=True, **options)
        self._deadline, self._where = deadline, where

    def process_tag(self, node: Tag, parent_tags: Any = None) -> str:  # type: ignore[misc]
        if time.monotonic() > self._deadline:
            raise ExtractError(f"converting {_page(self._where)} to Markdown took longer than {MAX_SECONDS} s "
                               "(the limit of extraction): it is not read", reason="extract",
                               fix="check the page in a browser; narrow `select:` to the document's text")
        return str(super().process_tag(node, parent_tags))  # type: ignore[misc]

    def convert_td(self, el: Tag, text: str, parent_tags: Iterable[str]) -> str:
        return str(super().convert_td(el, _escape_pipes(text), parent_tags))  # type: ignore[misc]

    def convert_th(self, el: Tag, text: str, parent_tags: Iterable[str]) -> str:
        return str(super().convert_th(el, _escape_pipes(text), parent_tags))  # type: ignore[misc]

    def convert_img(self, el: Tag, text: str, parent_tags: Iterable[str]) -> str:
        return str(el.get("alt", "") or "")

    def convert_br(self, el: Tag, text: str, parent_tags: Iterable[str]) -> str:
        return "\n"

    def convert_a(self, el: Tag, text: str, parent_tags: Iterable[str]) -> str:
        if not text.strip():
            return text
        # markdownify's own stubs (__init__.pyi) leave out the convert_<tag> methods the class has
        return str(super().convert_a(el, text, parent_tags))  # type: ignore[misc]
