"""Variants of a document: the same terms served in another language or for another region (pure).

A page that is fetched from several places, or that answers to the visitor's language or country, is
recorded now in one variant, now in another: English then French, the en-GB text then the en-US one, the
EU entity's terms then the US entity's. Such a swap is not a change of the terms. `iter_history` asks
this module two questions about a version whose text is new against the previous one:

- `TextMemory.closer_earlier`: is it much closer to a text recorded earlier than to the previous one?
  (`fuzz.ratio` of the canonical texts, block by block: `canonical_blocks`, 0-100, against the last
  `RECENT_TEXTS` distinct texts: best at least `CLOSER_AT_LEAST` and `CLOSER_MARGIN` above the previous
  one; FINDINGS.md measured the gap as
  bimodal: a language switch is 40-55 to the previous text and 95-100 to the last text in its language,
  a regional flip 98-99.5 to the previous text and 99.5-100 to the earlier variant);
- `is_regional_rewording`: is every word it changes a known regional variant of the word it replaces
  (en-GB against en-US vocabulary, `30 April 2026` against `April 30, 2026`, `+1 888 851 6382` against
  `1-888-851-6382`)? Spelling (licence/license, organise/organize) is already folded by the canonical key.

The version is then classified against that earlier variant: nothing substantive → `variant`; a real
change → `substantive`, its diff shown against that variant.
"""

from __future__ import annotations

import re
from collections import Counter, OrderedDict
from dataclasses import dataclass
from datetime import datetime

from rapidfuzz import fuzz

from clausewatch.diff.normalize import canonical_blocks, canonical_text, fold_spelling
from clausewatch.models import Version

RECENT_TEXTS = 20
"""Distinct texts a new version is compared with (FINDINGS.md: the last 20)."""
CLOSER_AT_LEAST = 90.0
CLOSER_MARGIN = 10.0
RATIO_WINDOW = 30_000
"""Characters of canonical text `fuzz.ratio` reads: a longer text is read as its start, middle and end
(a third each). The ratio costs the product of the two lengths (0.8 s a version on a 75-version document
of the shared bundle, most of its build); on the window it is an estimate, the same for shorter texts."""


@dataclass(slots=True)
class Sighting:
    """One distinct text (by canonical key) of a document: its latest version and when it was last seen (in
    force until the next version replaced it)."""

    version: Version
    last_seen: datetime
    returns: int = 0
    """How many times the document came back to this text after other texts."""
    canonical: str = ""
    blocks: Counter[str] | None = None


class TextMemory:
    """The distinct texts recorded so far for one document, most recently seen last."""

    def __init__(self) -> None:
        self.sightings: OrderedDict[str, Sighting] = OrderedDict()

    def see(self, key: str, version: Version) -> None:
        """Remember that `version` (canonical key `key`) was recorded."""
        sighting = self.sightings.pop(key, None)
        if sighting is None:
            sighting = Sighting(version, version.observed_at)
        sighting.version, sighting.last_seen = version, version.observed_at
        self.sightings[key] = sighting
        while len(self.sightings) > 4 * RECENT_TEXTS:
            self.sightings.popitem(last=False)

    def leave(self, key: str, when: datetime) -> None:
        """The text `key` was replaced at `when`: a page is fetched again and again while its text stays the
        same, but only changes are recorded, so a text was last seen when it was replaced."""
        sighting = self.sightings.get(key)
        if sighting is not None:
            sighting.last_seen = max(sighting.last_seen, when)

    def last_seen(self, key: str) -> Sighting | None:
        return self.sightings.get(key)

    def closer_earlier(self, text: str, previous_key: str) -> Version | None:
        """The earlier text (not the previous one) that `text` is much closer to than to the previous
        text, or None.

        Cheap first: each text's paragraphs (canonical, weighted by length) are compared as multisets
        (`block_similarity`), and only earlier texts that share more with the new one than the previous
        text does are scored with `fuzz.ratio` (a change of the terms shares most with the previous text:
        no ratio is computed at all)."""
        previous = self.sightings.get(previous_key)
        if previous is None:
            return None
        new_blocks = paragraph_weights(text)
        base_blocks = block_similarity(new_blocks, _blocks(previous))
        candidates = [s for k, s in self.sightings.items() if k != previous_key][-RECENT_TEXTS:]
        closer = [s for s in candidates if block_similarity(new_blocks, _blocks(s)) > base_blocks]
        if not closer:
            return None
        new = _window(canonical_blocks(text))
        base = fuzz.ratio(new, _canonical(previous))
        wanted = max(CLOSER_AT_LEAST, base + CLOSER_MARGIN)
        if wanted > 100:
            return None
        best: tuple[float, Version] | None = None
        for sighting in closer:
            old = _canonical(sighting)
            if 200 * min(len(old), len(new)) / ((len(old) + len(new)) or 1) < wanted:
                continue  # the length difference alone keeps the ratio below what is wanted
            score = fuzz.ratio(new, old, score_cutoff=wanted)
            if score and (best is None or score > best[0]):
                best = (score, sighting.version)
        return best[1] if best else None


_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def paragraph_weights(text: str) -> Counter[str]:
    """A text's paragraphs as canonical text, each weighted by its length."""
    weights: Counter[str] = Counter()
    for block in _PARAGRAPH_BREAK.split(text):
        canonical = canonical_text(block)
        if canonical:
            weights[canonical] += len(canonical)
    return weights


def block_similarity(a: Counter[str], b: Counter[str]) -> float:
    """Share of two texts' paragraph weight that they have in common (0-1)."""
    total = sum(a.values()) + sum(b.values())
    return 2 * sum((a & b).values()) / total if total else 1.0


def _blocks(sighting: Sighting) -> Counter[str]:
    if sighting.blocks is None:
        sighting.blocks = paragraph_weights(sighting.version.text)
    return sighting.blocks


def _canonical(sighting: Sighting) -> str:
    if not sighting.canonical:
        sighting.canonical = _window(canonical_blocks(sighting.version.text))
    return sighting.canonical


def _window(text: str) -> str:
    """`text`, or its start, middle and end when it is longer than `RATIO_WINDOW`."""
    if len(text) <= RATIO_WINDOW:
        return text
    third, middle = RATIO_WINDOW // 3, len(text) // 2
    return "".join((text[:third], text[middle - third // 2: middle + third - third // 2], text[-third:]))


# --- regional rewording -------------------------------------------------------------------------------------

_REGIONAL_PAIRS = (
    # (en-GB, en-US) wording of the same terms, lower case, whole words; spelling is folded before
    ("adverts", "advertisements"), ("advert", "advertisement"), ("enquiries", "inquiries"),
    ("enquiry", "inquiry"), ("freephone", "toll-free"), ("freephone", "toll free"), ("postal mail", "mail"),
    ("post", "mail"), ("postcode", "zip code"), ("mobile phone", "cell phone"), ("whilst", "while"),
    ("amongst", "among"), ("learnt", "learned"), ("towards", "toward"), ("legal fees", "attorneys' fees"),
    ("legal fees", "attorneys fees"), ("solicitors", "attorneys"), ("solicitor", "attorney"),
    ("in future", "in the future"), ("at weekends", "on weekends"), ("cheques", "checks"), ("cheque", "check"),
    ("current account", "checking account"), ("such as", "like"),
)
_TO_US = sorted(((gb, us) for gb, us in _REGIONAL_PAIRS), key=lambda pair: -len(pair[0]))
_WORDING = re.compile(r"\b(?:" + "|".join(re.escape(gb) for gb, _ in _TO_US) + r")\b")
_US_OF = dict(_TO_US)
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")
_MONTH = "|".join(_MONTHS)
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH}),?\s+(\d{{4}})\b")
_MONTH_DAY = re.compile(rf"\b({_MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b")
_PHONE = re.compile(r"(?<![\w+])\+?\d[\d ()./-]{6,}\d(?!\w)")
_UNSPOKEN = re.compile(r"[^\w]+")


def regional_key(text: str) -> str:
    """What a clause says whatever the region it is written for: spelling folded (`fold_spelling`), en-GB
    wording turned into en-US (`adverts` → `advertisements`, `freephone` → `toll-free`), dates as
    `YYYY-MM-DD` (`30 April 2026` = `April 30, 2026`), phone numbers as their digits, punctuation and case
    dropped. Two clauses with the same key are the same terms for two regions."""
    text = fold_spelling(canonical_text(text))
    text = _DAY_MONTH.sub(lambda m: f"{m[3]}-{_MONTHS.index(m[2]) + 1:02d}-{int(m[1]):02d}", text)
    text = _MONTH_DAY.sub(lambda m: f"{m[3]}-{_MONTHS.index(m[1]) + 1:02d}-{int(m[2]):02d}", text)
    text = _PHONE.sub(lambda m: " " + re.sub(r"\D", "", m.group(0)) + " ", text)
    text = _WORDING.sub(lambda m: _US_OF[m.group(0)], text)
    return _UNSPOKEN.sub(" ", text.replace("’", "'").replace("'", "")).strip()


def is_regional_rewording(before: str, after: str) -> bool:
    """True when two texts of a clause differ only as the same terms written for two regions do."""
    return before != after and regional_key(before) == regional_key(after)
