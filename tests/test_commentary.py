"""Commentary: validation against a real git archive, re-anchoring, safe rendering."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import markdown
import pytest

from clausewatch.archive.read import iter_versions, open_archive
from clausewatch.archive.write import init_repository, record_version
from clausewatch.commentary.anchor import anchor_commentary
from clausewatch.commentary.check import change_slugs, check_commentary, resolve_change
from clausewatch.commentary.parse import load_commentary, parse_commentary
from clausewatch.diff.clauses import split_clauses
from clausewatch.models import Commentary, Provenance
from clausewatch.site.commentary_render import place_commentary, render_commentary
from clausewatch.site.escape import commentary_markdown as safe_markdown
from clausewatch.workspace import Workspace

V1 = """# Terms

## 1. Your content

You grant us a limited licence to host your content.

## 2. Disputes

Disputes go to the courts of Paris.
"""
V2 = V1.replace("a limited licence to host your content.",
                "a perpetual, irrevocable licence to host your content and to train machine learning models.")
V3 = """# Terms

## 1. Welcome

Hello and welcome to Acme.

## 2. Content you share

Subject to these terms, you grant us a perpetual, irrevocable licence to host your content and to train
machine learning models.

## 3. Disputes

Disputes go to the courts of Paris.
"""
CLAUSE_V2 = "you-grant-us-a-perpetual-irrevocable"
QUOTE = "perpetual, irrevocable licence to host your content"
DATES = [datetime(2026, 3, 1, 9, tzinfo=UTC), datetime(2026, 3, 10, 8, tzinfo=UTC),
         datetime(2026, 3, 10, 17, tzinfo=UTC)]


@pytest.fixture(scope="module")
def archive_ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """A workspace whose archive holds three versions of acme/terms (two on 2026-03-10)."""
    root = tmp_path_factory.mktemp("ws")
    init_repository(root)
    (root / "archive").mkdir()
    archive = open_archive(root / "archive")
    for text, when in zip((V1, V2, V3), DATES, strict=True):
        provenance = Provenance("https://acme.test/terms", when, 200, "0" * 64)
        record_version(archive, "acme", "terms", text, provenance)
    return Workspace(root)


@pytest.fixture
def ws(archive_ws: Workspace) -> Workspace:
    """The shared archive with an empty commentary/ folder for this test."""
    import shutil

    shutil.rmtree(archive_ws.commentary, ignore_errors=True)
    archive_ws.commentary.mkdir()
    return archive_ws


GOOD = {
    "service": "acme",
    "document": "terms",
    "change": "2026-03-10",
    "clause": CLAUSE_V2,
    "title": "Acme takes a perpetual licence for AI training",
    "authors": ["Ada Lovelace"],
    "sources": ["https://example.org/analysis"],
    "status": "published",
    "quote": QUOTE,
}


def front_matter(fields: dict[str, object]) -> str:
    import yaml

    return "---\n" + yaml.safe_dump(fields, sort_keys=False, allow_unicode=True) + "---\n"


def write(ws: Workspace, rel: str, fields: dict[str, object] | None = None, body: str = "It matters.\n",
          raw: str | None = None) -> str:
    path = ws.root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(raw if raw is not None else front_matter(fields or GOOD) + "\n" + body, encoding="utf-8")
    return rel


def only_error(ws: Workspace) -> str:
    errors, _ = check_commentary(ws)
    assert len(errors) == 1, errors
    return errors[0]


def test_valid_commentary_loads_and_checks_clean(ws: Workspace) -> None:
    rel = write(ws, "commentary/acme/terms/2026-03-10-ai.md")
    items, errors = load_commentary(ws)
    assert errors == []
    assert [(c.path, c.change, c.clause, c.authors) for c in items] == [
        (rel, "2026-03-10", CLAUSE_V2, ("Ada Lovelace",))]
    assert check_commentary(ws) == ([], [])


def test_unknown_key(ws: Workspace) -> None:
    rel = write(ws, "commentary/acme/terms/2026-03-10.md", {**GOOD, "autor": "x"})
    message = only_error(ws)
    assert message.startswith(f"{rel}: autor: unknown key. To fix: ")


def test_missing_authors(ws: Workspace) -> None:
    fields = {k: v for k, v in GOOD.items() if k != "authors"}
    rel = write(ws, "commentary/acme/terms/2026-03-10.md", fields)
    assert only_error(ws) .startswith(f"{rel}: authors: missing: commentary must be signed. To fix: ")


def test_bad_source_url(ws: Workspace) -> None:
    rel = write(ws, "commentary/acme/terms/2026-03-10.md",
                {**GOOD, "sources": ["https://ok.example/a", "javascript:alert(1)"]})
    assert only_error(ws) == (f"{rel}: sources[1]: 'javascript:alert(1)' is not an http(s) URL. "
                              "To fix: give the full address starting with https://")


def test_file_in_the_wrong_folder(ws: Workspace) -> None:
    rel = write(ws, "commentary/acme/privacy/2026-03-10.md")
    message = only_error(ws)
    assert message.startswith(f"{rel}: document: 'terms' does not match the folder 'privacy'. To fix: ")
    assert "commentary/acme/terms/" in message


def test_file_outside_service_document_folders(ws: Workspace) -> None:
    rel = write(ws, "commentary/acme/2026-03-10.md")
    assert only_error(ws).startswith(f"{rel}: path: is not in commentary/<service>/<document>/. To fix: ")


def test_change_that_does_not_exist(ws: Workspace) -> None:
    rel = write(ws, "commentary/acme/terms/2026-03-11.md", {**GOOD, "change": "2026-03-11"})
    message = only_error(ws)
    assert message.startswith(f"{rel}: change: no change '2026-03-11' of acme/terms. To fix: ")
    assert "2026-03-10-2" in message  # lists the real ones


def test_clause_that_does_not_exist_in_that_change(ws: Workspace) -> None:
    rel = write(ws, "commentary/acme/terms/2026-03-01.md", {**GOOD, "change": "2026-03-01"})
    message = only_error(ws)
    assert message.startswith(f"{rel}: clause: no clause '{CLAUSE_V2}' in change 2026-03-01 of acme/terms.")
    assert "To fix: use a clause id" in message


def test_document_never_recorded(ws: Workspace) -> None:
    rel = write(ws, "commentary/beta/terms/2026-03-10.md", {**GOOD, "service": "beta"})
    assert only_error(ws).startswith(f"{rel}: document: 'beta/terms' has no recorded version")


def test_missing_front_matter_and_bad_status(ws: Workspace) -> None:
    a = write(ws, "commentary/acme/terms/2026-03-10-a.md", raw="Just text, no front matter.\n")
    b = write(ws, "commentary/acme/terms/2026-03-10-b.md", {**GOOD, "status": "final"})
    errors, _ = check_commentary(ws)
    assert errors[0].startswith(f"{a}: front matter: missing")
    assert errors[1].startswith(f"{b}: status: 'final' is not draft or published. To fix: ")


def test_bad_file_name_and_change_mismatch(ws: Workspace) -> None:
    a = write(ws, "commentary/acme/terms/march.md")
    b = write(ws, "commentary/acme/terms/2026-03-01.md")
    errors, _ = check_commentary(ws)
    assert errors[0].startswith(f"{b}: change: '2026-03-10' does not match the file's date '2026-03-01'")
    assert errors[1].startswith(f"{a}: path: file name 'march.md' is not YYYY-MM-DD[-slug].md")


def test_missing_title_and_symlink(ws: Workspace, tmp_path: Path) -> None:
    fields = {k: v for k, v in GOOD.items() if k != "title"}
    a = write(ws, "commentary/acme/terms/2026-03-10.md", fields)
    outside = tmp_path / "secret.md"
    outside.write_text(front_matter(GOOD) + "x\n", encoding="utf-8")
    (ws.commentary / "acme" / "terms" / "2026-03-10-link.md").symlink_to(outside)
    errors, _ = check_commentary(ws)
    assert len(errors) == 2
    assert any(e.startswith(f"{a}: title: missing or empty. To fix: ") for e in errors)
    link = "commentary/acme/terms/2026-03-10-link.md"
    assert any(e.startswith(f"{link}: file: is a symbolic link") for e in errors)


def test_symlinked_folder_cannot_pull_files_from_outside(ws: Workspace, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "2026-03-10.md").write_text(front_matter(GOOD) + "x\n", encoding="utf-8")
    (ws.commentary / "acme").mkdir()
    (ws.commentary / "acme" / "terms").symlink_to(outside, target_is_directory=True)
    items, errors = load_commentary(ws)
    assert items == []
    assert errors == ["commentary/acme/terms: file: is a symbolic link (or inside one). "
                      "To fix: commit the file itself inside commentary/"]


def test_change_by_suffix_and_by_commit(ws: Workspace) -> None:
    versions = list(iter_versions(open_archive(ws.archive), "acme", "terms"))
    named = change_slugs(versions)
    assert [s for s, _ in named] == ["2026-03-01", "2026-03-10", "2026-03-10-2"]
    assert resolve_change(named, "2026-03-10-2") == (2, "2026-03-10-2")
    assert resolve_change(named, versions[1].commit[:8]) == (1, "2026-03-10")
    assert resolve_change(named, "2026-03-10-3") is None
    write(ws, "commentary/acme/terms/2026-03-10.md", {**GOOD, "change": versions[1].commit[:10]})
    assert check_commentary(ws) == ([], [])


def test_pages_are_named_like_the_site_names_them(tmp_path: Path) -> None:
    """A link-only recording earlier the same day gets no page: the substantive change is `2026-04-02`,
    as on the site, and commentary naming the link-only commit is refused."""
    from site_workspace import START, new_workspace, record

    from clausewatch.site.generate import generate_site

    ws = new_workspace(tmp_path)
    text = "# T\n\nSee [the policy](https://a.test/p).\n\nDisputes go to court.\n"
    commits = [record(ws, "acme/terms", t, START.replace(month=4, day=d, hour=h)) for t, d, h in (
        (text, 1, 9), (text.replace("/p", "/q"), 2, 9), (text.replace("/p", "/q").replace(
            "court", "binding arbitration"), 2, 17))]
    assert "acme/terms/2026-04-02/index.md" in generate_site(ws)
    named = change_slugs(list(iter_versions(open_archive(ws.archive), "acme", "terms")))
    assert [s for s, _ in named] == ["2026-04-01", "", "2026-04-02"]
    ws.commentary.mkdir()
    rel = write(ws, "commentary/acme/terms/2026-04-02.md",
                {**GOOD, "change": commits[1][:9], "clause": None, "quote": None})
    assert only_error(ws).startswith(f"{rel}: change: '{commits[1][:9]}' of acme/terms is not a substantive "
                                     "change")


HOSTILE_BODY = """Look <script>alert('xss')</script> here.

<img src=x onerror="alert(1)">

[click me](javascript:alert(document.cookie)) and [data](data:text/html;base64,PHNjcmlwdD4=)

{++critic insert++} and {--critic delete--}

![pixel](https://tracker.example/p.gif){ onclick="alert(2)" }

A paragraph with an attr list.
{: onclick="alert(3)" #arbitration }

[ref]: javascript:alert(4)

# A heading that would steal an anchor

A [real source](https://example.org/a?x=1&y=2) stays a link, **bold** stays bold.
"""


def hostile(**extra: object) -> Commentary:
    return Commentary(path="commentary/acme/terms/2026-03-10.md", service="acme", document="terms",
                      change="2026-03-10",
                      title='Evil "title" <img src=x onerror=alert(5)> [x](javascript:y)',
                      authors=("<b>Mallory</b>",), body=HOSTILE_BODY, clause=CLAUSE_V2,
                      sources=("https://example.org/(paren)",), **extra)  # type: ignore[arg-type]


def test_hostile_body_warns_for_every_kind(ws: Workspace) -> None:
    write(ws, "commentary/acme/terms/2026-03-10.md", body=HOSTILE_BODY)
    errors, warnings = check_commentary(ws)
    assert errors == []
    text = "\n".join(warnings)
    for needle in ("<script>", "raw HTML", "event-handler", "javascript:/data:", "critic", "attribute list"):
        assert needle in text
    assert all(w.startswith("commentary/acme/terms/2026-03-10.md: body: ") for w in warnings)


def site_html(md_text: str) -> str:
    """Python-Markdown with the extensions the site enables (see mkdocs-at-scale notes)."""
    return markdown.markdown(md_text, extensions=["admonition", "attr_list", "md_in_html", "toc",
                                                  "pymdownx.critic", "pymdownx.superfences"])


def test_hostile_commentary_renders_nothing_live() -> None:
    html = site_html(render_commentary(hostile(), anchor_commentary(hostile(), [], split_clauses(V2))))
    lowered = html.lower()
    assert "<script" not in lowered
    assert "<img" not in lowered
    attributes = _attributes(html)
    assert not [a for a in attributes if a.startswith("on")]
    assert not [a for a in attributes if "javascript:" in a or "data:" in a]
    assert "<ins" not in lowered and "<del" not in lowered
    assert 'id="arbitration"' not in html and "<h1" not in lowered
    assert '<a href="https://example.org/a?x=1&amp;y=2">real source</a>' in html
    assert "<strong>bold</strong>" in html
    assert 'class="admonition commentary"' in html


def _attributes(html: str) -> list[str]:
    """Every attribute of every tag in `html`, as lowercase `name=value` strings."""
    from html.parser import HTMLParser

    found: list[str] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.extend(f"{name}={value}".lower() for name, value in attrs)

    Collect().feed(html)
    return found


def test_setext_headings_do_not_become_headings() -> None:
    html = site_html(safe_markdown("Arbitration\n===========\n\nVenue\n-----\n\n- a list item\n"))
    assert "<h1" not in html and "<h2" not in html
    assert "<li>a list item</li>" in html


def test_safe_markdown_keeps_plain_markdown() -> None:
    text = "Some *emphasis*, a list:\n\n- one\n- two\n\n> a quote\n"
    html = site_html(safe_markdown(text))
    assert "<em>emphasis</em>" in html and "<li>two</li>" in html and "<blockquote>" in html


def commentary(clause: str | None, quote: str | None = None, **extra: object) -> Commentary:
    fields: dict[str, object] = {"path": "commentary/acme/terms/2026-03-10.md", "service": "acme",
                                 "document": "terms", "change": "2026-03-10", "title": "A note",
                                 "authors": ("Ada",), "body": "Important.\n", "clause": clause,
                                 "quote": quote}
    return Commentary(**{**fields, **extra})  # type: ignore[arg-type]


def test_anchor_by_id() -> None:
    anchor = anchor_commentary(commentary(CLAUSE_V2), split_clauses(V1), split_clauses(V2))
    assert (anchor.clause_id, anchor.how) == (CLAUSE_V2, "id")


def test_anchor_follows_a_renumbering_by_quote() -> None:
    after = split_clauses(V3)
    assert CLAUSE_V2 not in {c.id for c in after}  # the renumbered, reworded clause has a new id
    anchor = anchor_commentary(commentary(CLAUSE_V2, QUOTE), split_clauses(V2), after)
    target = next(c for c in after if c.id == anchor.clause_id)
    assert anchor.how == "quote"
    assert "perpetual, irrevocable licence" in target.text


def test_anchor_without_quote_follows_the_old_words() -> None:
    anchor = anchor_commentary(commentary(CLAUSE_V2), split_clauses(V2), split_clauses(V3))
    assert (anchor.clause_id, anchor.how) == ("subject-to-these-terms-you-grant", "quote")


def test_anchor_on_a_removed_clause_uses_the_old_id() -> None:
    emptied = split_clauses("# Terms\n\nNothing.\n")
    anchor = anchor_commentary(commentary(CLAUSE_V2), split_clauses(V2), emptied)
    assert (anchor.clause_id, anchor.how) == (CLAUSE_V2, "id")


def test_anchor_lost_is_reported_on_the_page() -> None:
    item = commentary(CLAUSE_V2, "a clause about something else entirely, never written")
    anchor = anchor_commentary(item, split_clauses(V1), split_clauses(V1))
    assert (anchor.clause_id, anchor.how) == (None, "lost")
    import html as html_module

    page = html_module.unescape(site_html(render_commentary(item, anchor)))
    assert "could not be found in this version" in page
    assert f"refers to clause {CLAUSE_V2}" in page


def test_place_commentary_on_its_change_page() -> None:
    items = [commentary(CLAUSE_V2), commentary(None), commentary("gone-clause"),
             commentary(CLAUSE_V2, status="draft"), commentary(CLAUSE_V2, change="2026-03-01")]
    by_clause, unanchored = place_commentary(items, "2026-03-10", "f" * 40, split_clauses(V1),
                                             split_clauses(V2))
    assert list(by_clause) == [CLAUSE_V2]
    assert len(by_clause[CLAUSE_V2]) == 1
    assert len(unanchored) == 2
    assert any("could not be found" in u for u in unanchored)


def test_parse_rejects_non_mapping_front_matter() -> None:
    item, errors = parse_commentary("commentary/acme/terms/2026-03-10.md", "---\n- a\n- b\n---\nbody\n")
    assert item is None
    assert errors == ["commentary/acme/terms/2026-03-10.md: front matter: must be a mapping of keys to "
                      "values. To fix: see CONTRIBUTING.md for the commentary format, or run "
                      "`clausewatch annotate`"]


# --- The built site: a hostile commentary file is never live (mkdocs build --strict, then nh3) ---------

CLAUSE_SITE = "you-grant-acme-a-perpetual-worldwide"
REPO_URL = "https://github.com/clausewatch/archive"


def commentary_site(root: Path) -> tuple[Workspace, Path]:
    """site_workspace's history (acme/terms-of-service, change 2026-03-02 adds an AI-training licence)
    with a hostile commentary on that clause, a lost one, and a repo_url; built into root/site."""
    from site_workspace import make_workspace

    from clausewatch.site.build import build_site

    ws = make_workspace(root)
    config = ws.mkdocs_yml.read_text(encoding="utf-8").replace("repo_url: !ENV", "# repo_url: !ENV")
    ws.mkdocs_yml.write_text(f"repo_url: {REPO_URL}\nedit_uri: edit/main/docs/\n" + config, encoding="utf-8")
    fields = {**GOOD, "document": "terms-of-service", "change": "2026-03-02", "clause": CLAUSE_SITE,
              "quote": "You grant Acme a perpetual, worldwide licence",
              "title": 'Hostile <img src=x onerror=alert("title")> title'}
    write(ws, "commentary/acme/terms-of-service/2026-03-02-ai.md", fields, body=HOSTILE_BODY)
    lost = {**fields, "clause": "a-clause-that-never-was", "quote": "words that appear nowhere at all",
            "title": "A note whose clause is gone"}
    write(ws, "commentary/acme/terms-of-service/2026-03-02-lost.md", lost, body="Still shown.\n")
    return ws, build_site(ws, root / "site")


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, Path]:
    return commentary_site(tmp_path_factory.mktemp("built"))


class Live(__import__("html.parser").parser.HTMLParser):
    """Everything in a page that could run: script tags, on* attributes, javascript:/data: URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_script = tag == "script"
        if tag in ("iframe", "object", "embed", "img") and any(v and "alert" in v for _, v in attrs):
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{tag} {name}")
            if name in ("href", "src", "action") and value and value.strip().lower().startswith(
                    ("javascript:", "data:", "vbscript:")):
                self.problems.append(f"{tag} {name}={value}")

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False


@pytest.mark.slow
def test_hostile_commentary_is_never_live_in_the_built_page(built_site: tuple[Workspace, Path]) -> None:
    _, site = built_site
    page = (site / "acme/terms-of-service/2026-03-02/index.html").read_text(encoding="utf-8")
    parser = Live()
    parser.feed(page)
    assert parser.problems == []
    assert not [s for s in parser.scripts if "alert" in s]
    assert 'id="arbitration"' not in page
    assert "critic insert" in page and "<ins>critic" not in page
    assert "&lt;script&gt;alert(" in page  # shown as text, so readers see what the author wrote
    assert 'class="admonition commentary"' in page


@pytest.mark.slow
def test_lost_commentary_is_shown_with_a_notice(built_site: tuple[Workspace, Path]) -> None:
    _, site = built_site
    page = (site / "acme/terms-of-service/2026-03-02/index.html").read_text(encoding="utf-8")
    assert "A note whose clause is gone" in page
    assert "could not be found in this version" in page


@pytest.mark.slow
def test_commentary_index_and_service_section(built_site: tuple[Workspace, Path]) -> None:
    _, site = built_site
    index = (site / "commentary/index.html").read_text(encoding="utf-8")
    assert "A note whose clause is gone" in index
    assert 'href="../acme/terms-of-service/2026-03-02/"' in index
    service = (site / "acme/index.html").read_text(encoding="utf-8")
    assert "A note whose clause is gone" in service and 'id="_commentary"' in service


@pytest.mark.slow
def test_topic_pages_and_methodology_are_built(built_site: tuple[Workspace, Path]) -> None:
    _, site = built_site
    topic = (site / "topics/ai-training/index.html").read_text(encoding="utf-8")
    assert '<mark class="cw-topic"' in topic
    assert 'href="../../acme/terms-of-service/2026-03-02/#you-grant-acme-a-perpetual-worldwide"' in topic
    methodology = (site / "methodology/index.html").read_text(encoding="utf-8")
    assert 'id="ai-training"' in methodology and "requires (each within" in methodology


def test_document_page_keeps_commentary_next_to_a_renumbered_reworded_clause(tmp_path: Path) -> None:
    """V2 adds the licence (commentary on it); V3 renumbers the sections and rewords the clause, so its
    id changes: the current text still shows the commentary after that clause, found by its words."""
    from site_workspace import START, new_workspace, record

    from clausewatch.site.generate import generate_site

    ws = new_workspace(tmp_path)
    for day, text in enumerate((V1, V2, V3)):
        record(ws, "acme/terms", text, START.replace(day=START.day + day))
    v2_day = START.replace(day=START.day + 1).date().isoformat()
    fields = {**GOOD, "change": v2_day, "quote": None}
    write(ws, f"commentary/acme/terms/{v2_day}.md", {k: v for k, v in fields.items() if v is not None})
    page = generate_site(ws)["acme/terms/index.md"]
    current = page.split("{ #_text }", 1)[1]
    new_id = "subject-to-these-terms-you-grant"
    note = current.index("*Commentary: [Acme takes a perpetual licence for AI training]")
    assert current.index(f'<p id="{new_id}">') < note < current.index("{ #disputes }")
    assert f"]({v2_day}/index.md)" in current[note:]
