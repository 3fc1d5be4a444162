"""Word-level diff inside one clause: deterministic, never bounded by time.

Texts are cut into tokens (words, runs of whitespace, single punctuation marks); the common leading
and trailing tokens are set aside and the middle is compared with
`difflib.SequenceMatcher(autojunk=False)`, whose result depends only on its input. Runs are then
tidied for reading: a change is always reported as its deletion followed by its insertion, and a
lone space or punctuation mark between two changes is folded into them, so `[-a b-]{+c d+}` reads
as one replacement instead of four. Joining the `equal`+`delete` runs gives back the old text;
joining the `equal`+`insert` runs gives the new one.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from clausewatch.models import WordOp

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)
_SENTENCE_END = frozenset(".!?;:")
DIRECT_LIMIT = 250_000
"""Above this product of token counts, sentences are matched first (then words inside changed ones);
a changed run of sentences still above it is reported as replaced whole. Bounded by size, not time."""
_GLUE_MAX = 2
"""Equal runs of at most this many non-word tokens between two changes are folded into them."""


def tokenize(text: str) -> list[str]:
    """Words, whitespace runs and single punctuation marks of `text`; `"".join` gives it back."""
    return _TOKEN.findall(text)


def diff_words(a: str, b: str) -> tuple[WordOp, ...]:
    """The word-level diff of `a` → `b` as runs of equal, deleted and inserted text."""
    if a == b:
        return (WordOp("equal", a),) if a else ()
    return tuple(_to_ops(_fold_glue(_diff_tokens(tokenize(a), tokenize(b), by_sentence=True))))


Groups = list[tuple[str, list[str], list[str]]]


def _diff_tokens(old: list[str], new: list[str], *, by_sentence: bool) -> Groups:
    """Equal/change groups of two token lists: common ends set aside, then words (or sentences first)."""
    head = _common_prefix(old, new)
    tail = _common_prefix(old[head:][::-1], new[head:][::-1])
    middle_old, middle_new = old[head:len(old) - tail], new[head:len(new) - tail]
    groups: Groups = [("equal", old[:head], [])] if head else []
    if len(middle_old) * len(middle_new) <= DIRECT_LIMIT:
        groups += _matched_groups(middle_old, middle_new)
    elif by_sentence:
        groups += _diff_sentences(middle_old, middle_new)
    else:
        groups.append(("change", middle_old, middle_new))
    if tail:
        groups.append(("equal", old[len(old) - tail:], []))
    return groups


def _matched_groups(old: list, new: list) -> Groups:
    groups: Groups = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            groups.append(("equal", old[i1:i2], []))
        elif i1 < i2 or j1 < j2:
            groups.append(("change", old[i1:i2], new[j1:j2]))
    return groups


def _diff_sentences(old: list[str], new: list[str]) -> Groups:
    """Long texts: match whole sentences first, then words inside each changed run of sentences."""
    old_sentences, new_sentences = _sentences(old), _sentences(new)
    groups: Groups = []
    for tag, old_run, new_run in _matched_groups(["".join(x) for x in old_sentences],
                                                 ["".join(x) for x in new_sentences]):
        old_tokens = [t for sentence in old_run for t in tokenize(sentence)]
        new_tokens = [t for sentence in new_run for t in tokenize(sentence)]
        if tag == "equal":
            groups.append(("equal", old_tokens, []))
        else:
            groups += _diff_tokens(old_tokens, new_tokens, by_sentence=False)
    return groups


def _sentences(tokens: list[str]) -> list[list[str]]:
    """Tokens cut after sentence ends (`.`, `!`, `?`, `;` then a space) and line breaks."""
    out: list[list[str]] = [[]]
    for k, token in enumerate(tokens):
        out[-1].append(token)
        ends = "\n" in token or (token[0].isspace() and k > 0 and tokens[k - 1] in _SENTENCE_END)
        if ends:
            out.append([])
    return [x for x in out if x]


def _common_prefix(a: list[str], b: list[str]) -> int:
    """How many leading tokens `a` and `b` share (the edit is usually local: skip the rest fast)."""
    n = min(len(a), len(b))
    if a[:n] == b[:n]:
        return n
    low, high = 0, n
    while low < high:
        mid = (low + high + 1) // 2
        if a[:mid] == b[:mid]:
            low = mid
        else:
            high = mid - 1
    return low


def _fold_glue(groups: list[tuple[str, list[str], list[str]]]) -> list[tuple[str, list[str], list[str]]]:
    """Merge changes separated only by a short run of spaces/punctuation into one change."""
    merged: list[tuple[str, list[str], list[str]]] = []
    for index, (tag, old, new) in enumerate(groups):
        between = 0 < index < len(groups) - 1 and merged and merged[-1][0] == "change"
        if tag == "equal" and between and _is_glue(old):
            merged[-1] = ("change", merged[-1][1] + old, merged[-1][2] + old)
        elif tag == "change" and merged and merged[-1][0] == "change":
            merged[-1] = ("change", merged[-1][1] + old, merged[-1][2] + new)
        else:
            merged.append((tag, list(old), list(new)))
    return merged


def _is_glue(tokens: list[str]) -> bool:
    return len(tokens) <= _GLUE_MAX and not any(token[0].isalnum() or token[0] == "_" for token in tokens)


def _to_ops(groups: list[tuple[str, list[str], list[str]]]) -> list[WordOp]:
    ops: list[WordOp] = []
    for tag, old, new in groups:
        if tag == "equal":
            ops.append(WordOp("equal", "".join(old)))
            continue
        if old:
            ops.append(WordOp("delete", "".join(old)))
        if new:
            ops.append(WordOp("insert", "".join(new)))
    return ops


def old_text(ops: tuple[WordOp, ...]) -> str:
    """The text before the change: the equal and deleted runs."""
    return "".join(op.text for op in ops if op.op != "insert")


def new_text(ops: tuple[WordOp, ...]) -> str:
    """The text after the change: the equal and inserted runs."""
    return "".join(op.text for op in ops if op.op != "delete")
