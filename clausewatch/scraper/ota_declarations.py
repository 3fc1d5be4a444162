"""Open Terms Archive (OTA) declarations, read as they are: `<Service Name>.json`, current and past.

The current format (OTA engine 5.0.0 and later, February 2025)::

    {"name": "Zoom", "importedFrom": "https://…",            # importedFrom: optional, kept as is
     "terms": {"Terms of Service": {
        "fetch": "https://…", "select": ..., "remove": ..., "filter": [...], "executeClientScripts": false}}}

and the older one, where the same objects sit under `documents` instead of `terms` (both are read; a file
with both is an error). A terms object is one of:

- a single page: `fetch` (a page or a PDF), `select`, `remove`, `filter`, `executeClientScripts`;
- several pages: `combine: [{"fetch": …, "select": …}, …]`; each page inherits the terms object's
  `select`, `remove`, `filter` and `executeClientScripts` unless it sets its own.

A selector is a CSS string, a range `{"startBefore"|"startAfter": css, "endBefore"|"endAfter": css}`, or a
list of both; ranges are kept as canonical JSON text. Filters are names, or `{name: parameters}` objects:

- OTA's built-in `removeQueryParams` is applied here (`clausewatch.scraper.ota_filters`): without
  parameters it removes well-known tracking parameters from link and image URLs, with a list it removes
  those parameters;
- any other filter is a JavaScript function of `<Service Name>.filters.js`, which cannot run here: the
  document is still accepted and tracked without it (the normaliser and the classifier take the noise
  it would have removed), its name is kept in `Document.skipped_filters`, and `filter_warnings` says so
  (`clausewatch check` and `import ota-declarations` print it).

`<Service Name>.history.json` holds past declarations, per terms type a list of terms objects each with a
`validUntil` date: the declaration in force at a date is the first whose `validUntil` is not before it,
else the current one (`declaration_at`). They are read where a past declaration is needed (importing
OTA history, `clausewatch check`), never tracked.

The service id is the slugified file name (`Zoom Video.json` → `zoom-video`), document ids are slugified
terms types (`Terms of Service` → `terms-of-service`); display names are kept.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from clausewatch.errors import ConfigError
from clausewatch.models import Document, Source
from clausewatch.safe_load import load_json, read_text_file
from clausewatch.scraper.declaration_fields import (
    Errors,
    check_bool,
    check_unknown,
    check_url,
    declaration_sha256,
    parse_selectors,
)
from clausewatch.slugs import RESERVED, name_id

MAX_JSON_BYTES = 4 * 1024 * 1024
"""An OTA declaration or history file larger than this is refused unread (real ones are a few KB)."""
SERVICE_KEYS = frozenset({"name", "terms", "documents", "importedFrom"})
TERMS_KEYS = frozenset({"fetch", "select", "remove", "filter", "executeClientScripts", "combine"})
SOURCE_KEYS = frozenset({"fetch", "select", "remove", "filter", "executeClientScripts"})
HISTORY_KEYS = TERMS_KEYS | {"validUntil"}
BUILTIN_FILTERS = frozenset({"removeQueryParams"})
"""OTA's built-in filters that run here (`clausewatch.scraper.ota_filters`)."""
HISTORY_SUFFIX = ".history.json"


@dataclass(frozen=True, slots=True)
class PastDeclaration:
    """One entry of a history file: a terms declaration and the date it was valid until."""

    valid_until: datetime
    document: Document


@dataclass(frozen=True, slots=True)
class OtaService:
    """One service of an OTA declarations folder: its current documents and their past declarations."""

    name: str
    """The service's name as OTA writes it (the file name, e.g. `Open Terms Archive`)."""
    documents: Mapping[str, Document] = field(default_factory=dict)
    """Current declarations by terms type."""
    history: Mapping[str, Sequence[PastDeclaration]] = field(default_factory=dict)
    """Past declarations by terms type, oldest first."""

    def declaration_at(self, terms_type: str, when: datetime) -> Document | None:
        """The declaration of `terms_type` in force at `when` (None when neither current nor past)."""
        return declaration_at(self.documents.get(terms_type), self.history.get(terms_type, ()), when)


def declaration_at(current: Document | None, past: Sequence[PastDeclaration], when: datetime) -> Document | None:
    """The first past declaration whose `validUntil` is at or after `when`, else `current`."""
    for entry in sorted(past, key=lambda e: e.valid_until):
        if when <= entry.valid_until:
            return entry.document
    return current


def parse_ota_service(data: dict[str, Any], rel: str, service: str, errors: Errors) -> list[Document]:
    """The documents of one OTA declaration (current `terms` or older `documents`)."""
    check_unknown(data, SERVICE_KEYS, rel, "", errors)
    if service in RESERVED:
        errors.add(rel, "(file name)", f"service id '{service}' is reserved for a site folder",
                   f"rename the file (reserved ids: {', '.join(sorted(RESERVED))})")
        return []
    name = data.get("name", service)
    if not isinstance(name, str) or not name.strip():
        errors.add(rel, "name", "must be a non-empty string", "give the service's display name")
        name = service
    imported = data.get("importedFrom")
    if imported is not None and (not isinstance(imported, str) or not imported.strip()):
        errors.add(rel, "importedFrom", "must be a non-empty string (where the declaration came from)",
                   "write the URL of the declaration it was imported from, or remove the key")
    found = _terms_mapping(data, rel, errors)
    if found is None:
        return []
    key, terms = found
    documents: list[Document] = []
    for terms_type, decl in terms.items():
        where = f"{key}.{terms_type}"
        doc_id = name_id(str(terms_type))
        if any(d.document == doc_id for d in documents):
            errors.add(rel, where, f"its id '{doc_id}' is the same as another document's",
                       "give each document a distinct terms type")
            continue
        document = parse_terms(decl, rel, where, errors)
        if document is not None:
            documents.append(_finish(document, service, doc_id, name.strip(), str(terms_type), decl, rel, where))
    return documents


def _terms_mapping(data: dict[str, Any], rel: str, errors: Errors) -> tuple[str, dict[str, Any]] | None:
    """(`terms` or `documents`, the mapping of terms types) of a declaration, or None when unusable."""
    if "terms" in data and "documents" in data:
        errors.add(rel, "documents", "cannot be used together with `terms` (two formats in one file)",
                   "move every terms type under `terms` (OTA's current format) and remove `documents`")
        return None
    key = "documents" if "documents" in data else "terms"
    terms = data.get(key)
    if not isinstance(terms, dict) or not terms:
        errors.add(rel, key, "must be a non-empty object of terms type to terms declaration",
                   'add at least one, e.g. "terms": {"Terms of Service": {"fetch": "https://…", "select": "main"}}')
        return None
    return key, terms


def parse_terms(decl: Any, rel: str, where: str, errors: Errors,
                allowed: frozenset[str] = TERMS_KEYS) -> Document | None:
    """One terms declaration (single page, PDF or `combine`) as a Document without ids, or None."""
    if not isinstance(decl, dict):
        errors.add(rel, where, "must be an object with `fetch` (and `select` for a web page)",
                   'write {"fetch": "https://…", "select": "main"}')
        return None
    before = len(errors)
    check_unknown(decl, allowed, rel, where, errors)
    select = parse_selectors(decl.get("select"), rel, f"{where}.select", errors)
    remove = parse_selectors(decl.get("remove"), rel, f"{where}.remove", errors)
    filters, skipped = parse_filters(decl.get("filter"), rel, f"{where}.filter", errors)
    executable = check_bool(decl.get("executeClientScripts", False), rel, f"{where}.executeClientScripts", errors)
    parent = Source("", select, remove, executable, filters)
    combine: tuple[Source, ...] = ()
    if "combine" in decl:
        if "fetch" in decl:
            errors.add(rel, f"{where}.fetch", "cannot be used together with `combine`",
                       "move the URL into one of the `combine` entries")
        combine, more = _parse_combine(decl["combine"], parent, rel, f"{where}.combine", errors)
        skipped += tuple(name for name in more if name not in skipped)
        url = combine[0].url if combine else ""
    else:
        url = check_url(decl.get("fetch"), rel, f"{where}.fetch", errors)
    if len(errors) > before:
        return None
    return Document("", "", url, select=select, remove=remove, executable=executable, combine=combine,
                    filters=filters, skipped_filters=skipped)


def _parse_combine(value: Any, parent: Source, rel: str, where: str,
                   errors: Errors) -> tuple[tuple[Source, ...], tuple[str, ...]]:
    if not isinstance(value, list) or not value:
        errors.add(rel, where, "must be a non-empty list of pages", 'give [{"fetch": url}, ...]')
        return (), ()
    sources: list[Source] = []
    skipped: list[str] = []
    for index, entry in enumerate(value):
        at = f"{where}[{index}]"
        if not isinstance(entry, dict):
            errors.add(rel, at, "must be an object with `fetch`", 'write {"fetch": "https://…"}')
            continue
        check_unknown(entry, SOURCE_KEYS, rel, at, errors)
        url = check_url(entry.get("fetch"), rel, f"{at}.fetch", errors)
        select = parse_selectors(entry["select"], rel, f"{at}.select", errors) if "select" in entry \
            else parent.select
        remove = parse_selectors(entry["remove"], rel, f"{at}.remove", errors) if "remove" in entry \
            else parent.remove
        filters, names = parse_filters(entry["filter"], rel, f"{at}.filter", errors) if "filter" in entry \
            else (parent.filters, ())
        skipped += names
        executable = check_bool(entry.get("executeClientScripts", parent.executable), rel,
                                f"{at}.executeClientScripts", errors)
        sources.append(Source(url, select, remove, executable, filters))
    return tuple(sources), tuple(dict.fromkeys(skipped))


def parse_filters(value: Any, rel: str, where: str, errors: Errors) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(built-in filters that run here, as canonical JSON text; names of JavaScript filters that cannot)."""
    if value is None:
        return (), ()
    items = value if isinstance(value, list) else [value]
    builtin: list[str] = []
    skipped: list[str] = []
    for index, item in enumerate(items):
        at = f"{where}[{index}]" if isinstance(value, list) else where
        if isinstance(item, dict) and len(item) == 1:
            name, params = next(iter(item.items()))
        elif isinstance(item, str) and item.strip():
            name, params = item.strip(), None
        else:
            errors.add(rel, at, f"must be a filter name or an object {{name: parameters}}, got {item!r}",
                       'write "removeQueryParams" or {"removeQueryParams": ["utm_source"]}')
            continue
        if name not in BUILTIN_FILTERS:
            skipped.append(str(name))
            continue
        if params is not None and (isinstance(params, str) and params.strip()):
            params = [params]
        if params is not None and (not isinstance(params, list) or not params
                                   or not all(isinstance(p, str) and p.strip() for p in params)):
            errors.add(rel, f"{at}.{name}", "must be a list of query parameter names",
                       'write {"removeQueryParams": ["utm_source", "session"]}, or just "removeQueryParams"')
            continue
        builtin.append(json.dumps({name: sorted({p.strip() for p in params}) if params else None},
                                  sort_keys=True))
    return tuple(dict.fromkeys(builtin)), tuple(dict.fromkeys(skipped))


def _finish(document: Document, service: str, doc_id: str, service_name: str, terms_type: str,
            decl: dict[str, Any], rel: str, where: str) -> Document:
    return replace(document, service=service, document=doc_id, service_name=service_name,
                   document_name=terms_type or doc_id, source_file=rel, declared_at=where,
                   declaration_sha256=declaration_sha256(decl))


def filter_warnings(documents: Sequence[Document]) -> list[str]:
    """One warning per JavaScript filter that cannot run here: `file: key: problem — what happens`."""
    warnings = []
    for document in documents:
        for name in document.skipped_filters:
            script = Path(document.source_file).stem + ".filters.js"
            warnings.append(
                f"{document.source_file}: {document.declared_at or document.document}.filter: JavaScript filter "
                f"'{name}' (from {script}) cannot run here; the document is tracked without it — the classifier "
                "takes the noise it removed, or replace it by `remove` selectors")
    return warnings


# --- history files ------------------------------------------------------------------------------------------

def history_file(declaration: Path) -> Path:
    """`Zoom.json` → `Zoom.history.json` (beside it)."""
    return declaration.with_name(declaration.stem + HISTORY_SUFFIX)


def parse_ota_history(data: Any, rel: str, service: str, service_name: str,
                      errors: Errors) -> dict[str, list[PastDeclaration]]:
    """The past declarations of a history file, per terms type, oldest first."""
    if not isinstance(data, dict):
        errors.add(rel, "(top level)", f"expected an object of terms type to a list, got {type(data).__name__}",
                   'write {"Terms of Service": [{"fetch": "https://…", "validUntil": "2024-01-01T00:00:00Z"}]}')
        return {}
    found: dict[str, list[PastDeclaration]] = {}
    for terms_type, entries in data.items():
        if not isinstance(entries, list):
            errors.add(rel, str(terms_type), "must be a list of past declarations",
                       'write [{"fetch": "https://…", "select": "main", "validUntil": "2024-01-01T00:00:00Z"}]')
            continue
        for index, entry in enumerate(entries):
            where = f"{terms_type}[{index}]"
            until = _valid_until(entry, rel, where, errors)
            document = parse_terms(entry, rel, where, errors, HISTORY_KEYS)
            if document is None or until is None:
                continue
            decl = {k: v for k, v in entry.items() if k != "validUntil"}
            document = _finish(document, service, name_id(str(terms_type)), service_name, str(terms_type),
                               decl, rel, where)
            found.setdefault(str(terms_type), []).append(PastDeclaration(until, document))
    for entries in found.values():
        entries.sort(key=lambda e: e.valid_until)
    return found


def _valid_until(entry: Any, rel: str, where: str, errors: Errors) -> datetime | None:
    value = entry.get("validUntil") if isinstance(entry, dict) else None
    if not isinstance(value, str):
        errors.add(rel, f"{where}.validUntil", "is missing",
                   'give the date it was valid until, e.g. "2024-03-18T18:30:09Z"')
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        errors.add(rel, f"{where}.validUntil", f"'{value}' is not an ISO 8601 date",
                   'write e.g. "2024-03-18T18:30:09Z"')
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def read_json(path: Path, rel: str, errors: Errors) -> Any:
    """A JSON file's data, read as untrusted (`clausewatch.safe_load`: no symbolic link, size and depth
    limits, one-line errors), or None with the problem in `errors`."""
    try:
        text = read_text_file(path, inside=path.parent, max_bytes=MAX_JSON_BYTES)
    except ConfigError as exc:
        errors.add(rel, "(file)", exc.problem, exc.fix or "save it as UTF-8 text")
        return None
    try:
        return load_json(text, max_bytes=MAX_JSON_BYTES)
    except ConfigError as exc:
        errors.add(rel, "(syntax)", exc.problem, exc.fix or "correct the JSON syntax")
        return None


def history_errors(folder: Path) -> list[str]:
    """Every problem of the history files in `folder` (they are not tracked, but must be readable)."""
    errors = Errors()
    if folder.is_dir():
        for path in sorted(folder.glob("*" + HISTORY_SUFFIX)):
            rel = f"{folder.name}/{path.name}"
            data = read_json(path, rel, errors)
            if data is not None:
                stem = path.name[: -len(HISTORY_SUFFIX)]
                parse_ota_history(data, rel, name_id(stem), stem, errors)
    return list(errors)


def load_ota_collection(folder: Path) -> tuple[dict[str, OtaService], list[str]]:
    """Every service of an OTA declarations folder (`*.json` with their `*.history.json`), by OTA name
    (the file name without `.json`), and every problem found (`file: key: problem — fix`)."""
    errors = Errors()
    services: dict[str, OtaService] = {}
    for path in sorted(folder.glob("*.json")):
        if path.name.endswith(HISTORY_SUFFIX):
            continue
        rel, service = f"{folder.name}/{path.name}", name_id(path.stem)
        data = read_json(path, rel, errors)
        documents = parse_ota_service(data, rel, service, errors) if isinstance(data, dict) else []
        name = str(data["name"]) if isinstance(data, dict) and isinstance(data.get("name"), str) else path.stem
        history: dict[str, list[PastDeclaration]] = {}
        past = history_file(path)
        if past.is_file():
            prel = f"{folder.name}/{past.name}"
            past_data = read_json(past, prel, errors)
            if past_data is not None:
                history = parse_ota_history(past_data, prel, service, name, errors)
        services[path.stem] = OtaService(path.stem, {d.document_name: d for d in documents}, history)
    return services, list(errors)
