"""`shelf sandbox serve` on a port another program holds: one error saying the port is taken, exit 1,
and no line claiming to serve."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from support import shelf


def test_serve_on_a_taken_port_says_so_and_exits_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = shelf("sandbox", "serve", "--platform", "xpage", "--port", str(port),
                       "--db", str(tmp_path / "served.sqlite"), env={"NO_COLOR": "1"})
    assert result.exit_code == 1, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        f"error: port {port} on 127.0.0.1 is taken by another program (choose another with --port "
        "(0 lets the system pick a free one), or stop what uses it)"
    ], result.stderr
    assert "sandbox on http" not in result.stderr and "Traceback" not in result.stderr
