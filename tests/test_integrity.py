"""The archive's integrity (issue 15, item 9): a version never arrives by pull request, and the site says
how each version was recorded. Real git, a real workspace, the real command line and site build.

A pull request's commits after its base (`clausewatch check --since BASE`, which the pull-request
workflow runs) may touch archive/ only as the tracker does: its identity, one version per commit with its
trailers. A hand edit, a commit in the tracker's name without trailers, or a merge that changes archive
files itself fails the check. On the site, every change page's fact box says "Tracked", "Imported" (with
the source commit) or "Not by the tracker" (with the author), and the data API marks every version.
"""

from __future__ import annotations

import json
import os
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from site_workspace import START, TERMS_V1, TERMS_V2, make_workspace, record

from clausewatch.archive.integrity import TRACKER, WORKFLOW_BOT, recording_of
from clausewatch.archive.read import open_archive
from clausewatch.archive.write import PendingCommit, fast_import_versions
from clausewatch.cli import cli
from clausewatch.site.build import build_site
from clausewatch.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]
MALLORY = {"GIT_AUTHOR_NAME": "Mallory", "GIT_AUTHOR_EMAIL": "mallory@example.org",
           "GIT_COMMITTER_NAME": "Mallory", "GIT_COMMITTER_EMAIL": "mallory@example.org"}
BOT = {"GIT_AUTHOR_NAME": "Clausewatch", "GIT_AUTHOR_EMAIL": "bot@clausewatch.invalid",
       "GIT_COMMITTER_NAME": "Clausewatch", "GIT_COMMITTER_EMAIL": "bot@clausewatch.invalid"}


def git(root: Path, *args: str, env: dict[str, str] | None = None) -> str:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True,
                          env={**os.environ, **(env or {})}).stdout.strip()


def commit_file(root: Path, rel: str, text: str, who: dict[str, str], message: str = "Edit") -> str:
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_text(text, encoding="utf-8")
    git(root, "add", rel)
    git(root, "commit", "-q", "-m", message, env=who)
    return git(root, "rev-parse", "HEAD")


def check_since(root: Path, base: str):
    return CliRunner().invoke(cli, ["--root", str(root), "check", "--since", base])


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    ws = make_workspace(tmp_path / "ws")
    git(ws.root, "add", "docs", "mkdocs.yml")
    git(ws.root, "commit", "-q", "-m", "Site", env=MALLORY)  # a maintainer's commit outside archive/
    return ws


def test_commentary_and_tracker_commits_pass(workspace: Workspace) -> None:
    root = workspace.root
    base = git(root, "rev-parse", "HEAD")
    workspace.services.mkdir()
    commit_file(root, "commentary/README.md", "# Notes\n", MALLORY)
    record(workspace, "acme/terms-of-service", TERMS_V2.replace("30 days", "5 days"), START + timedelta(days=9))
    git(root, "commit", "-q", "--amend", "--no-edit", "--reset-author", env={  # a rebase in the workflow
        **BOT, "GIT_COMMITTER_NAME": "clausewatch-bot",
        "GIT_COMMITTER_EMAIL": "41898282+github-actions[bot]@users.noreply.github.com"})
    result = check_since(root, base)
    assert result.exit_code == 0, result.output


def test_a_hand_edit_of_the_archive_fails_the_check(workspace: Workspace) -> None:
    root = workspace.root
    base = git(root, "rev-parse", "HEAD")
    forged = commit_file(root, "archive/acme/terms-of-service.md", TERMS_V1 + "\nWe never sell your data.\n",
                         MALLORY, "Fix a typo")
    result = check_since(root, base)
    assert result.exit_code == 1
    assert f"archive: {forged[:12]}: changes archive/acme/terms-of-service.md but is authored by Mallory" in \
        result.output
    assert "To fix" not in result.output or "drop this commit" in result.output


def test_a_commit_in_the_trackers_name_without_its_trailers_fails(workspace: Workspace) -> None:
    root = workspace.root
    base = git(root, "rev-parse", "HEAD")
    forged = commit_file(root, "archive/acme/terms-of-service.md", TERMS_V1 + "\nForged.\n", BOT,
                         "Record new changes of Acme Cloud Terms of Service")
    result = check_since(root, base)
    assert result.exit_code == 1 and f"{forged[:12]}: is in the tracker's name but has no Service" in result.output
    git(root, "reset", "-q", "--hard", base)
    message = "Record new changes of Acme\n\nService: acme\nDocument: privacy\n"
    forged = commit_file(root, "archive/acme/terms-of-service.md", TERMS_V1 + "\nForged.\n", BOT, message)
    result = check_since(root, base)
    assert result.exit_code == 1 and "for acme/privacy but changes archive/acme/terms-of-service.md" in result.output


def test_a_merge_that_edits_the_archive_fails(workspace: Workspace) -> None:
    root = workspace.root
    base = git(root, "rev-parse", "HEAD")
    git(root, "checkout", "-q", "-b", "side")
    commit_file(root, "commentary/README.md", "# Notes\n", MALLORY)
    git(root, "checkout", "-q", "main")
    commit_file(root, "services/README.md", "# Declarations\n", MALLORY)
    git(root, "merge", "-q", "--no-commit", "side", env=MALLORY)
    (root / "archive" / "acme" / "privacy.md").write_text("# Privacy\n\nWe sell nothing.\n", encoding="utf-8")
    git(root, "add", "archive")
    git(root, "commit", "-q", "-m", "Merge side", env=MALLORY)
    result = check_since(root, base)
    assert result.exit_code == 1 and "this merge changes archive files itself" in result.output


def test_an_unknown_base_is_a_clear_error(workspace: Workspace) -> None:
    result = check_since(workspace.root, "0" * 40)
    assert result.exit_code == 1 and "archive: --since" in result.output and "Traceback" not in result.output


def test_the_pull_request_workflow_runs_the_check_since_its_base() -> None:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "pr.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["check-and-build"]["steps"]
    step = next(s for s in steps if "clausewatch check" in s.get("run", ""))
    assert step["run"].strip() == 'clausewatch check --since "$BASE"'
    assert step["env"]["BASE"] == "${{ github.event.pull_request.base.sha }}"
    site = yaml.safe_load((ROOT / ".github" / "workflows" / "site.yml").read_text(encoding="utf-8"))
    identity = next(s["run"] for s in site["jobs"]["track"]["steps"] if s.get("name") == "Bot identity")
    name, email = WORKFLOW_BOT.removesuffix(">").split(" <")
    assert f'user.name "{name}"' in identity and f'user.email "{email}"' in identity


def test_recordings_are_classified() -> None:
    assert recording_of(TRACKER, TRACKER, "").kind == "tracked"
    assert recording_of(TRACKER, WORKFLOW_BOT, "").kind == "tracked"
    assert recording_of(TRACKER, TRACKER, "OpenTermsArchive/contrib-versions@" + "a" * 40).kind == "imported"
    assert recording_of("Mallory <m@example.org>", TRACKER, "").kind == "other"
    assert recording_of(TRACKER, "Mallory <m@example.org>", "").kind == "other"  # rewritten by hand


def test_the_site_says_how_each_version_was_recorded(workspace: Workspace, monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:
    monkeypatch.setenv("CLAUSEWATCH_REPO_URL", "https://github.com/example/terms")
    root = workspace.root
    archive = open_archive(workspace.archive)
    imported_from = "OpenTermsArchive/contrib-versions@" + "c" * 40
    text = TERMS_V2.replace("30 days", "60 days").encode("utf-8")
    message = ("Record new changes of Acme Cloud Terms of Service\n\nService: acme\nDocument: terms-of-service\n"
               f"Imported-From: {imported_from}\nImported-Path: Acme/Terms of Service.md\n")
    fast_import_versions(archive, [text], [PendingCommit("archive/acme/terms-of-service.md", 1, message,
                                                         START + timedelta(days=20))])
    commit_file(root, "archive/acme/terms-of-service.md", TERMS_V2.replace("30 days", "90 days"), MALLORY,
                "Edit by hand")
    site = build_site(workspace, tmp_path / "site")
    pages = {p.parent.name: p.read_text(encoding="utf-8") for p in (site / "acme" / "terms-of-service").glob(
        "20*/index.html")}
    tracked = pages["2026-03-02"]
    assert "<dt>Recorded by</dt>" in tracked and "cw-recorded--tracked" in tracked
    imported = next(page for page in pages.values() if "cw-recorded--imported" in page)
    assert ('href="https://github.com/OpenTermsArchive/contrib-versions/commit/' + "c" * 40) in imported
    other = next(page for page in pages.values() if "cw-recorded--other" in page)
    assert "Mallory" in other and "Not by the tracker" in other
    document = json.loads((site / "data" / "acme" / "terms-of-service" / "index.json").read_text(encoding="utf-8"))
    kinds = [row["recorded_by"] for row in document["versions"]]
    assert kinds[0] == "tracked" and "imported" in kinds and kinds[-1] == "other"
