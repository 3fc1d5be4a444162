"""The static data API for researchers: JSON per service, document and change, plus a dataset download.

Pure: takes `PublishedChange`s, returns `{site-relative path: bytes}` under `data/`:

    data/index.json                               every service and document
    data/<service>/index.json                     one service: its documents
    data/<service>/<document>/index.json          one document: every version (class, topics, commit)
    data/<service>/<document>/<YYYY-MM-DD>.json   one change: provenance, clause changes with their texts
    data/<service>/<document>/current.txt         the current text (Markdown source, as recorded)
    data/<service>/<document>/clauses.json        its clause histories (`site/data_clauses.py`)
    data/topics/<topic>.json                      who says it today (`site/data_clauses.py`)
    data/clausewatch-current-texts.zip            the current text of every document + manifest.json
    data/schema.json                              the JSON Schema all of the above follow

The schema is `clausewatch/site/schema/data-api.schema.json`; `docs/data.md` describes it for people.

Two halves, so the generator can cache the per-document part: `document_data_files` needs one
document's full history (with texts); `site_data_files` needs only text-less `PublishedChange`s and
the current texts. `generate_data` does both for a full history.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from clausewatch.archive.integrity import recording_of
from clausewatch.dates import iso_utc
from clausewatch.models import Clause, ClauseChange, PublishedChange
from clausewatch.site.effective_date import find_stated_date
from clausewatch.site.feeds import chronological_key, feed_path, topics_of

DATA_DIR = "data"
SCHEMA_VERSION = 4
"""2: change records no longer list every clause id of the new text (`clauses`): at 40,000 versions that
was half the data; the current ids are in the document's `index.json`, past texts in the archive.
3: change records carry the words that changed: each clause of a substantive change has its `text`
before and after (Markdown as recorded, `null` where the wording did not change), and a section's
change lists its clauses' changes (`parts`); clause histories (`<document>/clauses.json`, named by the
document's `clause_histories`) and who says it today (`data/topics/<topic>.json`), from
`site/data_clauses.py`.
4: clause changes in change records leave out the fields that hold their default: `before`/`after` when
null, `renumbered` when false, `topics`/`others`/`parts` when empty, and in `before`/`after`, `number`,
`heading` and `text` when null (the same information in two thirds of the bytes)."""
DATASET = f"{DATA_DIR}/clausewatch-current-texts.zip"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def load_schema() -> dict[str, Any]:
    """The JSON Schema of the data API (shipped with the package)."""
    text = resources.files("clausewatch.site").joinpath("schema/data-api.schema.json").read_text("utf-8")
    return json.loads(text)


def _dump(value: Mapping[str, Any]) -> bytes:
    """Compact JSON (no indentation: 10,000 files of the imported archive were a fifth spaces)."""
    return (json.dumps(value, ensure_ascii=False, sort_keys=False, separators=(",", ":")) + "\n").encode("utf-8")


def change_data_path(change: PublishedChange) -> str:
    """`acme/terms/2026-03-10/` → `data/acme/terms/2026-03-10.json`; '' for a version without a page."""
    return f"{DATA_DIR}/{change.path.strip('/')}.json" if change.path else ""


def current_text_path(key: str) -> str:
    """`acme/terms` → `data/acme/terms/current.txt`."""
    return f"{DATA_DIR}/{key}/current.txt"


def _summary(change: PublishedChange) -> dict[str, int]:
    if change.diff is None:
        return {}
    s = change.diff.summary
    return {"substantive": s.substantive, "cosmetic": s.cosmetic, "links": s.links,
            "renumbered": s.renumbered, "moved": s.moved, "added": s.added, "removed": s.removed,
            "modified": s.modified}


def _stated(text: str) -> dict[str, str] | None:
    stated = find_stated_date(text)
    if stated is None:
        return None
    return {"kind": stated.kind, "date": stated.date.isoformat(), "phrase": stated.phrase}


def _version_row(change: PublishedChange) -> dict[str, Any]:
    v = change.version
    return {
        "path": "/" + change.path if change.path else None,
        "data": "/" + change_data_path(change) if change.path else None,
        "observed_at": iso_utc(v.observed_at),
        "commit": v.commit,
        "class": change.version_class,
        "summary": _summary(change),
        "topics": list(topics_of(change)),
        "recorded_by": recording_of(v.author, v.committer, v.provenance.imported_from).kind,
    }


TEXT_BUDGET = 8_000
"""Characters of clause text one change record carries at most (the site's size budget: on the imported
bundle, change records with every text were 266 MB of the 1 GB a GitHub Pages site may hold). Texts go
in document order; a record that leaves some out says so (`complete`), and the archive commit it names
holds every word."""
MAX_PARTS = 100
"""Clause changes listed under one section at most: a page replaced by a site's whole menu made a section
of 3,647 parts (a 780 KB record); the rest are left out and the record says so (`complete`)."""


@dataclass(slots=True)
class _TextBudget:
    left: int = TEXT_BUDGET
    complete: bool = True

    def parts(self, parts: Sequence[ClauseChange]) -> Sequence[ClauseChange]:
        if len(parts) > MAX_PARTS:
            self.complete = False
        return parts[:MAX_PARTS]

    def take(self, text: str) -> str | None:
        if len(text) > self.left:
            self.complete = False
            return None
        self.left -= len(text)
        return text


def _clause_ref(clause: Clause | None, budget: _TextBudget | None) -> dict[str, Any] | None:
    if clause is None:
        return None
    return _without_defaults({"id": clause.id, "number": clause.number, "heading": clause.heading,
                              "text": budget.take(clause.text) if budget is not None else None})


def _without_defaults(item: dict[str, Any]) -> dict[str, Any]:
    """`item` without the fields that hold their default (null, false, an empty list): schema version 4
    leaves them out of clause changes (a third of the change records' bytes on the imported bundle)."""
    return {key: value for key, value in item.items() if value is not None and value is not False
            and value != []}


def _clause_change(change: ClauseChange, budget: _TextBudget) -> dict[str, Any]:
    """One clause change; the texts of its two sides when its words changed (a substantive change of
    one clause: a section's texts are in its `parts`, a cosmetic change's wording is the same on both
    sides), within the record's `TEXT_BUDGET`."""
    texts = budget if change.change_class == "substantive" and not change.parts else None
    return _without_defaults({
        "kind": change.kind,
        "class": change.change_class,
        "before": _clause_ref(change.before, texts),
        "after": _clause_ref(change.after, texts),
        "renumbered": change.renumbered,
        "topics": list(change.topics),
        "others": [c.id for c in change.others],
        "parts": [_clause_change(part, budget) for part in budget.parts(change.parts)],
    })


def change_json(change: PublishedChange) -> dict[str, Any]:
    """The JSON of one change: provenance, stated date, classes, topics and every clause change."""
    v, p = change.version, change.version.provenance
    budget = _TextBudget()
    return {
        "kind": "change",
        "schema_version": SCHEMA_VERSION,
        "service": v.service,
        "document": v.document,
        **_version_row(change),
        "previous_commit": change.previous.commit if change.previous else None,
        "stated_date": _stated(v.text),
        "provenance": {
            "source_url": p.source_url,
            "fetched_at": iso_utc(p.fetched_at),
            "http_status": p.http_status,
            "snapshot_sha256": p.snapshot_sha256,
            "declaration_sha256": p.declaration_sha256,
            "imported_from": p.imported_from,
        },
        "changes": [_clause_change(c, budget) for c in change.diff.changes] if change.diff else [],
        "complete": budget.complete,
    }


def _by_document(changes: Iterable[PublishedChange]) -> dict[tuple[str, str], list[PublishedChange]]:
    groups: dict[tuple[str, str], list[PublishedChange]] = defaultdict(list)
    for change in changes:
        groups[(change.version.service, change.version.document)].append(change)
    for members in groups.values():
        members.sort(key=chronological_key)
    return dict(sorted(groups.items()))


def document_json(history: Sequence[PublishedChange]) -> dict[str, Any]:
    """The JSON of one document: names, source, feeds and every version oldest first."""
    latest = history[-1].version
    clauses = next((c.diff.after for c in reversed(history) if c.diff is not None), ())
    return {
        "kind": "document",
        "schema_version": SCHEMA_VERSION,
        "service": latest.service,
        "document": latest.document,
        "service_name": latest.service_name or latest.service,
        "document_name": latest.document_name or latest.document,
        "source_url": latest.provenance.source_url,
        "page": f"/{latest.service}/{latest.document}/",
        "feed": "/" + feed_path("document", latest.key),
        "text": "/" + current_text_path(latest.key),
        "current_commit": latest.commit,
        "stated_date": _stated(latest.text),
        "clauses": [c.id for c in clauses],
        "versions": [_version_row(c) for c in history],
        "clause_histories": f"/{DATA_DIR}/{latest.key}/clauses.json",
    }


def _document_row(history: Sequence[PublishedChange]) -> dict[str, Any]:
    latest = history[-1]
    return {
        "document": latest.version.document,
        "name": latest.version.document_name or latest.version.document,
        "data": f"/{DATA_DIR}/{latest.version.service}/{latest.version.document}/index.json",
        "versions": len(history),
        "substantive_changes": sum(1 for c in history if c.version_class == "substantive"),
        "last_observed_at": iso_utc(latest.version.observed_at),
    }


def service_json(service: str, histories: Sequence[Sequence[PublishedChange]]) -> dict[str, Any]:
    """The JSON of one service: its documents."""
    first = histories[0][-1].version
    return {
        "kind": "service",
        "schema_version": SCHEMA_VERSION,
        "service": service,
        "name": first.service_name or service,
        "page": f"/{service}/",
        "feed": "/" + feed_path("service", service),
        "documents": [_document_row(h) for h in histories],
    }


def index_json(by_service: Mapping[str, Sequence[Sequence[PublishedChange]]]) -> dict[str, Any]:
    """The JSON of the whole site: every service, the dataset and the schema."""
    return {
        "kind": "index",
        "schema_version": SCHEMA_VERSION,
        "schema": f"/{DATA_DIR}/schema.json",
        "dataset": "/" + DATASET,
        "feed": "/" + feed_path("all"),
        "services": [
            {"service": s, "name": h[0][-1].version.service_name or s, "data": f"/{DATA_DIR}/{s}/index.json",
             "documents": len(h)}
            for s, h in by_service.items()
        ],
    }


def manifest_json(latest: Sequence[PublishedChange], texts: Mapping[str, str]) -> dict[str, Any]:
    """The dataset's manifest: one row per document with where its text came from."""
    rows = []
    for change in latest:
        v = change.version
        rows.append({
            "service": v.service,
            "document": v.document,
            "file": f"texts/{v.service}/{v.document}.md",
            "sha256": hashlib.sha256(texts[v.key].encode("utf-8")).hexdigest(),
            "commit": v.commit,
            "observed_at": iso_utc(v.observed_at),
            "source_url": v.provenance.source_url,
            "data": f"/{DATA_DIR}/{v.service}/{v.document}/index.json",
        })
    return {"kind": "manifest", "schema_version": SCHEMA_VERSION, "documents": rows}


def build_dataset(latest: Sequence[PublishedChange], texts: Mapping[str, str], notice: str = "") -> bytes:
    """A reproducible .zip: `texts/<service>/<document>.md` for each document, `manifest.json`, NOTICE."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        def add(name: str, data: bytes) -> None:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)

        for change in latest:
            v = change.version
            add(f"texts/{v.service}/{v.document}.md", texts[v.key].encode("utf-8"))
        add("manifest.json", _dump(manifest_json(latest, texts)))
        add("NOTICE.txt", (notice or "Texts recorded by Clausewatch; see manifest.json for sources.\n")
            .encode("utf-8"))
    return buffer.getvalue()


def document_data_files(history: Sequence[PublishedChange]) -> dict[str, bytes]:
    """One document's files (full history, oldest first, with texts): its JSON, its changes', its text."""
    ordered = sorted(history, key=chronological_key)
    latest = ordered[-1].version
    files = {f"{DATA_DIR}/{latest.key}/index.json": _dump(document_json(ordered)),
             current_text_path(latest.key): latest.text.encode("utf-8")}
    for change in ordered:
        if change.path:
            files[change_data_path(change)] = _dump(change_json(change))
    return files


def site_data_files(
    changes: Iterable[PublishedChange], current_texts: Mapping[str, str], *, notice: str = ""
) -> dict[str, bytes]:
    """The site-wide files: index, one JSON per service, the dataset and the schema.

    `changes` may be text-less; `current_texts` maps `service/document` to its current text.
    """
    by_doc = _by_document(changes)
    by_service: dict[str, list[list[PublishedChange]]] = defaultdict(list)
    for (service, _document), history in by_doc.items():
        by_service[service].append(history)
    files = {f"{DATA_DIR}/{service}/index.json": _dump(service_json(service, histories))
             for service, histories in by_service.items()}
    files[f"{DATA_DIR}/index.json"] = _dump(index_json(by_service))
    latest = [h[-1] for h in by_doc.values()]
    files[DATASET] = build_dataset(latest, current_texts, notice)
    files[f"{DATA_DIR}/schema.json"] = _dump(load_schema())
    return files


def generate_data(changes: Iterable[PublishedChange], *, notice: str = "") -> dict[str, bytes]:
    """Every data API file, `{path under the site: bytes}`, from full histories (with texts)."""
    by_doc = _by_document(changes)
    files: dict[str, bytes] = {}
    for history in by_doc.values():
        files.update(document_data_files(history))
    texts = {h[-1].version.key: h[-1].version.text for h in by_doc.values()}
    files.update(site_data_files([c for h in by_doc.values() for c in h], texts, notice=notice))
    return files
