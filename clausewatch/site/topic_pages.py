"""Topic pages: `topics/index.md`, `topics/<topic>/index.md` and the methodology page.

Pure: published changes in, `{path under docs/: Markdown}` out. A topic page lists every change
that touches the topic across all services, newest first, each clause with the words that matched
highlighted (`<mark>`), so a reader sees why the change got the tag. The methodology page is
generated from `clausewatch/diff/topics.yml`, so the rules it shows are the rules that ran.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from clausewatch.diff.render import anchor_changes
from clausewatch.diff.topics import RuleSet, Topic, TopicMatch, iter_changed_matches, merge_matches
from clausewatch.models import PublishedChange
from clausewatch.site.archived import plain_change
from clausewatch.site.escape import mark_spans, markdown_text
from clausewatch.site.feeds import subscribe_markdown
from clausewatch.site.markdown import document_title, front_matter, heading_id, link, service_title
from clausewatch.site.svg import picture_html
from clausewatch.site.views import TopicHit
from clausewatch.slugs import is_slug

METHODOLOGY = "methodology.md"
EXCERPT_CONTEXT = 90
"""Characters of context kept around the matched words in an excerpt."""
TOPIC_PAGE_LIMIT = 200
"""Changes listed on one topic page (the newest); the data API's change records carry the rest (1,000 made
the topic pages 47 MB of the imported bundle's site)."""


@dataclass(frozen=True, slots=True)
class TopicChange:
    """One clause change of one published change, touching one topic, with its highlighted words."""

    topic_id: str
    change: PublishedChange
    clause_id: str
    """The clause's anchor on the change page."""
    kind: str
    side: str
    """`after` (the words were added) or `before` (the words were removed)."""
    excerpt: str
    """Safe Markdown: the escaped clause text around the matches, matched words in `<mark>`."""


def highlight_matches(text: str, matches: Iterable[TopicMatch], titles: Mapping[str, str] | None = None) -> str:
    """`text` made safe for a Markdown page, with `<mark>` around every matched span (overlaps merged),
    each naming its topics (by title when `titles` maps topic ids to titles)."""
    spans = [(start, end, ", ".join(sorted((titles or {}).get(i, i) for i in ids)))
             for start, end, ids in merge_matches(text, matches)]
    return mark_spans(text, spans)


def excerpt(text: str, matches: Sequence[TopicMatch], titles: dict[str, str] | None = None, *,
            context: int = EXCERPT_CONTEXT) -> str:
    """The escaped part of `text` around `matches` (with `…` where cut, `context` characters kept on each
    side), matched words highlighted."""
    start = max(0, min(m.start for m in matches) - context)
    end = min(len(text), max(m.end for m in matches) + context)
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    shifted = [TopicMatch(m.topic_id, m.start - start, m.end - start, m.matched) for m in matches]
    body = highlight_matches(" ".join(text[start:end].split(" ")), shifted, titles)
    body = re.sub(r"\s*\n\s*", " ", body)
    return ("… " if start > 0 else "") + body.strip() + (" …" if end < len(text) else "")


def iter_topic_changes(changes: Iterable[PublishedChange], topics: Sequence[Topic]) -> Iterator[TopicChange]:
    """Every (topic, clause change) pair of the published changes, with the words that matched: matched
    and shown on the plain text (the words a reader reads, no Markdown markup)."""
    titles = {t.id: t.title for t in topics}
    for published in changes:
        if not published.path or published.diff is None:
            continue
        parts = [pair for item in anchor_changes(published.diff.changes) for pair in item.parts]
        for change, anchor in parts:  # each clause of a section, with its own anchor on the change page
            if not change.topics:
                continue
            for side, text, matches in iter_changed_matches(plain_change(change), topics):
                for topic_id in dict.fromkeys(m.topic_id for m in matches):
                    if topic_id not in change.topics:
                        continue
                    mine = [m for m in matches if m.topic_id == topic_id]
                    yield TopicChange(topic_id, published, anchor, change.kind, side,
                                      excerpt(text, mine, titles))


def document_topic_hits(changes: Sequence[PublishedChange], topics: Sequence[Topic]) -> tuple[TopicHit, ...]:
    """One document's share of the topic pages: `iter_topic_changes` of its changes, by index."""
    index = {id(change): number for number, change in enumerate(changes)}
    return tuple(TopicHit(item.topic_id, index[id(item.change)], item.clause_id, item.kind, item.side,
                          item.excerpt) for item in iter_topic_changes(changes, topics))


def iter_hit_changes(changes: Sequence[PublishedChange], hits: Iterable[TopicHit]) -> Iterator[TopicChange]:
    """The `TopicChange`s of one document again, from its changes and its (cached) hits."""
    for hit in hits:
        yield TopicChange(hit.topic_id, changes[hit.change], hit.clause_id, hit.kind, hit.side, hit.excerpt)


def _change_label(change: PublishedChange) -> str:
    version = change.version
    return (f"{markdown_text(service_title(version.service, version.service_name))} — "
            f"{markdown_text(document_title(version.document, version.document_name))}")


def _group_lines(page: str, group: Sequence[TopicChange]) -> list[str]:
    """One change of a topic page: its date and document, then each clause with its excerpt."""
    first = group[0].change
    target = f"{first.path}index.md"
    said = f" — {markdown_text(first.headline)}" if first.headline else ""
    lines = [f"- **{first.version.observed_at.date().isoformat()}** · "
             f"[{_change_label(first)}]({link(page, target)}){said}\n"]
    for item in group:
        verb = "removed" if item.side == "before" else "added" if item.kind == "added" else item.kind
        if is_slug(item.clause_id):
            label, href = item.clause_id, f"{link(page, target)}#{item.clause_id}"
        else:
            label, href = markdown_text(item.clause_id), link(page, target)
        lines.append(f"    - [{label}]({href}) ({verb}): {item.excerpt}\n")
    return lines


def topic_page(topic: Topic, items: Sequence[TopicChange], *, chart: str = "", today: str = "") -> str:
    """One topic's page: who says it today (`today`, see `site/adoption.py`), then its changes across all
    services, newest first, matched words highlighted; with `chart` (its SVG, when it has changes), its
    picture over time inline (each mark a link to its change, also published as `chart.svg` beside the
    page) and its feeds."""
    page = f"topics/{topic.id}/index.md"
    meta = {"title": f"Topic: {topic.title}", "description": topic.description, "topics": [topic.id]}
    rules = f"{link(page, METHODOLOGY)}#{topic.id}"
    lines = [front_matter(meta), f"# {markdown_text(topic.title)}\n", markdown_text(topic.description),
             f"\nWhy a change is listed here: [the rules of this topic]({rules}). Only the words a change "
             "adds or removes count; highlighted words are what matched.\n"]
    if today.strip():
        lines += [today.strip("\n") + "\n", f"## Changes on this topic {{ #{heading_id('changes')} }}\n"]
    ordered = sorted(items, key=lambda i: (i.change.version.observed_at, i.change.path), reverse=True)
    groups: dict[str, list[TopicChange]] = {}
    for item in ordered:
        groups.setdefault(item.change.path, []).append(item)
    if not groups:
        lines.append("No recorded change touches this topic yet.")
    for group in list(groups.values())[:TOPIC_PAGE_LIMIT]:
        lines += _group_lines(page, group)
    if len(groups) > TOPIC_PAGE_LIMIT:
        lines.append(f"\n*{len(groups) - TOPIC_PAGE_LIMIT} older changes are not listed here; "
                     "see this topic's feed and the data API.*")
    if chart:  # a topic with changes: its picture over time, and its feeds
        services = len({item.change.version.service for item in items})
        caption = (f"{len(groups)} change{'s' if len(groups) != 1 else ''} across {services} "
                   f"service{'s' if services != 1 else ''}, one row per service; each mark links to its change.")
        lines.append("\n## Over time\n\n"
                     + picture_html(chart, ["substantive"], caption))
        lines.append(subscribe_markdown(page, "topic", topic.id))
    return "\n".join(lines).rstrip("\n") + "\n"


def topics_index_page(topics: Sequence[Topic], counts: dict[str, int], version: int) -> str:
    """The topics index: every topic, its description and its number of changes."""
    page = "topics/index.md"
    meta = {"title": "Topics", "description": "Changes grouped by what they touch"}
    lines = [front_matter(meta), "# Topics\n",
             f"Each change is tagged with the topics of the words it adds or removes, by a transparent rule "
             f"set (version {version}): see [how changes are tagged]({link(page, METHODOLOGY)}).\n"]
    for topic in topics:
        count = counts.get(topic.id, 0)
        lines.append(f"- [{markdown_text(topic.title)}]({link(page, f'topics/{topic.id}/index.md')}) — "
                     f"{count} change{'s' if count != 1 else ''}. {markdown_text(topic.description)}")
    return "\n".join(lines) + "\n"


def _fenced(lines: Iterable[str]) -> list[str]:
    body = list(lines)
    fence = "~" * max(3, 1 + max((len(m) for line in body for m in re.findall(r"~+", line)), default=0))
    return [f"{fence} text", *body, fence]


def methodology_page(rules: RuleSet) -> str:
    """How changes are tagged: the algorithm in words, then every topic's rules as written."""
    meta = {"title": "How changes are tagged", "description": "The topic rules, generated from topics.yml"}
    lines = [front_matter(meta), "# How changes are tagged\n",
             f"Topic rules version **{rules.version}**, generated from `clausewatch/diff/topics.yml` "
             "(the file that runs; changes to it are reviewed in public like any code).\n",
             "A rule matches a clause when one of its *patterns* (case-insensitive regular expressions) "
             "or *phrases* (whole words; spaces and hyphens interchangeable) is found and, if the rule has "
             "*requires*, each of those is also found within *near* characters of it. A change gets a "
             "topic only when a match touches the words the change **adds or removes** (the whole clause "
             "for an added or removed clause); a topic present only in unchanged words is never assigned, "
             "and cosmetic or link-only changes get no topic. Rules can be wrong both ways: a matched "
             "change is a lead to read, not a legal finding.\n"]
    for topic in rules.topics:
        lines += [f"## {markdown_text(topic.title)} {{ #{topic.id} }}\n",
                  markdown_text(topic.description),
                  f"\n[Changes on this topic]({link(METHODOLOGY, f'topics/{topic.id}/index.md')})\n"]
        for number, rule in enumerate(topic.rules, 1):
            body = [f"pattern: {p}" for p in rule.sources] + [f"phrase:  {p}" for p in rule.phrases]
            if rule.requires:
                body += [f"requires (each within {rule.near} characters): {r.pattern}" for r in rule.requires]
            lines += [f"Rule {number}:\n", *_fenced(body), ""]
    lines.append(f"## Changing the rules {{ #{heading_id('changing')} }}\n")
    lines.append("Edit `clausewatch/diff/topics.yml`, bump its `version`, add a positive and a negative example "
                 "to `tests/test_topics.py`, and open a pull request.")
    return "\n".join(lines) + "\n"


def topic_files(changes: Iterable[PublishedChange], rules: RuleSet) -> dict[str, str]:
    """The topic pages and the methodology page: `{path under docs/: Markdown}`."""
    return topic_files_of(iter_topic_changes(changes, rules.topics), rules)


def topic_files_of(items: Iterable[TopicChange], rules: RuleSet, charts: Mapping[str, object] | None = None,
                   today: Mapping[str, str] | None = None) -> dict[str, str]:
    """`topic_files` from the topic changes already found (e.g. each document's cached share);
    `charts`: the topic charts generated beside the pages (`topics/<topic>/chart.svg`); `today`: the
    section opening each topic's page (who says it today), by topic id."""
    by_topic: dict[str, list[TopicChange]] = {t.id: [] for t in rules.topics}
    for item in items:
        by_topic[item.topic_id].append(item)
    counts = {topic: len({i.change.path for i in items}) for topic, items in by_topic.items()}
    files = {"topics/index.md": topics_index_page(rules.topics, counts, rules.version),
             METHODOLOGY: methodology_page(rules)}
    for topic in rules.topics:
        chart = (charts or {}).get(f"topics/{topic.id}/chart.svg")
        files[f"topics/{topic.id}/index.md"] = topic_page(topic, by_topic[topic.id],
                                                          chart=chart if isinstance(chart, str) else "",
                                                          today=(today or {}).get(topic.id, ""))
    return files
