"""The inline parser behind `clausewatch.diff.markup`: one paragraph of Markdown as styled text spans.

CommonMark's own algorithm, for the constructs Open Terms Archive's extractor writes: backslash escapes,
entities, code spans, `*`/`_` emphasis and strong emphasis (flanking rules, the rule of three, no
intraword `_`), inline links and images (`[text](url "title")`, `[text](<url>)`), autolinks, and `<br>`
as a line break. Other raw HTML is literal text (as CommonMark with HTML disabled reads it). One
repair after CommonMark: `**` runs it leaves unmatched are paired in order (see `_repair_strong`).

One regex scan finds the active characters; emphasis is resolved on a linked delimiter list with
CommonMark's `openers_bottom` so that it stays linear, link destinations are matched by a regex with
unambiguous alternatives (no catastrophic backtracking on `[[[[` or `](((`). Pure: stdlib only.
"""

from __future__ import annotations

import html
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass

_INLINE = r"""
    \\(?P<esc>[!-/:-@\[-`{-~\n])
  | (?P<entity>&(?:\#[0-9]{1,7}|\#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});)
  | (?P<ticks>`+)
  | <(?P<auto>[A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\s<>]*)>
  | <(?P<email>[A-Za-z0-9.!\#$%&'*+/=?^_`{|}~\-]+@[A-Za-z0-9.\-]+)>
  | (?P<br><[bB][rR][ \t]*/?>)
  | (?P<delim>\*+|_+)
"""
_TOKEN = re.compile(_INLINE + r"| (?P<open>!?\[) | (?P<close>\])", re.VERBOSE)
_TOKEN_NO_LINKS = re.compile(_INLINE, re.VERBOSE)
"""Without `[` and `]`: a text without `](` can hold no inline link or image."""
_LINK_TAIL = re.compile(r"""\(\s{0,64}
    (?:<(?P<angle>(?:[^<>\n\\]|\\.)*)>
      |(?!<)(?P<raw>(?:[^\s()\\]|\\\S|\\(?=\s)|\((?:[^\s()\\]|\\\S|\\(?=\s))*\))*))
    (?:\s{1,64}(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\((?:[^()\\]|\\.)*\)))?
    \s{0,64}\)""", re.VERBOSE | re.DOTALL)
"""`(destination "title")` after a `]`. Each alternative starts with its own character, so a failed match
gives back in linear time; a scan stops at the first unbalanced parenthesis, quote or space, which is
where the next `](` attempt would start: a text of many `](` is scanned about once in all (destinations
have no length limit: OTA writes images as `data:` URIs of many kilobytes)."""
_ESCAPE_OR_ENTITY = re.compile(r"\\([!-/:-@\[-`{-~])|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ASCII_PUNCT = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")

Event = tuple[str, str]
"""A style that starts or ends at a node: (`strong` | `em` | `link` | `image`, link destination)."""


@dataclass(slots=True)
class Node:
    """A piece of the paragraph: literal text, a code span's text, or a delimiter run's remaining text;
    the styles ending before it (`closes`) and starting after it (`opens`), in the order they were
    found (their nesting is CommonMark's; only their counts matter to `markup._flatten`)."""

    text: str
    code: bool = False
    opens: list[Event] | None = None
    closes: list[Event] | None = None


@dataclass(slots=True, eq=False)
class _Delim:
    node: Node
    char: str
    length: int
    can_open: bool
    can_close: bool
    prev: _Delim | None = None
    next: _Delim | None = None


@dataclass(slots=True)
class _Bracket:
    node: Node
    image: bool
    bottom: _Delim | None
    """The last delimiter before the bracket: emphasis inside the link text is resolved above it."""
    index: int


def decode(text: str) -> str:
    """Backslash escapes and entities of a link destination resolved (in one pass: `\\&amp;` is `&amp;`)."""
    return _ESCAPE_OR_ENTITY.sub(lambda m: m.group(1) or html.unescape(m.group(0)), text)


_LITERAL = re.compile(r"\\([!-/:-@\[-`{-~\n])|(&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});)"
                      r"|<[bB][rR][ \t]*/?>")


def literal_text(text: str) -> str:
    """`text` as written, only its backslash escapes, entities and `<br>` line breaks resolved (for a
    paragraph too busy to parse: see `markup.MAX_TOKENS`)."""
    return _LITERAL.sub(lambda m: m.group(1) or (html.unescape(m.group(2)) if m.group(2) else "\n"), text)


def _is_punct(ch: str) -> bool:
    return ch in _ASCII_PUNCT or (ch > "\x7f" and unicodedata.category(ch)[0] in "PS")


class Parser:
    """One paragraph, parsed once: `nodes` hold its text and the styles around it."""

    def __init__(self, text: str, *, repair: bool = True) -> None:
        self.text = _CONTROL.sub("", text)
        self.repair = repair
        """Whether `_repair_strong` runs (False: CommonMark exactly)."""
        self.nodes: list[Node] = []
        self.head: _Delim | None = None
        self.tail: _Delim | None = None
        self.brackets: list[_Bracket] = []
        self.inactive_below = 0
        """Brackets (not images) below this index in `brackets` may no longer open a link."""
        self._ticks: dict[int, list[int]] | None = None
        self.stars: list[Node] = []
        """Every `*` run, for `_repair_strong`."""

    def parse(self) -> list[Node]:
        text, pos = self.text, 0
        token = _TOKEN if "](" in text else _TOKEN_NO_LINKS
        while pos < len(text):
            match = token.search(text, pos)
            if match is None:
                self._literal(text[pos:])
                break
            if match.start() > pos:
                self._literal(text[pos:match.start()])
            pos = self._token(match)
        self._process_emphasis(None)
        if self.repair:
            self._repair_strong()
        return self.nodes

    def _repair_strong(self) -> None:
        """Pair the `**` runs CommonMark left unmatched, in order: converters write bold with the spaces
        and line breaks of the page inside it (`**Cookies **`, `**Title  \\n**Text`, `word**.**`), which
        CommonMark leaves as literal text, while a literal `*` of the page is always escaped (`\\*`).
        A run of exactly four (`****`, an empty bold) is dropped, and so is a last run without a partner at
        the very start or end of the paragraph (half of a bold the converter split over two blocks);
        another run without a partner stays."""
        runs = [node for node in self.stars if len(node.text) >= 2]
        for node in runs:
            if node.text == "****":
                node.text = ""
        runs = [node for node in runs if node.text]
        for opener, closer in zip(runs[::2], runs[1::2], strict=False):
            opener.text = opener.text[:-2]
            closer.text = closer.text[2:]
            _add(opener, "opens", ("strong", ""))
            _add(closer, "closes", ("strong", ""))
        if len(runs) % 2 and runs[-1].text == "**" and self._at_an_end(runs[-1]):
            runs[-1].text = ""

    def _at_an_end(self, node: Node) -> bool:
        """True when only whitespace comes before `node`, or only whitespace after it."""
        index = next(k for k, other in enumerate(self.nodes) if other is node)
        return not "".join(n.text for n in self.nodes[:index]).strip() or \
            not "".join(n.text for n in self.nodes[index + 1:]).strip()

    def _literal(self, text: str) -> Node:
        node = Node(text)
        self.nodes.append(node)
        return node

    def _token(self, match: re.Match[str]) -> int:
        """Handle one active token; the position to scan on from."""
        kind, value = match.lastgroup, match.group(match.lastgroup or 0)
        if kind == "esc":
            self._literal(value)
        elif kind == "entity":
            self._literal(_CONTROL.sub("", html.unescape(value)))
        elif kind == "ticks":
            return self._code(match.start(), len(value))
        elif kind in ("auto", "email"):
            href = value if kind == "auto" else f"mailto:{value}"
            self._literal("").opens = [("link", href)]
            self._literal(value)
            self._literal("").closes = [("link", href)]
        elif kind == "br":
            self._literal("\n")
        elif kind == "delim":
            self._delimiter(match.start(), match.end())
        elif kind == "open":
            node = self._literal(value)
            self.brackets.append(_Bracket(node, value == "![", self.tail, len(self.brackets)))
        else:
            return self._close_bracket(match.end())
        return match.end()

    def _code(self, start: int, length: int) -> int:
        """A code span from the backtick run at `start` to the next run of the same length, or the run
        as literal backticks."""
        if self._ticks is None:
            self._ticks = {}
            for run in re.finditer("`+", self.text):
                self._ticks.setdefault(len(run.group()), []).append(run.start())
        runs = self._ticks.get(length, [])
        k = bisect_right(runs, start)
        if k >= len(runs):
            self._literal("`" * length)
            return start + length
        end = runs[k]
        content = self.text[start + length:end].replace("\n", " ")
        if len(content) > 2 and content[0] == " " and content[-1] == " " and content.strip(" "):
            content = content[1:-1]
        self.nodes.append(Node(content, code=True))
        return end + length

    def _delimiter(self, start: int, end: int) -> None:
        text = self.text
        char = text[start]
        before = text[start - 1] if start > 0 else " "
        after = text[end] if end < len(text) else " "
        space_before, space_after = before.isspace(), after.isspace()
        punct_before, punct_after = _is_punct(before), _is_punct(after)
        left = not space_after and (not punct_after or space_before or punct_before)
        right = not space_before and (not punct_before or space_after or punct_after)
        if char == "_":
            can_open, can_close = left and (not right or punct_before), right and (not left or punct_after)
        else:
            can_open, can_close = left, right
        node = self._literal(text[start:end])
        if char == "*":
            self.stars.append(node)
        if can_open or can_close:
            delim = _Delim(node, char, end - start, can_open, can_close, self.tail)
            if self.tail is None:
                self.head = delim
            else:
                self.tail.next = delim
            self.tail = delim

    def _close_bracket(self, after: int) -> int:
        """`]`: a link (or image) when an active opener and a destination `(…)` follow; else literal."""
        if not self.brackets:
            self._literal("]")
            return after
        opener = self.brackets.pop()
        active = opener.image or opener.index >= self.inactive_below
        tail = _LINK_TAIL.match(self.text, after) if active else None
        if tail is None:
            self._literal("]")
            return after
        href = decode(tail.group("angle") if tail.group("angle") is not None else tail.group("raw") or "")
        self._process_emphasis(opener.bottom)
        kind = "image" if opener.image else "link"
        opener.node.text = ""
        opener.node.opens = [*(opener.node.opens or []), (kind, href)]
        self._literal("").closes = [(kind, href)]
        if not opener.image:
            self.inactive_below = len(self.brackets)
        return tail.end()

    def _unlink(self, delim: _Delim) -> None:
        if delim.prev is None:
            self.head = delim.next
        else:
            delim.prev.next = delim.next
        if delim.next is None:
            self.tail = delim.prev
        else:
            delim.next.prev = delim.prev

    def _process_emphasis(self, bottom: _Delim | None) -> None:
        """CommonMark's "process emphasis" over the delimiters above `bottom`, which are then removed."""
        closer = bottom.next if bottom is not None else self.head
        openers_bottom: dict[tuple[str, bool, int], _Delim | None] = {}
        while closer is not None:
            if not closer.can_close:
                closer = closer.next
                continue
            key = (closer.char, closer.can_open, closer.length % 3)
            floor = openers_bottom.get(key, bottom)
            opener = closer.prev
            while opener is not None and opener is not floor and opener is not bottom:
                if opener.char == closer.char and opener.can_open and not _odd_match(opener, closer):
                    break
                opener = opener.prev
            else:
                opener = None
            if opener is None:
                openers_bottom[key] = closer.prev
                following = closer.next
                if not closer.can_open:
                    self._unlink(closer)
                closer = following
                continue
            closer = self._match(opener, closer)
        while self.tail is not None and self.tail is not bottom:
            self._unlink(self.tail)

    def _match(self, opener: _Delim, closer: _Delim) -> _Delim | None:
        """Pair `opener` with `closer` (strong when both have two characters left); the delimiter to
        go on from."""
        count = 2 if len(opener.node.text) >= 2 and len(closer.node.text) >= 2 else 1
        kind = "strong" if count == 2 else "em"
        opener.node.text = opener.node.text[:-count]
        closer.node.text = closer.node.text[count:]
        _add(opener.node, "opens", (kind, ""))
        _add(closer.node, "closes", (kind, ""))
        between = opener.next
        while between is not None and between is not closer:
            following = between.next
            self._unlink(between)
            between = following
        if not opener.node.text:
            self._unlink(opener)
        if closer.node.text:
            return closer
        following = closer.next
        self._unlink(closer)
        return following


def _add(node: Node, field: str, event: Event) -> None:
    events = getattr(node, field)
    if events is None:
        setattr(node, field, [event])
    else:
        events.append(event)


def _odd_match(opener: _Delim, closer: _Delim) -> bool:
    """The rule of three: a run that can both open and close does not pair when the two lengths add up
    to a multiple of 3 (unless both are)."""
    if not (opener.can_close or closer.can_open):
        return False
    total = opener.length + closer.length
    return total % 3 == 0 and not (opener.length % 3 == 0 and closer.length % 3 == 0)
