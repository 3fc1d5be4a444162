"""Where a commentary attaches: the change it names, and its clause found again in any version.

A commentary names its change by page name (`YYYY-MM-DD[-N]`) or commit id prefix (`names_change`, the
one place that rule lives). Its clause is found by stable id, else by its quoted words, else by the
words its clause had before the change (`anchor_commentary`), so renumbered, moved or reworded clauses
keep their commentary. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz

from clausewatch.models import Clause, Commentary

QUOTE_CUTOFF = 85.0
"""Minimum rapidfuzz partial-ratio (0-100) for a quote to find its clause again."""
MIN_COMMIT_PREFIX = 7


@dataclass(frozen=True, slots=True)
class Anchor:
    """Where a commentary attaches in one version: a clause id, found by `how`."""

    clause_id: str | None
    how: Literal["id", "quote", "lost", "change"]
    """`id`: its clause id exists; `quote`: found by its quoted words; `lost`: its clause is gone;
    `change`: it names no clause (it explains the whole change)."""


def names_change(change: str, slug: str, commit: str) -> bool:
    """True when a commentary's `change` (a page name or a commit id prefix of 7+ hex digits) names the
    change published at page `slug` ('' when it has none) recorded as `commit`."""
    return bool(slug and change == slug) or (len(change) >= MIN_COMMIT_PREFIX and commit.startswith(change))


def anchor_commentary(commentary: Commentary, before_clauses: Iterable[Clause],
                      after_clauses: Iterable[Clause]) -> Anchor:
    """Find the commentary's clause in a change: by its stable id, else by its quote (or by the words
    its clause had before the change), else report it lost. Clauses after the change come first; a
    clause only in `before_clauses` (removed by the change) is found there."""
    if not commentary.clause:
        return Anchor(None, "change")
    after, before = tuple(after_clauses), tuple(before_clauses)
    if any(c.id == commentary.clause for c in after):
        return Anchor(commentary.clause, "id")
    old = next((c for c in before if c.id == commentary.clause), None)
    for words in (commentary.quote, old and f"{old.heading or ''} {old.text}"):
        found = find_by_quote(words, after) if words else None
        if found:
            return Anchor(found, "quote")
    if old is not None:
        return Anchor(old.id, "id")
    found = find_by_quote(commentary.quote, before) if commentary.quote else None
    return Anchor(found, "quote") if found else Anchor(None, "lost")


def _folded(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def _quote_score(wanted: str, choice: str) -> float:
    """How well `choice` contains `wanted` (0-100): partial ratio when the clause is at least as long
    as the quote, else plain ratio (a short heading must not "contain" a long quote)."""
    return fuzz.partial_ratio(wanted, choice) if len(choice) >= len(wanted) else fuzz.ratio(wanted, choice)


def find_by_quote(quote: str, clauses: Sequence[Clause], cutoff: float = QUOTE_CUTOFF) -> str | None:
    """Id of the clause whose words contain `quote` best (first of equals), if it scores `cutoff` or more."""
    wanted = _folded(quote)
    best_id, best_score = None, cutoff
    for clause in clauses if wanted else ():
        score = _quote_score(wanted, _folded(f"{clause.heading or ''} {clause.text}"))
        if score > best_score or (score == best_score and best_id is None):
            best_id, best_score = clause.id, score
    return best_id


