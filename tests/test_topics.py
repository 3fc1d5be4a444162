"""Topic rules on real-looking clauses: positive and negative cases for every topic, change tagging."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from clausewatch.diff.sections import clause_changes
from clausewatch.diff.topics import (
    iter_changed_matches,
    load_rule_set,
    load_topics,
    match_topics,
    phrase_pattern,
    tag_change,
    tag_diff,
    topics_for_change,
)
from clausewatch.errors import ConfigError
from clausewatch.models import Clause, ClauseChange, Diff, DiffSummary, WordOp
from clausewatch.site.topic_pages import highlight_matches

ZOOM_2023 = (
     "You agree to grant and hereby grant Zoom a perpetual, worldwide, non-exclusive, royalty-free, "
     "sublicensable, and transferable license and all other rights required or necessary to redistribute, "
     "publish, import, access, use, store, transmit, review, disclose, preserve, extract, modify, reproduce, "
     "share, use, display, copy, distribute, translate, transcribe, create derivative works, and process "
     "Customer Content and to perform all acts with respect to the Customer Content: (i) as may be "
     "necessary for Zoom to provide the Services to you, including to support the Services; (ii) for the "
     "purpose of product and service development, marketing, analytics, quality assurance, machine "
     "learning, artificial intelligence, training, testing, improvement of the Services, Software, or "
     "Zoom's other products, services, and software, or any combination thereof.")
"""The clause that went unnoticed for five months (Zoom's terms, March 2023)."""

# (topic, clause that must match, near miss that must not match)
CASES = [
    ("ai-training", ZOOM_2023,
     "We train our customer-support staff to handle your questions with care and respect."),
    ("content-licence", ZOOM_2023,
     "We grant you a limited, non-exclusive, non-transferable, revocable licence to use the app for your "
     "personal use. Customer Content remains yours."),
    ("ai-training",
     "We may use the content you submit to train and improve our models and algorithms.",
     "The Service may display AI-generated summaries, which may be inaccurate."),
    ("content-licence",
     "By posting User Content, you grant us a worldwide, non-exclusive, royalty-free, sublicensable and "
     "transferable license to use, reproduce, distribute and display your content.",
     "We grant you a limited, non-exclusive, non-transferable, revocable licence to use the app "
     "for your personal, non-commercial purposes."),
    ("data-sharing",
     "We may share your personal information with third parties, including advertisers and data brokers.",
     "If you buy a product, the sale is subject to our refund policy."),
    ("data-sharing",
     "We do not sell your personal data.",
     "You may share your playlists with friends."),
    ("advertising-tracking",
     "We and our partners use cookies and similar tracking technologies to show you personalised "
     "advertising.",
     "You may not place advertisements for illegal goods on the marketplace."),
    ("arbitration",
     "YOU AND ACME AGREE THAT ANY DISPUTE WILL BE RESOLVED BY BINDING INDIVIDUAL ARBITRATION AND YOU WAIVE "
     "YOUR RIGHT TO PARTICIPATE IN A CLASS ACTION LAWSUIT.",
     "Prices are set arbitrarily by independent sellers."),
    ("liability-indemnity",
     "You agree to indemnify and hold harmless Acme from any claims arising from your use. In no event "
     "shall Acme be liable for any indirect or consequential damages.",
     "You are responsible for keeping your password secret."),
    ("unilateral-changes",
     "We may modify these Terms at any time, and your continued use of the Service constitutes acceptance "
     "of the modified Terms.",
     "You may change your password at any time in your account settings."),
    ("account-termination",
     "We may suspend or terminate your account at any time, without notice, for any reason.",
     "Disable notifications in the app settings if you find them distracting."),
    ("children",
     "The Service is not directed to children under 13, and we do not knowingly collect personal "
     "information from them without parental consent.",
     "We may make minor changes to the layout of the website."),
    ("data-retention",
     "We retain your personal data for as long as your account is active and delete it within 30 days "
     "after you close your account.",
     "Do not delete the copyright notices from the software."),
    ("data-retention",
     "Server logs are kept for 90 days.",
     "The app is available in the App Store and on the web."),
    ("government-requests",
     "We may disclose information in response to a subpoena, court order or a request from law "
     "enforcement or other government authorities.",
     "We do not warrant that the Service will be uninterrupted or error-free."),
    ("jurisdiction-law",
     "These Terms are governed by the laws of the State of California, and you submit to the exclusive "
     "jurisdiction of the courts located in San Francisco County.",
     "Some features may not be available in your jurisdiction."),
]


def topic_ids(text: str) -> set[str]:
    return {m.topic_id for m in match_topics(text)}


@pytest.mark.parametrize(("topic", "positive", "negative"), CASES, ids=[c[0] for c in CASES])
def test_topic_rules_on_real_clauses(topic: str, positive: str, negative: str) -> None:
    assert topic in topic_ids(positive)
    assert topic not in topic_ids(negative)


def test_every_topic_has_a_positive_and_a_negative_case() -> None:
    declared = {t.id for t in load_topics()}
    assert declared == {c[0] for c in CASES}
    assert len(declared) >= 12


def test_matches_point_at_the_words_of_the_text() -> None:
    text = CASES[0][1]
    matches = [m for m in match_topics(text) if m.topic_id == "ai-training"]
    assert {m.matched.lower() for m in matches} >= {"machine learning", "artificial intelligence", "training"}
    for m in matches:
        assert text[m.start:m.end] == m.matched


def test_rules_file_is_versioned() -> None:
    rules = load_rule_set()
    assert rules.version >= 1
    assert rules.source.endswith("topics.yml")


def test_phrases_are_whole_words_with_flexible_hyphens() -> None:
    pattern = re.compile(phrase_pattern("royalty free"), re.IGNORECASE)
    assert pattern.search("a Royalty-Free licence")
    assert not pattern.search("royalty freedom")


def write_rules(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "rules.yml"
    path.write_text(body, encoding="utf-8")
    return path


def test_bad_regex_names_file_key_and_fix(tmp_path: Path) -> None:
    path = write_rules(tmp_path, "version: 1\ntopics:\n  - id: x\n    title: X\n    description: d\n"
                                 "    rules:\n      - patterns: ['(unclosed']\n")
    with pytest.raises(ConfigError) as info:
        load_topics(path)
    message = str(info.value)
    assert str(path) in message
    assert "topics[0].rules[0].patterns[0]" in message
    assert "invalid regular expression" in message
    assert "To fix" in message


def test_unknown_key_is_an_error(tmp_path: Path) -> None:
    path = write_rules(tmp_path, "version: 1\ntopics:\n  - id: x\n    title: X\n    description: d\n"
                                 "    colour: red\n    rules:\n      - phrases: [x]\n        nearby: 3\n")
    with pytest.raises(ConfigError) as info:
        load_topics(path)
    assert "'topics[0].colour': unknown key" in str(info.value)
    assert "'topics[0].rules[0].nearby': unknown key" in str(info.value)
    assert len(info.value.errors) == 2


def test_missing_version_and_bad_id(tmp_path: Path) -> None:
    path = write_rules(tmp_path, "topics:\n  - id: Not A Slug\n    title: X\n    description: d\n"
                                 "    rules:\n      - phrases: [x]\n")
    with pytest.raises(ConfigError) as info:
        load_topics(path)
    assert "'version'" in str(info.value)
    assert "is not a slug" in str(info.value)


def clause(text: str, cid: str = "c1") -> Clause:
    return Clause(id=cid, number=None, heading=None, text=text)


def modified(ops: list[tuple[str, str]], change_class: str = "substantive") -> ClauseChange:
    words = tuple(WordOp(op, text) for op, text in ops)  # type: ignore[arg-type]
    before = "".join(t for op, t in ops if op != "insert")
    after = "".join(t for op, t in ops if op != "delete")
    return ClauseChange("modified", change_class, clause(before), clause(after), words)  # type: ignore[arg-type]


def test_topic_of_added_words_is_assigned() -> None:
    change = modified([
        ("equal", "We may use Customer Content to provide the Services"),
        ("insert", " and for machine learning, artificial intelligence, training"),
        ("equal", "."),
    ])
    assert "ai-training" in tag_change(change).topics


def test_topic_only_in_unchanged_context_is_not_assigned() -> None:
    change = modified([
        ("equal", "Any dispute will be resolved by binding arbitration in "),
        ("delete", "Delaware"),
        ("insert", "Dublin"),
        ("equal", ", and the courts will enforce the award."),
    ])
    assert "arbitration" not in tag_change(change).topics
    assert "arbitration" in topic_ids(change.after.text)  # the topic IS in the clause, just not in the edit


def test_phrase_spanning_the_edit_is_found() -> None:
    change = modified([
        ("equal", "You grant us a "),
        ("delete", "limited"),
        ("insert", "perpetual, irrevocable"),
        ("equal", " licence to your content."),
    ])
    assert tag_change(change).topics == ("content-licence",)


def test_removed_words_count_too() -> None:
    change = modified([
        ("equal", "We will notify you "),
        ("delete", "before we share your personal data with third parties"),
        ("equal", "."),
    ])
    assert topics_for_change(change) == ("data-sharing",)
    sides = [side for side, _, _ in iter_changed_matches(change)]
    assert sides == ["before"]


def test_added_and_removed_clauses_use_their_whole_text() -> None:
    text = "Disputes will be settled by arbitration."
    added = ClauseChange("added", "substantive", None, clause(text))
    removed = ClauseChange("removed", "substantive", clause(text), None)
    assert tag_change(added).topics == ("arbitration",)
    assert tag_change(removed).topics == ("arbitration",)


def test_cosmetic_change_gets_no_topic() -> None:
    change = modified([("equal", "We may share your "), ("delete", "personal data"),
                       ("insert", "Personal Data"), ("equal", " with third parties.")], "cosmetic")
    assert tag_change(change).topics == ()


def test_whitespace_only_runs_do_not_count() -> None:
    change = modified([("equal", "Binding arbitration applies."), ("insert", "  ")])
    assert tag_change(change).topics == ()


def test_modified_change_without_word_ops_is_diffed() -> None:
    change = ClauseChange("modified", "substantive", clause("We keep your data."),
                          clause("We keep your data and sell your personal information to data brokers."))
    assert "data-sharing" in tag_change(change).topics


def test_tag_diff_tags_every_change() -> None:
    changes = (
        ClauseChange("added", "substantive", None, clause("These Terms are governed by the laws of Spain.")),
        ClauseChange("added", "substantive", None, clause("Welcome to Acme.", "c2")),
    )
    tagged = tag_diff(Diff(changes, DiffSummary(added=2)))
    assert [c.topics for c in tagged.changes] == [("jurisdiction-law",), ()]


def test_highlight_marks_matched_words_and_escapes_the_rest() -> None:
    text = "<b>We</b> may use [content](javascript:x) for machine learning {: onclick=y }."
    html = highlight_matches(text, match_topics(text), {"ai-training": "AI and machine-learning training"})
    assert '<mark class="cw-topic" title="AI and machine&#45;learning training">' in html
    assert "machine learning</mark>" in html
    assert "<b>" not in html
    assert "{:" not in html and "](" not in html


# --- Topic pages and the methodology page (pure: published changes in, Markdown out) ------------------

def published(day: int, old: str, new: str, service: str = "acme"):
    from datetime import UTC, datetime

    from clausewatch.diff.compare import diff_texts
    from clausewatch.models import Provenance, PublishedChange, Version

    when = datetime(2026, 3, day, 12, tzinfo=UTC)
    version = Version(service, "terms", f"{day:040d}", when, "", Provenance("https://x.test", when, 200, ""),
                      service_name=service.capitalize(), document_name="Terms")
    return PublishedChange(version, "substantive", f"{service}/terms/2026-03-{day:02d}/",
                           diff=tag_diff(diff_texts(old, new)))


OLD = "# Terms\n\n## Content\n\nYou own your content.\n\n## Disputes\n\nDisputes go to binding arbitration.\n"
NEW_AI = OLD.replace("You own your content.",
                     "You own your content. We may use your content to train machine learning models.")
NEW_VENUE = OLD.replace("binding arbitration.", "binding arbitration in Dublin.")


def test_topic_page_lists_changes_newest_first_with_highlights() -> None:
    from clausewatch.site.topic_pages import topic_files

    files = topic_files([published(2, OLD, NEW_AI), published(9, OLD, NEW_AI, "beta"),
                         published(5, OLD, NEW_VENUE)], load_rule_set())
    page = files["topics/ai-training/index.md"]
    assert page.index("Beta") < page.index("Acme")  # 2026-03-09 before 2026-03-02
    assert '<mark class="cw-topic" title="AI and machine&#45;learning training">train</mark>' in page
    assert "../../acme/terms/2026-03-02/index.md#" in page
    # the venue edit sits next to "arbitration" but does not change it: not an arbitration change
    assert "No recorded change touches this topic yet." in files["topics/arbitration/index.md"]
    index = __import__("html").unescape(files["topics/index.md"])
    assert "- [AI and machine-learning training](ai-training/index.md) — 2 changes." in index


def test_methodology_page_shows_every_rule_as_written() -> None:
    from clausewatch.site.topic_pages import methodology_page

    rules = load_rule_set()
    page = methodology_page(rules)
    assert f"Topic rules version **{rules.version}**" in page
    for topic in rules.topics:
        assert f"{{ #{topic.id} }}" in page
        for rule in topic.rules:
            for source in rule.sources:
                assert f"pattern: {source}" in page
            for phrase in rule.phrases:
                assert f"phrase:  {phrase}" in page
            for required in rule.requires:
                assert required.pattern in page


# --- Real histories (Open Terms Archive's contrib versions; skipped when ../shared/data is absent) -----

BUNDLE = Path(__file__).resolve().parents[1] / "../shared/data/ota-contrib-versions.bundle"
REAL_DOCUMENTS = ("Grammarly/Privacy Policy.md", "Airbnb/Terms of Service.md")


@pytest.fixture(scope="module")
def real_diffs() -> list[tuple[str, object]]:
    """Every tagged diff of a few real documents' histories, read through clausewatch.archive."""
    if not BUNDLE.is_file():
        pytest.skip(f"real data absent: {BUNDLE} (see ../shared/data/README.md)")
    from clausewatch.archive.sources import iter_source_versions, open_source_repository
    from clausewatch.diff.history import iter_history

    diffs = []
    with open_source_repository(BUNDLE) as repo:
        for path, versions in iter_source_versions(repo, REAL_DOCUMENTS):
            diffs += [(path, tag_diff(e.diff)) for e in iter_history(versions) if e.diff is not None]
    return diffs


@pytest.mark.shared_data
@pytest.mark.slow
def test_real_histories_get_topics_only_from_changed_words(real_diffs) -> None:
    tagged = 0
    for _, diff in real_diffs:
        for change in clause_changes(diff.changes):
            if change.change_class != "substantive":
                assert change.topics == ()
                continue
            found = {m.topic_id for _, _, ms in iter_changed_matches(change) for m in ms}
            assert set(change.topics) == found
            for side, _text, matches in iter_changed_matches(change):
                if change.before is not None and change.after is not None:
                    from clausewatch.diff.topics import side_text

                    _, changed = side_text(change.words, side)
                    for topic in {m.topic_id for m in matches}:  # each topic touches the changed words
                        assert any(s < m.end and m.start < e for m in matches if m.topic_id == topic
                                   for s, e in changed)
            tagged += bool(change.topics)
    assert tagged >= 5


@pytest.mark.shared_data
@pytest.mark.slow
def test_real_targeted_advertising_clause_is_tagged(real_diffs) -> None:
    hits = [
        m.matched.lower()
        for path, diff in real_diffs if path.startswith("Grammarly/")
        for change in clause_changes(diff.changes) if "advertising-tracking" in change.topics
        for _, _, ms in iter_changed_matches(change) for m in ms
    ]
    assert "targeted advertising" in hits
