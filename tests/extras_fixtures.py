"""Values for the site-extras tests: a small history of published changes, built from real dataclasses.

The diffs are written out by hand (clauses, word runs, classes) so that these tests pin the extras'
own behaviour and do not move when the diff engine's heuristics improve.
"""

from __future__ import annotations

from datetime import UTC, datetime

from clausewatch.models import (
    Clause,
    ClauseChange,
    Diff,
    DiffSummary,
    Provenance,
    PublishedChange,
    Version,
    VersionClass,
    WordOp,
)

HOSTILE = '<script>alert(1)</script> {--gone--} [x](javascript:alert(2)) & "quotes" \x07bell'


def version(service: str, document: str, day: str, text: str, n: int, *, name: str = "",
            hour: int = 6) -> Version:
    when = datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)
    return Version(
        service=service,
        document=document,
        commit=f"{n:040x}",
        observed_at=when,
        text=text,
        provenance=Provenance(
            source_url=f"https://{service}.example/{document}",
            fetched_at=when,
            http_status=200,
            snapshot_sha256=f"{n:064x}",
        ),
        service_name=name or service.title(),
        document_name=document.replace("-", " ").title(),
    )


def modified(clause_id: str, heading: str, old: str, new: str, ops: tuple[WordOp, ...], *,
             cls: str = "substantive", topics: tuple[str, ...] = ()) -> ClauseChange:
    before = Clause(id=clause_id, number="4.", heading=heading, text=old, kind="section")
    after = Clause(id=clause_id, number="5.", heading=heading, text=new, kind="section")
    return ClauseChange(kind="modified", change_class=cls, before=before, after=after, words=ops,  # type: ignore[arg-type]
                        renumbered=True, topics=topics)


def added(clause_id: str, text: str, topics: tuple[str, ...] = ()) -> ClauseChange:
    clause = Clause(id=clause_id, number=None, heading=None, text=text)
    return ClauseChange(kind="added", change_class="substantive", before=None, after=clause, topics=topics)


def diff_of(*changes: ClauseChange, renumbered: int = 0) -> Diff:
    substantive = sum(1 for c in changes if c.change_class == "substantive")
    return Diff(
        changes=changes,
        summary=DiffSummary(
            substantive=substantive,
            cosmetic=sum(1 for c in changes if c.change_class == "cosmetic"),
            links=sum(1 for c in changes if c.change_class == "links"),
            renumbered=renumbered,
            added=sum(1 for c in changes if c.kind == "added"),
            modified=sum(1 for c in changes if c.kind == "modified"),
        ),
    )


def published(v: Version, cls: VersionClass, diff: Diff | None, previous: Version | None,
              suffix: str = "") -> PublishedChange:
    """As the generator publishes it: first records and substantive changes get a page, others none."""
    day = v.observed_at.date().isoformat()
    path = f"{v.service}/{v.document}/{day}{suffix}/" if cls in ("first", "substantive") else ""
    return PublishedChange(version=v, version_class=cls, path=path, diff=diff, previous=previous)


def history() -> list[PublishedChange]:
    """Two services, three documents: a first record, an AI-training change, a cosmetic one, a blink,
    and a second substantive change the same day (suffix `-2`)."""
    jan, mar = "Last updated: January 1, 2026\n\n# Terms\n", "Last updated: March 1, 2026\n\n# Terms\n"
    a1 = version("acme", "terms-of-service", "2026-01-05", jan, 1)
    a2 = version("acme", "terms-of-service", "2026-02-10", jan + "AI\n", 2)
    a3 = version("acme", "terms-of-service", "2026-03-01", mar + "AI.\n", 3)
    a4 = version("acme", "terms-of-service", "2026-03-01", mar, 4, hour=7)
    a5 = version("acme", "terms-of-service", "2026-03-01", mar + "Arbitration.\n", 9, hour=8)
    a6 = version("acme", "terms-of-service", "2026-03-01", mar + "Arbitration. Waiver.\n", 10, hour=9)
    p1 = version("acme", "privacy-policy", "2026-01-05", "# Privacy\n", 5)
    p2 = version("acme", "privacy-policy", "2026-02-20", "# Privacy\nSell.\n", 6)
    h1 = version("hostile", "terms", "2026-01-07", HOSTILE, 7, name=HOSTILE)
    h2 = version("hostile", "terms", "2026-02-07", HOSTILE + " more", 8, name=HOSTILE)
    ai = modified(
        "licence-to-content", "Licence to content",
        "You grant us a licence to host your content.",
        "You grant us a perpetual licence to use your content for machine learning and AI training.",
        (WordOp("equal", "You grant us a "), WordOp("insert", "perpetual "),
         WordOp("equal", "licence to "), WordOp("delete", "host"), WordOp("insert", "use"),
         WordOp("equal", " your content"),
         WordOp("insert", " for machine learning and AI training"), WordOp("equal", ".")),
        topics=("ai-training", "content-licence"),
    )
    cosmetic = modified("licence-to-content", "Licence to content", "AI training", "AI training.",
                        (WordOp("equal", "AI training"), WordOp("insert", ".")), cls="cosmetic")
    sell = added("sale-of-data", "We may sell your personal data to partners.", topics=("data-sharing",))
    evil = added("evil", HOSTILE, topics=("ai-training",))
    return [
        published(a1, "first", None, None),
        published(a2, "substantive", diff_of(ai, renumbered=3), a1),
        published(a3, "cosmetic", diff_of(cosmetic), a2),
        published(a4, "blink", diff_of(cosmetic), a3),
        published(a5, "substantive", diff_of(added("arbitration", "Disputes go to arbitration.",
                                                   ("arbitration",))), a4),
        published(a6, "substantive", diff_of(added("class-action-waiver", "You waive class actions.",
                                                   ("arbitration",))), a5, suffix="-2"),
        published(p1, "first", None, None),
        published(p2, "substantive", diff_of(sell), p1),
        published(h1, "first", None, None),
        published(h2, "substantive", diff_of(evil), h1),
    ]
