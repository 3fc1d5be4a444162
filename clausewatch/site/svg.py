"""Pictures generated at build time as static SVG files (no JavaScript): document timelines, topic charts.

Pure: takes `PublishedChange`s, returns SVG text. Every piece of text that reaches the SVG (names,
titles) is XML-escaped; links point only at our own site-relative paths.

    <service>/<document>/timeline.svg   versions over time: size of change, class by colour, legend
    topics/<topic>/chart.svg            a topic's substantive changes across services over time
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta

from clausewatch.models import PublishedChange
from clausewatch.site.escape import xml_text
from clausewatch.site.feeds import chronological_key, summary_text, topics_of

CLASS_COLOURS = {
    "first": "#546e7a",
    "substantive": "#d84315",
    "cosmetic": "#9e9e9e",
    "links": "#4fc3f7",
    "blink": "#8e24aa",
    "variant": "#7cb342",
}
CLASS_LABELS = {
    "first": "first record",
    "substantive": "substantive",
    "cosmetic": "cosmetic",
    "links": "links only",
    "blink": "blink (reverted)",
    "variant": "variant swap (language or region)",
}
WIDTH = 760
LEFT, RIGHT = 24, 24


def change_size(change: PublishedChange) -> int:
    """How big a change is: the number of clause changes (0 for a first record)."""
    return len(change.diff.changes) if change.diff else 0


def _radius(size: int) -> float:
    return min(4.0 + 2.0 * math.sqrt(size), 16.0)


def _x_scale(start: datetime, end: datetime, left: float, right: float) -> Callable[[datetime], float]:
    span = max((end - start).total_seconds(), 86400.0)

    def scale(moment: datetime) -> float:
        return round(left + (right - left) * (moment - start).total_seconds() / span, 1)

    return scale


def _ticks(start: datetime, end: datetime) -> list[tuple[datetime, str]]:
    """Year ticks for long spans, month ticks for short ones; at most about ten."""
    if (end - start) > timedelta(days=3 * 365):
        step = max(1, (end.year - start.year) // 8)
        return [(datetime(y, 1, 1, tzinfo=UTC), str(y)) for y in range(start.year + 1, end.year + 1, step)]
    months = []
    year, month = start.year, start.month
    while True:
        month += 1
        if month > 12:
            year, month = year + 1, 1
        moment = datetime(year, month, 1, tzinfo=UTC)
        if moment > end:
            break
        months.append((moment, f"{year}-{month:02d}"))
    step = max(1, math.ceil(len(months) / 10))
    return months[::step]


def _axis(start: datetime, end: datetime, scale: Callable[[datetime], float], y: float) -> list[str]:
    parts = [f'<line x1="{LEFT}" y1="{y}" x2="{WIDTH - RIGHT}" y2="{y}" stroke="#90a4ae" stroke-width="1"/>']
    for moment, label in _ticks(start, end):
        x = scale(moment)
        parts.append(f'<line x1="{x}" y1="{y - 4}" x2="{x}" y2="{y + 4}" stroke="#90a4ae"/>')
        parts.append(f'<text x="{x}" y="{y + 18}" text-anchor="middle" font-size="11" fill="#546e7a">'
                     f"{xml_text(label)}</text>")
    return parts


def _legend(y: float, classes: Iterable[str]) -> list[str]:
    parts, x = ['<g class="legend">'], LEFT
    for cls in classes:
        parts.append(f'<circle cx="{x + 6}" cy="{y}" r="6" fill="{CLASS_COLOURS[cls]}"/>')
        parts.append(f'<text x="{x + 16}" y="{y + 4}" font-size="12" fill="#37474f">{xml_text(CLASS_LABELS[cls])}'
                     "</text>")
        x += 26 + 7 * len(CLASS_LABELS[cls])
    parts.append(f'<text x="{x + 8}" y="{y + 4}" font-size="12" fill="#37474f">'
                 "circle size: clauses changed</text></g>")
    return parts


def _span(changes: Sequence[PublishedChange]) -> tuple[datetime, datetime]:
    times = [c.version.observed_at.astimezone(UTC) for c in changes]
    start, end = min(times), max(times)
    pad = max((end - start) * 0.03, timedelta(days=1))
    return start - pad, end + pad


def _svg(height: int, title: str, desc: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" '
        f'height="{height}" role="img" aria-labelledby="svg-title svg-desc" font-family="sans-serif">\n'
        f'<title id="svg-title">{xml_text(title)}</title>\n<desc id="svg-desc">{xml_text(desc)}</desc>\n'
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>\n' + "\n".join(body) + "\n</svg>\n"
    )


def _mark(change: PublishedChange, x: float, y: float, href: str, colour: str, label: str) -> str:
    """A circle with its tooltip, linked to the change page when the version has one (`href`)."""
    circle = (f'<circle cx="{x}" cy="{y}" r="{_radius(change_size(change))}" fill="{colour}" '
              f'fill-opacity="0.8" stroke="#263238" stroke-width="0.5"><title>{xml_text(label)}</title></circle>')
    return f'<a href="{xml_text(href)}">{circle}</a>' if href else circle


def _label(change: PublishedChange) -> str:
    day = change.version.observed_at.astimezone(UTC).date().isoformat()
    summary = summary_text(change.diff.summary) if change.diff else "first record"
    return f"{day}: {CLASS_LABELS[change.version_class]} — {summary}"


def render_timeline(changes: Sequence[PublishedChange], *, title: str) -> str:
    """One document's versions over time: x = observation date, size = clauses changed, colour = class.

    Each mark links to its change page (relative to the document folder where the SVG lives).
    """
    ordered = sorted(changes, key=chronological_key)
    start, end = _span(ordered)
    scale = _x_scale(start, end, LEFT + 16, WIDTH - RIGHT - 16)
    axis_y, height = 62, 130
    body = _axis(start, end, scale, axis_y)
    for change in ordered:
        href = change.path.rstrip("/").rsplit("/", 1)[-1] + "/" if change.path else ""
        body.append(_mark(change, scale(change.version.observed_at.astimezone(UTC)), axis_y - 22,
                          href, CLASS_COLOURS[change.version_class], _label(change)))
    body += _legend(height - 22, [c for c in CLASS_COLOURS if any(x.version_class == c for x in ordered)])
    substantive = sum(1 for c in ordered if c.version_class == "substantive")
    desc = (f"{len(ordered)} recorded versions from {start.date().isoformat()} to {end.date().isoformat()}, "
            f"{substantive} of them substantive changes.")
    return _svg(height, title, desc, body)


def render_topic_chart(topic: str, changes: Sequence[PublishedChange], *, title: str = "") -> str:
    """A topic's changes: one row per service, a mark per change, linked to the change page."""
    rows: dict[str, list[PublishedChange]] = defaultdict(list)
    for change in sorted(changes, key=chronological_key):
        rows[change.version.service].append(change)
    start, end = _span(changes)
    label_width = 150
    scale = _x_scale(start, end, LEFT + label_width, WIDTH - RIGHT - 16)
    row_height, top = 34, 20
    body: list[str] = []
    for index, (service, members) in enumerate(sorted(rows.items())):
        y = top + row_height * index + row_height / 2
        name = members[-1].version.service_name or service
        body.append(f'<text x="{LEFT}" y="{y + 4}" font-size="12" fill="#37474f">{xml_text(name[:24])}</text>')
        body.append(f'<line x1="{LEFT + label_width}" y1="{y}" x2="{WIDTH - RIGHT}" y2="{y}" '
                    'stroke="#eceff1"/>')
        for change in members:
            label = f"{change.version.document_name or change.version.document}, {_label(change)}"
            href = f"../../{change.path}" if change.path else ""
            body.append(_mark(change, scale(change.version.observed_at.astimezone(UTC)), y,
                              href, CLASS_COLOURS[change.version_class], label))
    axis_y = top + row_height * len(rows) + 6
    body += _axis(start, end, scale, axis_y)
    desc = f"{len(changes)} changes about {topic} across {len(rows)} services."
    return _svg(int(axis_y + 34), title or f"Changes about {topic} over time", desc, body)


def generate_svgs(changes: Iterable[PublishedChange]) -> dict[str, str]:
    """Every picture, `{path under the site: SVG text}`: one timeline per document, one chart per topic."""
    changes = list(changes)
    by_doc: dict[str, list[PublishedChange]] = defaultdict(list)
    for change in changes:
        by_doc[change.version.key].append(change)
    files = {}
    for key, members in sorted(by_doc.items()):
        latest = max(members, key=chronological_key).version
        name = f"{latest.service_name or latest.service} {latest.document_name or latest.document}"
        files[f"{key}/timeline.svg"] = render_timeline(members, title=f"Timeline of {name}")
    files.update(topic_charts(changes))
    return files


def topic_charts(changes: Iterable[PublishedChange]) -> dict[str, str]:
    """One chart per topic, `{topics/<topic>/chart.svg: SVG text}` (the site-wide share of the pictures;
    document timelines are rendered with their document)."""
    by_topic: dict[str, list[PublishedChange]] = defaultdict(list)
    for change in changes:
        if change.version_class == "substantive" and change.path:
            for topic in topics_of(change):
                by_topic[topic].append(change)
    return {f"topics/{topic}/chart.svg": render_topic_chart(topic, members)
            for topic, members in sorted(by_topic.items())}
