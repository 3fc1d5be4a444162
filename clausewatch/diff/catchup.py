"""A translation catching up: a switch back to a language whose new text only follows a change already
published in the other language (pure).

A page served in two languages (or two dialects) is updated in one first; the other follows days or
months later, and when the tracker next records it, its diff against the last text in its own language
shows the whole change again (tests/data/labels/FINDINGS.md: Verizon's Spanish text `f012fa5e1f`, Amazon
Advertising's French one `6dc2b78266`, Facebook Payments' en-GB texts `57b8d98fd7`, `ca0381b26d`). Wording
cannot be compared across languages, but structure can: a translation of the same revision has the same
clauses in the same order (same kinds: headings, paragraphs, list items). When the new text and the text
it replaces have the same clause structure, clause `i` of one is the translation of clause `i` of the
other, and each clause the switch changes can be checked against its counterpart:

- the counterpart changed since the reference (the other language's text when the last text in this
  language was first recorded): the change follows the other language — a catch-up;
- the counterpart did not: the change is this language's own (a reworded translation, news published
  here first) — not a catch-up, the switch is diffed as before.

Measured (FINDINGS.md, run F): the 28430b81e8 French text adds the English clauses of its last revision
but also rewords clauses whose English counterparts never changed; it stays substantive.
"""

from __future__ import annotations

from collections.abc import Sequence

from clausewatch.diff.classify import clause_key, new_side
from clausewatch.diff.sections import clause_changes
from clausewatch.models import Clause, Diff

SAME_KINDS = 0.9
"""Share of clause positions whose kind (heading, paragraph, item...) must agree: an extractor reads a bold
line as a heading in one language and as a paragraph in the other (Verizon: 541 clauses, a few differ)."""


OWN_SHARE = 0.1
"""At most this share of the changed clauses may be the language's own (a translator's touch-up of one
clause: Facebook Payments' en-GB `57b8d98fd7` adds "any" to one of 12 clauses that follow the en-US
revision); the French text of `28430b81e8` rewords 8 of its 14."""


def shape(clauses: Sequence[Clause]) -> tuple[str, ...]:
    """A text's structure: the kinds of its clauses, in order."""
    return tuple(clause.kind for clause in clauses)


def same_structure(a: Sequence[str], b: Sequence[str]) -> bool:
    """True when two shapes (`shape`) have as many clauses, in the same order by kind (a translation's)."""
    if len(a) != len(b):
        return False
    return sum(x == y for x, y in zip(a, b, strict=True)) >= SAME_KINDS * len(a)


def is_catch_up(diff: Diff, new: Sequence[Clause], replaced: Sequence[Clause],
                reference: Sequence[Clause]) -> bool:
    """True when the clauses the switch changes (`diff`: the last text in its language → `new`) have
    counterparts in the `replaced` text (the other language's, same structure) that were not in the
    `reference` text (the other language's text of the time), all but `OWN_SHARE` of them: it only
    follows the other language."""
    if not same_structure(shape(new), shape(replaced)):
        return False
    position = {clause.id: i for i, clause in enumerate(new)}
    old_keys = {clause_key(clause) for clause in reference}
    changed = [c for change in clause_changes(diff.changes) if change.change_class == "substantive"
               for c in new_side(change)]
    own = sum(clause_key(replaced[position[c.id]]) in old_keys for c in changed)
    return bool(changed) and own <= OWN_SHARE * len(changed)
