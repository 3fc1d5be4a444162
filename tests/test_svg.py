"""Timelines and topic charts: well-formed SVG, one mark per version, class colours, escaped text."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from extras_fixtures import HOSTILE, history

from clausewatch.site.svg import CLASS_COLOURS, generate_svgs, render_timeline

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


def test_timeline_marks_each_version_with_its_class_colour_size_and_link() -> None:
    changes = [c for c in history() if c.version.document == "terms-of-service"]
    root = parse(render_timeline(changes, title="Timeline of Acme Terms"))
    links = root.findall(".//svg:a", NS)
    assert [a.get("href") for a in links] == ["2026-01-05/", "2026-02-10/", "2026-03-01/", "2026-03-01-2/"]
    legend_marks = len(root.findall(".//svg:g[@class='legend']/svg:circle", NS))
    circles = root.findall(".//svg:circle", NS)[:-legend_marks]
    assert [c.get("fill") for c in circles] == [CLASS_COLOURS[k] for k in
                                                ("first", "substantive", "cosmetic", "blink",
                                                 "substantive", "substantive")]
    assert root.findall("svg:circle", NS) == circles[2:4]  # no page, no link: cosmetic and blink
    assert float(circles[0].get("r")) < float(circles[1].get("r"))  # a first record is the smallest mark
    tooltips = [c.find("svg:title", NS).text for c in circles]
    assert tooltips[1] == "2026-02-10: substantive — 1 substantive change, 1 modified, 3 renumbered"
    xs = [float(c.get("cx")) for c in circles]
    assert xs == sorted(xs) and xs[0] < xs[1] < xs[2]
    assert root.get("role") == "img" and root.find("svg:title", NS).text == "Timeline of Acme Terms"
    legend = " ".join(t.text for t in root.findall(".//svg:g[@class='legend']/svg:text", NS))
    assert "substantive" in legend and "blink" in legend and "links only" not in legend  # only classes shown


def test_topic_chart_has_a_row_per_service_and_links_to_change_pages() -> None:
    files = generate_svgs(history())
    root = parse(files["topics/ai-training/chart.svg"])
    hrefs = sorted(a.get("href") for a in root.findall(".//svg:a", NS))
    assert hrefs == ["../../acme/terms-of-service/2026-02-10/", "../../hostile/terms/2026-02-07/"]
    labels = [t.text for t in root.findall("svg:text", NS)]
    assert labels[0] == "Acme" and labels[1] == HOSTILE[:24].replace("\x07", "")


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
