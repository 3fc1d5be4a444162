"""Contributor commentary files: `commentary/<service>/<document>/<YYYY-MM-DD>[-slug].md`.

Each file is YAML front matter (`service`, `document`, `change`, `title`, `authors`, `sources`,
`status`, and optionally `clause` and `quote`) followed by a Markdown body. Commentary is untrusted
input: `load_commentary` (a loader: it reads files) parses and validates each file, collecting every
error; `commentary.check` checks it against the archive, `commentary.anchor` finds its clause again,
and the site renders it with everything but plain Markdown neutralized (`site/commentary_render.py`).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from clausewatch.errors import ConfigError
from clausewatch.models import Commentary
from clausewatch.safe_load import load_yaml
from clausewatch.slugs import is_slug
from clausewatch.workspace import Workspace

KEYS = ("service", "document", "change", "clause", "title", "authors", "sources", "status", "quote")
REQUIRED = ("service", "document", "change", "title", "authors")
MAX_BYTES = 100_000
IGNORED_FILES = frozenset({"README.md"})
"""Files directly in commentary/ that are documentation, not commentary."""

_FILENAME = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:-([a-z0-9]+(?:-[a-z0-9]+)*))?\.md$")
_CHANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:-([2-9]|[1-9]\d+))?$|^([0-9a-f]{7,40})$")
_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)(.*)\Z", re.DOTALL)
_FIX_FORMAT = "see CONTRIBUTING.md for the commentary format, or run `clausewatch annotate`"

def err(path: str, key: str, problem: str, fix: str) -> str:
    return f"{path}: {key}: {problem}. To fix: {fix}"


def split_front_matter(text: str) -> tuple[str, str] | None:
    """(YAML text, body) of a file starting with a `---` block, or None when there is none."""
    match = _FRONT.match(text.lstrip("\ufeff"))
    return (match.group(1), match.group(2)) if match else None


def parse_commentary(path: str, text: str) -> tuple[Commentary | None, list[str]]:
    """A commentary from one file's text (`path` relative to the workspace), and its errors."""
    parts = split_front_matter(text)
    if parts is None:
        problem = "missing (the file must start with a `---` line)"
        return None, [err(path, "front matter", problem, _FIX_FORMAT)]
    try:
        data = load_yaml(parts[0], max_bytes=MAX_BYTES)
    except ConfigError as exc:
        return None, [err(path, "front matter", exc.problem, "correct the YAML between the `---` lines")]
    if not isinstance(data, dict):
        return None, [err(path, "front matter", "must be a mapping of keys to values", _FIX_FORMAT)]
    errors = _key_errors(path, data)
    values = {key: _text(data.get(key)) for key in KEYS if key not in ("authors", "sources", "status")}
    authors = _list(path, data, "authors", errors)
    sources = _list(path, data, "sources", errors)
    errors += _value_errors(path, values, authors, sources, data.get("status", "published"))
    errors += _place_errors(path, values)
    if not parts[1].strip():
        errors.append(err(path, "body", "is empty", "write the commentary below the closing `---` line"))
    if errors:
        return None, errors
    return Commentary(
        path=path, service=values["service"], document=values["document"], change=values["change"],
        title=values["title"], authors=tuple(authors), body=parts[1].strip() + "\n",
        clause=values["clause"] or None, sources=tuple(sources),
        status=data.get("status", "published"), quote=values["quote"] or None,
    ), []


def _text(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip() if isinstance(value, str | int | float) and not isinstance(value, bool) else ""


def _list(path: str, data: dict[str, Any], key: str, errors: list[str]) -> list[str]:
    value = data.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        errors.append(err(path, key, "must be a list of non-empty texts",
                           f"write `{key}:` then one `  - …` line per entry"))
        return []
    return [v.strip() for v in value]


def _key_errors(path: str, data: dict[Any, Any]) -> list[str]:
    errors = []
    for key in sorted(str(k) for k in data if k not in KEYS):
        errors.append(err(path, key, "unknown key",
                           f"remove it or fix its spelling (allowed: {', '.join(KEYS)})"))
    for key in REQUIRED:
        if key != "authors" and not _text(data.get(key)):
            errors.append(err(path, key, "missing or empty", f"add `{key}: …` to the front matter"))
    return errors


def _value_errors(path: str, values: dict[str, str], authors: list[str], sources: list[str],
                  status: Any) -> list[str]:
    errors = []
    if not authors:
        errors.append(err(path, "authors", "missing: commentary must be signed",
                           "add `authors: [Your Name]` (a name or a GitHub handle)"))
    for i, url in enumerate(sources):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url):
            errors.append(err(path, f"sources[{i}]", f"'{url}' is not an http(s) URL",
                               "give the full address starting with https://"))
    if status not in ("draft", "published"):
        errors.append(err(path, "status", f"'{status}' is not draft or published",
                           "use `status: draft` or `status: published`"))
    if values["change"] and not _CHANGE.match(values["change"]):
        errors.append(err(path, "change", f"'{values['change']}' is not a date or a commit",
                           "use the change's date YYYY-MM-DD (YYYY-MM-DD-2 for the second that day) "
                           "or its commit id (at least 7 hex digits)"))
    elif values["change"] and not _real_date(values["change"]):
        errors.append(err(path, "change", f"'{values['change'][:10]}' is not a date that exists",
                           "use the date of the change page (see `clausewatch log SERVICE/DOCUMENT`)"))
    return errors


def _real_date(change: str) -> bool:
    """False for a change written as a date that does not exist (`2026-02-30`); True otherwise."""
    if re.fullmatch(r"[0-9a-f]{7,40}", change):
        return True
    try:
        date.fromisoformat(change[:10])
    except ValueError:
        return False
    return True


def _place_errors(path: str, values: dict[str, str]) -> list[str]:
    """The file must sit in commentary/<service>/<document>/ and be named after its change's date."""
    parts = Path(path).parts
    errors = []
    if len(parts) != 4 or parts[0] != "commentary":
        folder = f"commentary/{values['service'] or 'SERVICE'}/{values['document'] or 'DOCUMENT'}/"
        return [err(path, "path", "is not in commentary/<service>/<document>/", f"move it to {folder}")]
    for index, key in ((1, "service"), (2, "document")):
        if values[key] and parts[index] != values[key]:
            errors.append(err(path, key, f"'{values[key]}' does not match the folder '{parts[index]}'",
                               f"move the file to commentary/{values['service']}/{values['document']}/ "
                               f"or correct `{key}`"))
        elif values[key] and not is_slug(values[key]):
            errors.append(err(path, key, f"'{values[key]}' is not an id", "use the id from services/*.yml"))
    name = _FILENAME.match(parts[3])
    if not name:
        errors.append(err(path, "path", f"file name '{parts[3]}' is not YYYY-MM-DD[-slug].md",
                           "rename it after the change's date, e.g. 2026-03-01-ai-training.md"))
    elif _CHANGE.match(values["change"] or "") and values["change"][:10] != name.group(1) \
            and not re.fullmatch(r"[0-9a-f]{7,40}", values["change"]):
        errors.append(err(path, "change", f"'{values['change']}' does not match the file's date "
                           f"'{name.group(1)}'", "name the file after the change's date, or fix `change`"))
    return errors


def load_commentary(workspace: Workspace) -> tuple[list[Commentary], list[str]]:
    """Every valid commentary file of the workspace (sorted by path), and the errors of the others."""
    root = workspace.commentary
    if not root.is_dir():
        return [], []
    found: list[Commentary] = []
    errors: list[str] = []
    for file in sorted(root.rglob("*")):
        rel = file.relative_to(workspace.root).as_posix()
        if file.is_dir() and not file.is_symlink():
            continue
        if (file.parent == root and file.name in IGNORED_FILES) or file.name.startswith("."):
            continue
        problem = _file_problem(file, root)
        if problem:
            errors.append(err(rel, "file", problem[0], problem[1]))
            continue
        item, item_errors = parse_commentary(rel, file.read_text(encoding="utf-8", errors="replace"))
        errors += item_errors
        if item:
            found.append(item)
    return found, errors


def _file_problem(file: Path, root: Path) -> tuple[str, str] | None:
    if file.is_symlink() or root.resolve() not in file.resolve().parents:
        return "is a symbolic link (or inside one)", "commit the file itself inside commentary/"
    if file.suffix != ".md":
        return "is not a .md file", "commentary files are Markdown: rename it to YYYY-MM-DD[-slug].md"
    if file.stat().st_size > MAX_BYTES:
        return f"is larger than {MAX_BYTES} bytes", "shorten it, or split it into several commentaries"
    return None


