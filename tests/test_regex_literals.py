"""The required-literal shortcut of the topic rules: never skips a pattern that matches."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clausewatch.diff.regex_literals import (
    REGEX_ASCII_FOLDS,
    fold_for_literals,
    guarded_sub,
    may_match,
    required_literals,
)
from clausewatch.diff.topics import load_topics, match_groups
from tests.test_topics import CASES


def test_the_folds_are_every_non_ascii_character_the_regex_engine_takes_for_an_ascii_letter() -> None:
    letter = re.compile(r"[a-z]", re.IGNORECASE)
    found = {chr(c) for c in range(0x80, 0x110000) if letter.match(chr(c))}
    assert found == set(REGEX_ASCII_FOLDS)
    assert all(re.match(REGEX_ASCII_FOLDS[c], c, re.IGNORECASE) for c in found)
    lowered_to_ascii = {chr(c) for c in range(0x80, 0x110000) if any(ch.isascii() for ch in chr(c).lower())}
    assert lowered_to_ascii <= set(REGEX_ASCII_FOLDS)


@pytest.mark.parametrize(("pattern", "expected"), [
    (r"\btrain(?:s|ed|ing)?\b", ("train",)),
    (r"\b(?:perpetual|irrevocable|royalty[\s-]*free)\b", ("perpetual", "irrevocable", "royalty")),
    (r"\b(?-i:COPPA)\b", ("coppa",)),
    (r"(?:ab)?c", ("c",)),
    (r"a|\w+", None),
    (r"\d+", None),
    (r"x{0,3}", None),
    (r"(?:hello){2}", ("hello",)),
    (r"é", None),
    # the syntax the parser reads itself (no private `re` modules)
    (r"(?:ab)*c", ("c",)),                       # a repeat applies to the whole group
    (r"(?:ab)+c", ("ab",)),
    (r"(ab)?cd", ("cd",)),
    (r"a(?#a comment)bc", ("abc",)),
    (r"(?=abc)de", ("de",)),                     # what a lookaround sees is not required of the match
    (r"(?<!xy)zw(?!uv)", ("zw",)),
    (r"(?P<word>abc)(?P=word)d", ("abc",)),
    (r"(?>abc)d", ("abc",)),
    (r"\x41\u0042\N{LATIN SMALL LETTER C}\103", ("abcc",)),
    (r"\0a", ("\x00a",)),
    (r"(a)\1bc", ("bc",)),
    (r"[k]ey[s]", ("keys",)),                     # a class of one character is that character
    (r"[ks]ey", ("ey",)),
    (r"[]a]bc|[^x]yz", ("bc", "yz")),
    (r"a{2,}b", ("a",)),
    (r"x{,3}yz", ("yz",)),
    (r"a{b}c", ("a{b}c",)),                      # not a repeat: a literal brace
    (r"a\{2\}b", ("a{2}b",)),
    (r"\bfoo\.bar\b", ("foo.bar",)),
    (r"foo|bar|", None),                          # the empty branch matches anywhere
    (r"(?:ads?|advertis\w+)\b", ("ad", "advertis")),
    (r"(a)?(?(1)bc|de)", None),                  # a conditional group: not read, always scanned
    (r"(?x) a b c", None),                        # verbose mode: not read
    (r"(?s:a.b)cd", ("cd",)),
])
def test_required_literals(pattern: str, expected: tuple[str, ...] | None) -> None:
    assert required_literals(re.compile(pattern, re.IGNORECASE)) == expected


@pytest.mark.parametrize("text", ["KEY", "\u212aey", "ſell", "SALE", "İN", "dısclose", "Train", "trAIning"])
def test_odd_case_folds_never_hide_a_match(text: str) -> None:
    for pattern in (r"key", r"sell", r"in", r"disclose", r"train", r"tra(?-i:AI)ning"):
        compiled = re.compile(pattern, re.IGNORECASE)
        if compiled.search(text):
            assert may_match(compiled, fold_for_literals(text)), (pattern, text)


def test_every_rule_pattern_that_matches_a_case_passes_the_shortcut() -> None:
    texts = [text for case in CASES for text in case[1:]]
    for topic in load_topics():
        for rule in topic.rules:
            for pattern in (*rule.patterns, *rule.requires):
                for text in texts:
                    if pattern.search(text):
                        assert may_match(pattern, fold_for_literals(text)), pattern.pattern


def test_match_groups_are_those_of_a_full_scan() -> None:
    from clausewatch.diff.topics import _rule_groups

    topics = load_topics()
    for text in [text for case in CASES for text in case[1:]]:
        full = [(t.id, g) for t in topics for rule in t.rules for g in _rule_groups(rule, text)]
        assert match_groups(text, list(topics)) == full


def test_exact_case_literals_for_case_sensitive_patterns_only() -> None:
    assert required_literals(re.compile(r"Ab(?i:cdef)"), fold=False) == ("Ab",)
    assert required_literals(re.compile(r"abc", re.IGNORECASE), fold=False) is None
    assert required_literals(re.compile(r"x(?i:yz)+"), fold=False) == ("x",)


@pytest.mark.parametrize("text", ["organise organised organisation", "analyse", "bis ise", "Organise", ""])
def test_guarded_sub_is_sub(text: str) -> None:
    from clausewatch.diff.regex_literals import guarded_sub

    for pattern in (re.compile(r"is(?<=\w\wis)(?=e\b|ation)"), re.compile(r"\b(?:colo|favo)ur"), re.compile(r"\d+")):
        assert guarded_sub(pattern, "#", text) == pattern.sub("#", text)


def test_spelling_patterns_with_the_literal_first_fold_as_before() -> None:
    from clausewatch.diff.normalize import _SPELLINGS

    before = [re.compile(r"(?<=\w\w)is(?=e\b|es\b|ed\b|ing\b|ation|er\b|ers\b)"),
              re.compile(r"(?<=\w\w)ys(?=e\b|es\b|ed\b|ing\b)")]
    words = "is isis organise organisation analyses analysing paralysed xis this_ise 9ise ise aise réalise"
    for old, (new, replacement) in zip(before, _SPELLINGS[:2], strict=True):
        assert new.sub(replacement, words) == old.sub(replacement, words)


@pytest.mark.parametrize("text", ["1.5, 2,3 a.b ,x. 9. .9 ..1 1.. «a» [b] {c} / - ; : ! ? ( )", "x,1 1,x ,1, .,. 1.,.1",
                                  "v2.0, section 3.1.a; e.g., (see: www.example.com/x-y)", "", "..", "1."])
def test_key_punctuation_is_the_punctuation_outside_numbers(text: str) -> None:
    from clausewatch.diff.normalize import _KEY_PUNCTUATION

    as_written = re.compile(r"(?<!\d)[.,]|[.,](?!\d)|[;:!?()\[\]{}\u00ab\u00bb/-]")
    assert _KEY_PUNCTUATION.sub("", text) == as_written.sub("", text)


def test_every_topic_rule_pattern_and_phrase_has_required_literals() -> None:
    """The shortcut works for the whole rule set: no rule pattern falls back to scanning every text."""
    for topic in load_topics():
        for rule in topic.rules:
            for pattern in (*rule.patterns, *rule.requires):
                assert required_literals(pattern), (topic.id, pattern.pattern)


_ALPHABET = "abksiK ſİıK\u212a-.é"
_REPEATABLE = ["a", "b", "k", "s", "i", "K", "S", "I", " ", "é", r"\-", r"\.", ".", "[ab]", "[k]", "[^a]",
               r"\w", r"\s", r"\x61"]
_ZERO_WIDTH = [r"\b", r"\B", "^", "$", "(?<!a)", "(?<=b)"]
_QUANTIFIERS = st.sampled_from(["", "", "", "*", "+", "?", "{2}", "{0,2}", "{1,}", "*?", "++", "{,1}"])
_GROUPS = ["(?:", "(", "(?i:", "(?-i:", "(?P<g>", "(?>"]


def _patterns() -> st.SearchStrategy[str]:
    """Patterns of the syntax the parser reads, built from characters whose case folds are odd."""
    atom = st.one_of(st.tuples(st.sampled_from(_REPEATABLE), _QUANTIFIERS).map("".join),
                     st.sampled_from(_ZERO_WIDTH))

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.lists(inner, min_size=1, max_size=4).map("".join),
            st.tuples(inner, inner).map("|".join),
            st.tuples(st.sampled_from(_GROUPS), inner, _QUANTIFIERS).map(lambda t: f"{t[0]}{t[1]}){t[2]}"),
            st.tuples(st.sampled_from(["(?=", "(?!"]), inner).map(lambda t: f"{t[0]}{t[1]})"),
        )

    return st.recursive(atom, extend, max_leaves=8)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pattern=_patterns(), texts=st.lists(st.text(_ALPHABET, max_size=12), min_size=1, max_size=4),
       ignore_case=st.booleans())
def test_generated_patterns_never_lose_a_match(pattern: str, texts: list[str], ignore_case: bool) -> None:
    """Any pattern of the syntax the parser reads: the shortcut never skips a text the pattern matches,
    and `guarded_sub` is `sub` (also for the literals each pattern itself requires)."""
    try:
        compiled = re.compile(pattern, re.IGNORECASE if ignore_case else 0)
    except re.error:
        return
    for literals in (required_literals(compiled), required_literals(compiled, fold=False)):
        texts = texts + list(literals or ())
    for text in texts:
        if compiled.search(text):
            assert may_match(compiled, fold_for_literals(text)), (pattern, text, required_literals(compiled))
        assert guarded_sub(compiled, "#", text) == compiled.sub("#", text), (pattern, text)
