"""The git archive: the only module that runs git.

Layout inside the archive repository (by default the workspace's own repository, `archive/` inside it;
a separate repository is allowed by making `archive/` its own git repository):

    archive/<service>/<document>.md                     the recorded text, one commit per version
    archive/_snapshots/<service>/<document>/<sha256>.gz the raw response behind each version (gzip)

Every commit touches exactly one document. Its author and committer dates are the observation time;
its message carries the provenance as trailers (`Source-URL`, `Fetched-At`, `HTTP-Status`,
`Snapshot-SHA256`, `Snapshot-Path`, `Declaration-SHA256`, ...).

Writes use plumbing (hash-object, a private index, commit-tree, then a compare-and-swap `update-ref`),
so a process killed at any moment leaves either the old branch tip or the new one, never half a commit;
the checked-out files are then brought in line with the branch (and re-synced at the next run if the
process died in between). Reads use one `git log --raw` per query and one `git cat-file --batch`
process for all blobs: no process per version.
"""

from __future__ import annotations

import contextlib
import fcntl
import gzip
import os
import subprocess
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from clausewatch.dates import iso_utc
from clausewatch.errors import ArchiveError
from clausewatch.models import Provenance, Version

BOT_NAME = "Clausewatch"
BOT_EMAIL = "bot@clausewatch.invalid"
SNAPSHOTS = "_snapshots"
ZERO_OID = "0" * 40

TRAILERS = {
    "Service": "service",
    "Document": "document",
    "Service-Name": "service_name",
    "Document-Name": "document_name",
    "Source-URL": "source_url",
    "Fetched-At": "fetched_at",
    "HTTP-Status": "http_status",
    "Snapshot-SHA256": "snapshot_sha256",
    "Snapshot-Path": "snapshot_path",
    "Declaration-SHA256": "declaration_sha256",
    "Imported-From": "imported_from",
    "Imported-Path": "imported_path",
    "Imported-Snapshot": "imported_snapshot",
    "Re-Extraction": "re_extraction",
}


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


def git(repo: Path, *args: str, input: bytes | None = None, env: dict[str, str] | None = None) -> bytes:
    """Run one git command in `repo` and return its stdout; failures become `ArchiveError`."""
    full_env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", **(env or {})}
    proc = subprocess.run(
        ["git", "-C", str(repo), *args], input=input, capture_output=True, env=full_env, check=False
    )
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip()
        raise ArchiveError(f"git {args[0]} failed in '{repo}': {message}")
    return proc.stdout


def init_repository(path: Path) -> None:
    """Create a git repository at `path` (a new workspace or a separate archive)."""
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")


def open_archive(archive_dir: Path) -> Archive:
    """Find the repository holding `archive_dir`; raise a clear error if there is none."""
    archive_dir = archive_dir.resolve()
    if not archive_dir.is_dir():
        raise ArchiveError(
            f"archive folder '{archive_dir}' does not exist",
            fix="run `clausewatch init DIR` for a new workspace, or pass --root to the workspace",
        )
    proc = subprocess.run(
        ["git", "-C", str(archive_dir), "rev-parse", "--show-toplevel"], capture_output=True, check=False
    )
    if proc.returncode != 0:
        raise ArchiveError(
            f"archive folder '{archive_dir}' is not inside a git repository",
            fix=f"run `git init` in '{archive_dir.parent}' (or `clausewatch init DIR` for a new workspace)",
        )
    top = Path(proc.stdout.decode().strip()).resolve()
    rel = archive_dir.relative_to(top).as_posix()
    return Archive(repo=top, prefix="" if rel == "." else rel + "/")


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


def head_commit(archive: Archive) -> str | None:
    """The branch tip, or None in a repository with no commit yet."""
    proc = subprocess.run(
        ["git", "-C", str(archive.repo), "rev-parse", "-q", "--verify", "HEAD^{commit}"],
        capture_output=True,
        check=False,
    )
    return proc.stdout.decode().strip() or None


def _branch_ref(archive: Archive) -> str:
    ref = git(archive.repo, "symbolic-ref", "-q", "HEAD").decode().strip()
    if not ref:
        raise ArchiveError(f"the repository '{archive.repo}' has a detached HEAD", fix="check out a branch")
    return ref


def format_message(subject: str, provenance: Provenance, names: dict[str, str]) -> str:
    """A commit message: subject, blank line, trailers (only the non-empty ones)."""
    values = {
        "service": names.get("service", ""),
        "document": names.get("document", ""),
        "service_name": names.get("service_name", ""),
        "document_name": names.get("document_name", ""),
        "source_url": provenance.source_url,
        "fetched_at": iso_utc(provenance.fetched_at),
        "http_status": str(provenance.http_status),
        "snapshot_sha256": provenance.snapshot_sha256,
        "snapshot_path": provenance.snapshot_path,
        "declaration_sha256": provenance.declaration_sha256,
        "imported_from": provenance.imported_from,
    }
    lines = [f"{key}: {_one_line(values[attr])}" for key, attr in TRAILERS.items() if values.get(attr)]
    return f"{_one_line(subject)}\n\n" + "\n".join(lines) + "\n"


def _one_line(value: str) -> str:
    return " ".join(value.split())


def parse_trailers(message: str) -> dict[str, str]:
    """The `Key: value` trailers of a commit message, keyed by our attribute names."""
    found: dict[str, str] = {}
    for line in message.splitlines():
        key, sep, value = line.partition(": ")
        if sep and key in TRAILERS:
            found[TRAILERS[key]] = value.strip()
    return found


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
    path = archive.path_of(service, document)
    files = {path: text.encode("utf-8")}
    if snapshot is not None:
        snap_path = archive.snapshot_path_of(service, document, provenance.snapshot_sha256)
        files[snap_path] = gzip.compress(snapshot, mtime=0)
        provenance = _with_snapshot_path(provenance, snap_path)
    parent = head_commit(archive)
    first = parent is None or not _exists(archive, parent, path)
    all_names = {"service": service, "document": document, **(names or {})}
    title = all_names.get("document_name") or document
    owner = all_names.get("service_name") or service
    subject = subject or f"{'First record of' if first else 'Record new changes of'} {owner} {title}"
    message = format_message(subject, provenance, all_names)
    commit = _commit_files(archive, files, message, provenance.fetched_at, parent)
    _sync_worktree(archive, files)
    return commit


@dataclass(frozen=True, slots=True)
class NewVersion:
    """One version for `record_versions` (the arguments of `record_version`, as a value)."""

    service: str
    document: str
    text: str
    provenance: Provenance
    snapshot: bytes | None = None
    names: tuple[tuple[str, str], ...] = ()


def record_versions(archive: Archive, versions: Sequence[NewVersion]) -> list[str]:
    """Commit `versions` in order, one commit per version (text and gzip'd snapshot, as `record_version`
    does), in ONE `git fast-import` and ONE compare-and-swap of the branch: all of them or none.

    A whole tracking run's changes cost two git processes instead of a dozen per version.
    """
    if not versions:
        return []
    parent, branch = head_commit(archive), _branch_ref(archive)
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
    ids = _run_fast_import(archive, bytes(stream) + b"done\n")
    try:
        git(archive.repo, "update-ref", branch, ids[len(versions)], parent or ZERO_OID)
    finally:
        git(archive.repo, "update-ref", "-d", temp_ref)
    _checkout_paths(archive, sorted(set(paths)))
    return [ids[n] for n in range(1, len(versions) + 1)]


def _version_commit(archive: Archive, version: NewVersion, *, first: bool) -> tuple[dict[str, bytes], bytes]:
    """The files (text, snapshot) and commit message of one version, as `record_version` writes them."""
    path = archive.path_of(version.service, version.document)
    files = {path: version.text.encode("utf-8")}
    provenance = version.provenance
    if version.snapshot is not None:
        snap_path = archive.snapshot_path_of(version.service, version.document, provenance.snapshot_sha256)
        files[snap_path] = gzip.compress(version.snapshot, mtime=0)
        provenance = _with_snapshot_path(provenance, snap_path)
    names = {"service": version.service, "document": version.document, **dict(version.names)}
    title = names.get("document_name") or version.document
    owner = names.get("service_name") or version.service
    subject = f"{'First record of' if first else 'Record new changes of'} {owner} {title}"
    return files, format_message(subject, provenance, names).encode("utf-8")


def _run_fast_import(archive: Archive, stream: bytes) -> dict[int, str]:
    """Feed one fast-import stream; return its marks (mark number → commit id)."""
    with tempfile.TemporaryDirectory(prefix="clausewatch-record-") as tmp:
        marks = Path(tmp) / "marks"
        proc = subprocess.run(
            ["git", "-C", str(archive.repo), "fast-import", "--quiet", "--done", f"--export-marks={marks}"],
            input=stream, capture_output=True, check=False,
        )
        if proc.returncode != 0:
            message = proc.stderr.decode("utf-8", "replace").strip()[-2000:]
            raise ArchiveError(f"git fast-import failed in '{archive.repo}': {message}",
                               fix="check the disk space and `git fsck`, then run `clausewatch track` again")
        return _read_marks(marks)


def _with_snapshot_path(provenance: Provenance, snap_path: str) -> Provenance:

    return replace(provenance, snapshot_path=snap_path)


def _exists(archive: Archive, commit: str, path: str) -> bool:
    out = git(archive.repo, "ls-tree", "--name-only", commit, "--", path)
    return bool(out.strip())


def _commit_files(
    archive: Archive, files: dict[str, bytes], message: str, when: datetime, parent: str | None
) -> str:
    """hash-object → private index → write-tree → commit-tree → compare-and-swap update-ref."""
    stamp = f"{int(when.timestamp())} +0000"
    env = {
        "GIT_AUTHOR_NAME": BOT_NAME,
        "GIT_AUTHOR_EMAIL": BOT_EMAIL,
        "GIT_COMMITTER_NAME": BOT_NAME,
        "GIT_COMMITTER_EMAIL": BOT_EMAIL,
        "GIT_AUTHOR_DATE": stamp,
        "GIT_COMMITTER_DATE": stamp,
    }
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
    commit = git(archive.repo, "commit-tree", tree, *parents, input=message.encode(), env=env).decode().strip()
    git(archive.repo, "update-ref", _branch_ref(archive), commit, parent or ZERO_OID)
    return commit


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
        tracked = git(archive.repo, "ls-tree", "-r", "--name-only", "HEAD", "--", archive.prefix or ".")
        if tracked.strip():
            git(archive.repo, "checkout", "-q", "HEAD", "--", archive.prefix or ".")


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
        "--format=%x1e%H%x00%at%x00%B%x00",
        "HEAD",
        "--",
        *pathspec,
    )
    for record in out.split(b"\x1e")[1:]:
        yield from _parse_log_record(record)


def _parse_log_record(record: bytes) -> Iterator[LogEntry]:
    commit, stamp, body, raw = record.split(b"\x00", 3)
    trailers = parse_trailers(body.decode("utf-8", "replace"))
    observed = datetime.fromtimestamp(int(stamp), UTC)
    fields = raw.lstrip(b"\x00\n").split(b"\x00")
    for meta, path in zip(fields[0::2], fields[1::2], strict=False):
        parts = meta.decode().split()
        if len(parts) < 5 or parts[4] == "D":
            continue
        name = path.decode("utf-8", "replace")
        if f"{SNAPSHOTS}/" in name or not name.endswith(".md"):
            continue
        yield LogEntry(commit.decode(), observed, name, parts[3], trailers)


class BlobReader:
    """One `git cat-file --batch` process serving every blob read of a run."""

    def __init__(self, archive: Archive) -> None:
        self._proc = subprocess.Popen(
            ["git", "-C", str(archive.repo), "cat-file", "--batch"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )

    def read(self, oid: str) -> bytes:
        assert self._proc.stdin is not None and self._proc.stdout is not None  # noqa: S101 (internal)
        self._proc.stdin.write(oid.encode() + b"\n")
        self._proc.stdin.flush()
        header = self._proc.stdout.readline().split()
        if len(header) < 3 or header[1] == b"missing":
            raise ArchiveError(f"object {oid} is missing from the archive", fix="run `git fsck` on the archive")
        data = self._proc.stdout.read(int(header[2]) + 1)
        return data[:-1]

    def close(self) -> None:
        if self._proc.stdin:
            self._proc.stdin.close()
        self._proc.wait()
        if self._proc.stdout:
            self._proc.stdout.close()  # else a ResourceWarning (an error under filterwarnings=error)

    def __enter__(self) -> BlobReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


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
    )


def iter_versions(archive: Archive, service: str, document: str) -> Iterator[Version]:
    """Every recorded version of one document, oldest first."""
    entries = list(iter_log(archive, [archive.path_of(service, document)]))
    with BlobReader(archive) as reader:
        for entry in entries:
            yield to_version(archive, entry, reader.read(entry.blob).decode("utf-8"))


def latest_text(archive: Archive, service: str, document: str) -> str | None:
    """The newest recorded text of a document, or None if it was never recorded."""
    if head_commit(archive) is None:
        return None
    proc = subprocess.run(
        ["git", "-C", str(archive.repo), "show", f"HEAD:{archive.path_of(service, document)}"],
        capture_output=True,
        check=False,
    )
    return proc.stdout.decode("utf-8") if proc.returncode == 0 else None


def read_snapshot(archive: Archive, snapshot_path: str, commit: str = "HEAD") -> bytes:
    """The raw response behind a version, decompressed."""
    return gzip.decompress(git(archive.repo, "show", f"{commit}:{snapshot_path}"))


def write_commit_graph(archive: Archive) -> None:
    """Keep a commit-graph with changed-path Bloom filters: path-limited log becomes ~10x faster."""
    git(archive.repo, "commit-graph", "write", "--reachable", "--changed-paths")


def commit_workspace(repo: Path, message: str, paths: Sequence[str] = (".",)) -> str:
    """Stage `paths` and commit them as the bot (used by `clausewatch init` for the first commit)."""
    env = {
        "GIT_AUTHOR_NAME": BOT_NAME,
        "GIT_AUTHOR_EMAIL": BOT_EMAIL,
        "GIT_COMMITTER_NAME": BOT_NAME,
        "GIT_COMMITTER_EMAIL": BOT_EMAIL,
    }
    git(repo, "add", "--", *paths)
    git(repo, "commit", "-q", "--allow-empty", "-m", message, env=env)
    return git(repo, "rev-parse", "HEAD").decode().strip()


# --- Bulk writes (importers) and reads of a source repository ----------------------------------------


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
    branch = _branch_ref(archive)
    temp_ref = f"refs/clausewatch/fast-import-{os.getpid()}"
    git(archive.repo, "update-ref", "-d", temp_ref)
    with tempfile.TemporaryDirectory(prefix="clausewatch-import-") as tmp:
        marks, errors = Path(tmp) / "marks", Path(tmp) / "stderr"
        with open(errors, "wb") as err:
            proc = subprocess.Popen(
                ["git", "-C", str(archive.repo), "fast-import", "--quiet", "--done",
                 f"--export-marks={marks}"],
                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=err,
            )
            try:
                written = _stream_fast_import(proc, blobs, commits, temp_ref, parent)
            except BrokenPipeError:
                written = None  # fast-import stopped reading: its exit code and stderr say why
            except BaseException:
                proc.kill()
                raise
            finally:
                with contextlib.suppress(OSError):
                    proc.stdin.close()  # type: ignore[union-attr]
                proc.wait()
        if proc.wait() != 0 or written is None:
            message = errors.read_text("utf-8", "replace").strip()[-2000:]
            raise ArchiveError(f"git fast-import failed in '{archive.repo}': {message}",
                               fix="check the disk space, then run the import again (it resumes)")
        ids = _read_marks(marks)
    if not written:
        return []
    try:
        git(archive.repo, "update-ref", branch, ids[written[-1][0]], parent or ZERO_OID)
    finally:
        git(archive.repo, "update-ref", "-d", temp_ref)
    _checkout_paths(archive, sorted({path for _, path in written}))
    return [ids[mark] for mark, _ in written]


def _stream_fast_import(
    proc: subprocess.Popen[bytes], blobs: Iterable[bytes], commits: Iterable[PendingCommit], ref: str,
    parent: str | None,
) -> list[tuple[int, str]]:
    """Feed the fast-import stream; return (mark, path) of each commit written."""
    out = proc.stdin
    if out is None:
        raise ArchiveError("git fast-import has no input pipe", fix="report this as a bug")
    count = 0
    for data in blobs:
        count += 1
        out.write(b"blob\nmark :%d\ndata %d\n%s\n" % (count, len(data), data))
    written: list[tuple[int, str]] = []
    for commit in commits:
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


def _read_marks(marks: Path) -> dict[int, str]:
    ids: dict[int, str] = {}
    for line in marks.read_text("ascii").splitlines():
        mark, _, oid = line.partition(" ")
        ids[int(mark.lstrip(":"))] = oid
    return ids


def _checkout_paths(archive: Archive, paths: Sequence[str]) -> None:
    """Bring the checked-out files and the index of `paths` in line with the branch tip."""
    if _is_bare(archive) or not paths:
        return
    listing = "".join(f"{path}\0" for path in paths).encode("utf-8")
    git(archive.repo, "--literal-pathspecs", "checkout", "-q", "HEAD", "--pathspec-from-file=-",
        "--pathspec-file-nul", input=listing)


@dataclass(frozen=True, slots=True)
class SourceChange:
    """One file change of a source commit: status A, M, D or R (renamed from `old_path`)."""

    status: str
    path: str
    blob: str
    old_path: str = ""


@dataclass(frozen=True, slots=True)
class SourceCommit:
    """One commit of a repository being imported (e.g. Open Terms Archive versions)."""

    commit: str
    authored_at: datetime
    message: str
    changes: tuple[SourceChange, ...]


@contextmanager
def open_source_repository(path: Path) -> Iterator[Path]:
    """A repository to import from: `path` itself (a clone), or a temporary bare clone of a bundle file."""
    path = path.resolve()
    if path.is_dir():
        git(path, "rev-parse", "--git-dir")
        yield path
        return
    if not path.is_file():
        raise ArchiveError(f"source repository '{path}' does not exist",
                           fix="pass the path of a clone or of a git bundle (`*.bundle`)")
    with tempfile.TemporaryDirectory(prefix="clausewatch-source-") as tmp:
        try:
            git(Path(tmp), "clone", "--bare", "-q", str(path), "source.git")
        except ArchiveError as exc:
            raise ArchiveError(
                f"'{path}' is neither a git repository nor a git bundle: {exc.problem}",
                fix="pass the path of a clone or of a file made by `git bundle create`",
            ) from None
        yield Path(tmp) / "source.git"


def resolve_source_ref(repo: Path) -> str:
    """The commit to import up to: HEAD, else branch main or master, else the only branch."""
    for name in ("HEAD", "refs/heads/main", "refs/heads/master"):
        proc = subprocess.run(["git", "-C", str(repo), "rev-parse", "-q", "--verify", f"{name}^{{commit}}"],
                              capture_output=True, check=False)
        if proc.returncode == 0:
            return proc.stdout.decode().strip()
    heads = git(repo, "for-each-ref", "--format=%(objectname)", "refs/heads/").decode().split()
    if len(heads) != 1:
        raise ArchiveError(f"cannot tell which branch of '{repo}' to import ({len(heads)} branches, no main)",
                           fix="check out the branch to import in that clone")
    return heads[0]


def iter_source_commits(repo: Path, ref: str) -> Iterator[SourceCommit]:
    """Every first-parent commit of `ref`, oldest first, with its file changes (renames detected)."""
    out = git(repo, "log", "--reverse", "--first-parent", "--diff-merges=first-parent", "-M", "--raw",
              "--no-abbrev", "-z", "--format=%x1e%H%x00%at%x00%B%x00", ref)
    for record in out.split(b"\x1e")[1:]:
        commit, stamp, body, raw = record.split(b"\x00", 3)
        yield SourceCommit(commit.decode(), datetime.fromtimestamp(int(stamp), UTC),
                           body.decode("utf-8", "replace"), tuple(_parse_raw_changes(raw)))


def iter_source_versions(repo: Path, paths: Sequence[str], ref: str = "refs/heads/main"
                         ) -> Iterator[tuple[str, list[Version]]]:
    """Each of `paths` with its versions in another repository (a clone or bundle opened with
    `open_source_repository`), oldest first, as plain `Version`s: for measuring the diff core on real
    histories without importing them (ids `s/d`, no provenance but the commit time)."""
    commits = list(iter_source_commits(repo, ref))
    with BlobReader(Archive(repo, "")) as reader:
        for path in paths:
            yield path, [
                Version("s", "d", c.commit, c.authored_at.astimezone(UTC),
                        reader.read(ch.blob).decode("utf-8", "replace"), Provenance("", c.authored_at, 200, ""))
                for c in commits for ch in c.changes if ch.path == path and ch.status != "D"
            ]


def _parse_raw_changes(raw: bytes) -> Iterator[SourceChange]:
    fields = raw.lstrip(b"\x00\n").split(b"\x00")
    at = 0
    while at + 1 < len(fields) and fields[at].startswith(b":"):
        meta = fields[at].decode().split()
        status = meta[4][0]
        if status in "RC":
            old, new = fields[at + 1].decode("utf-8", "replace"), fields[at + 2].decode("utf-8", "replace")
            yield SourceChange(status if status == "R" else "A", new, meta[3], old if status == "R" else "")
            at += 3
        else:
            yield SourceChange(status, fields[at + 1].decode("utf-8", "replace"), meta[3])
            at += 2


def changed_files(repo: Path, base: str, pathspec: str) -> list[str]:
    """Files under `pathspec` added or modified since `base` (a commit), e.g. a pull request's declarations."""
    out = git(repo, "diff", "--name-only", "-z", "--diff-filter=AM", f"{base}...HEAD", "--", pathspec)
    return [name for name in out.decode("utf-8", "replace").split("\x00") if name]
