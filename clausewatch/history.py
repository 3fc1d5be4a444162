"""Version history: every recorded version of a document, classified against the ones before it.

`iter_history` is pure: it takes versions (oldest first) and yields one `HistoryEntry` each. It hashes
each version's canonical text once (`canonical_key`), so blinks and cosmetic changes are found without
a diff; the clause diff is computed only for versions whose canonical text is new.

`log_document` is what `clausewatch log` shows: one archive read, then `iter_history`, newest first.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass

from clausewatch.classify import (
    class_of_version_diff,
    classify_pair,
    clause_key,
    new_side,
    only_whitespace_changed,
)
from clausewatch.errors import ConfigError
from clausewatch.models import Clause, Diff, DiffSummary, Version, VersionClass
from clausewatch.normalize import canonical_key
from clausewatch.workspace import Workspace


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
    from clausewatch.clauses import split_clauses
    from clausewatch.diff import diff_clauses

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
            seen_clauses.update(clause_key(c) for change in diff.changes for c in new_side(change))
        yield HistoryEntry(version, version_class, diff, previous)
        seen.add(key)
        previous, previous_key, previous_clauses = version, key, clauses


def parse_key(key: str) -> tuple[str, str]:
    """`service/document` → (service, document); anything else is a ConfigError."""
    service, sep, document = key.strip().strip("/").partition("/")
    if not sep or not service or not document or "/" in document:
        raise ConfigError(
            f"'{key}' is not a document key",
            fix="write it as SERVICE/DOCUMENT, e.g. `clausewatch log acme/terms-of-service`",
        )
    return service, document


def known_documents(workspace: Workspace) -> list[str]:
    """Keys of the documents with a file in the archive folder, sorted."""
    root = workspace.archive
    if not root.is_dir():
        return []
    return sorted(
        f"{path.parent.name}/{path.stem}"
        for path in root.glob("*/*.md")
        if not path.parent.name.startswith(("_", "."))
    )


def summary_dict(diff: Diff | None) -> dict[str, int]:
    """The counts of a diff's summary (all zero when there is no diff)."""
    return asdict(diff.summary if diff is not None else DiffSummary())


def describe_entry(entry: HistoryEntry) -> str:
    """A one-line description of a history entry, for terminals and the log."""
    from clausewatch.render_diff import summary_line

    if entry.version_class == "first":
        return "first record"
    if entry.version_class == "blink":
        return "same text as a version recorded earlier (blink)"
    if entry.diff is None:
        return "only link targets changed" if entry.version_class == "links" else "only formatting changed"
    return summary_line(entry.diff.summary)


def log_document(workspace: Workspace, key: str) -> list[dict[str, object]]:
    """Every recorded version of document `key` (`service/document`), newest first, as plain data."""
    from clausewatch.archive import iso_utc, iter_versions, open_archive

    service, document = parse_key(key)
    archive = open_archive(workspace.archive)
    entries = list(iter_history(iter_versions(archive, service, document)))
    if not entries:
        known = known_documents(workspace)
        listing = ", ".join(known[:5]) + (", …" if len(known) > 5 else "")
        raise ConfigError(
            f"no recorded versions of '{key}' in the archive '{workspace.archive}'",
            fix=f"use one of the recorded documents: {listing}" if known
            else "run `clausewatch track` first: nothing is recorded yet",
        )
    return [
        {
            "date": iso_utc(entry.version.observed_at),
            "commit": entry.version.commit,
            "class": entry.version_class,
            "summary": summary_dict(entry.diff),
            "summary_line": describe_entry(entry),
        }
        for entry in reversed(entries)
    ]
