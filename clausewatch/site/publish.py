"""The site folder: which folder a build may replace, and how a finished build replaces it.

A build never writes into the published site. It builds a new tree in a staging area next to it
(`.<site>.clausewatch-build/site`, on the same file system), sanitizes and indexes it there, marks it
as a Clausewatch site, and only then swaps it in (`Staging.publish`: one `renameat2(RENAME_EXCHANGE)`
where the system has it, else two renames). A build killed at any moment leaves the old site as it
was: whatever MkDocs wrote and nothing sanitized yet stays in the staging area, which the next build
deletes. So every page of a published site has been sanitized.

An incremental build starts its tree as hard links to the published site's files (cheap: no page is
copied), and every writer of the build replaces a file rather than writing into it (MkDocs through
`clausewatch.site.engine`, the sanitizer, the redirects, the search bundles): the published site's
files are never modified in place, and a page whose inode is no longer the published one is exactly
a page this build wrote (`written_pages`).

What a build may replace (`check_site_dir`): never the workspace, a folder holding it, or a folder
inside its sources (services/, archive/, commentary/, docs/, .clausewatch/, .git/), and never an
existing non-empty folder that is not a previous Clausewatch site (no `SITE_MARKER`, the file every
build writes; sites built before the marker existed are recognised by their search bundle list).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import fcntl
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path

from clausewatch.errors import BuildError

SITE_MARKER = ".clausewatch-site"
"""Written at the top of every built site: the proof that a folder is one a build may replace."""
AREA_MARKER = ".clausewatch-staging"
"""Written at the top of the staging area: the proof that a leftover area may be deleted."""
LEGACY_SIGNS = ("search-bundles.json", "index.html")
"""Files every site built before `SITE_MARKER` existed has at its top (the search bundle list is ours)."""
SOURCE_FOLDERS = ("services", "archive", "commentary", "docs", ".clausewatch", ".git", "mkdocs.yml")
"""What a site folder may be neither inside of nor equal to, in a workspace."""


def check_site_dir(root: Path, site_dir: Path) -> Path:
    """`site_dir` resolved, or BuildError when a build must not replace it (see the module docstring)."""
    site, workspace = site_dir.resolve(), root.resolve()
    fix = "pass --site-dir a new or empty folder, or the one a previous build made (default: site/)"
    if site == workspace or workspace.is_relative_to(site):
        raise BuildError(f"--site-dir '{site_dir}' is the workspace or holds it: building there would delete "
                         "services/, archive/, commentary/ and docs/", fix=fix)
    for name in SOURCE_FOLDERS:
        source = (workspace / name).resolve()
        if site == source or site.is_relative_to(source):
            raise BuildError(f"--site-dir '{site_dir}' lies inside the workspace's {name}: the build would "
                             "overwrite the sources it reads", fix=fix)
    if site.exists() and not site.is_dir():
        raise BuildError(f"--site-dir '{site_dir}' is a file, not a folder", fix=fix)
    if site.is_dir() and any(site.iterdir()) and not is_clausewatch_site(site):
        raise BuildError(f"--site-dir '{site_dir}' is not empty and was not made by `clausewatch build` "
                         f"(it has no {SITE_MARKER} file): it is never deleted",
                         fix=f"{fix}; or empty that folder yourself")
    return site


def is_clausewatch_site(folder: Path) -> bool:
    """True for a folder a Clausewatch build made (its marker, or a search bundle list and a home page)."""
    return (folder / SITE_MARKER).is_file() or all((folder / name).is_file() for name in LEGACY_SIGNS)


def is_marked_site(folder: Path) -> bool:
    """True for a site made by a build that sanitized every page before publishing (it has the marker)."""
    return (folder / SITE_MARKER).is_file() and (folder / "index.html").is_file()


def write_marker(tree: Path) -> None:
    """Mark `tree` as a finished Clausewatch site (the last write before it is published)."""
    text = json.dumps({"built_by": f"clausewatch {version('clausewatch')}",
                       "note": "this folder is replaced by every `clausewatch build`; every page in it "
                               "was sanitized before it was published"}, indent=1) + "\n"
    (tree / SITE_MARKER).write_text(text, encoding="utf-8")


def link_tree(source: Path, dest: Path) -> None:
    """`dest` as a copy of `source` made of hard links (a copy where linking is impossible)."""

    def link(src: str, dst: str) -> None:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    shutil.copytree(source, dest, symlinks=True, copy_function=link)


def written_pages(tree: Path, published: Path | None, since_ns: int | None = None) -> Iterator[Path]:
    """The HTML pages of `tree` a build wrote: all of them for a new tree (`published` None), else those
    that are not hard links to `published`'s file at the same place (or were modified at or after
    `since_ns`). Search bundles are Pagefind's and hold no page."""
    for path in sorted(tree.rglob("*.html")):
        rel = path.relative_to(tree)
        if rel.parts[0] in ("pagefind", "pagefind-recent"):
            continue
        if published is None:
            yield path
            continue
        info = path.stat()
        try:
            same = os.stat(published / rel).st_ino == info.st_ino
        except OSError:
            same = False
        if not same or (since_ns is not None and info.st_mtime_ns >= since_ns):
            yield path


@contextmanager
def build_lock(state_dir: Path) -> Iterator[None]:
    """Hold the workspace's build lock (`<state>/build.lock`): two builds of one workspace would write
    the same docs/ and staging area."""
    state_dir.mkdir(parents=True, exist_ok=True)
    with open(state_dir / "build.lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildError("another `clausewatch build` of this workspace is running",
                             fix="wait for it to finish (the lock is released when its process exits)") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class Staging:
    """The staging area of one build of `site_dir` (a context manager; take `build_lock` first): emptied
    of a killed build's leftovers, deleted on exit. `tree` is where the new site is built; `publish()`
    swaps it in."""

    def __init__(self, site_dir: Path) -> None:
        self.site_dir = site_dir
        self.area = site_dir.parent / f".{site_dir.name}.clausewatch-build"
        self.tree = self.area / "site"

    def __enter__(self) -> Staging:
        self.site_dir.parent.mkdir(parents=True, exist_ok=True)
        self._clear()
        self.area.mkdir()
        (self.area / AREA_MARKER).write_text("a clausewatch build in progress; deleted by the next build\n",
                                             encoding="utf-8")
        return self

    def __exit__(self, *exc: object) -> None:
        self._clear()

    def _clear(self) -> None:
        if not self.area.exists():
            return
        if not (self.area / AREA_MARKER).is_file():
            raise BuildError(f"'{self.area}' exists and is not a Clausewatch staging area: it is never deleted",
                             fix="move it away, then build again")
        shutil.rmtree(self.area)

    def publish(self) -> None:
        """Mark the new tree and put it at `site_dir` (the old site's own dotfiles kept, as MkDocs keeps
        them: `.nojekyll`, a CNAME's companions), replacing the old site in one step."""
        write_marker(self.tree)
        if self.site_dir.is_dir():
            for dotfile in self.site_dir.glob(".*"):
                target = self.tree / dotfile.name
                if dotfile.name == SITE_MARKER or target.exists() or dotfile.is_symlink():
                    continue
                if dotfile.is_dir():
                    link_tree(dotfile, target)
                else:
                    shutil.copy2(dotfile, target)
            if not _exchange(self.tree, self.site_dir):
                old = self.area / "old"
                self.site_dir.replace(old)
                self.tree.replace(self.site_dir)
            # else: the old site is now at self.tree, deleted with the area
        else:
            self.tree.replace(self.site_dir)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders atomically (Linux `renameat2` with RENAME_EXCHANGE); False where unsupported."""
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        libc = ctypes.CDLL(name, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(result == 0)

