"""`clausewatch serve`: the built site over HTTP on 127.0.0.1 only."""

from __future__ import annotations

import http.server
import sys
from functools import partial
from pathlib import Path

from clausewatch.errors import BuildError


def make_server(site_dir: Path, port: int) -> http.server.ThreadingHTTPServer:
    """An HTTP server for the built site bound to 127.0.0.1 only (port 0: any free port)."""
    if not (site_dir / "index.html").is_file():
        raise BuildError(
            f"'{site_dir}' holds no built site (no index.html)", fix="run `clausewatch build` first"
        )
    handler = partial(_QuietHandler, directory=str(site_dir))
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (http.server's signature)
        return


def serve_site(site_dir: Path, port: int) -> None:
    """Serve the built site on http://127.0.0.1:PORT/ until interrupted."""
    with make_server(site_dir, port) as server:
        print(f"Serving {site_dir} on http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C to stop)",
              file=sys.stderr)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
