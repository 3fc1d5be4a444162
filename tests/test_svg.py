"""Timelines and topic charts: well-formed SVG, one mark per version, class colours, escaped text."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from extras_fixtures import HOSTILE, history

from clausewatch.site.svg import CLASS_COLOURS, classes_of, generate_svgs, picture_html, render_timeline

NS = {"svg": "http://www.w3.org/2000/svg"}


def parse(text: str) -> ET.Element:
    return ET.fromstring(text)  # raises on anything that is not well-formed XML


def test_one_timeline_per_document_and_one_chart_per_topic() -> None:
    files = generate_svgs(history())
    assert sorted(files) == [
        "acme/privacy-policy/timeline.svg",
        "acme/terms-of-service/timeline.svg",
        "hostile/terms/timeline.svg",
        "topics/ai-training/chart.svg",
        "topics/arbitration/chart.svg",
        "topics/content-licence/chart.svg",
        "topics/data-sharing/chart.svg",
    ]


def _marks(root: ET.Element) -> list[ET.Element]:
    """Each version's mark: the last child of its link or group (a link also holds its hit area)."""
    return [list(m)[-1] for m in root.iter() if m.get("class") == "cw-mark"]


def test_timeline_marks_each_version_with_its_class_shape_colour_size_and_link() -> None:
    changes = [c for c in history() if c.version.document == "terms-of-service"]
    root = parse(render_timeline(changes, title="Timeline of Acme Terms"))
    links = root.findall(".//svg:a", NS)
    assert [a.get("href") for a in links] == ["2026-01-05/", "2026-02-10/", "2026-03-01/", "2026-03-01-2/"]
    marks = _marks(root)
    classes = ("first", "substantive", "cosmetic", "blink", "substantive", "substantive")
    assert [m.get("fill") for m in marks] == [CLASS_COLOURS[k] for k in classes]
    tags = [m.tag.split("}")[1] for m in marks]  # the class told by shape as well as colour
    assert tags == ["rect", "circle", "polygon", "polygon", "circle", "circle"]
    assert marks[2].get("points") != marks[3].get("points")  # cosmetic: a diamond; blink: a triangle
    assert len(root.findall("svg:g[@class='cw-mark']", NS)) == 2  # no page, no link: cosmetic and blink
    tooltips = [m.find("svg:title", NS).text for m in root.iter() if m.get("class") == "cw-mark"]
    assert tooltips[0] == "2026-01-05: first record"
    assert tooltips[1] == "2026-02-10: substantive change — 1 clause changed, 3 renumbered"
    # tooltips agree with the class: no "substantive" or "first record" on other classes
    assert tooltips[2].startswith("2026-03-01: cosmetic — ") and "substantive" not in tooltips[2]
    assert "first record" not in " ".join(tooltips[1:]) and "blink" in tooltips[3]
    assert all(a.get("aria-label") == a.find("svg:title", NS).text for a in links)
    xs = [float(m.get("cx") or m.get("x") or m.get("points").split(",")[0]) for m in marks]
    assert xs == sorted(xs)
    assert root.get("role") == "group" and root.find("svg:title", NS).text == "Timeline of Acme Terms"
    legend = " ".join(t.text for t in root.findall(".//svg:g[@class='legend']/svg:text", NS))
    assert "substantive" in legend and "blink" in legend and "links only" not in legend  # only classes shown
    inline = render_timeline(changes, title="t", legend=False)
    assert "legend" not in inline and parse(inline).findall(".//svg:a", NS)


def test_picture_html_is_one_block_with_an_html_legend() -> None:
    changes = [c for c in history() if c.version.document == "terms-of-service"]
    html = picture_html(render_timeline(changes, title="t", legend=False), classes_of(changes), "4 & <5>")
    assert "\n\n" not in html and html.startswith('<div class="cw-picture">')
    assert html.count("<li>") == len(classes_of(changes)) + 1
    assert "4 &amp; &lt;5&gt;" in html and "circle size" in html


def test_topic_chart_has_a_row_per_service_and_links_to_change_pages() -> None:
    files = generate_svgs(history())
    root = parse(files["topics/ai-training/chart.svg"])
    hrefs = sorted(a.get("href") for a in root.findall(".//svg:a", NS))
    assert hrefs == ["../../acme/terms-of-service/2026-02-10/", "../../hostile/terms/2026-02-07/"]
    labels = [t.text for t in root.findall("svg:text", NS)]
    assert labels[0] == "Acme" and labels[1] == HOSTILE[:22].replace("\x07", "")


def test_hostile_names_stay_text() -> None:
    files = generate_svgs(history())
    for path in ("hostile/terms/timeline.svg", "topics/ai-training/chart.svg"):
        text = files[path]
        root = parse(text)
        assert root.findall(".//svg:script", NS) == [] and "<script" not in text
        assert all(not a.get("href", "").startswith("javascript") for a in root.iter("{http://www.w3.org/2000/svg}a"))
        assert "onclick" not in text and "\x07" not in text
    assert "&lt;script&gt;" in files["hostile/terms/timeline.svg"]


def test_long_histories_get_year_ticks_and_stay_deterministic() -> None:
    from dataclasses import replace
    from datetime import timedelta

    base = [c for c in history() if c.version.document == "terms-of-service"]
    stretched = [
        replace(c, version=replace(c.version, observed_at=c.version.observed_at + timedelta(days=400 * i)))
        for i, c in enumerate(base)
    ]
    text = render_timeline(stretched, title="t")
    ticks = [t.text for t in parse(text).findall("svg:text", NS)]
    assert "2027" in ticks and "2029" in ticks and all(len(t) == 4 for t in ticks[:3])
    assert text == render_timeline(list(reversed(stretched)), title="t")


def test_a_hostile_name_cannot_end_the_inline_picture_block() -> None:
    import markdown

    changes = [c for c in history() if c.version.document == "terms"]  # the hostile service's
    html = picture_html(render_timeline(changes, title="Timeline of x\n \n<script>alert(1)</script>", legend=False),
                        classes_of(changes), "caption\n\n**bold**")
    assert not re.search(r"\n\s*\n", html)
    out = markdown.markdown(f"Before.\n\n{html}\nAfter.\n", extensions=["attr_list", "toc"])
    assert "<script" not in out and "<strong>" not in out and out.count('<div class="cw-picture">') == 1


def test_every_version_class_has_a_colour_a_shape_a_label_and_a_tooltip() -> None:
    """A class added to the model (as `variant` was) must be drawable: a full build met one the picture
    did not know (KeyError in the tooltip of a variant swap)."""
    import typing
    from dataclasses import replace

    from clausewatch.models import VersionClass
    from clausewatch.site.svg import CLASS_LABELS, CLASS_SHAPES, mark_label, shape

    change = history()[-1]
    drawn = set()
    for cls in typing.get_args(VersionClass):
        assert cls in CLASS_COLOURS and cls in CLASS_LABELS and cls in CLASS_SHAPES, cls
        label = mark_label(replace(change, version_class=cls))
        assert label.startswith(change.version.observed_at.date().isoformat()), label
        drawn.add(re.sub(r'fill="#\w+"', "", shape(cls, 10, 10, 5)))
    assert len(drawn) == len(typing.get_args(VersionClass))  # told apart by shape, not colour alone
