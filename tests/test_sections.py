"""Sections as the unit of a change, rewrites, and the key-changes ranking (issue 12)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from clausewatch.cli import cli
from clausewatch.diff.clauses import split_clauses
from clausewatch.diff.compare import diff_texts
from clausewatch.diff.sections import MAX_MEMBERS, clause_changes, section_roots
from clausewatch.diff.topics import load_topics, tag_diff
from clausewatch.site.key_changes import rank_changes, sentence_at

OLD = """# Terms

## 1. Accounts

You need an account. Keep your password safe.

## 2. Fees

Fees are due monthly.

## 3. Disputes

Disputes are settled by the courts of your country of residence.
"""
NEW = """# Terms

## 1. Eligibility

You must be 16 or older.

## 2. Accounts

You need an account. Keep your password safe.

## 3. Fees

Fees are due monthly.

## 4. Disputes

Disputes are settled by the courts of your country of residence.
"""


def test_an_added_section_is_one_change_and_renumbered_sections_are_counted(tmp_path: Path) -> None:
    (tmp_path / "old.md").write_text(OLD, encoding="utf-8")
    (tmp_path / "new.md").write_text(NEW, encoding="utf-8")
    result = CliRunner().invoke(cli, ["diff", str(tmp_path / "old.md"), str(tmp_path / "new.md"), "--format", "json"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    assert [(c["kind"], c["class"]) for c in data["changes"]] == [("added", "substantive")]
    (added,) = data["changes"]
    assert added["after"]["heading"] == "Eligibility" and added["after"]["text"] == "You must be 16 or older."
    assert added["after"]["number"] == "1."
    assert [p["kind"] for p in added["parts"]] == ["added", "added"], "its heading and its paragraph"
    assert data["summary"]["renumbered"] == 3 and data["summary"]["added"] == 1


def test_a_modified_section_holds_its_changed_paragraphs_and_keeps_their_anchors() -> None:
    new = OLD.replace("Keep your password safe.", "Keep your password safe.\n\nWe may close idle accounts.")
    (section,) = diff_texts(OLD, new).changes
    assert section.kind == "modified" and section.after.heading == "Accounts"
    assert [(p.kind, p.after.id) for p in section.parts] == [("added", "we-may-close-idle-accounts")]
    assert "We may close idle accounts." in section.after.text


def test_a_clause_keeping_less_than_half_its_words_is_rewritten() -> None:
    reworded = OLD.replace("Fees are due monthly.", "Fees are due monthly, in advance, by card only.")
    rewritten = OLD.replace("Disputes are settled by the courts of your country of residence.",
                            "Disputes are settled by binding arbitration in Delaware; you waive class actions.")
    assert not any(c.rewritten for c in clause_changes(diff_texts(OLD, reworded).changes))
    (part,) = clause_changes(diff_texts(OLD, rewritten).changes)
    assert part.rewritten and part.kind == "modified"


def test_unrelated_clauses_are_not_paired() -> None:
    old = "## 4. Responsibility for end users\n\nYou are responsible for what your end users do with the service.\n"
    new = "## 10. Customer content\n\nWe may use customer content to train machine learning models.\n"
    kinds = sorted(c.kind for c in diff_texts(old, new).changes)
    assert kinds == ["added", "removed"]


def test_a_document_title_over_a_long_text_does_not_make_one_card() -> None:
    body = "\n\n".join(f"Paragraph {k} says something else entirely." for k in range(MAX_MEMBERS + 5))
    clauses = split_clauses(f"# Privacy Policy\n\n{body}\n")
    roots = section_roots(clauses)
    assert roots[1:] == list(range(1, len(clauses))), "each paragraph stays its own unit"


def test_key_changes_rank_by_topic_weight_then_kind_then_size() -> None:
    old = OLD
    new = (OLD.replace("Fees are due monthly.", "Fees are due monthly and we may raise them at any time without "
                       "notice to you or any other user of the service.")
              .replace("Keep your password safe.",
                       "Keep your password safe. We may use your content to train machine learning models."))
    diff = tag_diff(diff_texts(old, new))
    ranked = rank_changes(diff, load_topics())
    assert ranked[0].heading == "Accounts" and "ai-training" in ranked[0].topics
    assert "machine learning" in ranked[0].sentence and ranked[0].side == "after"
    assert [k.heading for k in ranked][:2] == ["Accounts", "Fees"]


def test_the_same_clause_removed_twice_is_one_key_change() -> None:
    repeated = "Links to other sites are provided for your convenience; we are not liable for them."
    old = f"{repeated}\n\nWe sell nothing.\n\n{repeated}\n"
    (entry,) = rank_changes(tag_diff(diff_texts(old, "We sell nothing.\n")), load_topics())
    assert entry.kind == "removed" and entry.count == 2


def test_a_long_sentence_is_cut_around_the_matched_words() -> None:
    text = "Intro. " + " ".join(f"w{k}" for k in range(200)) + " machine learning " + "x " * 100 + "end."
    cut = sentence_at(text, text.index("machine"))
    assert "machine learning" in cut and cut.startswith("…") and cut.endswith("…") and len(cut) < 300


def test_a_new_section_is_quoted_by_its_words_whatever_the_spaces_of_its_title() -> None:
    """The key change of an added section quotes what follows its title, also when the title holds a
    no-break space or a line break (the shared bundle's Cdiscount terms: the title's one-line form is
    not in the text; the build died on it with 'substring not found')."""
    old = "# T\n\n## Fees\n\nFees are due monthly.\n"
    for title in ("Paiement\xa0par virement sécurisé", "Paiement  par virement", "Paiement par"):
        new = old + f"\n## {title}\n\nCe mode de paiement n’est disponible que pour les règlements.\n"
        (entry,) = [k for k in rank_changes(tag_diff(diff_texts(old, new)), load_topics()) if k.kind == "added"]
        assert entry.sentence == "Ce mode de paiement n’est disponible que pour les règlements.", (title, entry)
