"""Version history: every recorded version of a document, classified against the ones before it.

`iter_history` is pure: it takes versions (oldest first) and yields one `HistoryEntry` each. It hashes
each version's canonical text once (`canonical_key`), so blinks and cosmetic changes are found without
a diff; the clause diff is computed only for versions whose canonical text is new.

`assign_slugs` names the published versions' change pages (`YYYY-MM-DD`, `-2`, `-3`...): the
site, commentary and `clausewatch log` all name changes this way.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from clausewatch.dates import iso_utc
from clausewatch.diff.classify import (
    class_of_version_diff,
    classify_pair,
    clause_key,
    new_side,
    only_whitespace_changed,
)
from clausewatch.diff.clauses import split_clauses
from clausewatch.diff.compare import diff_clauses
from clausewatch.diff.normalize import canonical_key
from clausewatch.diff.render import summary_line
from clausewatch.diff.sections import clause_changes
from clausewatch.models import Clause, Diff, Version, VersionClass


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One recorded version with its class and its diff against the previous version."""

    version: Version
    version_class: VersionClass
    diff: Diff | None
    """Clause diff against `previous`; None for `first`, `blink` and when the canonical texts are equal."""
    previous: Version | None


def iter_history(versions: Iterable[Version]) -> Iterator[HistoryEntry]:
    """Classify each version (oldest first) against those recorded before it."""
    keys_by_text: dict[str, str] = {}
    seen: set[str] = set()
    seen_clauses: set[str] = set()
    """Clause keys of the versions split so far (a version adds those of its changes: the others are its
    previous version's): a clause flapping back to one of them is no news."""
    previous: Version | None = None
    previous_key = ""
    previous_clauses: tuple[Clause, ...] | None = None
    for version in versions:
        key = keys_by_text.get(version.text)
        if key is None:
            key = keys_by_text.setdefault(version.text, canonical_key(version.text))
        diff: Diff | None = None
        clauses: tuple[Clause, ...] | None = None
        if previous is None:
            version_class: VersionClass = "first"
        elif key == previous_key:
            version_class = classify_pair(previous.text, version.text)
        elif key in seen:
            version_class = "blink"
        elif only_whitespace_changed(previous.text, version.text):
            version_class = "cosmetic"
        else:
            if previous_clauses is None:
                previous_clauses = split_clauses(previous.text)
                seen_clauses.update(map(clause_key, previous_clauses))
            clauses = split_clauses(version.text)
            diff = diff_clauses(previous_clauses, clauses)
            version_class = class_of_version_diff(diff, previous_clauses, clauses, seen_clauses)
            seen_clauses.update(clause_key(c) for change in clause_changes(diff.changes) for c in new_side(change))
        yield HistoryEntry(version, version_class, diff, previous)
        seen.add(key)
        previous, previous_key, previous_clauses = version, key, clauses


def describe_entry(entry: HistoryEntry) -> str:
    """A one-line description of a history entry, for terminals and the log."""
    if entry.version_class == "first":
        return "first record"
    if entry.version_class == "blink":
        return "same text as a version recorded earlier (blink)"
    if entry.diff is None:
        return "only link targets changed" if entry.version_class == "links" else "only formatting changed"
    return summary_line(entry.diff.summary)


PUBLISHED = ("first", "substantive")
"""Version classes that get a change page at a permanent URL."""


def assign_slugs(history: Sequence[HistoryEntry]) -> list[str]:
    """The change-page folder of each entry ('' if unpublished): `YYYY-MM-DD`, then `-2`, `-3`, ...

    Assigned oldest first and classification only looks backwards, so a slug never changes as
    history grows.
    """
    per_day: dict[str, int] = {}
    slugs = []
    for entry in history:
        if entry.version_class not in PUBLISHED:
            slugs.append("")
            continue
        day = iso_utc(entry.version.observed_at)[:10]
        per_day[day] = per_day.get(day, 0) + 1
        slugs.append(day if per_day[day] == 1 else f"{day}-{per_day[day]}")
    return slugs
