"""The one exception tree of Clausewatch: plain exceptions, no dependency on the command line.

    ClausewatchError          some work failed (the CLI exits 1)
     ├── ConfigError          a declaration, commentary file or workspace setting is wrong (exit 2)
     ├── ArchiveError         the git archive is missing, not a repository, locked or inconsistent (exit 3)
     ├── FetchError           a document could not be fetched: network, HTTP status, size, address (exit 4)
     │    └── StatusError     the server answered with a non-2xx status
     ├── ExtractError         the fetched page did not yield the document: selector matched nothing,
     │                        empty text, a bot wall, a login wall, expected phrases missing (exit 4)
     └── BuildError           generating pages or building the site failed (exit 5)

Every message names the thing (file, key, URL), the problem, and how to fix it: `str(error)` is
"<thing>: <problem>\\n  To fix: <fix>". The exit codes belong to the command line (`clausewatch.cli`
maps each class to its code and prints `Error: <message>` on stderr).

`FetchError.reason` and `ExtractError.reason` say why, in one word of `FailureReason`: the run report
(`.clausewatch/runs/*.json`), `clausewatch status` and the site's status page show it.
"""

from __future__ import annotations

from typing import Literal

FailureReason = Literal[
    # fetching (FetchError)
    "network",          # the default of a FetchError that says nothing more precise
    "connection",       # DNS, refused, reset, TLS, truncated body
    "timeout",          # connecting or reading took too long
    "http-status",      # a non-2xx answer (also a 304 with nothing recorded yet)
    "redirects",        # too many redirects, or a loop
    "scheme",           # not an http(s) URL
    "private-address",  # a loopback or private address without --allow-private-addresses
    "too-large",        # the body is larger than the size cap
    "robots",           # robots.txt disallows the URL (or could not be read)
    "no-browser",       # the page needs the headless browser and none is installed
    "bot-wall",         # a challenge page instead of the document
    # extracting and checking (ExtractError)
    "extract",          # the default of an ExtractError that says nothing more precise
    "source",           # `clausewatch extract`: neither a URL nor an existing file
    "selector",         # a CSS selector is invalid or matched nothing
    "empty",            # the extracted text is empty
    "pdf",              # the PDF is encrypted, empty or unreadable
    "login-wall",       # a login page instead of the document
    "navigation",       # menus and links, not the document
    "expect-missing",   # an `expect:` phrase of the declaration is missing
    "drastic-change",   # held for review in the quarantine instead of recorded
    # the tracker itself
    "internal",         # a Clausewatch bug: the document failed, the run went on
]
"""Why a document failed, as shown in run reports, `clausewatch status` and the status page."""


class ClausewatchError(Exception):
    """Base of every error Clausewatch raises on purpose."""

    def __init__(self, message: str, *, fix: str | None = None) -> None:
        self.problem = message
        self.fix = fix
        super().__init__(f"{message}\n  To fix: {fix}" if fix else message)

    @property
    def message(self) -> str:
        """The whole message: the problem, then `To fix: …` on its own line when there is a fix."""
        return f"{self.problem}\n  To fix: {self.fix}" if self.fix else self.problem

    def __str__(self) -> str:
        return self.message


class ConfigError(ClausewatchError):
    """Raised by the declaration and commentary loaders and the workspace reader."""

    def __init__(self, message: str, *, fix: str | None = None, errors: tuple[str, ...] = ()) -> None:
        self.errors = errors
        super().__init__(message, fix=fix)


class ArchiveError(ClausewatchError):
    """Raised by `clausewatch.archive`, the only module that touches git."""


class FetchError(ClausewatchError):
    """Raised by the fetcher: the document could not be fetched."""

    def __init__(self, message: str, *, url: str = "", reason: FailureReason = "network",
                 fix: str | None = None) -> None:
        self.url = url
        self.reason: FailureReason = reason
        super().__init__(message, fix=fix)


class StatusError(FetchError):
    """The server answered with a non-2xx status, e.g. "Client error '404 Not Found' for url '…'"."""

    def __init__(self, status: int, phrase: str, url: str, *, reason: FailureReason = "http-status") -> None:
        self.status = status
        kind = "Client error" if 400 <= status < 500 else "Server error" if status >= 500 else "Unexpected status"
        super().__init__(f"{kind} '{status} {phrase}' for url '{url}'", url=url, reason=reason)


class ExtractError(ClausewatchError):
    """Raised by extraction and the garbage checks: nothing that is the document was found."""

    def __init__(self, message: str, *, reason: FailureReason = "extract", fix: str | None = None) -> None:
        self.reason: FailureReason = reason
        super().__init__(message, fix=fix)


class BuildError(ClausewatchError):
    """Raised by the site generator and builder."""
