"""The domain model: plain, frozen values passed between the pipeline stages.

Nothing here does I/O. The scraper produces `Snapshot`s, the archive module turns commits into
`Version`s, the diff core turns two texts into `Clause`s and `ClauseChange`s, the commentary
loader produces `Commentary`, and the site generator renders all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

ChangeKind = Literal["added", "removed", "modified", "moved", "split", "merged"]
"""What happened to one clause between two versions."""

ChangeClass = Literal["substantive", "cosmetic", "links"]
"""How much one clause change matters to a reader (see `clausewatch.diff.classify`)."""

VersionClass = Literal["first", "substantive", "cosmetic", "links", "blink", "variant"]
"""How much one recorded version matters against the one before it (`variant`: the same terms in another
language or for another region, see `clausewatch.diff.history`)."""

ClauseKind = Literal["heading", "section", "paragraph", "item"]


@dataclass(frozen=True, slots=True)
class Source:
    """One page a document is extracted from; a combined document (OTA `combine`) has several."""

    url: str
    select: tuple[str, ...] = ()
    """CSS selectors, or OTA range selectors as canonical JSON text (`{"startBefore": ..., ...}`)."""
    remove: tuple[str, ...] = ()
    executable: bool = False
    filters: tuple[str, ...] = ()
    """OTA built-in filters applied to the extracted text, as canonical JSON text
    (`{"removeQueryParams": null}`, `{"removeQueryParams": ["lang"]}`); see `clausewatch.scraper.ota_filters`."""


@dataclass(frozen=True, slots=True)
class Document:
    """One declared legal document of one service, as read from `services/<service>.yml`."""

    service: str
    """Service id, a slug (`acme`); also the folder name under `archive/`."""
    document: str
    """Document id, a slug (`terms-of-service`)."""
    url: str
    """Where the document is fetched from (http or https)."""
    service_name: str = ""
    """Display name of the service (`Acme Cloud`)."""
    document_name: str = ""
    """Display name of the document (`Terms of Service`)."""
    select: tuple[str, ...] = ()
    """CSS selectors (or OTA range selectors, as JSON text) whose content is the document."""
    remove: tuple[str, ...] = ()
    """CSS selectors removed before extraction (menus, banners)."""
    executable: bool = False
    """True when the page needs scripts: fetched with headless Chromium."""
    expect: tuple[str, ...] = ()
    """Phrases that must be present in the extracted text, or nothing is recorded."""
    source_file: str = ""
    """The declaration file this came from, for error messages."""
    declaration_sha256: str = ""
    """SHA-256 of the declaration as it applies to this document, recorded as provenance."""
    combine: tuple[Source, ...] = ()
    """For a document spread over several pages (OTA `combine`): each page, in order; empty otherwise."""
    robots_ignore_reason: str = ""
    """Non-empty when the declaration says `robots: ignore`: its `reason:` (robots.txt is then skipped)."""
    filters: tuple[str, ...] = ()
    """OTA built-in filters applied to the extracted text (see `Source.filters`)."""
    skipped_filters: tuple[str, ...] = ()
    """Names of the OTA JavaScript filters (`<Service>.filters.js`) declared for it, which cannot run here:
    the document is tracked without them (`clausewatch check` lists them)."""
    declared_at: str = ""
    """Where the document is declared in its file, for messages (`terms.Terms of Service`)."""

    @property
    def sources(self) -> tuple[Source, ...]:
        """The pages to fetch and extract, in order (one, unless the document combines several)."""
        return self.combine or (Source(self.url, self.select, self.remove, self.executable, self.filters),)

    @property
    def key(self) -> str:
        """`service/document`, the id used on the command line and in archive paths."""
        return f"{self.service}/{self.document}"


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One raw HTTP response, the evidence behind a version."""

    url: str
    """The URL that was asked for."""
    final_url: str
    """The URL after redirects."""
    status: int
    fetched_at: datetime
    """UTC, timezone-aware."""
    content: bytes
    content_type: str = ""
    sha256: str = ""
    """SHA-256 of `content`, hex."""
    etag: str = ""
    """The response's `ETag` header, if any (for conditional requests next run)."""
    last_modified: str = ""
    """The response's `Last-Modified` header, if any."""


@dataclass(frozen=True, slots=True)
class Provenance:
    """The evidence recorded with a version, in its commit's trailers."""

    source_url: str
    fetched_at: datetime
    http_status: int
    snapshot_sha256: str
    declaration_sha256: str = ""
    snapshot_path: str = ""
    """Path of the compressed raw snapshot inside the archive repository (may be empty for imports)."""
    imported_from: str = ""
    """For imported history: where it came from (e.g. `OpenTermsArchive/contrib-versions@<sha>`)."""
    imported_snapshots: tuple[str, ...] = ()
    """For imported history: the source's own evidence, the snapshots it extracted the text from (OTA
    snapshot commit URLs, or older `mongo://` references); several for a combined document."""


@dataclass(frozen=True, slots=True)
class Version:
    """One recorded version of one document: one commit of the archive."""

    service: str
    document: str
    commit: str
    """Full hex SHA-1 of the archive commit."""
    observed_at: datetime
    """When the text was observed (UTC); the commit's author date."""
    text: str
    provenance: Provenance
    service_name: str = ""
    document_name: str = ""
    author: str = ""
    """`Name <email>` of the commit's author, and of its committer: who recorded the version (the
    tracker's identity for tracked and imported versions, see `clausewatch.archive.integrity`)."""
    committer: str = ""

    @property
    def key(self) -> str:
        return f"{self.service}/{self.document}"


@dataclass(frozen=True, slots=True)
class Clause:
    """One clause of a document: a heading, numbered section, paragraph or list item."""

    id: str
    """Stable anchor, unique within the document, derived from heading/content (never position)."""
    number: str | None
    """The clause's own number as written (`7.2`, `(a)`, `Article 3`), if any."""
    heading: str | None
    """The clause's heading, if any."""
    text: str
    """The clause's own text (Markdown), without its number."""
    kind: ClauseKind = "paragraph"
    level: int = 0
    """Depth in the clause tree (0 for top level)."""
    parent: str | None = None
    """Id of the enclosing clause, if any."""


@dataclass(frozen=True, slots=True)
class WordOp:
    """One run of a word-level diff inside a modified clause."""

    op: Literal["equal", "insert", "delete"]
    text: str


@dataclass(frozen=True, slots=True)
class ClauseChange:
    """What happened to one clause (or a group, for split/merge) between two versions."""

    kind: ChangeKind
    change_class: ChangeClass
    before: Clause | None
    """The clause in the old version (None when added)."""
    after: Clause | None
    """The clause in the new version (None when removed)."""
    words: tuple[WordOp, ...] = ()
    """Word-level diff of before -> after (modified, moved-and-modified clauses)."""
    renumbered: bool = False
    """True when the clause's number changed."""
    others: tuple[Clause, ...] = ()
    """For `split`: the further new clauses; for `merged`: the further old clauses."""
    topics: tuple[str, ...] = ()
    """Topic ids touched by the words this change adds or removes."""
    parts: tuple[ClauseChange, ...] = ()
    """For a section (a heading and the clauses under it, see `clausewatch.diff.sections`): the changes
    of its clauses, in reading order; `before`/`after` are then the whole section. Empty for one clause."""
    rewritten: bool = False
    """A paired clause that kept less than about half of its words: shown as its old and new text side
    by side, not as interleaved words."""


@dataclass(frozen=True, slots=True)
class DiffSummary:
    substantive: int = 0
    cosmetic: int = 0
    links: int = 0
    renumbered: int = 0
    moved: int = 0
    added: int = 0
    removed: int = 0
    modified: int = 0


@dataclass(frozen=True, slots=True)
class Diff:
    """The clause diff of two versions of one document."""

    changes: tuple[ClauseChange, ...]
    summary: DiffSummary
    before: tuple[Clause, ...] = ()
    after: tuple[Clause, ...] = ()


@dataclass(frozen=True, slots=True)
class Commentary:
    """A contributor's note on one change (and optionally one clause), from `commentary/`."""

    path: str
    """Path relative to the workspace, for error messages and edit links."""
    service: str
    document: str
    change: str
    """The change it explains: a date `YYYY-MM-DD` (optionally `-2`) or a commit SHA prefix."""
    title: str
    authors: tuple[str, ...]
    body: str
    """Markdown, untrusted."""
    clause: str | None = None
    sources: tuple[str, ...] = ()
    status: Literal["draft", "published"] = "published"
    quote: str | None = None
    """Optional words of the clause, used to find it again when its id no longer matches."""
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PublishedChange:
    """One recorded version as the site publishes it: at its permanent path, with its diff.

    The input of the site's extras (feeds, data API, timelines, citations, redirects).
    """

    version: Version
    version_class: VersionClass
    path: str
    """Site-relative permanent path of its change page, e.g. `acme/terms-of-service/2026-03-10/`."""
    diff: Diff | None = None
    """The clause diff against the previous version (None for the first record)."""
    previous: Version | None = None
    topics: tuple[str, ...] = ()
    """Topic ids of the change (those of its clause changes when empty)."""
    headline: str = ""
    """One line saying what the change did: its commentary's title, else its top key change."""
    feed_entry: str = ""
    """Its feed entry's HTML content, rendered with its document (`site.feeds.with_feed_entries`) so that
    the site-wide feeds do not rank its clauses again; '' when not rendered."""
