"""The contributor path: a new commentary file, pre-filled for one change (and clause).

`commentary_template` and `add_commentary_url` are pure: the site's "Add commentary" link opens the
repository's web editor on a new file at the right path with the template as its content.
`write_commentary_template` (behind `clausewatch annotate`) writes the same file locally, after
checking in the archive that the change and the clause exist; it never overwrites a file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import quote, urlsplit

import yaml

from clausewatch.archive.read import iter_versions, open_archive
from clausewatch.commentary.check import change_slugs, clauses_at, latest_changes, resolve_change
from clausewatch.diff.clauses import plain_words
from clausewatch.errors import ConfigError
from clausewatch.models import Clause
from clausewatch.slugs import is_slug
from clausewatch.workspace import Workspace

PLACEHOLDER = "TODO"
"""Marks the template's fields the contributor must replace; `clausewatch check` warns about them."""
QUOTE_WORDS = 14
_BODY = f"""{PLACEHOLDER}: explain the change for a general reader: what the clause said before, what it
says now, and what that means for the people who agreed to it. Cite your sources below.
Markdown is welcome; HTML is shown as text.
"""


def commentary_path(service: str, document: str, change: str, clause: str | None = None) -> str:
    """`commentary/<service>/<document>/<change>[-<clause>].md`, relative to the workspace."""
    suffix = f"-{clause[:48].strip('-')}" if clause else ""
    return f"commentary/{service}/{document}/{change}{suffix}.md"


def clause_quote(clause: Clause | None) -> str | None:
    """The first words of a clause: what lets a commentary find it again if its id changes."""
    if clause is None:
        return None
    words = plain_words(f"{clause.heading or ''} {clause.text}")
    return " ".join(words[:QUOTE_WORDS]) or None


def commentary_template(service: str, document: str, change: str, clause: str | None = None,
                        quote_text: str | None = None) -> str:
    """A new commentary file: front matter for this change and clause, placeholders to replace."""
    fields: dict[str, object] = {"service": service, "document": document, "change": change}
    if clause:
        fields["clause"] = clause
    if quote_text:
        fields["quote"] = quote_text
    fields.update({
        "title": f"{PLACEHOLDER}: one line saying what changed and why it matters",
        "authors": [f"{PLACEHOLDER}: your name or GitHub handle"],
        "sources": [],
        "status": "draft",
    })
    front = yaml.safe_dump(fields, sort_keys=False, allow_unicode=True, width=1000)
    return f"---\n{front}---\n\n{_BODY}"


def repository_branch(config: Mapping[str, object]) -> str:
    """The branch contributions go to: from mkdocs.yml `edit_uri` (`edit/<branch>/docs/`), else `main`."""
    edit_uri = str(config.get("edit_uri") or "")
    parts = [p for p in edit_uri.split("/") if p]
    if parts and parts[0] == "-":
        parts = parts[1:]
    return parts[1] if len(parts) >= 2 and parts[0] in ("edit", "blob", "tree") else "main"


def add_commentary_url(repo_url: str, branch: str, service: str, document: str, change: str,
                       clause: str | None = None, quote_text: str | None = None) -> str | None:
    """The web-editor URL creating a pre-filled commentary file (GitHub `new/<branch>?filename=&value=`,
    GitLab `-/new/<branch>?file_name=&content=`), or None when `repo_url` is not an http(s) URL."""
    parts = urlsplit(repo_url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    if not is_slug(service) or not is_slug(document):
        return None
    path = commentary_path(service, document, change, clause)
    content = commentary_template(service, document, change, clause, quote_text)
    base = repo_url.rstrip("/")
    filename, value = quote(path, safe="/"), quote(content, safe="")
    if "gitlab" in parts.netloc:
        return f"{base}/-/new/{quote(branch)}?file_name={filename}&content={value}"
    return f"{base}/new/{quote(branch)}?filename={filename}&value={value}"


def add_commentary_link(config: Mapping[str, object], service: str, document: str, change: str,
                        clause: Clause | None = None) -> str | None:
    """`add_commentary_url` for a site config (mkdocs.yml's `repo_url` and `edit_uri`)."""
    repo_url = str(config.get("repo_url") or "")
    return add_commentary_url(repo_url, repository_branch(config), service, document, change,
                              clause.id if clause else None, clause_quote(clause))


def _find_clause(clauses: Sequence[Clause], clause_id: str) -> Clause | None:
    return next((c for c in clauses if c.id == clause_id), None)


def write_commentary_template(workspace: Workspace, key: str, change: str,
                              clause_id: str | None = None) -> Path:
    """Write the pre-filled commentary file for `change` of `key` (and `clause_id`); return its path.

    Raises ConfigError when the document, the change or the clause does not exist, or the file does.
    """
    service, _, document = key.partition("/")
    if not is_slug(service) or not is_slug(document):
        raise ConfigError(f"'{key}' is not SERVICE/DOCUMENT", fix="give it as e.g. acme/terms-of-service")
    versions = list(iter_versions(open_archive(workspace.archive), service, document))
    if not versions:
        raise ConfigError(f"'{key}' has no recorded version in '{workspace.archive}'",
                          fix="check the name with `clausewatch log`, or run `clausewatch track` first")
    named = change_slugs(versions)
    found = resolve_change(named, change)
    if found is None or not found[1]:
        problem = "no change" if found is None else "no change page (not a substantive change) for"
        raise ConfigError(f"'{key}' has {problem} '{change}'",
                          fix=f"give a substantive change (latest: {latest_changes(named)}); "
                          f"see `clausewatch log {key}`")
    clause = None
    if clause_id:
        before, after = clauses_at(versions, found[0])
        clause = _find_clause(after, clause_id) or _find_clause(before, clause_id)
        if clause is None:
            ids = ", ".join(c.id for c in after[:5])
            raise ConfigError(f"change {found[1]} of '{key}' has no clause '{clause_id}'",
                              fix=f"use a clause id from the change page's anchors (e.g. {ids})")
    rel = commentary_path(service, document, found[1], clause_id)
    target = workspace.root / rel
    if target.exists():
        raise ConfigError(f"'{target}' already exists",
                          fix="edit that file, or rename it before annotating again")
    target.parent.mkdir(parents=True, exist_ok=True)
    text = commentary_template(service, document, found[1], clause_id, clause_quote(clause))
    with open(target, "x", encoding="utf-8") as handle:
        handle.write(text)
    return target
