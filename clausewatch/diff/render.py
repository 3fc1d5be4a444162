"""Renderers of a clause diff for terminals and tools: plain text (`render_text`) and JSON
(`diff_to_json`), and the pieces every renderer shares: the one-line summary, a change's title, its
word operations with long unchanged runs collapsed, where a moved clause now stands.

The site's Markdown rendering is `clausewatch.site.diff_markdown` (it escapes untrusted text through
`clausewatch.site.escape`); nothing here escapes, because nothing here is HTML or Markdown.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from clausewatch.diff.clauses import full_text, unique_id
from clausewatch.diff.markup import plain_text
from clausewatch.models import Clause, ClauseChange, Diff, DiffSummary, WordOp

_SPACES = re.compile(r"\s+")
CONTEXT_WORDS = 12
"""Unchanged words kept on each side of a change; the rest of an unchanged run is collapsed."""

KIND_LABEL = {"added": "Added", "removed": "Removed", "modified": "Modified", "moved": "Moved",
               "split": "Split", "merged": "Merged"}


def summary_line(summary: DiffSummary) -> str:
    """One line such as `2 clauses changed, 1 added, 24 renumbered` (or `no changes`)."""
    counts = [(summary.modified, "changed"), (summary.added, "added"), (summary.removed, "removed"),
              (summary.moved, "moved"), (summary.renumbered, "renumbered")]
    parts = [(n, label) for n, label in counts if n]
    if not parts:
        return "no changes"
    first_n, first_label = parts[0]
    noun = "clause" if first_n == 1 else "clauses"
    return ", ".join([f"{first_n} {noun} {first_label}", *(f"{n} {label}" for n, label in parts[1:])])


def _number_change(change: ClauseChange) -> str:
    before = change.before.number if change.before else None
    after = change.after.number if change.after else None
    if before and after and before != after:
        return f"{before} → {after}"
    return after or before or ""


def change_title(change: ClauseChange, headings: tuple[dict[str, str], dict[str, str]]) -> str:
    """`7. → 8. Arbitration`, or for a clause without heading `Fees: Taxes are extra …` (its parent's)."""
    clause = change.after or change.before
    if clause is None:
        return ""
    heading = plain_text(clause.heading) if clause.heading else ""
    if not heading:
        words = first_words(plain_text(clause.text), 10)
        parent = headings[1 if change.after else 0].get(clause.parent or "")
        heading = f"{plain_text(parent)}: {words}" if parent else words
    number = _number_change(change)
    title = f"{number} {heading}" if number else heading
    return " ".join(title.split())  # one line: a heading (and its `{ #anchor }`) cannot span lines


def headings_of(diff: Diff) -> tuple[dict[str, str], dict[str, str]]:
    """Clause id → heading in the old and in the new version, for titling clauses without one."""
    before = {c.id: c.heading for c in diff.before if c.heading}
    return before, {c.id: c.heading for c in diff.after if c.heading}


def first_words(text: str, n: int) -> str:
    words = _SPACES.split(text.strip())
    return " ".join(words[:n]) + (" …" if len(words) > n else "")


def body_ops(change: ClauseChange) -> tuple[WordOp, ...]:
    """The word diff of a change over the words a reader reads (`markup.plain_text`): its own, or the
    whole text inserted (added) or deleted (removed)."""
    if change.words:
        return change.words
    if change.kind == "added" and change.after:
        return (WordOp("insert", plain_text(full_text(change.after))),)
    if change.kind == "removed" and change.before:
        return (WordOp("delete", plain_text(full_text(change.before))),)
    return ()


def _collapse(text: str, *, keep_start: bool, keep_end: bool) -> str:
    """An unchanged run shortened to its context words next to the changes around it."""
    words = _SPACES.split(text)
    if len(words) <= 2 * CONTEXT_WORDS + 1:
        return text
    head = " ".join(words[:CONTEXT_WORDS]) + " " if keep_start else ""
    tail = " " + " ".join(words[-CONTEXT_WORDS:]) if keep_end else ""
    return f"{head}…{tail}"


def collapsed_ops(ops: tuple[WordOp, ...]) -> list[WordOp]:
    out: list[WordOp] = []
    for index, op in enumerate(ops):
        if op.op == "equal" and len(ops) > 1:
            text = _collapse(op.text, keep_start=index > 0, keep_end=index < len(ops) - 1)
            out.append(WordOp("equal", text))
        else:
            out.append(op)
    return out


def render_text(diff: Diff) -> str:
    """The diff for a terminal: one block per section change, its clauses' changes inside it,
    `[-deleted-]{+inserted+}` in each."""
    lines = [summary_line(diff.summary)]
    headings = headings_of(diff)
    index = {c.id: k for k, c in enumerate(diff.after)}
    for item in anchor_changes(diff.changes):
        change = item.change
        lines.append("")
        lines.append(f"== {change.kind} ({change.change_class}): {change_title(change, headings)}  "
                     f"#{item.anchor}".rstrip())
        lines.extend(_text_notes(change, placement(change, diff.after, index)))
        for part, anchor in item.parts:
            if anchor != item.anchor:
                lines.append(f"   -- {part.kind} ({part.change_class}): {change_title(part, headings)}  #{anchor}")
                lines.extend("   " + note for note in _text_notes(part, placement(part, diff.after, index)))
            body = "".join(_text_op(op) for op in collapsed_ops(body_ops(part)))
            if body.strip():
                lines.extend("   " + line for line in body.strip("\n").split("\n"))
    return "\n".join(lines) + "\n"


def _text_op(op: WordOp) -> str:
    if op.op != "equal" and not op.text.strip():
        return " " if op.op == "insert" else ""
    if op.op == "insert":
        return f"{{+{op.text}+}}"
    if op.op == "delete":
        return f"[-{op.text}-]"
    return op.text


def placement(change: ClauseChange, after: tuple[Clause, ...], index: dict[str, int]) -> str:
    """Where a moved clause now stands: `now after “Fees”` (the previous clause at its level or above)."""
    if change.after is None:
        return ""
    k = index.get(change.after.id, 0)
    previous = next((c for c in reversed(after[:k]) if c.level <= change.after.level), None)
    if previous is None:
        return "now at the start"
    return f"now after “{plain_text(previous.heading or '') or first_words(plain_text(previous.text), 8)}”"


def moved_note(change: ClauseChange, where: str) -> str:
    """`moved from §4 to §10.1` when both numbers are known, else `moved, now after “Fees”`."""
    old = change.before.number if change.before else None
    new = change.after.number if change.after else None
    if old and new and old != new:
        return f"moved from §{old.rstrip('.')} to §{new.rstrip('.')}"
    return f"moved, {where}" if where else "moved"


def _text_notes(change: ClauseChange, where: str) -> list[str]:
    notes = []
    if change.kind == "moved":
        unchanged = not change.words and not change.parts
        notes.append(f"   ({moved_note(change, where)}{'; wording unchanged' if unchanged else ''})")
    if change.rewritten:
        notes.append("   (rewritten: it keeps less than half of its words)")
    if change.kind in ("split", "merged") and change.others:
        ids = ", ".join(c.id for c in change.others)
        notes.append(f"   ({'split into' if change.kind == 'split' else 'merged with'} also: {ids})")
    return notes


@dataclass(frozen=True, slots=True)
class Anchored:
    """A change with its anchor on the change page, and each of its clause changes with theirs (the
    change itself when it has no parts; a part for the section's own heading shares the card's)."""

    change: ClauseChange
    anchor: str
    parts: tuple[tuple[ClauseChange, str], ...]


def anchor_changes(changes: Sequence[ClauseChange], prefix: str = "") -> list[Anchored]:
    """Anchors of the cards and clauses of a change page: clause ids (`prefix` + id), made unique in
    reading order with `-2`, `-3`. The one rule every page and link of the site follows."""
    used: set[str] = set()
    out = []
    for change in changes:
        root = change.after or change.before
        anchor = unique_id(f"{prefix}{_clause_id(root)}", used)
        parts = []
        for part in change.parts or (change,):
            clause = part.after or part.before
            same = part is change or (clause is not None and root is not None and clause.id == root.id)
            parts.append((part, anchor if same else unique_id(f"{prefix}{_clause_id(clause)}", used)))
        out.append(Anchored(change, anchor, tuple(parts)))
    return out


def change_anchors(changes: Sequence[ClauseChange], prefix: str = "") -> list[str]:
    """The anchor of each change's card on its page (see `anchor_changes`)."""
    return [item.anchor for item in anchor_changes(changes, prefix)]


def _clause_id(clause: Clause | None) -> str:
    return clause.id if clause is not None else "clause"


def _clause_json(clause: Clause | None) -> dict[str, Any] | None:
    if clause is None:
        return None
    return {"id": clause.id, "number": clause.number, "heading": clause.heading, "text": clause.text}


def _change_json(c: ClauseChange) -> dict[str, Any]:
    return {
        "kind": c.kind,
        "class": c.change_class,
        "before": _clause_json(c.before),
        "after": _clause_json(c.after),
        "topics": list(c.topics),
        "renumbered": c.renumbered,
        "words": [{"op": op.op, "text": op.text} for op in c.words],
        "others": [_clause_json(o) for o in c.others],
        "rewritten": c.rewritten,
        "parts": [_change_json(p) for p in c.parts],
    }


def diff_to_json(diff: Diff) -> dict[str, Any]:
    """The diff as JSON-ready data: one change per section (a heading and its clauses: `before`/`after`
    are the whole section, `parts` the changes of its clauses), with `words`, `renumbered`, `others` and
    `rewritten` (a pairing that kept less than half of its words)."""
    return {"changes": [_change_json(c) for c in diff.changes], "summary": asdict(diff.summary)}
