"""Reading OTHER repositories, to import from them: a clone or a git bundle (e.g. Open Terms Archive's
versions), their first-parent history with file changes, and their name.

History is read with the package's git runner (one `git log --raw`, one `git cat-file --batch`); the
light checks of a clone (its `remote.origin.url`) with GitPython, which reads the config file itself.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import git as gitpython  # GitPython (not `clausewatch.archive.git`, the runner)

from clausewatch.archive.git import LOG_RECORD, BlobReader, git, log_records
from clausewatch.archive.read import Archive
from clausewatch.errors import ArchiveError
from clausewatch.models import Provenance, Version

_NAME_PART = re.compile(r"[\w.-]+")
_SCP_LIKE = re.compile(r"^(?:[^@/]+@)?[^:/]+:(?!//)(?P<path>.+)$")
"""`[user@]host:path`, git's short form of an ssh URL (a colon before any slash)."""


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


def source_remote_url(path: Path) -> str | None:
    """The `remote.origin.url` of the clone at `path`; None for a bundle, a folder that is no repository,
    or a clone without that remote."""
    try:
        repo = gitpython.Repo(path)
    except (gitpython.InvalidGitRepositoryError, gitpython.NoSuchPathError):
        return None
    with repo, repo.config_reader("repository") as config:
        url = config.get_value('remote "origin"', "url", default="")
    return str(url) or None


def source_repository_name(path: Path) -> str | None:
    """`Owner/Repository` of the clone at `path`, from its remote URL (`https://github.com/Owner/Repo(.git)`,
    `git@github.com:Owner/Repo.git`, ...); None for a bundle, a clone without a remote, or a local remote."""
    url = source_remote_url(path)
    return repository_name(url) if url else None


def repository_name(url: str) -> str | None:
    """The last two parts of a remote URL's path (`.git` dropped) as `Owner/Repository`; None for a local
    path or a `file://` URL (no owner to tell), or parts that are not plain names."""
    if "://" in url:
        parsed = urlsplit(url)
        if parsed.scheme == "file" or not parsed.hostname:
            return None
        path = parsed.path
    elif match := _SCP_LIKE.match(url):
        path = match["path"]
    else:
        return None
    parts = [part for part in path.split("/") if part]
    if len(parts) < 2:
        return None
    owner, name = parts[-2], parts[-1].removesuffix(".git")
    if not all(_NAME_PART.fullmatch(part) and part.strip(".") for part in (owner, name)):
        return None
    return f"{owner}/{name}"


def resolve_source_ref(repo: Path) -> str:
    """The commit to import up to: HEAD, else branch main or master, else the only branch."""
    for name in ("HEAD", "refs/heads/main", "refs/heads/master"):
        proc = git(repo, "rev-parse", "-q", "--verify", f"{name}^{{commit}}", check=False)
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
              "--no-abbrev", "-z", f"--format={LOG_RECORD}%at%x00%B%x00", ref)
    for record in log_records(out):
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


FILE_MODES = frozenset({"100644", "100755"})
"""Modes of regular files: a submodule (160000) or a symbolic link (120000) at a version's path is not a
version (its "blob" is a commit of another repository, or a link target)."""


def _parse_raw_changes(raw: bytes) -> Iterator[SourceChange]:
    fields = raw.lstrip(b"\x00\n").split(b"\x00")
    at = 0
    while at + 1 < len(fields) and fields[at].startswith(b":"):
        meta = fields[at].decode().split()
        status, regular = meta[4][0], meta[1] in FILE_MODES or meta[4][0] == "D"
        if status in "RC":
            old, new = fields[at + 1].decode("utf-8", "replace"), fields[at + 2].decode("utf-8", "replace")
            if regular:
                yield SourceChange(status if status == "R" else "A", new, meta[3], old if status == "R" else "")
            at += 3
        else:
            if regular:
                yield SourceChange(status, fields[at + 1].decode("utf-8", "replace"), meta[3])
            at += 2


def changed_files(repo: Path, base: str, pathspec: str) -> list[str]:
    """Files under `pathspec` added or modified since `base` (a commit), e.g. a pull request's declarations."""
    out = git(repo, "diff", "--name-only", "-z", "--diff-filter=AM", f"{base}...HEAD", "--", pathspec)
    return [name for name in out.decode("utf-8", "replace").split("\x00") if name]
