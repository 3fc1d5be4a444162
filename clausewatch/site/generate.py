"""The site generator: the archive (and commentary) in, `{path under docs/: content}` out.

`render_site(workspace)` is a list of steps:

1. read the archive's log ONCE (`iter_log`: every commit with its blob id) and group it by document;
2. for each document, reuse its cached output when nothing it depends on changed (its commits and
   blobs, its commentary, the site config, the generator's code), else read its blobs through one
   `BlobReader` and generate it (`document.generate_document`: its pages and its share of the extras);
3. render the site-wide files from the documents' outputs (`site_files`): home, service, topic and
   commentary pages, feeds and data, each page once with every section it shows;
4. the status page of the tracker (failing and held documents).

Nothing runs inside MkDocs: the output is plain Markdown with front matter, written by `write.py`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path

from clausewatch.archive.git import BlobReader
from clausewatch.archive.read import Archive, LogEntry, iter_log, open_archive, split_path, to_version
from clausewatch.commentary.parse import load_commentary
from clausewatch.diff.topics import load_rule_set
from clausewatch.errors import BuildError
from clausewatch.models import Commentary
from clausewatch.site import pages
from clausewatch.site.adoption import by_service as adopters_by_service
from clausewatch.site.adoption import service_today_section, today_files
from clausewatch.site.cache import prune_cache, read_cache_entry, write_cache_entry
from clausewatch.site.commentary_pages import (
    INDEX,
    commentary_index_page,
    commentary_sections,
    resolve_entries,
)
from clausewatch.site.data_api import current_text_path, site_data_files
from clausewatch.site.data_clauses import today_data_files
from clausewatch.site.document import generate_document
from clausewatch.site.feeds import generate_feeds, subscribe_markdown
from clausewatch.site.incremental import DocumentJob, code_fingerprint, document_cache_key, iter_generated
from clausewatch.site.status_page import status_page_files
from clausewatch.site.svg import topic_charts
from clausewatch.site.topic_pages import iter_hit_changes, topic_files_of
from clausewatch.site.views import DocumentOutput, DocumentSummary, Files, GeneratedSite
from clausewatch.site.write import Manifest, content_hash, intact_files, read_manifest_state
from clausewatch.slugs import RESERVED, id_problem
from clausewatch.workspace import Workspace, read_site_config


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
    skipped: list[str] = []
    logs = group_log(archive, iter_log(archive), skipped)
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
    files.update(site_files(outputs, commentary, config))
    files.update(status_page_files(workspace))  # failing and held documents (site/status_page.py)
    regenerated = tuple(job.key for job in todo)
    return GeneratedSite(files=files, documents=tuple(outputs), regenerated=regenerated,
                         kept={path: digest for path, digest in kept.items() if path not in files},
                         warnings=tuple(skipped))


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


def group_log(archive: Archive, entries: Iterable[LogEntry],
              skipped: list[str] | None = None) -> dict[str, list[LogEntry]]:
    """Log entries by document key (`service/document`), sorted by key, each list oldest first.

    A file whose ids cannot be site paths (not ids, too long, or a service id the site uses) is left out
    and named in `skipped` (a warning): one bad file in the history must not stop the whole site."""
    grouped: dict[str, list[LogEntry]] = {}
    bad: dict[str, str] = {}
    for entry in entries:
        service, document = split_path(archive, entry.path)
        problem = id_problem(service) or id_problem(document) or (
            f"'{service}' is a name the site uses itself" if service in RESERVED else None)
        if problem:
            bad.setdefault(entry.path, problem)
            continue
        grouped.setdefault(f"{service}/{document}", []).append(entry)
    if skipped is not None:
        skipped.extend(f"archive file '{path[:120]}' is left out of the site: {problem} — rename it in the "
                       "archive with `git mv` to a valid id (see docs/declarations.md)"
                       for path, problem in sorted(bad.items()))
    return dict(sorted(grouped.items()))


def load_document_commentary(workspace: Workspace) -> dict[str, tuple[Commentary, ...]]:
    """The commentary files by document key; BuildError listing every problem if any is malformed."""
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


def site_files(outputs: Sequence[DocumentOutput], commentary: Mapping[str, Sequence[Commentary]],
               config: Mapping[str, object]) -> Files:
    """The site-wide files, each page rendered once with every section it shows: the home page and one
    page per service (with their commentary sections and subscribe links), the topic pages (with their
    charts), the methodology page and the commentary index, and the site-wide feeds and data."""
    summaries = [output.summary for output in outputs]
    changes = [change for output in outputs for change in output.changes]
    site_name = str(config.get("site_name") or "Clausewatch")
    entries = resolve_entries([n for group in commentary.values() for n in group],
                              [r for o in outputs for r in o.summary.changes])
    files: Files = {"index.md": pages.home_page(summaries, site_name=site_name,
                                                subscribe=subscribe_markdown("index.md", "all")),
                    INDEX: commentary_index_page(entries, repo_url=str(config.get("repo_url") or ""))}
    by_service: dict[str, list[DocumentSummary]] = {}
    for summary in summaries:
        by_service.setdefault(summary.service, []).append(summary)
    sections = commentary_sections(entries, by_service)
    rules = load_rule_set()
    saying = [(output.summary, item) for output in outputs for item in output.says_today]  # who says it today
    saying_by_service = adopters_by_service(saying)
    for service, members in by_service.items():
        page = f"{service}/index.md"
        files[page] = pages.service_page(
            service, members, commentary=sections[service], subscribe=subscribe_markdown(page, "service", service),
            today=service_today_section(service, rules.topics, saying_by_service.get(service, [])))
    charts = topic_charts(changes)
    items = (item for o in outputs for item in iter_hit_changes(o.changes, o.topic_hits))
    today, adoption_charts = today_files(saying, rules.topics)
    files.update(charts)
    files.update(adoption_charts)
    files.update(topic_files_of(items, rules, charts=charts, today=today))
    files.update(today_data_files(saying, rules.topics))
    files.update(generate_feeds(changes, site_url=str(config.get("site_url") or ""), site_name=site_name,
                                kinds=("all", "service", "topic")))
    files.update(site_data_files(changes, _current_texts(outputs), notice=_data_notice(outputs)))
    return files


def _current_texts(outputs: Sequence[DocumentOutput]) -> dict[str, str]:
    texts = {}
    for output in outputs:
        raw = output.files.get(current_text_path(output.key), b"")
        texts[output.key] = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
    return texts


def _data_notice(outputs: Sequence[DocumentOutput]) -> str:
    sources = sorted({source for output in outputs for source in output.summary.imported_from})
    notice = "Texts recorded by Clausewatch; manifest.json names the source of each.\n"
    if sources:
        notice += (f"Some histories were imported from: {', '.join(sources)}. Open Terms Archive data is "
                   "under the Open Data Commons Attribution License (ODC-BY 1.0): Open Terms Archive "
                   "contributors.\n")
    return notice
