"""The tracker end to end: a real local HTTP server, a real git repository, the real archive module."""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from clausewatch.archive.read import open_archive
from clausewatch.archive.write import lock_archive
from clausewatch.cli import cli
from clausewatch.errors import ArchiveError, ConfigError
from clausewatch.scraper.declarations import load_declarations
from clausewatch.scraper.quarantine import FailingRow, StatusReport, status_report
from clausewatch.scraper.track import (
    Failure,
    TrackReport,
    combine_snapshots,
    in_shard,
    parse_shard,
    split_snapshot,
    track_documents,
    write_report,
)
from clausewatch.workspace import Workspace

TERMS = """<html><body><nav>Menu</nav><main id="terms"><h1>Acme Terms</h1>
<p>1. You keep your content. See <a href="/privacy?utm_source={utm}&id=7">privacy</a>.</p>
<p>2. We may end the service with {notice} days notice.</p></main></body></html>"""
PRIVACY = "<html><body><article><h1>Privacy</h1><p>We collect little.</p></article></body></html>"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def workspace(tmp_path: Path, http_server) -> Workspace:
    """A git repository with archive/ and services/acme.yml declaring two documents on the local server."""
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "archive").mkdir()
    (tmp_path / "services").mkdir()
    (tmp_path / "services" / "acme.yml").write_text(
        f"""name: Acme Cloud
documents:
  terms-of-service:
    name: Terms of Service
    url: {http_server.url('/terms')}
    select: "#terms"
    expect: [Acme Terms]
  privacy-policy:
    name: Privacy Policy
    url: {http_server.url('/privacy')}
    select: article
""", encoding="utf-8")
    http_server.set("/terms", TERMS.format(utm="a1", notice=30))
    http_server.set("/privacy", PRIVACY)
    return Workspace(tmp_path)


def run(ws: Workspace, **kwargs: object):
    return track_documents(ws, allow_private=True, progress=False, **kwargs)  # type: ignore[arg-type]


def commits(ws: Workspace) -> list[str]:
    out = git(ws.root, "log", "--format=%H", "--all") if (ws.root / ".git").exists() else ""
    return out.split()


def assert_fsck_clean(ws: Workspace) -> None:
    result = subprocess.run(["git", "-C", str(ws.root), "fsck", "--full", "--strict"], capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "error" not in result.stderr.lower()


def trailers(ws: Workspace, commit: str) -> dict[str, str]:
    body = git(ws.root, "log", "-1", "--format=%B", commit)
    return dict(line.split(": ", 1) for line in body.splitlines() if ": " in line)


def test_first_run_records_each_document_with_provenance_and_snapshot(workspace: Workspace,
                                                                      http_server) -> None:
    report = run(workspace)
    assert report.recorded == ("acme/privacy-policy", "acme/terms-of-service")
    assert report.failed == () and report.unchanged == ()
    history = commits(workspace)
    assert len(history) == 2
    text = (workspace.archive / "acme" / "terms-of-service.md").read_text(encoding="utf-8")
    assert text.startswith("# Acme Terms\n\n1. You keep your content.") and "Menu" not in text
    assert "utm_source" not in text and "[privacy](" in text and "id=7" in text

    head = git(workspace.root, "log", "-1", "--format=%H", "--", "archive/acme/terms-of-service.md").strip()
    found = trailers(workspace, head)
    raw = TERMS.format(utm="a1", notice=30).encode("utf-8")
    document = next(d for d in load_declarations(workspace.services) if d.document == "terms-of-service")
    assert git(workspace.root, "log", "-1", "--format=%s", head).strip() == \
        "First record of Acme Cloud Terms of Service"
    assert found["Service"] == "acme" and found["Document"] == "terms-of-service"
    assert found["Service-Name"] == "Acme Cloud" and found["Document-Name"] == "Terms of Service"
    assert found["Source-URL"] == http_server.url("/terms") and found["HTTP-Status"] == "200"
    assert found["Snapshot-SHA256"] == hashlib.sha256(raw).hexdigest()
    assert found["Declaration-SHA256"] == document.declaration_sha256
    snapshot = git(workspace.root, "show", "--format=", "--name-only", head).split()
    assert found["Snapshot-Path"] in snapshot
    stored = subprocess.run(["git", "-C", str(workspace.root), "show", f"{head}:{found['Snapshot-Path']}"],
                            capture_output=True, check=True).stdout
    assert gzip.decompress(stored) == raw
    fetched_at = datetime.fromisoformat(found["Fetched-At"].replace("Z", "+00:00"))
    assert int(git(workspace.root, "log", "-1", "--format=%at", head)) == int(fetched_at.timestamp())
    assert git(workspace.root, "status", "--porcelain", "--", "archive").strip() == ""
    assert_fsck_clean(workspace)


def test_unchanged_page_and_tracking_param_churn_record_nothing(workspace: Workspace, http_server) -> None:
    run(workspace)
    before = commits(workspace)
    second = run(workspace)
    assert second.recorded == () and set(second.unchanged) == {"acme/privacy-policy", "acme/terms-of-service"}
    http_server.set("/terms", TERMS.format(utm="zz-other-campaign", notice=30))
    third = run(workspace)
    assert third.recorded == () and "acme/terms-of-service" in third.unchanged
    assert commits(workspace) == before


def test_a_real_change_records_a_new_version(workspace: Workspace, http_server) -> None:
    run(workspace)
    http_server.set("/terms", TERMS.format(utm="a1", notice=7))
    report = run(workspace, only=["acme/terms-of-service"])
    assert report.recorded == ("acme/terms-of-service",)
    subject = git(workspace.root, "log", "-1", "--format=%s").strip()
    assert subject == "Record new changes of Acme Cloud Terms of Service"
    assert "7 days notice" in (workspace.archive / "acme" / "terms-of-service.md").read_text(encoding="utf-8")
    assert len(commits(workspace)) == 3
    assert_fsck_clean(workspace)


def test_a_run_reads_the_recorded_texts_through_one_process(workspace: Workspace, http_server,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    run(workspace)
    http_server.set("/terms", TERMS.format(utm="a1", notice=7))
    started: list[str] = []
    real = subprocess.Popen

    def spy(args, *rest, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        started.append(args[3] if args[:2] == ["git", "-C"] else args[0])
        return real(args, *rest, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", spy)
    report = run(workspace)

    assert report.recorded == ("acme/terms-of-service",) and report.unchanged == ("acme/privacy-policy",)
    assert started.count("cat-file") == 1 and "show" not in started  # not one `git show` per document
    assert started.count("fast-import") == 1


def test_a_404_fails_alone_and_the_report_says_why(workspace: Workspace, http_server) -> None:
    http_server.remove("/privacy")
    report = run(workspace)
    assert report.recorded == ("acme/terms-of-service",)
    message = f"Client error '404 Not Found' for url '{http_server.url('/privacy')}'"
    assert report.failed == (Failure("acme/privacy-policy", "http-status", message),)
    key, reason = "acme/privacy-policy", "http-status"
    assert not (workspace.archive / "acme" / "privacy-policy.md").exists()
    latest = json.loads((workspace.state / "runs" / "latest.json").read_text(encoding="utf-8"))
    assert latest["recorded"] == ["acme/terms-of-service"]
    assert latest["failed"] == [{"key": key, "reason": reason, "message": message}]
    copies = [p for p in (workspace.state / "runs").glob("*.json") if p.name != "latest.json"]
    assert len(copies) == 1 and json.loads(copies[0].read_text(encoding="utf-8")) == latest
    assert_fsck_clean(workspace)


@pytest.mark.parametrize(
    ("page", "reason"),
    [
        ("<html><body><div id='terms-v2'><h1>Acme Terms</h1></div></body></html>", "selector"),
        ("<html><body><main id='terms'>  <script>x()</script> </main></body></html>", "empty"),
        ("<html><body><main id='terms'><p>Our new home.</p></main></body></html>", "expect-missing"),
    ],
)
def test_garbage_records_nothing(workspace: Workspace, http_server, page: str, reason: str) -> None:
    run(workspace)
    before = commits(workspace)
    recorded = (workspace.archive / "acme" / "terms-of-service.md").read_text(encoding="utf-8")
    http_server.set("/terms", page)
    report = run(workspace)
    assert [(f.key, f.reason) for f in report.failed] == [("acme/terms-of-service", reason)]
    assert commits(workspace) == before
    assert (workspace.archive / "acme" / "terms-of-service.md").read_text(encoding="utf-8") == recorded


def test_fail_fast_stops_at_the_first_failure(workspace: Workspace, http_server) -> None:
    http_server.remove("/privacy")
    report = run(workspace, fail_fast=True)
    assert [f.key for f in report.failed] == ["acme/privacy-policy"]
    assert report.recorded == () and commits(workspace) == []


def test_only_selects_by_service_or_key_and_rejects_unknown(workspace: Workspace) -> None:
    assert run(workspace, only=["acme/privacy-policy"]).recorded == ("acme/privacy-policy",)
    assert run(workspace, only=["acme"]).recorded == ("acme/terms-of-service",)
    with pytest.raises(ConfigError) as info:
        run(workspace, only=["acme/cookies"])
    assert "acme/cookies" in info.value.problem
    assert "acme/privacy-policy, acme/terms-of-service" in str(info.value)


def test_parse_shard_and_shards_partition_the_keys() -> None:
    assert parse_shard(None) is None
    assert parse_shard("2/3") == (2, 3) and parse_shard(" 1 / 1 ") == (1, 1)
    for bad in ("0/3", "4/3", "1/0", "x", "1-3", ""):
        with pytest.raises(ConfigError) as info:
            parse_shard(bad)
        assert "K/N" in info.value.problem
    keys = [f"service-{n}/terms" for n in range(200)]
    shards = [[k for k in keys if in_shard(k, (n, 4))] for n in range(1, 5)]
    assert sorted(sum(shards, [])) == sorted(keys)
    assert all(20 < len(shard) < 80 for shard in shards), [len(s) for s in shards]


def test_shard_tracks_only_its_share(workspace: Workspace) -> None:
    first = run(workspace, shard=(1, 2))
    second = run(workspace, shard=(2, 2))
    assert sorted(first.recorded + second.recorded) == ["acme/privacy-policy", "acme/terms-of-service"]
    assert not set(first.recorded) & set(second.recorded)


def test_combined_document_joins_its_pages(workspace: Workspace, http_server) -> None:
    (workspace.services / "Beta Corp.json").write_text(json.dumps({"name": "Beta Corp", "documents": {
        "Terms of Service": {"combine": [{"fetch": http_server.url("/b1")},
                                         {"fetch": http_server.url("/b2"), "select": "section"}],
                             "select": "main"}}}), encoding="utf-8")
    http_server.set("/b1", "<main><h1>Part one</h1></main><p>noise</p>")
    http_server.set("/b2", "<main>no</main><section><h2>Part two</h2></section>")
    report = run(workspace, only=["beta-corp"])
    assert report.recorded == ("beta-corp/terms-of-service",)
    text = (workspace.archive / "beta-corp" / "terms-of-service.md").read_text(encoding="utf-8")
    assert text == "# Part one\n\n## Part two\n"


def test_combined_snapshot_splits_back_into_its_pages(workspace: Workspace, http_server) -> None:
    from clausewatch.scraper.fetch import fetch

    pages = [b"<p>one</p>\n<!-- not a marker -->", b"", b"<p>three</p>\n"]
    for n, body in enumerate(pages):
        http_server.set(f"/p{n}", body)
    snaps = [fetch(http_server.url(f"/p{n}"), allow_private=True) for n in range(3)]
    combined = combine_snapshots(snaps)
    assert split_snapshot(combined) == pages
    assert combined.sha256 == hashlib.sha256(combined.content).hexdigest()


def test_locked_archive_and_missing_archive_are_archive_errors(workspace: Workspace) -> None:
    with lock_archive(open_archive(workspace.archive)), pytest.raises(ArchiveError) as info:
        run(workspace)
    assert "locked" in info.value.problem
    (workspace.archive).rmdir()
    with pytest.raises(ArchiveError):
        run(workspace)


def test_cli_track_exit_codes(workspace: Workspace, http_server) -> None:
    runner = CliRunner()
    ok = runner.invoke(cli, ["--root", str(workspace.root), "track", "--allow-private-addresses"])
    assert ok.exit_code == 0, ok.output
    assert "2 recorded, 0 unchanged, 0 failed" in ok.output
    http_server.remove("/terms")
    failed = runner.invoke(cli, ["--root", str(workspace.root), "track", "--allow-private-addresses"])
    assert failed.exit_code == 1 and "FAILED acme/terms-of-service [http-status]" in failed.output
    refused = runner.invoke(cli, ["--root", str(workspace.root), "track", "--only", "acme/privacy-policy"])
    assert refused.exit_code == 1 and "[private-address]" in refused.output
    bad = runner.invoke(cli, ["--root", str(workspace.root), "track", "--shard", "9/2"])
    assert bad.exit_code == 2


def test_clock_sets_the_observation_time(workspace: Workspace) -> None:
    moment = datetime(2023, 3, 31, 9, 0, tzinfo=UTC)
    run(workspace, only=["acme/terms-of-service"], clock=lambda: moment)
    head = git(workspace.root, "log", "-1", "--format=%H").strip()
    assert trailers(workspace, head)["Fetched-At"] == "2023-03-31T09:00:00Z"
    author, committer = git(workspace.root, "log", "-1", "--format=%at %ct", head).split()
    assert int(author) == int(committer) == int(moment.timestamp())


def test_documents_are_fetched_concurrently(workspace: Workspace, http_server) -> None:
    import threading
    import time

    lock = threading.Lock()
    state = {"now": 0, "most": 0}

    def slow(request) -> None:
        with lock:
            state["now"] += 1
            state["most"] = max(state["most"], state["now"])
        time.sleep(0.3)
        with lock:
            state["now"] -= 1
        body = f"<main><h1>Slow</h1><p>{request.path}</p></main>".encode()
        request.send_response(200)
        request.send_header("Content-Type", "text/html; charset=utf-8")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    lines = ["documents:"]
    for n in range(10):
        http_server.handle(f"/slow{n}", slow)
        lines += [f"  doc-{n}:", f"    url: {http_server.url(f'/slow{n}')}", "    select: main"]
    (workspace.services / "slow.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = run(workspace, only=["slow"], per_host=4, host_delay=0)  # one host here: lift its limit
    assert len(report.recorded) == 10
    assert list(report.recorded) == sorted(report.recorded), "recorded in a stable order"
    assert state["most"] >= 3, f"at most {state['most']} request(s) at once: fetched one by one?"


def test_status_report_reads_the_run_reports_back(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path)
    times = [datetime(2026, 1, day, 3, tzinfo=UTC) for day in (1, 2, 3, 4)]
    down = Failure("acme/terms", "timeout", "timed out reading the body of 'https://acme.example/terms'")
    runs = [TrackReport(recorded=("acme/terms",)),
            TrackReport(failed=(down,)),
            TrackReport(unchanged=("beta/terms",)),  # a run with --only: acme/terms was not looked at
            TrackReport(failed=(replace(down, reason="connection"),), recorded=("beta/terms",))]
    for report, when in zip(runs, times, strict=True):
        write_report(workspace, replace(report, started=when, finished=when + timedelta(minutes=5)))
    latest = json.loads((workspace.state / "runs" / "latest.json").read_text(encoding="utf-8"))
    assert latest["failed"] == [{"key": "acme/terms", "reason": "connection", "message": down.message}]
    status = status_report(workspace)
    assert status == StatusReport(last_run="2026-01-04T03:05:00Z", failing=(
        FailingRow("acme/terms", "connection", down.message, since="2026-01-02T03:00:00Z", runs=2),))
    assert not status.all_clear
    assert status.to_json() == {"last_run": "2026-01-04T03:05:00Z", "held": [], "failing": [
        {"key": "acme/terms", "reason": "connection", "message": down.message, "since": "2026-01-02T03:00:00Z",
         "runs": 2}]}
    result = CliRunner().invoke(cli, ["--root", str(tmp_path), "status"])
    assert result.exit_code == 1
    assert result.stdout == ("Last run: 2026-01-04T03:05:00Z\nFAILING acme/terms [connection] since "
                             f"2026-01-02T03:00:00Z (2 run(s)): {down.message}\n")
    empty = status_report(Workspace(tmp_path / "none"))
    assert empty == StatusReport(last_run="") and empty.all_clear
