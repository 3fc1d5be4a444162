"""The static data API: every JSON file validates against the documented schema; the dataset is complete."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import jsonschema
import pytest
from extras_fixtures import history

from clausewatch.site.data_api import DATASET, generate_data, load_schema

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    return generate_data(history())


def test_the_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(load_schema())


def test_every_json_file_validates_and_has_the_right_kind(files: dict[str, bytes]) -> None:
    validator = jsonschema.Draft202012Validator(load_schema())
    kinds = {}
    for path, data in files.items():
        if not path.endswith(".json") or path == "data/schema.json":
            continue
        value = json.loads(data)
        errors = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(value)]
        assert errors == [], (path, errors)
        kinds[path] = value["kind"]
    assert kinds["data/index.json"] == "index"
    assert kinds["data/acme/index.json"] == "service"
    assert kinds["data/acme/terms-of-service/index.json"] == "document"
    assert kinds["data/acme/terms-of-service/2026-03-01-2.json"] == "change"
    assert not any("/.json" in path or path.endswith("/None.json") for path in files)
    assert sorted(set(kinds.values())) == ["change", "document", "index", "service"]


def test_the_schema_rejects_what_it_should(files: dict[str, bytes]) -> None:
    validator = jsonschema.Draft202012Validator(load_schema())
    change = json.loads(files["data/acme/terms-of-service/2026-02-10.json"])
    assert validator.is_valid(change)
    no_topics = {k: v for k, v in change.items() if k != "topics"}
    for broken in ({**change, "class": "important"}, {**change, "commit": "xyz"},
                   {**change, "observed_at": "2026-02-10"}, no_topics):
        assert not validator.is_valid(broken)


def test_change_json_carries_versions_classes_topics_and_clause_ids(files: dict[str, bytes]) -> None:
    change = json.loads(files["data/acme/terms-of-service/2026-02-10.json"])
    assert change["class"] == "substantive"
    assert change["topics"] == ["ai-training", "content-licence"]
    assert change["previous_commit"] == f"{1:040x}" and change["commit"] == f"{2:040x}"
    assert change["path"] == "/acme/terms-of-service/2026-02-10/"
    assert change["changes"][0]["after"] == {"id": "licence-to-content", "number": "5.",
                                             "heading": "Licence to content",
                                             "text": "You grant us a perpetual licence to use your content for "
                                                     "machine learning and AI training."}
    # schema version 3: the words of both sides of a substantive change of one clause
    assert change["changes"][0]["before"]["text"] != change["changes"][0]["after"]["text"]
    assert "parts" not in change["changes"][0], "version 4: an empty list is left out"
    assert change["summary"]["renumbered"] == 3
    assert change["stated_date"] == {"kind": "updated", "date": "2026-01-01",
                                     "phrase": "Last updated: January 1, 2026"}
    doc = json.loads(files["data/acme/terms-of-service/index.json"])
    assert [v["class"] for v in doc["versions"]] == ["first", "substantive", "cosmetic", "blink",
                                                     "substantive", "substantive"]
    assert [v["data"] for v in doc["versions"]][2:] == [
        None, None, "/data/acme/terms-of-service/2026-03-01.json",
        "/data/acme/terms-of-service/2026-03-01-2.json"]
    for row in doc["versions"]:  # every link in the API points at a file the API ships
        assert row["data"] is None or row["data"].lstrip("/") in files
    assert files[doc["text"].lstrip("/")].decode() == history()[5].version.text
    service = json.loads(files["data/acme/index.json"])
    assert [d["document"] for d in service["documents"]] == ["privacy-policy", "terms-of-service"]
    assert [d["substantive_changes"] for d in service["documents"]] == [1, 3]


def test_clause_changes_leave_out_fields_that_hold_their_default(files: dict[str, bytes]) -> None:
    """Schema version 4: no null, false or empty field in a clause change or its sides (a third of the
    change records' bytes on the imported bundle); what is left says the same."""
    def defaults(item: dict) -> list[str]:
        found = [key for key, value in item.items() if value is None or value is False or value == []]
        for key in ("before", "after"):
            found += [f"{key}.{k}" for k, v in item.get(key, {}).items() if v is None]
        return found + [k for part in item.get("parts", ()) for k in defaults(part)]

    records = [json.loads(data) for name, data in files.items()
               if name.startswith("data/") and name.count("/") == 3 and name[-15:-5].count("-") == 2]
    items = [item for record in records for item in record["changes"]]
    assert len(items) >= 4
    assert [k for item in items for k in defaults(item)] == []
    added = next(item for item in items if item["kind"] == "added")
    assert "before" not in added and added["after"]["id"]


def test_dataset_holds_every_current_text_and_a_valid_manifest(files: dict[str, bytes]) -> None:
    with zipfile.ZipFile(io.BytesIO(files[DATASET])) as archive:
        names = sorted(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
        texts = {name: archive.read(name) for name in names if name.startswith("texts/")}
    assert names == ["NOTICE.txt", "manifest.json", "texts/acme/privacy-policy.md",
                     "texts/acme/terms-of-service.md", "texts/hostile/terms.md"]
    jsonschema.validate(manifest, load_schema())
    for row in manifest["documents"]:
        assert hashlib.sha256(texts[row["file"]]).hexdigest() == row["sha256"]
    current = {c.version.key: c.version for c in history()}  # the last one of each document wins
    assert texts["texts/acme/terms-of-service.md"].decode() == current["acme/terms-of-service"].text
    assert generate_data(history())[DATASET] == files[DATASET]  # reproducible bytes


def test_a_change_record_carries_texts_within_its_budget() -> None:
    """A rewrite of many long clauses keeps its record small: texts in document order up to
    TEXT_BUDGET characters, then null, and the record says it is not complete."""
    from dataclasses import replace

    from clausewatch.diff.compare import diff_texts
    from clausewatch.site.data_api import TEXT_BUDGET, change_json

    long = "word " * 700  # 3,500 characters a clause
    old = "\n\n".join(f"{k}. Old clause {k}: {long}" for k in range(1, 11))
    new = "\n\n".join(f"{k}. New wording {k}, entirely rewritten: {long.upper()}" for k in range(1, 11))
    change = history()[1]
    small = change_json(change)
    assert small["complete"] is True
    record = change_json(replace(change, diff=diff_texts(old, new)))
    items = [i for c in record["changes"] for i in (c, *c.get("parts", ()))]
    texts = [side["text"] for i in items for side in (i.get("before"), i.get("after")) if side and "text" in side]
    assert 0 < sum(map(len, texts)) <= TEXT_BUDGET and record["complete"] is False
    jsonschema.validate(record, load_schema())


def test_docs_data_page_documents_every_kind_and_field() -> None:
    page = (ROOT / "docs" / "data.md").read_text(encoding="utf-8")
    schema = load_schema()
    for kind in ("index", "service", "document", "change", "manifest", "clauses", "today"):
        assert f"`{kind}`" in page, kind
        for field in schema["$defs"][kind]["required"]:
            assert f"`{field}`" in page, (kind, field)


def test_a_section_of_thousands_of_parts_lists_the_first_hundred() -> None:
    """A page replaced by a whole site menu made one section of 3,647 parts (a 780 KB record): the record
    lists the first MAX_PARTS and says it is not complete."""
    from dataclasses import replace

    from clausewatch.diff.compare import diff_texts
    from clausewatch.site.data_api import MAX_PARTS, change_json

    kept = "# Site\n\n## Keep\n\nStay.\n"
    menu = kept + "\n## Menu\n\n" + "\n\n".join(f"### Item {k}\n\nLink number {k}." for k in range(MAX_PARTS))
    record = change_json(replace(history()[1], diff=diff_texts(menu, kept)))  # one section, 200 parts
    assert max(len(c["parts"]) for c in record["changes"]) == MAX_PARTS and record["complete"] is False
    jsonschema.validate(record, load_schema())
