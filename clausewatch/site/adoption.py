"""Who says it today: which documents' *current* text contains a clause of a topic, and since when.

Pure. Per document (in the worker, cached with it): `says_today` matches the topic rules against every
clause of the current text and, for each topic, keeps the clause that has said it longest: `since` is the
date from which its wording (followed through its lineage, `diff/lineage.py`) has matched the topic in
every published version, `first_seen` the date the clause was first recorded. Site-wide, from the cached
values: the section that opens each topic page (newest adopters first, the clause quoted with its matched
words marked), its picture (`topics/<topic>/adoption.svg`: static SVG, a title, a description, and the
list itself as the text alternative), and the section of a service page saying, topic by topic, whether
its current terms contain such a clause.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta

from clausewatch.dates import iso_utc
from clausewatch.diff.history import HistoryEntry
from clausewatch.diff.markup import plain_text
from clausewatch.diff.sections import section_roots
from clausewatch.diff.topics import Topic, match_topics
from clausewatch.models import Clause
from clausewatch.site.clause_pages import ClauseSite
from clausewatch.site.escape import markdown_text, xml_text
from clausewatch.site.markdown import document_title, heading_id, link, service_title
from clausewatch.site.topic_pages import excerpt
from clausewatch.site.views import DocumentSummary, SaysToday

Adopter = tuple[DocumentSummary, SaysToday]
EXCERPT_CONTEXT = 50
"""Characters kept around the matched words (the topic pages' change excerpts keep 90: these lists are long)."""
CHART = "adoption.svg"
WIDTH, LEFT, RIGHT = 760, 48, 24


def _plain(clause: Clause) -> str:
    heading = " ".join(plain_text(clause.heading).split()) if clause.heading else ""
    text = plain_text(clause.text)
    return f"{heading}\n{text}" if heading and heading not in text else text or heading


def _day(history: Sequence[HistoryEntry], index: int) -> str:
    return iso_utc(history[index].version.observed_at)[:10]


def says_today(site: ClauseSite, history: Sequence[HistoryEntry], latest: Sequence[Clause],
               topics: Sequence[Topic]) -> tuple[SaysToday, ...]:
    """For each topic the current text touches: its longest-standing clause on it (see the module)."""
    roots = section_roots(latest)
    found: dict[str, list[tuple[str, int, SaysToday]]] = {}
    for position, clause in enumerate(latest):
        text = _plain(clause)
        matches = match_topics(text, topics)
        lid = site.history.latest.get(clause.id, "")
        section = site.history.latest.get(latest[roots[position]].id, "")
        for topic_id in dict.fromkeys(m.topic_id for m in matches):
            since, first = _since(site, history, lid, topic_id, topics)
            mine = [m for m in matches if m.topic_id == topic_id]
            target = site.target(section) if section else ""
            item = SaysToday(topic_id, clause.id, excerpt(text, mine, context=EXCERPT_CONTEXT), since, first, target)
            found.setdefault(topic_id, []).append((since, position, item))
    out = []
    for topic in topics:
        if topic.id in found:
            ranked = sorted(found[topic.id], key=lambda row: (row[0], row[1]))
            since, _position, item = ranked[0]
            out.append(SaysToday(item.topic_id, item.clause_id, item.excerpt, since, item.first_seen, item.history,
                                 others=len(ranked) - 1))
    return tuple(out)


def _since(site: ClauseSite, history: Sequence[HistoryEntry], lid: str, topic_id: str,
           topics: Sequence[Topic]) -> tuple[str, str]:
    """(since when the clause's wording matches the topic, when it was first recorded), as YYYY-MM-DD."""
    last = len(history) - 1
    lineage = site.history.lineages.get(lid)
    if lineage is None:
        return _day(history, last), _day(history, last)
    since = last
    for index, clause in reversed(lineage.states):
        absent = any(index < gone <= since for gone in lineage.gone)  # it left the text in between
        if absent or not any(m.topic_id == topic_id for m in match_topics(_plain(clause), topics)):
            break
        since = index
    return _day(history, min(since, last)), _day(history, lineage.origin)


def adopters(pairs: Iterable[Adopter], topic_id: str) -> list[Adopter]:
    """The documents saying it today, newest adopters first."""
    mine = [(summary, item) for summary, item in pairs if item.topic_id == topic_id]
    return sorted(mine, key=lambda p: (p[1].since, p[0].service, p[0].document), reverse=True)


def today_section(topic: Topic, items: Sequence[Adopter]) -> str:
    """The section opening a topic page: who says it today, newest first, with the picture."""
    page = f"topics/{topic.id}/index.md"
    lines = [f"## Who says it today {{ #{heading_id('today')} }}\n"]
    if not items:
        lines.append("No current text of a recorded document contains a clause on this topic.\n")
        return "\n".join(lines)
    services = len({summary.service for summary, _ in items})
    lines.append(f"{len(items)} document{'s' if len(items) != 1 else ''} of {services} service"
                 f"{'s' if services != 1 else ''} contain{'s' if len(items) == 1 else ''} a clause on this topic in "
                 "their current text, newest first. *Since*: the date from which the clause's wording has matched "
                 "this topic; *first recorded*: when the clause itself first appeared in our record.\n")
    lines.append(f"![When today's {len(items)} documents started saying it; the list below says the same]"
                 f"({CHART}){{ .cw-timeline }}\n")
    for summary, item in items:
        lines += _adopter_lines(page, summary, item)
    return "\n".join(lines)


def _label(summary: DocumentSummary) -> str:
    return (f"{markdown_text(service_title(summary.service, summary.service_name))} — "
            f"{markdown_text(document_title(summary.document, summary.document_name))}")


def _history_link(page: str, target: str) -> str:
    path, _, anchor = target.partition("#")
    return f"[history]({link(page, path)}{'#' + anchor if anchor else ''})" if target else ""


def _adopter_lines(page: str, summary: DocumentSummary, item: SaysToday) -> list[str]:
    doc = link(page, f"{summary.service}/{summary.document}/index.md")
    facts = [f"since **{item.since}**", f"[{_label(summary)}]({doc}#{item.clause_id})"]
    if item.first_seen != item.since:
        facts.append(f"clause first recorded {item.first_seen}")
    if item.history:
        facts.append(_history_link(page, item.history))
    if item.others:
        facts.append(f"{item.others} other clause{'s' if item.others != 1 else ''} on it")
    return [f"- {' · '.join(facts)}\n", f"    {item.excerpt}\n"]


def service_today_section(service: str, topics: Sequence[Topic], items: Sequence[Adopter]) -> str:
    """A service page's section: for each topic, whether its current terms contain such a clause."""
    page = f"{service}/index.md"
    lines = [f"## What its terms say today {{ #{heading_id('today')} }}\n",
             "Whether the current text of its documents has a clause on each topic (found by the [topic rules]("
             + link(page, "methodology.md") + ")).\n"]
    absent = []
    for topic in topics:
        mine = sorted(((s, i) for s, i in items if i.topic_id == topic.id), key=lambda p: p[0].document)
        title = f"[{markdown_text(topic.title)}]({link(page, f'topics/{topic.id}/index.md')})"
        if not mine:
            absent.append(title)
            continue
        docs = ", ".join(f"[{markdown_text(document_title(s.document, s.document_name))}]"
                         f"({link(page, f'{s.service}/{s.document}/index.md')}#{i.clause_id}) (since {i.since})"
                         for s, i in mine)
        lines.append(f"- {title}: **yes** — {docs}")
    if absent:
        gap = "\n" if len(absent) < len(topics) else ""  # a blank line after the list, if there is one
        lines.append(f"{gap}No such clause today: {', '.join(absent)}.")
    return "\n".join(lines) + "\n"


def adoption_chart(topic: Topic, items: Sequence[Adopter]) -> str:
    """The picture of a topic's adoption: how many of today's documents said it by each date (a step
    line), one mark per document at its `since` date linked to its document page. Static SVG."""
    days = sorted(date.fromisoformat(item.since) for _, item in items)
    start, end = days[0] - timedelta(days=30), max(days[-1], days[0]) + timedelta(days=30)
    span = max((end - start).days, 1)
    height, top, bottom = 230, 30, 190

    def x(day: date) -> float:
        return round(LEFT + (WIDTH - LEFT - RIGHT) * (day - start).days / span, 1)

    def y(count: int) -> float:
        return round(bottom - (bottom - top) * count / max(len(days), 1), 1)

    points = [f"{x(start)},{y(0)}"]
    for count, day in enumerate(days, start=1):
        points += [f"{x(day)},{y(count - 1)}", f"{x(day)},{y(count)}"]
    points.append(f"{x(end)},{y(len(days))}")
    body = [f'<line x1="{LEFT}" y1="{bottom}" x2="{WIDTH - RIGHT}" y2="{bottom}" stroke="#90a4ae"/>',
            f'<polyline points="{" ".join(points)}" fill="none" stroke="#d84315" stroke-width="2"/>']
    for year in range(start.year + 1, end.year + 1):
        tick = x(date(year, 1, 1))
        body.append(f'<text x="{tick}" y="{bottom + 16}" text-anchor="middle" font-size="11" '
                    f'fill="#546e7a">{year}</text>')
    for count in {0, len(days)}:
        body.append(f'<text x="{LEFT - 6}" y="{y(count) + 4}" text-anchor="end" font-size="11" fill="#546e7a">'
                    f"{count}</text>")
    body.append(f'<text x="{LEFT}" y="{top - 6}" font-size="12" fill="#37474f">Documents saying it today, counted '
                "from the date each started saying it</text>")
    ordered = sorted(items, key=lambda p: (p[1].since, p[0].service, p[0].document))
    for count, (summary, item) in enumerate(ordered, start=1):
        label = (f"{service_title(summary.service, summary.service_name)} — "
                 f"{document_title(summary.document, summary.document_name)}: since {item.since}")
        href = f"../../{summary.service}/{summary.document}/#{item.clause_id}"
        body.append(f'<a href="{xml_text(href)}"><circle cx="{x(date.fromisoformat(item.since))}" cy="{y(count)}" '
                    f'r="4" fill="#d84315"><title>{xml_text(label)}</title></circle></a>')
    title = f"Who says it today: {topic.title}"
    desc = (f"{len(days)} documents of {len({s.service for s, _ in items})} services contain a clause on "
            f"{topic.title} in their current text; the first has said it since {days[0].isoformat()}, the "
            f"newest since {days[-1].isoformat()}. The line counts them by the date they started saying it.")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" '
            f'height="{height}" role="img" aria-labelledby="adoption-title adoption-desc" font-family="sans-serif">\n'
            f'<title id="adoption-title">{xml_text(title)}</title>\n<desc id="adoption-desc">{xml_text(desc)}</desc>\n'
            f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>\n' + "\n".join(body) + "\n</svg>\n")


def today_files(pairs: Sequence[Adopter], topics: Sequence[Topic]) -> tuple[dict[str, str], dict[str, str]]:
    """({topic id: the section opening its page}, {path: adoption picture}) for every topic."""
    sections, charts = {}, {}
    for topic in topics:
        items = adopters(pairs, topic.id)
        sections[topic.id] = today_section(topic, items)
        if items:
            charts[f"topics/{topic.id}/{CHART}"] = adoption_chart(topic, items)
    return sections, charts


def by_service(pairs: Iterable[Adopter]) -> Mapping[str, list[Adopter]]:
    grouped: dict[str, list[Adopter]] = {}
    for pair in pairs:
        grouped.setdefault(pair[0].service, []).append(pair)
    return grouped
