"""Clause histories and who says it today (issue 16), through the generated site of a real git archive.

The fixture (tests/clause_fixture.py): Acme adds a licence clause, amends it with a consent sentence (a
commentary explains the amendment), renumbers it and removes it; Beta and Gamma keep a content licence in
their current terms. The site is generated as `clausewatch build` generates it (no MkDocs here: the
browser test builds it for real).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest
from clause_fixture import LICENCE_ID, record_three_services
from extras_fixtures import version

from clausewatch.archive.read import open_archive
from clausewatch.archive.write import record_version
from clausewatch.diff.clauses import split_clauses
from clausewatch.diff.history import assign_slugs, iter_history
from clausewatch.diff.lineage import trace_clauses
from clausewatch.diff.topics import load_topics
from clausewatch.models import Provenance
from clausewatch.site.adoption import says_today
from clausewatch.site.clause_pages import plan_clause_site
from clausewatch.site.data_api import SCHEMA_VERSION, load_schema
from clausewatch.site.generate import render_site
from clausewatch.site.views import Files

PAGE = f"acme/terms-of-service/clauses/{LICENCE_ID}/index.md"
EVENT = re.compile(r"^\*\*(\d{4}-\d\d-\d\d) · (\w+)\*\* · (.*)$", re.MULTILINE)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Files:
    workspace = record_three_services(tmp_path_factory.mktemp("clauses") / "ws")
    return render_site(workspace, jobs=1).files


def text(files: Files, path: str) -> str:
    value = files[path]
    return value.decode("utf-8") if isinstance(value, bytes) else value


def test_the_history_page_lists_the_four_events_newest_first_each_linked(files: Files) -> None:
    page = text(files, PAGE)
    events = EVENT.findall(page)
    assert [(day, kind) for day, kind, _ in events] == [
        ("2025-05-05", "Removed"), ("2024-04-20", "Renumbered"), ("2023-03-15", "Changed"), ("2022-02-01", "Added")]
    for day, kind, rest in events:
        anchor = "" if kind == "Renumbered" else f"#{LICENCE_ID}"  # a renumbering alone has no card
        assert f"[change of {day}](../../{day}/index.md{anchor})" in rest
        assert f"observed {day} 09:00 UTC · stated {day}" in rest
    assert "§4 → §6" in events[1][2]
    # the amendment's word diff: the inserted sentence in one <ins> run (with its search weight and label)
    assert re.search(r"<ins[^>]*>(<span[^>]*>inserted: </span>)? ?We will ask for your consent before we use "
                     r"your content", page), page
    assert "Not in the [current text](../../index.md) any more" in page
    front = page.split("---\n")[1]
    assert "search_exclude: true" in front and "- toc" in front


def test_commentary_on_the_amendment_shows_on_its_entry(files: Files) -> None:
    page = text(files, PAGE)
    changed, added = page.index("· Changed**"), page.index("· Added**")
    note = page.index('!!! commentary "A promise to ask before training AI on your uploads"')
    assert changed < note < added
    assert page.count("!!! commentary") == 1


def test_cards_and_the_current_text_link_the_history_of_their_clause(files: Files) -> None:
    amended = text(files, "acme/terms-of-service/2023-03-15/index.md")
    tools = next(line for line in amended.splitlines() if f'data-cw-anchor="{LICENCE_ID}"' in line)
    assert f'<a class="cw-card-link" href="../clauses/{LICENCE_ID}/">History of this clause</a>' in tools
    document = text(files, "acme/terms-of-service/index.md")
    current = document[document.index("## Current text"):]
    links = re.findall(r"\[History of this clause\]\(([^)]+)\)", current)
    # one per section; none changed twice (the title's section only changed its date), so each goes to
    # its first record
    assert links == ["2021-01-10/index.md#acme-terms-of-service", "2021-01-10/index.md#accounts",
                     "2021-01-10/index.md#fees", "2021-01-10/index.md#disputes",
                     "2024-04-20/index.md#security", "2024-04-20/index.md#support"]


def test_only_clauses_with_a_history_get_a_page(files: Files) -> None:
    pages = sorted(path for path in files if "/clauses/" in path)
    assert pages == [PAGE]
    data = json.loads(files["data/acme/terms-of-service/clauses.json"])
    assert data["clauses"][LICENCE_ID]["page"] == f"/acme/terms-of-service/clauses/{LICENCE_ID}/"
    assert list(data["clauses"]) == [LICENCE_ID]  # Fees changed once only: no page, not listed


def test_the_topic_page_opens_with_who_says_it_today(files: Files) -> None:
    page = text(files, "topics/content-licence/index.md")
    today = page[page.index("## Who says it today"):page.index("## Changes on this topic")]
    rows = [line for line in today.splitlines() if line.startswith("- since")]
    assert len(rows) == 2 and "Acme" not in today  # Acme removed its licence
    assert rows[0].startswith("- since **2023-09-01** · [Beta Video — Terms of Service]")
    assert "clause first recorded 2020-06-01" in rows[0]
    assert rows[1].startswith("- since **2019-02-01** · [Gamma Notes — Terms of Service]")
    assert '<mark class="cw-topic" title="content&#45;licence">perpetual</mark>' in today
    assert "(adoption.svg)" in today
    svg = text(files, "topics/content-licence/adoption.svg")
    assert '<title id="adoption-title">' in svg and "<desc" in svg and svg.count("<circle") == 2
    assert "Acme" in page[page.index("## Changes on this topic"):]  # the removal is still a change


def test_each_service_page_says_what_its_terms_say_today(files: Files) -> None:
    beta, acme = text(files, "beta/index.md"), text(files, "acme/index.md")
    assert "[Licence to your content](../topics/content-licence/index.md): **yes** — [Terms of Service]" in beta
    no = acme[acme.index("No such clause today:"):].split("\n")[0]
    assert "[Licence to your content](../topics/content-licence/index.md)" in no


def test_the_new_data_files_validate_against_the_schema(files: Files) -> None:
    validator = jsonschema.Draft202012Validator(load_schema())
    kinds = set()
    for path, raw in files.items():
        if path.startswith("data/") and path.endswith(".json") and not path.endswith("schema.json"):
            data = json.loads(raw)
            validator.validate(data)
            kinds.add(data["kind"])
    assert {"clauses", "today", "document"} <= kinds
    licence = json.loads(files["data/acme/terms-of-service/clauses.json"])["clauses"][LICENCE_ID]
    assert [event["event"] for event in licence["events"]] == ["added", "changed", "renumbered", "removed"]
    assert licence["current"] is None and licence["events"][2]["number_before"] == "4."
    today = json.loads(files["data/topics/content-licence.json"])
    assert [(d["service"], d["since"], d["first_seen"]) for d in today["documents"]] == [
        ("beta", "2023-09-01", "2020-06-01"), ("gamma", "2019-02-01", "2019-02-01")]
    document = json.loads(files["data/acme/terms-of-service/index.json"])
    assert document["clause_histories"] == "/data/acme/terms-of-service/clauses.json"
    bad = dict(licence["events"][0], event="vanished")
    with pytest.raises(jsonschema.ValidationError):
        validator.validate({"kind": "clauses", "schema_version": SCHEMA_VERSION, "service": "acme", "document": "terms",
                            "page": "/acme/terms/", "clauses": {"x": {"current": None, "events": [bad]}}})


def test_hostile_text_stays_inert_on_clause_pages(tmp_path: Path) -> None:
    workspace = record_three_services(tmp_path / "ws")
    archive = open_archive(workspace.archive)
    evil = "<script>alert(1)</script> {++x++} [a](javascript:alert(2))"
    for n, (day, kind) in enumerate((("2026-01-01", "a"), ("2026-02-01", "a worldwide"),
                                     ("2026-03-01", "a perpetual, worldwide"))):
        licence = (f"# Evil\n\n## 1. Licence <img src=x onerror=alert(3)>\n\nYou grant Evil {kind} licence to "
                   f"the content you upload. {evil}\n\n## 2. Fees\n\nFees {n}.\n")
        when = datetime.fromisoformat(day).replace(tzinfo=UTC)
        record_version(archive, "evil", "terms", licence, Provenance("https://evil.example/", when, 200, "cd" * 32))
    generated = render_site(workspace, jobs=1).files
    assert any(path.startswith("evil/terms/clauses/") for path in generated)  # the licence changed twice
    for path, value in generated.items():
        if path.startswith(("evil/", "topics/content-licence")) and path.endswith(".md"):
            body = str(value).split("---\n", 2)[-1]
            for live in ("<script", "<img", "](javascript", "{++"):
                assert live not in body, (path, live)


def test_since_counts_from_the_last_time_the_clause_came_back() -> None:
    licence = "## Content\n\nYou grant Flip a worldwide licence to the content you upload.\n\n"
    base = "# Flip\n\n## Fees\n\nFree.\n\n"
    texts = [base + licence, base, base + licence, base + licence + "## Support\n\nBy e-mail.\n"]
    # the third flips back within BLINK_DAYS of the first: a blink, no change page
    days = ["2021-12-27", "2021-12-30", "2022-01-01", "2023-01-01"]
    versions = [version("flip", "terms", d, t, n + 1) for n, (d, t) in enumerate(zip(days, texts, strict=True))]
    history = list(iter_history(versions))
    slugs = assign_slugs(history)
    assert [entry.version_class for entry in history] == ["first", "substantive", "blink", "substantive"]
    topics = load_topics()
    site = plan_clause_site("flip/terms", trace_clauses(history, [bool(s) for s in slugs]), slugs, topics)
    today = {item.topic_id: item for item in says_today(site, history, split_clauses(texts[-1]), topics)}
    # it said it on 27 December, not on the 30th, and again since the flip back recorded on 1 January
    assert (today["content-licence"].since, today["content-licence"].first_seen) == ("2022-01-01", "2021-12-27")
