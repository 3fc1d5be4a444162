"""The site generator: the archive (and commentary) in, `{path under docs/: content}` out.

`generate_site(workspace)` is a list of steps:

1. read the archive's log ONCE (`iter_log`: every commit with its blob id) and group it by document;
2. for each document, reuse its cached output when nothing it depends on changed (its commits and
   blobs, its commentary, the site config, the generator's code), else read its blobs through one
   `BlobReader`, run `iter_history`, and render its pages (`generate_document`) — per-document files
   of the site extras belong there too, so they are cached with the pages;
3. render the site-wide pages from the documents' summaries (`site_files`): home and service pages;
   then topic pages, methodology and commentary index (`commentary_and_topic_files`) and the site-wide
   extras (feeds, data API), which take the `PublishedChange`s.

Nothing runs inside MkDocs: the output is plain Markdown with front matter, written by `write.py`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from clausewatch.archive import (
    Archive,
    BlobReader,
    LogEntry,
    iso_utc,
    iter_log,
    open_archive,
    split_path,
    to_version,
)
from clausewatch.errors import BuildError
from clausewatch.history import HistoryEntry, describe_entry, iter_history
from clausewatch.models import Clause, Commentary, Diff, PublishedChange, Version
from clausewatch.scraper.quarantine import status_page_files
from clausewatch.site import pages
from clausewatch.site.asof import as_of_files
from clausewatch.site.cite import change_citation_block
from clausewatch.site.incremental import DocumentJob, code_fingerprint, document_cache_key, iter_generated
from clausewatch.site.pages import ChangeContext, ChangeRef, DocumentSummary, TimelineRow
from clausewatch.site.topic_pages import TopicHit, document_topic_hits, iter_hit_changes
from clausewatch.site.data_api import current_text_path
from clausewatch.site.write import (
    content_hash,
    intact_files,
    prune_cache,
    read_cache_entry,
    Manifest,
    read_manifest_state,
    write_cache_entry,
)
from clausewatch.slugs import RESERVED, is_slug
from clausewatch.topics import Topic, load_topics, tag_diff
from clausewatch.workspace import Workspace, read_site_config

PUBLISHED = ("first", "substantive")
"""Version classes that get a change page at a permanent URL."""

Files = dict[str, str | bytes]


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


def generate_site(workspace: Workspace) -> Files:
    """Every generated page and file: `{path relative to docs/: content}`."""
    return render_site(workspace).files


def render_site(workspace: Workspace, *, jobs: int | None = None, lazy: bool = False) -> GeneratedSite:
    """The generated site, with which documents had to be regenerated (the rest came from the cache).

    `jobs`: processes for regenerating documents (default: one per CPU when there is enough work).
    `lazy`: the pages of a cached document that are on disk as last written are not loaded, only
    named in `GeneratedSite.kept` (a rebuild after one new version then reads a few MB, not the GB
    of every document's pages).
    """
    archive = open_archive(workspace.archive)
    config = read_site_config(workspace)
    logs = group_log(archive, iter_log(archive))
    commentary = load_document_commentary(workspace)
    fingerprint = code_fingerprint(config)
    cache_dir = workspace.state / "cache" / "site"
    on_disk = read_manifest_state(workspace.docs.resolve()) if lazy else None
    done: dict[str, DocumentOutput] = {}
    kept: dict[str, str] = {}
    todo: list[DocumentJob] = []
    for key, entries in logs.items():
        notes = commentary.get(key, ())
        cache_key = document_cache_key(fingerprint, entries, notes)
        cached = read_cached_output(cache_dir, key, cache_key, workspace.docs if lazy else None, on_disk)
        if cached is None:
            todo.append(DocumentJob(key, tuple(entries), notes, cache_key))
            continue
        done[key], intact = cached
        if intact:
            kept.update(done[key].hashes)
    for output in iter_generated(archive, todo, config, partial(generate_and_cache, cache_dir), jobs=jobs):
        done[output.key] = output
    prune_cache(cache_dir, {name for key in logs for name in (f"{key}.json", f"{key}.files.json")})
    outputs = [done[key] for key in logs]
    files: Files = {}
    for output in outputs:
        files.update(output.files)
    for path in kept:
        files.pop(path, None)  # a kept document's current text: on disk already
    files.update(site_files(outputs, config))
    files.update(commentary_and_topic_files(outputs, commentary, files))
    files.update(site_extra_files(outputs, config, files))
    files.update(status_page_files(workspace))  # failing and held documents (scraper/quarantine.py)
    regenerated = tuple(job.key for job in todo)
    return GeneratedSite(files=files, documents=tuple(outputs), regenerated=regenerated,
                         kept={path: digest for path, digest in kept.items() if path not in files})


def read_cached_output(cache_dir: Path, key: str, cache_key: str, docs_dir: Path | None,
                       on_disk: Manifest | None) -> tuple[DocumentOutput, bool] | None:
    """A document's cached output, None when absent or stale, and whether its pages were left unread:
    they are loaded unless `docs_dir` is given and holds them as last written (then `files` has only
    the current text)."""
    output = read_cache_entry(cache_dir / f"{key}.json", cache_key)
    if not isinstance(output, DocumentOutput):
        return None
    if docs_dir is not None and intact_files(docs_dir, output.hashes, on_disk):
        return output, True
    files = read_cache_entry(cache_dir / f"{key}.files.json", cache_key)
    return (replace(output, files=files), False) if isinstance(files, dict) else None


def generate_job(
    archive: Archive, reader: BlobReader, job: DocumentJob, config: Mapping[str, object]
) -> DocumentOutput:
    """Read one document's versions and generate its output."""
    versions = [to_version(archive, e, _text(reader.read(e.blob), e)) for e in job.entries]
    return generate_document(job.key, versions, job.notes, cache_key=job.cache_key, config=config)


def generate_and_cache(
    cache_dir: Path, archive: Archive, reader: BlobReader, job: DocumentJob, config: Mapping[str, object]
) -> DocumentOutput:
    """`generate_job`, its output also stored in the cache: in the worker process, so that the main
    process (collecting the outputs) does not JSON-encode them while the workers need the CPUs. The
    pages go to `<key>.files.json`, the rest (and the current text) to `<key>.json`."""
    output = generate_job(archive, reader, job, config)
    hashes = {path: content_hash(content) for path, content in sorted(output.files.items())}
    text_path = current_text_path(job.key)
    light = {text_path: output.files[text_path]} if text_path in output.files else {}
    write_cache_entry(cache_dir / f"{job.key}.files.json", job.cache_key, output.files)
    write_cache_entry(cache_dir / f"{job.key}.json", job.cache_key, replace(output, files=light, hashes=hashes))
    return replace(output, hashes=hashes)


def _text(data: bytes, entry: LogEntry) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BuildError(
            f"archive file '{entry.path}' at commit {entry.commit[:12]} is not UTF-8 ({exc})",
            fix="record the document again with `clausewatch track` (the recorder always writes UTF-8)",
        ) from exc


def group_log(archive: Archive, entries: Iterable[LogEntry]) -> dict[str, list[LogEntry]]:
    """Log entries by document key (`service/document`), sorted by key, each list oldest first."""
    grouped: dict[str, list[LogEntry]] = {}
    for entry in entries:
        service, document = split_path(archive, entry.path)
        if not (is_slug(service) and is_slug(document)) or service in RESERVED:
            raise BuildError(
                f"archive file '{entry.path}' has an id that cannot be a site path "
                f"(ids are lowercase slugs, and a service may not be one of {', '.join(sorted(RESERVED))})",
                fix="rename the file in the archive to a slug (see `clausewatch.slugs.slugify`)",
            )
        grouped.setdefault(f"{service}/{document}", []).append(entry)
    return dict(sorted(grouped.items()))


def load_document_commentary(workspace: Workspace) -> dict[str, tuple[Commentary, ...]]:
    """The commentary files by document key; BuildError listing every problem if any is malformed."""
    from clausewatch.commentary import load_commentary

    items, errors = load_commentary(workspace)
    if errors:
        raise BuildError(
            f"{len(errors)} problem(s) in commentary files:\n" + "\n".join(errors),
            fix="correct the files named above (`clausewatch check` lists the same problems)",
        )
    grouped: dict[str, list[Commentary]] = {}
    for item in sorted(items, key=lambda c: c.path):
        grouped.setdefault(f"{item.service}/{item.document}", []).append(item)
    return {key: tuple(group) for key, group in grouped.items()}


def assign_slugs(history: Sequence[HistoryEntry]) -> list[str]:
    """The change-page folder of each entry ('' if unpublished): `YYYY-MM-DD`, then `-2`, `-3`, ...

    Assigned oldest first and classification only looks backwards, so a slug never changes as
    history grows.
    """
    per_day: dict[str, int] = {}
    slugs = []
    for entry in history:
        if entry.version_class not in PUBLISHED:
            slugs.append("")
            continue
        day = iso_utc(entry.version.observed_at)[:10]
        per_day[day] = per_day.get(day, 0) + 1
        slugs.append(day if per_day[day] == 1 else f"{day}-{per_day[day]}")
    return slugs


def entry_topics(diff: Diff | None) -> tuple[str, ...]:
    """Topic ids of a diff's substantive clause changes, first occurrence first."""
    if diff is None:
        return ()
    found = [t for c in diff.changes if c.change_class == "substantive" for t in c.topics]
    return tuple(dict.fromkeys(found))


def generate_document(
    key: str, versions: Sequence[Version], notes: Sequence[Commentary], *, cache_key: str = "",
    config: Mapping[str, object] | None = None,
) -> DocumentOutput:
    """One document's pages (its page and its change pages) from its versions, oldest first."""
    from clausewatch.clauses import split_clauses

    topics = load_topics()

    history = [_tagged(entry, topics) for entry in iter_history(versions)]
    slugs = assign_slugs(history)
    latest = history[-1].version
    refs = [_change_ref(entry, slug) for entry, slug in zip(history, slugs, strict=True) if slug]
    summary = DocumentSummary(
        service=latest.service,
        document=latest.document,
        service_name=latest.service_name,
        document_name=latest.document_name,
        source_url=latest.provenance.source_url,
        versions=len(history),
        last_observed=iso_utc(latest.observed_at),
        changes=tuple(refs),
        imported_from=tuple(sorted({
            v.provenance.imported_from.partition("@")[0] for v in versions if v.provenance.imported_from
        })),
    )
    timeline = [_timeline_row(entry, slug) for entry, slug in zip(history, slugs, strict=True)]
    files: Files = {f"{key}/index.md": pages.document_page(summary, timeline, split_clauses(latest.text))}
    published = [(entry, slug) for entry, slug in zip(history, slugs, strict=True) if slug]
    if notes:  # commentary also shows next to its clause in the current text (re-anchored: issue 4)
        from clausewatch.site.commentary_pages import ChangeClauses, annotate_current_text

        clauses = [ChangeClauses(slug, e.version.commit, e.diff.before if e.diff else (),
                                 e.diff.after if e.diff else split_clauses(e.version.text))
                   for e, slug in published]
        files[f"{key}/index.md"] = annotate_current_text(
            str(files[f"{key}/index.md"]), f"{key}/index.md", notes, clauses, split_clauses(latest.text))
    for index, (entry, _slug) in enumerate(published):
        context = ChangeContext(
            ref=refs[index],
            previous=refs[index - 1] if index else None,
            following=refs[index + 1] if index + 1 < len(refs) else None,
            source_url=entry.version.provenance.source_url,
            snapshot_sha256=entry.version.provenance.snapshot_sha256,
            previous_commit=entry.previous.commit if entry.previous else "",
            imported_from=entry.version.provenance.imported_from,
        )
        files[refs[index].page] = render_change(context, entry, notes, config)
    files.update(as_of_files(summary, history, slugs))  # the text as it stood after each change
    files.update(document_extra_files(key, history, slugs, files, config or {}))
    changes = tuple(_published(entry, slug) for entry, slug in zip(history, slugs, strict=True))
    return DocumentOutput(key=key, cache_key=cache_key, files=files, summary=summary, changes=changes,
                          topic_hits=document_topic_hits(changes, topics))


def _tagged(entry: HistoryEntry, topics: Sequence[Topic]) -> HistoryEntry:
    """The entry with its clause changes tagged by topic (the diff engine leaves topics empty)."""
    return entry if entry.diff is None else replace(entry, diff=tag_diff(entry.diff, topics))


def render_change(context: ChangeContext, entry: HistoryEntry, notes: Sequence[Commentary],
                  config: Mapping[str, object] | None = None) -> str:
    """One change page: the diff (or the first recorded text) and the commentary that names it."""
    from clausewatch.clauses import split_clauses
    from clausewatch.commentary import place_commentary
    from clausewatch.render_diff import render_markdown
    from clausewatch.site.commentary_pages import decorate_change

    if entry.diff is None:
        before: tuple[Clause, ...] = ()
        after = split_clauses(entry.version.text)
        body = pages.render_clauses(after)
        anchors = frozenset(c.id for c in after)
    else:
        before, after = entry.diff.before, entry.diff.after
        body = render_markdown(entry.diff)
        anchors = frozenset(c.id for c in (ch.after or ch.before for ch in entry.diff.changes) if c)
    by_clause, unanchored = place_commentary(notes, context.ref.slug, context.ref.commit, before, after)
    body, by_clause, unanchored = decorate_change(
        context.ref, body, by_clause, unanchored, config, per_clause=entry.diff is not None,
        clauses=(*before, *after))
    page = pages.change_page(context, body, commentary_by_clause=by_clause, unanchored=unanchored,
                             anchors=anchors)
    return page + "\n" + change_citation_block(entry.version, entry.previous, context.ref.path, config,
                                               substantive=entry.version_class == "substantive")


def _change_ref(entry: HistoryEntry, slug: str) -> ChangeRef:
    version = entry.version
    return ChangeRef(
        service=version.service,
        document=version.document,
        service_name=version.service_name,
        document_name=version.document_name,
        slug=slug,
        observed_at=iso_utc(version.observed_at),
        version_class=entry.version_class,
        summary=describe_entry(entry),
        topics=entry_topics(entry.diff),
        commit=version.commit,
    )


def _timeline_row(entry: HistoryEntry, slug: str) -> TimelineRow:
    return TimelineRow(
        observed_at=iso_utc(entry.version.observed_at),
        version_class=entry.version_class,
        summary=describe_entry(entry),
        commit=entry.version.commit,
        slug=slug,
        topics=entry_topics(entry.diff),
    )


def _published(entry: HistoryEntry, slug: str) -> PublishedChange:
    """A history entry as the site-wide extras see it: no texts, and only the summary of the diffs of
    unpublished versions (cached for every document: this bounds memory and cache size)."""
    version = entry.version
    path = f"{version.service}/{version.document}/{slug}/" if slug else ""
    kept = entry.diff.changes if entry.diff is not None and slug else ()
    diff = replace(entry.diff, changes=kept, before=(), after=()) if entry.diff is not None else None
    previous = replace(entry.previous, text="") if entry.previous is not None else None
    return PublishedChange(
        version=replace(version, text=""),
        version_class=entry.version_class,
        path=path,
        diff=diff,
        previous=previous,
        topics=entry_topics(entry.diff),
    )


def site_files(outputs: Sequence[DocumentOutput], config: Mapping[str, object]) -> Files:
    """The site-wide pages built from the documents' summaries: home and one page per service.

    Topic pages and the methodology page come from `commentary_and_topic_files` (site/topic_pages.py).
    """
    summaries = [output.summary for output in outputs]
    site_name = str(config.get("site_name") or "Clausewatch")
    files: Files = {"index.md": pages.home_page(summaries, site_name=site_name)}
    by_service: dict[str, list[DocumentSummary]] = {}
    for summary in summaries:
        by_service.setdefault(summary.service, []).append(summary)
    for service, members in by_service.items():
        files[f"{service}/index.md"] = pages.service_page(service, members)
    return files


def commentary_and_topic_files(
    outputs: Sequence[DocumentOutput], commentary: Mapping[str, Sequence[Commentary]], files: Files
) -> Files:
    """Topic pages with highlighted words, the methodology page, the commentary index and the service
    pages' commentary sections (owned by `site/topic_pages.py` and `site/commentary_pages.py`)."""
    from clausewatch.site.commentary_pages import commentary_files
    from clausewatch.site.topic_pages import topic_files_of
    from clausewatch.topics import load_rule_set

    items = (item for o in outputs for item in iter_hit_changes(o.changes, o.topic_hits))
    extra: Files = dict(topic_files_of(items, load_rule_set()))
    services = {o.summary.service for o in outputs}
    service_pages = {s: str(files[f"{s}/index.md"]) for s in services if f"{s}/index.md" in files}
    notes = [note for group in commentary.values() for note in group]
    extra.update(commentary_files(notes, [r for o in outputs for r in o.summary.changes], service_pages))
    return extra


# --- site extras (owned by site/feeds.py, data_api.py, svg.py, cite.py) -------------------------------


def document_extra_files(
    key: str, history: Sequence[HistoryEntry], slugs: Sequence[str], files: Files,
    config: Mapping[str, object] | None = None,
) -> Files:
    """One document's extras: its data API files, its feeds, its timeline SVG, and on its page the
    timeline picture and the subscribe links (inserted under the Timeline heading)."""
    from clausewatch.site.data_api import document_data_files
    from clausewatch.site.feeds import generate_feeds, subscribe_markdown
    from clausewatch.site.svg import render_timeline

    full = [replace(_published(entry, slug), version=entry.version, previous=entry.previous, diff=entry.diff)
            for entry, slug in zip(history, slugs, strict=True)]
    latest = history[-1].version
    name = f"{latest.service_name or latest.service} {latest.document_name or latest.document}"
    extra: Files = dict(document_data_files(full))
    config = config or {}
    extra.update(generate_feeds([_published(e, s) for e, s in zip(history, slugs, strict=True)],
                                site_url=str(config.get("site_url") or ""),
                                site_name=str(config.get("site_name") or "Clausewatch"), kinds=("document",)))
    extra[f"{key}/timeline.svg"] = render_timeline(full, title=f"Timeline of {name}")
    page_path = f"{key}/index.md"
    insert = ("\n![Timeline of the recorded versions: size is the number of clauses changed, colour the "
              "class](timeline.svg){ .cw-timeline }\n\n"
              + subscribe_markdown(page_path, "document", key) + "\n")
    page = str(files[page_path])
    marker = f"{{ #{pages.heading_id('timeline')} }}\n"
    extra[page_path] = page.replace(marker, marker + insert, 1) if marker in page else page + insert
    return extra


def site_extra_files(
    outputs: Sequence[DocumentOutput], config: Mapping[str, object], files: Files
) -> Files:
    """The site-wide extras: Atom/RSS feeds, the data API's index/service files and dataset, the topic
    charts (shown on the topic pages), and subscribe links on the home and service pages."""
    from clausewatch.site.data_api import site_data_files
    from clausewatch.site.feeds import generate_feeds, subscribe_markdown
    from clausewatch.site.svg import topic_charts

    changes = [change for output in outputs for change in output.changes]
    texts = {}
    for output in outputs:
        raw = output.files.get(current_text_path(output.key), b"")
        texts[output.key] = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
    sources = sorted({source for output in outputs for source in output.summary.imported_from})
    notice = "Texts recorded by Clausewatch; manifest.json names the source of each.\n"
    if sources:
        notice += (f"Some histories were imported from: {', '.join(sources)}. Open Terms Archive data is "
                   "under the Open Data Commons Attribution License (ODC-BY 1.0): Open Terms Archive "
                   "contributors.\n")
    site_url = str(config.get("site_url") or "")
    extra: Files = dict(generate_feeds(changes, site_url=site_url,
                                       site_name=str(config.get("site_name") or "Clausewatch"),
                                       kinds=("all", "service", "topic")))
    extra.update(site_data_files(changes, texts, notice=notice))
    for path, svg in topic_charts(changes).items():
        page_path = path.rsplit("/", 1)[0] + "/index.md"
        if path.startswith("topics/") and page_path in files:
            extra[path] = svg
            extra[page_path] = (str(files[page_path]) + "\n## Over time\n\n![Changes on this topic across "
                                "services over time](chart.svg){ .cw-timeline }\n\n"
                                + subscribe_markdown(page_path, "topic", path.split("/")[1]))
    if "index.md" in files:
        extra["index.md"] = str(files["index.md"]) + "\n" + subscribe_markdown("index.md", "all")
    for service in {output.summary.service for output in outputs}:
        if f"{service}/index.md" in files:
            extra[f"{service}/index.md"] = (str(files[f"{service}/index.md"]) + "\n"
                                            + subscribe_markdown(f"{service}/index.md", "service", service))
    return extra
