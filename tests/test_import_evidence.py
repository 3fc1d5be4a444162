"""Imported history keeps its evidence: every OTA commit message form, the snapshots OTA names (all of them
for a combined document), the source URL of the declaration in force at each version's date (history
files), the change page's fact box (source, Internet Archive links, snapshot links), attribution when the
source's owner is unknown, and re-imports of a source whose history OTA rewrote.

Real git throughout: the OTA-like source repositories are built here commit by commit (tests/test_import.py).
"""

from __future__ import annotations

import html
import json
import subprocess
from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner
from test_import import START, Source, messages, new_workspace, run_git, versions

from clausewatch.cli import cli
from clausewatch.commands.init import init_workspace
from clausewatch.importer.ota import import_ota, ota_subject_kind, snapshot_references
from clausewatch.site.generate import render_site
from clausewatch.workspace import Workspace

GITHUB = "https://github.com/OpenTermsArchive/demo-snapshots/commit/"
SNAP = [GITHUB + f"{n:x}" * 40 for n in range(1, 4)]
MONGO = "mongo://contrib/open-terms-archive/snapshots/6440ea91f8471383485845c5"
OTA = "Open Terms Archive/Privacy Policy.md"


def privacy(extra: str = "") -> str:
    return ("# Privacy Policy\n\nWe collect your e-mail address to send you our newsletter.\n\n"
            "We keep it until you unsubscribe." + extra + "\n")


def body_one(snapshot: str) -> str:
    return f"This version was recorded after extracting from snapshot {snapshot}\n\nX-engine-version: 15.1.0"


def body_many(snapshots: list[str]) -> str:
    listed = "\n".join(f"- {s}" for s in snapshots)
    return ("This version was recorded after extracting from and assembling the following snapshots from "
            f"{len(snapshots)} source documents:\n{listed}\n\nX-engine-version: 15.1.0")


class OtaSource(Source):
    """A source whose commits carry OTA's real message bodies."""

    def record(self, subject: str, text: str, body: str, *, days: float) -> str:
        path = self.path / OTA
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        run_git(self.path, "add", OTA)
        when = START + timedelta(days=days)
        run_git(self.path, "commit", "-q", "-m", subject, "-m", body, when=when)
        self.shas.append(run_git(self.path, "rev-parse", "HEAD"))
        self.times.append(when)
        return self.shas[-1]


def every_form(path: Path) -> OtaSource:
    source = OtaSource(path)
    name = "Open Terms Archive Privacy Policy"
    source.record(f"Start tracking {name}", privacy(), f"This version was recorded after filtering snapshot {MONGO}",
                  days=0)
    source.record(f"Update {name}", privacy(" Or for a year."),
                  "This version was recorded after filtering snapshot with Mongo ID 6467c0e63f942c18d4a8df49", days=10)
    source.record(f"Refilter {name}", privacy(" Or for a year.") + "\n", body_one(SNAP[0]), days=20)
    source.record(f"Record new changes of {name}", privacy(" Or for two years."), body_many(SNAP), days=800)
    source.record(f"Apply technical or declaration upgrade on {name}", privacy(" Or for two years!"),
                  body_one(SNAP[1]), days=810)
    source.record(f"Record new changes of {name}", privacy(" Or for three years."), body_one(SNAP[2]), days=900)
    return source


def declarations(folder: Path) -> Path:
    folder.mkdir()
    (folder / "Open Terms Archive.json").write_text(json.dumps({"name": "Open Terms Archive", "terms": {
        "Privacy Policy": {"fetch": "https://opentermsarchive.org/en/privacy-policy", "select": ".textcontent"}}}),
        encoding="utf-8")
    cut = (START + timedelta(days=30)).isoformat().replace("+00:00", "Z")
    (folder / "Open Terms Archive.history.json").write_text(json.dumps({"Privacy Policy": [
        {"fetch": "https://opentermsarchive.org/privacy-policy", "select": ".old", "validUntil": cut}]}),
        encoding="utf-8")
    return folder


def test_every_ota_subject_form_is_understood() -> None:
    kinds = {subject: ota_subject_kind(subject) for subject in (
        "First record of X Terms", "Start tracking X Terms", "Record new changes of X Terms", "Update X Terms",
        "Apply technical or declaration upgrade on X Terms", "Refilter X Terms", "Update README", "Add LICENSE")}
    assert list(kinds.values()) == ["first", "first", "change", "change", "re-extraction", "re-extraction",
                                    "change", "other"]
    many = [GITHUB + f"{n:040x}" for n in range(18)]
    assert snapshot_references(body_many(many)) == tuple(many), "all 18 pages of a combined document"
    assert snapshot_references(f"after filtering snapshot {MONGO}") == (MONGO,)
    assert snapshot_references("after filtering snapshot with Mongo ID 6467c0e63f942c18d4a8df49") == (
        "mongo:6467c0e63f942c18d4a8df49",)
    assert snapshot_references("X-engine-version: 15.1.0") == ()


def test_import_keeps_every_snapshot_and_the_source_url_in_force_at_each_date(tmp_path: Path) -> None:
    source = every_form(tmp_path / "demo-versions")
    workspace = new_workspace(tmp_path / "ws")
    args = ["--root", str(workspace.root), "import", "ota", str(source.path), "--source",
            "OpenTermsArchive/demo-versions", "--declarations", str(declarations(tmp_path / "declarations"))]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    recorded = versions(workspace, "open-terms-archive/privacy-policy")
    assert [v.observed_at for v in recorded] == [source.times[i] for i in (0, 1, 3, 4, 5)], "Refilter: unchanged"
    assert [v.provenance.imported_snapshots for v in recorded] == [
        (MONGO,), ("mongo:6467c0e63f942c18d4a8df49",), tuple(SNAP), (SNAP[1],), (SNAP[2],)]
    assert [v.provenance.source_url for v in recorded] == [
        "https://opentermsarchive.org/privacy-policy"] * 2 + ["https://opentermsarchive.org/en/privacy-policy"] * 3
    assert len({v.provenance.declaration_sha256 for v in recorded}) == 2
    log = messages(workspace, "open-terms-archive/privacy-policy")
    assert ["Re-Extraction: yes" in m for m in log] == [False, False, False, True, False]


def test_change_pages_show_the_source_its_internet_archive_captures_and_the_snapshots(tmp_path: Path) -> None:
    source = every_form(tmp_path / "demo-versions")
    workspace = Workspace(init_workspace(tmp_path / "ws"))
    import_ota(workspace, source.path, source="OpenTermsArchive/demo-versions",
               declarations=declarations(tmp_path / "declarations"))
    files = render_site(workspace, jobs=1).files
    day = (START + timedelta(days=800)).strftime("%Y-%m-%d")
    page = html.unescape(str(files[f"open-terms-archive/privacy-policy/{day}/index.md"]))  # entities of the box
    assert '<a href="https://opentermsarchive.org/en/privacy-policy"' in page
    stamp = (START + timedelta(days=800)).strftime("%Y%m%d")
    assert f"https://web.archive.org/web/{stamp}*/https://opentermsarchive.org/en/privacy-policy" in page
    assert "Open Terms Archive snapshots: " in page
    for snapshot in SNAP:
        assert f'<a href="{snapshot}" rel="nofollow noopener"><code>{snapshot[-40:][:12]}</code></a>' in page
    assert f"recorded by commit <code>{source.shas[3][:12]}</code> of <code>OpenTermsArchive/demo-versions</code>" \
        in page
    first = html.unescape(str(files[f"open-terms-archive/privacy-policy/{START:%Y-%m-%d}/index.md"]))
    assert "6440ea91f847" in first and "(mongo reference)" in first and 'href="mongo' not in first


def test_an_unknown_owner_is_said_linked_to_nothing_and_still_credited(tmp_path: Path) -> None:
    source = every_form(tmp_path / "demo-versions")
    run_git(source.path, "remote", "remove", "origin")
    workspace = Workspace(init_workspace(tmp_path / "ws"))
    import_ota(workspace, source.path)
    files = render_site(workspace, jobs=1).files
    day = (START + timedelta(days=800)).strftime("%Y-%m-%d")
    page = html.unescape(str(files[f"open-terms-archive/privacy-policy/{day}/index.md"]))
    assert "<code>demo-versions</code> <span class=\"cw-none\">(repository owner unknown)</span>" in page
    assert "github.com/demo-versions" not in page and "OpenTermsArchive/demo-versions" not in page
    credit = "Data by Open Terms Archive contributors, under the Open Data Commons Attribution License (ODC-BY 1.0)"
    assert credit in page and credit in str(files["index.md"])
    assert "`demo-versions` (repository owner unknown)" in str(files["index.md"])


def rewritten_copy(source: OtaSource, target: Path, drop: int | None = None, *, amend: bool = False) -> OtaSource:
    """The same history rewritten as OTA does: commit `drop` (a bad capture) removed, so every later commit
    gets a new SHA (same author date and content); with `amend`, every message is amended too (all new)."""
    copy = OtaSource(target)
    for index, sha in enumerate(source.shas):
        if index == drop:
            continue
        text = subprocess.run(["git", "-C", str(source.path), "show", f"{sha}:{OTA}"], capture_output=True,
                              text=True, check=True).stdout
        subject, _, body = run_git(source.path, "log", "-1", "--format=%B", sha).partition("\n\n")
        days = (source.times[index] - START).total_seconds() / 86400
        copy.record(subject, text, body + ("\n\nAmended." if amend else ""), days=days)
    return copy


def test_reimporting_a_rewritten_history_neither_duplicates_nor_loses_versions(tmp_path: Path) -> None:
    source = every_form(tmp_path / "demo-versions")
    workspace = new_workspace(tmp_path / "ws")
    first = import_ota(workspace, source.path)
    before = [(v.observed_at, v.text) for v in versions(workspace, "open-terms-archive/privacy-policy")]

    rewritten = rewritten_copy(source, tmp_path / "rewritten", drop=1)  # an imported version OTA removed
    assert set(rewritten.shas).isdisjoint(source.shas[1:]) and rewritten.shas[:1] == source.shas[:1]
    again = import_ota(workspace, rewritten.path)
    assert again.kept == 0 and again.head_after == first.head_after
    assert [(v.observed_at, v.text) for v in versions(workspace, "open-terms-archive/privacy-policy")] == before

    rewritten.record("Record new changes of Open Terms Archive Privacy Policy", privacy(" Or for four years."),
                     body_one(SNAP[0]), days=950)
    third = import_ota(workspace, rewritten.path)
    after = versions(workspace, "open-terms-archive/privacy-policy")
    assert third.kept == 1 and [(v.observed_at, v.text) for v in after[:-1]] == before
    assert after[-1].text == privacy(" Or for four years.")
    assert after[-1].provenance.imported_from.endswith("@" + rewritten.shas[-1])
    assert import_ota(workspace, rewritten.path).kept == 0


def test_a_history_rewritten_before_it_was_ever_imported_keeps_every_version_it_still_has(tmp_path: Path) -> None:
    """Amending the messages of the whole history (every SHA new) and importing both into fresh workspaces
    records the same texts at the same times."""
    source = every_form(tmp_path / "demo-versions")
    rewritten = rewritten_copy(source, tmp_path / "rewritten", amend=True)
    assert set(rewritten.shas).isdisjoint(source.shas)
    one, two = new_workspace(tmp_path / "one"), new_workspace(tmp_path / "two")
    import_ota(one, source.path)
    import_ota(two, rewritten.path)
    assert [(v.observed_at, v.text) for v in versions(one, "open-terms-archive/privacy-policy")] == [
        (v.observed_at, v.text) for v in versions(two, "open-terms-archive/privacy-policy")]
    assert import_ota(one, rewritten.path).kept == 0, "the rewritten copy brings nothing new"
