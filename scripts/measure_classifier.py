"""Measure the change classifier on Open Terms Archive's real histories (evidence for issue 3).

    python scripts/measure_classifier.py busiest [--top 10]     (a) classes per document, 10 busiest
    python scripts/measure_classifier.py score                  (b) precision/recall on tests/data/labels/
    python scripts/measure_classifier.py pick [--size 100 --extra 20]  the sample to label (fixed seed)
    python scripts/measure_classifier.py heldout [--size 80]   one change each from unlabelled documents:
        batch 2 = `--size 80` on batch 1 (scored before tuning), batch 3 = `--size 40` after batch 2 was
        labelled (scored after tuning on batches 1-2)
    python scripts/measure_classifier.py show SHA PATH          word diff of one change, for labelling

The bundle is ../shared/data/ota-contrib-versions.bundle (from the project root); it is cloned into a
temporary folder (or --work DIR, reused between runs). Without the bundle this prints why and exits 0.
"""

from __future__ import annotations

import argparse
import csv
import difflib
import random
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from clausewatch.archive.git import BlobReader, git
from clausewatch.archive.read import Archive, LogEntry, iter_log, to_version
from clausewatch.diff.history import iter_history
from clausewatch.diff.normalize import normalize_text
from clausewatch.models import Version

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "../shared/data/ota-contrib-versions.bundle"
LABELS = ROOT / "tests/data/labels/ota_sample.csv"
SEED = 20260301
POSITIVE = ("legal", "date")
"""Hand labels that a reader must see: `substantive` should be exactly these."""


@dataclass(frozen=True, slots=True)
class Score:
    true_positive: int
    false_positive: int
    false_negative: int
    true_negative: int

    @property
    def precision(self) -> float:
        flagged = self.true_positive + self.false_positive
        return self.true_positive / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_positive + self.false_negative
        return self.true_positive / wanted if wanted else 1.0


def clone_bundle(bundle: Path, work: Path) -> Archive:
    """A clone of the bundle in `work` (made once; reused if already there)."""
    target = work / "ota-contrib-versions"
    if not (target / ".git").exists():
        work.mkdir(parents=True, exist_ok=True)
        git(work, "clone", "-q", "--no-checkout", "-b", "main", str(bundle.resolve()), str(target))
    return Archive(repo=target, prefix="")


def iter_documents(archive: Archive, paths: Iterable[str] = ()) -> Iterator[tuple[str, list[LogEntry]]]:
    """(path, log entries oldest first) for each document (or just `paths`)."""
    by_path: dict[str, list[LogEntry]] = defaultdict(list)
    for entry in iter_log(archive, list(paths)):
        by_path[entry.path].append(entry)
    yield from sorted(by_path.items())


def read_versions(archive: Archive, entries: list[LogEntry], reader: BlobReader) -> list[Version]:
    """The versions of one document (text read once per distinct blob)."""
    texts: dict[str, str] = {}
    versions = []
    for entry in entries:
        if entry.blob not in texts:
            texts[entry.blob] = reader.read(entry.blob).decode("utf-8", "replace")
        versions.append(to_version(archive, entry, texts[entry.blob]))
    return versions


def classify_paths(archive: Archive, paths: Iterable[str]) -> dict[tuple[str, str], str]:
    """{(commit, path): class} for every version of the documents at `paths`."""
    found: dict[tuple[str, str], str] = {}
    with BlobReader(archive) as reader:
        for path, entries in iter_documents(archive, paths):
            for item in iter_history(read_versions(archive, entries, reader)):
                found[(item.version.commit, path)] = item.version_class
    return found


def busiest(archive: Archive, top: int) -> None:
    """(a) For the `top` busiest documents: recorded changes by class, and the CPU seconds (one core)
    `iter_history` took over each whole history."""
    counts = Counter(entry.path for entry in iter_log(archive))
    paths = [path for path, _ in counts.most_common(top)]
    header = ("document", "OTA", "subst", "links", "cosm", "blink", "KB", "cpu s")
    print(f"{header[0]:<40} " + " ".join(f"{name:>6}" for name in header[1:]))
    totals: Counter[str] = Counter()
    with BlobReader(archive) as reader:
        for path, entries in iter_documents(archive, paths):
            versions = read_versions(archive, entries, reader)
            started = time.process_time()
            per = Counter(item.version_class for item in iter_history(versions))
            elapsed = time.process_time() - started
            size = sum(len(v.text) for v in versions) / len(versions) / 1000
            changes = len(versions) - per["first"]
            totals.update(per)
            totals["changes"] += changes
            print(f"{path[:40]:<40} {changes:>6} {per['substantive']:>6} {per['links']:>6} "
                  f"{per['cosmetic']:>6} {per['blink']:>6} {size:>6.0f} {elapsed:>6.1f}")
    print(f"{'total':<40} {totals['changes']:>6} {totals['substantive']:>6} {totals['links']:>6} "
          f"{totals['cosmetic']:>6} {totals['blink']:>6}")


def pick_sample(archive: Archive, size: int, extra: int = 0) -> list[tuple[str, str]]:
    """size change commits, half from the 10 busiest documents, half at random, then `extra` more
    at random (fixed seed: the first `size` picks do not depend on `extra`)."""
    rng = random.Random(SEED)
    by_path: dict[str, list[str]] = defaultdict(list)
    for entry in iter_log(archive):
        by_path[entry.path].append(entry.commit)
    changes = {path: commits[1:] for path, commits in sorted(by_path.items()) if len(commits) > 1}
    busy = sorted(changes, key=lambda p: -len(changes[p]))[:10]
    picked: list[tuple[str, str]] = []
    for path in busy:
        picked += [(commit, path) for commit in rng.sample(changes[path], size // 20)]
    pool = [(commit, path) for path, commits in changes.items() for commit in commits]
    while len(picked) < size + extra:
        candidate = rng.choice(pool)
        if candidate not in picked:
            picked.append(candidate)
    return picked


def pick_heldout(archive: Archive, size: int, labelled: Iterable[str]) -> list[tuple[str, str]]:
    """`size` change commits, one per document, from documents with no labelled change yet (fixed
    seed): a held-out batch, measured before the classifier is tuned on it."""
    rng = random.Random(SEED + 2)
    skip = set(labelled)
    by_path: dict[str, list[str]] = defaultdict(list)
    for entry in iter_log(archive):
        by_path[entry.path].append(entry.commit)
    paths = [path for path, commits in sorted(by_path.items()) if len(commits) > 1 and path not in skip]
    return [(rng.choice(by_path[path][1:]), path) for path in rng.sample(paths, size)]


def read_labels(path: Path = LABELS, batch: str | None = None) -> dict[tuple[str, str], str]:
    """{(commit, path): label} from the hand-labelled CSV (only batch `batch` if given)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {
            (row["commit"], row["path"]): row["label"]
            for row in csv.DictReader(handle)
            if batch is None or row.get("batch", "1") == batch
        }


def score(labels: dict[tuple[str, str], str], classes: dict[tuple[str, str], str]) -> Score:
    """Precision/recall of `substantive` against the labels `legal` and `date`."""
    tp = fp = fn = tn = 0
    for key, label in labels.items():
        flagged = classes[key] == "substantive"
        wanted = label in POSITIVE
        tp += flagged and wanted
        fp += flagged and not wanted
        fn += wanted and not flagged
        tn += not flagged and not wanted
    return Score(tp, fp, fn, tn)


def classify_labelled(archive: Archive, wanted: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """{(commit, path): class} for just the `wanted` versions, as `iter_history` classes them (each
    document's history read up to its last wanted version)."""
    wanted = set(wanted)
    found: dict[tuple[str, str], str] = {}
    with BlobReader(archive) as reader:
        for path, entries in iter_documents(archive, sorted({p for _, p in wanted})):
            last = max(i for i, entry in enumerate(entries) if (entry.commit, path) in wanted)
            for item in iter_history(read_versions(archive, entries[: last + 1], reader)):
                if (item.version.commit, path) in wanted:
                    found[(item.version.commit, path)] = item.version_class
    return found


def measure_sample(archive: Archive, labels: dict[tuple[str, str], str]) -> tuple[Score, dict]:
    """Score the classifier on the labelled sample; also return the classes it gave."""
    classes = classify_labelled(archive, labels)
    return score(labels, classes), classes


def word_diff(before: str, after: str, context: int = 6) -> str:
    """The changed words of two texts, with a little context, `[-deleted-]{+inserted+}`."""
    a = re.findall(r"\S+|\n", normalize_text(before))
    b = re.findall(r"\S+|\n", normalize_text(after))
    out = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            words = a[i1:i2]
            if len(words) > 2 * context:
                words = [*words[:context], "\n   …\n", *words[-context:]] if out else words[-context:]
            out.append(" ".join(words))
        else:
            out.append(f"[-{' '.join(a[i1:i2])}-]{{+{' '.join(b[j1:j2])}+}}")
    return " ".join(out).replace(" \n ", "\n")


def show(archive: Archive, commit: str, path: str) -> None:
    """Print the word diff of `path` at `commit` against its parent, for labelling."""
    after = git(archive.repo, "show", f"{commit}:{path}").decode("utf-8", "replace")
    before = git(archive.repo, "show", f"{commit}^:{path}").decode("utf-8", "replace")
    subject = git(archive.repo, "log", "-1", "--format=%s %aI", commit).decode().strip()
    print(f"== {commit[:10]} {path}\n   {subject}\n{word_diff(before, after)}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("mode", choices=["busiest", "score", "pick", "heldout", "show"])
    parser.add_argument("args", nargs="*")
    parser.add_argument("--bundle", type=Path, default=BUNDLE)
    parser.add_argument("--work", type=Path, help="Folder for the clone (kept and reused).")
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--size", type=int, default=100)
    parser.add_argument("--extra", type=int, default=20, help="Further random picks after --size.")
    options = parser.parse_args(argv)
    if not options.bundle.is_file():
        print(f"skipped: the bundle '{options.bundle}' is absent (it lives in ../shared/data/)")
        return 0
    with tempfile.TemporaryDirectory(prefix="clausewatch-measure-") as tmp:
        archive = clone_bundle(options.bundle, options.work or Path(tmp))
        if options.mode == "busiest":
            busiest(archive, options.top)
        elif options.mode == "pick":
            for commit, path in pick_sample(archive, options.size, options.extra):
                print(f"{commit},{path}")
        elif options.mode == "heldout":
            for commit, path in pick_heldout(archive, options.size, {p for _, p in read_labels()}):
                print(f"{commit},{path}")
        elif options.mode == "show":
            for commit, path in zip(options.args[0::2], options.args[1::2], strict=True):
                show(archive, commit, path)
        else:
            return report_score(archive)
    return 0


def report_score(archive: Archive) -> int:
    labels = read_labels()
    result, classes = measure_sample(archive, labels)
    print(f"sample: {len(labels)} changes; labels {dict(Counter(labels.values()))}")
    print(f"substantive: precision {result.precision:.1%}, recall {result.recall:.1%} ({result})")
    for batch in ("1", "2", "3"):
        part = read_labels(batch=batch)
        found = score(part, classes)
        print(f"  batch {batch}: {len(part)} changes, precision {found.precision:.1%}, "
              f"recall {found.recall:.1%} ({found})")
    for key, label in sorted(labels.items()):
        flagged = classes[key] == "substantive"
        if flagged != (label in POSITIVE):
            print(f"  miss: {key[0][:10]} {key[1]}: label {label}, classified {classes[key]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
