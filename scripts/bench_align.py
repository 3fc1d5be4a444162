"""Benchmark of clause alignment on synthetic rewrites (not a test): prints figures, asserts nothing.

    .venv/bin/python scripts/bench_align.py [--sizes 4000 20000] [--baseline-size 4000] [--seed 15]

For each size N, two versions of one synthetic document of N paragraphs (about 25 words each, drawn
from a 3,000-word vocabulary, so no two paragraphs are alike): in the new version EVERY paragraph is
changed (a new first word, so its clause id changes, and two of its words replaced) and the paragraphs
are shuffled in blocks of 1 to 8. So nothing matches by id or by text: every pair must be found by the
similarity matcher, the work that was quadratic in the number of changed clauses.

Timed, wall clock (`time.perf_counter`) and CPU (`time.process_time`, this process: one core), with
the diff core's caches cleared before each run:
- `align`: `diff.align.align_clauses` on the two clause lists (split beforehand, not timed);
- `diff`: the whole clause diff, `diff.compare.diff_texts` on the two texts (splitting, alignment,
  word diffs, classification), which is what a site build pays per changed version;
and, for `--baseline-size` only, the same two runs with every (old, new) pair scored
(`align.EXACT_PAIRS` raised above N², as the code did before the trigram shortlist): the same-run
baseline. Also printed: how many clauses were paired and how many reported as added/removed, for the
shortlist and the exact scoring (the shortlist must not lose pairs).

The issue's figures (before the near-linear alignment): 4,000 changed clauses 57 s, 20,000 over 300 s.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from typing import Any

from clausewatch.diff import align
from clausewatch.diff.clauses import split_clauses
from clausewatch.diff.compare import clear_caches, diff_texts

VOCABULARY = 3_000
WORDS = 25


def vocabulary(rng: random.Random) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    words: set[str] = set()
    while len(words) < VOCABULARY:
        words.add("".join(rng.choice(letters) for _ in range(rng.randint(4, 10))))
    return sorted(words)


def rewrite(size: int, seed: int) -> tuple[str, str]:
    """(old, new) texts of `size` paragraphs, every one changed and moved (see the module docstring)."""
    rng = random.Random(seed)
    vocab = vocabulary(rng)
    old = [[rng.choice(vocab) for _ in range(WORDS)] for _ in range(size)]
    new = []
    for words in old:
        edited = list(words)
        for _ in range(2):
            edited[rng.randrange(1, WORDS)] = rng.choice(vocab)
        new.append([rng.choice(vocab).capitalize(), *edited])
    blocks, at = [], 0
    while at < size:
        step = rng.randint(1, 8)
        blocks.append(new[at:at + step])
        at += step
    rng.shuffle(blocks)
    shuffled = [paragraph for block in blocks for paragraph in block]
    return (text_of(old, "Synthetic terms"), text_of(shuffled, "Synthetic terms"))


def text_of(paragraphs: list[list[str]], title: str) -> str:
    return f"# {title}\n\n" + "\n\n".join(" ".join(words).capitalize() + "." for words in paragraphs) + "\n"


def timed(work: Callable[[], Any]) -> tuple[float, float, Any]:
    clear_caches()
    align.match_key.cache_clear()
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def paired(pairings: tuple[align.Pairing, ...]) -> tuple[int, int]:
    matched = sum(len(p.new) for p in pairings if p.kind in ("match", "split", "merged"))
    unmatched = sum(1 for p in pairings if p.kind in ("added", "removed"))
    return matched, unmatched


def bench(size: int, seed: int, *, exact: bool) -> None:
    old_text, new_text = rewrite(size, seed)
    old, new = split_clauses(old_text), split_clauses(new_text)
    saved = align.EXACT_PAIRS
    if exact:
        align.EXACT_PAIRS = len(old) * len(new) + 1
    try:
        wall, cpu, pairings = timed(lambda: align.align_clauses(old, new))
        diff_wall, diff_cpu, diff = timed(lambda: diff_texts(old_text, new_text))
    finally:
        align.EXACT_PAIRS = saved
    matched, unmatched = paired(pairings)
    mode = "exact all-pairs (baseline)" if exact else "shortlist (current)"
    print(f"{size:>6} changed clauses  {mode:<27} align {wall:7.1f} s wall {cpu:7.1f} s CPU | "
          f"diff_texts {diff_wall:7.1f} s wall {diff_cpu:7.1f} s CPU | paired {matched}, "
          f"added/removed {unmatched}, substantive {diff.summary.substantive}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[4_000, 20_000])
    parser.add_argument("--baseline-size", type=int, default=4_000)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    print(f"EXACT_PAIRS = {align.EXACT_PAIRS:,}; {WORDS} words per clause, every clause changed and moved")
    for size in args.sizes:
        bench(size, args.seed, exact=False)
        if size == args.baseline_size:
            bench(size, args.seed, exact=True)


if __name__ == "__main__":
    main()
