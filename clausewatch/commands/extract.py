"""`clausewatch extract`: the Markdown the tracker would record from a saved page or a URL."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from clausewatch.errors import ExtractError
from clausewatch.scraper.extract import Selector, extract_page
from clausewatch.scraper.fetch import fetch


def extract_source(
    source: str,
    *,
    select: Sequence[Selector] = (),
    remove: Sequence[Selector] = (),
    base_url: str | None = None,
    allow_private: bool = False,
) -> str:
    """`extract_markdown` of a local file or of a URL fetched with the tracker's fetcher (for the CLI);
    a PDF gives its text, as the tracker records it (`extract_page`)."""
    if urlsplit(source).scheme in ("http", "https"):
        snapshot = fetch(source, allow_private=allow_private)
        return extract_page(snapshot.content, select=select, remove=remove,
                                base_url=base_url or snapshot.final_url, content_type=snapshot.content_type)
    path = Path(source)
    if not path.is_file():
        raise ExtractError(f"'{source}' is neither an http(s) URL nor an existing file", reason="source",
                           fix="give the path of a saved HTML page or a full http(s) URL")
    return extract_page(path.read_bytes(), select=select, remove=remove,
                        base_url=base_url or path.resolve().as_uri())
