"""Page templates: pure functions from values to Markdown pages with YAML front matter.

Only plain Markdown plus `attr_list`, `admonition` and `pymdownx.details` is emitted, so any engine
that reads MkDocs' Markdown can build the site. Every scraped or contributed string goes through
`escape_untrusted` (entities for HTML and for Markdown syntax) before it reaches a page; front-matter
strings are additionally stripped of markup characters because themes print them unescaped.
Clause anchors come from clause ids (slugs); our own headings use ids with `_`, which no slug
contains, so they can never collide with a clause.

Links between pages are relative links to `.md` files, so `mkdocs build --strict` checks every one.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import yaml

from clausewatch.models import Clause
from clausewatch.render_diff import escape_untrusted
from clausewatch.slugs import is_slug

HOME_LIMIT = 50
"""Changes listed on the home page (newest first)."""
SERVICE_LIMIT = 20
"""Latest changes listed on a service page."""

_FRONT_MATTER_DROP = re.compile(r"[<>\"`\x00-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class ChangeRef:
    """One published change (a first record or a substantive change): what index pages show of it."""

    service: str
    document: str
    service_name: str
    document_name: str
    slug: str
    """The change's folder: `YYYY-MM-DD`, `YYYY-MM-DD-2`, ..."""
    observed_at: str
    """ISO-8601 UTC with seconds."""
    version_class: str
    summary: str
    topics: tuple[str, ...]
    commit: str

    @property
    def page(self) -> str:
        """The change page's Markdown path under docs/."""
        return f"{self.service}/{self.document}/{self.slug}/index.md"

    @property
    def path(self) -> str:
        """The change's permanent site path, e.g. `acme/terms-of-service/2026-03-10/`."""
        return f"{self.service}/{self.document}/{self.slug}/"


@dataclass(frozen=True, slots=True)
class TimelineRow:
    """One recorded version in a document's timeline."""

    observed_at: str
    version_class: str
    summary: str
    commit: str
    slug: str = ""
    """Its change page's folder, '' when it has none (non-substantive recordings)."""
    topics: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DocumentSummary:
    """What the home, service and topic pages need to know about one document."""

    service: str
    document: str
    service_name: str
    document_name: str
    source_url: str
    versions: int
    last_observed: str
    changes: tuple[ChangeRef, ...]
    """Published changes, oldest first."""
    imported_from: tuple[str, ...] = ()
    """Sources some of its versions were imported from (`owner/repo`), for attribution."""


@dataclass(frozen=True, slots=True)
class ChangeContext:
    """Everything a change page shows besides its diff."""

    ref: ChangeRef
    previous: ChangeRef | None
    following: ChangeRef | None
    source_url: str
    snapshot_sha256: str
    previous_commit: str
    imported_from: str = ""
    """`owner/repo@commit` when the version was imported from another archive."""


def service_title(service: str, service_name: str) -> str:
    return service_name or service


def document_title(document: str, document_name: str) -> str:
    return document_name or document.replace("-", " ").capitalize()


def front_matter(meta: Mapping[str, object]) -> str:
    """A YAML front-matter block; strings are stripped of characters themes could print as markup."""
    clean = {key: _plain_value(value) for key, value in meta.items() if value not in (None, "", ())}
    return "---\n" + yaml.safe_dump(clean, sort_keys=False, allow_unicode=True, width=1000) + "---\n\n"


def _plain_value(value: object) -> object:
    if isinstance(value, str):
        return " ".join(_FRONT_MATTER_DROP.sub(" ", value).split())
    if isinstance(value, list | tuple):
        return [_plain_value(item) for item in value]
    return value


def attribution(sources: Iterable[str]) -> str:
    """The attribution line that imported data requires ('' when nothing was imported)."""
    names = sorted({source.partition("@")[0] for source in sources if source})
    if not names:
        return ""
    ota = any(name.startswith("OpenTermsArchive/") for name in names)
    credit = " Data by Open Terms Archive contributors, under the Open Data Commons Attribution License " \
             "(ODC-BY 1.0)." if ota else ""
    listed = ", ".join(f"`{escape_untrusted(name)}`" for name in names)
    return f"Versions imported from {listed}.{credit}"


def link(from_page: str, to_page: str) -> str:
    """The relative link from one docs/ page to another (both paths of `.md` files)."""
    return posixpath.relpath(to_page, posixpath.dirname(from_page) or ".")


AS_OF_LIMIT = 3
"""The newest texts per document that get an "as of" page. Each is a whole document (often 50-300 KB of
HTML), so every one costs as much as a document page: at 39,000 imported versions, 100 per document more
than doubled the build time and size (measured on a 10% sample: 1,725 → 2,996 pages, MkDocs 143 → 474 s).
Older texts are named on the as-of index with their change page and archive commit."""


def heading_id(text: str) -> str:
    """An id for our own headings: contains `_`, so no clause id (a slug) can take it."""
    return "_" + text


def escape_block(text: str) -> str:
    """Untrusted multi-line text as inert Markdown paragraphs (line breaks kept, no block syntax)."""
    paragraphs = [p for p in re.split(r"\n[ \t]*\n", text.strip()) if p.strip()]
    return "\n\n".join(_escape_paragraph(p) for p in paragraphs)


def _escape_paragraph(paragraph: str) -> str:
    lines = []
    for line in paragraph.splitlines():
        lines.append(escape_inline(line.strip()))
    return "\n".join(line for line in lines if line)


_MD_LINK = re.compile(r"\[([^\[\]\n]*)\]\((\S+?)(?:\s+\"[^\"\n]*\")?\)")


def escape_inline(line: str) -> str:
    """One line of scraped Markdown made inert, except its http(s) links, which stay links.

    `See our [Privacy Policy](https://x.example/privacy)` keeps a working link whose text is escaped and
    whose URL is quoted; a link to anything but http(s) (`javascript:`, `mailto:`) becomes its text.
    """
    out, pos = [], 0
    for match in _MD_LINK.finditer(line):
        out.append(escape_untrusted(line[pos : match.start()]))
        text, url = match.group(1), match.group(2)
        out.append(_inline_link(text, url))
        pos = match.end()
    out.append(escape_untrusted(line[pos:]))
    return "".join(out)


def _inline_link(text: str, url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or re.search(r"[\s\x00-\x1f]", url):
        return escape_untrusted(text)
    href = quote(url, safe=":/?#@!$&'*+,;=%~.-_").replace(">", "%3E")
    return f"[{escape_untrusted(text) or escape_untrusted(url)}](<{href}>)"


def date_of(observed_at: str) -> str:
    return observed_at[:10]


def topic_links(from_page: str, topics: Iterable[str]) -> str:
    """Topic tags linking to the topic pages."""
    return " ".join(
        f"[`{topic}`]({link(from_page, f'topics/{topic}/index.md')})" for topic in topics if is_slug(topic)
    )


def source_link(url: str) -> str:
    """An http(s) source URL as a link (text escaped, URL quoted), anything else as inert text."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or re.search(r"[\s\x00-\x1f]", url):
        return escape_untrusted(url)
    href = quote(url, safe=":/?#[]@!$&'*+,;=%~.-_")
    return f"[{escape_untrusted(url)}](<{href.replace('>', '%3E')}>)"


def render_clauses(clauses: Sequence[Clause], *, base_level: int = 2) -> str:
    """A document's text, clause by clause, each with its anchor `{ #id }`."""
    blocks = []
    for clause in clauses:
        anchor = clause.id if is_slug(clause.id) else ""
        number = escape_untrusted(" ".join(clause.number.split())) + " " if clause.number else ""
        if clause.heading and clause.heading.strip():
            level = min(6, base_level + 1 + clause.level)
            attr = f" {{ #{anchor} }}" if anchor else ""
            heading = escape_untrusted(" ".join(clause.heading.split()))  # a heading is one line
            blocks.append(f"{'#' * level} {number}{heading}{attr}")
            if clause.text.strip():
                blocks.append(escape_block(clause.text))
            continue
        body = escape_block(clause.text) or "&nbsp;"
        first, sep, rest = body.partition("\n\n")
        prefix = f"**{number.strip()}** " if number else ""
        blocks.append(f"{prefix}{first}\n{{: #{anchor} }}{sep}{rest}" if anchor else f"{prefix}{body}")
    return "\n\n".join(blocks) + "\n"


def home_page(summaries: Sequence[DocumentSummary], *, site_name: str = "Clausewatch") -> str:
    """The home page: latest substantive changes across services, newest first, then every service."""
    page = "index.md"
    changes = sorted(
        (c for s in summaries for c in s.changes if c.version_class == "substantive"),
        key=lambda c: (c.observed_at, c.service, c.document, c.slug),
        reverse=True,
    )[:HOME_LIMIT]
    meta = {"title": site_name, "description": "Latest substantive changes to terms of service and policies"}
    lines = [front_matter(meta), f"# {escape_untrusted(site_name)}\n",
             "A public record of how terms of service and privacy policies change, clause by clause. "
             f"See [how it works]({link(page, 'about.md')}).\n",
             f"## Latest substantive changes {{ #{heading_id('latest')} }}\n"]
    items = [_change_item(page, change, with_document=True) for change in changes]
    lines += items or ["No substantive change yet."]
    lines.append(f"\n## Services {{ #{heading_id('services')} }}\n")
    services = _by_service(summaries)
    lines += [
        f"- [{escape_untrusted(service_title(key, docs[0].service_name))}]({link(page, f'{key}/index.md')})"
        f" — {len(docs)} document{'s' if len(docs) != 1 else ''}"
        for key, docs in services.items()
    ] or ["No document recorded yet."]
    credit = attribution(source for s in summaries for source in s.imported_from)
    if credit:
        lines.append(f"\n{credit}")
    return "\n".join(lines) + "\n"


def _by_service(summaries: Iterable[DocumentSummary]) -> dict[str, list[DocumentSummary]]:
    grouped: dict[str, list[DocumentSummary]] = {}
    for summary in sorted(summaries, key=lambda s: (s.service, s.document)):
        grouped.setdefault(summary.service, []).append(summary)
    return grouped


def _change_item(page: str, change: ChangeRef, *, with_document: bool) -> str:
    what = (
        f"{escape_untrusted(service_title(change.service, change.service_name))} — "
        f"{escape_untrusted(document_title(change.document, change.document_name))}"
        if with_document
        else escape_untrusted(document_title(change.document, change.document_name))
    )
    tags = topic_links(page, change.topics)
    return (
        f"- **{date_of(change.observed_at)}** · [{what}]({link(page, change.page)}) — "
        f"{escape_untrusted(change.summary)}{' · ' + tags if tags else ''}"
    )


def service_page(service: str, summaries: Sequence[DocumentSummary]) -> str:
    """A service's page: its documents, then its latest changes."""
    page = f"{service}/index.md"
    name = service_title(service, summaries[0].service_name if summaries else "")
    meta = {"title": name, "description": f"Recorded terms and policies of {name}", "service": service}
    lines = [front_matter(meta), f"# {escape_untrusted(name)}\n",
             f"## Documents {{ #{heading_id('documents')} }}\n"]
    for summary in summaries:
        title = escape_untrusted(document_title(summary.document, summary.document_name))
        lines.append(
            f"- [{title}]({link(page, f'{service}/{summary.document}/index.md')}) — "
            f"{summary.versions} recorded version{'s' if summary.versions != 1 else ''}, "
            f"last observed {date_of(summary.last_observed)}"
        )
    changes = sorted((c for s in summaries for c in s.changes), key=lambda c: c.observed_at, reverse=True)
    lines.append(f"\n## Latest changes {{ #{heading_id('latest')} }}\n")
    lines += [_change_item(page, c, with_document=False) for c in changes[:SERVICE_LIMIT]]
    return "\n".join(lines) + "\n"


def document_page(
    summary: DocumentSummary, timeline: Sequence[TimelineRow], clauses: Sequence[Clause]
) -> str:
    """A document's page: its timeline (published changes linked, the rest folded) and current text."""
    page = f"{summary.service}/{summary.document}/index.md"
    service = service_title(summary.service, summary.service_name)
    title = document_title(summary.document, summary.document_name)
    meta = {"title": f"{service} — {title}", "description": f"Current text and history of {service} {title}",
            "date": date_of(summary.last_observed), "service": summary.service, "document": summary.document}
    lines = [
        front_matter(meta),
        f"# {escape_untrusted(service)} — {escape_untrusted(title)}\n",
        f"Service: [{escape_untrusted(service)}]({link(page, f'{summary.service}/index.md')}) · "
        f"{summary.versions} recorded version{'s' if summary.versions != 1 else ''} · "
        f"last observed {summary.last_observed.replace('T', ' ').replace('Z', ' UTC')}",
        f"\nSource: {source_link(summary.source_url)}\n" if summary.source_url else "",
        f"{attribution(summary.imported_from)}\n" if summary.imported_from else "",
        f"## Timeline {{ #{heading_id('timeline')} }}\n",
    ]
    lines = [line for line in lines if line]
    published = [row for row in reversed(timeline) if row.slug]
    lines += [_timeline_item(page, summary, row, as_of=i < AS_OF_LIMIT) for i, row in enumerate(published)]
    others = [row for row in reversed(timeline) if not row.slug]
    if others:
        label = f"{len(others)} non-substantive recording{'s' if len(others) != 1 else ''}"
        lines.append(f'\n??? note "{label}"\n')
        lines += [
            f"    - {date_of(row.observed_at)} · {row.version_class} · {escape_untrusted(row.summary)} · "
            f"`{row.commit[:10]}`"
            for row in others
        ]
    lines.append(f"\n## Current text {{ #{heading_id('text')} }}\n")
    lines.append(render_clauses(clauses))
    return "\n".join(lines) + "\n"


def _timeline_item(page: str, summary: DocumentSummary, row: TimelineRow, *, as_of: bool = True) -> str:
    target = f"{summary.service}/{summary.document}/{row.slug}/index.md"
    text = f"{summary.service}/{summary.document}/as-of/{row.slug}/index.md"
    tags = topic_links(page, row.topics)
    return (
        f"- **[{row.slug}]({link(page, target)})** · {row.version_class} · {escape_untrusted(row.summary)}"
        f"{' · ' + tags if tags else ''}" + (f" · [text as of then]({link(page, text)})" if as_of else "")
    )


def change_page(
    context: ChangeContext,
    body_markdown: str,
    *,
    commentary_by_clause: Mapping[str, Sequence[str]] | None = None,
    unanchored: Sequence[str] = (),
    anchors: frozenset[str] = frozenset(),
) -> str:
    """A change page: summary, date, the clause diff (or the first text), commentary, provenance.

    `body_markdown` is already rendered and escaped (`render_markdown` of the diff, or `render_clauses`
    of a first record); so is the commentary (admonitions rendered by `clausewatch.commentary`).
    Commentary on the whole change comes first; commentary on one clause is listed after the diff
    under a link to the clause's anchor on this page (`anchors`: the clause anchors the body has).
    """
    ref = context.ref
    service = service_title(ref.service, ref.service_name)
    title = document_title(ref.document, ref.document_name)
    what = "first record" if ref.version_class == "first" else "change"
    heading = f"{service} — {title}: {what} of {ref.slug}"
    meta = {"title": heading, "description": ref.summary, "date": date_of(ref.observed_at),
            "service": ref.service, "document": ref.document, "class": ref.version_class,
            "topics": list(ref.topics)}
    if ref.version_class == "first":
        # A whole text, like the document page: no clause list in the sidebar, and not indexed for
        # search (every word of it is found on the document page or, if later removed, in a change).
        meta.update({"hide": ["toc"], "search_exclude": True})
    lead = f"**{escape_untrusted(ref.summary)}**\n" if ref.version_class == "first" else ""
    lines = [front_matter(meta), f"# {escape_untrusted(heading)}\n", lead, _facts(context),
             _neighbours(context)]
    lines += [item.rstrip() + "\n" for item in unanchored]
    lines.append(f"## {'Text first recorded' if ref.version_class == 'first' else 'What changed'} "
                 f"{{ #{heading_id('changes')} }}\n")
    lines.append(body_markdown.strip() + "\n")
    if commentary_by_clause:
        lines.append(f"## Commentary on clauses {{ #{heading_id('commentary')} }}\n")
        for clause_id, items in commentary_by_clause.items():
            label = f"`{escape_untrusted(clause_id)}`"
            linked = clause_id in anchors and is_slug(clause_id)
            lines.append(f"On clause [{label}](#{clause_id}):\n" if linked else f"On clause {label}:\n")
            lines += [item.rstrip() + "\n" for item in items]
    lines.append(f"## Provenance {{ #{heading_id('provenance')} }}\n")
    lines.append(_provenance(context))
    return "\n".join(lines) + "\n"


def _doc_page(ref: ChangeRef) -> str:
    return f"{ref.service}/{ref.document}/index.md"


def _facts(context: ChangeContext) -> str:
    ref = context.ref
    tags = topic_links(ref.page, ref.topics)
    observed = ref.observed_at.replace("T", " ").replace("Z", " UTC")
    return f"Observed {observed} · {ref.version_class}" + (f" · topics: {tags}" if tags else "") + "\n"


def _neighbours(context: ChangeContext) -> str:
    ref = context.ref
    parts = []
    if context.previous is not None:
        previous = context.previous
        parts.append(f"[← previous change ({previous.slug})]({link(ref.page, previous.page)})")
    parts.append(f"[document and timeline]({link(ref.page, _doc_page(ref))})")
    if context.following is not None:
        parts.append(f"[next change ({context.following.slug}) →]({link(ref.page, context.following.page)})")
    return " · ".join(parts) + "\n"


def _provenance(context: ChangeContext) -> str:
    rows = [f"- Archive commit: `{context.ref.commit}`"]
    if context.previous_commit:
        rows.append(f"- Compared with commit: `{context.previous_commit}`")
    if context.source_url:
        rows.append(f"- Source: {source_link(context.source_url)}")
    if context.snapshot_sha256 and re.fullmatch(r"[0-9a-f]{64}", context.snapshot_sha256):
        rows.append(f"- SHA-256 of the raw response: `{context.snapshot_sha256}`")
    if context.imported_from:
        commit = context.imported_from.partition("@")[2]
        at = f" (source commit `{escape_untrusted(commit)}`)" if commit else ""
        rows.append(f"- {attribution([context.imported_from])}{at}")
    return "\n".join(rows) + "\n"
