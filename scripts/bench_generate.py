"""Per-version generation cost of real documents: CPU seconds of `generate_document` (pages, extras).

    /work/venv/bin/python scripts/bench_generate.py WORKSPACE service/document[,service/document...] [--profile]

WORKSPACE is an imported workspace (e.g. `clausewatch import ota ../shared/data/ota-contrib-versions.bundle`
into a folder under /tmp). CPU time (`time.process_time`), not wall time: the machine is shared. The
diff engine's caches are cleared before each document, so each figure is that document on its own.
`--profile` prints the top of a cProfile report for each document.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
from pathlib import Path

from clausewatch.archive.git import BlobReader
from clausewatch.archive.read import iter_log, open_archive
from clausewatch.diff.compare import clear_caches
from clausewatch.site.generate import generate_job, group_log
from clausewatch.site.incremental import DocumentJob
from clausewatch.workspace import Workspace, read_site_config


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("workspace", type=Path)
    parser.add_argument("documents", help="comma-separated document keys (service/document)")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    workspace = Workspace(args.workspace.resolve())
    archive = open_archive(workspace.archive)
    config = read_site_config(workspace)
    logs = group_log(archive, iter_log(archive))
    for key in args.documents.split(","):
        entries = logs[key]
        clear_caches()
        job = DocumentJob(key, tuple(entries), (), "")
        profile = cProfile.Profile() if args.profile else None
        with BlobReader(archive) as reader:
            start = time.process_time()
            if profile:
                profile.enable()
            generate_job(archive, reader, job, config)
            if profile:
                profile.disable()
            cpu = time.process_time() - start
        print(f"{key}: {len(entries)} versions, {cpu:.1f} s CPU, {1000 * cpu / len(entries):.1f} ms/version",
              flush=True)
        if profile:
            pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
