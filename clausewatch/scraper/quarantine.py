"""The quarantine: versions held for review instead of published (a drastic change, for instance).

    <workspace>/.clausewatch/quarantine/<service>/<document>/<timestamp>/
        text.md           the extracted text that would have been recorded
        snapshot.gz       the raw response (gzip)
        provenance.json   source URL, fetch time, status, SHA-256s, names
        reason.json       why it was held, when first and last seen, how many runs saw it

A held version is written to a hidden folder and renamed into place, so a killed run leaves no half-held
version. The same text seen again by a later run updates the existing entry instead of adding another.
`release` records the newest held version of a document through `clausewatch.archive.write.record_version`;
`discard` drops held versions without recording anything.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from clausewatch.archive.read import Archive, head_commit, latest_text
from clausewatch.archive.write import lock_archive, record_version
from clausewatch.dates import iso_utc
from clausewatch.errors import ConfigError, FailureReason
from clausewatch.models import Document, Provenance, Snapshot
from clausewatch.slugs import is_slug, parse_key
from clausewatch.workspace import Workspace


@dataclass(frozen=True, slots=True)
class Held:
    """One held version of one document."""

    service: str
    document: str
    stamp: str
    """Folder name: when it was first held, `YYYYMMDDTHHMMSSZ` (with `-2`... on collisions)."""
    folder: Path
    reason: str
    message: str
    provenance: Provenance
    names: dict[str, str]
    first_held: str
    last_seen: str
    times: int

    @property
    def key(self) -> str:
        return f"{self.service}/{self.document}"

    def read_text(self) -> str:
        return (self.folder / "text.md").read_text(encoding="utf-8")

    def read_snapshot(self) -> bytes:
        return gzip.decompress((self.folder / "snapshot.gz").read_bytes())


def quarantine_dir(workspace: Workspace) -> Path:
    return workspace.state / "quarantine"


def hold(
    workspace: Workspace,
    document: Document,
    text: str,
    snapshot: Snapshot,
    *,
    reason: FailureReason,
    message: str,
    now: datetime | None = None,
) -> Path:
    """Keep `text` and its raw `snapshot` for review; return the held version's folder."""
    service, name = parse_key(document.key, example="clausewatch release acme/terms-of-service")
    now = now or datetime.now(UTC)
    base = quarantine_dir(workspace) / service / name
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    for held in iter_held_of(base, service, name):
        if held.reason == DAMAGED:
            continue
        if held.provenance.snapshot_sha256 == snapshot.sha256 or _text_sha(held) == digest:
            _touch(held, now)
            return held.folder
    base.mkdir(parents=True, exist_ok=True)
    for leftover in base.glob(".tmp-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    tmp = base / f".tmp-{os.getpid()}"
    tmp.mkdir()
    (tmp / "text.md").write_text(text, encoding="utf-8")
    (tmp / "snapshot.gz").write_bytes(gzip.compress(snapshot.content, mtime=0))
    _write_json(tmp / "provenance.json", _provenance_record(document, snapshot, digest))
    stamp = iso_utc(now)
    _write_json(tmp / "reason.json", {"reason": reason, "message": message, "first_held": stamp,
                                      "last_seen": stamp, "times": 1})
    target = _free_name(base, now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ"))
    os.replace(tmp, target)
    return target


def _provenance_record(document: Document, snapshot: Snapshot, text_sha256: str) -> dict[str, object]:
    return {
        "source_url": snapshot.final_url or snapshot.url,
        "fetched_at": iso_utc(snapshot.fetched_at),
        "http_status": snapshot.status,
        "content_type": snapshot.content_type,
        "snapshot_sha256": snapshot.sha256 or hashlib.sha256(snapshot.content).hexdigest(),
        "declaration_sha256": document.declaration_sha256,
        "service_name": document.service_name,
        "document_name": document.document_name,
        "text_sha256": text_sha256,
    }


def _free_name(base: Path, stamp: str) -> Path:
    target, n = base / stamp, 1
    while target.exists():
        n += 1
        target = base / f"{stamp}-{n}"
    return target


def _write_json(path: Path, data: dict[str, object]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _text_sha(held: Held) -> str:
    return json.loads((held.folder / "provenance.json").read_text(encoding="utf-8")).get("text_sha256", "")


def _touch(held: Held, now: datetime) -> None:
    data = json.loads((held.folder / "reason.json").read_text(encoding="utf-8"))
    data.update(last_seen=iso_utc(now), times=int(data.get("times", 1)) + 1)
    _write_json(held.folder / "reason.json", data)


def iter_held(workspace: Workspace) -> Iterator[Held]:
    """Every held version in the workspace, by service, document, then oldest first."""
    root = quarantine_dir(workspace)
    if not root.is_dir():
        return
    for service_dir in sorted(p for p in root.iterdir() if p.is_dir() and is_slug(p.name)):
        for document_dir in sorted(p for p in service_dir.iterdir() if p.is_dir() and is_slug(p.name)):
            yield from iter_held_of(document_dir, service_dir.name, document_dir.name)


def iter_held_of(base: Path, service: str, document: str) -> Iterator[Held]:
    """The complete held versions in one document's quarantine folder, oldest first."""
    if not base.is_dir():
        return
    for folder in sorted(p for p in base.iterdir() if p.is_dir() and not p.name.startswith(".")):
        held = _read_held(folder, service, document)
        if held is not None:
            yield held


DAMAGED = "damaged"
"""The reason shown for a held version whose provenance.json or reason.json cannot be read: it stays
listed (nothing held is ever hidden), and `release` refuses it."""


def _read_held(folder: Path, service: str, document: str) -> Held | None:
    """The held version in `folder`; None while it is incomplete (no text.md yet); a `DAMAGED` entry when
    its JSON files are unreadable or malformed (a disk error, a hand edit)."""
    if not (folder / "text.md").is_file():
        return None
    try:
        prov, why = _read_object(folder / "provenance.json"), _read_object(folder / "reason.json")
        provenance = Provenance(
            source_url=str(prov.get("source_url", "")),
            fetched_at=datetime.fromisoformat(str(prov["fetched_at"]).replace("Z", "+00:00")),
            http_status=int(prov.get("http_status", 0)),
            snapshot_sha256=str(prov.get("snapshot_sha256", "")),
            declaration_sha256=str(prov.get("declaration_sha256", "")),
        )
        names = {k: str(prov.get(k, "")) for k in ("service_name", "document_name") if prov.get(k)}
        return Held(service=service, document=document, stamp=folder.name, folder=folder,
                    reason=str(why.get("reason", "")), message=str(why.get("message", "")),
                    provenance=provenance, names=names, first_held=str(why.get("first_held", "")),
                    last_seen=str(why.get("last_seen", "")), times=int(why.get("times", 1)))
    except (OSError, ValueError, KeyError, TypeError, OverflowError) as exc:
        problem = f"{type(exc).__name__}: {exc}" if isinstance(exc, KeyError) else str(exc)
        message = (f"its provenance.json or reason.json is damaged ({' '.join(problem.split())[:200]}); "
                   f"inspect {folder.name}/ in the quarantine, then release it by hand or "
                   f"`clausewatch release {service}/{document} --discard`")
        return Held(service=service, document=document, stamp=folder.name, folder=folder, reason=DAMAGED,
                    message=message, provenance=Provenance("", datetime.fromtimestamp(0, UTC), 0, ""),
                    names={}, first_held=folder.name, last_seen=folder.name, times=1)


def _read_object(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path.name} does not hold a JSON object")
    return data


def release(workspace: Workspace, key: str, archive: Archive) -> str:
    """Record the newest held version of `key` in the archive, then clear its quarantine; return the
    commit id (the existing one if that text is already recorded, e.g. after a killed release)."""
    service, document = parse_key(key, example="clausewatch release acme/terms-of-service")
    base = quarantine_dir(workspace) / service / document
    held = list(iter_held_of(base, service, document))
    if not held:
        raise ConfigError(f"nothing is held for '{key}'", fix="see `clausewatch status` for held versions")
    newest = held[-1]
    if newest.reason == DAMAGED:
        raise ConfigError(f"the newest version held for '{key}' cannot be released: {newest.message}",
                          fix=f"discard it with `clausewatch release {key} --discard`, or repair its JSON files")
    text = newest.read_text()
    with lock_archive(archive):
        if latest_text(archive, service, document) == text:
            commit = head_commit(archive) or ""
        else:
            commit = record_version(archive, service, document, text, newest.provenance,
                                    snapshot=newest.read_snapshot(), names=newest.names)
    shutil.rmtree(base)
    return commit


def discard(workspace: Workspace, key: str) -> int:
    """Drop every held version of `key` without recording; return how many were dropped."""
    service, document = parse_key(key, example="clausewatch release acme/terms-of-service")
    base = quarantine_dir(workspace) / service / document
    count = len(list(iter_held_of(base, service, document)))
    if not count:
        raise ConfigError(f"nothing is held for '{key}'", fix="see `clausewatch status` for held versions")
    shutil.rmtree(base)
    return count


def held_texts(workspace: Workspace, key: str) -> list[str]:
    """The held texts of one document, oldest first (for pages and tests)."""
    service, document = parse_key(key, example="clausewatch release acme/terms-of-service")
    return [h.read_text() for h in iter_held_of(quarantine_dir(workspace) / service / document,
                                                  service, document)]


@dataclass(frozen=True, slots=True)
class FailingRow:
    """A document failing in the latest run, read back from the run reports."""

    key: str
    reason: str
    """A `FailureReason` as written by the run (older reports may hold other words)."""
    message: str
    since: str
    """When the current streak of failures began: the `started` time of its first run."""
    runs: int
    """How many runs (that looked at the document) failed in a row."""

    def to_json(self) -> dict[str, object]:
        return {"key": self.key, "reason": self.reason, "message": self.message, "since": self.since,
                "runs": self.runs}


@dataclass(frozen=True, slots=True)
class HeldRow:
    """A version held for review in the quarantine (the newest entry per text, see `Held`)."""

    key: str
    reason: str
    message: str
    held: str
    """The held version's folder name (`YYYYMMDDTHHMMSSZ[-N]`)."""
    first_held: str
    last_seen: str
    runs: int
    """How many runs saw this text."""
    source_url: str

    def to_json(self) -> dict[str, object]:
        return {"key": self.key, "reason": self.reason, "message": self.message, "held": self.held,
                "first_held": self.first_held, "last_seen": self.last_seen, "runs": self.runs,
                "source_url": self.source_url}


@dataclass(frozen=True, slots=True)
class StatusReport:
    """What `clausewatch status` and the site's status page show."""

    last_run: str
    """When the latest run finished (ISO 8601, UTC); empty when there was none."""
    failing: tuple[FailingRow, ...] = ()
    held: tuple[HeldRow, ...] = ()

    @property
    def all_clear(self) -> bool:
        """Nothing fails and nothing is held."""
        return not self.failing and not self.held

    def to_json(self) -> dict[str, object]:
        """`clausewatch status --format json`: `{"last_run", "failing": [...], "held": [...]}`."""
        return {"last_run": self.last_run, "failing": [row.to_json() for row in self.failing],
                "held": [row.to_json() for row in self.held]}


def status_report(workspace: Workspace, *, max_runs: int = 200) -> StatusReport:
    """Documents failing in the latest run (with since when, from the run reports) and held versions."""
    reports = _read_run_reports(workspace.state / "runs", max_runs)
    held = tuple(HeldRow(key=h.key, reason=h.reason, message=h.message, held=h.stamp, first_held=h.first_held,
                         last_seen=h.last_seen, runs=h.times, source_url=h.provenance.source_url)
                 for h in iter_held(workspace))
    last_run = str(reports[-1].get("finished", "")) if reports else ""
    return StatusReport(last_run=last_run, failing=failing_since(reports), held=held)


def failing_since(reports: list[dict[str, Any]]) -> tuple[FailingRow, ...]:
    """For each document failing in the newest report: reason, message, the first run of its current
    streak of failures (`since`) and the streak's length. `reports` are oldest first."""
    if not reports:
        return ()
    latest = {str(f["key"]): f for f in _entries(reports[-1], "failed") if isinstance(f, dict) and "key" in f}
    failing = []
    for key, failure in sorted(latest.items()):
        since, streak = reports[-1].get("started", ""), 0
        for report in reversed(reports):
            keys = {f.get("key") for f in _entries(report, "failed") if isinstance(f, dict)}
            if key not in keys:
                if key in _entries(report, "recorded") or key in _entries(report, "unchanged"):
                    break
                continue  # a run that did not look at this document (--only, --shard)
            since, streak = report.get("started", since), streak + 1
        failing.append(FailingRow(key=str(key), reason=str(failure.get("reason", "")),
                                  message=str(failure.get("message", "")), since=str(since), runs=streak))
    return tuple(failing)


def _entries(report: dict[str, Any], name: str) -> list[Any]:
    """A list of a run report (a damaged report may hold anything there)."""
    value = report.get(name, [])
    return value if isinstance(value, list) else []


def _run_order(path: Path) -> tuple[str, int]:
    """`20260101T000000Z.json` before `20260101T000000Z-2.json` (same second, later run)."""
    stamp, _, n = path.stem.partition("-")
    return stamp, int(n) if n.isdigit() else 1


def _read_run_reports(runs: Path, max_runs: int) -> list[dict[str, Any]]:
    """The newest `max_runs` run reports, oldest first (unreadable ones skipped)."""
    if not runs.is_dir():
        return []
    files = sorted((p for p in runs.glob("*.json") if p.name != "latest.json" and not p.name.startswith(".")),
                   key=_run_order)
    reports = []
    for path in files[-max_runs:]:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict):
            reports.append(data)
    return reports
