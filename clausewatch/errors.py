"""The one exception tree of Clausewatch.

    ClausewatchError (click.ClickException: the CLI prints the message and exits with its code)
     ├── ConfigError          a declaration, commentary file or workspace setting is wrong (exit 2)
     ├── ArchiveError         the git archive is missing, not a repository, locked or inconsistent (exit 3)
     ├── FetchError           a document could not be fetched: network, HTTP status, size, address (exit 4)
     │    └── StatusError     the server answered with a non-2xx status
     ├── ExtractError         the fetched page did not yield the document: selector matched nothing,
     │                        empty text, a bot wall, a login wall, expected phrases missing (exit 4)
     └── BuildError           generating pages or building the site failed (exit 5)

Every message names the thing (file, key, URL), the problem, and how to fix it.
"""

from __future__ import annotations

import click


class ClausewatchError(click.ClickException):
    """Base of every error Clausewatch raises on purpose."""

    exit_code = 1

    def __init__(self, message: str, *, fix: str | None = None) -> None:
        self.problem = message
        self.fix = fix
        super().__init__(f"{message}\n  To fix: {fix}" if fix else message)


class ConfigError(ClausewatchError):
    """Raised by the declaration and commentary loaders and the workspace reader."""

    exit_code = 2

    def __init__(self, message: str, *, fix: str | None = None, errors: tuple[str, ...] = ()) -> None:
        self.errors = errors
        super().__init__(message, fix=fix)


class ArchiveError(ClausewatchError):
    """Raised by `clausewatch.archive`, the only module that touches git."""

    exit_code = 3


class FetchError(ClausewatchError):
    """Raised by the fetcher: the document could not be fetched."""

    exit_code = 4

    def __init__(self, message: str, *, url: str = "", reason: str = "network", fix: str | None = None) -> None:
        self.url = url
        self.reason = reason
        super().__init__(message, fix=fix)


class StatusError(FetchError):
    """The server answered with a non-2xx status, e.g. "Client error '404 Not Found' for url '…'"."""

    def __init__(self, status: int, phrase: str, url: str, *, reason: str = "http-status") -> None:
        self.status = status
        kind = "Client error" if 400 <= status < 500 else "Server error" if status >= 500 else "Unexpected status"
        super().__init__(f"{kind} '{status} {phrase}' for url '{url}'", url=url, reason=reason)


class ExtractError(ClausewatchError):
    """Raised by extraction and the garbage checks: nothing that is the document was found."""

    exit_code = 4

    def __init__(self, message: str, *, reason: str = "extract", fix: str | None = None) -> None:
        self.reason = reason
        super().__init__(message, fix=fix)


class BuildError(ClausewatchError):
    """Raised by the site generator and builder."""

    exit_code = 5
