"""`clausewatch check`: every declaration and commentary error at once, warnings, and `--fetch SERVICE`."""

from __future__ import annotations

import itertools
import subprocess
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from click.testing import CliRunner

from clausewatch.cli import cli
from clausewatch.commands.check import check_workspace
from clausewatch.workspace import Workspace


@pytest.fixture
def workspace(tmp_path: Path, http_server) -> Workspace:
    subprocess.run(["git", "init", "-q", "-b", "main", str(tmp_path)], check=True)
    (tmp_path / "archive").mkdir()
    (tmp_path / "services").mkdir()
    (tmp_path / "services" / "acme.yml").write_text(
        f"""name: Acme
documents:
  terms-of-service:
    url: {http_server.url('/terms')}
    select: main
""", encoding="utf-8")
    http_server.set("/terms", "<nav>Menu</nav><main><h1>Terms</h1><p>Be nice.</p></main>")
    return Workspace(tmp_path)


def test_valid_workspace_has_no_errors(workspace: Workspace) -> None:
    result = check_workspace(workspace)
    assert result.errors == [] and result.warnings == []


def test_declaration_errors_are_all_listed_as_file_key_problem(workspace: Workspace) -> None:
    (workspace.services / "beta.yml").write_text(
        "documents: {terms: {url: 'ftp://beta.example', select: main, colour: red}}", encoding="utf-8")
    (workspace.services / "Gamma.json").write_text(
        '{"name": "Gamma", "documents": {"Terms of Service": {"fetch": "https://g.io", "filter": ["f"]}}}',
        encoding="utf-8")
    result = check_workspace(workspace)
    errors = result.errors
    assert sorted(line.split(": ")[1] for line in errors) == ["documents.terms.colour", "documents.terms.url"]
    assert all(line.startswith("services/beta.yml: ") for line in errors)
    assert [line.split(": ")[:2] for line in result.warnings if "JavaScript filter 'f'" in line] == [
        ["services/Gamma.json", "documents.Terms of Service.filter"]], "a JavaScript filter is only a warning"


def test_warnings_for_stray_files_and_whole_page_documents(workspace: Workspace, http_server) -> None:
    (workspace.services / "notes.txt").write_text("todo", encoding="utf-8")
    (workspace.services / "delta.yml").write_text(f"documents: {{terms: {{url: '{http_server.url('/d')}'}}}}",
                                                  encoding="utf-8")
    result = check_workspace(workspace)
    assert result.errors == []
    assert result.warnings == [
        "services/notes.txt: (file): not a declaration (.yml or .json), ignored",
        "services/delta.yml: documents.terms.select: not set, the whole page body is recorded (menus and "
        "footers included) — add a `select:` selector",
    ]


def test_commentary_errors_are_included(workspace: Workspace) -> None:
    (workspace.commentary / "acme").mkdir(parents=True)
    (workspace.commentary / "acme" / "notes.txt").write_text("hello", encoding="utf-8")
    errors = check_workspace(workspace).errors
    assert len(errors) == 1 and errors[0].startswith("commentary/acme/notes.txt: ")


def test_fetch_twice_passes_for_a_stable_page(workspace: Workspace, http_server) -> None:
    assert check_workspace(workspace, fetch_service="acme", allow_private=True).errors == []
    assert http_server.hits("/terms") == 2


def test_fetch_twice_catches_an_unstable_selector(workspace: Workspace, http_server) -> None:
    counter = itertools.count()

    def changing(request: BaseHTTPRequestHandler) -> None:
        body = f"<main><h1>Terms</h1><p>Served {next(counter)} times.</p></main>".encode()
        request.send_response(200)
        request.send_header("Content-Type", "text/html; charset=utf-8")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    http_server.handle("/terms", changing)
    errors = check_workspace(workspace, fetch_service="acme", allow_private=True).errors
    assert errors == [
        "services/acme.yml: documents.terms-of-service.select: two fetches gave different texts "
        "(the selector catches changing content) — narrow `select` or `remove` the changing parts"]


def test_fetch_reports_refusals_and_unknown_services(workspace: Workspace, http_server) -> None:
    http_server.set("/terms", "<div>No main here</div>")
    (error,) = check_workspace(workspace, fetch_service="acme", allow_private=True).errors
    assert error.startswith("services/acme.yml: documents.terms-of-service: fetch 1 failed [selector]: ")
    (error,) = check_workspace(workspace, fetch_service="acme").errors
    assert "[private-address]" in error
    (error,) = check_workspace(workspace, fetch_service="zeta").errors
    assert error == "--fetch zeta: (service): no such declared service — use one of: acme"


def test_cli_check_exit_codes(workspace: Workspace) -> None:
    runner = CliRunner()
    ok = runner.invoke(cli, ["--root", str(workspace.root), "check"])
    assert ok.exit_code == 0 and "OK" in ok.output
    (workspace.services / "acme.yml").write_text("documents: {terms: {url: nope}}", encoding="utf-8")
    bad = runner.invoke(cli, ["--root", str(workspace.root), "check"])
    assert bad.exit_code == 1
    assert "services/acme.yml: documents.terms.url: 'nope' is not an http(s) URL" in bad.output
    assert "1 error(s)." in bad.output
