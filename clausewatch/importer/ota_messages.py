"""What Open Terms Archive says about each version it recorded: the kind of its commit (from the subject),
the snapshots it names (its evidence), and the declaration that was in force when it was recorded.

Commit subjects, every form OTA has written (`ota_subject_kind`): "First record of" / "Start tracking"
(a first record), "Record new changes of" / "Update" (a change), "Apply technical or declaration upgrade
on" / "Refilter" (a re-extraction of an unchanged snapshot, never a change of the document by itself).
Snapshots (`snapshot_references`): a GitHub commit of the snapshots repository ("after extracting from
snapshot https://…"), the whole list of a combined document ("assembling the following snapshots from
N source documents: - https://… - https://…"), or, in 2020-2022, `mongo://…/<id>` and "with Mongo ID
<id>" (kept as `mongo:<id>`). Declarations: an OTA declarations folder with its history files
(`load_collection`, `declaration_in_force`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Literal

from clausewatch.errors import ConfigError
from clausewatch.models import Document
from clausewatch.scraper.ota_declarations import OtaService, load_ota_collection
from clausewatch.slugs import slugify

OtaSubject = Literal["first", "change", "re-extraction", "other"]

_SNAPSHOT_URL = re.compile(
    r"https://github\.com/[\w.-]+/[\w.-]+/commit/[0-9a-f]{7,40}|mongo://[\w./-]+/[0-9a-f]{24}\b"
    r"|(?<=Mongo ID)\s?[0-9a-f]{24}\b")
"""A snapshot OTA names in a version's message: a GitHub commit of its snapshots repository, or (2020-2022)
a `mongo://…/<id>` reference or `with Mongo ID <id>` (kept as `mongo:<id>`)."""

SUBJECT_KINDS: tuple[tuple[str, OtaSubject], ...] = (
    ("First record of ", "first"),
    ("Start tracking ", "first"),
    ("Record new changes of ", "change"),
    ("Update ", "change"),
    ("Apply technical or declaration upgrade on ", "re-extraction"),
    ("Refilter ", "re-extraction"),
)
"""Subject prefixes of OTA commits, current forms first, and what they record."""
REEXTRACTION_PREFIXES = tuple(prefix.strip() for prefix, kind in SUBJECT_KINDS if kind == "re-extraction")
"""Subjects of OTA commits that re-extract an unchanged snapshot (new selectors or extractor)."""
MAX_SNAPSHOTS = 64
"""Snapshot references kept per version (OTA's largest combined documents assemble 18 pages)."""


def ota_subject_kind(subject: str) -> OtaSubject:
    """What an OTA commit subject records: `first`, `change`, `re-extraction`, or `other` (README…)."""
    for prefix, kind in SUBJECT_KINDS:
        if subject.startswith(prefix):
            return kind
    return "other"


def snapshot_references(message: str) -> tuple[str, ...]:
    """Every snapshot an OTA commit message names, in order, each once (at most `MAX_SNAPSHOTS`)."""
    found = (ref.strip() for ref in _SNAPSHOT_URL.findall(message))
    refs = (ref if "://" in ref else f"mongo:{ref}" for ref in found)
    return tuple(dict.fromkeys(refs))[:MAX_SNAPSHOTS]


def load_collection(folder: Path) -> dict[str, OtaService]:
    """An OTA declarations folder (current and past declarations), or a ConfigError listing its problems."""
    if not folder.is_dir():
        raise ConfigError(f"declarations folder '{folder}' does not exist",
                          fix="pass the declarations/ folder of the OTA collection the versions come from")
    services, errors = load_ota_collection(folder)
    if errors:
        shown = "\n".join(f"  {line}" for line in errors)
        raise ConfigError(f"{len(errors)} error(s) in the declarations in '{folder}':\n{shown}",
                          fix="correct each file and key listed above, or import without --declarations",
                          errors=tuple(errors))
    if not services:
        raise ConfigError(f"'{folder}' holds no Open Terms Archive declaration (*.json)",
                          fix="pass the declarations/ folder of the OTA collection the versions come from")
    return services


def declaration_in_force(collection: Mapping[str, OtaService], service_name: str, terms_type: str,
                         when: datetime) -> Document | None:
    """The declaration of a document (as the versions repository names it: `Service/Terms type.md`) in force
    at `when`, if the collection has one (services by OTA name; else by slug)."""
    service = collection.get(service_name) or next(
        (s for name, s in collection.items() if slugify(name) == slugify(service_name)), None)
    return service.declaration_at(terms_type, when) if service is not None else None
