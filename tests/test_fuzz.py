"""The fault and fuzz suite (issue 15): whatever arrives in a declaration, a commentary file, an OTA file
name or a commit message, the answer is a value or a clear error, never a traceback.

Hypothesis feeds: YAML- and JSON-shaped text and random data to the declarations loader and to
`clausewatch check` (the real command line, real files); front matter and Markdown bodies to the
commentary parser, and bodies through the site's commentary rendering and the real Markdown engine;
names to the id rules and to the OTA importer's planning (distinct names stay distinct documents) and
to `import ota-declarations` (real files); and commit messages through git and back (`\\x1e`, line
breaks, Unicode separators). Example counts keep the whole file to seconds.
"""

from __future__ import annotations

import json
import re
import subprocess
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import markdown
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clausewatch.archive.message import compose_message, parse_trailers
from clausewatch.archive.sources import SourceChange, SourceCommit, iter_source_commits
from clausewatch.cli import cli
from clausewatch.commentary.anchor import Anchor
from clausewatch.commentary.parse import parse_commentary
from clausewatch.errors import ConfigError
from clausewatch.importer.declarations import import_ota_declarations
from clausewatch.importer.ota import plan_versions
from clausewatch.models import Commentary
from clausewatch.safe_load import load_json, load_yaml
from clausewatch.scraper.declarations import validate_declarations
from clausewatch.site.commentary_render import render_commentary
from clausewatch.slugs import MAX_ID_BYTES, fold_name, id_problem, name_id
from clausewatch.workspace import Workspace

FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                       HealthCheck.too_slow])
YAML_ALPHABET = st.sampled_from(list("abc01 :-[]{}&*!|>#'\"\n\t,?%@`\\.") + ["é", "日", "\u2028", "\x1b", "\x00"])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                    st.text(max_size=20))
DATA = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                      st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                    max_leaves=20)


def one_line_errors(errors: list[str]) -> None:
    for line in errors:
        assert "\n" not in line and len(line) < 2000, line


@settings(FUZZ, max_examples=150)
@given(text=st.text(YAML_ALPHABET, max_size=200))
def test_declaration_text_never_raises(tmp_path_factory, text: str) -> None:
    folder = tmp_path_factory.mktemp("services")
    (folder / "acme.yml").write_text(text, encoding="utf-8", errors="surrogatepass")
    (folder / "Zoom.json").write_text(text, encoding="utf-8", errors="surrogatepass")
    documents, errors = validate_declarations(folder)
    one_line_errors(errors)
    assert all(id_problem(d.service) is None and id_problem(d.document) is None for d in documents)


@settings(FUZZ, max_examples=100)
@given(data=DATA, documents=st.dictionaries(st.text(max_size=30), DATA, max_size=3))
def test_declaration_data_never_raises(tmp_path_factory, data, documents) -> None:
    folder = tmp_path_factory.mktemp("services")
    shaped = {"name": data, "documents": documents}
    (folder / "acme.yml").write_text(yaml.safe_dump(shaped, allow_unicode=True), encoding="utf-8")
    (folder / "Acme Two.json").write_text(json.dumps(shaped), encoding="utf-8")
    documents_found, errors = validate_declarations(folder)
    one_line_errors(errors)
    assert all(id_problem(d.document) is None for d in documents_found)


@settings(FUZZ, max_examples=40)
@given(text=st.text(YAML_ALPHABET, max_size=120))
def test_check_never_answers_with_a_traceback(tmp_path_factory, text: str) -> None:
    root = tmp_path_factory.mktemp("ws")
    (root / "services").mkdir()
    (root / "services" / "acme.yml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["--root", str(root), "check"])
    assert result.exit_code in (0, 1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


@settings(FUZZ, max_examples=200)
@given(text=st.text(YAML_ALPHABET, max_size=300))
def test_the_untrusted_loaders_answer_data_or_a_one_line_error(text: str) -> None:
    for load in (load_yaml, load_json):
        try:
            load(text, max_bytes=10_000)
        except ConfigError as exc:
            assert "\n" not in exc.problem and len(exc.problem) < 600


FRONT_KEYS = st.sampled_from(["service", "document", "change", "clause", "title", "authors", "sources",
                              "status", "quote", "extra"])


@settings(FUZZ, max_examples=200)
@given(front=st.dictionaries(FRONT_KEYS, DATA, max_size=8), raw=st.text(YAML_ALPHABET, max_size=80),
       body=st.text(max_size=200), use_raw=st.booleans())
def test_commentary_files_never_raise(front, raw: str, body: str, use_raw: bool) -> None:
    matter = raw if use_raw else yaml.safe_dump(front, allow_unicode=True)
    item, errors = parse_commentary("commentary/acme/terms/2026-03-01.md", f"---\n{matter}\n---\n{body}")
    assert (item is None) == bool(errors)
    for line in errors:
        assert len(line) < 5000


class Live(HTMLParser):
    """What a browser would run or load in a fragment, and how many admonition boxes it has."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[tuple[str, ...]] = []
        self.boxes = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "iframe", "object", "embed", "img", "svg", "style", "form", "base"):
            self.problems.append(("tag", tag))
        for name, value in attrs:
            url = re.sub(r"[\s\x00-\x1f]", "", value or "").lower()
            if name.startswith("on") or name == "style" or (
                    name in ("href", "src") and url.startswith(("javascript:", "vbscript:", "data:"))):
                self.problems.append(("attribute", tag, name, value or ""))
            if tag == "div" and name == "class" and (value or "").split()[:1] == ["admonition"]:
                self.boxes += 1
CONTAINERS = st.sampled_from(["{}", "> {}", "- {}", "1. {}", "    {}", "> - > {}", "   {}"])
HOSTILE = st.sampled_from([
    "[x]: javascript:alert(1)", "[a][x]", "[b](javascript:alert(2))", "<script>alert(3)</script>",
    "<img src=x onerror=alert(4)>", "![i](data:text/html,x)", "{: onclick=\"alert(5)\" }", "&lt;script&gt;",
    "[c]: <javascript:alert(6)>", "<a href=\"javascript:alert(7)\">y</a>", "# heading", "!!! danger \"t\"",
])


@settings(FUZZ, max_examples=150)
@given(lines=st.lists(st.tuples(CONTAINERS, st.one_of(HOSTILE, st.text(max_size=30))), min_size=1, max_size=8),
       title=st.text(max_size=60))
def test_commentary_markdown_in_any_container_is_never_live(lines, title: str) -> None:
    body = "\n\n".join(container.format(text) for container, text in lines)
    note = Commentary(path="commentary/acme/terms/2026-03-01.md", service="acme", document="terms",
                      change="2026-03-01", title=title or "t", authors=("A",), body=body + "\n")
    rendered = render_commentary(note, Anchor(None, "change"))
    html = markdown.markdown(rendered, extensions=["admonition", "attr_list", "pymdownx.details"])
    live = Live()
    live.feed(html)
    assert live.problems == [], html
    assert live.boxes == 1, html


@given(name=st.text(min_size=0, max_size=300))
@settings(max_examples=300, deadline=None)
def test_every_name_gets_a_valid_short_stable_id(name: str) -> None:
    made = name_id(name)
    assert id_problem(made) is None and len(made.encode()) <= MAX_ID_BYTES and name_id(name) == made


NAMES = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00"), min_size=1,
                max_size=40).filter(lambda n: n.strip() not in ("", ".", ".."))


@given(pairs=st.lists(st.tuples(NAMES, NAMES), min_size=1, max_size=12))
@settings(max_examples=200, deadline=None)
def test_the_importer_never_merges_two_different_names(pairs) -> None:
    when = datetime(2024, 1, 1, tzinfo=UTC)
    commits = [SourceCommit(f"{n:040x}", when, "Record", (SourceChange("A", f"{s}/{d}.md", f"{n:040x}"),))
               for n, (s, d) in enumerate(pairs)]
    versions, _ = plan_versions(commits)
    by_key: dict[str, set[tuple[str, str]]] = {}
    for version in versions:
        service, document = version.key.split("/")
        assert id_problem(service) is None and id_problem(document) is None
        folded = tuple(fold_name(part) for part in version.path[: -len(".md")].split("/"))
        by_key.setdefault(version.key, set()).add(folded)  # type: ignore[arg-type]
    assert all(len(names) == 1 for names in by_key.values()), by_key


FILE_NAMES = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="/\\"),
                     min_size=1, max_size=60).filter(
    lambda n: n not in (".", "..") and not n.startswith(".") and len(f"{n}.json".encode()) <= 255)


@settings(FUZZ, max_examples=25)
@given(names=st.lists(FILE_NAMES, min_size=1, max_size=4, unique_by=lambda n: n))
def test_import_ota_declarations_with_any_file_names(tmp_path_factory, names: list[str]) -> None:
    source = tmp_path_factory.mktemp("declarations")
    for name in names:
        declaration = {"name": name, "documents": {name: {"fetch": "https://x.example/t", "select": "main"}}}
        (source / f"{name}.json").write_text(json.dumps(declaration), encoding="utf-8")
    root = tmp_path_factory.mktemp("ws")
    report = import_ota_declarations(Workspace(root), source)
    written = [Path(path).stem for path in report.written]
    assert all(id_problem(stem) is None for stem in written)
    assert len(written) == len(set(written))


MESSAGES = st.lists(st.sampled_from(list("ab \n\t:") + ["\x1e", "\x1f", "\x1c", "\u2028", "é", "Service: x"]),
                    min_size=1, max_size=30).map("".join)


@given(subject=MESSAGES, value=MESSAGES)
@settings(max_examples=200, deadline=None)
def test_a_message_never_gains_a_trailer_or_loses_its_subject(subject: str, value: str) -> None:
    message = compose_message(subject, {"Service": "acme", "Document-Name": value})
    trailers = parse_trailers(message)
    assert trailers["service"] == "acme" and "\n" not in trailers.get("document_name", "")
    assert set(trailers) <= {"service", "document_name"}


@settings(FUZZ, max_examples=15)
@given(messages=st.lists(MESSAGES.filter(lambda m: m.strip()), min_size=1, max_size=3))
def test_source_commit_messages_read_back_whatever_they_hold(tmp_path_factory, messages: list[str]) -> None:
    repo = tmp_path_factory.mktemp("source")
    run = lambda *args, data=None: subprocess.run(  # noqa: E731
        ["git", "-C", str(repo), *args], input=data, capture_output=True, check=True,
        env={"GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@b", "GIT_COMMITTER_NAME": "a",
             "GIT_COMMITTER_EMAIL": "a@b", "HOME": str(repo), "PATH": "/usr/bin:/bin"}).stdout.decode()
    run("init", "-q", "-b", "main")
    parent: list[str] = []
    for n, message in enumerate(messages):
        blob = run("hash-object", "-w", "--stdin", data=f"# Terms {n}\n".encode()).strip()
        inner = run("mktree", data=f"100644 blob {blob}\tT.md\n".encode()).strip()
        tree = run("mktree", data=f"040000 tree {inner}\tAcme\n".encode()).strip()
        commit = run("commit-tree", tree, *parent, data=message.encode()).strip()
        parent = ["-p", commit]
    run("update-ref", "refs/heads/main", parent[1])
    found = list(iter_source_commits(repo, "main"))
    assert len(found) == len(messages)
    assert [c.changes[0].path for c in found] == ["Acme/T.md"] * len(messages)
