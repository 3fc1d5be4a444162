"""Hostile and broken input gets a clear error or the right behaviour, never a traceback (issue 15, items
5, 6 and 8). Real files, real git, a real loopback server, the real command line.

Loading (`clausewatch/safe_load.py`): a 468-byte YAML alias bomb in services/ or in a commentary's front
matter, 5,000 nested `[` in YAML, deep JSON, a date that does not exist, a symbolic link out of
services/. Commands: `diff` on binary files, `--timeout inf`, a damaged quarantine entry. The record and
the site: control characters, `|` in table cells, markdownify's escapes, a commentary title with line
breaks, and generated docs/ ignored by git in a workspace made by `init`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import LocalServer

from clausewatch.cli import cli
from clausewatch.commands.init import init_workspace
from clausewatch.scraper import quarantine

# `a` is 9 strings; each next level is 9 of the previous: 9**9 strings, about 4 GB once expanded
ALIAS_BOMB = """a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
documents: [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def invoke(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--root", str(root), *args])


def no_traceback(result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return init_workspace(tmp_path / "ws")


def test_an_alias_bomb_in_services_is_refused_at_once(root: Path) -> None:
    assert len(ALIAS_BOMB.encode()) < 600
    (root / "services" / "bomb.yml").write_text(ALIAS_BOMB, encoding="utf-8")
    began = time.monotonic()
    result = invoke(root, "check")
    assert time.monotonic() - began < 5
    no_traceback(result)
    assert result.exit_code == 1 and len(result.output) < 2000
    assert "services/bomb.yml: (syntax): is not valid YAML: uses an alias" in result.output
    assert "line 2" in result.output


def test_an_alias_bomb_in_a_commentary_is_refused_at_once(root: Path) -> None:
    note = root / "commentary" / "acme" / "terms" / "2026-03-01.md"
    note.parent.mkdir(parents=True)
    note.write_text("---\n" + ALIAS_BOMB.replace("documents:", "title:") + "---\n\nBody.\n", encoding="utf-8")
    began = time.monotonic()
    result = invoke(root, "check")
    assert time.monotonic() - began < 5
    no_traceback(result)
    assert result.exit_code == 1 and len(result.output) < 2000 and "uses an alias" in result.output


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("deep.yml", "documents: " + "[" * 5000, "more than 64 levels deep"),
    ("Deep.json", "[" * 5000 + "]" * 5000, "more than 64 levels deep"),
    ("Deep2.json", '{"documents": ' + '{"a": ' * 3000 + "1" + "}" * 3001, "more than 64 levels deep"),
    ("twice.yml", "documents:\n  terms:\n    url: https://a.example/\n    url: https://evil.example/\n",
     "the key 'url' is written twice"),
    ("huge.yml", "name: " + "1" * 5000 + "\n", "is not valid YAML"),
    ("nan.json", '{"name": NaN}', "NaN is not a JSON number"),
])
def test_nesting_and_odd_values_are_clear_errors(root: Path, name: str, text: str, expected: str) -> None:
    (root / "services" / name).write_text(text, encoding="utf-8")
    result = invoke(root, "check")
    no_traceback(result)
    assert result.exit_code == 1 and expected in result.output, result.output
    assert len(result.output) < 3000


def test_a_date_that_does_not_exist(root: Path) -> None:
    (root / "services" / "acme.yml").write_text(
        "name: 2026-02-30\ndocuments:\n  terms:\n    url: https://acme.example/t\n    expect: 2026-02-30\n",
        encoding="utf-8")
    note = root / "commentary" / "acme" / "terms" / "2026-02-28.md"
    note.parent.mkdir(parents=True)
    note.write_text("---\nservice: acme\ndocument: terms\nchange: 2026-02-30\ntitle: T\nauthors: [A]\n---\n\nB.\n",
                    encoding="utf-8")
    result = invoke(root, "check")
    no_traceback(result)
    assert "commentary/acme/terms/2026-02-28.md: change: '2026-02-30' is not a date that exists" in result.output
    errors = [line for line in result.output.splitlines() if not line.startswith("warning:")]
    assert not any("services/acme.yml" in line for line in errors)  # a name and a phrase that look like dates
    assert "2 error(s)." in result.output


def test_a_symbolic_link_in_services_is_not_followed(root: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.yml"
    secret.write_text("password: hunter2-not-a-declaration\n", encoding="utf-8")
    (root / "services" / "linked.yml").symlink_to(secret)
    result = invoke(root, "check")
    no_traceback(result)
    assert "services/linked.yml: (file): is a symbolic link" in result.output
    assert "hunter2" not in result.output


def test_diff_of_binary_files_is_a_clear_error(tmp_path: Path) -> None:
    old, new = tmp_path / "a.bin", tmp_path / "b.bin"
    old.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe")
    new.write_bytes(b"GIF89a\x00\x01\xff")
    result = CliRunner().invoke(cli, ["diff", str(old), str(new)])
    no_traceback(result)
    assert result.exit_code == 2 and "is not UTF-8 text" in result.output and "To fix:" in result.output
    text = tmp_path / "t.md"
    text.write_text("# Terms\n\nHello.\n", encoding="utf-8")
    nul = tmp_path / "nul.md"
    nul.write_bytes(b"# Terms\n\n\x00\x00\n")
    result = CliRunner().invoke(cli, ["diff", str(text), str(nul)])
    assert result.exit_code == 2 and "NUL" in result.output


@pytest.mark.parametrize("value", ["inf", "nan", "1e400", "-inf"])
def test_timeouts_that_are_not_numbers_of_seconds_are_refused(root: Path, value: str) -> None:
    for option in ("--timeout", "--host-delay"):
        result = invoke(root, "track", option, value)
        no_traceback(result)
        assert result.exit_code == 2 and f"Invalid value for '{option}'" in result.output


def test_a_damaged_quarantine_entry_is_listed_not_fatal(root: Path) -> None:
    held = root / ".clausewatch" / "quarantine" / "acme" / "terms" / "20260301T000000Z"
    held.mkdir(parents=True)
    (held / "text.md").write_text("# Terms\n", encoding="utf-8")
    (held / "provenance.json").write_text('{"source_url": "https://acme.example/t"}', encoding="utf-8")  # no time
    (held / "reason.json").write_text("{not json", encoding="utf-8")
    status = invoke(root, "status")
    no_traceback(status)
    assert status.exit_code == 1 and f"HELD    acme/terms [{quarantine.DAMAGED}]" in status.output
    release = invoke(root, "release", "acme/terms")
    no_traceback(release)
    assert release.exit_code == 2 and "--discard" in release.output
    build = invoke(root, "build")
    no_traceback(build)
    assert build.exit_code == 0, build.output
    assert "damaged" in (root / "site" / "status" / "index.html").read_text(encoding="utf-8")
    assert invoke(root, "release", "acme/terms", "--discard").exit_code == 0


# --- The record and the site ----------------------------------------------------------------------

PAGE_V1 = ("<html><body><main><h1>Fees\x1b]0;owned\x07</h1><p>The fee is 5 * 3 euros a month.\x00</p>"
           "<table><tr><th>Plan</th><th>Limit</th></tr><tr><td>Basic | Free</td><td>5 GB</td></tr></table>"
           "<p>You may cancel at any time.</p></main></body></html>")
PAGE_V2 = PAGE_V1.replace("You may cancel at any time.", "You may cancel at any time, by email.")
TITLE = 'Line one\n\n!!! danger "Injected box"\n    injected body\n\n# Heading'


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """A workspace made by `init`, one document tracked twice from a loopback server, a commentary whose
    title has line breaks, built into site/."""
    server = LocalServer()
    server.start()
    try:
        root = init_workspace(tmp_path_factory.mktemp("hostile") / "ws")
        (root / "services" / "acme.yml").write_text(f"documents:\n  fees:\n    url: {server.url('/fees')}\n"
                                                    "    select: main\n", encoding="utf-8")
        for page in (PAGE_V1, PAGE_V2):
            server.set("/fees", page.encode("utf-8"))
            run = invoke(root, "track", "--allow-private-addresses", "--host-delay", "0")
            assert run.exit_code == 0, run.output
            time.sleep(1.1)  # two observations, two seconds
        day = subprocess.run(["git", "-C", str(root), "log", "-1", "--format=%ad", "--date=short"],
                             capture_output=True, text=True, check=True).stdout.strip()
        note = root / "commentary" / "acme" / "fees" / f"{day}.md"
        note.parent.mkdir(parents=True)
        note.write_text("---\n" + json.dumps({"service": "acme", "document": "fees", "change": day, "title": TITLE,
                                              "authors": ["Ada"]}) + "\n---\n\nA note.\n", encoding="utf-8")
        result = invoke(root, "build")
        assert result.exit_code == 0, result.output
        yield root, root / "site"
    finally:
        server.stop()


def test_control_characters_never_reach_the_archive(built: tuple[Path, Path]) -> None:
    root, _ = built
    text = (root / "archive" / "acme" / "fees.md").read_text(encoding="utf-8")
    assert not any(ord(c) < 32 and c not in "\n\t" or 0x7f <= ord(c) <= 0x9f for c in text), repr(text)
    assert "Fees" in text and "owned" in text


def test_a_pipe_in_a_table_cell_stays_in_its_cell(built: tuple[Path, Path]) -> None:
    root, site = built
    assert "| Basic \\| Free | 5 GB |" in (root / "archive" / "acme" / "fees.md").read_text(encoding="utf-8")
    page = (site / "acme" / "fees" / "index.html").read_text(encoding="utf-8")
    assert "<tr><td>Basic | Free</td><td>5 GB</td></tr>" in page


def test_markdown_escapes_are_not_shown_on_the_document_page(built: tuple[Path, Path]) -> None:
    root, site = built
    assert "5 \\* 3" in (root / "archive" / "acme" / "fees.md").read_text(encoding="utf-8")  # Markdown, as recorded
    page = (site / "acme" / "fees" / "index.html").read_text(encoding="utf-8")
    assert "5 &#42; 3" in page or "5 * 3" in page
    assert "5 \\*" not in page and "5 \\&#42;" not in page


def test_a_commentary_title_with_line_breaks_stays_in_its_box(built: tuple[Path, Path]) -> None:
    _, site = built
    pages = [p.read_text(encoding="utf-8") for p in (site / "acme" / "fees").glob("20*/index.html")]
    page = next(p for p in pages if "Line one" in p)
    assert "Injected box" in page  # shown, as text of the title
    assert 'class="admonition danger"' not in page and "<h1>Heading" not in page
    title = page.split('class="admonition-title"', 1)[1].split("</p>", 1)[0]
    assert "Line one" in title and "Injected box" in title and "injected body" in title


def test_generated_pages_are_ignored_by_git_in_a_workspace_made_by_init(built: tuple[Path, Path]) -> None:
    root, _ = built
    status = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=all"],
                            capture_output=True, text=True, check=True).stdout.splitlines()
    assert [line for line in status if line[3:].startswith(("docs/", "site/", ".site"))] == []
    assert any(line[3:].startswith("commentary/") for line in status)  # real sources still show


def test_python_minus_m_clausewatch_never_prints_a_traceback_for_a_bad_root(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, "-m", "clausewatch", "--root", str(tmp_path / "none"), "build"],
                         capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"}, check=False)
    assert run.returncode in (2, 3, 5) and "Traceback" not in run.stderr and "To fix:" in run.stderr


@pytest.mark.parametrize("levels", [400, 20_000, 40_000])
def test_deeply_nested_elements_are_refused_quickly_naming_the_limit(tmp_path: Path, levels: int) -> None:
    page = tmp_path / "deep.html"
    page.write_text("<html><body>" + "<div>" * levels + "Terms" + "</div>" * levels + "</body></html>",
                    encoding="utf-8")
    began = time.monotonic()
    result = CliRunner().invoke(cli, ["extract", str(page)])
    assert time.monotonic() - began < 10
    no_traceback(result)
    assert result.exit_code == 4 and "more than 200 levels deep" in result.output and "To fix:" in result.output


def test_ordinary_deep_markup_still_converts() -> None:
    from clausewatch.scraper.extract import MAX_DEPTH, extract_markdown

    lists = "<ul><li>" * 60 + "Deep item" + "</li></ul>" * 60  # 120 levels of lists
    tables = "<table><tr><td>" * 20 + "Deep cell" + "</td></tr></table>" * 20  # tbody added: 80 levels
    assert MAX_DEPTH >= 200
    assert "Deep item" in extract_markdown(f"<html><body><main>{lists}</main></body></html>")
    assert "Deep cell" in extract_markdown(f"<html><body><main>{tables}</main></body></html>")
