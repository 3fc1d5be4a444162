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
from clausewatch.site.commentary_render import commentary_id
from clausewatch.site.escape import is_web_url, link_target, markdown_text
from clausewatch.site.markdown import document_title, front_matter, heading_id, link, nowrap_date, service_title
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
    service_name: str = ""
    document_name: str = ""


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
        names = (found.service_name, found.document_name) if found else ("", "")
        entries.append(CommentaryEntry(item, found.page if found else "", date, *names))
    return sorted(entries, key=lambda e: (e.date, e.commentary.path), reverse=True)


def _entry_line(page: str, entry: CommentaryEntry, *, with_service: bool) -> str:
    """One commentary: its date, its service and document by name, its title linking to the clause it
    explains on the change page (or the change), and the change and clause it is about."""
    item = entry.commentary
    title = markdown_text(item.title)
    document = document_title(item.document, entry.document_name)
    where = f"{service_title(item.service, entry.service_name)} — {document}" if with_service else document
    change = link(page, entry.page) if entry.page else ""
    # the commentary's own anchor: on its change page, next to the clause it explains
    target = f"[{title}]({change}#{commentary_id(item)})" if change else title
    authors = ", ".join(markdown_text(a) for a in item.authors)
    about = f" · on [the change of {nowrap_date(entry.date)}]({change})" if change else ""
    if item.clause:
        about += f"{',' if about else ' ·'} clause `{markdown_text(item.clause)}`"
    return f"- **{nowrap_date(entry.date)}** · {markdown_text(where)} · {target} — by {authors}{about}"


def commentary_index_page(entries: Sequence[CommentaryEntry], *, repo_url: str = "") -> str:
    """Every published commentary, newest change first, linking to the change and clause it explains;
    then how to add commentary (from the site when its repository is known, else from a clone)."""
    meta = {"title": "Commentary", "description": "Contributors explain what changed and why it matters"}
    lines = [front_matter(meta), "# Commentary\n",
             "Contributors explain changes next to the clauses they affect. Commentary is added through "
             "pull requests and reviewed in public.\n"]
    lines += [_entry_line(INDEX, e, with_service=True) for e in entries] or ["No commentary yet."]
    lines += ["", f"## Add commentary {{ #{heading_id('add')} }}\n", *how_to_contribute(repo_url)]
    return "\n".join(lines) + "\n"


def contributing_url(repo_url: str) -> str:
    """CONTRIBUTING.md on the repository's web site ('' when the repository is not known)."""
    if not is_web_url(repo_url):
        return ""
    base = repo_url.rstrip("/")
    return f"{base}/-/blob/HEAD/CONTRIBUTING.md" if "gitlab" in base else f"{base}/blob/HEAD/CONTRIBUTING.md"


def how_to_contribute(repo_url: str) -> list[str]:
    """The Commentary page's instructions: the one place the site shows a command line."""
    guide = contributing_url(repo_url)
    named = f"[CONTRIBUTING.md](<{guide}>)" if guide else "CONTRIBUTING.md in the site's repository"
    lines = []
    if guide:
        lines.append(f"On a change page, each clause card has a **{SUGGEST}** link: it opens "
                     f"[the repository](<{link_target(repo_url)}>)'s web editor on a new file at the right place, "
                     "already filled in with the change, the clause and a few words of it. Write your text, "
                     "then propose the file as a pull request.\n")
    lines.append("From a clone of the repository, `clausewatch annotate SERVICE/DOCUMENT DATE --clause ID` "
                 "writes the same file (the clause ID is the part after `#` in the clause's link), and "
                 f"`clausewatch check` checks it. {named} explains the format and the review.\n")
    return lines


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


SUGGEST = "Suggest commentary"
"""The label of the link, in each clause card's tools line, that opens the repository's web editor."""


def suggest_commentary_urls(ref: ChangeRef, config: Mapping[str, object], anchors: Iterable[str],
                            clauses: Iterable[Clause] = ()) -> dict[str, str]:
    """The "Suggest commentary" links of a change page, `{clause anchor: web-editor URL}` and `""` for the
    whole change: each opens the repository's web editor on a new commentary file at the right path,
    its front matter filled in (service, document, change, clause and a quote of the clause). Empty when
    the site does not know its repository (`repo_url`): readers then see no link and no command line (the
    Commentary page and CONTRIBUTING.md say how to contribute from a clone)."""
    repo_url = str(config.get("repo_url") or "")
    if not repo_url:
        return {}
    branch = repository_branch(config)
    by_id = {c.id: c for c in clauses}
    urls = {}
    for anchor in ("", *anchors):
        clause = anchor or None
        quote = clause_quote(by_id.get(anchor)) if clause else None
        url = add_commentary_url(repo_url, branch, ref.service, ref.document, ref.slug, clause, quote)
        if url:
            urls[anchor] = url
    return urls


def suggest_on_change(url: str) -> str:
    """The line above a change's cards that suggests commentary on the whole change ('' without URL)."""
    return f"[{SUGGEST} on this whole change](<{url}>){{ .cw-add-commentary }}\n" if url else ""


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
