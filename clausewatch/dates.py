"""Dates and times as the archive and the site write them: ISO-8601, always UTC."""

from __future__ import annotations

from datetime import UTC, datetime


def iso_utc(moment: datetime) -> str:
    """ISO-8601 UTC with seconds, e.g. `2026-03-01T12:00:00Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
