"""`clausewatch init DIR`: a new, empty workspace a user can start their own archive in."""

from __future__ import annotations

import shutil
from pathlib import Path

from clausewatch.archive.write import commit_workspace, init_repository
from clausewatch.errors import ConfigError
from clausewatch.site.build import SKELETON_DIR

GITIGNORE = """# Built site, a build's staging area, and machine-local state
/site/
/.site.clausewatch-build/
/.clausewatch/
# docs/: the generator writes its pages here before every build (never committed). Hand-written pages
# are the top-level docs/*.md files, except the generated home, methodology and status pages.
/docs/*
!/docs/*.md
/docs/index.md
/docs/methodology.md
/docs/status.md
"""

README = """# Archive

Recorded versions, one commit per version: `<service>/<document>.md`, raw snapshots under `_snapshots/`.
Written by `clausewatch track` and `clausewatch import`; do not edit by hand.
"""

SERVICES_README = """# Declarations

One YAML file per service (see the Clausewatch documentation, "Declarations"). Example:

    name: Acme
    documents:
      terms-of-service:
        url: https://acme.example/terms
        select: main
        remove: [nav, .cookie-banner]
"""


def init_workspace(directory: Path) -> Path:
    """Create services/, archive/, commentary/, docs/, mkdocs.yml in DIRECTORY, a new git repository."""

    directory = directory.resolve()
    taken = [name for name in ("services", "archive", "commentary", "mkdocs.yml") if (directory / name).exists()]
    if taken:
        raise ConfigError(
            f"'{directory}' already holds {', '.join(taken)}",
            fix="choose a new or empty folder, or use --root to work in the existing workspace",
        )
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copytree(SKELETON_DIR, directory, dirs_exist_ok=True)
    for name, text in (("archive/README.md", README), ("services/README.md", SERVICES_README)):
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        (directory / name).write_text(text, encoding="utf-8")
    (directory / "commentary").mkdir(exist_ok=True)
    (directory / "commentary" / ".gitkeep").touch()
    gitignore = directory / ".gitignore"
    existing = gitignore.read_text(encoding="utf-8") if gitignore.exists() else ""
    gitignore.write_text(existing + GITIGNORE, encoding="utf-8")
    if not (directory / ".git").exists():
        init_repository(directory)
    commit_workspace(directory, "Start a Clausewatch workspace")
    return directory
