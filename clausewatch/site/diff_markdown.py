"""A clause diff as site Markdown: one card per changed section, its clauses' changes inside it.

Pure. Cards come in document order; those that leave the wording as it was (moved, renumbered,
formatting, links) are folded behind one "details" block at the end, so the substantive ones come
first. A clause that kept less than half of its words is shown as "Rewritten": its old and new text as
two blocks (side by side on wide screens, stacked on phones) instead of interleaved words.

Every scraped string goes through `clausewatch.site.escape`; the only live markup is what this
module writes (`<ins>`, `<del>`, headings with `{ #anchor }`, the rewrite blocks). What a page shows
after a card or a clause (commentary, "Add commentary" and "Cite this clause") is passed in, keyed by
anchor, and rendered in place: nothing searches the rendered text afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from clausewatch.diff.markup import plain_spans
from clausewatch.diff.render import (
    CONTEXT_WORDS,
    KIND_LABEL,
    Anchored,
    anchor_changes,
    body_ops,
    change_title,
    headings_of,
    moved_note,
    placement,
    summary_line,
)
from clausewatch.models import Clause, ClauseChange, Diff
from clausewatch.site.archived import DEL_OPEN, INS_OPEN, change_texts, render_ops, styled
from clausewatch.site.escape import markdown_text
from clausewatch.slugs import is_slug

_SPACES = re.compile(r"\s+")
Extras = Callable[[str, ClauseChange], str]
"""Markdown shown at the end of a card: (card anchor, section change) → Markdown (e.g. "Cite this clause")."""


def render_markdown(diff: Diff, *, anchor_prefix: str = "", after_card: Mapping[str, str] | None = None,
                    card_footer: Extras | None = None) -> str:
    """The diff as site Markdown: the summary, the substantive cards, then the others folded.

    `after_card`: Markdown shown right after the card or clause with that anchor (commentary);
    `card_footer`: Markdown closing each card (its citation).
    """
    after_card = after_card or {}
    headings = headings_of(diff)
    index = {c.id: k for k, c in enumerate(diff.after)}
    main: list[str] = []
    folded: list[str] = []
    for item in anchor_changes(diff.changes, anchor_prefix):
        lines = _card(item, headings, diff.after, index, after_card,
                      heading=item.change.change_class == "substantive")
        if card_footer is not None:
            footer = card_footer(item.anchor, item.change)
            lines += [footer.strip("\n"), ""] if footer.strip() else []
        (main if item.change.change_class == "substantive" else folded).extend(lines)
    parts = [f"**{markdown_text(summary_line(diff.summary))}**", "", *main]
    if folded:
        count = sum(1 for c in diff.changes if c.change_class != "substantive")
        label = (f"{count} change{'s' if count != 1 else ''} that leave{'s' if count == 1 else ''} the wording "
                 "as it was (moved, renumbered, formatting or links)")
        lines = [line for block in folded for line in block.split("\n")]
        parts += [f'??? note "{label}"', "", *(f"    {line}" if line else "" for line in lines)]
    unchanged = len(diff.after) - sum(1 for c in diff.changes for p in (c.parts or (c,)) if p.after is not None)
    if diff.changes and unchanged > 0:
        parts += [f"*{unchanged} other clause{'s' if unchanged != 1 else ''} unchanged (not shown).*", ""]
    return "\n".join(parts)


def _card(item: Anchored, headings: tuple[dict[str, str], dict[str, str]], after: tuple[Clause, ...],
          index: dict[str, int], extras: Mapping[str, str], *, heading: bool = True) -> list[str]:
    """One card; its title a heading (in the table of contents) for a substantive change, a bold line
    for the folded ones (moved, renumbered, formatting: the contents list what matters)."""
    change = item.change
    where = placement(change, after, index) if change.kind == "moved" else ""
    meta = f"*{KIND_LABEL[change.kind]} · {change.change_class}*"
    if change.renumbered and change.kind != "added":
        meta += " · renumbered"
    if change.kind == "moved":
        unchanged = not change.words and not change.parts
        meta += f" · {markdown_text(moved_note(change, where))}{'; wording unchanged' if unchanged else ''}"
    title = markdown_text(change_title(change, headings)) or "(a clause without words)"  # `****` reads as a rule
    lines = [f"### {title} {{ #{item.anchor} }}" if heading else f"**{title}**\n{{: #{item.anchor} .cw-card-title }}",
             "", meta + "\n{: .cw-card-meta }", ""]
    parts = list(item.parts)
    k = 0
    while k < len(parts):
        part, anchor = parts[k]
        pair = _replacement(parts, k, item.anchor)
        if pair is not None:  # one clause removed where another was added: shown as a rewrite
            (old, old_anchor), (new, new_anchor) = pair
            lines += [_rewrite_block(change_texts(old)[0], change_texts(new)[1], old_anchor, new_anchor), ""]
            lines += [extras[a].strip("\n") + "\n" for a in (old_anchor, new_anchor) if extras.get(a)]
            k += 2
            continue
        lines += _part(part, anchor, anchor == item.anchor, after, index, raw=heading)
        if extras.get(anchor):
            lines += [extras[anchor].strip("\n"), ""]
        k += 1
    return lines


def _replacement(parts: list[tuple[ClauseChange, str]], k: int, card: str
                 ) -> tuple[tuple[ClauseChange, str], tuple[ClauseChange, str]] | None:
    """Parts k and k+1 when one clause of the section is removed right where another is added (the
    alignment found them too different to pair): (removed, added) with their anchors."""
    if k + 1 >= len(parts) or card in (parts[k][1], parts[k + 1][1]):
        return None
    kinds = (parts[k][0].kind, parts[k + 1][0].kind)
    if kinds == ("removed", "added"):
        return parts[k], parts[k + 1]
    if kinds == ("added", "removed"):
        return parts[k + 1], parts[k]
    return None


def _part(change: ClauseChange, anchor: str, is_card: bool, after: tuple[Clause, ...],
          index: dict[str, int], *, raw: bool = False) -> list[str]:
    """One clause change inside its card; its anchor on its first block (the card's heading has it
    already when the clause is the section's own heading).

    With `raw` (a card at the top level of the page, not inside the folded admonition), the word diff is
    written as a raw HTML paragraph, `<p id="…">…</p>`: `render_ops` gives one line of inline HTML whose
    text is all entities, so Markdown has nothing to do in it, and skipping its inline patterns made
    MkDocs 24% faster on the imported bundle's pages (the HTML is the same)."""
    attr = "" if is_card else f"\n{{: #{anchor} }}"
    notes = []
    if change.kind in ("split", "merged") and change.others:
        verb = "Split into" if change.kind == "split" else "Merged from"
        notes.append(f"*{verb} {len(change.others) + 1} clauses.*")
    if not is_card and change.kind == "moved":
        where = markdown_text(moved_note(change, placement(change, after, index)))
        notes.append(f"*{'Moved' if not change.words else 'Moved and changed'}: {where}.*")
    if is_card and change.kind in ("added", "removed") and not (change.after or change.before or _EMPTY).text:
        return []  # a heading added or removed with its section: the card's title says it
    if change.rewritten:
        old_md, new_md = change_texts(change)
        block = _rewrite_block(old_md, new_md, "" if is_card else anchor)
        return [*_blocks(notes), block, ""]
    old_md, new_md = change_texts(change)
    body = render_ops(body_ops(change), old_md, new_md, context_words=CONTEXT_WORDS).strip()
    if not body:
        return [*_blocks(notes[:-1]), notes[-1] + attr, ""] if notes else []
    if raw and (is_card or is_slug(anchor)):
        ident = "" if is_card else f' id="{anchor}"'
        return [*_blocks(notes), f"<p{ident}>{body}</p>", ""]
    return [*_blocks(notes), body + attr, ""]


_EMPTY = Clause("", None, None, "")


def _blocks(lines: list[str]) -> list[str]:
    return [block for line in lines for block in (line, "")]


def _rewrite_block(old: str, new: str, old_anchor: str = "", new_anchor: str = "") -> str:
    """The old and the new text of a rewritten clause as two blocks, side by side on wide screens
    (one raw HTML block, one line); each side carries the anchor of its clause when it has its own."""
    before = f' id="{old_anchor}"' if old_anchor else ""
    after = f' id="{new_anchor}"' if new_anchor and new_anchor != old_anchor else ""
    return (f'<div class="cw-rewrite"><div class="cw-rewrite-side cw-rewrite-before"{before}>'
            f'<p class="cw-rewrite-label">Before (rewritten)</p><p>{DEL_OPEN}{_html_text(old)}</del></p></div>'
            f'<div class="cw-rewrite-side cw-rewrite-after"{after}><p class="cw-rewrite-label">After</p>'
            f'<p>{INS_OPEN}{_html_text(new)}</ins></p></div></div>')


def _html_text(markdown: str) -> str:
    """Archived text inside our raw HTML block: its formatting kept, the rest inert, one line (a blank
    line would end the HTML block), paragraphs as line breaks."""
    return styled(plain_spans(markdown), newline="<br>", fold=True).replace("\n", " ").strip()
