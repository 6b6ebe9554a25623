"""A sandbox's port takes connections as soon as it is announced, before the server accepts them."""

from __future__ import annotations

import socket

from engine.sandbox.server import bind


def test_a_bound_port_takes_a_connection_before_the_server_runs() -> None:
    sock = bind("127.0.0.1", 0)
    try:
        port = sock.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            pass  # refused (ECONNREFUSED) when the socket is only bound, not listening
    finally:
        sock.close()
