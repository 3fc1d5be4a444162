"""The site build for real: generate → write → theme → `mkdocs build --strict` → nh3 → Pagefind.

One small workspace (tests/site_workspace.py) is built once per module, with a hostile document and a
hand-written page of raw HTML, and every test inspects that built site.
"""

from __future__ import annotations

import contextlib
import io
import re
import threading
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest
from site_workspace import add_hostile, make_workspace, new_workspace

from clausewatch.errors import BuildError
from clausewatch.site.build import SKELETON_DIR, build_site, run_mkdocs
from clausewatch.site.sanitize import sanitize_html, theme_script_hash
from clausewatch.site.serve import make_server
from clausewatch.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]
THEME_SCRIPT_FOLDERS = ("assets/javascripts/", "assets/clausewatch/", "pagefind/")
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
DANGEROUS_TAGS = {"iframe", "object", "embed", "style", "form", "base", "frame", "applet", "meta-refresh"}


class LiveHTML(HTMLParser):
    """Collects what a browser would run or load from a page: scripts, handlers, dangerous URLs/tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[tuple[str, ...]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._script: dict[str, str | None] | None = None
        self._code = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DANGEROUS_TAGS:
            self.problems.append(("tag", tag))
        for name, value in attrs:
            if name.startswith("on") or name in ("style", "srcdoc", "formaction"):
                self.problems.append(("attribute", tag, name))
            url = re.sub(r"[\s\x00-\x1f]", "", value or "").lower()
            if name in ("href", "src", "action", "data") and url.startswith(BAD_SCHEMES):
                self.problems.append(("url", tag, name, value or ""))
        if tag == "script":
            self._script, self._code = dict(attrs), ""

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._code += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, self._code))
            self._script = None


def live_problems(page: str) -> list[tuple[str, ...]]:
    """Everything live in `page` that is not the theme's own markup and scripts."""
    from clausewatch.site.sanitize import _THEME_INLINE_SCRIPTS

    parser = LiveHTML()
    parser.feed(page)
    problems = list(parser.problems)
    for attrs, code in parser.scripts:
        src = (attrs.get("src") or "").lstrip("./")
        if attrs.get("src") is not None:
            if not src.startswith(THEME_SCRIPT_FOLDERS) or ".." in src or code.strip():
                problems.append(("script-src", attrs.get("src") or ""))
        elif attrs.get("id") == "__config" and attrs.get("type") == "application/json":
            continue
        elif theme_script_hash(code) not in _THEME_INLINE_SCRIPTS:
            problems.append(("inline-script", code[:60]))
    return problems


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """(workspace root, built site, stderr of the build) for a workspace with hostile content."""
    root = tmp_path_factory.mktemp("site") / "ws"
    workspace = make_workspace(root)
    add_hostile(workspace)
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        site = build_site(workspace, root / "site", timings=True)
    return root, site, stderr.getvalue()


@pytest.fixture(scope="module")
def unsanitized(built) -> Path:
    """The same workspace built by MkDocs alone (no sanitizer), to compare with."""
    root, _site, _ = built
    run_mkdocs(Workspace(root), root / "unsanitized")
    return root / "unsanitized"


def test_build_produces_every_page_at_its_permanent_url(built) -> None:
    _root, site, _ = built
    for path in ["index.html", "acme/index.html", "acme/terms-of-service/index.html",
                 "acme/terms-of-service/2026-03-01/index.html", "acme/terms-of-service/2026-03-02/index.html",
                 "acme/privacy/index.html", "topics/index.html", "about/index.html", "permalinks/index.html"]:
        assert (site / path).is_file(), path
    assert not (site / "acme/terms-of-service/2026-03-03").exists()  # links-only: folded, no page
    assert (site / "pagefind" / "pagefind.js").is_file()
    assert not (site / "search" / "search_index.json").exists()  # Material's search plugin is off


def test_timings_name_every_step(built) -> None:
    _root, _site, stderr = built
    steps = [line.split()[0] for line in stderr.strip().splitlines()]
    assert steps == ["generate", "write", "theme", "mkdocs", "sanitize", "pagefind", "total"]
    assert "3 documents, 3 regenerated" in stderr
    assert re.search(r"mkdocs .* \d+ redirect pages", stderr)  # the URL registry step runs with MkDocs


def test_nav_lists_index_pages_only(built) -> None:
    _root, site, _ = built
    page = (site / "acme/terms-of-service/2026-03-02/index.html").read_text(encoding="utf-8")
    nav = page.split('md-nav--primary', 1)[1].split("</nav>", 1)[0]
    assert 'href="../../../topics/"' in nav
    assert "2026-03-01" not in nav and "terms-of-service" not in nav


def scripts_of(page: str) -> list[tuple[dict[str, str | None], str]]:
    parser = LiveHTML()
    parser.feed(page)
    return parser.scripts


def test_theme_scripts_and_markup_survive_sanitizing(built, unsanitized) -> None:
    _root, site, _ = built
    page = "acme/terms-of-service/index.html"
    before = (unsanitized / page).read_text(encoding="utf-8")
    after = (site / page).read_text(encoding="utf-8")
    assert scripts_of(after) == scripts_of(before)
    assert any((attrs.get("src") or "").endswith(".min.js") for attrs, _ in scripts_of(after))
    assert any(attrs.get("id") == "__config" for attrs, _ in scripts_of(after))
    assert 'class="md-header__button md-logo"' in after
    assert after.count("<svg") == before.count("<svg") > 0 and 'viewBox="0 0 24 24"' in after
    assert after.count("<input") == before.count("<input")
    assert after.count('id="') == before.count('id="')


def test_no_live_html_from_hostile_archive_text(built) -> None:
    _root, site, _ = built
    pages = sorted(p for p in site.rglob("*.html") if "pagefind" not in p.parts)
    assert len(pages) > 10
    for page in pages:
        assert live_problems(page.read_text(encoding="utf-8")) == [], page
    change = (site / "evil/terms/2026-03-02/index.html").read_text(encoding="utf-8")
    document = (site / "evil/terms/index.html").read_text(encoding="utf-8")
    assert "Terms &lt;script&gt;alert('t1')&lt;/script&gt;" in document  # shown as text
    assert "&lt;svg onload=alert('t9')&gt;" in change
    assert "{++critic++}" in change  # shown as text: critic is not enabled and the text is escaped
    # our own <ins> stays live; the scraped critic and <style> inside it are text, and a link to anything
    # but http(s) shows as its text only (archived Markdown keeps http(s) links alone)
    inserted = (r'<ins data-pagefind-weight="2">'
                r"[^<]*~~a~&gt;b~~[^<]*&lt;style&gt;[^<]*\[x\][^<]*</ins>")
    assert re.search(inserted, change)
    assert "alert('t10')" not in change


def test_missed_escapes_are_caught_by_the_sanitizer(built, unsanitized) -> None:
    _root, site, _ = built
    raw = (unsanitized / "raw/index.html").read_text(encoding="utf-8")
    assert len(live_problems(raw)) >= 8, "the raw page no longer tests anything"
    sanitized = (site / "raw/index.html").read_text(encoding="utf-8")
    assert live_problems(sanitized) == []
    assert "styled" in sanitized and "A paragraph with a handler." in sanitized
    content = sanitized.split('<article class="md-content__inner md-typeset">', 1)[1].rsplit("</article>", 1)[0]
    assert "clobbering the theme's ids" in content
    assert 'id="__' not in content and "data-md-" not in content
    assert sanitized.count('id="__config"') == 1 and sanitized.count('id="__drawer"') == 1


def test_sanitize_html_keeps_only_theme_scripts() -> None:
    page = (
        '<!doctype html><html lang="en" onload="x()"><head><title>T</title></head>'
        '<body dir="ltr" onclick="x()">'
        '<script src="assets/javascripts/bundle.js"></script>'
        '<script src="assets/javascripts/../../evil.js"></script>'
        '<script src="https://evil.example/a.js"></script>'
        "<script>alert(1)</script>"
        '<script id="__config" type="application/json">{"a": "</script><script>alert(2)</script>"}</script>'
        '<a href="javascript:alert(3)">x</a><p style="x" onmouseover="alert(4)">p</p></body></html>'
    )
    clean = sanitize_html(page)
    assert live_problems(clean) == []
    assert '<script src="assets/javascripts/bundle.js"></script>' in clean
    assert "alert(1)" not in clean and "evil" not in clean
    assert '<html lang="en">' in clean and '<body dir="ltr">' in clean


def test_a_broken_link_fails_the_strict_build(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    workspace = new_workspace(tmp_path / "ws")
    (workspace.docs / "notes.md").write_text("# Notes\n\nSee [a page](missing.md).\n", encoding="utf-8")
    with pytest.raises(BuildError, match="missing.md") as error:
        build_site(workspace, tmp_path / "site", timings=True)
    assert "To fix:" in str(error.value)
    steps = [line.split()[0] for line in capsys.readouterr().err.strip().splitlines()]
    assert steps == ["generate", "write", "theme", "mkdocs", "total"]  # the steps run, up to the failure


def test_the_top_level_site_is_the_skeleton() -> None:
    assert (ROOT / "mkdocs.yml").resolve() == (SKELETON_DIR / "mkdocs.yml").resolve()
    for page in (SKELETON_DIR / "docs").glob("*.md"):
        assert (ROOT / "docs" / page.name).resolve() == page.resolve()


def test_serve_answers_on_loopback(built) -> None:
    _root, site, _ = built
    server = make_server(site, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        assert host == "127.0.0.1"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/acme/", timeout=5) as response:
            assert b"Acme Cloud" in response.read()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_a_new_workspace_builds_out_of_the_box(tmp_path: Path) -> None:
    from clausewatch.commands.init import init_workspace

    root = init_workspace(tmp_path / "fresh")
    site = build_site(Workspace(root), tmp_path / "site")
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "No substantive change yet." in home
    assert (site / "about/index.html").is_file() and (site / "topics/index.html").is_file()
    assert live_problems(home) == []


def test_compact_whitespace_folds_blank_runs_but_not_inside_pre() -> None:
    from clausewatch.site.sanitize import compact_whitespace

    page = "<div>\n\n    <p>a  \n\n   b</p>\n  <pre class=x>one\n\n    two</pre>\n\n<textarea>\n\n t</textarea>\n"
    expected = "<div>\n<p>a\nb</p>\n<pre class=x>one\n\n    two</pre>\n<textarea>\n\n t</textarea>\n"
    assert compact_whitespace(page) == expected


def test_built_pages_have_no_blank_lines_outside_pre(built) -> None:
    _root, site, _ = built
    page = (site / "acme" / "terms-of-service" / "index.html").read_text(encoding="utf-8")
    outside = re.sub(r"<pre\b.*?</pre>", "", page, flags=re.DOTALL)
    assert "\n\n" not in outside and "\n  " not in outside


def test_many_pages_are_sanitized_in_worker_processes(tmp_path: Path) -> None:
    from clausewatch.site.build import SANITIZE_PARALLEL_MIN, sanitize_site

    site = tmp_path / "site"
    for k in range(SANITIZE_PARALLEL_MIN + 10):
        page = site / f"p{k}" / "index.html"
        page.parent.mkdir(parents=True)
        page.write_text(f"<html><body><p onclick='x()'>page {k}</p><script>alert({k})</script></body></html>",
                        encoding="utf-8")
    (site / "pagefind").mkdir()
    (site / "pagefind" / "x.html").write_text("<script>kept()</script>", encoding="utf-8")
    assert sanitize_site(site) == SANITIZE_PARALLEL_MIN + 10
    cleaned = (site / "p7" / "index.html").read_text(encoding="utf-8")
    assert "page 7" in cleaned and "onclick" not in cleaned and "alert" not in cleaned
    assert (site / "pagefind" / "x.html").read_text(encoding="utf-8") == "<script>kept()</script>"
