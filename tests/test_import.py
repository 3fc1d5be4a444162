"""Importing Open Terms Archive history: a small OTA-like repository built here, real git throughout.

The source history (one commit per recorded version, author date = observation time):

    v0  Add Readme and License                        README.md (not a version)
    v1  Start tracking Zoom Terms of Service          A  (link with utm_source=1)
    v2  Record new changes of Zoom Terms of Service   A  (utm_source=2: tracking noise)
    v3  Record new changes of Zoom Terms of Service   B  (a real change)
    v4  Record new changes of Zoom Terms of Service   A  (utm_source=3: flaps back, a blink)
    v5  Refilter Zoom Terms of Service                A  (utm_source=4: re-extraction, unchanged)
    v6  Apply technical or declaration upgrade …      C  (re-extraction that changed the text)
    v7  Start tracking Acme Privacy Policy            P1
    v8  Record new changes of Zoom Video Terms …      D  (git rename Zoom/ → Zoom Video/, and a change)

and, for the resumed import, three more: v9 D with tracking noise, v10 E, v11 `ACME/Privacy Policy.md`
(same slug as `Acme/…`: the same document) P2.
"""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from clausewatch.archive.read import Archive, head_commit, iter_versions, open_archive
from clausewatch.archive.write import PendingCommit, fast_import_versions, init_repository, record_version
from clausewatch.cli import cli
from clausewatch.diff.history import iter_history
from clausewatch.errors import ArchiveError, ConfigError
from clausewatch.importer.declarations import import_ota_declarations
from clausewatch.importer.ota import document_key, import_ota
from clausewatch.models import Provenance
from clausewatch.scraper.declarations import load_declarations
from clausewatch.workspace import Workspace

START = datetime(2020, 1, 1, 12, 0, tzinfo=UTC)
SNAPSHOT = "https://github.com/OpenTermsArchive/contrib-snapshots/commit/" + "ab" * 20
ZOOM, ZOOM_VIDEO = "Zoom/Terms of Service.md", "Zoom Video/Terms of Service.md"
SOURCE = "OpenTermsArchive/contrib-versions"


def terms(extra: str = "", *, utm: int = 1, ending: str = "") -> str:
    return (
        "# Terms of Service\n\n"
        "1. You may use the service for lawful purposes.\n\n"
        f"2. We may close your account{ending}. See [help](https://zoom.example/help?id=7&utm_source={utm}).\n"
        + extra
    )


A = terms()
B = terms(ending=" at any time and without notice")
C = terms("\n3. We may use your content to train artificial intelligence models.\n")
D = terms("\n3. We may use your content to train artificial intelligence models, unless you opt out.\n")
E = terms("\n3. We will not use your content to train artificial intelligence models.\n")
P1 = "# Privacy Policy\n\nWe collect your email address to run your account.\n"
P2 = "# Privacy Policy\n\nWe collect your email address and your phone number to run your account.\n"


def run_git(repo: Path, *args: str, when: datetime | None = None) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Open Terms Archive Bot", "GIT_AUTHOR_EMAIL": "bot@example.org",
           "GIT_COMMITTER_NAME": "Open Terms Archive Bot", "GIT_COMMITTER_EMAIL": "bot@example.org"}
    if when is not None:
        stamp = f"{int(when.timestamp())} +0000"
        env |= {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    command = ["git", "-C", str(repo), *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, check=True).stdout.strip()


class Source:
    """An OTA-like versions repository that the test writes commit by commit."""

    def __init__(self, path: Path, days_apart: int = 30) -> None:
        self.path, self.days_apart = path, days_apart
        self.shas: list[str] = []
        self.times: list[datetime] = []
        path.mkdir()
        run_git(path, "init", "-q", "-b", "main")
        run_git(path, "remote", "add", "origin", f"https://github.com/{SOURCE}.git")  # as a real clone has

    def commit(self, subject: str, files: dict[str, str], rename: tuple[str, str] | None = None) -> str:
        when = START + timedelta(days=self.days_apart * len(self.shas))
        if rename:
            (self.path / rename[1]).parent.mkdir(parents=True, exist_ok=True)
            run_git(self.path, "mv", *rename)
        for name, text in files.items():
            (self.path / name).parent.mkdir(parents=True, exist_ok=True)
            (self.path / name).write_text(text, encoding="utf-8")
            run_git(self.path, "add", name)
        body = f"This version was recorded after extracting from snapshot {SNAPSHOT}\n\nX-engine-version: 15"
        run_git(self.path, "commit", "-q", "-m", subject, "-m", body, when=when)
        self.shas.append(run_git(self.path, "rev-parse", "HEAD"))
        self.times.append(when)
        return self.shas[-1]

    def bundle(self, target: Path) -> Path:
        run_git(self.path, "bundle", "create", str(target), "main")
        return target


def build_source(path: Path) -> Source:
    source = Source(path)
    source.commit("Add Readme and License", {"README.md": "# Versions\n", "LICENSE": "ODC-BY 1.0\n"})
    source.commit("Start tracking Zoom Terms of Service", {ZOOM: A})
    source.commit("Record new changes of Zoom Terms of Service", {ZOOM: terms(utm=2)})
    source.commit("Record new changes of Zoom Terms of Service", {ZOOM: B})
    source.commit("Record new changes of Zoom Terms of Service", {ZOOM: terms(utm=3)})
    source.commit("Refilter Zoom Terms of Service", {ZOOM: terms(utm=4)})
    source.commit("Apply technical or declaration upgrade on Zoom Terms of Service", {ZOOM: C})
    source.commit("Start tracking Acme Privacy Policy", {"Acme/Privacy Policy.md": P1})
    source.commit("Record new changes of Zoom Video Terms of Service", {ZOOM_VIDEO: D},
                  rename=(ZOOM, ZOOM_VIDEO))
    return source


def extend_source(source: Source) -> None:
    source.commit("Record new changes of Zoom Video Terms of Service", {ZOOM_VIDEO: D.replace("=1", "=9")})
    source.commit("Record new changes of Zoom Video Terms of Service", {ZOOM_VIDEO: E})
    source.commit("Start tracking ACME Privacy Policy", {"ACME/Privacy Policy.md": P2})


def new_workspace(path: Path) -> Workspace:
    init_repository(path)
    (path / "archive").mkdir()
    return Workspace(path)


def archive_of(workspace: Workspace) -> Archive:
    return open_archive(workspace.archive)


def versions(workspace: Workspace, key: str) -> list:
    service, document = key.split("/")
    return list(iter_versions(archive_of(workspace), service, document))


def messages(workspace: Workspace, key: str) -> list[str]:
    path = f"archive/{key}.md"
    out = run_git(workspace.root, "log", "--reverse", "--format=%B%x00", "HEAD", "--", path)
    return [m.strip() for m in out.split("\x00") if m.strip()]


@pytest.fixture
def source(tmp_path: Path) -> Source:
    return build_source(tmp_path / "contrib-versions")


def test_document_key_slugifies_service_and_terms_type() -> None:
    assert document_key("Zoom/Terms of Service.md") == "zoom/terms-of-service"
    assert document_key("Société Générale/Privacy Policy.md") == "societe-generale/privacy-policy"
    assert document_key("About/Terms of Service.md") == "about-service/terms-of-service"
    assert document_key("README.md") is None
    assert document_key("Zoom/Terms of Service.pdf") is None


def test_import_replays_history_without_noise(source: Source, tmp_path: Path) -> None:
    workspace = new_workspace(tmp_path / "ws")
    bundle = source.bundle(tmp_path / "ota-contrib-versions.bundle")

    report = import_ota(workspace, bundle, source=SOURCE)

    assert report.source == SOURCE and report.source_commit == source.shas[-1]
    assert (report.kept, report.documents, report.reextractions_kept) == (6, 2, 1)
    assert report.skipped["noise"] == 1 and report.skipped["re-extraction"] == 1
    assert report.renames == ((ZOOM, ZOOM_VIDEO),)
    zoom = versions(workspace, "zoom/terms-of-service")
    kept = [1, 3, 4, 6, 8]
    assert [v.observed_at for v in zoom] == [source.times[i] for i in kept]
    assert [v.provenance.imported_from for v in zoom] == [f"{SOURCE}@{source.shas[i]}" for i in kept]
    assert [v.text for v in zoom] == [terms(utm=1).replace("&utm_source=1", "")] + [
        t.replace("&utm_source=1", "") for t in (B, A, C, D)
    ]
    assert not any("utm_source" in v.text for v in zoom)
    assert [v.service_name for v in zoom] == ["Zoom"] * 4 + ["Zoom Video"]
    assert {v.document_name for v in zoom} == {"Terms of Service"}
    classes = [entry.version_class for entry in iter_history(zoom)]
    assert classes == ["first", "substantive", "cosmetic", "substantive", "substantive"], \
        "A comes back 90 days after it was last seen: not a blink any more, classified by its diff, whose " \
        "only clause returns to a wording recorded before (no news by the clause-flap rule)"
    log = messages(workspace, "zoom/terms-of-service")
    assert log[0].startswith("First record of Zoom Terms of Service")
    assert log[3].startswith("Record re-extracted text of Zoom Terms of Service")
    assert "Re-Extraction: yes" in log[3] and not any("Re-Extraction" in m for m in log[:3] + log[4:])
    assert f"Imported-Path: {ZOOM_VIDEO}" in log[4] and f"Imported-Snapshot: {SNAPSHOT}" in log[4]
    assert (workspace.archive / "zoom" / "terms-of-service.md").read_text(encoding="utf-8") == zoom[-1].text
    assert not (workspace.archive / "readme.md").exists()
    assert run_git(workspace.root, "status", "--porcelain", "--", "archive") == ""


def test_a_bundle_without_source_is_attributed_to_no_owner_never_a_guessed_one(source: Source,
                                                                               tmp_path: Path) -> None:
    workspace = new_workspace(tmp_path / "ws")
    bundle = source.bundle(tmp_path / "ota-contrib-versions.bundle")

    report = import_ota(workspace, bundle, only=["Acme/Privacy Policy"])

    assert report.source == "/ota-contrib-versions"  # message.UNKNOWN_OWNER: the empty owner
    assert "owner unknown" in report.summary() and "--source" in report.summary()
    acme = versions(workspace, "acme/privacy-policy")
    assert [v.provenance.imported_from for v in acme] == [f"/ota-contrib-versions@{source.shas[7]}"]
    again = import_ota(workspace, bundle, only=["Acme/Privacy Policy"])
    assert (again.examined, again.kept) == (0, 0)  # resumes under the same name


def test_a_clone_is_named_by_its_remote_and_source_overrides_it(source: Source, tmp_path: Path) -> None:
    workspace = new_workspace(tmp_path / "ws")
    run_git(source.path, "remote", "set-url", "origin", "git@github.com:SomeFork/terms-versions.git")

    assert import_ota(workspace, source.path, only=["Acme/Privacy Policy"]).source == "SomeFork/terms-versions"
    named = import_ota(new_workspace(tmp_path / "named"), source.path, only=["Acme"], source=SOURCE)
    assert named.source == SOURCE
    run_git(source.path, "remote", "remove", "origin")
    assert import_ota(new_workspace(tmp_path / "bare"), source.path, only=["Acme"]).source == "/contrib-versions"


def test_import_leaves_a_valid_repository_with_a_bloom_commit_graph(source: Source, tmp_path: Path) -> None:
    workspace = new_workspace(tmp_path / "ws")
    import_ota(workspace, source.path)

    fsck = subprocess.run(["git", "-C", str(workspace.root), "fsck", "--full", "--strict"],
                          capture_output=True, text=True, check=False)
    assert fsck.returncode == 0, fsck.stderr
    assert "error" not in fsck.stderr.lower() and "missing" not in fsck.stdout.lower()
    graph = workspace.root / ".git" / "objects" / "info" / "commit-graph"
    assert b"BIDX" in graph.read_bytes()[:200] and b"BDAT" in graph.read_bytes()[:200]  # changed-path filters
    assert run_git(workspace.root, "for-each-ref", "refs/clausewatch/") == ""  # temporary ref removed


def test_resumed_import_takes_only_new_versions_and_matches_a_one_shot_import(source: Source,
                                                                               tmp_path: Path) -> None:
    workspace = new_workspace(tmp_path / "ws")
    first = import_ota(workspace, source.path)
    extend_source(source)

    second = import_ota(workspace, source.path)

    assert (second.examined, second.kept, second.skipped["noise"]) == (3, 2, 1)
    assert second.head_before == first.head_after
    assert run_git(workspace.root, "rev-list", "--count", f"{first.head_after}..HEAD") == "2"
    acme = versions(workspace, "acme/privacy-policy")
    assert [(v.text, v.service_name) for v in acme] == [(P1, "Acme"), (P2, "ACME")]
    assert versions(workspace, "zoom/terms-of-service")[-1].text == E.replace("&utm_source=1", "")
    one_shot = new_workspace(tmp_path / "one-shot")
    import_ota(one_shot, source.path)
    assert run_git(one_shot.root, "rev-parse", "HEAD") == run_git(workspace.root, "rev-parse", "HEAD")


def test_import_is_idempotent(source: Source, tmp_path: Path) -> None:
    workspace = new_workspace(tmp_path / "ws")
    first = import_ota(workspace, source.path)

    again = import_ota(workspace, source.path)

    assert (again.examined, again.kept, again.documents) == (0, 0, 0)
    assert again.head_before == again.head_after == first.head_after


def test_only_imports_the_named_documents_and_a_later_full_import_does_not_repeat_them(
    source: Source, tmp_path: Path
) -> None:
    workspace = new_workspace(tmp_path / "ws")

    only = import_ota(workspace, source.path, only=["Acme/Privacy Policy"])
    full = import_ota(workspace, source.path)

    assert (only.kept, only.documents) == (1, 1)
    assert (full.kept, full.documents) == (5, 1)
    assert len(versions(workspace, "acme/privacy-policy")) == 1
    with pytest.raises(ConfigError, match="Nope/Terms") as caught:
        import_ota(workspace, source.path, only=["Nope/Terms"])
    assert caught.value.fix and "--only" in caught.value.fix


def test_versions_older_than_a_tracked_one_are_not_imported(source: Source, tmp_path: Path) -> None:
    workspace = new_workspace(tmp_path / "ws")
    tracked_at = source.times[4] + timedelta(days=1)
    record_version(archive_of(workspace), "zoom", "terms-of-service", B,
                               Provenance("https://zoom.example/terms", tracked_at, 200, "0" * 64))

    report = import_ota(workspace, source.path)

    assert report.skipped["older"] == 4  # v1..v4 were observed before the tracked version
    zoom = versions(workspace, "zoom/terms-of-service")
    assert [v.observed_at for v in zoom] == [tracked_at] + [source.times[i] for i in (5, 6, 8)]
    assert messages(workspace, "zoom/terms-of-service")[1].startswith("Record re-extracted text of Zoom")


def test_failed_bulk_write_leaves_the_branch_untouched(source: Source, tmp_path: Path) -> None:
    workspace = new_workspace(tmp_path / "ws")
    import_ota(workspace, source.path)
    archive = archive_of(workspace)
    before = head_commit(archive)

    def broken_blobs():
        yield b"one\n"
        raise ArchiveError("the source went away", fix="retry")

    commit = PendingCommit("archive/zoom/terms-of-service.md", 1, "x\n", START)
    with pytest.raises(ArchiveError, match="source went away"):
        fast_import_versions(archive, broken_blobs(), [commit])
    assert head_commit(archive) == before
    assert run_git(workspace.root, "for-each-ref", "refs/clausewatch/") == ""


def test_missing_source_is_a_clear_error(tmp_path: Path) -> None:
    workspace = new_workspace(tmp_path / "ws")
    (tmp_path / "junk.bundle").write_text("not a bundle", encoding="utf-8")
    with pytest.raises(ArchiveError, match="neither a git repository nor a git bundle") as caught:
        import_ota(workspace, tmp_path / "junk.bundle")
    assert caught.value.fix
    with pytest.raises(ConfigError, match="owner/repository"):
        import_ota(workspace, tmp_path / "junk.bundle", source="no slash")


def test_cli_import_ota(source: Source, tmp_path: Path) -> None:
    workspace = new_workspace(tmp_path / "ws")
    bundle = source.bundle(tmp_path / "ota-contrib-versions.bundle")
    runner = CliRunner()

    result = runner.invoke(cli, ["--root", str(workspace.root), "import", "ota", str(bundle),
                                 "--only", "Zoom/Terms of Service"])

    assert result.exit_code == 0, result.output
    assert "imported 5 into 1 documents" in result.stdout and "owner unknown" in result.stdout
    assert len(versions(workspace, "zoom/terms-of-service")) == 5
    assert "clausewatch import ota" in runner.invoke(cli, ["import", "ota", "--help"]).stdout


def test_import_ota_declarations_keeps_what_the_tracker_can_use(tmp_path: Path) -> None:
    workspace = new_workspace(tmp_path / "ws")
    source = tmp_path / "declarations"
    source.mkdir()
    (source / "Zoom.json").write_text(
        '{"name": "Zoom", "documents": {'
        '"Terms of Service": {"fetch": "https://zoom.example/terms", "select": ["main"], "remove": [".nav"]},'
        '"Privacy Policy": {"fetch": "https://zoom.example/privacy", "select": "main",'
        ' "filter": ["removeTrackingLinks"]}}}', encoding="utf-8")
    (source / "Broken.json").write_text("{not json", encoding="utf-8")
    (source / "Zoom.history.json").write_text('{"Terms of Service": []}', encoding="utf-8")

    report = import_ota_declarations(workspace, source)

    assert report.written == ("services/zoom.json", "services/zoom.history.json") and report.documents == 2
    assert [line for line in report.warnings if "removeTrackingLinks" in line], "a JavaScript filter is a warning"
    assert len(report.rejected) == 1 and "Broken.json" in report.rejected[0] and "JSON" in report.rejected[0]
    assert all(line.startswith(str(source)) for line in (*report.rejected, *report.warnings))
    documents = load_declarations(workspace.services)
    assert [(d.key, d.url, d.document_name, d.skipped_filters) for d in documents] == [
        ("zoom/privacy-policy", "https://zoom.example/privacy", "Privacy Policy", ("removeTrackingLinks",)),
        ("zoom/terms-of-service", "https://zoom.example/terms", "Terms of Service", ()),
    ]
    args = ["--root", str(workspace.root), "import", "ota-declarations", str(source)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1 and "warning: " in result.stderr and "removeTrackingLinks" in result.stderr


def test_shard_commits_combine_without_conflicts(tmp_path: Path) -> None:
    """docs/scaling.md: shards record disjoint paths, so replaying their commits onto main never conflicts."""
    from clausewatch.scraper.track import in_shard

    main = new_workspace(tmp_path / "main")
    keys = [f"service-{n}/terms" for n in range(8)]
    provenance = Provenance("https://example.org/", START, 200, "0" * 64)
    for key in keys:
        record_version(archive_of(main), *key.split("/"), f"{key} v1\n", provenance)
    for shard in (1, 2):
        clone = tmp_path / f"shard-{shard}"
        run_git(tmp_path, "clone", "-q", str(main.root), str(clone))
        mine = [key for key in keys if in_shard(key, (shard, 2))]
        assert mine and len(mine) < len(keys)
        for minute, key in enumerate(mine):
            when = START + timedelta(days=shard, minutes=minute)
            record_version(open_archive(clone / "archive"), *key.split("/"),
                                       f"{key} v2\n", Provenance("https://example.org/", when, 200, "1" * 64))
        run_git(clone, "bundle", "create", str(tmp_path / f"shard-{shard}.bundle"), "origin/main..HEAD")

    for shard in (1, 2):
        run_git(main.root, "fetch", "-q", str(tmp_path / f"shard-{shard}.bundle"), "HEAD")
        run_git(main.root, "rebase", "-q", "--committer-date-is-author-date", "HEAD", "FETCH_HEAD")
        run_git(main.root, "branch", "-f", "main", "HEAD")
        run_git(main.root, "checkout", "-q", "main")

    assert all(versions(main, key)[-1].text == f"{key} v2\n" for key in keys)
    dates = run_git(main.root, "log", "--format=%at %ct", f"-{len(keys)}").splitlines()
    assert len(dates) == len(keys) and all(a == c for a, c in (line.split() for line in dates))
    assert run_git(main.root, "status", "--porcelain") == ""


def test_imported_history_is_attributed_on_the_generated_site(source: Source, tmp_path: Path) -> None:
    from clausewatch.commands.init import init_workspace
    from clausewatch.site.generate import render_site

    workspace = Workspace(init_workspace(tmp_path / "ws"))
    import_ota(workspace, source.path)

    files = render_site(workspace, jobs=1).files

    credit = "Data by Open Terms Archive contributors, under the Open Data Commons Attribution License"
    pages = [name for name, text in files.items() if isinstance(text, str) and credit in text]
    assert "index.md" in pages
    assert "zoom/terms-of-service/index.md" in pages and "acme/privacy-policy/index.md" in pages
    assert "zoom/terms-of-service/2020-03-31/index.md" in pages  # a change page
    assert "Versions imported from `OpenTermsArchive" in files["index.md"]


def test_a_page_flapping_between_two_exact_variants_is_recorded_and_marked_blink(tmp_path: Path) -> None:
    source = Source(tmp_path / "contrib-versions", days_apart=1)  # a blink: back within BLINK_DAYS
    for number, text in enumerate([A, B, A, B, A]):
        source.commit("Start tracking Zoom Terms of Service" if number == 0 else
                      "Record new changes of Zoom Terms of Service", {ZOOM: text})
    workspace = new_workspace(tmp_path / "ws")

    report = import_ota(workspace, source.path)

    zoom = versions(workspace, "zoom/terms-of-service")
    assert report.kept == 5 and [v.observed_at for v in zoom] == source.times
    assert [v.text for v in zoom] == [t.replace("&utm_source=1", "") for t in (A, B, A, B, A)]
    assert [e.version_class for e in iter_history(zoom)] == ["first", "substantive", "blink", "blink", "blink"]
