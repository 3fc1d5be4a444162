""""As of" pages: a document's text as it stood after each published change.

    <service>/<document>/as-of/                 every date with a recorded text, and how to read them
    <service>/<document>/as-of/<YYYY-MM-DD>/     the text recorded that day (same slug as the change page)

The text in force on any other date is the one of the latest date listed before it. Pages exist for
the newest first records and substantive changes (`AS_OF_LIMIT`; older ones are listed with their archive
commit); cosmetic, link-only
and blink recordings do not change the words a reader reads, so the earlier page stands for them.
They are kept out of the search index: their words are already found through the current text.
"""

from __future__ import annotations

from collections.abc import Sequence

from clausewatch.diff.clauses import split_clauses
from clausewatch.diff.history import HistoryEntry
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

AS_OF_LIMIT = 3
"""The newest texts per document that get an "as of" page. Each is a whole document (often 50-300 KB of
HTML), so every one costs as much as a document page: at 39,000 imported versions, 100 per document more
than doubled the build time and size (measured on a 10% sample: 1,725 → 2,996 pages, MkDocs 143 → 474 s).
Older texts are named on the as-of index with their change page and archive commit."""


def as_of_path(service: str, document: str, slug: str) -> str:
    return f"{service}/{document}/as-of/{slug}/index.md"


def as_of_files(
    summary: DocumentSummary, history: Sequence[HistoryEntry], slugs: Sequence[str]
) -> dict[str, str]:
    """The as-of index and one page per published version (newest `AS_OF_LIMIT`)."""
    published = [(entry, slug) for entry, slug in zip(history, slugs, strict=True) if slug]
    kept = published[-AS_OF_LIMIT:]
    files: dict[str, str] = {}
    position = {id(entry): i for i, entry in enumerate(history)}
    for index, (entry, slug) in enumerate(kept):
        following = kept[index + 1][1] if index + 1 < len(kept) else ""
        end = position[id(kept[index + 1][0])] if following else len(history)
        later = [e.version_class for e in history[position[id(entry)] + 1 : end]]
        files[as_of_path(summary.service, summary.document, slug)] = as_of_page(
            summary, entry, slug, following, later
        )
    files[f"{summary.service}/{summary.document}/as-of/index.md"] = as_of_index(
        summary, [(slug, entry.version.commit) for entry, slug in published], {slug for _, slug in kept}
    )
    return files


def _titles(summary: DocumentSummary) -> tuple[str, str]:
    return service_title(summary.service, summary.service_name), document_title(
        summary.document, summary.document_name
    )


def as_of_page(
    summary: DocumentSummary, entry: HistoryEntry, slug: str, following: str, later: Sequence[str] = ()
) -> str:
    """The text recorded on one date, with its validity and links to the change and the next text.

    `later`: classes of the unpublished recordings between this text and the next published one.
    """
    service, title = _titles(summary)
    page = as_of_path(summary.service, summary.document, slug)
    meta = {
        "title": f"{service} — {title} as of {slug}",
        "description": f"The text of {service} {title} as recorded on {date_of(slug)}",
        "date": date_of(slug),
        "service": summary.service,
        "document": summary.document,
        "search_exclude": True,
        "hide": ["toc"],  # a whole old text: its clauses are listed on the document page
    }
    change = link(page, f"{summary.service}/{summary.document}/{slug}/index.md")
    current = link(page, f"{summary.service}/{summary.document}/index.md")
    if following:
        later = link(page, as_of_path(summary.service, summary.document, following))
        until = f"until the next change, [{following}]({later})"
    else:
        until = f"to this day: it is the [current text]({current})"
    observed = entry.version.observed_at.strftime("%Y-%m-%d %H:%M:%S UTC")
    lines = [
        front_matter(meta),
        f"# {markdown_text(service)} — {markdown_text(title)} as of {slug}\n",
        f"Recorded {observed} (archive commit `{entry.version.commit[:12]}`); this wording stood {until}. "
        f"See [what changed that day]({change}) · [all dates]({link(page, _index(summary))}).\n",
        _later_note(later),
        f"## Text {{ #{heading_id('text')} }}\n",
        render_clauses(split_clauses(entry.version.text)),
    ]
    return "\n".join(lines)


def _later_note(later: Sequence[str]) -> str:
    """What the recordings in between did, so a reader knows what "stood" means here."""
    if not later:
        return ""
    blinks = sum(1 for c in later if c == "blink")
    note = (f"{len(later)} later recording{'s' if len(later) != 1 else ''} before the next change only "
            "changed links or formatting")
    if blinks:
        note += f", or flipped back to a text recorded earlier ({blinks} time{'s' if blinks != 1 else ''})"
    return f"!!! note \"In between\"\n    {note}: see the document's timeline.\n"


def _index(summary: DocumentSummary) -> str:
    return f"{summary.service}/{summary.document}/as-of/index.md"


def as_of_index(summary: DocumentSummary, dated: Sequence[tuple[str, str]], with_page: set[str]) -> str:
    """Every date with a recorded text, newest first; how to find the text in force on any date."""
    service, title = _titles(summary)
    page = _index(summary)
    meta = {"title": f"{service} — {title}: texts by date", "service": summary.service,
            "document": summary.document, "search_exclude": True}
    lines = [
        front_matter(meta),
        f"# {markdown_text(service)} — {markdown_text(title)}: texts by date\n",
        "Each date below is a day the words of this document changed (or were first recorded). "
        "The text in force on any other date is the one of the latest date before it.\n",
    ]
    for slug, commit in reversed(dated):
        if slug in with_page:
            lines.append(f"- [{slug}]({link(page, as_of_path(summary.service, summary.document, slug))})")
        else:
            change = link(page, f"{summary.service}/{summary.document}/{slug}/index.md")
            lines.append(f"- {slug}: [the change of that day]({change}); the whole text is in the archive at "
                         f"commit `{commit[:12]}` (`git show {commit[:12]}:archive/{summary.service}/"
                         f"{summary.document}.md`)")
    return "\n".join(lines) + "\n"
