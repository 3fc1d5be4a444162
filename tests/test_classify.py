"""The change classifier: per pair of texts, per clause change, per version; and its measured quality."""

from __future__ import annotations

import importlib.util
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from clausewatch.diff.classify import (
    class_of_diff,
    classify_change,
    classify_pair,
    is_noise_text,
    noise_ids,
)
from clausewatch.diff.clauses import split_clauses
from clausewatch.diff.compare import diff_texts
from clausewatch.diff.history import iter_history
from clausewatch.models import Clause, ClauseChange, Provenance, Version, VersionClass

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "../shared/data/ota-contrib-versions.bundle"

LICENCE = """\
# Acme Terms of Service

Last updated: 1 March 2026

## 1. Your Content

1.1 You keep ownership of the content you upload ("Your Content").

1.2 You grant Acme a worldwide, non-exclusive licence to host and display Your Content solely to
operate the Services. See our [Privacy Policy](https://acme.example/privacy?utm_source=terms&lang=en).

## 2. Fees

2.1 Fees are due within 30 days of the invoice date.

## 3. Termination

3.1 Either party may end this agreement with 30 days' notice, as set out in Section 2.1.
"""


def edit(text: str, *pairs: tuple[str, str]) -> str:
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new)
    return text


# --- pairs -------------------------------------------------------------------------------------


def test_tracking_param_churn_is_links() -> None:
    after = edit(LICENCE, ("utm_source=terms", "utm_source=footer&fbclid=IwAR2x"))
    assert classify_pair(LICENCE, after) == "links"


def test_a_changed_link_target_is_links() -> None:
    after = edit(LICENCE, ("https://acme.example/privacy?", "https://legal.acme.example/privacy-2026?"))
    assert classify_pair(LICENCE, after) == "links"


def test_quote_flips_markup_case_and_whitespace_are_cosmetic() -> None:
    after = edit(
        LICENCE,
        ('("Your Content")', "(\u201cYour Content\u201d)"),
        ("30 days' notice", "30 days\u2019 notice"),
        ("## 2. Fees", "## 2. FEES"),
        ("1.1 You keep", "1.1 **You** keep"),
        ("licence to host and display Your Content solely to\noperate", "licence to host and display Your"
                                                                        " Content solely to operate"),
    )
    assert classify_pair(LICENCE, after) == "cosmetic"


def test_renumbering_is_cosmetic() -> None:
    after = edit(
        LICENCE,
        ("## 2. Fees", "## 3. Fees"), ("2.1 Fees", "3.1 Fees"),
        ("## 3. Termination", "## 4. Termination"), ("3.1 Either", "4.1 Either"),
        ("Section 2.1", "Section 3.1"),
    )
    assert classify_pair(LICENCE, after) == "cosmetic"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("within 30 days", "within 14 days"),
        ("solely to\noperate the Services", "to operate the Services and train machine learning models"),
        ("non-exclusive", "exclusive"),
        ("Last updated: 1 March 2026", "Last updated: 2 March 2026"),
    ],
)
def test_a_changed_word_is_substantive(old: str, new: str) -> None:
    assert classify_pair(LICENCE, edit(LICENCE, (old, new))) == "substantive"


def test_a_changed_word_together_with_links_is_substantive() -> None:
    after = edit(LICENCE, ("utm_source=terms", "utm_source=x"), ("30 days of", "10 days of"))
    assert classify_pair(LICENCE, after) == "substantive"


# --- clause changes ----------------------------------------------------------------------------


def clause(text: str, number: str | None = None, heading: str | None = None) -> Clause:
    anchor = text[:12].lower().replace(" ", "-") or "empty"
    return Clause(id=anchor, number=number, heading=heading, text=text)


def test_an_added_clause_with_words_is_substantive() -> None:
    added = ClauseChange("added", "substantive", None, clause("We may suspend accounts without notice."))
    assert classify_change(added) == "substantive"


def test_a_menu_leaking_in_is_links_and_an_empty_clause_is_cosmetic() -> None:
    menu = ClauseChange("added", "substantive", None, clause("[Home](/) | [Pricing](/pricing?utm_source=x)"))
    rule = ClauseChange("removed", "substantive", clause("* * *"), None)
    assert classify_change(menu) == "links"
    assert classify_change(rule) == "cosmetic"


def test_a_renumbered_modified_clause_compares_its_words_only() -> None:
    before = clause("Fees are due within 30 days.", number="2.1", heading="Fees")
    same = clause("Fees are due within 30 days.", "3.1", "FEES")
    worse = clause("Fees are due within 7 days.", "3.1", "Fees")
    same = ClauseChange("modified", "substantive", before, same)
    worse = ClauseChange("modified", "substantive", before, worse)
    assert classify_change(same) == "cosmetic"
    assert classify_change(worse) == "substantive"


def test_a_split_clause_with_the_same_words_is_cosmetic() -> None:
    before = clause("You may cancel at any time. Refunds are not given.")
    first, second = clause("You may cancel at any time."), clause("Refunds are not given.")
    split = ClauseChange("split", "substantive", before, first, others=(second,))
    assert classify_change(split) == "cosmetic"


# --- versions: the classification production uses (`iter_history`) -----------------------------


def classify_version(previous_texts: list[str], text: str) -> VersionClass:
    """The class `iter_history` gives `text` recorded after `previous_texts` (oldest first)."""
    texts = [*previous_texts, text]
    start = datetime(2026, 3, 1, tzinfo=UTC)
    versions = [Version("acme", "terms", f"{i:040x}", start + timedelta(days=i), text_,
                        Provenance("https://acme.example/terms", start + timedelta(days=i), 200, ""))
                for i, text_ in enumerate(texts)]
    return list(iter_history(versions))[-1].version_class


def test_first_version() -> None:
    assert classify_version([], LICENCE) == "first"


def test_blink_a_b_a() -> None:
    variant_b = edit(LICENCE, ("within 30 days", "within 45 days"))
    assert classify_version([LICENCE], variant_b) == "substantive"
    back_to_a = edit(LICENCE, ("utm_source=terms", "utm_source=again"))
    assert classify_version([LICENCE, variant_b], back_to_a) == "blink"


def test_equal_to_the_previous_version_is_not_a_blink() -> None:
    quotes = edit(LICENCE, ("30 days' notice", "30 days\u2019 notice"))
    assert classify_version([LICENCE, LICENCE], quotes) == "cosmetic"
    links = edit(LICENCE, ("lang=en", "lang=en-GB"))
    assert classify_version([LICENCE], links) == "links"


def test_version_class_follows_the_clause_diff() -> None:
    moved = edit(LICENCE, ("## 2. Fees\n\n2.1 Fees are due within 30 days of the invoice date.\n\n", ""))
    moved += "\n## 2. Fees\n\n2.1 Fees are due within 30 days of the invoice date.\n"
    diff = diff_texts(LICENCE, moved)
    assert class_of_diff(diff) == "cosmetic"
    assert classify_version([LICENCE], moved) == "cosmetic"
    reworded = edit(LICENCE, ("solely to\noperate the Services", "to operate and improve our AI models"))
    assert classify_version([LICENCE], reworded) == "substantive"


# --- page noise, flapping clauses, obfuscated e-mails ----------------------------------------

FORUM = """\
*   Question about data migration
    *   by you\\_make\\_me\\_angry
    *   3 years ago
    *   in Data Migration
    *   0 votes
    *   2 (last comment by ssguitarplayer08 13 hours ago)

"""
TICKER = "[BTC\n\n$85,899.26\n\n3.38%](https://news.example/price/bitcoin \"View price details\")[ETH\n\n"


@pytest.mark.parametrize(
    "text",
    ["3 years ago", "\\[Resolved\\] by thibault", "0 votes", "$84,804.19", "+0.60%", "Sign In | Join Free",
     "2 (last comment by alice 13 hours ago)", "[Home](https://x.example/)"],
)
def test_page_furniture_is_noise(text: str) -> None:
    assert is_noise_text(text)


@pytest.mark.parametrize(
    "text",
    ["Fees are due within 30 days.", "Last updated: 1 March 2026", "Phone number", "Twitter",
     "We may suspend accounts without notice | see Section 4 for the details of suspension."],
)
def test_terms_are_not_noise(text: str) -> None:
    assert not is_noise_text(text)


def test_a_forum_listing_leaking_into_the_page_is_not_substantive() -> None:
    page = FORUM + LICENCE
    other_post = FORUM.replace("Question about data migration", "how can i access my old blogs").replace(
        "you\\_make", "e\\_e_make").replace("13 hours ago", "2 hours ago")
    assert classify_version([page], other_post + LICENCE) == "cosmetic"
    reworded = edit(other_post + LICENCE, ("within 30 days", "within 7 days"))
    assert classify_version([page], reworded) == "substantive"


def test_a_ticker_and_a_table_of_contents_at_the_top_are_noise_but_a_date_line_is_not() -> None:
    clauses = split_clauses(TICKER + "## Who we are\n\n## What we collect\n\n" + LICENCE)
    noise = noise_ids(clauses)
    texts = {c.heading or c.text: c.id in noise for c in clauses}
    assert texts["$85,899.26"] and texts["Who we are"] and texts["What we collect"]
    assert not texts["Last updated: 1 March 2026"]
    assert not any(texts[t] for t in texts if "Fees are due" in t or "You keep ownership" in t)
    changed = edit(TICKER, ("$85,899.26", "$84,804.19"), ("3.38%", "0.60%")) + LICENCE
    assert classify_version([TICKER + LICENCE], changed) == "cosmetic"


def test_a_list_added_under_a_heading_at_the_end_is_substantive() -> None:
    partners = LICENCE + "\n## Third-party advertising partners\n\n* Twitter\n\n* Pinterest\n\n* Bing\n"
    assert classify_version([LICENCE], partners) == "substantive"


def test_a_clause_flapping_back_to_an_earlier_wording_is_not_substantive() -> None:
    dropped = edit(LICENCE, ("2.1 Fees are due within 30 days of the invoice date.", "2.1 Fees are due."))
    rounds = edit(dropped, ("with 30 days' notice", "with 60 days' notice"))
    back = edit(rounds, ("2.1 Fees are due.", "2.1 Fees are due within 30 days of the invoice date."))
    assert classify_version([LICENCE], dropped) == "substantive"
    assert classify_version([LICENCE, dropped, rounds], back) == "cosmetic"
    new_wording = edit(rounds, ("2.1 Fees are due.", "2.1 Fees are due within 5 days of the invoice date."))
    assert classify_version([LICENCE, dropped, rounds], new_wording) == "substantive"


def test_an_obfuscated_email_is_links_but_a_new_address_is_substantive() -> None:
    before = "Write to [legal@acme.example](mailto:legal@acme.example) with any question.\n"
    hidden = "Write to [\\[email protected\\]](https://acme.example/cdn-cgi/l/email-protection) with any question.\n"
    moved = before.replace("legal@acme.example", "privacy@acme.example")
    assert classify_pair(before, hidden) == "links"
    assert classify_pair(hidden, before) == "links"
    assert classify_pair(before, moved) == "substantive"
    spoken = "Write to [legal@acme.example opens email client](mailto:legal@acme.example) with any question.\n"
    assert classify_pair(spoken, hidden) == "links", "the link's screen-reader words go with the address"


def test_a_reflowed_text_is_cosmetic() -> None:
    reflowed = LICENCE.replace("licence to host and display", "licence to host\n \nand display")
    assert classify_pair(LICENCE, reflowed) == "cosmetic"
    assert classify_version([LICENCE], reflowed) == "cosmetic"


def test_a_web_address_written_with_its_scheme_is_links_but_another_mailbox_is_substantive() -> None:
    before = "The terms at [terms.acme.example/c2c](https://help.acme.example/terms.acme.example/c2c) apply.\n"
    after = "The terms at [https://terms.acme.example/c2c](https://terms.acme.example/c2c) apply.\n"
    assert classify_pair(before, after) == "links"
    assert classify_pair("Write to info@acme.example.\n", "Write to info@other.example.\n") == "substantive"


def test_an_extraction_cut_off_mid_word_is_not_substantive_but_a_lost_last_section_is() -> None:
    cut = LICENCE[: LICENCE.index("agreement with 30") + len("agree")]
    assert classify_version([LICENCE], cut) == "cosmetic"
    lost = LICENCE[: LICENCE.index("## 3. Termination")]
    assert classify_version([LICENCE], lost) == "substantive"


def test_a_duplicate_paragraph_dropped_is_not_substantive_but_a_dropped_paragraph_is() -> None:
    twice = edit(LICENCE, ("## 3. Termination", "2.2 Late fees are 2% a month.\n\n2.2 Late fees are 2% a month.\n\n"
                                                "## 3. Termination"))
    once = edit(twice, ("2.2 Late fees are 2% a month.\n\n2.2", "2.2"))
    none = edit(once, ("2.2 Late fees are 2% a month.\n\n", ""))
    assert classify_version([twice], once) == "cosmetic"
    assert classify_version([once], none) == "substantive"


def test_an_extraction_that_kept_only_the_title_is_not_substantive() -> None:
    long_terms = LICENCE + "\n".join(f"\n4.{i} Clause {i} of the terms binds you and us alike." for i in range(12))
    assert classify_version([long_terms], "# Acme Terms of Service\n") == "cosmetic"
    assert classify_version([long_terms], "") == "cosmetic"
    assert classify_version([LICENCE], "# Acme Terms of Service\n\nThese terms were withdrawn.\n") == "substantive"


# --- measured quality on real histories --------------------------------------------------------


def load_measure_script():
    path = ROOT / "scripts/measure_classifier.py"
    spec = importlib.util.spec_from_file_location("measure_classifier", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.shared_data
@pytest.mark.slow
def test_precision_and_recall_on_the_labelled_ota_sample(tmp_path: Path) -> None:
    if not BUNDLE.is_file():
        pytest.skip(f"needs {BUNDLE} (the shared data folder is absent)")
    measure = load_measure_script()
    labels = measure.read_labels()
    assert len(labels) >= 80
    result, classes = measure.measure_sample(measure.clone_bundle(BUNDLE, tmp_path), labels)
    assert set(classes) == set(labels)
    # Measured with `python scripts/measure_classifier.py score`; these must never get worse.
    assert result.recall == 1.0, result
    assert result.precision >= 0.90, result


def test_a_menu_entry_added_to_a_page_that_is_only_a_menu_is_not_substantive() -> None:
    entries = ["Templates", "Explore", "Features", "My Sites", "Premium Plans", "Blog", "Support", "Careers",
               "Press", "Investors", "Partners", "Affiliates", "Accessibility", "Sitemap", "Status", "Contact Us",
               "Pricing", "Enterprise", "Developers", "Community", "Events", "Gift Cards", "Security", "Jobs"]
    menu = ("# Privacy Policy\n\nThis page explains how we use your data.\n\n" + "".join(f"- {e}\n" for e in entries)
            + "\nCopyright Acme 2026. All rights reserved.\n")
    with_entry = menu.replace("- Features\n", "- Features\n- Site Builder\n")
    assert classify_version([menu], with_entry) == "cosmetic", "2 sentences in 28 clauses: a menu page"
    terms = ("# Privacy Policy\n\nWe collect the following data when you create an account:\n\n- Name\n- E-mail "
             "address\n\nWe keep it for one year after you close your account.\n")
    more = terms.replace("- E-mail address\n", "- E-mail address\n- Phone number\n")
    assert classify_version([terms], more) == "substantive", "a list item in a text of sentences is terms"
