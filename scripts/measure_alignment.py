"""How well the clause alignment reads on the largest real rewrites (issue 12, point 4).

    python scripts/measure_alignment.py [--work DIR] [--top 20] [--json FILE]

Step 1 (cached in WORK/rewrites.json): over every document of Open Terms Archive's bundle
(`../shared/data/ota-contrib-versions.bundle`), the consecutive versions whose clause texts differ the
most (clauses of either version whose exact text is not in the other: independent of the alignment
being measured). Step 2: diff each of the `--top` largest with today's diff engine and count the
pairings (modified, moved with new words, split, merged) whose two sides share less than a third of
their words, against every pairing: those are the pairings a reader sees as interleaved word salad.
Without the bundle this prints why and exits 0.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "../shared/data/ota-contrib-versions.bundle"
LOW_OVERLAP = 1 / 3


def main() -> int:
    from clausewatch.archive.sources import iter_source_versions, open_source_repository

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bundle", type=Path, default=BUNDLE)
    parser.add_argument("--work", type=Path, help="keep the clone and the list of rewrites here")
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if not args.bundle.is_file():
        print(f"skipped: the bundle {args.bundle.resolve()} is absent (see ../shared/data/README.md)")
        return 0
    work = args.work or Path(tempfile.mkdtemp(prefix="measure-alignment-"))
    work.mkdir(parents=True, exist_ok=True)
    cache = work / "rewrites.json"
    with open_source_repository(args.bundle.resolve()) as repo:
        if not cache.is_file():
            cache.write_text(json.dumps(find_rewrites(repo, iter_source_versions)), encoding="utf-8")
        rewrites = json.loads(cache.read_text(encoding="utf-8"))[: args.top]
        texts = read_pairs(repo, rewrites)
    figures = measure(rewrites, texts)
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


def find_rewrites(repo: Path, iter_source_versions) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    """Every consecutive pair of versions with their clause-text difference, largest first."""
    from clausewatch.archive.sources import iter_source_commits
    from clausewatch.diff.clauses import full_text, split_clauses

    paths = sorted({c.path for commit in iter_source_commits(repo, "refs/heads/main") for c in commit.changes
                    if c.path.endswith(".md")})
    found = []
    for path, versions in iter_source_versions(repo, paths):
        previous: set[str] | None = None
        for older, newer in zip([None, *versions], versions, strict=False):
            texts = {full_text(c) for c in split_clauses(newer.text)}
            if previous is not None and older is not None:
                size = len(previous ^ texts)
                if size:
                    found.append({"path": path, "old": older.commit, "new": newer.commit, "changed": size})
            previous = texts
        print(f"{path}: {len(versions)} versions", file=sys.stderr)
    return sorted(found, key=lambda r: (-int(r["changed"]), str(r["path"])))  # type: ignore[call-overload]


def read_pairs(repo: Path, rewrites: list[dict[str, object]]) -> list[tuple[str, str]]:
    from clausewatch.archive.git import git

    return [(git(repo, "show", f"{r['old']}:{r['path']}").decode("utf-8", "replace"),
             git(repo, "show", f"{r['new']}:{r['path']}").decode("utf-8", "replace")) for r in rewrites]


def overlap(a: str, b: str) -> float:
    """Shared words (with multiplicity) over the words of the longer side."""
    from clausewatch.diff.clauses import plain_words

    old, new = Counter(w.lower() for w in plain_words(a)), Counter(w.lower() for w in plain_words(b))
    longest = max(sum(old.values()), sum(new.values()))
    return sum((old & new).values()) / longest if longest else 1.0


def measure(rewrites: list[dict[str, object]], texts: list[tuple[str, str]]) -> dict[str, object]:
    from clausewatch.diff.clauses import full_text
    from clausewatch.diff.compare import diff_texts

    rows, paired, low = [], 0, 0
    for rewrite, (old, new) in zip(rewrites, texts, strict=True):
        diff = diff_texts(old, new)
        pairs = [c for c in diff.changes if c.before is not None and c.after is not None
                 and (c.kind != "moved" or c.words)]
        scores = [overlap(" ".join(full_text(x) for x in (c.before, *(c.others if c.kind == "merged" else ()))),
                          " ".join(full_text(x) for x in (c.after, *(c.others if c.kind == "split" else ()))))
                  for c in pairs]
        weak = sum(1 for s in scores if s < LOW_OVERLAP)
        paired, low = paired + len(pairs), low + weak
        rows.append({"path": rewrite["path"], "new": str(rewrite["new"])[:12], "changed": rewrite["changed"],
                     "changes": len(diff.changes), "pairings": len(pairs), "low_overlap": weak})
    return {"rewrites": len(rows), "pairings": paired, "low_overlap_pairings": low,
            "low_overlap_share": round(low / paired, 3) if paired else 0.0, "rows": rows}


if __name__ == "__main__":
    sys.exit(main())
