"""The clause pairing behind a diff, read back from it: which old clause id became which new one.

A `Diff` lists the clauses that changed (`clause_changes`: added, removed, modified, moved, split,
merged); every other clause kept its words, so it pairs with an old clause of the same id and text, else
of the same text (in order, as the alignment pairs exact texts). `read_pairing` gives the whole pairing
without aligning again; `diff/lineage.py` follows clauses across versions with it. Pure.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Literal

from clausewatch.diff.clauses import full_text
from clausewatch.diff.sections import clause_changes
from clausewatch.models import Clause, Diff

Doubt = Literal["split", "split-from", "merged", "merged-into", "weak", "between"]
"""Why following a clause through a version is a judgement (see `diff/lineage.py`)."""


@dataclass(slots=True)
class ClausePairing:
    """One diff read back as a pairing of clause ids (old → new)."""

    pairs: dict[str, str] = field(default_factory=dict)
    split_parts: dict[str, str] = field(default_factory=dict)
    """New id of a further part of a split → old id of the clause split."""
    merged_parts: dict[str, str] = field(default_factory=dict)
    """Old id of a further clause of a merge → new id of the clause it was merged into."""
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    """New ids of the clauses whose words changed."""
    doubts: dict[str, list[Doubt]] = field(default_factory=lambda: defaultdict(list))
    """New id (old id when removed) → the doubts of its pairing."""


def read_pairing(diff: Diff) -> ClausePairing:
    """The clause pairing behind a diff: its clause changes, and the unchanged clauses paired by id and
    text (a clause without a change kept its words: same id first, then the same text in order)."""
    step = ClausePairing()
    covered_old: set[str] = set()
    covered_new: set[str] = set()
    for change in clause_changes(diff.changes):
        old, new = change.before, change.after
        if old is not None:
            covered_old.add(old.id)
        if new is not None:
            covered_new.add(new.id)
        if old is None and new is not None:
            step.added.append(new.id)
            continue
        if new is None and old is not None:
            step.removed.append(old.id)
            continue
        assert old is not None and new is not None
        step.pairs[old.id] = new.id
        if change.words or change.kind in ("split", "merged") or full_text(old) != full_text(new):
            step.changed.append(new.id)
        if change.kind == "split":
            step.doubts[new.id].append("split")
            for part in change.others:
                covered_new.add(part.id)
                step.split_parts[part.id] = old.id
        elif change.kind == "merged":
            step.doubts[new.id].append("merged")
            for part in change.others:
                covered_old.add(part.id)
                step.merged_parts[part.id] = new.id
        elif change.rewritten and old.id != new.id:
            step.doubts[new.id].append("weak")
    _pair_unchanged(diff, covered_old, covered_new, step)
    return step


def _pair_unchanged(diff: Diff, covered_old: set[str], covered_new: set[str], step: ClausePairing) -> None:
    olds = [c for c in diff.before if c.id not in covered_old]
    news = [c for c in diff.after if c.id not in covered_new]
    old_by_id = {c.id: c for c in olds}
    rest: list[Clause] = []
    taken: set[str] = set()
    for clause in news:
        old = old_by_id.get(clause.id)
        if old is not None and full_text(old) == full_text(clause):
            step.pairs[old.id] = clause.id
            taken.add(old.id)
        else:
            rest.append(clause)
    by_text: dict[str, deque[str]] = defaultdict(deque)
    for old in olds:
        if old.id not in taken:
            by_text[full_text(old)].append(old.id)
    for clause in rest:
        queue = by_text.get(full_text(clause))
        if queue:
            old_id = queue.popleft()
            step.pairs[old_id] = clause.id
            taken.add(old_id)
        else:  # not expected from a diff: said, not guessed
            step.added.append(clause.id)
            step.doubts[clause.id].append("weak")
    step.removed += [c.id for c in olds if c.id not in taken]
