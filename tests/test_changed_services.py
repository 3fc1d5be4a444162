"""The pull-request workflow fetches exactly the services whose declarations the pull request changed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _git(repo: Path, *args: str) -> str:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t", "PATH": "/usr/bin:/bin"}
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
                          env=env).stdout.strip()


def test_lists_added_and_modified_declarations_by_service_id(tmp_path: Path) -> None:
    _git(tmp_path, "init", "-q", "-b", "main")
    services = tmp_path / "services"
    services.mkdir()
    (services / "acme.yml").write_text("name: Acme\n")
    (services / "old.yml").write_text("name: Old\n")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "base")
    base = _git(tmp_path, "rev-parse", "HEAD")
    (services / "acme.yml").write_text("name: Acme Cloud\n")
    (services / "Zoom Video.json").write_text("{}")
    (services / "README.md").write_text("not a declaration")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "pr")
    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "changed_services.py"), base], cwd=tmp_path,
                         check=True, capture_output=True, text=True).stdout.split()
    assert sorted(out) == ["acme", "zoom-video"]
