"""Reading the archive: `latest_texts` reads many documents through one `git cat-file --batch`."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from clausewatch.archive.read import Archive, latest_text, latest_texts, open_archive
from clausewatch.archive.write import init_repository, record_version
from clausewatch.models import Provenance

WHEN = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def provenance(days: int) -> Provenance:
    return Provenance("https://acme.example/", WHEN + timedelta(days=days), 200, "a" * 64)


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    """acme/terms (two versions), acme/privacy, beta/terms (empty text), gamma/gone (recorded, then removed)."""
    init_repository(tmp_path)
    (tmp_path / "archive").mkdir()
    archive = open_archive(tmp_path / "archive")
    record_version(archive, "acme", "terms", "# Terms\n\nOne.\n", provenance(0), snapshot=b"<p>1</p>")
    record_version(archive, "acme", "privacy", "# Privacy\n\nÜnïcödé, 利用規約.\n", provenance(1))
    record_version(archive, "gamma", "gone", "# Gone\n", provenance(2))
    record_version(archive, "acme", "terms", "# Terms\n\nTwo.\n", provenance(3), snapshot=b"<p>2</p>")
    record_version(archive, "beta", "terms", "", provenance(4))
    subprocess.run(["git", "-C", str(tmp_path), "rm", "-q", "archive/gamma/gone.md"], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "-c", "user.name=T", "-c", "user.email=t@e", "commit", "-q",
                    "-m", "Remove gamma/gone"], check=True)
    return archive


KEYS = ["acme/terms", "acme/privacy", "beta/terms", "gamma/gone", "never/recorded", "acme/terms.md", "acme"]


def spawned(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The command line of every process started from now on."""
    calls: list[list[str]] = []
    real = subprocess.Popen

    def spy(args, *rest, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        calls.append(list(args))
        return real(args, *rest, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", spy)
    return calls


def test_latest_texts_equals_latest_text_per_document(archive: Archive) -> None:
    one_by_one = {key: latest_text(archive, *key.split("/", 1)) if "/" in key else None for key in KEYS}

    texts = latest_texts(archive, KEYS)

    assert texts == one_by_one
    assert texts["acme/terms"] == "# Terms\n\nTwo.\n" and texts["beta/terms"] == ""
    assert texts["acme/privacy"] == "# Privacy\n\nÜnïcödé, 利用規約.\n"
    assert texts["gamma/gone"] is None and texts["never/recorded"] is None and texts["acme"] is None


def test_latest_texts_starts_two_processes_however_many_documents(archive: Archive,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    calls = spawned(monkeypatch)

    latest_texts(archive, KEYS * 20)

    commands = [call[3] for call in calls]  # git -C REPO COMMAND ...
    assert commands == ["rev-parse", "cat-file"]


def test_latest_texts_of_an_empty_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    init_repository(tmp_path)
    archive = open_archive(tmp_path)
    calls = spawned(monkeypatch)

    assert latest_texts(archive, ["acme/terms", "beta/terms"]) == {"acme/terms": None, "beta/terms": None}
    assert latest_texts(archive, []) == {}
    assert [call[3] for call in calls] == ["rev-parse", "rev-parse"]


def test_every_git_process_gets_the_runner_environment(archive: Archive, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[dict[str, str]] = []
    real = subprocess.Popen

    def spy(args, *rest, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        seen.append(kwargs.get("env") or {})
        return real(args, *rest, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", spy)
    open_archive(archive.repo / "archive")
    latest_text(archive, "acme", "terms")
    latest_texts(archive, ["acme/terms"])
    record_version(archive, "acme", "terms", "# Terms\n\nThree.\n", provenance(9))

    assert seen and all(env.get("LC_ALL") == "C" and env.get("GIT_TERMINAL_PROMPT") == "0" for env in seen)
