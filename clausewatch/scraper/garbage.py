"""Refusing garbage: decide whether an extracted text really is the declared document.

Pure functions only. `check_extraction` raises `ExtractError` with a distinct `reason` when the page is
not the document, so the tracker records nothing (or, for `drastic-change`, holds the version in the
quarantine for a maintainer to review):

    http-status     the server answered with an error status that is not a bot block
    bot-wall        a bot-protection or captcha challenge (Cloudflare, Akamai, PerimeterX, DataDome, ...)
                    or a 403/429/503 answer
    login-wall      a sign-in form or a "log in to continue" page instead of the document
    empty           the extraction is empty or whitespace only
    navigation      the extraction is a menu: nearly every line is a short link
    expect-missing  a phrase the declaration `expect:`s is absent (the selector now matches something else)
    drastic-change  more than half the clauses gone, or the text shrank below 50% / grew above 3x
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from clausewatch.diff.normalize import normalize_text
from clausewatch.errors import ExtractError
from clausewatch.models import Document, Snapshot
from clausewatch.scraper.extract import decode_content
from clausewatch.scraper.pdf import is_pdf

BOT_STATUSES = frozenset({403, 429, 503})
"""Statuses that bot-protection services answer with; the tracker may retry these with a browser."""

SHORT_PAGE_WORDS = 400
"""Textual wall phrases only count on pages shorter than this: a long policy may mention captchas."""

SHRINK_RATIO = 0.5
GROWTH_RATIO = 3.0
CLAUSES_GONE_RATIO = 0.5
MIN_PREVIOUS_CHARS = 200
"""Size ratios are only meaningful against a previous version at least this long."""
MIN_PREVIOUS_CLAUSES = 4

# Markers in the raw HTML (lower-cased) that only challenge or block pages carry: trusted on any page.
_CHALLENGE_MARKERS = (
    "_cf_chl_opt", "cf-browser-verification", "cf_chl_prog", "px-captcha", "captcha.px-cdn.net",
    "_pxcaptcha", "geo.captcha-delivery.com", "ct.captcha-delivery.com",
)
# Vendor traces that normal pages of protected sites carry too (tag scripts, widgets, cookie names in a
# cookie table): trusted only on short pages.
_VENDOR_MARKERS = (
    "/cdn-cgi/challenge-platform/", "challenges.cloudflare.com", "cf-turnstile", "cf-wrapper",
    "_incapsula_resource", "incap_ses_", "perimeterx", "datadome", "g-recaptcha", "h-captcha",
)
_CHALLENGE_TITLE = re.compile(
    r"<title>\s*(?:just a moment\.*|attention required!?[^<]*|access denied|access to this page has been "
    r"denied\.?|pardon our interruption|are you a robot\??|security check|one more step)\s*</title>"
)
# Phrases a human-verification page shows; trusted only on short pages.
_BOT_PHRASES = re.compile(
    r"just a moment\.\.\.|checking (?:if the site connection is secure|your browser)|"
    r"verify (?:that )?you are (?:a )?human|are you a robot|access denied|"
    r"you don't have permission to access|reference #\s*\d+\.[0-9a-f]+|"
    r"enable javascript and cookies to continue|unusual traffic from your computer|"
    r"press (?:&amp; |& )?hold|complete the security check|please solve (?:the|this) captcha|"
    r"request unsuccessful\. incapsula|ddos protection by|pardon our interruption",
    re.IGNORECASE,
)
_PASSWORD_INPUT = re.compile(r"<input\b[^>]*\btype\s*=\s*[\"']?password", re.IGNORECASE)
_LOGIN_PHRASES = re.compile(
    r"\b(?:log ?in|sign ?in) to (?:continue|view|access|see|read)\b|"
    r"\bplease (?:log ?in|sign ?in)\b|\byou (?:must|need to) (?:be logged in|log ?in|sign ?in)\b|"
    r"\bsession (?:has )?expired\b|\bforgot (?:your )?password\??|\bcreate an account\b.{0,80}\bsign ?in\b",
    re.IGNORECASE | re.DOTALL,
)
_LINK_LINE = re.compile(r"^\s*(?:[-*+]\s+|\d+[.)]\s+)?\[[^\]]{0,60}\]\([^)]*\)\s*[|·•]?\s*$")
_LEADING_NUMBER = re.compile(
    r"^\s*(?:#+\s*)?(?:[-*+]\s+)?(?:\(?(?:\d+|[a-z]|[ivx]{1,5})\)|\d+(?:\.\d+)*\.?)\s+", re.IGNORECASE
)
_WORD = re.compile(r"\w+")


def check_extraction(
    text: str,
    *,
    previous: str | None,
    expect: Sequence[str] = (),
    status: int = 200,
    html: str = "",
    where: str = "",
) -> None:
    """Raise `ExtractError` (with its `reason`) when `text`, extracted from `html`, is not the document.

    `previous` is the last recorded text (None for a first record); `where` names the document or URL
    in messages.
    """
    where = where or "the page"
    check_status(status, html, where=where)
    check_walls(text, html, where=where)
    check_empty(text, where=where)
    check_expected(text, expect, where=where)
    check_navigation(text, where=where)
    if previous is not None:
        check_drastic_change(previous, text, where=where)


def check_status(status: int, html: str = "", *, where: str) -> None:
    """A bot-blocking status is a `bot-wall`; any other error status is `http-status`."""
    if status in BOT_STATUSES:
        raise ExtractError(
            f"{where}: the server answered {status}, the way bot protection blocks clients",
            reason="bot-wall",
            fix="retry later, declare `executable: true` to fetch with a browser, or ask the site to allow "
            "the Clausewatch user agent",
        )
    if status >= 400 or status < 200:
        raise ExtractError(f"{where}: the server answered HTTP {status}", reason="http-status",
                           fix="check the declared URL in a browser; update it if the document moved")


def check_walls(text: str, html: str, *, where: str) -> None:
    """Raise `bot-wall` or `login-wall` when the page has the shape of a challenge or a sign-in page."""
    short = count_words(text) < SHORT_PAGE_WORDS
    found = find_challenge(html, short=short)
    if found is None and short:
        phrase = _BOT_PHRASES.search(text) or _BOT_PHRASES.search(html)
        found = phrase.group(0) if phrase else None
    if found:
        raise ExtractError(
            f"{where}: the page is a bot-protection challenge, not the document (found {found.strip()!r})",
            reason="bot-wall",
            fix="retry later or declare `executable: true`; if the challenge persists the site blocks "
            "automated reading and the document must be tracked from another URL",
        )
    if short and (_PASSWORD_INPUT.search(html) or _LOGIN_PHRASES.search(text)):
        raise ExtractError(
            f"{where}: the page asks to sign in instead of showing the document",
            reason="login-wall",
            fix="declare the public URL of the document (one that opens in a private browser window)",
        )


def find_challenge(html: str, *, short: bool) -> str | None:
    """The first challenge-page marker in `html` (vendor traces too when the page is `short`), or None."""
    lowered = html.lower()
    title = _CHALLENGE_TITLE.search(lowered) if "<title" in lowered else None
    if title:
        return title.group(0)
    markers = _CHALLENGE_MARKERS + _VENDOR_MARKERS if short else _CHALLENGE_MARKERS
    return next((marker for marker in markers if marker in lowered), None)


def check_empty(text: str, *, where: str) -> None:
    """Raise `empty` for a blank extraction."""
    if not text.strip():
        raise ExtractError(f"{where}: the extracted text is empty", reason="empty",
                           fix="check the declaration's `select:` selectors against the page")


def check_navigation(text: str, *, where: str) -> None:
    """Raise `navigation` for an extraction that is only a menu of links."""
    lines = [line for line in text.splitlines() if line.strip()]
    links = sum(1 for line in lines if _LINK_LINE.match(line))
    if len(lines) >= 3 and links / len(lines) >= 0.8 and count_words(text) < SHORT_PAGE_WORDS:
        raise ExtractError(
            f"{where}: the extracted text is a menu ({links} of {len(lines)} lines are links), "
            "not the document",
            reason="navigation",
            fix="the page was probably redesigned: update `select:` (and add `remove:` for the menu)",
        )


def check_expected(text: str, expect: Sequence[str], *, where: str) -> None:
    """Raise `expect-missing` naming every declared `expect:` phrase that is absent from `text`."""
    if not expect:
        return
    folded = fold(text)
    missing = [phrase for phrase in expect if fold(phrase) not in folded]
    if missing:
        raise ExtractError(
            f"{where}: expected phrase(s) missing from the extracted text: "
            + ", ".join(repr(phrase) for phrase in missing),
            reason="expect-missing",
            fix="the selector probably matches something else after a redesign: update `select:`, or "
            "update `expect:` if the document itself changed its wording",
        )


def check_drastic_change(previous: str, text: str, *, where: str) -> None:
    """Raise `drastic-change` when most clauses vanished or the size changed beyond the ratios."""
    problem = describe_drastic_change(previous, text)
    if problem:
        raise ExtractError(
            f"{where}: {problem}; the version is held for review instead of published",
            reason="drastic-change",
            fix="look at the held version (`clausewatch status`); if it is the real document run "
            "`clausewatch release SERVICE/DOCUMENT`, otherwise fix the declaration's selectors",
        )


def describe_drastic_change(previous: str, text: str) -> str | None:
    """Why `text` differs drastically from `previous`, or None when the change is plausible."""
    before, after = len(previous.strip()), len(text.strip())
    if before >= MIN_PREVIOUS_CHARS:
        if after < before * SHRINK_RATIO:
            return f"the text shrank to {after / before:.0%} of the previous version ({before} → {after} ch.)"
        if after > before * GROWTH_RATIO:
            return f"the text grew to {after / before:.1f}x the previous version ({before} → {after} ch.)"
    old_clauses = clause_words(previous)
    if len(old_clauses) >= MIN_PREVIOUS_CLAUSES:
        gone = count_clauses_gone(old_clauses, text)
        if gone > len(old_clauses) * CLAUSES_GONE_RATIO:
            return f"{gone} of the previous version's {len(old_clauses)} clauses are gone"
    return None


def count_clauses_gone(old_clauses: Sequence[Sequence[str]], text: str) -> int:
    """How many old clauses (as words) have less than half their word trigrams anywhere in `text`.

    Linear in the size of both texts, and tolerant of small edits and renumbering.
    """
    present = set(trigrams(tokens(text)))
    gone = 0
    for words in old_clauses:
        grams = trigrams(words)
        kept = sum(1 for gram in grams if gram in present)
        if kept * 2 < len(grams):
            gone += 1
    return gone


def clause_words(text: str) -> list[list[str]]:
    """The clauses of a Markdown text as word lists, roughly: blocks and list items of three words or more."""
    clauses: list[list[str]] = []
    for block in re.split(r"\n\s*\n", text):
        for item in re.split(r"\n(?=\s*(?:[-*+]|\d+[.)])\s)", block):
            words = tokens(item)
            if len(words) >= 3:
                clauses.append(words)
    return clauses


def tokens(text: str) -> list[str]:
    """Lower-case words, without a leading clause number."""
    return _WORD.findall(_LEADING_NUMBER.sub("", text, count=1).lower())


def trigrams(words: Sequence[str]) -> list[tuple[str, ...]]:
    """Word trigrams (a single tuple for texts shorter than three words)."""
    if len(words) < 3:
        return [tuple(words)] if words else []
    return list(zip(words, words[1:], words[2:], strict=False))


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


def fold(text: str) -> str:
    """Case- and whitespace-insensitive form for phrase matching (Markdown emphasis and quotes folded)."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = re.sub(r"[*_`]+", "", text)
    return " ".join(text.lower().split())


HTML_SCAN_BYTES = 512 * 1024
"""How much of the raw page the wall detectors look at (challenge pages are small)."""


def check_document_text(document: Document, markdown: str, snapshot: Snapshot, previous: str | None) -> None:
    """`check_extraction` for one tracked document: its `expect:` phrases, the raw page's shape, and the
    normalized text against the last recorded one."""

    html = "" if is_pdf(snapshot.content, snapshot.content_type) else decode_content(
        snapshot.content[:HTML_SCAN_BYTES], snapshot.content_type)
    check_extraction(normalize_text(markdown), previous=previous, expect=document.expect,
                     status=snapshot.status, html=html, where=document.key)
