"""The site generator and writer on real git archives built in tmp_path (no MkDocs here: see
test_site_build.py). Golden files: tests/golden/site/ (regenerate with CLAUSEWATCH_REGEN_GOLDEN=1)."""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from golden import assert_golden
from site_workspace import START, TERMS_V1, TERMS_V2, make_workspace, new_workspace, record

from clausewatch.errors import BuildError
from clausewatch.site.generate import generate_site, render_site
from clausewatch.site.write import MANIFEST, content_hash, intact_files, read_manifest, write_pages

TERMS = "acme/terms-of-service"


@pytest.fixture
def workspace(tmp_path: Path):
    return make_workspace(tmp_path / "ws")


def front(page: str) -> dict:
    match = re.match(r"---\n(.*?)\n---\n", page, re.DOTALL)
    assert match, "page has no front matter"
    return yaml.safe_load(match.group(1))


def test_pages_of_a_history_match_golden_files(workspace) -> None:
    pages = generate_site(workspace)
    assert_golden("site/index.md", pages["index.md"])
    assert_golden("site/acme/index.md", pages["acme/index.md"])
    assert_golden("site/acme/terms-of-service/index.md", pages[f"{TERMS}/index.md"])
    assert_golden("site/acme/terms-of-service/2026-03-01/index.md", pages[f"{TERMS}/2026-03-01/index.md"])
    assert_golden("site/acme/terms-of-service/2026-03-02/index.md", pages[f"{TERMS}/2026-03-02/index.md"])


def test_only_first_records_and_substantive_changes_get_change_pages(workspace) -> None:
    pages = generate_site(workspace)
    change_pages = sorted(p for p in pages if p.startswith(f"{TERMS}/20"))
    assert change_pages == [f"{TERMS}/2026-03-01/index.md", f"{TERMS}/2026-03-02/index.md"]
    assert "acme/privacy/2026-03-01/index.md" in pages
    document = pages[f"{TERMS}/index.md"]
    assert '??? note cw-recordings "2 non-substantive recordings"' in document
    folded = document.split('??? note cw-recordings "2 non-substantive recordings"')[1].split("## Current text")[0]
    assert "· links ·" in folded and "· blink ·" in folded
    assert "(2026-03-02/index.md)" in document and "(2026-03-01/index.md)" in document


def test_front_matter_describes_each_change(workspace) -> None:
    pages = generate_site(workspace)
    meta = front(pages[f"{TERMS}/2026-03-02/index.md"])
    assert meta["class"] == "substantive"
    assert meta["date"] == "2026-03-02"
    assert (meta["service"], meta["document"]) == ("acme", "terms-of-service")
    assert "Acme Cloud" in meta["title"]
    assert meta["description"]
    assert front(pages[f"{TERMS}/2026-03-01/index.md"])["class"] == "first"


def test_current_text_carries_clause_anchors(workspace) -> None:
    page = generate_site(workspace)[f"{TERMS}/index.md"]
    text = page.split("## Current text")[1]
    anchors = re.findall(r"\{:? #([a-z0-9-]+) \}|<p id=\"([a-z0-9-]+)\">", text)  # headings, paragraphs
    anchors = [heading or paragraph for heading, paragraph in anchors]
    assert len(anchors) >= 6
    assert len(anchors) == len(set(anchors))
    assert "Disputes are settled by the courts" in text  # V1 is current again after the blink


def test_home_lists_substantive_changes_newest_first(workspace) -> None:
    record(workspace, "acme/privacy", "# Privacy\n\n## Data we collect\n\nEverything, and we sell it.\n",
           START + timedelta(days=9), service_name="Acme Cloud")
    home = generate_site(workspace)["index.md"]
    latest = home.split("## Latest substantive changes")[1].split("## Services")[0]
    dates = re.findall(r'\*\*<span class="cw-date">(\d{4}-\d\d-\d\d)</span>\*\*', latest)
    assert dates == sorted(dates, reverse=True) and len(dates) == 2
    assert "acme/privacy/2026-03-10/index.md" in latest


def test_several_changes_a_day_get_stable_suffixes(tmp_path: Path) -> None:
    workspace = new_workspace(tmp_path / "ws")
    texts = [TERMS_V1, TERMS_V2, TERMS_V2.replace("Delaware", "Ireland"),
             TERMS_V2.replace("30 days", "1 day")]
    for hour, text in enumerate(texts[:3]):
        record(workspace, TERMS, text, START + timedelta(hours=hour))
    before = generate_site(workspace)
    slugs = sorted(p.split("/")[2] for p in before if p.startswith(f"{TERMS}/20"))
    assert slugs == ["2026-03-01", "2026-03-01-2", "2026-03-01-3"]
    record(workspace, TERMS, texts[3], START + timedelta(hours=5))
    after = generate_site(workspace)
    assert "acme/terms-of-service/2026-03-01-4/index.md" in after
    for path in before:
        if path.startswith(f"{TERMS}/20"):
            assert path in after
            assert front(after[path])["date"] == front(before[path])["date"]


def test_scraped_text_is_escaped_in_the_markdown(tmp_path: Path) -> None:
    workspace = new_workspace(tmp_path / "ws")
    hostile = "# T\n\n## 1. <b>B</b> {: onclick=x }\n\n[x](javascript:alert(1)) {++i++} <script>s()</script>"
    record(workspace, "evil/terms", hostile, START, service_name="<i>Evil</i>")
    page = generate_site(workspace)["evil/terms/index.md"]
    body = page.split("---\n", 2)[2]
    for live in ("<b>", "<script>", "](javascript", "{++", "{: onclick", "<i>"):
        assert live not in body
    assert "&#60;script&#62;" in body
    assert "<" not in front(page)["title"]


def test_second_run_regenerates_only_what_changed(workspace) -> None:
    first = render_site(workspace)
    assert sorted(first.regenerated) == ["acme/privacy", TERMS]
    assert render_site(workspace).regenerated == ()
    record(workspace, "acme/privacy", "# Privacy\n\n## Data\n\nNothing at all.\n", START + timedelta(days=8))
    third = render_site(workspace)
    assert third.regenerated == ("acme/privacy",)
    assert third.files[f"{TERMS}/index.md"] == first.files[f"{TERMS}/index.md"]
    assert third.files["acme/privacy/index.md"] != first.files["acme/privacy/index.md"]


def test_commentary_invalidates_its_document_and_shows_on_the_change(workspace) -> None:
    render_site(workspace)
    note = workspace.commentary / "acme" / "terms-of-service" / "2026-03-02-ai-licence.md"
    note.parent.mkdir(parents=True)
    note.write_text(
        "---\nservice: acme\ndocument: terms-of-service\nchange: 2026-03-02\ntitle: A licence to train AI\n"
        "authors: [Ada]\n---\n\nThe new clause lets Acme train models on <em>your</em> files.\n",
        encoding="utf-8",
    )
    site = render_site(workspace)
    assert site.regenerated == (TERMS,)
    page = site.files[f"{TERMS}/2026-03-02/index.md"]
    assert "A licence to train AI" in page
    assert "<em>" not in page


def test_broken_cache_entries_are_regenerated(workspace) -> None:
    render_site(workspace)
    cached = workspace.state / "cache" / "site" / "acme" / "privacy.json"
    cached.write_text('{"key": "x", "value": {"!": "os.system"}}', encoding="utf-8")
    assert render_site(workspace).regenerated == ("acme/privacy",)


def test_bad_ids_in_the_archive_are_left_out_with_a_warning(tmp_path: Path) -> None:
    """A file whose id cannot be a site path is not published, and does not stop the rest (issue 15)."""
    workspace = new_workspace(tmp_path / "ws")
    record(workspace, "topics/terms", TERMS_V1, START)
    record(workspace, "acme/terms", TERMS_V1, START)
    site = render_site(workspace)
    assert any("archive/topics/terms.md" in w and "left out of the site" in w for w in site.warnings)
    assert "acme/terms/index.md" in site.files
    assert not any(path.startswith("topics/terms/") for path in site.files)


# --- write_pages -----------------------------------------------------------------------------------


def test_write_pages_writes_changes_only_and_removes_stale(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "about.md").write_text("# Hand-written\n", encoding="utf-8")
    report = write_pages(docs, {"index.md": "# Home\n", "a/b/index.md": "# B\n", "a/c/index.md": "# C\n"})
    assert len(report.written) == 3
    old = os.stat(docs / "a/b/index.md").st_mtime_ns
    os.utime(docs / "a/b/index.md", ns=(old - 10**9, old - 10**9))
    report = write_pages(docs, {"index.md": "# Home, new\n", "a/b/index.md": "# B\n"})
    assert report.written == ("index.md",)
    assert report.removed == ("a/c/index.md",)
    assert os.stat(docs / "a/b/index.md").st_mtime_ns == old - 10**9
    assert not (docs / "a" / "c").exists()
    assert (docs / "about.md").read_text(encoding="utf-8") == "# Hand-written\n"
    assert sorted(read_manifest(docs)) == ["a/b/index.md", "index.md"]
    first_line = (docs / MANIFEST).read_text(encoding="utf-8").splitlines()[0]
    assert first_line == "a/b/index.md\t" + content_hash("# B\n")


def test_kept_files_stay_without_their_content_and_only_while_intact(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    write_pages(docs, {"a/index.md": "# A\n", "b/index.md": "# B\n"})
    kept = {"a/index.md": content_hash("# A\n")}
    assert intact_files(docs, kept)
    report = write_pages(docs, {"b/index.md": "# B2\n"}, kept=kept)
    assert report.written == ("b/index.md",) and report.removed == ()
    assert (docs / "a/index.md").read_text(encoding="utf-8") == "# A\n"
    assert not intact_files(docs, {"a/index.md": content_hash("# A, changed\n")})
    (docs / "a/index.md").unlink()
    assert not intact_files(docs, kept)
    assert write_pages(docs, {"b/index.md": "# B2\n"}).removed == ()
    assert read_manifest(docs) == {"b/index.md"}


def test_write_pages_never_overwrites_a_hand_written_page(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "about.md").write_text("# Mine\n", encoding="utf-8")
    with pytest.raises(BuildError, match="not written by the generator"):
        write_pages(docs, {"about.md": "# Generated\n"})
    assert (docs / "about.md").read_text(encoding="utf-8") == "# Mine\n"


@pytest.mark.parametrize(
    "path", ["../escape.md", "/etc/x.md", "a/../../x.md", "a\\..\\x.md", ".hidden.md", ""]
)
def test_write_pages_refuses_paths_leaving_docs(tmp_path: Path, path: str) -> None:
    docs = tmp_path / "docs"
    with pytest.raises(BuildError, match="outside"):
        write_pages(docs, {path: "x"})
    assert not (tmp_path / "escape.md").exists() and not (tmp_path / "x.md").exists()


def test_write_pages_refuses_a_symlink_out_of_docs(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (docs / "acme").symlink_to(outside, target_is_directory=True)
    with pytest.raises(BuildError, match="outside"):
        write_pages(docs, {"acme/index.md": "x"})
    assert list(outside.iterdir()) == []


def test_worker_processes_generate_the_same_site(workspace) -> None:
    serial = render_site(workspace, jobs=1)
    shutil.rmtree(workspace.state / "cache")
    parallel = render_site(workspace, jobs=2)
    assert sorted(parallel.regenerated) == sorted(serial.regenerated) == ["acme/privacy", TERMS]
    assert parallel.files == serial.files


def test_multi_line_headings_keep_their_anchor_on_one_line() -> None:
    from clausewatch.models import Clause
    from clausewatch.site.markdown import render_clauses

    text = render_clauses([Clause("acme-inc-privacy", "1.", "Acme Inc.\nPrivacy", "Body.", "heading")])
    assert "### 1&#46; Acme Inc. Privacy { #acme-inc-privacy }\n" in text


def test_multi_line_headings_in_a_diff_keep_their_anchor_on_one_line() -> None:
    from clausewatch.diff.compare import diff_texts
    from clausewatch.site.diff_markdown import render_markdown

    new = "The Meet Group Inc.\nPrivacy Policy\n==============\n\nWe collect data.\n"
    rendered = render_markdown(diff_texts("# Policy\n\nNothing.\n", new))
    headings = [line for line in rendered.splitlines() if line.startswith("### ")]
    assert headings and all(re.search(r"\{ #[a-z0-9-]+ \}$", line) for line in headings)


def test_cache_entries_round_trip_exactly(workspace) -> None:
    from clausewatch.site.cache import read_cache_entry

    site = render_site(workspace)
    cache = workspace.state / "cache" / "site"
    for output in site.documents:
        cached = read_cache_entry(cache / f"{output.key}.json", output.cache_key)
        assert cached == replace(output, files={p: c for p, c in output.files.items() if p.endswith("current.txt")})
        assert read_cache_entry(cache / f"{output.key}.files.json", output.cache_key) == output.files
        assert dict(cached.hashes) == {p: content_hash(c) for p, c in output.files.items()}
        assert read_cache_entry(cache / f"{output.key}.json", "other") is None


def test_a_lazy_render_keeps_intact_documents_unread_and_reloads_damaged_ones(workspace) -> None:
    full = render_site(workspace)
    write_pages(workspace.docs, full.files)
    lazy = render_site(workspace, lazy=True)
    assert lazy.regenerated == () and lazy.kept
    assert {**lazy.files, **dict.fromkeys(lazy.kept)}.keys() == full.files.keys()
    assert all(full.files[p] == c for p, c in lazy.files.items())
    page = next(p for p in lazy.kept if p.endswith("/index.md"))
    (workspace.docs / page).write_text("tampered\n", encoding="utf-8")
    later = (workspace.docs / MANIFEST).stat().st_mtime_ns + 10**9  # an edit made after the build
    os.utime(workspace.docs / page, ns=(later, later))
    repaired = render_site(workspace, lazy=True)
    assert page in repaired.files and page not in repaired.kept
    write_pages(workspace.docs, repaired.files, kept=repaired.kept)
    assert (workspace.docs / page).read_text(encoding="utf-8") == full.files[page]


def test_cache_of_documents_gone_from_the_archive_is_pruned(workspace) -> None:
    render_site(workspace)
    stale = workspace.state / "cache" / "site" / "gone" / "terms.json"
    stale.parent.mkdir(parents=True)
    stale.write_text("{}", encoding="utf-8")
    render_site(workspace)
    assert not stale.exists()
    assert (workspace.state / "cache" / "site" / "acme" / "privacy.json").is_file()
