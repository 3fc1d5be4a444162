"""Declarations: which documents to track, where they are, and which part of the page is the document.

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

Open Terms Archive declarations, as they are, `services/<Service Name>.json`: the current format
(`{"name": …, "terms": {…}}`) and the older one (`documents` instead of `terms`), read by
`clausewatch.scraper.ota_declarations` (every terms shape, filters, history files). Their
`<Service>.history.json` files are not tracked (they are read where a past declaration is needed).
Service and document ids come from names by `slugs.name_id` (a name that does not fold to ASCII, or is
too long, gets a hashed suffix: distinct names never share an id); display names are kept.

Validation collects every problem as `file: key: problem — fix` and raises one `ConfigError` whose
`errors` holds them all. Unknown keys are errors. The checks both formats share are in
`clausewatch.scraper.declaration_fields`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from clausewatch.errors import ConfigError
from clausewatch.models import Document
from clausewatch.safe_load import load_json, load_yaml, read_text_file
from clausewatch.scraper.declaration_fields import (
    Errors,
    check_bool,
    check_unknown,
    check_url,
    declaration_sha256,
    parse_phrases,
    parse_selectors,
)
from clausewatch.scraper.ota_declarations import HISTORY_SUFFIX, parse_ota_service
from clausewatch.slugs import MAX_ID_BYTES, RESERVED, id_problem, name_id

YAML_SERVICE_KEYS = frozenset({"name", "documents"})
YAML_DOCUMENT_KEYS = frozenset(
    {"name", "url", "select", "remove", "executable", "expect", "robots", "reason"})
MAX_FILE_BYTES = 1024 * 1024
"""A declaration file larger than this is refused unread (real ones are a few KB)."""



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
    errors = Errors()
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
        if path.name.endswith(HISTORY_SUFFIX):
            continue
        if path.suffix in (".yml", ".yaml", ".json"):
            yield path


def _load_file(path: Path, rel: str, service: str, errors: Errors) -> list[Document]:
    data = _read_data(path, rel, errors)
    if data is None:
        return []
    if not isinstance(data, dict):
        errors.add(rel, "(top level)", f"expected a mapping, got {type(data).__name__}",
                   "start the file with `name:` and `documents:`")
        return []
    if path.suffix == ".json":
        return parse_ota_service(data, rel, service, errors)
    if id_problem(service):
        errors.add(rel, "(file name)", f"not a valid service id: {id_problem(service)}",
                   f"rename the file to services/{name_id(path.stem)}{path.suffix} "
                   f"(lowercase a-z, 0-9, '-', at most {MAX_ID_BYTES} bytes)")
        return []
    return _parse_yaml_service(data, rel, service, errors)


def _read_data(path: Path, rel: str, errors: Errors) -> Any:
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
                   errors: Errors) -> tuple[str, dict[str, Any]] | None:
    """The service's display name and its documents mapping, or None when unusable."""
    check_unknown(data, allowed, rel, "", errors)
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


def _parse_yaml_service(data: dict[str, Any], rel: str, service: str, errors: Errors) -> list[Document]:
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


def _parse_yaml_document(decl: dict[str, Any], rel: str, where: str, errors: Errors) -> Document | None:
    before = len(errors)
    check_unknown(decl, YAML_DOCUMENT_KEYS, rel, where, errors)
    name = decl.get("name", "")
    if not isinstance(name, str):
        errors.add(rel, f"{where}.name", "must be a string", "give the document's display name")
    url = check_url(decl.get("url"), rel, f"{where}.url", errors)
    select = parse_selectors(decl.get("select"), rel, f"{where}.select", errors)
    remove = parse_selectors(decl.get("remove"), rel, f"{where}.remove", errors)
    executable = check_bool(decl.get("executable", False), rel, f"{where}.executable", errors)
    expect = parse_phrases(decl.get("expect"), rel, f"{where}.expect", errors)
    robots_reason = _parse_robots(decl, rel, where, errors)
    if len(errors) > before:
        return None
    return Document("", "", url, select=select, remove=remove, executable=executable, expect=expect,
                    robots_ignore_reason=robots_reason)


def _parse_robots(decl: dict[str, Any], rel: str, where: str, errors: Errors) -> str:
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


def _finish(document: Document, service: str, doc_id: str, service_name: str, document_name: Any,
            decl: dict[str, Any], rel: str) -> Document:

    return replace(
        document,
        service=service,
        document=doc_id,
        service_name=service_name,
        document_name=str(document_name or doc_id),
        source_file=rel,
        declared_at=f"documents.{doc_id}",
        declaration_sha256=declaration_sha256(decl),
    )
