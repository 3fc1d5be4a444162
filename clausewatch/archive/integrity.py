"""Who recorded a version: the tracker, an import, or someone else; and the check that keeps pull requests
from slipping a forged version into the archive.

The archive lives in the repository that contributors send commentary to, so a pull request could edit
`archive/<service>/<document>.md` and publish words a company never wrote. Every version the tracker or
an importer writes is committed with the tracker's identity (`archive.write.BOT_NAME`/`BOT_EMAIL`) and
its trailers; the scheduled workflow commits as `clausewatch-bot` (site.yml), which becomes the committer
of tracker commits it rebases. So:

- `recording_of` classifies a version for the site: `tracked` (tracker identity, no `Imported-From`),
  `imported` (tracker identity and an `Imported-From` source), `other` (anything else: a hand edit, a
  forged or rewritten commit);
- `archive_changes_problems(repo, base)` lists what in `base..HEAD` touches `archive/` without coming
  from the tracker: a commit by another identity, a tracker commit without the trailers of the version it
  writes, a merge that changes archive files itself. `clausewatch check --since BASE` fails on them (the
  pull-request workflow runs it).

A git identity is a claim, not a proof: anyone can write a commit in the tracker's name. The check stops
the honest mistake and the careless forgery; the rest of the trust model (only the scheduled workflow
pushes tracker commits to the default branch, branch protection, review of any pull request that touches
`archive/`, and the evidence each version carries) is in docs/tracking.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from clausewatch.archive.git import LOG_RECORD, git, log_records
from clausewatch.archive.message import parse_trailers, split_imported_from
from clausewatch.archive.write import BOT_EMAIL, BOT_NAME

TRACKER = f"{BOT_NAME} <{BOT_EMAIL}>"
"""The identity every tracker and importer commit is authored with."""
WORKFLOW_BOT = "clausewatch-bot <41898282+github-actions[bot]@users.noreply.github.com>"
"""The identity of the scheduled workflow (site.yml): the committer of tracker commits it rebases."""
COMMITTERS = frozenset({TRACKER, WORKFLOW_BOT})

RecordingKind = Literal["tracked", "imported", "other"]


@dataclass(frozen=True, slots=True)
class Recording:
    """How one version came into the archive."""

    kind: RecordingKind
    author: str
    """`Name <email>` of the commit's author."""
    source: str = ""
    """For an import: the source repository (`Owner/Repository`, or `/name` when the owner is unknown)."""
    source_commit: str = ""


def recording_of(author: str, committer: str, imported_from: str) -> Recording:
    """How a version with this author, committer and `Imported-From` trailer was recorded."""
    if author != TRACKER or (committer and committer not in COMMITTERS):
        return Recording("other", author)
    if imported_from:
        source, commit = split_imported_from(imported_from)
        return Recording("imported", author, source, commit)
    return Recording("tracked", author)


def archive_changes_problems(repo: Path, base: str, prefix: str = "archive/") -> list[str]:
    """Every commit of `base..HEAD` in `repo` that changes files under `prefix` and does not come from the
    tracker, each as `commit: problem — fix` (empty when the archive is untouched or only the tracker
    touched it)."""
    span = f"{base}..HEAD"
    out = git(repo, "log", "--no-merges", "-z", "--raw", "--no-renames", "--no-abbrev", "--full-diff",
              f"--format={LOG_RECORD}%an <%ae>%x00%cn <%ce>%x00%B%x00", span, "--", prefix)
    problems = []
    for record in log_records(out):
        commit, author, committer, body, raw = record.split(b"\x00", 4)
        sha, message = commit.decode(), body.decode("utf-8", "replace")
        paths = [p.decode("utf-8", "replace") for p in raw.lstrip(b"\x00\n").split(b"\x00")[1::2] if p]
        shown = ", ".join(sorted(paths)[:3]) + (" …" if len(paths) > 3 else "")
        who = recording_of(author.decode("utf-8", "replace"), committer.decode("utf-8", "replace"), "")
        if who.kind == "other":
            problems.append(f"{sha[:12]}: changes {shown} but is authored by {who.author} and committed by "
                            f"{committer.decode('utf-8', 'replace')}, not by the tracker ({TRACKER}) — versions "
                            "are recorded by `clausewatch track` or `clausewatch import` only: drop this commit "
                            "from the pull request (commentary goes in commentary/)")
            continue
        problem = _trailer_problem(message, paths, prefix)
        if problem:
            problems.append(f"{sha[:12]}: {problem} — a tracker commit records one version with its trailers: "
                            "drop or redo this commit with `clausewatch track`")
    for merge in git(repo, "log", "--merges", "--format=%H", span).decode().split():
        changed = git(repo, "diff-tree", "-r", "--cc", "--name-only", "--no-commit-id", merge, "--", prefix)
        if changed.strip():
            problems.append(f"{merge[:12]}: this merge changes archive files itself "
                            f"({', '.join(changed.decode('utf-8', 'replace').split()[:3])}) — merge without "
                            "editing archive/ (take the tracker's side of any conflict)")
    return problems


def _trailer_problem(message: str, paths: list[str], prefix: str) -> str:
    """Why a commit in the tracker's name is not one version as the tracker writes it ('' if it is)."""
    trailers = parse_trailers(message)
    service, document = trailers.get("service", ""), trailers.get("document", "")
    if not service or not document:
        return "is in the tracker's name but has no Service and Document trailers"
    texts = {p for p in paths if p.startswith(prefix) and p.endswith(".md") and "/_snapshots/" not in f"/{p}"}
    if texts != {f"{prefix}{service}/{document}.md"}:
        return f"is in the tracker's name for {service}/{document} but changes {', '.join(sorted(paths)[:3])}"
    outside = [p for p in paths if p not in texts and not p.startswith(f"{prefix}_snapshots/{service}/{document}/")]
    if outside:
        return f"is in the tracker's name but also changes {', '.join(outside[:3])}"
    return ""
