"""CPU per version of `generate_job` on a fixed sample of a workspace's documents, and an output check.

    /work/venv/bin/python scripts/bench_generate_sample.py WORKSPACE [--step 20] [--offset 0]
        [--save DIR | --compare DIR] [--profile N]

The sample is every `step`-th document key (sorted), starting at `offset`: with the defaults on the
full imported archive, 44 documents and 1,879 versions. The documents run serially in this process, with
the diff engine's caches kept between documents (as in a worker of `render_site`). CPU time
(`time.process_time`), not wall time: the machine is shared.

`--save DIR` pickles each `DocumentOutput` (files, summary, changes, topic hits) to DIR; `--compare DIR`
checks that every output equals the saved one (files byte for byte, then the whole dataclass), names
the first differences and exits 1 if any. `--profile N` prints the top N functions of a cProfile report.
"""

from __future__ import annotations

import argparse
import cProfile
import pickle
import pstats
import sys
import time
from pathlib import Path

from clausewatch.archive.git import BlobReader
from clausewatch.archive.read import iter_log, open_archive
from clausewatch.site.generate import generate_job, group_log, load_document_commentary
from clausewatch.site.incremental import DocumentJob
from clausewatch.site.views import DocumentOutput
from clausewatch.workspace import Workspace, read_site_config


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("workspace", type=Path)
    parser.add_argument("--step", type=int, default=20)
    parser.add_argument("--offset", type=int, default=0)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--save", type=Path)
    group.add_argument("--compare", type=Path)
    parser.add_argument("--profile", type=int, default=0)
    args = parser.parse_args()
    workspace = Workspace(args.workspace.resolve())
    archive = open_archive(workspace.archive)
    config = read_site_config(workspace)
    logs = group_log(archive, iter_log(archive))
    commentary = load_document_commentary(workspace)
    keys = sorted(logs)[args.offset::args.step]
    jobs = [DocumentJob(k, tuple(logs[k]), commentary.get(k, ()), f"bench-{k}") for k in keys]
    versions = sum(len(job.entries) for job in jobs)
    profile = cProfile.Profile() if args.profile else None
    outputs: list[DocumentOutput] = []
    cpu = 0.0
    with BlobReader(archive) as reader:
        for job in jobs:
            start = time.process_time()
            if profile:
                profile.enable()
            outputs.append(generate_job(archive, reader, job, config))
            if profile:
                profile.disable()
            cpu += time.process_time() - start
    print(f"{len(jobs)} documents, {versions} versions, {cpu:.1f} s CPU, "
          f"{1000 * cpu / versions:.2f} ms/version", flush=True)
    if profile:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(args.profile)
    if args.save:
        args.save.mkdir(parents=True, exist_ok=True)
        for output in outputs:
            (args.save / f"{output.key.replace('/', '__')}.pickle").write_bytes(pickle.dumps(output))
    if args.compare:
        return compare(outputs, args.compare)
    return 0


def compare(outputs: list[DocumentOutput], folder: Path) -> int:
    """0 when every output equals its saved twin; else the first differences printed and 1."""
    bad = 0
    for output in outputs:
        saved = pickle.loads((folder / f"{output.key.replace('/', '__')}.pickle").read_bytes())
        problems = _differences(saved, output)
        if problems:
            bad += 1
            print(f"DIFFERENT {output.key}: " + "; ".join(problems[:5]), file=sys.stderr)
    print(f"compare: {len(outputs) - bad} identical, {bad} different", flush=True)
    return 1 if bad else 0


def _differences(saved: DocumentOutput, output: DocumentOutput) -> list[str]:
    problems = []
    if set(saved.files) != set(output.files):
        problems.append(f"file sets differ: {sorted(set(saved.files) ^ set(output.files))[:5]}")
    problems += [f"file {p} differs" for p in sorted(saved.files)
                 if p in output.files and saved.files[p] != output.files[p]
                 or p in output.files and type(saved.files[p]) is not type(output.files[p])]
    for field in ("key", "cache_key", "summary", "changes", "topic_hits"):
        if getattr(saved, field) != getattr(output, field):
            problems.append(f"{field} differs")
    if not problems and saved != output:
        problems.append("outputs differ")
    return problems


if __name__ == "__main__":
    raise SystemExit(main())
