"""Page templates: pure functions from values to Markdown pages with YAML front matter.

Only plain Markdown plus `attr_list`, `admonition` and `pymdownx.details` is emitted, so any engine
that reads MkDocs' Markdown can build the site. Every scraped or contributed string goes through
`clausewatch.site.escape` before it reaches a page. Each template takes every section it shows (the
timeline picture, subscribe links, commentary next to its clause, the citation block) as an argument
and renders the page once: nothing is inserted into a rendered page afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from clausewatch.models import Clause
from clausewatch.site.escape import markdown_link, markdown_text, url_text
from clausewatch.site.markdown import (
    attribution,
    date_of,
    document_title,
    front_matter,
    heading_id,
    link,
    nowrap_date,
    render_clauses,
    service_title,
    slug_label,
    topic_links,
)
from clausewatch.site.views import ChangeContext, ChangeRef, DocumentSummary, TimelineRow
from clausewatch.slugs import is_slug

HOME_LIMIT = 50
"""Changes listed on the home page (newest first)."""
SERVICE_LIMIT = 20
"""Latest changes listed on a service page."""


def _section(text: str) -> list[str]:
    """An optional section of a page: nothing when empty."""
    return [text.strip("\n") + "\n"] if text.strip() else []


def home_page(summaries: Sequence[DocumentSummary], *, site_name: str = "Clausewatch", subscribe: str = "") -> str:
    """The home page: latest substantive changes across services, newest first, then every service."""
    page = "index.md"
    changes = sorted(
        (c for s in summaries for c in s.changes if c.version_class == "substantive"),
        key=lambda c: (c.observed_at, c.service, c.document, c.slug),
        reverse=True,
    )[:HOME_LIMIT]
    meta = {"title": site_name, "description": "Latest substantive changes to terms of service and policies",
            "home": True}  # the window title is the site's name alone (theme/main.html)
    lines = [front_matter(meta), f"# {markdown_text(site_name)}\n",
             "A public record of how terms of service and privacy policies change, clause by clause. "
             f"See [how it works]({link(page, 'about.md')}).\n",
             f"## Latest substantive changes {{ #{heading_id('latest')} }}\n"]
    items = [_change_item(page, change, with_document=True) for change in changes]
    lines += items or ["No substantive change yet."]
    lines.append(f"\n## Services {{ #{heading_id('services')} }}\n")
    services = _by_service(summaries)
    lines += [
        f"- [{markdown_text(service_title(key, docs[0].service_name))}]({link(page, f'{key}/index.md')})"
        f" — {len(docs)} document{'s' if len(docs) != 1 else ''}"
        for key, docs in services.items()
    ] or ["No document recorded yet."]
    credit = attribution(source for s in summaries for source in s.imported_from)
    if credit:
        lines.append(f"\n{credit}")
    lines += ["", *_section(subscribe)]
    return "\n".join(lines).rstrip("\n") + "\n"


def _by_service(summaries: Iterable[DocumentSummary]) -> dict[str, list[DocumentSummary]]:
    grouped: dict[str, list[DocumentSummary]] = {}
    for summary in sorted(summaries, key=lambda s: (s.service, s.document)):
        grouped.setdefault(summary.service, []).append(summary)
    return grouped


def _change_item(page: str, change: ChangeRef, *, with_document: bool) -> str:
    what = (
        f"{markdown_text(service_title(change.service, change.service_name))} — "
        f"{markdown_text(document_title(change.document, change.document_name))}"
        if with_document
        else markdown_text(document_title(change.document, change.document_name))
    )
    tags = topic_links(page, change.topics)
    said = (f"{markdown_text(change.headline)} ({markdown_text(change.summary)})" if change.headline
            else markdown_text(change.summary))
    tail = f" · {tags}" if tags else ""
    return f"- **{nowrap_date(date_of(change.observed_at))}** · [{what}]({link(page, change.page)}) — {said}{tail}"


def service_page(service: str, summaries: Sequence[DocumentSummary], *, commentary: str = "",
                 subscribe: str = "", today: str = "") -> str:
    """A service's page: its documents, its latest changes, what its terms say today topic by topic
    (`today`, see `site/adoption.py`), its commentary section, subscribe links."""
    page = f"{service}/index.md"
    name = service_title(service, summaries[0].service_name if summaries else "")
    meta = {"title": name, "description": f"Recorded terms and policies of {name}", "service": service}
    lines = [front_matter(meta), f"# {markdown_text(name)}\n",
             f"## Documents {{ #{heading_id('documents')} }}\n"]
    for summary in summaries:
        title = markdown_text(document_title(summary.document, summary.document_name))
        lines.append(
            f"- [{title}]({link(page, f'{service}/{summary.document}/index.md')}) — "
            f"{summary.versions} recorded version{'s' if summary.versions != 1 else ''}, "
            f"last observed {date_of(summary.last_observed)}"
        )
    changes = sorted((c for s in summaries for c in s.changes), key=lambda c: c.observed_at, reverse=True)
    lines.append(f"\n## Latest changes {{ #{heading_id('latest')} }}\n")
    lines += [_change_item(page, c, with_document=False) for c in changes[:SERVICE_LIMIT]]
    lines += ["", *_section(today), *_section(commentary), *_section(subscribe)]
    return "\n".join(lines).rstrip("\n") + "\n"


def document_page(
    summary: DocumentSummary, timeline: Sequence[TimelineRow], clauses: Sequence[Clause], *,
    picture: str = "", subscribe: str = "", after_clause: Mapping[str, str] | None = None,
) -> str:
    """A document's page: its timeline (picture, subscribe links, published changes linked, the rest
    folded) and its current text (`after_clause`: links to the commentary on a clause, by clause id)."""
    page = f"{summary.service}/{summary.document}/index.md"
    service = service_title(summary.service, summary.service_name)
    title = document_title(summary.document, summary.document_name)
    meta = {"title": f"{service} — {title}", "description": f"Current text and history of {service} {title}",
            "date": date_of(summary.last_observed), "service": summary.service, "document": summary.document,
            "service_name": service, "document_name": title, "kind": "current text"}
    observed = summary.last_observed.replace("T", " ").replace("Z", " UTC")
    lines = [
        front_matter(meta),
        f"# {markdown_text(service)} — {markdown_text(title)}\n",
        f"Service: [{markdown_text(service)}]({link(page, f'{summary.service}/index.md')}) · "
        f"{summary.versions} recorded version{'s' if summary.versions != 1 else ''} · "
        f"last observed {nowrap_date(observed[:10])}{observed[10:]}.\n{{: .cw-doc-facts }}\n",
        f"Source: {url_text(summary.source_url)}\n{{: .cw-doc-facts }}\n" if summary.source_url else "",
        f"{attribution(summary.imported_from)}\n" if summary.imported_from else "",
        f"## Timeline {{ #{heading_id('timeline')} }}\n",
        *_section(picture),
        *[line + "\n" for line in _section(subscribe)],
    ]
    lines = [line for line in lines if line]
    published = [row for row in reversed(timeline) if row.slug]
    lines += [_timeline_item(page, summary, row) for row in published]
    others = [row for row in reversed(timeline) if not row.slug]
    if others:
        label = f"{len(others)} non-substantive recording{'s' if len(others) != 1 else ''}"
        lines.append(f'\n??? note cw-recordings "{label}"\n')
        lines += [
            f"    - {nowrap_date(date_of(row.observed_at))} · {row.version_class} · {markdown_text(row.summary)} · "
            f"`{row.commit[:10]}`"
            for row in others
        ]
    lines.append(f"\n## Current text {{ #{heading_id('text')} }}\n")
    lines.append(render_clauses(clauses, after_clause=after_clause))
    return "\n".join(lines) + "\n"


def _timeline_item(page: str, summary: DocumentSummary, row: TimelineRow) -> str:
    """A published change in the timeline: its page, what it did, its topics, its whole text then."""
    target = f"{summary.service}/{summary.document}/{row.slug}/index.md"
    tags = topic_links(page, row.topics)
    if row.text_at.startswith(("https://", "http://")):
        text = " · " + markdown_link("text as of then", row.text_at)
    else:
        text = f" · [text as of then]({link(page, row.text_at)})" if row.text_at else ""
    return (
        f"- **[{nowrap_date(slug_label(row.slug))}]({link(page, target)})** · {row.version_class} · "
        f"{markdown_text(row.summary)}{' · ' + tags if tags else ''}{text}"
    )


def change_page(
    context: ChangeContext,
    body_markdown: str,
    *,
    facts: str = "",
    key_changes: str = "",
    commentary_by_clause: Mapping[str, Sequence[str]] | None = None,
    unanchored: Sequence[str] = (),
    anchors: frozenset[str] = frozenset(),
) -> str:
    """A change page: the title, the fact box (`facts`: observed, stated date, source, evidence,
    permalink, citation), the key changes (`key_changes`), then the clause cards and the commentary.

    `body_markdown` is already rendered and escaped (`diff_markdown.render_markdown` of the diff, or
    `render_clauses` of a first record), with each clause's commentary after it; so is the commentary
    (admonitions). Commentary on the whole change comes before the cards; commentary on a clause the body
    does not show is listed after them under a link to the clause's anchor (`anchors`: those the body has).
    """
    ref = context.ref
    service = service_title(ref.service, ref.service_name)
    title = document_title(ref.document, ref.document_name)
    what = "first record" if ref.version_class == "first" else "change"
    day, nth = ref.slug[:10], ref.slug[11:]  # `2026-03-02-2`: the second change of that day
    heading = f"{service} — {title}: {what} {nth + ' ' if nth else ''}of "
    meta: dict[str, object] = {"title": heading + day, "description": ref.summary, "date": date_of(ref.observed_at),
                               "service": ref.service, "document": ref.document, "class": ref.version_class,
                               "topics": list(ref.topics), "service_name": service, "document_name": title,
                               "kind": what + (f" {nth}" if nth else "")}
    if ref.version_class == "first":
        # A whole text, like the document page: no clause list in the sidebar, and not indexed for
        # search (every word of it is found on the document page or, if later removed, in a change).
        meta.update({"hide": ["toc"], "search_exclude": True})
    lead = f"**{markdown_text(ref.summary)}**\n" if ref.version_class == "first" else ""
    lines = [front_matter(meta), f"# {markdown_text(heading)}{nowrap_date(day)}\n", lead, *_section(facts),
             *_section(key_changes), _neighbours(context)]
    lines += [item.rstrip() + "\n" for item in unanchored if item.strip()]
    lines.append(f"## {'Text first recorded' if ref.version_class == 'first' else 'What changed'} "
                 f"{{ #{heading_id('changes')} }}\n")
    lines.append(body_markdown.strip() + "\n")
    if commentary_by_clause:
        lines.append(f"## Commentary on clauses {{ #{heading_id('commentary')} }}\n")
        for clause_id, items in commentary_by_clause.items():
            label = f"`{markdown_text(clause_id)}`"
            linked = clause_id in anchors and is_slug(clause_id)
            lines.append(f"On clause [{label}](#{clause_id}):\n" if linked else f"On clause {label}:\n")
            lines += [item.rstrip() + "\n" for item in items]
    provenance = _provenance(context)
    if provenance:
        lines.append(f"## Provenance {{ #{heading_id('provenance')} .cw-provenance }}\n")
        lines.append(provenance)
    return "\n".join(lines) + "\n"


def _doc_page(ref: ChangeRef) -> str:
    return f"{ref.service}/{ref.document}/index.md"


def _neighbours(context: ChangeContext) -> str:
    ref = context.ref
    parts = []
    if context.previous is not None:
        previous = context.previous
        parts.append(f"[← previous change ({nowrap_date(slug_label(previous.slug))})]"
                     f"({link(ref.page, previous.page)})")
    parts.append(f"[document and timeline]({link(ref.page, _doc_page(ref))})")
    if context.following is not None:
        parts.append(f"[next change ({nowrap_date(slug_label(context.following.slug))}) →]"
                     f"({link(ref.page, context.following.page)})")
    return " · ".join(parts) + "\n{: .cw-neighbours }\n"


def _provenance(context: ChangeContext) -> str:
    """What the fact box does not say: the version this one is compared with, and attribution."""
    rows = []
    if context.previous_commit:
        rows.append(f"Compared with archive commit `{context.previous_commit}`.")
    if context.imported_from:
        commit = context.imported_from.partition("@")[2]
        at = f"Source commit `{markdown_text(commit)}`. " if commit else ""
        rows.append(at + attribution([context.imported_from]).split("\n")[0])
    return "".join(f"{row}\n{{: .cw-provenance }}\n\n" for row in rows)
