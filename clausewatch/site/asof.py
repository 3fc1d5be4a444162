""""As of" pages: a document's text as it stood after each published change.

    <service>/<document>/as-of/                 every date with a recorded text, and how to read them
    <service>/<document>/as-of/<YYYY-MM-DD>/     the text recorded that day (same slug as the change page)

The text in force on any other date is the one of the latest date listed before it. First records and
substantive changes have a text; cosmetic, link-only and blink recordings do not change the words a
reader reads (or flip back to words recorded before), so the earlier text stands for them.

The newest `AS_OF_LIMIT` texts of a document get a page; the index links every older one to its file in
the archive repository at its commit (when the site knows the repository: `CLAUSEWATCH_REPO_URL`), else
names the commit. Measured on the imported bundle: a page for every published version is about 11,000
whole texts, 900 MB of Markdown before MkDocs adds a byte, against GitHub Pages' 1 GB for the whole
site. The pages are light: the text once, as one raw HTML block that MkDocs passes through without
reading Markdown in it (a tenth of the time of the same text as Markdown), no table of contents in the
sidebar, and out of the search index (their words are found on the change pages and the current text).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from clausewatch.diff.clauses import split_clauses
from clausewatch.diff.history import HistoryEntry
from clausewatch.models import Clause
from clausewatch.site.archived import heading_text, render_blocks
from clausewatch.site.escape import markdown_link, markdown_text, one_line
from clausewatch.site.markdown import (
    date_of,
    document_title,
    front_matter,
    heading_id,
    link,
    nowrap_date,
    service_title,
    slug_label,
)
from clausewatch.site.views import DocumentSummary
from clausewatch.slugs import is_slug

AS_OF_LIMIT = 2
"""The newest texts per document that get an as-of page (the site's size budget, see above)."""


def as_of_path(service: str, document: str, slug: str) -> str:
    return f"{service}/{document}/as-of/{slug}/index.md"


def archived_text_url(repo_url: str, service: str, document: str, commit: str) -> str:
    """The recorded file at its commit on the code host ('' when the repository is not known)."""
    return f"{repo_url.rstrip('/')}/blob/{commit}/archive/{service}/{document}.md" if repo_url else ""


def text_targets(summary: DocumentSummary, history: Sequence[HistoryEntry], slugs: Sequence[str],
                 repo_url: str = "") -> dict[str, str]:
    """Where each published version's whole text is, by slug: its as-of page (docs/ path, newest
    `AS_OF_LIMIT`), else its file in the archive repository (absolute URL), else nowhere on the web."""
    published = [(slug, entry.version.commit) for entry, slug in zip(history, slugs, strict=True) if slug]
    paged = {slug for slug, _ in published[-AS_OF_LIMIT:]}
    return {slug: as_of_path(summary.service, summary.document, slug) if slug in paged
            else archived_text_url(repo_url, summary.service, summary.document, commit)
            for slug, commit in published}


def as_of_files(
    summary: DocumentSummary, history: Sequence[HistoryEntry], slugs: Sequence[str],
    targets: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The as-of index and a page for each of the newest `AS_OF_LIMIT` published versions (first record
    or substantive change), each with the classes of the recordings between it and the next published
    one. `targets`: `text_targets` of the document (computed here, without a repository, when absent)."""
    published = [index for index, slug in enumerate(slugs) if slug]
    files: dict[str, str] = {}
    for number, index in list(enumerate(published))[-AS_OF_LIMIT:]:
        end = published[number + 1] if number + 1 < len(published) else len(history)
        following = slugs[end] if end < len(history) else ""
        later = [entry.version_class for entry in history[index + 1 : end]]
        files[as_of_path(summary.service, summary.document, slugs[index])] = as_of_page(
            summary, history[index], slugs[index], following, later
        )
    targets = text_targets(summary, history, slugs) if targets is None else targets
    commits = {slugs[index]: history[index].version.commit for index in published}
    files[_index(summary)] = as_of_index(summary, [slugs[index] for index in published], targets, commits)
    return files


def _titles(summary: DocumentSummary) -> tuple[str, str]:
    return service_title(summary.service, summary.service_name), document_title(
        summary.document, summary.document_name
    )


def as_of_page(
    summary: DocumentSummary, entry: HistoryEntry, slug: str, following: str, later: Sequence[str] = ()
) -> str:
    """The text recorded on one date, with its validity and links to the change and the next text.

    `later`: classes of the unpublished recordings between this text and the next published one (or
    since, for the current text).
    """
    # named as that version was (like its change page): a later version's names leave the page as it was
    version = entry.version
    service = service_title(summary.service, version.service_name)
    title = document_title(summary.document, version.document_name)
    page = as_of_path(summary.service, summary.document, slug)
    meta = {
        "title": f"{service} — {title} as of {slug_label(slug)}",
        "description": f"The text of {service} {title} as recorded on {date_of(slug)}",
        "date": date_of(slug),
        "service": summary.service,
        "document": summary.document,
        "search_exclude": True,
        "hide": ["toc"],  # a whole old text: no list of its clauses in the sidebar
    }
    change = link(page, f"{summary.service}/{summary.document}/{slug}/index.md")
    current = link(page, f"{summary.service}/{summary.document}/index.md")
    if following:
        target = link(page, as_of_path(summary.service, summary.document, following))
        until = f"until the next change, [{nowrap_date(slug_label(following))}]({target})"
    else:
        until = f"to this day: it is the [current text]({current})"
    observed = entry.version.observed_at.strftime("%Y-%m-%d %H:%M:%S UTC")
    lines = [
        front_matter(meta),
        f"# {markdown_text(service)} — {markdown_text(title)} as of {nowrap_date(slug_label(slug))}\n",
        f"Recorded {observed} (archive commit `{entry.version.commit[:12]}`); this wording stood {until}. "
        f"See [what changed that day]({change}) · [all dates]({link(page, _index(summary))}).\n",
        _later_note(later, following=bool(following)),
        f"## Text {{ #{heading_id('text')} }}\n",
        text_html(split_clauses(entry.version.text)),
    ]
    return "\n".join(lines)


_KINDS = (("cosmetic", "changed only formatting or page furniture"), ("links", "changed only links"),
          ("blink", "flipped back to a text recorded earlier"),
          ("variant", "switched to the text of another language or region"))


def _later_note(later: Sequence[str], *, following: bool) -> str:
    """What the recordings between this text and the next change (or since, for the current text)
    did, counted by class, so a reader knows what "stood" means here."""
    if not later:
        return ""
    counts = Counter(later)
    parts = [f"{counts[kind]} {what}" for kind, what in _KINDS if counts[kind]]
    when = "before the next change" if following else "since"
    total = len(later)
    note = f"{total} later recording{'s' if total != 1 else ''} {when}: {', '.join(parts)}"
    return f"!!! note \"In between\"\n    {note}. See the document's timeline.\n"


def text_html(clauses: Sequence[Clause], *, base_level: int = 2) -> str:
    """A whole text as ONE raw HTML block (no blank line inside, so Python-Markdown keeps it whole and
    reads no Markdown in it): headings with their clause anchors, paragraphs, formatting and tables as
    the document page shows them. Every character of the text is escaped by `render_blocks`
    (`markdown_text`: entities, which mean the same in HTML), ids are slugs only. Only headings keep
    their clause's anchor: the ids of every paragraph were an eighth of an as-of page's bytes."""
    out = ['<div class="cw-text">']
    for clause in clauses:
        anchor = f' id="{clause.id}"' if is_slug(clause.id) else ""
        number = markdown_text(one_line(clause.number)) if clause.number else ""
        blocks = list(render_blocks(clause.text))
        if clause.heading and clause.heading.strip():
            level = min(6, base_level + 1 + clause.level)
            label = f"{number} {heading_text(clause.heading)}".strip()
            out.append(f"<h{level}{anchor}>{label}</h{level}>")
        elif number and blocks and not blocks[0].startswith("<table"):
            blocks[0] = f"<strong>{number}</strong> {blocks[0]}"
        elif number:
            blocks.insert(0, f"<strong>{number}</strong>")
        out += [block if block.startswith("<table") else f"<p>{block}</p>" for block in blocks]
    out.append("</div>")
    return "\n".join(out) + "\n"


def _index(summary: DocumentSummary) -> str:
    return f"{summary.service}/{summary.document}/as-of/index.md"


def as_of_index(summary: DocumentSummary, dated: Sequence[str], targets: Mapping[str, str] | None = None,
                commits: Mapping[str, str] | None = None) -> str:
    """Every date with a recorded text, newest first, linked to its text (`targets`, from `text_targets`:
    an as-of page or the archived file); how to find the text in force on any date."""
    targets = targets if targets is not None else {slug: as_of_path(summary.service, summary.document, slug)
                                                   for slug in dated}
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
    for slug in reversed(dated):
        change = link(page, f"{summary.service}/{summary.document}/{slug}/index.md")
        target = targets.get(slug, "")
        day = nowrap_date(slug_label(slug))
        if target and not target.startswith(("https://", "http://")):
            lines.append(f"- [{day}]({link(page, target)}) · [what changed that day]({change})")
        elif target:
            lines.append(f"- {day} · {markdown_link('the text in the archive', target)} · "
                         f"[what changed that day]({change})")
        else:
            commit = (commits or {}).get(slug, "")[:12]
            lines.append(f"- {day} · [what changed that day]({change}) · the text is in the archive at commit "
                         f"`{commit}` (`archive/{summary.service}/{summary.document}.md`)")
    return "\n".join(lines) + "\n"
