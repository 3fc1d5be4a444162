"""Writing the archive: three write paths, each moving the branch by one compare-and-swap `update-ref`.

- `record_version`: one version (plumbing: hash-object, a private index, commit-tree);
- `record_versions`: a batch of versions (a tracking run) in one `git fast-import`;
- `fast_import_versions`: an importer's bulk writes (blobs grouped by document, then commits).

A process killed at any moment leaves the old branch tip or the new one, never half a commit; the
checked-out files are then brought in line with the branch (`repair_worktree` re-syncs them at the next
run if the process died in between). Writers hold `lock_archive`.
"""

from __future__ import annotations

import fcntl
import gzip
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import IO

from clausewatch.archive.git import fast_import, git
from clausewatch.archive.message import format_message, record_subject
from clausewatch.archive.read import Archive, head_commit
from clausewatch.errors import ArchiveError, ConfigError
from clausewatch.models import Provenance
from clausewatch.slugs import id_problem

BOT_NAME = "Clausewatch"
BOT_EMAIL = "bot@clausewatch.invalid"
ZERO_OID = "0" * 40
BOT_ENV = {
    "GIT_AUTHOR_NAME": BOT_NAME,
    "GIT_AUTHOR_EMAIL": BOT_EMAIL,
    "GIT_COMMITTER_NAME": BOT_NAME,
    "GIT_COMMITTER_EMAIL": BOT_EMAIL,
}


def init_repository(path: Path) -> None:
    """Create a git repository at `path` (a new workspace or a separate archive)."""
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")


def commit_workspace(repo: Path, message: str, paths: Sequence[str] = (".",)) -> str:
    """Stage `paths` and commit them as the bot (used by `clausewatch init` for the first commit)."""
    git(repo, "add", "--", *paths)
    git(repo, "commit", "-q", "--allow-empty", "-m", message, env=BOT_ENV)
    return git(repo, "rev-parse", "HEAD").decode().strip()


@contextmanager
def lock_archive(archive: Archive) -> Iterator[None]:
    """Hold the archive's lock for the duration: two runs can never interleave their writes."""
    git_dir = Path(git(archive.repo, "rev-parse", "--absolute-git-dir").decode().strip())
    with open(git_dir / "clausewatch.lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ArchiveError(
                f"the archive in '{archive.repo}' is locked by another clausewatch run",
                fix="wait for the other run to finish (the lock is released when its process exits)",
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass(frozen=True, slots=True)
class NewVersion:
    """One version for `record_versions` (the arguments of `record_version`, as a value)."""

    service: str
    document: str
    text: str
    provenance: Provenance
    snapshot: bytes | None = None
    names: tuple[tuple[str, str], ...] = ()


def record_version(
    archive: Archive,
    service: str,
    document: str,
    text: str,
    provenance: Provenance,
    *,
    snapshot: bytes | None = None,
    names: dict[str, str] | None = None,
    subject: str | None = None,
) -> str:
    """Commit one new version (and its gzip'd raw snapshot) atomically; return the commit id."""
    check_ids(service, document)
    version = NewVersion(service, document, text, provenance, snapshot, tuple((names or {}).items()))
    parent = head_commit(archive)
    path = archive.path_of(service, document)
    first = parent is None or not git(archive.repo, "ls-tree", "--name-only", parent, "--", path).strip()
    files, message = _version_commit(archive, version, first=first, subject=subject)
    commit = _commit_files(archive, files, message, provenance.fetched_at, parent)
    _sync_worktree(archive, files)
    return commit


def record_versions(archive: Archive, versions: Sequence[NewVersion]) -> list[str]:
    """Commit `versions` in order, one commit per version (text and gzip'd snapshot, as `record_version`
    does), in ONE `git fast-import` and ONE compare-and-swap of the branch: all of them or none.

    A whole tracking run's changes cost two git processes instead of a dozen per version.
    """
    if not versions:
        return []
    for version in versions:  # before anything is written: a path git cannot check out bricks the archive
        check_ids(version.service, version.document)
    parent, branch = head_commit(archive), branch_ref(archive)
    drop_stale_refs(archive)
    texts = [archive.path_of(v.service, v.document) for v in versions]
    seen = set(git(archive.repo, "ls-tree", "--name-only", parent, "--", *texts).decode().split()) \
        if parent else set()
    temp_ref = f"refs/clausewatch/record-{os.getpid()}"
    stream, paths = bytearray(), list[str]()
    for number, version in enumerate(versions, start=1):
        files, message = _version_commit(archive, version, first=texts[number - 1] not in seen)
        seen.add(texts[number - 1])
        paths.extend(files)
        who = f"{BOT_NAME} <{BOT_EMAIL}> {int(version.provenance.fetched_at.timestamp())} +0000"
        stream += f"commit {temp_ref}\nmark :{number}\nauthor {who}\ncommitter {who}\n".encode()
        stream += b"data %d\n%s\n" % (len(message), message)
        stream += f"from {parent}\n".encode() if parent and number == 1 else b""
        for path, data in files.items():
            stream += b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data)
        stream += b"\n"
    _, ids = fast_import(archive.repo, lambda out: out.write(bytes(stream) + b"done\n"),
                         fix="check the disk space and `git fsck`, then run `clausewatch track` again")
    try:
        git(archive.repo, "update-ref", branch, ids[len(versions)], parent or ZERO_OID)
    finally:
        git(archive.repo, "update-ref", "-d", temp_ref)
    _checkout_paths(archive, sorted(set(paths)))
    return [ids[n] for n in range(1, len(versions) + 1)]


def check_ids(service: str, document: str) -> None:
    """ConfigError unless both are ids (`slugs.id_problem`: slugs of at most 80 bytes). Checked before
    anything is written: a commit whose path the file system cannot hold would leave every later run
    unable to check the archive out."""
    for kind, value in (("service", service), ("document", document)):
        problem = id_problem(value)
        if problem:
            raise ConfigError(f"refusing to record {kind} id {problem}",
                              fix="give the document a valid, shorter id in its declaration")


def _version_commit(archive: Archive, version: NewVersion, *, first: bool, subject: str | None = None,
                    ) -> tuple[dict[str, bytes], bytes]:
    """The files (text, gzip'd snapshot) and the commit message of one version."""
    path = archive.path_of(version.service, version.document)
    files = {path: version.text.encode("utf-8")}
    provenance = version.provenance
    if version.snapshot is not None:
        snap_path = archive.snapshot_path_of(version.service, version.document, provenance.snapshot_sha256)
        files[snap_path] = gzip.compress(version.snapshot, mtime=0)
        provenance = replace(provenance, snapshot_path=snap_path)
    names = {"service": version.service, "document": version.document, **dict(version.names)}
    title = names.get("document_name") or version.document
    owner = names.get("service_name") or version.service
    subject = subject or record_subject(owner, title, first=first)
    return files, format_message(subject, provenance, names).encode("utf-8")


def _commit_files(
    archive: Archive, files: dict[str, bytes], message: bytes, when: datetime, parent: str | None
) -> str:
    """hash-object → private index → write-tree → commit-tree → compare-and-swap update-ref."""
    stamp = f"{int(when.timestamp())} +0000"
    env = {**BOT_ENV, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    with tempfile.TemporaryDirectory(prefix="clausewatch-index-") as tmp:
        index_env = {**env, "GIT_INDEX_FILE": str(Path(tmp) / "index")}
        if parent:
            git(archive.repo, "read-tree", parent, env=index_env)
        entries = []
        for path, data in files.items():
            blob = git(archive.repo, "hash-object", "-w", "--stdin", input=data).decode().strip()
            entries.append(f"100644 {blob}\t{path}\n")
        git(archive.repo, "update-index", "--index-info", input="".join(entries).encode(), env=index_env)
        tree = git(archive.repo, "write-tree", env=index_env).decode().strip()
    parents = ["-p", parent] if parent else []
    commit = git(archive.repo, "commit-tree", tree, *parents, input=message, env=env).decode().strip()
    git(archive.repo, "update-ref", branch_ref(archive), commit, parent or ZERO_OID)
    return commit


def branch_ref(archive: Archive) -> str:
    """The checked-out branch (`refs/heads/main`); a detached HEAD is an error."""
    ref = git(archive.repo, "symbolic-ref", "-q", "HEAD").decode().strip()
    if not ref:
        raise ArchiveError(f"the repository '{archive.repo}' has a detached HEAD", fix="check out a branch")
    return ref


def _sync_worktree(archive: Archive, files: dict[str, bytes]) -> None:
    """Bring the checked-out files and the index in line with the new commit (atomic file renames)."""
    if _is_bare(archive):
        return
    for path, data in files.items():
        target = archive.repo / path
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
        tmp.write_bytes(data)
        os.replace(tmp, target)
    git(archive.repo, "reset", "-q", "HEAD", "--", *files.keys())


def _checkout_paths(archive: Archive, paths: Sequence[str]) -> None:
    """Bring the checked-out files and the index of `paths` in line with the branch tip."""
    if _is_bare(archive) or not paths:
        return
    listing = "".join(f"{path}\0" for path in paths).encode("utf-8")
    git(archive.repo, "--literal-pathspecs", "checkout", "-q", "HEAD", "--pathspec-from-file=-",
        "--pathspec-file-nul", input=listing)


def _is_bare(archive: Archive) -> bool:
    return git(archive.repo, "rev-parse", "--is-bare-repository").decode().strip() == "true"


def drop_stale_refs(archive: Archive) -> None:
    """Delete the temporary `refs/clausewatch/*` refs of killed runs (only safe while holding the lock)."""
    for stale in git(archive.repo, "for-each-ref", "--format=%(refname)", "refs/clausewatch/").split():
        git(archive.repo, "update-ref", "-d", stale.decode())


def repair_worktree(archive: Archive) -> None:
    """After a run killed between its commit and its file sync: restore archive files from the branch.

    Also removes temporary files and refs a killed run left behind (call it holding the lock). The archive
    folder is machine-owned: hand edits to recorded versions are overwritten by what is committed.
    """
    drop_stale_refs(archive)
    if _is_bare(archive) or head_commit(archive) is None:
        return
    root = archive.repo / archive.prefix if archive.prefix else archive.repo
    for leftover in root.rglob(".*.tmp-*"):
        leftover.unlink(missing_ok=True)
    status = git(archive.repo, "status", "--porcelain", "--", archive.prefix or ".")
    if status.strip():
        tracked = git(archive.repo, "ls-tree", "-r", "-z", "--name-only", "HEAD", "--", archive.prefix or ".")
        if tracked.strip(b"\0"):
            try:
                git(archive.repo, "checkout", "-q", "HEAD", "--", archive.prefix or ".")
            except ArchiveError:
                # a path this file system cannot hold (a name over 255 bytes, recorded by an older version):
                # restore every other file, so that one bad path does not stop every later run
                paths = [p for p in tracked.decode("utf-8", "replace").split("\0") if p and _fits_on_disk(p)]
                _checkout_paths(archive, paths)


def _fits_on_disk(path: str) -> bool:
    """False for a path no common file system holds (a name over 255 bytes, or over 4,000 in all)."""
    data = path.encode("utf-8")
    return len(data) < 4000 and all(len(part) <= 255 for part in data.split(b"/"))


# --- Bulk writes (importers) -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PendingCommit:
    """One commit for `fast_import_versions`: `path` gets blob number `blob` (1-based, in blob order)."""

    path: str
    blob: int
    message: str
    when: datetime


def fast_import_versions(
    archive: Archive, blobs: Iterable[bytes], commits: Iterable[PendingCommit]
) -> list[str]:
    """Write `blobs`, then `commits` on top of the branch, in ONE `git fast-import`; return the commit ids.

    `blobs` is consumed completely before `commits` is iterated, so a caller can order blobs by document
    (fast-import deltas each blob against the one before it) and decide the commits while doing so. The
    branch moves by one compare-and-swap at the end: any failure leaves it where it was.
    """
    parent = head_commit(archive)
    branch = branch_ref(archive)
    temp_ref = f"refs/clausewatch/fast-import-{os.getpid()}"
    git(archive.repo, "update-ref", "-d", temp_ref)
    written, ids = fast_import(archive.repo, lambda out: _stream_fast_import(out, blobs, commits, temp_ref, parent),
                               fix="check the disk space, then run the import again (it resumes)")
    if not written:
        return []
    try:
        git(archive.repo, "update-ref", branch, ids[written[-1][0]], parent or ZERO_OID)
    finally:
        git(archive.repo, "update-ref", "-d", temp_ref)
    _checkout_paths(archive, sorted({path for _, path in written}))
    return [ids[mark] for mark, _ in written]


def _stream_fast_import(
    out: IO[bytes], blobs: Iterable[bytes], commits: Iterable[PendingCommit], ref: str, parent: str | None,
) -> list[tuple[int, str]]:
    """Feed the fast-import stream; return (mark, path) of each commit written."""
    count = 0
    for data in blobs:
        count += 1
        out.write(b"blob\nmark :%d\ndata %d\n%s\n" % (count, len(data), data))
    written: list[tuple[int, str]] = []
    for commit in commits:
        parts = ["", *commit.path.removesuffix(".md").split("/")]
        check_ids(parts[-2], parts[-1])
        if not 1 <= commit.blob <= count or "\n" in commit.path or commit.path.startswith('"'):
            raise ArchiveError(f"bulk commit of '{commit.path}' refers to blob {commit.blob} of {count}",
                               fix="report this as a bug in the importer")
        mark = count + 1 + len(written)
        who = f"{BOT_NAME} <{BOT_EMAIL}> {int(commit.when.timestamp())} +0000"
        message = commit.message.encode("utf-8")
        start = f"from {parent}\n" if parent and not written else ""
        head = f"commit {ref}\nmark :{mark}\nauthor {who}\ncommitter {who}\ndata {len(message)}\n"
        out.write(head.encode())
        out.write(message + f"\n{start}M 100644 :{commit.blob} {commit.path}\n\n".encode())
        written.append((mark, commit.path))
    out.write(b"done\n")
    out.close()
    return written
