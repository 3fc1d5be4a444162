"""Commit messages: what `archive.message` writes, it reads back (pure), and git keeps it (real commits)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clausewatch.archive import message
from clausewatch.archive.read import iter_log, open_archive
from clausewatch.archive.write import NewVersion, init_repository, record_version, record_versions
from clausewatch.dates import iso_utc
from clausewatch.importer.ota import SourceVersion, format_import_message
from clausewatch.models import Provenance

WHEN = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
HOSTILE = [
    "Terms\nService: evil\nSource-URL: https://evil.example/",  # a line break would forge trailers
    "a\x1eb\x1fc\x1cd\x1de",  # the record and field separators `git log` output parsing relies on
    "line\r\nbreaks\u2028and\u2029separators\x85\x0b\x0c",
    "nul\x00inside",  # git cannot keep NUL in a message (fast-import keeps it, `git log` cuts there)
    "  padded   with\t\tspaces  ",
    "Ünïcödé 利用規約 — “quotes”: colons: everywhere",
    "long " * 20_000,
]


def tracked(names: dict[str, str], provenance: Provenance) -> dict[str, str]:
    """What `parse_trailers` must give back for a tracked version's message."""
    values = {
        "service": names.get("service", ""), "document": names.get("document", ""),
        "service_name": names.get("service_name", ""), "document_name": names.get("document_name", ""),
        "source_url": provenance.source_url, "fetched_at": iso_utc(provenance.fetched_at),
        "http_status": str(provenance.http_status), "snapshot_sha256": provenance.snapshot_sha256,
        "snapshot_path": provenance.snapshot_path, "declaration_sha256": provenance.declaration_sha256,
        "imported_from": provenance.imported_from,
    }
    return {key: message.one_line(value) for key, value in values.items() if value}


@pytest.mark.parametrize("value", HOSTILE)
def test_a_tracked_version_message_round_trips_hostile_values(value: str) -> None:
    names = {"service": "acme", "document": "terms", "service_name": value, "document_name": value}
    provenance = Provenance(f"https://acme.example/{value}", WHEN, 200, "a" * 64, declaration_sha256=value)
    subject = message.record_subject(value, value, first=True)

    text = message.format_message(subject, provenance, names)

    assert message.parse_trailers(text) == tracked(names, provenance)
    subject_line, blank, *trailer_lines = text.split("\n")
    assert subject_line == message.one_line(subject) and blank == "" and trailer_lines[-1] == ""
    assert len(trailer_lines) - 1 == len(tracked(names, provenance))
    assert not any(ch in text for ch in "\x00\x1c\x1d\x1e\x1f\r\x0b\x0c\x85\u2028\u2029")


@pytest.mark.parametrize("value", HOSTILE)
def test_an_imported_version_message_round_trips_hostile_values(value: str) -> None:
    version = SourceVersion(3, "c" * 40, WHEN, f"{value}/{value}.md", "b" * 40, "acme/terms", reextraction=True,
                            snapshots=(f"https://github.com/O/s/commit/{value}",))

    text = format_import_message(version, "OpenTermsArchive/contrib-versions", first=False)

    service_name, document_name = version.names
    assert message.parse_trailers(text) == {
        "service": "acme", "document": "terms",
        "service_name": message.one_line(service_name), "document_name": message.one_line(document_name),
        "imported_from": f"OpenTermsArchive/contrib-versions@{'c' * 40}",
        "imported_path": message.one_line(version.path),
        "imported_snapshot": message.one_line(version.snapshots[0]),
        "re_extraction": "yes",
    }
    assert text.startswith("Record re-extracted text of ")


@settings(max_examples=200, deadline=None)
@given(owner=st.text(), title=st.text(), values=st.dictionaries(st.sampled_from(sorted(message.TRAILERS)), st.text()))
def test_any_trailers_round_trip(owner: str, title: str, values: dict[str, str]) -> None:
    text = message.compose_message(message.record_subject(owner, title, first=False), values)

    expected = {message.TRAILERS[name]: message.one_line(value) for name, value in values.items() if value}
    assert message.parse_trailers(text) == expected


def test_trailers_are_written_in_one_order_and_unknown_names_are_refused() -> None:
    text = message.compose_message("s", {message.RE_EXTRACTION: "yes", message.SERVICE: "acme", message.DOCUMENT: ""})
    assert text == "s\n\nService: acme\nRe-Extraction: yes\n"
    with pytest.raises(ValueError, match="Servise"):
        message.compose_message("s", {"Servise": "acme"})


def test_imported_from_and_unknown_sources() -> None:
    value = message.imported_from("OpenTermsArchive/contrib-versions", "c" * 40)
    assert message.split_imported_from(value) == ("OpenTermsArchive/contrib-versions", "c" * 40)
    assert message.unknown_source("ota-contrib-versions.bundle") == "/ota-contrib-versions"
    assert message.unknown_source("my clone.git") == "/my-clone"
    assert message.unknown_source("..") == "/unknown"
    assert message.split_source("/contrib-versions") == (message.UNKNOWN_OWNER, "contrib-versions")
    assert message.split_source("Owner/Repo") == ("Owner", "Repo")


def test_git_keeps_hostile_messages_through_both_tracking_write_paths(tmp_path) -> None:
    init_repository(tmp_path)
    (tmp_path / "archive").mkdir()
    archive = open_archive(tmp_path / "archive")
    expected = []
    for number, value in enumerate(HOSTILE):
        names = {"service_name": value, "document_name": value}
        provenance = Provenance(f"https://acme.example/{value}", WHEN + timedelta(days=number), 200, "a" * 64,
                                declaration_sha256=value)
        record_version(archive, "acme", f"single-{number}", "text\n", provenance, snapshot=b"raw", names=names)
        snapshot_path = archive.snapshot_path_of("acme", f"single-{number}", "a" * 64)
        expected.append(tracked({"service": "acme", "document": f"single-{number}", **names},
                                replace(provenance, snapshot_path=snapshot_path)))
    batch = [NewVersion("beta", f"batch-{n}", "text\n", Provenance(f"https://b.example/{v}", WHEN, 200, "b" * 64),
                        names=(("service_name", v), ("document_name", v))) for n, v in enumerate(HOSTILE)]
    record_versions(archive, batch)
    expected += [tracked({"service": "beta", "document": v.document, **dict(v.names)}, v.provenance) for v in batch]

    assert [entry.trailers for entry in iter_log(archive)] == expected
