"""The stated-date finder's fast label search gives the matches of the case-insensitive regex."""

from __future__ import annotations

import re

import pytest

from clausewatch.diff.regex_literals import REGEX_ASCII_FOLDS
from clausewatch.site.effective_date import _LABEL, _label_matches, find_stated_dates

ORIGINAL_LABEL = re.compile(  # the label regex as first written (one alternative per kind of label)
    r"(?P<label>"
    r"last\s+(?:updated|modified|revised|amended|changed)"
    r"|date\s+of\s+last\s+(?:revision|update|modification)"
    r"|(?:effective|revision|version)\s+date"
    r"|effective\s+(?:as\s+of|from|on)?"
    r"|(?:take|takes|took|come|comes|came)\s+(?:into\s+)?effect(?:\s+on|\s+as\s+of)?"
    r"|in\s+(?:force|effect)\s+(?:as\s+of|from|since|on)"
    r"|(?:updated|revised|modified)(?:\s+on|\s+as\s+of)?"
    r")\b"
    r"(?P<gap>[\s:*_\-–—(),]*(?:on|as\s+of|from)?[\s:*_\-–—(),]*)",
    re.I,
)

TEXTS = [
    "Last Updated: March 3, 2026\n\nThese terms take effect on 1 April 2026.",
    "EFFECTIVE DATE — 2024-01-02. Revised on 03/04/2023; version date 5 May 2020",
    "This policy came into effect as of June 1st, 2019 and is in force from 2019-06-01.",
    "Zuletzt ÜBERARBEITET: updated 2. Mai 2021 · ΣΟΦΙΑΣ Last  modified\u00a0on: Jan. 5, 2022",
    "İn force since 2020-01-01, laſt updated: 2021-02-02, \u212aEY updated on 2022-03-03",
    "dıte of last revısion: 2020-05-05 — Effective as of: **January 1, 2021**",
    "blast updated on 2021-01-01 (effectivedate) TAKES INTO EFFECT ON: 2022-02-02",
]


@pytest.mark.parametrize("text", TEXTS)
def test_label_matches_are_those_of_the_original_regex(text: str) -> None:
    expected = [(m.span(), m.span("label"), m.span("gap")) for m in ORIGINAL_LABEL.finditer(text)]
    assert [(m.span(), m.span("label"), m.span("gap")) for m in _LABEL.finditer(text)] == expected
    assert [(m.span(), m.span("label"), m.span("gap")) for m in _label_matches(text)] == expected


def test_lower_casing_keeps_every_character_class_the_label_regex_reads() -> None:
    probes = [re.compile(p) for p in (r"\w", r"\s", r"[\s:*_\-–—(),]")]
    for code in range(0x110000):
        char = chr(code)
        lowered = char.lower()
        assert lowered, hex(code)
        if lowered == char or len(lowered) != 1 or char in REGEX_ASCII_FOLDS:
            continue
        assert lowered.isascii() == char.isascii(), hex(code)
        assert [bool(p.match(char)) for p in probes] == [bool(p.match(lowered)) for p in probes], hex(code)


def test_stated_dates_in_odd_texts() -> None:
    dates = find_stated_dates(TEXTS[0])
    assert [(d.kind, d.date.isoformat()) for d in dates] == [("updated", "2026-03-03"), ("effective", "2026-04-01")]
    assert [d.phrase for d in find_stated_dates(TEXTS[4])][:1] == ["İn force since 2020-01-01"]
