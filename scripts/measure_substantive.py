"""Precision and recall of the version class `substantive` against the hand labels in tests/data/labels/.

    python scripts/measure_substantive.py [--work DIR] [--json FILE] [--bundle BUNDLE] [--labels DIR]

Every `*.csv` under tests/data/labels/ (columns commit,path,label,reason,batch; see its README.md) is read.
Each labelled change gets the class the project gives it today, exactly as `scripts/measure_classifier.py
score` computes it: `iter_history` over the document's recorded versions, oldest first, up to the last
labelled one. `substantive` should be exactly the labels `legal` and `date`. Printed: the scores overall and
per batch, the labels against the classes, then every false positive and false negative.

The bundle is ../shared/data/ota-contrib-versions.bundle (from the project root). It is cloned into a
temporary folder, or once into --work DIR and reused (DIR itself may be a clone of the bundle). Without the
bundle this prints why and exits 0.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

# --- The project's modules: the only lines that name them (update these after the package restructure). ---
from clausewatch.archive.git import BlobReader
from clausewatch.archive.read import Archive, iter_log, to_version
from clausewatch.diff.history import iter_history

# ------------------------------------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "../shared/data/ota-contrib-versions.bundle"
LABEL_DIR = ROOT / "tests/data/labels"
LABELS = ("legal", "date", "artifact", "revert", "cosmetic", "links")
"""The labels, in the order of precedence of tests/data/labels/README.md."""
POSITIVE = ("legal", "date")
"""Hand labels that a reader must see: `substantive` should be exactly these."""

Key = tuple[str, str]
"""(commit, path) of one recorded change."""


@dataclass(frozen=True, slots=True)
class Row:
    commit: str
    path: str
    label: str
    reason: str
    batch: str
    source: str

    @property
    def key(self) -> Key:
        return (self.commit, self.path)


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

    def line(self) -> str:
        return (f"precision {self.precision:6.1%}  recall {self.recall:6.1%}  "
                f"(tp {self.true_positive}, fp {self.false_positive}, fn {self.false_negative}, "
                f"tn {self.true_negative})")

    def as_dict(self) -> dict[str, float | int]:
        return {"precision": self.precision, "recall": self.recall, "tp": self.true_positive,
                "fp": self.false_positive, "fn": self.false_negative, "tn": self.true_negative}


def git(repo: Path, *args: str) -> bytes:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True).stdout


def open_clone(bundle: Path, work: Path) -> Archive:
    """A clone of the bundle: `work` itself if it is one, else `work`/ota-contrib-versions (made once)."""
    if (work / ".git").exists():
        target = work
    else:
        target = work / "ota-contrib-versions"
        if not (target / ".git").exists():
            work.mkdir(parents=True, exist_ok=True)
            subprocess.run(["git", "clone", "-q", "--no-checkout", "-b", "main", str(bundle.resolve()),
                            str(target)], check=True)
    return Archive(repo=target, prefix="")


def read_label_files(folder: Path = LABEL_DIR) -> list[Row]:
    """Every row of every CSV file in `folder`; a (commit, path) labelled twice or an unknown label is an
    error."""
    rows: list[Row] = []
    seen: dict[Key, str] = {}
    for file in sorted(folder.glob("*.csv")):
        with file.open(encoding="utf-8", newline="") as handle:
            for line, record in enumerate(csv.DictReader(handle), start=2):
                row = Row(record["commit"], record["path"], record["label"], record.get("reason", ""),
                          record.get("batch") or "1", file.name)
                if row.label not in LABELS:
                    raise SystemExit(f"{file.name}:{line}: unknown label {row.label!r}")
                if row.key in seen:
                    raise SystemExit(f"{file.name}:{line}: {row.commit[:10]} {row.path} already labelled in "
                                     f"{seen[row.key]}")
                seen[row.key] = file.name
                rows.append(row)
    return rows


def classify(archive: Archive, wanted: Iterable[Key]) -> dict[Key, str]:
    """{(commit, path): class} for the `wanted` versions, as `iter_history` classes them (each document's
    history read from its first version up to its last wanted one, texts read once per blob)."""
    wanted = set(wanted)
    entries_by_path = defaultdict(list)
    for entry in iter_log(archive, sorted({path for _, path in wanted})):
        entries_by_path[entry.path].append(entry)
    found: dict[Key, str] = {}
    with BlobReader(archive) as reader:
        for path, entries in sorted(entries_by_path.items()):
            last = max(i for i, entry in enumerate(entries) if (entry.commit, path) in wanted)
            texts: dict[str, str] = {}
            versions = []
            for entry in entries[: last + 1]:
                if entry.blob not in texts:
                    texts[entry.blob] = reader.read(entry.blob).decode("utf-8", "replace")
                versions.append(to_version(archive, entry, texts[entry.blob]))
            for item in iter_history(versions):
                if (item.version.commit, path) in wanted:
                    found[(item.version.commit, path)] = item.version_class
    missing = wanted - set(found)
    if missing:
        raise SystemExit(f"{len(missing)} labelled changes are not in the bundle, e.g. {sorted(missing)[0]}")
    return found


def score(rows: Iterable[Row], classes: dict[Key, str]) -> Score:
    tp = fp = fn = tn = 0
    for row in rows:
        flagged = classes[row.key] == "substantive"
        wanted = row.label in POSITIVE
        tp += flagged and wanted
        fp += flagged and not wanted
        fn += wanted and not flagged
        tn += not flagged and not wanted
    return Score(tp, fp, fn, tn)


def batch_order(batch: str) -> tuple[int, str]:
    return (int(batch), batch) if batch.isdigit() else (10**9, batch)


def report(rows: list[Row], classes: dict[Key, str]) -> dict[str, object]:
    """Print the scores and the misses; return them as plain data."""
    total = score(rows, classes)
    by_label = Counter(row.label for row in rows)
    print(f"labelled changes: {len(rows)} from {len({r.source for r in rows})} files; "
          + ", ".join(f"{label} {by_label[label]}" for label in LABELS))
    print(f"substantive vs legal+date, all   : {total.line()}")
    batches = sorted({row.batch for row in rows}, key=batch_order)
    per_batch = {}
    for batch in batches:
        part = [row for row in rows if row.batch == batch]
        per_batch[batch] = {"changes": len(part), **score(part, classes).as_dict()}
        print(f"  batch {batch:<3} {len(part):>4} changes : {score(part, classes).line()}")
    class_names = sorted({classes[row.key] for row in rows})
    table = Counter((row.label, classes[row.key]) for row in rows)
    print("\nlabel \\ class " + "".join(f"{name:>12}" for name in class_names))
    for label in LABELS:
        print(f"{label:<14}" + "".join(f"{table[label, name]:>12}" for name in class_names))
    misses = {"false_positives": [], "false_negatives": []}
    for kind, test in (("false_positives", lambda r: r.label not in POSITIVE),
                       ("false_negatives", lambda r: r.label in POSITIVE)):
        chosen = [row for row in rows if test(row) and (classes[row.key] == "substantive") != (row.label in POSITIVE)]
        print(f"\n{kind.replace('_', ' ')} ({len(chosen)}):")
        for row in sorted(chosen, key=lambda r: (r.label, r.path, r.commit)):
            print(f"  {row.commit[:10]} {row.path:<45} {row.label:<8} {classes[row.key]:<11} b{row.batch} "
                  f"{row.reason}")
            misses[kind].append({"commit": row.commit, "path": row.path, "label": row.label,
                                 "class": classes[row.key], "batch": row.batch, "reason": row.reason})
    return {"changes": len(rows), "labels": dict(by_label), "overall": total.as_dict(), "batches": per_batch,
            "table": [{"label": label, "class": name, "count": count} for (label, name), count in table.items()],
            **misses}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bundle", type=Path, default=BUNDLE)
    parser.add_argument("--labels", type=Path, default=LABEL_DIR, help="Folder of label CSV files.")
    parser.add_argument("--work", type=Path, help="Folder for the clone (kept and reused), or a clone.")
    parser.add_argument("--json", type=Path, help="Also write the figures and the misses to this JSON file.")
    options = parser.parse_args(argv)
    if not options.bundle.is_file():
        print(f"skipped: the bundle '{options.bundle}' is absent (it lives in ../shared/data/)")
        return 0
    rows = read_label_files(options.labels)
    with tempfile.TemporaryDirectory(prefix="clausewatch-substantive-") as tmp:
        archive = open_clone(options.bundle, options.work or Path(tmp))
        classes = classify(archive, (row.key for row in rows))
    result = report(rows, classes)
    if options.json:
        options.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
