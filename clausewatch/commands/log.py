"""`clausewatch log`: every recorded version of one document, newest first, as plain data."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from clausewatch.archive.read import iter_versions, open_archive
from clausewatch.dates import iso_utc
from clausewatch.diff.history import describe_entry, iter_history
from clausewatch.errors import ConfigError
from clausewatch.models import DiffSummary, VersionClass
from clausewatch.slugs import parse_key
from clausewatch.workspace import Workspace


@dataclass(frozen=True, slots=True)
class LogLine:
    """One recorded version as `clausewatch log` shows it."""

    date: str
    commit: str
    version_class: VersionClass
    summary: DiffSummary
    summary_line: str

    def to_json(self) -> dict[str, object]:
        return {"date": self.date, "commit": self.commit, "class": self.version_class,
                "summary": asdict(self.summary), "summary_line": self.summary_line}


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


def log_document(workspace: Workspace, key: str) -> list[LogLine]:
    """Every recorded version of document `key` (`service/document`), newest first."""
    service, document = parse_key(key, example="clausewatch log acme/terms-of-service")
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
        LogLine(iso_utc(entry.version.observed_at), entry.version.commit, entry.version_class,
                entry.diff.summary if entry.diff is not None else DiffSummary(), describe_entry(entry))
        for entry in reversed(entries)
    ]
