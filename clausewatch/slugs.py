"""Ids for services and documents: lowercase ASCII slugs, safe in paths, URLs and anchors.

An id is at most `MAX_ID_BYTES` bytes. A document's longest path is its raw snapshot in the archive,
`archive/_snapshots/<service>/<document>/<64 hex>.gz` (89 bytes besides the two ids), and its
longest file name in the site and the caches is `<document>.files.json`: with 80-byte ids every name
stays under 100 bytes (eCryptfs, the tightest common file system, allows 143; most allow 255) and
every path inside a workspace under 260 bytes (Windows' classic limit, for a checkout there), far
under Linux's 4,096. Real ids are short: the longest of Open Terms Archive's 865 documents is 42.

Ids made from names (Open Terms Archive's `Zoom.json`, `Zoom/Terms of Service.md`) come from
`name_id`: two different names never get one id unless they differ only in case, accents or
punctuation, and an id never outgrows the limit.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from clausewatch.errors import ConfigError

MAX_ID_BYTES = 80
"""The longest id, in bytes (ids are ASCII: as many characters); see the module docstring."""

RESERVED = frozenset({
    # pages and folders the generator writes at the top of docs/ (site/generate.py, topic_pages.py,
    # status_page.py, commentary_pages.py, feeds.py, data_api.py)
    "index", "methodology", "status", "commentary", "topics", "feeds", "data",
    # hand-written pages of the skeleton (site/skeleton/docs/) and of this repository's docs/
    "about", "permalinks", "tracking", "declarations", "scaling",
    # the theme's and MkDocs' own outputs (site/theme/, Material, MkDocs' 404 page and sitemap)
    "assets", "stylesheets", "javascripts", "search", "404", "sitemap",
    # the search index and the build's bookkeeping (site/search_index.py, site/publish.py)
    "pagefind", "pagefind-recent", "search-bundles", "clausewatch-site",
})
"""Top-level names the site uses: a service may not take these ids (its pages would replace the site's,
or be replaced). `tests/test_ids.py` builds a site and checks that every top-level name it has is here."""

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


def id_problem(value: str) -> str | None:
    """Why `value` cannot be a service or document id (not a slug, longer than `MAX_ID_BYTES`), or None."""
    shown = value if len(value) <= 60 else value[:59] + "…"
    if not is_slug(value):
        return f"'{shown}' is not an id (lowercase a-z, 0-9, single hyphens)"
    if len(value.encode("utf-8")) > MAX_ID_BYTES:
        return (f"'{shown}' is {len(value.encode('utf-8'))} bytes long, over the limit of {MAX_ID_BYTES} "
                "(ids become file and folder names: longer ones do not fit every file system)")
    return None


def is_id(value: str) -> bool:
    """True for a valid service or document id: a slug of at most `MAX_ID_BYTES` bytes."""
    return id_problem(value) is None


def name_id(name: str) -> str:
    """The id of a service or document known by its name: its slug (`Terms of Service` →
    `terms-of-service`) when the slug stands for the name; else, when letters or digits of the name do
    not survive the ASCII folding (`日本`, `Straße`) or the slug is longer than `MAX_ID_BYTES`, the slug
    cut short with a stable hash of the name (`untitled-1f2e3d4c`). Two names that differ in more than
    case, accents and punctuation so never share an id; `claim_id` separates those that do."""
    slug = slugify(name)
    lossy = any(ch.isalnum() and not ch.isascii() for ch in unicodedata.normalize("NFKD", name))
    if not lossy and len(slug) <= MAX_ID_BYTES:
        return slug
    return _hashed(slug, name)


def fold_name(name: str) -> str:
    """What two names must share to be one service or document: NFKC, case folded, spaces collapsed
    (OTA's `Tp-link` and `TP-Link` are one; `AT&T` and `AT-T` are not)."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def claim_id(owners: dict[str, str], wanted: str, name: str) -> str:
    """`wanted` for `name` unless another name (`fold_name`) already took it in `owners` (id → folded
    name, updated here): then a distinct id, stable for that name (its hash)."""
    folded = fold_name(name)
    if owners.setdefault(wanted, folded) == folded:
        return wanted
    distinct = _hashed(wanted, name)
    owners.setdefault(distinct, folded)
    return distinct


def _hashed(slug: str, name: str) -> str:
    digest = hashlib.sha256(unicodedata.normalize("NFC", name).casefold().encode("utf-8")).hexdigest()[:8]
    return f"{slug[: MAX_ID_BYTES - 9].rstrip('-')}-{digest}"


def parse_key(key: str, *, example: str = "clausewatch log acme/terms-of-service") -> tuple[str, str]:
    """`service/document` → its two slugs; anything else (paths, `..`, capitals) is a ConfigError."""
    service, sep, document = key.strip().strip("/").partition("/")
    if not sep or not (is_id(service) and is_id(document)):
        raise ConfigError(
            f"'{key}' is not a SERVICE/DOCUMENT key (two ids such as acme/terms-of-service)",
            fix=f"write it as SERVICE/DOCUMENT, e.g. `{example}`",
        )
    return service, document
