"""Pictures generated at build time as SVG (no JavaScript): document timelines, topic charts.

Pure: takes `PublishedChange`s, returns SVG text. Every piece of text that reaches the SVG (names,
titles) is XML-escaped; links point only at our own site-relative paths.

    <service>/<document>/timeline.svg   versions over time: size of change, class by shape and colour
    topics/<topic>/chart.svg            a topic's substantive changes across services over time

The same pictures are shown inline in their pages (`picture_html`: the document page, the topic page),
so that every mark is a link a reader can click or reach with the keyboard and a tooltip on hover. For
that they keep to what the sanitizer lets through (`site/sanitize.py`: svg, g, a, circle, rect,
polygon, line, text, title and their presentation attributes, no style, no script) and what the
Content-Security-Policy allows (no inline style: presentation attributes and classes only). The
legend is HTML under the picture, readable on a phone; the picture scrolls sideways there.

A version's class is told by its mark's shape as well as its colour: a circle for a substantive
change (its size: the clauses changed), a square for a first record, a diamond for a cosmetic
recording, a triangle for a link-only one, a triangle pointing down for a blink.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta

from clausewatch.diff.render import summary_line
from clausewatch.models import PublishedChange
from clausewatch.site.escape import one_line, xml_text
from clausewatch.site.feeds import chronological_key, topics_of

CLASS_COLOURS = {
    "first": "#546e7a",
    "substantive": "#d84315",
    "cosmetic": "#757575",
    "links": "#0277bd",
    "blink": "#8e24aa",
    "variant": "#7cb342",
}
CLASS_SHAPES = {"first": "square", "substantive": "circle", "cosmetic": "diamond", "links": "triangle",
                "blink": "down", "variant": "hexagon"}
CLASS_LABELS = {
    "first": "first record",
    "substantive": "substantive change",
    "cosmetic": "cosmetic",
    "links": "links only",
    "blink": "blink (reverted)",
    "variant": "variant swap (language or region)",
}
_NOT_PUBLISHED = {
    "cosmetic": "formatting or page furniture only, or a failed capture: the words unchanged (no change page)",
    "links": "only link targets changed (no change page)",
    "blink": "the same text as a version recorded earlier (no change page)",
    "variant": "the same terms in another language or for another region (no change page)",
}
WIDTH = 760
LEFT, RIGHT = 24, 24
_BLANK_LINES = re.compile(r"\n\s*\n")
HIT_RADIUS = 14
"""The clickable area around a linked mark (at least 24 px across at the scales a page shows it)."""


def change_size(change: PublishedChange) -> int:
    """How big a change is: the number of clause changes (0 for a first record)."""
    return len(change.diff.changes) if change.diff else 0


def _radius(change: PublishedChange) -> float:
    if change.version_class != "substantive":
        return 6.0
    return min(5.0 + 2.0 * math.sqrt(change_size(change)), 16.0)


def _x_scale(start: datetime, end: datetime, left: float, right: float) -> Callable[[datetime], float]:
    span = max((end - start).total_seconds(), 86400.0)

    def scale(moment: datetime) -> float:
        return round(left + (right - left) * (moment - start).total_seconds() / span, 1)

    return scale


def _ticks(start: datetime, end: datetime) -> list[tuple[datetime, str]]:
    """Year ticks for long spans, month ticks for short ones; at most about eight."""
    if (end - start) > timedelta(days=3 * 365):
        step = max(1, math.ceil((end.year - start.year) / 8))
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
    step = max(1, math.ceil(len(months) / 8))
    return months[::step]


def _axis(start: datetime, end: datetime, scale: Callable[[datetime], float], y: float) -> list[str]:
    parts = [f'<line x1="{LEFT}" y1="{y}" x2="{WIDTH - RIGHT}" y2="{y}" stroke="#78909c" stroke-width="1"/>']
    for moment, label in _ticks(start, end):
        x = scale(moment)
        parts.append(f'<line x1="{x}" y1="{y - 4}" x2="{x}" y2="{y + 4}" stroke="#78909c"/>')
        parts.append(f'<text x="{x}" y="{y + 20}" text-anchor="middle" font-size="13" fill="#455a64">'
                     f"{xml_text(label)}</text>")
    return parts


def shape(cls: str, x: float, y: float, r: float, *, extra: str = "") -> str:
    """The mark of a version class at (x, y), `r` its half-size, filled with the class's colour."""
    paint = f'fill="{CLASS_COLOURS[cls]}" stroke="#263238" stroke-width="0.75"{extra}'
    kind = CLASS_SHAPES[cls]
    if kind == "circle":
        return f'<circle cx="{x}" cy="{y}" r="{round(r, 1):g}" {paint}/>'
    if kind == "square":
        side = round(1.7 * r, 1)
        left, top = round(x - side / 2, 1), round(y - side / 2, 1)
        return f'<rect x="{left}" y="{top}" width="{side}" height="{side}" {paint}/>'
    if kind == "diamond":
        points = [(x, y - r), (x + r, y), (x, y + r), (x - r, y)]
    elif kind == "triangle":
        points = [(x, y - r), (x + 0.95 * r, y + 0.75 * r), (x - 0.95 * r, y + 0.75 * r)]
    elif kind == "hexagon":
        points = [(x - r / 2, y - 0.87 * r), (x + r / 2, y - 0.87 * r), (x + r, y), (x + r / 2, y + 0.87 * r),
                  (x - r / 2, y + 0.87 * r), (x - r, y)]
    else:  # down
        points = [(x, y + r), (x + 0.95 * r, y - 0.75 * r), (x - 0.95 * r, y - 0.75 * r)]
    coords = " ".join(f"{round(px, 1):g},{round(py, 1):g}" for px, py in points)
    return f'<polygon points="{coords}" {paint}/>'


def _legend(y: float, classes: Iterable[str]) -> list[str]:
    """The legend inside the standalone picture (pages show `legend_html` instead)."""
    parts, x = ['<g class="legend">'], LEFT
    for cls in classes:
        parts.append(shape(cls, x + 6, y, 6))
        parts.append(f'<text x="{x + 16}" y="{y + 4}" font-size="12" fill="#37474f">{xml_text(CLASS_LABELS[cls])}'
                     "</text>")
        x += 26 + 7 * len(CLASS_LABELS[cls])
    parts.append(f'<text x="{x + 8}" y="{y + 4}" font-size="12" fill="#37474f">'
                 "circle size: clauses changed</text></g>")
    return parts


def legend_html(classes: Iterable[str]) -> str:
    """The legend as an HTML list (it wraps on a phone), each class with its mark (one line)."""
    items = "".join(
        f'<li><svg class="cw-legend-mark" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">'
        f"{shape(cls, 8, 8, 6)}</svg> {xml_text(CLASS_LABELS[cls])}</li>" for cls in classes)
    return f'<ul class="cw-legend">{items}<li>circle size: clauses changed</li></ul>'


def _span(changes: Sequence[PublishedChange]) -> tuple[datetime, datetime]:
    times = [c.version.observed_at.astimezone(UTC) for c in changes]
    start, end = min(times), max(times)
    pad = max((end - start) * 0.03, timedelta(days=1))
    return start - pad, end + pad


def _svg(height: int, title: str, body: list[str], ident: str) -> str:
    """The picture: a group (its marks are links) named by its title, which is also its tooltip."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" '
        f'height="{height}" class="cw-chart" role="group" aria-labelledby="{ident}" font-family="sans-serif">\n'
        f'<title id="{ident}">{xml_text(title)}</title>\n' + "\n".join(body) + "\n</svg>\n"
    )


def _mark(change: PublishedChange, x: float, y: float, href: str, label: str) -> str:
    """A version's mark with its tooltip; linked to the change page when the version has one (`href`),
    with a transparent disc around it as the clickable area."""
    mark = shape(change.version_class, x, y, _radius(change))
    tip = f"<title>{xml_text(label)}</title>"
    if not href:
        return f'<g class="cw-mark">{tip}{mark}</g>'
    hit = f'<circle cx="{x}" cy="{y}" r="{HIT_RADIUS}" fill="#ffffff" fill-opacity="0"/>'
    return f'<a href="{xml_text(href)}" class="cw-mark" aria-label="{xml_text(label)}">{tip}{hit}{mark}</a>'


def mark_label(change: PublishedChange) -> str:
    """A mark's tooltip: its date, its class, and what changed in words that agree with the class."""
    day = change.version.observed_at.astimezone(UTC).date().isoformat()
    cls = change.version_class
    if cls == "first":
        return f"{day}: first record"
    if cls == "substantive":
        what = summary_line(change.diff.summary) if change.diff else "the words changed"
        return f"{day}: substantive change — {what}"
    return f"{day}: {CLASS_LABELS[cls]} — {_NOT_PUBLISHED[cls]}"


def render_timeline(changes: Sequence[PublishedChange], *, title: str, legend: bool = True) -> str:
    """One document's versions over time: x = observation date, shape and colour = class, size =
    clauses changed. Each published version's mark links to its change page (relative to the document
    folder, where both the page and `timeline.svg` live). `legend`: inside the picture (the file)."""
    ordered = sorted(changes, key=chronological_key)
    start, end = _span(ordered)
    scale = _x_scale(start, end, LEFT + 16, WIDTH - RIGHT - 16)
    axis_y = 62
    height = 130 if legend else 96
    body = _axis(start, end, scale, axis_y)
    for change in ordered:
        href = change.path.rstrip("/").rsplit("/", 1)[-1] + "/" if change.path else ""
        body.append(_mark(change, scale(change.version.observed_at.astimezone(UTC)), axis_y - 24,
                          href, mark_label(change)))
    if legend:
        body += _legend(height - 22, classes_of(ordered))
    return _svg(height, title, body, "_timeline-title")


def classes_of(changes: Iterable[PublishedChange]) -> list[str]:
    """The classes present, in the legend's order."""
    present = {c.version_class for c in changes}
    return [cls for cls in CLASS_COLOURS if cls in present]


def timeline_description(changes: Sequence[PublishedChange]) -> str:
    """The picture in one sentence (its caption)."""
    times = sorted(c.version.observed_at.astimezone(UTC).date().isoformat() for c in changes)
    substantive = sum(1 for c in changes if c.version_class == "substantive")
    return (f"{len(changes)} recorded version{'s' if len(changes) != 1 else ''} from {times[0]} to {times[-1]}, "
            f"{substantive} of them substantive change{'s' if substantive != 1 else ''}. "
            "Each mark is a recorded version; the marks with a change page are links.")


def picture_html(svg: str, classes: Iterable[str], caption: str) -> str:
    """A picture inline in a Markdown page: ONE raw HTML block (no blank line inside, so Markdown
    leaves it whole), the SVG in a frame that scrolls sideways on a phone, the legend and the caption
    under it. `svg` and `caption` are already escaped (`render_timeline`, `xml_text`)."""
    body = _BLANK_LINES.sub("\n", svg.strip())  # a blank line (in a hostile name) would end the HTML block
    return (f'<div class="cw-picture">\n<div class="cw-picture-frame">\n{body}\n</div>\n'
            f'{legend_html(classes)}\n<p class="cw-picture-caption">{xml_text(one_line(caption))}</p>\n</div>\n')


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
        body.append(f'<text x="{LEFT}" y="{y + 4}" font-size="13" fill="#37474f">{xml_text(name[:22])}</text>')
        body.append(f'<line x1="{LEFT + label_width}" y1="{y}" x2="{WIDTH - RIGHT}" y2="{y}" '
                    'stroke="#cfd8dc"/>')
        for change in members:
            label = f"{name}, {change.version.document_name or change.version.document}: {mark_label(change)}"
            href = f"../../{change.path}" if change.path else ""
            body.append(_mark(change, scale(change.version.observed_at.astimezone(UTC)), y, href, label))
    axis_y = top + row_height * len(rows) + 6
    body += _axis(start, end, scale, axis_y)
    return _svg(int(axis_y + 34), title or f"Changes about {topic} over time", body, "_chart-title")


def chart_description(topic_title: str, changes: Sequence[PublishedChange]) -> str:
    services = len({c.version.service for c in changes})
    return (f"{len(changes)} change{'s' if len(changes) != 1 else ''} about {topic_title} across {services} "
            f"service{'s' if services != 1 else ''}, one row per service; each mark links to its change.")


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


def topic_changes(changes: Iterable[PublishedChange]) -> dict[str, list[PublishedChange]]:
    """The substantive published changes of each topic."""
    by_topic: dict[str, list[PublishedChange]] = defaultdict(list)
    for change in changes:
        if change.version_class == "substantive" and change.path:
            for topic in topics_of(change):
                by_topic[topic].append(change)
    return dict(sorted(by_topic.items()))


def topic_charts(changes: Iterable[PublishedChange]) -> dict[str, str]:
    """One chart per topic, `{topics/<topic>/chart.svg: SVG text}` (the site-wide share of the pictures;
    document timelines are rendered with their document)."""
    return {f"topics/{topic}/chart.svg": render_topic_chart(topic, members)
            for topic, members in topic_changes(changes).items()}
