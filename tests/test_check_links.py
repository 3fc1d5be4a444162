"""scripts/check_links.py: finds missing pages, anchors and links leaving the site; ignores external ones."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from check_links import check_site  # noqa: E402


def write(path: Path, body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"<!doctype html><html><body>{body}</body></html>", encoding="utf-8")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    write(tmp_path / "index.html", '<a href="acme/">acme</a> <a href="https://elsewhere.example/x">out</a>'
          '<a href="mailto:a@b.example">mail</a> <a href="#top" id="top">top</a>'
          '<link rel="stylesheet" href="assets/site.css"><script src="pagefind/pagefind.js"></script>')
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "site.css").write_text("body{}")
    write(tmp_path / "pagefind" / "x.html", '<a href="nowhere/">skipped folder</a>')
    (tmp_path / "pagefind" / "pagefind.js").write_text("")
    write(tmp_path / "acme" / "index.html",
          '<h2 id="clause-1">1</h2><a href="../">home</a> <a href="terms/#clause-2">ok</a>'
          '<a href="terms/#missing">bad anchor</a> <a href="gone/">bad page</a>'
          '<a href="../../outside/">escapes</a> <a href="/acme/terms/">root-relative</a>'
          '<img src="timeline.svg" alt="t">')
    write(tmp_path / "acme" / "terms" / "index.html", '<p id="clause-2">two</p><a href="../#clause-1">up</a>')
    return tmp_path


def test_reports_each_broken_internal_link_and_nothing_else(site: Path) -> None:
    broken = {(b.page, b.link): b.problem for b in check_site(site)}
    assert broken == {
        ("acme/index.html", "terms/#missing"): "no id 'missing' in 'acme/terms/index.html'",
        ("acme/index.html", "gone/"): "'acme/gone/index.html' does not exist",
        ("acme/index.html", "../../outside/"): "points outside the site",
        ("acme/index.html", "timeline.svg"): "'acme/timeline.svg' does not exist",
    }


def test_anchor_checks_can_be_turned_off_and_fixes_clear_the_report(site: Path) -> None:
    assert len(check_site(site, anchors=False)) == 3
    (site / "acme" / "timeline.svg").write_text("<svg/>")
    write(site / "acme" / "gone" / "index.html", "")
    assert {b.link for b in check_site(site)} == {"terms/#missing", "../../outside/"}


def test_command_line_exit_codes(site: Path, tmp_path: Path) -> None:
    script = str(ROOT / "scripts" / "check_links.py")
    bad = subprocess.run([sys.executable, script, str(site)], capture_output=True, text=True, check=False)
    assert bad.returncode == 1 and "acme/index.html: gone/: " in bad.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    missing = subprocess.run([sys.executable, script, str(empty)], capture_output=True, text=True,
                             check=False)
    assert missing.returncode == 2 and "build the site first" in missing.stderr


def test_site_workflow_tracks_builds_checks_links_and_deploys_with_minimal_permissions() -> None:
    import yaml

    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "site.yml").read_text(encoding="utf-8"))
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as True
    assert "schedule" in triggers and "workflow_dispatch" in triggers
    assert "pull_request_target" not in triggers
    assert workflow["permissions"] == {} and workflow["concurrency"]["cancel-in-progress"] is False
    track, deploy = workflow["jobs"]["track"], workflow["jobs"]["deploy"]
    assert track["permissions"] == {"contents": "write"}
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"} and deploy["needs"] == "track"
    runs = "\n".join(step.get("run", "") for step in track["steps"])
    uses = [step.get("uses", "") for step in track["steps"] + deploy["steps"]]
    for command in ("clausewatch track", "clausewatch build", "scripts/check_links.py", "pull --rebase",
                    'git config user.name "clausewatch-bot"'):
        assert command in runs, command
    assert "${{ inputs.only }}" not in runs  # user input reaches the script through the environment only
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    assert any(u.startswith("actions/deploy-pages@") for u in uses)
