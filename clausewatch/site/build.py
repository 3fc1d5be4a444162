"""The site build: generate → write → theme → `mkdocs build --strict` → sanitize → Pagefind.

MkDocs runs as a subprocess on the workspace's own mkdocs.yml: no hooks, no plugins of ours, nothing
of Clausewatch runs inside the build, so the engine can be swapped (ProperDocs, Zensical) by changing
one command line here.
"""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from clausewatch.errors import BuildError
from clausewatch.site.sanitize import sanitize_html
from clausewatch.site.write import sync_tree, write_pages
from clausewatch.workspace import Workspace

SKELETON_DIR = Path(__file__).resolve().parent / "skeleton"
"""What `clausewatch init` copies into a new workspace: mkdocs.yml and the hand-written docs/ pages."""
THEME_DIR = Path(__file__).resolve().parent / "theme"
"""Material overrides and assets shipped in the package; copied to `<workspace>/.clausewatch/theme`."""
THEME_COPY = Path(".clausewatch") / "theme"
"""Where mkdocs.yml's `theme.custom_dir` points, relative to the workspace."""
OUTPUT_TAIL = 40
"""Lines of MkDocs' or Pagefind's output quoted in a BuildError."""

class StepTimer:
    """Wall-clock time of each build step, with a note (counts) per step."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, float, str]] = []

    @contextmanager
    def step(self, name: str) -> Iterator[list[str]]:
        notes: list[str] = []
        start = time.perf_counter()
        try:
            yield notes
        finally:
            self.steps.append((name, time.perf_counter() - start, "; ".join(notes)))

    def report(self) -> str:
        total = sum(seconds for _, seconds, _ in self.steps)
        lines = [f"{name:<10} {seconds:8.2f} s  {note}".rstrip() for name, seconds, note in self.steps]
        return "\n".join([*lines, f"{'total':<10} {total:8.2f} s"])


def build_site(workspace: Workspace, site_dir: Path, *, timings: bool = False) -> Path:
    """Build the whole site into `site_dir` and return it; per-step timings on stderr if asked (also
    when a step fails: the steps done so far)."""
    site_dir = site_dir.resolve()
    timer = StepTimer()
    try:
        _run_steps(workspace, site_dir, timer)
    finally:
        if timings:
            print(timer.report(), file=sys.stderr)
    return site_dir


def _run_steps(workspace: Workspace, site_dir: Path, timer: StepTimer) -> None:
    from clausewatch.site.generate import render_site

    with timer.step("generate") as notes:
        site = render_site(workspace)
        notes.append(f"{len(site.documents)} documents, {len(site.regenerated)} regenerated")
    with timer.step("write") as notes:
        report = write_pages(workspace.docs, site.files)
        notes.append(f"{len(site.files)} files, {len(report.written)} written, {len(report.removed)} removed")
    with timer.step("theme"):
        sync_tree(THEME_DIR, workspace.root / THEME_COPY)
    with timer.step("mkdocs") as notes:
        run_mkdocs(workspace, site_dir)
        notes.append(f"{write_redirects(workspace, site_dir)} redirect pages")
    with timer.step("sanitize") as notes:
        notes.append(f"{sanitize_site(site_dir)} pages")
    with timer.step("pagefind"):
        run_pagefind(site_dir)


def _quiet_env() -> dict[str, str]:
    return {**os.environ, "DISABLE_MKDOCS_2_WARNING": "true", "NO_MKDOCS_2_WARNING": "1"}


def run_mkdocs(workspace: Workspace, site_dir: Path) -> None:
    """`mkdocs build --strict` of the workspace into `site_dir`; BuildError with its output on failure."""
    if not workspace.mkdocs_yml.is_file():
        raise BuildError(
            f"'{workspace.mkdocs_yml}' does not exist",
            fix="run `clausewatch init DIR` for a new workspace, or pass --root to an existing one",
        )
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file",
               str(workspace.mkdocs_yml), "--site-dir", str(site_dir)]
    _run(command, workspace.root, "mkdocs build --strict",
         "fix the pages or links named above (generated pages: report a bug; hand-written: edit them)")


def run_pagefind(site_dir: Path) -> None:
    """Index the built site with Pagefind (its files go to `site_dir/pagefind/`)."""
    _run([sys.executable, "-m", "pagefind", "--site", str(site_dir), "--exclude-selectors", ".headerlink"],
         site_dir, "pagefind",
         "check that `pagefind[bin]` is installed (pip install -e .) and that the site has pages")


def write_redirects(workspace: Workspace, site_dir: Path) -> int:
    """Redirect pages for every published URL that lost its page, and the URL registry brought up to
    date (`site-urls.txt`, `redirects.yml` in the workspace; see `clausewatch.site.redirects`)."""
    from clausewatch.site import redirects
    from clausewatch.site.write import safe_target
    from clausewatch.workspace import read_site_config

    registry, moves_file = workspace.root / redirects.REGISTRY_FILE, workspace.root / redirects.MOVES_FILE
    published = (redirects.parse_registry(registry.read_text("utf-8"), str(registry))
                 if registry.is_file() else set())
    moves = (redirects.parse_moves(moves_file.read_text("utf-8"), str(moves_file))
             if moves_file.is_file() else {})
    current = redirects.page_paths(p.relative_to(site_dir).as_posix() for p in site_dir.rglob("index.html"))
    site_url = str(read_site_config(workspace).get("site_url") or "")
    pages = redirects.generate_redirects(published, current, moves, site_url)
    for rel, text in pages.items():
        target = safe_target(site_dir, rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    text = redirects.render_registry(published | current)
    if not registry.is_file() or registry.read_text("utf-8") != text:
        registry.write_text(text, encoding="utf-8")
    return len(pages)


def _run(command: list[str], cwd: Path, name: str, fix: str) -> None:
    proc = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=_quiet_env(), check=False)
    if proc.returncode != 0:
        output = (proc.stdout + proc.stderr).strip().splitlines()
        tail = "\n".join(output[-OUTPUT_TAIL:])
        raise BuildError(f"{name} failed (exit {proc.returncode}):\n{tail}", fix=fix)


def sanitize_site(site_dir: Path, clean: Callable[[str], str] = sanitize_html) -> int:
    """Run every built HTML page through the sanitizer in place; return how many pages."""
    count = 0
    for path in sorted(site_dir.rglob("*.html")):
        if "pagefind" in path.relative_to(site_dir).parts[:1]:
            continue
        text = path.read_text(encoding="utf-8")
        cleaned = clean(text)
        if cleaned != text:
            path.write_text(cleaned, encoding="utf-8")
        count += 1
    return count


def make_server(site_dir: Path, port: int) -> http.server.ThreadingHTTPServer:
    """An HTTP server for the built site bound to 127.0.0.1 only (port 0: any free port)."""
    if not (site_dir / "index.html").is_file():
        raise BuildError(
            f"'{site_dir}' holds no built site (no index.html)", fix="run `clausewatch build` first"
        )
    handler = partial(_QuietHandler, directory=str(site_dir))
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (http.server's signature)
        return


def serve_site(site_dir: Path, port: int) -> None:
    """Serve the built site on http://127.0.0.1:PORT/ until interrupted."""
    with make_server(site_dir, port) as server:
        print(f"Serving {site_dir} on http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C to stop)",
              file=sys.stderr)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
