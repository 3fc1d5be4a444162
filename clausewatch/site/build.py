"""The site build: generate → write → theme → MkDocs (strict) → sanitize → Pagefind.

MkDocs runs in its own processes on the workspace's own mkdocs.yml (`clausewatch/site/engine.py`):
no hooks, no plugins of ours, nothing of Clausewatch runs inside the build, so the engine can be
swapped (ProperDocs, Zensical) by changing that module. A full build splits the pages across one
MkDocs process per CPU; a rebuild of the same site folder renders only the pages whose Markdown
changed (MkDocs' dirty build), sanitizes only those, and indexes new pages apart
(`clausewatch/site/search_index.py`), unless something every page depends on changed.

Every build happens in a staging area and is published in one swap once sanitized and indexed
(`clausewatch/site/publish.py`), which also decides which `--site-dir` a build may replace.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path
from typing import Any

from clausewatch.errors import BuildError
from clausewatch.site import engine, publish, redirects, search_index
from clausewatch.site.generate import render_site
from clausewatch.site.run import run_commands
from clausewatch.site.sanitize import sanitize_html
from clausewatch.site.write import (
    atomic_write,
    fingerprint_files,
    read_manifest,
    safe_target,
    sync_tree,
    write_pages,
)
from clausewatch.workspace import Workspace, read_site_config

SKELETON_DIR = Path(__file__).resolve().parent / "skeleton"
"""What `clausewatch init` copies into a new workspace: mkdocs.yml and the hand-written docs/ pages."""
THEME_DIR = Path(__file__).resolve().parent / "theme"
"""Material overrides and assets shipped in the package; copied to `<workspace>/.clausewatch/theme`."""
THEME_COPY = Path(".clausewatch") / "theme"
"""Where mkdocs.yml's `theme.custom_dir` points, relative to the workspace."""

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


def site_url_warning(workspace: Workspace) -> str | None:
    """What to tell the maintainer when mkdocs.yml gives no `site_url` (None when it does): without it
    permalinks and citations are relative, pages have no canonical link, the sitemap is empty and feed
    ids are relative, so nothing a journalist copies names the site."""
    if read_site_config(workspace).get("site_url"):
        return None
    return ("mkdocs.yml sets no site_url: permanent links and citations will be relative (no host), pages "
            "get no canonical link, the sitemap is empty and feeds use relative ids. To fix: set "
            "CLAUSEWATCH_SITE_URL (the workflows do) or `site_url:` in mkdocs.yml to the published address")


def build_site(workspace: Workspace, site_dir: Path, *, timings: bool = False, full: bool = False) -> Path:
    """Build the site into `site_dir` and return it; per-step timings on stderr if asked (also when a
    step fails: the steps done so far). The build is incremental when the last one left `site_dir` and
    nothing but pages changed since (see `clausewatch.site.engine`); `full` forces a whole build."""
    site_dir = publish.check_site_dir(workspace.root, site_dir)
    timer = StepTimer()
    try:
        with publish.build_lock(workspace.state):
            _run_steps(workspace, site_dir, timer, force_full=full)
    finally:
        if timings:
            print(timer.report(), file=sys.stderr)
    return site_dir


def _run_steps(workspace: Workspace, site_dir: Path, timer: StepTimer, *, force_full: bool) -> None:

    with timer.step("generate") as notes:
        site = render_site(workspace, lazy=True)
        notes.append(f"{len(site.documents)} documents, {len(site.regenerated)} regenerated")
        for warning in site.warnings:
            print(f"warning: {warning}", file=sys.stderr)
    with timer.step("write") as notes:
        report = write_pages(workspace.docs, site.files, kept=site.kept)
        notes.append(f"{len(site.files) + len(site.kept)} files ({len(site.kept)} kept unread), "
                     f"{len(report.written)} written, {len(report.removed)} removed")
    with timer.step("theme"):
        sync_tree(THEME_DIR, workspace.root / THEME_COPY)
    stamp, state = build_stamp(workspace, site_dir), read_build_state(workspace)
    incremental = not force_full and state.get("stamp") == stamp and publish.is_marked_site(site_dir)
    with publish.Staging(site_dir) as staging:  # built, sanitized and indexed apart; published at the end
        tree = staging.tree
        started = time.time_ns()
        with timer.step("mkdocs") as notes:
            if incremental:
                publish.link_tree(site_dir, tree)
                removed = engine.remove_outputs(tree, report.removed)
                run_mkdocs(workspace, tree, dirty=True)
                notes.append(f"incremental, {removed} pages removed")
            else:
                shards = run_mkdocs_sharded(workspace, tree)
                notes.append(f"full, {shards} process{'es' if shards != 1 else ''}")
            notes.append(f"{write_redirects(workspace, tree)} redirect pages")
        with timer.step("sanitize") as notes:
            pages = list(publish.written_pages(tree, site_dir if incremental else None, started))
            notes.append(f"{sanitize_pages(pages)} pages")
        with timer.step("pagefind") as notes:
            if incremental:
                count = search_index.index_recent(tree, state.get("indexed", []))
                notes.append(f"{count} pages new since the last full build indexed apart")
            else:
                indexed = search_index.index_all(tree)
                notes.append(f"{len(indexed)} pages")
        staging.publish()
    if not incremental:  # after publishing: a killed build leaves the state of the site still published
        write_build_state(workspace, {"stamp": stamp, "indexed": indexed})


BUILD_STATE = Path(".clausewatch") / "site-build.json"
"""What the last full build left: the stamp an incremental build must match, the pages indexed."""


def build_stamp(workspace: Workspace, site_dir: Path) -> str:
    """What every built page depends on besides its own Markdown: mkdocs.yml, the theme, the engine's
    versions, the hand-written pages, the site folder. An incremental build needs the same stamp."""
    generated = read_manifest(workspace.docs)
    handwritten = sorted(p.relative_to(workspace.docs).as_posix() for p in workspace.docs.rglob("*")
                         if p.is_file() and not p.name.startswith(".")
                         and p.relative_to(workspace.docs).as_posix() not in generated)
    theme = sorted(p for p in (workspace.root / THEME_COPY).rglob("*") if p.is_file())
    post_build = [Path(__file__).with_name(name) for name in ("engine.py", "sanitize.py", "search_index.py")]
    parts = [str(site_dir), fingerprint_files([workspace.mkdocs_yml, *theme, *post_build]), "\n".join(handwritten),
             *(f"{name} {version(name)}" for name in ("mkdocs", "mkdocs-material", "markdown"))]
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def read_build_state(workspace: Workspace) -> dict[str, Any]:
    path = workspace.root / BUILD_STATE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_build_state(workspace: Workspace, state: dict[str, Any]) -> None:
    path = workspace.root / BUILD_STATE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(state, sort_keys=True) + "\n", encoding="utf-8")


SHARD_MIN_BYTES = 20_000_000
"""Below this much Markdown one MkDocs process is faster than starting several."""
MKDOCS_FIX = "fix the pages or links named above (generated pages: report a bug; hand-written: edit them)"


def _check_config(workspace: Workspace) -> None:
    if not workspace.mkdocs_yml.is_file():
        raise BuildError(
            f"'{workspace.mkdocs_yml}' does not exist",
            fix="run `clausewatch init DIR` for a new workspace, or pass --root to an existing one",
        )


def _engine_command(workspace: Workspace, site_dir: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "clausewatch.site.engine", str(workspace.mkdocs_yml), str(site_dir), *extra]


def run_mkdocs(workspace: Workspace, site_dir: Path, *, dirty: bool = False) -> None:
    """`mkdocs build --strict` of the workspace into `site_dir` (`dirty`: only pages whose Markdown is
    newer than their HTML); BuildError with its output on failure."""
    _check_config(workspace)
    run_commands([_engine_command(workspace, site_dir, *(["--dirty"] if dirty else []))], workspace.root,
                 "mkdocs build --strict", MKDOCS_FIX)


def run_mkdocs_sharded(workspace: Workspace, site_dir: Path, processes: int | None = None) -> int:
    """A full build split across processes (one per CPU, see `clausewatch.site.engine`), each building
    its share of docs/ into its own folder; the folders then become `site_dir`. Returns how many."""

    _check_config(workspace)
    weights, top_files = engine.docs_weights(workspace.docs)
    wanted = processes or os.cpu_count() or 1
    count = 1 if sum(weights.values()) < SHARD_MIN_BYTES else wanted
    shards = engine.plan_shards(weights, count)
    work = site_dir.with_name(site_dir.name + ".building")
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    commands = []
    for k in range(max(1, len(shards))):
        patterns = work / f"exclude-{k}.txt"
        patterns.write_text(engine.exclude_patterns(shards, k, top_files), encoding="utf-8")
        commands.append(_engine_command(workspace, work / f"shard-{k}", "--exclude-from", str(patterns)))
    run_commands(commands, workspace.root, "mkdocs build --strict", MKDOCS_FIX)
    engine.merge_trees([work / f"shard-{k}" for k in range(len(commands))], site_dir)
    shutil.rmtree(work)
    return len(commands)


def write_redirects(workspace: Workspace, site_dir: Path) -> int:
    """Redirect pages for every published URL that lost its page, and the URL registry brought up to
    date (`site-urls.txt`, `redirects.yml` in the workspace; see `clausewatch.site.redirects`)."""

    registry, moves_file = workspace.root / redirects.REGISTRY_FILE, workspace.root / redirects.MOVES_FILE
    published = (redirects.parse_registry(registry.read_text("utf-8"), str(registry))
                 if registry.is_file() else set())
    moves = (redirects.parse_moves(moves_file.read_text("utf-8"), str(moves_file))
             if moves_file.is_file() else {})
    current = redirects.page_paths(p.relative_to(site_dir).as_posix() for p in site_dir.rglob("index.html"))
    site_url = str(read_site_config(workspace).get("site_url") or "")
    pages = redirects.generate_redirects(published, current, moves, site_url)
    for rel, text in pages.items():
        atomic_write(safe_target(site_dir, rel), text.encode("utf-8"))  # a new file: never a published one
    text = redirects.render_registry(published | current)
    if not registry.is_file() or registry.read_text("utf-8") != text:
        registry.write_text(text, encoding="utf-8")
    return len(pages)


def sanitize_site(site_dir: Path, clean: Callable[[str], str] = sanitize_html, *,
                  since_ns: int | None = None) -> int:
    """Run the built HTML pages through the sanitizer (only those written at or after `since_ns`, when
    given); return how many pages."""
    paths = [path for path in publish.written_pages(site_dir, None)
             if since_ns is None or path.stat().st_mtime_ns >= since_ns]
    return sanitize_pages(paths, clean)


def sanitize_pages(paths: list[Path], clean: Callable[[str], str] = sanitize_html) -> int:
    """Run `paths` through the sanitizer, each cleaned page written as a new file (never into a file
    the published site shares); return how many. Many pages are shared among worker processes."""
    if len(paths) < SANITIZE_PARALLEL_MIN or clean is not sanitize_html:
        for path in paths:
            _sanitize_file(path, clean)
        return len(paths)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    workers = os.cpu_count() or 1  # forkserver, as the generator: never fork a process with threads
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("forkserver")) as pool:
        list(pool.map(_sanitize_file, paths, chunksize=64))
    return len(paths)


SANITIZE_PARALLEL_MIN = 500
"""Below this many pages, worker processes cost more than they save."""


def _sanitize_file(path: Path, clean: Callable[[str], str] = sanitize_html) -> None:
    text = path.read_text(encoding="utf-8")
    cleaned = clean(text)
    if cleaned != text:
        atomic_write(path, cleaned.encode("utf-8"))
