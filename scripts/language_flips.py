"""Find documents whose recorded versions flip between languages (issue 14), in the OTA bundle.

    python scripts/language_flips.py [--method stopwords|spelling|py3langid|lingua] [--top 20] [--flips FILE]
                                     [--paths PATH ...] [--min-chars N] [--work DIR]

Each version's language is guessed from its prose (link targets, URLs and Markdown markup dropped); a flip is a
recorded change whose guessed language differs from the previous version's (both guessed). Printed: the
documents with flips, most first (flips, versions, languages seen). --flips FILE writes every flip as CSV
(commit, path, date, before, after).

Methods: `stopwords` (no dependency: counts of common function words of 8 languages), `spelling` (en-GB
against en-US spelling of a few word stems: regional variants of English texts), `py3langid` and
`lingua` (lingua-language-detector), the latter two only if installed (they are not project dependencies;
see scripts/compare_langid.py). Languages are cached per blob in the work folder (lang-METHOD.json).
Without the bundle this prints why and exits 0.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from measure_substantive import BUNDLE, git, open_clone

STOPWORDS = {
    "en": "the and of to you your we our is are that for with this not or be may will any which have from "
          "us if can use such these by",
    "fr": "le la les des et est vous nous votre vos pour dans une sur qui par pas sont avec aux du ces "
          "ou au être cette",
    "de": "der die das und sie ist nicht mit den dem von zu wir ihre ihr auf für werden eine einer oder "
          "auch sich",
    "es": "el los las del por con para usted nuestro sus su como más este esta datos cuando puede",
    "it": "il di che della dei delle per sono non gli alla nel questo degli sulla può",
    "pt": "os dos não você uma pelo pela ao sua são seus nossos seu também quando",
    "nl": "het een van je jouw uw wij ons onze niet voor wordt zijn deze worden",
    "sv": "och att det som för med av är på till eller vi dig din inte",
}
_WORDS = {lang: set(words.split()) for lang, words in STOPWORDS.items()}
_LINK_TARGET = re.compile(r"\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")
_URL = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+")
_MARKUP = re.compile(r"[#*_>|`\[\]\\=~]+|^\s*[-+]\s+|^\s*\d+[.)]\s+", re.MULTILINE)
_TOKEN = re.compile(r"[^\W\d_]+")
MIN_HITS = 12
"""Fewer stop-word hits than this: the language is left undetermined (`und`)."""
_GB = re.compile(r"\b(?:organis|authoris|recognis|behaviour|personalis|centre|favour|colour|analys(?:e|es|ed|ing)\b|"
                 r"optimis|minimis|customis|programme|utilis|categoris|anonymis|pseudonymis)", re.IGNORECASE)
_US = re.compile(r"\b(?:organiz|authoriz|recogniz|behavior|personaliz|center|favor|color|analyz|optimiz|minimiz|"
                 r"customiz|programs?\b|utiliz|categoriz|anonymiz|pseudonymiz)", re.IGNORECASE)


def prose(markdown: str) -> str:
    """The words a reader reads: link targets, URLs, e-mail addresses and Markdown markup dropped."""
    text = _URL.sub(" ", _LINK_TARGET.sub("]", markdown))
    return re.sub(r"[ \t]+", " ", _MARKUP.sub(" ", text)).strip()


def stopword_scores(text: str) -> Counter[str]:
    tokens = Counter(token.lower() for token in _TOKEN.findall(text))
    return Counter({lang: sum(tokens[w] for w in words) for lang, words in _WORDS.items()})


def stopword_language(text: str) -> str:
    scores = stopword_scores(text)
    lang, hits = scores.most_common(1)[0]
    return lang if hits >= MIN_HITS else "und"


def spelling_variant(text: str) -> str:
    """`en-gb` or `en-us` when at least 3 words of one spelling and 3 times as many as of the other
    (organisation/organization, behaviour/behavior, centre/center, …), else `und`."""
    gb, us = len(_GB.findall(text)), len(_US.findall(text))
    return "en-gb" if gb >= 3 and gb > 3 * us else "en-us" if us >= 3 and us > 3 * gb else "und"


def detector(method: str) -> Callable[[str], str]:
    """A function text → ISO 639-1 code (or `und`) for `method`."""
    if method == "stopwords":
        return stopword_language
    if method == "spelling":
        return spelling_variant
    if method == "py3langid":
        import py3langid

        def by_py3langid(text: str) -> str:
            return py3langid.classify(text)[0] if _TOKEN.search(text) else "und"

        return by_py3langid
    if method == "lingua":
        from lingua import LanguageDetectorBuilder

        lingua = LanguageDetectorBuilder.from_all_languages().with_preloaded_language_models().build()

        def by_lingua(text: str) -> str:
            found = lingua.detect_language_of(text)
            return found.iso_code_639_1.name.lower() if found is not None else "und"

        return by_lingua
    raise ValueError(method)


def iter_documents(repo: Path, paths: Iterable[str] = ()) -> Iterator[tuple[str, list[tuple[str, int, str]]]]:
    """(path, [(commit, author time, blob)] oldest first) per document, sorted by path; a deleted file ends
    nothing (deletions are skipped, as the project's reader does)."""
    out = git(repo, "log", "--reverse", "--raw", "--no-abbrev", "--no-renames", "-z", "--format=%x1e%H%x00%at%x00",
              "HEAD", "--", *(list(paths) or [":(glob)*/*.md"]))
    by_path: dict[str, list[tuple[str, int, str]]] = defaultdict(list)
    for record in out.split(b"\x1e")[1:]:
        commit, stamp, raw = record.split(b"\x00", 2)
        fields = raw.lstrip(b"\x00\n").split(b"\x00")
        for meta, path in zip(fields[0::2], fields[1::2], strict=False):
            parts = meta.decode().split()
            if len(parts) >= 5 and parts[4] != "D" and path.endswith(b".md"):
                by_path[path.decode("utf-8", "replace")].append((commit.decode(), int(stamp), parts[3]))
    yield from sorted(by_path.items())


class Blobs:
    """One `git cat-file --batch` process: blob id → text."""

    def __init__(self, repo: Path) -> None:
        self.process = subprocess.Popen(["git", "-C", str(repo), "cat-file", "--batch"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE)

    def read(self, blob: str) -> str:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(blob.encode() + b"\n")
        self.process.stdin.flush()
        header = self.process.stdout.readline().split()
        data = self.process.stdout.read(int(header[2]) + 1)[:-1]
        return data.decode("utf-8", "replace")

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait()

    def __enter__(self) -> Blobs:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def languages(repo: Path, method: str, paths: Iterable[str] = (), cache: Path | None = None,
              limit: int = 0, min_chars: int = 0) -> dict[str, list[tuple[str, int, str, str]]]:
    """{path: [(commit, time, blob, language)]} with the language of every version (prose, first `limit`
    characters if given; `und` when the prose is shorter than `min_chars`), cached per blob in `cache` (and
    the prose lengths beside it)."""
    known: dict[str, str] = json.loads(cache.read_text()) if cache and cache.is_file() else {}
    lengths_file = cache.with_name("prose-lengths.json") if cache else None
    lengths: dict[str, int] = (json.loads(lengths_file.read_text())
                               if min_chars and lengths_file and lengths_file.is_file() else {})
    detect = None
    result: dict[str, list[tuple[str, int, str, str]]] = {}
    with Blobs(repo) as blobs:
        for path, entries in iter_documents(repo, paths):
            for _, _, blob in entries:
                if blob not in known or (min_chars and blob not in lengths):
                    text = prose(blobs.read(blob))
                    lengths[blob] = len(text)
                    if blob not in known:
                        detect = detect or detector(method)
                        known[blob] = detect(text[:limit] if limit else text)
            result[path] = [(commit, stamp, blob, "und" if min_chars and lengths[blob] < min_chars else known[blob])
                            for commit, stamp, blob in entries]
    if cache:
        cache.write_text(json.dumps(known))
        if min_chars and lengths_file:
            lengths_file.write_text(json.dumps(lengths))
    return result


def flips(history: list[tuple[str, int, str, str]]) -> list[tuple[str, int, str, str]]:
    """(commit, time, before, after) of the changes whose language differs from the previous version's."""
    found = []
    for before, after in zip(history, history[1:], strict=False):
        if before[3] != after[3] and "und" not in (before[3], after[3]):
            found.append((after[0], after[1], before[3], after[3]))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--method", choices=["stopwords", "spelling", "py3langid", "lingua"], default="stopwords")
    parser.add_argument("--top", type=int, default=0, help="Print only the documents with the most flips.")
    parser.add_argument("--flips", type=Path, help="Write every flip to this CSV file.")
    parser.add_argument("--paths", nargs="*", default=[])
    parser.add_argument("--limit", type=int, default=0, help="Guess from the first N characters of prose only.")
    parser.add_argument("--min-chars", type=int, default=0,
                        help="Versions with less prose than this are left undetermined (`und`).")
    parser.add_argument("--bundle", type=Path, default=BUNDLE)
    parser.add_argument("--work", type=Path, help="Folder for the clone and the cache (kept), or a clone.")
    options = parser.parse_args(argv)
    if not options.bundle.is_file():
        print(f"skipped: the bundle '{options.bundle}' is absent (it lives in ../shared/data/)")
        return 0
    with tempfile.TemporaryDirectory(prefix="clausewatch-langflips-") as tmp:
        work = options.work or Path(tmp)
        archive = open_clone(options.bundle, work)
        suffix = f"-{options.limit}" if options.limit else ""
        found = languages(archive.repo, options.method, options.paths, work / f"lang-{options.method}{suffix}.json",
                          options.limit, options.min_chars)
    rows = []
    for path, history in found.items():
        changes = flips(history)
        if changes:
            langs = Counter(lang for *_, lang in history)
            rows.append((len(changes), len(history), path, langs, changes))
    rows.sort(key=lambda row: (-row[0], row[2]))
    print(f"{options.method}: {len(rows)} of {len(found)} documents flip between consecutive versions, "
          f"{sum(r[0] for r in rows)} flips in all")
    print(f"{'flips':>5} {'vers':>5}  document  (languages: versions)")
    for count, total, path, langs, _ in rows[: options.top or None]:
        print(f"{count:>5} {total:>5}  {path}  ({', '.join(f'{k} {v}' for k, v in langs.most_common())})")
    if options.flips:
        with options.flips.open("w", encoding="utf-8", newline="") as handle:
            out = csv.writer(handle)
            out.writerow(["commit", "path", "date", "before", "after"])
            for *_, path, _, changes in rows:
                for commit, stamp, before, after in changes:
                    out.writerow([commit, path, datetime.fromtimestamp(stamp, UTC).date(), before, after])
    return 0


if __name__ == "__main__":
    sys.exit(main())
