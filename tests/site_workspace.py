"""Small real workspaces for the site tests: a git archive written with `record_version`.

`make_workspace` builds one document through the four kinds of recording the site must show (a first
record, a substantive change, a links-only change, a blink back to an earlier text) and a second
document with a single version. `HOSTILE_*` texts carry the payloads the site must never make live.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from clausewatch.archive.read import open_archive
from clausewatch.archive.write import init_repository, record_version
from clausewatch.models import Provenance
from clausewatch.site.build import SKELETON_DIR
from clausewatch.workspace import Workspace

START = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)

TERMS_V1 = """# Acme Terms of Service

## 1. Your content

You own the content you upload. Read our [privacy policy](https://acme.example/privacy) too.

## 2. Disputes

Disputes are settled by the courts of your country.

## 3. Changes

We tell you 30 days before these terms change.
"""

TERMS_V2 = """# Acme Terms of Service

## 1. Your content

You own the content you upload. Read our [privacy policy](https://acme.example/privacy) too.

You grant Acme a perpetual, worldwide licence to use your content to train machine learning and
artificial intelligence models.

## 2. Disputes

Disputes are settled by binding arbitration in Delaware. You waive any class action.

## 3. Changes

We tell you 30 days before these terms change.
"""

TERMS_V3_LINKS = TERMS_V2.replace("https://acme.example/privacy", "https://acme.example/legal/privacy")

PRIVACY_V1 = """# Privacy

## Data we collect

Your e-mail address and the content you upload.
"""

HOSTILE_V1 = """# Terms <script>alert('t1')</script>

## 1. <img src=x onerror=alert('t2')> Heading

Click [here](javascript:alert('t3')) or ![x](x){ onerror=alert('t4') } and {++critic++} {--gone--}
<iframe src="https://evil.example/frame"></iframe> <a href="javascript:alert('t5')">link</a>

Text with an attribute list { onclick=alert('t6') } and
<div markdown="1">**b** <script>alert('t7')</script></div>

{: onclick="alert('t8')" }
"""

HOSTILE_V2 = HOSTILE_V1.replace("Heading", "Heading <svg onload=alert('t9')>").replace(
    "{++critic++}", "{++critic++} {~~a~>b~~} <style>body{display:none}</style> [[x]](javascript:alert('t10'))"
)

HOSTILE_NAMES = {
    "service_name": "Evil <script>alert('n1')</script>",
    "document_name": "Terms\" onmouseover=\"alert('n2')",
}

RAW_PAGE = """---
title: "Raw </title><script>alert('r1')</script>"
description: "\\"><script>alert('r2')</script>"
---

# A hand-written page that forgot to escape

<script>alert('r3')</script><img src=x onerror="alert('r4')"><a href="javascript:alert('r5')">x</a>
<iframe src="//evil.example"></iframe><p style="color:red" onclick="alert('r6')">styled</p>
<script src="https://evil.example/x.js"></script><script src="assets/javascripts/../../evil.js"></script>
<object data="evil.swf"></object><form action="https://evil.example"><input name="q"></form>
<p id="__config" data-md-component="header">clobbering the theme's ids</p></article><div id="__drawer">x</div>

A paragraph with a handler.
{: onclick="alert('r7')" }
"""


def provenance(when: datetime, url: str = "https://acme.example/terms") -> Provenance:
    return Provenance(source_url=url, fetched_at=when, http_status=200, snapshot_sha256="ab" * 32)


def new_workspace(root: Path) -> Workspace:
    """An empty workspace (skeleton mkdocs.yml and pages, a git repository, an archive folder)."""
    init_repository(root)
    shutil.copytree(SKELETON_DIR, root, dirs_exist_ok=True)
    (root / "archive").mkdir()
    return Workspace(root)


def record(workspace: Workspace, key: str, text: str, when: datetime, **names: str) -> str:
    service, document = key.split("/")
    archive = open_archive(workspace.archive)
    url = names.pop("url", f"https://{service}.example/{document}")
    return record_version(archive, service, document, text, provenance(when, url), names=names)


def make_workspace(root: Path) -> Workspace:
    """acme/terms-of-service: first, substantive, links-only, blink; acme/privacy: one version."""
    workspace = new_workspace(root)
    names = {"service_name": "Acme Cloud", "document_name": "Terms of Service"}
    for day, text in enumerate([TERMS_V1, TERMS_V2, TERMS_V3_LINKS, TERMS_V1]):
        record(workspace, "acme/terms-of-service", text, START + timedelta(days=day), **names)
    record(workspace, "acme/privacy", PRIVACY_V1, START + timedelta(hours=1), service_name="Acme Cloud")
    return workspace


def add_hostile(workspace: Workspace) -> None:
    """A document whose text and display names are attacks, and a hand-written page of raw HTML."""
    for day, text in enumerate([HOSTILE_V1, HOSTILE_V2]):
        record(workspace, "evil/terms", text, START + timedelta(days=day), url="javascript:alert('u1')",
               **HOSTILE_NAMES)
    (workspace.docs / "raw.md").write_text(RAW_PAGE, encoding="utf-8")
