"""The contributor path: pre-filled commentary files, the web-editor link, `clausewatch annotate`."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner

from clausewatch.archive.read import open_archive
from clausewatch.archive.write import init_repository, record_version
from clausewatch.cli import cli
from clausewatch.commentary.check import check_commentary
from clausewatch.commentary.parse import parse_commentary, split_front_matter
from clausewatch.commentary.template import (
    add_commentary_link,
    add_commentary_url,
    commentary_path,
    commentary_template,
    repository_branch,
    write_commentary_template,
)
from clausewatch.diff.clauses import split_clauses
from clausewatch.errors import ConfigError
from clausewatch.models import Provenance
from clausewatch.workspace import Workspace

V1 = "# Terms\n\n## 1. Disputes\n\nDisputes go to the courts of Paris.\n"
V2 = ("# Terms\n\n## 1. Disputes\n\nAny dispute will be resolved by binding arbitration, and you waive "
      "any class action.\n")
CLAUSE = "any-dispute-will-be-resolved-by"


@pytest.fixture
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("ws")
    init_repository(root)
    (root / "archive").mkdir()
    archive = open_archive(root / "archive")
    for text, day in ((V1, 1), (V2, 10)):
        when = datetime(2026, 3, day, 12, tzinfo=UTC)
        record_version(archive, "acme", "terms", text, Provenance("https://acme.test/t", when, 200, "0" * 64))
    return Workspace(root)


def test_template_is_a_valid_draft_with_placeholders() -> None:
    text = commentary_template("acme", "terms", "2026-03-10", CLAUSE, "Any dispute will be resolved")
    rel = commentary_path("acme", "terms", "2026-03-10", CLAUSE)
    assert rel == f"commentary/acme/terms/2026-03-10-{CLAUSE}.md"
    item, errors = parse_commentary(rel, text)
    assert errors == []
    assert item is not None
    assert (item.service, item.document, item.change, item.clause, item.status) == (
        "acme", "terms", "2026-03-10", CLAUSE, "draft")
    assert item.quote == "Any dispute will be resolved"


def test_github_web_editor_url_carries_path_and_front_matter() -> None:
    url = add_commentary_url("https://github.com/clausewatch/archive", "main", "acme", "terms",
                             "2026-03-10", CLAUSE, "Any dispute")
    assert url is not None
    parts = urlsplit(url)
    assert parts.path == "/clausewatch/archive/new/main"
    query = parse_qs(parts.query)
    assert query["filename"] == [f"commentary/acme/terms/2026-03-10-{CLAUSE}.md"]
    front = split_front_matter(query["value"][0])
    assert front is not None and f"clause: {CLAUSE}" in front[0] and "change: '2026-03-10'" in front[0]


def test_gitlab_and_missing_repository() -> None:
    url = add_commentary_url("https://gitlab.com/a/b", "trunk", "acme", "terms", "2026-03-10")
    assert url is not None and url.startswith("https://gitlab.com/a/b/-/new/trunk?file_name=commentary/")
    assert parse_qs(urlsplit(url).query)["file_name"] == ["commentary/acme/terms/2026-03-10.md"]
    assert add_commentary_url("", "main", "acme", "terms", "2026-03-10") is None
    assert add_commentary_url("javascript:alert(1)", "main", "acme", "terms", "2026-03-10") is None


def test_branch_and_link_from_site_config() -> None:
    assert repository_branch({"edit_uri": "edit/develop/docs/"}) == "develop"
    assert repository_branch({"edit_uri": "-/edit/trunk/docs/"}) == "trunk"
    assert repository_branch({}) == "main"
    clause = next(c for c in split_clauses(V2) if c.id == CLAUSE)
    url = add_commentary_link({"repo_url": "https://github.com/o/r", "edit_uri": "edit/dev/docs/"},
                              "acme", "terms", "2026-03-10", clause)
    assert url is not None and "/new/dev?" in url
    value = parse_qs(urlsplit(url).query)["value"][0]
    assert "quote: Any dispute will be resolved by binding arbitration" in value


def test_write_template_then_check_passes_with_placeholder_warnings(ws: Workspace) -> None:
    path = write_commentary_template(ws, "acme/terms", "2026-03-10", CLAUSE)
    assert path == ws.root / f"commentary/acme/terms/2026-03-10-{CLAUSE}.md"
    errors, warnings = check_commentary(ws)
    assert errors == []
    assert any("TODO placeholder" in w for w in warnings)


def test_refuses_to_overwrite(ws: Workspace) -> None:
    path = write_commentary_template(ws, "acme/terms", "2026-03-10")
    path.write_text("my work", encoding="utf-8")
    with pytest.raises(ConfigError, match="already exists"):
        write_commentary_template(ws, "acme/terms", "2026-03-10")
    assert path.read_text(encoding="utf-8") == "my work"


def test_unknown_change_and_clause_are_refused(ws: Workspace) -> None:
    with pytest.raises(ConfigError) as info:
        write_commentary_template(ws, "acme/terms", "2026-03-11")
    assert "no change '2026-03-11'" in str(info.value) and "2026-03-10" in str(info.value)
    with pytest.raises(ConfigError) as info:
        write_commentary_template(ws, "acme/terms", "2026-03-10", "no-such-clause")
    assert "no clause 'no-such-clause'" in str(info.value) and CLAUSE in str(info.value)
    assert not ws.commentary.exists() or not any(ws.commentary.rglob("*.md"))


def test_cli_annotate_prints_the_path(ws: Workspace) -> None:
    result = CliRunner().invoke(cli, ["--root", str(ws.root), "annotate", "acme/terms", "2026-03-10",
                                      "--clause", CLAUSE])
    assert result.exit_code == 0, result.output
    rel = f"commentary/acme/terms/2026-03-10-{CLAUSE}.md"
    assert result.stdout.strip() == rel
    assert (ws.root / rel).is_file()
    again = CliRunner().invoke(cli, ["--root", str(ws.root), "annotate", "acme/terms", "2026-03-10",
                                     "--clause", CLAUSE])
    assert again.exit_code == 2
    assert "already exists" in again.output


ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]


def test_pull_request_workflow_is_read_only_and_builds_the_site() -> None:
    import yaml

    text = (ROOT / ".github/workflows/pr.yml").read_text(encoding="utf-8")
    workflow = yaml.safe_load(text)
    assert list(workflow[True]) == ["pull_request"]  # YAML 1.1 reads the key `on` as True
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    assert "pull_request_target" not in code and "secrets." not in code
    assert workflow["permissions"] == {}
    assert workflow["jobs"]["check-and-build"]["permissions"] == {"contents": "read"}
    steps = workflow["jobs"]["check-and-build"]["steps"]
    runs = [s.get("run", "") for s in steps]
    assert any(r.startswith("clausewatch check") for r in runs)
    assert any("clausewatch build" in r for r in runs)
    assert any(s.get("uses", "").startswith("actions/upload-artifact@") for s in steps)
    assert all("${{" not in r for r in runs)  # nothing from the pull request is interpolated into a shell


def test_contributing_example_is_a_valid_commentary_file() -> None:
    import re

    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    example = re.search(r"```markdown\n(---\n.*?)```", text, re.DOTALL)
    assert example is not None
    item, errors = parse_commentary("commentary/acme/terms-of-service/2026-03-10-arbitration.md",
                                    example.group(1))
    assert errors == []
    assert item is not None and item.clause == "arbitration" and item.status == "published"
