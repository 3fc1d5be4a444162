"""Text normalization: what the tracker records, and what the classifier compares.

Two levels, both pure and idempotent:

- `normalize_text` is what gets RECORDED: control characters dropped, tracking and session query
  parameters stripped from URLs, line endings unified, trailing spaces stripped, runs of blank lines
  collapsed, Unicode NFC.
  A fetch round in which only tracking ids rotate yields the same normalized text, so nothing is
  recorded.
- `canonical_text` is what gets COMPARED: link targets dropped (their text kept), typographic quotes,
  dashes and odd spaces folded, Markdown markup, list bullets, list/section numbering and section
  cross-references removed, page furniture (`3 days ago`, build ids) dropped, letter case folded,
  whitespace collapsed. Two texts with equal canonical texts differ only cosmetically (or in links).
- `canonical_key` hashes the canonical text's words: it also ignores punctuation outside numbers,
  British/American spelling and mis-decoded accents. Equal keys mean no change a reader would read
  as one; it is how cosmetic versions and blinks are found without a diff.

Both work block by block (blocks are separated by blank lines) with a cache per block: consecutive
versions of a document share most of their blocks, so a long history costs little more than its
changed blocks.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from clausewatch.diff.regex_literals import guarded_sub

TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        # ad-click and campaign ids
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid",
        "li_fat_id", "igshid", "igsh", "mkt_tok", "srsltid", "epik", "s_cid", "scid", "cmpid", "icid",
        "ocid", "ncid", "trk", "trkcampaign", "trkinfo", "zanpid", "wickedid", "_openstat", "rb_clickid",
        "oly_anon_id", "oly_enc_id", "vero_conv", "vero_id", "_bta_tid", "_bta_c", "spm", "si",
        # analytics cookies echoed into URLs
        "_ga", "_gl", "_gac", "_ke", "_kx", "_hsenc", "_hsmi", "hsctatracking", "__hstc", "__hssc",
        "__hsfp", "_branch_match_id", "_branch_referrer", "ajs_aid", "ajs_uid", "mbid", "ef_id",
        # session ids
        "sessionid", "session_id", "sid", "jsessionid", "phpsessid", "aspsessionid", "cfid", "cftoken",
        "sessid",
        # referral tags
        "ref", "ref_", "ref_src", "ref_url", "referrer", "referer", "source_ref", "tag_id",
    }
)
"""Query parameter names (lower case) that identify a click, a visitor or a session, never a page."""

TRACKING_PREFIXES: tuple[str, ...] = (
    "utm_", "optimizely_", "mc_", "hsa_", "pk_", "piwik_", "matomo_", "mtm_", "_hs", "__hs", "vero_",
    "oly_", "ga_", "fb_", "aff_", "campaign_", "at_", "trk_",
)
"""Query parameter name prefixes (lower case) of tracking parameters (`utm_source`, `optimizely_x`)."""

_URL = re.compile(
    r"""(?:[hH][tT][tT][pP][sS]?://|[wW][wW][wW]\.)[^\s<>()\[\]"'`]+|\]\([^()\s]+(?:\([^()\s]*\)[^()\s]*)*"""
)
_PATH_SESSION = re.compile(r";(?:jsessionid|phpsessid|sessionid|sid)=[^?#;/]*", re.IGNORECASE)
_TRAILING = " \t\u00a0\u3000"
_BLANK_RUNS = re.compile(r"\n{3,}")
_UNKEYED = re.compile(r"[\s\"]+")
_KEY_PUNCTUATION = re.compile(r"[;:!?()\[\]{}\u00ab\u00bb/.,-](?:(?<![.,])|(?<!\d.)|(?!\d))")
"""Punctuation the key ignores (not `.` or `,` inside numbers): the key is about words. Written as one
character class then the digit checks, so the regex engine finds candidates fast (tests/test_regex_literals.py
checks it against the three-alternative form)."""
_SPELLINGS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"is(?<=\w\wis)(?=e\b|es\b|ed\b|ing\b|ation|er\b|ers\b)", "iz"),  # literal first: found fast
        (r"ys(?<=\w\wys)(?=e\b|es\b|ed\b|ing\b)", "yz"),
        (r"\b(colo|favo|hono|labo|behavio|neighbo|harbo|rumo|endeavo|flavo|humo|armo)ur", r"\1r"),
        (r"\b(licen|defen|offen|preten)ce", r"\1se"),
        (r"\b(cent|met|theat|lit|fib)re(s?)\b", r"\1er\2"),
        (r"\b(program)me(s?)\b", r"\1\2"),
        (r"\b(catalog|dialog|analog)ue(s?)\b", r"\1\2"),
        (r"\b(fulfil|enrol|instal)(l?)(ment|ments|s)?\b", r"\1l\3"),
        (r"\b(cance|trave|mode|labe|fue|signa|tota|counse)ll(ed|ing|er|ers)\b", r"\1l\2"),
        (r"\bjudgement", "judgment"),
        (r"\bageing\b", "aging"),
    )
)
_GLITCHABLE = str.maketrans(
    dict.fromkeys(["'", *(chr(c) for c in range(0xC0, 0x180) if chr(c).isalpha())], "*")
)
"""Apostrophes and accented Latin letters: the characters a mis-decoding page swaps for one another
(`l'état` / `léétat`, `même` / `méme`). The key treats them as one character."""
_BLOCK_BREAK = re.compile(r"\n[ \t\u00a0\u3000]*\n")


def is_tracking_param(name: str) -> bool:
    """True when a query parameter name is a tracking, session or referral id."""
    lowered = name.strip().lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def strip_tracking(url: str) -> str:
    """`url` without its tracking/session query parameters (others kept in order, as written)."""
    url = _PATH_SESSION.sub("", url)
    base, hash_mark, fragment = url.partition("#")
    path, question, query = base.partition("?")
    if not question:
        return url
    kept = [part for part in re.split(r"[&;]", query) if part and not is_tracking_param(part.split("=")[0])]
    rebuilt = path + ("?" + "&".join(kept) if kept else "")
    return rebuilt + (hash_mark + fragment if hash_mark else "")


def _strip_url_match(match: re.Match[str]) -> str:
    found = match.group(0)
    if found.startswith("]("):
        return "](" + strip_tracking(found[2:])
    return strip_tracking(found)


def _normalize_block(text: str) -> str:
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if "?" in text or ";" in text:
        text = _URL.sub(_strip_url_match, text)
    return "\n".join(line.rstrip(_TRAILING) for line in text.split("\n"))


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Control characters (but tab and line breaks): never part of a document's text; a page can carry them
(terminal escapes, NULs) and the archive, its readers and every page made from it must not."""


def normalize_text(markdown: str) -> str:
    """The text as recorded: control characters dropped (each becomes a space), tracking parameters
    stripped, whitespace tidied, NFC. Idempotent."""
    text = markdown.replace("\r\n", "\n").replace("\r", "\n")
    if _CONTROL.search(text):
        text = _CONTROL.sub(" ", text)
    text = _normalize_block(text)
    text = _BLANK_RUNS.sub("\n\n", text).strip("\n")
    return text + "\n" if text else ""


# --- canonical text ---------------------------------------------------------------------------

_FOLD_TABLE = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u02bc\u00b4\u0060", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb\u2039\u203a", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d\u2022\u00b7", "-"),
    **dict.fromkeys("\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
                    "\u202f\u205f\u3000\t", " "),
    **dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff\u00ad", ""),
    "\u2026": "...",
}
_FOLDABLE = re.compile("[" + "".join(_FOLD_TABLE) + "]")
_IMAGE = re.compile(r"!\[([^\]]*)\]\((?:[^()]|\([^()]*\))*\)")
_INLINE_LINK = re.compile(r"\[([^\]]*)\]\([^()]*(?:\([^()]*\)[^()]*)*\)")
_REF_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_REF_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:[ \t]*\S+.*$", re.MULTILINE)
_AUTOLINK = re.compile(r"<((?:https?|mailto|ftp):[^>\s]*)>", re.IGNORECASE)
_BARE_URL = re.compile(r"(?:[hH][tT][tT][pP][sS]?://|[wW][wW][wW]\.)[^\s<>()\[\]\"']*")
_HTML_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~<])")
_RULE_OR_TABLE_SEP = re.compile(
    r"^[ \t]*(?:[-*_=][ \t]*){3,}$|^[ \t]*\|?[ \t]*:?-{2,}:?[ \t]*(?:\|[ \t]*:?-{2,}:?[ \t]*)*\|?[ \t]*$",
    re.MULTILINE,
)
_LINE_MARKUP = re.compile(
    r"^[ \t]*(?:>[ \t]*)*(?:#{1,6}[ \t]+|[-*+][ \t]+(?:\[[ xX]\][ \t]+)?)?", re.MULTILINE
)
_EMPHASIS = re.compile(r"[*`~_]+")
_NUMBERING = re.compile(
    r"^[ \t]*(?:(?:section|article|clause|part|chapter|schedule|annex|appendix|§)[ \t]*[0-9ivxlc]+(?:\.\d+)*"
    r"[.:)]?|\d+(?:\.\d+)+\.?|\d+[.)]|\(\d+\)|\(?[a-z]\)|[a-z]\.(?=[ \t])|\(?[ivxlc]+[.)])[ \t]+",
    re.MULTILINE,
)
_CROSS_REF = re.compile(
    r"(section|article|clause|paragraph|part|chapter|schedule|annex|appendix|§)[ \t]*\d+(?:\.\d+)*"
    r"(?:[ \t]*\([a-z0-9]{1,4}\))*"
)
_RELATIVE_TIME = re.compile(
    r"\b(?:\d+|an?|one)\s+(?:second|minute|hour|day|week|month|year)s?\s+ago\b|\b(?:yesterday|just now)\b"
)
"""`3 days ago`: page furniture (forums, comments), never terms."""
_MACHINE_ID = re.compile(
    r"\b(?:(?=[a-z]*\d)(?=(?:[a-z]*\d){6})(?=\d*[a-z])[a-z0-9]{12,}|[a-z0-9]{45,})\b"
)
"""A long token of letters and at least six digits (`icburule011138216122`), or any token longer than
any word (45+ letters): a build id, a session id, script junk."""
_SPACE_BEFORE_PUNCT = re.compile(r"[ \t\n]+([.,;:!?)\]])")
_SPACE_AFTER_OPEN = re.compile(r"([(\[])[ \t\n]+")
_NO_SPACE_AFTER_PUNCT = re.compile(r"(?:[,;:!?]|\.(?<=[^\W\d_]{2}\.))(?=[^\W\d_])")


def drop_link_targets(markdown: str) -> str:
    """Markdown with every link target removed (link text kept): `[Terms](https://x)` → `[Terms]()`."""
    text = _IMAGE.sub(r"![\1]()", markdown)
    text = _INLINE_LINK.sub(r"[\1]()", text)
    text = _REF_DEFINITION.sub("", text)
    text = _AUTOLINK.sub("<>", text)
    return _BARE_URL.sub("<url>", text)


@lru_cache(maxsize=1 << 15)
def _targetless_block(block: str) -> str:
    return drop_link_targets(_normalize_block(block)).strip("\n")


def targetless_blocks(markdown: str) -> list[str]:
    """The normalized text's blocks with link targets dropped: equal lists mean only link targets differ."""
    text = markdown.replace("\r\n", "\n").replace("\r", "\n")
    return [part for part in map(_targetless_block, _BLOCK_BREAK.split(text)) if part]


_NAV_PUNCTUATION = re.compile(r"[\s|·•>»«/\\,;:()\[\]*_#=-]+")


def is_link_only(markdown: str) -> bool:
    """True when a text is nothing but links and images (a menu or a link list): no words of its own."""
    if "](" not in markdown and "<http" not in markdown:
        return False
    text = _IMAGE.sub("", markdown)
    text = _INLINE_LINK.sub("", text)
    text = _AUTOLINK.sub("", text)
    return not _NAV_PUNCTUATION.sub("", text)


def fold_typography(text: str) -> str:
    """Compatibility forms, typographic quotes, dashes, odd spaces and invisible characters folded
    (control characters are spaces, as `normalize_text` records them)."""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    if _CONTROL.search(text):
        text = _CONTROL.sub(" ", text)
    return _FOLDABLE.sub(lambda m: _FOLD_TABLE[m.group(0)], text)


def _drop_links(text: str) -> str:
    if "[" not in text and "<" not in text and "http" not in text and "www." not in text:
        return text
    text = _IMAGE.sub(r"\1", text)
    text = _INLINE_LINK.sub(r"\1", text)
    text = _REF_LINK.sub(r"\1", text)
    text = _REF_DEFINITION.sub("", text)
    text = _AUTOLINK.sub("", text)
    return _BARE_URL.sub("", text)


def _drop_markup(text: str) -> str:
    if "<" in text:
        text = _HTML_TAG.sub(" ", text)
    if "\\" in text:
        text = _ESCAPE.sub(r"\1", text)
    if "--" in text or "**" in text or "__" in text or "==" in text or "- -" in text or "* *" in text:
        text = _RULE_OR_TABLE_SEP.sub("", text)
    text = _EMPHASIS.sub("", text).replace("|", " ")
    previous = None
    while previous != text:
        previous, text = text, _NUMBERING.sub("", _LINE_MARKUP.sub("", text))
    return text


@lru_cache(maxsize=1 << 15)
def _canonical_block(block: str) -> str:
    """The canonical text of one block (no blank lines inside); cached: versions share most blocks."""
    return _canonical_fixpoint(block)


def _canonical_fixpoint(block: str) -> str:
    text = _canonical_step(block)
    previous = block
    while text != previous:
        previous, text = text, _canonical_step(text)
    return text


def _canonical_step(block: str) -> str:
    text = fold_typography(_normalize_block(block)).casefold()
    text = _drop_markup(_drop_links(text))
    text = _CROSS_REF.sub(r"\1 #", text)
    text = guarded_sub(_RELATIVE_TIME, "# ago", text)
    text = _MACHINE_ID.sub("", text)
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", _SPACE_AFTER_OPEN.sub(r"\1", text))
    text = _NO_SPACE_AFTER_PUNCT.sub(r"\g<0> ", text)
    return " ".join(text.split())


def _join_blocks(parts: Iterable[str]) -> str:
    """Join canonical blocks as `_canonical_block` would have joined the words of one block."""
    out: list[str] = []
    for part in parts:
        if not part:
            continue
        if out and (part[0] in ".,;:!?)]" or out[-1][-1] in "(["):
            out[-1] += part
        else:
            out.append(part)
    return " ".join(out)


CANONICAL_CACHE_MAX_CHARS = 4096
"""Texts up to this long (clauses, not whole documents) have their canonical text memoized."""


def _lines_and_spaces(markdown: str) -> str:
    """Line breaks as `\\n` and control characters as spaces, as `normalize_text` reads them ('+\\x1f' is
    '+ ', not a list item followed by a line break)."""
    text = markdown.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub(" ", text) if _CONTROL.search(text) else text


def canonical_text(markdown: str) -> str:
    """The words a reader reads, folded for comparison: one lower-case line. Idempotent."""
    if len(markdown) <= CANONICAL_CACHE_MAX_CHARS:
        return _canonical_clause(markdown)
    return _canonical_text(markdown)


@lru_cache(maxsize=1 << 15)
def _canonical_clause(markdown: str) -> str:
    """`canonical_text` of a short text, memoized: a history compares the same clauses many times."""
    return _canonical_text(markdown)


def _canonical_text(markdown: str) -> str:
    text = _lines_and_spaces(markdown)
    parts = [part for part in map(_canonical_block, _BLOCK_BREAK.split(text)) if part]
    if len(parts) == 1:
        return parts[0]  # a fixpoint of `_canonical_step` already: one more step would give it back
    return _canonical_fixpoint(_join_blocks(parts))


def canonical_blocks(markdown: str) -> str:
    """`canonical_text` of each block (paragraph) of a long text, joined by spaces: nearly the canonical
    text, at the cost of the blocks not seen before (the blocks are cached) instead of a whole pass over
    the text (`canonical_text` of a long text ends with one; 7% of page generation on the bundle, for
    estimates such as `diff.variants`' similarity, where a space more or less does not count)."""
    return " ".join(part for part in map(_canonical_block, _BLOCK_BREAK.split(_lines_and_spaces(markdown)))
                    if part)


@lru_cache(maxsize=1 << 15)
def _squashed_block(block: str) -> str:
    words = _KEY_PUNCTUATION.sub("", fold_spelling(_canonical_block(block)))
    return _UNKEYED.sub("", words).translate(_GLITCHABLE)


def fold_spelling(text: str) -> str:
    """British spellings folded to American ones (`licence` → `license`, `organise` → `organize`):
    the same terms served to another region are not a change."""
    for pattern, replacement in _SPELLINGS:
        text = guarded_sub(pattern, replacement, text)
    return text


def canonical_key(markdown: str) -> str:
    """A hash of the canonical text without whitespace and quotes, accented Latin letters and apostrophes
    folded together: equal keys mean no change a reader would read as a change."""
    text = _lines_and_spaces(markdown)
    squashed = "".join(_squashed_block(block) for block in _BLOCK_BREAK.split(text))
    return hashlib.blake2b(squashed.encode("utf-8"), digest_size=16).hexdigest()
