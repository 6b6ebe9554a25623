"""Ctrl-C during `shelf apply`, with a real process and a real SIGINT, against the xPage sandbox served on
loopback and slowed down so the signal lands in the middle of the writes.

The first interrupt lets the changes in flight finish, starts none, and accounts for every change; the
second one stops at once. Either way the next apply converges with no duplicate product.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from engine.sandbox import serving
from engine.sandbox.xpage.app import create_app

from support import shelf

pytestmark = pytest.mark.slow

TOKEN = "interrupt-token-51e9"
PRODUCTS = 120
INTERRUPTED = re.compile(
    r"Interrupted: (\d+) of (\d+) changes applied, (?:(\d+) cut short \(the shop may or may not hold "
    r"them\), )?(\d+) not started\."
)


class SlowCreates:
    """Delays every product create before the shop sees it, like a distant shop would, and counts the
    ones still being handled. A create abandoned by its client is then refused by the shop (its body
    never arrives), which the server logs."""

    def __init__(self, app: Any, delay: float):
        self.app = app
        self.delay = delay
        self.slow_reads = False
        self.reading = 0
        self.active = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and self.slow_reads:
            self.reading += 1
            while self.slow_reads:
                await asyncio.sleep(0.01)
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"].endswith("/product"):
            self.active += 1
            started = time.monotonic()
            try:
                while time.monotonic() - started < self.delay:  # a shorter delay set meanwhile counts
                    await asyncio.sleep(0.01)
                await self.app(scope, receive, send)
            finally:
                self.active -= 1
        else:
            await self.app(scope, receive, send)


@pytest.fixture
def slow(tmp_path: Path) -> Iterator[tuple[str, SlowCreates]]:
    app = SlowCreates(create_app(tmp_path / "served.sqlite", tokens={TOKEN: None}), delay=0.15)
    with serving(app) as url:
        yield url, app


@pytest.fixture
def catalog(tmp_path: Path, slow: tuple[str, SlowCreates], monkeypatch: pytest.MonkeyPatch) -> Path:
    url, _ = slow
    (tmp_path / "recipes").mkdir()
    (tmp_path / "recipes" / "many.yaml").write_text("products:\n" + "".join(
        f"  - {{key: item-{n:03}, title: Item {n}, price: 5.00, sku: ITEM-{n:03}}}\n" for n in range(PRODUCTS)
    ))
    (tmp_path / "shelf.yaml").write_text(
        "recipes: [recipes]\ndefault_target: shop\ntargets:\n  shop:\n    platform: xpage\n"
        f"    base_url: {url}/api/apps/v1\n    token: ${{XPAGE_TOKEN}}\n"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return tmp_path


def _shelf_command() -> list[str]:
    found = shutil.which("shelf", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "engine"]


def _start_apply(repo: Path) -> subprocess.Popen[str]:
    """`shelf apply` in its own process group: a background child of a non-interactive shell (and of
    pytest) may inherit SIGINT as ignored, and its own session gives it Python's default handler."""
    env = {**os.environ, "XPAGE_TOKEN": TOKEN, "NO_COLOR": "1"}
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.Popen([*_shelf_command(), "apply", "--auto-approve"], cwd=repo, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def _creates(url: str) -> int:
    return int(httpx.get(f"{url}/_sandbox/stats").json()["requests"].get("POST /product", 0))


def _wait_for_creates(url: str, process: subprocess.Popen[str], count: int) -> None:
    deadline = time.monotonic() + 60
    while _creates(url) < count:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise AssertionError(process.communicate(timeout=10))
        time.sleep(0.02)


def _slugs(url: str) -> list[str]:
    slugs: list[str] = []
    page = 1
    while True:
        answer = httpx.get(f"{url}/api/apps/v1/product", headers={"Authorization": f"Bearer {TOKEN}"},
                           params={"page_size": 200, "page": page})
        answer.raise_for_status()
        products = answer.json()["data"]["products"]
        slugs.extend(p["slug"] for p in products)
        if len(products) < 200:
            return slugs
        page += 1


def _converges(url: str, app: SlowCreates) -> None:
    """The next apply creates what is missing, nothing twice; then nothing is left to change."""
    app.delay = 0
    deadline = time.monotonic() + 30
    while app.active and time.monotonic() < deadline:  # requests abandoned by the client still land
        time.sleep(0.05)
    finished = shelf("apply", "--auto-approve", env={"XPAGE_TOKEN": TOKEN})
    assert finished.exit_code == 0, finished.output
    slugs = _slugs(url)
    assert len(slugs) == PRODUCTS and len(set(slugs)) == PRODUCTS
    httpx.post(f"{url}/_sandbox/stats/reset").raise_for_status()
    again = shelf("plan", "--detailed-exitcode", env={"XPAGE_TOKEN": TOKEN})
    assert again.exit_code == 0, again.output
    assert httpx.get(f"{url}/_sandbox/stats").json()["writes"] == 0


def test_the_first_interrupt_finishes_what_is_in_flight_and_reports(
    catalog: Path, slow: tuple[str, SlowCreates]
) -> None:
    url, app = slow
    process = _start_apply(catalog)
    _wait_for_creates(url, process, 24)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)

    assert process.returncode == 3, err
    assert "Press Ctrl-C again to stop at once" in err
    match = INTERRUPTED.search(err)
    assert match, err
    applied, total, cut, not_started = (int(g or 0) for g in match.groups())
    assert total == PRODUCTS and cut == 0
    assert 24 <= applied < PRODUCTS and applied + not_started == PRODUCTS
    assert len(_slugs(url)) == applied == _creates(url)  # every change started was finished and counted
    assert "Traceback" not in err and TOKEN not in err
    _converges(url, app)


def test_a_second_interrupt_stops_at_once(catalog: Path, slow: tuple[str, SlowCreates]) -> None:
    url, app = slow
    process = _start_apply(catalog)
    _wait_for_creates(url, process, 24)
    app.delay = 30  # the creates sent from now on take half a minute
    time.sleep(0.3)
    assert app.active, "the apply ended before the interrupt"
    process.send_signal(signal.SIGINT)
    time.sleep(0.3)
    started = time.monotonic()
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=20)

    assert time.monotonic() - started < 10
    assert process.returncode == 3, err
    match = INTERRUPTED.search(err)
    assert match, err
    applied, total, cut, not_started = (int(g or 0) for g in match.groups())
    assert cut >= 1 and applied + cut + not_started == total == PRODUCTS
    assert "Traceback" not in err
    _converges(url, app)


def test_an_interrupt_before_any_write_stops_at_once_with_exit_1(
    catalog: Path, slow: tuple[str, SlowCreates]
) -> None:
    url, app = slow
    app.slow_reads = True
    process = _start_apply(catalog)
    deadline = time.monotonic() + 60
    while not app.reading:  # shelf is reading the shop
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=20)
    app.slow_reads = False
    assert process.returncode == 1, err
    assert err.strip().endswith("error: interrupted") and "Traceback" not in err
    assert _creates(url) == 0
