"""What a labeller needs to see about one recorded change of the OTA bundle, compactly.

    python scripts/label_context.py [--work DIR] [--width 2500] SHA PATH [SHA PATH ...]
    python scripts/label_context.py [--work DIR] --csv FILE          every commit,path of a CSV file
    python scripts/label_context.py [--work DIR] --history PATH [--span FROM:TO]   one line per version

For each change: its commit subject and date; the guessed language and en-GB/en-US spelling of the version
before and after; whether the text equals (canonically: link targets, markup, quotes and whitespace
ignored) an earlier recorded version that is not the previous one, and how many days ago that text was last
seen; the rapidfuzz ratio of the canonical text to the previous version's and to the closest earlier one;
then a word diff against the previous version (cut to --width characters), and, when an earlier version is
closer than the previous one, a word diff against that one too (does the new text hold wording never
recorded before?). The class the project gives is deliberately not shown: label blind.
"""

from __future__ import annotations

import argparse
import csv
import difflib
import re
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from language_flips import Blobs, iter_documents, prose, spelling_variant, stopword_language
from measure_substantive import BUNDLE, git, open_clone
from rapidfuzz import fuzz

# --- The project's modules: the only lines that name them (update these after the package restructure). ---
from clausewatch.diff.normalize import canonical_key, canonical_text

# ------------------------------------------------------------------------------------------------------------

DAY = 86400.0


def word_diff(before: str, after: str, width: int, context: int = 8) -> str:
    """`[-deleted-]{+inserted+}` words with a little context, cut to about `width` characters."""
    a = re.findall(r"\S+", before)
    b = re.findall(r"\S+", after)
    out: list[str] = []
    size = 0
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            words = a[i1:i2]
            if len(words) > 2 * context:
                words = [*words[:context], "\n   …", *words[-context:]] if out else ["…", *words[-context:]]
            piece = " ".join(words)
        else:
            piece = f"[-{' '.join(a[i1:i2])}-]{{+{' '.join(b[j1:j2])}+}}"
        out.append(piece)
        size += len(piece)
        if size > width:
            out.append(" [… cut]")
            break
    return " ".join(out).replace(" \n ", "\n")


def show(repo: Path, commit: str, path: str, width: int) -> None:
    entries = dict(iter_documents(repo, [path]))[path]
    index = next(i for i, entry in enumerate(entries) if entry[0] == commit)
    subject = git(repo, "log", "-1", "--format=%s", commit).decode().strip()
    when = datetime.fromtimestamp(entries[index][1], UTC)
    print(f"== {commit[:10]} {path}  [{index}/{len(entries) - 1}] {when:%Y-%m-%d %H:%M}  {subject}")
    if index == 0:
        print("   first version\n")
        return
    texts: dict[str, str] = {}
    with Blobs(repo) as blobs:
        for _, _, blob in entries[: index + 1]:
            if blob not in texts:
                texts[blob] = blobs.read(blob)
    keys = {blob: canonical_key(text) for blob, text in texts.items()}
    before, after = texts[entries[index - 1][2]], texts[entries[index][2]]
    key_before, key_after = keys[entries[index - 1][2]], keys[entries[index][2]]
    lang = [stopword_language(prose(t)) + "/" + spelling_variant(prose(t)) for t in (before, after)]
    print(f"   language {lang[0]} → {lang[1]}; {len(before)} → {len(after)} chars; "
          f"raw equal {before == after}; canonical equal {key_before == key_after}")
    last_seen = {}
    for i, (_, stamp, blob) in enumerate(entries[: index - 1]):
        last_seen[keys[blob]] = (i, stamp)
    if key_after != key_before and key_after in last_seen:
        i, stamp = last_seen[key_after]
        days = (entries[index][1] - stamp) / DAY
        print(f"   REVERT: same canonical text as version {i} ({entries[i][0][:10]}), last seen {days:.1f} days "
              f"before")
    canon_after = canonical_text(after)
    canon_before = canonical_text(before)
    ratio_prev = fuzz.ratio(canon_before, canon_after)
    best = (0.0, -1)
    done = {key_before, key_after}
    for i in range(index - 2, -1, -1):
        blob = entries[i][2]
        if keys[blob] in done:
            continue
        done.add(keys[blob])
        ratio = fuzz.ratio(canonical_text(texts[blob]), canon_after, score_cutoff=best[0])
        if ratio > best[0]:
            best = (ratio, i)
    line = f"   ratio to previous {ratio_prev:.1f}"
    if best[1] >= 0:
        days = (entries[index][1] - entries[best[1]][1]) / DAY
        line += f"; closest other earlier text: version {best[1]} ({entries[best[1]][0][:10]}, {days:.1f} days " \
                f"before) ratio {best[0]:.1f}"
    print(line)
    if ratio_prev < 60:
        print(f"   BEFORE: {prose(before)[:400]!r}\n   AFTER : {prose(after)[:400]!r}")
    else:
        print(word_diff(before, after, width))
    if best[1] >= 0 and best[0] > ratio_prev and key_after not in last_seen:
        print(f"   -- against the closest earlier version {best[1]}:")
        print(word_diff(texts[entries[best[1]][2]], after, width))
    print()


def history(repo: Path, path: str, span: str) -> None:
    """One line per version: index, commit, date, language/spelling, size, the id of its canonical text
    (t0, t1, … in order of first appearance: a repeated id is a revert) and the ratio to the previous one."""
    entries = dict(iter_documents(repo, [path]))[path]
    start, _, stop = span.partition(":")
    chosen = range(int(start or 0), min(int(stop or len(entries)), len(entries)))
    ids: dict[str, str] = {}
    previous = ""
    with Blobs(repo) as blobs:
        for index, (commit, stamp, blob) in enumerate(entries[: chosen.stop]):
            text = blobs.read(blob)
            key = canonical_key(text)
            ids.setdefault(key, f"t{len(ids)}")
            if index in chosen:
                canon = canonical_text(text)
                ratio = fuzz.ratio(previous, canon) if previous else 0.0
                lang = stopword_language(prose(text)) + "/" + spelling_variant(prose(text))
                subject = git(repo, "log", "-1", "--format=%s", commit).decode().split(" of ")[0].strip()
                print(f"{index:>4} {commit[:10]} {datetime.fromtimestamp(stamp, UTC):%Y-%m-%d %H:%M} {lang:<12} "
                      f"{len(text):>7} {ids[key]:>5} {ratio:6.1f}  {subject}")
                previous = canon
            elif index + 1 in chosen:
                previous = canonical_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("args", nargs="*", help="SHA PATH pairs")
    parser.add_argument("--csv", type=Path, help="Show every commit,path of this CSV file.")
    parser.add_argument("--width", type=int, default=2500)
    parser.add_argument("--history", help="List the versions of this document instead.")
    parser.add_argument("--span", default=":", help="FROM:TO version indexes for --history.")
    parser.add_argument("--bundle", type=Path, default=BUNDLE)
    parser.add_argument("--work", type=Path, help="Folder for the clone (kept and reused), or a clone.")
    options = parser.parse_args(argv)
    if not options.bundle.is_file():
        print(f"skipped: the bundle '{options.bundle}' is absent (it lives in ../shared/data/)")
        return 0
    pairs = list(zip(options.args[0::2], options.args[1::2], strict=True))
    if options.csv:
        with options.csv.open(encoding="utf-8", newline="") as handle:
            pairs += [(row["commit"], row["path"]) for row in csv.DictReader(handle)]
    with tempfile.TemporaryDirectory(prefix="clausewatch-label-") as tmp:
        repo = open_clone(options.bundle, options.work or Path(tmp)).repo
        if options.history:
            history(repo, options.history, options.span)
        for commit, path in pairs:
            show(repo, commit, path, options.width)
    return 0


if __name__ == "__main__":
    sys.exit(main())
