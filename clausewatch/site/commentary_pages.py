"""Commentary pages: the commentary index (`commentary/index.md`) and each service's commentary section.

Pure: commentary and the published changes in, Markdown out. Only published commentary is listed;
each entry links to the change page where it is shown next to its clause. Titles and authors are
untrusted and escaped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from clausewatch.models import Clause, Commentary
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
        found = next((r for r in candidates if r.slug == item.change
                      or (len(item.change) >= 7 and r.commit.startswith(item.change))), None)
        date = found.observed_at[:10] if found else item.change[:10]
        entries.append(CommentaryEntry(item, found.page if found else "", date))
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


_ANCHOR = re.compile(r"\{:? #([A-Za-z0-9][A-Za-z0-9_-]*) \}")
_TRAILER = re.compile(r"^\*\d+ other clauses? unchanged")
"""`render_diff.render_markdown`'s closing note: it ends the last clause."""


def add_commentary_markdown(url: str | None, key: str, change: str, clause: str | None = None) -> str:
    """The "Add commentary" link (to the web editor), or the `clausewatch annotate` command when the
    site has no `repo_url`."""
    label = "Add commentary" + (" on this clause" if clause else " on this change")
    if url:
        return f"[{label}](<{url}>){{ .cw-add-commentary }}"
    command = f"clausewatch annotate {key} {change}" + (f" --clause {clause}" if clause else "")
    one = "" if clause else " (add `--clause ID` for one clause: the ID is its anchor on this page)"
    return f"*{label}: run `{command}`{one} in a clone of the repository (see CONTRIBUTING.md).*"


def insert_commentary(
    body: str,
    by_clause: Mapping[str, Sequence[str]],
    add_link: Callable[[str], str] | None = None,
) -> tuple[str, dict[str, list[str]]]:
    """Put each clause's commentary (and an "Add commentary" link) right after the clause in a change
    page's body; return the body and the commentary whose clause anchor is not in it.

    Clauses are found by their generated anchors (`{ #id }` / `{: #id }`); untrusted text cannot
    contain them (it is escaped). A clause ends where the next anchored clause starts.
    """
    blocks = body.strip("\n").split("\n\n")
    out: list[str] = []
    current: str | None = None
    placed: set[str] = set()

    def close(anchor: str | None) -> None:
        if anchor is None:
            return
        out.extend(item.rstrip("\n") for item in by_clause.get(anchor, ()))
        placed.add(anchor)
        if add_link is not None:
            out.append(add_link(anchor))

    for block in blocks:
        found = _ANCHOR.search(block)
        if _TRAILER.match(block):
            close(current)
            current = None
        elif found and found.group(1) != current:
            close(current)
            current = found.group(1)
        out.append(block)
    close(current)
    leftover = {k: list(v) for k, v in by_clause.items() if k not in placed}
    return "\n\n".join(out) + "\n", leftover


def decorate_change(
    ref: ChangeRef, body: str, by_clause: Mapping[str, Sequence[str]], unanchored: Sequence[str],
    config: Mapping[str, object] | None, *, per_clause: bool, clauses: Iterable[Clause] = (),
) -> tuple[str, dict[str, list[str]], list[str]]:
    """A change page's body with commentary next to its clauses and "Add commentary" links (one per
    changed clause when `per_clause`, one for the whole change); returns (body, commentary whose clause
    is not in the body, commentary and link for the top of the page)."""
    from clausewatch.annotate import add_commentary_url, clause_quote, repository_branch

    key = f"{ref.service}/{ref.document}"
    repo_url = str((config or {}).get("repo_url") or "")
    branch = repository_branch(config or {})
    by_id = {c.id: c for c in clauses} if per_clause else {}  # quoted on demand: few clauses get a link

    def link_for(clause: str | None) -> str:
        url = add_commentary_url(repo_url, branch, ref.service, ref.document, ref.slug, clause,
                                 clause_quote(by_id.get(clause or "")))
        return add_commentary_markdown(url, key, ref.slug, clause)

    body, leftover = insert_commentary(body, by_clause, link_for if per_clause and repo_url else None)
    return body, leftover, [*unanchored, link_for(None) + "\n"]


@dataclass(frozen=True, slots=True)
class ChangeClauses:
    """One published change of a document: its page name, commit, and its clauses before and after."""

    slug: str
    commit: str
    before: Sequence[Clause]
    after: Sequence[Clause]


def annotate_current_text(page_text: str, page: str, notes: Iterable[Commentary],
                          changes: Sequence[ChangeClauses], latest: Sequence[Clause]) -> str:
    """A document page with, after each clause of its current text, links to the commentary on it.

    Each published commentary is anchored in the latest version: by its clause id, else by its quote,
    else by the words its clause had in the change it explains (so renumbered, moved or reworded
    clauses keep their commentary); commentary whose clause is gone stays on its change page only.
    """
    from clausewatch.commentary import anchor_commentary

    by_clause: dict[str, list[str]] = {}
    folder = page.rsplit("/", 1)[0]
    for item in notes:
        change = next((c for c in changes if c.slug == item.change
                       or (len(item.change) >= 7 and c.commit.startswith(item.change))), None)
        if item.status != "published" or not item.clause or change is None:
            continue
        old = [c for c in (*change.after, *change.before) if c.id == item.clause][:1]
        anchor = anchor_commentary(item, old, latest)
        if anchor.clause_id is None or not any(c.id == anchor.clause_id for c in latest):
            continue
        target = link(page, f"{folder}/{change.slug}/index.md")
        by_clause.setdefault(anchor.clause_id, []).append(
            f"*Commentary: [{escape_untrusted(item.title)}]({target}) ({change.slug})*")
    if not by_clause:
        return page_text
    head, marker, text = page_text.partition(f"{{ #{heading_id('text')} }}")
    if not marker:
        return page_text
    body, _ = insert_commentary(text, by_clause)
    return head + marker + "\n\n" + body
