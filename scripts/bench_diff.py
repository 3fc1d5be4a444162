"""Benchmark of the clause diff on real histories (not a test): prints figures, asserts nothing.

Needs ../shared/data/ota-contrib-versions.bundle (cloned once into a temporary folder).

    /work/venv/bin/python scripts/bench_diff.py [--runs 15] [--baseline-runs 1] [--baseline-pairs 12]

Prints, with CPU time (`time.process_time`, this process only: one core) and wall time:
1. the median time to diff a large restructure: two ~100 KB versions of one document (and three
   more big real pairs);
2. throughput over every consecutive pair of a ~500-version history: every pair clause-diffed,
   and the whole history classified the way the site does it (`history.iter_history`);
3. the same work by `difflib.SequenceMatcher(autojunk=False)` on word tokens, as the baseline,
   and the ratio baseline / clause diff. The baseline over the history is measured on an evenly
   spaced sample of `--baseline-pairs` pairs and scaled to all pairs (the full run takes minutes).
Caches are cleared before every timed restructure run, so no run profits from the previous one.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from difflib import SequenceMatcher
from pathlib import Path

from clausewatch.archive.git import BlobReader, git
from clausewatch.archive.read import iter_log, open_archive
from clausewatch.diff.compare import clear_caches, diff_texts
from clausewatch.diff.history import iter_history
from clausewatch.diff.words import tokenize
from clausewatch.errors import ConfigError
from clausewatch.models import Provenance, Version

BUNDLE = Path(__file__).resolve().parents[1] / "../shared/data/ota-contrib-versions.bundle"
RESTRUCTURES = (
    ("Windstream/Terms of Service", "66f3ea1a89"),
    ("Windstream/Terms of Service", "62e96c5072"),
    ("Booking.com/Terms of Service", "b5f0b73787"),
    ("Amazon Web Services/Terms of Service", "4543bb170a"),
)
"""The first: ~98 KB -> ~97 KB, menus and sections reshuffled (35 moved, 97 removed, 30 added); then a
legal restructure with merges (~78 KB), a 121 -> 167 KB rewrite and a ~270 KB renumbering with edits.
The difflib baseline runs on the first only (it takes ~30 s)."""
HISTORY = "Wikimedia Foundation/Terms of Service"
"""549 recorded versions of ~69 KB each."""


@dataclass(frozen=True)
class Timing:
    cpu: float
    wall: float


def timed(work: Callable[[], object]) -> Timing:
    cpu, wall = time.process_time(), time.perf_counter()
    work()
    return Timing(time.process_time() - cpu, time.perf_counter() - wall)


def load_texts(archive, document: str) -> tuple[list[str], list[str]]:
    """(commits, texts) of every version of `document`, oldest first."""
    entries = list(iter_log(archive, [f"{document}.md"]))
    with BlobReader(archive) as reader:
        return [e.commit for e in entries], [reader.read(e.blob).decode("utf-8") for e in entries]


def word_baseline(a: str, b: str) -> float:
    """difflib at word level over the whole document: the baseline the clause diff replaces."""
    return SequenceMatcher(None, tokenize(a), tokenize(b), autojunk=False).ratio()


def median_diff(old: str, new: str, runs: int) -> Timing:
    """Median CPU and wall time of `diff_texts(old, new)`, caches cleared before each run."""
    timings = []
    for _ in range(runs):
        clear_caches()
        timings.append(timed(lambda: diff_texts(old, new)))
    return Timing(statistics.median(t.cpu for t in timings), statistics.median(t.wall for t in timings))


def bench_restructure(archive, runs: int, baseline_runs: int) -> None:
    for n, (document, prefix) in enumerate(RESTRUCTURES):
        commits, texts = load_texts(archive, document)
        k = next(i for i, c in enumerate(commits) if c.startswith(prefix))
        old, new = texts[k - 1], texts[k]
        diff = diff_texts(old, new)
        ours = median_diff(old, new, runs)
        print(f"1{'abcdef'[n]}. restructure: {document} @ {prefix}: {len(old) / 1000:.1f} KB -> "
              f"{len(new) / 1000:.1f} KB, {len(diff.before)} -> {len(diff.after)} clauses, {diff.summary}")
        print(f"   clause diff: median {ours.cpu * 1000:.1f} ms CPU ({ours.wall * 1000:.1f} ms wall) "
              f"over {runs} runs; target < 150 ms for ~100 KB")
        if n == 0 and baseline_runs:
            base_cpu = statistics.median(timed(lambda a=old, b=new: word_baseline(a, b)).cpu
                                         for _ in range(baseline_runs))
            print(f"   difflib word-level baseline: median {base_cpu * 1000:.1f} ms CPU; "
                  f"ratio baseline/clause diff = {base_cpu / ours.cpu:.2f}")


def as_versions(document: str, commits: list[str], texts: list[str]) -> list[Version]:
    service, name = document.split("/")
    stamp = datetime(2020, 1, 1, tzinfo=UTC)
    provenance = Provenance(source_url="", fetched_at=stamp, http_status=200, snapshot_sha256="")
    return [Version(service, name, c, stamp, t, provenance) for c, t in zip(commits, texts, strict=True)]


def bench_history(archive, baseline_pairs: int) -> None:
    commits, texts = load_texts(archive, HISTORY)
    pairs = list(zip(texts, texts[1:], strict=False))
    size = sum(map(len, texts)) / len(texts) / 1000
    print(f"2. history: {HISTORY}: {len(texts)} versions, {size:.1f} KB on average, {len(pairs)} pairs")
    clear_caches()
    every = timed(lambda: [diff_texts(a, b) for a, b in pairs])
    print(f"   clause diff of every consecutive pair: {every.cpu:.2f} s CPU ({every.wall:.2f} s wall), "
          f"{len(pairs) / every.cpu:.0f} pairs/s")
    clear_caches()
    classes: dict[str, int] = {}

    def classify_all() -> None:
        for entry in iter_history(as_versions(HISTORY, commits, texts)):
            classes[entry.version_class] = classes.get(entry.version_class, 0) + 1

    classified = timed(classify_all)
    print(f"   whole history classified (history.iter_history): {classified.cpu:.2f} s CPU "
          f"({classified.wall:.2f} s wall); target < 10 s; classes {dict(sorted(classes.items()))}")
    step = max(1, len(pairs) // baseline_pairs)
    sample = pairs[::step]
    base = timed(lambda: [word_baseline(a, b) for a, b in sample])
    scaled = base.cpu * len(pairs) / len(sample)
    print(f"   difflib word-level baseline: {base.cpu:.2f} s CPU on {len(sample)} evenly spaced pairs, "
          f"~{scaled:.1f} s for all {len(pairs)}; ratio baseline/clause diff = {scaled / every.cpu:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="timed runs of the restructure diff")
    parser.add_argument("--baseline-runs", type=int, default=1,
                        help="timed runs of the restructure baseline (difflib takes ~30 s on it)")
    parser.add_argument("--baseline-pairs", type=int, default=12, help="history pairs timed for the baseline")
    args = parser.parse_args()
    if not BUNDLE.exists():
        raise ConfigError(f"'{BUNDLE.resolve()}' is missing: the benchmark needs the shared OTA bundle",
                          fix="run it from a checkout next to ../shared/data (see ../shared/data/README.md)")
    with tempfile.TemporaryDirectory() as tmp:
        dest = Path(tmp) / "contrib-versions"
        git(Path(tmp), "clone", "-q", "--no-checkout", "--branch", "main", str(BUNDLE.resolve()), str(dest))
        archive = open_archive(dest)
        bench_restructure(archive, args.runs, args.baseline_runs)
        bench_history(archive, args.baseline_pairs)


if __name__ == "__main__":
    main()
