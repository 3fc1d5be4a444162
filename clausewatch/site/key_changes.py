"""Key changes: which clauses of a change matter most, and the one sentence that carries each.

A real restructure changes a hundred clauses, nearly all "substantive"; the reader needs the few that
matter first. The ranking, the same on change pages, in feeds, on topic pages and the home page:

1. topic significance: the heaviest topic the change touches (`weight` in topics.yml; AI training and
   content licences weigh most, since they are why this archive exists);
2. kind: a new or removed clause (a new or dropped obligation) before an edit of one;
3. size: more words added or removed first; then reading order.

The sentence shown for each is the sentence of the added (or removed) text where its heaviest topic
matched, else the first changed sentence. Pure.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from clausewatch.diff.clauses import plain_words
from clausewatch.diff.render import anchor_changes, body_ops
from clausewatch.diff.topics import Topic, iter_changed_matches, side_text
from clausewatch.models import ClauseChange, Diff
from clausewatch.site.escape import block_text

LIMIT = 7
"""Key changes listed at the top of a change page."""
SENTENCE_CHARS = 280
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class KeyChange:
    """One ranked clause change of a change page, as its key-changes entry shows it."""

    anchor: str
    """The card's (or the clause's) anchor on the change page."""
    kind: str
    number_before: str
    number_after: str
    heading: str
    """The section's heading, or the first words of a clause without one (Markdown as archived)."""
    topics: tuple[str, ...]
    sentence: str
    """The sentence carrying the change (Markdown as archived), '' if none could be told."""
    side: str
    """`after` when the sentence was added, `before` when it was removed."""
    weight: int
    size: int
    change: ClauseChange | None = None
    """The (section) change itself."""
    count: int = 1
    """How many changes this entry stands for (the same text added or removed more than once)."""


def rank_changes(diff: Diff, topics: Sequence[Topic], limit: int | None = LIMIT) -> list[KeyChange]:
    """The substantive changes of `diff`, most important first (see the module docstring)."""
    ranked = _ranked(diff.changes, tuple(topics))
    return ranked[:limit] if limit is not None else list(ranked)


_RECENT: list[tuple[tuple[ClauseChange, ...], tuple[Topic, ...], list[KeyChange]]] = []
"""The last few rankings, by the identity of the changes ranked: one change is ranked for its page's key
changes, its headline and its feed entry (three times the same work, 4% of page generation)."""


def _ranked(changes: tuple[ClauseChange, ...], topics: tuple[Topic, ...]) -> list[KeyChange]:
    for seen, seen_topics, ranked in _RECENT:
        if seen is changes and len(seen_topics) == len(topics) and all(map(operator.is_, seen_topics, topics)):
            return ranked
    ranked = _rank(changes, topics)
    _RECENT[:] = [(changes, topics, ranked), *_RECENT[:3]]
    return ranked


def _rank(changes: tuple[ClauseChange, ...], topics: Sequence[Topic]) -> list[KeyChange]:
    weights = {t.id: t.weight for t in topics}
    found = []
    for order, item in enumerate(anchor_changes(changes)):
        change = item.change
        if change.change_class != "substantive":
            continue
        weight = max((weights.get(t, 1) for t in change.topics), default=0)
        part = _carrier(item.parts, change, weights)
        sentence, side = _sentence(part, topics, weights)
        size = _size(change)
        found.append((-weight, 0 if change.kind in ("added", "removed") else 1, -size, order,
                      KeyChange(item.anchor, change.kind,
                                _number(change.before), _number(change.after), _heading(change),
                                change.topics, sentence, side, weight, size, change)))
    return _merge_repeats([entry for *_, entry in sorted(found, key=lambda f: f[:4])])


def _merge_repeats(entries: list[KeyChange]) -> list[KeyChange]:
    """One entry for the same clause text added (or removed) several times (a block repeated on the
    page), counted: a reader needs it once."""
    out: dict[tuple[str, str, str], KeyChange] = {}
    for entry in entries:
        key = (entry.kind, plain_text(entry.heading), plain_text(entry.sentence))
        seen = out.get(key)
        out[key] = replace(seen, count=seen.count + 1) if seen else entry
    return list(out.values())


def headline(diff: Diff | None, topics: Sequence[Topic]) -> str:
    """One line saying what a change did, from its top key change: `Added 10.1 Customer Content: “…”`."""
    if diff is None:
        return ""
    ranked = rank_changes(diff, topics, limit=1)
    if not ranked:
        return ""
    top = ranked[0]
    label = {"added": "Added", "removed": "Removed"}.get(top.kind, "Changed")
    number = top.number_after or top.number_before
    title = plain_text(f"{number} {top.heading}".strip() if top.heading else number)
    quote = f": “{plain_text(top.sentence)}”" if top.sentence else ""
    return f"{label} {title}{quote}".strip()


def _carrier(parts: Iterable[tuple[ClauseChange, str]], change: ClauseChange,
             weights: dict[str, int]) -> ClauseChange:
    """The clause change that carries a section's change: its heaviest topic's, else its first
    substantive one with words (not a bare title)."""
    candidates = [p for p, _ in parts if p.change_class == "substantive"] or [p for p, _ in parts]
    if not candidates:
        return change
    worded = [p for p in candidates if any(c is not None and c.text.strip() for c in (p.after, p.before))]
    candidates = worded or candidates  # a title alone says less than the words under it
    best = max(range(len(candidates)),
               key=lambda k: (max((weights.get(t, 1) for t in candidates[k].topics), default=0), -k))
    return candidates[best]


def _sentence(change: ClauseChange, topics: Sequence[Topic], weights: dict[str, int]) -> tuple[str, str]:
    """The sentence of the change where its heaviest topic matched, else the first changed sentence."""
    if change.topics:
        heaviest = max(change.topics, key=lambda t: weights.get(t, 1))
        for side, text, matches in iter_changed_matches(change, topics):
            mine = [m for m in matches if m.topic_id == heaviest]
            if mine:
                return sentence_at(text, mine[0].start), side
    heading = " ".join(plain_text(change.after.heading or "").split()) if change.after else ""
    for side in ("after", "before"):
        text, changed = side_text(body_ops(change), side)
        if changed:
            sentence = sentence_at(text, changed[0][0])
            title = re.search(r"\s+".join(map(re.escape, heading.split())), text) if heading else None
            rest = text[title.end():] if title else ""
            follows = len(text) - len(rest.lstrip())  # where the words after the title start
            if sentence == heading and follows < len(text):  # the title: say what follows
                sentence = sentence_at(text, follows)
            return sentence, side
    return "", "after"


def sentence_at(text: str, offset: int) -> str:
    """The sentence of `text` around `offset`, one line; a sentence longer than `SENTENCE_CHARS` is cut
    to that many characters around `offset` (at words, with `…`), so the matched words stay in it."""
    start, end = 0, len(text)
    for match in _SENTENCE_END.finditer(text):
        if match.end() > offset:
            end = match.start()
            break
        start = match.end()
    if end - start <= SENTENCE_CHARS:
        return " ".join(text[start:end].split())
    low = max(start, min(offset - SENTENCE_CHARS // 3, end - SENTENCE_CHARS))
    high = min(end, low + SENTENCE_CHARS)
    window = text[low:high]
    if low > start:
        window = "… " + window.split(" ", 1)[-1]
    if high < end:
        window = window.rsplit(" ", 1)[0] + " …"
    return " ".join(window.split())


def _size(change: ClauseChange) -> int:
    """Words added or removed by a change (its parts' for a section)."""
    total = 0
    for part in change.parts or (change,):
        total += sum(len(_WORD.findall(op.text)) for op in body_ops(part) if op.op != "equal")
    return total


def _number(clause: object) -> str:
    number = getattr(clause, "number", None)
    return number.rstrip(".") if number else ""


def _heading(change: ClauseChange) -> str:
    clause = change.after or change.before
    if clause is None:
        return ""
    if clause.heading:
        return " ".join(clause.heading.split())
    words = clause.text.split()
    return " ".join(words[:10]) + (" …" if len(words) > 10 else "")


def render_key_changes(entries: Sequence[KeyChange], titles: dict[str, str], *, total: int) -> str:
    """The key-changes box at the top of a change page (an HTML fragment, `id="key-changes"`): each
    entry links to its card and shows its numbers, heading, topics and the sentence carrying it."""
    if not entries:
        return ""
    items = "".join(_entry_html(entry, titles) for entry in entries)
    more = total - len(entries)
    tail = (f'<p class="cw-key-more">{more} more substantive change{"s" if more != 1 else ""} below, in the '
            "order of the document.</p>") if more > 0 else ""
    return (f'<div class="cw-key-changes" id="key-changes"><p class="cw-key-title">Key changes</p>'
            f'<ol class="cw-key-list">{items}</ol>{tail}</div>\n')


def _entry_html(entry: KeyChange, titles: dict[str, str]) -> str:
    numbers = " → ".join(f"§{n}" for n in dict.fromkeys(n for n in (entry.number_before, entry.number_after) if n))
    number = f'<span class="cw-key-number">{block_text(numbers)}</span> ' if numbers else ""
    kind = {"added": "added", "removed": "removed", "moved": "moved and changed"}.get(entry.kind, "changed")
    kind += f", {entry.count} times" if entry.count > 1 else ""
    badges = "".join(f' <span class="cw-badge">{block_text(titles.get(t, t))}</span>' for t in entry.topics)
    quote = ""
    if entry.sentence and plain_text(entry.sentence) != plain_text(entry.heading):
        verb = "removed" if entry.side == "before" else "now says"
        quote = f' <span class="cw-key-quote">{verb}: <q>{block_text(plain_text(entry.sentence))}</q></span>'
    return (f'<li><a class="cw-key-link" href="#{block_text(entry.anchor)}">{number}'
            f'<span class="cw-key-heading">{block_text(plain_text(entry.heading))}</span></a> '
            f'<span class="cw-key-kind">({kind})</span>{badges}{quote}</li>')


def plain_text(markdown: str) -> str:
    """Archived Markdown as the words a reader reads (markup and link targets dropped), one line."""
    return " ".join(plain_words(markdown))
