"""Site chrome that leaked into recorded texts: language pickers, and menu lines shared by a service's
documents (pure; `clausewatch check` reports them, so a `remove` selector can keep them out).

tests/data/labels/FINDINGS.md lists the real cases: "Select Language", "Change language: Afrikaans …",
"Choose a language: English (US)", lists of language names (Wix: "Deutsch / Español / Français …"),
"Choose your country/region". A paragraph is a picker when it starts with such a phrase or names at
least `MIN_LANGUAGE_NAMES` languages in their own language. A short fragment (no sentence end, at most
`MENU_WORDS` words) found in two or more documents of the same service is menu or footer text.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from clausewatch.diff.normalize import canonical_text

MIN_LANGUAGE_NAMES = 5
MENU_WORDS = 6
_PICKER = re.compile(r"^\W*(?:select|change|choose)\s+(?:a\s+|your\s+)?(?:language|country|region)", re.IGNORECASE)
_ENDONYMS = ("deutsch", "español", "français", "italiano", "nederlands", "português", "polski", "svenska",
             "dansk", "norsk", "suomi", "türkçe", "русский", "日本語", "한국어", "中文", "čeština", "magyar",
             "română", "ελληνικά", "bahasa indonesia", "afrikaans", "cymraeg", "gàidhlig", "català", "english")
_ENDONYM = re.compile("|".join(re.escape(name) for name in _ENDONYMS), re.IGNORECASE)
_PARAGRAPH = re.compile(r"\n[ \t]*\n")
_SENTENCE_END = re.compile(r"[.;:!?]\W*$")


@dataclass(frozen=True, slots=True)
class Leak:
    """One leaked paragraph of one document's recorded text."""

    key: str
    """`service/document`."""
    text: str
    """The paragraph, shortened for a message."""
    reason: str


def is_picker(paragraph: str) -> bool:
    """A language or region picker: a leading "Select language" and the like, or a list of language names."""
    plain = canonical_text(paragraph)
    return bool(_PICKER.match(plain)) or len(set(m.casefold() for m in _ENDONYM.findall(plain))) >= MIN_LANGUAGE_NAMES


def find_leaks(texts: Mapping[str, str]) -> list[Leak]:
    """Pickers in each text, and short fragments shared by two or more documents of one service."""
    leaks: list[Leak] = []
    shared: dict[tuple[str, str], set[str]] = defaultdict(set)
    for key, text in sorted(texts.items()):
        for paragraph in _PARAGRAPH.split(text):
            plain = canonical_text(paragraph)
            if not plain:
                continue
            if is_picker(paragraph):
                leaks.append(Leak(key, _short(paragraph), "a language or region picker"))
            elif len(plain.split()) <= MENU_WORDS and not _SENTENCE_END.search(plain) and "#" not in paragraph[:2]:
                shared[(key.split("/")[0], plain)].add(key)
    for (_, plain), keys in sorted(shared.items()):
        if len(keys) >= 2:
            leaks += [Leak(key, plain, f"menu or footer text also in {len(keys) - 1} other document(s) of "
                                       "the service") for key in sorted(keys)]
    return leaks


def _short(paragraph: str, limit: int = 60) -> str:
    one = " ".join(paragraph.split())
    return one if len(one) <= limit else one[: limit - 1] + "…"
