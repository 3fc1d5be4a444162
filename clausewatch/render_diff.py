"""Renderers of a clause diff: Markdown for the site, plain text for terminals, JSON for tools.

Scraped text is untrusted. `escape_untrusted` turns every character that HTML or the site's Markdown
(Python-Markdown with toc, attr_list, admonition, pymdownx.details) could act on into a numeric
character reference, so the text shows as written and never becomes a tag, a link, an attribute list,
an emphasis, a heading, a list or an admonition, even with extensions the site does not enable
(tables, critic, caret, tilde, mark): `& < > [ ] * _ \\ ` { } | # ~ ^ = +` anywhere, and at the start
of a line also `- ! ? :` and a `1.` that would start a list. Characters that are inert in
running text (`( ) - : ' " .` mid-line) stay as they are: escaping them too made two entities in three
of the 1.2 million on 3,000 imported pages, and about 10% of MkDocs' build time (one inline pattern
match per entity). `escape_strict`
escapes quotes and every punctuation mark too, for text inside a quoted title. Only the markup this
module writes itself (`<ins>`, `<del>`, headings with `{ #id }`) is live.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from clausewatch.clauses import full_text, unique_id
from clausewatch.models import Clause, ClauseChange, Diff, DiffSummary, WordOp

_ESCAPED = "&<>[]{}*_\\`|#~^=+"
_ESCAPE_TABLE = {ord(ch): f"&#{ord(ch)};" for ch in _ESCAPED}
_STRICT = _ESCAPED + "\"'()!-:$%@"
_STRICT_TABLE = {ord(ch): f"&#{ord(ch)};" for ch in _STRICT}
_LIST_START = re.compile(r"^(\s*\d+)\.", re.MULTILINE)
_LINE_START = re.compile(r"^(\s*)([-!?:])", re.MULTILINE)
_SPACES = re.compile(r"\s+")
CONTEXT_WORDS = 12
"""Unchanged words kept on each side of a change; the rest of an unchanged run is collapsed."""

_KIND_LABEL = {"added": "Added", "removed": "Removed", "modified": "Modified", "moved": "Moved",
               "split": "Split", "merged": "Merged"}


def escape_untrusted(text: str) -> str:
    """`text` with every HTML/Markdown-active character as a numeric entity: inert in running text."""
    escaped = _LIST_START.sub(r"\1&#46;", text.translate(_ESCAPE_TABLE))
    return _LINE_START.sub(lambda m: f"{m.group(1)}&#{ord(m.group(2))};", escaped)


def escape_strict(text: str) -> str:
    """`text` with every punctuation mark Markdown or HTML could act on as an entity, quotes included:
    for text inside a quoted admonition title or anywhere a quote would end something."""
    return _LIST_START.sub(r"\1&#46;", text.translate(_STRICT_TABLE))


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


def _title(change: ClauseChange, headings: tuple[dict[str, str], dict[str, str]]) -> str:
    """`7. → 8. Arbitration`, or for a clause without heading `Fees: Taxes are extra …` (its parent's)."""
    clause = change.after or change.before
    if clause is None:
        return ""
    heading = clause.heading
    if not heading:
        words = _first_words(clause.text, 10)
        parent = headings[1 if change.after else 0].get(clause.parent or "")
        heading = f"{parent}: {words}" if parent else words
    number = _number_change(change)
    title = f"{number} {heading}" if number else heading
    return " ".join(title.split())  # one line: a heading (and its `{ #anchor }`) cannot span lines


def _headings(diff: Diff) -> tuple[dict[str, str], dict[str, str]]:
    """Clause id → heading in the old and in the new version, for titling clauses without one."""
    before = {c.id: c.heading for c in diff.before if c.heading}
    return before, {c.id: c.heading for c in diff.after if c.heading}


def _first_words(text: str, n: int) -> str:
    words = _SPACES.split(text.strip())
    return " ".join(words[:n]) + (" …" if len(words) > n else "")


def _body_ops(change: ClauseChange) -> tuple[WordOp, ...]:
    if change.words:
        return change.words
    if change.kind == "added" and change.after:
        return (WordOp("insert", full_text(change.after)),)
    if change.kind == "removed" and change.before:
        return (WordOp("delete", full_text(change.before)),)
    return ()


def _collapse(text: str, *, keep_start: bool, keep_end: bool) -> str:
    """An unchanged run shortened to its context words next to the changes around it."""
    words = _SPACES.split(text)
    if len(words) <= 2 * CONTEXT_WORDS + 1:
        return text
    head = " ".join(words[:CONTEXT_WORDS]) + " " if keep_start else ""
    tail = " " + " ".join(words[-CONTEXT_WORDS:]) if keep_end else ""
    return f"{head}…{tail}"


def _collapsed_ops(ops: tuple[WordOp, ...]) -> list[WordOp]:
    out: list[WordOp] = []
    for index, op in enumerate(ops):
        if op.op == "equal" and len(ops) > 1:
            text = _collapse(op.text, keep_start=index > 0, keep_end=index < len(ops) - 1)
            out.append(WordOp("equal", text))
        else:
            out.append(op)
    return out


def render_text(diff: Diff) -> str:
    """The diff for a terminal: one block per change, `[-deleted-]{+inserted+}` inside."""
    lines = [summary_line(diff.summary)]
    headings = _headings(diff)
    index = {c.id: k for k, c in enumerate(diff.after)}
    for change in diff.changes:
        clause = change.after or change.before
        anchor = f"#{clause.id}" if clause else ""
        lines.append("")
        title = _title(change, headings)
        lines.append(f"== {change.kind} ({change.change_class}): {title}  {anchor}".rstrip())
        lines.extend(_text_notes(change, placement(change, diff.after, index)))
        body = "".join(_text_op(op) for op in _collapsed_ops(_body_ops(change)))
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
    return f"now after “{previous.heading or _first_words(previous.text, 8)}”"


def _text_notes(change: ClauseChange, where: str) -> list[str]:
    notes = []
    if change.kind == "moved":
        notes.append(f"   (moved, {where}{'' if change.words else '; wording unchanged'})")
    if change.kind in ("split", "merged") and change.others:
        ids = ", ".join(c.id for c in change.others)
        notes.append(f"   ({'split into' if change.kind == 'split' else 'merged with'} also: {ids})")
    return notes


def render_markdown(diff: Diff, *, anchor_prefix: str = "") -> str:
    """The diff as site Markdown: a heading with the clause id as anchor per change, `<ins>`/`<del>`."""
    parts = [f"**{escape_untrusted(summary_line(diff.summary))}**", ""]
    headings = _headings(diff)
    index = {c.id: k for k, c in enumerate(diff.after)}
    for change, anchor in zip(diff.changes, change_anchors(diff.changes, anchor_prefix), strict=True):
        where = placement(change, diff.after, index) if change.kind == "moved" else ""
        parts.extend(_markdown_change(change, anchor, _title(change, headings), where))
    unchanged = len(diff.after) - sum(1 for c in diff.changes if c.after is not None)
    if diff.changes and unchanged > 0:
        parts.append(f"*{unchanged} other clause{'s' if unchanged != 1 else ''} unchanged (not shown).*")
        parts.append("")
    return "\n".join(parts)


def change_anchors(changes: Sequence[ClauseChange], prefix: str = "") -> list[str]:
    """The anchor of each change on its page: the clause id (`prefix` + id), made unique with `-2`, `-3`."""
    used: set[str] = set()
    return [unique_id(f"{prefix}{(c.after or c.before).id if (c.after or c.before) else 'clause'}", used)
            for c in changes]


def _markdown_change(change: ClauseChange, anchor: str, title: str, where: str) -> list[str]:
    title = escape_untrusted(title)
    label = _KIND_LABEL[change.kind]
    meta = f"*{label} · {change.change_class}*"
    if change.renumbered and change.kind != "added":
        meta += " · renumbered"
    lines = [f"### {title} {{ #{anchor} }}", "", meta, ""]
    if change.kind in ("split", "merged") and change.others:
        verb = "Split into" if change.kind == "split" else "Merged from"
        count = len(change.others) + 1
        lines += [f"*{verb} {count} clauses.*", ""]
    if change.kind == "moved":
        lines += [f"*Moved, {escape_untrusted(where)}{'' if change.words else '; wording unchanged'}.*", ""]
        if not change.words:
            return lines
    body = "".join(_markdown_op(op) for op in _collapsed_ops(_body_ops(change)))
    if body.strip():
        lines += [body.strip(), ""]
    return lines


def _markdown_op(op: WordOp) -> str:
    if op.op != "equal" and not op.text.strip():
        return " " if op.op == "insert" else ""
    text = escape_untrusted(_SPACES.sub(" ", op.text)) if op.text.strip() else " " if op.text else ""
    if op.op == "insert":
        return f"<ins>{text}</ins>"
    if op.op == "delete":
        return f"<del>{text}</del>"
    return text


def _clause_json(clause: Clause | None) -> dict[str, Any] | None:
    if clause is None:
        return None
    return {"id": clause.id, "number": clause.number, "heading": clause.heading, "text": clause.text}


def diff_to_json(diff: Diff) -> dict[str, Any]:
    """The diff as JSON-ready data, in the shape of issue 2 (plus `words`, `renumbered`, `others`)."""
    changes = [
        {
            "kind": c.kind,
            "class": c.change_class,
            "before": _clause_json(c.before),
            "after": _clause_json(c.after),
            "topics": list(c.topics),
            "renumbered": c.renumbered,
            "words": [{"op": op.op, "text": op.text} for op in c.words],
            "others": [_clause_json(o) for o in c.others],
        }
        for c in diff.changes
    ]
    return {"changes": changes, "summary": asdict(diff.summary)}
