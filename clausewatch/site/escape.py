"""Escaping of untrusted text: the one module every renderer uses, one function per context.

Scraped pages, declarations and contributed commentary are untrusted. Each place a string can land in
a generated file is a *context* with its own rules; a renderer never escapes by hand, it names the
context:

| context | function | what stays live |
|---|---|---|
| Markdown running text | `markdown_text` | nothing: every HTML/Markdown-active character is an entity |
| archived Markdown, one line | `markdown_inline` | http(s) links only (text escaped, URL quoted) |
| archived Markdown, a block | `markdown_block` | paragraphs and line breaks, http(s) links |
| archived Markdown, formatted | `site.archived` (on top of these) | strong, em, code, http(s) links, tables |
| quoted admonition title | `admonition_title` | nothing, quotes escaped, one line |
| Markdown table cell | `table_cell` | nothing, one line, `|` escaped |
| HTML text or attribute value in a Markdown page | `html_text` | nothing (HTML entities, Markdown syntax) |
| inside a raw HTML block we write (a line-start `<div>`) | `block_text` | nothing (HTML entities) |
| SVG, feed HTML, standalone HTML | `xml_text` | nothing (XML entities, characters XML forbids removed) |
| YAML front matter | `front_matter_value` | nothing: characters themes print as markup removed, one line |
| an http(s) URL as a link target | `link_target` / `is_web_url` | only http(s) URLs with a host become links |
| contributed Markdown (commentary) | `commentary_markdown` | plain Markdown: emphasis, lists, http(s)/mailto links |

Python-Markdown runs with toc, attr_list, admonition, pymdownx.details (and critic, caret, tilde, mark
and tables are escaped as well, should they ever be enabled). Characters that are inert in running text
(`( ) - : ' " .` mid-line) stay as they are: escaping them too made two entities in three of the 1.2
million on 3,000 imported pages, about 10% of MkDocs' build time. The built HTML is cleaned once more by
`site/sanitize.py` (nh3): escaping is the first of two layers, never the only one.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from urllib.parse import quote, urlsplit

_ACTIVE = "&<>[]{}*_\\`|#~^=+"
"""Active anywhere in a line for HTML or the site's Markdown (with the optional extensions)."""
_ACTIVE_TABLE = {ord(ch): f"&#{ord(ch)};" for ch in _ACTIVE}
_STRICT_TABLE = {ord(ch): f"&#{ord(ch)};" for ch in _ACTIVE + "\"'()!-:$%@"}
_HTML_MARKDOWN_TABLE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
                                      "\n": "&#10;", "\r": "&#13;",
                                      **{c: f"&#{ord(c)};" for c in "[]()!{}*_`\\~^=+#|-:"}})
"""HTML entities, line breaks (a blank line would end the raw HTML block and let Markdown read the rest)
and the characters Markdown extensions could act on, in ONE pass (escaping twice shows `&#39;` as text)."""
_BLOCK_TABLE = str.maketrans({"\n": "&#10;", "\r": "&#13;", "{": "&#123;", "}": "&#125;", "=": "&#61;"})
_LIST_START = re.compile(r"^(\s*\d+)\.", re.MULTILINE)
_LINE_START = re.compile(r"^(\s*)([-!?:])", re.MULTILINE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_FRONT_MATTER_DROP = re.compile(r"[<>\"`\x00-\x1f\x7f]")
_MD_LINK = re.compile(r"\[([^\[\]\n]*)\]\((\S+?)(?:\s+\"[^\"\n]*\")?\)")
_URL_BAD = re.compile(r"[\s\x00-\x1f\x7f]")


def markdown_text(text: str) -> str:
    """`text` with every HTML/Markdown-active character as a numeric entity: inert running text.

    `& < > [ ] { } * _ \\ ` | # ~ ^ = +` anywhere; at the start of a line also `- ! ? :` and a `1.`
    that would start a list. Control characters are dropped.
    """
    escaped = _LIST_START.sub(r"\1&#46;", _CONTROL.sub("", text).translate(_ACTIVE_TABLE))
    return _LINE_START.sub(lambda m: f"{m.group(1)}&#{ord(m.group(2))};", escaped)


def one_line(text: str) -> str:
    """Whitespace runs (line breaks included) folded to single spaces."""
    return " ".join(text.split())


def admonition_title(text: str) -> str:
    """Text inside a quoted admonition title (`!!! note "…"`): one line, every punctuation mark that
    Markdown or HTML could act on as an entity, quotes included."""
    return _LIST_START.sub(r"\1&#46;", one_line(_CONTROL.sub("", text)).translate(_STRICT_TABLE))


def table_cell(text: str) -> str:
    """Text in a Markdown table cell: one line, inert, `|` escaped (it would start a new cell)."""
    return markdown_text(one_line(text))


def html_text(text: str) -> str:
    """Text (or an attribute value) inside an HTML fragment of a Markdown page: HTML entities, and
    entities for the characters Markdown extensions could act on around it."""
    return _CONTROL.sub("", text).translate(_HTML_MARKDOWN_TABLE)


def block_text(text: str) -> str:
    """Text or an attribute value inside a raw HTML *block* we write into a Markdown page (a `<div>` or
    `<p>` starting a line, with no blank line inside): Python-Markdown keeps such a block whole and never
    reads Markdown in it, so HTML entities suffice (lighter than `html_text`: no entity per hyphen).
    Line breaks become entities (a blank line would end the block), and so do `{`, `}` (the critic
    extension reads even raw HTML, should it ever be enabled) and `=` (no `on…=` ever reads as one)."""
    return xml_text(text).translate(_BLOCK_TABLE)


def xml_text(text: str) -> str:
    """Text or an attribute value in a document that no Markdown reads: SVG pictures, the HTML of feed
    entries, standalone HTML pages (redirects). XML/HTML entities; characters XML forbids removed."""
    return html.escape(xml_chars(text), quote=True)


def xml_chars(text: str) -> str:
    """`text` without the characters XML cannot carry (control characters, U+FFFE, U+FFFF)."""
    return _XML_INVALID.sub("", text)


def front_matter_value(value: object) -> object:
    """A front-matter value: strings lose the characters themes print unescaped, and become one line."""
    if isinstance(value, str):
        return one_line(_FRONT_MATTER_DROP.sub(" ", value))
    if isinstance(value, list | tuple):
        return [front_matter_value(item) for item in value]
    return value


def is_web_url(url: str) -> bool:
    """True for an absolute http(s) URL with a host and no whitespace or control characters."""
    if not url or _URL_BAD.search(url):
        return False
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def link_target(url: str) -> str:
    """An http(s) URL quoted for a Markdown link destination `(<…>)`; '' for anything else."""
    if not is_web_url(url):
        return ""
    return quote(url, safe=":/?#[]@!$&'*+,;=%~.-_").replace(">", "%3E")


def markdown_link(label: str, url: str) -> str:
    """`[label](<url>)` for an http(s) URL (label escaped); the escaped label alone for anything else."""
    target = link_target(url)
    text = markdown_text(one_line(label)) or markdown_text(url)
    return f"[{text}](<{target}>)" if target else text


def url_text(url: str) -> str:
    """A URL shown as itself: a link when it is http(s), inert text otherwise."""
    return markdown_link(url, url)


def markdown_inline(line: str) -> str:
    """One line of archived Markdown made inert, except its http(s) links, which stay links.

    `See our [Privacy Policy](https://x.example/privacy)` keeps a working link whose text is escaped and
    whose URL is quoted; a link to anything but http(s) (`javascript:`, `mailto:`) becomes its text.
    """
    out, pos = [], 0
    for match in _MD_LINK.finditer(line):
        out.append(markdown_text(line[pos : match.start()]))
        out.append(markdown_link(match.group(1), match.group(2)))
        pos = match.end()
    out.append(markdown_text(line[pos:]))
    return "".join(out)


def markdown_block(text: str) -> str:
    """Untrusted multi-line text as inert Markdown paragraphs (line breaks kept, no block syntax)."""
    paragraphs = [p for p in re.split(r"\n[ \t]*\n", _CONTROL.sub("", text).strip()) if p.strip()]
    return "\n\n".join(
        "\n".join(line for line in (markdown_inline(raw.strip()) for raw in p.splitlines()) if line)
        for p in paragraphs
    )


def mark_spans(text: str, spans: Iterable[tuple[int, int, str]], css: str = "cw-topic") -> str:
    """`text` as inert Markdown with `<mark class=css title=label>` around each (start, end, label)
    span; spans must be sorted and not overlap."""
    out: list[str] = []
    pos = 0
    for start, end, label in spans:
        out.append(markdown_text(text[pos:start]))
        out.append(f'<mark class="{css}" title="{html_text(label)}">{markdown_text(text[start:end])}</mark>')
        pos = end
    out.append(markdown_text(text[pos:]))
    return "".join(out)


# --- contributed Markdown (commentary bodies) --------------------------------------------------------

_LINK_DEST = re.compile(r"\]\(\s*([^\s)]*)")
_REF_DEF = re.compile(r"\]:[ \t]*(?:\n[ \t>]*)?(?:&lt;)?([^\s>]*)")
"""`]:` and the destination after it: a link reference definition wherever Markdown could see one (at a
line start, in a blockquote, in a list item, indented, destination on the next line)."""
_CONTAINER = r"^((?:[ \t]*(?:>|[-*+]|\d{1,9}[.)])(?=[ \t]|$)[ \t]*)*[ \t]{0,3})"
"""What may come before a block's first character: indentation, blockquote and list markers."""
_HEADING = re.compile(_CONTAINER + r"#{1,6}[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
_LINE_HASH = re.compile(_CONTAINER + r"#", re.MULTILINE)
"""A `#` starting a line, with no space after it: Python-Markdown reads `#word` as a heading too."""
_SETEXT = re.compile(r"^( {0,3})([=-])(?=[ \t]*[=-]*[ \t]*$)", re.MULTILINE)
_BOX = re.compile(r"^((?:[ \t>]|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t]))*)([!?])(?=[!?]{2})", re.MULTILINE)
"""`!!! note` / `??? note`: an admonition or details box of the contributor's own, at any indentation and
after blockquote and list markers (`- !!! danger` opens a box inside a list item)."""
_SAFE_SCHEMES = ("http://", "https://", "mailto:")


def is_safe_commentary_url(url: str) -> bool:
    """Links in commentary may point at http(s) pages and mail addresses only."""
    return url.lower().startswith(_SAFE_SCHEMES)


def commentary_markdown(body: str) -> str:
    """Contributed Markdown with everything but plain Markdown neutralized: raw HTML, entities, attribute
    lists, critic and snippet markup, images, headings (they would take clause anchors), admonition and
    details boxes, and links (inline or by reference, in any container) whose target is not http(s) or
    mailto are all shown as text."""
    # a lone carriage return ends a line for Python-Markdown, not for the line patterns below
    text = body.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace("{", "&#123;").replace("}", "&#125;")
    text = text.replace("![", "&#33;[")
    text = _LINK_DEST.sub(
        lambda m: m.group(0) if is_safe_commentary_url(m.group(1)) else "]&#40;" + m.group(0)[2:], text)
    text = _REF_DEF.sub(lambda m: m.group(0) if is_safe_commentary_url(m.group(1)) else "]&#58;" + m.group(0)[2:],
                        text)
    text = _SETEXT.sub(lambda m: f"{m.group(1)}&#{ord(m.group(2))};", text)
    text = _BOX.sub(lambda m: f"{m.group(1)}&#{ord(m.group(2))};", text)
    text = _HEADING.sub(lambda m: f"{m.group(1)}**{m.group(2)}**", text)
    return _LINE_HASH.sub(lambda m: m.group(1) + "&#35;", text)


def commentary_url(url: str) -> str:
    """A commentary source URL quoted for a Markdown link destination."""
    return quote(url, safe=":/?#@!$&'*+,;=%~-._[]")
