"""normalize_text (what is recorded) and canonical_text (what is compared)."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from clausewatch.diff.normalize import (
    TRACKING_PARAMS,
    canonical_blocks,
    canonical_key,
    canonical_text,
    drop_link_targets,
    is_link_only,
    is_tracking_param,
    normalize_text,
    strip_tracking,
    targetless_blocks,
)

TERMS = (
    "## 4. Your Content\r\n\r\n\r\n"
    "4.1 You grant us a licence to use "
    "[Your Content](https://acme.example/content?utm_source=mail&utm_medium=email&id=7#top)   \r\n"
    "to operate the Services. See the [Privacy Policy](https://acme.example/privacy?fbclid=IwAR0xyz&lang=en).\r\n"
    "\r\n"
    "* **Fees** are due within 30 days.\r\n"
)

MARKDOWN_PIECES = st.sampled_from(
    [
        "# ", "## ", "1. ", "1.1 ", "(a) ", "(iv) ", "* ", "- ", "> ", "**", "_", "`", "\\*", "|", "---",
        "Section 12 ", "Article 3. ", "[link](https://x.example/p?utm_source=a&q=1)", "![img](https://i/x.png)",
        "<https://a.example/?gclid=9>", "https://b.example/path;jsessionid=ABC?sid=1&x=2", "www.c.example",
        "\u201cquoted\u201d", "\u2019", "\u2014", "\u00a0", "\u200b", "\u2026", "e\u0301", "\ufb01",
        "Terms", "you", "agree", ".", ",", ";", "(", ")", "[", "]", " ", "  ", "\t", "\n", "\n\n", "\n\n\n",
        "\r\n", "3 days ago", "icburule011138216122", "a.b", "ab.cd", "2.5", "i. ", "x) ",
    ]
)
TEXTS = st.lists(MARKDOWN_PIECES, max_size=40).map("".join) | st.text(max_size=200)


def test_normalize_strips_tracking_params_and_keeps_the_others() -> None:
    text = normalize_text(TERMS)
    assert "utm_" not in text and "fbclid" not in text
    assert "https://acme.example/content?id=7#top" in text
    assert "https://acme.example/privacy?lang=en" in text


def test_normalize_unifies_line_endings_trailing_spaces_and_blank_runs() -> None:
    text = normalize_text(TERMS)
    assert "\r" not in text
    assert all(line == line.rstrip() for line in text.split("\n"))
    assert "\n\n\n" not in text
    assert text.endswith("\n") and not text.endswith("\n\n")


def test_normalize_composes_unicode() -> None:
    assert normalize_text("Cafe\u0301 terms") == "Caf\u00e9 terms\n"


def test_a_round_where_only_tracking_params_change_records_the_same_text() -> None:
    monday = TERMS
    tuesday = TERMS.replace("utm_source=mail", "utm_source=push").replace("IwAR0xyz", "IwAR9abc")
    tuesday = tuesday.replace("id=7#top", "id=7&gclid=Cj0KCQ&_ga=2.1.2&mc_eid=1#top")
    assert tuesday != monday
    assert normalize_text(tuesday) == normalize_text(monday)


def test_strip_tracking_handles_sessions_prefixes_and_empty_queries() -> None:
    assert strip_tracking("https://a.example/t;jsessionid=AB12?PHPSESSID=9") == "https://a.example/t"
    assert strip_tracking("https://a.example/t?optimizely_user_id=1&page=2") == "https://a.example/t?page=2"
    assert strip_tracking("/terms?ref=footer#s3") == "/terms#s3"
    assert strip_tracking("https://a.example/t?section=3") == "https://a.example/t?section=3"


def test_tracking_list_is_data() -> None:
    wanted = {"fbclid", "gclid", "msclkid", "_ga", "_gl", "sessionid", "sid", "jsessionid", "phpsessid"}
    assert wanted <= TRACKING_PARAMS
    assert is_tracking_param("UTM_Campaign") and is_tracking_param("optimizely_x123")
    assert not is_tracking_param("page") and not is_tracking_param("lang")


def test_canonical_drops_link_targets_markup_numbering_and_case() -> None:
    text = canonical_text(TERMS)
    assert text == (
        "your content you grant us a licence to use your content to operate the services. "
        "see the privacy policy. fees are due within 30 days."
    )


def test_canonical_folds_typography() -> None:
    plain = canonical_text('The "Services" - don\'t use them... ever')
    fancy = canonical_text("The \u201cServices\u201d \u2014 don\u2019t use\u00a0them\u2026 ever")
    assert fancy == plain


def test_canonical_folds_renumbering_and_cross_references() -> None:
    before = "## 7. Termination\n\n7.2 As set out in Section 12.1, we may end this.\n\n(a) for cause;"
    after = "## 8. Termination\n\n8.2 As set out in Section 13.1, we may end this.\n\n(b) for cause;"
    assert canonical_text(before) == canonical_text(after)
    assert canonical_text("You have 30 days.") != canonical_text("You have 60 days.")


def test_canonical_key_ignores_whitespace_and_quotes_only() -> None:
    assert canonical_key("We may use\nyour data.") == canonical_key("We  may use your data .")
    assert canonical_key("We may not use your data.") != canonical_key("We may use your data.")


def test_drop_link_targets_and_blocks() -> None:
    assert drop_link_targets("[Terms](https://x.example/t?a=1) and <https://y.example>") == "[Terms]() and <>"
    a = "Intro\n\nSee [the policy](https://a.example/p?label=1).\n"
    b = "Intro\n\n\n\nSee [the policy](https://a.example/p?label=2).   \n"
    assert targetless_blocks(a) == targetless_blocks(b) == ["Intro", "See [the policy]()."]


def test_link_only_texts_are_menus() -> None:
    assert is_link_only("[Prices](https://a.example/p) | [Indices](https://a.example/i)")
    assert not is_link_only("See the [Privacy Policy](https://a.example/p).")
    assert not is_link_only("No links at all.")


def test_page_furniture_is_folded() -> None:
    assert canonical_text("posted 3 days ago") == canonical_text("posted 1 week ago")
    assert canonical_text("ref icburule011138216122") == canonical_text("ref icburule011228245074")
    assert canonical_text("Fee: 2023 EUR") != canonical_text("Fee: 2024 EUR")


def test_regional_spelling_and_serial_commas_share_a_key() -> None:
    gb = "We recognise this licence to organise, analyse and use your content; see the Help Centre."
    us = "We recognize this license to organize, analyze, and use your content: see the Help Center."
    assert canonical_key(gb) == canonical_key(us)
    assert canonical_key("a fee of 1.5%") != canonical_key("a fee of 15%")
    assert canonical_key("we may share your data") != canonical_key("we may not share your data")


def test_mis_decoded_accents_share_a_key_but_other_scripts_do_not() -> None:
    assert canonical_key("vérifier l’état du colis") == canonical_key("vérifier léétat du colis")
    assert canonical_key("un bien de même type") == canonical_key("un bien de méme type")
    assert canonical_key("ou") != canonical_key("où")
    assert canonical_key("Условия") != canonical_key("Правила")


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_normalize_text_is_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once


@settings(max_examples=300, deadline=None)
@given(TEXTS)
@example("+\x1f")  # a control character after a list marker: normalize_text reads it as a space
def test_canonical_text_is_idempotent_and_stable_under_normalization(text: str) -> None:
    once = canonical_text(text)
    assert canonical_text(once) == once
    assert canonical_key(normalize_text(text)) == canonical_key(text)


def test_canonical_blocks_reads_a_long_text_block_by_block_as_canonical_text_does() -> None:
    """`canonical_blocks` skips `canonical_text`'s last pass over the whole text (diff.variants' ratio):
    each paragraph is folded the same way, only the spaces between them may differ."""
    text = ("# 1. **Terms**\n\nWe use “cookies” — see [our policy](https://x.example/p?utm_source=a).\n\n"
            "* You   may   *not* resell.\n\n| a | b |\n| --- | --- |\n| 1 | 2 |\n")
    assert canonical_blocks(text).replace(" ", "") == canonical_text(text).replace(" ", "")
    assert canonical_blocks(text).split() == canonical_text(text).split()
    assert canonical_blocks(text + "\n\nA new paragraph.") != canonical_blocks(text)
