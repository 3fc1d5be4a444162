"""The only writer of generated files: pages under docs/, the theme copy, the generator's cache.

`write_pages` writes only what changed (unchanged pages keep their mtime), removes what a previous run
generated and this one did not, never touches a hand-written page, and refuses any path that would
leave its folder. It remembers what it generated in `<docs>/.generated-manifest` (a dotfile: MkDocs
ignores it).

The generator's per-document cache is `site/cache.py` (it writes through `atomic_write`).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from clausewatch.errors import BuildError

MANIFEST = ".generated-manifest"


@dataclass(frozen=True, slots=True)
class WriteReport:
    written: tuple[str, ...]
    unchanged: int
    removed: tuple[str, ...]


def write_pages(docs_dir: Path, pages: Mapping[str, str | bytes], *,
                kept: Mapping[str, str] | None = None) -> WriteReport:
    """Make the generated part of `docs_dir` exactly `pages` plus `kept`, writing only files whose
    content changed.

    `kept` names generated files left as they are without their content ({path: content_hash(...)}):
    the caller checked with `intact_files` that they are on disk as last written (a rebuild then need
    not load the pages of documents that did not change)."""
    docs_dir.mkdir(parents=True, exist_ok=True)
    root = docs_dir.resolve()
    kept = dict(kept or {})
    targets = {rel: safe_target(root, rel) for rel in pages}
    previous = read_manifest_hashes(root)
    for rel, target in targets.items():
        if rel not in previous and target.exists() and _read(target) != _encode(pages[rel]):
            raise BuildError(
                f"'{target}' exists and was not written by the generator: it would be overwritten",
                fix=f"move the hand-written page elsewhere (the generator owns '{rel}'), or delete it",
            )
    hashes = {rel: content_hash(pages[rel]) for rel in pages}
    _write_manifest(root, {**previous, **hashes, **kept})
    written = []
    for rel, target in sorted(targets.items()):
        data = _encode(pages[rel])
        if not target.is_file() or _read(target) != data:
            atomic_write(target, data)
            written.append(rel)
    removed = [rel for rel in sorted(set(previous) - set(pages) - set(kept)) if _remove(root, rel)]
    _write_manifest(root, {**hashes, **kept})
    return WriteReport(tuple(written), len(pages) + len(kept) - len(written), tuple(removed))


def content_hash(content: str | bytes) -> str:
    """What the manifest remembers of a generated file (a SHA-256 prefix of its bytes)."""
    return hashlib.sha256(_encode(content)).hexdigest()[:32]


def intact_files(docs_dir: Path, expected: Mapping[str, str], manifest: Manifest | None = None) -> bool:
    """Whether every file of `expected` ({path: content_hash}) is in docs/ as last written: the manifest
    names it with that hash and the file was not modified after the manifest was written (`manifest`:
    `read_manifest_state(docs_dir)`, read once by a caller checking many documents)."""
    state = read_manifest_state(docs_dir.resolve()) if manifest is None else manifest
    for rel, digest in expected.items():
        if state.hashes.get(rel) != digest:
            return False
        try:
            if (docs_dir / rel).stat().st_mtime_ns > state.mtime_ns:
                return False
        except OSError:
            return False
    return True


@dataclass(frozen=True, slots=True)
class Manifest:
    """The generated files as the last `write_pages` left them: path → content hash, and when."""

    hashes: dict[str, str]
    mtime_ns: int


def read_manifest_state(root: Path) -> Manifest:
    try:
        mtime = (root / MANIFEST).stat().st_mtime_ns
    except OSError:
        return Manifest({}, 0)
    return Manifest(read_manifest_hashes(root), mtime)


def safe_target(root: Path, rel: str) -> Path:
    """`root / rel`, or BuildError when `rel` is absolute, has `..`, odd characters, or leaves `root`."""
    parts = PurePosixPath(rel).parts
    bad = (
        not rel
        or rel.startswith("/")
        or "\\" in rel
        or "\x00" in rel
        or any(part in ("..", ".") or part.startswith(".") for part in parts)
    )
    target = root.joinpath(*parts) if parts else root
    if bad or not target.resolve().is_relative_to(root) or target.resolve() == root:
        raise BuildError(
            f"generated path '{rel}' would be written outside '{root}' (or to a hidden file)",
            fix="generated paths must be relative, without '..' or dot-files; this is a generator bug",
        )
    return target


def read_manifest(root: Path) -> set[str]:
    """The paths the previous run generated (empty on the first run)."""
    return set(read_manifest_hashes(root))


def read_manifest_hashes(root: Path) -> dict[str, str]:
    """The paths the previous run generated with their content hashes ('' when not recorded)."""
    path = root / MANIFEST
    if not path.is_file():
        return {}
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        rel, _tab, digest = line.partition("\t")
        if rel.strip():
            found[rel] = digest
    return found


def _write_manifest(root: Path, paths: Mapping[str, str]) -> None:
    text = "\n".join(f"{rel}\t{digest}" if digest else rel for rel, digest in sorted(paths.items()))
    atomic_write(root / MANIFEST, (text + "\n").encode("utf-8"))


def _encode(content: str | bytes) -> bytes:
    return content.encode("utf-8") if isinstance(content, str) else content


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def atomic_write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, target)


def _remove(root: Path, rel: str) -> bool:
    """Delete a stale generated file and the folders it leaves empty; False if it was already gone."""
    try:
        target = safe_target(root, rel)
    except BuildError:
        return False
    if not target.is_file():
        return False
    target.unlink()
    folder = target.parent
    while folder != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
    return True


def sync_tree(source: Path, dest: Path) -> WriteReport:
    """Copy the files of `source` (e.g. the packaged theme) to `dest`, changed files only."""
    files = {
        path.relative_to(source).as_posix(): path.read_bytes()
        for path in sorted(source.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }
    return write_pages(dest, files)


def fingerprint_files(paths: Iterable[Path]) -> str:
    """SHA-256 over the names and contents of `paths` (the code a cache entry depends on)."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
