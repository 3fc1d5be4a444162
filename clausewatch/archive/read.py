"""Reading the archive: one `git log --raw` per query, one `git cat-file --batch` for all blobs.

No process per version: `iter_log` lists commits with their blob ids, a `BlobReader` reads the texts;
`latest_texts` reads the newest text of many documents through one reader.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from clausewatch.archive.git import LOG_RECORD, BlobReader, git, log_records
from clausewatch.archive.message import parse_trailers
from clausewatch.errors import ArchiveError
from clausewatch.models import Provenance, Version

SNAPSHOTS = "_snapshots"


@dataclass(frozen=True, slots=True)
class Archive:
    """Where the archive lives: a git repository and the folder of it that holds the versions."""

    repo: Path
    """The repository's top-level folder."""
    prefix: str
    """Path of the archive folder inside the repository, '' or ending in '/' (e.g. `archive/`)."""

    def path_of(self, service: str, document: str) -> str:
        return f"{self.prefix}{service}/{document}.md"

    def snapshot_path_of(self, service: str, document: str, sha256: str) -> str:
        return f"{self.prefix}{SNAPSHOTS}/{service}/{document}/{sha256}.gz"


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One commit touching one archive document, as `git log --raw` reports it (no text yet)."""

    commit: str
    observed_at: datetime
    path: str
    blob: str
    """Blob id of the document at this commit: the cache key for anything derived from the text."""
    trailers: dict[str, str]
    author: str = ""
    """`Name <email>` of the commit's author (the tracker's identity for recorded versions)."""
    committer: str = ""


def open_archive(archive_dir: Path) -> Archive:
    """Find the repository holding `archive_dir`; raise a clear error if there is none."""
    archive_dir = archive_dir.resolve()
    if not archive_dir.is_dir():
        raise ArchiveError(
            f"archive folder '{archive_dir}' does not exist",
            fix="run `clausewatch init DIR` for a new workspace, or pass --root to the workspace",
        )
    proc = git(archive_dir, "rev-parse", "--show-toplevel", check=False)
    if proc.returncode != 0:
        raise ArchiveError(
            f"archive folder '{archive_dir}' is not inside a git repository",
            fix=f"run `git init` in '{archive_dir.parent}' (or `clausewatch init DIR` for a new workspace)",
        )
    top = Path(proc.stdout.decode().strip()).resolve()
    rel = archive_dir.relative_to(top).as_posix()
    return Archive(repo=top, prefix="" if rel == "." else rel + "/")


def head_commit(archive: Archive) -> str | None:
    """The branch tip, or None in a repository with no commit yet."""
    proc = git(archive.repo, "rev-parse", "-q", "--verify", "HEAD^{commit}", check=False)
    return proc.stdout.decode().strip() or None


def iter_log(archive: Archive, paths: Sequence[str] = ()) -> Iterator[LogEntry]:
    """Every commit touching archive documents (or just `paths`), oldest first, with blob ids."""
    if head_commit(archive) is None:
        return
    pathspec = list(paths) or [f":(glob){archive.prefix}*/*.md"]
    out = git(
        archive.repo,
        "log",
        "--reverse",
        "--raw",
        "--no-abbrev",
        "--no-renames",
        "-z",
        f"--format={LOG_RECORD}%at%x00%an <%ae>%x00%cn <%ce>%x00%B%x00",
        "HEAD",
        "--",
        *pathspec,
    )
    for record in log_records(out):
        yield from _parse_log_record(record)


def _parse_log_record(record: bytes) -> Iterator[LogEntry]:
    commit, stamp, author, committer, body, raw = record.split(b"\x00", 5)
    trailers = parse_trailers(body.decode("utf-8", "replace"))
    who = author.decode("utf-8", "replace"), committer.decode("utf-8", "replace")
    observed = datetime.fromtimestamp(int(stamp), UTC)
    fields = raw.lstrip(b"\x00\n").split(b"\x00")
    for meta, path in zip(fields[0::2], fields[1::2], strict=False):
        parts = meta.decode().split()
        if len(parts) < 5 or parts[4] == "D" or parts[1] not in ("100644", "100755"):
            continue  # deleted, or not a file (a submodule or a link is no version)
        name = path.decode("utf-8", "replace")
        if f"{SNAPSHOTS}/" in name or not name.endswith(".md"):
            continue
        yield LogEntry(commit.decode(), observed, name, parts[3], trailers, *who)


def split_path(archive: Archive, path: str) -> tuple[str, str]:
    """`archive/acme/terms.md` → (`acme`, `terms`)."""
    rel = path[len(archive.prefix) :]
    service, _, name = rel.partition("/")
    return service, name[: -len(".md")]


def to_version(archive: Archive, entry: LogEntry, text: str) -> Version:
    """The one place where a commit becomes a domain `Version`."""
    service, document = split_path(archive, entry.path)
    t = entry.trailers
    fetched = t.get("fetched_at")
    provenance = Provenance(
        source_url=t.get("source_url", ""),
        fetched_at=datetime.fromisoformat(fetched.replace("Z", "+00:00")) if fetched else entry.observed_at,
        http_status=int(t.get("http_status", "0") or 0),
        snapshot_sha256=t.get("snapshot_sha256", ""),
        declaration_sha256=t.get("declaration_sha256", ""),
        snapshot_path=t.get("snapshot_path", ""),
        imported_from=t.get("imported_from", ""),
        imported_snapshots=tuple(t.get("imported_snapshot", "").split()),
    )
    return Version(
        service=service,
        document=document,
        commit=entry.commit,
        observed_at=entry.observed_at,
        text=text,
        provenance=provenance,
        service_name=t.get("service_name", ""),
        document_name=t.get("document_name", ""),
        author=entry.author,
        committer=entry.committer,
    )


def iter_versions(archive: Archive, service: str, document: str) -> Iterator[Version]:
    """Every recorded version of one document, oldest first."""
    entries = list(iter_log(archive, [archive.path_of(service, document)]))
    with BlobReader(archive) as reader:
        for entry in entries:
            yield to_version(archive, entry, reader.read(entry.blob).decode("utf-8"))


def latest_text(archive: Archive, service: str, document: str) -> str | None:
    """The newest recorded text of a document, or None if it was never recorded (or was removed).

    For one document; to read many, `latest_texts` (one process for all of them).
    """
    if head_commit(archive) is None:
        return None
    proc = git(archive.repo, "show", f"HEAD:{archive.path_of(service, document)}", check=False)
    return proc.stdout.decode("utf-8") if proc.returncode == 0 else None


def latest_texts(archive: Archive, keys: Iterable[str]) -> dict[str, str | None]:
    """The newest recorded text of each document `service/document` of `keys` (None where there is none),
    read through one `git cat-file --batch`: two git processes however many documents."""
    keys = list(keys)
    head = head_commit(archive)
    if head is None:
        return dict.fromkeys(keys)
    texts: dict[str, str | None] = {}
    with BlobReader(archive) as reader:
        for key in keys:
            data = reader.read_path(head, f"{archive.prefix}{key}.md")
            texts[key] = data.decode("utf-8") if data is not None else None
    return texts


def read_snapshot(archive: Archive, snapshot_path: str, commit: str = "HEAD") -> bytes:
    """The raw response behind a version, decompressed."""
    return gzip.decompress(git(archive.repo, "show", f"{commit}:{snapshot_path}"))


def write_commit_graph(archive: Archive) -> None:
    """Keep a commit-graph with changed-path Bloom filters: path-limited log becomes ~10x faster."""
    git(archive.repo, "commit-graph", "write", "--reachable", "--changed-paths")
