"""The dialect of an English text (en-GB, en-US), and a swap between two localisations of the same terms.

The texts are our own: a short payments policy written for the United States, and its United Kingdom
localisation, whose copy editor changed more than a vocabulary table knows ("that you", "such as").
"""

from __future__ import annotations

from test_variants import classes

from clausewatch.diff.dialect import dialect_markers, text_dialect
from clausewatch.diff.history import is_switch

US = """# Payments Terms

Last updated: April 30, 2026

1. When you authorize a payment, you authorize us to charge your payment method for the full amount,
including taxes and shipping costs, and you recognize that the total is final.

2. If you have questions about a charge, contact our Support Center or our toll-free line. We answer
every inquiry within one week.

3. You can cancel a subscription at any time; a canceled subscription runs until the end of the period
you paid for, like any other subscription.

4. We may use your information to personalize the offers we show you and to analyze how the service is
used.
"""

GB = """# Payments terms

Last updated: 30 April 2026

1. When you authorise a payment, you authorise us to charge your payment method for the full amount,
including taxes and delivery costs, and you recognise that the total is final.

2. If you have any questions about a charge, contact our Support Centre or our freephone line. We answer
every enquiry within one week.

3. You can cancel a subscription at any time; a cancelled subscription runs until the end of the period
that you paid for, such as any other subscription.

4. We may use your information to personalise the offers that we show you and to analyse how the service
is used.
"""

NEWS_GB = "\n5. We may pass your payment details to our fraud prevention partners, who may keep them for six years.\n"


def test_the_dialect_of_a_text_is_named_only_when_one_side_clearly_wins() -> None:
    assert text_dialect(US) == "en-US" and text_dialect(GB) == "en-GB"
    gb, us = dialect_markers(GB)
    assert gb >= 8 and us == 0
    assert text_dialect("We collect your e-mail address to run the service.") is None, "no markers"
    mixed = "We organise events at our center. We organize tours from our centre."
    assert text_dialect(mixed) is None, "a mix is no dialect"
    assert text_dialect("The advertise and otherwise clauses.") is None, "-ise words that are not en-GB forms"


def test_a_switch_needs_two_clear_dialects_or_two_languages() -> None:
    assert is_switch("en-GB", "en-US") and is_switch("fr", "en-GB") and is_switch("en", "fr")
    assert not is_switch("en", "en-GB") and not is_switch("en-US", "en") and not is_switch(None, "en-GB")


def test_a_localisation_into_the_other_dialect_is_a_variant_not_a_change() -> None:
    history = classes((US, 0), (GB, 30), (US, 60), (GB + NEWS_GB, 90))
    assert [e.version_class for e in history] == ["first", "variant", "variant", "substantive"], \
        "'that you', 'such as' and 'any' are not in the regional vocabulary: only the dialect tells"
    assert history[1].languages == ("en-US", "en-GB") and history[1].returned_to is None
    assert history[2].returned_to == history[0].version
    assert history[3].previous == history[1].version, "news in the en-GB text, shown against the last en-GB text"
    assert history[3].diff is not None and history[3].diff.summary.substantive == 1
