"""Sandboxes as real HTTP servers on the loopback interface.

:func:`serve` blocks (``shelf sandbox serve``); :func:`serving` runs an app in a background thread for as
long as a ``with`` block lasts, on a port the operating system picks, so tests and tools can speak real
HTTP to a sandbox without choosing a free port themselves.
"""

from __future__ import annotations

import errno
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

from engine.errors import ShelfError
from engine.sandbox.api import ConnectionDropped

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


class _QuietDrops(logging.Filter):
    """Keeps a connection the fault profile dropped on purpose out of the server's error log: uvicorn
    logs every app exception with its traceback, and a dropped connection is the sandbox working."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], ConnectionDropped))


_quiet_drops = _QuietDrops()


def _config(app: Any, host: str, port: int, log_level: str) -> uvicorn.Config:
    logging.getLogger("uvicorn.error").addFilter(_quiet_drops)  # adding the same filter twice is a no-op
    return uvicorn.Config(app, host=host, port=port, log_level=log_level, lifespan="off", access_log=False)


def serve(
    app: Any,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    log_level: str = "warning",
    on_ready: Callable[[int], None] | None = None,
) -> None:
    """Serve ``app`` until interrupted (Ctrl-C).

    The port is bound before anything is said, so a taken port is one :class:`ShelfError` (exit 1) and
    never a "serving on" line followed by uvicorn's own failure. ``on_ready`` gets the bound port (the
    one the system chose for port 0).
    """
    sock = bind(host, port)
    try:
        if on_ready is not None:
            on_ready(int(sock.getsockname()[1]))
        uvicorn.Server(_config(app, host, int(sock.getsockname()[1]), log_level)).run(sockets=[sock])
    finally:
        sock.close()


def bind(host: str, port: int) -> socket.socket:
    """A socket listening on ``host:port``, or a :class:`ShelfError` naming the port when it is taken.

    It listens at once, before the server starts accepting: a client told the port (``on_ready``) may
    connect straight away and waits in the backlog, where a socket only bound would refuse it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        taken = exc.errno == errno.EADDRINUSE
        raise ShelfError(
            f"port {port} on {host} is taken by another program" if taken
            else f"cannot listen on {host}:{port}: {exc.strerror or exc}",
            hint="choose another with --port (0 lets the system pick a free one), or stop what uses it",
        ) from None
    sock.listen(2048)
    return sock


@contextmanager
def serving(
    app: Any, host: str = DEFAULT_HOST, port: int = 0, *, startup_timeout: float = 10.0
) -> Iterator[str]:
    """Run ``app`` in a thread and yield its root URL (``http://127.0.0.1:<port>``); stop it on exit.

    The socket is bound before the server starts, so the URL is valid the moment it is yielded.
    """
    sock = bind(host, port)
    bound_host, bound_port = sock.getsockname()[:2]
    server = uvicorn.Server(_config(app, host, bound_port, "warning"))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="sandbox-server"
    )
    thread.start()
    try:
        deadline = time.monotonic() + startup_timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"sandbox server on {bound_host}:{bound_port} did not start")
            time.sleep(0.01)
        yield f"http://{bound_host}:{bound_port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
