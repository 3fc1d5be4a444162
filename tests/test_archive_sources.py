"""Repositories to import from: their name, read from a clone's remote with GitPython."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from clausewatch.archive.sources import (
    open_source_repository,
    repository_name,
    source_remote_url,
    source_repository_name,
)


def git(*args: str) -> None:
    subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@e", *args], check=True, capture_output=True)


@pytest.fixture
def origin(tmp_path: Path) -> Path:
    """A bare repository with one commit."""
    work = tmp_path / "work"
    git("init", "-q", "-b", "main", str(work))
    git("-C", str(work), "commit", "-q", "--allow-empty", "-m", "First")
    git("clone", "-q", "--bare", str(work), str(tmp_path / "origin.git"))
    return tmp_path / "origin.git"


def test_a_clone_is_named_by_its_remote(origin: Path, tmp_path: Path) -> None:
    clone = tmp_path / "contrib-versions"
    git("clone", "-q", str(origin), str(clone))
    assert source_remote_url(clone) == str(origin)
    assert source_repository_name(clone) is None  # a local path names no owner

    git("-C", str(clone), "remote", "set-url", "origin", "https://github.com/Owner/Repo.git")

    assert source_remote_url(clone) == "https://github.com/Owner/Repo.git"
    assert source_repository_name(clone) == "Owner/Repo"


def test_a_bundle_or_a_clone_without_remote_has_no_name(origin: Path, tmp_path: Path) -> None:
    bundle = tmp_path / "ota-contrib-versions.bundle"
    git("-C", str(origin), "bundle", "create", str(bundle), "main")
    lone = tmp_path / "lone"
    git("init", "-q", str(lone))

    assert source_repository_name(bundle) is None and source_remote_url(bundle) is None
    assert source_repository_name(lone) is None and source_remote_url(lone) is None
    assert source_repository_name(tmp_path / "missing") is None
    assert source_repository_name(tmp_path) is None  # a folder that is no repository
    with open_source_repository(bundle) as opened:  # what the importer reads from: a bare clone of the bundle
        assert source_repository_name(bundle) is None and opened.is_dir()


@pytest.mark.parametrize(("url", "name"), [
    ("https://github.com/OpenTermsArchive/contrib-versions", "OpenTermsArchive/contrib-versions"),
    ("https://github.com/OpenTermsArchive/contrib-versions.git", "OpenTermsArchive/contrib-versions"),
    ("https://github.com/OpenTermsArchive/contrib-versions/", "OpenTermsArchive/contrib-versions"),
    ("https://user:token@github.com/Owner/Repo.git", "Owner/Repo"),
    ("git@github.com:Owner/Repo.git", "Owner/Repo"),
    ("github.com:Owner/Repo", "Owner/Repo"),
    ("ssh://git@github.com/Owner/Repo.git", "Owner/Repo"),
    ("https://gitlab.com/group/subgroup/repo.git", "subgroup/repo"),
    ("https://github.com/Repo.git", None),
    ("/srv/git/Owner/Repo.git", None),
    ("../Owner/Repo.git", None),
    ("file:///srv/git/Owner/Repo.git", None),
    ("https://github.com/Owner/Re po.git", None),
    ("https://github.com/../Repo.git", None),
])
def test_repository_name_of_remote_urls(url: str, name: str | None) -> None:
    assert repository_name(url) == name
