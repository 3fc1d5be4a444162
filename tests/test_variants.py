"""Variants are not changes: a language switch, a regional variant, an old text coming back after weeks,
topic rules that match only texts in their own language, and one tagging for the site and the CLI.

The texts are our own (a short privacy policy in English, its French translation, its en-GB wording).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from clausewatch.archive.read import open_archive
from clausewatch.archive.write import init_repository, record_version
from clausewatch.cli import cli
from clausewatch.diff.classify import is_error_page
from clausewatch.diff.clauses import split_clauses
from clausewatch.diff.compare import diff_texts
from clausewatch.diff.history import BLINK_DAYS, describe_entry, iter_history
from clausewatch.diff.language import MIN_PROSE_CHARS, prose, text_language
from clausewatch.diff.topics import load_topics, match_topics, tag_diff
from clausewatch.diff.variants import is_regional_rewording, regional_key
from clausewatch.models import Provenance, Version

START = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)

EN = """# Privacy Policy

Last updated: 30 April 2026

1. We collect the e-mail address you give us when you create an account, and the messages you send to our
support team, so that we can run the service and answer your questions.

2. We keep your data for as long as your account is open, and for one year after you close it, unless the
law requires us to keep it longer.

3. You may ask us at any time for a copy of your data, or ask us to correct or delete it, by writing to our
support team. We answer every request within one month.

4. Questions about this policy can be sent to our freephone number +1 888 851 6382 or by post.
"""

FR = """# Politique de confidentialité

Dernière mise à jour : 30 avril 2026

1. Nous collectons l'adresse électronique que vous nous donnez lorsque vous créez un compte, ainsi que les
messages que vous envoyez à notre équipe d'assistance, afin de faire fonctionner le service et de répondre à
vos questions.

2. Nous conservons vos données tant que votre compte est ouvert, et pendant un an après sa fermeture, sauf si
la loi nous oblige à les conserver plus longtemps.

3. Vous pouvez à tout moment nous demander une copie de vos données, ou nous demander de les corriger ou de
les supprimer, en écrivant à notre équipe d'assistance. Nous répondons à chaque demande dans un délai d'un
mois.

4. Les questions sur cette politique peuvent être adressées à notre numéro gratuit ou par courrier.
"""

US = EN.replace("30 April 2026", "April 30, 2026").replace("freephone number +1 888 851 6382 or by post",
                                                           "toll-free number 1-888-851-6382 or by mail")
NEWS_EN = "\n5. We share your e-mail address with our advertising partners, who may contact you.\n"
NEWS_FR = "\n5. Nous partageons votre adresse électronique avec nos partenaires publicitaires.\n"


def version(n: int, text: str, days: float) -> Version:
    when = START + timedelta(days=days)
    return Version("acme", "privacy", f"{n:040x}", when, text, Provenance("", when, 200, ""))


def classes(*texts_days: tuple[str, float]) -> list:
    return list(iter_history(version(n, text, days) for n, (text, days) in enumerate(texts_days)))


def test_language_of_a_text_needs_enough_prose() -> None:
    assert text_language(EN) == "en" and text_language(FR) == "fr"
    assert text_language("# Privacy Policy\n\nLast updated 2024.") is None
    assert "https" not in prose("[our help](https://help.example/fr?lang=fr) and https://x.example/a")
    assert len(prose(EN)) > MIN_PROSE_CHARS


def test_a_language_switch_is_a_variant_swap_not_a_change() -> None:
    history = classes((EN, 0), (FR, 1), (EN, 30), (FR, 31))
    assert [e.version_class for e in history] == ["first", "variant", "variant", "blink"], \
        "the French text was in force until day 30: back to it a day later"
    assert history[1].languages == ("en", "fr") and history[1].returned_to is None and history[1].diff is None
    assert history[2].languages == ("fr", "en") and history[2].returned_to == history[0].version, \
        "an English text seen 29 days earlier: back to the English variant, not a change"
    assert history[3].returned_to == history[1].version


def test_a_translation_is_compared_with_the_last_text_in_its_language() -> None:
    news_first = classes((EN, 0), (FR, 1), (EN, 2), (FR + NEWS_FR, 20))
    assert [e.version_class for e in news_first] == ["first", "variant", "blink", "substantive"]
    assert news_first[3].previous == news_first[1].version, "shown against the last French text"
    assert news_first[3].diff is not None and news_first[3].diff.summary.substantive == 1
    assert news_first[3].languages == ("en", "fr")
    # A translation catching up with a change already published in English is a variant (test_catchup.py).
    catching_up = classes((EN, 0), (FR, 1), (EN + NEWS_EN, 10), (FR + NEWS_FR, 20))
    assert [e.version_class for e in catching_up] == ["first", "variant", "substantive", "variant"]


def test_a_page_replaced_by_another_page_in_another_language_is_not_a_variant() -> None:
    other = "# Actualités\n\n" + "\n\n".join(
        f"{n}. Le ministère annonce la mise en pause de l'application à partir du 30 juin, et la fin de la "
        f"collecte des données de ses utilisateurs ; rubrique {n} du menu du site." for n in range(40))
    history = classes((EN, 0), (other, 1))
    assert [e.version_class for e in history] == ["first", "substantive"]


NOTICE = EN.replace("# Privacy Policy\n", "# Privacy Policy\n\nWe have paused all advertising in Russia.\n")


def test_a_text_restored_after_more_than_a_few_days_is_a_change_a_quick_flap_is_a_blink() -> None:
    quick = classes((EN, 0), (NOTICE, 1), (EN, 1 + BLINK_DAYS))
    assert [e.version_class for e in quick] == ["first", "substantive", "blink"]
    assert quick[2].returned_to == quick[0].version
    late = classes((EN, 0), (NOTICE, 1), (EN, 1 + BLINK_DAYS + 0.5))
    assert [e.version_class for e in late] == ["first", "substantive", "substantive"], \
        "the notice removed a week later is news"
    assert late[2].diff is not None and late[2].diff.summary.substantive == 1


def test_a_text_was_last_seen_when_a_version_replaced_it_not_when_it_was_recorded() -> None:
    """Only changes are recorded: a text recorded 100 days ago that was in force until another text
    replaced it half a day ago comes back after half a day (Solana's privacy policy, 2025-02-19)."""
    back = classes((EN, 0), (NOTICE, 100), (EN, 100.5))
    assert [e.version_class for e in back] == ["first", "substantive", "blink"]
    assert back[2].returned_to == back[0].version


def test_a_text_the_document_already_came_back_to_once_is_a_flap() -> None:
    """The first restore of a text is news; the page coming back to it again is flapping, however long
    after (Twitter's community guidelines page, recording one X policy page or another for weeks)."""
    history = classes((EN, 0), (NOTICE, 10), (EN, 20), (NOTICE, 30), (EN, 40), (NOTICE, 50))
    assert [e.version_class for e in history][:3] == ["first", "substantive", "substantive"]
    assert history[3].version_class != "blink", "the notice's first return: its own clause rules decide"
    assert [e.version_class for e in history[4:]] == ["blink", "blink"]
    assert history[4].returned_to == history[2].version


def test_regional_wording_is_a_variant_and_a_variant_coming_back_is_compared_with_itself() -> None:
    assert is_regional_rewording("Call our freephone number +1 888 851 6382 by post.",
                                 "Call our toll-free number 1-888-851-6382 by mail.")
    assert regional_key("On 30 April 2026.") == regional_key("On April 30, 2026.") != regional_key("On 3 April 2026.")
    assert not is_regional_rewording("We keep your data for one year.", "We keep your data for two years.")
    eu = EN + ("\n## Legal basis\n\nUnder the General Data Protection Regulation we process your e-mail address to "
               "perform our contract with you, and your support messages on the basis of our legitimate interest "
               "in answering them. You may object to the latter at any time, and you may lodge a complaint with "
               "the Irish Data Protection Commission.\n\nThe controller is Acme Ireland Ltd., 4 Grand Canal "
               "Square, Dublin 2.\n")
    us_entity = EN + "\nThe controller is Acme, Inc., 1601 Willow Road, Menlo Park, California.\n"
    eu_us_wording = eu.replace("30 April 2026", "April 30, 2026")
    history = classes((EN, 0), (US, 1), (eu, 2), (us_entity, 3), (eu_us_wording, 40), (eu_us_wording + NEWS_EN, 41))
    assert [e.version_class for e in history] == ["first", "variant", "substantive", "substantive", "variant",
                                                  "substantive"]
    assert history[1].returned_to is None and history[1].languages == ("en-GB", "en-US"), "a dialect switch"
    assert history[4].returned_to == history[2].version, "much closer to the EU text than to the US one"


def describe(entry) -> str:
    from clausewatch.diff.history import describe_entry

    return describe_entry(entry)


def test_english_topic_rules_never_tag_a_french_text() -> None:
    before = FR
    after = FR.replace("4. Les questions", "4. Les horaires de train sont calculés par le moteur AI de nos "
                                          "partenaires.\n\n5. Les questions")
    topics = load_topics()
    assert any(m.topic_id == "ai-training" for m in match_topics(after, topics)), \
        "the English rule does match the French words 'train' and 'AI'"
    tagged = tag_diff(diff_texts(before, after), topics)
    assert all(not change.topics for change in tagged.changes)
    english = tag_diff(diff_texts(EN, EN + "\n5. We may train AI models on your messages.\n"), topics)
    assert "ai-training" in {t for change in english.changes for t in change.topics}


def test_cli_diff_tags_topics_as_the_site_does(tmp_path: Path) -> None:
    old, new = tmp_path / "old.md", tmp_path / "new.md"
    old.write_text(EN, encoding="utf-8")
    new.write_text(EN.replace("4. Questions", "4. We may use your content to train artificial intelligence "
                                              "models.\n\n5. Questions"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["diff", str(old), str(new), "--format", "json"])
    assert result.exit_code == 1, "a substantive change"
    changes = json.loads(result.stdout)["changes"]
    added = [c for c in changes if c["kind"] == "added" or any(p["kind"] == "added" for p in c["parts"])]
    assert added and "ai-training" in added[0]["topics"]
    site = tag_diff(diff_texts(EN, new.read_text(encoding="utf-8")), load_topics())
    assert [list(c.topics) for c in site.changes] == [c["topics"] for c in changes]


def test_log_shows_a_variant_swap_with_the_variant_it_returned_to(tmp_path: Path) -> None:
    init_repository(tmp_path)
    (tmp_path / "archive").mkdir()
    archive = open_archive(tmp_path / "archive")
    commits = []
    for days, text in ((0, EN), (1, FR), (30, EN)):
        when = START + timedelta(days=days)
        commits.append(record_version(archive, "acme", "privacy", text, Provenance("https://acme.example/p", when,
                                                                                   200, "0" * 64)))
    result = CliRunner().invoke(cli, ["--root", str(tmp_path), "log", "acme/privacy"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "variant" in lines[0] and f"back to the en text of {START:%Y-%m-%d} ({commits[0][:10]})" in lines[0]
    assert "language fr → en" in lines[0]
    assert "variant" in lines[1] and "language en → fr, first text in fr" in lines[1]
    data = json.loads(CliRunner().invoke(cli, ["--root", str(tmp_path), "log", "acme/privacy", "--format",
                                               "json"]).stdout)
    assert [v["class"] for v in data["versions"]] == ["variant", "variant", "first"]


def test_check_reports_pickers_and_menu_lines_leaked_into_recorded_texts(tmp_path: Path) -> None:
    from clausewatch.commands.check import check_workspace
    from clausewatch.diff.leaks import find_leaks, is_picker
    from clausewatch.workspace import Workspace

    assert is_picker("Change language: Afrikaans Bahasa Indonesia Català Deutsch English Español Français")
    assert is_picker("Select Language")
    assert not is_picker("You may choose the language of the service in your settings.")
    init_repository(tmp_path)
    (tmp_path / "archive").mkdir()
    (tmp_path / "services").mkdir()
    archive = open_archive(tmp_path / "archive")
    provenance = Provenance("https://acme.example/p", START, 200, "0" * 64)
    record_version(archive, "acme", "privacy", "Select Language\n\nBy industry\n\n" + EN, provenance)
    record_version(archive, "acme", "terms", "By industry\n\n# Terms\n\nYou agree to these terms.\n", provenance)
    warnings = [w for w in check_workspace(Workspace(tmp_path)).warnings if "leaked in" in w]
    assert warnings == [
        'archive/acme/privacy.md: (recorded text): a language or region picker leaked in: "Select Language" — '
        "add a `remove` selector for it to the document's declaration",
        'archive/acme/privacy.md: (recorded text): menu or footer text also in 1 other document(s) of the '
        "service leaked in: \"by industry\" — add a `remove` selector for it to the document's declaration",
        'archive/acme/terms.md: (recorded text): menu or footer text also in 1 other document(s) of the '
        "service leaked in: \"by industry\" — add a `remove` selector for it to the document's declaration",
    ]
    assert find_leaks({"acme/privacy": EN, "acme/terms": FR}) == []


def test_a_long_text_is_read_by_the_vote_of_its_start_middle_and_end() -> None:
    """A long English text with a list of Japanese names in its middle (a Google Maps terms' transit
    operators) is English; so is one whose middle and end hold an embedded image's base64."""
    from clausewatch.diff.language import text_language

    english = ("You may use the service only as these terms allow. We may change these terms and will tell "
               "you before the change takes effect. ") * 20
    japanese = "東京メトロの路線と、京王電鉄のバスのデータをご利用いただけます。" * 40
    assert text_language(f"{english}\n\n{japanese}\n\n{english}") == "en"
    blob = "![logo](data:image/png;base64," + "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk" * 120 + ")"
    assert text_language(f"{english * 3}\n\n{blob}\n\n{blob}") == "en"
    assert text_language(japanese * 3) == "ja"


LONG = EN + "".join(f"\n{n}. We keep the records of clause {n} for as long as the law of the country of your residence "
                    "requires, and we delete them within thirty days after that period ends.\n" for n in range(5, 30))
ERROR_PAGE = ("# We're Sorry.\n\nWe can't find the page you were trying to reach. We apologize for the "
              "inconvenience.\n\n[Help homepage](https://acme.example/help)\n")


def test_an_error_page_is_a_failed_capture_and_the_next_text_is_compared_with_the_one_before_it() -> None:
    """Amazon.com's "We're Sorry" page and Vinted's script error in place of the privacy policy (real, in
    the shared bundle): no change of the terms, and the policy coming back weeks later is no news."""
    history = classes((LONG, 0), (ERROR_PAGE, 1), (LONG, 30), (ERROR_PAGE, 60), (LONG + NEWS_EN, 90))
    assert [e.version_class for e in history] == ["first", "cosmetic", "blink", "cosmetic", "substantive"]
    assert [e.failed_capture for e in history] == [False, True, False, True, False]
    assert describe_entry(history[1]).startswith("failed capture"), "not 'N clauses removed'"
    assert history[2].returned_to == history[0].version
    assert history[4].previous == history[2].version, "diffed against the policy, not the error page"
    assert history[4].diff is not None and history[4].diff.summary.substantive == 1


def test_a_short_page_saying_the_document_moved_is_news_not_a_failed_capture() -> None:
    retired = "# Terms\n\nThis page is being retired. Click [here](https://acme.example/new-terms) for the new terms.\n"
    assert [e.version_class for e in classes((LONG, 0), (retired, 1))] == ["first", "substantive"]


@pytest.mark.parametrize(("page", "failed"), [
    (ERROR_PAGE, True),
    ("# Uh Oh.\n\nWe ran into an issue, but we are on it.\n", True),
    ("Component Error\n\n### TypeError: Cannot read properties of null (reading 'location')\n", True),
    ("# Service Unavailable - DNS failure\n", True),
    ("Notice\n\nYou must log in to continue.\n\n[Log in](https://acme.example/login)\n", True),
    ("# You're temporarily blocked\n\nIt looks like you were misusing this feature by going too fast.\n", True),
    ("Google\n\n# Sign in\n\nto continue to AdSense\n\nEmail or phone\n\nForgot email?\n", True),
    ("Back\n\nLogin\n\nCreate new account\n\nForgot password\n\nRemember me\n", True),
    ("# Terms\n\nThis page is being retired. Click here for the new terms of service.\n", False),
    ("The privacy notice is no longer available. Your data is handled under our privacy policy.\n", False),
])
def test_error_pages_and_walls_are_failed_captures_notices_are_not(page: str, failed: bool) -> None:
    assert is_error_page(split_clauses(LONG), split_clauses(page)) is failed
    assert not is_error_page(split_clauses(page), split_clauses(page)), "only in place of a long text"
