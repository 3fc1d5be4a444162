"""Full builds split across MkDocs processes, and incremental rebuilds, on real small workspaces.

A sharded build must give the same site as one MkDocs process; a rebuild after one new version must
render only the pages that changed, delete what is gone, and make the new page searchable (a second
Pagefind bundle the search box merges).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from datetime import timedelta
from pathlib import Path

import pytest
from site_workspace import START, TERMS_V2, make_workspace, record

from clausewatch.errors import BuildError
from clausewatch.site import engine, search_index
from clausewatch.site.build import build_site, run_mkdocs, run_mkdocs_sharded
from clausewatch.workspace import Workspace


def test_plan_shards_balances_weight_and_keeps_every_folder() -> None:
    weights = {"big": 100, "mid": 60, "small": 40, "tiny": 1}
    shards = engine.plan_shards(weights, 2)
    assert sorted(name for shard in shards for name in shard) == sorted(weights)
    totals = sorted(sum(weights[name] for name in shard) for shard in shards)
    assert totals == [100, 101]
    assert engine.plan_shards(weights, 1) == [sorted(weights)]
    assert len(engine.plan_shards({"only": 5}, 4)) == 1


def test_exclude_patterns_leave_only_the_shard() -> None:
    shards = [["a", "c"], ["b"]]
    first = engine.exclude_patterns(shards, 0, ["index.md"])
    second = engine.exclude_patterns(shards, 1, ["index.md"])
    assert first.split() == ["/b/"]
    assert sorted(second.split()) == ["/a/", "/c/", "/index.md"]


def test_merge_sitemaps_keeps_one_block_per_address_sorted() -> None:
    a = ["<url><loc>https://x.example/b/</loc></url>", "<url><loc>https://x.example/</loc></url>"]
    b = ["<url><loc>https://x.example/a/</loc></url>", "<url><loc>https://x.example/</loc></url>"]
    merged = engine.merge_sitemaps([a, b])
    assert [block.split("<loc>")[1].split("<")[0] for block in merged] == [
        "https://x.example/", "https://x.example/a/", "https://x.example/b/"]


def test_output_paths_follow_directory_urls() -> None:
    assert engine.output_path("index.md") == "index.html"
    assert engine.output_path("acme/terms/2026-03-02/index.md") == "acme/terms/2026-03-02/index.html"
    assert engine.output_path("about.md") == "about/index.html"
    assert engine.output_path("feeds/all.atom.xml") == "feeds/all.atom.xml"


def _tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def _sitemap_locs(site: Path) -> list[str]:
    return sorted(block.split("<loc>")[1].split("<")[0] for block in engine.read_sitemap(site / "sitemap.xml"))


def _page_count(site: Path) -> int:
    return sum(1 for rel in search_index.iter_pages(site) if "refresh" not in (site / rel).read_text("utf-8")[:2000])


def test_a_sharded_build_equals_a_single_process_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAUSEWATCH_SITE_URL", "https://watch.example/cw/")  # sitemaps list pages only then
    workspace = make_workspace(tmp_path / "ws")
    build_site(workspace, tmp_path / "first")  # generates and writes docs/, theme
    run_mkdocs(workspace, tmp_path / "single")
    assert run_mkdocs_sharded(workspace, tmp_path / "sharded", processes=1) == 1
    count = _force_shards(workspace, tmp_path / "sharded2", 2)
    assert count == 2
    single, sharded = _tree(tmp_path / "single"), _tree(tmp_path / "sharded2")
    assert set(single) == set(sharded)
    differing = [path for path in single if single[path] != sharded[path]]
    assert differing == ["sitemap.xml", "sitemap.xml.gz"] or differing == []
    assert sorted(engine.read_sitemap(tmp_path / "single" / "sitemap.xml")) == sorted(
        engine.read_sitemap(tmp_path / "sharded2" / "sitemap.xml"))
    locs = _sitemap_locs(tmp_path / "sharded2")
    assert len(locs) == _page_count(tmp_path / "sharded2") > 5
    assert "https://watch.example/cw/acme/privacy/" in locs
    assert not (tmp_path / "sharded2.building").exists()


def _force_shards(workspace: Workspace, site: Path, count: int) -> int:
    from clausewatch.site import build

    saved = build.SHARD_MIN_BYTES
    build.SHARD_MIN_BYTES = 0
    try:
        return run_mkdocs_sharded(workspace, site, processes=count)
    finally:
        build.SHARD_MIN_BYTES = saved


def test_a_failing_shard_fails_the_build_and_keeps_the_old_site(tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path / "ws")
    site = build_site(workspace, tmp_path / "site")
    before = (site / "index.html").read_bytes()
    (workspace.docs / "about.md").write_text("# About\n\n[broken](nowhere.md)\n", encoding="utf-8")
    with pytest.raises(BuildError, match="nowhere.md"):
        _force_shards(workspace, site, 2)
    assert (site / "index.html").read_bytes() == before


def _timed_build(workspace: Workspace, site: Path, **kwargs: bool) -> str:
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        build_site(workspace, site, timings=True, **kwargs)
    return stderr.getvalue()


def _mtimes(site: Path) -> dict[str, int]:
    return {p.relative_to(site).as_posix(): p.stat().st_mtime_ns for p in site.rglob("*.html")
            if not p.relative_to(site).as_posix().startswith("pagefind")}


def test_a_rebuild_after_one_version_renders_only_what_changed(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAUSEWATCH_SITE_URL", "https://watch.example/")
    workspace = make_workspace(tmp_path / "ws")
    site = tmp_path / "site"
    assert "full" in _timed_build(workspace, site)
    before = _mtimes(site)
    when = START + timedelta(days=40)
    newer = TERMS_V2.replace("30 days", "7 days")
    record(workspace, "acme/terms-of-service", newer, when)
    report = _timed_build(workspace, site)
    assert "incremental" in report
    after = _mtimes(site)
    new_page = f"acme/terms-of-service/{when:%Y-%m-%d}/index.html"
    assert new_page in after and new_page not in before
    assert "7 days" in (site / new_page).read_text(encoding="utf-8")
    unchanged = [p for p in before if p in after and after[p] == before[p]]
    assert "acme/privacy/index.html" in unchanged
    assert "about/index.html" in unchanged
    rebuilt = {p for p in after if p not in before or after[p] != before[p]}
    assert rebuilt < set(after) and len(rebuilt) < len(after) // 2
    bundles = json.loads((site / search_index.BUNDLES).read_text(encoding="utf-8"))
    assert bundles == {"merge": ["pagefind-recent/"]}
    locs = _sitemap_locs(site)  # the dirty build still lists every page, not only those it rendered
    assert f"https://watch.example/{new_page.removesuffix('index.html')}" in locs
    assert "https://watch.example/acme/privacy/" in locs and len(locs) == _page_count(site)
    assert (site / "pagefind-recent" / "pagefind-entry.json").is_file()


def test_a_rebuild_deletes_pages_that_are_gone_and_full_drops_the_recent_bundle(tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path / "ws")
    site = tmp_path / "site"
    _timed_build(workspace, site)
    extra = workspace.docs / "notes.md"
    extra.write_text("# Notes\n\nA hand-written page.\n", encoding="utf-8")
    assert "full" in _timed_build(workspace, site)  # a new hand-written page changes the stamp
    assert (site / "notes" / "index.html").is_file()
    extra.unlink()
    assert "full" in _timed_build(workspace, site)
    gone = (site / "notes" / "index.html").read_text(encoding="utf-8")
    assert "A hand-written page" not in gone and "refresh" in gone  # a published URL redirects
    record(workspace, "acme/terms-of-service", TERMS_V2.replace("30 days", "9 days"),
           START + timedelta(days=50))
    assert "incremental" in _timed_build(workspace, site)
    assert (site / "pagefind-recent").is_dir()
    assert "full" in _timed_build(workspace, site, full=True)
    assert not (site / "pagefind-recent").exists()
    assert json.loads((site / search_index.BUNDLES).read_text(encoding="utf-8")) == {"merge": []}


def test_a_changed_mkdocs_yml_makes_the_rebuild_full(tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path / "ws")
    site = tmp_path / "site"
    _timed_build(workspace, site)
    config = workspace.mkdocs_yml
    config.write_text(config.read_text(encoding="utf-8").replace("site_name: Clausewatch",
                                                                 "site_name: Termswatch"), encoding="utf-8")
    assert "full" in _timed_build(workspace, site)
    assert "Termswatch" in (site / "acme" / "privacy" / "index.html").read_text(encoding="utf-8")


def test_generated_page_removed_from_docs_loses_its_html(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "a" / "b").mkdir(parents=True)
    (site / "a" / "b" / "index.html").write_text("x", encoding="utf-8")
    (site / "keep.html").write_text("x", encoding="utf-8")
    assert engine.remove_outputs(site, ["a/b/index.md", "../escape/index.md", "missing/index.md"]) == 1
    assert not (site / "a" / "b" / "index.html").exists()
    assert (site / "keep.html").is_file()
    assert os.listdir(site / "a" / "b") == []
