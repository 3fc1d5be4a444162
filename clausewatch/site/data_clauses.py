"""The data API's clause histories and who-says-it-today lists (schema: `data-api.schema.json`).

Pure, `{path under the site: bytes}`:

    data/<service>/<document>/clauses.json   kind `clauses`: permanent clause id → its recorded events, for
                                             the clauses with a history page
    data/topics/<topic>.json                 kind `today`: the documents whose current text has a clause
                                             on the topic, newest adopters first

Per document in the worker (cached with it), per topic from the documents' cached `SaysToday` values.
Compact: optional fields are left out when empty. Only the clauses with a history page are listed: every
section with an event is 4.7 MB of JSON on a tenth of the shared bundle (47 MB in all), the clauses with
a page 0.1 MB; the history of the others is their first record and the change records that name them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from clausewatch.dates import iso_utc
from clausewatch.diff.history import HistoryEntry
from clausewatch.diff.lineage import ClauseEvent
from clausewatch.diff.topics import Topic
from clausewatch.site.adoption import Adopter, adopters
from clausewatch.site.clause_pages import ClauseSite, clause_page
from clausewatch.site.data_api import DATA_DIR, SCHEMA_VERSION


def clauses_data_path(key: str) -> str:
    return f"{DATA_DIR}/{key}/clauses.json"


def site_path(target: str) -> str:
    """A Markdown target (`acme/terms/2026-03-10/index.md#licence`) as a site path (`/acme/…/#licence`)."""
    path, _, anchor = target.partition("#")
    folder = path.removesuffix("index.md")
    return f"/{folder}" + (f"#{anchor}" if anchor else "")


def _dump(value: Mapping[str, Any]) -> bytes:
    return (json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def _entry(site: ClauseSite, history: Sequence[HistoryEntry], event: ClauseEvent) -> dict[str, Any]:
    slug = site.slugs[event.index]
    anchor = event.clause_id if event.kind == "first" else event.anchor
    row: dict[str, Any] = {"event": event.kind, "observed_at": iso_utc(history[event.index].version.observed_at),
                           "change": f"/{site.key}/{slug}/" + (f"#{anchor}" if anchor else ""), "id": event.clause_id}
    old, new = event.before, event.after
    number = (new or old).number if (new or old) is not None else None  # type: ignore[union-attr]
    if number:
        row["number"] = number
    if old is not None and new is not None and old.number != new.number and old.number:
        row["number_before"] = old.number
    if old is not None and new is not None and old.heading != new.heading and old.heading:
        row["heading_before"] = old.heading
    if event.change is not None:
        row["class"] = event.change.change_class
    if event.doubts:
        row["doubts"] = list(event.doubts)
    if event.related:
        row["related"] = list(event.related)
    return row


def clauses_json(site: ClauseSite, history: Sequence[HistoryEntry]) -> dict[str, Any]:
    """Every section's history: its permanent id → where it is (page, current id) and its events."""
    current = {lid: clause_id for clause_id, lid in site.history.latest.items()}
    clauses: dict[str, Any] = {}
    for lid, lineage in site.history.lineages.items():
        if lid not in site.pages:
            continue
        record: dict[str, Any] = {"current": current.get(lid), "page": site_path(clause_page(site.key, lid))}
        record["events"] = [_entry(site, history, event) for event in lineage.events]
        clauses[lid] = record
    service, _, document = site.key.partition("/")
    return {"kind": "clauses", "schema_version": SCHEMA_VERSION, "service": service, "document": document,
            "page": f"/{site.key}/", "clauses": clauses}


def clause_data_files(site: ClauseSite, history: Sequence[HistoryEntry]) -> dict[str, bytes]:
    return {clauses_data_path(site.key): _dump(clauses_json(site, history))}


def today_json(topic: Topic, items: Sequence[Adopter]) -> dict[str, Any]:
    """One topic's who-says-it-today list, newest adopters first."""
    rows = []
    for summary, item in items:
        row: dict[str, Any] = {
            "service": summary.service, "document": summary.document,
            "clause": f"/{summary.service}/{summary.document}/#{item.clause_id}",
            "since": item.since, "first_seen": item.first_seen,
        }
        if item.history:
            row["history"] = site_path(item.history)
        if item.others:
            row["other_clauses"] = item.others
        rows.append(row)
    return {"kind": "today", "schema_version": SCHEMA_VERSION, "topic": topic.id, "title": topic.title,
            "page": f"/topics/{topic.id}/", "documents": rows}


def today_data_files(pairs: Sequence[Adopter], topics: Sequence[Topic]) -> dict[str, bytes]:
    return {f"{DATA_DIR}/topics/{topic.id}.json": _dump(today_json(topic, adopters(pairs, topic.id)))
            for topic in topics}
