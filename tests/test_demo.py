"""The README's main command, end to end: five tracking rounds against a loopback server, a real site."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from clausewatch.cli import cli


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "demo-site"
    result = CliRunner().invoke(cli, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def _log(demo_dir: Path, key: str) -> list[dict]:
    result = CliRunner().invoke(cli, ["--root", str(demo_dir), "log", key, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["versions"]


def test_terms_history_has_the_expected_rounds(demo_dir: Path) -> None:
    versions = _log(demo_dir, "confero/terms-of-service")
    dates = [v["date"][:10] for v in reversed(versions)]
    # Round 4 (2023-09-01) only rotated tracking parameters: nothing may be recorded for it.
    assert dates == ["2023-01-15", "2023-03-31", "2023-08-07", "2023-10-16"]
    classes = [v["class"] for v in reversed(versions)]
    assert classes[:3] == ["first", "substantive", "substantive"]


def test_renumbering_alone_is_not_substantive(demo_dir: Path) -> None:
    versions = _log(demo_dir, "confero/privacy-policy")
    assert [v["class"] for v in reversed(versions)] == ["first", "cosmetic"]


def test_renumbered_terms_count_renumbered_clauses(demo_dir: Path) -> None:
    newest = _log(demo_dir, "confero/terms-of-service")[0]
    assert newest["summary"]["renumbered"] >= 10
    assert newest["summary"]["substantive"] >= 1  # the new Definitions section


def test_site_has_the_ai_licence_change_page(demo_dir: Path) -> None:
    page = demo_dir / "site" / "confero" / "terms-of-service" / "2023-03-31" / "index.html"
    html = page.read_text(encoding="utf-8")
    assert "machine learning" in html
    assert "A licence to train AI on your meetings" in html  # the commentary, rendered


def test_archive_is_consistent(demo_dir: Path) -> None:
    subprocess.run(["git", "-C", str(demo_dir), "fsck", "--strict"], check=True, capture_output=True)
    status = subprocess.run(["git", "-C", str(demo_dir), "status", "--porcelain", "--", "archive"],
                            check=True, capture_output=True, text=True)
    assert status.stdout == ""


def test_demo_refuses_a_folder_that_is_not_a_demo(tmp_path: Path) -> None:
    (tmp_path / "precious.txt").write_text("do not delete")
    result = CliRunner().invoke(cli, ["demo", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "is not a Clausewatch demo folder" in result.output
    assert (tmp_path / "precious.txt").exists()
