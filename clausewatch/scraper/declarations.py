"""Declarations: which documents to track, where they are, and which part of the page is the document.
Over 400 lines on purpose: both declaration formats (ours and Open Terms Archive's) are validated here,
every error collected with its file and key, against one schema.

Two formats live side by side in `services/`:

Our YAML, one file per service, `services/<service-id>.yml` (the file name is the service id, a slug)::

    name: Acme Cloud                      # display name (default: the file name)
    documents:
      terms-of-service:                   # document id, a slug
        name: Terms of Service            # display name (default: the id)
        url: https://acme.example/terms   # http or https
        select: main                      # CSS selector(s) of the document (a string or a list;
                                          #   list entries may be range selectors, see below)
        remove: [nav, .cookie-banner]     # CSS selector(s) deleted first (a string or a list)
        executable: false                 # true: the page needs scripts (headless browser)
        expect: [Acme Cloud]              # phrases the extracted text must contain
        robots: ignore                    # optional: skip robots.txt for this document, only with
        reason: terms must be public by law  #   a written reason (default: robots.txt is obeyed)

Open Terms Archive declarations, as they are, `services/<Service Name>.json`::

    {"name": "Zoom", "documents": {"Terms of Service": {
        "fetch": "https://…", "select": ..., "remove": ..., "executeClientScripts": false,
        "combine": [{"fetch": "https://…", "select": ...}, ...]}}}

The service id is the slugified file name (`Zoom.json` → `zoom`), document ids are slugified terms
types (`Terms of Service` → `terms-of-service`), both by `slugs.name_id` (names that do not fold to
ASCII, or too long, get a hashed suffix: distinct names never share an id); display names are kept.
A selector is a CSS string or a range `{"startBefore"|"startAfter": css, "endBefore"|"endAfter": css}`;
ranges are kept in `Document.select` as canonical JSON text. `combine` pages inherit the document's select/remove/
executeClientScripts unless they set their own. JavaScript `filter`s are not supported (an error).
`<Service>.history.json` files (OTA's past declarations) are skipped.

Validation collects every problem as `file: key: problem — fix` and raises one `ConfigError` whose
`errors` holds them all. Unknown keys are errors.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import soupsieve

from clausewatch.errors import ConfigError
from clausewatch.models import Document, Source
from clausewatch.safe_load import clip, load_json, load_yaml, read_text_file
from clausewatch.slugs import MAX_ID_BYTES, RESERVED, id_problem, name_id

YAML_SERVICE_KEYS = frozenset({"name", "documents"})
YAML_DOCUMENT_KEYS = frozenset(
    {"name", "url", "select", "remove", "executable", "expect", "robots", "reason"})
OTA_SERVICE_KEYS = frozenset({"name", "documents"})
OTA_DOCUMENT_KEYS = frozenset({"fetch", "select", "remove", "filter", "executeClientScripts", "combine"})
OTA_SOURCE_KEYS = frozenset({"fetch", "select", "remove", "filter", "executeClientScripts"})
RANGE_STARTS = ("startBefore", "startAfter")
RANGE_ENDS = ("endBefore", "endAfter")
MAX_FILE_BYTES = 1024 * 1024
"""A declaration file larger than this is refused unread (real ones are a few KB)."""


class _Errors(list[str]):
    """The problems found so far, each `file: key: problem — fix`."""

    def add(self, file: str, key: str, problem: str, fix: str) -> None:
        # clipped: a hostile value quoted in a problem (`got [...]`) cannot make the message huge
        self.append(f"{clip(file, 300)}: {clip(key, 200)}: {clip(problem, 400)} — {fix}")


def load_declarations(services_dir: Path) -> list[Document]:
    """Every declared document in `services_dir`, sorted by key; raise one ConfigError listing all errors."""
    documents, errors = validate_declarations(services_dir)
    if errors:
        shown = "\n".join(f"  {line}" for line in errors)
        raise ConfigError(
            f"{len(errors)} error(s) in the declarations in '{services_dir}':\n{shown}",
            fix="correct each file and key listed above (see docs/declarations.md for the format)",
            errors=tuple(errors),
        )
    return documents


def validate_declarations(services_dir: Path) -> tuple[list[Document], list[str]]:
    """The documents that are valid and the list of every error (`file: key: problem — fix`)."""
    errors = _Errors()
    if not services_dir.is_dir():
        errors.add(str(services_dir), "(folder)", "does not exist",
                   "create it and add one services/<service>.yml per service")
        return [], list(errors)
    documents: list[Document] = []
    owners: dict[str, str] = {}
    for path in iter_declaration_files(services_dir):
        rel = f"{services_dir.name}/{path.name}"
        service = service_id(path)
        if service in owners:
            errors.add(rel, "(file name)", f"service id '{service}' is also declared by {owners[service]}",
                       "keep one declaration file per service")
            continue
        owners[service] = rel
        documents.extend(_load_file(path, rel, service, errors))
    return sorted(documents, key=lambda d: d.key), list(errors)


def service_id(path: Path) -> str:
    """The service id a declaration file declares: `acme.yml` → `acme`, OTA's `Zoom Video.json` → `zoom-video`."""
    return name_id(path.stem) if path.suffix == ".json" else path.stem


def iter_declaration_files(services_dir: Path) -> Iterator[Path]:
    """`*.yml`, `*.yaml` and `*.json` declaration files, sorted; OTA `*.history.json` files skipped."""
    for path in sorted(services_dir.iterdir()):
        if not path.is_file() or path.name.startswith("."):
            continue
        if path.name.endswith(".history.json"):
            continue
        if path.suffix in (".yml", ".yaml", ".json"):
            yield path


def _load_file(path: Path, rel: str, service: str, errors: _Errors) -> list[Document]:
    data = _read_data(path, rel, errors)
    if data is None:
        return []
    if not isinstance(data, dict):
        errors.add(rel, "(top level)", f"expected a mapping, got {type(data).__name__}",
                   "start the file with `name:` and `documents:`")
        return []
    if path.suffix == ".json":
        return _parse_ota_service(data, rel, service, errors)
    if id_problem(service):
        errors.add(rel, "(file name)", f"not a valid service id: {id_problem(service)}",
                   f"rename the file to services/{name_id(path.stem)}{path.suffix} "
                   f"(lowercase a-z, 0-9, '-', at most {MAX_ID_BYTES} bytes)")
        return []
    return _parse_yaml_service(data, rel, service, errors)


def _read_data(path: Path, rel: str, errors: _Errors) -> Any:
    """The file's data, read as untrusted (`clausewatch.safe_load`: no symbolic link, size, depth and
    alias limits, one-line errors); None after recording the error."""
    try:
        text = read_text_file(path, inside=path.parent, max_bytes=MAX_FILE_BYTES)
    except ConfigError as exc:
        errors.add(rel, "(file)", exc.problem, exc.fix or "save it as UTF-8 text")
        return None
    try:
        load = load_json if path.suffix == ".json" else load_yaml
        return load(text, max_bytes=MAX_FILE_BYTES)
    except ConfigError as exc:
        errors.add(rel, "(syntax)", exc.problem, exc.fix or "correct the syntax")
        return None


def _check_service(data: dict[str, Any], rel: str, service: str, allowed: frozenset[str],
                   errors: _Errors) -> tuple[str, dict[str, Any]] | None:
    """The service's display name and its documents mapping, or None when unusable."""
    _check_unknown(data, allowed, rel, "", errors)
    if service in RESERVED:
        errors.add(rel, "(file name)", f"service id '{service}' is reserved for a site folder",
                   f"rename the file (reserved ids: {', '.join(sorted(RESERVED))})")
        return None
    name = data.get("name", service)
    if not isinstance(name, str) or not name.strip():
        errors.add(rel, "name", "must be a non-empty string", "give the service's display name")
        name = service
    documents = data.get("documents")
    if not isinstance(documents, dict) or not documents:
        errors.add(rel, "documents", "must be a non-empty mapping of document id to declaration",
                   "add at least one document under `documents:`")
        return None
    return name.strip(), documents


def _parse_yaml_service(data: dict[str, Any], rel: str, service: str, errors: _Errors) -> list[Document]:
    checked = _check_service(data, rel, service, YAML_SERVICE_KEYS, errors)
    if checked is None:
        return []
    service_name, documents = checked
    found = []
    for doc_id, decl in documents.items():
        where = f"documents.{doc_id}"
        problem = id_problem(doc_id) if isinstance(doc_id, str) else f"'{doc_id}' is not text"
        if problem:
            errors.add(rel, where, f"not a valid document id: {problem}",
                       f"use a short slug such as '{name_id(str(doc_id))}' and put the title in `name:`")
            continue
        if not isinstance(decl, dict):
            errors.add(rel, where, "must be a mapping with at least `url:`", "add `url:` and `select:`")
            continue
        document = _parse_yaml_document(decl, rel, where, errors)
        if document is not None:
            title = decl.get("name", doc_id)
            found.append(_finish(document, service, doc_id, service_name, title, decl, rel))
    return found


def _parse_yaml_document(decl: dict[str, Any], rel: str, where: str, errors: _Errors) -> Document | None:
    before = len(errors)
    _check_unknown(decl, YAML_DOCUMENT_KEYS, rel, where, errors)
    name = decl.get("name", "")
    if not isinstance(name, str):
        errors.add(rel, f"{where}.name", "must be a string", "give the document's display name")
    url = _check_url(decl.get("url"), rel, f"{where}.url", errors)
    select = _parse_selectors(decl.get("select"), rel, f"{where}.select", errors)
    remove = _parse_selectors(decl.get("remove"), rel, f"{where}.remove", errors)
    executable = _check_bool(decl.get("executable", False), rel, f"{where}.executable", errors)
    expect = _parse_phrases(decl.get("expect"), rel, f"{where}.expect", errors)
    robots_reason = _parse_robots(decl, rel, where, errors)
    if len(errors) > before:
        return None
    return Document("", "", url, select=select, remove=remove, executable=executable, expect=expect,
                    robots_ignore_reason=robots_reason)


def _parse_robots(decl: dict[str, Any], rel: str, where: str, errors: _Errors) -> str:
    """The written reason of a `robots: ignore` override, or '' when robots.txt is obeyed."""
    robots, reason = decl.get("robots", "obey"), decl.get("reason")
    if robots not in ("obey", "ignore"):
        errors.add(rel, f"{where}.robots", f"must be `obey` or `ignore`, got {robots!r}",
                   "write `robots: ignore` with a `reason:`, or leave it out to obey robots.txt")
        return ""
    if robots == "ignore" and (not isinstance(reason, str) or not reason.strip()):
        errors.add(rel, f"{where}.reason", "`robots: ignore` needs a written reason",
                   "add `reason:` saying why this document may be fetched against robots.txt")
        return ""
    if robots == "obey" and reason is not None:
        errors.add(rel, f"{where}.reason", "only means something with `robots: ignore`",
                   "remove `reason:`, or add `robots: ignore`")
        return ""
    return reason.strip() if robots == "ignore" and isinstance(reason, str) else ""


def _parse_ota_service(data: dict[str, Any], rel: str, service: str, errors: _Errors) -> list[Document]:
    checked = _check_service(data, rel, service, OTA_SERVICE_KEYS, errors)
    if checked is None:
        return []
    service_name, documents = checked
    found: list[Document] = []
    for terms_type, decl in documents.items():
        where = f"documents.{terms_type}"
        doc_id = name_id(str(terms_type))
        if any(d.document == doc_id for d in found):
            errors.add(rel, where, f"its id '{doc_id}' is the same as another document's",
                       "give each document a distinct terms type")
            continue
        if not isinstance(decl, dict):
            errors.add(rel, where, "must be an object with `fetch` and `select`",
                       "see Open Terms Archive's declaration format")
            continue
        document = _parse_ota_document(decl, rel, where, errors)
        if document is not None:
            found.append(_finish(document, service, doc_id, service_name, str(terms_type), decl, rel))
    return found


def _parse_ota_document(decl: dict[str, Any], rel: str, where: str, errors: _Errors) -> Document | None:
    before = len(errors)
    _check_unknown(decl, OTA_DOCUMENT_KEYS, rel, where, errors)
    _reject_filters(decl, rel, where, errors)
    select = _parse_selectors(decl.get("select"), rel, f"{where}.select", errors)
    remove = _parse_selectors(decl.get("remove"), rel, f"{where}.remove", errors)
    executable = _check_bool(decl.get("executeClientScripts", False), rel, f"{where}.executeClientScripts",
                             errors)
    parent = Source("", select, remove, executable)
    combine: tuple[Source, ...] = ()
    if "combine" in decl:
        if "fetch" in decl:
            errors.add(rel, f"{where}.fetch", "cannot be used together with `combine`",
                       "move the URL into one of the `combine` entries")
        combine = _parse_combine(decl["combine"], parent, rel, f"{where}.combine", errors)
        url = combine[0].url if combine else ""
    else:
        url = _check_url(decl.get("fetch"), rel, f"{where}.fetch", errors)
    if len(errors) > before:
        return None
    return Document("", "", url, select=select, remove=remove, executable=executable, combine=combine)


def _parse_combine(value: Any, parent: Source, rel: str, where: str, errors: _Errors) -> tuple[Source, ...]:
    if not isinstance(value, list) or not value:
        errors.add(rel, where, "must be a non-empty list of pages", 'give [{"fetch": url}, ...]')
        return ()
    sources = []
    for index, entry in enumerate(value):
        at = f"{where}[{index}]"
        if not isinstance(entry, dict):
            errors.add(rel, at, "must be an object with `fetch`", 'write {"fetch": "https://…"}')
            continue
        _check_unknown(entry, OTA_SOURCE_KEYS, rel, at, errors)
        _reject_filters(entry, rel, at, errors)
        url = _check_url(entry.get("fetch"), rel, f"{at}.fetch", errors)
        select = _parse_selectors(entry["select"], rel, f"{at}.select", errors) if "select" in entry \
            else parent.select
        remove = _parse_selectors(entry["remove"], rel, f"{at}.remove", errors) if "remove" in entry \
            else parent.remove
        executable = _check_bool(entry.get("executeClientScripts", parent.executable), rel,
                                 f"{at}.executeClientScripts", errors)
        sources.append(Source(url, select, remove, executable))
    return tuple(sources)


def _reject_filters(decl: dict[str, Any], rel: str, where: str, errors: _Errors) -> None:
    if decl.get("filter"):
        value = decl["filter"]
        names = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        errors.add(rel, f"{where}.filter", f"JavaScript filters are not supported ({names})",
                   "replace each filter by `remove` selectors, or leave this document to Open Terms Archive")


def _finish(document: Document, service: str, doc_id: str, service_name: str, document_name: Any,
            decl: dict[str, Any], rel: str) -> Document:

    return replace(
        document,
        service=service,
        document=doc_id,
        service_name=service_name,
        document_name=str(document_name or doc_id),
        source_file=rel,
        declaration_sha256=declaration_sha256(decl),
    )


def declaration_sha256(decl: dict[str, Any]) -> str:
    """SHA-256 of one document's declaration as canonical JSON (sorted keys, no spaces, UTF-8)."""
    canonical = json.dumps(decl, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _check_unknown(data: dict[str, Any], allowed: frozenset[str], rel: str, where: str,
                   errors: _Errors) -> None:
    for key in data:
        if key not in allowed:
            errors.add(rel, f"{where}.{key}" if where else str(key), "unknown key",
                       f"remove it or use one of: {', '.join(sorted(allowed))}")


def _check_url(value: Any, rel: str, where: str, errors: _Errors) -> str:
    if not isinstance(value, str) or not value.strip():
        errors.add(rel, where, "is missing", "give the document's http(s) URL")
        return ""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        errors.add(rel, where, f"'{value}' is not an http(s) URL", "use a full URL such as https://example.com/terms")
        return ""
    return value.strip()


def _check_bool(value: Any, rel: str, where: str, errors: _Errors) -> bool:
    if not isinstance(value, bool):
        errors.add(rel, where, f"must be true or false, got {value!r}", "write true or false")
        return False
    return value


def _parse_phrases(value: Any, rel: str, where: str, errors: _Errors) -> tuple[str, ...]:
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
        errors.add(rel, where, "must be a phrase or a list of non-empty phrases", 'write expect: ["Acme"]')
        return ()
    return tuple(i.strip() for i in items)


def _parse_selectors(value: Any, rel: str, where: str, errors: _Errors) -> tuple[str, ...]:
    """CSS strings and range selectors (as canonical JSON text) from a string, a range or a list."""
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    found = []
    for index, item in enumerate(items):
        at = f"{where}[{index}]" if isinstance(value, list) else where
        if isinstance(item, str):
            if _check_css(item, rel, at, errors):
                found.append(item.strip())
        elif isinstance(item, dict):
            if _check_range(item, rel, at, errors):
                found.append(json.dumps(item, sort_keys=True, ensure_ascii=False))
        else:
            errors.add(rel, at, f"must be a CSS selector or a range, got {type(item).__name__}",
                       'write a CSS string such as "main", or {"startBefore": css, "endBefore": css}')
    return tuple(found)


def _check_css(selector: str, rel: str, where: str, errors: _Errors) -> bool:
    if not selector.strip():
        errors.add(rel, where, "is an empty selector", "give a CSS selector such as `main`")
        return False
    try:
        soupsieve.compile(selector)
    except (soupsieve.SelectorSyntaxError, ValueError, NotImplementedError) as exc:
        detail = str(exc).splitlines()[0]
        errors.add(rel, where, f"'{selector}' is not a valid CSS selector: {detail}", "correct the selector")
        return False
    return True


def _check_range(item: dict[str, Any], rel: str, where: str, errors: _Errors) -> bool:
    before = len(errors)
    _check_unknown(item, frozenset(RANGE_STARTS + RANGE_ENDS), rel, where, errors)
    for group, label in ((RANGE_STARTS, "start"), (RANGE_ENDS, "end")):
        keys = [k for k in group if k in item]
        if len(keys) != 1:
            errors.add(rel, where, f"a range needs exactly one {label} key ({' or '.join(group)})",
                       'write {"startBefore": css, "endBefore": css}')
        for key in keys:
            if not isinstance(item[key], str):
                errors.add(rel, f"{where}.{key}", "must be a CSS selector string", "write a CSS string")
            else:
                _check_css(item[key], rel, f"{where}.{key}", errors)
    return len(errors) == before
