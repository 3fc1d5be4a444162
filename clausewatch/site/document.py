"""One document's output: its page, its change pages, its as-of pages and its share of the extras.

Pure: the document's versions (oldest first) and its commentary in, a `DocumentOutput` out. The steps:

1. classify the history (`iter_history`) and tag each diff with its topics;
2. name the published versions' change pages (`assign_slugs`) and summarize the document;
3. render each change page once, with its commentary next to its clauses and its citation block;
4. render the document page once, with its timeline picture, subscribe links and the commentary links
   of its current text;
5. the as-of pages, the data API files, the feeds and the timeline picture of this document.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from clausewatch.commentary.anchor import names_change
from clausewatch.dates import iso_utc
from clausewatch.diff.clauses import split_clauses
from clausewatch.diff.history import HistoryEntry, assign_slugs, describe_entry, iter_history
from clausewatch.diff.lineage import trace_clauses
from clausewatch.diff.render import anchor_changes
from clausewatch.diff.topics import Topic, load_topics, tag_diff
from clausewatch.models import Clause, Commentary, Diff, PublishedChange, Version
from clausewatch.site import pages
from clausewatch.site.adoption import says_today
from clausewatch.site.asof import as_of_files, text_targets
from clausewatch.site.cite import change_facts, clause_tools
from clausewatch.site.clause_pages import (
    LABEL,
    ClauseSite,
    card_links,
    clause_files,
    current_text_links,
    merge_after,
    plan_clause_site,
)
from clausewatch.site.commentary_pages import (
    SUGGEST,
    ChangeClauses,
    current_text_notes,
    suggest_commentary_urls,
    suggest_on_change,
)
from clausewatch.site.commentary_render import place_commentary
from clausewatch.site.data_api import document_data_files
from clausewatch.site.data_clauses import clause_data_files
from clausewatch.site.diff_markdown import render_markdown
from clausewatch.site.evidence import imported_evidence
from clausewatch.site.feeds import generate_feeds, subscribe_markdown, with_feed_entries
from clausewatch.site.key_changes import headline, rank_changes, render_key_changes
from clausewatch.site.markdown import render_clauses
from clausewatch.site.svg import classes_of, picture_html, render_timeline, timeline_description
from clausewatch.site.topic_pages import document_topic_hits
from clausewatch.site.views import ChangeContext, ChangeRef, DocumentOutput, DocumentSummary, Files, TimelineRow


def generate_document(
    key: str, versions: Sequence[Version], notes: Sequence[Commentary], *, cache_key: str = "",
    config: Mapping[str, object] | None = None,
) -> DocumentOutput:
    """One document's pages (its page and its change pages) from its versions, oldest first."""
    config = config or {}
    topics = load_topics()
    history = [_tagged(entry, topics) for entry in iter_history(versions)]
    slugs = assign_slugs(history)
    lines = [_headline(entry, slug, notes, topics) if slug else "" for entry, slug in zip(history, slugs, strict=True)]
    refs = [_change_ref(entry, slug, line) for entry, slug, line in zip(history, slugs, lines, strict=True) if slug]
    summary = _summary(history, refs)
    published = [(entry, slug) for entry, slug in zip(history, slugs, strict=True) if slug]
    clause_site = plan_clause_site(key, trace_clauses(history, [bool(slug) for slug in slugs]), slugs, topics)
    positions = [i for i, slug in enumerate(slugs) if slug]
    latest = split_clauses(history[-1].version.text)
    files: Files = {}
    for index, (entry, _slug) in enumerate(published):
        context = _change_context(entry, refs, index)
        files[refs[index].page] = render_change(context, entry, notes, config, topics,
                                                history_links=card_links(clause_site, positions[index]))
    picture = timeline_picture(_full(history, slugs, lines), _timeline_title(history))
    targets = text_targets(summary, history, slugs, str(config.get("repo_url") or ""))
    files[f"{key}/index.md"] = _document_page(key, summary, history, slugs, published, notes, clause_site, latest,
                                              picture, targets)
    files.update(as_of_files(summary, history, slugs, targets))  # the texts as they stood
    files.update(clause_files(clause_site, summary, history, latest, notes))  # clause histories
    changes = tuple(with_feed_entries([_published(entry, slug, line) for entry, slug, line
                                       in zip(history, slugs, lines, strict=True)], str(config.get("site_url") or "")))
    files.update(document_extra_files(key, history, slugs, config, lines, changes))
    files.update(clause_data_files(clause_site, history))
    return DocumentOutput(key=key, cache_key=cache_key, files=files, summary=summary, changes=changes,
                          topic_hits=document_topic_hits(changes, topics),
                          says_today=says_today(clause_site, history, latest, topics))


def _summary(history: Sequence[HistoryEntry], refs: Sequence[ChangeRef]) -> DocumentSummary:
    latest = history[-1].version
    return DocumentSummary(
        service=latest.service,
        document=latest.document,
        service_name=latest.service_name,
        document_name=latest.document_name,
        source_url=latest.provenance.source_url,
        versions=len(history),
        last_observed=iso_utc(latest.observed_at),
        changes=tuple(refs),
        imported_from=tuple(sorted({
            e.version.provenance.imported_from.partition("@")[0]
            for e in history if e.version.provenance.imported_from
        })),
    )


def _change_context(entry: HistoryEntry, refs: Sequence[ChangeRef], index: int) -> ChangeContext:
    return ChangeContext(
        ref=refs[index],
        previous=refs[index - 1] if index else None,
        following=refs[index + 1] if index + 1 < len(refs) else None,
        source_url=entry.version.provenance.source_url,
        snapshot_sha256=entry.version.provenance.snapshot_sha256,
        previous_commit=entry.previous.commit if entry.previous else "",
        imported_from=entry.version.provenance.imported_from,
    )


def timeline_picture(full: Sequence[PublishedChange], title: str) -> str:
    """The document page's timeline: the picture inline (its marks are links with tooltips), its legend
    and caption (`svg.picture_html`)."""
    return picture_html(render_timeline(full, title=title, legend=False), classes_of(full),
                        timeline_description(full))


def _timeline_title(history: Sequence[HistoryEntry]) -> str:
    latest = history[-1].version
    return f"Timeline of {latest.service_name or latest.service} {latest.document_name or latest.document}"


def _document_page(key: str, summary: DocumentSummary, history: Sequence[HistoryEntry], slugs: Sequence[str],
                   published: Sequence[tuple[HistoryEntry, str]], notes: Sequence[Commentary],
                   clause_site: ClauseSite, latest: Sequence[Clause], picture: str = "",
                   targets: Mapping[str, str] | None = None) -> str:
    """The document page: timeline (picture, subscribe links, rows) and current text with the links to
    the commentary on its clauses (re-anchored in the latest version) and to each clause's history."""
    timeline = [_timeline_row(entry, slug, (targets or {}).get(slug, ""))
                for entry, slug in zip(history, slugs, strict=True)]
    changes = [ChangeClauses(slug, e.version.commit, e.diff.before if e.diff else (),
                             e.diff.after if e.diff else split_clauses(e.version.text)) for e, slug in published]
    page = f"{key}/index.md"
    return pages.document_page(summary, timeline, latest, picture=picture,
                               subscribe=subscribe_markdown(page, "document", key),
                               after_clause=merge_after(current_text_notes(page, notes, changes, latest),
                                                        current_text_links(clause_site, page, latest)))


def _tagged(entry: HistoryEntry, topics: Sequence[Topic]) -> HistoryEntry:
    """The entry with its clause changes tagged by topic (the diff engine leaves topics empty)."""
    return entry if entry.diff is None else replace(entry, diff=tag_diff(entry.diff, topics, text=entry.version.text))


def entry_topics(diff: Diff | None) -> tuple[str, ...]:
    """Topic ids of a diff's substantive clause changes, first occurrence first."""
    if diff is None:
        return ()
    found = [t for c in diff.changes if c.change_class == "substantive" for t in c.topics]
    return tuple(dict.fromkeys(found))


def render_change(context: ChangeContext, entry: HistoryEntry, notes: Sequence[Commentary],
                  config: Mapping[str, object] | None = None, topics: Sequence[Topic] = (),
                  history_links: Mapping[str, str] | None = None) -> str:
    """One change page: the fact box, the key changes, the diff's cards (or the first recorded text)
    with the commentary that names them next to their clauses, each card's tools ("Cite this clause",
    "History of this clause" (`history_links`: card anchor → URL of its clause's history) and "Suggest
    commentary" when the repository is known)."""
    config = config or {}
    history_links = history_links or {}
    before: tuple[Clause, ...] = entry.diff.before if entry.diff is not None else ()
    after = entry.diff.after if entry.diff is not None else split_clauses(entry.version.text)
    by_clause, unanchored = place_commentary(notes, context.ref.slug, context.ref.commit, before, after)
    if entry.diff is None:
        anchors = [c.id for c in after]
    else:
        anchors = [a for item in anchor_changes(entry.diff.changes) for a in dict.fromkeys(
            [item.anchor, *(anchor for _, anchor in item.parts)])]
    urls = suggest_commentary_urls(context.ref, config, anchors if entry.diff is not None else (),
                                   (*before, *after))
    shown = {anchor: "\n\n".join(by_clause[anchor]).strip("\n") for anchor in anchors if anchor in by_clause}
    key_changes = ""
    if entry.diff is None:
        body = render_clauses(after, after_clause=shown)
    else:
        about = _suggested_clauses(entry.diff)
        body = render_markdown(entry.diff, after_card=shown, card_footer=lambda anchor, _c: clause_tools(
            anchor, [*([(LABEL, history_links[anchor])] if anchor in history_links else []),
                     (SUGGEST, urls.get(about.get(anchor, anchor), ""))]))
        ranked = rank_changes(entry.diff, topics)
        key_changes = render_key_changes(ranked, {t.id: t.title for t in topics}, total=entry.diff.summary.substantive)
    leftover = {clause: items for clause, items in by_clause.items() if clause not in shown}
    facts = change_facts(entry.version, entry.previous, context.ref.path, config,
                         substantive=entry.version_class == "substantive", evidence=imported_evidence(entry.version))
    return pages.change_page(context, body, facts=facts, key_changes=key_changes, commentary_by_clause=leftover,
                             unanchored=[*unanchored, suggest_on_change(urls.get("", ""))],
                             anchors=frozenset(anchors))


def _suggested_clauses(diff: Diff) -> dict[str, str]:
    """The clause each card's "Suggest commentary" is about, by card anchor: the first clause of the
    section whose words changed (its quote then says what changed), else the card's own clause."""
    about = {}
    for item in anchor_changes(diff.changes):
        changed = [anchor for part, anchor in item.parts if part.change_class == "substantive"
                   and any(c is not None and c.text.strip() for c in (part.after, part.before))]
        about[item.anchor] = changed[0] if changed else item.anchor
    return about


def _headline(entry: HistoryEntry, slug: str, notes: Sequence[Commentary], topics: Sequence[Topic]) -> str:
    """What a published change did, in one line: the title of the commentary on the whole change or on
    one of its clauses, else its top key change."""
    for note in notes:
        if note.status == "published" and names_change(note.change, slug, entry.version.commit):
            return note.title
    return headline(entry.diff, topics)


def _change_ref(entry: HistoryEntry, slug: str, line: str = "") -> ChangeRef:
    version = entry.version
    return ChangeRef(
        service=version.service,
        document=version.document,
        service_name=version.service_name,
        document_name=version.document_name,
        slug=slug,
        observed_at=iso_utc(version.observed_at),
        version_class=entry.version_class,
        summary=describe_entry(entry),
        topics=entry_topics(entry.diff),
        commit=version.commit,
        headline=line,
    )


def _timeline_row(entry: HistoryEntry, slug: str, text_at: str = "") -> TimelineRow:
    return TimelineRow(
        observed_at=iso_utc(entry.version.observed_at),
        version_class=entry.version_class,
        summary=describe_entry(entry),
        commit=entry.version.commit,
        slug=slug,
        topics=entry_topics(entry.diff),
        text_at=text_at,
    )


def _published(entry: HistoryEntry, slug: str, line: str = "") -> PublishedChange:
    """A history entry as the site-wide extras see it: no texts, and only the summary of the diffs of
    unpublished versions (cached for every document: this bounds memory and cache size)."""
    version = entry.version
    path = f"{version.service}/{version.document}/{slug}/" if slug else ""
    kept = entry.diff.changes if entry.diff is not None and slug else ()
    diff = replace(entry.diff, changes=kept, before=(), after=()) if entry.diff is not None else None
    previous = replace(entry.previous, text="") if entry.previous is not None else None
    return PublishedChange(
        version=replace(version, text=""),
        version_class=entry.version_class,
        path=path,
        diff=diff,
        previous=previous,
        topics=entry_topics(entry.diff),
        headline=line,
    )


def document_extra_files(
    key: str, history: Sequence[HistoryEntry], slugs: Sequence[str], config: Mapping[str, object],
    lines: Sequence[str], published: Sequence[PublishedChange],
) -> Files:
    """One document's extras: its data API files, its feeds and its timeline picture. `published`: the
    history as `_published` gives it, with its feed entries."""
    full = _full(history, slugs, lines)
    extra: Files = dict(document_data_files(full))
    extra.update(generate_feeds(published,
                                site_url=str(config.get("site_url") or ""),
                                site_name=str(config.get("site_name") or "Clausewatch"), kinds=("document",)))
    extra[f"{key}/timeline.svg"] = render_timeline(full, title=_timeline_title(history))
    return extra


def _full(history: Sequence[HistoryEntry], slugs: Sequence[str], lines: Sequence[str]) -> list[PublishedChange]:
    """The history as published changes WITH their texts and diffs (for this document's extras)."""
    return [replace(_published(entry, slug, line), version=entry.version, previous=entry.previous, diff=entry.diff)
            for entry, slug, line in zip(history, slugs, lines, strict=True)]
