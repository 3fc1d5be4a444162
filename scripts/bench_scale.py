"""Benchmark at real scale: import Open Terms Archive's contrib-versions bundle, classify, build, rebuild.

    /work/venv/bin/python scripts/bench_scale.py [--bundle PATH] [--work DIR] [--no-build] [--json FILE]

Reports, for the whole bundle (`../shared/data/ota-contrib-versions.bundle` from the project root):
import wall time and versions/second; versions kept vs skipped (noise, re-extraction, empty); the
classes `iter_history` gives the kept versions (substantive changes found); the full `build_site`
time split by step; generated page count; site size on disk; peak memory (this process and its largest
child); Pagefind bytes one query loads; and the time of an incremental rebuild after one new version.
Skips with a message (exit 0) when the bundle is absent. Targets (2 cores): import < 5 min, full
build < 10 min and < 1 GB, incremental rebuild < 60 s.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import json
import resource
import shutil
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "../shared/data/ota-contrib-versions.bundle"
QUERY_WORD = "arbitration"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bundle", type=Path, default=BUNDLE)
    parser.add_argument("--work", type=Path, help="keep the workspace here (default: a temporary folder)")
    parser.add_argument("--no-build", action="store_true", help="stop after the import and classification")
    parser.add_argument("--no-history", action="store_true", help="do not classify the versions")
    parser.add_argument("--sample", type=int, default=1, metavar="K",
                        help="import only every K-th document (by id) when the full build is too slow")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse the workspace already imported in --work (measure the build only)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    if not args.bundle.is_file():
        print(f"skipped: the bundle {args.bundle.resolve()} is absent (see ../shared/data/README.md)")
        return 0
    with contextlib.ExitStack() as stack:
        work = args.work or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-scale-")))
        figures = run(args.bundle.resolve(), work.resolve(), build=not args.no_build,
                      history=not args.no_history, reuse=args.reuse and args.work is not None,
                      sample=max(1, args.sample))
    text = json.dumps(figures, indent=2, default=str)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return 0


def run(bundle: Path, work: Path, *, build: bool, history: bool, reuse: bool,
        sample: int = 1) -> dict[str, object]:
    from clausewatch.commands.init import init_workspace

    workspace_dir = work / "workspace"
    figures: dict[str, object] = {"bundle": str(bundle), "started": datetime.now(UTC).isoformat(),
                                  "sample": f"every {sample}th document" if sample > 1 else "all documents"}
    if reuse and (workspace_dir / "mkdocs.yml").is_file():
        workspace = _workspace(workspace_dir)
        figures["import"] = "reused the workspace imported by an earlier run"
    else:
        if workspace_dir.exists():
            shutil.rmtree(workspace_dir)
        workspace = _workspace(init_workspace(workspace_dir))
        figures["import"] = measure_import(workspace, bundle, sample_keys(bundle, sample) if sample > 1 else ())
    if history:
        figures["history"] = measure_history(workspace)
    figures["peak_rss_mb_before_build"] = _peak_rss()
    if build:
        figures["build"] = measure_build(workspace, work / "site")
    figures["peak_rss_mb"] = _peak_rss()
    return figures


def _workspace(root: Path):  # noqa: ANN202 - the Workspace type is imported lazily
    from clausewatch.workspace import Workspace

    return Workspace(root)


def sample_keys(bundle: Path, every: int) -> list[str]:
    """Every `every`-th document id of the bundle, sorted (a deterministic sample)."""
    from clausewatch.archive.sources import iter_source_commits, open_source_repository, resolve_source_ref
    from clausewatch.importer.ota import plan_versions

    with open_source_repository(bundle) as src:
        versions, _ = plan_versions(list(iter_source_commits(src, resolve_source_ref(src))))
    return sorted({v.key for v in versions})[::every]


def measure_import(workspace, bundle: Path, only: list[str] | tuple[()] = ()) -> dict[str, object]:  # noqa: ANN001
    """Import the bundle (or the `only` documents); then run it again (nothing new: the idempotent path)."""
    from clausewatch.importer.ota import import_ota

    report = import_ota(workspace, bundle, only=only,
                        progress=lambda line: print(f"  {line}", file=sys.stderr))
    print(report.summary(), file=sys.stderr)
    again = import_ota(workspace, bundle, only=only)
    return {
        "seconds": round(report.seconds, 1),
        "versions_examined": report.examined,
        "versions_per_second": round(report.examined / report.seconds, 1),
        "kept": report.kept,
        "skipped": report.skipped,
        "reextractions_kept": report.reextractions_kept,
        "documents": report.documents,
        "second_run_seconds": round(again.seconds, 1),
        "second_run_kept": again.kept,
        "archive_pack_mb": round(_size(workspace.root / ".git" / "objects") / 1e6, 1),
    }


def measure_history(workspace) -> dict[str, object]:  # noqa: ANN001
    """Classify every kept version with `iter_history`, reading the archive once (one log, one cat-file)."""
    from clausewatch.archive.git import BlobReader
    from clausewatch.archive.read import iter_log, open_archive, to_version
    from clausewatch.diff.history import iter_history

    started = time.perf_counter()
    archive = open_archive(workspace.archive)
    by_path: dict[str, list] = {}
    for entry in iter_log(archive):
        by_path.setdefault(entry.path, []).append(entry)
    classes: Counter[str] = Counter()
    with BlobReader(archive) as reader:
        for entries in by_path.values():
            versions = [to_version(archive, e, reader.read(e.blob).decode("utf-8")) for e in entries]
            classes.update(entry.version_class for entry in iter_history(versions))
    return {"seconds": round(time.perf_counter() - started, 1), "documents": len(by_path),
            "classes": dict(classes), "substantive_changes": classes["substantive"]}


def measure_build(workspace, site_dir: Path) -> dict[str, object]:  # noqa: ANN001
    """Full build with per-step timings, then one new version and an incremental rebuild."""
    try:
        from clausewatch.site.build import build_site
    except ImportError as exc:
        return {"missing": f"clausewatch.site.build is not available yet ({exc})"}
    full_seconds, full_steps = _timed_build(build_site, workspace, site_dir, full=True)
    figures: dict[str, object] = {
        "full_seconds": full_seconds,
        "full_steps": full_steps,
        "html_pages": sum(1 for _ in site_dir.rglob("*.html")),
        "generated_markdown_pages": sum(1 for _ in workspace.docs.rglob("*.md")),
        "site_mb": round(_size(site_dir) / 1e6, 1),
        "pagefind_mb": round(_size(site_dir / "pagefind") / 1e6, 1),
        "pagefind_query": pagefind_query_bytes(site_dir / "pagefind", QUERY_WORD),
        "pages_by_kind": pages_by_kind(site_dir),
    }
    figures["site_bytes_on_disk"] = _disk_usage(site_dir)
    figures["new_version"] = add_one_version(workspace)
    seconds, steps = _timed_build(build_site, workspace, site_dir)
    figures["incremental_seconds"], figures["incremental_steps"] = seconds, steps
    figures["full_over_incremental"] = round(full_seconds / max(seconds, 0.1), 1)
    figures["site_mb_after_rebuild"] = round(_size(site_dir) / 1e6, 1)
    return figures


def pages_by_kind(site_dir: Path) -> dict[str, dict[str, float]]:
    """HTML pages and their megabytes by kind: clause histories (`<doc>/clauses/<id>/`), as-of texts
    (`<doc>/as-of/<slug>/`) and the rest, so a new kind of page shows what it costs."""
    kinds: dict[str, dict[str, float]] = {}
    for page in site_dir.rglob("index.html"):
        parts = page.relative_to(site_dir).parts
        kind = "clause" if "clauses" in parts[2:3] else "as-of" if "as-of" in parts[2:3] else "other"
        row = kinds.setdefault(kind, {"pages": 0, "mb": 0.0})
        row["pages"] += 1
        row["mb"] += page.stat().st_size / 1e6
    return {kind: {"pages": row["pages"], "mb": round(row["mb"], 1)} for kind, row in sorted(kinds.items())}


def _timed_build(build_site, workspace, site_dir: Path,  # noqa: ANN001
                 full: bool = False) -> tuple[float, dict[str, float]]:
    stderr = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stderr(stderr):
        build_site(workspace, site_dir, timings=True, full=full)
    seconds = round(time.perf_counter() - started, 1)
    print(stderr.getvalue(), file=sys.stderr)
    steps = {}
    for line in stderr.getvalue().splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[2] == "s":
            with contextlib.suppress(ValueError):
                steps[parts[0]] = float(parts[1])
    return seconds, steps


def add_one_version(workspace) -> str:  # noqa: ANN001
    """Record one new version of the busiest document (a clause appended), as `track` would."""
    from clausewatch.archive.read import iter_log, latest_text, open_archive, split_path
    from clausewatch.archive.write import record_version
    from clausewatch.models import Provenance

    archive = open_archive(workspace.archive)
    busiest = Counter(entry.path for entry in iter_log(archive)).most_common(1)[0][0]
    service, document = split_path(archive, busiest)
    text = (latest_text(archive, service, document) or "") + "\nWe may use your content to train models.\n"
    now = datetime.now(UTC).replace(microsecond=0)
    record_version(archive, service, document, text, Provenance("https://bench.invalid/", now, 200, "0" * 64))
    return f"{service}/{document}"


SEARCH_UI_FILES = ("search.js", "extras.css")
"""The theme's files for the search box (clausewatch/site/theme/assets/clausewatch/), in the built site."""


def pagefind_query_bytes(pagefind: Path, word: str) -> dict[str, int]:
    """Bytes a browser loads to search one word: UI, entry, JS, WASM, metadata, the index chunk(s) for
    the word, and the fragments of five results (average size).

    Chunks are found from the metadata file itself (gzip'd CBOR listing each chunk's first and last
    word), as Pagefind's JS does. The UI is our own (Pagefind's default UI is no longer loaded):
    `ui_js_css` counts the whole of the theme's search.js and the whole of extras.css, the stylesheet
    that holds the search box's styles, though only part of it styles search (an upper bound; both are
    loaded by every page). Pagefind's own files are counted from the bundle beside the site's assets.
    """
    if not pagefind.is_dir():
        return {}
    entry = json.loads((pagefind / "pagefind-entry.json").read_text("utf-8"))
    language = next(iter(entry["languages"].values()))
    meta = pagefind / f"pagefind.{language['hash']}.pf_meta"
    wasm = pagefind / f"wasm.{language.get('wasm') or 'unknown'}.pagefind"
    chunks = [pagefind / "index" / f"{h}.pf_index" for h in _chunks_for(meta.read_bytes(), word)]
    fragments = [p.stat().st_size for p in (pagefind / "fragment").glob("*.pf_fragment")]
    parts = {
        "ui_js_css": sum(_file_size(pagefind.parent / "assets" / "clausewatch" / name)
                         for name in SEARCH_UI_FILES),
        "entry_json": (pagefind / "pagefind-entry.json").stat().st_size,
        "pagefind_js_and_worker": _file_size(pagefind / "pagefind.js") + _file_size(pagefind / "pagefind-worker.js"),
        "wasm": _file_size(wasm),
        "meta": meta.stat().st_size,
        "index_chunks": sum(p.stat().st_size for p in chunks),
        "fragments_of_5_results": 5 * sum(fragments) // max(1, len(fragments)),
    }
    parts["total"] = sum(parts.values())
    parts["index_chunk_count"] = len(chunks)
    return parts


def _file_size(path: Path) -> int:
    return path.stat().st_size if path.is_file() else 0


def _chunks_for(meta_gz: bytes, word: str) -> list[str]:
    data = gzip.decompress(meta_gz)
    data = data[len(b"pagefind_dcd"):] if data.startswith(b"pagefind_dcd") else data
    meta, _ = _cbor(data, 0)
    chunks = meta[2] if isinstance(meta, list) and len(meta) > 2 else []
    return [c[2] for c in chunks if isinstance(c, list) and len(c) >= 3 and c[0] <= word <= c[1]]


def _cbor(data: bytes, at: int) -> tuple[object, int]:
    """A minimal CBOR reader (unsigned ints, strings, arrays, maps): enough for Pagefind's metadata."""
    major, info = data[at] >> 5, data[at] & 31
    at += 1
    if info < 24:
        value = info
    else:
        size = 1 << (info - 24)
        value, at = int.from_bytes(data[at:at + size], "big"), at + size
    if major in (0, 1):
        return (value if major == 0 else -1 - value), at
    if major in (2, 3):
        raw = data[at:at + value]
        return (raw.decode("utf-8", "replace") if major == 3 else raw), at + value
    if major == 4:
        items = []
        for _ in range(value):
            item, at = _cbor(data, at)
            items.append(item)
        return items, at
    if major == 5:
        mapping = {}
        for _ in range(value):
            key, at = _cbor(data, at)
            mapping[str(key)], at = _cbor(data, at)
        return mapping, at
    return None, at


def _disk_usage(path: Path) -> int:
    """Bytes the files take on disk (whole blocks), as `du` counts them."""
    return sum(p.stat().st_blocks * 512 for p in path.rglob("*") if p.is_file()) if path.exists() else 0


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


def _peak_rss() -> dict[str, float]:
    return {
        "self": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "largest_child": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
    }


if __name__ == "__main__":
    sys.exit(main())
