"""The change classifier: does a change matter to a reader?

Per pair of texts (or per clause change):
- `links`       only link targets changed (URLs, tracking/session query strings, fragments);
- `cosmetic`    the canonical texts are equal: only whitespace, markup, quotes, case or numbering changed;
- `substantive` the words a reader reads changed.

Per recorded version: `first` for the first record; `blink` when its canonical text equals a version
recorded before the immediately previous one (a page flapping between variants); otherwise the class
of its change against the previous version.
"""

from __future__ import annotations

from collections.abc import Sequence

from clausewatch.models import ChangeClass, Clause, ClauseChange, Diff, VersionClass
from clausewatch.normalize import canonical_key, canonical_text, is_link_only, targetless_blocks


def classify_pair(before: str, after: str) -> ChangeClass:
    """Class of the change from text `before` to text `after` (identical texts count as cosmetic)."""
    if before != after and targetless_blocks(before) == targetless_blocks(after):
        return "links"
    if canonical_key(before) == canonical_key(after):
        return "cosmetic"
    return "substantive"


def clause_text(clause: Clause | None) -> str:
    """A clause's heading and text as one string, as the classifier compares them (number excluded)."""
    if clause is None:
        return ""
    return f"{clause.heading}\n\n{clause.text}" if clause.heading else clause.text


def classify_change(change: ClauseChange) -> ChangeClass:
    """Class of one clause change.

    An added or removed clause is substantive unless it has no words (`cosmetic`) or is nothing but
    links, like a menu leaking in or out of the extracted page (`links`).
    """
    before = clause_text(change.before)
    after = clause_text(change.after)
    if change.kind == "split":
        after = "\n\n".join([after, *(clause_text(c) for c in change.others)])
    elif change.kind == "merged":
        before = "\n\n".join([before, *(clause_text(c) for c in change.others)])
    if change.kind in ("added", "removed") and not canonical_text(before or after):
        return "cosmetic"
    if all(is_link_only(text) for text in (before, after) if text):
        return "links"
    return classify_pair(before, after)


def class_of_diff(diff: Diff) -> VersionClass:
    """`substantive` if any clause change is, else `cosmetic` or `links` by what changed."""
    summary = diff.summary
    if summary.substantive or any(c.change_class == "substantive" for c in diff.changes):
        return "substantive"
    if summary.cosmetic or summary.renumbered or summary.moved:
        return "cosmetic"
    if summary.links or any(c.change_class == "links" for c in diff.changes):
        return "links"
    return "cosmetic"


def classify_version(previous_texts: Sequence[str], text: str, diff: Diff | None = None) -> VersionClass:
    """Class of a version with text `text`, given the texts recorded before it (oldest first).

    `diff` is the clause diff of the immediately previous text against `text`; it is computed here
    (with `clausewatch.diff.diff_texts`) only when the canonical texts differ and none was given.
    """
    if not previous_texts:
        return "first"
    previous = previous_texts[-1]
    key = canonical_key(text)
    if key == canonical_key(previous):
        return classify_pair(previous, text)
    if any(canonical_key(earlier) == key for earlier in previous_texts[:-1]):
        return "blink"
    if diff is None:
        from clausewatch.diff import diff_texts

        diff = diff_texts(previous, text)
    return class_of_diff(diff)
