"""Segmentation: a Markdown document as a flat tuple of clauses that forms a tree.

A clause is a heading, a numbered section (`1.`, `1.1`, `1.1.2`, `(a)`, `(iv)`, `a)`, `Section 12`,
`Article 3`, `§ 4`, bold lead-ins such as `**10.4 Customer License Grant**.`), a paragraph or a list
item. Each clause keeps its number apart from its text, so renumbering never changes a clause's text
or its id. Ids are slugs of the heading (or of the first words when there is none), unique within
the document through a deterministic `-2`, `-3` suffix, and safe as URL fragments.

One pass over the lines, one regex per line: linear in the size of the document.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from clausewatch.models import Clause, ClauseKind
from clausewatch.slugs import slugify

_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$|^ {0,3}(#{1,6})[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_RULE = re.compile(r"^ {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
_MARKER = re.compile(r"^([ \t]*)([*+-]|\d{1,3}[.)])(?:[ \t]+|$)")
_QUOTE = re.compile(r"^ {0,3}(?:> ?)+")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")

_NUMBER = re.compile(
    r"""^(?P<num>
        (?i:(?:section|article|clause|part|chapter|schedule|annex|appendix)\s+\d{1,3}[a-z]?(?:\.\d{1,3})*)[.:]?
      | §{1,2}\s*\d{1,3}(?:\.\d{1,3})*\.?
      | \d{1,3}(?:\.\d{1,3})+\\?\.?
      | \d{1,3}\\?[.)]
      | \((?:\d{1,3}|[a-z]{1,2}|[ivxlc]{1,6}|[A-Z])\)
      | (?:[a-z]|[ivxlc]{1,6})\)
      | (?:[A-Z]|[IVXLC]{1,6})\.
    )(?=\s|$)""",
    re.VERBOSE,
)
_BARE_NUMBER = re.compile(r"^(?P<num>\d{1,3})(?=\s)")
_BOLD_LEAD = re.compile(r"^(\*\*|__)(?P<inner>(?:(?!\1).){1,160}?)\1(?P<after>[.:]?)(?=\s|$)", re.DOTALL)
_HEADING_SEP = re.compile(r"^[\s.:\-–—)]+")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKUP = re.compile(r"[*_`#>|\\]+")

_HEADING_MAX_WORDS = 14
_ID_WORDS = 6
_ID_MAX_CHARS = 48


@dataclass(frozen=True, slots=True)
class _Block:
    """One block of the document: heading (level 1-6), or a paragraph/list item with its indent."""

    kind: str
    text: str
    level: int = 0
    number: str | None = None


@lru_cache(maxsize=16)
def split_clauses(markdown: str) -> tuple[Clause, ...]:
    """The clauses of a Markdown document in document order; `parent`/`level` form the clause tree.

    Cached for the last few texts: walking a history diffs each version twice (as new, then as old).
    """
    used: set[str] = set()
    stack: list[tuple[int, str]] = []
    clauses: list[Clause] = []
    for block in iter_blocks(markdown):
        number, heading, text, kind, rank, base_id = _parse_block(block)
        if not (heading or text or number):
            continue
        clause_id = unique_id(base_id, used)
        _pop_for(stack, rank, kind)
        parent = stack[-1][1] if stack else None
        clauses.append(Clause(clause_id, number, heading, text, kind, len(stack), parent))
        if kind != "paragraph":
            stack.append((rank, clause_id))
    return tuple(clauses)


def iter_blocks(markdown: str) -> Iterator[_Block]:
    """The blocks of a Markdown text: ATX and setext headings, paragraphs, list items, fenced code.

    Blockquote markers are dropped: a quoted clause is still a clause (`> (a) ...` is numbered `(a)`).
    """
    lines = markdown.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    current: list[str] = []
    current_kind, current_indent, fence = "", 0, ""
    for line in lines:
        if fence:
            current.append(line)
            if line.strip().startswith(fence):
                yield _Block("paragraph", "\n".join(current))
                current, fence = [], ""
            continue
        line = _QUOTE.sub("", line)
        setext = _SETEXT.match(line)
        if setext and current and current_kind in ("paragraph", "numbered"):
            yield _Block("heading", "\n".join(x.strip() for x in current), 1 if "=" in setext.group(1) else 2)
            current, current_kind = [], ""
            continue
        stripped = line.strip()
        atx = _ATX.match(line)
        marker = _MARKER.match(line)
        fence_open = _FENCE.match(line)
        starts_new = not stripped or atx or _RULE.match(line) or marker or fence_open
        if starts_new or current_kind == "":
            if current:
                yield _Block(current_kind, "\n".join(current), current_indent)
            current, current_kind = [], ""
        if not stripped or _RULE.match(line):
            continue
        if atx:
            yield _Block("heading", (atx.group(2) or "").strip(), len(atx.group(1) or atx.group(3)))
        elif fence_open:
            fence = fence_open.group(1)[:3]
            current, current_kind, current_indent = [line], "paragraph", 0
        elif marker:
            current_indent = len(marker.group(1).expandtabs(4))
            current_kind = "item" if marker.group(2)[0] in "*+-" or current_indent else "numbered"
            current = [marker.group(2) + " " + line[marker.end():] if current_kind == "numbered"
                       else line[marker.end():]]
        elif not current:
            current, current_kind, current_indent = [stripped], "paragraph", 0
        else:
            current.append(stripped)
    if current:
        yield _Block(current_kind, "\n".join(current), current_indent)


@lru_cache(maxsize=32768)
def _parse_block(block: _Block) -> tuple[str | None, str | None, str, ClauseKind, int, str]:
    """(number, heading, text, kind, rank, base id) of a block; a lower rank encloses a higher one.

    Cached: consecutive versions of a document share almost all their blocks.
    """
    number, heading, text, kind, rank = _parse_parts(block)
    return number, heading, text, kind, rank, _base_id(heading, text)


def clear_block_cache() -> None:
    """Forget the memoized block parses."""
    _parse_block.cache_clear()


def _parse_parts(block: _Block) -> tuple[str | None, str | None, str, ClauseKind, int]:
    if block.kind == "heading":
        number, rest = _take_number(_strip_bold(block.text), heading=True)
        title = (_HEADING_SEP.sub("", rest) if number else rest).strip().rstrip(".:").strip()
        return number, title or None, "", "heading", block.level
    number, heading, text = _take_lead_in(block.text.strip())
    if block.kind == "item":
        return number, heading, text, "item", 30 + block.level
    if number and heading is None and _looks_like_title(number, text):
        return number, _HEADING_SEP.sub("", text).strip(), "", "heading", _number_rank(number)
    if number:
        return number, heading, text, "section", _number_rank(number)
    if heading and not text:
        return None, heading, "", "heading", 7
    if heading:
        return None, heading, text, "section", 8
    return None, None, text, "paragraph", 40


def _take_lead_in(text: str) -> tuple[str | None, str | None, str]:
    """Split `**10.4 Grant**. Text`, `**1.1.** Text`, `1.1 Text`, `**Grant.** Text` into parts."""
    number, rest = _take_number(text, heading=False)
    bold = _BOLD_LEAD.match(rest)
    if bold is None:
        return number, None, rest
    inner = bold.group("inner").strip()
    if number is None:
        number, inner = _take_number(inner, heading=False)
        inner = _HEADING_SEP.sub("", inner).strip() if number else inner
    after = rest[bold.end():].strip()
    is_lead = number is not None or bold.group("after") or inner.endswith((".", ":")) or not after
    if not inner:
        return number, None, after
    if not is_lead or len(inner.split()) > _HEADING_MAX_WORDS:
        return number, None, rest
    return number, inner.rstrip(".:").strip() or None, after


def _looks_like_title(number: str, text: str) -> bool:
    """True for `1. Definitions`, `Article 3 - Scope`: a short unpunctuated line after a number."""
    text = _HEADING_SEP.sub("", text)
    if number.startswith("(") or number.endswith(")") or "\n" in text or not text:
        return False
    words = text.split()
    return text[0].isupper() and not text.endswith((".", ";", ",", ":")) and len(words) <= 10


def _take_number(text: str, *, heading: bool) -> tuple[str | None, str]:
    """The leading clause number of `text` (as written) and the rest, stripped."""
    match = _NUMBER.match(text) or (_BARE_NUMBER.match(text) if heading else None)
    if match is None:
        return None, text
    return match.group("num").replace("\\", ""), text[match.end():].strip()


def _strip_bold(text: str) -> str:
    if len(text) > 4 and text[:2] in ("**", "__") and text.endswith(text[:2]) and text[:2] not in text[2:-2]:
        return text[2:-2].strip()
    return text


def _number_rank(number: str) -> int:
    """Nesting rank of a numbering style: `IV.` < `Article 3` < `1.` < `1.1` < `A.` < `(a)` < `(i)`."""
    if re.match(r"^[IVXLC]+\.$", number):
        return 9
    if number.startswith("(") or number.endswith(")"):
        inner = number.strip("()")
        if inner.isdigit():
            return 23
        if re.fullmatch(r"[ivxlc]+", inner) and (len(inner) > 1 or inner in "ivx"):
            return 22
        return 21 if inner.islower() else 20
    if re.match(r"^[A-Z]\.$", number):
        return 19
    digits = re.findall(r"\d+", number)
    return 10 + max(len(digits), 1)


def _pop_for(stack: list[tuple[int, str]], rank: int, kind: ClauseKind) -> None:
    """Pop the enclosing clauses that cannot contain a clause of this rank and kind."""
    limit = 30 if kind == "paragraph" else rank
    while stack and stack[-1][0] >= limit:
        stack.pop()


def plain_words(markdown: str) -> list[str]:
    """The words of a Markdown fragment: link targets and markup dropped."""
    return _MARKUP.sub(" ", _LINK.sub(r"\1", markdown)).split()


def _base_id(heading: str | None, text: str) -> str:
    """A slug of the heading, or of the first words of the text; starts with a letter."""
    source = heading if heading else " ".join(plain_words(text[:400])[: _ID_WORDS * 2])
    words = slugify(source).split("-")[: _ID_WORDS + (2 if heading else 0)]
    slug = ""
    for word in words:
        if slug and len(slug) + 1 + len(word) > _ID_MAX_CHARS:
            break
        slug = f"{slug}-{word}" if slug else word[:_ID_MAX_CHARS]
    if slug in ("", "untitled"):
        return "clause"
    return slug if slug[0].isalpha() else f"c-{slug}"


def unique_id(base: str, used: set[str]) -> str:
    """`base`, or `base-2`, `base-3`, ... the first one not used yet (recorded as used)."""
    candidate, n = base, 1
    while candidate in used:
        n += 1
        candidate = f"{base}-{n}"
    used.add(candidate)
    return candidate


def full_text(clause: Clause | None) -> str:
    """A clause's heading and text as one string (number excluded), as diffs and classifiers see it."""
    if clause is None:
        return ""
    if clause.heading and clause.text:
        return f"{clause.heading}\n\n{clause.text}"
    return clause.heading or clause.text
