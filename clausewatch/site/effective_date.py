"""The date a document claims for itself ("Last updated…", "Effective Date…"), and whether it is honest.

Pure: takes text and dates, returns values. Used by the "Cite this change" block, the data API and
the feeds to put the observed date (when we recorded a version) beside the date the document states.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from itertools import islice
from typing import Literal

from clausewatch.diff.regex_literals import REGEX_ASCII_FOLDS

StatedKind = Literal["effective", "updated"]
CheckStatus = Literal["agrees", "back-dated", "not-updated", "future", "missing"]

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
            ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
            ("october", "oct"), ("november", "nov"), ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_DATE_SHAPES = (
    re.compile(rf"^{_MONTH}\s+{_DAY},?\s+{_YEAR}", re.I),  # March 3, 2026
    re.compile(rf"^{_DAY}(?:\s+of)?\s+{_MONTH},?\s+{_YEAR}", re.I),  # 3 March 2026
    re.compile(rf"^{_YEAR}-(?P<mnum>\d{{1,2}})-(?P<day>\d{{1,2}})"),  # 2026-03-03
    re.compile(r"^(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.](?P<year>(?:19|20)\d\d)"),  # 03/03/2026
)
_LABELS = (
    r"last\s+(?:updated|modified|revised|amended|changed)",
    r"date\s+of\s+last\s+(?:revision|update|modification)",
    *(rf"{word}\s+date" for word in ("effective", "revision", "version")),
    r"effective\s+(?:as\s+of|from|on)?",
    *(rf"{word}\s+(?:into\s+)?effect(?:\s+on|\s+as\s+of)?"
      for word in ("take", "takes", "took", "come", "comes", "came")),
    r"in\s+(?:force|effect)\s+(?:as\s+of|from|since|on)",
    *(rf"{word}(?:\s+on|\s+as\s+of)?" for word in ("updated", "revised", "modified")),
)
"""The labels, tried in this order at each position; each starts with a plain word, so the regex engine
skips the positions where none can start."""
_LABEL_SOURCE = (
    "(?P<label>" + "|".join(_LABELS) + r")\b"
    r"(?P<gap>[\s:*_\-–—(),]*(?:on|as\s+of|from)?[\s:*_\-–—(),]*)"
)
_LABEL = re.compile(_LABEL_SOURCE, re.I)
_LABEL_LOWER = re.compile(_LABEL_SOURCE)
"""`_LABEL` for lower-cased text (case-sensitive matching is several times faster): see `_label_matches`."""


@dataclass(frozen=True, slots=True)
class StatedDate:
    """A date the document states about itself."""

    kind: StatedKind
    """`effective` ("Effective Date", "takes effect") or `updated` ("Last updated", "Revised")."""
    date: date
    phrase: str
    """The words as written, e.g. `Last updated: March 3, 2026`, for display (untrusted: escape it)."""


@dataclass(frozen=True, slots=True)
class DateCheck:
    """How the stated date compares with what we observed."""

    status: CheckStatus
    message: str

    @property
    def disagrees(self) -> bool:
        """True when the stated date contradicts the record (a reader should be warned)."""
        return self.status in ("back-dated", "not-updated")


def _parse_date_at(text: str) -> tuple[date, int] | None:
    """The date at the very start of `text` and its length, or None."""
    for shape in _DATE_SHAPES:
        match = shape.match(text)
        if not match:
            continue
        groups = match.groupdict()
        year = int(groups["year"])
        if groups.get("month"):
            month = _MONTHS[groups["month"].lower()]
        elif groups.get("mnum"):
            month = int(groups["mnum"])
        else:
            first, second = int(groups["a"]), int(groups["b"])
            month, day_num = (first, second) if first <= 12 else (second, first)
            groups["day"] = str(day_num)
        try:
            return date(year, month, int(groups["day"])), match.end()
        except ValueError:
            return None
    return None


DATE_WINDOW = 512
"""Characters after a label searched for its date (every date shape is far shorter)."""


def find_stated_dates(text: str) -> list[StatedDate]:
    """Every "Last updated…" / "Effective…" date stated in `text`, in reading order."""
    return list(_iter_stated_dates(text))


def _iter_stated_dates(text: str) -> Iterator[StatedDate]:
    for match in _label_matches(text):
        parsed = _parse_date_at(text[match.end() : match.end() + DATE_WINDOW])
        if parsed is None:
            continue
        when, length = parsed
        label = text[match.start("label") : match.end("label")].lower()
        kind: StatedKind = "effective" if "effect" in label or "force" in label else "updated"
        written = text[match.start() : match.end() + length]
        phrase = " ".join(written.replace("*", "").replace("_", " ").split())
        yield StatedDate(kind=kind, date=when, phrase=phrase)


def _label_matches(text: str) -> Iterator[re.Match[str]]:
    """`_LABEL.finditer(text)` (same spans), on the lower-cased text when lower-casing changes no match:
    no character the regex engine takes for an ASCII letter, and one character for each (tested)."""
    if not any(odd in text for odd in REGEX_ASCII_FOLDS):
        lowered = text.lower()
        if len(lowered) == len(text):
            return _LABEL_LOWER.finditer(lowered)
    return _LABEL.finditer(text)


def find_stated_date(text: str) -> StatedDate | None:
    """The date a document claims for its current text: the first "Last updated…"/"Effective…" date.

    When both kinds are stated, the later one wins (a document "updated" in March "effective" in
    April is the April text); only the first few such dates count, so dates quoted deep in the body
    (e.g. an old version's history) do not.
    """
    return _first_stated_date(text)


@lru_cache(maxsize=1024)
def _first_stated_date(text: str) -> StatedDate | None:
    """`find_stated_date`, memoized (the cite block and the data API ask about the same texts); the
    search stops after the first three dates."""
    dates = list(islice(_iter_stated_dates(text), 3))
    if not dates:
        return None
    return max(dates, key=lambda stated: stated.date)


def check_stated_date(
    observed_at: datetime,
    stated: StatedDate | None,
    *,
    previous_observed_at: datetime | None = None,
    previous_stated: StatedDate | None = None,
    substantive: bool = True,
) -> DateCheck:
    """Compare the stated date of a version with when we observed it (and the version before it).

    - `missing`: the document states no date;
    - `not-updated`: the words changed but the stated date did not;
    - `back-dated`: the new stated date is earlier than our last sighting of the previous text;
    - `future`: the stated date is after our observation (announced in advance);
    - `agrees`: none of the above.
    """
    if stated is None:
        return DateCheck("missing", "The document states no effective or last-updated date.")
    if previous_observed_at is not None and substantive:
        if previous_stated is not None and previous_stated.date == stated.date:
            return DateCheck(
                "not-updated",
                f"The text changed but its stated date ({stated.date.isoformat()}) did not.",
            )
        if stated.date < previous_observed_at.date():
            return DateCheck(
                "back-dated",
                f"The document claims {stated.date.isoformat()}, but the previous text was still "
                f"published when we looked on {previous_observed_at.date().isoformat()}.",
            )
    if stated.date > observed_at.date():
        return DateCheck(
            "future",
            f"Announced in advance: the document says {stated.date.isoformat()}, "
            f"after we recorded it on {observed_at.date().isoformat()}.",
        )
    return DateCheck("agrees", f"Stated date {stated.date.isoformat()} is consistent with our record.")
