"""Declarations: our YAML and Open Terms Archive JSON, and every kind of error naming its file and key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clausewatch.cli import exit_code_of
from clausewatch.errors import ConfigError
from clausewatch.models import Source
from clausewatch.scraper.declarations import load_declarations, validate_declarations

SHARED = Path(__file__).resolve().parents[1] / "../shared/data/ota-demo-extraction"

ACME = """\
name: Acme Cloud
documents:
  terms-of-service:
    name: Terms of Service
    url: https://acme.example/terms
    select: [main, {startBefore: "#start", endAfter: ".end"}]
    remove: nav
    expect: [Acme Cloud]
  privacy-policy:
    url: http://acme.example/privacy
    executable: true
    robots: ignore
    reason: " required by law to be public "
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def errors_of(services: Path) -> tuple[str, ...]:
    with pytest.raises(ConfigError) as info:
        load_declarations(services)
    return info.value.errors


def test_yaml_declaration_is_read_with_ids_names_and_selectors(tmp_path: Path) -> None:
    write(tmp_path, "acme.yml", ACME)
    docs = load_declarations(tmp_path)
    assert [d.key for d in docs] == ["acme/privacy-policy", "acme/terms-of-service"]
    privacy, terms = docs
    assert terms.service_name == "Acme Cloud" and terms.document_name == "Terms of Service"
    assert privacy.document_name == "privacy-policy" and privacy.executable is True
    assert terms.select[0] == "main"
    assert json.loads(terms.select[1]) == {"startBefore": "#start", "endAfter": ".end"}
    assert terms.remove == ("nav",) and terms.expect == ("Acme Cloud",)
    assert terms.source_file == f"{tmp_path.name}/acme.yml"
    assert terms.sources == (Source("https://acme.example/terms", terms.select, ("nav",), False),)
    assert len(terms.declaration_sha256) == 64 and terms.declaration_sha256 != privacy.declaration_sha256
    assert terms.robots_ignore_reason == "" and privacy.robots_ignore_reason == "required by law to be public"


def test_declaration_hash_is_stable_and_follows_selector_changes(tmp_path: Path) -> None:
    write(tmp_path / "a", "acme.yml", ACME)
    write(tmp_path / "b", "acme.yml", ACME.replace("remove: nav", "remove: [nav]"))
    write(tmp_path / "c", "acme.yml", ACME.replace("remove: nav", "remove: footer"))
    hashes = [load_declarations(tmp_path / x)[1].declaration_sha256 for x in "abc"]
    assert hashes[0] == load_declarations(tmp_path / "a")[1].declaration_sha256
    assert hashes[0] != hashes[2] and hashes[1] != hashes[2]


def test_ota_declaration_is_accepted_as_it_is(tmp_path: Path) -> None:
    ota = {
        "name": "Zoom",
        "documents": {
            "Terms of Service": {"fetch": "https://zoom.example/terms", "select": ".terms",
                                 "remove": [".banner", {"startAfter": "h2", "endBefore": "h3"}],
                                 "executeClientScripts": True},
            "Privacy Policy": {"combine": [{"fetch": "https://zoom.example/p1"},
                                           {"fetch": "https://zoom.example/p2", "select": "article"}],
                               "select": "main"},
        },
    }
    write(tmp_path, "Zoom Video.json", json.dumps(ota))
    write(tmp_path, "Zoom Video.history.json", "this file is skipped, not parsed")
    privacy, terms = load_declarations(tmp_path)
    assert (terms.service, terms.document) == ("zoom-video", "terms-of-service")
    assert terms.service_name == "Zoom" and terms.document_name == "Terms of Service"
    assert terms.executable is True and terms.select == (".terms",)
    assert json.loads(terms.remove[1]) == {"startAfter": "h2", "endBefore": "h3"}
    assert privacy.url == "https://zoom.example/p1"
    assert [(s.url, s.select) for s in privacy.sources] == [
        ("https://zoom.example/p1", ("main",)), ("https://zoom.example/p2", ("article",))]


@pytest.mark.parametrize(
    ("name", "text", "key", "words"),
    [
        ("acme.yml", "name: [unclosed", "(syntax)", "not valid YAML"),
        ("Zoom.json", "{not json", "(syntax)", "not valid JSON"),
        ("acme.yml", "- a list", "(top level)", "expected a mapping"),
        ("acme.yml", "name: A\nowner: me\ndocuments: {t: {url: 'https://a.io'}}", "owner", "unknown key"),
        ("acme.yml", "documents: {t: {url: 'https://a.io', selector: main}}", "documents.t.selector",
         "unknown key"),
        ("acme.yml", "documents: {t: {url: 'ftp://a.io/t'}}", "documents.t.url", "not an http(s) URL"),
        ("acme.yml", "documents: {t: {select: main}}", "documents.t.url", "is missing"),
        ("acme.yml", "documents: {Terms: {url: 'https://a.io'}}", "documents.Terms", "not a valid document"),
        ("Acme.yml", "documents: {t: {url: 'https://a.io'}}", "(file name)", "not a valid service id"),
        ("topics.yml", "documents: {t: {url: 'https://a.io'}}", "(file name)", "reserved"),
        ("acme.yml", "documents: {t: {url: 'https://a.io', select: 'main >>> p'}}", "documents.t.select",
         "not a valid CSS selector"),
        ("acme.yml", "documents: {t: {url: 'https://a.io', select: {startBefore: h1}}}",
         "documents.t.select", "exactly one end key"),
        ("acme.yml", "documents: {t: {url: 'https://a.io', remove: [nav, 3]}}", "documents.t.remove[1]",
         "must be a CSS selector or a range"),
        ("acme.yml", "documents: {t: {url: 'https://a.io', executable: 'yes'}}", "documents.t.executable",
         "true or false"),
        ("acme.yml", "documents: {t: {url: 'https://a.io', expect: ['']}}", "documents.t.expect",
         "non-empty phrases"),
        ("acme.yml", "name: Acme\ndocuments: {}", "documents", "non-empty mapping"),
        ("acme.yml", "documents: {t: {url: 'https://a.io', robots: skip}}", "documents.t.robots",
         "must be `obey` or `ignore`"),
        ("acme.yml", "documents: {t: {url: 'https://a.io', robots: ignore}}", "documents.t.reason",
         "needs a written reason"),
        ("acme.yml", "documents: {t: {url: 'https://a.io', reason: because}}", "documents.t.reason",
         "only means something with `robots: ignore`"),
        ("Zoom.json", json.dumps({"name": "Z", "documents": {"Terms of Service": {"fetch": "https://z.example"},
                                                           "Terms of service": {"fetch": "https://z.example"}}}),
         "documents.Terms of service", "the same as another document's"),
        ("Zoom.json", json.dumps({"name": "Z", "terms": {"Terms of Service": {
            "fetch": "https://z.example", "filter": [{"removeQueryParams": "  "}]}}}),
         "terms.Terms of Service.filter[0].removeQueryParams", "must be a list of query parameter names"),
        ("Zoom.json", json.dumps({"name": "Z", "terms": {"Terms of Service": {
            "fetch": "https://z.example", "filter": [3]}}}),
         "terms.Terms of Service.filter[0]", "must be a filter name or an object"),
        ("Zoom.json", json.dumps({"name": "Z", "terms": {"T": {"fetch": "https://z.example"}},
                                  "documents": {"T": {"fetch": "https://z.example"}}}),
         "documents", "cannot be used together with `terms`"),
        ("Zoom.json", json.dumps({"name": "Z", "terms": {}}), "terms", "non-empty object of terms type"),
        ("Zoom.json", json.dumps({"name": "Z", "importedFrom": 7, "terms": {"T": {"fetch": "https://z.example"}}}),
         "importedFrom", "must be a non-empty string"),
        ("Zoom.json", json.dumps({"name": "Z", "terms": {"T": {"fetch": "https://z.example",
                                                              "validUntil": "2024-01-01T00:00:00Z"}}}),
         "terms.T.validUntil", "unknown key"),
        ("Zoom.json", json.dumps({"name": "Z", "documents": {"Terms of Service": {
            "fetch": "https://z.example", "combine": [{"fetch": "https://z.example/2"}]}}}),
         "documents.Terms of Service.fetch", "cannot be used together with `combine`"),
        ("Zoom.json", json.dumps({"name": "Z", "documents": {"Terms of Service": {
            "combine": [{"fetch": "https://z.example/2", "executeClientScripts": 1}]}}}),
         "documents.Terms of Service.combine[0].executeClientScripts", "true or false"),
    ],
)
def test_each_error_names_file_and_key(tmp_path: Path, name: str, text: str, key: str, words: str) -> None:
    write(tmp_path, name, text)
    errors = errors_of(tmp_path)
    assert len(errors) == 1, errors
    file, found_key, rest = errors[0].split(": ", 2)
    assert file == f"{tmp_path.name}/{name}"
    assert found_key == key
    assert words in rest and " — " in rest, "every error says the problem and the fix"


def test_all_errors_of_all_files_come_in_one_config_error(tmp_path: Path) -> None:
    write(tmp_path, "acme.yml", "documents: {t: {url: 'gopher://x', bogus: 1, select: '::nope('}}")
    write(tmp_path, "Beta.json", json.dumps({"name": "B", "documents": {"Terms": {"fetch": "nope"}}}))
    with pytest.raises(ConfigError) as info:
        load_declarations(tmp_path)
    errors = info.value.errors
    assert len(errors) == 4
    assert sum(e.startswith(f"{tmp_path.name}/acme.yml: ") for e in errors) == 3
    assert any(e.startswith(f"{tmp_path.name}/Beta.json: documents.Terms.fetch: ") for e in errors)
    for line in errors:
        assert line in str(info.value), "the message itself lists every error"
    assert exit_code_of(info.value) == 2


def test_two_files_for_one_service_id_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "zoom.yml", "documents: {t: {url: 'https://z.example'}}")
    write(tmp_path, "Zoom.json", json.dumps({"name": "Zoom", "documents": {"T": {"fetch": "https://z.example"}}}))
    documents, errors = validate_declarations(tmp_path)
    assert [d.source_file for d in documents] == [f"{tmp_path.name}/Zoom.json"]
    assert errors == [f"{tmp_path.name}/zoom.yml: (file name): service id 'zoom' is also declared by "
                      f"{tmp_path.name}/Zoom.json — keep one declaration file per service"]


def test_missing_services_folder_is_an_error(tmp_path: Path) -> None:
    assert "does not exist" in errors_of(tmp_path / "services")[0]


@pytest.mark.shared_data
def test_real_ota_selectors_load(tmp_path: Path) -> None:
    if not SHARED.is_dir():
        pytest.skip(f"shared data not found at {SHARED}")
    documents = {}
    for case_file in sorted((SHARED / "cases").glob("*/case.json")):
        case = json.loads(case_file.read_text(encoding="utf-8"))
        decl = {"fetch": case["fetch_url"], "select": case["select"]}
        if case["remove"] is not None:
            decl["remove"] = case["remove"]
        documents[case["id"]] = decl
    write(tmp_path, "Real Cases.json", json.dumps({"name": "Real", "documents": documents}))
    loaded = load_declarations(tmp_path)
    assert len(loaded) == len(documents) > 40
    ranges = [d for d in loaded if any(s.startswith("{") for s in d.select)]
    assert ranges, "the corpus has range selectors; they must load"
