"""`clausewatch check`: validate a workspace's declarations and commentary, every problem at once; with
`since`, also that nothing but the tracker changed archive/ since that commit (the pull-request check).

Errors are lines `file: key: problem — fix`; warnings are things that work but are probably unintended
(a file in services/ that is not a declaration, a document without `select`, which records the whole
page). With `fetch_service`, that service's documents are also fetched and extracted twice: an error
when either attempt fails (a refusal, a selector matching nothing...) or when the two texts differ
(an unstable selector that would record noise on every run).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from clausewatch.archive.integrity import archive_changes_problems
from clausewatch.archive.read import latest_texts, open_archive
from clausewatch.commands.log import known_documents
from clausewatch.commentary.check import check_commentary
from clausewatch.diff.leaks import find_leaks
from clausewatch.diff.normalize import normalize_text
from clausewatch.errors import ArchiveError, ClausewatchError
from clausewatch.models import Document
from clausewatch.scraper.declarations import iter_declaration_files, validate_declarations
from clausewatch.scraper.fetch import make_session
from clausewatch.scraper.ota_declarations import filter_warnings, history_errors
from clausewatch.scraper.track import check_document, extract_document, fetch_document
from clausewatch.site.write import read_manifest
from clausewatch.workspace import Workspace


@dataclass(frozen=True, slots=True)
class CheckResult:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def check_workspace(workspace: Workspace, *, fetch_service: str | None = None,
                    allow_private: bool = False, since: str | None = None) -> CheckResult:
    """Every error and warning of services/ (and commentary/), optionally fetching one service twice,
    and with `since` (a commit), every change to archive/ after it that the tracker did not make."""
    documents, errors = validate_declarations(workspace.services)
    errors.extend(history_errors(workspace.services))
    if since is not None:
        errors.extend(archive_errors(workspace, since))
    errors.extend(page_clashes(workspace, documents))
    warnings = declaration_warnings(workspace, documents)
    warnings.extend(leak_warnings(workspace))
    comment_errors, comment_warnings = _check_commentary(workspace)
    errors.extend(comment_errors)
    warnings.extend(comment_warnings)
    if fetch_service is not None:
        errors.extend(check_fetch(documents, fetch_service, allow_private=allow_private))
    return CheckResult(errors=errors, warnings=warnings)


def leak_warnings(workspace: Workspace) -> list[str]:
    """Language pickers and menu lines in the newest recorded texts (`clausewatch.diff.leaks`)."""
    keys = known_documents(workspace)
    if not keys:
        return []
    try:
        texts = latest_texts(open_archive(workspace.archive), keys)
    except ArchiveError:
        return []  # no archive yet: nothing recorded to look at
    found = find_leaks({key: text for key, text in texts.items() if text})
    return [f"archive/{leak.key}.md: (recorded text): {leak.reason} leaked in: \"{leak.text}\" — add a `remove` "
            "selector for it to the document's declaration" for leak in found]


def _check_commentary(workspace: Workspace) -> tuple[list[str], list[str]]:
    """Commentary errors and warnings (owned by `clausewatch.commentary.parse`)."""

    found_errors, found_warnings = check_commentary(workspace)
    return list(found_errors), list(found_warnings)


def archive_errors(workspace: Workspace, since: str) -> list[str]:
    """What changes archive/ in `since..HEAD` without coming from the tracker (see
    `clausewatch.archive.integrity`), as `archive: commit: problem — fix` lines."""
    try:
        archive = open_archive(workspace.archive)
        return [f"archive: {line}" for line in archive_changes_problems(archive.repo, since, archive.prefix)]
    except ArchiveError as exc:
        return [f"archive: --since {since}: {exc.problem} — {exc.fix or 'pass a commit of this repository'}"]


def page_clashes(workspace: Workspace, documents: list[Document]) -> list[str]:
    """Services whose id is the name of one of the workspace's own hand-written pages (`docs/<id>.md`):
    both would be the site's `/<id>/` (the ids the site itself uses are refused by the loader)."""
    generated = read_manifest(workspace.docs) if workspace.docs.is_dir() else set()
    pages = {path.stem for path in workspace.docs.glob("*.md") if path.name not in generated} \
        if workspace.docs.is_dir() else set()
    found = {}
    for document in documents:
        if document.service in pages:
            found[document.service] = document.source_file
    return [f"{source}: (file name): service id '{service}' is also the hand-written page docs/{service}.md "
            f"(both would be /{service}/ on the site) — rename the service's file, or the page"
            for service, source in sorted(found.items())]


def declaration_warnings(workspace: Workspace, documents: list[Document]) -> list[str]:
    """Files in services/ that are not read, and documents that would record their whole page."""
    warnings = []
    if workspace.services.is_dir():
        read = {path.name for path in iter_declaration_files(workspace.services)}
        for path in sorted(workspace.services.iterdir()):
            skipped = path.name.startswith(".") or path.name.endswith(".history.json")
            if path.is_file() and path.name not in read and not skipped:
                warnings.append(f"services/{path.name}: (file): not a declaration (.yml or .json), ignored")
    warnings.extend(filter_warnings(documents))
    for document in documents:
        if any(not source.select and not _is_pdf(source.url) for source in document.sources):
            where = f"{document.source_file}: {document.declared_at or 'documents.' + _declared_id(document)}.select"
            warnings.append(f"{where}: not set, the whole page body is recorded (menus and footers included)"
                            " — add a `select:` selector")
    return warnings


def _is_pdf(url: str) -> bool:
    """A URL that names a PDF file: it has no page to select from."""
    return urlsplit(url).path.lower().endswith(".pdf")


def check_fetch(documents: list[Document], service: str, *, allow_private: bool) -> list[str]:
    """Fetch and extract each document of `service` twice; errors for failures and unstable extractions."""

    chosen = [d for d in documents if d.service == service]
    if not chosen:
        known = ", ".join(sorted({d.service for d in documents})) or "(none)"
        return [f"--fetch {service}: (service): no such declared service — use one of: {known}"]
    errors = []
    with make_session(allow_private=allow_private) as session:
        for document in chosen:
            where = f"{document.source_file}: documents.{_declared_id(document)}"
            texts = []
            for attempt in (1, 2):
                try:
                    fetched = fetch_document(document, session, allow_private)
                    if isinstance(fetched, ClausewatchError):
                        raise fetched
                    markdown = extract_document(document, fetched)
                    check_document(document, markdown, fetched, None)
                    texts.append(normalize_text(markdown))
                except ClausewatchError as exc:
                    errors.append(f"{where}: fetch {attempt} "
                                  f"failed [{getattr(exc, 'reason', 'error')}]: {exc.problem} — {exc.fix}")
                    break
            if len(texts) == 2 and texts[0] != texts[1]:
                errors.append(f"{where}.select: two fetches gave "
                              "different texts (the selector catches changing content) — narrow `select` or "
                              "`remove` the changing parts")
    return errors


def _declared_id(document: Document) -> str:
    """The document's key as written in its file (OTA files use the terms type, e.g. `Terms of Service`)."""
    return document.document_name if document.source_file.endswith(".json") else document.document
