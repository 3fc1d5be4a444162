"""The search index: Pagefind over the built site, whole on a full build, apart for new pages after.

A full build indexes every document page and change page (`INDEXED_GLOB`; the pages that carry
`data-pagefind-body`) into `<site>/pagefind/` and remembers which pages the site had. Re-indexing the
whole site takes minutes at 10,000 pages, so an incremental build indexes only the pages that are new
since the last full build (new changes, new documents) into `<site>/pagefind-recent/`, a second
Pagefind bundle that the search box merges into the first (Pagefind's `mergeIndex`). Pages that
existed at the last full build and changed since (a document page's current text) keep their old
entry until the next full build; their new words are found on the new change page meanwhile.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Iterable
from pathlib import Path

from clausewatch.site.run import run_commands

INDEXED_GLOB = "*/*/{index.html,[0-9][0-9][0-9][0-9]-*/index.html}"
"""Document pages (`service/document/`) and change pages (`service/document/YYYY-MM-DD/`): the only
pages with `data-pagefind-body`. Pagefind would otherwise parse every as-of and index page too."""
RECENT = "pagefind-recent"
BUNDLES = "search-bundles.json"
"""Which extra bundles the search box merges (`{"merge": ["pagefind-recent/"]}`), written by every build."""
BODY_MARK = "data-pagefind-body"
EXCLUDED = (".headerlink", ".cw-facts", ".cw-key-changes", ".cw-card-tools", ".cw-card-meta",
            ".cw-neighbours", ".cw-provenance", ".cw-attribution", ".cw-doc-facts", ".cw-picture",
            ".cw-subscribe", ".cw-recordings", ".cw-add-commentary")
"""What search leaves out of a page (Pagefind's `--exclude-selectors`): the "¶" links and what is not the
page's text: a change's fact box, its key changes (its cards say the same), its cards' tools and kind
lines, the links to its neighbours, its provenance, the attribution and licence lines, a document page's
header facts, its timeline picture, its list of non-substantive recordings and subscribe links, the
"Suggest commentary" links.
Where the generator writes raw HTML (fact box, key changes) the class is on it; on Markdown it comes from
an attribute list (`{: .cw-provenance }`). What stays is ranked by `data-pagefind-weight`: inserted
words above the rest, deleted words below (`site.archived.INS_OPEN`, `DEL_OPEN`)."""


def index_all(site_dir: Path) -> list[str]:
    """Index the whole site into `site_dir/pagefind/`; drop the bundle of recent pages; return the
    site's pages (paths of `index.html` files) at this point, sorted."""
    shutil.rmtree(site_dir / RECENT, ignore_errors=True)
    run_pagefind(site_dir, site_dir / "pagefind", glob=INDEXED_GLOB)
    _write_bundles(site_dir, [])
    return sorted(iter_pages(site_dir))


def index_recent(site_dir: Path, indexed: Iterable[str]) -> int:
    """Index the searchable pages the last full build did not have into `site_dir/pagefind-recent/`
    (removed when there are none); return how many."""
    known = set(indexed)
    new = [rel for rel in iter_pages(site_dir) if rel not in known and _searchable(site_dir / rel)]
    shutil.rmtree(site_dir / RECENT, ignore_errors=True)
    _write_bundles(site_dir, [])
    if not new:
        return 0
    staging = site_dir.with_name(site_dir.name + ".recent")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        for rel in new:
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            _link_or_copy(site_dir / rel, target)
        run_pagefind(staging, site_dir / RECENT)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _write_bundles(site_dir, [f"{RECENT}/"])
    return len(new)


def _write_bundles(site_dir: Path, merge: list[str]) -> None:
    """The bundle list, as a new file (in an incremental build the old one is the published site's)."""
    target = site_dir / BUNDLES
    target.unlink(missing_ok=True)
    target.write_text(json.dumps({"merge": merge}) + "\n", encoding="utf-8")


def iter_pages(site_dir: Path) -> Iterable[str]:
    for path in site_dir.rglob("index.html"):
        rel = path.relative_to(site_dir).as_posix()
        if not rel.startswith(("pagefind/", f"{RECENT}/")):
            yield rel


def _searchable(path: Path) -> bool:
    try:
        return BODY_MARK in path.read_text(encoding="utf-8")
    except OSError:
        return False


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def run_pagefind(site_dir: Path, output: Path, *, glob: str | None = None) -> None:
    """`python -m pagefind` over `site_dir`, its bundle written to `output`."""
    command = [sys.executable, "-m", "pagefind", "--site", str(site_dir), "--output-path", str(output),
               *(arg for selector in EXCLUDED for arg in ("--exclude-selectors", selector)),
               *(["--glob", glob] if glob else [])]
    run_commands([command], site_dir, "pagefind",
                 "check that `pagefind[bin]` is installed (pip install -e .) and that the site has pages")
