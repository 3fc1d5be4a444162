"""Version history: every recorded version of a document, classified against the ones before it.

`iter_history` is pure: it takes versions (oldest first) and yields one `HistoryEntry` each. It hashes
each version's canonical text once (`canonical_key`), so blinks and cosmetic changes are found without
a diff; the clause diff is computed only for versions whose canonical text is new. For each of those:

1. a return to a text last seen at most `BLINK_DAYS` days earlier (last seen when a version replaced it:
   only changes are recorded), or to a text the document already came back to once, is a `blink` (a page
   flapping between texts: `is_flap`); an older first return (a notice removed, a clause restored weeks
   later) is a change like any other, classified by the steps below;
2. a text in another language than the previous one (`diff.language`, both known; for English, two
   clear and different dialects count as two languages: `diff.dialect`, en-GB / en-US) is a `variant` —
   unless, diffed against the last text in its own language, it changes the terms (the translation
   carries news: `substantive`, shown against that text) and does not merely follow a change already
   published in another language (`diff.catchup`: same clause structure, the changed clauses' counterparts
   new there); the first text in a language (or the first since the document was rebuilt to another
   size) is a variant when it could be a translation of the previous one (`is_translation_sized`), else
   step 4 decides;
3. a text much closer to an earlier text than to the previous one (`TextMemory.closer_earlier`: a
   regional variant coming back, slightly edited) is classified against that earlier text: a
   `variant`, or `substantive` when that diff changes the terms;
4. otherwise the diff against the previous version decides (`class_of_version_diff`); when all its
   substantive clause changes are the same terms in another region's wording (`is_regional_rewording`:
   en-GB/en-US vocabulary, date and phone formats) the version is a `variant`.

A `variant` is never published and carries no diff (so no topics); `returned_to` names the variant it
went back to, when there is one.

`assign_slugs` names the published versions' change pages (`YYYY-MM-DD`, `-2`, `-3`...): the
site, commentary and `clausewatch log` all name changes this way.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from clausewatch.dates import iso_utc
from clausewatch.diff.catchup import is_catch_up, same_structure, shape
from clausewatch.diff.classify import (
    class_of_version_diff,
    classify_pair,
    clause_key,
    clause_text,
    is_error_page,
    is_text_lost,
    new_side,
    only_whitespace_changed,
)
from clausewatch.diff.clauses import split_clauses
from clausewatch.diff.compare import diff_clauses
from clausewatch.diff.dialect import text_dialect
from clausewatch.diff.language import text_language
from clausewatch.diff.normalize import canonical_key
from clausewatch.diff.render import summary_line
from clausewatch.diff.sections import clause_changes
from clausewatch.diff.variants import Sighting, TextMemory, is_regional_rewording
from clausewatch.models import Clause, Diff, DiffSummary, Version, VersionClass

BLINK_DAYS = 7
"""A return to a text last seen at most this many days earlier is a blink; an older one is a change."""


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One recorded version with its class and its diff against the version it is compared with."""

    version: Version
    version_class: VersionClass
    diff: Diff | None
    """Clause diff against `previous`; None for `first`, `blink`, `variant` and when the canonical texts
    are equal."""
    previous: Version | None
    """The version the diff is against: the one recorded just before, or for a version compared with an
    earlier variant (a language switch, a regional variant coming back), that variant."""
    returned_to: Version | None = None
    """For a `blink` or a `variant`: the earlier version whose text (or variant) it went back to."""
    languages: tuple[str, str] | None = None
    """For a language switch: (previous language, new language), ISO 639-1 codes; for a switch between two
    dialects of English, their tags (`en-GB`, `en-US`)."""
    failed_capture: bool = False
    """For a `cosmetic` version: no text of the document but a failed capture (an empty page, an error
    page, a login wall: `classify.is_capture_failure`)."""


class _Document:
    """What `iter_history` remembers of one document while it walks its history."""

    def __init__(self) -> None:
        self.memory = TextMemory()
        self.keys_by_text: dict[str, str] = {}
        self.languages: dict[str, str | None] = {}
        """Language of each canonical key classified so far."""
        self.last_in: dict[str, tuple[int, Version]] = {}
        """Per language: the index and version of the last text recorded in it."""
        self.first_seen: dict[str, int] = {}
        """Index of the version that first recorded each canonical key."""
        self.context: dict[str, dict[str, Version]] = {}
        """For each canonical key, the last text in each language when it was first recorded."""
        self.now = datetime.min.replace(tzinfo=UTC)
        """When the version being classified was recorded."""
        self.first_in: dict[str, tuple[int, Version]] = {}
        """Per language: the index and version of the first text recorded in it."""
        self.shapes: dict[str, tuple[str, ...]] = {}
        """Clause structure of the canonical texts asked about (`shape_of`)."""
        self.news_in: dict[str, int] = {}
        """Per language: the index of the last version published (`substantive`) in it."""
        self.seen_clauses: set[str] = set()
        """Clause keys of the versions split so far (a version adds those of its changes: the others are
        its previous version's): a clause flapping back to one of them is no news."""

    def key_of(self, text: str) -> str:
        key = self.keys_by_text.get(text)
        if key is None:
            key = self.keys_by_text.setdefault(text, canonical_key(text))
        return key

    def language_of(self, key: str, text: str) -> str | None:
        """The text's language (`diff.language`), an English one tagged with its clear dialect (`en-GB`,
        `en-US`: `diff.dialect`); computed once per canonical text."""
        if key not in self.languages:
            language = text_language(text)
            if language == "en":
                language = text_dialect(text) or language
            self.languages[key] = language
        return self.languages[key]

    def remember(self, index: int, key: str, entry: HistoryEntry, sighting: Sighting | None, previous_key: str
                 ) -> None:
        """Remember the version of `entry` (canonical key `key`), which replaced the text `previous_key`."""
        version = entry.version
        language = self.language_of(key, version.text)
        if language is not None:
            self.remember_language(language, index, version)
            if entry.version_class == "substantive":
                self.news_in[language] = index
        if key not in self.first_seen:
            self.first_seen[key] = index
            self.context[key] = {name: seen for name, (_, seen) in self.last_in.items()}
        if entry.previous is not None and key != previous_key:
            self.memory.leave(previous_key, version.observed_at)
            if sighting is not None:
                sighting.returns += 1
        self.memory.see(key, version)

    def remember_language(self, language: str, index: int, version: Version) -> None:
        """`version` is the last text in `language` (and, for a dialect, in its base language)."""
        self.first_in.setdefault(language, (index, version))
        self.first_in.setdefault(_base(language), (index, version))
        self.last_in[language] = (index, version)
        self.last_in[_base(language)] = (index, version)

    def is_catching_up(self, language: str, same: Version, diff: Diff, clauses: Sequence[Clause]) -> bool:
        """True when the switch to `language`, whose diff against `same` (the last text in it) is `diff`,
        only follows another language's text (`diff.catchup`) that changed since `same` was first recorded
        (a change published in it, or its first text recorded since when the switch brings another
        structure than `same`'s or comes within `BLINK_DAYS` of it: the page served from another
        locale): that text has the same structure,
        and each clause the switch changes has a counterpart there that is new since the text `same` was
        translated from (all of them when there is none: 2021-02-23's EU/US swaps of Instagram texts)."""
        since = self.first_seen.get(self.key_of(same.text), -1)
        reshaped = not same_structure(shape(clauses), self.shape_of(same))
        for other, (_, counterpart) in list(self.last_in.items()):
            first, first_text = self.first_in[other]
            fresh = reshaped or self.now - first_text.observed_at <= timedelta(days=BLINK_DAYS)
            news = max(self.news_in.get(other, -1), first if fresh else -1)
            if news <= since or not is_switch(other, language):
                continue
            if not same_structure(shape(clauses), self.shape_of(counterpart)):
                continue
            replaced = split_clauses(counterpart.text)
            references = self.translated_from(same, other, news)
            if any(is_catch_up(diff, clauses, replaced, reference) for reference in references):
                return True
        return False

    def translated_from(self, same: Version, other: str, before: int) -> list[Sequence[Clause]]:
        """The clauses of the texts in `other` that `same` may translate: the last one in `other` when
        `same` was first recorded, and the latest one recorded before index `before` with its structure;
        without either, the first text in `other` (Amazon Advertising: English arrived six days after
        French), or none at all (no clause) when that first text is the one switched from."""
        then = self.context.get(self.key_of(same.text), {})
        found = [text for text in (then.get(other) or then.get(_base(other)),) if text is not None]
        wanted = self.shape_of(same)
        for key, sighting in reversed(self.memory.sightings.items()):
            language = self.languages.get(key)
            if language is not None and not is_switch(language, other) and self.first_seen.get(key, before) < before \
                    and same_structure(wanted, self.shape_of(sighting.version)):
                found.append(sighting.version)
                break
        if not found and self.first_in[other][1].text != self.last_in[other][1].text:
            found.append(self.first_in[other][1])
        return [split_clauses(text.text) for text in found] or [()]

    def shape_of(self, version: Version) -> tuple[str, ...]:
        """The clause structure of a version's text (`diff.catchup.shape`), once per canonical text."""
        key = self.key_of(version.text)
        if key not in self.shapes:
            self.shapes[key] = shape(split_clauses(version.text))
        return self.shapes[key]

    def last_text_in(self, old: str, new: str) -> tuple[int, Version] | None:
        """The last text in the language switched to: its dialect's, or for a switch from another
        language, any text in its base language when none was recorded in that dialect."""
        last = self.last_in.get(new)
        if last is None and _base(old) != _base(new):
            last = self.last_in.get(_base(new))
        return last

    def compare(self, old: Sequence[Clause], version: Version) -> tuple[Diff, VersionClass, tuple[Clause, ...]]:
        """The diff of `old` clauses against `version`, its class, and `version`'s clauses. A clause coming
        back to a wording recorded earlier is no news, also in a text restored after `BLINK_DAYS` (measured:
        ignoring that rule for restored texts published 11 more labelled flaps, tests/data/labels/FINDINGS.md);
        what such a restore removes (a notice) is."""
        self.seen_clauses.update(map(clause_key, old))
        clauses = split_clauses(version.text)
        diff = diff_clauses(old, clauses)
        seen = self.seen_clauses
        version_class = class_of_version_diff(diff, old, clauses, seen)
        if version_class == "substantive" and _only_regional(diff, old, clauses, seen):
            version_class = "variant"
        self.seen_clauses.update(clause_key(c) for change in clause_changes(diff.changes) for c in new_side(change))
        return diff, version_class, clauses


def _base(language: str) -> str:
    """`en` for `en-GB`: the language without its region."""
    return language.partition("-")[0]


def _switch_languages(old: str, new: str) -> tuple[str, str]:
    """What a switch is between: two languages (`fr`, `en`), or two dialects of one (`en-GB`, `en-US`)."""
    return (old, new) if _base(old) == _base(new) else (_base(old), _base(new))


def is_switch(old: str | None, new: str | None) -> bool:
    """True when the texts are in two languages, or in two clear dialects of one (`en-GB` → `en-US`);
    an English text without a clear dialect (`en`) is no switch from or to either dialect."""
    if old is None or new is None or old == new:
        return False
    return _base(old) != _base(new) or (old != _base(old) and new != _base(new))


def is_flap(sighting: Sighting, now: datetime) -> bool:
    """True when coming back to the text of `sighting` at `now` is a blink: it was last seen at most
    `BLINK_DAYS` earlier, or the document already came back to it once (a page flapping between texts:
    for weeks Twitter's community guidelines page recorded one X policy page or another; the first restore
    of a text, a notice removed, stays a change)."""
    return sighting.returns > 0 or now - sighting.last_seen <= timedelta(days=BLINK_DAYS)


def iter_history(versions: Iterable[Version]) -> Iterator[HistoryEntry]:
    """Classify each version (oldest first) against those recorded before it (see the module docstring)."""
    doc = _Document()
    previous: Version | None = None
    previous_key = ""
    previous_clauses: tuple[Clause, ...] | None = None
    after_failure = False
    for index, version in enumerate(versions):
        key = doc.key_of(version.text)
        doc.now = version.observed_at
        sighting = doc.memory.last_seen(key)
        entry: HistoryEntry
        clauses: tuple[Clause, ...] | None = None
        if previous is None:
            entry = HistoryEntry(version, "first", None, None)
        elif key == previous_key:
            version_class = "blink" if after_failure else classify_pair(previous.text, version.text)
            entry = HistoryEntry(version, version_class, None, previous,
                                 returned_to=previous if after_failure else None)
        elif sighting is not None and is_flap(sighting, version.observed_at):
            entry = HistoryEntry(version, "blink", None, previous, returned_to=sighting.version)
        elif only_whitespace_changed(previous.text, version.text):
            entry = HistoryEntry(version, "cosmetic", None, previous)
        else:
            if previous_clauses is None:
                previous_clauses = split_clauses(previous.text)
            entry, clauses = _classify_new(doc, index, version, key, previous, previous_key, previous_clauses,
                                           returning=sighting is not None)
        after_failure = False
        if entry.version_class == "cosmetic" and clauses is not None and previous_clauses is not None:
            after_failure = is_error_page(previous_clauses, clauses)
            if after_failure or is_text_lost(previous_clauses, clauses):
                entry = replace(entry, failed_capture=True)
        if not after_failure:  # an error page is no base: the next version is compared with the text before
            doc.remember(index, key, entry, sighting, previous_key)
            previous, previous_key, previous_clauses = version, key, clauses
        yield entry


def _classify_new(doc: _Document, index: int, version: Version, key: str, previous: Version, previous_key: str,
                  previous_clauses: tuple[Clause, ...], *, returning: bool
                  ) -> tuple[HistoryEntry, tuple[Clause, ...] | None]:
    """A version whose canonical text is new against the previous one (or an old text coming back)."""
    new_language = doc.language_of(key, version.text)
    old_language = doc.language_of(previous_key, previous.text)
    if new_language and old_language and is_switch(old_language, new_language):
        languages = _switch_languages(old_language, new_language)
        last = doc.last_text_in(old_language, new_language)
        if last is not None and not is_translation_sized(last[1].text, version.text):
            last = None  # the document was rebuilt since (FINDINGS.md, run F: `6dc2b78266`): a first text
        if last is None and is_translation_sized(previous.text, version.text):
            return HistoryEntry(version, "variant", None, previous, languages=languages), None
        if last is not None:
            same = last[1]
            diff, version_class, clauses = doc.compare(split_clauses(same.text), version)
            if version_class == "substantive" and not doc.is_catching_up(new_language, same, diff, clauses):
                return HistoryEntry(version, "substantive", diff, same, languages=languages), clauses
            return HistoryEntry(version, "variant", None, previous, returned_to=same, languages=languages), clauses
    closer = None if returning else doc.memory.closer_earlier(version.text, previous_key)
    if closer is not None:
        diff, version_class, clauses = doc.compare(split_clauses(closer.text), version)
        if version_class == "substantive":
            return HistoryEntry(version, "substantive", diff, closer), clauses
        return HistoryEntry(version, "variant", None, previous, returned_to=closer), clauses
    diff, version_class, clauses = doc.compare(previous_clauses, version)
    if version_class == "variant":
        return HistoryEntry(version, "variant", None, previous), clauses
    return HistoryEntry(version, version_class, diff, previous), clauses


TRANSLATION_SIZE = 2.0
"""A translation is at most this many times longer or shorter than its original (in characters)."""


def is_translation_sized(original: str, other: str) -> bool:
    """True when `other` could be a translation of `original`: neither is more than `TRANSLATION_SIZE`
    times the other's length. A page replaced by another page in another language (the terms gone, a
    whole site menu instead) is not a variant of them."""
    shorter, longer = sorted((len(original.strip()), len(other.strip())))
    return longer <= TRANSLATION_SIZE * shorter


def _only_regional(diff: Diff, before: Sequence[Clause], after: Sequence[Clause], seen: set[str]) -> bool:
    """True when the diff's substantive clause changes that matter are all the same terms reworded for
    another region: without them, nothing substantive is left."""
    changes = clause_changes(diff.changes)
    kept = [c for c in changes if not (c.change_class == "substantive" and c.before is not None
                                       and c.after is not None
                                       and is_regional_rewording(clause_text(c.before), clause_text(c.after)))]
    if len(kept) == len(changes):
        return False
    rest = Diff(tuple(kept), DiffSummary(), diff.before, diff.after)
    return class_of_version_diff(rest, before, after, seen) != "substantive"


def describe_entry(entry: HistoryEntry) -> str:
    """A one-line description of a history entry, for terminals and the log."""
    if entry.version_class == "first":
        return "first record"
    if entry.version_class == "blink":
        return "same text as a version recorded earlier (blink)"
    if entry.version_class == "variant":
        return describe_variant(entry)
    if entry.failed_capture:
        return "failed capture (an empty page, an error page or a login wall instead of the text): no change"
    if entry.diff is None:
        return "only link targets changed" if entry.version_class == "links" else "only formatting changed"
    return summary_line(entry.diff.summary)


def describe_variant(entry: HistoryEntry) -> str:
    """`variant swap: language en → fr, back to the fr text of 2021-03-02 (0a1b2c3d4e)` and the like."""
    swap = f"language {entry.languages[0]} → {entry.languages[1]}" if entry.languages else "regional wording"
    if entry.returned_to is None:
        first = f"first text in {entry.languages[1]}" if entry.languages else "no earlier variant"
        return f"variant swap: {swap}, {first}"
    back = entry.returned_to
    which = f"the {entry.languages[1]} text" if entry.languages else "the variant"
    if not entry.languages:
        swap = "closer to an earlier text"
    return f"variant swap: {swap}, back to {which} of {iso_utc(back.observed_at)[:10]} ({back.commit[:10]})"


PUBLISHED = ("first", "substantive")
"""Version classes that get a change page at a permanent URL."""


def assign_slugs(history: Sequence[HistoryEntry]) -> list[str]:
    """The change-page folder of each entry ('' if unpublished): `YYYY-MM-DD`, then `-2`, `-3`, ...

    Assigned oldest first and classification only looks backwards, so a slug never changes as
    history grows.
    """
    per_day: dict[str, int] = {}
    slugs = []
    for entry in history:
        if entry.version_class not in PUBLISHED:
            slugs.append("")
            continue
        day = iso_utc(entry.version.observed_at)[:10]
        per_day[day] = per_day.get(day, 0) + 1
        slugs.append(day if per_day[day] == 1 else f"{day}-{per_day[day]}")
    return slugs
