"""Import recorded history from an Open Terms Archive (OTA) versions repository.

Over 400 lines on purpose: the replay, its resume state and its evidence rules must agree to stay
idempotent; declarations and sources are split out already (`scraper.ota_declarations`, `archive.sources`).

An OTA versions repository holds `<Service>/<Terms type>.md`, one commit per recorded version, with the
observation time as author date. The import replays it into the archive, oldest first:

- every version goes through `normalize_text` (what `track` records), and is skipped when its normalized
  text equals the one recorded before it for that document: tracking-parameter churn records nothing;
- "Refilter …" / "Apply technical or declaration upgrade …" commits (re-extractions) are imported only
  when the normalized text changed, with a `Re-Extraction: yes` trailer;
- ids are slugs (`Zoom/Terms of Service.md` → `zoom/terms-of-service`, by `slugs.name_id`: a name that
  does not fold to ASCII or is too long gets a hashed suffix); the original names are kept in
  `Service-Name` / `Document-Name`, the original path in `Imported-Path`; names equal up to case are
  one document (OTA's `Tp-link` and `TP-Link`), other names sharing a slug get distinct ids (`AT&T`,
  `AT-T`: `slugs.claim_id`), and a git rename keeps the old id (permanent URLs);
- attribution: `Imported-From: OpenTermsArchive/contrib-versions@<source commit>`, plus every snapshot
  OTA names in the commit message (`Imported-Snapshot`: one for a single page, the whole "assembling the
  following snapshots" list for a combined document; GitHub commit links or OTA's older `mongo://`
  references). The source's name is `--source OWNER/REPOSITORY`, else read from the clone's `origin`
  remote URL; a bundle or a clone without a remote gets no owner (never a guessed one):
  `/<file name>@<source commit>` (see `clausewatch.archive.message`);
- with `declarations` (an OTA declarations folder with its `*.history.json`), each version also gets the
  `Source-URL` and `Declaration-SHA256` of the declaration in force at its date, so its change page has
  the page's address and its Internet Archive captures.

Commit subjects and snapshot references are read by `clausewatch.importer.ota_messages`. OTA rewrites its
history to drop bad captures: a document whose newest imported source commit is no longer in the source
resumes after the observation time of its newest archive version (nothing duplicated, nothing lost).

Resuming needs no state file: the source's commit list is re-read every run (metadata only, ~1 s for
40,000 commits) and, per document, replay starts after the source commit named by the newest
`Imported-From` trailer of that document in the archive. A document whose newest archive version did
not come from this source (it was tracked since) only takes source versions observed after it. A second
run over the same source therefore writes nothing, and leaves the branch where it was.

Writes go through `archive.write.fast_import_versions` (one `git fast-import` per batch of source commits;
blobs grouped by document so they delta well), then a commit-graph with changed-path filters is written.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from clausewatch.archive import message
from clausewatch.archive.git import BlobReader
from clausewatch.archive.read import Archive, LogEntry, head_commit, iter_log, open_archive, write_commit_graph
from clausewatch.archive.sources import (
    SourceCommit,
    iter_source_commits,
    open_source_repository,
    resolve_source_ref,
    source_repository_name,
)
from clausewatch.archive.write import PendingCommit, fast_import_versions, lock_archive, repair_worktree
from clausewatch.diff.normalize import normalize_text
from clausewatch.errors import ConfigError
from clausewatch.importer.ota_messages import (
    declaration_in_force,
    load_collection,
    ota_subject_kind,
    snapshot_references,
)
from clausewatch.models import Document
from clausewatch.scraper.ota_declarations import OtaService
from clausewatch.slugs import RESERVED, claim_id, name_id
from clausewatch.workspace import Workspace

BATCH_SOURCE_COMMITS = 10_000
"""Source commits per fast-import run: a killed import keeps the batches written before."""

RECENT_TEXTS = 8
"""Normalized texts kept per document while importing it (pages flapping between variants reuse them)."""

_SOURCE_NAME = re.compile(r"^[\w.-]+/[\w.-]+$")


@dataclass(frozen=True, slots=True)
class SourceVersion:
    """One recorded version in the source repository, mapped to an archive document."""

    index: int
    """Position of its commit in the source's first-parent history (0 = oldest)."""
    commit: str
    authored_at: datetime
    path: str
    """Original path, e.g. `Zoom/Terms of Service.md`."""
    blob: str
    key: str
    """Archive id `service/document`."""
    reextraction: bool
    snapshots: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, str]:
        """(service name, document name) as the source spells them."""
        service, _, document = self.path[: -len(".md")].partition("/")
        return service, document


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What one import run did."""

    source: str
    """e.g. `OpenTermsArchive/contrib-versions`; `/contrib-versions` when the owner is unknown."""
    source_commit: str
    """The source commit imported up to."""
    examined: int = 0
    """Source versions looked at in this run (after each document's resume point)."""
    kept: int = 0
    """Archive commits written."""
    skipped: dict[str, int] = field(default_factory=dict)
    """Versions not written, by reason: noise (normalized text unchanged), re-extraction (unchanged),
    empty, older (observed before the document's newest archive version from elsewhere)."""
    reextractions_kept: int = 0
    documents: int = 0
    """Documents that received at least one version."""
    renames: tuple[tuple[str, str], ...] = ()
    undeclared: int | None = None
    """With `--declarations`: imported versions for which no declaration was in force (no source URL)."""
    head_before: str | None = None
    head_after: str | None = None
    seconds: float = 0.0

    def summary(self) -> str:
        """One line for the terminal."""
        skipped = ", ".join(f"{count} {reason}" for reason, count in sorted(self.skipped.items()) if count)
        rate = self.examined / self.seconds if self.seconds else 0.0
        unknown = message.split_source(self.source)[0] == message.UNKNOWN_OWNER
        hint = " (owner unknown: name the source with --source OWNER/REPOSITORY)" if unknown else ""
        undeclared = f"; {self.undeclared} without a declaration" if self.undeclared else ""
        return (f"{self.source}@{self.source_commit[:12]}{hint}: examined {self.examined} versions, imported "
                f"{self.kept} into {self.documents} documents ({self.reextractions_kept} re-extractions), "
                f"skipped {skipped or 'none'}{undeclared}; {self.seconds:.1f} s ({rate:.0f} versions/s)")


def import_ota(
    workspace: Workspace,
    repo: Path,
    *,
    only: Sequence[str] = (),
    source: str | None = None,
    declarations: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> ImportReport:
    """Replay an OTA versions repository (a clone or a bundle) into the workspace's archive; resumable.
    `declarations`: an OTA declarations folder, for the source URL of each version (see the module)."""
    started = time.monotonic()
    source = check_source_name(source) if source else source_name(repo)
    collection = load_collection(declarations) if declarations is not None else None
    archive = open_archive(workspace.archive)
    with lock_archive(archive), open_source_repository(repo) as src:
        repair_worktree(archive)
        tip = resolve_source_ref(src)
        commits = list(iter_source_commits(src, tip))
        versions, renames = plan_versions(commits)
        versions = select_versions(versions, only)
        state = read_archive_state(archive, source, {c.commit: i for i, c in enumerate(commits)},
                                   {v.key for v in versions})
        head_before = head_commit(archive)
        with BlobReader(Archive(src, "")) as reader:
            for batch in iter_batches(versions, BATCH_SOURCE_COMMITS):
                run = _Batch(archive, batch, state, reader, source, collection)
                written = fast_import_versions(archive, run.iter_blobs(), run.iter_commits())
                if progress:
                    progress(f"imported {len(written)} of {len(batch)} source versions "
                             f"(up to {batch[-1].authored_at:%Y-%m-%d})")
        head_after = head_commit(archive)
        if head_after != head_before:
            write_commit_graph(archive)
    return ImportReport(
        source=source, source_commit=tip, examined=state.counts["examined"], kept=state.counts["kept"],
        skipped={reason: state.counts[reason] for reason in ("noise", "re-extraction", "empty", "older")},
        reextractions_kept=state.counts["re-extractions kept"], documents=len(state.touched),
        undeclared=state.counts["undeclared"] if collection is not None else None,
        renames=tuple(renames), head_before=head_before, head_after=head_after,
        seconds=time.monotonic() - started,
    )


def source_name(repo: Path) -> str:
    """The name of the source `repo` for `Imported-From`: `Owner/Repository` from a clone's remote URL, else
    (a bundle, a clone without a remote) an unknown owner and the file name: `/ota-contrib-versions`."""
    return source_repository_name(repo) or message.unknown_source(repo.resolve().name)


def check_source_name(name: str) -> str:
    """The source name, checked: `owner/repository`, safe in a one-line trailer."""
    if not _SOURCE_NAME.match(name):
        raise ConfigError(f"source name '{name}' is not of the form owner/repository",
                          fix="pass e.g. --source OpenTermsArchive/contrib-versions")
    return name


def document_key(path: str) -> str | None:
    """`Zoom/Terms of Service.md` → `zoom/terms-of-service`; None for files that are not versions."""
    if not path.endswith(".md") or path.count("/") != 1:
        return None
    service, document = (name_id(part) for part in path[: -len(".md")].split("/"))
    if service in RESERVED:
        service = name_id(f"{service} service")
    return f"{service}/{document}"


def _distinct_key(path: str, key: str, services: dict[str, str], documents: dict[str, dict[str, str]]) -> str:
    """`key` unless a different name (`slugs.fold_name`) already took its service or document id (`AT&T`
    and `AT-T` both slugify to `at-t`): then a distinct, stable id for this name. Never two histories in
    one document."""
    service_name, document_name = path[: -len(".md")].split("/")
    service, document = key.split("/")
    service = claim_id(services, service, service_name)
    return f"{service}/{claim_id(documents.setdefault(service, {}), document, document_name)}"


def plan_versions(commits: Sequence[SourceCommit]) -> tuple[list[SourceVersion], list[tuple[str, str]]]:
    """Every recorded version of the source, oldest first, with its archive id; and the renames seen."""
    key_of: dict[str, str] = {}
    versions: list[SourceVersion] = []
    renames: list[tuple[str, str]] = []
    services: dict[str, str] = {}
    documents: dict[str, dict[str, str]] = {}
    for index, commit in enumerate(commits):
        subject = commit.message.split("\n", 1)[0]
        reextraction = ota_subject_kind(subject) == "re-extraction"
        snapshots = snapshot_references(commit.message)
        for change in commit.changes:
            key = document_key(change.path)
            if change.status == "D" or key is None:
                continue
            if change.status == "R" and document_key(change.old_path):
                key_of[change.path] = key_of.get(change.old_path) or str(document_key(change.old_path))
                renames.append((change.old_path, change.path))
            if change.path not in key_of:
                key_of[change.path] = _distinct_key(change.path, key, services, documents)
            key = key_of[change.path]
            versions.append(SourceVersion(index, commit.commit, commit.authored_at, change.path, change.blob,
                                          key, reextraction, snapshots))
    return versions, renames


def select_versions(versions: list[SourceVersion], only: Sequence[str]) -> list[SourceVersion]:
    """The versions of the documents `only` names (`Service/Terms type`, `Service`, or archive ids)."""
    if not only:
        return versions
    keys: set[str] = set()
    for wanted in only:
        found = {v.key for v in versions if _matches(v, wanted)}
        if not found:
            example = versions[-1].path.removesuffix(".md") if versions else "Zoom/Terms of Service"
            raise ConfigError(f"--only '{wanted}' matches no document of the source repository",
                              fix=f"name a document as the source does, e.g. --only \"{example}\"")
        keys |= found
    return [v for v in versions if v.key in keys]


def _matches(version: SourceVersion, wanted: str) -> bool:
    wanted = wanted.strip().removesuffix(".md")
    service_name, _ = version.names
    if "/" in wanted:
        return wanted.casefold() == version.path[:-3].casefold() or wanted == version.key
    return wanted.casefold() == service_name.casefold() or wanted == version.key.split("/")[0]


def iter_batches(versions: list[SourceVersion], size: int) -> Iterator[list[SourceVersion]]:
    """Consecutive runs of versions spanning at most `size` source commits each."""
    batch: list[SourceVersion] = []
    for version in versions:
        if batch and version.index - batch[0].index >= size:
            yield batch
            batch = []
        batch.append(version)
    if batch:
        yield batch


@dataclass(slots=True)
class ArchiveState:
    """Per document: what the archive already holds, and where replay resumes. Updated as we write."""

    previous: dict[str, bytes] = field(default_factory=dict)
    """Digest of the newest recorded text."""
    resume_after: dict[str, int] = field(default_factory=dict)
    """Index of the newest source commit already imported."""
    not_before: dict[str, datetime] = field(default_factory=dict)
    """Observation time of a newest version that came from elsewhere."""
    recorded: set[str] = field(default_factory=set)
    touched: set[str] = field(default_factory=set)
    counts: Counter[str] = field(default_factory=Counter)


def read_archive_state(
    archive: Archive, source: str, index_of: dict[str, int], keys: set[str]
) -> ArchiveState:
    """What the archive holds for `keys`: newest text digest, resume point, time bound."""
    newest: dict[str, LogEntry] = {}
    imported: dict[str, LogEntry] = {}
    for entry in iter_log(archive):
        newest[entry.path] = entry
        if message.split_imported_from(entry.trailers.get("imported_from", ""))[0] == source:
            imported[entry.path] = entry
    state = ArchiveState()
    with BlobReader(archive) as reader:
        for key in keys:
            path = archive.prefix + key + ".md"
            if path not in newest:
                continue
            state.recorded.add(key)
            state.previous[key] = _digest(reader.read(newest[path].blob))
            mine = imported.get(path)
            position = index_of.get(message.split_imported_from(mine.trailers["imported_from"])[1]) if mine else None
            if position is not None:
                state.resume_after[key] = position
            if position is None or mine is not newest[path]:
                state.not_before[key] = newest[path].observed_at
    return state


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


class _Batch:
    """One fast-import run: decides each version, yields kept texts grouped by document, then commits."""

    def __init__(self, archive: Archive, versions: list[SourceVersion], state: ArchiveState,
                 reader: BlobReader, source: str, collection: Mapping[str, OtaService] | None = None) -> None:
        self.archive, self.versions, self.state, self.reader, self.source = (
            archive, versions, state, reader, source)
        self.collection = collection
        self.pending: list[tuple[int, str, PendingCommit]] = []
        self.recent: OrderedDict[str, bytes] = OrderedDict()
        """Normalized texts of the current document's last source blobs: flapping pages reuse them."""

    def iter_blobs(self) -> Iterator[bytes]:
        """Normalized texts of the kept versions, document by document (good deltas)."""
        by_key: dict[str, list[SourceVersion]] = {}
        for version in self.versions:
            by_key.setdefault(version.key, []).append(version)
        for items in by_key.values():
            self.recent.clear()
            for version in items:
                text = self._decide(version)
                if text is not None:
                    yield text

    def iter_commits(self) -> Iterator[PendingCommit]:
        """The kept versions' commits in source order (run after `iter_blobs` is exhausted)."""
        for _, _, commit in sorted(self.pending, key=lambda item: item[:2]):
            yield commit

    def _decide(self, version: SourceVersion) -> bytes | None:
        state, key = self.state, version.key
        if version.index <= state.resume_after.get(key, -1):
            return None
        state.counts["examined"] += 1
        bound = state.not_before.get(key)
        if bound is not None and version.authored_at <= bound:
            state.counts["older"] += 1
            return None
        text = self._normalized(version.blob)
        digest = _digest(text)
        if not text.strip():
            state.counts["empty"] += 1
            return None
        if digest == state.previous.get(key):
            state.counts["re-extraction" if version.reextraction else "noise"] += 1
            return None
        first = key not in state.recorded
        state.previous[key] = digest
        state.recorded.add(key)
        state.touched.add(key)
        state.counts["kept"] += 1
        state.counts["re-extractions kept"] += version.reextraction and not first
        declared = (declaration_in_force(self.collection, *version.names, version.authored_at)
                    if self.collection is not None else None)
        state.counts["undeclared"] += self.collection is not None and declared is None
        commit_message = format_import_message(version, self.source, first=first, declaration=declared)
        blob_number = len(self.pending) + 1  # this run's blobs are numbered 1, 2, ... in yield order
        commit = PendingCommit(self.archive.prefix + key + ".md", blob_number, commit_message, version.authored_at)
        self.pending.append((version.index, version.path, commit))
        return text


    def _normalized(self, blob: str) -> bytes:
        text = self.recent.pop(blob, None)
        if text is None:
            text = normalize_text(self.reader.read(blob).decode("utf-8", "replace")).encode("utf-8")
        self.recent[blob] = text
        if len(self.recent) > RECENT_TEXTS:
            self.recent.popitem(last=False)
        return text


def format_import_message(version: SourceVersion, source: str, *, first: bool,
                          declaration: Document | None = None) -> str:
    """Subject and trailers of one imported version's archive commit (with the source URL and hash of the
    `declaration` in force at its date, when known)."""
    service_name, document_name = version.names
    service, document = version.key.split("/")
    if version.reextraction and not first:
        subject = f"Record re-extracted text of {service_name} {document_name}"
    else:
        subject = message.record_subject(service_name, document_name, first=first)
    return message.compose_message(subject, {
        message.SERVICE: service,
        message.DOCUMENT: document,
        message.SERVICE_NAME: service_name,
        message.DOCUMENT_NAME: document_name,
        message.SOURCE_URL: declaration.url if declaration is not None else "",
        message.DECLARATION_SHA256: declaration.declaration_sha256 if declaration is not None else "",
        message.IMPORTED_FROM: message.imported_from(source, version.commit),
        message.IMPORTED_PATH: version.path,
        message.IMPORTED_SNAPSHOT: " ".join(version.snapshots),
        message.RE_EXTRACTION: "yes" if version.reextraction and not first else "",
    })

