"""Incremental generation: what a document's pages depend on, and regenerating documents in parallel.

A document's cache key covers its commits and blobs, its commentary, the site config and a fingerprint
of the package's code and rules (`code_fingerprint`), so a cached output is reused only when it would
be generated identically. Documents to regenerate run in worker processes (one per CPU) when there is
enough work to pay for starting them.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from clausewatch.archive.git import BlobReader
from clausewatch.archive.read import Archive, LogEntry
from clausewatch.models import Commentary
from clausewatch.site.write import fingerprint_files

GENERATOR_VERSION = "1"
"""Bump when the generated pages change for a reason the code fingerprint cannot see."""
PARALLEL_MIN_VERSIONS = 500
"""Below this many versions to regenerate, worker processes cost more than they save."""
_WRITE_SIDE = frozenset({"scraper", "importer", "__pycache__"})
"""Package folders whose code cannot change a generated page (left out of the cache fingerprint)."""
_BUILD_SIDE = frozenset({"cli.py", "commands/demo.py", "commands/init.py", "commands/check.py", "commands/log.py",
                         "commands/extract.py", "site/build.py", "site/engine.py", "site/search_index.py",
                         "site/sanitize.py", "site/run.py", "site/serve.py"})
"""Modules that run before or after generating but never shape a generated page (also left out: a change
to the build steps must not regenerate 40,000 versions; `build.build_stamp` covers the post-build ones)."""

Output = TypeVar("Output")
Generate = Callable[[Archive, BlobReader, "DocumentJob", Mapping[str, object]], Output]


@dataclass(frozen=True, slots=True)
class DocumentJob:
    """One document to regenerate: its log entries, its commentary and its cache key."""

    key: str
    entries: tuple[LogEntry, ...]
    notes: tuple[Commentary, ...]
    cache_key: str


def iter_generated(
    archive: Archive,
    todo: Sequence[DocumentJob],
    config: Mapping[str, object],
    generate: Generate[Output],
    *,
    jobs: int | None = None,
) -> Iterator[Output]:
    """Generate each document of `todo` (in any order), in worker processes when it is worth it."""
    versions = sum(len(job.entries) for job in todo)
    wanted = jobs if jobs is not None else (os.cpu_count() or 1) if versions >= PARALLEL_MIN_VERSIONS else 1
    workers = min(wanted, len(todo))
    if workers <= 1:
        with BlobReader(archive) as reader:
            for job in todo:
                yield generate(archive, reader, job, config)
        return
    biggest_first = sorted(todo, key=lambda job: -len(job.entries))
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        futures = [pool.submit(_generate_in_worker, generate, archive, job, config) for job in biggest_first]
        for future in as_completed(futures):
            yield future.result()


def _generate_in_worker(
    generate: Generate[Output], archive: Archive, job: DocumentJob, config: Mapping[str, object]
) -> Output:
    with BlobReader(archive) as reader:
        return generate(archive, reader, job, config)


def code_fingerprint(config: Mapping[str, object]) -> str:
    """A hash of the generator version, the package's code and rules, and the site config."""
    package = Path(__file__).resolve().parents[1]
    sources = sorted(
        p for p in package.rglob("*")
        if p.suffix in (".py", ".yml", ".yaml") and p.is_file() and not _WRITE_SIDE.intersection(p.parts)
        and p.relative_to(package).as_posix() not in _BUILD_SIDE
    )
    config_text = json.dumps(config, sort_keys=True, default=str)
    text = f"{GENERATOR_VERSION}\n{fingerprint_files(sources)}\n{config_text}"
    return hashlib.sha256(text.encode()).hexdigest()


def document_cache_key(fingerprint: str, entries: Sequence[LogEntry], notes: Sequence[Commentary]) -> str:
    """What one document's pages depend on: its commits and blobs, its commentary, the fingerprint."""
    digest = hashlib.sha256(fingerprint.encode())
    for entry in entries:
        digest.update(f"{entry.commit} {entry.blob}\n".encode())
    for note in notes:
        digest.update(repr(note).encode("utf-8"))
    return digest.hexdigest()
