"""Regional variants and leaked blocks in the OTA bundle: figures for tests/data/labels/FINDINGS.md (issue 14).

    python scripts/variant_study.py closer [--work DIR] [--window 20]   (a) closer to an earlier text?
    python scripts/variant_study.py leaks [--work DIR]                   (b) menus and pickers leaking in

(a) For every recorded change of the swap histories (scripts/pick_variant_sample.py) whose canonical text
differs from the previous version's: the rapidfuzz ratio of its canonical text to the previous one's, and the
best ratio to the other texts recorded earlier (the last --window distinct ones; 0 when none is closer than
the previous one). A version is "much closer to
an earlier recorded text" when best − previous ≥ a margin; printed: how many changes pass each margin, exact
returns (best = 100) apart, per document, and how the hand labels (tests/data/labels/) of those changes fall
on each side.

(b) Every distinct text of every document searched for phrases of site chrome (language and region pickers,
site menus): per document and phrase, how many versions hold it and how often it appears or disappears
between consecutive versions, with the line it sits in.

Without the bundle this prints why and exits 0.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

from language_flips import Blobs, iter_documents
from measure_substantive import BUNDLE, open_clone, read_label_files
from pick_variant_sample import SWAP_DOCUMENTS
from rapidfuzz import fuzz

# --- The project's modules: the only lines that name them (update these after the package restructure). ---
from clausewatch.diff.normalize import canonical_key, canonical_text

# ------------------------------------------------------------------------------------------------------------

MARGINS = (1, 2, 5, 10, 20, 30, 40)
LEAK_PHRASES = {
    "select a language": r"select (?:a |your )?language",
    "choose your language": r"choose (?:a |your )?language",
    "change language": r"change language",
    "language picker list": r"(?:english|deutsch|español|français|italiano)(?:\s*[|*·•\n]\s*\**\s*"
                            r"(?:english|deutsch|español|français|italiano|português|nederlands|日本語|한국어)){3,}",
    "by industry": r"\bby industry\b",
    "select your region/country": r"(?:select|choose) (?:a |your )?(?:region|country|location)",
    "region list": r"(?:united states|united kingdom|deutschland|france|españa|canada)(?:\s*(?:\([^)]*\))?\s*"
                   r"[|*·•\n]\s*\**\s*(?:united states|united kingdom|deutschland|france|españa|canada|"
                   r"australia|ireland|india|italia)){3,}",
}
_PHRASES = {name: re.compile(pattern, re.IGNORECASE) for name, pattern in LEAK_PHRASES.items()}


def closer(repo: Path, window: int) -> None:
    labels = {row.key: row for row in read_label_files()}
    rows = []
    ratio_cache: dict[tuple[str, str], float] = {}
    canon: dict[str, str] = {}
    """Canonical text by canonical key (keys are hashes: shared by all documents)."""

    def ratio(a: str, b: str) -> float:
        pair = (a, b) if a < b else (b, a)
        if pair not in ratio_cache:
            ratio_cache[pair] = fuzz.ratio(canon[a], canon[b])
        return ratio_cache[pair]

    with Blobs(repo) as blobs:
        for path, entries in iter_documents(repo, sorted(SWAP_DOCUMENTS)):
            key_of: dict[str, str] = {}
            recent: list[str] = []  # distinct canonical keys, most recently seen last
            previous_key = None
            for commit, stamp, blob in entries:
                if blob not in key_of:
                    text = blobs.read(blob)
                    key = canonical_key(text)
                    key_of[blob] = key
                    canon.setdefault(key, canonical_text(text))
                key = key_of[blob]
                if previous_key is not None and key != previous_key:
                    r_prev = ratio(previous_key, key)
                    candidates = [other for other in recent[-window:] if other != previous_key]
                    if key in candidates:
                        best, best_key = 100.0, key
                    else:
                        best, best_key = 0.0, None
                        for other in candidates:
                            # only a text closer than the previous one matters: the cutoff lets rapidfuzz stop early
                            r = fuzz.ratio(canon[other], canon[key], score_cutoff=max(best, r_prev))
                            if r > best:
                                best, best_key = r, other
                    label = labels.get((commit, path))
                    rows.append((path, commit, stamp, r_prev, best, best_key == key, label))
                if key in recent:
                    recent.remove(key)
                recent.append(key)
                previous_key = key
    print(f"{len(rows)} recorded changes with a new canonical text in {len(SWAP_DOCUMENTS)} swap histories "
          f"({len(ratio_cache)} ratios computed)")
    print(f"{'margin':>6} {'closer':>7} {'share':>6} {'exact':>6} {'near':>6}   labels of the 'closer' ones "
          f"(legal/date would be missed)")
    for margin in MARGINS:
        hit = [r for r in rows if r[4] - r[3] >= margin]
        exact = sum(r[5] for r in hit)
        by_label = Counter(r[6].label for r in hit if r[6])
        print(f"{margin:>6} {len(hit):>7} {len(hit) / len(rows):>6.1%} {exact:>6} {len(hit) - exact:>6}   "
              f"{dict(by_label)}")
    print("\nper document (margin 10): changes, closer to an earlier text, of which exact returns")
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for path, _, _, r_prev, best, exact, _ in rows:
        per[path][0] += 1
        if best - r_prev >= 10:
            per[path][1] += 1
            per[path][2] += exact
    for path, (n, hit, exact) in sorted(per.items(), key=lambda item: -item[1][0]):
        print(f"  {path:<45} {n:>5} {hit:>5} ({hit / n:5.1%}) {exact:>5}")
    print("\nlabelled changes of these histories: label, previous ratio, best earlier ratio, exact?, reason")
    for path, commit, _, r_prev, best, exact, label in sorted(rows, key=lambda r: (r[6].label if r[6] else "", r[0])):
        if label:
            print(f"  {label.label:<8} {r_prev:6.1f} {best:6.1f} {'=' if exact else ' '} {commit[:10]} {path[:30]:<30} "
                  f"{label.reason[:80]}")
    print("\nnear returns (not exact) with margin ≥ 10, first 25:")
    near = [r for r in rows if r[4] - r[3] >= 10 and not r[5]]
    for path, commit, stamp, r_prev, best, _, label in near[:25]:
        print(f"  {commit[:10]} {datetime.fromtimestamp(stamp, UTC):%Y-%m-%d} {path[:40]:<40} prev {r_prev:5.1f} "
              f"best {best:5.1f} {label.label if label else ''}")


def leaks(repo: Path) -> None:
    found: dict[tuple[str, str], dict[str, object]] = {}
    with Blobs(repo) as blobs:
        hits_of: dict[str, dict[str, str]] = {}
        for path, entries in iter_documents(repo):
            previous: set[str] | None = None
            for commit, _, blob in entries:
                if blob not in hits_of:
                    text = blobs.read(blob)
                    hits = {}
                    for name, pattern in _PHRASES.items():
                        match = pattern.search(text)
                        if match:
                            start = text.rfind("\n", 0, match.start()) + 1
                            end = text.find("\n", match.end())
                            hits[name] = text[start: end if end >= 0 else None].strip()[:160]
                    hits_of[blob] = hits
                hits = hits_of[blob]
                for name, line in hits.items():
                    item = found.setdefault((path, name), {"versions": 0, "toggles": 0, "commit": commit,
                                                           "line": line})
                    item["versions"] += 1
                if previous is not None:
                    for name in previous ^ set(hits):
                        item = found.setdefault((path, name), {"versions": 0, "toggles": 0, "commit": commit,
                                                               "line": hits.get(name, "")})
                        item["toggles"] += 1
                        if name in hits:
                            item["commit"], item["line"] = commit, hits[name]
                previous = set(hits)
    by_phrase = Counter(name for (_, name), item in found.items() if item["versions"])
    print(f"documents holding each phrase in at least one version: {dict(by_phrase)}")
    print("\ndocuments where a phrase leaks in or out (toggles), most toggles first:")
    rows = sorted(((item["toggles"], item["versions"], path, name, item["commit"], item["line"])
                   for (path, name), item in found.items() if item["toggles"]), reverse=True)
    for toggles, versions, path, name, commit, line in rows[:60]:
        print(f"  {toggles:>4} toggles {versions:>5} versions  {path[:42]:<42} {name:<26} {commit[:10]} {line!r}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["closer", "leaks"])
    parser.add_argument("--window", type=int, default=20, help="Distinct earlier texts compared with each version.")
    parser.add_argument("--bundle", type=Path, default=BUNDLE)
    parser.add_argument("--work", type=Path, help="Folder for the clone (kept and reused), or a clone.")
    options = parser.parse_args(argv)
    if not options.bundle.is_file():
        print(f"skipped: the bundle '{options.bundle}' is absent (it lives in ../shared/data/)")
        return 0
    with tempfile.TemporaryDirectory(prefix="clausewatch-variants-") as tmp:
        repo = open_clone(options.bundle, options.work or Path(tmp)).repo
        if options.mode == "closer":
            closer(repo, options.window)
        else:
            leaks(repo)
    return 0


if __name__ == "__main__":
    sys.exit(main())
