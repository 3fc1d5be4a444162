"""The exception tree is plain Python; the CLI gives each class its documented exit code and prints
`Error: <message>` (the thing, the problem, `To fix: …`) on stderr."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import clausewatch.cli
import clausewatch.commands.init
from clausewatch import errors
from clausewatch.cli import EXIT_CODES, cli, exit_code_of
from clausewatch.errors import (
    ArchiveError,
    BuildError,
    ClausewatchError,
    ConfigError,
    ExtractError,
    FailureReason,
    FetchError,
    StatusError,
)

CASES = [
    (ClausewatchError("'acme/terms': something failed", fix="run it again"), 1),
    (ConfigError("services/acme.yml: documents.terms.url: missing", fix="add `url:`"), 2),
    (ArchiveError("'archive/' is locked by another clausewatch run", fix="wait for it to finish"), 3),
    (FetchError("cannot connect to 'https://acme.example/terms'", url="https://acme.example/terms",
                reason="connection", fix="check the URL's host name"), 4),
    (StatusError(404, "Not Found", "https://acme.example/terms"), 4),
    (ExtractError("acme/terms: selector '#terms' matches nothing", reason="selector",
                  fix="correct `select:` in services/acme.yml"), 4),
    (BuildError("mkdocs build failed for 'docs/acme/terms.md'", fix="see the MkDocs error above"), 5),
]


def test_the_tree_does_not_depend_on_the_command_line() -> None:
    for cls in (ClausewatchError, ConfigError, ArchiveError, FetchError, StatusError, ExtractError, BuildError):
        assert issubclass(cls, Exception) and not issubclass(cls, click.ClickException), cls
    assert "click" not in vars(errors)


@pytest.mark.parametrize(("error", "code"), CASES, ids=lambda value: type(value).__name__)
def test_each_error_class_exits_with_its_code_through_the_cli(error: ClausewatchError, code: int,
                                                               tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(directory: Path) -> None:
        raise error

    monkeypatch.setattr(clausewatch.commands.init, "init_workspace", fail)
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "ws")])
    assert result.exit_code == code, result.output
    assert exit_code_of(error) == code
    assert result.stdout == ""
    assert result.stderr == f"Error: {error}\n"
    assert result.stderr.startswith(f"Error: {error.problem}")
    if error.fix:
        assert result.stderr.endswith(f"\n  To fix: {error.fix}\n")


def test_every_class_has_a_documented_exit_code() -> None:
    documented = {int(line.split()[0]) for line in (clausewatch.cli.__doc__ or "").splitlines()
                  if line.strip()[:1].isdigit()}
    assert set(EXIT_CODES.values()) == documented - {0}
    assert {cls.__name__ for cls in EXIT_CODES} == {"ClausewatchError", "ConfigError", "ArchiveError",
                                                    "FetchError", "ExtractError", "BuildError"}


def test_real_failures_name_the_thing_and_the_fix(tmp_path: Path) -> None:
    runner = CliRunner()
    shard = runner.invoke(cli, ["--root", str(tmp_path), "track", "--shard", "5/4"])
    assert shard.exit_code == 2
    assert shard.stderr == ("Error: --shard '5/4' is not of the form K/N with 1 ≤ K ≤ N\n"
                            "  To fix: write e.g. --shard 1/4 for the first of four parallel jobs\n")
    missing = runner.invoke(cli, ["extract", str(tmp_path / "nothing.html")])
    assert missing.exit_code == 4
    assert missing.stderr.startswith(f"Error: '{tmp_path / 'nothing.html'}' is neither")
    assert "\n  To fix: " in missing.stderr
    private = runner.invoke(cli, ["extract", "http://127.0.0.1:9/terms"])
    assert private.exit_code == 4
    assert "'http://127.0.0.1:9/terms'" in private.stderr and "\n  To fix: " in private.stderr
    unarchived = runner.invoke(cli, ["--root", str(tmp_path), "log", "acme/terms"])
    assert unarchived.exit_code == 3
    assert "Error: " in unarchived.stderr and "To fix: " in unarchived.stderr


def test_the_message_is_problem_then_fix_and_follows_the_problem() -> None:
    error = ExtractError("acme/terms: the extracted text is empty", reason="empty", fix="check `select:`")
    assert str(error) == "acme/terms: the extracted text is empty\n  To fix: check `select:`"
    error.problem += " (held in .clausewatch/quarantine/acme/terms/)"
    assert str(error).startswith("acme/terms: the extracted text is empty (held in ")
    assert str(ConfigError("no fix")) == "no fix" and ConfigError("x").fix is None


def test_failure_reasons_are_the_ones_the_scraper_uses() -> None:
    used = set()
    root = Path(clausewatch.__file__).parent
    for path in [*root.glob("scraper/*.py"), root / "commands" / "extract.py"]:
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"reason=\"([a-z-]+)\"", text))
    assert used, "no reason= found: the pattern is out of date"
    declared = set(typing.get_args(FailureReason))
    assert used <= declared, used - declared
    assert declared - used <= {"network", "extract", "http-status", "internal"}, declared - used
