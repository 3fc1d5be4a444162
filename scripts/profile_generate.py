"""Profile page generation on an imported workspace: where the seconds of `generate_document` go.

    python scripts/profile_generate.py WORKSPACE [--every 20] [--top 25]

Generates every K-th document (by key) in one process under cProfile, prints the total, the share of
the clause-history work (issue 16: lineage, clause pages, who says it today) and the functions that
cost the most. WORKSPACE is one `scripts/bench_scale.py --work DIR` imported (`DIR/workspace`).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

CLAUSE_WORK = {"trace_clauses", "plan_clause_site", "card_links", "clause_files", "current_text_links",
               "clause_data_files", "says_today"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("workspace", type=Path)
    parser.add_argument("--every", type=int, default=20, help="generate every K-th document")
    parser.add_argument("--top", type=int, default=25, help="functions listed by own time")
    args = parser.parse_args()
    from clausewatch.archive.git import BlobReader
    from clausewatch.archive.read import iter_log, open_archive
    from clausewatch.site.generate import generate_job, group_log
    from clausewatch.site.incremental import DocumentJob
    from clausewatch.workspace import Workspace

    archive = open_archive(Workspace(args.workspace).archive)
    logs = group_log(archive, iter_log(archive), [])
    keys = sorted(logs)[::max(1, args.every)]
    profile = cProfile.Profile()
    started = time.perf_counter()
    with BlobReader(archive) as reader:
        for key in keys:
            profile.enable()
            generate_job(archive, reader, DocumentJob(key, tuple(logs[key]), (), "profile"), {})
            profile.disable()
    stats = pstats.Stats(profile)
    own = {name: row[3] for (_, _, name), row in stats.stats.items()}  # type: ignore[attr-defined]
    total = own.get("generate_document", 0.0)
    clause = sum(own.get(name, 0.0) for name in CLAUSE_WORK)
    print(f"{len(keys)} documents, {sum(len(logs[k]) for k in keys)} versions, "
          f"{time.perf_counter() - started:.1f} s; generate_document {total:.1f} s")
    print(f"clause-history work: {clause:.1f} s ({100 * clause / max(total, 1e-9):.1f}%)")
    stats.sort_stats("tottime").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
