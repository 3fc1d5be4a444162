"""Open Terms Archive declarations as they are: the current `terms` format and the older `documents`, every
terms shape, filters (built-in applied, JavaScript ones skipped with a warning), history files, the demo
collection, and `track` on a services/ folder of current-format OTA JSON against a real loopback server.

The hand-written fixtures here are ours; OTA's demo collection (AGPL-3.0) is read from ../shared/data/ and
never copied into the project.
"""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from faults import make_pdf

from clausewatch.archive.read import iter_versions, open_archive
from clausewatch.cli import cli
from clausewatch.commands.check import check_workspace
from clausewatch.importer.declarations import import_ota_declarations
from clausewatch.scraper.declarations import load_declarations, validate_declarations
from clausewatch.scraper.ota_declarations import declaration_at, load_ota_collection
from clausewatch.scraper.ota_filters import apply_filters, remove_query_params
from clausewatch.scraper.track import track_documents
from clausewatch.workspace import Workspace

DEMO = Path(__file__).resolve().parents[1] / "../shared/data/ota-demo-declarations/declarations"

SHAPES = {
    "name": "Example Cloud",
    "importedFrom": "https://github.com/example/declarations/blob/main/declarations/Example.json",
    "terms": {
        "Terms of Service": {"fetch": "https://example.org/terms", "select": "main"},
        "Privacy Policy": {"fetch": "https://example.org/privacy",
                           "select": {"startBefore": "h1", "endBefore": "#toc"},
                           "remove": ["nav", {"startAfter": "#ad-start", "endBefore": "#ad-end"}]},
        "Cookie Policy": {"fetch": "https://example.org/cookies",
                          "select": ["#a", {"startAfter": "h2", "endAfter": "footer"}],
                          "executeClientScripts": True},
        "Community Guidelines": {"fetch": "https://example.org/rules.pdf"},
        "Developer Terms": {"combine": [{"fetch": "https://example.org/dev/1"},
                                        {"fetch": "https://example.org/dev/2", "select": "article",
                                         "filter": ["keepOnlyText"]}],
                            "select": "main", "remove": ".ad", "filter": ["removeQueryParams"]},
        "Seller Policy": {"fetch": "https://example.org/sellers", "select": "main",
                          "filter": ["removeShareButtons", {"removeQueryParams": ["lang", "v"]},
                                     {"convertRelativeDates": {"format": "YYYY"}}]},
    },
}


def write(folder: Path, name: str, data: object) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, indent=2), encoding="utf-8")
    return path


def by_name(documents: list) -> dict:
    return {d.document_name: d for d in documents}


def test_every_terms_shape_of_the_current_format_loads(tmp_path: Path) -> None:
    write(tmp_path, "Example Cloud.json", SHAPES)
    docs = by_name(load_declarations(tmp_path))
    assert sorted(d.document for d in docs.values()) == [
        "community-guidelines", "cookie-policy", "developer-terms", "privacy-policy", "seller-policy",
        "terms-of-service"]
    terms = docs["Terms of Service"]
    assert (terms.service, terms.service_name, terms.select) == ("example-cloud", "Example Cloud", ("main",))
    assert terms.declared_at == "terms.Terms of Service" and terms.source_file.endswith("Example Cloud.json")
    privacy = docs["Privacy Policy"]
    assert [json.loads(s) for s in privacy.select] == [{"startBefore": "h1", "endBefore": "#toc"}]
    assert privacy.remove[0] == "nav" and json.loads(privacy.remove[1])["startAfter"] == "#ad-start"
    cookies = docs["Cookie Policy"]
    assert cookies.select[0] == "#a" and json.loads(cookies.select[1]) == {"startAfter": "h2", "endAfter": "footer"}
    assert cookies.executable is True
    pdf = docs["Community Guidelines"]
    assert pdf.url.endswith("rules.pdf") and pdf.select == ()
    dev = docs["Developer Terms"]
    assert [(s.url, s.select, s.remove) for s in dev.sources] == [
        ("https://example.org/dev/1", ("main",), (".ad",)), ("https://example.org/dev/2", ("article",), (".ad",))]
    assert dev.sources[0].filters == ('{"removeQueryParams": null}',), "a page inherits the terms' filters"
    assert dev.sources[1].filters == (), "a page's own `filter` replaces the inherited ones"
    assert dev.skipped_filters == ("keepOnlyText",)
    seller = docs["Seller Policy"]
    assert seller.filters == ('{"removeQueryParams": ["lang", "v"]}',)
    assert seller.skipped_filters == ("removeShareButtons", "convertRelativeDates")


def test_the_older_documents_format_still_loads_and_hashes_like_the_new_one(tmp_path: Path) -> None:
    decl = {"fetch": "https://example.org/terms", "select": "main"}
    write(tmp_path / "new", "Example.json", {"name": "Example", "terms": {"Terms of Service": decl}})
    write(tmp_path / "old", "Example.json", {"name": "Example", "documents": {"Terms of Service": decl}})
    [new] = load_declarations(tmp_path / "new")
    [old] = load_declarations(tmp_path / "old")
    assert (new.key, new.url, new.select) == (old.key, old.url, old.select) == (
        "example/terms-of-service", "https://example.org/terms", ("main",))
    assert new.declaration_sha256 == old.declaration_sha256
    assert old.declared_at == "documents.Terms of Service"


def test_javascript_filters_are_warnings_naming_the_filter_and_check_lists_them(tmp_path: Path) -> None:
    (tmp_path / "archive").mkdir()
    write(tmp_path / "services", "Example Cloud.json", SHAPES)
    documents, errors = validate_declarations(tmp_path / "services")
    assert errors == [] and len(documents) == 6
    result = check_workspace(Workspace(tmp_path))
    assert result.errors == []
    filters = [w for w in result.warnings if "JavaScript filter" in w]
    assert len(filters) == 3
    assert any(w.startswith("services/Example Cloud.json: terms.Seller Policy.filter: JavaScript filter "
                            "'removeShareButtons' (from Example Cloud.filters.js) cannot run here") for w in filters)
    assert not any("Community Guidelines.select" in w for w in result.warnings), "a PDF has nothing to select"


def test_remove_query_params_filter_rewrites_link_and_image_urls() -> None:
    text = ("[a](https://x.example/p?lang=fr&id=7&v=2#s) ![i](https://x.example/i.png?v=3) "
            "<https://x.example/q?utm_source=mail&fbclid=1> [b](https://x.example/b?id=1)")
    assert remove_query_params(text, frozenset({"lang", "v"})) == (
        "[a](https://x.example/p?id=7#s) ![i](https://x.example/i.png) "
        "<https://x.example/q?utm_source=mail&fbclid=1> [b](https://x.example/b?id=1)")
    assert remove_query_params(text) == text.replace("?utm_source=mail&fbclid=1", "")
    assert apply_filters(text, ['{"removeQueryParams": ["id"]}']) == text.replace("id=7&", "").replace("?id=1", "")


def test_history_files_give_the_declaration_in_force_at_a_date(tmp_path: Path) -> None:
    write(tmp_path, "Example.json", {"name": "Example", "terms": {
        "Privacy Policy": {"fetch": "https://example.org/en/privacy", "select": ".text"}}})
    write(tmp_path, "Example.history.json", {"Privacy Policy": [
        {"fetch": "https://example.org/privacy", "select": ".text", "validUntil": "2024-04-19T12:30:11Z"},
        {"fetch": "https://old.example.org/privacy", "select": {"startBefore": "h1", "endBefore": "footer"},
         "remove": "nav", "validUntil": "2024-03-18T18:30:09Z"},
    ]})
    services, errors = load_ota_collection(tmp_path)
    assert errors == []
    example = services["Example"]
    assert [e.valid_until.day for e in example.history["Privacy Policy"]] == [18, 19], "sorted oldest first"
    at = example.declaration_at
    assert at("Privacy Policy", datetime(2023, 1, 1, tzinfo=UTC)).url == "https://old.example.org/privacy"
    assert at("Privacy Policy", datetime(2024, 3, 18, 18, 30, 9, tzinfo=UTC)).url == "https://old.example.org/privacy"
    assert at("Privacy Policy", datetime(2024, 3, 18, 18, 30, 10, tzinfo=UTC)).url == "https://example.org/privacy"
    assert at("Privacy Policy", datetime(2025, 1, 1, tzinfo=UTC)).url == "https://example.org/en/privacy"
    assert at("Terms of Service", datetime(2025, 1, 1, tzinfo=UTC)) is None
    assert declaration_at(None, (), datetime(2025, 1, 1, tzinfo=UTC)) is None


def test_a_bad_history_file_is_an_error_naming_file_key_and_fix(tmp_path: Path) -> None:
    (tmp_path / "archive").mkdir()
    write(tmp_path / "services", "Example.json", {"name": "Example", "terms": {
        "Privacy Policy": {"fetch": "https://example.org/privacy"}}})
    write(tmp_path / "services", "Example.history.json", {"Privacy Policy": [
        {"fetch": "https://example.org/old", "validUntil": "last spring"}, {"fetch": "ftp://x"}]})
    errors = check_workspace(Workspace(tmp_path)).errors
    assert errors == [
        "services/Example.history.json: Privacy Policy[0].validUntil: 'last spring' is not an ISO 8601 date — "
        'write e.g. "2024-03-18T18:30:09Z"',
        "services/Example.history.json: Privacy Policy[1].validUntil: is missing — give the date it was valid "
        'until, e.g. "2024-03-18T18:30:09Z"',
        "services/Example.history.json: Privacy Policy[1].fetch: 'ftp://x' is not an http(s) URL — use a full "
        "URL such as https://example.com/terms",
    ]


def test_import_ota_declarations_keeps_the_format_warns_for_filters_and_copies_history(tmp_path: Path) -> None:
    source = tmp_path / "declarations"
    write(source, "Example Cloud.json", SHAPES)
    write(source, "Example Cloud.history.json", {"Terms of Service": [
        {"fetch": "https://example.org/old-terms", "select": "body", "validUntil": "2020-01-01T00:00:00Z"}]})
    write(source, "Broken.json", {"name": "Broken", "terms": {"Terms": {"fetch": "nope"}}})
    ws = tmp_path / "ws"
    (ws / "services").mkdir(parents=True)
    result = CliRunner().invoke(cli, ["--root", str(ws), "import", "ota-declarations", str(source)])
    assert result.exit_code == 1, "a document was left out"
    assert f"{source}/Broken.json: terms.Terms.fetch: 'nope' is not an http(s) URL" in result.stderr
    assert result.stderr.count("warning: ") == 3 and "'removeShareButtons'" in result.stderr
    written = json.loads((ws / "services/example-cloud.json").read_text(encoding="utf-8"))
    assert set(written) == {"name", "importedFrom", "terms"} and len(written["terms"]) == 6
    assert (ws / "services/example-cloud.history.json").is_file()
    assert len(load_declarations(ws / "services")) == 6


@pytest.mark.shared_data
def test_the_demo_collection_imports_every_service(tmp_path: Path) -> None:
    if not DEMO.is_dir():
        pytest.skip(f"OTA's demo declarations not found at {DEMO}")
    workspace = Workspace(tmp_path)
    (tmp_path / "services").mkdir()
    report = import_ota_declarations(workspace, DEMO)
    files = sorted(p.name for p in DEMO.glob("*.json") if not p.name.endswith(".history.json"))
    assert report.rejected == () and report.warnings == ()
    assert len([w for w in report.written if not w.endswith(".history.json")]) == len(files) == 7
    assert report.documents == sum(len(json.loads((DEMO / f).read_text(encoding="utf-8"))["terms"]) for f in files)
    assert check_workspace(workspace).errors == []
    services, errors = load_ota_collection(DEMO)
    assert errors == [] and set(services) == {p[: -len(".json")] for p in files}
    ota = services["Open Terms Archive"]
    assert ota.declaration_at("Privacy Policy", datetime(2024, 1, 1, tzinfo=UTC)).select == (
        ".TextContent_textContent__ToW2S",)
    assert ota.declaration_at("Privacy Policy", datetime(2024, 4, 1, tzinfo=UTC)).url == (
        "https://opentermsarchive.org/privacy-policy")
    assert ota.declaration_at("Privacy Policy", datetime(2025, 1, 1, tzinfo=UTC)).url == (
        "https://opentermsarchive.org/en/privacy-policy")


def test_track_runs_on_current_format_ota_json(tmp_path: Path, http_server) -> None:
    subprocess.run(["git", "init", "-q", "-b", "main", str(tmp_path)], check=True)
    (tmp_path / "archive").mkdir()
    url = http_server.url
    write(tmp_path / "services", "Example Cloud.json", {"name": "Example Cloud", "terms": {
        "Terms of Service": {"fetch": url("/terms"), "select": {"startBefore": "h1", "endBefore": "#end"},
                             "remove": ".ad", "filter": ["removeShareButtons", {"removeQueryParams": ["lang"]}]},
        "Developer Terms": {"combine": [{"fetch": url("/dev/1")}, {"fetch": url("/dev/2"), "select": "article"}],
                            "select": "main"},
        "Community Guidelines": {"fetch": url("/rules.pdf")},
    }})
    http_server.set("/terms", '<html><body><nav>Menu</nav><h1>Example Terms</h1><p class="ad">Buy now</p>'
                              '<p>1. Read the <a href="/help?lang=fr&amp;id=7">help</a> first.</p>'
                              '<p id="end">Footer</p></body></html>')
    http_server.set("/dev/1", "<html><body><main><h1>Developer Terms</h1><p>Use the API kindly.</p></main>"
                              "</body></html>")
    http_server.set("/dev/2", "<html><body><main>not this</main><article><p>Rate limits apply.</p></article>"
                              "</body></html>")
    http_server.set("/rules.pdf", make_pdf(["Community Guidelines", "Be kind to one another."]),
                    content_type="application/pdf")
    workspace = Workspace(tmp_path)
    report = track_documents(workspace, allow_private=True, progress=False)
    assert report.failed == ()
    archive = open_archive(workspace.archive)
    [terms] = list(iter_versions(archive, "example-cloud", "terms-of-service"))
    assert "Example Terms" in terms.text and "Menu" not in terms.text and "Footer" not in terms.text
    assert "Buy now" not in terms.text
    assert f"({url('/help')}?id=7)" in terms.text, "removeQueryParams dropped `lang`, kept `id`"
    [dev] = list(iter_versions(archive, "example-cloud", "developer-terms"))
    assert "Use the API kindly." in dev.text and "Rate limits apply." in dev.text and "not this" not in dev.text
    [pdf] = list(iter_versions(archive, "example-cloud", "community-guidelines"))
    assert "Be kind to one another." in pdf.text
