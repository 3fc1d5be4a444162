"""Commentary pages: the commentary index (`commentary/index.md`) and each service's commentary section.

Pure: commentary and the published changes in, Markdown out. Only published commentary is listed;
each entry links to the change page where it is shown next to its clause. Titles and authors are
untrusted and escaped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from clausewatch.models import Commentary
from clausewatch.render_diff import escape_untrusted
from clausewatch.site.pages import ChangeRef, front_matter, heading_id, link

INDEX = "commentary/index.md"


@dataclass(frozen=True, slots=True)
class CommentaryEntry:
    """One published commentary and the change page it is shown on ('' when that change has none)."""

    commentary: Commentary
    page: str
    """The change page's Markdown path under docs/, or ''."""
    date: str
    """The change's date (YYYY-MM-DD), for sorting and display."""


def resolve_entries(items: Iterable[Commentary], refs: Iterable[ChangeRef]) -> list[CommentaryEntry]:
    """Published commentary with its change page, newest change first (commit prefixes resolved)."""
    by_doc: dict[tuple[str, str], list[ChangeRef]] = {}
    for ref in refs:
        by_doc.setdefault((ref.service, ref.document), []).append(ref)
    entries = []
    for item in items:
        if item.status != "published":
            continue
        candidates = by_doc.get((item.service, item.document), [])
        ref = next((r for r in candidates if r.slug == item.change
                    or (len(item.change) >= 7 and r.commit.startswith(item.change))), None)
        date = ref.observed_at[:10] if ref else item.change[:10]
        entries.append(CommentaryEntry(item, ref.page if ref else "", date))
    return sorted(entries, key=lambda e: (e.date, e.commentary.path), reverse=True)


def _entry_line(page: str, entry: CommentaryEntry, *, with_service: bool) -> str:
    item = entry.commentary
    title = escape_untrusted(item.title)
    where = f"{item.service}/{item.document}" if with_service else item.document
    target = f"[{title}]({link(page, entry.page)})" if entry.page else title
    authors = ", ".join(escape_untrusted(a) for a in item.authors)
    return f"- **{entry.date}** · {escape_untrusted(where)} · {target} — by {authors}"


def commentary_index_page(entries: Sequence[CommentaryEntry]) -> str:
    """Every published commentary, newest change first, linking to the change page that shows it."""
    meta = {"title": "Commentary", "description": "Contributors explain what changed and why it matters"}
    lines = [front_matter(meta), "# Commentary\n",
             "Contributors explain changes next to the clauses they affect. Commentary is added through "
             "pull requests and reviewed in public; every change page has an *Add commentary* link.\n"]
    lines += [_entry_line(INDEX, e, with_service=True) for e in entries] or ["No commentary yet."]
    return "\n".join(lines) + "\n"


def service_commentary_section(service: str, entries: Sequence[CommentaryEntry]) -> str:
    """A `## Commentary` section for a service page (empty text when it has none)."""
    page = f"{service}/index.md"
    mine = [e for e in entries if e.commentary.service == service]
    if not mine:
        return ""
    lines = [f"\n## Commentary {{ #{heading_id('commentary')} }}\n"]
    lines += [_entry_line(page, e, with_service=False) for e in mine]
    lines.append(f"\n[All commentary]({link(page, INDEX)})")
    return "\n".join(lines) + "\n"


def commentary_files(items: Iterable[Commentary], refs: Iterable[ChangeRef],
                     service_pages: dict[str, str]) -> dict[str, str]:
    """The commentary index, and the service pages (`{service: Markdown}`) with their sections appended."""
    entries = resolve_entries(items, refs)
    files = {INDEX: commentary_index_page(entries)}
    for service, text in service_pages.items():
        section = service_commentary_section(service, entries)
        if section:
            files[f"{service}/index.md"] = text.rstrip("\n") + "\n" + section
    return files
