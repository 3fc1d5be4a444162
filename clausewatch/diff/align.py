"""Alignment: which clause of the old version became which clause of the new one.

In order: the same id with the same text; the same text anywhere; the same id with similar words;
the same words anywhere (markup and link targets aside: a table-of-contents link and the heading
it points to share their words, so exact texts are paired first); then similar words (rapidfuzz's
`process.extract` with a score cutoff, in C++, one call per old clause). What is left is checked
against its matched neighbours for splits (one old clause became two or more adjacent new ones)
and merges (the reverse), then leftovers between the same two in-order matches are paired when
loosely similar (a clause that grew or shrank a lot); the rest is added or removed. A matched
clause is `moved` when it is outside the longest increasing subsequence of the matched pairs
(insertions and deletions alone never cause a move) and did not simply move along with its parent.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from rapidfuzz import fuzz, process

from clausewatch.diff.clauses import full_text, plain_words
from clausewatch.models import Clause

_WORD = re.compile(r"\w*[^\W\d_]\w*")
"""Words with a letter: numbers (`7.13.2`) say nothing about whether two clauses are one."""
PairingKind = Literal["match", "split", "merged", "added", "removed"]

ID_SIMILARITY = 50.0
"""Minimum similarity (0-100) for two clauses with the same id to be taken as the same clause."""
TEXT_SIMILARITY = 60.0
"""Minimum similarity (0-100) for two clauses with different ids to be taken as the same clause."""
SKETCH_CHARS = 600
"""Long keys are shortlisted on their first and last characters only (see `_sketch`)."""
SKETCH_SIMILARITY = 45.0
"""Shortlist cutoff on sketches; the full keys must then reach `TEXT_SIMILARITY`."""
GAP_SIMILARITY = 45.0
"""Minimum similarity for two leftover clauses between the same two in-order matches."""
SPLIT_SIMILARITY = 85.0
"""Minimum similarity of a clause with the joined parts it was split into (or merged from)."""
MAX_PARTS = 40
"""Most parts one clause may be split into (or merged from)."""
MIN_OVERLAP = 1 / 3
"""Two clauses with different ids are paired only when they share at least this share of their words
(counted with repeats, over the longer side): below it a pairing reads as word salad (an unrelated
heading rewritten into another, a paragraph in another language) and is reported as removed + added."""
MIN_OVERLAP_SAME_SECTION = 1 / 5
"""...or this share, for two clauses under the same heading (the one rewritten paragraph of a section)."""
MIN_CONTAINED = 2 / 3
"""...unless the shorter clause's words are at least this much in the longer one (it grew, or shrank)."""
MIN_CONTAINED_WORDS = 3
"""...and it has this many words at least (`Purpose` is in many a clause that is not its heading)."""
EXACT_PAIRS = 1_000_000
"""Up to this many (old, new) candidate pairs every pair is scored (rapidfuzz, in C++); above it, a
clause is scored only against the clauses sharing the most word trigrams with it (`_shortlists`), so a
rewrite of 20,000 clauses costs about the same per clause as one of 200."""
SHORTLIST = 12
"""Candidates kept per clause when shortlisting."""
COMMON_TRIGRAM = 40
"""A trigram found in more clauses than this says nothing about which two clauses belong together."""


@dataclass(frozen=True, slots=True)
class Pairing:
    """Old clause indices → new clause indices: one to one (match), one to many (split), many to one
    (merged), none to one (added) or one to none (removed)."""

    kind: PairingKind
    old: tuple[int, ...]
    new: tuple[int, ...]
    moved: bool = False


@lru_cache(maxsize=8192)
def match_key(clause: Clause) -> str:
    """The words compared when aligning: heading and text without number, markup or link targets."""
    return " ".join(plain_words(full_text(clause))).lower()


def align_clauses(old: Sequence[Clause], new: Sequence[Clause]) -> tuple[Pairing, ...]:
    """Pairings covering every old and new clause once, in reading order of the new version."""
    old_keys = [match_key(c) for c in old]
    new_keys = [match_key(c) for c in new]
    old_raw = [full_text(c) for c in old]
    new_raw = [full_text(c) for c in new]
    pairs: dict[int, int] = {}
    _match_same_id(old, new, old_raw, new_raw, pairs, min_score=100.0)
    _match_same_text(old_raw, new_raw, pairs)
    _match_same_id(old, new, old_keys, new_keys, pairs, min_score=ID_SIMILARITY)
    _match_same_text(old_keys, new_keys, pairs)
    _match_similar(old, new, old_keys, new_keys, pairs)
    groups = _find_splits_and_merges(old_keys, new_keys, pairs)
    _match_in_gaps(old, new, old_keys, new_keys, pairs, groups)
    _drop_weak_pairs(old, new, old_keys, new_keys, pairs, groups)
    pairings = _build_pairings(len(old), len(new), pairs, groups)
    return _mark_moves(old, new, pairings)


def word_overlap(a: str, b: str) -> tuple[float, float]:
    """How much two keys have in common: shared words (with repeats, punctuation aside) over the longer
    side, and over the shorter side (how much of the shorter one the longer one contains)."""
    old, new = Counter(_WORD.findall(a)), Counter(_WORD.findall(b))
    sizes = sorted((sum(old.values()), sum(new.values())))
    shared = sum((old & new).values())
    return (shared / sizes[1] if sizes[1] else 1.0), (shared / sizes[0] if sizes[0] else 1.0)


def is_weak_pair(a: str, b: str, min_overlap: float = MIN_OVERLAP) -> bool:
    """Too little in common to be one clause: under `min_overlap` of the longer side's words, and the
    shorter side not mostly kept in the longer one (a clause that grew keeps its old words)."""
    longer, shorter = word_overlap(a, b)
    short_words = min(len(_WORD.findall(a)), len(_WORD.findall(b)))
    return longer < min_overlap and (shorter < MIN_CONTAINED or short_words < MIN_CONTAINED_WORDS)


def _drop_weak_pairs(old: Sequence[Clause], new: Sequence[Clause], old_keys: list[str], new_keys: list[str],
                     pairs: dict[int, int], groups: dict[tuple[str, int], tuple[int, ...]]) -> None:
    """Unpair one-to-one matches of clauses with different ids that share too few words (`MIN_OVERLAP`):
    a clause keeping its id (its heading, or its first words) stays the same clause however rewritten."""
    grouped_new = {j for (kind, j) in groups if kind == "merged"}
    for i, j in list(pairs.items()):
        if ("split", i) in groups or j in grouped_new or old[i].id == new[j].id:
            continue
        same_section = old[i].parent is not None and old[i].parent == new[j].parent
        if is_weak_pair(old_keys[i], new_keys[j], MIN_OVERLAP_SAME_SECTION if same_section else MIN_OVERLAP):
            del pairs[i]


def _match_same_id(old: Sequence[Clause], new: Sequence[Clause], old_keys: list[str], new_keys: list[str],
                   pairs: dict[int, int], *, min_score: float) -> None:
    new_by_id = {c.id: j for j, c in enumerate(new)}
    taken = set(pairs.values())
    for i, clause in enumerate(old):
        j = new_by_id.get(clause.id)
        if i in pairs or j is None or j in taken:
            continue
        same = old_keys[i] == new_keys[j]
        if same or (min_score < 100 and similarity(old_keys[i], new_keys[j]) >= min_score):
            pairs[i] = j
            taken.add(j)


def similarity(a: str, b: str) -> float:
    """0-100: edit similarity, or word-set overlap when one text grew or shrank around the other."""
    return max(fuzz.ratio(a, b), fuzz.token_set_ratio(a, b, processor=None))


def _match_in_gaps(old: Sequence[Clause], new: Sequence[Clause], old_keys: list[str], new_keys: list[str],
                   pairs: dict[int, int], groups: dict[tuple[str, int], tuple[int, ...]]) -> None:
    """Pair leftovers lying between the same two in-order matches when they are loosely similar."""
    used_old = set(pairs) | {i for (kind, _), parts in groups.items() if kind == "merged" for i in parts}
    used_new = set(pairs.values())
    used_new |= {j for (kind, _), parts in groups.items() if kind == "split" for j in parts}
    free_old = [i for i in range(len(old)) if i not in used_old]
    free_new = [j for j in range(len(new)) if j not in used_new]
    if not free_old or not free_new:
        return
    anchors = sorted(pairs.items())
    keep = _longest_increasing([j for _, j in anchors])
    old_marks = [anchors[k][0] for k in keep]
    new_marks = [anchors[k][1] for k in keep]
    by_gap: dict[int, list[int]] = defaultdict(list)
    for j in free_new:
        by_gap[bisect_left(new_marks, j)].append(j)
    candidates: list[tuple[float, int, int]] = []
    for i in free_old:
        for j in by_gap.get(bisect_left(old_marks, i), ()):
            if (old[i].kind == "heading") == (new[j].kind == "heading"):
                score = similarity(old_keys[i], new_keys[j])
                if score >= GAP_SIMILARITY:
                    candidates.append((-score, i, j))
    taken: set[int] = set()
    for _score, i, j in sorted(candidates):
        if i not in pairs and j not in taken:
            pairs[i] = j
            taken.add(j)


def _match_same_text(old_keys: list[str], new_keys: list[str], pairs: dict[int, int]) -> None:
    taken = set(pairs.values())
    free_new: dict[str, deque[int]] = defaultdict(deque)
    for j, key in enumerate(new_keys):
        if j not in taken:
            free_new[key].append(j)
    for i, key in enumerate(old_keys):
        if i not in pairs and free_new.get(key):
            pairs[i] = free_new[key].popleft()


def _match_similar(old: Sequence[Clause], new: Sequence[Clause], old_keys: list[str], new_keys: list[str],
                   pairs: dict[int, int]) -> None:
    """Greedy best-first matching of the remaining clauses by rapidfuzz similarity (headings apart)."""
    taken = set(pairs.values())
    free_new = [j for j in range(len(new)) if j not in taken]
    free_old = [i for i in range(len(old)) if i not in pairs]
    if not free_new or not free_old:
        return
    candidates: list[tuple[float, int, int]] = []
    for is_heading in (True, False):
        olds = [i for i in free_old if (old[i].kind == "heading") == is_heading]
        news = [j for j in free_new if (new[j].kind == "heading") == is_heading]
        for i, shortlist in _candidates(olds, news, old_keys, new_keys):
            choices = {j: _sketch(new_keys[j]) for j in shortlist}
            for _text, _rough, j in process.extract(_sketch(old_keys[i]), choices, scorer=fuzz.ratio,
                                                    processor=None, score_cutoff=SKETCH_SIMILARITY, limit=None):
                score = fuzz.ratio(old_keys[i], new_keys[j], score_cutoff=TEXT_SIMILARITY)
                if score:
                    candidates.append((-score, i, j))
    candidates.sort()
    for _score, i, j in candidates:
        if i not in pairs and j not in taken:
            pairs[i] = j
            taken.add(j)


def _candidates(olds: list[int], news: list[int], old_keys: list[str],
                new_keys: list[str]) -> list[tuple[int, Sequence[int]]]:
    """Each old clause with the new clauses to score it against: all of them while the pairs are few
    (`EXACT_PAIRS`), else its shortlist (`_shortlists`)."""
    if not olds or not news:
        return []
    if len(olds) * len(news) <= EXACT_PAIRS:
        return [(i, news) for i in olds]
    shortlists = _shortlists(olds, news, old_keys, new_keys)
    return [(i, shortlists.get(i, ())) for i in olds]


def _trigrams(key: str) -> set[str]:
    words = key.split()
    if len(words) < 3:
        return {key} if key else set()
    return {" ".join(words[k:k + 3]) for k in range(len(words) - 2)}


def _shortlists(olds: list[int], news: list[int], old_keys: list[str],
                new_keys: list[str]) -> dict[int, list[int]]:
    """The new clauses sharing the most word trigrams with each old clause (at most `SHORTLIST`),
    through an inverted index that leaves out trigrams too common to tell clauses apart: linear in the
    number of clauses for text, whatever the size of the rewrite."""
    index: dict[str, list[int]] = defaultdict(list)
    for j in news:
        for gram in _trigrams(new_keys[j]):
            index[gram].append(j)
    out: dict[int, list[int]] = {}
    for i in olds:
        counts: dict[int, int] = defaultdict(int)
        for gram in _trigrams(old_keys[i]):
            postings = index.get(gram, ())
            if len(postings) <= COMMON_TRIGRAM:
                for j in postings:
                    counts[j] += 1
        if counts:
            out[i] = sorted(counts, key=lambda j: (-counts[j], j))[:SHORTLIST]
    return out


def _sketch(key: str) -> str:
    """The start and end of a long key: a cheap stand-in to shortlist candidates before full scoring."""
    return key if len(key) <= SKETCH_CHARS else f"{key[:SKETCH_CHARS - 200]} {key[-200:]}"


def _find_splits_and_merges(old_keys: list[str], new_keys: list[str],
                            pairs: dict[int, int]) -> dict[tuple[str, int], tuple[int, ...]]:
    """Splits: old index → its new parts; merges: new index → its old parts (both in order)."""
    groups: dict[tuple[str, int], tuple[int, ...]] = {}
    new_to_old = {j: i for i, j in pairs.items()}
    free_new = set(range(len(new_keys))) - set(new_to_old)
    for i, j in sorted(pairs.items()):
        if old_keys[i] == new_keys[j]:
            continue
        parts = _grow(j, free_new, new_keys, old_keys[i])
        if len(parts) > 1:
            groups[("split", i)] = parts
            free_new.difference_update(parts)
    free_old = set(range(len(old_keys))) - set(pairs)
    for j, i in sorted(new_to_old.items()):
        if ("split", i) in groups or old_keys[i] == new_keys[j]:
            continue
        parts = _grow(i, free_old, old_keys, new_keys[j])
        if len(parts) > 1:
            groups[("merged", j)] = parts
            free_old.difference_update(parts)
    return groups


def _grow(anchor: int, free: set[int], keys: list[str], target: str) -> tuple[int, ...]:
    """The run of adjacent free indices around `anchor` whose joined keys best rebuild `target`.

    Grows one neighbour at a time while the similarity improves; kept only if it ends high enough.
    """
    parts = [anchor]
    best = fuzz.ratio(target, keys[anchor])
    while len(parts) < MAX_PARTS:
        options = [k for k in (parts[0] - 1, parts[-1] + 1) if k in free]
        scored = [(fuzz.ratio(target, " ".join(keys[x] for x in sorted([*parts, k]))), k) for k in options]
        if not scored:
            break
        score, k = max(scored)
        if score < best + 1.0:
            break
        parts, best = sorted([*parts, k]), score
    return tuple(parts) if best >= SPLIT_SIMILARITY else (anchor,)


def _build_pairings(n_old: int, n_new: int, pairs: dict[int, int],
                    groups: dict[tuple[str, int], tuple[int, ...]]) -> list[Pairing]:
    merged_into = {j: parts for (kind, j), parts in groups.items() if kind == "merged"}
    used_old = {i for parts in merged_into.values() for i in parts}
    used_new = {j for (kind, _), parts in groups.items() if kind == "split" for j in parts}
    pairings: list[Pairing] = []
    for i, j in pairs.items():
        if ("split", i) in groups:
            pairings.append(Pairing("split", (i,), groups[("split", i)]))
        elif j in merged_into:
            pairings.append(Pairing("merged", merged_into[j], (j,)))
        elif i not in used_old and j not in used_new:
            pairings.append(Pairing("match", (i,), (j,)))
    used_old |= set(pairs)
    used_new |= set(pairs.values())
    pairings += [Pairing("removed", (i,), ()) for i in range(n_old) if i not in used_old]
    pairings += [Pairing("added", (), (j,)) for j in range(n_new) if j not in used_new]
    return pairings


def _mark_moves(old: Sequence[Clause], new: Sequence[Clause], pairings: list[Pairing]) -> tuple[Pairing, ...]:
    """Flag moved pairings and sort all of them in reading order of the new version."""
    paired = sorted((p for p in pairings if p.old and p.new), key=lambda p: p.old[0])
    keep = set(_longest_increasing([p.new[0] for p in paired]))
    out_of_order = {p.old[0]: p.new[0] for k, p in enumerate(paired) if k not in keep}
    old_index = {c.id: i for i, c in enumerate(old)}
    new_index = {c.id: j for j, c in enumerate(new)}
    result: list[Pairing] = []
    for p in pairings:
        moved = p.old[0] in out_of_order if p.old and p.new else False
        if moved:
            old_parent = old_index.get(old[p.old[0]].parent or "")
            new_parent = new_index.get(new[p.new[0]].parent or "")
            carried = old_parent is not None and out_of_order.get(old_parent) == new_parent
            moved = not carried
        result.append(Pairing(p.kind, p.old, p.new, moved) if moved else p)
    return tuple(sorted(result, key=_reading_order(result)))


def _reading_order(pairings: list[Pairing]) -> Callable[[Pairing], tuple[float, int]]:
    """Sort key: position in the new version; a removed clause goes after its old predecessor's match."""
    new_of_old = {i: p.new[-1] for p in pairings if p.new for i in p.old}
    last_new = -1
    anchors: dict[int, float] = {}
    for i in range(max((i for p in pairings for i in p.old), default=-1) + 1):
        if i in new_of_old:
            last_new = new_of_old[i]
        anchors[i] = last_new + 0.5

    def key(p: Pairing) -> tuple[float, int]:
        return (float(p.new[0]), 0) if p.new else (anchors[p.old[0]], p.old[0])

    return key


def _longest_increasing(values: list[int]) -> list[int]:
    """Positions of one longest strictly increasing subsequence of `values` (patience sorting)."""
    tails: list[int] = []
    tail_pos: list[int] = []
    previous = [-1] * len(values)
    for pos, value in enumerate(values):
        k = bisect_left(tails, value)
        if k == len(tails):
            tails.append(value)
            tail_pos.append(pos)
        else:
            tails[k] = value
            tail_pos[k] = pos
        previous[pos] = tail_pos[k - 1] if k else -1
    out: list[int] = []
    pos = tail_pos[-1] if tail_pos else -1
    while pos != -1:
        out.append(pos)
        pos = previous[pos]
    return out[::-1]
