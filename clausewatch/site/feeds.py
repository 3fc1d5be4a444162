"""Atom and RSS feeds: global, per service, per document, per topic.

Pure: takes `PublishedChange`s, returns `{site-relative path: bytes}` under `feeds/`, files that the
build copies verbatim. Each entry carries the change's summary and the word diff of its substantive
clauses as escaped HTML, not just a link. Only substantive changes (and first records) by default.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC

from feedgen.feed import FeedGenerator

from clausewatch.diff.markup import plain_text
from clausewatch.diff.topics import load_topics
from clausewatch.models import ClauseChange, DiffSummary, PublishedChange
from clausewatch.site.archived import change_texts, feed_block, feed_ops, plain_ops
from clausewatch.site.escape import xml_chars, xml_text
from clausewatch.site.key_changes import rank_changes

FEEDS_DIR = "feeds"
FEED_LIMIT = 20
"""Entries per feed: the newest ones. A feed is polled for what is new; 50 entries of word diffs made
the 2,500 feeds of the imported archive 177 MB, an eighth of the site."""
ENTRY_CHARS = 1_500
"""An entry stops adding word diffs past this many characters (the rest: "…", and the link to the whole
change): sections of 30 rewritten clauses made entries of 30 KB, feeds 161 MB on the imported bundle;
3,000 made them 80 MB, still the fourth largest part of a site that must stay under 1 GB. An entry leads
with its headline and the top key changes (ranked), so the first 1,500 characters are what matters."""
MAX_CLAUSES_PER_ENTRY = 5
"""Substantive clause changes shown in one entry; the entry links to the whole change."""
FEED_KINDS = ("all", "service", "document", "topic")


def feed_path(kind: str, key: str = "", fmt: str = "atom") -> str:
    """Where a feed lives: `feeds/all.atom.xml`, `feeds/<service>.atom.xml`,
    `feeds/<service>/<document>.atom.xml`, `feeds/topics/<topic>.rss.xml`."""
    ext = "atom.xml" if fmt == "atom" else "rss.xml"
    if kind == "all":
        return f"{FEEDS_DIR}/all.{ext}"
    if kind == "topic":
        return f"{FEEDS_DIR}/topics/{key}.{ext}"
    return f"{FEEDS_DIR}/{key}.{ext}"  # service `acme` or document `acme/terms`


def chronological_key(change: PublishedChange) -> tuple[object, ...]:
    """Sort key: observation time, then the same-day suffix (`2026-03-01/` < `-2/` < `-10/`)."""
    return (change.version.observed_at, len(change.path), change.path)


def _absolute(site_url: str, path: str) -> str:
    return site_url.rstrip("/") + "/" + path.lstrip("/")


def summary_text(summary: DiffSummary) -> str:
    """`2 substantive changes, 1 added, 24 renumbered` (only the non-zero counts)."""
    parts = [
        (summary.substantive, "substantive change", "substantive changes"),
        (summary.added, "added", "added"),
        (summary.removed, "removed", "removed"),
        (summary.modified, "modified", "modified"),
        (summary.moved, "moved", "moved"),
        (summary.renumbered, "renumbered", "renumbered"),
        (summary.cosmetic, "cosmetic", "cosmetic"),
        (summary.links, "link-only", "link-only"),
    ]
    shown = [f"{count} {one if count == 1 else many}" for count, one, many in parts if count]
    return ", ".join(shown) or "no clause changed"


def _clause_title(change: ClauseChange) -> str:
    """`7.2 Arbitration (modified)`: number and heading as plain text (feed titles show no markup)."""
    clause = change.after or change.before
    if clause is None:
        return change.kind
    heading = plain_text(clause.heading) if clause.heading else ""
    label = " ".join(" ".join(filter(None, [clause.number or "", heading])).split()) or clause.id
    return f"{label} ({change.kind})"


def _clause_body(change: ClauseChange) -> str:
    """The clause's word diff (or its whole text, added or removed) as HTML with its formatting."""
    if change.words:
        old, new = change_texts(change)
        return feed_ops(plain_ops(change.words, old, new), old, new)
    if change.after is not None and change.before is None:
        return f"<ins>{feed_block(change.after.text)}</ins>"
    if change.before is not None and change.after is None:
        return f"<del>{feed_block(change.before.text)}</del>"
    clause = change.after or change.before
    return feed_block(clause.text) if clause else ""


def entry_html(change: PublishedChange, link: str) -> str:
    """The HTML content of one feed entry: summary, then each substantive clause's word diff."""
    if change.diff is None:
        return (f"<p>First record of this document.</p><p><a href=\"{xml_text(link)}\">"
                "Read the text</a></p>")
    parts = [f"<p>{xml_text(summary_text(change.diff.summary))}.</p>"]
    ranked = rank_changes(change.diff, load_topics(), limit=None)  # the change page's key changes, in order
    size, shown = 0, 0
    for key in ranked[:MAX_CLAUSES_PER_ENTRY]:
        section = key.change
        if section is None or (shown and size > ENTRY_CHARS):
            continue
        shown += 1
        parts.append(f"<h3>{xml_text(_clause_title(section))}</h3>")
        for part in [p for p in section.parts if p.change_class == "substantive"] or [section]:
            if size > ENTRY_CHARS:
                parts.append("<p>…</p>")
                break
            parts.append(f"<p>{_clause_body(part)}</p>")
            size += len(parts[-1])
    if len(ranked) > shown:
        parts.append(f"<p>… and {len(ranked) - shown} more clauses.</p>")
    parts.append(f"<p><a href=\"{xml_text(link)}\">See the whole change</a></p>")
    return "".join(parts)


def with_feed_entries(changes: Sequence[PublishedChange], site_url: str) -> list[PublishedChange]:
    """`changes` with the content of their feed entries (`feed_entry`) for those a feed lists: rendered
    once, with their document, in its worker process. The site-wide feeds (all, service, topic) list
    4,840 of the bundle's changes: ranking their clauses again there took 18 s on one core, a third of a
    rebuild's generate step."""
    return [replace(change, feed_entry=xml_chars(entry_html(change, _absolute(site_url, change.path))))
            if is_feed_worthy(change) else change for change in changes]


def topics_of(change: PublishedChange) -> tuple[str, ...]:
    """The change's topics, or those of its substantive clause changes."""
    if change.topics:
        return change.topics
    if change.diff is None:
        return ()
    found = {t for c in change.diff.changes if c.change_class == "substantive" for t in c.topics}
    return tuple(sorted(found))


def entry_title(change: PublishedChange) -> str:
    """`Acme Terms of Service changed on 2026-03-10`."""
    version = change.version
    name = f"{version.service_name or version.service} {version.document_name or version.document}"
    day = version.observed_at.astimezone(UTC).date().isoformat()
    if change.diff is None:
        return f"{name}: first recorded on {day}"
    return f"{name}, {day}: {change.headline}" if change.headline else f"{name} changed on {day}"


def render_feed(
    changes: Sequence[PublishedChange], *, title: str, self_path: str, site_url: str, fmt: str = "atom",
    bodies: dict[str, str] | None = None,
) -> bytes:
    """One feed (Atom or RSS) of `changes`, newest first, at most `FEED_LIMIT` entries.

    `bodies`: entry contents by change path, shared between the feeds of one run (filled as needed).
    """
    bodies = {} if bodies is None else bodies
    newest = sorted(changes, key=chronological_key, reverse=True)[:FEED_LIMIT]
    gen = FeedGenerator()
    gen.id(_absolute(site_url, self_path))
    gen.title(xml_chars(title))
    gen.link(href=_absolute(site_url, ""), rel="alternate")
    gen.link(href=_absolute(site_url, self_path), rel="self")
    gen.description(xml_chars(f"{title}: changes recorded by Clausewatch"))
    gen.language("en")
    if newest:
        gen.updated(newest[0].version.observed_at)
        gen.lastBuildDate(newest[0].version.observed_at)
    for change in reversed(newest):  # feedgen prepends: add oldest first to list newest first
        link = _absolute(site_url, change.path)
        entry = gen.add_entry()
        entry.id(link)
        entry.title(xml_chars(entry_title(change)))
        entry.link(href=link)
        entry.updated(change.version.observed_at)
        entry.published(change.version.observed_at)
        body = change.feed_entry or bodies.get(change.path) or bodies.setdefault(
            change.path, xml_chars(entry_html(change, link)))
        if fmt == "rss":
            entry.guid(link, permalink=True)
            entry.description(body)  # RSS readers render the (escaped) description as HTML
        else:
            entry.summary(summary_text(change.diff.summary) if change.diff else "First record.")
            entry.content(body, type="html")
        for topic in topics_of(change):
            entry.category(term=topic)
    return gen.atom_str(pretty=True) if fmt == "atom" else gen.rss_str(pretty=True)


def is_feed_worthy(change: PublishedChange, *, substantive_only: bool = True) -> bool:
    """Substantive changes and first records; with `substantive_only` False, every version that has
    a page (`path`): an entry must link somewhere."""
    if not change.path:
        return False
    return not substantive_only or change.version_class in ("substantive", "first")


def _groups(changes: Iterable[PublishedChange]) -> dict[tuple[str, str], list[PublishedChange]]:
    groups: dict[tuple[str, str], list[PublishedChange]] = defaultdict(list)
    for change in changes:
        version = change.version
        groups[("all", "")].append(change)
        groups[("service", version.service)].append(change)
        groups[("document", version.key)].append(change)
        for topic in topics_of(change):
            groups[("topic", topic)].append(change)
    return groups


def _group_title(kind: str, key: str, members: list[PublishedChange], site_name: str) -> str:
    version = members[0].version
    service = version.service_name or version.service
    if kind == "all":
        return f"{site_name}: all substantive changes"
    if kind == "service":
        return f"{site_name}: {service}"
    if kind == "document":
        return f"{site_name}: {service} {version.document_name or version.document}"
    return f"{site_name}: topic {key}"


def generate_feeds(
    changes: Iterable[PublishedChange],
    *,
    site_url: str,
    site_name: str = "Clausewatch",
    substantive_only: bool = True,
    kinds: Iterable[str] = FEED_KINDS,
) -> dict[str, bytes]:
    """Every feed file, `{path under the site: bytes}`: Atom and RSS for all/service/document/topic
    (only the `kinds` asked for: the site renders document feeds with their document, cached)."""
    wanted = frozenset(kinds)
    worthy = [c for c in changes if is_feed_worthy(c, substantive_only=substantive_only)]
    files: dict[str, bytes] = {}
    groups = _groups(worthy)
    groups.setdefault(("all", ""), [])
    bodies: dict[str, str] = {}
    for (kind, key), members in sorted(groups.items()):
        if kind not in wanted:
            continue
        title = _group_title(kind, key, members, site_name) if members else f"{site_name}: all changes"
        for fmt in ("atom", "rss"):
            path = feed_path(kind, key, fmt)
            files[path] = render_feed(members, title=title, self_path=path, site_url=site_url, fmt=fmt,
                                      bodies=bodies)
    return files


def subscribe_markdown(from_page: str, kind: str, key: str = "") -> str:
    """A "Subscribe" line for a Markdown page at docs path `from_page`: Atom, RSS and (for a document)
    its JSON, as relative links so that `mkdocs build --strict` checks them."""
    folder = posixpath.dirname(from_page)

    def rel(path: str) -> str:
        return posixpath.relpath(path, folder or ".")

    links = [f"[Atom feed]({rel(feed_path(kind, key, 'atom'))})",
             f"[RSS]({rel(feed_path(kind, key, 'rss'))})"]
    if kind == "document":
        links.append(f"[data (JSON)]({rel(f'data/{key}/index.json')})")
    return "Subscribe to changes: " + " · ".join(links) + "\n{: .cw-subscribe }\n"
