"""The GitHub workflows can be trusted with write access: pinned, least-privilege, audited by zizmor.

site.yml commits new versions to the archive and deploys the public site, so what it runs is part of
the archive's integrity. These tests hold every workflow to the rules in CONTRIBUTING.md ("Workflows"):
zizmor (pinned in the test extra) finds nothing of medium severity or above, and, read from the YAML
itself, every action is pinned to a commit SHA with its version in a comment, every job declares its
own permissions under a top-level `permissions: {}`, and no checkout leaves the token behind in a job
that does not push.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
GITHUB = ROOT / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.yml"))

# `owner/repo[/path]@<40 hex> # vX[.Y[.Z]]`, as Dependabot keeps it.
PINNED = re.compile(r"^(?P<action>[\w.-]+/[\w.-]+(?:/[\w./-]+)?)@(?P<sha>[0-9a-f]{40})"
                    r"\s+#\s+(?P<version>v\d+(?:\.\d+){0,2})$")
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<value>\S.*?)\s*$")
SEVERITY = {"Unknown": 0, "Informational": 1, "Low": 2, "Medium": 3, "High": 4}

# Every permission any job holds. A new job or a wider grant is a change to this table, so it is reviewed.
EXPECTED_PERMISSIONS = {
    ("pr.yml", "check-and-build"): {"contents": "read"},
    ("test.yml", "test"): {"contents": "read"},
    ("site.yml", "track"): {"contents": "write"},  # commits new versions and site-urls.txt
    ("site.yml", "deploy"): {"pages": "write", "id-token": "write"},  # actions/deploy-pages
}


def load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path
    return data


def jobs() -> list[tuple[str, str, dict]]:
    return [(path.name, name, job) for path in WORKFLOWS for name, job in load(path)["jobs"].items()]


def steps() -> list[tuple[str, str, dict, dict]]:
    return [(file, name, job, step) for file, name, job in jobs() for step in job.get("steps", [])]


def zizmor(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the zizmor that the test extra installed (next to this Python, or on PATH), offline."""
    beside = Path(sys.executable).parent / "zizmor"
    executable = str(beside) if beside.exists() else shutil.which("zizmor")
    assert executable, "zizmor is missing: it is in the test extra, run pip install -e '.[test]'"
    return subprocess.run([executable, "--offline", "--format", "json", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120, check=False)


def serious(findings: list[dict]) -> list[str]:
    return [f"{f['ident']} ({f['determinations']['severity']}): {f['locations'][0]['concrete']['feature']}"
            for f in findings if SEVERITY[f["determinations"]["severity"]] >= SEVERITY["Medium"]]


def test_the_three_workflows_are_the_ones_checked() -> None:
    assert [path.name for path in WORKFLOWS] == ["pr.yml", "site.yml", "test.yml"]
    assert {(file, name) for file, name, _ in jobs()} == set(EXPECTED_PERMISSIONS)


def test_zizmor_is_the_pinned_version() -> None:
    test_extra = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "optional-dependencies"]["test"]
    pins = [requirement for requirement in test_extra if requirement.startswith("zizmor")]
    assert pins == [f"zizmor=={version('zizmor')}"]


def test_zizmor_finds_nothing_of_medium_severity_or_above() -> None:
    result = zizmor("--min-severity", "medium", ".github/", cwd=ROOT)
    findings = json.loads(result.stdout)
    assert serious(findings) == [] and findings == [], result.stderr
    assert result.returncode == 0, result.stderr


def test_zizmor_here_catches_an_unpinned_action_and_an_injected_expression(tmp_path: Path) -> None:
    """The audit above can fail: the same run on a copy with two regressions reports both."""
    shutil.copytree(GITHUB, tmp_path / ".github")
    test_yml = tmp_path / ".github" / "workflows" / "test.yml"
    text, pins = re.subn(r"actions/checkout@[0-9a-f]{40} # v[\d.]+", "actions/checkout@v4",
                         test_yml.read_text(encoding="utf-8"))
    assert pins == 1
    text = text.replace("run: scripts/test -q", 'run: scripts/test -q -k "${{ github.event.pull_request.title }}"')
    test_yml.write_text(text, encoding="utf-8")
    result = zizmor("--min-severity", "medium", ".github/", cwd=tmp_path)
    found = serious(json.loads(result.stdout))
    assert any(line.startswith("unpinned-uses (High)") for line in found), found
    assert any(line.startswith("template-injection") for line in found), found
    assert result.returncode != 0


def test_every_action_is_pinned_to_a_commit_sha_with_its_version_in_a_comment() -> None:
    sha_of_repository: dict[str, set[tuple[str, str]]] = {}
    for path in WORKFLOWS:
        parsed = [job["uses"] for job in load(path)["jobs"].values() if "uses" in job]  # reusable workflows
        parsed += [step["uses"] for job in load(path)["jobs"].values() for step in job.get("steps", [])
                   if "uses" in step]
        lines = [m["value"] for line in path.read_text(encoding="utf-8").splitlines() if (m := USES_LINE.match(line))]
        # every `uses:` the YAML has is on a line of its own, where its comment can be read
        assert [line.split("#")[0].strip() for line in lines] == parsed, path.name
        for line in lines:
            pin = PINNED.match(line)
            assert pin, f"{path.name}: {line!r} is not `owner/repo@<40-hex sha> # vX.Y.Z`"
            repository = "/".join(pin["action"].split("/")[:2])
            sha_of_repository.setdefault(repository, set()).add((pin["sha"], pin["version"]))
    assert sha_of_repository, "no action found"
    # one commit, one version, per repository (actions/cache/restore and /save move together)
    assert {repo: len(pins) for repo, pins in sha_of_repository.items()} == dict.fromkeys(sha_of_repository, 1)


def test_nothing_by_default_and_each_job_holds_only_the_permissions_it_needs() -> None:
    for path in WORKFLOWS:
        assert load(path)["permissions"] == {}, path.name
    assert {(file, name): job.get("permissions") for file, name, job in jobs()} == EXPECTED_PERMISSIONS


def test_checkouts_keep_no_credentials_in_jobs_that_do_not_push() -> None:
    checkouts = [(file, name, job, step) for file, name, job, step in steps()
                 if step.get("uses", "").startswith("actions/checkout@")]
    assert len(checkouts) == 3
    for file, name, job, step in checkouts:
        if job.get("permissions", {}).get("contents") != "write":
            assert step.get("with", {}).get("persist-credentials") is False, (file, name)


def test_the_push_step_alone_holds_the_token() -> None:
    """Even the job that pushes keeps no credentials in .git/config; its push step gets the token."""
    (track_checkout,) = [step for file, name, _, step in steps()
                         if (file, name) == ("site.yml", "track") and "actions/checkout@" in step.get("uses", "")]
    assert track_checkout["with"]["persist-credentials"] is False
    holders = [(file, name, step.get("name")) for file, name, _, step in steps()
               if "github.token" in json.dumps(step) or "secrets." in json.dumps(step)]
    assert holders == [("site.yml", "track", "Commit the URL registry and push (rebased on whatever landed meanwhile)")]
    (push,) = [step for file, name, _, step in steps() if step.get("name") == holders[0][2]]
    assert push["env"] == {"GIT_TOKEN": "${{ github.token }}"}
    assert "credential.helper=!" in push["run"] and "x-access-token" in push["run"]
    assert "GIT_TOKEN" not in push["run"].split("credential.helper=!")[0]  # never on a command line itself
    for path in WORKFLOWS:  # no workflow reads a secret: Dependabot's pull requests (none given) run them all
        code = "\n".join(line for line in path.read_text(encoding="utf-8").splitlines()
                         if not line.lstrip().startswith("#"))
        assert "secrets." not in code, path.name


def test_no_expression_is_interpolated_into_a_shell_script() -> None:
    runs = [(file, name, step["run"]) for file, name, _, step in steps() if "run" in step]
    assert len(runs) > 10
    assert [(file, name, run) for file, name, run in runs if "${{" in run] == []  # untrusted text goes through env:


def test_dependabot_moves_the_pins_weekly_one_pull_request_per_ecosystem() -> None:
    config = load(GITHUB / "dependabot.yml")
    assert config["version"] == 2
    updates = {update["package-ecosystem"]: update for update in config["updates"]}
    assert set(updates) == {"github-actions", "pip"}
    for ecosystem, update in updates.items():
        assert update["directory"] == "/" and update["schedule"]["interval"] == "weekly", ecosystem
        assert [group["patterns"] for group in update["groups"].values()] == [["*"]], ecosystem
        assert update["cooldown"]["default-days"] >= 1, ecosystem


@pytest.mark.parametrize("flag", ["--offline", "--min-severity medium"])
def test_scripts_test_runs_zizmor_before_pytest(flag: str) -> None:
    lines = (ROOT / "scripts" / "test").read_text(encoding="utf-8").splitlines()
    (audit,) = [i for i, line in enumerate(lines) if line.startswith(".venv/bin/zizmor ")]
    (pytest_line,) = [i for i, line in enumerate(lines) if "-m pytest" in line]
    assert flag in lines[audit] and ".github/" in lines[audit] and audit < pytest_line
