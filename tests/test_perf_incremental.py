"""Incremental generation does only the changed document's share of the site-wide work (counts, not
timings): its topic-page matches, its feeds and timeline come from the cache for the other documents,
and the result is the same as a build from scratch. Real git archive in tmp_path (site_workspace.py)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from site_workspace import START, make_workspace, record

from clausewatch.diff.normalize import CANONICAL_CACHE_MAX_CHARS, canonical_text
from clausewatch.diff.topics import load_topics, match_groups
from clausewatch.site import topic_pages
from clausewatch.site.effective_date import find_stated_date, find_stated_dates
from clausewatch.site.generate import render_site

PRIVACY = "acme/privacy"
TERMS = "acme/terms-of-service"
PRIVACY_NEW = """# Privacy

## Data we collect

Your e-mail address and the content you upload.

## Sharing

We sell your personal data to advertisers and data brokers, and we share it with our partners
to train artificial intelligence models.
"""


def tagged_clause_changes(site, key: str) -> int:
    """Clause changes with topics on the published changes of one document."""
    output = next(o for o in site.documents if o.key == key)
    return sum(1 for c in output.changes if c.path and c.diff for ch in c.diff.changes if ch.topics)


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the clause changes the topic pages re-match (calls of iter_changed_matches)."""
    calls: list[int] = []
    real = topic_pages.iter_changed_matches

    def counting(change, topics=None) -> Iterator:
        calls.append(1)
        return real(change, topics)

    monkeypatch.setattr(topic_pages, "iter_changed_matches", counting)
    return calls


def test_rebuild_rematches_only_the_changed_documents_topic_changes(tmp_path: Path, counted) -> None:
    workspace = make_workspace(tmp_path / "ws")
    first = render_site(workspace)
    assert len(counted) == tagged_clause_changes(first, TERMS) + tagged_clause_changes(first, PRIVACY)
    assert tagged_clause_changes(first, TERMS) > 0  # so that re-matching it would be seen

    record(workspace, PRIVACY, PRIVACY_NEW, START + timedelta(days=9))
    counted.clear()
    second = render_site(workspace)
    assert second.regenerated == (PRIVACY,)
    assert tagged_clause_changes(second, PRIVACY) > 0
    assert len(counted) == tagged_clause_changes(second, PRIVACY)

    counted.clear()
    assert render_site(workspace).regenerated == ()
    assert counted == []  # nothing changed: every document's share comes from the cache

    shutil.rmtree(workspace.state / "cache")
    scratch = render_site(workspace)
    assert sorted(scratch.regenerated) == sorted([PRIVACY, TERMS])
    assert scratch.files == second.files  # the cached shares give the same site as a full run
    assert any(path.startswith("topics/") and "privacy" in str(text) for path, text in second.files.items())


def test_document_feeds_and_timelines_are_cached_with_their_document(tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path / "ws")
    first = render_site(workspace)
    terms = next(o for o in first.documents if o.key == TERMS)
    assert f"feeds/{TERMS}.atom.xml" in terms.files and f"{TERMS}/timeline.svg" in terms.files
    record(workspace, PRIVACY, PRIVACY_NEW, START + timedelta(days=9))
    second = render_site(workspace)
    assert second.files[f"feeds/{TERMS}.atom.xml"] == first.files[f"feeds/{TERMS}.atom.xml"]
    assert second.files[f"feeds/{PRIVACY}.atom.xml"] != first.files[f"feeds/{PRIVACY}.atom.xml"]
    assert b"advertisers" in bytes(second.files["feeds/all.atom.xml"])


def test_memoized_matches_and_dates_equal_a_fresh_search() -> None:
    text = "Last updated: March 3, 2026. Effective as of 1 April 2026. We sell your data to brokers."
    topics = load_topics()
    first = match_groups(text, topics)
    first.append(("mutated", ()))  # a caller changing its list must not change the memo
    assert match_groups(text, topics) == match_groups(text, list(topics)) == first[:-1]
    assert find_stated_date(text) == max(find_stated_dates(text)[:3], key=lambda s: s.date)
    assert str(find_stated_date(text).date) == "2026-04-01"
    spaced = "Last updated:" + " " * 600 + "March 3, 2026"  # the label's gap is not cut by the window
    assert str(find_stated_date(spaced).date) == "2026-03-03"


def test_canonical_text_is_the_same_memoized_or_not() -> None:
    clause = "## 2. Disputes\n\nDisputes are settled by **binding arbitration** ([rules](https://a.example/r)).\n"
    long_text = (clause + "\n") * (CANONICAL_CACHE_MAX_CHARS // len(clause) + 2)
    assert len(long_text) > CANONICAL_CACHE_MAX_CHARS  # not memoized: computed block by block
    short, again = canonical_text(clause), canonical_text(clause)
    assert short == again and "binding arbitration" in short and "**" not in short
    assert canonical_text(long_text).startswith(short.rstrip(". ")[:40])
    assert canonical_text(short) == short  # idempotent either way


def test_worker_processes_write_the_cache(tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path / "ws")
    parallel = render_site(workspace, jobs=2)  # two documents: one worker process each
    assert sorted(parallel.regenerated) == sorted([PRIVACY, TERMS])
    cache = workspace.state / "cache" / "site"
    assert sorted(p.name for p in cache.glob("*/*.json")) == [
        "privacy.files.json", "privacy.json", "terms-of-service.files.json", "terms-of-service.json"]
    again = render_site(workspace, jobs=2)
    assert again.regenerated == ()
    assert again.files == parallel.files and again.documents == parallel.documents
