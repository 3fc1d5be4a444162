"""Topic tagging on real histories: CPU time, tags per topic, and a random sample to judge by hand.

    python scripts/measure_topics.py ../shared/data/ota-contrib-versions.bundle \
        "Amazon Web Services/Terms of Service.md" "Airbnb/Privacy Policy.md" --sample 30 --seed 11

Reads the bundle through clausewatch.archive, classifies each document's history (iter_history), then
times `tag_diff` alone (CPU time) and prints `--sample` tagged clauses with the words that matched.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from pathlib import Path

from clausewatch.archive.sources import iter_source_versions, open_source_repository
from clausewatch.diff.history import iter_history
from clausewatch.diff.topics import iter_changed_matches, load_rule_set, tag_diff
from clausewatch.models import Diff


def read_diffs(bundle: Path, paths: list[str]) -> list[Diff]:
    """The clause diffs of every recorded change of `paths` (untagged)."""
    diffs: list[Diff] = []
    with open_source_repository(bundle) as repo:
        for _path, versions in iter_source_versions(repo, paths):
            diffs += [e.diff for e in iter_history(versions) if e.diff is not None]
    return diffs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bundle", type=Path)
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--sample", type=int, default=30)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    rules = load_rule_set()
    diffs = read_diffs(args.bundle, args.paths)
    start = time.process_time()
    tagged = [tag_diff(d, rules.topics) for d in diffs]
    seconds = time.process_time() - start
    changes = [c for d in tagged for c in d.changes if c.change_class == "substantive"]
    counts = Counter(t for c in changes for t in c.topics)
    print(f"rules v{rules.version}: {len(diffs)} diffs, {len(changes)} substantive clause changes, "
          f"{sum(1 for c in changes if c.topics)} with a topic; tag_diff {seconds:.2f} s CPU")
    print(counts.most_common())
    pairs = []
    for change in changes:
        for side, text, matches in iter_changed_matches(change, rules.topics):
            for topic in change.topics:
                mine = [m for m in matches if m.topic_id == topic]
                if mine:
                    lo, hi = min(m.start for m in mine) - 100, max(m.end for m in mine) + 100
                    pairs.append((topic, side, change.kind, [m.matched for m in mine],
                                  " ".join(text[max(0, lo):hi].split())))
    random.seed(args.seed)
    for index, pair in enumerate(random.sample(pairs, min(args.sample, len(pairs)))):
        print(index, *pair[:4], "|", pair[4][:260], "\n")


if __name__ == "__main__":
    main()
