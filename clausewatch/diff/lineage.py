"""Clause lineage: one clause followed through a document's published history, whatever its number.

A clause's id (a slug of its heading or first words) is unique within one version, not across them: a
new heading renames it, a new clause before it can turn `fees` into `fees-2`. Its *lineage* is what
stays: the chain of clauses the alignment paired from version to version (`align.align_clauses`, as the
diff of each change shows it), so the clause renumbered from §4 to §10.1, moved, re-headed or reworded
stays one clause. `trace_clauses` walks a document's history oldest first and gives, at the versions
that have a change page (the first record, each substantive change):

- every lineage a **permanent id**: the id its clause had when first recorded, made unique among the
  document's lineages by `-2`, `-3` in the order they were first recorded (`clauses.unique_id`, the
  rule clause ids already follow). Lineages are created oldest first and a version's lineages depend
  only on the versions before it, so an id never changes as history grows;
- the **events** of each section (a heading and its clauses, or one clause standing alone: the card a
  change page shows): first recorded, added, changed, moved, renumbered, removed, restored (a clause
  added back with the words or the heading of one removed earlier), each at the published version it
  happened in, with the card and its anchor on that change page;
- the **doubts**: where the identity is a judgement, it is said, never silently guessed. `split` (the
  clause became several: the history follows the first part), `split-from`, `merged` (several became
  this one), `merged-into`, `weak` (paired with a different id on less than half of its words), and
  `between` (it changed in recordings that have no change page: a flip back to an earlier text, a
  formatting-only recording; the change shows at the next published version).

The pairing is read back from each diff (its clause changes cover every clause that changed; the rest
kept their words and pair by id and text), so tracing costs no second alignment (2 s for the 3,300
versions of every 10th document of the bundle, against 63 s to classify them). Versions without a diff
(blinks) are bridged by id, then by words. Pure.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from clausewatch.diff.align import ID_SIMILARITY, match_key, similarity
from clausewatch.diff.clauses import full_text, split_clauses, unique_id
from clausewatch.diff.compare import same_number
from clausewatch.diff.history import HistoryEntry
from clausewatch.diff.pairing import ClausePairing, Doubt, read_pairing
from clausewatch.diff.render import anchor_changes
from clausewatch.diff.sections import section_roots
from clausewatch.models import Clause, ClauseChange, Diff

EventKind = Literal["first", "added", "restored", "changed", "moved", "renumbered", "removed"]
ORIGINS: frozenset[str] = frozenset({"first", "added"})
"""Event kinds that start a history: a lineage with nothing else has no page of its own."""


@dataclass(frozen=True, slots=True)
class ClauseEvent:
    """What happened to one section in one published version (`index`: its place in the history)."""

    index: int
    kind: EventKind
    clause_id: str
    """The section's clause id in that version: after the change, or before it when removed."""
    before: Clause | None
    """The section's first clause before the change (its number and heading), None when added."""
    after: Clause | None
    change: ClauseChange | None = None
    """The card the change page shows for it (None: first records, renumbering alone, `between`)."""
    anchor: str = ""
    """The card's anchor on the change page ('' when the page shows no card for it)."""
    doubts: tuple[Doubt, ...] = ()
    related: tuple[str, ...] = ()
    """Lineage ids of the other clauses of a split or merge."""


@dataclass(slots=True)
class Lineage:
    """One clause across versions. Built while tracing, read-only afterwards."""

    id: str
    origin: int
    """The history index of the version it was first recorded in."""
    states: list[tuple[int, Clause]] = field(default_factory=list)
    """Its clause at its first record and at each published version that changed its words."""
    events: list[ClauseEvent] = field(default_factory=list)
    """Its events as the head of a section, oldest first."""
    alive: bool = True
    gone: list[int] = field(default_factory=list)
    """The history indices at which it went out of the text (it may have come back since)."""


@dataclass(frozen=True, slots=True)
class ClauseHistory:
    """Every lineage of one document, and where each version's clauses belong."""

    lineages: Mapping[str, Lineage]
    """Permanent id → lineage, in the order they were first recorded."""
    sections: Mapping[int, Mapping[str, str]]
    """Published history index → {clause id → lineage id of its section}: every clause of that version,
    then the clauses its diff removed (for commentary: which history a note on a clause belongs to)."""
    cards: Mapping[int, Mapping[str, str]]
    """Published history index → {card anchor on its change page → lineage id of the card's section}."""
    latest: Mapping[str, str]
    """Clause id in the latest recorded version → lineage id."""


@dataclass(slots=True)
class _Tracer:
    lineages: dict[str, Lineage] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)
    ended_keys: dict[str, str] = field(default_factory=dict)
    """Match key of a removed lineage's last clause → its lineage id."""
    ended_ids: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Last clause id of a removed lineage → (its lineage id, its last match key)."""
    ended_as: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Removed lineage id → (the match key, the clause id) it is listed under above."""
    pending: list[tuple[str, ClauseEvent]] = field(default_factory=list)
    """Sections added or removed in versions without a change page: shown at the next one (`between`)."""
    _roots: dict[int, tuple[Sequence[Clause], list[int]]] = field(default_factory=dict)

    def roots(self, clauses: Sequence[Clause]) -> list[int]:
        """`section_roots` of a version, computed once (a diff's new side is the next one's old side)."""
        cached = self._roots.get(id(clauses))
        if cached is None or cached[0] is not clauses:
            if len(self._roots) > 4:
                self._roots.clear()
            cached = self._roots[id(clauses)] = (clauses, section_roots(clauses))
        return cached[1]

    def event(self, lid: str, event: ClauseEvent, *, shown: bool) -> None:
        """Record an event at a published version; at another one, keep it for the next published one
        (additions and removals only: the rest of what such a version changed is formatting)."""
        if shown:
            self.lineages[lid].events.append(event)
        elif event.kind in ("added", "restored", "removed"):
            self.pending.append((lid, replace(event, change=None, anchor="", doubts=("between",))))

    def flush(self, index: int) -> None:
        for lid, event in self.pending:
            self.lineages[lid].events.append(replace(event, index=index))
        self.pending.clear()

    def create(self, clause: Clause, index: int) -> Lineage:
        lineage = Lineage(unique_id(clause.id, self.used), index, [(index, clause)])
        self.lineages[lineage.id] = lineage
        return lineage

    def end(self, lid: str, clause: Clause, index: int) -> None:
        self.lineages[lid].alive = False
        self.lineages[lid].gone.append(index)
        key = match_key(clause)
        self.ended_keys[key] = lid
        self.ended_ids[clause.id] = (lid, key)
        self.ended_as[lid] = (key, clause.id)

    def appear(self, clause: Clause, index: int) -> tuple[str, bool]:
        """The lineage of a clause that was not there before, and whether it is one removed earlier that
        it restores (the same words, or the same id with similar words), else a new one."""
        key = match_key(clause)
        lid = self.ended_keys.get(key)
        if lid is None and clause.id in self.ended_ids:
            candidate, old_key = self.ended_ids[clause.id]
            lid = candidate if similarity(old_key, key) >= ID_SIMILARITY else None
        if lid is None or self.lineages[lid].alive:
            return self.create(clause, index).id, False
        lineage = self.lineages[lid]
        lineage.alive = True
        lineage.states.append((index, clause))
        old_key, old_id = self.ended_as.pop(lid)
        if self.ended_keys.get(old_key) == lid:
            del self.ended_keys[old_key]
        if self.ended_ids.get(old_id, ("",))[0] == lid:
            del self.ended_ids[old_id]
        return lid, True


def trace_clauses(history: Sequence[HistoryEntry], published: Sequence[bool]) -> ClauseHistory:
    """The lineages of one document's clauses over its history (`published[i]`: whether `history[i]`
    has a change page; the first record always does). Every diff carries the clauses over; only the
    published versions record events (what another version added or removed shows at the next one)."""
    tracer = _Tracer()
    sections: dict[int, dict[str, str]] = {}
    cards: dict[int, dict[str, str]] = {}
    state: dict[str, str] = {}
    clauses: tuple[Clause, ...] = ()
    for index, (entry, shown) in enumerate(zip(history, published, strict=True)):
        if index == 0:
            clauses = split_clauses(entry.version.text)
            state = {c.id: tracer.create(c, 0).id for c in clauses}
            roots = tracer.roots(clauses)
            for k, clause in enumerate(clauses):
                if roots[k] == k:
                    tracer.event(state[clause.id], ClauseEvent(0, "first", clause.id, None, clause), shown=True)
            sections[0] = {c.id: state[clauses[roots[k]].id] for k, c in enumerate(clauses)}
            cards[0] = {}
        elif entry.diff is not None:
            diff = entry.diff
            if shown:
                tracer.flush(index)
            old_state = _carry(tracer, clauses, state, diff.before, index, index - 1, shown=shown)
            found: dict[str, str] = {}
            state = _apply(tracer, diff, old_state, index, found, shown=shown)
            clauses = diff.after
            if shown:
                cards[index], sections[index] = found, _sections(tracer, diff, state, old_state, found)
    if len(history) > 1 and history[-1].diff is None:  # the current text, recorded without a diff
        last = history[-1]
        end = len(history) - 1
        state = _carry(tracer, clauses, state, split_clauses(last.version.text), end, end, shown=False)
    return ClauseHistory(tracer.lineages, sections, cards, state)


def _carry(tracer: _Tracer, previous: tuple[Clause, ...], state: dict[str, str], now: Sequence[Clause],
           index: int, text_index: int, *, shown: bool) -> dict[str, str]:
    """The lineages of `now` (the text a diff compares with) from those of `previous` (the last text a
    diff gave) when versions without a diff came in between (a flip back to an earlier text): by id,
    then by words. What vanished or appeared in between is a `between` event at `index`; a clause whose
    words changed in between gets its wording in `now` (the text of history index `text_index`) as a
    state (who says it since when reads them)."""
    if now is previous:
        return state
    old_by_id = {c.id: c for c in previous}
    out: dict[str, str] = {}
    claimed: set[str] = set()
    for clause in now:
        lid = state.get(clause.id)
        if lid is not None and lid not in claimed:
            out[clause.id] = lid
            claimed.add(lid)
            if full_text(old_by_id[clause.id]) != full_text(clause):
                tracer.lineages[lid].states.append((text_index, clause))
    if len(out) == len(now) == len(previous):
        return out
    by_key: dict[str, deque[str]] = defaultdict(deque)
    for clause in previous:
        if state[clause.id] not in claimed:
            by_key[match_key(clause)].append(state[clause.id])
    appeared = []
    for clause in now:
        if clause.id in out:
            continue
        queue = by_key.get(match_key(clause))
        if queue:
            out[clause.id] = queue.popleft()
            claimed.add(out[clause.id])
        else:
            appeared.append(clause)
    old_roots, new_roots = tracer.roots(previous), tracer.roots(now)
    for k, clause in enumerate(previous):
        lid = state[clause.id]
        if lid not in claimed:
            tracer.end(lid, clause, text_index)
            if old_roots[k] == k:
                event = ClauseEvent(index, "removed", clause.id, clause, None, doubts=("between",))
                tracer.event(lid, event, shown=shown)
    root_ids = {now[k].id for k in set(new_roots)}
    for clause in appeared:
        lid, restored = tracer.appear(clause, text_index)
        out[clause.id] = lid
        if clause.id in root_ids:
            kind: EventKind = "restored" if restored else "added"
            tracer.event(lid, ClauseEvent(index, kind, clause.id, None, clause, doubts=("between",)), shown=shown)
    return out


def _apply(tracer: _Tracer, diff: Diff, old_state: dict[str, str], index: int, cards: dict[str, str], *,
           shown: bool) -> dict[str, str]:
    """The lineages after one diff, and the events of its sections."""
    step = read_pairing(diff)
    new_state: dict[str, str] = {}
    restored: set[str] = set()
    for old_id, new_id in step.pairs.items():
        new_state[new_id] = old_state[old_id]
    after_by_id = {c.id: c for c in diff.after}
    for new_id in step.split_parts:
        new_state[new_id] = tracer.create(after_by_id[new_id], index).id
    before_by_id = {c.id: c for c in diff.before}
    for new_id in step.added:
        lid, back = tracer.appear(after_by_id[new_id], index)
        new_state[new_id] = lid
        if back:
            restored.add(lid)
    for old_id in step.removed:
        tracer.end(old_state[old_id], before_by_id[old_id], index)
    for old_id in step.merged_parts:
        tracer.end(old_state[old_id], before_by_id[old_id], index)
    for new_id in step.changed:
        tracer.lineages[new_state[new_id]].states.append((index, after_by_id[new_id]))
    _card_events(tracer, diff, step, old_state, new_state, index, cards, restored, shown=shown)
    return new_state


def _card_events(tracer: _Tracer, diff: Diff, step: ClausePairing, old_state: dict[str, str], new_state: dict[str, str],
                 index: int, cards: dict[str, str], restored: set[str], *, shown: bool) -> None:
    """One event per card of the change page (a section changed), then renumbered sections with no card."""
    split_from = {new: old_state[old] for new, old in step.split_parts.items()}
    merged_into = {old: new_state[new] for old, new in step.merged_parts.items()}
    with_card: set[str] = set()
    for item in anchor_changes(diff.changes):
        card = item.change
        root = card.after or card.before
        if root is None:
            continue
        lid = new_state[root.id] if card.after is not None else old_state[root.id]
        cards[item.anchor] = lid
        with_card.add(lid)
        doubts: list[Doubt] = list(step.doubts.get(root.id, ())) if card.after is not None else []
        related: list[str] = []
        for part in card.parts or (card,):
            if part.kind in ("split", "merged") and part.kind not in doubts:
                doubts.append(part.kind)  # type: ignore[arg-type]
            if part.kind == "split":
                related += [new_state[c.id] for c in part.others]
            elif part.kind == "merged":
                related += [old_state[c.id] for c in part.others]
        kind = _kind(card.kind, lid in restored)
        if card.after is not None and root.id in split_from:
            doubts.append("split-from")
            related.append(split_from[root.id])
        if card.after is None and root.id in merged_into:
            doubts.append("merged-into")
            related.append(merged_into[root.id])
        event = ClauseEvent(index, kind, root.id, card.before, card.after, card, item.anchor,
                            tuple(dict.fromkeys(doubts)), tuple(dict.fromkeys(related)))
        tracer.event(lid, event, shown=shown)
    new_roots = tracer.roots(diff.after)
    position = {c.id: k for k, c in enumerate(diff.after)}
    before_by_id = {c.id: c for c in diff.before}
    for old_id, new_id in step.pairs.items():
        k = position[new_id]
        lid = new_state[new_id]
        if new_roots[k] != k or lid in with_card:
            continue
        old, new = before_by_id[old_id], diff.after[k]
        if (old.number or new.number) and not same_number(old, new):
            tracer.event(lid, ClauseEvent(index, "renumbered", new_id, old, new), shown=shown)


def _kind(card_kind: str, restored: bool) -> EventKind:
    if card_kind == "added":
        return "restored" if restored else "added"
    return "removed" if card_kind == "removed" else "moved" if card_kind == "moved" else "changed"


def _sections(tracer: _Tracer, diff: Diff, state: dict[str, str], old_state: dict[str, str],
              cards: dict[str, str]) -> dict[str, str]:
    """Every clause id of a published version, then those its diff removed → its section's lineage: the
    card it is shown in, else the section it stands in."""
    items = anchor_changes(diff.changes)
    out = {part.after.id: cards[item.anchor] for item in items for part, _ in item.parts if part.after is not None}
    roots = tracer.roots(diff.after)
    for k, clause in enumerate(diff.after):
        out.setdefault(clause.id, state[diff.after[roots[k]].id])
    for item in items:
        for part, _ in item.parts:
            if part.after is None and part.before is not None:
                out.setdefault(part.before.id, cards[item.anchor])
    old_roots = tracer.roots(diff.before)
    for k, clause in enumerate(diff.before):
        out.setdefault(clause.id, old_state[diff.before[old_roots[k]].id])
    return out
