"""`clausewatch track` against every fault of tests/faults.py: what is recorded, what is reported, exit codes.

Each document is served by its own fault server (its own port, so its own "host": they are fetched in
parallel). Three rounds run through the real CLI: round 1 (first records and refusals), round 2 (every
page changed: redesigns and a drastic shrink), round 3 (nothing changed: conditional requests). Then the
held version is released with `clausewatch release`, and the repository must pass `git fsck`.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner
from faults import FaultServer, make_pdf, terms_text

from clausewatch.archive.read import Archive
from clausewatch.cli import cli
from clausewatch.commands.init import init_workspace
from clausewatch.errors import ConfigError
from clausewatch.models import Document, Snapshot
from clausewatch.scraper import quarantine
from clausewatch.scraper.browser import find_chromium
from clausewatch.scraper.pdf import is_pdf, pdf_to_text
from clausewatch.workspace import Workspace

HAS_BROWSER = find_chromium() is not None

# document id -> (path, extra declaration lines, outcome of round 1, outcome of round 2)
# an outcome is "recorded", "unchanged" or the failure reason.
FAULTS: dict[str, tuple[str, str, str, str]] = {
    "good": ("/terms", "", "recorded", "recorded"),
    "timeout": ("/timeout", "", "timeout", "timeout"),
    "reset": ("/reset", "", "connection", "connection"),
    "flaky": ("/flaky", "", "recorded", "recorded"),
    "bot-403": ("/bot-403", "", "bot-wall", "bot-wall"),
    "bot-429": ("/bot-429", "", "bot-wall", "bot-wall"),
    "challenge": ("/challenge", "", "bot-wall", "bot-wall"),
    "login": ("/login", "", "login-wall", "login-wall"),
    "truncated": ("/truncated", "", "connection", "connection"),
    "endless": ("/endless", "", "too-large", "too-large"),
    "redirect-loop": ("/loop-a", "", "redirects", "redirects"),
    "wrong-charset": ("/wrong-charset", "", "recorded", "recorded"),
    "no-charset": ("/latin1-no-charset", "", "recorded", "recorded"),
    "gzip-bomb": ("/gzip-bomb", "", "too-large", "too-large"),
    "pdf": ("/terms.pdf", "", "recorded", "recorded"),
    "js-needed": ("/js-only", "    executable: true\n", "recorded" if HAS_BROWSER else "no-browser",
                  "recorded" if HAS_BROWSER else "no-browser"),
    "js-without-browser": ("/js-only", "", "empty", "empty"),
    "redesign-expect": ("/redesign", "    expect: [These terms govern your use]\n", "recorded",
                        "expect-missing"),
    "redesign-menu": ("/redesign", "", "recorded", "navigation"),
    "shrinking": ("/shrinking", "", "recorded", "drastic-change"),
    "robots": ("/no-robots/terms", "", "robots", "robots"),
    "robots-override": ("/no-robots/terms", "    robots: ignore\n    reason: the law requires it\n",
                        "recorded", "recorded"),
}
TRACK = ["track", "--allow-private-addresses", "--timeout", "1", "--host-delay", "0"]


@dataclass
class Rounds:
    workspace: Path
    servers: dict[str, FaultServer]
    exit_codes: list[int] = field(default_factory=list)
    reports: list[dict] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)

    def outcome(self, round_: int, document: str) -> str:
        report = self.reports[round_ - 1]
        key = f"faulty/{document}"
        for failure in report["failed"]:
            if failure["key"] == key:
                return failure["reason"]
        return "recorded" if key in report["recorded"] else "unchanged" if key in report["unchanged"] else "?"


def git(workspace: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(workspace), *args], check=True, capture_output=True,
                          text=True).stdout


def commits_of(workspace: Path, document: str) -> list[str]:
    return git(workspace, "log", "--format=%H", "--", f"archive/faulty/{document}.md").split()


def invoke(workspace: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--root", str(workspace), *args])
    return result.exit_code, result.output


def run_round(rounds: Rounds) -> None:
    code, output = invoke(rounds.workspace, *TRACK)
    rounds.exit_codes.append(code)
    rounds.outputs.append(output)
    latest = rounds.workspace / ".clausewatch" / "runs" / "latest.json"
    rounds.reports.append(json.loads(latest.read_text(encoding="utf-8")))


@pytest.fixture
def server() -> Iterator[FaultServer]:
    """A fault server on loopback for one test."""
    started = FaultServer().start()
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture(scope="module")
def rounds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rounds]:
    workspace = init_workspace(tmp_path_factory.mktemp("faults") / "ws")
    servers = {name: FaultServer(hang=3.0).start() for name in FAULTS}
    lines = [f"  {name}:\n    url: {servers[name].url(path)}\n    select: main\n{extra}"
             for name, (path, extra, _, _) in FAULTS.items()]
    (workspace / "services" / "faulty.yml").write_text("name: Faulty Cloud\ndocuments:\n" + "".join(lines),
                                                       encoding="utf-8")
    state = Rounds(workspace, servers)
    try:
        run_round(state)                       # round 1
        for server in servers.values():
            server.round = 2
        run_round(state)                       # round 2: every page changed
        run_round(state)                       # round 3: nothing changed
        yield state
    finally:
        for server in servers.values():
            server.stop()


@pytest.mark.parametrize("document", list(FAULTS))
def test_each_fault_is_recorded_or_refused_as_expected(rounds: Rounds, document: str) -> None:
    _, _, first, second = FAULTS[document]
    assert (rounds.outcome(1, document), rounds.outcome(2, document)) == (first, second), rounds.outputs[1]
    recorded_rounds = [first, second].count("recorded")
    assert len(commits_of(rounds.workspace, document)) == recorded_rounds
    if recorded_rounds == 0:
        assert not (rounds.workspace / "archive" / "faulty" / f"{document}.md").exists()
        assert not (rounds.workspace / "archive" / "_snapshots" / "faulty" / document).exists()


def test_failures_make_the_exit_code_1_and_are_printed(rounds: Rounds) -> None:
    assert rounds.exit_codes == [1, 1, 1]
    assert "FAILED faulty/challenge [bot-wall]" in rounds.outputs[0]


def test_recorded_texts_are_the_documents(rounds: Rounds) -> None:
    archive = rounds.workspace / "archive" / "faulty"
    clause = terms_text(2)[1]
    for document in ("good", "flaky", "pdf", "robots-override", "wrong-charset", "no-charset"):
        text = (archive / f"{document}.md").read_text(encoding="utf-8")
        assert clause in text and "revision 2 of the terms" in text, (document, text)
        assert "Products" not in text  # the menu is not part of the document
    assert "Conditions générales" in (archive / "wrong-charset.md").read_text(encoding="utf-8")
    assert "préavis d’un mois" in (archive / "no-charset.md").read_text(encoding="utf-8")
    if HAS_BROWSER:
        assert clause in (archive / "js-needed.md").read_text(encoding="utf-8")


def test_refusals_carry_their_reason_and_message(rounds: Rounds) -> None:
    failures = {f["key"]: f for f in rounds.reports[1]["failed"]}
    assert "These terms govern your use" in failures["faulty/redesign-expect"]["message"]
    assert "held in .clausewatch/quarantine/faulty/shrinking/" in failures["faulty/shrinking"]["message"]
    assert "robots.txt" in failures["faulty/robots"]["message"]
    assert "bot protection" in failures["faulty/bot-403"]["message"]


def test_unchanged_pages_cost_a_304(rounds: Rounds) -> None:
    third = rounds.reports[2]
    assert "faulty/good" in third["unchanged"] and "faulty/good" not in third["recorded"]
    assert third["recorded"] == []
    assert rounds.servers["good"].not_modified >= 1
    assert rounds.servers["robots-override"].not_modified >= 1


def test_status_lists_failing_documents_since_when_and_held_versions(rounds: Rounds) -> None:
    code, output = invoke(rounds.workspace, "status", "--format", "json")
    assert code == 1
    status = json.loads(output)
    failing = {item["key"]: item for item in status["failing"]}
    assert failing["faulty/challenge"]["since"] == rounds.reports[0]["started"]
    assert failing["faulty/challenge"]["runs"] == 3
    assert failing["faulty/redesign-menu"]["since"] == rounds.reports[1]["started"]
    assert [item["key"] for item in status["held"]] == ["faulty/shrinking"]
    assert status["held"][0]["runs"] == 2  # held in round 2, seen again in round 3: one entry


def test_release_records_the_held_version_once(rounds: Rounds) -> None:
    before = commits_of(rounds.workspace, "shrinking")
    code, output = invoke(rounds.workspace, "release", "faulty/shrinking")
    assert code == 0, output
    after = commits_of(rounds.workspace, "shrinking")
    assert len(after) == len(before) + 1
    text = (rounds.workspace / "archive" / "faulty" / "shrinking.md").read_text(encoding="utf-8")
    assert terms_text(2)[2] in text and terms_text(2)[4] not in text
    trailers = git(rounds.workspace, "log", "-1", "--format=%B", after[0])
    assert "Snapshot-SHA256: " in trailers and "Source-URL: " in trailers
    assert list(quarantine.iter_held(Workspace(rounds.workspace))) == []
    code, output = invoke(rounds.workspace, "release", "faulty/shrinking")
    assert code == 2 and "nothing is held" in output


def test_the_archive_is_consistent_afterwards(rounds: Rounds) -> None:
    git(rounds.workspace, "fsck", "--strict", "--no-progress")
    assert git(rounds.workspace, "status", "--porcelain", "--", "archive") == ""


def test_only_good_documents_exit_0(tmp_path: Path, server: FaultServer) -> None:
    workspace = init_workspace(tmp_path / "ws")
    (workspace / "services" / "fine.yml").write_text(
        f"documents:\n  terms:\n    url: {server.url('/terms')}\n    select: main\n"
        f"  privacy:\n    url: {server.url('/privacy')}\n    select: main\n", encoding="utf-8")
    assert invoke(workspace, *TRACK)[0] == 0
    assert invoke(workspace, "status")[0] == 0


def test_without_the_flag_loopback_is_refused(tmp_path: Path, server: FaultServer) -> None:
    workspace = init_workspace(tmp_path / "ws")
    (workspace / "services" / "local.yml").write_text(
        f"documents:\n  terms:\n    url: {server.url('/terms')}\n    select: main\n", encoding="utf-8")
    code, output = invoke(workspace, "track", "--timeout", "1")
    assert code == 1 and "[private-address]" in output
    assert server.hits == {}


def test_check_fetch_fails_on_unstable_or_refused_pages(tmp_path: Path, server: FaultServer) -> None:
    workspace = init_workspace(tmp_path / "ws")
    (workspace / "services" / "pr.yml").write_text(
        "documents:\n"
        f"  terms:\n    url: {server.url('/terms')}\n    select: main\n"
        f"  unstable:\n    url: {server.url('/unstable')}\n    select: main\n"
        f"  challenge:\n    url: {server.url('/challenge')}\n    select: main\n", encoding="utf-8")
    code, output = invoke(workspace, "check", "--fetch", "pr", "--allow-private-addresses")
    assert code == 1
    assert "documents.unstable.select: two fetches gave different texts" in output
    assert "documents.challenge: fetch 1 failed [bot-wall]" in output
    assert "documents.terms" not in output


def test_quarantine_keeps_one_entry_per_text_and_refuses_bad_keys(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path)
    document = Document("acme", "terms", "http://x/terms")
    from datetime import UTC, datetime

    when = datetime(2026, 1, 1, tzinfo=UTC)
    snapshot = Snapshot("http://x/terms", "http://x/terms", 200, when, b"<p>x</p>", "text/html", "ab" * 32)
    first = quarantine.hold(workspace, document, "short text", snapshot, reason="drastic-change", message="m")
    again = quarantine.hold(workspace, document, "short text", snapshot, reason="drastic-change", message="m")
    (first.parent / ".tmp-999").mkdir()  # what a run killed mid-hold leaves
    held = list(quarantine.iter_held(workspace))
    assert first == again and len(held) == 1 and held[0].times == 2
    assert held[0].read_snapshot() == b"<p>x</p>" and held[0].read_text() == "short text"
    for bad in ("../etc/passwd", "acme", "acme/../../x", "Acme/Terms"):
        with pytest.raises(ConfigError):
            quarantine.release(workspace, bad, Archive(repo=tmp_path, prefix="archive/"))
    assert quarantine.discard(workspace, "acme/terms") == 1
    assert list(quarantine.iter_held(workspace)) == []


def test_pdf_detection_and_text() -> None:
    pdf = make_pdf(["Terms of Service", "1. Be nice (really)."])
    assert is_pdf(pdf) and is_pdf(b"junk", "application/pdf; qs=1") and not is_pdf(b"<html>", "text/html")
    assert pdf_to_text(pdf) == "Terms of Service\n1. Be nice (really).\n"
    from clausewatch.errors import ExtractError

    with pytest.raises(ExtractError) as info:
        pdf_to_text(pdf[: len(pdf) // 3])
    assert info.value.reason == "pdf"


def test_the_site_has_a_status_page_with_escaped_messages(rounds: Rounds, tmp_path: Path) -> None:
    code, output = invoke(rounds.workspace, "build", "--site-dir", str(tmp_path / "site"))
    assert code == 0, output
    page = (tmp_path / "site" / "status" / "index.html").read_text(encoding="utf-8")
    assert "faulty/challenge" in page and "bot-wall" in page and "faulty/timeout" in page
    assert rounds.reports[0]["started"] in page  # since when
    # the challenge message quotes the page's <title>: shown as text, never as markup
    assert "&lt;title&gt;just a moment" in page
    assert "<title>just a moment" not in page.lower()


def test_without_a_browser_only_the_scripted_document_fails(tmp_path: Path, monkeypatch, server: FaultServer) -> None:
    monkeypatch.setenv("CLAUSEWATCH_CHROMIUM", str(tmp_path / "no-chromium"))
    workspace = init_workspace(tmp_path / "ws")
    (workspace / "services" / "mixed.yml").write_text(
        f"documents:\n  terms:\n    url: {server.url('/terms')}\n    select: main\n"
        f"  app:\n    url: {server.url('/js-only')}\n    select: main\n    executable: true\n"
        f"  blocked:\n    url: {server.url('/bot-403')}\n    select: main\n", encoding="utf-8")
    code, output = invoke(workspace, *TRACK)
    report = json.loads((workspace / ".clausewatch" / "runs" / "latest.json").read_text(encoding="utf-8"))
    assert code == 1
    assert report["recorded"] == ["mixed/terms"]
    reasons = {f["key"]: (f["reason"], f["message"]) for f in report["failed"]}
    assert reasons["mixed/app"] == ("no-browser", f"cannot fetch '{server.url('/js-only')}' with a browser: "
                                    "no Chromium executable found")
    assert reasons["mixed/blocked"][0] == "bot-wall" and "no headless browser" in reasons["mixed/blocked"][1]


def test_extract_prints_the_text_of_a_pdf_as_track_records_it(tmp_path: Path, server: FaultServer) -> None:
    result = CliRunner().invoke(cli, ["extract", server.url("/terms.pdf"), "--allow-private-addresses"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:2] == terms_text(1)[:2]
    saved = tmp_path / "terms.pdf"
    saved.write_bytes(make_pdf(["Local terms", "1. Be kind."]))
    assert CliRunner().invoke(cli, ["extract", str(saved)]).output == "Local terms\n1. Be kind.\n"
