"""What `clausewatch build` may replace, and how: the workspace and existing folders are never deleted,
a build is published only once sanitized, even when it is killed.

Real workspaces (tests/site_workspace.py: a git archive written by the recorder), the real command line
in subprocesses, and a real SIGKILL between MkDocs writing a page and the sanitizer cleaning it.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from site_workspace import make_workspace

from clausewatch.site import publish
from clausewatch.workspace import Workspace

pytestmark = pytest.mark.slow

JAVASCRIPT_LINK = re.compile(r"""href\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


def cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "clausewatch", *args], capture_output=True, text=True,
                          env=env, timeout=timeout, check=False)


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """A workspace with uncommitted commentary and an untracked declaration (what a deleted workspace
    would lose for good)."""
    ws = make_workspace(tmp_path_factory.mktemp("site-dir") / "ws")
    (ws.services).mkdir(exist_ok=True)
    (ws.services / "acme.yml").write_text("documents:\n  terms-of-service:\n    url: https://acme.example/t\n",
                                          encoding="utf-8")
    note = ws.commentary / "acme" / "terms-of-service" / "2026-03-02.md"
    note.parent.mkdir(parents=True)
    note.write_text("---\nservice: acme\ndocument: terms-of-service\nchange: 2026-03-02\ntitle: Unsaved\n"
                    "authors: [Ada]\nstatus: draft\n---\n\nNot committed anywhere.\n", encoding="utf-8")
    return ws


@pytest.mark.parametrize("where", [".", "..", "services", "archive", "commentary/acme", "docs/out",
                                   ".clausewatch", "mkdocs.yml"])
def test_a_site_dir_on_the_workspace_is_refused_and_nothing_is_deleted(workspace: Workspace, where: str) -> None:
    before = tree(workspace.services) | tree(workspace.commentary) | {"mkdocs.yml": workspace.mkdocs_yml.read_bytes()}
    docs = sorted(p.name for p in workspace.docs.iterdir())
    run = cli("--root", str(workspace.root), "build", "--site-dir", str(workspace.root / where))
    if where == "mkdocs.yml":  # the command line refuses a file as a folder (bad option: exit 2)
        assert run.returncode == 2 and "is a file" in run.stderr, run.stderr
    else:
        assert run.returncode == 5, run.stderr
        assert "--site-dir" in run.stderr and "To fix:" in run.stderr
    after = tree(workspace.services) | tree(workspace.commentary) | {"mkdocs.yml": workspace.mkdocs_yml.read_bytes()}
    assert after == before
    assert sorted(p.name for p in workspace.docs.iterdir()) == docs
    assert (workspace.archive / "acme" / "terms-of-service.md").is_file()


def test_an_existing_folder_that_is_not_a_site_is_never_deleted(workspace: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "keep.txt").write_text("precious\n", encoding="utf-8")
    run = cli("--root", str(workspace.root), "build", "--site-dir", str(folder))
    assert run.returncode == 5 and "is not empty and was not made by `clausewatch build`" in run.stderr
    assert tree(folder) == {"keep.txt": b"precious\n"}


def test_sites_are_marked_replaced_whole_and_leftovers_cleared(workspace: Workspace, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    first = cli("--root", str(workspace.root), "build", "--site-dir", str(empty))
    assert first.returncode == 0, first.stderr
    assert (empty / publish.SITE_MARKER).is_file() and (empty / "index.html").is_file()
    (empty / ".nojekyll").write_text("", encoding="utf-8")  # the site's own dotfiles are kept
    stale = empty / "stale" / "index.html"
    stale.parent.mkdir()
    stale.write_text("left by hand", encoding="utf-8")
    area = empty.parent / f".{empty.name}.clausewatch-build"  # a killed build's staging area
    (area / "site").mkdir(parents=True)
    (area / publish.AREA_MARKER).write_text("", encoding="utf-8")
    again = cli("--root", str(workspace.root), "build", "--site-dir", str(empty), "--full")
    assert again.returncode == 0, again.stderr
    assert not stale.exists() and (empty / ".nojekyll").is_file() and not area.exists()

    legacy = tmp_path / "legacy"  # built before the marker existed: recognised, rebuilt in full, marked
    legacy.mkdir()
    for name in publish.LEGACY_SIGNS:
        (legacy / name).write_text("legacy-zq", encoding="utf-8")
    assert cli("--root", str(workspace.root), "build", "--site-dir", str(legacy)).returncode == 0
    assert (legacy / publish.SITE_MARKER).is_file() and "legacy-zq" not in (legacy / "index.html").read_text("utf-8")

    foreign = tmp_path / ".other.clausewatch-build"  # not ours: the build stops, it deletes nothing
    (foreign / "x").mkdir(parents=True)
    run = cli("--root", str(workspace.root), "build", "--site-dir", str(tmp_path / "other"))
    assert run.returncode == 5 and "not a Clausewatch staging area" in run.stderr
    assert (foreign / "x").is_dir()


def test_an_incremental_build_never_writes_into_the_published_site(workspace: Workspace, tmp_path: Path) -> None:
    from datetime import timedelta

    from site_workspace import START, TERMS_V2, record

    site = tmp_path / "site"
    assert cli("--root", str(workspace.root), "build", "--site-dir", str(site)).returncode == 0
    keep = tmp_path / "links"  # hard links to every published file: a write into one shows here
    publish.link_tree(site, keep)
    before = tree(keep)
    record(workspace, "acme/terms-of-service", TERMS_V2.replace("30 days", "3 days"), START + timedelta(days=60))
    run = cli("--root", str(workspace.root), "build", "--site-dir", str(site), "--timings")
    assert run.returncode == 0 and "incremental" in run.stderr, run.stderr
    assert tree(keep) == before
    assert "3 days" in (site / "acme" / "terms-of-service" / "index.html").read_text(encoding="utf-8")


KILLED_BUILD = """
import sys, time, functools, pathlib
import clausewatch.site.build as build
import clausewatch.site.commentary_render as render

flag = pathlib.Path(sys.argv[1])
render.commentary_markdown = lambda body: body            # a gap in the escaping upstream
build.render_site = functools.partial(build.render_site, jobs=1)   # generated in this process

def sanitizing(*args, **kwargs):                            # MkDocs has written; pause before cleaning
    flag.write_text("sanitizing")
    time.sleep(600)

for name in ("sanitize_pages", "sanitize_site"):
    if hasattr(build, name):
        setattr(build, name, sanitizing)
from clausewatch.cli import main
sys.argv = ["clausewatch", *sys.argv[2:]]
main()
"""

HOSTILE_NOTE = """---
service: acme
document: terms-of-service
change: 2026-03-02
title: A note with a hidden link
authors: [Mallory]
---

> [bq]: javascript:alert(318)

Read [bq-link][bq] and [this](javascript:alert(319)).
"""


def test_a_build_killed_before_sanitizing_publishes_nothing_unsanitized(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws")
    site = tmp_path / "ws" / "site"
    assert cli("--root", str(ws.root), "build").returncode == 0
    note = ws.commentary / "acme" / "terms-of-service" / "2026-03-02-link.md"
    note.parent.mkdir(parents=True)
    note.write_text(HOSTILE_NOTE, encoding="utf-8")

    flag = tmp_path / "flag"
    proc = subprocess.Popen([sys.executable, "-c", KILLED_BUILD, str(flag), "--root", str(ws.root), "build"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "NO_COLOR": "1"})
    deadline = time.monotonic() + 240
    while not flag.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert flag.exists(), proc.stderr.read().decode() if proc.stderr else "no flag"
    written = [p for p in tmp_path.rglob("*.html") if "alert(318)" in p.read_text("utf-8", "replace")]
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    if proc.stderr:
        proc.stderr.close()
    assert written, "MkDocs had not written the hostile page when the build was killed"
    assert not any(JAVASCRIPT_LINK.search(p.read_text("utf-8", "replace")) for p in site.rglob("*.html"))

    again = cli("--root", str(ws.root), "build")
    assert again.returncode == 0, again.stderr
    pages = [p for p in site.rglob("*.html") if "pagefind" not in p.parts]
    assert any("Mallory" in p.read_text("utf-8") for p in pages)  # the note is published, defused
    live = [p for p in pages if JAVASCRIPT_LINK.search(p.read_text("utf-8"))]
    assert live == [], live
