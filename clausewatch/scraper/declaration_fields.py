"""The checks both declaration formats share (ours in YAML, Open Terms Archive's in JSON): URLs, booleans,
phrases, CSS and range selectors, unknown keys, and the declaration's hash.

Each check adds every problem it finds to an `Errors` list as `file: key: problem — fix` and returns the
usable value (or an empty one), so a file is read to its end and all its problems come out at once.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import urlsplit

import soupsieve

from clausewatch.safe_load import clip

RANGE_STARTS = ("startBefore", "startAfter")
RANGE_ENDS = ("endBefore", "endAfter")


class Errors(list[str]):
    """The problems found so far, each `file: key: problem — fix`."""

    def add(self, file: str, key: str, problem: str, fix: str) -> None:
        # clipped: a hostile value quoted in a problem (`got [...]`) cannot make the message huge
        self.append(f"{clip(file, 300)}: {clip(key, 200)}: {clip(problem, 400)} — {fix}")


def declaration_sha256(decl: dict[str, Any]) -> str:
    """SHA-256 of one document's declaration as canonical JSON (sorted keys, no spaces, UTF-8)."""
    canonical = json.dumps(decl, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def check_unknown(data: dict[str, Any], allowed: frozenset[str], rel: str, where: str, errors: Errors) -> None:
    for key in data:
        if key not in allowed:
            errors.add(rel, f"{where}.{key}" if where else str(key), "unknown key",
                       f"remove it or use one of: {', '.join(sorted(allowed))}")


def check_url(value: Any, rel: str, where: str, errors: Errors) -> str:
    if not isinstance(value, str) or not value.strip():
        errors.add(rel, where, "is missing", "give the document's http(s) URL")
        return ""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        errors.add(rel, where, f"'{value}' is not an http(s) URL", "use a full URL such as https://example.com/terms")
        return ""
    return value.strip()


def check_bool(value: Any, rel: str, where: str, errors: Errors) -> bool:
    if not isinstance(value, bool):
        errors.add(rel, where, f"must be true or false, got {value!r}", "write true or false")
        return False
    return value


def parse_phrases(value: Any, rel: str, where: str, errors: Errors) -> tuple[str, ...]:
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
        errors.add(rel, where, "must be a phrase or a list of non-empty phrases", 'write expect: ["Acme"]')
        return ()
    return tuple(i.strip() for i in items)


def parse_selectors(value: Any, rel: str, where: str, errors: Errors) -> tuple[str, ...]:
    """CSS strings and range selectors (as canonical JSON text) from a string, a range or a list."""
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    found = []
    for index, item in enumerate(items):
        at = f"{where}[{index}]" if isinstance(value, list) else where
        if isinstance(item, str):
            if check_css(item, rel, at, errors):
                found.append(item.strip())
        elif isinstance(item, dict):
            if check_range(item, rel, at, errors):
                found.append(json.dumps(item, sort_keys=True, ensure_ascii=False))
        else:
            errors.add(rel, at, f"must be a CSS selector or a range, got {type(item).__name__}",
                       'write a CSS string such as "main", or {"startBefore": css, "endBefore": css}')
    return tuple(found)


def check_css(selector: str, rel: str, where: str, errors: Errors) -> bool:
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


def check_range(item: dict[str, Any], rel: str, where: str, errors: Errors) -> bool:
    before = len(errors)
    check_unknown(item, frozenset(RANGE_STARTS + RANGE_ENDS), rel, where, errors)
    for group, label in ((RANGE_STARTS, "start"), (RANGE_ENDS, "end")):
        keys = [k for k in group if k in item]
        if len(keys) != 1:
            errors.add(rel, where, f"a range needs exactly one {label} key ({' or '.join(group)})",
                       'write {"startBefore": css, "endBefore": css}')
        for key in keys:
            if not isinstance(item[key], str):
                errors.add(rel, f"{where}.{key}", "must be a CSS selector string", "write a CSS string")
            else:
                check_css(item[key], rel, f"{where}.{key}", errors)
    return len(errors) == before
