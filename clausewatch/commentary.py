"""Contributor commentary: files under `commentary/<service>/<document>/<YYYY-MM-DD>[-slug].md`.

Each file is YAML front matter (`service`, `document`, `change`, `title`, `authors`, `sources`,
`status`, and optionally `clause` and `quote`) followed by a Markdown body. Commentary is untrusted
input: it is validated here (`check_commentary`), re-anchored to its clause across renumbering and
moves (`anchor_commentary`), and rendered with raw HTML, attribute lists and critic markup
neutralized (`render_commentary`); the built HTML is sanitized once more by the site build.

`load_commentary` is a loader (reads files); `check_commentary` also reads the archive, through
`clausewatch.archive` only. Everything else is pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml

from clausewatch.errors import ClausewatchError
from clausewatch.models import Clause, Commentary, Version
from clausewatch.slugs import is_slug
from clausewatch.workspace import Workspace

KEYS = ("service", "document", "change", "clause", "title", "authors", "sources", "status", "quote")
REQUIRED = ("service", "document", "change", "title", "authors")
MAX_BYTES = 100_000
QUOTE_CUTOFF = 85.0
"""Minimum rapidfuzz partial-ratio (0-100) for a quote to find its clause again."""
IGNORED_FILES = frozenset({"README.md"})
"""Files directly in commentary/ that are documentation, not commentary."""

_FILENAME = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:-([a-z0-9]+(?:-[a-z0-9]+)*))?\.md$")
_CHANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:-([2-9]|[1-9]\d+))?$|^([0-9a-f]{7,40})$")
_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)(.*)\Z", re.DOTALL)
_FIX_FORMAT = "see CONTRIBUTING.md for the commentary format, or run `clausewatch annotate`"

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


@dataclass(frozen=True, slots=True)
class Anchor:
    """Where a commentary attaches in one version: a clause id, found by `how`."""

    clause_id: str | None
    how: Literal["id", "quote", "lost", "change"]
    """`id`: its clause id exists; `quote`: found by its quoted words; `lost`: its clause is gone;
    `change`: it names no clause (it explains the whole change)."""


def _err(path: str, key: str, problem: str, fix: str) -> str:
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
        return None, [_err(path, "front matter", problem, _FIX_FORMAT)]
    try:
        data = yaml.safe_load(parts[0])
    except yaml.YAMLError as exc:
        problem = f"is not valid YAML ({' '.join(str(exc).split())})"
        return None, [_err(path, "front matter", problem, "correct the YAML between the `---` lines")]
    if not isinstance(data, dict):
        return None, [_err(path, "front matter", "must be a mapping of keys to values", _FIX_FORMAT)]
    errors = _key_errors(path, data)
    values = {key: _text(data.get(key)) for key in KEYS if key not in ("authors", "sources", "status")}
    authors = _list(path, data, "authors", errors)
    sources = _list(path, data, "sources", errors)
    errors += _value_errors(path, values, authors, sources, data.get("status", "published"))
    errors += _place_errors(path, values)
    if not parts[1].strip():
        errors.append(_err(path, "body", "is empty", "write the commentary below the closing `---` line"))
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
        errors.append(_err(path, key, "must be a list of non-empty texts",
                           f"write `{key}:` then one `  - …` line per entry"))
        return []
    return [v.strip() for v in value]


def _key_errors(path: str, data: dict[Any, Any]) -> list[str]:
    errors = []
    for key in sorted(str(k) for k in data if k not in KEYS):
        errors.append(_err(path, key, "unknown key",
                           f"remove it or fix its spelling (allowed: {', '.join(KEYS)})"))
    for key in REQUIRED:
        if key != "authors" and not _text(data.get(key)):
            errors.append(_err(path, key, "missing or empty", f"add `{key}: …` to the front matter"))
    return errors


def _value_errors(path: str, values: dict[str, str], authors: list[str], sources: list[str],
                  status: Any) -> list[str]:
    errors = []
    if not authors:
        errors.append(_err(path, "authors", "missing: commentary must be signed",
                           "add `authors: [Your Name]` (a name or a GitHub handle)"))
    for i, url in enumerate(sources):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url):
            errors.append(_err(path, f"sources[{i}]", f"'{url}' is not an http(s) URL",
                               "give the full address starting with https://"))
    if status not in ("draft", "published"):
        errors.append(_err(path, "status", f"'{status}' is not draft or published",
                           "use `status: draft` or `status: published`"))
    if values["change"] and not _CHANGE.match(values["change"]):
        errors.append(_err(path, "change", f"'{values['change']}' is not a date or a commit",
                           "use the change's date YYYY-MM-DD (YYYY-MM-DD-2 for the second that day) "
                           "or its commit id (at least 7 hex digits)"))
    return errors


def _place_errors(path: str, values: dict[str, str]) -> list[str]:
    """The file must sit in commentary/<service>/<document>/ and be named after its change's date."""
    parts = Path(path).parts
    errors = []
    if len(parts) != 4 or parts[0] != "commentary":
        folder = f"commentary/{values['service'] or 'SERVICE'}/{values['document'] or 'DOCUMENT'}/"
        return [_err(path, "path", "is not in commentary/<service>/<document>/", f"move it to {folder}")]
    for index, key in ((1, "service"), (2, "document")):
        if values[key] and parts[index] != values[key]:
            errors.append(_err(path, key, f"'{values[key]}' does not match the folder '{parts[index]}'",
                               f"move the file to commentary/{values['service']}/{values['document']}/ "
                               f"or correct `{key}`"))
        elif values[key] and not is_slug(values[key]):
            errors.append(_err(path, key, f"'{values[key]}' is not an id", "use the id from services/*.yml"))
    name = _FILENAME.match(parts[3])
    if not name:
        errors.append(_err(path, "path", f"file name '{parts[3]}' is not YYYY-MM-DD[-slug].md",
                           "rename it after the change's date, e.g. 2026-03-01-ai-training.md"))
    elif _CHANGE.match(values["change"] or "") and values["change"][:10] != name.group(1) \
            and not re.fullmatch(r"[0-9a-f]{7,40}", values["change"]):
        errors.append(_err(path, "change", f"'{values['change']}' does not match the file's date "
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
            errors.append(_err(rel, "file", problem[0], problem[1]))
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


def change_slugs(versions: Sequence[Version]) -> list[tuple[str, Version]]:
    """(page name, version) for every version, oldest first, named exactly as the site names its change
    pages (`YYYY-MM-DD`, then `-2`, `-3`… among published changes of a day); '' for versions that get
    no page (cosmetic, link-only, blink)."""
    from clausewatch.history import iter_history
    from clausewatch.site.generate import assign_slugs

    return list(zip(assign_slugs(list(iter_history(versions))), versions, strict=True))


def resolve_change(named: Sequence[tuple[str, Version]], change: str) -> tuple[int, str] | None:
    """Index (oldest first) and page name ('' if it has none) of the version `change` names, or None.

    `named` is `change_slugs(versions)`; `change` is a page name or a commit id prefix (7+ hex digits).
    """
    for index, (slug, version) in enumerate(named):
        if (slug and change == slug) or (len(change) >= 7 and version.commit.startswith(change)):
            return index, slug
    return None


def latest_changes(named: Sequence[tuple[str, Version]], count: int = 5) -> str:
    """The newest page names, for error messages."""
    return ", ".join([slug for slug, _ in named if slug][-count:]) or "none yet"


def clauses_at(versions: Sequence[Version], index: int) -> tuple[tuple[Clause, ...], tuple[Clause, ...]]:
    """(clauses before, clauses after) the change recorded as `versions[index]`."""
    from clausewatch.clauses import split_clauses

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
    from clausewatch.archive import iter_versions, open_archive

    try:
        return list(iter_versions(open_archive(workspace.archive), service, document))
    except ClausewatchError as exc:
        errors.append(_err(path, "change", f"the archive cannot be read ({exc.problem})",
                           exc.fix or "run `clausewatch track` first"))
        return []


def archive_errors(item: Commentary, named: Sequence[tuple[str, Version]]) -> list[str]:
    """Errors of one commentary against its document's history (`change_slugs`): unknown change, a
    change without a page, unknown clause."""
    key = f"{item.service}/{item.document}"
    if not named:
        return [_err(item.path, "document", f"'{key}' has no recorded version in the archive",
                     "check `service` and `document` against `clausewatch log`, or track it first")]
    found = resolve_change(named, item.change)
    if found is None:
        return [_err(item.path, "change", f"no change '{item.change}' of {key}",
                     f"use one of the recorded changes (latest: {latest_changes(named)}); "
                     f"see `clausewatch log {key}`")]
    if not found[1]:
        return [_err(item.path, "change", f"'{item.change}' of {key} is not a substantive change "
                     "(cosmetic, link-only or a revert: it has no change page)",
                     f"explain a substantive change instead (latest: {latest_changes(named)})")]
    if item.clause:
        before, after = clauses_at([v for _, v in named], found[0])
        if item.clause not in {c.id for c in (*before, *after)}:
            close = [c.id for c in after if item.clause[:6] in c.id][:5] or [c.id for c in after][:5]
            return [_err(item.path, "clause", f"no clause '{item.clause}' in change {found[1]} of {key}",
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


def anchor_commentary(commentary: Commentary, before_clauses: Iterable[Clause],
                      after_clauses: Iterable[Clause]) -> Anchor:
    """Find the commentary's clause in a change: by its stable id, else by its quote (or by the words
    its clause had before the change), else report it lost. Clauses after the change come first; a
    clause only in `before_clauses` (removed by the change) is found there."""
    if not commentary.clause:
        return Anchor(None, "change")
    after, before = tuple(after_clauses), tuple(before_clauses)
    if any(c.id == commentary.clause for c in after):
        return Anchor(commentary.clause, "id")
    old = next((c for c in before if c.id == commentary.clause), None)
    for words in (commentary.quote, old and f"{old.heading or ''} {old.text}"):
        found = find_by_quote(words, after) if words else None
        if found:
            return Anchor(found, "quote")
    if old is not None:
        return Anchor(old.id, "id")
    found = find_by_quote(commentary.quote, before) if commentary.quote else None
    return Anchor(found, "quote") if found else Anchor(None, "lost")


def _folded(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def _quote_score(wanted: str, choice: str) -> float:
    """How well `choice` contains `wanted` (0-100): partial ratio when the clause is at least as long
    as the quote, else plain ratio (a short heading must not "contain" a long quote)."""
    from rapidfuzz import fuzz

    return fuzz.partial_ratio(wanted, choice) if len(choice) >= len(wanted) else fuzz.ratio(wanted, choice)


def find_by_quote(quote: str, clauses: Sequence[Clause], cutoff: float = QUOTE_CUTOFF) -> str | None:
    """Id of the clause whose words contain `quote` best (first of equals), if it scores `cutoff` or more."""
    wanted = _folded(quote)
    best_id, best_score = None, cutoff
    for clause in clauses if wanted else ():
        score = _quote_score(wanted, _folded(f"{clause.heading or ''} {clause.text}"))
        if score > best_score or (score == best_score and best_id is None):
            best_id, best_score = clause.id, score
    return best_id


_LINK_DEST = re.compile(r"\]\(\s*([^\s)]*)")
_REF_DEF = re.compile(r"^( {0,3}\[[^\]\n]+\]):[ \t]*(\S*)", re.MULTILINE)
_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
_SETEXT = re.compile(r"^( {0,3})([=-])(?=[ \t]*[=-]*[ \t]*$)", re.MULTILINE)
_SAFE_SCHEMES = ("http://", "https://", "mailto:")
_ANCHOR_NOTES = {
    "quote": "This commentary was written for clause {clause}; the clause was found again by its words.",
    "lost": "This commentary refers to clause {clause}, which could not be found in this version "
            "(it may have been removed or rewritten); it is shown here so that it is not lost.",
}


def _safe_url(url: str) -> bool:
    return url.lower().startswith(_SAFE_SCHEMES)


def safe_markdown(body: str) -> str:
    """Untrusted Markdown with everything but plain Markdown neutralized: raw HTML, entities, attribute
    lists, critic and snippet markup, images, headings (they would take clause anchors), and links whose
    target is not http(s) or mailto are all shown as text."""
    text = body.replace("&", "&amp;").replace("<", "&lt;").replace("{", "&#123;").replace("}", "&#125;")
    text = text.replace("![", "&#33;[")
    text = _LINK_DEST.sub(lambda m: m.group(0) if _safe_url(m.group(1)) else "]&#40;" + m.group(0)[2:], text)
    text = _REF_DEF.sub(
        lambda m: m.group(0) if _safe_url(m.group(2)) else f"{m.group(1)}&#58; {m.group(2)}", text)
    text = _SETEXT.sub(lambda m: f"{m.group(1)}&#{ord(m.group(2))};", text)
    return _HEADING.sub(lambda m: f"**{m.group(1)}**", text)


def _quoted_url(url: str) -> str:
    from urllib.parse import quote

    return quote(url, safe=":/?#@!$&'*+,;=%~-._[]")


def render_commentary(commentary: Commentary, anchor: Anchor) -> str:
    """A `!!! commentary "Title"` admonition (Markdown): byline, sources, anchor note, safe body."""
    from clausewatch.render_diff import escape_strict, escape_untrusted

    byline = "Commentary by " + ", ".join(escape_untrusted(a) for a in commentary.authors)
    if commentary.status == "draft":
        byline += " (draft)"
    lines = [f"*{byline}*", ""]
    note = _ANCHOR_NOTES.get(anchor.how)
    if note:
        lines += [f"*{note.format(clause=escape_untrusted(commentary.clause or ''))}*", ""]
    lines += safe_markdown(commentary.body).strip("\n").splitlines()
    if commentary.sources:
        links = ", ".join(f"[{i}]({_quoted_url(url)})" for i, url in enumerate(commentary.sources, 1)
                          if _safe_url(url))
        lines += ["", f"Sources: {links}"]
    indented = "\n".join(f"    {line}" if line.strip() else "" for line in lines)
    kind = "commentary lost" if anchor.how == "lost" else "commentary"
    return f'!!! {kind} "{escape_strict(commentary.title)}"\n\n{indented}\n'


def place_commentary(
    commentaries: Iterable[Commentary], change: str, commit: str,
    before: Sequence[Clause], after: Sequence[Clause], *, drafts: bool = False,
) -> tuple[dict[str, list[str]], list[str]]:
    """Rendered commentary of one change page (`change`: its `YYYY-MM-DD[-N]` name, `commit`: its id):
    ({clause id: admonitions next to that clause}, [admonitions for the whole change or lost])."""
    by_clause: dict[str, list[str]] = {}
    unanchored: list[str] = []
    for item in commentaries:
        named = item.change == change or (len(item.change) >= 7 and commit.startswith(item.change))
        if not named or (item.status == "draft" and not drafts):
            continue
        anchor = anchor_commentary(item, before, after)
        rendered = render_commentary(item, anchor)
        if anchor.clause_id:
            by_clause.setdefault(anchor.clause_id, []).append(rendered)
        else:
            unanchored.append(rendered)
    return by_clause, unanchored
