"""Ids for services and documents: lowercase ASCII slugs, safe in paths, URLs and anchors."""

from __future__ import annotations

import re
import unicodedata

from clausewatch.errors import ConfigError

RESERVED = frozenset(
    {"about", "assets", "commentary", "data", "feeds", "pagefind", "search", "status", "topics", "stylesheets"}
)
"""Top-level site folders: a service may not take these ids."""

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slugify(name: str) -> str:
    """`Terms of Service` → `terms-of-service`; `Zoom.json` stems are passed without the suffix.

    Accents are folded (`Société Générale` → `societe-generale`); anything else becomes a hyphen.
    """
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    return slug or "untitled"


def is_slug(value: str) -> bool:
    """True for a valid id (`terms-of-service`), False for `Terms`, `a--b`, `../x` or ``."""
    return bool(_SLUG.match(value))


def parse_key(key: str, *, example: str = "clausewatch log acme/terms-of-service") -> tuple[str, str]:
    """`service/document` → its two slugs; anything else (paths, `..`, capitals) is a ConfigError."""
    service, sep, document = key.strip().strip("/").partition("/")
    if not sep or not (is_slug(service) and is_slug(document)):
        raise ConfigError(
            f"'{key}' is not a SERVICE/DOCUMENT key (two ids such as acme/terms-of-service)",
            fix=f"write it as SERVICE/DOCUMENT, e.g. `{example}`",
        )
    return service, document
