"""robots.txt: ask each host once per run whether our user agent may fetch a URL.

The rules follow RFC 9309: a robots.txt answering 4xx (or missing) allows everything; one answering 5xx
or unreachable disallows everything for this run (the document fails with reason `robots`, to be
retried next run). A declaration may override robots.txt with `robots: ignore` and a written `reason:`.
The file itself is read by Protego (maintained, RFC 9309): the group of our product token wins over
`*`, the longest matching rule wins (`Allow` on a tie), `*` matches any characters and `$` ends a path.

The cache takes a `fetch_text(url) -> (status, text)` function, so this module never touches the network
itself; the tracker passes one built on the fetcher (with its address guard and size cap).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from protego import Protego

from clausewatch.errors import ClausewatchError, FetchError

FetchText = Callable[[str], tuple[int, str]]
"""`fetch_text(url) -> (http_status, body_text)`; raises FetchError when the host is unreachable."""

REFUSALS = frozenset({"private-address", "scheme"})
"""Fetch failures of robots.txt that are really refusals of the host itself (reported as such)."""

ROBOTS_AGENT = "Clausewatch"
"""The product token matched against `User-agent:` lines."""


def robots_url(url: str) -> str:
    """`https://example.com/a/b?x` → `https://example.com/robots.txt`."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/robots.txt"


@dataclass(frozen=True, slots=True)
class RobotsRules:
    """The rules of one robots.txt answer."""

    parser: Protego

    def can_fetch(self, agent: str, url: str) -> bool:
        """True when robots.txt lets the product token `agent` fetch `url`."""
        return self.parser.can_fetch(url, agent)


_DISALLOW_ALL = "User-agent: *\nDisallow: /\n"


def parse_robots(status: int, text: str) -> RobotsRules:
    """The rules of one robots.txt answer (RFC 9309 status rules applied): 5xx disallows all, 4xx (or
    an answer below 200) allows all, anything else is parsed."""
    if status >= 500:
        return RobotsRules(Protego.parse(_DISALLOW_ALL))
    if status >= 400 or status < 200:
        return RobotsRules(Protego.parse(""))
    return RobotsRules(Protego.parse(text))


class RobotsCache:
    """robots.txt rules per scheme+host, fetched at most once per run, shared by worker threads."""

    def __init__(self, fetch_text: FetchText, *, agent: str = ROBOTS_AGENT) -> None:
        self._fetch_text = fetch_text
        self._agent = agent
        self._parsers: dict[str, RobotsRules] = {}
        self._unreadable: set[str] = set()
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def parser_for(self, url: str) -> RobotsRules:
        """The parsed robots.txt of `url`'s host (fetched on first use; a failed fetch disallows all)."""
        key = robots_url(url)
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._parsers:
                try:
                    status, text = self._fetch_text(key)
                except FetchError as exc:
                    if exc.reason in REFUSALS:
                        raise  # the document's own URL is refused: say so, not "robots.txt unreadable"
                    status, text = 599, ""
                except ClausewatchError:
                    status, text = 599, ""
                self._parsers[key] = parse_robots(status, text)
                if status >= 500:
                    self._unreadable.add(key)
            return self._parsers[key]

    def check(self, url: str, *, ignore: bool = False, reason: str = "", where: str = "") -> None:
        """Raise FetchError(reason="robots") when robots.txt forbids `url`, unless the declaration
        overrides it (`ignore=True` with a non-empty `reason`)."""
        if ignore and reason.strip():
            return
        parser = self.parser_for(url)
        if parser.can_fetch(self._agent, url):
            return
        unreachable = robots_url(url) in self._unreadable
        problem = "its robots.txt could not be read (server error), so it disallows all" if unreachable else (
            f"its robots.txt disallows {self._agent} from this path"
        )
        raise FetchError(
            f"{where + ': ' if where else ''}'{url}' not fetched: {problem}",
            url=url,
            reason="robots",
            fix="respect the site's wish, or, if the terms must be public by law, add `robots: ignore` "
            "with a `reason:` to the declaration",
        )
