"""Required literals of a regular expression: a fast and exact test that a pattern cannot match a text.

`required_literals(pattern)` reads the pattern's parse tree for the words every match must contain
(one of a set, for alternatives), lower-cased. `fold_for_literals(text)` lower-cases a text so that
every character the regex engine matches to an ASCII letter (also case-insensitively) becomes that
letter. A pattern none of whose required literals is in the folded text cannot match the text
(`may_match`): scanning it can be skipped. Only ASCII literals are used (the regex engine's case
folding of other characters is not `str.lower`).
"""

from __future__ import annotations

import re
from functools import lru_cache
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

REGEX_ASCII_FOLDS = {"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"}
"""The non-ASCII characters `re.IGNORECASE` matches to an ASCII letter (found by trying every code point:
tests/test_topics.py checks it); `str.lower` turns no other non-ASCII character into ASCII."""
_FOLDS = str.maketrans(REGEX_ASCII_FOLDS)
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)
Literals = tuple[str, ...]
_FOLDED: dict[re.Pattern[str], Literals | None] = {}
"""`required_literals(pattern)` by pattern, for `may_match` (called for every rule on every text)."""


def fold_for_literals(text: str) -> str:
    """`text` lower-cased, with the characters the regex engine takes for ASCII letters made those letters."""
    return text.translate(_FOLDS).lower()


def may_match(pattern: re.Pattern[str], folded: str) -> bool:
    """False only when `pattern` cannot match the text whose `fold_for_literals` is `folded`."""
    if pattern not in _FOLDED:
        _FOLDED[pattern] = required_literals(pattern)
    required = _FOLDED[pattern]
    if required is None:
        return True
    for literal in required:
        if literal in folded:
            return True
    return False


def guarded_sub(pattern: re.Pattern[str], replacement: str, text: str) -> str:
    """`pattern.sub(replacement, text)`, without scanning a text that lacks the pattern's required literals."""
    required = required_literals(pattern, fold=False)
    if required is not None and not any(literal in text for literal in required):
        return text
    return pattern.sub(replacement, text)


@lru_cache(maxsize=1024)
def required_literals(pattern: re.Pattern[str], *, fold: bool = True) -> Literals | None:
    """Strings one of which every match of `pattern` contains; None when none is known. Lower-cased
    (for `fold_for_literals` text) when `fold`, else as written (case-insensitive parts then give none)."""
    if not isinstance(pattern.pattern, str) or pattern.flags & (re.LOCALE | re.ASCII):
        return None
    if not fold and pattern.flags & re.IGNORECASE:
        return None
    try:
        return _of_sequence(list(sre_parse.parse(pattern.pattern, pattern.flags)), fold)
    except Exception:  # noqa: BLE001 - an unknown parse tree only means no shortcut
        return None


def _of_sequence(items: list[tuple[Any, Any]], fold: bool) -> Literals | None:
    """The most selective requirement among a sequence's literal runs and required sub-patterns."""
    found: list[Literals] = []
    run: list[str] = []
    for op, av in items:
        if op is sre.LITERAL and av < 128:
            run.append(chr(av).lower() if fold else chr(av))
            continue
        found.append(("".join(run),))
        run = []
        required = _of_item(op, av, fold)
        if required is not None:
            found.append(required)
    found.append(("".join(run),))
    usable = [f for f in found if f and all(f)]
    return max(usable, key=lambda f: min(map(len, f))) if usable else None


def _of_item(op: Any, av: Any, fold: bool) -> Literals | None:
    if op is sre.SUBPATTERN:
        return None if not fold and av[1] & re.IGNORECASE else _of_sequence(list(av[3]), fold)
    if op in _REPEATS and av[0] >= 1:
        return _of_sequence(list(av[2]), fold)
    if op is sre.BRANCH:
        branches = [_of_sequence(list(items), fold) for items in av[1]]
        if any(b is None for b in branches):
            return None
        return tuple(dict.fromkeys(literal for b in branches if b for literal in b))
    return None
