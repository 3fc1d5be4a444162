"""The clause diff facade: split both texts, align their clauses, diff words, classify each change.

Unchanged clauses produce no `ClauseChange`. A clause whose only change is its number is not a
change: it is counted in `summary.renumbered` only. A clause that moved with its words unchanged is
a `moved` change of class `cosmetic` (the reader reads the same words, elsewhere). Topics are left
empty here: `clausewatch.diff.topics.tag_diff` adds them afterwards.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace

from clausewatch.diff import align, clauses
from clausewatch.diff.align import Pairing, align_clauses
from clausewatch.diff.classify import classify_change
from clausewatch.diff.clauses import full_text, split_clauses
from clausewatch.diff.markup import plain_text
from clausewatch.diff.sections import Placed, group_sections, section_roots
from clausewatch.diff.words import diff_words
from clausewatch.models import ChangeClass, Clause, ClauseChange, Diff, DiffSummary

REWRITTEN_BELOW = 0.5
"""A paired clause keeping less than this share of its words is shown as rewritten (old and new text as
two blocks): interleaved struck and inserted words would be unreadable."""
WORD = re.compile(r"\w*[^\W\d_]\w*")


def diff_texts(old: str, new: str) -> Diff:
    """The clause diff of two Markdown texts (old → new)."""
    return diff_clauses(split_clauses(old), split_clauses(new))


def diff_clauses(before: Sequence[Clause], after: Sequence[Clause]) -> Diff:
    """The clause diff of two already split versions (lets a history split each version once): clause
    changes from the alignment, then grouped into section changes (`sections.group_sections`)."""
    before, after = tuple(before), tuple(after)
    placed: list[Placed] = []
    root_pairs: dict[int, int] = {}
    moved: set[int] = set()
    for pairing in align_clauses(before, after):
        if pairing.old and pairing.new:
            root_pairs[pairing.old[0]] = pairing.new[0]
            if pairing.moved:
                moved.add(pairing.new[0])
        if pairing.kind == "match" and not pairing.moved and before[pairing.old[0]] == after[pairing.new[0]]:
            continue
        olds = tuple(before[i] for i in pairing.old)
        news = tuple(after[j] for j in pairing.new)
        change = _change_for(pairing, olds, news)
        if change is not None:
            placed.append(Placed(change, pairing.old, pairing.new))
    changes = group_sections(before, after, placed, root_pairs, frozenset(moved))
    return Diff(changes, summarize(changes, renumbered_sections(before, after, root_pairs)), before, after)


def renumbered_sections(before: Sequence[Clause], after: Sequence[Clause], root_pairs: dict[int, int]) -> int:
    """How many sections (paired section roots, changed or not) carry a new number."""
    old_roots, new_roots = section_roots(before), section_roots(after)
    return sum(1 for i, j in root_pairs.items()
               if old_roots[i] == i and new_roots[j] == j and not same_number(before[i], after[j]))


def clear_caches() -> None:
    """Forget the memoized splits, block parses and match keys (for benchmarks and memory)."""

    clauses.split_clauses.cache_clear()
    clauses.clear_block_cache()
    align.match_key.cache_clear()


def kept_share(old: str, new: str) -> float:
    """The share of the old text's words (with repeats, case folded, numbers aside) the new text keeps."""
    old_words = Counter(w.lower() for w in WORD.findall(old))
    new_words = Counter(w.lower() for w in WORD.findall(new))
    total = sum(old_words.values())
    return sum((old_words & new_words).values()) / total if total else 1.0


def same_number(a: Clause, b: Clause) -> bool:
    """True when both clauses carry the same number (as written, trailing punctuation ignored)."""
    return a.number == b.number or _number_key(a.number) == _number_key(b.number)


def _number_key(number: str | None) -> str:
    return " ".join((number or "").lower().rstrip(".:)").replace("(", "").split())


def _change_for(pairing: Pairing, olds: tuple[Clause, ...], news: tuple[Clause, ...]) -> ClauseChange | None:
    """The change a pairing stands for, or None when the clause is unchanged (maybe renumbered)."""

    first_old = olds[0] if olds else None
    first_new = news[0] if news else None
    if pairing.kind in ("added", "removed"):
        draft = ClauseChange(pairing.kind, "substantive", first_old, first_new)
        return _with_class(draft, classify_change)
    renumbered = not same_number(olds[0], news[0])
    old_text = "\n\n".join(full_text(c) for c in olds)
    new_text = "\n\n".join(full_text(c) for c in news)
    if pairing.kind == "match" and old_text == new_text:
        if not pairing.moved:
            return None
        return ClauseChange("moved", "cosmetic", first_old, first_new, renumbered=renumbered)
    kind = "moved" if pairing.kind == "match" and pairing.moved else pairing.kind
    others = news[1:] if pairing.kind == "split" else olds[1:]
    old_plain, new_plain = plain_text(old_text), plain_text(new_text)  # words, not markup
    draft = ClauseChange(kind if kind != "match" else "modified", "substantive", first_old, first_new,
                         words=diff_words(old_plain, new_plain), renumbered=renumbered, others=others,
                         rewritten=kept_share(old_plain, new_plain) < REWRITTEN_BELOW)
    return _with_class(draft, classify_change)


def _with_class(change: ClauseChange, classify: Callable[[ClauseChange], ChangeClass]) -> ClauseChange:
    return replace(change, change_class=classify(change))


def summarize(changes: Sequence[ClauseChange], renumbered: int) -> DiffSummary:
    """Counts of a diff: by class, by kind (split and merged count as modified); `renumbered` is given."""
    classes = Counter(c.change_class for c in changes)
    kinds = Counter(c.kind for c in changes)
    return DiffSummary(
        substantive=classes["substantive"],
        cosmetic=classes["cosmetic"],
        links=classes["links"],
        renumbered=renumbered,
        moved=kinds["moved"],
        added=kinds["added"],
        removed=kinds["removed"],
        modified=kinds["modified"] + kinds["split"] + kinds["merged"],
    )
