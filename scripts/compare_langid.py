"""Compare two language identification libraries on the OTA bundle: lingua-language-detector and py3langid.

    python scripts/compare_langid.py sample [--work DIR]     print the texts to label by hand (ids, heads)
    python scripts/compare_langid.py [run] [--work DIR] [--json FILE]

Ground truth: tests/data/langid/truth.csv (kind,commit,path,paragraph,language), labelled by reading:
`version` rows are whole recorded versions from the language/regional swap histories of label batch 4
(scripts/pick_variant_sample.py), up to PER_GUESS distinct texts per document and stop-word language guess
(so that each language of a history is in); `paragraph` rows
are paragraphs (blocks between blank lines, prose only, 30–1500 characters) of random versions of random
documents of the whole bundle, paragraph = index among the version's blocks; `swap-paragraph` rows are
paragraphs of the non-English versions among the `version` rows (the random ones are nearly all English).
`und` rows (mixed or no language) are left out of the scores.

Measured for each detector, each in its own process (so memory figures do not mix): the time and resident
memory to build it, milliseconds per version text and per paragraph, accuracy on versions, on all paragraphs
and on short ones (30–300 characters), and the peak resident memory. Detectors: `stopwords` (the no-dependency
guess of scripts/language_flips.py, as a baseline), `py3langid` (all 97 languages), `lingua` (all 75
languages, high accuracy, models preloaded), `lingua-low` (same, low accuracy mode). The libraries are not
project dependencies: install them in your venv to run this (`pip install lingua-language-detector
py3langid`). Without the bundle this prints why and exits 0.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from language_flips import Blobs, detector, iter_documents, prose
from measure_substantive import BUNDLE, ROOT, open_clone
from pick_variant_sample import SWAP_DOCUMENTS

TRUTH = ROOT / "tests/data/langid/truth.csv"
SEED = 20260405
PER_GUESS = 5
PARAGRAPHS_SHORT = 220
PARAGRAPHS_LONG = 80
SWAP_PARAGRAPHS = 120
SHORT = (30, 300)
DETECTORS = ("stopwords", "py3langid", "lingua", "lingua-low")
_BLOCK = re.compile(r"\n[ \t\u00a0]*\n")


def paragraphs(markdown: str) -> list[str]:
    """The prose of each block (between blank lines) of a version; index = position in this list."""
    return [re.sub(r"\s+", " ", prose(block)).strip() for block in _BLOCK.split(markdown)]


def pick_versions(repo: Path) -> list[tuple[str, str]]:
    """(commit, path) of versions with distinct texts from each swap document: up to PER_GUESS of each
    language the stop-word guess finds there (so that the minority languages are in), at random."""
    rng = random.Random(SEED)
    guess = detector("stopwords")
    picked = []
    with Blobs(repo) as blobs:
        for path, entries in iter_documents(repo, sorted(SWAP_DOCUMENTS)):
            first_by_blob: dict[str, str] = {}
            for commit, _, blob in entries:
                first_by_blob.setdefault(blob, commit)
            groups: dict[str, list[str]] = {}
            for blob, commit in sorted(first_by_blob.items()):
                groups.setdefault(guess(prose(blobs.read(blob))), []).append(commit)
            for _, commits in sorted(groups.items()):
                picked += [(commit, path) for commit in sorted(rng.sample(commits, min(PER_GUESS, len(commits))))]
    return picked


def pick_paragraphs(repo: Path) -> list[tuple[str, str, int, str]]:
    """(commit, path, index, text) of PARAGRAPHS_SHORT short and PARAGRAPHS_LONG longer paragraphs, each from
    a random version of a random document, at most one per document."""
    rng = random.Random(SEED + 1)
    histories = list(iter_documents(repo))
    rng.shuffle(histories)
    short: list[tuple[str, str, int, str]] = []
    long: list[tuple[str, str, int, str]] = []
    with Blobs(repo) as blobs:
        for path, entries in histories:
            if len(short) >= PARAGRAPHS_SHORT and len(long) >= PARAGRAPHS_LONG:
                break
            commit, _, blob = rng.choice(entries)
            blocks = [(i, text) for i, text in enumerate(paragraphs(blobs.read(blob))) if 30 <= len(text) <= 1500]
            want_short = len(short) < PARAGRAPHS_SHORT and (len(long) >= PARAGRAPHS_LONG or rng.random() < 0.75)
            pool = [b for b in blocks if (len(b[1]) <= SHORT[1]) == want_short]
            if pool:
                index, text = rng.choice(pool)
                (short if want_short else long).append((commit, path, index, text))
    return short + long


def pick_swap_paragraphs(repo: Path) -> list[tuple[str, str, int, str]]:
    """(commit, path, index, text) of SWAP_PARAGRAPHS paragraphs (30–1500 characters, three in four short)
    of the versions of pick_versions() that the stop-word guess does not find English: the bundle's random
    paragraphs are nearly all English."""
    rng = random.Random(SEED + 2)
    guess = detector("stopwords")
    pool_short: list[tuple[str, str, int, str]] = []
    pool_long: list[tuple[str, str, int, str]] = []
    with Blobs(repo) as blobs:
        for commit, path in pick_versions(repo):
            blob = subprocess.run(["git", "-C", str(repo), "rev-parse", f"{commit}:{path}"], check=True,
                                  capture_output=True, text=True).stdout.strip()
            markdown = blobs.read(blob)
            if guess(prose(markdown)) == "en":
                continue
            for index, text in enumerate(paragraphs(markdown)):
                if 30 <= len(text) <= 1500:
                    (pool_short if len(text) <= SHORT[1] else pool_long).append((commit, path, index, text))
    return (rng.sample(pool_short, SWAP_PARAGRAPHS * 3 // 4)
            + rng.sample(pool_long, SWAP_PARAGRAPHS - SWAP_PARAGRAPHS * 3 // 4))


def sample(repo: Path) -> None:
    """Print what to label: versions (head and middle of their prose) and paragraphs."""
    with Blobs(repo) as blobs:
        for commit, path in pick_versions(repo):
            blob = subprocess.run(["git", "-C", str(repo), "rev-parse", f"{commit}:{path}"], check=True,
                                  capture_output=True, text=True).stdout.strip()
            text = re.sub(r"\s+", " ", prose(blobs.read(blob)))
            middle = len(text) // 2
            print(f"version,{commit},{path},,  | {text[:110]!r} … {text[middle:middle + 80]!r}")
    for commit, path, index, text in pick_paragraphs(repo):
        print(f"paragraph,{commit},{path},{index},  | {text[:160]!r}")
    for commit, path, index, text in pick_swap_paragraphs(repo):
        print(f"swap-paragraph,{commit},{path},{index},  | {text[:160]!r}")


def load_truth(repo: Path) -> list[dict[str, str]]:
    """The truth rows with their text (`text`), `und` rows left out."""
    with TRUTH.open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["language"] != "und"]
    with Blobs(repo) as blobs:
        for row in rows:
            blob = subprocess.run(["git", "-C", str(repo), "rev-parse", f"{row['commit']}:{row['path']}"],
                                  check=True, capture_output=True, text=True).stdout.strip()
            markdown = blobs.read(blob)
            row["text"] = prose(markdown) if row["kind"] == "version" else paragraphs(markdown)[int(row["paragraph"])]
    return rows


def rss_kb(field: str = "VmRSS") -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def worker(method: str, texts_file: Path) -> dict[str, object]:
    """Run one detector over the texts (in this process only) and measure it."""
    rows = json.loads(texts_file.read_text(encoding="utf-8"))
    before = rss_kb()
    started = time.perf_counter()
    if method == "lingua-low":
        from lingua import LanguageDetectorBuilder

        built = (LanguageDetectorBuilder.from_all_languages().with_preloaded_language_models()
                 .with_low_accuracy_mode().build())

        def detect(text: str) -> str:
            found = built.detect_language_of(text)
            return found.iso_code_639_1.name.lower() if found is not None else "und"
    else:
        detect = detector(method)
    detect("Warm-up: this builds any lazily loaded model before timing.")
    build_s = time.perf_counter() - started
    after_build = rss_kb()
    result: dict[str, object] = {"method": method, "build_s": build_s, "build_mb": (after_build - before) / 1024}
    for kind in ("version", "paragraph", "swap-paragraph"):
        part = [row for row in rows if row["kind"] == kind]
        started = time.perf_counter()
        guesses = [detect(row["text"]) for row in part]
        elapsed = time.perf_counter() - started
        result[kind] = {"n": len(part), "ms_each": 1000 * elapsed / max(1, len(part)),
                        "chars_each": sum(len(row["text"]) for row in part) / max(1, len(part)),
                        "guesses": guesses}
    result["peak_mb"] = (rss_kb("VmHWM") - before) / 1024
    return result


def accuracy(rows: list[dict[str, str]], guesses: list[str], keep=lambda row: True) -> tuple[float, int]:
    pairs = [(row["language"], guess) for row, guess in zip(rows, guesses, strict=True) if keep(row)]
    return (sum(a == b for a, b in pairs) / len(pairs) if pairs else 0.0), len(pairs)


def run(repo: Path, json_out: Path | None) -> None:
    rows = load_truth(repo)
    kinds = Counter(r["kind"] for r in rows)
    short = sum(r["kind"] != "version" and len(r["text"]) <= SHORT[1] for r in rows)
    print(f"ground truth: {kinds['version']} versions, {kinds['paragraph']} random paragraphs, "
          f"{kinds['swap-paragraph']} paragraphs of non-English versions ({short} paragraphs of 30–300 chars); "
          f"languages {dict(Counter(r['language'] for r in rows).most_common())}")
    results = []
    with tempfile.TemporaryDirectory(prefix="clausewatch-langid-") as tmp:
        texts = Path(tmp) / "texts.json"
        texts.write_text(json.dumps([{"kind": r["kind"], "text": r["text"]} for r in rows]), encoding="utf-8")
        for method in DETECTORS:
            out = subprocess.run([sys.executable, __file__, "worker", "--method", method, "--texts", str(texts)],
                                 check=True, capture_output=True, text=True).stdout
            results.append(json.loads(out))
    kinds = ("version", "paragraph", "swap-paragraph")
    parts = {kind: [r for r in rows if r["kind"] == kind] for kind in kinds}
    print(f"{'detector':<11} {'build s':>7} {'build MB':>8} {'peak MB':>7} {'ms/version':>10} {'ms/para':>8} "
          f"{'acc versions':>12} {'acc paras':>9} {'acc swap paras':>14} {'acc 30-300':>10}")
    summary = []
    for result in results:
        guesses = {kind: result[kind]["guesses"] for kind in kinds}
        acc_v, _ = accuracy(parts["version"], guesses["version"])
        acc_p, _ = accuracy(parts["paragraph"], guesses["paragraph"])
        acc_w, _ = accuracy(parts["swap-paragraph"], guesses["swap-paragraph"])
        paras = parts["paragraph"] + parts["swap-paragraph"]
        para_guesses = guesses["paragraph"] + guesses["swap-paragraph"]
        acc_s, n_s = accuracy(paras, para_guesses, lambda row: len(row["text"]) <= SHORT[1])
        ms_para = ((result["paragraph"]["ms_each"] * len(parts["paragraph"])
                    + result["swap-paragraph"]["ms_each"] * len(parts["swap-paragraph"])) / max(1, len(paras)))
        print(f"{result['method']:<11} {result['build_s']:>7.2f} {result['build_mb']:>8.0f} {result['peak_mb']:>7.0f} "
              f"{result['version']['ms_each']:>10.2f} {ms_para:>8.3f} {acc_v:>12.1%} {acc_p:>9.1%} {acc_w:>14.1%} "
              f"{acc_s:>10.1%}")
        summary.append({k: result[k] for k in ("method", "build_s", "build_mb", "peak_mb")}
                       | {"ms_per_version": result["version"]["ms_each"], "ms_per_paragraph": ms_para,
                          "accuracy_versions": acc_v, "accuracy_paragraphs": acc_p, "accuracy_swap_paragraphs": acc_w,
                          "accuracy_short_paragraphs": acc_s, "short_paragraphs": n_s})
    print(f"(mean sizes: version {results[0]['version']['chars_each']:.0f} chars of prose, paragraph "
          f"{results[0]['paragraph']['chars_each']:.0f} chars, swap paragraph "
          f"{results[0]['swap-paragraph']['chars_each']:.0f} chars)")
    for result in results:
        wrong = [(r, g) for kind in kinds for r, g in zip(parts[kind], result[kind]["guesses"], strict=True)
                 if r["language"] != g]
        print(f"\n{result['method']} errors ({len(wrong)}):")
        for row, guess in wrong[:40]:
            print(f"  {row['kind']:<14} {row['commit'][:10]} {row['path'][:36]:<36} {row['paragraph']:>4} "
                  f"{row['language']}→{guess}  {row['text'][:70]!r}")
    if json_out:
        json_out.write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", nargs="?", choices=["run", "sample", "worker"], default="run")
    parser.add_argument("--method", choices=DETECTORS)
    parser.add_argument("--texts", type=Path)
    parser.add_argument("--json", type=Path, help="Also write the summary table to this JSON file.")
    parser.add_argument("--bundle", type=Path, default=BUNDLE)
    parser.add_argument("--work", type=Path, help="Folder for the clone (kept and reused), or a clone.")
    options = parser.parse_args(argv)
    if options.mode == "worker":
        print(json.dumps(worker(options.method, options.texts)))
        return 0
    if not options.bundle.is_file():
        print(f"skipped: the bundle '{options.bundle}' is absent (it lives in ../shared/data/)")
        return 0
    with tempfile.TemporaryDirectory(prefix="clausewatch-langid-") as tmp:
        repo = open_clone(options.bundle, options.work or Path(tmp)).repo
        if options.mode == "sample":
            sample(repo)
        else:
            run(repo, options.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
