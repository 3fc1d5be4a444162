"""Short pages that replaced long texts in the OTA bundle, and which of them the classifier takes for failed
captures (tests/data/labels/FINDINGS.md, run M).

    python scripts/error_pages.py [--work DIR] [--words 120]

For every document of ../shared/data/ota-contrib-versions.bundle, every pair of consecutive recorded texts
where a text of at most --words words replaced one of at least ten times more is printed with what
`clausewatch.diff.classify` calls it: ERROR (`is_error_page`: an error page or a login wall), LOST
(`is_text_lost`: at most a title) or SHORT (neither: a notice, a menu, a landing page), then the counts.
The bundle is cloned as `scripts/measure_substantive.py` does (--work DIR is reused). Without the bundle
this prints why and exits 0.
"""

from __future__ import annotations

import argparse
import re
import tempfile
from collections import Counter
from pathlib import Path

from measure_substantive import BUNDLE, git, open_clone

from clausewatch.archive.git import BlobReader
from clausewatch.archive.read import iter_log
from clausewatch.diff.classify import ERROR_PAGE_WORDS, is_error_page, is_text_lost
from clausewatch.diff.clauses import split_clauses
from clausewatch.diff.normalize import canonical_text

_WORD = re.compile(r"[^\W\d_]+")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, help="folder for the clone of the bundle (reused)")
    parser.add_argument("--words", type=int, default=ERROR_PAGE_WORDS, help="at most this many words")
    args = parser.parse_args()
    if not BUNDLE.exists():
        print(f"no bundle at {BUNDLE}: nothing to measure")
        return
    with tempfile.TemporaryDirectory() as temporary:
        archive = open_clone(BUNDLE, args.work or Path(temporary))
        paths = [p for p in git(archive.repo, "ls-tree", "-r", "--name-only", "main").decode().splitlines()
                 if p.endswith(".md")]
        by_path: dict[str, list[str]] = {}
        commits: dict[tuple[str, str], str] = {}
        for entry in iter_log(archive, sorted(paths)):
            by_path.setdefault(entry.path, []).append(entry.blob)
            commits[(entry.path, entry.blob)] = entry.commit
        counts: Counter[str] = Counter()
        texts: dict[str, tuple[int, str]] = {}
        with BlobReader(archive) as reader:
            for path, blobs in sorted(by_path.items()):
                for old, new in zip(blobs, blobs[1:], strict=False):
                    for blob in (old, new):
                        if blob not in texts:
                            text = reader.read(blob).decode("utf-8", "replace")
                            texts[blob] = (len(_WORD.findall(canonical_text(text))), text)
                    (old_words, old_text), (new_words, new_text) = texts[old], texts[new]
                    if old == new or new_words > args.words or old_words < 10 * max(new_words, 1):
                        continue
                    before, after = split_clauses(old_text), split_clauses(new_text)
                    kind = "ERROR" if is_error_page(before, after) else "LOST" if is_text_lost(before, after) \
                        else "SHORT"
                    counts[kind] += 1
                    shown = " ".join(canonical_text(new_text).split())[:100]
                    print(f"{kind:5} {commits[(path, new)][:10]} {path[:45]:45} {old_words:6}->{new_words:4} {shown}")
    print(f"\n{sum(counts.values())} short texts after long ones: " +
          ", ".join(f"{counts[k]} {k}" for k in ("ERROR", "LOST", "SHORT")))


if __name__ == "__main__":
    main()
