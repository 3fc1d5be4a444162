"""The one runner of external commands of the build: MkDocs processes and Pagefind."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from clausewatch.errors import BuildError

OUTPUT_TAIL = 40
"""Lines of MkDocs' or Pagefind's output quoted in a BuildError."""


def quiet_env() -> dict[str, str]:
    """The environment of the build's commands (MkDocs' banner about its 2.0 silenced)."""
    return {**os.environ, "DISABLE_MKDOCS_2_WARNING": "true", "NO_MKDOCS_2_WARNING": "1"}


def run_commands(commands: list[list[str]], cwd: Path, name: str, fix: str) -> None:
    """Run the commands at once (MkDocs shards, Pagefind); BuildError quoting the output of the first
    that failed, with `fix`."""
    procs = [subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              env=quiet_env()) for command in commands]
    outputs = [proc.communicate()[0] for proc in procs]
    for proc, output in zip(procs, outputs, strict=True):
        if proc.returncode != 0:
            tail = "\n".join(output.strip().splitlines()[-OUTPUT_TAIL:])
            raise BuildError(f"{name} failed (exit {proc.returncode}):\n{tail}", fix=fix)
