"""Required literals of a regular expression: a fast and exact test that a pattern cannot match a text.

`required_literals(pattern)` reads the pattern for the words every match must contain (one of a set, for
alternatives), lower-cased. `fold_for_literals(text)` lower-cases a text so that every character the regex
engine matches to an ASCII letter (also case-insensitively) becomes that letter. A pattern none of whose
required literals is in the folded text cannot match the text (`may_match`): scanning it can be skipped.
Only ASCII literals are used (the regex engine's case folding of other characters is not `str.lower`).

The pattern is read by a small parser of Python's regex syntax written here (no private `re` modules):
literals and escapes, classes, groups (capturing, `(?:…)`, named, atomic, scoped flags), lookarounds,
alternation and repeats. It only has to find the structure: whatever it does not know (a conditional
group, verbose mode) gives no literals, and then the pattern is always scanned.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

REGEX_ASCII_FOLDS = {"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"}
"""The non-ASCII characters `re.IGNORECASE` matches to an ASCII letter (found by trying every code point:
tests/test_regex_literals.py checks it); `str.lower` turns no other non-ASCII character into ASCII."""
_FOLDS = str.maketrans(REGEX_ASCII_FOLDS)
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
    if not isinstance(pattern.pattern, str) or pattern.flags & (re.LOCALE | re.ASCII | re.VERBOSE):
        return None
    if not fold and pattern.flags & re.IGNORECASE:
        return None
    try:
        branches = _Parser(pattern.pattern).parse()
    except (_Unsupported, ValueError, KeyError):  # a construct not read here: no literals, always scan
        return None
    return _of_branches(branches, fold)


# --- The pattern as a tree: literals, opaque atoms, groups and repeats -----------------------------------


@dataclass(frozen=True, slots=True)
class _Literal:
    """One character the match contains at this place."""

    char: str


@dataclass(frozen=True, slots=True)
class _Opaque:
    """Anything else: a class, `.`, an anchor, a lookaround, a backreference (no literal known)."""


@dataclass(frozen=True, slots=True)
class _Group:
    """A group: one of its `branches` matches here. `ignore_case`: written `(?i:…)` (or `(?i-…:…)`);
    `plain`: `(?:…)`, neither capturing nor setting flags (one branch then reads as part of the sequence)."""

    branches: tuple[tuple[_Node, ...], ...]
    ignore_case: bool = False
    plain: bool = False


@dataclass(frozen=True, slots=True)
class _Repeat:
    """`item` repeated at least `least` times."""

    item: _Node
    least: int


_Node = _Literal | _Opaque | _Group | _Repeat
_OPAQUE = _Opaque()


class _Unsupported(Exception):
    """A construct the parser does not read (the pattern then gets no literals)."""


_CONTROL_ESCAPES = {"a": "\a", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_CATEGORY_ESCAPES = frozenset("AbBZdDsSwW")
_OCTAL = frozenset("01234567")
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}
_FLAGS = frozenset("aiLmsux")


class _Parser:
    """Python's regex syntax, read far enough to know the pattern's structure (the pattern has compiled)."""

    def __init__(self, pattern: str) -> None:
        self.text = pattern
        self.pos = 0

    def parse(self) -> tuple[tuple[_Node, ...], ...]:
        branches = self._alternatives()
        if self.pos != len(self.text):
            raise _Unsupported(f"unbalanced ')' at {self.pos}")
        return branches

    def _peek(self, ahead: int = 0) -> str:
        index = self.pos + ahead
        return self.text[index] if index < len(self.text) else ""

    def _take(self, count: int = 1) -> str:
        part = self.text[self.pos:self.pos + count]
        if len(part) != count:
            raise _Unsupported("unexpected end of pattern")
        self.pos += count
        return part

    def _alternatives(self) -> tuple[tuple[_Node, ...], ...]:
        branches = [self._sequence()]
        while self._peek() == "|":
            self.pos += 1
            branches.append(self._sequence())
        return tuple(branches)

    def _sequence(self) -> tuple[_Node, ...]:
        items: list[_Node] = []
        while (char := self._peek()) and char not in "|)":
            if char in "*+?" or (char == "{" and self._is_repeat()):
                if not items:
                    raise _Unsupported("nothing to repeat")
                items[-1] = _Repeat(items[-1], self._quantifier())
                continue
            self.pos += 1
            if char == "(":
                group = self._group()
                if group is not None:
                    items.append(group)
            elif char == "[":
                items.append(self._class())
            elif char == "\\":
                items.append(self._escape())
            elif char in ".^$":
                items.append(_OPAQUE)
            else:
                items.append(_Literal(char))
        return tuple(items)

    def _is_repeat(self) -> bool:
        """True when the `{` at the position starts `{m}`, `{m,}`, `{,n}` or `{m,n}` (else it is a literal)."""
        return re.match(r"\{(?=[^}])\d*(?:,\d*)?\}", self.text[self.pos:]) is not None

    def _quantifier(self) -> int:
        """Read `*`, `+`, `?` or `{…}` and its lazy `?` or possessive `+`; return the least count."""
        char = self._take()
        if char == "{":
            body = self.text[self.pos:self.text.index("}", self.pos)]
            self.pos += len(body) + 1
            low = body.split(",", 1)[0]
            least = int(low) if low else 0
        else:
            least = 1 if char == "+" else 0
        if self._peek() in ("?", "+"):
            self.pos += 1
        return least

    def _group(self) -> _Node | None:
        """The group after `(` (None for a comment or the pattern's own flags)."""
        if self._peek() != "?":
            return self._closed(_Group(self._alternatives()))
        self.pos += 1
        kind = self._take()
        if kind == ":":
            return self._closed(_Group(self._alternatives(), plain=True))
        if kind == ">":
            return self._closed(_Group(self._alternatives()))
        if kind == "#":
            self.pos = self.text.index(")", self.pos) + 1
            return None
        if kind in "=!" or (kind == "<" and self._peek() in ("=", "!")):
            if kind == "<":
                self.pos += 1
            self._closed(_Group(self._alternatives()))
            return _OPAQUE  # a lookaround: what it sees need not be part of the match
        if kind == "P" and self._peek() == "<":
            self.pos = self.text.index(">", self.pos) + 1
            return self._closed(_Group(self._alternatives()))
        if kind == "P" and self._peek() == "=":
            self.pos = self.text.index(")", self.pos) + 1
            return _OPAQUE  # a backreference
        if kind in _FLAGS or kind == "-":
            return self._flags(kind)
        raise _Unsupported(f"(?{kind} at {self.pos}")

    def _flags(self, first: str) -> _Node | None:
        """`(?flags)` (the pattern's own flags, already in `pattern.flags`) or `(?on-off:…)`."""
        end = self.pos
        while end < len(self.text) and self.text[end] not in ":)":
            end += 1
        if end >= len(self.text):
            raise _Unsupported("unexpected end of pattern")
        spec = first + self.text[self.pos:end]
        on, _, off = spec.partition("-")
        if not set(on) | set(off) <= _FLAGS or "x" in on:
            raise _Unsupported(f"flags {spec!r}")
        self.pos = end + 1
        if self.text[end] == ")":
            return None
        return self._closed(_Group(self._alternatives(), ignore_case="i" in on))

    def _closed(self, node: _Group) -> _Group:
        if self._take() != ")":
            raise _Unsupported("missing ')'")
        return node

    def _class(self) -> _Node:
        """A character class after `[`: a literal when it holds one plain character, else opaque."""
        start = self.pos
        if self._peek() == "^":
            self.pos += 1
        if self._peek() == "]":
            self.pos += 1
        while (char := self._take()) != "]":
            if char == "\\":
                self.pos += 1
        body = self.text[start:self.pos - 1]
        if len(body) == 1 and body not in "^\\":
            return _Literal(body)
        if len(body) == 2 and body[0] == "\\" and not body[1].isalnum():
            return _Literal(body[1])
        return _OPAQUE

    def _escape(self) -> _Node:
        char = self._take()
        if char in _CATEGORY_ESCAPES:
            return _OPAQUE
        if char in _CONTROL_ESCAPES:
            return _Literal(_CONTROL_ESCAPES[char])
        if char in _HEX_ESCAPES:
            return _Literal(chr(int(self._take(_HEX_ESCAPES[char]), 16)))
        if char == "N" and self._peek() == "{":
            end = self.text.index("}", self.pos)
            name, self.pos = self.text[self.pos + 1:end], end + 1
            return _Literal(unicodedata.lookup(name))
        if char == "0":
            digits = char
            while len(digits) < 3 and self._peek() in _OCTAL:
                digits += self._take()
            return _Literal(chr(int(digits, 8)))
        if char.isdigit():
            if char in _OCTAL and self._peek() in _OCTAL and self._peek(1) in _OCTAL:
                return _Literal(chr(int(char + self._take(2), 8)))
            if self._peek().isdigit():
                self.pos += 1
            return _OPAQUE  # a backreference: no literal known
        if char.isascii() and char.isalnum():
            raise _Unsupported(f"escape \\{char}")
        return _Literal(char)


# --- What every match contains ---------------------------------------------------------------------------


def _of_branches(branches: tuple[tuple[_Node, ...], ...], fold: bool) -> Literals | None:
    """One branch's requirement, or the union of every branch's (None if any branch has none)."""
    if len(branches) == 1:
        return _of_sequence(branches[0], fold)
    found = [_of_sequence(branch, fold) for branch in branches]
    if any(f is None for f in found):
        return None
    return tuple(dict.fromkeys(literal for f in found if f for literal in f))


def _flat(items: tuple[_Node, ...]) -> Iterator[_Node]:
    """The items, with each plain one-branch group `(?:…)` replaced by its own items."""
    for item in items:
        if isinstance(item, _Group) and item.plain and len(item.branches) == 1:
            yield from _flat(item.branches[0])
        else:
            yield item


def _of_sequence(items: tuple[_Node, ...], fold: bool) -> Literals | None:
    """The most selective requirement among a sequence's literal runs and required sub-patterns."""
    found: list[Literals] = []
    run: list[str] = []
    for item in _flat(items):
        if isinstance(item, _Literal) and item.char.isascii():
            run.append(item.char.lower() if fold else item.char)
            continue
        found.append(("".join(run),))
        run = []
        required = _of_item(item, fold)
        if required is not None:
            found.append(required)
    found.append(("".join(run),))
    usable = [f for f in found if f and all(f)]
    return max(usable, key=lambda f: min(map(len, f))) if usable else None


def _of_item(item: _Node, fold: bool) -> Literals | None:
    if isinstance(item, _Group):
        if not fold and item.ignore_case:
            return None
        return _of_branches(item.branches, fold)
    if isinstance(item, _Repeat) and item.least >= 1:
        return _of_sequence((item.item,), fold)
    return None
