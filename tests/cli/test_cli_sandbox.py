"""`shelf sandbox serve` as a real process on loopback, and `shelf sandbox reset`."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from support import sandbox_control, sandbox_db, shelf


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _shelf_command() -> list[str]:
    found = shutil.which("shelf", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "engine"]


def test_serve_answers_over_http_with_the_given_token(tmp_path: Path) -> None:
    port = _free_port()
    db = tmp_path / "served.sqlite"
    process = subprocess.Popen(
        [*_shelf_command(), "sandbox", "serve", "--platform", "xpage", "--port", str(port),
         "--db", str(db), "--token", "only-this-token", "--token", "reader=product:view"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    base = f"http://127.0.0.1:{port}/api/apps/v1"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/_sandbox/stats", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise AssertionError(process.communicate(timeout=5)) from None
                time.sleep(0.1)
        ok = httpx.get(f"{base}/product", headers={"Authorization": "Bearer only-this-token"})
        assert ok.status_code == 200 and ok.json()["data"]["products"] == []
        assert httpx.get(f"{base}/product", headers={"Authorization": "Bearer sandbox"}).status_code == 401
        reader = {"Authorization": "Bearer reader"}
        assert httpx.get(f"{base}/product", headers=reader).status_code == 200
        refused = httpx.post(f"{base}/product", headers=reader, files={"metadata": (None, "{}")})
        assert refused.status_code == 403 and refused.json()["code"] == "FORBIDDEN"
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    assert db.exists()
    assert "only-this-token" not in out + err


def test_reset_empties_the_in_process_sandbox(repo: Path) -> None:
    assert shelf("apply", "--auto-approve").exit_code == 0
    assert shelf("plan", "--detailed-exitcode").exit_code == 0
    result = shelf("sandbox", "reset", "--platform", "xpage")
    assert result.exit_code == 0 and "reset the xpage sandbox" in result.stderr
    assert sandbox_control(sandbox_db(repo), "GET", "/_sandbox/stats")["writes"] == 0
    assert shelf("plan", "--detailed-exitcode").exit_code == 2
