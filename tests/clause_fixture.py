"""Clause-history fixtures (issue 16): a licence clause added, amended, renumbered and removed.

`LICENCE_HISTORY` is Acme's terms over five versions: the first record (no licence), "4. Licence to your
content" added, amended with a consent sentence, renumbered to 6 when two sections are inserted before
it, then removed. `record_three_services` writes them, and two other services' terms whose current text
keeps a content licence, into a real git archive (`record_version`), with a commentary on the amendment.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from clausewatch.archive.read import open_archive
from clausewatch.archive.write import init_repository, record_version
from clausewatch.models import Provenance
from clausewatch.site.build import SKELETON_DIR
from clausewatch.workspace import Workspace

HEAD = "# Acme Terms of Service\n\nLast updated: {updated}\n\n"
ACCOUNTS = "## 1. Accounts\n\nYou must keep your password secret.\n\n"
FEES = "## 2. Fees\n\nFees are charged every month in advance.\n\n"
DISPUTES = "## 3. Disputes\n\nDisputes are settled by the courts of your country.\n\n"
LICENCE = ("## {n}. Licence to your content\n\nYou grant Acme a worldwide licence to host, copy and display "
           "the content you upload, only to run the service.{consent}\n\n")
CONSENT = " We will ask for your consent before we use your content to train artificial intelligence models."
NEW = ("## 4. Security\n\nWe encrypt the content you upload while it is stored.\n\n"
       "## 5. Support\n\nSupport answers within two working days.\n\n")

DATES = ["2021-01-10", "2022-02-01", "2023-03-15", "2024-04-20", "2025-05-05"]
LICENCE_HISTORY = [
    HEAD.format(updated="January 10, 2021") + ACCOUNTS + FEES + DISPUTES,
    HEAD.format(updated="February 1, 2022") + ACCOUNTS + FEES + DISPUTES + LICENCE.format(n=4, consent=""),
    HEAD.format(updated="March 15, 2023") + ACCOUNTS + FEES + DISPUTES + LICENCE.format(n=4, consent=CONSENT),
    HEAD.format(updated="April 20, 2024") + ACCOUNTS + FEES + DISPUTES + NEW + LICENCE.format(n=6, consent=CONSENT),
    HEAD.format(updated="May 5, 2025") + ACCOUNTS + FEES.replace("every month", "every year")
    + DISPUTES + NEW,
]
"""Acme's terms, oldest first (observed on `DATES`)."""

LICENCE_ID = "licence-to-your-content"
AMENDED_PARAGRAPH = "you-grant-acme-a-worldwide-licence"

OTHERS = {
    "beta": ("Beta Video", [
        ("2020-06-01", "# Beta Terms\n\n## Your videos\n\nYou keep your videos.\n"),
        ("2023-09-01", "# Beta Terms\n\n## Your videos\n\nYou keep your videos. You grant Beta a perpetual, "
                       "worldwide licence to use, copy and distribute the content you upload.\n"),
    ]),
    "gamma": ("Gamma Notes", [
        ("2019-02-01", "# Gamma Terms\n\n## Content\n\nYou grant Gamma a worldwide, non-exclusive licence to host and "
                       "display the content you upload.\n\n## Fees\n\nFree.\n"),
        ("2024-01-15", "# Gamma Terms\n\n## Content\n\nYou grant Gamma a worldwide, non-exclusive licence to host and "
                       "display the content you upload.\n\n## Fees\n\nTen euros a month.\n"),
    ]),
}
"""Two services whose current terms keep a content licence: Beta since 2023-09-01, Gamma since its first
record (2019-02-01)."""

COMMENTARY = """---
service: acme
document: terms-of-service
change: 2023-03-15
clause: {clause}
quote: We will ask for your consent before we use your content
title: A promise to ask before training AI on your uploads
authors:
  - Ada Reporter
sources:
  - https://news.example/acme-consent
status: published
---

Acme now promises to ask for consent before training models on what you upload.
"""


def when(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=9, tzinfo=UTC)


def record_three_services(root: Path) -> Workspace:
    """A workspace (real git archive) with Acme's licence history, Beta and Gamma, and the commentary."""
    init_repository(root)
    shutil.copytree(SKELETON_DIR, root, dirs_exist_ok=True)
    (root / "archive").mkdir(exist_ok=True)
    workspace = Workspace(root)
    archive = open_archive(workspace.archive)
    rows = [("acme", "Acme", day, text) for day, text in zip(DATES, LICENCE_HISTORY, strict=True)]
    rows += [(service, name, day, text) for service, (name, versions) in OTHERS.items() for day, text in versions]
    for service, name, day, text in sorted(rows, key=lambda row: row[2]):
        provenance = Provenance(f"https://{service}.example/terms", when(day), 200, "ab" * 32)
        record_version(archive, service, "terms-of-service", text, provenance,
                       names={"service_name": name, "document_name": "Terms of Service"})
    folder = root / "commentary" / "acme" / "terms-of-service"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "2023-03-15-consent.md").write_text(COMMENTARY.format(clause=AMENDED_PARAGRAPH), encoding="utf-8")
    return workspace
