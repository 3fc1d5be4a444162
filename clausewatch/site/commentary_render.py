"""Commentary as the site shows it: a `!!! commentary "Title"` admonition next to its clause.

Pure. The body is contributed Markdown: everything but plain Markdown is neutralized
(`escape.commentary_markdown`); titles, authors and clause ids are escaped for their contexts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from clausewatch.commentary.anchor import Anchor, anchor_commentary, names_change
from clausewatch.models import Clause, Commentary
from clausewatch.site.escape import (
    admonition_title,
    commentary_markdown,
    commentary_url,
    is_safe_commentary_url,
    markdown_text,
)

_ANCHOR_NOTES = {
    "quote": "This commentary was written for clause {clause}; the clause was found again by its words.",
    "lost": "This commentary refers to clause {clause}, which could not be found in this version "
            "(it may have been removed or rewritten); it is shown here so that it is not lost.",
}


def commentary_id(commentary: Commentary) -> str:
    """The anchor of a commentary on its change page (on its byline, next to its clause): `_commentary-`
    and its file's name, which no clause id can take (clause ids have no `_`)."""
    stem = commentary.path.replace("\\", "/").rsplit("/", 1)[-1].removesuffix(".md")
    return "_commentary-" + (re.sub(r"[^a-z0-9-]+", "-", stem.lower()).strip("-") or "note")


def render_commentary(commentary: Commentary, anchor: Anchor) -> str:
    """A `!!! commentary "Title"` admonition (Markdown): byline, sources, anchor note, safe body."""
    byline = "Commentary by " + ", ".join(markdown_text(a) for a in commentary.authors)
    if commentary.status == "draft":
        byline += " (draft)"
    lines = [f"*{byline}*", f"{{: #{commentary_id(commentary)} }}", ""]
    note = _ANCHOR_NOTES.get(anchor.how)
    if note:
        lines += [f"*{note.format(clause=markdown_text(commentary.clause or ''))}*", ""]
    lines += commentary_markdown(commentary.body).strip("\n").splitlines()
    if commentary.sources:
        links = ", ".join(f"[{i}]({commentary_url(url)})" for i, url in enumerate(commentary.sources, 1)
                          if is_safe_commentary_url(url))
        lines += ["", f"Sources: {links}"]
    indented = "\n".join(f"    {line}" if line.strip() else "" for line in lines)
    kind = "commentary lost" if anchor.how == "lost" else "commentary"
    return f'!!! {kind} "{admonition_title(commentary.title)}"\n\n{indented}\n'


def place_commentary(
    commentaries: Iterable[Commentary], change: str, commit: str,
    before: Sequence[Clause], after: Sequence[Clause], *, drafts: bool = False,
) -> tuple[dict[str, list[str]], list[str]]:
    """Rendered commentary of one change page (`change`: its `YYYY-MM-DD[-N]` name, `commit`: its id):
    ({clause id: admonitions next to that clause}, [admonitions for the whole change or lost])."""
    by_clause: dict[str, list[str]] = {}
    unanchored: list[str] = []
    for item in commentaries:
        if not names_change(item.change, change, commit) or (item.status == "draft" and not drafts):
            continue
        anchor = anchor_commentary(item, before, after)
        rendered = render_commentary(item, anchor)
        if anchor.clause_id:
            by_clause.setdefault(anchor.clause_id, []).append(rendered)
        else:
            unanchored.append(rendered)
    return by_clause, unanchored
