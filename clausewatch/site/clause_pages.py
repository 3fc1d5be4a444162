"""Clause history pages: `<service>/<document>/clauses/<clause-id>/`, one clause followed through time.

Pure. The lineages come from `clausewatch.diff.lineage` (the permanent id, the events, the doubts); this
module decides which get a page, where every clause's history lives (`ClauseSite.target`), and renders:

- the history page of a clause: its wording once (now, or when it was removed), then every event newest
  first, each dated (observed, and the date the document states), linked to its change page and card,
  with its word diff, the doubts about its identity, and the commentary on the clause in that version;
- the "History of this clause" links of change-page cards (`card_links`) and of the current text on the
  document page (`current_text_links`).

Budget: clause pages could outnumber every other page (on the shared bundle, 59,000 sections have more
than their first record; at 11 KB of HTML each that is 650 MB, against a 1 GB site). A section gets a
page when it changed substantively at least `PAGE_MIN_EVENTS` times after its first record and one of
those changes touched a topic of weight `PAGE_MIN_WEIGHT` or more (`deserves_page`: about 1,200 pages
on the bundle); the others link to their first record's anchor. Pages are light: no table of contents,
out of the search index (their words are on the change pages).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from clausewatch.commentary.anchor import anchor_commentary, names_change
from clausewatch.diff.clauses import split_clauses
from clausewatch.diff.history import HistoryEntry
from clausewatch.diff.lineage import ORIGINS, ClauseEvent, ClauseHistory, Lineage
from clausewatch.diff.markup import plain_text
from clausewatch.diff.render import body_ops, first_words
from clausewatch.diff.sections import section_roots
from clausewatch.diff.topics import Topic
from clausewatch.models import Clause, ClauseChange, Commentary, WordOp
from clausewatch.site.archived import change_texts, render_ops
from clausewatch.site.commentary_render import render_commentary
from clausewatch.site.effective_date import find_stated_date
from clausewatch.site.escape import markdown_text
from clausewatch.site.markdown import (
    date_of,
    document_title,
    front_matter,
    heading_id,
    link,
    render_clauses,
    service_title,
)
from clausewatch.site.views import DocumentSummary

FOLDER = "clauses"
PAGE_MIN_EVENTS = 2
"""Substantive changes after its first record a section needs for a page of its own (see `deserves_page`)."""
PAGE_MIN_WEIGHT = 7
"""...one of them touching a topic this heavy (`topics.yml` weights: 7 and more are AI training, content
licences, data sharing, arbitration). Measured on every 10th document of the bundle: 117 pages; weight 6
would give 261, and any topic 392."""
DIFF_PARTS = 2
"""Changed clauses of a section whose word diff an event shows (the change page shows them all)."""
DIFF_CONTEXT = 8
"""Unchanged words kept around each change of a word diff (change pages keep 12)."""
WORDING_CHARS = 1500
"""About this many characters of a long section's wording are shown (the document page has it all)."""
T = TypeVar("T")
LABEL = "History of this clause"
KIND_LABELS = {"first": "First recorded", "added": "Added", "restored": "Restored", "changed": "Changed",
               "moved": "Moved", "renumbered": "Renumbered", "removed": "Removed"}
DOUBTS = {
    "split": "it was split into several clauses here; this history follows the first part",
    "split-from": "it is a part of a clause split here",
    "merged": "several clauses were merged into this one here",
    "merged-into": "it was merged into another clause here; its history continues there",
    "weak": "it was paired with its earlier wording on few shared words: it may be a different clause",
    "between": "this happened in recordings without a change page of their own (the page flipped to an "
               "earlier text, or only its formatting was recorded); the change shown is the first to show it",
}


def clause_page(key: str, lineage_id: str) -> str:
    """`acme/terms` + `licence` → `acme/terms/clauses/licence/index.md`."""
    return f"{key}/{FOLDER}/{lineage_id}/index.md"


_DATE_WORDS = re.compile(r"\b(?:\d+(?:st|nd|rd|th)?|jan\w*|feb\w*|mar\w*|apr\w*|may|jun\w*|jul\w*|aug\w*|"
                         r"sep\w*|oct\w*|nov\w*|dec\w*)\b|\W+", re.IGNORECASE)


def only_dates(change: ClauseChange) -> bool:
    """True when a card changed nothing but dates and numbers ("Last updated: …" under the title)."""
    for part in change.parts or (change,):
        old, new = (_DATE_WORDS.sub(" ", plain_text(text)).lower().split() for text in change_texts(part))
        if old != new:
            return False
    return True


def counted(event: ClauseEvent) -> bool:
    """An event that makes a history worth a page: a substantive card (words added, changed, removed)
    that changed more than a date, seen on its own change page (not carried over from recordings
    without one)."""
    return (event.change is not None and event.change.change_class == "substantive"
            and "between" not in event.doubts and not only_dates(event.change))


def deserves_page(lineage: Lineage, weights: Mapping[str, int]) -> bool:
    """`PAGE_MIN_EVENTS` counted events after its first record, one of them on a topic of `PAGE_MIN_WEIGHT`
    (`weights`: topic id → weight). Events only accumulate, so a clause that has a page keeps it as
    history grows (a removed clause too)."""
    events = lineage.events[1:] if lineage.events and lineage.events[0].kind in ORIGINS else lineage.events
    changes = [event.change for event in events if counted(event) and event.change is not None]
    heavy = any(weights.get(topic, 0) >= PAGE_MIN_WEIGHT for change in changes for topic in change.topics)
    return len(changes) >= PAGE_MIN_EVENTS and heavy


@dataclass(frozen=True, slots=True)
class ClauseSite:
    """One document's clause histories as the site publishes them."""

    key: str
    history: ClauseHistory
    slugs: Sequence[str]
    """Change-page folder of each history index ('' when it has none)."""
    pages: frozenset[str]
    """Lineage ids with a page of their own."""

    def target(self, lineage_id: str) -> str:
        """The Markdown path (with `#anchor`) of a lineage's history: its page, else its first record's
        anchor ('' when it has none: a clause that appeared in recordings without a change page)."""
        if lineage_id in self.pages:
            return clause_page(self.key, lineage_id)
        lineage = self.history.lineages.get(lineage_id)
        if lineage is None or not lineage.events:
            return ""
        origin = lineage.events[0]
        slug = self.slugs[origin.index] if 0 <= origin.index < len(self.slugs) else ""
        if not slug:
            return ""
        anchor = origin.clause_id if origin.kind == "first" else origin.anchor
        return f"{self.key}/{slug}/index.md" + (f"#{anchor}" if anchor else "")


def plan_clause_site(key: str, history: ClauseHistory, slugs: Sequence[str], topics: Sequence[Topic]) -> ClauseSite:
    """Which clauses of a document get a page (`deserves_page`), and where every history lives."""
    weights = {topic.id: topic.weight for topic in topics}
    pages = frozenset(lid for lid, lineage in history.lineages.items() if deserves_page(lineage, weights))
    return ClauseSite(key, history, tuple(slugs), pages)


def _url(from_page: str, target: str) -> str:
    """A target (Markdown path with `#anchor`) as a directory URL relative to `from_page` (raw HTML)."""
    path, _, anchor = target.partition("#")
    folder = posixpath.dirname(path)
    rel = posixpath.relpath(folder, posixpath.dirname(from_page))
    return ("" if rel == "." else rel + "/") + (f"#{anchor}" if anchor else "")


def card_links(site: ClauseSite, index: int) -> dict[str, str]:
    """Card anchor → URL of its section's history, for the change page of history index `index` (a card
    that is its clause's whole story so far, its first record, gets none)."""
    page = f"{site.key}/{site.slugs[index]}/index.md"
    links = {}
    for anchor, lid in site.history.cards.get(index, {}).items():
        target = site.target(lid)
        url = _url(page, target) if target else ""
        if url and url != f"#{anchor}":
            links[anchor] = url
    return links


def current_text_links(site: ClauseSite, page: str, latest: Sequence[Clause]) -> dict[str, str]:
    """Clause id of the current text → its "History of this clause" link (Markdown): one per section, after
    its last clause (none for a heading alone, such as the document's title)."""
    roots = section_roots(latest)
    last: dict[int, int] = {}
    for j, root in enumerate(roots):
        last[root] = j
    out = {}
    for k, end in sorted(last.items()):
        if end == k and latest[k].kind == "heading" and not latest[k].text.strip():
            continue
        lid = site.history.latest.get(latest[k].id)
        target = site.target(lid) if lid else ""
        if target:
            path, _, anchor = target.partition("#")
            out[latest[end].id] = f"[{LABEL}]({link(page, path)}{'#' + anchor if anchor else ''}){{ .cw-history }}"
    return out


def merge_after(first: Mapping[str, str], second: Mapping[str, str]) -> dict[str, str]:
    """Two `after_clause` maps as one (both shown, `first` first)."""
    merged = dict(first)
    for clause_id, text in second.items():
        merged[clause_id] = f"{merged[clause_id]}\n\n{text}" if clause_id in merged else text
    return merged


def clause_commentary(site: ClauseSite, history: Sequence[HistoryEntry],
                      notes: Sequence[Commentary]) -> dict[str, dict[int, list[str]]]:
    """Lineage id → history index → the rendered commentary on that clause in that version (published
    commentary naming a clause, found again as on its change page: by id, quote or old words)."""
    out: dict[str, dict[int, list[str]]] = {}
    for note in notes:
        if note.status != "published" or not note.clause:
            continue
        index = next((i for i, slug in enumerate(site.slugs)
                      if slug and names_change(note.change, slug, history[i].version.commit)), None)
        if index is None or index not in site.history.sections:
            continue
        diff = history[index].diff
        before = diff.before if diff is not None else ()
        after = diff.after if diff is not None else split_clauses(history[index].version.text)
        anchor = anchor_commentary(note, before, after)
        lid = site.history.sections[index].get(anchor.clause_id or "")
        if lid in site.pages:
            out.setdefault(lid, {}).setdefault(index, []).append(render_commentary(note, anchor))
    return out


def clause_files(site: ClauseSite, summary: DocumentSummary, history: Sequence[HistoryEntry],
                 latest: Sequence[Clause], notes: Sequence[Commentary]) -> dict[str, str]:
    """The history page of every clause that deserves one."""
    commentary = clause_commentary(site, history, notes)
    current = {lid: clause_id for clause_id, lid in site.history.latest.items()}
    roots = section_roots(latest) if site.pages else []
    files = {}
    for lid in sorted(site.pages):
        lineage = site.history.lineages[lid]
        files[clause_page(site.key, lid)] = clause_page_markdown(
            site, summary, lineage, history, (latest, roots), current.get(lid), commentary.get(lid, {}))
    return files


def _name(clause: Clause | None) -> str:
    if clause is None:
        return ""
    return " ".join(plain_text(clause.heading or "").split()) or first_words(plain_text(clause.text), 8)


def clause_page_markdown(site: ClauseSite, summary: DocumentSummary, lineage: Lineage,
                         history: Sequence[HistoryEntry], text: tuple[Sequence[Clause], Sequence[int]],
                         current: str | None, commentary: Mapping[int, Sequence[str]]) -> str:
    """One clause's history page (`text`: the current text's clauses and their section roots)."""
    page = clause_page(site.key, lineage.id)
    service = service_title(summary.service, summary.service_name)
    title = document_title(summary.document, summary.document_name)
    last = lineage.events[-1]
    name = _name(last.after or last.before) or lineage.id
    meta = {"title": f"{service} — {title}: history of “{name}”",
            "description": f"Every recorded change of the clause “{name}” of {service} {title}",
            "service": summary.service, "document": summary.document, "search_exclude": True, "hide": ["toc"]}
    first_day = date_of(history[lineage.origin].version.observed_at.isoformat())
    doc_page = f"{site.key}/index.md"
    if current is not None:
        where = f"In the [current text]({link(page, doc_page)}#{current})"
        more = f"[the whole section]({link(page, doc_page)}#{current})"
    else:
        where = f"Not in the [current text]({link(page, doc_page)}) any more"
        removal = next((e for e in reversed(lineage.events) if e.kind == "removed"), None)
        more = (f"the whole text is on the {_change_link(site, page, removal.index, removal.anchor)}"
                if removal is not None else "the whole text is in the archive")
    lines = [front_matter(meta), f"# History of “{markdown_text(name)}”\n",
             f"{markdown_text(service)} — {markdown_text(title)} · permanent id `{lineage.id}` · first recorded "
             f"{first_day} · {len(lineage.events)} recorded event{'s' if len(lineage.events) != 1 else ''}. "
             f"{where}.\n"]
    doubtful = sum(1 for event in lineage.events if event.doubts)
    if doubtful:
        lines.append(f"*Where this history is a judgement ({doubtful} event{'s' if doubtful != 1 else ''}), it "
                     "says so below.*\n")
    lines += [f"## {'Wording today' if current is not None else 'Last wording'} {{ #{heading_id('text')} }}\n",
              _wording(lineage, *text, current, more), f"## Events, newest first {{ #{heading_id('events')} }}\n"]
    shown = {event.index for event in lineage.events}
    items: list[tuple[int, list[str]]] = [(e.index, _event_lines(site, page, e, history, commentary.get(e.index, ())))
                                          for e in lineage.events]
    for index, notes in commentary.items():
        if index not in shown:
            items.append((index, _commentary_only(site, page, index, history, notes)))
    for _index, block in sorted(items, key=lambda item: item[0], reverse=True):
        lines += block
    return "\n".join(lines).rstrip("\n") + "\n"


def _wording(lineage: Lineage, latest: Sequence[Clause], roots: Sequence[int], current: str | None,
             more: str) -> str:
    """The clause's text once: its section in the current text, else as it was when removed; a long
    section up to about `WORDING_CHARS` (`more`: where the rest is)."""
    if current is not None:
        k = next((k for k, c in enumerate(latest) if c.id == current), None)
        if k is not None:
            members = [c for j, c in enumerate(latest) if j == k or roots[j] == k]
            kept = _within(members, lambda c: len(c.text) + len(c.heading or ""))
            return render_clauses(kept, base_level=2) + _rest(len(members) - len(kept), more)
    last = next((e.before for e in reversed(lineage.events) if e.before is not None), lineage.states[-1][1])
    paragraphs = last.text.split("\n\n")
    kept_text = _within(paragraphs, len)
    clause = replace(last, text="\n\n".join(kept_text))
    return render_clauses([clause], base_level=2) + _rest(len(paragraphs) - len(kept_text), more)


def _within(items: Sequence[T], size: Callable[[T], int]) -> list[T]:
    kept: list[T] = []
    total = 0
    for item in items:
        if kept and total + size(item) > WORDING_CHARS:
            break
        kept.append(item)
        total += size(item)
    return kept


def _rest(count: int, more: str) -> str:
    return f"\n*…and {count} more paragraph{'s' if count != 1 else ''}: {more}.*\n" if count > 0 else ""


def _when(entry: HistoryEntry) -> str:
    observed = entry.version.observed_at.strftime("%Y-%m-%d %H:%M UTC")
    stated = find_stated_date(entry.version.text)
    return f"observed {observed}" + (f" · stated {stated.date.isoformat()}" if stated is not None else "")


def _change_link(site: ClauseSite, page: str, index: int, anchor: str) -> str:
    slug = site.slugs[index]
    return f"[change of {slug}]({link(page, f'{site.key}/{slug}/index.md')}{'#' + anchor if anchor else ''})"


def _event_lines(site: ClauseSite, page: str, event: ClauseEvent, history: Sequence[HistoryEntry],
                 notes: Sequence[str]) -> list[str]:
    entry = history[event.index]
    label = KIND_LABELS[event.kind]
    if event.change is not None and _rewritten(event.change):
        label = "Rewritten"
    facts = [f"**{date_of(entry.version.observed_at.isoformat())} · {label}**"]
    old_number = event.before.number if event.before else None
    new_number = event.after.number if event.after else None
    if old_number and new_number and old_number != new_number:
        facts.append(f"§{markdown_text(old_number.rstrip('.'))} → §{markdown_text(new_number.rstrip('.'))}")
    old_name, new_name = _name(event.before), _name(event.after)
    if event.before is not None and event.after is not None and old_name != new_name and event.before.heading:
        facts.append(f"heading “{markdown_text(old_name)}” → “{markdown_text(new_name)}”")
    anchor = event.clause_id if event.kind == "first" else event.anchor
    facts += [_change_link(site, page, event.index, anchor), _when(entry)]
    lines = [" · ".join(facts) + "\n{: .cw-clause-event }\n"]
    if event.doubts:
        related = [f"[{markdown_text(lid)}]({link(page, t.partition('#')[0])}"
                   f"{'#' + t.partition('#')[2] if t.partition('#')[2] else ''})"
                   for lid in event.related if (t := site.target(lid))]
        said = "; ".join(DOUBTS[d] for d in event.doubts)
        also = f" (see also: {', '.join(related)})" if related else ""
        lines.append(f"*Uncertain: {said}{also}.*\n{{: .cw-clause-doubt }}\n")
    if event.change is not None and event.kind in ("changed", "moved"):
        lines += _diff_lines(event.change)
    lines += [note.rstrip() + "\n" for note in notes]
    return lines


def _rewritten(change: ClauseChange) -> bool:
    parts = change.parts or (change,)
    return all(part.rewritten for part in parts if part.words) and any(part.words for part in parts)


def _diff_lines(change: ClauseChange) -> list[str]:
    """The word diff of a card's substantive parts, each collapsed to the words around its changes (the
    first `DIFF_PARTS`; the change page has them all)."""
    parts = [part for part in change.parts or (change,) if part.change_class == "substantive"]
    out = []
    for part in parts[:DIFF_PARTS]:
        old_md, new_md = change_texts(part)
        if part.rewritten:
            ops: tuple[WordOp, ...] = (WordOp("delete", plain_text(old_md)), WordOp("insert", plain_text(new_md)))
            body = render_ops(ops, old_md, new_md)
        else:
            body = render_ops(body_ops(part), old_md, new_md, context_words=DIFF_CONTEXT).strip()
        if body.strip():
            out.append(body.strip() + "\n")
    if len(parts) > DIFF_PARTS:
        out.append(f"*…and {len(parts) - DIFF_PARTS} more changed clauses of this section (see the change).*\n")
    return out


def _commentary_only(site: ClauseSite, page: str, index: int, history: Sequence[HistoryEntry],
                     notes: Sequence[str]) -> list[str]:
    entry = history[index]
    head = (f"**{date_of(entry.version.observed_at.isoformat())} · Commentary on its wording then** · "
            f"{_change_link(site, page, index, '')}\n{{: .cw-clause-event }}\n")
    return [head, *(note.rstrip() + "\n" for note in notes)]

