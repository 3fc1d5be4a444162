"""The post-build pass: every built HTML page goes through nh3 (Ammonia) with an allowlist.

The generator already entity-escapes everything scraped or contributed; this is the second layer, so
that a missed escape upstream still cannot put live HTML in the site. It works on MkDocs' output, not
inside the build, so it keeps working if the build engine changes.

What survives:
- elements and attributes Material's templates use (`class`, `id`, `data-*`, `aria-*`, inline SVG
  icons, the toggles and labels of its drawer), links with http(s)/mailto or relative URLs;
- our inline pictures (`site/svg.py`): `svg`, `g`, `a`, `circle`, `rect`, `polygon`, `line`, `text` and
  `title` with their geometry and presentation attributes only (no `style`, no `xlink:href`, no event
  handler; an `a` keeps an `href` only when it is relative or http(s), never `javascript:`);
- scripts only when they are the theme's: a `src` inside the theme's own asset folders or Pagefind's,
  one of Material's constant inline scripts (recognised by hash, with the page's relative base path
  folded out), and the `__config` JSON block (re-serialised, so it cannot close its element).
Everything else — any other `<script>`, `on*=` handlers, `style=`, `javascript:` URLs, `<iframe>`,
`<object>`, `<form>` actions — is dropped. The page content (Material's `<article>`) is cleaned as a
fragment of its own, so its markup cannot close the elements around it, and it may not take the
theme's `__…` ids or `data-md-*` hooks.
"""

from __future__ import annotations

import hashlib
import html
import json
import posixpath
import re
import secrets
from functools import lru_cache

import nh3

_BODY_TAGS = frozenset(
    """a abbr article aside b blockquote br button caption cite code col colgroup dd del details dfn div
    dl dt em figcaption figure footer h1 h2 h3 h4 h5 h6 header hr i img input ins kbd label li main mark
    nav ol p path pre q s samp small span strong sub summary sup svg table tbody td tfoot th thead time
    tr u ul var wbr""".split()
) | frozenset(("g", "circle", "rect", "polygon", "line", "text", "title"))
"""HTML, and the SVG elements of our pictures (`title` is an SVG element's tooltip; in HTML the parser
moves a `<title>` out of the body)."""
_PAINT = {"fill", "fill-opacity", "stroke", "stroke-width"}
_HEAD_TAGS = frozenset({"meta", "link", "title"})

_GENERIC_ATTRIBUTES = frozenset({"class", "id", "title", "lang", "dir", "hidden", "tabindex", "role"})
_BODY_ATTRIBUTES = {
    "*": set(_GENERIC_ATTRIBUTES),
    "a": {"href", "hreflang", "rel"},
    "img": {"src", "alt", "width", "height", "loading"},
    "input": {"type", "checked", "autocomplete", "name", "value", "placeholder", "disabled"},
    "label": {"for"},
    "button": {"type", "disabled"},
    "details": {"open"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "ol": {"start", "reversed", "type"},
    "time": {"datetime"},
    "svg": {"xmlns", "viewbox", "viewBox", "width", "height", "fill", "focusable", "font-family"},
    "path": {"d", "fill", "fill-rule", "clip-rule"},
    "circle": {"cx", "cy", "r", *_PAINT},
    "rect": {"x", "y", "width", "height", *_PAINT},
    "polygon": {"points", *_PAINT},
    "line": {"x1", "y1", "x2", "y2", "stroke", "stroke-width"},
    "text": {"x", "y", "text-anchor", "font-size", "fill"},
}
_HEAD_ATTRIBUTES = {
    "meta": {"charset", "name", "content", "http-equiv", "property"},
    "link": {"rel", "href", "type", "sizes", "media", "hreflang", "title"},
}
_URL_SCHEMES = {"http", "https", "mailto"}

_SCRIPT_SRC_FOLDERS = ("assets/javascripts/", "assets/clausewatch/", "pagefind/")
"""Where the theme's (and Pagefind's) scripts live: nothing the generator can write to."""

_THEME_INLINE_SCRIPTS = frozenset(
    {
        # Material for MkDocs 9.8.1 (pinned), base.html. A Material upgrade that changes them makes
        # tests/test_site_build.py fail until these are updated: they are never trusted blindly.
        "6a9a103c779f08d5a3c5b0a6f87cd50ce016e024955a163b5729508e0385c9f9",  # __md_scope/__md_get/__md_set
        "0eb10c249dbdb0beef225a10ce5cbe55418cc4a7014cc208f8e7d6ed8f00906e",  # palette from localStorage
        "ffcc0f7735fdab434d257c80e65cec2e88d716991e69757185b7e450e41a5b2f",  # open the tab named in #hash
    }
)
"""SHA-256 (see `theme_script_hash`) of Material's constant inline scripts."""

_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\b[^>]*>", re.IGNORECASE | re.DOTALL)
_UNCLOSED_SCRIPT = re.compile(r"<script\b", re.IGNORECASE)
_BASE_URL = re.compile(r'new URL\("(?:\.\.?/?)*(?:\.\.?)?",location\)')
_HEAD = re.compile(r"<head\b[^>]*>(.*?)</head\s*>", re.IGNORECASE | re.DOTALL)
_BODY = re.compile(r"<body\b([^>]*)>(.*)</body\s*>", re.IGNORECASE | re.DOTALL)
_ARTICLE = re.compile(r'<article class="md-content__inner md-typeset">(.*)</article>', re.DOTALL)
"""Material's content article: from its opening tag to the LAST `</article>` (content may hold more)."""
_HTML_OPEN = re.compile(r"<html\b([^>]*)>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+)""")
_KEEP_ROOT_ATTRIBUTES = re.compile(r"^(lang|dir|class|data-md-color-[a-z-]+)$")


def theme_script_hash(code: str) -> str:
    """The allowlist key of an inline script: SHA-256 of its code with the relative base path folded."""
    return hashlib.sha256(_BASE_URL.sub('new URL(".",location)', code).encode("utf-8")).hexdigest()


def sanitize_html(page: str, *, inline_scripts: frozenset[str] | None = None) -> str:
    """A built page with everything but the theme's markup and scripts made inert.

    `inline_scripts` are the hashes (see `theme_script_hash`) of inline scripts to keep; by default
    Material's own.
    """
    allowed = _THEME_INLINE_SCRIPTS if inline_scripts is None else inline_scripts
    nonce = secrets.token_hex(8)
    kept: list[str] = []

    def hold(match: re.Match[str]) -> str:
        script = _theme_script(match.group(1), match.group(2), allowed)
        if script is None:
            return ""
        kept.append(script)
        return f"\ue000{nonce}-{len(kept) - 1}\ue001"

    text = _SCRIPT.sub(hold, page)
    text = _UNCLOSED_SCRIPT.sub("&lt;script", text)
    head = _HEAD.search(text)
    body = _BODY.search(text)
    html_open = _HTML_OPEN.search(text)
    clean_head = _head_cleaner().clean(head.group(1)) if head else ""
    clean_body = _clean_body(body.group(2) if body else text, nonce)
    out = (
        "<!doctype html>\n"
        f"<html{_root_attributes(html_open.group(1) if html_open else '')}>\n"
        f"<head>{clean_head}</head>\n"
        f"<body{_root_attributes(body.group(1) if body else '')}>{clean_body}</body>\n</html>\n"
    )
    return re.sub(rf"\ue000{nonce}-(\d+)\ue001", lambda m: kept[int(m.group(1))], compact_whitespace(out))


_KEEP_WHITESPACE = re.compile(r"(<(pre|textarea)\b.*?</\2\s*>)", re.DOTALL | re.IGNORECASE)
_BLANK_RUN = re.compile(r"[ \t]*\n\s*")


def compact_whitespace(page: str) -> str:
    """Every run of whitespace that holds a line break becomes one line break, outside `<pre>` and
    `<textarea>`: the same rendering (HTML folds such runs to one space), a tenth less to publish
    (Material's templates indent and leave blank lines on every page)."""
    parts = _KEEP_WHITESPACE.split(page)
    out = []
    for index in range(0, len(parts), 3):  # split() yields text, the kept element, its tag name, ...
        out.append(_BLANK_RUN.sub("\n", parts[index]))
        if index + 1 < len(parts):
            out.append(parts[index + 1])
    return "".join(out)


def _clean_body(body: str, nonce: str) -> str:
    """The body cleaned; the page content (inside Material's article) cleaned on its own, as a fragment:
    its markup cannot close elements around it, and it may not take the theme's ids (`__…`) or
    `data-md-*` hooks, which Material's scripts look up (DOM clobbering)."""
    article = _ARTICLE.search(body)
    if article is None:
        return _body_cleaner().clean(body)
    token = f"\ue002{nonce}\ue003"
    outer = _body_cleaner().clean(body[: article.start(1)] + token + body[article.end(1) :])
    return outer.replace(token, _content_cleaner().clean(article.group(1)), 1)


def _content_attribute(element: str, attribute: str, value: str) -> str | None:
    if attribute.startswith("data-md-") or (attribute in ("id", "for") and value.startswith("__")):
        return None
    return value


def _theme_script(attributes: str, code: str, allowed: frozenset[str]) -> str | None:
    """The script re-emitted if it is the theme's, else None."""
    attrs = {name.lower(): _unquote(value) for name, value in _ATTRIBUTE.findall(attributes)}
    if "src" in attrs:
        src = _theme_src(attrs["src"])
        if src is None or code.strip():
            return None
        return f'<script src="{html.escape(src)}"></script>'
    if attrs.get("type") == "application/json" and attrs.get("id") == "__config":
        return _config_script(code)
    if attrs.keys() - {"type"} or attrs.get("type", "text/javascript") != "text/javascript":
        return None
    return f"<script>{code}</script>" if theme_script_hash(code) in allowed else None


def _theme_src(src: str) -> str | None:
    """`src` if it is a relative path into the theme's or Pagefind's folders, else None."""
    if re.search(r"[\s\x00-\x1f\\]|^[a-zA-Z][a-zA-Z0-9+.-]*:|^//|[?#]", src):
        return None
    path = src
    while path.startswith(("../", "./")):
        path = path[3:] if path.startswith("../") else path[2:]
    path = path.lstrip("/") if src.startswith("/") else path
    if posixpath.normpath(path) != path or not path.startswith(_SCRIPT_SRC_FOLDERS):
        return None
    return src


def _config_script(code: str) -> str | None:
    """Material's `__config` block, re-serialised so no `<` or `&` survives in it."""
    try:
        data = json.loads(code)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    encoded = json.dumps(data).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script id="__config" type="application/json">{encoded}</script>'


def _unquote(value: str) -> str:
    if value[:1] in "\"'" and value[-1:] == value[:1]:
        value = value[1:-1]
    return html.unescape(value)


def _root_attributes(attributes: str) -> str:
    """The `<html>`/`<body>` attributes Material sets (lang, dir, class, colour scheme), escaped."""
    parts = [
        f' {name.lower()}="{html.escape(_unquote(value))}"'
        for name, value in _ATTRIBUTE.findall(attributes)
        if _KEEP_ROOT_ATTRIBUTES.match(name.lower())
    ]
    return "".join(parts)


@lru_cache(maxsize=1)
def _body_cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(_BODY_TAGS),
        clean_content_tags={"script", "style", "template", "textarea", "noscript"},
        attributes={tag: set(names) for tag, names in _BODY_ATTRIBUTES.items()},
        generic_attribute_prefixes={"data-", "aria-"},
        url_schemes=set(_URL_SCHEMES),
        link_rel=None,
    )


@lru_cache(maxsize=1)
def _content_cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(_BODY_TAGS),
        clean_content_tags={"script", "style", "template", "textarea", "noscript"},
        attributes={tag: set(names) for tag, names in _BODY_ATTRIBUTES.items()},
        attribute_filter=_content_attribute,
        generic_attribute_prefixes={"data-", "aria-"},
        url_schemes=set(_URL_SCHEMES),
        link_rel=None,
    )


@lru_cache(maxsize=1)
def _head_cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(_HEAD_TAGS),
        clean_content_tags={"script", "style", "template", "noscript"},
        attributes={tag: set(names) for tag, names in _HEAD_ATTRIBUTES.items()},
        url_schemes=set(_URL_SCHEMES),
        link_rel=None,
    )
