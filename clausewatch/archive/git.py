"""The one git runner: every git process of the archive package starts here, with one environment.

`git` runs a command and returns its output (or, with `check=False`, the completed process, for probes
whose failure is an answer); `git_process` starts a long-running one. Two of those live here:
`BlobReader` (one `git cat-file --batch` serving every blob read of a run) and `fast_import` (one
`git fast-import` fed a stream, for batch writes).
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Literal, Protocol, TypeVar, overload

from clausewatch.errors import ArchiveError

GIT_ENV = {"GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
"""Set on every git process: never wait for a credential prompt; messages in the C locale."""

T = TypeVar("T")


def git_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a git process: ours, `GIT_ENV`, then `env` (e.g. author, date, index file)."""
    return {**os.environ, **GIT_ENV, **(env or {})}


@overload
def git(repo: Path, *args: str, input: bytes | None = None, env: dict[str, str] | None = None,
        check: Literal[True] = True) -> bytes: ...


@overload
def git(repo: Path, *args: str, input: bytes | None = None, env: dict[str, str] | None = None,
        check: Literal[False]) -> subprocess.CompletedProcess[bytes]: ...


def git(repo: Path, *args: str, input: bytes | None = None, env: dict[str, str] | None = None,
        check: bool = True) -> bytes | subprocess.CompletedProcess[bytes]:
    """Run one git command in `repo` and return its stdout; failures become `ArchiveError`.

    With `check=False`, return the completed process whatever its exit code (`rev-parse --verify` and
    `show REV:PATH` say "no" by failing).
    """
    proc = subprocess.run(
        ["git", "-C", str(repo), *args], input=input, capture_output=True, env=git_env(env), check=False
    )
    if not check:
        return proc
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip()
        raise ArchiveError(f"git {args[0]} failed in '{repo}': {message}")
    return proc.stdout


LOG_RECORD = "%x1e%H%x00"
"""How a `git log --format` that splits records with `log_records` starts each record."""
_RECORD_START = re.compile(rb"\x1e(?=(?:[0-9a-f]{40}|[0-9a-f]{64})\x00)")


def log_records(out: bytes) -> list[bytes]:
    """The records of `git log -z --format=%x1e%H%x00…` output. A record starts at a `\x1e` followed by a
    commit id and a NUL, so a `\x1e` inside a commit message (any repository may hold one: an imported
    source, a hand-made commit) does not cut its record in two."""
    return _RECORD_START.split(out)[1:]


def git_process(repo: Path, *args: str, stdin: int | IO[bytes] | None = None,
                stdout: int | IO[bytes] | None = None, stderr: int | IO[bytes] | None = None,
                ) -> subprocess.Popen[bytes]:
    """Start a long-running git command in `repo` (the environment of `git`); the caller waits for it."""
    return subprocess.Popen(["git", "-C", str(repo), *args], stdin=stdin, stdout=stdout, stderr=stderr,
                            env=git_env())


class InRepository(Protocol):
    """Anything naming a repository by its top-level folder (an `Archive`)."""

    @property
    def repo(self) -> Path: ...


class BlobReader:
    """One `git cat-file --batch` process serving every blob read of a run."""

    def __init__(self, archive: InRepository) -> None:
        self.repo = archive.repo
        self._proc = git_process(archive.repo, "cat-file", "--batch", stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def read(self, oid: str) -> bytes:
        """The content of object `oid` (an error naming the repository read if it is missing)."""
        found = self._request(oid)
        if found is None:
            raise ArchiveError(f"object {oid} is missing from the repository '{self.repo}'",
                               fix=f"run `git fsck` in '{self.repo}' (a clone may be shallow or damaged)")
        return found[1]

    def read_path(self, commit: str, path: str) -> bytes | None:
        """The file at `path` in `commit`, or None if there is no such file (or `path` is not a file)."""
        if "\n" in path:
            raise ArchiveError(f"cannot read {path!r} by path: it holds a line break", fix="report this as a bug")
        found = self._request(f"{commit}:{path}")
        return found[1] if found is not None and found[0] == b"blob" else None

    def _request(self, name: str) -> tuple[bytes, bytes] | None:
        """(type, content) of the object `name` names, or None if it is missing."""
        assert self._proc.stdin is not None and self._proc.stdout is not None  # noqa: S101 (internal)
        self._proc.stdin.write(name.encode() + b"\n")
        self._proc.stdin.flush()
        header = self._proc.stdout.readline().split()
        if len(header) < 3 or header[-1] == b"missing":
            return None
        data = self._proc.stdout.read(int(header[2]) + 1)
        return header[1], data[:-1]

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


def fast_import(repo: Path, feed: Callable[[IO[bytes]], T], *, fix: str) -> tuple[T, dict[int, str]]:
    """Run one `git fast-import` in `repo`, `feed` writing its stream (ending with `done`); return what
    `feed` returned and the marks (mark number → object id).

    A failing fast-import (or one that stopped reading) is an `ArchiveError` with the fix `fix`; any other
    exception of `feed` kills the process and propagates.
    """
    with tempfile.TemporaryDirectory(prefix="clausewatch-fast-import-") as tmp:
        marks, errors = Path(tmp) / "marks", Path(tmp) / "stderr"
        with open(errors, "wb") as err:
            proc = git_process(repo, "fast-import", "--quiet", "--done", f"--export-marks={marks}",
                               stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=err)
            stream = proc.stdin
            if stream is None:
                raise ArchiveError("git fast-import has no input pipe", fix="report this as a bug")
            broken = False
            try:
                result = feed(stream)
            except BrokenPipeError:
                broken = True  # fast-import stopped reading: its exit code and stderr say why
            except BaseException:
                proc.kill()
                raise
            finally:
                with contextlib.suppress(OSError):
                    stream.close()
                proc.wait()
        if proc.returncode != 0 or broken:
            message = errors.read_text("utf-8", "replace").strip()[-2000:]
            raise ArchiveError(f"git fast-import failed in '{repo}': {message}", fix=fix)
        return result, _read_marks(marks)


def _read_marks(marks: Path) -> dict[int, str]:
    ids: dict[int, str] = {}
    for line in marks.read_text("ascii").splitlines():
        mark, _, oid = line.partition(" ")
        ids[int(mark.lstrip(":"))] = oid
    return ids
