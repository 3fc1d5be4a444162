"""A clause diff as site Markdown: one card per changed clause, `<ins>`/`<del>` inside.

Pure. Every scraped string goes through `clausewatch.site.escape`; the only live markup is what this
module writes (`<ins>`, `<del>`, headings with `{ #anchor }`). What a page shows after a clause's card
(its commentary, an "Add commentary" link) is passed in, keyed by the card's anchor, and rendered in
place: nothing searches the rendered text afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from clausewatch.diff.render import (
    KIND_LABEL,
    body_ops,
    change_anchors,
    change_title,
    collapsed_ops,
    headings_of,
    placement,
    summary_line,
)
from clausewatch.models import ClauseChange, Diff, WordOp
from clausewatch.site.escape import markdown_text

_SPACES = re.compile(r"\s+")


def render_markdown(diff: Diff, *, anchor_prefix: str = "", after_card: Mapping[str, str] | None = None) -> str:
    """The diff as site Markdown: a heading with the clause id as anchor per change.

    `after_card`: Markdown shown right after the card of the change with that anchor (commentary).
    """
    after_card = after_card or {}
    parts = [f"**{markdown_text(summary_line(diff.summary))}**", ""]
    headings = headings_of(diff)
    index = {c.id: k for k, c in enumerate(diff.after)}
    for change, anchor in zip(diff.changes, change_anchors(diff.changes, anchor_prefix), strict=True):
        where = placement(change, diff.after, index) if change.kind == "moved" else ""
        parts.extend(_markdown_change(change, anchor, change_title(change, headings), where))
        if after_card.get(anchor):
            parts += [after_card[anchor].strip("\n"), ""]
    unchanged = len(diff.after) - sum(1 for c in diff.changes if c.after is not None)
    if diff.changes and unchanged > 0:
        parts.append(f"*{unchanged} other clause{'s' if unchanged != 1 else ''} unchanged (not shown).*")
        parts.append("")
    return "\n".join(parts)


def _markdown_change(change: ClauseChange, anchor: str, title: str, where: str) -> list[str]:
    title = markdown_text(title)
    label = KIND_LABEL[change.kind]
    meta = f"*{label} · {change.change_class}*"
    if change.renumbered and change.kind != "added":
        meta += " · renumbered"
    lines = [f"### {title} {{ #{anchor} }}", "", meta, ""]
    if change.kind in ("split", "merged") and change.others:
        verb = "Split into" if change.kind == "split" else "Merged from"
        count = len(change.others) + 1
        lines += [f"*{verb} {count} clauses.*", ""]
    if change.kind == "moved":
        lines += [f"*Moved, {markdown_text(where)}{'' if change.words else '; wording unchanged'}.*", ""]
        if not change.words:
            return lines
    body = "".join(_markdown_op(op) for op in collapsed_ops(body_ops(change)))
    if body.strip():
        lines += [body.strip(), ""]
    return lines


def _markdown_op(op: WordOp) -> str:
    if op.op != "equal" and not op.text.strip():
        return " " if op.op == "insert" else ""
    text = markdown_text(_SPACES.sub(" ", op.text)) if op.text.strip() else " " if op.text else ""
    if op.op == "insert":
        return f"<ins>{text}</ins>"
    if op.op == "delete":
        return f"<del>{text}</del>"
    return text
