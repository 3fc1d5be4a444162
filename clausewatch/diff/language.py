"""The language a recorded text is written in (pure; py3langid's model, loaded once, on first use).

Why py3langid: tests/data/labels/FINDINGS.md compares it with lingua on 156 hand-checked versions of the
bundle's language-swap histories and 416 paragraphs (`scripts/compare_langid.py`): 99.4% of versions
right, 14.8 ms per version, ~119 MB; lingua is as accurate on versions but 2.3 times slower and needs
1.25 GB with its models preloaded (its low-accuracy mode is less accurate than py3langid on short text).
py3langid's errors are short texts (a heading, a near-empty page), so a text with fewer than
`MIN_PROSE_CHARS` characters of prose gets no language (None) rather than a guess.

`prose` is what is classified: the words a reader reads, without link targets, URLs, e-mail addresses
and Markdown markup (a page full of links must not look like another language). At most
`SAMPLE_CHARS` of it, taken from its start, middle and end, are classified: enough for a whole-text
language and the cost stays flat on very long documents.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

MIN_PROSE_CHARS = 500
"""Below this many characters of prose, no language is given (FINDINGS.md: the errors are short texts)."""
SAMPLE_CHARS = 3_000
"""At most this much prose is classified: three slices (start, middle, end), each on its own, and the
language two of them agree on wins (else the three together). One sample of the three slices read a
Google Maps terms' list of Japanese transit operators, in its middle, as Japanese (a labelled legal change
then passed for a language switch); by vote, every 7th document of the shared bundle gets the language
that 12,000 characters gave, in a fraction of the time (language identification was 14% of page
generation). When no two slices agree on a language (`NO_LANGUAGE` does not count: an embedded image's
base64 in two slices of an English policy), `DISAGREEMENT_CHARS` of it are read together."""
DISAGREEMENT_CHARS = 12_000
NO_LANGUAGE = "zxx"
"""py3langid's answer for what is not language (base64, numbers)."""

_LINK_TARGET = re.compile(r"\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")
_URL = re.compile(r"(?:https?://|www\.|mailto:)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
_MARKUP = re.compile(r"[#*_`>|\[\]\\~=-]+")
_WORD = re.compile(r"\w")


def prose(markdown: str) -> str:
    """The words a reader reads: link targets, URLs, e-mail addresses and Markdown markup dropped."""
    text = _URL.sub(" ", _LINK_TARGET.sub("]", markdown))
    return " ".join(_MARKUP.sub(" ", text).split())


@lru_cache(maxsize=256)  # the history and the topic tagging ask about the same version's text
def text_language(markdown: str) -> str | None:
    """The ISO 639-1 code of the language `markdown` is written in (`en`, `fr`…), or None when it has
    less than `MIN_PROSE_CHARS` characters of prose.

    A long text's prose is read from three slices of its Markdown (start, middle, end; each twice a
    third of `SAMPLE_CHARS`, for the markup and links `prose` drops): the classifier reads a sample
    anyway, and `prose` cost 70 ms a version on the bundle's long texts."""
    if len(markdown) > 4 * SAMPLE_CHARS:
        sampled = _language_of_prose(prose(_slices(markdown, 2 * SAMPLE_CHARS // 3)))
        if sampled not in (None, NO_LANGUAGE):
            return sampled
    return _language_of_prose(prose(markdown))


def _slices(text: str, size: int) -> str:
    """The start, middle and end of `text`, `size` characters each, as paragraphs (a word cut at an edge
    does not change the language)."""
    return "\n\n".join(_thirds(text, 3 * size))


@lru_cache(maxsize=4096)
def _language_of_prose(text: str) -> str | None:
    if len(text) < MIN_PROSE_CHARS or not _WORD.search(text):
        return None
    import py3langid  # lazy: its model (all 97 languages) loads on first use, in about half a second

    if len(text) > SAMPLE_CHARS:
        votes = Counter(code for code in (py3langid.classify(part)[0] for part in _thirds(text, SAMPLE_CHARS))
                        if code != NO_LANGUAGE)
        if votes and votes.most_common(1)[0][1] >= 2:
            return str(votes.most_common(1)[0][0])
        text = " ".join(_thirds(text, DISAGREEMENT_CHARS)) if len(text) > DISAGREEMENT_CHARS else text
    return str(py3langid.classify(text)[0])


def _thirds(text: str, size: int) -> tuple[str, str, str]:
    """The start, middle and end of `text`, a third of `size` each."""
    third, middle = size // 3, len(text) // 2
    return text[:third], text[middle - third // 2: middle + third // 2], text[-third:]
