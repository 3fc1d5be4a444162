"""Golden files: compare a rendered text with `tests/golden/<name>`, or rewrite it on request.

Set `CLAUSEWATCH_REGEN_GOLDEN=1` to (re)write the golden files instead of comparing; review the
resulting `git diff` before committing. Without it, a missing golden file is a failure, never a pass.
"""

from __future__ import annotations

import os
from pathlib import Path

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"


def regenerating() -> bool:
    """True when the environment asks to rewrite golden files (`CLAUSEWATCH_REGEN_GOLDEN=1`)."""
    return os.environ.get("CLAUSEWATCH_REGEN_GOLDEN", "") == "1"


def assert_golden(name: str, text: str) -> None:
    """Assert `text` equals the golden file `tests/golden/<name>` (or write it when regenerating)."""
    path = (GOLDEN_DIR / name).resolve()
    if GOLDEN_DIR.resolve() not in path.parents:
        raise ValueError(f"golden name {name!r} escapes tests/golden/; use a relative path inside it")
    if regenerating():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    if not path.exists():
        raise AssertionError(
            f"golden file tests/golden/{name} is missing; run the test with CLAUSEWATCH_REGEN_GOLDEN=1 "
            "to create it, then review and commit it"
        )
    expected = path.read_text(encoding="utf-8")
    assert text == expected, (
        f"output differs from tests/golden/{name}; if the change is intended, rerun with "
        "CLAUSEWATCH_REGEN_GOLDEN=1 and review the git diff"
    )
