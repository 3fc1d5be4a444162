"""The changes to label for batch 4 (tests/data/labels/ota_variants.csv), fixed seed.

    python scripts/pick_variant_sample.py [--work DIR]      prints commit,path,kind

Part A, histories with language or regional swaps (issue 14): in each document of SWAP_DOCUMENTS, the given
numbers of language flips (stop-word guess changes between consecutive versions), en-GB/en-US spelling flips,
and other recorded changes, drawn at random. Part B: one random recorded change from each of BUSY random
documents among the busy ones (at least 100 recorded changes) outside part A and with no language flip.
Changes labelled already (tests/data/labels/*.csv) are never picked. See scripts/language_flips.py for the
two guesses.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from pathlib import Path

from language_flips import flips, iter_documents, languages
from measure_substantive import BUNDLE, open_clone, read_label_files

SEED = 20260404
SWAP_DOCUMENTS = {
    # path: (language flips, spelling flips, other changes)
    "Allstate/Privacy Policy.md": (4, 0, 3),
    "Verizon/Privacy Policy.md": (4, 0, 3),
    "Yahoo/Privacy Policy.md": (4, 2, 2),
    "Wix/Privacy Policy.md": (3, 0, 2),
    "Amazon Advertising/Ad Publishing Policy.md": (3, 0, 1),
    "Reserve with Google/Terms of Service.md": (3, 0, 1),
    "TikTok/In-App Purchases Policy.md": (2, 0, 1),
    "TikTok/Privacy Policy.md": (2, 0, 0),
    "Instagram/Terms of Service.md": (2, 2, 0),
    "Instagram/Community Guidelines.md": (0, 3, 0),
    "Instagram/Privacy Policy.md": (1, 1, 0),
    "Instagram/Law Enforcement Guidelines.md": (1, 0, 0),
    "Instagram/Developer Terms.md": (1, 0, 0),
    "Facebook Ads/Terms of Service.md": (2, 0, 0),
    "Facebook Payments/Terms of Service.md": (0, 3, 0),
    "Google Nest/Privacy Policy.md": (0, 4, 0),
    "Snapchat/Privacy Policy.md": (0, 2, 0),
    "Amazon Silk/Terms of Service.md": (1, 0, 0),
    "PayPal/Privacy Policy.md": (1, 0, 0),
    "TousAntiCovid/Privacy Policy.md": (1, 0, 0),
}
BUSY = 40
BUSY_MIN_CHANGES = 100


def pick(repo: Path, work: Path) -> list[tuple[str, str, str]]:
    rng = random.Random(SEED)
    labelled = {row.key for row in read_label_files()}
    paths = sorted(SWAP_DOCUMENTS)
    by_stopwords = languages(repo, "stopwords", paths, work / "lang-stopwords.json")
    by_spelling = languages(repo, "spelling", paths, work / "lang-spelling.json")
    picked: list[tuple[str, str, str]] = []
    for path in paths:
        n_lang, n_spell, n_other = SWAP_DOCUMENTS[path]
        lang = [c for c, *_ in flips(by_stopwords[path]) if (c, path) not in labelled]
        spell = [c for c, *_ in flips(by_spelling[path]) if (c, path) not in labelled and c not in lang]
        other = [c for c, *_ in by_stopwords[path][1:] if (c, path) not in labelled and c not in lang + spell]
        for kind, pool, size in (("language-flip", lang, n_lang), ("spelling-flip", spell, n_spell),
                                 ("other", other, n_other)):
            picked += [(commit, path, kind) for commit in rng.sample(pool, min(size, len(pool)))]
    swap = set(SWAP_DOCUMENTS)
    histories = dict(iter_documents(repo))
    busy = [path for path, entries in histories.items() if len(entries) - 1 >= BUSY_MIN_CHANGES and path not in swap]
    flipping = languages(repo, "stopwords", busy, work / "lang-stopwords.json")
    busy = [path for path in busy if not flips(flipping[path])]
    for path in rng.sample(busy, BUSY):
        pool = [commit for commit, *_ in histories[path][1:] if (commit, path) not in labelled]
        picked.append((rng.choice(pool), path, "busy"))
    return picked


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bundle", type=Path, default=BUNDLE)
    parser.add_argument("--work", type=Path, help="Folder for the clone and the caches (kept), or a clone.")
    options = parser.parse_args(argv)
    if not options.bundle.is_file():
        print(f"skipped: the bundle '{options.bundle}' is absent (it lives in ../shared/data/)")
        return 0
    with tempfile.TemporaryDirectory(prefix="clausewatch-pick-") as tmp:
        work = options.work or Path(tmp)
        archive = open_clone(options.bundle, work)
        print("commit,path,kind")
        for commit, path, kind in pick(archive.repo, work):
            print(f'{commit},"{path}",{kind}')
    return 0


if __name__ == "__main__":
    sys.exit(main())
