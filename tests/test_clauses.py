"""Segmentation of Markdown into clauses: numbering shapes, headings, tree, stable ids."""

from __future__ import annotations

import re
import time

import pytest

from clausewatch.diff.clauses import iter_blocks, split_clauses
from clausewatch.diff.compare import clear_caches

ANCHOR = re.compile(r"^[a-z][a-z0-9-]*$")


def by_id(markdown: str) -> dict[str, object]:
    return {c.id: c for c in split_clauses(markdown)}


@pytest.mark.parametrize(
    ("markdown", "number", "heading", "text"),
    [
        ("1. Definitions.\n---------------", "1.", "Definitions", ""),
        ("## 7. Arbitration", "7.", "Arbitration", ""),
        ("### 7 Arbitration", "7", "Arbitration", ""),
        ("1.1 You must comply with the documentation we publish.", "1.1", None,
         "You must comply with the documentation we publish."),
        ("1.1.2. Fees are due monthly, in advance, by card.", "1.1.2.", None,
         "Fees are due monthly, in advance, by card."),
        ("(a) to pay the fees;", "(a)", None, "to pay the fees;"),
        ("(iv) any other purpose;", "(iv)", None, "any other purpose;"),
        ("a) to pay the fees;", "a)", None, "to pay the fees;"),
        ("Section 12. Governing Law", "Section 12.", "Governing Law", ""),
        ("Article 3 - Scope", "Article 3", "Scope", ""),
        ("§ 4 The seller may withdraw from the contract at any time.", "§ 4", None,
         "The seller may withdraw from the contract at any time."),
        ("**10.4 Customer License Grant**. Customer grants us a licence.", "10.4", "Customer License Grant",
         "Customer grants us a licence."),
        ("**1.1.** You may not transfer software outside the Services.", "1.1.", None,
         "You may not transfer software outside the Services."),
        ("**Arbitration.** Disputes go to an arbitrator.", None, "Arbitration",
         "Disputes go to an arbitrator."),
        ("Plain paragraph with no number at all.", None, None, "Plain paragraph with no number at all."),
    ],
)
def test_number_shapes(markdown: str, number: str | None, heading: str | None, text: str) -> None:
    (clause,) = split_clauses(markdown)
    assert (clause.number, clause.heading, clause.text) == (number, heading, text)


def test_bold_definition_is_not_a_heading() -> None:
    (clause,) = split_clauses("**“You”** or **“Customer”** means the person who subscribes.")
    assert clause.heading is None and clause.number is None
    assert clause.text.startswith("**“You”**")


def test_tree_follows_headings_numbers_and_list_indent() -> None:
    markdown = (
        "# Terms\n\nWelcome.\n\n## 1. Fees\n\n1.1 You pay the fees we set out here.\n\n"
        "(a) monthly in advance;\n\n(b) by card;\n\n*   a bullet\n    *   a nested bullet\n\n"
        "## 2. Termination\n\nEither party may end this.\n"
    )
    clauses = by_id(markdown)
    assert clauses["welcome"].parent == "terms"
    assert clauses["fees"].parent == "terms"
    assert clauses["you-pay-the-fees-we-set"].parent == "fees"
    assert clauses["monthly-in-advance"].parent == "you-pay-the-fees-we-set"
    assert clauses["by-card"].parent == "you-pay-the-fees-we-set"
    assert clauses["a-nested-bullet"].parent == "a-bullet"
    assert clauses["termination"].parent == "terms"
    assert clauses["either-party-may-end-this"].parent == "termination"
    assert clauses["a-nested-bullet"].level == clauses["a-bullet"].level + 1
    assert clauses["a-bullet"].kind == "item"
    assert clauses["fees"].kind == "heading"


def test_ids_are_anchor_safe_unique_and_survive_renumbering() -> None:
    old = ("## 1. Definitions\n\nText one.\n\n## 2. Definitions\n\nText two.\n\n"
           "## 3. 2024 Changes\n\nÉtés à Noël.\n")
    new = old.replace("## 1.", "## 4.").replace("## 2.", "## 5.").replace("## 3.", "## 9.")
    old_ids = [c.id for c in split_clauses(old)]
    assert old_ids == [c.id for c in split_clauses(new)]
    assert len(set(old_ids)) == len(old_ids)
    assert "definitions" in old_ids and "definitions-2" in old_ids
    assert all(ANCHOR.match(i) for i in old_ids), old_ids
    assert "c-2024-changes" in old_ids and "etes-a-noel" in old_ids


def test_suffix_never_collides_with_a_natural_id() -> None:
    ids = [c.id for c in split_clauses("## Fees\n\n## Fees 2\n\n## Fees\n")]
    assert len(set(ids)) == 3 and ids[0] == "fees"


def test_empty_and_markup_only_documents() -> None:
    assert split_clauses("") == ()
    assert split_clauses("\n\n---\n\n* * *\n") == ()
    (clause,) = split_clauses("[](https://example.com)")
    assert clause.id == "clause"


def test_fenced_code_is_one_block() -> None:
    blocks = list(iter_blocks("Intro.\n\n```\n# not a heading\n\n1. not a number\n```\n\nAfter."))
    assert [b.kind for b in blocks] == ["paragraph", "paragraph", "paragraph"]
    assert "# not a heading" in blocks[1].text


def test_setext_and_lazy_continuation() -> None:
    clauses = split_clauses("Title\n=====\n\n*   item that\ncontinues lazily\n\nSub\n---\n")
    expected = [("heading", "Title"), ("item", None), ("heading", "Sub")]
    assert [(c.kind, c.heading) for c in clauses] == expected
    assert clauses[1].text == "item that\ncontinues lazily"


def test_large_document_is_split_in_linear_time() -> None:
    section = "## {n}. Section about topic {n}\n\n{n}.1 The provider may process data item {n} here.\n\n"
    small = "".join(section.format(n=n) for n in range(200))
    large = "".join(section.format(n=n) for n in range(2000))

    def cpu_seconds(text: str, expected: int) -> float:
        best = float("inf")
        for _ in range(3):
            clear_caches()
            t0 = time.process_time()
            assert len(split_clauses(text)) == expected
            best = min(best, time.process_time() - t0)
        return best

    t_small, t_large = cpu_seconds(small, 400), cpu_seconds(large, 4000)
    assert t_large < 30 * t_small + 0.05, (t_small, t_large)


def test_blockquoted_clauses_keep_their_numbers() -> None:
    clauses = split_clauses("> (a) **Written policy**. Except as\n> required by law.\n>\n> (b) the rest;\n")
    assert [(c.number, c.heading, c.text) for c in clauses] == [
        ("(a)", "Written policy", "Except as\nrequired by law."), ("(b)", None, "the rest;")]
