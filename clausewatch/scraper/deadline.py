"""The total time limit of one fetch, enforced on its sockets (part of the network edge, with fetch.py).

A read timeout restarts with every byte: a server trickling its headers or body one byte at a time
never trips it. So `fetch` runs inside a `Deadline`: every connection the fetching thread opens or
reuses (`WatchedConnection`, mixed into fetch.py's connection classes) is registered with it, and when
the time is up a timer shuts their sockets down, which ends any blocked connect, header or body read at
once. `Deadline.expired` then tells the fetch why its read ended (a body cut short is never a page).
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

from urllib3.connection import HTTPConnection


class Deadline:
    """The total time one fetch may take. While it is `active` in a thread, every connection that thread
    opens or reuses is watched; when the time is up a timer shuts their sockets down, which ends any
    blocked connect, header or body read at once (`expired` then tells the fetch why it ended)."""

    _current = threading.local()

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds
        self.expired = False
        self._connections: list[HTTPConnection] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(0.0, seconds), self._expire)
        self._timer.daemon = True

    def remaining(self) -> float:
        return self.at - time.monotonic()

    @classmethod
    def current(cls) -> Deadline | None:
        found: Deadline | None = getattr(cls._current, "deadline", None)
        return found

    def watch(self, connection: HTTPConnection) -> None:
        with self._lock:
            self._connections.append(connection)
            expired = self.expired
        if expired:
            _shut(connection)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            connections = list(self._connections)
        for connection in connections:
            _shut(connection)

    def __enter__(self) -> Deadline:
        self._previous = Deadline.current()
        Deadline._current.deadline = self
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        Deadline._current.deadline = self._previous


def _shut(connection: HTTPConnection) -> None:
    """Shut the connection's socket down: a read blocked on it (in another thread) returns at once. The
    socket is the one remembered at connect time: a response read to the end of the connection owns it
    while the connection itself has let go (`sock` is None). `socket.socket.shutdown` on a TLS socket
    shuts its file descriptor without tearing the TLS object down under the reading thread."""
    sock = getattr(connection, "_watched_sock", None) or getattr(connection, "sock", None)
    if isinstance(sock, socket.socket):
        try:
            socket.socket.shutdown(sock, socket.SHUT_RDWR)
        except OSError:
            pass


class WatchedConnection:
    """Connections under the current `Deadline`: registered when they connect and at every request
    (a pooled connection is reused by later fetches), refused once it has passed."""

    def _new_conn(self) -> socket.socket:
        deadline = Deadline.current()
        if deadline is not None and deadline.expired:
            raise DeadlinePassed
        sock: socket.socket = super()._new_conn()  # type: ignore[misc]
        if deadline is not None and deadline.expired:
            sock.close()
            raise DeadlinePassed
        return sock

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        self._watched_sock = self.sock  # type: ignore[attr-defined]

    def request(self, *args: Any, **kwargs: Any) -> None:
        deadline = Deadline.current()
        if deadline is not None:
            deadline.watch(self)  # type: ignore[arg-type]
        super().request(*args, **kwargs)  # type: ignore[misc]


class DeadlinePassed(OSError):
    """Raised when a connection would be opened after its fetch's deadline."""
