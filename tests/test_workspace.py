"""Workspace and archive errors: each names the folder, the problem and the fix; nothing is lost."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from clausewatch.archive.read import open_archive
from clausewatch.archive.write import lock_archive
from clausewatch.cli import cli
from clausewatch.commands.init import init_workspace
from clausewatch.errors import ArchiveError
from clausewatch.workspace import Workspace, read_site_config


def test_archive_outside_any_git_repository_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "archive").mkdir()
    with pytest.raises(ArchiveError) as caught:
        open_archive(tmp_path / "archive")
    message = str(caught.value)
    assert "is not inside a git repository" in message and str(tmp_path / "archive") in message
    assert "To fix: run `git init`" in message


def test_log_on_a_folder_that_is_not_a_git_repository_exits_3(tmp_path: Path) -> None:
    (tmp_path / "archive").mkdir()
    result = CliRunner().invoke(cli, ["--root", str(tmp_path), "log", "acme/terms"])
    assert result.exit_code == 3, result.output
    assert "not inside a git repository" in result.output


def test_a_second_run_cannot_take_the_archive_lock(tmp_path: Path) -> None:
    init_workspace(tmp_path / "ws")
    archive = open_archive(tmp_path / "ws" / "archive")
    with lock_archive(archive):
        with pytest.raises(ArchiveError, match="locked by another clausewatch run"):
            with lock_archive(archive):
                pass


def test_init_refuses_an_existing_workspace_and_keeps_it(tmp_path: Path) -> None:
    init_workspace(tmp_path)
    (tmp_path / "services" / "acme.yml").write_text("name: Acme\n")
    result = CliRunner().invoke(cli, ["init", str(tmp_path)])
    assert result.exit_code == 2 and "already holds" in result.output
    assert (tmp_path / "services" / "acme.yml").read_text() == "name: Acme\n"


def test_init_makes_a_git_repository_with_one_commit(tmp_path: Path) -> None:
    init_workspace(tmp_path / "ws")
    log = subprocess.run(["git", "-C", str(tmp_path / "ws"), "log", "--format=%s"], capture_output=True,
                         text=True, check=True).stdout.splitlines()
    assert log == ["Start a Clausewatch workspace"]


def test_site_urls_come_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    init_workspace(tmp_path / "ws")
    workspace = Workspace(tmp_path / "ws")
    monkeypatch.delenv("CLAUSEWATCH_REPO_URL", raising=False)
    assert read_site_config(workspace).get("repo_url") is None
    monkeypatch.setenv("CLAUSEWATCH_REPO_URL", "https://github.com/acme/terms-watch")
    assert read_site_config(workspace)["repo_url"] == "https://github.com/acme/terms-watch"


MKDOCS_YML = """site_name: Acme terms
site_url: !ENV [CW_TEST_SITE_URL, CW_TEST_FALLBACK_URL, "https://fallback.example/"]
repo_url: !ENV CW_TEST_REPO_URL
edit_uri: !ENV [CW_TEST_EDIT_URI]
extra:
  strict: !ENV [CW_TEST_STRICT, false]
  shards: !ENV [CW_TEST_SHARDS, 4]
markdown_extensions:
  - pymdownx.superfences:
      custom_fences:
        - name: mermaid
          class: mermaid
          format: !!python/name:pymdownx.superfences.fence_code_format
  - pymdownx.emoji:
      emoji_index: !!python/name:material.extensions.emoji.twemoji
theme: !relative themes/acme
"""


def test_mkdocs_env_tags_are_read_as_mkdocs_reads_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
    workspace = Workspace(tmp_path)
    for name in ("CW_TEST_SITE_URL", "CW_TEST_FALLBACK_URL", "CW_TEST_REPO_URL", "CW_TEST_EDIT_URI",
                 "CW_TEST_STRICT", "CW_TEST_SHARDS"):
        monkeypatch.delenv(name, raising=False)
    config = read_site_config(workspace)
    assert config["site_url"] == "https://fallback.example/"  # no variable set: the last item
    assert config["repo_url"] is None and config["edit_uri"] is None  # no fallback: null
    assert config["extra"] == {"strict": False, "shards": 4}  # fallbacks keep their YAML types
    # other tags are never executed: they are read as their plain values (a `!!python/name:` has none)
    fences = config["markdown_extensions"][0]["pymdownx.superfences"]["custom_fences"][0]
    assert fences == {"name": "mermaid", "class": "mermaid", "format": ""}
    assert config["markdown_extensions"][1]["pymdownx.emoji"]["emoji_index"] == ""
    assert config["theme"] == "themes/acme"

    monkeypatch.setenv("CW_TEST_FALLBACK_URL", "https://second.example/")
    assert read_site_config(workspace)["site_url"] == "https://second.example/"  # the first set wins
    monkeypatch.setenv("CW_TEST_SITE_URL", "https://first.example/")
    monkeypatch.setenv("CW_TEST_REPO_URL", "https://github.com/acme/terms-watch")
    monkeypatch.setenv("CW_TEST_EDIT_URI", "edit/main/")
    monkeypatch.setenv("CW_TEST_STRICT", "true")
    monkeypatch.setenv("CW_TEST_SHARDS", "[1, 2]")
    config = read_site_config(workspace)
    assert config["site_url"] == "https://first.example/"
    assert config["repo_url"] == "https://github.com/acme/terms-watch" and config["edit_uri"] == "edit/main/"
    # a variable's value is one YAML scalar (as in MkDocs): `true` is a bool, `[1, 2]` stays a string
    assert config["extra"] == {"strict": True, "shards": "[1, 2]"}
    monkeypatch.setenv("CW_TEST_SITE_URL", "")  # set but empty: null, as MkDocs builds it (no fallback)
    assert read_site_config(workspace)["site_url"] is None
