"""`shelf sandbox serve --platform appxite` as a real process, and `shelf sandbox reset` of it."""

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
import pytest

from appxite_support import CONFIG, control, headers, items, write_catalog
from support import shelf


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_speaks_the_order_api_with_the_given_token(tmp_path: Path) -> None:
    port = _free_port()
    found = shutil.which("shelf", path=str(Path(sys.executable).parent))
    command = [found] if found else [sys.executable, "-m", "engine"]
    process = subprocess.Popen(
        [*command, "sandbox", "serve", "--platform", "appxite", "--port", str(port),
         "--db", str(tmp_path / "served.sqlite"), "--token", "served-token"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{base}/_sandbox/stats", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise AssertionError(process.communicate(timeout=5)) from None
                time.sleep(0.1)
        ok = httpx.get(f"{base}/orders/", headers=headers(Authorization="Bearer served-token"))
        refused = httpx.get(f"{base}/orders/", headers=headers())
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    assert ok.status_code == 200 and ok.json() == {"orders": []}
    assert refused.status_code == 401
    assert f"appxite sandbox on {base}" in err and "served-token" not in out + err


def test_reset_empties_the_appxite_sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "shelf.yaml").write_text(CONFIG)
    write_catalog(tmp_path)
    monkeypatch.chdir(tmp_path)
    control(tmp_path, "POST", "/_sandbox/delay", {"seconds": 0})
    assert shelf("apply", "--auto-approve").exit_code == 0
    result = shelf("sandbox", "reset", "--platform", "appxite")
    assert result.exit_code == 0 and "reset the appxite sandbox" in result.stderr
    assert items(tmp_path) == []
