"""Sections: a heading and the clauses under it are the unit a reader sees.

The alignment pairs clauses one by one (paragraphs, list items, headings): that is what makes it
precise. A reader, though, reads *sections*: adding "1. Eligibility — You must be 16 or older." is one
addition, not a heading with no text plus a paragraph. `group_sections` turns the clause changes of a
diff into section changes:

- a clause's section is its nearest ancestor-or-self that has a heading (a Markdown heading, a numbered
  title, a bold lead-in such as `**10.1 Customer Content.**`); a clause under no heading is a section
  of its own, and so is every clause of a heading that holds more than `MAX_MEMBERS` of them (the
  document's title over a long text: grouping would make the whole document one card);
- the changes of one section (in the new version, or in the old one when the whole section is gone)
  become one `ClauseChange` whose `before`/`after` are the section (its heading, and its clauses' texts
  joined) and whose `parts` are the clause changes inside it, so anchors and commentary keep landing on
  the paragraph they name;
- a section that is one clause stays that clause's change, `parts` empty: nothing changes for texts
  without headings.

Pure; `compare.diff_clauses` calls it with the alignment's pairings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from clausewatch.diff.clauses import full_text
from clausewatch.models import ChangeClass, ChangeKind, Clause, ClauseChange

MAX_MEMBERS = 30
"""A heading over more clauses than this does not group them (a document title over its whole text)."""
CLASS_ORDER: tuple[ChangeClass, ...] = ("substantive", "links", "cosmetic")
"""A section's class is the first of these that one of its parts has."""


@dataclass(frozen=True, slots=True)
class Placed:
    """One clause change with where its clauses stand: indices in the old and the new version."""

    change: ClauseChange
    old: tuple[int, ...]
    new: tuple[int, ...]


def section_roots(clauses: Sequence[Clause]) -> list[int]:
    """For each clause, the index of its section's root (itself when it heads one or stands alone)."""
    index = {c.id: k for k, c in enumerate(clauses)}
    roots = []
    for k, clause in enumerate(clauses):
        root, node = k, clause
        while not node.heading and node.parent in index:
            parent = index[node.parent]
            if clauses[parent].heading:
                root = parent
                break
            node = clauses[parent]
        roots.append(root if clauses[root].heading else k)
    members: dict[int, int] = {}
    for k, root in enumerate(roots):
        if root != k:
            members[root] = members.get(root, 0) + 1
    return [k if members.get(root, 0) > MAX_MEMBERS else root for k, root in enumerate(roots)]


def section_clause(clauses: Sequence[Clause], roots: Sequence[int], root: int) -> Clause:
    """A section as one clause: the root's id, number and heading; the texts of its clauses joined."""
    head = clauses[root]
    body = [head.text] if head.text else []
    body += [full_text(c) for k, c in enumerate(clauses) if roots[k] == root and k != root]
    return Clause(head.id, head.number, head.heading, "\n\n".join(t for t in body if t), head.kind, head.level,
                  head.parent)


def section_size(roots: Sequence[int], root: int) -> int:
    return sum(1 for r in roots if r == root)


def group_sections(
    before: Sequence[Clause], after: Sequence[Clause], placed: Sequence[Placed], root_pairs: dict[int, int],
    moved_roots: frozenset[int] = frozenset(),
) -> tuple[ClauseChange, ...]:
    """The section changes of a diff, in the order of `placed` (reading order of the new version).

    `root_pairs`: old clause index → new clause index for every paired clause (changed or not);
    `moved_roots`: new indices of clauses whose pairing is a move.
    """
    old_roots, new_roots = section_roots(before), section_roots(after)
    paired_new = set(root_pairs.values())
    new_roots = _absorb_added(after, new_roots, paired_new)
    old_roots = _absorb_added(before, old_roots, set(root_pairs))
    groups: dict[tuple[str, int], list[Placed]] = {}
    for item in placed:
        groups.setdefault(_section_key(item, old_roots, new_roots, root_pairs), []).append(item)
    new_to_old = {j: i for i, j in root_pairs.items()}
    out = []
    for (side, root), items in groups.items():
        old_root = root if side == "old" else new_to_old.get(root)
        new_root = root if side == "new" else None
        out.append(_section_change(before, after, old_roots, new_roots, old_root, new_root, items,
                                   moved=new_root in moved_roots))
    return tuple(out)


def _absorb_added(clauses: Sequence[Clause], roots: list[int], paired: set[int]) -> list[int]:
    """A section that is new (no clause of it paired) inside another new section belongs to it: adding
    "10. Customer Content" with its "10.1 **Definitions.**" is one addition (and so for removals, seen
    from the old version)."""
    index = {c.id: k for k, c in enumerate(clauses)}
    parent_root: dict[int, int] = {}
    for root in set(roots):
        parent = index.get(clauses[root].parent or "")
        if parent is not None:
            parent_root[root] = roots[parent]
    fresh = set(roots) - {roots[k] for k in paired if k < len(roots)}  # sections none of whose clauses paired
    out = []
    for root in roots:
        top = root
        while top in fresh and parent_root.get(top) in fresh and parent_root[top] != top:
            top = parent_root[top]
        out.append(top)
    return out


def _section_key(item: Placed, old_roots: Sequence[int], new_roots: Sequence[int],
                 root_pairs: dict[int, int]) -> tuple[str, int]:
    if item.new:
        return ("new", new_roots[item.new[0]])
    old_root = old_roots[item.old[0]]
    paired = root_pairs.get(old_root)
    return ("new", new_roots[paired]) if paired is not None else ("old", old_root)


def _section_change(
    before: Sequence[Clause], after: Sequence[Clause], old_roots: Sequence[int], new_roots: Sequence[int],
    old_root: int | None, new_root: int | None, items: list[Placed], *, moved: bool,
) -> ClauseChange:
    """One section's change; the single clause change itself when the section is that one clause."""
    old_size = section_size(old_roots, old_root) if old_root is not None else 0
    new_size = section_size(new_roots, new_root) if new_root is not None else 0
    parts = tuple(item.change for item in items)
    if len(parts) == 1 and old_size <= 1 and new_size <= 1:
        return parts[0]
    old = section_clause(before, old_roots, old_root) if old_root is not None else None
    new = section_clause(after, new_roots, new_root) if new_root is not None else None
    kind: ChangeKind = "added" if old is None else "removed" if new is None else "moved" if moved else "modified"
    renumbered = bool(old and new and old.number and new.number and _number_key(old.number) != _number_key(new.number))
    change_class: ChangeClass = next((c for c in CLASS_ORDER if any(p.change_class == c for p in parts)), "cosmetic")
    return ClauseChange(kind, change_class, old, new, renumbered=renumbered, parts=parts)


def _number_key(number: str) -> str:
    return " ".join(number.lower().rstrip(".:)").replace("(", "").split())


def clause_changes(changes: Sequence[ClauseChange]) -> tuple[ClauseChange, ...]:
    """The clause-level changes of section changes (each section's parts, or the change itself)."""
    return tuple(part for change in changes for part in (change.parts or (change,)))
