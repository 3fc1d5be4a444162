"""The tracker: fetch every declared document and record those whose normalized text changed.

Over 400 lines on purpose: the run's steps and what each failure records are one story; its parts
(fetch, extract, record, report) live in their own modules already.

A run, step by step (`track_documents`):
1. load the declarations (all errors at once), keep the `--only` and `--shard` selection;
2. open the archive, take its lock, repair the working tree a killed run may have left behind;
3. read the newest recorded text of every selected document (one `git cat-file --batch`), fetch the
   documents concurrently (`fetch_document`), then record them one by one in key order
   (`_record_one`: extract → check → normalize → compare → queue; queued versions are committed in
   batches, `archive.write.record_versions`);
4. write the commit-graph, the run report (`.clausewatch/runs/latest.json` and a timestamped copy),
   and a summary on stderr.

One failing document never aborts the run (unless `fail_fast`); its key, reason and message go into
`TrackReport.failed`. A combined document (several pages) is recorded with one snapshot: each page's
raw bytes preceded by a line `<!-- clausewatch-source: URL -->`, so it can be split and re-extracted.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import requests
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from clausewatch.archive.read import latest_texts, open_archive, write_commit_graph
from clausewatch.archive.write import NewVersion, lock_archive, record_versions, repair_worktree
from clausewatch.dates import iso_utc
from clausewatch.diff.normalize import normalize_text
from clausewatch.errors import ArchiveError, ClausewatchError, ConfigError, ExtractError, FailureReason, FetchError
from clausewatch.models import Document, Provenance, Snapshot
from clausewatch.safe_load import terminal_text
from clausewatch.scraper import garbage, quarantine, schedule
from clausewatch.scraper.declarations import load_declarations, service_id, validate_declarations
from clausewatch.scraper.extract import extract_page
from clausewatch.scraper.fetch import make_session
from clausewatch.scraper.ota_declarations import filter_warnings
from clausewatch.scraper.ota_filters import apply_filters
from clausewatch.workspace import Workspace

WORKERS = 16
RECORD_BATCH = 200
"""New versions committed together (one fast-import, one branch update: all or none)."""
RECORD_BATCH_BYTES = 64 * 1024 * 1024
_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


@dataclass(frozen=True, slots=True)
class Failure:
    """One document that failed in a run: its key, why (one word) and the message naming the fix."""

    key: str
    reason: FailureReason
    message: str

    def to_json(self) -> dict[str, str]:
        """As listed under `failed` in `.clausewatch/runs/*.json`."""
        return {"key": self.key, "reason": self.reason, "message": self.message}


@dataclass(frozen=True, slots=True)
class TrackReport:
    """What one run did: keys recorded, unchanged, and failed (with reason and message)."""

    recorded: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    failed: tuple[Failure, ...] = ()
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    finished: datetime = field(default_factory=lambda: datetime.now(UTC))

    def to_json(self) -> dict[str, object]:
        """The report as written to `.clausewatch/runs/latest.json`."""
        return {
            "started": iso_utc(self.started),
            "finished": iso_utc(self.finished),
            "recorded": list(self.recorded),
            "unchanged": list(self.unchanged),
            "failed": [failure.to_json() for failure in self.failed],
        }


@dataclass(frozen=True, slots=True)
class _Outcome:
    """What recording one document came to: 'recorded', 'unchanged' or 'failed' (with its `failure`)."""

    key: str
    status: Literal["recorded", "unchanged", "failed"]
    failure: Failure | None = None


def _failed(key: str, reason: FailureReason, message: str) -> _Outcome:
    return _Outcome(key, "failed", Failure(key, reason, message))


def parse_shard(value: str | None) -> tuple[int, int] | None:
    """`"2/4"` → (2, 4) (1-based); None → None; anything else is a ConfigError."""
    if value is None:
        return None
    match = _SHARD.match(value)
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise ConfigError(f"--shard '{value}' is not of the form K/N with 1 ≤ K ≤ N",
                          fix="write e.g. --shard 1/4 for the first of four parallel jobs")
    return int(match[1]), int(match[2])


def in_shard(key: str, shard: tuple[int, int] | None) -> bool:
    """True when `key` belongs to shard K of N (a stable hash of the key, the same on every machine)."""
    if shard is None:
        return True
    number, total = shard
    return int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:12], 16) % total == number - 1


def select_documents(documents: Sequence[Document], only: Sequence[str],
                     shard: tuple[int, int] | None) -> list[Document]:
    """The documents named by `only` (`service` or `service/document`; all when empty) in `shard`."""
    known_keys = {d.key for d in documents} | {d.service for d in documents}
    unknown = [name for name in only if name.strip("/") not in known_keys]
    if unknown:
        listed = ", ".join(sorted(d.key for d in documents)[:50]) or "(none declared)"
        raise ConfigError(f"--only {', '.join(unknown)}: no such declared service or document",
                          fix=f"use one of: {listed}")
    wanted = {name.strip("/") for name in only}
    chosen = [d for d in documents if not wanted or d.key in wanted or d.service in wanted]
    return [d for d in chosen if in_shard(d.key, shard)]


def load_selected(services_dir: Path, only: Sequence[str], console: Console) -> list[Document]:
    """The declarations a run needs: all of them, every error stopping the run (`load_declarations`);
    with `--only`, errors in files that declare none of the named services are shown as warnings and
    the named documents are tracked (one broken declaration does not stop tracking the others)."""
    if not only:
        return load_declarations(services_dir)
    documents, errors = validate_declarations(services_dir)
    wanted = {name.strip().strip("/").split("/")[0] for name in only}
    if any(service_id(Path(line.split(": ", 1)[0])) in wanted for line in errors):
        return load_declarations(services_dir)  # raises, with every error
    for line in errors:
        console.print(terminal_text(f"warning: {line}"), highlight=False, markup=False, soft_wrap=True)
    return documents


def track_documents(
    workspace: Workspace,
    *,
    only: Sequence[str] = (),
    allow_private: bool = False,
    shard: tuple[int, int] | None = None,
    fail_fast: bool = False,
    progress: bool = True,
    clock: Callable[[], datetime] | None = None,
    timeout: float = 30.0,
    host_delay: float = schedule.DEFAULT_DELAY,
    per_host: int = 1,
) -> TrackReport:
    """Fetch, extract, normalize and record every selected document; write and return the run report.

    `clock`, when given, is the observation time of what this run records instead of each fetch's own
    time (the demo replays past dates with it). `timeout` is the read timeout of each fetch (seconds);
    `host_delay` the pause between two requests to one host, `per_host` how many may run at once there
    (hosts are fetched in parallel).
    """
    started = datetime.now(UTC)
    cache_path = workspace.state / "http-cache.json"
    pending: list[NewVersion] = []
    politeness = schedule.Politeness(allow_private=allow_private, timeout=timeout, delay=host_delay,
                                  per_host=per_host, http_cache=schedule.load_http_cache(cache_path))
    console = Console(stderr=True)
    documents = select_documents(load_selected(workspace.services, only, console), only, shard)
    archive = open_archive(workspace.archive)
    for line in filter_warnings(documents):  # OTA JavaScript filters: tracked without them
        console.print(f"warning: {line}", markup=False, highlight=False, soft_wrap=True)
    outcomes: list[_Outcome] = []
    with lock_archive(archive), ExitStack() as stack:
        repair_worktree(archive)
        previous = latest_texts(archive, [d.key for d in documents])
        session = stack.enter_context(make_session(allow_private=allow_private))
        bar = stack.enter_context(_Bar(console, len(documents), enabled=progress))
        for document, fetched in _iter_fetched(documents, session, politeness):
            if clock is not None and isinstance(fetched, Snapshot):
                fetched = replace(fetched, fetched_at=clock())
            outcome = _record_one(document, fetched, previous[document.key], workspace=workspace,
                                  politeness=politeness, pending=pending)
            if _batch_full(pending):
                record_versions(archive, pending)
                pending.clear()
            outcomes.append(outcome)
            bar.advance()
            if fail_fast and outcome.status == "failed":
                break
        record_versions(archive, pending)
        if any(o.status == "recorded" for o in outcomes):
            write_commit_graph(archive)
    schedule.save_http_cache(cache_path, politeness.http_cache or {})
    report = _to_report(outcomes, started)
    write_report(workspace, report)
    print_summary(console, report)
    return report


def _iter_fetched(documents: Sequence[Document], session: requests.Session, politeness: schedule.Politeness,
                  ) -> Iterator[tuple[Document, Snapshot | ClausewatchError]]:
    """Fetch concurrently across hosts, politely per host (`schedule.fetch_all`); yield each document with its
    snapshot (or error) in declaration-key order, as soon as the next one in order is there."""
    done: dict[int, Snapshot | ClausewatchError] = {}
    index = {id(document): n for n, document in enumerate(documents)}
    results = schedule.fetch_all(documents,
                              lambda d: fetch_document(d, session, politeness.allow_private, politeness),
                              key=lambda d: schedule.host_of(d.url), per_host=politeness.per_host,
                              delay=politeness.delay, workers=WORKERS)
    next_up = 0
    try:
        for document, fetched in results:
            done[index[id(document)]] = fetched if isinstance(fetched, Snapshot | ClausewatchError) else (
                _unexpected(document, fetched))
            while next_up in done:
                yield documents[next_up], done.pop(next_up)
                next_up += 1
    finally:
        results.close()


def fetch_document(document: Document, session: requests.Session, allow_private: bool,
                   politeness: schedule.Politeness | None = None) -> Snapshot | ClausewatchError:
    """Every page of the document as one snapshot; errors are returned, not raised (run goes on).

    Each page goes through `schedule.fetch_source`: robots.txt, conditional request, browser if needed.
    """
    politeness = politeness or schedule.Politeness(allow_private=allow_private)
    try:
        snapshots = [schedule.fetch_source(document, source, session, politeness) for source in document.sources]
    except ClausewatchError as exc:
        return exc
    except Exception as exc:  # a bug must fail this document only
        return _unexpected(document, exc)
    return snapshots[0] if len(snapshots) == 1 else combine_snapshots(snapshots)


def _unexpected(document: Document, exc: Exception) -> FetchError:
    return FetchError(f"fetching {document.key} failed unexpectedly: {type(exc).__name__}: {exc}",
                      url=document.url, reason="internal", fix="report this Clausewatch bug")


def _record_one(document: Document, fetched: Snapshot | ClausewatchError, previous: str | None, *,
                pending: list[NewVersion], workspace: Workspace | None = None,
                politeness: schedule.Politeness | None = None) -> _Outcome:
    """extract → check → normalize → compare with `previous` (the newest recorded text) → append the new
    version to `pending` (the caller records batches), or fail, recording nothing.

    A drastic change is held in the quarantine (`workspace` given) instead of recorded; a 304 answer to a
    conditional request is `unchanged`; the validators of a recorded or unchanged page are kept.
    """
    cache = politeness.http_cache if politeness and politeness.http_cache is not None else {}
    try:
        if isinstance(fetched, ClausewatchError):
            raise fetched
        if fetched.status == 304:
            return _not_modified(document, previous, cache)
        markdown = extract_document(document, fetched)
        try:
            check_document(document, markdown, fetched, previous)
        except ExtractError as exc:
            if exc.reason == "drastic-change" and workspace is not None:
                held = quarantine.hold(workspace, document, normalize_text(markdown), fetched,
                                       reason=exc.reason, message=exc.problem)
                exc.problem += f" (held in {held.relative_to(workspace.root)})"
            raise
        text = normalize_text(markdown)
        _remember_validators(cache, document, fetched)
        if text == previous:
            return _Outcome(document.key, "unchanged")
        pending.append(_new_version(document, text, fetched))
    except ArchiveError:
        raise
    except (FetchError, ExtractError) as exc:
        return _failed(document.key, exc.reason, exc.problem)
    except ClausewatchError as exc:  # no other kind is raised here: if one is, it is a bug of ours
        return _failed(document.key, "internal", f"{type(exc).__name__}: {exc.problem}")
    except Exception as exc:  # a bug or a pathological page must not lose the rest of the run
        message = f"{type(exc).__name__}: {exc} (a Clausewatch bug; please report it with the page)"
        return _failed(document.key, "internal", message)
    return _Outcome(document.key, "recorded")


def _not_modified(document: Document, previous: str | None, cache: dict[str, schedule.CacheEntry]) -> _Outcome:
    """A 304: unchanged, if the archive holds the document (else forget the validators and fail)."""
    if previous is not None:
        return _Outcome(document.key, "unchanged")
    cache.pop(document.key, None)
    return _failed(document.key, "http-status", f"{document.key}: the server answered 304 Not "
                    "Modified but nothing is recorded yet; the next run fetches the page in full")


def _remember_validators(cache: dict[str, schedule.CacheEntry], document: Document, snapshot: Snapshot) -> None:
    """Keep (or drop) the page's ETag / Last-Modified for a conditional request next run."""
    entry = schedule.cache_entry(snapshot.final_url or snapshot.url,
                              {"ETag": snapshot.etag, "Last-Modified": snapshot.last_modified},
                              document.declaration_sha256) if len(document.sources) == 1 else None
    if entry is None:
        cache.pop(document.key, None)
    else:
        cache[document.key] = entry


def extract_document(document: Document, snapshot: Snapshot) -> str:
    """The document's Markdown: each page extracted with its own selectors, joined in order."""
    pages = split_snapshot(snapshot) if len(document.sources) > 1 else [snapshot.content]
    parts = [
        apply_filters(extract_page(content, select=source.select, remove=source.remove,
                                   base_url=source.url if len(pages) > 1 else snapshot.final_url,
                                   content_type=snapshot.content_type), source.filters)
        for source, content in zip(document.sources, pages, strict=True)
    ]
    return "\n\n".join(parts)


def check_document(document: Document, markdown: str, snapshot: Snapshot, previous: str | None) -> None:
    """Refuse what is not the document: bot and login walls, menus, missing `expect:` phrases, and hold a
    drastic change against `previous` (see `clausewatch.scraper.garbage`)."""
    garbage.check_document_text(document, markdown, snapshot, previous)


def _batch_full(pending: Sequence[NewVersion]) -> bool:
    """Record a batch once it holds RECORD_BATCH versions or RECORD_BATCH_BYTES of snapshots."""
    return len(pending) >= RECORD_BATCH or sum(len(v.snapshot or b"") for v in pending) >= RECORD_BATCH_BYTES


def _new_version(document: Document, text: str, snapshot: Snapshot) -> NewVersion:
    """The new version of `document`, as a value for `archive.write.record_versions`."""
    provenance = Provenance(source_url=snapshot.final_url or snapshot.url, fetched_at=snapshot.fetched_at,
                            http_status=snapshot.status, snapshot_sha256=snapshot.sha256,
                            declaration_sha256=document.declaration_sha256)
    names = (("service_name", document.service_name), ("document_name", document.document_name))
    return NewVersion(document.service, document.document, text, provenance, snapshot=snapshot.content,
                      names=names)


def combine_snapshots(snapshots: Sequence[Snapshot]) -> Snapshot:
    """Several pages as one snapshot: each page's bytes after a `<!-- clausewatch-source: URL -->` line."""
    content = b"".join(f"<!-- clausewatch-source: {s.final_url} -->\n".encode() + s.content + b"\n"
                       for s in snapshots)
    first = snapshots[0]
    return Snapshot(first.url, first.final_url, first.status, first.fetched_at, content,
                    first.content_type, hashlib.sha256(content).hexdigest())


def split_snapshot(snapshot: Snapshot) -> list[bytes]:
    """The pages of a combined snapshot, in order (the inverse of `combine_snapshots`)."""
    parts = re.split(rb"(?:^|\n)<!-- clausewatch-source: [^\n]* -->\n", snapshot.content)
    return [part[:-1] if part.endswith(b"\n") else part for part in parts[1:]]


def _to_report(outcomes: Sequence[_Outcome], started: datetime) -> TrackReport:
    return TrackReport(
        recorded=tuple(o.key for o in outcomes if o.status == "recorded"),
        unchanged=tuple(o.key for o in outcomes if o.status == "unchanged"),
        failed=tuple(o.failure for o in outcomes if o.failure is not None),
        started=started,
        finished=datetime.now(UTC),
    )


def write_report(workspace: Workspace, report: TrackReport) -> None:
    """`.clausewatch/runs/latest.json` (atomically replaced) and `runs/<YYYYMMDDTHHMMSSZ>[-N].json`."""
    runs = workspace.state / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    payload = json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n"
    stamp = report.started.strftime("%Y%m%dT%H%M%SZ")
    target, n = runs / f"{stamp}.json", 1
    while target.exists():
        n += 1
        target = runs / f"{stamp}-{n}.json"
    target.write_text(payload, encoding="utf-8")
    tmp = runs / f".latest.json.tmp-{os.getpid()}"
    tmp.write_text(payload, encoding="utf-8")
    os.replace(tmp, runs / "latest.json")


def print_summary(console: Console, report: TrackReport) -> None:
    """One line of totals, then one line per failed document, on stderr."""
    seconds = (report.finished - report.started).total_seconds()
    console.print(f"Tracked {len(report.recorded) + len(report.unchanged) + len(report.failed)} document(s) "
                  f"in {seconds:.1f}s: {len(report.recorded)} recorded, {len(report.unchanged)} unchanged, "
                  f"{len(report.failed)} failed.", highlight=False, soft_wrap=True)
    for failure in report.failed:  # messages quote servers and pages: control characters shown, not sent
        console.print(terminal_text(f"  FAILED {failure.key} [{failure.reason}]: {failure.message}"),
                      highlight=False, markup=False, soft_wrap=True)


class _Bar:
    """A rich progress bar on stderr counting documents (or nothing at all when disabled)."""

    def __init__(self, console: Console, total: int, *, enabled: bool) -> None:
        self._progress = Progress(TextColumn("tracking"), BarColumn(), MofNCompleteColumn(),
                                  TimeElapsedColumn(), console=console, transient=True) if enabled else None
        self._task = self._progress.add_task("track", total=total) if self._progress else None

    def advance(self) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task)

    def __enter__(self) -> _Bar:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()
