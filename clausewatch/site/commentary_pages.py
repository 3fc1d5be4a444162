"""Commentary pages: the commentary index (`commentary/index.md`) and each service's commentary section.

Pure: commentary and the published changes in, Markdown out. Only published commentary is listed;
each entry links to the change page where it is shown next to its clause. Titles and authors are
untrusted and escaped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from clausewatch.commentary.anchor import anchor_commentary, names_change
from clausewatch.commentary.template import add_commentary_url, clause_quote, repository_branch
from clausewatch.models import Clause, Commentary
from clausewatch.site.escape import markdown_text
from clausewatch.site.markdown import front_matter, heading_id, link
from clausewatch.site.views import ChangeRef

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
        found = next((r for r in candidates if names_change(item.change, r.slug, r.commit)), None)
        date = found.observed_at[:10] if found else item.change[:10]
        entries.append(CommentaryEntry(item, found.page if found else "", date))
    return sorted(entries, key=lambda e: (e.date, e.commentary.path), reverse=True)


def _entry_line(page: str, entry: CommentaryEntry, *, with_service: bool) -> str:
    item = entry.commentary
    title = markdown_text(item.title)
    where = f"{item.service}/{item.document}" if with_service else item.document
    target = f"[{title}]({link(page, entry.page)})" if entry.page else title
    authors = ", ".join(markdown_text(a) for a in item.authors)
    return f"- **{entry.date}** · {markdown_text(where)} · {target} — by {authors}"


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


def commentary_sections(entries: Sequence[CommentaryEntry], services: Iterable[str]) -> dict[str, str]:
    """Each service's `## Commentary` section (for its page), '' when it has none."""
    return {service: service_commentary_section(service, entries) for service in services}


def add_commentary_markdown(url: str | None, key: str, change: str, clause: str | None = None) -> str:
    """The "Add commentary" link (to the web editor), or the `clausewatch annotate` command when the
    site has no `repo_url`."""
    label = "Add commentary" + (" on this clause" if clause else " on this change")
    if url:
        return f"[{label}](<{url}>){{ .cw-add-commentary }}"
    command = f"clausewatch annotate {key} {change}" + (f" --clause {clause}" if clause else "")
    one = "" if clause else " (add `--clause ID` for one clause: the ID is its anchor on this page)"
    return f"*{label}: run `{command}`{one} in a clone of the repository (see CONTRIBUTING.md).*"


def add_commentary_links(ref: ChangeRef, config: Mapping[str, object], anchors: Iterable[str],
                         clauses: Iterable[Clause] = ()) -> dict[str, str]:
    """"Add commentary" links of a change page: `""` for the whole change, and one per clause anchor in
    `anchors` when the site knows its repository (`repo_url`) to open the web editor on."""
    key = f"{ref.service}/{ref.document}"
    repo_url = str(config.get("repo_url") or "")
    branch = repository_branch(config)
    by_id = {c.id: c for c in clauses}

    def link_for(clause: str | None) -> str:
        quote = clause_quote(by_id.get(clause or "")) if clause else None  # quoted only where a link is made
        url = add_commentary_url(repo_url, branch, ref.service, ref.document, ref.slug, clause, quote)
        return add_commentary_markdown(url, key, ref.slug, clause)

    links = {anchor: link_for(anchor) for anchor in anchors} if repo_url else {}
    links[""] = link_for(None)
    return links


@dataclass(frozen=True, slots=True)
class ChangeClauses:
    """One published change of a document: its page name, commit, and its clauses before and after."""

    slug: str
    commit: str
    before: Sequence[Clause]
    after: Sequence[Clause]


def current_text_notes(page: str, notes: Iterable[Commentary], changes: Sequence[ChangeClauses],
                       latest: Sequence[Clause]) -> dict[str, str]:
    """For the current text on a document page: `{clause id: links to the commentary on that clause}`.

    Each published commentary is anchored in the latest version: by its clause id, else by its quote,
    else by the words its clause had in the change it explains (so renumbered, moved or reworded
    clauses keep their commentary); commentary whose clause is gone stays on its change page only.
    """
    by_clause: dict[str, list[str]] = {}
    folder = page.rsplit("/", 1)[0]
    latest_ids = {c.id for c in latest}
    for item in notes:
        change = next((c for c in changes if names_change(item.change, c.slug, c.commit)), None)
        if item.status != "published" or not item.clause or change is None:
            continue
        old = [c for c in (*change.after, *change.before) if c.id == item.clause][:1]
        anchor = anchor_commentary(item, old, latest)
        if anchor.clause_id is None or anchor.clause_id not in latest_ids:
            continue
        target = link(page, f"{folder}/{change.slug}/index.md")
        by_clause.setdefault(anchor.clause_id, []).append(
            f"*Commentary: [{markdown_text(item.title)}]({target}) ({change.slug})*")
    return {clause: "\n\n".join(items) for clause, items in by_clause.items()}
