"""The change classifier: does a change matter to a reader?

Per pair of texts (or per clause change):
- `links`       only link targets changed (URLs, tracking/session query strings, fragments);
- `cosmetic`    the canonical texts are equal: only whitespace, markup, quotes, case or numbering changed;
- `substantive` the words a reader reads changed.

Per recorded version: `first` for the first record; `blink` when its canonical text equals a version
recorded before the immediately previous one (a page flapping between variants); otherwise the class
of its change against the previous version, where a version is `substantive` only if a clause change
is neither page noise (`noise_ids`: leaked navigation, tickers, forum listings) nor a clause
flapping back to a text recorded in an earlier version (`class_of_version_diff`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Sequence
from functools import lru_cache
from typing import NamedTuple

from clausewatch.diff.normalize import canonical_key, canonical_text, is_link_only, targetless_blocks
from clausewatch.diff.sections import clause_changes
from clausewatch.models import ChangeClass, Clause, ClauseChange, Diff, VersionClass

_OBFUSCATED_EMAIL = re.compile(
    r"\[(?:\\\[)?email(?:&#160;|\s)protected(?:\\\])?\]\([^()\s]*\)|\[?email\s+protected\]?", re.IGNORECASE
)
"""The placeholder a CDN's e-mail obfuscation leaves in a page (`[email protected]`), with its link."""
_EMAIL = re.compile(r"\[[^\]@]*@[^\]@]+\]\(mailto:[^()\s]*\)|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
"""An e-mail address, or a `mailto:` link whose text holds one, with any words around it (a screen
reader's "opens email client"): the placeholder replaces the whole link."""


_WEB_ADDRESS = re.compile(
    r"(?<![@\w.-])(?:https?://)?(?:[\w-]+\.)+[a-z]{2,}(?:/[^\s()\[\]]*)?(?=[\s\])]|$)", re.IGNORECASE
)
"""A web address written out, with or without its scheme (`business.example.com/terms/c2c`)."""


def fold_obfuscated_emails(before: str, after: str) -> tuple[str, str]:
    """Both texts with every e-mail address and obfuscation placeholder folded to one token, when one
    of them has the placeholder: an address and its obfuscated form read the same."""
    if not (_OBFUSCATED_EMAIL.search(before) or _OBFUSCATED_EMAIL.search(after)):
        return before, after
    return _fold_emails(before), _fold_emails(after)


def _fold_emails(text: str) -> str:
    return _EMAIL.sub("EMAIL", _OBFUSCATED_EMAIL.sub("EMAIL", text))


def only_whitespace_changed(before: str, after: str) -> bool:
    """True when the texts differ at most in whitespace (line breaks of a re-flowed PDF, indentation)."""
    return "".join(before.split()) == "".join(after.split())


def classify_pair(before: str, after: str) -> ChangeClass:
    """Class of the change from text `before` to text `after` (identical texts count as cosmetic).

    `links` also when only a written-out web address or an obfuscated e-mail address differs."""
    if before != after and targetless_blocks(before) == targetless_blocks(after):
        return "links"
    if canonical_key(before) == canonical_key(after) or only_whitespace_changed(before, after):
        return "cosmetic"
    folded = fold_obfuscated_emails(before, after)
    if folded != (before, after) and canonical_key(folded[0]) == canonical_key(folded[1]):
        return "links"
    if _WEB_ADDRESS.search(before) or _WEB_ADDRESS.search(after):
        bare = [_WEB_ADDRESS.sub("", text) for text in (before, after)]
        if canonical_key(bare[0]) == canonical_key(bare[1]):
            return "links"
    return "substantive"


def clause_text(clause: Clause | None) -> str:
    """A clause's heading and text as one string, as the classifier compares them (number excluded)."""
    if clause is None:
        return ""
    return f"{clause.heading}\n\n{clause.text}" if clause.heading else clause.text


def classify_change(change: ClauseChange) -> ChangeClass:
    """Class of one clause change.

    An added or removed clause is substantive unless it has no words (`cosmetic`) or is nothing but
    links, like a menu leaking in or out of the extracted page (`links`).
    """
    before = clause_text(change.before)
    after = clause_text(change.after)
    if change.kind == "split":
        after = "\n\n".join([after, *(clause_text(c) for c in change.others)])
    elif change.kind == "merged":
        before = "\n\n".join([before, *(clause_text(c) for c in change.others)])
    if change.kind in ("added", "removed") and not canonical_text(before or after):
        return "cosmetic"
    if all(is_link_only(text) for text in (before, after) if text):
        return "links"
    return classify_pair(before, after)


def class_of_diff(diff: Diff) -> VersionClass:
    """`substantive` if any clause change is, else `cosmetic` or `links` by what changed."""
    summary = diff.summary
    if summary.substantive or any(c.change_class == "substantive" for c in clause_changes(diff.changes)):
        return "substantive"
    if summary.cosmetic or summary.renumbered or summary.moved:
        return "cosmetic"
    if summary.links or any(c.change_class == "links" for c in clause_changes(diff.changes)):
        return "links"
    return "cosmetic"


# --- page noise -----------------------------------------------------------------------------

_AGO = re.compile(r"\b(?:\d+|an?|one)\s+(?:second|minute|hour|day|week|month|year)s?\s+ago\b", re.IGNORECASE)
_BYLINE = re.compile(r"^(?:\[?[\w ]{1,20}\]?\s*)?by\s+\S+$", re.IGNORECASE)
_NUMBER = re.compile(r"[-+]?[$€£¥]?\d[\d,.\u2080-\u2089]*\s?%?")
_WORD = re.compile(r"[^\W\d_]+")
_QUOTED = re.compile(r"\"[^\"]*\"")
_SENTENCE_END = re.compile(r"[.;:!?][\"')\]*_]*$")
_FRAGMENT_WORDS = 10
"""At most this many words and no sentence end: a menu entry, a title, a button, not a clause of terms."""


MENU_PAGE_SENTENCES = 0.1
"""A version with fewer sentences than this share of its clauses is a menu page, not terms."""


def is_noise_text(text: str) -> bool:
    """True when a clause's text is page furniture rather than terms: nothing but links, a relative
    timestamp (`3 days ago`), a byline (`[Resolved] by alice`), a number, price or percentage with at
    most one word (`0 votes`, `$84,804.19`, `+0.6% BTC`), or a menu row (`Sign In | Join Free`)."""
    if is_link_only(text):
        return True
    plain = _QUOTED.sub(" ", canonical_text(text))
    if not _WORD.search(plain) or _AGO.search(text) or _BYLINE.match(plain):
        return True
    if _NUMBER.search(plain) and len(_WORD.findall(_NUMBER.sub(" ", plain))) <= 1:
        return True
    cells = text.strip().split("|")
    return "\n" not in text.strip() and len(cells) >= 2 and all(0 < len(c.split()) <= 3 for c in cells)


class _Facts(NamedTuple):
    noise: bool
    fragment: bool
    sentence: bool
    words: int


@lru_cache(maxsize=1 << 16)
def _facts(text: str) -> _Facts:
    """What `noise_ids` needs to know of one clause text; cached: versions share most clauses."""
    plain = canonical_text(text)
    words = len(_WORD.findall(plain))
    fragment = words <= _FRAGMENT_WORDS and not _SENTENCE_END.search(plain) and not any(map(str.isdigit, plain))
    sentence = words > _FRAGMENT_WORDS or bool(_SENTENCE_END.search(text.strip()))
    return _Facts(is_noise_text(text), fragment, sentence, words)


def is_fragment(clause: Clause) -> bool:
    """A short text that is not a sentence and states no date or number: a menu entry, a title."""
    return _facts(clause_text(clause)).fragment


def noise_ids(clauses: Sequence[Clause]) -> frozenset[str]:
    """Ids of the clauses of one version that are page furniture, not terms (pure, by neighbourhood):

    - noise texts (`is_noise_text`);
    - a listing entry: a short list item whose sub-items are mostly noise (a forum or news listing:
      bylines, timestamps, counts), and all its sub-items;
    - fragments (`is_fragment`) at the page's edges: before the first sentence (a header, a menu, a
      table of contents) or after the last sentence or heading (a footer);
    - every fragment of a page that is mostly not sentences (fewer than `MENU_PAGE_SENTENCES` of its
      clauses): an extraction that caught the site menu instead of the terms (Wix `80548a0b5e`: 3
      sentences in 78 clauses; the labelled legal list changes are in texts with 21% or more).
    """
    facts = [_facts(clause_text(c)) for c in clauses]
    children: dict[str, list[Clause]] = defaultdict(list)
    for clause in clauses:
        if clause.parent:
            children[clause.parent].append(clause)
    found = {c.id for c, fact in zip(clauses, facts, strict=True) if fact.noise}
    for clause, fact in zip(clauses, facts, strict=True):
        below = children.get(clause.id, [])
        if (
            clause.kind == "item"
            and len(below) >= 2
            and 2 * sum(c.id in found for c in below) >= len(below)
            and fact.words <= 15
        ):
            found.add(clause.id)
            found.update(c.id for c in below)
    sentences = [i for i, fact in enumerate(facts) if fact.sentence]
    if len(sentences) < MENU_PAGE_SENTENCES * len(clauses):
        found.update(c.id for c, fact in zip(clauses, facts, strict=True) if fact.fragment)
    elif sentences:
        headings = (i for i, c in enumerate(clauses) if c.kind == "heading" and facts[i].words)
        last = max([sentences[-1], *headings])
        edges = [*range(sentences[0]), *range(last + 1, len(clauses))]
        found.update(clauses[i].id for i in edges if facts[i].fragment)
    return frozenset(found)


@lru_cache(maxsize=1 << 16)
def _text_key(text: str) -> str:
    return canonical_key(text)


def clause_key(clause: Clause) -> str:
    """The canonical key of a clause's heading and text: equal keys read the same."""
    return _text_key(clause_text(clause))


def new_side(change: ClauseChange) -> tuple[Clause, ...]:
    """The new clauses of a change (none for a removal; all the parts of a split)."""
    if change.after is None:
        return ()
    return (change.after, *change.others) if change.kind == "split" else (change.after,)


def _old_side(change: ClauseChange) -> tuple[Clause, ...]:
    if change.before is None:
        return ()
    return (change.before, *change.others) if change.kind == "merged" else (change.before,)


def is_noise_change(
    change: ClauseChange,
    old_noise: Collection[str],
    new_noise: Collection[str],
    seen: Collection[str] = (),
    kept: Collection[str] = (),
) -> bool:
    """True when a substantive clause change is not one a reader must see: every clause on both sides
    is page noise (ids in `old_noise` / `new_noise`); or its new text was already recorded in an
    earlier version of the document (`seen`: clause keys) — the clause flapped back; or it removes a
    clause whose text the new version still has (`kept`: its clause keys) — a duplicate dropped."""
    old, new = _old_side(change), new_side(change)
    if all(c.id in old_noise for c in old) and all(c.id in new_noise for c in new):
        return True
    if not new:
        return bool(old) and all(clause_key(c) in kept for c in old)
    return all(clause_key(c) in seen for c in new)


def class_of_version_diff(
    diff: Diff, before: Sequence[Clause], after: Sequence[Clause], seen: Collection[str] = ()
) -> VersionClass:
    """`class_of_diff`, with the substantive clause changes that are page noise or flapping clauses
    (`is_noise_change`) counted as cosmetic. `before`/`after` are the two versions' clauses (their
    neighbourhood tells a leaked menu from a clause), `seen` the clause keys of earlier versions."""
    wanted = [c for c in clause_changes(diff.changes) if c.change_class == "substantive"]
    if not wanted:
        return class_of_diff(diff)
    if is_cut_short(before, after) or is_capture_failure(before, after):
        return "cosmetic"
    old_noise, new_noise = noise_ids(before), noise_ids(after)
    kept = {clause_key(c) for c in after} if any(c.kind == "removed" for c in wanted) else set()
    if any(not is_noise_change(c, old_noise, new_noise, seen, kept) for c in wanted):
        return "substantive"
    return "cosmetic"


_LOST_WORDS = 10
"""A version with at most this many words, of a document that had ten times more, lost its text."""


def is_text_lost(before: Sequence[Clause], after: Sequence[Clause]) -> bool:
    """True when the new version kept at most a title of a document that had a text (an empty or
    failed extraction, an error page): not a document that lost its terms."""
    return word_count(after) <= _LOST_WORDS and word_count(before) >= 10 * _LOST_WORDS


def word_count(clauses: Sequence[Clause]) -> int:
    """The words of a version's clauses (headings included), as `noise_ids` counts them."""
    return sum(_facts(clause_text(c)).words for c in clauses)


ERROR_PAGE_WORDS = 120
"""An error page is at most this many words, and the text it replaced at least ten times more."""
_ERROR_PAGE = re.compile(
    r"\b(?:not found|404|can(?:no|'|’)t find (?:the|this) page|page you (?:were|are) (?:trying to reach|looking "
    r"for)|something went wrong|we ran into an? (?:issue|error|problem)|(?:component|internal server|an) error|"
    r"typeerror|unexpected error|(?:service|temporarily|currently) unavailable|dns failure|access denied|"
    r"page (?:isn't|is not|isn’t) available|temporarily blocked|(?:log|sign) ?in to continue|redirecting|"
    r"forgot (?:your )?(?:password|e-?mail))\b",
    re.IGNORECASE)


def is_capture_failure(before: Sequence[Clause], after: Sequence[Clause]) -> bool:
    """True when the new version is no text of the document but a failed capture: at most a title
    (`is_text_lost`) or an error page (`is_error_page`)."""
    return is_text_lost(before, after) or is_error_page(before, after)


def is_error_page(before: Sequence[Clause], after: Sequence[Clause]) -> bool:
    """True when a short error page took the place of a long text ("We're sorry. We can't find the page
    you were trying to reach", "Uh Oh. We ran into an issue", a script's "TypeError", "Service Unavailable -
    DNS failure", a login wall or a block: "You must log in to continue", "You're temporarily blocked").
    A short page that says the document moved ("this page is being retired: click here for the new
    terms", "the privacy notice is no longer available") is news."""
    new = word_count(after)
    if new > ERROR_PAGE_WORDS or word_count(before) < 10 * max(new, 1):
        return False
    return bool(_ERROR_PAGE.search(" ".join(canonical_text(clause_text(c)) for c in after)))


def is_cut_short(before: Sequence[Clause], after: Sequence[Clause]) -> bool:
    """True when the new version is the old one cut off in the middle of a word (`… we manuall`): an
    extraction that stopped early, not a document that lost its end (that ends on a whole word)."""
    if not after or len(after) > len(before):
        return False
    cut = len(after) - 1
    if any(clause_text(a) != clause_text(b) for a, b in zip(after[:cut], before[:cut], strict=True)):
        return False
    old = _WORD.findall(clause_text(before[cut]))
    new = _WORD.findall(clause_text(after[cut]))
    last = len(new) - 1
    return (
        0 <= last < len(old)
        and old[:last] == new[:last]
        and old[last] != new[last]
        and old[last].startswith(new[last])
    )
