"""Feeds: every file parses back with feedparser, carries the diff, and only the changes it should."""

from __future__ import annotations

from dataclasses import replace

import feedparser
from bs4 import BeautifulSoup
from extras_fixtures import HOSTILE, history

from clausewatch.site.feeds import feed_path, generate_feeds, summary_text

SITE = "https://watch.example/"


def parse(data: bytes) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def test_every_feed_file_is_valid_atom_or_rss() -> None:
    files = generate_feeds(history(), site_url=SITE)
    expected = {
        feed_path(kind, key, fmt)
        for kind, key in [("all", ""), ("service", "acme"), ("service", "hostile"),
                          ("document", "acme/terms-of-service"), ("document", "acme/privacy-policy"),
                          ("document", "hostile/terms"), ("topic", "ai-training"),
                          ("topic", "content-licence"), ("topic", "data-sharing"), ("topic", "arbitration")]
        for fmt in ("atom", "rss")
    }
    assert set(files) == expected
    for path, data in files.items():
        parsed = parse(data)
        assert parsed.version.startswith("atom" if path.endswith(".atom.xml") else "rss"), path
        assert parsed.feed.title.startswith("Clausewatch")


def test_only_substantive_changes_and_first_records_by_default() -> None:
    files = generate_feeds(history(), site_url=SITE)
    doc = parse(files["feeds/acme/terms-of-service.atom.xml"])
    links = [entry.link for entry in doc.entries]
    assert links == [  # newest first, same-day suffixes in order; the cosmetic change and the blink left out
        "https://watch.example/acme/terms-of-service/2026-03-01-2/",
        "https://watch.example/acme/terms-of-service/2026-03-01/",
        "https://watch.example/acme/terms-of-service/2026-02-10/",
        "https://watch.example/acme/terms-of-service/2026-01-05/",
    ]
    # a site that gives cosmetic versions a page can put them in its feeds too
    paged = [replace(c, path=c.path or f"{c.version.key}/v{c.version.commit[-2:]}/") for c in history()]
    everything = generate_feeds(paged, site_url=SITE, substantive_only=False)
    all_links = [e.link for e in parse(everything["feeds/acme/terms-of-service.atom.xml"]).entries]
    assert len(all_links) == 6 and "https://watch.example/acme/terms-of-service/v03/" in all_links
    default = generate_feeds(paged, site_url=SITE)["feeds/acme/terms-of-service.atom.xml"]
    assert len(parse(default).entries) == 4


def test_entries_carry_the_summary_and_word_diff_not_just_a_link() -> None:
    files = generate_feeds(history(), site_url=SITE)
    for fmt in ("atom", "rss"):
        parsed = parse(files[feed_path("topic", "ai-training", fmt)])
        entry = next(e for e in parsed.entries if "acme" in e.link)
        content = entry.content[0].value if fmt == "atom" else entry.description
        soup = BeautifulSoup(content, "html.parser")
        assert [i.get_text() for i in soup.find_all("ins")] == [
            "perpetual ", "use", " for machine learning and AI training"]
        assert [d.get_text() for d in soup.find_all("del")] == ["host"]
        assert "1 substantive change" in soup.get_text() and "3 renumbered" in soup.get_text()
        assert {tag.term for tag in entry.tags} == {"ai-training", "content-licence"}
    # a topic feed holds only that topic's changes
    sharing = parse(files["feeds/topics/data-sharing.atom.xml"])
    assert [e.link for e in sharing.entries] == ["https://watch.example/acme/privacy-policy/2026-02-20/"]


def test_hostile_text_is_escaped_content_never_markup() -> None:
    files = generate_feeds(history(), site_url=SITE)
    parsed = parse(files["feeds/hostile/terms.atom.xml"])
    change = next(e for e in parsed.entries if "changed" in e.title)
    soup = BeautifulSoup(change.content[0].value, "html.parser")
    assert soup.find("script") is None
    assert all(a["href"].startswith("https://watch.example/") for a in soup.find_all("a"))
    assert "<script>alert(1)</script>" in soup.get_text()  # shown as words
    assert "\x07" not in files["feeds/hostile/terms.atom.xml"].decode()
    assert HOSTILE.split("\x07")[0][:8] in parse(files["feeds/hostile/terms.rss.xml"]).feed.title


def test_feeds_are_deterministic_and_empty_history_gives_empty_global_feeds() -> None:
    shuffled = list(reversed(history()))
    assert generate_feeds(history(), site_url=SITE) == generate_feeds(shuffled, site_url=SITE)
    empty = generate_feeds([], site_url=SITE)
    assert set(empty) == {"feeds/all.atom.xml", "feeds/all.rss.xml"}
    assert parse(empty["feeds/all.atom.xml"]).entries == []


def test_summary_text_lists_only_what_happened() -> None:
    from clausewatch.models import DiffSummary

    assert summary_text(DiffSummary(substantive=2, added=1, renumbered=24)) == (
        "2 substantive changes, 1 added, 24 renumbered")
    assert summary_text(DiffSummary()) == "no clause changed"


def test_subscribe_links_are_relative_to_the_page() -> None:
    from clausewatch.site.feeds import subscribe_markdown

    line = subscribe_markdown("acme/terms-of-service/index.md", "document", "acme/terms-of-service")
    assert "(../../feeds/acme/terms-of-service.atom.xml)" in line
    assert "(../../feeds/acme/terms-of-service.rss.xml)" in line
    assert "(../../data/acme/terms-of-service/index.json)" in line
    assert "(feeds/all.atom.xml)" in subscribe_markdown("index.md", "all")
    assert "(../feeds/acme.atom.xml)" in subscribe_markdown("acme/index.md", "service", "acme")


def test_an_entry_stays_short_whatever_the_size_of_the_change() -> None:
    """A section of many rewritten clauses gives a short entry: word diffs up to ENTRY_CHARS, then
    '…' and the link to the whole change (such entries were 30 KB; feeds 161 MB on the bundle)."""
    from clausewatch.diff.compare import diff_texts
    from clausewatch.site.feeds import ENTRY_CHARS, entry_html

    old = "## Terms\n\n" + "\n\n".join(f"Clause {k} says the old thing about fees number {k}." for k in range(60))
    new = "## Terms\n\n" + "\n\n".join(f"Clause {k} now says something else about charges {k * 7}." for k in range(60))
    change = replace(history()[1], diff=diff_texts(old * 3, new * 3))
    body = entry_html(change, "https://example.org/acme/terms/2026-02-10/")
    assert len(body) < 2 * ENTRY_CHARS and "…" in body and body.endswith("See the whole change</a></p>")


def test_site_wide_feeds_reuse_the_entry_rendered_with_the_document() -> None:
    """A change's feed entry is rendered once, with its document (`with_feed_entries`, in the worker that
    generates it); the all/service/topic feeds print that entry instead of ranking its clauses again."""
    from clausewatch.site.feeds import entry_html, is_feed_worthy, with_feed_entries

    changes = history()
    filled = with_feed_entries(changes, "https://cw.example")
    worthy = [c for c in filled if is_feed_worthy(c)]
    assert worthy and all(c.feed_entry for c in worthy)
    assert all(not c.feed_entry for c in filled if not is_feed_worthy(c))
    first = next(c for c in filled if c.diff is not None and is_feed_worthy(c))
    assert first.feed_entry == entry_html(first, f"https://cw.example/{first.path}")
    assert generate_feeds(filled, site_url="https://cw.example") == generate_feeds(changes,
                                                                                   site_url="https://cw.example")
    marked = [replace(c, feed_entry="<p>rendered with its document</p>") if c is first else c for c in filled]
    feed = parse(generate_feeds(marked, site_url="https://cw.example")[feed_path("all")])
    assert any("rendered with its document" in e.content[0].value for e in feed.entries)


def test_a_ranking_is_reused_only_for_the_same_changes() -> None:
    """Key changes are ranked once per change (its page, headline and feed entry ask for them); another
    diff, even an equal one, is ranked on its own."""
    from clausewatch.diff.compare import diff_texts
    from clausewatch.diff.topics import load_topics
    from clausewatch.site.key_changes import rank_changes

    topics = load_topics()
    one = diff_texts("1. We keep data.\n", "1. We keep data.\n\n2. We may train AI models on your content.\n")
    other = diff_texts("1. We keep data.\n", "1. We keep data.\n\n2. Disputes go to arbitration.\n")
    first = rank_changes(one, topics, limit=None)
    assert rank_changes(one, topics, limit=1) == first[:1]
    assert rank_changes(other, topics, limit=None) != first
    copy = replace(one, changes=tuple(list(one.changes)))
    assert copy.changes is not one.changes and rank_changes(copy, topics, limit=None) == first
