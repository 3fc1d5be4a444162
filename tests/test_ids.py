"""Ids that fit every file system, never merge two sources, never take a site path: real workspaces, real
git, real OTA-like source repositories, the real command line.

- a 300-character document id is refused by `check`, by `track` and by the recorder before anything is
  written; `track --only` another service and `build` keep working, nothing is left staged;
- an archive that already holds a path too long for the file system (written by an older version) does
  not stop `track` or `build` either;
- `import ota`: `日本/…` and `中国/…` are two documents, a 252-byte name gets an id of at most 80 bytes;
  a submodule at a `.md` path and a `\\x1e` in a commit message are not errors;
- `import ota-declarations` with `Zoom.json` and `zoom.json` writes one of them, not one over the other;
- service ids the site uses (`permalinks`, `methodology`, `pagefind-recent`, …) are refused, and the
  list of them covers every top-level name a built site has (so it cannot drift).
"""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from site_workspace import add_hostile, make_workspace
from test_import import Source, run_git

from clausewatch.archive.read import open_archive
from clausewatch.archive.write import record_version
from clausewatch.cli import cli
from clausewatch.commands.init import init_workspace
from clausewatch.errors import ConfigError
from clausewatch.importer.ota import import_ota
from clausewatch.models import Provenance
from clausewatch.site.build import SKELETON_DIR, build_site
from clausewatch.slugs import MAX_ID_BYTES, RESERVED, id_problem, name_id
from clausewatch.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]
LONG = "a" * 300
PAGE = "<main><h1>Terms</h1><p>These terms govern your use of the service, for as long as you use it.</p></main>"


def invoke(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--root", str(root), *args])


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True).stdout


def test_a_too_long_id_is_refused_before_anything_is_written(tmp_path: Path, http_server) -> None:
    http_server.set("/terms", PAGE)
    root = init_workspace(tmp_path / "ws")
    (root / "services" / "acme.yml").write_text(f"documents:\n  terms:\n    url: {http_server.url('/terms')}\n",
                                                encoding="utf-8")
    (root / "services" / "longco.yml").write_text(f"documents:\n  {LONG}:\n    url: {http_server.url('/terms')}\n",
                                                  encoding="utf-8")
    check = invoke(root, "check")
    assert check.exit_code == 1
    assert f"services/longco.yml: documents.{LONG[:40]}" in check.output and "over the limit of 80" in check.output

    head = git(root, "rev-parse", "HEAD")
    everything = invoke(root, "track", "--allow-private-addresses", "--host-delay", "0")
    assert everything.exit_code == 2 and "over the limit of 80" in everything.output
    assert git(root, "rev-parse", "HEAD") == head

    other = invoke(root, "track", "--only", "acme", "--allow-private-addresses", "--host-delay", "0")
    assert other.exit_code == 0, other.output
    assert "warning: services/longco.yml" in other.output
    assert git(root, "status", "--porcelain", "--", "archive") == ""
    assert (root / "archive" / "acme" / "terms.md").is_file()
    assert invoke(root, "build").exit_code == 0

    with pytest.raises(ConfigError, match="over the limit"):  # the recorder refuses it too, whoever asks
        record_version(open_archive(root / "archive"), "longco", LONG, "text\n",
                       Provenance("https://longco.example", datetime.now(UTC), 200, "0" * 64))


def test_a_path_too_long_already_in_the_archive_stops_nothing(tmp_path: Path, http_server) -> None:
    """As an older version left it: a commit whose file name the file system cannot hold."""
    http_server.set("/terms", PAGE)
    root = init_workspace(tmp_path / "ws")
    (root / "services" / "acme.yml").write_text(f"documents:\n  terms:\n    url: {http_server.url('/terms')}\n",
                                                encoding="utf-8")
    assert invoke(root, "track", "--allow-private-addresses", "--host-delay", "0").exit_code == 0
    blob = subprocess.run(["git", "-C", str(root), "hash-object", "-w", "--stdin"], input=b"# Long\n\nText.\n",
                          capture_output=True, check=True).stdout.decode().strip()
    index = {"GIT_INDEX_FILE": str(tmp_path / "index")}
    env = {**__import__("os").environ, **index}
    subprocess.run(["git", "-C", str(root), "read-tree", "HEAD"], env=env, check=True)
    subprocess.run(["git", "-C", str(root), "update-index", "--add", "--cacheinfo",
                    f"100644,{blob},archive/longco/{'d' * 300}.md"], env=env, check=True)
    tree = subprocess.run(["git", "-C", str(root), "write-tree"], env=env, capture_output=True, text=True,
                          check=True).stdout.strip()
    commit = run_git(root, "commit-tree", tree, "-p", "HEAD", "-m", "Record by an older version")
    run_git(root, "update-ref", "refs/heads/main", commit)

    http_server.set("/terms", PAGE.replace("as long as", "as long as ever"))
    again = invoke(root, "track", "--only", "acme", "--allow-private-addresses", "--host-delay", "0")
    assert again.exit_code == 0, again.output
    assert "as long as ever" in (root / "archive" / "acme" / "terms.md").read_text(encoding="utf-8")
    staged = [line for line in git(root, "status", "--porcelain", "--", "archive").splitlines()
              if line[:1] not in (" ", "?")]
    assert staged == []  # nothing staged (the long file is only missing from the working tree)
    build = invoke(root, "build")
    assert build.exit_code == 0, build.output
    assert "left out of the site" in build.output and "over the limit of 80" in build.output


def test_import_keeps_distinct_names_apart_and_ids_short(tmp_path: Path) -> None:
    source = Source(tmp_path / "source")
    ligatures = "\ufb03" * 83  # 249 bytes in UTF-8, 249 ASCII letters once folded
    source.commit("Start tracking", {"日本/Terms of Service.md": "# Terms\n\nJapan's terms.\n",
                                     "中国/Terms of Service.md": "# Terms\n\nChina's terms.\n",
                                     f"Lig/{ligatures}.md": "# Terms\n\nLong name.\n"})
    (source.path / "Sub").mkdir()  # a submodule at a .md path: another repository, not a version
    other = run_git(source.path, "rev-parse", "HEAD")
    run_git(source.path, "update-index", "--add", "--cacheinfo", f"160000,{other},Sub/Terms.md")
    run_git(source.path, "commit", "-q", "-m", "Add a submodule\x1e with a record separator in its message")
    source.commit("Record new changes\x1eof 日本", {"日本/Terms of Service.md": "# Terms\n\nJapan's new terms.\n"})

    ws = tmp_path / "ws"
    run_git(tmp_path, "init", "-q", "-b", "main", str(ws))
    (ws / "archive").mkdir()
    report = import_ota(Workspace(ws), source.path)
    keys = sorted(p.relative_to(ws / "archive").as_posix() for p in (ws / "archive").rglob("*.md"))
    japan, china = f"{name_id('日本')}/terms-of-service.md", f"{name_id('中国')}/terms-of-service.md"
    assert japan != china and {japan, china} < set(keys)
    assert (ws / "archive" / japan).read_text(encoding="utf-8") == "# Terms\n\nJapan's new terms.\n"
    assert "China" in (ws / "archive" / china).read_text(encoding="utf-8")
    assert all(id_problem(part) is None for key in keys for part in key.removesuffix(".md").split("/"))
    assert any(key.startswith("lig/ffiffi") and len(key.split("/")[1]) <= MAX_ID_BYTES + 3 for key in keys)
    assert report.kept == 4 and not any("sub" in key for key in keys)
    names = git(ws, "log", "--format=%B", "--", f"archive/{japan}")
    assert "Service-Name: 日本" in names


def test_two_declarations_that_differ_by_case_are_not_written_over_each_other(tmp_path: Path) -> None:
    source = tmp_path / "declarations"
    source.mkdir()
    declaration = {"name": "Zoom", "documents": {"Terms of Service": {"fetch": "https://zoom.example/terms",
                                                                      "select": "main"}}}
    (source / "Zoom.json").write_text(json.dumps(declaration), encoding="utf-8")
    other = {"name": "zoom (other)", "documents": {"Privacy Policy": {"fetch": "https://zoom.example/p"}}}
    (source / "zoom.json").write_text(json.dumps(other), encoding="utf-8")
    root = init_workspace(tmp_path / "ws")
    result = invoke(root, "import", "ota-declarations", str(source))
    assert result.exit_code == 1
    assert "also declared by" in result.output
    written = json.loads((root / "services" / "zoom.json").read_text(encoding="utf-8"))
    assert written["name"] == "Zoom" and list(written["documents"]) == ["Terms of Service"]


@pytest.mark.parametrize("service", ["permalinks", "methodology", "pagefind-recent", "search-bundles",
                                     "sitemap", "tracking", "index"])
def test_service_ids_the_site_uses_are_refused(tmp_path: Path, service: str) -> None:
    root = init_workspace(tmp_path / "ws")
    (root / "services" / f"{service}.yml").write_text("documents:\n  terms:\n    url: https://x.example/t\n",
                                                      encoding="utf-8")
    check = invoke(root, "check")
    assert check.exit_code == 1 and f"service id '{service}' is reserved" in check.output


def test_a_service_named_like_a_hand_written_page_is_refused(tmp_path: Path) -> None:
    root = init_workspace(tmp_path / "ws")
    (root / "docs" / "press.md").write_text("# Press\n", encoding="utf-8")
    (root / "services" / "press.yml").write_text("documents:\n  terms:\n    url: https://x.example/t\n",
                                                 encoding="utf-8")
    check = invoke(root, "check")
    assert check.exit_code == 1 and "docs/press.md" in check.output


def test_every_top_level_name_of_the_site_is_reserved(tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path / "ws")
    add_hostile(workspace)
    (workspace.state / "runs").mkdir(parents=True)  # a status page too
    (workspace.state / "runs" / "20260101T000000Z.json").write_text(
        '{"started": "2026-01-01T00:00:00Z", "finished": "2026-01-01T00:01:00Z", "failed": []}', encoding="utf-8")
    site = build_site(workspace, tmp_path / "site")
    services = {"acme", "evil"}
    handwritten = {"raw"}  # add_hostile's extra page
    names = {path.name.lstrip(".").split(".")[0] for path in site.iterdir()}
    names |= {path.name.split(".")[0] for path in workspace.docs.iterdir() if not path.name.startswith(".")}
    names |= {path.stem for path in (SKELETON_DIR / "docs").glob("*.md")}
    names |= {path.stem for path in (ROOT / "docs").glob("*.md")}
    assert "status" in names and "pagefind" in names
    assert names - services - handwritten <= RESERVED, sorted(names - services - handwritten - RESERVED)


def test_name_ids_are_short_valid_and_distinct() -> None:
    assert name_id("Zoom") == "zoom" and name_id("Société Générale") == "societe-generale"
    assert name_id("日本") != name_id("中国") and name_id("日本") == name_id("日本")
    assert id_problem(name_id("x" * 500)) is None and len(name_id("x" * 500)) == MAX_ID_BYTES
    assert name_id("Straße") != name_id("Strae")
