"""Commentary checked against the archive: the change it names exists and has a page, its clause exists,
and its body holds no markup the site will neutralize (warnings). `clausewatch check` runs this.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from clausewatch.archive.read import iter_versions, open_archive
from clausewatch.commentary.anchor import names_change
from clausewatch.commentary.parse import err, load_commentary
from clausewatch.diff.clauses import split_clauses
from clausewatch.diff.history import assign_slugs, iter_history
from clausewatch.errors import ClausewatchError
from clausewatch.models import Clause, Commentary, Version
from clausewatch.workspace import Workspace

WARNINGS = (
    (re.compile(r"<\s*script", re.I), "contains a <script> tag; it is shown as text, never run"),
    (re.compile(r"<\s*/?\s*[a-z!][^>]*>", re.I),
     "contains raw HTML; it is shown as text. Use Markdown instead"),
    (re.compile(r"\bon[a-z]+\s*=", re.I), "contains an event-handler attribute (on…=); it is shown as text"),
    (re.compile(r"\b(?:javascript|vbscript|data)\s*:", re.I),
     "contains a javascript:/data: URL; such links are disabled. Link to http(s) pages only"),
    (re.compile(r"\{(?:\+\+|--|~~|==|>>)"), "contains critic markup ({++ ++}); it is shown as text"),
    (re.compile(r"\{\s*:?\s*[#.][\w-]|\{[^}\n]*\b[\w-]+\s*=[^}\n]*\}"),
     "contains an attribute list ({ … }); it is shown as text"),
)



def change_slugs(versions: Sequence[Version]) -> list[tuple[str, Version]]:
    """(page name, version) for every version, oldest first, named exactly as the site names its change
    pages (`YYYY-MM-DD`, then `-2`, `-3`… among published changes of a day); '' for versions that get
    no page (cosmetic, link-only, blink)."""
    return list(zip(assign_slugs(list(iter_history(versions))), versions, strict=True))


def resolve_change(named: Sequence[tuple[str, Version]], change: str) -> tuple[int, str] | None:
    """Index (oldest first) and page name ('' if it has none) of the version `change` names, or None.

    `named` is `change_slugs(versions)`; `change` is a page name or a commit id prefix (7+ hex digits).
    """
    for index, (slug, version) in enumerate(named):
        if names_change(change, slug, version.commit):
            return index, slug
    return None


def latest_changes(named: Sequence[tuple[str, Version]], count: int = 5) -> str:
    """The newest page names, for error messages."""
    return ", ".join([slug for slug, _ in named if slug][-count:]) or "none yet"


def clauses_at(versions: Sequence[Version], index: int) -> tuple[tuple[Clause, ...], tuple[Clause, ...]]:
    """(clauses before, clauses after) the change recorded as `versions[index]`."""
    before = split_clauses(versions[index - 1].text) if index > 0 else ()
    return before, split_clauses(versions[index].text)


def check_commentary(workspace: Workspace) -> tuple[list[str], list[str]]:
    """(errors, warnings) of every commentary file: format, place, change and clause in the archive,
    and unsafe markup in the body (warnings: it is neutralized, but the author should know)."""
    items, errors = load_commentary(workspace)
    warnings = [w for item in items for w in body_warnings(item)]
    history: dict[tuple[str, str], list[tuple[str, Version]]] = {}
    for item in items:
        key = (item.service, item.document)
        if key not in history:
            history[key] = change_slugs(_read_versions(workspace, *key, errors, item.path))
        errors += archive_errors(item, history[key])
    return errors, warnings


def _read_versions(workspace: Workspace, service: str, document: str, errors: list[str],
                   path: str) -> list[Version]:
    try:
        return list(iter_versions(open_archive(workspace.archive), service, document))
    except ClausewatchError as exc:
        errors.append(err(path, "change", f"the archive cannot be read ({exc.problem})",
                           exc.fix or "run `clausewatch track` first"))
        return []


def archive_errors(item: Commentary, named: Sequence[tuple[str, Version]]) -> list[str]:
    """Errors of one commentary against its document's history (`change_slugs`): unknown change, a
    change without a page, unknown clause."""
    key = f"{item.service}/{item.document}"
    if not named:
        return [err(item.path, "document", f"'{key}' has no recorded version in the archive",
                     "check `service` and `document` against `clausewatch log`, or track it first")]
    found = resolve_change(named, item.change)
    if found is None:
        return [err(item.path, "change", f"no change '{item.change}' of {key}",
                     f"use one of the recorded changes (latest: {latest_changes(named)}); "
                     f"see `clausewatch log {key}`")]
    if not found[1]:
        return [err(item.path, "change", f"'{item.change}' of {key} is not a substantive change "
                     "(cosmetic, link-only or a revert: it has no change page)",
                     f"explain a substantive change instead (latest: {latest_changes(named)})")]
    if item.clause:
        before, after = clauses_at([v for _, v in named], found[0])
        if item.clause not in {c.id for c in (*before, *after)}:
            close = [c.id for c in after if item.clause[:6] in c.id][:5] or [c.id for c in after][:5]
            return [err(item.path, "clause", f"no clause '{item.clause}' in change {found[1]} of {key}",
                         f"use a clause id from the change page's anchors, e.g. {', '.join(close)}")]
    return []


def body_warnings(item: Commentary) -> list[str]:
    """Warnings about markup in the body that is neutralized on the site, and leftover placeholders."""
    found = [f"{item.path}: body: {message}" for pattern, message in WARNINGS if pattern.search(item.body)]
    for key, value in (("title", item.title), ("authors", " ".join(item.authors)), ("body", item.body)):
        if "TODO:" in value:
            found.append(f"{item.path}: {key}: still holds the template's TODO placeholder. "
                         "To fix: replace it before setting `status: published`")
    return found


