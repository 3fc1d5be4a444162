"""The clause diff on real terms histories (Open Terms Archive contrib versions, ../shared/data).

Goldens keep only what the diff decided (ids, kinds, classes, counts), never the texts. The bundle
is cloned once per session into a temporary folder; everything skips cleanly when it is absent.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from golden import assert_golden

from clausewatch.archive.git import BlobReader, git
from clausewatch.archive.read import iter_log, open_archive
from clausewatch.diff.clauses import full_text, split_clauses
from clausewatch.diff.compare import diff_texts
from clausewatch.diff.markup import plain_text
from clausewatch.diff.render import render_text
from clausewatch.diff.sections import clause_changes
from clausewatch.diff.words import new_text, old_text
from clausewatch.models import Diff
from clausewatch.site.diff_markdown import render_markdown

BUNDLE = Path(__file__).resolve().parents[1] / "../shared/data/ota-contrib-versions.bundle"
ANCHOR = re.compile(r"^[a-z][a-z0-9-]*$")
GOLDEN_LINES = 80

CASES = {
    # name: (document, commit prefix of the version diffed against the one before it, why)
    "aws-renumbering": ("Amazon Web Services/Terms of Service", "c346212ce0", "one section inserted"),
    "aws-renumber-and-edit": ("Amazon Web Services/Terms of Service", "ad88bf8664", "renumbering plus edits"),
    "windstream-split": ("Windstream/Terms of Service", "b6dd383cd4", "run-in sections split up"),
    "windstream-restructure": ("Windstream/Terms of Service", "62e96c5072", "sections moved and merged"),
    "instagram-links": ("Instagram/Terms of Service", "99dece5021", "only link query strings changed"),
    "zillow-case": ("Zillow/Privacy Policy", "4732771c73", "only letter case changed"),
    "wikimedia-links": ("Wikimedia Foundation/Terms of Service", "01c26bbfb7", "only link targets changed"),
}

pytestmark = [pytest.mark.shared_data, pytest.mark.slow]


@pytest.fixture(scope="session")
def real_pairs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, str]]:
    """Each case's (old text, new text), read from a clone of the bundle made once per session."""
    if not BUNDLE.exists():
        pytest.skip(f"shared data absent: {BUNDLE.resolve()} (see ../shared/data/README.md)")
    dest = tmp_path_factory.mktemp("ota") / "contrib-versions"
    git(dest.parent, "clone", "-q", "--no-checkout", "--branch", "main", str(BUNDLE.resolve()), str(dest))
    archive = open_archive(dest)
    wanted = {f"{document}.md" for document, _, _ in CASES.values()}
    entries = list(iter_log(archive, sorted(wanted)))
    pairs: dict[str, tuple[str, str]] = {}
    with BlobReader(archive) as reader:
        for name, (document, prefix, _why) in CASES.items():
            history = [e for e in entries if e.path == f"{document}.md"]
            index = next(k for k, entry in enumerate(history) if entry.commit.startswith(prefix))
            old, new = (reader.read(history[k].blob).decode("utf-8") for k in (index - 1, index))
            pairs[name] = (old, new)
    return pairs


def describe(diff: Diff) -> str:
    """The decisions of a diff as a few lines: summary, counts by kind and class, then each change."""
    lines = [f"summary: {diff.summary}"]
    counts = Counter((c.kind, c.change_class) for c in diff.changes)
    lines += [f"count {kind} {cls}: {n}" for (kind, cls), n in sorted(counts.items())]
    for change in diff.changes:
        before = change.before.id if change.before else "-"
        after = change.after.id if change.after else "-"
        others = f" +[{','.join(c.id for c in change.others)}]" if change.others else ""
        flag = " renumbered" if change.renumbered else ""
        flag += " rewritten" if change.rewritten else ""
        parts = f" ({len(change.parts)} clauses)" if change.parts else ""
        lines.append(f"{change.kind} {change.change_class} {before} -> {after}{others}{flag}{parts}")
    if len(lines) > GOLDEN_LINES:
        lines = [*lines[:GOLDEN_LINES], f"... {len(lines) - GOLDEN_LINES} more changes"]
    return "\n".join(lines) + "\n"


def check_invariants(old: str, new: str, diff: Diff) -> None:
    for text in (old, new):
        ids = [c.id for c in split_clauses(text)]
        assert len(ids) == len(set(ids)) and all(ANCHOR.match(i) for i in ids)
    for change in clause_changes(diff.changes):
        if change.words:
            olds = [change.before, *(change.others if change.kind == "merged" else ())]
            news = [change.after, *(change.others if change.kind == "split" else ())]
            assert old_text(change.words) == plain_text("\n\n".join(full_text(c) for c in olds))
            assert new_text(change.words) == plain_text("\n\n".join(full_text(c) for c in news))
    assert diff_texts(new, new).changes == ()


@pytest.mark.parametrize("name", sorted(CASES))
def test_real_pair_golden(real_pairs, name: str) -> None:
    old, new = real_pairs[name]
    diff = diff_texts(old, new)
    check_invariants(old, new, diff)
    assert render_text(diff) and render_markdown(diff)
    assert_golden(f"diff/real-{name}.txt", describe(diff))


def test_mass_renumbering_is_not_a_wall_of_changes(real_pairs) -> None:
    diff = diff_texts(*real_pairs["aws-renumbering"])
    assert diff.summary.renumbered > 40, "sections renumbered (their numbered clauses move with them)"
    substantive = [c.after.id for c in diff.changes if c.change_class == "substantive"]
    assert len(substantive) <= 3, substantive


@pytest.mark.parametrize("name", ["instagram-links", "wikimedia-links"])
def test_link_noise_is_links_only(real_pairs, name: str) -> None:
    diff = diff_texts(*real_pairs[name])
    assert diff.changes and {c.change_class for c in diff.changes} == {"links"}
    assert diff.summary.substantive == 0


def test_split_keeps_the_definitions_together(real_pairs) -> None:
    diff = diff_texts(*real_pairs["windstream-split"])
    split = next(c for c in clause_changes(diff.changes) if c.before and c.before.id == "definitions")
    assert split.kind == "split" and len(split.others) >= 5
