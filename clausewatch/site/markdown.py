"""Building blocks of generated pages: front matter, relative links, titles, anchored clause texts.

Pure. Links between pages are relative links to `.md` files, so `mkdocs build --strict` checks every
one. Our own headings use ids with `_` (`heading_id`), which no clause id (a slug) contains, so they can
never collide with a clause anchor. Untrusted text is escaped through `clausewatch.site.escape`.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping, Sequence

import yaml

from clausewatch.archive.message import UNKNOWN_OWNER, split_source
from clausewatch.models import Clause
from clausewatch.site.archived import heading_text, render_blocks
from clausewatch.site.escape import front_matter_value, html_text, markdown_text, one_line
from clausewatch.slugs import is_slug


def service_title(service: str, service_name: str) -> str:
    return service_name or service


def document_title(document: str, document_name: str) -> str:
    return document_name or document.replace("-", " ").capitalize()


def front_matter(meta: Mapping[str, object]) -> str:
    """A YAML front-matter block; strings are stripped of characters themes could print as markup."""
    clean = {key: front_matter_value(value) for key, value in meta.items() if value not in (None, "", ())}
    return "---\n" + yaml.safe_dump(clean, sort_keys=False, allow_unicode=True, width=1000) + "---\n\n"


def link(from_page: str, to_page: str) -> str:
    """The relative link from one docs/ page to another (both paths of `.md` files)."""
    return posixpath.relpath(to_page, posixpath.dirname(from_page) or ".")


def heading_id(text: str) -> str:
    """An id for our own headings: contains `_`, so no clause id (a slug) can take it."""
    return "_" + text


def date_of(observed_at: str) -> str:
    return observed_at[:10]


_PLAIN_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}( \([0-9]{1,3}\))?")


def nowrap_date(day: str) -> str:
    """A date (`YYYY-MM-DD`, or any text) that never breaks at its hyphens on a narrow screen, as inline
    HTML for a Markdown page (escaped: `day` may come from a slug or a stated date)."""
    shown = day if _PLAIN_DATE.fullmatch(day) else html_text(day)
    return f'<span class="cw-date">{shown}</span>'


def slug_label(slug: str) -> str:
    """A change's folder as a reader says it: `2026-03-02`, and `2026-03-02 (2)` for the second that day."""
    day, nth = slug[:10], slug[11:]
    return f"{day} ({nth})" if nth else day


def topic_links(from_page: str, topics: Iterable[str]) -> str:
    """Topic tags linking to the topic pages: badges that read as links (underlined, link colour)."""
    return " ".join(
        f"[{topic}]({link(from_page, f'topics/{topic}/index.md')}){{ .cw-topic-link }}"
        for topic in topics if is_slug(topic)
    )


def attribution(sources: Iterable[str]) -> str:
    """The attribution line that imported data requires ('' when nothing was imported).

    Every `Imported-From` is written by `clausewatch import ota`: the data is Open Terms Archive's, under
    ODC-BY, whoever hosts the copy it came from, so it is credited also when the source's owner is unknown
    (a bundle imported without `--source`, named `/<file name>`)."""
    names = sorted({source.partition("@")[0] for source in sources if source})
    if not names:
        return ""
    listed = ", ".join(
        f"`{markdown_text(name)}`" if split_source(name)[0] != UNKNOWN_OWNER
        else f"`{markdown_text(split_source(name)[1])}` (repository owner unknown)" for name in names)
    return (f"Versions imported from {listed}. Data by Open Terms Archive contributors, under the Open Data "
            "Commons Attribution License (ODC-BY 1.0).\n{: .cw-attribution }")


def render_clauses(clauses: Sequence[Clause], *, base_level: int = 2,
                   after_clause: Mapping[str, str] | None = None) -> str:
    """A document's text, clause by clause, each with its anchor `{ #id }`.

    `after_clause`: Markdown shown right after the clause with that id (commentary on it).
    """
    after_clause = after_clause or {}
    blocks = []
    for clause in clauses:
        blocks.append(_clause_block(clause, base_level))
        if after_clause.get(clause.id):
            blocks.append(after_clause[clause.id].strip("\n"))
    return "\n\n".join(blocks) + "\n"


def _clause_block(clause: Clause, base_level: int) -> str:
    """One clause: a heading line (plain text, `{ #id }`, in the table of contents) and its text, or its
    text with its number in bold and the id on its first paragraph (a text starting with a table gives
    the table the id).

    Paragraphs are raw HTML (`<p id="…">…</p>`): `render_blocks` escapes every character Markdown or HTML
    could act on as an entity, so Markdown has nothing to do in them, and its inline patterns over the
    whole text were most of MkDocs' time on a document page. The HTML is the same."""
    anchor = clause.id if is_slug(clause.id) else ""
    number = markdown_text(one_line(clause.number)) + " " if clause.number else ""
    if clause.heading and clause.heading.strip():
        level = min(6, base_level + 1 + clause.level)
        attr = f" {{ #{anchor} }}" if anchor else ""
        heading = f"{'#' * level} {number}{heading_text(clause.heading)}{attr}"  # one line
        body = "\n\n".join(map(_raw_block, render_blocks(clause.text)))
        return f"{heading}\n\n{body}" if body else heading
    prefix = f"<strong>{number.strip()}</strong>" if number else ""
    blocks = list(render_blocks(clause.text, table_id="" if prefix else anchor)) or ["&nbsp;"]
    if blocks[0].startswith("<table"):
        if not prefix:
            return "\n\n".join(blocks)
        blocks.insert(0, "")  # the number on a line of its own, above the table
    ident = f' id="{anchor}"' if anchor else ""
    first = f"<p{ident}>{f'{prefix} {blocks[0]}'.strip()}</p>"
    return "\n\n".join([first, *map(_raw_block, blocks[1:])])


def _raw_block(block: str) -> str:
    """A block of `render_blocks` as raw HTML: a paragraph in `<p>`, a table as it is."""
    return block if block.startswith("<table") else f"<p>{block}</p>"
