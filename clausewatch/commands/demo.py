"""The offline demo: a fictional video-meeting service changes its terms over five rounds.

A local HTTP server on 127.0.0.1 serves Confero's Terms of Service and Privacy Policy as HTML pages
(with a menu, a cookie banner and tracking parameters in links, as real pages have). Between tracking
rounds the server's pages change:

1. 2023-01-15  first record of both documents;
2. 2023-03-31  the terms add a perpetual, sublicensable licence to customer content for AI training;
3. 2023-08-07  the terms promise not to train AI on audio, video or chat without consent;
4. 2023-09-01  only the tracking parameters in links change: nothing must be recorded;
5. 2023-10-16  the terms gain a "Definitions" section and every later section is renumbered;
               the privacy policy switches its section numbering style (cosmetic only).

Each round is recorded as if observed on its date, so the built site shows a realistic timeline.
The texts are fiction written for this demo.
"""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import markdown

from clausewatch.archive.read import latest_text, open_archive
from clausewatch.commands.init import init_workspace
from clausewatch.diff.clauses import split_clauses
from clausewatch.errors import ConfigError
from clausewatch.scraper.track import track_documents
from clausewatch.site.build import build_site
from clausewatch.workspace import Workspace

MARKER = ".clausewatch-demo"
DATA_DIR = Path(__file__).parent / "demo_data"
ROUND_DATES = ("2023-01-15", "2023-03-31", "2023-08-07", "2023-09-01", "2023-10-16")

LICENCE_GRANT = """
4.4 **Customer License Grant.** You agree to grant and hereby grant Confero a perpetual, worldwide, \
non-exclusive, royalty-free, sublicensable, and transferable license and all other rights required or \
necessary to redistribute, publish, import, access, use, store, transmit, review, disclose, preserve, \
extract, modify, reproduce, share, use, display, copy, distribute, translate, transcribe, create \
derivative works, and process Customer Content and to perform all acts with respect to the Customer \
Content for the purpose of product and service development, marketing, analytics, quality assurance, \
machine learning, artificial intelligence, training, testing, improvement of the Services, Software, or \
Confero's other products, services, and software, or any combination thereof.
"""

CONSENT_PROMISE = (
    " Notwithstanding the above, Confero will not use audio, video or chat Customer Content to train our"
    " artificial intelligence models without your consent."
)

DEFINITIONS = """## 1. Definitions

In these Terms, "Participant" means any person who joins a meeting hosted through your account, and \
"Software" means the Confero applications you download or use in a browser.

"""

COMMENTARY = """---
service: confero
document: terms-of-service
change: "2023-03-31"
clause: {clause}
title: A licence to train AI on your meetings
authors:
  - Clausewatch demo editors
sources:
  - https://confero.example/terms
status: published
quote: "machine learning, artificial intelligence, training"
---
Section 4.4 is new. It gives Confero a **perpetual**, **sublicensable** licence to everything said and
shown in your meetings, explicitly *for machine learning, artificial intelligence, training*.
Nothing in the change asks for consent, and the "Last updated" date did not move with it.
"""


def _read_data(name: str) -> str:
    return (DATA_DIR / name).read_text(encoding="utf-8")


def iter_rounds() -> Iterator[tuple[str, str, str]]:
    """(date, terms Markdown, privacy Markdown) for each round, oldest first."""
    terms, privacy = _read_data("terms.md"), _read_data("privacy.md")
    yield ROUND_DATES[0], terms, privacy
    terms = terms.replace("## 5. Acceptable Use", LICENCE_GRANT.strip() + "\n\n## 5. Acceptable Use")
    yield ROUND_DATES[1], terms, privacy
    terms = terms.replace("or any combination thereof.", "or any combination thereof." + CONSENT_PROMISE)
    terms = terms.replace("January 10, 2023", "August 7, 2023")
    yield ROUND_DATES[2], terms, privacy
    yield ROUND_DATES[3], terms, privacy
    terms = _renumber(terms).replace("## 2. Accounts", DEFINITIONS + "## 2. Accounts")
    privacy = _renumber_headings_only(privacy)
    yield ROUND_DATES[4], terms, privacy


def _renumber(text: str) -> str:
    """Shift every section number up by one (`## 3.` → `## 4.`, `3.2` → `4.2`)."""
    text = re.sub(r"^## (\d+)\.", lambda m: f"## {int(m.group(1)) + 1}.", text, flags=re.M)
    return re.sub(r"^(\d+)\.(\d+) ", lambda m: f"{int(m.group(1)) + 1}.{m.group(2)} ", text, flags=re.M)


def _renumber_headings_only(text: str) -> str:
    """`## 1. Data We Collect` → `## Section 1: Data We Collect` (numbering style only)."""
    return re.sub(r"^## (\d+)\. ", lambda m: f"## Section {m.group(1)}: ", text, flags=re.M)


def render_page(title: str, body_markdown: str, round_index: int) -> bytes:
    """A realistic page: menu, cookie banner, the document, tracking parameters in every link."""
    body = markdown.markdown(body_markdown)
    tracking = f"utm_source=confero&amp;utm_medium=web&amp;sessionid=r{round_index}x{round_index * 7919}"
    body = body.replace('.example/privacy"', f'.example/privacy?{tracking}"')
    body = body.replace('.example/terms"', f'.example/terms?{tracking}"')
    body = body.replace('.example/contact"', f'.example/contact?{tracking}"')
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} | Confero</title></head>
<body>
<nav class="menu"><a href="/">Home</a> <a href="/pricing?{tracking}">Pricing</a> <a href="/login">Sign in</a></nav>
<div class="cookie-banner">We use cookies. <button>Accept all</button></div>
<main><article class="legal">
{body}
<aside class="share">Share this page: <a href="https://social.example/share?u=terms&amp;{tracking}">Post</a></aside>
</article></main>
<footer>&copy; 2023 Confero Communications, Inc. <a href="/careers?{tracking}">Careers</a></footer>
</body></html>"""
    return page.encode("utf-8")


@dataclass
class DemoServer:
    """Serves the current round's pages on 127.0.0.1; `set_round` changes them."""

    pages: dict[str, bytes]
    port: int = 0

    def set_round(self, index: int, terms: str, privacy: str) -> None:
        self.pages = {
            "/terms": render_page("Terms of Service", terms, index),
            "/privacy": render_page("Privacy Policy", privacy, index),
        }


@contextmanager
def serve_demo_pages() -> Iterator[DemoServer]:
    state = DemoServer(pages={})

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            body = state.pages.get(self.path.split("?")[0])
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body or b"<h1>Not found</h1>")

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def declaration(port: int) -> str:
    """services/confero.yml for the demo server."""
    return f"""# A fictional service, served by `clausewatch demo` on 127.0.0.1.
name: Confero
documents:
  terms-of-service:
    name: Terms of Service
    url: http://127.0.0.1:{port}/terms
    select: article.legal
    remove: [aside.share]
  privacy-policy:
    name: Privacy Policy
    url: http://127.0.0.1:{port}/privacy
    select: article.legal
    remove: [aside.share]
"""


def prepare_out_dir(out: Path) -> None:
    """Refuse to touch a folder that is not an earlier demo; clear an earlier demo."""
    if out.exists() and any(out.iterdir()):
        if not (out / MARKER).exists():
            raise ConfigError(
                f"'{out}' exists and is not a Clausewatch demo folder",
                fix="pass --out with a new or empty folder (the demo deletes and rewrites its folder)",
            )
        shutil.rmtree(out)


def run_demo(out: Path) -> Path:
    """Track the fictional service over every round, build the site, return the site folder."""

    out = out.resolve()
    prepare_out_dir(out)
    init_workspace(out)
    (out / MARKER).write_text("This folder was made by `clausewatch demo` and is rewritten by it.\n")
    workspace = Workspace(out)
    with serve_demo_pages() as server:
        (workspace.services / "confero.yml").write_text(declaration(server.port), encoding="utf-8")
        for index, (date, terms, privacy) in enumerate(iter_rounds(), start=1):
            server.set_round(index, terms, privacy)
            moment = datetime.fromisoformat(date).replace(hour=9, tzinfo=UTC)
            track_documents(workspace, allow_private=True, clock=_stopped_clock(moment), progress=False)
            if index == 2:
                _write_commentary(workspace)
    return build_site(workspace, out / "site", timings=False)


def _stopped_clock(moment: datetime) -> Callable[[], datetime]:
    """A clock that always says `moment`: what a round records is observed at the round's date."""

    def clock() -> datetime:
        return moment

    return clock


def _write_commentary(workspace: Workspace) -> None:
    """The demo's contributor note on the AI-training licence, anchored to its clause id."""

    text = latest_text(open_archive(workspace.archive), "confero", "terms-of-service") or ""
    clause = next(c.id for c in split_clauses(text) if "Customer License Grant" in (c.heading or c.text))
    target = workspace.commentary / "confero" / "terms-of-service" / "2023-03-31-ai-training-licence.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(COMMENTARY.format(clause=clause), encoding="utf-8")
