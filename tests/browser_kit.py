"""What the browser tests share: Debian's Chromium driven by Playwright, a built site served on loopback,
and pages that record their errors.

    with serve_folder(site_dir) as base:        # http://127.0.0.1:<port>/
        with chromium() as browser:
            page = open_page(browser, base + "acme/", width=390)
            assert not page.errors
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import threading
from collections.abc import Iterator, Mapping, Sequence
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SIZES = {1280: 900, 390: 844}
"""The two widths every reader-facing page is looked at, with a phone's and a laptop's first screen."""


def new_workspace(root: Path) -> tuple[Any, Any]:
    """A fresh workspace at `root` (a git repository with the site skeleton and an empty archive) and its
    open archive, for a test to record versions in."""
    from clausewatch.archive.read import open_archive
    from clausewatch.archive.write import init_repository
    from clausewatch.site.build import SKELETON_DIR
    from clausewatch.workspace import Workspace

    init_repository(root)
    shutil.copytree(SKELETON_DIR, root, dirs_exist_ok=True)
    (root / "archive").mkdir()
    workspace = Workspace(root)
    return workspace, open_archive(workspace.archive)


def require_chromium() -> None:
    """Skip with the fix when Debian's chromium is missing (`scripts/test` installs it)."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (apt-get install chromium)")


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base class's name)
        pass


@contextlib.contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """A static server for `folder` on 127.0.0.1 and a free port; yields its base URL (ending in /)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def chromium() -> Iterator[object]:
    """Headless Chromium (the system's, not a downloaded one)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def open_page(browser: object, url: str, width: int = 1280, *, failed_responses: bool = False,
              permissions: Sequence[str] = ()) -> object:
    """A new page at `width` (height of that width's first screen) on `url`, granted `permissions` on
    its origin; `page.errors` collects script errors, console errors and, with `failed_responses`, every
    response of status 400 or more."""
    context = browser.new_context(viewport={"width": width, "height": SIZES[width]})  # type: ignore[attr-defined]
    if permissions:
        parts = urlsplit(url)
        context.grant_permissions(list(permissions), origin=f"{parts.scheme}://{parts.netloc}")
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and page.errors.append(message.text))
    if failed_responses:
        page.on("response", lambda response: response.status >= 400 and page.errors.append(
            f"{response.status} {response.url}"))
    page.goto(url)
    return page


@contextlib.contextmanager
def environment(values: Mapping[str, str | None]) -> Iterator[None]:
    """Set (or, for None, remove) environment variables for the block, then restore them."""
    saved = {name: os.environ.get(name) for name in values}
    try:
        _set_environment(values)
        yield
    finally:
        _set_environment(saved)


def _set_environment(values: Mapping[str, str | None]) -> None:
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def expect(locator: object) -> object:
    """Playwright's `expect` (imported lazily, as the rest of this kit): locator assertions poll from the
    test's side, where `wait_for_function` with a string would evaluate it in the page, which the
    site's CSP (no 'unsafe-eval') refuses."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)  # type: ignore[call-overload]
