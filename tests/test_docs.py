"""Docs are tested as code: every command and option is documented, every command has an example."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from clausewatch.cli import cli

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _iter_commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    for name, command in sorted(group.commands.items()):
        full = f"{prefix}{name}"
        found.append((full, command))
        if isinstance(command, click.Group):
            found.extend(_iter_commands(command, prefix=f"{full} "))
    return found


COMMANDS = _iter_commands(cli)


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[name for name, _ in COMMANDS])
def test_command_is_documented_in_readme(name: str, command: click.Command) -> None:
    assert f"clausewatch {name}" in README, f"README.md does not mention `clausewatch {name}`"


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[name for name, _ in COMMANDS])
def test_command_help_has_an_example(name: str, command: click.Command) -> None:
    assert command.help and "Example:" in command.help, f"`clausewatch {name} -h` has no Example"


OPTIONS = [
    (name, opt)
    for name, command in COMMANDS
    for param in command.params
    if isinstance(param, click.Option)
    for opt in param.opts
    if opt.startswith("--")
]


@pytest.mark.parametrize(("name", "option"), OPTIONS, ids=[f"{n} {o}" for n, o in OPTIONS])
def test_option_is_documented_in_readme(name: str, option: str) -> None:
    assert option in README, f"README.md does not document `clausewatch {name} {option}`"


def test_readme_test_command_is_what_ci_runs() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "scripts/test" in README and "scripts/test" in ci
