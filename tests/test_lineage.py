"""Clause lineage (issue 16): a clause followed through renumbering, moves, re-headings and rewrites,
its permanent id, and the doubts said where following it is a judgement."""

from __future__ import annotations

from clause_fixture import AMENDED_PARAGRAPH, DATES, LICENCE_HISTORY, LICENCE_ID
from extras_fixtures import version

from clausewatch.diff.history import HistoryEntry, assign_slugs, iter_history
from clausewatch.diff.lineage import ClauseHistory, trace_clauses
from clausewatch.diff.pairing import read_pairing
from clausewatch.diff.sections import clause_changes


def traced(texts: list[str], days: list[str] | None = None) -> tuple[list[HistoryEntry], ClauseHistory]:
    days = days or [f"20{20 + k}-01-0{1 + k % 9}" for k in range(len(texts))]
    history = list(iter_history([version("acme", "terms", day, text, k + 1)
                                 for k, (day, text) in enumerate(zip(days, texts, strict=True))]))
    slugs = assign_slugs(history)
    return history, trace_clauses(history, [bool(slug) for slug in slugs])


def kinds(lineages: ClauseHistory, lineage_id: str) -> list[tuple[int, str]]:
    return [(event.index, event.kind) for event in lineages.lineages[lineage_id].events]


def test_a_licence_added_amended_renumbered_and_removed_is_one_clause_with_four_events() -> None:
    history, lineages = traced(LICENCE_HISTORY, DATES)
    assert kinds(lineages, LICENCE_ID) == [(1, "added"), (2, "changed"), (3, "renumbered"), (4, "removed")]
    licence = lineages.lineages[LICENCE_ID]
    assert not licence.alive and licence.origin == 1
    renumbered = licence.events[2]
    assert (renumbered.before.number, renumbered.after.number) == ("4.", "6.")  # type: ignore[union-attr]
    assert renumbered.anchor == "" and renumbered.change is None  # no card: its words did not change
    assert [e.anchor for e in licence.events if e.kind != "renumbered"] == [LICENCE_ID] * 3
    assert all(not event.doubts for event in licence.events)
    assert lineages.cards[2][LICENCE_ID] == LICENCE_ID
    # the amended paragraph belongs to the licence's section, in the version it was amended in
    assert lineages.sections[2][AMENDED_PARAGRAPH] == LICENCE_ID
    assert LICENCE_ID not in lineages.latest.values()


def test_permanent_ids_never_change_as_history_grows() -> None:
    _, short = traced(LICENCE_HISTORY[:3], DATES[:3])
    _, full = traced(LICENCE_HISTORY, DATES)
    assert list(short.lineages) == list(full.lineages)[: len(short.lineages)]
    for lid, lineage in short.lineages.items():
        assert [(e.index, e.kind) for e in lineage.events] == kinds(full, lid)[: len(lineage.events)]


def test_a_new_heading_changes_the_id_but_not_the_clause() -> None:
    old = "## 7. Arbitration\n\nAll disputes go to binding arbitration in Delaware, and you waive class actions.\n"
    new = ("## 9. Binding arbitration\n\nAll disputes go to binding arbitration in California, and "
           "you waive class actions.\n")
    history, lineages = traced([old, new])
    assert lineages.latest["binding-arbitration"] == "arbitration"
    event = lineages.lineages["arbitration"].events[-1]
    assert event.kind == "changed" and event.clause_id == "binding-arbitration"
    assert event.before.heading == "Arbitration"  # type: ignore[union-attr]
    assert history[1].version_class == "substantive"


def test_clauses_are_carried_through_versions_without_a_change_page() -> None:
    old = "## 7. Arbitration\n\nAll disputes go to binding arbitration in Delaware.\n"
    new = "## 7. Binding arbitration\n\nAll disputes go to binding arbitration in Delaware.\n"
    history, lineages = traced([old, new, new + "\n## 8. Fees\n\nFees are charged monthly.\n"])
    assert [entry.version_class for entry in history] == ["first", "cosmetic", "substantive"]
    assert lineages.latest["binding-arbitration"] == "arbitration"  # the cosmetic diff paired them
    assert kinds(lineages, "arbitration") == [(0, "first")]


def test_an_id_taken_by_a_different_clause_gets_a_suffix() -> None:
    first = "## Fees\n\nFees are charged monthly in advance by card.\n"
    renamed = "## Fees and taxes\n\nFees are charged monthly in advance by card.\n"
    again = renamed + "\n## Fees\n\nStudents pay nothing at all.\n"
    _, lineages = traced([first, renamed, again])
    assert lineages.latest["fees-and-taxes"] == "fees"  # the first clause keeps its permanent id
    assert kinds(lineages, "fees-2") == [(2, "added")]  # the new "Fees" cannot take it
    assert lineages.latest["fees"] == "fees-2"


def test_a_clause_added_back_with_its_words_is_restored_not_new() -> None:
    with_it = "## Fees\n\nFees are charged monthly.\n\n## Refunds\n\nNo refunds after thirty days.\n"
    without = "## Fees\n\nFees are charged monthly.\n"
    _, lineages = traced([with_it, without, with_it.replace("monthly", "yearly")])
    assert kinds(lineages, "refunds") == [(0, "first"), (1, "removed"), (2, "restored")]
    assert lineages.latest["refunds"] == "refunds"


def test_a_split_is_said_and_names_the_other_part() -> None:
    whole = ("## Privacy\n\nWe collect your e-mail address and your phone number to run the service and we keep "
             "them for two years after you close your account.\n")
    parts = ("## Privacy\n\nWe collect your e-mail address and your phone number to run the service.\n\n"
             "We keep them for two years after you close your account.\n")
    history, lineages = traced([whole, parts])
    changes = clause_changes(history[1].diff.changes)  # type: ignore[union-attr]
    assert any(change.kind == "split" for change in changes)
    event = lineages.lineages["privacy"].events[-1]
    assert "split" in event.doubts and event.related == ("we-keep-them-for-two-years",)
    assert lineages.latest["we-keep-them-for-two-years"] == "we-keep-them-for-two-years"


def test_what_changes_in_recordings_without_a_page_is_dated_at_the_next_change_and_said() -> None:
    a = "## Fees\n\nFees are charged monthly.\n\n## Refunds\n\nNo refunds after thirty days.\n"
    b = "## Fees\n\nFees are charged monthly.\n"
    c = a + "\n## Support\n\nSupport answers within two days.\n"
    # the third is a blink back to the first (within BLINK_DAYS): no change page
    history, lineages = traced([a, b, a, c], ["2020-01-01", "2020-01-03", "2020-01-05", "2021-01-01"])
    assert [entry.version_class for entry in history] == ["first", "substantive", "blink", "substantive"]
    events = lineages.lineages["refunds"].events
    assert [(e.index, e.kind, e.doubts) for e in events] == [
        (0, "first", ()), (1, "removed", ()), (3, "restored", ("between",))]


def test_the_pairing_read_back_from_a_diff_covers_every_clause_once() -> None:
    history, _ = traced(LICENCE_HISTORY, DATES)
    for entry in history[1:]:
        assert entry.diff is not None
        step = read_pairing(entry.diff)
        olds = [*step.pairs, *step.removed, *step.merged_parts]
        news = [*step.pairs.values(), *step.added, *step.split_parts]
        assert sorted(olds) == sorted(c.id for c in entry.diff.before)
        assert sorted(news) == sorted(c.id for c in entry.diff.after)
        assert not any("weak" in doubts for doubts in step.doubts.values())
