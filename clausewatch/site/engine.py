"""Driving MkDocs: a full build split across processes, or an incremental ("dirty") build.

MkDocs renders one page after another on one core and has no safe incremental mode, so the build
drives it from outside, with MkDocs' own configuration and command only (no hooks, no plugins):

- **Full build**: the top-level folders of `docs/` are split into shards of about equal Markdown
  weight; each shard is an ordinary `mkdocs build --strict` of the same mkdocs.yml whose
  `exclude_docs` names the other shards' folders, run in its own process into its own folder. Links
  into an excluded page are still checked to exist (MkDocs reports them at INFO level, not as
  warnings). The shards' outputs are then moved into one tree, their `sitemap.xml` files are merged,
  and the tree replaces the site folder in one rename (a failed build leaves the old site).
- **Incremental build**: MkDocs' `--dirty` build of a copy of the site made of hard links (see
  `clausewatch.site.publish`; this module makes MkDocs replace the files it writes rather than write
  into them, so the published site is never changed in place), which renders only
  the pages whose Markdown is newer than their HTML (`write_pages` leaves unchanged pages alone, so
  their mtime says they are unchanged). It is used only when nothing else a page depends on changed:
  mkdocs.yml, the theme, the installed MkDocs and Material, and the set of hand-written pages all
  have the fingerprint recorded by the last build (`.clausewatch/site-build.json`); otherwise the
  build is full. Pages a previous build made and whose Markdown is gone are deleted first.

`python -m clausewatch.site.engine CONFIG SITE_DIR [--dirty] [--exclude-from FILE]` is the one
process that imports MkDocs; swapping engines (ProperDocs, Zensical) means changing this module.
"""

from __future__ import annotations

import argparse
import gzip
import logging
import os
import re
import shutil
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path, PurePosixPath

DIRTY_WARNING = "A 'dirty' build is being performed"
"""MkDocs warns on every dirty build; under --strict that warning alone would fail it."""
SITEMAP = "sitemap.xml"
_URL_BLOCK = re.compile(r"<url>.*?</url>", re.DOTALL)
_LOC = re.compile(r"<loc>(.*?)</loc>", re.DOTALL)


def plan_shards(weights: Mapping[str, int], count: int) -> list[list[str]]:
    """Split top-level entries of docs/ (name → bytes of Markdown) into `count` shards of about equal
    weight (largest first, each to the lightest shard); every shard gets at least one entry when it can.
    Top-level files (`index.md`, `about.md`) go with the first shard."""
    shards: list[list[str]] = [[] for _ in range(max(1, count))]
    totals = [0] * len(shards)
    for name, weight in sorted(weights.items(), key=lambda item: (-item[1], item[0])):
        lightest = min(range(len(shards)), key=lambda k: (totals[k], k))
        shards[lightest].append(name)
        totals[lightest] += weight
    return [sorted(shard) for shard in shards if shard]


def exclude_patterns(shards: Sequence[Sequence[str]], keep: int, top_files: Iterable[str]) -> str:
    """The `exclude_docs` value (gitignore syntax) that leaves only shard `keep` (plus, for shard 0, the
    top-level files) in a build."""
    lines = [f"/{name}/" for k, shard in enumerate(shards) if k != keep for name in shard]
    if keep != 0:
        lines += [f"/{name}" for name in sorted(top_files)]
    return "\n".join(lines) + "\n"


def docs_weights(docs_dir: Path) -> tuple[dict[str, int], list[str]]:
    """Bytes of Markdown under each top-level folder of `docs_dir` (static files count a little), and
    the top-level files."""
    weights: dict[str, int] = {}
    top_files: list[str] = []
    for entry in sorted(docs_dir.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_file():
            top_files.append(entry.name)
            continue
        total = 0
        for path in entry.rglob("*"):
            if path.is_file():
                size = path.stat().st_size
                total += size if path.suffix == ".md" else size // 50 + 1
        weights[entry.name] = total
    return weights, top_files


def merge_trees(sources: Sequence[Path], dest: Path) -> None:
    """Move every file of `sources[1:]` into `sources[0]` (files the first already has are the theme's
    and MkDocs' own, identical in every shard, and are left), merge the sitemaps, then make that tree
    `dest` (the old `dest` is removed; its top-level dotfiles are kept)."""
    first = sources[0]
    sitemaps = [read_sitemap(source / SITEMAP) for source in sources]
    for source in sources[1:]:
        for path in sorted(source.rglob("*")):
            if path.is_file():
                target = first / path.relative_to(source)
                if not target.exists():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    path.replace(target)
        shutil.rmtree(source)
    write_sitemap(first, merge_sitemaps(sitemaps))
    replace_tree(first, dest)


def replace_tree(new: Path, dest: Path) -> None:
    """Put the tree `new` at `dest`, keeping the top-level dotfiles of the old `dest` (MkDocs keeps
    them too: `.nojekyll`, a CNAME's companions)."""
    if dest.exists():
        for dotfile in dest.glob(".*"):
            if not (new / dotfile.name).exists():
                dotfile.replace(new / dotfile.name)
        old = dest.with_name(dest.name + ".old")
        if old.exists():
            shutil.rmtree(old)
        dest.replace(old)
        new.replace(dest)
        shutil.rmtree(old)
    else:
        new.replace(dest)


def read_sitemap(path: Path) -> list[str]:
    """The `<url>` blocks of a MkDocs sitemap ([] when there is none)."""
    if not path.is_file():
        return []
    return _URL_BLOCK.findall(path.read_text(encoding="utf-8"))


def merge_sitemaps(blocks: Iterable[Iterable[str]]) -> list[str]:
    """Every shard's `<url>` blocks, one per address, sorted by address."""
    by_loc: dict[str, str] = {}
    for shard in blocks:
        for block in shard:
            found = _LOC.search(block)
            by_loc.setdefault(found.group(1).strip() if found else block, block)
    return [by_loc[loc] for loc in sorted(by_loc)]


def write_sitemap(site_dir: Path, blocks: Sequence[str]) -> None:
    """`sitemap.xml` and `sitemap.xml.gz` as MkDocs writes them, from `<url>` blocks."""
    text = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            + "".join(f"    {block}\n" for block in blocks) + "</urlset>\n")
    (site_dir / SITEMAP).write_text(text, encoding="utf-8")
    with gzip.GzipFile(site_dir / f"{SITEMAP}.gz", "wb", mtime=0) as stream:
        stream.write(text.encode("utf-8"))


def output_path(rel: str) -> str:
    """What MkDocs (use_directory_urls) makes of a docs/ file: `a/index.md` → `a/index.html`,
    `a.md` → `a/index.html`, `index.md` → `index.html`, anything else → itself."""
    path = PurePosixPath(rel)
    if path.suffix != ".md":
        return rel
    if path.stem in ("index", "README"):
        return str(path.parent / "index.html") if str(path.parent) != "." else "index.html"
    return str(path.with_suffix("") / "index.html")


def remove_outputs(site_dir: Path, removed: Iterable[str]) -> int:
    """Delete the built files of docs/ files that are gone; return how many were deleted."""
    count = 0
    for rel in removed:
        target = (site_dir / output_path(rel)).resolve()
        if target.is_relative_to(site_dir.resolve()) and target.is_file():
            target.unlink()
            count += 1
    return count


class _DropDirtyWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(DIRTY_WARNING)


def _write_new_files(site_dir: Path) -> None:
    """Make MkDocs replace the files it writes instead of writing into them. A dirty build runs in a
    tree of hard links to the published site (`clausewatch.site.publish`): writing into a linked file
    would change the published page too, before it is sanitized. Output is unchanged, only inodes."""
    from mkdocs import utils

    write_file, copy_file = utils.write_file, utils.copy_file

    def unlink(path: str) -> None:
        if os.path.isfile(path) and not os.path.islink(path):
            os.unlink(path)

    def write_new(content: bytes, output_path: str) -> None:
        unlink(output_path)
        write_file(content, output_path)

    def copy_new(source_path: str, output_path: str) -> None:
        unlink(os.path.join(output_path, os.path.basename(source_path)) if os.path.isdir(output_path)
               else output_path)
        copy_file(source_path, output_path)

    utils.write_file, utils.copy_file = write_new, copy_new  # type: ignore[assignment]
    for name in (SITEMAP, f"{SITEMAP}.gz"):  # the compressed sitemap is written with open() directly
        unlink(str(site_dir / name))


def main(argv: Sequence[str] | None = None) -> int:
    """Build with MkDocs' own `build` (strict): the whole site, or `--dirty` only changed pages, or the
    pages not excluded by `--exclude-from` (a file of gitignore patterns)."""
    parser = argparse.ArgumentParser(prog="python -m clausewatch.site.engine")
    parser.add_argument("config")
    parser.add_argument("site_dir")
    parser.add_argument("--dirty", action="store_true")
    parser.add_argument("--exclude-from")
    args = parser.parse_args(argv)
    from mkdocs import exceptions
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s - %(message)s")
    logging.getLogger("mkdocs.commands.build").addFilter(_DropDirtyWarning())
    if args.dirty:
        _write_new_files(Path(args.site_dir))
    # MkDocs drops options given as None: without --exclude-from, mkdocs.yml's own exclude_docs applies
    exclude_docs = Path(args.exclude_from).read_text(encoding="utf-8") if args.exclude_from else None
    try:
        config = load_config(config_file=args.config, site_dir=args.site_dir, strict=True,
                             exclude_docs=exclude_docs)
        build(config, dirty=args.dirty)
    except exceptions.MkDocsException as exc:
        print(f"ERROR - {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
