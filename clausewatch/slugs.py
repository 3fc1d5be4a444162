"""Ids for services and documents: lowercase ASCII slugs, safe in paths, URLs and anchors."""

from __future__ import annotations

import re
import unicodedata

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
