"""A URL once published never breaks: a registry of published pages, and redirect pages for lost ones.

The registry is a committed text file in the workspace, `site-urls.txt`: one site-relative page path per
line (`acme/terms-of-service/2026-03-10/`), sorted. Each build adds the pages it produced. A path in
the registry that no longer maps to a page (a service or document slug changed, a page was removed)
gets a redirect page: a meta refresh plus a canonical link. Its target is, in order: an explicit move
listed in `redirects.yml` (`old/path/: new/path/`, chains followed), the nearest parent page that still
exists, or the home page.

Pure: parses and renders text; the build reads and writes the files.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping

import yaml

from clausewatch.errors import ConfigError
from clausewatch.site.escape import xml_text

REGISTRY_FILE = "site-urls.txt"
MOVES_FILE = "redirects.yml"
_HEADER = (
    "# Every page URL this site has published (site-relative). Maintained by `clausewatch build`;\n"
    "# commit it. A path listed here that no longer has a page gets a redirect page.\n"
)
_PATH = re.compile(r"^(?:[a-z0-9][a-z0-9._-]*/)*$")


def _check_path(path: str, where: str) -> str:
    path = path.strip().lstrip("/")
    if not _PATH.match(path) or any(part in (".", "..") for part in path.split("/")):
        raise ConfigError(
            f"{where}: '{path}' is not a site-relative page path",
            fix="write lowercase paths ending in '/', without '..' or a scheme, e.g. 'acme/terms/'",
        )
    return path


def parse_registry(text: str, source: str = REGISTRY_FILE) -> set[str]:
    """The page paths listed in a registry file (comments and blank lines ignored)."""
    paths = set()
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if line:
            paths.add(_check_path(line, f"{source}:{number}"))
    return paths


def page_paths(index_files: Iterable[str]) -> set[str]:
    """The page paths of a built site from its `…/index.html` files (`acme/index.html` → `acme/`).

    The home page and folders that could not be registry entries (e.g. upper case) are left out.
    """
    paths = set()
    for rel in index_files:
        folder = posixpath.dirname(rel)
        path = f"{folder}/" if folder else ""
        if path and _PATH.match(path) and ".." not in path.split("/"):
            paths.add(path)
    return paths


def render_registry(paths: Iterable[str]) -> str:
    """The registry file's text: header, then one path per line, sorted."""
    return _HEADER + "".join(f"{path}\n" for path in sorted(set(paths)))


def parse_moves(text: str, source: str = MOVES_FILE) -> dict[str, str]:
    """Explicit moves from `redirects.yml`: a mapping of old page path to new page path."""
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML: {exc}", fix="correct the YAML syntax") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping 'old/path/: new/path/'",
                          fix="write one 'old/path/: new/path/' line per move (see docs/permalinks.md)")
    return {_check_path(str(old), f"{source}: key '{old}'"): _check_path(str(new), f"{source}: '{old}'")
            for old, new in data.items()}


def _apply_move(path: str, moves: Mapping[str, str]) -> str | None:
    """`path` rewritten by the longest moved prefix (`acme/tos/` → `acme/terms/` moves its children too)."""
    prefix = path
    while prefix:
        if prefix in moves:
            return moves[prefix] + path[len(prefix) :]
        parent = posixpath.dirname(prefix.rstrip("/"))
        prefix = f"{parent}/" if parent else ""
    return None


def resolve_target(path: str, current: set[str], moves: Mapping[str, str]) -> str:
    """Where a lost page path should send its readers (a path in `current`, or '' for home)."""
    seen = {path}
    target = path
    while target not in current:
        moved = _apply_move(target, moves)
        if moved is None:
            break
        if moved in seen:
            raise ConfigError(
                f"{MOVES_FILE}: the moves starting at '{path}' form a loop through '{moved}'",
                fix="make each chain of moves end at a page that exists",
            )
        seen.add(moved)
        target = moved
    while target and target not in current:
        parent = posixpath.dirname(target.rstrip("/"))
        target = f"{parent}/" if parent else ""
    return target


def plan_redirects(published: set[str], current: set[str], moves: Mapping[str, str]) -> dict[str, str]:
    """`{lost path: target path}` for every published (or moved) path that has no page any more."""
    lost = (published | set(moves)) - current
    return {path: resolve_target(path, current, moves) for path in sorted(lost)}


def relative_url(from_page: str, to_page: str) -> str:
    """The relative URL from one page directory to another (`../../b/`), never an absolute one."""
    rel = posixpath.relpath(to_page or ".", from_page or ".")
    return "./" if rel == "." else rel.rstrip("/") + "/"


def render_redirect_page(old: str, new: str, site_url: str = "") -> str:
    """A small HTML page at `old` that sends the reader to `new` (meta refresh, canonical, a link)."""
    href = xml_text(relative_url(old, new))
    canonical = xml_text(site_url.rstrip("/") + "/" + new) if site_url else href
    return (
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>Moved to /{xml_text(new)}</title>\n"
        f'<meta http-equiv="refresh" content="0; url={href}">\n'
        f'<link rel="canonical" href="{canonical}">\n'
        '<meta name="robots" content="noindex">\n</head>\n<body>\n'
        f'<p>This page has moved to <a href="{href}">/{xml_text(new)}</a>.</p>\n'
        "</body>\n</html>\n"
    )


def generate_redirects(
    published: set[str], current: set[str], moves: Mapping[str, str], site_url: str = ""
) -> dict[str, str]:
    """`{site path of an index.html: redirect page}` for every lost page."""
    return {
        f"{old}index.html": render_redirect_page(old, new, site_url)
        for old, new in plan_redirects(published, current, moves).items()
    }
