"""The evidence of an imported version, for its change page's fact box (pure, escaped HTML).

A version recorded here has its raw response in the archive (the fact box shows its SHA-256). A version
imported from Open Terms Archive has OTA's evidence instead, from its commit trailers
(`clausewatch.archive.message`): the snapshot(s) OTA extracted the text from (`Imported-Snapshot`: one
per page, several for a combined document) and the source commit that recorded it (`Imported-From`).

Snapshot references that are http(s) URLs become links (OTA writes GitHub commit links); older `mongo://`
references are shown as text. The source repository is named as recorded; when its owner is unknown
(a bundle or a clone without a remote, imported without `--source`) the page says so and links nothing.
"""

from __future__ import annotations

from clausewatch.archive.message import UNKNOWN_OWNER, split_imported_from, split_source
from clausewatch.models import Version
from clausewatch.site.escape import html_text, is_web_url

SHOWN_SNAPSHOTS = 64


def imported_evidence(version: Version) -> str:
    """HTML of an imported version's evidence ('' for a version recorded here: the fact box then shows the
    SHA-256 of its raw response)."""
    provenance = version.provenance
    if not provenance.imported_from:
        return ""
    source, commit = split_imported_from(provenance.imported_from)
    owner, repository = split_source(source)
    snapshots = [_snapshot(ref) for ref in provenance.imported_snapshots[:SHOWN_SNAPSHOTS]]
    label = "Open Terms Archive snapshot" + ("s" if len(snapshots) > 1 else "")
    parts = [f"{label}: {', '.join(snapshots)}" if snapshots else "Open Terms Archive snapshot: none recorded"]
    where = (f"<code>{html_text(source)}</code>" if owner != UNKNOWN_OWNER
             else f'<code>{html_text(repository)}</code> <span class="cw-none">(repository owner unknown)</span>')
    if commit:
        parts.append(f"recorded by commit <code>{html_text(commit[:12])}</code> of {where}")
    return "; ".join(parts)


def _snapshot(reference: str) -> str:
    name = reference.rstrip("/").rsplit("/", 1)[-1]
    label = f"<code>{html_text(name[:12])}</code>"
    if is_web_url(reference):
        return f'<a href="{html_text(reference)}" rel="nofollow noopener">{label}</a>'
    return f'{label} <span class="cw-none">({html_text(reference.partition(":")[0])} reference)</span>'
