"""Benchmark `clausewatch track`: 1,000 documents across 100 loopback hosts with 100 ms latency.

    /work/venv/bin/python scripts/bench_track.py [--documents 1000] [--hosts 100] [--latency 0.1]

Each "host" is its own HTTP server on its own loopback address (127.0.0.2, 127.0.0.3, ...), answering
every request after `latency` seconds. Three `track` runs (subprocesses) are timed: the first records
every document, the second finds every page unchanged, the third (after the pages change) records them
all again. Printed: wall time, documents per second, peak memory of the `track` process
(`resource.getrusage(RUSAGE_CHILDREN)`), and a baseline in the same run: a sequential fetch of a sample,
extrapolated to all documents, with its ratio to the first run. Not a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from faults import FaultServer  # noqa: E402 (the fault server lives with the tests)

from clausewatch.commands.init import init_workspace  # noqa: E402
from clausewatch.scraper.fetch import fetch  # noqa: E402


def start_hosts(count: int, latency: float) -> list[FaultServer]:
    """One server per loopback address 127.0.0.2 ... (Linux routes all of 127/8 to loopback)."""
    return [FaultServer(host=f"127.0.{(n + 2) // 256}.{(n + 2) % 256}", latency=latency).start()
            for n in range(count)]


def write_declarations(workspace: Path, servers: list[FaultServer], documents: int) -> list[str]:
    """`services/bench-<host>.yml`, documents spread evenly over the hosts; return every URL."""
    urls = []
    per_host: dict[int, list[str]] = {}
    for n in range(documents):
        host = n % len(servers)
        url = servers[host].url(f"/doc/{n}")
        per_host.setdefault(host, []).append(f"  doc-{n}:\n    url: {url}\n    select: main\n")
        urls.append(url)
    for host, entries in per_host.items():
        (workspace / "services" / f"bench-{host}.yml").write_text(
            f"name: Bench host {host}\ndocuments:\n{''.join(entries)}", encoding="utf-8")
    return urls


def timed_track(workspace: Path) -> tuple[float, int, str]:
    """Run `clausewatch track` once; return wall seconds, exit code and the summary line."""
    command = [sys.executable, "-m", "clausewatch", "--root", str(workspace), "track",
               "--allow-private-addresses"]
    began = time.perf_counter()
    env = {"NO_COLOR": "1", "PATH": "/usr/bin:/bin", "HOME": str(workspace)}
    proc = subprocess.run(command, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - began
    lines = proc.stderr.splitlines()
    summary = next((line for line in lines if line.startswith("Tracked")), proc.stderr[-400:])
    return wall, proc.returncode, summary


def sequential_baseline(urls: list[str], sample: int) -> float:
    """Seconds to fetch `sample` URLs one after another, extrapolated to all of them."""
    began = time.perf_counter()
    for url in urls[:sample]:
        fetch(url, allow_private=True)
    return (time.perf_counter() - began) / sample * len(urls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per request, server side")
    parser.add_argument("--sample", type=int, default=40, help="documents fetched sequentially (baseline)")
    args = parser.parse_args()
    servers = start_hosts(args.hosts, args.latency)
    with tempfile.TemporaryDirectory(prefix="clausewatch-bench-") as tmp:
        workspace = init_workspace(Path(tmp) / "ws")
        urls = write_declarations(workspace, servers, args.documents)
        print(f"{args.documents} documents, {args.hosts} hosts, {args.latency * 1000:.0f} ms latency")
        results = []
        for label in ("first run (all new)", "second run (unchanged)", "third run (all changed)"):
            if label.startswith("third"):
                for server in servers:
                    server.round += 1
            wall, code, summary = timed_track(workspace)
            results.append(wall)
            print(f"{label:<26} {wall:7.1f} s  {args.documents / wall:7.1f} docs/s  exit {code}  | {summary}")
        peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"peak memory of track (max RSS of the child processes): {peak_mib:.0f} MiB")
        baseline = sequential_baseline(urls, args.sample)
        print(f"sequential baseline: {args.sample} fetches, extrapolated to {args.documents}: "
              f"{baseline:.1f} s (the first run is {baseline / results[0]:.1f}x faster; "
              "the baseline only fetches, it records nothing)")
    for server in servers:
        server.stop()


if __name__ == "__main__":
    main()
