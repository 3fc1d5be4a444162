"""Commit messages of the archive, written and read here only (pure functions, no git).

A message is one subject line, a blank line, then one `Name: value` trailer per line, in the order of
`TRAILERS`, leaving out empty values:

    Record new changes of ACME Terms of Service

    Service: acme
    Document: terms-of-service
    Service-Name: ACME
    Document-Name: Terms of Service
    Source-URL: https://acme.example/terms
    Fetched-At: 2024-05-01T12:00:00Z
    HTTP-Status: 200
    Snapshot-SHA256: <sha256 of the raw response>
    Snapshot-Path: archive/_snapshots/acme/terms-of-service/<sha256>.gz
    Declaration-SHA256: <sha256 of the service's declaration file>

The subject and every value are folded to one line: each run of whitespace (line breaks, the
`\\x1c`–`\\x1f` separators that `git log` output parsing relies on, Unicode line separators) and each
NUL (which git cannot keep in a message) becomes one space. So a hostile page title or URL can neither
add a trailer nor break the reading of the log.

Imported versions carry `Imported-From: <source>@<source commit>`, `Imported-Path` (the file in the
source), `Imported-Snapshot` (links to the source's raw snapshots, space-separated) and, for a
re-extraction that changed the text, `Re-Extraction: yes`. A source is `<owner>/<repository>` (e.g.
`OpenTermsArchive/contrib-versions`); when its owner is unknown (a bundle, or a clone without a remote,
imported without `--source`), the owner is `UNKNOWN_OWNER`, the empty string: `/<file name>@<commit>`.
Never a guessed owner: readers recognise an unknown source by its leading `/` (`split_source`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from clausewatch.dates import iso_utc
from clausewatch.models import Provenance

SERVICE = "Service"
DOCUMENT = "Document"
SERVICE_NAME = "Service-Name"
DOCUMENT_NAME = "Document-Name"
SOURCE_URL = "Source-URL"
FETCHED_AT = "Fetched-At"
HTTP_STATUS = "HTTP-Status"
SNAPSHOT_SHA256 = "Snapshot-SHA256"
SNAPSHOT_PATH = "Snapshot-Path"
DECLARATION_SHA256 = "Declaration-SHA256"
IMPORTED_FROM = "Imported-From"
IMPORTED_PATH = "Imported-Path"
IMPORTED_SNAPSHOT = "Imported-Snapshot"
RE_EXTRACTION = "Re-Extraction"

TRAILERS = {
    SERVICE: "service",
    DOCUMENT: "document",
    SERVICE_NAME: "service_name",
    DOCUMENT_NAME: "document_name",
    SOURCE_URL: "source_url",
    FETCHED_AT: "fetched_at",
    HTTP_STATUS: "http_status",
    SNAPSHOT_SHA256: "snapshot_sha256",
    SNAPSHOT_PATH: "snapshot_path",
    DECLARATION_SHA256: "declaration_sha256",
    IMPORTED_FROM: "imported_from",
    IMPORTED_PATH: "imported_path",
    IMPORTED_SNAPSHOT: "imported_snapshot",
    RE_EXTRACTION: "re_extraction",
}
"""Trailer name → the key `parse_trailers` gives it; also the order trailers are written in."""

UNKNOWN_OWNER = ""
"""The owner part of a source whose owner is unknown (see the module docstring)."""

_NAME_PART = re.compile(r"[\w.-]+")


def compose_message(subject: str, trailers: Mapping[str, str]) -> str:
    """Subject, blank line, the non-empty `trailers` (keyed by trailer name) in `TRAILERS` order."""
    unknown = sorted(set(trailers) - TRAILERS.keys())
    if unknown:
        raise ValueError(f"unknown commit trailers: {', '.join(unknown)}")
    lines = [f"{name}: {one_line(trailers[name])}" for name in TRAILERS if trailers.get(name)]
    return f"{one_line(subject)}\n\n" + "\n".join(lines) + "\n"


def format_message(subject: str, provenance: Provenance, names: Mapping[str, str]) -> str:
    """The message of a tracked version: `names` has `service`, `document`, `service_name`, `document_name`."""
    return compose_message(subject, {
        SERVICE: names.get("service", ""),
        DOCUMENT: names.get("document", ""),
        SERVICE_NAME: names.get("service_name", ""),
        DOCUMENT_NAME: names.get("document_name", ""),
        SOURCE_URL: provenance.source_url,
        FETCHED_AT: iso_utc(provenance.fetched_at),
        HTTP_STATUS: str(provenance.http_status),
        SNAPSHOT_SHA256: provenance.snapshot_sha256,
        SNAPSHOT_PATH: provenance.snapshot_path,
        DECLARATION_SHA256: provenance.declaration_sha256,
        IMPORTED_FROM: provenance.imported_from,
    })


def record_subject(owner: str, title: str, *, first: bool) -> str:
    """`First record of ACME Terms of Service` / `Record new changes of ACME Terms of Service`."""
    return f"{'First record of' if first else 'Record new changes of'} {owner} {title}"


def one_line(value: str) -> str:
    """`value` folded to one line (see the module docstring)."""
    return " ".join(value.replace("\x00", " ").split())


def parse_trailers(message: str) -> dict[str, str]:
    """The `Name: value` trailers of a commit message, keyed by `TRAILERS`' keys (e.g. `source_url`)."""
    found: dict[str, str] = {}
    for line in message.splitlines():
        key, sep, value = line.partition(": ")
        if sep and key in TRAILERS:
            found[TRAILERS[key]] = value.strip()
    return found


def imported_from(source: str, commit: str) -> str:
    """The `Imported-From` value: `OpenTermsArchive/contrib-versions@<commit>`."""
    return f"{source}@{commit}"


def split_imported_from(value: str) -> tuple[str, str]:
    """An `Imported-From` value → (source, source commit)."""
    source, _, commit = value.rpartition("@")
    return source, commit


def unknown_source(local_name: str) -> str:
    """The source name of a repository whose owner is unknown, from its file or folder name (e.g.
    `ota-contrib-versions.bundle` → `/ota-contrib-versions`)."""
    for suffix in (".bundle", ".git"):
        local_name = local_name.removesuffix(suffix)
    name = "-".join(_NAME_PART.findall(local_name)).strip(".") or "unknown"
    return f"{UNKNOWN_OWNER}/{name}"


def split_source(source: str) -> tuple[str, str]:
    """`Owner/Repository` → (owner, repository); the owner is `UNKNOWN_OWNER` for an unknown source."""
    owner, _, repository = source.partition("/")
    return owner, repository
