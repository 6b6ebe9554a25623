"""Sandboxes as real HTTP servers on the loopback interface.

:func:`serve` blocks (``shelf sandbox serve``); :func:`serving` runs an app in a background thread for as
long as a ``with`` block lasts, on a port the operating system picks, so tests and tools can speak real
HTTP to a sandbox without choosing a free port themselves.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def _config(app: Any, host: str, port: int, log_level: str) -> uvicorn.Config:
    return uvicorn.Config(app, host=host, port=port, log_level=log_level, lifespan="off", access_log=False)


def serve(
    app: Any, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *, log_level: str = "warning"
) -> None:
    """Serve ``app`` until interrupted (Ctrl-C)."""
    uvicorn.Server(_config(app, host, port, log_level)).run()


@contextmanager
def serving(
    app: Any, host: str = DEFAULT_HOST, port: int = 0, *, startup_timeout: float = 10.0
) -> Iterator[str]:
    """Run ``app`` in a thread and yield its root URL (``http://127.0.0.1:<port>``); stop it on exit.

    The socket is bound before the server starts, so the URL is valid the moment it is yielded.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
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
