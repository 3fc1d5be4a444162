"""Open Terms Archive's built-in filters, applied here to the extracted Markdown (pure).

OTA runs filters on the page before extraction; the one built-in filter, `removeQueryParams`, only
rewrites the URLs of links and images, so applying it to the URLs of the extracted Markdown gives the
same text. Declared as:

- `"removeQueryParams"` (no parameters): well-known tracking parameters are removed (`utm_*`, `fbclid`,
  `gclid`, session ids…: the list of `clausewatch.diff.normalize`, which the tracker strips anyway);
- `{"removeQueryParams": ["lang", "version"]}`: exactly those parameters are removed (names compared as
  written, like the browser's `URLSearchParams.delete`).

A filter arrives as canonical JSON text (`Source.filters`, see `clausewatch.scraper.ota_declarations`).
JavaScript filters (`<Service>.filters.js`) never reach this module: they cannot run here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from urllib.parse import unquote_plus

from clausewatch.diff.normalize import TRACKING_PARAMS, TRACKING_PREFIXES

_URL = re.compile(r"https?://[^\s<>()\[\]\"'`]+", re.IGNORECASE)


def apply_filters(markdown: str, filters: Iterable[str]) -> str:
    """`markdown` with every built-in filter of `filters` applied, in order."""
    for spec in filters:
        for name, params in json.loads(spec).items():
            if name == "removeQueryParams":
                markdown = remove_query_params(markdown, frozenset(params) if params else None)
    return markdown


def remove_query_params(markdown: str, names: frozenset[str] | None = None) -> str:
    """Every http(s) URL of `markdown` without the query parameters `names` (None: tracking parameters).
    The parameters kept are left exactly as written; a query left empty is dropped with its `?`."""

    def drop(key: str) -> bool:
        if names is not None:
            return key in names
        lowered = key.lower()
        return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)

    def rewrite(match: re.Match[str]) -> str:
        url = match.group(0)
        head, sep, rest = url.partition("?")
        if not sep:
            return url
        query, hash_sign, fragment = rest.partition("#")
        pieces = query.split("&")
        kept = [piece for piece in pieces if not drop(unquote_plus(piece.partition("=")[0]))]
        if len(kept) == len(pieces):
            return url
        return head + ("?" + "&".join(kept) if kept else "") + hash_sign + fragment

    return _URL.sub(rewrite, markdown)
