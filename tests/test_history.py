"""Version history: iter_history over versions, log_document over a real git archive, `clausewatch log`."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from clausewatch.archive.read import open_archive
from clausewatch.archive.write import init_repository, record_version
from clausewatch.cli import cli
from clausewatch.commands.log import log_document
from clausewatch.diff.history import iter_history
from clausewatch.errors import ConfigError
from clausewatch.models import Provenance, Version
from clausewatch.workspace import Workspace

START = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)

TERMS = """\
# Confero Terms of Service

## 1. Your Content

1.1 You keep ownership of what you upload ("Your Content").

1.2 We use Your Content only to provide the Services. See our [Privacy Policy](https://confero.example/privacy?utm_source=terms).

## 2. Fees

2.1 Fees are due within 30 days.
"""
AI_LICENCE = TERMS.replace(
    "We use Your Content only to provide the Services.",
    "You grant us a perpetual, sublicensable licence to use Your Content for machine learning"
    " and AI training.",
)
LINK_CHURN = AI_LICENCE.replace("utm_source=terms", "utm_source=terms&session_token=9f")
QUOTES = LINK_CHURN.replace('("Your Content")', "(\u201cYour Content\u201d)")
RENUMBERED = QUOTES.replace("## 2. Fees", "## 3. Fees").replace("2.1 Fees", "3.1 Fees")
BACK_TO_FIRST = TERMS.replace("utm_source=terms", "utm_source=home")

ROUNDS = [
    (TERMS, "first"),
    (AI_LICENCE, "substantive"),
    (LINK_CHURN, "links"),
    (QUOTES, "cosmetic"),
    (RENUMBERED, "cosmetic"),
    (BACK_TO_FIRST, "blink"),
]


def version(text: str, day: int) -> Version:
    observed = START + timedelta(days=day)
    provenance = Provenance("https://confero.example/terms", observed, 200, f"{day:064x}")
    return Version("confero", "terms-of-service", f"{day:040x}", observed, text, provenance)


def test_iter_history_classes_diffs_and_previous() -> None:
    versions = [version(text, day) for day, (text, _) in enumerate(ROUNDS)]
    entries = list(iter_history(versions))
    assert [entry.version_class for entry in entries] == [expected for _, expected in ROUNDS]
    assert [entry.version for entry in entries] == versions
    assert [entry.previous for entry in entries] == [None, *versions[:-1]]
    with_diff = [entry.version_class for entry in entries if entry.diff is not None]
    assert with_diff == ["substantive"]
    substantive = entries[1].diff
    assert substantive is not None and substantive.summary.substantive == 1


def test_iter_history_diffs_only_new_canonical_texts() -> None:
    texts = [TERMS, AI_LICENCE] * 20 + [LINK_CHURN, QUOTES] * 20
    entries = list(iter_history(version(text, day) for day, text in enumerate(texts)))
    classes = [entry.version_class for entry in entries]
    assert classes[:3] == ["first", "substantive", "blink"]
    assert classes.count("substantive") == 1
    assert sum(entry.diff is not None for entry in entries) == 1


LISTING = """\
*   Where is my old blog?
    *   by alice
    *   3 hours ago
    *   0 votes

"""


def test_iter_history_folds_page_noise_and_flapping_clauses() -> None:
    fees_changed = TERMS.replace("within 30 days", "within 14 days")
    texts = [
        TERMS,
        LISTING + TERMS,  # a forum listing leaks in at the top: noise
        LISTING.replace("alice", "bob").replace("Where is", "Who took") + TERMS,  # it moves on: noise
        fees_changed,  # a real change
        AI_LICENCE.replace("within 30 days", "within 14 days"),  # another real change
        AI_LICENCE,  # the fee clause flaps back to its first wording: not new
    ]
    entries = list(iter_history(version(text, day) for day, text in enumerate(texts)))
    classes = [entry.version_class for entry in entries]
    assert classes == ["first", "cosmetic", "cosmetic", "substantive", "substantive", "cosmetic"]


def make_workspace(root: Path) -> Workspace:
    workspace = Workspace(root)
    init_repository(root)
    workspace.archive.mkdir()
    archive = open_archive(workspace.archive)
    for day, (text, _) in enumerate(ROUNDS):
        observed = START + timedelta(days=day, seconds=7)
        provenance = Provenance("https://confero.example/terms", observed, 200, f"{day:064x}")
        record_version(archive, "confero", "terms-of-service", text, provenance)
    other = Provenance("https://confero.example/privacy", START, 200, "f" * 64)
    record_version(archive, "confero", "privacy-policy", "# Privacy\n\nWe collect nothing.\n", other)
    return workspace


def test_log_document_newest_first_from_a_real_archive(tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path)
    entries = [line.to_json() for line in log_document(workspace, "confero/terms-of-service")]
    assert [entry["class"] for entry in entries] == [expected for _, expected in reversed(ROUNDS)]
    assert entries[-1]["date"] == "2026-03-01T12:00:07Z"
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", entry["date"]) for entry in entries)
    assert [entry["date"] for entry in entries] == sorted((entry["date"] for entry in entries), reverse=True)
    assert all(re.fullmatch(r"[0-9a-f]{40}", entry["commit"]) for entry in entries)
    assert len({entry["commit"] for entry in entries}) == len(ROUNDS)
    substantive = entries[-2]
    assert substantive["summary"]["substantive"] == 1 and substantive["summary"]["modified"] == 1
    assert "1 clause changed" in substantive["summary_line"]
    assert entries[-1]["summary_line"] == "first record"
    assert "blink" in entries[0]["summary_line"]
    assert set(entries[0]["summary"]) >= {"substantive", "cosmetic", "links", "renumbered", "moved"}


def test_log_document_unknown_key_lists_known_documents(tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path)
    with pytest.raises(ConfigError) as caught:
        log_document(workspace, "confero/cookies")
    assert "confero/cookies" in caught.value.problem
    assert caught.value.fix is not None
    assert "confero/privacy-policy" in caught.value.fix and "confero/terms-of-service" in caught.value.fix
    with pytest.raises(ConfigError, match="SERVICE/DOCUMENT"):
        log_document(workspace, "terms-of-service")


def test_cli_log_json_and_text(tmp_path: Path) -> None:
    make_workspace(tmp_path)
    runner = CliRunner()
    args = ["--root", str(tmp_path), "log", "confero/terms-of-service"]
    result = runner.invoke(cli, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    versions = json.loads(result.output)["versions"]
    assert [v["class"] for v in versions] == [expected for _, expected in reversed(ROUNDS)]
    text = runner.invoke(cli, args)
    assert text.exit_code == 0, text.output
    lines = text.output.strip().splitlines()
    assert len(lines) == len(ROUNDS)
    assert lines[0].startswith("2026-03-06T12:00:07Z") and "blink" in lines[0]
    missing = runner.invoke(cli, ["--root", str(tmp_path), "log", "nobody/terms"])
    assert missing.exit_code == 2
    assert "To fix:" in missing.output
