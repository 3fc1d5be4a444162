"""The archive package's layers: what each module may import, and that only `archive/git.py` starts processes."""

from __future__ import annotations

import ast
from pathlib import Path

import clausewatch.archive

PACKAGE = Path(clausewatch.archive.__file__).parent
ALLOWED_OUTSIDE = {"clausewatch.models", "clausewatch.errors", "clausewatch.dates", "clausewatch.slugs"}
LAYERS = {  # module → the archive modules it may import
    "__init__": set(),
    "git": set(),
    "message": set(),
    "read": {"git", "message"},
    "write": {"git", "message", "read"},
    "sources": {"git", "read"},
    "integrity": {"git", "message", "write"},
}


def imports_of(path: Path) -> set[str]:
    """Every module `path` imports, at the top or inside functions (`from X import Y` gives X and X.Y)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def test_every_archive_module_is_in_a_layer() -> None:
    assert {path.stem for path in PACKAGE.glob("*.py")} == set(LAYERS)


def test_archive_modules_import_only_lower_layers_and_models_errors_dates_slugs() -> None:
    for name, allowed in LAYERS.items():
        ours = {module for module in imports_of(PACKAGE / f"{name}.py") if module.startswith("clausewatch")}
        archive = {module.split(".")[2] for module in ours if module.startswith("clausewatch.archive.")}
        outside = {module for module in ours if not module.startswith("clausewatch.archive")
                   and not any(module == ok or module.startswith(f"{ok}.") for ok in ALLOWED_OUTSIDE)}
        assert archive <= allowed, f"archive/{name}.py imports {sorted(archive - allowed)}"
        assert not outside, f"archive/{name}.py imports {sorted(outside)}"


def test_only_the_runner_starts_processes() -> None:
    for path in PACKAGE.glob("*.py"):
        if path.stem != "git":
            assert "subprocess" not in imports_of(path), f"{path.name} starts processes itself"
            assert "os.system" not in path.read_text(encoding="utf-8")
