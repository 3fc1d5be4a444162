"""Crash safety: `clausewatch track` killed with SIGKILL at random moments never corrupts the archive.

A loopback server changes every page before each run; each run is killed after a random delay (fixed
seed, 15 runs). Afterwards the repository passes `git fsck --strict`, every recorded version at HEAD is
complete (all its clauses, its trailers, its snapshot with the right SHA-256), no temporary file is
left over, and a final run completes with exit 0 and leaves the working tree equal to HEAD.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from faults import FaultServer, terms_text

from clausewatch.commands.init import init_workspace

DOCUMENTS = 8
RUNS = 15
SEED = 20261127
REQUIRED_TRAILERS = ("Service", "Document", "Source-URL", "Fetched-At", "HTTP-Status", "Snapshot-SHA256",
                     "Snapshot-Path")

pytestmark = pytest.mark.slow


@pytest.fixture
def server() -> Iterator[FaultServer]:
    fault_server = FaultServer().start()
    try:
        yield fault_server
    finally:
        fault_server.stop()


def make_workspace(root: Path, server: FaultServer) -> Path:
    workspace = init_workspace(root / "ws")
    documents = "\n".join(f"  doc-{n}:\n    url: {server.url(f'/doc/{n}')}\n    select: main"
                          for n in range(DOCUMENTS))
    (workspace / "services" / "crashy.yml").write_text(f"name: Crashy\ndocuments:\n{documents}\n",
                                                       encoding="utf-8")
    return workspace


def track_command(workspace: Path) -> list[str]:
    return [sys.executable, "-m", "clausewatch", "--root", str(workspace), "track",
            "--allow-private-addresses", "--host-delay", "0"]


def git(workspace: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(workspace), *args], check=True, capture_output=True,
                          text=True).stdout


def test_sigkill_at_random_points_leaves_a_consistent_archive(tmp_path: Path, server: FaultServer) -> None:
    workspace = make_workspace(tmp_path, server)
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1"}
    durations = []
    for _ in range(2):  # a first record, then a run where every page changed: the shorter sets the window
        server.round += 1
        began = time.monotonic()
        run = subprocess.run(track_command(workspace), env=env, capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr
        durations.append(time.monotonic() - began)
    full_run = min(durations)
    rng = random.Random(SEED)
    killed = 0
    for _ in range(RUNS):
        server.round += 1
        proc = subprocess.Popen(track_command(workspace), env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.2, full_run * 1.1))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.wait(timeout=60)
    assert killed >= RUNS // 3, f"only {killed} of {RUNS} runs were killed mid-way (runs took {durations})"

    git(workspace, "fsck", "--strict", "--no-progress")
    assert_every_version_complete(workspace)

    server.round += 1
    final = subprocess.run(track_command(workspace), env=env, capture_output=True, text=True, timeout=120)
    assert final.returncode == 0, final.stderr
    git(workspace, "fsck", "--strict", "--no-progress")
    assert git(workspace, "status", "--porcelain", "--", "archive") == ""
    leftovers = [p for p in (workspace / "archive").rglob("*") if ".tmp-" in p.name]
    assert leftovers == []
    assert git(workspace, "for-each-ref", "refs/clausewatch/") == ""  # no temporary ref of a killed run
    for n in range(DOCUMENTS):
        text = (workspace / "archive" / "crashy" / f"doc-{n}.md").read_text(encoding="utf-8")
        assert f"revision {server.round} " in text
    assert_every_version_complete(workspace)


def assert_every_version_complete(workspace: Path) -> None:
    """Every commit touching archive/ has its trailers, a complete text and a matching snapshot."""
    commits = git(workspace, "log", "--format=%H", "--", "archive/crashy").split()
    assert commits, "nothing was recorded"
    for commit in commits:
        message = git(workspace, "log", "-1", "--format=%B", commit)
        trailers = dict(line.split(": ", 1) for line in message.splitlines() if ": " in line)
        missing = [key for key in REQUIRED_TRAILERS if key not in trailers]
        assert not missing, (commit, missing)
        path = f"archive/crashy/{trailers['Document']}.md"
        text = git(workspace, "show", f"{commit}:{path}")
        expected_clauses = [line for line in terms_text(0)[1:] if "revision" not in line]
        assert all(clause in text for clause in expected_clauses), (commit, text)
        snapshot = gzip.decompress(
            subprocess.run(["git", "-C", str(workspace), "show", f"{commit}:{trailers['Snapshot-Path']}"],
                           check=True, capture_output=True).stdout
        )
        assert hashlib.sha256(snapshot).hexdigest() == trailers["Snapshot-SHA256"]
        changed = git(workspace, "show", "--name-only", "--format=", commit).split()
        assert sorted(changed) == sorted([path, trailers["Snapshot-Path"]]), (commit, changed)
