"""A translation catching up with a change already published in the other language is a variant; a
translation that changes more than the other language did is news; a text rebuilt in one language gives
the other a first text, not a diff against its old shape.

The texts are our own (test_variants.py's short privacy policy in English and French).
"""

from __future__ import annotations

from test_variants import EN, FR, NEWS_EN, NEWS_FR, classes

from clausewatch.diff.catchup import OWN_SHARE, same_structure, shape
from clausewatch.diff.clauses import split_clauses

REWORDED_FR = FR.replace("pendant un an après sa fermeture", "pendant deux ans après sa fermeture")
"""The French text keeps data for two years where the English one still says one: news in French."""


def test_a_translation_has_the_structure_of_its_original() -> None:
    assert same_structure(shape(split_clauses(EN)), shape(split_clauses(FR)))
    assert not same_structure(shape(split_clauses(EN + NEWS_EN)), shape(split_clauses(FR)))
    assert 0 < OWN_SHARE < 0.5


def test_a_translation_catching_up_with_a_published_change_is_a_variant() -> None:
    history = classes((EN, 0), (FR, 1), (EN + NEWS_EN, 10), (FR + NEWS_FR, 20))
    assert [e.version_class for e in history] == ["first", "variant", "substantive", "variant"], \
        "the French clause 5 follows the English one published on day 10"
    assert history[3].languages == ("en", "fr") and history[3].returned_to == history[1].version
    assert history[3].diff is None


def test_a_translation_changing_more_than_its_original_is_news() -> None:
    history = classes((EN, 0), (FR, 1), (EN + NEWS_EN, 10), (REWORDED_FR + NEWS_FR, 20))
    assert [e.version_class for e in history] == ["first", "variant", "substantive", "substantive"], \
        "clause 2 changed in French only: half of the changed clauses are the French text's own"
    assert history[3].previous == history[1].version


def test_no_change_published_elsewhere_means_no_catch_up() -> None:
    history = classes((EN, 0), (FR, 1), (EN, 2), (FR + NEWS_FR, 20))
    assert [e.version_class for e in history] == ["first", "variant", "blink", "substantive"]


def test_a_text_rebuilt_since_the_last_one_in_its_language_is_a_first_text() -> None:
    long_fr = FR + "\n".join(f"\n{n}. Clause française numéro {n} de l'ancienne politique, qui parlait de tout "
                             f"autre chose que la nouvelle, en long et en large." for n in range(5, 60))
    history = classes((long_fr, 0), (EN, 5), (EN + NEWS_EN, 10), (FR + NEWS_FR, 20))
    assert [e.version_class for e in history] == ["first", "substantive", "substantive", "variant"], \
        "the old French text is five times longer: not the base of the new one"
    assert history[3].returned_to is None and history[3].languages == ("en", "fr")


def _policy(sentence: str, months: dict[int, str]) -> str:
    return "# Policy\n\n" + "\n".join(sentence.format(n=n, unit=months.get(n, "")) for n in range(1, 13)) + "\n"


def test_a_touch_up_of_one_clause_in_ten_still_follows_the_original() -> None:
    en = "{n}. We keep the data of category {n} for {n} {unit}, unless the law requires us to keep it longer."
    fr = "{n}. Nous conservons les données de la catégorie {n} pendant {n} {unit}, sauf si la loi l'exige."
    months = {n: "months" for n in range(1, 13)}
    weeks = {**months, **{n: "weeks" for n in range(1, 12)}}
    mois = {n: "mois" for n in range(1, 13)}
    semaines = {**mois, **{n: "semaines" for n in range(1, 12)}}
    touched = _policy(fr, semaines).replace("12. Nous conservons", "12. Nous gardons")
    history = classes((_policy(en, months), 0), (_policy(fr, mois), 1), (_policy(en, weeks), 10), (touched, 20))
    assert [e.version_class for e in history] == ["first", "variant", "substantive", "variant"], \
        "11 clauses follow the English change, one is reworded in French only: within OWN_SHARE"


def test_a_switch_to_the_other_region_s_text_of_a_new_translation_is_a_variant() -> None:
    eu = EN + ("\n5. The controller is Acme Ireland Ltd., 4 Grand Canal Square, Dublin 2.\n\n6. We process your "
               "e-mail address to perform our contract with you, under the General Data Protection Regulation.\n")
    us = EN + "\n5. The controller is Acme, Inc., 1601 Willow Road, Menlo Park, California.\n"
    fr_us = FR + "\n5. Le responsable du traitement est Acme, Inc., 1601 Willow Road, Menlo Park, Californie.\n"
    history = classes((eu, 0), (fr_us, 1), (us, 1.1))
    assert [e.version_class for e in history] == ["first", "variant", "variant"], \
        "the US text has the French text's structure, the first in French: it adds nothing the French lacks"
    assert history[2].languages == ("fr", "en") and history[2].returned_to == history[0].version


def test_a_switch_right_after_a_new_translation_follows_it_a_later_one_is_news() -> None:
    eu = EN + "\n5. The controller is Acme Ireland Ltd., 4 Grand Canal Square, Dublin 2.\n"
    us = EN + "\n5. The controller is Acme, Inc., 1601 Willow Road, Menlo Park, California.\n"
    fr_us = FR + "\n5. Le responsable du traitement est Acme, Inc., 1601 Willow Road, Menlo Park, Californie.\n"
    burst = classes((eu, 0), (fr_us, 1), (us, 1.1))
    assert [e.version_class for e in burst] == ["first", "variant", "variant"], \
        "the page served from another locale: the US text follows the French one recorded an hour before"
    later = classes((eu, 0), (fr_us, 1), (us, 30))
    assert [e.version_class for e in later] == ["first", "variant", "substantive"]
