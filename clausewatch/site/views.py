"""The site's own values: what pages show of documents and changes, and what the cache stores.

Frozen dataclasses built from the domain (`clausewatch.models`) by the generator and read by the page
templates. The generator's cache (`site/cache.py`) decodes exactly these classes and the domain's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from clausewatch.models import PublishedChange

Files = dict[str, str | bytes]
"""Generated files: `{path relative to docs/: content}`."""


@dataclass(frozen=True, slots=True)
class ChangeRef:
    """One published change (a first record or a substantive change): what index pages show of it."""

    service: str
    document: str
    service_name: str
    document_name: str
    slug: str
    """The change's folder: `YYYY-MM-DD`, `YYYY-MM-DD-2`, ..."""
    observed_at: str
    """ISO-8601 UTC with seconds."""
    version_class: str
    summary: str
    topics: tuple[str, ...]
    commit: str
    headline: str = ""
    """What the change did, in one line (its commentary's title, else its top key change)."""

    @property
    def page(self) -> str:
        """The change page's Markdown path under docs/."""
        return f"{self.service}/{self.document}/{self.slug}/index.md"

    @property
    def path(self) -> str:
        """The change's permanent site path, e.g. `acme/terms-of-service/2026-03-10/`."""
        return f"{self.service}/{self.document}/{self.slug}/"


@dataclass(frozen=True, slots=True)
class TimelineRow:
    """One recorded version in a document's timeline."""

    observed_at: str
    version_class: str
    summary: str
    commit: str
    slug: str = ""
    """Its change page's folder, '' when it has none (non-substantive recordings)."""
    topics: tuple[str, ...] = ()
    text_at: str = ""
    """Where its whole text is: its as-of page (docs/ path), its archived file (URL), or ''."""


@dataclass(frozen=True, slots=True)
class DocumentSummary:
    """What the home, service and topic pages need to know about one document."""

    service: str
    document: str
    service_name: str
    document_name: str
    source_url: str
    versions: int
    last_observed: str
    changes: tuple[ChangeRef, ...]
    """Published changes, oldest first."""
    imported_from: tuple[str, ...] = ()
    """Sources some of its versions were imported from (`owner/repo`), for attribution."""


@dataclass(frozen=True, slots=True)
class ChangeContext:
    """Everything a change page shows besides its diff."""

    ref: ChangeRef
    previous: ChangeRef | None
    following: ChangeRef | None
    source_url: str
    snapshot_sha256: str
    previous_commit: str
    imported_from: str = ""
    """`owner/repo@commit` when the version was imported from another archive."""


@dataclass(frozen=True, slots=True)
class TopicHit:
    """One clause change of a document touching one topic, with its highlighted words: `change` is the
    index of that change in the document's published changes (so it is cached with the document)."""

    topic_id: str
    change: int
    clause_id: str
    kind: str
    side: str
    excerpt: str


@dataclass(frozen=True, slots=True)
class SaysToday:
    """A clause of a document's current text matching a topic: this document's share of "who says it
    today" (the topic pages, the service page, the data API), cached with the document."""

    topic_id: str
    clause_id: str
    """Its id (anchor) in the current text on the document page."""
    excerpt: str
    """Safe Markdown: the clause around its matched words, those in `<mark>`."""
    since: str
    """YYYY-MM-DD: since when this clause says it (its wording matched the topic in every version since)."""
    first_seen: str
    """YYYY-MM-DD: when the clause was first recorded."""
    history: str
    """Site path of its history: its clause page, or its first record's page with `#anchor`."""
    others: int = 0
    """Further clauses of the current text on this topic (not listed)."""


@dataclass(frozen=True, slots=True)
class DocumentOutput:
    """Everything generated from one document's history: cached as a whole."""

    key: str
    cache_key: str
    files: Files
    summary: DocumentSummary
    changes: tuple[PublishedChange, ...]
    """Every version as published (texts left out, to bound memory): input of site-wide extras."""
    topic_hits: tuple[TopicHit, ...] = ()
    """This document's share of the topic pages (cached, so a rebuild re-matches only changed documents)."""
    says_today: tuple[SaysToday, ...] = ()
    """Its current text's clause on each topic it touches (one per topic: the longest-standing)."""
    hashes: dict[str, str] = field(default_factory=dict)
    """Path → content hash of every file in `files`: what a rebuild checks on disk instead of loading
    them (`files` then holds only the current text, which the site-wide dataset needs)."""


@dataclass(frozen=True, slots=True)
class GeneratedSite:
    files: Files
    documents: tuple[DocumentOutput, ...]
    regenerated: tuple[str, ...]
    """Keys of the documents whose pages were rendered (not taken from the cache)."""
    kept: Mapping[str, str] = field(default_factory=dict)
    """Generated files left on disk as they are (path → content hash): unchanged documents' pages,
    not loaded by a `lazy` render (pass them to `write_pages(..., kept=...)`)."""
    warnings: tuple[str, ...] = ()
    """What was left out and why (an archive file whose id cannot be a site path)."""


CACHED_CLASSES = (ChangeRef, DocumentSummary, TopicHit, SaysToday, DocumentOutput)
"""The site classes the cache may decode (besides the domain's)."""
