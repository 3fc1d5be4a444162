"""A workspace: the folder holding services/, archive/, commentary/, docs/ and mkdocs.yml."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml_env_tag import construct_env_tag

from clausewatch.errors import ConfigError


@dataclass(frozen=True, slots=True)
class Workspace:
    root: Path

    @property
    def services(self) -> Path:
        return self.root / "services"

    @property
    def archive(self) -> Path:
        return self.root / "archive"

    @property
    def commentary(self) -> Path:
        return self.root / "commentary"

    @property
    def docs(self) -> Path:
        return self.root / "docs"

    @property
    def generated(self) -> Path:
        """Where the generator writes pages (gitignored, rewritten before every build)."""
        return self.root / "docs"

    @property
    def mkdocs_yml(self) -> Path:
        return self.root / "mkdocs.yml"

    @property
    def state(self) -> Path:
        """Machine-local state: caches, run reports, quarantine (gitignored)."""
        return self.root / ".clausewatch"


class _LenientLoader(yaml.SafeLoader):
    """Reads mkdocs.yml as MkDocs does, without executing its `!!python/name:` and other tags (each becomes
    its plain value: `""` for a `!!python/name:`); `!ENV VAR` and `!ENV [VAR, ..., fallback]` by MkDocs'
    own constructor (`yaml_env_tag`): the first variable set, read as one YAML scalar, else the fallback."""


def _any_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)


_LenientLoader.add_constructor("!ENV", construct_env_tag)
_LenientLoader.add_multi_constructor("tag:yaml.org,2002:python/", _any_tag)
_LenientLoader.add_multi_constructor("!", _any_tag)


def read_site_config(workspace: Workspace) -> dict[str, Any]:
    """The workspace's mkdocs.yml as plain data (site_url, repo_url, edit_uri, extra...)."""
    path = workspace.mkdocs_yml
    if not path.is_file():
        raise ConfigError(
            f"'{path}' does not exist",
            fix="run `clausewatch init DIR` to create a workspace, or pass --root to an existing one",
        )
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LenientLoader)  # noqa: S506
    except yaml.YAMLError as exc:
        raise ConfigError(f"'{path}' is not valid YAML: {exc}", fix="correct the YAML syntax") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"'{path}': expected a mapping at the top level", fix="see mkdocs.yml in the README")
    return data
